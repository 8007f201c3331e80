package pluginhost

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"
	"unicode/utf8"
)

// controlChars returns the control characters in s other than newlines:
// C0, DEL, C1, bidi controls and bytes that are not UTF-8.
func controlChars(s string) []string {
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

// A plugin that answers with terminal escapes (a fake green "All checks
// PASSED", \r, a C1 CSI) in every field cannot draw on the terminal: the
// text and Markdown reports show them escaped, and so does the log.
func TestAPluginCannotDrawOnTheTerminal(t *testing.T) {
	var buf logBuffer
	h := open(t, []Spec{fixtureSpec(t, "painter", `{"escapes":true}`)}, Options{Log: buf.logger()})
	fs := h.Run(context.Background(), account("111111111111", "a"), "us-east-1", regions)
	h.Close()
	outputs := renderAll(t, fs)
	for _, format := range []string{"text", "markdown"} {
		out := outputs[format]
		if format == "text" {
			// Rendered with colour: the report's own escapes are allowed.
			for _, code := range []string{"\x1b[32m", "\x1b[33m", "\x1b[31m", "\x1b[1m", "\x1b[2m", "\x1b[0m"} {
				out = strings.ReplaceAll(out, code, "")
			}
		}
		if cc := controlChars(out); len(cc) > 0 {
			t.Errorf("the %s report has control characters %v:\n%s", format, cc, out)
		}
		mustContain(t, out, "All checks PASSED")
	}
	logged := false
	for _, l := range buf.lines(t) {
		for k, v := range l {
			if s, ok := v.(string); ok && len(controlChars(k+s)) > 0 {
				t.Errorf("log field %s has control characters: %q", k, s)
			}
		}
		if m, _ := l["message"].(string); strings.HasPrefix(m, `log \x1b[32mAll checks PASSED`) {
			logged = true
		}
	}
	if !logged {
		t.Fatalf("the plugin's line is missing:\n%s", buf.buf.String())
	}
}

func TestOpenRefusesADescriptionWithControlCharacters(t *testing.T) {
	path := copyFixture(t, "escdesc")
	h, err := Open(context.Background(), []Spec{{Name: "escdesc", Path: path, SHA256: checksum(t, path), Timeout: 30 * time.Second}}, Options{})
	if err == nil {
		h.Close()
		t.Fatal("Open accepted a title with terminal escapes")
	}
	mustContain(t, err.Error(), "its title has control characters")
	if cc := controlChars(err.Error()); len(cc) > 0 {
		t.Errorf("the error quotes the escapes: %v", cc)
	}
}
