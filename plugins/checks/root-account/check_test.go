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

// describe is the check's Describe response.
func describe(t testing.TB) *plugins.DescribeResponse { return checktest.Describe(t, &check{}) }

// run runs the check in-process and checks what every finding must have.
func run(t testing.TB, req *plugins.RunRequest) []plugins.Finding {
	return checktest.Run(t, &check{}, req, wantCompliance)
}

// wantCompliance is PRACTICES.md's row for each rule.
var wantCompliance = map[string][]string{
	"root-account.mfa":         {"CIS-3.0:1.5", "SOC2:CC6.2", "ISO27001:A.9.2", "HIPAA:164.312(d)", "NIST-CSF:PR.AC", "CMMC:IA.L2-3.5.3"},
	"root-account.access-keys": {"CIS-3.0:1.4", "SOC2:CC6.1", "ISO27001:A.9.2", "HIPAA:164.312(a)(1)", "NIST-CSF:PR.AC", "CMMC:AC.L2-3.1.1"},
	"root-account.recent-use":  {"CIS-3.0:1.7", "SOC2:CC6.1", "ISO27001:A.9.2", "HIPAA:164.312(a)(1)", "NIST-CSF:PR.AC", "CMMC:AC.L2-3.1.5"},
}

func byCheck(fs []plugins.Finding) map[string]plugins.Finding {
	m := map[string]plugins.Finding{}
	for _, f := range fs {
		m[f.Check] = f
	}
	return m
}

func TestDescribe(t *testing.T) {
	d := describe(t)
	if d.ID != "root-account" || d.Version != "1.1.0" || d.Title == "" || d.Description == "" || d.DefaultSeverity != plugins.SeverityHigh {
		t.Errorf("describe: %+v", d)
	}
	if !slices.Equal(d.Actions, []string{"iam:GenerateCredentialReport", "iam:GetAccountSummary", "iam:GetCredentialReport"}) {
		t.Errorf("actions %v", d.Actions)
	}
	for rule, refs := range wantCompliance {
		for _, ref := range refs {
			if !slices.Contains(d.Compliance, ref) {
				t.Errorf("Describe's compliance lacks %s (of %s)", ref, rule)
			}
		}
	}
	var schema map[string]any
	if err := json.Unmarshal([]byte(d.ConfigSchema), &schema); err != nil {
		t.Fatalf("config schema: %v", err)
	}
	prop := schema["properties"].(map[string]any)["rootUseWindowDays"].(map[string]any)
	if schema["$schema"] != "https://json-schema.org/draft/2020-12/schema" || schema["additionalProperties"] != false || prop["default"] != float64(defaultConfig().RootUseWindowDays) {
		t.Errorf("config schema: %s", d.ConfigSchema)
	}
}

// TestSeededOrganization asserts each member's verdicts against the seed
// (OrgSpec's doc): no root MFA when i%3 == 0, a root access key when
// i%5 == 4 (created 400 days ago, used 12 days ago), root password used 2
// days ago when i%4 == 2, never when i%4 == 0, else 150 days ago. The seed
// gives a root user a password when it was used, so among members 1 to 8
// every root user without MFA (3 and 6) has a password and fails 1.5; the
// root users without credentials are TestCentralizedRootCredentials's.
func TestSeededOrganization(t *testing.T) {
	e := checktest.NewEnv(t, orgsim.OrgSpec{Members: 8})
	actions := describe(t).Actions
	for i := 1; i <= 8; i++ {
		wantStatus := func(fail bool) plugins.Status {
			if fail {
				return plugins.StatusFail
			}
			return plugins.StatusPass
		}
		want := map[string]plugins.Status{
			"root-account.mfa":         wantStatus(i%3 == 0),
			"root-account.access-keys": wantStatus(i%5 == 4),
			"root-account.recent-use":  wantStatus(i%4 == 2 || i%5 == 4),
		}
		e.Sim.ResetCounters()
		fs := run(t, e.Request(t, i, actions, "{}"))
		if len(fs) != 3 {
			t.Fatalf("member %d: %d findings, want 3", i, len(fs))
		}
		root := "arn:aws:iam::" + e.Accounts[i].ID + ":root"
		got := byCheck(fs)
		for rule, status := range want {
			f := got[rule]
			if f.Status != status || f.Resource != root {
				t.Errorf("member %d %s: %s on %s (%s), want %s on %s", i, rule, f.Status, f.Resource, f.Message, status, root)
			}
		}
		// The credential report is read once: Generate twice (the sim's
		// clock stands still), Get once; the account summary once.
		sn := e.Sim.Counters()
		if g, r, s := sn.Calls("iam", "GenerateCredentialReport"), sn.Calls("iam", "GetCredentialReport"), sn.Calls("iam", "GetAccountSummary"); g > 2 || r != 1 || s != 1 {
			t.Errorf("member %d: GenerateCredentialReport %d, GetCredentialReport %d, GetAccountSummary %d calls", i, g, r, s)
		}

		switch i {
		case 3:
			if f := got["root-account.mfa"]; f.Evidence["mfa_active"] != "false" || f.Evidence["AccountMFAEnabled"] != "0" ||
				f.Evidence["AccountPasswordPresent"] != "1" || f.Severity != plugins.SeverityCritical ||
				f.Message != "The root user has no MFA device: its password alone signs in with full control of the account." {
				t.Errorf("member 3 mfa: %+v", f)
			}
		case 4:
			keys, use := got["root-account.access-keys"], got["root-account.recent-use"]
			if keys.Evidence["access_key_1_active"] != "true" || !strings.Contains(keys.Message, "key 1 (active, created 400 days ago)") {
				t.Errorf("member 4 keys: %+v", keys)
			}
			if use.Evidence["lastUsedDaysAgo"] != "12" || !strings.Contains(use.Message, "access key 1 12 days ago") {
				t.Errorf("member 4 use: %+v", use)
			}
		case 6:
			if f := got["root-account.recent-use"]; f.Evidence["lastUsedDaysAgo"] != "2" || f.Evidence["rootUseWindowDays"] != "30" ||
				!strings.Contains(f.Message, "password 2 days ago") {
				t.Errorf("member 6 use: %+v", f)
			}
		case 7:
			if f := got["root-account.recent-use"]; f.Evidence["lastUsedDaysAgo"] != "150" {
				t.Errorf("member 7 use: %+v", f)
			}
		case 8:
			if f := got["root-account.recent-use"]; f.Evidence["password_last_used"] != "no_information" || !strings.Contains(f.Message, "no use") {
				t.Errorf("member 8 use: %+v", f)
			}
		}
	}
}

func TestCleanMembersPass(t *testing.T) {
	e := checktest.NewEnv(t, orgsim.OrgSpec{Members: 3, Clean: true})
	actions := describe(t).Actions
	for i := 1; i <= 3; i++ {
		fs := run(t, e.Request(t, i, actions, ""))
		if len(fs) != 3 {
			t.Fatalf("member %d: %d findings", i, len(fs))
		}
		for _, f := range fs {
			if f.Status != plugins.StatusPass {
				t.Errorf("clean member %d: %s %s: %s", i, f.Check, f.Status, f.Message)
			}
		}
	}
}

func TestConfigChangesVerdicts(t *testing.T) {
	e := checktest.NewEnv(t, orgsim.OrgSpec{Members: 8})
	actions := describe(t).Actions
	for _, tc := range []struct {
		config string
		member int
		want   plugins.Status
	}{
		{`{"rootUseWindowDays": 1}`, 6, plugins.StatusPass},   // password used 2 days ago
		{`{"rootUseWindowDays": 3}`, 6, plugins.StatusFail},   // ... is within 3 days
		{`{"rootUseWindowDays": 10}`, 4, plugins.StatusPass},  // key used 12 days ago
		{`{"rootUseWindowDays": 200}`, 7, plugins.StatusFail}, // password used 150 days ago
		{`{"rootUseWindowDays": 200}`, 8, plugins.StatusPass}, // never used
	} {
		f := byCheck(run(t, e.Request(t, tc.member, actions, tc.config)))["root-account.recent-use"]
		if f.Status != tc.want {
			t.Errorf("%s member %d: %s (%s), want %s", tc.config, tc.member, f.Status, f.Message, tc.want)
		}
	}
}

func TestInvalidConfigIsAnError(t *testing.T) {
	e := checktest.NewEnv(t, orgsim.OrgSpec{Members: 1})
	actions := describe(t).Actions
	for config, want := range map[string]string{
		`{"rootUseWindowDay": 30}`:     `unknown key "rootUseWindowDay"`,
		`{"rootUseWindowDays": 0}`:     "rootUseWindowDays is 0",
		`{"rootUseWindowDays": "30"}`:  `key "rootUseWindowDays"`,
		`{"rootUseWindowDays": 30} {}`: "more than one JSON value",
	} {
		_, err := (&check{}).Run(context.Background(), e.Request(t, 1, actions, config))
		if err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("config %s: got %v, want an error containing %q", config, err, want)
		}
	}
}

// TestMissingActionIsAnErrorFinding runs with a session policy lacking one
// declared action: every verdict is an ERROR naming it.
func TestMissingActionIsAnErrorFinding(t *testing.T) {
	e := checktest.NewEnv(t, orgsim.OrgSpec{Members: 1})
	fs := run(t, e.Request(t, 1, []string{"iam:GenerateCredentialReport"}, "{}"))
	if len(fs) != 3 {
		t.Fatalf("%d findings", len(fs))
	}
	for _, f := range fs {
		if f.Status != plugins.StatusError || !strings.Contains(f.Message, "iam:GetCredentialReport") || !strings.Contains(f.Message, "AccessDenied") {
			t.Errorf("%s: %s %s", f.Check, f.Status, f.Message)
		}
	}
}

// TestConformance runs the check through the real gRPC shim against a
// seeded member with findings of every kind.
func TestConformance(t *testing.T) {
	e := checktest.NewEnv(t, orgsim.OrgSpec{Members: 4})
	plugintest.Conformance(t, &check{}, plugintest.Options{Request: e.Request(t, 3, describe(t).Actions, "{}")})
}
