package orgsim

import (
	"strings"
)

// IAM: groups.

func iamListGroups(c *call) (any, *apiError) {
	v := c.iamValidate()
	prefix := v.pathPrefix()
	if e := v.err(); e != nil {
		return nil, e
	}
	var groups []iamXGroup
	for _, g := range c.iamSt().sortedGroups() {
		if strings.HasPrefix(g.path, prefix) {
			groups = append(groups, xGroup(g))
		}
	}
	start, end, pg, e := c.iamPage(len(groups))
	if e != nil {
		return nil, e
	}
	return struct {
		Groups iamMembers[iamXGroup] `xml:"Groups"`
		iamPageOut
	}{groups[start:end], pg}, nil
}

func (c *call) iamGroupArg() (*iamGroup, *apiError) {
	v := c.iamValidate()
	name := v.name("GroupName", true, 128)
	if e := v.err(); e != nil {
		return nil, e
	}
	g := c.iamSt().findGroup(name)
	if g == nil {
		return nil, iamNoGroup(name)
	}
	return g, nil
}

func iamGetGroup(c *call) (any, *apiError) {
	g, e := c.iamGroupArg()
	if e != nil {
		return nil, e
	}
	members := c.iamSt().groupMembers(g.name)
	start, end, pg, e := c.iamPage(len(members))
	if e != nil {
		return nil, e
	}
	out := struct {
		Group iamXGroup            `xml:"Group"`
		Users iamMembers[iamXUser] `xml:"Users"`
		iamPageOut
	}{Group: xGroup(g), iamPageOut: pg}
	for _, u := range members[start:end] {
		out.Users = append(out.Users, xUser(u, false))
	}
	return out, nil
}

func iamCreateGroup(c *call) (any, *apiError) {
	v := c.iamValidate()
	name := v.name("GroupName", true, 128)
	path := v.path("Path")
	if e := v.err(); e != nil {
		return nil, e
	}
	st := c.iamSt()
	if st.findGroup(name) != nil {
		return nil, newErr(409, "EntityAlreadyExists", "Group with name %s already exists.", name)
	}
	if len(st.groups) >= iamMaxGroups {
		return nil, newErr(409, "LimitExceeded", "Cannot exceed quota for GroupsPerAccount: %d", iamMaxGroups)
	}
	g := &iamGroup{name: name, path: path, id: "AGPA" + c.sim.randomID(17), created: c.now,
		arn: c.sim.iamARN(c.acct.ID, "group", path, name), inline: map[string]*policyDoc{}}
	st.groups[name] = g
	return struct {
		Group iamXGroup `xml:"Group"`
	}{xGroup(g)}, nil
}

func iamDeleteGroup(c *call) (any, *apiError) {
	g, e := c.iamGroupArg()
	if e != nil {
		return nil, e
	}
	st := c.iamSt()
	switch {
	case len(st.groupMembers(g.name)) > 0:
		return nil, newErr(409, "DeleteConflict", "Cannot delete entity, must remove users from group first.")
	case len(g.attached) > 0:
		return nil, newErr(409, "DeleteConflict", "Cannot delete entity, must detach all policies first.")
	case len(g.inline) > 0:
		return nil, newErr(409, "DeleteConflict", "Cannot delete entity, must delete policies first.")
	}
	delete(st.groups, g.name)
	return nil, nil
}

func (c *call) iamMembershipArgs() (*iamGroup, *iamUser, *apiError) {
	v := c.iamValidate()
	gname := v.name("GroupName", true, 128)
	uname := v.name("UserName", true, 64)
	if e := v.err(); e != nil {
		return nil, nil, e
	}
	st := c.iamSt()
	g := st.findGroup(gname)
	if g == nil {
		return nil, nil, iamNoGroup(gname)
	}
	u := st.findUser(uname)
	if u == nil {
		return nil, nil, iamNoUser(uname)
	}
	return g, u, nil
}

func iamAddUserToGroup(c *call) (any, *apiError) {
	g, u, e := c.iamMembershipArgs()
	if e != nil {
		return nil, e
	}
	if iamCount(u.groups, g.name) > 0 {
		return nil, nil
	}
	if len(u.groups) >= iamMaxGroupsPerUser {
		return nil, newErr(409, "LimitExceeded", "Cannot exceed quota for GroupsPerUser: %d", iamMaxGroupsPerUser)
	}
	u.groups = append(u.groups, g.name)
	return nil, nil
}

func iamRemoveUserFromGroup(c *call) (any, *apiError) {
	g, u, e := c.iamMembershipArgs()
	if e != nil {
		return nil, e
	}
	list, ok := iamRemove(u.groups, g.name)
	if !ok {
		return nil, iamNoUser(u.name)
	}
	u.groups = list
	return nil, nil
}

func iamListGroupsForUser(c *call) (any, *apiError) {
	u, e := c.iamRequireUser()
	if e != nil {
		return nil, e
	}
	st := c.iamSt()
	var groups []iamXGroup
	for _, name := range u.groups {
		if g := st.findGroup(name); g != nil {
			groups = append(groups, xGroup(g))
		}
	}
	start, end, pg, e := c.iamPage(len(groups))
	if e != nil {
		return nil, e
	}
	return struct {
		Groups iamMembers[iamXGroup] `xml:"Groups"`
		iamPageOut
	}{groups[start:end], pg}, nil
}
