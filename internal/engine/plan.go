package engine

import (
	"fmt"
	"sort"
	"strings"
	"time"

	"github.com/orgbaseline/orgbaseline/baseline"
	"github.com/orgbaseline/orgbaseline/orgwalk"
)

// BuildPlan turns plan results into the plan document; org is the
// organization-scope result, nil when no such control is enabled.
func BuildPlan(org *AccountResult, results []AccountResult, skipped []orgwalk.Skip, meta baseline.Plan) *baseline.Plan {
	p := meta
	p.FormatVersion = baseline.PlanFormatVersion
	if p.CreatedAt.IsZero() {
		p.CreatedAt = time.Now().UTC()
	}
	if org != nil {
		ap := accountPlan(*org)
		ap.Name = "organization scope, from " + org.Account.Name
		p.OrganizationScope = &ap
	}
	p.Accounts = nil
	for _, r := range results {
		p.Accounts = append(p.Accounts, accountPlan(r))
	}
	for _, s := range skipped {
		p.Accounts = append(p.Accounts, baseline.AccountPlan{Account: s.Account.ID, Name: s.Account.Name, OUPath: s.Account.OUPath, Changes: []baseline.Change{}, Skipped: s.Reason})
	}
	sort.SliceStable(p.Accounts, func(i, j int) bool { return p.Accounts[i].Account < p.Accounts[j].Account })
	return &p
}

func accountPlan(r AccountResult) baseline.AccountPlan {
	ap := baseline.AccountPlan{Account: r.Account.ID, Name: r.Account.Name, OUPath: r.Account.OUPath, Changes: r.Changes, Warnings: r.Warnings}
	if ap.Changes == nil {
		ap.Changes = []baseline.Change{}
	}
	if len(r.Errors) > 0 {
		ap.Error = strings.Join(r.Errors, "; ")
	}
	return ap
}

// StaleError says a saved plan no longer matches the organization.
type StaleError struct {
	Accounts []string // one line per account that changed
}

func (e *StaleError) Error() string {
	return "the plan is stale: what it observed has changed since it was made, so it was not applied (run `orgbaseline plan` again):\n  " +
		strings.Join(e.Accounts, "\n  ")
}

// CompareWithPlan checks fresh plan results against a saved plan: every
// account of the plan must still be targeted and plan exactly the same
// changes. It returns a *StaleError listing every difference, or nil.
func CompareWithPlan(saved *baseline.Plan, freshOrg *baseline.AccountPlan, fresh []AccountResult) error {
	byID := map[string]AccountResult{}
	for _, r := range fresh {
		byID[r.Account.ID] = r
	}
	var stale []string
	switch {
	case saved.OrganizationScope == nil && freshOrg != nil && len(freshOrg.Changes) > 0:
		stale = append(stale, fmt.Sprintf("organization scope: would now make %d change(s) the plan does not have", len(freshOrg.Changes)))
	case saved.OrganizationScope != nil && freshOrg == nil:
		stale = append(stale, "organization scope: the plan has changes for controls this run does not enable")
	case saved.OrganizationScope != nil && freshOrg.Error != "" && saved.OrganizationScope.Error == "":
		stale = append(stale, "organization scope: cannot be observed now: "+freshOrg.Error)
	case saved.OrganizationScope != nil && !sameChanges(saved.OrganizationScope.Changes, freshOrg.Changes):
		stale = append(stale, fmt.Sprintf("organization scope: planned %d change(s), would now make %d different one(s)", len(saved.OrganizationScope.Changes), len(freshOrg.Changes)))
	}
	for _, ap := range saved.Accounts {
		if ap.Skipped != "" {
			continue
		}
		r, ok := byID[ap.Account]
		switch {
		case !ok:
			stale = append(stale, fmt.Sprintf("%s: no longer targeted", label(ap)))
		case len(r.Errors) > 0 && ap.Error == "":
			stale = append(stale, fmt.Sprintf("%s: cannot be observed now: %s", label(ap), strings.Join(r.Errors, "; ")))
		case !sameChanges(ap.Changes, r.Changes):
			stale = append(stale, fmt.Sprintf("%s: planned %d change(s), would now make %d different one(s)", label(ap), len(ap.Changes), len(r.Changes)))
		}
	}
	for _, r := range fresh {
		found := false
		for _, ap := range saved.Accounts {
			if ap.Account == r.Account.ID {
				found = true
				break
			}
		}
		if !found && len(r.Changes) > 0 {
			stale = append(stale, fmt.Sprintf("%s: newly targeted with %d change(s)", r.Account.Label(), len(r.Changes)))
		}
	}
	if len(stale) > 0 {
		return &StaleError{Accounts: stale}
	}
	return nil
}

func label(ap baseline.AccountPlan) string {
	if ap.Name == "" {
		return ap.Account
	}
	return ap.Name + " (" + ap.Account + ")"
}

func sameChanges(a, b []baseline.Change) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if !a[i].Equal(b[i]) {
			return false
		}
	}
	return true
}
