package pluginhost

import (
	"bytes"
	"context"
	"strings"
	"sync"
	"testing"

	"github.com/orgbaseline/orgbaseline/baseline"
	"github.com/orgbaseline/orgbaseline/internal/report"
	"github.com/orgbaseline/orgbaseline/plugins"
)

// Letters and digits only, so that no format's escaping could hide one
// from the assertions.
var issued = plugins.Credentials{
	AccessKeyID:     "ASIATESTKEYID0000001",
	SecretAccessKey: "wJalrXUtnFEMIK7MDENGbPxRfiCYSECRET0000001",
	SessionToken:    "IQoJb3JpZ2luX2VjEXAMPLESESSIONTOKEN" + strings.Repeat("Zm9v", 40),
}

// renderAll renders fs through internal/report in every check report
// format, as `check --format` would.
func renderAll(t testing.TB, fs []baseline.Finding) map[string]string {
	t.Helper()
	r := &report.Report{
		FormatVersion: report.ReportFormatVersion, CreatedAt: testNow,
		Tool: report.Tool{Name: "orgbaseline", Version: "test"}, Organization: "o-test",
		Accounts: []report.AccountReport{{Account: "111111111111", Name: "a", OUPath: "/Workloads/Prod"}},
		Findings: fs,
	}
	report.Sort(r.Findings)
	report.Summarise(r)
	out := map[string]string{}
	for _, format := range report.Formats() {
		var b bytes.Buffer
		if err := report.Render(&b, r, format, true); err != nil {
			t.Fatalf("render %s: %v", format, err)
		}
		out[format] = b.String()
	}
	return out
}

func TestIssuedCredentialsNeverReachAReportOrTheLog(t *testing.T) {
	var buf logBuffer
	var mu sync.Mutex
	calls := 0
	src := func(context.Context, CredentialRequest) (plugins.Credentials, error) {
		mu.Lock()
		defer mu.Unlock()
		calls++
		return issued, nil
	}
	h := open(t, []Spec{fixtureSpec(t, "echo", `{"echoCredentials":true}`)}, Options{Log: buf.logger(), Credentials: src})
	fs := h.Run(context.Background(), account("111111111111", "a"), "us-east-1", regions)
	buf.waitFor("plain line with") // its stderr line, on its way apart from the answer
	h.Close()
	if calls != 1 {
		t.Fatalf("the credential source was called %d times", calls)
	}
	f := find(t, fs, "fixture.echo")
	// The plugin put them everywhere it could; each place now says so.
	mustContain(t, f.Message, "key [redacted] [redacted] [redacted]")
	mustContain(t, f.Remediation, "rotate [redacted]")
	mustContain(t, f.Resource, ":user/[redacted]")
	if f.Evidence["secret"] != redacted || f.Evidence["token"] != redacted || f.Evidence[redacted] != "as a key" {
		t.Errorf("evidence not redacted: %v", f.Evidence)
	}

	outputs := renderAll(t, fs)
	outputs["log"] = buf.buf.String()
	mustContain(t, outputs["log"], "my credentials are [redacted] [redacted] [redacted]", "plain line with [redacted]")
	for name, out := range outputs {
		for what, secret := range map[string]string{"access key id": issued.AccessKeyID, "secret": issued.SecretAccessKey, "session token": issued.SessionToken} {
			// A prefix too, so a value cut by truncation would be caught.
			if strings.Contains(out, secret[:12]) {
				t.Errorf("the %s output holds the %s", name, what)
			}
		}
	}
}

func TestRedactor(t *testing.T) {
	var r redactor
	if got := r.apply("nothing recorded " + issued.SecretAccessKey); !strings.Contains(got, issued.SecretAccessKey) {
		t.Fatal("an empty redactor changed text")
	}
	// A key id inside the token: the longer secret goes whole.
	r.add(plugins.Credentials{AccessKeyID: issued.AccessKeyID, SessionToken: issued.AccessKeyID + "TAILOFTHETOKEN", SecretAccessKey: "short"})
	for in, want := range map[string]string{
		"k=" + issued.AccessKeyID + "TAILOFTHETOKEN;":      "k=[redacted];",
		"k=" + issued.AccessKeyID + ";":                    "k=[redacted];",
		"short stays: AWS issues no credential this short": "short stays: AWS issues no credential this short",
	} {
		if got := r.apply(in); got != want {
			t.Errorf("apply(%q) = %q, want %q", in, got, want)
		}
	}
	var nilRedactor *redactor
	if nilRedactor.apply("x") != "x" {
		t.Error("a nil redactor changed text")
	}
}

func TestRedactorIsSafeForConcurrentUse(t *testing.T) {
	var r redactor
	var wg sync.WaitGroup
	for n := range 8 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			key := strings.Repeat(string(rune('A'+n)), 20)
			r.add(plugins.Credentials{AccessKeyID: key})
			if got := r.apply("id " + key); got != "id [redacted]" {
				t.Errorf("apply = %q", got)
			}
		}()
	}
	wg.Wait()
}
