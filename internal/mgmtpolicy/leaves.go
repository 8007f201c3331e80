package mgmtpolicy

import (
	"bytes"
	"encoding/json"
	"fmt"
	"strings"
)

// Leaf is a value a document assigns, at its path without operators.
// Value is a string or a []string.
type Leaf struct {
	Path  []string
	Value any
}

// Assigned returns every value the document sets with @@assign, in
// document order. When such a policy is in effect for an account, each
// leaf's value is what DescribeEffectivePolicy shows at its path, unless
// a policy lower in the organization (or attached after it at the same
// level) changes it ("Understanding management policy inheritance").
func (d *Document) Assigned() []Leaf {
	var out []Leaf
	for _, s := range d.settings {
		if s.Op == OpAssign {
			out = append(out, Leaf{Path: append([]string(nil), s.Path...), Value: copyValue(s.Value)})
		}
	}
	return out
}

// Lookup finds path in an effective policy document (PolicyContent of
// DescribeEffectivePolicy, which renders values without operators). A
// list of strings comes back as []string, a string as string, anything
// else as encoding/json decodes it. A key missing at its exact spelling
// matches a key that differs only in case when exactly one does: the
// policy keys of tag policies are not case sensitive ("Tag policy syntax
// and examples").
func Lookup(effective []byte, path []string) (value any, ok bool) {
	var v any
	if err := json.Unmarshal(effective, &v); err != nil {
		return nil, false
	}
	for _, k := range path {
		m, isObj := v.(map[string]any)
		if !isObj {
			return nil, false
		}
		next, found := m[k]
		if !found {
			next, found = foldLookup(m, k)
		}
		if !found {
			return nil, false
		}
		v = next
	}
	if l, isList := stringList(v); isList {
		return l, true
	}
	return v, true
}

func foldLookup(m map[string]any, k string) (any, bool) {
	var hit any
	n := 0
	for mk, mv := range m {
		if strings.EqualFold(mk, k) {
			hit, n = mv, n+1
		}
	}
	return hit, n == 1
}

// Normalize returns content as canonical JSON: no insignificant
// whitespace, object keys sorted, arrays in their order. Two documents
// with the same Normalize output say the same thing to AWS.
func Normalize(content []byte) ([]byte, error) {
	dec := json.NewDecoder(bytes.NewReader(content))
	dec.UseNumber()
	var v any
	if err := dec.Decode(&v); err != nil {
		return nil, fmt.Errorf("mgmtpolicy: normalize: the document is not valid JSON: %w", err)
	}
	if dec.More() {
		return nil, fmt.Errorf("mgmtpolicy: normalize: the document has text after its JSON value")
	}
	var b bytes.Buffer
	enc := json.NewEncoder(&b)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(v); err != nil {
		return nil, fmt.Errorf("mgmtpolicy: normalize: %w", err)
	}
	return bytes.TrimRight(b.Bytes(), "\n"), nil
}
