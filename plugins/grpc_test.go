package plugins_test

import (
	"context"
	"errors"
	"os"
	"os/exec"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/hashicorp/go-hclog"
	"github.com/hashicorp/go-plugin"
	"google.golang.org/grpc"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"

	"github.com/orgbaseline/orgbaseline/plugins"
)

// serve connects a host-side Check to c through the real gRPC shim, in
// process (go-plugin's TestPluginGRPCConn).
func serve(t testing.TB, c plugins.Check) plugins.Check {
	t.Helper()
	// Closing the client shuts the server down (go-plugin's controller
	// calls its Stop); stopping it here as well would race with that.
	client, _ := plugin.TestPluginGRPCConn(t, false, plugins.PluginMap(c))
	t.Cleanup(func() { _ = client.Close() })
	raw, err := client.Dispense(plugins.PluginName)
	if err != nil {
		t.Fatalf("dispense: %v", err)
	}
	host, ok := raw.(plugins.Check)
	if !ok {
		t.Fatalf("dispensed %T, which is not a plugins.Check", raw)
	}
	return host
}

// fakeCheck answers with what the test sets and records what it received.
type fakeCheck struct {
	describe    func(context.Context) (*plugins.DescribeResponse, error)
	run         func(context.Context, *plugins.RunRequest) (*plugins.RunResponse, error)
	mu          sync.Mutex
	lastRequest *plugins.RunRequest
}

func (f *fakeCheck) Describe(ctx context.Context, _ *plugins.DescribeRequest) (*plugins.DescribeResponse, error) {
	if f.describe == nil {
		return &plugins.DescribeResponse{ID: "fake", Version: "0.0.1", Title: "Fake", DefaultSeverity: plugins.SeverityLow}, nil
	}
	return f.describe(ctx)
}

func (f *fakeCheck) Run(ctx context.Context, req *plugins.RunRequest) (*plugins.RunResponse, error) {
	f.mu.Lock()
	f.lastRequest = req
	f.mu.Unlock()
	return f.run(ctx, req)
}

func (f *fakeCheck) received() *plugins.RunRequest {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.lastRequest
}

func fullRequest() *plugins.RunRequest {
	return &plugins.RunRequest{
		Account: plugins.Account{
			ID: "123456789012", Name: "prod-001", OUPath: "/Workloads/Prod",
			Tags: map[string]string{"owner": "platform", "env": "prod"},
		},
		HomeRegion: "us-east-1",
		Regions:    []string{"us-east-1", "eu-west-1"},
		Config:     []byte(`{"maxKeyAgeDays":90}`),
		Endpoint:   "http://127.0.0.1:4566",
		Credentials: plugins.Credentials{
			AccessKeyID: "ASIAEXAMPLE", SecretAccessKey: "secret", SessionToken: "token",
			Expires: time.Date(2026, 11, 20, 13, 0, 0, 123456789, time.UTC),
		},
		Now: time.Date(2026, 11, 20, 12, 0, 0, 987654321, time.FixedZone("CET", 3600)),
	}
}

func TestRoundTripEveryField(t *testing.T) {
	describe := &plugins.DescribeResponse{
		ID: "iam-users", Version: "1.2.3", Title: "IAM users", Description: "MFA, key age and key count of every IAM user.",
		DefaultSeverity: plugins.SeverityHigh,
		Compliance:      []string{"CIS-3.0:1.10", "SOC2:CC6.1"},
		Actions:         []string{"iam:ListUsers", "iam:GenerateCredentialReport"},
		ConfigSchema:    `{"type":"object","properties":{"maxKeyAgeDays":{"type":"integer"}}}`,
	}
	findings := []plugins.Finding{
		{
			Check: "iam-users.mfa", Status: plugins.StatusFail, Severity: plugins.SeverityCritical,
			Region: "", Resource: "arn:aws:iam::123456789012:user/alice", Title: "No MFA",
			Message: "alice has a console password and no MFA device", Remediation: "Enable MFA for alice.",
			Compliance: []string{"CIS-3.0:1.10"}, Evidence: map[string]string{"password_enabled": "true", "mfa_active": "false"},
		},
		{Check: "iam-users.keys", Status: plugins.StatusPass, Region: "eu-west-1", Resource: "arn:aws:iam::123456789012:user/bob"},
		{Check: "iam-users.age", Status: plugins.StatusError, Severity: plugins.SeverityInfo, Message: "credential report not ready"},
		{Check: "iam-users.groups", Status: plugins.StatusSkip, Severity: plugins.SeverityMedium},
	}
	check := &fakeCheck{
		describe: func(context.Context) (*plugins.DescribeResponse, error) { return describe, nil },
		run: func(context.Context, *plugins.RunRequest) (*plugins.RunResponse, error) {
			return &plugins.RunResponse{Findings: findings}, nil
		},
	}
	host := serve(t, check)

	gotDescribe, err := host.Describe(t.Context(), &plugins.DescribeRequest{})
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(describe, gotDescribe); diff != "" {
		t.Errorf("Describe (-sent +received):\n%s", diff)
	}

	req := fullRequest()
	gotRun, err := host.Run(t.Context(), req)
	if err != nil {
		t.Fatal(err)
	}
	// time.Time compares with its Equal method: the instant survives, the
	// zone does not (the plugin sees UTC).
	if diff := cmp.Diff(req, check.received()); diff != "" {
		t.Errorf("RunRequest (-sent +received):\n%s", diff)
	}
	if diff := cmp.Diff(findings, gotRun.Findings); diff != "" {
		t.Errorf("findings (-sent +received):\n%s", diff)
	}
}

func TestRoundTripZeroValues(t *testing.T) {
	check := &fakeCheck{run: func(context.Context, *plugins.RunRequest) (*plugins.RunResponse, error) {
		return &plugins.RunResponse{}, nil
	}}
	host := serve(t, check)
	resp, err := host.Run(t.Context(), &plugins.RunRequest{})
	if err != nil {
		t.Fatal(err)
	}
	if len(resp.Findings) != 0 {
		t.Errorf("findings = %v, want none", resp.Findings)
	}
	got := check.received()
	if !got.Now.IsZero() || !got.Credentials.Expires.IsZero() {
		t.Errorf("zero times arrive as Now=%v Expires=%v, want zero", got.Now, got.Credentials.Expires)
	}
}

func TestErrorsCarryThePluginsMessage(t *testing.T) {
	check := &fakeCheck{
		describe: func(context.Context) (*plugins.DescribeResponse, error) {
			return nil, errors.New("describe: no schema")
		},
		run: func(context.Context, *plugins.RunRequest) (*plugins.RunResponse, error) {
			return nil, errors.New("list users in 123456789012: AccessDenied")
		},
	}
	host := serve(t, check)
	if _, err := host.Describe(t.Context(), &plugins.DescribeRequest{}); err == nil || err.Error() != "describe: no schema" {
		t.Errorf("Describe error = %v, want the plugin's message", err)
	}
	if _, err := host.Run(t.Context(), fullRequest()); err == nil || err.Error() != "list users in 123456789012: AccessDenied" {
		t.Errorf("Run error = %v, want the plugin's message", err)
	}
}

func TestErrorCases(t *testing.T) {
	tests := []struct {
		name string
		run  func(context.Context, *plugins.RunRequest) (*plugins.RunResponse, error)
		want string
	}{
		{
			name: "a gRPC status the check made",
			run: func(context.Context, *plugins.RunRequest) (*plugins.RunResponse, error) {
				return nil, status.Error(codes.PermissionDenied, "not allowed")
			},
			want: "plugin Run: not allowed (gRPC PermissionDenied)",
		},
		{
			name: "no response and no error",
			run: func(context.Context, *plugins.RunRequest) (*plugins.RunResponse, error) {
				return nil, nil
			},
			want: "plugin Run: Run returned neither a response nor an error (gRPC Internal)",
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			host := serve(t, &fakeCheck{run: tt.run})
			_, err := host.Run(t.Context(), fullRequest())
			if err == nil || err.Error() != tt.want {
				t.Errorf("error = %v, want %q", err, tt.want)
			}
		})
	}
}

// unimplemented embeds UnimplementedCheck and implements nothing itself.
type unimplemented struct{ plugins.UnimplementedCheck }

func TestUnimplementedCheckOverTheWire(t *testing.T) {
	host := serve(t, unimplemented{})
	_, err := host.Run(t.Context(), fullRequest())
	if err == nil || !strings.Contains(err.Error(), "Run is not implemented") {
		t.Errorf("error = %v", err)
	}
}

func TestPanicIsRecovered(t *testing.T) {
	check := &fakeCheck{run: func(_ context.Context, req *plugins.RunRequest) (*plugins.RunResponse, error) {
		var m map[string]int
		if req.Account.ID != "" {
			m["boom"]++ // assignment to a nil map
		}
		return &plugins.RunResponse{}, nil
	}}
	host := serve(t, check)
	_, err := host.Run(t.Context(), fullRequest())
	var pe *plugins.PanicError
	if !errors.As(err, &pe) {
		t.Fatalf("error = %v (%T), want a *plugins.PanicError", err, err)
	}
	if pe.Method != "Run" || !strings.Contains(pe.Value, "assignment to entry in nil map") {
		t.Errorf("PanicError = %+v", pe)
	}
	if !strings.Contains(pe.Stack, "grpc_test.go") {
		t.Errorf("stack does not show where it panicked:\n%s", pe.Stack)
	}
	if !strings.HasPrefix(err.Error(), "plugin panicked in Run: ") {
		t.Errorf("message = %q", err.Error())
	}
	// The plugin survived and serves the next call.
	if _, err := host.Describe(t.Context(), &plugins.DescribeRequest{}); err != nil {
		t.Errorf("Describe after the panic: %v", err)
	}
}

func TestPanicInDescribe(t *testing.T) {
	host := serve(t, &fakeCheck{describe: func(context.Context) (*plugins.DescribeResponse, error) {
		panic(errors.New("bad schema"))
	}})
	_, err := host.Describe(t.Context(), &plugins.DescribeRequest{})
	var pe *plugins.PanicError
	if !errors.As(err, &pe) || pe.Method != "Describe" || pe.Value != "bad schema" {
		t.Fatalf("error = %v", err)
	}
}

func TestCancelReachesThePlugin(t *testing.T) {
	started := make(chan struct{})
	seen := make(chan error, 1)
	check := &fakeCheck{run: func(ctx context.Context, _ *plugins.RunRequest) (*plugins.RunResponse, error) {
		close(started)
		<-ctx.Done()
		seen <- ctx.Err()
		return nil, ctx.Err()
	}}
	host := serve(t, check)

	ctx, cancel := context.WithCancel(t.Context())
	errc := make(chan error, 1)
	go func() {
		_, err := host.Run(ctx, fullRequest())
		errc <- err
	}()
	<-started
	cancel()
	if err := <-errc; !errors.Is(err, context.Canceled) {
		t.Errorf("host error = %v, want one wrapping context.Canceled", err)
	}
	if err := <-seen; !errors.Is(err, context.Canceled) {
		t.Errorf("the plugin's context ended with %v, want context.Canceled", err)
	}
}

func TestDeadlineReachesThePlugin(t *testing.T) {
	check := &fakeCheck{run: func(ctx context.Context, _ *plugins.RunRequest) (*plugins.RunResponse, error) {
		if _, ok := ctx.Deadline(); !ok {
			return nil, errors.New("no deadline in the plugin")
		}
		return &plugins.RunResponse{}, nil
	}}
	host := serve(t, check)
	ctx, cancel := context.WithTimeout(t.Context(), time.Hour)
	defer cancel()
	if _, err := host.Run(ctx, fullRequest()); err != nil {
		t.Fatal(err)
	}
}

func TestMalformedAnswersAreRejected(t *testing.T) {
	tests := []struct {
		name     string
		finding  plugins.Finding
		describe *plugins.DescribeResponse
		want     string
	}{
		{
			name:    "unknown status",
			finding: plugins.Finding{Check: "root-account.mfa", Status: "MAYBE"},
			want:    `plugin returned status "MAYBE" for check root-account.mfa; want PASS, FAIL, ERROR or SKIP`,
		},
		{
			name:    "lower-case status",
			finding: plugins.Finding{Check: "root-account.mfa", Status: "pass"},
			want:    `plugin returned status "pass" for check root-account.mfa; want PASS, FAIL, ERROR or SKIP`,
		},
		{
			name:    "empty status",
			finding: plugins.Finding{Check: "root-account.mfa"},
			want:    `plugin returned status "" for check root-account.mfa; want PASS, FAIL, ERROR or SKIP`,
		},
		{
			name:    "unknown severity",
			finding: plugins.Finding{Check: "root-account.keys", Status: plugins.StatusFail, Severity: "urgent"},
			want:    `plugin returned severity "urgent" for check root-account.keys; want info, low, medium, high or critical, or none for the check's default`,
		},
		{
			name:     "unknown default severity",
			describe: &plugins.DescribeResponse{ID: "root-account", DefaultSeverity: "HIGH"},
			want:     `plugin returned default severity "HIGH" for check root-account; want info, low, medium, high or critical`,
		},
		{
			name:     "no default severity",
			describe: &plugins.DescribeResponse{ID: "root-account"},
			want:     `plugin returned default severity "" for check root-account; want info, low, medium, high or critical`,
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			check := &fakeCheck{
				run: func(context.Context, *plugins.RunRequest) (*plugins.RunResponse, error) {
					ok := plugins.Finding{Check: "root-account.other", Status: plugins.StatusPass}
					return &plugins.RunResponse{Findings: []plugins.Finding{ok, tt.finding}}, nil
				},
			}
			if tt.describe != nil {
				check.describe = func(context.Context) (*plugins.DescribeResponse, error) { return tt.describe, nil }
			}
			host := serve(t, check)
			var err error
			if tt.describe != nil {
				_, err = host.Describe(t.Context(), &plugins.DescribeRequest{})
			} else {
				_, err = host.Run(t.Context(), fullRequest())
			}
			if err == nil || err.Error() != tt.want {
				t.Errorf("error = %v\nwant %s", err, tt.want)
			}
			if !errors.Is(err, plugins.ErrInvalidResponse) {
				t.Errorf("error %v does not match ErrInvalidResponse", err)
			}
		})
	}
}

func TestEmptySeverityMeansTheDefault(t *testing.T) {
	host := serve(t, &fakeCheck{run: func(context.Context, *plugins.RunRequest) (*plugins.RunResponse, error) {
		return &plugins.RunResponse{Findings: []plugins.Finding{{Check: "x.y", Status: plugins.StatusPass}}}, nil
	}})
	resp, err := host.Run(t.Context(), fullRequest())
	if err != nil || len(resp.Findings) != 1 || resp.Findings[0].Severity != "" {
		t.Fatalf("Run = %+v, %v", resp, err)
	}
}

func TestNilRunRequest(t *testing.T) {
	host := serve(t, &fakeCheck{})
	if _, err := host.Run(t.Context(), nil); err == nil {
		t.Fatal("Run(nil) succeeded")
	}
}

func TestServerNeedsAnImpl(t *testing.T) {
	p := plugins.ClientPluginMap()[plugins.PluginName].(*plugins.GRPCCheckPlugin)
	if err := p.GRPCServer(nil, grpc.NewServer()); err == nil {
		t.Fatal("GRPCServer without an Impl succeeded")
	}
}

// ---- a real plugin process: the test binary re-executed ----

// helperEnv selects what the re-executed test binary serves.
const helperEnv = "ORGBASELINE_PLUGINS_TEST_HELPER"

// TestHelperPlugin is not a test: run by launch with helperEnv set, it
// serves a check through plugins.Serve as a plugin's main would.
func TestHelperPlugin(t *testing.T) {
	mode := os.Getenv(helperEnv)
	if mode == "" {
		t.Skip("run as a plugin by the other tests")
	}
	plugins.Serve(&fakeCheck{run: func(_ context.Context, req *plugins.RunRequest) (*plugins.RunResponse, error) {
		if mode == "crash" {
			os.Exit(3)
		}
		return &plugins.RunResponse{Findings: []plugins.Finding{{
			Check: "helper.echo", Status: plugins.StatusPass, Resource: "arn:aws:::account/" + req.Account.ID,
		}}}, nil
	}})
	os.Exit(0)
}

// launch starts the test binary as a plugin the way a host does: the
// handshake, gRPC only, AutoMTLS.
func launch(t *testing.T, mode string) (*plugin.Client, plugins.Check) {
	t.Helper()
	cmd := exec.Command(os.Args[0], "-test.run=^TestHelperPlugin$")
	cmd.Env = append(os.Environ(), helperEnv+"="+mode)
	client := plugin.NewClient(&plugin.ClientConfig{
		HandshakeConfig:  plugins.Handshake,
		Plugins:          plugins.ClientPluginMap(),
		Cmd:              cmd,
		AllowedProtocols: []plugin.Protocol{plugin.ProtocolGRPC},
		AutoMTLS:         true,
		Logger:           hclog.NewNullLogger(),
	})
	t.Cleanup(client.Kill)
	rpc, err := client.Client()
	if err != nil {
		t.Fatalf("start plugin: %v", err)
	}
	raw, err := rpc.Dispense(plugins.PluginName)
	if err != nil {
		t.Fatalf("dispense: %v", err)
	}
	c, ok := raw.(plugins.Check)
	if !ok {
		t.Fatalf("dispensed %T, which is not a plugins.Check", raw)
	}
	return client, c
}

func TestServeInAPluginProcess(t *testing.T) {
	if testing.Short() {
		t.Skip("starts a process")
	}
	client, c := launch(t, "echo")
	if client.NegotiatedVersion() != plugins.ProtocolVersion {
		t.Errorf("negotiated protocol %d, want %d", client.NegotiatedVersion(), plugins.ProtocolVersion)
	}
	d, err := c.Describe(t.Context(), &plugins.DescribeRequest{})
	if err != nil || d.ID != "fake" {
		t.Fatalf("Describe = %+v, %v", d, err)
	}
	resp, err := c.Run(t.Context(), fullRequest())
	if err != nil {
		t.Fatal(err)
	}
	if len(resp.Findings) != 1 || resp.Findings[0].Resource != "arn:aws:::account/123456789012" {
		t.Errorf("findings = %+v", resp.Findings)
	}
}

func TestCrashingPluginProcessIsAnError(t *testing.T) {
	if testing.Short() {
		t.Skip("starts a process")
	}
	_, c := launch(t, "crash")
	_, err := c.Run(t.Context(), fullRequest())
	if err == nil {
		t.Fatal("Run in a crashing plugin succeeded")
	}
	if !strings.HasPrefix(err.Error(), "plugin Run: ") {
		t.Errorf("error = %v, want one naming the method", err)
	}
	var pe *plugins.PanicError
	if errors.As(err, &pe) || errors.Is(err, plugins.ErrInvalidResponse) {
		t.Errorf("a crash reported as %T", err)
	}
}

func TestServeRefusesToRunWithoutTheHost(t *testing.T) {
	if testing.Short() {
		t.Skip("starts a process")
	}
	cmd := exec.Command(os.Args[0], "-test.run=^TestHelperPlugin$")
	cmd.Env = append(os.Environ(), helperEnv+"=echo")
	out, err := cmd.CombinedOutput()
	var exit *exec.ExitError
	if !errors.As(err, &exit) || exit.ExitCode() != 1 {
		t.Fatalf("started without the handshake cookie: %v\n%s", err, out)
	}
	if !strings.Contains(string(out), "plugin") {
		t.Errorf("no note for a human:\n%s", out)
	}
}
