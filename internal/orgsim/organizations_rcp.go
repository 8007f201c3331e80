package orgsim

import (
	"github.com/orgbaseline/orgbaseline/internal/iampolicy"
)

// Resource control policies in Organizations: the RESOURCE_CONTROL_POLICY
// policy type, its AWS-managed RCPFullAWSAccess and its limits. How RCPs
// authorize requests is auth_rcp.go's. Sources:
//
//   - Organizations user guide, "Resource control policies (RCPs)": "RCPs
//     are available only in an organization that has all features enabled"
//     (CreatePolicy and EnablePolicyType answer a billing-only
//     organization PolicyTypeNotAvailableForOrganizationException, as for
//     every type: organizations.go).
//   - "RCP syntax": the grammar (iampolicy.KindRCP; RCPFullAWSAccess is
//     iampolicy.KindRCPManaged, the only RCP with an Allow); "This policy
//     is automatically attached to the organization root, every OU, and
//     every account in your organization, when you enable resource control
//     policies (RCPs). You cannot detach this policy."
//   - "Quotas and service limits for AWS Organizations": maximum size of a
//     policy document, "Resource control policies: 5120 characters"; number
//     of policies attached to an entity, resource control policy: minimum
//     1, "The RCPFullAWSAccess policy is automatically attached ... You
//     cannot detach this policy and it counts towards the 5 policies
//     quota", maximum 5 per root, OU and account; "All policy limits are
//     hard limits" (so constants here, not settings as the SCP ones are).
//   - "AWS managed policies" (orgs_reference_available-policies):
//     RCPFullAWSAccess, "Allows access to every resource.",
//     arn:aws:organizations::aws:policy/resource_control_policy/p-RCPFullAWSAccess.
//   - Organizations API reference, InvalidInputException reason
//     NON_DETACHABLE_POLICY: "You can't detach this Amazon Web Services
//     Managed Policy." The DetachPolicy page does not say which error
//     detaching RCPFullAWSAccess answers; this reason is the one AWS
//     defines for it, and orgsim uses it.
//
// EnablePolicyType is asynchronous as for SCPs (organizations.go);
// RCPFullAWSAccess is attached everywhere when the type becomes ENABLED,
// and DisablePolicyType detaches every RCP when it finishes.

const (
	rcpType            = "RESOURCE_CONTROL_POLICY"
	rcpFullAWSAccessID = "p-RCPFullAWSAccess"
	rcpMaxSize         = 5120
	rcpMaxPerTarget    = 5
	// rcpFullAWSAccessContent is RCPFullAWSAccess as AWS shows it
	// (Organizations user guide, "Resource control policy examples").
	rcpFullAWSAccessContent = `{
  "Version": "2012-10-17",
  "Statement": [
    {
      "Effect": "Allow",
      "Principal": "*",
      "Action": "*",
      "Resource": "*"
    }
  ]
}`
)

// seedRCPFullAWSAccess adds the AWS-managed RCPFullAWSAccess to the
// organization's policies (listed, not attached, until RCPs are enabled,
// as FullAWSAccess is for SCPs).
func (s *Sim) seedRCPFullAWSAccess() {
	p := &orgPolicy{
		id: rcpFullAWSAccessID, name: "RCPFullAWSAccess",
		arn:         s.arn("organizations", "", "aws", "policy/resource_control_policy/"+rcpFullAWSAccessID),
		description: "Allows access to every resource.",
		typ:         rcpType, awsManaged: true,
		content: rcpFullAWSAccessContent,
		parsed:  iampolicy.MustParse(rcpFullAWSAccessContent, iampolicy.KindRCPManaged),
	}
	s.org.policies[p.id] = p
	s.org.polOrder = append(s.org.polOrder, p.id)
}

// rcpParse checks an RCP's grammar (its size was checked before):
// MalformedPolicyDocumentException naming every problem.
func rcpParse(content string) (*iampolicy.Policy, *apiError) {
	parsed, err := iampolicy.Parse([]byte(content), iampolicy.KindRCP)
	if err != nil {
		return nil, newErr(400, "MalformedPolicyDocumentException", "The provided policy document doesn't meet the requirements of the specified policy type: %s", policyProblems(err))
	}
	return parsed, nil
}

// rcpDetachable refuses to detach RCPFullAWSAccess.
func rcpDetachable(p *orgPolicy) *apiError {
	if p.id != rcpFullAWSAccessID {
		return nil
	}
	return orgInvalid("NON_DETACHABLE_POLICY", "You can't detach this Amazon Web Services Managed Policy: RCPFullAWSAccess stays attached to every root, OU and account while resource control policies are enabled; attach a Deny RCP beside it to restrict access, or disable the RESOURCE_CONTROL_POLICY type.")
}

// attachRCPFullAWSAccessEverywhere attaches RCPFullAWSAccess to the root
// and to every OU and account that lacks it, as AWS does when RCPs are
// enabled.
func (s *Sim) attachRCPFullAWSAccessEverywhere() {
	o := s.org
	targets := append([]string{o.root.id}, o.ouOrder...)
	targets = append(targets, s.order...)
	for _, t := range targets {
		has := false
		for _, id := range o.attachments[t] {
			has = has || id == rcpFullAWSAccessID
		}
		if !has {
			o.attachments[t] = append(o.attachments[t], rcpFullAWSAccessID)
		}
	}
}
