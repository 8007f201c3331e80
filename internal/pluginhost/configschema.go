package pluginhost

import (
	"bytes"
	"fmt"
	"slices"
	"sort"
	"strings"

	"github.com/santhosh-tekuri/jsonschema/v6"
	"github.com/santhosh-tekuri/jsonschema/v6/kind"

	"github.com/orgbaseline/orgbaseline/baseline"
)

// ConfigProblem is one way a plugin's config breaks the JSON Schema the
// plugin describes (DescribeResponse.ConfigSchema).
type ConfigProblem struct {
	// Pointer is the JSON pointer (RFC 6901) of the offending value in
	// the config: "" is the config itself, "/maxAge" its key maxAge.
	Pointer string
	// Message says what is wrong, in the schema validator's words.
	Message string
	// Fix says how to put it right, when the schema tells ("" otherwise).
	Fix string
}

// configSchemaURL is the address the plugin's schema is compiled under;
// it is never fetched.
const configSchemaURL = "https://orgbaseline.invalid/plugin-config.schema.json"

// maxConfigProblems bounds the problems reported for one plugin's config.
const maxConfigProblems = 20

// ValidateConfig checks a plugin's config (a JSON object, as Spec.Config)
// against the JSON Schema text the plugin described, so a typo in
// baseline.yaml is refused once, before any account, rather than by the
// plugin in every account. An empty schema checks nothing. The schema may
// not refer to other documents (nothing is fetched or read from disk); an
// error means the schema itself is unusable, which is the plugin's to fix.
func ValidateConfig(schema string, config []byte) ([]ConfigProblem, error) {
	if strings.TrimSpace(schema) == "" {
		return nil, nil
	}
	doc, err := jsonschema.UnmarshalJSON(strings.NewReader(schema))
	if err != nil {
		return nil, fmt.Errorf("its config schema is not JSON: %v", err)
	}
	c := jsonschema.NewCompiler()
	c.UseLoader(jsonschema.SchemeURLLoader{}) // no scheme: nothing is loaded
	if err := c.AddResource(configSchemaURL, doc); err != nil {
		return nil, fmt.Errorf("its config schema cannot be used: %s", firstLine(err.Error()))
	}
	sch, err := c.Compile(configSchemaURL)
	if err != nil {
		return nil, fmt.Errorf("its config schema does not compile: %s", firstLine(err.Error()))
	}
	if len(bytes.TrimSpace(config)) == 0 {
		config = []byte("{}")
	}
	inst, err := jsonschema.UnmarshalJSON(bytes.NewReader(config))
	if err != nil {
		return nil, fmt.Errorf("the config is not JSON: %v", err)
	}
	verr, ok := sch.Validate(inst).(*jsonschema.ValidationError)
	if !ok || verr == nil {
		return nil, nil
	}
	var out []ConfigProblem
	for _, leaf := range leaves(verr, nil) {
		out = append(out, problemsOf(sch, leaf)...)
	}
	sort.SliceStable(out, func(i, j int) bool { return out[i].Pointer < out[j].Pointer })
	out = slices.CompactFunc(out, func(a, b ConfigProblem) bool { return a == b })
	if len(out) > maxConfigProblems {
		out = append(out[:maxConfigProblems], ConfigProblem{Message: fmt.Sprintf("and %d more problem(s)", len(out)-maxConfigProblems)})
	}
	return out, nil
}

// leaves returns the errors of the tree that have no causes: the
// individual violations (the others only group them).
func leaves(e *jsonschema.ValidationError, acc []*jsonschema.ValidationError) []*jsonschema.ValidationError {
	if len(e.Causes) == 0 {
		return append(acc, e)
	}
	for _, c := range e.Causes {
		acc = leaves(c, acc)
	}
	return acc
}

// problemsOf turns one violation into problems: one per key the schema
// does not allow, with the keys it does; otherwise the message as is.
func problemsOf(root *jsonschema.Schema, e *jsonschema.ValidationError) []ConfigProblem {
	at := pointer(e.InstanceLocation)
	if ap, ok := e.ErrorKind.(*kind.AdditionalProperties); ok {
		allowed := declared(root, e.InstanceLocation)
		var out []ConfigProblem
		for _, p := range ap.Properties {
			fix := "remove it"
			if s := baseline.Suggest(p, allowed); s != "" {
				fix = fmt.Sprintf("did you mean %s? rename it", quoteKey(s))
			}
			if len(allowed) > 0 {
				fix += "; the settings declared here are " + strings.Join(allowed, ", ")
			} else {
				fix += "; the schema declares no settings here"
			}
			out = append(out, ConfigProblem{Pointer: at + pointer([]string{p}), Message: fmt.Sprintf("setting %s is not allowed", quoteKey(p)), Fix: fix})
		}
		return out
	}
	// The validator's own words, without the leaf's own location, which
	// Pointer carries.
	msg := (&jsonschema.ValidationError{SchemaURL: e.SchemaURL, InstanceLocation: e.InstanceLocation, ErrorKind: e.ErrorKind}).BasicOutput().Error.String()
	return []ConfigProblem{{Pointer: at, Message: msg}}
}

// declared returns the property names the schema declares for the object
// at the instance location, following properties and $ref; nil when it
// cannot tell.
func declared(root *jsonschema.Schema, loc []string) []string {
	s := root
	for _, tok := range loc {
		s = deref(s)
		if s == nil {
			return nil
		}
		s = s.Properties[tok]
	}
	s = deref(s)
	if s == nil {
		return nil
	}
	var names []string
	for n := range s.Properties {
		names = append(names, n)
	}
	sort.Strings(names)
	return names
}

// deref follows a schema's $ref (a bounded number of times).
func deref(s *jsonschema.Schema) *jsonschema.Schema {
	for i := 0; s != nil && s.Ref != nil && len(s.Properties) == 0 && i < 16; i++ {
		s = s.Ref
	}
	return s
}

// pointer writes tokens as a JSON pointer (RFC 6901: "~" is "~0", "/" is
// "~1").
func pointer(tokens []string) string {
	var b strings.Builder
	for _, t := range tokens {
		b.WriteByte('/')
		b.WriteString(strings.NewReplacer("~", "~0", "/", "~1").Replace(t))
	}
	return b.String()
}

// quoteKey quotes a config key for a message, clipped: it is the user's
// own text, but may be long.
func quoteKey(k string) string {
	const max = 60
	if len(k) > max {
		return fmt.Sprintf("%q...", k[:max])
	}
	return fmt.Sprintf("%q", k)
}

// firstLine returns s up to its first newline, clipped.
func firstLine(s string) string {
	s, _, _ = strings.Cut(s, "\n")
	const max = 200
	if len(s) > max {
		return s[:max] + "..."
	}
	return s
}
