package iampolicy

import "strings"

// expandVariables replaces the policy variables of a Resource pattern with
// their values from the request context, as IAM does: ${aws:username} is
// the key's first value; ${key, 'default'} falls back to the default when
// the key is absent; ${$} is a literal $. ok is false when a variable's key
// is absent and has no default: the pattern then matches nothing (IAM's
// rule). A substituted value is literal in IAM; the compiled glob cannot
// hold a literal * or ?, so a value containing one (and the ${*} and ${?}
// escapes) makes the pattern match nothing, which is never more permissive
// than IAM and cannot arise for IAM user or role names.
func expandVariables(pattern string, ctx map[string][]string) (string, bool) {
	var b strings.Builder
	for {
		i := strings.Index(pattern, "${")
		if i < 0 {
			b.WriteString(pattern)
			return b.String(), true
		}
		j := strings.IndexByte(pattern[i:], '}')
		if j < 0 {
			b.WriteString(pattern)
			return b.String(), true
		}
		b.WriteString(pattern[:i])
		inner := strings.TrimSpace(pattern[i+2 : i+j])
		pattern = pattern[i+j+1:]
		switch inner {
		case "*", "?", "$":
			if inner != "$" {
				// A literal wildcard character cannot be expressed in
				// the compiled glob; no IAM resource name contains one.
				return "", false
			}
			b.WriteString(inner)
			continue
		}
		key, def, hasDef := strings.Cut(inner, ",")
		key = strings.ToLower(strings.TrimSpace(key))
		if vs := ctx[key]; len(vs) > 0 {
			if strings.ContainsAny(vs[0], "*?") {
				return "", false
			}
			b.WriteString(vs[0])
			continue
		}
		if !hasDef {
			return "", false
		}
		def = strings.TrimSpace(def)
		b.WriteString(strings.Trim(def, "'"))
	}
}
