package cli

import (
	"bytes"
	"os"
	"strings"
	"testing"

	"github.com/orgbaseline/orgbaseline/internal/orgsim"
)

// noControls fails when s holds a control character other than the line
// breaks a renderer writes itself.
func noControls(t *testing.T, what, s string) {
	t.Helper()
	for _, c := range s {
		if (c < 0x20 && c != '\n') || c == 0x7f || (c >= 0x80 && c <= 0x9f) {
			t.Fatalf("%s wrote %q:\n%q", what, c, s)
		}
	}
}

// The final "Error:" line and the console log quote what they were
// given (here a file name; AWS's and plugins' messages reach them the same
// way) with its control characters escaped, so no one can draw on the
// terminal through them.
func TestErrorsAndTheConsoleLogEscapeControlCharacters(t *testing.T) {
	h := newHarness(t, orgsim.OrgSpec{Members: 1, Clean: true})
	hostile := "\x1b[2J\x1b[32mAll checks PASSED\r\u009b1A.yaml"
	r := h.run("plan", "-f", hostile)
	if r.code != ExitError {
		t.Fatalf("exit %d, want %d", r.code, ExitError)
	}
	noControls(t, "plan's error", r.stderr)
	if !strings.Contains(r.stderr, `\x1b[32mAll checks PASSED`) {
		t.Fatalf("the name is not shown escaped:\n%s", r.stderr)
	}

	var out, errb bytes.Buffer
	a := &app{stdin: strings.NewReader(""), stdout: &out, stderr: &errb, getenv: os.Getenv}
	log, err := a.newLogger(&globalFlags{logLevel: "info", logFormat: "console"})
	if err != nil {
		t.Fatal(err)
	}
	log.Warn().Str("account", "\x1b[31m111111111111").Msg("AWS said " + hostile)
	noControls(t, "the console log", errb.String())
}
