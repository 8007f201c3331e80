package orgsim_test

import (
	"errors"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/cloudtrail"
	"github.com/aws/aws-sdk-go-v2/service/iam"
	iamtypes "github.com/aws/aws-sdk-go-v2/service/iam/types"
	"github.com/aws/aws-sdk-go-v2/service/organizations"
	orgtypes "github.com/aws/aws-sdk-go-v2/service/organizations/types"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/aws-sdk-go-v2/service/sts"
	ststypes "github.com/aws/aws-sdk-go-v2/service/sts/types"
	"github.com/aws/smithy-go"

	"github.com/orgbaseline/orgbaseline/internal/orgsim"
)

// The request context AWS sets on every signed request (reqctx.go), key by
// key, through the real SDK: a policy conditioned on the key allows or
// denies as AWS would.

// rcClock is the sim time of these tests: the time keys are exact.
var rcClock = time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)

// rcWorld is an organization (management account, Log Archive and Audit in
// /Security, one workload account) with a bucket in the management account
// that every principal of the organization may read
// (s3:GetEncryptionConfiguration) unless the Deny under test applies, and
// the callers of the tests.
type rcWorld struct {
	*env
	mgmt, audit, orgID, rootID, securityOU string
	bucket                                 string
	root                                   aws.Config // the management account's root user
	user                                   aws.Config // its admin user, long-term keys
	role                                   aws.Config // Audit's execution role, assumed by the user
	taggedARN                              string     // a role in the management account that allows session tags
	userID, userARN                        string
	mfaSerial                              string // the admin user's MFA device
}

func newRCWorld(t *testing.T, like *orgsim.AWSLike) *rcWorld {
	t.Helper()
	clock := newTestClock(rcClock)
	if like == nil {
		// These tests are about the request context, not propagation:
		// the roles they make are assumable at once.
		l := orgsim.DefaultAWSLike()
		l.PropagationDelay = 0
		like = &l
	}
	// The world runs on a fixed clock, months from the wall clock the SDK
	// signs with: the date of a request is not what these tests check.
	like.MaxClockSkew = 0
	e := newEnv(t, orgsim.Options{Seed: 13, Org: orgsim.OrgSpec{Members: 3, Clean: true}, Now: clock.Now, AWSLike: like})
	w := &rcWorld{env: e, mgmt: e.sim.ManagementAccountID(), audit: orgMember(t, e, "Audit"), orgID: e.sim.OrganizationID(),
		rootID: e.sim.RootID(), securityOU: orgOUOf(t, e, "/Security"), bucket: "reqctx-keys"}
	w.root = e.config(e.sim.RootCredentials(w.mgmt), "us-east-1")
	w.user = e.cfg
	s3tCreate(t, e.s3(w.root), w.bucket)
	id, err := e.sts(w.user).GetCallerIdentity(bg, &sts.GetCallerIdentityInput{})
	if err != nil {
		t.Fatal(err)
	}
	w.userID, w.userARN = aws.ToString(id.UserId), aws.ToString(id.Arn)
	w.role = w.assumeAs(w.user, "arn:aws:iam::"+w.audit+":role/"+orgsim.DefaultExecutionRole, nil)
	c := e.iam(w.user)
	w.taggedARN = rcRole(t, c, "Tagged", w.mgmt, "team", "red", "cost", "42")
	dev, err := c.CreateVirtualMFADevice(bg, &iam.CreateVirtualMFADeviceInput{VirtualMFADeviceName: aws.String("admin-mfa")})
	if err != nil {
		t.Fatal(err)
	}
	w.mfaSerial = aws.ToString(dev.VirtualMFADevice.SerialNumber)
	if _, err := c.EnableMFADevice(bg, &iam.EnableMFADeviceInput{UserName: aws.String("orgsim-admin"), SerialNumber: aws.String(w.mfaSerial),
		AuthenticationCode1: aws.String("123456"), AuthenticationCode2: aws.String("654321")}); err != nil {
		t.Fatal(err)
	}
	return w
}

// rcRole creates, with c, a role with AdministratorAccess and the given
// tags (key, value, ...) that the management account may assume, with
// session tags and a source identity, and returns its ARN.
func rcRole(t *testing.T, c *iam.Client, name, mgmt string, tags ...string) string {
	t.Helper()
	in := &iam.CreateRoleInput{RoleName: aws.String(name),
		AssumeRolePolicyDocument: aws.String(stsTrust("arn:aws:iam::"+mgmt+":root", `["sts:AssumeRole","sts:TagSession","sts:SetSourceIdentity"]`, ""))}
	for i := 0; i+1 < len(tags); i += 2 {
		in.Tags = append(in.Tags, iamtypes.Tag{Key: aws.String(tags[i]), Value: aws.String(tags[i+1])})
	}
	out, err := c.CreateRole(bg, in)
	if err != nil {
		t.Fatalf("create role %s: %v", name, err)
	}
	if _, err := c.AttachRolePolicy(bg, &iam.AttachRolePolicyInput{RoleName: aws.String(name), PolicyArn: aws.String(orgsim.AWSManagedPolicyARN("AdministratorAccess"))}); err != nil {
		t.Fatalf("attach to role %s: %v", name, err)
	}
	return aws.ToString(out.Role.Arn)
}

// assumeAs assumes roleARN with cfg's credentials, session name "reqctx".
func (w *rcWorld) assumeAs(cfg aws.Config, roleARN string, edit func(*sts.AssumeRoleInput)) aws.Config {
	w.t.Helper()
	in := &sts.AssumeRoleInput{RoleArn: aws.String(roleARN), RoleSessionName: aws.String("reqctx")}
	if edit != nil {
		edit(in)
	}

	out, err := w.sts(cfg).AssumeRole(bg, in)
	if err != nil {
		w.t.Fatalf("assume %s: %v", roleARN, err)
	}
	return stsSession(w.env, out)
}

// denyWhen puts the bucket policy: the organization may read the bucket's
// encryption, except where cond holds.
func (w *rcWorld) denyWhen(cond string) {
	w.t.Helper()
	b := "arn:aws:s3:::" + w.bucket
	doc := `{"Version":"2012-10-17","Statement":[` +
		`{"Sid":"Org","Effect":"Allow","Principal":"*","Action":"s3:GetEncryptionConfiguration","Resource":"` + b + `","Condition":{"StringEquals":{"aws:PrincipalOrgID":"` + w.orgID + `"}}},` +
		`{"Sid":"UnderTest","Effect":"Deny","Principal":"*","Action":"s3:GetEncryptionConfiguration","Resource":"` + b + `","Condition":` + cond + `}]}`
	if _, err := w.s3(w.root).PutBucketPolicy(bg, &s3.PutBucketPolicyInput{Bucket: aws.String(w.bucket), Policy: aws.String(doc)}); err != nil {
		w.t.Fatalf("put bucket policy with condition %s: %v", cond, err)
	}
}

// denied reports whether cfg's caller is denied the bucket's encryption.
func (w *rcWorld) denied(cfg aws.Config) bool {
	w.t.Helper()
	_, err := w.s3(cfg).GetBucketEncryption(bg, &s3.GetBucketEncryptionInput{Bucket: aws.String(w.bucket)})
	if err == nil {
		return false
	}
	if errCode(w.t, err) != "AccessDenied" {
		w.t.Fatalf("GetBucketEncryption: %v", err)
	}
	return true
}

func TestRequestContextKeysInBucketPolicy(t *testing.T) {
	w := newRCWorld(t, nil)
	orgRoot := w.orgID + "/" + w.rootID + "/"
	auditPath := orgRoot + w.securityOU + "/"
	roleARN := "arn:aws:iam::" + w.audit + ":role/" + orgsim.DefaultExecutionRole

	// Callers made once: a tagged user with no policy of its own (the
	// bucket policy's Allow to everyone in the organization is its only
	// grant), a session of a tagged role, one with session tags, a chained
	// session, a session with a source identity, one with MFA.
	c := w.iam(w.user)
	if _, err := c.CreateUser(bg, &iam.CreateUserInput{UserName: aws.String("tagged-user"), Tags: []iamtypes.Tag{{Key: aws.String("Team"), Value: aws.String("blue")}}}); err != nil {
		t.Fatal(err)
	}
	key, err := c.CreateAccessKey(bg, &iam.CreateAccessKeyInput{UserName: aws.String("tagged-user")})
	if err != nil {
		t.Fatal(err)
	}
	taggedUser := w.config(orgsim.Credentials{AccessKeyID: aws.ToString(key.AccessKey.AccessKeyId), SecretAccessKey: aws.ToString(key.AccessKey.SecretAccessKey)}, "us-east-1")
	tagged := w.assumeAs(w.user, w.taggedARN, nil)
	sessionTagged := w.assumeAs(w.user, w.taggedARN, func(in *sts.AssumeRoleInput) {
		in.Tags = []ststypes.Tag{{Key: aws.String("Team"), Value: aws.String("green")}, {Key: aws.String("project"), Value: aws.String("atlas")}}
		in.TransitiveTagKeys = []string{"project"}
	})
	chained := w.assumeAs(sessionTagged, w.taggedARN, nil)
	withSource := w.assumeAs(w.user, w.taggedARN, func(in *sts.AssumeRoleInput) { in.SourceIdentity = aws.String("alice") })
	withMFA := w.assumeAs(w.user, w.taggedARN, func(in *sts.AssumeRoleInput) {
		in.SerialNumber, in.TokenCode = aws.String(w.mfaSerial), aws.String("123456")
	})
	now := strconv.FormatInt(rcClock.Unix(), 10)

	callers := map[string]aws.Config{"user": w.user, "taggedUser": taggedUser, "root": w.root, "role": w.role, "tagged": tagged,
		"sessionTagged": sessionTagged, "chained": chained, "withSource": withSource, "withMFA": withMFA}
	taggedRole := []string{"tagged", "sessionTagged", "chained", "withSource", "withMFA"}
	sessions := append([]string{"role"}, taggedRole...)
	users := []string{"user", "taggedUser"}
	all := append(append([]string{"root"}, users...), sessions...)
	mgmtCallers := append(append([]string{"root"}, users...), taggedRole...)
	but := func(list []string, drop ...string) []string {
		var out []string
		for _, c := range list {
			if !slices.Contains(drop, c) {
				out = append(out, c)
			}
		}
		return out
	}
	for _, tc := range []struct {
		key    string
		cond   string
		denied []string // callers the Deny binds; every other caller is allowed
	}{
		// Always present, from the principal.
		{"aws:PrincipalArn user", `{"ArnEquals":{"aws:PrincipalArn":"` + w.userARN + `"}}`, []string{"user"}},
		{"aws:PrincipalArn role, not the session", `{"ArnEquals":{"aws:PrincipalArn":"` + roleARN + `"}}`, []string{"role"}},
		{"aws:PrincipalArn root", `{"ArnEquals":{"aws:PrincipalArn":"arn:aws:iam::` + w.mgmt + `:root"}}`, []string{"root"}},
		{"aws:PrincipalAccount", `{"StringEquals":{"aws:PrincipalAccount":"` + w.audit + `"}}`, []string{"role"}},
		{"aws:PrincipalType User", `{"StringEquals":{"aws:PrincipalType":"User"}}`, users},
		{"aws:PrincipalType Account", `{"StringEquals":{"aws:PrincipalType":"Account"}}`, []string{"root"}},
		{"aws:PrincipalType AssumedRole", `{"StringEquals":{"aws:PrincipalType":"AssumedRole"}}`, sessions},
		{"aws:userid user", `{"StringEquals":{"aws:userid":"` + w.userID + `"}}`, []string{"user"}},
		{"aws:userid root", `{"StringEquals":{"aws:userid":"` + w.mgmt + `"}}`, []string{"root"}},
		{"aws:userid role session", `{"StringLike":{"aws:userid":"AROA*:reqctx"}}`, sessions},
		{"aws:username user", `{"StringEquals":{"aws:username":"orgsim-admin"}}`, []string{"user"}},
		{"aws:username absent for roles and root", `{"Null":{"aws:username":"true"}}`, append([]string{"root"}, sessions...)},
		{"aws:PrincipalIsAWSService false", `{"Bool":{"aws:PrincipalIsAWSService":"false"}}`, all},
		{"aws:PrincipalIsAWSService not true", `{"Bool":{"aws:PrincipalIsAWSService":"true"}}`, nil},
		// Organization membership.
		{"aws:PrincipalOrgID", `{"StringEquals":{"aws:PrincipalOrgID":"` + w.orgID + `"}}`, all},
		{"aws:PrincipalOrgID other", `{"StringEquals":{"aws:PrincipalOrgID":"o-0000000000"}}`, nil},
		{"aws:PrincipalOrgPaths OU", `{"ForAnyValue:StringLike":{"aws:PrincipalOrgPaths":"` + auditPath + `*"}}`, []string{"role"}},
		{"aws:PrincipalOrgPaths exact", `{"ForAnyValue:StringEquals":{"aws:PrincipalOrgPaths":"` + auditPath + `"}}`, []string{"role"}},
		{"aws:PrincipalOrgPaths root", `{"ForAnyValue:StringEquals":{"aws:PrincipalOrgPaths":"` + orgRoot + `"}}`, mgmtCallers},
		// Tags: a user's, a role's, session tags over role tags, transitive tags.
		{"aws:PrincipalTag user", `{"StringEquals":{"aws:PrincipalTag/team":"blue"}}`, []string{"taggedUser"}},
		{"aws:PrincipalTag role", `{"StringEquals":{"aws:PrincipalTag/team":"red"}}`, but(taggedRole, "sessionTagged")},
		{"aws:PrincipalTag role, another tag", `{"StringEquals":{"aws:PrincipalTag/cost":"42"}}`, taggedRole},
		{"aws:PrincipalTag session tag overrides", `{"StringEquals":{"aws:PrincipalTag/team":"green"}}`, []string{"sessionTagged"}},
		{"aws:PrincipalTag transitive", `{"StringEquals":{"aws:PrincipalTag/project":"atlas"}}`, []string{"sessionTagged", "chained"}},
		// Sessions.
		{"aws:SourceIdentity", `{"StringEquals":{"aws:SourceIdentity":"alice"}}`, []string{"withSource"}},
		{"aws:MultiFactorAuthPresent false for sessions without MFA", `{"Bool":{"aws:MultiFactorAuthPresent":"false"}}`, but(sessions, "withMFA")},
		{"aws:MultiFactorAuthPresent true", `{"Bool":{"aws:MultiFactorAuthPresent":"true"}}`, []string{"withMFA"}},
		{"aws:MultiFactorAuthPresent absent for long-term keys", `{"Null":{"aws:MultiFactorAuthPresent":"true"}}`, append([]string{"root"}, users...)},
		{"aws:MultiFactorAuthAge", `{"NumericLessThan":{"aws:MultiFactorAuthAge":"60"}}`, []string{"withMFA"}},
		{"aws:TokenIssueTime", `{"DateEquals":{"aws:TokenIssueTime":"` + rcClock.Format(time.RFC3339) + `"}}`, sessions},
		{"aws:TokenIssueTime absent for long-term keys", `{"Null":{"aws:TokenIssueTime":"true"}}`, append([]string{"root"}, users...)},
		// The request.
		{"aws:SecureTransport", `{"Bool":{"aws:SecureTransport":"true"}}`, all},
		{"aws:ViaAWSService", `{"Bool":{"aws:ViaAWSService":"false"}}`, all},
		{"aws:CurrentTime", `{"DateEquals":{"aws:CurrentTime":"` + rcClock.Format(time.RFC3339) + `"}}`, all},
		{"aws:CurrentTime past", `{"DateLessThan":{"aws:CurrentTime":"` + rcClock.Format(time.RFC3339) + `"}}`, nil},
		{"aws:EpochTime", `{"NumericEquals":{"aws:EpochTime":"` + now + `"}}`, all},
		{"aws:RequestedRegion", `{"StringEquals":{"aws:RequestedRegion":"us-east-1"}}`, all},
		{"aws:RequestedRegion other", `{"StringEquals":{"aws:RequestedRegion":"eu-west-1"}}`, nil},
		{"aws:SourceIp", `{"IpAddress":{"aws:SourceIp":"127.0.0.0/8"}}`, all},
		{"aws:SourceIp other", `{"IpAddress":{"aws:SourceIp":"203.0.113.0/24"}}`, nil},
		{"aws:UserAgent", `{"StringLike":{"aws:UserAgent":"*aws-sdk-go-v2*"}}`, all},
		// The resource.
		{"aws:ResourceAccount", `{"StringEquals":{"aws:ResourceAccount":"` + w.mgmt + `"}}`, all},
		{"aws:ResourceOrgID", `{"StringEquals":{"aws:ResourceOrgID":"` + w.orgID + `"}}`, all},
		{"aws:ResourceOrgPaths", `{"ForAnyValue:StringEquals":{"aws:ResourceOrgPaths":"` + orgRoot + `"}}`, all},
		// Policy variables in condition values.
		{"variable ${aws:PrincipalAccount}", `{"StringEquals":{"aws:ResourceAccount":"${aws:PrincipalAccount}"}}`, mgmtCallers},
		{"variable ${aws:username} with a default", `{"StringEqualsIgnoreCase":{"aws:PrincipalTag/team":"${aws:username, 'RED'}"}}`, but(taggedRole, "sessionTagged")},
		{"variable ${aws:username}", `{"StringEquals":{"aws:PrincipalArn":"arn:aws:iam::` + w.mgmt + `:user/${aws:username}"}}`, users},
		{"variable in StringLike", `{"StringLike":{"aws:PrincipalArn":"arn:aws:iam::*:role/Tag${aws:PrincipalTag/suffix, 'ged'}"}}`, taggedRole},
	} {
		t.Run(tc.key, func(t *testing.T) {
			w.t = t
			w.denyWhen(tc.cond)
			want := map[string]bool{}
			for _, c := range tc.denied {
				want[c] = true
			}
			for name, cfg := range callers {
				if got := w.denied(cfg); got != want[name] {
					t.Errorf("%s: denied = %v, want %v", name, got, want[name])
				}
			}
		})
	}
	w.t = t

	// MultiFactorAuthAge counts from the MFA sign-in.
	w.denyWhen(`{"NumericGreaterThan":{"aws:MultiFactorAuthAge":"300"}}`)
	if w.denied(withMFA) {
		t.Fatal("a fresh MFA session is older than 300 seconds")
	}
	w.sim.Advance(10 * time.Minute)
	if !w.denied(withMFA) {
		t.Fatal("ten minutes later the MFA session is not older than 300 seconds")
	}
}

// TestSecureTransportSwitchable: AWS sees SDK calls over HTTPS; orgsim's
// loopback HTTP is what aws:SecureTransport says with the behaviour off.
func TestSecureTransportSwitchable(t *testing.T) {
	for _, tc := range []struct {
		name   string
		like   *orgsim.AWSLike
		secure bool
	}{
		{"AWS-like", nil, true},
		{"off", rcLike(func(l *orgsim.AWSLike) { l.SecureTransport = false }), false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			w := newRCWorld(t, tc.like)
			// The policy every data-perimeter guide gives: deny requests
			// not over TLS.
			w.denyWhen(`{"Bool":{"aws:SecureTransport":"false"}}`)
			if got := w.denied(w.user); got == tc.secure {
				t.Fatalf("denied = %v over %s, want %v", got, tc.name, !tc.secure)
			}
		})
	}
}

// rcLike is DefaultAWSLike changed by edit.
func rcLike(edit func(*orgsim.AWSLike)) *orgsim.AWSLike {
	l := orgsim.DefaultAWSLike()
	edit(&l)
	return &l
}

// rcSessionPolicy assumes the management account's Tagged role (which has
// AdministratorAccess) with a session policy that allows everything but
// what deny (a statement) denies.
func (w *rcWorld) rcSessionPolicy(deny string) aws.Config {
	w.t.Helper()
	return w.assumeAs(w.user, w.taggedARN, func(in *sts.AssumeRoleInput) {
		in.Policy = aws.String(`{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"*","Resource":"*"},` + deny + `]}`)
	})
}

func rcWantDenied(t *testing.T, err error, what string) {
	t.Helper()
	var ae smithy.APIError
	if !errors.As(err, &ae) || !strings.Contains(ae.ErrorCode(), "AccessDenied") {
		t.Fatalf("%s: %v, want AccessDenied", what, err)
	}
}

// TestServiceKeysInSessionPolicies: the service-specific keys of the table
// in reqctx.go reach the policies of the call they belong to.
func TestServiceKeysInSessionPolicies(t *testing.T) {
	w := newRCWorld(t, nil)

	// iam:AWSServiceName on CreateServiceLinkedRole.
	cfg := w.rcSessionPolicy(`{"Effect":"Deny","Action":"iam:CreateServiceLinkedRole","Resource":"*","Condition":{"StringEquals":{"iam:AWSServiceName":"config.amazonaws.com"}}}`)
	_, err := w.iam(cfg).CreateServiceLinkedRole(bg, &iam.CreateServiceLinkedRoleInput{AWSServiceName: aws.String("config.amazonaws.com")})
	rcWantDenied(t, err, "CreateServiceLinkedRole for Config")
	if _, err := w.iam(cfg).CreateServiceLinkedRole(bg, &iam.CreateServiceLinkedRoleInput{AWSServiceName: aws.String("access-analyzer.amazonaws.com")}); err != nil {
		t.Fatalf("CreateServiceLinkedRole for Access Analyzer: %v", err)
	}

	// aws:RequestTag/<key> and aws:TagKeys on CreateRole.
	cfg = w.rcSessionPolicy(`{"Effect":"Deny","Action":"iam:CreateRole","Resource":"*","Condition":{"StringNotEquals":{"aws:RequestTag/owner":"platform"}}},` +
		`{"Effect":"Deny","Action":"iam:CreateRole","Resource":"*","Condition":{"ForAnyValue:StringEquals":{"aws:TagKeys":"forbidden"}}}`)
	trust := stsTrust("arn:aws:iam::"+w.mgmt+":root", `"sts:AssumeRole"`, "")
	create := func(name string, tags ...string) error {
		in := &iam.CreateRoleInput{RoleName: aws.String(name), AssumeRolePolicyDocument: aws.String(trust)}
		for i := 0; i+1 < len(tags); i += 2 {
			in.Tags = append(in.Tags, iamtypes.Tag{Key: aws.String(tags[i]), Value: aws.String(tags[i+1])})
		}
		_, err := w.iam(cfg).CreateRole(bg, in)
		return err
	}
	rcWantDenied(t, create("untagged"), "CreateRole without the owner tag")
	rcWantDenied(t, create("other-owner", "owner", "someone"), "CreateRole with another owner")
	rcWantDenied(t, create("forbidden-key", "owner", "platform", "forbidden", "x"), "CreateRole with a forbidden tag key")
	if err := create("owned", "owner", "platform"); err != nil {
		t.Fatalf("CreateRole with the owner tag: %v", err)
	}

	// s3:x-amz-acl on CreateBucket.
	cfg = w.rcSessionPolicy(`{"Effect":"Deny","Action":"s3:CreateBucket","Resource":"*","Condition":{"StringEquals":{"s3:x-amz-acl":"private"}}}`)
	_, err = w.s3(cfg).CreateBucket(bg, &s3.CreateBucketInput{Bucket: aws.String("reqctx-acl"), ACL: "private"})
	rcWantDenied(t, err, "CreateBucket with a private ACL")
	if _, err := w.s3(cfg).CreateBucket(bg, &s3.CreateBucketInput{Bucket: aws.String("reqctx-acl")}); err != nil {
		t.Fatalf("CreateBucket without an ACL: %v", err)
	}

	// organizations:ServicePrincipal on EnableAWSServiceAccess.
	cfg = w.rcSessionPolicy(`{"Effect":"Deny","Action":"organizations:EnableAWSServiceAccess","Resource":"*","Condition":{"StringEquals":{"organizations:ServicePrincipal":"config.amazonaws.com"}}}`)
	_, err = w.orgs(cfg).EnableAWSServiceAccess(bg, &organizations.EnableAWSServiceAccessInput{ServicePrincipal: aws.String("config.amazonaws.com")})
	rcWantDenied(t, err, "EnableAWSServiceAccess for Config")
	if _, err := w.orgs(cfg).EnableAWSServiceAccess(bg, &organizations.EnableAWSServiceAccessInput{ServicePrincipal: aws.String("access-analyzer.amazonaws.com")}); err != nil {
		t.Fatalf("EnableAWSServiceAccess for Access Analyzer: %v", err)
	}

	// sts:RoleSessionName on AssumeRole (role chaining).
	cfg = w.rcSessionPolicy(`{"Effect":"Deny","Action":"sts:AssumeRole","Resource":"*","Condition":{"StringNotLike":{"sts:RoleSessionName":"ci-*"}}}`)
	_, err = w.sts(cfg).AssumeRole(bg, &sts.AssumeRoleInput{RoleArn: aws.String(w.taggedARN), RoleSessionName: aws.String("laptop")})
	rcWantDenied(t, err, "AssumeRole with another session name")
	if _, err := w.sts(cfg).AssumeRole(bg, &sts.AssumeRoleInput{RoleArn: aws.String(w.taggedARN), RoleSessionName: aws.String("ci-42")}); err != nil {
		t.Fatalf("AssumeRole as ci-42: %v", err)
	}
}

// TestActionsAreCaseInsensitive: "IAM:getAccountSummary" in a session
// policy, an SCP or a bucket policy names iam:GetAccountSummary (IAM user
// guide, "IAM JSON policy elements: Action": action names are not case
// sensitive).
func TestActionsAreCaseInsensitive(t *testing.T) {
	w := newRCWorld(t, nil)
	cfg := w.rcSessionPolicy(`{"Effect":"Deny","Action":"IAM:getaccountSUMMARY","Resource":"*"}`)
	_, err := w.iam(cfg).GetAccountSummary(bg, &iam.GetAccountSummaryInput{})
	rcWantDenied(t, err, "GetAccountSummary under a Deny of IAM:getaccountSUMMARY")

	rcEnableSCPs(t, w)
	rcAttachSCP(t, w, "deny-summary", `{"Version":"2012-10-17","Statement":[{"Effect":"Deny","Action":"Iam:GetAccount*","Resource":"*"}]}`, w.securityOU)
	_, err = w.iam(w.role).GetAccountSummary(bg, &iam.GetAccountSummaryInput{})
	rcWantDenied(t, err, "GetAccountSummary under an SCP denying Iam:GetAccount*")

	b := "arn:aws:s3:::" + w.bucket
	if _, err := w.s3(w.root).PutBucketPolicy(bg, &s3.PutBucketPolicyInput{Bucket: aws.String(w.bucket), Policy: aws.String(
		`{"Version":"2012-10-17","Statement":[{"Effect":"Deny","Principal":"*","Action":"S3:GETENCRYPTIONCONFIGURATION","Resource":"` + b + `"}]}`)}); err != nil {
		t.Fatal(err)
	}
	if !w.denied(w.user) {
		t.Fatal("a bucket policy denying S3:GETENCRYPTIONCONFIGURATION does not deny GetBucketEncryption")
	}
}

func rcEnableSCPs(t *testing.T, w *rcWorld) {
	t.Helper()
	if _, err := w.orgs(w.user).EnablePolicyType(bg, &organizations.EnablePolicyTypeInput{RootId: aws.String(w.rootID), PolicyType: orgtypes.PolicyTypeServiceControlPolicy}); err != nil {
		t.Fatal(err)
	}
	w.sim.Advance(time.Minute) // EnablePolicyType finishes in the background
}

func rcAttachSCP(t *testing.T, w *rcWorld, name, doc, target string) {
	t.Helper()
	c := w.orgs(w.user)
	p, err := c.CreatePolicy(bg, &organizations.CreatePolicyInput{Name: aws.String(name), Description: aws.String(name), Content: aws.String(doc), Type: orgtypes.PolicyTypeServiceControlPolicy})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := c.AttachPolicy(bg, &organizations.AttachPolicyInput{PolicyId: p.Policy.PolicySummary.Id, TargetId: aws.String(target)}); err != nil {
		t.Fatal(err)
	}
}

// TestRequestContextInSCPs: SCPs see the same context, and Sim.Denied
// predicts what a real call gets.
func TestRequestContextInSCPs(t *testing.T) {
	w := newRCWorld(t, nil)
	// A bucket that does not exist yet has no owner, hence no
	// aws:ResourceAccount: made before the perimeter.
	s3tCreate(t, w.s3(w.role), "reqctx-audit-own")
	rcEnableSCPs(t, w)
	// A data perimeter: no access to resources outside one's own account
	// (a policy variable in a condition), and IAM only from the global
	// region and only for roles not tagged frozen.
	rcAttachSCP(t, w, "perimeter", `{"Version":"2012-10-17","Statement":[
	  {"Sid":"OwnResourcesOnly","Effect":"Deny","Action":"s3:*","Resource":"*","Condition":{"StringNotEqualsIfExists":{"aws:ResourceAccount":"${aws:PrincipalAccount}"}}},
	  {"Sid":"NotInSecurityUnlessUsEast1","Effect":"Deny","Action":"iam:*","Resource":"*","Condition":{
	     "ForAnyValue:StringLike":{"aws:PrincipalOrgPaths":"`+w.orgID+`/`+w.rootID+`/`+w.securityOU+`/*"},
	     "StringNotEquals":{"aws:RequestedRegion":"us-east-1"}}},
	  {"Sid":"Frozen","Effect":"Deny","Action":"iam:*","Resource":"*","Condition":{"StringEquals":{"aws:PrincipalTag/state":"frozen"}}}]}`, w.rootID)

	// The bucket policy lets the organization in; the SCP keeps Audit out.
	w.denyWhen(`{"Bool":{"aws:SecureTransport":"false"}}`)
	if !w.denied(w.role) {
		t.Fatal("Audit reads a bucket of another account under an SCP denying it")
	}
	role := "arn:aws:iam::" + w.audit + ":role/" + orgsim.DefaultExecutionRole
	bucketARN := "arn:aws:s3:::" + w.bucket
	if w.sim.Denied(w.audit, role, "s3:GetEncryptionConfiguration", bucketARN) == "" {
		t.Error("Sim.Denied allows what the call was denied")
	}
	// Audit's own bucket is its own account's resource.
	if msg := s3tRead(t, w.env, w.role, "reqctx-audit-own"); msg != "" {
		t.Fatalf("Audit reads its own bucket under the perimeter SCP: %s", msg)
	}
	if r := w.sim.Denied(w.audit, role, "s3:GetEncryptionConfiguration", "arn:aws:s3:::reqctx-audit-own"); r != "" {
		t.Errorf("Sim.Denied denies what the call was allowed: %s", r)
	}
	// IAM is global: its calls are in us-east-1, wherever the client is.
	euRole := w.config(orgsim.Credentials{}, "eu-west-1")
	euRole.Credentials = w.role.Credentials
	if _, err := w.iam(euRole).GetAccountSummary(bg, &iam.GetAccountSummaryInput{}); err != nil {
		t.Fatalf("GetAccountSummary from a client in eu-west-1: %v", err)
	}
	if r := w.sim.Denied(w.audit, role, "iam:GetAccountSummary", "*"); r != "" {
		t.Errorf("Sim.Denied denies what the call was allowed: %s", r)
	}
	// A role tagged frozen is denied IAM.
	frozenARN := rcRole(t, w.iam(w.role), "Frozen", w.mgmt, "state", "frozen")
	frozen := w.assumeAs(w.user, frozenARN, nil)
	_, err := w.iam(frozen).GetAccountSummary(bg, &iam.GetAccountSummaryInput{})
	rcWantDenied(t, err, "GetAccountSummary by a frozen role")
	if !strings.Contains(err.Error(), "explicit deny in a service control policy") {
		t.Errorf("message: %v", err)
	}
	if w.sim.Denied(w.audit, frozenARN, "iam:GetAccountSummary", "*") == "" {
		t.Error("Sim.Denied allows what the call was denied")
	}
}

// TestRequestedRegionOfGlobalServicesPerPartition: IAM's calls are in the
// partition's home region, wherever the client is configured.
func TestRequestedRegionOfGlobalServicesPerPartition(t *testing.T) {
	for _, tc := range []struct{ partition, region, client string }{
		{"aws", "us-east-1", "eu-west-1"}, {"aws-us-gov", "us-gov-west-1", "us-gov-east-1"}, {"aws-cn", "cn-northwest-1", "cn-north-1"},
	} {
		t.Run(tc.partition, func(t *testing.T) {
			e := newEnv(t, orgsim.Options{Seed: 3, Partition: tc.partition})
			cfg := e.config(e.sim.ManagementCredentials(), tc.client)
			deny := func(cond string) {
				t.Helper()
				if _, err := e.iam(cfg).PutUserPolicy(bg, &iam.PutUserPolicyInput{UserName: aws.String("orgsim-admin"), PolicyName: aws.String("region"),
					PolicyDocument: aws.String(`{"Version":"2012-10-17","Statement":[{"Effect":"Deny","Action":"iam:GetAccountSummary","Resource":"*","Condition":` + cond + `}]}`)}); err != nil {
					t.Fatal(err)
				}
			}
			deny(`{"StringEquals":{"aws:RequestedRegion":"` + tc.region + `"}}`)
			_, err := e.iam(cfg).GetAccountSummary(bg, &iam.GetAccountSummaryInput{})
			rcWantDenied(t, err, "GetAccountSummary denied in "+tc.region)
			deny(`{"StringNotEquals":{"aws:RequestedRegion":"` + tc.region + `"}}`)
			if _, err := e.iam(cfg).GetAccountSummary(bg, &iam.GetAccountSummaryInput{}); err != nil {
				t.Fatalf("GetAccountSummary denied outside %s: %v", tc.region, err)
			}
		})
	}
}

// TestServicePrincipalRequestContext: CloudTrail delivers to its bucket as
// its service principal, with aws:PrincipalIsAWSService true,
// aws:PrincipalServiceName, aws:SourceArn, aws:SourceAccount and
// aws:SourceOrgID, and without aws:SourceIp.
func TestServicePrincipalRequestContext(t *testing.T) {
	like := orgsim.DefaultAWSLike()
	like.PropagationDelay = 0 // the bucket policy is what this test is about, not its propagation
	w := newRCWorld(t, &like)
	trail := ctTrailARN("us-east-1", w.mgmt, "main")
	b := "arn:aws:s3:::" + w.bucket
	for _, tc := range []struct {
		name string
		cond string
		ok   bool
	}{
		{"aws:PrincipalIsAWSService", `{"Bool":{"aws:PrincipalIsAWSService":"true"}}`, true},
		{"aws:PrincipalIsAWSService false", `{"Bool":{"aws:PrincipalIsAWSService":"false"}}`, false},
		{"aws:PrincipalServiceName", `{"StringEquals":{"aws:PrincipalServiceName":"cloudtrail.amazonaws.com"}}`, true},
		{"aws:SourceArn", `{"ArnEquals":{"aws:SourceArn":"` + trail + `"}}`, true},
		{"aws:SourceAccount", `{"StringEquals":{"aws:SourceAccount":"` + w.mgmt + `"}}`, true},
		{"aws:SourceOrgID", `{"StringEquals":{"aws:SourceOrgID":"` + w.orgID + `"}}`, true},
		{"aws:SourceOrgPaths", `{"ForAnyValue:StringEquals":{"aws:SourceOrgPaths":"` + w.orgID + "/" + w.rootID + `/"}}`, true},
		{"aws:SourceIp absent", `{"Null":{"aws:SourceIp":"true"}}`, true},
		{"aws:PrincipalArn absent", `{"Null":{"aws:PrincipalArn":"true"}}`, true},
		{"aws:SecureTransport", `{"Bool":{"aws:SecureTransport":"true"}}`, true},
		{"aws:ResourceAccount", `{"StringEquals":{"aws:ResourceAccount":"` + w.mgmt + `"}}`, true},
		{"other account", `{"StringEquals":{"aws:SourceAccount":"` + w.audit + `"}}`, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			doc := fmt.Sprintf(`{"Version":"2012-10-17","Statement":[`+
				`{"Effect":"Allow","Principal":{"Service":"cloudtrail.amazonaws.com"},"Action":"s3:GetBucketAcl","Resource":"%s","Condition":%s},`+
				`{"Effect":"Allow","Principal":{"Service":"cloudtrail.amazonaws.com"},"Action":"s3:PutObject","Resource":"%s/AWSLogs/%s/*","Condition":{"StringEquals":{"s3:x-amz-acl":"bucket-owner-full-control"}}}]}`,
				b, tc.cond, b, w.mgmt)
			if _, err := w.s3(w.root).PutBucketPolicy(bg, &s3.PutBucketPolicyInput{Bucket: aws.String(w.bucket), Policy: aws.String(doc)}); err != nil {
				t.Fatal(err)
			}
			_, err := w.trail(w.user).CreateTrail(bg, &cloudtrail.CreateTrailInput{Name: aws.String("main"), S3BucketName: aws.String(w.bucket)})
			if tc.ok {
				if err != nil {
					t.Fatalf("CreateTrail: %v", err)
				}
				if _, err := w.trail(w.user).DeleteTrail(bg, &cloudtrail.DeleteTrailInput{Name: aws.String("main")}); err != nil {
					t.Fatal(err)
				}
				return
			}
			ctWant(t, err, "InsufficientS3BucketPolicyException")
		})
	}
	// The canned ACL CloudTrail sends is s3:x-amz-acl.
	doc := fmt.Sprintf(`{"Version":"2012-10-17","Statement":[`+
		`{"Effect":"Allow","Principal":{"Service":"cloudtrail.amazonaws.com"},"Action":"s3:GetBucketAcl","Resource":"%s"},`+
		`{"Effect":"Allow","Principal":{"Service":"cloudtrail.amazonaws.com"},"Action":"s3:PutObject","Resource":"%s/AWSLogs/%s/*","Condition":{"StringEquals":{"s3:x-amz-acl":"public-read"}}}]}`,
		b, b, w.mgmt)
	if _, err := w.s3(w.root).PutBucketPolicy(bg, &s3.PutBucketPolicyInput{Bucket: aws.String(w.bucket), Policy: aws.String(doc)}); err != nil {
		t.Fatal(err)
	}
	_, err := w.trail(w.user).CreateTrail(bg, &cloudtrail.CreateTrailInput{Name: aws.String("main"), S3BucketName: aws.String(w.bucket)})
	ctWant(t, err, "InsufficientS3BucketPolicyException")
}
