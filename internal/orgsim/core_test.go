package orgsim_test

import (
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/aws/ratelimit"
	"github.com/aws/aws-sdk-go-v2/aws/retry"
	awshttp "github.com/aws/aws-sdk-go-v2/aws/transport/http"
	"github.com/aws/aws-sdk-go-v2/config"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/accessanalyzer"
	"github.com/aws/aws-sdk-go-v2/service/cloudtrail"
	"github.com/aws/aws-sdk-go-v2/service/configservice"
	"github.com/aws/aws-sdk-go-v2/service/iam"
	"github.com/aws/aws-sdk-go-v2/service/organizations"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/aws-sdk-go-v2/service/sts"

	"github.com/orgbaseline/orgbaseline/internal/orgsim"
)

// oneRead makes one cheap read call of a service with cfg.
type oneRead struct {
	service string
	call    func(aws.Config) error
}

var reads = []oneRead{
	{"organizations", func(c aws.Config) error {
		_, err := organizations.NewFromConfig(c).DescribeOrganization(bg, &organizations.DescribeOrganizationInput{})
		return err
	}},
	{"sts", func(c aws.Config) error {
		_, err := sts.NewFromConfig(c).GetCallerIdentity(bg, &sts.GetCallerIdentityInput{})
		return err
	}},
	{"iam", func(c aws.Config) error {
		_, err := iam.NewFromConfig(c).ListUsers(bg, &iam.ListUsersInput{})
		return err
	}},
	{"cloudtrail", func(c aws.Config) error {
		_, err := cloudtrail.NewFromConfig(c).DescribeTrails(bg, &cloudtrail.DescribeTrailsInput{})
		return err
	}},
	{"config", func(c aws.Config) error {
		_, err := configservice.NewFromConfig(c).DescribeConfigurationRecorders(bg, &configservice.DescribeConfigurationRecordersInput{})
		return err
	}},
	{"access-analyzer", func(c aws.Config) error {
		_, err := accessanalyzer.NewFromConfig(c).ListAnalyzers(bg, &accessanalyzer.ListAnalyzersInput{})
		return err
	}},
	{"s3", func(c aws.Config) error {
		_, err := s3.NewFromConfig(c, func(o *s3.Options) { o.UsePathStyle = true }).ListBuckets(bg, &s3.ListBucketsInput{})
		return err
	}},
}

// configWith builds a config for the emulator with a custom retryer.
func configWith(t testing.TB, e *env, c orgsim.Credentials, retryer func() aws.Retryer) aws.Config {
	t.Helper()
	cfg, err := config.LoadDefaultConfig(context.Background(),
		config.WithRegion("us-east-1"),
		config.WithCredentialsProvider(credentials.NewStaticCredentialsProvider(c.AccessKeyID, c.SecretAccessKey, c.SessionToken)),
		config.WithBaseEndpoint(e.srv.URL),
		config.WithRetryer(retryer),
	)
	if err != nil {
		t.Fatal(err)
	}
	return cfg
}

func noRetry() aws.Retryer { return aws.NopRetryer{} }

func status(err error) int {
	var re *awshttp.ResponseError
	if errors.As(err, &re) {
		return re.HTTPStatusCode()
	}
	return 0
}

func TestEveryServiceAnswersSignedReads(t *testing.T) {
	e := newEnv(t, orgsim.Options{Seed: 1})
	for _, r := range reads {
		if err := r.call(e.cfg); err != nil {
			t.Errorf("%s: %v", r.service, err)
		}
	}
}

func TestSignatureFailuresPerProtocol(t *testing.T) {
	e := newEnv(t, orgsim.Options{Seed: 1})
	good := e.sim.ManagementCredentials()
	wrongSecret := good
	wrongSecret.SecretAccessKey = strings.Repeat("x", 40)
	unknownKey := good
	unknownKey.AccessKeyID = "AKIAUNKNOWNUNKNOWN12"

	// AWS answers differently per protocol: awsQuery 403
	// InvalidClientTokenId/SignatureDoesNotMatch, awsJson 400
	// UnrecognizedClientException/InvalidSignatureException, restJson the
	// same codes with 403, S3 403 InvalidAccessKeyId/SignatureDoesNotMatch.
	want := map[string][4]any{
		"organizations":   {"InvalidSignatureException", 400, "UnrecognizedClientException", 400},
		"sts":             {"SignatureDoesNotMatch", 403, "InvalidClientTokenId", 403},
		"iam":             {"SignatureDoesNotMatch", 403, "InvalidClientTokenId", 403},
		"cloudtrail":      {"InvalidSignatureException", 400, "UnrecognizedClientException", 400},
		"config":          {"InvalidSignatureException", 400, "UnrecognizedClientException", 400},
		"access-analyzer": {"InvalidSignatureException", 403, "UnrecognizedClientException", 403},
		"s3":              {"SignatureDoesNotMatch", 403, "InvalidAccessKeyId", 403},
	}
	for _, r := range reads {
		t.Run(r.service, func(t *testing.T) {
			w := want[r.service]
			err := r.call(configWith(t, e, wrongSecret, noRetry))
			if errCode(t, err) != w[0] || status(err) != w[1] {
				t.Errorf("wrong secret: %s %d, want %s %d", errCode(t, err), status(err), w[0], w[1])
			}
			err = r.call(configWith(t, e, unknownKey, noRetry))
			if errCode(t, err) != w[2] || status(err) != w[3] {
				t.Errorf("unknown key: %s %d, want %s %d", errCode(t, err), status(err), w[2], w[3])
			}
		})
	}
}

func TestThrottleCodesPerService(t *testing.T) {
	want := map[string][2]any{
		"organizations":   {"TooManyRequestsException", 400},
		"sts":             {"Throttling", 400},
		"iam":             {"Throttling", 400},
		"cloudtrail":      {"ThrottlingException", 400},
		"config":          {"ThrottlingException", 400},
		"access-analyzer": {"ThrottlingException", 429},
		"s3":              {"SlowDown", 503},
	}
	// A clock that does not move (no refill), set to now: requests are
	// signed by the wall clock and must be within MaxClockSkew of it.
	clock := time.Now().UTC()
	for _, r := range reads {
		t.Run(r.service, func(t *testing.T) {
			e := newEnv(t, orgsim.Options{Seed: 1, Now: func() time.Time { return clock },
				Faults: orgsim.Faults{Rules: []orgsim.FaultRule{{Service: r.service, RPS: 1, Burst: 1}}}})
			cfg := configWith(t, e, e.sim.ManagementCredentials(), noRetry)
			if err := r.call(cfg); err != nil {
				t.Fatalf("first call: %v", err)
			}
			err := r.call(cfg)
			w := want[r.service]
			if errCode(t, err) != w[0] || status(err) != w[1] {
				t.Fatalf("throttled: %s %d, want %s %d", errCode(t, err), status(err), w[0], w[1])
			}
			if got := e.sim.Counters().Throttled(); got != 1 {
				t.Fatalf("throttled counter %d, want 1", got)
			}
		})
	}
}

func TestStandardRetryerRidesOutThrottling(t *testing.T) {
	// The sim's clock is advanced by the SDK's backoff instead of sleeping,
	// so a retried, throttled call waits in simulated time only.
	// Started at now: requests are signed by the wall clock and must be
	// within MaxClockSkew of the sim's.
	clock := newTestClock(time.Now().UTC())
	e := newEnv(t, orgsim.Options{Seed: 1, Now: clock.Now,
		Faults: orgsim.Faults{Rules: []orgsim.FaultRule{{Service: "iam", RPS: 2, Burst: 2}}}})
	var backoffs int
	cfg := configWith(t, e, e.sim.ManagementCredentials(), func() aws.Retryer {
		return retry.NewStandard(func(o *retry.StandardOptions) {
			o.RateLimiter = ratelimit.None
			o.Backoff = retry.BackoffDelayerFunc(func(attempt int, err error) (time.Duration, error) {
				backoffs++
				clock.Advance(time.Second) // the wait happens in simulated time
				return 0, nil
			})
		})
	})
	for i := 0; i < 10; i++ {
		if _, err := iam.NewFromConfig(cfg).ListUsers(bg, &iam.ListUsersInput{}); err != nil {
			t.Fatalf("call %d: %v", i, err)
		}
	}
	sn := e.sim.Counters()
	if sn.Throttled() == 0 || backoffs != int(sn.Throttled()) {
		t.Fatalf("throttled %d times, backed off %d times; want some throttling, each ridden out by one backoff", sn.Throttled(), backoffs)
	}
	if sn.Calls("iam", "ListUsers") != 10+sn.Throttled() {
		t.Fatalf("counted %d ListUsers calls, want 10 plus %d retries", sn.Calls("iam", "ListUsers"), sn.Throttled())
	}
}

func TestTransientErrorsAreRetried(t *testing.T) {
	e := newEnv(t, orgsim.Options{Seed: 3, Faults: orgsim.Faults{Rules: []orgsim.FaultRule{{ErrorRate: 0.2}}}})
	cfg := configWith(t, e, e.sim.ManagementCredentials(), func() aws.Retryer {
		return retry.NewStandard(func(o *retry.StandardOptions) {
			o.MaxAttempts = 10
			o.RateLimiter = ratelimit.None
			o.Backoff = retry.BackoffDelayerFunc(func(int, error) (time.Duration, error) { return 0, nil })
		})
	})
	for i := 0; i < 50; i++ {
		if _, err := iam.NewFromConfig(cfg).ListUsers(bg, &iam.ListUsersInput{}); err != nil {
			t.Fatalf("call %d: %v", i, err)
		}
	}
	sn := e.sim.Counters()
	if sn.Faulted() == 0 {
		t.Fatal("no transient error was injected at a 20% rate over 50 calls")
	}
	if sn.Total() != 50+sn.Faulted() {
		t.Fatalf("%d calls for 50 successes and %d faults", sn.Total(), sn.Faulted())
	}
	// Without retries the same fault surfaces as the service's 5xx.
	e.sim.SetFaults(orgsim.Faults{Rules: []orgsim.FaultRule{{Service: "iam", ErrorRate: 0.999999}}})
	_, err := iam.NewFromConfig(configWith(t, e, e.sim.ManagementCredentials(), noRetry)).ListUsers(bg, &iam.ListUsersInput{})
	if errCode(t, err) != "ServiceFailure" || status(err) != 500 {
		t.Fatalf("injected fault: %s %d, want ServiceFailure 500", errCode(t, err), status(err))
	}
}

// A rule with a Region takes down one region of a regional service while
// the other regions, and the global services, keep answering.
func TestFaultRuleLimitedToOneRegion(t *testing.T) {
	e := newEnv(t, orgsim.Options{Seed: 1, Faults: orgsim.Faults{Rules: []orgsim.FaultRule{
		{Service: "access-analyzer", Region: "eu-west-1", ErrorRate: 1},
		{Region: "eu-west-1", Service: "iam", ErrorRate: 1}, // iam is global: never matches
	}}})
	mgmt := e.sim.ManagementCredentials()
	east := configWith(t, e, mgmt, noRetry)
	west := e.config(mgmt, "eu-west-1")
	west.Retryer = noRetry
	if err := reads[5].call(east); err != nil { // access-analyzer in us-east-1
		t.Fatalf("us-east-1: %v", err)
	}
	err := reads[5].call(west)
	if errCode(t, err) != "InternalServerException" || status(err) != 500 {
		t.Fatalf("eu-west-1: %s %d, want InternalServerException 500", errCode(t, err), status(err))
	}
	if err := reads[2].call(west); err != nil { // iam signed for eu-west-1
		t.Fatalf("iam from eu-west-1: %v", err)
	}
	if got := e.sim.Counters().Faulted(); got != 1 {
		t.Fatalf("faulted %d calls, want 1", got)
	}
}

func TestLatencyIsInjectedWithJitter(t *testing.T) {
	var mu sync.Mutex
	var waits []time.Duration
	e := newEnv(t, orgsim.Options{Seed: 1,
		Sleep: func(d time.Duration, _ <-chan struct{}) { mu.Lock(); waits = append(waits, d); mu.Unlock() },
		Faults: orgsim.Faults{Rules: []orgsim.FaultRule{
			{Latency: 20 * time.Millisecond, Jitter: 10 * time.Millisecond},
			{Service: "sts", Latency: 5 * time.Millisecond, Jitter: 1},
		}}})
	for i := 0; i < 20; i++ {
		if err := reads[2].call(e.cfg); err != nil { // iam
			t.Fatal(err)
		}
	}
	if err := reads[1].call(e.cfg); err != nil { // sts
		t.Fatal(err)
	}
	mu.Lock()
	defer mu.Unlock()
	distinct := map[time.Duration]bool{}
	for _, d := range waits[:20] {
		if d < 20*time.Millisecond || d >= 30*time.Millisecond {
			t.Fatalf("iam latency %v outside [20ms, 30ms)", d)
		}
		distinct[d] = true
	}
	if len(distinct) < 2 {
		t.Fatalf("no jitter: every latency was %v", waits[0])
	}
	if d := waits[20]; d != 5*time.Millisecond {
		t.Fatalf("sts latency %v, want the per-service 5ms", d)
	}
}

func TestAdminEndpoint(t *testing.T) {
	e := newEnv(t, orgsim.Options{Seed: 1})
	if err := reads[2].call(e.cfg); err != nil {
		t.Fatal(err)
	}
	do := func(req *http.Request) (*http.Response, error) {
		req.Header.Set("Authorization", "Bearer "+e.sim.AdminToken())
		return http.DefaultClient.Do(req)
	}
	get := func(path string) map[string]any {
		t.Helper()
		req, _ := http.NewRequest(http.MethodGet, e.srv.URL+path, nil)
		resp, err := do(req)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		var m map[string]any
		if err := json.NewDecoder(resp.Body).Decode(&m); err != nil {
			t.Fatal(err)
		}
		return m
	}
	if h := get("/_orgsim/health"); h["status"] != "ok" || h["managementAccountId"] != e.sim.ManagementAccountID() {
		t.Fatalf("health: %v", h)
	}
	c := get("/_orgsim/counters")
	if c["reads"].(float64) != 1 || c["writes"].(float64) != 0 {
		t.Fatalf("counters: %v", c)
	}
	req, _ := http.NewRequest(http.MethodDelete, e.srv.URL+"/_orgsim/counters", nil)
	if resp, err := do(req); err != nil || resp.StatusCode != http.StatusNoContent {
		t.Fatalf("reset counters: %v %v", resp, err)
	}
	if c := get("/_orgsim/counters"); c["reads"].(float64) != 0 {
		t.Fatalf("counters after reset: %v", c)
	}
	req, _ = http.NewRequest(http.MethodPut, e.srv.URL+"/_orgsim/faults", strings.NewReader(`{"rules":[{"service":"iam","errorRate":0.5}]}`))
	if resp, err := do(req); err != nil || resp.StatusCode != 200 {
		t.Fatalf("put faults: %v %v", resp, err)
	}
	if f := e.sim.Faults(); len(f.Rules) != 1 || f.Rules[0].ErrorRate != 0.5 {
		t.Fatalf("faults after PUT: %+v", f)
	}
}

func TestUnsignedRequestIsRejected(t *testing.T) {
	e := newEnv(t, orgsim.Options{Seed: 1})
	resp, err := http.Post(e.srv.URL+"/", "application/x-www-form-urlencoded", strings.NewReader("Action=ListUsers&Version=2010-05-08"))
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != 403 {
		t.Fatalf("unsigned request: status %d, want 403", resp.StatusCode)
	}
}

func TestAccessKeyLastUseIsRecorded(t *testing.T) {
	e := newEnv(t, orgsim.Options{Seed: 1})
	ic := iam.NewFromConfig(e.cfg)
	if _, err := ic.CreateUser(bg, &iam.CreateUserInput{UserName: aws.String("reader")}); err != nil {
		t.Fatal(err)
	}
	if _, err := ic.AttachUserPolicy(bg, &iam.AttachUserPolicyInput{UserName: aws.String("reader"), PolicyArn: aws.String(orgsim.AWSManagedPolicyARN("ReadOnlyAccess"))}); err != nil {
		t.Fatal(err)
	}
	key, err := ic.CreateAccessKey(bg, &iam.CreateAccessKeyInput{UserName: aws.String("reader")})
	if err != nil {
		t.Fatal(err)
	}
	id := aws.ToString(key.AccessKey.AccessKeyId)
	before, err := ic.GetAccessKeyLastUsed(bg, &iam.GetAccessKeyLastUsedInput{AccessKeyId: aws.String(id)})
	if err != nil {
		t.Fatal(err)
	}
	if before.AccessKeyLastUsed.LastUsedDate != nil {
		t.Fatalf("a new key has a last use: %+v", before.AccessKeyLastUsed)
	}
	user := e.config(orgsim.Credentials{AccessKeyID: id, SecretAccessKey: aws.ToString(key.AccessKey.SecretAccessKey)}, "eu-west-1")
	if _, err := cloudtrail.NewFromConfig(user).DescribeTrails(bg, &cloudtrail.DescribeTrailsInput{}); err != nil {
		t.Fatal(err)
	}
	after, err := ic.GetAccessKeyLastUsed(bg, &iam.GetAccessKeyLastUsedInput{AccessKeyId: aws.String(id)})
	if err != nil {
		t.Fatal(err)
	}
	lu := after.AccessKeyLastUsed
	if lu.LastUsedDate == nil || aws.ToString(lu.ServiceName) != "cloudtrail" || aws.ToString(lu.Region) != "eu-west-1" {
		t.Fatalf("last use after a CloudTrail call in eu-west-1: %+v", lu)
	}
}
