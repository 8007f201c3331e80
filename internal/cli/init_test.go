package cli

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/orgbaseline/orgbaseline"
	"github.com/orgbaseline/orgbaseline/internal/orgsim"
)

// In an empty directory, validate points at init; init writes the
// starter baseline and its schema; the starter validates, plans only the
// password policy, and converges on orgsim: after one apply the next plan
// has nothing to do.
func TestInitThenValidatePlanApplyConverges(t *testing.T) {
	h := newHarness(t, orgsim.OrgSpec{Members: 4, Clean: true})
	dir := filepath.Join(h.dir, "fresh")
	if err := os.Mkdir(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	t.Chdir(dir)

	r := h.run("validate")
	h.want(r, ExitError)
	if !strings.Contains(r.stderr, "no baseline.yaml here: run `orgbaseline init` to write a starter one") || strings.Contains(r.stderr, "not valid") {
		t.Errorf("validate in an empty directory does not point at init:\n%s", r.stderr)
	}
	r = h.run("plan")
	h.want(r, ExitError)
	if !strings.Contains(r.stderr, "no baseline.yaml here") {
		t.Errorf("plan in an empty directory does not point at init:\n%s", r.stderr)
	}

	r = h.run("init")
	h.want(r, ExitOK)
	for _, s := range []string{"Wrote baseline.yaml", "Wrote baseline.schema.json", "orgbaseline validate", "orgbaseline plan"} {
		if !strings.Contains(r.stdout, s) {
			t.Errorf("init's output lacks %q:\n%s", s, r.stdout)
		}
	}
	written, err := os.ReadFile("baseline.yaml")
	if err != nil {
		t.Fatal(err)
	}
	if string(written) != string(orgbaseline.StarterBaseline) {
		t.Errorf("init wrote something else than starter.yaml")
	}
	if _, err := os.Stat(schemaFileName); err != nil {
		t.Errorf("init wrote no schema: %v", err)
	}

	r = h.run("validate")
	h.want(r, ExitOK)
	if !strings.Contains(r.stdout, "controls: passwordPolicy\n") {
		t.Errorf("the starter switches on more than the password policy:\n%s", r.stdout)
	}

	r = h.run("plan", "--detailed-exitcode")
	h.want(r, ExitChanges)
	h.want(h.run("apply", "--auto-approve"), ExitOK)
	h.sim.ResetCounters()
	h.want(h.run("plan", "--detailed-exitcode"), ExitOK)
	if n := h.sim.Counters().Writes(); n != 0 {
		t.Errorf("the plan after the apply made %d writes", n)
	}
}

// Like terraform init, init never overwrites: an existing baseline.yaml
// is an error naming it and saying to move it, and stays as it was; an
// existing schema is kept.
func TestInitNeverOverwrites(t *testing.T) {
	h := &harness{t: t, dir: t.TempDir()}
	mine := h.write("baseline.yaml", passwordBaseline)

	r := h.runOffline("init", h.dir)
	if r.code != ExitError {
		t.Fatalf("init over an existing baseline.yaml: exit %d, want 1\n%s%s", r.code, r.stdout, r.stderr)
	}
	if !strings.Contains(r.stderr, mine+" already exists") || !strings.Contains(r.stderr, "Move it away first") {
		t.Errorf("the error does not name the file and the fix:\n%s", r.stderr)
	}
	if got, _ := os.ReadFile(mine); string(got) != passwordBaseline {
		t.Errorf("init changed the existing baseline.yaml:\n%s", got)
	}

	// A new directory is made; an existing schema there is kept.
	sub := filepath.Join(h.dir, "new", "dir")
	if err := os.MkdirAll(sub, 0o755); err != nil {
		t.Fatal(err)
	}
	keep := filepath.Join(sub, schemaFileName)
	if err := os.WriteFile(keep, []byte("{}"), 0o644); err != nil {
		t.Fatal(err)
	}
	r = h.runOffline("init", sub)
	if r.code != ExitOK {
		t.Fatalf("init %s: exit %d\n%s", sub, r.code, r.stderr)
	}
	if got, _ := os.ReadFile(keep); string(got) != "{}" || !strings.Contains(r.stdout, "Kept "+keep) {
		t.Errorf("init did not keep the existing schema (%q):\n%s", got, r.stdout)
	}
	if !strings.Contains(r.stdout, "cd "+sub) {
		t.Errorf("init in another directory does not say to cd there:\n%s", r.stdout)
	}
}

// Every control of the starter, switched on as its comments say
// (enabled: true, organization.accounts uncommented), validates and
// converges on orgsim, whose seeded organization has the accounts the
// comments name.
func TestStarterWithEveryControlOnConverges(t *testing.T) {
	like := orgsim.DefaultAWSLike()
	like.CredentialReportDelay = 0
	h := newHarnessWith(t, orgsim.Options{AWSLike: &like, Org: orgsim.OrgSpec{Members: 4, Clean: true}})
	doc := strings.NewReplacer(
		"enabled: false", "enabled: true",
		"  # accounts:", "  accounts:",
		"  #   logArchive:", "    logArchive:",
		"  #   audit:", "    audit:",
	).Replace(string(orgbaseline.StarterBaseline))
	f := h.write("baseline.yaml", doc)

	r := h.run("validate", "-f", f)
	h.want(r, ExitOK)
	for _, c := range []string{"serviceControlPolicies", "organizationTrail", "accessAnalyzer", "config", "passwordPolicy", "rootAccess", "rootCredentials"} {
		if !strings.Contains(r.stdout, c) {
			t.Errorf("validate does not list %s:\n%s", c, r.stdout)
		}
	}
	r = h.run("apply", "-f", f, "--auto-approve")
	h.want(r, ExitOK)
	for _, s := range []string{"orgbaseline-deny-leaving", "trail", "analyzer", "recorder", "; 0 with errors."} {
		if !strings.Contains(r.stdout, s) {
			t.Errorf("the apply output lacks %q:\n%s", s, r.stdout)
		}
	}
	h.sim.ResetCounters()
	h.want(h.run("plan", "-f", f, "--detailed-exitcode"), ExitOK)
	if n := h.sim.Counters().Writes(); n != 0 {
		t.Errorf("the plan after the apply made %d writes", n)
	}
}

// runOffline runs orgbaseline with no simulated organization, for the
// commands that never call AWS.
func (h *harness) runOffline(args ...string) result {
	h.t.Helper()
	var out, errb bytes.Buffer
	a := &app{stdin: strings.NewReader(""), stdout: &out, stderr: &errb, getenv: os.Getenv}
	code := a.run(context.Background(), args)
	return result{code, out.String(), errb.String()}
}
