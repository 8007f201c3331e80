package baseline

import (
	"fmt"
	"path/filepath"
)

// ServiceControlPolicies is controls.serviceControlPolicies: the service
// control policies (SCPs) orgbaseline creates, keeps up to date and
// attaches in the organization.
//
//	serviceControlPolicies:
//	  maxPolicySize: 10240        # characters per SCP, whitespace included
//	  maxPoliciesPerTarget: 10    # SCPs per root, OU or account, all of them counted
//	  policies:
//	    - name: deny-leave-organization
//	      description: Accounts cannot leave the organization
//	      file: scps/deny-leave.json          # beside the baseline file
//	      targets: [root]
//	    - name: region-allow-list
//	      document: |
//	        {"Version":"2012-10-17","Statement":[...]}
//	      targets: [ou:/Workloads, account:Sandbox]
//	      replaceFullAWSAccess: true
//
// orgbaseline tags the policies it creates orgbaseline:managed=true and
// never changes, detaches or deletes a policy without that tag; a managed
// policy that is no longer listed is detached everywhere and deleted, so
// `policies: []` removes every policy orgbaseline created.
type ServiceControlPolicies struct {
	// Enabled (default true) lets a later file switch the control off;
	// a switched-off control changes nothing (it does not delete).
	Enabled *bool `yaml:"enabled"`
	// MaxPolicySize is the most characters one SCP may have, whitespace
	// included, as AWS counts a document saved through the API. Unset:
	// DefaultSCPMaxPolicySize.
	MaxPolicySize *int `yaml:"maxPolicySize"`
	// MaxPoliciesPerTarget is the most SCPs one root, OU or account may
	// have attached, counting those orgbaseline does not manage
	// (FullAWSAccess, other teams' SCPs). Unset:
	// DefaultSCPMaxPoliciesPerTarget.
	MaxPoliciesPerTarget *int `yaml:"maxPoliciesPerTarget"`
	// Policies are the SCPs orgbaseline manages, identified by name.
	Policies []SCP `yaml:"policies"`
}

// SCP is one declared service control policy.
type SCP struct {
	// Name identifies the policy in the organization (1 to 128
	// characters, unique among SCPs).
	Name string `yaml:"name"`
	// Description is stored with the policy (at most 512 characters).
	Description string `yaml:"description"`
	// Document is the policy document as JSON text (write it as a YAML
	// string, e.g. a block scalar "|"). It is sent to AWS as written,
	// without leading or trailing whitespace; whitespace counts toward
	// MaxPolicySize. Exactly one of Document and File is set.
	Document string `yaml:"document"`
	// File is the path of a JSON file holding the document, relative to
	// the directory of the baseline file (Baseline.Dir).
	File string `yaml:"file"`
	// Targets are where the policy is attached: root, ou:/Path, ou:<id>,
	// account:<id or name>. Tag selectors are not accepted: an SCP is
	// attached to a root, an OU or an account, not to a tag.
	Targets []Selector `yaml:"targets"`
	// ReplaceFullAWSAccess (allow-list strategy) detaches the AWS managed
	// FullAWSAccess policy from this policy's targets once this policy is
	// attached there, so that only what the policy allows is allowed.
	ReplaceFullAWSAccess bool `yaml:"replaceFullAWSAccess"`
}

// Defaults and limits of AWS Organizations for SCPs. In May 2026 AWS
// raised the size limit from 5,120 to 10,240 characters and the number of
// SCPs per target from 5 to 10; both are settings so that an organization
// still on the older quotas can declare them.
const (
	DefaultSCPMaxPolicySize        = 10240
	DefaultSCPMaxPoliciesPerTarget = 10
	MaxSCPNameLength               = 128
	MaxSCPDescriptionLength        = 512
	// maxSCPSizeSetting and maxSCPPerTargetSetting bound the settings
	// loosely: they follow AWS quotas, which move.
	maxSCPSizeSetting      = 1 << 20
	maxSCPPerTargetSetting = 1000
)

// IsEnabled reports whether the control is declared and not switched off.
func (c *ServiceControlPolicies) IsEnabled() bool {
	return c != nil && (c.Enabled == nil || *c.Enabled)
}

// PolicySizeLimit returns MaxPolicySize, or its default.
func (c *ServiceControlPolicies) PolicySizeLimit() int {
	if c == nil || c.MaxPolicySize == nil {
		return DefaultSCPMaxPolicySize
	}
	return *c.MaxPolicySize
}

// PoliciesPerTargetLimit returns MaxPoliciesPerTarget, or its default.
func (c *ServiceControlPolicies) PoliciesPerTargetLimit() int {
	if c == nil || c.MaxPoliciesPerTarget == nil {
		return DefaultSCPMaxPoliciesPerTarget
	}
	return *c.MaxPoliciesPerTarget
}

// DocumentPath returns the absolute path of p.File, resolved against dir
// (the baseline file's directory); "" when the policy is inline.
func (p *SCP) DocumentPath(dir string) string {
	if p.File == "" {
		return ""
	}
	if filepath.IsAbs(p.File) {
		return filepath.Clean(p.File)
	}
	return filepath.Join(dir, p.File)
}

// validate checks what can be checked without reading files or calling
// AWS; the policy documents themselves (JSON, grammar, size) are checked
// when the control is built (controls.FromBaseline), still before any AWS
// call.
func (c *ServiceControlPolicies) validate(v *validation, path string) {
	v.intRange(path+".maxPolicySize", c.MaxPolicySize, 1, maxSCPSizeSetting,
		fmt.Sprintf("set it to the SCP size quota of the organization (AWS: %d characters since May 2026, 5120 before)", DefaultSCPMaxPolicySize))
	v.intRange(path+".maxPoliciesPerTarget", c.MaxPoliciesPerTarget, 1, maxSCPPerTargetSetting,
		fmt.Sprintf("set it to the SCPs-per-target quota of the organization (AWS: %d since May 2026, 5 before)", DefaultSCPMaxPoliciesPerTarget))
	items := make([]policyItem, len(c.Policies))
	for i, p := range c.Policies {
		items[i] = policyItem{Name: p.Name, Description: p.Description, Document: p.Document, File: p.File, Targets: p.Targets}
	}
	validatePolicyList(v, path, PolicyTypeByKey("serviceControlPolicies"), items)
}
