package cli

import (
	"sort"
	"strconv"
	"strings"

	"github.com/spf13/cobra"

	"github.com/orgbaseline/orgbaseline/baseline"
	"github.com/orgbaseline/orgbaseline/internal/report"
)

// This file completes flag values in the shell. cobra's `completion bash|
// zsh|fish|powershell` prints the script; the script asks the binary
// itself through the hidden `__complete` command, which calls the
// functions registered here. Nothing here touches AWS: selectors and
// plugin names come from the baseline file (-f), read offline.

// isCompletionRequest says whether args are the shell asking for
// completions; only then are the functions registered (cobra keeps them
// in a process-wide map, which would grow with every root command a
// long-lived process, such as the tests, builds).
func isCompletionRequest(args []string) bool {
	return len(args) > 0 && (args[0] == cobra.ShellCompRequestCmd || args[0] == cobra.ShellCompNoDescRequestCmd)
}

// formatsOf is what --format accepts, by command path; a command not
// listed takes text and json.
var formatsOf = map[string]func() []string{
	"orgbaseline check":        report.Formats,
	"orgbaseline report merge": report.Formats,
}

// registerCompletions registers the value completion of every flag that
// has a known set of values, on every command that has the flag.
func registerCompletions(root *cobra.Command) {
	severities := fixed("info", "low", "medium", "high", "critical")
	byFlag := map[string]cobra.CompletionFunc{
		"fail-on":      severities,
		"min-severity": severities,
		"status":       fixed("fail", "error", "pass", "skip"),
		"framework":    fixed(baseline.Frameworks()...),
		"log-level":    fixed("debug", "info", "warn", "error"),
		"log-format":   fixed("json", "console", "auto"),
		"shard":        completeShard,
		"target":       completeTarget,
		"partition":    fixed("aws", "aws-cn", "aws-us-gov"),
	}
	var walk func(c *cobra.Command)
	walk = func(c *cobra.Command) {
		// Local and persistent flags defined on c (inherited ones are
		// registered where they are defined).
		for name, fn := range byFlag {
			if c.LocalFlags().Lookup(name) != nil {
				_ = c.RegisterFlagCompletionFunc(name, fn)
			}
		}
		if c.LocalFlags().Lookup("format") != nil {
			values := []string{"text", "json"}
			if f, ok := formatsOf[c.CommandPath()]; ok {
				values = f()
			}
			_ = c.RegisterFlagCompletionFunc("format", fixed(values...))
		}
		if f := c.LocalFlags().Lookup("file"); f != nil && strings.Contains(f.Usage, "baseline") {
			_ = c.MarkFlagFilename("file", "yaml", "yml")
		}
		for _, sub := range c.Commands() {
			walk(sub)
		}
	}
	walk(root)
	if describe, _, err := root.Find([]string{"plugins", "describe"}); err == nil && describe.Name() == "describe" {
		describe.ValidArgsFunction = completePluginName
	}
}

// fixed completes one of values.
func fixed(values ...string) cobra.CompletionFunc {
	return func(_ *cobra.Command, _ []string, toComplete string) ([]string, cobra.ShellCompDirective) {
		return withPrefix(values, toComplete), cobra.ShellCompDirectiveNoFileComp
	}
}

func withPrefix(values []string, prefix string) []string {
	var out []string
	for _, v := range values {
		if strings.HasPrefix(v, prefix) {
			out = append(out, v)
		}
	}
	return out
}

// completeShard offers the shards of a run split in 2 to 4, and auto/N.
func completeShard(_ *cobra.Command, _ []string, toComplete string) ([]string, cobra.ShellCompDirective) {
	var values []string
	for n := 2; n <= 4; n++ {
		for i := 0; i < n; i++ {
			values = append(values, strconv.Itoa(i)+"/"+strconv.Itoa(n))
		}
		values = append(values, "auto/"+strconv.Itoa(n))
	}
	return withPrefix(values, toComplete), cobra.ShellCompDirectiveNoFileComp
}

// completionBaseline loads the command's baseline file (-f) for
// completion; nil when it cannot be loaded (completion then offers less,
// and says nothing: the shell is not the place for the diagnostics).
func completionBaseline(cmd *cobra.Command) *baseline.Baseline {
	file := baselineFileName
	if f := cmd.Flag("file"); f != nil {
		file = f.Value.String()
	}
	b, err := baseline.Load(file)
	if err != nil {
		return nil
	}
	return b
}

// completeTarget offers the selectors the baseline file names (targets,
// SCP targets, the accounts of organization.accounts) and the selector
// kinds, to start one.
func completeTarget(cmd *cobra.Command, _ []string, toComplete string) ([]string, cobra.ShellCompDirective) {
	seen := map[string]bool{}
	add := func(s string) { seen[s] = true }
	add("root")
	for _, kind := range []string{"ou:/", "account:", "tag:"} {
		add(kind)
	}
	if b := completionBaseline(cmd); b != nil {
		for _, s := range b.Targets.Include {
			add(s.String())
		}
		for _, s := range b.Targets.Exclude {
			add(s.String())
		}
		for _, set := range b.Controls.PolicySets() {
			for _, p := range set.Policies {
				for _, s := range p.Targets {
					add(s.String())
				}
			}
		}
		for _, acct := range b.Organization.Accounts {
			add("account:" + acct)
		}
	}
	var values []string
	for s := range seen {
		values = append(values, s)
	}
	sort.Strings(values)
	values = withPrefix(values, toComplete)
	directive := cobra.ShellCompDirectiveNoFileComp
	if len(values) == 1 && strings.HasSuffix(values[0], ":") || len(values) == 1 && strings.HasSuffix(values[0], ":/") {
		// Only a kind is left: no space after it, the user types the rest.
		directive |= cobra.ShellCompDirectiveNoSpace
	}
	return values, directive
}

// completePluginName offers the names of the plugins the baseline file
// declares, without launching them.
func completePluginName(cmd *cobra.Command, args []string, toComplete string) ([]string, cobra.ShellCompDirective) {
	if len(args) > 0 {
		return nil, cobra.ShellCompDirectiveNoFileComp
	}
	var names []string
	if b := completionBaseline(cmd); b != nil {
		for _, p := range b.Plugins {
			names = append(names, p.Name)
		}
	}
	return withPrefix(names, toComplete), cobra.ShellCompDirectiveNoFileComp
}
