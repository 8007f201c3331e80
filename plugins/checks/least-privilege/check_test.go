package main

import (
	"context"
	"encoding/json"
	"slices"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/iam"

	"github.com/orgbaseline/orgbaseline/internal/orgsim"
	"github.com/orgbaseline/orgbaseline/plugins"
	"github.com/orgbaseline/orgbaseline/plugins/checks/internal/checktest"
	"github.com/orgbaseline/orgbaseline/plugins/plugintest"
)

// env is the test organization, with this check's ARN helpers below.
type env struct{ *checktest.Env }

func newEnv(t testing.TB, spec orgsim.OrgSpec) *env { return &env{checktest.NewEnv(t, spec)} }

// describe is the check's Describe response.
func describe(t testing.TB) *plugins.DescribeResponse { return checktest.Describe(t, &check{}) }

// run runs the check in-process and checks what every finding must have.
func run(t testing.TB, req *plugins.RunRequest) []plugins.Finding {
	return checktest.Run(t, &check{}, req, wantCompliance)
}

// wantCompliance is PRACTICES.md's row for each rule.
var wantCompliance = map[string][]string{
	"least-privilege.full-admin-policy":    {"CIS-3.0:1.16", "SOC2:CC6.3", "ISO27001:A.9.4", "HIPAA:164.312(a)(1)", "NIST-CSF:PR.AC", "CMMC:AC.L2-3.1.5"},
	"least-privilege.broad-managed-policy": {"CIS-3.0:1.16", "SOC2:CC6.3", "ISO27001:A.9.4", "HIPAA:164.312(a)(1)", "NIST-CSF:PR.AC", "CMMC:AC.L2-3.1.5"},
	"least-privilege.cross-account-trust":  {"SOC2:CC6.1", "ISO27001:A.9.4", "HIPAA:164.312(a)(1)", "NIST-CSF:PR.AC", "CMMC:AC.L2-3.1.1"},
	"least-privilege.support-role":         {"CIS-3.0:1.17", "SOC2:CC7.2", "ISO27001:A.16.1", "HIPAA:164.308(a)(6)", "NIST-CSF:RS.CO", "CMMC:IR.L2-3.6.1"},
}

const (
	fullAdmin    = "least-privilege.full-admin-policy"
	broadManaged = "least-privilege.broad-managed-policy"
	trust        = "least-privilege.cross-account-trust"
	support      = "least-privilege.support-role"
)

// index maps "rule resource" to its finding.
func index(fs []plugins.Finding) map[string]plugins.Finding {
	m := map[string]plugins.Finding{}
	for _, f := range fs {
		m[f.Check+" "+f.Resource] = f
	}
	return m
}

func (e *env) arn(i int, kind, name string) string {
	return "arn:aws:iam::" + e.Accounts[i].ID + ":" + kind + "/" + name
}

func (e *env) root(i int) string { return "arn:aws:iam::" + e.Accounts[i].ID + ":root" }

func TestDescribe(t *testing.T) {
	d := describe(t)
	if d.ID != "least-privilege" || d.Version != "1.0.0" || d.Title == "" || d.Description == "" || d.DefaultSeverity != plugins.SeverityHigh {
		t.Errorf("describe: %+v", d)
	}
	for rule, refs := range wantCompliance {
		for _, ref := range refs {
			if !slices.Contains(d.Compliance, ref) {
				t.Errorf("Describe's compliance lacks %s (of %s)", ref, rule)
			}
		}
	}
	for _, a := range d.Actions {
		if !strings.HasPrefix(a, "iam:List") && !strings.HasPrefix(a, "iam:Get") && a != "organizations:DescribeOrganization" {
			t.Errorf("action %s is not a read", a)
		}
	}
	var schema struct {
		Schema               string                    `json:"$schema"`
		AdditionalProperties bool                      `json:"additionalProperties"`
		Properties           map[string]map[string]any `json:"properties"`
	}
	if err := json.Unmarshal([]byte(d.ConfigSchema), &schema); err != nil {
		t.Fatalf("config schema: %v", err)
	}
	if schema.Schema != "https://json-schema.org/draft/2020-12/schema" || schema.AdditionalProperties || len(schema.Properties) != 2 ||
		schema.Properties["supportPolicyArn"]["default"] != defaultConfig("aws").SupportPolicyARN ||
		len(schema.Properties["allowedTrustedAccounts"]["default"].([]any)) != 0 {
		t.Errorf("config schema: %s", d.ConfigSchema)
	}
}

// want is one expected finding.
type want struct {
	rule, resource string
	status         plugins.Status
}

// seeded is what OrgSpec's doc says member i holds, as findings: BroadAccess
// (* on *, attached to frank) and erin-admin with AdministratorAccess when
// i%4 == 3; group Admins with AdministratorAccess when i%4 == 0; inline
// policies "deploy" (ci-deploy, i%4 == 1) and "extra-s3" (grace, i%4 == 0),
// neither * on *; AWSSupportRole when i is odd; VendorAuditRole (with
// ExternalId) when i%4 == 2; PartnerDeployRole (no ExternalId) when
// i%4 == 3; OpenTrustRole (trusts "*") in member 3; the execution role,
// trusting the management account, everywhere.
func (e *env) seeded(i int) []want {
	pass, fail := plugins.StatusPass, plugins.StatusFail
	w := []want{{trust, e.arn(i, "role", orgsim.DefaultExecutionRole), pass}}
	if i%2 == 1 {
		w = append(w, want{trust, e.arn(i, "role", "AWSSupportRole"), pass}, want{support, e.root(i), pass})
	} else {
		w = append(w, want{support, e.root(i), fail})
	}
	if i == 3 {
		w = append(w, want{trust, e.arn(i, "role", "OpenTrustRole"), fail})
	}
	switch i % 4 {
	case 1:
		w = append(w,
			want{fullAdmin, e.arn(i, "user", "ci-deploy"), pass},
			want{broadManaged, e.arn(i, "user", "alice"), pass},
			want{broadManaged, e.arn(i, "user", "bob"), pass},
			want{broadManaged, e.arn(i, "user", "ci-deploy"), pass},
			want{broadManaged, e.arn(i, "group", "Developers"), pass})
	case 2:
		w = append(w,
			want{fullAdmin, e.root(i), pass},
			want{broadManaged, e.arn(i, "user", "carol"), pass},
			want{broadManaged, e.arn(i, "user", "svc-backup"), pass},
			want{broadManaged, e.arn(i, "user", "dave"), pass},
			want{trust, e.arn(i, "role", "VendorAuditRole"), pass})
	case 3:
		w = append(w,
			want{fullAdmin, e.arn(i, "policy", "BroadAccess"), fail},
			want{broadManaged, e.arn(i, "user", "erin-admin"), fail},
			want{broadManaged, e.arn(i, "user", "frank"), pass},
			want{trust, e.arn(i, "role", "PartnerDeployRole"), fail})
	case 0:
		w = append(w,
			want{fullAdmin, e.arn(i, "user", "grace"), pass},
			want{broadManaged, e.arn(i, "user", "grace"), pass},
			want{broadManaged, e.arn(i, "user", "heidi"), pass},
			want{broadManaged, e.arn(i, "group", "Admins"), fail})
	}
	return w
}

func TestSeededOrganization(t *testing.T) {
	e := newEnv(t, orgsim.OrgSpec{Members: 8})
	actions := describe(t).Actions
	for i := 1; i <= 8; i++ {
		e.Sim.ResetCounters()
		fs := run(t, e.Request(t, i, actions, "{}"))
		got := index(fs)
		ws := e.seeded(i)
		if len(fs) != len(ws) {
			t.Errorf("member %d: %d findings, want %d", i, len(fs), len(ws))
			for _, f := range fs {
				t.Logf("  %s %s %s", f.Check, f.Resource, f.Status)
			}
		}
		for _, w := range ws {
			if f, ok := got[w.rule+" "+w.resource]; !ok || f.Status != w.status {
				t.Errorf("member %d %s on %s: %q (%s), want %s", i, w.rule, w.resource, f.Status, f.Message, w.status)
			}
		}
		sn := e.Sim.Counters()
		if n := sn.Calls("organizations", "DescribeOrganization"); n != 1 {
			t.Errorf("member %d: DescribeOrganization called %d times, want once", i, n)
		}
		if sn.Calls("iam", "ListUsers") != 1 || sn.Calls("iam", "ListRoles") != 1 || sn.Calls("iam", "ListGroups") != 1 || sn.Calls("iam", "ListPolicies") != 1 {
			t.Errorf("member %d: calls %+v", i, sn)
		}
	}
}

func TestSeededEvidence(t *testing.T) {
	e := newEnv(t, orgsim.OrgSpec{Members: 8})
	actions := describe(t).Actions
	m2 := index(run(t, e.Request(t, 2, actions, "")))
	m3 := index(run(t, e.Request(t, 3, actions, "")))
	m4 := index(run(t, e.Request(t, 4, actions, "")))

	if f := m3[fullAdmin+" "+e.arn(3, "policy", "BroadAccess")]; f.Evidence["attachedTo"] != "user/frank" || f.Evidence["defaultVersionId"] != "v1" {
		t.Errorf("BroadAccess: %+v", f)
	}
	if f := m3[broadManaged+" "+e.arn(3, "user", "erin-admin")]; f.Evidence["broadPolicies"] != "arn:aws:iam::aws:policy/AdministratorAccess" {
		t.Errorf("erin-admin: %+v", f)
	}
	if f := m4[broadManaged+" "+e.arn(4, "group", "Admins")]; !strings.Contains(f.Message, "Group Admins has AdministratorAccess attached") {
		t.Errorf("Admins: %+v", f)
	}
	if f := m4[fullAdmin+" "+e.arn(4, "user", "grace")]; f.Evidence["inlinePolicies"] != "extra-s3" {
		t.Errorf("grace inline: %+v", f)
	}
	partner := m3[trust+" "+e.arn(3, "role", "PartnerDeployRole")]
	if partner.Evidence["trustedWithoutExternalId"] != orgsim.ExternalPartnerAccount || partner.Severity != plugins.SeverityHigh ||
		!strings.Contains(partner.Message, "without an sts:ExternalId") {
		t.Errorf("PartnerDeployRole: %+v", partner)
	}
	if f := m3[trust+" "+e.arn(3, "role", "OpenTrustRole")]; f.Severity != plugins.SeverityCritical || !strings.Contains(f.Message, "trusts everyone") {
		t.Errorf("OpenTrustRole: %+v", f)
	}
	if f := m2[trust+" "+e.arn(2, "role", "VendorAuditRole")]; f.Evidence["trustedWithExternalId"] != orgsim.ExternalPartnerAccount || f.Evidence["trustedWithoutExternalId"] != "" {
		t.Errorf("VendorAuditRole: %+v", f)
	}
	mgmt := e.Accounts[0].ID
	if f := m2[trust+" "+e.arn(2, "role", orgsim.DefaultExecutionRole)]; f.Evidence["trustedAccounts"] != mgmt || !strings.Contains(f.Message, "management account") {
		t.Errorf("execution role: %+v", f)
	}
	if f := m2[support+" "+e.root(2)]; f.Evidence["roles"] != "" || f.Evidence["supportPolicyArn"] != "arn:aws:iam::aws:policy/AWSSupportAccess" {
		t.Errorf("support role (missing): %+v", f)
	}
	if f := m3[support+" "+e.root(3)]; f.Evidence["roles"] != "AWSSupportRole" {
		t.Errorf("support role: %+v", f)
	}
}

func TestCleanMemberPasses(t *testing.T) {
	e := newEnv(t, orgsim.OrgSpec{Members: 2, Clean: true})
	fs := run(t, e.Request(t, 2, describe(t).Actions, "{}"))
	got := index(fs)
	for _, w := range []string{
		fullAdmin + " " + e.root(2),
		broadManaged + " " + e.root(2),
		trust + " " + e.arn(2, "role", orgsim.DefaultExecutionRole),
		trust + " " + e.arn(2, "role", "AWSSupportRole"),
		support + " " + e.root(2),
	} {
		if _, ok := got[w]; !ok {
			t.Errorf("no finding %s", w)
		}
	}
	if len(fs) != 5 {
		t.Errorf("%d findings, want 5", len(fs))
	}
	for _, f := range fs {
		if f.Status != plugins.StatusPass {
			t.Errorf("%s on %s: %s (%s)", f.Check, f.Resource, f.Status, f.Message)
		}
	}
}

func TestConfigChangesVerdicts(t *testing.T) {
	e := newEnv(t, orgsim.OrgSpec{Members: 8})
	actions := describe(t).Actions
	for _, tc := range []struct {
		config, rule, resource string
		want                   plugins.Status
	}{
		{`{"allowedTrustedAccounts": ["444455556666"]}`, trust, e.arn(3, "role", "PartnerDeployRole"), plugins.StatusPass},
		{`{"allowedTrustedAccounts": ["444455556666"]}`, trust, e.arn(3, "role", "OpenTrustRole"), plugins.StatusFail},
		{`{"allowedTrustedAccounts": ["111122223333"]}`, trust, e.arn(3, "role", "PartnerDeployRole"), plugins.StatusFail},
		{`{"supportPolicyArn": "arn:aws:iam::aws:policy/SecurityAudit"}`, support, e.root(2), plugins.StatusPass},
		{`{"supportPolicyArn": "arn:aws:iam::aws:policy/SecurityAudit"}`, support, e.root(3), plugins.StatusFail},
	} {
		member := 3
		if strings.Contains(tc.resource, e.Accounts[2].ID) {
			member = 2
		}
		f, ok := index(run(t, e.Request(t, member, actions, tc.config)))[tc.rule+" "+tc.resource]
		if !ok || f.Status != tc.want {
			t.Errorf("%s %s on %s: %q (%s), want %s", tc.config, tc.rule, tc.resource, f.Status, f.Message, tc.want)
		}
	}
}

func TestInvalidConfigIsAnError(t *testing.T) {
	e := newEnv(t, orgsim.OrgSpec{Members: 1})
	actions := describe(t).Actions
	for config, want := range map[string]string{
		`{"allowedAccounts": []}`:                    `unknown key "allowedAccounts"`,
		`{"allowedTrustedAccounts": ["4444", "x"]}`:  `allowedTrustedAccounts[0] is "4444"; it must be a 12-digit account id; allowedTrustedAccounts[1]`,
		`{"supportPolicyArn": "AWSSupportAccess"}`:   `supportPolicyArn is "AWSSupportAccess"`,
		`{"allowedTrustedAccounts": "444455556666"}`: `key "allowedTrustedAccounts"`,
	} {
		_, err := (&check{}).Run(context.Background(), e.Request(t, 1, actions, config))
		if err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("config %s: got %v, want an error containing %q", config, err, want)
		}
	}
}

// TestMissingActionIsAnErrorFinding drops one declared action at a time:
// the verdicts that need it are ERRORs naming it; the rest stand.
func TestMissingActionIsAnErrorFinding(t *testing.T) {
	e := newEnv(t, orgsim.OrgSpec{Members: 3})
	without := func(action string) map[string]plugins.Finding {
		actions := slices.DeleteFunc(describe(t).Actions, func(a string) bool { return a == action })
		return index(run(t, e.Request(t, 3, actions, "{}")))
	}
	isError := func(f plugins.Finding, action string) bool {
		return f.Status == plugins.StatusError && strings.Contains(f.Message, action) && strings.Contains(f.Message, "AccessDenied")
	}

	got := without("organizations:DescribeOrganization")
	for _, role := range []string{orgsim.DefaultExecutionRole, "PartnerDeployRole"} {
		if f := got[trust+" "+e.arn(3, "role", role)]; !isError(f, "organizations:DescribeOrganization") {
			t.Errorf("%s without DescribeOrganization: %s %s", role, f.Status, f.Message)
		}
	}
	if f := got[trust+" "+e.arn(3, "role", "OpenTrustRole")]; f.Status != plugins.StatusFail {
		t.Errorf("OpenTrustRole without DescribeOrganization: %s %s", f.Status, f.Message)
	}
	if f := got[trust+" "+e.arn(3, "role", "AWSSupportRole")]; f.Status != plugins.StatusPass {
		t.Errorf("AWSSupportRole without DescribeOrganization: %s %s", f.Status, f.Message)
	}

	got = without("iam:GetPolicyVersion")
	if f := got[fullAdmin+" "+e.arn(3, "policy", "BroadAccess")]; !isError(f, "iam:GetPolicyVersion") {
		t.Errorf("BroadAccess without GetPolicyVersion: %s %s", f.Status, f.Message)
	}

	got = without("iam:ListEntitiesForPolicy")
	if f := got[support+" "+e.root(3)]; !isError(f, "iam:ListEntitiesForPolicy") {
		t.Errorf("support role without ListEntitiesForPolicy: %s %s", f.Status, f.Message)
	}
	if f := got[broadManaged+" "+e.root(3)]; !isError(f, "iam:ListEntitiesForPolicy") {
		t.Errorf("broad managed without ListEntitiesForPolicy: %s %s", f.Status, f.Message)
	}

	got = without("iam:ListRoles")
	if f := got[trust+" "+e.root(3)]; !isError(f, "iam:ListRoles") {
		t.Errorf("trust without ListRoles: %s %s", f.Status, f.Message)
	}
	if f := got[fullAdmin+" "+e.root(3)]; !isError(f, "iam:ListRoles") {
		t.Errorf("full admin without ListRoles: %s %s", f.Status, f.Message)
	}
}

// TestConformance runs the check through the real gRPC shim against a
// seeded member with findings of every kind.
func TestConformance(t *testing.T) {
	e := newEnv(t, orgsim.OrgSpec{Members: 4})
	plugintest.Conformance(t, &check{}, plugintest.Options{Request: e.Request(t, 3, describe(t).Actions, "{}")})
}

// TestTrustPolicies creates roles with trust policies the seed lacks, in a
// clean member, through the execution role with full access.
func TestTrustPolicies(t *testing.T) {
	e := newEnv(t, orgsim.OrgSpec{Members: 1, Clean: true})
	ctx := context.Background()
	cfg, err := e.Sessions.Config(ctx, e.Accounts[1].ID, "us-east-1")
	if err != nil {
		t.Fatal(err)
	}
	client := iam.NewFromConfig(cfg)
	trustDoc := func(stmt string) string { return `{"Version":"2012-10-17","Statement":[` + stmt + `]}` }
	orgID := e.Sim.OrganizationID()
	roles := []struct {
		name, trust string
		want        plugins.Status
	}{
		{"OrgWide", trustDoc(`{"Effect":"Allow","Principal":{"AWS":"*"},"Action":"sts:AssumeRole","Condition":{"StringEquals":{"aws:PrincipalOrgID":"` + orgID + `"}}}`), plugins.StatusPass},
		{"Service", trustDoc(`{"Effect":"Allow","Principal":{"Service":"ec2.amazonaws.com"},"Action":"sts:AssumeRole"}`), plugins.StatusPass},
		{"BareAccountID", trustDoc(`{"Effect":"Allow","Principal":{"AWS":"444455556666"},"Action":"sts:AssumeRole"}`), plugins.StatusFail},
		{"ExternalIDOnly", trustDoc(`{"Effect":"Allow","Principal":{"AWS":"*"},"Action":"sts:AssumeRole","Condition":{"StringEquals":{"sts:ExternalId":"x"}}}`), plugins.StatusFail},
		{"DenyOnly", trustDoc(`{"Effect":"Deny","Principal":{"AWS":"*"},"Action":"sts:AssumeRole"}`), plugins.StatusPass},
		{"WildcardAction", trustDoc(`{"Effect":"Allow","Principal":{"AWS":"arn:aws:iam::444455556666:role/deployer"},"Action":"sts:*"}`), plugins.StatusFail},
		{"TagSessionOnly", trustDoc(`{"Effect":"Allow","Principal":{"AWS":"arn:aws:iam::444455556666:root"},"Action":"sts:TagSession"}`), plugins.StatusPass},
	}
	for _, r := range roles {
		if _, err := client.CreateRole(ctx, &iam.CreateRoleInput{RoleName: aws.String(r.name), AssumeRolePolicyDocument: aws.String(r.trust)}); err != nil {
			t.Fatalf("create %s: %v", r.name, err)
		}
	}
	// An inline * on * policy on a role is a full-admin finding on the role.
	if _, err := client.PutRolePolicy(ctx, &iam.PutRolePolicyInput{
		RoleName: aws.String("Service"), PolicyName: aws.String("everything"),
		PolicyDocument: aws.String(`{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"*","Resource":"*"}]}`),
	}); err != nil {
		t.Fatal(err)
	}

	got := index(run(t, e.Request(t, 1, describe(t).Actions, "{}")))
	for _, r := range roles {
		if f := got[trust+" "+e.arn(1, "role", r.name)]; f.Status != r.want {
			t.Errorf("role %s: %q (%s), want %s", r.name, f.Status, f.Message, r.want)
		}
	}
	if f := got[trust+" "+e.arn(1, "role", "ExternalIDOnly")]; f.Severity != plugins.SeverityCritical {
		t.Errorf("ExternalIDOnly severity %s, want critical: anyone who learns the id may assume it", f.Severity)
	}
	if f := got[fullAdmin+" "+e.arn(1, "role", "Service")]; f.Status != plugins.StatusFail || f.Evidence["fullAdminPolicies"] != "everything" {
		t.Errorf("inline * on * on a role: %+v", f)
	}
	if _, ok := got[fullAdmin+" "+e.root(1)]; ok {
		t.Error("account-wide full-admin PASS despite an inline policy")
	}
}
