package cli

import (
	"context"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/rs/zerolog"

	"github.com/orgbaseline/orgbaseline/baseline"
	"github.com/orgbaseline/orgbaseline/internal/orgsim"
	"github.com/orgbaseline/orgbaseline/internal/pluginhost"
)

// The first-party plugins declare exactly the actions the demo approves
// for them, and only reads: `check` with them changes nothing.
func TestFirstPartyPluginsDeclareOnlyReads(t *testing.T) {
	dir := pluginBinaries(t)
	for _, p := range demoPlugins {
		sum, err := fileSHA256(filepath.Join(dir, p.name))
		if err != nil {
			t.Fatal(err)
		}
		h, err := pluginhost.Open(context.Background(), []pluginhost.Spec{{Name: p.name, Path: filepath.Join(dir, p.name), SHA256: sum, Actions: p.actions, Timeout: time.Minute}},
			pluginhost.Options{Log: zerolog.Nop()})
		if err != nil {
			t.Fatalf("%s: %v", p.name, err)
		}
		declared := slices.Sorted(slices.Values(h.Plugins()[0].Description.Actions))
		h.Close()
		if !slices.Equal(declared, p.actions) {
			t.Errorf("%s declares %q; the demo approves %q", p.name, declared, p.actions)
		}
		if w := baseline.WriteActions(declared); len(w) > 0 {
			t.Errorf("%s declares write actions %q", p.name, w)
		}
	}
}

// writerPlugin is the host's fixture under a name that makes it declare
// write actions too (iam:CreateUser, iam:AttachUserPolicy).
func writerPlugin(t *testing.T) (path, sum string) {
	t.Helper()
	data, err := os.ReadFile(filepath.Join(pluginBinaries(t), "fixture"))
	if err != nil {
		t.Fatal(err)
	}
	path = filepath.Join(t.TempDir(), "writer")
	if err := os.WriteFile(path, data, 0o755); err != nil {
		t.Fatal(err)
	}
	sum, err = fileSHA256(path)
	if err != nil {
		t.Fatal(err)
	}
	return path, sum
}

// A plugin declaring an action its entry does not approve is refused
// before it runs and before any AWS call, with both lists; an entry
// without actions: gets the declared ones as a line to paste.
func TestCheckRefusesAPluginDeclaringUnapprovedActions(t *testing.T) {
	path, sum := writerPlugin(t)
	h := newHarness(t, orgsim.OrgSpec{Members: 2, Clean: true})
	entry := passwordBaseline + "plugins:\n  - name: writer\n    path: " + path + "\n    sha256: " + sum + "\n"

	f := h.write("unapproved.yaml", entry+"    actions: [iam:ListUsers]\n")
	r := h.run("check", "-f", f)
	h.want(r, ExitError)
	mustHave(t, r.stderr, "plugin writer", "was not run",
		"declared:     [iam:AttachUserPolicy, iam:CreateUser, iam:ListUsers]", "approved:     [iam:ListUsers]", "not approved: [iam:AttachUserPolicy, iam:CreateUser]")

	f = h.write("unlisted.yaml", entry)
	r = h.run("check", "-f", f)
	h.want(r, ExitError)
	mustHave(t, r.stderr, "it has no actions: list", `actions: [iam:AttachUserPolicy, iam:CreateUser, iam:ListUsers]`, "allowWriteActions: true")

	// The paste, without allowWriteActions, is refused by the loader with
	// the line of each write action.
	f = h.write("pasted.yaml", entry+"    actions: [iam:AttachUserPolicy, iam:CreateUser, iam:ListUsers]\n")
	r = h.run("check", "-f", f)
	h.want(r, ExitError)
	mustHave(t, r.stderr, "pasted.yaml:", "plugins[0].actions[0] iam:AttachUserPolicy is not a read action", "plugins[0].actions[1] iam:CreateUser is not a read action")

	if n := h.sim.Counters().Total(); n != 0 {
		t.Fatalf("refused plugins still led to %d AWS calls", n)
	}
}

// allowWriteActions lets the plugin run, and plan and check say so.
func TestPlanAndCheckWarnAboutAPluginAllowedWriteActions(t *testing.T) {
	path, sum := writerPlugin(t)
	h := newHarness(t, orgsim.OrgSpec{Members: 2, Clean: true})
	f := h.write("baseline.yaml", passwordBaseline+"plugins:\n  - name: writer\n    path: "+path+"\n    sha256: "+sum+
		"\n    actions: [iam:AttachUserPolicy, iam:CreateUser, iam:ListUsers]\n    allowWriteActions: true\n")
	warning := "plugin writer is allowed write actions (allowWriteActions: true): `check` runs it in every targeted account and it may change them with iam:AttachUserPolicy, iam:CreateUser"
	r := h.run("plan", "-f", f)
	mustHave(t, r.stderr, warning, `"level":"warn"`, `"plugin":"writer"`)
	r = h.run("check", "-f", f, "--format", "json", "--output", filepath.Join(h.dir, "check.json"))
	h.want(r, ExitFindings) // the fixture's own failing finding: it ran
	mustHave(t, r.stderr, warning)
}

func mustHave(t *testing.T, s string, wants ...string) {
	t.Helper()
	for _, w := range wants {
		if !strings.Contains(s, w) {
			t.Errorf("missing %q in:\n%s", w, s)
		}
	}
}
