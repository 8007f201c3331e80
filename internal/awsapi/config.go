package awsapi

import (
	"context"
	"errors"
	"fmt"
	mrand "math/rand/v2"
	"net/http"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/aws/retry"
	awshttp "github.com/aws/aws-sdk-go-v2/aws/transport/http"
	"github.com/aws/aws-sdk-go-v2/config"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/smithy-go"
)

// Options select how the management account's config is built.
type Options struct {
	// Profile is a shared-config profile (--profile); "" uses the chain's default.
	Profile string
	// Region is the region for regional calls; "" uses the chain's default,
	// then Fallback.
	Region   string
	Fallback string
	// Endpoint, when set, sends every service to one URL (orgsim); it
	// overrides AWS_ENDPOINT_URL and shared-config endpoints.
	Endpoint string
	// Static credentials, when set, replace the credential chain (demo,
	// tests against orgsim).
	Static *aws.Credentials
	// MaxAttempts per call for the standard retryer; 0 means 5.
	MaxAttempts int
	// NoBackoff makes retries immediate (tests).
	NoBackoff bool
	// HTTPClient, when set, is used for every call.
	HTTPClient *http.Client
	// Pacer paces the Organizations calls of every client made from the
	// config; nil means a new one on the wall clock.
	Pacer *Pacer
}

// MaxIdleConns is how many idle connections a run keeps per endpoint
// (the SDK keeps 10): a run has up to concurrency x 4 calls in flight,
// most of them to the same few endpoints (iam, sts, config in each
// region), and a connection not kept is a new TCP and TLS handshake for
// the next call.
const MaxIdleConns = 512

// UserAgent identifies orgbaseline in every request's User-Agent.
const UserAgent = "orgbaseline"

// Load builds the aws.Config for the management account.
func Load(ctx context.Context, o Options) (aws.Config, error) {
	opts := []func(*config.LoadOptions) error{
		config.WithAppID(UserAgent),
		config.WithRetryer(func() aws.Retryer { return NewRetryer(o.MaxAttempts, o.NoBackoff) }),
	}
	if o.Profile != "" {
		opts = append(opts, config.WithSharedConfigProfile(o.Profile))
	}
	if o.Region != "" {
		opts = append(opts, config.WithRegion(o.Region))
	}
	if o.Endpoint != "" {
		opts = append(opts, config.WithBaseEndpoint(o.Endpoint))
	}
	if o.Static != nil {
		c := *o.Static
		opts = append(opts, config.WithCredentialsProvider(credentials.NewStaticCredentialsProvider(c.AccessKeyID, c.SecretAccessKey, c.SessionToken)))
	}
	if o.HTTPClient != nil {
		opts = append(opts, config.WithHTTPClient(o.HTTPClient))
	} else {
		opts = append(opts, config.WithHTTPClient(awshttp.NewBuildableClient().WithTransportOptions(func(t *http.Transport) {
			t.MaxIdleConns = MaxIdleConns
			t.MaxIdleConnsPerHost = MaxIdleConns
		})))
	}
	cfg, err := config.LoadDefaultConfig(ctx, opts...)
	if err != nil {
		return aws.Config{}, fmt.Errorf("load AWS configuration: %w", err)
	}
	if cfg.Region == "" {
		cfg.Region = o.Fallback
	}
	pacer := o.Pacer
	if pacer == nil {
		pacer = NewPacer(OrganizationsService)
	}
	cfg.APIOptions = append(cfg.APIOptions, pacer.Add)
	if cfg.Region == "" {
		return aws.Config{}, fmt.Errorf("no AWS region: set --region, AWS_REGION or organization.homeRegion in the baseline")
	}
	return cfg, nil
}

// NewRetryer is the retryer for every client: the SDK's standard retryer
// (throttling and 5xx retried with jittered backoff), with more attempts
// than its default 3, since one account's throttled call should not fail
// that account's run, and ConcurrentModificationException retried too; a
// refused connection to an endpoint other than AWS's is not retried.
func NewRetryer(maxAttempts int, noBackoff bool) aws.Retryer {
	if maxAttempts <= 0 {
		maxAttempts = 5
	}
	return retry.NewStandard(func(o *retry.StandardOptions) {
		// noRetryRefused first: the first answer other than unknown decides.
		o.Retryables = append(append([]retry.IsErrorRetryable{noRetryRefused}, o.Retryables...), retryConcurrentModification)
		o.MaxAttempts = maxAttempts
		o.MaxBackoff = 10 * time.Second
		o.Backoff = quickFirstRetry(o.MaxBackoff)
		if noBackoff {
			o.Backoff = retry.BackoffDelayerFunc(func(int, error) (time.Duration, error) { return 0, nil })
		}
	})
}

// retryConcurrentModification retries ConcurrentModificationException,
// which the SDK does not (AWS-NOTES section 3): Organizations answers it
// to a write that reaches a policy or target another write is still
// changing, and "Try again later" is the whole remedy (Organizations API
// reference, common errors; Customizations for Control Tower met it on
// EnablePolicyType and UpdatePolicy, aws-solutions/
// aws-control-tower-customizations issue 175; Terraform retries it,
// hashicorp/terraform-provider-aws PR 9195). CloudTrail answers the same
// code for the same case and asks for the same retry.
var retryConcurrentModification = retry.RetryableErrorCode{Codes: map[string]struct{}{"ConcurrentModificationException": {}}}

// quickFirstRetry is exponential backoff with full jitter whose first
// retry waits up to 0.8 s (the SDK's waits up to 2 s for a throttled call)
// and which grows by four: up to 0.8, 3.2, then maxDelay. One throttled
// page of an Organizations listing, walked one page after another, no
// longer adds a second or two to the run; a service that keeps
// throttling still gets the SDK's patience (up to ~24 s over five
// attempts), which a 10,000-account walk needs: with a 200 ms base
// doubling, one page was throttled five times in a row and failed the
// run.
func quickFirstRetry(maxDelay time.Duration) retry.BackoffDelayer {
	return retry.BackoffDelayerFunc(func(attempt int, err error) (time.Duration, error) {
		if clockSkewRetry(err) {
			return 0, nil
		}
		ceiling := maxDelay
		if attempt < 12 {
			ceiling = min(maxDelay, 200*time.Millisecond<<(2*attempt))
		}
		return time.Duration(mrand.Int64N(int64(ceiling) + 1)), nil
	})
}

// S3 returns an S3 client for cfg, path style whenever an endpoint is set
// (emulators answer on one host; virtual-hosted names would not resolve).
func S3(cfg aws.Config) *s3.Client {
	return s3.NewFromConfig(cfg, func(o *s3.Options) {
		if cfg.BaseEndpoint != nil {
			o.UsePathStyle = true
		}
	})
}

// clockSkewRetry reports whether err is retried because AWS refused the
// request's date: the SDK retries these codes only when the response's
// Date shows its clock is off, and signs the retry by AWS's clock
// (aws/retry, clock skew correction). Waiting before that retry helps
// nothing; a run whose clock is off would otherwise wait before the first
// call of every client it makes.
func clockSkewRetry(err error) bool {
	var ae smithy.APIError
	if !errors.As(err, &ae) {
		return false
	}
	switch ae.ErrorCode() {
	case "SignatureDoesNotMatch", "InvalidSignatureException", "RequestTimeTooSkewed", "AuthFailure", "AccessDeniedException":
		return true
	}
	return false
}
