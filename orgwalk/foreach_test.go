package orgwalk_test

import (
	"context"
	"errors"
	"fmt"
	"sync/atomic"
	"testing"

	"github.com/orgbaseline/orgbaseline/orgwalk"
)

func accounts(n int) []*orgwalk.Account {
	var as []*orgwalk.Account
	for i := 0; i < n; i++ {
		as = append(as, &orgwalk.Account{ID: fmt.Sprintf("%012d", i), Name: fmt.Sprintf("a%d", i)})
	}
	return as
}

// Stop is asked once a slot is free, so with one at a time it sees every
// earlier account's outcome; the rest are not started, with its reason.
func TestForEachWithStop(t *testing.T) {
	var failed, ran atomic.Int64
	stop := errors.New("too many failed")
	res := orgwalk.ForEachWith(context.Background(), accounts(10), orgwalk.Options{Limit: 1, Stop: func() error {
		if failed.Load() > 2 {
			return stop
		}
		return nil
	}}, func(ctx context.Context, a *orgwalk.Account) error {
		ran.Add(1)
		failed.Add(1)
		return errors.New("boom")
	})
	if ran.Load() != 3 {
		t.Fatalf("%d accounts ran, want 3", ran.Load())
	}
	for i, r := range res {
		var ns *orgwalk.NotStartedError
		switch {
		case i < 3 && (r.Err == nil || errors.As(r.Err, &ns)):
			t.Errorf("account %d: %v, want its own error", i, r.Err)
		case i >= 3 && (!errors.As(r.Err, &ns) || !errors.Is(r.Err, stop)):
			t.Errorf("account %d: %v, want not started: %v", i, r.Err, stop)
		}
	}
}

// A cancelled context leaves the accounts not started, with its error.
func TestForEachCancelled(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	var ran atomic.Int64
	res := orgwalk.ForEach(ctx, accounts(5), 1, func(ctx context.Context, a *orgwalk.Account) error {
		if ran.Add(1) == 2 {
			cancel()
		}
		return nil
	})
	if ran.Load() != 2 {
		t.Fatalf("%d accounts ran after the cancel, want 2", ran.Load())
	}
	for _, r := range res[2:] {
		var ns *orgwalk.NotStartedError
		if !errors.As(r.Err, &ns) || !errors.Is(r.Err, context.Canceled) {
			t.Errorf("%s: %v, want not started: canceled", r.Account.ID, r.Err)
		}
	}
}

// An account waiting in Idle lends its slot: with one slot, the first
// account's wait ends only once every other account has run, which
// without the lending could never happen (the test would block). No more
// accounts work (outside Idle) at once than the limit.
func TestIdleLendsTheSlot(t *testing.T) {
	const n = 5
	var working, most atomic.Int64
	othersDone := make(chan struct{})
	var done atomic.Int64
	enter := func() {
		w := working.Add(1)
		for m := most.Load(); w > m && !most.CompareAndSwap(m, w); m = most.Load() {
		}
	}
	res := orgwalk.ForEach(context.Background(), accounts(n), 1, func(ctx context.Context, a *orgwalk.Account) error {
		enter()
		defer working.Add(-1)
		if a.Name == "a0" {
			working.Add(-1)
			err := orgwalk.Idle(ctx, func() error { <-othersDone; return nil })
			enter()
			return err
		}
		if done.Add(1) == n-1 {
			close(othersDone)
		}
		return nil
	})
	for _, r := range res {
		if r.Err != nil {
			t.Fatalf("%s: %v", r.Account.Name, r.Err)
		}
	}
	if most.Load() != 1 {
		t.Fatalf("%d accounts worked at once outside Idle; the limit is 1", most.Load())
	}
	// Outside ForEach, Idle just runs the wait.
	ran := false
	if err := orgwalk.Idle(context.Background(), func() error { ran = true; return nil }); err != nil || !ran {
		t.Fatalf("Idle outside ForEach: ran %v, err %v", ran, err)
	}
}
