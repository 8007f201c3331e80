package cli

import (
	"context"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/iam"

	"github.com/orgbaseline/orgbaseline/baseline"
	"github.com/orgbaseline/orgbaseline/internal/orgsim"
)

// smallestBaseline is the README's "smallest valid file".
const smallestBaseline = `version: 1
controls:
  passwordPolicy:
    minimumPasswordLength: 14
`

// setPasswordPolicy sets an account's password policy as its root user,
// behind the tool's back.
func setPasswordPolicy(h *harness, account string, in *iam.UpdateAccountPasswordPolicyInput) {
	h.t.Helper()
	if _, err := iam.NewFromConfig(h.accountConfig(account)).UpdateAccountPasswordPolicy(context.Background(), in); err != nil {
		h.t.Fatal(err)
	}
}

func accountPlanOf(t *testing.T, p *baseline.Plan, id string) baseline.AccountPlan {
	t.Helper()
	for _, ap := range p.Accounts {
		if ap.Account == id {
			return ap
		}
	}
	t.Fatalf("no account %s in the plan", id)
	return baseline.AccountPlan{}
}

// The smallest file states only minimumPasswordLength: an account's
// stricter settings that the file leaves out are kept (never weakened to
// IAM's defaults), the plan says so once, and a declared setting that
// loosens an account's policy is a warning on that account naming the
// field, both values and how to keep the stricter one.
func TestPlanNeverWeakensAPasswordSettingTheBaselineLeavesOut(t *testing.T) {
	h := newHarness(t, orgsim.OrgSpec{Members: 3, Clean: true})
	members := activeMembers(h.sim, "")
	strict, looser := members[0], members[1]
	setPasswordPolicy(h, strict, &iam.UpdateAccountPasswordPolicyInput{
		MinimumPasswordLength: aws.Int32(20), RequireSymbols: true, RequireNumbers: true,
		MaxPasswordAge: aws.Int32(90), PasswordReusePrevention: aws.Int32(5), HardExpiry: aws.Bool(true),
	})
	setPasswordPolicy(h, looser, &iam.UpdateAccountPasswordPolicyInput{MinimumPasswordLength: aws.Int32(8), RequireSymbols: true})

	f := h.write("baseline.yaml", smallestBaseline)
	planFile := filepath.Join(h.dir, "plan.json")
	r := h.run("plan", "-f", f, "-out", planFile)
	h.want(r, ExitOK)
	p := readPlan(t, planFile)

	for _, id := range []string{strict, looser} {
		ap := accountPlanOf(t, p, id)
		if len(ap.Changes) != 1 {
			t.Fatalf("%s: changes %+v", id, ap.Changes)
		}
		var names []string
		for _, fd := range ap.Changes[0].Fields() {
			names = append(names, fd.Name)
		}
		if !equal(names, []string{"minimumPasswordLength"}) {
			t.Errorf("%s: the change touches %v, want only minimumPasswordLength (the rest is kept)", id, names)
		}
		if ap.Changes[0].After["requireSymbols"] != true {
			t.Errorf("%s: requireSymbols after = %v, want the account's true kept", id, ap.Changes[0].After["requireSymbols"])
		}
	}
	if w := accountPlanOf(t, p, looser).Warnings; len(w) != 0 {
		t.Errorf("a stricter length warns: %v", w)
	}
	w := accountPlanOf(t, p, strict).Warnings
	if len(w) != 1 || !strings.Contains(w[0], "minimumPasswordLength 20 -> 14 weakens") || !strings.Contains(w[0], "set minimumPasswordLength: 20 under controls.passwordPolicy") {
		t.Fatalf("strict account's warnings: %q", w)
	}
	if !strings.Contains(r.stdout, "Warning (") || !strings.Contains(r.stdout, "minimumPasswordLength 20 -> 14") {
		t.Errorf("the text plan does not show the warning:\n%s", r.stdout)
	}
	if n := strings.Count(r.stderr, "the baseline leaves out requireSymbols"); n != 1 {
		t.Errorf("the note about fields left out appears %d times, want once:\n%s", n, r.stderr)
	}

	// Applied, the strict account keeps everything but the length.
	h.want(h.run("apply", "-f", f, "--auto-approve"), ExitOK)
	out, err := iam.NewFromConfig(h.accountConfig(strict)).GetAccountPasswordPolicy(context.Background(), &iam.GetAccountPasswordPolicyInput{})
	if err != nil {
		t.Fatal(err)
	}
	pp := out.PasswordPolicy
	if aws.ToInt32(pp.MinimumPasswordLength) != 14 || !pp.RequireSymbols || !pp.RequireNumbers || aws.ToInt32(pp.MaxPasswordAge) != 90 ||
		aws.ToInt32(pp.PasswordReusePrevention) != 5 || !aws.ToBool(pp.HardExpiry) {
		t.Fatalf("policy after apply = %+v, want the account's stricter settings kept", pp)
	}
	h.want(h.run("plan", "-f", f, "--detailed-exitcode"), ExitOK)

	// Stated explicitly, a looser setting is applied, with a warning each.
	f = h.write("looser.yaml", `version: 1
controls:
  passwordPolicy:
    minimumPasswordLength: 14
    requireSymbols: false
    maxPasswordAge: 0
`)
	h.want(h.run("plan", "-f", f, "-out", planFile), ExitOK)
	w = accountPlanOf(t, readPlan(t, planFile), strict).Warnings
	want := []string{
		"passwordPolicy: requireSymbols true -> false weakens the account's password policy, as the baseline states; to keep the stricter true, set requireSymbols: true under controls.passwordPolicy in the baseline",
		"passwordPolicy: maxPasswordAge 90 -> 0 (passwords never expire) weakens the account's password policy, as the baseline states; to keep the stricter 90, set maxPasswordAge: 90 under controls.passwordPolicy in the baseline",
	}
	if !equal(slices.Sorted(slices.Values(w)), slices.Sorted(slices.Values(want))) {
		t.Fatalf("warnings:\n%s\nwant:\n%s", strings.Join(w, "\n"), strings.Join(want, "\n"))
	}
}
