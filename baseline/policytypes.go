package baseline

// PolicyType is one AWS Organizations policy type as the baseline declares
// it: the key under controls, AWS's name for the type, and the defaults
// of its settings. One table serves validation, the schema and the
// controls (baseline/controls/policykinds.go adds what it does in AWS).
type PolicyType struct {
	// Key is the control's key under controls, e.g. resourceControlPolicies.
	Key string
	// Type is the Organizations policy type, e.g. RESOURCE_CONTROL_POLICY.
	Type string
	// Short names one policy in messages: "SCP", "RCP", "tag policy".
	Short string
	// One is Short with its article: "an SCP", "a tag policy".
	One string
	// Plural names the type in messages: "resource control policies".
	Plural string
	// MaxSize and MaxPerTarget are the defaults of maxPolicySize and
	// maxPoliciesPerTarget: AWS's quotas for the type ("Quotas for AWS
	// Organizations", Organizations user guide). They are settings
	// because AWS raises them (the SCP quotas rose in May 2026) and an
	// organization may have its own.
	MaxSize, MaxPerTarget int
	// AWSDefault is the AWS managed policy AWS attaches to the root and to
	// every OU and account when the type is enabled, and requires at least
	// one policy of the type on each ("" for the management policy types,
	// which have none).
	AWSDefault string
	// Authorization types (SCPs, RCPs) are IAM policy documents the
	// lockout guards evaluate; the others are management policies, JSON
	// with the inheritance operators @@assign, @@append and @@remove.
	Authorization bool
	// Effective: DescribeEffectivePolicy answers for the type (the
	// management policy types; not SCPs or RCPs).
	Effective bool
}

// The names of the AWS managed default policies.
const (
	FullAWSAccessName    = "FullAWSAccess"
	RCPFullAWSAccessName = "RCPFullAWSAccess"
)

// PolicyTypes are every policy type a baseline can declare, in the order
// the controls run. Sizes and per-target limits are AWS's defaults from
// "Quotas for AWS Organizations" (Organizations user guide); SCPs carry the
// May 2026 quotas (DefaultSCPMaxPolicySize), RCPs 5,120 characters and 5
// per target. Where the quotas page gives no figure for a management
// type (S3's size and per-target limit, Inspector's and Bedrock's
// per-target limit), the default is the strictest AWS documents for any
// management type (internal/mgmtpolicy's table, which a test keeps this
// one equal to), so that a baseline that passes here is not refused by
// AWS for its size or count; an organization with a higher quota raises
// the setting.
var PolicyTypes = []PolicyType{
	{Key: "serviceControlPolicies", Type: "SERVICE_CONTROL_POLICY", Short: "SCP", One: "an SCP", Plural: "service control policies",
		MaxSize: DefaultSCPMaxPolicySize, MaxPerTarget: DefaultSCPMaxPoliciesPerTarget, AWSDefault: FullAWSAccessName, Authorization: true},
	{Key: "resourceControlPolicies", Type: "RESOURCE_CONTROL_POLICY", Short: "RCP", One: "an RCP", Plural: "resource control policies",
		MaxSize: 5120, MaxPerTarget: 5, AWSDefault: RCPFullAWSAccessName, Authorization: true},
	{Key: "declarativePolicies", Type: "DECLARATIVE_POLICY_EC2", Short: "declarative policy", One: "a declarative policy", Plural: "declarative policies for EC2",
		MaxSize: 10000, MaxPerTarget: 10, Effective: true},
	{Key: "tagPolicies", Type: "TAG_POLICY", Short: "tag policy", One: "a tag policy", Plural: "tag policies",
		MaxSize: 10000, MaxPerTarget: 10, Effective: true},
	{Key: "backupPolicies", Type: "BACKUP_POLICY", Short: "backup policy", One: "a backup policy", Plural: "backup policies",
		MaxSize: 10000, MaxPerTarget: 10, Effective: true},
	{Key: "aiOptOutPolicies", Type: "AISERVICES_OPT_OUT_POLICY", Short: "AI services opt-out policy", One: "an AI services opt-out policy", Plural: "AI services opt-out policies",
		MaxSize: 2500, MaxPerTarget: 5, Effective: true},
	{Key: "s3Policies", Type: "S3_POLICY", Short: "S3 policy", One: "an S3 policy", Plural: "S3 policies",
		MaxSize: 2500, MaxPerTarget: 5, Effective: true},
	{Key: "securityHubPolicies", Type: "SECURITYHUB_POLICY", Short: "Security Hub policy", One: "a Security Hub policy", Plural: "Security Hub policies",
		MaxSize: 10000, MaxPerTarget: 10, Effective: true},
	{Key: "inspectorPolicies", Type: "INSPECTOR_POLICY", Short: "Inspector policy", One: "an Inspector policy", Plural: "Inspector policies",
		MaxSize: 10000, MaxPerTarget: 5, Effective: true},
	{Key: "bedrockPolicies", Type: "BEDROCK_POLICY", Short: "Bedrock policy", One: "a Bedrock policy", Plural: "Bedrock policies",
		MaxSize: 10000, MaxPerTarget: 5, Effective: true},
}

// PolicyTypeByKey returns the policy type of a controls key, or nil.
func PolicyTypeByKey(key string) *PolicyType {
	for i := range PolicyTypes {
		if PolicyTypes[i].Key == key {
			return &PolicyTypes[i]
		}
	}
	return nil
}
