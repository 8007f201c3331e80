package report

import (
	"bytes"
	"strings"
	"testing"

	"github.com/orgbaseline/orgbaseline/baseline"
)

func renderText(t *testing.T, r *Report) string {
	t.Helper()
	var b bytes.Buffer
	if err := FindingsText(&b, r, false); err != nil {
		t.Fatal(err)
	}
	return b.String()
}

// The text report lists what the filter shows and says how much it left
// out; the summary counts every finding, and the JSON is unchanged.
func TestTextFilter(t *testing.T) {
	plain := renderText(t, fixture())
	for _, tc := range []struct {
		name       string
		filter     TextFilter
		has, hasnt []string
	}{
		{name: "default: fail and error, every account",
			has:   []string{"FAIL [low] accessAnalyzer.enabled in eu-west-1", "FAIL [medium]", "ERROR [medium]", "Old (555555555555) skipped", "Log Archive (222222222222) /Security: 4 passed"},
			hasnt: []string{"PASS [", "Listed"}},
		{name: "min severity high", filter: TextFilter{MinSeverity: baseline.SeverityHigh},
			has:   []string{"FAIL [critical] plugin:root-account/mfa", "FAIL [high] organizationTrail.allRegions", "Listed 2 of 11 findings (severity high or above)", "assume role OrganizationAccountAccessRole: AccessDenied"},
			hasnt: []string{"[low]", "[medium]", "Log Archive", "skipped:"}},
		{name: "status pass", filter: TextFilter{Statuses: []baseline.Status{baseline.StatusPass}},
			has:   []string{"PASS [medium] passwordPolicy.minimumPasswordLength", "PASS [low] accessAnalyzer.enabled in us-east-1", "Listed 5 of 11 findings (status pass)"},
			hasnt: []string{"FAIL [", "fix:"}},
		{name: "status error and skip", filter: TextFilter{Statuses: []baseline.Status{baseline.StatusError, baseline.StatusSkip}},
			has:   []string{"ERROR [medium]", "SKIP [critical]", "Listed 2 of 11 findings (status error, skip)"},
			hasnt: []string{"FAIL [", "PASS ["}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			r := fixture()
			r.TextFilter = tc.filter
			out := renderText(t, r)
			for _, s := range tc.has {
				if !strings.Contains(out, s) {
					t.Errorf("lacks %q:\n%s", s, out)
				}
			}
			for _, s := range tc.hasnt {
				if strings.Contains(out, s) {
					t.Errorf("has %q:\n%s", s, out)
				}
			}
			if !strings.Contains(out, "Check: 5 accounts, 5 passed, 4 failed, 1 errors, 1 finding(s) skipped.") {
				t.Errorf("the summary does not count every finding:\n%s", out)
			}
			var filtered, complete bytes.Buffer
			if err := FindingsJSON(&filtered, r); err != nil {
				t.Fatal(err)
			}
			if err := FindingsJSON(&complete, fixture()); err != nil {
				t.Fatal(err)
			}
			if filtered.String() != complete.String() {
				t.Errorf("the text filter changed the JSON report")
			}
		})
	}
	if r := fixture(); renderText(t, r) != plain {
		t.Errorf("rendering is not stable")
	}
}

func TestParseStatus(t *testing.T) {
	for in, want := range map[string]baseline.Status{"fail": baseline.StatusFail, "ERROR": baseline.StatusError, "Pass": baseline.StatusPass, "skip": baseline.StatusSkip} {
		if got, err := ParseStatus(in); err != nil || got != want {
			t.Errorf("ParseStatus(%q) = %q, %v", in, got, err)
		}
	}
	_, err := ParseStatus(strings.Repeat("x", 500) + "\x1b[2J")
	if err == nil || len(err.Error()) > 100 || strings.Contains(err.Error(), "\x1b") {
		t.Errorf("a bad status: %v", err)
	}
}
