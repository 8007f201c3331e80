package main

import (
	"context"
	"encoding/json"
	"slices"
	"strings"
	"testing"

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
	"iam-users.mfa":                  {"CIS-3.0:1.10", "SOC2:CC6.2", "ISO27001:A.9.4", "HIPAA:164.312(d)", "NIST-CSF:PR.AC", "CMMC:IA.L2-3.5.3"},
	"iam-users.unused-credentials":   {"CIS-3.0:1.12", "SOC2:CC6.2", "ISO27001:A.9.2", "HIPAA:164.312(a)(1)", "NIST-CSF:PR.AC", "CMMC:AC.L2-3.1.1"},
	"iam-users.multiple-active-keys": {"CIS-3.0:1.13", "SOC2:CC6.1", "ISO27001:A.9.2", "HIPAA:164.312(a)(1)", "NIST-CSF:PR.AC"},
	"iam-users.key-rotation":         {"CIS-3.0:1.14", "SOC2:CC6.1", "ISO27001:A.9.2", "HIPAA:164.312(a)(1)", "NIST-CSF:PR.AC"},
	"iam-users.direct-policies":      {"CIS-3.0:1.15", "SOC2:CC6.3", "ISO27001:A.9.2", "HIPAA:164.312(a)(1)", "NIST-CSF:PR.AC", "CMMC:AC.L2-3.1.1"},
	"iam-users.console-and-keys":     {"CIS-3.0:1.11", "SOC2:CC6.1", "ISO27001:A.9.2", "HIPAA:164.312(a)(1)", "NIST-CSF:PR.AC", "CMMC:AC.L2-3.1.1"},
}

var allRules = []string{
	"iam-users.mfa", "iam-users.unused-credentials", "iam-users.multiple-active-keys",
	"iam-users.key-rotation", "iam-users.direct-policies", "iam-users.console-and-keys",
}

// index maps "rule resource" to its finding.
func index(fs []plugins.Finding) map[string]plugins.Finding {
	m := map[string]plugins.Finding{}
	for _, f := range fs {
		m[f.Check+" "+f.Resource] = f
	}
	return m
}

func (e *env) userARN(i int, name string) string {
	return "arn:aws:iam::" + e.Accounts[i].ID + ":user/" + name
}

func TestDescribe(t *testing.T) {
	d := describe(t)
	if d.ID != "iam-users" || d.Version != "1.0.0" || d.Title == "" || d.Description == "" || d.DefaultSeverity != plugins.SeverityMedium {
		t.Errorf("describe: %+v", d)
	}
	want := []string{"iam:GenerateCredentialReport", "iam:GetCredentialReport", "iam:ListUsers", "iam:ListAttachedUserPolicies", "iam:ListUserPolicies"}
	if !slices.Equal(d.Actions, want) {
		t.Errorf("actions %v, want %v", d.Actions, want)
	}
	for rule, refs := range wantCompliance {
		for _, ref := range refs {
			if !slices.Contains(d.Compliance, ref) {
				t.Errorf("Describe's compliance lacks %s (of %s)", ref, rule)
			}
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
	def := defaultConfig()
	if schema.Schema != "https://json-schema.org/draft/2020-12/schema" || schema.AdditionalProperties ||
		schema.Properties["unusedDays"]["default"] != float64(def.UnusedDays) || schema.Properties["keyRotationDays"]["default"] != float64(def.KeyRotationDays) ||
		len(schema.Properties) != 2 {
		t.Errorf("config schema: %s", d.ConfigSchema)
	}
}

// seededFailures are the rules each seeded user fails (OrgSpec's doc); the
// user passes every other rule. Members i%4 == 1: alice, bob, ci-deploy;
// 2: carol, svc-backup, dave; 3: erin-admin, frank; 0: grace, heidi.
var seededFailures = map[string][]string{
	"alice":      nil,                                                                            // console + MFA, in Developers
	"bob":        {"iam-users.mfa", "iam-users.direct-policies"},                                 // no MFA, ReadOnlyAccess attached
	"ci-deploy":  {"iam-users.key-rotation", "iam-users.direct-policies"},                        // key 200 days old, inline "deploy"
	"carol":      {"iam-users.console-and-keys"},                                                 // console and a key
	"svc-backup": {"iam-users.multiple-active-keys", "iam-users.key-rotation"},                   // two keys, one 120 days old
	"dave":       {"iam-users.unused-credentials"},                                               // key 60 days old, never used
	"erin-admin": {"iam-users.mfa", "iam-users.unused-credentials", "iam-users.direct-policies"}, // no MFA, used 70 days ago, AdministratorAccess
	"frank":      {"iam-users.direct-policies"},                                                  // BroadAccess attached
	"grace":      {"iam-users.direct-policies"},                                                  // inline "extra-s3"
	"heidi":      {"iam-users.unused-credentials", "iam-users.key-rotation"},                     // key 95 days old, used 50 days ago
}

var seededUsers = map[int][]string{
	1: {"alice", "bob", "ci-deploy"},
	2: {"carol", "dave", "svc-backup"},
	3: {"erin-admin", "frank"},
	0: {"grace", "heidi"},
}

func TestSeededOrganization(t *testing.T) {
	e := newEnv(t, orgsim.OrgSpec{Members: 8})
	actions := describe(t).Actions
	for i := 1; i <= 8; i++ {
		e.Sim.ResetCounters()
		fs := run(t, e.Request(t, i, actions, "{}"))
		users := seededUsers[i%4]
		if len(fs) != len(users)*len(allRules) {
			t.Errorf("member %d: %d findings, want %d", i, len(fs), len(users)*len(allRules))
		}
		got := index(fs)
		for _, u := range users {
			for _, rule := range allRules {
				want := plugins.StatusPass
				if slices.Contains(seededFailures[u], rule) {
					want = plugins.StatusFail
				}
				f, ok := got[rule+" "+e.userARN(i, u)]
				if !ok || f.Status != want {
					t.Errorf("member %d %s %s: %q (%s), want %s", i, u, rule, f.Status, f.Message, want)
				}
			}
		}
		// One user listing, one report (Generate twice: the sim clock stands
		// still), two policy listings per user.
		sn := e.Sim.Counters()
		if sn.Calls("iam", "ListUsers") != 1 || sn.Calls("iam", "GetCredentialReport") != 1 || sn.Calls("iam", "GenerateCredentialReport") > 2 ||
			sn.Calls("iam", "ListAttachedUserPolicies") != int64(len(users)) || sn.Calls("iam", "ListUserPolicies") != int64(len(users)) {
			t.Errorf("member %d: calls %+v", i, sn)
		}
	}
}

func TestSeededEvidence(t *testing.T) {
	e := newEnv(t, orgsim.OrgSpec{Members: 8})
	actions := describe(t).Actions
	member := func(i int) map[string]plugins.Finding { return index(run(t, e.Request(t, i, actions, ""))) }
	m1, m2, m3, m4 := member(1), member(2), member(3), member(4)

	if f := m1["iam-users.mfa "+e.userARN(1, "bob")]; f.Evidence["password_enabled"] != "true" || f.Evidence["mfa_active"] != "false" || f.Severity != plugins.SeverityHigh {
		t.Errorf("bob mfa: %+v", f)
	}
	if f := m1["iam-users.direct-policies "+e.userARN(1, "bob")]; f.Evidence["attachedPolicies"] != "arn:aws:iam::aws:policy/ReadOnlyAccess" {
		t.Errorf("bob direct: %+v", f)
	}
	if f := m1["iam-users.direct-policies "+e.userARN(1, "ci-deploy")]; f.Evidence["inlinePolicies"] != "deploy" {
		t.Errorf("ci-deploy direct: %+v", f)
	}
	if f := m2["iam-users.multiple-active-keys "+e.userARN(2, "svc-backup")]; f.Evidence["access_key_1_active"] != "true" || f.Evidence["access_key_2_active"] != "true" {
		t.Errorf("svc-backup keys: %+v", f)
	}
	if f := m2["iam-users.key-rotation "+e.userARN(2, "svc-backup")]; f.Evidence["access_key_1_age_days"] != "120" || f.Evidence["access_key_2_age_days"] != "15" ||
		!strings.Contains(f.Message, "access key 1 is 120 days old") || strings.Contains(f.Message, "access key 2") {
		t.Errorf("svc-backup rotation: %+v", f)
	}
	if f := m2["iam-users.unused-credentials "+e.userARN(2, "dave")]; !strings.Contains(f.Message, "access key 1 never used, created 60 days ago") || f.Evidence["access_key_1_last_used_date"] != "N/A" {
		t.Errorf("dave unused: %+v", f)
	}
	if f := m3["iam-users.unused-credentials "+e.userARN(3, "erin-admin")]; !strings.Contains(f.Message, "console password last used 70 days ago") || f.Evidence["unusedDays"] != "45" {
		t.Errorf("erin-admin unused: %+v", f)
	}
	if f := m3["iam-users.direct-policies "+e.userARN(3, "frank")]; f.Evidence["attachedPolicies"] != "arn:aws:iam::"+e.Accounts[3].ID+":policy/BroadAccess" {
		t.Errorf("frank direct: %+v", f)
	}
	if f := m4["iam-users.key-rotation "+e.userARN(4, "heidi")]; f.Evidence["access_key_1_age_days"] != "95" || f.Evidence["keyRotationDays"] != "90" {
		t.Errorf("heidi rotation: %+v", f)
	}
	if f := m4["iam-users.unused-credentials "+e.userARN(4, "heidi")]; !strings.Contains(f.Message, "access key 1 last used 50 days ago") {
		t.Errorf("heidi unused: %+v", f)
	}
}

func TestCleanMemberPasses(t *testing.T) {
	e := newEnv(t, orgsim.OrgSpec{Members: 2, Clean: true})
	fs := run(t, e.Request(t, 1, describe(t).Actions, "{}"))
	if len(fs) != len(allRules) {
		t.Fatalf("%d findings, want one per rule", len(fs))
	}
	root := "arn:aws:iam::" + e.Accounts[1].ID + ":root"
	for _, f := range fs {
		if f.Status != plugins.StatusPass || f.Resource != root {
			t.Errorf("%s: %s on %s: %s", f.Check, f.Status, f.Resource, f.Message)
		}
	}
	// Without users there is nothing to read the report for.
	if n := e.Sim.Counters().Calls("iam", "GenerateCredentialReport"); n != 0 {
		t.Errorf("GenerateCredentialReport called %d times for an account without users", n)
	}
}

func TestConfigChangesVerdicts(t *testing.T) {
	e := newEnv(t, orgsim.OrgSpec{Members: 8})
	actions := describe(t).Actions
	for _, tc := range []struct {
		config, rule, user string
		member             int
		want               plugins.Status
	}{
		{`{"keyRotationDays": 200}`, "iam-users.key-rotation", "heidi", 4, plugins.StatusPass},     // 95 days
		{`{"keyRotationDays": 200}`, "iam-users.key-rotation", "ci-deploy", 1, plugins.StatusPass}, // exactly 200 days
		{`{"keyRotationDays": 199}`, "iam-users.key-rotation", "ci-deploy", 1, plugins.StatusFail},
		{`{"keyRotationDays": 20}`, "iam-users.key-rotation", "carol", 2, plugins.StatusFail},        // 30 days
		{`{"unusedDays": 100}`, "iam-users.unused-credentials", "erin-admin", 3, plugins.StatusPass}, // 70 days
		{`{"unusedDays": 100}`, "iam-users.unused-credentials", "dave", 2, plugins.StatusPass},       // never used, 60 days
		{`{"unusedDays": 50}`, "iam-users.unused-credentials", "heidi", 4, plugins.StatusFail},       // exactly 50 days: "or greater"
		{`{"unusedDays": 51}`, "iam-users.unused-credentials", "heidi", 4, plugins.StatusPass},
		{`{"unusedDays": 10, "keyRotationDays": 90}`, "iam-users.unused-credentials", "bob", 1, plugins.StatusFail}, // 20 days
	} {
		f := index(run(t, e.Request(t, tc.member, actions, tc.config)))[tc.rule+" "+e.userARN(tc.member, tc.user)]
		if f.Status != tc.want {
			t.Errorf("%s %s %s: %q (%s), want %s", tc.config, tc.user, tc.rule, f.Status, f.Message, tc.want)
		}
	}
}

func TestInvalidConfigIsAnError(t *testing.T) {
	e := newEnv(t, orgsim.OrgSpec{Members: 1})
	actions := describe(t).Actions
	for config, want := range map[string]string{
		`{"unusedDays": 45, "rotationDays": 90}`:   `unknown key "rotationDays"`,
		`{"unusedDays": 0, "keyRotationDays": -1}`: "unusedDays is 0; it must be between 1 and 3650; keyRotationDays is -1",
		`{"keyRotationDays": 9.5}`:                 `key "keyRotationDays"`,
		`[]`:                                       "config",
	} {
		_, err := (&check{}).Run(context.Background(), e.Request(t, 1, actions, config))
		if err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("config %s: got %v, want an error containing %q", config, err, want)
		}
	}
}

// TestMissingActionIsAnErrorFinding drops one declared action from the
// session policy: the verdict that needs it is an ERROR naming it, the
// others are still given.
func TestMissingActionIsAnErrorFinding(t *testing.T) {
	e := newEnv(t, orgsim.OrgSpec{Members: 1})
	actions := slices.DeleteFunc(describe(t).Actions, func(a string) bool { return a == "iam:ListUserPolicies" })
	got := index(run(t, e.Request(t, 1, actions, "{}")))
	for _, u := range seededUsers[1] {
		f := got["iam-users.direct-policies "+e.userARN(1, u)]
		if f.Status != plugins.StatusError || !strings.Contains(f.Message, "iam:ListUserPolicies") || !strings.Contains(f.Message, "AccessDenied") {
			t.Errorf("%s direct-policies: %s %s", u, f.Status, f.Message)
		}
		if f := got["iam-users.mfa "+e.userARN(1, u)]; f.Status == plugins.StatusError {
			t.Errorf("%s mfa: %s", u, f.Message)
		}
	}

	actions = slices.DeleteFunc(describe(t).Actions, func(a string) bool { return a == "iam:ListUsers" })
	fs := run(t, e.Request(t, 1, actions, "{}"))
	if len(fs) != len(allRules) {
		t.Fatalf("%d findings without iam:ListUsers", len(fs))
	}
	for _, f := range fs {
		if f.Status != plugins.StatusError || !strings.Contains(f.Message, "iam:ListUsers") {
			t.Errorf("%s: %s %s", f.Check, f.Status, f.Message)
		}
	}
}

// TestConformance runs the check through the real gRPC shim against a
// seeded member with findings of every kind.
func TestConformance(t *testing.T) {
	e := newEnv(t, orgsim.OrgSpec{Members: 4})
	plugintest.Conformance(t, &check{}, plugintest.Options{Request: e.Request(t, 3, describe(t).Actions, "{}")})
}
