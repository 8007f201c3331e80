package cli

import (
	"context"
	"fmt"
	"io"
	"os"
	"sync"
	"time"

	"github.com/spf13/cobra"

	"github.com/orgbaseline/orgbaseline/baseline"
	"github.com/orgbaseline/orgbaseline/internal/engine"
	"github.com/orgbaseline/orgbaseline/internal/report"
)

type checkFlags struct {
	file    string
	format  string
	output  string
	failOn  string
	targets []string
}

func (a *app) checkCommand(g *globalFlags) *cobra.Command {
	f := &checkFlags{}
	cmd := &cobra.Command{
		Use:   "check [-f baseline.yaml] [--format text|json] [--output FILE] [--fail-on SEVERITY]",
		Short: "Report compliance of every targeted account with the baseline and its check plugins, changing nothing",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			return a.check(cmd.Context(), g, f, runOptions{file: f.file, targets: f.targets})
		},
	}
	cmd.Flags().StringVarP(&f.file, "file", "f", "baseline.yaml", "the baseline file")
	cmd.Flags().StringVar(&f.format, "format", "text", "report format: text or json")
	cmd.Flags().StringVar(&f.output, "output", "", "write the report to FILE instead of standard output")
	cmd.Flags().StringVar(&f.failOn, "fail-on", "low", "exit 3 when a finding of this severity or worse fails: info, low, medium, high, critical")
	cmd.Flags().StringArrayVar(&f.targets, "target", nil, "narrow the run to accounts matching this selector too (repeatable)")
	return cmd
}

func (a *app) check(ctx context.Context, g *globalFlags, f *checkFlags, o runOptions) error {
	if f.format != "text" && f.format != "json" {
		return fmt.Errorf("--format %q: use text or json", f.format)
	}
	threshold, ok := baseline.ParseSeverity(f.failOn)
	if !ok {
		return fmt.Errorf("--fail-on %q: use info, low, medium, high or critical", f.failOn)
	}
	o.plugins = true // check runs the baseline's check plugins with the controls
	env, err := a.prepare(ctx, g, o)
	if err != nil {
		return err
	}
	defer env.close()
	rep := env.check(ctx)
	var w io.Writer = a.stdout
	if f.output != "" {
		file, err := os.Create(f.output)
		if err != nil {
			return fmt.Errorf("--output: %w", err)
		}
		defer file.Close()
		w = file
	}
	if f.format == "json" {
		err = report.FindingsJSON(w, rep)
	} else {
		err = report.FindingsText(w, rep, f.output == "" && isTTY(a.stdout))
	}
	if err != nil {
		return fmt.Errorf("write report: %w", err)
	}
	errored := 0
	for _, acct := range rep.Accounts {
		if len(acct.Errors) > 0 {
			errored++
		}
	}
	if errored > 0 {
		return &exitError{code: ExitError, err: fmt.Errorf("%d account(s) could not be checked completely; see the report", errored)}
	}
	failing := 0
	for _, fd := range rep.Findings {
		if (fd.Status == baseline.StatusFail || fd.Status == baseline.StatusError) && fd.Severity.Rank() >= threshold.Rank() {
			failing++
		}
	}
	if failing > 0 {
		return &exitError{code: ExitFindings, err: fmt.Errorf("%d finding(s) failing at severity %s or above", failing, threshold)}
	}
	return nil
}

// check observes every targeted account and builds the report.
func (env *runEnv) check(ctx context.Context) *report.Report {
	rep := &report.Report{FormatVersion: report.ReportFormatVersion, CreatedAt: time.Now().UTC(), Organization: env.org.ID}
	// The organization scope is checked beside the accounts (see makePlan).
	orgScope := env.engine.HasOrgControls()
	var org engine.AccountResult
	var wg sync.WaitGroup
	if orgScope {
		wg.Add(1)
		go func() {
			defer wg.Done()
			org = env.engine.CheckOrg(ctx)
		}()
	}
	results := env.engine.Check(ctx, env.sel.Targets)
	wg.Wait()
	if orgScope {
		// Organization-scope findings are listed under the management
		// account, or under the account they name.
		rep.Accounts = append(rep.Accounts, report.AccountReport{Account: org.Account.ID, Name: org.Account.Name + " (organization scope)", OUPath: org.Account.OUPath, Errors: org.Errors})
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
	report.Sort(rep.Findings)
	report.Summarise(rep)
	return rep
}
