package orgsim

import (
	"regexp"
	"sort"
	"strings"
	"time"

	"github.com/orgbaseline/orgbaseline/internal/iampolicy"
)

// CloudTrail (awsJson1_1, regional). A trail lives in its home region, in
// the account that owns it; an organization trail is owned by the
// management account even when a delegated administrator created it.
//
// Visibility, as AWS documents it:
//   - a multi-region trail appears in every other region of its account as
//     a shadow trail (DescribeTrails includeShadowTrails, HomeRegion set);
//   - an organization trail appears, read-only, in every member account
//     (in its home region, or everywhere when it is multi-region), with the
//     management account's ARN;
//   - a name resolves only to a trail of the caller's account homed in the
//     request's region; a shadow or organization trail must be named by ARN
//     ("To get the status of a shadow trail ... you must specify its ARN").
//
// Changes (update, delete, logging, selectors) are accepted only in the
// home region (InvalidHomeRegionException elsewhere) and, for organization
// trails, only from the management account or a delegated administrator.

// trailState is one account's trails homed in one region.
type trailState struct {
	trails map[string]*ctTrail // by name
	order  []string            // names in creation order
}

// ctTrail is one trail.
type ctTrail struct {
	name, arn    string
	account      string // owner: the management account for an organization trail
	homeRegion   string
	bucket       string
	prefix       string
	snsTopicName string
	snsTopicARN  string
	global       bool // IncludeGlobalServiceEvents
	multiRegion  bool
	validation   bool
	org          bool
	cwLogGroup   string
	cwRole       string
	kmsKey       string // full key ARN as AWS reports it

	selectors []ctEventSelector    // nil: the default (all management events)
	advanced  []ctAdvancedSelector // set instead of selectors
	custom    bool                 // HasCustomEventSelectors

	logging                       bool
	startTime, stopTime, delivery time.Time
	tags                          []ctTag
}

type ctTag struct {
	Key   string  `json:"Key"`
	Value *string `json:"Value,omitempty"`
}

type ctDataResource struct {
	Type   *string  `json:"Type,omitempty"`
	Values []string `json:"Values"`
}

type ctEventSelector struct {
	ReadWriteType                 *string          `json:"ReadWriteType,omitempty"`
	IncludeManagementEvents       *bool            `json:"IncludeManagementEvents,omitempty"`
	DataResources                 []ctDataResource `json:"DataResources"`
	ExcludeManagementEventSources []string         `json:"ExcludeManagementEventSources"`
}

type ctFieldSelector struct {
	Field         string   `json:"Field"`
	Equals        []string `json:"Equals,omitempty"`
	StartsWith    []string `json:"StartsWith,omitempty"`
	EndsWith      []string `json:"EndsWith,omitempty"`
	NotEquals     []string `json:"NotEquals,omitempty"`
	NotStartsWith []string `json:"NotStartsWith,omitempty"`
	NotEndsWith   []string `json:"NotEndsWith,omitempty"`
}

func (f *ctFieldSelector) values() int {
	return len(f.Equals) + len(f.StartsWith) + len(f.EndsWith) + len(f.NotEquals) + len(f.NotStartsWith) + len(f.NotEndsWith)
}

type ctAdvancedSelector struct {
	Name           *string           `json:"Name,omitempty"`
	FieldSelectors []ctFieldSelector `json:"FieldSelectors"`
}

// ctTrailOut is the Trail shape of GetTrail and DescribeTrails.
type ctTrailOut struct {
	Name                       string `json:"Name"`
	S3BucketName               string `json:"S3BucketName,omitempty"`
	S3KeyPrefix                string `json:"S3KeyPrefix,omitempty"`
	SnsTopicName               string `json:"SnsTopicName,omitempty"`
	SnsTopicARN                string `json:"SnsTopicARN,omitempty"`
	IncludeGlobalServiceEvents bool   `json:"IncludeGlobalServiceEvents"`
	IsMultiRegionTrail         bool   `json:"IsMultiRegionTrail"`
	HomeRegion                 string `json:"HomeRegion"`
	TrailARN                   string `json:"TrailARN"`
	LogFileValidationEnabled   bool   `json:"LogFileValidationEnabled"`
	CloudWatchLogsLogGroupArn  string `json:"CloudWatchLogsLogGroupArn,omitempty"`
	CloudWatchLogsRoleArn      string `json:"CloudWatchLogsRoleArn,omitempty"`
	KmsKeyId                   string `json:"KmsKeyId,omitempty"`
	HasCustomEventSelectors    bool   `json:"HasCustomEventSelectors"`
	HasInsightSelectors        bool   `json:"HasInsightSelectors"`
	IsOrganizationTrail        bool   `json:"IsOrganizationTrail"`
}

// ctWriteOut is the output of CreateTrail and UpdateTrail.
type ctWriteOut struct {
	Name                       string `json:"Name"`
	S3BucketName               string `json:"S3BucketName,omitempty"`
	S3KeyPrefix                string `json:"S3KeyPrefix,omitempty"`
	SnsTopicName               string `json:"SnsTopicName,omitempty"`
	SnsTopicARN                string `json:"SnsTopicARN,omitempty"`
	IncludeGlobalServiceEvents bool   `json:"IncludeGlobalServiceEvents"`
	IsMultiRegionTrail         bool   `json:"IsMultiRegionTrail"`
	TrailARN                   string `json:"TrailARN"`
	LogFileValidationEnabled   bool   `json:"LogFileValidationEnabled"`
	CloudWatchLogsLogGroupArn  string `json:"CloudWatchLogsLogGroupArn,omitempty"`
	CloudWatchLogsRoleArn      string `json:"CloudWatchLogsRoleArn,omitempty"`
	KmsKeyId                   string `json:"KmsKeyId,omitempty"`
	IsOrganizationTrail        bool   `json:"IsOrganizationTrail"`
}

func (t *ctTrail) out() ctTrailOut {
	return ctTrailOut{
		Name: t.name, S3BucketName: t.bucket, S3KeyPrefix: t.prefix,
		SnsTopicName: t.snsTopicName, SnsTopicARN: t.snsTopicARN,
		IncludeGlobalServiceEvents: t.global, IsMultiRegionTrail: t.multiRegion,
		HomeRegion: t.homeRegion, TrailARN: t.arn, LogFileValidationEnabled: t.validation,
		CloudWatchLogsLogGroupArn: t.cwLogGroup, CloudWatchLogsRoleArn: t.cwRole,
		KmsKeyId: t.kmsKey, HasCustomEventSelectors: t.custom, IsOrganizationTrail: t.org,
	}
}

func (t *ctTrail) writeOut() ctWriteOut {
	return ctWriteOut{
		Name: t.name, S3BucketName: t.bucket, S3KeyPrefix: t.prefix,
		SnsTopicName: t.snsTopicName, SnsTopicARN: t.snsTopicARN,
		IncludeGlobalServiceEvents: t.global, IsMultiRegionTrail: t.multiRegion,
		TrailARN: t.arn, LogFileValidationEnabled: t.validation,
		CloudWatchLogsLogGroupArn: t.cwLogGroup, CloudWatchLogsRoleArn: t.cwRole,
		KmsKeyId: t.kmsKey, IsOrganizationTrail: t.org,
	}
}

func cloudtrailOps() map[string]op {
	byName := func(field string) func(c *call) string {
		return func(c *call) string { return ctResourceARN(c, field) }
	}
	return map[string]op{
		"CreateTrail":       {fn: ctCreateTrail, write: true, resource: byName("Name")},
		"UpdateTrail":       {fn: ctUpdateTrail, write: true, resource: byName("Name")},
		"DeleteTrail":       {fn: ctDeleteTrail, write: true, resource: byName("Name")},
		"GetTrail":          {fn: ctGetTrail, resource: byName("Name")},
		"DescribeTrails":    {fn: ctDescribeTrails},
		"ListTrails":        {fn: ctListTrails},
		"GetTrailStatus":    {fn: ctGetTrailStatus, resource: byName("Name")},
		"StartLogging":      {fn: ctStartLogging, write: true, resource: byName("Name")},
		"StopLogging":       {fn: ctStopLogging, write: true, resource: byName("Name")},
		"PutEventSelectors": {fn: ctPutEventSelectors, write: true, resource: byName("TrailName")},
		"GetEventSelectors": {fn: ctGetEventSelectors, resource: byName("TrailName")},
		"AddTags":           {fn: ctAddTags, write: true, resource: byName("ResourceId")},
		"RemoveTags":        {fn: ctRemoveTags, write: true, resource: byName("ResourceId")},
		"ListTags":          {fn: ctListTags},

		"RegisterOrganizationDelegatedAdmin":   {fn: ctRegisterDelegatedAdmin, write: true},
		"DeregisterOrganizationDelegatedAdmin": {fn: ctDeregisterDelegatedAdmin, write: true},
	}
}

// ctResourceARN is the trail ARN a request acts on, for authorization:
// the ARN itself when the caller gave one, else the ARN a trail of that
// name has (or would have) in the caller's account and region.
func ctResourceARN(c *call, field string) string {
	var in map[string]any
	if c.decode(&in) != nil {
		return "*"
	}
	id, _ := in[field].(string)
	if id == "" {
		return "*"
	}
	if strings.HasPrefix(id, "arn:") {
		return id
	}
	if t := ctPeek(c.acct, c.region).get(id); t != nil {
		return t.arn
	}
	return c.sim.ctARN(c.region, c.acct.ID, id)
}

func (s *Sim) ctARN(region, account, name string) string {
	return s.arn("cloudtrail", region, account, "trail/"+name)
}

// ctRegionState returns (creating it) a's trail state in region.
func ctRegionState(a *Account, region string) *trailState {
	r := a.region(region)
	if r.trails == nil {
		r.trails = &trailState{trails: map[string]*ctTrail{}}
	}
	return r.trails
}

// ctPeek returns a's trail state in region without creating anything.
func ctPeek(a *Account, region string) *trailState {
	if a == nil {
		return nil
	}
	if r := a.regions[region]; r != nil {
		return r.trails
	}
	return nil
}

func (st *trailState) list() []*ctTrail {
	if st == nil {
		return nil
	}
	out := make([]*ctTrail, 0, len(st.order))
	for _, n := range st.order {
		out = append(out, st.trails[n])
	}
	return out
}

// get returns the trail called name, or nil; st may be nil.
func (st *trailState) get(name string) *ctTrail {
	if st == nil {
		return nil
	}
	return st.trails[name]
}

func (st *trailState) add(t *ctTrail) {
	st.trails[t.name] = t
	st.order = append(st.order, t.name)
}

func (st *trailState) remove(name string) {
	delete(st.trails, name)
	for i, n := range st.order {
		if n == name {
			st.order = append(st.order[:i:i], st.order[i+1:]...)
			return
		}
	}
}

func ctSortedRegions(a *Account) []string {
	if a == nil {
		return nil
	}
	rs := make([]string, 0, len(a.regions))
	for r := range a.regions {
		rs = append(rs, r)
	}
	sort.Strings(rs)
	return rs
}

// ctOrgMember reports whether account belongs to the organization.
func (s *Sim) ctOrgMember(account string) bool {
	if s.org == nil {
		return false
	}
	a := s.accounts[account]
	return a != nil && a.State != "CLOSED" && (a.ParentID != "" || account == s.org.mgmtID)
}

// ctView is a trail as one account sees it in one region.
type ctView struct {
	t      *ctTrail
	shadow bool
}

// ctVisible lists the trails account a sees in region: its own trails
// homed there, then its multi-region trails homed elsewhere (shadows),
// then the organization trails of the management account (for members).
func (s *Sim) ctVisible(a *Account, region string) []ctView {
	var out []ctView
	for _, t := range ctPeek(a, region).list() {
		out = append(out, ctView{t, false})
	}
	for _, r := range ctSortedRegions(a) {
		if r == region {
			continue
		}
		for _, t := range ctPeek(a, r).list() {
			if t.multiRegion {
				out = append(out, ctView{t, true})
			}
		}
	}
	if s.org == nil || a.ID == s.org.mgmtID || !s.ctOrgMember(a.ID) {
		return out
	}
	mgmt := s.accounts[s.org.mgmtID]
	for _, r := range ctSortedRegions(mgmt) {
		for _, t := range ctPeek(mgmt, r).list() {
			if t.org && (t.multiRegion || r == region) {
				out = append(out, ctView{t, true})
			}
		}
	}
	return out
}

func ctNotFound(c *call, id string) *apiError {
	return newErr(400, "TrailNotFoundException", "Unknown trail: %s for the user: %s", id, c.acct.ID)
}

// ctResolve finds the trail a Name (name or ARN) designates for the caller.
func ctResolve(c *call, id string) (*ctTrail, *apiError) {
	if id == "" {
		return nil, newErr(400, "InvalidTrailNameException", "Trail name cannot be empty.")
	}
	if strings.HasPrefix(id, "arn:") {
		if _, _, _, ok := ctParseARN(id); !ok {
			return nil, newErr(400, "CloudTrailARNInvalidException", "Invalid ARN provided: %s. The ARN must be in the format %scloudtrail:<region>:<account-id>:trail/<trail-name>.", id, c.sim.arnPrefix())
		}
		for _, v := range c.sim.ctVisible(c.acct, c.region) {
			if v.t.arn == id {
				return v.t, nil
			}
		}
		return nil, ctNotFound(c, id)
	}
	if e := ctValidName(id); e != nil {
		return nil, e
	}
	if t := ctPeek(c.acct, c.region).get(id); t != nil {
		return t, nil
	}
	return nil, ctNotFound(c, id)
}

// ctWritable checks that the caller may change t from this region.
func ctWritable(c *call, t *ctTrail) *apiError {
	if t.account != c.acct.ID && !(t.org && c.sim.delegatedAdminUsable("cloudtrail.amazonaws.com", c.acct.ID)) {
		return newErr(400, "NotOrganizationMasterAccountException", "You cannot configure or manage trails for an organization because this action requires being signed in with the management account or a delegated administrator account. You are signed in with the following AWS account ID: %s", c.acct.ID)
	}
	if t.homeRegion != c.region {
		return newErr(400, "InvalidHomeRegionException", "The trail %s was created in %s. It can only be updated, deleted, started or stopped from its home region %s, not from %s.", t.arn, t.homeRegion, t.homeRegion, c.region)
	}
	return nil
}

var ctARNPattern = regexp.MustCompile(`^arn:aws[a-z-]*:cloudtrail:([a-z0-9-]+):(\d{12}):trail/(.+)$`)

func ctParseARN(s string) (region, account, name string, ok bool) {
	m := ctARNPattern.FindStringSubmatch(s)
	if m == nil {
		return "", "", "", false
	}
	return m[1], m[2], m[3], true
}

var ctIPPattern = regexp.MustCompile(`^\d{1,3}\.\d{1,3}\.\d{1,3}\.\d{1,3}$`)

// ctValidName applies CloudTrail's trail name rules.
func ctValidName(n string) *apiError {
	bad := func(msg string) *apiError { return newErr(400, "InvalidTrailNameException", "%s", msg) }
	if len(n) < 3 {
		return bad("Trail name too short. Minimum allowed length: 3 characters. Specified name length: " + itoa(len(n)) + " characters.")
	}
	if len(n) > 128 {
		return bad("Trail name too long. Maximum allowed length: 128 characters. Specified name length: " + itoa(len(n)) + " characters.")
	}
	alnum := func(b byte) bool { return b >= 'a' && b <= 'z' || b >= 'A' && b <= 'Z' || b >= '0' && b <= '9' }
	special := func(b byte) bool { return b == '.' || b == '_' || b == '-' }
	for i := 0; i < len(n); i++ {
		if !alnum(n[i]) && !special(n[i]) {
			return bad("Trail name or ARN can only contain uppercase letters, lowercase letters, numbers, periods (.), hyphens (-), and underscores (_).")
		}
	}
	if !alnum(n[0]) {
		return bad("Trail name must starts with a letter or number.")
	}
	if !alnum(n[len(n)-1]) {
		return bad("Trail name must ends with a letter or number.")
	}
	for i := 1; i < len(n); i++ {
		if special(n[i]) && special(n[i-1]) {
			return bad("Trail name cannot contain consecutive special characters.")
		}
	}
	if ctIPPattern.MatchString(n) {
		return bad("Trail name cannot be formatted as an IP address.")
	}
	return nil
}

// ctTrailIn is the input of CreateTrail and UpdateTrail.
type ctTrailIn struct {
	Name                       string
	S3BucketName               *string
	S3KeyPrefix                *string
	SnsTopicName               *string
	IncludeGlobalServiceEvents *bool
	IsMultiRegionTrail         *bool
	EnableLogFileValidation    *bool
	CloudWatchLogsLogGroupArn  *string
	CloudWatchLogsRoleArn      *string
	KmsKeyId                   *string
	IsOrganizationTrail        *bool
	TagsList                   []ctTag
}

// ctOrgPreconditions checks what AWS requires before a trail becomes an
// organization trail.
func ctOrgPreconditions(c *call) *apiError {
	s := c.sim
	if s.org == nil || !s.ctOrgMember(c.acct.ID) {
		return newErr(400, "OrganizationsNotInUseException", "This account is not a member of an organization.")
	}
	if c.acct.ID != s.org.mgmtID && !s.delegatedAdminUsable("cloudtrail.amazonaws.com", c.acct.ID) {
		return newErr(400, "NotOrganizationMasterAccountException", "You cannot configure or manage trails for an organization because this action requires being signed in with the management account or a delegated administrator account. You are signed in with the following AWS account ID: %s", c.acct.ID)
	}
	if s.org.featureSet != "ALL" {
		return newErr(400, "OrganizationNotInAllFeaturesModeException", "This operation requires that all features are enabled in your organization. Enable all features in AWS Organizations, and then try again.")
	}
	if _, ok := s.org.serviceAccess["cloudtrail.amazonaws.com"]; !ok {
		return newErr(400, "CloudTrailAccessNotEnabledException", "The request could not be processed because your organization hasn’t enabled CloudTrail service access. Enable service access for CloudTrail, and then try again. You are signed in with the following AWS account ID: %s", c.acct.ID)
	}
	return nil
}

// ctServicePrincipal is CloudTrail's service principal; ctSLRName the
// name of its service-linked role.
const (
	ctServicePrincipal = "cloudtrail.amazonaws.com"
	ctSLRName          = "AWSServiceRoleForCloudTrail"
)

// ctServiceLinkedRole checks, for a call that makes an organization trail,
// CloudTrail's service-linked role in the management account. "The
// service-linked role is only created when you make a call from the
// management account directly to the CloudTrail service, such as when you
// add a delegated administrator or create an organization trail"
// (CloudTrail user guide, "Organization delegated administrator"; "When
// you create an organization trail ... CloudTrail creates the
// service-linked role for you", "Using service-linked roles for AWS
// CloudTrail"). So:
//   - from the management account, a missing role is to be created
//     (makeSLR: the caller creates it once every other check has passed);
//     the caller needs iam:CreateServiceLinkedRole for that
//     (InsufficientDependencyServiceAccessPermissionException otherwise);
//   - from a delegated administrator, the role must exist and have
//     propagated: NoManagementAccountSLRExistsException otherwise ("the
//     management account does not have a service-linked role", CloudTrail
//     API reference, CreateTrail), which is what a delegated administrator
//     registered through AWS Organizations meets.
//
// The checks are off with AWSLike.CloudTrailInputs; the role is still
// created. Callers hold s.mu.
func (s *Sim) ctServiceLinkedRole(c *call) (makeSLR bool, e *apiError) {
	mgmt := s.accounts[s.org.mgmtID]
	r := s.ctSLR()
	if c.acct.ID == s.org.mgmtID {
		if r != nil {
			return false, nil
		}
		return true, s.ctDependencyAccess(c, "iam:CreateServiceLinkedRole", s.arn("iam", "", mgmt.ID, "role/aws-service-role/"+ctServicePrincipal+"/"+ctSLRName),
			map[string][]string{"iam:awsservicename": {ctServicePrincipal}})
	}
	if s.like.CloudTrailInputs && (r == nil || r.propagating) {
		return false, newErr(400, "NoManagementAccountSLRExistsException", "The management account %s of the organization does not have the service-linked role %s that CloudTrail needs for organization trails. CloudTrail creates it when the management account itself registers the delegated administrator (RegisterOrganizationDelegatedAdmin) or creates an organization trail; registering through AWS Organizations does not.", mgmt.ID, ctSLRName)
	}
	return false, nil
}

// ctSLR returns CloudTrail's service-linked role in the management
// account, or nil. Callers hold s.mu.
func (s *Sim) ctSLR() *iamRole {
	mgmt := s.accounts[s.org.mgmtID]
	if mgmt.iam == nil {
		mgmt.iam = newIAMState()
	}
	return mgmt.iam.findRole(ctSLRName)
}

// ctDependencyAccess checks that the caller may make a call CloudTrail
// makes on its behalf in another service (AWS Organizations, IAM):
// InsufficientDependencyServiceAccessPermissionException otherwise ("the
// IAM identity that is used to create the organization resource lacks one
// or more required permissions", CloudTrail API reference; the permissions
// are listed in the CloudTrail user guide, "Required permissions to
// assign a delegated administrator"). Off with AWSLike.CloudTrailInputs.
func (s *Sim) ctDependencyAccess(c *call, action, resource string, extra map[string][]string) *apiError {
	if !s.like.CloudTrailInputs {
		return nil
	}
	if e := s.authorizeWith(c, action, resource, extra); e != nil {
		return newErr(400, "InsufficientDependencyServiceAccessPermissionException", "The IAM identity %s lacks a permission CloudTrail needs to act for it: %s", c.caller.arn, e.Message)
	}
	return nil
}

// ctAccountIDPattern is MemberAccountId and DelegatedAdminAccountId: 12
// to 16 digits (CloudTrail API reference).
var ctAccountIDPattern = regexp.MustCompile(`^\d{12,16}$`)

// ctDelegatedAdminCall checks what RegisterOrganizationDelegatedAdmin and
// DeregisterOrganizationDelegatedAdmin check alike, in the order the API
// reference lists their errors, and returns the member account named.
func ctDelegatedAdminCall(c *call, id string) (*Account, *apiError) {
	s := c.sim
	if !ctAccountIDPattern.MatchString(id) {
		return nil, newErr(400, "InvalidParameterException", "The account id %q is not valid: it must be 12 to 16 digits.", id)
	}
	if s.org == nil || !s.ctOrgMember(c.acct.ID) {
		return nil, newErr(400, "OrganizationsNotInUseException", "This account is not a member of an organization.")
	}
	if c.acct.ID != s.org.mgmtID {
		return nil, newErr(400, "NotOrganizationManagementAccountException", "This operation requires being signed in with the management account of the organization. You are signed in with the following AWS account ID: %s", c.acct.ID)
	}
	if s.org.featureSet != "ALL" {
		return nil, newErr(400, "OrganizationNotInAllFeaturesModeException", "This operation requires that all features are enabled in your organization. Enable all features in AWS Organizations, and then try again.")
	}
	if _, ok := s.org.serviceAccess[ctServicePrincipal]; !ok {
		return nil, newErr(400, "CloudTrailAccessNotEnabledException", "The request could not be processed because your organization hasn’t enabled CloudTrail service access. Enable service access for CloudTrail, and then try again. You are signed in with the following AWS account ID: %s", c.acct.ID)
	}
	a := s.accounts[id]
	if a == nil || !s.ctOrgMember(id) {
		return nil, newErr(400, "AccountNotFoundException", "Account %s is not found or is not part of the organization.", id)
	}
	return a, nil
}

// ctRegisterDelegatedAdmin is cloudtrail:RegisterOrganizationDelegatedAdmin
// (CloudTrail API reference; user guide, "Organization delegated
// administrator"). From the management account only, with trusted access
// for CloudTrail already enabled (CloudTrailAccessNotEnabledException
// otherwise: it does not enable trusted access itself), it creates
// CloudTrail's service-linked role in the management account when it is
// missing and registers the account with AWS Organizations as delegated
// administrator for cloudtrail.amazonaws.com, on the caller's
// organizations:RegisterDelegatedAdministrator and
// iam:CreateServiceLinkedRole permissions. The registration (and a new
// role) propagate as any other does. At most three per organization.
func ctRegisterDelegatedAdmin(c *call) (any, *apiError) {
	var in struct{ MemberAccountId string }
	if e := c.decode(&in); e != nil {
		return nil, e
	}
	a, e := ctDelegatedAdminCall(c, in.MemberAccountId)
	if e != nil {
		return nil, e
	}
	s := c.sim
	if a.ID == s.org.mgmtID {
		return nil, newErr(400, "CannotDelegateManagementAccountException", "You cannot register the management account %s as the CloudTrail delegated administrator.", a.ID)
	}
	admins := s.org.delegatedAdmins[ctServicePrincipal]
	for _, d := range admins {
		if d.accountID == a.ID {
			return nil, newErr(400, "AccountRegisteredException", "Account %s is already registered as the CloudTrail delegated administrator.", a.ID)
		}
	}
	if len(admins) >= 3 {
		return nil, newErr(400, "DelegatedAdminAccountLimitExceededException", "The organization already has the maximum number of CloudTrail delegated administrators (3).")
	}
	if a.State != "ACTIVE" {
		return nil, newErr(400, "OperationNotPermittedException", "Account %s is %s and cannot be registered as a delegated administrator.", a.ID, a.State)
	}
	if e := s.ctDependencyAccess(c, "organizations:RegisterDelegatedAdministrator", "*", nil); e != nil {
		return nil, e
	}
	mgmt := s.accounts[s.org.mgmtID]
	if s.ctSLR() == nil {
		slrARN := s.arn("iam", "", mgmt.ID, "role/aws-service-role/"+ctServicePrincipal+"/"+ctSLRName)
		if e := s.ctDependencyAccess(c, "iam:CreateServiceLinkedRole", slrARN, map[string][]string{"iam:awsservicename": {ctServicePrincipal}}); e != nil {
			return nil, e
		}
		if _, e := s.makeServiceLinkedRole(c.now, mgmt, ctServicePrincipal, "", ""); e != nil {
			return nil, e
		}
	}
	d := &delegatedAdmin{accountID: a.ID, since: c.now}
	s.propagate(c.now, "account "+a.ID+" as "+ctServicePrincipal+"'s delegated administrator", &d.propagating)
	s.org.delegatedAdmins[ctServicePrincipal] = append(admins, d)
	return struct{}{}, nil
}

// ctDeregisterDelegatedAdmin is
// cloudtrail:DeregisterOrganizationDelegatedAdmin: it removes the
// account's registration with AWS Organizations; the organization trails
// stay, owned by the management account.
func ctDeregisterDelegatedAdmin(c *call) (any, *apiError) {
	var in struct{ DelegatedAdminAccountId string }
	if e := c.decode(&in); e != nil {
		return nil, e
	}
	a, e := ctDelegatedAdminCall(c, in.DelegatedAdminAccountId)
	if e != nil {
		return nil, e
	}
	s := c.sim
	list := s.org.delegatedAdmins[ctServicePrincipal]
	for i, d := range list {
		if d.accountID != a.ID {
			continue
		}
		if e := s.ctDependencyAccess(c, "organizations:DeregisterDelegatedAdministrator", "*", nil); e != nil {
			return nil, e
		}
		s.org.delegatedAdmins[ctServicePrincipal] = append(list[:i:i], list[i+1:]...)
		if len(s.org.delegatedAdmins[ctServicePrincipal]) == 0 {
			delete(s.org.delegatedAdmins, ctServicePrincipal)
		}
		return struct{}{}, nil
	}
	return nil, newErr(400, "AccountNotRegisteredException", "Account %s is not registered as the CloudTrail delegated administrator.", a.ID)
}

// ctBucketAllows reports whether the log bucket's policy lets CloudTrail
// deliver the trail's logs: s3:GetBucketAcl on the bucket and s3:PutObject
// under [prefix/]AWSLogs/<account>/ (and AWSLogs/<org-id>/ for an
// organization trail) with the bucket-owner-full-control ACL, as the
// CloudTrail service principal with aws:SourceArn and aws:SourceAccount.
func (s *Sim) ctBucketAllows(b *bucket, t *ctTrail) bool {
	// The request context is CloudTrail's own (reqctx.go, serviceRequest).
	allowed := func(action, resource, acl string) bool {
		return s.bucketAllowsService(b, serviceCall{service: "cloudtrail.amazonaws.com", action: action, resource: resource,
			sourceARN: t.arn, sourceAccount: t.account, acl: acl})
	}
	bucketARN := s.arn("s3", "", "", b.name)
	if !allowed("s3:GetBucketAcl", bucketARN, "") {
		return false
	}
	prefix := ""
	if t.prefix != "" {
		prefix = t.prefix + "/"
	}
	acl := "bucket-owner-full-control"
	file := "/CloudTrail/" + t.homeRegion + "/2024/01/15/" + t.account + "_CloudTrail_" + t.homeRegion + "_20240115T0930Z_orgsim.json.gz"
	if !allowed("s3:PutObject", bucketARN+"/"+prefix+"AWSLogs/"+t.account+file, acl) {
		return false
	}
	if t.org && s.org != nil {
		if !allowed("s3:PutObject", bucketARN+"/"+prefix+"AWSLogs/"+s.org.id+"/"+t.account+file, acl) {
			return false
		}
	}
	return true
}

// ctCheckBucket checks the trail's bucket exists and its policy suffices.
func (s *Sim) ctCheckBucket(t *ctTrail) *apiError {
	b := s.buckets[t.bucket]
	if b == nil {
		return newErr(400, "S3BucketDoesNotExistException", "S3 bucket %s does not exist.", t.bucket)
	}
	if !s.ctBucketAllows(b, t) {
		return newErr(400, "InsufficientS3BucketPolicyException", "Incorrect S3 bucket policy is detected for bucket: %s", t.bucket)
	}
	return nil
}

var (
	ctUUIDPattern   = regexp.MustCompile(`^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$`)
	ctMRKPattern    = regexp.MustCompile(`^mrk-[0-9a-fA-F]{32}$`)
	ctKMSARN        = regexp.MustCompile(`^arn:aws[a-z-]*:kms:[a-z0-9-]+:\d{12}:(key/.+|alias/.+)$`)
	ctLogGroupARN   = regexp.MustCompile(`^arn:aws[a-z-]*:logs:([a-z0-9-]+):(\d{12}):log-group:([A-Za-z0-9_./#-]{1,512})(:\*)?$`)
	ctRoleARN       = regexp.MustCompile(`^arn:aws[a-z-]*:iam::(\d{12}):role/(?:[\x21-\x7e]*/)?([\w+=,.@-]{1,64})$`)
	ctSNSName       = regexp.MustCompile(`^[A-Za-z0-9_-]{1,256}$`)
	ctSNSARN        = regexp.MustCompile(`^arn:aws[a-z-]*:sns:[a-z0-9-]+:\d{12}:([A-Za-z0-9_-]{1,256})$`)
	ctAliasPattern  = regexp.MustCompile(`^alias/[A-Za-z0-9/_-]{1,250}$`)
	ctDataResTypes  = map[string]bool{"AWS::S3::Object": true, "AWS::Lambda::Function": true, "AWS::DynamoDB::Table": true}
	ctExcludeSource = map[string]bool{"kms.amazonaws.com": true, "rdsdata.amazonaws.com": true}
)

// ctKMSKey normalises a KmsKeyId to the key ARN AWS reports ("a fully
// specified ARN to a KMS key", CloudTrail API reference, Trail.KmsKeyId):
// the key's own ARN when KMS has the key (an alias resolves to its key),
// else the ARN the id would have in account and region. The checks that
// the key exists and lets CloudTrail use it are ctCheckKMS's.
func (s *Sim) ctKMSKey(id, region, account string) (string, *apiError) {
	if !ctKMSARN.MatchString(id) && !ctUUIDPattern.MatchString(id) && !ctMRKPattern.MatchString(id) && !ctAliasPattern.MatchString(id) {
		return "", newErr(400, "InvalidKmsKeyIdException", "Invalid KmsKeyId %s. The key must be a KMS key ID, key ARN, alias name (alias/...) or alias ARN.", id)
	}
	if k := s.kmsKeyForService(id, account, region); k != nil {
		return k.arn, nil
	}
	if ctKMSARN.MatchString(id) {
		return id, nil
	}
	if ctAliasPattern.MatchString(id) {
		return s.arn("kms", region, account, id), nil
	}
	return s.arn("kms", region, account, "key/"+id), nil
}

// ctCheckKMS checks the trail's KMS key as CloudTrail does before it
// accepts it (CloudTrail API reference, CreateTrail errors): the key
// exists in the region of the trail and of its bucket
// (KmsKeyNotFoundException: "the KMS key does not exist, when the S3
// bucket and the KMS key are not in the same Region"), and its key policy
// lets cloudtrail.amazonaws.com describe it and generate data keys for
// this trail, and decrypt when the bucket uses an S3 Bucket Key
// (InsufficientEncryptionPolicyException; CloudTrail user guide,
// "Configure AWS KMS key policies for CloudTrail": the encrypt, decrypt
// and describe statements, with aws:SourceArn and the
// kms:EncryptionContext:aws:cloudtrail:arn condition). Off with
// AWSLike.CloudTrailInputs.
func (s *Sim) ctCheckKMS(t *ctTrail) *apiError {
	if !s.like.CloudTrailInputs || t.kmsKey == "" {
		return nil
	}
	b := s.buckets[t.bucket]
	k := s.kmsKeyForService(t.kmsKey, t.account, t.homeRegion)
	if k == nil || k.region != t.homeRegion || b == nil || b.region != k.region {
		where := t.homeRegion
		if b != nil && b.region != t.homeRegion {
			where += " (the bucket " + b.name + " is in " + b.region + ")"
		}
		return newErr(400, "KmsKeyNotFoundException", "KMS key %s not found: the key must exist in %s, the region of the trail and of its S3 bucket.", t.kmsKey, where)
	}
	ctx := map[string][]string{
		"aws:sourcearn":                            {t.arn},
		"aws:sourceaccount":                        {t.account},
		"kms:encryptioncontext:aws:cloudtrail:arn": {t.arn},
		"aws:securetransport":                      {"true"},
	}
	actions := []string{"kms:GenerateDataKey", "kms:DescribeKey"}
	if b.encryption != nil && b.encryption.BucketKey {
		actions = append(actions, "kms:Decrypt")
	}
	if !kmsServiceAllows(k, "cloudtrail.amazonaws.com", ctx, actions...) || !s.ctKMSRCPAllows(k, t, actions) {
		return newErr(400, "InsufficientEncryptionPolicyException", "Insufficient permissions to access S3 bucket %s or KMS key %s.", t.bucket, k.arn)
	}
	return nil
}

// ctKMSRCPAllows reports whether the RCPs of the key's account let
// CloudTrail's service principal make each of actions on k for trail t,
// with the request context CloudTrail's requests carry (serviceRequest,
// and the encryption context key): RCPs bind service principals and apply
// to customer managed keys (auth_rcp.go).
func (s *Sim) ctKMSRCPAllows(k *kmsKey, t *ctTrail, actions []string) bool {
	for _, a := range actions {
		sc := serviceCall{service: "cloudtrail.amazonaws.com", action: a, resource: k.arn, sourceARN: t.arn, sourceAccount: t.account}
		req := s.serviceRequest(sc, s.now())
		req.Context["kms:encryptioncontext:aws:cloudtrail:arn"] = []string{t.arn}
		rcp := s.rcpDenial(k.account, req)
		s.recordService(sc, req, rcp, rcp)
		if rcp != "" {
			return false
		}
	}
	return true
}

// ctApply validates the settings of in over t (a new trail or a copy of an
// existing one) and applies them. It does not touch the bucket.
func ctApply(c *call, t *ctTrail, in *ctTrailIn) *apiError {
	if in.S3BucketName != nil {
		if *in.S3BucketName == "" {
			return newErr(400, "InvalidS3BucketNameException", "Bucket name cannot be empty.")
		}
		t.bucket = *in.S3BucketName
	}
	if in.S3KeyPrefix != nil {
		if len(*in.S3KeyPrefix) > 200 {
			return newErr(400, "InvalidS3PrefixException", "S3 key prefix too long. Maximum allowed length: 200 characters. Specified prefix length: %d characters.", len(*in.S3KeyPrefix))
		}
		t.prefix = *in.S3KeyPrefix
	}
	if in.SnsTopicName != nil {
		switch v := *in.SnsTopicName; {
		case v == "":
			t.snsTopicName, t.snsTopicARN = "", ""
		case ctSNSName.MatchString(v):
			t.snsTopicName, t.snsTopicARN = v, c.sim.arn("sns", t.homeRegion, t.account, v)
		case ctSNSARN.MatchString(v):
			t.snsTopicName, t.snsTopicARN = ctSNSARN.FindStringSubmatch(v)[1], v
		default:
			return newErr(400, "InvalidSnsTopicNameException", "Invalid SNS topic name: %s", v)
		}
	}
	if in.IncludeGlobalServiceEvents != nil {
		t.global = *in.IncludeGlobalServiceEvents
	}
	if in.IsMultiRegionTrail != nil {
		t.multiRegion = *in.IsMultiRegionTrail
	}
	if in.EnableLogFileValidation != nil {
		t.validation = *in.EnableLogFileValidation
	}
	if in.IsOrganizationTrail != nil {
		t.org = *in.IsOrganizationTrail
	}
	if t.multiRegion && !t.global {
		return newErr(400, "InvalidParameterCombinationException", "Multi-Region trail must include global service events.")
	}
	if in.KmsKeyId != nil {
		if *in.KmsKeyId == "" {
			t.kmsKey = ""
		} else {
			k, e := c.sim.ctKMSKey(*in.KmsKeyId, t.homeRegion, c.acct.ID)
			if e != nil {
				return e
			}
			t.kmsKey = k
		}
	}
	if in.CloudWatchLogsLogGroupArn != nil {
		t.cwLogGroup = *in.CloudWatchLogsLogGroupArn
	}
	if in.CloudWatchLogsRoleArn != nil {
		t.cwRole = *in.CloudWatchLogsRoleArn
	}
	switch {
	case t.cwLogGroup == "" && t.cwRole == "":
	case t.cwRole == "":
		return newErr(400, "InvalidCloudWatchLogsRoleArnException", "You must specify a role ARN with a CloudWatch Logs log group.")
	case t.cwLogGroup == "":
		return newErr(400, "InvalidCloudWatchLogsLogGroupArnException", "You must specify a CloudWatch Logs log group with a role ARN.")
	default:
		m := ctLogGroupARN.FindStringSubmatch(t.cwLogGroup)
		if m == nil || !strings.HasPrefix(t.cwLogGroup, c.sim.arnPrefix()) || m[1] != t.homeRegion || m[2] != t.account {
			return newErr(400, "InvalidCloudWatchLogsLogGroupArnException", "CloudWatch Logs log group ARN %s is not valid. The log group must be in the trail's account and home region (%s).", t.cwLogGroup, t.homeRegion)
		}
		r := ctRoleARN.FindStringSubmatch(t.cwRole)
		if r == nil || r[1] != t.account {
			return newErr(400, "InvalidCloudWatchLogsRoleArnException", "CloudWatch Logs role ARN %s is not valid.", t.cwRole)
		}
		owner := c.sim.accounts[t.account]
		if owner == nil || owner.iam == nil || owner.iam.findRole(r[2]) == nil {
			return newErr(400, "InvalidCloudWatchLogsRoleArnException", "Access denied. Verify in IAM that the role %s exists and that CloudTrail can assume it.", t.cwRole)
		}
	}
	return nil
}

// ctCheckCloudWatchLogs checks, as CloudTrail does when it is given a
// CloudWatch Logs log group and role (CloudTrail API reference,
// CreateTrail, CloudWatchLogsLogGroupArn and CloudWatchLogsRoleArn):
//   - the log group ARN names the log streams, ending in ":*"
//     (InvalidCloudWatchLogsLogGroupArnException "CloudTrail cannot
//     validate the specified log group ARN", hashicorp/terraform-provider-aws
//     issue 14557, cisagov/crossfeed pull request 2197);
//   - the role is the one named (full ARN, partition included) and its
//     trust policy lets cloudtrail.amazonaws.com assume it, which a role
//     still propagating does not yet (InvalidCloudWatchLogsRoleArnException
//     "Access denied. Check the trust relationships for your role.",
//     cloudposse/terraform-aws-cloudtrail-cloudwatch-alarms issue 2);
//   - the caller may pass the role to CloudTrail (iam:PassRole,
//     AWSLike.PassRole);
//   - the role may create log streams in the group and put log events
//     there (InvalidCloudWatchLogsLogGroupArnException "Access denied.
//     Check the permissions for your role.", aws/aws-cdk issue 1963,
//     fixed by granting them in aws/aws-cdk pull request 1966).
//
// Whether the log group exists is not checked: orgsim does not model
// CloudWatch Logs. Off (but PassRole) with AWSLike.CloudTrailInputs.
func (s *Sim) ctCheckCloudWatchLogs(c *call, t *ctTrail) *apiError {
	if t.cwRole == "" {
		return nil
	}
	if s.like.CloudTrailInputs {
		if !strings.HasSuffix(t.cwLogGroup, ":*") {
			return newErr(400, "InvalidCloudWatchLogsLogGroupArnException", "CloudTrail cannot validate the specified log group ARN %s: give the log group's ARN ending in :* (its log streams).", t.cwLogGroup)
		}
		var r *iamRole
		if m := ctRoleARN.FindStringSubmatch(t.cwRole); m != nil && s.accounts[t.account] != nil && s.accounts[t.account].iam != nil {
			r = s.accounts[t.account].iam.findRole(m[2])
		}
		if r == nil || !ctSameARN(s, r.arn, t.cwRole) || r.propagating || r.trust == nil || r.trust.parsed == nil {
			return newErr(400, "InvalidCloudWatchLogsRoleArnException", "Access denied. Check the trust relationships for your role.")
		}
		trust := s.serviceRequest(serviceCall{service: "cloudtrail.amazonaws.com", action: "sts:AssumeRole", resource: t.cwRole,
			sourceARN: t.arn, sourceAccount: t.account}, s.now())
		// The RCPs of the role's account bind CloudTrail's service
		// principal too (auth_rcp.go).
		if r.trust.parsed.Evaluate(trust).Decision != iampolicy.Allow || s.rcpDenial(t.account, trust) != "" {
			return newErr(400, "InvalidCloudWatchLogsRoleArnException", "Access denied. Check the trust relationships for your role.")
		}
		if !s.ctRoleMayLog(r, t) {
			return newErr(400, "InvalidCloudWatchLogsLogGroupArnException", "Access denied. Check the permissions for your role.")
		}
	}
	return s.authorizePassRole(c, t.cwRole, "cloudtrail.amazonaws.com")
}

// ctSameARN reports whether arn, given by a caller, is in the sim's
// partition and names what have (an ARN orgsim made) names.
func ctSameARN(s *Sim, have, arn string) bool {
	tail := func(a string) string {
		if i := strings.Index(a, ":"); i >= 0 {
			if j := strings.Index(a[i+1:], ":"); j >= 0 {
				return a[i+1+j:]
			}
		}
		return a
	}
	return strings.HasPrefix(arn, s.arnPrefix()) && tail(have) == tail(arn)
}

// ctRoleMayLog reports whether the role's permissions let CloudTrail
// create its log streams in the trail's log group and put events there:
// the stream of the trail's account and, for an organization trail, the
// organization's (CloudTrail user guide, "Prepare for creating a trail for
// your organization": log streams ACCOUNT_CloudTrail_REGION* and
// o-ORGID_*).
func (s *Sim) ctRoleMayLog(r *iamRole, t *ctTrail) bool {
	group := strings.TrimSuffix(t.cwLogGroup, ":*")
	streams := []string{group + ":log-stream:" + t.account + "_CloudTrail_" + t.homeRegion}
	if t.org && s.org != nil {
		streams = append(streams, group+":log-stream:"+s.org.id+"_"+t.account+"_CloudTrail_"+t.homeRegion)
	}
	p := &principal{kind: principalAssumedRole, account: t.account, roleName: r.name, roleARN: r.arn, arn: r.arn}
	ps := s.identityPolicies(p)
	for _, stream := range streams {
		for _, action := range []string{"logs:CreateLogStream", "logs:PutLogEvents"} {
			req := &iampolicy.Request{Action: action, Resource: stream, Principal: p.iamPrincipal(), Context: map[string][]string{}}
			if iampolicy.EvaluateSet(ps, req).Decision != iampolicy.Allow {
				return false
			}
		}
	}
	return true
}

func ctCheckTags(tags []ctTag) *apiError {
	if len(tags) > 50 {
		return newErr(400, "TagsLimitExceededException", "The number of tags per trail has exceeded the permitted amount. Currently, the limit is 50.")
	}
	for _, tg := range tags {
		if tg.Key == "" || len(tg.Key) > 128 || (tg.Value != nil && len(*tg.Value) > 256) {
			return newErr(400, "InvalidTagParameterException", "Tag key or value is not valid: %q.", tg.Key)
		}
	}
	return nil
}

func ctMergeTags(cur, add []ctTag) []ctTag {
	for _, a := range add {
		found := false
		for i := range cur {
			if cur[i].Key == a.Key {
				cur[i].Value, found = a.Value, true
			}
		}
		if !found {
			cur = append(cur, a)
		}
	}
	return cur
}

// ctCountIn counts the trails of account a that exist in region (homed
// there, or multi-region homed elsewhere): the quota counts both.
func ctCountIn(a *Account, region string) int {
	n := len(ctPeek(a, region).list())
	for _, r := range ctSortedRegions(a) {
		if r == region {
			continue
		}
		for _, t := range ctPeek(a, r).list() {
			if t.multiRegion {
				n++
			}
		}
	}
	return n
}

// ctNameTaken reports whether account a already has a trail called name
// that exists in region (or anywhere, for a new multi-region trail).
func ctNameTaken(a *Account, region, name string, multi bool) bool {
	for _, r := range ctSortedRegions(a) {
		if t := ctPeek(a, r).get(name); t != nil && (r == region || t.multiRegion || multi) {
			return true
		}
	}
	return false
}

func ctCreateTrail(c *call) (any, *apiError) {
	var in ctTrailIn
	if e := c.decode(&in); e != nil {
		return nil, e
	}
	if e := ctValidName(in.Name); e != nil {
		return nil, e
	}
	if in.S3BucketName == nil {
		return nil, newErr(400, "InvalidS3BucketNameException", "Bucket name cannot be empty.")
	}
	if e := ctCheckTags(in.TagsList); e != nil {
		return nil, e
	}
	owner := c.acct
	org := in.IsOrganizationTrail != nil && *in.IsOrganizationTrail
	makeSLR := false
	if org {
		if e := ctOrgPreconditions(c); e != nil {
			return nil, e
		}
		var e *apiError
		if makeSLR, e = c.sim.ctServiceLinkedRole(c); e != nil {
			return nil, e
		}
		owner = c.sim.accounts[c.sim.org.mgmtID]
	}
	t := &ctTrail{
		name: in.Name, account: owner.ID, homeRegion: c.region,
		arn:    c.sim.ctARN(c.region, owner.ID, in.Name),
		global: true,
	}
	if e := ctApply(c, t, &in); e != nil {
		return nil, e
	}
	if ctNameTaken(owner, c.region, t.name, t.multiRegion) {
		return nil, newErr(400, "TrailAlreadyExistsException", "Trail %s already exists for customer: %s", t.name, owner.ID)
	}
	if ctCountIn(owner, c.region) >= c.sim.limits.TrailsPerRegion {
		return nil, newErr(400, "MaximumNumberOfTrailsExceededException", "User: %s already has %d trails in %s.", owner.ID, c.sim.limits.TrailsPerRegion, c.region)
	}
	if e := c.sim.ctCheckBucket(t); e != nil {
		return nil, e
	}
	if e := c.sim.ctCheckKMS(t); e != nil {
		return nil, e
	}
	if e := c.sim.ctCheckCloudWatchLogs(c, t); e != nil {
		return nil, e
	}
	if makeSLR {
		if _, e := c.sim.makeServiceLinkedRole(c.now, owner, ctServicePrincipal, "", ""); e != nil {
			return nil, e
		}
	}
	t.tags = ctMergeTags(nil, in.TagsList)
	ctRegionState(owner, c.region).add(t)
	return t.writeOut(), nil
}

func ctUpdateTrail(c *call) (any, *apiError) {
	var in ctTrailIn
	if e := c.decode(&in); e != nil {
		return nil, e
	}
	t, e := ctResolve(c, in.Name)
	if e != nil {
		return nil, e
	}
	if e := ctWritable(c, t); e != nil {
		return nil, e
	}
	upd := *t
	wasOrg := t.org
	if e := ctApply(c, &upd, &in); e != nil {
		return nil, e
	}
	makeSLR := false
	if upd.org && !wasOrg {
		if e := ctOrgPreconditions(c); e != nil {
			return nil, e
		}
		if t.account != c.sim.org.mgmtID {
			// Only a trail of the management account can become an
			// organization trail; its ARN does not change.
			return nil, newErr(400, "NotOrganizationMasterAccountException", "You cannot configure or manage trails for an organization because this action requires being signed in with the management account or a delegated administrator account. You are signed in with the following AWS account ID: %s", c.acct.ID)
		}
		if makeSLR, e = c.sim.ctServiceLinkedRole(c); e != nil {
			return nil, e
		}
	}
	if !upd.org && wasOrg && c.acct.ID != t.account {
		return nil, newErr(400, "NotOrganizationMasterAccountException", "Only the management account can change an organization trail into a single-account trail. You are signed in with the following AWS account ID: %s", c.acct.ID)
	}
	if upd.multiRegion && !t.multiRegion {
		owner := c.sim.accounts[t.account]
		for _, r := range ctSortedRegions(owner) {
			if o := ctPeek(owner, r).get(t.name); o != nil && o != t {
				return nil, newErr(400, "TrailAlreadyExistsException", "Trail %s already exists for customer: %s", t.name, t.account)
			}
		}
	}
	bucketChanged := in.S3BucketName != nil || in.S3KeyPrefix != nil || upd.org != wasOrg
	if bucketChanged {
		if e := c.sim.ctCheckBucket(&upd); e != nil {
			return nil, e
		}
	}
	if in.KmsKeyId != nil || bucketChanged {
		if e := c.sim.ctCheckKMS(&upd); e != nil {
			return nil, e
		}
	}
	if in.CloudWatchLogsLogGroupArn != nil || in.CloudWatchLogsRoleArn != nil {
		if e := c.sim.ctCheckCloudWatchLogs(c, &upd); e != nil {
			return nil, e
		}
	}
	if makeSLR {
		if _, e := c.sim.makeServiceLinkedRole(c.now, c.sim.accounts[t.account], ctServicePrincipal, "", ""); e != nil {
			return nil, e
		}
	}
	*t = upd
	return t.writeOut(), nil
}

type ctNameIn struct {
	Name string
}

func ctDeleteTrail(c *call) (any, *apiError) {
	var in ctNameIn
	if e := c.decode(&in); e != nil {
		return nil, e
	}
	t, e := ctResolve(c, in.Name)
	if e != nil {
		return nil, e
	}
	if e := ctWritable(c, t); e != nil {
		return nil, e
	}
	ctRegionState(c.sim.accounts[t.account], t.homeRegion).remove(t.name)
	return struct{}{}, nil
}

func ctGetTrail(c *call) (any, *apiError) {
	var in ctNameIn
	if e := c.decode(&in); e != nil {
		return nil, e
	}
	t, e := ctResolve(c, in.Name)
	if e != nil {
		return nil, e
	}
	return struct {
		Trail ctTrailOut `json:"Trail"`
	}{t.out()}, nil
}

func ctDescribeTrails(c *call) (any, *apiError) {
	var in struct {
		TrailNameList       []string `json:"trailNameList"`
		IncludeShadowTrails *bool    `json:"includeShadowTrails"`
	}
	if e := c.decode(&in); e != nil {
		return nil, e
	}
	shadows := in.IncludeShadowTrails == nil || *in.IncludeShadowTrails
	visible := c.sim.ctVisible(c.acct, c.region)
	list := []ctTrailOut{}
	if len(in.TrailNameList) == 0 {
		for _, v := range visible {
			if shadows || !v.shadow {
				list = append(list, v.t.out())
			}
		}
		return struct {
			TrailList []ctTrailOut `json:"trailList"`
		}{list}, nil
	}
	// Names match trails of this account homed in this region; ARNs match
	// any trail visible here. Unknown names are skipped, as AWS does.
	seen := map[*ctTrail]bool{}
	for _, id := range in.TrailNameList {
		for _, v := range visible {
			match := v.t.arn == id || (!v.shadow && v.t.name == id)
			if match && !seen[v.t] {
				seen[v.t] = true
				list = append(list, v.t.out())
			}
		}
	}
	return struct {
		TrailList []ctTrailOut `json:"trailList"`
	}{list}, nil
}

type ctTrailInfo struct {
	TrailARN   string `json:"TrailARN"`
	Name       string `json:"Name"`
	HomeRegion string `json:"HomeRegion"`
}

// ctListTrails lists every trail of the account, whatever its home region,
// and the organization trails that apply to it.
func ctListTrails(c *call) (any, *apiError) {
	var in struct {
		NextToken *string
	}
	if e := c.decode(&in); e != nil {
		return nil, e
	}
	var all []ctTrailInfo
	add := func(a *Account, orgOnly bool) {
		for _, r := range ctSortedRegions(a) {
			for _, t := range ctPeek(a, r).list() {
				if !orgOnly || t.org {
					all = append(all, ctTrailInfo{TrailARN: t.arn, Name: t.name, HomeRegion: t.homeRegion})
				}
			}
		}
	}
	add(c.acct, false)
	if s := c.sim; s.org != nil && c.acct.ID != s.org.mgmtID && s.ctOrgMember(c.acct.ID) {
		add(s.accounts[s.org.mgmtID], true)
	}
	token := ""
	if in.NextToken != nil {
		token = *in.NextToken
	}
	start, end, next, ok := page("ListTrails", len(all), token, 50)
	if !ok {
		return nil, newErr(400, "InvalidTokenException", "Invalid token: %s", token)
	}
	out := struct {
		Trails    []ctTrailInfo `json:"Trails"`
		NextToken string        `json:"NextToken,omitempty"`
	}{Trails: append([]ctTrailInfo{}, all[start:end]...), NextToken: next}
	return out, nil
}

func ctGetTrailStatus(c *call) (any, *apiError) {
	var in ctNameIn
	if e := c.decode(&in); e != nil {
		return nil, e
	}
	t, e := ctResolve(c, in.Name)
	if e != nil {
		return nil, e
	}
	type status struct {
		IsLogging                          bool       `json:"IsLogging"`
		LatestDeliveryTime                 *epochTime `json:"LatestDeliveryTime,omitempty"`
		LatestDigestDeliveryTime           *epochTime `json:"LatestDigestDeliveryTime,omitempty"`
		LatestCloudWatchLogsDeliveryTime   *epochTime `json:"LatestCloudWatchLogsDeliveryTime,omitempty"`
		StartLoggingTime                   *epochTime `json:"StartLoggingTime,omitempty"`
		StopLoggingTime                    *epochTime `json:"StopLoggingTime,omitempty"`
		TimeLoggingStarted                 string     `json:"TimeLoggingStarted,omitempty"`
		TimeLoggingStopped                 string     `json:"TimeLoggingStopped,omitempty"`
		LatestDeliveryAttemptTime          string     `json:"LatestDeliveryAttemptTime,omitempty"`
		LatestDeliveryAttemptSucceeded     string     `json:"LatestDeliveryAttemptSucceeded,omitempty"`
		LatestNotificationAttemptTime      string     `json:"LatestNotificationAttemptTime,omitempty"`
		LatestNotificationAttemptSucceeded string     `json:"LatestNotificationAttemptSucceeded,omitempty"`
	}
	iso := func(t time.Time) string {
		if t.IsZero() {
			return ""
		}
		return t.UTC().Format("2006-01-02T15:04:05Z")
	}
	out := status{
		IsLogging:                      t.logging,
		LatestDeliveryTime:             epoch(t.delivery),
		StartLoggingTime:               epoch(t.startTime),
		StopLoggingTime:                epoch(t.stopTime),
		TimeLoggingStarted:             iso(t.startTime),
		TimeLoggingStopped:             iso(t.stopTime),
		LatestDeliveryAttemptTime:      iso(t.delivery),
		LatestDeliveryAttemptSucceeded: iso(t.delivery),
	}
	if t.validation {
		out.LatestDigestDeliveryTime = epoch(t.delivery)
	}
	if t.cwLogGroup != "" {
		out.LatestCloudWatchLogsDeliveryTime = epoch(t.delivery)
	}
	return out, nil
}

func ctStartLogging(c *call) (any, *apiError) {
	var in ctNameIn
	if e := c.decode(&in); e != nil {
		return nil, e
	}
	t, e := ctResolve(c, in.Name)
	if e != nil {
		return nil, e
	}
	if e := ctWritable(c, t); e != nil {
		return nil, e
	}
	if !t.logging {
		t.logging = true
		t.startTime = c.now
		t.delivery = c.now
	}
	return struct{}{}, nil
}

func ctStopLogging(c *call) (any, *apiError) {
	var in ctNameIn
	if e := c.decode(&in); e != nil {
		return nil, e
	}
	t, e := ctResolve(c, in.Name)
	if e != nil {
		return nil, e
	}
	if e := ctWritable(c, t); e != nil {
		return nil, e
	}
	if t.logging {
		t.logging = false
		t.stopTime = c.now
	}
	return struct{}{}, nil
}

// ctAdvancedFields are the fields an advanced event selector may filter on.
var ctAdvancedFields = map[string]bool{
	"eventCategory": true, "eventSource": true, "eventName": true, "eventType": true,
	"readOnly": true, "resources.type": true, "resources.ARN": true, "errorCode": true,
	"userIdentity.arn": true, "sessionCredentialFromConsole": true, "vpcEndpointId": true,
}

func ctBadSelectors(format string, args ...any) *apiError {
	return newErr(400, "InvalidEventSelectorsException", format, args...)
}

func ctPutEventSelectors(c *call) (any, *apiError) {
	var in struct {
		TrailName              string
		EventSelectors         []ctEventSelector
		AdvancedEventSelectors []ctAdvancedSelector
	}
	if e := c.decode(&in); e != nil {
		return nil, e
	}
	t, e := ctResolve(c, in.TrailName)
	if e != nil {
		return nil, e
	}
	if e := ctWritable(c, t); e != nil {
		return nil, e
	}
	if in.EventSelectors != nil && in.AdvancedEventSelectors != nil {
		return nil, newErr(400, "InvalidParameterCombinationException", "You can use either EventSelectors or AdvancedEventSelectors, but not both.")
	}
	out := struct {
		TrailARN               string               `json:"TrailARN"`
		EventSelectors         []ctEventSelector    `json:"EventSelectors,omitempty"`
		AdvancedEventSelectors []ctAdvancedSelector `json:"AdvancedEventSelectors,omitempty"`
	}{TrailARN: t.arn}
	if in.AdvancedEventSelectors != nil {
		if len(in.AdvancedEventSelectors) == 0 {
			return nil, ctBadSelectors("Specify at least one advanced event selector.")
		}
		values := 0
		for _, s := range in.AdvancedEventSelectors {
			if len(s.FieldSelectors) == 0 {
				return nil, ctBadSelectors("Each advanced event selector must contain at least one field selector.")
			}
			category := ""
			for _, f := range s.FieldSelectors {
				if !ctAdvancedFields[f.Field] {
					return nil, ctBadSelectors("Invalid field %s in an advanced event selector.", f.Field)
				}
				if f.values() == 0 {
					return nil, ctBadSelectors("Field selector %s must specify at least one condition.", f.Field)
				}
				values += f.values()
				if f.Field == "eventCategory" && len(f.Equals) == 1 {
					category = f.Equals[0]
				}
			}
			switch category {
			case "Management", "Data", "NetworkActivity":
			default:
				return nil, ctBadSelectors("Each advanced event selector must have an eventCategory field selector with Equals one of Management, Data or NetworkActivity.")
			}
		}
		if values > 500 {
			return nil, ctBadSelectors("A trail can have at most 500 values for all conditions in all advanced event selectors; %d were specified.", values)
		}
		t.advanced, t.selectors, t.custom = in.AdvancedEventSelectors, nil, true
		out.AdvancedEventSelectors = t.advanced
		return out, nil
	}
	if len(in.EventSelectors) < 1 || len(in.EventSelectors) > 5 {
		return nil, ctBadSelectors("Specify a valid number of event selectors (1 to 5) for a trail; %d were specified.", len(in.EventSelectors))
	}
	resources := 0
	sels := make([]ctEventSelector, len(in.EventSelectors))
	for i, s := range in.EventSelectors {
		if s.ReadWriteType == nil {
			s.ReadWriteType = ctPtr("All")
		}
		switch *s.ReadWriteType {
		case "ReadOnly", "WriteOnly", "All":
		default:
			return nil, ctBadSelectors("Invalid ReadWriteType %s. Valid values are ReadOnly, WriteOnly and All.", *s.ReadWriteType)
		}
		if s.IncludeManagementEvents == nil {
			s.IncludeManagementEvents = ctPtr(true)
		}
		if s.DataResources == nil {
			s.DataResources = []ctDataResource{}
		}
		for _, d := range s.DataResources {
			if d.Type == nil || !ctDataResTypes[*d.Type] {
				typ := ""
				if d.Type != nil {
					typ = *d.Type
				}
				return nil, ctBadSelectors("Invalid data resource type %q. Basic event selectors support AWS::S3::Object, AWS::Lambda::Function and AWS::DynamoDB::Table.", typ)
			}
			if len(d.Values) == 0 {
				return nil, ctBadSelectors("Specify a valid number of data resources (1 to 250) for an event selector.")
			}
			resources += len(d.Values)
		}
		if s.ExcludeManagementEventSources == nil {
			s.ExcludeManagementEventSources = []string{}
		}
		for _, src := range s.ExcludeManagementEventSources {
			if !ctExcludeSource[src] {
				return nil, ctBadSelectors("Invalid event source %s in ExcludeManagementEventSources.", src)
			}
		}
		sels[i] = s
	}
	if resources > 250 {
		return nil, ctBadSelectors("A trail is limited to 250 data resources; %d were specified.", resources)
	}
	t.selectors, t.advanced, t.custom = sels, nil, true
	out.EventSelectors = sels
	return out, nil
}

func ctPtr[T any](v T) *T { return &v }

func ctGetEventSelectors(c *call) (any, *apiError) {
	var in struct{ TrailName string }
	if e := c.decode(&in); e != nil {
		return nil, e
	}
	t, e := ctResolve(c, in.TrailName)
	if e != nil {
		return nil, e
	}
	out := struct {
		TrailARN               string               `json:"TrailARN"`
		EventSelectors         []ctEventSelector    `json:"EventSelectors,omitempty"`
		AdvancedEventSelectors []ctAdvancedSelector `json:"AdvancedEventSelectors,omitempty"`
	}{TrailARN: t.arn}
	switch {
	case t.advanced != nil:
		out.AdvancedEventSelectors = t.advanced
	case t.selectors != nil:
		out.EventSelectors = t.selectors
	default:
		out.EventSelectors = []ctEventSelector{{
			ReadWriteType: ctPtr("All"), IncludeManagementEvents: ctPtr(true),
			DataResources: []ctDataResource{}, ExcludeManagementEventSources: []string{},
		}}
	}
	return out, nil
}

// Tags are kept on the trail; AddTags and RemoveTags act in its home region.

func ctAddTags(c *call) (any, *apiError) {
	var in struct {
		ResourceId string
		TagsList   []ctTag
	}
	if e := c.decode(&in); e != nil {
		return nil, e
	}
	t, e := ctResolve(c, in.ResourceId)
	if e != nil {
		return nil, e
	}
	if e := ctWritable(c, t); e != nil {
		return nil, e
	}
	merged := ctMergeTags(append([]ctTag{}, t.tags...), in.TagsList)
	if e := ctCheckTags(merged); e != nil {
		return nil, e
	}
	t.tags = merged
	return struct{}{}, nil
}

func ctRemoveTags(c *call) (any, *apiError) {
	var in struct {
		ResourceId string
		TagsList   []ctTag
	}
	if e := c.decode(&in); e != nil {
		return nil, e
	}
	t, e := ctResolve(c, in.ResourceId)
	if e != nil {
		return nil, e
	}
	if e := ctWritable(c, t); e != nil {
		return nil, e
	}
	var kept []ctTag
	for _, tg := range t.tags {
		drop := false
		for _, r := range in.TagsList {
			if r.Key == tg.Key {
				drop = true
			}
		}
		if !drop {
			kept = append(kept, tg)
		}
	}
	t.tags = kept
	return struct{}{}, nil
}

func ctListTags(c *call) (any, *apiError) {
	var in struct {
		ResourceIdList []string
	}
	if e := c.decode(&in); e != nil {
		return nil, e
	}
	type resourceTag struct {
		ResourceId string  `json:"ResourceId"`
		TagsList   []ctTag `json:"TagsList"`
	}
	out := struct {
		ResourceTagList []resourceTag `json:"ResourceTagList"`
	}{ResourceTagList: []resourceTag{}}
	for _, id := range in.ResourceIdList {
		if !strings.HasPrefix(id, "arn:") {
			return nil, newErr(400, "CloudTrailARNInvalidException", "Invalid ARN provided: %s. ListTags requires trail ARNs.", id)
		}
		t, e := ctResolve(c, id)
		if e != nil {
			return nil, newErr(400, "ResourceNotFoundException", "Resource %s not found.", id)
		}
		tags := append([]ctTag{}, t.tags...)
		out.ResourceTagList = append(out.ResourceTagList, resourceTag{ResourceId: t.arn, TagsList: tags})
	}
	return out, nil
}

// seedTrail creates a pre-existing single-account, single-region trail in
// account's region, logging to bucket since the sim's current time, with no
// bucket checks. For the seeding code; callers hold s.mu (or run before the
// handler serves).
func (s *Sim) seedTrail(account, region, name, bucket string) {
	a := s.accounts[account]
	if a == nil {
		return
	}
	now := s.now()
	t := &ctTrail{
		name: name, account: account, homeRegion: region,
		arn: s.ctARN(region, account, name), bucket: bucket, global: true,
		logging: true, startTime: now, delivery: now,
	}
	st := ctRegionState(a, region)
	if st.trails[name] != nil {
		return
	}
	st.add(t)
}
