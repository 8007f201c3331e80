package orgsim

import (
	"strings"
	"time"

	"github.com/orgbaseline/orgbaseline/internal/iampolicy"
)

// IAM: roles.

func iamListRoles(c *call) (any, *apiError) {
	v := c.iamValidate()
	prefix := v.pathPrefix()
	if e := v.err(); e != nil {
		return nil, e
	}
	var roles []*iamRole
	for _, r := range c.iamSt().sortedRoles() {
		if strings.HasPrefix(r.path, prefix) {
			roles = append(roles, r)
		}
	}
	start, end, pg, e := c.iamPage(len(roles))
	if e != nil {
		return nil, e
	}
	out := struct {
		Roles iamMembers[iamXRole] `xml:"Roles"`
		iamPageOut
	}{iamPageOut: pg}
	for _, r := range roles[start:end] {
		out.Roles = append(out.Roles, xRole(r, false))
	}
	return out, nil
}

func (c *call) iamRoleArg() (*iamRole, *apiError) {
	v := c.iamValidate()
	name := v.name("RoleName", true, 64)
	if e := v.err(); e != nil {
		return nil, e
	}
	r := c.iamSt().findRole(name)
	if r == nil {
		return nil, iamNoRole(name)
	}
	return r, nil
}

func iamGetRole(c *call) (any, *apiError) {
	r, e := c.iamRoleArg()
	if e != nil {
		return nil, e
	}
	return struct {
		Role iamXRole `xml:"Role"`
	}{xRole(r, true)}, nil
}

// iamTrustArg parses and checks a trust policy parameter.
func (c *call) iamTrustArg(text string) (*policyDoc, *apiError) {
	doc, e := iamParseDoc(text, iampolicy.KindTrust)
	if e != nil {
		return nil, e
	}
	if iamDocSize(text) > iamTrustPolicySize {
		return nil, newErr(409, "LimitExceeded", "Cannot exceed quota for ACLSizePerRole: %d", iamTrustPolicySize)
	}
	for _, st := range doc.parsed.Statements {
		for _, a := range append(append([]string(nil), st.Action...), st.NotAction...) {
			if prefix, _, _ := strings.Cut(a, ":"); !strings.EqualFold(prefix, "sts") {
				return nil, newErr(400, "MalformedPolicyDocument", "AssumeRole policy may only specify STS AssumeRole actions.")
			}
		}
	}
	if e := c.checkTrustPrincipals(doc); e != nil {
		return nil, e
	}
	return doc, nil
}

func iamCreateRole(c *call) (any, *apiError) {
	v := c.iamValidate()
	name := v.name("RoleName", true, 64)
	path := v.path("Path")
	text := v.doc("AssumeRolePolicyDocument")
	desc := v.str("Description", false, 0, 1000, &iamPatDesc)
	maxSession, ok := v.intRange("MaxSessionDuration", 3600, 43200)
	v.str("PermissionsBoundary", false, 20, 2048, nil)
	tags := v.tags()
	if e := v.err(); e != nil {
		return nil, e
	}
	if !ok {
		maxSession = 3600
	}
	st := c.iamSt()
	if st.findRole(name) != nil {
		return nil, newErr(409, "EntityAlreadyExists", "Role with name %s already exists.", name)
	}
	doc, e := c.iamTrustArg(text)
	if e != nil {
		return nil, e
	}
	if len(st.roles) >= iamMaxRoles {
		return nil, newErr(409, "LimitExceeded", "Cannot exceed quota for RolesPerAccount: %d", iamMaxRoles)
	}
	r := &iamRole{
		name: name, path: path, id: "AROA" + c.sim.randomID(17), arn: c.sim.iamARN(c.acct.ID, "role", path, name),
		description: desc, created: c.now, trust: doc, maxSession: maxSession,
		inline: map[string]*policyDoc{}, tags: tags,
	}
	c.sim.propagate(c.now, "role "+r.arn, &r.propagating)
	st.roles[name] = r
	x := xRole(r, false)
	x.Tags = iamSortedTags(r.tags)
	return struct {
		Role iamXRole `xml:"Role"`
	}{x}, nil
}

func iamDeleteRole(c *call) (any, *apiError) {
	r, e := c.iamRoleArg()
	if e != nil {
		return nil, e
	}
	switch {
	case strings.HasPrefix(r.path, iamServiceRolePathRoot):
		return nil, iamProtectedRole(r.name)
	case len(r.attached) > 0:
		return nil, newErr(409, "DeleteConflict", "Cannot delete entity, must detach all policies first.")
	case len(r.inline) > 0:
		return nil, newErr(409, "DeleteConflict", "Cannot delete entity, must delete policies first.")
	}
	delete(c.iamSt().roles, r.name)
	return nil, nil
}

func iamUpdateRole(c *call) (any, *apiError) {
	v := c.iamValidate()
	desc := v.str("Description", false, 0, 1000, &iamPatDesc)
	maxSession, ok := v.intRange("MaxSessionDuration", 3600, 43200)
	if e := v.err(); e != nil {
		return nil, e
	}
	r, e := c.iamRoleArg()
	if e != nil {
		return nil, e
	}
	if strings.HasPrefix(r.path, iamServiceRolePathRoot) {
		return nil, iamProtectedRole(r.name)
	}
	if c.form.Has("Description") {
		r.description = desc
	}
	if ok {
		r.maxSession = maxSession
	}
	return struct{}{}, nil // UpdateRole answers an empty UpdateRoleResult
}

func iamUpdateAssumeRolePolicy(c *call) (any, *apiError) {
	v := c.iamValidate()
	text := v.doc("PolicyDocument")
	if e := v.err(); e != nil {
		return nil, e
	}
	r, e := c.iamRoleArg()
	if e != nil {
		return nil, e
	}
	if strings.HasPrefix(r.path, iamServiceRolePathRoot) {
		return nil, iamProtectedRole(r.name)
	}
	doc, e := c.iamTrustArg(text)
	if e != nil {
		return nil, e
	}
	r.trust = doc
	return nil, nil
}

// iamServiceLinkedRoles are the service-linked roles orgsim knows: the role
// name each service gets and the AWS managed policy attached to it.
var iamServiceLinkedRoles = map[string]struct{ role, policy, description string }{
	"config.amazonaws.com": {"AWSServiceRoleForConfig",
		"aws-service-role/AWSConfigServiceRolePolicy", ""},
	"access-analyzer.amazonaws.com": {"AWSServiceRoleForAccessAnalyzer",
		"service-role/AccessAnalyzerServiceRolePolicy", ""},
	"cloudtrail.amazonaws.com": {"AWSServiceRoleForCloudTrail",
		"aws-service-role/CloudTrailServiceRolePolicy", ""},
	"organizations.amazonaws.com": {"AWSServiceRoleForOrganizations",
		"aws-service-role/AWSOrganizationsServiceTrustPolicy", "Service-linked role used by AWS Organizations to enable integration of other AWS services with Organizations."},
	"support.amazonaws.com": {"AWSServiceRoleForSupport",
		"aws-service-role/AWSSupportServiceRolePolicy", "Enables resource access for AWS to provide billing, administrative and support services"},
	"trustedadvisor.amazonaws.com": {"AWSServiceRoleForTrustedAdvisor",
		"aws-service-role/AWSTrustedAdvisorServiceRolePolicy", "Access for the AWS Trusted Advisor Service to help reduce cost, increase performance, and improve security of your AWS environment."},
}

func iamCreateServiceLinkedRole(c *call) (any, *apiError) {
	v := c.iamValidate()
	svc := v.name("AWSServiceName", true, 128)
	desc := v.str("Description", false, 0, 1000, &iamPatDesc)
	suffix := v.name("CustomSuffix", false, 64)
	if e := v.err(); e != nil {
		return nil, e
	}
	r, e := c.sim.makeServiceLinkedRole(c.now, c.acct, svc, desc, suffix)
	if e != nil {
		return nil, e
	}
	return struct {
		Role iamXRole `xml:"Role"`
	}{xRole(r, false)}, nil
}

// makeServiceLinkedRole creates a service's service-linked role in acct, as
// iam:CreateServiceLinkedRole does and as services do for themselves (an
// organization analyzer, cloudtrail:RegisterOrganizationDelegatedAdmin).
// The role propagates before the service can use it. Callers hold s.mu.
func (s *Sim) makeServiceLinkedRole(now time.Time, acct *Account, svc, desc, suffix string) (*iamRole, *apiError) {
	def, known := iamServiceLinkedRoles[svc]
	if !known {
		return nil, newErr(400, "InvalidInput", "Service %s does not support service-linked roles or is not a valid service principal.", svc)
	}
	name := def.role
	if suffix != "" {
		name += "_" + suffix
	}
	st := acct.iam
	if st.findRole(name) != nil {
		return nil, newErr(400, "InvalidInput", "Service role name %s has been taken in this account, please try a different suffix.", name)
	}
	if desc == "" {
		desc = def.description
	}
	trust := `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"Service":"` + svc + `"},"Action":"sts:AssumeRole"}]}`
	path := iamServiceRolePathRoot + svc + "/"
	r := &iamRole{
		name: name, path: path, id: "AROA" + s.randomID(17), arn: s.iamARN(acct.ID, "role", path, name),
		description: desc, created: now, maxSession: 3600, inline: map[string]*policyDoc{},
		trust: &policyDoc{text: trust, parsed: iampolicy.MustParse(trust, iampolicy.KindTrust)},
	}
	// The role gets its service's policy when orgsim knows that policy
	// (managed.go); otherwise it is created without one.
	if pol := s.AWSManagedPolicyARN(def.policy); st.managedPolicy(pol) != nil {
		r.attached = []string{pol}
	}
	s.propagate(now, "service-linked role "+r.arn, &r.propagating)
	st.roles[name] = r
	return r, nil
}

func iamDeleteServiceLinkedRole(c *call) (any, *apiError) {
	r, e := c.iamRoleArg()
	if e != nil {
		return nil, e
	}
	if !strings.HasPrefix(r.path, iamServiceRolePathRoot) {
		return nil, newErr(400, "InvalidInput", "Role %s is not a service-linked role.", r.name)
	}
	delete(c.iamSt().roles, r.name)
	svc := strings.TrimSuffix(strings.TrimPrefix(r.path, iamServiceRolePathRoot), "/")
	return struct {
		DeletionTaskId string `xml:"DeletionTaskId"`
	}{"task/aws-service-role/" + svc + "/" + r.name + "/" + c.sim.lowerID(8) + "-" + c.sim.lowerID(4) + "-" + c.sim.lowerID(4) + "-" + c.sim.lowerID(4) + "-" + c.sim.lowerID(12)}, nil
}

// iamGetServiceLinkedRoleDeletionStatus: orgsim deletes service-linked roles
// at once, so every well-formed task has succeeded.
func iamGetServiceLinkedRoleDeletionStatus(c *call) (any, *apiError) {
	v := c.iamValidate()
	id := v.str("DeletionTaskId", true, 1, 1000, nil)
	if e := v.err(); e != nil {
		return nil, e
	}
	if !strings.HasPrefix(id, "task/aws-service-role/") {
		return nil, newErr(404, "NoSuchEntity", "Deletion task %s cannot be found.", id)
	}
	return struct {
		Status string `xml:"Status"`
	}{"SUCCEEDED"}, nil
}
