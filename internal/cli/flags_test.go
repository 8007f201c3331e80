package cli

import (
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"

	"github.com/spf13/cobra"
	"github.com/spf13/pflag"

	"github.com/orgbaseline/orgbaseline/internal/orgsim"
)

// Help text, flags and counts the way a newcomer reads them: one spelling
// for the same thing in every command.

// argName is what a flag usage may put in backticks: cobra shows the
// first backticked word as the flag's argument (--output FILE), so only a
// deliberate argument name belongs there, never a command or a quote.
var argName = regexp.MustCompile(`^[A-Z][A-Z0-9]*([/|:_-][A-Z0-9%]+)*%?$`)

func TestFlagUsageBackticksAreArgumentNames(t *testing.T) {
	a := &app{stdout: os.Stdout, stderr: os.Stderr, getenv: os.Getenv}
	var walk func(*cobra.Command)
	walk = func(c *cobra.Command) {
		check := func(f *pflag.Flag) {
			if n := strings.Count(f.Usage, "`"); n != 0 && n != 2 {
				t.Errorf("%s --%s: %d backticks in %q; only one argument name may be quoted", c.CommandPath(), f.Name, n, f.Usage)
				return
			}
			name, _ := pflag.UnquoteUsage(f)
			if strings.Contains(f.Usage, "`") && !argName.MatchString(name) {
				t.Errorf("%s --%s: shown as --%s %s: backticks in a flag usage become its argument name; quote only an argument name such as FILE", c.CommandPath(), f.Name, f.Name, name)
			}
		}
		c.LocalFlags().VisitAll(check)
		c.PersistentFlags().VisitAll(check)
		for _, sub := range c.Commands() {
			walk(sub)
		}
	}
	walk(a.rootCommand())
}

// TestHelpShowsArgumentNames: the help of the commands the issue quoted
// shows argument names, not commands.
func TestHelpShowsArgumentNames(t *testing.T) {
	for _, tc := range []struct {
		args []string
		want []string
	}{
		{[]string{"plan", "--help"}, []string{"--out FILE", "--format FORMAT", "--target SELECTOR", "-f, --file FILE"}},
		{[]string{"sim", "serve", "--help"}, []string{"--env-file FILE", "--listen ADDRESS"}},
		{[]string{"sim", "bench", "--help"}, []string{"--sim-process ", "[--throttle=false]"}},
		{[]string{"check", "--help"}, []string{"--output FILE", "--format FORMAT", "--fail-on SEVERITY"}},
		{[]string{"accounts", "--help"}, []string{"--output FILE", "--format FORMAT"}},
		{[]string{"--help"}, []string{"service control policies", "--profile NAME"}},
	} {
		var out, errb strings.Builder
		a := &app{stdin: strings.NewReader(""), stdout: &out, stderr: &errb, getenv: os.Getenv}
		if code := a.run(context.Background(), tc.args); code != ExitOK {
			t.Fatalf("%v: exit %d\n%s", tc.args, code, errb.String())
		}
		r := result{stdout: out.String()}
		for _, w := range tc.want {
			if !strings.Contains(r.stdout, w) {
				t.Errorf("%v: help lacks %q:\n%s", tc.args, w, r.stdout)
			}
		}
		for _, bad := range []string{"orgbaseline sim serve   ", "--env-file export", "as they land", "--out orgbaseline"} {
			if strings.Contains(r.stdout, bad) {
				t.Errorf("%v: help still shows %q:\n%s", tc.args, bad, r.stdout)
			}
		}
	}
}

// TestAccountsFormatFlag: accounts chooses its format with --format and
// writes a file with --output, as check does; the old --output json is
// refused with the new spelling.
func TestAccountsFormatFlag(t *testing.T) {
	h := newHarness(t, orgsim.OrgSpec{Members: 3, Clean: true})
	f := h.write("b.yaml", passwordBaseline)
	r := h.run("accounts", "-f", f, "--format", "json")
	h.want(r, ExitOK)
	if !json.Valid([]byte(r.stdout)) {
		t.Fatalf("--format json is not JSON:\n%s", r.stdout)
	}
	r = h.run("accounts", "-f", f, "--output", "json")
	h.want(r, ExitError)
	if !strings.Contains(r.stderr, "--format json") {
		t.Errorf("--output json does not give the new spelling:\n%s", r.stderr)
	}
	out := filepath.Join(h.dir, "accounts.json")
	r = h.run("accounts", "-f", f, "--output", out)
	h.want(r, ExitOK)
	if b, err := os.ReadFile(out); err != nil || !json.Valid(b) {
		t.Errorf("--output accounts.json did not write JSON (%v):\n%s", err, b)
	}
	r = h.run("accounts", "-f", f, "--output", filepath.Join(h.dir, "accounts.csv"))
	h.want(r, ExitError)
	for _, w := range []string{".csv", ".json json", ".txt text", "--format"} {
		if !strings.Contains(r.stderr, w) {
			t.Errorf("an unknown extension's error lacks %q:\n%s", w, r.stderr)
		}
	}
}

// TestCheckOutputInfersFormat: --output without --format writes each
// file in the format its extension names; an unknown extension is an
// error naming the choices, before any AWS call.
func TestCheckOutputInfersFormat(t *testing.T) {
	h := newHarness(t, orgsim.OrgSpec{Members: 2})
	f := h.write("b.yaml", passwordBaseline)
	files := map[string]func([]byte) bool{
		"r.json":  func(b []byte) bool { return json.Valid(b) && strings.Contains(string(b), `"formatVersion"`) },
		"r.sarif": func(b []byte) bool { return json.Valid(b) && strings.Contains(string(b), `"$schema"`) },
		"r.xml":   func(b []byte) bool { return strings.Contains(string(b), "<testsuites") },
		"r.md":    func(b []byte) bool { return strings.HasPrefix(string(b), "#") },
		"r.html":  func(b []byte) bool { return strings.Contains(string(b), "<html") },
		"r.txt":   func(b []byte) bool { return strings.Contains(string(b), "Check: ") },
	}
	args := []string{"check", "-f", f, "--fail-on", "critical"}
	for name := range files {
		args = append(args, "--output", filepath.Join(h.dir, name))
	}
	h.want(h.run(args...), ExitOK)
	for name, ok := range files {
		b, err := os.ReadFile(filepath.Join(h.dir, name))
		if err != nil || !ok(b) {
			t.Errorf("%s is not in its extension's format (%v):\n%.300s", name, err, b)
		}
	}
	r := h.run("check", "-f", f, "--output", filepath.Join(h.dir, "r.csv"))
	h.want(r, ExitError)
	for _, w := range []string{"r.csv", ".csv", "--format", ".json json", ".sarif sarif", ".xml junit", ".md markdown", ".html html", ".txt text"} {
		if !strings.Contains(r.stderr, w) {
			t.Errorf("an unknown extension's error lacks %q:\n%s", w, r.stderr)
		}
	}
	if n := h.sim.Counters().Reads(); n == 0 {
		t.Log("no reads counted") // the first check ran; nothing to assert here
	}
}

// TestSkippedCountsSayWhatTheyCount: plan's summary counts skipped
// accounts, check's skipped findings, and each says which.
func TestSkippedCountsSayWhatTheyCount(t *testing.T) {
	h := newHarness(t, orgsim.OrgSpec{Members: 3, Suspended: 1, Clean: true})
	f := h.write("b.yaml", passwordBaseline)
	r := h.run("plan", "-f", f)
	h.want(r, ExitOK)
	if !strings.Contains(r.stdout, "2 account(s) skipped") { // the management account and the suspended one
		t.Errorf("plan does not say its skipped count is accounts:\n%s", r.stdout)
	}
	r = h.run("check", "-f", f, "--fail-on", "critical")
	h.want(r, ExitOK)
	if !regexp.MustCompile(`\d+ finding\(s\) skipped`).MatchString(r.stdout) {
		t.Errorf("check does not say its skipped count is findings:\n%s", r.stdout)
	}
}

// TestPlanAccountsCheckSortAlike: plan, accounts and check list the
// accounts in one order, by OU path, then name, then id, skipped ones
// last.
func TestPlanAccountsCheckSortAlike(t *testing.T) {
	h := newHarness(t, orgsim.OrgSpec{Members: 7, ExtraOUs: 2, Suspended: 1, Clean: true})
	f := h.write("b.yaml", passwordBaseline)
	type acct struct {
		id, ou, name string
		skipped      bool
	}
	var plan struct {
		Accounts []struct {
			Account, Name, OUPath, Skipped string
		}
	}
	r := h.run("plan", "-f", f, "--format", "json")
	h.want(r, ExitOK)
	if err := json.Unmarshal([]byte(r.stdout), &plan); err != nil {
		t.Fatalf("plan --format json: %v", err)
	}
	var fromPlan []acct
	for _, a := range plan.Accounts {
		fromPlan = append(fromPlan, acct{a.Account, a.OUPath, a.Name, a.Skipped != ""})
	}
	var check struct {
		Accounts []struct {
			Account, Name, OUPath, Skipped string
			OrganizationScope              bool
		}
	}
	out := filepath.Join(h.dir, "check.json")
	h.want(h.run("check", "-f", f, "--fail-on", "critical", "--output", out), ExitOK)
	b, err := os.ReadFile(out)
	if err != nil {
		t.Fatal(err)
	}
	if err := json.Unmarshal(b, &check); err != nil {
		t.Fatal(err)
	}
	var fromCheck []acct
	for _, a := range check.Accounts {
		if !a.OrganizationScope {
			fromCheck = append(fromCheck, acct{a.Account, a.OUPath, a.Name, a.Skipped != ""})
		}
	}
	var list struct {
		Accounts []struct {
			ID, Name, OUPath, Skipped string
			Targeted                  bool
		}
	}
	r = h.run("accounts", "-f", f, "--format", "json")
	h.want(r, ExitOK)
	if err := json.Unmarshal([]byte(r.stdout), &list); err != nil {
		t.Fatal(err)
	}
	var fromList []acct
	for _, a := range list.Accounts {
		if a.Targeted {
			fromList = append(fromList, acct{a.ID, a.OUPath, a.Name, false})
		}
	}
	want := slices.Clone(fromPlan)
	slices.SortStableFunc(want, func(a, b acct) int {
		switch {
		case a.skipped != b.skipped:
			if a.skipped {
				return 1
			}
			return -1
		case a.ou != b.ou:
			return strings.Compare(a.ou, b.ou)
		case a.name != b.name:
			return strings.Compare(a.name, b.name)
		}
		return strings.Compare(a.id, b.id)
	})
	if !slices.Equal(fromPlan, want) {
		t.Errorf("plan's order is not by OU path, name, id:\n got %v\nwant %v", fromPlan, want)
	}
	if !slices.Equal(fromCheck, fromPlan) {
		t.Errorf("check's order differs from plan's:\ncheck %v\n plan %v", fromCheck, fromPlan)
	}
	var planTargeted []acct
	for _, a := range fromPlan {
		if !a.skipped {
			planTargeted = append(planTargeted, a)
		}
	}
	if !slices.Equal(fromList, planTargeted) {
		t.Errorf("accounts' order differs from plan's:\naccounts %v\n    plan %v", fromList, planTargeted)
	}
	if slices.IsSortedFunc(fromPlan, func(a, b acct) int { return strings.Compare(a.id, b.id) }) {
		t.Log("the seeded organization's ids happen to sort like its OUs; the order is still checked against OU path, name, id")
	}
}
