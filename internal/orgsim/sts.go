package orgsim

import (
	"regexp"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/orgbaseline/orgbaseline/internal/iampolicy"
)

// AWS STS (awsQuery): AssumeRole and GetCallerIdentity (AWS-NOTES §5);
// AssumeRoot in sts_root.go.
//
// AssumeRole is authorized like every call (identity policies, SCPs of the
// caller's account and session policies, by the core, against the role's
// ARN); then the role must exist in an ACTIVE account of the organization
// and its trust policy must allow the caller. The new credentials are bound
// to the role's account: every later call made with them acts on that
// account's state.

func stsOps() map[string]op {
	return map[string]op{
		"GetCallerIdentity": {fn: stsGetCallerIdentity, action: "-"},
		// AssumeRoot: sts_root.go.
		"AssumeRoot": {fn: stsAssumeRoot, resource: rootTargetResource, regionalOnly: true},
		"AssumeRole": {fn: stsAssumeRole, resource: func(c *call) string {
			if arn := c.form.Get("RoleArn"); arn != "" {
				return arn
			}
			return "*"
		}},
	}
}

func stsGetCallerIdentity(c *call) (any, *apiError) {
	return &struct {
		UserId  string `xml:"UserId"`
		Account string `xml:"Account"`
		Arn     string `xml:"Arn"`
	}{c.caller.userID, c.caller.account, c.caller.arn}, nil
}

var (
	// ARNs of any partition; the caller checks the partition is the sim's.
	reSTSRoleARN     = regexp.MustCompile(`^arn:([\w-]+):iam::(\d{12}):role/(?:[\x21-\x7E]*/)?([\w+=,.@-]{1,64})$`)
	reSTSPolicyARN   = regexp.MustCompile(`^arn:([\w-]+):iam::(aws|\d{12}):policy/[\x21-\x7E]+$`)
	reSTSSessionName = regexp.MustCompile(`^[\w+=,.@-]*$`)
	reSTSExternalID  = regexp.MustCompile(`^[\w+=,.@:/-]*$`)
	reSTSSerial      = regexp.MustCompile(`^[\w+=/:,.@-]*$`)
	reSTSTokenCode   = regexp.MustCompile(`^\d*$`)
	reSTSTagKey      = regexp.MustCompile(`^[\p{L}\p{Z}\p{N}_.:/=+\-@]+$`)
	reSTSTagValue    = regexp.MustCompile(`^[\p{L}\p{Z}\p{N}_.:/=+\-@]*$`)
)

const (
	stsPolicyPlaintextMax = 2048
	stsChainedMax         = 3600
)

// validationErrors collects constraint violations and words them as the
// AWS query services do: "1 validation error detected: Value 'x' at
// 'member' failed to satisfy constraint: Member must ...".
type validationErrors []string

func (v *validationErrors) add(value, member, constraint string) {
	*v = append(*v, "Value '"+value+"' at '"+member+"' failed to satisfy constraint: Member must "+constraint)
}

func (v *validationErrors) length(value, member string, min, max int) bool {
	n := utf8.RuneCountInString(value)
	switch {
	case n < min:
		v.add(value, member, "have length greater than or equal to "+strconv.Itoa(min))
	case n > max:
		v.add(value, member, "have length less than or equal to "+strconv.Itoa(max))
	default:
		return true
	}
	return false
}

func (v *validationErrors) pattern(value, member string, re *regexp.Regexp, shown string) {
	if !re.MatchString(value) {
		v.add(value, member, "satisfy regular expression pattern: "+shown)
	}
}

func (v validationErrors) err() *apiError {
	if len(v) == 0 {
		return nil
	}
	noun := "errors"
	if len(v) == 1 {
		noun = "error"
	}
	return newErr(400, "ValidationError", "%d validation %s detected: %s", len(v), noun, strings.Join(v, "; "))
}

func validPolicyChars(s string) bool {
	for _, r := range s {
		if r != '\t' && r != '\n' && r != '\r' && (r < 0x20 || r > 0xFF) {
			return false
		}
	}
	return true
}

type stsCredentials struct {
	AccessKeyId     string   `xml:"AccessKeyId"`
	SecretAccessKey string   `xml:"SecretAccessKey"`
	SessionToken    string   `xml:"SessionToken"`
	Expiration      *isoTime `xml:"Expiration"`
}

type stsAssumeRoleResult struct {
	AssumedRoleUser struct {
		Arn           string `xml:"Arn"`
		AssumedRoleId string `xml:"AssumedRoleId"`
	} `xml:"AssumedRoleUser"`
	Credentials      stsCredentials `xml:"Credentials"`
	PackedPolicySize *int           `xml:"PackedPolicySize,omitempty"`
	SourceIdentity   string         `xml:"SourceIdentity,omitempty"`
}

func stsAssumeRole(c *call) (any, *apiError) {
	f := c.form
	roleARN := f.Get("RoleArn")
	session := f.Get("RoleSessionName")

	// Syntax first, every violation at once, as AWS reports them.
	var v validationErrors
	v.length(roleARN, "roleArn", 20, 2048)
	if v.length(session, "roleSessionName", 2, 64) {
		v.pattern(session, "roleSessionName", reSTSSessionName, `[\w+=,.@-]*`)
	}
	duration := 3600
	d, durationSet, e := queryInt(f, "DurationSeconds")
	if e != nil {
		return nil, e
	}
	if durationSet {
		switch {
		case d < 900:
			v.add(strconv.Itoa(d), "durationSeconds", "have value greater than or equal to 900")
		case d > 43200:
			v.add(strconv.Itoa(d), "durationSeconds", "have value less than or equal to 43200")
		}
		duration = d
	}
	externalID, hasExternalID := f.Get("ExternalId"), f.Has("ExternalId")
	if hasExternalID && v.length(externalID, "externalId", 2, 1224) {
		v.pattern(externalID, "externalId", reSTSExternalID, `[\w+=,.@:/-]*`)
	}
	policy, hasPolicy := f.Get("Policy"), f.Has("Policy")
	if hasPolicy && v.length(policy, "policy", 1, 1<<20) && !validPolicyChars(policy) {
		v.add(policy, "policy", `satisfy regular expression pattern: [\u0009\u000A\u000D\u0020-\u00FF]+`)
	}
	policyARNs := queryList(f, "PolicyArns", "arn")
	if len(policyARNs) > 10 {
		v.add("["+strings.Join(policyARNs, ", ")+"]", "policyArns", "have length less than or equal to 10")
	}
	for _, arn := range policyARNs {
		v.length(arn, "policyArns.member.arn", 20, 2048)
	}
	sourceIdentity, hasSourceIdentity := f.Get("SourceIdentity"), f.Has("SourceIdentity")
	if hasSourceIdentity && v.length(sourceIdentity, "sourceIdentity", 2, 64) {
		// The pattern has no ':', so the reserved "aws:" prefix fails it too.
		v.pattern(sourceIdentity, "sourceIdentity", reSTSSessionName, `[\w+=,.@-]*`)
	}
	tags := queryStructList(f, "Tags")
	if len(tags) > 50 {
		v.add("[...]", "tags", "have length less than or equal to 50")
	}
	for _, t := range tags {
		if v.length(t["Key"], "tags.member.key", 1, 128) {
			v.pattern(t["Key"], "tags.member.key", reSTSTagKey, `[\p{L}\p{Z}\p{N}_.:/=+\-@]+`)
		}
		if v.length(t["Value"], "tags.member.value", 0, 256) {
			v.pattern(t["Value"], "tags.member.value", reSTSTagValue, `[\p{L}\p{Z}\p{N}_.:/=+\-@]*`)
		}
	}
	if keys := queryList(f, "TransitiveTagKeys", ""); len(keys) > 50 {
		v.add("[...]", "transitiveTagKeys", "have length less than or equal to 50")
	}
	serial, hasSerial := f.Get("SerialNumber"), f.Has("SerialNumber")
	if hasSerial && v.length(serial, "serialNumber", 9, 256) {
		v.pattern(serial, "serialNumber", reSTSSerial, `[\w+=/:,.@-]*`)
	}
	token, hasToken := f.Get("TokenCode"), f.Has("TokenCode")
	if hasToken && v.length(token, "tokenCode", 6, 6) {
		v.pattern(token, "tokenCode", reSTSTokenCode, `[\d]*`)
	}
	minToken, hasMinToken, e := queryInt(f, "MinimumSessionTokenSize")
	if e != nil {
		return nil, e
	}
	if hasMinToken && (minToken < 0 || minToken > 4096) {
		v.add(strconv.Itoa(minToken), "minimumSessionTokenSize", "have value less than or equal to 4096")
	}
	if e := v.err(); e != nil {
		return nil, e
	}
	m := reSTSRoleARN.FindStringSubmatch(roleARN)
	if m == nil || m[1] != c.sim.Partition() {
		return nil, newErr(400, "ValidationError", "%s is invalid", roleARN)
	}
	account, roleName := m[2], m[3]

	caller := c.caller
	if caller.kind == principalRoot {
		return nil, newErr(403, "AccessDenied", "Roles may not be assumed by root accounts.")
	}
	denied := func(action string) *apiError {
		return newErr(403, "AccessDenied", "User: %s is not authorized to perform: %s on resource: %s", caller.arn, action, roleARN)
	}

	// The role, its account and its trust policy. Every failure here is the
	// same AccessDenied, so a caller learns nothing about other accounts.
	target := c.sim.accounts[account]
	if target == nil || target.State != "ACTIVE" {
		return nil, denied("sts:AssumeRole")
	}
	role := target.iam.roles[roleName]
	if role == nil || role.arn != roleARN || role.trust == nil || role.trust.parsed == nil {
		return nil, denied("sts:AssumeRole")
	}
	req := c.sim.authRequest(c, "sts:AssumeRole", roleARN)
	req.Context["sts:rolesessionname"] = []string{session}
	if hasExternalID {
		req.Context["sts:externalid"] = []string{externalID}
	}
	if hasSourceIdentity {
		req.Context["sts:sourceidentity"] = []string{sourceIdentity}
	}
	mfa := hasSerial && hasToken && callerHasMFA(c, serial)
	if mfa {
		req.Context["aws:multifactorauthpresent"] = []string{"true"}
		req.Context["aws:multifactorauthage"] = []string{"0"}
	}
	if role.trust.parsed.Evaluate(req).Decision != iampolicy.Allow {
		return nil, denied("sts:AssumeRole")
	}
	// A role just created cannot be assumed until IAM has propagated it:
	// AWS answers the same AccessDenied as for a role that does not trust
	// the caller for seconds after CreateRole (hashicorp/terraform-provider-aws
	// issue 6566: "After the creation of a role, it cannot be assumed for
	// 10-30 seconds"; JuliaCloud/AWS.jl issue 282; DataDog/stratus-red-team
	// pull request 358). Of the two errors seen there (AccessDenied, then
	// briefly others), orgsim answers AccessDenied throughout, the one a
	// client cannot tell from a real denial (AWSLike.PropagationDelay).
	if role.propagating {
		return nil, denied("sts:AssumeRole")
	}
	// Regional STS in an opt-in region issues credentials only for an
	// account that has enabled the region: RegionDisabledException (STS
	// API reference, AssumeRole errors; the caller's own account must have
	// it enabled too, or its credentials are unknown there, handler.go).
	if !c.sim.regionEnabled(target, c.region) {
		return nil, newErr(403, "RegionDisabledException", "STS is not activated in the requested region for the account that is being asked to generate credentials. The account administrator must use the IAM console to activate STS in that region. For more information, see Activating and Deactivating STS in an Amazon Web Services Region in the IAM User Guide.")
	}
	// Setting a source identity and passing session tags need their own
	// permissions in the trust policy. A source identity, once set, persists
	// through role chaining and cannot be changed.
	newSourceIdentity := caller.sourceIdentity
	if hasSourceIdentity {
		if caller.sourceIdentity != "" && caller.sourceIdentity != sourceIdentity {
			return nil, denied("sts:SetSourceIdentity")
		}
		req.Action = "sts:SetSourceIdentity"
		if role.trust.parsed.Evaluate(req).Decision != iampolicy.Allow {
			return nil, denied("sts:SetSourceIdentity")
		}
		newSourceIdentity = sourceIdentity
	}
	if len(tags) > 0 {
		req.Action = "sts:TagSession"
		if role.trust.parsed.Evaluate(req).Decision != iampolicy.Allow {
			return nil, denied("sts:TagSession")
		}
	}

	chained := caller.kind == principalAssumedRole
	maxSession := role.maxSession
	if maxSession == 0 {
		maxSession = 3600
	}
	if chained && durationSet && duration > stsChainedMax {
		return nil, newErr(400, "ValidationError", "The requested DurationSeconds exceeds the 1 hour session limit for roles assumed by role chaining.")
	}
	if duration > maxSession {
		return nil, newErr(400, "ValidationError", "The requested DurationSeconds exceeds the MaxSessionDuration set for this role.")
	}

	// Session policies: the plaintext of the inline policy and the managed
	// policy ARNs together is limited to 2,048 characters.
	plaintext := 0
	if hasPolicy {
		plaintext += utf8.RuneCountInString(policy)
	}
	for _, arn := range policyARNs {
		plaintext += len(arn)
	}
	packed := (plaintext*100 + stsPolicyPlaintextMax - 1) / stsPolicyPlaintextMax
	if plaintext > stsPolicyPlaintextMax {
		return nil, newErr(400, "PackedPolicyTooLarge", "Packed policy consumes %d%% of allotted space, please use smaller policy.", packed)
	}
	var sessionPolicies []*iampolicy.Policy
	if hasPolicy {
		p, err := iampolicy.Parse([]byte(policy), iampolicy.KindIdentity)
		if err != nil {
			return nil, newErr(400, "MalformedPolicyDocument", "The policy is not in the valid JSON format or is not a valid session policy: %s", policyProblems(err))
		}
		sessionPolicies = append(sessionPolicies, p)
	}
	for _, arn := range policyARNs {
		// A managed session policy must exist: AWS managed, or customer
		// managed in the role's account. AWS answers an unknown or
		// malformed ARN with MalformedPolicyDocument (the one policy error
		// AssumeRole models besides PackedPolicyTooLarge).
		pm := reSTSPolicyARN.FindStringSubmatch(arn)
		var mp *iamManagedPolicy
		switch {
		case pm == nil || pm[1] != c.sim.Partition():
		case pm[2] == "aws":
			mp = target.iam.awsPolicies[arn]
		case pm[2] == account:
			mp = target.iam.policies[arn]
		}
		if mp == nil || mp.current() == nil {
			return nil, newErr(400, "MalformedPolicyDocument", "Policy %s does not exist or is not attachable.", arn)
		}
		if sessionPolicies == nil {
			sessionPolicies = []*iampolicy.Policy{}
		}
		sessionPolicies = append(sessionPolicies, mp.current().parsed)
	}

	cred := c.sim.mint(&principal{
		kind: principalAssumedRole, account: account,
		arn:    c.sim.arn("sts", "", account, "assumed-role/"+role.name+"/"+session),
		userID: role.id + ":" + session, roleName: role.name, roleARN: role.arn, sessionName: session,
		sessionPolicies: sessionPolicies, chained: chained,
		expires: c.now.Add(timeSeconds(duration)), sourceIdentity: newSourceIdentity,
		session: newSession(c, mfa, tags, queryList(f, "TransitiveTagKeys", "")),
	})
	if hasMinToken && len(cred.token) < minToken {
		cred.token += c.sim.randomString(minToken - len(cred.token))
	}
	role.lastUsed = c.now

	out := &stsAssumeRoleResult{
		Credentials: stsCredentials{
			AccessKeyId: cred.accessKey, SecretAccessKey: cred.secret, SessionToken: cred.token,
			Expiration: iso(cred.p.expires),
		},
		SourceIdentity: newSourceIdentity,
	}
	out.AssumedRoleUser.Arn = cred.p.arn
	out.AssumedRoleUser.AssumedRoleId = cred.p.userID
	if hasPolicy || len(policyARNs) > 0 || len(tags) > 0 {
		out.PackedPolicySize = &packed
	}
	return out, nil
}

// callerHasMFA reports whether the calling IAM user owns the MFA device
// serial (orgsim accepts any six-digit code).
func callerHasMFA(c *call, serial string) bool {
	if c.caller.kind != principalUser {
		return false
	}
	u := c.acct.iam.users[c.caller.userName]
	if u == nil {
		return false
	}
	for _, d := range u.mfa {
		if d.serial == serial {
			return true
		}
	}
	return false
}

func timeSeconds(n int) time.Duration { return time.Duration(n) * time.Second }
