package pluginhost

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/orgbaseline/orgbaseline/baseline"
	"github.com/orgbaseline/orgbaseline/plugins"
)

func TestGoodPluginFindingsAreConverted(t *testing.T) {
	s := fixtureSpec(t, "good", `{"x":1}`)
	h := open(t, []Spec{s}, Options{Endpoint: "http://127.0.0.1:2"})

	ds := h.Plugins()
	if len(ds) != 1 || ds[0].Name != "good" || ds[0].Description.ID != "fixture" ||
		ds[0].SessionPolicy != `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":["iam:ListUsers"],"Resource":"*"}]}` {
		t.Fatalf("Plugins() = %+v", ds)
	}

	acct := account("111111111111", "alpha")
	fs := h.Run(context.Background(), acct, "us-east-1", regions)
	if len(fs) != 2 {
		t.Fatalf("want 2 findings, got %s", dump(fs))
	}
	env := fs[0].Evidence
	want := []baseline.Finding{{
		Check: "fixture.env", Source: "plugin:good", Account: "111111111111", AccountName: "alpha",
		Resource: "arn:aws:iam::111111111111:root", Status: baseline.StatusPass,
		Severity:   baseline.SeverityMedium, // the plugin's default
		Title:      "Test fixture",          // the description's, as the finding has none
		Message:    "ran in alpha",
		Compliance: []string{"CIS-3.0:1.15"}, // the description's, as the finding has none
		Evidence: map[string]any{
			"pid": env["pid"], "env": env["env"], "awsKeySeen": "false",
			"endpoint": "http://127.0.0.1:2", "now": "2026-05-01T12:00:00Z", "config": `{"x":1}`, "regions": "us-east-1,eu-west-1", "peak": "0",
		},
	}, {
		Check: "fixture.high", Source: "plugin:good", Account: "111111111111", AccountName: "alpha",
		Region: "us-east-1", Status: baseline.StatusFail, Severity: baseline.SeverityHigh,
		Title: "A failing finding", Compliance: []string{"SOC2:CC6.1"},
	}}
	if d := cmp.Diff(want, fs); d != "" {
		t.Fatalf("findings (-want +got):\n%s", d)
	}
}

func TestSeverityOverrideAppliesToEveryFinding(t *testing.T) {
	s := fixtureSpec(t, "loud", `{"failIn":"222222222222"}`)
	s.Severity = "critical"
	h := open(t, []Spec{s}, Options{})
	fs := append(h.Run(context.Background(), account("111111111111", "a"), "us-east-1", regions),
		h.Run(context.Background(), account("222222222222", "b"), "us-east-1", regions)...)
	if len(fs) != 3 {
		t.Fatalf("want 3 findings, got %s", dump(fs))
	}
	for _, f := range fs {
		if f.Severity != baseline.SeverityCritical {
			t.Errorf("%s has severity %s, want the override", f.Check, f.Severity)
		}
	}
}

func TestChecksumIsVerifiedBeforeAnythingIsLaunched(t *testing.T) {
	// startonce copies leave a marker file when started: none may appear.
	good := copyFixture(t, "fixture-startonce")
	unpinned := copyFixture(t, "fixture-startonce")
	tampered := copyFixture(t, "fixture-startonce")
	actual := checksum(t, good)
	specs := []Spec{
		{Name: "good", Path: good, SHA256: actual},
		{Name: "unpinned", Path: unpinned},
		{Name: "tampered", Path: tampered, SHA256: strings.Repeat("ab", 32)},
		{Name: "missing", Path: filepath.Join(t.TempDir(), "nope"), SHA256: actual},
	}
	_, err := Open(context.Background(), specs, Options{})
	if err == nil {
		t.Fatal("Open accepted an unpinned and a tampered plugin")
	}
	mustContain(t, err.Error(),
		"plugin unpinned ("+unpinned+") is not pinned", "add `sha256: "+actual+"`",
		"plugin tampered: "+tampered+" does not match its pinned checksum", "pinned sha256 "+strings.Repeat("ab", 32), "actual sha256 "+actual,
		"plugin missing: cannot read",
	)
	if strings.Contains(err.Error(), "plugin good") {
		t.Errorf("the good plugin was refused: %v", err)
	}
	for _, p := range []string{good, unpinned, tampered} {
		if _, err := os.Stat(startedMarker(p)); err == nil {
			t.Errorf("%s was launched although a checksum was refused", p)
		}
	}
}

func TestOpenRefusesABadDescription(t *testing.T) {
	path := copyFixture(t, "fixture-baddesc")
	_, err := Open(context.Background(), []Spec{{Name: "bad", Path: path, SHA256: checksum(t, path)}}, Options{})
	if err == nil {
		t.Fatal("Open accepted a plugin without a title and with a wildcard action")
	}
	mustContain(t, err.Error(), "plugin bad", "no title", `action "iam:*" is not of the form service:Action`)
}

func TestOpenRefusesABinaryThatIsNotAPlugin(t *testing.T) {
	path := filepath.Join(t.TempDir(), "not-a-plugin")
	if err := os.WriteFile(path, []byte("#!/bin/sh\necho hello\n"), 0o755); err != nil {
		t.Fatal(err)
	}
	_, err := Open(context.Background(), []Spec{{Name: "script", Path: path, SHA256: checksum(t, path)}}, Options{})
	if err == nil || !strings.Contains(err.Error(), "plugin script") {
		t.Fatalf("Open of a non-plugin: %v", err)
	}
}

func TestACrashIsAnErrorFindingAndTheNextAccountRuns(t *testing.T) {
	h := open(t, []Spec{fixtureSpec(t, "crashy", `{"crashIn":"222222222222"}`)}, Options{})
	ctx := context.Background()
	first := pid(t, h.Run(ctx, account("111111111111", "a"), "us-east-1", regions))

	fs := h.Run(ctx, account("222222222222", "b"), "us-east-1", regions)
	if len(fs) != 1 {
		t.Fatalf("want one ERROR finding, got %s", dump(fs))
	}
	f := fs[0]
	if f.Check != "crashy.run" || f.Status != baseline.StatusError || f.Source != "plugin:crashy" || f.Account != "222222222222" || f.AccountName != "b" || f.Severity != baseline.SeverityMedium {
		t.Fatalf("crash finding: %s", dump(fs))
	}
	mustContain(t, f.Message, "plugin crashy's process exited during its run in account 222222222222", "restarted")
	mustContain(t, f.Remediation, "crashed")

	again := pid(t, h.Run(ctx, account("333333333333", "c"), "us-east-1", regions))
	if again == first {
		t.Fatalf("the plugin was not restarted: same process %s", again)
	}
}

func TestAHangTimesOutAndTheOtherAccountsCarryOn(t *testing.T) {
	s := fixtureSpec(t, "hangs", `{"hangIn":"999999999999"}`)
	s.Timeout = 2 * time.Second
	h := open(t, []Spec{s}, Options{})
	ctx := context.Background()
	before := pid(t, h.Run(ctx, account("111111111111", "a"), "us-east-1", regions))

	// The hanging account runs alongside others; they are not held up by
	// it, and the process they share is stopped only once they are done.
	var wg sync.WaitGroup
	results := make([][]baseline.Finding, 12)
	for k := range results {
		id := fmt.Sprintf("%012d", 100+k)
		if k == 0 {
			id = "999999999999"
		}
		wg.Add(1)
		go func() {
			defer wg.Done()
			results[k] = h.Run(ctx, account(id, "n"), "us-east-1", regions)
		}()
	}
	wg.Wait()
	hung := results[0]
	if len(hung) != 1 || hung[0].Check != "hangs.run" || hung[0].Status != baseline.StatusError || hung[0].Account != "999999999999" {
		t.Fatalf("hung account: %s", dump(hung))
	}
	mustContain(t, hung[0].Message, "did not answer within its timeout of 2s in account 999999999999", "restarted")
	mustContain(t, hung[0].Remediation, "timeout")
	for _, fs := range results[1:] {
		if f := find(t, fs, "fixture.env"); f.Status != baseline.StatusPass {
			t.Fatalf("an account next to the hung one: %s", dump(fs))
		}
	}

	after := pid(t, h.Run(ctx, account("222222222222", "b"), "us-east-1", regions))
	if after == before {
		t.Fatalf("the hung process %s still serves calls", before)
	}
}

func TestBadAnswersErrorsAndPanicsAreErrorFindings(t *testing.T) {
	h := open(t, []Spec{fixtureSpec(t, "odd", `{"garbageIn":"222222222222","failIn":"333333333333","panicIn":"444444444444"}`)}, Options{})
	ctx := context.Background()
	first := pid(t, h.Run(ctx, account("111111111111", "a"), "us-east-1", regions))
	for _, tt := range []struct {
		account string
		want    []string
	}{
		{"222222222222", []string{"plugin odd returned a malformed answer in account 222222222222", `"MAYBE"`}},
		{"333333333333", []string{"plugin odd could not check account 333333333333", "the fixture refuses this account"}},
		{"444444444444", []string{"plugin odd panicked in account 444444444444", "the fixture panics here"}},
	} {
		fs := h.Run(ctx, account(tt.account, "x"), "us-east-1", regions)
		if len(fs) != 1 || fs[0].Check != "odd.run" || fs[0].Status != baseline.StatusError {
			t.Fatalf("account %s: %s", tt.account, dump(fs))
		}
		mustContain(t, fs[0].Message, tt.want...)
	}
	// None of these ended the process.
	if again := pid(t, h.Run(ctx, account("555555555555", "e"), "us-east-1", regions)); again != first {
		t.Fatalf("process changed from %s to %s though it never died", first, again)
	}
}

func TestAPluginThatKeepsFailingToStartIsGivenUp(t *testing.T) {
	// The startonce copy starts once (at Open) and refuses every restart.
	path := copyFixture(t, "fixture-startonce")
	h := open(t, []Spec{{Name: "flaky", Path: path, SHA256: checksum(t, path), Actions: fixtureActions, Config: []byte(`{"crashIn":"111111111111"}`)}}, Options{})
	ctx := context.Background()
	var msgs []string
	for k := range 5 {
		fs := h.Run(ctx, account(fmt.Sprintf("11111111111%d", k+1), "x"), "us-east-1", regions)
		if len(fs) != 1 || fs[0].Status != baseline.StatusError || fs[0].Check != "flaky.run" {
			t.Fatalf("run %d: %s", k, dump(fs))
		}
		msgs = append(msgs, fs[0].Message)
	}
	mustContain(t, msgs[0], "process exited during its run")
	mustContain(t, msgs[1], "did not run in account 111111111112: could not start")
	mustContain(t, msgs[3], "failed to start 3 times in a row")
	mustContain(t, msgs[4], "failed to start 3 times in a row", "not restarted again")
}

func TestTheHostEnvironmentDoesNotReachPlugins(t *testing.T) {
	t.Setenv("AWS_ACCESS_KEY_ID", "AKIAHOSTKEYLEAK00000")
	t.Setenv("AWS_SECRET_ACCESS_KEY", "host-secret")
	t.Setenv("AWS_PROFILE", "prod-admin")
	t.Setenv("ORGBASELINE_TEST_MARKER", "1")
	h := open(t, []Spec{fixtureSpec(t, "env", "")}, Options{})
	f := find(t, h.Run(context.Background(), account("111111111111", "a"), "us-east-1", regions), "fixture.env")
	if f.Evidence["awsKeySeen"] != "false" {
		t.Fatalf("the plugin sees AWS_ACCESS_KEY_ID: %v", f.Evidence)
	}
	// Only go-plugin's own variables and the host's (pluginEnv).
	for _, name := range strings.Split(f.Evidence["env"].(string), ",") {
		if name != plugins.Handshake.MagicCookieKey && !strings.HasPrefix(name, "PLUGIN_") &&
			name != "TMPDIR" && name != "HOME" && name != "AWS_EC2_METADATA_DISABLED" {
			t.Errorf("the host's %s reached the plugin (environment %s)", name, f.Evidence["env"])
		}
	}
}

func TestOneProcessServesManyAccountsConcurrently(t *testing.T) {
	s := fixtureSpec(t, "busy", "")
	s.Concurrency = 3
	other := fixtureSpec(t, "other", "")
	h := open(t, []Spec{s, other}, Options{})
	ctx := context.Background()
	const n = 40
	results := make([][]baseline.Finding, n)
	var wg sync.WaitGroup
	for k := range n {
		wg.Add(1)
		go func() {
			defer wg.Done()
			results[k] = h.Run(ctx, account(fmt.Sprintf("%012d", k+1), "acct"), "us-east-1", regions)
		}()
	}
	wg.Wait()
	pids := map[string]map[string]bool{}
	for k, fs := range results {
		if len(fs) != 4 || fs[0].Source != "plugin:busy" || fs[2].Source != "plugin:other" {
			t.Fatalf("account %d: findings not in declaration order: %s", k, dump(fs))
		}
		for _, f := range fs {
			if f.Status == baseline.StatusError || f.Account != fmt.Sprintf("%012d", k+1) {
				t.Fatalf("account %d: %s", k, dump(fs))
			}
			if f.Check == "fixture.env" {
				if pids[f.Source] == nil {
					pids[f.Source] = map[string]bool{}
				}
				pids[f.Source][f.Evidence["pid"].(string)] = true
			}
		}
	}
	if len(pids["plugin:busy"]) != 1 || len(pids["plugin:other"]) != 1 {
		t.Fatalf("want one process per plugin, got %v", pids)
	}
}

func TestAtMostConcurrencyCallsAreInFlight(t *testing.T) {
	// Runs wait for each other in threes: with a limit below 3 they would
	// time out, above 3 the plugin would see more than 3 at once.
	s := fixtureSpec(t, "limited", `{"group":3}`)
	s.Concurrency = 3
	h := open(t, []Spec{s}, Options{})
	results := make([][]baseline.Finding, 9)
	var wg sync.WaitGroup
	for k := range results {
		wg.Add(1)
		go func() {
			defer wg.Done()
			results[k] = h.Run(context.Background(), account(fmt.Sprintf("%012d", k+1), "acct"), "us-east-1", regions)
		}()
	}
	wg.Wait()
	most := ""
	for _, fs := range results {
		f := find(t, fs, "fixture.env")
		if peak := f.Evidence["peak"].(string); peak > "3" || len(peak) != 1 {
			t.Fatalf("the plugin saw %s calls at once with a limit of 3", peak)
		} else if peak > most {
			most = peak
		}
	}
	if most != "3" {
		t.Fatalf("at most %s calls were in flight at once, want 3", most)
	}
}

func TestCredentialsComeFromTheSourceWithThePluginsPolicy(t *testing.T) {
	var mu sync.Mutex
	var got []CredentialRequest
	src := func(_ context.Context, req CredentialRequest) (plugins.Credentials, error) {
		mu.Lock()
		defer mu.Unlock()
		got = append(got, req)
		if req.Account == "222222222222" {
			return plugins.Credentials{}, fmt.Errorf("assume role in %s: AccessDenied", req.Account)
		}
		return plugins.Credentials{AccessKeyID: "ASIA", SecretAccessKey: "s", SessionToken: "t"}, nil
	}
	h := open(t, []Spec{fixtureSpec(t, "creds", "")}, Options{Credentials: src})
	ctx := context.Background()
	if f := find(t, h.Run(ctx, account("111111111111", "a"), "us-east-1", regions), "fixture.env"); f.Status != baseline.StatusPass {
		t.Fatal(dump([]baseline.Finding{f}))
	}
	fs := h.Run(ctx, account("222222222222", "b"), "us-east-1", regions)
	if len(fs) != 1 || fs[0].Check != "creds.run" || fs[0].Status != baseline.StatusError {
		t.Fatalf("no credentials: %s", dump(fs))
	}
	mustContain(t, fs[0].Message, "could not get credentials for plugin creds in account 222222222222: assume role in 222222222222: AccessDenied")
	policy := h.Plugins()[0].SessionPolicy
	want := []CredentialRequest{
		{Plugin: "creds", Account: "111111111111", Policy: policy, ValidFor: 30 * time.Second},
		{Plugin: "creds", Account: "222222222222", Policy: policy, ValidFor: 30 * time.Second},
	}
	if d := cmp.Diff(want, got); d != "" {
		t.Fatalf("credential requests (-want +got):\n%s", d)
	}
}

func TestRunAfterCloseIsAnErrorFinding(t *testing.T) {
	h := open(t, []Spec{fixtureSpec(t, "closed", "")}, Options{})
	h.Close()
	h.Close()
	fs := h.Run(context.Background(), account("111111111111", "a"), "us-east-1", regions)
	if len(fs) != 1 || fs[0].Status != baseline.StatusError {
		t.Fatalf("run after close: %s", dump(fs))
	}
	mustContain(t, fs[0].Message, "closed")
}

func TestPluginLogLinesReachZerolog(t *testing.T) {
	var buf logBuffer
	h := open(t, []Spec{fixtureSpec(t, "talky", "")}, Options{Log: buf.logger()})
	h.Run(context.Background(), account("111111111111", "a"), "us-east-1", regions)
	buf.waitFor("a plain stderr line from 111111111111") // on its way apart from the answer
	h.Close()
	var structured, plain bool
	for _, l := range buf.lines(t) {
		if l["plugin"] != "talky" {
			t.Errorf("a line without plugin=talky: %v", l)
		}
		switch l["message"] {
		case "checking account":
			structured = l["account"] == "111111111111" && l["level"] == "info"
		case "[WARN] a plain stderr line from 111111111111":
			plain = l["level"] == "warn"
		}
	}
	if !structured || !plain {
		t.Fatalf("plugin lines missing (structured %v, plain %v):\n%s", structured, plain, buf.buf.String())
	}
}

// One process serves every account, so a crash fails every call in flight
// on it; the accounts that did not cause it are retried alone on the new
// process and keep their findings. Only the crashing account gets an ERROR.
func TestACrashStaysWithTheAccountThatCausedIt(t *testing.T) {
	s := fixtureSpec(t, "crashy", `{"crashIn":"111111111113"}`)
	s.Concurrency = 8
	h := open(t, []Spec{s}, Options{})
	var wg sync.WaitGroup
	results := make([][]baseline.Finding, 8)
	for k := range results {
		wg.Add(1)
		go func() {
			defer wg.Done()
			results[k] = h.Run(context.Background(), account(fmt.Sprintf("11111111111%d", k), "x"), "us-east-1", regions)
		}()
	}
	wg.Wait()
	for k, fs := range results {
		crashed := len(fs) == 1 && fs[0].Status == baseline.StatusError && strings.Contains(fs[0].Message, "process exited during its run")
		if crashed != (k == 3) {
			t.Errorf("account %d: %s", k, dump(fs))
		}
	}
}
