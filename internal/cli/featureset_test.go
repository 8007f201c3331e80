package cli

import (
	"strings"
	"testing"

	"github.com/orgbaseline/orgbaseline/internal/orgsim"
)

// A billing-only organization (FeatureSet CONSOLIDATED_BILLING) has no
// service control policies, trusted access or delegated administrators:
// AWS refuses each of those writes (orgsim too, see its
// TestOrganizationsBillingOnly). plan and apply stop before any write
// with one error that names the controls and the fix, EnableAllFeatures;
// a baseline whose controls need none of those runs as usual.
func TestBillingOnlyOrganizationStopsBeforeAnyWrite(t *testing.T) {
	const needsAll = `version: 1
organization:
  accounts:
    logArchive: Log Archive
    audit: Audit
controls:
  passwordPolicy:
    minimumPasswordLength: 14
  serviceControlPolicies:
    policies:
      - name: deny-leave
        document: '{"Version":"2012-10-17","Statement":[{"Effect":"Deny","Action":"organizations:LeaveOrganization","Resource":"*"}]}'
        targets: [root]
  organizationTrail:
    name: org-trail
`
	h := newHarness(t, orgsim.OrgSpec{Members: 4, Clean: true, FeatureSet: "CONSOLIDATED_BILLING"})
	f := h.write("baseline.yaml", needsAll)
	for _, cmd := range [][]string{{"plan", "-f", f}, {"apply", "-f", f, "--auto-approve"}} {
		h.sim.ResetCounters()
		r := h.run(cmd...)
		h.want(r, ExitError)
		if n := strings.Count(r.stderr, "EnableAllFeatures"); n != 1 {
			t.Errorf("%s: the error names EnableAllFeatures %d times, want once:\n%s", cmd[0], n, r.stderr)
		}
		for _, want := range []string{"consolidated billing", "CONSOLIDATED_BILLING", "serviceControlPolicies", "organizationTrail"} {
			if !strings.Contains(r.stderr, want) {
				t.Errorf("%s: the error does not mention %q:\n%s", cmd[0], want, r.stderr)
			}
		}
		if strings.Contains(r.stderr, "passwordPolicy") {
			t.Errorf("%s: the error names passwordPolicy, which needs no organization feature:\n%s", cmd[0], r.stderr)
		}
		if w := h.sim.Counters().Writes(); w != 0 {
			t.Errorf("%s made %d write calls on a billing-only organization", cmd[0], w)
		}
	}

	// Controls that need no organization feature run as usual.
	r := h.run("plan", "-f", h.write("password.yaml", passwordBaseline), "--detailed-exitcode")
	h.want(r, ExitChanges)
	if strings.Contains(r.stderr, "EnableAllFeatures") {
		t.Errorf("a password-policy baseline was refused:\n%s", r.stderr)
	}
}
