package engine

import (
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
