package report

import (
	"bytes"
	"encoding/json"
	"os"
	"path/filepath"
	"strconv"
	"testing"

	"github.com/santhosh-tekuri/jsonschema/v6"

	"github.com/orgbaseline/orgbaseline/baseline"
	"github.com/orgbaseline/orgbaseline/internal/golden"
)

// sarifOf renders r with SARIF.
func sarifOf(t *testing.T, r *Report) []byte {
	t.Helper()
	var b bytes.Buffer
	if err := SARIF(&b, r); err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}

// compileSARIFSchema compiles the SARIF 2.1.0 schema (draft-04) under
// testdata, registered under its own id.
func compileSARIFSchema(t *testing.T) *jsonschema.Schema {
	t.Helper()
	f, err := os.Open(filepath.Join("testdata", "sarif-2.1.0-rtm.5.json"))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	doc, err := jsonschema.UnmarshalJSON(f)
	if err != nil {
		t.Fatal(err)
	}
	id, _ := doc.(map[string]any)["id"].(string)
	if id == "" {
		t.Fatal("the SARIF schema has no id")
	}
	c := jsonschema.NewCompiler()
	if err := c.AddResource(id, doc); err != nil {
		t.Fatal(err)
	}
	sch, err := c.Compile(id)
	if err != nil {
		t.Fatal(err)
	}
	return sch
}

// oddReport has what a renderer must survive: no catalogue (not
// summarised), findings without region or resource, an unknown severity
// and status, an account the account list lacks, empty names.
func oddReport() *Report {
	return &Report{
		FormatVersion: ReportFormatVersion,
		Accounts:      []AccountReport{{Account: "1"}, {Account: "2", Errors: []string{"", "boom | <x>"}}},
		Findings: []baseline.Finding{
			{Check: "a", Account: "1", Status: baseline.StatusFail, Severity: "urgent"},
			{Check: "a", Account: "1", Status: baseline.StatusFail, Severity: baseline.SeverityLow, Region: "r"},
			{Check: "", Account: "9", Status: baseline.StatusError},
			{Check: "b", Account: "1", Status: "MAYBE", Severity: baseline.SeverityInfo},
			{Check: "c", Account: "1", Status: baseline.StatusPass, Severity: baseline.SeverityHigh},
		},
	}
}

func TestSARIFGolden(t *testing.T) {
	golden.Check(t, "fixture.sarif", sarifOf(t, fixture()))
}

func TestSARIFValidatesAgainstSchema(t *testing.T) {
	sch := compileSARIFSchema(t)
	for name, r := range map[string]*Report{
		"fixture": fixture(),
		"empty":   {},
		"nil":     nil,
		"odd":     oddReport(),
		"sharded": func() *Report {
			r := fixture()
			r.Shard = &Shard{Index: 0, Count: 2}
			r.Tool.Version = "v1.2.3"
			return r
		}(),
	} {
		if err := validate(sch, sarifOf(t, r)); err != nil {
			t.Errorf("%s: %v", name, err)
		}
	}
	// The schema is in force: a level SARIF does not have is rejected.
	bad := bytes.Replace(sarifOf(t, fixture()), []byte(`"level": "warning"`), []byte(`"level": "critical"`), 1)
	if err := validate(sch, bad); err == nil {
		t.Error("the SARIF schema accepts a result of level critical")
	}
}

// sarifDoc is the part of a SARIF log the tests read.
type sarifDoc struct {
	Schema  string `json:"$schema"`
	Version string `json:"version"`
	Runs    []struct {
		Tool struct {
			Driver struct {
				Name            string `json:"name"`
				SemanticVersion string `json:"semanticVersion"`
				InformationURI  string `json:"informationUri"`
				Rules           []struct {
					ID                   string `json:"id"`
					Name                 string `json:"name"`
					DefaultConfiguration struct {
						Level string `json:"level"`
					} `json:"defaultConfiguration"`
					Properties struct {
						Tags             []string `json:"tags"`
						SecuritySeverity string   `json:"security-severity"`
					} `json:"properties"`
				} `json:"rules"`
			} `json:"driver"`
		} `json:"tool"`
		Results []struct {
			RuleID    string `json:"ruleId"`
			RuleIndex *int   `json:"ruleIndex"`
			Level     string `json:"level"`
			Message   struct {
				Text string `json:"text"`
			} `json:"message"`
			Locations []struct {
				PhysicalLocation *struct {
					ArtifactLocation struct {
						URI string `json:"uri"`
					} `json:"artifactLocation"`
					Region struct {
						StartLine int `json:"startLine"`
					} `json:"region"`
				} `json:"physicalLocation"`
				LogicalLocations []struct {
					Name string `json:"name"`
					Kind string `json:"kind"`
				} `json:"logicalLocations"`
			} `json:"locations"`
			PartialFingerprints map[string]string `json:"partialFingerprints"`
		} `json:"results"`
	} `json:"runs"`
}

func decodeSARIF(t *testing.T, b []byte) sarifDoc {
	t.Helper()
	var d sarifDoc
	if err := json.Unmarshal(b, &d); err != nil {
		t.Fatal(err)
	}
	if d.Version != "2.1.0" || d.Schema != "https://json.schemastore.org/sarif-2.1.0.json" || len(d.Runs) != 1 {
		t.Fatalf("version %q, $schema %q, %d runs", d.Version, d.Schema, len(d.Runs))
	}
	return d
}

// TestSARIFGitHubRequirements checks what GitHub code scanning needs of
// every result, for the fixture and for odd input.
func TestSARIFGitHubRequirements(t *testing.T) {
	for name, r := range map[string]*Report{"fixture": fixture(), "odd": oddReport(), "empty": {}} {
		run := decodeSARIF(t, sarifOf(t, r)).Runs[0]
		d := run.Tool.Driver
		if d.Name == "" || d.InformationURI != "https://github.com/orgbaseline/orgbaseline" {
			t.Errorf("%s: driver name %q, informationUri %q", name, d.Name, d.InformationURI)
		}
		ruleIDs := map[string]bool{}
		for _, rule := range d.Rules {
			if ruleIDs[rule.ID] {
				t.Errorf("%s: rule %q twice", name, rule.ID)
			}
			ruleIDs[rule.ID] = true
			if rule.Name == "" {
				t.Errorf("%s: rule %q has no name", name, rule.ID)
			}
			if s := rule.Properties.SecuritySeverity; s != "" {
				if v, err := strconv.ParseFloat(s, 64); err != nil || v < 0 || v > 10 {
					t.Errorf("%s: rule %q: security-severity %q", name, rule.ID, s)
				}
			}
		}
		fingerprints := map[string]bool{}
		for i, res := range run.Results {
			if len(res.Locations) == 0 || res.Locations[0].PhysicalLocation == nil || res.Locations[0].PhysicalLocation.ArtifactLocation.URI == "" {
				t.Errorf("%s: result %d has no physicalLocation.artifactLocation.uri", name, i)
			} else if res.Locations[0].PhysicalLocation.Region.StartLine < 1 {
				t.Errorf("%s: result %d has no startLine", name, i)
			}
			if res.RuleIndex == nil || *res.RuleIndex < 0 || *res.RuleIndex >= len(d.Rules) || d.Rules[*res.RuleIndex].ID != res.RuleID {
				t.Errorf("%s: result %d: ruleId %q, ruleIndex %v do not name one rule", name, i, res.RuleID, res.RuleIndex)
			}
			if len(res.PartialFingerprints) == 0 {
				t.Errorf("%s: result %d has no partialFingerprints", name, i)
			}
			fp := res.PartialFingerprints[sarifFingerprintKey]
			if fingerprints[fp] {
				t.Errorf("%s: result %d: fingerprint %q twice", name, i, fp)
			}
			fingerprints[fp] = true
			if res.Message.Text == "" {
				t.Errorf("%s: result %d has no message", name, i)
			}
		}
	}
}

// TestSARIFResultPerFailingFinding checks that each failing or erroring
// finding of the fixture has exactly one result, each passing or skipped
// one none, and each account error one.
func TestSARIFResultPerFailingFinding(t *testing.T) {
	r := fixture()
	run := decodeSARIF(t, sarifOf(t, r)).Runs[0]
	type key struct{ rule, account, region, resource string }
	results := map[key]int{}
	for _, res := range run.Results {
		var k key
		k.rule = res.RuleID
		for _, l := range res.Locations[0].LogicalLocations {
			switch l.Kind {
			case "module":
				k.account = l.Name
			case "namespace":
				k.region = l.Name
			case "resource":
				k.resource = l.Name
			default:
				t.Errorf("logical location kind %q", l.Kind)
			}
		}
		results[k]++
	}
	want := 0
	for _, f := range r.Findings {
		n := results[key{f.Check, f.Account, f.Region, f.Resource}]
		bad := f.Status == baseline.StatusFail || f.Status == baseline.StatusError
		if bad {
			want++
		}
		if bad && n != 1 || !bad && n != 0 {
			t.Errorf("%s %s %s %s: %d results", f.Status, f.Check, f.Account, f.Region, n)
		}
	}
	for _, a := range r.Accounts {
		want += len(a.Errors)
		if n := results[key{rule: accountErrorRule, account: a.Account}]; n != len(a.Errors) {
			t.Errorf("account %s: %d account-error results, want %d", a.Account, n, len(a.Errors))
		}
	}
	if len(run.Results) != want {
		t.Errorf("%d results, want %d", len(run.Results), want)
	}
	// Levels and the catalogue: the critical check is an error, the low
	// one a note; the account-error rule follows the checks.
	levels := map[string]string{}
	for _, rule := range run.Tool.Driver.Rules {
		levels[rule.ID] = rule.DefaultConfiguration.Level
	}
	if len(run.Tool.Driver.Rules) != len(r.Checks)+1 || levels[accountErrorRule] != "error" ||
		levels["plugin:root-account/mfa"] != "error" || levels["accessAnalyzer.enabled"] != "note" ||
		levels["passwordPolicy.minimumPasswordLength"] != "warning" {
		t.Errorf("rules and levels: %v", levels)
	}
}

func TestSARIFNoAccountErrorRuleWithoutErrors(t *testing.T) {
	r := fixture()
	for i := range r.Accounts {
		r.Accounts[i].Errors = nil
	}
	for _, rule := range decodeSARIF(t, sarifOf(t, r)).Runs[0].Tool.Driver.Rules {
		if rule.ID == accountErrorRule {
			t.Error("the account-error rule is there with no account error")
		}
	}
}

func TestSARIFFingerprintsStable(t *testing.T) {
	a, b := fixture(), fixture()
	b.Findings[len(b.Findings)-1].Message = "another message"
	b.CreatedAt = b.CreatedAt.AddDate(0, 0, 1)
	ra, rb := decodeSARIF(t, sarifOf(t, a)).Runs[0].Results, decodeSARIF(t, sarifOf(t, b)).Runs[0].Results
	if len(ra) != len(rb) {
		t.Fatalf("%d and %d results", len(ra), len(rb))
	}
	for i := range ra {
		if ra[i].PartialFingerprints[sarifFingerprintKey] != rb[i].PartialFingerprints[sarifFingerprintKey] {
			t.Errorf("result %d: fingerprint changed with the message or the date", i)
		}
	}
}

func TestSARIFDeterministic(t *testing.T) {
	first := sarifOf(t, fixture())
	for range 5 {
		if !bytes.Equal(first, sarifOf(t, fixture())) {
			t.Fatal("two renderings of one report differ")
		}
	}
	if !bytes.HasSuffix(first, []byte("}\n")) {
		t.Error("no trailing newline")
	}
}

func TestRuleName(t *testing.T) {
	for in, want := range map[string]string{
		"passwordPolicy.minimumPasswordLength": "PasswordPolicyMinimumPasswordLength",
		"plugin:root-account/mfa":              "PluginRootAccountMfa",
		"":                                     "Check",
		"::":                                   "Check",
		"é-x":                                  "X",
	} {
		if got := ruleName(in); got != want {
			t.Errorf("ruleName(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestSemanticVersion(t *testing.T) {
	for in, want := range map[string]string{
		"v1.2.3": "1.2.3", "1.2.3-rc.1+abc": "1.2.3-rc.1+abc", "test": "", "": "", "1.2": "", "devel": "",
	} {
		if got := semanticVersion(in); got != want {
			t.Errorf("semanticVersion(%q) = %q, want %q", in, got, want)
		}
	}
}
