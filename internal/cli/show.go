package cli

import (
	"fmt"
	"path/filepath"

	"github.com/spf13/cobra"

	"github.com/orgbaseline/orgbaseline/baseline"
	"github.com/orgbaseline/orgbaseline/internal/report"
)

type showFlags struct {
	format  string
	summary bool
}

// showCommand is Terraform's `show` for a saved plan: the file rendered
// as plan printed it, read and checked as apply reads it (readPlanFile),
// with no AWS call. What apply would do with it is still decided by the
// plan computed then: show says what the file holds.
func (a *app) showCommand() *cobra.Command {
	f := &showFlags{}
	cmd := &cobra.Command{
		Use:   "show plan.json [--format text|json] [--summary]",
		Short: "Show a saved plan (from plan -out), offline",
		Long: `show reads a plan file written by "plan -out" and prints it as plan did,
or as JSON with --format json. It checks the file as apply does (format
version, account entries) and makes no AWS call.`,
		Args: cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			return a.show(args[0], f)
		},
	}
	cmd.Flags().StringVar(&f.format, "format", "text", "output format: text or json")
	cmd.Flags().BoolVar(&f.summary, "summary", false, "text output: one line per account with changes per control, instead of every field")
	return cmd
}

func (a *app) show(path string, f *showFlags) error {
	if f.format != "text" && f.format != "json" {
		return fmt.Errorf("--format %q: use text or json", f.format)
	}
	p, err := readPlanFile(path)
	if err != nil {
		return err
	}
	if f.format == "json" {
		return report.PlanJSON(a.stdout, p)
	}
	fmt.Fprintln(a.stdout, report.Clean(savedPlanHeader(path, p)))
	fmt.Fprintln(a.stdout)
	if err := writePlan(a.stdout, p, f.summary); err != nil {
		return err
	}
	if p.ChangeCount() > 0 {
		fmt.Fprintf(a.stdout, "Apply exactly this plan with: orgbaseline apply %s\n", report.Clean(path))
	}
	return nil
}

// savedPlanHeader says what a plan file is a plan of, and when it was made.
func savedPlanHeader(path string, p *baseline.Plan) string {
	b := p.Baseline
	if b != "" && !filepath.IsAbs(b) {
		b = filepath.Join(filepath.Dir(path), b) // as apply finds it
	}
	s := fmt.Sprintf("%s: the plan of %s for organization %s", path, b, p.Organization)
	if p.Shard != nil {
		s += ", shard " + p.Shard.String()
	}
	return s + ", made " + p.CreatedAt.UTC().Format("2006-01-02 15:04:05 UTC") + "."
}
