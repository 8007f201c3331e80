package orgwalk_test

import (
	"context"
	"net/http/httptest"
	"sync/atomic"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/sts"

	"github.com/orgbaseline/orgbaseline/internal/awsapi"
	"github.com/orgbaseline/orgbaseline/internal/orgsim"
	"github.com/orgbaseline/orgbaseline/orgwalk"
)

// Credentials that expire mid-run are refreshed: when AWS answers that the
// session token has expired (here: orgsim's clock moved past the session's
// end while the SDK's cache, on the local clock, still holds them), the
// cache is dropped, the role assumed again, and the call succeeds.
func TestSessionsRefreshExpiredCredentials(t *testing.T) {
	var skew atomic.Int64 // how far orgsim's clock is ahead
	sim := orgsim.New(orgsim.Options{Seed: 5, Org: orgsim.OrgSpec{Members: 2, Clean: true},
		Now: func() time.Time { return time.Now().Add(time.Duration(skew.Load())) }})
	srv := httptest.NewServer(sim)
	t.Cleanup(srv.Close)
	c := sim.ManagementCredentials()
	cfg, err := awsapi.Load(context.Background(), awsapi.Options{
		Region: "us-east-1", Endpoint: srv.URL, NoBackoff: true, MaxAttempts: 3,
		Static: &aws.Credentials{AccessKeyID: c.AccessKeyID, SecretAccessKey: c.SecretAccessKey},
	})
	if err != nil {
		t.Fatal(err)
	}
	var member string
	for _, a := range sim.Accounts() {
		if a.ID != sim.ManagementAccountID() {
			member = a.ID
			break
		}
	}
	s := orgwalk.NewSessions(cfg, orgwalk.SessionOptions{
		Role: "OrganizationAccountAccessRole", SessionName: "orgbaseline-test",
		ManagementAccountID: sim.ManagementAccountID(), Duration: 15 * time.Minute,
	})
	ctx := context.Background()
	acfg, err := s.Config(ctx, member, "us-east-1")
	if err != nil {
		t.Fatal(err)
	}
	call := func() error {
		_, err := sts.NewFromConfig(acfg).GetCallerIdentity(ctx, &sts.GetCallerIdentityInput{})
		return err
	}
	if err := call(); err != nil {
		t.Fatal(err)
	}
	assumed := sim.Counters().Calls("sts", "AssumeRole")

	// The session ends (by AWS's clock) while the run goes on.
	skew.Store(int64(20 * time.Minute))
	if err := call(); err != nil {
		t.Fatalf("the call after the session expired was not refreshed: %v", err)
	}
	sn := sim.Counters()
	if n := sn.Calls("sts", "AssumeRole") - assumed; n != 1 {
		t.Errorf("the role was assumed %d more times, want 1", n)
	}
	if got := sn.Filter(func(c orgsim.CallStat) bool { return c.Operation == "GetCallerIdentity" }).Total(); got != 3 {
		t.Errorf("%d GetCallerIdentity calls, want 3 (one expired, retried once)", got)
	}
	// The config handed out earlier and new ones share the fresh
	// credentials: no further assume.
	if _, err := s.Config(ctx, member, "us-east-1"); err != nil {
		t.Fatal(err)
	}
	if err := call(); err != nil {
		t.Fatal(err)
	}
	if n := sim.Counters().Calls("sts", "AssumeRole") - assumed; n != 1 {
		t.Errorf("the role was assumed %d more times, want 1", n)
	}
}
