package orgsim

import (
	"encoding/json"
	"net/http"
	"net/url"
	"regexp"
	"strconv"
	"strings"
	"time"

	"github.com/orgbaseline/orgbaseline/internal/iampolicy"
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
// Differences from AWS, on purpose:
//   - a new analyzer is ACTIVE at once; AWS reports CREATING for a while
//     (ORGANIZATION analyzers for minutes);
//   - an ORGANIZATION* analyzer is reported DISABLED, with statusReason
//     AWS_SERVICE_ACCESS_DISABLED or DELEGATED_ADMINISTRATOR_DEREGISTERED,
//     while trusted access is off or its account is no longer the management
//     account or a delegated administrator; AWS keeps it disabled, orgsim
//     computes the status on every read and so reactivates it when the
//     condition clears;
//   - the service-linked role AWSServiceRoleForAccessAnalyzer is created
//     with its trust policy and AccessAnalyzerServiceRolePolicy attached
//     (an approximation of that policy, see managed.go);
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
	clientToken    string
	tags           map[string]string
	config         *aaConfiguration // nil for ACCOUNT/ORGANIZATION
	archiveRules   []*aaArchiveRule
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

// analyzerARN is the ARN of the caller's analyzer name in the call's region.
func (c *call) analyzerARN(name string) string {
	return "arn:aws:access-analyzer:" + c.region + ":" + c.caller.account + ":analyzer/" + name
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
		name: name, arn: c.analyzerARN(name), typ: typ, created: c.now,
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
	return map[string]string{"arn": a.arn}, nil
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
	org := c.sim.org
	if org == nil {
		return newErr(400, "ValidationException", "Service not enabled for AWS Organizations").with("reason", "FIELD_VALIDATION_FAILED")
	}
	if _, ok := org.serviceAccess[aaServicePrincipal]; !ok {
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

const aaSLRTrust = `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"Service":"access-analyzer.amazonaws.com"},"Action":"sts:AssumeRole"}]}`

// ensureAccessAnalyzerSLR creates the service-linked role the first time an
// analyzer is created in the account. As for every service that creates its
// role on demand, the caller needs iam:CreateServiceLinkedRole on it (with
// iam:AWSServiceName set to the service principal).
func (c *call) ensureAccessAnalyzerSLR() *apiError {
	st := c.acct.iam
	if st == nil {
		st = newIAMState()
		c.acct.iam = st
	}
	if st.roles[aaSLRName] != nil {
		return nil
	}
	arn := "arn:aws:iam::" + c.acct.ID + ":role" + aaSLRPath + aaSLRName
	if e := c.aaAuthorizeSLR(arn); e != nil {
		return e
	}
	st.roles[aaSLRName] = &iamRole{
		name: aaSLRName, path: aaSLRPath, id: "AROA" + c.sim.randomID(17), arn: arn,
		created:    c.now,
		trust:      &policyDoc{text: aaSLRTrust, parsed: iampolicy.MustParse(aaSLRTrust, iampolicy.KindTrust)},
		maxSession: 3600,
		attached:   []string{"arn:aws:iam::aws:policy/service-role/AccessAnalyzerServiceRolePolicy"},
		inline:     map[string]*policyDoc{},
		tags:       map[string]string{},
	}
	return nil
}

// aaAuthorizeSLR is authorize for iam:CreateServiceLinkedRole with the
// iam:AWSServiceName condition key set.
func (c *call) aaAuthorizeSLR(roleARN string) *apiError {
	const action = "iam:CreateServiceLinkedRole"
	s := c.sim
	req := s.authRequest(c, action, roleARN)
	req.Context["iam:awsservicename"] = []string{aaServicePrincipal}
	if reason := s.scpDenial(c.caller.account, req); reason != "" {
		return s.denied(c, action, roleARN, reason)
	}
	if reason := s.identityDenial(c.caller, req); reason != "" {
		return s.denied(c, action, roleARN, reason)
	}
	if c.caller.sessionPolicies != nil {
		switch iampolicy.EvaluateSet(c.caller.sessionPolicies, req).Decision {
		case iampolicy.ExplicitDeny:
			return s.denied(c, action, roleARN, "with an explicit deny in a session policy")
		case iampolicy.ImplicitDeny:
			return s.denied(c, action, roleARN, "because no session policy allows the "+action+" action")
		}
	}
	return nil
}

// summarize renders an analyzer; withConfig is false for ListAnalyzers,
// which omits the configuration (types.AnalyzerSummary documentation).
func (c *call) summarize(a *analyzer, withConfig bool) aaSummary {
	out := aaSummary{
		Arn: a.arn, CreatedAt: iso(a.created), Name: a.name, Type: a.typ,
		Status: "ACTIVE", Tags: map[string]string{},
	}
	for k, v := range a.tags {
		out.Tags[k] = v
	}
	if strings.HasPrefix(a.typ, "ORGANIZATION") && c.sim.org != nil {
		if _, ok := c.sim.org.serviceAccess[aaServicePrincipal]; !ok {
			out.Status, out.StatusReason = "DISABLED", &aaStatusReason{Code: "AWS_SERVICE_ACCESS_DISABLED"}
		} else if !c.sim.aaOrgAdmin(c.acct.ID) {
			out.Status, out.StatusReason = "DISABLED", &aaStatusReason{Code: "DELEGATED_ADMINISTRATOR_DEREGISTERED"}
		}
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
	prefix := "arn:aws:access-analyzer:" + c.region + ":" + c.acct.ID + ":analyzer/"
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
