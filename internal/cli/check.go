package cli

import (
	"context"
	"fmt"
	"strings"

	"github.com/spf13/cobra"

	"github.com/orgbaseline/orgbaseline/baseline"
	"github.com/orgbaseline/orgbaseline/internal/report"
)

type checkFlags struct {
	file      string
	out       outputFlags
	failOn    string
	framework string
	shard     string
	targets   []string
	// minSeverity and statuses narrow the text report (textfilter.go).
	minSeverity string
	statuses    []string
}

func (a *app) checkCommand(g *globalFlags) *cobra.Command {
	f := &checkFlags{}
	cmd := &cobra.Command{
		Use:   "check [-f baseline.yaml] [--format FORMAT [--output FILE]]... [--fail-on SEVERITY] [--framework NAME] [--shard INDEX/COUNT]",
		Short: "Report compliance of every targeted account with the baseline and its check plugins, changing nothing",
		Long: `check observes every targeted account once and renders the report in one
or more formats: text, json (versioned, with a published JSON Schema),
sarif (GitHub code scanning), junit (CI test reports), markdown (a CI job
summary) and html (a self-contained compliance map). Pair each --format
with an --output:

  orgbaseline check --format sarif --output check.sarif \
                    --format html --output check.html --format text --output -`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			return a.check(cmd.Context(), g, f, runOptions{file: f.file, targets: f.targets})
		},
	}
	cmd.Flags().StringVarP(&f.file, "file", "f", "baseline.yaml", "the baseline `FILE`")
	f.out.register(cmd)
	cmd.Flags().StringVar(&f.framework, "framework", "", "report only the findings citing the compliance framework `NAME`, and summarise it alone: "+strings.Join(baseline.Frameworks(), ", "))
	registerShard(cmd, &f.shard)
	cmd.Flags().StringVar(&f.failOn, "fail-on", "low", "exit 3 when a finding of `SEVERITY` or worse fails: info, low, medium, high, critical")
	cmd.Flags().StringArrayVar(&f.targets, "target", nil, "narrow the run to accounts matching `SELECTOR` too (repeatable), e.g. ou:/Workloads/Prod")
	registerTextFilter(cmd, &f.minSeverity, &f.statuses)
	return cmd
}

func (a *app) check(ctx context.Context, g *globalFlags, f *checkFlags, o runOptions) error {
	outs, err := f.out.resolve()
	if err != nil {
		return err
	}
	framework := ""
	if f.framework != "" {
		var ok bool
		if framework, ok = baseline.FrameworkNamed(f.framework); !ok {
			return fmt.Errorf("--framework %q: use one of %s", f.framework, strings.Join(baseline.Frameworks(), ", "))
		}
	}
	if o.shard, err = a.parseShard(f.shard); err != nil {
		return err
	}
	threshold, ok := baseline.ParseSeverity(f.failOn)
	if !ok {
		return fmt.Errorf("--fail-on %q: use info, low, medium, high or critical", f.failOn)
	}
	textFilter, err := parseTextFilter(f.minSeverity, f.statuses)
	if err != nil {
		return err
	}
	o.plugins = true // check runs the baseline's check plugins with the controls
	o.prefetchOrg, o.stream, o.warnWriteActions = true, true, true
	env, err := a.prepare(ctx, g, o)
	if err != nil {
		return err
	}
	defer env.close()
	rep, err := env.check(ctx)
	if err != nil {
		return err
	}
	if framework != "" {
		report.Narrow(rep, framework)
	}
	rep.TextFilter = textFilter
	if err := a.writeReports(outs, rep); err != nil {
		return err
	}
	return reportExit(rep, threshold)
}

// reportExit is the exit of a check (or a merged report): 1 when an
// account could not be checked completely (an error of its own, or an
// ERROR finding: a check, such as a plugin, that could not run there),
// 3 when a finding at or above threshold fails, else 0. ERROR findings
// are counted apart from the failing ones: they say nothing about
// compliance.
func reportExit(rep *report.Report, threshold baseline.Severity) error {
	errored := map[string]bool{}
	for _, acct := range rep.Accounts {
		if len(acct.Errors) > 0 {
			errored[acct.Account] = true
		}
	}
	failing, errors := 0, 0
	for _, fd := range rep.Findings {
		switch {
		case fd.Status == baseline.StatusError:
			errors++
			errored[fd.Account] = true
		case fd.Status == baseline.StatusFail && fd.Severity.Rank() >= threshold.Rank():
			failing++
		}
	}
	if len(errored) > 0 {
		return &exitError{code: ExitError, err: fmt.Errorf("%d account(s) could not be checked completely (%d error finding(s)), and %d finding(s) failing at severity %s or above; see the report", len(errored), errors, failing, threshold)}
	}
	if failing > 0 {
		return &exitError{code: ExitFindings, err: fmt.Errorf("%d finding(s) failing at severity %s or above", failing, threshold)}
	}
	return nil
}

// check observes every targeted account and builds the report.
func (env *runEnv) check(ctx context.Context) (*report.Report, error) {
	org, results, err := env.overAccounts(ctx, checkPhase)
	if ctx.Err() != nil {
		return nil, interrupted("checking") // no partial report (interrupted.go)
	}
	if err != nil {
		return nil, err
	}
	rep := &report.Report{
		FormatVersion: report.ReportFormatVersion, CreatedAt: env.now().UTC(),
		Tool:         report.Tool{Name: "orgbaseline", Version: version()},
		Organization: env.org.ID, BaselineDigest: digest(env.baseline), Shard: env.shard,
	}
	orgScope := org != nil
	if orgScope {
		// Organization-scope findings are listed under the management
		// account, or under the account they name.
		rep.Accounts = append(rep.Accounts, report.AccountReport{Account: org.Account.ID, OrganizationScope: true, Name: org.Account.Name + " (organization scope)", OUPath: org.Account.OUPath, Errors: org.Errors})
		rep.Findings = append(rep.Findings, org.Findings...)
	}
	for _, r := range results {
		rep.Accounts = append(rep.Accounts, report.AccountReport{Account: r.Account.ID, Name: r.Account.Name, OUPath: r.Account.OUPath, Errors: r.Errors})
		rep.Findings = append(rep.Findings, r.Findings...)
	}
	for _, s := range env.sel.Skipped {
		if orgScope && s.Account.ID == env.org.ManagementAccountID {
			continue // listed above as the organization scope
		}
		rep.Accounts = append(rep.Accounts, report.AccountReport{Account: s.Account.ID, Name: s.Account.Name, OUPath: s.Account.OUPath, Skipped: s.Reason})
	}
	report.SortAccounts(rep.Accounts)
	report.Sort(rep.Findings)
	report.Summarise(rep)
	return rep, nil
}
