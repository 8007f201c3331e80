package cli

import (
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/iam"
	"github.com/aws/aws-sdk-go-v2/service/organizations"
	"github.com/aws/aws-sdk-go-v2/service/organizations/types"

	"github.com/orgbaseline/orgbaseline/baseline"
	"github.com/orgbaseline/orgbaseline/internal/orgsim"
)

// savedPlanBaseline is passwordBaseline with an SCP on the root, so that
// the organization has SCPs a forged plan could detach.
const savedPlanBaseline = passwordBaseline + `  serviceControlPolicies:
    policies:
      - name: deny-leave
        targets: [root]
        document: '{"Version":"2012-10-17","Statement":[{"Effect":"Deny","Action":"organizations:LeaveOrganization","Resource":"*"}]}'
`

// TestSavedPlanIsNeverExecutedFromTheFile: `apply plan.json` applies the
// plan it computes now, and only when the file holds exactly that plan. A
// file edited anywhere (changes added to the management account's
// skipped entry or to the organization scope, an account the
// organization does not have, an account twice, an edited or a removed
// change) is refused, showing the difference, with nothing changed in
// the organization. The fields two computations of one plan differ in
// (when, and the path the baseline was given by) are not compared.
func TestSavedPlanIsNeverExecutedFromTheFile(t *testing.T) {
	h := newHarness(t, orgsim.OrgSpec{Members: 3, Clean: true})
	f := h.write("baseline.yaml", savedPlanBaseline)
	h.want(h.run("apply", "-f", f, "--auto-approve"), ExitOK)
	mgmt := h.sim.ManagementAccountID()
	members := activeMembers(h.sim, "")
	victim, other := members[0], members[1]
	weaken(t, h, victim)
	planFile := filepath.Join(h.dir, "plan.json")
	h.want(h.run("plan", "-f", f, "-out", planFile, "--detailed-exitcode"), ExitChanges)
	honest := readPlan(t, planFile)
	if got := changedAccounts(honest); !equal(got, []string{victim}) {
		t.Fatalf("the plan changes %v, want only %s", got, victim)
	}
	root := rootID(t, h)

	// The forgery of the issue: FullAWSAccess detached from the root and a
	// deny-everything SCP created, in the management account's entry,
	// which the plan skips.
	detachFullAccess := baseline.Change{Control: "serviceControlPolicies", Account: mgmt, Resource: "scp/FullAWSAccess/target/root", Action: baseline.ActionDelete,
		Before: map[string]any{"policy": "FullAWSAccess", "policyId": "p-FullAWSAccess", "target": "root", "targetId": root}}
	denyAll := baseline.Change{Control: "serviceControlPolicies", Account: mgmt, Resource: "scp/lock-out", Action: baseline.ActionCreate,
		After: map[string]any{"name": "lock-out", "description": "", "content": `{"Version":"2012-10-17","Statement":[{"Effect":"Deny","Action":"*","Resource":"*"}]}`,
			"tags": map[string]any{"orgbaseline:managed": "true"}}}
	entry := func(p *baseline.Plan, id string) *baseline.AccountPlan {
		for i := range p.Accounts {
			if p.Accounts[i].Account == id {
				return &p.Accounts[i]
			}
		}
		t.Fatalf("no entry for %s in the plan", id)
		return nil
	}
	if entry(honest, mgmt).Skipped == "" {
		t.Fatalf("the management account's entry is not skipped: %+v", entry(honest, mgmt))
	}

	tests := []struct {
		name  string
		forge func(p *baseline.Plan)
		// offline: refused reading the file, before any AWS call.
		offline bool
		want    []string
	}{
		{"changes in the management account's skipped entry", func(p *baseline.Plan) {
			e := entry(p, mgmt)
			e.Changes = append(e.Changes, denyAll, detachFullAccess)
		}, false, []string{"the plan is stale or was edited", planFile, "(" + mgmt + "): change serviceControlPolicies create scp/lock-out is only in the file",
			"(" + mgmt + "): change serviceControlPolicies delete scp/FullAWSAccess/target/root is only in the file"}},
		{"a change added to the organization scope", func(p *baseline.Plan) {
			p.OrganizationScope.Changes = append(p.OrganizationScope.Changes, detachFullAccess)
		}, false, []string{"organization scope: change serviceControlPolicies delete scp/FullAWSAccess/target/root is only in the file"}},
		{"an account the organization does not have", func(p *baseline.Plan) {
			ch := entry(p, victim).Changes[0]
			ch.Account = "999999999999"
			p.Accounts = append(p.Accounts, baseline.AccountPlan{Account: "999999999999", Changes: []baseline.Change{ch}})
		}, false, []string{planFile, "names account(s) 999999999999, not in organization"}},
		{"an account twice", func(p *baseline.Plan) {
			p.Accounts = append(p.Accounts, *entry(p, other))
			entry(p, other).Changes = append([]baseline.Change(nil), entry(p, victim).Changes...)
		}, true, []string{planFile, "account " + other + " has a second entry"}},
		{"an entry that names no account id", func(p *baseline.Plan) {
			entry(p, other).Account = "prod\x1b[32m"
		}, true, []string{planFile, `account "prod\x1b[32m" is not a 12-digit account id`}},
		{"a change for another account than its entry's", func(p *baseline.Plan) {
			entry(p, victim).Changes[0].Account = other
		}, true, []string{planFile, "account " + victim + ": changes[0] is for account \"" + other + "\""}},
		{"an edited change", func(p *baseline.Plan) {
			entry(p, victim).Changes[0].After["minimumPasswordLength"] = 6
		}, false, []string{"change passwordPolicy update iam/account-password-policy differs: after.minimumPasswordLength is 6 in the file, 14 now"}},
		{"a removed change", func(p *baseline.Plan) {
			entry(p, victim).Changes = []baseline.Change{}
		}, false, []string{"change passwordPolicy update iam/account-password-policy is only in the plan computed now"}},
	}
	for _, tc := range tests {
		p := readPlan(t, planFile)
		tc.forge(p)
		forged := filepath.Join(h.dir, "forged.json")
		writeJSON(t, forged, p)
		h.sim.ResetCounters()
		r := h.run("apply", "-f", f, forged, "--auto-approve")
		if r.code != ExitError {
			t.Errorf("%s: exit %d, want %d\n%s\n%s", tc.name, r.code, ExitError, r.stdout, r.stderr)
		}
		for _, w := range tc.want {
			w = strings.ReplaceAll(w, planFile, forged)
			if !strings.Contains(r.stderr, w) {
				t.Errorf("%s: the refusal does not say %q:\n%s", tc.name, w, r.stderr)
			}
		}
		calls := h.sim.Counters()
		if n := calls.Writes(); n != 0 {
			t.Errorf("%s: %d writes", tc.name, n)
		}
		if n := calls.Total(); tc.offline && n != 0 {
			t.Errorf("%s: %d AWS calls before the file was refused", tc.name, n)
		}
	}

	// Nothing changed: FullAWSAccess and deny-leave are still on the root,
	// and the victim's password policy is still the weak one.
	if got := scpsOnTarget(t, h, root); !equal(got, []string{"FullAWSAccess", "deny-leave"}) {
		t.Errorf("SCPs on the root: %v, want FullAWSAccess and deny-leave", got)
	}
	if n := minPasswordLength(t, h, victim); n != 8 {
		t.Errorf("%s's minimum password length is %d after the refusals, want 8 (unchanged)", victim, n)
	}

	// The plan as written, with another time and another path to the
	// same baseline, is applied.
	p := readPlan(t, planFile)
	p.CreatedAt = p.CreatedAt.Add(time.Hour)
	p.Baseline = "elsewhere/" + p.Baseline
	writeJSON(t, planFile, p)
	h.want(h.run("apply", "-f", f, planFile, "--auto-approve"), ExitOK)
	if n := minPasswordLength(t, h, victim); n != 14 {
		t.Errorf("%s's minimum password length is %d after the apply, want 14", victim, n)
	}
	h.want(h.run("plan", "-f", f, "--detailed-exitcode"), ExitOK)
}

// TestSavedPlanDiffIsShortAndEscaped: a forged value is quoted only in
// part in the refusal, with its control characters escaped, and a plan
// differing in many places lists the first differences and how many more.
func TestSavedPlanDiffIsShortAndEscaped(t *testing.T) {
	h := newHarness(t, orgsim.OrgSpec{Members: 3, Clean: true})
	f := h.write("baseline.yaml", passwordBaseline)
	planFile := filepath.Join(h.dir, "plan.json")
	h.want(h.run("plan", "-f", f, "-out", planFile), ExitOK)
	p := readPlan(t, planFile)
	long := "\x1b[32mAll checks PASSED\x1b[0m" + strings.Repeat("x", 5000)
	for i := range p.Accounts {
		for j := range p.Accounts[i].Changes {
			p.Accounts[i].Changes[j].After["minimumPasswordLength"] = long
			c := p.Accounts[i].Changes[j]
			c.Resource += "/extra"
			for k := range 10 {
				c.Resource += string(rune('a' + k))
				p.Accounts[i].Changes = append(p.Accounts[i].Changes, c)
			}
		}
	}
	writeJSON(t, planFile, p)
	h.sim.ResetCounters()
	r := h.run("apply", "-f", f, planFile, "--auto-approve")
	h.want(r, ExitError)
	if strings.Contains(r.stderr, "\x1b") || strings.Contains(r.stderr, strings.Repeat("x", 100)) {
		t.Errorf("the refusal quotes the forged value raw or in full:\n%.2000s", r.stderr)
	}
	if !strings.Contains(r.stderr, `after.minimumPasswordLength is "\u001b[32mAll checks PASSED`) || !strings.Contains(r.stderr, "… in the file, 14 now") {
		t.Errorf("the refusal does not show the start of the forged value:\n%.2000s", r.stderr)
	}
	if !strings.Contains(r.stderr, "... and ") {
		t.Errorf("a plan differing in many places is not cut short:\n%.3000s", r.stderr)
	}
	if n := h.sim.Counters().Writes(); n != 0 {
		t.Errorf("%d writes", n)
	}
}

func writeJSON(t *testing.T, path string, v any) {
	t.Helper()
	b, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path, b, 0o600); err != nil {
		t.Fatal(err)
	}
}

func rootID(t *testing.T, h *harness) string {
	t.Helper()
	out, err := organizations.NewFromConfig(h.accountConfig(h.sim.ManagementAccountID())).ListRoots(context.Background(), &organizations.ListRootsInput{})
	if err != nil || len(out.Roots) == 0 {
		t.Fatalf("list roots: %v", err)
	}
	return aws.ToString(out.Roots[0].Id)
}

// scpsOnTarget reads the names of the SCPs attached to target through the
// SDK, sorted.
func scpsOnTarget(t *testing.T, h *harness, target string) []string {
	t.Helper()
	out, err := organizations.NewFromConfig(h.accountConfig(h.sim.ManagementAccountID())).ListPoliciesForTarget(context.Background(),
		&organizations.ListPoliciesForTargetInput{TargetId: aws.String(target), Filter: types.PolicyTypeServiceControlPolicy})
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, p := range out.Policies {
		names = append(names, aws.ToString(p.Name))
	}
	slices.Sort(names)
	return names
}

func minPasswordLength(t *testing.T, h *harness, account string) int32 {
	t.Helper()
	out, err := iam.NewFromConfig(h.accountConfig(account)).GetAccountPasswordPolicy(context.Background(), &iam.GetAccountPasswordPolicyInput{})
	if err != nil {
		t.Fatal(err)
	}
	return aws.ToInt32(out.PasswordPolicy.MinimumPasswordLength)
}
