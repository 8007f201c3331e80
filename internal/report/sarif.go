package report

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"regexp"
	"sort"
	"strings"

	"github.com/orgbaseline/orgbaseline/baseline"
)

// SARIF constants: the schema and version of the log, where the tool lives,
// the rule of account errors and the file results point at.
const (
	sarifSchema       = "https://json.schemastore.org/sarif-2.1.0.json"
	sarifVersion      = "2.1.0"
	sarifToolURI      = "https://github.com/orgbaseline/orgbaseline"
	accountErrorRule  = "orgbaseline/account-error"
	sarifBaselineFile = "baseline.yaml"
	// sarifFingerprintKey names orgbaseline's own partial fingerprint. It
	// is versioned so that a change of what it hashes can get a new key.
	sarifFingerprintKey = "orgbaselineFinding/v1"
)

// The SARIF 2.1.0 subset orgbaseline writes. Structs, not maps, so the
// output keeps one field order.
type (
	sarifLog struct {
		Schema  string     `json:"$schema"`
		Version string     `json:"version"`
		Runs    []sarifRun `json:"runs"`
	}
	sarifRun struct {
		Tool              sarifTool           `json:"tool"`
		AutomationDetails *sarifAutomation    `json:"automationDetails,omitempty"`
		Results           []sarifResult       `json:"results"`
		Properties        *sarifRunProperties `json:"properties,omitempty"`
	}
	sarifTool struct {
		Driver sarifDriver `json:"driver"`
	}
	sarifDriver struct {
		Name            string      `json:"name"`
		Version         string      `json:"version,omitempty"`
		SemanticVersion string      `json:"semanticVersion,omitempty"`
		InformationURI  string      `json:"informationUri"`
		Rules           []sarifRule `json:"rules"`
	}
	sarifAutomation struct {
		ID string `json:"id"`
	}
	sarifRunProperties struct {
		Organization   string `json:"organization,omitempty"`
		BaselineDigest string `json:"baselineDigest,omitempty"`
		Framework      string `json:"framework,omitempty"`
		Shard          *Shard `json:"shard,omitempty"`
	}
	sarifRule struct {
		ID                   string              `json:"id"`
		Name                 string              `json:"name"`
		ShortDescription     sarifText           `json:"shortDescription"`
		FullDescription      sarifText           `json:"fullDescription"`
		Help                 sarifHelp           `json:"help"`
		DefaultConfiguration sarifConfiguration  `json:"defaultConfiguration"`
		Properties           sarifRuleProperties `json:"properties"`
	}
	sarifText struct {
		Text string `json:"text"`
	}
	sarifHelp struct {
		Text     string `json:"text"`
		Markdown string `json:"markdown"`
	}
	sarifConfiguration struct {
		Level string `json:"level"`
	}
	sarifRuleProperties struct {
		Tags             []string `json:"tags"`
		SecuritySeverity string   `json:"security-severity,omitempty"`
		Precision        string   `json:"precision"`
	}
	sarifResult struct {
		RuleID              string            `json:"ruleId"`
		RuleIndex           int               `json:"ruleIndex"`
		Level               string            `json:"level"`
		Message             sarifText         `json:"message"`
		Locations           []sarifLocation   `json:"locations"`
		PartialFingerprints map[string]string `json:"partialFingerprints"` // encoding/json sorts map keys
	}
	sarifLocation struct {
		PhysicalLocation sarifPhysicalLocation  `json:"physicalLocation"`
		LogicalLocations []sarifLogicalLocation `json:"logicalLocations,omitempty"`
	}
	sarifPhysicalLocation struct {
		ArtifactLocation sarifArtifactLocation `json:"artifactLocation"`
		Region           sarifRegion           `json:"region"`
	}
	sarifArtifactLocation struct {
		URI string `json:"uri"`
	}
	sarifRegion struct {
		StartLine int `json:"startLine"`
	}
	sarifLogicalLocation struct {
		Name               string `json:"name"`
		FullyQualifiedName string `json:"fullyQualifiedName"`
		Kind               string `json:"kind"`
	}
)

// SARIF writes the failing and erroring findings, and the accounts that
// could not be checked, as a SARIF 2.1.0 log that GitHub code scanning
// accepts: one rule per check of the catalogue, one result per FAIL or
// ERROR finding and per account error.
func SARIF(w io.Writer, r *Report) error {
	if r == nil {
		r = &Report{}
	}
	rules, index := sarifRules(r)
	results := []sarifResult{}
	for _, f := range r.Findings {
		if f.Status != baseline.StatusFail && f.Status != baseline.StatusError {
			continue
		}
		results = append(results, sarifFinding(f, index[f.Check]))
	}
	for _, a := range r.Accounts {
		for i, e := range a.Errors {
			results = append(results, sarifAccountError(a, i, e, index[accountErrorRule]))
		}
	}
	log := sarifLog{
		Schema:  sarifSchema,
		Version: sarifVersion,
		Runs: []sarifRun{{
			Tool: sarifTool{Driver: sarifDriver{
				Name:            toolName(r),
				Version:         r.Tool.Version,
				SemanticVersion: semanticVersion(r.Tool.Version),
				InformationURI:  sarifToolURI,
				Rules:           rules,
			}},
			AutomationDetails: sarifAutomationDetails(r),
			Results:           results,
			Properties:        sarifProperties(r),
		}},
	}
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	enc.SetEscapeHTML(false)
	return enc.Encode(log)
}

// sarifRules makes one rule per check of the catalogue, then one per check
// a failing finding names that the catalogue lacks (a report not
// summarised), then the account-error rule if an account has errors. It
// returns the rules and the index of each by id.
func sarifRules(r *Report) ([]sarifRule, map[string]int) {
	rules := []sarifRule{}
	index := map[string]int{}
	add := func(rule sarifRule) {
		if _, ok := index[rule.ID]; ok {
			return
		}
		index[rule.ID] = len(rules)
		rules = append(rules, rule)
	}
	for _, c := range r.Checks {
		add(sarifCheckRule(c))
	}
	for _, f := range r.Findings {
		if f.Status == baseline.StatusFail || f.Status == baseline.StatusError {
			add(sarifCheckRule(Check{ID: f.Check, Source: f.Source, Title: f.Title, Severity: f.Severity, Remediation: f.Remediation, Compliance: f.Compliance}))
		}
	}
	for _, a := range r.Accounts {
		if len(a.Errors) > 0 {
			add(sarifAccountErrorRule())
			break
		}
	}
	return rules, index
}

// sarifCheckRule describes one check as a SARIF rule.
func sarifCheckRule(c Check) sarifRule {
	title := c.Title
	if title == "" {
		title = c.ID
	}
	full := title + "."
	if strings.HasSuffix(title, ".") {
		full = title
	}
	if c.Source != "" {
		full += " Checked by " + c.Source + "."
	}
	if c.Severity != "" {
		full += " Severity " + string(c.Severity) + "."
	}
	var text, md strings.Builder
	fmt.Fprintf(&md, "**%s**\n", escapeMarkdown(title))
	text.WriteString(title + "\n")
	if c.Remediation != "" {
		fmt.Fprintf(&text, "\nRemediation: %s\n", c.Remediation)
		fmt.Fprintf(&md, "\n**Remediation:** %s\n", escapeMarkdown(c.Remediation))
	}
	if len(c.Compliance) > 0 {
		fmt.Fprintf(&text, "\nCompliance references: %s\n", strings.Join(c.Compliance, ", "))
		refs := make([]string, len(c.Compliance))
		for i, ref := range c.Compliance {
			refs[i] = escapeMarkdown(ref)
		}
		fmt.Fprintf(&md, "\n**Compliance references:** %s\n", strings.Join(refs, ", "))
	}
	tags := []string{"security", "aws"}
	seen := map[string]bool{"security": true, "aws": true}
	var frameworks []string
	for _, ref := range c.Compliance {
		if fw := FrameworkOf(ref); fw != "" && !seen[fw] {
			seen[fw] = true
			frameworks = append(frameworks, fw)
		}
	}
	sort.Strings(frameworks)
	precision := "very-high" // a control reads the configuration it checks
	if !strings.HasPrefix(c.Source, "control:") {
		precision = "high"
	}
	return sarifRule{
		ID:                   c.ID,
		Name:                 ruleName(c.ID),
		ShortDescription:     sarifText{Text: title},
		FullDescription:      sarifText{Text: full},
		Help:                 sarifHelp{Text: strings.TrimSuffix(text.String(), "\n"), Markdown: strings.TrimSuffix(md.String(), "\n")},
		DefaultConfiguration: sarifConfiguration{Level: sarifLevel(c.Severity)},
		Properties: sarifRuleProperties{
			Tags:             append(tags, frameworks...),
			SecuritySeverity: securitySeverity(c.Severity),
			Precision:        precision,
		},
	}
}

// sarifAccountErrorRule is the rule of the results of accounts that could
// not be checked.
func sarifAccountErrorRule() sarifRule {
	const help = "orgbaseline could not check the account, so its findings are missing from the report. Check that the role orgbaseline assumes exists in the account and may be assumed, then run the check again."
	return sarifRule{
		ID:                   accountErrorRule,
		Name:                 "AccountError",
		ShortDescription:     sarifText{Text: "An account could not be checked"},
		FullDescription:      sarifText{Text: "orgbaseline could not check the account, or part of it."},
		Help:                 sarifHelp{Text: help, Markdown: help},
		DefaultConfiguration: sarifConfiguration{Level: "error"},
		Properties:           sarifRuleProperties{Tags: []string{"orgbaseline"}, Precision: "very-high"},
	}
}

// sarifFinding is the result of one failing or erroring finding.
func sarifFinding(f baseline.Finding, ruleIndex int) sarifResult {
	var b strings.Builder
	b.WriteString(accountRef(f.Account, f.AccountName))
	if f.Region != "" {
		b.WriteString(" " + f.Region)
	}
	b.WriteString(": ")
	if f.Status == baseline.StatusError {
		b.WriteString("the check could not run: ")
	}
	b.WriteString(f.Message)
	if f.Resource != "" {
		b.WriteString("\nResource: " + f.Resource)
	}
	if f.Remediation != "" && f.Status == baseline.StatusFail {
		b.WriteString("\nRemediation: " + f.Remediation)
	}
	logical := []sarifLogicalLocation{{Name: f.Account, FullyQualifiedName: "aws/" + f.Account, Kind: "module"}}
	fqn := "aws/" + f.Account
	if f.Region != "" {
		fqn += "/" + f.Region
		logical = append(logical, sarifLogicalLocation{Name: f.Region, FullyQualifiedName: fqn, Kind: "namespace"})
	}
	if f.Resource != "" {
		logical = append(logical, sarifLogicalLocation{Name: f.Resource, FullyQualifiedName: fqn + "/" + f.Resource, Kind: "resource"})
	}
	return sarifResult{
		RuleID:              f.Check,
		RuleIndex:           ruleIndex,
		Level:               sarifLevel(f.Severity),
		Message:             sarifText{Text: b.String()},
		Locations:           []sarifLocation{sarifBaselineLocation(logical)},
		PartialFingerprints: sarifFingerprints(f.Check, f.Account, f.Region, f.Resource),
	}
}

// sarifAccountError is the result of one error of an account. Its
// fingerprint is the account and the error's place in the list, not the
// error text, which may carry a request id that changes every run.
func sarifAccountError(a AccountReport, i int, e string, ruleIndex int) sarifResult {
	logical := []sarifLogicalLocation{{Name: a.Account, FullyQualifiedName: "aws/" + a.Account, Kind: "module"}}
	return sarifResult{
		RuleID:              accountErrorRule,
		RuleIndex:           ruleIndex,
		Level:               "error",
		Message:             sarifText{Text: accountRef(a.Account, a.Name) + " could not be checked: " + e},
		Locations:           []sarifLocation{sarifBaselineLocation(logical)},
		PartialFingerprints: sarifFingerprints(accountErrorRule, a.Account, fmt.Sprint(i), ""),
	}
}

// sarifBaselineLocation is where every result points. The findings are
// about AWS accounts, not files, but GitHub code scanning rejects or hides
// a result without a physicalLocation.artifactLocation.uri, so each
// result points at the first line of the baseline file that declared the
// check (baseline.yaml, relative to the repository root) and names the
// account, region and resource as logical locations.
func sarifBaselineLocation(logical []sarifLogicalLocation) sarifLocation {
	return sarifLocation{
		PhysicalLocation: sarifPhysicalLocation{
			ArtifactLocation: sarifArtifactLocation{URI: sarifBaselineFile},
			Region:           sarifRegion{StartLine: 1},
		},
		LogicalLocations: logical,
	}
}

// sarifFingerprints identifies a result across runs by a hash of what it
// is about. Every result has the same physical location, so the hash goes
// in primaryLocationLineHash too: without it the upload action would fill
// that in from the baseline file's first line, the same for every result,
// and GitHub could take different results for one alert.
func sarifFingerprints(parts ...string) map[string]string {
	sum := sha256.Sum256([]byte(strings.Join(parts, "\x00")))
	h := hex.EncodeToString(sum[:16])
	return map[string]string{sarifFingerprintKey: h, "primaryLocationLineHash": h}
}

// sarifAutomationDetails sets the category of a narrowed or sharded run,
// so that uploading each shard, or a narrowed run beside a full one, does
// not replace the other's alerts in GitHub code scanning.
func sarifAutomationDetails(r *Report) *sarifAutomation {
	if r.Framework == "" && r.Shard == nil {
		return nil
	}
	id := "orgbaseline/"
	if r.Framework != "" {
		id += "framework-" + r.Framework + "/"
	}
	if r.Shard != nil {
		id += fmt.Sprintf("shard-%d-of-%d/", r.Shard.Index, r.Shard.Count)
	}
	return &sarifAutomation{ID: id}
}

// sarifProperties records what the report is of, when it says.
func sarifProperties(r *Report) *sarifRunProperties {
	p := sarifRunProperties{Organization: r.Organization, BaselineDigest: r.BaselineDigest, Framework: r.Framework, Shard: r.Shard}
	if p == (sarifRunProperties{}) {
		return nil
	}
	return &p
}

// sarifLevel maps a severity to a SARIF level; an unknown one is a warning.
func sarifLevel(s baseline.Severity) string {
	switch s {
	case baseline.SeverityCritical, baseline.SeverityHigh:
		return "error"
	case baseline.SeverityLow, baseline.SeverityInfo:
		return "note"
	}
	return "warning"
}

// securitySeverity is the score GitHub ranks security alerts by; none for
// an unknown severity.
func securitySeverity(s baseline.Severity) string {
	switch s {
	case baseline.SeverityCritical:
		return "9.5"
	case baseline.SeverityHigh:
		return "8.0"
	case baseline.SeverityMedium:
		return "5.5"
	case baseline.SeverityLow:
		return "3.0"
	case baseline.SeverityInfo:
		return "0.0"
	}
	return ""
}

// ruleName makes a PascalCase identifier of a check id:
// "plugin:root-account/mfa" becomes "PluginRootAccountMfa".
func ruleName(id string) string {
	var b strings.Builder
	for _, part := range strings.FieldsFunc(id, func(r rune) bool {
		return !(r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9')
	}) {
		b.WriteString(strings.ToUpper(part[:1]) + part[1:])
	}
	if b.Len() == 0 {
		return "Check"
	}
	return b.String()
}

var semverRE = regexp.MustCompile(`^v?(\d+\.\d+\.\d+(?:-[0-9A-Za-z.-]+)?(?:\+[0-9A-Za-z.-]+)?)$`)

// semanticVersion returns the version without a leading v if it is a
// semantic version, else "".
func semanticVersion(v string) string {
	if m := semverRE.FindStringSubmatch(v); m != nil {
		return m[1]
	}
	return ""
}

// toolName is the report's tool name, or orgbaseline.
func toolName(r *Report) string {
	if r.Tool.Name != "" {
		return r.Tool.Name
	}
	return "orgbaseline"
}

// accountRef names an account for people: "Name (id)", or the id.
func accountRef(id, name string) string {
	if name == "" {
		return id
	}
	return name + " (" + id + ")"
}
