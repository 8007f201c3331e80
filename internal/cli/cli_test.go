package cli

import (
	"context"
	"encoding/json"
	"errors"
	"os"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/iam"
	"github.com/aws/aws-sdk-go-v2/service/iam/types"

	"github.com/orgbaseline/orgbaseline/baseline"
	"github.com/orgbaseline/orgbaseline/internal/orgsim"
)

// activeMembers returns the ids of ACTIVE member accounts, optionally under
// an OU path prefix.
func activeMembers(sim *orgsim.Sim, under string) []string {
	var ids []string
	mgmt := sim.ManagementAccountID()
	for _, a := range sim.Accounts() {
		if a.ID == mgmt || a.State != "ACTIVE" {
			continue
		}
		if under != "" && a.OUPath != under && !strings.HasPrefix(a.OUPath, under+"/") {
			continue
		}
		ids = append(ids, a.ID)
	}
	sort.Strings(ids)
	return ids
}

func readPlan(t *testing.T, path string) *baseline.Plan {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	var p baseline.Plan
	if err := json.Unmarshal(b, &p); err != nil {
		t.Fatal(err)
	}
	return &p
}

// changedAccounts lists the accounts of a plan that have changes.
func changedAccounts(p *baseline.Plan) []string {
	var ids []string
	for _, a := range p.Accounts {
		if len(a.Changes) > 0 {
			ids = append(ids, a.Account)
		}
	}
	sort.Strings(ids)
	return ids
}

func TestPlanApplyConvergesAndSecondApplyWritesNothing(t *testing.T) {
	h := newHarness(t, orgsim.OrgSpec{Members: 6, Clean: true})
	f := h.write("baseline.yaml", passwordBaseline)
	planFile := filepath.Join(h.dir, "plan.json")

	r := h.run("plan", "-f", f, "--detailed-exitcode", "-out", planFile)
	h.want(r, ExitChanges)
	members := activeMembers(h.sim, "")
	if got := changedAccounts(readPlan(t, planFile)); !equal(got, members) {
		t.Fatalf("plan changes accounts %v, want every member %v", got, members)
	}
	if n := strings.Count(r.stdout, "+ passwordPolicy"); n != len(members) {
		t.Fatalf("plan shows %d password policy creations, want %d:\n%s", n, len(members), r.stdout)
	}

	h.want(h.run("apply", "-f", f, "--auto-approve"), ExitOK)
	h.want(h.run("plan", "-f", f, "--detailed-exitcode"), ExitOK)

	h.sim.ResetCounters()
	r = h.run("apply", "-f", f, "--auto-approve")
	h.want(r, ExitOK)
	if !strings.Contains(r.stdout, "no changes were made (0 write calls)") {
		t.Fatalf("second apply does not say it changed nothing:\n%s", r.stdout)
	}
	if w := h.sim.Counters().Writes(); w != 0 {
		t.Fatalf("second apply made %d write calls, want 0", w)
	}

	// The policy set is the baseline's, read back through the SDK.
	cfg := h.accountConfig(members[0])
	out, err := iam.NewFromConfig(cfg).GetAccountPasswordPolicy(context.Background(), &iam.GetAccountPasswordPolicyInput{})
	if err != nil {
		t.Fatal(err)
	}
	pp := out.PasswordPolicy
	if aws.ToInt32(pp.MinimumPasswordLength) != 14 || aws.ToInt32(pp.PasswordReusePrevention) != 24 || !pp.RequireSymbols || !pp.AllowUsersToChangePassword || pp.MaxPasswordAge != nil {
		t.Fatalf("password policy in %s = %+v, not the baseline's", members[0], pp)
	}
}

func TestTargeting(t *testing.T) {
	h := newHarness(t, orgsim.OrgSpec{Members: 10, Clean: true})
	mgmt := h.sim.ManagementAccountID()
	logArchive := h.accountID("Log Archive")
	audit := h.accountID("Audit")
	prod := activeMembers(h.sim, "/Workloads/Prod")
	dev := activeMembers(h.sim, "/Workloads/Dev")
	if len(prod) == 0 || len(dev) == 0 {
		t.Fatalf("seed has no prod (%v) or dev (%v) accounts", prod, dev)
	}
	var tagged []string
	for _, a := range h.sim.Accounts() {
		if a.Tags["env"] == "prod" && a.State == "ACTIVE" {
			tagged = append(tagged, a.ID)
		}
	}
	sort.Strings(tagged)
	all := activeMembers(h.sim, "")
	workloads := activeMembers(h.sim, "/Workloads")
	withMgmt := append(append([]string(nil), all...), mgmt)
	sort.Strings(withMgmt)
	ouID, ok := h.sim.OUID("/Workloads/Prod")
	if !ok {
		t.Fatal("no /Workloads/Prod OU")
	}

	for _, tc := range []struct {
		name    string
		targets string
		want    []string
	}{
		{"default is every member", "", all},
		{"ou path", "targets:\n  include: [ou:/Workloads/Prod]\n", prod},
		{"ou id", "targets:\n  include: [ou:" + ouID + "]\n", prod},
		{"ou path with exclude", "targets:\n  include: [ou:/Workloads]\n  exclude: [ou:/Workloads/Dev]\n", minus(workloads, dev)},
		{"tag", "targets:\n  include: [tag:env=prod]\n", tagged},
		{"names", "targets:\n  include: [\"account:Log Archive\", \"account:" + audit + "\"]\n", sorted(logArchive, audit)},
		{"management excluded by default", "targets:\n  include: [\"account:" + mgmt + "\"]\n", nil},
		{"management opt-in", "targets:\n  include: [root]\n  includeManagementAccount: true\n", withMgmt},
	} {
		t.Run(tc.name, func(t *testing.T) {
			f := h.write("b.yaml", passwordBaseline+tc.targets)
			r := h.run("accounts", "-f", f, "--format", "json")
			h.want(r, ExitOK)
			var doc struct {
				Accounts []struct {
					ID       string `json:"id"`
					Targeted bool   `json:"targeted"`
				} `json:"accounts"`
			}
			if err := json.Unmarshal([]byte(r.stdout), &doc); err != nil {
				t.Fatalf("accounts --format json: %v\n%s", err, r.stdout)
			}
			var got []string
			for _, a := range doc.Accounts {
				if a.Targeted {
					got = append(got, a.ID)
				}
			}
			sort.Strings(got)
			if !equal(got, tc.want) {
				t.Fatalf("targeted %v, want %v", got, tc.want)
			}
		})
	}
}

func TestUnknownTargetsAreErrorsBeforeAnyWrite(t *testing.T) {
	h := newHarness(t, orgsim.OrgSpec{Members: 4, Clean: true})
	f := h.write("b.yaml", passwordBaseline+"targets:\n  include:\n    - ou:/Workloads/Nope\n    - account:No Such Account\n")
	r := h.run("apply", "-f", f, "--auto-approve")
	h.want(r, ExitError)
	for _, want := range []string{"b.yaml:13:7", "no OU at path /Workloads/Nope", "b.yaml:14:7", `no account named "No Such Account"`} {
		if !strings.Contains(r.stderr, want) {
			t.Errorf("error does not mention %q:\n%s", want, r.stderr)
		}
	}
	if w := h.sim.Counters().Writes(); w != 0 {
		t.Fatalf("%d write calls were made", w)
	}
}

func TestMissingRoleIsReportedAndOthersConverge(t *testing.T) {
	h := newHarness(t, orgsim.OrgSpec{Members: 6, MissingRole: 1, Clean: true})
	f := h.write("baseline.yaml", passwordBaseline)
	r := h.run("apply", "-f", f, "--auto-approve")
	h.want(r, ExitError)
	broken := ""
	for _, id := range activeMembers(h.sim, "") {
		if strings.Contains(r.stdout, "assume arn:aws:iam::"+id+":role/OrganizationAccountAccessRole") {
			if broken != "" {
				t.Fatalf("more than one account reported an assume failure:\n%s", r.stdout)
			}
			broken = id
		}
	}
	if broken == "" {
		t.Fatalf("no account reported its assume failure:\n%s", r.stdout)
	}
	planFile := filepath.Join(h.dir, "plan.json")
	h.want(h.run("plan", "-f", f, "-out", planFile), ExitError)
	p := readPlan(t, planFile)
	for _, a := range p.Accounts {
		switch {
		case a.Account == broken && a.Error == "":
			t.Errorf("account %s with no role has no error in the plan", a.Account)
		case a.Account != broken && (a.Error != "" || len(a.Changes) != 0):
			t.Errorf("account %s did not converge: error %q, %d changes", a.Account, a.Error, len(a.Changes))
		}
	}
}

func TestSuspendedAccountSkippedAndReported(t *testing.T) {
	h := newHarness(t, orgsim.OrgSpec{Members: 5, Suspended: 1, Clean: true})
	var suspended string
	for _, a := range h.sim.Accounts() {
		if a.State == "SUSPENDED" {
			suspended = a.ID
		}
	}
	if suspended == "" {
		t.Fatal("seed has no suspended account")
	}
	f := h.write("baseline.yaml", passwordBaseline)
	planFile := filepath.Join(h.dir, "plan.json")
	r := h.run("plan", "-f", f, "-out", planFile)
	h.want(r, ExitOK)
	if !strings.Contains(r.stdout, suspended+") skipped: account state is SUSPENDED") {
		t.Fatalf("plan does not report the suspended account %s:\n%s", suspended, r.stdout)
	}
	for _, a := range readPlan(t, planFile).Accounts {
		if a.Account == suspended && (a.Skipped == "" || len(a.Changes) > 0) {
			t.Fatalf("suspended account in plan: %+v", a)
		}
	}
	if n := h.sim.Counters().Filter(func(c orgsim.CallStat) bool { return c.Account == suspended }).Total(); n != 0 {
		t.Fatalf("%d calls were made in the suspended account", n)
	}
}

func TestDriftIsPlannedBack(t *testing.T) {
	h := newHarness(t, orgsim.OrgSpec{Members: 3, Clean: true})
	f := h.write("baseline.yaml", passwordBaseline)
	h.want(h.run("apply", "-f", f, "--auto-approve"), ExitOK)

	victim := activeMembers(h.sim, "")[1]
	weaken(t, h, victim)

	planFile := filepath.Join(h.dir, "plan.json")
	r := h.run("plan", "-f", f, "-out", planFile, "--detailed-exitcode")
	h.want(r, ExitChanges)
	p := readPlan(t, planFile)
	if got := changedAccounts(p); !equal(got, []string{victim}) {
		t.Fatalf("drift planned in %v, want only %s", got, victim)
	}
	var ch baseline.Change
	for _, a := range p.Accounts {
		if a.Account == victim {
			if len(a.Changes) != 1 {
				t.Fatalf("%d changes, want 1", len(a.Changes))
			}
			ch = a.Changes[0]
		}
	}
	var fields []string
	for _, fd := range ch.Fields() {
		fields = append(fields, fd.Name)
	}
	if ch.Action != baseline.ActionUpdate || !equal(fields, []string{"minimumPasswordLength", "requireSymbols"}) {
		t.Fatalf("drift change = %s of %v, want an update of minimumPasswordLength and requireSymbols", ch.Action, fields)
	}
	if !strings.Contains(r.stdout, "~ minimumPasswordLength: 8 -> 14") {
		t.Fatalf("plan does not show before and after:\n%s", r.stdout)
	}
	h.want(h.run("apply", "-f", f, planFile, "--auto-approve"), ExitOK)
	h.want(h.run("plan", "-f", f, "--detailed-exitcode"), ExitOK)
}

// weaken sets a weaker password policy in account, behind the tool's back.
func weaken(t *testing.T, h *harness, account string) {
	t.Helper()
	_, err := iam.NewFromConfig(h.accountConfig(account)).UpdateAccountPasswordPolicy(context.Background(), &iam.UpdateAccountPasswordPolicyInput{
		MinimumPasswordLength:      aws.Int32(8),
		RequireNumbers:             true,
		RequireUppercaseCharacters: true,
		RequireLowercaseCharacters: true,
		AllowUsersToChangePassword: true,
		PasswordReusePrevention:    aws.Int32(24),
	})
	if err != nil {
		t.Fatal(err)
	}
}

func TestStalePlanIsRefused(t *testing.T) {
	h := newHarness(t, orgsim.OrgSpec{Members: 3, Clean: true})
	f := h.write("baseline.yaml", passwordBaseline)
	h.want(h.run("apply", "-f", f, "--auto-approve"), ExitOK)
	victim := activeMembers(h.sim, "")[0]
	weaken(t, h, victim)
	planFile := filepath.Join(h.dir, "plan.json")
	h.want(h.run("plan", "-f", f, "-out", planFile), ExitOK)

	// Someone fixes the account by hand after the plan was made.
	_, err := iam.NewFromConfig(h.accountConfig(victim)).UpdateAccountPasswordPolicy(context.Background(), &iam.UpdateAccountPasswordPolicyInput{MinimumPasswordLength: aws.Int32(20)})
	if err != nil {
		t.Fatal(err)
	}
	h.sim.ResetCounters()
	r := h.run("apply", "-f", f, planFile, "--auto-approve")
	h.want(r, ExitError)
	if !strings.Contains(r.stderr, "the plan is stale") || !strings.Contains(r.stderr, victim) {
		t.Fatalf("stale plan not refused by name:\n%s", r.stderr)
	}
	if w := h.sim.Counters().Writes(); w != 0 {
		t.Fatalf("a stale plan made %d writes", w)
	}

	// A plan made from another baseline is refused too: -f naming
	// another file, or the plan's own baseline edited since.
	h.want(h.run("plan", "-f", f, "-out", planFile), ExitOK)
	other := h.write("other.yaml", strings.Replace(passwordBaseline, "minimumPasswordLength: 14", "minimumPasswordLength: 16", 1))
	r = h.run("apply", "-f", other, planFile, "--auto-approve")
	h.want(r, ExitError)
	if !strings.Contains(r.stderr, "was made from the baseline "+strconv.Quote(f)+", but -f names "+strconv.Quote(other)) {
		t.Fatalf("a -f naming another baseline is not refused naming both:\n%s", r.stderr)
	}
	h.write("baseline.yaml", strings.Replace(passwordBaseline, "minimumPasswordLength: 14", "minimumPasswordLength: 16", 1))
	r = h.run("apply", planFile, "--auto-approve")
	h.want(r, ExitError)
	if !strings.Contains(r.stderr, "different baseline") {
		t.Fatalf("plan from another baseline not refused:\n%s", r.stderr)
	}
}

func TestApplyConfirmation(t *testing.T) {
	h := newHarness(t, orgsim.OrgSpec{Members: 2, Clean: true})
	f := h.write("baseline.yaml", passwordBaseline)

	r := h.run("apply", "-f", f)
	h.want(r, ExitError)
	if !strings.Contains(r.stderr, "no terminal to ask on") {
		t.Fatalf("unattended apply without --auto-approve not refused:\n%s", r.stderr)
	}
	r = h.runTTY("no\n", "apply", "-f", f)
	h.want(r, ExitError)
	if !strings.Contains(r.stderr, "apply cancelled") {
		t.Fatalf("a 'no' did not cancel:\n%s", r.stderr)
	}
	if w := h.sim.Counters().Writes(); w != 0 {
		t.Fatalf("refused applies made %d writes", w)
	}
	h.want(h.runTTY("yes\n", "apply", "-f", f), ExitOK)
	h.want(h.run("plan", "-f", f, "--detailed-exitcode"), ExitOK)
}

func TestMaxChanges(t *testing.T) {
	h := newHarness(t, orgsim.OrgSpec{Members: 3, Clean: true})
	f := h.write("baseline.yaml", passwordBaseline)
	r := h.run("apply", "-f", f, "--auto-approve", "--max-changes", "2")
	h.want(r, ExitError)
	if !strings.Contains(r.stderr, "more than --max-changes 2") {
		t.Fatalf("max-changes not enforced:\n%s", r.stderr)
	}
	if w := h.sim.Counters().Writes(); w != 0 {
		t.Fatalf("%d writes despite --max-changes", w)
	}
	h.want(h.run("apply", "-f", f, "--auto-approve", "--max-changes", "3"), ExitOK)
}

func TestInvalidBaselineTouchesNoAWS(t *testing.T) {
	h := newHarness(t, orgsim.OrgSpec{Members: 2, Clean: true})
	f := h.write("bad.yaml", `version: 1
organization:
  concurrency: 0
  homeRegion: mars-1
targets:
  include: [ou:Workloads]
controls:
  passwordPolicy:
    minimumPasswordLenght: 14
    passwordReusePrevention: 30
`)
	for _, cmd := range [][]string{{"validate"}, {"plan"}, {"apply", "--auto-approve"}, {"check"}} {
		r := h.run(append(cmd, "-f", f)...)
		h.want(r, ExitError)
		for _, want := range []string{"bad.yaml:3:16", "bad.yaml:4:15", "bad.yaml:6:13", "bad.yaml:9:5", `did you mean "minimumPasswordLength"`, "bad.yaml:10:30"} {
			if !strings.Contains(r.stderr, want) {
				t.Errorf("%s: error does not mention %q:\n%s", cmd[0], want, r.stderr)
			}
		}
	}
	if n := h.sim.Counters().Total(); n != 0 {
		t.Fatalf("an invalid baseline led to %d AWS calls", n)
	}
}

func TestCheckFindingsAndExitCodes(t *testing.T) {
	h := newHarness(t, orgsim.OrgSpec{Members: 3, Clean: true})
	f := h.write("baseline.yaml", passwordBaseline)
	out := filepath.Join(h.dir, "report.json")
	r := h.run("check", "-f", f, "--format", "json", "--output", out)
	h.want(r, ExitFindings)
	b, err := os.ReadFile(out)
	if err != nil {
		t.Fatal(err)
	}
	var rep struct {
		FormatVersion string             `json:"formatVersion"`
		Findings      []baseline.Finding `json:"findings"`
	}
	if err := json.Unmarshal(b, &rep); err != nil {
		t.Fatal(err)
	}
	members := activeMembers(h.sim, "")
	failing := map[string]bool{}
	for _, fd := range rep.Findings {
		if fd.Status == baseline.StatusFail && fd.Check == "passwordPolicy.present" {
			failing[fd.Account] = true
			if !contains(fd.Compliance, "CIS-3.0:1.8") {
				t.Errorf("finding %s lacks CIS-3.0:1.8: %v", fd.Check, fd.Compliance)
			}
		}
	}
	if rep.FormatVersion != "1" || len(failing) != len(members) {
		t.Fatalf("format %q, %d accounts fail passwordPolicy.present, want %d", rep.FormatVersion, len(failing), len(members))
	}
	h.want(h.run("check", "-f", f, "--fail-on", "critical"), ExitOK)
	h.want(h.run("apply", "-f", f, "--auto-approve"), ExitOK)
	r = h.run("check", "-f", f)
	h.want(r, ExitOK)
	if !strings.Contains(r.stdout, "0 failed") {
		t.Fatalf("converged organization still fails:\n%s", r.stdout)
	}
}

func TestSimServeEnvFilePointsTheToolAtTheSimulator(t *testing.T) {
	dir := t.TempDir()
	envFile := filepath.Join(dir, "orgsim.env")
	ready := make(chan string, 1)
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	var out, errb strings.Builder
	a := &app{stdin: strings.NewReader(""), stdout: &syncWriter{w: &out}, stderr: &syncWriter{w: &errb}, getenv: os.Getenv, simReady: func(url string) { ready <- url }}
	done := make(chan int, 1)
	go func() {
		done <- a.run(ctx, []string{"sim", "serve", "--listen", "127.0.0.1:0", "--accounts", "4", "--clean", "--env-file", envFile})
	}()
	var url string
	select {
	case url = <-ready:
	case code := <-done:
		t.Fatalf("sim serve exited %d before it was ready: %s", code, errb.String())
	}

	// Source the env file, as a user's shell would.
	h := &harness{t: t, dir: dir}
	h.setEnv("", orgsim.Credentials{})
	content, err := os.ReadFile(envFile)
	if err != nil {
		t.Fatal(err)
	}
	for _, line := range strings.Split(string(content), "\n") {
		if kv, ok := strings.CutPrefix(line, "export "); ok {
			k, v, _ := strings.Cut(kv, "=")
			t.Setenv(k, v)
		}
	}
	if os.Getenv("AWS_ENDPOINT_URL") != url {
		t.Fatalf("env file points at %q, server is at %q", os.Getenv("AWS_ENDPOINT_URL"), url)
	}
	f := h.write("baseline.yaml", passwordBaseline)
	h.want(h.run("plan", "-f", f, "--detailed-exitcode"), ExitChanges)
	h.want(h.run("apply", "-f", f, "--auto-approve"), ExitOK)
	h.want(h.run("plan", "-f", f, "--detailed-exitcode"), ExitOK)
	cancel()
	if code := <-done; code != ExitOK {
		t.Fatalf("sim serve exited %d: %s", code, errb.String())
	}
}

func TestDemo(t *testing.T) {
	var out, errb strings.Builder
	a := &app{stdin: strings.NewReader(""), stdout: &out, stderr: &errb, getenv: os.Getenv}
	if code := a.run(context.Background(), []string{"demo"}); code != ExitOK {
		t.Fatalf("demo exited %d\n%s\n%s", code, out.String(), errb.String())
	}
	s := out.String()
	step3 := s[strings.Index(s, "== 3/4"):]
	for _, want := range []string{"Plan: 133 to create, 23 to update, 10 to delete", "skipped: account state is SUSPENDED",
		"Apply complete: 166 of 166 change(s) applied in 10 account(s) and the organization scope; 0 with errors",
		"Waited for AWS to settle",
		"No changes.", "the second plan made 0 writes", " 0 errors,",
		// The check plugins' findings next to the controls': the seeded
		// organization's IAM problems, found by the first-party checks.
		"FAIL [high] iam-users.mfa: User bob", "root-account.", "least-privilege.",
		"serviceControlPolicies +3", "resourceControlPolicies +3", "organizationTrail +", "accessAnalyzer +", "configOrganization +", "config +", "passwordPolicy +",
		// The audit of the members' root users (controls.rootAccess):
		// the features enabled, root access keys and signing
		// certificates deleted, what each root user keeps shown by the
		// second plan and reported by check.
		"rootAccess +3", "rootCredentials -1",
		"rootCredentials: the root user keeps a password and 1 MFA device (not in controls.rootAccess.removeCredentials)",
		"FAIL [high] rootCredentials.none: the root user has a password", "FAIL [critical] rootCredentials.mfa: the root user has a password and no MFA device"} {
		if !strings.Contains(s, want) {
			t.Errorf("demo output lacks %q:\n%s", want, s)
		}
	}
	if !strings.Contains(step3, "No changes.") {
		t.Errorf("second plan is not empty:\n%s", step3)
	}
	// The demo's directory is gone once it returns: nothing it prints
	// asks the reader to use it.
	for _, bad := range []string{"Apply exactly this plan with", "orgbaseline-demo-"} {
		if strings.Contains(s, bad) {
			t.Errorf("demo output mentions %q, which depends on the directory it deletes:\n%s", bad, s)
		}
	}
}

// TestDemoOutsideCheckout: run where there is no orgbaseline source (an
// installed binary, go run of a path from elsewhere), the demo says in
// one correct sentence that the check plugins were not built, and runs
// the controls.
func TestDemoOutsideCheckout(t *testing.T) {
	t.Chdir(t.TempDir())
	var out, errb strings.Builder
	a := &app{stdin: strings.NewReader(""), stdout: &out, stderr: &errb, getenv: os.Getenv}
	if code := a.run(context.Background(), []string{"demo"}); code != ExitOK {
		t.Fatalf("demo exited %d\n%s\n%s", code, out.String(), errb.String())
	}
	s := out.String()
	want := "Baseline: the example baseline.yaml (extends cis-aws-foundations-3.0; an SCP and an RCP at the root). The first-party check plugins were not built (run the demo from an orgbaseline checkout to build them), so check shows the controls' findings only.\n"
	if !strings.Contains(s, want) {
		t.Errorf("demo output lacks %q:\n%s", want, s)
	}
	if strings.Contains(s, "plus the first-party check plugins were not built") || strings.Contains(s, "iam-users.") {
		t.Errorf("demo output claims plugins it did not build:\n%s", s)
	}
}

func equal(a, b []string) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}

func minus(a, b []string) []string {
	var out []string
	for _, x := range a {
		if !contains(b, x) {
			out = append(out, x)
		}
	}
	return out
}

func sorted(xs ...string) []string {
	sort.Strings(xs)
	return xs
}

func contains(xs []string, x string) bool {
	for _, v := range xs {
		if v == x {
			return true
		}
	}
	return false
}

var _ = errors.New
var _ types.NoSuchEntityException
