package orgsim

import (
	"strings"
)

// IAM: users.

func iamListUsers(c *call) (any, *apiError) {
	v := c.iamValidate()
	prefix := v.pathPrefix()
	if e := v.err(); e != nil {
		return nil, e
	}
	var users []*iamUser
	for _, u := range c.iamSt().sortedUsers() {
		if strings.HasPrefix(u.path, prefix) {
			users = append(users, u)
		}
	}
	start, end, pg, e := c.iamPage(len(users))
	if e != nil {
		return nil, e
	}
	out := struct {
		Users iamMembers[iamXUser] `xml:"Users"`
		iamPageOut
	}{iamPageOut: pg}
	for _, u := range users[start:end] {
		out.Users = append(out.Users, xUser(u, false))
	}
	return out, nil
}

// iamUserArg resolves the UserName parameter (or the calling user when it
// is omitted); root is true when the root user acts on itself.
func (c *call) iamUserArg() (u *iamUser, root bool, e *apiError) {
	v := c.iamValidate()
	v.name("UserName", false, 128)
	if e := v.err(); e != nil {
		return nil, false, e
	}
	name := c.iamTargetUserName()
	if name == "" {
		if c.caller.kind == principalRoot {
			return nil, true, nil
		}
		return nil, false, iamNonUserCaller()
	}
	if u = c.iamSt().findUser(name); u == nil {
		return nil, false, iamNoUser(name)
	}
	return u, false, nil
}

// iamRequireUser resolves a required UserName parameter.
func (c *call) iamRequireUser() (*iamUser, *apiError) {
	v := c.iamValidate()
	name := v.name("UserName", true, 128)
	if e := v.err(); e != nil {
		return nil, e
	}
	u := c.iamSt().findUser(name)
	if u == nil {
		return nil, iamNoUser(name)
	}
	return u, nil
}

func iamGetUser(c *call) (any, *apiError) {
	u, root, e := c.iamUserArg()
	if e != nil {
		return nil, e
	}
	type result struct {
		User iamXUser `xml:"User"`
	}
	if root {
		st := c.iamSt()
		return result{User: iamXUser{UserId: c.acct.ID, Arn: c.caller.arn, CreateDate: iso(st.root.created), PasswordLastUsed: iso(st.root.passwordLastUsed)}}, nil
	}
	return result{User: xUser(u, true)}, nil
}

func iamCreateUser(c *call) (any, *apiError) {
	v := c.iamValidate()
	name := v.name("UserName", true, 64)
	path := v.path("Path")
	v.str("PermissionsBoundary", false, 20, 2048, nil)
	tags := v.tags()
	if e := v.err(); e != nil {
		return nil, e
	}
	st := c.iamSt()
	if st.findUser(name) != nil {
		return nil, newErr(409, "EntityAlreadyExists", "User with name %s already exists.", name)
	}
	if len(st.users) >= iamMaxUsers {
		return nil, newErr(409, "LimitExceeded", "Cannot exceed quota for UsersPerAccount: %d", iamMaxUsers)
	}
	u := &iamUser{
		name: name, path: path, id: "AIDA" + c.sim.randomID(17), created: c.now,
		arn: c.sim.iamARN(c.acct.ID, "user", path, name), inline: map[string]*policyDoc{}, tags: tags,
	}
	st.users[name] = u
	return struct {
		User iamXUser `xml:"User"`
	}{xUser(u, true)}, nil
}

func iamDeleteUser(c *call) (any, *apiError) {
	u, e := c.iamRequireUser()
	if e != nil {
		return nil, e
	}
	conflict := func(what string) *apiError {
		return newErr(409, "DeleteConflict", "Cannot delete entity, must %s first.", what)
	}
	switch {
	case u.login != nil:
		return nil, conflict("delete login profile")
	case len(u.accessKeys) > 0:
		return nil, conflict("delete access keys")
	case len(u.mfa) > 0:
		return nil, conflict("delete MFA device")
	case len(u.attached) > 0:
		return nil, conflict("detach all policies")
	case len(u.inline) > 0:
		return nil, conflict("delete policies")
	case len(u.groups) > 0:
		return nil, conflict("remove users from group")
	}
	delete(c.iamSt().users, u.name)
	return nil, nil
}
