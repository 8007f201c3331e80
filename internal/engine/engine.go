package engine

import (
	"context"
	"fmt"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/rs/zerolog"

	"github.com/orgbaseline/orgbaseline/baseline"
	"github.com/orgbaseline/orgbaseline/baseline/controls"
	"github.com/orgbaseline/orgbaseline/orgwalk"
)

// SessionSource hands out a config that acts in an account and region.
type SessionSource interface {
	Config(ctx context.Context, account, region string) (aws.Config, error)
}

var _ SessionSource = (*orgwalk.Sessions)(nil)

// Engine holds what a run needs.
type Engine struct {
	Controls    []controls.Control
	Sessions    SessionSource
	HomeRegion  string
	Regions     []string // governed regions, home region included
	Concurrency int
	Log         zerolog.Logger
}

// AccountResult is what a run did in one account.
type AccountResult struct {
	Account  *orgwalk.Account
	Changes  []baseline.Change  // planned (plan, apply)
	Findings []baseline.Finding // check
	Applied  []baseline.Change  // applied successfully (apply)
	// Errors are the failures in this account: the role could not be
	// assumed, or a control failed in a region. Each names its place.
	Errors []string
}

// Failed reports whether anything went wrong in the account.
func (r *AccountResult) Failed() bool { return len(r.Errors) > 0 }

// observation is one control's state at one target.
type observation struct {
	control controls.Control
	target  controls.Target
	state   any
}

// targets lists where a control runs in an account.
func (e *Engine) targets(c controls.Control, a *orgwalk.Account) []string {
	if c.Scope() == controls.ScopeRegional {
		return e.Regions
	}
	return []string{e.HomeRegion}
}

// observe reads every control's state in account a. Failures are recorded
// in res; the observations that succeeded are returned.
func (e *Engine) observe(ctx context.Context, a *orgwalk.Account, res *AccountResult, log zerolog.Logger) []observation {
	var obs []observation
	for _, c := range e.Controls {
		if c.Scope() == controls.ScopeOrganization {
			continue // organization-scope controls run once, outside the account loop
		}
		for _, region := range e.targets(c, a) {
			cfg, err := e.Sessions.Config(ctx, a.ID, region)
			if err != nil {
				// The role cannot be assumed: nothing else will work in
				// this account.
				res.Errors = append(res.Errors, err.Error())
				return nil
			}
			t := controls.Target{AccountID: a.ID, AccountName: a.Name, Region: region, Config: cfg}
			state, err := c.Observe(ctx, t)
			if err != nil {
				res.Errors = append(res.Errors, place(c, region, err))
				log.Error().Str("control", c.Name()).Str("region", region).Err(err).Msg("observe failed")
				continue
			}
			obs = append(obs, observation{control: c, target: t, state: state})
		}
	}
	return obs
}

func place(c controls.Control, region string, err error) string {
	if c.Scope() == controls.ScopeRegional {
		return fmt.Sprintf("%s in %s: %v", c.Name(), region, err)
	}
	return fmt.Sprintf("%s: %v", c.Name(), err)
}

// Plan observes and diffs every targeted account.
func (e *Engine) Plan(ctx context.Context, accounts []*orgwalk.Account) []AccountResult {
	return e.each(ctx, accounts, func(ctx context.Context, a *orgwalk.Account, res *AccountResult, log zerolog.Logger) {
		for _, o := range e.observe(ctx, a, res, log) {
			res.Changes = append(res.Changes, o.control.Diff(o.target, o.state)...)
		}
		log.Debug().Int("changes", len(res.Changes)).Msg("planned")
	})
}

// Check observes every targeted account and reports findings.
func (e *Engine) Check(ctx context.Context, accounts []*orgwalk.Account) []AccountResult {
	return e.each(ctx, accounts, func(ctx context.Context, a *orgwalk.Account, res *AccountResult, log zerolog.Logger) {
		for _, o := range e.observe(ctx, a, res, log) {
			res.Findings = append(res.Findings, o.control.Findings(o.target, o.state)...)
		}
	})
}

// Apply applies the given changes per account, in order. A change that
// fails is recorded and the remaining changes of the same control and
// region are skipped (they may depend on it); other controls go on.
func (e *Engine) Apply(ctx context.Context, accounts []*orgwalk.Account, changes map[string][]baseline.Change) []AccountResult {
	byName := map[string]controls.Control{}
	for _, c := range e.Controls {
		byName[c.Name()] = c
	}
	return e.each(ctx, accounts, func(ctx context.Context, a *orgwalk.Account, res *AccountResult, log zerolog.Logger) {
		res.Changes = changes[a.ID]
		failed := map[string]bool{} // control|region that failed
		for _, ch := range res.Changes {
			key := ch.Control + "|" + ch.Region
			if failed[key] {
				continue
			}
			if ctx.Err() != nil {
				res.Errors = append(res.Errors, fmt.Sprintf("%s: not applied: %v", ch.Resource, ctx.Err()))
				return
			}
			c := byName[ch.Control]
			if c == nil {
				res.Errors = append(res.Errors, fmt.Sprintf("%s: the plan names control %q, which this baseline does not enable", ch.Resource, ch.Control))
				failed[key] = true
				continue
			}
			region := ch.Region
			if region == "" {
				region = e.HomeRegion
			}
			cfg, err := e.Sessions.Config(ctx, a.ID, region)
			if err != nil {
				res.Errors = append(res.Errors, err.Error())
				return
			}
			t := controls.Target{AccountID: a.ID, AccountName: a.Name, Region: region, Config: cfg}
			clog := log.With().Str("control", ch.Control).Str("resource", ch.Resource).Str("action", string(ch.Action)).Logger()
			if err := c.Apply(ctx, t, ch); err != nil {
				failed[key] = true
				res.Errors = append(res.Errors, place(c, region, err))
				clog.Error().Err(err).Msg("apply failed")
				continue
			}
			res.Applied = append(res.Applied, ch)
			clog.Info().Msg("applied")
		}
	})
}

// each runs fn per account with the engine's concurrency.
func (e *Engine) each(ctx context.Context, accounts []*orgwalk.Account, fn func(context.Context, *orgwalk.Account, *AccountResult, zerolog.Logger)) []AccountResult {
	results := make([]AccountResult, len(accounts))
	idx := make(map[string]int, len(accounts))
	for i, a := range accounts {
		idx[a.ID] = i
		results[i].Account = a
	}
	limit := e.Concurrency
	if limit < 1 {
		limit = 1
	}
	out := orgwalk.ForEach(ctx, accounts, limit, func(ctx context.Context, a *orgwalk.Account) error {
		log := e.Log.With().Str("account", a.ID).Str("accountName", a.Name).Logger()
		fn(ctx, a, &results[idx[a.ID]], log)
		return nil
	})
	for _, r := range out {
		if r.Err != nil {
			res := &results[idx[r.Account.ID]]
			res.Errors = append(res.Errors, r.Err.Error())
		}
	}
	return results
}
