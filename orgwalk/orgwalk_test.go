package orgwalk_test

import (
	"context"
	"errors"
	"net/http/httptest"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/organizations"
	"github.com/aws/aws-sdk-go-v2/service/sts"

	"github.com/orgbaseline/orgbaseline/baseline"
	"github.com/orgbaseline/orgbaseline/internal/awsapi"
	"github.com/orgbaseline/orgbaseline/internal/orgsim"
	"github.com/orgbaseline/orgbaseline/orgwalk"
)

func start(t *testing.T, spec orgsim.OrgSpec) (*orgsim.Sim, aws.Config) {
	t.Helper()
	sim := orgsim.New(orgsim.Options{Seed: 5, Org: spec})
	srv := httptest.NewServer(sim)
	t.Cleanup(srv.Close)
	c := sim.ManagementCredentials()
	cfg, err := awsapi.Load(context.Background(), awsapi.Options{
		Region: "us-east-1", Endpoint: srv.URL, NoBackoff: true,
		Static: &aws.Credentials{AccessKeyID: c.AccessKeyID, SecretAccessKey: c.SecretAccessKey},
	})
	if err != nil {
		t.Fatal(err)
	}
	return sim, cfg
}

func TestDiscoverReadsTheTreeOnce(t *testing.T) {
	sim, cfg := start(t, orgsim.OrgSpec{Members: 30, ExtraOUs: 3, Clean: true})
	org, err := orgwalk.Discover(context.Background(), organizations.NewFromConfig(cfg), orgwalk.DiscoverOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if len(org.Accounts) != 31 || org.ManagementAccountID != sim.ManagementAccountID() || org.ID != sim.OrganizationID() {
		t.Fatalf("read %d accounts, management %s, org %s", len(org.Accounts), org.ManagementAccountID, org.ID)
	}
	for _, want := range sim.Accounts() {
		got := org.Account(want.ID)
		if got == nil || got.Name != want.Name || got.OUPath != want.OUPath || got.State != want.State {
			t.Errorf("account %s read as %+v, want %+v", want.ID, got, want)
		}
		if got != nil && got.Tags != nil {
			t.Errorf("tags of %s were read though no selector needs them", want.ID)
		}
	}
	// One DescribeOrganization, one ListRoots, and for the root and each OU
	// one ListOrganizationalUnitsForParent and one ListAccountsForParent
	// page (20 per page at most): no call per account.
	sn := sim.Counters()
	parents := int64(len(org.OUs) + 1)
	if sn.Calls("organizations", "DescribeOrganization") != 1 || sn.Calls("organizations", "ListRoots") != 1 ||
		sn.Calls("organizations", "ListOrganizationalUnitsForParent") != parents ||
		sn.Calls("organizations", "ListAccountsForParent") < parents || sn.Calls("organizations", "ListAccountsForParent") > parents+2 ||
		sn.Calls("organizations", "ListTagsForResource") != 0 || sn.Writes() != 0 {
		t.Fatalf("discovery calls: %+v", sn)
	}

	sim.ResetCounters()
	org, err = orgwalk.Discover(context.Background(), organizations.NewFromConfig(cfg), orgwalk.DiscoverOptions{Tags: true})
	if err != nil {
		t.Fatal(err)
	}
	if n := sim.Counters().Calls("organizations", "ListTagsForResource"); n != 31 {
		t.Fatalf("ListTagsForResource called %d times, want once per account (31)", n)
	}
	for _, want := range sim.Accounts() {
		if got := org.Account(want.ID); len(got.Tags) != len(want.Tags) {
			t.Errorf("tags of %s: %v, want %v", want.ID, got.Tags, want.Tags)
		}
	}
}

func TestSelectRejectsUnknownNames(t *testing.T) {
	_, cfg := start(t, orgsim.OrgSpec{Members: 4, Clean: true})
	org, err := orgwalk.Discover(context.Background(), organizations.NewFromConfig(cfg), orgwalk.DiscoverOptions{})
	if err != nil {
		t.Fatal(err)
	}
	var sels []baseline.Selector
	for _, s := range []string{"ou:/Nope", "ou:ou-abcd-abcdefgh", "account:999999999999", "account:Nobody"} {
		sel, err := baseline.ParseSelector(s)
		if err != nil {
			t.Fatal(err)
		}
		sels = append(sels, sel)
	}
	_, err = org.Select(baseline.Targets{Include: sels[:2], Exclude: sels[2:]})
	var diags baseline.Diagnostics
	if !errors.As(err, &diags) || len(diags) != 4 {
		t.Fatalf("want 4 diagnostics, got %v", err)
	}
	// An included tag selector that matches nothing is an error (issue
	// 16: a typo must not look like a compliant, empty run); an excluded
	// one is not: it may guard against tags still to come.
	tag, _ := baseline.ParseSelector("tag:env=nowhere")
	_, err = org.Select(baseline.Targets{Include: []baseline.Selector{tag}})
	if err == nil || !strings.Contains(err.Error(), `selector "tag:env=nowhere" matches no account`) {
		t.Fatalf("included tag selector matching nothing: %v", err)
	}
	sel, err := org.Select(baseline.Targets{Exclude: []baseline.Selector{tag}})
	if err != nil || len(sel.Targets) == 0 {
		t.Fatalf("excluded tag selector: %v, %d targets", err, len(sel.Targets))
	}
}

func TestSessionsAssumeOncePerAccount(t *testing.T) {
	sim, cfg := start(t, orgsim.OrgSpec{Members: 3, Clean: true})
	var members []string
	for _, a := range sim.Accounts() {
		if a.ID != sim.ManagementAccountID() {
			members = append(members, a.ID)
		}
	}
	s := orgwalk.NewSessions(cfg, orgwalk.SessionOptions{Role: "OrganizationAccountAccessRole", SessionName: "orgbaseline-test", ManagementAccountID: sim.ManagementAccountID()})
	ctx := context.Background()
	for _, id := range members {
		for _, region := range []string{"us-east-1", "eu-west-1", "us-east-1"} {
			acfg, err := s.Config(ctx, id, region)
			if err != nil {
				t.Fatal(err)
			}
			out, err := sts.NewFromConfig(acfg).GetCallerIdentity(ctx, &sts.GetCallerIdentityInput{})
			if err != nil {
				t.Fatal(err)
			}
			if aws.ToString(out.Account) != id || !strings.HasSuffix(aws.ToString(out.Arn), ":assumed-role/OrganizationAccountAccessRole/orgbaseline-test") || acfg.Region != region {
				t.Fatalf("session for %s in %s acts as %s in %s", id, region, aws.ToString(out.Arn), acfg.Region)
			}
		}
	}
	if n := sim.Counters().Calls("sts", "AssumeRole"); n != int64(len(members)) {
		t.Fatalf("AssumeRole called %d times for %d accounts", n, len(members))
	}
	// The management account is served with the run's own credentials.
	mcfg, err := s.Config(ctx, sim.ManagementAccountID(), "us-east-1")
	if err != nil {
		t.Fatal(err)
	}
	out, err := sts.NewFromConfig(mcfg).GetCallerIdentity(ctx, &sts.GetCallerIdentityInput{})
	if err != nil || aws.ToString(out.Account) != sim.ManagementAccountID() {
		t.Fatalf("management session: %v %v", out, err)
	}
}

func TestSessionsNameTheAccountWhenTheRoleIsMissing(t *testing.T) {
	sim, cfg := start(t, orgsim.OrgSpec{Members: 4, MissingRole: 1, Clean: true})
	s := orgwalk.NewSessions(cfg, orgwalk.SessionOptions{Role: "OrganizationAccountAccessRole", SessionName: "orgbaseline-test"})
	failed := 0
	for _, a := range sim.Accounts() {
		if a.ID == sim.ManagementAccountID() {
			continue
		}
		_, err := s.Config(context.Background(), a.ID, "us-east-1")
		var ae *orgwalk.AssumeError
		if errors.As(err, &ae) {
			failed++
			if ae.Account != a.ID || !strings.Contains(err.Error(), "check that the role exists") {
				t.Fatalf("assume error does not name the account or the fix: %v", err)
			}
		} else if err != nil {
			t.Fatal(err)
		}
	}
	if failed != 1 {
		t.Fatalf("%d accounts failed to assume, want 1", failed)
	}
}

func TestForEachIsolatesErrorsAndPanics(t *testing.T) {
	var accts []*orgwalk.Account
	for _, id := range []string{"111111111111", "222222222222", "333333333333", "444444444444"} {
		accts = append(accts, &orgwalk.Account{ID: id})
	}
	res := orgwalk.ForEach(context.Background(), accts, 2, func(_ context.Context, a *orgwalk.Account) error {
		switch a.ID {
		case "222222222222":
			return errors.New("boom")
		case "333333333333":
			panic("bad")
		}
		return nil
	})
	var got []string
	for _, r := range res {
		if r.Err != nil {
			got = append(got, r.Account.ID+": "+strings.SplitN(r.Err.Error(), "\n", 2)[0])
		}
	}
	sort.Strings(got)
	want := []string{"222222222222: boom", "333333333333: account 333333333333: internal error: bad"}
	if strings.Join(got, "|") != strings.Join(want, "|") || res[0].Err != nil || res[3].Err != nil {
		t.Fatalf("results %v", got)
	}

	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	res = orgwalk.ForEach(ctx, accts, 1, func(context.Context, *orgwalk.Account) error { return nil })
	for _, r := range res {
		if !errors.Is(r.Err, context.Canceled) {
			t.Fatalf("account %s started after cancellation: %v", r.Account.ID, r.Err)
		}
	}
}

var _ = time.Second
