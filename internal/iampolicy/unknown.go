package iampolicy

// Three-valued evaluation. A caller that cannot know some condition keys
// (the SCP lockout guard, before a call is made: aws:SourceIp,
// aws:SourceVpc, aws:ResourceTag/...) lists them in Request.Unknown. A
// condition (operator, key) pair over such a key, whatever its operator,
// is unknown rather than true or false; so is a policy value or Resource
// pattern whose policy variable names one. Unknowns combine as in Kleene's
// logic: a statement whose pairs include a known false does not match, one
// with no false but some unknown is undecided, and OR/AND over values and
// patterns let a known true (or false) decide where it can. With
// Request.Unknown nil nothing is ever unknown and evaluation is two-valued.

// tri is a truth value of the three-valued evaluation.
type tri uint8

const (
	triFalse tri = iota
	triTrue
	triUnknown
)

func triOf(b bool) tri {
	if b {
		return triTrue
	}
	return triFalse
}

// not negates t when neg is set.
func (t tri) not(neg bool) tri {
	if !neg || t == triUnknown {
		return t
	}
	return triTrue - t // triFalse <-> triTrue
}

func (t tri) or(u tri) tri {
	switch {
	case t == triTrue || u == triTrue:
		return triTrue
	case t == triUnknown || u == triUnknown:
		return triUnknown
	}
	return triFalse
}

func (t tri) and(u tri) tri {
	switch {
	case t == triFalse || u == triFalse:
		return triFalse
	case t == triUnknown || u == triUnknown:
		return triUnknown
	}
	return triTrue
}

// unknown reports whether the caller cannot know key (lower-case): it is
// listed in r.Unknown, itself or through a prefix entry ending in "/", and
// has no entry in r.Context. It looks up each "/"-terminated prefix of key
// rather than scanning Unknown.
func (r *Request) unknown(key string) bool {
	if r.Unknown == nil {
		return false
	}
	if _, known := r.Context[key]; known {
		return false
	}
	if r.Unknown[key] {
		return true
	}
	for i := 0; i < len(key); i++ {
		if key[i] == '/' && r.Unknown[key[:i+1]] {
			return true
		}
	}
	return false
}

// unknownVar returns the first variable of t whose key the caller cannot
// know, as written in the policy ("" when none, always when r.Unknown is
// nil).
func (t *template) unknownVar(r *Request) string {
	if r.Unknown == nil {
		return ""
	}
	for i := range t.parts {
		if p := &t.parts[i]; p.isVar && r.unknown(p.key) {
			return p.name
		}
	}
	return ""
}
