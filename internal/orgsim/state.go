package orgsim

import (
	"time"

	"github.com/orgbaseline/orgbaseline/internal/iampolicy"
)

// The state types that more than one service reads: the organization
// (Organizations, and every authorization through its SCPs), IAM identities
// (IAM, STS and authorization) and S3 buckets (S3, and CloudTrail and Config
// checking their log buckets). Service-private state lives beside its service.

// organization is the AWS Organization.
type organization struct {
	id         string // o-xxxxxxxxxx
	arn        string
	featureSet string // ALL | CONSOLIDATED_BILLING
	mgmtID     string
	mgmtEmail  string
	root       *orgRoot
	ous        map[string]*orgOU
	ouOrder    []string // OU ids in creation order
	policies   map[string]*orgPolicy
	polOrder   []string // policy ids in creation order
	// attachments maps a target (root, OU or account id) to the ids of the
	// policies attached to it, in attachment order.
	attachments map[string][]string
	// serviceAccess maps a service principal with trusted access to the date it was enabled.
	serviceAccess map[string]time.Time
	// delegatedAdmins maps a service principal to its delegated administrators.
	delegatedAdmins map[string][]*delegatedAdmin
	// rootAccess is IAM's centralized root access for member accounts
	// (iam_rootaccess.go).
	rootAccess rootAccessFeatures
	// changedAt maps a policy or target id to its last change of content
	// or attachments (organizations_mgmt.go); nil until the first.
	changedAt map[string]time.Time
}

type orgRoot struct {
	id          string // r-xxxx
	arn         string
	name        string
	policyTypes map[string]string // type -> ENABLED | PENDING_ENABLE | PENDING_DISABLE
	tags        map[string]string
}

type orgOU struct {
	id       string
	arn      string
	name     string
	parentID string
	tags     map[string]string
}

type orgPolicy struct {
	id          string
	arn         string
	name        string
	description string
	typ         string // SERVICE_CONTROL_POLICY, ...
	awsManaged  bool
	content     string
	parsed      *iampolicy.Policy // compiled once, on create or update
	tags        map[string]string
}

type delegatedAdmin struct {
	accountID string
	since     time.Time
	// propagating: registered (ListDelegatedAdministrators shows it), but
	// not yet seen by the service itself (AWSLike.PropagationDelay).
	propagating bool
}

// delegatedAdminUsable reports whether account is a delegated
// administrator for the service principal sp as the service sees it: a
// registration just made is not, until it has propagated ("Account X is
// not a delegated administrator" right after registering,
// awslabs/landing-zone-accelerator-on-aws issue 922). Callers hold s.mu.
func (s *Sim) delegatedAdminUsable(sp, account string) bool {
	if s.org == nil {
		return false
	}
	for _, d := range s.org.delegatedAdmins[sp] {
		if d.accountID == account {
			return !d.propagating
		}
	}
	return false
}

// propagate marks something just made (a role, a registration) as not yet
// usable by the AWS services that depend on it, and schedules the end of
// that on the sim clock after AWSLike.PropagationDelay. *flag is true
// while it propagates. what names it for the admin API. Callers hold s.mu.
func (s *Sim) propagate(now time.Time, what string, flag *bool) {
	if s.like.PropagationDelay <= 0 {
		return
	}
	*flag = true
	s.later(now, s.like.PropagationDelay, what, func() { *flag = false })
}

// parentChain returns the ids from the root down to target's parent:
// [root, ou1, ou2, ...]. target may be an account or an OU.
func (s *Sim) parentChain(target string) []string {
	var chain []string
	parent := ""
	if a := s.accounts[target]; a != nil {
		parent = a.ParentID
	} else if ou := s.org.ous[target]; ou != nil {
		parent = ou.parentID
	}
	for parent != "" {
		chain = append(chain, parent)
		if ou := s.org.ous[parent]; ou != nil {
			parent = ou.parentID
		} else {
			parent = ""
		}
	}
	for i, j := 0, len(chain)-1; i < j; i, j = i+1, j-1 {
		chain[i], chain[j] = chain[j], chain[i]
	}
	return chain
}

// iamState is one account's IAM: identities, policies, the password policy,
// the root user and the credential report.
type iamState struct {
	users          map[string]*iamUser
	roles          map[string]*iamRole
	groups         map[string]*iamGroup
	policies       map[string]*iamManagedPolicy // customer managed, by ARN
	awsPolicies    map[string]*iamManagedPolicy // AWS managed, of the sim's partition (managed.go)
	passwordPolicy *passwordPolicy
	root           rootUser
	report         *credentialReport
	// virtualMFA are the virtual MFA devices created with
	// CreateVirtualMFADevice, assigned or not (an assigned one is also in
	// its user's mfa list).
	virtualMFA []*mfaDevice
}

type iamUser struct {
	name, path, id, arn string
	created             time.Time
	passwordLastUsed    time.Time
	login               *loginProfile
	accessKeys          []*accessKey
	mfa                 []*mfaDevice
	attached            []string // managed policy ARNs
	inline              map[string]*policyDoc
	groups              []string
	tags                map[string]string
}

type loginProfile struct {
	created       time.Time
	resetRequired bool
	changed       time.Time // password last changed; zero means created
}

type accessKey struct {
	id              string
	secret          string
	status          string // Active | Inactive
	created         time.Time
	lastUsed        time.Time
	lastUsedService string
	lastUsedRegion  string
}

type mfaDevice struct {
	serial  string
	enabled time.Time
	virtual bool
	user    string // the user it is assigned to ("" when unassigned); virtual devices only
	created time.Time
}

type iamRole struct {
	name, path, id, arn string
	description         string
	created             time.Time
	trust               *policyDoc
	maxSession          int // seconds, 3600..43200
	attached            []string
	inline              map[string]*policyDoc
	tags                map[string]string
	lastUsed            time.Time
	lastUsedRegion      string
	// propagating: just made; AWS services cannot assume it yet
	// (AWSLike.PropagationDelay).
	propagating bool
}

type iamGroup struct {
	name, path, id, arn string
	created             time.Time
	attached            []string
	inline              map[string]*policyDoc
}

type iamManagedPolicy struct {
	name, path, id, arn string
	description         string
	awsManaged          bool
	created, updated    time.Time
	defaultVersion      string
	versions            []*policyVersion
	nextVersion         int // number of the next version (v<n>); 0 means len(versions)+1
	tags                map[string]string
}

type policyVersion struct {
	id      string // v1, v2, ...
	doc     *policyDoc
	created time.Time
}

// policyDoc is a policy document as stored (verbatim) and as compiled.
type policyDoc struct {
	text   string
	parsed *iampolicy.Policy
}

// rootUser is the account's root user and its credentials, as the
// credential report, the account summary and a root session
// (sts:AssumeRoot, sts_root.go) see them.
type rootUser struct {
	created          time.Time
	mfa              bool
	hardwareMFA      bool
	accessKeys       []*accessKey
	passwordLastUsed time.Time
	// login is the root user's console password (AccountPasswordPresent;
	// GetLoginProfile in a root session); nil when it has none.
	login *loginProfile
	// certs are the root user's X.509 signing certificates
	// (AccountSigningCertificatesPresent; ListSigningCertificates in a
	// root session).
	certs []*signingCert
}

// signingCert is an X.509 signing certificate of the root user.
type signingCert struct {
	id       string
	body     string
	status   string // Active | Inactive
	uploaded time.Time
}

type passwordPolicy struct {
	MinimumPasswordLength      int
	RequireSymbols             bool
	RequireNumbers             bool
	RequireUppercaseCharacters bool
	RequireLowercaseCharacters bool
	AllowUsersToChangePassword bool
	MaxPasswordAge             int // 0 = never expires
	PasswordReusePrevention    int // 0 = none
	HardExpiry                 bool
}

type credentialReport struct {
	generated time.Time
	content   []byte
	// complete is set once the report is built, AWSLike.CredentialReportDelay
	// after GenerateCredentialReport started it (iam_report.go); until then
	// GetCredentialReport answers ReportInProgress.
	complete bool
}

func newIAMState() *iamState {
	return &iamState{
		users:    map[string]*iamUser{},
		roles:    map[string]*iamRole{},
		groups:   map[string]*iamGroup{},
		policies: map[string]*iamManagedPolicy{},
		// addAccount sets the sim's partition's.
		awsPolicies: managedPolicies["aws"],
	}
}

// managedPolicy finds a managed policy by ARN: an AWS managed one (shared by
// every account) or a customer managed one of this account.
func (st *iamState) managedPolicy(arn string) *iamManagedPolicy {
	if p := st.awsPolicies[arn]; p != nil {
		return p
	}
	return st.policies[arn]
}

// current returns the default version's document.
func (p *iamManagedPolicy) current() *policyDoc {
	for _, v := range p.versions {
		if v.id == p.defaultVersion {
			return v.doc
		}
	}
	return nil
}

// bucket is an S3 bucket.
type bucket struct {
	name    string
	owner   string // account id
	region  string
	created time.Time
	policy  string // verbatim, "" when none
	parsed  *iampolicy.Policy
	// A policy just put (or deleted) reaches the services that deliver to
	// the bucket after AWSLike.PropagationDelay; until then they see the
	// one before (prevParsed). policyGen tells the latest change from
	// earlier ones still settling.
	policyPending     bool
	prevParsed        *iampolicy.Policy
	policyGen         uint64
	versioning        string // "" | Enabled | Suspended
	mfaDelete         string // "" (never set) | Enabled | Disabled
	publicAccessBlock *publicAccessBlock
	encryption        *bucketEncryption
	tags              map[string]string
}

type publicAccessBlock struct {
	BlockPublicAcls, IgnorePublicAcls, BlockPublicPolicy, RestrictPublicBuckets bool
}

type bucketEncryption struct {
	Algorithm string // AES256 | aws:kms | aws:kms:dsse
	KMSKeyID  string
	BucketKey bool
}

// servicePolicy is the bucket policy as the AWS services that deliver to
// the bucket (CloudTrail, Config) see it: a new policy reaches them only
// after it has propagated (intermittent InsufficientS3BucketPolicy on
// clean installs, hashicorp/terraform-provider-aws issue 33569).
func (b *bucket) servicePolicy() *iampolicy.Policy {
	if b.policyPending {
		return b.prevParsed
	}
	return b.parsed
}

// setPolicy replaces the bucket's policy (nil deletes it); the services
// see the change once it has propagated. Callers hold s.mu.
func (s *Sim) setBucketPolicy(b *bucket, now time.Time, doc string, pol *iampolicy.Policy) {
	before := b.servicePolicy()
	b.policy, b.parsed = doc, pol
	if s.like.PropagationDelay <= 0 {
		b.policyPending, b.prevParsed = false, nil
		return
	}
	b.policyGen++
	gen := b.policyGen
	b.policyPending, b.prevParsed = true, before
	s.later(now, s.like.PropagationDelay, "the policy of bucket "+b.name+" reaching CloudTrail and Config", func() {
		if b.policyGen == gen {
			b.policyPending, b.prevParsed = false, nil
		}
	})
}
