package orgsim

// IAM: resources for authorization.

// iamTargetUser returns the user an operation acts on: UserName, or the
// calling user when it is omitted. It is nil (and root true) when the caller
// is the root user acting on itself.
func (c *call) iamTargetUserName() string {
	if n := c.form.Get("UserName"); n != "" {
		return n
	}
	if c.caller.kind == principalUser {
		return c.caller.userName
	}
	return ""
}

func iamUserResource(c *call) string {
	name := c.iamTargetUserName()
	if name == "" {
		if c.caller.kind == principalRoot {
			return c.caller.arn
		}
		return "*"
	}
	if u := c.iamSt().findUser(name); u != nil {
		return u.arn
	}
	return c.sim.iamARN(c.acct.ID, "user", "/", name)
}

func iamNewUserResource(c *call) string {
	return c.sim.iamARN(c.acct.ID, "user", iamPathOr(c.form.Get("Path")), c.form.Get("UserName"))
}

// iamAccessKeyResource is the user whose key GetAccessKeyLastUsed reads,
// or the root user for one of its keys (resource type user, and the root
// user's ARN for its own keys, which is what the audit task policy's
// "NotResource": "arn:aws:iam::*:root" lets a root session read).
func iamAccessKeyResource(c *call) string {
	st := c.iamSt()
	id := c.form.Get("AccessKeyId")
	if u, _ := st.findKey(id); u != nil {
		return u.arn
	}
	if st.findRootKey(id) != nil {
		return c.sim.arn("iam", "", c.acct.ID, "root")
	}
	return "*"
}

func iamRoleResource(c *call) string {
	name := c.form.Get("RoleName")
	if r := c.iamSt().findRole(name); r != nil {
		return r.arn
	}
	return c.sim.iamARN(c.acct.ID, "role", "/", name)
}

func iamNewRoleResource(c *call) string {
	return c.sim.iamARN(c.acct.ID, "role", iamPathOr(c.form.Get("Path")), c.form.Get("RoleName"))
}

func iamGroupResource(c *call) string {
	name := c.form.Get("GroupName")
	if g := c.iamSt().findGroup(name); g != nil {
		return g.arn
	}
	return c.sim.iamARN(c.acct.ID, "group", "/", name)
}

func iamNewGroupResource(c *call) string {
	return c.sim.iamARN(c.acct.ID, "group", iamPathOr(c.form.Get("Path")), c.form.Get("GroupName"))
}

func iamPolicyResource(c *call) string {
	if a := c.form.Get("PolicyArn"); a != "" {
		return a
	}
	return "*"
}

func iamNewPolicyResource(c *call) string {
	return c.sim.iamARN(c.acct.ID, "policy", iamPathOr(c.form.Get("Path")), c.form.Get("PolicyName"))
}

func iamServiceLinkedRoleResource(c *call) string {
	svc := c.form.Get("AWSServiceName")
	name := "AWSServiceRoleFor" + svc
	if d, ok := iamServiceLinkedRoles[svc]; ok {
		name = d.role
	}
	if s := c.form.Get("CustomSuffix"); s != "" {
		name += "_" + s
	}
	return c.sim.iamARN(c.acct.ID, "role", iamServiceRolePathRoot+svc+"/", name)
}
