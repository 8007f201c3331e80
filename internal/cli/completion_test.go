package cli

import (
	"bytes"
	"context"
	"os"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"

	"github.com/orgbaseline/orgbaseline/baseline"
	"github.com/orgbaseline/orgbaseline/internal/report"
)

// complete asks the CLI for completions as the shell scripts do, through
// cobra's hidden __complete command, and returns the values and the
// directive line.
func complete(t *testing.T, args ...string) ([]string, string) {
	t.Helper()
	var out, errb bytes.Buffer
	a := &app{stdin: strings.NewReader(""), stdout: &out, stderr: &errb, getenv: os.Getenv}
	if code := a.run(context.Background(), append([]string{"__complete"}, args...)); code != ExitOK {
		t.Fatalf("__complete %v: exit %d\n%s", args, code, errb.String())
	}
	lines := strings.Split(strings.TrimSpace(out.String()), "\n")
	return lines[:len(lines)-1], lines[len(lines)-1]
}

// completionBaselineFile is a baseline naming selectors, accounts and
// plugins, for the completions read from the file.
const completionBaselineFile = `version: 1
organization:
  accounts:
    logArchive: Log Archive
    audit: "222233334444"
targets:
  include: [ou:/Workloads, tag:env=prod]
  exclude: [account:Sandbox One]
controls:
  serviceControlPolicies:
    policies:
      - name: deny-leave
        targets: [ou:/Security]
        document: '{"Version":"2012-10-17","Statement":[{"Effect":"Deny","Action":"organizations:LeaveOrganization","Resource":"*"}]}'
plugins:
  - name: iam-users
    path: ./plugins/iam-users
    sha256: ` + "0000000000000000000000000000000000000000000000000000000000000000" + `
    actions: []
  - name: root-account
    path: ./plugins/root-account
    sha256: ` + "0000000000000000000000000000000000000000000000000000000000000000" + `
    actions: []
`

// Flag values complete from what each command accepts, offline: formats
// per command, severities, statuses, frameworks, log settings, shards,
// and the selectors and plugin names of the baseline file.
func TestCompletionOfFlagValues(t *testing.T) {
	h := &harness{t: t, dir: t.TempDir()}
	f := h.write("baseline.yaml", completionBaselineFile)
	const noFiles = ":4"
	for _, tc := range []struct {
		name      string
		args      []string
		want      []string
		directive string
	}{
		{"check --format: the report formats", []string{"check", "--format", ""}, report.Formats(), noFiles},
		{"report merge --format", []string{"report", "merge", "--format", "s"}, []string{"sarif"}, noFiles},
		{"plan --format", []string{"plan", "--format", ""}, []string{"text", "json"}, noFiles},
		{"version --format", []string{"version", "--format", "j"}, []string{"json"}, noFiles},
		{"check --fail-on", []string{"check", "--fail-on", ""}, []string{"info", "low", "medium", "high", "critical"}, noFiles},
		{"check --min-severity", []string{"check", "--min-severity", "h"}, []string{"high"}, noFiles},
		{"check --status", []string{"check", "--status", ""}, []string{"fail", "error", "pass", "skip"}, noFiles},
		{"check --framework", []string{"check", "--framework", ""}, baseline.Frameworks(), noFiles},
		{"--log-level on any command", []string{"plan", "--log-level", "w"}, []string{"warn"}, noFiles},
		{"--log-format", []string{"--log-format", ""}, []string{"json", "console", "auto"}, noFiles},
		{"check --shard", []string{"check", "--shard", "2"}, []string{"2/3", "2/4"}, noFiles},
		{"plan --target: the file's selectors", []string{"plan", "-f", f, "--target", ""},
			[]string{"account:222233334444", "account:Log Archive", "account:Sandbox One", "account:", "ou:/", "ou:/Security", "ou:/Workloads", "root", "tag:", "tag:env=prod"}, noFiles},
		{"check --target ou:", []string{"check", "-f", f, "--target", "ou:/"}, []string{"ou:/", "ou:/Security", "ou:/Workloads"}, noFiles},
		{"apply --target, only a kind left: no space", []string{"apply", "-f", f, "--target", "ta"}, []string{"tag:", "tag:env=prod"}, noFiles},
		{"plugins describe: the file's plugin names", []string{"plugins", "describe", "-f", f, ""}, []string{"iam-users", "root-account"}, noFiles},
		{"plugins describe, one name already given", []string{"plugins", "describe", "-f", f, "iam-users", ""}, nil, noFiles},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got, directive := complete(t, tc.args...)
			if diff := cmp.Diff(tc.want, got, cmpopts.SortSlices(func(a, b string) bool { return a < b }), cmpopts.EquateEmpty()); diff != "" {
				t.Errorf("completions (-want +got):\n%s", diff)
			}
			if directive != tc.directive {
				t.Errorf("directive %s, want %s", directive, tc.directive)
			}
		})
	}
}

// With no baseline file (or a broken one), --target still offers the
// selector kinds, without a space after a lone kind, and plugin names
// offer nothing: completion never prints diagnostics to the shell.
func TestCompletionWithoutABaseline(t *testing.T) {
	t.Chdir(t.TempDir())
	got, directive := complete(t, "plan", "--target", "o")
	if !cmp.Equal(got, []string{"ou:/"}) || directive != ":6" {
		t.Errorf("--target o: %v %s, want [ou:/] :6 (no space, no files)", got, directive)
	}
	if got, _ := complete(t, "plugins", "describe", ""); len(got) != 0 {
		t.Errorf("plugin names with no baseline: %v", got)
	}
}

// The shell scripts come from cobra's completion command.
func TestCompletionScripts(t *testing.T) {
	h := &harness{t: t, dir: t.TempDir()}
	for _, shell := range []string{"bash", "zsh", "fish", "powershell"} {
		r := h.runOffline("completion", shell)
		if r.code != ExitOK || !strings.Contains(r.stdout, "__complete") {
			t.Errorf("completion %s: exit %d, %d bytes\n%s", shell, r.code, len(r.stdout), r.stderr)
		}
	}
}
