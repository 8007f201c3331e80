package cli

import (
	"fmt"
	"os"

	"github.com/spf13/cobra"

	"github.com/orgbaseline/orgbaseline/baseline"
	"github.com/orgbaseline/orgbaseline/internal/report"
)

func (a *app) reportCommand() *cobra.Command {
	cmd := &cobra.Command{
		Use:   "report",
		Short: "Work with check reports: merge the reports of a sharded run",
		Args:  cobra.NoArgs,
		RunE:  func(cmd *cobra.Command, _ []string) error { return cmd.Help() },
	}
	var out outputFlags
	var failOn string
	merge := &cobra.Command{
		Use:   "merge SHARD.json... [--format FORMAT [--output FILE]]...",
		Short: "Join the JSON reports of the shards of one check run into one report, in any format",
		Long: `merge reads the reports that "check --shard I/N --format json" wrote, one per
shard, and renders the report of the whole run, exactly as an unsharded
check would have. It refuses reports of different organizations, baselines
or frameworks, a shard given twice and a missing shard.

  orgbaseline report merge shard-*.json --format html --output check.html \
                                        --format sarif --output check.sarif`,
		Args: cobra.MinimumNArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			outs, err := out.resolve()
			if err != nil {
				return err
			}
			threshold := baseline.Severity("")
			if failOn != "" {
				var ok bool
				if threshold, ok = baseline.ParseSeverity(failOn); !ok {
					return fmt.Errorf("--fail-on %q: use info, low, medium, high or critical", failOn)
				}
			}
			var reps []*report.Report
			for _, path := range args {
				f, err := os.Open(path)
				if err != nil {
					return fmt.Errorf("read report: %w", err)
				}
				r, err := report.ReadReport(f, path)
				f.Close()
				if err != nil {
					return err
				}
				reps = append(reps, r)
			}
			merged, err := report.Merge(reps)
			if err != nil {
				return fmt.Errorf("cannot merge the reports:\n%w", err)
			}
			if err := a.writeReports(outs, merged); err != nil {
				return err
			}
			if failOn == "" {
				return nil
			}
			return reportExit(merged, threshold)
		},
	}
	out.register(merge)
	merge.Flags().StringVar(&failOn, "fail-on", "", "exit as check does (1: an account could not be checked; 3: a finding of `SEVERITY` or worse fails); without it, merge exits 0 once the report is written")
	cmd.AddCommand(merge)
	return cmd
}
