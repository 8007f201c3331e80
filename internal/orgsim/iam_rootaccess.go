package orgsim

import "time"

// IAM: centralized root access for member accounts. The organization
// features that turn it on (EnableOrganizationsRootCredentialsManagement,
// EnableOrganizationsRootSessions, their Disable counterparts,
// ListOrganizationsFeatures) and the root user's credentials as a root
// session (sts:AssumeRoot, sts_root.go) reads and deletes them: the
// console password (login profile), access keys, signing certificates and
// MFA devices.
//
// Sources: IAM API reference, each operation's page (errors, with their
// descriptions as messages); IAM user guide, "Centralize root access for
// member accounts" (id_root-enable-root-access) and "Perform a privileged
// task on an AWS Organizations member account"
// (id_root-user-privileged-task); the SDK's shapes (aws-sdk-go-v2
// service/iam api_op_*.go, types/errors.go).
//
// Who may call the feature operations, in the order orgsim checks:
//
//   - an account in an organization (OrganizationNotFoundException), with
//     all features (OrganizationNotInAllFeaturesModeException);
//   - the management account or IAM's delegated administrator
//     (iam.amazonaws.com), as IAM sees the registration once it has
//     propagated (AccountNotManagementOrDelegatedAdministratorException);
//   - to enable a feature, the management account only
//     (CallerIsNotManagementAccountException). The API reference lists that
//     error for the two Enable operations and for no other, and the user
//     guide's steps enable the features from the management account,
//     registering the delegated administrator afterwards; it does not say
//     in words that a delegated administrator cannot enable them. orgsim
//     takes the stricter reading: it cannot, and may list and disable them;
//   - trusted access for IAM enabled in Organizations
//     (ServiceAccessNotEnabledException): "Before you enable centralized
//     root access ... Enable trusted access for AWS Identity and Access
//     Management in AWS Organizations".
//
// Every one of these errors is HTTP 400, its code the shape name with
// "Exception" (the SDK's deserializers match on it; the API reference
// prints the names without the suffix).
//
// Idempotence: enabling an enabled feature or disabling a disabled one is
// no error (the API reference lists none for it) and answers the features
// enabled afterwards. Enabling deletes no credential that exists ("After
// you centralize root access, you can choose to delete root user
// credentials").

// iamServicePrincipal is IAM's service principal in Organizations.
const iamServicePrincipal = "iam.amazonaws.com"

// The features, as EnabledFeatures lists them (FeatureType).
const (
	featureRootCredentialsManagement = "RootCredentialsManagement"
	featureRootSessions              = "RootSessions"
)

// rootAccessFeatures are the centralized root access features enabled for
// the organization.
type rootAccessFeatures struct {
	credentialsManagement bool
	rootSessions          bool
}

// list is EnabledFeatures: the enabled features, always in the order of
// the FeatureType enum.
func (f rootAccessFeatures) list() iamMembers[string] {
	out := iamMembers[string]{}
	if f.credentialsManagement {
		out = append(out, featureRootCredentialsManagement)
	}
	if f.rootSessions {
		out = append(out, featureRootSessions)
	}
	return out
}

type iamXOrgFeatures struct {
	OrganizationId  string             `xml:"OrganizationId"`
	EnabledFeatures iamMembers[string] `xml:"EnabledFeatures"`
}

// iamOrgFeaturesCaller checks that c may call a feature operation (see
// above); enable is true for the Enable operations.
func iamOrgFeaturesCaller(c *call, enable bool) *apiError {
	o := c.sim.org
	switch {
	case o == nil:
		return newErr(400, "OrganizationNotFoundException", "The request was rejected because no organization is associated with your account.")
	case o.featureSet != "ALL":
		return newErr(400, "OrganizationNotInAllFeaturesModeException", "The request was rejected because your organization does not have All features enabled.")
	case c.acct.ID != o.mgmtID && !c.sim.delegatedAdminUsable(iamServicePrincipal, c.acct.ID):
		return newErr(400, "AccountNotManagementOrDelegatedAdministratorException", "The request was rejected because the account making the request is not the management account or delegated administrator account for centralized root access.")
	case enable && c.acct.ID != o.mgmtID:
		return newErr(400, "CallerIsNotManagementAccountException", "The request was rejected because the account making the request is not the management account for the organization.")
	}
	if _, ok := o.serviceAccess[iamServicePrincipal]; !ok {
		return newErr(400, "ServiceAccessNotEnabledException", "The request was rejected because trusted access is not enabled for IAM in AWS Organizations.")
	}
	return nil
}

// iamSetOrgFeature is the body of the four Enable and Disable operations.
func iamSetOrgFeature(c *call, feature string, on bool) (any, *apiError) {
	if e := iamOrgFeaturesCaller(c, on); e != nil {
		return nil, e
	}
	f := &c.sim.org.rootAccess
	switch feature {
	case featureRootCredentialsManagement:
		f.credentialsManagement = on
	case featureRootSessions:
		f.rootSessions = on
	}
	return iamXOrgFeatures{c.sim.org.id, f.list()}, nil
}

func iamEnableOrganizationsRootCredentialsManagement(c *call) (any, *apiError) {
	return iamSetOrgFeature(c, featureRootCredentialsManagement, true)
}

func iamEnableOrganizationsRootSessions(c *call) (any, *apiError) {
	return iamSetOrgFeature(c, featureRootSessions, true)
}

func iamDisableOrganizationsRootCredentialsManagement(c *call) (any, *apiError) {
	return iamSetOrgFeature(c, featureRootCredentialsManagement, false)
}

func iamDisableOrganizationsRootSessions(c *call) (any, *apiError) {
	return iamSetOrgFeature(c, featureRootSessions, false)
}

// iamListOrganizationsFeatures lists the features enabled (IAM API
// reference, ListOrganizationsFeatures: "Lists the centralized root access
// features enabled for your organization").
func iamListOrganizationsFeatures(c *call) (any, *apiError) {
	if e := iamOrgFeaturesCaller(c, false); e != nil {
		return nil, e
	}
	return iamXOrgFeatures{c.sim.org.id, c.sim.org.rootAccess.list()}, nil
}

// ---------------------------------------------------------------------------
// The root user's credentials.
//
// GetLoginProfile, DeleteLoginProfile, CreateLoginProfile and
// DeactivateMFADevice take no UserName in a root session: "If no user name
// is included, it defaults to the principal making the request. When you
// make this request with root user credentials, you must use an AssumeRoot
// session to omit the user name" (IAM API reference, UserName of each).
// With the root user's long-term credentials orgsim answers the login
// profile calls as before (no login profile; CreateLoginProfile refused).
// The access key, MFA and signing certificate calls act on the root user's
// own credentials whenever the caller is the root user (iam_keys.go,
// iam_mfa.go, below).

// rootLoginProfileName is the UserName orgsim answers for the root user's
// login profile. AWS says GetLoginProfile shows "the user name" of a
// member account's root user ("Use the following commands to view the
// user name and recover root user credentials", user guide) but not what
// it is; orgsim answers "root", as it names the root user in
// GetAccessKeyLastUsed.
const rootLoginProfileName = "root"

// rootSessionLogin reports whether c is a root session acting on the root
// user's own login profile (no UserName).
func (c *call) rootSessionLogin(root bool) bool { return root && c.caller.assumedRoot() }

type iamXSigningCert struct {
	UserName        string   `xml:"UserName,omitempty"`
	CertificateId   string   `xml:"CertificateId"`
	CertificateBody string   `xml:"CertificateBody"`
	Status          string   `xml:"Status"`
	UploadDate      *isoTime `xml:"UploadDate"`
}

// iamListSigningCertificates lists the signing certificates of a user or,
// when the root user calls without UserName, of the root user. orgsim
// models none for IAM users.
func iamListSigningCertificates(c *call) (any, *apiError) {
	_, root, e := c.iamUserArg()
	if e != nil {
		return nil, e
	}
	var certs []*signingCert
	if root {
		certs = c.iamSt().root.certs
	}
	start, end, pg, e := c.iamPage(len(certs))
	if e != nil {
		return nil, e
	}
	out := struct {
		Certificates iamMembers[iamXSigningCert] `xml:"Certificates"`
		iamPageOut
	}{Certificates: iamMembers[iamXSigningCert]{}, iamPageOut: pg}
	for _, x := range certs[start:end] {
		out.Certificates = append(out.Certificates, iamXSigningCert{CertificateId: x.id, CertificateBody: x.body, Status: x.status, UploadDate: iso(x.uploaded)})
	}
	return out, nil
}

var iamPatCertID = iamPat(`[\w]+`, `[\w]+`)

// iamDeleteSigningCertificate deletes a signing certificate (IAM API
// reference, DeleteSigningCertificate: CertificateId 24 to 128 of [\w]+;
// "If you do not specify a user name, IAM determines the user name
// implicitly based on the Amazon Web Services access key ID signing the
// request ... you can use this operation to manage Amazon Web Services
// account root user credentials"). A certificate that does not exist
// answers NoSuchEntity; the message is orgsim's, in IAM's usual wording
// (not verified).
func iamDeleteSigningCertificate(c *call) (any, *apiError) {
	v := c.iamValidate()
	id := v.str("CertificateId", true, 24, 128, &iamPatCertID)
	if e := v.err(); e != nil {
		return nil, e
	}
	_, root, e := c.iamUserArg()
	if e != nil {
		return nil, e
	}
	if root {
		st := c.iamSt()
		for i, x := range st.root.certs {
			if x.id == id {
				st.root.certs = append(st.root.certs[:i:i], st.root.certs[i+1:]...)
				return nil, nil
			}
		}
	}
	return nil, newErr(404, "NoSuchEntity", "The Certificate with id %s cannot be found.", id)
}

// rootMFASerialOf is the serial number of the root user's MFA device: a
// virtual device's ARN, or a hardware token's serial.
func (c *call) rootMFASerialOf() string {
	if c.iamSt().root.hardwareMFA {
		return "GAHT" + c.acct.ID[:8]
	}
	return c.sim.rootMFASerial(c.acct.ID)
}

// deactivateRootMFA deactivates the root user's MFA device serial
// ("Deactivates the specified MFA device and removes it from association
// with the user name for which it was originally enabled", IAM API
// reference, DeactivateMFADevice). A virtual device stays in the account,
// unassigned, until DeleteVirtualMFADevice deletes it ("You must
// deactivate a user's virtual MFA device before you can delete it", same
// reference, DeleteVirtualMFADevice); a hardware token is gone from IAM.
// The serial must be the root user's device's; another answers
// NoSuchEntity, as for a user's.
func (c *call) deactivateRootMFA(serial string) *apiError {
	st := c.iamSt()
	if !st.root.mfa || serial != c.rootMFASerialOf() {
		return newErr(404, "NoSuchEntity", "MFA Device with serial number %s does not exist.", serial)
	}
	if !st.root.hardwareMFA {
		st.virtualMFA = append(st.virtualMFA, &mfaDevice{serial: serial, virtual: true, created: st.root.created})
	}
	st.root.mfa, st.root.hardwareMFA = false, false
	return nil
}

// newRootLogin is the login profile a root session's CreateLoginProfile
// makes ("Allow password recovery": the person with access to the root
// user's email can then reset the password).
func newRootLogin(now time.Time) *loginProfile {
	return &loginProfile{created: now, changed: now}
}
