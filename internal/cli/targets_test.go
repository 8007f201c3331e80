package cli

import (
	"fmt"
	"strings"
	"testing"

	"github.com/orgbaseline/orgbaseline/internal/orgsim"
)

// A --target that matches no account is an error for plan, apply and
// check alike, naming the selector and the closest values the
// organization has, never a run that looks compliant; nothing is written.
// The seed with 3 members: Log Archive and Audit (/Security,
// env=security), prod-001 (/Workloads/Prod, env=prod); /Sandbox and
// /Workloads/Dev have no account.
func TestTargetMatchingNothingIsAnError(t *testing.T) {
	h := newHarness(t, orgsim.OrgSpec{Members: 3})
	f := h.write("baseline.yaml", passwordBaseline)
	commands := map[string][]string{
		"plan":                     {"plan", "-f", f},
		"plan --detailed-exitcode": {"plan", "-f", f, "--detailed-exitcode"},
		"apply":                    {"apply", "-f", f, "--auto-approve"},
		"check":                    {"check", "-f", f},
	}
	for _, tc := range []struct{ target, want string }{
		{"tag:env=nonexistent", `--target: selector "tag:env=nonexistent" matches no account of organization ` + h.sim.OrganizationID() + `; the values of "env" in use are "prod", "security"`},
		{"tag:env=prdo", `; did you mean "tag:env=prod"?`},
		{"tag:evn=prod", `; did you mean "tag:env=prod"?`},
		{"tag:nosuchkey", `; no account has the tag "nosuchkey"; the tag keys in use are "env", "owner"`},
		{"account:Log Archve", `selector "account:Log Archve": no account named "Log Archve" in organization ` + h.sim.OrganizationID() + ` (names are case-sensitive); did you mean "account:Log Archive"?`},
		{"ou:/Sandbox", `--target: selector "ou:/Sandbox" matches no account: the OU has none`},
	} {
		for name, args := range commands {
			t.Run(tc.target+"/"+name, func(t *testing.T) {
				h.sim.ResetCounters()
				r := h.run(append(args, "--target", tc.target)...)
				h.want(r, ExitError)
				if !strings.Contains(r.stderr, tc.want) {
					t.Errorf("stderr lacks %q:\n%s", tc.want, r.stderr)
				}
				if strings.Contains(r.stdout, "No changes") || strings.Contains(r.stdout, "Check:") {
					t.Errorf("a run that matched nothing reported as if it ran:\n%s", r.stdout)
				}
				if w := h.sim.Counters().Writes(); w != 0 {
					t.Errorf("%d write(s)", w)
				}
			})
		}
	}
	// The account id's closest value.
	audit := h.accountID("Audit")
	typo := audit[:11] + fmt.Sprint((int(audit[11]-'0')+1)%10)
	r := h.run("plan", "-f", f, "--target", "account:"+typo)
	h.want(r, ExitError)
	if want := `did you mean "account:` + audit + `"?`; !strings.Contains(r.stderr, want) {
		t.Errorf("stderr lacks %q:\n%s", want, r.stderr)
	}
}

// An include selector of baseline.yaml that matches nothing is an error at
// its line, with the same hint; an exclude selector is not (it may guard
// against tags still to come).
func TestBaselineTargetMatchingNothingIsAnError(t *testing.T) {
	h := newHarness(t, orgsim.OrgSpec{Members: 3})
	f := h.write("baseline.yaml", passwordBaseline+"targets:\n  include: [tag:env=prdo]\n")
	r := h.run("plan", "-f", f)
	h.want(r, ExitError)
	if want := fmt.Sprintf(`%s:%d:13: selector "tag:env=prdo" matches no account of organization %s; did you mean "tag:env=prod"?`, f, strings.Count(passwordBaseline, "\n")+2, h.sim.OrganizationID()); !strings.Contains(r.stderr, want) {
		t.Errorf("stderr lacks %q:\n%s", want, r.stderr)
	}
	f = h.write("baseline.yaml", passwordBaseline+"targets:\n  exclude: [tag:retired]\n")
	h.want(h.run("plan", "-f", f), ExitOK)
}

// A --target that matches accounts the baseline itself leaves out
// (targets.exclude) is not an error: both selectors are right and the
// baseline's exclusion is deliberate. The run works on no account and
// says why in a warning.
func TestTargetOfExcludedAccountsWarns(t *testing.T) {
	h := newHarness(t, orgsim.OrgSpec{Members: 3})
	f := h.write("baseline.yaml", passwordBaseline+"targets:\n  exclude: [ou:/Security]\n")
	r := h.run("plan", "-f", f, "--target", "account:Audit")
	h.want(r, ExitOK)
	if want := "--target matches accounts, but none the baseline targets"; !strings.Contains(r.stderr, want) {
		t.Errorf("stderr lacks %q:\n%s", want, r.stderr)
	}
}
