package baseline

import (
	"fmt"
	"path/filepath"
)

// OrganizationPolicies is controls.<type>Policies for every Organizations
// policy type beside SCPs (resourceControlPolicies, declarativePolicies,
// tagPolicies, backupPolicies, aiOptOutPolicies, s3Policies,
// securityHubPolicies, inspectorPolicies, bedrockPolicies): the policies
// of that type orgbaseline creates, keeps up to date and attaches, with
// the shape of serviceControlPolicies.
//
//	resourceControlPolicies:
//	  policies:
//	    - name: data-perimeter
//	      file: rcps/data-perimeter.json
//	      targets: [root]
//	tagPolicies:
//	  policies:
//	    - name: cost-center
//	      document: |
//	        {"tags":{"costcenter":{"tag_key":{"@@assign":"CostCenter"}}}}
//	      targets: [ou:/Workloads]
//
// As for SCPs, orgbaseline tags what it creates orgbaseline:managed=true,
// never changes a policy without that tag, and deletes a managed policy
// that is no longer listed.
type OrganizationPolicies struct {
	// Enabled (default true) lets a later file switch the control off;
	// a switched-off control changes nothing (it does not delete).
	Enabled *bool `yaml:"enabled"`
	// MaxPolicySize is the most characters one policy may have,
	// whitespace included. Unset: the type's AWS quota (PolicyTypes).
	MaxPolicySize *int `yaml:"maxPolicySize"`
	// MaxPoliciesPerTarget is the most policies of the type one root, OU
	// or account may have attached, counting those orgbaseline does not
	// manage. Unset: the type's AWS quota.
	MaxPoliciesPerTarget *int `yaml:"maxPoliciesPerTarget"`
	// Policies are the policies orgbaseline manages, identified by name.
	Policies []OrganizationPolicy `yaml:"policies"`
}

// OrganizationPolicy is one declared policy of a type beside SCPs.
type OrganizationPolicy struct {
	// Name identifies the policy (1 to 128 characters, unique in its type).
	Name string `yaml:"name"`
	// Description is stored with the policy (at most 512 characters).
	Description string `yaml:"description"`
	// Document is the policy document as JSON text; exactly one of
	// Document and File is set.
	Document string `yaml:"document"`
	// File is the path of a JSON file holding the document, relative to
	// the directory of the baseline file.
	File string `yaml:"file"`
	// Targets are where the policy is attached: root, ou:/Path, ou:<id>,
	// account:<id or name>.
	Targets []Selector `yaml:"targets"`
}

// PolicySet is one policy type's declaration as the controls read it,
// whichever struct holds it.
type PolicySet struct {
	Type                  *PolicyType
	MaxSize, MaxPerTarget int
	Policies              []DeclaredPolicy
}

// DeclaredPolicy is one policy of a PolicySet.
type DeclaredPolicy struct {
	// Index is its place in the control's policies list.
	Index                       int
	Name, Description, Document string
	File                        string
	Targets                     []Selector
	ReplaceFullAWSAccess        bool
}

// DocumentPath returns the absolute path of p.File, resolved against dir;
// "" when the policy is inline.
func (p *DeclaredPolicy) DocumentPath(dir string) string {
	if p.File == "" {
		return ""
	}
	if filepath.IsAbs(p.File) {
		return filepath.Clean(p.File)
	}
	return filepath.Join(dir, p.File)
}

// IsEnabled reports whether the control is declared and not switched off.
func (c *OrganizationPolicies) IsEnabled() bool {
	return c != nil && (c.Enabled == nil || *c.Enabled)
}

// byKey returns the declaration of the policy type key (nil when it is
// not declared), and whether key is a policy type at all.
func (c *Controls) byKey(key string) (*OrganizationPolicies, bool) {
	switch key {
	case "resourceControlPolicies":
		return c.ResourceControlPolicies, true
	case "declarativePolicies":
		return c.DeclarativePolicies, true
	case "tagPolicies":
		return c.TagPolicies, true
	case "backupPolicies":
		return c.BackupPolicies, true
	case "aiOptOutPolicies":
		return c.AIOptOutPolicies, true
	case "s3Policies":
		return c.S3Policies, true
	case "securityHubPolicies":
		return c.SecurityHubPolicies, true
	case "inspectorPolicies":
		return c.InspectorPolicies, true
	case "bedrockPolicies":
		return c.BedrockPolicies, true
	}
	return nil, false
}

// PolicySets returns every declared, enabled policy type, in the order of
// PolicyTypes.
func (c *Controls) PolicySets() []PolicySet {
	var out []PolicySet
	for i := range PolicyTypes {
		pt := &PolicyTypes[i]
		set := PolicySet{Type: pt, MaxSize: pt.MaxSize, MaxPerTarget: pt.MaxPerTarget}
		if pt.Key == "serviceControlPolicies" {
			s := c.ServiceControlPolicies
			if !s.IsEnabled() {
				continue
			}
			set.MaxSize, set.MaxPerTarget = s.PolicySizeLimit(), s.PoliciesPerTargetLimit()
			for j, p := range s.Policies {
				set.Policies = append(set.Policies, DeclaredPolicy{Index: j, Name: p.Name, Description: p.Description,
					Document: p.Document, File: p.File, Targets: p.Targets, ReplaceFullAWSAccess: p.ReplaceFullAWSAccess})
			}
			out = append(out, set)
			continue
		}
		s, _ := c.byKey(pt.Key)
		if !s.IsEnabled() {
			continue
		}
		if s.MaxPolicySize != nil {
			set.MaxSize = *s.MaxPolicySize
		}
		if s.MaxPoliciesPerTarget != nil {
			set.MaxPerTarget = *s.MaxPoliciesPerTarget
		}
		for j, p := range s.Policies {
			set.Policies = append(set.Policies, DeclaredPolicy{Index: j, Name: p.Name, Description: p.Description,
				Document: p.Document, File: p.File, Targets: p.Targets})
		}
		out = append(out, set)
	}
	return out
}

// validate checks the settings and every policy as SCPs are checked
// (policyListValidation), with the type's own names and limits; the
// documents are checked against the type's grammar when the control is
// built, still before any AWS call.
func (c *OrganizationPolicies) validate(v *validation, path string) {
	pt := PolicyTypeByKey(path[len("controls."):])
	if pt == nil {
		v.errorf(path, "%s: not a policy type", path)
		return
	}
	v.intRange(path+".maxPolicySize", c.MaxPolicySize, 1, maxSCPSizeSetting,
		fmt.Sprintf("set it to the %s size quota of the organization (AWS: %d characters)", pt.Short, pt.MaxSize))
	v.intRange(path+".maxPoliciesPerTarget", c.MaxPoliciesPerTarget, 1, maxSCPPerTargetSetting,
		fmt.Sprintf("set it to the organization's quota of %s per target (AWS: %d)", pt.Plural, pt.MaxPerTarget))
	items := make([]policyItem, len(c.Policies))
	for i, p := range c.Policies {
		items[i] = policyItem{Name: p.Name, Description: p.Description, Document: p.Document, File: p.File, Targets: p.Targets}
	}
	validatePolicyList(v, path, pt, items)
}
