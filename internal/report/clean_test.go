package report

import (
	"bytes"
	"fmt"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/orgbaseline/orgbaseline/baseline"
)

// hostile is text a plugin or an AWS resource name could carry to draw on
// a terminal: a fake green verdict, a carriage return, a C1 CSI, a bell,
// DEL, a right-to-left override and a byte that is not UTF-8.
const hostile = "\x1b[32mAll checks PASSED\x1b[0m\rFAKE\u009b31mred\a\x7f\u202eevil\xff\nnext"

// ControlBytes returns the control characters in s that a renderer did
// not write as structure: any C0 but the newline, DEL, C1, bidi controls
// and bytes that are not UTF-8. It is written independently of Clean.
func controlBytes(s string) []string {
	var found []string
	for i := 0; i < len(s); {
		r, size := utf8.DecodeRuneInString(s[i:])
		switch {
		case r == utf8.RuneError && size == 1,
			r < 0x20 && r != '\n', r == 0x7f, r >= 0x80 && r <= 0x9f,
			r >= 0x202a && r <= 0x202e, r >= 0x2066 && r <= 0x2069:
			found = append(found, fmt.Sprintf("%q at byte %d", s[i:i+size], i))
		}
		i += size
	}
	return found
}

func TestClean(t *testing.T) {
	for _, c := range []struct{ in, want string }{
		{"plain text, ünïcödé, 日本", "plain text, ünïcödé, 日本"},
		{"\x1b[32mPASSED\x1b[0m", `\x1b[32mPASSED\x1b[0m`},
		{"a\rb\nc\td", `a\x0db\x0ac\x09d`},
		{"csi\u009b31m del\x7f", `csi\u009b31m del\x7f`},
		{"rtl\u202eoverride\u2066", `rtl\u202eoverride\u2066`},
		{"bad\xffbyte", `bad\xffbyte`},
		{"", ""},
	} {
		got := Clean(c.in)
		if got != c.want {
			t.Errorf("Clean(%q) = %q, want %q", c.in, got, c.want)
		}
		if cb := controlBytes(got); len(cb) > 0 {
			t.Errorf("Clean(%q) kept %v", c.in, cb)
		}
	}
}

// hostileReport has the hostile text in every field a text renderer shows.
func hostileReport() *Report {
	r := &Report{
		FormatVersion: ReportFormatVersion, Organization: "o-" + hostile,
		Tool: Tool{Name: "orgbaseline", Version: hostile},
		Accounts: []AccountReport{
			{Account: "111111111111", Name: "Prod" + hostile, OUPath: "/Workloads" + hostile, Errors: []string{"AccessDenied: " + hostile}},
			{Account: "222222222222", Name: "Skipped" + hostile, Skipped: "suspended" + hostile},
		},
		Findings: []baseline.Finding{{
			Check: "plugin.check" + hostile, Source: "plugin:x", Account: "111111111111", Region: "us-east-1" + hostile,
			Resource: "arn:aws:iam::111111111111:user/" + hostile, Status: baseline.StatusFail, Severity: baseline.SeverityHigh,
			Title: "Title" + hostile, Message: "Message" + hostile, Remediation: "Fix" + hostile,
			Compliance: []string{"CIS-3.0:1.1" + hostile},
		}},
	}
	Summarise(r)
	return r
}

func hostilePlan() *baseline.Plan {
	ch := baseline.Change{
		Control: "scp" + hostile, Account: "333333333333", Region: "us-east-1" + hostile, Resource: "policy/" + hostile,
		Action: baseline.ActionUpdate, Reason: "because" + hostile,
		Before: map[string]any{"name" + hostile: "old" + hostile, "doc": "{\n  \"a\": \"" + hostile + "\"\n}\n", "list": []any{hostile}},
		After:  map[string]any{"name" + hostile: "new" + hostile, "doc": "{\n  \"b\": 1\n}\n", "list": []any{"x"}, "tags": map[string]any{hostile: hostile}},
	}
	return &baseline.Plan{Accounts: []baseline.AccountPlan{
		{Account: "111111111111", Name: "Prod" + hostile, OUPath: "/Workloads" + hostile, Changes: []baseline.Change{ch}, Warnings: []string{"warn" + hostile}},
		{Account: "222222222222", Name: "Broken" + hostile, Error: "AccessDenied" + hostile},
		{Account: "444444444444", Name: "Skipped" + hostile, Skipped: "suspended" + hostile},
	}}
}

// The text renderers write no control character they did not put there
// themselves, whatever the findings and plans carry. With colour off
// there is none at all but newlines; with colour on, only the palette's.
func TestTextRenderersEscapeControlCharacters(t *testing.T) {
	palette := colours(true)
	stripPalette := strings.NewReplacer(palette.green, "", palette.yellow, "", palette.red, "", palette.bold, "", palette.dim, "", palette.reset, "")
	for _, colour := range []bool{false, true} {
		outputs := map[string]func(*bytes.Buffer) error{
			"check text":   func(b *bytes.Buffer) error { return FindingsText(b, hostileReport(), colour) },
			"markdown":     func(b *bytes.Buffer) error { return Markdown(b, hostileReport()) },
			"plan text":    func(b *bytes.Buffer) error { return PlanText(b, hostilePlan(), colour) },
			"plan summary": func(b *bytes.Buffer) error { return PlanSummary(b, hostilePlan(), colour) },
		}
		for name, render := range outputs {
			var b bytes.Buffer
			if err := render(&b); err != nil {
				t.Fatal(err)
			}
			out := b.String()
			if colour {
				out = stripPalette.Replace(out)
			}
			if cb := controlBytes(out); len(cb) > 0 {
				t.Errorf("%s (colour %v) has control characters %v:\n%s", name, colour, cb, out)
			}
			// Markdown escapes the backslashes and makes \r a space.
			if !strings.Contains(out, `\x1b[32mAll checks PASSED\x1b[0m\x0dFAKE\u009b31m`) && !strings.Contains(out, `\\x1b\[32mAll checks PASSED\\x1b\[0m FAKE\\u009b31m`) {
				t.Errorf("%s (colour %v) does not show the hostile text escaped:\n%s", name, colour, out)
			}
		}
	}
}
