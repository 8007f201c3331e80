//go:build unix

package main

import (
	"bytes"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"

	"github.com/creack/pty"

	"github.com/orgbaseline/orgbaseline/internal/orgsim"
)

// runMainEnv makes the test binary run main instead of the tests: the
// terminal tests run it as the real orgbaseline, under a pseudo-terminal,
// and press Ctrl-C on that terminal (the kernel then sends SIGINT).
const runMainEnv = "ORGBASELINE_TEST_RUN_MAIN"

func TestMain(m *testing.M) {
	if os.Getenv(runMainEnv) == "1" {
		main()
		return
	}
	os.Exit(m.Run())
}

const passwordBaseline = `version: 1
controls:
  passwordPolicy:
    minimumPasswordLength: 14
    requireSymbols: true
`

// hold holds the calls match picks, until their client hangs up or the
// test ends, and says when the first is held: the run is then certainly
// in the middle of those calls.
type hold struct {
	match   func(service string, body []byte) bool
	held    chan struct{}
	release chan struct{}
	once    sync.Once
}

func (h *hold) front(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		// The body read, the server sees the client hang up.
		body, _ := io.ReadAll(r.Body)
		r.Body = io.NopCloser(bytes.NewReader(body))
		if h.match == nil || !h.match(signingName(r), body) {
			next.ServeHTTP(w, r)
			return
		}
		h.once.Do(func() { close(h.held) })
		select {
		case <-r.Context().Done():
		case <-h.release:
		}
	})
}

// signingName is the service a request is signed for (iam, sts, ...).
func signingName(r *http.Request) string {
	auth := r.Header.Get("Authorization")
	i := strings.Index(auth, "Credential=")
	if i < 0 {
		return ""
	}
	parts := strings.Split(strings.SplitN(auth[i:], ",", 2)[0], "/")
	if len(parts) < 5 {
		return ""
	}
	return parts[3]
}

// terminal is orgbaseline running under a pseudo-terminal of 120x40, as
// a person runs it, against orgsim.
type terminal struct {
	t    *testing.T
	sim  *orgsim.Sim
	hold *hold
	ptmx *os.File
	cmd  *exec.Cmd

	mu     sync.Mutex
	out    bytes.Buffer
	grew   chan struct{} // closed and replaced on every read
	closed bool          // the terminal's output has ended
}

func startTerminal(t *testing.T, match func(string, []byte) bool, args ...string) *terminal {
	t.Helper()
	sim := orgsim.New(orgsim.Options{Seed: 42, Org: orgsim.OrgSpec{Members: 3, Clean: true}})
	h := &hold{match: match, held: make(chan struct{}), release: make(chan struct{})}
	srv := httptest.NewServer(h.front(sim))
	t.Cleanup(srv.Close)
	t.Cleanup(func() { close(h.release) })
	dir := t.TempDir()
	b := filepath.Join(dir, "baseline.yaml")
	if err := os.WriteFile(b, []byte(passwordBaseline), 0o600); err != nil {
		t.Fatal(err)
	}
	exe, err := os.Executable()
	if err != nil {
		t.Fatal(err)
	}
	c := sim.ManagementCredentials()
	cmd := exec.Command(exe, append(args, "-f", b)...)
	cmd.Dir = dir
	cmd.Env = []string{
		runMainEnv + "=1", "HOME=" + dir, "TERM=xterm",
		"AWS_ENDPOINT_URL=" + srv.URL, "AWS_REGION=us-east-1",
		"AWS_ACCESS_KEY_ID=" + c.AccessKeyID, "AWS_SECRET_ACCESS_KEY=" + c.SecretAccessKey,
		"AWS_CONFIG_FILE=" + filepath.Join(dir, "none"), "AWS_SHARED_CREDENTIALS_FILE=" + filepath.Join(dir, "none"),
		"AWS_EC2_METADATA_DISABLED=true",
	}
	ptmx, err := pty.StartWithSize(cmd, &pty.Winsize{Rows: 40, Cols: 120})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { ptmx.Close() })
	term := &terminal{t: t, sim: sim, hold: h, ptmx: ptmx, cmd: cmd, grew: make(chan struct{})}
	go term.read()
	return term
}

func (term *terminal) read() {
	buf := make([]byte, 4096)
	for {
		n, err := term.ptmx.Read(buf)
		term.mu.Lock()
		term.out.Write(buf[:n])
		if err != nil {
			term.closed = true
		}
		close(term.grew)
		term.grew = make(chan struct{})
		term.mu.Unlock()
		if err != nil {
			return // EIO once the process has exited
		}
	}
}

// waitFor waits until the terminal shows s.
func (term *terminal) waitFor(s string) {
	term.t.Helper()
	for {
		term.mu.Lock()
		got, closed, grew := term.out.String(), term.closed, term.grew
		term.mu.Unlock()
		if strings.Contains(got, s) {
			return
		}
		if closed {
			term.t.Fatalf("the terminal never showed %q:\n%s", s, got)
		}
		<-grew
	}
}

// ctrlC types Ctrl-C: the terminal sends SIGINT to the process.
func (term *terminal) ctrlC() {
	term.t.Helper()
	if _, err := term.ptmx.Write([]byte{3}); err != nil {
		term.t.Fatal(err)
	}
}

// exit waits for the process and the end of its output, and returns its
// exit code and everything the terminal showed.
func (term *terminal) exit() (int, string) {
	term.t.Helper()
	err := term.cmd.Wait()
	var ee *exec.ExitError
	code := 0
	if errors.As(err, &ee) {
		code = ee.ExitCode()
	} else if err != nil {
		term.t.Fatal(err)
	}
	term.mu.Lock()
	closed, grew := term.closed, term.grew
	term.mu.Unlock()
	for !closed {
		<-grew
		term.mu.Lock()
		closed, grew = term.closed, term.grew
		term.mu.Unlock()
	}
	term.mu.Lock()
	defer term.mu.Unlock()
	return code, term.out.String()
}

func isIAM(service string, _ []byte) bool { return service == "iam" }

// Ctrl-C while plan reads the accounts (their IAM calls in flight): the
// interrupt is acknowledged at once, in one line, and plan ends in one
// more line, with no plan, no error per account and no cancelled SDK
// call.
func TestCtrlCDuringPlan(t *testing.T) {
	term := startTerminal(t, isIAM, "plan")
	<-term.hold.held
	term.ctrlC()
	term.waitFor(interruptMessage)
	code, out := term.exit()
	if code != 1 {
		t.Errorf("exit %d, want 1:\n%s", code, out)
	}
	if n := strings.Count(out, interruptMessage); n != 1 {
		t.Errorf("the interrupt is acknowledged %d times:\n%s", n, out)
	}
	if !strings.Contains(out, "Error: interrupted while ") || !strings.Contains(out, ": nothing was changed") {
		t.Errorf("plan does not end saying it was interrupted:\n%s", out)
	}
	for _, bad := range []string{"context canceled", "not started", "ERR", "Plan:", "Apply "} {
		if strings.Contains(out, bad) {
			t.Errorf("the terminal shows %q:\n%s", bad, out)
		}
	}
}

// Ctrl-C at apply's question aborts it at once, changing nothing.
func TestCtrlCAtTheApplyPrompt(t *testing.T) {
	term := startTerminal(t, nil, "apply")
	term.waitFor("Only 'yes' will be accepted: ")
	term.ctrlC()
	code, out := term.exit()
	if code != 1 {
		t.Errorf("exit %d, want 1:\n%s", code, out)
	}
	if !strings.Contains(out, interruptMessage) || !strings.Contains(out, "Error: interrupted while asking for confirmation: nothing was changed") {
		t.Errorf("the question is not aborted by the interrupt:\n%s", out)
	}
	if n := term.sim.Counters().Writes(); n != 0 {
		t.Errorf("%d writes after Ctrl-C at the question", n)
	}
}

// A second Ctrl-C, while apply lets a write in flight finish, quits at
// once with 130.
func TestSecondCtrlCQuits(t *testing.T) {
	write := func(service string, body []byte) bool {
		return service == "iam" && bytes.Contains(body, []byte("Action=UpdateAccountPasswordPolicy"))
	}
	term := startTerminal(t, write, "apply", "--auto-approve")
	<-term.hold.held
	term.ctrlC()
	term.waitFor(interruptMessage)
	term.ctrlC()
	if code, out := term.exit(); code != exitInterrupted {
		t.Errorf("exit %d after the second Ctrl-C, want %d:\n%s", code, exitInterrupted, out)
	}
}
