package sdk_test

import (
	"context"
	"errors"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/iam"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	s3types "github.com/aws/aws-sdk-go-v2/service/s3/types"
	"github.com/aws/aws-sdk-go-v2/service/sts"
	"github.com/google/go-cmp/cmp"

	"github.com/orgbaseline/orgbaseline/internal/orgsim"
	"github.com/orgbaseline/orgbaseline/plugins"
	"github.com/orgbaseline/orgbaseline/plugins/sdk"
)

// org is orgsim behind an HTTP server.
type org struct {
	sim *orgsim.Sim
	url string
}

func newOrg(t *testing.T) *org {
	t.Helper()
	sim := orgsim.New(orgsim.Options{Seed: 1, Org: orgsim.OrgSpec{Members: 2, Clean: true}})
	srv := httptest.NewServer(sim)
	t.Cleanup(srv.Close)
	return &org{sim: sim, url: srv.URL}
}

// runRequest assumes the execution role in the account named name, as the
// host does, and returns the run request a plugin would get for it, with
// endpoint as the endpoint in force.
func (o *org) runRequest(t *testing.T, name, endpoint string) *plugins.RunRequest {
	t.Helper()
	acct, ok := o.sim.AccountID(name)
	if !ok {
		t.Fatalf("no account %q", name)
	}
	m := o.sim.ManagementCredentials()
	mgmt, err := sdk.AWSConfig(t.Context(), &plugins.RunRequest{
		Endpoint:    o.url,
		Credentials: plugins.Credentials{AccessKeyID: m.AccessKeyID, SecretAccessKey: m.SecretAccessKey},
	}, "us-east-1")
	if err != nil {
		t.Fatal(err)
	}
	out, err := sts.NewFromConfig(mgmt).AssumeRole(t.Context(), &sts.AssumeRoleInput{
		RoleArn:         aws.String("arn:aws:iam::" + acct + ":role/" + orgsim.DefaultExecutionRole),
		RoleSessionName: aws.String("sdk-test"),
	})
	if err != nil {
		t.Fatalf("assume the execution role in %s: %v", acct, err)
	}
	return &plugins.RunRequest{
		Account:    plugins.Account{ID: acct, Name: name, OUPath: "/Security"},
		HomeRegion: "us-east-1",
		Regions:    []string{"us-east-1", "eu-west-1"},
		Config:     []byte("{}"),
		Endpoint:   endpoint,
		Credentials: plugins.Credentials{
			AccessKeyID:     aws.ToString(out.Credentials.AccessKeyId),
			SecretAccessKey: aws.ToString(out.Credentials.SecretAccessKey),
			SessionToken:    aws.ToString(out.Credentials.SessionToken),
			Expires:         aws.ToTime(out.Credentials.Expiration),
		},
	}
}

func TestAWSConfigActsInTheRunsAccount(t *testing.T) {
	o := newOrg(t)
	req := o.runRequest(t, "Audit", o.url)
	cfg, err := sdk.AWSConfig(t.Context(), req, "")
	if err != nil {
		t.Fatal(err)
	}
	if cfg.Region != "us-east-1" {
		t.Errorf("region %q, want the home region", cfg.Region)
	}
	id, err := sts.NewFromConfig(cfg).GetCallerIdentity(t.Context(), &sts.GetCallerIdentityInput{})
	if err != nil {
		t.Fatal(err)
	}
	if aws.ToString(id.Account) != req.Account.ID {
		t.Fatalf("acting in %s, want %s", aws.ToString(id.Account), req.Account.ID)
	}

	client := iam.NewFromConfig(cfg)
	if _, err := client.CreateUser(t.Context(), &iam.CreateUserInput{UserName: aws.String("alice")}); err != nil {
		t.Fatal(err)
	}
	users, err := client.ListUsers(t.Context(), &iam.ListUsersInput{})
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, u := range users.Users {
		names = append(names, aws.ToString(u.UserName))
	}
	if diff := cmp.Diff([]string{"alice"}, names); diff != "" {
		t.Errorf("ListUsers (-want +got):\n%s", diff)
	}

	// A regional config for another governed region.
	regional, err := sdk.AWSConfig(t.Context(), req, "eu-west-1")
	if err != nil || regional.Region != "eu-west-1" {
		t.Fatalf("regional config: region %q, %v", regional.Region, err)
	}
}

func TestS3ClientUsesPathStyleAtAnEndpoint(t *testing.T) {
	o := newOrg(t)
	// "localhost", not 127.0.0.1: the SDK falls back to path style by
	// itself for an IP address, and would dial bucket.localhost here.
	endpoint := strings.Replace(o.url, "127.0.0.1", "localhost", 1)
	req := o.runRequest(t, "Log Archive", endpoint)
	cfg, err := sdk.AWSConfig(t.Context(), req, "us-east-1")
	if err != nil {
		t.Fatal(err)
	}
	client := sdk.S3Client(cfg, req)
	if !client.Options().UsePathStyle {
		t.Fatal("S3 client at an endpoint does not use path style")
	}
	if _, err := client.CreateBucket(t.Context(), &s3.CreateBucketInput{Bucket: aws.String("sdk-test-logs")}); err != nil {
		t.Fatal(err)
	}
	if _, err := client.HeadBucket(t.Context(), &s3.HeadBucketInput{Bucket: aws.String("sdk-test-logs")}); err != nil {
		t.Fatal(err)
	}
	out, err := client.ListBuckets(t.Context(), &s3.ListBucketsInput{})
	if err != nil {
		t.Fatal(err)
	}
	if !slices.ContainsFunc(out.Buckets, func(b s3types.Bucket) bool { return aws.ToString(b.Name) == "sdk-test-logs" }) {
		t.Errorf("ListBuckets does not list the new bucket: %v", out.Buckets)
	}

	if sdk.S3Client(cfg, &plugins.RunRequest{}).Options().UsePathStyle {
		t.Error("S3 client for AWS itself uses path style")
	}
}

// recorder is an HTTP client that records where requests go and sends
// none of them.
type recorder struct{ hosts []string }

func (r *recorder) Do(req *http.Request) (*http.Response, error) {
	r.hosts = append(r.hosts, req.URL.Host)
	return nil, errors.New("recorder: not sent")
}

// TestAWSConfigIgnoresTheEnvironment: whatever the plugin's environment
// and files say, the config uses the request's credentials, region and
// endpoint. (AWS_PROFILE is left out: the SDK fails to load when it names
// a profile no file has, and the host launches plugins without its own
// environment anyway.)
func TestAWSConfigIgnoresTheEnvironment(t *testing.T) {
	dir := t.TempDir()
	sharedConfig := filepath.Join(dir, "config")
	if err := os.WriteFile(sharedConfig, []byte("[default]\nregion = ap-south-1\nendpoint_url = http://10.0.0.1:1\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	sharedCreds := filepath.Join(dir, "credentials")
	if err := os.WriteFile(sharedCreds, []byte("[default]\naws_access_key_id = AKIAFROMFILE\naws_secret_access_key = file\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	for k, v := range map[string]string{
		"AWS_ACCESS_KEY_ID":           "AKIAFROMENV",
		"AWS_SECRET_ACCESS_KEY":       "env",
		"AWS_REGION":                  "eu-central-1",
		"AWS_ENDPOINT_URL":            "http://10.0.0.2:1",
		"AWS_ENDPOINT_URL_IAM":        "http://10.0.0.3:1",
		"AWS_CONFIG_FILE":             sharedConfig,
		"AWS_SHARED_CREDENTIALS_FILE": sharedCreds,
	} {
		t.Setenv(k, v)
	}
	req := &plugins.RunRequest{
		HomeRegion:  "us-west-2",
		Credentials: plugins.Credentials{AccessKeyID: "ASIAFROMREQUEST", SecretAccessKey: "req", SessionToken: "tok"},
	}

	for _, tt := range []struct {
		endpoint string
		wantHost string
	}{
		{endpoint: "", wantHost: "iam.amazonaws.com"},
		{endpoint: "http://127.0.0.1:4566", wantHost: "127.0.0.1:4566"},
	} {
		req.Endpoint = tt.endpoint
		cfg, err := sdk.AWSConfig(t.Context(), req, "")
		if err != nil {
			t.Fatal(err)
		}
		if cfg.Region != "us-west-2" {
			t.Errorf("region %q, want the request's", cfg.Region)
		}
		creds, err := cfg.Credentials.Retrieve(t.Context())
		if err != nil {
			t.Fatal(err)
		}
		if creds.AccessKeyID != "ASIAFROMREQUEST" || creds.SessionToken != "tok" {
			t.Errorf("credentials %s, want the request's", creds.AccessKeyID)
		}
		rec := &recorder{}
		cfg.HTTPClient = rec
		cfg.Retryer = func() aws.Retryer { return aws.NopRetryer{} }
		_, _ = iam.NewFromConfig(cfg).ListUsers(t.Context(), &iam.ListUsersInput{})
		if len(rec.hosts) != 1 || rec.hosts[0] != tt.wantHost {
			t.Errorf("endpoint %q: IAM called at %v, want %s", tt.endpoint, rec.hosts, tt.wantHost)
		}
	}
}

func TestAWSConfigNeedsRegionAndCredentials(t *testing.T) {
	creds := plugins.Credentials{AccessKeyID: "ASIA", SecretAccessKey: "s"}
	tests := []struct {
		name string
		req  *plugins.RunRequest
		want string
	}{
		{"no request", nil, "needs a run request"},
		{"no region", &plugins.RunRequest{Credentials: creds}, "no region"},
		{"no credentials", &plugins.RunRequest{HomeRegion: "us-east-1"}, "no credentials"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := sdk.AWSConfig(context.Background(), tt.req, "")
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Errorf("error = %v, want one containing %q", err, tt.want)
			}
		})
	}
}

type checkConfig struct {
	MaxKeyAgeDays int      `json:"maxKeyAgeDays"`
	Exempt        []string `json:"exempt"`
	Report        struct {
		Evidence bool `json:"evidence"`
	} `json:"report"`
}

func TestConfigIsStrict(t *testing.T) {
	tests := []struct {
		name    string
		config  string
		want    checkConfig
		wantErr string
	}{
		{name: "empty", config: "", want: checkConfig{MaxKeyAgeDays: 90}},
		{name: "empty object", config: "{}", want: checkConfig{MaxKeyAgeDays: 90}},
		{name: "null", config: "null", want: checkConfig{MaxKeyAgeDays: 90}},
		{name: "set", config: ` {"maxKeyAgeDays": 30, "exempt": ["ci"], "report": {"evidence": true}} `,
			want: checkConfig{MaxKeyAgeDays: 30, Exempt: []string{"ci"}, Report: struct {
				Evidence bool `json:"evidence"`
			}{Evidence: true}}},
		{name: "unknown key", config: `{"maxKeyAgeDay": 30}`, wantErr: `config: unknown key "maxKeyAgeDay"`},
		{name: "unknown nested key", config: `{"report": {"evidense": true}}`, wantErr: `config: unknown key "evidense"`},
		{name: "wrong type", config: `{"maxKeyAgeDays": "30"}`, wantErr: `config: key "maxKeyAgeDays": got a JSON string, want int`},
		{name: "wrong top-level type", config: `[1]`, wantErr: `config: got a JSON array, want sdk_test.checkConfig`},
		{name: "not JSON", config: `{maxKeyAgeDays: 30}`, wantErr: "config is not valid JSON (at byte 2)"},
		{name: "two values", config: `{} {}`, wantErr: "config: more than one JSON value"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := checkConfig{MaxKeyAgeDays: 90}
			err := sdk.Config(&plugins.RunRequest{Config: []byte(tt.config)}, &got)
			if tt.wantErr != "" {
				if err == nil || !strings.HasPrefix(err.Error(), tt.wantErr) {
					t.Fatalf("error = %v, want %s", err, tt.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff(tt.want, got); diff != "" {
				t.Errorf("config (-want +got):\n%s", diff)
			}
		})
	}
}

func TestFindingHelpers(t *testing.T) {
	const arn = "arn:aws:iam::123456789012:user/alice"
	for _, tt := range []struct {
		got  plugins.Finding
		want plugins.Status
	}{
		{sdk.Pass("iam-users.mfa", arn, "ok"), plugins.StatusPass},
		{sdk.Fail("iam-users.mfa", arn, "ok"), plugins.StatusFail},
		{sdk.Error("iam-users.mfa", arn, "ok"), plugins.StatusError},
		{sdk.Skip("iam-users.mfa", arn, "ok"), plugins.StatusSkip},
	} {
		want := plugins.Finding{Check: "iam-users.mfa", Status: tt.want, Resource: arn, Message: "ok"}
		if diff := cmp.Diff(want, tt.got); diff != "" {
			t.Errorf("%s (-want +got):\n%s", tt.want, diff)
		}
	}
}
