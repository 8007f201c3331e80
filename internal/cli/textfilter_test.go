package cli

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/iam"

	"github.com/orgbaseline/orgbaseline/internal/orgsim"
	"github.com/orgbaseline/orgbaseline/internal/report"
)

// check --min-severity and --status narrow the text report only: the
// exit code still follows --fail-on, and a JSON report written in the
// same run has every finding.
func TestCheckTextFilter(t *testing.T) {
	h := newHarness(t, orgsim.OrgSpec{Members: 4, Clean: true})
	f := h.write("baseline.yaml", passwordBaseline)
	h.want(h.run("apply", "-f", f, "--auto-approve"), ExitOK)
	// Behind the tool's back: one account fails a low finding only (users
	// cannot change their password), another two medium ones (8
	// characters, no symbols).
	lowOnly, medium := h.accountID("Log Archive"), h.accountID("Audit")
	_, err := iam.NewFromConfig(h.accountConfig(lowOnly)).UpdateAccountPasswordPolicy(context.Background(), &iam.UpdateAccountPasswordPolicyInput{
		MinimumPasswordLength: aws.Int32(14), RequireSymbols: true, RequireNumbers: true,
		RequireUppercaseCharacters: true, RequireLowercaseCharacters: true,
		AllowUsersToChangePassword: false, PasswordReusePrevention: aws.Int32(24),
	})
	if err != nil {
		t.Fatal(err)
	}
	weaken(t, h, medium)

	r := h.run("check", "-f", f)
	h.want(r, ExitFindings)
	if !strings.Contains(r.stdout, "FAIL [low]") || !strings.Contains(r.stdout, "FAIL [medium]") || strings.Contains(r.stdout, "Listed") {
		t.Fatalf("the default text report does not list every failing finding:\n%s", r.stdout)
	}

	jsonOut := filepath.Join(h.dir, "all.json")
	r = h.run("check", "-f", f, "--min-severity", "medium", "--format", "text", "--output", "-", "--format", "json", "--output", jsonOut)
	h.want(r, ExitFindings) // --fail-on low still decides the exit
	if strings.Contains(r.stdout, "[low]") || strings.Contains(r.stdout, "(Log Archive)") || !strings.Contains(r.stdout, "FAIL [medium]") {
		t.Errorf("--min-severity medium still lists low findings, or the account with only those:\n%s", r.stdout)
	}
	if !strings.Contains(r.stdout, "Listed 2 of ") || !strings.Contains(r.stdout, "(severity medium or above)") {
		t.Errorf("the filtered text report does not say what it left out:\n%s", r.stdout)
	}
	file, err := os.Open(jsonOut)
	if err != nil {
		t.Fatal(err)
	}
	defer file.Close()
	rep, err := report.ReadReport(file, jsonOut)
	if err != nil {
		t.Fatal(err)
	}
	lows := 0
	for _, fd := range rep.Findings {
		if fd.Severity == "low" && fd.Status == "FAIL" {
			lows++
		}
	}
	if lows != 1 || rep.Summary.Pass == 0 {
		t.Errorf("the JSON report of the same run is not complete: %d failing low finding(s), %d passing", lows, rep.Summary.Pass)
	}

	r = h.run("check", "-f", f, "--status", "pass", "--min-severity", "medium")
	h.want(r, ExitFindings)
	if strings.Contains(r.stdout, "FAIL [") || !strings.Contains(r.stdout, "PASS [medium]") || strings.Contains(r.stdout, "PASS [low]") {
		t.Errorf("--status pass --min-severity medium:\n%s", r.stdout)
	}

	for _, bad := range [][]string{{"--status", "failed"}, {"--min-severity", "severe"}} {
		r = h.run(append([]string{"check", "-f", f}, bad...)...)
		h.want(r, ExitError)
		if !strings.Contains(r.stderr, bad[0]) || !strings.Contains(r.stderr, "use ") {
			t.Errorf("%v: the error does not name the flag and the values:\n%s", bad, r.stderr)
		}
	}
}
