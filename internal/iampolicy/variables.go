package iampolicy

import "strings"

// Policy variables (IAM user guide, "IAM policy elements: Variables and
// tags"): ${key} in a Resource or NotResource pattern, and in the values of
// the string and ARN condition operators, stands for the request context's
// value of key; ${key, 'default'} falls back to the default when the key is
// absent; ${*}, ${?} and ${$} are the literal characters. Only policies of
// Version 2012-10-17 have variables; in others ${...} is literal text.
//
// A value is split into a template once, when the policy is compiled, so
// that comparing a request value with it (StringEquals and the like)
// allocates nothing; only patterns (Resource, StringLike, Arn*) are
// expanded and compiled per request.
//
// A variable whose key is absent (or multivalued) and has no default
// resolves to nothing: the value holding it matches no request value. The
// same page: "When you use a variable with no value in the condition
// element of an IAM policy, ... condition operators like StringEquals or
// StringLike do not match, and the policy statement does not take effect.
// Inverted condition operators like StringNotEquals or StringNotLike do
// match against a null value". A Resource pattern holding it matches no
// resource and a NotResource pattern excludes none, by the same rule.
//
// A variable whose key is in Request.Unknown makes its value (or pattern)
// unknown instead (unknown.go); the other values of the same condition,
// and the other patterns of the same Resource, can still decide.

// template is a value with policy variables, split into its parts.
type template struct {
	parts []tpart
}

// tpart is literal text or one variable.
type tpart struct {
	lit    string // literal text ("" for a variable)
	escape bool   // lit came from ${*}, ${?} or ${$}: the character itself, never a wildcard
	isVar  bool
	key    string // lower-cased context key
	name   string // the key as written, for reporting it
	def    string // the default, when hasDef
	hasDef bool
}

// compileTemplate splits s at its variables. An unterminated "${" is
// literal text.
func compileTemplate(s string) *template {
	t := &template{}
	for {
		i := strings.Index(s, "${")
		if i < 0 {
			break
		}
		j := strings.IndexByte(s[i:], '}')
		if j < 0 {
			break
		}
		if i > 0 {
			t.parts = append(t.parts, tpart{lit: s[:i]})
		}
		inner := strings.TrimSpace(s[i+2 : i+j])
		s = s[i+j+1:]
		switch inner {
		case "*", "?", "$":
			t.parts = append(t.parts, tpart{lit: inner, escape: true})
			continue
		}
		key, def, hasDef := strings.Cut(inner, ",")
		name := strings.TrimSpace(key)
		p := tpart{isVar: true, key: strings.ToLower(name), name: name, hasDef: hasDef}
		if hasDef {
			p.def = strings.Trim(strings.TrimSpace(def), "'")
		}
		t.parts = append(t.parts, p)
	}
	if s != "" {
		t.parts = append(t.parts, tpart{lit: s})
	}
	return t
}

// value resolves part p: its literal text, the context value of its key,
// or its default. ok is false when the key has no single value and there
// is no default. A key with several values does not resolve: "You can use
// any single-valued condition key as a variable. You can't use a
// multivalued condition key as a variable" (IAM user guide, "IAM policy
// elements: Variables and tags").
func (p *tpart) value(ctx map[string][]string) (string, bool) {
	if !p.isVar {
		return p.lit, true
	}
	if vs := ctx[p.key]; len(vs) == 1 {
		return vs[0], true
	}
	return p.def, p.hasDef
}

// equal reports whether v equals the template expanded from ctx (ASCII
// case-insensitively with fold). It does not allocate.
func (t *template) equal(v string, ctx map[string][]string, fold bool) bool {
	for i := range t.parts {
		val, ok := t.parts[i].value(ctx)
		if !ok || len(v) < len(val) {
			return false
		}
		head := v[:len(val)]
		if head != val && !(fold && strings.EqualFold(head, val)) {
			return false
		}
		v = v[len(val):]
	}
	return v == ""
}

// pattern expands the template from ctx for use as a wildcard pattern.
// A substituted value is literal in IAM, but the compiled glob cannot hold
// a literal * or ?: a value containing one (and the ${*} and ${?}
// escapes) makes the pattern match nothing, which is never more
// permissive than IAM for a positive match and cannot arise for IAM user
// or role names. ok is false when the pattern matches nothing.
func (t *template) pattern(ctx map[string][]string) (string, bool) {
	var b strings.Builder
	for i := range t.parts {
		p := &t.parts[i]
		if !p.isVar {
			if p.escape && p.lit != "$" {
				return "", false // a literal * or ? (${*}, ${?})
			}
			b.WriteString(p.lit)
			continue
		}
		val, ok := p.value(ctx)
		if !ok || strings.ContainsAny(val, "*?") {
			return "", false
		}
		b.WriteString(val)
	}
	return b.String(), true
}

// match reports whether s matches the template expanded from ctx as a
// wildcard pattern (with arn, under the Resource element's ARN rule).
func (t *template) match(s string, ctx map[string][]string, arn bool) bool {
	expanded, ok := t.pattern(ctx)
	if !ok {
		return false
	}
	g := compileGlob(expanded, false, arn)
	return g.match(s)
}
