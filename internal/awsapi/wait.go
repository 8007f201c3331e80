package awsapi

import (
	"context"
	"errors"
	"fmt"
	mrand "math/rand/v2"
	"time"
)

// Waiting for AWS. Some of AWS finishes after the call that asked for it
// returns: EnablePolicyType runs in the background, a new analyzer is
// CREATING, and a role, service-linked role, bucket policy or delegated
// administrator just made takes seconds before the services that depend
// on it can use it (IAM user guide: IAM is eventually consistent; do not
// put IAM changes on a critical, immediate path). A Waiter waits for
// those, bounded, with backoff, and says what it waits for; every other
// error fails at once, as it always has.

// DefaultWaitLimit bounds one wait for AWS: the longest orgbaseline waits
// for one thing to settle before it reports that it did not.
const DefaultWaitLimit = 2 * time.Minute

// Waiter waits for AWS to settle. The zero value (and a nil *Waiter) waits
// on a timer, up to DefaultWaitLimit, and tells no one.
type Waiter struct {
	// Sleep waits d or until ctx ends; nil is a timer. Tests against
	// orgsim advance its clock instead of sleeping.
	Sleep func(ctx context.Context, d time.Duration) error
	// Notify hears of every wait when it begins (Done false) and when it
	// ends (Done true); nil tells no one.
	Notify func(Wait)
	// Limit bounds one wait; 0 means DefaultWaitLimit.
	Limit time.Duration
	// Account and Region say where the waits happen (Notify passes them
	// on); For sets them.
	Account, Region string
}

// Wait is one wait for AWS, as Notify hears of it.
type Wait struct {
	// For is what the run waits for, e.g. "the SERVICE_CONTROL_POLICY type
	// to be ENABLED on root r-ab12".
	For     string
	Account string
	Region  string
	// Done is false when the wait begins, true when it ends.
	Done bool
	// Waited is how long it took (when Done).
	Waited time.Duration
	// Err is why it ended without AWS settling (when Done): the limit
	// passed, another error, or the run was interrupted.
	Err error
}

// For returns a copy of w that names account and region in what it
// reports. A nil w gives the default waiter.
func (w *Waiter) For(account, region string) *Waiter {
	var c Waiter
	if w != nil {
		c = *w
	}
	c.Account, c.Region = account, region
	return &c
}

// NotSettledError is a wait that ran out of time.
type NotSettledError struct {
	For    string
	Waited time.Duration
	// Last is the last "not usable yet" error AWS answered, if any.
	Last error
}

func (e *NotSettledError) Error() string {
	msg := fmt.Sprintf("AWS did not settle within %s: waited for %s", e.Waited.Round(time.Second), e.For)
	if e.Last != nil {
		msg += "; last answer: " + e.Last.Error()
	}
	return msg + "; run again later (a re-run takes up where this one stopped)"
}

func (e *NotSettledError) Unwrap() error { return e.Last }

// Until waits for settled to report true, polling with backoff, for at
// most the waiter's limit. An error from settled ends the wait with it.
func (w *Waiter) Until(ctx context.Context, what string, settled func(context.Context) (bool, error)) error {
	return w.loop(ctx, what, func(ctx context.Context) (bool, error, error) {
		ok, err := settled(ctx)
		return ok, nil, err
	})
}

// Retry calls fn until it succeeds, for at most the waiter's limit,
// waiting with backoff while fn fails with an error notYet recognises as
// AWS's "not usable yet" for what. Any other error is returned at once.
// fn's first success or failure ends the wait without sleeping, so a call
// that works at once costs nothing more.
func (w *Waiter) Retry(ctx context.Context, what string, notYet func(error) bool, fn func(context.Context) error) error {
	return w.loop(ctx, what, func(ctx context.Context) (bool, error, error) {
		err := fn(ctx)
		switch {
		case err == nil:
			return true, nil, nil
		case notYet(err):
			return false, err, nil
		default:
			return false, nil, err
		}
	})
}

// loop runs try until it reports done or fails. A try that is not done
// on its first run begins a wait (Notify hears of it); the backoff starts
// at half a second and grows by half up to fifteen, with jitter: most of
// what AWS finishes later settles within seconds, a poll costs one read
// call, and a wait ends at most half as long again after AWS settled.
func (w *Waiter) loop(ctx context.Context, what string, try func(context.Context) (done bool, notYet, err error)) error {
	if w == nil {
		w = &Waiter{}
	}
	done, last, err := try(ctx)
	if done || err != nil {
		return err
	}
	limit := w.Limit
	if limit <= 0 {
		limit = DefaultWaitLimit
	}
	w.notify(Wait{For: what})
	var waited time.Duration
	delay := 500 * time.Millisecond
	for {
		if waited >= limit {
			err := &NotSettledError{For: what, Waited: waited, Last: last}
			w.notify(Wait{For: what, Done: true, Waited: waited, Err: err})
			return err
		}
		d := min(jitter(delay), limit-waited)
		if err := w.sleep(ctx, d); err != nil {
			w.notify(Wait{For: what, Done: true, Waited: waited, Err: err})
			return fmt.Errorf("waiting for %s: %w", what, err)
		}
		waited += d
		delay = min(delay*3/2, 15*time.Second)
		done, notYet, err := try(ctx)
		if notYet != nil {
			last = notYet
		}
		if done || err != nil {
			w.notify(Wait{For: what, Done: true, Waited: waited, Err: err})
			return err
		}
	}
}

// jitter returns a delay between three quarters of d and d, so many
// accounts waiting for the same thing do not ask again all at once.
func jitter(d time.Duration) time.Duration {
	return d - time.Duration(mrand.Int64N(int64(d)/4+1))
}

func (w *Waiter) sleep(ctx context.Context, d time.Duration) error {
	if w.Sleep != nil {
		return w.Sleep(ctx, d)
	}
	return Sleep(ctx, d)
}

// Sleep waits d on a timer, or until ctx ends (its error).
func Sleep(ctx context.Context, d time.Duration) error {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}

func (w *Waiter) notify(ev Wait) {
	if w.Notify == nil {
		return
	}
	ev.Account, ev.Region = w.Account, w.Region
	w.Notify(ev)
}

// IsNotSettled reports whether err is a wait for AWS that ran out of time.
func IsNotSettled(err error) bool {
	var ns *NotSettledError
	return errors.As(err, &ns)
}
