package mgmtpolicy

import (
	"fmt"
	"strings"
)

// The inheritance operators ("Inheritance operators"): three
// value-setting operators and one child control operator.
const (
	OpAssign    = "@@assign"
	OpAppend    = "@@append"
	OpRemove    = "@@remove"
	OpChildOps  = "@@operators_allowed_for_child_policies"
	ChildOpsAll = "@@all"
	ChildOpNone = "@@none"
)

// Problem is one thing wrong with a document, at a JSON path such as
// tags.costcenter.tag_value ("" for the document itself).
type Problem struct {
	Path    string
	Message string
}

func (p Problem) String() string {
	if p.Path == "" {
		return p.Message
	}
	return p.Path + ": " + p.Message
}

// ParseError lists every problem of a document, in document order.
type ParseError struct {
	Type     string
	Problems []Problem
}

func (e *ParseError) Error() string {
	parts := make([]string, len(e.Problems))
	for i, p := range e.Problems {
		parts[i] = p.String()
	}
	return "mgmtpolicy: invalid " + e.Type + " document: " + strings.Join(parts, "; ")
}

// Setting is one operator of a document: the path of the node it sits in
// (without operators), the operator, and its value: a string or []string
// for @@assign, []string for the others.
type Setting struct {
	Path  []string
	Op    string
	Value any
}

// Document is a parsed, valid management policy document. It is immutable.
type Document struct {
	typ      string
	settings []Setting
}

// Type returns the document's policy type.
func (d *Document) Type() string { return d.typ }

// Settings returns the document's operators in document order.
func (d *Document) Settings() []Setting {
	out := make([]Setting, len(d.settings))
	for i, s := range d.settings {
		out[i] = Setting{Path: append([]string(nil), s.Path...), Op: s.Op, Value: copyValue(s.Value)}
	}
	return out
}

func copyValue(v any) any {
	if l, ok := v.([]string); ok {
		return append([]string{}, l...)
	}
	return v
}

// Parse validates content as a management policy document of policyType.
// The error is a *ParseError naming every problem with its JSON path, or,
// for a type that is not a management policy type, a plain error.
//
// The grammar ("Understanding management policy inheritance",
// "Inheritance operators"): the document is a JSON object whose only key
// is the type's top-level key; below it, objects nest down to settings; a
// setting is an object holding one value-setting operator (@@assign: a
// string or a list of strings; @@append and @@remove: a list of strings,
// "You can use this operator with only multi-valued settings") and
// optionally @@operators_allowed_for_child_policies (["@@all"],
// ["@@none"], or a list of value-setting operators). The child control
// operator may also sit in any object above a setting ("At any level", AI
// services opt-out policy syntax), but not at the document's top.
//
// Stricter readings where the pages are silent: a setting's value must be
// wrapped in an operator (a plain value is what an effective policy looks
// like, and "You can't directly use the contents of a displayed effective
// policy as the contents of a new policy. The syntax doesn't include the
// operators"); one value-setting operator per setting; a setting holds no
// other keys beside its operators; no empty objects; values are strings
// (every example quotes numbers, e.g. backup's "start_backup_window_minutes":
// {"@@assign": "60"}); a key may not repeat in one object.
func Parse(policyType string, content []byte) (*Document, error) {
	info, ok := TypeOf(policyType)
	if !ok {
		return nil, fmt.Errorf("mgmtpolicy: %q is not a management policy type; use one of %s", policyType, strings.Join(typeNames(), ", "))
	}
	p := &parser{typ: info}
	tree, err := decodeTree(content)
	if err != nil {
		p.report(nil, "%s", err.Error())
		return nil, p.err()
	}
	p.document(tree)
	if len(p.problems) > 0 {
		return nil, p.err()
	}
	return &Document{typ: policyType, settings: p.settings}, nil
}

type parser struct {
	typ      TypeInfo
	problems []Problem
	settings []Setting
}

func (p *parser) report(path []string, format string, args ...any) {
	p.problems = append(p.problems, Problem{Path: pathString(path), Message: fmt.Sprintf(format, args...)})
}

func (p *parser) err() error {
	return &ParseError{Type: p.typ.Type, Problems: p.problems}
}

// pathString renders a path as dotted keys; a key that is empty or holds
// a dot is quoted in brackets.
func pathString(path []string) string {
	var b strings.Builder
	for i, k := range path {
		if k == "" || strings.ContainsAny(k, ".[]\"") {
			fmt.Fprintf(&b, "[%q]", k)
			continue
		}
		if i > 0 {
			b.WriteByte('.')
		}
		b.WriteString(k)
	}
	return b.String()
}

func (p *parser) document(tree any) {
	root, ok := tree.(*object)
	if !ok {
		p.report(nil, "the document must be a JSON object starting with the key %q", p.typ.TopLevelKey)
		return
	}
	if _, ok := root.get(p.typ.TopLevelKey); !ok {
		p.report(nil, "a %s document needs the top-level key %q", p.typ.Type, p.typ.TopLevelKey)
	}
	for _, k := range root.keys {
		if k != p.typ.TopLevelKey {
			p.report([]string{k}, "unknown key %q: a %s document allows only the top-level key %q", k, p.typ.Type, p.typ.TopLevelKey)
		}
	}
	if v, ok := root.get(p.typ.TopLevelKey); ok {
		p.node([]string{p.typ.TopLevelKey}, v, true)
		checkType(p, v)
	}
}

// node validates one object below the top of the document and records its
// operators. top is true for the value of the top-level key, a container
// that takes no value-setting operator itself.
func (p *parser) node(path []string, v any, top bool) {
	obj, ok := v.(*object)
	if !ok {
		p.report(path, "must be a JSON object; a setting's value goes in an inheritance operator, e.g. {\"@@assign\": ...}")
		return
	}
	if len(obj.keys) == 0 {
		p.report(path, "is an empty object: give it a setting or remove it")
		return
	}
	var valueOps, children []string
	for _, k := range obj.keys {
		val := obj.vals[k]
		switch {
		case k == OpChildOps:
			p.childOps(path, val)
		case k == OpAssign || k == OpAppend || k == OpRemove:
			if top {
				p.report(path, "%s cannot sit directly under %q; put it in a setting below it", k, p.typ.TopLevelKey)
				continue
			}
			valueOps = append(valueOps, k)
			p.valueOp(path, k, val)
		case strings.HasPrefix(k, "@@"):
			p.report(path, "unknown operator %q: use %s, %s, %s or %s", k, OpAssign, OpAppend, OpRemove, OpChildOps)
		case k == "":
			p.report(path, "has an empty key")
		default:
			children = append(children, k)
		}
	}
	if len(valueOps) > 1 {
		p.report(path, "has %s: a setting takes one value-setting operator", strings.Join(valueOps, " and "))
	}
	if len(valueOps) > 0 && len(children) > 0 {
		p.report(path, "mixes %s with the keys %s: a setting holds only its operators; move those keys beside it", valueOps[0], quoteAll(children))
	}
	for _, k := range children {
		p.node(append(append([]string(nil), path...), k), obj.vals[k], false)
	}
}

func (p *parser) valueOp(path []string, op string, v any) {
	if s, ok := v.(string); ok && op == OpAssign {
		p.add(path, op, s)
		return
	}
	if l, ok := stringList(v); ok {
		p.add(path, op, l)
		return
	}
	if op == OpAssign {
		p.report(path, "%s must be a string or a list of strings", op)
		return
	}
	p.report(path, "%s must be a list of strings (it applies only to multi-valued settings)", op)
}

func (p *parser) childOps(path []string, v any) {
	l, ok := stringList(v)
	if !ok || len(l) == 0 {
		p.report(path, "%s must be a list: [\"@@all\"], [\"@@none\"], or some of \"@@assign\", \"@@append\", \"@@remove\"", OpChildOps)
		return
	}
	for _, op := range l {
		switch op {
		case ChildOpsAll, ChildOpNone:
			if len(l) > 1 {
				p.report(path, "%s: %s must stand alone in the list", OpChildOps, op)
				return
			}
		case OpAssign, OpAppend, OpRemove:
		default:
			p.report(path, "%s: unknown operator %q: use @@all, @@none, @@assign, @@append or @@remove", OpChildOps, op)
			return
		}
	}
	p.add(path, OpChildOps, l)
}

func (p *parser) add(path []string, op string, v any) {
	p.settings = append(p.settings, Setting{Path: append([]string(nil), path...), Op: op, Value: v})
}

func quoteAll(keys []string) string {
	q := make([]string, len(keys))
	for i, k := range keys {
		q[i] = fmt.Sprintf("%q", k)
	}
	return strings.Join(q, ", ")
}
