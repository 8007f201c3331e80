package orgsim_test

import (
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/organizations"
	orgtypes "github.com/aws/aws-sdk-go-v2/service/organizations/types"

	"github.com/orgbaseline/orgbaseline/internal/orgsim"
)

const rcpType = orgtypes.PolicyTypeResourceControlPolicy

// rcpDenyS3 is a small valid RCP.
const rcpDenyS3 = `{"Version":"2012-10-17","Statement":[{"Effect":"Deny","Principal":"*","Action":"s3:DeleteBucket","Resource":"*"}]}`

// rcpCreate creates an RCP and returns its id.
func rcpCreate(t testing.TB, c *organizations.Client, name, content string) string {
	t.Helper()
	out, err := c.CreatePolicy(bg, &organizations.CreatePolicyInput{Name: aws.String(name), Description: aws.String("test"), Content: aws.String(content), Type: rcpType})
	if err != nil {
		t.Fatalf("create RCP %s: %v", name, err)
	}
	return aws.ToString(out.Policy.PolicySummary.Id)
}

// rcpOn lists the ids of the RCPs attached to target.
func rcpOn(t testing.TB, c *organizations.Client, target string) []string {
	t.Helper()
	out, err := c.ListPoliciesForTarget(bg, &organizations.ListPoliciesForTargetInput{TargetId: aws.String(target), Filter: rcpType})
	if err != nil {
		t.Fatal(err)
	}
	var ids []string
	for _, p := range out.Policies {
		ids = append(ids, aws.ToString(p.Id))
	}
	return ids
}

// Enabling RCPs is asynchronous and, once done, attaches the AWS-managed
// RCPFullAWSAccess to the root, every OU and every account; it cannot be
// detached, changed or deleted; disabling detaches every RCP.
func TestRCPTypeLifecycle(t *testing.T) {
	e := newEnv(t, orgsim.Options{Seed: 7, Org: orgsim.OrgSpec{Members: 3, Clean: true}})
	c := e.orgs(e.cfg)
	root, member, ou := e.sim.RootID(), orgMember(t, e, "Audit"), orgOUOf(t, e, "/Security")

	list, err := c.ListPolicies(bg, &organizations.ListPoliciesInput{Filter: rcpType})
	if err != nil || len(list.Policies) != 1 {
		t.Fatalf("ListPolicies(RCP) = %+v, %v; want RCPFullAWSAccess alone", list, err)
	}
	full := list.Policies[0]
	if aws.ToString(full.Id) != "p-RCPFullAWSAccess" || !full.AwsManaged || aws.ToString(full.Name) != "RCPFullAWSAccess" ||
		aws.ToString(full.Arn) != "arn:aws:organizations::aws:policy/resource_control_policy/p-RCPFullAWSAccess" {
		t.Fatalf("RCPFullAWSAccess = %+v", full)
	}
	d, err := c.DescribePolicy(bg, &organizations.DescribePolicyInput{PolicyId: full.Id})
	if err != nil || !strings.Contains(aws.ToString(d.Policy.Content), `"Principal": "*"`) {
		t.Fatalf("DescribePolicy(RCPFullAWSAccess) = %+v, %v", d, err)
	}

	// A customer RCP can be created before the type is enabled, not attached.
	id := rcpCreate(t, c, "deny-delete", rcpDenyS3)
	if !strings.Contains(aws.ToString(func() *string {
		p, _ := c.DescribePolicy(bg, &organizations.DescribePolicyInput{PolicyId: aws.String(id)})
		return p.Policy.PolicySummary.Arn
	}()), "/resource_control_policy/"+id) {
		t.Errorf("the RCP's ARN lacks the resource_control_policy segment")
	}
	_, err = c.AttachPolicy(bg, &organizations.AttachPolicyInput{PolicyId: aws.String(id), TargetId: aws.String(member)})
	orgWant(t, err, "PolicyTypeNotEnabledException", 400)

	en, err := c.EnablePolicyType(bg, &organizations.EnablePolicyTypeInput{RootId: aws.String(root), PolicyType: rcpType})
	if err != nil || len(en.Root.PolicyTypes) != 1 || en.Root.PolicyTypes[0].Status != orgtypes.PolicyTypeStatusPendingEnable {
		t.Fatalf("EnablePolicyType = %+v, %v; want PENDING_ENABLE", en, err)
	}
	if got := rcpOn(t, c, root); len(got) != 0 {
		t.Fatalf("RCPs on the root while PENDING_ENABLE: %v", got)
	}
	e.sim.Advance(e.sim.AWSLike().PolicyTypeDelay)
	for _, target := range []string{root, ou, member, e.sim.ManagementAccountID()} {
		if got := rcpOn(t, c, target); len(got) != 1 || got[0] != "p-RCPFullAWSAccess" {
			t.Errorf("RCPs on %s = %v, want [p-RCPFullAWSAccess]", target, got)
		}
	}
	// No SCP came with it.
	if pft, err := c.ListPoliciesForTarget(bg, &organizations.ListPoliciesForTargetInput{TargetId: aws.String(root), Filter: orgtypes.PolicyTypeServiceControlPolicy}); err != nil || len(pft.Policies) != 0 {
		t.Errorf("SCPs on the root = %+v, %v", pft, err)
	}

	_, err = c.DetachPolicy(bg, &organizations.DetachPolicyInput{PolicyId: full.Id, TargetId: aws.String(member)})
	orgWantReason(t, err, "InvalidInputException", 400, "NON_DETACHABLE_POLICY")
	_, err = c.UpdatePolicy(bg, &organizations.UpdatePolicyInput{PolicyId: full.Id, Content: aws.String(rcpDenyS3)})
	orgWantReason(t, err, "InvalidInputException", 400, "IMMUTABLE_POLICY")
	_, err = c.DeletePolicy(bg, &organizations.DeletePolicyInput{PolicyId: full.Id})
	orgWantReason(t, err, "InvalidInputException", 400, "IMMUTABLE_POLICY")

	// Five RCPs per target, RCPFullAWSAccess counted.
	for i := 0; i < 4; i++ {
		pid := id
		if i > 0 {
			pid = rcpCreate(t, c, "deny-"+string(rune('a'+i)), rcpDenyS3)
		}
		if _, err := c.AttachPolicy(bg, &organizations.AttachPolicyInput{PolicyId: aws.String(pid), TargetId: aws.String(member)}); err != nil {
			t.Fatalf("attach RCP %d of 5: %v", i+2, err)
		}
	}
	sixth := rcpCreate(t, c, "deny-f", rcpDenyS3)
	_, err = c.AttachPolicy(bg, &organizations.AttachPolicyInput{PolicyId: aws.String(sixth), TargetId: aws.String(member)})
	orgWantReason(t, err, "ConstraintViolationException", 400, "MAX_POLICY_TYPE_ATTACHMENT_LIMIT_EXCEEDED")
	// A customer RCP detaches.
	if _, err := c.DetachPolicy(bg, &organizations.DetachPolicyInput{PolicyId: aws.String(id), TargetId: aws.String(member)}); err != nil {
		t.Fatal(err)
	}

	if _, err := c.DisablePolicyType(bg, &organizations.DisablePolicyTypeInput{RootId: aws.String(root), PolicyType: rcpType}); err != nil {
		t.Fatal(err)
	}
	e.sim.Advance(e.sim.AWSLike().PolicyTypeDelay)
	for _, target := range []string{root, ou, member} {
		if got := rcpOn(t, c, target); len(got) != 0 {
			t.Errorf("RCPs on %s after DisablePolicyType = %v", target, got)
		}
	}
}

// CreatePolicy and UpdatePolicy check an RCP's size (5,120 characters)
// and grammar, naming each problem's place; a billing-only organization
// has no RCPs.
func TestRCPContentChecks(t *testing.T) {
	e := newEnv(t, orgsim.Options{Seed: 7, Org: orgsim.OrgSpec{Members: 1}})
	c := e.orgs(e.cfg)
	stmt := func(s string) string { return `{"Version":"2012-10-17","Statement":[` + s + `]}` }
	for _, tc := range []struct{ name, doc, place string }{
		{"Allow", stmt(`{"Effect":"Allow","Principal":"*","Action":"s3:*","Resource":"*"}`), "Statement[0].Effect"},
		{"an account as Principal", stmt(`{"Effect":"Deny","Principal":{"AWS":"111122223333"},"Action":"s3:*","Resource":"*"}`), "Statement[0].Principal"},
		{"NotPrincipal", stmt(`{"Effect":"Deny","NotPrincipal":{"AWS":"111122223333"},"Action":"s3:*","Resource":"*"}`), "Statement[0].NotPrincipal"},
		{"NotAction", stmt(`{"Effect":"Deny","Principal":"*","NotAction":"s3:GetObject","Resource":"*"}`), "Statement[0].NotAction"},
		{"a service RCPs do not cover", stmt(`{"Effect":"Deny","Principal":"*","Action":["s3:*","iam:*"],"Resource":"*"}`), "Statement[0].Action[1]"},
		{"Action *", stmt(`{"Effect":"Deny","Principal":"*","Action":"*","Resource":"*"}`), "Statement[0].Action"},
		{"no Version", `{"Statement":[{"Effect":"Deny","Principal":"*","Action":"s3:*","Resource":"*"}]}`, "missing \"Version\""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := c.CreatePolicy(bg, &organizations.CreatePolicyInput{Name: aws.String("bad"), Description: aws.String(""), Content: aws.String(tc.doc), Type: rcpType})
			orgWant(t, err, "MalformedPolicyDocumentException", 400)
			if !strings.Contains(orgMessage(err), tc.place) {
				t.Errorf("message %q does not name %s", orgMessage(err), tc.place)
			}
		})
	}
	id := rcpCreate(t, c, "ok", rcpDenyS3)
	_, err := c.UpdatePolicy(bg, &organizations.UpdatePolicyInput{PolicyId: aws.String(id), Content: aws.String(stmt(`{"Effect":"Allow","Principal":"*","Action":"s3:*","Resource":"*"}`))})
	orgWant(t, err, "MalformedPolicyDocumentException", 400)

	big := stmt(`{"Effect":"Deny","Principal":"*","Action":"s3:*","Resource":"*","Condition":{"StringNotEquals":{"aws:PrincipalAccount":["` + strings.Repeat("1", 5200) + `"]}}}`)
	_, err = c.CreatePolicy(bg, &organizations.CreatePolicyInput{Name: aws.String("big"), Description: aws.String(""), Content: aws.String(big), Type: rcpType})
	orgWantReason(t, err, "ConstraintViolationException", 400, "POLICY_CONTENT_LIMIT_EXCEEDED")
	if !strings.Contains(orgMessage(err), "5120") {
		t.Errorf("size message %q does not give the limit", orgMessage(err))
	}

	billing := newEnv(t, orgsim.Options{Seed: 7, Org: orgsim.OrgSpec{Members: 1, FeatureSet: "CONSOLIDATED_BILLING"}})
	bc := billing.orgs(billing.cfg)
	_, err = bc.EnablePolicyType(bg, &organizations.EnablePolicyTypeInput{RootId: aws.String(billing.sim.RootID()), PolicyType: rcpType})
	orgWant(t, err, "PolicyTypeNotAvailableForOrganizationException", 400)
	_, err = bc.CreatePolicy(bg, &organizations.CreatePolicyInput{Name: aws.String("p"), Description: aws.String(""), Content: aws.String(rcpDenyS3), Type: rcpType})
	orgWant(t, err, "PolicyTypeNotAvailableForOrganizationException", 400)
}
