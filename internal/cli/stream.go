package cli

import (
	"context"
	"errors"
	"fmt"
	"sync"

	"github.com/orgbaseline/orgbaseline/baseline"
	"github.com/orgbaseline/orgbaseline/baseline/controls"
	"github.com/orgbaseline/orgbaseline/internal/engine"
	"github.com/orgbaseline/orgbaseline/orgwalk"
)

// Reading a large organization is a chain of paged listings that
// Organizations' rate limit paces (10,000 accounts are some 500 pages of
// ListAccountsForParent), so plan, apply and check do not wait for it:
// an account the walk finds that the run targets is worked on at once,
// while the rest of the organization is read.
//
// What is decided per account as it is found (orgwalk.Targeted, --target,
// --shard, the account aliases) is decided again over the whole
// organization once the walk ends (resolve), and that answer counts: an
// account worked on that the whole organization does not target (it
// cannot happen while the two agree) is dropped, one the stream missed is
// worked on then, and a selector or alias that names nothing fails the
// run as before. The organization-scope controls need the whole
// organization, so they start once the walk has ended.

// pendingWalk is the walk of the organization while accounts stream out
// of it.
type pendingWalk struct {
	// done is closed once the walk has ended and the run is resolved (or
	// failed, with err).
	done chan struct{}
	err  error
	// partial is the organization as account-scope controls see it while
	// the walk goes on: its id and management account, the regions, and
	// the aliases as found (set once all are found, before any account is
	// handed on; never changed after).
	partial *controls.Org
	// refs are organization.accounts: alias -> account name or id.
	refs   map[string]string
	cancel context.CancelFunc // ends the walk
	// wake tells the feeder that accounts were queued or the walk ended;
	// quit that the run is over.
	wake     chan struct{}
	quit     chan struct{}
	quitOnce sync.Once

	mu sync.Mutex // guards what follows
	// queue holds targeted accounts found but not yet handed on; held
	// holds those found before every alias was.
	queue, held []*orgwalk.Account
	ended       bool // the walk has ended: nothing more will be queued
	ready       bool // every alias found: accounts may be handed on
	targeted    int  // targeted accounts found so far
	waiting     int  // calls of wait so far
}

// startWalk walks the organization in the background, queueing each
// account the run targets as it is found.
func (env *runEnv) startWalk(ctx context.Context, api orgwalk.OrganizationsAPI, org *orgwalk.Org, opts orgwalk.DiscoverOptions) *pendingWalk {
	b := env.baseline
	ctx, cancel := context.WithCancel(ctx)
	w := &pendingWalk{
		cancel: cancel,
		done:   make(chan struct{}),
		partial: &controls.Org{
			Org: org.Header(), Aliases: map[string]*orgwalk.Account{},
			HomeRegion: env.engine.Org.HomeRegion, Regions: env.engine.Org.Regions,
			ExecutionRole: env.engine.Org.ExecutionRole, Sessions: env.engine.Org.Sessions,
			Partition: env.engine.Org.Partition, RunID: env.engine.Org.RunID,
			CallerARN: env.engine.Org.CallerARN, CallerUserID: env.engine.Org.CallerUserID, CallerRegion: env.engine.Org.CallerRegion,
		},
		refs: b.Organization.Accounts,
		wake: make(chan struct{}, 1),
		quit: make(chan struct{}),
	}
	w.ready = len(w.refs) == 0
	narrow := baseline.Targets{Include: env.extra, IncludeManagementAccount: true}
	found := map[string]*orgwalk.Account{} // aliases as found so far
	opts.Found = func(a *orgwalk.Account) {
		// Calls are serialized by the walk.
		for alias, ref := range w.refs {
			// As ResolveAccount: an id names its account outright, a
			// name the (first, and at the end only) account so named.
			if a.ID == ref || a.Name == ref && found[alias] == nil {
				found[alias] = a
			}
		}
		mine := orgwalk.Targeted(b.Targets, a) &&
			(len(env.extra) == 0 || orgwalk.Targeted(narrow, a)) &&
			(env.shard == nil || env.shard.Holds(a.ID))
		w.mu.Lock()
		defer w.mu.Unlock()
		if mine {
			w.targeted++
			w.held = append(w.held, a)
		}
		if !w.ready && len(found) == len(w.refs) {
			for alias, acct := range found {
				w.partial.Aliases[alias] = acct
			}
			w.ready = true
		}
		if w.ready && len(w.held) > 0 {
			w.queue = append(w.queue, w.held...)
			w.held = nil
			w.signal()
		}
	}
	go func() {
		defer close(w.done)
		err := org.Walk(ctx, api, opts)
		if err == nil {
			err = env.resolve(org)
		}
		w.mu.Lock()
		w.err = err
		// Accounts held for an alias never found are not worked on: the
		// run fails on the alias (resolve).
		w.ended = true
		w.mu.Unlock()
		w.signal()
	}()
	return w
}

func (w *pendingWalk) signal() {
	select {
	case w.wake <- struct{}{}:
	default:
	}
}

// accounts hands on the queued accounts, as they are found, until the
// walk ends. It is called once per run: the one phase that runs over the
// targeted accounts as they are found (overAccounts) takes them.
func (w *pendingWalk) accounts() <-chan *orgwalk.Account {
	out := make(chan *orgwalk.Account)
	go func() {
		defer close(out)
		for {
			w.mu.Lock()
			batch, ended := w.queue, w.ended
			w.queue = nil
			w.mu.Unlock()
			for _, a := range batch {
				select {
				case out <- a:
				case <-w.quit:
					return
				}
			}
			if ended && len(batch) == 0 {
				return
			}
			if len(batch) == 0 {
				select {
				case <-w.wake:
				case <-w.quit:
					return
				}
			}
		}
	}()
	return out
}

// wait waits for the walk to end and the run to be resolved.
func (w *pendingWalk) wait() error {
	w.mu.Lock()
	w.waiting++
	w.mu.Unlock()
	<-w.done
	return w.err
}

// stop ends the walk, if it is still going on, and the feeding of
// accounts: the run is over.
func (w *pendingWalk) stop() {
	w.cancel()
	w.quitOnce.Do(func() { close(w.quit) })
}

// settle waits for the organization to be read and the targets resolved.
func (env *runEnv) settle() error {
	if env.walk == nil {
		return nil
	}
	err := env.walk.wait()
	if err != nil && errors.Is(err, context.Canceled) {
		return fmt.Errorf("interrupted while reading the organization: nothing was changed")
	}
	return err
}

// targeted is how many accounts the run targets, and whether that is final
// (false while the walk is still finding them).
func (env *runEnv) targeted() (int, bool) {
	if env.walk != nil {
		select {
		case <-env.walk.done:
		default:
			env.walk.mu.Lock()
			defer env.walk.mu.Unlock()
			return env.walk.targeted, false
		}
	}
	if env.sel == nil {
		return 0, true
	}
	return len(env.sel.Targets), true
}

// totalKnown tells the progress how many accounts the run targets, as
// soon as the organization has been read (resolve): the phase working on
// the accounts as the walk found them learns its total then, rather than
// when its last account is taken.
func (env *runEnv) totalKnown(n int) {
	if p, ok := env.engine.Progress.(*progress); ok {
		p.Walked(n)
	}
}

// phase is one engine run over the accounts: over a list, or over the
// accounts as they arrive.
type phase struct {
	list func(*engine.Engine, context.Context, []*orgwalk.Account) []engine.AccountResult
	from func(*engine.Engine, context.Context, <-chan *orgwalk.Account) []engine.AccountResult
	org  func(*engine.Engine, context.Context) engine.AccountResult
}

var (
	planPhase  = phase{list: (*engine.Engine).Plan, from: (*engine.Engine).PlanFrom, org: (*engine.Engine).PlanOrg}
	checkPhase = phase{list: (*engine.Engine).Check, from: (*engine.Engine).CheckFrom, org: (*engine.Engine).CheckOrg}
)

// overAccounts runs a phase over the targeted accounts and, beside them,
// over the organization scope when this run has it (org is nil when not).
// The results are in the order of the targets.
func (env *runEnv) overAccounts(ctx context.Context, p phase) (org *engine.AccountResult, results []engine.AccountResult, err error) {
	// AWS refused the session duration: one error for the run, not one
	// per account (preflight.go).
	defer func() {
		if err == nil {
			if err = env.sessionStop(results); err != nil {
				org, results = nil, nil
			}
		}
	}()
	var wg sync.WaitGroup
	runOrg := func() {
		defer wg.Done()
		if err := env.settle(); err != nil {
			return
		}
		if env.orgScope() {
			r := p.org(env.engine, ctx)
			org = &r
		}
	}
	if env.walk == nil {
		if err := env.settle(); err != nil {
			return nil, nil, err
		}
		// The organization scope is observed beside the accounts: they
		// do not depend on it (applying does, and apply orders them), and
		// its reads (paged Organizations listings) would otherwise be a
		// serial chain before any account starts.
		wg.Add(1)
		go runOrg()
		results = p.list(env.engine, ctx, env.sel.Targets)
		wg.Wait()
		return org, results, nil
	}
	// A walk that fails (a selector or alias that names nothing, a
	// listing refused) fails the run: the accounts still streaming are
	// let go rather than read for nothing.
	w := env.walk
	actx, cancel := context.WithCancel(ctx)
	defer cancel()
	go func() {
		select {
		case <-w.done:
			if w.err != nil {
				cancel()
			}
		case <-actx.Done():
		}
	}()
	wg.Add(1)
	go runOrg()
	streamed := p.from(env.engine.WithOrg(w.partial), actx, w.accounts())
	wg.Wait()
	if err := env.settle(); err != nil {
		return nil, nil, err
	}
	// The whole organization's answer counts (see the top of this file).
	for alias, a := range env.aliases {
		if w.partial.Aliases[alias] != a {
			env.log.Warn().Str("alias", alias).Msg("an account alias resolved differently once the whole organization was read; the accounts are read again")
			return org, p.list(env.engine, ctx, env.sel.Targets), nil
		}
	}
	byID := make(map[string]engine.AccountResult, len(streamed))
	for _, r := range streamed {
		byID[r.Account.ID] = r
	}
	var missed []*orgwalk.Account
	for _, t := range env.sel.Targets {
		if _, ok := byID[t.ID]; !ok {
			missed = append(missed, t)
		}
	}
	if len(missed) > 0 {
		env.log.Warn().Int("accounts", len(missed)).Msg("targeted accounts the walk did not hand on are worked on now")
		for _, r := range p.list(env.engine, ctx, missed) {
			byID[r.Account.ID] = r
		}
	}
	results = make([]engine.AccountResult, 0, len(env.sel.Targets))
	for _, t := range env.sel.Targets {
		results = append(results, byID[t.ID])
	}
	return org, results, nil
}
