package controls

import (
	"slices"
	"strings"

	"github.com/orgbaseline/orgbaseline/internal/iampolicy"
	"github.com/orgbaseline/orgbaseline/orgwalk"
)

// The RCP lockout guard: before a plan (and again before each RCP write)
// it evaluates the RCPs that would be in force on the requests made to
// resources in member accounts that orgbaseline depends on:
//
//   - orgbaseline's own sts:AssumeRole of the execution role in every
//     member account it works in, from its identity in the management
//     account (rcpassume.go);
//   - the execution role's calls of the call model (calls.go) on
//     resources of the services RCPs apply to, with the request context
//     the SCP guard builds for them (guardcontext.go);
//   - the deliveries of the services orgbaseline configures, as their
//     service principals make them (delivery.go, rcpdelivery.go).
//
// How AWS applies RCPs (Organizations user guide, "Resource control
// policies (RCPs)"): to the resources of the services it lists
// (iampolicy.RCPService), authorized on the resource's ARN, "the RCPs of
// the resource owner's account are applied" (a request on "*" has no
// resource and no RCP applies); "RCPs don't affect resources in the
// management account"; they bind every principal, service principals
// included, but service-linked roles; "RCPs do not apply to AWS managed
// keys" of KMS. "Any resource in an account has only those permissions
// permitted by every parent above it": every level from the root down to
// the resource's account must allow the request (RCPFullAWSAccess does)
// and a Deny at any level denies. As in the SCP guard, a Deny whose
// outcome depends on a key the guard cannot know refuses too, naming it.

// rcpLockoutGuard is the RCP guard over the attachments final, each
// policy evaluated with its document in over when it is there, else with
// the one observed in st. after names the state checked in the error.
func (c *OrganizationPolicies) rcpLockoutGuard(org *Org, st *policyState, final policyAttachments, over map[string]*iampolicy.Policy, after string) error {
	parsed, err := policiesInForce(st, final, over)
	if err != nil {
		return err
	}
	run := &rcpRun{guardRun: c.newGuardRun(org, st, final, parsed)}
	run.check()
	if len(run.found.list) == 0 {
		return nil
	}
	return &LockoutError{Type: "RCP", Role: org.ExecutionRole, After: after, Refusals: run.found.list}
}

// rcpRun is one evaluation of the RCP guard: the SCP guard's run (the
// policies by level, the execution role's requests) with the RCPs.
type rcpRun struct {
	*guardRun
}

// check evaluates the three kinds of requests.
func (r *rcpRun) check() {
	r.checkAssumeRole()
	r.checkCalls()
	r.checkDeliveries()
}

// checkCalls evaluates the execution role's calls on resources RCPs
// apply to, against the RCPs of the resource's account.
func (r *rcpRun) checkCalls() {
	each := guardedAccounts(r.org)
	caller := &GuardCaller{Kind: CallerExecutionRole}
	for _, call := range r.c.calls(r.org) {
		if call.Plugin != "" || !rcpApplies(call.Action, call.Resource) {
			continue
		}
		for _, a := range r.accountsOf(call, each) {
			for _, region := range r.regionsOf(call) {
				req, done := r.reqs.request(a, region, call)
				if owner := r.rcpOwner(firstOf(req.Context["aws:resourceaccount"])); owner != nil {
					r.decideRCP(owner, req, call.Action, call.Resource, caller)
				}
				done()
			}
		}
	}
}

// rcpApplies reports whether RCPs can apply to action on resource: a
// service RCPs support, and a resource named by its ARN.
func rcpApplies(action, resource string) bool {
	svc, _, _ := strings.Cut(action, ":")
	return iampolicy.RCPService(svc) && strings.HasPrefix(resource, "arn:")
}

// rcpOwner is the member account whose RCPs apply to a resource owned by
// id: nil for the management account, an account outside the
// organization, or an owner not known.
func (r *rcpRun) rcpOwner(id string) *orgwalk.Account {
	if r.org.Org == nil || id == "" || id == "*" || id == r.org.ManagementAccountID {
		return nil
	}
	a := r.org.Account(id)
	if a == nil || a.Management {
		return nil
	}
	return a
}

// decideRCP evaluates req at every level from the root down to owner and
// records what denies it: the first explicit or implicit deny, else the
// first level whose decision depends on a key the guard cannot know.
// model is the resource as modelled, which groups the refusals.
func (r *rcpRun) decideRCP(owner *orgwalk.Account, req *iampolicy.Request, action, model string, caller *GuardCaller) {
	var undecided *GuardRefusal
	for _, level := range append(slices.Clone(owner.Ancestors), owner.ID) {
		res := iampolicy.EvaluateSet(r.policiesAt(level), req)
		switch {
		case res.Decision == iampolicy.ExplicitDeny:
			r.found.add(r.rcpRefusal(GuardDenied, owner, level, req, action, model, caller, res.Policy, res.Statement, res.Keys))
			return
		case res.Undecided && undecided == nil:
			undecided = r.rcpRefusal(GuardUnknown, owner, level, req, action, model, caller, res.UndecidedPolicy, res.UndecidedStatement, []string{res.UnknownKey})
		case res.Decision == iampolicy.ImplicitDeny && !res.Undecided:
			r.found.add(r.rcpRefusal(GuardNotAllowed, owner, level, req, action, model, caller, nil, nil, nil))
			return
		}
	}
	if undecided != nil {
		r.found.add(undecided)
	}
}

// rcpRefusal describes one denied request.
func (r *rcpRun) rcpRefusal(kind GuardKind, owner *orgwalk.Account, level string, req *iampolicy.Request, action, model string, caller *GuardCaller, p *iampolicy.Policy, s *iampolicy.Statement, keys []string) *GuardRefusal {
	call := Call{Action: action, Resource: model}
	f := r.refusal(kind, owner, level, req, call, p, s, keys)
	f.Type, f.Caller, f.OrgID = "RCP", caller, r.org.orgID()
	return f
}
