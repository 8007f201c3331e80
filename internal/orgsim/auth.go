package orgsim

import (
	"strings"

	"github.com/orgbaseline/orgbaseline/internal/iampolicy"
)

// authorize decides whether c.caller may perform action on resource, as AWS
// does for a principal in an organization:
//
//  1. SCPs, for every call made in a member account (never the management
//     account) once the SCP policy type is enabled on the root: the action
//     must be allowed at every level (root, each OU, the account) and denied
//     at none;
//  2. identity policies of the user or role (the root user has all);
//  3. session policies passed to AssumeRole, when there are any.
//
// An explicit Deny anywhere wins. Callers hold s.mu.
func (s *Sim) authorize(c *call, action, resource string) *apiError {
	return s.authorizeWith(c, action, resource, nil)
}

// authorizeWith is authorize with service-specific condition keys added to
// the request context (lower-case keys, e.g. "iam:passedtoservice").
// Callers hold s.mu.
func (s *Sim) authorizeWith(c *call, action, resource string, extra map[string][]string) *apiError {
	req := s.authRequest(c, action, resource)
	for k, v := range extra {
		req.Context[k] = v
	}
	p := c.caller

	if reason := s.scpDenial(p.account, req); reason != "" {
		return s.denied(c, action, resource, reason)
	}
	if reason := s.identityDenial(p, req); reason != "" {
		return s.denied(c, action, resource, reason)
	}
	if p.sessionPolicies != nil {
		r := iampolicy.EvaluateSet(p.sessionPolicies, req)
		switch r.Decision {
		case iampolicy.ExplicitDeny:
			return s.denied(c, action, resource, "with an explicit deny in a session policy")
		case iampolicy.ImplicitDeny:
			return s.denied(c, action, resource, "because no session policy allows the "+action+" action")
		}
	}
	return nil
}

// authorizePassRole checks that the caller may hand roleARN to service, as
// AWS does whenever a customer role is passed to a service (Config's
// recorder and aggregator roles, CloudTrail's CloudWatch Logs role):
// iam:PassRole on the role, with iam:PassedToService set to the service
// principal (IAM user guide, "Grant a user permissions to pass a role to
// an AWS service"). A service-linked role needs no PassRole. The error is
// AccessDenied as the calling service words it. Off with
// AWSLike.PassRole. Callers hold s.mu.
func (s *Sim) authorizePassRole(c *call, roleARN, service string) *apiError {
	if !s.like.PassRole || strings.Contains(roleARN, ":role/aws-service-role/") {
		return nil
	}
	return s.authorizeWith(c, "iam:PassRole", roleARN, map[string][]string{"iam:passedtoservice": {service}})
}

// authRequest builds the iampolicy request with the global condition keys
// AWS sets for every call.
func (s *Sim) authRequest(c *call, action, resource string) *iampolicy.Request {
	p := c.caller
	ctx := map[string][]string{
		"aws:principalarn":     {p.principalARN()},
		"aws:principalaccount": {p.account},
		"aws:securetransport":  {boolString(c.req != nil && c.req.TLS != nil)},
		"aws:currenttime":      {c.now.Format("2006-01-02T15:04:05Z")},
		"aws:epochtime":        {itoa(int(c.now.Unix()))},
		"aws:principaltype":    {principalType(p)},
		"aws:userid":           {p.userID},
	}
	if s.org != nil {
		ctx["aws:principalorgid"] = []string{s.org.id}
	}
	if !c.svc.global || c.svc.signingName == "sts" {
		ctx["aws:requestedregion"] = []string{c.region}
	} else {
		// Global services are served from us-east-1 in the aws partition.
		ctx["aws:requestedregion"] = []string{"us-east-1"}
	}
	if p.userName != "" {
		ctx["aws:username"] = []string{p.userName}
	}
	if p.sourceIdentity != "" {
		ctx["aws:sourceidentity"] = []string{p.sourceIdentity}
	}
	if c.req != nil {
		if ip, _, ok := strings.Cut(c.req.RemoteAddr, ":"); ok {
			ctx["aws:sourceip"] = []string{ip}
		}
	}
	return &iampolicy.Request{Action: action, Resource: resource, Principal: p.iamPrincipal(), Context: ctx}
}

func principalType(p *principal) string {
	switch p.kind {
	case principalRoot:
		return "Account"
	case principalUser:
		return "User"
	default:
		return "AssumedRole"
	}
}

// scpDenial returns why the SCPs in force on account deny req, or "".
func (s *Sim) scpDenial(account string, req *iampolicy.Request) string {
	if s.org == nil || account == s.org.mgmtID || s.org.root.policyTypes["SERVICE_CONTROL_POLICY"] != "ENABLED" {
		return ""
	}
	if _, member := s.accounts[account]; !member {
		return ""
	}
	levels := append(s.parentChain(account), account)
	for _, target := range levels {
		var ps []*iampolicy.Policy
		for _, id := range s.org.attachments[target] {
			if pol := s.org.policies[id]; pol != nil && pol.typ == "SERVICE_CONTROL_POLICY" {
				ps = append(ps, pol.parsed)
			}
		}
		switch iampolicy.EvaluateSet(ps, req).Decision {
		case iampolicy.ExplicitDeny:
			return "with an explicit deny in a service control policy"
		case iampolicy.ImplicitDeny:
			return "because no service control policy allows the " + req.Action + " action"
		}
	}
	return ""
}

// identityDenial returns why the caller's identity policies deny req, or "".
func (s *Sim) identityDenial(p *principal, req *iampolicy.Request) string {
	if p.kind == principalRoot {
		return ""
	}
	ps := s.identityPolicies(p)
	switch iampolicy.EvaluateSet(ps, req).Decision {
	case iampolicy.ExplicitDeny:
		return "with an explicit deny in an identity-based policy"
	case iampolicy.ImplicitDeny:
		return "because no identity-based policy allows the " + req.Action + " action"
	}
	return ""
}

// identityPolicies collects the compiled identity policies of a user (its
// own and its groups') or of a role.
func (s *Sim) identityPolicies(p *principal) []*iampolicy.Policy {
	acct := s.accounts[p.account]
	if acct == nil || acct.iam == nil {
		return nil
	}
	st := acct.iam
	var out []*iampolicy.Policy
	add := func(attached []string, inline map[string]*policyDoc) {
		for _, arn := range attached {
			if mp := st.managedPolicy(arn); mp != nil {
				if d := mp.current(); d != nil {
					out = append(out, d.parsed)
				}
			}
		}
		for _, d := range inline {
			out = append(out, d.parsed)
		}
	}
	switch p.kind {
	case principalUser:
		if u := st.users[p.userName]; u != nil {
			add(u.attached, u.inline)
			for _, g := range u.groups {
				if grp := st.groups[g]; grp != nil {
					add(grp.attached, grp.inline)
				}
			}
		}
	case principalAssumedRole:
		if r := st.roles[p.roleName]; r != nil {
			add(r.attached, r.inline)
		}
	}
	return out
}

// denied builds AccessDenied as AWS words it:
// "User: ARN is not authorized to perform: ACTION on resource: RES REASON".
func (s *Sim) denied(c *call, action, resource, reason string) *apiError {
	msg := "User: " + c.caller.arn + " is not authorized to perform: " + action + " on resource: " + resource + " " + reason
	s.counters.recordDenied(c.svc.signingName, c.op, c.caller.account)
	return newErr(c.svc.deniedStatus, c.svc.deniedCode, "%s", msg)
}

// Denied is what orgsim would answer an action in an account for a
// principal; tests use it to confirm a guard's prediction. It returns "" when
// the call is allowed.
func (s *Sim) Denied(account, principalARN, action, resource string) string {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.settleDue(s.now())
	p := &principal{kind: principalRoot, account: account, arn: principalARN}
	if strings.Contains(principalARN, ":assumed-role/") || strings.Contains(principalARN, ":role/") {
		p.kind = principalAssumedRole
		name := principalARN[strings.LastIndex(principalARN, "role/")+5:]
		name, _, _ = strings.Cut(name, "/")
		p.roleName = name
		p.roleARN = "arn:aws:iam::" + account + ":role/" + name
	}
	c := &call{sim: s, svc: s.services["iam"], caller: p, now: s.now(), region: "us-east-1"}
	req := s.authRequest(c, action, resource)
	if r := s.scpDenial(account, req); r != "" {
		return r
	}
	return s.identityDenial(p, req)
}

func boolString(b bool) string {
	if b {
		return "true"
	}
	return "false"
}
