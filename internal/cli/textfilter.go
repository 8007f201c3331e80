package cli

import (
	"fmt"

	"github.com/spf13/cobra"

	"github.com/orgbaseline/orgbaseline/baseline"
	"github.com/orgbaseline/orgbaseline/internal/report"
)

// registerTextFilter adds --min-severity and --status, which narrow the
// text report only (report.TextFilter).
func registerTextFilter(cmd *cobra.Command, minSeverity *string, statuses *[]string) {
	cmd.Flags().StringVar(minSeverity, "min-severity", "", "list only findings of this severity or worse in the text report: info, low, medium, high, critical (default: all; other formats stay complete; --fail-on sets the exit code)")
	cmd.Flags().StringArrayVar(statuses, "status", nil, "list only findings of this status in the text report: fail, error, pass, skip (repeatable; default: fail and error; other formats stay complete)")
}

// parseTextFilter reads --min-severity and --status.
func parseTextFilter(minSeverity string, statuses []string) (report.TextFilter, error) {
	var f report.TextFilter
	if minSeverity != "" {
		sev, ok := baseline.ParseSeverity(minSeverity)
		if !ok {
			return f, fmt.Errorf("--min-severity %q: use info, low, medium, high or critical", report.Clean(minSeverity))
		}
		f.MinSeverity = sev
	}
	for _, s := range statuses {
		st, err := report.ParseStatus(s)
		if err != nil {
			return f, fmt.Errorf("--status: %w", err)
		}
		f.Statuses = append(f.Statuses, st)
	}
	return f, nil
}
