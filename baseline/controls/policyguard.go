package controls

import (
	"github.com/orgbaseline/orgbaseline/internal/iampolicy"
)

// guard runs the lockout guard of the control's policy type over the
// attachments after a plan, with the declared documents: the SCP guard
// (scpguard.go) for SCPs, the RCP guard (rcpguard.go) for RCPs; the
// management policy types deny no call and have none.
func (c *OrganizationPolicies) guard(t Target, st *policyState, final policyAttachments) error {
	declared := map[string]*iampolicy.Policy{}
	for i := range c.policies {
		declared[c.policies[i].name] = c.policies[i].parsed
	}
	return c.lockoutGuard(t.Org, st, final, declared, "this plan", t.Warn)
}

// lockoutGuard is the guard of the control's type over the attachments
// final, each policy evaluated with its document in over when it is
// there, else with the one observed in st. after names the state checked
// in the error ("this plan", "this change"); warn (may be nil) takes the
// warnings about plugins.
func (c *OrganizationPolicies) lockoutGuard(org *Org, st *policyState, final policyAttachments, over map[string]*iampolicy.Policy, after string, warn func(string)) error {
	switch {
	case c.kind.isSCP():
		return c.scpLockoutGuard(org, st, final, over, after, warn)
	case c.kind.isRCP():
		return c.rcpLockoutGuard(org, st, final, over, after)
	}
	return nil
}
