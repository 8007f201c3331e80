package iampolicy

import "strings"

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

// ResourceKey is Result.UnknownKey when what is unknown is the part of the
// request's resource that Request.ResourceUnknown marks.
const ResourceKey = "Resource"

// Probes stand for the unknown text of a resource: a pattern that matches
// the resource with every "*" replaced by each of them covers (as far as
// a pattern can tell) every text there.
var resourceProbes = [...]string{"", "\x01-\x02_\x03"}

// matchResourceUnknown matches the Resource or NotResource element
// against a resource whose "*" are unknown text: true when some pattern
// covers every text (it matches each probe), unknown when none does but
// some pattern could match some text (the two globs overlap), else false;
// NotResource negates the known outcomes.
func (cs *cstmt) matchResourceUnknown(res string) (tri, string) {
	hit := triFalse
	for i := range cs.resources {
		t := resourceUnknownMatch(&cs.resources[i], cs.resourceSrc[i], res)
		if t == triTrue {
			hit = triTrue
			break
		}
		if t == triUnknown {
			hit = triUnknown
		}
	}
	if hit == triUnknown {
		return hit, ResourceKey
	}
	return hit.not(cs.notResource), ""
}

// resourceUnknownMatch matches one pattern (g, compiled from src) against
// a resource whose "*" are unknown text: true when it covers every text,
// unknown when it could match some, else false.
func resourceUnknownMatch(g *glob, src, res string) tri {
	for _, probe := range resourceProbes {
		if !g.match(strings.ReplaceAll(res, "*", probe)) {
			if globsOverlap(src, res) {
				return triUnknown
			}
			return triFalse
		}
	}
	return triTrue
}

// globsOverlap reports whether some resource matches both the policy's
// pattern p ("*" any text, "?" one character) and the request's resource
// q, whose "*" is unknown text without ':' (an id AWS generates, with the
// name before it when the model does not know that either, sits in the
// resource part of the ARN: "configuration-recorder/default/a1b2"). It ignores the ARN rule
// that keeps some "*" of p and every "?" within a segment, so it may say
// they overlap where they do not: the stricter answer for the guard
// (unknown rather than no match).
func globsOverlap(p, q string) bool {
	memo := make([]int8, (len(p)+1)*(len(q)+1)) // 0 unknown, 1 yes, 2 no
	var ov func(i, j int) bool
	ov = func(i, j int) bool {
		m := &memo[i*(len(q)+1)+j]
		if *m != 0 {
			return *m == 1
		}
		var r bool
		switch {
		case i < len(p) && p[i] == '*':
			r = ov(i+1, j) || (j < len(q) && ov(i, j+1))
		case j < len(q) && q[j] == '*':
			r = ov(i, j+1) || (i < len(p) && p[i] != ':' && ov(i+1, j))
		case i == len(p) || j == len(q):
			r = i == len(p) && j == len(q)
		default:
			r = (p[i] == '?' || q[j] == '?' || p[i] == q[j]) && ov(i+1, j+1)
		}
		if r {
			*m = 1
		} else {
			*m = 2
		}
		return r
	}
	return ov(0, 0)
}
