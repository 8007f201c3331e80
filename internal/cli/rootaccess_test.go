package cli

import (
	"strings"
	"testing"

	"github.com/orgbaseline/orgbaseline/internal/orgsim"
)

// controls.rootAccess.exclude names the break-glass accounts whose root
// credentials stay: a selector that names no account of the organization
// (a misspelt name) stops plan, apply and check before anything is
// written, naming the selector and the closest name, as targets do.
func TestRootAccessExcludeMatchingNothingStopsTheRun(t *testing.T) {
	h := newHarness(t, orgsim.OrgSpec{Members: 3})
	f := h.write("baseline.yaml", `version: 1
controls:
  rootAccess:
    removeCredentials: [password, accessKeys, signingCertificates, mfaDevices]
    exclude: [account:Log Archve]
`)
	for name, args := range map[string][]string{
		"plan":  {"plan", "-f", f},
		"apply": {"apply", "-f", f, "--auto-approve"},
		"check": {"check", "-f", f},
	} {
		t.Run(name, func(t *testing.T) {
			h.sim.ResetCounters()
			r := h.run(args...)
			h.want(r, ExitError)
			for _, want := range []string{
				"controls.rootAccess.exclude does not match the organization",
				`selector "account:Log Archve": no account named "Log Archve"`, `did you mean "account:Log Archive"?`,
			} {
				if !strings.Contains(r.stderr, want) {
					t.Errorf("stderr lacks %q:\n%s", want, r.stderr)
				}
			}
			if w := h.sim.Counters().Writes(); w != 0 {
				t.Errorf("%d write(s)", w)
			}
		})
	}
}
