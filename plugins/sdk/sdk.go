package sdk

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"strings"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/config"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/feature/ec2/imds"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/hashicorp/go-hclog"

	"github.com/orgbaseline/orgbaseline/plugins"
)

// AWSConfig returns an aws.Config acting with the run's credentials in
// region ("" means req.HomeRegion), with the SDK's standard retryer. When
// req.Endpoint is set every service is reached there; when it is "" every
// service is AWS itself.
//
// Nothing else is consulted: not the credential chain, not the shared
// config and credentials files, not the instance metadata service, not
// endpoint URLs from the environment. A plugin can act only as the host
// allowed it to, and only where the host points it. (The SDK still reads
// a few switches from the process environment, such as AWS_PROFILE, which
// fails the load when it names a profile, or AWS_USE_FIPS_ENDPOINT; the
// host starts plugins without its own environment.)
func AWSConfig(ctx context.Context, req *plugins.RunRequest, region string) (aws.Config, error) {
	if req == nil {
		return aws.Config{}, errors.New("sdk: AWSConfig needs a run request")
	}
	if region == "" {
		region = req.HomeRegion
	}
	if region == "" {
		return aws.Config{}, fmt.Errorf("sdk: no region for account %s: neither the argument nor the request's HomeRegion is set", req.Account.ID)
	}
	c := req.Credentials
	if c.AccessKeyID == "" || c.SecretAccessKey == "" {
		return aws.Config{}, fmt.Errorf("sdk: the run request for account %s carries no credentials", req.Account.ID)
	}
	opts := []func(*config.LoadOptions) error{
		config.WithRegion(region),
		config.WithCredentialsProvider(credentials.NewStaticCredentialsProvider(c.AccessKeyID, c.SecretAccessKey, c.SessionToken)),
		config.WithEC2IMDSClientEnableState(imds.ClientDisabled),
		config.WithSharedConfigFiles([]string{}),
		config.WithSharedCredentialsFiles([]string{}),
	}
	if req.Endpoint != "" {
		// WithBaseEndpoint, not cfg.BaseEndpoint after loading: only the
		// load option outranks per-service endpoint settings.
		opts = append(opts, config.WithBaseEndpoint(req.Endpoint))
	}
	cfg, err := config.LoadDefaultConfig(ctx, opts...)
	if err != nil {
		return aws.Config{}, fmt.Errorf("sdk: AWS config for account %s in %s: %w", req.Account.ID, region, err)
	}
	if req.Endpoint == "" {
		// AWS itself: endpoint URLs from the environment
		// (AWS_ENDPOINT_URL, AWS_ENDPOINT_URL_IAM, ...) must not redirect
		// the calls, and the credentials with them.
		cfg.BaseEndpoint = nil
		cfg.ConfigSources = append([]any{ignoreConfiguredEndpoints{}}, cfg.ConfigSources...)
	}
	return cfg, nil
}

// ignoreConfiguredEndpoints is a config source saying "ignore configured
// endpoint URLs", as AWS_IGNORE_CONFIGURED_ENDPOINT_URLS=true would;
// service clients ask the sources in order, so it must come first.
type ignoreConfiguredEndpoints struct{}

func (ignoreConfiguredEndpoints) GetIgnoreConfiguredEndpoints(context.Context) (bool, bool, error) {
	return true, true, nil
}

// S3Client returns an S3 client for cfg that uses path-style addressing
// when req.Endpoint is set: an emulator or a private endpoint does not
// serve bucket.host names.
func S3Client(cfg aws.Config, req *plugins.RunRequest) *s3.Client {
	pathStyle := req != nil && req.Endpoint != ""
	return s3.NewFromConfig(cfg, func(o *s3.Options) { o.UsePathStyle = pathStyle })
}

// Config decodes the check's config (req.Config, JSON) into v, strictly:
// a key v has no field for is an error naming the key, so a typo in
// baseline.yaml does not silently mean the default. An empty config or
// "null" leaves v as it is.
func Config(req *plugins.RunRequest, v any) error {
	if req == nil {
		return errors.New("config: no run request")
	}
	data := bytes.TrimSpace(req.Config)
	if len(data) == 0 {
		return nil
	}
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.DisallowUnknownFields()
	if err := dec.Decode(v); err != nil {
		return configError(err)
	}
	if _, err := dec.Token(); err != io.EOF {
		return errors.New("config: more than one JSON value")
	}
	return nil
}

// configError rewords encoding/json's errors for someone editing
// baseline.yaml rather than Go.
func configError(err error) error {
	var typeErr *json.UnmarshalTypeError
	var syntaxErr *json.SyntaxError
	switch {
	case errors.As(err, &typeErr):
		if typeErr.Field == "" {
			return fmt.Errorf("config: got a JSON %s, want %s", typeErr.Value, typeName(typeErr))
		}
		return fmt.Errorf("config: key %q: got a JSON %s, want %s", typeErr.Field, typeErr.Value, typeName(typeErr))
	case errors.As(err, &syntaxErr):
		return fmt.Errorf("config is not valid JSON (at byte %d): %w", syntaxErr.Offset, err)
	}
	// encoding/json has no type for this one.
	if key, ok := strings.CutPrefix(err.Error(), "json: unknown field "); ok {
		return fmt.Errorf("config: unknown key %s", key)
	}
	return fmt.Errorf("config: %w", err)
}

func typeName(e *json.UnmarshalTypeError) string {
	if e.Type == nil {
		return "another type"
	}
	return e.Type.String()
}

// Logger returns a logger for a plugin: JSON lines on the plugin's stderr,
// which the host forwards into its own log with their level and fields.
// The host's log level decides what is shown. Never log credentials.
func Logger(name string) hclog.Logger {
	// Output is left to hclog.DefaultOutput, the process's stderr as it
	// was at start-up: plugins.Serve later swaps os.Stderr for a pipe the
	// host does not read.
	return hclog.New(&hclog.LoggerOptions{
		Name:       name,
		Level:      hclog.Debug,
		JSONFormat: true,
	})
}

// Pass, Fail, Error and Skip build a finding of check about resource (an
// ARN; "" when the finding is about the account as a whole). Set the other
// fields on the result as needed; Severity left empty means the check's
// default severity.
func Pass(check, resource, message string) plugins.Finding {
	return finding(check, plugins.StatusPass, resource, message)
}

// Fail builds a FAIL finding; see Pass.
func Fail(check, resource, message string) plugins.Finding {
	return finding(check, plugins.StatusFail, resource, message)
}

// Error builds an ERROR finding, for a resource the check could not
// decide about; see Pass.
func Error(check, resource, message string) plugins.Finding {
	return finding(check, plugins.StatusError, resource, message)
}

// Skip builds a SKIP finding, for a resource the check does not apply to;
// see Pass.
func Skip(check, resource, message string) plugins.Finding {
	return finding(check, plugins.StatusSkip, resource, message)
}

func finding(check string, status plugins.Status, resource, message string) plugins.Finding {
	return plugins.Finding{Check: check, Status: status, Resource: resource, Message: message}
}
