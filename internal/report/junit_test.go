package report

import (
	"bytes"
	"encoding/xml"
	"strings"
	"testing"

	"github.com/orgbaseline/orgbaseline/baseline"
	"github.com/orgbaseline/orgbaseline/internal/golden"
)

// The JUnit XML as a CI server reads it: a separate model from the
// writer's, so that the test checks the XML, not the writer's structs.
type (
	junitDocSuites struct {
		XMLName  xml.Name        `xml:"testsuites"`
		Name     string          `xml:"name,attr"`
		Tests    int             `xml:"tests,attr"`
		Failures int             `xml:"failures,attr"`
		Errors   int             `xml:"errors,attr"`
		Skipped  int             `xml:"skipped,attr"`
		Suites   []junitDocSuite `xml:"testsuite"`
	}
	junitDocSuite struct {
		Name       string `xml:"name,attr"`
		Tests      int    `xml:"tests,attr"`
		Failures   int    `xml:"failures,attr"`
		Errors     int    `xml:"errors,attr"`
		Skipped    int    `xml:"skipped,attr"`
		Properties []struct {
			Name  string `xml:"name,attr"`
			Value string `xml:"value,attr"`
		} `xml:"properties>property"`
		Cases []struct {
			Name      string `xml:"name,attr"`
			Classname string `xml:"classname,attr"`
			Failure   *struct {
				Message string `xml:"message,attr"`
				Type    string `xml:"type,attr"`
				Text    string `xml:",chardata"`
			} `xml:"failure"`
			Error *struct {
				Message string `xml:"message,attr"`
			} `xml:"error"`
			Skipped *struct {
				Message string `xml:"message,attr"`
			} `xml:"skipped"`
		} `xml:"testcase"`
	}
)

func junitOf(t *testing.T, r *Report) junitDocSuites {
	t.Helper()
	var b bytes.Buffer
	if err := JUnit(&b, r); err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(b.String(), xml.Header) || !strings.HasSuffix(b.String(), ">\n") {
		t.Errorf("no XML header or no trailing newline:\n%s", b.String())
	}
	var d junitDocSuites
	if err := xml.Unmarshal(b.Bytes(), &d); err != nil {
		t.Fatalf("%v:\n%s", err, b.String())
	}
	return d
}

func TestJUnitGolden(t *testing.T) {
	var b bytes.Buffer
	if err := JUnit(&b, fixture()); err != nil {
		t.Fatal(err)
	}
	golden.Check(t, "fixture.junit.xml", b.Bytes())
}

// TestJUnitCounts reads the fixture's JUnit back and checks every suite
// against the fixture, and the totals against the suites.
func TestJUnitCounts(t *testing.T) {
	r := fixture()
	d := junitOf(t, r)
	if d.Name != "orgbaseline" || len(d.Suites) != len(r.Accounts) {
		t.Fatalf("testsuites %q with %d suites, want %d", d.Name, len(d.Suites), len(r.Accounts))
	}
	type counts struct{ tests, failures, errors, skipped int }
	var total counts
	for i, a := range r.Accounts {
		var want counts
		for _, f := range r.Findings {
			if f.Account != a.Account {
				continue
			}
			want.tests++
			switch f.Status {
			case baseline.StatusFail:
				want.failures++
			case baseline.StatusError:
				want.errors++
			case baseline.StatusSkip:
				want.skipped++
			}
		}
		if len(a.Errors) > 0 {
			want.tests++
			want.errors++
		}
		if a.Skipped != "" {
			want.tests++
			want.skipped++
		}
		s := d.Suites[i]
		got := counts{s.Tests, s.Failures, s.Errors, s.Skipped}
		if got != want {
			t.Errorf("suite %q: %+v, want %+v", s.Name, got, want)
		}
		var cases counts
		for _, c := range s.Cases {
			cases.tests++
			if c.Classname != a.Account {
				t.Errorf("suite %q: testcase %q has classname %q", s.Name, c.Name, c.Classname)
			}
			switch {
			case c.Failure != nil:
				cases.failures++
			case c.Error != nil:
				cases.errors++
			case c.Skipped != nil:
				cases.skipped++
			}
		}
		if cases != want {
			t.Errorf("suite %q: testcases %+v, want %+v", s.Name, cases, want)
		}
		total.tests += want.tests
		total.failures += want.failures
		total.errors += want.errors
		total.skipped += want.skipped
	}
	if got := (counts{d.Tests, d.Failures, d.Errors, d.Skipped}); got != total {
		t.Errorf("testsuites: %+v, want %+v", got, total)
	}
	// The fixture in numbers, so that a fixture change is noticed here too.
	if total != (counts{tests: 13, failures: 4, errors: 2, skipped: 2}) {
		t.Errorf("fixture totals %+v", total)
	}
}

func TestJUnitContent(t *testing.T) {
	d := junitOf(t, fixture())
	byName := map[string]junitDocSuite{}
	for _, s := range d.Suites {
		byName[s.Name] = s
	}
	dev, ok := byName["Dev <b> (444444444444)"]
	if !ok {
		t.Fatalf("no suite for Dev <b>: %v", d.Suites)
	}
	if c := dev.Cases[0]; c.Name != "account" || c.Error == nil || !strings.Contains(c.Error.Message, "AccessDenied") {
		t.Errorf("Dev <b>: first testcase %+v, want the account error", c)
	}
	props := map[string]string{}
	for _, p := range dev.Properties {
		props[p.Name] = p.Value
	}
	if props["account"] != "444444444444" || props["ouPath"] != "/Workloads/Dev" {
		t.Errorf("Dev <b> properties %v", props)
	}
	old := byName["Old (555555555555)"]
	if len(old.Cases) != 1 || old.Cases[0].Skipped == nil || old.Cases[0].Skipped.Message != "account is SUSPENDED" {
		t.Errorf("Old: %+v, want one skipped testcase", old.Cases)
	}
	var found bool
	for _, c := range byName["Prod A (333333333333)"].Cases {
		if c.Name == "accessAnalyzer.enabled [eu-west-1] arn:aws:access-analyzer:eu-west-1:333333333333:analyzer/orgbaseline" {
			found = true
			if c.Failure == nil || c.Failure.Type != "low" || c.Failure.Message != "no analyzer in eu-west-1" {
				t.Errorf("analyzer failure %+v", c.Failure)
			}
		}
		if strings.HasPrefix(c.Name, "plugin:root-account/mfa") && (c.Failure == nil || !strings.Contains(c.Failure.Text, "Remediation: Enable MFA for the root user: IAM console > Security credentials.")) {
			t.Errorf("mfa failure without its remediation: %+v", c.Failure)
		}
	}
	if !found {
		t.Error("no testcase named check [region] resource")
	}
}

func TestJUnitOddInput(t *testing.T) {
	for _, r := range []*Report{nil, {}} {
		if d := junitOf(t, r); d.Tests != 0 || len(d.Suites) != 0 {
			t.Errorf("empty report: %+v", d)
		}
	}
	d := junitOf(t, oddReport())
	// Accounts 1 and 2, then 9, which only a finding names.
	if len(d.Suites) != 3 || d.Suites[2].Name != "9" {
		t.Fatalf("suites %+v", d.Suites)
	}
	// Account 1: two failures, an unknown status (an error), a pass.
	if s := d.Suites[0]; s.Tests != 4 || s.Failures != 2 || s.Errors != 1 {
		t.Errorf("account 1: %+v", s)
	}
}
