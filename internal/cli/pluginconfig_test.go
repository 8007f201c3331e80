package cli

import (
	"fmt"
	"path/filepath"
	"strings"
	"testing"

	"github.com/orgbaseline/orgbaseline/internal/orgsim"
)

// lineOf returns the 1-based line of content holding s.
func lineOf(t *testing.T, content, s string) int {
	t.Helper()
	for i, l := range strings.Split(content, "\n") {
		if strings.Contains(l, s) {
			return i + 1
		}
	}
	t.Fatalf("%q not in %s", s, content)
	return 0
}

// A typo in a plugin's config (a key its JSON Schema does not declare,
// with additionalProperties: false) is refused by validate, plugins list
// and check alike, once, at its line of baseline.yaml, before any AWS
// call: not as the same ERROR in every account.
func TestPluginConfigTypoRefusedBeforeAnyAccount(t *testing.T) {
	dir := pluginBinaries(t)
	h := newHarness(t, orgsim.OrgSpec{Members: 3})
	content := "version: 1\nplugins:\n" + pinned(t, dir, "iam-users", "{}") + pinned(t, dir, "root-account", "{maxAge: 3, rootUseWindowDay: 3}")
	f := h.write("baseline.yaml", content)
	at := fmt.Sprintf("%s:%d", f, lineOf(t, content, "maxAge"))
	wantTypo := func(r result) {
		t.Helper()
		h.want(r, ExitError)
		for _, s := range []string{
			at + ":13: plugins[1] (root-account).config at /maxAge: setting \"maxAge\" is not allowed; remove it; the settings declared here are rootUseWindowDays (the schema: orgbaseline plugins describe root-account)",
			at + ":13: plugins[1] (root-account).config at /rootUseWindowDay: setting \"rootUseWindowDay\" is not allowed; did you mean \"rootUseWindowDays\"? rename it",
		} {
			if !strings.Contains(r.stderr, s) {
				t.Errorf("stderr lacks %q:\n%s", s, r.stderr)
			}
		}
		if strings.Contains(r.stderr, "iam-users).config") {
			t.Errorf("the valid config of iam-users is reported:\n%s", r.stderr)
		}
	}
	wantTypo(h.run("validate", "-f", f))
	wantTypo(h.run("plugins", "list", "-f", f))
	h.sim.ResetCounters()
	wantTypo(h.run("check", "-f", f))
	if n := h.sim.Counters().Total(); n != 0 {
		t.Errorf("check made %d AWS call(s) with an invalid plugin config, want none", n)
	}

	// --no-plugins: validate stays offline and says what it did not check.
	r := h.run("validate", "-f", f, "--no-plugins")
	h.want(r, 0)
	if !strings.Contains(r.stdout, "plugins:  iam-users, root-account (not launched: --no-plugins; configs not checked)") {
		t.Errorf("validate --no-plugins output:\n%s", r.stdout)
	}

	// Fixed, every command accepts it.
	f = h.write("baseline.yaml", "version: 1\nplugins:\n"+pinned(t, dir, "iam-users", "{unusedDays: 30}")+pinned(t, dir, "root-account", "{rootUseWindowDays: 3}"))
	r = h.run("validate", "-f", f)
	h.want(r, 0)
	if !strings.Contains(r.stdout, "plugins:  iam-users, root-account (configs match their schemas)") {
		t.Errorf("validate output:\n%s", r.stdout)
	}
	h.want(h.run("plugins", "list", "-f", f), 0)
}

// A value of the wrong type or out of range names its JSON pointer too.
func TestPluginConfigWrongValue(t *testing.T) {
	dir := pluginBinaries(t)
	h := newHarness(t, orgsim.OrgSpec{Members: 1})
	f := h.write("baseline.yaml", "version: 1\nplugins:\n"+pinned(t, dir, "iam-users", `{unusedDays: "thirty", keyRotationDays: 0}`))
	r := h.run("validate", "-f", f)
	h.want(r, ExitError)
	for _, s := range []string{"plugins[0] (iam-users).config at /unusedDays: ", "plugins[0] (iam-users).config at /keyRotationDays: ", "orgbaseline plugins describe iam-users"} {
		if !strings.Contains(r.stderr, s) {
			t.Errorf("stderr lacks %q:\n%s", s, r.stderr)
		}
	}
}

// validate launches the plugins to read their schemas: one that cannot be
// launched is an error, which --no-plugins skips.
func TestValidateReportsAPluginThatCannotLaunch(t *testing.T) {
	dir := pluginBinaries(t)
	h := newHarness(t, orgsim.OrgSpec{Members: 1})
	sum, err := fileSHA256(filepath.Join(dir, "root-account"))
	if err != nil {
		t.Fatal(err)
	}
	entry := strings.Replace(pinned(t, dir, "root-account", "{}"), sum, strings.Repeat("0", 64), 1)
	f := h.write("baseline.yaml", "version: 1\nplugins:\n"+entry)
	r := h.run("validate", "-f", f)
	h.want(r, ExitError)
	for _, s := range []string{"the plugins could not be launched to check their configs", "root-account", "(validate --no-plugins skips them)"} {
		if !strings.Contains(r.stderr, s) {
			t.Errorf("stderr lacks %q:\n%s", s, r.stderr)
		}
	}
	h.want(h.run("validate", "-f", f, "--no-plugins"), 0)
}

// A plugin that errors in an account (its own ERROR finding, not a FAIL)
// makes check exit 1, not 3, and its errors are counted apart from the
// failing findings (the fixture's FAIL fixture.high in the other two).
func TestCheckPluginErrorExitsOne(t *testing.T) {
	dir := pluginBinaries(t)
	h := newHarness(t, orgsim.OrgSpec{Members: 3})
	failIn := h.sim.Accounts()[2].ID
	f := h.write("baseline.yaml", "version: 1\nplugins:\n"+pinned(t, dir, "fixture", `{failIn: "`+failIn+`"}`))
	r := h.run("check", "-f", f)
	h.want(r, ExitError)
	if !strings.Contains(r.stderr, "1 account(s) could not be checked completely (1 error finding(s)), and 2 finding(s) failing at severity low or above") {
		t.Errorf("stderr:\n%s", r.stderr)
	}
	if !strings.Contains(r.stdout, ": 0 passed, 0 failing, 1 errors") {
		t.Errorf("the account's line does not count the error apart:\n%s", r.stdout)
	}
	if !strings.Contains(r.stdout, " 2 failed, 1 errors,") {
		t.Errorf("summary line:\n%s", r.stdout)
	}
}
