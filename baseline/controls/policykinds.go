package controls

import (
	"github.com/orgbaseline/orgbaseline/baseline"
	"github.com/orgbaseline/orgbaseline/internal/iampolicy"
)

// policyKind is one Organizations policy type as the policy control works
// it: baseline.PolicyType (names, default limits, AWS managed default)
// and what differs in AWS between types.
type policyKind struct {
	*baseline.PolicyType
	// Prefix starts the resource of every change: "scp/NAME",
	// "rcp/NAME/target/root".
	Prefix string
	// DefaultID and DefaultContent are the AWS managed default's id and
	// document, used to predict the state after the type is enabled,
	// when the policy has not been read.
	DefaultID, DefaultContent string
	// parse checks a document against the type's grammar; it returns the
	// compiled policy for the authorization types (nil for the others).
	parse func(content string) (*iampolicy.Policy, error)
	// parseAWS checks an AWS managed policy of the type (its default
	// among them), whose grammar may be wider: RCPFullAWSAccess is the
	// only RCP with Effect Allow and Action "*".
	parseAWS func(content string) (*iampolicy.Policy, error)
	// normalize returns the canonical form of a document, to compare
	// the declared and the observed.
	normalize func(content string) ([]byte, error)
}

// isSCP reports the SERVICE_CONTROL_POLICY kind: the one the SCP lockout
// guard, replaceFullAWSAccess and the apply lease are about.
func (k *policyKind) isSCP() bool { return k.Type == "SERVICE_CONTROL_POLICY" }

// isRCP reports the RESOURCE_CONTROL_POLICY kind, which the RCP lockout
// guard is about.
func (k *policyKind) isRCP() bool { return k.Type == "RESOURCE_CONTROL_POLICY" }

// resource is the resource of a change to the policy named name.
func (k *policyKind) resource(name string) string { return k.Prefix + "/" + name }

// attachResource is the resource of a change to name's attachment to the
// target labelled label.
func (k *policyKind) attachResource(name, label string) string {
	return k.Prefix + "/" + name + "/target/" + label
}

// The AWS managed defaults' documents, as AWS gives them ("Resource control
// policies", "Service control policies", Organizations user guide).
const (
	fullAWSAccessContent    = `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"*","Resource":"*"}]}`
	rcpFullAWSAccessContent = `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":"*","Action":"*","Resource":"*"}]}`
)

// policyKindPrefixes are the change resources' prefixes, per type.
var policyKindPrefixes = map[string]string{
	"SERVICE_CONTROL_POLICY":    "scp",
	"RESOURCE_CONTROL_POLICY":   "rcp",
	"DECLARATIVE_POLICY_EC2":    "declarative-policy",
	"TAG_POLICY":                "tag-policy",
	"BACKUP_POLICY":             "backup-policy",
	"AISERVICES_OPT_OUT_POLICY": "ai-opt-out-policy",
	"S3_POLICY":                 "s3-policy",
	"SECURITYHUB_POLICY":        "securityhub-policy",
	"INSPECTOR_POLICY":          "inspector-policy",
	"BEDROCK_POLICY":            "bedrock-policy",
}

// kindOf builds the policy kind of a baseline policy type.
func kindOf(pt *baseline.PolicyType) *policyKind {
	k := &policyKind{PolicyType: pt, Prefix: policyKindPrefixes[pt.Type]}
	switch pt.Type {
	case "SERVICE_CONTROL_POLICY":
		k.DefaultID, k.DefaultContent = "p-FullAWSAccess", fullAWSAccessContent
		k.parse = func(s string) (*iampolicy.Policy, error) { return iampolicy.Parse([]byte(s), iampolicy.KindSCP) }
	case "RESOURCE_CONTROL_POLICY":
		k.DefaultID, k.DefaultContent = "p-RCPFullAWSAccess", rcpFullAWSAccessContent
		k.parse = parseRCP
		k.parseAWS = func(s string) (*iampolicy.Policy, error) { return iampolicy.Parse([]byte(s), iampolicy.KindRCPManaged) }
	default:
		k.parse = parseManagementPolicy(pt.Type)
	}
	if k.parseAWS == nil {
		k.parseAWS = k.parse
	}
	if pt.Authorization {
		k.normalize = func(s string) ([]byte, error) { return iampolicy.Normalize([]byte(s)) }
	} else {
		k.normalize = normalizeManagementPolicy
	}
	return k
}
