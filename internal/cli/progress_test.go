package cli

import (
	"bytes"
	"strings"
	"testing"
	"time"

	"github.com/orgbaseline/orgbaseline/internal/awsapi"
)

// What the run waits for names resources that came from AWS; the live
// line shows any control characters in it escaped, so only the line's own
// redraw sequence reaches the terminal.
func TestTheLiveLineEscapesControlCharacters(t *testing.T) {
	var term bytes.Buffer
	now := time.Date(2026, 5, 1, 12, 0, 0, 0, time.UTC)
	p := &progress{live: &liveLine{w: &term}, now: func() time.Time { return now }}
	p.Start("check", 3)
	p.Wait(awsapi.Wait{For: "trail \x1b[2J\x1b[32mAll checks PASSED\r\u009b1A\x7f"})
	out := strings.ReplaceAll(term.String(), clearLine, "")
	for _, c := range out {
		if c < 0x20 || c == 0x7f || c >= 0x80 && c <= 0x9f {
			t.Fatalf("the live line wrote %q:\n%q", c, term.String())
		}
	}
	if !strings.Contains(out, `waiting for AWS: trail \x1b[2J\x1b[32mAll checks PASSED\x0d\u009b1A\x7f`) {
		t.Fatalf("the wait is not shown escaped: %q", out)
	}
}
