package orgsim_test

import (
	"encoding/json"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/kms"
	kmstypes "github.com/aws/aws-sdk-go-v2/service/kms/types"

	"github.com/orgbaseline/orgbaseline/internal/orgsim"
)

func (e *env) kms(cfg aws.Config) *kms.Client { return kms.NewFromConfig(cfg) }

// kmsKey creates a key with cfg (the default key policy when policy is
// "") and returns its metadata.
func kmsKey(t testing.TB, e *env, cfg aws.Config, policy string) *kmstypes.KeyMetadata {
	t.Helper()
	in := &kms.CreateKeyInput{Description: aws.String("orgsim test key")}
	if policy != "" {
		in.Policy = aws.String(policy)
	}
	out, err := e.kms(cfg).CreateKey(bg, in)
	if err != nil {
		t.Fatalf("create key: %v", err)
	}
	return out.KeyMetadata
}

// The key policy AWS KMS writes for a key created through the API without
// one: the owning account, through IAM, may do everything.
func TestKMSCreateKeyDefaultPolicy(t *testing.T) {
	for _, part := range []struct{ name, region, prefix string }{
		{"", "us-east-1", "arn:aws:"},
		{"aws-us-gov", "us-gov-west-1", "arn:aws-us-gov:"},
	} {
		t.Run(part.prefix, func(t *testing.T) {
			e := newEnv(t, orgsim.Options{Seed: 1, Partition: part.name})
			cfg := e.cfg.Copy()
			cfg.Region = part.region
			mgmt := e.sim.ManagementAccountID()
			k := kmsKey(t, e, cfg, "")
			if !strings.HasPrefix(aws.ToString(k.Arn), part.prefix+"kms:"+part.region+":"+mgmt+":key/"+aws.ToString(k.KeyId)) ||
				k.KeyState != kmstypes.KeyStateEnabled || !k.Enabled || k.KeySpec != kmstypes.KeySpecSymmetricDefault ||
				k.KeyUsage != kmstypes.KeyUsageTypeEncryptDecrypt || k.KeyManager != kmstypes.KeyManagerTypeCustomer || k.CreationDate == nil {
				t.Fatalf("key metadata %+v", k)
			}
			pol, err := e.kms(cfg).GetKeyPolicy(bg, &kms.GetKeyPolicyInput{KeyId: k.KeyId})
			if err != nil {
				t.Fatal(err)
			}
			var doc struct {
				ID        string `json:"Id"`
				Statement []struct {
					Sid       string
					Effect    string
					Principal struct{ AWS string }
					Action    string
					Resource  string
				}
			}
			if err := json.Unmarshal([]byte(aws.ToString(pol.Policy)), &doc); err != nil {
				t.Fatal(err)
			}
			st := doc.Statement
			if doc.ID != "key-default-1" || len(st) != 1 || st[0].Sid != "Enable IAM User Permissions" || st[0].Effect != "Allow" ||
				st[0].Principal.AWS != part.prefix+"iam::"+mgmt+":root" || st[0].Action != "kms:*" || st[0].Resource != "*" ||
				aws.ToString(pol.PolicyName) != "default" {
				t.Fatalf("default key policy %s", aws.ToString(pol.Policy))
			}
		})
	}
}

func TestKMSKeysAndAliases(t *testing.T) {
	e := newEnv(t, orgsim.Options{Seed: 1})
	c := e.kms(e.cfg)
	k1 := kmsKey(t, e, e.cfg, "")
	k2 := kmsKey(t, e, e.cfg, "")

	// DescribeKey by id, ARN, alias name and alias ARN.
	if _, err := c.CreateAlias(bg, &kms.CreateAliasInput{AliasName: aws.String("alias/trail"), TargetKeyId: k1.KeyId}); err != nil {
		t.Fatal(err)
	}
	aliasARN := strings.Replace(aws.ToString(k1.Arn), "key/"+aws.ToString(k1.KeyId), "alias/trail", 1)
	for _, id := range []string{aws.ToString(k1.KeyId), aws.ToString(k1.Arn), "alias/trail", aliasARN} {
		d, err := c.DescribeKey(bg, &kms.DescribeKeyInput{KeyId: aws.String(id)})
		if err != nil || aws.ToString(d.KeyMetadata.Arn) != aws.ToString(k1.Arn) {
			t.Fatalf("DescribeKey(%s): %+v %v", id, d, err)
		}
	}
	_, err := c.CreateAlias(bg, &kms.CreateAliasInput{AliasName: aws.String("alias/trail"), TargetKeyId: k2.KeyId})
	wantCode(t, err, "AlreadyExistsException")
	_, err = c.CreateAlias(bg, &kms.CreateAliasInput{AliasName: aws.String("alias/aws/s3"), TargetKeyId: k2.KeyId})
	wantCode(t, err, "InvalidAliasNameException")
	_, err = c.CreateAlias(bg, &kms.CreateAliasInput{AliasName: aws.String("trail"), TargetKeyId: k2.KeyId})
	wantCode(t, err, "InvalidAliasNameException")
	aliases, err := c.ListAliases(bg, &kms.ListAliasesInput{})
	if err != nil || len(aliases.Aliases) != 1 || aws.ToString(aliases.Aliases[0].TargetKeyId) != aws.ToString(k1.KeyId) ||
		aws.ToString(aliases.Aliases[0].AliasArn) != aliasARN {
		t.Fatalf("ListAliases: %+v %v", aliases, err)
	}

	_, err = c.DescribeKey(bg, &kms.DescribeKeyInput{KeyId: aws.String("1234abcd-12ab-34cd-56ef-1234567890ab")})
	wantCode(t, err, "NotFoundException")
	_, err = c.DescribeKey(bg, &kms.DescribeKeyInput{KeyId: aws.String("alias/none")})
	wantCode(t, err, "NotFoundException")
	// A key is regional: its ARN is not found from another region.
	west := e.cfg.Copy()
	west.Region = "eu-west-1"
	_, err = e.kms(west).DescribeKey(bg, &kms.DescribeKeyInput{KeyId: k1.Arn})
	wantCode(t, err, "NotFoundException")

	// ListKeys pages with Limit and Marker.
	p1, err := c.ListKeys(bg, &kms.ListKeysInput{Limit: aws.Int32(1)})
	if err != nil || len(p1.Keys) != 1 || !p1.Truncated || p1.NextMarker == nil {
		t.Fatalf("ListKeys page 1: %+v %v", p1, err)
	}
	p2, err := c.ListKeys(bg, &kms.ListKeysInput{Limit: aws.Int32(1), Marker: p1.NextMarker})
	if err != nil || len(p2.Keys) != 1 || p2.Truncated || aws.ToString(p2.Keys[0].KeyArn) != aws.ToString(k2.Arn) {
		t.Fatalf("ListKeys page 2: %+v %v", p2, err)
	}
	_, err = c.ListKeys(bg, &kms.ListKeysInput{Marker: aws.String("bogus")})
	wantCode(t, err, "InvalidMarkerException")
}

// PutKeyPolicy (and CreateKey with a policy) refuse a policy that would
// lock the caller out of the key, unless the check is bypassed.
func TestKMSKeyPolicyLockoutCheck(t *testing.T) {
	e := newEnv(t, orgsim.Options{Seed: 1})
	c := e.kms(e.cfg)
	k := kmsKey(t, e, e.cfg, "")
	onlyCloudTrail := `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"Service":"cloudtrail.amazonaws.com"},"Action":"kms:GenerateDataKey*","Resource":"*"}]}`
	_, err := c.PutKeyPolicy(bg, &kms.PutKeyPolicyInput{KeyId: k.KeyId, Policy: aws.String(onlyCloudTrail)})
	wantCode(t, err, "MalformedPolicyDocumentException")
	_, err = c.CreateKey(bg, &kms.CreateKeyInput{Policy: aws.String(onlyCloudTrail)})
	wantCode(t, err, "MalformedPolicyDocumentException")
	_, err = c.PutKeyPolicy(bg, &kms.PutKeyPolicyInput{KeyId: k.KeyId, Policy: aws.String(`{"Version":"2012-10-17","Statement":[`)})
	wantCode(t, err, "MalformedPolicyDocumentException")
	if _, err := c.PutKeyPolicy(bg, &kms.PutKeyPolicyInput{KeyId: k.KeyId, Policy: aws.String(onlyCloudTrail), BypassPolicyLockoutSafetyCheck: true}); err != nil {
		t.Fatal(err)
	}
	// Now the key policy no longer lets the account (nor IAM) in.
	_, err = c.DescribeKey(bg, &kms.DescribeKeyInput{KeyId: k.KeyId})
	wantCode(t, err, "AccessDeniedException")
	if !strings.Contains(err.Error(), "no resource-based policy allows the kms:DescribeKey action") {
		t.Errorf("message: %v", err)
	}
}

// Another account's key needs its key policy to name the caller's account
// (and the caller's IAM policies to allow the call).
func TestKMSCrossAccountKeyPolicy(t *testing.T) {
	e := newEnv(t, orgsim.Options{Seed: 1, Org: orgsim.OrgSpec{Members: 1, Clean: true}})
	member := e.sim.Accounts()[1].ID
	mgmt := e.sim.ManagementAccountID()
	mc := e.assume(member, "OrganizationAccountAccessRole")
	k := kmsKey(t, e, e.cfg, "")
	_, err := e.kms(mc).DescribeKey(bg, &kms.DescribeKeyInput{KeyId: k.Arn})
	wantCode(t, err, "AccessDeniedException")
	pol := `{"Version":"2012-10-17","Statement":[
{"Sid":"Enable IAM User Permissions","Effect":"Allow","Principal":{"AWS":"arn:aws:iam::` + mgmt + `:root"},"Action":"kms:*","Resource":"*"},
{"Sid":"Member reads","Effect":"Allow","Principal":{"AWS":"arn:aws:iam::` + member + `:root"},"Action":"kms:DescribeKey","Resource":"*"}]}`
	if _, err := e.kms(e.cfg).PutKeyPolicy(bg, &kms.PutKeyPolicyInput{KeyId: k.KeyId, Policy: aws.String(pol)}); err != nil {
		t.Fatal(err)
	}
	if _, err := e.kms(mc).DescribeKey(bg, &kms.DescribeKeyInput{KeyId: k.Arn}); err != nil {
		t.Fatalf("DescribeKey across accounts with the key policy allowing it: %v", err)
	}
	_, err = e.kms(mc).GetKeyPolicy(bg, &kms.GetKeyPolicyInput{KeyId: k.Arn})
	wantCode(t, err, "AccessDeniedException")
}
