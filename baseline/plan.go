package baseline

import "time"

// PlanFormatVersion is the version of the plan JSON format. It changes
// when a field changes meaning or goes away; adding a field does not.
const PlanFormatVersion = "1"

// Plan is what a run would change, account by account. Written to a file
// by `plan -out`, it is never executed from the file: `apply plan.json`
// computes the plan again and applies that, only when it is the file's as
// a whole (engine.ComparePlans says which fields are left out of the
// comparison, and why); otherwise it refuses.
type Plan struct {
	FormatVersion  string    `json:"formatVersion"`
	CreatedAt      time.Time `json:"createdAt"`      // not compared by apply: differs on every computation
	Baseline       string    `json:"baseline"`       // the file the plan came from: in a plan file, relative to it (not compared: the digest is)
	BaselineDigest string    `json:"baselineDigest"` // sha256 of the effective baseline
	Organization   string    `json:"organization"`   // organization id
	// Shard is set on the plan of one shard (--shard); apply of the saved
	// plan works on the same shard.
	Shard *Shard `json:"shard,omitempty"`
	// OrganizationScope holds the changes of organization-scope controls
	// (SCPs, the organization trail, ...), applied before any account's.
	// Its Account is the management account; each change names the
	// account it applies to.
	OrganizationScope *AccountPlan  `json:"organizationScope,omitempty"`
	Accounts          []AccountPlan `json:"accounts"`
}

// AccountPlan is one account's part of a plan.
type AccountPlan struct {
	Account string   `json:"account"`
	Name    string   `json:"name,omitempty"`
	OUPath  string   `json:"ouPath,omitempty"`
	Changes []Change `json:"changes"`
	// Error is why the account could not be planned (role not assumable,
	// API failure); Skipped why it was not targeted (suspended).
	Error    string   `json:"error,omitempty"`
	Skipped  string   `json:"skipped,omitempty"`
	Warnings []string `json:"warnings,omitempty"`
}

// Sections returns the organization-scope section (when there is one)
// followed by the accounts.
func (p *Plan) Sections() []AccountPlan {
	if p.OrganizationScope == nil {
		return p.Accounts
	}
	return append([]AccountPlan{*p.OrganizationScope}, p.Accounts...)
}

// ChangeCount returns the number of changes in the plan.
func (p *Plan) ChangeCount() int {
	n := 0
	for _, a := range p.Sections() {
		n += len(a.Changes)
	}
	return n
}

// Errors returns the accounts that failed to plan.
func (p *Plan) Errors() []AccountPlan {
	var out []AccountPlan
	for _, a := range p.Sections() {
		if a.Error != "" {
			out = append(out, a)
		}
	}
	return out
}

// Counts returns how many changes of each action the plan holds.
func (p *Plan) Counts() (create, update, del int) {
	for _, a := range p.Sections() {
		c, u, d := CountActions(a.Changes)
		create, update, del = create+c, update+u, del+d
	}
	return
}

// CountActions counts changes by action.
func CountActions(cs []Change) (create, update, del int) {
	for _, c := range cs {
		switch c.Action {
		case ActionCreate:
			create++
		case ActionUpdate:
			update++
		case ActionDelete:
			del++
		}
	}
	return
}
