package orgwalk

import (
	"context"
	"fmt"
	"iter"
	"runtime/debug"
	"slices"
	"sync"
)

// Result is the outcome of the function run for one account.
type Result struct {
	Account *Account
	Err     error
}

// NotStartedError is the result of an account that was never started:
// the context was done, or Options.Stop said to stop launching work.
type NotStartedError struct {
	Account *Account
	Reason  error
}

func (e *NotStartedError) Error() string {
	return fmt.Sprintf("account %s not started: %v", e.Account.Label(), e.Reason)
}

func (e *NotStartedError) Unwrap() error { return e.Reason }

// Options tune ForEachWith.
type Options struct {
	// Limit is how many accounts run at once; below 1 means 1.
	Limit int
	// Stop, when set, is asked before each account is started (once a
	// slot is free, so it sees the outcome of every account that has
	// finished); a non-nil answer leaves that account and every later
	// one not started, with that reason. Accounts already running go on.
	Stop func() error
}

// ForEach runs fn for every account, at most limit at a time, and returns
// one result per account in the accounts' order. An account's error (or
// panic) is kept in its result; the others go on. Once ctx is done no new
// account is started; the ones not started get a *NotStartedError wrapping
// ctx's error.
func ForEach(ctx context.Context, accounts []*Account, limit int, fn func(context.Context, *Account) error) []Result {
	return ForEachWith(ctx, accounts, Options{Limit: limit}, fn)
}

// ForEachWith is ForEach with options.
func ForEachWith(ctx context.Context, accounts []*Account, o Options, fn func(context.Context, *Account) error) []Result {
	return forEach(ctx, slices.Values(accounts), o, fn)
}

// ForEachFrom is ForEachWith over accounts as they arrive on in (from
// Walk's Found, say), until in is closed; the results are in the order
// the accounts arrived. Once ctx is done or Stop has answered, the
// accounts still arriving are not started, but each gets its result: in
// must be closed for ForEachFrom to return.
func ForEachFrom(ctx context.Context, in <-chan *Account, o Options, fn func(context.Context, *Account) error) []Result {
	return forEach(ctx, func(yield func(*Account) bool) {
		for a := range in {
			if !yield(a) {
				return
			}
		}
	}, o, fn)
}

func forEach(ctx context.Context, accounts iter.Seq[*Account], o Options, fn func(context.Context, *Account) error) []Result {
	limit := o.Limit
	if limit < 1 {
		limit = 1
	}
	// Each account's result is its own, written by its goroutine; the
	// list of them grows as accounts arrive.
	var results []*Result
	sem := make(chan struct{}, limit)
	var wg sync.WaitGroup
	var stopped error
	for a := range accounts {
		r := &Result{Account: a}
		results = append(results, r)
		if stopped != nil {
			r.Err = &NotStartedError{Account: a, Reason: stopped}
			continue
		}
		select {
		case sem <- struct{}{}:
		case <-ctx.Done():
		}
		if ctx.Err() != nil {
			r.Err = &NotStartedError{Account: a, Reason: ctx.Err()}
			continue
		}
		if o.Stop != nil {
			if err := o.Stop(); err != nil {
				<-sem
				stopped = err
				r.Err = &NotStartedError{Account: a, Reason: err}
				continue
			}
		}
		wg.Add(1)
		go func() {
			defer wg.Done()
			defer func() { <-sem }()
			defer func() {
				if p := recover(); p != nil {
					r.Err = fmt.Errorf("account %s: internal error: %v\n%s", a.Label(), p, debug.Stack())
				}
			}()
			r.Err = fn(context.WithValue(ctx, slotKey{}, &slot{sem: sem}), a)
		}()
	}
	wg.Wait()
	out := make([]Result, len(results))
	for i, r := range results {
		out[i] = *r
	}
	return out
}

// An account's slot: while every goroutine of the account that is waiting
// is idle (waiting for AWS to settle, making no calls), the slot is lent
// to the next account, so a thousand accounts each waiting seconds for a
// role to propagate do not hold the run up a thousand times over.

type slotKey struct{}

// slot is the place one account holds among the Limit running at once.
type slot struct {
	sem  chan struct{}
	mu   sync.Mutex
	idle int // goroutines of the account idle now
}

// Idle runs wait, a wait that makes no calls, with the account's slot
// lent to another account meanwhile; the slot is taken back (waiting for
// one to be free) before Idle returns. Outside ForEach it just runs wait.
// When several goroutines of one account are idle at once, the slot is
// lent from the first until the last is done; one that ends its wait
// before the others goes on at once, so an account briefly works beside
// the Limit others.
func Idle(ctx context.Context, wait func() error) error {
	s, ok := ctx.Value(slotKey{}).(*slot)
	if !ok || s == nil {
		return wait()
	}
	s.mu.Lock()
	s.idle++
	if s.idle == 1 {
		<-s.sem
	}
	s.mu.Unlock()
	err := wait()
	s.mu.Lock()
	s.idle--
	last := s.idle == 0
	s.mu.Unlock()
	if last {
		// The slot must come back whatever ctx says: the account gives
		// it up when it ends.
		s.sem <- struct{}{}
	}
	return err
}
