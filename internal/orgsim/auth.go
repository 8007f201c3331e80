package orgsim

import (
	"net/http"
	"strings"
	"time"

	"github.com/orgbaseline/orgbaseline/internal/iampolicy"
)

// authorize decides whether c.caller may perform action on resource, as AWS
// does for a principal in an organization (IAM user guide, "Policy
// evaluation logic"; the request context comes from reqctx.go):
//
//  1. SCPs, for every call made in a member account (never the management
//     account) once the SCP policy type is enabled on the root: the action
//     must be allowed at every level (root, each OU, the account) and denied
//     at none; then, likewise, the RCPs of the account that owns the
//     resource, for a resource of a member account (auth_rcp.go);
//  2. an explicit Deny in any other policy that applies denies: identity
//     policies of the user or role, session policies passed to AssumeRole
//     (and a root session's task policy, sts_root.go), and the resource's
//     own policy (an S3 bucket policy);
//  3. then, for a resource without a policy or one in the caller's own
//     account, an Allow in the identity policies (the root user has all)
//     narrowed by the session policies, or an Allow in the resource
//     policy that names the caller; for a resource in another account,
//     both the caller's side and the resource policy must allow.
//
// Callers hold s.mu.
func (s *Sim) authorize(c *call, action, resource string) *apiError {
	return s.authorizeWith(c, action, resource, nil)
}

// authorizeWith is authorize with service-specific condition keys added to
// the request context (lower-case keys, e.g. "iam:passedtoservice"), for
// the keys a service sets when it authorizes a step it takes for the
// caller. Callers hold s.mu.
func (s *Sim) authorizeWith(c *call, action, resource string, extra map[string][]string) *apiError {
	req := s.authRequest(c, action, resource)
	for k, v := range extra {
		req.Context[k] = v
	}
	reason := s.decide(c.caller, req)
	s.record(c, req, reason)
	if reason == "" {
		return nil
	}
	e := s.denied(c, action, resource, reason)
	if rp := s.resourcePolicy(action, resource); rp != nil {
		// S3 names the bucket's Region on a 403 too (HeadBucket's
		// x-amz-bucket-region, which the SDKs read to find a bucket).
		e.Header = http.Header{"X-Amz-Bucket-Region": {rp.bucket.region}}
	}
	return e
}

// authorizePassRole checks that the caller may hand roleARN to service, as
// AWS does whenever a customer role is passed to a service (Config's
// recorder and aggregator roles, CloudTrail's CloudWatch Logs role):
// iam:PassRole on the role, with iam:PassedToService set to the service
// principal (IAM user guide, "Grant a user permissions to pass a role to
// an AWS service"). A service-linked role is passed too: AWS documents no
// exemption for it (the PassRole page names none, and Config's
// PutConfigurationRecorder takes the service-linked role's ARN as any
// role's), so orgsim takes the stricter reading and authorizes it. The
// error is AccessDenied as the calling service words it. Off with
// AWSLike.PassRole. Callers hold s.mu.
func (s *Sim) authorizePassRole(c *call, roleARN, service string) *apiError {
	if !s.like.PassRole {
		return nil
	}
	return s.authorizeWith(c, "iam:PassRole", roleARN, map[string][]string{"iam:passedtoservice": {service}})
}

// decide evaluates every policy that applies to req, made by p, and
// returns why AWS denies it, worded as AWS ends its AccessDenied message,
// or "" when it is allowed. Callers hold s.mu.
func (s *Sim) decide(p *principal, req *iampolicy.Request) string {
	if reason := s.scpDenial(p.account, req); reason != "" {
		return reason
	}
	if reason := s.rcpDenial(s.rcpResourceAccount(p.account, req), req); reason != "" {
		return reason
	}
	identity := s.identityDecision(p, req)
	session := iampolicy.Allow
	if p.sessionPolicies != nil {
		session = iampolicy.EvaluateSet(p.sessionPolicies, req).Decision
	}
	// A root session's task policy limits it by its explicit Denies only:
	// the task policies hold nothing else (sts_root.go, rootTaskDocs).
	if p.task != nil && p.task.policy.Evaluate(req).Decision == iampolicy.ExplicitDeny {
		session = iampolicy.ExplicitDeny
	}
	rp := s.resourcePolicy(req.Action, req.Resource)
	resource := iampolicy.ImplicitDeny
	if rp != nil {
		resource = rp.policy.Evaluate(req).Decision
	}
	switch {
	case identity == iampolicy.ExplicitDeny:
		return "with an explicit deny in an identity-based policy"
	case session == iampolicy.ExplicitDeny:
		return "with an explicit deny in a session policy"
	case resource == iampolicy.ExplicitDeny && s.resourceDenyBinds(p, rp, req.Action):
		return "with an explicit deny in a resource-based policy"
	}
	callerSide := ""
	switch {
	case identity != iampolicy.Allow:
		callerSide = "because no identity-based policy allows the " + req.Action + " action"
	case session != iampolicy.Allow:
		callerSide = "because no session policy allows the " + req.Action + " action"
	}
	if rp == nil || rp.owner == p.account {
		// Within one account an Allow on either side is enough ("If
		// either the identity-based policy or the resource-based policy
		// within the same account allows the request and the other
		// doesn't, the request is still allowed", IAM user guide, "Policy
		// evaluation for requests within a single account").
		if callerSide == "" || (rp != nil && grantsByName(rp.policy, p, req, session)) {
			return ""
		}
		return callerSide
	}
	// Across accounts both must allow: the caller's account through its
	// own policies, the resource's through its policy (IAM user guide,
	// "Cross-account policy evaluation logic").
	if callerSide != "" {
		return callerSide
	}
	if resource != iampolicy.Allow {
		return "because no resource-based policy allows the " + req.Action + " action"
	}
	if rp.restrictPublic() {
		// "Setting this element to TRUE restricts access to this bucket
		// to only AWS service principals and authorized users within this
		// account if the bucket has a public policy" (S3 API reference,
		// PublicAccessBlockConfiguration, RestrictPublicBuckets).
		return "because public access is restricted by the RestrictPublicBuckets block public access setting"
	}
	return ""
}

// grantsByName reports whether pol, the policy of a resource in p's own
// account, grants req to p by name: to the user, to the role or the role
// session, or to everyone, not merely to the account (which delegates to
// the account's own policies; IAM user guide, "AWS JSON policy elements:
// Principal", AWS account principals). Such a grant needs no identity
// policy. A session policy that does not allow the action still limits a
// grant to the role (or to everyone), though not one to the session itself
// ("Resource-based policies that grant permissions to an IAM role ARN are
// limited by an implicit deny in a permissions boundary or session
// policy", IAM user guide, "How AWS enforcement code logic evaluates
// requests to allow or deny access").
func grantsByName(pol *iampolicy.Policy, p *principal, req *iampolicy.Request, session iampolicy.Decision) bool {
	named := *req
	named.Principal.NamedOnly = true
	if pol.Evaluate(&named).Decision != iampolicy.Allow {
		return false
	}
	if session == iampolicy.Allow {
		return true
	}
	named.Principal = iampolicy.Principal{ARN: p.arn, NamedOnly: true}
	r := pol.Evaluate(&named)
	return r.Decision == iampolicy.Allow && !everyone(r.Statement)
}

// everyone reports whether a statement's Principal is "*" (or {"AWS":"*"}).
func everyone(st *iampolicy.Statement) bool {
	if st == nil || st.Principal == nil {
		return false
	}
	if st.Principal.Wildcard {
		return true
	}
	for _, a := range st.Principal.AWS {
		if a == "*" {
			return true
		}
	}
	return false
}

// resourcePolicy is the policy of the resource a call acts on, when the
// resource has one orgsim models: an S3 bucket's policy, for the S3
// actions on the bucket and its objects.
type resourcePolicy struct {
	policy *iampolicy.Policy // nil: the bucket has no policy
	owner  string            // the account that owns the resource
	bucket *bucket
}

// resourcePolicy finds the policy of the resource of an S3 action: the
// bucket named by an arn:PARTITION:s3:::bucket[/key] resource, when it
// exists. CreateBucket acts on no existing bucket. Callers hold s.mu.
func (s *Sim) resourcePolicy(action, resource string) *resourcePolicy {
	if !strings.EqualFold(actionService(action), "s3") || strings.EqualFold(action, "s3:CreateBucket") {
		return nil
	}
	rest, ok := strings.CutPrefix(resource, s.arnPrefix()+"s3:::")
	if !ok {
		return nil
	}
	name, _, _ := strings.Cut(rest, "/")
	b := s.buckets[name]
	if b == nil {
		return nil
	}
	return &resourcePolicy{policy: b.parsed, owner: b.owner, bucket: b}
}

// restrictPublic reports whether Block Public Access keeps other accounts
// out of the bucket: RestrictPublicBuckets on and a public policy.
func (rp *resourcePolicy) restrictPublic() bool {
	pab := rp.bucket.publicAccessBlock
	return pab != nil && pab.RestrictPublicBuckets && s3PolicyPublic(rp.policy)
}

// resourceDenyBinds reports whether an explicit Deny in the resource
// policy rp binds p for action. It binds every principal of another
// account, and those of the owner's account too (AWSLike.BucketDenyBindsOwner:
// "an explicit deny always overrides an allow", IAM user guide, "Policy
// evaluation logic"), except that "the root user of the AWS account that
// owns a bucket can always use" GetBucketPolicy, PutBucketPolicy and
// DeleteBucketPolicy "even if the policy explicitly denies the root user"
// (S3 API reference, PutBucketPolicy; likewise GetBucketPolicy and
// DeleteBucketPolicy), so that an owner can undo a policy that locks
// everyone out.
func (s *Sim) resourceDenyBinds(p *principal, rp *resourcePolicy, action string) bool {
	if rp.owner != p.account {
		return true
	}
	if !s.like.BucketDenyBindsOwner {
		return false
	}
	if p.kind == principalRoot {
		switch strings.ToLower(action) {
		case "s3:getbucketpolicy", "s3:putbucketpolicy", "s3:deletebucketpolicy":
			return false
		}
	}
	return true
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
	// SCPs are in force once the type is ENABLED, and still while it is
	// PENDING_DISABLE: AWS detaches them when disabling finishes
	// (DisablePolicyType runs in the background; the stricter reading).
	if s.org == nil || account == s.org.mgmtID {
		return ""
	}
	if st := s.org.root.policyTypes["SERVICE_CONTROL_POLICY"]; st != "ENABLED" && st != "PENDING_DISABLE" {
		return ""
	}
	if _, member := s.accounts[account]; !member {
		return ""
	}
	return s.chainDenial(account, "SERVICE_CONTROL_POLICY", "service control policy", req)
}

// chainDenial evaluates req against the policies of type typ attached at
// every level from the root down to account: "any account has only those
// permissions permitted by every parent above it" (Organizations user
// guide, "Service control policies" and "Resource control policies"), so
// each level must allow and a Deny at any level denies. It returns the
// AccessDenied reason as AWS words it, naming the policy type (noun), or
// "" when every level allows.
func (s *Sim) chainDenial(account, typ, noun string, req *iampolicy.Request) string {
	for _, target := range append(s.parentChain(account), account) {
		var ps []*iampolicy.Policy
		for _, id := range s.org.attachments[target] {
			if pol := s.org.policies[id]; pol != nil && pol.typ == typ {
				ps = append(ps, pol.parsed)
			}
		}
		switch iampolicy.EvaluateSet(ps, req).Decision {
		case iampolicy.ExplicitDeny:
			return "with an explicit deny in a " + noun
		case iampolicy.ImplicitDeny:
			return "because no " + noun + " allows the " + req.Action + " action"
		}
	}
	return ""
}

// identityDecision is what the caller's identity policies decide for req;
// the root user is allowed everything.
func (s *Sim) identityDecision(p *principal, req *iampolicy.Request) iampolicy.Decision {
	if p.kind == principalRoot {
		return iampolicy.Allow
	}
	return iampolicy.EvaluateSet(s.identityPolicies(p), req).Decision
}

// identityDenial returns why the caller's identity policies deny req, or "".
func (s *Sim) identityDenial(p *principal, req *iampolicy.Request) string {
	switch s.identityDecision(p, req) {
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

// Denied is what orgsim would answer action on resource in account for
// the principal principalARN (the root user, a user, or a role, as its
// role ARN or a session's assumed-role ARN), as if the principal called
// the partition's home region; tests use it to confirm a guard's
// prediction. The request context is the one a real call gets
// (reqctx.go), with the principal's current tags; a role is taken as a
// session made by AssumeRole just now, without MFA or session tags. It
// returns "" when the call is allowed.
func (s *Sim) Denied(account, principalARN, action, resource string) string {
	s.mu.Lock()
	defer s.mu.Unlock()
	now := s.now()
	s.settleDue(now)
	p := s.principalFor(account, principalARN, now)
	c := &call{sim: s, svc: s.serviceOf(action), caller: p, now: now, region: s.GlobalRegion()}
	return s.decide(p, s.authRequest(c, action, resource))
}

// principalFor is the principal an ARN names in account: a user, a role
// session, or else the root user. A user or role the account does not hold
// is still that kind of principal, with no policies. Callers hold s.mu.
func (s *Sim) principalFor(account, arn string, now time.Time) *principal {
	_, res, _ := strings.Cut(strings.TrimPrefix(arn, s.arnPrefix()), "::"+account+":")
	st := newIAMState() // an account orgsim does not hold has no users or roles
	if a := s.accounts[account]; a != nil && a.iam != nil {
		st = a.iam
	}
	switch {
	case strings.HasPrefix(res, "user/"):
		name := res[strings.LastIndexByte(res, '/')+1:]
		p := &principal{kind: principalUser, account: account, arn: s.arn("iam", "", account, res), userName: name}
		if u := st.findUser(name); u != nil {
			p.arn, p.userID, p.userName = u.arn, u.id, u.name
		}
		return p
	case strings.HasPrefix(res, "role/"), strings.HasPrefix(res, "assumed-role/"):
		name, session := res[strings.LastIndexByte(res, '/')+1:], "orgsim"
		if rest, ok := strings.CutPrefix(res, "assumed-role/"); ok {
			name, session, _ = strings.Cut(rest, "/")
		}
		p := &principal{
			kind: principalAssumedRole, account: account, roleName: name, roleARN: s.arn("iam", "", account, "role/"+name),
			sessionName: session, expires: now.Add(time.Hour), session: &sessionFacts{issued: now},
		}
		if r := st.findRole(name); r != nil {
			p.roleName, p.roleARN, p.userID = r.name, r.arn, r.id+":"+session
		}
		p.arn = s.arn("sts", "", account, "assumed-role/"+p.roleName+"/"+session)
		return p
	}
	return &principal{kind: principalRoot, account: account, arn: s.arn("iam", "", account, "root"), userID: account}
}

// serviceOf is the service whose action prefix action has (nil when
// orgsim does not serve it).
func (s *Sim) serviceOf(action string) *service {
	prefix := actionService(action)
	for _, svc := range s.services {
		if strings.EqualFold(svc.actionPrefix, prefix) {
			return svc
		}
	}
	return nil
}

func boolString(b bool) string {
	if b {
		return "true"
	}
	return "false"
}
