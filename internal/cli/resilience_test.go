package cli

import (
	"bytes"
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/orgbaseline/orgbaseline/internal/orgsim"
)

// newHarnessWith is newHarness with orgsim options (a clock, a Sleep hook)
// and, optionally, a handler in front of orgsim that sees every request.
func newHarnessWith(t *testing.T, o orgsim.Options, front ...func(http.Handler) http.Handler) *harness {
	t.Helper()
	if o.Seed == 0 {
		o.Seed = 42
	}
	sim := orgsim.New(o)
	var handler http.Handler = sim
	for _, f := range front {
		handler = f(handler)
	}
	srv := httptest.NewServer(handler)
	t.Cleanup(srv.Close)
	h := &harness{t: t, sim: sim, url: srv.URL, dir: t.TempDir()}
	h.setEnv(srv.URL, sim.ManagementCredentials())
	return h
}

// runCtx runs orgbaseline with a context the test controls.
func (h *harness) runCtx(ctx context.Context, args ...string) result {
	h.t.Helper()
	var out, errb bytes.Buffer
	a := &app{stdin: strings.NewReader(""), stdout: &out, stderr: &errb, getenv: os.Getenv, sleep: h.sim.Sleep}
	code := a.run(ctx, append(args, "--log-format", "json"))
	return result{code, out.String(), readable(errb.String())}
}

// assumeFailed lists the accounts whose assume failure the output reports.
func assumeFailed(h *harness, out string) map[string]bool {
	got := map[string]bool{}
	for _, id := range activeMembers(h.sim, "") {
		if strings.Contains(out, "assume arn:aws:iam::"+id+":role/OrganizationAccountAccessRole in account "+id) {
			got[id] = true
		}
	}
	return got
}

// leftToDo plans with faults off and returns the accounts that still have
// changes or errors.
func leftToDo(t *testing.T, h *harness, f string) map[string]string {
	t.Helper()
	h.sim.SetFaults(orgsim.Faults{})
	planFile := filepath.Join(h.dir, fmt.Sprintf("plan-%d.json", time.Now().UnixNano()))
	r := h.run("plan", "-f", f, "-out", planFile)
	if r.code != ExitOK && r.code != ExitError {
		h.want(r, ExitOK)
	}
	left := map[string]string{}
	for _, a := range readPlan(t, planFile).Accounts {
		switch {
		case a.Error != "":
			left[a.Account] = a.Error
		case len(a.Changes) > 0:
			left[a.Account] = fmt.Sprintf("%d change(s)", len(a.Changes))
		}
	}
	return left
}

// AssumeRole failing in some accounts leaves exactly those reported; every
// other account converges.
func TestMissingRoleReportsExactlyThoseAccounts(t *testing.T) {
	h := newHarness(t, orgsim.OrgSpec{Members: 12, MissingRole: 3, Clean: true})
	f := h.write("baseline.yaml", passwordBaseline)
	r := h.run("apply", "-f", f, "--auto-approve")
	h.want(r, ExitError)
	broken := assumeFailed(h, r.stdout)
	if len(broken) != 3 {
		t.Fatalf("%d accounts reported an assume failure, want 3:\n%s", len(broken), r.stdout)
	}
	left := leftToDo(t, h, f)
	for id := range broken {
		if left[id] == "" {
			t.Errorf("account %s without the role has nothing left to do", id)
		}
	}
	for id, why := range left {
		if !broken[id] {
			t.Errorf("account %s did not converge: %s", id, why)
		}
	}
}

// --max-failed-accounts stops starting accounts once more than N have
// failed, says so, exits 1, and accounts for every account.
func TestMaxFailedAccountsStopsLaunching(t *testing.T) {
	h := newHarness(t, orgsim.OrgSpec{Members: 10, MissingRole: 4, Clean: true})
	f := h.write("baseline.yaml", passwordBaseline)
	r := h.run("apply", "-f", f, "--auto-approve", "--concurrency", "1", "--max-failed-accounts", "2")
	h.want(r, ExitError)
	out := r.stdout + r.stderr
	const why = "more than 2 account(s) failed (--max-failed-accounts 2)"
	if !strings.Contains(r.stderr, "stopped: "+why) {
		t.Errorf("the run does not say why it stopped:\n%s", r.stderr)
	}
	broken := assumeFailed(h, r.stdout)
	if len(broken) != 3 {
		t.Errorf("%d accounts failed to assume, want 3 (the 4th is never started):\n%s", len(broken), r.stdout)
	}
	// Every account is accounted for: failed, or not started, by name.
	notStarted := 0
	for _, id := range activeMembers(h.sim, "") {
		if !strings.Contains(out, id) {
			t.Errorf("account %s is missing from the report", id)
		}
	}
	notStarted = strings.Count(out, "not started: "+why)
	if want := len(activeMembers(h.sim, "")) - 3; notStarted < want {
		t.Errorf("%d account(s) reported not started, want at least %d:\n%s", notStarted, want, out)
	}
	// Nothing was written after the stop.
	if w := h.sim.Counters().Calls("iam", "UpdateAccountPasswordPolicy"); w != 0 {
		t.Errorf("%d password policy writes after the run stopped", w)
	}
	// A bad value is refused before any AWS call.
	h.want(h.run("plan", "-f", f, "--max-failed-accounts", "x%"), ExitError)
	// Percentages: 20% of 10 is 2, the same stop.
	r = h.run("plan", "-f", f, "--concurrency", "1", "--max-failed-accounts", "20%")
	h.want(r, ExitError)
	if !strings.Contains(r.stdout+r.stderr, "more than 2 account(s) failed (--max-failed-accounts 20%)") {
		t.Errorf("20%% of 10 accounts did not stop after 2:\n%s\n%s", r.stdout, r.stderr)
	}
}

// SIGINT or SIGTERM during apply (the context cancelled, as
// cmd/orgbaseline does on either): no new change is started, the change in
// flight finishes, the report says what was applied and what was not, the
// exit code is 1, and a re-run converges with no duplicate writes.
func TestInterruptedApplyFinishesInFlightAndConverges(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	var once sync.Once
	h := newHarnessWith(t, orgsim.Options{
		Org: orgsim.OrgSpec{Members: 12, Clean: true},
		// The password policy write carries a token latency; when orgsim
		// is about to answer the first one, the run is interrupted. The
		// write itself is then in flight.
		Sleep: func(d time.Duration, done <-chan struct{}) {
			if d > 0 {
				once.Do(cancel)
			}
		},
	})
	f := h.write("baseline.yaml", passwordBaseline)
	members := activeMembers(h.sim, "")
	h.sim.SetFaults(orgsim.Faults{Rules: []orgsim.FaultRule{{Service: "iam", Operation: "UpdateAccountPasswordPolicy", Latency: time.Nanosecond}}})

	r := h.runCtx(ctx, "apply", "-f", f, "--auto-approve", "--concurrency", "3")
	h.want(r, ExitError)
	writes := h.sim.Counters().Calls("iam", "UpdateAccountPasswordPolicy")
	if writes < 1 || writes >= int64(len(members)) {
		t.Fatalf("%d password policy writes, want between 1 and %d", writes, len(members)-1)
	}
	// Every write that started finished and is reported applied; the
	// summary counts applied, failed and not started apart, and never
	// says complete. The accounts never started are counted, not listed.
	want := fmt.Sprintf("Apply interrupted: %d of %d change(s) applied in %d account(s); 0 failed; %d not started", writes, len(members), len(members), int64(len(members))-writes)
	if !strings.Contains(r.stdout, want) {
		t.Fatalf("the summary is not %q:\n%s", want, r.stdout)
	}
	if !strings.Contains(r.stderr, "interrupted: ") {
		t.Errorf("the error does not say the run was interrupted:\n%s", r.stderr)
	}
	for _, bad := range []string{"Apply complete", "not started: interrupted", "not applied: interrupted", "context canceled"} {
		if strings.Contains(r.stdout+r.stderr, bad) {
			t.Errorf("the interrupted apply says %q:\n%s\n%s", bad, r.stdout, r.stderr)
		}
	}
	if applied := strings.Count(r.stdout, ": 1 of 1 change(s) applied"); int64(applied) != writes {
		t.Errorf("%d account(s) reported applied, but %d writes were made:\n%s", applied, writes, r.stdout)
	}
	// The writes made are in place: only the others are left.
	left := leftToDo(t, h, f)
	if int64(len(left)) != int64(len(members))-writes {
		t.Errorf("%d account(s) left to do after %d writes over %d accounts: %v", len(left), writes, len(members), left)
	}

	// A re-run converges, writing only where the policy is missing.
	h.sim.ResetCounters()
	h.want(h.run("apply", "-f", f, "--auto-approve"), ExitOK)
	if w := h.sim.Counters().Calls("iam", "UpdateAccountPasswordPolicy"); w != int64(len(left)) {
		t.Errorf("the re-run made %d password policy writes, want %d (one per account left)", w, len(left))
	}
	if left := leftToDo(t, h, f); len(left) != 0 {
		t.Errorf("not converged after the re-run: %v", left)
	}
}

// resilienceAccounts is how many member accounts the fault test runs over.
// 500 took about 50 s (the SDK's backoff waits on the wall clock), so the
// test runs over fewer; the faults are the same.
const resilienceAccounts = 200

// With 5% transient 5xx errors and throttling far tighter than AWS's, an
// apply ends with every account converged or reported with its error, a
// second run converges, and nothing is written twice.
func TestApplyUnderFaultsAccountsForEveryAccount(t *testing.T) {
	if testing.Short() {
		t.Skip("many accounts")
	}
	h := newHarness(t, orgsim.OrgSpec{Members: resilienceAccounts, Clean: true})
	f := h.write("baseline.yaml", passwordBaseline)
	members := activeMembers(h.sim, "")
	faults := orgsim.Faults{Rules: []orgsim.FaultRule{
		{ErrorRate: 0.05},
		{Service: "organizations", RPS: 10, Burst: 10}, // AWS: about 20
		{Service: "sts", RPS: 100, Burst: 50},          // AWS: 600
		{Service: "iam", RPS: 2, Burst: 1},             // AWS: about 20
	}}
	h.sim.SetFaults(faults)
	start := time.Now()
	r := h.run("apply", "-f", f, "--auto-approve", "--summary", "--max-attempts", "10", "--concurrency", "20")
	t.Logf("apply over %d accounts under faults: %v, exit %d; %d calls, %d throttled, %d faulted",
		len(members), time.Since(start).Round(time.Millisecond), r.code, h.sim.Counters().Total(), h.sim.Counters().Throttled(), h.sim.Counters().Faulted())
	if r.code != ExitOK && r.code != ExitError {
		h.want(r, ExitOK)
	}
	writes := h.sim.Counters().Calls("iam", "UpdateAccountPasswordPolicy")
	// Every account that is not converged was reported with its error.
	left := leftToDo(t, h, f)
	if done := int64(len(members) - len(left)); writes < done || writes > int64(len(members))*10 {
		t.Errorf("%d password policy writes for %d accounts converged, at most 10 attempts each over %d", writes, done, len(members))
	}
	for id, why := range left {
		if !strings.Contains(r.stdout, id) {
			t.Errorf("account %s did not converge (%s) but the apply did not report it", id, why)
		}
	}
	if r.code == ExitOK && len(left) > 0 {
		t.Errorf("apply exited 0 but %d account(s) did not converge", len(left))
	}
	// The second run converges; the policy is a singleton, so there is no
	// duplicate to find, and a converged run writes nothing.
	h.sim.SetFaults(faults)
	h.sim.ResetCounters()
	start = time.Now()
	r = h.run("apply", "-f", f, "--auto-approve", "--summary", "--max-attempts", "10", "--concurrency", "20")
	t.Logf("second apply: %v, exit %d", time.Since(start).Round(time.Millisecond), r.code)
	h.want(r, ExitOK)
	if w := h.sim.Counters().Calls("iam", "UpdateAccountPasswordPolicy"); w > int64(len(left))*10 {
		t.Errorf("second apply made %d writes for %d account(s) left", w, len(left))
	}
	h.sim.ResetCounters()
	if left := leftToDo(t, h, f); len(left) != 0 {
		t.Errorf("not converged after the second run: %v", left)
	}
	if w := h.sim.Counters().Writes(); w != 0 {
		t.Errorf("a converged plan made %d writes", w)
	}
}
