package controls_test

import (
	"context"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/iam"

	"github.com/orgbaseline/orgbaseline/baseline"
	"github.com/orgbaseline/orgbaseline/baseline/controls"
	"github.com/orgbaseline/orgbaseline/internal/awsapi"
	"github.com/orgbaseline/orgbaseline/internal/orgsim"
	"github.com/orgbaseline/orgbaseline/orgwalk"
)

// memberTarget returns a target acting in a member account of a fresh
// simulated organization, through the execution role.
func memberTarget(t *testing.T) (*orgsim.Sim, controls.Target) {
	t.Helper()
	sim := orgsim.New(orgsim.Options{Seed: 9, Org: orgsim.OrgSpec{Members: 2, Clean: true}})
	srv := httptest.NewServer(sim)
	t.Cleanup(srv.Close)
	c := sim.ManagementCredentials()
	cfg, err := awsapi.Load(context.Background(), awsapi.Options{Region: "us-east-1", Endpoint: srv.URL, NoBackoff: true,
		Static: &aws.Credentials{AccessKeyID: c.AccessKeyID, SecretAccessKey: c.SecretAccessKey}})
	if err != nil {
		t.Fatal(err)
	}
	var member string
	for _, a := range sim.Accounts() {
		if a.ID != sim.ManagementAccountID() {
			member = a.ID
		}
	}
	s := orgwalk.NewSessions(cfg, orgwalk.SessionOptions{Role: "OrganizationAccountAccessRole", SessionName: "test"})
	acfg, err := s.Config(context.Background(), member, "us-east-1")
	if err != nil {
		t.Fatal(err)
	}
	return sim, controls.Target{AccountID: member, Region: "us-east-1", Config: acfg}
}

func cis() baseline.PasswordPolicySettings {
	return baseline.PasswordPolicySettings{MinimumPasswordLength: 14, RequireSymbols: true, RequireNumbers: true,
		RequireUppercaseCharacters: true, RequireLowercaseCharacters: true, AllowUsersToChangePassword: true, PasswordReusePrevention: 24}
}

func plan(t *testing.T, c controls.Control, tg controls.Target) []baseline.Change {
	t.Helper()
	obs, err := c.Observe(context.Background(), tg)
	if err != nil {
		t.Fatal(err)
	}
	changes, err := c.Diff(tg, obs)
	if err != nil {
		t.Fatal(err)
	}
	return changes
}

func TestPasswordPolicyConvergesAndIsIdempotent(t *testing.T) {
	sim, tg := memberTarget(t)
	c := controls.NewPasswordPolicy(cis())
	changes := plan(t, c, tg)
	if len(changes) != 1 || changes[0].Action != baseline.ActionCreate || changes[0].Account != tg.AccountID {
		t.Fatalf("plan on an empty account: %+v", changes)
	}
	if err := c.Apply(context.Background(), tg, changes[0]); err != nil {
		t.Fatal(err)
	}
	got, err := iam.NewFromConfig(tg.Config).GetAccountPasswordPolicy(context.Background(), &iam.GetAccountPasswordPolicyInput{})
	if err != nil {
		t.Fatal(err)
	}
	if pp := got.PasswordPolicy; aws.ToInt32(pp.MinimumPasswordLength) != 14 || aws.ToInt32(pp.PasswordReusePrevention) != 24 || !pp.RequireSymbols || pp.ExpirePasswords {
		t.Fatalf("applied policy %+v", pp)
	}
	sim.ResetCounters()
	if changes := plan(t, c, tg); len(changes) != 0 {
		t.Fatalf("second plan: %+v", changes)
	}
	if w := sim.Counters().Writes(); w != 0 {
		t.Fatalf("a converged plan made %d writes", w)
	}
	for _, f := range c.Findings(tg, mustObserve(t, c, tg)) {
		if f.Status != baseline.StatusPass {
			t.Errorf("converged finding %s: %s %s", f.Check, f.Status, f.Message)
		}
	}
}

func mustObserve(t *testing.T, c controls.Control, tg controls.Target) any {
	t.Helper()
	obs, err := c.Observe(context.Background(), tg)
	if err != nil {
		t.Fatal(err)
	}
	return obs
}

// UpdateAccountPasswordPolicy is not a partial update: a field the
// baseline leaves at its default must be reset, not kept.
func TestPasswordPolicyReplacesTheWholePolicy(t *testing.T) {
	_, tg := memberTarget(t)
	_, err := iam.NewFromConfig(tg.Config).UpdateAccountPasswordPolicy(context.Background(), &iam.UpdateAccountPasswordPolicyInput{
		MinimumPasswordLength: aws.Int32(20), MaxPasswordAge: aws.Int32(30), HardExpiry: aws.Bool(true), RequireSymbols: true,
	})
	if err != nil {
		t.Fatal(err)
	}
	c := controls.NewPasswordPolicy(cis())
	changes := plan(t, c, tg)
	if len(changes) != 1 || changes[0].Action != baseline.ActionUpdate {
		t.Fatalf("plan: %+v", changes)
	}
	fields := map[string]baseline.FieldDiff{}
	for _, f := range changes[0].Fields() {
		fields[f.Name] = f
	}
	for _, name := range []string{"minimumPasswordLength", "maxPasswordAge", "hardExpiry", "passwordReusePrevention"} {
		if _, ok := fields[name]; !ok {
			t.Errorf("change does not list %s: %+v", name, changes[0].Fields())
		}
	}
	if _, ok := fields["requireSymbols"]; ok {
		t.Errorf("requireSymbols is already as declared but listed")
	}
	if err := c.Apply(context.Background(), tg, changes[0]); err != nil {
		t.Fatal(err)
	}
	got, _ := iam.NewFromConfig(tg.Config).GetAccountPasswordPolicy(context.Background(), &iam.GetAccountPasswordPolicyInput{})
	if pp := got.PasswordPolicy; pp.MaxPasswordAge != nil || aws.ToBool(pp.HardExpiry) || aws.ToInt32(pp.MinimumPasswordLength) != 14 {
		t.Fatalf("policy after apply kept old fields: %+v", pp)
	}
	if len(plan(t, c, tg)) != 0 {
		t.Fatal("not converged after apply")
	}
}

func TestPasswordPolicyFindings(t *testing.T) {
	_, tg := memberTarget(t)
	c := controls.NewPasswordPolicy(cis())
	fs := c.Findings(tg, mustObserve(t, c, tg))
	if len(fs) != 1 || fs[0].Check != "passwordPolicy.present" || fs[0].Status != baseline.StatusFail || fs[0].Remediation == "" {
		t.Fatalf("no policy: %+v", fs)
	}
	_, err := iam.NewFromConfig(tg.Config).UpdateAccountPasswordPolicy(context.Background(), &iam.UpdateAccountPasswordPolicyInput{
		MinimumPasswordLength: aws.Int32(8), RequireNumbers: true, RequireUppercaseCharacters: true, RequireLowercaseCharacters: true,
		AllowUsersToChangePassword: true, PasswordReusePrevention: aws.Int32(24),
	})
	if err != nil {
		t.Fatal(err)
	}
	status := map[string]baseline.Status{}
	refs := map[string][]string{}
	for _, f := range c.Findings(tg, mustObserve(t, c, tg)) {
		status[f.Check] = f.Status
		refs[f.Check] = f.Compliance
	}
	want := map[string]baseline.Status{
		"passwordPolicy.present":                 baseline.StatusPass,
		"passwordPolicy.minimumPasswordLength":   baseline.StatusFail,
		"passwordPolicy.characterClasses":        baseline.StatusFail,
		"passwordPolicy.passwordReusePrevention": baseline.StatusPass,
		"passwordPolicy.expiry":                  baseline.StatusPass,
		"passwordPolicy.userSelfService":         baseline.StatusPass,
	}
	for check, st := range want {
		if status[check] != st {
			t.Errorf("%s: %s, want %s", check, status[check], st)
		}
	}
	if refs["passwordPolicy.minimumPasswordLength"][0] != "CIS-3.0:1.8" || refs["passwordPolicy.passwordReusePrevention"][0] != "CIS-3.0:1.9" {
		t.Errorf("compliance references: %v", refs)
	}
}

// The CIS profile (password policy, organization trail, Access Analyzer,
// Config) converges through the engine, and every finding passes after.
func TestCISProfileConvergesThroughTheEngine(t *testing.T) {
	w := newWorld(t, orgsim.OrgSpec{Members: 5, Suspended: 1}, `version: 1
extends: [cis-aws-foundations-3.0]
organization:
  accounts: {logArchive: Log Archive, audit: Audit}
`, nil)
	p := w.converge()
	passwords := 0
	for _, c := range changes(p) {
		if strings.HasPrefix(c, "passwordPolicy ") {
			passwords++
		}
	}
	if passwords != len(w.sel.Targets) {
		t.Fatalf("%d password policy changes for %d targeted accounts:\n%s", passwords, len(w.sel.Targets), describe(p))
	}
	checks := map[string]bool{}
	for _, f := range w.check() {
		checks[f.Check] = true
		if f.Status != baseline.StatusPass {
			t.Errorf("%s in %s: %s", f.Check, f.Account, f.Message)
		}
	}
	for _, want := range []string{"passwordPolicy.minimumPasswordLength", "accessAnalyzer.enabled", "config.enabled"} {
		if !checks[want] {
			t.Errorf("no %s finding; got %v", want, checks)
		}
	}
}
