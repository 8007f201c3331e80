package orgsim

import (
	"sort"
	"strconv"
	"strings"

	"github.com/orgbaseline/orgbaseline/internal/iampolicy"
)

// IAM: managed policies.

// allPolicies returns the AWS managed and customer managed policies, sorted
// by name (then ARN).
func (st *iamState) allPolicies() []*iamManagedPolicy {
	out := make([]*iamManagedPolicy, 0, len(st.awsPolicies)+len(st.policies))
	for _, p := range st.awsPolicies {
		out = append(out, p)
	}
	for _, p := range st.policies {
		out = append(out, p)
	}
	sort.Slice(out, func(i, j int) bool {
		if out[i].name != out[j].name {
			return iamLess(out[i].name, out[j].name)
		}
		return out[i].arn < out[j].arn
	})
	return out
}

func iamListPolicies(c *call) (any, *apiError) {
	v := c.iamValidate()
	scope := v.enum("Scope", "All", "AWS", "Local")
	prefix := v.str("PathPrefix", false, 1, 512, &iamPatPolicyPath) // policyPathType
	usage := v.enum("PolicyUsageFilter", "PermissionsPolicy", "PermissionsBoundary")
	if e := v.err(); e != nil {
		return nil, e
	}
	onlyAttached, _ := queryBool(c.form, "OnlyAttached")
	st := c.iamSt()
	var list []iamXPolicy
	for _, p := range st.allPolicies() {
		switch {
		case scope == "AWS" && !p.awsManaged, scope == "Local" && p.awsManaged:
			continue
		case !strings.HasPrefix(p.path, prefix):
			continue
		case usage == "PermissionsBoundary": // orgsim sets no permissions boundaries
			continue
		}
		x := c.xPolicy(p, false)
		if onlyAttached && x.AttachmentCount == 0 {
			continue
		}
		list = append(list, x)
	}
	start, end, pg, e := c.iamPage(len(list))
	if e != nil {
		return nil, e
	}
	return struct {
		Policies iamMembers[iamXPolicy] `xml:"Policies"`
		iamPageOut
	}{list[start:end], pg}, nil
}

// iamPolicyArg resolves the PolicyArn parameter of a read or delete.
func (c *call) iamPolicyArg() (*iamManagedPolicy, *apiError) {
	v := c.iamValidate()
	arn := v.policyARN()
	if e := v.err(); e != nil {
		return nil, e
	}
	p := c.iamManagedPolicy(arn)
	if p == nil {
		return nil, iamPolicyNotFound(arn)
	}
	return p, nil
}

func iamGetPolicy(c *call) (any, *apiError) {
	p, e := c.iamPolicyArg()
	if e != nil {
		return nil, e
	}
	return struct {
		Policy iamXPolicy `xml:"Policy"`
	}{c.xPolicy(p, true)}, nil
}

func iamCreatePolicy(c *call) (any, *apiError) {
	v := c.iamValidate()
	name := v.name("PolicyName", true, 128)
	path := v.path("Path")
	text := v.doc("PolicyDocument")
	desc := v.str("Description", false, 0, 1000, &iamPatDesc)
	tags := v.tags()
	if e := v.err(); e != nil {
		return nil, e
	}
	st := c.iamSt()
	for _, p := range st.policies {
		if strings.EqualFold(p.name, name) {
			return nil, newErr(409, "EntityAlreadyExists", "A policy called %s already exists. Duplicate names are not allowed.", name)
		}
	}
	doc, e := iamParseDoc(text, iampolicy.KindIdentity)
	if e != nil {
		return nil, e
	}
	if iamDocSize(text) > iamManagedPolicySize {
		return nil, newErr(409, "LimitExceeded", "Cannot exceed quota for PolicySize: %d", iamManagedPolicySize)
	}
	if len(st.policies) >= iamMaxPolicies {
		return nil, newErr(409, "LimitExceeded", "Cannot exceed quota for PoliciesPerAccount: %d", iamMaxPolicies)
	}
	p := &iamManagedPolicy{
		name: name, path: path, id: "ANPA" + c.sim.randomID(17), arn: c.sim.iamARN(c.acct.ID, "policy", path, name),
		description: desc, created: c.now, updated: c.now, defaultVersion: "v1", nextVersion: 2, tags: tags,
		versions: []*policyVersion{{id: "v1", doc: doc, created: c.now}},
	}
	st.policies[p.arn] = p
	x := c.xPolicy(p, false)
	x.Tags = iamSortedTags(tags)
	return struct {
		Policy iamXPolicy `xml:"Policy"`
	}{x}, nil
}

// iamLocalPolicyArg resolves the PolicyArn of a change: only customer
// managed policies can change.
func (c *call) iamLocalPolicyArg() (*iamManagedPolicy, *apiError) {
	p, e := c.iamPolicyArg()
	if e != nil {
		return nil, e
	}
	if p.awsManaged {
		return nil, c.sim.denied(c, "iam:"+c.op, p.arn, "because AWS managed policies cannot be modified")
	}
	return p, nil
}

func iamDeletePolicy(c *call) (any, *apiError) {
	p, e := c.iamLocalPolicyArg()
	if e != nil {
		return nil, e
	}
	st := c.iamSt()
	if st.attachmentCount(p.arn) > 0 {
		return nil, newErr(409, "DeleteConflict", "Cannot delete a policy attached to entities.")
	}
	if len(p.versions) > 1 {
		return nil, newErr(409, "DeleteConflict", "This policy has more than one version. Before you delete a policy, you must delete the policy's versions. The default version is deleted with the policy.")
	}
	delete(st.policies, p.arn)
	return nil, nil
}

// iamVersionArg resolves PolicyArn and VersionId.
func (c *call) iamVersionArg() (*iamManagedPolicy, *policyVersion, *apiError) {
	v := c.iamValidate()
	id := v.str("VersionId", true, 1, 128, &iamPatVersion)
	if e := v.err(); e != nil {
		return nil, nil, e
	}
	p, e := c.iamPolicyArg()
	if e != nil {
		return nil, nil, e
	}
	for _, pv := range p.versions {
		if pv.id == id {
			return p, pv, nil
		}
	}
	return nil, nil, newErr(404, "NoSuchEntity", "Policy %s version %s does not exist or is not attachable.", p.arn, id)
}

func iamGetPolicyVersion(c *call) (any, *apiError) {
	p, pv, e := c.iamVersionArg()
	if e != nil {
		return nil, e
	}
	return struct {
		PolicyVersion iamXPolicyVersion `xml:"PolicyVersion"`
	}{iamXPolicyVersion{Document: iamEncodeDoc(pv.doc), VersionId: pv.id, IsDefaultVersion: pv.id == p.defaultVersion, CreateDate: iso(pv.created)}}, nil
}

func iamListPolicyVersions(c *call) (any, *apiError) {
	p, e := c.iamPolicyArg()
	if e != nil {
		return nil, e
	}
	// Newest first.
	list := make([]iamXPolicyVersion, 0, len(p.versions))
	for i := len(p.versions) - 1; i >= 0; i-- {
		pv := p.versions[i]
		list = append(list, iamXPolicyVersion{VersionId: pv.id, IsDefaultVersion: pv.id == p.defaultVersion, CreateDate: iso(pv.created)})
	}
	start, end, pg, e := c.iamPage(len(list))
	if e != nil {
		return nil, e
	}
	return struct {
		Versions iamMembers[iamXPolicyVersion] `xml:"Versions"`
		iamPageOut
	}{list[start:end], pg}, nil
}

func iamCreatePolicyVersion(c *call) (any, *apiError) {
	v := c.iamValidate()
	text := v.doc("PolicyDocument")
	if e := v.err(); e != nil {
		return nil, e
	}
	p, e := c.iamLocalPolicyArg()
	if e != nil {
		return nil, e
	}
	if len(p.versions) >= iamMaxPolicyVersions {
		return nil, newErr(409, "LimitExceeded", "A managed policy can have up to %d versions. Before you create a new version, you must delete an existing version.", iamMaxPolicyVersions)
	}
	doc, e := iamParseDoc(text, iampolicy.KindIdentity)
	if e != nil {
		return nil, e
	}
	if iamDocSize(text) > iamManagedPolicySize {
		return nil, newErr(409, "LimitExceeded", "Cannot exceed quota for PolicySize: %d", iamManagedPolicySize)
	}
	n := p.nextVersion
	if n == 0 {
		n = len(p.versions) + 1
		for _, pv := range p.versions {
			if k, err := strconv.Atoi(strings.TrimPrefix(pv.id, "v")); err == nil && k >= n {
				n = k + 1
			}
		}
	}
	p.nextVersion = n + 1
	pv := &policyVersion{id: "v" + strconv.Itoa(n), doc: doc, created: c.now}
	p.versions = append(p.versions, pv)
	if def, _ := queryBool(c.form, "SetAsDefault"); def {
		p.defaultVersion = pv.id
	}
	p.updated = c.now
	return struct {
		PolicyVersion iamXPolicyVersion `xml:"PolicyVersion"`
	}{iamXPolicyVersion{VersionId: pv.id, IsDefaultVersion: pv.id == p.defaultVersion, CreateDate: iso(pv.created)}}, nil
}

func iamDeletePolicyVersion(c *call) (any, *apiError) {
	p, pv, e := c.iamVersionArg()
	if e != nil {
		return nil, e
	}
	if p.awsManaged {
		return nil, c.sim.denied(c, "iam:"+c.op, p.arn, "because AWS managed policies cannot be modified")
	}
	if pv.id == p.defaultVersion {
		return nil, newErr(409, "DeleteConflict", "Cannot delete the default version of a policy.")
	}
	for i, x := range p.versions {
		if x == pv {
			p.versions = append(p.versions[:i:i], p.versions[i+1:]...)
			break
		}
	}
	return nil, nil
}

func iamSetDefaultPolicyVersion(c *call) (any, *apiError) {
	p, pv, e := c.iamVersionArg()
	if e != nil {
		return nil, e
	}
	if p.awsManaged {
		return nil, c.sim.denied(c, "iam:"+c.op, p.arn, "because AWS managed policies cannot be modified")
	}
	p.defaultVersion = pv.id
	p.updated = c.now
	return nil, nil
}

func iamListEntitiesForPolicy(c *call) (any, *apiError) {
	v := c.iamValidate()
	filter := v.enum("EntityFilter", "User", "Role", "Group", "LocalManagedPolicy", "AWSManagedPolicy")
	prefix := v.str("PathPrefix", false, 1, 512, &iamPatPath) // pathType
	usage := v.enum("PolicyUsageFilter", "PermissionsPolicy", "PermissionsBoundary")
	if e := v.err(); e != nil {
		return nil, e
	}
	p, e := c.iamPolicyArg()
	if e != nil {
		return nil, e
	}
	arn := p.arn
	type entity struct{ kind, name, id string }
	var list []entity
	st := c.iamSt()
	want := func(kind string) bool {
		switch filter {
		case "":
			return true
		case "LocalManagedPolicy":
			return !p.awsManaged
		case "AWSManagedPolicy":
			return p.awsManaged
		}
		return filter == kind
	}
	if usage != "PermissionsBoundary" {
		if want("Group") {
			for _, g := range st.sortedGroups() {
				if iamCount(g.attached, arn) > 0 && strings.HasPrefix(g.path, prefix) {
					list = append(list, entity{"Group", g.name, g.id})
				}
			}
		}
		if want("User") {
			for _, u := range st.sortedUsers() {
				if iamCount(u.attached, arn) > 0 && strings.HasPrefix(u.path, prefix) {
					list = append(list, entity{"User", u.name, u.id})
				}
			}
		}
		if want("Role") {
			for _, r := range st.sortedRoles() {
				if iamCount(r.attached, arn) > 0 && strings.HasPrefix(r.path, prefix) {
					list = append(list, entity{"Role", r.name, r.id})
				}
			}
		}
	}
	start, end, pg, e := c.iamPage(len(list))
	if e != nil {
		return nil, e
	}
	type xg struct {
		GroupName string `xml:"GroupName"`
		GroupId   string `xml:"GroupId"`
	}
	type xu struct {
		UserName string `xml:"UserName"`
		UserId   string `xml:"UserId"`
	}
	type xr struct {
		RoleName string `xml:"RoleName"`
		RoleId   string `xml:"RoleId"`
	}
	out := struct {
		PolicyGroups iamMembers[xg] `xml:"PolicyGroups"`
		PolicyUsers  iamMembers[xu] `xml:"PolicyUsers"`
		PolicyRoles  iamMembers[xr] `xml:"PolicyRoles"`
		iamPageOut
	}{iamPageOut: pg}
	for _, x := range list[start:end] {
		switch x.kind {
		case "Group":
			out.PolicyGroups = append(out.PolicyGroups, xg{x.name, x.id})
		case "User":
			out.PolicyUsers = append(out.PolicyUsers, xu{x.name, x.id})
		default:
			out.PolicyRoles = append(out.PolicyRoles, xr{x.name, x.id})
		}
	}
	return out, nil
}
