package mgmtpolicy

// TypeInfo describes one management policy type.
type TypeInfo struct {
	// Type is the Organizations PolicyType enum value, e.g. TAG_POLICY.
	Type string
	// TopLevelKey is the one key a document of this type starts with.
	TopLevelKey string
	// MaxSize is the largest document AWS accepts, in characters
	// (whitespace included when saved through the API).
	MaxSize int
	// MaxPerTarget is the default number of policies of this type that can
	// be attached directly to one root, OU or account.
	MaxPerTarget int
	// EffectivePolicy reports whether DescribeEffectivePolicy supports the
	// type.
	EffectivePolicy bool
	// Documented is false where AWS's pages found give no figure for
	// MaxSize or MaxPerTarget; the figure is then the strictest one AWS
	// documents for any management policy type (2,500 characters, 5 per
	// target), so that a baseline valid here is not refused by AWS for size.
	Documented bool
}

// types lists the management policy types.
//
// Top-level keys: "tags" (Tag policy syntax), "plans" (Backup policy
// syntax: "A backup policy must always start with this fixed key name"),
// "services" (AI services opt-out policy syntax), "ec2_attributes"
// (Declarative policy syntax: "Declarative policies always start with a
// fixed key name for the given AWS service"), "s3_attributes" (Amazon S3
// policy syntax), "securityhub" (Security Hub policy syntax), "inspector"
// (Amazon Inspector policy syntax), "bedrock" (Amazon Bedrock policy
// syntax).
//
// Sizes: "Quotas for AWS Organizations", maximum size of a policy
// document: tag and backup 10,000, AI services opt-out 2,500, declarative
// 10,000, Security Hub 10,000; Inspector and Bedrock 10,000 from the
// CloudFormation AWS::Organizations::Policy Content property, which lists
// the same quotas. The quotas page found lists no size for S3 policies.
//
// Per target: "Quotas for AWS Organizations", number of policies that you
// can attach to an entity: declarative, backup, tag and Security Hub 10,
// AI services opt-out 5. The page found lists no figure for S3, Inspector
// or Bedrock policies.
//
// DescribeEffectivePolicy: every type here is a value of the API's
// EffectivePolicyType enum (Organizations API reference,
// DescribeEffectivePolicy, PolicyType).
var types = []TypeInfo{
	{Type: "TAG_POLICY", TopLevelKey: "tags", MaxSize: 10000, MaxPerTarget: 10, EffectivePolicy: true, Documented: true},
	{Type: "BACKUP_POLICY", TopLevelKey: "plans", MaxSize: 10000, MaxPerTarget: 10, EffectivePolicy: true, Documented: true},
	{Type: "AISERVICES_OPT_OUT_POLICY", TopLevelKey: "services", MaxSize: 2500, MaxPerTarget: 5, EffectivePolicy: true, Documented: true},
	{Type: "DECLARATIVE_POLICY_EC2", TopLevelKey: "ec2_attributes", MaxSize: 10000, MaxPerTarget: 10, EffectivePolicy: true, Documented: true},
	{Type: "S3_POLICY", TopLevelKey: "s3_attributes", MaxSize: 2500, MaxPerTarget: 5, EffectivePolicy: true, Documented: false},
	{Type: "SECURITYHUB_POLICY", TopLevelKey: "securityhub", MaxSize: 10000, MaxPerTarget: 10, EffectivePolicy: true, Documented: true},
	{Type: "INSPECTOR_POLICY", TopLevelKey: "inspector", MaxSize: 10000, MaxPerTarget: 5, EffectivePolicy: true, Documented: false},
	{Type: "BEDROCK_POLICY", TopLevelKey: "bedrock", MaxSize: 10000, MaxPerTarget: 5, EffectivePolicy: true, Documented: false},
}

// Types returns the eight management policy types, in a fixed order.
func Types() []TypeInfo {
	return append([]TypeInfo(nil), types...)
}

// TypeOf returns the information of a management policy type by its
// PolicyType name; ok is false for any other name (SCPs and RCPs included).
func TypeOf(policyType string) (TypeInfo, bool) {
	for _, t := range types {
		if t.Type == policyType {
			return t, true
		}
	}
	return TypeInfo{}, false
}

// typeNames lists the type names, for error messages.
func typeNames() []string {
	out := make([]string, len(types))
	for i, t := range types {
		out[i] = t.Type
	}
	return out
}
