package orgsim

import (
	"encoding/json"
	"net/http"
	"net/url"
	"regexp"
	"strconv"
	"strings"
	"time"
)

// IAM Access Analyzer (restJson1, signing name "access-analyzer", regional;
// lowerCamel JSON keys, ISO-8601 timestamps).
//
// Served: CreateAnalyzer, ListAnalyzers, GetAnalyzer, DeleteAnalyzer,
// UpdateAnalyzer, ListArchiveRules (the inline archive rules given to
// CreateAnalyzer), TagResource, UntagResource and ListTagsForResource on
// analyzer ARNs. Every other route of the service resolves to its real
// operation name and is answered with ValidationException reason
// unknownOperation.
//
// An analyzer's life, as AWS documents it (API reference, AnalyzerSummary
// status: "The status is Creating when the analyzer creation is in progress
// and Failed when the analyzer creation has failed"; StatusReason codes
// AWS_SERVICE_ACCESS_DISABLED | DELEGATED_ADMINISTRATOR_DEREGISTERED |
// ORGANIZATION_DELETED | SERVICE_LINKED_ROLE_CREATION_FAILED):
//   - CreateAnalyzer answers at once with the ARN; the analyzer is CREATING
//     for AWSLike.AnalyzerCreateDelay of sim time (s.later), then ACTIVE,
//     or FAILED when what it needs went away meanwhile: its account's
//     service-linked role (SERVICE_LINKED_ROLE_CREATION_FAILED), and for an
//     ORGANIZATION* analyzer the organization (ORGANIZATION_DELETED),
//     trusted access (AWS_SERVICE_ACCESS_DISABLED) or its account's standing
//     as management account or delegated administrator
//     (DELEGATED_ADMINISTRATOR_DEREGISTERED). A FAILED analyzer stays
//     FAILED: it has to be deleted and created again.
//   - An ACTIVE ORGANIZATION* analyzer is DISABLED, with the same reason
//     codes, while one of those conditions does not hold; it is computed on
//     every read, so the analyzer is ACTIVE again once the condition clears
//     (the IAM user guide, "Settings for IAM Access Analyzer", says the
//     analyzers of a former delegated administrator "move to a disabled
//     state" and can be accessed again by configuring the account as the
//     delegated administrator again).
//   - What the other operations answer for an analyzer that is not ACTIVE
//     is not documented. UpdateAnalyzer lists ConflictException (409) among
//     its errors, and auditors read findings of ACTIVE analyzers only
//     (prowler-cloud/prowler, accessanalyzer_service.py); orgsim takes the
//     stricter reading: UpdateAnalyzer of a CREATING or FAILED analyzer
//     answers ConflictException. DeleteAnalyzer is accepted in every
//     status (its model lists no ConflictException, and deleting is the
//     documented way out of FAILED), and so are the reads (GetAnalyzer,
//     ListAnalyzers, ListArchiveRules, tags). ListFindings and the
//     archive-rule writes are not served.
//   - An ORGANIZATION* analyzer created right after
//     RegisterDelegatedAdministrator is refused with 403 "Account X is not a
//     delegated administrator" until the registration has propagated
//     (s.delegatedAdminUsable; awslabs/landing-zone-accelerator-on-aws
//     issue 922 for the error).
//
// Differences from AWS, on purpose:
//   - CREATING lasts AnalyzerCreateDelay for every type; AWS gives no
//     figure;
//   - the service-linked role AWSServiceRoleForAccessAnalyzer is created in
//     the caller's account only (s.makeServiceLinkedRole, with
//     AccessAnalyzerServiceRolePolicy, an approximation, see managed.go); for
//     an ORGANIZATION analyzer AWS also creates it in the member accounts
//     (StatusReason: "an issue with creating the service-linked roles
//     required in the member accounts"), which orgsim does not model;
//     SERVICE_LINKED_ROLE_CREATION_FAILED is orgsim's answer when the
//     caller's role was deleted while the analyzer was being created;
//   - no findings are generated.
//
// Unverified wording, chosen here: the messages of ConflictException,
// ServiceQuotaExceededException and ResourceNotFoundException, and their
// resourceType "AWS::AccessAnalyzer::Analyzer".

const (
	aaServicePrincipal = "access-analyzer.amazonaws.com"
	aaSLRName          = "AWSServiceRoleForAccessAnalyzer"
	aaSLRPath          = "/aws-service-role/access-analyzer.amazonaws.com/"
	aaResourceType     = "AWS::AccessAnalyzer::Analyzer"
	aaDefaultPageSize  = 100
	aaDefaultUnusedAge = 90
)

// aaNamePattern is the Name shape of the service model (botocore
// accessanalyzer/2019-11-01 service-2.json): 1–255 characters, the first a
// letter (the model does not allow a leading underscore).
var aaNamePattern = regexp.MustCompile(`^[A-Za-z][A-Za-z0-9_.-]*$`)

var aaTypes = []string{
	"ACCOUNT", "ORGANIZATION",
	"ACCOUNT_UNUSED_ACCESS", "ORGANIZATION_UNUSED_ACCESS",
	"ACCOUNT_INTERNAL_ACCESS", "ORGANIZATION_INTERNAL_ACCESS",
}

// analyzerState is one account's analyzers in one region.
type analyzerState struct {
	analyzers map[string]*analyzer // by name
	order     []string             // names in creation order
}

type analyzer struct {
	name, arn, typ string
	created        time.Time
	// status is CREATING, ACTIVE or FAILED (with statusReason); DISABLED
	// is computed on read for ACTIVE ORGANIZATION* analyzers
	// (aaStatus).
	status, statusReason string
	clientToken          string
	tags                 map[string]string
	config               *aaConfiguration // nil for ACCOUNT/ORGANIZATION
	archiveRules         []*aaArchiveRule
}

type aaArchiveRule struct {
	name             string
	filter           map[string]aaCriterion
	created, updated time.Time
}

// Wire shapes.

type aaConfiguration struct {
	UnusedAccess   *aaUnusedAccess   `json:"unusedAccess,omitempty"`
	InternalAccess *aaInternalAccess `json:"internalAccess,omitempty"`
}

type aaUnusedAccess struct {
	UnusedAccessAge *int            `json:"unusedAccessAge,omitempty"`
	AnalysisRule    *aaAnalysisRule `json:"analysisRule,omitempty"`
}

type aaAnalysisRule struct {
	Exclusions []aaRuleCriteria `json:"exclusions,omitempty"`
}

type aaRuleCriteria struct {
	AccountIDs   []string            `json:"accountIds,omitempty"`
	ResourceTags []map[string]string `json:"resourceTags,omitempty"`
}

type aaInternalAccess struct {
	AnalysisRule *aaInternalRule `json:"analysisRule,omitempty"`
}

type aaInternalRule struct {
	Inclusions []aaInternalCriteria `json:"inclusions,omitempty"`
}

type aaInternalCriteria struct {
	AccountIDs    []string `json:"accountIds,omitempty"`
	ResourceTypes []string `json:"resourceTypes,omitempty"`
	ResourceArns  []string `json:"resourceArns,omitempty"`
}

type aaCriterion struct {
	Eq       []string `json:"eq,omitempty"`
	Neq      []string `json:"neq,omitempty"`
	Contains []string `json:"contains,omitempty"`
	Exists   *bool    `json:"exists,omitempty"`
}

type aaInlineRule struct {
	RuleName *string                `json:"ruleName"`
	Filter   map[string]aaCriterion `json:"filter"`
}

type aaStatusReason struct {
	Code string `json:"code"`
}

type aaSummary struct {
	Arn           string            `json:"arn"`
	CreatedAt     *isoTime          `json:"createdAt"`
	Name          string            `json:"name"`
	Status        string            `json:"status"`
	StatusReason  *aaStatusReason   `json:"statusReason,omitempty"`
	Tags          map[string]string `json:"tags"`
	Type          string            `json:"type"`
	Configuration *aaConfiguration  `json:"configuration,omitempty"`
}

type aaRuleSummary struct {
	RuleName  string                 `json:"ruleName"`
	Filter    map[string]aaCriterion `json:"filter"`
	CreatedAt *isoTime               `json:"createdAt"`
	UpdatedAt *isoTime               `json:"updatedAt"`
}

func accessAnalyzerOps() map[string]op {
	byName := func(c *call) string { return c.analyzerARN(c.params["analyzerName"]) }
	return map[string]op{
		"CreateAnalyzer": {fn: aaCreateAnalyzer, write: true, resource: func(c *call) string {
			var in struct {
				AnalyzerName string `json:"analyzerName"`
			}
			_ = json.Unmarshal(c.body, &in)
			return c.analyzerARN(in.AnalyzerName)
		}},
		"ListAnalyzers":       {fn: aaListAnalyzers},
		"GetAnalyzer":         {fn: aaGetAnalyzer, resource: byName},
		"DeleteAnalyzer":      {fn: aaDeleteAnalyzer, write: true, resource: byName},
		"UpdateAnalyzer":      {fn: aaUpdateAnalyzer, write: true, resource: byName},
		"ListArchiveRules":    {fn: aaListArchiveRules},
		"ListTagsForResource": {fn: aaListTags, resource: func(c *call) string { return c.params["resourceArn"] }},
		"TagResource":         {fn: aaTagResource, write: true, resource: func(c *call) string { return c.params["resourceArn"] }},
		"UntagResource":       {fn: aaUntagResource, write: true, resource: func(c *call) string { return c.params["resourceArn"] }},
	}
}

// aaRoutes are the service's routes as the SDK serializers build them
// (accessanalyzer@v1.49.1/serializers.go); literal routes come before the
// ones with a path parameter at the same position.
var aaRoutes = []struct{ method, path, op string }{
	{"PUT", "/archive-rule", "ApplyArchiveRule"},
	{"PUT", "/policy/generation/{jobId}", "CancelPolicyGeneration"},
	{"POST", "/policy/check-access-not-granted", "CheckAccessNotGranted"},
	{"POST", "/policy/check-no-new-access", "CheckNoNewAccess"},
	{"POST", "/policy/check-no-public-access", "CheckNoPublicAccess"},
	{"PUT", "/access-preview", "CreateAccessPreview"},
	{"PUT", "/analyzer", "CreateAnalyzer"},
	{"PUT", "/analyzer/{analyzerName}/archive-rule", "CreateArchiveRule"},
	{"PUT", "/service-linked-analyzer", "CreateServiceLinkedAnalyzer"},
	{"DELETE", "/analyzer/{analyzerName}", "DeleteAnalyzer"},
	{"DELETE", "/analyzer/{analyzerName}/archive-rule/{ruleName}", "DeleteArchiveRule"},
	{"DELETE", "/service-linked-analyzer/{analyzerName}", "DeleteServiceLinkedAnalyzer"},
	{"POST", "/recommendation/{id}", "GenerateFindingRecommendation"},
	{"GET", "/access-preview/{accessPreviewId}", "GetAccessPreview"},
	{"GET", "/analyzed-resource", "GetAnalyzedResource"},
	{"GET", "/analyzer/{analyzerName}", "GetAnalyzer"},
	{"GET", "/analyzer/{analyzerName}/archive-rule/{ruleName}", "GetArchiveRule"},
	{"GET", "/finding/{id}", "GetFinding"},
	{"GET", "/recommendation/{id}", "GetFindingRecommendation"},
	{"POST", "/analyzer/findings/statistics", "GetFindingsStatistics"},
	{"GET", "/findingv2/{id}", "GetFindingV2"},
	{"GET", "/policy/generation/{jobId}", "GetGeneratedPolicy"},
	{"POST", "/access-preview/{accessPreviewId}", "ListAccessPreviewFindings"},
	{"GET", "/access-preview", "ListAccessPreviews"},
	{"POST", "/analyzed-resource", "ListAnalyzedResources"},
	{"GET", "/analyzer", "ListAnalyzers"},
	{"GET", "/analyzer/{analyzerName}/archive-rule", "ListArchiveRules"},
	{"POST", "/finding", "ListFindings"},
	{"POST", "/findingv2", "ListFindingsV2"},
	{"GET", "/policy/generation", "ListPolicyGenerations"},
	{"GET", "/tags/{resourceArn}", "ListTagsForResource"},
	{"PUT", "/policy/generation", "StartPolicyGeneration"},
	{"POST", "/resource/scan", "StartResourceScan"},
	{"POST", "/tags/{resourceArn}", "TagResource"},
	{"DELETE", "/tags/{resourceArn}", "UntagResource"},
	{"PUT", "/analyzer/{analyzerName}", "UpdateAnalyzer"},
	{"PUT", "/analyzer/{analyzerName}/archive-rule/{ruleName}", "UpdateArchiveRule"},
	{"PUT", "/finding", "UpdateFindings"},
	{"POST", "/policy/validation", "ValidatePolicy"},
}

// accessAnalyzerRoute resolves the operation from the method and the path.
// Path parameters are taken from the escaped path segment by segment, so an
// ARN sent as one escaped segment (/tags/arn%3Aaws%3A...%2Fname) stays one.
func accessAnalyzerRoute(r *http.Request) (string, map[string]string, *apiError) {
	raw := strings.TrimSuffix(r.URL.EscapedPath(), "/")
	segs := strings.Split(strings.TrimPrefix(raw, "/"), "/")
	for _, rt := range aaRoutes {
		if rt.method != r.Method {
			continue
		}
		pat := strings.Split(strings.TrimPrefix(rt.path, "/"), "/")
		if len(pat) != len(segs) {
			continue
		}
		params := map[string]string{}
		ok := true
		for i, p := range pat {
			if strings.HasPrefix(p, "{") {
				v, err := url.PathUnescape(segs[i])
				if err != nil || v == "" {
					ok = false
					break
				}
				params[p[1:len(p)-1]] = v
				continue
			}
			if p != segs[i] {
				ok = false
				break
			}
		}
		if ok {
			return rt.op, params, nil
		}
	}
	return "", nil, newErr(400, "ValidationException", "orgsim does not implement %s %s", r.Method, r.URL.Path).with("reason", "unknownOperation")
}

// analyzerARN is the ARN of the caller's analyzer name in the call's
// region, in the sim's partition.
func (c *call) analyzerARN(name string) string {
	return c.sim.arn("access-analyzer", c.region, c.caller.account, "analyzer/"+name)
}

func (c *call) analyzers() *analyzerState {
	r := c.regionState()
	if r.analyzer == nil {
		r.analyzer = &analyzerState{analyzers: map[string]*analyzer{}}
	}
	return r.analyzer
}

// aaFieldError is a ValidationException for one member, worded as AWS's
// model validation words it.
func aaFieldError(field, value, constraint string) *apiError {
	return newErr(400, "ValidationException", "1 validation error detected: Value '%s' at '%s' failed to satisfy constraint: %s", value, field, constraint).
		with("reason", "fieldValidationFailed").
		with("fieldList", []map[string]string{{"name": field, "message": constraint}})
}

func aaNotFound(name string) *apiError {
	return newErr(404, "ResourceNotFoundException", "Analyzer %s not found", name).
		with("resourceId", name).with("resourceType", aaResourceType)
}

func validAnalyzerName(field, name string) *apiError {
	switch {
	case name == "":
		return aaFieldError(field, name, "Member must have length greater than or equal to 1")
	case len(name) > 255:
		return aaFieldError(field, name, "Member must have length less than or equal to 255")
	case !aaNamePattern.MatchString(name):
		return aaFieldError(field, name, "Member must satisfy regular expression pattern: [A-Za-z][A-Za-z0-9_.-]*")
	}
	return nil
}

func validAnalyzerType(field, typ string) *apiError {
	for _, t := range aaTypes {
		if t == typ {
			return nil
		}
	}
	return aaFieldError(field, typ, "Member must satisfy enum value set: ["+strings.Join(aaTypes, ", ")+"]")
}

// validateAAConfig checks a configuration against the analyzer type and
// fills the defaults AWS applies (unusedAccessAge 90 days).
func validateAAConfig(typ string, cfg *aaConfiguration) (*aaConfiguration, *apiError) {
	unused := strings.HasSuffix(typ, "_UNUSED_ACCESS")
	internal := strings.HasSuffix(typ, "_INTERNAL_ACCESS")
	if cfg != nil && cfg.UnusedAccess != nil && cfg.InternalAccess != nil {
		return nil, newErr(400, "ValidationException", "Only one of unusedAccess or internalAccess may be specified in configuration").with("reason", "fieldValidationFailed").
			with("fieldList", []map[string]string{{"name": "configuration", "message": "union must have exactly one member set"}})
	}
	if cfg != nil && cfg.UnusedAccess != nil && !unused {
		return nil, newErr(400, "ValidationException", "unusedAccess configuration is only supported for analyzers of type ACCOUNT_UNUSED_ACCESS or ORGANIZATION_UNUSED_ACCESS").
			with("reason", "fieldValidationFailed").with("fieldList", []map[string]string{{"name": "configuration", "message": "not supported for analyzer type " + typ}})
	}
	if cfg != nil && cfg.InternalAccess != nil && !internal {
		return nil, newErr(400, "ValidationException", "internalAccess configuration is only supported for analyzers of type ACCOUNT_INTERNAL_ACCESS or ORGANIZATION_INTERNAL_ACCESS").
			with("reason", "fieldValidationFailed").with("fieldList", []map[string]string{{"name": "configuration", "message": "not supported for analyzer type " + typ}})
	}
	switch {
	case unused:
		out := &aaConfiguration{UnusedAccess: &aaUnusedAccess{}}
		if cfg != nil && cfg.UnusedAccess != nil {
			*out.UnusedAccess = *cfg.UnusedAccess
		}
		if out.UnusedAccess.UnusedAccessAge == nil {
			age := aaDefaultUnusedAge
			out.UnusedAccess.UnusedAccessAge = &age
		}
		if age := *out.UnusedAccess.UnusedAccessAge; age < 1 || age > 365 {
			return nil, aaFieldError("configuration.unusedAccess.unusedAccessAge", strconv.Itoa(age), "Member must have value between 1 and 365")
		}
		return out, nil
	case internal:
		out := &aaConfiguration{InternalAccess: &aaInternalAccess{}}
		if cfg != nil && cfg.InternalAccess != nil {
			*out.InternalAccess = *cfg.InternalAccess
		}
		return out, nil
	}
	return nil, nil
}

func validateAATags(tags map[string]string) *apiError {
	if len(tags) > 50 {
		return aaFieldError("tags", strconv.Itoa(len(tags))+" tags", "Member must have at most 50 entries")
	}
	for k, v := range tags {
		if k == "" || len(k) > 128 {
			return aaFieldError("tags", k, "Tag keys must have length between 1 and 128")
		}
		if strings.HasPrefix(strings.ToLower(k), "aws:") {
			return aaFieldError("tags", k, "Tag keys must not begin with aws:")
		}
		if len(v) > 256 {
			return aaFieldError("tags", v, "Tag values must have length less than or equal to 256")
		}
	}
	return nil
}

func aaCreateAnalyzer(c *call) (any, *apiError) {
	var in struct {
		AnalyzerName  *string           `json:"analyzerName"`
		Type          *string           `json:"type"`
		ClientToken   string            `json:"clientToken"`
		Tags          map[string]string `json:"tags"`
		ArchiveRules  []aaInlineRule    `json:"archiveRules"`
		Configuration *aaConfiguration  `json:"configuration"`
	}
	if e := c.decode(&in); e != nil {
		return nil, e
	}
	if in.AnalyzerName == nil {
		return nil, aaFieldError("analyzerName", "null", "Member must not be null")
	}
	if in.Type == nil {
		return nil, aaFieldError("type", "null", "Member must not be null")
	}
	name, typ := *in.AnalyzerName, *in.Type
	if e := validAnalyzerName("analyzerName", name); e != nil {
		return nil, e
	}
	if e := validAnalyzerType("type", typ); e != nil {
		return nil, e
	}
	cfg, e := validateAAConfig(typ, in.Configuration)
	if e != nil {
		return nil, e
	}
	if e := validateAATags(in.Tags); e != nil {
		return nil, e
	}
	seen := map[string]bool{}
	for i, r := range in.ArchiveRules {
		field := "archiveRules." + strconv.Itoa(i+1) + ".member.ruleName"
		if r.RuleName == nil {
			return nil, aaFieldError(field, "null", "Member must not be null")
		}
		if e := validAnalyzerName(field, *r.RuleName); e != nil {
			return nil, e
		}
		if seen[*r.RuleName] {
			return nil, newErr(409, "ConflictException", "Archive rule %s is specified more than once", *r.RuleName).
				with("resourceId", *r.RuleName).with("resourceType", "AWS::AccessAnalyzer::ArchiveRule")
		}
		seen[*r.RuleName] = true
		if len(r.Filter) == 0 {
			return nil, aaFieldError("archiveRules."+strconv.Itoa(i+1)+".member.filter", "{}", "Member must not be empty")
		}
	}
	if len(in.ArchiveRules) > 100 {
		return nil, newErr(402, "ServiceQuotaExceededException", "An analyzer can have at most 100 archive rules").
			with("resourceId", name).with("resourceType", "AWS::AccessAnalyzer::ArchiveRule")
	}

	org := strings.HasPrefix(typ, "ORGANIZATION")
	if org {
		if e := c.aaOrgAllowed(); e != nil {
			return nil, e
		}
	}

	st := c.analyzers()
	if a := st.analyzers[name]; a != nil {
		if in.ClientToken != "" && a.clientToken == in.ClientToken && a.typ == typ {
			// An idempotent retry of the same request.
			return map[string]string{"arn": a.arn}, nil
		}
		return nil, newErr(409, "ConflictException", "An analyzer named %s already exists in this account and Region", name).
			with("resourceId", name).with("resourceType", aaResourceType)
	}
	if e := c.aaQuota(name, typ); e != nil {
		return nil, e
	}
	if e := c.ensureAccessAnalyzerSLR(); e != nil {
		return nil, e
	}

	a := &analyzer{
		name: name, arn: c.analyzerARN(name), typ: typ, created: c.now, status: aaCreating,
		clientToken: in.ClientToken, tags: map[string]string{}, config: cfg,
	}
	for k, v := range in.Tags {
		a.tags[k] = v
	}
	for _, r := range in.ArchiveRules {
		a.archiveRules = append(a.archiveRules, &aaArchiveRule{name: *r.RuleName, filter: r.Filter, created: c.now, updated: c.now})
	}
	st.analyzers[name] = a
	st.order = append(st.order, name)
	acct := c.acct
	c.sim.later(c.now, c.sim.like.AnalyzerCreateDelay, "analyzer "+a.arn+" to finish creating", func() {
		c.sim.aaFinishCreating(acct, a)
	})
	return map[string]string{"arn": a.arn}, nil
}

// Analyzer statuses (API reference, AnalyzerSummary).
const (
	aaCreating = "CREATING"
	aaActive   = "ACTIVE"
	aaDisabled = "DISABLED"
	aaFailed   = "FAILED"
)

// aaFinishCreating ends an analyzer's creation: ACTIVE, or FAILED with the
// reason when what it needs went away while it was being created. An
// analyzer deleted meanwhile is no longer in the state, so what becomes
// of it does not matter. Callers hold s.mu.
func (s *Sim) aaFinishCreating(acct *Account, a *analyzer) {
	if a.status != aaCreating {
		return
	}
	if reason := s.aaNeeds(acct, a.typ); reason != "" {
		a.status, a.statusReason = aaFailed, reason
		return
	}
	a.status = aaActive
}

// aaNeeds returns the StatusReason code of the first thing an analyzer of
// type typ in acct needs and does not have, or "": its account's
// service-linked role, and for an ORGANIZATION* type the organization,
// trusted access for Access Analyzer, and the account being the management
// account or a usable delegated administrator. Callers hold s.mu.
func (s *Sim) aaNeeds(acct *Account, typ string) string {
	if acct.iam == nil || acct.iam.findRole(aaSLRName) == nil {
		return "SERVICE_LINKED_ROLE_CREATION_FAILED"
	}
	return s.aaOrgNeeds(acct.ID, typ)
}

// aaOrgNeeds is aaNeeds' part about the organization: "" for a type whose
// zone of trust is the account. Callers hold s.mu.
func (s *Sim) aaOrgNeeds(account, typ string) string {
	if !strings.HasPrefix(typ, "ORGANIZATION") {
		return ""
	}
	switch {
	case s.org == nil:
		return "ORGANIZATION_DELETED"
	case !s.aaTrustedAccess():
		return "AWS_SERVICE_ACCESS_DISABLED"
	case !s.aaOrgAdmin(account):
		return "DELEGATED_ADMINISTRATOR_DEREGISTERED"
	}
	return ""
}

// aaTrustedAccess reports whether trusted access for Access Analyzer is
// enabled in the organization. Callers hold s.mu.
func (s *Sim) aaTrustedAccess() bool {
	if s.org == nil {
		return false
	}
	_, ok := s.org.serviceAccess[aaServicePrincipal]
	return ok
}

// aaStatus is the analyzer's status and reason as AWS reports them now.
// Callers hold s.mu.
func (s *Sim) aaStatus(account string, a *analyzer) (status, reason string) {
	if a.status != aaActive {
		return a.status, a.statusReason
	}
	if r := s.aaOrgNeeds(account, a.typ); r != "" {
		return aaDisabled, r
	}
	return aaActive, ""
}

// aaNotUsable refuses op on an analyzer that is being created or whose
// creation failed: AWS does not document the answer; orgsim answers
// ConflictException, which UpdateAnalyzer lists among its errors.
func (c *call) aaNotUsable(a *analyzer, op string) *apiError {
	var msg string
	switch a.status {
	case aaCreating:
		msg = "Analyzer " + a.name + " is being created (status CREATING); " + op + " is possible once it is ACTIVE"
	case aaFailed:
		msg = "Analyzer " + a.name + " could not be created (status FAILED, " + a.statusReason + "); delete it and create it again"
	default:
		return nil
	}
	return newErr(409, "ConflictException", "%s", msg).with("resourceId", a.name).with("resourceType", aaResourceType)
}

// aaOrgAllowed checks that the caller's account may create an analyzer
// whose zone of trust is the organization: trusted access for Access
// Analyzer must be enabled (checked first), and the account must be the
// management account or a delegated administrator for Access Analyzer.
//
// The trusted-access error is the one AWS was seen to return
// (nozaq/terraform-aws-secure-baseline#184, #258): ValidationException,
// "Service not enabled for AWS Organizations", whose reason arrived as
// FIELD_VALIDATION_FAILED — upper case, outside the model's enum. orgsim
// sends it as observed. The delegated-administrator error is the 403 seen in
// awslabs/landing-zone-accelerator-on-aws#922.
func (c *call) aaOrgAllowed() *apiError {
	if !c.sim.aaTrustedAccess() {
		return newErr(400, "ValidationException", "Service not enabled for AWS Organizations").with("reason", "FIELD_VALIDATION_FAILED")
	}
	if !c.sim.aaOrgAdmin(c.acct.ID) {
		return newErr(403, "AccessDeniedException", "Account %s is not a delegated administrator", c.acct.ID)
	}
	return nil
}

// aaOrgAdmin reports whether account may own organization analyzers.
func (s *Sim) aaOrgAdmin(account string) bool {
	if s.org == nil {
		return false
	}
	if account == s.org.mgmtID {
		return true
	}
	return s.delegatedAdminUsable(aaServicePrincipal, account)
}

// aaQuota enforces the analyzer quotas (IAM User Guide, "IAM Access
// Analyzer quotas"): one account-level analyzer per type per account and
// Region; Limits.AnalyzersPerType organization-level external and unused
// access analyzers per type per account and Region; one organization
// internal-access analyzer per organization and Region.
func (c *call) aaQuota(name, typ string) *apiError {
	limit := 1
	if typ == "ORGANIZATION" || typ == "ORGANIZATION_UNUSED_ACCESS" {
		limit = c.sim.limits.AnalyzersPerType
	}
	count := 0
	if typ == "ORGANIZATION_INTERNAL_ACCESS" {
		for _, id := range c.sim.order {
			acct := c.sim.accounts[id]
			if r := acct.regions[c.region]; r != nil && r.analyzer != nil {
				for _, a := range r.analyzer.analyzers {
					if a.typ == typ {
						count++
					}
				}
			}
		}
	} else {
		for _, a := range c.analyzers().analyzers {
			if a.typ == typ {
				count++
			}
		}
	}
	if count >= limit {
		return newErr(402, "ServiceQuotaExceededException", "You have reached the quota of %d analyzers of type %s in %s", limit, typ, c.region).
			with("resourceId", name).with("resourceType", aaResourceType)
	}
	return nil
}

// ensureAccessAnalyzerSLR creates the service-linked role the first time an
// analyzer is created in the account, with s.makeServiceLinkedRole as
// iam:CreateServiceLinkedRole makes it (so it propagates like any new
// role). As for every service that creates its role on demand, the caller
// needs iam:CreateServiceLinkedRole on it, with iam:AWSServiceName set to
// the service principal (IAM user guide, "Service-linked role
// permissions").
func (c *call) ensureAccessAnalyzerSLR() *apiError {
	st := c.iamSt()
	if st.findRole(aaSLRName) != nil {
		return nil
	}
	arn := c.sim.arn("iam", "", c.acct.ID, "role"+aaSLRPath+aaSLRName)
	if e := c.sim.authorizeWith(c, "iam:CreateServiceLinkedRole", arn, map[string][]string{"iam:awsservicename": {aaServicePrincipal}}); e != nil {
		return e
	}
	_, e := c.sim.makeServiceLinkedRole(c.now, c.acct, aaServicePrincipal, "", "")
	return e
}

// summarize renders an analyzer; withConfig is false for ListAnalyzers,
// which omits the configuration (types.AnalyzerSummary documentation).
func (c *call) summarize(a *analyzer, withConfig bool) aaSummary {
	out := aaSummary{
		Arn: a.arn, CreatedAt: iso(a.created), Name: a.name, Type: a.typ,
		Tags: map[string]string{},
	}
	for k, v := range a.tags {
		out.Tags[k] = v
	}
	var reason string
	out.Status, reason = c.sim.aaStatus(c.acct.ID, a)
	if reason != "" {
		out.StatusReason = &aaStatusReason{Code: reason}
	}
	if withConfig {
		out.Configuration = a.config
	}
	return out
}

func aaPageArgs(c *call, op string, total int) (start, end int, next string, e *apiError) {
	q := c.req.URL.Query()
	max := aaDefaultPageSize
	if v := q.Get("maxResults"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n < 1 {
			return 0, 0, "", aaFieldError("maxResults", v, "Member must have value greater than or equal to 1")
		}
		max = n
	}
	start, end, next, ok := page(op, total, q.Get("nextToken"), max)
	if !ok {
		return 0, 0, "", aaFieldError("nextToken", q.Get("nextToken"), "Invalid pagination token")
	}
	return start, end, next, nil
}

func aaListAnalyzers(c *call) (any, *apiError) {
	typ := c.req.URL.Query().Get("type")
	if typ != "" {
		if e := validAnalyzerType("type", typ); e != nil {
			return nil, e
		}
	}
	st := c.analyzers()
	var list []*analyzer
	for _, n := range st.order {
		if a := st.analyzers[n]; typ == "" || a.typ == typ {
			list = append(list, a)
		}
	}
	start, end, next, e := aaPageArgs(c, "ListAnalyzers", len(list))
	if e != nil {
		return nil, e
	}
	out := struct {
		Analyzers []aaSummary `json:"analyzers"`
		NextToken string      `json:"nextToken,omitempty"`
	}{Analyzers: []aaSummary{}, NextToken: next}
	for _, a := range list[start:end] {
		out.Analyzers = append(out.Analyzers, c.summarize(a, false))
	}
	return out, nil
}

func (c *call) aaFind() (*analyzer, *apiError) {
	name := c.params["analyzerName"]
	if e := validAnalyzerName("analyzerName", name); e != nil {
		return nil, e
	}
	a := c.analyzers().analyzers[name]
	if a == nil {
		return nil, aaNotFound(name)
	}
	return a, nil
}

func aaGetAnalyzer(c *call) (any, *apiError) {
	a, e := c.aaFind()
	if e != nil {
		return nil, e
	}
	return map[string]any{"analyzer": c.summarize(a, true)}, nil
}

func aaDeleteAnalyzer(c *call) (any, *apiError) {
	a, e := c.aaFind()
	if e != nil {
		return nil, e
	}
	st := c.analyzers()
	delete(st.analyzers, a.name)
	for i, n := range st.order {
		if n == a.name {
			st.order = append(st.order[:i:i], st.order[i+1:]...)
			break
		}
	}
	return &rawResponse{Status: 200}, nil
}

func aaUpdateAnalyzer(c *call) (any, *apiError) {
	var in struct {
		Configuration *aaConfiguration `json:"configuration"`
	}
	if e := c.decode(&in); e != nil {
		return nil, e
	}
	a, e := c.aaFind()
	if e != nil {
		return nil, e
	}
	if a.config == nil {
		return nil, newErr(400, "ValidationException", "UpdateAnalyzer is not supported for analyzers of type %s", a.typ).with("reason", "notSupported")
	}
	if e := c.aaNotUsable(a, "UpdateAnalyzer"); e != nil {
		return nil, e
	}
	if in.Configuration != nil {
		cfg, e := validateAAConfig(a.typ, in.Configuration)
		if e != nil {
			return nil, e
		}
		a.config = cfg
	}
	return map[string]any{"configuration": a.config}, nil
}

func aaListArchiveRules(c *call) (any, *apiError) {
	a, e := c.aaFind()
	if e != nil {
		return nil, e
	}
	start, end, next, e := aaPageArgs(c, "ListArchiveRules", len(a.archiveRules))
	if e != nil {
		return nil, e
	}
	out := struct {
		ArchiveRules []aaRuleSummary `json:"archiveRules"`
		NextToken    string          `json:"nextToken,omitempty"`
	}{ArchiveRules: []aaRuleSummary{}, NextToken: next}
	for _, r := range a.archiveRules[start:end] {
		out.ArchiveRules = append(out.ArchiveRules, aaRuleSummary{RuleName: r.name, Filter: r.filter, CreatedAt: iso(r.created), UpdatedAt: iso(r.updated)})
	}
	return out, nil
}

// aaByARN finds the caller's analyzer named by an ARN in the call's region.
func (c *call) aaByARN() (*analyzer, *apiError) {
	arn := c.params["resourceArn"]
	prefix := c.sim.arn("access-analyzer", c.region, c.acct.ID, "analyzer/")
	name, ok := strings.CutPrefix(arn, prefix)
	if !ok || strings.Contains(name, "/") {
		return nil, newErr(404, "ResourceNotFoundException", "Resource %s not found", arn).
			with("resourceId", arn).with("resourceType", aaResourceType)
	}
	a := c.analyzers().analyzers[name]
	if a == nil {
		return nil, newErr(404, "ResourceNotFoundException", "Resource %s not found", arn).
			with("resourceId", arn).with("resourceType", aaResourceType)
	}
	return a, nil
}

func aaListTags(c *call) (any, *apiError) {
	a, e := c.aaByARN()
	if e != nil {
		return nil, e
	}
	tags := map[string]string{}
	for k, v := range a.tags {
		tags[k] = v
	}
	return map[string]any{"tags": tags}, nil
}

func aaTagResource(c *call) (any, *apiError) {
	var in struct {
		Tags map[string]string `json:"tags"`
	}
	if e := c.decode(&in); e != nil {
		return nil, e
	}
	a, e := c.aaByARN()
	if e != nil {
		return nil, e
	}
	merged := map[string]string{}
	for k, v := range a.tags {
		merged[k] = v
	}
	for k, v := range in.Tags {
		merged[k] = v
	}
	if e := validateAATags(merged); e != nil {
		return nil, e
	}
	a.tags = merged
	return struct{}{}, nil
}

func aaUntagResource(c *call) (any, *apiError) {
	a, e := c.aaByARN()
	if e != nil {
		return nil, e
	}
	for _, k := range c.req.URL.Query()["tagKeys"] {
		delete(a.tags, k)
	}
	return struct{}{}, nil
}
