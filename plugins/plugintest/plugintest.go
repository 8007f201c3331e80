package plugintest

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/hashicorp/go-plugin"

	"github.com/orgbaseline/orgbaseline/plugins"
)

// Options say what to run the check against.
type Options struct {
	// Request is a run against a test organization (orgsim, LocalStack, a
	// sandbox account) whose findings are checked; nil skips that part.
	Request *plugins.RunRequest
	// InvalidConfig is a config the check must refuse, with an error or
	// with ERROR findings only; nil means {"plugintest-unknown-key":true},
	// which a strict decoder (sdk.Config) refuses. It is run with Request
	// when given, else with a request whose endpoint denies every call.
	InvalidConfig []byte
}

// DefaultInvalidConfig is the InvalidConfig used when Options has none.
var DefaultInvalidConfig = []byte(`{"plugintest-unknown-key":true}`)

// Conformance serves c in process through the real gRPC shim and reports
// every way it breaks the contract as a test error (see Check).
func Conformance(t *testing.T, c plugins.Check, opts Options) {
	t.Helper()
	host := ServeInProcess(t, c)
	for _, p := range Check(t.Context(), host, opts) {
		t.Error(p)
	}
}

// ServeInProcess serves c through the real gRPC shim in this process
// (go-plugin's TestPluginGRPCConn) and returns the host side: a Check
// whose calls cross gRPC as they do between orgbaseline and a plugin
// process, with the host's validation of what comes back. The connection
// closes when the test ends.
func ServeInProcess(t testing.TB, c plugins.Check) plugins.Check {
	t.Helper()
	// Closing the client stops the server too (go-plugin's controller);
	// stopping it ourselves as well would race with that.
	client, _ := plugin.TestPluginGRPCConn(t, false, plugins.PluginMap(c))
	t.Cleanup(func() { _ = client.Close() })
	raw, err := client.Dispense(plugins.PluginName)
	if err != nil {
		t.Fatalf("plugintest: dispense %q: %v", plugins.PluginName, err)
	}
	host, ok := raw.(plugins.Check)
	if !ok {
		t.Fatalf("plugintest: dispensed %T, which is not a plugins.Check", raw)
	}
	return host
}

// Check calls c and returns every way it breaks the contract, none when
// it conforms:
//
//   - Describe returns an id, a version, a title, a valid default
//     severity, compliance references of the form FRAMEWORK:ref, IAM
//     actions of the form service:Action (no wildcards: the host grants
//     exactly these), and a config schema that is "" or a JSON object;
//   - Run against opts.Request (when given) returns findings with a check
//     id, a valid status and a valid or empty severity;
//   - Run with opts.InvalidConfig returns an error or ERROR findings only,
//     and does not panic.
//
// Check calls c as it is: to go through the gRPC shim, pass it what
// ServeInProcess returns (Conformance does).
func Check(ctx context.Context, c plugins.Check, opts Options) []string {
	var problems []string
	report := func(format string, args ...any) {
		problems = append(problems, fmt.Sprintf(format, args...))
	}

	d, err := describe(ctx, c)
	switch {
	case err != nil:
		report("Describe: %v", err)
	case d == nil:
		report("Describe returned neither a response nor an error")
	default:
		checkDescribe(d, report)
	}

	if opts.Request != nil {
		resp, err := run(ctx, c, opts.Request)
		switch {
		case err != nil:
			report("Run against Options.Request: %v", err)
		case resp == nil:
			report("Run against Options.Request returned neither a response nor an error")
		default:
			for i, f := range resp.Findings {
				checkFinding(i, f, report)
			}
		}
	}

	checkInvalidConfig(ctx, c, opts, report)
	return problems
}

var (
	// actionRE is an IAM action without wildcards: iam:ListUsers.
	actionRE = regexp.MustCompile(`^[a-z0-9-]+:[A-Za-z0-9]+$`)
	// complianceRE is a framework and a reference in it: CIS-3.0:1.10,
	// SOC2:CC6.1, HIPAA:164.312(d).
	complianceRE = regexp.MustCompile(`^[A-Za-z0-9][A-Za-z0-9.-]*:\S+$`)
)

func checkDescribe(d *plugins.DescribeResponse, report func(string, ...any)) {
	if strings.TrimSpace(d.ID) == "" || strings.ContainsAny(d.ID, " \t\n") {
		report("Describe: id %q: want a stable id without spaces, e.g. \"root-account\"", d.ID)
	}
	if strings.TrimSpace(d.Version) == "" {
		report("Describe: no version")
	}
	if strings.TrimSpace(d.Title) == "" {
		report("Describe: no title")
	}
	if !plugins.ValidSeverity(d.DefaultSeverity) {
		report("Describe: default severity %q: want info, low, medium, high or critical", d.DefaultSeverity)
	}
	for _, ref := range d.Compliance {
		if !complianceRE.MatchString(ref) {
			report("Describe: compliance reference %q: want FRAMEWORK:ref, e.g. \"CIS-3.0:1.10\"", ref)
		}
	}
	for _, a := range d.Actions {
		if !actionRE.MatchString(a) {
			report("Describe: action %q: want service:Action without wildcards, e.g. \"iam:ListUsers\"", a)
		}
	}
	if d.ConfigSchema != "" {
		var schema any
		if err := json.Unmarshal([]byte(d.ConfigSchema), &schema); err != nil {
			report("Describe: config schema is not valid JSON: %v", err)
		} else if _, ok := schema.(map[string]any); !ok {
			report("Describe: config schema is a JSON %T: want a JSON Schema object", schema)
		}
	}
}

func checkFinding(i int, f plugins.Finding, report func(string, ...any)) {
	where := fmt.Sprintf("Run: finding %d (check %q, resource %q)", i, f.Check, f.Resource)
	if f.Check == "" {
		report("%s: no check id", where)
	}
	if !plugins.ValidStatus(f.Status) {
		report("%s: status %q: want PASS, FAIL, ERROR or SKIP", where, f.Status)
	}
	if f.Severity != "" && !plugins.ValidSeverity(f.Severity) {
		report("%s: severity %q: want info, low, medium, high, critical or none", where, f.Severity)
	}
	for _, ref := range f.Compliance {
		if !complianceRE.MatchString(ref) {
			report("%s: compliance reference %q: want FRAMEWORK:ref", where, ref)
		}
	}
}

func checkInvalidConfig(ctx context.Context, c plugins.Check, opts Options, report func(string, ...any)) {
	config := opts.InvalidConfig
	if config == nil {
		config = DefaultInvalidConfig
	}
	var req plugins.RunRequest
	if opts.Request != nil {
		req = *opts.Request
	} else {
		deny := httptest.NewServer(http.HandlerFunc(denyAll))
		defer deny.Close()
		req = syntheticRequest(deny.URL)
	}
	req.Config = config

	what := fmt.Sprintf("Run with the invalid config %s", config)
	resp, err := run(ctx, c, &req)
	var pe *plugins.PanicError
	switch {
	case errors.As(err, &pe):
		report("%s panicked: %v; want an error or ERROR findings", what, pe.Value)
	case errors.Is(err, plugins.ErrInvalidResponse):
		report("%s: %v", what, err)
	case err != nil:
		// Refused: what the contract asks.
	case resp == nil:
		report("%s returned neither a response nor an error", what)
	case len(resp.Findings) == 0:
		report("%s returned no error and no findings; want an error or ERROR findings (decode the config strictly: sdk.Config)", what)
	default:
		for i, f := range resp.Findings {
			if f.Status != plugins.StatusError {
				report("%s: finding %d (check %q) is %s; want an error or ERROR findings only (decode the config strictly: sdk.Config)", what, i, f.Check, f.Status)
			}
		}
	}
}

// syntheticRequest is a run for the invalid-config check when the author
// gave no request: its endpoint refuses every call, so a check that
// reaches for AWS anyway gets AccessDenied, never real AWS.
func syntheticRequest(endpoint string) plugins.RunRequest {
	return plugins.RunRequest{
		Account:    plugins.Account{ID: "123456789012", Name: "plugintest", OUPath: "/"},
		HomeRegion: "us-east-1",
		Regions:    []string{"us-east-1"},
		Endpoint:   endpoint,
		Credentials: plugins.Credentials{
			AccessKeyID: "ASIAPLUGINTEST000000", SecretAccessKey: "plugintest", SessionToken: "plugintest",
			Expires: time.Date(2030, 1, 1, 0, 0, 0, 0, time.UTC),
		},
		Now: time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC),
	}
}

// denyAll answers every AWS call with AccessDenied, in a form the SDK's
// JSON protocols (X-Amzn-ErrorType) and query/XML protocols (the body)
// both read, with a status that is not retried.
func denyAll(w http.ResponseWriter, _ *http.Request) {
	w.Header().Set("X-Amzn-ErrorType", "AccessDeniedException")
	w.Header().Set("Content-Type", "text/xml")
	w.WriteHeader(http.StatusForbidden)
	_, _ = fmt.Fprint(w, `<ErrorResponse><Error><Type>Sender</Type><Code>AccessDenied</Code><Message>plugintest: this endpoint refuses every call</Message></Error></ErrorResponse>`)
}

// describe and run call c and turn a panic into an error, for checks
// called directly rather than through the shim (which recovers itself).
func describe(ctx context.Context, c plugins.Check) (d *plugins.DescribeResponse, err error) {
	defer recoverAs("Describe", &err)
	return c.Describe(ctx, &plugins.DescribeRequest{})
}

func run(ctx context.Context, c plugins.Check, req *plugins.RunRequest) (resp *plugins.RunResponse, err error) {
	defer recoverAs("Run", &err)
	return c.Run(ctx, req)
}

func recoverAs(method string, err *error) {
	if v := recover(); v != nil {
		*err = &plugins.PanicError{Method: method, Value: fmt.Sprint(v)}
	}
}
