package iampolicy

import "strings"

// cstmt is a compiled statement.
type cstmt struct {
	st   *Statement
	deny bool

	notAction bool
	actions   []glob

	anyResource bool // no Resource/NotResource (trust policies)
	notResource bool
	resources   []glob
	// resourceVars holds, at the index of each resource pattern that has
	// policy variables (${aws:username}), its template; such patterns
	// are expanded and compiled per request. nil when none has variables.
	resourceVars []*template

	principal    *cprincipal // nil: principal not evaluated
	notPrincipal bool

	conds []ccond
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
	for i, r := range resources {
		cs.resources[i] = compileGlob(r, false, true)
		if vars && strings.Contains(r, "${") {
			if cs.resourceVars == nil {
				cs.resourceVars = make([]*template, len(resources))
			}
			cs.resourceVars[i] = compileTemplate(r)
		}
	}

	if kind == KindTrust || kind == KindResource {
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

// matches reports whether the statement applies to the request (ignoring its
// Effect). Cheap checks come first.
func (cs *cstmt) matches(req *Request) bool {
	hit := false
	for i := range cs.actions {
		if cs.actions[i].match(req.Action) {
			hit = true
			break
		}
	}
	if hit == cs.notAction {
		return false
	}
	if !cs.anyResource {
		res := req.Resource
		if res == "" {
			res = "*"
		}
		hit = false
		for i := range cs.resources {
			if cs.resourceVars != nil && cs.resourceVars[i] != nil {
				expanded, ok := cs.resourceVars[i].pattern(req.Context)
				if !ok {
					continue
				}
				g := compileGlob(expanded, false, true)
				if g.match(res) {
					hit = true
					break
				}
				continue
			}
			if cs.resources[i].match(res) {
				hit = true
				break
			}
		}
		if hit == cs.notResource {
			return false
		}
	}
	if cs.principal != nil && cs.principal.match(&req.Principal) == cs.notPrincipal {
		return false
	}
	for i := range cs.conds {
		if !cs.conds[i].eval(req.Context) {
			return false
		}
	}
	return true
}

func (p *Policy) compiledStatements() []cstmt {
	if len(p.compiled) == len(p.Statements) {
		return p.compiled
	}
	// Built by hand, or Statements changed after Parse: compile afresh.
	return compileStatements(p.Statements, p.Kind, p.Version == variablesVersion)
}

// Evaluate evaluates one policy.
func (p *Policy) Evaluate(req *Request) Result {
	if p == nil || req == nil {
		return Result{}
	}
	stmts := p.compiledStatements()
	var allow *Statement
	for i := range stmts {
		cs := &stmts[i]
		if !cs.deny && allow != nil {
			continue // an Allow is already known; only a Deny can change the result
		}
		if !cs.matches(req) {
			continue
		}
		if cs.deny {
			return Result{Decision: ExplicitDeny, Policy: p, Statement: cs.st}
		}
		allow = cs.st
	}
	if allow != nil {
		return Result{Decision: Allow, Policy: p, Statement: allow}
	}
	return Result{}
}

// EvaluateSet evaluates several policies as one layer (e.g. the identity policies of a role, or the SCPs
// attached at one level): any matching Deny wins, else any matching Allow, else ImplicitDeny.
// The deciding statement is the first matching Deny in policy order, else the first matching Allow.
// Nil policies are skipped.
func EvaluateSet(ps []*Policy, req *Request) Result {
	var allow Result
	for _, p := range ps {
		if p == nil {
			continue
		}
		r := p.Evaluate(req)
		switch r.Decision {
		case ExplicitDeny:
			return r
		case Allow:
			if allow.Decision != Allow {
				allow = r
			}
		}
	}
	return allow
}
