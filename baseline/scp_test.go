package baseline

import (
	"path/filepath"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

// scpYAML returns a baseline whose serviceControlPolicies mapping is made
// of the given lines (which start at line 4, column 5).
func scpYAML(lines ...string) string {
	return "version: 1\ncontrols:\n  serviceControlPolicies:\n    " + strings.Join(lines, "\n    ") + "\n"
}

const scpDoc = `{"Version":"2012-10-17","Statement":[{"Effect":"Deny","Action":"organizations:LeaveOrganization","Resource":"*"}]}`

func TestSCPValidationErrors(t *testing.T) {
	tests := []struct {
		name string
		yaml string
		want []string
	}{
		{"limits out of range", scpYAML("maxPolicySize: 0", "maxPoliciesPerTarget: 1001"), []string{
			"b.yaml:4:20: controls.serviceControlPolicies.maxPolicySize is 0, out of range; set it to the SCP size quota of the organization (AWS: 10240 characters since May 2026, 5120 before)",
			"b.yaml:5:27: controls.serviceControlPolicies.maxPoliciesPerTarget is 1001, out of range; set it to the SCPs-per-target quota",
		}},
		{"limit not an integer", scpYAML(`maxPolicySize: "5120"`), []string{
			`b.yaml:4:20: controls.serviceControlPolicies.maxPolicySize: expected an integer, got the string "5120"; remove the quotes`,
		}},
		{"no name", scpYAML("policies:", "  - {document: x, targets: [root]}"), []string{
			"b.yaml:5:9: controls.serviceControlPolicies.policies[0] has no name",
		}},
		{"empty name", scpYAML("policies:", `  - {name: "", document: x, targets: [root]}`), []string{
			"b.yaml:5:16: controls.serviceControlPolicies.policies[0].name is 0 characters long; an SCP name has 1 to 128",
		}},
		{"long name", scpYAML("policies:", "  - {name: "+strings.Repeat("n", 129)+", document: x, targets: [root]}"), []string{
			"b.yaml:5:16: controls.serviceControlPolicies.policies[0].name is 129 characters long",
		}},
		{"FullAWSAccess", scpYAML("policies:", "  - {name: FullAWSAccess, document: x, targets: [root]}"), []string{
			`b.yaml:5:16: controls.serviceControlPolicies.policies[0].name "FullAWSAccess" is the name of the AWS managed policy; choose another name`,
		}},
		{"duplicate names", scpYAML("policies:", "  - {name: a, document: x, targets: [root]}", "  - {name: a, document: x, targets: [root]}"), []string{
			`b.yaml:6:16: SCP name "a" is used twice (controls.serviceControlPolicies.policies[0] and controls.serviceControlPolicies.policies[1]); SCP names are unique in an organization, rename one`,
		}},
		{"long description", scpYAML("policies:", "  - {name: a, description: "+strings.Repeat("d", 513)+", document: x, targets: [root]}"), []string{
			`b.yaml:5:32: controls.serviceControlPolicies.policies[0] ("a"): description is 513 characters long; AWS allows at most 512`,
		}},
		{"document and file", scpYAML("policies:", "  - {name: a, document: x, file: a.json, targets: [root]}"), []string{
			`b.yaml:5:38: controls.serviceControlPolicies.policies[0] ("a") has both document and file; keep one`,
		}},
		{"neither document nor file", scpYAML("policies:", "  - {name: a, targets: [root]}"), []string{
			`b.yaml:5:9: controls.serviceControlPolicies.policies[0] ("a") has no policy document; set document (inline JSON) or file`,
		}},
		{"empty document", scpYAML("policies:", `  - {name: a, document: " ", targets: [root]}`), []string{
			`b.yaml:5:29: controls.serviceControlPolicies.policies[0] ("a"): document is empty`,
		}},
		{"document as a mapping", scpYAML("policies:", "  - {name: a, document: {Version: x}, targets: [root]}"), []string{
			`b.yaml:5:29: controls.serviceControlPolicies.policies[0].document: expected a string, got a mapping`,
		}},
		{"no targets", scpYAML("policies:", "  - {name: a, document: x}"), []string{
			`b.yaml:5:9: controls.serviceControlPolicies.policies[0] ("a") has no targets; list where to attach it`,
		}},
		{"empty targets", scpYAML("policies:", "  - {name: a, document: x, targets: []}"), []string{
			`b.yaml:5:41: controls.serviceControlPolicies.policies[0] ("a") has no targets`,
		}},
		{"tag selector", scpYAML("policies:", "  - {name: a, document: x, targets: [root, tag:env=prod]}"), []string{
			`b.yaml:5:48: controls.serviceControlPolicies.policies[0] ("a"): tag:env=prod: an SCP is attached to the root, an OU or an account, not to a tag`,
		}},
		{"bad selector", scpYAML("policies:", "  - {name: a, document: x, targets: [Workloads]}"), []string{
			`b.yaml:5:42: controls.serviceControlPolicies.policies[0].targets[0]: invalid selector "Workloads"`,
		}},
		{"duplicate target", scpYAML("policies:", "  - {name: a, document: x, targets: [root, ou:/]}"), []string{
			`b.yaml:5:48: selector "ou:/" is listed twice in controls.serviceControlPolicies.policies[0].targets`,
		}},
		{"unknown key", scpYAML("policies:", "  - {name: a, document: x, targets: [root], replaceFullAwsAccess: true}"), []string{
			`b.yaml:5:49: unknown key "replaceFullAwsAccess" in controls.serviceControlPolicies.policies[0]; did you mean "replaceFullAWSAccess"?`,
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := LoadBytes("b.yaml", []byte(tt.yaml), t.TempDir())
			checkDiags(t, err, tt.want)
		})
	}
}

func TestSCPLoads(t *testing.T) {
	dir := t.TempDir()
	b, err := LoadBytes("b.yaml", []byte(scpYAML(
		"maxPoliciesPerTarget: 5",
		"policies:",
		"  - name: deny-leave",
		"    description: Accounts stay in the organization",
		"    document: '"+scpDoc+"'",
		"    targets: [root, ou:/Workloads, account:123456789012]",
		"  - name: allow-list",
		"    file: scps/allow.json",
		"    targets: [account:Sandbox]",
		"    replaceFullAWSAccess: true",
	)), dir)
	if err != nil {
		t.Fatal(err)
	}
	c := b.Controls.ServiceControlPolicies
	if !c.IsEnabled() || c.PolicySizeLimit() != DefaultSCPMaxPolicySize || c.PoliciesPerTargetLimit() != 5 {
		t.Errorf("enabled %t, limits %d %d", c.IsEnabled(), c.PolicySizeLimit(), c.PoliciesPerTargetLimit())
	}
	var kinds []SelectorKind
	for _, s := range c.Policies[0].Targets {
		kinds = append(kinds, s.Kind)
	}
	if diff := cmp.Diff([]SelectorKind{SelectRoot, SelectOUPath, SelectAccountID}, kinds); diff != "" {
		t.Errorf("target kinds (-want +got):\n%s", diff)
	}
	p := c.Policies[1]
	if !p.ReplaceFullAWSAccess || p.Targets[0].Kind != SelectAccountName || p.DocumentPath(b.Dir) != filepath.Join(b.Dir, "scps", "allow.json") {
		t.Errorf("allow-list: %+v, path %s", p, p.DocumentPath(b.Dir))
	}
	if got := c.Policies[0].DocumentPath(b.Dir); got != "" {
		t.Errorf("inline document has a path: %s", got)
	}
	var nilC *ServiceControlPolicies
	off := false
	if nilC.IsEnabled() || (&ServiceControlPolicies{Enabled: &off}).IsEnabled() || nilC.PoliciesPerTargetLimit() != DefaultSCPMaxPoliciesPerTarget {
		t.Error("nil or disabled control")
	}
}
