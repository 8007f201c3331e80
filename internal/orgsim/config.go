package orgsim

import (
	"encoding/json"
	"regexp"
	"sort"
	"strings"
	"time"

	"github.com/orgbaseline/orgbaseline/internal/iampolicy"
)

// AWS Config (awsJson1_1, regional). Recorder and delivery channel shapes
// use lowerCamel keys; rules, aggregators and organization rules PascalCase.
//
// Order of setup, as AWS enforces it: a configuration recorder (one per
// account and region, with an existing role Config can assume), then a
// delivery channel (one; its bucket must exist and, when another account
// owns it, its policy must let config.amazonaws.com write), then
// StartConfigurationRecorder. Config rules need a recorder.
//
// Organization config rules live in the state of the account that deployed
// them (the management account or a delegated administrator), as AWS keeps
// them; they are not deployed into the member accounts.

// configState is one account's Config in one region.
type configState struct {
	recorder    *cfgRecorder
	channel     *cfgChannel
	rules       map[string]*cfgRule
	ruleOrder   []string
	aggregators map[string]*cfgAggregator
	aggOrder    []string
	// organization config rules this account deployed (management account
	// or delegated administrator)
	orgRules     map[string]*cfgOrgRule
	orgRuleOrder []string
	// made counts the rules and aggregators made of each name
	// ("rule/<name>", "aggregator/<name>"), for their ids
	// (config_resources.go).
	made map[string]int
}

func cfgRegionState(a *Account, region string) *configState {
	r := a.region(region)
	if r.config == nil {
		r.config = &configState{
			rules:       map[string]*cfgRule{},
			aggregators: map[string]*cfgAggregator{},
			orgRules:    map[string]*cfgOrgRule{},
			made:        map[string]int{},
		}
	}
	return r.config
}

func cfgState(c *call) *configState { return cfgRegionState(c.acct, c.region) }

func configOps() map[string]op {
	return map[string]op{
		"PutConfigurationRecorder":            {fn: cfgPutRecorder, write: true, resource: cfgRecorderResource},
		"DescribeConfigurationRecorders":      {fn: cfgDescribeRecorders, resource: cfgRecorderResource},
		"DescribeConfigurationRecorderStatus": {fn: cfgDescribeRecorderStatus, resource: cfgRecorderResource},
		"DeleteConfigurationRecorder":         {fn: cfgDeleteRecorder, write: true, resource: cfgRecorderResource},
		"StartConfigurationRecorder":          {fn: cfgStartRecorder, write: true, resource: cfgRecorderResource},
		"StopConfigurationRecorder":           {fn: cfgStopRecorder, write: true, resource: cfgRecorderResource},
		"PutDeliveryChannel":                  {fn: cfgPutChannel, write: true},
		"DescribeDeliveryChannels":            {fn: cfgDescribeChannels},
		"DescribeDeliveryChannelStatus":       {fn: cfgDescribeChannelStatus},
		"DeleteDeliveryChannel":               {fn: cfgDeleteChannel, write: true},
		"PutConfigRule":                       {fn: cfgPutRule, write: true, resource: cfgRuleResource},
		"DescribeConfigRules":                 {fn: cfgDescribeRules},
		"DeleteConfigRule":                    {fn: cfgDeleteRule, write: true, resource: cfgRuleResource},
		"PutConfigurationAggregator":          {fn: cfgPutAggregator, write: true, resource: cfgAggregatorResource},
		"DescribeConfigurationAggregators":    {fn: cfgDescribeAggregators},
		"DeleteConfigurationAggregator":       {fn: cfgDeleteAggregator, write: true, resource: cfgAggregatorResource},
		"PutOrganizationConfigRule":           {fn: cfgPutOrgRule, write: true},
		"DescribeOrganizationConfigRules":     {fn: cfgDescribeOrgRules},
		"DeleteOrganizationConfigRule":        {fn: cfgDeleteOrgRule, write: true},
		"ListTagsForResource":                 {fn: cfgListTags, resource: func(c *call) string { return cfgTagsResourceARN(c) }},
	}
}

// cfgValidation is the ValidationException AWS gives for a value that
// breaks the model's constraints.
func cfgValidation(value, path, constraint string) *apiError {
	return newErr(400, "ValidationException", "1 validation error detected: Value '%s' at '%s' failed to satisfy constraint: %s", value, path, constraint)
}

func cfgEnum(value, path string, allowed ...string) *apiError {
	for _, a := range allowed {
		if value == a {
			return nil
		}
	}
	return cfgValidation(value, path, "Member must satisfy enum value set: ["+strings.Join(allowed, ", ")+"]")
}

func cfgMaxLen(value, path string, max int) *apiError {
	if len(value) > max {
		return cfgValidation(value, path, "Member must have length less than or equal to "+itoa(max))
	}
	return nil
}

var cfgFrequencies = []string{"One_Hour", "Three_Hours", "Six_Hours", "Twelve_Hours", "TwentyFour_Hours"}

type cfgTag struct {
	Key   string `json:"Key"`
	Value string `json:"Value"`
}

func cfgCheckTags(tags []cfgTag, path string) (map[string]string, *apiError) {
	if len(tags) > 50 {
		return nil, newErr(400, "ValidationException", "1 validation error detected: Value at '%s' failed to satisfy constraint: Member must have length less than or equal to 50", path)
	}
	m := map[string]string{}
	for _, t := range tags {
		if t.Key == "" || len(t.Key) > 128 {
			return nil, cfgValidation(t.Key, path+".member.key", "Member must have length between 1 and 128")
		}
		if len(t.Value) > 256 {
			return nil, cfgValidation(t.Value, path+".member.value", "Member must have length less than or equal to 256")
		}
		m[t.Key] = t.Value
	}
	return m, nil
}

// ---- configuration recorder ----

type cfgExclusion struct {
	ResourceTypes []string `json:"resourceTypes"`
}

type cfgStrategy struct {
	UseOnly *string `json:"useOnly,omitempty"`
}

type cfgRecordingGroup struct {
	AllSupported               *bool         `json:"allSupported,omitempty"`
	IncludeGlobalResourceTypes *bool         `json:"includeGlobalResourceTypes,omitempty"`
	ResourceTypes              []string      `json:"resourceTypes"`
	ExclusionByResourceTypes   *cfgExclusion `json:"exclusionByResourceTypes,omitempty"`
	RecordingStrategy          *cfgStrategy  `json:"recordingStrategy,omitempty"`
}

type cfgModeOverride struct {
	Description        *string  `json:"description,omitempty"`
	ResourceTypes      []string `json:"resourceTypes"`
	RecordingFrequency *string  `json:"recordingFrequency,omitempty"`
}

type cfgRecordingMode struct {
	RecordingFrequency     *string           `json:"recordingFrequency,omitempty"`
	RecordingModeOverrides []cfgModeOverride `json:"recordingModeOverrides"`
}

// cfgRecorderJSON is the ConfigurationRecorder shape, in and out.
type cfgRecorderJSON struct {
	Arn              string             `json:"arn,omitempty"`
	Name             *string            `json:"name,omitempty"`
	RoleARN          *string            `json:"roleARN,omitempty"`
	RecordingGroup   *cfgRecordingGroup `json:"recordingGroup,omitempty"`
	RecordingMode    *cfgRecordingMode  `json:"recordingMode,omitempty"`
	RecordingScope   string             `json:"recordingScope,omitempty"`
	ServicePrincipal *string            `json:"servicePrincipal,omitempty"`
}

type cfgRecorder struct {
	name, arn, role string
	group           cfgRecordingGroup
	mode            cfgRecordingMode
	tags            map[string]string

	recording           bool
	lastStart, lastStop time.Time
	lastStatus          string // "" until first started, then Pending, Success
	lastChange          time.Time
	pendingSeen         bool // the status has been read once while Pending
}

func (r *cfgRecorder) out() cfgRecorderJSON {
	g, m := r.group, r.mode
	return cfgRecorderJSON{Arn: r.arn, Name: &r.name, RoleARN: &r.role, RecordingGroup: &g, RecordingMode: &m, RecordingScope: "PAID"}
}

var (
	cfgResourceTypePattern = regexp.MustCompile(`^AWS::[A-Za-z0-9]+::[A-Za-z0-9]+$`)
	cfgRoleARNPattern      = regexp.MustCompile(`^arn:aws[a-z-]*:iam::(\d{12}):role/(?:[\x21-\x7e]*/)?([\w+=,.@-]{1,64})$`)
)

func cfgCheckResourceTypes(types []string, path string) *apiError {
	for _, t := range types {
		if !cfgResourceTypePattern.MatchString(t) {
			return cfgValidation("["+strings.Join(types, ", ")+"]", path, "Member must satisfy constraint: [Member must satisfy enum value set of AWS Config resource types]")
		}
	}
	return nil
}

func cfgBadGroup() *apiError {
	return newErr(400, "InvalidRecordingGroupException", "The recording group provided is not valid")
}

// cfgNormalizeGroup validates a recording group and returns it as AWS
// reports it (every member present).
func cfgNormalizeGroup(g *cfgRecordingGroup) (cfgRecordingGroup, *apiError) {
	str := func(s string) *string { return &s }
	bl := func(b bool) *bool { return &b }
	if g == nil {
		return cfgRecordingGroup{AllSupported: bl(true), IncludeGlobalResourceTypes: bl(false), ResourceTypes: []string{},
			ExclusionByResourceTypes: &cfgExclusion{ResourceTypes: []string{}}, RecordingStrategy: &cfgStrategy{UseOnly: str("ALL_SUPPORTED_RESOURCE_TYPES")}}, nil
	}
	strategy := ""
	if g.RecordingStrategy != nil && g.RecordingStrategy.UseOnly != nil {
		strategy = *g.RecordingStrategy.UseOnly
		if e := cfgEnum(strategy, "configurationRecorder.recordingGroup.recordingStrategy.useOnly", "ALL_SUPPORTED_RESOURCE_TYPES", "INCLUSION_BY_RESOURCE_TYPES", "EXCLUSION_BY_RESOURCE_TYPES"); e != nil {
			return cfgRecordingGroup{}, e
		}
	}
	all := g.AllSupported != nil && *g.AllSupported
	global := g.IncludeGlobalResourceTypes != nil && *g.IncludeGlobalResourceTypes
	var excluded []string
	if g.ExclusionByResourceTypes != nil {
		excluded = g.ExclusionByResourceTypes.ResourceTypes
	}
	switch {
	case all:
		if len(g.ResourceTypes) > 0 || len(excluded) > 0 || (strategy != "" && strategy != "ALL_SUPPORTED_RESOURCE_TYPES") {
			return cfgRecordingGroup{}, cfgBadGroup()
		}
		return cfgRecordingGroup{AllSupported: bl(true), IncludeGlobalResourceTypes: bl(global), ResourceTypes: []string{},
			ExclusionByResourceTypes: &cfgExclusion{ResourceTypes: []string{}}, RecordingStrategy: &cfgStrategy{UseOnly: str("ALL_SUPPORTED_RESOURCE_TYPES")}}, nil
	case global:
		// includeGlobalResourceTypes requires allSupported.
		return cfgRecordingGroup{}, cfgBadGroup()
	case len(g.ResourceTypes) > 0:
		if len(excluded) > 0 || (strategy != "" && strategy != "INCLUSION_BY_RESOURCE_TYPES") {
			return cfgRecordingGroup{}, cfgBadGroup()
		}
		if e := cfgCheckResourceTypes(g.ResourceTypes, "configurationRecorder.recordingGroup.resourceTypes"); e != nil {
			return cfgRecordingGroup{}, e
		}
		return cfgRecordingGroup{AllSupported: bl(false), IncludeGlobalResourceTypes: bl(false), ResourceTypes: append([]string{}, g.ResourceTypes...),
			ExclusionByResourceTypes: &cfgExclusion{ResourceTypes: []string{}}, RecordingStrategy: &cfgStrategy{UseOnly: str("INCLUSION_BY_RESOURCE_TYPES")}}, nil
	case len(excluded) > 0:
		if strategy != "EXCLUSION_BY_RESOURCE_TYPES" {
			return cfgRecordingGroup{}, cfgBadGroup()
		}
		if e := cfgCheckResourceTypes(excluded, "configurationRecorder.recordingGroup.exclusionByResourceTypes.resourceTypes"); e != nil {
			return cfgRecordingGroup{}, e
		}
		return cfgRecordingGroup{AllSupported: bl(false), IncludeGlobalResourceTypes: bl(false), ResourceTypes: []string{},
			ExclusionByResourceTypes: &cfgExclusion{ResourceTypes: append([]string{}, excluded...)}, RecordingStrategy: &cfgStrategy{UseOnly: str("EXCLUSION_BY_RESOURCE_TYPES")}}, nil
	}
	// Nothing to record.
	return cfgRecordingGroup{}, cfgBadGroup()
}

func cfgNormalizeMode(m *cfgRecordingMode) (cfgRecordingMode, *apiError) {
	continuous := "CONTINUOUS"
	if m == nil {
		return cfgRecordingMode{RecordingFrequency: &continuous, RecordingModeOverrides: []cfgModeOverride{}}, nil
	}
	if m.RecordingFrequency == nil {
		return cfgRecordingMode{}, cfgValidation("null", "configurationRecorder.recordingMode.recordingFrequency", "Member must not be null")
	}
	if e := cfgEnum(*m.RecordingFrequency, "configurationRecorder.recordingMode.recordingFrequency", "CONTINUOUS", "DAILY"); e != nil {
		return cfgRecordingMode{}, e
	}
	out := cfgRecordingMode{RecordingFrequency: m.RecordingFrequency, RecordingModeOverrides: []cfgModeOverride{}}
	for _, o := range m.RecordingModeOverrides {
		if len(o.ResourceTypes) == 0 {
			return cfgRecordingMode{}, cfgValidation("[]", "configurationRecorder.recordingMode.recordingModeOverrides.member.resourceTypes", "Member must have length greater than or equal to 1")
		}
		if e := cfgCheckResourceTypes(o.ResourceTypes, "configurationRecorder.recordingMode.recordingModeOverrides.member.resourceTypes"); e != nil {
			return cfgRecordingMode{}, e
		}
		if o.RecordingFrequency == nil {
			return cfgRecordingMode{}, cfgValidation("null", "configurationRecorder.recordingMode.recordingModeOverrides.member.recordingFrequency", "Member must not be null")
		}
		if e := cfgEnum(*o.RecordingFrequency, "configurationRecorder.recordingMode.recordingModeOverrides.member.recordingFrequency", "CONTINUOUS", "DAILY"); e != nil {
			return cfgRecordingMode{}, e
		}
		out.RecordingModeOverrides = append(out.RecordingModeOverrides, o)
	}
	return out, nil
}

// cfgRoleOf finds the role roleARN names in the caller's account, or nil:
// an ARN of the sim's partition and of the caller's account, naming a role
// that exists with that path.
func cfgRoleOf(c *call, roleARN string) *iamRole {
	m := cfgRoleARNPattern.FindStringSubmatch(roleARN)
	if m == nil || m[1] != c.acct.ID || !strings.HasPrefix(roleARN, c.sim.arnPrefix()) || c.acct.iam == nil {
		return nil
	}
	role := c.acct.iam.findRole(m[2])
	if role == nil || c.sim.arn("iam", "", c.acct.ID, "role"+iamPathOr(role.path)+role.name) != roleARN {
		return nil
	}
	return role
}

// cfgIsServiceLinked reports whether role is a service-linked role (path
// /aws-service-role/...): AWS makes those for a service, so handing one to
// the service needs no iam:PassRole.
func cfgIsServiceLinked(role *iamRole) bool {
	return strings.HasPrefix(role.path, iamServiceRolePathRoot)
}

// cfgTrusts reports whether role's trust policy lets config.amazonaws.com
// assume it on behalf of account, and the RCPs of the role's account let
// the service principal do so (auth_rcp.go; they leave a service-linked
// role alone: "RCPs also do not impact AWS services' ability to assume a
// service-linked role", Organizations user guide, "Resource control
// policies (RCPs)").
func (s *Sim) cfgTrusts(role *iamRole, roleARN, account string) bool {
	if !cfgIsServiceLinked(role) {
		sc := serviceCall{service: "config.amazonaws.com", action: "sts:AssumeRole", resource: roleARN, sourceAccount: account}
		if s.rcpDenial(account, s.serviceRequest(sc, s.now())) != "" {
			return false
		}
	}
	if role.trust == nil || role.trust.parsed == nil {
		return true
	}
	req := &iampolicy.Request{Action: "sts:AssumeRole", Resource: roleARN, Principal: iampolicy.Principal{Service: "config.amazonaws.com"},
		Context: map[string][]string{"aws:sourceaccount": {account}}}
	return role.trust.parsed.Evaluate(req).Decision == iampolicy.Allow
}

// cfgCheckRole checks the role a configuration recorder is given, as
// PutConfigurationRecorder does (its errors, botocore config
// service-2.json: InvalidRoleException among them):
//
//   - a role of the caller's own account, in the partition, that exists
//     and whose trust policy admits config.amazonaws.com (InvalidRoleException);
//   - a customer role needs iam:PassRole with iam:PassedToService
//     config.amazonaws.com ("Grant a user permissions to pass a role to an
//     AWS service", IAM user guide; AccessDeniedException as Config words
//     a denial); a service-linked role needs none;
//   - a role still propagating (AWSLike.PropagationDelay): a service-linked
//     role is accepted, as AWS accepted the service-linked role a script
//     had created the moment before (its failure came at PutDeliveryChannel,
//     "unable to assume role", awslabs/aws-securityhub-multiaccount-scripts
//     issue 53); whether AWS checks a customer role this early is not
//     documented, and orgsim takes the stricter reading: InvalidRoleException
//     until it has propagated.
func cfgCheckRole(c *call, roleARN string) *apiError {
	if roleARN == "" {
		return newErr(400, "InvalidRoleException", "You have provided a null or empty Amazon Resource Name (ARN) for the IAM role assumed by AWS Config and used by the configuration recorder.")
	}
	if m := cfgRoleARNPattern.FindStringSubmatch(roleARN); m == nil || m[1] != c.acct.ID || !strings.HasPrefix(roleARN, c.sim.arnPrefix()) {
		return newErr(400, "InvalidRoleException", "The role ARN %s is not valid. Provide the ARN of an IAM role in account %s.", roleARN, c.acct.ID)
	}
	if e := c.sim.authorizePassRole(c, roleARN, "config.amazonaws.com"); e != nil {
		return e
	}
	role := cfgRoleOf(c, roleARN)
	if role == nil {
		return newErr(400, "InvalidRoleException", "The role %s does not exist or AWS Config cannot assume it.", roleARN)
	}
	if !c.sim.cfgTrusts(role, roleARN, c.acct.ID) {
		return newErr(400, "InvalidRoleException", "AWS Config cannot assume the role %s: its trust policy does not allow config.amazonaws.com.", roleARN)
	}
	if role.propagating && !cfgIsServiceLinked(role) {
		return newErr(400, "InvalidRoleException", "The role %s does not exist or AWS Config cannot assume it.", roleARN)
	}
	return nil
}

func cfgPutRecorder(c *call) (any, *apiError) {
	var in struct {
		ConfigurationRecorder *cfgRecorderJSON
		Tags                  []cfgTag
	}
	if e := c.decode(&in); e != nil {
		return nil, e
	}
	rec := in.ConfigurationRecorder
	if rec == nil {
		return nil, cfgValidation("null", "configurationRecorder", "Member must not be null")
	}
	name := "default"
	if rec.Name != nil {
		name = *rec.Name
	}
	if strings.TrimSpace(name) == "" {
		return nil, newErr(400, "InvalidConfigurationRecorderNameException", "The configuration recorder name '%s' is not valid, blank string.", name)
	}
	if e := cfgMaxLen(name, "configurationRecorder.name", 256); e != nil {
		return nil, e
	}
	if strings.HasPrefix(name, "AWSConfigurationRecorderFor") {
		return nil, newErr(400, "InvalidConfigurationRecorderNameException", "The configuration recorder name '%s' is not valid: the prefix AWSConfigurationRecorderFor is reserved for service-linked configuration recorders.", name)
	}
	if rec.ServicePrincipal != nil {
		return nil, newErr(400, "ValidationException", "servicePrincipal can be set only for service-linked configuration recorders; use PutServiceLinkedConfigurationRecorder.")
	}
	st := cfgState(c)
	if st.recorder != nil && st.recorder.name != name {
		return nil, newErr(400, "MaxNumberOfConfigurationRecordersExceededException", "Failed to put configuration recorder '%s' because the maximum number of configuration recorders: 1 is reached.", name)
	}
	role := ""
	if rec.RoleARN != nil {
		role = *rec.RoleARN
	}
	if e := cfgCheckRole(c, role); e != nil {
		return nil, e
	}
	group, e := cfgNormalizeGroup(rec.RecordingGroup)
	if e != nil {
		return nil, e
	}
	mode, e := cfgNormalizeMode(rec.RecordingMode)
	if e != nil {
		return nil, e
	}
	tags, e := cfgCheckTags(in.Tags, "tags")
	if e != nil {
		return nil, e
	}
	r := st.recorder
	if r == nil {
		r = &cfgRecorder{name: name, arn: cfgRecorderARN(c, name), tags: tags}
		st.recorder = r
	} else {
		for k, v := range tags {
			r.tags[k] = v
		}
	}
	r.role, r.group, r.mode = role, group, mode
	return struct{}{}, nil
}

// cfgNoRecorder is NoSuchConfigurationRecorderException for name.
func cfgNoRecorder(name string) *apiError {
	return newErr(400, "NoSuchConfigurationRecorderException", "Cannot find configuration recorder with the specified name '%s'.", name)
}

func cfgDescribeRecorders(c *call) (any, *apiError) {
	var in struct {
		ConfigurationRecorderNames []string
		ServicePrincipal           *string
		Arn                        *string
	}
	if e := c.decode(&in); e != nil {
		return nil, e
	}
	st := cfgState(c)
	out := struct {
		ConfigurationRecorders []cfgRecorderJSON `json:"ConfigurationRecorders"`
	}{ConfigurationRecorders: []cfgRecorderJSON{}}
	for _, n := range in.ConfigurationRecorderNames {
		if st.recorder == nil || st.recorder.name != n {
			return nil, cfgNoRecorder(n)
		}
	}
	if in.Arn != nil && (st.recorder == nil || st.recorder.arn != *in.Arn) {
		return nil, newErr(400, "NoSuchConfigurationRecorderException", "Cannot find configuration recorder with the specified ARN '%s'.", *in.Arn)
	}
	if in.ServicePrincipal != nil {
		return out, nil // no service-linked recorders here
	}
	if st.recorder != nil {
		out.ConfigurationRecorders = append(out.ConfigurationRecorders, st.recorder.out())
	}
	return out, nil
}

func cfgDescribeRecorderStatus(c *call) (any, *apiError) {
	var in struct {
		ConfigurationRecorderNames []string
		ServicePrincipal           *string
		Arn                        *string
	}
	if e := c.decode(&in); e != nil {
		return nil, e
	}
	st := cfgState(c)
	type status struct {
		Arn                  string     `json:"arn,omitempty"`
		Name                 string     `json:"name"`
		LastStartTime        *epochTime `json:"lastStartTime,omitempty"`
		LastStopTime         *epochTime `json:"lastStopTime,omitempty"`
		Recording            bool       `json:"recording"`
		LastStatus           string     `json:"lastStatus,omitempty"`
		LastStatusChangeTime *epochTime `json:"lastStatusChangeTime,omitempty"`
	}
	out := struct {
		ConfigurationRecordersStatus []status `json:"ConfigurationRecordersStatus"`
	}{ConfigurationRecordersStatus: []status{}}
	for _, n := range in.ConfigurationRecorderNames {
		if st.recorder == nil || st.recorder.name != n {
			return nil, cfgNoRecorder(n)
		}
	}
	if in.Arn != nil && (st.recorder == nil || st.recorder.arn != *in.Arn) {
		return nil, newErr(400, "NoSuchConfigurationRecorderException", "Cannot find configuration recorder with the specified ARN '%s'.", *in.Arn)
	}
	r := st.recorder
	if r == nil || in.ServicePrincipal != nil {
		return out, nil
	}
	// A started recorder reports Pending once, then Success: its first
	// recording has completed by the next time anyone looks.
	if r.lastStatus == "Pending" && r.recording {
		if r.pendingSeen {
			r.lastStatus, r.lastChange = "Success", c.now
		} else {
			r.pendingSeen = true
		}
	}
	out.ConfigurationRecordersStatus = append(out.ConfigurationRecordersStatus, status{
		Arn: r.arn, Name: r.name, LastStartTime: epoch(r.lastStart), LastStopTime: epoch(r.lastStop),
		Recording: r.recording, LastStatus: r.lastStatus, LastStatusChangeTime: epoch(r.lastChange),
	})
	return out, nil
}

type cfgRecorderNameIn struct {
	ConfigurationRecorderName string
}

func cfgDeleteRecorder(c *call) (any, *apiError) {
	var in cfgRecorderNameIn
	if e := c.decode(&in); e != nil {
		return nil, e
	}
	st := cfgState(c)
	if st.recorder == nil || st.recorder.name != in.ConfigurationRecorderName {
		return nil, cfgNoRecorder(in.ConfigurationRecorderName)
	}
	st.recorder = nil
	return struct{}{}, nil
}

func cfgStartRecorder(c *call) (any, *apiError) {
	var in cfgRecorderNameIn
	if e := c.decode(&in); e != nil {
		return nil, e
	}
	st := cfgState(c)
	r := st.recorder
	if r == nil || r.name != in.ConfigurationRecorderName {
		return nil, cfgNoRecorder(in.ConfigurationRecorderName)
	}
	if st.channel == nil {
		return nil, newErr(400, "NoAvailableDeliveryChannelException", "Delivery channel is not available to start configuration recorder.")
	}
	if !r.recording {
		r.recording = true
		r.lastStart = c.now
		r.lastStatus, r.lastChange, r.pendingSeen = "Pending", c.now, false
	}
	return struct{}{}, nil
}

func cfgStopRecorder(c *call) (any, *apiError) {
	var in cfgRecorderNameIn
	if e := c.decode(&in); e != nil {
		return nil, e
	}
	r := cfgState(c).recorder
	if r == nil || r.name != in.ConfigurationRecorderName {
		return nil, cfgNoRecorder(in.ConfigurationRecorderName)
	}
	if r.recording {
		r.recording = false
		r.lastStop, r.lastChange = c.now, c.now
		if r.lastStatus == "Pending" {
			r.lastStatus = "Success"
		}
	}
	return struct{}{}, nil
}

// ---- delivery channel ----

type cfgSnapshotProps struct {
	DeliveryFrequency *string `json:"deliveryFrequency,omitempty"`
}

type cfgChannelJSON struct {
	Name                             *string           `json:"name,omitempty"`
	S3BucketName                     *string           `json:"s3BucketName,omitempty"`
	S3KeyPrefix                      *string           `json:"s3KeyPrefix,omitempty"`
	S3KmsKeyArn                      *string           `json:"s3KmsKeyArn,omitempty"`
	SnsTopicARN                      *string           `json:"snsTopicARN,omitempty"`
	ConfigSnapshotDeliveryProperties *cfgSnapshotProps `json:"configSnapshotDeliveryProperties,omitempty"`
}

type cfgChannel struct {
	def     cfgChannelJSON // as stored (name always set)
	created time.Time
}

var (
	cfgKMSKeyARN = regexp.MustCompile(`^arn:aws[a-z-]*:kms:[a-z0-9-]+:\d{12}:key/.+$`)
	cfgSNSARN    = regexp.MustCompile(`^arn:aws[a-z-]*:sns:[a-z0-9-]+:\d{12}:[A-Za-z0-9_-]{1,256}$`)
)

// Delivery to the bucket. The Config developer guide ("Permissions for the
// Amazon S3 Bucket for the AWS Config Delivery Channel") says:
//
//   - with a customer role, Config delivers to a bucket of its own account
//     as that role; to a bucket of another account it first tries the
//     role and, when the bucket policy does not let the role write, tries
//     again as the service principal config.amazonaws.com;
//   - "The AWS Config service-linked role does not have permission to put
//     objects to Amazon S3 buckets": with the service-linked role Config
//     always writes as the service principal, to a bucket "in your own
//     account or another account", so the bucket policy must admit it
//     there too;
//   - as the service principal its requests carry aws:SourceAccount (the
//     guide strongly recommends conditioning on it) and aws:SourceArn,
//     "always set to arn:aws:config:sourceRegion:sourceAccountID:*";
//   - a note: as the service principal "the service won't work with
//     organization ID or organization units based conditions", i.e. the
//     principal's organization keys (aws:PrincipalOrgID,
//     aws:PrincipalOrgPaths; the guide's alternative for many accounts is
//     IAM roles and aws:PrincipalOrgID): a service principal belongs to no
//     organization, and orgsim sets neither key.
//
// aws:SourceOrgID, the organization of the resource on whose behalf the
// service acts, is not named by the Config guide either way. AWS Control
// Tower's own log bucket admits config.amazonaws.com deliveries from every
// enrolled account by aws:SourceOrgID alone (Control Tower user guide,
// "Amazon S3 bucket policy in the audit account" and the log archive
// bucket policy: AWSBucketDeliveryForConfig), and AWS Support advised the
// same key for Config's bucket checks (DataBiosphere/azul issue 6134,
// 2025). orgsim sets it for an account of the organization, so a central
// bucket can admit an organization of any size (S3 caps a bucket policy at
// 20 KB; a list of account ids does not scale). Where the sources are
// unclear orgsim takes the stricter reading: the service principal path is
// taken even for the caller's own bucket whenever the recorder uses the
// service-linked role, and all three checks (GetBucketAcl, ListBucket, and
// PutObject with the bucket-owner-full-control ACL) must be allowed.

// cfgBucketAllows reports whether bucket b's policy, as Config sees it
// (bucket.servicePolicy: a policy just put has not reached Config yet),
// lets Config deliver for account's channel in region to
// [prefix/]AWSLogs/<account>/Config/: the ACL check, the existence check
// and the delivery itself. role is the recorder role's session Config
// writes as, or nil for the service principal config.amazonaws.com; the
// request context of either is built where every other is (reqctx.go).
// The RCPs of the bucket's account bind the role and the service principal
// alike (auth_rcp.go). A role writing to its own account's bucket needs no
// bucket policy (its S3 permissions are not modelled), only the RCPs'
// leave.
func (s *Sim) cfgBucketAllows(b *bucket, prefix, account, region string, role *principal) bool {
	pol := b.servicePolicy()
	own := role != nil && b.owner == role.account
	if pol == nil && !own {
		return false
	}
	now := s.now()
	allowed := func(action, resource string, acl bool) bool {
		if role == nil {
			sc := serviceCall{service: "config.amazonaws.com", action: action, resource: resource,
				sourceARN: s.arn("config", region, account, "*"), sourceAccount: account}
			if acl {
				sc.acl = "bucket-owner-full-control"
			}
			return s.bucketAllowsService(b, sc)
		}
		ctx := map[string][]string{"aws:securetransport": {"true"}}
		s.principalKeys(ctx, role, now)
		timeKeys(ctx, now)
		s.resourceKeys(ctx, role.account, action, resource)
		if acl {
			ctx["s3:x-amz-acl"] = []string{"bucket-owner-full-control"}
		}
		req := &iampolicy.Request{Action: action, Resource: resource, Principal: role.iamPrincipal(), Context: ctx}
		if s.rcpDenial(b.owner, req) != "" {
			return false
		}
		return own || pol.Evaluate(req).Decision == iampolicy.Allow
	}
	if prefix != "" {
		prefix += "/"
	}
	bucketARN := s.arn("s3", "", "", b.name)
	return allowed("s3:GetBucketAcl", bucketARN, false) &&
		allowed("s3:ListBucket", bucketARN, false) &&
		allowed("s3:PutObject", bucketARN+"/"+prefix+"AWSLogs/"+account+"/Config/ConfigWritabilityCheckFile", true)
}

// cfgCanDeliver reports whether Config can deliver for the caller's
// account and region to bucket b with the recorder's role, as the guide
// describes (above): as the role, to a bucket of the same account (the
// role's own S3 permissions are not modelled) or of another account whose
// policy admits the role; else as the service principal. The RCPs of the
// bucket's account must let either through (cfgBucketAllows).
func (s *Sim) cfgCanDeliver(c *call, b *bucket, prefix string, role *iamRole, roleARN string) bool {
	account := c.acct.ID
	if !cfgIsServiceLinked(role) {
		const session = "AWSConfig-BucketConfigCheck"
		p := &principal{kind: principalAssumedRole, account: account, arn: s.arn("sts", "", account, "assumed-role/"+role.name+"/"+session),
			userID: role.id + ":" + session, roleName: role.name, roleARN: roleARN, sessionName: session}
		if s.cfgBucketAllows(b, prefix, account, c.region, p) {
			return true
		}
	}
	return s.cfgBucketAllows(b, prefix, account, c.region, nil)
}

func cfgPutChannel(c *call) (any, *apiError) {
	var in struct {
		DeliveryChannel *cfgChannelJSON
	}
	if e := c.decode(&in); e != nil {
		return nil, e
	}
	ch := in.DeliveryChannel
	if ch == nil {
		return nil, cfgValidation("null", "deliveryChannel", "Member must not be null")
	}
	st := cfgState(c)
	if st.recorder == nil {
		return nil, newErr(400, "NoAvailableConfigurationRecorderException", "Configuration recorder is not available to put delivery channel.")
	}
	name := "default"
	if ch.Name != nil {
		name = *ch.Name
	}
	if strings.TrimSpace(name) == "" {
		return nil, newErr(400, "InvalidDeliveryChannelNameException", "The delivery channel name '%s' is not valid, blank string.", name)
	}
	if e := cfgMaxLen(name, "deliveryChannel.name", 256); e != nil {
		return nil, e
	}
	if ch.S3BucketName == nil || *ch.S3BucketName == "" {
		return nil, newErr(400, "NoSuchBucketException", "Cannot find a S3 bucket with an empty bucket name.")
	}
	prefix := ""
	if ch.S3KeyPrefix != nil {
		prefix = *ch.S3KeyPrefix
		switch {
		case prefix == "":
			return nil, newErr(400, "InvalidS3KeyPrefixException", "The s3 key prefix '' is not valid, empty s3 key prefix.")
		case strings.Contains(prefix, "AWSLogs"):
			return nil, newErr(400, "InvalidS3KeyPrefixException", "The s3 key prefix '%s' is not valid, the prefix cannot contain AWSLogs.", prefix)
		case strings.HasPrefix(prefix, "/") || strings.HasSuffix(prefix, "/"):
			return nil, newErr(400, "InvalidS3KeyPrefixException", "The s3 key prefix '%s' is not valid, the prefix cannot start or end with a slash.", prefix)
		case len(prefix) > 1024:
			return nil, newErr(400, "InvalidS3KeyPrefixException", "The s3 key prefix '%s' is not valid, it is too long.", prefix)
		}
	}
	if ch.SnsTopicARN != nil && !cfgSNSARN.MatchString(*ch.SnsTopicARN) {
		return nil, newErr(400, "InvalidSNSTopicARNException", "The sns topic arn '%s' is not valid.", *ch.SnsTopicARN)
	}
	if ch.S3KmsKeyArn != nil && !cfgKMSKeyARN.MatchString(*ch.S3KmsKeyArn) {
		return nil, newErr(400, "InvalidS3KmsKeyArnException", "The s3 kms key arn '%s' is not valid.", *ch.S3KmsKeyArn)
	}
	if st.channel != nil && *st.channel.def.Name != name {
		return nil, newErr(400, "MaxNumberOfDeliveryChannelsExceededException", "Failed to put delivery channel '%s' because the maximum number of delivery channels: 1 is reached.", name)
	}
	if p := ch.ConfigSnapshotDeliveryProperties; p != nil && p.DeliveryFrequency != nil {
		if e := cfgEnum(*p.DeliveryFrequency, "deliveryChannel.configSnapshotDeliveryProperties.deliveryFrequency", cfgFrequencies...); e != nil {
			return nil, e
		}
	}
	b := c.sim.buckets[*ch.S3BucketName]
	if b == nil {
		return nil, newErr(400, "NoSuchBucketException", "Cannot find a S3 bucket with the name '%s'.", *ch.S3BucketName)
	}
	// Config assumes the recorder's role to check the bucket: a role that
	// is gone, or has not propagated yet, fails here ("Insufficient
	// delivery policy to s3 bucket: B, unable to assume role: ARN.", right
	// after the service-linked role was created:
	// awslabs/aws-securityhub-multiaccount-scripts issue 53).
	role := cfgRoleOf(c, st.recorder.role)
	if role == nil || role.propagating || !c.sim.cfgTrusts(role, st.recorder.role, c.acct.ID) {
		return nil, newErr(400, "InsufficientDeliveryPolicyException", "Insufficient delivery policy to s3 bucket: %s, unable to assume role: %s.", b.name, st.recorder.role)
	}
	if !c.sim.cfgCanDeliver(c, b, prefix, role, st.recorder.role) {
		p, k := "null", "null"
		if ch.S3KeyPrefix != nil {
			p = prefix
		}
		if ch.S3KmsKeyArn != nil {
			k = *ch.S3KmsKeyArn
		}
		return nil, newErr(400, "InsufficientDeliveryPolicyException", "Insufficient delivery policy to s3 bucket: %s, unable to write to bucket, provided s3 key prefix is '%s', provided kms key is '%s'.", b.name, p, k)
	}
	def := *ch
	def.Name = &name
	if st.channel == nil {
		st.channel = &cfgChannel{created: c.now}
	}
	st.channel.def = def
	return struct{}{}, nil
}

func cfgNoChannel(name string) *apiError {
	return newErr(400, "NoSuchDeliveryChannelException", "Cannot find delivery channel with specified name '%s'.", name)
}

func cfgDescribeChannels(c *call) (any, *apiError) {
	var in struct{ DeliveryChannelNames []string }
	if e := c.decode(&in); e != nil {
		return nil, e
	}
	st := cfgState(c)
	for _, n := range in.DeliveryChannelNames {
		if st.channel == nil || *st.channel.def.Name != n {
			return nil, cfgNoChannel(n)
		}
	}
	out := struct {
		DeliveryChannels []cfgChannelJSON `json:"DeliveryChannels"`
	}{DeliveryChannels: []cfgChannelJSON{}}
	if st.channel != nil {
		out.DeliveryChannels = append(out.DeliveryChannels, st.channel.def)
	}
	return out, nil
}

func cfgDescribeChannelStatus(c *call) (any, *apiError) {
	var in struct{ DeliveryChannelNames []string }
	if e := c.decode(&in); e != nil {
		return nil, e
	}
	st := cfgState(c)
	for _, n := range in.DeliveryChannelNames {
		if st.channel == nil || *st.channel.def.Name != n {
			return nil, cfgNoChannel(n)
		}
	}
	type exportInfo struct {
		LastStatus         string     `json:"lastStatus,omitempty"`
		LastAttemptTime    *epochTime `json:"lastAttemptTime,omitempty"`
		LastSuccessfulTime *epochTime `json:"lastSuccessfulTime,omitempty"`
		NextDeliveryTime   *epochTime `json:"nextDeliveryTime,omitempty"`
	}
	type streamInfo struct {
		LastStatus           string     `json:"lastStatus,omitempty"`
		LastStatusChangeTime *epochTime `json:"lastStatusChangeTime,omitempty"`
	}
	type status struct {
		Name                       string     `json:"name"`
		ConfigSnapshotDeliveryInfo exportInfo `json:"configSnapshotDeliveryInfo"`
		ConfigHistoryDeliveryInfo  exportInfo `json:"configHistoryDeliveryInfo"`
		ConfigStreamDeliveryInfo   streamInfo `json:"configStreamDeliveryInfo"`
	}
	out := struct {
		DeliveryChannelsStatus []status `json:"DeliveryChannelsStatus"`
	}{DeliveryChannelsStatus: []status{}}
	if st.channel == nil {
		return out, nil
	}
	s := status{Name: *st.channel.def.Name, ConfigStreamDeliveryInfo: streamInfo{LastStatus: "Not_Applicable"}}
	if st.channel.def.SnsTopicARN != nil {
		s.ConfigStreamDeliveryInfo.LastStatus = ""
	}
	if r := st.recorder; r != nil && !r.lastStart.IsZero() {
		last := r.lastStart
		s.ConfigHistoryDeliveryInfo = exportInfo{LastStatus: "Success", LastAttemptTime: epoch(last), LastSuccessfulTime: epoch(last)}
		if st.channel.def.SnsTopicARN != nil {
			s.ConfigStreamDeliveryInfo = streamInfo{LastStatus: "Success", LastStatusChangeTime: epoch(last)}
		}
	}
	out.DeliveryChannelsStatus = append(out.DeliveryChannelsStatus, s)
	return out, nil
}

func cfgDeleteChannel(c *call) (any, *apiError) {
	var in struct{ DeliveryChannelName string }
	if e := c.decode(&in); e != nil {
		return nil, e
	}
	st := cfgState(c)
	if st.channel == nil || *st.channel.def.Name != in.DeliveryChannelName {
		return nil, cfgNoChannel(in.DeliveryChannelName)
	}
	if st.recorder != nil && st.recorder.recording {
		return nil, newErr(400, "LastDeliveryChannelDeleteFailedException", "Failed to delete last specified delivery channel with name '%s', because there, because there is a running configuration recorder.", in.DeliveryChannelName)
	}
	st.channel = nil
	return struct{}{}, nil
}

// ---- managed rules ----

// cfgParam is one parameter of a managed rule.
type cfgParam struct {
	name     string
	required bool
	def      string // documented default ("" when none); AWS does not fill it in
}

// cfgManagedRule is an AWS managed rule as Config validates it.
type cfgManagedRule struct {
	periodic bool // trigger type includes Periodic
	params   []cfgParam
}

func cfgOpt(name, def string) cfgParam { return cfgParam{name: name, def: def} }
func cfgReq(name, def string) cfgParam { return cfgParam{name: name, required: true, def: def} }

// cfgManagedRules lists the managed rules orgsim knows, with their
// parameters (awsdocs/aws-config-developer-guide managed rule pages). A
// required parameter must be present in InputParameters even when the
// documentation gives a default (AWS does not apply it).
var cfgManagedRules = map[string]cfgManagedRule{
	"ACCESS_KEYS_ROTATED":                            {true, []cfgParam{cfgReq("maxAccessKeyAge", "90")}},
	"ACCOUNT_PART_OF_ORGANIZATIONS":                  {true, []cfgParam{cfgOpt("MasterAccountId", "")}},
	"CLOUD_TRAIL_CLOUD_WATCH_LOGS_ENABLED":           {true, []cfgParam{cfgOpt("expectedDeliveryWindowAge", "")}},
	"CLOUD_TRAIL_ENABLED":                            {true, []cfgParam{cfgOpt("s3BucketName", ""), cfgOpt("snsTopicArn", ""), cfgOpt("cloudWatchLogsLogGroupArn", "")}},
	"CLOUD_TRAIL_ENCRYPTION_ENABLED":                 {true, nil},
	"CLOUD_TRAIL_LOG_FILE_VALIDATION_ENABLED":        {true, nil},
	"CLOUDTRAIL_S3_DATAEVENTS_ENABLED":               {true, []cfgParam{cfgOpt("S3BucketNames", "")}},
	"CLOUDTRAIL_SECURITY_TRAIL_ENABLED":              {true, nil},
	"CMK_BACKING_KEY_ROTATION_ENABLED":               {true, nil},
	"EBS_SNAPSHOT_PUBLIC_RESTORABLE_CHECK":           {true, nil},
	"EC2_EBS_ENCRYPTION_BY_DEFAULT":                  {true, nil},
	"EC2_INSTANCE_NO_PUBLIC_IP":                      {false, nil},
	"ENCRYPTED_VOLUMES":                              {false, []cfgParam{cfgOpt("kmsId", "")}},
	"GUARDDUTY_ENABLED_CENTRALIZED":                  {true, []cfgParam{cfgOpt("CentralMonitoringAccount", "")}},
	"IAM_CUSTOMER_POLICY_BLOCKED_KMS_ACTIONS":        {false, []cfgParam{cfgReq("blockedActionsPatterns", ""), cfgOpt("excludePermissionBoundaryPolicy", "false")}},
	"IAM_GROUP_HAS_USERS_CHECK":                      {false, nil},
	"IAM_INLINE_POLICY_BLOCKED_KMS_ACTIONS":          {false, []cfgParam{cfgReq("blockedActionsPatterns", ""), cfgOpt("excludeRoleByManagementAccount", "false")}},
	"IAM_NO_INLINE_POLICY_CHECK":                     {false, nil},
	"IAM_PASSWORD_POLICY":                            {true, []cfgParam{cfgOpt("RequireUppercaseCharacters", "true"), cfgOpt("RequireLowercaseCharacters", "true"), cfgOpt("RequireSymbols", "true"), cfgOpt("RequireNumbers", "true"), cfgOpt("MinimumPasswordLength", "14"), cfgOpt("PasswordReusePrevention", "24"), cfgOpt("MaxPasswordAge", "90")}},
	"IAM_POLICY_IN_USE":                              {true, []cfgParam{cfgReq("policyARN", ""), cfgOpt("policyUsageType", "")}},
	"IAM_POLICY_NO_STATEMENTS_WITH_ADMIN_ACCESS":     {false, []cfgParam{cfgOpt("excludePermissionBoundaryPolicy", "false")}},
	"IAM_POLICY_NO_STATEMENTS_WITH_FULL_ACCESS":      {false, []cfgParam{cfgOpt("excludePermissionBoundaryPolicy", "false")}},
	"IAM_ROLE_MANAGED_POLICY_CHECK":                  {false, []cfgParam{cfgReq("managedPolicyArns", "")}},
	"IAM_ROOT_ACCESS_KEY_CHECK":                      {true, nil},
	"IAM_USER_GROUP_MEMBERSHIP_CHECK":                {false, []cfgParam{cfgOpt("groupNames", "")}},
	"IAM_USER_MFA_ENABLED":                           {true, nil},
	"IAM_USER_NO_POLICIES_CHECK":                     {false, nil},
	"IAM_USER_UNUSED_CREDENTIALS_CHECK":              {true, []cfgParam{cfgReq("maxCredentialUsageAge", "90")}},
	"INCOMING_SSH_DISABLED":                          {false, nil},
	"INTERNET_GATEWAY_AUTHORIZED_VPC_ONLY":           {false, []cfgParam{cfgOpt("AuthorizedVpcIds", "")}},
	"MFA_ENABLED_FOR_IAM_CONSOLE_ACCESS":             {true, nil},
	"MULTI_REGION_CLOUD_TRAIL_ENABLED":               {true, []cfgParam{cfgOpt("s3BucketName", ""), cfgOpt("snsTopicArn", ""), cfgOpt("cloudWatchLogsLogGroupArn", ""), cfgOpt("includeManagementEvents", ""), cfgOpt("readWriteType", "")}},
	"RDS_STORAGE_ENCRYPTED":                          {false, []cfgParam{cfgOpt("kmsKeyId", "")}},
	"RESTRICTED_INCOMING_TRAFFIC":                    {false, []cfgParam{cfgOpt("blockedPort1", "20"), cfgOpt("blockedPort2", "21"), cfgOpt("blockedPort3", "3389"), cfgOpt("blockedPort4", "3306"), cfgOpt("blockedPort5", "4333")}},
	"ROOT_ACCOUNT_HARDWARE_MFA_ENABLED":              {true, nil},
	"ROOT_ACCOUNT_MFA_ENABLED":                       {true, nil},
	"S3_ACCOUNT_LEVEL_PUBLIC_ACCESS_BLOCKS":          {false, []cfgParam{cfgOpt("IgnorePublicAcls", "True"), cfgOpt("BlockPublicPolicy", "True"), cfgOpt("BlockPublicAcls", "True"), cfgOpt("RestrictPublicBuckets", "True")}},
	"S3_ACCOUNT_LEVEL_PUBLIC_ACCESS_BLOCKS_PERIODIC": {true, []cfgParam{cfgOpt("IgnorePublicAcls", "True"), cfgOpt("BlockPublicPolicy", "True"), cfgOpt("BlockPublicAcls", "True"), cfgOpt("RestrictPublicBuckets", "True")}},
	"S3_BUCKET_LOGGING_ENABLED":                      {false, []cfgParam{cfgOpt("targetBucket", ""), cfgOpt("targetPrefix", "")}},
	"S3_BUCKET_PUBLIC_READ_PROHIBITED":               {true, nil},
	"S3_BUCKET_PUBLIC_WRITE_PROHIBITED":              {true, nil},
	"S3_BUCKET_SERVER_SIDE_ENCRYPTION_ENABLED":       {false, nil},
	"S3_BUCKET_SSL_REQUESTS_ONLY":                    {false, nil},
	"S3_BUCKET_VERSIONING_ENABLED":                   {false, []cfgParam{cfgOpt("isMfaDeleteEnabled", "")}},
	"SECURITYHUB_ENABLED":                            {true, nil},
	"VPC_DEFAULT_SECURITY_GROUP_CLOSED":              {false, nil},
	"VPC_FLOW_LOGS_ENABLED":                          {true, []cfgParam{cfgOpt("trafficType", "")}},
}

// cfgCheckInputParameters validates InputParameters (a JSON object of
// string values) against a managed rule, when rule is known.
func cfgCheckInputParameters(raw *string, path string, rule *cfgManagedRule) *apiError {
	params := map[string]json.RawMessage{}
	if raw != nil {
		if len(*raw) < 1 || len(*raw) > 1024 {
			return cfgValidation(*raw, path, "Member must have length between 1 and 1024")
		}
		if err := json.Unmarshal([]byte(*raw), &params); err != nil || params == nil {
			return newErr(400, "InvalidParameterValueException", "Invalid json %s passed in the InputParameters field", *raw)
		}
		names := make([]string, 0, len(params))
		for k := range params {
			names = append(names, k)
		}
		sort.Strings(names)
		for _, k := range names {
			var s string
			if json.Unmarshal(params[k], &s) != nil || strings.TrimSpace(s) == "" {
				return newErr(400, "InvalidParameterValueException", "Blank spaces are not acceptable for input parameter: %s. InputParameters': '%s'", k, *raw)
			}
		}
	}
	if rule == nil {
		return nil
	}
	known := map[string]bool{}
	for _, p := range rule.params {
		known[p.name] = true
	}
	for k := range params {
		if !known[k] {
			return newErr(400, "InvalidParameterValueException", "Unknown parameters provided in the inputParameters: %s", *raw)
		}
	}
	var missing []string
	for _, p := range rule.params {
		if _, ok := params[p.name]; p.required && !ok {
			missing = append(missing, p.name)
		}
	}
	if len(missing) > 0 {
		sort.Strings(missing)
		return newErr(400, "InvalidParameterValueException", "The required parameter [%s] is not present in the inputParameters", strings.Join(missing, ", "))
	}
	return nil
}

func cfgUnknownIdentifier(id string) *apiError {
	return newErr(400, "InvalidParameterValueException", "The sourceIdentifier %s is invalid. Please refer to the documentation for a list of valid sourceIdentifiers that can be used when AWS is the Owner.", id)
}

// ---- config rules ----

type cfgScope struct {
	ComplianceResourceTypes []string `json:"ComplianceResourceTypes,omitempty"`
	TagKey                  *string  `json:"TagKey,omitempty"`
	TagValue                *string  `json:"TagValue,omitempty"`
	ComplianceResourceId    *string  `json:"ComplianceResourceId,omitempty"`
}

type cfgSourceDetail struct {
	EventSource               *string `json:"EventSource,omitempty"`
	MessageType               *string `json:"MessageType,omitempty"`
	MaximumExecutionFrequency *string `json:"MaximumExecutionFrequency,omitempty"`
}

type cfgCustomPolicy struct {
	PolicyRuntime          *string `json:"PolicyRuntime,omitempty"`
	PolicyText             *string `json:"PolicyText,omitempty"`
	EnableDebugLogDelivery *bool   `json:"EnableDebugLogDelivery,omitempty"`
}

type cfgSource struct {
	Owner               *string           `json:"Owner,omitempty"`
	SourceIdentifier    *string           `json:"SourceIdentifier,omitempty"`
	SourceDetails       []cfgSourceDetail `json:"SourceDetails,omitempty"`
	CustomPolicyDetails *cfgCustomPolicy  `json:"CustomPolicyDetails,omitempty"`
}

type cfgEvalMode struct {
	Mode *string `json:"Mode,omitempty"`
}

// cfgRuleJSON is the ConfigRule shape, in and out.
type cfgRuleJSON struct {
	ConfigRuleName            *string       `json:"ConfigRuleName,omitempty"`
	ConfigRuleArn             *string       `json:"ConfigRuleArn,omitempty"`
	ConfigRuleId              *string       `json:"ConfigRuleId,omitempty"`
	Description               *string       `json:"Description,omitempty"`
	Scope                     *cfgScope     `json:"Scope,omitempty"`
	Source                    *cfgSource    `json:"Source,omitempty"`
	InputParameters           *string       `json:"InputParameters,omitempty"`
	MaximumExecutionFrequency *string       `json:"MaximumExecutionFrequency,omitempty"`
	ConfigRuleState           *string       `json:"ConfigRuleState,omitempty"`
	CreatedBy                 *string       `json:"CreatedBy,omitempty"`
	EvaluationModes           []cfgEvalMode `json:"EvaluationModes,omitempty"`
}

type cfgRule struct {
	name, arn, id string
	def           cfgRuleJSON // validated definition, identifiers excluded
	tags          map[string]string
}

func (r *cfgRule) out() cfgRuleJSON {
	o := r.def
	o.ConfigRuleName, o.ConfigRuleArn, o.ConfigRuleId = &r.name, &r.arn, &r.id
	active := "ACTIVE"
	o.ConfigRuleState = &active
	if o.Source != nil && o.Source.CustomPolicyDetails != nil {
		// DescribeConfigRules does not return the policy text.
		src := *o.Source
		cp := *src.CustomPolicyDetails
		cp.PolicyText = nil
		src.CustomPolicyDetails = &cp
		o.Source = &src
	}
	if o.InputParameters == nil {
		// AWS reports a rule created without parameters with "{}".
		empty := "{}"
		o.InputParameters = &empty
	}
	if len(o.EvaluationModes) == 0 {
		d := "DETECTIVE"
		o.EvaluationModes = []cfgEvalMode{{Mode: &d}}
	}
	return o
}

var cfgLambdaARN = regexp.MustCompile(`^arn:aws[a-z-]*:lambda:[a-z0-9-]+:\d{12}:function:[A-Za-z0-9_-]+(:[A-Za-z0-9_$-]+)?$`)

// cfgCheckRule validates a rule definition (identifiers aside).
func cfgCheckRule(r *cfgRuleJSON) *apiError {
	if r.ConfigRuleState != nil {
		if e := cfgEnum(*r.ConfigRuleState, "configRule.configRuleState", "ACTIVE", "DELETING", "DELETING_RESULTS", "EVALUATING"); e != nil {
			return e
		}
		if *r.ConfigRuleState != "ACTIVE" {
			return newErr(400, "InvalidParameterValueException", "The ConfigRuleState %s is invalid. Only the following values are permitted: ACTIVE", *r.ConfigRuleState)
		}
	}
	if r.CreatedBy != nil {
		return newErr(400, "InvalidParameterValueException", "AWS Config populates the CreatedBy field for ServiceLinkedConfigRule. Try again without populating the CreatedBy field")
	}
	if r.Description != nil {
		if e := cfgMaxLen(*r.Description, "configRule.description", 256); e != nil {
			return e
		}
	}
	if s := r.Scope; s != nil {
		if s.TagValue != nil && (s.TagKey == nil || *s.TagKey == "") {
			return newErr(400, "InvalidParameterValueException", "Tag key should not be empty when tag value is provided in scope")
		}
		if s.TagKey != nil && (len(s.ComplianceResourceTypes) > 0 || s.ComplianceResourceId != nil) {
			return newErr(400, "InvalidParameterValueException", "Scope cannot be applied to both resource and tag")
		}
		if s.ComplianceResourceId != nil && len(s.ComplianceResourceTypes) != 1 {
			return newErr(400, "InvalidParameterValueException", "A single resourceType should be provided when resourceId is provided in scope")
		}
		if len(s.ComplianceResourceTypes) > 100 {
			return cfgValidation("["+strings.Join(s.ComplianceResourceTypes, ", ")+"]", "configRule.scope.complianceResourceTypes", "Member must have length less than or equal to 100")
		}
	}
	if r.MaximumExecutionFrequency != nil {
		if e := cfgEnum(*r.MaximumExecutionFrequency, "configRule.maximumExecutionFrequency", cfgFrequencies...); e != nil {
			return e
		}
	}
	src := r.Source
	if src == nil || src.Owner == nil {
		return cfgValidation("null", "configRule.source.owner", "Member must not be null")
	}
	if e := cfgEnum(*src.Owner, "configRule.source.owner", "CUSTOM_LAMBDA", "AWS", "CUSTOM_POLICY"); e != nil {
		return e
	}
	for _, d := range src.SourceDetails {
		if d.EventSource == nil || *d.EventSource != "aws.config" {
			v := "null"
			if d.EventSource != nil {
				v = *d.EventSource
			}
			return cfgEnum(v, "configRule.source.sourceDetails.member.eventSource", "aws.config")
		}
		if d.MessageType == nil {
			return cfgValidation("null", "configRule.source.sourceDetails.member.messageType", "Member must not be null")
		}
		if e := cfgEnum(*d.MessageType, "configRule.source.sourceDetails.member.messageType", "ConfigurationItemChangeNotification", "ConfigurationSnapshotDeliveryCompleted", "ScheduledNotification", "OversizedConfigurationItemChangeNotification"); e != nil {
			return e
		}
		if d.MaximumExecutionFrequency != nil {
			if e := cfgEnum(*d.MaximumExecutionFrequency, "configRule.source.sourceDetails.member.maximumExecutionFrequency", cfgFrequencies...); e != nil {
				return e
			}
			if *d.MessageType == "ConfigurationItemChangeNotification" || *d.MessageType == "OversizedConfigurationItemChangeNotification" {
				return newErr(400, "InvalidParameterValueException", "A maximum execution frequency is not allowed if MessageType is ConfigurationItemChangeNotification or OversizedConfigurationItemChangeNotification")
			}
		}
	}
	id := ""
	if src.SourceIdentifier != nil {
		id = *src.SourceIdentifier
	}
	switch *src.Owner {
	case "AWS":
		rule, ok := cfgManagedRules[id]
		if !ok {
			return cfgUnknownIdentifier(id)
		}
		if len(src.SourceDetails) > 0 {
			return newErr(400, "InvalidParameterValueException", "SourceDetails should be null/empty if the owner is AWS. SourceDetails should be provided if the owner is CUSTOM_LAMBDA")
		}
		if src.CustomPolicyDetails != nil {
			return newErr(400, "InvalidParameterValueException", "CustomPolicyDetails can be provided only when the owner is CUSTOM_POLICY")
		}
		return cfgCheckInputParameters(r.InputParameters, "configRule.inputParameters", &rule)
	case "CUSTOM_LAMBDA":
		if len(src.SourceDetails) == 0 {
			return newErr(400, "InvalidParameterValueException", "SourceDetails should be null/empty if the owner is AWS. SourceDetails should be provided if the owner is CUSTOM_LAMBDA")
		}
		if !cfgLambdaARN.MatchString(id) {
			return newErr(400, "InsufficientPermissionsException", "The AWS Lambda function %s cannot be invoked. Check the specified function ARN, and check the function's permissions", id)
		}
	case "CUSTOM_POLICY":
		cp := src.CustomPolicyDetails
		if cp == nil || cp.PolicyRuntime == nil || cp.PolicyText == nil || *cp.PolicyText == "" {
			return newErr(400, "InvalidParameterValueException", "CustomPolicyDetails with PolicyRuntime and PolicyText must be provided when the owner is CUSTOM_POLICY")
		}
		if !strings.HasPrefix(*cp.PolicyRuntime, "guard-2.") {
			return newErr(400, "InvalidParameterValueException", "The PolicyRuntime %s is not supported. Use guard-2.x.x.", *cp.PolicyRuntime)
		}
		if src.SourceIdentifier != nil {
			return newErr(400, "InvalidParameterValueException", "SourceIdentifier cannot be provided when the owner is CUSTOM_POLICY")
		}
		if len(src.SourceDetails) == 0 {
			return newErr(400, "InvalidParameterValueException", "SourceDetails must be provided when the owner is CUSTOM_POLICY")
		}
	}
	return cfgCheckInputParameters(r.InputParameters, "configRule.inputParameters", nil)
}

func cfgNoRule(name string) *apiError {
	return newErr(400, "NoSuchConfigRuleException", "The ConfigRule '%s' provided in the request is invalid. Please check the configRule name", name)
}

func cfgPutRule(c *call) (any, *apiError) {
	var in struct {
		ConfigRule *cfgRuleJSON
		Tags       []cfgTag
	}
	if e := c.decode(&in); e != nil {
		return nil, e
	}
	def := in.ConfigRule
	if def == nil {
		return nil, cfgValidation("null", "configRule", "Member must not be null")
	}
	st := cfgState(c)
	if st.recorder == nil {
		return nil, newErr(400, "NoAvailableConfigurationRecorderException", "There are no configuration recorders available to provide the role needed to describe your resources. Create a configuration recorder.")
	}
	var existing *cfgRule
	name := ""
	if def.ConfigRuleName != nil {
		name = *def.ConfigRuleName
		if name == "" || strings.TrimSpace(name) == "" {
			return nil, cfgValidation(name, "configRule.configRuleName", "Member must satisfy regular expression pattern: .*\\S.*")
		}
		if e := cfgMaxLen(name, "configRule.configRuleName", 128); e != nil {
			return nil, e
		}
		existing = st.rules[name]
	} else {
		for _, n := range st.ruleOrder {
			r := st.rules[n]
			if (def.ConfigRuleArn != nil && *def.ConfigRuleArn == r.arn) || (def.ConfigRuleId != nil && *def.ConfigRuleId == r.id) {
				existing = r
				break
			}
		}
		if existing == nil {
			return nil, newErr(400, "InvalidParameterValueException", "One or more identifiers needs to be provided. Provide Name or Id or Arn")
		}
		name = existing.name
	}
	if existing == nil && (def.ConfigRuleArn != nil || def.ConfigRuleId != nil) {
		return nil, newErr(400, "InvalidParameterValueException", "ConfigRule Arn and Id can not be specified when creating a new ConfigRule. ConfigRule Arn and Id are generated by the service. Please try the request again without specifying ConfigRule Arn or Id")
	}
	if existing != nil && ((def.ConfigRuleArn != nil && *def.ConfigRuleArn != existing.arn) || (def.ConfigRuleId != nil && *def.ConfigRuleId != existing.id)) {
		return nil, newErr(400, "InvalidParameterValueException", "The ConfigRule Arn or Id does not match the ConfigRule with name %s.", name)
	}
	if e := cfgCheckRule(def); e != nil {
		return nil, e
	}
	tags, e := cfgCheckTags(in.Tags, "tags")
	if e != nil {
		return nil, e
	}
	clean := *def
	clean.ConfigRuleName, clean.ConfigRuleArn, clean.ConfigRuleId, clean.ConfigRuleState = nil, nil, nil, nil
	if existing != nil {
		existing.def = clean
		for k, v := range tags {
			existing.tags[k] = v
		}
		return struct{}{}, nil
	}
	if len(st.rules) >= c.sim.limits.ConfigRulesPerRegion {
		return nil, newErr(400, "MaxNumberOfConfigRulesExceededException", "Failed to put config rule '%s' because the maximum number of config rules: %d is reached.", name, c.sim.limits.ConfigRulesPerRegion)
	}
	id := cfgNewRuleID(c, st, name)
	r := &cfgRule{name: name, id: id, arn: c.sim.arn("config", c.region, c.acct.ID, "config-rule/"+id), def: clean, tags: tags}
	st.rules[name] = r
	st.ruleOrder = append(st.ruleOrder, name)
	return struct{}{}, nil
}

const cfgRulesPageSize = 25

func cfgDescribeRules(c *call) (any, *apiError) {
	var in struct {
		ConfigRuleNames []string
		NextToken       *string
		Filters         *struct {
			EvaluationMode *string
		}
	}
	if e := c.decode(&in); e != nil {
		return nil, e
	}
	if len(in.ConfigRuleNames) > 25 {
		return nil, cfgValidation("["+strings.Join(in.ConfigRuleNames, ", ")+"]", "configRuleNames", "Member must have length less than or equal to 25")
	}
	st := cfgState(c)
	var rules []*cfgRule
	if len(in.ConfigRuleNames) > 0 {
		for _, n := range in.ConfigRuleNames {
			r := st.rules[n]
			if r == nil {
				return nil, cfgNoRule(n)
			}
			rules = append(rules, r)
		}
	} else {
		for _, n := range st.ruleOrder {
			rules = append(rules, st.rules[n])
		}
	}
	if in.Filters != nil && in.Filters.EvaluationMode != nil {
		if e := cfgEnum(*in.Filters.EvaluationMode, "filters.evaluationMode", "DETECTIVE", "PROACTIVE"); e != nil {
			return nil, e
		}
		var kept []*cfgRule
		for _, r := range rules {
			for _, m := range r.out().EvaluationModes {
				if m.Mode != nil && *m.Mode == *in.Filters.EvaluationMode {
					kept = append(kept, r)
					break
				}
			}
		}
		rules = kept
	}
	start, end, next, e := cfgPage("DescribeConfigRules", len(rules), in.NextToken, cfgRulesPageSize)
	if e != nil {
		return nil, e
	}
	out := struct {
		ConfigRules []cfgRuleJSON `json:"ConfigRules"`
		NextToken   string        `json:"NextToken,omitempty"`
	}{ConfigRules: []cfgRuleJSON{}, NextToken: next}
	for _, r := range rules[start:end] {
		out.ConfigRules = append(out.ConfigRules, r.out())
	}
	return out, nil
}

func cfgDeleteRule(c *call) (any, *apiError) {
	var in struct{ ConfigRuleName string }
	if e := c.decode(&in); e != nil {
		return nil, e
	}
	st := cfgState(c)
	if st.rules[in.ConfigRuleName] == nil {
		return nil, cfgNoRule(in.ConfigRuleName)
	}
	delete(st.rules, in.ConfigRuleName)
	for i, n := range st.ruleOrder {
		if n == in.ConfigRuleName {
			st.ruleOrder = append(st.ruleOrder[:i:i], st.ruleOrder[i+1:]...)
			break
		}
	}
	return struct{}{}, nil
}

// ---- organization access ----

// cfgCallerMay reports whether the caller's identity (and session)
// policies allow action; used for the calls Config makes on the caller's
// behalf (organizations:EnableAWSServiceAccess).
func cfgCallerMay(c *call, action string) bool {
	req := c.sim.authRequest(c, action, "*")
	if c.sim.identityDenial(c.caller, req) != "" {
		return false
	}
	if c.caller.sessionPolicies != nil && iampolicy.EvaluateSet(c.caller.sessionPolicies, req).Decision != iampolicy.Allow {
		return false
	}
	return true
}

// cfgOrgAccess checks that the caller may create organization-wide Config
// resources for servicePrincipal: the management account (which, as AWS
// does, enables trusted access for the principal when it is off) or a
// delegated administrator registered for it.
func cfgOrgAccess(c *call, servicePrincipal string) *apiError {
	s := c.sim
	if s.org == nil || !s.ctOrgMember(c.acct.ID) {
		return newErr(400, "NoAvailableOrganizationException", "Organization is no longer available. Make sure your account is part of an organization in AWS Organizations.")
	}
	mgmt := c.acct.ID == s.org.mgmtID
	if !mgmt && !s.delegatedAdminUsable(servicePrincipal, c.acct.ID) {
		return newErr(400, "OrganizationAccessDeniedException", "This action can only be performed if you are a registered delegated administrator for AWS Config with permissions to call ListDelegatedAdministrators API.")
	}
	if s.org.featureSet != "ALL" {
		return newErr(400, "OrganizationAllFeaturesNotEnabledException", "AWS Config resource cannot be created because your organization does not have all features enabled.")
	}
	if _, ok := s.org.serviceAccess[servicePrincipal]; !ok {
		if !mgmt || !cfgCallerMay(c, "organizations:EnableAWSServiceAccess") {
			return newErr(400, "OrganizationAccessDeniedException", "No permission to call EnableAWSServiceAccess API for %s: trusted access is not enabled for it in your organization.", servicePrincipal)
		}
		s.org.serviceAccess[servicePrincipal] = c.now
	}
	return nil
}

// ---- aggregators ----

type cfgAccountSource struct {
	AccountIds    []string `json:"AccountIds"`
	AllAwsRegions *bool    `json:"AllAwsRegions,omitempty"`
	AwsRegions    []string `json:"AwsRegions,omitempty"`
}

type cfgOrgSource struct {
	RoleArn       *string  `json:"RoleArn,omitempty"`
	AwsRegions    []string `json:"AwsRegions,omitempty"`
	AllAwsRegions *bool    `json:"AllAwsRegions,omitempty"`
}

type cfgAggregatorJSON struct {
	ConfigurationAggregatorName   string             `json:"ConfigurationAggregatorName"`
	ConfigurationAggregatorArn    string             `json:"ConfigurationAggregatorArn"`
	AccountAggregationSources     []cfgAccountSource `json:"AccountAggregationSources,omitempty"`
	OrganizationAggregationSource *cfgOrgSource      `json:"OrganizationAggregationSource,omitempty"`
	CreationTime                  *epochTime         `json:"CreationTime,omitempty"`
	LastUpdatedTime               *epochTime         `json:"LastUpdatedTime,omitempty"`
}

type cfgAggregator struct {
	name, arn        string
	accounts         []cfgAccountSource
	org              *cfgOrgSource
	created, updated time.Time
	tags             map[string]string
}

func (a *cfgAggregator) out() cfgAggregatorJSON {
	return cfgAggregatorJSON{
		ConfigurationAggregatorName: a.name, ConfigurationAggregatorArn: a.arn,
		AccountAggregationSources: a.accounts, OrganizationAggregationSource: a.org,
		CreationTime: epoch(a.created), LastUpdatedTime: epoch(a.updated),
	}
}

var (
	cfgAggNamePattern = regexp.MustCompile(`^[\w\-]{1,256}$`)
)

func cfgCheckRegions(regions []string, all *bool) *apiError {
	allRegions := all != nil && *all
	if len(regions) > 0 && allRegions {
		return newErr(400, "InvalidParameterValueException", "Your configuration aggregator contains a list of regions and also specifies the use of all regions. You must choose one of these options.")
	}
	if len(regions) == 0 && !allRegions {
		return newErr(400, "InvalidParameterValueException", "Your request does not specify any regions. Select AWS Config-supported regions and try again.")
	}
	return nil
}

// cfgCheckAggregatorRole checks what an organization aggregator needs
// before it is made, in this order: iam:PassRole for its role (a customer
// role handed to Config: IAM user guide, "Grant a user permissions to pass
// a role to an AWS service"), the caller's right to aggregate the
// organization (cfgOrgAccess: the management account, or a delegated
// administrator for config.amazonaws.com once its registration has
// propagated), and a role of the caller's account that Config can assume:
// it exists, trusts config.amazonaws.com and has propagated, else
// InvalidRoleException (one of PutConfigurationAggregator's errors,
// botocore config service-2.json; that AWS answers it for a role still
// propagating is the stricter reading of IAM's eventual consistency, which
// AWS does not document per service).
func cfgCheckAggregatorRole(c *call, roleARN string) *apiError {
	if m := cfgRoleARNPattern.FindStringSubmatch(roleARN); m == nil || !strings.HasPrefix(roleARN, c.sim.arnPrefix()) {
		return newErr(400, "InvalidRoleException", "The role ARN %s is not valid. Provide the ARN of an IAM role in account %s.", roleARN, c.acct.ID)
	}
	if e := c.sim.authorizePassRole(c, roleARN, "config.amazonaws.com"); e != nil {
		return e
	}
	if e := cfgOrgAccess(c, "config.amazonaws.com"); e != nil {
		return e
	}
	role := cfgRoleOf(c, roleARN)
	if role == nil || role.propagating || !c.sim.cfgTrusts(role, roleARN, c.acct.ID) {
		return newErr(400, "InvalidRoleException", "The role %s does not exist in account %s or AWS Config cannot assume it.", roleARN, c.acct.ID)
	}
	return nil
}

func cfgPutAggregator(c *call) (any, *apiError) {
	var in struct {
		ConfigurationAggregatorName   string
		AccountAggregationSources     []cfgAccountSource
		OrganizationAggregationSource *cfgOrgSource
		Tags                          []cfgTag
	}
	if e := c.decode(&in); e != nil {
		return nil, e
	}
	if !cfgAggNamePattern.MatchString(in.ConfigurationAggregatorName) {
		if e := cfgMaxLen(in.ConfigurationAggregatorName, "configurationAggregatorName", 256); e != nil {
			return nil, e
		}
		return nil, cfgValidation(in.ConfigurationAggregatorName, "configurationAggregatorName", "Member must satisfy regular expression pattern: [\\w\\-]+")
	}
	tags, e := cfgCheckTags(in.Tags, "tags")
	if e != nil {
		return nil, e
	}
	hasAcct, hasOrg := len(in.AccountAggregationSources) > 0, in.OrganizationAggregationSource != nil
	switch {
	case hasAcct && hasOrg:
		return nil, newErr(400, "InvalidParameterValueException", "The configuration aggregator cannot be created because your request contains both the AccountAggregationSource and the OrganizationAggregationSource. Include only one aggregation source and try again.")
	case !hasAcct && !hasOrg:
		return nil, newErr(400, "InvalidParameterValueException", "The configuration aggregator cannot be created because your request is missing either the AccountAggregationSource or the OrganizationAggregationSource. Include the appropriate aggregation source and try again.")
	}
	if hasAcct {
		if len(in.AccountAggregationSources) > 1 {
			return nil, newErr(400, "ValidationException", "1 validation error detected: Value at 'accountAggregationSources' failed to satisfy constraint: Member must have length less than or equal to 1")
		}
		src := in.AccountAggregationSources[0]
		if len(src.AccountIds) == 0 {
			return nil, cfgValidation("[]", "accountAggregationSources.1.member.accountIds", "Member must have length greater than or equal to 1")
		}
		for _, id := range src.AccountIds {
			if !isAccountID(id) {
				return nil, cfgValidation(id, "accountAggregationSources.1.member.accountIds.member", "Member must satisfy regular expression pattern: \\d{12}")
			}
		}
		if e := cfgCheckRegions(src.AwsRegions, src.AllAwsRegions); e != nil {
			return nil, e
		}
	}
	if hasOrg {
		src := in.OrganizationAggregationSource
		if src.RoleArn == nil || *src.RoleArn == "" {
			return nil, cfgValidation("null", "organizationAggregationSource.roleArn", "Member must not be null")
		}
		if e := cfgCheckRegions(src.AwsRegions, src.AllAwsRegions); e != nil {
			return nil, e
		}
		if e := cfgCheckAggregatorRole(c, *src.RoleArn); e != nil {
			return nil, e
		}
	}
	st := cfgState(c)
	a := st.aggregators[in.ConfigurationAggregatorName]
	if a == nil {
		if len(st.aggregators) >= 50 {
			return nil, newErr(400, "LimitExceededException", "Failed to put configuration aggregator '%s' because the maximum number of configuration aggregators: 50 is reached.", in.ConfigurationAggregatorName)
		}
		a = &cfgAggregator{
			name: in.ConfigurationAggregatorName, created: c.now, tags: tags,
			arn: c.sim.arn("config", c.region, c.acct.ID, "config-aggregator/"+cfgNewAggregatorID(c, st, in.ConfigurationAggregatorName)),
		}
		st.aggregators[a.name] = a
		st.aggOrder = append(st.aggOrder, a.name)
	}
	a.accounts, a.org, a.updated = nil, nil, c.now
	if hasAcct {
		a.accounts = in.AccountAggregationSources
	} else {
		org := *in.OrganizationAggregationSource
		if org.AllAwsRegions == nil {
			f := false
			org.AllAwsRegions = &f
		}
		a.org = &org
	}
	return struct {
		ConfigurationAggregator cfgAggregatorJSON `json:"ConfigurationAggregator"`
	}{a.out()}, nil
}

func cfgLimit(limit *int, max int) (int, *apiError) {
	if limit == nil || *limit == 0 {
		return max, nil
	}
	if *limit < 0 || *limit > max {
		return 0, newErr(400, "InvalidLimitException", "Value '%d' at 'limit' failed to satisfy constraint: Member must have value less than or equal to %d", *limit, max)
	}
	return *limit, nil
}

func cfgDescribeAggregators(c *call) (any, *apiError) {
	var in struct {
		ConfigurationAggregatorNames []string
		NextToken                    *string
		Limit                        *int
	}
	if e := c.decode(&in); e != nil {
		return nil, e
	}
	limit, e := cfgLimit(in.Limit, 100)
	if e != nil {
		return nil, e
	}
	st := cfgState(c)
	var list []*cfgAggregator
	if len(in.ConfigurationAggregatorNames) > 0 {
		for _, n := range in.ConfigurationAggregatorNames {
			a := st.aggregators[n]
			if a == nil {
				return nil, newErr(400, "NoSuchConfigurationAggregatorException", "The configuration aggregator does not exist. Check the configuration aggregator name and try again.")
			}
			list = append(list, a)
		}
	} else {
		for _, n := range st.aggOrder {
			list = append(list, st.aggregators[n])
		}
	}
	start, end, next, e := cfgPage("DescribeConfigurationAggregators", len(list), in.NextToken, limit)
	if e != nil {
		return nil, e
	}
	out := struct {
		ConfigurationAggregators []cfgAggregatorJSON `json:"ConfigurationAggregators"`
		NextToken                string              `json:"NextToken,omitempty"`
	}{ConfigurationAggregators: []cfgAggregatorJSON{}, NextToken: next}
	for _, a := range list[start:end] {
		out.ConfigurationAggregators = append(out.ConfigurationAggregators, a.out())
	}
	return out, nil
}

func cfgDeleteAggregator(c *call) (any, *apiError) {
	var in struct{ ConfigurationAggregatorName string }
	if e := c.decode(&in); e != nil {
		return nil, e
	}
	st := cfgState(c)
	if st.aggregators[in.ConfigurationAggregatorName] == nil {
		return nil, newErr(400, "NoSuchConfigurationAggregatorException", "The configuration aggregator does not exist. Check the configuration aggregator name and try again.")
	}
	delete(st.aggregators, in.ConfigurationAggregatorName)
	for i, n := range st.aggOrder {
		if n == in.ConfigurationAggregatorName {
			st.aggOrder = append(st.aggOrder[:i:i], st.aggOrder[i+1:]...)
			break
		}
	}
	return struct{}{}, nil
}

// ---- organization config rules ----

type cfgOrgManagedMeta struct {
	Description               *string  `json:"Description,omitempty"`
	RuleIdentifier            *string  `json:"RuleIdentifier,omitempty"`
	InputParameters           *string  `json:"InputParameters,omitempty"`
	MaximumExecutionFrequency *string  `json:"MaximumExecutionFrequency,omitempty"`
	ResourceTypesScope        []string `json:"ResourceTypesScope,omitempty"`
	ResourceIdScope           *string  `json:"ResourceIdScope,omitempty"`
	TagKeyScope               *string  `json:"TagKeyScope,omitempty"`
	TagValueScope             *string  `json:"TagValueScope,omitempty"`
}

type cfgOrgCustomMeta struct {
	Description                        *string  `json:"Description,omitempty"`
	LambdaFunctionArn                  *string  `json:"LambdaFunctionArn,omitempty"`
	OrganizationConfigRuleTriggerTypes []string `json:"OrganizationConfigRuleTriggerTypes,omitempty"`
	InputParameters                    *string  `json:"InputParameters,omitempty"`
	MaximumExecutionFrequency          *string  `json:"MaximumExecutionFrequency,omitempty"`
	ResourceTypesScope                 []string `json:"ResourceTypesScope,omitempty"`
	ResourceIdScope                    *string  `json:"ResourceIdScope,omitempty"`
	TagKeyScope                        *string  `json:"TagKeyScope,omitempty"`
	TagValueScope                      *string  `json:"TagValueScope,omitempty"`
}

type cfgOrgPolicyMeta struct {
	Description                        *string  `json:"Description,omitempty"`
	OrganizationConfigRuleTriggerTypes []string `json:"OrganizationConfigRuleTriggerTypes,omitempty"`
	InputParameters                    *string  `json:"InputParameters,omitempty"`
	MaximumExecutionFrequency          *string  `json:"MaximumExecutionFrequency,omitempty"`
	ResourceTypesScope                 []string `json:"ResourceTypesScope,omitempty"`
	ResourceIdScope                    *string  `json:"ResourceIdScope,omitempty"`
	TagKeyScope                        *string  `json:"TagKeyScope,omitempty"`
	TagValueScope                      *string  `json:"TagValueScope,omitempty"`
	PolicyRuntime                      *string  `json:"PolicyRuntime,omitempty"`
	PolicyText                         *string  `json:"PolicyText,omitempty"`
	DebugLogDeliveryAccounts           []string `json:"DebugLogDeliveryAccounts,omitempty"`
}

type cfgOrgRuleJSON struct {
	OrganizationConfigRuleName           string             `json:"OrganizationConfigRuleName"`
	OrganizationConfigRuleArn            string             `json:"OrganizationConfigRuleArn"`
	OrganizationManagedRuleMetadata      *cfgOrgManagedMeta `json:"OrganizationManagedRuleMetadata,omitempty"`
	OrganizationCustomRuleMetadata       *cfgOrgCustomMeta  `json:"OrganizationCustomRuleMetadata,omitempty"`
	OrganizationCustomPolicyRuleMetadata *cfgOrgPolicyMeta  `json:"OrganizationCustomPolicyRuleMetadata,omitempty"`
	ExcludedAccounts                     []string           `json:"ExcludedAccounts,omitempty"`
	LastUpdateTime                       *epochTime         `json:"LastUpdateTime,omitempty"`
}

type cfgOrgRule struct {
	name, arn string
	managed   *cfgOrgManagedMeta
	custom    *cfgOrgCustomMeta
	policy    *cfgOrgPolicyMeta
	excluded  []string
	updated   time.Time
	tags      map[string]string
}

func (r *cfgOrgRule) out() cfgOrgRuleJSON {
	o := cfgOrgRuleJSON{
		OrganizationConfigRuleName: r.name, OrganizationConfigRuleArn: r.arn,
		OrganizationManagedRuleMetadata: r.managed, OrganizationCustomRuleMetadata: r.custom,
		ExcludedAccounts: r.excluded, LastUpdateTime: epoch(r.updated),
	}
	if r.policy != nil {
		p := *r.policy
		p.PolicyText = nil // the NoPolicy shape: DescribeOrganizationConfigRules omits the text
		o.OrganizationCustomPolicyRuleMetadata = &p
	}
	return o
}

var cfgOrgRuleNamePattern = regexp.MustCompile(`^[A-Za-z0-9-_]{1,64}$`)

// cfgOrgRuleStore is where the caller's organization config rules of the
// region live: its own state. AWS keeps them apart per deploying account:
// "DescribeOrganizationConfigRules ... can only see and interact with the
// organization-related resources that were deployed from within the account
// calling those APIs" (management account and delegated administrators do
// not see each other's).
func cfgOrgRuleStore(c *call) *configState { return cfgState(c) }

// cfgOrgRuleCount counts the organization config rules of the region across
// the organization (the quota is per organization).
func cfgOrgRuleCount(c *call) int {
	n := 0
	for _, a := range c.sim.accounts {
		if r := a.regions[c.region]; r != nil && r.config != nil {
			n += len(r.config.orgRules)
		}
	}
	return n
}

// cfgOrgReadAccess checks a caller may read or delete organization rules.
func cfgOrgReadAccess(c *call) *apiError {
	s := c.sim
	if s.org == nil || !s.ctOrgMember(c.acct.ID) {
		return newErr(400, "NoAvailableOrganizationException", "Organization is no longer available. Make sure your account is part of an organization in AWS Organizations.")
	}
	if c.acct.ID != s.org.mgmtID && !s.delegatedAdminUsable("config-multiaccountsetup.amazonaws.com", c.acct.ID) {
		return newErr(400, "OrganizationAccessDeniedException", "This action can only be performed if you are a registered delegated administrator for AWS Config with permissions to call ListDelegatedAdministrators API.")
	}
	return nil
}

func cfgCheckScope(desc *string, types []string, resourceID, tagKey, tagValue *string) *apiError {
	if desc != nil {
		if e := cfgMaxLen(*desc, "organizationConfigRuleMetadata.description", 256); e != nil {
			return e
		}
	}
	if len(types) > 100 {
		return cfgValidation("["+strings.Join(types, ", ")+"]", "organizationConfigRuleMetadata.resourceTypesScope", "Member must have length less than or equal to 100")
	}
	if resourceID != nil {
		if e := cfgMaxLen(*resourceID, "organizationConfigRuleMetadata.resourceIdScope", 768); e != nil {
			return e
		}
	}
	if tagKey != nil {
		if e := cfgMaxLen(*tagKey, "organizationConfigRuleMetadata.tagKeyScope", 128); e != nil {
			return e
		}
	}
	if tagValue != nil {
		if tagKey == nil {
			return newErr(400, "InvalidParameterValueException", "Tag key should not be empty when tag value is provided in scope")
		}
		if e := cfgMaxLen(*tagValue, "organizationConfigRuleMetadata.tagValueScope", 256); e != nil {
			return e
		}
	}
	return nil
}

func cfgCheckTriggers(triggers []string) *apiError {
	for _, t := range triggers {
		if e := cfgEnum(t, "organizationConfigRuleMetadata.organizationConfigRuleTriggerTypes.member", "ConfigurationItemChangeNotification", "OversizedConfigurationItemChangeNotification", "ScheduledNotification"); e != nil {
			return e
		}
	}
	return nil
}

func cfgPutOrgRule(c *call) (any, *apiError) {
	var in struct {
		OrganizationConfigRuleName           string
		OrganizationManagedRuleMetadata      *cfgOrgManagedMeta
		OrganizationCustomRuleMetadata       *cfgOrgCustomMeta
		OrganizationCustomPolicyRuleMetadata *cfgOrgPolicyMeta
		ExcludedAccounts                     []string
		Tags                                 []cfgTag
	}
	if e := c.decode(&in); e != nil {
		return nil, e
	}
	if !cfgOrgRuleNamePattern.MatchString(in.OrganizationConfigRuleName) {
		return nil, cfgValidation(in.OrganizationConfigRuleName, "organizationConfigRuleName", "Member must satisfy regular expression pattern: [A-Za-z0-9-_]+ and have length between 1 and 64")
	}
	kinds := 0
	for _, set := range []bool{in.OrganizationManagedRuleMetadata != nil, in.OrganizationCustomRuleMetadata != nil, in.OrganizationCustomPolicyRuleMetadata != nil} {
		if set {
			kinds++
		}
	}
	if kinds != 1 {
		return nil, newErr(400, "InvalidParameterValueException", "Provide exactly one of OrganizationManagedRuleMetadata, OrganizationCustomRuleMetadata or OrganizationCustomPolicyRuleMetadata.")
	}
	if len(in.ExcludedAccounts) > 1000 {
		return nil, newErr(400, "ValidationException", "1 validation error detected: Value at 'excludedAccounts' failed to satisfy constraint: Member must have length less than or equal to 1000")
	}
	for _, a := range in.ExcludedAccounts {
		if !isAccountID(a) {
			return nil, cfgValidation(a, "excludedAccounts.member", "Member must satisfy regular expression pattern: \\d{12}")
		}
	}
	if m := in.OrganizationManagedRuleMetadata; m != nil {
		id := ""
		if m.RuleIdentifier != nil {
			id = *m.RuleIdentifier
		}
		rule, ok := cfgManagedRules[id]
		if !ok {
			return nil, newErr(400, "InvalidParameterValueException", "The ruleIdentifier %s is invalid. Please refer to the documentation for a list of valid ruleIdentifiers that can be used when AWS is the Owner.", id)
		}
		if e := cfgCheckInputParameters(m.InputParameters, "organizationManagedRuleMetadata.inputParameters", &rule); e != nil {
			return nil, e
		}
		if m.MaximumExecutionFrequency != nil {
			if e := cfgEnum(*m.MaximumExecutionFrequency, "organizationManagedRuleMetadata.maximumExecutionFrequency", cfgFrequencies...); e != nil {
				return nil, e
			}
		}
		if e := cfgCheckScope(m.Description, m.ResourceTypesScope, m.ResourceIdScope, m.TagKeyScope, m.TagValueScope); e != nil {
			return nil, e
		}
	}
	if m := in.OrganizationCustomRuleMetadata; m != nil {
		if m.LambdaFunctionArn == nil || !cfgLambdaARN.MatchString(*m.LambdaFunctionArn) {
			return nil, newErr(400, "InvalidParameterValueException", "The LambdaFunctionArn is not valid.")
		}
		if len(m.OrganizationConfigRuleTriggerTypes) == 0 {
			return nil, cfgValidation("[]", "organizationCustomRuleMetadata.organizationConfigRuleTriggerTypes", "Member must not be null")
		}
		if e := cfgCheckTriggers(m.OrganizationConfigRuleTriggerTypes); e != nil {
			return nil, e
		}
		if e := cfgCheckInputParameters(m.InputParameters, "organizationCustomRuleMetadata.inputParameters", nil); e != nil {
			return nil, e
		}
		if m.MaximumExecutionFrequency != nil {
			if e := cfgEnum(*m.MaximumExecutionFrequency, "organizationCustomRuleMetadata.maximumExecutionFrequency", cfgFrequencies...); e != nil {
				return nil, e
			}
		}
		if e := cfgCheckScope(m.Description, m.ResourceTypesScope, m.ResourceIdScope, m.TagKeyScope, m.TagValueScope); e != nil {
			return nil, e
		}
	}
	if m := in.OrganizationCustomPolicyRuleMetadata; m != nil {
		if m.PolicyRuntime == nil || m.PolicyText == nil || *m.PolicyText == "" {
			return nil, newErr(400, "InvalidParameterValueException", "PolicyRuntime and PolicyText must be provided for an organization custom policy rule.")
		}
		if e := cfgCheckTriggers(m.OrganizationConfigRuleTriggerTypes); e != nil {
			return nil, e
		}
		if e := cfgCheckInputParameters(m.InputParameters, "organizationCustomPolicyRuleMetadata.inputParameters", nil); e != nil {
			return nil, e
		}
		if e := cfgCheckScope(m.Description, m.ResourceTypesScope, m.ResourceIdScope, m.TagKeyScope, m.TagValueScope); e != nil {
			return nil, e
		}
	}
	tags, e := cfgCheckTags(in.Tags, "tags")
	if e != nil {
		return nil, e
	}
	if e := cfgOrgAccess(c, "config-multiaccountsetup.amazonaws.com"); e != nil {
		return nil, e
	}
	st := cfgOrgRuleStore(c)
	r := st.orgRules[in.OrganizationConfigRuleName]
	if r == nil {
		if cfgOrgRuleCount(c) >= 150 {
			return nil, newErr(400, "MaxNumberOfOrganizationConfigRulesExceededException", "Failed to put organization config rule '%s' because the maximum number of organization config rules: 150 is reached.", in.OrganizationConfigRuleName)
		}
		r = &cfgOrgRule{
			name: in.OrganizationConfigRuleName, tags: tags,
			arn: c.sim.arn("config", c.region, c.acct.ID, "organization-config-rule/"+in.OrganizationConfigRuleName+"-"+c.sim.lowerID(8)),
		}
		st.orgRules[r.name] = r
		st.orgRuleOrder = append(st.orgRuleOrder, r.name)
	} else {
		// A rule keeps its kind: a managed rule cannot become custom.
		if (r.managed != nil) != (in.OrganizationManagedRuleMetadata != nil) || (r.custom != nil) != (in.OrganizationCustomRuleMetadata != nil) {
			return nil, newErr(400, "ResourceInUseException", "The organization config rule %s exists with another rule type; delete it first.", r.name)
		}
	}
	r.managed, r.custom, r.policy = in.OrganizationManagedRuleMetadata, in.OrganizationCustomRuleMetadata, in.OrganizationCustomPolicyRuleMetadata
	r.excluded, r.updated = in.ExcludedAccounts, c.now
	return struct {
		OrganizationConfigRuleArn string `json:"OrganizationConfigRuleArn"`
	}{r.arn}, nil
}

func cfgNoOrgRule(name string) *apiError {
	return newErr(400, "NoSuchOrganizationConfigRuleException", "The OrganizationConfigRule '%s' provided in the request is invalid. Please check the OrganizationConfigRule name.", name)
}

func cfgDescribeOrgRules(c *call) (any, *apiError) {
	var in struct {
		OrganizationConfigRuleNames []string
		Limit                       *int
		NextToken                   *string
	}
	if e := c.decode(&in); e != nil {
		return nil, e
	}
	limit, e := cfgLimit(in.Limit, 100)
	if e != nil {
		return nil, e
	}
	if e := cfgOrgReadAccess(c); e != nil {
		return nil, e
	}
	st := cfgOrgRuleStore(c)
	var list []*cfgOrgRule
	if len(in.OrganizationConfigRuleNames) > 0 {
		for _, n := range in.OrganizationConfigRuleNames {
			r := st.orgRules[n]
			if r == nil {
				return nil, cfgNoOrgRule(n)
			}
			list = append(list, r)
		}
	} else {
		for _, n := range st.orgRuleOrder {
			list = append(list, st.orgRules[n])
		}
	}
	start, end, next, e := cfgPage("DescribeOrganizationConfigRules", len(list), in.NextToken, limit)
	if e != nil {
		return nil, e
	}
	out := struct {
		OrganizationConfigRules []cfgOrgRuleJSON `json:"OrganizationConfigRules"`
		NextToken               string           `json:"NextToken,omitempty"`
	}{OrganizationConfigRules: []cfgOrgRuleJSON{}, NextToken: next}
	for _, r := range list[start:end] {
		out.OrganizationConfigRules = append(out.OrganizationConfigRules, r.out())
	}
	return out, nil
}

func cfgDeleteOrgRule(c *call) (any, *apiError) {
	var in struct{ OrganizationConfigRuleName string }
	if e := c.decode(&in); e != nil {
		return nil, e
	}
	if e := cfgOrgReadAccess(c); e != nil {
		return nil, e
	}
	st := cfgOrgRuleStore(c)
	if st.orgRules[in.OrganizationConfigRuleName] == nil {
		return nil, cfgNoOrgRule(in.OrganizationConfigRuleName)
	}
	delete(st.orgRules, in.OrganizationConfigRuleName)
	for i, n := range st.orgRuleOrder {
		if n == in.OrganizationConfigRuleName {
			st.orgRuleOrder = append(st.orgRuleOrder[:i:i], st.orgRuleOrder[i+1:]...)
			break
		}
	}
	return struct{}{}, nil
}

// ---- tags ----

// cfgTagsResourceARN is the ResourceArn of a tagging call ("*" when it
// cannot be read).
func cfgTagsResourceARN(c *call) string {
	var in struct{ ResourceArn string }
	if c.decode(&in) != nil || in.ResourceArn == "" {
		return "*"
	}
	return in.ResourceArn
}

// cfgTagsOf finds the tags of the caller's resource arn in the call's
// region: a rule, the recorder, an aggregator or an organization rule.
func cfgTagsOf(c *call, arn string) (map[string]string, bool) {
	st := cfgState(c)
	for _, r := range st.rules {
		if r.arn == arn {
			return r.tags, true
		}
	}
	if st.recorder != nil && st.recorder.arn == arn {
		return st.recorder.tags, true
	}
	for _, a := range st.aggregators {
		if a.arn == arn {
			return a.tags, true
		}
	}
	for _, r := range st.orgRules {
		if r.arn == arn {
			return r.tags, true
		}
	}
	return nil, false
}

// cfgListTags is ListTagsForResource{ResourceArn, Limit (0-50), NextToken}
// -> {Tags, NextToken}, tags sorted by key.
func cfgListTags(c *call) (any, *apiError) {
	var in struct {
		ResourceArn string
		Limit       *int
		NextToken   *string
	}
	if e := c.decode(&in); e != nil {
		return nil, e
	}
	if len(in.ResourceArn) < 1 || len(in.ResourceArn) > 256 {
		return nil, cfgValidation(in.ResourceArn, "resourceArn", "Member must have length between 1 and 256")
	}
	limit, e := cfgLimit(in.Limit, 50)
	if e != nil {
		return nil, e
	}
	tags, ok := cfgTagsOf(c, in.ResourceArn)
	if !ok {
		return nil, newErr(400, "ResourceNotFoundException", "You have specified a resource that does not exist.")
	}
	keys := make([]string, 0, len(tags))
	for k := range tags {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	start, end, next, e := cfgPage("ListTagsForResource", len(keys), in.NextToken, limit)
	if e != nil {
		return nil, e
	}
	out := struct {
		Tags      []cfgTag `json:"Tags"`
		NextToken string   `json:"NextToken,omitempty"`
	}{Tags: []cfgTag{}, NextToken: next}
	for _, k := range keys[start:end] {
		out.Tags = append(out.Tags, cfgTag{Key: k, Value: tags[k]})
	}
	return out, nil
}

// cfgPage returns one page of total items from a request's NextToken, as
// every paginated Config operation answers: a token orgsim did not issue
// is InvalidNextTokenException.
func cfgPage(opName string, total int, token *string, limit int) (start, end int, next string, e *apiError) {
	t := ""
	if token != nil {
		t = *token
	}
	start, end, next, ok := page(opName, total, t, limit)
	if !ok {
		return 0, 0, "", newErr(400, "InvalidNextTokenException", "The nextToken provided is invalid")
	}
	return start, end, next, nil
}
