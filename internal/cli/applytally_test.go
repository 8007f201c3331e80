package cli

import (
	"strings"
	"testing"

	"github.com/orgbaseline/orgbaseline/internal/orgsim"
)

// An apply whose writes fail is not "complete": the summary counts the
// changes applied, failed and not started apart.
func TestApplyWithFailuresIsNotComplete(t *testing.T) {
	h := newHarness(t, orgsim.OrgSpec{Members: 3, Clean: true})
	f := h.write("baseline.yaml", passwordBaseline)
	h.sim.SetFaults(orgsim.Faults{Rules: []orgsim.FaultRule{{Service: "iam", Operation: "UpdateAccountPasswordPolicy", ErrorRate: 1}}})
	r := h.run("apply", "-f", f, "--auto-approve", "--max-attempts", "1")
	h.want(r, ExitError)
	n := len(activeMembers(h.sim, ""))
	want := "Apply incomplete: 0 of 3 change(s) applied in 3 account(s); 3 failed; 0 not started; 3 account(s) with errors."
	if n != 3 {
		t.Fatalf("%d members, want 3", n)
	}
	if !strings.Contains(r.stdout, want) || strings.Contains(r.stdout, "Apply complete") {
		t.Errorf("the summary is not %q:\n%s", want, r.stdout)
	}
}
