package orgsim

import (
	"encoding/xml"
	"sort"
	"strings"
)

// IAM: the reads auditors make (Cloud Custodian's account resource,
// Prowler's IAM checks, the AWS CLI scripts people run) that the other
// sections do not serve: tags, the account's authorization details, and
// the lists of things orgsim does not model and a seeded organization
// does not have (account aliases, instance profiles, identity providers,
// server certificates, SSH keys, service-specific credentials; signing
// certificates, which only root users have here, are in
// iam_rootaccess.go). Those answer the empty list AWS gives an account
// without any, after the same validation and with the same errors (IAM
// API reference, each operation's page; the shapes are botocore's
// iam/2010-05-08 model).

// iamTagList is a Tags member sorted by key, paged with Marker/MaxItems as
// the List*Tags operations page it.
func (c *call) iamTagList(tags map[string]string) (any, *apiError) {
	keys := make([]string, 0, len(tags))
	for k := range tags {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	start, end, pg, e := c.iamPage(len(keys))
	if e != nil {
		return nil, e
	}
	out := struct {
		Tags iamMembers[iamXTag] `xml:"Tags"`
		iamPageOut
	}{Tags: iamMembers[iamXTag]{}, iamPageOut: pg}
	for _, k := range keys[start:end] {
		out.Tags = append(out.Tags, iamXTag{Key: k, Value: tags[k]})
	}
	return out, nil
}

func iamListUserTags(c *call) (any, *apiError) {
	u, e := c.iamRequireUser()
	if e != nil {
		return nil, e
	}
	return c.iamTagList(u.tags)
}

func iamListRoleTags(c *call) (any, *apiError) {
	r, e := c.iamRoleArg()
	if e != nil {
		return nil, e
	}
	return c.iamTagList(r.tags)
}

// iamListPolicyTags: AWS managed policies carry no tags.
func iamListPolicyTags(c *call) (any, *apiError) {
	p, e := c.iamPolicyArg()
	if e != nil {
		return nil, e
	}
	return c.iamTagList(p.tags)
}

// iamListMFADeviceTags lists a virtual MFA device's tags; orgsim keeps
// none (CreateVirtualMFADevice validates and drops them).
func iamListMFADeviceTags(c *call) (any, *apiError) {
	v := c.iamValidate()
	serial := v.str("SerialNumber", true, 9, 256, &iamPatSerial)
	if e := v.err(); e != nil {
		return nil, e
	}
	for _, d := range c.virtualMFAs() {
		if d.SerialNumber == serial {
			return c.iamTagList(nil)
		}
	}
	return nil, newErr(404, "NoSuchEntity", "VirtualMFADevice with serial number %s doesn't exist.", serial)
}

// iamListAccountAliases: orgsim gives no account an alias (an account has
// at most one; AWS lists none for an account without).
func iamListAccountAliases(c *call) (any, *apiError) {
	_, _, pg, e := c.iamPage(0)
	if e != nil {
		return nil, e
	}
	return struct {
		AccountAliases iamMembers[string] `xml:"AccountAliases"`
		iamPageOut
	}{iamMembers[string]{}, pg}, nil
}

// iamEmptyList answers a paged list of things orgsim does not model,
// after validating the parameters the operation takes.
func (c *call) iamEmptyList(member string, validate func(v *iamValidator)) (any, *apiError) {
	v := c.iamValidate()
	if validate != nil {
		validate(v)
	}
	if e := v.err(); e != nil {
		return nil, e
	}
	_, _, pg, e := c.iamPage(0)
	if e != nil {
		return nil, e
	}
	return iamEmptyListOut{member: member, page: pg}, nil
}

// iamEmptyListOut writes <Member></Member> and the page members.
type iamEmptyListOut struct {
	member string
	page   iamPageOut
}

func (o iamEmptyListOut) MarshalXML(e *xml.Encoder, start xml.StartElement) error {
	if err := e.EncodeToken(start); err != nil {
		return err
	}
	if err := e.EncodeElement(iamMembers[struct{}]{}, xml.StartElement{Name: xml.Name{Local: o.member}}); err != nil {
		return err
	}
	if err := e.EncodeElement(o.page.IsTruncated, xml.StartElement{Name: xml.Name{Local: "IsTruncated"}}); err != nil {
		return err
	}
	return e.EncodeToken(start.End())
}

func iamListInstanceProfiles(c *call) (any, *apiError) {
	return c.iamEmptyList("InstanceProfiles", func(v *iamValidator) { v.pathPrefix() })
}

func iamListInstanceProfilesForRole(c *call) (any, *apiError) {
	if _, e := c.iamRoleArg(); e != nil {
		return nil, e
	}
	return c.iamEmptyList("InstanceProfiles", nil)
}

func iamListServerCertificates(c *call) (any, *apiError) {
	return c.iamEmptyList("ServerCertificateMetadataList", func(v *iamValidator) { v.pathPrefix() })
}

// iamUserListArg resolves the optional UserName of a per-user list (the
// calling user when omitted; the root user has none of these).
func (c *call) iamUserListArg() *apiError {
	_, _, e := c.iamUserArg()
	return e
}

func iamListSSHPublicKeys(c *call) (any, *apiError) {
	if e := c.iamUserListArg(); e != nil {
		return nil, e
	}
	return c.iamEmptyList("SSHPublicKeys", nil)
}

// iamListServiceSpecificCredentials: orgsim models none (CodeCommit,
// Keyspaces and Bedrock credentials). AllUsers lists every user's, so
// needs no user.
func iamListServiceSpecificCredentials(c *call) (any, *apiError) {
	if all, _ := queryBool(c.form, "AllUsers"); !all {
		if e := c.iamUserListArg(); e != nil {
			return nil, e
		}
	}
	return c.iamEmptyList("ServiceSpecificCredentials", nil)
}

func iamListSAMLProviders(c *call) (any, *apiError) {
	return struct {
		SAMLProviderList iamMembers[struct{}] `xml:"SAMLProviderList"`
	}{iamMembers[struct{}]{}}, nil
}

func iamListOpenIDConnectProviders(c *call) (any, *apiError) {
	return struct {
		OpenIDConnectProviderList iamMembers[struct{}] `xml:"OpenIDConnectProviderList"`
	}{iamMembers[struct{}]{}}, nil
}

// ---------------------------------------------------------------------------
// GetAccountAuthorizationDetails.

type iamXPolicyDetail struct {
	PolicyName     string `xml:"PolicyName"`
	PolicyDocument string `xml:"PolicyDocument"`
}

type iamXUserDetail struct {
	Path                    string                       `xml:"Path"`
	UserName                string                       `xml:"UserName"`
	UserId                  string                       `xml:"UserId"`
	Arn                     string                       `xml:"Arn"`
	CreateDate              *isoTime                     `xml:"CreateDate"`
	UserPolicyList          iamMembers[iamXPolicyDetail] `xml:"UserPolicyList"`
	GroupList               iamMembers[string]           `xml:"GroupList"`
	AttachedManagedPolicies iamMembers[iamXAttached]     `xml:"AttachedManagedPolicies"`
	Tags                    iamMembers[iamXTag]          `xml:"Tags"`
}

type iamXGroupDetail struct {
	Path                    string                       `xml:"Path"`
	GroupName               string                       `xml:"GroupName"`
	GroupId                 string                       `xml:"GroupId"`
	Arn                     string                       `xml:"Arn"`
	CreateDate              *isoTime                     `xml:"CreateDate"`
	GroupPolicyList         iamMembers[iamXPolicyDetail] `xml:"GroupPolicyList"`
	AttachedManagedPolicies iamMembers[iamXAttached]     `xml:"AttachedManagedPolicies"`
}

type iamXRoleDetail struct {
	Path                     string                       `xml:"Path"`
	RoleName                 string                       `xml:"RoleName"`
	RoleId                   string                       `xml:"RoleId"`
	Arn                      string                       `xml:"Arn"`
	CreateDate               *isoTime                     `xml:"CreateDate"`
	AssumeRolePolicyDocument string                       `xml:"AssumeRolePolicyDocument,omitempty"`
	InstanceProfileList      iamMembers[struct{}]         `xml:"InstanceProfileList"`
	RolePolicyList           iamMembers[iamXPolicyDetail] `xml:"RolePolicyList"`
	AttachedManagedPolicies  iamMembers[iamXAttached]     `xml:"AttachedManagedPolicies"`
	Tags                     iamMembers[iamXTag]          `xml:"Tags"`
	RoleLastUsed             *iamXRoleLastUsed            `xml:"RoleLastUsed"`
}

type iamXManagedPolicyDetail struct {
	PolicyName                    string                        `xml:"PolicyName"`
	PolicyId                      string                        `xml:"PolicyId"`
	Arn                           string                        `xml:"Arn"`
	Path                          string                        `xml:"Path"`
	DefaultVersionId              string                        `xml:"DefaultVersionId"`
	AttachmentCount               int                           `xml:"AttachmentCount"`
	PermissionsBoundaryUsageCount int                           `xml:"PermissionsBoundaryUsageCount"`
	IsAttachable                  bool                          `xml:"IsAttachable"`
	Description                   string                        `xml:"Description,omitempty"`
	CreateDate                    *isoTime                      `xml:"CreateDate"`
	UpdateDate                    *isoTime                      `xml:"UpdateDate"`
	PolicyVersionList             iamMembers[iamXPolicyVersion] `xml:"PolicyVersionList"`
}

func iamInlineDetails(m map[string]*policyDoc) iamMembers[iamXPolicyDetail] {
	names := make([]string, 0, len(m))
	for n := range m {
		names = append(names, n)
	}
	sort.Slice(names, func(i, j int) bool { return iamLess(names[i], names[j]) })
	out := iamMembers[iamXPolicyDetail]{}
	for _, n := range names {
		out = append(out, iamXPolicyDetail{PolicyName: n, PolicyDocument: iamEncodeDoc(m[n])})
	}
	return out
}

func (c *call) iamAttachedDetails(arns []string) iamMembers[iamXAttached] {
	out := iamMembers[iamXAttached]{}
	for _, arn := range arns {
		name := arn[strings.LastIndexByte(arn, '/')+1:]
		if p := c.iamManagedPolicy(arn); p != nil {
			name = p.name
		}
		out = append(out, iamXAttached{PolicyName: name, PolicyArn: arn})
	}
	return out
}

func iamTagMembers(m map[string]string) iamMembers[iamXTag] {
	out := iamMembers[iamXTag]{}
	if t := iamSortedTags(m); t != nil {
		out = append(out, t.Member...)
	}
	return out
}

// iamGetAccountAuthorizationDetails answers every user, group, role and
// managed policy of the account with their policies, paged with
// Marker/MaxItems over all of them in that order. Policies holds the
// account's customer managed policies and the AWS managed policies
// attached to one of its users, groups or roles, each with every version's
// document (IAM API reference, GetAccountAuthorizationDetails; Filter
// takes User, Role, Group, LocalManagedPolicy, AWSManagedPolicy).
func iamGetAccountAuthorizationDetails(c *call) (any, *apiError) {
	want := map[string]bool{}
	v := c.iamValidate()
	filter := queryList(c.form, "Filter", "")
	for _, f := range filter {
		switch f {
		case "User", "Role", "Group", "LocalManagedPolicy", "AWSManagedPolicy":
			want[f] = true
		default:
			v.msgs = append(v.msgs, "Value '["+strings.Join(filter, ", ")+"]' at 'filter' failed to satisfy constraint: Member must satisfy constraint: [Member must satisfy enum value set: [User, Role, Group, LocalManagedPolicy, AWSManagedPolicy]]")
		}
	}
	if e := v.err(); e != nil {
		return nil, e
	}
	all := len(want) == 0
	st := c.iamSt()
	var items []any
	if all || want["User"] {
		for _, u := range st.sortedUsers() {
			items = append(items, iamXUserDetail{
				Path: u.path, UserName: u.name, UserId: u.id, Arn: u.arn, CreateDate: iso(u.created),
				UserPolicyList: iamInlineDetails(u.inline), GroupList: append(iamMembers[string]{}, u.groups...),
				AttachedManagedPolicies: c.iamAttachedDetails(u.attached), Tags: iamTagMembers(u.tags),
			})
		}
	}
	if all || want["Group"] {
		for _, g := range st.sortedGroups() {
			items = append(items, iamXGroupDetail{
				Path: g.path, GroupName: g.name, GroupId: g.id, Arn: g.arn, CreateDate: iso(g.created),
				GroupPolicyList: iamInlineDetails(g.inline), AttachedManagedPolicies: c.iamAttachedDetails(g.attached),
			})
		}
	}
	if all || want["Role"] {
		for _, r := range st.sortedRoles() {
			x := iamXRoleDetail{
				Path: r.path, RoleName: r.name, RoleId: r.id, Arn: r.arn, CreateDate: iso(r.created),
				AssumeRolePolicyDocument: iamEncodeDoc(r.trust), InstanceProfileList: iamMembers[struct{}]{},
				RolePolicyList: iamInlineDetails(r.inline), AttachedManagedPolicies: c.iamAttachedDetails(r.attached),
				Tags: iamTagMembers(r.tags), RoleLastUsed: &iamXRoleLastUsed{LastUsedDate: iso(r.lastUsed)},
			}
			if !r.lastUsed.IsZero() {
				x.RoleLastUsed.Region = r.lastUsedRegion
			}
			items = append(items, x)
		}
	}
	for _, p := range st.allPolicies() {
		x := c.xPolicy(p, true)
		switch {
		case p.awsManaged && !(all || want["AWSManagedPolicy"]), !p.awsManaged && !(all || want["LocalManagedPolicy"]):
			continue
		case p.awsManaged && x.AttachmentCount == 0:
			continue // AWS managed policies the account does not use are not its own
		}
		d := iamXManagedPolicyDetail{
			PolicyName: x.PolicyName, PolicyId: x.PolicyId, Arn: x.Arn, Path: x.Path, DefaultVersionId: x.DefaultVersionId,
			AttachmentCount: x.AttachmentCount, IsAttachable: true, Description: x.Description,
			CreateDate: x.CreateDate, UpdateDate: x.UpdateDate, PolicyVersionList: iamMembers[iamXPolicyVersion]{},
		}
		for _, pv := range p.versions {
			d.PolicyVersionList = append(d.PolicyVersionList, iamXPolicyVersion{
				Document: iamEncodeDoc(pv.doc), VersionId: pv.id, IsDefaultVersion: pv.id == p.defaultVersion, CreateDate: iso(pv.created),
			})
		}
		items = append(items, d)
	}
	start, end, pg, e := c.iamPage(len(items))
	if e != nil {
		return nil, e
	}
	out := struct {
		UserDetailList  iamMembers[iamXUserDetail]          `xml:"UserDetailList"`
		GroupDetailList iamMembers[iamXGroupDetail]         `xml:"GroupDetailList"`
		RoleDetailList  iamMembers[iamXRoleDetail]          `xml:"RoleDetailList"`
		Policies        iamMembers[iamXManagedPolicyDetail] `xml:"Policies"`
		iamPageOut
	}{iamMembers[iamXUserDetail]{}, iamMembers[iamXGroupDetail]{}, iamMembers[iamXRoleDetail]{}, iamMembers[iamXManagedPolicyDetail]{}, pg}
	for _, it := range items[start:end] {
		switch x := it.(type) {
		case iamXUserDetail:
			out.UserDetailList = append(out.UserDetailList, x)
		case iamXGroupDetail:
			out.GroupDetailList = append(out.GroupDetailList, x)
		case iamXRoleDetail:
			out.RoleDetailList = append(out.RoleDetailList, x)
		case iamXManagedPolicyDetail:
			out.Policies = append(out.Policies, x)
		}
	}
	return out, nil
}

// The tags of things orgsim never holds: AWS answers NoSuchEntity for a
// name or ARN that does not exist, as every one does here.
func iamListServerCertificateTags(c *call) (any, *apiError) {
	v := c.iamValidate()
	name := v.name("ServerCertificateName", true, 128)
	if e := v.err(); e != nil {
		return nil, e
	}
	return nil, newErr(404, "NoSuchEntity", "The Server Certificate with name %s cannot be found.", name)
}

func iamListInstanceProfileTags(c *call) (any, *apiError) {
	v := c.iamValidate()
	name := v.name("InstanceProfileName", true, 128)
	if e := v.err(); e != nil {
		return nil, e
	}
	return nil, newErr(404, "NoSuchEntity", "Instance Profile %s cannot be found.", name)
}

func iamListSAMLProviderTags(c *call) (any, *apiError) {
	v := c.iamValidate()
	arn := v.str("SAMLProviderArn", true, 20, 2048, nil)
	if e := v.err(); e != nil {
		return nil, e
	}
	return nil, newErr(404, "NoSuchEntity", "SAMLProvider %s does not exist.", arn)
}

func iamListOpenIDConnectProviderTags(c *call) (any, *apiError) {
	v := c.iamValidate()
	arn := v.str("OpenIDConnectProviderArn", true, 20, 2048, nil)
	if e := v.err(); e != nil {
		return nil, e
	}
	return nil, newErr(404, "NoSuchEntity", "OpenIDConnect Provider not found for arn %s", arn)
}
