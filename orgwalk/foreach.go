package orgwalk

import (
	"context"
	"fmt"
	"runtime/debug"
	"sync"
)

// Result is the outcome of the function run for one account.
type Result struct {
	Account *Account
	Err     error
}

// ForEach runs fn for every account, at most limit at a time, and returns
// one result per account in the accounts' order. An account's error (or
// panic) is kept in its result; the others go on. Once ctx is done no new
// account is started; the ones not started get ctx's error.
func ForEach(ctx context.Context, accounts []*Account, limit int, fn func(context.Context, *Account) error) []Result {
	if limit < 1 {
		limit = 1
	}
	results := make([]Result, len(accounts))
	sem := make(chan struct{}, limit)
	var wg sync.WaitGroup
	for i, a := range accounts {
		results[i].Account = a
		select {
		case sem <- struct{}{}:
		case <-ctx.Done():
		}
		if ctx.Err() != nil {
			results[i].Err = fmt.Errorf("account %s not started: %w", a.Label(), ctx.Err())
			continue
		}
		wg.Add(1)
		go func(i int, a *Account) {
			defer wg.Done()
			defer func() { <-sem }()
			defer func() {
				if r := recover(); r != nil {
					results[i].Err = fmt.Errorf("account %s: internal error: %v\n%s", a.Label(), r, debug.Stack())
				}
			}()
			results[i].Err = fn(ctx, a)
		}(i, a)
	}
	wg.Wait()
	return results
}
