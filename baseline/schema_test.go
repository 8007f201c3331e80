package baseline

import (
	"bytes"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"reflect"
	"regexp"
	"slices"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/santhosh-tekuri/jsonschema/v6"
	"gopkg.in/yaml.v3"

	"github.com/orgbaseline/orgbaseline/profiles"
)

const schemaRegenerate = "go run ./cmd/orgbaseline schema --output baseline.schema.json"

// schemaBytes returns Schema(), failing the test on an error.
func schemaBytes(t *testing.T) []byte {
	t.Helper()
	b, err := Schema()
	if err != nil {
		t.Fatalf("Schema: %v", err)
	}
	return b
}

// compiledSchema compiles Schema() with santhosh-tekuri/jsonschema.
func compiledSchema(t *testing.T) *jsonschema.Schema {
	t.Helper()
	return compileSchemaAs(t, nil)
}

// compileSchemaAs compiles Schema() as draft, or as the draft its $schema
// names when draft is nil.
func compileSchemaAs(t *testing.T, draft *jsonschema.Draft) *jsonschema.Schema {
	t.Helper()
	doc, err := jsonschema.UnmarshalJSON(bytes.NewReader(schemaBytes(t)))
	if err != nil {
		t.Fatalf("Schema is not JSON: %v", err)
	}
	c := jsonschema.NewCompiler()
	if draft != nil {
		delete(doc.(map[string]any), "$schema")
		c.DefaultDraft(draft)
	}
	if err := c.AddResource(SchemaID, doc); err != nil {
		t.Fatalf("add the schema: %v", err)
	}
	sch, err := c.Compile(SchemaID)
	if err != nil {
		t.Fatalf("the schema does not compile: %v", err)
	}
	return sch
}

// schemaTree returns Schema() decoded as plain JSON values.
func schemaTree(t *testing.T) map[string]any {
	t.Helper()
	var m map[string]any
	if err := json.Unmarshal(schemaBytes(t), &m); err != nil {
		t.Fatalf("Schema is not JSON: %v", err)
	}
	return m
}

// yamlInstance decodes YAML into the JSON values a schema validates, as an
// editor does: yaml.v3 decoding into any, map keys made strings.
func yamlInstance(data []byte) (any, error) {
	var v any
	if err := yaml.Unmarshal(data, &v); err != nil {
		return nil, err
	}
	return jsonValue(v), nil
}

func jsonValue(v any) any {
	switch x := v.(type) {
	case map[string]any:
		for k, e := range x {
			x[k] = jsonValue(e)
		}
		return x
	case map[any]any:
		m := make(map[string]any, len(x))
		for k, e := range x {
			m[fmt.Sprint(k)] = jsonValue(e)
		}
		return m
	case []any:
		for i, e := range x {
			x[i] = jsonValue(e)
		}
		return x
	case time.Time:
		return x.Format(time.RFC3339Nano)
	}
	return v
}

// schemaCheck validates YAML data against sch.
func schemaCheck(sch *jsonschema.Schema, data []byte) error {
	inst, err := yamlInstance(data)
	if err != nil {
		return err
	}
	return sch.Validate(inst)
}

func TestSchemaIsCommitted(t *testing.T) {
	got := schemaBytes(t)
	want, err := os.ReadFile("../baseline.schema.json")
	if err != nil {
		t.Fatalf("%v; generate it, from the repository root: %s", err, schemaRegenerate)
	}
	if bytes.Equal(got, want) {
		return
	}
	gl, wl := strings.Split(string(got), "\n"), strings.Split(string(want), "\n")
	i := 0
	for i < len(gl) && i < len(wl) && gl[i] == wl[i] {
		i++
	}
	line := func(ls []string) string {
		if i < len(ls) {
			return strings.TrimSpace(ls[i])
		}
		return "(end of file)"
	}
	t.Errorf("baseline.schema.json is out of date with the Go types (first difference at line %d: committed %q, generated %q); regenerate it, from the repository root:\n\t%s",
		i+1, line(wl), line(gl), schemaRegenerate)
}

func TestSchemaDeterministicAndWellFormed(t *testing.T) {
	a, b := schemaBytes(t), schemaBytes(t)
	if !bytes.Equal(a, b) {
		t.Fatal("two calls of Schema returned different bytes")
	}
	if !bytes.HasSuffix(a, []byte("}\n")) || bytes.HasSuffix(a, []byte("\n\n")) {
		t.Error("the schema does not end in exactly one newline")
	}
	var indented bytes.Buffer
	if err := json.Indent(&indented, a, "", "  "); err != nil || !bytes.Equal(indented.Bytes(), a) {
		t.Errorf("the schema is not indented with two spaces (err %v)", err)
	}
	m := schemaTree(t)
	for k, want := range map[string]any{"$schema": "https://json-schema.org/draft/2020-12/schema", "$id": SchemaID, "type": "object", "additionalProperties": false} {
		if m[k] != want {
			t.Errorf("%s = %v, want %v", k, m[k], want)
		}
	}
	for _, k := range []string{"title", "description"} {
		if s, _ := m[k].(string); s == "" {
			t.Errorf("the schema has no %s", k)
		}
	}
	compiledSchema(t)
}

func TestSchemaAcceptsTheExampleAndEveryProfile(t *testing.T) {
	sch := compiledSchema(t)
	data, err := os.ReadFile("../baseline.yaml")
	if err != nil {
		t.Fatal(err)
	}
	if err := schemaCheck(sch, data); err != nil {
		t.Errorf("../baseline.yaml: %v", err)
	}
	names := profiles.Names()
	if len(names) == 0 {
		t.Fatal("no profiles")
	}
	for _, name := range names {
		data, ok := profiles.Lookup(name)
		if !ok {
			t.Fatalf("profile %q listed but not found", name)
		}
		if err := schemaCheck(sch, data); err != nil {
			t.Errorf("profile %s: %v", name, err)
		}
	}
}

var readmeYAMLRe = regexp.MustCompile("(?ms)^```yaml\n(.*?)^```")

// TestSchemaAcceptsTheREADMEExamples checks the README's YAML examples
// that are baselines: those the loader accepts, as written or, for a
// fragment without "version", as the file it is part of (with "version:
// 1" added). Those the loader rejects are logged.
func TestSchemaAcceptsTheREADMEExamples(t *testing.T) {
	sch := compiledSchema(t)
	readme, err := os.ReadFile("../README.md")
	if err != nil {
		t.Fatal(err)
	}
	checked := 0
	for i, m := range readmeYAMLRe.FindAllSubmatch(readme, -1) {
		doc := m[1]
		if !regexp.MustCompile(`(?m)^version:`).Match(doc) {
			doc = append([]byte("version: 1\n"), doc...)
		}
		name := fmt.Sprintf("README.md yaml block %d", i+1)
		if _, err := LoadBytes(name, doc, ".."); err != nil {
			t.Logf("%s is not a valid baseline for the loader, not checked: %v", name, err)
			continue
		}
		checked++
		if err := schemaCheck(sch, doc); err != nil {
			t.Errorf("%s is a valid baseline but the schema rejects it: %v\n%s", name, err, doc)
		}
	}
	if checked < 2 {
		t.Errorf("only %d README examples are valid baselines; the README has at least the full example and the smallest file", checked)
	}
}

// schemaCase is a file that the loader and the schema must both accept,
// or both reject.
type schemaCase struct {
	name  string
	yaml  string
	valid bool
	// want is in the schema's error when the file is invalid (the
	// instance location, mostly), so that it is rejected for the right
	// reason.
	want string
}

const schemaTestSHA = "3b1f0c6b2a8e4d5f6a7b8c9d0e1f2a3b4c5d6e7f8a9b0c1d2e3f4a5b6c7d8e9f"

var schemaCases = []schemaCase{
	{"minimal", "version: 1\n", true, ""},
	{"empty blocks are null", "version: 1\norganization:\ntargets:\ncontrols:\n", true, ""},
	{"null accounts map", "version: 1\norganization:\n  accounts:\n", true, ""},
	{"unquoted account id", "version: 1\norganization:\n  accounts:\n    audit: 222233334444\n", true, ""},
	{"number as a string", "version: 1\ncontrols:\n  organizationTrail:\n    name: 123\n", true, ""},
	{"every selector kind", "version: 1\ntargets:\n  include:\n    - root\n    - ou:/Workloads/Prod\n    - ou:ou-ab12-cdefgh34\n    - account:123456789012\n    - account:Log Archive\n    - tag:env=prod\n    - tag:owner\n    - tag:cost=\n", true, ""},
	{"durations", "version: 1\norganization:\n  sessionDuration: 1h30m\nplugins:\n  - {name: p, path: p, sha256: " + schemaTestSHA + ", timeout: 1.5m, severity: high, concurrency: 64}\n", true, ""},
	{"empty plugin severity", "version: 1\nplugins:\n  - {name: p, path: p, sha256: " + schemaTestSHA + ", severity: \"\"}\n", true, ""},
	{"extends a profile and a file", "version: 1\nextends: [minimal, ./base.yaml]\n", true, ""},
	{"SCP from a file", "version: 1\ncontrols:\n  serviceControlPolicies:\n    policies:\n      - {name: deny, file: deny.json, targets: [root, ou:/Sandbox]}\n", true, ""},
	{"optional strings left empty", "version: 1\ncontrols:\n  organizationTrail:\n    delegatedAdministrator: \"\"\n    bucket: {kmsKeyId: \"\", keyPrefix: \"\"}\n    cloudWatchLogs: {logGroupArn: \"\", roleArn: \"\"}\n", true, ""},
	{"config rule", "version: 1\ncontrols:\n  config:\n    deliveryFrequency: Six_Hours\n    bucket: {keyPrefix: config, kmsKeyArn: \"arn:aws:kms:us-east-1:111122223333:key/k\"}\n    rules:\n      - identifier: ACCESS_KEYS_ROTATED\n        parameters: {maxAccessKeyAge: 90}\n", true, ""},

	{"unknown top-level key", "version: 1\nregion: us-east-1\n", false, "at '':"},
	{"misspelled password policy key", "version: 1\ncontrols:\n  passwordPolicy:\n    minimumPasswordLenght: 14\n", false, "at '/controls/passwordPolicy':"},
	{"string for a number", "version: 1\ncontrols:\n  passwordPolicy:\n    minimumPasswordLength: \"14\"\n", false, "at '/controls/passwordPolicy/minimumPasswordLength':"},
	{"number without unit", "version: 1\norganization:\n  sessionDuration: 90\n", false, "at '/organization/sessionDuration':"},
	{"bad duration", "version: 1\norganization:\n  sessionDuration: 1 hour\n", false, "at '/organization/sessionDuration':"},
	{"bad severity", "version: 1\nplugins:\n  - {name: p, path: p, sha256: " + schemaTestSHA + ", severity: urgent}\n", false, "at '/plugins/0/severity':"},
	{"no version", "controls: {}\n", false, "at '':"},
	{"version 2", "version: 2\n", false, "at '/version':"},
	{"boolean for a string", "version: 1\norganization:\n  executionRole: true\n", false, "at '/organization/executionRole':"},
	{"out of range", "version: 1\ncontrols:\n  passwordPolicy:\n    minimumPasswordLength: 5\n", false, "at '/controls/passwordPolicy/minimumPasswordLength':"},
	{"null control", "version: 1\ncontrols:\n  passwordPolicy:\n", false, "at '/controls/passwordPolicy':"},
	{"bad selector", "version: 1\ntargets:\n  include: [ou:Workloads]\n", false, "at '/targets/include/0':"},
	{"bare account id selector", "version: 1\ntargets:\n  include: [\"123456789012\"]\n", false, "at '/targets/include/0':"},
	{"empty include", "version: 1\ntargets:\n  include: []\n", false, "at '/targets/include':"},
	{"unknown profile", "version: 1\nextends: [cis]\n", false, "at '/extends/0':"},
	{"extends twice", "version: 1\nextends: [minimal, minimal]\n", false, "at '/extends':"},
	{"bad region", "version: 1\norganization:\n  homeRegion: us-east\n", false, "at '/organization/homeRegion':"},
	{"bad alias", "version: 1\norganization:\n  accounts:\n    log-archive: Log Archive\n", false, "invalid propertyName 'log-archive'"},
	{"bad account value", "version: 1\norganization:\n  accounts:\n    audit: \"12345\"\n", false, "at '/organization/accounts/audit':"},
	{"SCP on a tag", "version: 1\ncontrols:\n  serviceControlPolicies:\n    policies:\n      - {name: deny, file: deny.json, targets: [\"tag:env=prod\"]}\n", false, "at '/controls/serviceControlPolicies/policies/0/targets/0':"},
	{"SCP with document and file", "version: 1\ncontrols:\n  serviceControlPolicies:\n    policies:\n      - {name: deny, file: deny.json, document: \"{}\", targets: [root]}\n", false, "at '/controls/serviceControlPolicies/policies/0':"},
	{"SCP without document", "version: 1\ncontrols:\n  serviceControlPolicies:\n    policies:\n      - {name: deny, targets: [root]}\n", false, "at '/controls/serviceControlPolicies/policies/0':"},
	{"SCP named FullAWSAccess", "version: 1\ncontrols:\n  serviceControlPolicies:\n    policies:\n      - {name: FullAWSAccess, file: f.json, targets: [root]}\n", false, "at '/controls/serviceControlPolicies/policies/0/name':"},
	{"unpinned plugin", "version: 1\nplugins:\n  - {name: p, path: p}\n", false, "at '/plugins/0':"},
	{"plugin read actions", "version: 1\nplugins:\n  - {name: p, path: p, sha256: " + schemaTestSHA + ", actions: [iam:GenerateCredentialReport, iam:getCredentialReport, organizations:DescribeOrganization]}\n", true, ""},
	{"plugin action wildcard", "version: 1\nplugins:\n  - {name: p, path: p, sha256: " + schemaTestSHA + ", actions: [\"iam:Get*\"]}\n", false, "at '/plugins/0/actions/0':"},
	{"plugin write action", "version: 1\nplugins:\n  - {name: p, path: p, sha256: " + schemaTestSHA + ", actions: [iam:ListUsers, iam:CreateUser]}\n", false, "at '/plugins/0/actions/1':"},
	{"plugin write action not allowed", "version: 1\nplugins:\n  - {name: p, path: p, sha256: " + schemaTestSHA + ", actions: [iam:CreateUser], allowWriteActions: false}\n", false, "at '/plugins/0/actions/0':"},
	{"plugin credential-minting read", "version: 1\nplugins:\n  - {name: p, path: p, sha256: " + schemaTestSHA + ", actions: [sts:GetSessionToken]}\n", false, "at '/plugins/0/actions/0':"},
	{"plugin write action allowed", "version: 1\nplugins:\n  - {name: p, path: p, sha256: " + schemaTestSHA + ", actions: [iam:CreateUser, sts:GetSessionToken], allowWriteActions: true}\n", true, ""},
	{"plugin timeout without unit", "version: 1\nplugins:\n  - {name: p, path: p, sha256: " + schemaTestSHA + ", timeout: 60}\n", false, "at '/plugins/0/timeout':"},
	{"analyzer type in lower case", "version: 1\ncontrols:\n  accessAnalyzer:\n    type: organization\n", false, "at '/controls/accessAnalyzer/type':"},
	{"trail named as an IP address", "version: 1\ncontrols:\n  organizationTrail:\n    name: 10.1.2.3\n", false, "at '/controls/organizationTrail/name':"},
	{"bad delivery frequency", "version: 1\ncontrols:\n  config:\n    deliveryFrequency: daily\n", false, "at '/controls/config/deliveryFrequency':"},
	{"unknown config rule", "version: 1\ncontrols:\n  config:\n    rules:\n      - identifier: NO_SUCH_RULE\n", false, "at '/controls/config/rules/0/identifier':"},
	{"config key prefix with AWSLogs", "version: 1\ncontrols:\n  config:\n    bucket: {keyPrefix: x/AWSLogs}\n", false, "at '/controls/config/bucket/keyPrefix':"},
	{"list as a config parameter", "version: 1\ncontrols:\n  config:\n    rules:\n      - identifier: ACCESS_KEYS_ROTATED\n        parameters: {maxAccessKeyAge: [90]}\n", false, "at '/controls/config/rules/0/parameters/maxAccessKeyAge':"},
}

// schemaPartialFiles are files the loader rejects only by rules across
// fields, which need the merged document: as a file meant to be extended
// (or to extend) they are valid, and the schema accepts them.
var schemaPartialFiles = []schemaCase{
	{name: "hardExpiry without maxPasswordAge", yaml: "version: 1\ncontrols:\n  passwordPolicy:\n    hardExpiry: true\n"},
	{name: "half of cloudWatchLogs", yaml: "version: 1\ncontrols:\n  organizationTrail:\n    cloudWatchLogs:\n      logGroupArn: arn:aws:logs:us-east-1:111122223333:log-group:trail\n"},
	{name: "regions without the home region", yaml: "version: 1\norganization:\n  regions: [eu-west-1]\n"},
	{name: "ACCOUNT analyzer with a delegated administrator", yaml: "version: 1\ncontrols:\n  accessAnalyzer:\n    type: ACCOUNT\n    delegatedAdministrator: audit\n"},
}

func schemaLoad(t *testing.T, dir string, c schemaCase) error {
	t.Helper()
	_, err := LoadBytes("case.yaml", []byte(c.yaml), dir)
	return err
}

// TestSchemaAgreesWithTheLoader also checks the schema as draft 7, which
// is what yaml-language-server (the YAML extension of VS Code, and other
// editors) implements: the schema uses no keyword whose meaning differs.
func TestSchemaAgreesWithTheLoader(t *testing.T) {
	for _, d := range []struct {
		name  string
		draft *jsonschema.Draft
	}{{"2020-12", nil}, {"draft-7", jsonschema.Draft7}} {
		t.Run(d.name, func(t *testing.T) { testSchemaAgreesWithTheLoader(t, compileSchemaAs(t, d.draft)) })
	}
}

func testSchemaAgreesWithTheLoader(t *testing.T, sch *jsonschema.Schema) {
	dir := t.TempDir()
	if err := os.WriteFile(filepath.Join(dir, "base.yaml"), []byte("version: 1\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	for _, c := range schemaCases {
		t.Run(c.name, func(t *testing.T) {
			lerr := schemaLoad(t, dir, c)
			if (lerr == nil) != c.valid {
				t.Fatalf("the test case is wrong: the loader says %v, want valid=%v", lerr, c.valid)
			}
			serr := schemaCheck(sch, []byte(c.yaml))
			switch {
			case (serr == nil) != c.valid:
				t.Errorf("the schema says %v, the loader %v", serr, lerr)
			case serr != nil && !strings.Contains(serr.Error(), c.want):
				t.Errorf("the schema rejects the file, but its error does not say %q: %v", c.want, serr)
			}
		})
	}
	for _, c := range schemaPartialFiles {
		t.Run("partial/"+c.name, func(t *testing.T) {
			if err := schemaLoad(t, dir, c); err == nil {
				t.Fatal("the test case is wrong: the loader accepts the file on its own")
			}
			if err := schemaCheck(sch, []byte(c.yaml)); err != nil {
				t.Errorf("the schema rejects a valid partial file: %v", err)
			}
		})
	}
}

// schemaVisit calls f with the path and value of every JSON object in v.
func schemaVisit(path string, v any, f func(path string, m map[string]any)) {
	switch x := v.(type) {
	case map[string]any:
		f(path, x)
		keys := make([]string, 0, len(x))
		for k := range x {
			keys = append(keys, k)
		}
		sort.Strings(keys)
		for _, k := range keys {
			schemaVisit(path+"/"+k, x[k], f)
		}
	case []any:
		for i, e := range x {
			schemaVisit(fmt.Sprintf("%s/%d", path, i), e, f)
		}
	}
}

func TestSchemaDescribesEveryProperty(t *testing.T) {
	m := schemaTree(t)
	used := map[string]bool{}
	described := func(where string, s any) {
		if d, _ := s.(map[string]any)["description"].(string); strings.TrimSpace(d) == "" {
			t.Errorf("%s has no description; describe it in schemaFieldDocs or schemaTypeDocs (baseline/schema.go)", where)
		}
	}
	props := func(typ string, s map[string]any) {
		p, _ := s["properties"].(map[string]any)
		for k, v := range p {
			used[typ+"."+k] = true
			described(typ+"."+k, v)
		}
	}
	used["Baseline"] = true // the root, described by schemaTypeDocs too
	props("Baseline", m)
	defs, _ := m["$defs"].(map[string]any)
	if len(defs) == 0 {
		t.Fatal("the schema has no $defs")
	}
	for name, d := range defs {
		used[name] = true
		described("$defs/"+name, d)
		props(name, d.(map[string]any))
	}
	for key := range schemaFieldDocs() {
		if !used[key] {
			t.Errorf("schemaFieldDocs has %q, which is no field of the baseline types; remove it", key)
		}
	}
	for key := range schemaTypeDocs() {
		if !used[key] {
			t.Errorf("schemaTypeDocs has %q, which is no type of the baseline; remove it", key)
		}
	}
}

func TestSchemaFollowsTheYAMLTags(t *testing.T) {
	m := schemaTree(t)
	defs := m["$defs"].(map[string]any)
	seen := map[reflect.Type]bool{}
	var walk func(rt reflect.Type, s map[string]any)
	walk = func(rt reflect.Type, s map[string]any) {
		if seen[rt] {
			return
		}
		seen[rt] = true
		props := s["properties"].(map[string]any)
		fields := yamlFields(rt)
		if got, want := sortedKeys(props), sortedFieldKeys(fields); !slices.Equal(got, want) {
			t.Errorf("%s: properties %v, yaml keys %v", rt.Name(), got, want)
		}
		if s["additionalProperties"] != false {
			t.Errorf("%s: additionalProperties is not false", rt.Name())
		}
		for _, idx := range fields {
			ft := rt.FieldByIndex(idx).Type
			for ft.Kind() == reflect.Pointer || ft.Kind() == reflect.Slice || ft.Kind() == reflect.Map {
				ft = ft.Elem()
			}
			if ft.Kind() == reflect.Struct && !isScalarType(ft) {
				d, ok := defs[ft.Name()].(map[string]any)
				if !ok {
					t.Errorf("no $defs/%s", ft.Name())
					continue
				}
				walk(ft, d)
			}
		}
	}
	walk(reflect.TypeFor[Baseline](), m)
	if len(seen) < 10 {
		t.Errorf("walked only %d struct types", len(seen))
	}
}

func sortedKeys(m map[string]any) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}

// TestSchemaPatternsArePortable keeps the patterns to the syntax Go's
// regexp and ECMAScript (editors) share.
func TestSchemaPatternsArePortable(t *testing.T) {
	goOnly := regexp.MustCompile(`\(\?[^:]|\\[zAQEpPC]|\\x\{|\[\[:`)
	n := 0
	schemaVisit("#", schemaTree(t), func(path string, m map[string]any) {
		p, ok := m["pattern"].(string)
		if !ok {
			return
		}
		n++
		if _, err := regexp.Compile(p); err != nil {
			t.Errorf("%s: pattern %q does not compile: %v", path, p, err)
		}
		if loc := goOnly.FindStringIndex(p); loc != nil {
			t.Errorf("%s: pattern %q uses %q, which ECMAScript reads differently or not at all", path, p, p[loc[0]:loc[1]])
		}
	})
	if n < 20 {
		t.Errorf("only %d patterns in the schema", n)
	}
}

// schemaDef returns $defs/name/key of the generated schema.
func schemaDef(t *testing.T, name, key string) string {
	t.Helper()
	d, _ := schemaTree(t)["$defs"].(map[string]any)[name].(map[string]any)
	s, ok := d[key].(string)
	if !ok {
		t.Fatalf("no $defs/%s/%s", name, key)
	}
	return s
}

func TestSchemaSelectorPatternIsParseSelector(t *testing.T) {
	re := regexp.MustCompile(schemaDef(t, "Selector", "pattern"))
	scp := regexp.MustCompile(selectorPattern(false))
	samples := []string{
		"root", "Root", " root", "root ", "", "ou:/", "ou:/Workloads", "ou:/Workloads/Prod", "ou:/Work loads/Prod",
		"ou:/Workloads/", "ou://Workloads", "ou:/ Workloads", "ou:/Workloads /Prod", "ou:", "ou:Workloads", "ou:r-ab12",
		"ou:ou-ab12-cdefgh34", "ou:ou-AB12-cdefgh34", "ou:ou-ab1-cdefgh34", "ou:ou-ab12-cdefgh3",
		"account:123456789012", "account:12345678901", "account:0123456789012", "account:Log Archive", "account:Log",
		"account: Log", "account:Log ", "account:", "account:12 3", "account:12 ", "account:1a", "account:a1",
		"tag:env", "tag:env=prod", "tag:env=", "tag:=prod", "tag: env", "tag:env =prod", "tag:env=pr od",
		"tag:env= prod", "tag:env=prod ", "tag:a=b=c", "tag:", "foo:bar", "123456789012", "/Workloads", "ou-ab12-cdefgh34",
	}
	for _, s := range samples {
		sel, err := ParseSelector(s)
		if got := re.MatchString(s); got != (err == nil) {
			t.Errorf("selector %q: pattern matches %v, ParseSelector error %v", s, got, err)
		}
		wantSCP := err == nil && sel.Kind != SelectTag
		if got := scp.MatchString(s); got != wantSCP {
			t.Errorf("SCP target %q: pattern matches %v, want %v", s, got, wantSCP)
		}
	}
}

func TestSchemaDurationPatternIsParseDuration(t *testing.T) {
	re := regexp.MustCompile(schemaDef(t, "Duration", "pattern"))
	samples := []string{
		"1h", "90m", "1h30m", "1.5h", ".5h", "1.h", "45s", "100ms", "10us", "10µs", "10μs", "5ns", "-1h", "+1h",
		"0", "1", "1.5", "", "h", "1d", "1 h", "1h 30m", "1e3s", "Inf", "1H", ".h", "1..5h",
	}
	for _, s := range samples {
		_, err := ParseDuration(s)
		if got := re.MatchString(s); got != (err == nil) {
			t.Errorf("duration %q: pattern matches %v, ParseDuration error %v", s, got, err)
		}
	}
}

// TestGenerateSchemaFromGoTypes shows that the schema follows the Go
// types: a field is a property under its yaml key.
func TestGenerateSchemaFromGoTypes(t *testing.T) {
	type schemaTestOpt struct {
		N int `yaml:"n"`
	}
	type schemaTestInner struct {
		On bool `yaml:"on"`
	}
	type schemaTestDoc struct {
		Name   string            `yaml:"name"`
		Every  Duration          `yaml:"every"`
		Inner  schemaTestInner   `yaml:"inner"`
		Opt    *schemaTestOpt    `yaml:"opt"`
		Tags   map[string]bool   `yaml:"tags"`
		Sels   []Selector        `yaml:"sels"`
		Any    map[string]any    `yaml:"any"`
		NoTag  float64           `yaml:",omitempty"`
		Skip   string            `yaml:"-"`
		hidden string            // unexported: not a key
		Nested map[string]string `yaml:"nested"`
	}
	s, err := generateSchema(reflect.TypeFor[schemaTestDoc]())
	if err != nil {
		t.Fatal(err)
	}
	props := s["properties"].(obj)
	if got, want := sortedKeys(props), []string{"any", "every", "inner", "name", "nested", "notag", "opt", "sels", "tags"}; !slices.Equal(got, want) {
		t.Errorf("properties %v, want %v", got, want)
	}
	defs := s["$defs"].(obj)
	if got := defs["schemaTestInner"].(obj)["type"]; !reflect.DeepEqual(got, []string{"null", "object"}) {
		t.Errorf("a struct held by value has type %v, want null or object", got)
	}
	if got := defs["schemaTestOpt"].(obj)["type"]; got != "object" {
		t.Errorf("a struct held by pointer has type %v, want object", got)
	}
	if got := props["sels"].(obj)["items"]; !reflect.DeepEqual(got, obj{"$ref": "#/$defs/Selector"}) {
		t.Errorf("sels items = %v", got)
	}
	if got := props["tags"].(obj)["additionalProperties"]; !reflect.DeepEqual(got, obj{"type": "boolean"}) {
		t.Errorf("tags additionalProperties = %v", got)
	}
	if got := props["notag"].(obj)["type"]; got != "number" {
		t.Errorf("notag type = %v", got)
	}

	type schemaTestBoth struct {
		A schemaTestInner  `yaml:"a"`
		B *schemaTestInner `yaml:"b"`
	}
	if _, err := generateSchema(reflect.TypeFor[schemaTestBoth]()); err == nil {
		t.Error("a struct held both by value and by pointer: no error")
	}
	type schemaTestChan struct {
		C chan int `yaml:"c"`
	}
	if _, err := generateSchema(reflect.TypeFor[schemaTestChan]()); err == nil {
		t.Error("a channel field: no error")
	}
}
