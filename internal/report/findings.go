package report

import (
	"encoding/json"
	"fmt"
	"io"
	"sort"
	"strings"
	"time"

	"github.com/orgbaseline/orgbaseline/baseline"
)

// ReportFormatVersion is the version of the check report JSON. It changes
// when a field changes meaning or goes away; adding a field does not. The
// published JSON Schema of the format is ReportSchema (report.schema.json).
const ReportFormatVersion = "1"

// Report is the result of a check run, as JSON writes it. Every other
// format is rendered from it, so the JSON holds everything they show.
type Report struct {
	FormatVersion string    `json:"formatVersion"`
	CreatedAt     time.Time `json:"createdAt"`
	Tool          Tool      `json:"tool"`
	Organization  string    `json:"organization"`
	// BaselineDigest is the sha256 of the effective baseline the run
	// checked; `report merge` joins only reports of the same baseline.
	BaselineDigest string `json:"baselineDigest,omitempty"`
	// Framework is set when the run was narrowed to one framework
	// (--framework): only findings citing it are in the report.
	Framework string `json:"framework,omitempty"`
	// Shard is set on the report of one shard of a sharded run (--shard);
	// a merged report has none.
	Shard      *Shard             `json:"shard,omitempty"`
	Summary    Summary            `json:"summary"`
	Frameworks []FrameworkSummary `json:"frameworks"`
	Checks     []Check            `json:"checks"`
	Accounts   []AccountReport    `json:"accounts"`
	Findings   []baseline.Finding `json:"findings"`

	// TextFilter narrows what the text rendering lists; the other
	// formats, and the JSON above, are always complete.
	TextFilter TextFilter `json:"-"`
}

// Tool names the program that made the report.
type Tool struct {
	Name    string `json:"name"`
	Version string `json:"version"`
}

// Shard is one part of a sharded run: Index of Count, Index from 0.
type Shard = baseline.Shard

// Check describes one check the findings come from: the rule of SARIF,
// the testcase name of JUnit, a column of the HTML heat map.
type Check struct {
	ID          string            `json:"id"`     // the findings' Check
	Source      string            `json:"source"` // "control:passwordPolicy", "plugin:root-account"
	Title       string            `json:"title"`
	Severity    baseline.Severity `json:"severity"`
	Remediation string            `json:"remediation,omitempty"`
	Compliance  []string          `json:"compliance,omitempty"`
}

// FrameworkSummary is how a compliance framework fares in the report: a
// reference (a control of the framework, like "CIS-3.0:1.8") passes when
// every finding citing it passed, in every account.
type FrameworkSummary struct {
	Framework  string   `json:"framework"` // "CIS-3.0", "SOC2", ...
	References int      `json:"references"`
	Passing    int      `json:"passing"`
	Failing    []string `json:"failing,omitempty"` // failing references, sorted
}

// AccountReport is one account's status in a check run.
type AccountReport struct {
	Account string `json:"account"`
	// OrganizationScope marks the section of the organization-scope
	// controls (listed under the management account), first in Accounts.
	OrganizationScope bool     `json:"organizationScope,omitempty"`
	Name              string   `json:"name,omitempty"`
	OUPath            string   `json:"ouPath,omitempty"`
	Errors            []string `json:"errors,omitempty"`
	Skipped           string   `json:"skipped,omitempty"`
}

// Summary counts findings by status.
type Summary struct {
	Accounts int `json:"accounts"`
	Pass     int `json:"pass"`
	Fail     int `json:"fail"`
	Error    int `json:"error"`
	Skip     int `json:"skip"`
}

// Sort orders findings by account, check, region, resource so that output
// is stable.
func Sort(fs []baseline.Finding) {
	sort.SliceStable(fs, func(i, j int) bool {
		a, b := fs[i], fs[j]
		if a.Account != b.Account {
			return a.Account < b.Account
		}
		if a.Check != b.Check {
			return a.Check < b.Check
		}
		if a.Region != b.Region {
			return a.Region < b.Region
		}
		return a.Resource < b.Resource
	})
}

// Summarise counts the findings and fills in the check catalogue and the
// framework summaries, all from r.Findings.
func Summarise(r *Report) {
	r.Checks = Catalog(r.Findings)
	r.Frameworks = Frameworks(r.Findings)
	s := Summary{Accounts: len(r.Accounts)}
	for _, f := range r.Findings {
		switch f.Status {
		case baseline.StatusPass:
			s.Pass++
		case baseline.StatusFail:
			s.Fail++
		case baseline.StatusError:
			s.Error++
		case baseline.StatusSkip:
			s.Skip++
		}
	}
	r.Summary = s
}

// FindingsJSON writes the report as versioned JSON.
func FindingsJSON(w io.Writer, r *Report) error {
	// Lists are written as [] when empty, never null.
	if r == nil {
		r = &Report{}
	}
	cp := *r
	if cp.Frameworks == nil {
		cp.Frameworks = []FrameworkSummary{}
	}
	if cp.Checks == nil {
		cp.Checks = []Check{}
	}
	if cp.Accounts == nil {
		cp.Accounts = []AccountReport{}
	}
	if cp.Findings == nil {
		cp.Findings = []baseline.Finding{}
	}
	r = &cp
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	return enc.Encode(r)
}

// FindingsText writes the failing and erroring findings account by account
// (or those r.TextFilter shows) and a summary line. Every value is passed
// through Clean: findings carry text from plugins and AWS.
func FindingsText(w io.Writer, r *Report, colour bool) error {
	c := colours(colour)
	filter := r.TextFilter
	var b strings.Builder
	byAcct := map[string][]baseline.Finding{}
	for _, f := range r.Findings {
		byAcct[f.Account] = append(byAcct[f.Account], f)
	}
	shownTotal := 0
	for _, a := range r.Accounts {
		label := Clean(a.Account)
		if a.Name != "" {
			label = Clean(a.Name) + " (" + label + ")"
		}
		ou := Clean(a.OUPath)
		if a.Skipped != "" {
			if !filter.Active() {
				fmt.Fprintf(&b, "%s%s skipped: %s%s\n", c.dim, label, Clean(a.Skipped), c.reset)
			}
			continue
		}
		var shown []baseline.Finding
		// ERROR findings (a check that could not run) are counted apart
		// from FAIL: they say nothing about compliance.
		pass, failing, errs := 0, 0, 0
		for _, f := range byAcct[a.Account] {
			switch f.Status {
			case baseline.StatusPass, baseline.StatusSkip:
				pass++
			case baseline.StatusError:
				errs++
			default:
				failing++
			}
			if filter.Shows(f) {
				shown = append(shown, f)
			}
		}
		shownTotal += len(shown)
		if filter.Active() && len(shown) == 0 && len(a.Errors) == 0 {
			continue // a filtered view lists only the accounts with something to show
		}
		if failing+errs == 0 && len(a.Errors) == 0 {
			fmt.Fprintf(&b, "%s%s%s %s: %s%d passed%s\n", c.bold, label, c.reset, ou, c.green, pass, c.reset)
		} else {
			fmt.Fprintf(&b, "%s%s%s %s: %d passed, %s%d failing%s", c.bold, label, c.reset, ou, pass, c.red, failing, c.reset)
			if errs > 0 {
				fmt.Fprintf(&b, ", %s%d errors%s", c.red, errs, c.reset)
			}
			b.WriteByte('\n')
		}
		for _, e := range a.Errors {
			fmt.Fprintf(&b, "  %serror%s %s\n", c.red, c.reset, Clean(e))
		}
		for _, f := range shown {
			writeFindingLine(&b, c, f)
		}
	}
	s := r.Summary
	fmt.Fprintf(&b, "\n%sCheck:%s %d accounts, %d passed, %d failed, %d errors, %d finding(s) skipped.\n", c.bold, c.reset, s.Accounts, s.Pass, s.Fail, s.Error, s.Skip)
	if filter.Active() {
		fmt.Fprintf(&b, "Listed %d of %d findings (%s); the other report formats have them all.\n", shownTotal, len(r.Findings), filter.describe())
	}
	_, err := io.WriteString(w, b.String())
	return err
}

// writeFindingLine writes one listed finding: status, severity, where,
// the message and its references, and the fix of one that did not pass.
func writeFindingLine(b *strings.Builder, c palette, f baseline.Finding) {
	where := f.Check
	if f.Region != "" {
		where += " in " + f.Region
	}
	passed := f.Status == baseline.StatusPass || f.Status == baseline.StatusSkip
	colour := c.red
	if passed {
		colour = c.green
	}
	fmt.Fprintf(b, "  %s%s%s [%s] %s: %s", colour, Clean(string(f.Status)), c.reset, Clean(string(f.Severity)), Clean(where), Clean(f.Message))
	if len(f.Compliance) > 0 {
		fmt.Fprintf(b, " %s(%s)%s", c.dim, Clean(strings.Join(f.Compliance, ", ")), c.reset)
	}
	b.WriteByte('\n')
	if f.Remediation != "" && !passed {
		fmt.Fprintf(b, "      fix: %s\n", Clean(f.Remediation))
	}
}
