package cli

import (
	"bytes"
	"context"
	"io"
	"net/http"
	"os"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/config"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/organizations"

	"github.com/orgbaseline/orgbaseline/baseline/controls"
	"github.com/orgbaseline/orgbaseline/internal/orgsim"
)

// An SCP baseline: its organization scope is the only thing to apply.
const leaseBaseline = `version: 1
controls:
  serviceControlPolicies:
    policies:
      - name: deny-leave
        document: '{"Version":"2012-10-17","Statement":[{"Effect":"Deny","Action":"organizations:LeaveOrganization","Resource":"*"}]}'
        targets: [root]
`

// runLease runs orgbaseline with the lease judged on orgsim's clock (which
// the runs' waits move on), safe to call from several goroutines.
func (h *harness) runLease(ctx context.Context, ttl time.Duration, args ...string) result {
	h.t.Helper()
	var out, errb syncBuffer
	a := &app{stdin: strings.NewReader(""), stdout: &out, stderr: &errb, getenv: os.Getenv, sleep: h.sim.Sleep,
		lease: leaseOptions{clock: h.sim.Now, ttl: ttl}}
	code := a.run(ctx, append(args, "--log-format", "json"))
	return result{code, out.String(), errb.String()}
}

type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

// mgmtOrgs is an Organizations client of the management account, as
// someone other than the tool.
func (h *harness) mgmtOrgs() *organizations.Client {
	h.t.Helper()
	c := h.sim.ManagementCredentials()
	cfg, err := config.LoadDefaultConfig(context.Background(), config.WithRegion("us-east-1"), config.WithBaseEndpoint(h.url),
		config.WithCredentialsProvider(credentials.NewStaticCredentialsProvider(c.AccessKeyID, c.SecretAccessKey, c.SessionToken)))
	if err != nil {
		h.t.Fatal(err)
	}
	return organizations.NewFromConfig(cfg)
}

// lease reads the lease policy as it stands; nil when there is none.
func (h *harness) lease() *foundLease {
	h.t.Helper()
	f, err := readLease(context.Background(), h.mgmtOrgs(), &awsClock{fixed: h.sim.Now})
	if err != nil {
		h.t.Fatal(err)
	}
	return f
}

// deadRun leaves a lease as a run that crashed holding it would: taken
// now on orgsim's clock, for ttl.
func (h *harness) deadRun(run string, ttl time.Duration) {
	h.t.Helper()
	_, err := acquireLease(context.Background(), h.mgmtOrgs(), &awsClock{fixed: h.sim.Now},
		leaseParams{holder: "ci-runner-7 (crashed)", run: run, ttl: ttl, sleep: h.sim.Sleep})
	if err != nil {
		h.t.Fatal(err)
	}
}

// orgWrites counts the calls to Organizations write operations other
// than the lease's own (CreatePolicy of the lease, UpdatePolicy and
// DeletePolicy of it cannot be told apart by counters, so the baseline
// here makes none of those but CreatePolicy; see callers).
func orgWrites(sn orgsim.Snapshot, except ...string) int64 {
	var n int64
	skip := map[string]bool{}
	for _, e := range except {
		skip[e] = true
	}
	for _, r := range sn {
		if r.Service == "organizations" && r.Write && !skip[r.Operation] {
			n += r.Calls
		}
	}
	return n
}

// orgGate holds the first Organizations request whose target and body
// match, until release is closed; held is closed once it is held.
type orgGate struct {
	match    func(target, body string) bool
	held     chan struct{}
	release  chan struct{}
	once     sync.Once
	openOnce sync.Once
}

func newOrgGate(match func(target, body string) bool) *orgGate {
	return &orgGate{match: match, held: make(chan struct{}), release: make(chan struct{})}
}

func (g *orgGate) open() { g.openOnce.Do(func() { close(g.release) }) }

func (g *orgGate) front(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		target := r.Header.Get("X-Amz-Target")
		if strings.HasPrefix(target, "AWSOrganizationsV20161128.") {
			body, err := io.ReadAll(r.Body)
			if err != nil {
				http.Error(w, err.Error(), http.StatusBadRequest)
				return
			}
			r.Body = io.NopCloser(bytes.NewReader(body))
			hold := false
			if g.match(target, string(body)) {
				g.once.Do(func() { hold = true })
			}
			if hold {
				close(g.held)
				<-g.release
			}
		}
		next.ServeHTTP(w, r)
	})
}

// TestSecondApplyIsBlockedByTheLease: while one apply is in its
// organization-scope phase, a second apply (another baseline) fails
// naming the holder, its run and the lease's expiry, having written
// nothing at organization scope but its attempt at the lease; the first
// one finishes and releases the lease.
func TestSecondApplyIsBlockedByTheLease(t *testing.T) {
	// A's first write of its organization scope (after its lease) waits
	// at the gate until B has run.
	g := newOrgGate(func(target, body string) bool {
		return strings.HasSuffix(target, ".EnablePolicyType") || strings.HasSuffix(target, ".AttachPolicy") ||
			(strings.HasSuffix(target, ".CreatePolicy") && !strings.Contains(body, controls.LeasePolicyName))
	})
	h := newHarnessWith(t, orgsim.Options{Org: orgsim.OrgSpec{Members: 3, Clean: true}}, g.front)
	t.Cleanup(g.open) // before the server's Close, which waits for the request held
	fa := h.write("a.yaml", leaseBaseline)
	fb := h.write("b.yaml", strings.Replace(leaseBaseline, "deny-leave", "deny-leave-b", 1))

	done := make(chan result, 1)
	go func() { done <- h.runLease(context.Background(), 0, "apply", "-f", fa, "--auto-approve") }()
	select {
	case <-g.held:
	case r := <-done:
		t.Fatalf("the first apply ended before its organization-scope write (exit %d):\n%s\n%s", r.code, r.stdout, r.stderr)
	}
	held := h.lease()
	if held == nil || held.bad {
		t.Fatalf("the first apply is in its organization-scope phase without a lease: %+v", held)
	}

	h.sim.ResetCounters()
	r := h.runLease(context.Background(), 0, "apply", "-f", fb, "--auto-approve")
	h.want(r, ExitError)
	for _, want := range []string{"another apply holds the organization-scope lease", held.rec.Run, "orgsim-admin",
		"until " + held.rec.Expires.Format(time.RFC3339), "apply --force-unlock " + held.rec.Run, "nothing was changed"} {
		if !strings.Contains(r.stderr, want) {
			t.Errorf("the refusal does not say %q:\n%s", want, r.stderr)
		}
	}
	sn := h.sim.Counters()
	if n := sn.Calls("organizations", "CreatePolicy"); n != 1 {
		t.Errorf("the second apply called CreatePolicy %d times, want once (its attempt at the lease)", n)
	}
	if n := orgWrites(sn, "CreatePolicy"); n != 0 {
		t.Errorf("the second apply made %d other Organizations writes while the lease was held", n)
	}

	g.open()
	ra := <-done
	h.want(ra, ExitOK)
	if l := h.lease(); l != nil {
		t.Errorf("the first apply left its lease behind: %+v", l.rec)
	}
	h.want(h.run("plan", "-f", fa, "--detailed-exitcode"), ExitOK)
	h.want(h.runLease(context.Background(), 0, "apply", "-f", fb, "--auto-approve"), ExitOK)
	if l := h.lease(); l != nil {
		t.Errorf("the second apply left its lease behind: %+v", l.rec)
	}
}
