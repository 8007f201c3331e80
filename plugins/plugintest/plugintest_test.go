package plugintest_test

import (
	"context"
	"errors"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/iam"
	"github.com/aws/aws-sdk-go-v2/service/sts"

	"github.com/orgbaseline/orgbaseline/internal/orgsim"
	"github.com/orgbaseline/orgbaseline/plugins"
	"github.com/orgbaseline/orgbaseline/plugins/plugintest"
	"github.com/orgbaseline/orgbaseline/plugins/sdk"
)

// usersCheck is a tiny well-behaved check: one FAIL finding per IAM user
// that is not exempt.
type usersCheck struct{ plugins.UnimplementedCheck }

type usersConfig struct {
	Exempt []string `json:"exempt"`
}

func (usersCheck) Describe(context.Context, *plugins.DescribeRequest) (*plugins.DescribeResponse, error) {
	return &plugins.DescribeResponse{
		ID: "no-users", Version: "1.0.0", Title: "No IAM users",
		Description:     "People sign in through the identity provider; IAM users are reported.",
		DefaultSeverity: plugins.SeverityMedium,
		Compliance:      []string{"CIS-3.0:1.15", "SOC2:CC6.1"},
		Actions:         []string{"iam:ListUsers"},
		ConfigSchema:    `{"type":"object","properties":{"exempt":{"type":"array","items":{"type":"string"}}},"additionalProperties":false}`,
	}, nil
}

func (usersCheck) Run(ctx context.Context, req *plugins.RunRequest) (*plugins.RunResponse, error) {
	var conf usersConfig
	if err := sdk.Config(req, &conf); err != nil {
		return nil, err
	}
	cfg, err := sdk.AWSConfig(ctx, req, "")
	if err != nil {
		return nil, err
	}
	account := "arn:aws:iam::" + req.Account.ID + ":root"
	out, err := iam.NewFromConfig(cfg).ListUsers(ctx, &iam.ListUsersInput{})
	if err != nil {
		return &plugins.RunResponse{Findings: []plugins.Finding{sdk.Error("no-users.users", account, "list users: "+err.Error())}}, nil
	}
	var fs []plugins.Finding
	for _, u := range out.Users {
		name := aws.ToString(u.UserName)
		if contains(conf.Exempt, name) {
			fs = append(fs, sdk.Skip("no-users.users", aws.ToString(u.Arn), name+" is exempt"))
			continue
		}
		fs = append(fs, sdk.Fail("no-users.users", aws.ToString(u.Arn), "IAM user "+name+" exists"))
	}
	if len(fs) == 0 {
		fs = append(fs, sdk.Pass("no-users.users", account, "no IAM users"))
	}
	return &plugins.RunResponse{Findings: fs}, nil
}

func contains(list []string, s string) bool {
	for _, v := range list {
		if v == s {
			return true
		}
	}
	return false
}

// orgRequest starts orgsim with a user in the Audit account and returns
// the run request the host would send for Audit: credentials of the
// execution role narrowed by a session policy to the declared actions.
func orgRequest(t *testing.T, actions []string) *plugins.RunRequest {
	t.Helper()
	sim := orgsim.New(orgsim.Options{Seed: 1, Org: orgsim.OrgSpec{Members: 2, Clean: true}})
	srv := httptest.NewServer(sim)
	t.Cleanup(srv.Close)
	acct, _ := sim.AccountID("Audit")
	m := sim.ManagementCredentials()
	mgmt, err := sdk.AWSConfig(t.Context(), &plugins.RunRequest{
		HomeRegion: "us-east-1", Endpoint: srv.URL,
		Credentials: plugins.Credentials{AccessKeyID: m.AccessKeyID, SecretAccessKey: m.SecretAccessKey},
	}, "")
	if err != nil {
		t.Fatal(err)
	}
	admin, err := sts.NewFromConfig(mgmt).AssumeRole(t.Context(), &sts.AssumeRoleInput{
		RoleArn: aws.String("arn:aws:iam::" + acct + ":role/" + orgsim.DefaultExecutionRole), RoleSessionName: aws.String("setup"),
	})
	if err != nil {
		t.Fatal(err)
	}
	setup, err := sdk.AWSConfig(t.Context(), &plugins.RunRequest{HomeRegion: "us-east-1", Endpoint: srv.URL, Credentials: creds(admin)}, "")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := iam.NewFromConfig(setup).CreateUser(t.Context(), &iam.CreateUserInput{UserName: aws.String("ci-bot")}); err != nil {
		t.Fatal(err)
	}

	policy := `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":["` + strings.Join(actions, `","`) + `"],"Resource":"*"}]}`
	narrow, err := sts.NewFromConfig(mgmt).AssumeRole(t.Context(), &sts.AssumeRoleInput{
		RoleArn: aws.String("arn:aws:iam::" + acct + ":role/" + orgsim.DefaultExecutionRole), RoleSessionName: aws.String("check"),
		Policy: aws.String(policy),
	})
	if err != nil {
		t.Fatal(err)
	}
	return &plugins.RunRequest{
		Account:    plugins.Account{ID: acct, Name: "Audit", OUPath: "/Security"},
		HomeRegion: "us-east-1", Regions: []string{"us-east-1"},
		Config: []byte(`{}`), Endpoint: srv.URL, Credentials: creds(narrow),
		Now: time.Date(2026, 11, 20, 12, 0, 0, 0, time.UTC),
	}
}

func creds(out *sts.AssumeRoleOutput) plugins.Credentials {
	return plugins.Credentials{
		AccessKeyID:     aws.ToString(out.Credentials.AccessKeyId),
		SecretAccessKey: aws.ToString(out.Credentials.SecretAccessKey),
		SessionToken:    aws.ToString(out.Credentials.SessionToken),
		Expires:         aws.ToTime(out.Credentials.Expiration),
	}
}

func TestWellBehavedCheckConforms(t *testing.T) {
	d, _ := usersCheck{}.Describe(t.Context(), nil)
	req := orgRequest(t, d.Actions)
	plugintest.Conformance(t, usersCheck{}, plugintest.Options{Request: req})

	t.Run("without a request", func(t *testing.T) {
		plugintest.Conformance(t, usersCheck{}, plugintest.Options{})
	})
	t.Run("called directly", func(t *testing.T) {
		if problems := plugintest.Check(t.Context(), usersCheck{}, plugintest.Options{Request: req}); len(problems) != 0 {
			t.Errorf("problems:\n%s", strings.Join(problems, "\n"))
		}
	})
}

func TestServeInProcess(t *testing.T) {
	d, _ := usersCheck{}.Describe(t.Context(), nil)
	req := orgRequest(t, d.Actions)
	req.Config = []byte(`{"exempt":["nobody"]}`)
	host := plugintest.ServeInProcess(t, usersCheck{})
	resp, err := host.Run(t.Context(), req)
	if err != nil {
		t.Fatal(err)
	}
	if len(resp.Findings) != 1 || resp.Findings[0].Status != plugins.StatusFail ||
		!strings.HasSuffix(resp.Findings[0].Resource, ":user/ci-bot") {
		t.Errorf("findings = %+v, want one FAIL for ci-bot", resp.Findings)
	}
}

// fake is a check made of a DescribeResponse and a Run function, for
// breaking the contract one way at a time.
type fake struct {
	d   plugins.DescribeResponse
	run func(context.Context, *plugins.RunRequest) (*plugins.RunResponse, error)
}

func (f *fake) Describe(context.Context, *plugins.DescribeRequest) (*plugins.DescribeResponse, error) {
	d := f.d
	return &d, nil
}

func (f *fake) Run(ctx context.Context, req *plugins.RunRequest) (*plugins.RunResponse, error) {
	return f.run(ctx, req)
}

// wellBehaved is a check that conforms without calling AWS.
func wellBehaved() *fake {
	return &fake{
		d: plugins.DescribeResponse{
			ID: "offline", Version: "0.1.0", Title: "Offline", DefaultSeverity: plugins.SeverityLow,
			Compliance: []string{"CIS-3.0:1.17"}, Actions: []string{"iam:ListEntitiesForPolicy"},
		},
		run: func(_ context.Context, req *plugins.RunRequest) (*plugins.RunResponse, error) {
			if err := sdk.Config(req, &struct{}{}); err != nil {
				return nil, err
			}
			return &plugins.RunResponse{Findings: []plugins.Finding{sdk.Pass("offline.x", "", "fine")}}, nil
		},
	}
}

// findings returns a Run that answers fs to a valid config and refuses
// an invalid one.
func findings(fs ...plugins.Finding) func(context.Context, *plugins.RunRequest) (*plugins.RunResponse, error) {
	return func(_ context.Context, req *plugins.RunRequest) (*plugins.RunResponse, error) {
		if err := sdk.Config(req, &struct{}{}); err != nil {
			return nil, err
		}
		return &plugins.RunResponse{Findings: fs}, nil
	}
}

func TestBadlyBehavedChecksAreCaught(t *testing.T) {
	offlineRequest := &plugins.RunRequest{
		Account: plugins.Account{ID: "123456789012"}, HomeRegion: "us-east-1", Config: []byte(`{}`),
		Endpoint: "http://127.0.0.1:9", Credentials: plugins.Credentials{AccessKeyID: "ASIA", SecretAccessKey: "s"},
	}
	tests := []struct {
		name   string
		mutate func(*fake)
		want   string
	}{
		{"no id", func(f *fake) { f.d.ID = "" }, `Describe: id ""`},
		{"id with a space", func(f *fake) { f.d.ID = "root account" }, `Describe: id "root account"`},
		{"no version", func(f *fake) { f.d.Version = "" }, "Describe: no version"},
		{"no title", func(f *fake) { f.d.Title = " " }, "Describe: no title"},
		{"unknown default severity", func(f *fake) { f.d.DefaultSeverity = "urgent" }, `default severity "urgent"`},
		{"no default severity", func(f *fake) { f.d.DefaultSeverity = "" }, `default severity ""`},
		{"wildcard action", func(f *fake) { f.d.Actions = []string{"iam:List*"} }, `action "iam:List*"`},
		{"action without a service", func(f *fake) { f.d.Actions = []string{"ListUsers"} }, `action "ListUsers"`},
		{"compliance without a framework", func(f *fake) { f.d.Compliance = []string{"1.10"} }, `compliance reference "1.10"`},
		{"schema not JSON", func(f *fake) { f.d.ConfigSchema = `{"type":` }, "config schema is not valid JSON"},
		{"schema not an object", func(f *fake) { f.d.ConfigSchema = `"object"` }, "config schema is a JSON string"},
		{"unknown status", func(f *fake) {
			f.run = findings(plugins.Finding{Check: "offline.x", Status: "MAYBE"})
		}, `status "MAYBE"`},
		{"unknown severity", func(f *fake) {
			f.run = findings(plugins.Finding{Check: "offline.x", Status: plugins.StatusFail, Severity: "urgent"})
		}, `severity "urgent"`},
		{"no check id", func(f *fake) {
			f.run = findings(plugins.Finding{Status: plugins.StatusPass})
		}, "no check id"},
		{"bad finding compliance", func(f *fake) {
			f.run = findings(plugins.Finding{Check: "offline.x", Status: plugins.StatusPass, Compliance: []string{"CIS 1.10"}})
		}, `compliance reference "CIS 1.10"`},
		{"Run fails", func(f *fake) {
			f.run = func(context.Context, *plugins.RunRequest) (*plugins.RunResponse, error) {
				return nil, errors.New("list users: AccessDenied")
			}
		}, "Run against Options.Request: list users: AccessDenied"},
		{"Run returns nothing", func(f *fake) {
			f.run = func(context.Context, *plugins.RunRequest) (*plugins.RunResponse, error) { return nil, nil }
		}, "neither a response nor an error"},
		{"ignores the config", func(f *fake) {
			f.run = func(context.Context, *plugins.RunRequest) (*plugins.RunResponse, error) {
				return &plugins.RunResponse{Findings: []plugins.Finding{sdk.Pass("offline.x", "", "fine")}}, nil
			}
		}, `Run with the invalid config {"plugintest-unknown-key":true}: finding 0 (check "offline.x") is PASS`},
		{"answers an invalid config with nothing", func(f *fake) {
			f.run = func(_ context.Context, req *plugins.RunRequest) (*plugins.RunResponse, error) {
				if sdk.Config(req, &struct{}{}) != nil {
					return &plugins.RunResponse{}, nil
				}
				return findings(sdk.Pass("offline.x", "", "fine"))(context.Background(), req)
			}
		}, "returned no error and no findings"},
		{"panics on an invalid config", func(f *fake) {
			f.run = func(_ context.Context, req *plugins.RunRequest) (*plugins.RunResponse, error) {
				if err := sdk.Config(req, &struct{}{}); err != nil {
					panic(err)
				}
				return findings(sdk.Pass("offline.x", "", "fine"))(context.Background(), req)
			}
		}, "Run with the invalid config {\"plugintest-unknown-key\":true} panicked: config: unknown key"},
	}
	for _, tt := range tests {
		for _, via := range []string{"shim", "direct"} {
			t.Run(tt.name+"/"+via, func(t *testing.T) {
				f := wellBehaved()
				tt.mutate(f)
				var c plugins.Check = f
				if via == "shim" {
					c = plugintest.ServeInProcess(t, f)
				}
				problems := plugintest.Check(t.Context(), c, plugintest.Options{Request: offlineRequest})
				found := false
				for _, p := range problems {
					found = found || strings.Contains(p, tt.want)
				}
				if !found {
					t.Errorf("no problem mentions %q; problems:\n%s", tt.want, strings.Join(problems, "\n"))
				}
			})
		}
	}
}

func TestWellBehavedFakeHasNoProblems(t *testing.T) {
	for _, opts := range []plugintest.Options{{}, {InvalidConfig: []byte(`not json`)}} {
		if problems := plugintest.Check(t.Context(), plugintest.ServeInProcess(t, wellBehaved()), opts); len(problems) != 0 {
			t.Errorf("problems:\n%s", strings.Join(problems, "\n"))
		}
	}
}

// TestInvalidConfigNeverReachesAWS: without a request, the invalid-config
// run gets an endpoint that refuses every call, so a check that calls AWS
// before looking at its config gets AccessDenied (here an ERROR finding,
// which conforms) rather than reaching AWS.
func TestInvalidConfigNeverReachesAWS(t *testing.T) {
	var got error
	f := wellBehaved()
	f.run = func(ctx context.Context, req *plugins.RunRequest) (*plugins.RunResponse, error) {
		cfg, err := sdk.AWSConfig(ctx, req, "")
		if err != nil {
			return nil, err
		}
		if _, got = iam.NewFromConfig(cfg).ListUsers(ctx, &iam.ListUsersInput{}); got == nil {
			return nil, errors.New("ListUsers succeeded")
		}
		return &plugins.RunResponse{Findings: []plugins.Finding{sdk.Error("offline.x", "", got.Error())}}, nil
	}
	if problems := plugintest.Check(t.Context(), f, plugintest.Options{}); len(problems) != 0 {
		t.Errorf("problems:\n%s", strings.Join(problems, "\n"))
	}
	if got == nil || !strings.Contains(got.Error(), "AccessDenied") {
		t.Errorf("ListUsers error = %v, want AccessDenied from plugintest's endpoint", got)
	}
}
