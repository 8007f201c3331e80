package orgsim

import (
	"sort"
	"strings"

	"github.com/orgbaseline/orgbaseline/internal/iampolicy"
)

// IAM: policies attached to and embedded in users, groups and roles.

// iamEntity is a user, group or role as the policy operations see it.
type iamEntity struct {
	kind      string // user | group | role
	name      string
	attached  *[]string
	inline    *map[string]*policyDoc
	sizeLimit int    // aggregate inline policy size
	quota     string // PoliciesPerUser | PoliciesPerGroup | PoliciesPerRole
	protected bool   // a service-linked role: only AWS may change it
}

// iamEntityArg resolves the UserName, GroupName or RoleName parameter.
func (c *call) iamEntityArg(kind string) (*iamEntity, *apiError) {
	st := c.iamSt()
	v := c.iamValidate()
	switch kind {
	case "user":
		name := v.name("UserName", true, 128)
		if e := v.err(); e != nil {
			return nil, e
		}
		u := st.findUser(name)
		if u == nil {
			return nil, iamNoUser(name)
		}
		return &iamEntity{kind: kind, name: u.name, attached: &u.attached, inline: &u.inline, sizeLimit: iamUserInlineSize, quota: "PoliciesPerUser"}, nil
	case "group":
		name := v.name("GroupName", true, 128)
		if e := v.err(); e != nil {
			return nil, e
		}
		g := st.findGroup(name)
		if g == nil {
			return nil, iamNoGroup(name)
		}
		return &iamEntity{kind: kind, name: g.name, attached: &g.attached, inline: &g.inline, sizeLimit: iamGroupInlineSize, quota: "PoliciesPerGroup"}, nil
	default:
		name := v.name("RoleName", true, 64)
		if e := v.err(); e != nil {
			return nil, e
		}
		r := st.findRole(name)
		if r == nil {
			return nil, iamNoRole(name)
		}
		return &iamEntity{kind: kind, name: r.name, attached: &r.attached, inline: &r.inline, sizeLimit: iamRoleInlineSize, quota: "PoliciesPerRole",
			protected: strings.HasPrefix(r.path, iamServiceRolePathRoot)}, nil
	}
}

func iamProtectedRole(name string) *apiError {
	return newErr(400, "UnmodifiableEntity", "Cannot perform the operation on the protected role '%s' - this role is only modifiable by AWS", name)
}

func (c *call) iamAttach(kind string) (any, *apiError) {
	ent, e := c.iamEntityArg(kind)
	if e != nil {
		return nil, e
	}
	v := c.iamValidate()
	arn := v.policyARN()
	if e := v.err(); e != nil {
		return nil, e
	}
	if ent.protected {
		return nil, iamProtectedRole(ent.name)
	}
	if c.iamManagedPolicy(arn) == nil {
		return nil, iamNotAttachable(arn)
	}
	if iamCount(*ent.attached, arn) > 0 {
		return nil, nil
	}
	if len(*ent.attached) >= iamMaxAttached {
		return nil, newErr(409, "LimitExceeded", "Cannot exceed quota for %s: %d", ent.quota, iamMaxAttached)
	}
	*ent.attached = append(*ent.attached, arn)
	return nil, nil
}

func (c *call) iamDetach(kind string) (any, *apiError) {
	ent, e := c.iamEntityArg(kind)
	if e != nil {
		return nil, e
	}
	v := c.iamValidate()
	arn := v.policyARN()
	if e := v.err(); e != nil {
		return nil, e
	}
	if ent.protected {
		return nil, iamProtectedRole(ent.name)
	}
	list, ok := iamRemove(*ent.attached, arn)
	if !ok {
		return nil, iamPolicyNotFound(arn)
	}
	*ent.attached = list
	return nil, nil
}

func (c *call) iamListAttached(kind string) (any, *apiError) {
	ent, e := c.iamEntityArg(kind)
	if e != nil {
		return nil, e
	}
	v := c.iamValidate()
	prefix := v.pathPrefix()
	if e := v.err(); e != nil {
		return nil, e
	}
	var list []iamXAttached
	for _, arn := range *ent.attached {
		p := c.iamManagedPolicy(arn)
		name, path := arn[strings.LastIndexByte(arn, '/')+1:], "/"
		if p != nil {
			name, path = p.name, p.path
		}
		if strings.HasPrefix(path, prefix) {
			list = append(list, iamXAttached{PolicyName: name, PolicyArn: arn})
		}
	}
	start, end, pg, e := c.iamPage(len(list))
	if e != nil {
		return nil, e
	}
	return struct {
		AttachedPolicies iamMembers[iamXAttached] `xml:"AttachedPolicies"`
		iamPageOut
	}{list[start:end], pg}, nil
}

func (c *call) iamPutInline(kind string) (any, *apiError) {
	ent, e := c.iamEntityArg(kind)
	if e != nil {
		return nil, e
	}
	v := c.iamValidate()
	name := v.name("PolicyName", true, 128)
	text := v.doc("PolicyDocument")
	if e := v.err(); e != nil {
		return nil, e
	}
	if ent.protected {
		return nil, iamProtectedRole(ent.name)
	}
	doc, e := iamParseDoc(text, iampolicy.KindIdentity)
	if e != nil {
		return nil, e
	}
	size := iamDocSize(text)
	for n, d := range *ent.inline {
		if n != name {
			size += iamDocSize(d.text)
		}
	}
	if size > ent.sizeLimit {
		return nil, newErr(409, "LimitExceeded", "Maximum policy size of %d bytes exceeded for %s %s", ent.sizeLimit, ent.kind, ent.name)
	}
	if *ent.inline == nil {
		*ent.inline = map[string]*policyDoc{}
	}
	(*ent.inline)[name] = doc
	return nil, nil
}

func (c *call) iamInlineArg(kind string) (*iamEntity, string, *apiError) {
	ent, e := c.iamEntityArg(kind)
	if e != nil {
		return nil, "", e
	}
	v := c.iamValidate()
	name := v.name("PolicyName", true, 128)
	if e := v.err(); e != nil {
		return nil, "", e
	}
	if (*ent.inline)[name] == nil {
		return nil, "", newErr(404, "NoSuchEntity", "The %s policy with name %s cannot be found.", ent.kind, name)
	}
	return ent, name, nil
}

func (c *call) iamGetInline(kind string) (any, *apiError) {
	ent, name, e := c.iamInlineArg(kind)
	if e != nil {
		return nil, e
	}
	doc := iamEncodeDoc((*ent.inline)[name])
	switch kind {
	case "user":
		return struct {
			UserName       string `xml:"UserName"`
			PolicyName     string `xml:"PolicyName"`
			PolicyDocument string `xml:"PolicyDocument"`
		}{ent.name, name, doc}, nil
	case "group":
		return struct {
			GroupName      string `xml:"GroupName"`
			PolicyName     string `xml:"PolicyName"`
			PolicyDocument string `xml:"PolicyDocument"`
		}{ent.name, name, doc}, nil
	default:
		return struct {
			RoleName       string `xml:"RoleName"`
			PolicyName     string `xml:"PolicyName"`
			PolicyDocument string `xml:"PolicyDocument"`
		}{ent.name, name, doc}, nil
	}
}

func (c *call) iamDeleteInline(kind string) (any, *apiError) {
	ent, name, e := c.iamInlineArg(kind)
	if e != nil {
		return nil, e
	}
	if ent.protected {
		return nil, iamProtectedRole(ent.name)
	}
	delete(*ent.inline, name)
	return nil, nil
}

func (c *call) iamListInline(kind string) (any, *apiError) {
	ent, e := c.iamEntityArg(kind)
	if e != nil {
		return nil, e
	}
	names := make([]string, 0, len(*ent.inline))
	for n := range *ent.inline {
		names = append(names, n)
	}
	sort.Slice(names, func(i, j int) bool { return iamLess(names[i], names[j]) })
	start, end, pg, e := c.iamPage(len(names))
	if e != nil {
		return nil, e
	}
	return struct {
		PolicyNames iamMembers[string] `xml:"PolicyNames"`
		iamPageOut
	}{names[start:end], pg}, nil
}

func iamAttachUserPolicy(c *call) (any, *apiError)          { return c.iamAttach("user") }
func iamDetachUserPolicy(c *call) (any, *apiError)          { return c.iamDetach("user") }
func iamListAttachedUserPolicies(c *call) (any, *apiError)  { return c.iamListAttached("user") }
func iamPutUserPolicy(c *call) (any, *apiError)             { return c.iamPutInline("user") }
func iamGetUserPolicy(c *call) (any, *apiError)             { return c.iamGetInline("user") }
func iamDeleteUserPolicy(c *call) (any, *apiError)          { return c.iamDeleteInline("user") }
func iamListUserPolicies(c *call) (any, *apiError)          { return c.iamListInline("user") }
func iamAttachGroupPolicy(c *call) (any, *apiError)         { return c.iamAttach("group") }
func iamDetachGroupPolicy(c *call) (any, *apiError)         { return c.iamDetach("group") }
func iamListAttachedGroupPolicies(c *call) (any, *apiError) { return c.iamListAttached("group") }
func iamPutGroupPolicy(c *call) (any, *apiError)            { return c.iamPutInline("group") }
func iamGetGroupPolicy(c *call) (any, *apiError)            { return c.iamGetInline("group") }
func iamDeleteGroupPolicy(c *call) (any, *apiError)         { return c.iamDeleteInline("group") }
func iamListGroupPolicies(c *call) (any, *apiError)         { return c.iamListInline("group") }
func iamAttachRolePolicy(c *call) (any, *apiError)          { return c.iamAttach("role") }
func iamDetachRolePolicy(c *call) (any, *apiError)          { return c.iamDetach("role") }
func iamListAttachedRolePolicies(c *call) (any, *apiError)  { return c.iamListAttached("role") }
func iamPutRolePolicy(c *call) (any, *apiError)             { return c.iamPutInline("role") }
func iamGetRolePolicy(c *call) (any, *apiError)             { return c.iamGetInline("role") }
func iamDeleteRolePolicy(c *call) (any, *apiError)          { return c.iamDeleteInline("role") }
func iamListRolePolicies(c *call) (any, *apiError)          { return c.iamListInline("role") }
