package cli

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"net/http"
	"os"
	"regexp"
	"strings"
	"sync"
	"testing"

	"github.com/orgbaseline/orgbaseline/internal/orgsim"
)

// logLines decodes stderr's JSON lines; a line that is not JSON fails the
// test (stderr is for jq when the logs are JSON).
func logLines(t *testing.T, stderr string) []map[string]any {
	t.Helper()
	var out []map[string]any
	for _, l := range strings.Split(strings.TrimSpace(stderr), "\n") {
		var m map[string]any
		if err := json.Unmarshal([]byte(l), &m); err != nil {
			t.Fatalf("a stderr line is not JSON (%v): %q", err, l)
		}
		out = append(out, m)
	}
	return out
}

// rawRun runs orgbaseline against h's organization with the log format
// the arguments choose, and returns the exit code and stderr as written.
func rawRun(h *harness, tty bool, args ...string) (int, string) {
	var out, errb bytes.Buffer
	a := &app{stdin: strings.NewReader(""), stdout: &out, stderr: &errb, stderrTTY: tty, getenv: os.Getenv, sleep: h.sim.Sleep}
	return a.run(context.Background(), args), errb.String()
}

// noteWriter is a stderr that closes seen once a line with message has
// been written.
type noteWriter struct {
	mu      sync.Mutex
	buf     bytes.Buffer
	message string
	seen    chan struct{}
	once    sync.Once
}

func (w *noteWriter) Write(p []byte) (int, error) {
	w.mu.Lock()
	defer w.mu.Unlock()
	if bytes.Contains(p, []byte(`"message":"`+w.message+`"`)) {
		w.once.Do(func() { close(w.seen) })
	}
	return w.buf.Write(p)
}

// Once the organization has been read, the progress lines of a run whose
// accounts were handed on as the walk found them carry the total, the
// accounts remaining and the time left: here no account's IAM call is
// answered before the run has logged "organization read", so every
// account finishes after the walk, and each progress line must say how
// many there are in all.
func TestProgressLinesCarryTheTotalOnceTheOrganizationIsRead(t *testing.T) {
	stderr := &noteWriter{message: "organization read", seen: make(chan struct{})}
	hold := func(next http.Handler) http.Handler {
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			if service(r) == "iam" {
				select {
				case <-stderr.seen:
				case <-r.Context().Done():
					return
				}
			}
			next.ServeHTTP(w, r)
		})
	}
	h := newHarnessWith(t, orgsim.Options{Org: orgsim.OrgSpec{Members: 12, ExtraOUs: 2, Clean: true}}, hold)
	f := h.write("baseline.yaml", passwordBaseline)
	var out bytes.Buffer
	a := &app{stdin: strings.NewReader(""), stdout: &out, stderr: stderr, getenv: os.Getenv, sleep: h.sim.Sleep}
	code := a.run(context.Background(), []string{"plan", "-f", f, "--format", "json", "--progress-interval", "1ns", "--concurrency", "2"})
	if code != ExitOK && code != ExitChanges {
		t.Fatalf("exit %d\n%s", code, stderr.buf.String())
	}
	var targeted float64
	progressLines := 0
	for _, l := range logLines(t, stderr.buf.String()) {
		switch l["message"] {
		case "organization read":
			targeted = l["targeted"].(float64)
		case "progress":
			progressLines++
			total, ok := l["total"].(float64)
			remaining, ok2 := l["remaining"].(float64)
			_, eta := l["etaMs"].(float64)
			done := l["done"].(float64)
			if !ok || !ok2 || total != targeted || remaining != total-done || !eta {
				t.Errorf("a progress line after the walk ended (%v accounts targeted) lacks the total, remaining or etaMs: %v", targeted, l)
			}
			if _, ok := l["elapsedMs"].(float64); !ok {
				t.Errorf("a progress line has no elapsedMs: %v", l)
			}
		case "accounts done":
			if l["total"] != targeted || l["remaining"] != 0.0 {
				t.Errorf("final progress line %v", l)
			}
		}
	}
	if targeted != 12 || progressLines == 0 {
		t.Fatalf("%v targeted, %d progress lines:\n%s", targeted, progressLines, stderr.buf.String())
	}
}

// tokenTap stands in front of orgsim and keeps every secret that crosses
// it: the request signatures and session tokens, and the credentials
// AssumeRole hands out. It also answers the first GetAccountPasswordPolicy
// with a 503, so the call is retried.
type tokenTap struct {
	mu      sync.Mutex
	secrets []string
	failed  bool
}

var secretInBody = regexp.MustCompile(`<(SecretAccessKey|SessionToken)>([^<]+)<`)

func (tap *tokenTap) front(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(r.Body)
		r.Body = io.NopCloser(bytes.NewReader(body))
		tap.mu.Lock()
		auth := r.Header.Get("Authorization")
		if i := strings.Index(auth, "Signature="); i >= 0 {
			tap.secrets = append(tap.secrets, auth[i+len("Signature="):])
		}
		if tok := r.Header.Get("X-Amz-Security-Token"); tok != "" {
			tap.secrets = append(tap.secrets, tok)
		}
		fail := !tap.failed && bytes.Contains(body, []byte("Action=GetAccountPasswordPolicy"))
		tap.failed = tap.failed || fail
		tap.mu.Unlock()
		if fail {
			w.Header().Set("X-Amzn-Requestid", "front-503")
			w.Header().Set("Content-Type", "text/xml")
			w.WriteHeader(http.StatusServiceUnavailable)
			io.WriteString(w, `<ErrorResponse><Error><Type>Receiver</Type><Code>ServiceUnavailable</Code><Message>try again</Message></Error><RequestId>front-503</RequestId></ErrorResponse>`)
			return
		}
		rec := &bodyRecorder{ResponseWriter: w}
		next.ServeHTTP(rec, r)
		tap.mu.Lock()
		for _, m := range secretInBody.FindAllStringSubmatch(rec.body.String(), -1) {
			tap.secrets = append(tap.secrets, m[2])
		}
		tap.mu.Unlock()
	})
}

type bodyRecorder struct {
	http.ResponseWriter
	body bytes.Buffer
}

func (b *bodyRecorder) Write(p []byte) (int, error) {
	b.body.Write(p)
	return b.ResponseWriter.Write(p)
}

// --log-level debug shows each attempt of each AWS call: service,
// operation, the account it acts in, region, HTTP status, attempt and
// AWS's request id, and never a credential, signature or Authorization
// header; a retried call shows both attempts. At info level no call is
// logged.
func TestDebugLogShowsEachAWSCallAndNoSecret(t *testing.T) {
	tap := &tokenTap{}
	h := newHarnessWith(t, orgsim.Options{Org: orgsim.OrgSpec{Members: 3, Clean: true}}, tap.front)
	f := h.write("baseline.yaml", passwordBaseline)
	r := h.run("plan", "-f", f, "--log-level", "debug", "--concurrency", "1")
	if r.code != ExitOK && r.code != ExitChanges {
		h.want(r, ExitOK)
	}
	mgmt := h.sim.ManagementAccountID()
	members := activeMembers(h.sim, "")
	type call struct {
		account string
		attempt float64
	}
	statuses := map[call]float64{}
	var assumes int
	for _, l := range logLines(t, r.stderr) {
		if l["message"] != "AWS call" {
			continue
		}
		if l["level"] != "debug" || l["service"] == "" || l["operation"] == "" || l["region"] != "us-east-1" || l["attempt"] == nil {
			t.Errorf("an AWS call line lacks a field: %v", l)
		}
		if l["status"] != nil && l["requestId"] == nil {
			t.Errorf("an answered call has no request id: %v", l)
		}
		acct, _ := l["account"].(string)
		switch l["operation"] {
		case "AssumeRole":
			assumes++
			if acct != mgmt || l["service"] != "STS" {
				t.Errorf("AssumeRole is not shown as the management account's STS call: %v", l)
			}
		case "GetAccountPasswordPolicy":
			if l["service"] != "IAM" {
				t.Errorf("service %v", l)
			}
			statuses[call{acct, l["attempt"].(float64)}] = l["status"].(float64)
			if l["status"] == 503.0 && (l["requestId"] != "front-503" || l["errorCode"] != "ServiceUnavailable") {
				t.Errorf("the refused attempt is not shown with its request id and code: %v", l)
			}
		}
	}
	if assumes != len(members) {
		t.Errorf("%d AssumeRole calls logged, want %d", assumes, len(members))
	}
	retried := 0
	for _, id := range members {
		first, ok := statuses[call{id, 1}]
		if !ok {
			t.Errorf("account %s: no GetAccountPasswordPolicy logged for it: %v", id, statuses)
		}
		if first == 503 {
			retried++
			if second := statuses[call{id, 2}]; second != 200 && second != 404 {
				t.Errorf("account %s: the retry is not logged as attempt 2 (%v)", id, statuses)
			}
		}
	}
	if retried != 1 {
		t.Errorf("%d accounts show the refused attempt, want 1: %v", retried, statuses)
	}
	tap.mu.Lock()
	secrets := append(tap.secrets, h.sim.ManagementCredentials().SecretAccessKey)
	tap.mu.Unlock()
	if len(secrets) < 2*len(members) {
		t.Fatalf("the tap kept %d secrets: it does not see the run", len(secrets))
	}
	for _, s := range secrets {
		if strings.Contains(r.stderr, s) {
			t.Fatalf("the debug log holds a secret (%.8s...)", s)
		}
	}
	for _, word := range []string{"Authorization", "Signature", "X-Amz-Security-Token", "SecretAccessKey", "SessionToken"} {
		if strings.Contains(r.stderr, word) {
			t.Errorf("the debug log mentions %s", word)
		}
	}

	r = h.run("plan", "-f", f)
	if strings.Contains(r.stderr, `"AWS call"`) {
		t.Errorf("AWS calls logged at info level")
	}
}

// Every line a run logs names the run (the same id on each) and carries
// its time to the millisecond; durations carry their unit in the name.
func TestEveryLogLineNamesTheRunAndTheMillisecond(t *testing.T) {
	h := newHarness(t, orgsim.OrgSpec{Members: 3})
	f := h.write("baseline.yaml", passwordBaseline)
	code, stderr := rawRun(h, false, "check", "-f", f, "--format", "json", "--progress-interval", "1ns", "--log-level", "debug")
	if code != ExitFindings {
		t.Fatalf("exit %d\n%s", code, stderr)
	}
	ms := regexp.MustCompile(`^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}(Z|[+-]\d\d:\d\d)$`)
	runs := map[any]int{}
	for _, l := range logLines(t, stderr) {
		runs[l["run"]]++
		if s, _ := l["time"].(string); !ms.MatchString(s) {
			t.Errorf("time %q is not to the millisecond: %v", l["time"], l)
		}
		for _, k := range []string{"elapsed", "waited", "timeout", "eta"} {
			if _, ok := l[k]; ok {
				t.Errorf("duration %s without its unit: %v", k, l)
			}
		}
	}
	if len(runs) != 1 || runs[nil] != 0 {
		t.Fatalf("the lines name %d runs (%v), want one on every line", len(runs), runs)
	}
}

// The error that ends an invocation is a JSON line when the logs are JSON
// (--log-format json, or auto off a terminal), naming the run when one had
// begun, with its control characters escaped; plain "Error: ..." with
// console logs.
func TestTheFinalErrorIsAJSONLineWhenLogsAreJSON(t *testing.T) {
	h := newHarness(t, orgsim.OrgSpec{Members: 2, Clean: true})
	f := h.write("baseline.yaml", passwordBaseline)
	run := func(tty bool, args ...string) (int, string) { return rawRun(h, tty, args...) }
	target := "account:Nope\x1b[31m"
	for _, format := range []string{"json", "auto"} {
		code, stderr := run(false, "plan", "-f", f, "--target", target, "--log-format", format)
		if code != ExitError {
			t.Fatalf("exit %d\n%s", code, stderr)
		}
		lines := logLines(t, stderr)
		last := lines[len(lines)-1]
		msg, _ := last["error"].(string)
		if last["level"] != "error" || last["message"] != finalErrorMessage || last["exitCode"] != 1.0 ||
			!strings.Contains(msg, `no account named "Nope\x1b[31m"`) || last["run"] != lines[0]["run"] || last["run"] == nil {
			t.Errorf("--log-format %s: the final error line is %v", format, last)
		}
		if strings.Contains(stderr, "\nError:") || strings.HasPrefix(stderr, "Error:") {
			t.Errorf("--log-format %s: a plain Error: line among JSON lines:\n%s", format, stderr)
		}
	}
	// Before any run began (a flag refused): JSON too, with no run.
	code, stderr := run(false, "plan", "-f", f, "--log-level", "loud")
	lines := logLines(t, stderr)
	if last := lines[len(lines)-1]; code != ExitError || last["level"] != "error" || !strings.Contains(last["error"].(string), `--log-level "loud"`) {
		t.Errorf("exit %d, final line %v", code, last)
	}
	// Console logs: plain text, escaped.
	for _, tty := range []bool{false, true} {
		args := []string{"plan", "-f", f, "--target", target}
		if !tty {
			args = append(args, "--log-format", "console")
		}
		_, stderr := run(tty, args...)
		if !strings.Contains(stderr, "Error: --target: ") && !strings.Contains(stderr, "\nError: ") || !strings.Contains(stderr, `"Nope\x1b[31m"`) || strings.Contains(stderr, `"level":"error"`) {
			t.Errorf("terminal %v: the console's final error is not plain, escaped text:\n%q", tty, stderr)
		}
	}
}
