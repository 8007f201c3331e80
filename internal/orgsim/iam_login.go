package orgsim

import (
	"strconv"
	"strings"
	"unicode/utf8"
)

// IAM: login profiles.

type iamXLoginProfile struct {
	UserName              string   `xml:"UserName"`
	CreateDate            *isoTime `xml:"CreateDate"`
	PasswordResetRequired bool     `xml:"PasswordResetRequired"`
}

func iamNoLoginProfile(name string) *apiError {
	return newErr(404, "NoSuchEntity", "Login Profile for User %s cannot be found.", name)
}

func iamGetLoginProfile(c *call) (any, *apiError) {
	u, root, e := c.iamUserArg()
	if e != nil {
		return nil, e
	}
	if c.rootSessionLogin(root) {
		// A root session reads the root user's password (iam_rootaccess.go).
		lp := c.iamSt().root.login
		if lp == nil {
			return nil, iamNoLoginProfile(rootLoginProfileName)
		}
		return struct {
			LoginProfile iamXLoginProfile `xml:"LoginProfile"`
		}{iamXLoginProfile{UserName: rootLoginProfileName, CreateDate: iso(lp.created), PasswordResetRequired: lp.resetRequired}}, nil
	}
	if root {
		return nil, iamNoLoginProfile("root")
	}
	if u.login == nil {
		return nil, iamNoLoginProfile(u.name)
	}
	return struct {
		LoginProfile iamXLoginProfile `xml:"LoginProfile"`
	}{iamXLoginProfile{UserName: u.name, CreateDate: iso(u.login.created), PasswordResetRequired: u.login.resetRequired}}, nil
}

// checkPassword applies the account password policy (or AWS's default one:
// at least 8 characters) to a new password.
func (c *call) checkPassword(pw string) *apiError {
	pp := c.iamSt().passwordPolicy
	min := 8
	if pp != nil {
		min = pp.MinimumPasswordLength
	}
	violation := func(msg string) *apiError { return newErr(400, "PasswordPolicyViolation", "%s", msg) }
	if utf8.RuneCountInString(pw) < min {
		return violation("Password should have a minimum length of " + strconv.Itoa(min))
	}
	if pp == nil {
		return nil
	}
	has := func(f func(r rune) bool) bool {
		for _, r := range pw {
			if f(r) {
				return true
			}
		}
		return false
	}
	switch {
	case pp.RequireUppercaseCharacters && !has(func(r rune) bool { return r >= 'A' && r <= 'Z' }):
		return violation("Password should have at least one uppercase letter")
	case pp.RequireLowercaseCharacters && !has(func(r rune) bool { return r >= 'a' && r <= 'z' }):
		return violation("Password should have at least one lowercase letter")
	case pp.RequireNumbers && !has(func(r rune) bool { return r >= '0' && r <= '9' }):
		return violation("Password should have at least one number")
	case pp.RequireSymbols && !has(func(r rune) bool { return strings.ContainsRune("!@#$%^&*()_+-=[]{}|'", r) }):
		return violation("Password should have at least one symbol")
	}
	return nil
}

func iamCreateLoginProfile(c *call) (any, *apiError) {
	v := c.iamValidate()
	pw := v.str("Password", false, 1, 128, &iamPatPassword)
	if e := v.err(); e != nil {
		return nil, e
	}
	u, root, e := c.iamUserArg()
	if e != nil {
		return nil, e
	}
	// Password: "This parameter must be omitted when you make the request
	// with an AssumeRoot session. It is required in all other cases" (IAM
	// API reference, CreateLoginProfile). AWS does not document the error
	// for either; orgsim answers InvalidInput for a password given in a
	// root session and the query services' missing-member ValidationError
	// for one left out elsewhere.
	if c.rootSessionLogin(root) {
		if c.form.Has("Password") {
			return nil, newErr(400, "InvalidInput", "The Password parameter must be omitted in an AssumeRoot session: the root user sets its password through password recovery.")
		}
		st := c.iamSt()
		if st.root.login != nil {
			return nil, newErr(409, "EntityAlreadyExists", "Login Profile for user %s already exists.", rootLoginProfileName)
		}
		st.root.login = newRootLogin(c.now)
		return struct {
			LoginProfile iamXLoginProfile `xml:"LoginProfile"`
		}{iamXLoginProfile{UserName: rootLoginProfileName, CreateDate: iso(c.now)}}, nil
	}
	if root {
		return nil, newErr(400, "InvalidInput", "The root user's password cannot be set with CreateLoginProfile.")
	}
	if !c.form.Has("Password") {
		return nil, newErr(400, "ValidationError", "1 validation error detected: Value null at 'password' failed to satisfy constraint: Member must not be null")
	}
	if u.login != nil {
		return nil, newErr(409, "EntityAlreadyExists", "Login Profile for user %s already exists.", u.name)
	}
	if e := c.checkPassword(pw); e != nil {
		return nil, e
	}
	reset, _ := queryBool(c.form, "PasswordResetRequired")
	u.login = &loginProfile{created: c.now, changed: c.now, resetRequired: reset}
	return struct {
		LoginProfile iamXLoginProfile `xml:"LoginProfile"`
	}{iamXLoginProfile{UserName: u.name, CreateDate: iso(c.now), PasswordResetRequired: reset}}, nil
}

func iamUpdateLoginProfile(c *call) (any, *apiError) {
	v := c.iamValidate()
	pw := v.str("Password", false, 1, 128, &iamPatPassword)
	if e := v.err(); e != nil {
		return nil, e
	}
	u, e := c.iamRequireUser()
	if e != nil {
		return nil, e
	}
	if u.login == nil {
		return nil, iamNoLoginProfile(u.name)
	}
	if c.form.Has("Password") {
		if e := c.checkPassword(pw); e != nil {
			return nil, e
		}
		u.login.changed = c.now
	}
	if reset, ok := queryBool(c.form, "PasswordResetRequired"); ok {
		u.login.resetRequired = reset
	}
	return nil, nil
}

func iamDeleteLoginProfile(c *call) (any, *apiError) {
	u, root, e := c.iamUserArg()
	if e != nil {
		return nil, e
	}
	if c.rootSessionLogin(root) {
		// A root session deletes the root user's password
		// (iam_rootaccess.go).
		st := c.iamSt()
		if st.root.login == nil {
			return nil, iamNoLoginProfile(rootLoginProfileName)
		}
		st.root.login = nil
		return nil, nil
	}
	if root {
		return nil, iamNoLoginProfile("root")
	}
	if u.login == nil {
		return nil, iamNoLoginProfile(u.name)
	}
	u.login = nil
	return nil, nil
}
