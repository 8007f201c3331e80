package orgsim_test

import (
	"net/url"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/cloudtrail"
	"github.com/aws/aws-sdk-go-v2/service/iam"
	"github.com/aws/aws-sdk-go-v2/service/organizations"
	orgtypes "github.com/aws/aws-sdk-go-v2/service/organizations/types"
	"github.com/aws/aws-sdk-go-v2/service/sts"
	"github.com/google/go-cmp/cmp"

	"github.com/orgbaseline/orgbaseline/internal/orgsim"
)

func TestSeedIsDeterministic(t *testing.T) {
	spec := orgsim.OrgSpec{Members: 14, ExtraOUs: 2, Suspended: 2, MissingRole: 1}
	type snapshot struct {
		Accounts     []orgsim.AccountInfo
		Org, Root    string
		OUs          map[string]string
		Mgmt         orgsim.Credentials
		RootCredsKey string
	}
	take := func(seed int64, spec orgsim.OrgSpec) snapshot {
		s := orgsim.New(orgsim.Options{Seed: seed, Org: spec})
		ous := map[string]string{}
		for _, p := range []string{"/", "/Security", "/Workloads", "/Workloads/Prod", "/Workloads/Dev", "/Workloads/Team01", "/Workloads/Team02", "/Sandbox"} {
			id, ok := s.OUID(p)
			if !ok {
				t.Fatalf("no OU %s", p)
			}
			ous[p] = id
		}
		return snapshot{s.Accounts(), s.OrganizationID(), s.RootID(), ous, s.ManagementCredentials(), s.RootCredentials(s.Accounts()[3].ID).AccessKeyID}
	}
	a, b := take(42, spec), take(42, spec)
	if d := cmp.Diff(a, b); d != "" {
		t.Fatalf("same seed, different organizations (-first +second):\n%s", d)
	}
	c := take(43, spec)
	if c.Org == a.Org || c.Accounts[1].ID == a.Accounts[1].ID || c.OUs["/Security"] == a.OUs["/Security"] {
		t.Fatalf("seeds 42 and 43 gave the same identifiers: %s %s", a.Org, a.Accounts[1].ID)
	}
	if len(c.Accounts) != len(a.Accounts) || c.Accounts[5].Name != a.Accounts[5].Name {
		t.Fatal("the layout should not depend on the seed")
	}
	// Clean changes the IAM contents, not the layout or the ids drawn before them.
	clean := spec
	clean.Clean = true
	d := take(42, clean)
	if d.Accounts[1].ID != a.Accounts[1].ID || d.Org != a.Org {
		t.Fatal("Clean changed the organization's first identifiers")
	}
}

func TestSeedLayout(t *testing.T) {
	e := newEnv(t, orgsim.Options{Seed: 31, Org: orgsim.OrgSpec{Members: 12, ExtraOUs: 2, Suspended: 2, MissingRole: 2}})
	accts := e.sim.Accounts()
	type row struct{ name, path, state, env, owner string }
	want := []row{
		{"Management", "/", "ACTIVE", "", ""},
		{"Log Archive", "/Security", "ACTIVE", "security", "team-security"},
		{"Audit", "/Security", "ACTIVE", "security", "team-security"},
		{"prod-001", "/Workloads/Prod", "ACTIVE", "prod", "team-a"},
		{"dev-002", "/Workloads/Dev", "ACTIVE", "dev", "team-b"},
		{"sandbox-003", "/Sandbox", "ACTIVE", "sandbox", "team-c"},
		{"team01-004", "/Workloads/Team01", "ACTIVE", "dev", "team-01"},
		{"team02-005", "/Workloads/Team02", "ACTIVE", "dev", "team-02"},
		{"prod-006", "/Workloads/Prod", "ACTIVE", "prod", "team-b"},
		{"dev-007", "/Workloads/Dev", "ACTIVE", "dev", "team-c"},
		{"sandbox-008", "/Sandbox", "ACTIVE", "sandbox", "team-d"},
		{"team01-009", "/Workloads/Team01", "SUSPENDED", "dev", "team-01"},
		{"team02-010", "/Workloads/Team02", "SUSPENDED", "dev", "team-02"},
	}
	if len(accts) != len(want) {
		t.Fatalf("%d accounts, want %d", len(accts), len(want))
	}
	ids := map[string]bool{}
	digits := regexp.MustCompile(`^\d{12}$`)
	for i, w := range want {
		a := accts[i]
		if a.Name != w.name || a.OUPath != w.path || a.State != w.state || a.Tags["env"] != w.env || a.Tags["owner"] != w.owner {
			t.Errorf("account %d = %+v, want %+v", i, a, w)
		}
		if i > 0 {
			if wantEmail := "aws+" + strings.ReplaceAll(strings.ToLower(w.name), " ", "-") + "@example.com"; a.Email != wantEmail {
				t.Errorf("%s: email %s, want %s", a.Name, a.Email, wantEmail)
			}
		}
		if !digits.MatchString(a.ID) || ids[a.ID] {
			t.Errorf("%s: bad or duplicate id %s", a.Name, a.ID)
		}
		ids[a.ID] = true
		if ou, _ := e.sim.OUID(a.OUPath); ou != a.ParentID {
			t.Errorf("%s: ParentID %s, OUID(%s) = %s", a.Name, a.ParentID, a.OUPath, ou)
		}
		if id, ok := e.sim.AccountID(w.name); !ok || id != a.ID {
			t.Errorf("AccountID(%s) = %s", w.name, id)
		}
	}

	// Through the SDK: suspended accounts show SUSPENDED.
	out, err := e.orgs(e.cfg).ListAccounts(bg, &organizations.ListAccountsInput{})
	if err != nil {
		t.Fatal(err)
	}
	for i, a := range out.Accounts {
		if string(a.State) != want[i].state || string(a.Status) != want[i].state {
			t.Errorf("%s: State %s Status %s, want %s", aws.ToString(a.Name), a.State, a.Status, want[i].state)
		}
	}

	// The execution role exists and trusts the management account.
	mgmt := e.sim.ManagementAccountID()
	cfg := e.assume(accts[3].ID, orgsim.DefaultExecutionRole)
	role, err := e.iam(cfg).GetRole(bg, &iam.GetRoleInput{RoleName: aws.String(orgsim.DefaultExecutionRole)})
	if err != nil {
		t.Fatal(err)
	}
	trust, err := url.QueryUnescape(aws.ToString(role.Role.AssumeRolePolicyDocument))
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(trust, `"arn:aws:iam::`+mgmt+`:root"`) || !strings.Contains(trust, "sts:AssumeRole") {
		t.Fatalf("trust policy = %s", trust)
	}
	if aws.ToInt32(role.Role.MaxSessionDuration) != 3600 {
		t.Fatalf("MaxSessionDuration = %d", aws.ToInt32(role.Role.MaxSessionDuration))
	}
	att, err := e.iam(cfg).ListAttachedRolePolicies(bg, &iam.ListAttachedRolePoliciesInput{RoleName: aws.String(orgsim.DefaultExecutionRole)})
	if err != nil || len(att.AttachedPolicies) != 1 || aws.ToString(att.AttachedPolicies[0].PolicyArn) != orgsim.AWSManagedPolicyARN("AdministratorAccess") {
		t.Fatalf("execution role policies = %+v, %v", att, err)
	}

	// MissingRole: the last two active workload accounts (sandbox-008,
	// dev-007) have no execution role; assuming it fails.
	for _, i := range []int{9, 10} {
		_, err := e.sts(e.cfg).AssumeRole(bg, &sts.AssumeRoleInput{RoleArn: aws.String(execRoleARN(accts[i].ID)), RoleSessionName: aws.String("s1")})
		orgWant(t, err, "AccessDenied", 403)
	}
	for _, i := range []int{1, 2, 8} {
		if _, err := e.sts(e.cfg).AssumeRole(bg, &sts.AssumeRoleInput{RoleArn: aws.String(execRoleARN(accts[i].ID)), RoleSessionName: aws.String("s1")}); err != nil {
			t.Fatalf("%s: %v", accts[i].Name, err)
		}
	}
	_, err = e.sts(e.cfg).AssumeRole(bg, &sts.AssumeRoleInput{RoleArn: aws.String(execRoleARN(accts[12].ID)), RoleSessionName: aws.String("s1")})
	orgWant(t, err, "AccessDenied", 403)

	// SCPs are not enabled in a seeded organization.
	roots, err := e.orgs(e.cfg).ListRoots(bg, &organizations.ListRootsInput{})
	if err != nil || len(roots.Roots[0].PolicyTypes) != 0 {
		t.Fatalf("roots = %+v, %v", roots, err)
	}
	if err := e.sim.TagAccount(accts[3].ID, "cost", "7"); err != nil {
		t.Fatal(err)
	}
	tags, err := e.orgs(e.cfg).ListTagsForResource(bg, &organizations.ListTagsForResourceInput{ResourceId: aws.String(accts[3].ID)})
	if err != nil || len(tags.Tags) != 3 {
		t.Fatalf("tags after TagAccount = %+v, %v", tags, err)
	}
	if err := e.sim.TagAccount("000000000000", "a", "b"); err == nil {
		t.Fatal("TagAccount accepted an unknown account")
	}
}

func TestSeedCustomExecutionRole(t *testing.T) {
	e := newEnv(t, orgsim.Options{Seed: 32, Org: orgsim.OrgSpec{Members: 2, ExecutionRole: "BaselineExecution"}})
	audit := orgMember(t, e, "Audit")
	e.assume(audit, "BaselineExecution")
	_, err := e.sts(e.cfg).AssumeRole(bg, &sts.AssumeRoleInput{RoleArn: aws.String(execRoleARN(audit)), RoleSessionName: aws.String("s1")})
	orgWant(t, err, "AccessDenied", 403)
}

func TestSeedZeroValue(t *testing.T) {
	e := newEnv(t, orgsim.Options{})
	accts := e.sim.Accounts()
	if len(accts) != 1 || accts[0].Name != "Management" || accts[0].OUPath != "/" || accts[0].ID != e.sim.ManagementAccountID() {
		t.Fatalf("zero-value accounts = %+v", accts)
	}
	ous, err := e.orgs(e.cfg).ListOrganizationalUnitsForParent(bg, &organizations.ListOrganizationalUnitsForParentInput{ParentId: aws.String(e.sim.RootID())})
	if err != nil || len(ous.OrganizationalUnits) != 0 {
		t.Fatalf("zero-value OUs = %+v, %v", ous, err)
	}
	if _, ok := e.sim.OUID("/Security"); ok {
		t.Fatal("zero-value organization has /Security")
	}
	// A large organization seeds without trouble and with unique ids.
	s := orgsim.New(orgsim.Options{Seed: 5, Org: orgsim.OrgSpec{Members: 120, ExtraOUs: 5, Suspended: 200, MissingRole: 3}})
	seen := map[string]bool{}
	suspended := 0
	for _, a := range s.Accounts() {
		if seen[a.ID] {
			t.Fatalf("duplicate id %s", a.ID)
		}
		seen[a.ID] = true
		if a.State == "SUSPENDED" {
			suspended++
		}
	}
	if suspended != 118 { // clamped to the workload accounts
		t.Fatalf("%d suspended, want 118", suspended)
	}
}

// seedIAM is an IAM client acting in the seeded member with the given name.
func seedIAM(t testing.TB, e *env, name string) *iam.Client {
	t.Helper()
	return e.iam(e.assume(orgMember(t, e, name), orgsim.DefaultExecutionRole))
}

func seedUsers(t testing.TB, c *iam.Client) []string {
	t.Helper()
	out, err := c.ListUsers(bg, &iam.ListUsersInput{})
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, u := range out.Users {
		names = append(names, aws.ToString(u.UserName))
	}
	return names
}

func seedRoles(t testing.TB, c *iam.Client) map[string]string {
	t.Helper()
	out, err := c.ListRoles(bg, &iam.ListRolesInput{})
	if err != nil {
		t.Fatal(err)
	}
	m := map[string]string{}
	for _, r := range out.Roles {
		doc, _ := url.QueryUnescape(aws.ToString(r.AssumeRolePolicyDocument))
		m[aws.ToString(r.RoleName)] = doc
	}
	return m
}

func TestSeedIAMContents(t *testing.T) {
	clock := newTestClock(time.Date(2026, 11, 20, 12, 0, 0, 0, time.UTC))
	e := newEnv(t, orgsim.Options{Seed: 33, Now: clock.Now, Org: orgsim.OrgSpec{Members: 4}})
	now := clock.Now()
	days := func(tm *time.Time) int { return int(now.Sub(aws.ToTime(tm)).Hours() / 24) }

	// Member 1 (Log Archive): alice, bob, ci-deploy; support role; root with
	// hardware MFA, password used 150 days ago.
	la := seedIAM(t, e, "Log Archive")
	if got := strings.Join(seedUsers(t, la), ","); got != "alice,bob,ci-deploy" {
		t.Fatalf("Log Archive users = %s", got)
	}
	mfa, err := la.ListMFADevices(bg, &iam.ListMFADevicesInput{UserName: aws.String("alice")})
	if err != nil || len(mfa.MFADevices) != 1 {
		t.Fatalf("alice MFA = %+v, %v", mfa, err)
	}
	mfa, err = la.ListMFADevices(bg, &iam.ListMFADevicesInput{UserName: aws.String("bob")})
	if err != nil || len(mfa.MFADevices) != 0 {
		t.Fatalf("bob MFA = %+v, %v", mfa, err)
	}
	keys, err := la.ListAccessKeys(bg, &iam.ListAccessKeysInput{UserName: aws.String("ci-deploy")})
	if err != nil || len(keys.AccessKeyMetadata) != 1 || days(keys.AccessKeyMetadata[0].CreateDate) != 200 {
		t.Fatalf("ci-deploy keys = %+v, %v", keys, err)
	}
	inl, err := la.ListUserPolicies(bg, &iam.ListUserPoliciesInput{UserName: aws.String("ci-deploy")})
	if err != nil || len(inl.PolicyNames) != 1 || inl.PolicyNames[0] != "deploy" {
		t.Fatalf("ci-deploy inline = %+v, %v", inl, err)
	}
	grp, err := la.ListGroupsForUser(bg, &iam.ListGroupsForUserInput{UserName: aws.String("alice")})
	if err != nil || len(grp.Groups) != 1 || aws.ToString(grp.Groups[0].GroupName) != "Developers" {
		t.Fatalf("alice groups = %+v, %v", grp, err)
	}
	roles := seedRoles(t, la)
	if _, ok := roles["AWSSupportRole"]; !ok {
		t.Fatalf("Log Archive roles = %v", roles)
	}
	_, err = la.GetAccountPasswordPolicy(bg, &iam.GetAccountPasswordPolicyInput{})
	orgWant(t, err, "NoSuchEntity", 404)

	// Member 2 (Audit): carol with console and key, svc-backup with two
	// keys, dave with an unused key; VendorAuditRole with an ExternalId.
	au := seedIAM(t, e, "Audit")
	if got := strings.Join(seedUsers(t, au), ","); got != "carol,dave,svc-backup" {
		t.Fatalf("Audit users = %s", got)
	}
	keys, err = au.ListAccessKeys(bg, &iam.ListAccessKeysInput{UserName: aws.String("svc-backup")})
	if err != nil || len(keys.AccessKeyMetadata) != 2 {
		t.Fatalf("svc-backup keys = %+v, %v", keys, err)
	}
	if _, err := au.GetLoginProfile(bg, &iam.GetLoginProfileInput{UserName: aws.String("carol")}); err != nil {
		t.Fatalf("carol has a console password: %v", err)
	}
	roles = seedRoles(t, au)
	if doc := roles["VendorAuditRole"]; !strings.Contains(doc, "sts:ExternalId") || !strings.Contains(doc, orgsim.ExternalPartnerAccount) {
		t.Fatalf("VendorAuditRole trust = %q", doc)
	}
	if _, ok := roles["AWSSupportRole"]; ok {
		t.Fatal("even members have no support role")
	}

	// Member 3 (prod-001): weak password policy, BroadAccess on frank,
	// AdministratorAccess on erin-admin, PartnerDeployRole without an
	// ExternalId, OpenTrustRole trusting everyone.
	p1 := seedIAM(t, e, "prod-001")
	pp, err := p1.GetAccountPasswordPolicy(bg, &iam.GetAccountPasswordPolicyInput{})
	if err != nil || aws.ToInt32(pp.PasswordPolicy.MinimumPasswordLength) != 8 || pp.PasswordPolicy.RequireSymbols {
		t.Fatalf("prod-001 password policy = %+v, %v", pp, err)
	}
	att, err := p1.ListAttachedUserPolicies(bg, &iam.ListAttachedUserPoliciesInput{UserName: aws.String("frank")})
	if err != nil || len(att.AttachedPolicies) != 1 || aws.ToString(att.AttachedPolicies[0].PolicyName) != "BroadAccess" {
		t.Fatalf("frank policies = %+v, %v", att, err)
	}
	att, err = p1.ListAttachedUserPolicies(bg, &iam.ListAttachedUserPoliciesInput{UserName: aws.String("erin-admin")})
	if err != nil || len(att.AttachedPolicies) != 1 || aws.ToString(att.AttachedPolicies[0].PolicyName) != "AdministratorAccess" {
		t.Fatalf("erin-admin policies = %+v, %v", att, err)
	}
	roles = seedRoles(t, p1)
	if doc, ok := roles["PartnerDeployRole"]; !ok || strings.Contains(doc, "ExternalId") {
		t.Fatalf("PartnerDeployRole trust = %q", doc)
	}
	if doc := roles["OpenTrustRole"]; !strings.Contains(doc, `"AWS":"*"`) {
		t.Fatalf("OpenTrustRole trust = %q", doc)
	}
	sum, err := p1.GetAccountSummary(bg, &iam.GetAccountSummaryInput{})
	if err != nil || sum.SummaryMap["AccountMFAEnabled"] != 0 {
		t.Fatalf("prod-001 (i=3) root has no MFA: %+v, %v", sum, err)
	}

	// Member 4 (dev-002): root access key; grace in Admins; heidi's key
	// last used 50 days ago.
	d2 := seedIAM(t, e, "dev-002")
	sum, err = d2.GetAccountSummary(bg, &iam.GetAccountSummaryInput{})
	if err != nil || sum.SummaryMap["AccountAccessKeysPresent"] != 1 || sum.SummaryMap["AccountMFAEnabled"] != 1 {
		t.Fatalf("dev-002 summary = %+v, %v", sum.SummaryMap, err)
	}
	keys, err = d2.ListAccessKeys(bg, &iam.ListAccessKeysInput{UserName: aws.String("heidi")})
	if err != nil || len(keys.AccessKeyMetadata) != 1 {
		t.Fatalf("heidi keys = %+v, %v", keys, err)
	}
	lu, err := d2.GetAccessKeyLastUsed(bg, &iam.GetAccessKeyLastUsedInput{AccessKeyId: keys.AccessKeyMetadata[0].AccessKeyId})
	if err != nil || days(lu.AccessKeyLastUsed.LastUsedDate) != 50 {
		t.Fatalf("heidi key last used = %+v, %v", lu, err)
	}
	if _, ok := seedRoles(t, d2)["OpenTrustRole"]; ok {
		t.Fatal("OpenTrustRole is in exactly one account")
	}

	// The management account: only orgsim-admin and the support role.
	if got := strings.Join(seedUsers(t, e.iam(e.cfg)), ","); got != "orgsim-admin" {
		t.Fatalf("management users = %s", got)
	}
	roles = seedRoles(t, e.iam(e.cfg))
	if _, ok := roles["AWSSupportRole"]; !ok || len(roles) != 1 {
		t.Fatalf("management roles = %v", roles)
	}
}

func TestSeedClean(t *testing.T) {
	e := newEnv(t, orgsim.Options{Seed: 34, Org: orgsim.OrgSpec{Members: 5, Clean: true}})
	for _, name := range []string{"Log Archive", "Audit", "prod-001", "dev-002", "sandbox-003"} {
		c := seedIAM(t, e, name)
		if users := seedUsers(t, c); len(users) != 0 {
			t.Fatalf("%s users = %v", name, users)
		}
		roles := seedRoles(t, c)
		if len(roles) != 2 {
			t.Fatalf("%s roles = %v, want the execution and support roles", name, roles)
		}
		if _, ok := roles["AWSSupportRole"]; !ok {
			t.Fatalf("%s has no support role", name)
		}
		sum, err := c.GetAccountSummary(bg, &iam.GetAccountSummaryInput{})
		if err != nil || sum.SummaryMap["AccountMFAEnabled"] != 1 || sum.SummaryMap["AccountAccessKeysPresent"] != 0 {
			t.Fatalf("%s summary = %+v, %v", name, sum, err)
		}
		_, err = c.GetAccountPasswordPolicy(bg, &iam.GetAccountPasswordPolicyInput{})
		orgWant(t, err, "NoSuchEntity", 404)
	}
	// Enabling SCPs afterwards attaches FullAWSAccess to every OU and account.
	c := e.orgs(e.cfg)
	orgEnableType(t, e, orgtypes.PolicyTypeServiceControlPolicy)
	for _, a := range e.sim.Accounts() {
		out, err := c.ListPoliciesForTarget(bg, &organizations.ListPoliciesForTargetInput{TargetId: aws.String(a.ID), Filter: orgtypes.PolicyTypeServiceControlPolicy})
		if err != nil || len(out.Policies) != 1 || aws.ToString(out.Policies[0].Id) != "p-FullAWSAccess" {
			t.Fatalf("%s SCPs = %+v, %v", a.Name, out, err)
		}
	}
}

func TestSeedHasPreExistingAccountTrails(t *testing.T) {
	e := newEnv(t, orgsim.Options{Seed: 4, Org: orgsim.OrgSpec{Members: 8}})
	// Member i = 2 and 7 (Audit and the sixth workload account) have one.
	var withTrail []string
	for _, a := range e.sim.Accounts() {
		if a.ID == e.sim.ManagementAccountID() {
			continue
		}
		cfg := e.assume(a.ID, "OrganizationAccountAccessRole")
		out, err := e.trail(cfg).DescribeTrails(bg, &cloudtrail.DescribeTrailsInput{})
		if err != nil {
			t.Fatal(err)
		}
		for _, tr := range out.TrailList {
			if aws.ToString(tr.Name) == "account-trail" {
				st, err := e.trail(cfg).GetTrailStatus(bg, &cloudtrail.GetTrailStatusInput{Name: tr.Name})
				if err != nil || !aws.ToBool(st.IsLogging) || aws.ToBool(tr.IsOrganizationTrail) || aws.ToString(tr.S3BucketName) != "legacy-cloudtrail-"+a.ID {
					t.Fatalf("seeded trail in %s: %+v, status %+v, %v", a.Name, tr, st, err)
				}
				withTrail = append(withTrail, a.Name)
			}
		}
	}
	if len(withTrail) != 2 || withTrail[0] != "Audit" {
		t.Fatalf("accounts with a seeded trail: %v, want Audit and one workload account", withTrail)
	}
}
