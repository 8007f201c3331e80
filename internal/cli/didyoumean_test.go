package cli

import (
	"strings"
	"testing"

	"github.com/orgbaseline/orgbaseline/internal/orgsim"
)

// An account alias or an SCP target the organization does not have is
// reported at the place it was written, with the nearest name.
func TestAliasAndSCPTargetErrorsNameTheLineAndTheNearestName(t *testing.T) {
	h := newHarness(t, orgsim.OrgSpec{Members: 4, Clean: true})

	f := h.write("baseline.yaml", `version: 1
organization:
  accounts:
    logArchive: Log Archve
controls:
  passwordPolicy:
    minimumPasswordLength: 14
`)
	r := h.run("plan", "-f", f)
	h.want(r, ExitError)
	want := f + `:4:17: organization.accounts.logArchive: no account with id or name "Log Archve" in organization `
	if !strings.Contains(r.stderr, want) || !strings.Contains(r.stderr, `(did you mean "Log Archive"?)`) {
		t.Errorf("alias error does not carry %q and the suggestion:\n%s", want, r.stderr)
	}

	f = h.write("scp.yaml", `version: 1
controls:
  serviceControlPolicies:
    policies:
      - name: deny-leave
        targets: [ou:/Workloads/Prd, account:Log Archve]
        document: '{"Version":"2012-10-17","Statement":[{"Effect":"Deny","Action":"organizations:LeaveOrganization","Resource":"*"}]}'
`)
	r = h.run("plan", "-f", f)
	h.want(r, ExitError)
	for _, want := range []string{
		f + `:6:19: SCP "deny-leave": target "ou:/Workloads/Prd": no OU at path /Workloads/Prd in organization `,
		`(did you mean "/Workloads/Prod"?)`,
		f + `:6:38: SCP "deny-leave": target "account:Log Archve": no account with id or name "Log Archve" in organization `,
		`(did you mean "Log Archive"?)`,
	} {
		if !strings.Contains(r.stdout+r.stderr, want) {
			t.Errorf("SCP target error does not carry %q:\n%s\n%s", want, r.stdout, r.stderr)
		}
	}
}
