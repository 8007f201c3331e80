package cli

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/config"
	"github.com/aws/aws-sdk-go-v2/credentials"

	"github.com/orgbaseline/orgbaseline/internal/orgsim"
)

// harness is a simulated organization served over HTTP, with the process
// environment pointing the standard AWS credential and endpoint chain at it,
// as a user's shell does after sourcing `sim serve --env-file`.
type harness struct {
	t   *testing.T
	sim *orgsim.Sim
	url string
	dir string
	// now, when set, is the clock of the runs (fixed for golden files).
	now func() time.Time
	// stderrTTY runs commands as if stderr were a terminal.
	stderrTTY bool
	// simClock: a simulated organization a command starts itself (sim
	// bench) is waited for on its own clock rather than by sleeping.
	simClock bool
}

func newHarness(t *testing.T, spec orgsim.OrgSpec) *harness {
	t.Helper()
	like := orgsim.DefaultAWSLike()
	// The credential report is read only by the check plugins, separate
	// processes on the wall clock that cannot advance the sim's: with the
	// report built at once they do not sleep. Its delay is tested where
	// the plugins' reader waits for it (plugins/checks/internal/iamread).
	like.CredentialReportDelay = 0
	sim := orgsim.New(orgsim.Options{Seed: 42, Org: spec, AWSLike: &like})
	srv := httptest.NewServer(sim)
	t.Cleanup(srv.Close)
	h := &harness{t: t, sim: sim, url: srv.URL, dir: t.TempDir()}
	h.setEnv(srv.URL, sim.ManagementCredentials())
	return h
}

// setEnv makes the process environment hermetic and aimed at orgsim.
func (h *harness) setEnv(url string, c orgsim.Credentials) {
	h.t.Setenv("AWS_ENDPOINT_URL", url)
	h.t.Setenv("AWS_ACCESS_KEY_ID", c.AccessKeyID)
	h.t.Setenv("AWS_SECRET_ACCESS_KEY", c.SecretAccessKey)
	h.t.Setenv("AWS_SESSION_TOKEN", "")
	h.t.Setenv("AWS_REGION", "us-east-1")
	h.t.Setenv("AWS_PROFILE", "")
	h.t.Setenv("AWS_CONFIG_FILE", filepath.Join(h.dir, "no-config"))
	h.t.Setenv("AWS_SHARED_CREDENTIALS_FILE", filepath.Join(h.dir, "no-credentials"))
	h.t.Setenv("AWS_EC2_METADATA_DISABLED", "true")
}

// write puts a file in the harness directory and returns its path.
func (h *harness) write(name, content string) string {
	h.t.Helper()
	p := filepath.Join(h.dir, name)
	if err := os.WriteFile(p, []byte(content), 0o600); err != nil {
		h.t.Fatal(err)
	}
	return p
}

type result struct {
	code           int
	stdout, stderr string
}

// run runs orgbaseline with args, with no terminal (stdin empty).
func (h *harness) run(args ...string) result {
	h.t.Helper()
	var out, errb bytes.Buffer
	a := &app{stdin: strings.NewReader(""), stdout: &out, stderr: &errb, getenv: os.Getenv, now: h.now, stderrTTY: h.stderrTTY, sleep: h.sim.Sleep, simClock: h.simClock}
	code := a.run(context.Background(), append(args, "--log-format", "json"))
	return result{code, out.String(), readable(errb.String())}
}

// runTTY runs orgbaseline as if on a terminal, answering input.
func (h *harness) runTTY(input string, args ...string) result {
	h.t.Helper()
	var out, errb bytes.Buffer
	a := &app{stdin: strings.NewReader(input), stdout: &out, stderr: &errb, stdinTTY: true, getenv: os.Getenv, sleep: h.sim.Sleep}
	code := a.run(context.Background(), append(args, "--log-format", "json"))
	return result{code, out.String(), readable(errb.String())}
}

func (h *harness) want(r result, code int) {
	h.t.Helper()
	if r.code != code {
		h.t.Fatalf("exit code %d, want %d\nstdout:\n%s\nstderr:\n%s", r.code, code, r.stdout, r.stderr)
	}
}

// accountConfig returns a config acting as the root user of an account,
// for changes made behind the tool's back.
func (h *harness) accountConfig(account string) aws.Config {
	h.t.Helper()
	c := h.sim.RootCredentials(account)
	cfg, err := config.LoadDefaultConfig(context.Background(),
		config.WithRegion("us-east-1"),
		config.WithBaseEndpoint(h.url),
		config.WithCredentialsProvider(credentials.NewStaticCredentialsProvider(c.AccessKeyID, c.SecretAccessKey, c.SessionToken)),
	)
	if err != nil {
		h.t.Fatal(err)
	}
	return cfg
}

// accountID finds a seeded account by name.
func (h *harness) accountID(name string) string {
	h.t.Helper()
	id, ok := h.sim.AccountID(name)
	if !ok {
		h.t.Fatalf("no account named %q in the simulated organization", name)
	}
	return id
}

const passwordBaseline = `version: 1
controls:
  passwordPolicy:
    minimumPasswordLength: 14
    requireSymbols: true
    requireNumbers: true
    requireUppercaseCharacters: true
    requireLowercaseCharacters: true
    allowUsersToChangePassword: true
    passwordReusePrevention: 24
`

// readable is stderr as a person reads it: the JSON line of the error
// that ends the invocation (when the logs are JSON) shown as the
// "Error: ..." it says, so tests can look for the error's words as
// written. TestTheFinalErrorIsAJSONLineWhenLogsAreJSON asserts the line
// itself.
func readable(stderr string) string {
	lines := strings.SplitAfter(stderr, "\n")
	for i, l := range lines {
		var ev struct{ Level, Error, Message string }
		if json.Unmarshal([]byte(l), &ev) == nil && ev.Level == "error" && ev.Message == finalErrorMessage {
			lines[i] = "Error: " + ev.Error + "\n"
		}
	}
	return strings.Join(lines, "")
}

// syncWriter serialises writes from a command running in another goroutine.
type syncWriter struct {
	mu sync.Mutex
	w  io.Writer
}

func (s *syncWriter) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.w.Write(p)
}
