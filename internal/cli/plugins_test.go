package cli

import (
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"

	"github.com/orgbaseline/orgbaseline/baseline"
	"github.com/orgbaseline/orgbaseline/internal/orgsim"
)

var (
	buildOnce sync.Once
	binDir    string
	buildErr  error
)

// pluginBinaries builds the first-party checks and the host's misbehaving
// fixture once per test binary.
func pluginBinaries(t *testing.T) string {
	t.Helper()
	buildOnce.Do(func() {
		binDir, buildErr = os.MkdirTemp("", "orgbaseline-cli-plugins-")
		if buildErr != nil {
			return
		}
		for name, pkg := range map[string]string{
			"root-account":    "../../plugins/checks/root-account",
			"iam-users":       "../../plugins/checks/iam-users",
			"least-privilege": "../../plugins/checks/least-privilege",
			"fixture":         "../pluginhost/testdata/plugins/fixture",
		} {
			out, err := exec.Command("go", "build", "-o", filepath.Join(binDir, name), pkg).CombinedOutput()
			if err != nil {
				buildErr = err
				binDir = string(out)
				return
			}
		}
	})
	if buildErr != nil {
		t.Fatalf("build plugins: %v\n%s", buildErr, binDir)
	}
	return binDir
}

// pinnedActions are the IAM actions each plugin binary declares, as its
// baseline entry approves them: the demo's for the first-party checks.
func pinnedActions(name string) string {
	if name == "fixture" {
		return "[iam:ListUsers]"
	}
	for _, p := range demoPlugins {
		if p.name == name {
			return "[" + strings.Join(p.actions, ", ") + "]"
		}
	}
	panic("no actions for plugin " + name)
}

func pinned(t *testing.T, dir, name, config string) string {
	t.Helper()
	sum, err := fileSHA256(filepath.Join(dir, name))
	if err != nil {
		t.Fatal(err)
	}
	return "  - name: " + name + "\n    path: " + filepath.Join(dir, name) + "\n    sha256: " + sum + "\n    actions: " + pinnedActions(name) + "\n    config: " + config + "\n"
}

// check runs the controls and the plugins together; the seeded violations
// are found, the clean parts pass, and a crashing plugin's failure stays in
// its own ERROR finding for the one account it crashed in.
func TestCheckRunsPluginsNextToControls(t *testing.T) {
	dir := pluginBinaries(t)
	h := newHarness(t, orgsim.OrgSpec{Members: 6})
	accounts := h.sim.Accounts() // management first, then member i = 1..6
	crashIn := accounts[5].ID    // member i=5
	hangIn := accounts[2].ID     // member i=2
	// The same misbehaving binary under two more names (two more
	// processes): one hangs in one account, one calls an action it did not
	// declare everywhere.
	misbehaving := func(name, config, extra string) string {
		return strings.Replace(pinned(t, dir, "fixture", config), "name: fixture", "name: "+name, 1) + extra
	}
	f := h.write("baseline.yaml", passwordBaseline+"plugins:\n"+
		pinned(t, dir, "root-account", "{}")+pinned(t, dir, "iam-users", "{}")+
		pinned(t, dir, "least-privilege", "{}")+pinned(t, dir, "fixture", `{crashIn: "`+crashIn+`"}`)+
		misbehaving("hanger", `{hangIn: "`+hangIn+`"}`, "    timeout: 2s\n")+
		misbehaving("overreach", `{aws: true}`, ""))
	out := filepath.Join(h.dir, "report.json")
	r := h.run("check", "-f", f, "--format", "json", "--output", out)
	// The crash, the hang and the refused action are ERROR findings:
	// the accounts could not be checked completely (exit 1, not 3).
	h.want(r, ExitError)
	b, err := os.ReadFile(out)
	if err != nil {
		t.Fatal(err)
	}
	var rep struct{ Findings []baseline.Finding }
	if err := json.Unmarshal(b, &rep); err != nil {
		t.Fatal(err)
	}
	status := map[string]baseline.Status{} // account|check|resource -> status
	sources := map[string]bool{}
	for _, fd := range rep.Findings {
		status[fd.Account+"|"+fd.Check+"|"+fd.Resource] = fd.Status
		sources[fd.Source] = true
		if strings.HasPrefix(fd.Source, "plugin:") && fd.Source != "plugin:fixture" && len(fd.Compliance) == 0 {
			t.Errorf("plugin finding without compliance references: %+v", fd)
		}
	}
	for _, s := range []string{"control:passwordPolicy", "plugin:root-account", "plugin:iam-users", "plugin:least-privilege", "plugin:fixture"} {
		if !sources[s] {
			t.Errorf("no findings from %s", s)
		}
	}
	has := func(account, check, resourceSuffix string, want baseline.Status) {
		t.Helper()
		for k, st := range status {
			p := strings.SplitN(k, "|", 3)
			if p[0] == account && p[1] == check && strings.HasSuffix(p[2], resourceSuffix) {
				if st != want {
					t.Errorf("%s %s %s: %s, want %s", account, check, p[2], st, want)
				}
				return
			}
		}
		t.Errorf("no %s finding for %s in %s", check, resourceSuffix, account)
	}
	i := func(n int) string { return accounts[n].ID }
	// The seed (internal/orgsim/seed.go): root MFA off when i%3==0, a root
	// key when i%5==4, root used 2 days ago when i%4==2; bob (i%4==1) has a
	// console password and no MFA; svc-backup (i%4==2) has two active keys;
	// frank (i%4==3) has BroadAccess (* on *); PartnerDeployRole (i%4==3)
	// trusts another account without ExternalId, VendorAuditRole (i%4==2)
	// with one; odd members have a support role, even ones none.
	has(i(3), "root-account.mfa", ":root", baseline.StatusFail)
	has(i(1), "root-account.mfa", ":root", baseline.StatusPass)
	has(i(4), "root-account.access-keys", ":root", baseline.StatusFail)
	has(i(2), "root-account.recent-use", ":root", baseline.StatusFail)
	has(i(1), "iam-users.mfa", ":user/bob", baseline.StatusFail)
	has(i(1), "iam-users.mfa", ":user/alice", baseline.StatusPass)
	has(i(2), "iam-users.multiple-active-keys", ":user/svc-backup", baseline.StatusFail)
	has(i(3), "least-privilege.full-admin-policy", ":policy/BroadAccess", baseline.StatusFail)
	has(i(3), "least-privilege.cross-account-trust", ":role/PartnerDeployRole", baseline.StatusFail)
	has(i(2), "least-privilege.cross-account-trust", ":role/VendorAuditRole", baseline.StatusPass)
	has(i(1), "least-privilege.support-role", "", baseline.StatusPass)
	has(i(2), "least-privilege.support-role", "", baseline.StatusFail)

	// The crash is one ERROR finding for that plugin and account; the
	// fixture ran everywhere else and the other plugins ran there too.
	for _, a := range accounts[1:] {
		var fixture []baseline.Finding
		for _, fd := range rep.Findings {
			if fd.Account == a.ID && fd.Source == "plugin:fixture" {
				fixture = append(fixture, fd)
			}
		}
		crashed := len(fixture) == 1 && fixture[0].Status == baseline.StatusError && fixture[0].Check == "fixture.run"
		if (a.ID == crashIn) != crashed {
			t.Errorf("fixture findings in %s (crashIn %s): %+v", a.ID, crashIn, fixture)
		}
	}
	has(crashIn, "root-account.mfa", ":root", baseline.StatusPass)

	// The hang is one ERROR finding in its account; the plugin answers
	// everywhere else.
	for _, a := range accounts[1:] {
		var hanger []baseline.Finding
		for _, fd := range rep.Findings {
			if fd.Account == a.ID && fd.Source == "plugin:hanger" {
				hanger = append(hanger, fd)
			}
		}
		hung := len(hanger) == 1 && hanger[0].Status == baseline.StatusError && strings.Contains(hanger[0].Message, "did not answer within its timeout")
		if (a.ID == hangIn) != hung {
			t.Errorf("hanger findings in %s (hangIn %s): %+v", a.ID, hangIn, hanger)
		}
	}

	// Least privilege, enforced by AWS (orgsim): the declared action is
	// allowed, the undeclared one is refused, in every account.
	for _, a := range accounts[1:] {
		users, roles := "", ""
		for _, fd := range rep.Findings {
			if fd.Account != a.ID || fd.Source != "plugin:overreach" {
				continue
			}
			switch fd.Check {
			case "fixture.list-users":
				users = string(fd.Status)
			case "fixture.list-roles":
				roles = string(fd.Status) + " " + fd.Message
			}
		}
		if users != "PASS" || !strings.HasPrefix(roles, "ERROR") || !strings.Contains(roles, "AccessDenied") || !strings.Contains(roles, "iam:ListRoles") {
			t.Errorf("overreach in %s: ListUsers %q, ListRoles %q", a.ID, users, roles)
		}
	}
}

// An unpinned or changed binary is refused before it is launched and before
// any AWS call, and the message gives the actual checksum.
func TestTamperedPluginIsRefusedBeforeAnything(t *testing.T) {
	dir := pluginBinaries(t)
	h := newHarness(t, orgsim.OrgSpec{Members: 2, Clean: true})
	actual, err := fileSHA256(filepath.Join(dir, "iam-users"))
	if err != nil {
		t.Fatal(err)
	}
	f := h.write("baseline.yaml", passwordBaseline+"plugins:\n  - name: iam-users\n    path: "+filepath.Join(dir, "iam-users")+
		"\n    sha256: "+strings.Repeat("0", 64)+"\n")
	for _, cmd := range [][]string{{"check"}, {"plugins", "list"}} {
		r := h.run(append(cmd, "-f", f)...)
		h.want(r, ExitError)
		if !strings.Contains(r.stderr, actual) {
			t.Errorf("%s: refusal does not print the actual checksum %s:\n%s", cmd[0], actual, r.stderr)
		}
	}
	if n := h.sim.Counters().Total(); n != 0 {
		t.Fatalf("a refused plugin still led to %d AWS calls", n)
	}
}

func TestPluginsListAndDescribe(t *testing.T) {
	dir := pluginBinaries(t)
	h := newHarness(t, orgsim.OrgSpec{Members: 1, Clean: true})
	f := h.write("baseline.yaml", passwordBaseline+"plugins:\n"+pinned(t, dir, "iam-users", "{}")+pinned(t, dir, "root-account", "{}"))
	r := h.run("plugins", "list", "-f", f)
	h.want(r, ExitOK)
	if !strings.Contains(r.stdout, "iam-users") || !strings.Contains(r.stdout, "root-account") {
		t.Fatalf("plugins list:\n%s", r.stdout)
	}
	r = h.run("plugins", "describe", "iam-users", "-f", f)
	h.want(r, ExitOK)
	for _, want := range []string{"iam:ListUsers", "CIS-3.0:1.10", "config schema", "keyRotationDays"} {
		if !strings.Contains(r.stdout, want) {
			t.Errorf("describe lacks %q:\n%s", want, r.stdout)
		}
	}
	r = h.run("plugins", "describe", "nope", "-f", f)
	h.want(r, ExitError)
	if !strings.Contains(r.stderr, `no plugin "nope"`) {
		t.Fatalf("unknown plugin: %s", r.stderr)
	}
}
