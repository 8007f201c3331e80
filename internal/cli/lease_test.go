package cli

import (
	"bytes"
	"context"
	"errors"
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
	return result{code, out.String(), readable(errb.String())}
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

// TestForceUnlockReleasesOnlyTheRunNamed: a dead run's lease blocks
// apply; --force-unlock with another run id releases nothing, with the
// lease's run id it releases it and does nothing else; then apply runs.
func TestForceUnlockReleasesOnlyTheRunNamed(t *testing.T) {
	h := newHarness(t, orgsim.OrgSpec{Members: 2, Clean: true})
	f := h.write("b.yaml", leaseBaseline)
	const dead = "20240101T000000Z-dead01"
	r := h.runLease(context.Background(), 0, "apply", "--force-unlock", dead)
	h.want(r, ExitError)
	if !strings.Contains(r.stderr, "no apply holds the organization-scope lease; nothing was released") {
		t.Errorf("--force-unlock without a lease:\n%s", r.stderr)
	}
	h.deadRun(dead, 10*time.Minute)

	r = h.runLease(context.Background(), 0, "apply", "-f", f, "--auto-approve")
	h.want(r, ExitError)
	if !strings.Contains(r.stderr, "apply --force-unlock "+dead) {
		t.Fatalf("the refusal does not say how to release the lease:\n%s", r.stderr)
	}
	for _, wrong := range []string{"20240101T000000Z-other1", ""} {
		r = h.runLease(context.Background(), 0, "apply", "--force-unlock", wrong)
		h.want(r, ExitError)
		if h.lease() == nil {
			t.Fatalf("--force-unlock %q released the lease of run %s", wrong, dead)
		}
	}
	if !strings.Contains(r.stderr, "give the run id") {
		t.Errorf("an empty --force-unlock is not explained:\n%s", r.stderr)
	}
	r = h.runLease(context.Background(), 0, "apply", "--force-unlock", "20240101T000000Z-other1")
	if !strings.Contains(r.stderr, "held by another run") || !strings.Contains(r.stderr, dead) {
		t.Errorf("a wrong run id is not explained:\n%s", r.stderr)
	}

	h.sim.ResetCounters()
	r = h.runLease(context.Background(), 0, "apply", "--force-unlock", dead)
	h.want(r, ExitOK)
	if !strings.Contains(r.stdout, "Released the organization-scope lease") || !strings.Contains(r.stdout, dead) {
		t.Errorf("--force-unlock does not say what it released:\n%s", r.stdout)
	}
	if l := h.lease(); l != nil {
		t.Fatalf("--force-unlock left the lease: %+v", l.rec)
	}
	if n := orgWrites(h.sim.Counters(), "DeletePolicy"); n != 0 {
		t.Errorf("--force-unlock made %d writes besides deleting the lease", n)
	}
	h.want(h.runLease(context.Background(), 0, "apply", "-f", f, "--auto-approve"), ExitOK)
	h.want(h.run("plan", "-f", f, "--detailed-exitcode"), ExitOK)
}

// TestExpiredLeaseIsTakenOver: a run that died holding the lease blocks
// applies only until the lease runs out on AWS's clock; an apply given
// --lock-timeout waits for it.
func TestExpiredLeaseIsTakenOver(t *testing.T) {
	h := newHarness(t, orgsim.OrgSpec{Members: 2, Clean: true})
	f := h.write("b.yaml", leaseBaseline)
	const dead = "20240101T000000Z-dead02"
	h.deadRun(dead, 10*time.Minute)
	start := h.sim.Now()

	// Waiting less than the lease has left is not enough.
	r := h.runLease(context.Background(), 0, "apply", "-f", f, "--auto-approve", "--lock-timeout", "5m")
	h.want(r, ExitError)
	if !strings.Contains(r.stderr, "another apply holds the organization-scope lease") {
		t.Fatalf("not refused for the lease:\n%s", r.stderr)
	}
	if waited := h.sim.Now().Sub(start); waited < 5*time.Minute || waited > 6*time.Minute {
		t.Errorf("the apply waited %s for the lease, want --lock-timeout 5m", waited)
	}
	// Waiting longer takes the expired lease over.
	r = h.runLease(context.Background(), 0, "apply", "-f", f, "--auto-approve", "--lock-timeout", "20m")
	h.want(r, ExitOK)
	if !strings.Contains(r.stdout, "ran out") || !strings.Contains(r.stdout, dead) || !strings.Contains(r.stdout, "took it over") {
		t.Errorf("the takeover is not reported:\n%s", r.stdout)
	}
	if h.sim.Now().Sub(start) < 10*time.Minute {
		t.Errorf("the lease was taken over %s after it was taken, before it ran out", h.sim.Now().Sub(start))
	}
	if l := h.lease(); l != nil {
		t.Errorf("the lease was not released: %+v", l.rec)
	}

	// Without waiting: refused while it lasts, taken over once it ran out.
	h.want(h.run("plan", "-f", f, "--detailed-exitcode"), ExitOK)
	h.deadRun(dead, 10*time.Minute)
	ch := h.write("c.yaml", strings.Replace(leaseBaseline, "deny-leave", "deny-leave-c", 1))
	h.want(h.runLease(context.Background(), 0, "apply", "-f", ch, "--auto-approve"), ExitError)
	h.sim.Advance(10*time.Minute + time.Second)
	h.want(h.runLease(context.Background(), 0, "apply", "-f", ch, "--auto-approve"), ExitOK)
}

// TestLeaseIsRenewedWhileTheOrgScopeOutlastsIt: AWS takes longer to
// enable SCPs than the lease lasts; the apply renews it while it waits,
// keeps it, converges and releases it.
func TestLeaseIsRenewedWhileTheOrgScopeOutlastsIt(t *testing.T) {
	like := orgsim.DefaultAWSLike()
	like.CredentialReportDelay = 0
	like.PolicyTypeDelay = 100 * time.Second
	h := newHarnessWith(t, orgsim.Options{Org: orgsim.OrgSpec{Members: 2, Clean: true}, AWSLike: &like})
	f := h.write("b.yaml", leaseBaseline)
	start := h.sim.Now()
	r := h.runLease(context.Background(), time.Minute, "apply", "-f", f, "--auto-approve")
	h.want(r, ExitOK)
	if d := h.sim.Now().Sub(start); d < 100*time.Second {
		t.Fatalf("the organization-scope phase took %s, not longer than the lease (1m)", d)
	}
	if n := h.sim.Counters().Calls("organizations", "UpdatePolicy"); n < 2 {
		t.Errorf("the lease was renewed %d times in a phase of %s with a lease of 1m", n, h.sim.Now().Sub(start))
	}
	if strings.Contains(r.stdout+r.stderr, "lease was lost") {
		t.Errorf("the lease was lost:\n%s\n%s", r.stdout, r.stderr)
	}
	if l := h.lease(); l != nil {
		t.Errorf("the lease was not released: %+v", l.rec)
	}
	h.want(h.run("plan", "-f", f, "--detailed-exitcode"), ExitOK)
}

// TestInterruptedApplyReleasesTheLease: an apply interrupted in its
// organization-scope phase still releases the lease.
func TestInterruptedApplyReleasesTheLease(t *testing.T) {
	g := newOrgGate(func(target, body string) bool { return strings.HasSuffix(target, ".EnablePolicyType") })
	h := newHarnessWith(t, orgsim.Options{Org: orgsim.OrgSpec{Members: 2, Clean: true}}, g.front)
	t.Cleanup(g.open)
	f := h.write("b.yaml", leaseBaseline)
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	done := make(chan result, 1)
	go func() { done <- h.runLease(ctx, 0, "apply", "-f", f, "--auto-approve") }()
	<-g.held
	if h.lease() == nil {
		t.Fatal("no lease while the organization scope is applied")
	}
	cancel()
	g.open()
	r := <-done
	h.want(r, ExitError)
	if !strings.Contains(r.stderr, "interrupted") {
		t.Errorf("the apply does not say it was interrupted:\n%s", r.stderr)
	}
	if l := h.lease(); l != nil {
		t.Errorf("the interrupted apply left its lease: %+v", l.rec)
	}
}

// TestPlanTakesNoLeaseAndSeesNoDrift: plan is read-only: it runs while
// another apply holds the lease, writes nothing, and the lease policy is
// no drift for the SCP control; the lockout guard judges as before.
func TestPlanTakesNoLeaseAndSeesNoDrift(t *testing.T) {
	h := newHarness(t, orgsim.OrgSpec{Members: 3, Clean: true})
	f := h.write("b.yaml", leaseBaseline)
	h.want(h.runLease(context.Background(), 0, "apply", "-f", f, "--auto-approve"), ExitOK)
	h.deadRun("20240101T000000Z-live03", 10*time.Minute)
	h.sim.ResetCounters()
	h.want(h.run("plan", "-f", f, "--detailed-exitcode"), ExitOK)
	if w := h.sim.Counters().Writes(); w != 0 {
		t.Errorf("plan made %d writes", w)
	}
	// Nothing to apply at organization scope: apply takes no lease.
	h.want(h.runLease(context.Background(), 0, "apply", "-f", f, "--auto-approve"), ExitOK)

	lock := h.write("lock.yaml", leaseBaseline+`      - name: no-iam-changes
        targets: [ou:/Workloads]
        document: '{"Version":"2012-10-17","Statement":[{"Sid":"NoIAM","Effect":"Deny","Action":"iam:Update*","Resource":"*"}]}'
  passwordPolicy:
    minimumPasswordLength: 14
`)
	r := h.run("plan", "-f", lock)
	h.want(r, ExitError)
	if !strings.Contains(r.stdout+r.stderr, `"NoIAM"`) || !strings.Contains(r.stdout+r.stderr, "iam:UpdateAccountPasswordPolicy") {
		t.Errorf("the lockout guard does not refuse as before while a lease is held:\n%s\n%s", r.stdout, r.stderr)
	}
}

// TestShardedApplyTakesTheLeaseInShardZeroOnly: only the shard that
// applies the organization scope takes the lease; the others, whose
// accounts wait for the organization scope to be settled, do not.
func TestShardedApplyTakesTheLeaseInShardZeroOnly(t *testing.T) {
	h := newHarness(t, orgsim.OrgSpec{Members: 6, Clean: true})
	f := h.write("b.yaml", leaseBaseline+"  passwordPolicy:\n    minimumPasswordLength: 14\n")
	h.deadRun("20240101T000000Z-live04", 10*time.Minute)
	r := h.runLease(context.Background(), 0, "apply", "-f", f, "--auto-approve", "--shard", "0/2")
	h.want(r, ExitError)
	if !strings.Contains(r.stderr, "another apply holds the organization-scope lease") {
		t.Fatalf("shard 0 not refused for the lease:\n%s", r.stderr)
	}
	h.want(h.runLease(context.Background(), 0, "apply", "--force-unlock", "20240101T000000Z-live04"), ExitOK)
	h.want(h.runLease(context.Background(), 0, "apply", "-f", f, "--auto-approve", "--shard", "0/2"), ExitOK)

	h.deadRun("20240101T000000Z-live05", 10*time.Minute)
	h.sim.ResetCounters()
	h.want(h.runLease(context.Background(), 0, "apply", "-f", f, "--auto-approve", "--shard", "1/2"), ExitOK)
	if n := h.sim.Counters().Calls("organizations", "CreatePolicy"); n != 0 {
		t.Errorf("shard 1, which applies no organization scope, tried the lease %d times", n)
	}
}

// TestLeaseNameIsReserved: a baseline may not declare an SCP of the
// lease's name.
func TestLeaseNameIsReserved(t *testing.T) {
	h := newHarness(t, orgsim.OrgSpec{Members: 1, Clean: true})
	f := h.write("b.yaml", strings.Replace(leaseBaseline, "deny-leave", controls.LeasePolicyName, 1))
	r := h.run("plan", "-f", f)
	h.want(r, ExitError)
	if !strings.Contains(r.stderr, "reserved for the lease") {
		t.Errorf("the reserved name is not refused:\n%s", r.stderr)
	}
}

// TestLeaseIsTakenByOneOfManyAtOnce: runs racing for the lease through
// the real SDK: exactly one takes it, every other is told which run
// holds it.
func TestLeaseIsTakenByOneOfManyAtOnce(t *testing.T) {
	h := newHarness(t, orgsim.OrgSpec{Members: 1, Clean: true})
	api := h.mgmtOrgs()
	const n = 8
	type outcome struct {
		l   *orgLease
		err error
	}
	outs := make([]outcome, n)
	var wg sync.WaitGroup
	for i := range n {
		wg.Add(1)
		go func() {
			defer wg.Done()
			run := "20240101T000000Z-race0" + string(rune('0'+i))
			l, err := acquireLease(context.Background(), api, &awsClock{fixed: h.sim.Now}, leaseParams{holder: "racer", run: run, ttl: time.Minute, sleep: h.sim.Sleep})
			outs[i] = outcome{l, err}
		}()
	}
	wg.Wait()
	var winner *orgLease
	for _, o := range outs {
		if o.err == nil {
			if winner != nil {
				t.Fatalf("two runs hold the lease: %s and %s", winner.rec.Run, o.l.rec.Run)
			}
			winner = o.l
		}
	}
	if winner == nil {
		t.Fatalf("no run took the lease: %v", outs[0].err)
	}
	for _, o := range outs {
		var held *leaseHeldError
		if o.err != nil && (!errors.As(o.err, &held) || held.rec.Run != winner.rec.Run) {
			t.Errorf("a loser was told %v, want the lease held by %s", o.err, winner.rec.Run)
		}
	}
}

// TestLeaseRenewalAndLoss: a renewed lease outlives its first expiry; a
// lease released behind the holder's back is lost at the next renewal,
// which ends its context; one not renewed before its margin is lost too,
// and taken over only once it has run out.
func TestLeaseRenewalAndLoss(t *testing.T) {
	h := newHarness(t, orgsim.OrgSpec{Members: 1, Clean: true})
	api := h.mgmtOrgs()
	clock := &awsClock{fixed: h.sim.Now}
	take := func(run string) (*orgLease, error) {
		return acquireLease(context.Background(), api, clock, leaseParams{holder: "t", run: run, ttl: time.Minute, sleep: h.sim.Sleep})
	}
	a, err := take("run-a")
	if err != nil {
		t.Fatal(err)
	}
	ctx := a.context(context.Background())
	h.sim.Advance(30 * time.Second)
	if err := a.renew(context.Background()); err != nil {
		t.Fatal(err)
	}
	h.sim.Advance(40 * time.Second) // past the first expiry, within the renewed one
	var held *leaseHeldError
	if _, err := take("run-b"); !errors.As(err, &held) || held.rec.Run != "run-a" {
		t.Fatalf("a renewed lease was not kept: %v", err)
	}
	// Someone releases it (force-unlock): the holder finds out at its
	// next renewal and its context ends.
	if _, err := api.DeletePolicy(context.Background(), &organizations.DeletePolicyInput{PolicyId: &a.id}); err != nil {
		t.Fatal(err)
	}
	h.sim.Advance(25 * time.Second)
	if err := a.renew(context.Background()); !errors.Is(err, errLeaseLost) {
		t.Fatalf("renewal of a released lease: %v", err)
	}
	select {
	case <-ctx.Done():
	default:
		t.Fatal("the lease's context did not end when it was lost")
	}
	if !errors.Is(context.Cause(ctx), errLeaseLost) {
		t.Errorf("the context's cause is %v", context.Cause(ctx))
	}
	if err := a.release(context.Background()); err != nil {
		t.Errorf("releasing a lost lease: %v", err)
	}

	// Not renewed in time: lost at the margin, before it runs out; no
	// one takes it over before it has run out.
	c, err := take("run-c")
	if err != nil {
		t.Fatal(err)
	}
	h.sim.Advance(55 * time.Second)
	if err := c.renew(context.Background()); !errors.Is(err, errLeaseLost) || !strings.Contains(err.Error(), "not renewed in time") {
		t.Fatalf("a lease past its margin was renewed: %v", err)
	}
	if _, err := take("run-d"); !errors.As(err, &held) {
		t.Fatalf("a lease not yet run out was taken over: %v", err)
	}
	h.sim.Advance(6 * time.Second)
	d, err := take("run-d")
	if err != nil {
		t.Fatal(err)
	}
	if d.tookOver == nil || d.tookOver.Run != "run-c" {
		t.Errorf("the takeover does not name the lease it replaced: %+v", d.tookOver)
	}
	// The late holder's release does not touch the new holder's lease.
	if err := c.release(context.Background()); err != nil {
		t.Fatal(err)
	}
	if l := h.lease(); l == nil || l.rec.Run != "run-d" {
		t.Fatalf("the late holder's release removed the new lease: %+v", l)
	}
}

// TestLeaseIsJudgedOnAWSsClock: with no clock given, the lease is dated
// by AWS's answers (their Date header), not by the local clock: here
// AWS's clock is two hours ahead of this machine's.
func TestLeaseIsJudgedOnAWSsClock(t *testing.T) {
	const skew = 2 * time.Hour
	h := newHarnessWith(t, orgsim.Options{Org: orgsim.OrgSpec{Members: 1, Clean: true}, Now: func() time.Time { return time.Now().Add(skew) }})
	l, err := acquireLease(context.Background(), h.mgmtOrgs(), &awsClock{}, leaseParams{holder: "t", run: "run-clock", ttl: time.Minute, sleep: h.sim.Sleep})
	if err != nil {
		t.Fatal(err)
	}
	since := l.rec.Since
	if d := since.Sub(time.Now().Add(skew)); d < -10*time.Second || d > 10*time.Second {
		t.Errorf("the lease is dated %s, %s from AWS's clock", since, d)
	}
}
