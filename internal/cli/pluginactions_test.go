package cli

import (
	"context"
	"encoding/json"
	"fmt"
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

// Through `check`, a plugin acts in every account as a session of its own,
// named after it and the run, for 15 minutes.
func TestCheckGivesPluginsSessionsOfTheirOwn(t *testing.T) {
	dir := pluginBinaries(t)
	h := newHarness(t, orgsim.OrgSpec{Members: 2, Clean: true})
	entry := strings.Replace(pinned(t, dir, "fixture", "{whoami: true}"), "name: fixture", "name: whoami", 1)
	f := h.write("baseline.yaml", passwordBaseline+"plugins:\n"+entry)
	out := filepath.Join(h.dir, "check.json")
	start := h.sim.Now()
	r := h.run("check", "-f", f, "--format", "json", "--output", out)
	h.want(r, ExitFindings)
	data, err := os.ReadFile(out)
	if err != nil {
		t.Fatal(err)
	}
	var rep struct{ Findings []baseline.Finding }
	if err := json.Unmarshal(data, &rep); err != nil {
		t.Fatal(err)
	}
	seen := 0
	for _, fd := range rep.Findings {
		if fd.Check != "fixture.whoami" || fd.Account == h.sim.ManagementAccountID() {
			continue
		}
		seen++
		arn, _ := fd.Evidence["arn"].(string)
		prefix := "arn:aws:sts::" + fd.Account + ":assumed-role/" + orgsim.DefaultExecutionRole + "/orgbaseline-plugin-whoami-"
		if fd.Status != baseline.StatusPass || !strings.HasPrefix(arn, prefix) {
			t.Errorf("account %s: the plugin acted as %q (%s %s), want %s<run id>", fd.Account, arn, fd.Status, fd.Message, prefix)
		}
		exp, _ := time.Parse(time.RFC3339, fmt.Sprint(fd.Evidence["expires"]))
		if d := exp.Sub(start); d < 14*time.Minute || d > 16*time.Minute {
			t.Errorf("account %s: the plugin's credentials expire %s after the run began, want 15m", fd.Account, d)
		}
	}
	if seen != 2 {
		t.Fatalf("%d whoami findings in member accounts, want 2", seen)
	}
}
