package orgsim

import (
	"encoding/base64"
	"errors"
	"regexp"
	"sort"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/orgbaseline/orgbaseline/internal/iampolicy"
)

// IAM (awsQuery, global). Every list answers in a deterministic order
// (names sorted case-insensitively, attachments in attachment order) and
// pages with Marker/MaxItems (1-1000, default 100); the last page has
// IsTruncated false and no Marker, which is all the SDK paginators look at.
//
// Names of users, roles, groups and policies are unique case-insensitively
// in an account and looked up case-insensitively, as in AWS. Policy
// documents are kept verbatim and returned URL-encoded (RFC 3986), as AWS
// returns them. The password policy, the account summary and the credential
// report are in iam_report.go.

func iamOps() map[string]op {
	user := iamUserResource
	role := iamRoleResource
	group := iamGroupResource
	pol := iamPolicyResource
	return map[string]op{
		// Account (iam_report.go).
		"GetAccountPasswordPolicy":    {fn: iamGetAccountPasswordPolicy},
		"UpdateAccountPasswordPolicy": {fn: iamUpdateAccountPasswordPolicy, write: true},
		"DeleteAccountPasswordPolicy": {fn: iamDeleteAccountPasswordPolicy, write: true},
		"GetAccountSummary":           {fn: iamGetAccountSummary},
		// Generating the report changes nothing a caller configured; audits
		// call it, so it is not counted as a write.
		"GenerateCredentialReport": {fn: iamGenerateCredentialReport},
		"GetCredentialReport":      {fn: iamGetCredentialReport},

		// Users.
		"ListUsers":  {fn: iamListUsers},
		"GetUser":    {fn: iamGetUser, resource: user},
		"CreateUser": {fn: iamCreateUser, write: true, resource: iamNewUserResource},
		"DeleteUser": {fn: iamDeleteUser, write: true, resource: user},

		"ListAccessKeys":        {fn: iamListAccessKeys, resource: user},
		"CreateAccessKey":       {fn: iamCreateAccessKey, write: true, resource: user},
		"UpdateAccessKey":       {fn: iamUpdateAccessKey, write: true, resource: user},
		"DeleteAccessKey":       {fn: iamDeleteAccessKey, write: true, resource: user},
		"GetAccessKeyLastUsed":  {fn: iamGetAccessKeyLastUsed, resource: iamAccessKeyResource},
		"GetLoginProfile":       {fn: iamGetLoginProfile, resource: user},
		"CreateLoginProfile":    {fn: iamCreateLoginProfile, write: true, resource: user},
		"UpdateLoginProfile":    {fn: iamUpdateLoginProfile, write: true, resource: user},
		"DeleteLoginProfile":    {fn: iamDeleteLoginProfile, write: true, resource: user},
		"ListMFADevices":        {fn: iamListMFADevices, resource: user},
		"ListVirtualMFADevices": {fn: iamListVirtualMFADevices},
		"CreateVirtualMFADevice": {fn: iamCreateVirtualMFADevice, write: true, resource: func(c *call) string {
			return iamARN(c.acct.ID, "mfa", iamPathOr(c.form.Get("Path")), c.form.Get("VirtualMFADeviceName"))
		}},
		"DeleteVirtualMFADevice": {fn: iamDeleteVirtualMFADevice, write: true, resource: func(c *call) string {
			return c.form.Get("SerialNumber")
		}},
		"EnableMFADevice":     {fn: iamEnableMFADevice, write: true, resource: user},
		"DeactivateMFADevice": {fn: iamDeactivateMFADevice, write: true, resource: user},

		"ListAttachedUserPolicies": {fn: iamListAttachedUserPolicies, resource: user},
		"AttachUserPolicy":         {fn: iamAttachUserPolicy, write: true, resource: user},
		"DetachUserPolicy":         {fn: iamDetachUserPolicy, write: true, resource: user},
		"ListUserPolicies":         {fn: iamListUserPolicies, resource: user},
		"GetUserPolicy":            {fn: iamGetUserPolicy, resource: user},
		"PutUserPolicy":            {fn: iamPutUserPolicy, write: true, resource: user},
		"DeleteUserPolicy":         {fn: iamDeleteUserPolicy, write: true, resource: user},
		"ListGroupsForUser":        {fn: iamListGroupsForUser, resource: user},

		// Groups.
		"ListGroups":                {fn: iamListGroups},
		"GetGroup":                  {fn: iamGetGroup, resource: group},
		"CreateGroup":               {fn: iamCreateGroup, write: true, resource: iamNewGroupResource},
		"DeleteGroup":               {fn: iamDeleteGroup, write: true, resource: group},
		"AddUserToGroup":            {fn: iamAddUserToGroup, write: true, resource: group},
		"RemoveUserFromGroup":       {fn: iamRemoveUserFromGroup, write: true, resource: group},
		"ListAttachedGroupPolicies": {fn: iamListAttachedGroupPolicies, resource: group},
		"AttachGroupPolicy":         {fn: iamAttachGroupPolicy, write: true, resource: group},
		"DetachGroupPolicy":         {fn: iamDetachGroupPolicy, write: true, resource: group},
		"ListGroupPolicies":         {fn: iamListGroupPolicies, resource: group},
		"GetGroupPolicy":            {fn: iamGetGroupPolicy, resource: group},
		"PutGroupPolicy":            {fn: iamPutGroupPolicy, write: true, resource: group},
		"DeleteGroupPolicy":         {fn: iamDeleteGroupPolicy, write: true, resource: group},

		// Roles.
		"ListRoles":                          {fn: iamListRoles},
		"GetRole":                            {fn: iamGetRole, resource: role},
		"CreateRole":                         {fn: iamCreateRole, write: true, resource: iamNewRoleResource},
		"DeleteRole":                         {fn: iamDeleteRole, write: true, resource: role},
		"UpdateRole":                         {fn: iamUpdateRole, write: true, resource: role},
		"UpdateAssumeRolePolicy":             {fn: iamUpdateAssumeRolePolicy, write: true, resource: role},
		"ListRolePolicies":                   {fn: iamListRolePolicies, resource: role},
		"GetRolePolicy":                      {fn: iamGetRolePolicy, resource: role},
		"PutRolePolicy":                      {fn: iamPutRolePolicy, write: true, resource: role},
		"DeleteRolePolicy":                   {fn: iamDeleteRolePolicy, write: true, resource: role},
		"ListAttachedRolePolicies":           {fn: iamListAttachedRolePolicies, resource: role},
		"AttachRolePolicy":                   {fn: iamAttachRolePolicy, write: true, resource: role},
		"DetachRolePolicy":                   {fn: iamDetachRolePolicy, write: true, resource: role},
		"CreateServiceLinkedRole":            {fn: iamCreateServiceLinkedRole, write: true, resource: iamServiceLinkedRoleResource},
		"DeleteServiceLinkedRole":            {fn: iamDeleteServiceLinkedRole, write: true, resource: role},
		"GetServiceLinkedRoleDeletionStatus": {fn: iamGetServiceLinkedRoleDeletionStatus},

		// Managed policies.
		"ListPolicies":            {fn: iamListPolicies},
		"GetPolicy":               {fn: iamGetPolicy, resource: pol},
		"CreatePolicy":            {fn: iamCreatePolicy, write: true, resource: iamNewPolicyResource},
		"DeletePolicy":            {fn: iamDeletePolicy, write: true, resource: pol},
		"GetPolicyVersion":        {fn: iamGetPolicyVersion, resource: pol},
		"ListPolicyVersions":      {fn: iamListPolicyVersions, resource: pol},
		"CreatePolicyVersion":     {fn: iamCreatePolicyVersion, write: true, resource: pol},
		"DeletePolicyVersion":     {fn: iamDeletePolicyVersion, write: true, resource: pol},
		"SetDefaultPolicyVersion": {fn: iamSetDefaultPolicyVersion, write: true, resource: pol},
		"ListEntitiesForPolicy":   {fn: iamListEntitiesForPolicy, resource: pol},
	}
}

// IAM quotas (AWS defaults; not configurable through Limits).
const (
	iamMaxUsers            = 5000
	iamMaxGroups           = 300
	iamMaxRoles            = 1000
	iamMaxPolicies         = 1500
	iamMaxAttached         = 10 // managed policies per user, group or role
	iamMaxGroupsPerUser    = 10
	iamMaxAccessKeys       = 2
	iamMaxPolicyVersions   = 5
	iamMaxMFAPerUser       = 8
	iamUserInlineSize      = 2048
	iamGroupInlineSize     = 5120
	iamRoleInlineSize      = 10240
	iamManagedPolicySize   = 6144
	iamTrustPolicySize     = 2048
	iamServiceRolePathRoot = "/aws-service-role/"
)

// ---------------------------------------------------------------------------
// State helpers.

// iamSt returns the caller's account IAM state.
func (c *call) iamSt() *iamState {
	if c.acct.iam == nil {
		c.acct.iam = newIAMState()
	}
	return c.acct.iam
}

func iamARN(acct, typ, path, name string) string {
	return "arn:aws:iam::" + acct + ":" + typ + path + name
}

func iamPathOr(p string) string {
	if p == "" {
		return "/"
	}
	return p
}

// findFold finds name in m as IAM does: names are unique and matched
// case-insensitively (an exact match first, the common case).
func findFold[T any](m map[string]*T, name string) *T {
	if v := m[name]; v != nil {
		return v
	}
	for k, v := range m {
		if strings.EqualFold(k, name) {
			return v
		}
	}
	return nil
}

func (st *iamState) findUser(name string) *iamUser   { return findFold(st.users, name) }
func (st *iamState) findRole(name string) *iamRole   { return findFold(st.roles, name) }
func (st *iamState) findGroup(name string) *iamGroup { return findFold(st.groups, name) }

func iamLess(a, b string) bool {
	la, lb := strings.ToLower(a), strings.ToLower(b)
	if la != lb {
		return la < lb
	}
	return a < b
}

func (st *iamState) sortedUsers() []*iamUser {
	out := make([]*iamUser, 0, len(st.users))
	for _, u := range st.users {
		out = append(out, u)
	}
	sort.Slice(out, func(i, j int) bool { return iamLess(out[i].name, out[j].name) })
	return out
}

func (st *iamState) sortedRoles() []*iamRole {
	out := make([]*iamRole, 0, len(st.roles))
	for _, r := range st.roles {
		out = append(out, r)
	}
	sort.Slice(out, func(i, j int) bool { return iamLess(out[i].name, out[j].name) })
	return out
}

func (st *iamState) sortedGroups() []*iamGroup {
	out := make([]*iamGroup, 0, len(st.groups))
	for _, g := range st.groups {
		out = append(out, g)
	}
	sort.Slice(out, func(i, j int) bool { return iamLess(out[i].name, out[j].name) })
	return out
}

// groupMembers returns the users in group name, sorted.
func (st *iamState) groupMembers(name string) []*iamUser {
	var out []*iamUser
	for _, u := range st.sortedUsers() {
		for _, g := range u.groups {
			if strings.EqualFold(g, name) {
				out = append(out, u)
				break
			}
		}
	}
	return out
}

// attachmentCount counts the users, groups and roles of the account that
// have the managed policy arn attached.
func (st *iamState) attachmentCount(arn string) int {
	n := 0
	for _, u := range st.users {
		n += iamCount(u.attached, arn)
	}
	for _, g := range st.groups {
		n += iamCount(g.attached, arn)
	}
	for _, r := range st.roles {
		n += iamCount(r.attached, arn)
	}
	return n
}

func iamCount(list []string, v string) int {
	for _, x := range list {
		if x == v {
			return 1
		}
	}
	return 0
}

func iamRemove(list []string, v string) ([]string, bool) {
	for i, x := range list {
		if x == v {
			return append(list[:i:i], list[i+1:]...), true
		}
	}
	return list, false
}

// iamEncodeDoc URL-encodes a policy document as IAM returns it.
func iamEncodeDoc(d *policyDoc) string {
	if d == nil {
		return ""
	}
	return queryEscape(d.text)
}

func iamSortedTags(m map[string]string) *iamXTags {
	if len(m) == 0 {
		return nil
	}
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	out := &iamXTags{Member: make([]iamXTag, len(keys))}
	for i, k := range keys {
		out.Member[i] = iamXTag{Key: k, Value: m[k]}
	}
	return out
}

// registerKey makes an Active access key usable for signing requests (or
// keeps it usable); unregisterKey makes it unusable.
func (c *call) registerKey(k *accessKey, u *iamUser) {
	if k.status != "Active" || c.sim.creds[k.id] != nil {
		return
	}
	p := c.sim.rootPrincipal(c.acct.ID)
	if u != nil {
		p = &principal{kind: principalUser, account: c.acct.ID, arn: u.arn, userID: u.id, userName: u.name}
	}
	c.sim.creds[k.id] = &credential{accessKey: k.id, secret: k.secret, p: p}
}

func (c *call) unregisterKey(id string) { delete(c.sim.creds, id) }

// ---------------------------------------------------------------------------
// Validation, as AWS words it:
// "1 validation error detected: Value 'x' at 'userName' failed to satisfy
// constraint: Member must satisfy regular expression pattern: [\w+=,.@-]+".

type iamPattern struct {
	show string
	re   *regexp.Regexp
}

func iamPat(show, goRE string) iamPattern {
	return iamPattern{show: show, re: regexp.MustCompile(`^(?:` + goRE + `)$`)}
}

var (
	iamPatName       = iamPat(`[\w+=,.@-]+`, `[\w+=,.@-]+`)
	iamPatPath       = iamPat(`(\u002F)|(\u002F[\u0021-\u007E]+\u002F)`, `(/)|(/[\x21-\x7E]+/)`)
	iamPatPathPrefix = iamPat(`\u002F[\u0021-\u007F]*`, `/[\x21-\x7F]*`)
	iamPatDoc        = iamPat(`[\u0009\u000A\u000D\u0020-\u00FF]+`, `[\x09\x0A\x0D\x20-\x{FF}]+`)
	iamPatDesc       = iamPat(`[\u0009\u000A\u000D\u0020-\u007E\u00A1-\u00FF]*`, `[\x09\x0A\x0D\x20-\x7E\x{A1}-\x{FF}]*`)
	iamPatKeyID      = iamPat(`[\w]+`, `[\w]+`)
	iamPatSerial     = iamPat(`[\w+=/:,.@-]+`, `[\w+=/:,.@-]+`)
	iamPatCode       = iamPat(`[\d]+`, `[\d]+`)
	iamPatVersion    = iamPat(`v[1-9][0-9]*(\.[A-Za-z0-9-]*)?`, `v[1-9][0-9]*(\.[A-Za-z0-9-]*)?`)
	iamPatPassword   = iamPat(`[\u0009\u000A\u000D\u0020-\u00FF]+`, `[\x09\x0A\x0D\x20-\x{FF}]+`)
)

type iamValidator struct {
	c    *call
	msgs []string
}

func (c *call) iamValidate() *iamValidator { return &iamValidator{c: c} }

func (v *iamValidator) fail(param, value, constraint string) {
	v.msgs = append(v.msgs, "Value '"+value+"' at '"+lowerFirst(param)+"' failed to satisfy constraint: "+constraint)
}

// str checks an optional or required string parameter and returns its value.
func (v *iamValidator) str(param string, required bool, min, max int, pat *iamPattern) string {
	if !v.c.form.Has(param) {
		if required {
			v.msgs = append(v.msgs, "Value null at '"+lowerFirst(param)+"' failed to satisfy constraint: Member must not be null")
		}
		return ""
	}
	s := v.c.form.Get(param)
	n := utf8.RuneCountInString(s)
	switch {
	case n < min:
		v.fail(param, s, "Member must have length greater than or equal to "+strconv.Itoa(min))
	case n > max:
		v.fail(param, s, "Member must have length less than or equal to "+strconv.Itoa(max))
	case pat != nil && !pat.re.MatchString(s):
		v.fail(param, s, "Member must satisfy regular expression pattern: "+pat.show)
	}
	return s
}

func (v *iamValidator) name(param string, required bool, max int) string {
	return v.str(param, required, 1, max, &iamPatName)
}

func (v *iamValidator) path(param string) string {
	return iamPathOr(v.str(param, false, 1, 512, &iamPatPath))
}

func (v *iamValidator) pathPrefix() string {
	return v.str("PathPrefix", false, 1, 512, &iamPatPathPrefix)
}

func (v *iamValidator) policyARN() string { return v.str("PolicyArn", true, 20, 2048, nil) }

func (v *iamValidator) doc(param string) string {
	return v.str(param, true, 1, 131072, &iamPatDoc)
}

func (v *iamValidator) enum(param string, values ...string) string {
	s := v.c.form.Get(param)
	if !v.c.form.Has(param) {
		return ""
	}
	for _, x := range values {
		if s == x {
			return s
		}
	}
	v.fail(param, s, "Member must satisfy enum value set: ["+strings.Join(values, ", ")+"]")
	return s
}

// intRange checks an optional integer parameter.
func (v *iamValidator) intRange(param string, min, max int) (int, bool) {
	n, ok, err := queryInt(v.c.form, param)
	if err != nil {
		v.msgs = append(v.msgs, err.Message)
		return 0, false
	}
	if !ok {
		return 0, false
	}
	switch {
	case n < min:
		v.fail(param, strconv.Itoa(n), "Member must have value greater than or equal to "+strconv.Itoa(min))
	case n > max:
		v.fail(param, strconv.Itoa(n), "Member must have value less than or equal to "+strconv.Itoa(max))
	}
	return n, true
}

// tags reads Tags.member.N.Key/Value (at most 50).
func (v *iamValidator) tags() map[string]string {
	list := queryStructList(v.c.form, "Tags")
	if len(list) == 0 {
		return nil
	}
	if len(list) > 50 {
		v.msgs = append(v.msgs, "Value at 'tags' failed to satisfy constraint: Member must have length less than or equal to 50")
	}
	m := map[string]string{}
	for _, t := range list {
		k := t["Key"]
		if n := utf8.RuneCountInString(k); n < 1 || n > 128 {
			v.msgs = append(v.msgs, "Value '"+k+"' at 'tags.member.key' failed to satisfy constraint: Member must have length between 1 and 128")
			continue
		}
		if utf8.RuneCountInString(t["Value"]) > 256 {
			v.msgs = append(v.msgs, "Value '"+t["Value"]+"' at 'tags.member.value' failed to satisfy constraint: Member must have length less than or equal to 256")
			continue
		}
		m[k] = t["Value"]
	}
	return m
}

func (v *iamValidator) err() *apiError {
	switch len(v.msgs) {
	case 0:
		return nil
	case 1:
		return newErr(400, "ValidationError", "1 validation error detected: %s", v.msgs[0])
	}
	return newErr(400, "ValidationError", "%d validation errors detected: %s", len(v.msgs), strings.Join(v.msgs, "; "))
}

// iamPage reads Marker and MaxItems and returns the bounds of the page of
// total items to answer, and the IsTruncated/Marker members.
func (c *call) iamPage(total int) (start, end int, out iamPageOut, err *apiError) {
	v := c.iamValidate()
	max, ok := v.intRange("MaxItems", 1, 1000)
	v.str("Marker", false, 1, 320, nil)
	if e := v.err(); e != nil {
		return 0, 0, out, e
	}
	if !ok {
		max = 100
	}
	start, end, next, good := page(c.op, total, c.form.Get("Marker"), max)
	if !good {
		return 0, 0, out, newErr(400, "ValidationError", "Invalid Marker: the marker was not returned by a previous %s call", c.op)
	}
	if next != "" {
		out = iamPageOut{IsTruncated: true, Marker: next}
	}
	return start, end, out, nil
}

// iamParseDoc compiles a policy document, answering MalformedPolicyDocument
// as AWS does when it does not parse.
func iamParseDoc(text string, kind iampolicy.Kind) (*policyDoc, *apiError) {
	p, err := iampolicy.Parse([]byte(text), kind)
	if err != nil {
		var pe *iampolicy.ParseError
		msg := err.Error()
		if errors.As(err, &pe) && len(pe.Problems) > 0 {
			parts := make([]string, len(pe.Problems))
			for i, pr := range pe.Problems {
				parts[i] = pr.String()
			}
			msg = strings.Join(parts, "; ")
		}
		return nil, newErr(400, "MalformedPolicyDocument", "%s", msg)
	}
	return &policyDoc{text: text, parsed: p}, nil
}

// iamDocSize is the size IAM counts for a policy: whitespace outside
// strings is not counted.
func iamDocSize(text string) int {
	if n, err := iampolicy.MinifiedSize(text); err == nil {
		return n
	}
	return utf8.RuneCountInString(text)
}

// checkTrustPrincipals rejects AWS principals that name users or roles that
// do not exist in an account orgsim holds, and wildcards inside ARNs, as IAM
// does when it saves a trust policy ("Invalid principal in policy").
func (c *call) checkTrustPrincipals(d *policyDoc) *apiError {
	for _, st := range d.parsed.Statements {
		for _, set := range []*iampolicy.PrincipalSet{st.Principal, st.NotPrincipal} {
			if set == nil {
				continue
			}
			for _, p := range set.AWS {
				if p == "*" || isAccountID(p) {
					continue
				}
				if !c.principalExists(p) {
					return newErr(400, "MalformedPolicyDocument", "Invalid principal in policy: \"AWS\":\"%s\"", p)
				}
			}
		}
	}
	return nil
}

func (c *call) principalExists(p string) bool {
	if strings.Contains(p, "*") || strings.Contains(p, "?") {
		return false
	}
	rest, ok := strings.CutPrefix(p, "arn:aws:iam::")
	if !ok {
		// sts assumed-role ARNs and unique ids are accepted as written.
		return strings.HasPrefix(p, "arn:aws:sts::") || strings.HasPrefix(p, "AIDA") || strings.HasPrefix(p, "AROA")
	}
	acct, res, ok := strings.Cut(rest, ":")
	if !ok || !isAccountID(acct) {
		return false
	}
	a := c.sim.accounts[acct]
	if a == nil || a.iam == nil {
		return true // an account orgsim does not hold: accepted as written
	}
	typ, pathName, _ := strings.Cut(res, "/")
	name := pathName[strings.LastIndexByte(pathName, '/')+1:]
	switch typ {
	case "root":
		return pathName == "" && res == "root"
	case "user":
		u := a.iam.findUser(name)
		return u != nil && strings.EqualFold(u.arn, p)
	case "role":
		r := a.iam.findRole(name)
		return r != nil && strings.EqualFold(r.arn, p)
	}
	return false
}

// ---------------------------------------------------------------------------
// Output shapes (element names as the SDK deserializers read them).

type iamPageOut struct {
	IsTruncated bool   `xml:"IsTruncated"`
	Marker      string `xml:"Marker,omitempty"`
}

type iamXTag struct {
	Key   string `xml:"Key"`
	Value string `xml:"Value"`
}

// iamXTags is a Tags list; a nil pointer leaves the element out (encoding/xml
// writes the parent of an empty "Tags>member" list).
type iamXTags struct {
	Member []iamXTag `xml:"member"`
}

type iamXUser struct {
	Path             string    `xml:"Path,omitempty"`
	UserName         string    `xml:"UserName,omitempty"`
	UserId           string    `xml:"UserId"`
	Arn              string    `xml:"Arn"`
	CreateDate       *isoTime  `xml:"CreateDate"`
	PasswordLastUsed *isoTime  `xml:"PasswordLastUsed,omitempty"`
	Tags             *iamXTags `xml:"Tags"`
}

func xUser(u *iamUser, tags bool) iamXUser {
	x := iamXUser{Path: u.path, UserName: u.name, UserId: u.id, Arn: u.arn, CreateDate: iso(u.created), PasswordLastUsed: iso(u.passwordLastUsed)}
	if tags {
		x.Tags = iamSortedTags(u.tags)
	}
	return x
}

type iamXGroup struct {
	Path       string   `xml:"Path"`
	GroupName  string   `xml:"GroupName"`
	GroupId    string   `xml:"GroupId"`
	Arn        string   `xml:"Arn"`
	CreateDate *isoTime `xml:"CreateDate"`
}

func xGroup(g *iamGroup) iamXGroup {
	return iamXGroup{Path: g.path, GroupName: g.name, GroupId: g.id, Arn: g.arn, CreateDate: iso(g.created)}
}

type iamXRoleLastUsed struct {
	LastUsedDate *isoTime `xml:"LastUsedDate,omitempty"`
	Region       string   `xml:"Region,omitempty"`
}

type iamXRole struct {
	Path                     string            `xml:"Path"`
	RoleName                 string            `xml:"RoleName"`
	RoleId                   string            `xml:"RoleId"`
	Arn                      string            `xml:"Arn"`
	CreateDate               *isoTime          `xml:"CreateDate"`
	AssumeRolePolicyDocument string            `xml:"AssumeRolePolicyDocument,omitempty"`
	Description              string            `xml:"Description,omitempty"`
	MaxSessionDuration       int               `xml:"MaxSessionDuration,omitempty"`
	Tags                     *iamXTags         `xml:"Tags"`
	RoleLastUsed             *iamXRoleLastUsed `xml:"RoleLastUsed"`
}

// xRole renders a role; full adds what only GetRole returns (tags and last use).
func xRole(r *iamRole, full bool) iamXRole {
	x := iamXRole{
		Path: r.path, RoleName: r.name, RoleId: r.id, Arn: r.arn, CreateDate: iso(r.created),
		AssumeRolePolicyDocument: iamEncodeDoc(r.trust), Description: r.description,
		MaxSessionDuration: r.maxSession,
	}
	if x.MaxSessionDuration == 0 {
		x.MaxSessionDuration = 3600
	}
	if full {
		x.Tags = iamSortedTags(r.tags)
		x.RoleLastUsed = &iamXRoleLastUsed{LastUsedDate: iso(r.lastUsed)}
		if !r.lastUsed.IsZero() {
			x.RoleLastUsed.Region = r.lastUsedRegion
		}
	}
	return x
}

type iamXAttached struct {
	PolicyName string `xml:"PolicyName"`
	PolicyArn  string `xml:"PolicyArn"`
}

type iamXPolicy struct {
	PolicyName                    string    `xml:"PolicyName"`
	PolicyId                      string    `xml:"PolicyId"`
	Arn                           string    `xml:"Arn"`
	Path                          string    `xml:"Path"`
	DefaultVersionId              string    `xml:"DefaultVersionId"`
	AttachmentCount               int       `xml:"AttachmentCount"`
	PermissionsBoundaryUsageCount int       `xml:"PermissionsBoundaryUsageCount"`
	IsAttachable                  bool      `xml:"IsAttachable"`
	Description                   string    `xml:"Description,omitempty"`
	CreateDate                    *isoTime  `xml:"CreateDate"`
	UpdateDate                    *isoTime  `xml:"UpdateDate"`
	Tags                          *iamXTags `xml:"Tags"`
}

// xPolicy renders a managed policy; full adds what only GetPolicy returns.
func xPolicy(st *iamState, p *iamManagedPolicy, full bool) iamXPolicy {
	x := iamXPolicy{
		PolicyName: p.name, PolicyId: p.id, Arn: p.arn, Path: p.path, DefaultVersionId: p.defaultVersion,
		AttachmentCount: st.attachmentCount(p.arn), IsAttachable: true,
		CreateDate: iso(p.created), UpdateDate: iso(p.updated),
	}
	if full {
		x.Description = p.description
		x.Tags = iamSortedTags(p.tags)
	}
	return x
}

type iamXPolicyVersion struct {
	Document         string   `xml:"Document,omitempty"`
	VersionId        string   `xml:"VersionId"`
	IsDefaultVersion bool     `xml:"IsDefaultVersion"`
	CreateDate       *isoTime `xml:"CreateDate"`
}

// ---------------------------------------------------------------------------
// Resources for authorization.

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
	return iamARN(c.acct.ID, "user", "/", name)
}

func iamNewUserResource(c *call) string {
	return iamARN(c.acct.ID, "user", iamPathOr(c.form.Get("Path")), c.form.Get("UserName"))
}

func iamAccessKeyResource(c *call) string {
	if u, _ := c.iamSt().findKey(c.form.Get("AccessKeyId")); u != nil {
		return u.arn
	}
	return "*"
}

func iamRoleResource(c *call) string {
	name := c.form.Get("RoleName")
	if r := c.iamSt().findRole(name); r != nil {
		return r.arn
	}
	return iamARN(c.acct.ID, "role", "/", name)
}

func iamNewRoleResource(c *call) string {
	return iamARN(c.acct.ID, "role", iamPathOr(c.form.Get("Path")), c.form.Get("RoleName"))
}

func iamGroupResource(c *call) string {
	name := c.form.Get("GroupName")
	if g := c.iamSt().findGroup(name); g != nil {
		return g.arn
	}
	return iamARN(c.acct.ID, "group", "/", name)
}

func iamNewGroupResource(c *call) string {
	return iamARN(c.acct.ID, "group", iamPathOr(c.form.Get("Path")), c.form.Get("GroupName"))
}

func iamPolicyResource(c *call) string {
	if a := c.form.Get("PolicyArn"); a != "" {
		return a
	}
	return "*"
}

func iamNewPolicyResource(c *call) string {
	return iamARN(c.acct.ID, "policy", iamPathOr(c.form.Get("Path")), c.form.Get("PolicyName"))
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
	return iamARN(c.acct.ID, "role", iamServiceRolePathRoot+svc+"/", name)
}

// ---------------------------------------------------------------------------
// Errors AWS words the same way everywhere.

func iamNoUser(name string) *apiError {
	return newErr(404, "NoSuchEntity", "The user with name %s cannot be found.", name)
}

func iamNoRole(name string) *apiError {
	return newErr(404, "NoSuchEntity", "The role with name %s cannot be found.", name)
}

func iamNoGroup(name string) *apiError {
	return newErr(404, "NoSuchEntity", "The group with name %s cannot be found.", name)
}

func iamNotAttachable(arn string) *apiError {
	return newErr(404, "NoSuchEntity", "Policy %s does not exist or is not attachable.", arn)
}

func iamPolicyNotFound(arn string) *apiError {
	return newErr(404, "NoSuchEntity", "Policy %s was not found.", arn)
}

func iamNonUserCaller() *apiError {
	return newErr(400, "ValidationError", "Must specify userName when calling with non-User credentials")
}

// iamBase64 encodes a blob member.
func iamBase64(b []byte) string { return base64.StdEncoding.EncodeToString(b) }

// ---------------------------------------------------------------------------
// Users.

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
		Users []iamXUser `xml:"Users>member"`
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
		arn: iamARN(c.acct.ID, "user", path, name), inline: map[string]*policyDoc{}, tags: tags,
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

// ---------------------------------------------------------------------------
// Access keys.

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
		AccessKeyMetadata []iamXAccessKeyMeta `xml:"AccessKeyMetadata>member"`
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

// ---------------------------------------------------------------------------
// Login profiles.

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
	if root {
		return nil, newErr(400, "InvalidInput", "The root user's password cannot be set with CreateLoginProfile.")
	}
	if u.login != nil {
		return nil, newErr(409, "EntityAlreadyExists", "Login Profile for user %s already exists.", u.name)
	}
	if c.form.Has("Password") {
		if e := c.checkPassword(pw); e != nil {
			return nil, e
		}
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
	if root {
		return nil, iamNoLoginProfile("root")
	}
	if u.login == nil {
		return nil, iamNoLoginProfile(u.name)
	}
	u.login = nil
	return nil, nil
}

// ---------------------------------------------------------------------------
// MFA devices.

type iamXMFADevice struct {
	UserName     string   `xml:"UserName,omitempty"`
	SerialNumber string   `xml:"SerialNumber"`
	EnableDate   *isoTime `xml:"EnableDate"`
}

// rootMFASerial is the serial number of the root user's virtual MFA device.
func rootMFASerial(acct string) string {
	return "arn:aws:iam::" + acct + ":mfa/root-account-mfa-device"
}

func iamListMFADevices(c *call) (any, *apiError) {
	u, _, e := c.iamUserArg()
	if e != nil {
		return nil, e
	}
	var devs []iamXMFADevice
	if u == nil {
		root := c.iamSt().root
		if root.mfa {
			serial := rootMFASerial(c.acct.ID)
			if root.hardwareMFA {
				serial = "GAHT" + c.acct.ID[:8]
			}
			devs = append(devs, iamXMFADevice{SerialNumber: serial, EnableDate: iso(root.created)})
		}
	} else {
		for _, d := range u.mfa {
			devs = append(devs, iamXMFADevice{UserName: u.name, SerialNumber: d.serial, EnableDate: iso(d.enabled)})
		}
	}
	start, end, pg, e := c.iamPage(len(devs))
	if e != nil {
		return nil, e
	}
	return struct {
		MFADevices []iamXMFADevice `xml:"MFADevices>member"`
		iamPageOut
	}{devs[start:end], pg}, nil
}

type iamXVirtualMFA struct {
	SerialNumber     string    `xml:"SerialNumber"`
	Base32StringSeed string    `xml:"Base32StringSeed,omitempty"`
	QRCodePNG        string    `xml:"QRCodePNG,omitempty"`
	User             *iamXUser `xml:"User"`
	EnableDate       *isoTime  `xml:"EnableDate,omitempty"`
}

// virtualMFAs lists the account's virtual MFA devices: the root user's (when
// it uses a virtual device), those created with CreateVirtualMFADevice and
// any other virtual device assigned to a user, sorted by serial number.
func (c *call) virtualMFAs() []iamXVirtualMFA {
	st := c.iamSt()
	var out []iamXVirtualMFA
	seen := map[string]bool{}
	add := func(d *mfaDevice, owner *iamUser) {
		if seen[d.serial] {
			return
		}
		seen[d.serial] = true
		x := iamXVirtualMFA{SerialNumber: d.serial}
		if owner == nil && d.user != "" {
			owner = st.findUser(d.user)
		}
		if owner != nil {
			xu := xUser(owner, false)
			x.User = &xu
			x.EnableDate = iso(d.enabled)
		}
		out = append(out, x)
	}
	for _, u := range st.users {
		for _, d := range u.mfa {
			if d.virtual {
				add(d, u)
			}
		}
	}
	for _, d := range st.virtualMFA {
		add(d, nil)
	}
	if st.root.mfa && !st.root.hardwareMFA {
		out = append(out, iamXVirtualMFA{
			SerialNumber: rootMFASerial(c.acct.ID),
			User:         &iamXUser{UserId: c.acct.ID, Arn: "arn:aws:iam::" + c.acct.ID + ":root", CreateDate: iso(st.root.created)},
			EnableDate:   iso(st.root.created),
		})
	}
	sort.Slice(out, func(i, j int) bool { return out[i].SerialNumber < out[j].SerialNumber })
	return out
}

func iamListVirtualMFADevices(c *call) (any, *apiError) {
	v := c.iamValidate()
	status := v.enum("AssignmentStatus", "Assigned", "Unassigned", "Any")
	if e := v.err(); e != nil {
		return nil, e
	}
	var devs []iamXVirtualMFA
	for _, d := range c.virtualMFAs() {
		if (status == "Assigned" && d.User == nil) || (status == "Unassigned" && d.User != nil) {
			continue
		}
		devs = append(devs, d)
	}
	start, end, pg, e := c.iamPage(len(devs))
	if e != nil {
		return nil, e
	}
	return struct {
		VirtualMFADevices []iamXVirtualMFA `xml:"VirtualMFADevices>member"`
		iamPageOut
	}{devs[start:end], pg}, nil
}

func (st *iamState) findVirtualMFA(serial string) *mfaDevice {
	for _, d := range st.virtualMFA {
		if d.serial == serial {
			return d
		}
	}
	return nil
}

func iamCreateVirtualMFADevice(c *call) (any, *apiError) {
	v := c.iamValidate()
	name := v.name("VirtualMFADeviceName", true, 226)
	path := v.path("Path")
	v.tags()
	if e := v.err(); e != nil {
		return nil, e
	}
	st := c.iamSt()
	serial := iamARN(c.acct.ID, "mfa", path, name)
	for _, d := range c.virtualMFAs() {
		if strings.EqualFold(d.SerialNumber, serial) {
			return nil, newErr(409, "EntityAlreadyExists", "MFADevice entity at the same path and name already exists.")
		}
	}
	d := &mfaDevice{serial: serial, virtual: true, created: c.now}
	st.virtualMFA = append(st.virtualMFA, d)
	seed := c.sim.randomID(64)
	// A PNG signature and an empty IHDR-less body: clients only store it.
	png := append([]byte("\x89PNG\r\n\x1a\n"), []byte("otpauth://totp/"+name+"@"+c.acct.ID+"?secret="+seed)...)
	return struct {
		VirtualMFADevice iamXVirtualMFA `xml:"VirtualMFADevice"`
	}{iamXVirtualMFA{SerialNumber: serial, Base32StringSeed: iamBase64([]byte(seed)), QRCodePNG: iamBase64(png)}}, nil
}

func iamDeleteVirtualMFADevice(c *call) (any, *apiError) {
	v := c.iamValidate()
	serial := v.str("SerialNumber", true, 9, 256, &iamPatSerial)
	if e := v.err(); e != nil {
		return nil, e
	}
	st := c.iamSt()
	d := st.findVirtualMFA(serial)
	if d == nil {
		return nil, newErr(404, "NoSuchEntity", "VirtualMFADevice with serial number %s doesn't exist.", serial)
	}
	if d.user != "" {
		return nil, newErr(409, "DeleteConflict", "MFA Device is still in use.")
	}
	for i, x := range st.virtualMFA {
		if x == d {
			st.virtualMFA = append(st.virtualMFA[:i:i], st.virtualMFA[i+1:]...)
			break
		}
	}
	return nil, nil
}

func iamEnableMFADevice(c *call) (any, *apiError) {
	v := c.iamValidate()
	serial := v.str("SerialNumber", true, 9, 256, &iamPatSerial)
	v.str("AuthenticationCode1", true, 6, 6, &iamPatCode)
	v.str("AuthenticationCode2", true, 6, 6, &iamPatCode)
	if e := v.err(); e != nil {
		return nil, e
	}
	u, e := c.iamRequireUser()
	if e != nil {
		return nil, e
	}
	st := c.iamSt()
	for _, x := range st.users {
		for _, d := range x.mfa {
			if d.serial == serial {
				return nil, newErr(409, "EntityAlreadyExists", "MFA Device is already in use.")
			}
		}
	}
	if len(u.mfa) >= iamMaxMFAPerUser {
		return nil, newErr(409, "LimitExceeded", "Cannot exceed quota for MFADevicesPerUser: %d", iamMaxMFAPerUser)
	}
	d := st.findVirtualMFA(serial)
	switch {
	case d != nil:
		d.user, d.enabled = u.name, c.now
	case strings.HasPrefix(serial, "arn:"):
		return nil, newErr(404, "NoSuchEntity", "VirtualMFADevice with serial number %s doesn't exist.", serial)
	default:
		// Any other serial number is a hardware token.
		d = &mfaDevice{serial: serial, enabled: c.now, created: c.now, user: u.name}
	}
	u.mfa = append(u.mfa, d)
	return nil, nil
}

func iamDeactivateMFADevice(c *call) (any, *apiError) {
	v := c.iamValidate()
	serial := v.str("SerialNumber", true, 9, 256, &iamPatSerial)
	if e := v.err(); e != nil {
		return nil, e
	}
	u, _, e := c.iamUserArg()
	if e != nil {
		return nil, e
	}
	if u == nil {
		st := c.iamSt()
		if !st.root.mfa {
			return nil, newErr(404, "NoSuchEntity", "MFA Device with serial number %s does not exist.", serial)
		}
		st.root.mfa, st.root.hardwareMFA = false, false
		return nil, nil
	}
	for i, d := range u.mfa {
		if d.serial == serial {
			u.mfa = append(u.mfa[:i:i], u.mfa[i+1:]...)
			d.user, d.enabled = "", time.Time{}
			return nil, nil
		}
	}
	return nil, newErr(404, "NoSuchEntity", "MFA Device with serial number %s does not exist.", serial)
}

// ---------------------------------------------------------------------------
// Policies attached to and embedded in users, groups and roles.

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
	if c.iamSt().managedPolicy(arn) == nil {
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
	st := c.iamSt()
	var list []iamXAttached
	for _, arn := range *ent.attached {
		p := st.managedPolicy(arn)
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
		AttachedPolicies []iamXAttached `xml:"AttachedPolicies>member"`
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
		PolicyNames []string `xml:"PolicyNames>member"`
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

// ---------------------------------------------------------------------------
// Groups.

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
		Groups []iamXGroup `xml:"Groups>member"`
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
		Group iamXGroup  `xml:"Group"`
		Users []iamXUser `xml:"Users>member"`
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
		arn: iamARN(c.acct.ID, "group", path, name), inline: map[string]*policyDoc{}}
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
		Groups []iamXGroup `xml:"Groups>member"`
		iamPageOut
	}{groups[start:end], pg}, nil
}

// ---------------------------------------------------------------------------
// Roles.

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
		Roles []iamXRole `xml:"Roles>member"`
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
		name: name, path: path, id: "AROA" + c.sim.randomID(17), arn: iamARN(c.acct.ID, "role", path, name),
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
		"arn:aws:iam::aws:policy/aws-service-role/AWSConfigServiceRolePolicy", ""},
	"access-analyzer.amazonaws.com": {"AWSServiceRoleForAccessAnalyzer",
		"arn:aws:iam::aws:policy/service-role/AccessAnalyzerServiceRolePolicy", ""},
	"cloudtrail.amazonaws.com": {"AWSServiceRoleForCloudTrail",
		"arn:aws:iam::aws:policy/aws-service-role/CloudTrailServiceRolePolicy", ""},
	"organizations.amazonaws.com": {"AWSServiceRoleForOrganizations",
		"arn:aws:iam::aws:policy/aws-service-role/AWSOrganizationsServiceTrustPolicy", "Service-linked role used by AWS Organizations to enable integration of other AWS services with Organizations."},
	"support.amazonaws.com": {"AWSServiceRoleForSupport",
		"arn:aws:iam::aws:policy/aws-service-role/AWSSupportServiceRolePolicy", "Enables resource access for AWS to provide billing, administrative and support services"},
	"trustedadvisor.amazonaws.com": {"AWSServiceRoleForTrustedAdvisor",
		"arn:aws:iam::aws:policy/aws-service-role/AWSTrustedAdvisorServiceRolePolicy", "Access for the AWS Trusted Advisor Service to help reduce cost, increase performance, and improve security of your AWS environment."},
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
		name: name, path: path, id: "AROA" + s.randomID(17), arn: iamARN(acct.ID, "role", path, name),
		description: desc, created: now, maxSession: 3600, inline: map[string]*policyDoc{},
		trust: &policyDoc{text: trust, parsed: iampolicy.MustParse(trust, iampolicy.KindTrust)},
	}
	// The role gets its service's policy when orgsim knows that policy
	// (managed.go); otherwise it is created without one.
	if st.managedPolicy(def.policy) != nil {
		r.attached = []string{def.policy}
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

// ---------------------------------------------------------------------------
// Managed policies.

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
	prefix := v.pathPrefix()
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
		x := xPolicy(st, p, false)
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
		Policies []iamXPolicy `xml:"Policies>member"`
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
	p := c.iamSt().managedPolicy(arn)
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
	}{xPolicy(c.iamSt(), p, true)}, nil
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
		name: name, path: path, id: "ANPA" + c.sim.randomID(17), arn: iamARN(c.acct.ID, "policy", path, name),
		description: desc, created: c.now, updated: c.now, defaultVersion: "v1", nextVersion: 2, tags: tags,
		versions: []*policyVersion{{id: "v1", doc: doc, created: c.now}},
	}
	st.policies[p.arn] = p
	x := xPolicy(st, p, false)
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
		Versions []iamXPolicyVersion `xml:"Versions>member"`
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
	prefix := v.pathPrefix()
	usage := v.enum("PolicyUsageFilter", "PermissionsPolicy", "PermissionsBoundary")
	if e := v.err(); e != nil {
		return nil, e
	}
	p, e := c.iamPolicyArg()
	if e != nil {
		return nil, e
	}
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
				if iamCount(g.attached, p.arn) > 0 && strings.HasPrefix(g.path, prefix) {
					list = append(list, entity{"Group", g.name, g.id})
				}
			}
		}
		if want("User") {
			for _, u := range st.sortedUsers() {
				if iamCount(u.attached, p.arn) > 0 && strings.HasPrefix(u.path, prefix) {
					list = append(list, entity{"User", u.name, u.id})
				}
			}
		}
		if want("Role") {
			for _, r := range st.sortedRoles() {
				if iamCount(r.attached, p.arn) > 0 && strings.HasPrefix(r.path, prefix) {
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
		PolicyGroups []xg `xml:"PolicyGroups>member"`
		PolicyUsers  []xu `xml:"PolicyUsers>member"`
		PolicyRoles  []xr `xml:"PolicyRoles>member"`
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
