package cli

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/orgbaseline/orgbaseline/internal/orgsim"
)

// errorLines are the lines of stderr that are not JSON log lines.
func errorLines(stderr string) []string {
	var out []string
	for _, l := range strings.Split(strings.TrimSpace(stderr), "\n") {
		if l != "" && !strings.HasPrefix(l, "{") {
			out = append(out, l)
		}
	}
	return out
}

// As Terraform applies a saved plan: `apply plan.json` does not ask again
// (no terminal and no --auto-approve needed), says why it reads the
// organization, and applies. Applied again, it says in one line that the
// plan has already been applied, rather than listing each change as gone.
func TestApplySavedPlanDoesNotAskAgain(t *testing.T) {
	h := newHarness(t, orgsim.OrgSpec{Members: 3, Clean: true})
	f := h.write("baseline.yaml", passwordBaseline)
	planFile := filepath.Join(h.dir, "plan.json")
	r := h.run("plan", "-f", f, "-out", planFile)
	h.want(r, ExitOK)
	if want := "Saved the plan to " + planFile + ". Apply exactly this plan with: orgbaseline apply " + planFile + "\n"; !strings.Contains(r.stdout, want) {
		t.Errorf("plan -out does not say %q:\n%s", want, r.stdout)
	}

	r = h.run("apply", planFile)
	h.want(r, ExitOK)
	if want := "Checking that " + planFile + " is still the plan of " + f + " and the organization now...\n"; !strings.HasPrefix(r.stdout, want) {
		t.Errorf("apply does not start with %q:\n%s", want, r.stdout)
	}
	if strings.Contains(r.stdout, "Only 'yes'") {
		t.Errorf("apply of a saved plan asked again:\n%s", r.stdout)
	}
	if !strings.Contains(r.stdout, "Apply complete: 3 of 3 change(s) applied") {
		t.Errorf("the saved plan was not applied:\n%s", r.stdout)
	}
	h.want(h.run("plan", "-f", f, "--detailed-exitcode"), ExitOK)

	h.sim.ResetCounters()
	r = h.run("apply", planFile)
	h.want(r, ExitError)
	want := "Error: " + planFile + ": this plan has already been applied (nothing in it is left to change); run `orgbaseline plan` to see the organization now"
	if got := errorLines(r.stderr); len(got) != 1 || got[0] != want {
		t.Errorf("re-applying an applied plan says\n%s\nwant the one line\n%s", strings.Join(got, "\n"), want)
	}
	if n := h.sim.Counters().Writes(); n != 0 {
		t.Errorf("%d writes re-applying an applied plan", n)
	}

	// A plan only partly done is stale, and the differences are listed.
	weaken(t, h, activeMembers(h.sim, "")[0])
	h.want(h.run("plan", "-f", f, "-out", planFile), ExitOK)
	weaken(t, h, activeMembers(h.sim, "")[1])
	r = h.run("apply", planFile)
	h.want(r, ExitError)
	if !strings.Contains(r.stderr, "the plan is stale or was edited") || strings.Contains(r.stderr, "already been applied") {
		t.Errorf("a plan the organization moved away from is not reported stale:\n%s", r.stderr)
	}
}

// The plan file records the baseline it was made from, relative to the
// plan file; `apply FILE` uses it wherever it runs from, and a -f that
// names another baseline is an error naming both, before any AWS call.
func TestSavedPlanRecordsItsBaseline(t *testing.T) {
	h := newHarness(t, orgsim.OrgSpec{Members: 2, Clean: true})
	h.write("b17.yaml", passwordBaseline)
	// The trap of the issue: a baseline.yaml beside it, another baseline.
	h.write("baseline.yaml", strings.Replace(passwordBaseline, "minimumPasswordLength: 14", "minimumPasswordLength: 16", 1))
	if err := os.Mkdir(filepath.Join(h.dir, "plans"), 0o700); err != nil {
		t.Fatal(err)
	}
	t.Chdir(h.dir)
	h.want(h.run("plan", "-f", "b17.yaml", "-out", "plans/p17.json"), ExitOK)
	if got := readPlan(t, filepath.Join(h.dir, "plans", "p17.json")).Baseline; got != "../b17.yaml" {
		t.Fatalf("the plan file records the baseline as %q, want %q (relative to the plan file)", got, "../b17.yaml")
	}

	h.sim.ResetCounters()
	r := h.run("apply", "-f", "baseline.yaml", "plans/p17.json")
	h.want(r, ExitError)
	if want := `plans/p17.json was made from the baseline "b17.yaml", but -f names "baseline.yaml"`; !strings.Contains(r.stderr, want) {
		t.Errorf("a -f naming another baseline is not refused naming both (%q):\n%s", want, r.stderr)
	}
	// Moved away from its baseline, the plan needs -f.
	away := t.TempDir()
	b, err := os.ReadFile(filepath.Join(h.dir, "plans", "p17.json"))
	if err != nil {
		t.Fatal(err)
	}
	moved := filepath.Join(away, "p17.json")
	if err := os.WriteFile(moved, b, 0o600); err != nil {
		t.Fatal(err)
	}
	r = h.run("apply", moved)
	h.want(r, ExitError)
	if !strings.Contains(r.stderr, "which cannot be read") || !strings.Contains(r.stderr, "give the baseline with -f") {
		t.Errorf("a plan whose baseline is not there does not ask for -f:\n%s", r.stderr)
	}
	if n := h.sim.Counters().Total(); n != 0 {
		t.Errorf("%d AWS calls before the baseline was settled", n)
	}

	// From another directory, without -f, the plan's own baseline is used.
	t.Chdir(away)
	r = h.run("apply", filepath.Join(h.dir, "plans", "p17.json"))
	h.want(r, ExitOK)
	if !strings.Contains(r.stdout, "is still the plan of "+filepath.Join(h.dir, "b17.yaml")+" and") {
		t.Errorf("apply does not name the plan's baseline:\n%s", r.stdout)
	}
	for _, id := range activeMembers(h.sim, "") {
		if n := minPasswordLength(t, h, id); n != 14 {
			t.Errorf("%s: minimum password length %d, want b17.yaml's 14", id, n)
		}
	}
	// The moved plan with -f naming its baseline by another path is taken
	// (and has been applied).
	r = h.run("apply", "-f", filepath.Join(h.dir, "plans", "..", "b17.yaml"), moved)
	h.want(r, ExitError)
	if !strings.Contains(r.stderr, "this plan has already been applied") {
		t.Errorf("the moved plan with -f was not compared:\n%s", r.stderr)
	}
}

// show prints a saved plan as plan printed it (or as JSON), reading only
// the file: no AWS call, and a file apply would refuse offline refused
// the same way.
func TestShowSavedPlan(t *testing.T) {
	h := newHarness(t, orgsim.OrgSpec{Members: 3, Clean: true})
	f := h.write("baseline.yaml", passwordBaseline)
	planFile := filepath.Join(h.dir, "plan.json")
	r := h.run("plan", "-f", f, "-out", planFile)
	h.want(r, ExitOK)
	planText, _, _ := strings.Cut(r.stdout, "Saved the plan to ")

	h.sim.ResetCounters()
	r = h.run("show", planFile)
	h.want(r, ExitOK)
	p := readPlan(t, planFile)
	header := planFile + ": the plan of " + f + " for organization " + p.Organization + ", made "
	if !strings.HasPrefix(r.stdout, header) {
		t.Errorf("show does not start with %q:\n%s", header, r.stdout)
	}
	if !strings.Contains(r.stdout, "\n\n"+planText+"Apply exactly this plan with: orgbaseline apply "+planFile+"\n") {
		t.Errorf("show does not print the plan as plan did:\n%s\nplan printed:\n%s", r.stdout, planText)
	}

	r = h.run("show", "--format", "json", planFile)
	h.want(r, ExitOK)
	file, err := os.ReadFile(planFile)
	if err != nil {
		t.Fatal(err)
	}
	if r.stdout != string(file) {
		t.Errorf("show --format json is not the plan file:\n%s\nfile:\n%s", r.stdout, file)
	}

	forged := readPlan(t, planFile)
	forged.Accounts = append(forged.Accounts, forged.Accounts[0])
	writeJSON(t, planFile, forged)
	r = h.run("show", planFile)
	h.want(r, ExitError)
	if !strings.Contains(r.stderr, "has a second entry") {
		t.Errorf("show does not refuse what apply refuses:\n%s", r.stderr)
	}
	h.want(h.run("show", "--format", "xml", planFile), ExitError)
	if n := h.sim.Counters().Total(); n != 0 {
		t.Errorf("show made %d AWS calls", n)
	}
}
