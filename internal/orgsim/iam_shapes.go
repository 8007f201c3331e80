package orgsim

import "encoding/xml"

// IAM: output shapes (element names as the SDK deserializers read them).

type iamPageOut struct {
	IsTruncated bool   `xml:"IsTruncated"`
	Marker      string `xml:"Marker,omitempty"`
}

// iamMembers is an IAM list member: <Name><member>...</member>...</Name>,
// written even when empty (<Name></Name>), as IAM writes the lists of its
// answers; botocore and the AWS CLI then show an empty list ("Users": [])
// rather than no key at all.
type iamMembers[T any] []T

func (l iamMembers[T]) MarshalXML(e *xml.Encoder, start xml.StartElement) error {
	if err := e.EncodeToken(start); err != nil {
		return err
	}
	for _, x := range l {
		if err := e.EncodeElement(x, xml.StartElement{Name: xml.Name{Local: "member"}}); err != nil {
			return err
		}
	}
	return e.EncodeToken(start.End())
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
func (c *call) xPolicy(p *iamManagedPolicy, full bool) iamXPolicy {
	arn := p.arn
	x := iamXPolicy{
		PolicyName: p.name, PolicyId: p.id, Arn: arn, Path: p.path, DefaultVersionId: p.defaultVersion,
		AttachmentCount: c.iamSt().attachmentCount(arn), IsAttachable: true,
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
