package controls_test

import (
	"context"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/organizations"
	"github.com/aws/aws-sdk-go-v2/service/sts"
	"github.com/rs/zerolog"

	"github.com/orgbaseline/orgbaseline/baseline"
	"github.com/orgbaseline/orgbaseline/baseline/controls"
	"github.com/orgbaseline/orgbaseline/internal/awsapi"
	"github.com/orgbaseline/orgbaseline/internal/engine"
	"github.com/orgbaseline/orgbaseline/internal/orgsim"
	"github.com/orgbaseline/orgbaseline/orgwalk"
)

// world is a simulated organization and a baseline, run through the real
// engine exactly as `orgbaseline plan` and `apply` run it.
type world struct {
	t        testing.TB
	sim      *orgsim.Sim
	srv      *httptest.Server
	cfg      aws.Config // management account, home region
	org      *orgwalk.Org
	sel      *orgwalk.Selection
	sessions *orgwalk.Sessions
	engine   *engine.Engine
	baseline *baseline.Baseline
	dir      string
	// partition is the caller's (GetCallerIdentity), as a run reads it.
	partition string
}

// newWorld starts orgsim with spec and loads the baseline yaml (written to
// a temporary directory; files maps extra file names to contents, e.g.
// SCP documents beside the baseline). It fails the test on any error.
func newWorld(t testing.TB, spec orgsim.OrgSpec, yaml string, files map[string]string) *world {
	t.Helper()
	w, err := tryWorld(t, orgsim.Options{Seed: 11, Org: spec}, yaml, files)
	if err != nil {
		t.Fatal(err)
	}
	return w
}

// tryWorld is newWorld returning the error of loading the baseline or
// building its controls (the offline preflight).
func tryWorld(t testing.TB, opts orgsim.Options, yaml string, files map[string]string) (*world, error) {
	t.Helper()
	return tryWorldServing(t, opts, yaml, files, nil)
}

// tryWorldServing is tryWorld with orgsim served through wrap (nil: as
// it is), for tests that look at the requests orgsim is sent.
func tryWorldServing(t testing.TB, opts orgsim.Options, yaml string, files map[string]string, wrap func(http.Handler) http.Handler) (*world, error) {
	t.Helper()
	sim := orgsim.New(opts)
	var h http.Handler = sim
	if wrap != nil {
		h = wrap(sim)
	}
	srv := httptest.NewServer(h)
	t.Cleanup(srv.Close)
	w := &world{t: t, sim: sim, srv: srv, dir: t.TempDir()}
	for name, content := range files {
		p := filepath.Join(w.dir, name)
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte(content), 0o600); err != nil {
			t.Fatal(err)
		}
	}
	path := filepath.Join(w.dir, "baseline.yaml")
	if err := os.WriteFile(path, []byte(yaml), 0o600); err != nil {
		t.Fatal(err)
	}
	b, err := baseline.Load(path)
	if err != nil {
		return nil, err
	}
	w.baseline = b
	ctrls, err := controls.FromBaseline(b)
	if err != nil {
		return nil, err
	}
	c := sim.ManagementCredentials()
	w.cfg, err = awsapi.Load(context.Background(), awsapi.Options{Region: b.Organization.HomeRegion, Endpoint: srv.URL, NoBackoff: true,
		Static: &aws.Credentials{AccessKeyID: c.AccessKeyID, SecretAccessKey: c.SecretAccessKey}})
	if err != nil {
		t.Fatal(err)
	}
	w.org, err = orgwalk.Discover(context.Background(), organizations.NewFromConfig(w.cfg), orgwalk.DiscoverOptions{Tags: orgwalk.NeedsTags(b.Targets)})
	if err != nil {
		t.Fatal(err)
	}
	w.sel, err = w.org.Select(b.Targets)
	if err != nil {
		return nil, err
	}
	aliases := map[string]*orgwalk.Account{}
	for alias, ref := range b.Organization.Accounts {
		a, err := w.org.ResolveAccount(ref)
		if err != nil {
			return nil, err
		}
		aliases[alias] = a
	}
	// The partition is the caller's, as a run reads it.
	caller, err := awsapi.WhoAmI(context.Background(), sts.NewFromConfig(w.cfg))
	if err != nil {
		t.Fatal(err)
	}
	w.partition = caller.Partition
	w.sessions = orgwalk.NewSessions(w.cfg, orgwalk.SessionOptions{Role: b.Organization.ExecutionRole, SessionName: "orgbaseline-test",
		ManagementAccountID: w.org.ManagementAccountID, Partition: w.partition})
	w.engine = &engine.Engine{
		Controls: ctrls, Sessions: w.sessions, HomeRegion: b.Organization.HomeRegion, Regions: b.Organization.Regions,
		Concurrency: 4, Log: zerolog.Nop(), Waiter: &awsapi.Waiter{Sleep: sim.Sleep},
		Org: &controls.Org{Org: w.org, Targets: w.sel.Targets, Aliases: aliases, HomeRegion: b.Organization.HomeRegion,
			Regions: b.Organization.Regions, ExecutionRole: b.Organization.ExecutionRole, Sessions: w.sessions, Partition: w.partition,
			CallerARN: caller.ARN, CallerUserID: caller.UserID, CallerRegion: w.cfg.Region},
	}
	return w, nil
}

// plan runs the organization-scope controls and every targeted account
// through observe and diff, as `orgbaseline plan` does.
func (w *world) plan() *baseline.Plan {
	w.t.Helper()
	var org *engine.AccountResult
	if w.engine.HasOrgControls() {
		r := w.engine.PlanOrg(context.Background())
		org = &r
	}
	return engine.BuildPlan(org, w.engine.Plan(context.Background(), w.sel.Targets), w.sel.Skipped, baseline.Plan{})
}

// planErrors returns every error of a plan, one per section.
func planErrors(p *baseline.Plan) []string {
	var out []string
	for _, s := range p.Sections() {
		if s.Error != "" {
			out = append(out, s.Account+": "+s.Error)
		}
	}
	return out
}

// apply applies a plan as `orgbaseline apply` does (organization scope
// first) and returns the errors, one per failing section.
func (w *world) apply(p *baseline.Plan) []string {
	w.t.Helper()
	var errs []string
	if s := p.OrganizationScope; s != nil && len(s.Changes) > 0 {
		r := w.engine.ApplyOrg(context.Background(), s.Changes)
		for _, e := range r.Errors {
			errs = append(errs, "organization scope: "+e)
		}
	}
	changes := map[string][]baseline.Change{}
	var accts []*orgwalk.Account
	for _, a := range p.Accounts {
		if len(a.Changes) > 0 {
			changes[a.Account] = a.Changes
			accts = append(accts, w.org.Account(a.Account))
		}
	}
	for _, r := range w.engine.Apply(context.Background(), accts, changes) {
		for _, e := range r.Errors {
			errs = append(errs, r.Account.ID+": "+e)
		}
	}
	return errs
}

// converge plans and applies, failing on any error, then checks that a
// second plan is empty and costs no writes. It returns the first plan.
func (w *world) converge() *baseline.Plan {
	w.t.Helper()
	p := w.plan()
	if errs := planErrors(p); len(errs) > 0 {
		w.t.Fatalf("plan errors:\n%s", strings.Join(errs, "\n"))
	}
	if errs := w.apply(p); len(errs) > 0 {
		w.t.Fatalf("apply errors:\n%s", strings.Join(errs, "\n"))
	}
	w.sim.ResetCounters()
	again := w.plan()
	if errs := planErrors(again); len(errs) > 0 {
		w.t.Fatalf("second plan errors:\n%s", strings.Join(errs, "\n"))
	}
	if n := again.ChangeCount(); n != 0 {
		w.t.Fatalf("second plan has %d changes:\n%s", n, describe(again))
	}
	if n := w.sim.Counters().Writes(); n != 0 {
		w.t.Fatalf("second plan made %d writes", n)
	}
	return p
}

// changes lists a plan's changes as "control action resource account region".
func changes(p *baseline.Plan) []string {
	var out []string
	for _, s := range p.Sections() {
		for _, c := range s.Changes {
			out = append(out, strings.TrimSpace(strings.Join([]string{c.Control, string(c.Action), c.Resource, c.Account, c.Region}, " ")))
		}
	}
	return out
}

func describe(p *baseline.Plan) string { return strings.Join(changes(p), "\n") }

// check returns the findings of the organization scope and every account.
func (w *world) check() []baseline.Finding {
	w.t.Helper()
	var fs []baseline.Finding
	if w.engine.HasOrgControls() {
		r := w.engine.CheckOrg(context.Background())
		if len(r.Errors) > 0 {
			w.t.Fatalf("check errors: %v", r.Errors)
		}
		fs = append(fs, r.Findings...)
	}
	for _, r := range w.engine.Check(context.Background(), w.sel.Targets) {
		if len(r.Errors) > 0 {
			w.t.Fatalf("check errors in %s: %v", r.Account.ID, r.Errors)
		}
		fs = append(fs, r.Findings...)
	}
	return fs
}

// as returns a config acting in account and region through the execution
// role (the run's own credentials for the management account), to change
// things behind the tool's back or read them back.
func (w *world) as(account, region string) aws.Config {
	w.t.Helper()
	cfg, err := w.sessions.Config(context.Background(), account, region)
	if err != nil {
		w.t.Fatal(err)
	}
	return cfg
}

// id returns the id of a seeded account by name.
func (w *world) id(name string) string {
	w.t.Helper()
	id, ok := w.sim.AccountID(name)
	if !ok {
		w.t.Fatalf("no account %q", name)
	}
	return id
}

var bg = context.Background()

// garbageAnswers are what an endpoint that does not offer an API may
// answer instead (an emulator without it, a proxy's error page): the
// controls' "endpoint without the API" tests serve each one.
var garbageAnswers = []struct {
	name   string
	status int
	body   string
}{
	{"404 HTML page", http.StatusNotFound, "<html><body><h1>404 Not Found</h1></body></html>"},
	{"502 HTML page", http.StatusBadGateway, "<html><body>Bad Gateway</body></html>"},
	{"200 HTML page", http.StatusOK, "<!DOCTYPE html><html><body>Welcome</body></html>"},
	{"200 empty body", http.StatusOK, ""},
}
