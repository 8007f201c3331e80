package orgsim

import (
	"net"
	"strconv"
	"strings"
	"sync"

	"github.com/orgbaseline/orgbaseline/internal/iampolicy"
)

// STS AssumeRoot: short privileged sessions as the root user of a member
// account, the second half of IAM's centralized root access
// (iam_rootaccess.go holds the organization features that gate it).
//
// Sources: STS API reference, "AssumeRoot"; IAM user guide, "Centralize
// root access for member accounts" (id_root-enable-root-access) and
// "Perform a privileged task on an AWS Organizations member account"
// (id_root-user-privileged-task); the task policies' documents as AWS
// publishes them (IAM user guide, "AWS managed policies for AWS Identity
// and Access Management", copied in zoph-io/MAMIP policies/<name>); the
// SDK's shapes (aws-sdk-go-v2 service/sts api_op_AssumeRoot.go).
//
// What a caller sees:
//
//   - Only at a regional STS endpoint: "The STS global endpoint is not
//     supported for AssumeRoot. You must send this request to a Regional
//     STS endpoint" (API reference). The global endpoint answers as to an
//     operation it does not know: InvalidAction "Unknown Operation", what
//     boto3 got calling AssumeRoot with its then-default global endpoint
//     (boto/boto3 issue 4461). orgsim tells the endpoint by the request's
//     Host, sts.amazonaws.com in the aws partition (the botocore model's
//     globalEndpoint; the SDK's endpoint rules for region aws-global); a
//     client of `sim serve` with a loopback endpoint is on a regional one.
//   - Authorized as sts:AssumeRoot on the target's root user,
//     arn:PARTITION:iam::TARGET:root (Service Authorization Reference,
//     STS: resource type root-user, condition key sts:TaskPolicyArn), by
//     the caller's identity policies and its account's SCPs (the core,
//     auth.go). "You cannot use root user credentials to make this call."
//   - Only from the management account or IAM's delegated administrator
//     (iam.amazonaws.com), with trusted access for IAM and root sessions
//     (EnableOrganizationsRootSessions) enabled ("Before you can launch a
//     privileged session, you must have centralized root access in your
//     organization"), only for a member account, never the management
//     account itself (the API reference: "privileged tasks on a member
//     account in your organization"). AWS does not document the error
//     for any of these; orgsim answers AccessDenied, the error of every
//     refused STS call, and says why.
//   - TaskPolicyArn must name one of the five task policies ("You must use
//     one of following AWS managed policies"); another ARN is invalid
//     input (ValidationError; AWS documents no error for it).
//   - DurationSeconds 0 to 900, default 900 (RootDurationSecondsType; "The
//     value can range from 0 seconds up to the maximum session duration
//     of 900 seconds (15 minutes). If you specify a value higher than this
//     setting, the operation fails"). Out of range answers ValidationError
//     as every STS constraint does. AWS says nothing of what 0 gives;
//     orgsim takes the words as written: a session that has already
//     expired.
//   - IAMDeleteRootUserCredentials also needs root credentials management
//     (EnableOrganizationsRootCredentialsManagement): the user guide has
//     that feature "allow the management account and the delegated
//     administrator for IAM to delete root user credentials for member
//     accounts". AWS does not say where it enforces it; orgsim refuses the
//     session (the stricter reading). The other task policies need root
//     sessions only.
//
// The session acts as the member account's root user: its ARN is
// arn:PARTITION:iam::TARGET:root, its user id the account id, its
// principal type Account, and aws:AssumedRoot "true" is in the context of
// every request it makes (reqctx.go). The task policy limits it; the
// member account's SCPs apply to it as to any principal of a member
// account ("SCPs affect all users and roles in attached accounts,
// including the root user", Organizations user guide, "Service control
// policies"; AWS's own example SCP "Prevent root credentials management in
// member accounts" exempts root sessions with a Null test of
// aws:AssumedRoot). The same guide's exemption of the root user's
// password, access keys, x.509 keys and MFA from SCPs holds only for
// "some accounts created before September 15, 2017"; orgsim's accounts
// are younger, and SCPs bind those calls too.

// rootTaskPolicy is one of the task policies AssumeRoot takes.
type rootTaskPolicy struct {
	name   string
	arn    string
	doc    string
	policy *iampolicy.Policy
	// needsCredentialsManagement: the task also needs root credentials
	// management enabled (see above).
	needsCredentialsManagement bool
}

// rootTaskDocs are the task policies' documents as AWS publishes them
// (version v1 of each, 2024-11-06), with the partition written as
// ${partition}. Each holds only Deny statements: everything but the
// task's actions, and the task's actions on anything but the root user (or
// by anyone but a root user). The task policy is passed as a session
// policy ("The identity based policy that scopes the session to the
// privileged tasks that can be performed"), yet a session policy without
// an Allow would allow nothing, and AWS documents each task as working in
// its session; so AWS cannot be evaluating these documents as a session
// policy that must allow. orgsim applies them as they are written to
// work: an explicit Deny in one refuses the call ("with an explicit deny
// in a session policy"), and the root user's own permissions allow the
// rest (auth.go).
var rootTaskDocs = []struct {
	name, doc       string
	credentialsMgmt bool
}{
	{name: "IAMAuditRootUserCredentials", doc: `{"Version":"2012-10-17","Statement":[
  {"Sid":"DenyAllOtherActionsOnAnyResource","Effect":"Deny","NotAction":["iam:ListAccessKeys","iam:ListSigningCertificates","iam:GetLoginProfile","iam:ListMFADevices","iam:GetAccountSummary","iam:GetUser","iam:GetAccessKeyLastUsed"],"Resource":"*"},
  {"Sid":"DenyAuditingCredentialsOnNonRootUserResource","Effect":"Deny","Action":["iam:ListAccessKeys","iam:ListSigningCertificates","iam:GetLoginProfile","iam:ListMFADevices","iam:GetUser","iam:GetAccessKeyLastUsed"],"NotResource":"arn:${partition}:iam::*:root"}]}`},
	{name: "IAMCreateRootUserPassword", doc: `{"Version":"2012-10-17","Statement":[
  {"Sid":"DenyAllOtherActionsOnAnyResource","Effect":"Deny","NotAction":["iam:CreateLoginProfile","iam:GetLoginProfile"],"Resource":"*"},
  {"Sid":"DenyCreatingPasswordOnNonRootUserResource","Effect":"Deny","Action":["iam:CreateLoginProfile","iam:GetLoginProfile"],"NotResource":"arn:${partition}:iam::*:root"}]}`},
	{name: "IAMDeleteRootUserCredentials", credentialsMgmt: true, doc: `{"Version":"2012-10-17","Statement":[
  {"Sid":"DenyAllOtherActionsOnAnyResource","Effect":"Deny","NotAction":["iam:DeleteAccessKey","iam:DeleteSigningCertificate","iam:DeleteLoginProfile","iam:DeactivateMFADevice","iam:DeleteVirtualMFADevice","iam:ListAccessKeys","iam:ListSigningCertificates","iam:GetLoginProfile","iam:ListMFADevices","iam:GetUser","iam:GetAccessKeyLastUsed"],"Resource":"*"},
  {"Sid":"DenyDeletingRootUserCredentialsOnNonRootUserResource","Effect":"Deny","Action":["iam:DeleteAccessKey","iam:DeleteSigningCertificate","iam:DeleteLoginProfile","iam:DeactivateMFADevice","iam:DeleteVirtualMFADevice","iam:ListAccessKeys","iam:ListSigningCertificates","iam:GetLoginProfile","iam:ListMFADevices","iam:GetUser","iam:GetAccessKeyLastUsed"],"NotResource":"arn:${partition}:iam::*:root"}]}`},
	{name: "S3UnlockBucketPolicy", doc: `{"Version":"2012-10-17","Statement":[
  {"Sid":"DenyAllOtherActionsOnAnyResource","Effect":"Deny","NotAction":["s3:DeleteBucketPolicy","s3:PutBucketPolicy","s3:GetBucketPolicy","s3:ListAllMyBuckets"],"Resource":"*"},
  {"Sid":"DenyManagingBucketPolicyForNonRootCallers","Effect":"Deny","Action":["s3:DeleteBucketPolicy","s3:PutBucketPolicy","s3:GetBucketPolicy","s3:ListAllMyBuckets"],"Resource":"*","Condition":{"StringNotLike":{"aws:PrincipalArn":"arn:${partition}:iam::*:root"}}}]}`},
	{name: "SQSUnlockQueuePolicy", doc: `{"Version":"2012-10-17","Statement":[
  {"Sid":"DenyAllOtherActionsOnAnyResource","Effect":"Deny","NotAction":["sqs:SetQueueAttributes","sqs:GetQueueAttributes","sqs:ListQueues","sqs:GetQueueUrl"],"Resource":"*"},
  {"Sid":"DenyGettingQueueAttributesOnNonOwnQueue","Effect":"Deny","Action":["sqs:GetQueueAttributes"],"Resource":"arn:${partition}:sqs:*:*:*","Condition":{"StringNotEqualsIfExists":{"aws:ResourceAccount":["${aws:PrincipalAccount}"]}}},
  {"Sid":"DenyActionsForNonRootUser","Effect":"Deny","Action":["sqs:SetQueueAttributes","sqs:GetQueueAttributes","sqs:ListQueues","sqs:GetQueueUrl"],"Resource":"*","Condition":{"StringNotLike":{"aws:PrincipalArn":"arn:${partition}:iam::*:root"}}}]}`},
}

// RootTaskPolicies lists the names of the task policies AssumeRoot takes,
// arn:PARTITION:iam::aws:policy/root-task/<name>.
func RootTaskPolicies() []string {
	out := make([]string, len(rootTaskDocs))
	for i, d := range rootTaskDocs {
		out[i] = d.name
	}
	return out
}

var (
	rootTasksOnce sync.Once
	rootTasks     map[string]map[string]*rootTaskPolicy // partition -> ARN -> policy
)

// rootTaskPolicyByARN finds a task policy of the sim's partition by ARN.
func (s *Sim) rootTaskPolicyByARN(arn string) *rootTaskPolicy {
	rootTasksOnce.Do(func() {
		rootTasks = map[string]map[string]*rootTaskPolicy{}
		for name := range partitions {
			m := map[string]*rootTaskPolicy{}
			for _, d := range rootTaskDocs {
				doc := strings.ReplaceAll(d.doc, "${partition}", name)
				t := &rootTaskPolicy{
					name: d.name, arn: "arn:" + name + ":iam::aws:policy/root-task/" + d.name, doc: doc,
					policy: iampolicy.MustParse(doc, iampolicy.KindIdentity), needsCredentialsManagement: d.credentialsMgmt,
				}
				m[t.arn] = t
			}
			rootTasks[name] = m
		}
	})
	return rootTasks[s.part.name][arn]
}

// stsRootDurationMax is AssumeRoot's longest session and its default.
const stsRootDurationMax = 900

// stsTokenMax is the longest session token STS issues: "Increases the
// maximum session token size to 4,096 bytes" (aws-sdk-go-v2 service/sts
// CHANGELOG, the release that added SessionTokenSize and
// SessionTokenUtilization).
const stsTokenMax = 4096

// stsGlobalHosts are the global STS endpoints, by partition: only aws has
// one (sts.amazonaws.com); the other partitions' STS is regional.
var stsGlobalHosts = map[string]string{"aws": "sts.amazonaws.com"}

// globalEndpoint reports whether host, the Host a request was sent to, is
// the partition's global STS endpoint.
func (s *Sim) globalEndpoint(host string) bool {
	want := stsGlobalHosts[s.part.name]
	if want == "" {
		return false
	}
	if h, _, err := net.SplitHostPort(host); err == nil {
		host = h
	}
	return strings.EqualFold(strings.TrimSuffix(host, "."), want)
}

// globalEndpointRefusal is the global endpoint's answer to an operation
// only the regional endpoints serve (see above).
func globalEndpointRefusal() *apiError {
	return newErr(400, "InvalidAction", "Unknown Operation")
}

// missing records a required member the request left out, as the query
// services word it.
func (v *validationErrors) missing(member string) {
	*v = append(*v, "Value null at '"+member+"' failed to satisfy constraint: Member must not be null")
}

// rootTargetResource is the resource sts:AssumeRoot is authorized on: the
// target account's root user. An unusable TargetPrincipal leaves "*".
func rootTargetResource(c *call) string {
	if acct := c.sim.rootTarget(c.form.Get("TargetPrincipal")); acct != "" {
		return c.sim.arn("iam", "", acct, "root")
	}
	return "*"
}

// rootTarget is the account a TargetPrincipal names: "The member account
// principal ARN or account ID" (API reference), that is an account id or
// the account's root user ARN, arn:PARTITION:iam::ACCOUNT:root. Anything
// else names none ("").
func (s *Sim) rootTarget(v string) string {
	if isAccountID(v) {
		return v
	}
	if rest, ok := strings.CutPrefix(v, s.arnPrefix()+"iam::"); ok {
		if acct, ok := strings.CutSuffix(rest, ":root"); ok && isAccountID(acct) {
			return acct
		}
	}
	return ""
}

type stsAssumeRootResult struct {
	Credentials             stsCredentials `xml:"Credentials"`
	SessionTokenSize        int            `xml:"SessionTokenSize"`
	SessionTokenUtilization int            `xml:"SessionTokenUtilization"`
	SourceIdentity          string         `xml:"SourceIdentity,omitempty"`
}

func stsAssumeRoot(c *call) (any, *apiError) {
	f := c.form
	target := f.Get("TargetPrincipal")
	taskARN := f.Get("TaskPolicyArn.arn")

	// Syntax first, every violation at once. TargetPrincipal is 12 to
	// 2048 characters (TargetPrincipalType: an account id at the least);
	// the task policy ARN is an arnType, 20 to 2048.
	var v validationErrors
	if !f.Has("TargetPrincipal") {
		v.missing("targetPrincipal")
	} else {
		v.length(target, "targetPrincipal", 12, 2048)
	}
	if !f.Has("TaskPolicyArn.arn") {
		v.missing("taskPolicyArn.arn")
	} else {
		v.length(taskARN, "taskPolicyArn.arn", 20, 2048)
	}
	duration := stsRootDurationMax
	d, durationSet, e := queryInt(f, "DurationSeconds")
	if e != nil {
		return nil, e
	}
	if durationSet {
		switch {
		case d < 0:
			v.add(strconv.Itoa(d), "durationSeconds", "have value greater than or equal to 0")
		case d > stsRootDurationMax:
			v.add(strconv.Itoa(d), "durationSeconds", "have value less than or equal to 900")
		}
		duration = d
	}
	minToken, hasMinToken, e := queryInt(f, "MinimumSessionTokenSize")
	if e != nil {
		return nil, e
	}
	if hasMinToken && (minToken < 0 || minToken > stsTokenMax) {
		v.add(strconv.Itoa(minToken), "minimumSessionTokenSize", "have value less than or equal to 4096")
	}
	if e := v.err(); e != nil {
		return nil, e
	}
	account := c.sim.rootTarget(target)
	if account == "" {
		return nil, newErr(400, "ValidationError", "%s is not a valid target principal: give a member account's id or its root user's ARN", target)
	}
	task := c.sim.rootTaskPolicyByARN(taskARN)
	if task == nil {
		return nil, newErr(400, "ValidationError", "%s is not a task policy AssumeRoot accepts: use arn:%s:iam::aws:policy/root-task/ and one of %s", taskARN, c.sim.Partition(), strings.Join(RootTaskPolicies(), ", "))
	}

	caller := c.caller
	resource := c.sim.arn("iam", "", account, "root")
	denied := func(why string) *apiError {
		return newErr(403, "AccessDenied", "User: %s is not authorized to perform: sts:AssumeRoot on resource: %s %s", caller.arn, resource, why)
	}
	if caller.kind == principalRoot {
		// "You cannot use root user credentials to make this call."
		return nil, denied("because root user credentials cannot call AssumeRoot")
	}
	if why := c.sim.rootSessionsRefused(caller.account); why != "" {
		return nil, denied(why)
	}
	o := c.sim.org
	a := c.sim.accounts[account]
	switch {
	case a == nil || a.ParentID == "":
		return nil, denied("because the account is not a member of the organization")
	case account == o.mgmtID:
		return nil, denied("because the management account is not a member account: AssumeRoot targets member accounts only")
	case a.State != "ACTIVE":
		return nil, denied("because the account is not active")
	case task.needsCredentialsManagement && !o.rootAccess.credentialsManagement:
		return nil, denied("because root credentials management is not enabled for the organization")
	}
	// Regional STS issues credentials only for an account that has enabled
	// the region (STS API reference, AssumeRoot errors:
	// RegionDisabledException), as for AssumeRole.
	if !c.sim.regionEnabled(a, c.region) {
		return nil, newErr(403, "RegionDisabledException", "STS is not activated in the requested region for the account that is being asked to generate credentials. The account administrator must use the IAM console to activate STS in that region. For more information, see Activating and Deactivating STS in an Amazon Web Services Region in the IAM User Guide.")
	}

	p := c.sim.rootPrincipal(account)
	p.task = task
	p.expires = c.now.Add(timeSeconds(duration))
	p.sourceIdentity = caller.sourceIdentity
	p.session = newSession(c, false, nil, nil)
	cred := c.sim.mint(p)
	if hasMinToken && len(cred.token) < minToken {
		cred.token += c.sim.randomString(minToken - len(cred.token))
	}
	return &stsAssumeRootResult{
		Credentials: stsCredentials{
			AccessKeyId: cred.accessKey, SecretAccessKey: cred.secret, SessionToken: cred.token,
			Expiration: iso(p.expires),
		},
		SessionTokenSize:        len(cred.token),
		SessionTokenUtilization: (len(cred.token)*100 + stsTokenMax - 1) / stsTokenMax,
		// "The source identity specified by the principal that is calling
		// the AssumeRoot operation": the caller's, when it has one.
		SourceIdentity: caller.sourceIdentity,
	}, nil
}

// rootSessionsRefused says why account may not start root sessions, or ""
// when it may: the organization has all features, trusted access for IAM
// and root sessions enabled, and account is its management account or
// IAM's delegated administrator (as IAM sees it: a registration still
// propagating is not yet one). Callers hold s.mu.
func (s *Sim) rootSessionsRefused(account string) string {
	o := s.org
	switch {
	case o == nil || o.featureSet != "ALL":
		return "because centralized root access needs an organization with all features enabled"
	case account != o.mgmtID && !s.delegatedAdminUsable(iamServicePrincipal, account):
		return "because the account is neither the management account nor the delegated administrator for IAM (iam.amazonaws.com)"
	}
	if _, ok := o.serviceAccess[iamServicePrincipal]; !ok {
		return "because trusted access for IAM (iam.amazonaws.com) is not enabled in the organization"
	}
	if !o.rootAccess.rootSessions {
		return "because root sessions (EnableOrganizationsRootSessions) are not enabled for the organization"
	}
	return ""
}

// DeniedAsRootSession is Denied for a root session of account made by
// sts:AssumeRoot with the task policy task (one of RootTaskPolicies), as
// if it called the partition's home region just now: the task policy,
// the member account's SCPs and a request context with aws:AssumedRoot
// "true". It returns "" when the call is allowed, and says so when task
// is not a task policy.
func (s *Sim) DeniedAsRootSession(account, task, action, resource string) string {
	s.mu.Lock()
	defer s.mu.Unlock()
	now := s.now()
	s.settleDue(now)
	t := s.rootTaskPolicyByARN(s.arn("iam", "", "aws", "policy/root-task/"+task))
	if t == nil {
		return "orgsim: " + task + " is not a task policy AssumeRoot accepts"
	}
	p := s.rootPrincipal(account)
	p.task = t
	p.expires = now.Add(timeSeconds(stsRootDurationMax))
	p.session = &sessionFacts{issued: now, tags: map[string]string{}, transitive: map[string]bool{}}
	c := &call{sim: s, svc: s.serviceOf(action), caller: p, now: now, region: s.GlobalRegion()}
	return s.decide(p, s.authRequest(c, action, resource))
}
