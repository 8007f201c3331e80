package iampolicy

import (
	"slices"
	"strings"
)

// cstmt is a compiled statement.
type cstmt struct {
	st   *Statement
	deny bool

	notAction bool
	actions   []glob

	anyResource bool // no Resource/NotResource (trust policies)
	notResource bool
	resources   []glob
	resourceSrc []string // the patterns as written, for ResourceUnknown
	// resourceVars holds, at the index of each resource pattern that has
	// policy variables (${aws:username}), its template; such patterns
	// are expanded and compiled per request. nil when none has variables.
	resourceVars []*template

	principal    *cprincipal // nil: principal not evaluated
	notPrincipal bool

	conds []ccond
	// keys are the condition keys as written, each once (Result.Keys);
	// nil when the statement has no Condition.
	keys []string
}

// cprincipal is a compiled PrincipalSet.
type cprincipal struct {
	wildcard  bool
	accounts  []string // 12-digit IDs, from "ACCT" and "arn:...:iam::ACCT:root"
	arns      []string // user, role, assumed-role and federated-user ARNs
	services  []string
	federated []string
	canonical []string
}

// variablesVersion is the policy language version that introduced policy
// variables: "If you don't include the Version element and set it to an
// appropriate version date, variables like ${aws:username} are treated as
// literal strings in the policy" (IAM user guide, "IAM policy elements:
// Variables and tags").
const variablesVersion = "2012-10-17"

// compileStatements compiles a policy's statements; vars says whether the
// policy's Version lets ${...} be policy variables.
func compileStatements(sts []*Statement, kind Kind, vars bool) []cstmt {
	out := make([]cstmt, len(sts))
	for i, st := range sts {
		out[i] = compileStatement(st, kind, vars)
	}
	return out
}

func compileStatement(st *Statement, kind Kind, vars bool) cstmt {
	cs := cstmt{st: st, deny: st.Effect == EffectDeny}

	actions := st.Action
	if st.NotAction != nil && st.Action == nil {
		actions, cs.notAction = st.NotAction, true
	}
	// "The prefix and the action name are case insensitive. For example,
	// iam:ListAccessKeys is the same as IAM:listaccesskeys" (IAM user
	// guide, "IAM JSON policy elements: Action"): actions fold case.
	cs.actions = make([]glob, len(actions))
	for i, a := range actions {
		cs.actions[i] = compileGlob(a, true, false)
	}

	resources := st.Resource
	switch {
	case st.Resource == nil && st.NotResource == nil:
		cs.anyResource = true
	case st.Resource == nil:
		resources, cs.notResource = st.NotResource, true
	}
	cs.resources = make([]glob, len(resources))
	cs.resourceSrc = resources
	for i, r := range resources {
		cs.resources[i] = compileGlob(r, false, true)
		if vars && strings.Contains(r, "${") {
			if cs.resourceVars == nil {
				cs.resourceVars = make([]*template, len(resources))
			}
			cs.resourceVars[i] = compileTemplate(r)
		}
	}

	if kind == KindTrust || kind == KindResource || kind.rcp() {
		switch {
		case st.Principal != nil:
			cs.principal = compilePrincipal(st.Principal)
		case st.NotPrincipal != nil:
			cs.principal, cs.notPrincipal = compilePrincipal(st.NotPrincipal), true
		}
	}

	cs.conds = make([]ccond, len(st.Condition))
	for i, c := range st.Condition {
		cs.conds[i] = compileCondition(c, vars)
		if !slices.Contains(cs.keys, c.Key) {
			cs.keys = append(cs.keys, c.Key)
		}
	}
	return cs
}

func compilePrincipal(ps *PrincipalSet) *cprincipal {
	cp := &cprincipal{
		wildcard:  ps.Wildcard,
		services:  ps.Service,
		federated: ps.Federated,
		canonical: ps.CanonicalUser,
	}
	for _, a := range ps.AWS {
		switch {
		case a == "*":
			cp.wildcard = true
		case isAccountID(a):
			cp.accounts = append(cp.accounts, a)
		case strings.HasPrefix(a, "arn:") && arnField(a, 5) == "root":
			cp.accounts = append(cp.accounts, arnAccount(a))
		default:
			cp.arns = append(cp.arns, a)
		}
	}
	return cp
}

// arnField returns the part of a colon-separated ARN after its first n
// colons ("" if there are fewer); for n == 5 that is the resource field.
// It does not allocate.
func arnField(s string, n int) string {
	for ; n > 0; n-- {
		i := strings.IndexByte(s, ':')
		if i < 0 {
			return ""
		}
		s = s[i+1:]
	}
	return s
}

// arnAccount returns the account field of an ARN ("" if none).
func arnAccount(s string) string {
	f := arnField(s, 4)
	if i := strings.IndexByte(f, ':'); i >= 0 {
		return f[:i]
	}
	return ""
}

// account is the principal's account: Account, else the account of its
// ARN or RoleARN.
func (p *Principal) account() string {
	if p.Account != "" {
		return p.Account
	}
	if a := arnAccount(p.ARN); a != "" {
		return a
	}
	return arnAccount(p.RoleARN)
}

func (cp *cprincipal) match(p *Principal) bool {
	if cp.wildcard {
		return true
	}
	if p.Service != "" {
		for _, s := range cp.services {
			if strings.EqualFold(s, p.Service) {
				return true
			}
		}
	} else if len(cp.accounts) > 0 || len(cp.arns) > 0 {
		if acct := p.account(); acct != "" && !p.NamedOnly {
			for _, a := range cp.accounts {
				if a == acct {
					return true
				}
			}
		}
		for _, a := range cp.arns {
			// IAM user and role names are case-insensitive.
			if (p.ARN != "" && strings.EqualFold(a, p.ARN)) || (p.RoleARN != "" && strings.EqualFold(a, p.RoleARN)) {
				return true
			}
		}
	}
	if p.Federated != "" {
		for _, f := range cp.federated {
			if strings.EqualFold(f, p.Federated) {
				return true
			}
		}
	}
	if p.CanonicalUser != "" {
		for _, c := range cp.canonical {
			if c == p.CanonicalUser {
				return true
			}
		}
	}
	return false
}

// matches reports whether the statement applies to the request (ignoring
// its Effect): true, false, or unknown when only keys of req.Unknown stand
// between it and a match; key is then the first such key, as written in
// the policy. A pair known to be false outweighs any unknown one. Cheap
// checks come first.
func (cs *cstmt) matches(req *Request) (t tri, key string) {
	hit := false
	for i := range cs.actions {
		if cs.actions[i].match(req.Action) {
			hit = true
			break
		}
	}
	if hit == cs.notAction {
		return triFalse, ""
	}
	t = triTrue
	if !cs.anyResource {
		res := req.Resource
		if res == "" {
			res = "*"
		}
		if cs.resourceVars != nil {
			t, key = cs.matchResourceVars(res, req)
		} else if req.ResourceUnknown {
			t, key = cs.matchResourceUnknown(res)
		} else {
			hit = false
			for i := range cs.resources {
				if cs.resources[i].match(res) {
					hit = true
					break
				}
			}
			t = triOf(hit != cs.notResource)
		}
		if t == triFalse {
			return triFalse, ""
		}
	}
	if cs.principal != nil && cs.principal.match(&req.Principal) == cs.notPrincipal {
		return triFalse, ""
	}
	for i := range cs.conds {
		switch ct, k := cs.conds[i].eval(req, cs.deny); ct {
		case triFalse:
			return triFalse, ""
		case triUnknown:
			if t != triUnknown {
				t, key = triUnknown, k
			}
		}
	}
	return t, key
}

// matchResourceVars matches the Resource or NotResource element when some
// pattern has policy variables. A pattern whose variable names an unknown
// key is unknown; another pattern matching still decides.
func (cs *cstmt) matchResourceVars(res string, req *Request) (tri, string) {
	hit, key := triFalse, ""
	for i := range cs.resources {
		if t := cs.resourceVars[i]; t != nil {
			if k := t.unknownVar(req); k != "" {
				if hit == triFalse {
					hit, key = triUnknown, k
				}
				continue
			}
			if t.match(res, req.Context, true) {
				hit = triTrue
				break
			}
			continue
		}
		if cs.resources[i].match(res) {
			hit = triTrue
			break
		}
	}
	if hit == triUnknown {
		return hit, key
	}
	return hit.not(cs.notResource), ""
}

func (p *Policy) compiledStatements() []cstmt {
	if len(p.compiled) == len(p.Statements) {
		return p.compiled
	}
	// Built by hand, or Statements changed after Parse: compile afresh.
	return compileStatements(p.Statements, p.Kind, p.Version == variablesVersion)
}

// outcome is what evaluating policies found: the deciding statements (a
// matching Deny, else the first matching Allow) and the first Deny and the
// first Allow left undecided by unknown keys.
type outcome struct {
	deny, allow   *cstmt
	udeny, uallow pending
}

// pending is a statement left undecided by an unknown key.
type pending struct {
	policy *Policy
	cs     *cstmt // nil: none
	key    string // the unknown key, as written in the policy
}

// evaluate evaluates p's statements in document order into o. It stops at
// the first matching Deny, and once an Allow matched it evaluates only Deny
// statements: nothing else can change the decision or make it undecided.
// It keeps what o already holds from earlier policies of a set: their
// Allow (so that only Deny statements are evaluated) and their undecided
// statements.
func (p *Policy) evaluate(req *Request, o *outcome) {
	stmts := p.compiledStatements()
	for i := range stmts {
		cs := &stmts[i]
		if !cs.deny && o.allow != nil {
			continue
		}
		t, key := cs.matches(req)
		switch {
		case t == triTrue && cs.deny:
			o.deny = cs
			return
		case t == triTrue:
			o.allow = cs
		case t == triUnknown && cs.deny && o.udeny.cs == nil:
			o.udeny = pending{p, cs, key}
		case t == triUnknown && !cs.deny && o.uallow.cs == nil:
			o.uallow = pending{p, cs, key}
		}
	}
}

// decide sets r's decision to d, made by statement cs of p.
func (r *Result) decide(d Decision, p *Policy, cs *cstmt) {
	r.Decision, r.Policy, r.Statement, r.Keys = d, p, cs.st, cs.keys
}

// undecided marks r Undecided when the undecided Deny d could turn it into
// an explicit deny, or the undecided Allow a could turn its implicit deny
// into an Allow.
func (r *Result) undecided(d, a *pending) {
	var u *pending
	switch {
	case d.cs != nil && r.Decision != ExplicitDeny:
		u = d
	case a.cs != nil && r.Decision == ImplicitDeny:
		u = a
	default:
		return
	}
	r.Undecided, r.UndecidedPolicy, r.UndecidedStatement, r.UnknownKey = true, u.policy, u.cs.st, u.key
}

// Evaluate evaluates one policy.
func (p *Policy) Evaluate(req *Request) (r Result) {
	if p == nil || req == nil {
		return r
	}
	var o outcome
	p.evaluate(req, &o)
	switch {
	case o.deny != nil:
		r.decide(ExplicitDeny, p, o.deny)
		return r
	case o.allow != nil:
		r.decide(Allow, p, o.allow)
	}
	if o.udeny.cs != nil || o.uallow.cs != nil {
		r.undecided(&o.udeny, &o.uallow)
	}
	return r
}

// EvaluateSet evaluates several policies as one layer (e.g. the identity policies of a role, or the SCPs
// attached at one level): any matching Deny wins, else any matching Allow, else ImplicitDeny.
// The deciding statement is the first matching Deny in policy order, else the first matching Allow.
// Undecided and its fields are computed over the whole set (UndecidedPolicy names the policy).
// Nil policies are skipped.
func EvaluateSet(ps []*Policy, req *Request) (r Result) {
	if req == nil {
		return r
	}
	var o outcome
	for _, p := range ps {
		if p == nil {
			continue
		}
		p.evaluate(req, &o) // once o.allow is set, later policies' Allows are skipped too
		if o.deny != nil {
			r = Result{}
			r.decide(ExplicitDeny, p, o.deny)
			return r
		}
		if o.allow != nil && r.Decision != Allow {
			r.decide(Allow, p, o.allow)
		}
	}
	if o.udeny.cs != nil || o.uallow.cs != nil {
		r.undecided(&o.udeny, &o.uallow)
	}
	return r
}
