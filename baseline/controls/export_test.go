package controls

// GuardAlso adds calls to what the SCP control's lockout guard checks, for
// tests of call shapes no control makes yet.
func (c *OrganizationPolicies) GuardAlso(calls ...Call) {
	prev := c.calls
	c.calls = func(o *Org) []Call { return append(prev(o), calls...) }
}
