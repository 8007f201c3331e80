package report

import (
	"bytes"
	"encoding/json"
	"fmt"
	"regexp"
	"strings"
	"testing"
	"time"

	"golang.org/x/net/html"

	"github.com/orgbaseline/orgbaseline/baseline"
	"github.com/orgbaseline/orgbaseline/internal/golden"
)

func htmlRender(t testing.TB, r *Report) []byte {
	t.Helper()
	var b bytes.Buffer
	if err := HTML(&b, r); err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}

func TestHTML(t *testing.T) {
	got := htmlRender(t, fixture())
	golden.Check(t, "fixture.html", got)
	if again := htmlRender(t, fixture()); !bytes.Equal(got, again) {
		t.Error("two renderings of the fixture differ")
	}
}

// TestHTMLOffline checks that the page loads nothing: no element with a
// source or link, no remote URL in markup or style, and a
// Content-Security-Policy that allows no fetch. URLs in a finding's text
// stay text, in the embedded data.
func TestHTMLOffline(t *testing.T) {
	t.Run("fixture", func(t *testing.T) { htmlOffline(t, fixture()) })
	t.Run("URLs in findings", func(t *testing.T) {
		r := fixture()
		for i := range r.Findings {
			r.Findings[i].Remediation = `See https://docs.aws.amazon.com/IAM/ <img src="https://example.com/x.png"> <a href=//example.com>`
			r.Findings[i].Message += " (http://example.com/)"
		}
		out := htmlRender(t, r)
		if !bytes.Contains(out, []byte(`See https://docs.aws.amazon.com/IAM/ \u003cimg src=\"https://example.com/x.png\"\u003e`)) {
			t.Error("the remediation is not in the data")
		}
		htmlOffline(t, r)
	})
}

func htmlOffline(t *testing.T, r *Report) {
	t.Helper()
	out := string(htmlRender(t, r))
	// The markup: the page without the embedded data.
	markup := out
	if i := strings.Index(out, `<script type="application/json" id="data">`); i >= 0 {
		if j := strings.Index(out[i:], "</script>"); j >= 0 {
			markup = out[:i] + out[i+j:]
		}
	}
	for _, re := range []*regexp.Regexp{
		regexp.MustCompile(`(?i)\b(src|href|srcset|action|formaction|poster|background|xlink:href)\s*=`),
		regexp.MustCompile(`(?i)@import`),
		regexp.MustCompile(`(?i)url\s*\(`),
		regexp.MustCompile(`(?i)<(link|img|iframe|object|embed|base|video|audio|source)\b`),
		regexp.MustCompile(`(?i)\b(fetch|XMLHttpRequest|WebSocket|EventSource|sendBeacon|importScripts)\b`),
	} {
		if m := re.FindString(markup); m != "" {
			t.Errorf("the page has %q (it must load nothing)", m)
		}
	}
	// URLs may appear in the data and text only, never in markup.
	doc := htmlParse(t, []byte(out))
	htmlWalk(doc, func(n *html.Node) {
		if n.Type != html.ElementNode {
			return
		}
		for _, a := range n.Attr {
			if v := strings.ToLower(a.Val); strings.Contains(v, "http:") || strings.Contains(v, "https:") || strings.HasPrefix(strings.TrimSpace(v), "//") {
				t.Errorf("<%s %s=%q> names a URL", n.Data, a.Key, a.Val)
			}
		}
	})
	csp := htmlFind(doc, func(n *html.Node) bool {
		return n.Data == "meta" && strings.EqualFold(htmlAttr(n, "http-equiv"), "Content-Security-Policy")
	})
	if csp == nil || !strings.Contains(htmlAttr(csp, "content"), "default-src 'none'") {
		t.Errorf("no Content-Security-Policy with default-src 'none': %v", csp)
	}
	// The policy allows exactly the page's style and scripts, by hash.
	policy := htmlAttr(csp, "content")
	var inline []*html.Node
	data := 0
	for _, n := range htmlFindAll(doc, func(n *html.Node) bool { return n.Data == "script" || n.Data == "style" }) {
		if n.Data == "script" && htmlAttr(n, "type") == "application/json" {
			data++
			continue
		}
		inline = append(inline, n)
		if h := htmlCSPHash(htmlText(n)); !strings.Contains(policy, "'"+h+"'") {
			t.Errorf("the policy does not allow the <%s> of hash %s", n.Data, h)
		}
	}
	if data != 1 || len(inline) != 3 || strings.Count(policy, "'sha256-") != len(inline) {
		t.Errorf("%d data scripts, %d inline styles and scripts, %d hashes in the policy", data, len(inline), strings.Count(policy, "'sha256-"))
	}
}

// TestHTMLEscaping checks that the fixture's markup-like text (an account
// "Dev <b>", a title with <enabled> & "hardware") is text everywhere.
func TestHTMLEscaping(t *testing.T) {
	out := htmlRender(t, fixture())
	for _, raw := range []string{"<b>", "<b ", "</b>", "<enabled>", `& "hardware"`, `&amp; "hardware"`} {
		if bytes.Contains(out, []byte(raw)) {
			t.Errorf("the page has %q unescaped", raw)
		}
	}
	for _, esc := range []string{"Dev &lt;b&gt;", "&lt;enabled&gt; &amp; &#34;hardware&#34;", `Dev \u003cb\u003e`} {
		if !bytes.Contains(out, []byte(esc)) {
			t.Errorf("the page lacks %q", esc)
		}
	}
	doc := htmlParse(t, out)
	if n := htmlFind(doc, func(n *html.Node) bool { return n.Data == "b" || n.Data == "enabled" }); n != nil {
		t.Errorf("the page has a <%s> element", n.Data)
	}
	row := htmlFind(doc, func(n *html.Node) bool { return n.Data == "th" && htmlAttr(n, "data-account") == "444444444444" })
	if row == nil || !strings.Contains(htmlText(row), "Dev <b>") {
		t.Errorf("the row of 444444444444 does not read Dev <b>")
	}
	col := htmlFind(doc, func(n *html.Node) bool {
		return n.Data == "th" && htmlAttr(n, "data-check") == "plugin:root-account/mfa"
	})
	if want := `plugin:root-account/mfa: The root user has MFA <enabled> & "hardware"`; col == nil || htmlAttr(col, "title") != want {
		t.Errorf("the mfa column's title is not %q", want)
	}
	// The data is JSON, read back as the report's text.
	data := htmlFind(doc, func(n *html.Node) bool { return n.Data == "script" && htmlAttr(n, "id") == "data" })
	if data == nil {
		t.Fatal("no data script")
	}
	var d htmlData
	if err := json.Unmarshal([]byte(htmlText(data)), &d); err != nil {
		t.Fatalf("the embedded data is not JSON: %v", err)
	}
	var names []string
	for _, a := range d.Accounts {
		names = append(names, a.Name)
	}
	if !htmlContains(names, "Dev <b>") || !htmlContains(d.Strings, `The root user has MFA <enabled> & "hardware"`) {
		t.Error("the embedded data lacks the fixture's text")
	}
	if len(d.Findings) != len(fixture().Findings) || len(d.Checks) != 4 {
		t.Errorf("the embedded data has %d findings and %d checks", len(d.Findings), len(d.Checks))
	}
}

// TestHTMLContent checks the page's static parts on the fixture: header,
// compliance, and the heat map's rows, columns and cells.
func TestHTMLContent(t *testing.T) {
	r := fixture()
	doc := htmlParse(t, htmlRender(t, r))
	header := htmlText(htmlFind(doc, func(n *html.Node) bool { return n.Data == "header" }))
	for _, want := range []string{"o-exampleorg1", "2026-11-23 12:00:00 UTC", "orgbaseline test", "Accounts5", "Pass5", "Fail4", "Error1", "Skip1"} {
		if !strings.Contains(strings.Join(strings.Fields(header), ""), strings.ReplaceAll(want, " ", "")) {
			t.Errorf("the header lacks %q: %s", want, header)
		}
	}
	comp := htmlText(htmlFind(doc, func(n *html.Node) bool { return htmlAttr(n, "id") == "compliance" }))
	for _, fw := range r.Frameworks {
		want := fmt.Sprintf("%s: %d of %d controls passing, %d%%", fw.Framework, fw.Passing, fw.References, fw.Passing*100/fw.References)
		if !strings.Contains(comp, want) {
			t.Errorf("the compliance section lacks %q", want)
		}
		for _, ref := range fw.Failing {
			if !strings.Contains(comp, ref) {
				t.Errorf("the compliance section lacks the failing %s", ref)
			}
		}
	}

	// Columns: by source, then id.
	var cols []string
	for _, th := range htmlFindAll(doc, func(n *html.Node) bool {
		return n.Data == "th" && htmlAttr(n, "scope") == "col" && htmlAttr(n, "data-check") != ""
	}) {
		cols = append(cols, htmlAttr(th, "data-check"))
	}
	wantCols := []string{"accessAnalyzer.enabled", "organizationTrail.allRegions", "passwordPolicy.minimumPasswordLength", "plugin:root-account/mfa"}
	if strings.Join(cols, " ") != strings.Join(wantCols, " ") {
		t.Errorf("columns %q, want %q", cols, wantCols)
	}
	// Rows: the organization scope first, then by OU path, each OU with a
	// heading row.
	var rows []string
	for _, tr := range htmlFindAll(doc, func(n *html.Node) bool { return n.Data == "tr" && n.Parent.Data == "tbody" }) {
		if htmlAttr(tr, "class") == "ou" {
			rows = append(rows, "OU "+strings.Fields(htmlText(tr))[0])
			continue
		}
		rows = append(rows, htmlAttr(htmlChild(tr, "th"), "data-account"))
	}
	wantRows := "OU Organization 111111111111 OU /Sandbox 555555555555 OU /Security 222222222222 OU /Workloads/Dev 444444444444 OU /Workloads/Prod 333333333333"
	if got := strings.Join(rows, " "); got != wantRows {
		t.Errorf("rows\n%s\nwant\n%s", got, wantRows)
	}

	// Cells: status and class of every cell with findings.
	cells := map[string]string{}
	for _, td := range htmlFindAll(doc, func(n *html.Node) bool { return n.Data == "td" && htmlAttr(n, "data-status") != "" }) {
		cells[htmlAttr(td, "data-account")+" "+htmlAttr(td, "data-check")] = htmlAttr(td, "data-status") + " " + htmlAttr(td, "class") + " " + htmlText(td)
	}
	want := map[string]string{
		"111111111111 organizationTrail.allRegions":         "FAIL f3 F",
		"222222222222 accessAnalyzer.enabled":               "PASS p ",
		"222222222222 passwordPolicy.minimumPasswordLength": "PASS p ",
		"222222222222 plugin:root-account/mfa":              "PASS p ",
		"333333333333 accessAnalyzer.enabled":               "FAIL f1 F", // FAIL in eu-west-1 over PASS in us-east-1
		"333333333333 passwordPolicy.minimumPasswordLength": "FAIL f2 F",
		"333333333333 plugin:root-account/mfa":              "FAIL f4 F",
		"444444444444 passwordPolicy.minimumPasswordLength": "ERROR e E",
		"444444444444 plugin:root-account/mfa":              "SKIP s S",
	}
	if fmt.Sprint(cells) != fmt.Sprint(want) {
		t.Errorf("cells\n%v\nwant\n%v", cells, want)
	}
	// Every row has a cell per column, but the skipped account's note.
	for _, tr := range htmlFindAll(doc, func(n *html.Node) bool {
		return n.Data == "tr" && n.Parent.Data == "tbody" && htmlAttr(n, "class") != "ou"
	}) {
		n := len(htmlFindAll(tr, func(n *html.Node) bool { return n.Data == "td" }))
		acct := htmlAttr(htmlChild(tr, "th"), "data-account")
		if acct == "555555555555" {
			note := htmlChild(tr, "td")
			if n != 1 || htmlAttr(note, "colspan") != "4" || htmlText(note) != "skipped: account is SUSPENDED" {
				t.Errorf("the skipped account's row is not one note: %d cells, %q", n, htmlText(note))
			}
			if !strings.Contains(htmlText(tr), "skipped") || htmlAttr(tr, "class") != "rs" {
				t.Errorf("the skipped account's row does not say so")
			}
			continue
		}
		if n != 4 {
			t.Errorf("row %s has %d cells, want 4", acct, n)
		}
	}
	dev := htmlFind(doc, func(n *html.Node) bool { return n.Data == "th" && htmlAttr(n, "data-account") == "444444444444" })
	tag := htmlFind(dev, func(n *html.Node) bool { return htmlAttr(n, "class") == "tag te" })
	if tag == nil || htmlAttr(tag, "title") != "assume role OrganizationAccountAccessRole: AccessDenied" || htmlAttr(dev.Parent, "class") != "re" {
		t.Errorf("the errored account's row does not show the error")
	}
	problems := htmlText(htmlFind(doc, func(n *html.Node) bool { return htmlAttr(n, "id") == "problems" }))
	for _, want := range []string{"Dev <b> (444444444444)", "assume role OrganizationAccountAccessRole: AccessDenied", "Old (555555555555)", "account is SUSPENDED"} {
		if !strings.Contains(problems, want) {
			t.Errorf("the accounts not fully checked lack %q", want)
		}
	}
	var options []string
	for _, o := range htmlFindAll(htmlFind(doc, func(n *html.Node) bool { return htmlAttr(n, "id") == "f-fw" }), func(n *html.Node) bool { return n.Data == "option" }) {
		options = append(options, htmlAttr(o, "value"))
	}
	if got := strings.Join(options, ","); got != ",CIS-3.0,CMMC,HIPAA,ISO27001,NIST-CSF,SOC2" {
		t.Errorf("framework filter options %q", got)
	}
}

// TestHTMLOddInput renders reports the check command does not make: no
// panic, and what there is shows.
func TestHTMLOddInput(t *testing.T) {
	if err := HTML(&bytes.Buffer{}, nil); err == nil {
		t.Error("a nil report rendered")
	}
	htmlParse(t, htmlRender(t, &Report{}))

	// Not summarised (no catalogue), a finding of an account the report
	// does not list, no region, unknown status and severity, a narrowed
	// shard, the organization scope marked.
	r := &Report{
		Framework: "SOC2",
		Shard:     &Shard{Index: 1, Count: 3},
		Accounts: []AccountReport{
			{Account: "999999999999", Name: "Beta", OUPath: "/B"},
			{Account: "111111111111", Name: "Management (organization scope)", OUPath: "/", OrganizationScope: true},
			{Account: "888888888888", OUPath: "/B", Errors: []string{"e1", "e2"}},
		},
		Findings: []baseline.Finding{
			{Check: "x.one", Account: "999999999999", Status: "WEIRD", Severity: "urgent", Compliance: []string{"SOC2"}},
			{Check: "x.one", Account: "777777777777", AccountName: "Stray", Status: baseline.StatusFail},
			{Check: "x.two", Source: "control:x", Account: "111111111111", Status: baseline.StatusFail, Severity: "nonsense"},
		},
	}
	out := htmlRender(t, r)
	doc := htmlParse(t, out)
	s := string(out)
	for _, want := range []string{"Narrowed to framework <strong>SOC2</strong>", "shard <strong>1/3</strong>", "Organization scope", "not checked: e1\ne2"} {
		if !strings.Contains(s, want) {
			t.Errorf("the page lacks %q", want)
		}
	}
	cells := map[string]string{}
	for _, td := range htmlFindAll(doc, func(n *html.Node) bool { return n.Data == "td" && htmlAttr(n, "data-status") != "" }) {
		cells[htmlAttr(td, "data-account")+" "+htmlAttr(td, "data-check")] = htmlAttr(td, "data-status") + " " + htmlAttr(td, "class")
	}
	want := map[string]string{"111111111111 x.two": "FAIL f0", "777777777777 x.one": "FAIL f0", "999999999999 x.one": "WEIRD u"}
	if fmt.Sprint(cells) != fmt.Sprint(want) {
		t.Errorf("cells %v, want %v", cells, want)
	}
	first := htmlFind(doc, func(n *html.Node) bool {
		return n.Data == "tr" && n.Parent.Data == "tbody" && htmlAttr(n, "class") != "ou"
	})
	if acct := htmlAttr(htmlChild(first, "th"), "data-account"); acct != "111111111111" {
		t.Errorf("the first row is %s, not the organization scope", acct)
	}
}

// TestHTMLLarge renders an organization of 5,000 accounts by 40 checks and
// reports the size of the page.
func TestHTMLLarge(t *testing.T) {
	if testing.Short() {
		t.Skip("a 5,000-account report (-short)")
	}
	r := htmlLargeReport(5000, 40)
	start := time.Now()
	out := htmlRender(t, r)
	took := time.Since(start)
	cells := bytes.Count(out, []byte(" data-status="))
	data := bytes.Index(out, []byte(`<script type="application/json"`))
	table := bytes.Index(out, []byte(`<table id="heat"`))
	t.Logf("%d accounts x %d checks, %d findings: %d bytes (%.1f MiB, %.0f bytes a finding; heat map %.1f MiB, JSON data %.1f MiB), rendered in %v",
		len(r.Accounts), len(r.Checks), len(r.Findings), len(out), float64(len(out))/(1<<20), float64(len(out))/float64(len(r.Findings)),
		float64(data-table)/(1<<20), float64(len(out)-data)/(1<<20), took.Round(time.Millisecond))
	if cells != len(r.Accounts)*len(r.Checks) {
		t.Errorf("%d cells with a status, want %d", cells, len(r.Accounts)*len(r.Checks))
	}
	// A regression guard, well above the size now (130 bytes a finding):
	// the markup of a cell must stay short.
	if per := len(out) / len(r.Findings); per > 250 {
		t.Errorf("%d bytes a finding", per)
	}
}

func BenchmarkHTML(b *testing.B) {
	r := htmlLargeReport(5000, 40)
	var size int
	for b.Loop() {
		var buf bytes.Buffer
		if err := HTML(&buf, r); err != nil {
			b.Fatal(err)
		}
		size = buf.Len()
	}
	b.ReportMetric(float64(size), "page-bytes")
	b.ReportMetric(float64(size)/float64(len(r.Findings)), "bytes/finding")
}

// largeReport is a synthetic report of accounts by checks: a check of
// every fourth control runs in two regions, about one finding in ten
// fails, a few error or skip.
func htmlLargeReport(accounts, checks int) *Report {
	sources := []string{"passwordPolicy", "accessAnalyzer", "organizationTrail", "config", "serviceControlPolicies", "s3", "iam", "plugin:root-account"}
	sevs := []baseline.Severity{baseline.SeverityInfo, baseline.SeverityLow, baseline.SeverityMedium, baseline.SeverityHigh, baseline.SeverityCritical}
	type check struct{ id, source string }
	var cs []check
	for i := range checks {
		src := sources[i%len(sources)]
		if strings.HasPrefix(src, "plugin:") {
			cs = append(cs, check{fmt.Sprintf("%s/rule%02d", src, i), src})
		} else {
			cs = append(cs, check{fmt.Sprintf("%s.someSetting%02d", src, i), "control:" + src})
		}
	}
	r := &Report{
		FormatVersion: ReportFormatVersion, CreatedAt: time.Date(2026, 11, 23, 12, 0, 0, 0, time.UTC),
		Tool: Tool{Name: "orgbaseline", Version: "bench"}, Organization: "o-large",
	}
	n := 0
	for a := range accounts {
		id := fmt.Sprintf("%012d", 100000000000+a*7919)
		name := fmt.Sprintf("workload-%04d", a)
		r.Accounts = append(r.Accounts, AccountReport{Account: id, Name: name, OUPath: fmt.Sprintf("/Workloads/OU%02d", a%50)})
		for c, ch := range cs {
			regions := []string{""}
			if c%4 == 0 {
				regions = []string{"us-east-1", "eu-west-1"}
			}
			for _, region := range regions {
				n++
				st, msg := baseline.StatusPass, "the setting is as the baseline wants"
				switch h := (n * 2654435761) % 100; {
				case h < 10:
					st, msg = baseline.StatusFail, fmt.Sprintf("the setting is %d, want 14", h)
				case h < 12:
					st, msg = baseline.StatusError, "AccessDenied"
				case h < 14:
					st, msg = baseline.StatusSkip, "not applicable"
				}
				r.Findings = append(r.Findings, baseline.Finding{
					Check: ch.id, Source: ch.source, Account: id, AccountName: name, Region: region,
					Resource: "arn:aws:iam::" + id + ":" + ch.source, Status: st, Severity: sevs[c%len(sevs)],
					Title: "The setting " + ch.id + " is right", Message: msg,
					Remediation: "Run orgbaseline apply.", Compliance: []string{"CIS-3.0:1." + fmt.Sprint(c), "SOC2:CC6.1"},
				})
			}
		}
	}
	Sort(r.Findings)
	Summarise(r)
	return r
}

func htmlParse(t testing.TB, b []byte) *html.Node {
	t.Helper()
	doc, err := html.Parse(bytes.NewReader(b))
	if err != nil {
		t.Fatalf("the page does not parse: %v", err)
	}
	return doc
}

func htmlWalk(n *html.Node, fn func(*html.Node)) {
	if n == nil {
		return
	}
	fn(n)
	for c := n.FirstChild; c != nil; c = c.NextSibling {
		htmlWalk(c, fn)
	}
}

func htmlFindAll(n *html.Node, pred func(*html.Node) bool) []*html.Node {
	var out []*html.Node
	htmlWalk(n, func(n *html.Node) {
		if n.Type == html.ElementNode && pred(n) {
			out = append(out, n)
		}
	})
	return out
}

func htmlFind(n *html.Node, pred func(*html.Node) bool) *html.Node {
	if all := htmlFindAll(n, pred); len(all) > 0 {
		return all[0]
	}
	return nil
}

func htmlChild(n *html.Node, tag string) *html.Node {
	if n == nil {
		return nil
	}
	for c := n.FirstChild; c != nil; c = c.NextSibling {
		if c.Type == html.ElementNode && c.Data == tag {
			return c
		}
	}
	return nil
}

func htmlAttr(n *html.Node, key string) string {
	if n == nil {
		return ""
	}
	for _, a := range n.Attr {
		if a.Key == key {
			return a.Val
		}
	}
	return ""
}

func htmlText(n *html.Node) string {
	var b strings.Builder
	htmlWalk(n, func(n *html.Node) {
		if n.Type == html.TextNode {
			b.WriteString(n.Data)
		}
	})
	return b.String()
}

func htmlContains(ss []string, s string) bool {
	for _, x := range ss {
		if x == s {
			return true
		}
	}
	return false
}
