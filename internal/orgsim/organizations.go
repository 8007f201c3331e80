package orgsim

import (
	"encoding/json"
	"regexp"
	"sort"
	"strings"

	"github.com/orgbaseline/orgbaseline/internal/iampolicy"
)

// AWS Organizations (awsJson1_1, global). AWS-NOTES §4 lists the shapes,
// patterns, errors and limits emulated here.
//
// Who may call: DescribeOrganization works from every account of the
// organization; every other operation only from the management account. A
// member account gets AccessDeniedException (403) "You don't have
// permissions to access this resource.", even when it is a delegated
// administrator: delegated administration of Organizations itself (the
// resource policy that lets a member read the organization or manage
// policies) is out of scope for orgsim.
//
// Identity policies and SCPs are checked by the core before an operation
// runs (auth.go); the resource functions below give the ARNs AWS authorizes
// against for operations with resource-level permissions.

func organizationsOps() map[string]op {
	return map[string]op{
		"DescribeOrganization":                {fn: orgDescribeOrganization},
		"ListRoots":                           {fn: orgListRoots},
		"ListOrganizationalUnitsForParent":    {fn: orgListOUsForParent, resource: orgResource("ParentId")},
		"DescribeOrganizationalUnit":          {fn: orgDescribeOU, resource: orgResource("OrganizationalUnitId")},
		"ListAccountsForParent":               {fn: orgListAccountsForParent, resource: orgResource("ParentId")},
		"ListAccounts":                        {fn: orgListAccounts},
		"DescribeAccount":                     {fn: orgDescribeAccount, resource: orgResource("AccountId")},
		"ListChildren":                        {fn: orgListChildren, resource: orgResource("ParentId")},
		"ListParents":                         {fn: orgListParents, resource: orgResource("ChildId")},
		"ListTagsForResource":                 {fn: orgListTags, resource: orgResource("ResourceId")},
		"TagResource":                         orgChanging(orgTagResource, "ResourceId"),
		"UntagResource":                       orgChanging(orgUntagResource, "ResourceId"),
		"CreatePolicy":                        {fn: orgCreatePolicy, write: true},
		"UpdatePolicy":                        orgChanging(orgUpdatePolicy, "PolicyId"),
		"DescribePolicy":                      {fn: orgDescribePolicy, resource: orgResource("PolicyId")},
		"DeletePolicy":                        orgChanging(orgDeletePolicy, "PolicyId"),
		"DescribeEffectivePolicy":             {fn: orgDescribeEffectivePolicy, resource: orgResource("TargetId")},
		"ListPolicies":                        {fn: orgListPolicies},
		"AttachPolicy":                        orgChanging(orgAttachPolicy, "PolicyId", "TargetId"),
		"DetachPolicy":                        orgChanging(orgDetachPolicy, "PolicyId", "TargetId"),
		"ListPoliciesForTarget":               {fn: orgListPoliciesForTarget, resource: orgResource("TargetId")},
		"ListTargetsForPolicy":                {fn: orgListTargetsForPolicy, resource: orgResource("PolicyId")},
		"EnablePolicyType":                    orgChanging(orgEnablePolicyType, "RootId"),
		"DisablePolicyType":                   orgChanging(orgDisablePolicyType, "RootId"),
		"EnableAWSServiceAccess":              {fn: orgEnableServiceAccess, write: true},
		"DisableAWSServiceAccess":             {fn: orgDisableServiceAccess, write: true},
		"ListAWSServiceAccessForOrganization": {fn: orgListServiceAccess},
		"RegisterDelegatedAdministrator":      {fn: orgRegisterDelegatedAdmin, write: true, resource: orgResource("AccountId")},
		"DeregisterDelegatedAdministrator":    {fn: orgDeregisterDelegatedAdmin, write: true, resource: orgResource("AccountId")},
		"ListDelegatedAdministrators":         {fn: orgListDelegatedAdmins},
		"ListDelegatedServicesForAccount":     {fn: orgListDelegatedServices, resource: orgResource("AccountId")},
	}
}

// Concurrent changes (AWSLike.ConcurrentModification). AWS answers
// ConcurrentModificationException, "The target of the operation is
// currently being modified by a different request. Try again later."
// (Organizations API reference, common errors), to a write that reaches a
// policy or a root, OU or account while another write is still changing
// it: EnablePolicyType and UpdatePolicy run concurrently with other SCP
// writes ("AWS Organizations can't complete your request because it
// conflicts with another attempt to modify the same entity",
// aws-solutions/aws-control-tower-customizations issue 175); several
// policy attachments applied at once (hashicorp/terraform-provider-aws
// issue 5073, fixed by retrying in its PR 9195). AWS does not say which
// entities a write holds; orgsim takes the stricter reading: a write
// holds every policy and target its request names (AttachPolicy both the
// policy and the target), from the moment its request arrives until its
// response is written, injected latency included (handler.go, faults.go
// claim them), and a root whose policy type is PENDING_ENABLE or
// PENDING_DISABLE is being changed by AWS itself until the type settles.
// orgsim serializes operations under one lock, so without injected
// latency two writes rarely overlap; with it (sim serve --latency, a
// FaultRule) they do, as on AWS.

// orgChanging is the op of a write that changes the policies and targets
// its request names in members: while another write holds one of them
// (or the root is changing its policy types), it answers
// ConcurrentModificationException.
func orgChanging(fn func(c *call) (any, *apiError), members ...string) op {
	busy := func(c *call) []string {
		var in map[string]any
		if json.Unmarshal(c.body, &in) != nil {
			return nil
		}
		var ids []string
		for _, m := range members {
			if id, _ := in[m].(string); id != "" {
				ids = append(ids, id)
			}
		}
		return ids
	}
	return op{
		write: true, resource: orgResource(members[0]), busy: busy,
		fn: func(c *call) (any, *apiError) {
			if e := orgMgmtOnly(c); e != nil {
				return nil, e
			}
			if c.conflict {
				return nil, orgConcurrent()
			}
			if c.sim.like.ConcurrentModification {
				for _, id := range busy(c) {
					if id == c.sim.org.root.id && orgRootChanging(c.sim.org.root) {
						return nil, orgConcurrent()
					}
				}
			}
			return fn(c)
		},
	}
}

// orgRootChanging reports whether AWS is still enabling or disabling a
// policy type in root.
func orgRootChanging(r *orgRoot) bool {
	for _, st := range r.policyTypes {
		if st == orgPendingEnable || st == orgPendingDisable {
			return true
		}
	}
	return false
}

func orgConcurrent() *apiError {
	return newErr(400, "ConcurrentModificationException", "AWS Organizations can't complete your request because it conflicts with another attempt to modify the same entity. Try again later.")
}

// ID patterns [BC organizations].
var (
	reOrgRootID   = regexp.MustCompile(`^r-[0-9a-z]{4,32}$`)
	reOrgOUID     = regexp.MustCompile(`^ou-[0-9a-z]{4,32}-[a-z0-9]{8,32}$`)
	reOrgPolicyID = regexp.MustCompile(`^p-[0-9a-zA-Z_]{8,128}$`)
	reOrgSP       = regexp.MustCompile(`^[\w+=,.@-]{1,128}$`)
)

// Policy types orgsim supports, with the ARN segment of their policies and
// their content size limits in characters (AWS quotas; the SCP limit is a
// setting).
//
// Management types (organizations_mgmt.go): sizes from "Quotas for AWS
// Organizations" (maximum size of a policy document: declarative, backup,
// tag and Security Hub 10,000, AI services opt-out 2,500) and the
// CloudFormation AWS::Organizations::Policy Content property, which lists
// the same quotas and Inspector and Bedrock 10,000; no page found gives S3
// policies a size, so orgsim takes the strictest management figure, 2,500.
// ARN segments as in the user guide's create-policy and update-policy
// examples (".../policy/o-aa111bb222/declarative_policy_ec2/p-...",
// ".../securityhub_policy/p-..."): the type name in lower case; no stored
// page shows one for S3, Inspector or Bedrock policies, which follow the
// same rule.
var orgPolicyTypes = map[string]struct {
	arnSegment string
	maxSize    int
}{
	"SERVICE_CONTROL_POLICY":    {"service_control_policy", 0},
	rcpType:                     {"resource_control_policy", rcpMaxSize},
	"TAG_POLICY":                {"tag_policy", 10000},
	"BACKUP_POLICY":             {"backup_policy", 10000},
	"AISERVICES_OPT_OUT_POLICY": {"aiservices_opt_out_policy", 2500},
	"DECLARATIVE_POLICY_EC2":    {"declarative_policy_ec2", 10000},
	"S3_POLICY":                 {"s3_policy", 2500},
	"SECURITYHUB_POLICY":        {"securityhub_policy", 10000},
	"INSPECTOR_POLICY":          {"inspector_policy", 10000},
	"BEDROCK_POLICY":            {"bedrock_policy", 10000},
}

// orgServicePrincipals are the service principals orgsim recognizes for
// trusted access and delegated administration (from AWS's list of services
// that work with Organizations), with the most delegated administrators AWS
// allows for each where AWS documents a limit (0 = none modelled).
var orgServicePrincipals = map[string]int{
	"access-analyzer.amazonaws.com":                     1,
	"account.amazonaws.com":                             0,
	"auditmanager.amazonaws.com":                        0,
	"backup.amazonaws.com":                              0,
	"cloudtrail.amazonaws.com":                          3,
	"compute-optimizer.amazonaws.com":                   0,
	"config.amazonaws.com":                              0,
	"config-multiaccountsetup.amazonaws.com":            3,
	"controltower.amazonaws.com":                        0,
	"detective.amazonaws.com":                           0,
	"fms.amazonaws.com":                                 0,
	"guardduty.amazonaws.com":                           0,
	"health.amazonaws.com":                              0,
	"iam.amazonaws.com":                                 0,
	"inspector2.amazonaws.com":                          0,
	"ipam.amazonaws.com":                                0,
	"license-manager.amazonaws.com":                     0,
	"macie.amazonaws.com":                               0,
	"member.org.stacksets.cloudformation.amazonaws.com": 0,
	"ram.amazonaws.com":                                 0,
	"reporting.trustedadvisor.amazonaws.com":            0,
	"securityhub.amazonaws.com":                         0,
	"securitylake.amazonaws.com":                        0,
	"servicecatalog.amazonaws.com":                      0,
	"ssm.amazonaws.com":                                 0,
	"sso.amazonaws.com":                                 0,
	"storage-lens.s3.amazonaws.com":                     0,
	"tagpolicies.tag.amazonaws.com":                     0,
}

const (
	orgMsgDenied          = "You don't have permissions to access this resource."
	orgMsgPattern         = "You provided a value that does not match the required pattern."
	orgMsgNextToken       = "You specified an invalid value for nextToken. You must get the value from the response to a previous call to the API."
	orgMsgAccountNotFound = "You specified an account that doesn't exist."
	orgMsgParentNotFound  = "We can't find a root or OU with the ParentId that you specified."
	orgMsgChildNotFound   = "We can't find an organizational unit (OU) or AWS account with the ChildId that you specified."
	orgMsgOUNotFound      = "We can't find an organizational unit (OU) with the OrganizationalUnitId that you specified."
	orgMsgPolicyNotFound  = "We can't find a policy with the PolicyId that you specified."
	orgMsgRootNotFound    = "We can't find a root with the RootId that you specified."
	orgMsgTargetNotFound  = "We can't find a root, OU, account, or policy with the TargetId that you specified."
	orgDefaultPageSize    = 20
	orgMaxTagsPerResource = 50
)

func orgInvalid(reason, msg string) *apiError {
	return newErr(400, "InvalidInputException", "%s", msg).with("Reason", reason)
}

func orgConstraint(reason, msg string) *apiError {
	return newErr(400, "ConstraintViolationException", "%s", msg).with("Reason", reason)
}

func orgRequired(member string) *apiError {
	return orgInvalid("INPUT_REQUIRED", "You must specify a value for "+member+".")
}

// orgMgmtOnly answers a member account as AWS does.
func orgMgmtOnly(c *call) *apiError {
	if c.acct.ID != c.sim.org.mgmtID {
		return newErr(400, "AccessDeniedException", "%s", orgMsgDenied)
	}
	return nil
}

// orgAllFeatures refuses, in a billing-only organization (FeatureSet
// CONSOLIDATED_BILLING), what needs all features: trusted access and
// delegated administrators ("ORGANIZATION_NOT_IN_ALL_FEATURES_MODE: You
// attempted to perform an operation that requires the organization to be
// configured to support all features", Organizations API reference,
// ConstraintViolationException; Organizations user guide, "Enabling all
// features for an organization"). Policy operations answer
// PolicyTypeNotAvailableForOrganizationException instead (orgNotAvailable).
func orgAllFeatures(c *call) *apiError {
	if c.sim.org.featureSet == "ALL" {
		return nil
	}
	return orgConstraint("ORGANIZATION_NOT_IN_ALL_FEATURES_MODE",
		"You attempted to perform an operation that requires the organization to be configured to support all features. An organization that supports only consolidated billing features can't perform this operation.")
}

// --- ARNs ---

// orgARN is an Organizations ARN in the sim's partition (IAM user guide,
// "IAM ARNs"; the Organizations resource types in the Service
// Authorization Reference): arn:PARTITION:organizations::<management
// account>:<resource>.
func (s *Sim) orgARN(resource string) string {
	return s.arn("organizations", "", s.org.mgmtID, resource)
}

func (s *Sim) orgAccountARN(id string) string { return s.orgARN("account/" + s.org.id + "/" + id) }

func (s *Sim) orgOUARN(id string) string { return s.orgARN("ou/" + s.org.id + "/" + id) }

func (s *Sim) orgRootARN(id string) string { return s.orgARN("root/" + s.org.id + "/" + id) }

func (s *Sim) orgPolicyARN(typ, id string) string {
	return s.orgARN("policy/" + s.org.id + "/" + orgPolicyTypes[typ].arnSegment + "/" + id)
}

// orgResource returns the resource function of an operation whose request
// names the resource in member: the ARN of the account, OU, root or policy
// the id denotes, or "*" when the id is malformed or (for policies, whose
// ARN depends on their type) unknown.
func orgResource(member string) func(c *call) string {
	return func(c *call) string {
		var in map[string]any
		if json.Unmarshal(c.body, &in) != nil {
			return "*"
		}
		id, _ := in[member].(string)
		o := c.sim.org
		switch {
		case isAccountID(id):
			return c.sim.orgAccountARN(id)
		case reOrgOUID.MatchString(id):
			return c.sim.orgOUARN(id)
		case reOrgRootID.MatchString(id):
			return c.sim.orgRootARN(id)
		case reOrgPolicyID.MatchString(id):
			if p := o.policies[id]; p != nil {
				return p.arn
			}
		}
		return "*"
	}
}

// --- output shapes ---

type orgAccountOut struct {
	Arn             string     `json:"Arn"`
	Email           string     `json:"Email"`
	Id              string     `json:"Id"`
	JoinedMethod    string     `json:"JoinedMethod"`
	JoinedTimestamp *epochTime `json:"JoinedTimestamp,omitempty"`
	Name            string     `json:"Name"`
	State           string     `json:"State"`
	Status          string     `json:"Status"`
}

type orgOUOut struct {
	Arn  string `json:"Arn"`
	Id   string `json:"Id"`
	Name string `json:"Name"`
}

type orgPolicyTypeOut struct {
	Status string `json:"Status"`
	Type   string `json:"Type"`
}

type orgRootOut struct {
	Arn         string             `json:"Arn"`
	Id          string             `json:"Id"`
	Name        string             `json:"Name"`
	PolicyTypes []orgPolicyTypeOut `json:"PolicyTypes"`
}

type orgPolicySummaryOut struct {
	Arn         string `json:"Arn"`
	AwsManaged  bool   `json:"AwsManaged"`
	Description string `json:"Description"`
	Id          string `json:"Id"`
	Name        string `json:"Name"`
	Type        string `json:"Type"`
}

type orgPolicyOut struct {
	Content       string              `json:"Content"`
	PolicySummary orgPolicySummaryOut `json:"PolicySummary"`
}

type orgTag struct {
	Key   *string `json:"Key"`
	Value *string `json:"Value"`
}

type orgTagOut struct {
	Key   string `json:"Key"`
	Value string `json:"Value"`
}

// accountStatus derives the retired Status from State.
func accountStatus(state string) string {
	switch state {
	case "SUSPENDED", "CLOSED":
		return "SUSPENDED"
	case "PENDING_CLOSURE":
		return "PENDING_CLOSURE"
	default:
		return "ACTIVE"
	}
}

func (c *call) orgAccount(a *Account) orgAccountOut {
	return orgAccountOut{
		Arn: c.sim.orgAccountARN(a.ID), Email: a.Email, Id: a.ID,
		JoinedMethod: a.JoinedMethod, JoinedTimestamp: epoch(a.JoinedTimestamp),
		Name: a.Name, State: a.State, Status: accountStatus(a.State),
	}
}

func orgOUShape(ou *orgOU) orgOUOut { return orgOUOut{Arn: ou.arn, Id: ou.id, Name: ou.name} }

func orgRootShape(r *orgRoot) orgRootOut {
	out := orgRootOut{Arn: r.arn, Id: r.id, Name: r.name, PolicyTypes: orgPolicyTypeList(r)}
	return out
}

func orgPolicyTypeList(r *orgRoot) []orgPolicyTypeOut {
	types := make([]string, 0, len(r.policyTypes))
	for t := range r.policyTypes {
		types = append(types, t)
	}
	sort.Strings(types)
	out := make([]orgPolicyTypeOut, 0, len(types))
	for _, t := range types {
		out = append(out, orgPolicyTypeOut{Status: r.policyTypes[t], Type: t})
	}
	return out
}

func orgSummary(p *orgPolicy) orgPolicySummaryOut {
	return orgPolicySummaryOut{Arn: p.arn, AwsManaged: p.awsManaged, Description: p.description, Id: p.id, Name: p.name, Type: p.typ}
}

func orgPolicyShape(p *orgPolicy) orgPolicyOut {
	return orgPolicyOut{Content: p.content, PolicySummary: orgSummary(p)}
}

// --- pagination ---

type orgPaging struct {
	NextToken  *string `json:"NextToken"`
	MaxResults *int    `json:"MaxResults"`
}

// orgPage returns the bounds of the requested page of total items and the
// next token (nil on the last page).
func orgPage(c *call, p orgPaging, total int) (start, end int, next *string, e *apiError) {
	max := orgDefaultPageSize
	if p.MaxResults != nil {
		switch {
		case *p.MaxResults < 1:
			return 0, 0, nil, orgInvalid("MIN_VALUE_EXCEEDED", "You provided a value that is too small. MaxResults must be at least 1.")
		case *p.MaxResults > 20:
			return 0, 0, nil, orgInvalid("MAX_VALUE_EXCEEDED", "You provided a value that is too large. MaxResults must be at most 20.")
		}
		max = *p.MaxResults
	}
	token := ""
	if p.NextToken != nil {
		token = *p.NextToken
	}
	start, end, tok, ok := page(c.op, total, token, max)
	if !ok {
		return 0, 0, nil, orgInvalid("INVALID_NEXT_TOKEN", orgMsgNextToken)
	}
	if tok != "" {
		next = &tok
	}
	return start, end, next, nil
}

// --- lookups and validation ---

// orgParent resolves a ParentId (root or OU).
func (c *call) orgParent(id *string) (string, *apiError) {
	if id == nil {
		return "", orgRequired("ParentId")
	}
	o := c.sim.org
	switch {
	case reOrgRootID.MatchString(*id):
		if *id == o.root.id {
			return *id, nil
		}
	case reOrgOUID.MatchString(*id):
		if o.ous[*id] != nil {
			return *id, nil
		}
	default:
		return "", orgInvalid("INVALID_PATTERN", orgMsgPattern)
	}
	return "", newErr(400, "ParentNotFoundException", "%s", orgMsgParentNotFound)
}

// orgTarget resolves a policy TargetId (root, OU or account).
func (c *call) orgTarget(id *string) (string, *apiError) {
	if id == nil {
		return "", orgRequired("TargetId")
	}
	o := c.sim.org
	switch {
	case reOrgRootID.MatchString(*id):
		if *id == o.root.id {
			return *id, nil
		}
	case reOrgOUID.MatchString(*id):
		if o.ous[*id] != nil {
			return *id, nil
		}
	case isAccountID(*id):
		if c.sim.accounts[*id] != nil {
			return *id, nil
		}
	default:
		return "", orgInvalid("INVALID_PATTERN_TARGET_ID", "You specified a policy target ID that doesn't match the required pattern.")
	}
	return "", newErr(400, "TargetNotFoundException", "%s", orgMsgTargetNotFound)
}

func (c *call) orgPolicyByID(id *string) (*orgPolicy, *apiError) {
	if id == nil {
		return nil, orgRequired("PolicyId")
	}
	if !reOrgPolicyID.MatchString(*id) {
		return nil, orgInvalid("INVALID_SYNTAX_POLICY_ID", "You provided a policy ID that doesn't match the required pattern.")
	}
	p := c.sim.org.policies[*id]
	if p == nil {
		return nil, newErr(400, "PolicyNotFoundException", "%s", orgMsgPolicyNotFound)
	}
	return p, nil
}

func (c *call) orgAccountByID(id *string) (*Account, *apiError) {
	if id == nil {
		return nil, orgRequired("AccountId")
	}
	if !isAccountID(*id) {
		return nil, orgInvalid("INVALID_PATTERN", orgMsgPattern)
	}
	a := c.sim.accounts[*id]
	if a == nil {
		return nil, newErr(400, "AccountNotFoundException", "%s", orgMsgAccountNotFound)
	}
	return a, nil
}

func orgServicePrincipal(sp *string) (string, *apiError) {
	if sp == nil {
		return "", orgRequired("ServicePrincipal")
	}
	if !reOrgSP.MatchString(*sp) {
		return "", orgInvalid("INVALID_PATTERN", orgMsgPattern)
	}
	if _, ok := orgServicePrincipals[*sp]; !ok {
		return "", orgInvalid("UNRECOGNIZED_SERVICE_PRINCIPAL", "You specified an unrecognized service principal.")
	}
	return *sp, nil
}

func orgPolicyType(t *string, field string) (string, *apiError) {
	if t == nil {
		return "", orgRequired(field)
	}
	if _, ok := orgPolicyTypes[*t]; !ok {
		return "", orgInvalid("INVALID_ENUM_POLICY_TYPE", "You specified an invalid policy type string.")
	}
	return *t, nil
}

// --- Organization, roots, OUs, accounts ---

func orgDescribeOrganization(c *call) (any, *apiError) {
	o := c.sim.org
	type orgOut struct {
		Arn                  string             `json:"Arn"`
		AvailablePolicyTypes []orgPolicyTypeOut `json:"AvailablePolicyTypes"`
		FeatureSet           string             `json:"FeatureSet"`
		Id                   string             `json:"Id"`
		MasterAccountArn     string             `json:"MasterAccountArn"`
		MasterAccountEmail   string             `json:"MasterAccountEmail"`
		MasterAccountId      string             `json:"MasterAccountId"`
	}
	return struct {
		Organization orgOut `json:"Organization"`
	}{orgOut{
		Arn: o.arn, AvailablePolicyTypes: orgPolicyTypeList(o.root), FeatureSet: o.featureSet, Id: o.id,
		MasterAccountArn: c.sim.orgAccountARN(o.mgmtID), MasterAccountEmail: o.mgmtEmail, MasterAccountId: o.mgmtID,
	}}, nil
}

func orgListRoots(c *call) (any, *apiError) {
	if e := orgMgmtOnly(c); e != nil {
		return nil, e
	}
	var in orgPaging
	if e := c.decode(&in); e != nil {
		return nil, e
	}
	start, end, next, e := orgPage(c, in, 1)
	if e != nil {
		return nil, e
	}
	roots := []orgRootOut{orgRootShape(c.sim.org.root)}[start:end]
	return struct {
		Roots     []orgRootOut `json:"Roots"`
		NextToken *string      `json:"NextToken,omitempty"`
	}{roots, next}, nil
}

// childOUs returns the OUs directly under parent, in creation order.
func (s *Sim) childOUs(parent string) []*orgOU {
	var out []*orgOU
	for _, id := range s.org.ouOrder {
		if ou := s.org.ous[id]; ou != nil && ou.parentID == parent {
			out = append(out, ou)
		}
	}
	return out
}

// childAccounts returns the accounts directly under parent, in creation order.
func (s *Sim) childAccounts(parent string) []*Account {
	var out []*Account
	for _, id := range s.order {
		if a := s.accounts[id]; a != nil && a.ParentID == parent {
			out = append(out, a)
		}
	}
	return out
}

func orgListOUsForParent(c *call) (any, *apiError) {
	if e := orgMgmtOnly(c); e != nil {
		return nil, e
	}
	var in struct {
		orgPaging
		ParentId *string `json:"ParentId"`
	}
	if e := c.decode(&in); e != nil {
		return nil, e
	}
	parent, e := c.orgParent(in.ParentId)
	if e != nil {
		return nil, e
	}
	ous := c.sim.childOUs(parent)
	start, end, next, e := orgPage(c, in.orgPaging, len(ous))
	if e != nil {
		return nil, e
	}
	out := make([]orgOUOut, 0, end-start)
	for _, ou := range ous[start:end] {
		out = append(out, orgOUShape(ou))
	}
	return struct {
		OrganizationalUnits []orgOUOut `json:"OrganizationalUnits"`
		NextToken           *string    `json:"NextToken,omitempty"`
	}{out, next}, nil
}

func orgDescribeOU(c *call) (any, *apiError) {
	if e := orgMgmtOnly(c); e != nil {
		return nil, e
	}
	var in struct {
		OrganizationalUnitId *string `json:"OrganizationalUnitId"`
	}
	if e := c.decode(&in); e != nil {
		return nil, e
	}
	if in.OrganizationalUnitId == nil {
		return nil, orgRequired("OrganizationalUnitId")
	}
	if !reOrgOUID.MatchString(*in.OrganizationalUnitId) {
		return nil, orgInvalid("INVALID_PATTERN", orgMsgPattern)
	}
	ou := c.sim.org.ous[*in.OrganizationalUnitId]
	if ou == nil {
		return nil, newErr(400, "OrganizationalUnitNotFoundException", "%s", orgMsgOUNotFound)
	}
	return struct {
		OrganizationalUnit orgOUOut `json:"OrganizationalUnit"`
	}{orgOUShape(ou)}, nil
}

func (c *call) orgAccountPage(accts []*Account, p orgPaging) (any, *apiError) {
	start, end, next, e := orgPage(c, p, len(accts))
	if e != nil {
		return nil, e
	}
	out := make([]orgAccountOut, 0, end-start)
	for _, a := range accts[start:end] {
		out = append(out, c.orgAccount(a))
	}
	return struct {
		Accounts  []orgAccountOut `json:"Accounts"`
		NextToken *string         `json:"NextToken,omitempty"`
	}{out, next}, nil
}

func orgListAccountsForParent(c *call) (any, *apiError) {
	if e := orgMgmtOnly(c); e != nil {
		return nil, e
	}
	var in struct {
		orgPaging
		ParentId *string `json:"ParentId"`
	}
	if e := c.decode(&in); e != nil {
		return nil, e
	}
	parent, e := c.orgParent(in.ParentId)
	if e != nil {
		return nil, e
	}
	return c.orgAccountPage(c.sim.childAccounts(parent), in.orgPaging)
}

func orgListAccounts(c *call) (any, *apiError) {
	if e := orgMgmtOnly(c); e != nil {
		return nil, e
	}
	var in orgPaging
	if e := c.decode(&in); e != nil {
		return nil, e
	}
	accts := make([]*Account, 0, len(c.sim.order))
	for _, id := range c.sim.order {
		accts = append(accts, c.sim.accounts[id])
	}
	return c.orgAccountPage(accts, in)
}

func orgDescribeAccount(c *call) (any, *apiError) {
	if e := orgMgmtOnly(c); e != nil {
		return nil, e
	}
	var in struct {
		AccountId *string `json:"AccountId"`
	}
	if e := c.decode(&in); e != nil {
		return nil, e
	}
	a, e := c.orgAccountByID(in.AccountId)
	if e != nil {
		return nil, e
	}
	return struct {
		Account orgAccountOut `json:"Account"`
	}{c.orgAccount(a)}, nil
}

func orgListChildren(c *call) (any, *apiError) {
	if e := orgMgmtOnly(c); e != nil {
		return nil, e
	}
	var in struct {
		orgPaging
		ParentId  *string `json:"ParentId"`
		ChildType *string `json:"ChildType"`
	}
	if e := c.decode(&in); e != nil {
		return nil, e
	}
	parent, e := c.orgParent(in.ParentId)
	if e != nil {
		return nil, e
	}
	if in.ChildType == nil {
		return nil, orgRequired("ChildType")
	}
	var ids []string
	switch *in.ChildType {
	case "ACCOUNT":
		for _, a := range c.sim.childAccounts(parent) {
			ids = append(ids, a.ID)
		}
	case "ORGANIZATIONAL_UNIT":
		for _, ou := range c.sim.childOUs(parent) {
			ids = append(ids, ou.id)
		}
	default:
		return nil, orgInvalid("INVALID_ENUM", "You specified an invalid value for ChildType.")
	}
	start, end, next, e := orgPage(c, in.orgPaging, len(ids))
	if e != nil {
		return nil, e
	}
	type child struct {
		Id   string `json:"Id"`
		Type string `json:"Type"`
	}
	out := make([]child, 0, end-start)
	for _, id := range ids[start:end] {
		out = append(out, child{id, *in.ChildType})
	}
	return struct {
		Children  []child `json:"Children"`
		NextToken *string `json:"NextToken,omitempty"`
	}{out, next}, nil
}

func orgListParents(c *call) (any, *apiError) {
	if e := orgMgmtOnly(c); e != nil {
		return nil, e
	}
	var in struct {
		orgPaging
		ChildId *string `json:"ChildId"`
	}
	if e := c.decode(&in); e != nil {
		return nil, e
	}
	if in.ChildId == nil {
		return nil, orgRequired("ChildId")
	}
	parent := ""
	switch id := *in.ChildId; {
	case isAccountID(id):
		if a := c.sim.accounts[id]; a != nil {
			parent = a.ParentID
		}
	case reOrgOUID.MatchString(id):
		if ou := c.sim.org.ous[id]; ou != nil {
			parent = ou.parentID
		}
	default:
		return nil, orgInvalid("INVALID_PATTERN", orgMsgPattern)
	}
	if parent == "" {
		return nil, newErr(400, "ChildNotFoundException", "%s", orgMsgChildNotFound)
	}
	start, end, next, e := orgPage(c, in.orgPaging, 1)
	if e != nil {
		return nil, e
	}
	type parentOut struct {
		Id   string `json:"Id"`
		Type string `json:"Type"`
	}
	typ := "ORGANIZATIONAL_UNIT"
	if parent == c.sim.org.root.id {
		typ = "ROOT"
	}
	out := []parentOut{{parent, typ}}[start:end]
	return struct {
		Parents   []parentOut `json:"Parents"`
		NextToken *string     `json:"NextToken,omitempty"`
	}{out, next}, nil
}

// --- tags ---

// orgTags returns the tag map of a taggable resource (account, OU, root or
// policy), creating it when needed. awsManaged reports an AWS managed policy,
// which cannot be tagged.
func (c *call) orgTags(id *string) (tags map[string]string, awsManaged bool, e *apiError) {
	if id == nil {
		return nil, false, orgRequired("ResourceId")
	}
	o := c.sim.org
	switch {
	case isAccountID(*id):
		if a := c.sim.accounts[*id]; a != nil {
			if a.Tags == nil {
				a.Tags = map[string]string{}
			}
			return a.Tags, false, nil
		}
	case reOrgOUID.MatchString(*id):
		if ou := o.ous[*id]; ou != nil {
			if ou.tags == nil {
				ou.tags = map[string]string{}
			}
			return ou.tags, false, nil
		}
	case reOrgRootID.MatchString(*id):
		if *id == o.root.id {
			if o.root.tags == nil {
				o.root.tags = map[string]string{}
			}
			return o.root.tags, false, nil
		}
	case reOrgPolicyID.MatchString(*id):
		if p := o.policies[*id]; p != nil {
			if p.tags == nil {
				p.tags = map[string]string{}
			}
			return p.tags, p.awsManaged, nil
		}
	default:
		return nil, false, orgInvalid("INVALID_PATTERN", orgMsgPattern)
	}
	return nil, false, newErr(400, "TargetNotFoundException", "%s", orgMsgTargetNotFound)
}

func sortedTags(m map[string]string) []orgTagOut {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	out := make([]orgTagOut, 0, len(keys))
	for _, k := range keys {
		out = append(out, orgTagOut{k, m[k]})
	}
	return out
}

func orgListTags(c *call) (any, *apiError) {
	if e := orgMgmtOnly(c); e != nil {
		return nil, e
	}
	var in struct {
		ResourceId *string `json:"ResourceId"`
		NextToken  *string `json:"NextToken"`
	}
	if e := c.decode(&in); e != nil {
		return nil, e
	}
	tags, _, e := c.orgTags(in.ResourceId)
	if e != nil {
		return nil, e
	}
	all := sortedTags(tags)
	// ListTagsForResource takes no MaxResults; AWS pages with NextToken only.
	start, end, next, e := orgPage(c, orgPaging{NextToken: in.NextToken}, len(all))
	if e != nil {
		return nil, e
	}
	return struct {
		Tags      []orgTagOut `json:"Tags"`
		NextToken *string     `json:"NextToken,omitempty"`
	}{all[start:end], next}, nil
}

// orgCheckTags validates request tags: keys 1–128 characters, not starting
// with "aws:", values 0–256, no duplicate keys.
func orgCheckTags(tags []orgTag) (map[string]string, *apiError) {
	m := make(map[string]string, len(tags))
	for _, t := range tags {
		if t.Key == nil || t.Value == nil {
			return nil, orgInvalid("INPUT_REQUIRED", "You must specify a value for Key and Value of every tag.")
		}
		k, v := *t.Key, *t.Value
		switch {
		case len(k) < 1:
			return nil, orgInvalid("MIN_LENGTH_EXCEEDED", "You provided a tag key that is too short. A tag key must have at least 1 character.")
		case len([]rune(k)) > 128:
			return nil, orgInvalid("MAX_LENGTH_EXCEEDED", "You provided a tag key that is too long. A tag key can have at most 128 characters.")
		case len([]rune(v)) > 256:
			return nil, orgInvalid("MAX_LENGTH_EXCEEDED", "You provided a tag value that is too long. A tag value can have at most 256 characters.")
		case strings.HasPrefix(strings.ToLower(k), "aws:"):
			return nil, orgInvalid("INVALID_SYSTEM_TAGS_PARAMETER", "You provided a tag key that starts with the reserved prefix aws:.")
		}
		if _, dup := m[k]; dup {
			return nil, orgInvalid("DUPLICATE_TAG_KEY", "You provided the same tag key more than once.")
		}
		m[k] = v
	}
	return m, nil
}

func orgTagResource(c *call) (any, *apiError) {
	if e := orgMgmtOnly(c); e != nil {
		return nil, e
	}
	var in struct {
		ResourceId *string  `json:"ResourceId"`
		Tags       []orgTag `json:"Tags"`
	}
	if e := c.decode(&in); e != nil {
		return nil, e
	}
	tags, managed, e := c.orgTags(in.ResourceId)
	if e != nil {
		return nil, e
	}
	if in.Tags == nil {
		return nil, orgRequired("Tags")
	}
	if managed {
		return nil, orgInvalid("IMMUTABLE_POLICY", "You can't tag an AWS managed policy.")
	}
	add, e := orgCheckTags(in.Tags)
	if e != nil {
		return nil, e
	}
	n := len(tags)
	for k := range add {
		if _, ok := tags[k]; !ok {
			n++
		}
	}
	if n > orgMaxTagsPerResource {
		return nil, orgConstraint("MAX_TAG_LIMIT_EXCEEDED", "You have exceeded the number of tags allowed on this resource (50).")
	}
	for k, v := range add {
		tags[k] = v
	}
	return struct{}{}, nil
}

func orgUntagResource(c *call) (any, *apiError) {
	if e := orgMgmtOnly(c); e != nil {
		return nil, e
	}
	var in struct {
		ResourceId *string  `json:"ResourceId"`
		TagKeys    []string `json:"TagKeys"`
	}
	if e := c.decode(&in); e != nil {
		return nil, e
	}
	tags, managed, e := c.orgTags(in.ResourceId)
	if e != nil {
		return nil, e
	}
	if in.TagKeys == nil {
		return nil, orgRequired("TagKeys")
	}
	if managed {
		return nil, orgInvalid("IMMUTABLE_POLICY", "You can't untag an AWS managed policy.")
	}
	for _, k := range in.TagKeys {
		delete(tags, k)
	}
	return struct{}{}, nil
}

// --- policies ---

// orgCheckContent validates a policy document of type typ: its size (SCPs
// against the configured limit) and its grammar. It returns the compiled
// policy for SCPs and RCPs, nil for the other types (orgsim evaluates
// only those).
func (c *call) orgCheckContent(typ, content string) (*iampolicy.Policy, *apiError) {
	if content == "" {
		return nil, orgInvalid("MIN_LENGTH_EXCEEDED", "You provided a value that is too short. Content must have at least 1 character.")
	}
	limit := orgPolicyTypes[typ].maxSize
	if typ == "SERVICE_CONTROL_POLICY" {
		limit = c.sim.limits.SCPMaxSize
	}
	if iampolicy.Size(content) > limit {
		return nil, orgConstraint("POLICY_CONTENT_LIMIT_EXCEEDED",
			"You attempted to create or update a policy with content that is larger than the maximum size of "+itoa(limit)+" characters.")
	}
	if typ == rcpType {
		return rcpParse(content)
	}
	if _, mgmt := orgMgmtPerTarget[typ]; mgmt {
		return nil, orgCheckMgmtContent(typ, content)
	}
	parsed, err := iampolicy.Parse([]byte(content), iampolicy.KindSCP)
	if err != nil {
		return nil, newErr(400, "MalformedPolicyDocumentException", "The provided policy document doesn't meet the requirements of the specified policy type: %s", policyProblems(err))
	}
	return parsed, nil
}

// policyProblems lists the problems of a parse error, separated by "; ".
func policyProblems(err error) string {
	if pe, ok := err.(*iampolicy.ParseError); ok && len(pe.Problems) > 0 {
		parts := make([]string, len(pe.Problems))
		for i, p := range pe.Problems {
			parts[i] = p.String()
		}
		return strings.Join(parts, "; ")
	}
	return err.Error()
}

func orgCheckName(name *string) *apiError {
	if name == nil {
		return orgRequired("Name")
	}
	if n := len([]rune(*name)); n < 1 {
		return orgInvalid("MIN_LENGTH_EXCEEDED", "You provided a value that is too short. Name must have at least 1 character.")
	} else if n > 128 {
		return orgInvalid("MAX_LENGTH_EXCEEDED", "You provided a value that is too long. Name can have at most 128 characters.")
	}
	return nil
}

func orgCheckDescription(d *string) *apiError {
	if d != nil && len([]rune(*d)) > 512 {
		return orgInvalid("MAX_LENGTH_EXCEEDED", "You provided a value that is too long. Description can have at most 512 characters.")
	}
	return nil
}

// orgNameTaken reports whether another policy of the same type has name.
func (o *organization) orgNameTaken(typ, name, except string) bool {
	for _, id := range o.polOrder {
		if p := o.policies[id]; p != nil && p.id != except && p.typ == typ && p.name == name {
			return true
		}
	}
	return false
}

// orgCreatePolicy answers CreatePolicy. A name already taken by a policy
// of the same type answers DuplicatePolicyException, "A policy with the
// same name already exists", and a billing-only organization
// PolicyTypeNotAvailableForOrganizationException; the type need not be
// enabled in the root (PolicyTypeNotEnabledException is not among
// CreatePolicy's errors, only AttachPolicy's: Organizations API
// reference, CreatePolicy and AttachPolicy). orgbaseline's apply lease
// relies on the duplicate check being atomic, as orgsim's single state
// lock makes it.
func orgCreatePolicy(c *call) (any, *apiError) {
	if e := orgMgmtOnly(c); e != nil {
		return nil, e
	}
	var in struct {
		Content     *string  `json:"Content"`
		Description *string  `json:"Description"`
		Name        *string  `json:"Name"`
		Type        *string  `json:"Type"`
		Tags        []orgTag `json:"Tags"`
	}
	if e := c.decode(&in); e != nil {
		return nil, e
	}
	if in.Content == nil {
		return nil, orgRequired("Content")
	}
	if in.Description == nil {
		return nil, orgRequired("Description")
	}
	if e := orgCheckName(in.Name); e != nil {
		return nil, e
	}
	if e := orgCheckDescription(in.Description); e != nil {
		return nil, e
	}
	typ, e := orgPolicyType(in.Type, "Type")
	if e != nil {
		return nil, e
	}
	if c.sim.org.featureSet != "ALL" {
		return nil, orgNotAvailable()
	}
	tags, e := orgCheckTags(in.Tags)
	if e != nil {
		return nil, e
	}
	if len(tags) > orgMaxTagsPerResource {
		return nil, orgConstraint("MAX_TAG_LIMIT_EXCEEDED", "You have exceeded the number of tags allowed on this resource (50).")
	}
	parsed, e := c.orgCheckContent(typ, *in.Content)
	if e != nil {
		return nil, e
	}
	o := c.sim.org
	if o.orgNameTaken(typ, *in.Name, "") {
		return nil, newErr(400, "DuplicatePolicyException", "A policy with the same name already exists.")
	}
	count := 0
	for _, p := range o.policies {
		if p.typ == typ && !p.awsManaged {
			count++
		}
	}
	if count >= c.sim.limits.PoliciesPerType {
		return nil, orgConstraint("POLICY_NUMBER_LIMIT_EXCEEDED",
			"You have reached the maximum number of policies of this type ("+itoa(c.sim.limits.PoliciesPerType)+").")
	}
	id := "p-" + c.sim.lowerID(8)
	for o.policies[id] != nil {
		id = "p-" + c.sim.lowerID(8)
	}
	p := &orgPolicy{
		id: id, arn: c.sim.orgPolicyARN(typ, id), name: *in.Name, description: *in.Description,
		typ: typ, content: *in.Content, parsed: parsed, tags: tags,
	}
	o.policies[id] = p
	o.polOrder = append(o.polOrder, id)
	o.orgNoteChange(id, c.now)
	return struct {
		Policy orgPolicyOut `json:"Policy"`
	}{orgPolicyShape(p)}, nil
}

func orgUpdatePolicy(c *call) (any, *apiError) {
	if e := orgMgmtOnly(c); e != nil {
		return nil, e
	}
	var in struct {
		PolicyId    *string `json:"PolicyId"`
		Name        *string `json:"Name"`
		Description *string `json:"Description"`
		Content     *string `json:"Content"`
	}
	if e := c.decode(&in); e != nil {
		return nil, e
	}
	p, e := c.orgPolicyByID(in.PolicyId)
	if e != nil {
		return nil, e
	}
	if p.awsManaged {
		return nil, orgInvalid("IMMUTABLE_POLICY", "You specified a policy that is managed by AWS and can't be modified.")
	}
	if in.Name != nil {
		if e := orgCheckName(in.Name); e != nil {
			return nil, e
		}
	}
	if e := orgCheckDescription(in.Description); e != nil {
		return nil, e
	}
	var parsed *iampolicy.Policy
	if in.Content != nil {
		if parsed, e = c.orgCheckContent(p.typ, *in.Content); e != nil {
			return nil, e
		}
	}
	if in.Name != nil && c.sim.org.orgNameTaken(p.typ, *in.Name, p.id) {
		return nil, newErr(400, "DuplicatePolicyException", "A policy with the same name already exists.")
	}
	if in.Name != nil {
		p.name = *in.Name
	}
	if in.Description != nil {
		p.description = *in.Description
	}
	if in.Content != nil {
		p.content, p.parsed = *in.Content, parsed
		c.sim.org.orgNoteChange(p.id, c.now)
	}
	return struct {
		Policy orgPolicyOut `json:"Policy"`
	}{orgPolicyShape(p)}, nil
}

func orgDescribePolicy(c *call) (any, *apiError) {
	if e := orgMgmtOnly(c); e != nil {
		return nil, e
	}
	var in struct {
		PolicyId *string `json:"PolicyId"`
	}
	if e := c.decode(&in); e != nil {
		return nil, e
	}
	p, e := c.orgPolicyByID(in.PolicyId)
	if e != nil {
		return nil, e
	}
	return struct {
		Policy orgPolicyOut `json:"Policy"`
	}{orgPolicyShape(p)}, nil
}

// orgTargetsOf returns the targets p is attached to: the root, then OUs and
// accounts in creation order.
func (s *Sim) orgTargetsOf(policyID string) []string {
	o := s.org
	var out []string
	has := func(target string) bool {
		for _, id := range o.attachments[target] {
			if id == policyID {
				return true
			}
		}
		return false
	}
	if has(o.root.id) {
		out = append(out, o.root.id)
	}
	for _, id := range o.ouOrder {
		if o.ous[id] != nil && has(id) {
			out = append(out, id)
		}
	}
	for _, id := range s.order {
		if has(id) {
			out = append(out, id)
		}
	}
	return out
}

func orgDeletePolicy(c *call) (any, *apiError) {
	if e := orgMgmtOnly(c); e != nil {
		return nil, e
	}
	var in struct {
		PolicyId *string `json:"PolicyId"`
	}
	if e := c.decode(&in); e != nil {
		return nil, e
	}
	p, e := c.orgPolicyByID(in.PolicyId)
	if e != nil {
		return nil, e
	}
	if p.awsManaged {
		return nil, orgInvalid("IMMUTABLE_POLICY", "You specified a policy that is managed by AWS and can't be modified.")
	}
	if len(c.sim.orgTargetsOf(p.id)) > 0 {
		return nil, newErr(400, "PolicyInUseException", "The policy is attached to one or more entities. You must detach it from all roots, OUs, and accounts before performing this operation.")
	}
	o := c.sim.org
	delete(o.policies, p.id)
	for i, id := range o.polOrder {
		if id == p.id {
			o.polOrder = append(o.polOrder[:i:i], o.polOrder[i+1:]...)
			break
		}
	}
	return struct{}{}, nil
}

func orgListPolicies(c *call) (any, *apiError) {
	if e := orgMgmtOnly(c); e != nil {
		return nil, e
	}
	var in struct {
		orgPaging
		Filter *string `json:"Filter"`
	}
	if e := c.decode(&in); e != nil {
		return nil, e
	}
	typ, e := orgPolicyType(in.Filter, "Filter")
	if e != nil {
		return nil, e
	}
	var ps []*orgPolicy
	for _, id := range c.sim.org.polOrder {
		if p := c.sim.org.policies[id]; p != nil && p.typ == typ {
			ps = append(ps, p)
		}
	}
	return c.orgPolicyPage(ps, in.orgPaging)
}

func (c *call) orgPolicyPage(ps []*orgPolicy, pg orgPaging) (any, *apiError) {
	start, end, next, e := orgPage(c, pg, len(ps))
	if e != nil {
		return nil, e
	}
	out := make([]orgPolicySummaryOut, 0, end-start)
	for _, p := range ps[start:end] {
		out = append(out, orgSummary(p))
	}
	return struct {
		Policies  []orgPolicySummaryOut `json:"Policies"`
		NextToken *string               `json:"NextToken,omitempty"`
	}{out, next}, nil
}

// attachedOfType returns the policies of typ attached to target.
func (o *organization) attachedOfType(target, typ string) []*orgPolicy {
	var out []*orgPolicy
	for _, id := range o.attachments[target] {
		if p := o.policies[id]; p != nil && p.typ == typ {
			out = append(out, p)
		}
	}
	return out
}

func orgAttachPolicy(c *call) (any, *apiError) {
	if e := orgMgmtOnly(c); e != nil {
		return nil, e
	}
	var in struct {
		PolicyId *string `json:"PolicyId"`
		TargetId *string `json:"TargetId"`
	}
	if e := c.decode(&in); e != nil {
		return nil, e
	}
	p, e := c.orgPolicyByID(in.PolicyId)
	if e != nil {
		return nil, e
	}
	target, e := c.orgTarget(in.TargetId)
	if e != nil {
		return nil, e
	}
	o := c.sim.org
	if o.root.policyTypes[p.typ] != orgEnabled {
		return nil, orgTypeNotEnabled()
	}
	attached := o.attachedOfType(target, p.typ)
	for _, a := range attached {
		if a.id == p.id {
			return nil, newErr(400, "DuplicatePolicyAttachmentException", "The selected policy is already attached to the specified target.")
		}
	}
	limit := c.sim.orgMaxPerTarget(p.typ)
	if p.typ == rcpType {
		limit = rcpMaxPerTarget
	}
	if len(attached) >= limit {
		return nil, orgConstraint("MAX_POLICY_TYPE_ATTACHMENT_LIMIT_EXCEEDED",
			"You attempted to attach more than "+itoa(limit)+" policies of this type to the target.")
	}
	o.attachments[target] = append(o.attachments[target], p.id)
	o.orgNoteChange(target, c.now)
	return struct{}{}, nil
}

func orgDetachPolicy(c *call) (any, *apiError) {
	if e := orgMgmtOnly(c); e != nil {
		return nil, e
	}
	var in struct {
		PolicyId *string `json:"PolicyId"`
		TargetId *string `json:"TargetId"`
	}
	if e := c.decode(&in); e != nil {
		return nil, e
	}
	p, e := c.orgPolicyByID(in.PolicyId)
	if e != nil {
		return nil, e
	}
	target, e := c.orgTarget(in.TargetId)
	if e != nil {
		return nil, e
	}
	o := c.sim.org
	if o.root.policyTypes[p.typ] != orgEnabled {
		return nil, orgTypeNotEnabled()
	}
	idx := -1
	for i, id := range o.attachments[target] {
		if id == p.id {
			idx = i
		}
	}
	if e := rcpDetachable(p); e != nil {
		return nil, e
	}
	if idx < 0 {
		return nil, newErr(400, "PolicyNotAttachedException", "The policy isn't attached to the specified target in the specified root.")
	}
	// Every root, OU and account keeps at least one SCP while SCPs are enabled.
	if p.typ == "SERVICE_CONTROL_POLICY" && len(o.attachedOfType(target, p.typ)) <= 1 {
		return nil, orgConstraint("MIN_POLICY_TYPE_ATTACHMENT_LIMIT_EXCEEDED",
			"You attempted to detach a policy from an entity that would leave it with fewer than the minimum number of policies of this type (1).")
	}
	list := o.attachments[target]
	o.attachments[target] = append(list[:idx:idx], list[idx+1:]...)
	o.orgNoteChange(target, c.now)
	return struct{}{}, nil
}

func orgListPoliciesForTarget(c *call) (any, *apiError) {
	if e := orgMgmtOnly(c); e != nil {
		return nil, e
	}
	var in struct {
		orgPaging
		TargetId *string `json:"TargetId"`
		Filter   *string `json:"Filter"`
	}
	if e := c.decode(&in); e != nil {
		return nil, e
	}
	target, e := c.orgTarget(in.TargetId)
	if e != nil {
		return nil, e
	}
	typ, e := orgPolicyType(in.Filter, "Filter")
	if e != nil {
		return nil, e
	}
	return c.orgPolicyPage(c.sim.org.attachedOfType(target, typ), in.orgPaging)
}

func orgListTargetsForPolicy(c *call) (any, *apiError) {
	if e := orgMgmtOnly(c); e != nil {
		return nil, e
	}
	var in struct {
		orgPaging
		PolicyId *string `json:"PolicyId"`
	}
	if e := c.decode(&in); e != nil {
		return nil, e
	}
	p, e := c.orgPolicyByID(in.PolicyId)
	if e != nil {
		return nil, e
	}
	targets := c.sim.orgTargetsOf(p.id)
	start, end, next, e := orgPage(c, in.orgPaging, len(targets))
	if e != nil {
		return nil, e
	}
	type targetOut struct {
		Arn      string `json:"Arn"`
		Name     string `json:"Name"`
		TargetId string `json:"TargetId"`
		Type     string `json:"Type"`
	}
	o := c.sim.org
	out := make([]targetOut, 0, end-start)
	for _, id := range targets[start:end] {
		switch {
		case id == o.root.id:
			out = append(out, targetOut{o.root.arn, o.root.name, id, "ROOT"})
		case o.ous[id] != nil:
			out = append(out, targetOut{o.ous[id].arn, o.ous[id].name, id, "ORGANIZATIONAL_UNIT"})
		default:
			out = append(out, targetOut{c.sim.orgAccountARN(id), c.sim.accounts[id].Name, id, "ACCOUNT"})
		}
	}
	return struct {
		Targets   []targetOut `json:"Targets"`
		NextToken *string     `json:"NextToken,omitempty"`
	}{out, next}, nil
}

// --- policy types ---

func (c *call) orgRootByID(id *string) (*orgRoot, *apiError) {
	if id == nil {
		return nil, orgRequired("RootId")
	}
	if !reOrgRootID.MatchString(*id) {
		return nil, orgInvalid("INVALID_PATTERN", orgMsgPattern)
	}
	if *id != c.sim.org.root.id {
		return nil, newErr(400, "RootNotFoundException", "%s", orgMsgRootNotFound)
	}
	return c.sim.org.root, nil
}

// Policy type states in a root (PolicyTypeSummary.Status).
const (
	orgEnabled        = "ENABLED"
	orgPendingEnable  = "PENDING_ENABLE"
	orgPendingDisable = "PENDING_DISABLE"
)

// EnablePolicyType and DisablePolicyType are asynchronous: "This is an
// asynchronous request that Amazon Web Services performs in the
// background. Amazon Web Services recommends that you first use ListRoots
// to see the status of policy types for a specified root" (Organizations
// API reference, EnablePolicyType and DisablePolicyType). The root lists
// the type PENDING_ENABLE (PENDING_DISABLE) for AWSLike.PolicyTypeDelay of
// sim time, in ListRoots and in the Root the call returns, then ENABLED
// (or no longer). Meanwhile a policy of the type can be neither attached
// nor detached (PolicyTypeNotEnabledException: "You can't attach policies
// of the specified type to entities in a root until you enable that type
// in the root", AttachPolicy and DetachPolicy errors), and a second
// EnablePolicyType or DisablePolicyType of the root answers
// ConcurrentModificationException, as CfCT's concurrent EnablePolicyType
// calls got (aws-solutions/aws-control-tower-customizations issue 175).
// FullAWSAccess is attached everywhere when SCPs become ENABLED, not
// before (Organizations user guide, "Enabling a policy type": AWS
// attaches FullAWSAccess to the root and every OU and account).

func orgEnablePolicyType(c *call) (any, *apiError) {
	if e := orgMgmtOnly(c); e != nil {
		return nil, e
	}
	var in struct {
		RootId     *string `json:"RootId"`
		PolicyType *string `json:"PolicyType"`
	}
	if e := c.decode(&in); e != nil {
		return nil, e
	}
	root, e := c.orgRootByID(in.RootId)
	if e != nil {
		return nil, e
	}
	typ, e := orgPolicyType(in.PolicyType, "PolicyType")
	if e != nil {
		return nil, e
	}
	if c.sim.org.featureSet != "ALL" {
		return nil, orgNotAvailable()
	}
	switch root.policyTypes[typ] {
	case orgEnabled:
		return nil, newErr(400, "PolicyTypeAlreadyEnabledException", "The specified policy type is already enabled in the specified root.")
	case orgPendingEnable, orgPendingDisable:
		return nil, orgConcurrent()
	}
	root.policyTypes[typ] = orgPendingEnable
	s := c.sim
	s.later(c.now, s.like.PolicyTypeDelay, "the "+typ+" type becoming ENABLED in root "+root.id, func() {
		if root.policyTypes[typ] != orgPendingEnable {
			return
		}
		root.policyTypes[typ] = orgEnabled
		if typ == "SERVICE_CONTROL_POLICY" {
			s.attachFullAWSAccessEverywhere()
		}
		if typ == rcpType {
			s.attachRCPFullAWSAccessEverywhere()
		}
	})
	return struct {
		Root orgRootOut `json:"Root"`
	}{orgRootShape(root)}, nil
}

// orgNotAvailable answers a policy type the organization's feature set
// does not offer: a billing-only organization has none.
func orgNotAvailable() *apiError {
	return newErr(400, "PolicyTypeNotAvailableForOrganizationException", "You can't use the specified policy type with the feature set currently enabled for this organization.")
}

// attachFullAWSAccessEverywhere attaches FullAWSAccess to the root and to
// every OU and account with no SCP, as AWS does when SCPs are enabled.
func (s *Sim) attachFullAWSAccessEverywhere() {
	o := s.org
	targets := append([]string{o.root.id}, o.ouOrder...)
	targets = append(targets, s.order...)
	for _, t := range targets {
		if len(o.attachedOfType(t, "SERVICE_CONTROL_POLICY")) == 0 {
			o.attachments[t] = append(o.attachments[t], fullAWSAccessID)
		}
	}
}

func orgDisablePolicyType(c *call) (any, *apiError) {
	if e := orgMgmtOnly(c); e != nil {
		return nil, e
	}
	var in struct {
		RootId     *string `json:"RootId"`
		PolicyType *string `json:"PolicyType"`
	}
	if e := c.decode(&in); e != nil {
		return nil, e
	}
	root, e := c.orgRootByID(in.RootId)
	if e != nil {
		return nil, e
	}
	typ, e := orgPolicyType(in.PolicyType, "PolicyType")
	if e != nil {
		return nil, e
	}
	switch root.policyTypes[typ] {
	case "":
		return nil, orgTypeNotEnabled()
	case orgPendingEnable, orgPendingDisable:
		return nil, orgConcurrent()
	}
	root.policyTypes[typ] = orgPendingDisable
	s := c.sim
	s.later(c.now, s.like.PolicyTypeDelay, "the "+typ+" type becoming disabled in root "+root.id, func() {
		if root.policyTypes[typ] != orgPendingDisable {
			return
		}
		delete(root.policyTypes, typ)
		// Disabling a type detaches every policy of that type everywhere.
		o := s.org
		for target, ids := range o.attachments {
			kept := ids[:0:0]
			for _, id := range ids {
				if p := o.policies[id]; p == nil || p.typ != typ {
					kept = append(kept, id)
				}
			}
			o.attachments[target] = kept
		}
	})
	return struct {
		Root orgRootOut `json:"Root"`
	}{orgRootShape(root)}, nil
}

func orgTypeNotEnabled() *apiError {
	return newErr(400, "PolicyTypeNotEnabledException", "The specified policy type isn't currently enabled in this root. You can't attach policies of the specified type to entities in a root until you enable that type in the root.")
}

// --- trusted access and delegated administrators ---

func orgEnableServiceAccess(c *call) (any, *apiError) {
	if e := orgMgmtOnly(c); e != nil {
		return nil, e
	}
	var in struct {
		ServicePrincipal *string `json:"ServicePrincipal"`
	}
	if e := c.decode(&in); e != nil {
		return nil, e
	}
	sp, e := orgServicePrincipal(in.ServicePrincipal)
	if e != nil {
		return nil, e
	}
	if e := orgAllFeatures(c); e != nil {
		return nil, e
	}
	if _, ok := c.sim.org.serviceAccess[sp]; !ok {
		c.sim.org.serviceAccess[sp] = c.now
	}
	return struct{}{}, nil
}

func orgDisableServiceAccess(c *call) (any, *apiError) {
	if e := orgMgmtOnly(c); e != nil {
		return nil, e
	}
	var in struct {
		ServicePrincipal *string `json:"ServicePrincipal"`
	}
	if e := c.decode(&in); e != nil {
		return nil, e
	}
	sp, e := orgServicePrincipal(in.ServicePrincipal)
	if e != nil {
		return nil, e
	}
	delete(c.sim.org.serviceAccess, sp)
	return struct{}{}, nil
}

func orgListServiceAccess(c *call) (any, *apiError) {
	if e := orgMgmtOnly(c); e != nil {
		return nil, e
	}
	var in orgPaging
	if e := c.decode(&in); e != nil {
		return nil, e
	}
	sps := make([]string, 0, len(c.sim.org.serviceAccess))
	for sp := range c.sim.org.serviceAccess {
		sps = append(sps, sp)
	}
	sort.Strings(sps)
	start, end, next, e := orgPage(c, in, len(sps))
	if e != nil {
		return nil, e
	}
	type enabled struct {
		DateEnabled      *epochTime `json:"DateEnabled,omitempty"`
		ServicePrincipal string     `json:"ServicePrincipal"`
	}
	out := make([]enabled, 0, end-start)
	for _, sp := range sps[start:end] {
		out = append(out, enabled{epoch(c.sim.org.serviceAccess[sp]), sp})
	}
	return struct {
		EnabledServicePrincipals []enabled `json:"EnabledServicePrincipals"`
		NextToken                *string   `json:"NextToken,omitempty"`
	}{out, next}, nil
}

func orgRegisterDelegatedAdmin(c *call) (any, *apiError) {
	if e := orgMgmtOnly(c); e != nil {
		return nil, e
	}
	var in struct {
		AccountId        *string `json:"AccountId"`
		ServicePrincipal *string `json:"ServicePrincipal"`
	}
	if e := c.decode(&in); e != nil {
		return nil, e
	}
	a, e := c.orgAccountByID(in.AccountId)
	if e != nil {
		return nil, e
	}
	sp, e := orgServicePrincipal(in.ServicePrincipal)
	if e != nil {
		return nil, e
	}
	if e := orgAllFeatures(c); e != nil {
		return nil, e
	}
	o := c.sim.org
	if a.ID == o.mgmtID {
		return nil, orgConstraint("CANNOT_REGISTER_MASTER_AS_DELEGATED_ADMINISTRATOR",
			"You cannot register the management account of the organization as a delegated administrator for an AWS service.")
	}
	if _, ok := o.serviceAccess[sp]; !ok {
		return nil, orgConstraint("SERVICE_ACCESS_NOT_ENABLED",
			"You attempted to register a delegated administrator for a service that does not have trusted access enabled in the organization.")
	}
	for _, d := range o.delegatedAdmins[sp] {
		if d.accountID == a.ID {
			return nil, newErr(400, "AccountAlreadyRegisteredException", "The provided account is already a delegated administrator for your organization.")
		}
	}
	if a.State != "ACTIVE" {
		return nil, orgConstraint("CANNOT_REGISTER_SUSPENDED_ACCOUNT_AS_DELEGATED_ADMINISTRATOR",
			"You cannot register a suspended account as a delegated administrator.")
	}
	if max := orgServicePrincipals[sp]; max > 0 && len(o.delegatedAdmins[sp]) >= max {
		return nil, orgConstraint("MAX_DELEGATED_ADMINISTRATORS_FOR_SERVICE_LIMIT_EXCEEDED",
			"You attempted to register more delegated administrators than allowed for the service principal ("+itoa(max)+").")
	}
	d := &delegatedAdmin{accountID: a.ID, since: c.now}
	c.sim.propagate(c.now, "account "+a.ID+" as "+sp+"'s delegated administrator", &d.propagating)
	o.delegatedAdmins[sp] = append(o.delegatedAdmins[sp], d)
	return struct{}{}, nil
}

func orgDeregisterDelegatedAdmin(c *call) (any, *apiError) {
	if e := orgMgmtOnly(c); e != nil {
		return nil, e
	}
	var in struct {
		AccountId        *string `json:"AccountId"`
		ServicePrincipal *string `json:"ServicePrincipal"`
	}
	if e := c.decode(&in); e != nil {
		return nil, e
	}
	a, e := c.orgAccountByID(in.AccountId)
	if e != nil {
		return nil, e
	}
	sp, e := orgServicePrincipal(in.ServicePrincipal)
	if e != nil {
		return nil, e
	}
	o := c.sim.org
	list := o.delegatedAdmins[sp]
	for i, d := range list {
		if d.accountID == a.ID {
			o.delegatedAdmins[sp] = append(list[:i:i], list[i+1:]...)
			if len(o.delegatedAdmins[sp]) == 0 {
				delete(o.delegatedAdmins, sp)
			}
			return struct{}{}, nil
		}
	}
	return nil, newErr(400, "AccountNotRegisteredException", "The specified account is not a delegated administrator for this AWS service.")
}

// delegations returns, for account, the services it administers and since when.
func (o *organization) delegations(account string) map[string]*delegatedAdmin {
	out := map[string]*delegatedAdmin{}
	for sp, list := range o.delegatedAdmins {
		for _, d := range list {
			if d.accountID == account {
				out[sp] = d
			}
		}
	}
	return out
}

func orgListDelegatedAdmins(c *call) (any, *apiError) {
	if e := orgMgmtOnly(c); e != nil {
		return nil, e
	}
	var in struct {
		orgPaging
		ServicePrincipal *string `json:"ServicePrincipal"`
	}
	if e := c.decode(&in); e != nil {
		return nil, e
	}
	filter := ""
	if in.ServicePrincipal != nil {
		sp, e := orgServicePrincipal(in.ServicePrincipal)
		if e != nil {
			return nil, e
		}
		filter = sp
	}
	type admin struct {
		orgAccountOut
		DelegationEnabledDate *epochTime `json:"DelegationEnabledDate,omitempty"`
	}
	o := c.sim.org
	var all []admin
	for _, id := range c.sim.order {
		var first *delegatedAdmin
		for sp, d := range o.delegations(id) {
			if filter != "" && sp != filter {
				continue
			}
			if first == nil || d.since.Before(first.since) {
				first = d
			}
		}
		if first != nil {
			all = append(all, admin{c.orgAccount(c.sim.accounts[id]), epoch(first.since)})
		}
	}
	start, end, next, e := orgPage(c, in.orgPaging, len(all))
	if e != nil {
		return nil, e
	}
	out := make([]admin, 0, end-start)
	out = append(out, all[start:end]...)
	return struct {
		DelegatedAdministrators []admin `json:"DelegatedAdministrators"`
		NextToken               *string `json:"NextToken,omitempty"`
	}{out, next}, nil
}

func orgListDelegatedServices(c *call) (any, *apiError) {
	if e := orgMgmtOnly(c); e != nil {
		return nil, e
	}
	var in struct {
		orgPaging
		AccountId *string `json:"AccountId"`
	}
	if e := c.decode(&in); e != nil {
		return nil, e
	}
	a, e := c.orgAccountByID(in.AccountId)
	if e != nil {
		return nil, e
	}
	ds := c.sim.org.delegations(a.ID)
	if len(ds) == 0 {
		return nil, newErr(400, "AccountNotRegisteredException", "The specified account is not a delegated administrator for this AWS service.")
	}
	sps := make([]string, 0, len(ds))
	for sp := range ds {
		sps = append(sps, sp)
	}
	sort.Strings(sps)
	start, end, next, e := orgPage(c, in.orgPaging, len(sps))
	if e != nil {
		return nil, e
	}
	type svc struct {
		DelegationEnabledDate *epochTime `json:"DelegationEnabledDate,omitempty"`
		ServicePrincipal      string     `json:"ServicePrincipal"`
	}
	out := make([]svc, 0, end-start)
	for _, sp := range sps[start:end] {
		out = append(out, svc{epoch(ds[sp].since), sp})
	}
	return struct {
		DelegatedServices []svc   `json:"DelegatedServices"`
		NextToken         *string `json:"NextToken,omitempty"`
	}{out, next}, nil
}
