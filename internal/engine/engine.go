package engine

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"sync/atomic"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/rs/zerolog"

	"github.com/orgbaseline/orgbaseline/baseline"
	"github.com/orgbaseline/orgbaseline/baseline/controls"
	"github.com/orgbaseline/orgbaseline/internal/awsapi"
	"github.com/orgbaseline/orgbaseline/orgwalk"
	"github.com/orgbaseline/orgbaseline/plugins"
)

// SessionSource hands out a config that acts in an account and region.
type SessionSource interface {
	Config(ctx context.Context, account, region string) (aws.Config, error)
}

var _ SessionSource = (*orgwalk.Sessions)(nil)

// PluginRunner runs the check plugins for one account; a plugin's failure
// is an ERROR finding, never an error (see internal/pluginhost).
type PluginRunner interface {
	Run(ctx context.Context, acct plugins.Account, homeRegion string, regions []string) []baseline.Finding
}

// Engine holds what a run needs.
type Engine struct {
	Controls []controls.Control
	Sessions SessionSource
	// Org is the organization as controls see it; its Sessions is the
	// same as Sessions.
	Org         *controls.Org
	HomeRegion  string
	Regions     []string // governed regions, home region included
	Concurrency int
	Log         zerolog.Logger
	// Plugins, when set, run in every targeted account during Check.
	Plugins PluginRunner
	// StopStarting, when set, is asked before each account is started with
	// the number of distinct accounts that have failed so far in this
	// engine's runs (plan and apply together); a non-nil answer leaves that
	// account and the rest not started, with that reason
	// (--max-failed-accounts).
	StopStarting func(failed int) error
	// InFlightTimeout bounds a change already started when the run is
	// interrupted: it is let finish, for at most this long; 0 means
	// DefaultInFlightTimeout.
	InFlightTimeout time.Duration
	// Progress, when set, hears of every account finished.
	Progress Progress
	// ObserveConcurrency is how many controls and regions of one account
	// are read at once; 0 means DefaultObserveConcurrency.
	ObserveConcurrency int
	// Waiter waits for AWS to settle where a control needs it (an
	// asynchronous operation, something the run just made becoming
	// usable); every control's target gets it, naming the account and
	// region. nil waits on a timer and tells only the log.
	Waiter *awsapi.Waiter

	// failed tallies the accounts that failed across runs; made by the
	// first run (the runs of one Engine follow one another), a pointer so
	// the Engine stays copyable.
	failed *tally
}

// tallies guards the lazy creation of every engine's tally: runs may be
// concurrent (the organization scope is planned beside the accounts), and
// a lock in Engine itself would make it uncopyable.
var tallies sync.Mutex

// failures returns the engine's tally of failed accounts, made on first use.
func (e *Engine) failures() *tally {
	tallies.Lock()
	defer tallies.Unlock()
	if e.failed == nil {
		e.failed = &tally{ids: map[string]bool{}}
	}
	return e.failed
}

// tally is a set of failed accounts, safe for concurrent use.
type tally struct {
	mu  sync.Mutex
	ids map[string]bool
}

// DefaultInFlightTimeout is how long a change in flight may take to finish
// once the run is interrupted.
const DefaultInFlightTimeout = 30 * time.Second

// Interrupted is how a change or account left undone by an interruption
// (SIGINT, SIGTERM) is reported.
const Interrupted = "interrupted"

// AccountResult is what a run did in one account.
type AccountResult struct {
	Account  *orgwalk.Account
	Changes  []baseline.Change  // planned (plan, apply)
	Findings []baseline.Finding // check
	Applied  []baseline.Change  // applied successfully (apply)
	// Errors are the failures in this account: the role could not be
	// assumed, or a control failed in a region. Each names its place.
	Errors []string
	// Warnings are what controls flagged without failing (shown by plan).
	Warnings []string
	// NotStarted says why the account was never started (the run was
	// interrupted, or too many accounts had failed); "" when it was.
	NotStarted string
	// Interrupted counts the changes of a started account that apply
	// left unstarted because its context ended (an interrupt, a lost
	// lease): not errors, but not applied either.
	Interrupted int
	// Waits are the waits for AWS to settle that the account's controls
	// made, as they ended.
	Waits []awsapi.Wait
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

// observe reads the state of every control of the given kind (organization
// scope, or not) in account a. Failures are recorded in res; the
// observations that succeeded are returned, in the controls' order.
//
// The role is assumed once, then the controls and regions are read in
// parallel (at most ObserveConcurrency at once): they are independent
// reads, and an account's calls one after another would make its chain,
// not the calls, the run's floor.
func (e *Engine) observe(ctx context.Context, a *orgwalk.Account, orgScope bool, res *AccountResult, log zerolog.Logger) []observation {
	type job struct {
		control controls.Control
		region  string
	}
	var jobs []job
	for _, c := range e.Controls {
		if (c.Scope() == controls.ScopeOrganization) != orgScope {
			continue
		}
		for _, region := range e.targets(c, a) {
			jobs = append(jobs, job{c, region})
		}
	}
	if len(jobs) == 0 {
		return nil
	}
	// The role cannot be assumed: nothing else will work in this account.
	if _, err := e.Sessions.Config(ctx, a.ID, jobs[0].region); err != nil {
		res.Errors = append(res.Errors, err.Error())
		return nil
	}
	type outcome struct {
		obs *observation
		err string
	}
	outs := make([]outcome, len(jobs))
	var warnMu sync.Mutex
	limit := e.ObserveConcurrency
	if limit < 1 {
		limit = DefaultObserveConcurrency
	}
	sem := make(chan struct{}, limit)
	var wg sync.WaitGroup
	for i, j := range jobs {
		wg.Add(1)
		sem <- struct{}{}
		go func() {
			defer wg.Done()
			defer func() { <-sem }()
			cfg, err := e.Sessions.Config(ctx, a.ID, j.region)
			if err != nil {
				outs[i].err = place(j.control, j.region, err)
				return
			}
			t := e.target(a, j.region, cfg, res, &warnMu, log)
			state, err := j.control.Observe(ctx, t)
			if err != nil {
				err = awsapi.RegionNotEnabled(err, a.ID, j.region)
				outs[i].err = place(j.control, j.region, err)
				if ctx.Err() != nil {
					// The run was interrupted: the call was cut short,
					// which is no failure of the account's to log.
					log.Debug().Str("control", j.control.Name()).Str("region", j.region).Err(err).Msg("observe stopped")
					return
				}
				log.Error().Str("control", j.control.Name()).Str("region", j.region).Err(err).Msg("observe failed")
				return
			}
			outs[i].obs = &observation{control: j.control, target: t, state: state}
		}()
	}
	wg.Wait()
	var obs []observation
	for _, o := range outs {
		if o.err != "" {
			res.Errors = append(res.Errors, o.err)
		}
		if o.obs != nil {
			obs = append(obs, *o.obs)
		}
	}
	return obs
}

// DefaultObserveConcurrency is how many controls and regions of one
// account are read at once.
const DefaultObserveConcurrency = 4

// target builds a control's target; its warnings and waits go to res.
// mu, when set, guards res against targets observed in parallel.
func (e *Engine) target(a *orgwalk.Account, region string, cfg aws.Config, res *AccountResult, mu *sync.Mutex, log zerolog.Logger) controls.Target {
	lock := func() func() {
		if mu == nil {
			return func() {}
		}
		mu.Lock()
		return mu.Unlock
	}
	w := e.Waiter.For(a.ID, region)
	// While it waits for AWS, the account lends its place among the
	// accounts running at once to the next one (orgwalk.Idle).
	sleep := w.Sleep
	if sleep == nil {
		sleep = awsapi.Sleep
	}
	w.Sleep = func(ctx context.Context, d time.Duration) error {
		return orgwalk.Idle(ctx, func() error { return sleep(ctx, d) })
	}
	outer := w.Notify
	w.Notify = func(ev awsapi.Wait) {
		logWait(log, ev)
		if ev.Done {
			defer lock()()
			res.Waits = append(res.Waits, ev)
		}
		if outer != nil {
			outer(ev)
		}
	}
	return controls.Target{
		AccountID: a.ID, AccountName: a.Name, Account: a, Region: region, Config: cfg, Org: e.Org, Wait: w,
		Warn: func(msg string) {
			defer lock()()
			res.Warnings = append(res.Warnings, msg)
		},
	}
}

// logWait says in the log that the run waits for AWS, and how it ended.
func logWait(log zerolog.Logger, ev awsapi.Wait) {
	l := log.With().Str("waitingFor", ev.For).Logger()
	if ev.Region != "" {
		l = l.With().Str("region", ev.Region).Logger()
	}
	switch {
	case !ev.Done:
		l.Info().Msg("waiting for AWS")
	case ev.Err != nil:
		l.Warn().Int64("waitedMs", ev.Waited.Milliseconds()).Err(ev.Err).Msg("stopped waiting for AWS")
	default:
		l.Info().Int64("waitedMs", ev.Waited.Milliseconds()).Msg("AWS settled")
	}
}

func place(c controls.Control, region string, err error) string {
	if region != "" && c.Scope() != controls.ScopeAccount {
		return fmt.Sprintf("%s in %s: %v", c.Name(), region, err)
	}
	return fmt.Sprintf("%s: %v", c.Name(), err)
}

// HasOrgControls reports whether any enabled control runs at
// organization scope.
func (e *Engine) HasOrgControls() bool {
	for _, c := range e.Controls {
		if c.Scope() == controls.ScopeOrganization {
			return true
		}
	}
	return false
}

// management is the account organization-scope controls run from.
func (e *Engine) management() *orgwalk.Account {
	if a := e.Org.Account(e.Org.ManagementAccountID); a != nil {
		return a
	}
	return &orgwalk.Account{ID: e.Org.ManagementAccountID, Name: "management account", Management: true}
}

// diff records a control's changes and its error. A control returns the
// changes it can plan safely together with an error for what it cannot
// (one region of an organization-scope control that could not be read), so
// both are kept; a guard that refuses the whole plan returns no changes.
func (e *Engine) diff(o observation, res *AccountResult) {
	changes, err := o.control.Diff(o.target, o.state)
	if err != nil {
		res.Errors = append(res.Errors, place(o.control, o.target.Region, err))
	}
	res.Changes = append(res.Changes, changes...)
}

// PlanOrg observes and diffs the organization-scope controls, once.
func (e *Engine) PlanOrg(ctx context.Context) AccountResult {
	res := AccountResult{Account: e.management()}
	log := e.Log.With().Str("scope", "organization").Logger()
	for _, o := range e.observe(ctx, res.Account, true, &res, log) {
		e.diff(o, &res)
	}
	return res
}

// Plan observes and diffs every targeted account.
func (e *Engine) Plan(ctx context.Context, accounts []*orgwalk.Account) []AccountResult {
	return e.each(ctx, "plan", slice(accounts), e.planAccount)
}

// PlanFrom is Plan over the accounts arriving on in (as the organization
// is walked) until it is closed; the results are in their arrival order.
func (e *Engine) PlanFrom(ctx context.Context, in <-chan *orgwalk.Account) []AccountResult {
	return e.each(ctx, "plan", stream(in), e.planAccount)
}

func (e *Engine) planAccount(ctx context.Context, a *orgwalk.Account, res *AccountResult, log zerolog.Logger) {
	for _, o := range e.observe(ctx, a, false, res, log) {
		e.diff(o, res)
	}
	log.Debug().Int("changes", len(res.Changes)).Msg("planned")
}

// CheckOrg reports the organization-scope controls' findings.
func (e *Engine) CheckOrg(ctx context.Context) AccountResult {
	res := AccountResult{Account: e.management()}
	log := e.Log.With().Str("scope", "organization").Logger()
	for _, o := range e.observe(ctx, res.Account, true, &res, log) {
		res.Findings = append(res.Findings, o.control.Findings(o.target, o.state)...)
	}
	return res
}

// Check observes every targeted account and reports findings.
func (e *Engine) Check(ctx context.Context, accounts []*orgwalk.Account) []AccountResult {
	return e.each(ctx, "check", slice(accounts), e.checkAccount)
}

// CheckFrom is Check over the accounts arriving on in until it is closed;
// the results are in their arrival order.
func (e *Engine) CheckFrom(ctx context.Context, in <-chan *orgwalk.Account) []AccountResult {
	return e.each(ctx, "check", stream(in), e.checkAccount)
}

func (e *Engine) checkAccount(ctx context.Context, a *orgwalk.Account, res *AccountResult, log zerolog.Logger) {
	for _, o := range e.observe(ctx, a, false, res, log) {
		res.Findings = append(res.Findings, o.control.Findings(o.target, o.state)...)
	}
	if e.Plugins != nil {
		acct := plugins.Account{ID: a.ID, Name: a.Name, OUPath: a.OUPath, Tags: a.Tags}
		res.Findings = append(res.Findings, e.Plugins.Run(ctx, acct, e.HomeRegion, e.Regions)...)
	}
}

// ApplyOrg applies the organization-scope changes, in order, before any
// account's. Each change names the account and region it applies to; the
// control reaches it through Org.Sessions.
func (e *Engine) ApplyOrg(ctx context.Context, changes []baseline.Change) AccountResult {
	res := AccountResult{Account: e.management(), Changes: changes}
	log := e.Log.With().Str("scope", "organization").Logger()
	e.applyChanges(ctx, res.Account, &res, log)
	return res
}

// Apply applies the given changes per account, in order. A change that
// fails is recorded and the remaining changes of the same control and
// region are skipped (they may depend on it); other controls go on.
func (e *Engine) Apply(ctx context.Context, accounts []*orgwalk.Account, changes map[string][]baseline.Change) []AccountResult {
	results := e.each(ctx, "apply", slice(accounts), func(ctx context.Context, a *orgwalk.Account, res *AccountResult, log zerolog.Logger) {
		res.Changes = changes[a.ID]
		e.applyChanges(ctx, a, res, log)
	})
	for i := range results {
		// Accounts never started still had these changes to make.
		results[i].Changes = changes[results[i].Account.ID]
	}
	return results
}

// applyChanges applies res.Changes for the controls they name. For
// organization-scope changes the target is the management account in the
// home region; the control acts where the change says.
//
// The changes of one control are applied in the order planned (each may
// depend on the one before). In an account, the controls follow one
// another too (Config's recorder needs the service-linked role configRole
// makes). At organization scope the controls are independent of one
// another (each its own policies, trail, analyzer or bucket), so each
// runs in its own lane, beside the others: a control waiting for AWS
// (a policy type being enabled, a delegated administrator registration
// propagating) does not hold up the rest.
func (e *Engine) applyChanges(ctx context.Context, a *orgwalk.Account, res *AccountResult, log zerolog.Logger) {
	byName := map[string]controls.Control{}
	for _, c := range e.Controls {
		byName[c.Name()] = c
	}
	outs := make([]applyOutcome, len(res.Changes))
	lanes := map[string][]int{} // lane -> indexes of its changes, in order
	var order []string
	for i, ch := range res.Changes {
		lane := ""
		if c := byName[ch.Control]; c != nil && c.Scope() == controls.ScopeOrganization {
			lane = ch.Control
		}
		if _, ok := lanes[lane]; !ok {
			order = append(order, lane)
		}
		lanes[lane] = append(lanes[lane], i)
	}
	var mu sync.Mutex // guards res (waits, warnings) for lanes running at once
	var noSession atomic.Bool
	run := func(idx []int) { e.applyLane(ctx, a, res.Changes, idx, byName, outs, &noSession, res, &mu, log) }
	var wg sync.WaitGroup
	for _, lane := range order {
		wg.Add(1)
		go func(idx []int, org bool) {
			defer wg.Done()
			if !org {
				run(idx)
				return
			}
			// An organization-scope control's changes for one region do
			// not wait for another region's (an analyzer being created
			// in each): after the changes for no region, its regions
			// run beside each other.
			first, regions := splitByRegion(res.Changes, idx)
			run(first)
			var rg sync.WaitGroup
			for _, r := range regions {
				rg.Add(1)
				go func() {
					defer rg.Done()
					run(r)
				}()
			}
			rg.Wait()
		}(lanes[lane], lane != "")
	}
	wg.Wait()
	for i, ch := range res.Changes {
		o := outs[i]
		res.Errors = append(res.Errors, o.errs...)
		if o.applied {
			res.Applied = append(res.Applied, ch)
		}
		if o.interrupted {
			res.Interrupted++
		}
	}
}

// splitByRegion splits one control's changes (idx, in order) into those
// that come first, and then one list per region. The split is made only
// where it keeps every change after the ones it depends on: the changes
// for no region (trusted access, a delegated administrator) all come
// before the first change for a region; otherwise all of idx comes first
// and nothing runs beside it.
func splitByRegion(changes []baseline.Change, idx []int) (first []int, regions [][]int) {
	k := len(idx)
	for j, i := range idx {
		if changes[i].Region != "" {
			k = j
			break
		}
	}
	byRegion := map[string]int{}
	for _, i := range idx[k:] {
		r := changes[i].Region
		if r == "" {
			return idx, nil
		}
		n, ok := byRegion[r]
		if !ok {
			n = len(regions)
			byRegion[r] = n
			regions = append(regions, nil)
		}
		regions[n] = append(regions[n], i)
	}
	if len(regions) < 2 {
		return idx, nil
	}
	return idx[:k], regions
}

// applyOutcome is what became of one change.
type applyOutcome struct {
	applied     bool
	interrupted bool // not started: the context ended first
	errs        []string
}

// applyLane applies the changes at idx one after another, writing each
// outcome to outs[i]. A change that fails leaves the rest of its control
// and region not applied; a session that cannot be had stops every lane.
func (e *Engine) applyLane(ctx context.Context, a *orgwalk.Account, changes []baseline.Change, idx []int, byName map[string]controls.Control,
	outs []applyOutcome, noSession *atomic.Bool, res *AccountResult, mu *sync.Mutex, log zerolog.Logger) {
	failed := map[string]bool{} // control|region that failed
	for _, i := range idx {
		ch := changes[i]
		if noSession.Load() {
			return
		}
		key := ch.Control + "|" + ch.Region
		if failed[key] {
			where := ch.Control
			if ch.Region != "" {
				where += " in " + ch.Region
			}
			outs[i].errs = append(outs[i].errs, fmt.Sprintf("%s: not applied because an earlier change of %s failed", ch.Resource, where))
			continue
		}
		if ctx.Err() != nil {
			// Interrupted: start no new change; count each one left.
			outs[i].interrupted = true
			continue
		}
		c := byName[ch.Control]
		if c == nil {
			outs[i].errs = append(outs[i].errs, fmt.Sprintf("%s: the plan names control %q, which this baseline does not enable", ch.Resource, ch.Control))
			failed[key] = true
			continue
		}
		region := ch.Region
		if region == "" || c.Scope() == controls.ScopeOrganization {
			region = e.HomeRegion
		}
		// A change once started is let finish even if the run is
		// interrupted meanwhile (a half-made change helps no one), but
		// only for a bounded time.
		actx, cancel := context.WithTimeout(context.WithoutCancel(ctx), e.inFlightTimeout())
		err := e.applyOne(actx, a, c, region, ch, &outs[i], res, mu, log)
		cancel()
		if errors.Is(err, errNoSession) {
			noSession.Store(true)
			return
		}
		if err != nil {
			failed[key] = true
		}
	}
}

var errNoSession = errors.New("no session")

// applyOne applies one change, writing its outcome to out; the error says
// whether it failed (errNoSession: the account cannot be reached at all).
func (e *Engine) applyOne(ctx context.Context, a *orgwalk.Account, c controls.Control, region string, ch baseline.Change, out *applyOutcome, res *AccountResult, mu *sync.Mutex, log zerolog.Logger) error {
	cfg, err := e.Sessions.Config(ctx, a.ID, region)
	if err != nil {
		out.errs = append(out.errs, err.Error())
		return errNoSession
	}
	t := e.target(a, region, cfg, res, mu, log)
	clog := log.With().Str("control", ch.Control).Str("resource", ch.Resource).Str("action", string(ch.Action)).Logger()
	if ch.Region != "" {
		clog = clog.With().Str("region", ch.Region).Logger()
	}
	if err := c.Apply(ctx, t, ch); err != nil {
		err = awsapi.RegionNotEnabled(err, a.ID, region)
		out.errs = append(out.errs, place(c, ch.Region, err))
		clog.Error().Err(err).Msg("apply failed")
		return err
	}
	out.applied = true
	clog.Info().Msg("applied")
	return nil
}

func (e *Engine) inFlightTimeout() time.Duration {
	if e.InFlightTimeout > 0 {
		return e.InFlightTimeout
	}
	return DefaultInFlightTimeout
}

// markFailed records that account failed.
func (e *Engine) markFailed(account string) {
	t := e.failures()
	t.mu.Lock()
	defer t.mu.Unlock()
	t.ids[account] = true
}

// FailedAccounts is how many distinct accounts have failed in this
// engine's runs so far.
func (e *Engine) FailedAccounts() int {
	t := e.failures()
	t.mu.Lock()
	defer t.mu.Unlock()
	return len(t.ids)
}

// Progress hears how a run over the accounts advances: Start with the
// number of accounts of the phase ("plan", "check", "apply"), or -1 while
// the organization is still being walked and Total once it is known; Done
// once per account finished (failed or not), Finish at the end. Calls to
// Done may come from several goroutines at once.
type Progress interface {
	Start(phase string, total int)
	Total(total int)
	Done(failed bool)
	Finish()
}

// accounts is what a phase runs over: a list known in advance, or a
// stream of accounts found as the organization is walked.
type accounts struct {
	list []*orgwalk.Account
	in   <-chan *orgwalk.Account // nil for a list
}

func slice(as []*orgwalk.Account) accounts       { return accounts{list: as} }
func stream(in <-chan *orgwalk.Account) accounts { return accounts{in: in} }

// WithOrg returns a copy of the engine whose controls see o as the
// organization (while it is still being walked, say); the copy shares the
// engine's tally of failed accounts.
func (e *Engine) WithOrg(o *controls.Org) *Engine {
	e.failures()
	c := *e
	c.Org = o
	return &c
}

// each runs fn per account with the engine's concurrency; the results are
// in the accounts' order (of arrival, for a stream).
func (e *Engine) each(ctx context.Context, phase string, as accounts, fn func(context.Context, *orgwalk.Account, *AccountResult, zerolog.Logger)) []AccountResult {
	in := as.in
	if e.Progress != nil {
		if in == nil {
			e.Progress.Start(phase, len(as.list))
		} else {
			// The total is known once the stream ends.
			e.Progress.Start(phase, -1)
			counted := make(chan *orgwalk.Account)
			go func(src <-chan *orgwalk.Account) {
				n := 0
				for a := range src {
					n++
					counted <- a
				}
				e.Progress.Total(n)
				close(counted)
			}(in)
			in = counted
		}
		defer e.Progress.Finish()
	}
	e.failures()
	limit := e.Concurrency
	if limit < 1 {
		limit = 1
	}
	o := orgwalk.Options{Limit: limit}
	if e.StopStarting != nil {
		o.Stop = func() error { return e.StopStarting(e.FailedAccounts()) }
	}
	// Each account's result is made when it starts, and kept by id.
	var mu sync.Mutex
	started := map[string]*AccountResult{}
	work := func(ctx context.Context, a *orgwalk.Account) error {
		log := e.Log.With().Str("account", a.ID).Str("accountName", a.Name).Logger()
		res := &AccountResult{Account: a}
		mu.Lock()
		started[a.ID] = res
		mu.Unlock()
		fn(ctx, a, res, log)
		if res.Failed() {
			// Counted before the account's slot is released, so the next
			// account started sees it.
			e.markFailed(a.ID)
		}
		if e.Progress != nil {
			// An account cut short by an interrupt is not counted as failed.
			e.Progress.Done(res.Failed() && ctx.Err() == nil)
		}
		return nil
	}
	var out []orgwalk.Result
	if in == nil {
		out = orgwalk.ForEachWith(ctx, as.list, o, work)
	} else {
		out = orgwalk.ForEachFrom(ctx, in, o, work)
	}
	results := make([]AccountResult, len(out))
	for i, r := range out {
		if res := started[r.Account.ID]; res != nil {
			results[i] = *res
		} else {
			results[i].Account = r.Account
		}
		if r.Err == nil {
			continue
		}
		res := &results[i]
		var ns *orgwalk.NotStartedError
		switch {
		case errors.As(r.Err, &ns) && errors.Is(r.Err, ctx.Err()) && ctx.Err() != nil:
			res.NotStarted = Interrupted
			res.Errors = append(res.Errors, "not started: "+Interrupted)
		case errors.As(r.Err, &ns):
			res.NotStarted = ns.Reason.Error()
			res.Errors = append(res.Errors, "not started: "+ns.Reason.Error())
		default:
			res.Errors = append(res.Errors, r.Err.Error())
			e.markFailed(r.Account.ID)
		}
	}
	return results
}
