package controls

import (
	"fmt"
	"strings"

	"github.com/orgbaseline/orgbaseline/baseline"
)

// findingMaker builds one finding of the control (policyfindings.go).
type findingMaker func(check, account, name, resource, title string, status baseline.Status, sev baseline.Severity, msg, fix string) baseline.Finding

// guardrailFindings reports, for SCPs and RCPs, whether each targeted
// member account has a policy of the type beyond AWS's default in force:
// attached at some level from the root to the account, whoever manages it.
// CIS AWS Foundations Benchmark 7.0, 2.1.2 "Ensure that SCP and RCP
// guardrails are applied to every account" asks for both; a baseline that
// declares no RCP can audit this with `resourceControlPolicies: {}`, which
// changes nothing. The management account is left out: neither type
// applies to it.
func (c *OrganizationPolicies) guardrailFindings(org *Org, st *policyState, mk findingMaker) []baseline.Finding {
	k := c.kind
	if !k.Authorization {
		return nil
	}
	at := map[string][]string{} // target id -> policies beyond the default
	if st.enabled() {
		for _, o := range st.Policies {
			if o.AWSManaged && o.Name == k.AWSDefault {
				continue
			}
			for _, id := range o.Targets {
				at[id] = append(at[id], o.Name)
			}
		}
	}
	mgmt := org.ManagementAccountID
	var out []baseline.Finding
	for _, a := range org.Targets {
		if a.Management || a.ID == mgmt {
			continue
		}
		var names []string
		for _, lvl := range append(append([]string(nil), a.Ancestors...), a.ID) {
			names = append(names, at[lvl]...)
		}
		msg := fmt.Sprintf("%s beyond %s in force: %s", k.Plural, k.AWSDefault, strings.Join(names, ", "))
		status := baseline.StatusPass
		switch {
		case !st.enabled():
			msg, status = fmt.Sprintf("%s are not enabled in the organization, so no %s guardrail is in force", k.Plural, k.Short), baseline.StatusFail
		case len(names) == 0:
			msg, status = fmt.Sprintf("no %s beyond %s is attached to the account or above it", k.Short, k.AWSDefault), baseline.StatusFail
		}
		f := mk(k.Key+".guardrail", a.ID, a.Name, org.ARN("organizations", "", mgmt, "account/"+org.ID+"/"+a.ID),
			fmt.Sprintf("%s guardrail is in force on the account (CIS 7.0 2.1.2)", k.One), status, baseline.SeverityHigh, msg,
			fmt.Sprintf("declare %s under controls.%s with targets covering the account (profiles/ has guardrails to extend), then run `orgbaseline apply`", k.One, k.Key))
		f.Evidence = map[string]any{"policies": names}
		out = append(out, f)
	}
	return out
}
