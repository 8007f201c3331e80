package report

import (
	"errors"
	"fmt"
	"sort"
	"strings"
)

// SortAccounts puts the accounts in the report's canonical order: the
// organization scope first, then the checked accounts, then the skipped
// ones, each by OU path, name and id. A merged report and the report of
// the same run unsharded list them the same way.
func SortAccounts(as []AccountReport) {
	rank := func(a AccountReport) int {
		switch {
		case a.OrganizationScope:
			return 0
		case a.Skipped != "":
			return 2
		}
		return 1
	}
	sort.SliceStable(as, func(i, j int) bool {
		a, b := as[i], as[j]
		if ra, rb := rank(a), rank(b); ra != rb {
			return ra < rb
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

// Merge joins the reports of the shards of one run into the report of the
// whole run. It refuses reports of different organizations, baselines,
// frameworks or format versions, a shard given twice, a missing shard,
// and an account reported by two shards.
func Merge(reports []*Report) (*Report, error) {
	if len(reports) == 0 {
		return nil, errors.New("no reports to merge")
	}
	first := reports[0]
	out := &Report{
		FormatVersion: ReportFormatVersion, CreatedAt: first.CreatedAt, Tool: first.Tool,
		Organization: first.Organization, BaselineDigest: first.BaselineDigest, Framework: first.Framework,
	}
	count := 0
	seen := map[int]bool{}
	accounts := map[string]int{} // account (or organization scope) -> shard
	var problems []string
	for i, r := range reports {
		name := fmt.Sprintf("report %d", i+1)
		if r.Shard != nil {
			name = fmt.Sprintf("report %d (shard %s)", i+1, r.Shard)
		}
		switch {
		case r.FormatVersion != ReportFormatVersion:
			problems = append(problems, fmt.Sprintf("%s has format version %q; this orgbaseline merges version %q", name, r.FormatVersion, ReportFormatVersion))
			continue
		case r.Shard == nil:
			problems = append(problems, name+" is not the report of a shard (it was not made with --shard)")
			continue
		case r.Organization != first.Organization:
			problems = append(problems, fmt.Sprintf("%s is of organization %s, not %s", name, r.Organization, first.Organization))
		case r.BaselineDigest != first.BaselineDigest:
			problems = append(problems, name+" was made from a different baseline than report 1")
		case r.Framework != first.Framework:
			problems = append(problems, fmt.Sprintf("%s is narrowed to framework %q, report 1 to %q", name, r.Framework, first.Framework))
		}
		if count == 0 {
			count = r.Shard.Count
		}
		if r.Shard.Count != count {
			problems = append(problems, fmt.Sprintf("%s is one of %d shards, report 1 one of %d", name, r.Shard.Count, count))
			continue
		}
		if seen[r.Shard.Index] {
			problems = append(problems, fmt.Sprintf("%s: shard %s is given twice", name, r.Shard))
			continue
		}
		seen[r.Shard.Index] = true
		if r.CreatedAt.After(out.CreatedAt) {
			out.CreatedAt = r.CreatedAt
		}
		for _, a := range r.Accounts {
			key := a.Account
			if a.OrganizationScope {
				key = "organization scope"
			}
			if prev, dup := accounts[key]; dup {
				problems = append(problems, fmt.Sprintf("%s reports %s, which shard %d/%d reported too", name, key, prev, count))
				continue
			}
			accounts[key] = r.Shard.Index
			out.Accounts = append(out.Accounts, a)
		}
		out.Findings = append(out.Findings, r.Findings...)
	}
	var missing []string
	for i := 0; i < count; i++ {
		if !seen[i] {
			missing = append(missing, fmt.Sprintf("%d/%d", i, count))
		}
	}
	if len(missing) > 0 && len(problems) == 0 {
		problems = append(problems, "missing the report of shard "+strings.Join(missing, ", "))
	}
	if len(problems) > 0 {
		return nil, errors.New(strings.Join(problems, "\n"))
	}
	SortAccounts(out.Accounts)
	Sort(out.Findings)
	Summarise(out)
	return out, nil
}
