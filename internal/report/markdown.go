package report

import (
	"fmt"
	"io"
	"sort"
	"strings"
	"unicode/utf8"

	"github.com/orgbaseline/orgbaseline/baseline"
)

// Caps that keep the Markdown summary small whatever the size of the
// organization (GitHub takes at most 1 MiB of step summary).
const (
	mdWorstAccounts  = 10
	mdFrameworks     = 20
	mdFailingRefs    = 15
	mdFailingChecks  = 30
	mdAccountErrors  = 20
	mdMaxValueLength = 200
)

// Markdown writes a compact summary of the report for a GitHub job
// summary: totals, the worst accounts, the failing checks by framework
// and the accounts that could not be checked. Every table is capped.
func Markdown(w io.Writer, r *Report) error {
	if r == nil {
		r = &Report{}
	}
	var b strings.Builder
	b.WriteString("## orgbaseline check")
	if r.Organization != "" {
		b.WriteString(" of " + mdText(r.Organization))
	}
	b.WriteString("\n\n")
	mdRunLine(&b, r)
	if r.Framework != "" {
		fmt.Fprintf(&b, "> Narrowed to the framework %s: only findings citing it are counted.\n\n", mdText(r.Framework))
	}
	if r.Shard != nil {
		fmt.Fprintf(&b, "> Shard %d/%d of a sharded run (index from 0): only this shard's accounts are in it.\n\n", r.Shard.Index, r.Shard.Count)
	}
	mdTotals(&b, r)
	stats := accountStats(r)
	mdWorst(&b, stats)
	mdFrameworksSection(&b, r)
	mdAccountErrorsSection(&b, r)
	_, err := io.WriteString(w, b.String())
	return err
}

// mdRunLine says what made the report and when.
func mdRunLine(b *strings.Builder, r *Report) {
	var parts []string
	if r.Tool.Name != "" || r.Tool.Version != "" {
		parts = append(parts, mdText(strings.TrimSpace(r.Tool.Name+" "+r.Tool.Version)))
	}
	if !r.CreatedAt.IsZero() {
		parts = append(parts, r.CreatedAt.UTC().Format("2006-01-02 15:04 UTC"))
	}
	if d := []rune(r.BaselineDigest); len(d) > 0 {
		parts = append(parts, "baseline "+mdText(string(d[:min(len(d), 12)])))
	}
	if len(parts) > 0 {
		fmt.Fprintf(b, "_%s_\n\n", strings.Join(parts, ", "))
	}
}

// mdTotals writes the one-row table of totals.
func mdTotals(b *strings.Builder, r *Report) {
	s := r.Summary
	b.WriteString("| Accounts | Passed | Failed | Errors | Skipped |\n|---:|---:|---:|---:|---:|\n")
	fmt.Fprintf(b, "| %d | %d | %d | %d | %d |\n\n", s.Accounts, s.Pass, s.Fail, s.Error, s.Skip)
	var errored, skipped int
	for _, a := range r.Accounts {
		if len(a.Errors) > 0 {
			errored++
		}
		if a.Skipped != "" {
			skipped++
		}
	}
	var notes []string
	if errored > 0 {
		notes = append(notes, plural(errored, "account", "accounts")+" could not be checked completely")
	}
	if skipped > 0 {
		notes = append(notes, plural(skipped, "account was", "accounts were")+" skipped")
	}
	if len(notes) > 0 {
		b.WriteString(strings.Join(notes, "; ") + ".\n\n")
	}
}

// accountStat is how badly one account fails.
type accountStat struct {
	id, name, ou string
	failing      int
	score        int
	worst        baseline.Severity
}

// accountStats counts the failing (FAIL or ERROR) findings of each account
// with any, worst first: by severity-weighted count, then count, then id.
func accountStats(r *Report) []*accountStat {
	byID := map[string]*accountStat{}
	var order []*accountStat
	get := func(id, name string) *accountStat {
		s, ok := byID[id]
		if !ok {
			s = &accountStat{id: id, name: name}
			byID[id] = s
			order = append(order, s)
		}
		return s
	}
	for _, a := range r.Accounts {
		get(a.Account, a.Name).ou = a.OUPath
	}
	for _, f := range r.Findings {
		if f.Status != baseline.StatusFail && f.Status != baseline.StatusError {
			continue
		}
		s := get(f.Account, f.AccountName)
		s.failing++
		s.score += severityWeight(f.Severity)
		if s.failing == 1 || f.Severity.Rank() > s.worst.Rank() {
			s.worst = f.Severity
		}
	}
	var out []*accountStat
	for _, s := range order {
		if s.failing > 0 {
			out = append(out, s)
		}
	}
	sort.SliceStable(out, func(i, j int) bool {
		a, b := out[i], out[j]
		if a.score != b.score {
			return a.score > b.score
		}
		if a.failing != b.failing {
			return a.failing > b.failing
		}
		return a.id < b.id
	})
	return out
}

// severityWeight is what a failing finding adds to its account's score.
func severityWeight(s baseline.Severity) int {
	switch s {
	case baseline.SeverityCritical:
		return 10
	case baseline.SeverityHigh:
		return 5
	case baseline.SeverityMedium:
		return 2
	case baseline.SeverityLow:
		return 1
	case baseline.SeverityInfo:
		return 0
	}
	return 1
}

// mdWorst writes the table of the worst accounts.
func mdWorst(b *strings.Builder, stats []*accountStat) {
	b.WriteString("### Worst accounts\n\n")
	if len(stats) == 0 {
		b.WriteString("No account has failing findings.\n\n")
		return
	}
	b.WriteString("| Account | ID | OU | Failing | Highest severity |\n|---|---|---|---:|---|\n")
	for _, s := range stats[:min(len(stats), mdWorstAccounts)] {
		fmt.Fprintf(b, "| %s | %s | %s | %d | %s |\n", mdCell(s.name), mdCell(s.id), mdCell(s.ou), s.failing, mdCell(string(s.worst)))
	}
	mdMore(b, len(stats)-mdWorstAccounts, "account", "accounts")
}

// checkStat is how one check fails across accounts.
type checkStat struct {
	id, title string
	accounts  map[string]bool
	severity  baseline.Severity
	refs      []string
}

// mdFrameworksSection writes each framework's passing references and the
// table of failing checks.
func mdFrameworksSection(b *strings.Builder, r *Report) {
	b.WriteString("### Failing checks by framework\n\n")
	if len(r.Frameworks) > 0 {
		b.WriteString("| Framework | References passing | Failing references |\n|---|---:|---|\n")
		for _, fw := range r.Frameworks[:min(len(r.Frameworks), mdFrameworks)] {
			pct := "n/a"
			if fw.References > 0 {
				pct = fmt.Sprintf("%d%%", fw.Passing*100/fw.References) // rounded down: 100% only when all pass
			}
			refs := make([]string, 0, mdFailingRefs+1)
			for _, ref := range fw.Failing[:min(len(fw.Failing), mdFailingRefs)] {
				refs = append(refs, mdCell(ref))
			}
			if n := len(fw.Failing) - mdFailingRefs; n > 0 {
				refs = append(refs, fmt.Sprintf("and %d more", n))
			}
			fmt.Fprintf(b, "| %s | %d/%d (%s) | %s |\n", mdCell(fw.Framework), fw.Passing, fw.References, pct, strings.Join(refs, ", "))
		}
		mdMore(b, len(r.Frameworks)-mdFrameworks, "framework", "frameworks")
	}
	checks := checkStats(r)
	if len(checks) == 0 {
		b.WriteString("No check is failing.\n\n")
		return
	}
	b.WriteString("The failing checks, worst first:\n\n| Check | Title | Accounts failing | Severity | References |\n|---|---|---:|---|---|\n")
	for _, c := range checks[:min(len(checks), mdFailingChecks)] {
		fmt.Fprintf(b, "| %s | %s | %d | %s | %s |\n", mdCell(c.id), mdCell(c.title), len(c.accounts), mdCell(string(c.severity)), mdCell(strings.Join(c.refs, ", ")))
	}
	mdMore(b, len(checks)-mdFailingChecks, "check", "checks")
}

// checkStats lists the checks with failing (FAIL or ERROR) findings, worst
// first: by severity, then by accounts failing, then by id.
func checkStats(r *Report) []*checkStat {
	catalog := map[string]Check{}
	for _, c := range r.Checks {
		catalog[c.ID] = c
	}
	byID := map[string]*checkStat{}
	var out []*checkStat
	for _, f := range r.Findings {
		if f.Status != baseline.StatusFail && f.Status != baseline.StatusError {
			continue
		}
		c, ok := byID[f.Check]
		if !ok {
			c = &checkStat{id: f.Check, title: f.Title, accounts: map[string]bool{}, severity: f.Severity, refs: f.Compliance}
			if cat, ok := catalog[f.Check]; ok {
				c.title, c.severity, c.refs = cat.Title, cat.Severity, cat.Compliance
			}
			byID[f.Check] = c
			out = append(out, c)
		}
		c.accounts[f.Account] = true
		if f.Severity.Rank() > c.severity.Rank() {
			c.severity = f.Severity
		}
	}
	sort.SliceStable(out, func(i, j int) bool {
		a, b := out[i], out[j]
		if a.severity.Rank() != b.severity.Rank() {
			return a.severity.Rank() > b.severity.Rank()
		}
		if len(a.accounts) != len(b.accounts) {
			return len(a.accounts) > len(b.accounts)
		}
		return a.id < b.id
	})
	return out
}

// mdAccountErrorsSection lists the errors of accounts that could not be
// checked, if any.
func mdAccountErrorsSection(b *strings.Builder, r *Report) {
	var lines []string
	for _, a := range r.Accounts {
		for _, e := range a.Errors {
			lines = append(lines, fmt.Sprintf("- %s: %s\n", mdText(accountRef(a.Account, a.Name)), mdText(e)))
		}
	}
	if len(lines) == 0 {
		return
	}
	b.WriteString("### Account errors\n\n")
	for _, l := range lines[:min(len(lines), mdAccountErrors)] {
		b.WriteString(l)
	}
	if n := len(lines) - mdAccountErrors; n > 0 {
		fmt.Fprintf(b, "- and %d more\n", n)
	}
	b.WriteString("\n")
}

// mdMore ends a capped table: a line saying how many rows were left out,
// and the blank line after the table.
func mdMore(b *strings.Builder, n int, one, many string) {
	if n == 1 {
		fmt.Fprintf(b, "\nand 1 more %s\n", one)
	} else if n > 1 {
		fmt.Fprintf(b, "\nand %d more %s\n", n, many)
	}
	b.WriteString("\n")
}

// mdCell is mdText for a table cell: empty cells show a dash.
func mdCell(s string) string {
	if s == "" {
		return "-"
	}
	return mdText(s)
}

// mdText makes a value from the report safe to put in Markdown: one line,
// control characters escaped (Clean: Markdown is read in terminals too),
// at most mdMaxValueLength characters, its Markdown-significant characters
// escaped.
func mdText(s string) string {
	s = Clean(strings.Join(strings.Fields(s), " "))
	if utf8.RuneCountInString(s) > mdMaxValueLength {
		s = string([]rune(s)[:mdMaxValueLength-1]) + "…"
	}
	return escapeMarkdown(s)
}

// markdownEscaper backslash-escapes the characters that could make a value
// a link, an image, HTML, emphasis, code, maths, a heading or a table
// column: every ASCII punctuation character CommonMark lets be escaped
// and that Markdown gives a meaning inside a line.
var markdownEscaper = strings.NewReplacer(
	`\`, `\\`, "`", "\\`", `*`, `\*`, `_`, `\_`, `{`, `\{`, `}`, `\}`,
	`[`, `\[`, `]`, `\]`, `<`, `\<`, `>`, `\>`, `#`, `\#`, `|`, `\|`,
	`~`, `\~`, `!`, `\!`, `$`, `\$`, `&`, `\&`,
)

// escapeMarkdown backslash-escapes Markdown-significant characters.
func escapeMarkdown(s string) string {
	return markdownEscaper.Replace(s)
}

// plural writes n with the singular or plural noun.
func plural(n int, one, many string) string {
	if n == 1 {
		return "1 " + one
	}
	return fmt.Sprintf("%d %s", n, many)
}
