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

// ReportFormatVersion is the version of the check report JSON.
const ReportFormatVersion = "1"

// Report is the result of a check run, as JSON writes it.
type Report struct {
	FormatVersion string             `json:"formatVersion"`
	CreatedAt     time.Time          `json:"createdAt"`
	Organization  string             `json:"organization"`
	Summary       Summary            `json:"summary"`
	Accounts      []AccountReport    `json:"accounts"`
	Findings      []baseline.Finding `json:"findings"`
}

// AccountReport is one account's status in a check run.
type AccountReport struct {
	Account string   `json:"account"`
	Name    string   `json:"name,omitempty"`
	OUPath  string   `json:"ouPath,omitempty"`
	Errors  []string `json:"errors,omitempty"`
	Skipped string   `json:"skipped,omitempty"`
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

// Summarise counts the findings.
func Summarise(r *Report) {
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
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	return enc.Encode(r)
}

// FindingsText writes the failing and erroring findings account by account
// and a summary line.
func FindingsText(w io.Writer, r *Report, colour bool) error {
	c := colours(colour)
	var b strings.Builder
	byAcct := map[string][]baseline.Finding{}
	for _, f := range r.Findings {
		byAcct[f.Account] = append(byAcct[f.Account], f)
	}
	for _, a := range r.Accounts {
		label := a.Account
		if a.Name != "" {
			label = a.Name + " (" + a.Account + ")"
		}
		if a.Skipped != "" {
			fmt.Fprintf(&b, "%s%s skipped: %s%s\n", c.dim, label, a.Skipped, c.reset)
			continue
		}
		var bad []baseline.Finding
		pass := 0
		for _, f := range byAcct[a.Account] {
			if f.Status == baseline.StatusPass || f.Status == baseline.StatusSkip {
				pass++
				continue
			}
			bad = append(bad, f)
		}
		if len(bad) == 0 && len(a.Errors) == 0 {
			fmt.Fprintf(&b, "%s%s%s %s: %s%d passed%s\n", c.bold, label, c.reset, a.OUPath, c.green, pass, c.reset)
			continue
		}
		fmt.Fprintf(&b, "%s%s%s %s: %d passed, %s%d failing%s\n", c.bold, label, c.reset, a.OUPath, pass, c.red, len(bad), c.reset)
		for _, e := range a.Errors {
			fmt.Fprintf(&b, "  %serror%s %s\n", c.red, c.reset, e)
		}
		for _, f := range bad {
			fmt.Fprintf(&b, "  %s%s%s [%s] %s: %s", c.red, f.Status, c.reset, f.Severity, f.Check, f.Message)
			if len(f.Compliance) > 0 {
				fmt.Fprintf(&b, " %s(%s)%s", c.dim, strings.Join(f.Compliance, ", "), c.reset)
			}
			b.WriteByte('\n')
			if f.Remediation != "" {
				fmt.Fprintf(&b, "      fix: %s\n", f.Remediation)
			}
		}
	}
	s := r.Summary
	fmt.Fprintf(&b, "\n%sCheck:%s %d accounts, %d passed, %d failed, %d errors, %d skipped.\n", c.bold, c.reset, s.Accounts, s.Pass, s.Fail, s.Error, s.Skip)
	_, err := io.WriteString(w, b.String())
	return err
}
