package report

import (
	"fmt"
	"strings"

	"github.com/orgbaseline/orgbaseline/baseline"
)

// TextFilter narrows the findings the text rendering lists (check
// --min-severity and --status). It is a view, not a change to the report:
// the other formats ignore it and stay complete, and the text summary
// still counts every finding.
type TextFilter struct {
	// MinSeverity hides findings below it; "" shows every severity.
	MinSeverity baseline.Severity
	// Statuses are the statuses listed; none means FAIL and ERROR, what
	// the text report lists by default.
	Statuses []baseline.Status
}

// Active says whether the filter differs from the default view.
func (f TextFilter) Active() bool { return f.MinSeverity != "" || len(f.Statuses) > 0 }

// Shows says whether the text rendering lists fd.
func (f TextFilter) Shows(fd baseline.Finding) bool {
	if f.MinSeverity != "" && fd.Severity.Rank() < f.MinSeverity.Rank() {
		return false
	}
	statuses := f.Statuses
	if len(statuses) == 0 {
		statuses = []baseline.Status{baseline.StatusFail, baseline.StatusError}
	}
	for _, s := range statuses {
		if fd.Status == s {
			return true
		}
	}
	return false
}

// describe says what the filter shows, for the line under the summary.
func (f TextFilter) describe() string {
	var parts []string
	if f.MinSeverity != "" {
		parts = append(parts, "severity "+string(f.MinSeverity)+" or above")
	}
	if len(f.Statuses) > 0 {
		names := make([]string, len(f.Statuses))
		for i, s := range f.Statuses {
			names[i] = strings.ToLower(string(s))
		}
		parts = append(parts, "status "+strings.Join(names, ", "))
	}
	return strings.Join(parts, "; ")
}

// ParseStatus reads a status name as --status takes it (fail, error,
// pass, skip; any case).
func ParseStatus(s string) (baseline.Status, error) {
	for _, st := range []baseline.Status{baseline.StatusFail, baseline.StatusError, baseline.StatusPass, baseline.StatusSkip} {
		if strings.EqualFold(s, string(st)) {
			return st, nil
		}
	}
	return "", fmt.Errorf("status %q: use fail, error, pass or skip", Clean(truncate(s, 20)))
}

func truncate(s string, n int) string {
	if r := []rune(s); len(r) > n {
		return string(r[:n]) + "..."
	}
	return s
}
