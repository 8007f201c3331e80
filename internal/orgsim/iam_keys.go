package orgsim

// IAM: access keys.

type iamXAccessKeyMeta struct {
	UserName    string   `xml:"UserName,omitempty"`
	AccessKeyId string   `xml:"AccessKeyId"`
	Status      string   `xml:"Status"`
	CreateDate  *isoTime `xml:"CreateDate"`
}

// keysOf returns the access keys of u, or of the root user when u is nil.
func (c *call) keysOf(u *iamUser) *[]*accessKey {
	if u == nil {
		return &c.iamSt().root.accessKeys
	}
	return &u.accessKeys
}

// findKey finds an access key of the account: its user (nil for the root
// user's keys) and the key.
func (st *iamState) findKey(id string) (*iamUser, *accessKey) {
	for _, u := range st.users {
		for _, k := range u.accessKeys {
			if k.id == id {
				return u, k
			}
		}
	}
	return nil, nil
}

func (st *iamState) findRootKey(id string) *accessKey {
	for _, k := range st.root.accessKeys {
		if k.id == id {
			return k
		}
	}
	return nil
}

func iamListAccessKeys(c *call) (any, *apiError) {
	u, _, e := c.iamUserArg()
	if e != nil {
		return nil, e
	}
	keys := *c.keysOf(u)
	start, end, pg, e := c.iamPage(len(keys))
	if e != nil {
		return nil, e
	}
	out := struct {
		AccessKeyMetadata iamMembers[iamXAccessKeyMeta] `xml:"AccessKeyMetadata"`
		iamPageOut
	}{iamPageOut: pg}
	for _, k := range keys[start:end] {
		m := iamXAccessKeyMeta{AccessKeyId: k.id, Status: k.status, CreateDate: iso(k.created)}
		if u != nil {
			m.UserName = u.name
		}
		out.AccessKeyMetadata = append(out.AccessKeyMetadata, m)
	}
	return out, nil
}

func iamCreateAccessKey(c *call) (any, *apiError) {
	u, _, e := c.iamUserArg()
	if e != nil {
		return nil, e
	}
	keys := c.keysOf(u)
	if len(*keys) >= iamMaxAccessKeys {
		return nil, newErr(409, "LimitExceeded", "Cannot exceed quota for AccessKeysPerUser: %d", iamMaxAccessKeys)
	}
	p := c.sim.rootPrincipal(c.acct.ID)
	if u != nil {
		p = &principal{kind: principalUser, account: c.acct.ID, arn: u.arn, userID: u.id, userName: u.name}
	}
	cred := c.sim.mint(p)
	k := &accessKey{id: cred.accessKey, secret: cred.secret, status: "Active", created: c.now}
	*keys = append(*keys, k)
	type xKey struct {
		UserName        string   `xml:"UserName,omitempty"`
		AccessKeyId     string   `xml:"AccessKeyId"`
		Status          string   `xml:"Status"`
		SecretAccessKey string   `xml:"SecretAccessKey"`
		CreateDate      *isoTime `xml:"CreateDate"`
	}
	x := xKey{AccessKeyId: k.id, Status: k.status, SecretAccessKey: k.secret, CreateDate: iso(k.created)}
	if u != nil {
		x.UserName = u.name
	}
	return struct {
		AccessKey xKey `xml:"AccessKey"`
	}{x}, nil
}

// iamKeyArg resolves UserName and AccessKeyId to the key.
func (c *call) iamKeyArg() (*iamUser, *accessKey, *apiError) {
	v := c.iamValidate()
	id := v.str("AccessKeyId", true, 16, 128, &iamPatKeyID)
	if e := v.err(); e != nil {
		return nil, nil, e
	}
	u, _, e := c.iamUserArg()
	if e != nil {
		return nil, nil, e
	}
	for _, k := range *c.keysOf(u) {
		if k.id == id {
			return u, k, nil
		}
	}
	return nil, nil, newErr(404, "NoSuchEntity", "The Access Key with id %s cannot be found.", id)
}

func iamUpdateAccessKey(c *call) (any, *apiError) {
	v := c.iamValidate()
	status := v.enum("Status", "Active", "Inactive", "Expired")
	if !c.form.Has("Status") {
		v.msgs = append(v.msgs, "Value null at 'status' failed to satisfy constraint: Member must not be null")
	}
	if e := v.err(); e != nil {
		return nil, e
	}
	if status == "Expired" {
		return nil, newErr(400, "InvalidInput", "Access key status can only be set to Active or Inactive.")
	}
	u, k, e := c.iamKeyArg()
	if e != nil {
		return nil, e
	}
	k.status = status
	if status == "Active" {
		c.registerKey(k, u)
	} else {
		c.unregisterKey(k.id)
	}
	return nil, nil
}

func iamDeleteAccessKey(c *call) (any, *apiError) {
	u, k, e := c.iamKeyArg()
	if e != nil {
		return nil, e
	}
	keys := c.keysOf(u)
	for i, x := range *keys {
		if x == k {
			*keys = append((*keys)[:i:i], (*keys)[i+1:]...)
			break
		}
	}
	c.unregisterKey(k.id)
	return nil, nil
}

func iamGetAccessKeyLastUsed(c *call) (any, *apiError) {
	v := c.iamValidate()
	id := v.str("AccessKeyId", true, 16, 128, &iamPatKeyID)
	if e := v.err(); e != nil {
		return nil, e
	}
	st := c.iamSt()
	u, k := st.findKey(id)
	name := ""
	if k != nil {
		name = u.name
	} else if k = st.findRootKey(id); k != nil {
		name = "root"
	} else {
		return nil, newErr(404, "NoSuchEntity", "The Access Key with id %s cannot be found.", id)
	}
	type lastUsed struct {
		LastUsedDate *isoTime `xml:"LastUsedDate,omitempty"`
		ServiceName  string   `xml:"ServiceName"`
		Region       string   `xml:"Region"`
	}
	lu := lastUsed{ServiceName: "N/A", Region: "N/A"}
	if !k.lastUsed.IsZero() {
		lu = lastUsed{LastUsedDate: iso(k.lastUsed), ServiceName: k.lastUsedService, Region: k.lastUsedRegion}
	}
	return struct {
		UserName          string   `xml:"UserName"`
		AccessKeyLastUsed lastUsed `xml:"AccessKeyLastUsed"`
	}{name, lu}, nil
}
