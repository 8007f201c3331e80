package cli

import (
	"context"
	"fmt"
	"io"

	"github.com/spf13/cobra"

	"github.com/orgbaseline/orgbaseline/baseline"
	"github.com/orgbaseline/orgbaseline/internal/engine"
	"github.com/orgbaseline/orgbaseline/internal/report"
)

type planFlags struct {
	file             string
	out              string
	detailedExitcode bool
	targets          []string
	format           string
	summary          bool
	shard            string
	// noApplyHint: the demo applies the saved plan itself, in a
	// directory it deletes, so no command to apply it is suggested.
	noApplyHint bool
}

func (a *app) planCommand(g *globalFlags) *cobra.Command {
	f := &planFlags{}
	cmd := &cobra.Command{
		Use:   "plan [-f baseline.yaml] [-out plan.json] [--detailed-exitcode] [--target SELECTOR]...",
		Short: "Show what apply would change in every targeted account",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			return a.plan(cmd.Context(), g, f, runOptions{file: f.file, targets: f.targets})
		},
	}
	cmd.Flags().StringVarP(&f.file, "file", "f", "baseline.yaml", "the baseline `FILE`")
	cmd.Flags().StringVar(&f.out, "out", "", "write the plan to `FILE`, for orgbaseline apply FILE")
	cmd.Flags().BoolVar(&f.detailedExitcode, "detailed-exitcode", false, "exit 2 when the plan has changes (0: none, 1: error)")
	cmd.Flags().StringArrayVar(&f.targets, "target", nil, "narrow the run to accounts matching `SELECTOR` too (repeatable), e.g. ou:/Workloads/Prod")
	cmd.Flags().StringVar(&f.format, "format", "text", "output `FORMAT`: text or json")
	cmd.Flags().BoolVar(&f.summary, "summary", false, "text output: one line per account with changes per control, instead of every field")
	registerShard(cmd, &f.shard)
	return cmd
}

func (a *app) plan(ctx context.Context, g *globalFlags, f *planFlags, o runOptions) error {
	if f.format != "text" && f.format != "json" {
		return fmt.Errorf("--format %q: use text or json", f.format)
	}
	var err error
	if o.shard, err = a.parseShard(f.shard); err != nil {
		return err
	}
	o.prefetchOrg, o.stream, o.warnWriteActions = true, true, true
	env, err := a.prepare(ctx, g, o)
	if err != nil {
		return err
	}
	defer env.close()
	p, err := env.makePlan(ctx)
	if err != nil {
		return err
	}
	if f.out != "" {
		if err := writePlanFile(f.out, p); err != nil {
			return err
		}
	}
	if f.format == "json" {
		err = report.PlanJSON(a.stdout, p)
	} else {
		err = writePlan(a.stdout, p, f.summary)
		if err == nil && f.out != "" && !f.noApplyHint {
			fmt.Fprintf(a.stdout, "Saved the plan to %s. Apply exactly this plan with: orgbaseline apply %s\n", f.out, f.out)
		}
	}
	if err != nil {
		return err
	}
	if errs := p.Errors(); len(errs) > 0 {
		err := fmt.Errorf("%d account(s) could not be planned; see above", len(errs))
		if s := env.stopped(ctx); s != "" {
			// --max-failed-accounts passed, even when the last failure
			// left no account to stop starting.
			err = fmt.Errorf("%s; %w", s, err)
		}
		return &exitError{code: ExitError, err: err}
	}
	if f.detailedExitcode && p.ChangeCount() > 0 {
		return &exitError{code: ExitChanges}
	}
	return nil
}

// makePlan observes the organization-scope controls and every targeted
// account, and builds the plan. A plan cut short by an interrupt is no
// plan: it fails with errInterrupted alone, not with each account's
// cancelled calls.
func (env *runEnv) makePlan(ctx context.Context) (*baseline.Plan, error) {
	org, results, err := env.overAccounts(ctx, planPhase)
	if ctx.Err() != nil {
		// The walk ended (env.sel set) before overAccounts returned.
		if env.sel == nil {
			return nil, interrupted("reading the organization")
		}
		return nil, interrupted("planning")
	}
	if err != nil {
		return nil, err
	}
	return engine.BuildPlan(org, results, env.sel.Skipped, baseline.Plan{
		Baseline:       env.path,
		BaselineDigest: digest(env.baseline),
		Organization:   env.org.ID,
		Shard:          env.shard,
	}), nil
}

// writePlanFile writes the plan atomically: a half-written plan file never
// exists under the final name. It records the baseline's path relative to
// the plan file (relativeBaseline), for `apply FILE` to find it.
func writePlanFile(path string, p *baseline.Plan) error {
	rec := *p
	rec.Baseline = relativeBaseline(path, p.Baseline)
	if err := writeAtomicMode(path, 0o600, func(w io.Writer) error { return report.PlanJSON(w, &rec) }); err != nil {
		return fmt.Errorf("write plan %s: %w", path, err)
	}
	return nil
}

// writePlan renders a plan for people, in full or as a summary.
func writePlan(w io.Writer, p *baseline.Plan, summary bool) error {
	if summary {
		return report.PlanSummary(w, p, isTTY(w))
	}
	return report.PlanText(w, p, isTTY(w))
}
