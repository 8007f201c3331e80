package controls

import (
	"bytes"
	"errors"
	"fmt"
	"strings"

	"github.com/aws/aws-sdk-go-v2/service/organizations/types"

	"github.com/orgbaseline/orgbaseline/baseline"
)

// Findings reports, per declared policy, whether its document is as
// declared (<key>.content) and whether it is attached to every declared
// target (<key>.attached), in the management account; per targeted
// account covered by a declared policy, whether every such policy is in
// force on it (<key>.inForce), attached at some level from the root to
// the account; for SCPs and RCPs, whether every targeted member account
// has one beyond AWS's default in force (<key>.guardrail, CIS 7.0 2.1.2);
// for the management policy types, whether the values the policies
// assign are in each account's effective policy (<key>.effective,
// policyeffective.go).
func (c *OrganizationPolicies) Findings(t Target, observed any) []baseline.Finding {
	st, _ := observed.(*policyState)
	if st == nil {
		return nil
	}
	org := t.Org
	mgmt := t.AccountID
	if org.ManagementAccountID != "" {
		mgmt = org.ManagementAccountID
	}
	byName := map[string]*observedPolicy{}
	for _, p := range st.Policies {
		byName[p.Name] = p
	}
	mk := func(check, account, name, resource, title string, status baseline.Status, sev baseline.Severity, msg, fix string) baseline.Finding {

		f := baseline.Finding{
			Check: check, Source: "control:" + c.Name(), Account: account, AccountName: name, Resource: resource,
			Status: status, Severity: sev, Title: title, Message: msg, Compliance: baseline.References(check),
		}
		if status != baseline.StatusPass {
			f.Remediation = fix
		}
		return f
	}
	var mgmtName string
	if a := org.Account(mgmt); a != nil {
		mgmtName = a.Name
	}
	k := c.kind
	fix := "run `orgbaseline apply` to bring the organization's " + k.Plural + " to the baseline"
	pass := func(ok bool) baseline.Status {
		if ok {
			return baseline.StatusPass
		}
		return baseline.StatusFail
	}
	// ok[name] reports the policy exists, is managed and is as declared.
	ok := map[string]bool{}
	var out []baseline.Finding
	covering := map[string][]string{} // account id -> declared policies whose targets cover it
	for i := range c.policies {
		p := &c.policies[i]
		o := byName[p.name]
		resource := k.resource(p.name)
		if o != nil {
			resource = o.ARN
		}
		var msg string
		switch {
		case o == nil:
			msg = fmt.Sprintf("%s %s does not exist", k.Short, p.name)
		case !o.Managed:
			msg = fmt.Sprintf("%s named %s exists (%s) but orgbaseline does not manage it (no tag %s=%s)", k.One, p.name, o.ID, SCPManagedTagKey, SCPManagedTagValue)
		default:
			norm, err := c.kind.normalize(o.Content)
			switch {
			case err != nil || !bytes.Equal(norm, p.normalized):
				msg = fmt.Sprintf("%s %s's document differs from the baseline's", k.Short, p.name)
			case o.Description != p.description:
				msg = fmt.Sprintf("%s %s's description is %q; the baseline says %q", k.Short, p.name, o.Description, p.description)
			default:
				ok[p.name] = true
				msg = fmt.Sprintf("%s %s is as the baseline declares", k.Short, p.name)
			}
		}
		out = append(out, mk(k.Key+".content", mgmt, mgmtName, resource, k.Short+" document is as declared",
			pass(ok[p.name]), baseline.SeverityMedium, msg, fix))

		targets, errs := resolveSCPTargets(org, c.kind, p)
		if len(errs) > 0 {
			out = append(out, mk(k.Key+".attached", mgmt, mgmtName, resource, k.Short+" is attached where declared",
				baseline.StatusError, baseline.SeverityHigh, errors.Join(errs...).Error(), "fix the policy's targets in the baseline"))
			continue
		}
		attached := map[string]bool{}
		if o != nil {
			for _, id := range o.Targets {
				attached[id] = true
			}
		}
		var missing, labels []string
		for _, tg := range targets {
			labels = append(labels, tg.Label)
			if !attached[tg.ID] {
				missing = append(missing, tg.Label)
			}
		}
		msg = fmt.Sprintf("%s %s is attached to %s", k.Short, p.name, strings.Join(labels, ", "))
		switch {
		case st.TypeStatus == string(types.PolicyTypeStatusPendingEnable):
			// Not attached while AWS is still enabling SCPs: nothing is
			// in force yet, whatever the listings say.
			msg = "AWS is still enabling " + k.Plural + " in the organization (PENDING_ENABLE): none is in force yet"
			missing = labels
		case !st.enabled():
			msg = k.Plural + " are not enabled in the organization"
			missing = labels
		case len(missing) > 0:
			msg = fmt.Sprintf("%s %s is not attached to %s", k.Short, p.name, strings.Join(missing, ", "))
		}
		f := mk(k.Key+".attached", mgmt, mgmtName, resource, k.Short+" is attached where declared",
			pass(len(missing) == 0), baseline.SeverityHigh, msg, fix)
		f.Evidence = map[string]any{"declaredTargets": labels, "missingTargets": missing}
		out = append(out, f)

		cover := map[string]bool{}
		for _, tg := range targets {
			cover[tg.ID] = true
		}
		for _, a := range org.Targets {
			if a.Management {
				continue
			}
			for _, lvl := range append(append([]string(nil), a.Ancestors...), a.ID) {
				if cover[lvl] {
					covering[a.ID] = append(covering[a.ID], p.name)
					break
				}
			}
		}
	}
	for _, a := range org.Targets {
		names := covering[a.ID]
		if len(names) == 0 {
			continue
		}
		levels := map[string]bool{}
		for _, lvl := range append(append([]string(nil), a.Ancestors...), a.ID) {
			levels[lvl] = true
		}
		var inForce, missing []string
		for _, n := range names {
			o := byName[n]
			attached := false
			if o != nil && st.enabled() {
				for _, id := range o.Targets {
					attached = attached || levels[id]
				}
			}
			if attached && ok[n] {
				inForce = append(inForce, n)
			} else {
				missing = append(missing, n)
			}
		}
		msg := "the baseline's " + k.Plural + " are in force: " + strings.Join(inForce, ", ")
		if len(missing) > 0 {
			msg = "the baseline's " + k.Plural + " not in force (missing, not attached above the account, or changed): " + strings.Join(missing, ", ")
		}
		f := mk(k.Key+".inForce", a.ID, a.Name, org.ARN("organizations", "", mgmt, "account/"+org.ID+"/"+a.ID),
			"The baseline's "+k.Plural+" are in force on the account", pass(len(missing) == 0), baseline.SeverityHigh, msg, fix)
		f.Evidence = map[string]any{"inForce": inForce, "missing": missing}
		out = append(out, f)
	}
	out = append(out, c.guardrailFindings(org, st, mk)...)
	out = append(out, c.effectiveFindings(org, st, mk)...)
	return out
}
