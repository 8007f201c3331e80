package cli

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"github.com/orgbaseline/orgbaseline/baseline"
	"github.com/orgbaseline/orgbaseline/internal/engine"
	"github.com/orgbaseline/orgbaseline/internal/report"
	"github.com/orgbaseline/orgbaseline/orgwalk"
)

type applyFlags struct {
	file        string
	autoApprove bool
	maxChanges  int
	targets     []string
	summary     bool
	shard       string
	// forceUnlock releases the organization-scope lease of this run id
	// and does nothing else (applylease.go).
	forceUnlock string
	// lockTimeout is how long to wait for the lease another apply holds.
	lockTimeout time.Duration
}

func (a *app) applyCommand(g *globalFlags) *cobra.Command {
	f := &applyFlags{}
	cmd := &cobra.Command{
		Use:   "apply [-f baseline.yaml] [plan.json] [--auto-approve] [--max-changes N]",
		Short: "Apply the baseline (or exactly a saved plan) to every targeted account",
		Long: `apply plans and applies the baseline. Given a plan file written by
"plan -out", it computes the plan again from the baseline and the
organization now and applies that plan only if it is the file's, as a whole
(every account entry, skipped ones included, and the organization scope);
otherwise it refuses, shows the differences and changes nothing. The file's
changes themselves are never applied.

Without --auto-approve it asks for confirmation on a terminal, and refuses to
run when there is no terminal to ask on.`,
		Args: cobra.MaximumNArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			if cmd.Flags().Changed("force-unlock") {
				if f.forceUnlock == "" || len(args) > 0 {
					return fmt.Errorf("--force-unlock RUN-ID releases that run's organization-scope lease and does nothing else: give the run id the lease names, and no plan file")
				}
				return a.forceUnlock(cmd.Context(), g, f.forceUnlock)
			}
			planFile := ""
			if len(args) == 1 {
				planFile = args[0]
			}
			return a.apply(cmd.Context(), g, f, planFile, runOptions{file: f.file, targets: f.targets})
		},
	}
	cmd.Flags().StringVarP(&f.file, "file", "f", "baseline.yaml", "the baseline `FILE`")
	cmd.Flags().BoolVar(&f.autoApprove, "auto-approve", false, "apply without asking for confirmation (needed when not on a terminal)")
	cmd.Flags().IntVar(&f.maxChanges, "max-changes", 0, "refuse a plan with more than `N` changes (0: no limit)")
	cmd.Flags().StringArrayVar(&f.targets, "target", nil, "narrow the run to accounts matching `SELECTOR` too (repeatable), e.g. ou:/Workloads/Prod")
	cmd.Flags().BoolVar(&f.summary, "summary", false, "show the plan as one line per account instead of every field")
	cmd.Flags().StringVar(&f.forceUnlock, "force-unlock", "", "release the organization-scope lease of the run `RUN-ID` (named when an apply is refused for it), then stop; for a run known to be dead")
	cmd.Flags().DurationVar(&f.lockTimeout, "lock-timeout", 0, "wait up to `DURATION` for the organization-scope lease another apply holds (0: fail at once, naming it)")
	registerShard(cmd, &f.shard)
	return cmd
}

func (a *app) apply(ctx context.Context, g *globalFlags, f *applyFlags, planFile string, o runOptions) error {
	if f.maxChanges < 0 {
		return fmt.Errorf("--max-changes %d: give a number of changes, or 0 for no limit", f.maxChanges)
	}
	var err error
	if o.shard, err = a.parseShard(f.shard); err != nil {
		return err
	}
	var saved *baseline.Plan
	if planFile != "" {
		if saved, err = readPlanFile(planFile); err != nil {
			return err
		}
		if len(o.targets) > 0 {
			return fmt.Errorf("--target cannot be combined with a plan file: the plan already fixes its accounts")
		}
		// A saved plan of a shard is applied to that shard.
		switch {
		case o.shard == nil:
			o.shard = saved.Shard
		case saved.Shard == nil || *saved.Shard != *o.shard:
			return fmt.Errorf("--shard %s does not match the plan file, which is of %s", o.shard, shardLabel(saved.Shard))
		}
	}
	o.prefetchOrg, o.applying, o.stream = true, true, true
	env, err := a.prepare(ctx, g, o)
	if err != nil {
		return err
	}
	defer env.close()
	if err := env.orgScopeSettled(ctx); err != nil {
		return err
	}
	p, err := env.makePlan(ctx)
	if err != nil {
		return err
	}
	if saved != nil {
		// p, computed now, is what is applied; the file is only compared
		// with it.
		if err := checkSavedPlan(planFile, saved, env, p); err != nil {
			return err
		}
	}
	if err := writePlan(a.stdout, p, f.summary); err != nil {
		return err
	}
	planErrs := len(p.Errors())
	n := p.ChangeCount()
	if n == 0 {
		fmt.Fprintln(a.stdout, "Nothing to apply: no changes were made (0 write calls).")
		if s := env.stopped(ctx); s != "" {
			return &exitError{code: ExitError, err: fmt.Errorf("stopped: %s; %d account(s) could not be planned; see above", s, planErrs)}
		}
		if planErrs > 0 {
			return &exitError{code: ExitError, err: fmt.Errorf("%d account(s) could not be planned; see above", planErrs)}
		}
		return nil
	}
	if f.maxChanges > 0 && n > f.maxChanges {
		return fmt.Errorf("the plan has %d changes, more than --max-changes %d; nothing was applied", n, f.maxChanges)
	}
	if !f.autoApprove {
		if err := a.confirm(n, p); err != nil {
			return err
		}
	}
	applied, failed, notStarted, notApplied := 0, 0, 0, 0
	var done []string // accounts (and scope) where every change was applied
	var waits []report.Wait
	record := func(r engine.AccountResult, label string) {
		applied += len(r.Applied)
		waits = append(waits, reportWaits(r, label)...)
		if !r.Failed() {
			done = append(done, fmt.Sprintf("%s: %d of %d change(s) applied", label, len(r.Applied), len(r.Changes)))
			return
		}
		failed++
		notApplied += len(r.Changes) - len(r.Applied)
		if r.NotStarted != "" {
			notStarted++
			fmt.Fprintf(a.stdout, "%s: not started: %s; none of its %d change(s) applied\n", report.Clean(label), report.Clean(r.NotStarted), len(r.Changes))
			return
		}
		fmt.Fprintf(a.stdout, "%s: %d of %d change(s) applied; errors:\n", report.Clean(label), len(r.Applied), len(r.Changes))
		for _, e := range r.Errors {
			fmt.Fprintf(a.stdout, "  - %s\n", report.Clean(e))
		}
	}
	accounts, changes, err := env.planAccounts(p)
	if err != nil {
		return err
	}
	// Organization-scope changes (SCPs, the trail and its bucket, the
	// organization analyzer, Config's bucket) go first: account changes
	// may depend on them.
	if scope := p.OrganizationScope; scope != nil && len(scope.Changes) > 0 {
		// Under the organization-scope lease (applylease.go).
		r, err := a.applyOrgScope(ctx, env, f.lockTimeout, scope.Changes)
		if err != nil {
			return err
		}
		record(r, "organization scope")
	}
	for _, r := range env.engine.Apply(ctx, accounts, changes) {
		record(r, r.Account.Label())
	}
	stopped := env.stopped(ctx)
	if stopped != "" {
		// The run stopped early: say what was done as well as what was not.
		fmt.Fprintln(a.stdout, "Applied in full:")
		if len(done) == 0 {
			fmt.Fprintln(a.stdout, "  (nothing)")
		}
		for _, d := range done {
			fmt.Fprintf(a.stdout, "  %s\n", report.Clean(d))
		}
	}
	if err := report.Waits(a.stdout, waits); err != nil {
		return err
	}
	scope := fmt.Sprintf("%d account(s)", len(accounts))
	if p.OrganizationScope != nil && len(p.OrganizationScope.Changes) > 0 {
		scope += " and the organization scope"
	}
	fmt.Fprintf(a.stdout, "Apply complete: %d of %d change(s) applied in %s; %d with errors.\n", applied, n, scope, failed)
	switch {
	case ctx.Err() != nil:
		fmt.Fprintf(a.stdout, "Interrupted: no new change was started; %d change(s) not applied (%d account(s) not started).\n", notApplied, notStarted)
		return &exitError{code: ExitError, err: fmt.Errorf("interrupted: %d of %d change(s) applied; run apply again to converge the rest", applied, n)}
	case stopped != "":
		fmt.Fprintf(a.stdout, "Stopped starting new accounts: %s; %d account(s) not started.\n", report.Clean(stopped), notStarted)
		return &exitError{code: ExitError, err: fmt.Errorf("stopped: %s; fix the errors above and run apply again", stopped)}
	case failed > 0 || planErrs > 0:
		return &exitError{code: ExitError, err: fmt.Errorf("%d account(s) did not converge; fix the errors above and run apply again (it converges from wherever this run stopped)", failed+planErrs)}
	}
	return nil
}

// orgScopeSettled refuses to apply a shard other than 0 while the
// organization scope, which shard 0 applies, still has changes: the
// accounts' changes depend on it (Config delivers to the bucket it makes,
// for one), so they would fail half-applied. It only reads.
func (env *runEnv) orgScopeSettled(ctx context.Context) error {
	if env.shard == nil || env.shard.Index == 0 || !env.engine.HasOrgControls() {
		return nil
	}
	// The organization scope needs the whole organization read.
	if err := env.settle(); err != nil {
		return err
	}
	org := env.engine.PlanOrg(ctx)
	if len(org.Errors) > 0 {
		return fmt.Errorf("shard %s: could not read the organization scope, which its accounts depend on: %s", env.shard, strings.Join(org.Errors, "; "))
	}
	if n := len(org.Changes); n > 0 {
		return fmt.Errorf("shard %s: the organization scope has %d change(s) to apply first, and this shard's accounts depend on them: apply shard 0/%d (it applies the organization scope), then this shard; nothing was changed", env.shard, n, env.shard.Count)
	}
	return nil
}

func shardLabel(s *baseline.Shard) string {
	if s == nil {
		return "the whole run (no --shard)"
	}
	return "shard " + s.String()
}

// planAccounts are the accounts of the plan with changes, and their
// changes. An account the organization does not have is an error, before
// anything is applied.
func (env *runEnv) planAccounts(p *baseline.Plan) ([]*orgwalk.Account, map[string][]baseline.Change, error) {
	changes := map[string][]baseline.Change{}
	var accounts []*orgwalk.Account
	for _, ap := range p.Accounts {
		if len(ap.Changes) == 0 {
			continue
		}
		acct := env.org.Account(ap.Account)
		if acct == nil {
			return nil, nil, fmt.Errorf("the plan has changes for account %s, which is not in organization %s; nothing was applied", ap.Account, env.org.ID)
		}
		changes[ap.Account] = ap.Changes
		accounts = append(accounts, acct)
	}
	return accounts, changes, nil
}

// checkSavedPlan refuses a saved plan (from file) that is not the plan
// computed now (fresh): made from another baseline, for another
// organization, naming an account the organization does not have, or
// differing anywhere else (engine.ComparePlans).
func checkSavedPlan(file string, saved *baseline.Plan, env *runEnv, fresh *baseline.Plan) error {
	if saved.BaselineDigest != fresh.BaselineDigest {
		return fmt.Errorf("%s was made from a different baseline than %s (or the file changed since); run `orgbaseline plan -out` again", file, env.path)
	}
	if saved.Organization != fresh.Organization {
		return fmt.Errorf("%s was made for organization %s, but these credentials reach %s", file, clipValue(saved.Organization), fresh.Organization)
	}
	var unknown []string
	for _, ap := range saved.Sections() {
		if ap.Account != "" && env.org.Account(ap.Account) == nil {
			unknown = append(unknown, ap.Account)
		}
	}
	if len(unknown) > 0 {
		more := ""
		if len(unknown) > 5 {
			more = fmt.Sprintf(" and %d more", len(unknown)-5)
			unknown = unknown[:5]
		}
		return fmt.Errorf("%s names account(s) %s%s, not in organization %s: the file was edited or is from another organization; nothing was applied", file, strings.Join(unknown, ", "), more, fresh.Organization)
	}
	return engine.ComparePlans(file, saved, fresh)
}

var errNotConfirmed = errors.New("apply cancelled: nothing was changed")

// confirm asks on a terminal; without one it refuses.
func (a *app) confirm(n int, p *baseline.Plan) error {
	if !a.stdinTTY {
		return fmt.Errorf("apply needs confirmation, but there is no terminal to ask on: review the plan and run again with --auto-approve")
	}
	fmt.Fprintf(a.stdout, "\nApply %d change(s) to organization %s? Only 'yes' will be accepted: ", n, p.Organization)
	line, err := bufio.NewReader(a.stdin).ReadString('\n')
	if err != nil && line == "" {
		return errNotConfirmed
	}
	if strings.TrimSpace(line) != "yes" {
		return errNotConfirmed
	}
	return nil
}

// reportWaits turns an account's waits for AWS into the report's rows.
func reportWaits(r engine.AccountResult, label string) []report.Wait {
	out := make([]report.Wait, 0, len(r.Waits))
	for _, w := range r.Waits {
		out = append(out, report.Wait{For: w.For, Account: label, Region: w.Region, Waited: w.Waited, Failed: w.Err != nil})
	}
	return out
}
