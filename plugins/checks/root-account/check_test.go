package main

import (
	"context"
	"encoding/json"
	"net/http/httptest"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"

	"github.com/orgbaseline/orgbaseline/internal/awsapi"
	"github.com/orgbaseline/orgbaseline/internal/orgsim"
	"github.com/orgbaseline/orgbaseline/orgwalk"
	"github.com/orgbaseline/orgbaseline/plugins"
	"github.com/orgbaseline/orgbaseline/plugins/plugintest"
)

// testNow is the sim's clock and every run's req.Now, so ages are exact.
var testNow = time.Date(2026, 11, 1, 12, 0, 0, 0, time.UTC)

// env is an orgsim organization and the means to build run requests the
// way the host does.
type env struct {
	sim      *orgsim.Sim
	url      string
	sessions *orgwalk.Sessions
	accounts []orgsim.AccountInfo // [0] the management account, [i] member i
}

func newEnv(t testing.TB, spec orgsim.OrgSpec) *env {
	t.Helper()
	sim := orgsim.New(orgsim.Options{Seed: 1, Org: spec, Now: func() time.Time { return testNow }})
	srv := httptest.NewServer(sim)
	t.Cleanup(srv.Close)
	c := sim.ManagementCredentials()
	cfg, err := awsapi.Load(context.Background(), awsapi.Options{
		Region: "us-east-1", Endpoint: srv.URL, NoBackoff: true,
		Static: &aws.Credentials{AccessKeyID: c.AccessKeyID, SecretAccessKey: c.SecretAccessKey},
	})
	if err != nil {
		t.Fatal(err)
	}
	return &env{
		sim: sim, url: srv.URL, accounts: sim.Accounts(),
		sessions: orgwalk.NewSessions(cfg, orgwalk.SessionOptions{
			Role: orgsim.DefaultExecutionRole, SessionName: "orgbaseline-check-test", ManagementAccountID: sim.ManagementAccountID(),
		}),
	}
}

// request is member i's run request, with credentials from the execution
// role narrowed by a session policy allowing exactly actions, as the host
// obtains them.
func (e *env) request(t testing.TB, i int, actions []string, config string) *plugins.RunRequest {
	t.Helper()
	ctx := context.Background()
	policy, err := json.Marshal(map[string]any{
		"Version":   "2012-10-17",
		"Statement": []map[string]any{{"Effect": "Allow", "Action": actions, "Resource": "*"}},
	})
	if err != nil {
		t.Fatal(err)
	}
	a := e.accounts[i]
	cfg, err := e.sessions.ConfigWithPolicy(ctx, a.ID, "us-east-1", string(policy))
	if err != nil {
		t.Fatal(err)
	}
	creds, err := cfg.Credentials.Retrieve(ctx)
	if err != nil {
		t.Fatal(err)
	}
	return &plugins.RunRequest{
		Account:    plugins.Account{ID: a.ID, Name: a.Name, OUPath: a.OUPath, Tags: a.Tags},
		HomeRegion: "us-east-1",
		Regions:    []string{"us-east-1"},
		Config:     []byte(config),
		Endpoint:   e.url,
		Credentials: plugins.Credentials{
			AccessKeyID: creds.AccessKeyID, SecretAccessKey: creds.SecretAccessKey, SessionToken: creds.SessionToken, Expires: creds.Expires,
		},
		Now: testNow,
	}
}

func describe(t testing.TB) *plugins.DescribeResponse {
	t.Helper()
	d, err := (&check{}).Describe(context.Background(), &plugins.DescribeRequest{})
	if err != nil {
		t.Fatal(err)
	}
	return d
}

// run runs the check in-process and checks what every finding must have.
func run(t testing.TB, req *plugins.RunRequest) []plugins.Finding {
	t.Helper()
	resp, err := (&check{}).Run(context.Background(), req)
	if err != nil {
		t.Fatal(err)
	}
	seen := map[string]bool{}
	for _, f := range resp.Findings {
		key := f.Check + " " + f.Resource
		if seen[key] {
			t.Errorf("two findings for %s", key)
		}
		seen[key] = true
		want, ok := wantCompliance[f.Check]
		if !ok {
			t.Errorf("finding of unknown rule %q", f.Check)
		}
		if !slices.Equal(f.Compliance, want) {
			t.Errorf("%s: compliance %v, want %v", key, f.Compliance, want)
		}
		if f.Title == "" || f.Message == "" || f.Severity == "" || f.Region != "" {
			t.Errorf("%s: incomplete finding %+v", key, f)
		}
		if f.Status == plugins.StatusFail && f.Remediation == "" {
			t.Errorf("%s: FAIL without remediation", key)
		}
		if (f.Status == plugins.StatusPass || f.Status == plugins.StatusFail) && len(f.Evidence) == 0 {
			t.Errorf("%s: no evidence", key)
		}
	}
	return resp.Findings
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
	if d.ID != "root-account" || d.Version != "1.0.0" || d.Title == "" || d.Description == "" || d.DefaultSeverity != plugins.SeverityHigh {
		t.Errorf("describe: %+v", d)
	}
	if !slices.Equal(d.Actions, []string{"iam:GenerateCredentialReport", "iam:GetCredentialReport"}) {
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
// days ago when i%4 == 2, never when i%4 == 0, else 150 days ago.
func TestSeededOrganization(t *testing.T) {
	e := newEnv(t, orgsim.OrgSpec{Members: 8})
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
		e.sim.ResetCounters()
		fs := run(t, e.request(t, i, actions, "{}"))
		if len(fs) != 3 {
			t.Fatalf("member %d: %d findings, want 3", i, len(fs))
		}
		root := "arn:aws:iam::" + e.accounts[i].ID + ":root"
		got := byCheck(fs)
		for rule, status := range want {
			f := got[rule]
			if f.Status != status || f.Resource != root {
				t.Errorf("member %d %s: %s on %s (%s), want %s on %s", i, rule, f.Status, f.Resource, f.Message, status, root)
			}
		}
		// The credential report is read once: Generate twice (the sim's
		// clock stands still), Get once.
		sn := e.sim.Counters()
		if g, r := sn.Calls("iam", "GenerateCredentialReport"), sn.Calls("iam", "GetCredentialReport"); g > 2 || r != 1 {
			t.Errorf("member %d: GenerateCredentialReport %d, GetCredentialReport %d calls", i, g, r)
		}

		switch i {
		case 3:
			if f := got["root-account.mfa"]; f.Evidence["mfa_active"] != "false" || f.Severity != plugins.SeverityCritical {
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
	e := newEnv(t, orgsim.OrgSpec{Members: 3, Clean: true})
	actions := describe(t).Actions
	for i := 1; i <= 3; i++ {
		fs := run(t, e.request(t, i, actions, ""))
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
	e := newEnv(t, orgsim.OrgSpec{Members: 8})
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
		f := byCheck(run(t, e.request(t, tc.member, actions, tc.config)))["root-account.recent-use"]
		if f.Status != tc.want {
			t.Errorf("%s member %d: %s (%s), want %s", tc.config, tc.member, f.Status, f.Message, tc.want)
		}
	}
}

func TestInvalidConfigIsAnError(t *testing.T) {
	e := newEnv(t, orgsim.OrgSpec{Members: 1})
	actions := describe(t).Actions
	for config, want := range map[string]string{
		`{"rootUseWindowDay": 30}`:     `unknown key "rootUseWindowDay"`,
		`{"rootUseWindowDays": 0}`:     "rootUseWindowDays is 0",
		`{"rootUseWindowDays": "30"}`:  `key "rootUseWindowDays"`,
		`{"rootUseWindowDays": 30} {}`: "more than one JSON value",
	} {
		_, err := (&check{}).Run(context.Background(), e.request(t, 1, actions, config))
		if err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("config %s: got %v, want an error containing %q", config, err, want)
		}
	}
}

// TestMissingActionIsAnErrorFinding runs with a session policy lacking one
// declared action: every verdict is an ERROR naming it.
func TestMissingActionIsAnErrorFinding(t *testing.T) {
	e := newEnv(t, orgsim.OrgSpec{Members: 1})
	fs := run(t, e.request(t, 1, []string{"iam:GenerateCredentialReport"}, "{}"))
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
	e := newEnv(t, orgsim.OrgSpec{Members: 4})
	plugintest.Conformance(t, &check{}, plugintest.Options{Request: e.request(t, 3, describe(t).Actions, "{}")})
}
