package orgsim_test

import (
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/iam"
	"github.com/aws/aws-sdk-go-v2/service/organizations"
	"github.com/aws/aws-sdk-go-v2/service/sts"
	ststypes "github.com/aws/aws-sdk-go-v2/service/sts/types"

	"github.com/orgbaseline/orgbaseline/internal/orgsim"
)

// stsTestRole creates a role in the management account through IAM, with
// AdministratorAccess attached, and returns its ARN.
func stsTestRole(t testing.TB, e *env, name, trust string, maxSession int32) string {
	t.Helper()
	c := e.iam(e.cfg)
	in := &iam.CreateRoleInput{RoleName: aws.String(name), AssumeRolePolicyDocument: aws.String(trust)}
	if maxSession > 0 {
		in.MaxSessionDuration = aws.Int32(maxSession)
	}
	out, err := c.CreateRole(bg, in)
	if err != nil {
		t.Fatalf("create role %s: %v", name, err)
	}
	if _, err := c.AttachRolePolicy(bg, &iam.AttachRolePolicyInput{RoleName: aws.String(name), PolicyArn: aws.String(orgsim.AWSManagedPolicyARN("AdministratorAccess"))}); err != nil {
		t.Fatalf("attach to role %s: %v", name, err)
	}
	// The role can be assumed once IAM has propagated it.
	e.sim.Advance(e.sim.AWSLike().PropagationDelay)
	return aws.ToString(out.Role.Arn)
}

func stsTrust(principal, actions, condition string) string {
	s := `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"AWS":"` + principal + `"},"Action":` + actions
	if condition != "" {
		s += `,"Condition":` + condition
	}
	return s + `}]}`
}

// stsSession turns AssumeRole output into a config for the session.
func stsSession(e *env, out *sts.AssumeRoleOutput) aws.Config {
	return e.config(orgsim.Credentials{
		AccessKeyID:     aws.ToString(out.Credentials.AccessKeyId),
		SecretAccessKey: aws.ToString(out.Credentials.SecretAccessKey),
		SessionToken:    aws.ToString(out.Credentials.SessionToken),
	}, "us-east-1")
}

func execRoleARN(account string) string {
	return "arn:aws:iam::" + account + ":role/" + orgsim.DefaultExecutionRole
}

func TestGetCallerIdentity(t *testing.T) {
	e := newEnv(t, orgsim.Options{Seed: 11, Org: orgsim.OrgSpec{Members: 2}})
	mgmt := e.sim.ManagementAccountID()
	out, err := e.sts(e.cfg).GetCallerIdentity(bg, &sts.GetCallerIdentityInput{})
	if err != nil {
		t.Fatal(err)
	}
	if aws.ToString(out.Account) != mgmt || aws.ToString(out.Arn) != "arn:aws:iam::"+mgmt+":user/orgsim-admin" || !strings.HasPrefix(aws.ToString(out.UserId), "AIDA") {
		t.Fatalf("GetCallerIdentity = %s %s %s", aws.ToString(out.Account), aws.ToString(out.Arn), aws.ToString(out.UserId))
	}
	audit := orgMember(t, e, "Audit")
	root := e.config(e.sim.RootCredentials(audit), "eu-west-1")
	out, err = e.sts(root).GetCallerIdentity(bg, &sts.GetCallerIdentityInput{})
	if err != nil {
		t.Fatal(err)
	}
	if aws.ToString(out.Account) != audit || aws.ToString(out.Arn) != "arn:aws:iam::"+audit+":root" || aws.ToString(out.UserId) != audit {
		t.Fatalf("root GetCallerIdentity = %s %s %s", aws.ToString(out.Account), aws.ToString(out.Arn), aws.ToString(out.UserId))
	}
	if (e.sim.RootCredentials("000000000000") != orgsim.Credentials{}) {
		t.Fatal("RootCredentials of an unknown account should be empty")
	}
}

func TestAssumeRoleSuccess(t *testing.T) {
	clock := newTestClock(time.Date(2026, 11, 20, 12, 0, 0, 0, time.UTC))
	e := newEnv(t, orgsim.Options{Seed: 12, Now: clock.Now, Org: orgsim.OrgSpec{Members: 3}})
	audit := orgMember(t, e, "Audit")
	c := e.sts(e.cfg)

	out, err := c.AssumeRole(bg, &sts.AssumeRoleInput{RoleArn: aws.String(execRoleARN(audit)), RoleSessionName: aws.String("alice@example.com")})
	if err != nil {
		t.Fatal(err)
	}
	wantARN := "arn:aws:sts::" + audit + ":assumed-role/" + orgsim.DefaultExecutionRole + "/alice@example.com"
	if aws.ToString(out.AssumedRoleUser.Arn) != wantARN {
		t.Fatalf("AssumedRoleUser.Arn = %s, want %s", aws.ToString(out.AssumedRoleUser.Arn), wantARN)
	}
	roleID := aws.ToString(out.AssumedRoleUser.AssumedRoleId)
	if !strings.HasPrefix(roleID, "AROA") || !strings.HasSuffix(roleID, ":alice@example.com") {
		t.Fatalf("AssumedRoleId = %s", roleID)
	}
	cr := out.Credentials
	if !strings.HasPrefix(aws.ToString(cr.AccessKeyId), "ASIA") || aws.ToString(cr.SecretAccessKey) == "" || aws.ToString(cr.SessionToken) == "" {
		t.Fatalf("credentials = %+v", cr)
	}
	if want := clock.Now().Add(time.Hour); cr.Expiration == nil || !cr.Expiration.Equal(want) {
		t.Fatalf("Expiration = %v, want %v", cr.Expiration, want)
	}
	if out.PackedPolicySize != nil || out.SourceIdentity != nil {
		t.Fatalf("PackedPolicySize %v SourceIdentity %v without session policies or source identity", out.PackedPolicySize, out.SourceIdentity)
	}

	// The session acts in the role's account.
	sess := stsSession(e, out)
	id, err := e.sts(sess).GetCallerIdentity(bg, &sts.GetCallerIdentityInput{})
	if err != nil {
		t.Fatal(err)
	}
	if aws.ToString(id.Account) != audit || aws.ToString(id.Arn) != wantARN || aws.ToString(id.UserId) != roleID {
		t.Fatalf("session identity = %s %s %s", aws.ToString(id.Account), aws.ToString(id.Arn), aws.ToString(id.UserId))
	}
	if _, err := e.orgs(sess).DescribeOrganization(bg, &organizations.DescribeOrganizationInput{}); err != nil {
		t.Fatal(err)
	}

	out, err = c.AssumeRole(bg, &sts.AssumeRoleInput{RoleArn: aws.String(execRoleARN(audit)), RoleSessionName: aws.String("short"), DurationSeconds: aws.Int32(900)})
	if err != nil {
		t.Fatal(err)
	}
	if want := clock.Now().Add(15 * time.Minute); !out.Credentials.Expiration.Equal(want) {
		t.Fatalf("Expiration = %v, want %v", out.Credentials.Expiration, want)
	}

	// An AWS managed session policy: PackedPolicySize is reported.
	out, err = c.AssumeRole(bg, &sts.AssumeRoleInput{
		RoleArn: aws.String(execRoleARN(audit)), RoleSessionName: aws.String("ro"),
		PolicyArns: []ststypes.PolicyDescriptorType{{Arn: aws.String(orgsim.AWSManagedPolicyARN("ReadOnlyAccess"))}},
	})
	if err != nil {
		t.Fatal(err)
	}
	// 38 characters of plaintext of 2,048: 2%, rounded up.
	if out.PackedPolicySize == nil || *out.PackedPolicySize != 2 {
		t.Fatalf("PackedPolicySize = %v, want 2", out.PackedPolicySize)
	}
}

func TestAssumeRoleDenied(t *testing.T) {
	e := newEnv(t, orgsim.Options{Seed: 13, Org: orgsim.OrgSpec{Members: 6, Suspended: 1, MissingRole: 1}})
	c := e.sts(e.cfg)
	mgmt := e.sim.ManagementAccountID()
	accts := e.sim.Accounts()
	suspended, missing := accts[6].ID, accts[5].ID
	if accts[6].State != "SUSPENDED" {
		t.Fatalf("account 6 state %s", accts[6].State)
	}
	audit := orgMember(t, e, "Audit")
	caller := "arn:aws:iam::" + mgmt + ":user/orgsim-admin"

	cases := map[string]string{
		"missing execution role":   execRoleARN(missing),
		"no such role":             "arn:aws:iam::" + audit + ":role/NoSuchRole",
		"account outside org":      execRoleARN("000011112222"),
		"suspended account":        execRoleARN(suspended),
		"trust names someone else": "arn:aws:iam::" + orgMember(t, e, "Audit") + ":role/VendorAuditRole", // trusts 444455556666 only
		"wrong path":               "arn:aws:iam::" + audit + ":role/team/" + orgsim.DefaultExecutionRole,
	}
	for name, arn := range cases {
		t.Run(name, func(t *testing.T) {
			_, err := c.AssumeRole(bg, &sts.AssumeRoleInput{RoleArn: aws.String(arn), RoleSessionName: aws.String("s1")})
			orgWant(t, err, "AccessDenied", 403)
			if got, want := orgMessage(err), "User: "+caller+" is not authorized to perform: sts:AssumeRole on resource: "+arn; got != want {
				t.Fatalf("message = %q, want %q", got, want)
			}
		})
	}

	// Trust policies are evaluated for the session's principal: the
	// execution role trusts the management account, not Audit.
	sess := e.assume(audit, orgsim.DefaultExecutionRole)
	_, err := e.sts(sess).AssumeRole(bg, &sts.AssumeRoleInput{RoleArn: aws.String(execRoleARN(orgMember(t, e, "Log Archive"))), RoleSessionName: aws.String("hop")})
	orgWant(t, err, "AccessDenied", 403)

	// The root user cannot assume roles.
	_, err = e.sts(e.config(e.sim.RootCredentials(mgmt), "us-east-1")).AssumeRole(bg, &sts.AssumeRoleInput{RoleArn: aws.String(execRoleARN(audit)), RoleSessionName: aws.String("root")})
	orgWant(t, err, "AccessDenied", 403)
	if got := orgMessage(err); got != "Roles may not be assumed by root accounts." {
		t.Fatalf("message = %q", got)
	}
}

func TestAssumeRoleValidation(t *testing.T) {
	e := newEnv(t, orgsim.Options{Seed: 14, Org: orgsim.OrgSpec{Members: 2}})
	c := e.sts(e.cfg)
	audit := orgMember(t, e, "Audit")
	role := execRoleARN(audit)
	cases := []struct {
		name string
		in   sts.AssumeRoleInput
		msg  string
	}{
		{"session name too short", sts.AssumeRoleInput{RoleArn: aws.String(role), RoleSessionName: aws.String("a")}, "at 'roleSessionName' failed to satisfy constraint: Member must have length greater than or equal to 2"},
		{"session name pattern", sts.AssumeRoleInput{RoleArn: aws.String(role), RoleSessionName: aws.String("has space")}, `Member must satisfy regular expression pattern: [\w+=,.@-]*`},
		{"duration too short", sts.AssumeRoleInput{RoleArn: aws.String(role), RoleSessionName: aws.String("s1"), DurationSeconds: aws.Int32(899)}, "Member must have value greater than or equal to 900"},
		{"duration too long", sts.AssumeRoleInput{RoleArn: aws.String(role), RoleSessionName: aws.String("s1"), DurationSeconds: aws.Int32(43201)}, "Member must have value less than or equal to 43200"},
		{"duration over role max", sts.AssumeRoleInput{RoleArn: aws.String(role), RoleSessionName: aws.String("s1"), DurationSeconds: aws.Int32(7200)}, "The requested DurationSeconds exceeds the MaxSessionDuration set for this role."},
		{"external id too short", sts.AssumeRoleInput{RoleArn: aws.String(role), RoleSessionName: aws.String("s1"), ExternalId: aws.String("x")}, "at 'externalId' failed to satisfy constraint"},
		{"external id pattern", sts.AssumeRoleInput{RoleArn: aws.String(role), RoleSessionName: aws.String("s1"), ExternalId: aws.String("no spaces")}, "at 'externalId' failed to satisfy constraint: Member must satisfy regular expression pattern"},
		{"source identity prefix", sts.AssumeRoleInput{RoleArn: aws.String(role), RoleSessionName: aws.String("s1"), SourceIdentity: aws.String("aws:me")}, "at 'sourceIdentity'"},
		{"role arn too short", sts.AssumeRoleInput{RoleArn: aws.String("arn:aws:iam::1:role"), RoleSessionName: aws.String("s1")}, "at 'roleArn' failed to satisfy constraint: Member must have length greater than or equal to 20"},
		{"role arn malformed", sts.AssumeRoleInput{RoleArn: aws.String("arn:aws:iam::123:role/x-role"), RoleSessionName: aws.String("s1")}, "arn:aws:iam::123:role/x-role is invalid"},
		{"token code", sts.AssumeRoleInput{RoleArn: aws.String(role), RoleSessionName: aws.String("s1"), SerialNumber: aws.String("arn:aws:iam::1:mfa/x"), TokenCode: aws.String("12ab56")}, "at 'tokenCode'"},
		{"two errors", sts.AssumeRoleInput{RoleArn: aws.String(role), RoleSessionName: aws.String("a"), DurationSeconds: aws.Int32(60)}, "2 validation errors detected: "},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			_, err := c.AssumeRole(bg, &tc.in)
			orgWant(t, err, "ValidationError", 400)
			if !strings.Contains(orgMessage(err), tc.msg) {
				t.Fatalf("message %q lacks %q", orgMessage(err), tc.msg)
			}
		})
	}
	tooMany := make([]ststypes.PolicyDescriptorType, 11)
	for i := range tooMany {
		tooMany[i] = ststypes.PolicyDescriptorType{Arn: aws.String(orgsim.AWSManagedPolicyARN("ReadOnlyAccess"))}
	}
	_, err := c.AssumeRole(bg, &sts.AssumeRoleInput{RoleArn: aws.String(role), RoleSessionName: aws.String("s1"), PolicyArns: tooMany})
	orgWant(t, err, "ValidationError", 400)
}

func TestAssumeRoleSessionPolicyErrors(t *testing.T) {
	e := newEnv(t, orgsim.Options{Seed: 15, Org: orgsim.OrgSpec{Members: 2}})
	c := e.sts(e.cfg)
	role := execRoleARN(orgMember(t, e, "Audit"))
	assume := func(policy string, arns ...string) (*sts.AssumeRoleOutput, error) {
		in := &sts.AssumeRoleInput{RoleArn: aws.String(role), RoleSessionName: aws.String("s1")}
		if policy != "" {
			in.Policy = aws.String(policy)
		}
		for _, a := range arns {
			in.PolicyArns = append(in.PolicyArns, ststypes.PolicyDescriptorType{Arn: aws.String(a)})
		}
		return c.AssumeRole(bg, in)
	}
	_, err := assume(`{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"s3:GetObject"}]}`)
	orgWant(t, err, "MalformedPolicyDocument", 400)
	_, err = assume(`not json`)
	orgWant(t, err, "MalformedPolicyDocument", 400)
	_, err = assume(`{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":"*","Action":"s3:*","Resource":"*"}]}`)
	orgWant(t, err, "MalformedPolicyDocument", 400)
	_, err = assume("", "arn:aws:iam::aws:policy/NoSuchManagedPolicy")
	orgWant(t, err, "MalformedPolicyDocument", 400)
	_, err = assume("", "arn:aws:iam::"+e.sim.ManagementAccountID()+":policy/NotInTheRolesAccount")
	orgWant(t, err, "MalformedPolicyDocument", 400)

	stmt := `{"Effect":"Allow","Action":"s3:GetObject","Resource":"arn:aws:s3:::bucket-number-0000/*"},`
	big := `{"Version":"2012-10-17","Statement":[` + strings.Repeat(stmt, 30) + `{"Effect":"Allow","Action":"s3:ListBucket","Resource":"*"}]}`
	_, err = assume(big)
	orgWant(t, err, "PackedPolicyTooLarge", 400)
	if !strings.Contains(orgMessage(err), "% of allotted space") {
		t.Fatalf("message = %q", orgMessage(err))
	}
	// The inline policy and the managed ARNs count together.
	fits := ""
	for n := 1; ; n++ {
		doc := `{"Version":"2012-10-17","Statement":[` + strings.Repeat(stmt, n) + `{"Effect":"Allow","Action":"s3:ListBucket","Resource":"*"}]}`
		if len(doc) > 2048 {
			break
		}
		fits = doc
	}
	out, err := assume(fits)
	if err != nil {
		t.Fatalf("%d characters should fit: %v", len(fits), err)
	}
	if p := aws.ToInt32(out.PackedPolicySize); p < 90 || p > 100 {
		t.Fatalf("PackedPolicySize = %d", p)
	}
	arns := make([]string, 10)
	for i := range arns {
		arns[i] = orgsim.AWSManagedPolicyARN("ReadOnlyAccess")
	}
	_, err = assume(fits, arns...)
	orgWant(t, err, "PackedPolicyTooLarge", 400)
}

func TestAssumeRoleExternalIDAndChaining(t *testing.T) {
	clock := newTestClock(time.Date(2026, 11, 20, 12, 0, 0, 0, time.UTC))
	e := newEnv(t, orgsim.Options{Seed: 16, Now: clock.Now, Org: orgsim.OrgSpec{Members: 2}})
	mgmt := e.sim.ManagementAccountID()
	mgmtRoot := "arn:aws:iam::" + mgmt + ":root"

	vendor := stsTestRole(t, e, "VendorRole", stsTrust(mgmtRoot, `"sts:AssumeRole"`, `{"StringEquals":{"sts:ExternalId":"s3cr3t-id"}}`), 0)
	assume := func(cfg aws.Config, in sts.AssumeRoleInput) (*sts.AssumeRoleOutput, error) {
		if in.RoleSessionName == nil {
			in.RoleSessionName = aws.String("s1")
		}
		return e.sts(cfg).AssumeRole(bg, &in)
	}
	_, err := assume(e.cfg, sts.AssumeRoleInput{RoleArn: aws.String(vendor)})
	orgWant(t, err, "AccessDenied", 403)
	_, err = assume(e.cfg, sts.AssumeRoleInput{RoleArn: aws.String(vendor), ExternalId: aws.String("wrong-id")})
	orgWant(t, err, "AccessDenied", 403)
	if _, err := assume(e.cfg, sts.AssumeRoleInput{RoleArn: aws.String(vendor), ExternalId: aws.String("s3cr3t-id")}); err != nil {
		t.Fatalf("right ExternalId: %v", err)
	}

	long := stsTestRole(t, e, "LongRole", stsTrust(mgmtRoot, `"sts:AssumeRole"`, ""), 43200)
	first, err := assume(e.cfg, sts.AssumeRoleInput{RoleArn: aws.String(long), DurationSeconds: aws.Int32(43200)})
	if err != nil {
		t.Fatalf("12 h session on a 12 h role: %v", err)
	}
	if want := e.sim.Now().Add(12 * time.Hour); !first.Credentials.Expiration.Equal(want) {
		t.Fatalf("Expiration = %v, want %v", first.Credentials.Expiration, want)
	}
	// Role chaining: a session assuming a role is capped at one hour.
	sess := stsSession(e, first)
	_, err = assume(sess, sts.AssumeRoleInput{RoleArn: aws.String(long), DurationSeconds: aws.Int32(3601)})
	orgWant(t, err, "ValidationError", 400)
	if got := orgMessage(err); got != "The requested DurationSeconds exceeds the 1 hour session limit for roles assumed by role chaining." {
		t.Fatalf("message = %q", got)
	}
	chained, err := assume(sess, sts.AssumeRoleInput{RoleArn: aws.String(long), RoleSessionName: aws.String("hop2")})
	if err != nil {
		t.Fatalf("chained assume within an hour: %v", err)
	}
	if want := e.sim.Now().Add(time.Hour); !chained.Credentials.Expiration.Equal(want) {
		t.Fatalf("chained Expiration = %v, want %v", chained.Credentials.Expiration, want)
	}
	id, err := e.sts(stsSession(e, chained)).GetCallerIdentity(bg, &sts.GetCallerIdentityInput{})
	if err != nil || aws.ToString(id.Arn) != "arn:aws:sts::"+mgmt+":assumed-role/LongRole/hop2" {
		t.Fatalf("chained identity = %v, %v", id, err)
	}

	// Source identity needs sts:SetSourceIdentity in the trust policy and
	// then persists through chaining.
	_, err = assume(e.cfg, sts.AssumeRoleInput{RoleArn: aws.String(long), SourceIdentity: aws.String("alice")})
	orgWant(t, err, "AccessDenied", 403)
	if !strings.Contains(orgMessage(err), "sts:SetSourceIdentity") {
		t.Fatalf("message = %q", orgMessage(err))
	}
	tracked := stsTestRole(t, e, "TrackedRole", stsTrust(mgmtRoot, `["sts:AssumeRole","sts:SetSourceIdentity"]`, ""), 0)
	withSI, err := assume(e.cfg, sts.AssumeRoleInput{RoleArn: aws.String(tracked), SourceIdentity: aws.String("alice")})
	if err != nil {
		t.Fatal(err)
	}
	if aws.ToString(withSI.SourceIdentity) != "alice" {
		t.Fatalf("SourceIdentity = %v", withSI.SourceIdentity)
	}
	again, err := assume(stsSession(e, withSI), sts.AssumeRoleInput{RoleArn: aws.String(long)})
	if err != nil {
		t.Fatal(err)
	}
	if aws.ToString(again.SourceIdentity) != "alice" {
		t.Fatalf("source identity did not persist: %v", again.SourceIdentity)
	}
	_, err = assume(stsSession(e, withSI), sts.AssumeRoleInput{RoleArn: aws.String(tracked), SourceIdentity: aws.String("mallory")})
	orgWant(t, err, "AccessDenied", 403)

	// Session tags need sts:TagSession.
	_, err = assume(e.cfg, sts.AssumeRoleInput{RoleArn: aws.String(long), Tags: []ststypes.Tag{{Key: aws.String("team"), Value: aws.String("sec")}}})
	orgWant(t, err, "AccessDenied", 403)
}

func TestAssumeRoleOfAPropagatingRole(t *testing.T) {
	e := newEnv(t, orgsim.Options{Seed: 17})
	mgmt := e.sim.ManagementAccountID()
	trust := stsTrust("arn:aws:iam::"+mgmt+":root", `"sts:AssumeRole"`, "")
	out, err := e.iam(e.cfg).CreateRole(bg, &iam.CreateRoleInput{RoleName: aws.String("Fresh"), AssumeRolePolicyDocument: aws.String(trust)})
	if err != nil {
		t.Fatal(err)
	}
	arn := aws.ToString(out.Role.Arn)
	assume := func() error {
		_, err := e.sts(e.cfg).AssumeRole(bg, &sts.AssumeRoleInput{RoleArn: aws.String(arn), RoleSessionName: aws.String("s1")})
		return err
	}
	// IAM shows the role at once; STS cannot assume it yet.
	if _, err := e.iam(e.cfg).GetRole(bg, &iam.GetRoleInput{RoleName: aws.String("Fresh")}); err != nil {
		t.Fatal(err)
	}
	err = assume()
	orgWant(t, err, "AccessDenied", 403)
	if want := "is not authorized to perform: sts:AssumeRole on resource: " + arn; !strings.Contains(orgMessage(err), want) {
		t.Fatalf("message %q", orgMessage(err))
	}
	e.sim.Advance(e.sim.AWSLike().PropagationDelay)
	if err := assume(); err != nil {
		t.Fatalf("after PropagationDelay: %v", err)
	}
	// Without propagation a new role is assumable at once.
	like := orgsim.DefaultAWSLike()
	like.PropagationDelay = 0
	e = newEnv(t, orgsim.Options{Seed: 17, AWSLike: &like})
	arn = stsTestRole(t, e, "Instant", trust, 0)
	if _, err := e.sts(e.cfg).AssumeRole(bg, &sts.AssumeRoleInput{RoleArn: aws.String(arn), RoleSessionName: aws.String("s1")}); err != nil {
		t.Fatal(err)
	}
}

func TestAssumeRoleRegionDisabled(t *testing.T) {
	e := newEnv(t, orgsim.Options{Seed: 18, Org: orgsim.OrgSpec{Members: 2}})
	mgmt, audit := e.sim.ManagementAccountID(), orgMember(t, e, "Audit")
	const optIn = "me-south-1"
	if err := e.sim.EnableRegion(mgmt, optIn); err != nil {
		t.Fatal(err)
	}
	regional := e.config(e.sim.ManagementCredentials(), optIn)
	assume := func() error {
		_, err := e.sts(regional).AssumeRole(bg, &sts.AssumeRoleInput{RoleArn: aws.String(execRoleARN(audit)), RoleSessionName: aws.String("s1")})
		return err
	}
	// The caller's account has the region; the role's account has not.
	err := assume()
	orgWant(t, err, "RegionDisabledException", 403)
	if !strings.HasPrefix(orgMessage(err), "STS is not activated in the requested region for the account that is being asked to generate credentials.") {
		t.Fatalf("message %q", orgMessage(err))
	}
	if err := e.sim.EnableRegion(audit, optIn); err != nil {
		t.Fatal(err)
	}
	if err := assume(); err != nil {
		t.Fatalf("both accounts enabled: %v", err)
	}
}

func TestPartitionARNs(t *testing.T) {
	for _, p := range []struct{ name, region string }{{"aws-us-gov", "us-gov-west-1"}, {"aws-cn", "cn-northwest-1"}, {"aws", "us-east-1"}} {
		t.Run(p.name, func(t *testing.T) {
			e := newEnv(t, orgsim.Options{Seed: 19, Partition: p.name, Org: orgsim.OrgSpec{Members: 4}})
			if e.sim.GlobalRegion() != p.region {
				t.Fatalf("GlobalRegion %s", e.sim.GlobalRegion())
			}
			e.cfg = e.config(e.sim.ManagementCredentials(), p.region)
			prefix := "arn:" + p.name + ":"
			mgmt := e.sim.ManagementAccountID()
			id, err := e.sts(e.cfg).GetCallerIdentity(bg, &sts.GetCallerIdentityInput{})
			if err != nil || aws.ToString(id.Arn) != prefix+"iam::"+mgmt+":user/orgsim-admin" {
				t.Fatalf("GetCallerIdentity = %v, %v", id, err)
			}
			audit := orgMember(t, e, "Audit")
			roleARN := prefix + "iam::" + audit + ":role/" + orgsim.DefaultExecutionRole
			// A role ARN of another partition is not a role here.
			if p.name != "aws" {
				_, err := e.sts(e.cfg).AssumeRole(bg, &sts.AssumeRoleInput{RoleArn: aws.String(execRoleARN(audit)), RoleSessionName: aws.String("s1")})
				orgWant(t, err, "ValidationError", 400)
			}
			out, err := e.sts(e.cfg).AssumeRole(bg, &sts.AssumeRoleInput{RoleArn: aws.String(roleARN), RoleSessionName: aws.String("s1"),
				PolicyArns: []ststypes.PolicyDescriptorType{{Arn: aws.String(prefix + "iam::aws:policy/ReadOnlyAccess")}}})
			if err != nil {
				t.Fatal(err)
			}
			if got := aws.ToString(out.AssumedRoleUser.Arn); got != prefix+"sts::"+audit+":assumed-role/"+orgsim.DefaultExecutionRole+"/s1" {
				t.Fatalf("AssumedRoleUser %s", got)
			}
			sess := e.config(orgsim.Credentials{AccessKeyID: aws.ToString(out.Credentials.AccessKeyId), SecretAccessKey: aws.ToString(out.Credentials.SecretAccessKey), SessionToken: aws.ToString(out.Credentials.SessionToken)}, p.region)
			id, err = e.sts(sess).GetCallerIdentity(bg, &sts.GetCallerIdentityInput{})
			if err != nil || aws.ToString(id.Arn) != aws.ToString(out.AssumedRoleUser.Arn) {
				t.Fatalf("session identity %v, %v", id, err)
			}
			// What the seed made: the execution role trusts the management
			// account in the partition, AWS managed policies are the
			// partition's, and so are the organization's ARNs.
			role, err := e.iam(e.cfg).GetRole(bg, &iam.GetRoleInput{RoleName: aws.String("AWSSupportRole")})
			if err != nil || !strings.HasPrefix(aws.ToString(role.Role.Arn), prefix) {
				t.Fatalf("AWSSupportRole %v, %v", role, err)
			}
			if doc, _ := url.QueryUnescape(aws.ToString(role.Role.AssumeRolePolicyDocument)); !strings.Contains(doc, prefix+"iam::"+mgmt+":root") {
				t.Fatalf("trust policy %s", doc)
			}
			attached, err := e.iam(e.cfg).ListAttachedRolePolicies(bg, &iam.ListAttachedRolePoliciesInput{RoleName: aws.String("AWSSupportRole")})
			if err != nil || len(attached.AttachedPolicies) != 1 || aws.ToString(attached.AttachedPolicies[0].PolicyArn) != prefix+"iam::aws:policy/AWSSupportAccess" {
				t.Fatalf("attached %v, %v", attached, err)
			}
			pols, err := e.iam(e.cfg).ListPolicies(bg, &iam.ListPoliciesInput{Scope: "AWS"})
			if err != nil || len(pols.Policies) == 0 {
				t.Fatalf("ListPolicies %v, %v", pols, err)
			}
			for _, pol := range pols.Policies {
				if !strings.HasPrefix(aws.ToString(pol.Arn), prefix+"iam::aws:policy/") {
					t.Errorf("AWS managed policy %s", aws.ToString(pol.Arn))
				}
			}
			org, err := e.orgs(e.cfg).DescribeOrganization(bg, &organizations.DescribeOrganizationInput{})
			if err != nil || !strings.HasPrefix(aws.ToString(org.Organization.Arn), prefix+"organizations::"+mgmt+":organization/o-") {
				t.Fatalf("organization %v, %v", org, err)
			}
			full, err := e.orgs(e.cfg).DescribePolicy(bg, &organizations.DescribePolicyInput{PolicyId: aws.String("p-FullAWSAccess")})
			if err != nil || aws.ToString(full.Policy.PolicySummary.Arn) != prefix+"organizations::aws:policy/service_control_policy/p-FullAWSAccess" {
				t.Fatalf("FullAWSAccess %v, %v", full, err)
			}
		})
	}
}
