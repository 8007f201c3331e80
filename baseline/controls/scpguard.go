package controls

import (
	"errors"
	"fmt"
	"slices"
	"time"

	"github.com/orgbaseline/orgbaseline/internal/iampolicy"
	"github.com/orgbaseline/orgbaseline/orgwalk"
)

// The lockout guard: before a plan (and again before each SCP write) it
// evaluates the SCPs that would be in force against every call of the
// call model (calls.go), in every account and region the call is made in,
// with the request context AWS would build for it (guardcontext.go).
// Every level from the root down to the account must allow the call and
// none deny it; a Deny whose outcome depends on a key the guard cannot
// know refuses too, until the baseline states the key's value
// (organization.guardContext). A plugin's declared call that would be
// denied is a warning.
//
// The accounts are every account the baseline's targets select (--target
// narrows what a run plans, never what is guarded: SCPs apply to the
// whole organization) and the accounts the organization-scope controls
// work in (the log archive, the audit account, a delegated
// administrator), targeted or not. The management account is never
// restricted by SCPs, and sts:AssumeRole into a member account is the
// management account's call, so neither is guarded.

// guard runs the lockout guard on the plan: the attachments final, the
// declared policies evaluated with the baseline's documents (what the plan
// will write). guardAfter does the same at apply time with the documents
// in force.

// lockoutGuard is the guard over the attachments final, each policy
// evaluated with its document in over when it is there, else with the
// one observed in st. A policy in force whose document cannot be
// evaluated (not read, or not valid) fails it. after names the state
// checked in the error ("this plan"); warn (may be nil) takes the
// warnings about plugins.
func (c *OrganizationPolicies) scpLockoutGuard(org *Org, st *policyState, final policyAttachments, over map[string]*iampolicy.Policy, after string, warn func(string)) error {
	parsed, err := policiesInForce(st, final, over)
	if err != nil {
		return err
	}
	run := c.newGuardRun(org, st, final, parsed)
	refusals, warnings := run.check()
	if warn != nil {
		for _, w := range warnings {
			warn(w.String())
		}
	}
	if len(refusals) == 0 {
		return nil
	}
	return &LockoutError{Role: org.ExecutionRole, After: after, Refusals: refusals}
}

// policiesInForce are the documents to evaluate, by policy name: over's,
// else the observed ones; FullAWSAccess's is known. A policy in force that
// cannot be evaluated is an error.
func policiesInForce(st *policyState, final policyAttachments, over map[string]*iampolicy.Policy) (map[string]*iampolicy.Policy, error) {
	inForce := map[string]bool{}
	for _, ps := range final {
		for n := range ps {
			inForce[n] = true
		}
	}
	parsed := map[string]*iampolicy.Policy{}
	var errs []error
	for _, o := range st.Policies {
		switch {
		case over[o.Name] != nil:
		case o.parsed != nil:
			parsed[o.Name] = o.parsed
		case !inForce[o.Name]:
		case o.parseErr != nil:
			errs = append(errs, fmt.Errorf("%s %q (%s) cannot be evaluated by the lockout guard: %s", st.kind.Short, o.Name, o.ID, scpPolicyProblems(o.parseErr)))
		case o.Name != st.kind.AWSDefault:
			errs = append(errs, fmt.Errorf("%s %q (%s) cannot be evaluated by the lockout guard: its document was not read", st.kind.Short, o.Name, o.ID))
		}
	}
	if parsed[st.kind.AWSDefault] == nil {
		p, err := st.kind.parseAWS(st.kind.DefaultContent)
		if err != nil {
			return nil, fmt.Errorf("%s: the document of %s as orgbaseline knows it does not parse: %w", st.kind.Short, st.kind.AWSDefault, err)
		}
		parsed[st.kind.AWSDefault] = p
	}
	for n, p := range over {
		parsed[n] = p
	}
	if len(errs) > 0 {
		return nil, errors.Join(errs...)
	}
	return parsed, nil
}

// guardRun is one evaluation of the guard.
type guardRun struct {
	c       *OrganizationPolicies
	org     *Org
	final   policyAttachments
	parsed  map[string]*iampolicy.Policy
	nameOf  map[*iampolicy.Policy]string
	atLevel map[string][]*iampolicy.Policy
	reqs    *guardRequests
	found   *guardFindings
}

func (c *OrganizationPolicies) newGuardRun(org *Org, st *policyState, final policyAttachments, parsed map[string]*iampolicy.Policy) *guardRun {
	r := &guardRun{c: c, org: org, final: final, parsed: parsed, nameOf: map[*iampolicy.Policy]string{}, atLevel: map[string][]*iampolicy.Policy{}, found: &guardFindings{}}
	var all []*iampolicy.Policy
	for n, p := range parsed {
		r.nameOf[p] = n
		all = append(all, p)
	}
	now := st.At
	if now.IsZero() {
		now = time.Now()
	}
	r.reqs = &guardRequests{
		org: org, role: org.ExecutionRole, session: "orgbaseline-" + org.RunID, runID: org.RunID, now: now,
		stated: c.stated, roles: c.roleFacts(), named: namedKeys(all),
	}
	return r
}

// policiesAt are the policies attached at level after the plan.
func (r *guardRun) policiesAt(level string) []*iampolicy.Policy {
	if ps, ok := r.atLevel[level]; ok {
		return ps
	}
	var ps []*iampolicy.Policy
	for _, n := range r.final.names(level) {
		if p := r.parsed[n]; p != nil {
			ps = append(ps, p)
		}
	}
	r.atLevel[level] = ps
	return ps
}

// check evaluates every call in every account and region it is made in.
func (r *guardRun) check() (refusals, warnings []*GuardRefusal) {
	calls := r.c.calls(r.org)
	if r.reqs.roles != nil {
		// The guard read the execution role in each account (guardroles.go).
		calls = append(calls, Call{Control: r.c.Name(), Action: "iam:GetRole", Resource: r.org.ARN("iam", "", "{account}", "role/"+r.org.ExecutionRole), Regions: InGlobalRegion})
	}
	each := guardedAccounts(r.org)
	for _, call := range calls {
		for _, a := range r.accountsOf(call, each) {
			for _, region := range r.regionsOf(call) {
				r.decide(a, region, call)
			}
		}
	}
	for _, f := range r.found.list {
		if f.Plugin != "" {
			warnings = append(warnings, f)
		} else {
			refusals = append(refusals, f)
		}
	}
	return refusals, warnings
}

// guardedAccounts are the member accounts the baseline's targets select,
// whatever --target narrowed (Org.Guarded; Org.Targets when not set).
func guardedAccounts(org *Org) []*orgwalk.Account {
	as := org.Guarded
	if as == nil {
		as = org.Targets
	}
	return slices.DeleteFunc(slices.Clone(as), func(a *orgwalk.Account) bool { return a.Management })
}

// accountsOf are the member accounts call is made in.
func (r *guardRun) accountsOf(call Call, each []*orgwalk.Account) []*orgwalk.Account {
	if call.Where == InEachAccount {
		if len(call.Except) == 0 {
			return each
		}
		return slices.DeleteFunc(slices.Clone(each), func(a *orgwalk.Account) bool { return slices.Contains(call.Except, a.ID) })
	}
	if r.org.Org == nil {
		return nil
	}
	a := r.org.Account(call.Account)
	if a == nil || a.Management || a.ID == r.org.ManagementAccountID {
		return nil
	}
	return []*orgwalk.Account{a}
}

// regionsOf are the regions call is made in.
func (r *guardRun) regionsOf(call Call) []string {
	switch {
	case call.Regions == InGlobalRegion:
		return []string{r.org.GlobalRegion()}
	case call.Regions == InHomeRegion || len(r.org.Regions) == 0:
		return []string{r.org.HomeRegion}
	}
	return r.org.Regions
}

// decide evaluates call in a and region at every level from the root
// down to the account, and records what denies it: the first explicit or
// implicit deny, else the first level whose decision depends on a key the
// guard cannot know.
func (r *guardRun) decide(a *orgwalk.Account, region string, call Call) {
	req, done := r.reqs.request(a, region, call)
	defer done()
	var undecided *GuardRefusal
	for _, level := range append(slices.Clone(a.Ancestors), a.ID) {
		res := iampolicy.EvaluateSet(r.policiesAt(level), req)
		switch {
		case res.Decision == iampolicy.ExplicitDeny:
			r.found.add(r.refusal(GuardDenied, a, level, req, call, res.Policy, res.Statement, res.Keys))
			return
		case res.Undecided && undecided == nil:
			undecided = r.refusal(GuardUnknown, a, level, req, call, res.UndecidedPolicy, res.UndecidedStatement, []string{res.UnknownKey})
		case res.Decision == iampolicy.ImplicitDeny && !res.Undecided:
			r.found.add(r.refusal(GuardNotAllowed, a, level, req, call, nil, nil, nil))
			return
		}
	}
	if undecided != nil {
		r.found.add(undecided)
	}
}

// refusal describes one denied call.
func (r *guardRun) refusal(kind GuardKind, a *orgwalk.Account, level string, req *iampolicy.Request, call Call, p *iampolicy.Policy, s *iampolicy.Statement, keys []string) *GuardRefusal {
	f := &GuardRefusal{
		Kind: kind, Level: scpTargetLabel(r.org, level), Action: call.Action, Resource: req.Resource,
		resourceModel: call.Resource, Region: firstOf(req.Context["aws:requestedregion"]),
		Account: scpAccountLabel(r.org, a.ID), Plugin: call.Plugin, AsRoot: call.AsRoot, Keys: keys, Role: r.org.ExecutionRole,
		ARNPrefix: r.org.ARN("iam", "", "*", "role/"),
	}
	f.Places = []GuardPlace{{AccountID: a.ID, Region: f.Region, Resource: req.Resource}}
	if kind == GuardNotAllowed {
		f.Attached = r.final.names(level)
	}
	if p != nil {
		f.Policy = r.nameOf[p]
		f.Unmanaged = r.c.declared(f.Policy) == nil
	}
	if s != nil {
		f.Statement = scpStatementName(s)
	}
	return f
}

func firstOf(vs []string) string {
	if len(vs) == 0 {
		return ""
	}
	return vs[0]
}
