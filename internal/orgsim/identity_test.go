package orgsim_test

import (
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/iam"
	"github.com/aws/aws-sdk-go-v2/service/organizations"
	"github.com/aws/aws-sdk-go-v2/service/sts"

	"github.com/orgbaseline/orgbaseline/internal/orgsim"
)

func TestSignatureAndKeyFailures(t *testing.T) {
	e := newEnv(t, orgsim.Options{Seed: 21})
	good := e.sim.ManagementCredentials()

	wrongSecret := e.config(orgsim.Credentials{AccessKeyID: good.AccessKeyID, SecretAccessKey: "not-the-secret"}, "us-east-1")
	_, err := e.orgs(wrongSecret).DescribeOrganization(bg, &organizations.DescribeOrganizationInput{})
	orgWant(t, err, "InvalidSignatureException", 400)
	_, err = e.sts(wrongSecret).GetCallerIdentity(bg, &sts.GetCallerIdentityInput{})
	orgWant(t, err, "SignatureDoesNotMatch", 403)

	unknown := e.config(orgsim.Credentials{AccessKeyID: "AKIAUNKNOWNKEY000000", SecretAccessKey: "whatever"}, "us-east-1")
	_, err = e.orgs(unknown).DescribeOrganization(bg, &organizations.DescribeOrganizationInput{})
	orgWant(t, err, "UnrecognizedClientException", 400)
	_, err = e.sts(unknown).GetCallerIdentity(bg, &sts.GetCallerIdentityInput{})
	orgWant(t, err, "InvalidClientTokenId", 403)
}

func TestExpiredSessionCredentials(t *testing.T) {
	clock := newTestClock(time.Date(2026, 11, 20, 12, 0, 0, 0, time.UTC))
	e := newEnv(t, orgsim.Options{Seed: 22, Now: clock.Now, Org: orgsim.OrgSpec{Members: 2}})
	audit := orgMember(t, e, "Audit")
	out, err := e.sts(e.cfg).AssumeRole(bg, &sts.AssumeRoleInput{
		RoleArn: aws.String(execRoleARN(audit)), RoleSessionName: aws.String("brief"), DurationSeconds: aws.Int32(900),
	})
	if err != nil {
		t.Fatal(err)
	}
	sess := stsSession(e, out)
	clock.Advance(899 * time.Second)
	if _, err := e.sts(sess).GetCallerIdentity(bg, &sts.GetCallerIdentityInput{}); err != nil {
		t.Fatalf("before expiry: %v", err)
	}
	clock.Advance(time.Second)
	_, err = e.orgs(sess).DescribeOrganization(bg, &organizations.DescribeOrganizationInput{})
	orgWant(t, err, "ExpiredTokenException", 400)
	_, err = e.sts(sess).GetCallerIdentity(bg, &sts.GetCallerIdentityInput{})
	orgWant(t, err, "ExpiredTokenException", 400)
	// Long-lived keys do not expire.
	if _, err := e.orgs(e.cfg).DescribeOrganization(bg, &organizations.DescribeOrganizationInput{}); err != nil {
		t.Fatal(err)
	}
}

func TestAssumedCredentialsActOnTargetAccount(t *testing.T) {
	e := newEnv(t, orgsim.Options{Seed: 23, Org: orgsim.OrgSpec{Members: 3}})
	for _, name := range []string{"Log Archive", "prod-001"} {
		acct := orgMember(t, e, name)
		cfg := e.assume(acct, orgsim.DefaultExecutionRole)
		id, err := e.sts(cfg).GetCallerIdentity(bg, &sts.GetCallerIdentityInput{})
		if err != nil {
			t.Fatal(err)
		}
		if aws.ToString(id.Account) != acct {
			t.Fatalf("%s: session acts on account %s", name, aws.ToString(id.Account))
		}
		// IAM state is the target account's: its execution role is there.
		if _, err := e.iam(cfg).GetRole(bg, &iam.GetRoleInput{RoleName: aws.String(orgsim.DefaultExecutionRole)}); err != nil {
			t.Fatalf("%s: GetRole of the execution role: %v", name, err)
		}
	}
	// ... and not in the management account.
	_, err := e.iam(e.cfg).GetRole(bg, &iam.GetRoleInput{RoleName: aws.String(orgsim.DefaultExecutionRole)})
	wantCode(t, err, "NoSuchEntity")
}

func TestSessionPolicyNarrowsSession(t *testing.T) {
	e := newEnv(t, orgsim.Options{Seed: 24, Org: orgsim.OrgSpec{Members: 3}})
	audit, logArchive := orgMember(t, e, "Audit"), orgMember(t, e, "Log Archive")
	policy := `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":["sts:GetCallerIdentity","organizations:DescribeOrganization"],"Resource":"*"}]}`
	out, err := e.sts(e.cfg).AssumeRole(bg, &sts.AssumeRoleInput{
		RoleArn: aws.String(execRoleARN(audit)), RoleSessionName: aws.String("narrow"), Policy: aws.String(policy),
	})
	if err != nil {
		t.Fatal(err)
	}
	if out.PackedPolicySize == nil || *out.PackedPolicySize < 1 {
		t.Fatalf("PackedPolicySize = %v", out.PackedPolicySize)
	}
	sess := stsSession(e, out)
	if _, err := e.orgs(sess).DescribeOrganization(bg, &organizations.DescribeOrganizationInput{}); err != nil {
		t.Fatalf("DescribeOrganization is allowed by the session policy: %v", err)
	}
	_, err = e.orgs(sess).ListRoots(bg, &organizations.ListRootsInput{})
	orgWant(t, err, "AccessDeniedException", 403)
	if !strings.Contains(orgMessage(err), "session policy") {
		t.Fatalf("denied for the wrong reason: %q", orgMessage(err))
	}
	// The role itself (AdministratorAccess) could read IAM; the session cannot.
	_, err = e.iam(sess).ListRoles(bg, &iam.ListRolesInput{})
	orgWant(t, err, "AccessDenied", 403)
	// Without a session policy the same role can.
	if _, err := e.iam(e.assume(audit, orgsim.DefaultExecutionRole)).ListRoles(bg, &iam.ListRolesInput{}); err != nil {
		t.Fatal(err)
	}
	// sts:AssumeRole itself is narrowed too.
	_, err = e.sts(sess).AssumeRole(bg, &sts.AssumeRoleInput{RoleArn: aws.String(execRoleARN(logArchive)), RoleSessionName: aws.String("hop")})
	orgWant(t, err, "AccessDenied", 403)
	if !strings.Contains(orgMessage(err), "session policy") {
		t.Fatalf("denied for the wrong reason: %q", orgMessage(err))
	}
}

func TestSuspendedAccountCannotCall(t *testing.T) {
	e := newEnv(t, orgsim.Options{Seed: 25, Org: orgsim.OrgSpec{Members: 3}})
	prod := orgMember(t, e, "prod-001")
	cfg := e.assume(prod, orgsim.DefaultExecutionRole)
	if err := e.sim.SetAccountState(prod, "SUSPENDED"); err != nil {
		t.Fatal(err)
	}
	_, err := e.orgs(cfg).DescribeOrganization(bg, &organizations.DescribeOrganizationInput{})
	orgWant(t, err, "AccessDeniedException", 403)
	_, err = e.sts(e.cfg).AssumeRole(bg, &sts.AssumeRoleInput{RoleArn: aws.String(execRoleARN(prod)), RoleSessionName: aws.String("s1")})
	orgWant(t, err, "AccessDenied", 403)
	da, err := e.orgs(e.cfg).DescribeAccount(bg, &organizations.DescribeAccountInput{AccountId: aws.String(prod)})
	if err != nil {
		t.Fatal(err)
	}
	if da.Account.State != "SUSPENDED" || da.Account.Status != "SUSPENDED" {
		t.Fatalf("State %s Status %s", da.Account.State, da.Account.Status)
	}
	if err := e.sim.SetAccountState(prod, "CLOSED"); err != nil {
		t.Fatal(err)
	}
	da, _ = e.orgs(e.cfg).DescribeAccount(bg, &organizations.DescribeAccountInput{AccountId: aws.String(prod)})
	if da.Account.State != "CLOSED" || da.Account.Status != "SUSPENDED" {
		t.Fatalf("closed: State %s Status %s", da.Account.State, da.Account.Status)
	}
	if err := e.sim.SetAccountState(prod, "GONE"); err == nil {
		t.Fatal("SetAccountState accepted an unknown state")
	}
	if err := e.sim.SetAccountState("000000000000", "ACTIVE"); err == nil {
		t.Fatal("SetAccountState accepted an unknown account")
	}
	if err := e.sim.SetAccountState(prod, "ACTIVE"); err != nil {
		t.Fatal(err)
	}
	if _, err := e.orgs(cfg).DescribeOrganization(bg, &organizations.DescribeOrganizationInput{}); err != nil {
		t.Fatalf("reactivated account: %v", err)
	}
}
