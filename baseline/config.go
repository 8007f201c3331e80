package baseline

import (
	"encoding/json"
	"fmt"
	"math"
	"regexp"
	"sort"
	"strconv"
	"strings"
)

// Config is controls.config: AWS Config in every targeted account and
// governed region (recorder, delivery channel to a central bucket, the
// recorder started, AWS managed rules) and, optionally, an organization
// aggregator. CIS AWS Foundations 3.0 item 3.3.
type Config struct {
	// Enabled (default true) lets a later file switch the control off.
	Enabled *bool `yaml:"enabled"`
	// Bucket is the central bucket every delivery channel writes to.
	Bucket ConfigBucket `yaml:"bucket"`
	// DeliveryFrequency of configuration snapshots: One_Hour, Three_Hours,
	// Six_Hours, Twelve_Hours or TwentyFour_Hours (default).
	DeliveryFrequency string `yaml:"deliveryFrequency"`
	// RecordingFrequency of the recorder: CONTINUOUS (default) or DAILY.
	RecordingFrequency string `yaml:"recordingFrequency"`
	// Rules are AWS managed Config rules, deployed in every targeted
	// account and governed region; those that evaluate IAM, a global
	// service, in the home region only (see IAMRulesInEveryRegion).
	Rules []ConfigRule `yaml:"rules"`
	// IAMRulesInEveryRegion deploys the rules that evaluate IAM (users,
	// roles, groups, policies, the root user, the password policy) in
	// every governed region, as orgbaseline did before; by default
	// (false) they are deployed in the home region only. IAM is global:
	// the same rule evaluates the same IAM resources in every region, and
	// AWS Config charges per evaluation; its change-triggered IAM rules
	// see IAM resources only where the recorder records global resource
	// types, which orgbaseline sets in the home region alone.
	IAMRulesInEveryRegion bool `yaml:"iamRulesInEveryRegion"`
	// Aggregator is an optional organization aggregator.
	Aggregator *ConfigAggregator `yaml:"aggregator"`
}

// ConfigBucket is the central S3 bucket of Config deliveries.
type ConfigBucket struct {
	// Name; default "orgbaseline-config-<account id>-<home region>".
	Name string `yaml:"name"`
	// Account is the organization.accounts alias of the account that owns
	// the bucket; default "logArchive".
	Account string `yaml:"account"`
	// KeyPrefix under which Config writes (AWSLogs/... goes below it).
	KeyPrefix string `yaml:"keyPrefix"`
	// KMSKeyARN, when set, is the KMS key Config encrypts deliveries with
	// and the bucket's default encryption key (SSE-KMS); otherwise the
	// bucket uses SSE-S3.
	KMSKeyARN string `yaml:"kmsKeyArn"`
}

// ConfigRule is one AWS managed Config rule.
type ConfigRule struct {
	// Name of the rule; default: the identifier lowercased, "_" as "-".
	Name string `yaml:"name"`
	// Identifier is the managed rule's SourceIdentifier, e.g.
	// IAM_PASSWORD_POLICY.
	Identifier string `yaml:"identifier"`
	// Parameters of the rule by name; scalar values, sent to AWS as the
	// strings AWS expects (see RenderConfigParameter).
	Parameters map[string]any `yaml:"parameters"`
	// MaximumExecutionFrequency of a periodic rule; unset: AWS's default.
	MaximumExecutionFrequency string `yaml:"maximumExecutionFrequency"`
}

// ConfigAggregator is an organization-wide Config aggregator.
type ConfigAggregator struct {
	// Enabled (default true when the aggregator key is present).
	Enabled *bool `yaml:"enabled"`
	// Name; default "orgbaseline-organization".
	Name string `yaml:"name"`
	// Account is the organization.accounts alias of the account that holds
	// the aggregator (registered as Config's delegated administrator);
	// default "audit".
	Account string `yaml:"account"`
}

// Defaults of controls.config.
const (
	DefaultConfigBucketAccount     = "logArchive"
	DefaultConfigAggregatorAccount = "audit"
	DefaultConfigAggregatorName    = "orgbaseline-organization"
	DefaultConfigDeliveryFrequency = "TwentyFour_Hours"
	DefaultConfigRecordingFreq     = "CONTINUOUS"
)

// ConfigFrequencies are the values of Config's MaximumExecutionFrequency
// (delivery frequency and rule frequency alike).
var ConfigFrequencies = []string{"One_Hour", "Three_Hours", "Six_Hours", "Twelve_Hours", "TwentyFour_Hours"}

// ConfigRecordingFrequencies are the recorder's recording frequencies.
var ConfigRecordingFrequencies = []string{"CONTINUOUS", "DAILY"}

// IsEnabled reports whether the control is declared and not switched off.
func (c *Config) IsEnabled() bool { return c != nil && (c.Enabled == nil || *c.Enabled) }

// IsEnabled reports whether the aggregator is declared and not switched off.
func (a *ConfigAggregator) IsEnabled() bool { return a != nil && (a.Enabled == nil || *a.Enabled) }

// ConfigSettings is controls.config with every default filled in and the
// rules' parameters rendered as AWS expects them.
type ConfigSettings struct {
	BucketName         string // "" means derived from the bucket account at run time
	BucketAccount      string // alias
	KeyPrefix          string
	KMSKeyARN          string
	DeliveryFrequency  string
	RecordingFrequency string
	Rules              []ConfigRuleSettings // sorted by name
	// IAMRulesInEveryRegion: controls.config.iamRulesInEveryRegion.
	IAMRulesInEveryRegion bool
	// Aggregator is nil when no aggregator is declared (or it is off).
	Aggregator *ConfigAggregatorSettings
}

// ConfigRuleSettings is one resolved managed rule.
type ConfigRuleSettings struct {
	Name       string
	Identifier string
	// Parameters as InputParameters holds them: name -> string value.
	Parameters                map[string]string
	MaximumExecutionFrequency string // "" for AWS's default
	// HomeRegionOnly: the rule evaluates IAM and is deployed in the home
	// region only (controls.config.iamRulesInEveryRegion is false).
	HomeRegionOnly bool
}

// ConfigAggregatorSettings is the resolved aggregator.
type ConfigAggregatorSettings struct {
	Name    string
	Account string // alias
}

// DefaultConfigRuleName is the name a rule gets when none is given: the
// identifier lowercased with dashes (IAM_PASSWORD_POLICY ->
// iam-password-policy).
func DefaultConfigRuleName(identifier string) string {
	return strings.ReplaceAll(strings.ToLower(identifier), "_", "-")
}

// RenderConfigParameter turns a parameter value of baseline.yaml into the
// string AWS Config expects in InputParameters (a JSON object whose values
// are all strings): strings as written, booleans as lowercase "true" and
// "false", numbers in decimal. It reports false for a value that is not a
// scalar.
func RenderConfigParameter(v any) (string, bool) {
	switch x := v.(type) {
	case string:
		return x, true
	case bool:
		return strconv.FormatBool(x), true
	case int:
		return strconv.Itoa(x), true
	case int64:
		return strconv.FormatInt(x, 10), true
	case uint64:
		return strconv.FormatUint(x, 10), true
	case float64:
		if math.IsInf(x, 0) || math.IsNaN(x) {
			return "", false
		}
		return strconv.FormatFloat(x, 'f', -1, 64), true
	}
	return "", false
}

// Resolved returns the settings with defaults filled in. Call it on a
// validated baseline: values that did not validate are rendered as best
// they can be.
func (c *Config) Resolved() ConfigSettings {
	s := ConfigSettings{
		BucketAccount:      DefaultConfigBucketAccount,
		DeliveryFrequency:  DefaultConfigDeliveryFrequency,
		RecordingFrequency: DefaultConfigRecordingFreq,
	}
	if c == nil {
		return s
	}
	s.BucketName, s.KeyPrefix, s.KMSKeyARN = c.Bucket.Name, c.Bucket.KeyPrefix, c.Bucket.KMSKeyARN
	if c.Bucket.Account != "" {
		s.BucketAccount = c.Bucket.Account
	}
	if c.DeliveryFrequency != "" {
		s.DeliveryFrequency = c.DeliveryFrequency
	}
	if c.RecordingFrequency != "" {
		s.RecordingFrequency = c.RecordingFrequency
	}
	s.IAMRulesInEveryRegion = c.IAMRulesInEveryRegion
	for _, r := range c.Rules {
		rs := ConfigRuleSettings{Name: r.Name, Identifier: r.Identifier, Parameters: map[string]string{},
			MaximumExecutionFrequency: r.MaximumExecutionFrequency,
			HomeRegionOnly:            ConfigRuleEvaluatesIAM(r.Identifier) && !c.IAMRulesInEveryRegion}
		if rs.Name == "" {
			rs.Name = DefaultConfigRuleName(r.Identifier)
		}
		for k, v := range r.Parameters {
			str, _ := RenderConfigParameter(v)
			rs.Parameters[k] = str
		}
		s.Rules = append(s.Rules, rs)
	}
	sort.SliceStable(s.Rules, func(i, j int) bool { return s.Rules[i].Name < s.Rules[j].Name })
	if a := c.Aggregator; a.IsEnabled() {
		s.Aggregator = &ConfigAggregatorSettings{Name: a.Name, Account: a.Account}
		if s.Aggregator.Name == "" {
			s.Aggregator.Name = DefaultConfigAggregatorName
		}
		if s.Aggregator.Account == "" {
			s.Aggregator.Account = DefaultConfigAggregatorAccount
		}
	}
	return s
}

// InputParameters renders the rule's parameters as the InputParameters
// string: a JSON object of string values with sorted keys, or "" when the
// rule has none.
func (r ConfigRuleSettings) InputParameters() string {
	if len(r.Parameters) == 0 {
		return ""
	}
	b, _ := json.Marshal(r.Parameters) // map keys are sorted
	return string(b)
}

// ConfigManagedRule describes an AWS managed rule as orgbaseline knows it.
type ConfigManagedRule struct {
	// Periodic rules accept MaximumExecutionFrequency.
	Periodic bool
	// Parameters by name; true when required.
	Parameters map[string]bool
}

// configManagedRules are the AWS managed rules orgbaseline accepts, with
// their parameters (awsdocs/aws-config-developer-guide managed rule pages;
// the same table orgsim validates against). A required parameter must be
// given even when the documentation shows a default: AWS does not apply it.
var configManagedRules = map[string]ConfigManagedRule{
	"ACCESS_KEYS_ROTATED":                            {true, cfgReq("maxAccessKeyAge")},
	"ACCOUNT_PART_OF_ORGANIZATIONS":                  {true, cfgOpt("MasterAccountId")},
	"CLOUD_TRAIL_CLOUD_WATCH_LOGS_ENABLED":           {true, cfgOpt("expectedDeliveryWindowAge")},
	"CLOUD_TRAIL_ENABLED":                            {true, cfgOpt("s3BucketName", "snsTopicArn", "cloudWatchLogsLogGroupArn")},
	"CLOUD_TRAIL_ENCRYPTION_ENABLED":                 {true, nil},
	"CLOUD_TRAIL_LOG_FILE_VALIDATION_ENABLED":        {true, nil},
	"CLOUDTRAIL_S3_DATAEVENTS_ENABLED":               {true, cfgOpt("S3BucketNames")},
	"CLOUDTRAIL_SECURITY_TRAIL_ENABLED":              {true, nil},
	"CMK_BACKING_KEY_ROTATION_ENABLED":               {true, nil},
	"EBS_SNAPSHOT_PUBLIC_RESTORABLE_CHECK":           {true, nil},
	"EC2_EBS_ENCRYPTION_BY_DEFAULT":                  {true, nil},
	"EC2_INSTANCE_NO_PUBLIC_IP":                      {false, nil},
	"ENCRYPTED_VOLUMES":                              {false, cfgOpt("kmsId")},
	"GUARDDUTY_ENABLED_CENTRALIZED":                  {true, cfgOpt("CentralMonitoringAccount")},
	"IAM_CUSTOMER_POLICY_BLOCKED_KMS_ACTIONS":        {false, cfgMerge(cfgReq("blockedActionsPatterns"), cfgOpt("excludePermissionBoundaryPolicy"))},
	"IAM_GROUP_HAS_USERS_CHECK":                      {false, nil},
	"IAM_INLINE_POLICY_BLOCKED_KMS_ACTIONS":          {false, cfgMerge(cfgReq("blockedActionsPatterns"), cfgOpt("excludeRoleByManagementAccount"))},
	"IAM_NO_INLINE_POLICY_CHECK":                     {false, nil},
	"IAM_PASSWORD_POLICY":                            {true, cfgOpt("RequireUppercaseCharacters", "RequireLowercaseCharacters", "RequireSymbols", "RequireNumbers", "MinimumPasswordLength", "PasswordReusePrevention", "MaxPasswordAge")},
	"IAM_POLICY_IN_USE":                              {true, cfgMerge(cfgReq("policyARN"), cfgOpt("policyUsageType"))},
	"IAM_POLICY_NO_STATEMENTS_WITH_ADMIN_ACCESS":     {false, cfgOpt("excludePermissionBoundaryPolicy")},
	"IAM_POLICY_NO_STATEMENTS_WITH_FULL_ACCESS":      {false, cfgOpt("excludePermissionBoundaryPolicy")},
	"IAM_ROLE_MANAGED_POLICY_CHECK":                  {false, cfgReq("managedPolicyArns")},
	"IAM_ROOT_ACCESS_KEY_CHECK":                      {true, nil},
	"IAM_USER_GROUP_MEMBERSHIP_CHECK":                {false, cfgOpt("groupNames")},
	"IAM_USER_MFA_ENABLED":                           {true, nil},
	"IAM_USER_NO_POLICIES_CHECK":                     {false, nil},
	"IAM_USER_UNUSED_CREDENTIALS_CHECK":              {true, cfgReq("maxCredentialUsageAge")},
	"INCOMING_SSH_DISABLED":                          {false, nil},
	"INTERNET_GATEWAY_AUTHORIZED_VPC_ONLY":           {false, cfgOpt("AuthorizedVpcIds")},
	"MFA_ENABLED_FOR_IAM_CONSOLE_ACCESS":             {true, nil},
	"MULTI_REGION_CLOUD_TRAIL_ENABLED":               {true, cfgOpt("s3BucketName", "snsTopicArn", "cloudWatchLogsLogGroupArn", "includeManagementEvents", "readWriteType")},
	"RDS_STORAGE_ENCRYPTED":                          {false, cfgOpt("kmsKeyId")},
	"RESTRICTED_INCOMING_TRAFFIC":                    {false, cfgOpt("blockedPort1", "blockedPort2", "blockedPort3", "blockedPort4", "blockedPort5")},
	"ROOT_ACCOUNT_HARDWARE_MFA_ENABLED":              {true, nil},
	"ROOT_ACCOUNT_MFA_ENABLED":                       {true, nil},
	"S3_ACCOUNT_LEVEL_PUBLIC_ACCESS_BLOCKS":          {false, cfgOpt("IgnorePublicAcls", "BlockPublicPolicy", "BlockPublicAcls", "RestrictPublicBuckets")},
	"S3_ACCOUNT_LEVEL_PUBLIC_ACCESS_BLOCKS_PERIODIC": {true, cfgOpt("IgnorePublicAcls", "BlockPublicPolicy", "BlockPublicAcls", "RestrictPublicBuckets")},
	"S3_BUCKET_LOGGING_ENABLED":                      {false, cfgOpt("targetBucket", "targetPrefix")},
	"S3_BUCKET_PUBLIC_READ_PROHIBITED":               {true, nil},
	"S3_BUCKET_PUBLIC_WRITE_PROHIBITED":              {true, nil},
	"S3_BUCKET_SERVER_SIDE_ENCRYPTION_ENABLED":       {false, nil},
	"S3_BUCKET_SSL_REQUESTS_ONLY":                    {false, nil},
	"S3_BUCKET_VERSIONING_ENABLED":                   {false, cfgOpt("isMfaDeleteEnabled")},
	"SECURITYHUB_ENABLED":                            {true, nil},
	"VPC_DEFAULT_SECURITY_GROUP_CLOSED":              {false, nil},
	"VPC_FLOW_LOGS_ENABLED":                          {true, cfgOpt("trafficType")},
}

// configIAMRules are the managed rules orgbaseline knows that evaluate
// IAM, a global service: their resource types are AWS::IAM::User, Group,
// Role or Policy, or the account's IAM settings (the password policy, the
// root user) (the rules' pages in the AWS Config developer guide). The
// Config developer guide ("Recording AWS Resources", global resources)
// says the configuration of a global resource is the same in every
// region and advises recording global resource types in one region only;
// "AWS Config rules can be used to evaluate compliance for only those
// resources that AWS Config records". A periodic IAM rule in every region
// evaluates the same account-wide state once per region, each evaluation
// charged (AWS Config pricing: per rule evaluation). AWS Control Tower
// (landing zone 3.0 and later) likewise records global resources in the
// home region only (Control Tower user guide, "Manage AWS Config costs").
var configIAMRules = map[string]bool{
	"ACCESS_KEYS_ROTATED":                        true,
	"IAM_CUSTOMER_POLICY_BLOCKED_KMS_ACTIONS":    true,
	"IAM_GROUP_HAS_USERS_CHECK":                  true,
	"IAM_INLINE_POLICY_BLOCKED_KMS_ACTIONS":      true,
	"IAM_NO_INLINE_POLICY_CHECK":                 true,
	"IAM_PASSWORD_POLICY":                        true,
	"IAM_POLICY_IN_USE":                          true,
	"IAM_POLICY_NO_STATEMENTS_WITH_ADMIN_ACCESS": true,
	"IAM_POLICY_NO_STATEMENTS_WITH_FULL_ACCESS":  true,
	"IAM_ROLE_MANAGED_POLICY_CHECK":              true,
	"IAM_ROOT_ACCESS_KEY_CHECK":                  true,
	"IAM_USER_GROUP_MEMBERSHIP_CHECK":            true,
	"IAM_USER_MFA_ENABLED":                       true,
	"IAM_USER_NO_POLICIES_CHECK":                 true,
	"IAM_USER_UNUSED_CREDENTIALS_CHECK":          true,
	"MFA_ENABLED_FOR_IAM_CONSOLE_ACCESS":         true,
	"ROOT_ACCOUNT_HARDWARE_MFA_ENABLED":          true,
	"ROOT_ACCOUNT_MFA_ENABLED":                   true,
}

// ConfigRuleEvaluatesIAM reports whether a managed rule evaluates IAM, a
// global service (deployed in the home region only unless
// controls.config.iamRulesInEveryRegion says otherwise).
func ConfigRuleEvaluatesIAM(identifier string) bool { return configIAMRules[identifier] }

func cfgReq(names ...string) map[string]bool { return cfgParams(true, names) }
func cfgOpt(names ...string) map[string]bool { return cfgParams(false, names) }

func cfgParams(required bool, names []string) map[string]bool {
	m := map[string]bool{}
	for _, n := range names {
		m[n] = required
	}
	return m
}

func cfgMerge(a, b map[string]bool) map[string]bool {
	for k, v := range b {
		a[k] = v
	}
	return a
}

// LookupConfigManagedRule returns what orgbaseline knows of a managed
// rule identifier.
func LookupConfigManagedRule(identifier string) (ConfigManagedRule, bool) {
	r, ok := configManagedRules[identifier]
	return r, ok
}

// ConfigManagedRuleIdentifiers lists the identifiers orgbaseline accepts,
// sorted.
func ConfigManagedRuleIdentifiers() []string {
	ids := make([]string, 0, len(configManagedRules))
	for id := range configManagedRules {
		ids = append(ids, id)
	}
	sort.Strings(ids)
	return ids
}

// Limits of AWS Config checked offline.
const (
	maxConfigRuleName        = 128
	maxConfigInputParameters = 1024
	maxConfigKeyPrefix       = 1024
)

var (
	configKMSKeyARNRe    = regexp.MustCompile(`^arn:aws[a-z-]*:kms:[a-z0-9-]+:\d{12}:key/.+$`)
	configAggregatorRe   = regexp.MustCompile(`^[\w-]{1,256}$`)
	configBucketNameRe   = regexp.MustCompile(`^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$`)
	configIdentifierLike = regexp.MustCompile(`^[A-Z0-9_]+$`)
)

func (c *Config) validate(v *validation, path string) {
	enum := func(p, value string, allowed []string) {
		if v.has(p) && !configContains(allowed, value) {
			v.errorf(p, "%s %s is not valid; use one of %s", p, quote(value), strings.Join(allowed, ", "))
		}
	}
	enum(path+".deliveryFrequency", c.DeliveryFrequency, ConfigFrequencies)
	enum(path+".recordingFrequency", c.RecordingFrequency, ConfigRecordingFrequencies)
	c.Bucket.validate(v, path+".bucket")
	c.validateRules(v, path+".rules")
	if a := c.Aggregator; a != nil {
		ap := path + ".aggregator"
		if v.has(ap+".name") && !configAggregatorRe.MatchString(a.Name) {
			v.errorf(ap+".name", "%s.name %s is not a valid aggregator name; use 1-256 letters, digits, _ or - (or remove it for %s)", ap, quote(a.Name), DefaultConfigAggregatorName)
		}
		if v.has(ap+".account") && !accountAliasRe.MatchString(a.Account) {
			v.errorf(ap+".account", "%s.account %s is not an account alias; name an alias of organization.accounts (default %s)", ap, quote(a.Account), DefaultConfigAggregatorAccount)
		}
	}
}

func (b *ConfigBucket) validate(v *validation, path string) {
	if v.has(path+".name") && !validConfigBucketName(b.Name) {
		v.errorf(path+".name", "%s %s is not a valid S3 bucket name; use 3-63 lowercase letters, digits, dots and hyphens, starting and ending with a letter or digit (or remove it for orgbaseline-config-<account id>-<home region>)", path+".name", quote(b.Name))
	}
	if v.has(path+".account") && !accountAliasRe.MatchString(b.Account) {
		v.errorf(path+".account", "%s.account %s is not an account alias; name an alias of organization.accounts (default %s)", path, quote(b.Account), DefaultConfigBucketAccount)
	}
	if p := path + ".keyPrefix"; v.has(p) {
		switch k := b.KeyPrefix; {
		case k == "":
			v.errorf(p, "%s is empty; remove it to deliver under AWSLogs/ at the top of the bucket", p)
		case strings.Contains(k, "AWSLogs"):
			v.errorf(p, "%s %s contains AWSLogs, which AWS Config adds itself; remove that part", p, quote(k))
		case strings.HasPrefix(k, "/") || strings.HasSuffix(k, "/"):
			v.errorf(p, "%s %s starts or ends with a slash; remove it (write config, not /config/)", p, quote(k))
		case len(k) > maxConfigKeyPrefix:
			v.errorf(p, "%s is %d characters long; AWS Config accepts at most %d", p, len(k), maxConfigKeyPrefix)
		}
	}
	if p := path + ".kmsKeyArn"; v.has(p) && !configKMSKeyARNRe.MatchString(b.KMSKeyARN) {
		v.errorf(p, "%s %s is not a KMS key ARN; write arn:aws:kms:<region>:<account>:key/<key id>, or remove it for SSE-S3", p, quote(b.KMSKeyARN))
	}
}

func validConfigBucketName(n string) bool {
	if !configBucketNameRe.MatchString(n) || strings.Contains(n, "..") {
		return false
	}
	// Not formatted as an IP address.
	parts := strings.Split(n, ".")
	if len(parts) == 4 {
		ip := true
		for _, p := range parts {
			if _, err := strconv.Atoi(p); err != nil {
				ip = false
			}
		}
		if ip {
			return false
		}
	}
	return true
}

func (c *Config) validateRules(v *validation, path string) {
	names := map[string]string{} // name -> path of the rule that has it
	for i, r := range c.Rules {
		rp := fmt.Sprintf("%s[%d]", path, i)
		if v.bad(rp) || v.bad(rp+".identifier") || v.bad(rp+".name") {
			continue
		}
		var known ConfigManagedRule
		switch id := r.Identifier; {
		case id == "":
			v.errorf(rp, "%s has no identifier; set identifier to an AWS managed rule identifier such as IAM_PASSWORD_POLICY", rp)
			continue
		case !configIdentifierLike.MatchString(id):
			v.errorf(rp+".identifier", "%s.identifier %s is not an AWS managed rule identifier; they are written in capitals with underscores, e.g. IAM_PASSWORD_POLICY", rp, quote(id))
			continue
		default:
			var ok bool
			if known, ok = configManagedRules[id]; !ok {
				msg := fmt.Sprintf("%s.identifier %s is not an AWS managed rule orgbaseline knows", rp, id)
				if s := closestMatch(id, ConfigManagedRuleIdentifiers()); s != "" {
					msg += fmt.Sprintf("; did you mean %s?", s)
				} else {
					msg += "; use one of: " + strings.Join(ConfigManagedRuleIdentifiers(), ", ")
				}
				v.errorf(rp+".identifier", "%s", msg)
				continue
			}
		}
		name := r.Name
		if !v.has(rp + ".name") {
			name = DefaultConfigRuleName(r.Identifier)
		}
		switch {
		case strings.TrimSpace(name) == "":
			v.errorf(rp+".name", "%s.name is blank; give the rule a name, or remove the key for %s", rp, DefaultConfigRuleName(r.Identifier))
		case len(name) > maxConfigRuleName:
			v.errorf(rp+".name", "%s.name is %d characters long; a Config rule name has at most %d", rp, len(name), maxConfigRuleName)
		default:
			if first, dup := names[name]; dup {
				v.errorf(rp, "%s: rule name %s is used twice (first by %s); give one of them another name", rp, quote(name), first)
			} else {
				names[name] = rp
			}
		}
		if f := rp + ".maximumExecutionFrequency"; v.has(f) {
			switch {
			case !configContains(ConfigFrequencies, r.MaximumExecutionFrequency):
				v.errorf(f, "%s %s is not valid; use one of %s", f, quote(r.MaximumExecutionFrequency), strings.Join(ConfigFrequencies, ", "))
			case !known.Periodic:
				v.errorf(f, "%s: %s is evaluated when resources change, not periodically, so it takes no maximumExecutionFrequency; remove it", f, r.Identifier)
			}
		}
		c.validateParameters(v, rp, r, known)
	}
}

func (c *Config) validateParameters(v *validation, rp string, r ConfigRule, known ConfigManagedRule) {
	pp := rp + ".parameters"
	if v.bad(pp) {
		return
	}
	keys := make([]string, 0, len(r.Parameters))
	for k := range r.Parameters {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	var allowed []string
	for k := range known.Parameters {
		allowed = append(allowed, k)
	}
	sort.Strings(allowed)
	rendered := map[string]string{}
	for _, k := range keys {
		p := pp + "." + k
		if _, ok := known.Parameters[k]; !ok {
			msg := fmt.Sprintf("%s: %s has no parameter %s", p, r.Identifier, quote(k))
			switch {
			case len(allowed) == 0:
				msg += "; it takes no parameters, remove them"
			case closestMatch(k, allowed) != "":
				msg += fmt.Sprintf("; did you mean %s? (parameters: %s; names are case-sensitive)", quote(closestMatch(k, allowed)), strings.Join(allowed, ", "))
			default:
				msg += "; use one of: " + strings.Join(allowed, ", ")
			}
			v.keyErrorf(p, "%s", msg)
			continue
		}
		s, ok := RenderConfigParameter(r.Parameters[k])
		switch {
		case r.Parameters[k] == nil:
			v.keyErrorf(p, "%s has no value; give one, or remove the parameter", p)
		case !ok:
			v.errorf(p, "%s must be a single value (text, number or true/false), not a list or mapping; write a list as the comma-separated text AWS expects", p)
		case strings.TrimSpace(s) == "":
			v.errorf(p, "%s is blank; AWS Config rejects blank parameter values: give a value or remove the parameter", p)
		default:
			rendered[k] = s
		}
	}
	var missing []string
	for _, k := range allowed {
		if _, ok := r.Parameters[k]; known.Parameters[k] && !ok {
			missing = append(missing, k)
		}
	}
	if len(missing) > 0 {
		v.errorf(rp, "%s: %s requires the parameter(s) %s; add them under parameters (AWS applies no default for a required parameter)", rp, r.Identifier, strings.Join(missing, ", "))
	}
	if len(rendered) > 0 {
		b, _ := json.Marshal(rendered)
		if len(b) > maxConfigInputParameters {
			v.errorf(pp, "%s renders to %d characters of InputParameters; AWS Config accepts at most %d", pp, len(b), maxConfigInputParameters)
		}
	}
}

func configContains(xs []string, x string) bool {
	for _, s := range xs {
		if s == x {
			return true
		}
	}
	return false
}
