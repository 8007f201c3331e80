package awsapi_test

import (
	"context"
	"errors"
	"net/http/httptest"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/iam"
	"github.com/aws/aws-sdk-go-v2/service/organizations"
	"github.com/aws/smithy-go"

	"github.com/orgbaseline/orgbaseline/internal/awsapi"
	"github.com/orgbaseline/orgbaseline/internal/orgsim"
)

// simClock is a simulated clock shared by orgsim (its token buckets refill
// as it moves) and the pacer (whose waits move it), so pacing is tested
// without waiting.
type simClock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *simClock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.t
}

func (c *simClock) Sleep(_ context.Context, d time.Duration) error {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.t = c.t.Add(d)
	return nil
}

// pacedWorld is orgsim throttling Organizations (20 calls a second after
// a burst of 40, as AWSThrottling's shared Organizations bucket; rules may
// add a bucket per operation) and IAM at 5 a second, on a simulated clock,
// and a config whose retries do not back off: only the pacer can space
// the calls.
func pacedWorld(t *testing.T, service string, rules ...orgsim.FaultRule) (aws.Config, *orgsim.Sim, *awsapi.Pacer, *simClock) {
	t.Helper()
	clk := &simClock{t: time.Date(2026, 11, 23, 9, 0, 0, 0, time.UTC)}
	sim := orgsim.New(orgsim.Options{Seed: 3, Org: orgsim.OrgSpec{Members: 2, Clean: true}, Now: clk.Now,
		Faults: orgsim.Faults{Rules: append([]orgsim.FaultRule{
			{Service: "organizations", RPS: 20, Burst: 40},
			{Service: "iam", RPS: 5, Burst: 5},
		}, rules...)}})
	srv := httptest.NewServer(sim)
	t.Cleanup(srv.Close)
	p := &awsapi.Pacer{Service: service, Now: clk.Now, Sleep: clk.Sleep}
	c := sim.ManagementCredentials()
	cfg, err := awsapi.Load(context.Background(), awsapi.Options{
		Region: "us-east-1", Endpoint: srv.URL, NoBackoff: true, Pacer: p,
		Static: &aws.Credentials{AccessKeyID: c.AccessKeyID, SecretAccessKey: c.SecretAccessKey},
	})
	if err != nil {
		t.Fatal(err)
	}
	return cfg, sim, p, clk
}

// The pacer learns the organization's Organizations rate from its first
// throttling errors and then spaces the calls so that throttling stays
// rare: 300 calls, one after another, all succeed, with a handful of
// throttled attempts, at about the rate orgsim allows.
func TestPacerLearnsTheOrganizationsRate(t *testing.T) {
	cfg, sim, p, clk := pacedWorld(t, awsapi.OrganizationsService)
	api := organizations.NewFromConfig(cfg)
	start := clk.Now()
	const calls = 300
	for i := range calls {
		if _, err := api.DescribeOrganization(context.Background(), &organizations.DescribeOrganizationInput{}); err != nil {
			t.Fatalf("call %d: %v", i+1, err)
		}
	}
	sn := sim.Counters()
	throttled := sn.Filter(func(c orgsim.CallStat) bool { return c.Service == "organizations" }).Throttled()
	if throttled == 0 || throttled > 10 {
		t.Errorf("%d throttled attempts in %d calls; want a few (the pacer learns from them), at most 10", throttled, calls)
	}
	if got := p.Throttled(); got != throttled {
		t.Errorf("the pacer saw %d throttling errors, orgsim answered %d", got, throttled)
	}
	if r := p.Rate("DescribeOrganization"); r < 10 || r > 25 {
		t.Errorf("learned rate %.1f calls/s; orgsim allows 20", r)
	}
	// On the simulated clock: no faster than the bucket allows, and not
	// much slower.
	took := clk.Now().Sub(start)
	t.Logf("%d calls: %d throttled attempts, learned %.1f calls/s, %s of simulated time", calls, throttled, p.Rate("DescribeOrganization"), took)
	least := time.Duration(calls-40) * time.Second / 20
	if took < least || took > 2*least {
		t.Errorf("%d calls took %s of simulated time; the bucket allows them in %s", calls, took, least)
	}
}

// Without the pacer the same calls hammer a bucket that never refills
// (the clock does not move and retries do not back off): the calls after
// the burst fail. This is what the pacer prevents.
func TestWithoutThePacerTheBurstRunsOut(t *testing.T) {
	cfg, sim, p, _ := pacedWorld(t, "not-a-service")
	api := organizations.NewFromConfig(cfg)
	var err error
	n := 0
	for ; n < 300 && err == nil; n++ {
		_, err = api.DescribeOrganization(context.Background(), &organizations.DescribeOrganizationInput{})
	}
	var ae smithy.APIError
	if !errors.As(err, &ae) || ae.ErrorCode() != "TooManyRequestsException" {
		t.Fatalf("after %d calls: %v, want TooManyRequestsException", n, err)
	}
	if n != 41 {
		t.Errorf("call %d failed; the burst is 40", n)
	}
	if p.Throttled() != 0 || p.Rate("DescribeOrganization") != 0 {
		t.Errorf("a pacer for another service learned from Organizations: %d throttled, rate %.1f", p.Throttled(), p.Rate("DescribeOrganization"))
	}
	if got := sim.Counters().Calls("organizations", "DescribeOrganization"); got != 45 {
		t.Errorf("orgsim answered %d calls, want 40 + 5 attempts of the last", got)
	}
}

// The Organizations pacer leaves other services alone: IAM throttling
// teaches it nothing and IAM calls are never held.
func TestPacerOnlyPacesItsService(t *testing.T) {
	cfg, _, p, clk := pacedWorld(t, awsapi.OrganizationsService)
	api := iam.NewFromConfig(cfg)
	start := clk.Now()
	var err error
	for i := 0; i < 10 && err == nil; i++ {
		_, err = api.GetAccountSummary(context.Background(), &iam.GetAccountSummaryInput{})
	}
	if err == nil {
		t.Fatal("10 IAM calls in no time went through a bucket of 5")
	}
	if p.Throttled() != 0 || p.Rate("GetAccountSummary") != 0 || !clk.Now().Equal(start) {
		t.Errorf("IAM calls were paced: %d throttled, rate %.1f, %s waited", p.Throttled(), p.Rate("GetAccountSummary"), clk.Now().Sub(start))
	}
}

// AWS throttles Organizations per operation, and the pacer learns one rate
// per operation: ListRoots, throttled at 5 calls a second, is paced at
// about that, while DescribeOrganization, with a bucket of its own, is
// never held back by it; when DescribeOrganization throttles in turn, it
// learns its own rate and leaves ListRoots's alone.
func TestPacerPacesEachOperationOnItsOwn(t *testing.T) {
	cfg, sim, p, clk := pacedWorld(t, awsapi.OrganizationsService,
		orgsim.FaultRule{Service: "organizations", Operation: "ListRoots", RPS: 5, Burst: 5})
	api := organizations.NewFromConfig(cfg)
	listRoots := func(n int) {
		for i := range n {
			if _, err := api.ListRoots(context.Background(), &organizations.ListRootsInput{}); err != nil {
				t.Fatalf("ListRoots %d: %v", i+1, err)
			}
		}
	}
	describe := func(n int) {
		for i := range n {
			if _, err := api.DescribeOrganization(context.Background(), &organizations.DescribeOrganizationInput{}); err != nil {
				t.Fatalf("DescribeOrganization %d: %v", i+1, err)
			}
		}
	}

	listRoots(100)
	rootsRate := p.Rate("ListRoots")
	if rootsRate < 2.5 || rootsRate > 7 {
		t.Errorf("learned ListRoots rate %.1f calls/s; orgsim allows 5", rootsRate)
	}
	if r := p.Rate("DescribeOrganization"); r != 0 {
		t.Errorf("DescribeOrganization has a rate (%.1f) before it ever throttled", r)
	}

	// Within its own burst, DescribeOrganization is never held: the
	// simulated clock does not move.
	before := clk.Now()
	describe(30)
	if waited := clk.Now().Sub(before); waited != 0 {
		t.Errorf("30 DescribeOrganization calls waited %s behind ListRoots's pace", waited)
	}

	// Past its burst it throttles, and learns its own rate.
	describe(300)
	if r := p.Rate("DescribeOrganization"); r < 10 || r > 25 {
		t.Errorf("learned DescribeOrganization rate %.1f calls/s; orgsim allows 20", r)
	}
	if r := p.Rate("ListRoots"); r != rootsRate {
		t.Errorf("DescribeOrganization's throttling changed ListRoots's rate from %.1f to %.1f", rootsRate, r)
	}
	sn := sim.Counters()
	if got := sn.Filter(func(c orgsim.CallStat) bool { return c.Service == "organizations" }).Throttled(); got != p.Throttled() {
		t.Errorf("the pacer saw %d throttling errors, orgsim answered %d", p.Throttled(), got)
	}
}
