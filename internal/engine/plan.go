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
	sortAccountPlans(p.Accounts)
	return &p
}

// sortAccountPlans orders a plan's accounts as check's report and the
// accounts command order theirs: by OU path, then name, then id, the
// skipped accounts after the others (report.SortAccounts).
func sortAccountPlans(as []baseline.AccountPlan) {
	sort.SliceStable(as, func(i, j int) bool {
		a, b := as[i], as[j]
		if (a.Skipped != "") != (b.Skipped != "") {
			return b.Skipped != ""
		}
		if a.OUPath != b.OUPath {
			return a.OUPath < b.OUPath
		}
		if a.Name != b.Name {
			return a.Name < b.Name
		}
		return a.Account < b.Account
	})
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
