package checktest

import (
	"context"
	"encoding/json"
	"net/http/httptest"
	"slices"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"

	"github.com/orgbaseline/orgbaseline/internal/awsapi"
	"github.com/orgbaseline/orgbaseline/internal/orgsim"
	"github.com/orgbaseline/orgbaseline/orgwalk"
	"github.com/orgbaseline/orgbaseline/plugins"
)

// Now is the sim's clock and every request's Now, so ages are exact.
var Now = time.Date(2026, 11, 1, 12, 0, 0, 0, time.UTC)

// Region is the home region, and only region, of every request.
const Region = "us-east-1"

// Env is an orgsim organization and the means to build run requests the
// way the host does.
type Env struct {
	Sim        *orgsim.Sim
	URL        string               // the sim's endpoint, every request's Endpoint
	Management aws.Config           // the management account's credentials, for the sim's region
	Sessions   *orgwalk.Sessions    // the execution role in each account
	Accounts   []orgsim.AccountInfo // [0] the management account, [i] member i
}

// NewEnv starts an orgsim organization shaped by spec (seed 1, clock at
// Now) behind an httptest server closed when t ends, answering like AWS
// except that a credential report is built at once: a check runs here
// in-process as its plugin would, waiting on the wall clock, while the
// sim's clock stands at Now, so a report delay would only make it sleep.
// iamread's own tests wait for a delayed report (NewEnvLike).
func NewEnv(t testing.TB, spec orgsim.OrgSpec) *Env {
	t.Helper()
	like := orgsim.DefaultAWSLike()
	like.CredentialReportDelay = 0
	return NewEnvLike(t, spec, like)
}

// NewEnvLike is NewEnv with the AWS-like behaviours like.
func NewEnvLike(t testing.TB, spec orgsim.OrgSpec, like orgsim.AWSLike) *Env {
	t.Helper()
	// The sim's clock stands at Now, weeks from the wall clock the SDK
	// signs requests with: a request's date is not what these tests check.
	like.MaxClockSkew = 0
	sim := orgsim.New(orgsim.Options{Seed: 1, Org: spec, Now: func() time.Time { return Now }, AWSLike: &like})
	srv := httptest.NewServer(sim)
	t.Cleanup(srv.Close)
	c := sim.ManagementCredentials()
	cfg, err := awsapi.Load(context.Background(), awsapi.Options{
		Region: Region, Endpoint: srv.URL, NoBackoff: true,
		Static: &aws.Credentials{AccessKeyID: c.AccessKeyID, SecretAccessKey: c.SecretAccessKey},
	})
	if err != nil {
		t.Fatal(err)
	}
	return &Env{
		Sim: sim, URL: srv.URL, Management: cfg, Accounts: sim.Accounts(),
		Sessions: orgwalk.NewSessions(cfg, orgwalk.SessionOptions{
			Role: orgsim.DefaultExecutionRole, SessionName: "orgbaseline-check-test", ManagementAccountID: sim.ManagementAccountID(),
		}),
	}
}

// Request is account i's run request (0 the management account, i member
// i), with credentials from the execution role narrowed by a session
// policy allowing exactly actions, as the host obtains them, and config
// as the check's config.
func (e *Env) Request(t testing.TB, i int, actions []string, config string) *plugins.RunRequest {
	t.Helper()
	ctx := context.Background()
	policy, err := json.Marshal(map[string]any{
		"Version":   "2012-10-17",
		"Statement": []map[string]any{{"Effect": "Allow", "Action": actions, "Resource": "*"}},
	})
	if err != nil {
		t.Fatal(err)
	}
	a := e.Accounts[i]
	cfg, err := e.Sessions.ConfigWithPolicy(ctx, a.ID, Region, string(policy))
	if err != nil {
		t.Fatal(err)
	}
	creds, err := cfg.Credentials.Retrieve(ctx)
	if err != nil {
		t.Fatal(err)
	}
	return &plugins.RunRequest{
		Account:    plugins.Account{ID: a.ID, Name: a.Name, OUPath: a.OUPath, Tags: a.Tags},
		HomeRegion: Region,
		Regions:    []string{Region},
		Config:     []byte(config),
		Endpoint:   e.URL,
		Credentials: plugins.Credentials{
			AccessKeyID: creds.AccessKeyID, SecretAccessKey: creds.SecretAccessKey, SessionToken: creds.SessionToken, Expires: creds.Expires,
		},
		Now: Now,
	}
}

// Describe is c's Describe response; an error fails t.
func Describe(t testing.TB, c plugins.Check) *plugins.DescribeResponse {
	t.Helper()
	d, err := c.Describe(context.Background(), &plugins.DescribeRequest{})
	if err != nil {
		t.Fatal(err)
	}
	return d
}

// Run runs c in-process on req and checks what every finding must have:
// one finding per rule and resource, a rule listed in wantCompliance with
// exactly its compliance references, a title, message and severity and no
// region, a remediation when it FAILs, and evidence when it PASSes or
// FAILs. An error from Run fails t.
func Run(t testing.TB, c plugins.Check, req *plugins.RunRequest, wantCompliance map[string][]string) []plugins.Finding {
	t.Helper()
	resp, err := c.Run(context.Background(), req)
	if err != nil {
		t.Fatal(err)
	}
	seen := map[string]bool{}
	for _, f := range resp.Findings {
		key := f.Check + " " + f.Resource
		if seen[key] {
			t.Errorf("two findings for %s", key)
		}
		seen[key] = true
		want, ok := wantCompliance[f.Check]
		if !ok {
			t.Errorf("finding of unknown rule %q", f.Check)
		}
		if !slices.Equal(f.Compliance, want) {
			t.Errorf("%s: compliance %v, want %v", key, f.Compliance, want)
		}
		if f.Title == "" || f.Message == "" || f.Severity == "" || f.Region != "" {
			t.Errorf("%s: incomplete finding %+v", key, f)
		}
		if f.Status == plugins.StatusFail && f.Remediation == "" {
			t.Errorf("%s: FAIL without remediation", key)
		}
		if (f.Status == plugins.StatusPass || f.Status == plugins.StatusFail) && len(f.Evidence) == 0 {
			t.Errorf("%s: no evidence", key)
		}
	}
	return resp.Findings
}
