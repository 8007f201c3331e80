package orgwalk_test

import (
	"context"
	"errors"
	"sort"
	"sync"
	"testing"

	"github.com/aws/aws-sdk-go-v2/service/organizations"

	"github.com/orgbaseline/orgbaseline/baseline"
	"github.com/orgbaseline/orgbaseline/internal/orgsim"
	"github.com/orgbaseline/orgbaseline/orgwalk"
)

// Walk hands on every account once, as its page is read, with what the
// selectors need (OU path, ancestors, management, state; tags when asked)
// already set; and Found starts before the walk has listed the last page.
func TestWalkHandsOnEveryAccountAsItIsListed(t *testing.T) {
	for _, tags := range []bool{false, true} {
		sim, cfg := start(t, orgsim.OrgSpec{Members: 70, ExtraOUs: 2, Clean: true})
		api := organizations.NewFromConfig(cfg)
		org, err := orgwalk.Describe(context.Background(), api)
		if err != nil {
			t.Fatal(err)
		}
		if org.ManagementAccountID != sim.ManagementAccountID() || len(org.Accounts) != 0 {
			t.Fatalf("Describe: management %s, %d accounts", org.ManagementAccountID, len(org.Accounts))
		}
		found := map[string]orgwalk.Account{}
		pagesAtFirst := int64(-1)
		err = org.Walk(context.Background(), api, orgwalk.DiscoverOptions{Tags: tags, Found: func(a *orgwalk.Account) {
			if pagesAtFirst < 0 {
				pagesAtFirst = sim.Counters().Calls("organizations", "ListAccountsForParent")
			}
			if _, dup := found[a.ID]; dup {
				t.Errorf("%s found twice", a.ID)
			}
			found[a.ID] = *a
		}})
		if err != nil {
			t.Fatal(err)
		}
		if len(found) != len(org.Accounts) || len(found) != 71 {
			t.Fatalf("tags %v: %d accounts found, %d walked, want 71", tags, len(found), len(org.Accounts))
		}
		for _, a := range org.Accounts {
			f, ok := found[a.ID]
			if !ok || f.OUPath != a.OUPath || len(f.Ancestors) != len(a.Ancestors) || f.Management != a.Management || f.State != a.State {
				t.Errorf("tags %v: %s found as %+v, walked as %+v", tags, a.ID, f, *a)
			}
			if tags && f.Tags == nil || !tags && f.Tags != nil {
				t.Errorf("tags %v: %s found with tags %v", tags, a.ID, f.Tags)
			}
		}
		all := sim.Counters().Calls("organizations", "ListAccountsForParent")
		if !tags && pagesAtFirst >= all {
			t.Errorf("the first account was handed on after all %d account pages were read", all)
		}
	}
}

// Targeted, asked per account as the walk finds them, agrees with Select
// over the whole organization for every kind of selector.
func TestTargetedAgreesWithSelect(t *testing.T) {
	sim, cfg := start(t, orgsim.OrgSpec{Members: 40, ExtraOUs: 2, Suspended: 3, Clean: true})
	org, err := orgwalk.Discover(context.Background(), organizations.NewFromConfig(cfg), orgwalk.DiscoverOptions{Tags: true})
	if err != nil {
		t.Fatal(err)
	}
	var prodID string
	for id, ou := range org.OUs {
		if ou.Path == "/Workloads/Prod" {
			prodID = id
		}
	}
	someone := org.Accounts[len(org.Accounts)/2]
	if err := sim.TagAccount(someone.ID, "env", "prod"); err != nil {
		t.Fatal(err)
	}
	if org, err = orgwalk.Discover(context.Background(), organizations.NewFromConfig(cfg), orgwalk.DiscoverOptions{Tags: true}); err != nil {
		t.Fatal(err)
	}
	parse := func(ss ...string) []baseline.Selector {
		var out []baseline.Selector
		for _, s := range ss {
			sel, err := baseline.ParseSelector(s)
			if err != nil {
				t.Fatal(err)
			}
			out = append(out, sel)
		}
		return out
	}
	cases := []baseline.Targets{
		{},
		{IncludeManagementAccount: true},
		{Include: parse("ou:/Workloads"), Exclude: parse("ou:" + prodID)},
		{Include: parse("ou:/Security", "account:"+someone.ID)},
		{Include: parse("account:Audit", "tag:env=prod")},
		{Include: parse("root"), Exclude: parse("tag:env", "account:Log Archive"), IncludeManagementAccount: true},
	}
	for i, tc := range cases {
		sel, err := org.Select(tc)
		if err != nil {
			t.Fatalf("case %d: %v", i, err)
		}
		var want, got []string
		for _, a := range sel.Targets {
			want = append(want, a.ID)
		}
		for _, a := range org.Accounts {
			if orgwalk.Targeted(tc, a) {
				got = append(got, a.ID)
			}
		}
		sort.Strings(want)
		sort.Strings(got)
		if len(want) == 0 || len(got) != len(want) {
			t.Fatalf("case %d: Targeted picks %d accounts, Select %d", i, len(got), len(want))
		}
		for j := range want {
			if got[j] != want[j] {
				t.Fatalf("case %d: Targeted picks %v, Select %v", i, got, want)
			}
		}
	}
}

// ForEachFrom works on accounts as they arrive and, once Stop answers,
// still gives every account that arrives afterwards its result.
func TestForEachFromAccountsForEveryArrival(t *testing.T) {
	in := make(chan *orgwalk.Account)
	as := accounts(12)
	go func() {
		defer close(in)
		for _, a := range as {
			in <- a
		}
	}()
	stop := errors.New("too many failed")
	var mu sync.Mutex
	failed := 0
	res := orgwalk.ForEachFrom(context.Background(), in, orgwalk.Options{Limit: 1, Stop: func() error {
		mu.Lock()
		defer mu.Unlock()
		if failed >= 4 {
			return stop
		}
		return nil
	}}, func(ctx context.Context, a *orgwalk.Account) error {
		mu.Lock()
		defer mu.Unlock()
		failed++
		return errors.New("boom")
	})
	if len(res) != len(as) {
		t.Fatalf("%d results for %d accounts", len(res), len(as))
	}
	for i, r := range res {
		var ns *orgwalk.NotStartedError
		switch {
		case r.Account != as[i]:
			t.Errorf("result %d is of %s, want %s (arrival order)", i, r.Account.ID, as[i].ID)
		case i < 4 && (r.Err == nil || errors.As(r.Err, &ns)):
			t.Errorf("account %d: %v, want its own error", i, r.Err)
		case i >= 4 && (!errors.As(r.Err, &ns) || !errors.Is(r.Err, stop)):
			t.Errorf("account %d: %v, want not started: %v", i, r.Err, stop)
		}
	}
}
