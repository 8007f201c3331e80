package cli

import (
	"fmt"
	"io"

	"github.com/orgbaseline/orgbaseline/internal/engine"
	"github.com/orgbaseline/orgbaseline/internal/report"
)

// applyTally counts what became of an apply's changes, account by
// account, and reports the accounts that did not apply in full. A change
// is applied, failed (its call failed, or an earlier change of its
// control and region did), or not started (its account was never
// started, or the run stopped before it): the three add up to the plan's
// changes, and only the first is "complete".
type applyTally struct {
	out   io.Writer
	total int // the plan's changes
	// applied and notStarted count changes; failedAccounts the accounts
	// (and scope) that reported errors.
	applied, notStarted, failedAccounts int
	// done are the accounts (and scope) where every change was applied.
	done  []string
	waits []report.Wait
}

// failed is how many changes were neither applied nor left unstarted.
func (t *applyTally) failed() int { return t.total - t.applied - t.notStarted }

// record counts one account's result. An account left unstarted by an
// interrupt is only counted (the summary says how many): listing each
// would bury what happened. One that --max-failed-accounts left is
// named, with why.
func (t *applyTally) record(r engine.AccountResult, label string) {
	t.applied += len(r.Applied)
	t.waits = append(t.waits, reportWaits(r, label)...)
	if r.NotStarted != "" {
		t.notStarted += len(r.Changes)
		if r.NotStarted != engine.Interrupted {
			fmt.Fprintf(t.out, "%s: not started: %s; none of its %d change(s) applied\n", report.Clean(label), report.Clean(r.NotStarted), len(r.Changes))
		}
		return
	}
	t.notStarted += r.Interrupted
	left := ""
	if r.Interrupted > 0 {
		left = fmt.Sprintf(", %d not started (interrupted)", r.Interrupted)
	}
	if !r.Failed() {
		if r.Interrupted == 0 {
			t.done = append(t.done, fmt.Sprintf("%s: %d of %d change(s) applied", label, len(r.Applied), len(r.Changes)))
			return
		}
		fmt.Fprintf(t.out, "%s: %d of %d change(s) applied%s\n", report.Clean(label), len(r.Applied), len(r.Changes), left)
		return
	}
	t.failedAccounts++
	fmt.Fprintf(t.out, "%s: %d of %d change(s) applied%s; errors:\n", report.Clean(label), len(r.Applied), len(r.Changes), left)
	for _, e := range r.Errors {
		fmt.Fprintf(t.out, "  - %s\n", report.Clean(e))
	}
}

// listDone says what a run that stopped early did in full, as well as
// what it did not.
func (t *applyTally) listDone() {
	fmt.Fprintln(t.out, "Applied in full:")
	if len(t.done) == 0 {
		fmt.Fprintln(t.out, "  (nothing)")
	}
	for _, d := range t.done {
		fmt.Fprintf(t.out, "  %s\n", report.Clean(d))
	}
}

// summary is the apply's last line on stdout: "complete" only when every
// change was applied and no account reported an error; otherwise
// interrupted, stopped (--max-failed-accounts, a refused session
// duration) or incomplete, with the three counts.
func (t *applyTally) summary(scope, stopped string) string {
	counts := fmt.Sprintf("%d of %d change(s) applied in %s; %d failed; %d not started", t.applied, t.total, scope, t.failed(), t.notStarted)
	switch {
	case stopped == engine.Interrupted:
		return fmt.Sprintf("Apply interrupted: %s (no change was started after the interrupt; those in flight finished).", counts)
	case stopped != "":
		return fmt.Sprintf("Apply stopped (%s): %s.", report.Clean(stopped), counts)
	case t.failedAccounts > 0 || t.applied < t.total:
		return fmt.Sprintf("Apply incomplete: %s; %d account(s) with errors.", counts, t.failedAccounts)
	}
	return fmt.Sprintf("Apply complete: %d of %d change(s) applied in %s; 0 with errors.", t.applied, t.total, scope)
}
