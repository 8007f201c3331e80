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
	// fileSet: -f was given (else a saved plan's own baseline is used).
	fileSet bool
	targets []string
	summary bool
	shard   string
	// forceUnlock releases the organization-scope lease of this run id
	// and does nothing else (applylease.go).
	forceUnlock string
	// lockTimeout is how long to wait for the lease another apply holds.
	lockTimeout time.Duration
	// noPaths: say "the saved plan" and "its baseline" rather than their
	// paths (the demo's are in a directory it deletes).
	noPaths bool
}

func (a *app) applyCommand(g *globalFlags) *cobra.Command {
	f := &applyFlags{}
	cmd := &cobra.Command{
		Use:   "apply [-f baseline.yaml] [plan.json] [--auto-approve] [--max-changes N]",
		Short: "Apply the baseline (or exactly a saved plan) to every targeted account",
		Long: `apply plans and applies the baseline. Without --auto-approve it asks for
confirmation on a terminal, and refuses to run when there is no terminal to
ask on.

Given a plan file written by "plan -out", it does not ask again (as
Terraform does): it computes the plan again from the baseline the file
records and the organization now, and applies that plan only if it is the
file's, as a whole (every account entry, skipped ones included, and the
organization scope); otherwise it refuses, shows the differences and
changes nothing. The file's changes themselves are never applied.

Ctrl-C stops starting changes (those in flight finish); a second one
quits at once.`,
		Args: cobra.MaximumNArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			if cmd.Flags().Changed("force-unlock") {
				if f.forceUnlock == "" || len(args) > 0 {
					return fmt.Errorf("--force-unlock RUN-ID releases that run's organization-scope lease and does nothing else: give the run id the lease names, and no plan file")
				}
				return a.forceUnlock(cmd.Context(), g, f.forceUnlock)
			}
			f.fileSet = cmd.Flags().Changed("file")
			planFile := ""
			if len(args) == 1 {
				planFile = args[0]
			}
			return a.apply(cmd.Context(), g, f, planFile, runOptions{file: f.file, targets: f.targets})
		},
	}
	cmd.Flags().StringVarP(&f.file, "file", "f", "baseline.yaml", "the baseline `FILE` (with a plan file: the one it records)")
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
		if saved, err = a.openSavedPlan(planFile, f, &o); err != nil {
			return err
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
	n := p.ChangeCount()
	if saved != nil {
		// p, computed now, is what is applied; the file is only compared
		// with it.
		if err := checkSavedPlan(planFile, saved, env, p); err != nil {
			return err
		}
		if n > 0 {
			fmt.Fprintf(a.stdout, "It is: applying its %d change(s).\n", n)
		}
	} else if err := writePlan(a.stdout, p, f.summary); err != nil {
		return err
	}
	planErrs := len(p.Errors())
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
	// A saved plan was approved when it was saved (Terraform does not ask
	// again either): it is applied only if it is the plan computed now.
	if saved == nil && !f.autoApprove {
		if err := a.confirm(ctx, n, p); err != nil {
			return err
		}
	}
	return a.applyPlan(ctx, env, f, p, planErrs)
}

// openSavedPlan reads a plan file for apply, before any AWS call, and
// sets the run's baseline and shard from it; it says on stdout why the
// organization is read again.
func (a *app) openSavedPlan(planFile string, f *applyFlags, o *runOptions) (*baseline.Plan, error) {
	saved, err := readPlanFile(planFile)
	if err != nil {
		return nil, err
	}
	if len(o.targets) > 0 {
		return nil, fmt.Errorf("--target cannot be combined with a plan file: the plan already fixes its accounts")
	}
	if o.file, err = planBaseline(planFile, saved, f.file, f.fileSet); err != nil {
		return nil, err
	}
	// A saved plan of a shard is applied to that shard.
	switch {
	case o.shard == nil:
		o.shard = saved.Shard
	case saved.Shard == nil || *saved.Shard != *o.shard:
		return nil, fmt.Errorf("--shard %s does not match the plan file, which is of %s", o.shard, shardLabel(saved.Shard))
	}
	planName, baselineName := report.Clean(planFile), report.Clean(o.file)
	if f.noPaths {
		planName, baselineName = "the saved plan", "its baseline"
	}
	fmt.Fprintf(a.stdout, "Checking that %s is still the plan of %s and the organization now...\n", planName, baselineName)
	return saved, nil
}

// applyPlan applies the plan's changes, the organization scope's first,
// and reports what became of each.
func (a *app) applyPlan(ctx context.Context, env *runEnv, f *applyFlags, p *baseline.Plan, planErrs int) error {
	t := &applyTally{out: a.stdout, total: p.ChangeCount()}
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
			if ctx.Err() != nil {
				return interrupted("waiting for the organization-scope lease")
			}
			return err
		}
		t.record(r, "organization scope")
	}
	for _, r := range env.engine.Apply(ctx, accounts, changes) {
		t.record(r, r.Account.Label())
	}
	stopped := env.stopped(ctx)
	if stopped != "" {
		t.listDone()
	}
	if err := report.Waits(a.stdout, t.waits); err != nil {
		return err
	}
	scope := fmt.Sprintf("%d account(s)", len(accounts))
	if p.OrganizationScope != nil && len(p.OrganizationScope.Changes) > 0 {
		scope += " and the organization scope"
	}
	fmt.Fprintln(a.stdout, t.summary(scope, stopped))
	switch {
	case ctx.Err() != nil:
		return &exitError{code: ExitError, err: fmt.Errorf("interrupted: %d of %d change(s) applied; run apply again to converge the rest", t.applied, t.total)}
	case stopped != "":
		return &exitError{code: ExitError, err: fmt.Errorf("stopped: %s; fix the errors above and run apply again", stopped)}
	case t.failedAccounts > 0 || planErrs > 0:
		return &exitError{code: ExitError, err: fmt.Errorf("%d account(s) did not converge; fix the errors above and run apply again (it converges from wherever this run stopped)", t.failedAccounts+planErrs)}
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
		return fmt.Errorf("%s was made for organization %s, but these credentials reach %s", file, baseline.Quote(saved.Organization), fresh.Organization)
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
	err := engine.ComparePlans(file, saved, fresh)
	if err != nil && alreadyApplied(saved, fresh) {
		return fmt.Errorf("%s: this plan has already been applied (nothing in it is left to change); run `orgbaseline plan` to see the organization now", file)
	}
	return err
}

// alreadyApplied reports whether fresh is the saved plan with every one
// of its changes made: it has changes, fresh has none, and the two are
// otherwise the same plan (the same accounts, skipped, errors, warnings).
// Then a list of each change as gone would say the same thing at length.
func alreadyApplied(saved, fresh *baseline.Plan) bool {
	if saved.ChangeCount() == 0 || fresh.ChangeCount() != 0 {
		return false
	}
	done := *saved
	if s := saved.OrganizationScope; s != nil {
		scope := *s
		scope.Changes = nil
		done.OrganizationScope = &scope
	}
	done.Accounts = make([]baseline.AccountPlan, len(saved.Accounts))
	for i, ap := range saved.Accounts {
		ap.Changes = nil
		done.Accounts[i] = ap
	}
	return engine.ComparePlans("", &done, fresh) == nil
}

var errNotConfirmed = errors.New("apply cancelled: nothing was changed")

// confirm asks on a terminal; without one it refuses. An interrupt ends
// the question at once: the answer is read beside it, as the read itself
// cannot be cancelled (the reader is left to the process's exit).
func (a *app) confirm(ctx context.Context, n int, p *baseline.Plan) error {
	if !a.stdinTTY {
		return fmt.Errorf("apply needs confirmation, but there is no terminal to ask on: review the plan and run again with --auto-approve")
	}
	fmt.Fprintf(a.stdout, "\nApply %d change(s) to organization %s? Only 'yes' will be accepted: ", n, p.Organization)
	answer := make(chan string, 1)
	go func() {
		line, _ := bufio.NewReader(a.stdin).ReadString('\n')
		answer <- line
	}()
	select {
	case <-ctx.Done():
		return interrupted("asking for confirmation")
	case line := <-answer:
		if strings.TrimSpace(line) != "yes" {
			return errNotConfirmed
		}
		return nil
	}
}

// reportWaits turns an account's waits for AWS into the report's rows.
func reportWaits(r engine.AccountResult, label string) []report.Wait {
	out := make([]report.Wait, 0, len(r.Waits))
	for _, w := range r.Waits {
		out = append(out, report.Wait{For: w.For, Account: label, Region: w.Region, Waited: w.Waited, Failed: w.Err != nil})
	}
	return out
}
