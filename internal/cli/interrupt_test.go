package cli

import (
	"bytes"
	"context"
	"io"
	"net/http"
	"os"
	"regexp"
	"strings"
	"sync"
	"testing"

	"github.com/creack/pty"

	"github.com/orgbaseline/orgbaseline/internal/orgsim"
)

// callHold holds the requests of one service (by signing name) until
// their caller gives up on them, and says when the first is held: the
// run is then certainly in the middle of those calls.
type callHold struct {
	service string
	once    sync.Once
	held    chan struct{}
	// release lets every held call go (at the end of the test).
	release     chan struct{}
	releaseOnce sync.Once
}

func newCallHold(service string) *callHold {
	return &callHold{service: service, held: make(chan struct{}), release: make(chan struct{})}
}

// let lets the held calls go; the test registers it as a cleanup.
func (c *callHold) let() { c.releaseOnce.Do(func() { close(c.release) }) }

func (c *callHold) front(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if service(r) != c.service {
			next.ServeHTTP(w, r)
			return
		}
		// The body read, the server sees the client hang up.
		body, _ := io.ReadAll(r.Body)
		r.Body = io.NopCloser(bytes.NewReader(body))
		c.once.Do(func() { close(c.held) })
		select {
		case <-r.Context().Done(): // the client cancelled the call
		case <-c.release:
			next.ServeHTTP(w, r)
		}
	})
}

// runIn runs orgbaseline with ctx, stdin and whether stdin is a terminal.
func (h *harness) runIn(ctx context.Context, stdin *os.File, tty bool, stdout *syncWriter, args ...string) result {
	h.t.Helper()
	var errb bytes.Buffer
	a := &app{stdin: stdin, stdout: stdout, stderr: &errb, stdinTTY: tty, getenv: os.Getenv, sleep: h.sim.Sleep}
	code := a.run(ctx, append(args, "--log-format", "json"))
	// The final error, a JSON line, as the text it carries (readable):
	// what is left at error level is the run's own.
	return result{code: code, stderr: readable(errb.String())}
}

// An interrupt while accounts are being read (their IAM calls held in
// flight) ends plan, and apply before its question, with one line saying
// so: no plan, no error per account, no cancelled SDK call in the log,
// no question, nothing written.
func TestInterruptDuringPlanSaysSoInOneLine(t *testing.T) {
	for _, cmd := range [][]string{{"plan"}, {"apply"}} {
		t.Run(cmd[0], func(t *testing.T) {
			hold := newCallHold("iam")
			h := newHarnessWith(t, orgsim.Options{Org: orgsim.OrgSpec{Members: 6, Clean: true}}, hold.front)
			t.Cleanup(hold.let)
			f := h.write("baseline.yaml", passwordBaseline)
			ctx, cancel := context.WithCancel(context.Background())
			defer cancel()
			go func() {
				<-hold.held
				cancel() // as cmd/orgbaseline does on SIGINT
			}()
			// stdin is a terminal nobody answers: a question would wait.
			ptmx, tty, err := pty.Open()
			if err != nil {
				t.Fatal(err)
			}
			defer ptmx.Close()
			defer tty.Close()
			var out bytes.Buffer
			r := h.runIn(ctx, tty, true, &syncWriter{w: &out}, append(cmd, "-f", f)...)
			h.want(r, ExitError)
			if out.Len() != 0 {
				t.Errorf("stdout is not empty (a partial plan, or a question):\n%s", out.String())
			}
			lines := strings.Split(strings.TrimSpace(r.stderr), "\n")
			last := lines[len(lines)-1]
			if !regexp.MustCompile(`^Error: interrupted while (planning|reading the organization): nothing was changed$`).MatchString(last) {
				t.Errorf("the last line is %q, want the one interrupted line", last)
			}
			for _, l := range lines {
				for _, bad := range []string{"context canceled", "not started", `"level":"error"`} {
					if strings.Contains(l, bad) {
						t.Errorf("stderr says %q: %s", bad, l)
					}
				}
			}
			if n := h.sim.Counters().Writes(); n != 0 {
				t.Errorf("%d writes", n)
			}
		})
	}
}

// promptWriter is stdout that says when the confirmation question has
// been asked.
type promptWriter struct {
	syncWriter
	buf    bytes.Buffer
	once   sync.Once
	asked  chan struct{}
	prompt string
}

func newPromptWriter(prompt string) *promptWriter {
	p := &promptWriter{asked: make(chan struct{}), prompt: prompt}
	p.syncWriter.w = writerFunc(func(b []byte) (int, error) {
		n, err := p.buf.Write(b)
		if strings.Contains(p.buf.String(), p.prompt) {
			p.once.Do(func() { close(p.asked) })
		}
		return n, err
	})
	return p
}

type writerFunc func([]byte) (int, error)

func (f writerFunc) Write(b []byte) (int, error) { return f(b) }

// An interrupt while apply waits for the answer on a terminal (a
// pseudo-terminal nobody types into) ends the question at once: apply
// says so in one line and changes nothing.
func TestInterruptAtThePromptAbortsIt(t *testing.T) {
	h := newHarness(t, orgsim.OrgSpec{Members: 2, Clean: true})
	f := h.write("baseline.yaml", passwordBaseline)
	ptmx, tty, err := pty.Open()
	if err != nil {
		t.Fatal(err)
	}
	defer ptmx.Close()
	defer tty.Close()
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	out := newPromptWriter("Only 'yes' will be accepted: ")
	go func() {
		<-out.asked
		cancel() // as cmd/orgbaseline does on SIGINT
	}()
	r := h.runIn(ctx, tty, true, &out.syncWriter, "apply", "-f", f)
	h.want(r, ExitError)
	if !strings.HasSuffix(r.stderr, "Error: interrupted while asking for confirmation: nothing was changed\n") {
		t.Errorf("stderr does not end with the interrupted line:\n%s", r.stderr)
	}
	if n := h.sim.Counters().Writes(); n != 0 {
		t.Errorf("%d writes after an interrupt at the prompt", n)
	}
	// Typed on the same terminal, "yes" is still read (the prompt path
	// is the terminal's).
	ptmx2, tty2, err := pty.Open()
	if err != nil {
		t.Fatal(err)
	}
	defer ptmx2.Close()
	defer tty2.Close()
	out2 := newPromptWriter("Only 'yes' will be accepted: ")
	go func() {
		<-out2.asked
		ptmx2.Write([]byte("yes\n"))
	}()
	h.want(h.runIn(context.Background(), tty2, true, &out2.syncWriter, "apply", "-f", f), ExitOK)
}
