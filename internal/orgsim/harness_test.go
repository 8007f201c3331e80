package orgsim_test

import (
	"context"
	"errors"
	"net/http/httptest"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/aws/ratelimit"
	"github.com/aws/aws-sdk-go-v2/aws/retry"
	"github.com/aws/aws-sdk-go-v2/config"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/accessanalyzer"
	"github.com/aws/aws-sdk-go-v2/service/cloudtrail"
	"github.com/aws/aws-sdk-go-v2/service/configservice"
	"github.com/aws/aws-sdk-go-v2/service/iam"
	"github.com/aws/aws-sdk-go-v2/service/organizations"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/aws-sdk-go-v2/service/sts"
	"github.com/aws/smithy-go"

	"github.com/orgbaseline/orgbaseline/internal/orgsim"
)

// env is a running emulator and SDK clients for its management account.
type env struct {
	t   testing.TB
	sim *orgsim.Sim
	srv *httptest.Server
	cfg aws.Config // management account, us-east-1
}

// newEnv starts orgsim behind an httptest server.
func newEnv(t testing.TB, opts orgsim.Options) *env {
	t.Helper()
	sim := orgsim.New(opts)
	srv := httptest.NewServer(sim)
	t.Cleanup(srv.Close)
	e := &env{t: t, sim: sim, srv: srv}
	e.cfg = e.config(sim.ManagementCredentials(), "us-east-1")
	return e
}

// testClock is a settable clock for orgsim.Options.Now: tests move it to
// expire credentials or refill token buckets without sleeping.
type testClock struct {
	mu sync.Mutex
	t  time.Time
}

// newTestClock returns a clock that reads t until it is advanced.
func newTestClock(t time.Time) *testClock { return &testClock{t: t} }

// Now returns the clock's current time.
func (c *testClock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.t
}

// Advance moves the clock forward by d.
func (c *testClock) Advance(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.t = c.t.Add(d)
}

// config returns an aws.Config for the given credentials and region that
// talks to the emulator, retrying without backoff.
func (e *env) config(c orgsim.Credentials, region string) aws.Config {
	e.t.Helper()
	cfg, err := config.LoadDefaultConfig(context.Background(),
		config.WithRegion(region),
		config.WithCredentialsProvider(credentials.NewStaticCredentialsProvider(c.AccessKeyID, c.SecretAccessKey, c.SessionToken)),
		config.WithBaseEndpoint(e.srv.URL),
		config.WithRetryer(func() aws.Retryer {
			return retry.NewStandard(func(o *retry.StandardOptions) {
				o.Backoff = retry.BackoffDelayerFunc(func(int, error) (time.Duration, error) { return 0, nil })
				o.RateLimiter = ratelimit.None
			})
		}),
		config.WithEC2IMDSClientEnableState(0),
	)
	if err != nil {
		e.t.Fatalf("load config: %v", err)
	}
	return cfg
}

// assume assumes role in account from the management account and returns
// a config for the session.
func (e *env) assume(account, role string) aws.Config {
	e.t.Helper()
	out, err := sts.NewFromConfig(e.cfg).AssumeRole(context.Background(), &sts.AssumeRoleInput{
		RoleArn:         aws.String("arn:aws:iam::" + account + ":role/" + role),
		RoleSessionName: aws.String("orgsim-test"),
	})
	if err != nil {
		e.t.Fatalf("assume %s in %s: %v", role, account, err)
	}
	return e.config(orgsim.Credentials{
		AccessKeyID:     aws.ToString(out.Credentials.AccessKeyId),
		SecretAccessKey: aws.ToString(out.Credentials.SecretAccessKey),
		SessionToken:    aws.ToString(out.Credentials.SessionToken),
	}, e.cfg.Region)
}

func (e *env) orgs(cfg aws.Config) *organizations.Client { return organizations.NewFromConfig(cfg) }
func (e *env) sts(cfg aws.Config) *sts.Client            { return sts.NewFromConfig(cfg) }
func (e *env) iam(cfg aws.Config) *iam.Client            { return iam.NewFromConfig(cfg) }
func (e *env) trail(cfg aws.Config) *cloudtrail.Client   { return cloudtrail.NewFromConfig(cfg) }
func (e *env) cfgsvc(cfg aws.Config) *configservice.Client {
	return configservice.NewFromConfig(cfg)
}
func (e *env) analyzer(cfg aws.Config) *accessanalyzer.Client {
	return accessanalyzer.NewFromConfig(cfg)
}
func (e *env) s3(cfg aws.Config) *s3.Client {
	return s3.NewFromConfig(cfg, func(o *s3.Options) { o.UsePathStyle = true })
}

// errCode returns the AWS error code of err, or "" when err is nil.
func errCode(t testing.TB, err error) string {
	t.Helper()
	if err == nil {
		return ""
	}
	var ae smithy.APIError
	if !errors.As(err, &ae) {
		t.Fatalf("not an AWS API error: %v", err)
	}
	return ae.ErrorCode()
}

// wantCode fails the test unless err carries the AWS error code want.
func wantCode(t testing.TB, err error, want string) {
	t.Helper()
	if got := errCode(t, err); got != want {
		t.Fatalf("error code = %q, want %q (err: %v)", got, want, err)
	}
}

var bg = context.Background()
