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

// pacedWorld is orgsim throttling Organizations as AWSThrottling does (20
// calls a second after a burst of 40, for the whole organization) and
// IAM at 5 a second, on a simulated clock, and a config whose retries do
// not back off: only the pacer can space the calls.
func pacedWorld(t *testing.T, service string) (aws.Config, *orgsim.Sim, *awsapi.Pacer, *simClock) {
	t.Helper()
	clk := &simClock{t: time.Date(2026, 11, 23, 9, 0, 0, 0, time.UTC)}
	sim := orgsim.New(orgsim.Options{Seed: 3, Org: orgsim.OrgSpec{Members: 2, Clean: true}, Now: clk.Now,
		Faults: orgsim.Faults{Rules: []orgsim.FaultRule{
			{Service: "organizations", RPS: 20, Burst: 40},
			{Service: "iam", RPS: 5, Burst: 5},
		}}})
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
	if r := p.Rate(); r < 10 || r > 25 {
		t.Errorf("learned rate %.1f calls/s; orgsim allows 20", r)
	}
	// On the simulated clock: no faster than the bucket allows, and not
	// much slower.
	took := clk.Now().Sub(start)
	t.Logf("%d calls: %d throttled attempts, learned %.1f calls/s, %s of simulated time", calls, throttled, p.Rate(), took)
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
	if p.Throttled() != 0 || p.Rate() != 0 {
		t.Errorf("a pacer for another service learned from Organizations: %d throttled, rate %.1f", p.Throttled(), p.Rate())
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
	if p.Throttled() != 0 || p.Rate() != 0 || !clk.Now().Equal(start) {
		t.Errorf("IAM calls were paced: %d throttled, rate %.1f, %s waited", p.Throttled(), p.Rate(), clk.Now().Sub(start))
	}
}
