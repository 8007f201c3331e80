package orgsim

import (
	"sort"
	"strings"
)

// IAM (awsQuery, global). The operations live in iam_*.go, one file per
// section: users, access keys, login profiles, MFA devices, the policies of
// users, groups and roles (iam_attach.go), groups, roles, managed policies,
// validation and errors, output shapes, resources for authorization, the
// account-level reads (iam_report.go), and centralized root access: the
// organization features and the root user's credentials
// (iam_rootaccess.go).
//
// Every list answers in a deterministic order (names sorted
// case-insensitively, attachments in attachment order) and pages with
// Marker/MaxItems (1-1000, default 100); the last page has IsTruncated
// false and no Marker, which is all the SDK paginators look at.
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

		// Centralized root access (iam_rootaccess.go).
		"EnableOrganizationsRootCredentialsManagement":  {fn: iamEnableOrganizationsRootCredentialsManagement, write: true},
		"EnableOrganizationsRootSessions":               {fn: iamEnableOrganizationsRootSessions, write: true},
		"DisableOrganizationsRootCredentialsManagement": {fn: iamDisableOrganizationsRootCredentialsManagement, write: true},
		"DisableOrganizationsRootSessions":              {fn: iamDisableOrganizationsRootSessions, write: true},
		"ListOrganizationsFeatures":                     {fn: iamListOrganizationsFeatures},
		"ListSigningCertificates":                       {fn: iamListSigningCertificates, resource: user},
		"DeleteSigningCertificate":                      {fn: iamDeleteSigningCertificate, write: true, resource: user},

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
			return c.sim.iamARN(c.acct.ID, "mfa", iamPathOr(c.form.Get("Path")), c.form.Get("VirtualMFADeviceName"))
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
		"TagRole":                            {fn: iamTagRole, write: true, resource: role},
		"UntagRole":                          {fn: iamUntagRole, write: true, resource: role},

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

		// The reads auditors make (iam_reads.go).
		"ListAccountAliases":             {fn: iamListAccountAliases},
		"GetAccountAuthorizationDetails": {fn: iamGetAccountAuthorizationDetails},
		"ListUserTags":                   {fn: iamListUserTags, resource: user},
		"ListRoleTags":                   {fn: iamListRoleTags, resource: role},
		"ListPolicyTags":                 {fn: iamListPolicyTags, resource: pol},
		"ListMFADeviceTags": {fn: iamListMFADeviceTags, resource: func(c *call) string {
			if s := c.form.Get("SerialNumber"); strings.HasPrefix(s, "arn:") {
				return s
			}
			return "*"
		}},
		"ListInstanceProfiles":           {fn: iamListInstanceProfiles},
		"ListInstanceProfilesForRole":    {fn: iamListInstanceProfilesForRole, resource: role},
		"ListServerCertificates":         {fn: iamListServerCertificates},
		"ListSSHPublicKeys":              {fn: iamListSSHPublicKeys, resource: user},
		"ListServiceSpecificCredentials": {fn: iamListServiceSpecificCredentials, resource: user},
		"ListSAMLProviders":              {fn: iamListSAMLProviders},
		"ListOpenIDConnectProviders":     {fn: iamListOpenIDConnectProviders},
		"ListServerCertificateTags":      {fn: iamListServerCertificateTags},
		"ListInstanceProfileTags":        {fn: iamListInstanceProfileTags},
		"ListSAMLProviderTags":           {fn: iamListSAMLProviderTags},
		"ListOpenIDConnectProviderTags":  {fn: iamListOpenIDConnectProviderTags},
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

// iamARN is the ARN of an IAM entity in the sim's partition:
// arn:PARTITION:iam::ACCOUNT:TYPE/PATH/NAME (IAM user guide, "IAM
// identifiers", IAM ARNs); path begins and ends with "/".
func (s *Sim) iamARN(acct, typ, path, name string) string {
	return s.arn("iam", "", acct, typ+path+name)
}

// iamManagedPolicy finds a managed policy by the ARN a caller gave: an AWS
// managed policy only under the sim's partition (arn:aws-us-gov:... in
// GovCloud; AWS answers an ARN of another partition as a policy that does
// not exist), a customer managed one of the caller's account.
func (c *call) iamManagedPolicy(arn string) *iamManagedPolicy {
	if !strings.HasPrefix(arn, c.sim.arnPrefix()) {
		return nil
	}
	return c.iamSt().managedPolicy(arn)
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
