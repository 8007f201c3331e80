package pluginhost

import (
	"bytes"
	"context"
	"crypto/rand"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/rs/zerolog"

	"github.com/orgbaseline/orgbaseline/baseline"
	"github.com/orgbaseline/orgbaseline/plugins"
)

// fixturePath and hostilePath are the test plugins (testdata/plugins),
// built once per test binary by TestMain.
var fixturePath, hostilePath string

func TestMain(m *testing.M) {
	if os.Getenv(helperEnv) != "" {
		os.Exit(helperMain()) // the test binary playing the tool (process_test.go)
	}
	os.Exit(runTests(m))
}

func runTests(m *testing.M) int {
	dir, err := os.MkdirTemp("", "pluginhost-fixture")
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 1
	}
	defer func() { _ = os.RemoveAll(dir) }()
	fixturePath, hostilePath = filepath.Join(dir, "fixture"), filepath.Join(dir, "hostile")
	if err := os.MkdirAll(markerDir, 0o755); err == nil {
		err = os.Chmod(markerDir, 0o1777)
	}
	if err != nil {
		fmt.Fprintln(os.Stderr, "make the fixture's markers directory:", err)
		return 1
	}
	testWritableDir = markerDir
	cmd := exec.Command("go", "build", "-o", dir, "./testdata/plugins/fixture", "./testdata/plugins/hostile")
	cmd.Stdout, cmd.Stderr = os.Stdout, os.Stderr
	if err := cmd.Run(); err != nil {
		fmt.Fprintln(os.Stderr, "build the test plugins:", err)
		return 1
	}
	return m.Run()
}

// copyFixture copies the fixture into a fresh directory (mode 0755, as
// the host refuses group-writable ones) under the name given and a unique
// suffix (the fixture's start-up behaviour depends on its name).
func copyFixture(t testing.TB, name string) string {
	t.Helper()
	data, err := os.ReadFile(fixturePath)
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	if err := os.Chmod(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(dir, name+"-"+rand.Text()[:12])
	if err := os.WriteFile(path, data, 0o755); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = os.Remove(startedMarker(path)) })
	return path
}

// markerDir is where a startonce copy of the fixture marks its start, and
// where a test's stand-in binaries leave a mark when they run: a directory
// every user may write to, which the tests add to what plugins may reach
// through their Landlock confinement (testWritableDir).
const markerDir = "/tmp/orgbaseline-fixture-markers"

// startedMarker is where a startonce copy of the fixture marks its start.
func startedMarker(path string) string {
	return filepath.Join(markerDir, filepath.Base(path)+".started")
}

func checksum(t testing.TB, path string) string {
	t.Helper()
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	s := sha256.Sum256(data)
	return hex.EncodeToString(s[:])
}

// fixtureActions are the IAM actions the fixture declares.
var fixtureActions = []string{"iam:ListUsers"}

// fixtureSpec is a pinned Spec of the fixture with config cfg (JSON),
// approved for the actions it declares.
func fixtureSpec(t testing.TB, name, cfg string) Spec {
	t.Helper()
	return Spec{Name: name, Path: fixturePath, SHA256: checksum(t, fixturePath), Actions: fixtureActions, Config: []byte(cfg), Timeout: 30 * time.Second, Concurrency: 4}
}

var testNow = time.Date(2026, 5, 1, 12, 0, 0, 0, time.UTC)

// open opens a Host that is closed when the test ends.
func open(t testing.TB, specs []Spec, o Options) *Host {
	t.Helper()
	if o.Now == nil {
		o.Now = func() time.Time { return testNow }
	}
	h, err := Open(context.Background(), specs, o)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(h.Close)
	return h
}

func account(id, name string) plugins.Account {
	return plugins.Account{ID: id, Name: name, OUPath: "/Workloads/Prod"}
}

var regions = []string{"us-east-1", "eu-west-1"}

// find returns the one finding with check id check.
func find(t testing.TB, fs []baseline.Finding, check string) baseline.Finding {
	t.Helper()
	var got []baseline.Finding
	for _, f := range fs {
		if f.Check == check {
			got = append(got, f)
		}
	}
	if len(got) != 1 {
		t.Fatalf("want one %s finding, got %d in %s", check, len(got), dump(fs))
	}
	return got[0]
}

func dump(fs []baseline.Finding) string {
	b, _ := json.MarshalIndent(fs, "", "  ")
	return string(b)
}

// pid is the plugin process that produced a fixture.env finding.
func pid(t testing.TB, fs []baseline.Finding) string {
	t.Helper()
	p, _ := find(t, fs, "fixture.env").Evidence["pid"].(string)
	if p == "" {
		t.Fatalf("no pid in %s", dump(fs))
	}
	return p
}

// logBuffer collects zerolog JSON lines from many goroutines.
type logBuffer struct {
	mu   sync.Mutex
	buf  bytes.Buffer
	cond *sync.Cond // signalled on every write; made by waitFor
}

func (b *logBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	if b.cond != nil {
		defer b.cond.Broadcast()
	}
	return b.buf.Write(p)
}

// waitFor returns once the log holds s. A plugin's plain stderr lines
// reach the host over go-plugin's stdio stream, apart from its answers:
// one written during a run may still be on its way when the run returns.
// A line that never comes hangs the test until its deadline.
func (b *logBuffer) waitFor(s string) {
	b.mu.Lock()
	defer b.mu.Unlock()
	if b.cond == nil {
		b.cond = sync.NewCond(&b.mu)
	}
	for !bytes.Contains(b.buf.Bytes(), []byte(s)) {
		b.cond.Wait()
	}
}

func (b *logBuffer) logger() zerolog.Logger {
	return zerolog.New(b).Level(zerolog.DebugLevel)
}

// lines returns the decoded log lines.
func (b *logBuffer) lines(t testing.TB) []map[string]any {
	t.Helper()
	b.mu.Lock()
	defer b.mu.Unlock()
	var out []map[string]any
	dec := json.NewDecoder(bytes.NewReader(b.buf.Bytes()))
	for {
		var m map[string]any
		if err := dec.Decode(&m); err == io.EOF {
			return out
		} else if err != nil {
			t.Fatalf("log line is not JSON: %v", err)
		}
		out = append(out, m)
	}
}

func mustContain(t testing.TB, s string, wants ...string) {
	t.Helper()
	for _, w := range wants {
		if !strings.Contains(s, w) {
			t.Errorf("missing %q in:\n%s", w, s)
		}
	}
}
