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

// The live line of a phase working on the accounts as the walk finds them
// learns the total as soon as the organization has been read (Walked),
// not when its last account is taken, and then shows the time left at
// the pace so far; a phase starting after the walk ended has it at once.
func TestTheLiveLineLearnsTheTotalWhenTheWalkEnds(t *testing.T) {
	var term bytes.Buffer
	now := time.Date(2026, 5, 1, 12, 0, 0, 0, time.UTC)
	p := &progress{live: &liveLine{w: &term}, now: func() time.Time { return now }}
	last := func() string {
		frames := strings.Split(term.String(), clearLine)
		return frames[len(frames)-1]
	}
	p.Start("plan", -1)
	for i := 0; i < 120; i++ {
		now = now.Add(100 * time.Millisecond)
		p.Done(false)
	}
	if got, want := last(), "plan: 120 accounts so far (reading the organization), 0 with errors, 12s elapsed"; got != want {
		t.Fatalf("while the walk goes on the line is %q, want %q", got, want)
	}
	p.Walked(300)
	if got, want := last(), "plan: 120/300 accounts, 0 with errors, 12s elapsed, about 18s left"; got != want {
		t.Fatalf("once the organization is read the line is %q, want %q", got, want)
	}
	// The engine's own count, once its last account is taken, agrees.
	p.Total(300)
	now = now.Add(100 * time.Millisecond)
	p.Done(true)
	if got, want := last(), "plan: 121/300 accounts, 1 with errors, 12s elapsed, about 18s left"; got != want {
		t.Fatalf("the line is %q, want %q", got, want)
	}

	term.Reset()
	q := &progress{live: &liveLine{w: &term}, now: func() time.Time { return now }}
	q.Walked(7)
	q.Start("check", -1)
	if got, want := last(), "check: 0/7 accounts, 0 with errors, 0s elapsed"; got != want {
		t.Fatalf("a phase starting after the walk: %q, want %q", got, want)
	}
}
