package report

import (
	"encoding/xml"
	"io"
	"strings"
	"time"

	"github.com/orgbaseline/orgbaseline/baseline"
)

// The JUnit XML orgbaseline writes: the common subset CI servers read
// (Jenkins, GitLab, Azure DevOps, the GitHub test-report actions).
type (
	junitSuites struct {
		XMLName   xml.Name     `xml:"testsuites"`
		Name      string       `xml:"name,attr"`
		Tests     int          `xml:"tests,attr"`
		Failures  int          `xml:"failures,attr"`
		Errors    int          `xml:"errors,attr"`
		Skipped   int          `xml:"skipped,attr"`
		Timestamp string       `xml:"timestamp,attr,omitempty"`
		Suites    []junitSuite `xml:"testsuite"`
	}
	junitSuite struct {
		Name       string          `xml:"name,attr"`
		Tests      int             `xml:"tests,attr"`
		Failures   int             `xml:"failures,attr"`
		Errors     int             `xml:"errors,attr"`
		Skipped    int             `xml:"skipped,attr"`
		Timestamp  string          `xml:"timestamp,attr,omitempty"`
		Properties []junitProperty `xml:"properties>property"`
		Cases      []junitCase     `xml:"testcase"`
	}
	junitProperty struct {
		Name  string `xml:"name,attr"`
		Value string `xml:"value,attr"`
	}
	junitCase struct {
		Name      string        `xml:"name,attr"`
		Classname string        `xml:"classname,attr"`
		Failure   *junitProblem `xml:"failure,omitempty"`
		Error     *junitProblem `xml:"error,omitempty"`
		Skipped   *junitSkipped `xml:"skipped,omitempty"`
	}
	junitProblem struct {
		Message string `xml:"message,attr"`
		Type    string `xml:"type,attr"`
		Text    string `xml:",chardata"`
	}
	junitSkipped struct {
		Message string `xml:"message,attr,omitempty"`
	}
)

// JUnit writes the report as JUnit XML: one testsuite per account, in the
// order of r.Accounts, and one testcase per finding. A FAIL finding is a
// failure, an ERROR one an error, a SKIP one skipped; an account that
// could not be checked has an erroring testcase "account", a skipped
// (suspended) one a skipped testcase "account".
func JUnit(w io.Writer, r *Report) error {
	if r == nil {
		r = &Report{}
	}
	byAcct := map[string][]baseline.Finding{}
	var strays []string // accounts of findings that r.Accounts lacks
	known := map[string]bool{}
	for _, a := range r.Accounts {
		known[a.Account] = true
	}
	for _, f := range r.Findings {
		if !known[f.Account] {
			known[f.Account] = true
			strays = append(strays, f.Account)
		}
		byAcct[f.Account] = append(byAcct[f.Account], f)
	}
	out := junitSuites{Name: "orgbaseline", Suites: []junitSuite{}}
	if !r.CreatedAt.IsZero() {
		out.Timestamp = r.CreatedAt.UTC().Format(time.RFC3339)
	}
	accounts := append([]AccountReport(nil), r.Accounts...)
	for _, id := range strays {
		a := AccountReport{Account: id}
		if fs := byAcct[id]; len(fs) > 0 {
			a.Name = fs[0].AccountName
		}
		accounts = append(accounts, a)
	}
	for _, a := range accounts {
		s := junitAccount(a, byAcct[a.Account])
		s.Timestamp = out.Timestamp
		out.Suites = append(out.Suites, s)
		out.Tests += s.Tests
		out.Failures += s.Failures
		out.Errors += s.Errors
		out.Skipped += s.Skipped
	}
	body, err := xml.MarshalIndent(out, "", "  ")
	if err != nil {
		return err
	}
	_, err = io.WriteString(w, xml.Header+string(body)+"\n")
	return err
}

// junitAccount is the testsuite of one account.
func junitAccount(a AccountReport, fs []baseline.Finding) junitSuite {
	s := junitSuite{
		Name:       accountRef(a.Account, a.Name),
		Properties: []junitProperty{{Name: "account", Value: a.Account}},
	}
	if a.Name != "" {
		s.Properties = append(s.Properties, junitProperty{Name: "name", Value: a.Name})
	}
	if a.OUPath != "" {
		s.Properties = append(s.Properties, junitProperty{Name: "ouPath", Value: a.OUPath})
	}
	if a.Skipped != "" {
		s.Cases = append(s.Cases, junitCase{Name: "account", Classname: a.Account, Skipped: &junitSkipped{Message: a.Skipped}})
	}
	if len(a.Errors) > 0 {
		s.Cases = append(s.Cases, junitCase{Name: "account", Classname: a.Account, Error: &junitProblem{
			Message: strings.Join(a.Errors, "; "),
			Type:    "AccountError",
			Text:    strings.Join(a.Errors, "\n"),
		}})
	}
	for _, f := range fs {
		s.Cases = append(s.Cases, junitFinding(f))
	}
	for _, c := range s.Cases {
		s.Tests++
		switch {
		case c.Failure != nil:
			s.Failures++
		case c.Error != nil:
			s.Errors++
		case c.Skipped != nil:
			s.Skipped++
		}
	}
	return s
}

// junitFinding is the testcase of one finding. A finding with a status
// this version does not know is an error, not a pass.
func junitFinding(f baseline.Finding) junitCase {
	name := f.Check
	if f.Region != "" {
		name += " [" + f.Region + "]"
	}
	if f.Resource != "" {
		name += " " + f.Resource
	}
	c := junitCase{Name: name, Classname: f.Account}
	switch f.Status {
	case baseline.StatusPass:
	case baseline.StatusSkip:
		c.Skipped = &junitSkipped{Message: f.Message}
	case baseline.StatusFail:
		c.Failure = &junitProblem{Message: f.Message, Type: string(f.Severity), Text: junitDetail(f)}
	case baseline.StatusError:
		c.Error = &junitProblem{Message: f.Message, Type: string(f.Severity), Text: junitDetail(f)}
	default:
		c.Error = &junitProblem{Message: "unknown status " + string(f.Status) + ": " + f.Message, Type: string(f.Severity), Text: junitDetail(f)}
	}
	return c
}

// junitDetail is the body of a failure or error: what, where and the fix.
func junitDetail(f baseline.Finding) string {
	lines := []string{f.Message}
	if f.Title != "" {
		lines = append(lines, "Check: "+f.Title)
	}
	if f.Resource != "" {
		lines = append(lines, "Resource: "+f.Resource)
	}
	if f.Remediation != "" {
		lines = append(lines, "Remediation: "+f.Remediation)
	}
	if len(f.Compliance) > 0 {
		lines = append(lines, "References: "+strings.Join(f.Compliance, ", "))
	}
	return strings.Join(lines, "\n")
}
