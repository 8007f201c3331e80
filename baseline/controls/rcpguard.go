package controls

import (
	"github.com/orgbaseline/orgbaseline/internal/iampolicy"
)

// rcpLockoutGuard is the RCP lockout guard (to be written: issue 17).
func (c *OrganizationPolicies) rcpLockoutGuard(org *Org, st *policyState, final policyAttachments, over map[string]*iampolicy.Policy, after string) error {
	return nil
}
