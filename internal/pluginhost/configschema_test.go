package pluginhost

import (
	"strings"
	"testing"
)

const testConfigSchema = `{
  "$schema": "https://json-schema.org/draft/2020-12/schema",
  "type": "object",
  "additionalProperties": false,
  "properties": {
    "maxAgeDays": {"type": "integer", "minimum": 1},
    "nested": {"type": "object", "additionalProperties": false, "properties": {"a/b": {"type": "string"}}}
  }
}`

func TestValidateConfig(t *testing.T) {
	for _, tc := range []struct {
		name, schema, config string
		want                 []ConfigProblem // Message and Fix compared by substring
		wantErr              string
	}{
		{name: "valid", schema: testConfigSchema, config: `{"maxAgeDays": 3}`},
		{name: "empty config", schema: testConfigSchema, config: ``},
		{name: "no schema", schema: "", config: `{"anything": 1}`},
		{name: "typo", schema: testConfigSchema, config: `{"maxAge": 3}`, want: []ConfigProblem{
			{Pointer: "/maxAge", Message: `setting "maxAge" is not allowed`, Fix: `did you mean "maxAgeDays"? rename it; the settings declared here are maxAgeDays, nested`},
		}},
		{name: "unknown, no suggestion", schema: testConfigSchema, config: `{"zzzzzzzz": 3}`, want: []ConfigProblem{
			{Pointer: "/zzzzzzzz", Message: "not allowed", Fix: "remove it; the settings declared here are maxAgeDays, nested"},
		}},
		{name: "nested key with a slash", schema: testConfigSchema, config: `{"nested": {"a/c": "x"}}`, want: []ConfigProblem{
			{Pointer: "/nested/a~1c", Message: "not allowed", Fix: `did you mean "a/b"?`},
		}},
		{name: "wrong type", schema: testConfigSchema, config: `{"maxAgeDays": "3"}`, want: []ConfigProblem{
			{Pointer: "/maxAgeDays", Message: "want integer"},
		}},
		{name: "out of range", schema: testConfigSchema, config: `{"maxAgeDays": 0}`, want: []ConfigProblem{
			{Pointer: "/maxAgeDays", Message: "minimum"},
		}},
		{name: "schema not JSON", schema: `{`, config: `{}`, wantErr: "not JSON"},
		{name: "schema does not compile", schema: `{"type": 12}`, config: `{}`, wantErr: "does not compile"},
		// A plugin's schema must not make the host read files or fetch URLs.
		{name: "file ref refused", schema: `{"$ref": "file:///etc/passwd"}`, config: `{}`, wantErr: "does not compile"},
		{name: "http ref refused", schema: `{"$ref": "https://example.com/s.json"}`, config: `{}`, wantErr: "does not compile"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got, err := ValidateConfig(tc.schema, []byte(tc.config))
			if tc.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tc.wantErr) {
					t.Fatalf("err = %v, want one saying %q", err, tc.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if len(got) != len(tc.want) {
				t.Fatalf("problems = %+v, want %+v", got, tc.want)
			}
			for i, w := range tc.want {
				g := got[i]
				if g.Pointer != w.Pointer || !strings.Contains(g.Message, w.Message) || !strings.Contains(g.Fix, w.Fix) {
					t.Errorf("problem %d = %+v, want %+v", i, g, w)
				}
			}
		})
	}
}
