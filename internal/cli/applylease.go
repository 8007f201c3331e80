package cli

import (
	"context"
	"errors"
	"fmt"
	"os"
	"time"

	"github.com/aws/aws-sdk-go-v2/service/organizations"

	"github.com/orgbaseline/orgbaseline/baseline"
	"github.com/orgbaseline/orgbaseline/baseline/controls"
	"github.com/orgbaseline/orgbaseline/internal/awsapi"
	"github.com/orgbaseline/orgbaseline/internal/engine"
)

// apply's organization-scope phase under the lease (lease.go), and
// `apply --force-unlock`.

// leaseOptions set the lease's clock and duration (app.lease).
type leaseOptions struct {
	// clock is AWS's clock; nil reads it from AWS's answers. Tests give
	// orgsim's, which their waits move on.
	clock func() time.Time
	// ttl is how long the lease lasts unrenewed; 0 is defaultLeaseTTL.
	ttl time.Duration
}

// defaultLeaseTTL: a dead run's lease blocks the next apply this long at
// most; a live one renews it every third of it.
const defaultLeaseTTL = 10 * time.Minute

// leasePoll is how often an apply waiting for the lease (--lock-timeout)
// looks again.
const leasePoll = 15 * time.Second

// releaseTimeout bounds the release, which runs even after an
// interruption.
const releaseTimeout = 30 * time.Second

// applyOrgScope applies the organization scope's approved changes holding
// the lease: it takes it (waiting up to lockTimeout), plans the
// organization scope again under it, applies only if that plan is exactly
// what was approved, and releases the lease however the phase ends. While
// it applies, the lease is renewed, and its loss stops every change not
// yet started. An error means nothing was written at organization scope.
func (a *app) applyOrgScope(ctx context.Context, env *runEnv, lockTimeout time.Duration, approved []baseline.Change) (res engine.AccountResult, err error) {
	l, err := a.takeLease(ctx, env, lockTimeout)
	if err != nil {
		return res, err
	}
	defer func() {
		rctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), releaseTimeout)
		defer cancel()
		if rerr := l.release(rctx); rerr != nil {
			if err == nil && res.Account != nil {
				res.Errors = append(res.Errors, rerr.Error())
			} else {
				err = errors.Join(err, rerr)
			}
		}
	}()
	lctx := l.context(ctx)
	// Observed again under the lease: the plan that was shown (and the
	// lockout guard) judged a view another apply may have changed since.
	fresh := env.engine.PlanOrg(lctx)
	if len(fresh.Errors) > 0 {
		return res, fmt.Errorf("the organization scope could not be read again under the lease, so nothing was applied: %s", joinShort(fresh.Errors))
	}
	if !equalChanges(approved, fresh.Changes) {
		return res, fmt.Errorf("the organization scope changed since it was planned (another apply, or a change by hand): %d change(s) were approved, it would now take %d different one(s); nothing was applied: run apply again to see the new plan", len(approved), len(fresh.Changes))
	}
	e := env.engine.WithOrg(env.engine.Org)
	w := awsapi.Waiter{}
	if e.Waiter != nil {
		w = *e.Waiter
	}
	sleep := w.Sleep
	if sleep == nil {
		sleep = awsapi.Sleep
	}
	// A wait for AWS renews the lease first (on AWS's clock, which
	// orgsim's waits move on), and ends once it is lost.
	w.Sleep = func(ctx context.Context, d time.Duration) error {
		if err := l.renew(ctx); err != nil {
			return err
		}
		return sleep(ctx, d)
	}
	e.Waiter = &w
	res = e.ApplyOrg(lctx, fresh.Changes)
	if err := l.err(); err != nil {
		res.Errors = append(res.Errors, err.Error()+"; the changes not started were left for the next apply")
	}
	return res, nil
}

// takeLease takes the lease for this run, waiting for it up to timeout
// (polling every leasePoll), or fails naming the run that holds it.
func (a *app) takeLease(ctx context.Context, env *runEnv, timeout time.Duration) (*orgLease, error) {
	host, _ := os.Hostname() // a name for people; none is no loss
	p := leaseParams{
		holder: fmt.Sprintf("%s on %s (pid %d)", env.caller.ARN, host, os.Getpid()),
		run:    env.runID,
		ttl:    a.lease.ttl,
		sleep:  a.sleep,
	}
	if p.ttl <= 0 {
		p.ttl = defaultLeaseTTL
	}
	if p.sleep == nil {
		p.sleep = awsapi.Sleep
	}
	clock := &awsClock{fixed: a.lease.clock}
	api := organizations.NewFromConfig(env.cfg)
	var waited time.Duration
	for {
		l, err := acquireLease(ctx, api, clock, p)
		var held *leaseHeldError
		switch {
		case err == nil:
			if l.tookOver != nil {
				fmt.Fprintf(a.stdout, "The organization-scope lease of another apply ran out (%s); this run took it over.\n", *l.tookOver)
			}
			env.log.Info().Str("lease", l.id).Time("until", l.expires()).Msg("took the organization-scope lease")
			return l, nil
		case !errors.As(err, &held):
			return nil, err
		case waited >= timeout:
			return nil, fmt.Errorf("%w; nothing was changed. Wait for that apply to end (--lock-timeout waits for it), or, if it is dead, release its lease with `orgbaseline apply --force-unlock %s` (it also runs out by itself)", err, shorten(held.rec.Run, 64))
		}
		d := min(leasePoll, timeout-waited)
		env.log.Info().Str("holder", shorten(held.rec.Holder, 120)).Str("holderRun", shorten(held.rec.Run, 64)).Time("until", held.rec.Expires).Msg("waiting for the organization-scope lease")
		if err := p.sleep(ctx, d); err != nil {
			return nil, fmt.Errorf("waiting for the organization-scope lease: %w; nothing was changed", err)
		}
		waited += d
	}
}

// forceUnlock releases the lease of run, and only that run's: Terraform's
// `force-unlock LOCK_ID`, for a lease whose run is known to be dead. It
// needs only the management account's credentials, not the baseline.
func (a *app) forceUnlock(ctx context.Context, g *globalFlags, run string) error {
	cfg, err := awsapi.Load(ctx, awsapi.Options{Profile: g.profile, Region: g.region, Fallback: "us-east-1", MaxAttempts: g.maxAttempts})
	if err != nil {
		return err
	}
	api := organizations.NewFromConfig(cfg)
	clock := &awsClock{fixed: a.lease.clock}
	found, err := readLease(ctx, api, clock)
	switch {
	case err != nil:
		return awsapi.Explain("read the organization-scope lease", err)
	case found == nil:
		return fmt.Errorf("--force-unlock %q: no apply holds the organization-scope lease; nothing was released", shorten(run, 64))
	case found.bad:
		return fmt.Errorf("--force-unlock %q: the SCP named %s (%s) is not an orgbaseline lease record; nothing was released", shorten(run, 64), controls.LeasePolicyName, found.id)
	case found.rec.Run != run:
		return fmt.Errorf("--force-unlock %q: the organization-scope lease is held by another run (%s); nothing was released: give that run's id", shorten(run, 64), found.rec)
	}
	// By id: if the lease changed hands since it was read, the new one
	// is not touched.
	if _, err := api.DeletePolicy(ctx, &organizations.DeletePolicyInput{PolicyId: &found.id}); err != nil {
		if awsErrorCode(err) == "PolicyNotFoundException" {
			return fmt.Errorf("--force-unlock %q: the lease was released or taken over meanwhile; nothing was released", shorten(run, 64))
		}
		return fmt.Errorf("--force-unlock: delete the lease policy %s (organizations:DeletePolicy): %w", found.id, err)
	}
	fmt.Fprintf(a.stdout, "Released the organization-scope lease (%s). Nothing else was done; run apply again.\n", found.rec)
	return nil
}

// equalChanges reports whether two plans' changes are the same, in order.
func equalChanges(a, b []baseline.Change) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if !a[i].Equal(b[i]) {
			return false
		}
	}
	return true
}

// joinShort joins errors, each shortened.
func joinShort(errs []string) string {
	out := ""
	for i, e := range errs {
		if i > 0 {
			out += "; "
		}
		out += shorten(e, 300)
	}
	return out
}
