package cli

import (
	"bytes"
	"encoding/json"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/santhosh-tekuri/jsonschema/v6"

	"github.com/orgbaseline/orgbaseline/internal/golden"
	"github.com/orgbaseline/orgbaseline/internal/orgsim"
	"github.com/orgbaseline/orgbaseline/internal/report"
)

// reportClock is the fixed time golden reports are stamped with.
func reportClock() time.Time { return time.Date(2026, 11, 23, 9, 30, 0, 0, time.UTC) }

// reportWorld is a seeded organization where part of the baseline has
// been applied: the Security OU converged, the rest as seeded (weak or no
// password policies, no analyzers), so the report has passing and failing
// accounts side by side.
func reportWorld(t *testing.T) (*harness, string) {
	h := newHarness(t, orgsim.OrgSpec{Members: 6})
	h.now = reportClock
	f := h.write("baseline.yaml", passwordAnalyzerBaseline)
	h.want(h.run("apply", "-f", f, "--auto-approve", "--target", "ou:/Security"), ExitOK)
	return h, f
}

// passwordAnalyzerBaseline is the CIS profile (password policy, trail,
// Config, Access Analyzer) in two regions: findings per account, per
// region and of the organization scope.
const passwordAnalyzerBaseline = `version: 1
extends: [cis-aws-foundations-3.0]
organization:
  regions: [us-east-1, eu-west-1]
  accounts: {logArchive: Log Archive, audit: Audit}
`

var goldenFormats = map[string]string{
	"text": "check.txt", "json": "check.json", "sarif": "check.sarif",
	"junit": "check.junit.xml", "markdown": "check.md", "html": "check.html",
}

// One check run renders every format from one observation; each matches
// its golden file, and the JSON validates against the published schema.
func TestCheckRendersEveryFormatGolden(t *testing.T) {
	h, f := reportWorld(t)
	args := []string{"check", "-f", f, "--fail-on", "critical"}
	var names []string
	for format := range goldenFormats {
		names = append(names, format)
	}
	sort.Strings(names)
	for _, format := range names {
		args = append(args, "--format", format, "--output", filepath.Join(h.dir, goldenFormats[format]))
	}
	h.sim.ResetCounters()
	r := h.run(args...)
	if r.code != ExitOK && r.code != ExitFindings {
		h.want(r, ExitFindings)
	}
	if r.stdout != "" {
		t.Errorf("every format went to a file, yet stdout has:\n%s", r.stdout)
	}
	for _, format := range names {
		got, err := os.ReadFile(filepath.Join(h.dir, goldenFormats[format]))
		if err != nil {
			t.Fatal(err)
		}
		golden.Check(t, goldenFormats[format], got)
	}
	doc, _ := os.ReadFile(filepath.Join(h.dir, "check.json"))
	validateReportJSON(t, doc)
}

// validateReportJSON validates a report against report.schema.json.
func validateReportJSON(t *testing.T, doc []byte) {
	t.Helper()
	schema, err := jsonschema.UnmarshalJSON(bytes.NewReader(report.ReportSchema))
	if err != nil {
		t.Fatal(err)
	}
	c := jsonschema.NewCompiler()
	if err := c.AddResource("report.schema.json", schema); err != nil {
		t.Fatal(err)
	}
	sch, err := c.Compile("report.schema.json")
	if err != nil {
		t.Fatal(err)
	}
	inst, err := jsonschema.UnmarshalJSON(bytes.NewReader(doc))
	if err != nil {
		t.Fatal(err)
	}
	if err := sch.Validate(inst); err != nil {
		t.Errorf("the JSON report does not validate against report.schema.json: %v", err)
	}
}

// Flags that cannot be honoured are refused before any AWS call.
func TestCheckOutputFlagsAreCheckedFirst(t *testing.T) {
	h := newHarness(t, orgsim.OrgSpec{Members: 2})
	f := h.write("baseline.yaml", passwordBaseline)
	cases := map[string]struct {
		args []string
		want string
	}{
		"unknown format":   {[]string{"--format", "pdf"}, `--format "pdf": use text, json`},
		"unpaired formats": {[]string{"--format", "json", "--format", "html"}, "2 formats but no --output"},
		"more formats":     {[]string{"--format", "json", "--format", "html", "--output", "a.json"}, "2 --format and 1 --output"},
		"two stdouts":      {[]string{"--format", "json", "--output", "-", "--format", "text", "--output", "-"}, "only one --format can go to standard output"},
		"same file":        {[]string{"--format", "json", "--output", "x", "--format", "html", "--output", "x"}, "--output x is given twice"},
		"framework":        {[]string{"--framework", "pci"}, `--framework "pci": use one of CIS-3.0, CIS-7.0, CMMC`},
		"shard":            {[]string{"--shard", "3/3"}, "from 0 to 2"},
		"shard auto":       {[]string{"--shard", "auto/3"}, "neither is set"},
	}
	for name, c := range cases {
		t.Run(name, func(t *testing.T) {
			h.sim.ResetCounters()
			r := h.run(append([]string{"check", "-f", f}, c.args...)...)
			h.want(r, ExitError)
			if !strings.Contains(r.stderr, c.want) {
				t.Errorf("stderr does not say %q:\n%s", c.want, r.stderr)
			}
			if n := h.sim.Counters().Total(); n != 0 {
				t.Errorf("%d AWS calls made before the flags were refused", n)
			}
		})
	}
}

// --framework narrows the findings and the summary to one framework.
func TestCheckFrameworkNarrowsTheReport(t *testing.T) {
	h, f := reportWorld(t)
	r := h.run("check", "-f", f, "--framework", "cis-3.0", "--format", "json")
	h.want(r, ExitFindings)
	var rep report.Report
	if err := json.Unmarshal([]byte(r.stdout), &rep); err != nil {
		t.Fatal(err)
	}
	if rep.Framework != "CIS-3.0" || len(rep.Frameworks) != 1 || rep.Frameworks[0].Framework != "CIS-3.0" {
		t.Fatalf("framework %q, summaries %+v", rep.Framework, rep.Frameworks)
	}
	whole := h.run("check", "-f", f, "--format", "json")
	var all report.Report
	if err := json.Unmarshal([]byte(whole.stdout), &all); err != nil {
		t.Fatal(err)
	}
	citing := 0
	for _, fd := range all.Findings {
		if report.Cites(fd, "CIS-3.0") {
			citing++
		}
	}
	if len(rep.Findings) != citing || citing == len(all.Findings) || citing == 0 {
		t.Errorf("narrowed report has %d findings; the whole has %d, of which %d cite CIS-3.0", len(rep.Findings), len(all.Findings), citing)
	}
	for _, fd := range rep.Findings {
		for _, ref := range fd.Compliance {
			if !strings.HasPrefix(ref, "CIS-3.0:") {
				t.Errorf("%s in %s keeps reference %s", fd.Check, fd.Account, ref)
			}
		}
	}
}

// Three shards of a check, merged, are the unsharded report; every
// account is in exactly one shard; the organization scope in shard 0.
func TestShardedCheckMergesToTheWholeRun(t *testing.T) {
	h := newHarness(t, orgsim.OrgSpec{Members: 9})
	h.now = reportClock
	f := h.write("baseline.yaml", fullBaseline)
	whole := h.run("check", "-f", f, "--format", "json", "--output", filepath.Join(h.dir, "whole.json"))
	h.want(whole, ExitFindings)
	seen := map[string]int{}
	var shards []string
	for i := range 3 {
		out := filepath.Join(h.dir, "shard-"+string(rune('0'+i))+".json")
		shards = append(shards, out)
		if i == 2 {
			t.Setenv("JOB_COMPLETION_INDEX", "2") // the Kubernetes Indexed Job way
			h.want(h.run("check", "-f", f, "--shard", "auto/3", "--format", "json", "--output", out), ExitFindings)
		} else {
			h.want(h.run("check", "-f", f, "--shard", string(rune('0'+i))+"/3", "--format", "json", "--output", out), ExitFindings)
		}
		rep := readReport(t, out)
		if rep.Shard == nil || rep.Shard.Index != i || rep.Shard.Count != 3 {
			t.Fatalf("shard %d report has shard %+v", i, rep.Shard)
		}
		for _, a := range rep.Accounts {
			key := a.Account
			if a.OrganizationScope {
				key = "organization scope"
				if i != 0 {
					t.Errorf("shard %d has the organization scope", i)
				}
			}
			seen[key]++
		}
	}
	wholeRep := readReport(t, filepath.Join(h.dir, "whole.json"))
	if len(seen) != len(wholeRep.Accounts) {
		t.Errorf("the shards report %d accounts, the whole run %d", len(seen), len(wholeRep.Accounts))
	}
	for k, n := range seen {
		if n != 1 {
			t.Errorf("%s is in %d shards", k, n)
		}
	}
	merged := filepath.Join(h.dir, "merged.json")
	r := h.run(append(append([]string{"report", "merge"}, shards...), "--format", "json", "--output", merged, "--format", "html", "--output", filepath.Join(h.dir, "merged.html"))...)
	h.want(r, ExitOK)
	// --fail-on gives the merged run the exit check would have had.
	h.want(h.run(append(append([]string{"report", "merge"}, shards...), "--format", "json", "--output", filepath.Join(h.dir, "m2.json"), "--fail-on", "low")...), ExitFindings)
	got, _ := os.ReadFile(merged)
	want, _ := os.ReadFile(filepath.Join(h.dir, "whole.json"))
	if !bytes.Equal(got, want) {
		t.Errorf("the merged report differs from the unsharded one:\n--- merged\n%s\n--- unsharded\n%s", got, want)
	}
	// A missing shard is refused, naming it.
	r = h.run("report", "merge", shards[0], shards[2])
	h.want(r, ExitError)
	if !strings.Contains(r.stderr, "missing the report of shard 1/3") {
		t.Errorf("a missing shard is not named:\n%s", r.stderr)
	}
	// The unsharded report is not a shard's.
	r = h.run("report", "merge", filepath.Join(h.dir, "whole.json"))
	h.want(r, ExitError)
}

func readReport(t *testing.T, path string) *report.Report {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	r, err := report.ReadReport(f, path)
	if err != nil {
		t.Fatal(err)
	}
	return r
}

// Sharded plans split the accounts the same way; a saved shard plan is
// applied to its shard only, and not with another --shard.
func TestShardedPlanAndApply(t *testing.T) {
	h := newHarness(t, orgsim.OrgSpec{Members: 9})
	f := h.write("baseline.yaml", fullBaseline)
	seen := map[string]int{}
	org := 0
	for i := range 3 {
		r := h.run("plan", "-f", f, "--shard", string(rune('0'+i))+"/3", "--format", "json")
		h.want(r, ExitOK)
		var p struct {
			Shard             *struct{ Index, Count int } `json:"shard"`
			OrganizationScope *json.RawMessage            `json:"organizationScope"`
			Accounts          []struct{ Account string }  `json:"accounts"`
		}
		if err := json.Unmarshal([]byte(r.stdout), &p); err != nil {
			t.Fatal(err)
		}
		if p.Shard == nil || p.Shard.Index != i {
			t.Errorf("plan of shard %d says shard %+v", i, p.Shard)
		}
		if p.OrganizationScope != nil {
			org++
			if i != 0 {
				t.Errorf("shard %d plans the organization scope", i)
			}
		}
		for _, a := range p.Accounts {
			seen[a.Account]++
		}
	}
	if org != 1 || len(seen) != 10 { // 9 members + the management account (skipped)
		t.Errorf("organization scope in %d shards; %d accounts over the shards", org, len(seen))
	}
	for id, n := range seen {
		if n != 1 {
			t.Errorf("account %s is in %d shard plans", id, n)
		}
	}

	planFile := filepath.Join(h.dir, "shard1.json")
	h.want(h.run("plan", "-f", f, "--shard", "1/3", "-out", planFile), ExitOK)
	r := h.run("apply", "-f", f, planFile, "--shard", "0/3", "--auto-approve")
	h.want(r, ExitError)
	if !strings.Contains(r.stderr, "does not match the plan file, which is of shard 1/3") {
		t.Errorf("a shard mismatch is not explained:\n%s", r.stderr)
	}
	// Shard 1's accounts depend on the organization scope (Config's
	// bucket), which shard 0 applies: refused, with no write.
	h.sim.ResetCounters()
	r = h.run("apply", "-f", f, planFile, "--auto-approve")
	h.want(r, ExitError)
	if !strings.Contains(r.stderr, "apply shard 0/3 (it applies the organization scope), then this shard; nothing was changed") {
		t.Errorf("applying a shard before the organization scope is not explained:\n%s", r.stderr)
	}
	if w := h.sim.Counters().Writes(); w != 0 {
		t.Errorf("%d writes before the organization scope was in place", w)
	}
	h.want(h.run("apply", "-f", f, "--shard", "0/3", "--auto-approve"), ExitOK)
	h.want(h.run("plan", "-f", f, "--shard", "0/3", "--detailed-exitcode"), ExitOK)
	h.want(h.run("plan", "-f", f, "--shard", "1/3", "--detailed-exitcode"), ExitChanges)
	h.want(h.run("apply", "-f", f, planFile, "--auto-approve"), ExitOK)
	h.want(h.run("plan", "-f", f, "--shard", "1/3", "--detailed-exitcode"), ExitOK)
	h.want(h.run("plan", "-f", f, "--shard", "2/3", "--detailed-exitcode"), ExitChanges)
}

// Progress goes to stderr: a live line on a terminal, log lines otherwise;
// never into the machine output on stdout.
func TestProgressStaysOnStderr(t *testing.T) {
	h := newHarness(t, orgsim.OrgSpec{Members: 5})
	f := h.write("baseline.yaml", passwordBaseline)

	h.stderrTTY = true
	r := h.run("check", "-f", f, "--format", "json")
	h.want(r, ExitFindings)
	if !strings.Contains(r.stderr, clearLine+"check: 5/5 accounts, 0 with errors") {
		t.Errorf("no live progress line on the terminal's stderr:\n%q", r.stderr)
	}
	var rep report.Report
	if err := json.Unmarshal([]byte(r.stdout), &rep); err != nil {
		t.Errorf("stdout is not only the JSON report: %v\n%s", err, r.stdout)
	}

	h.stderrTTY = false
	r = h.run("check", "-f", f, "--format", "json", "--progress-interval", "1ns")
	h.want(r, ExitFindings)
	if strings.Contains(r.stderr, clearLine) {
		t.Errorf("terminal control characters off a terminal:\n%q", r.stderr)
	}
	var progressLines, done int
	for _, line := range strings.Split(strings.TrimSpace(r.stderr), "\n") {
		var ev struct {
			Message string `json:"message"`
			Phase   string `json:"phase"`
			Done    int    `json:"done"`
			Total   int    `json:"total"`
		}
		if json.Unmarshal([]byte(line), &ev) != nil {
			continue
		}
		switch ev.Message {
		case "progress":
			progressLines++
			// No total while the organization is still being walked
			// (all 5 may be done before the walk has ended).
			known := ev.Total != 0
			if ev.Phase != "check" || known && ev.Total != 5 || ev.Done < 1 || ev.Done > 5 || known && ev.Done == 5 {
				t.Errorf("progress line %s", line)
			}
		case "accounts done":
			done++
			if ev.Done != 5 || ev.Total != 5 {
				t.Errorf("final progress line %s", line)
			}
		}
	}
	if progressLines == 0 || done != 1 {
		t.Errorf("%d progress lines and %d final lines in the log:\n%s", progressLines, done, r.stderr)
	}
	if err := json.Unmarshal([]byte(r.stdout), &rep); err != nil {
		t.Errorf("stdout is not only the JSON report: %v", err)
	}
}
