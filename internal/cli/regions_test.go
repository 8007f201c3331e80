package cli

import (
	"strings"
	"testing"

	"github.com/orgbaseline/orgbaseline/internal/orgsim"
)

// TestOptInRegionNotEnabledIsAnAccountError: a governed opt-in region
// that an account has not enabled fails that account in that region with
// an error naming the region, the account and the fix; its other regions
// and the other accounts go on.
func TestOptInRegionNotEnabledIsAnAccountError(t *testing.T) {
	h := newHarness(t, orgsim.OrgSpec{Members: 4, Clean: true})
	const optIn = "af-south-1"
	enabled := h.accountID("prod-001")
	if err := h.sim.EnableRegion(enabled, optIn); err != nil {
		t.Fatal(err)
	}
	// Access Analyzer's account analyzers are regional: one per account
	// and governed region.
	f := h.write("baseline.yaml", `version: 1
organization:
  homeRegion: us-east-1
  regions: [us-east-1, `+optIn+`]
controls:
  accessAnalyzer:
    type: ACCOUNT
`)
	r := h.run("plan", "-f", f)
	h.want(r, ExitError)
	for _, a := range h.sim.Accounts() {
		if a.ID == h.sim.ManagementAccountID() {
			continue
		}
		msg := "region " + optIn + " is not enabled in account " + a.ID
		if got := strings.Contains(r.stdout, msg); got == (a.ID == enabled) {
			t.Errorf("%s (%s): error %q shown: %v", a.Name, a.ID, msg, got)
		}
	}
	for _, want := range []string{"enable the region for the account", "aws account enable-region --account-id", "or remove " + optIn + " from organization.regions",
		"3 account(s) could not be planned"} {
		if !strings.Contains(r.stdout+r.stderr, want) {
			t.Errorf("output lacks %q:\n%s\n%s", want, r.stdout, r.stderr)
		}
	}
	// The other region is planned in every account, both in the one that
	// enabled the region.
	if n := strings.Count(r.stdout, "+ accessAnalyzer access-analyzer/analyzer/orgbaseline-account (us-east-1)"); n != 4 {
		t.Errorf("us-east-1 planned in %d accounts, want 4:\n%s", n, r.stdout)
	}
	if n := strings.Count(r.stdout, "+ accessAnalyzer access-analyzer/analyzer/orgbaseline-account ("+optIn+")"); n != 1 {
		t.Errorf("%s planned in %d accounts, want 1 (prod-001):\n%s", optIn, n, r.stdout)
	}
}
