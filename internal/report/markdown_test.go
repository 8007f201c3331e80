package report

import (
	"bytes"
	"fmt"
	"strings"
	"testing"

	"github.com/orgbaseline/orgbaseline/baseline"
	"github.com/orgbaseline/orgbaseline/internal/golden"
)

func markdownOf(t *testing.T, r *Report) string {
	t.Helper()
	var b bytes.Buffer
	if err := Markdown(&b, r); err != nil {
		t.Fatal(err)
	}
	checkTables(t, b.String())
	return b.String()
}

// checkTables fails if a table row has another number of columns than
// its table's header: an unescaped | in a value would do that.
func checkTables(t *testing.T, md string) {
	t.Helper()
	header := -1
	for _, line := range strings.Split(md, "\n") {
		if !strings.HasPrefix(line, "|") {
			header = -1
			continue
		}
		n := 0
		for i := range len(line) {
			if line[i] == '|' && (i == 0 || line[i-1] != '\\') {
				n++
			}
		}
		if header < 0 {
			header = n
		} else if n != header {
			t.Errorf("table row with %d pipes under a header with %d: %s", n, header, line)
		}
	}
}

func TestMarkdownGolden(t *testing.T) {
	golden.Check(t, "fixture.md", []byte(markdownOf(t, fixture())))
}

func TestMarkdownContent(t *testing.T) {
	md := markdownOf(t, fixture())
	// Prod A fails a critical, a medium and a low check: the worst
	// account, before Management's one high and Dev's one medium error.
	worst := md[strings.Index(md, "### Worst accounts"):]
	prod, mgmt, dev := strings.Index(worst, "| Prod A |"), strings.Index(worst, "| Management (organization scope) |"), strings.Index(worst, "| Dev \\<b\\> |")
	if prod < 0 || mgmt < 0 || dev < 0 || !(prod < mgmt && mgmt < dev) {
		t.Errorf("worst accounts out of order (Prod A %d, Management %d, Dev %d):\n%s", prod, mgmt, dev, md)
	}
	if !strings.Contains(worst, "| Prod A | 333333333333 | /Workloads/Prod | 3 | critical |") {
		t.Errorf("Prod A row missing:\n%s", md)
	}
	for _, want := range []string{
		"| 5 | 5 | 4 | 1 | 1 |",                           // totals
		`The root user has MFA \<enabled\> \& "hardware"`, // escaped title
		"Dev \\<b\\> (444444444444): assume role OrganizationAccountAccessRole: AccessDenied", // account error
		"| CIS-3.0 | 0/4 (0%) |",
	} {
		if !strings.Contains(md, want) {
			t.Errorf("no %q in:\n%s", want, md)
		}
	}
	for _, raw := range []string{"<b>", "<enabled>"} {
		if strings.Contains(md, raw) {
			t.Errorf("unescaped %q in:\n%s", raw, md)
		}
	}
	if strings.Contains(md, "Narrowed") || strings.Contains(md, "Shard") {
		t.Errorf("a note of narrowing or sharding on a full report:\n%s", md)
	}
}

func TestMarkdownNarrowedAndSharded(t *testing.T) {
	r := fixture()
	Narrow(r, "SOC2")
	r.Shard = &Shard{Index: 2, Count: 4}
	md := markdownOf(t, r)
	for _, want := range []string{"Narrowed to the framework SOC2", "Shard 2/4"} {
		if !strings.Contains(md, want) {
			t.Errorf("no %q in:\n%s", want, md)
		}
	}
}

func TestMarkdownOddInput(t *testing.T) {
	if md := markdownOf(t, nil); !strings.HasPrefix(md, "## orgbaseline check\n") {
		t.Errorf("nil report:\n%s", md)
	}
	md := markdownOf(t, &Report{})
	if !strings.Contains(md, "| 0 | 0 | 0 | 0 | 0 |") || !strings.Contains(md, "No account has failing findings.") {
		t.Errorf("empty report:\n%s", md)
	}
	md = markdownOf(t, oddReport())
	if !strings.Contains(md, `boom \| \<x\>`) {
		t.Errorf("odd report:\n%s", md)
	}
}

func TestEscapeMarkdown(t *testing.T) {
	for in, want := range map[string]string{
		"a|b":          `a\|b`,
		"<i>x</i>":     `\<i\>x\</i\>`,
		"[l](u)":       `\[l\](u)`,
		"![i](u)":      `\!\[i\](u)`,
		"*e* _e_ ~s~":  `\*e\* \_e\_ \~s\~`,
		"`c`":          "\\`c\\`",
		"$m$ #h &amp;": `\$m\$ \#h \&amp;`,
		`\`:            `\\`,
		"plain, text.": "plain, text.",
	} {
		if got := escapeMarkdown(in); got != want {
			t.Errorf("escapeMarkdown(%q) = %q, want %q", in, got, want)
		}
	}
	if got := mdText("two\nlines |\r\n" + strings.Repeat("x", 500)); strings.ContainsAny(got, "\r\n") || len([]rune(got)) > mdMaxValueLength+10 {
		t.Errorf("mdText kept newlines or length: %q", got)
	}
}

// TestMarkdownSizeCap renders a large organization with long, hostile
// values and holds the summary far under GitHub's 1 MiB.
func TestMarkdownSizeCap(t *testing.T) {
	const accounts = 5000
	long := strings.Repeat("very | long <name> ", 40)
	r := &Report{FormatVersion: ReportFormatVersion, Organization: "o-big"}
	sev := []baseline.Severity{baseline.SeverityCritical, baseline.SeverityHigh, baseline.SeverityMedium, baseline.SeverityLow, baseline.SeverityInfo}
	for i := range accounts {
		id := fmt.Sprintf("%012d", i)
		a := AccountReport{Account: id, Name: fmt.Sprintf("acct %d %s", i, long), OUPath: "/ou|" + long}
		if i%7 == 0 {
			a.Errors = []string{"assume role: " + long}
		}
		r.Accounts = append(r.Accounts, a)
		for c := range 6 {
			check := fmt.Sprintf("check%d.%s", (i+c)%120, strings.Repeat("x", 30))
			st := baseline.StatusPass
			if (i+c)%3 == 0 {
				st = baseline.StatusFail
			}
			r.Findings = append(r.Findings, baseline.Finding{
				Check: check, Account: id, AccountName: a.Name, Status: st, Severity: sev[(i+c)%5],
				Title: "title " + long, Message: long,
				Compliance: []string{fmt.Sprintf("FW%d:%d", c, i%50), fmt.Sprintf("FW%d:%d", c+10, i%40)},
			})
		}
	}
	Sort(r.Findings)
	Summarise(r)
	md := markdownOf(t, r)
	t.Logf("the summary of %d accounts is %d bytes", accounts, len(md))
	if len(md) > 64<<10 {
		t.Errorf("the summary of %d accounts is %d bytes", accounts, len(md))
	}
	for _, want := range []string{"and 4990 more accounts", "more checks", "- and 695 more"} {
		if !strings.Contains(md, want) {
			t.Errorf("no %q in the capped summary", want)
		}
	}
	if strings.Contains(md, "<name>") {
		t.Error("unescaped <name>")
	}
}
