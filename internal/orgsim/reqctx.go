package orgsim

import (
	"encoding/json"
	"encoding/xml"
	"net"
	"net/http"
	"net/netip"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/orgbaseline/orgbaseline/internal/iampolicy"
)

// The request context: the one place that builds the condition keys AWS
// sets on a request, for every authorization orgsim makes (SCPs, identity
// and session policies, bucket policies, role trust policies on
// AssumeRole, and the bucket policies CloudTrail and Config deliver
// under). A key AWS documents as absent in a situation is absent here too:
// orgsim never adds a key because a policy might expect it.
//
// Sources: IAM user guide, "AWS global condition context keys"
// (reference_policies_condition-keys; "Availability" of each key), and
// "IAM policy elements: Variables and tags" (the principal key values);
// the Service Authorization Reference for the service-specific keys (one
// page per service: "Actions, resources, and condition keys for ...").
//
// Keys are lower-cased (iampolicy's rule; condition key names are
// case-insensitive: "Key names are case-insensitive", IAM user guide).

// sessionFacts is what STS records about how a role session was obtained;
// AWS puts it in the request context of every call made with the
// session's credentials.
type sessionFacts struct {
	issued time.Time // aws:TokenIssueTime
	mfaAt  time.Time // when MFA authenticated AssumeRole; zero: no MFA
	// tags are the session tags passed to AssumeRole, with the transitive
	// tags of the session that assumed the role (role chaining).
	tags map[string]string
	// transitive are the keys of tags that pass on to a session this one
	// assumes (AssumeRole TransitiveTagKeys, and inherited ones).
	transitive map[string]bool
}

// newSession records how a role session is being obtained by c's caller:
// now, with MFA or not, with the session tags and transitive tag keys
// passed to AssumeRole. Transitive tags of a calling role session pass on
// ("Chaining roles with session tags", IAM user guide, "Passing session
// tags in AWS STS"). Callers hold s.mu.
func newSession(c *call, mfa bool, tags []map[string]string, transitiveKeys []string) *sessionFacts {
	f := &sessionFacts{issued: c.now, tags: map[string]string{}, transitive: map[string]bool{}}
	if mfa {
		f.mfaAt = c.now
	}
	if prev := c.caller.session; prev != nil {
		for k := range prev.transitive {
			f.tags[k], f.transitive[k] = prev.tags[k], true
		}
	}
	for _, t := range tags {
		f.tags[t["Key"]] = t["Value"]
	}
	for _, k := range transitiveKeys {
		if _, ok := f.tags[k]; ok {
			f.transitive[k] = true
		}
	}
	return f
}

// authRequest builds the request a principal's signed call c makes for
// action on resource, with its request context. Callers hold s.mu.
func (s *Sim) authRequest(c *call, action, resource string) *iampolicy.Request {
	p := c.caller
	ctx := make(map[string][]string, 24)
	s.principalKeys(ctx, p, c.now)
	s.callKeys(ctx, c)
	s.resourceKeys(ctx, p.account, action, resource)
	if c.svc != nil && strings.EqualFold(actionService(action), c.svc.actionPrefix) {
		// The keys a service reads from its own request: only when the
		// call is that service's (an action a service authorizes for a
		// call of another service, such as Access Analyzer creating its
		// service-linked role, gets its keys from that service).
		addServiceKeys(ctx, action, c.input())
	}
	return &iampolicy.Request{Action: action, Resource: resource, Principal: p.iamPrincipal(), Context: ctx}
}

// principalKeys adds the keys that describe who is calling.
func (s *Sim) principalKeys(ctx map[string][]string, p *principal, now time.Time) {
	set := func(k, v string) { ctx[k] = []string{v} }
	// "For IAM roles, the request context returns the ARN of the role,
	// not the ARN of the user that assumed the role." Always present.
	set("aws:principalarn", p.principalARN())
	set("aws:principalaccount", p.account) // always present
	set("aws:principaltype", principalType(p))
	// "included in the request context for all signed requests": the
	// user's unique id, role-id:session-name for a role session, the
	// account id for the root user.
	set("aws:userid", p.userID)
	// "This key is always included in the request context for IAM users.
	// Anonymous requests and requests that are made using the AWS account
	// root user or IAM roles do not include this key."
	if p.kind == principalUser {
		set("aws:username", p.userName)
	}
	// false for every principal's signed request; true only when a
	// service principal calls (serviceRequest).
	set("aws:principalisawsservice", "false")
	// aws:PrincipalOrgID, aws:PrincipalOrgPaths: "included in the request
	// context only if the principal is a member of an organization" (the
	// management account included).
	if path := s.orgPath(p.account); path != "" {
		set("aws:principalorgid", s.org.id)
		set("aws:principalorgpaths", path)
	}
	// aws:PrincipalTag/<key>: "included ... if the principal is using an
	// IAM user with attached tags. It is included for a principal using an
	// IAM role with attached tags or session tags."
	for k, v := range s.principalTags(p) {
		set("aws:principaltag/"+strings.ToLower(k), v)
	}
	// aws:AssumedRoot: "true" in the context of every request a root
	// session made by sts:AssumeRoot makes, absent otherwise (IAM user
	// guide, "AWS global condition context keys", aws:AssumedRoot; AWS's
	// example SCP "Prevent root credentials management in member accounts",
	// aws-samples/service-control-policy-examples, exempts root sessions
	// from a Deny on arn:aws:iam::*:root with {"Null":{"aws:AssumedRoot":
	// "true"}}, which holds only where the key is absent). The session's
	// other principal keys are the root user's: aws:PrincipalArn
	// arn:PARTITION:iam::ACCOUNT:root, aws:PrincipalType Account,
	// aws:userid the account id.
	if p.assumedRoot() {
		set("aws:assumedroot", "true")
	}
	if p.sourceIdentity != "" {
		// Present once a source identity was set on AssumeRole; it
		// persists through role chaining.
		set("aws:sourceidentity", p.sourceIdentity)
	}
	if f := p.session; f != nil {
		// Temporary credentials only: "The key is not present in AWS CLI,
		// AWS API, or AWS SDK requests that are made using long-term
		// credentials." aws:MultiFactorAuthAge only when MFA was used.
		set("aws:tokenissuetime", f.issued.UTC().Format(time.RFC3339))
		set("aws:multifactorauthpresent", boolString(!f.mfaAt.IsZero()))
		if !f.mfaAt.IsZero() {
			set("aws:multifactorauthage", strconv.FormatInt(int64(now.Sub(f.mfaAt)/time.Second), 10))
		}
	}
}

// principalTags are the tags AWS reads as aws:PrincipalTag: a user's
// tags; a role session's role tags with its session tags over them
// ("Session tags override role tags of the same key", IAM user guide,
// "Passing session tags in AWS STS"). The role's and user's tags are read
// when the call is made. Callers hold s.mu.
func (s *Sim) principalTags(p *principal) map[string]string {
	a := s.accounts[p.account]
	if a == nil || a.iam == nil {
		return nil
	}
	switch p.kind {
	case principalUser:
		if u := a.iam.users[p.userName]; u != nil {
			return u.tags
		}
	case principalAssumedRole:
		out := map[string]string{}
		if r := a.iam.roles[p.roleName]; r != nil {
			for k, v := range r.tags {
				out[k] = v
			}
		}
		if p.session != nil {
			for k, v := range p.session.tags {
				for old := range out {
					// IAM tag keys are unique regardless of case.
					if strings.EqualFold(old, k) {
						delete(out, old)
					}
				}
				out[k] = v
			}
		}
		return out
	}
	return nil
}

// callKeys adds the keys that describe the request itself.
func (s *Sim) callKeys(ctx map[string][]string, c *call) {
	set := func(k, v string) { ctx[k] = []string{v} }
	timeKeys(ctx, c.now)
	// aws:SecureTransport, "always included": AWS sees every SDK call over
	// HTTPS; orgsim is served over plain HTTP on loopback, so with
	// AWSLike.SecureTransport the key says what AWS would see, and without
	// it whether this request came over TLS.
	set("aws:securetransport", boolString(s.like.SecureTransport || (c.req != nil && c.req.TLS != nil)))
	// aws:RequestedRegion, "always included": the Region of the endpoint
	// called; the global services (IAM, Organizations) have one endpoint,
	// in the partition's home region ("IAM calls are always made to the
	// us-east-1 Region"). STS is regional.
	set("aws:requestedregion", s.requestedRegion(c))
	// aws:ViaAWSService: false "when the principal makes the call
	// directly" (true for a service calling with the principal's
	// credentials, which orgsim does not model).
	set("aws:viaawsservice", "false")
	if c.req != nil {
		// aws:SourceIp: "included in the request context, except when the
		// requester uses a VPC endpoint"; absent for a call a service
		// makes (serviceRequest).
		if host, _, err := net.SplitHostPort(c.req.RemoteAddr); err == nil {
			if ip, err := netip.ParseAddr(host); err == nil {
				set("aws:sourceip", ip.Unmap().String())
			}
		}
		// aws:UserAgent, "always included": whatever the client sent.
		if ua := c.req.UserAgent(); ua != "" {
			set("aws:useragent", ua)
		}
	}
}

// timeKeys adds aws:CurrentTime and aws:EpochTime, "always included".
func timeKeys(ctx map[string][]string, now time.Time) {
	ctx["aws:currenttime"] = []string{now.UTC().Format("2006-01-02T15:04:05Z")}
	ctx["aws:epochtime"] = []string{strconv.FormatInt(now.Unix(), 10)}
}

// requestedRegion is the Region a call names in aws:RequestedRegion.
func (s *Sim) requestedRegion(c *call) string {
	if c.svc == nil || (c.svc.global && c.svc.signingName != "sts") || c.region == "" {
		return s.GlobalRegion()
	}
	return c.region
}

// resourceKeys adds the keys that describe the resource the call acts on:
// aws:ResourceAccount, "always included in the request context for most
// service actions" (the exceptions are EBS, some EC2 copies, EventBridge
// and two WorkSpaces actions) and "equal to the AWS account ID for the
// account with the resources evaluated in the request"; and
// aws:ResourceOrgID and aws:ResourceOrgPaths, "included ... only if the
// account that owns the resource is a member of an organization" (IAM user
// guide, "AWS global condition context keys"). account is the account
// the request is made in ("" for a request a service principal makes),
// action the action authorized (resourceOwner).
func (s *Sim) resourceKeys(ctx map[string][]string, account, action, resource string) {
	owner := s.resourceOwner(account, action, resource)
	if owner == "" {
		return
	}
	ctx["aws:resourceaccount"] = []string{owner}
	if path := s.orgPath(owner); path != "" {
		ctx["aws:resourceorgid"] = []string{s.org.id}
		ctx["aws:resourceorgpaths"] = []string{path}
	}
}

// resourceOwner is the account that owns the resource a request acts on:
//
//   - the account field of an ARN;
//   - for an S3 bucket (whose ARN has none), the bucket's owner, and for
//     s3:CreateBucket the account creating it, which will own it (S3 user
//     guide, "General purpose buckets overview": a bucket is owned by the
//     account that created it); a request on a bucket that does not exist
//     has none (S3 cannot name an owner; the guide is silent);
//   - for an action on no resource ("*": a list, an account setting) the
//     account the request is made in, whose resources it evaluates; for
//     an Organizations action the organization's management account,
//     which owns every Organizations resource (their ARNs carry its id:
//     Service Authorization Reference, "Actions, resources, and condition
//     keys for AWS Organizations"). The guide does not name the account
//     for a request without a resource; these are the readings under
//     which the key is present, as "always included" says, and the
//     management account is the stricter one for a delegated
//     administrator (a Deny of resources outside the caller's account
//     applies to it);
//
// and "" for AWS-owned resources (an AWS managed policy's account is
// "aws") and for a service principal's request on no resource. Callers
// hold s.mu.
func (s *Sim) resourceOwner(account, action, resource string) string {
	if !strings.HasPrefix(resource, "arn:") {
		switch {
		case account == "":
			return ""
		case strings.EqualFold(actionService(action), "organizations") && s.org != nil:
			return s.org.mgmtID
		}
		return account
	}
	f := strings.SplitN(resource, ":", 6)
	if len(f) < 6 {
		return ""
	}
	if f[2] == "s3" && f[4] == "" {
		name, _, _ := strings.Cut(f[5], "/")
		if b := s.buckets[name]; b != nil {
			return b.owner
		}
		if strings.EqualFold(action, "s3:CreateBucket") {
			return account
		}
		return ""
	}
	if isAccountID(f[4]) {
		return f[4]
	}
	return ""
}

// orgPath is the organization path of an account as AWS writes it in
// aws:PrincipalOrgPaths and aws:ResourceOrgPaths:
// o-xxxxxxxxxx/r-xxxx/ou-xxxx-xxxxxxxx/.../ (the OUs from the root down
// to the account's parent, with a trailing slash; IAM user guide,
// aws:PrincipalOrgPaths examples). "" when the account is not in the
// organization. Callers hold s.mu.
func (s *Sim) orgPath(account string) string {
	a := s.accounts[account]
	if s.org == nil || a == nil || a.ParentID == "" {
		return ""
	}
	var b strings.Builder
	b.WriteString(s.org.id)
	b.WriteByte('/')
	for _, id := range s.parentChain(account) {
		b.WriteString(id)
		b.WriteByte('/')
	}
	return b.String()
}

// actionService is the service prefix of an action ("iam" of
// "iam:PassRole").
func actionService(action string) string {
	svc, _, _ := strings.Cut(action, ":")
	return svc
}

// ---- requests a service makes as itself ----

// serviceCall is a request an AWS service makes with its own service
// principal, such as CloudTrail or Config writing to a log bucket.
type serviceCall struct {
	service  string // the service principal, e.g. cloudtrail.amazonaws.com
	action   string // e.g. s3:PutObject
	resource string
	// sourceARN and sourceAccount are the resource the service acts for
	// (the trail, the delivery channel's account): aws:SourceArn and
	// aws:SourceAccount, "included ... only if accessing a resource
	// triggers an AWS service to call another service on behalf of the
	// resource owner". "" leaves the key absent.
	sourceARN, sourceAccount string
	// acl is the canned ACL the service sends (X-Amz-Acl), e.g.
	// bucket-owner-full-control with CloudTrail's and Config's PutObject;
	// "" sends none. The keys it gives (s3:x-amz-acl) come from the same
	// table as a principal's request.
	acl string
}

// serviceRequest builds the request a service principal makes, with its
// request context: aws:PrincipalIsAWSService true and
// aws:PrincipalServiceName ("present in the request when the call is made
// by an AWS service principal"); aws:SourceArn, aws:SourceAccount and,
// for a source account in an organization, aws:SourceOrgID and
// aws:SourceOrgPaths; the time keys; aws:SecureTransport true (services
// call over TLS); the resource keys. No aws:SourceIp, no aws:PrincipalArn,
// aws:PrincipalAccount, aws:userid or aws:PrincipalTag: a service
// principal is none of an account's principals, and orgsim does not guess
// what AWS would put there. Callers hold s.mu.
func (s *Sim) serviceRequest(sc serviceCall, now time.Time) *iampolicy.Request {
	ctx := make(map[string][]string, 16)
	set := func(k, v string) { ctx[k] = []string{v} }
	set("aws:principalisawsservice", "true")
	set("aws:principalservicename", sc.service)
	set("aws:securetransport", "true")
	set("aws:viaawsservice", "false")
	timeKeys(ctx, now)
	if sc.sourceARN != "" {
		set("aws:sourcearn", sc.sourceARN)
	}
	if sc.sourceAccount != "" {
		set("aws:sourceaccount", sc.sourceAccount)
		if path := s.orgPath(sc.sourceAccount); path != "" {
			set("aws:sourceorgid", s.org.id)
			set("aws:sourceorgpaths", path)
		}
	}
	s.resourceKeys(ctx, "", sc.action, sc.resource)
	in := &requestInput{header: http.Header{}}
	if sc.acl != "" {
		in.header.Set("X-Amz-Acl", sc.acl)
	}
	addServiceKeys(ctx, sc.action, in)
	return &iampolicy.Request{Action: sc.action, Resource: sc.resource, Principal: iampolicy.Principal{Service: sc.service}, Context: ctx}
}

// ---- service-specific keys ----

// requestInput is what a request carried, for the service-specific keys.
type requestInput struct {
	header http.Header
	form   url.Values // awsQuery parameters; S3's URL query
	body   []byte     // an awsJson or restJson body
	doc    map[string]any
	parsed bool
}

// input is the call's request as the service-specific keys read it.
func (c *call) input() *requestInput {
	in := &requestInput{form: c.form, body: c.body}
	if c.req != nil {
		in.header = c.req.Header
		if c.form == nil {
			in.form = c.req.URL.Query()
		}
	}
	return in
}

// field is a top-level string field of a JSON body ("" when absent).
func (in *requestInput) field(name string) string {
	if !in.parsed {
		in.parsed = true
		_ = json.Unmarshal(in.body, &in.doc)
	}
	v, _ := in.doc[name].(string)
	return v
}

// keyRule adds the keys one action's request carries.
type keyRule func(ctx map[string][]string, in *requestInput)

// keyParam sets key to the awsQuery parameter name, when sent.
func keyParam(key, name string) keyRule {
	return func(ctx map[string][]string, in *requestInput) {
		if in.form != nil && in.form.Has(name) {
			ctx[key] = []string{in.form.Get(name)}
		}
	}
}

// keyHeader sets key to the request header name, when sent.
func keyHeader(key, name string) keyRule {
	return func(ctx map[string][]string, in *requestInput) {
		if v := in.header.Get(name); v != "" {
			ctx[key] = []string{v}
		}
	}
}

// keyJSON sets key to the top-level string field name of a JSON body,
// when sent.
func keyJSON(key, name string) keyRule {
	return func(ctx map[string][]string, in *requestInput) {
		if v := in.field(name); v != "" {
			ctx[key] = []string{v}
		}
	}
}

// keyTags sets aws:RequestTag/<key> for each tag of the awsQuery list
// parameter name (name.member.N.Key/Value) and aws:TagKeys to their keys:
// "included in the request context when tags are passed in the request".
func keyTags(name string) keyRule {
	return func(ctx map[string][]string, in *requestInput) {
		if in.form == nil {
			return
		}
		var keys []string
		for _, t := range queryStructList(in.form, name) {
			ctx["aws:requesttag/"+strings.ToLower(t["Key"])] = []string{t["Value"]}
			keys = append(keys, t["Key"])
		}
		if len(keys) > 0 {
			ctx["aws:tagkeys"] = keys
		}
	}
}

// keyJSONTags sets aws:RequestTag/<key> for each tag of the JSON list
// field name ([{"Key": ..., "Value": ...}]) of an awsJson body, and
// aws:TagKeys to their keys, when tags are sent (as keyTags).
func keyJSONTags(name string) keyRule {
	return func(ctx map[string][]string, in *requestInput) {
		var doc map[string]json.RawMessage
		if json.Unmarshal(in.body, &doc) != nil || doc[name] == nil {
			return
		}
		var tags []struct{ Key, Value string }
		if json.Unmarshal(doc[name], &tags) != nil {
			return
		}
		var keys []string
		for _, t := range tags {
			ctx["aws:requesttag/"+strings.ToLower(t.Key)] = []string{t.Value}
			keys = append(keys, t.Key)
		}
		if len(keys) > 0 {
			ctx["aws:tagkeys"] = keys
		}
	}
}

// keyLocationConstraint sets s3:LocationConstraint to the Region a
// CreateBucket body names (CreateBucketConfiguration/LocationConstraint),
// when it names one: without a body the bucket goes to us-east-1 and the
// request carries none.
func keyLocationConstraint(ctx map[string][]string, in *requestInput) {
	var cfg struct {
		LocationConstraint string `xml:"LocationConstraint"`
	}
	if xml.Unmarshal(in.body, &cfg) == nil && cfg.LocationConstraint != "" {
		ctx["s3:locationconstraint"] = []string{cfg.LocationConstraint}
	}
}

// keyList sets key to the members of the awsQuery list parameter
// name (multivalued), when sent.
func keyList(key, name string) keyRule {
	return func(ctx map[string][]string, in *requestInput) {
		if in.form == nil {
			return
		}
		if vs := queryList(in.form, name, ""); len(vs) > 0 {
			ctx[key] = vs
		}
	}
}

func keyRules(rs ...keyRule) keyRule {
	return func(ctx map[string][]string, in *requestInput) {
		for _, r := range rs {
			r(ctx, in)
		}
	}
}

// serviceKeys is the table of service-specific condition keys AWS sets
// from the request, by action (lower-case), each from the Service
// Authorization Reference page of its service. iam:PassedToService is not
// here: it comes from the service a role is passed to
// (authorizePassRole); iam:AWSServiceName likewise when a service creates
// its own service-linked role for the caller (the caller of the service
// passes it in extra keys).
var serviceKeys = map[string]keyRule{
	// IAM ("Actions, resources, and condition keys for AWS Identity and
	// Access Management"): iam:AWSServiceName on CreateServiceLinkedRole;
	// aws:RequestTag/${TagKey} and aws:TagKeys on the calls that tag.
	"iam:createservicelinkedrole": keyParam("iam:awsservicename", "AWSServiceName"),
	"iam:createrole":              keyTags("Tags"),
	"iam:tagrole":                 keyTags("Tags"),
	"iam:createuser":              keyTags("Tags"),
	"iam:taguser":                 keyTags("Tags"),
	"iam:createpolicy":            keyTags("Tags"),
	// STS ("Actions, resources, and condition keys for AWS Security Token
	// Service"): sts:RoleSessionName, sts:ExternalId, sts:SourceIdentity,
	// sts:TransitiveTagKeys, aws:RequestTag/${TagKey}, aws:TagKeys on
	// AssumeRole (the trust policy's sts:TagSession and
	// sts:SetSourceIdentity are evaluated with the same request).
	"sts:assumerole": keyRules(
		keyParam("sts:rolesessionname", "RoleSessionName"),
		keyParam("sts:externalid", "ExternalId"),
		keyParam("sts:sourceidentity", "SourceIdentity"),
		keyList("sts:transitivetagkeys", "TransitiveTagKeys"),
		keyTags("Tags"),
	),
	// sts:TaskPolicyArn on AssumeRoot (same page: AssumeRoot, resource
	// type root-user, condition key sts:TaskPolicyArn; IAM user guide,
	// "Perform a privileged task": "To limit the actions a management
	// account or delegated administrator can perform during a privileged
	// root user session, you can use the AWS STS condition key
	// sts:TaskPolicyArn").
	"sts:assumeroot": keyParam("sts:taskpolicyarn", "TaskPolicyArn.arn"),
	// Organizations ("Actions, resources, and condition keys for AWS
	// Organizations"): organizations:ServicePrincipal on the calls that
	// name a service principal; organizations:PolicyType on the calls
	// that name a policy type.
	"organizations:enableawsserviceaccess":           keyJSON("organizations:serviceprincipal", "ServicePrincipal"),
	"organizations:disableawsserviceaccess":          keyJSON("organizations:serviceprincipal", "ServicePrincipal"),
	"organizations:registerdelegatedadministrator":   keyJSON("organizations:serviceprincipal", "ServicePrincipal"),
	"organizations:deregisterdelegatedadministrator": keyJSON("organizations:serviceprincipal", "ServicePrincipal"),
	"organizations:listdelegatedadministrators":      keyJSON("organizations:serviceprincipal", "ServicePrincipal"),
	"organizations:createpolicy":                     keyJSON("organizations:policytype", "Type"),
	"organizations:enablepolicytype":                 keyJSON("organizations:policytype", "PolicyType"),
	"organizations:disablepolicytype":                keyJSON("organizations:policytype", "PolicyType"),
	"organizations:listpolicies":                     keyJSON("organizations:policytype", "Filter"),
	"organizations:listpoliciesfortarget":            keyJSON("organizations:policytype", "Filter"),
	// Amazon S3 ("Actions, resources, and condition keys for Amazon S3"):
	// s3:x-amz-acl on the calls that take a canned ACL, and
	// s3:x-amz-object-ownership and s3:LocationConstraint on CreateBucket.
	"s3:putobject":    keyHeader("s3:x-amz-acl", "X-Amz-Acl"),
	"s3:putobjectacl": keyHeader("s3:x-amz-acl", "X-Amz-Acl"),
	"s3:putbucketacl": keyHeader("s3:x-amz-acl", "X-Amz-Acl"),
	"s3:createbucket": keyRules(keyHeader("s3:x-amz-acl", "X-Amz-Acl"), keyHeader("s3:x-amz-object-ownership", "X-Amz-Object-Ownership"), keyLocationConstraint),
	// AWS Config ("Actions, resources, and condition keys for AWS
	// Config"): aws:RequestTag/${TagKey} and aws:TagKeys on the calls that
	// create a resource with tags.
	"config:putconfigrule":              keyJSONTags("Tags"),
	"config:putconfigurationrecorder":   keyJSONTags("Tags"),
	"config:putconfigurationaggregator": keyJSONTags("Tags"),
}

// addServiceKeys adds the service-specific keys action's request carries.
func addServiceKeys(ctx map[string][]string, action string, in *requestInput) {
	if r := serviceKeys[strings.ToLower(action)]; r != nil {
		r(ctx, in)
	}
}
