package report

import (
	"bytes"
	"encoding/json"
	"reflect"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/santhosh-tekuri/jsonschema/v6"

	"github.com/orgbaseline/orgbaseline/baseline"
	"github.com/orgbaseline/orgbaseline/internal/golden"
)

const reportSchemaID = "https://github.com/orgbaseline/orgbaseline/internal/report/report.schema.json"

// compileReportSchema compiles ReportSchema, asserting formats (createdAt
// is a date-time).
func compileReportSchema(t *testing.T) *jsonschema.Schema {
	t.Helper()
	doc, err := jsonschema.UnmarshalJSON(bytes.NewReader(ReportSchema))
	if err != nil {
		t.Fatal(err)
	}
	c := jsonschema.NewCompiler()
	c.AssertFormat()
	if err := c.AddResource(reportSchemaID, doc); err != nil {
		t.Fatal(err)
	}
	sch, err := c.Compile(reportSchemaID)
	if err != nil {
		t.Fatal(err)
	}
	return sch
}

// findingsJSON renders r with FindingsJSON.
func findingsJSON(t *testing.T, r *Report) []byte {
	t.Helper()
	var b bytes.Buffer
	if err := FindingsJSON(&b, r); err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}

// validate checks a JSON document against sch.
func validate(sch *jsonschema.Schema, doc []byte) error {
	v, err := jsonschema.UnmarshalJSON(bytes.NewReader(doc))
	if err != nil {
		return err
	}
	return sch.Validate(v)
}

func TestFindingsJSONGolden(t *testing.T) {
	golden.Check(t, "fixture.json", findingsJSON(t, fixture()))
}

func TestSchemaID(t *testing.T) {
	var s struct {
		ID     string `json:"$id"`
		Schema string `json:"$schema"`
	}
	if err := json.Unmarshal(ReportSchema, &s); err != nil {
		t.Fatal(err)
	}
	if s.ID != reportSchemaID || s.Schema != "https://json-schema.org/draft/2020-12/schema" {
		t.Errorf("$id %q, $schema %q", s.ID, s.Schema)
	}
}

func TestReportSchemaAccepts(t *testing.T) {
	sch := compileReportSchema(t)
	narrowed := fixture()
	Narrow(narrowed, "CIS-3.0")
	narrowed.Shard = &Shard{Index: 1, Count: 3}
	withEvidence := fixture()
	withEvidence.Findings[0].Evidence = map[string]any{"trail": map[string]any{"name": "org-trail", "regions": []string{"us-east-1"}}, "count": 3}
	for name, r := range map[string]*Report{
		"fixture":  fixture(),
		"narrowed": narrowed,
		"evidence": withEvidence,
		"empty":    {FormatVersion: ReportFormatVersion},
		"summarised empty": func() *Report {
			r := &Report{FormatVersion: ReportFormatVersion, CreatedAt: time.Now()}
			Summarise(r)
			return r
		}(),
	} {
		if err := validate(sch, findingsJSON(t, r)); err != nil {
			t.Errorf("%s: %v", name, err)
		}
	}
}

func TestReportSchemaRejects(t *testing.T) {
	sch := compileReportSchema(t)
	var doc map[string]any
	if err := json.Unmarshal(findingsJSON(t, fixture()), &doc); err != nil {
		t.Fatal(err)
	}
	if b, _ := json.Marshal(doc); validate(sch, b) != nil {
		t.Fatal("the fixture, decoded and encoded again, is rejected: the mutations below prove nothing")
	}
	for name, mutate := range map[string]func(doc map[string]any){
		"wrong status":          func(doc map[string]any) { finding(doc)["status"] = "WARN" },
		"wrong severity":        func(doc map[string]any) { finding(doc)["severity"] = "urgent" },
		"missing formatVersion": func(doc map[string]any) { delete(doc, "formatVersion") },
		"other formatVersion":   func(doc map[string]any) { doc["formatVersion"] = "2" },
		"unknown top-level":     func(doc map[string]any) { doc["verdict"] = "bad" },
		"unknown in a finding":  func(doc map[string]any) { finding(doc)["owner"] = "someone" },
		"missing message":       func(doc map[string]any) { delete(finding(doc), "message") },
		"bad createdAt":         func(doc map[string]any) { doc["createdAt"] = "yesterday" },
		"negative count":        func(doc map[string]any) { doc["summary"].(map[string]any)["fail"] = -1 },
		"summary missing":       func(doc map[string]any) { delete(doc, "summary") },
		"account without id":    func(doc map[string]any) { delete(doc["accounts"].([]any)[0].(map[string]any), "account") },
	} {
		var doc map[string]any
		if err := json.Unmarshal(findingsJSON(t, fixture()), &doc); err != nil {
			t.Fatal(err)
		}
		mutate(doc)
		b, err := json.Marshal(doc)
		if err != nil {
			t.Fatal(err)
		}
		if err := validate(sch, b); err == nil {
			t.Errorf("%s: the schema accepts it", name)
		}
	}
}

// finding is the first finding of a decoded report.
func finding(doc map[string]any) map[string]any {
	return doc["findings"].([]any)[0].(map[string]any)
}

// TestReportSchemaCoversGoTypes holds the schema to the Go types: every
// JSON field of each type is a property of its schema object, required
// exactly when it is not omitempty, and the object has no other property.
func TestReportSchemaCoversGoTypes(t *testing.T) {
	var schema struct {
		Properties map[string]any             `json:"properties"`
		Required   []string                   `json:"required"`
		Defs       map[string]schemaObjectDoc `json:"$defs"`
	}
	if err := json.Unmarshal(ReportSchema, &schema); err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct {
		typ reflect.Type
		obj schemaObjectDoc
	}{
		{reflect.TypeFor[Report](), schemaObjectDoc{Properties: schema.Properties, Required: schema.Required}},
		{reflect.TypeFor[AccountReport](), schema.Defs["account"]},
		{reflect.TypeFor[Summary](), schema.Defs["summary"]},
		{reflect.TypeFor[FrameworkSummary](), schema.Defs["frameworkSummary"]},
		{reflect.TypeFor[Check](), schema.Defs["check"]},
		{reflect.TypeFor[Tool](), schema.Defs["tool"]},
		{reflect.TypeFor[Shard](), schema.Defs["shard"]},
		{reflect.TypeFor[baseline.Finding](), schema.Defs["finding"]},
	} {
		if c.obj.Properties == nil {
			t.Errorf("%v: no schema object", c.typ)
			continue
		}
		fields := jsonFields(c.typ)
		for name, omitempty := range fields {
			if _, ok := c.obj.Properties[name]; !ok {
				t.Errorf("%v: field %q is not in the schema", c.typ, name)
				continue
			}
			if required := slices.Contains(c.obj.Required, name); required == omitempty {
				t.Errorf("%v: field %q: required %v in the schema, omitempty %v in Go", c.typ, name, required, omitempty)
			}
		}
		for name := range c.obj.Properties {
			if _, ok := fields[name]; !ok {
				t.Errorf("%v: the schema has %q, the Go type has no such field", c.typ, name)
			}
		}
	}
}

// schemaObjectDoc is the part of a schema object the drift test reads.
type schemaObjectDoc struct {
	Properties map[string]any `json:"properties"`
	Required   []string       `json:"required"`
}

// jsonFields maps the JSON names of a struct's fields to whether they are
// omitempty.
func jsonFields(t reflect.Type) map[string]bool {
	out := map[string]bool{}
	for i := range t.NumField() {
		f := t.Field(i)
		if !f.IsExported() {
			continue
		}
		tag := f.Tag.Get("json")
		if tag == "-" {
			continue
		}
		name, opts, _ := strings.Cut(tag, ",")
		if name == "" {
			name = f.Name
		}
		out[name] = slices.Contains(strings.Split(opts, ","), "omitempty")
	}
	return out
}
