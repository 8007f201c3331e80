package cli

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"net/http"
	"runtime"
	"strings"
	"sync"
	"sync/atomic"
	"testing"

	"github.com/aws/aws-sdk-go-v2/service/organizations"

	"github.com/orgbaseline/orgbaseline/internal/awsapi"
	"github.com/orgbaseline/orgbaseline/internal/orgsim"
	"github.com/orgbaseline/orgbaseline/orgwalk"
)

// listingGate stands in front of orgsim and holds the account listings
// (ListAccountsForParent) of some OUs until a condition is met; it tells
// which AWS service each request is signed for.
type listingGate struct {
	// hold says whether a listing of parent must wait; release is closed
	// to let the held listings go.
	hold    func(parent string) bool
	release chan struct{}
	once    sync.Once

	mu     sync.Mutex
	held   int
	served map[string]int // by service, while a listing was held
	// onServed hears of every request answered, with its HTTP status.
	onServed func(service, target, parent string, status int)
}

// statusRecorder keeps the status a handler answered with.
type statusRecorder struct {
	http.ResponseWriter
	status int
}

func (s *statusRecorder) WriteHeader(code int) {
	s.status = code
	s.ResponseWriter.WriteHeader(code)
}

func newListingGate(hold func(parent string) bool) *listingGate {
	return &listingGate{hold: hold, release: make(chan struct{}), served: map[string]int{}}
}

func (g *listingGate) open() {
	g.mu.Lock()
	defer g.mu.Unlock()
	g.once.Do(func() { close(g.release) })
}

// count is how many requests for service were served while a listing was
// held, since the last reset.
func (g *listingGate) count(service string) int {
	g.mu.Lock()
	defer g.mu.Unlock()
	return g.served[service]
}

// reset forgets the counts and holds the listings again.
func (g *listingGate) reset() {
	g.mu.Lock()
	defer g.mu.Unlock()
	g.served = map[string]int{}
	g.once, g.release = sync.Once{}, make(chan struct{})
}

// service is the signing name of a request (iam, sts, config, ...).
func service(r *http.Request) string {
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

func (g *listingGate) front(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		svc, target, parent := service(r), r.Header.Get("X-Amz-Target"), ""
		if strings.HasSuffix(target, ".ListAccountsForParent") {
			body, _ := io.ReadAll(r.Body)
			r.Body = io.NopCloser(bytes.NewReader(body))
			var in struct{ ParentId string }
			json.Unmarshal(body, &in)
			parent = in.ParentId
			if g.hold(parent) {
				g.mu.Lock()
				g.held++
				g.mu.Unlock()
				g.mu.Lock()
				release := g.release
				g.mu.Unlock()
				select {
				case <-release:
				case <-r.Context().Done():
					return
				}
				g.mu.Lock()
				g.held--
				g.mu.Unlock()
			}
		}
		g.mu.Lock()
		if g.held > 0 {
			g.served[svc]++
		}
		g.mu.Unlock()
		rec := &statusRecorder{ResponseWriter: w, status: http.StatusOK}
		next.ServeHTTP(rec, r)
		g.mu.Lock()
		onServed := g.onServed
		g.mu.Unlock()
		if onServed != nil {
			onServed(svc, target, parent, rec.status)
		}
	})
}

// plan and check work on the accounts the walk has found while it is
// still reading the rest: here the listings of every OU but /Security are
// held until an account's password policy has been read, which only an
// account found in /Security can be by then. (A run that waited for the
// whole organization before starting any account would wait here for
// ever; the test binary's timeout would report it.)
func TestAccountsAreWorkedOnWhileTheWalkGoesOn(t *testing.T) {
	var security, root atomic.Value // set once the organization is made
	g := newListingGate(func(parent string) bool { return parent != security.Load() && parent != root.Load() })
	g.onServed = func(service, _, _ string, _ int) { // before any request
		if service == "iam" {
			g.open()
		}
	}
	h := newHarnessWith(t, orgsim.Options{Org: orgsim.OrgSpec{Members: 12, ExtraOUs: 2, Clean: true}}, g.front)
	sec, _ := h.sim.OUID("/Security")
	security.Store(sec)
	root.Store(h.sim.RootID())
	f := h.write("baseline.yaml", passwordBaseline)
	for _, cmd := range []string{"plan", "check"} {
		g.reset()
		r := h.run(cmd, "-f", f, "--format", "json")
		if r.code != ExitOK && r.code != ExitFindings {
			h.want(r, ExitOK)
		}
		if g.count("iam") == 0 {
			t.Errorf("%s: no account was read while the walk was held", cmd)
		}
		for _, id := range activeMembers(h.sim, "") {
			if !strings.Contains(r.stdout, id) {
				t.Errorf("%s: account %s is missing from the output", cmd, id)
			}
		}
	}
}

// Accounts found before the account aliases (organization.accounts) wait
// for them: here /Security, where Log Archive and Audit are, is listed
// last, and no account is read before it is; the accounts found earlier
// are then read with the aliases (Config's central bucket is the Log
// Archive account's).
func TestAccountsWaitForTheirAliases(t *testing.T) {
	var security atomic.Value // set once the test has counted the listings
	security.Store("")
	var listings, others atomic.Int64
	g := newListingGate(func(parent string) bool { return parent == security.Load() })
	h := newHarnessWith(t, orgsim.Options{Org: orgsim.OrgSpec{Members: 12, ExtraOUs: 2, Clean: true}}, g.front)
	// The other parents' listings (one page each at this size), counted
	// before the gate holds anything.
	cfg, err := awsapi.Load(context.Background(), awsapi.Options{Region: "us-east-1"})
	if err != nil {
		t.Fatal(err)
	}
	org, err := orgwalk.Discover(context.Background(), organizations.NewFromConfig(cfg), orgwalk.DiscoverOptions{})
	if err != nil {
		t.Fatal(err)
	}
	listings.Store(int64(len(org.OUs))) // root and every OU, less /Security
	sec, _ := h.sim.OUID("/Security")
	g.mu.Lock()
	g.onServed = func(_, target, parent string, _ int) {
		if strings.HasSuffix(target, ".ListAccountsForParent") && parent != sec && others.Add(1) == listings.Load() {
			g.open()
		}
	}
	g.mu.Unlock()
	security.Store(sec)
	f := h.write("baseline.yaml", fullBaseline)
	r := h.run("plan", "-f", f, "--format", "json")
	h.want(r, ExitOK)
	for _, svc := range []string{"sts", "iam", "config", "access-analyzer", "cloudtrail"} {
		if n := g.count(svc); n > 0 {
			t.Errorf("%d %s call(s) before the aliases' accounts were found", n, svc)
		}
	}
	bucket := "orgbaseline-config-" + h.accountID("Log Archive") + "-us-east-1"
	if !strings.Contains(r.stdout, bucket) {
		t.Errorf("the plan does not deliver Config to %s:\n%s", bucket, r.stdout)
	}
	if strings.Contains(r.stdout, `"error"`) {
		t.Errorf("the plan has errors:\n%s", r.stdout)
	}
}

// --max-failed-accounts P% is a percentage of every targeted account when
// the accounts are worked on as the walk finds them: here the OUs holding
// the accounts without the role are listed first and the others held
// until two of those have failed; 4 failures of 20 (20%) do not stop the
// run, 5 do. (TestPercentWaitsForTheWalk shows the wait itself.)
func TestMaxFailedPercentIsOfEveryTargetedAccount(t *testing.T) {
	for _, tc := range []struct {
		missing int
		stops   bool
	}{{4, false}, {5, true}} {
		var first sync.Map // parents listed at once: root, and where the broken accounts are
		var denied atomic.Int64
		g := newListingGate(func(parent string) bool { _, ok := first.Load(parent); return !ok })
		g.onServed = func(service, _, _ string, status int) { // before any request
			if service == "sts" && status == http.StatusForbidden && denied.Add(1) == 2 {
				g.open()
			}
		}
		h := newHarnessWith(t, orgsim.Options{Org: orgsim.OrgSpec{Members: 20, MissingRole: tc.missing, Clean: true}}, g.front)
		first.Store(h.sim.RootID(), true)
		accounts := h.sim.Accounts()
		for _, a := range accounts[len(accounts)-tc.missing:] {
			first.Store(a.ParentID, true)
		}
		f := h.write("baseline.yaml", passwordBaseline)
		r := h.run("plan", "-f", f, "--concurrency", "1", "--max-failed-accounts", "20%")
		h.want(r, ExitError)
		out := r.stdout + r.stderr
		const why = "more than 4 account(s) failed (--max-failed-accounts 20%)"
		if got := strings.Contains(out, why); got != tc.stops {
			t.Errorf("%d of 20 accounts without the role: stopped %v, want %v:\n%s", tc.missing, got, tc.stops, out)
		}
		if !tc.stops && strings.Contains(out, "not started") {
			t.Errorf("%d of 20 accounts without the role: some accounts were not started:\n%s", tc.missing, out)
		}
		if n := len(assumeFailed(h, r.stdout)); !tc.stops && n != tc.missing || tc.stops && n != 5 {
			t.Errorf("%d of 20 accounts without the role: %d reported", tc.missing, n)
		}
		if denied.Load() < 2 {
			t.Errorf("%d of 20 accounts without the role: the listings were never held", tc.missing)
		}
	}
}

// While the walk goes on, failures above P% of the accounts found so far
// wait for it to end before they stop the run: the limit is of all the
// targeted accounts, which may be more.
func TestPercentWaitsForTheWalk(t *testing.T) {
	w := &pendingWalk{done: make(chan struct{}), targeted: 9}
	env := &runEnv{walk: w, maxFailed: &maxFailed{n: 20, percent: true}, maxFailedFlag: "20%"}
	answer := make(chan error, 1)
	go func() { answer <- env.stopStarting(2) }() // 2 > 20% of 9
	for waiting := 0; waiting == 0; {
		select {
		case err := <-answer:
			t.Fatalf("answered before the walk ended: %v", err)
		default:
			runtime.Gosched()
		}
		w.mu.Lock()
		waiting = w.waiting
		w.mu.Unlock()
	}
	// The walk ends with 20 targeted accounts: 2 is not more than 4.
	env.sel = &orgwalk.Selection{Targets: make([]*orgwalk.Account, 20)}
	close(w.done)
	if err := <-answer; err != nil {
		t.Fatalf("stopped on 20%% of the accounts found so far: %v", err)
	}
	if err := env.stopStarting(5); err == nil || !strings.Contains(err.Error(), "more than 4 account(s) failed (--max-failed-accounts 20%)") {
		t.Fatalf("5 of 20 failed at 20%%: %v", err)
	}
	// An absolute limit does not wait: it does not depend on the total.
	w2 := &pendingWalk{done: make(chan struct{}), targeted: 9}
	env2 := &runEnv{walk: w2, maxFailed: &maxFailed{n: 1}, maxFailedFlag: "1"}
	if err := env2.stopStarting(2); err == nil {
		t.Fatal("2 failed with --max-failed-accounts 1 did not stop")
	}
}

// SIGINT or SIGTERM while the organization is still being read (and some
// accounts already planned): apply stops, says nothing was changed, and
// exits 1; nothing was written.
func TestInterruptedWhileReadingTheOrganization(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	var security atomic.Value
	security.Store("")
	g := newListingGate(func(parent string) bool {
		if parent == security.Load() {
			return false
		}
		cancel() // the interruption comes while this listing is held
		return true
	})
	h := newHarnessWith(t, orgsim.Options{Org: orgsim.OrgSpec{Members: 12, ExtraOUs: 2, Clean: true}}, g.front)
	sec, _ := h.sim.OUID("/Security")
	security.Store(sec)
	f := h.write("baseline.yaml", passwordBaseline)
	r := h.runCtx(ctx, "apply", "-f", f, "--auto-approve")
	h.want(r, ExitError)
	if !strings.Contains(r.stderr, "interrupted while reading the organization: nothing was changed") {
		t.Errorf("the run does not say it was interrupted while reading:\n%s", r.stderr)
	}
	if w := h.sim.Counters().Writes(); w != 0 {
		t.Errorf("%d write calls after an interruption before the plan was made", w)
	}
}
