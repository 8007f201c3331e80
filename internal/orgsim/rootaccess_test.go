package orgsim_test

import (
	"context"
	"encoding/csv"
	"net"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	awshttp "github.com/aws/aws-sdk-go-v2/aws/transport/http"
	"github.com/aws/aws-sdk-go-v2/config"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/iam"
	"github.com/aws/aws-sdk-go-v2/service/organizations"
	orgtypes "github.com/aws/aws-sdk-go-v2/service/organizations/types"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/aws-sdk-go-v2/service/sts"
	ststypes "github.com/aws/aws-sdk-go-v2/service/sts/types"

	"github.com/orgbaseline/orgbaseline/internal/orgsim"
)

// Centralized root access: IAM's organization features, sts:AssumeRoot
// and the root credentials a root session audits and deletes
// (iam_rootaccess.go, sts_root.go, seed_root.go), through the real SDK.

const (
	taskAudit  = "arn:aws:iam::aws:policy/root-task/IAMAuditRootUserCredentials"
	taskDelete = "arn:aws:iam::aws:policy/root-task/IAMDeleteRootUserCredentials"
	taskCreate = "arn:aws:iam::aws:policy/root-task/IAMCreateRootUserPassword"
	taskS3     = "arn:aws:iam::aws:policy/root-task/S3UnlockBucketPolicy"
)

// rootEnv is an organization of five members whose root users have the
// seeded mix of credentials (member n by n%5: password; password, virtual
// MFA and an active key; hardware MFA; a certificate and an inactive key;
// nothing).
func rootEnv(t testing.TB, opts orgsim.Options) (*env, []string) {
	t.Helper()
	opts.Org = orgsim.OrgSpec{Members: 5, Clean: true, RootCredentials: true}
	e := newEnv(t, opts)
	var members []string
	for _, a := range e.sim.Accounts()[1:] {
		members = append(members, a.ID)
	}
	return e, members
}

// enableRootAccess turns on trusted access for IAM and both features.
func enableRootAccess(t testing.TB, e *env) {
	t.Helper()
	if _, err := e.orgs(e.cfg).EnableAWSServiceAccess(bg, &organizations.EnableAWSServiceAccessInput{ServicePrincipal: aws.String("iam.amazonaws.com")}); err != nil {
		t.Fatal(err)
	}
	c := e.iam(e.cfg)
	if _, err := c.EnableOrganizationsRootCredentialsManagement(bg, &iam.EnableOrganizationsRootCredentialsManagementInput{}); err != nil {
		t.Fatal(err)
	}
	if _, err := c.EnableOrganizationsRootSessions(bg, &iam.EnableOrganizationsRootSessionsInput{}); err != nil {
		t.Fatal(err)
	}
}

func assumeRoot(cfg aws.Config, target, task string, duration *int32) (*sts.AssumeRootOutput, error) {
	return sts.NewFromConfig(cfg).AssumeRoot(bg, &sts.AssumeRootInput{
		TargetPrincipal: aws.String(target),
		TaskPolicyArn:   &ststypes.PolicyDescriptorType{Arn: aws.String(task)},
		DurationSeconds: duration,
	})
}

// rootSession assumes root in target with task from cfg and returns an IAM
// client for the session.
func rootSession(t testing.TB, e *env, cfg aws.Config, target, task string) *iam.Client {
	t.Helper()
	out, err := assumeRoot(cfg, target, task, nil)
	if err != nil {
		t.Fatalf("AssumeRoot %s %s: %v", target, task, err)
	}
	return e.iam(e.rootConfig(out))
}

func (e *env) rootConfig(out *sts.AssumeRootOutput) aws.Config {
	return e.config(orgsim.Credentials{
		AccessKeyID:     aws.ToString(out.Credentials.AccessKeyId),
		SecretAccessKey: aws.ToString(out.Credentials.SecretAccessKey),
		SessionToken:    aws.ToString(out.Credentials.SessionToken),
	}, "us-east-1")
}

func wantFeatures(t *testing.T, what string, got []string, want ...string) {
	t.Helper()
	if strings.Join(got, ",") != strings.Join(want, ",") {
		t.Fatalf("%s: EnabledFeatures = %v, want %v", what, got, want)
	}
}

func TestRootAccessFeatures(t *testing.T) {
	e, members := rootEnv(t, orgsim.Options{Seed: 31})
	c := e.iam(e.cfg)
	orgID := e.sim.OrganizationID()
	list := func(c *iam.Client) ([]string, error) {
		out, err := c.ListOrganizationsFeatures(bg, &iam.ListOrganizationsFeaturesInput{})
		if err != nil {
			return nil, err
		}
		if aws.ToString(out.OrganizationId) != orgID {
			t.Fatalf("OrganizationId = %s, want %s", aws.ToString(out.OrganizationId), orgID)
		}
		var fs []string
		for _, f := range out.EnabledFeatures {
			fs = append(fs, string(f))
		}
		return fs, nil
	}

	// Trusted access for IAM first.
	_, err := list(c)
	iamTWant(t, err, "ServiceAccessNotEnabledException", 400, "trusted access is not enabled for IAM")
	_, err = c.EnableOrganizationsRootSessions(bg, &iam.EnableOrganizationsRootSessionsInput{})
	iamTWant(t, err, "ServiceAccessNotEnabledException", 400, "")
	_, err = e.orgs(e.cfg).EnableAWSServiceAccess(bg, &organizations.EnableAWSServiceAccessInput{ServicePrincipal: aws.String("iam.amazonaws.com")})
	iamTNoErr(t, err, "EnableAWSServiceAccess")
	got, err := list(c)
	iamTNoErr(t, err, "ListOrganizationsFeatures")
	wantFeatures(t, "before", got)

	// Enabling answers the features enabled afterwards, and again the same.
	for i := 0; i < 2; i++ {
		out, err := c.EnableOrganizationsRootCredentialsManagement(bg, &iam.EnableOrganizationsRootCredentialsManagementInput{})
		iamTNoErr(t, err, "EnableOrganizationsRootCredentialsManagement")
		if aws.ToString(out.OrganizationId) != orgID || len(out.EnabledFeatures) != 1 || out.EnabledFeatures[0] != "RootCredentialsManagement" {
			t.Fatalf("enable credentials management #%d: %s %v", i+1, aws.ToString(out.OrganizationId), out.EnabledFeatures)
		}
	}
	out, err := c.EnableOrganizationsRootSessions(bg, &iam.EnableOrganizationsRootSessionsInput{})
	iamTNoErr(t, err, "EnableOrganizationsRootSessions")
	if len(out.EnabledFeatures) != 2 || out.EnabledFeatures[0] != "RootCredentialsManagement" || out.EnabledFeatures[1] != "RootSessions" {
		t.Fatalf("enable root sessions: %v", out.EnabledFeatures)
	}
	got, _ = list(c)
	wantFeatures(t, "after enabling", got, "RootCredentialsManagement", "RootSessions")

	// A member that administers nothing may neither list nor change them.
	audit := members[1]
	member := e.iam(e.assume(audit, orgsim.DefaultExecutionRole))
	_, err = list(member)
	iamTWant(t, err, "AccountNotManagementOrDelegatedAdministratorException", 400, "not the management account or delegated administrator")
	_, err = member.DisableOrganizationsRootSessions(bg, &iam.DisableOrganizationsRootSessionsInput{})
	iamTWant(t, err, "AccountNotManagementOrDelegatedAdministratorException", 400, "")
	_, err = member.EnableOrganizationsRootSessions(bg, &iam.EnableOrganizationsRootSessionsInput{})
	iamTWant(t, err, "AccountNotManagementOrDelegatedAdministratorException", 400, "")

	// IAM's delegated administrator, once IAM sees the registration, lists
	// and disables them, but only the management account enables them.
	_, err = e.orgs(e.cfg).RegisterDelegatedAdministrator(bg, &organizations.RegisterDelegatedAdministratorInput{AccountId: aws.String(audit), ServicePrincipal: aws.String("iam.amazonaws.com")})
	iamTNoErr(t, err, "RegisterDelegatedAdministrator")
	_, err = list(member)
	iamTWant(t, err, "AccountNotManagementOrDelegatedAdministratorException", 400, "")
	e.sim.Advance(e.sim.AWSLike().PropagationDelay)
	got, err = list(member)
	iamTNoErr(t, err, "ListOrganizationsFeatures (delegated administrator)")
	wantFeatures(t, "delegated administrator", got, "RootCredentialsManagement", "RootSessions")
	_, err = member.EnableOrganizationsRootCredentialsManagement(bg, &iam.EnableOrganizationsRootCredentialsManagementInput{})
	iamTWant(t, err, "CallerIsNotManagementAccountException", 400, "not the management account for the organization")
	for i := 0; i < 2; i++ {
		d, err := member.DisableOrganizationsRootSessions(bg, &iam.DisableOrganizationsRootSessionsInput{})
		iamTNoErr(t, err, "DisableOrganizationsRootSessions")
		if len(d.EnabledFeatures) != 1 || d.EnabledFeatures[0] != "RootCredentialsManagement" {
			t.Fatalf("disable root sessions #%d: %v", i+1, d.EnabledFeatures)
		}
	}
	dc, err := c.DisableOrganizationsRootCredentialsManagement(bg, &iam.DisableOrganizationsRootCredentialsManagementInput{})
	iamTNoErr(t, err, "DisableOrganizationsRootCredentialsManagement")
	if len(dc.EnabledFeatures) != 0 || aws.ToString(dc.OrganizationId) != orgID {
		t.Fatalf("disable credentials management: %s %v", aws.ToString(dc.OrganizationId), dc.EnabledFeatures)
	}

	// A billing-only organization has neither.
	b := newEnv(t, orgsim.Options{Seed: 31, Org: orgsim.OrgSpec{Members: 1, FeatureSet: "CONSOLIDATED_BILLING"}})
	_, err = b.iam(b.cfg).EnableOrganizationsRootSessions(bg, &iam.EnableOrganizationsRootSessionsInput{})
	iamTWant(t, err, "OrganizationNotInAllFeaturesModeException", 400, "All features")
}

func TestAssumeRootAudit(t *testing.T) {
	clock := newTestClock(time.Date(2026, 12, 1, 10, 0, 0, 0, time.UTC))
	e, members := rootEnv(t, orgsim.Options{Seed: 32, Now: clock.Now})
	enableRootAccess(t, e)
	target := members[1] // n=2: password, virtual MFA, an active key

	out, err := assumeRoot(e.cfg, target, taskAudit, nil)
	iamTNoErr(t, err, "AssumeRoot")
	cr := out.Credentials
	if !strings.HasPrefix(aws.ToString(cr.AccessKeyId), "ASIA") || aws.ToString(cr.SessionToken) == "" {
		t.Fatalf("credentials = %+v", cr)
	}
	if want := clock.Now().Add(900 * time.Second); cr.Expiration == nil || !cr.Expiration.Equal(want) {
		t.Fatalf("Expiration = %v, want %v (the 900 s default)", cr.Expiration, want)
	}
	if aws.ToInt32(out.SessionTokenSize) != int32(len(aws.ToString(cr.SessionToken))) || aws.ToInt32(out.SessionTokenUtilization) <= 0 {
		t.Fatalf("SessionTokenSize %d, SessionTokenUtilization %d", aws.ToInt32(out.SessionTokenSize), aws.ToInt32(out.SessionTokenUtilization))
	}
	sess := e.rootConfig(out)

	// The session is the member's root user.
	id, err := e.sts(sess).GetCallerIdentity(bg, &sts.GetCallerIdentityInput{})
	iamTNoErr(t, err, "GetCallerIdentity")
	if aws.ToString(id.Arn) != "arn:aws:iam::"+target+":root" || aws.ToString(id.UserId) != target || aws.ToString(id.Account) != target {
		t.Fatalf("root session identity = %s %s %s", aws.ToString(id.Arn), aws.ToString(id.UserId), aws.ToString(id.Account))
	}

	// What the audit task allows: the root user's credentials.
	c := e.iam(sess)
	lp, err := c.GetLoginProfile(bg, &iam.GetLoginProfileInput{})
	iamTNoErr(t, err, "GetLoginProfile")
	if lp.LoginProfile == nil || lp.LoginProfile.CreateDate == nil {
		t.Fatalf("root login profile = %+v", lp.LoginProfile)
	}
	keys, err := c.ListAccessKeys(bg, &iam.ListAccessKeysInput{})
	iamTNoErr(t, err, "ListAccessKeys")
	if len(keys.AccessKeyMetadata) != 1 || keys.AccessKeyMetadata[0].Status != "Active" {
		t.Fatalf("root access keys = %+v", keys.AccessKeyMetadata)
	}
	last, err := c.GetAccessKeyLastUsed(bg, &iam.GetAccessKeyLastUsedInput{AccessKeyId: keys.AccessKeyMetadata[0].AccessKeyId})
	iamTNoErr(t, err, "GetAccessKeyLastUsed")
	if last.AccessKeyLastUsed == nil || aws.ToString(last.AccessKeyLastUsed.ServiceName) != "s3" {
		t.Fatalf("root key last used = %+v", last.AccessKeyLastUsed)
	}
	mfa, err := c.ListMFADevices(bg, &iam.ListMFADevicesInput{})
	iamTNoErr(t, err, "ListMFADevices")
	if len(mfa.MFADevices) != 1 || aws.ToString(mfa.MFADevices[0].SerialNumber) != "arn:aws:iam::"+target+":mfa/root-account-mfa-device" {
		t.Fatalf("root MFA devices = %+v", mfa.MFADevices)
	}
	certs, err := c.ListSigningCertificates(bg, &iam.ListSigningCertificatesInput{})
	iamTNoErr(t, err, "ListSigningCertificates")
	if len(certs.Certificates) != 0 {
		t.Fatalf("root certificates = %+v", certs.Certificates)
	}
	sum, err := c.GetAccountSummary(bg, &iam.GetAccountSummaryInput{})
	iamTNoErr(t, err, "GetAccountSummary")
	for k, want := range map[string]int32{"AccountPasswordPresent": 1, "AccountMFAEnabled": 1, "AccountAccessKeysPresent": 1, "AccountSigningCertificatesPresent": 0} {
		if sum.SummaryMap[k] != want {
			t.Errorf("%s = %d, want %d", k, sum.SummaryMap[k], want)
		}
	}
	u, err := c.GetUser(bg, &iam.GetUserInput{})
	iamTNoErr(t, err, "GetUser")
	if aws.ToString(u.User.Arn) != "arn:aws:iam::"+target+":root" {
		t.Fatalf("GetUser = %s", aws.ToString(u.User.Arn))
	}

	// What it does not: deleting, anything else, anyone else's credentials.
	_, err = c.DeleteLoginProfile(bg, &iam.DeleteLoginProfileInput{})
	iamTWant(t, err, "AccessDenied", 403, "iam:DeleteLoginProfile on resource: arn:aws:iam::"+target+":root with an explicit deny in a session policy")
	_, err = c.DeleteAccessKey(bg, &iam.DeleteAccessKeyInput{AccessKeyId: keys.AccessKeyMetadata[0].AccessKeyId})
	iamTWant(t, err, "AccessDenied", 403, "explicit deny in a session policy")
	_, err = c.ListUsers(bg, &iam.ListUsersInput{})
	iamTWant(t, err, "AccessDenied", 403, "explicit deny in a session policy")
	_, err = c.ListAccessKeys(bg, &iam.ListAccessKeysInput{UserName: aws.String("alice")})
	iamTWant(t, err, "AccessDenied", 403, "on resource: arn:aws:iam::"+target+":user/alice with an explicit deny in a session policy")

	// The other seeded root users, as an audit sees them.
	empty := rootSession(t, e, e.cfg, members[4], taskAudit) // n=5: nothing
	_, err = empty.GetLoginProfile(bg, &iam.GetLoginProfileInput{})
	iamTWant(t, err, "NoSuchEntity", 404, "")
	k5, err := empty.ListAccessKeys(bg, &iam.ListAccessKeysInput{})
	iamTNoErr(t, err, "ListAccessKeys (n=5)")
	m5, err := empty.ListMFADevices(bg, &iam.ListMFADevicesInput{})
	iamTNoErr(t, err, "ListMFADevices (n=5)")
	if len(k5.AccessKeyMetadata) != 0 || len(m5.MFADevices) != 0 {
		t.Fatalf("member 5 root has keys %v, MFA %v", k5.AccessKeyMetadata, m5.MFADevices)
	}
	certified := rootSession(t, e, e.cfg, members[3], taskAudit) // n=4: a certificate, an inactive key
	c4, err := certified.ListSigningCertificates(bg, &iam.ListSigningCertificatesInput{})
	iamTNoErr(t, err, "ListSigningCertificates (n=4)")
	if len(c4.Certificates) != 1 || c4.Certificates[0].Status != "Active" || !strings.HasPrefix(aws.ToString(c4.Certificates[0].CertificateBody), "-----BEGIN CERTIFICATE-----") {
		t.Fatalf("member 4 root certificates = %+v", c4.Certificates)
	}
	k4, err := certified.ListAccessKeys(bg, &iam.ListAccessKeysInput{})
	iamTNoErr(t, err, "ListAccessKeys (n=4)")
	if len(k4.AccessKeyMetadata) != 1 || k4.AccessKeyMetadata[0].Status != "Inactive" {
		t.Fatalf("member 4 root keys = %+v", k4.AccessKeyMetadata)
	}
	hw := rootSession(t, e, e.cfg, members[2], taskAudit) // n=3: hardware MFA
	m3, err := hw.ListMFADevices(bg, &iam.ListMFADevicesInput{})
	iamTNoErr(t, err, "ListMFADevices (n=3)")
	if len(m3.MFADevices) != 1 || strings.HasPrefix(aws.ToString(m3.MFADevices[0].SerialNumber), "arn:") {
		t.Fatalf("member 3 root MFA = %+v", m3.MFADevices)
	}

	// TargetPrincipal may be the root user's ARN as well as the account id.
	if _, err := assumeRoot(e.cfg, "arn:aws:iam::"+target+":root", taskAudit, nil); err != nil {
		t.Fatalf("AssumeRoot by root user ARN: %v", err)
	}
}

// rootReportRow reads the root row of a fresh credential report of
// account (past the four hours IAM serves one report for).
func rootReportRow(t *testing.T, e *env, account string) map[string]string {
	t.Helper()
	e.sim.Advance(4*time.Hour + time.Minute)
	c := e.iam(e.assume(account, orgsim.DefaultExecutionRole))
	if _, err := c.GenerateCredentialReport(bg, &iam.GenerateCredentialReportInput{}); err != nil {
		t.Fatal(err)
	}
	e.sim.Advance(e.sim.AWSLike().CredentialReportDelay)
	rep, err := c.GetCredentialReport(bg, &iam.GetCredentialReportInput{})
	iamTNoErr(t, err, "GetCredentialReport")
	rows, err := csv.NewReader(strings.NewReader(string(rep.Content))).ReadAll()
	if err != nil || len(rows) < 2 || rows[1][0] != "<root_account>" {
		t.Fatalf("report: %v %q", err, rep.Content)
	}
	out := map[string]string{}
	for i, h := range rows[0] {
		out[h] = rows[1][i]
	}
	return out
}

func TestAssumeRootDeleteCredentials(t *testing.T) {
	e, members := rootEnv(t, orgsim.Options{Seed: 33})
	enableRootAccess(t, e)

	for _, i := range []int{1, 3} { // n=2 and n=4: every kind of credential between them
		target := members[i]
		before := rootReportRow(t, e, target)
		c := rootSession(t, e, e.cfg, target, taskDelete)
		if _, err := c.GetLoginProfile(bg, &iam.GetLoginProfileInput{}); err == nil {
			_, err = c.DeleteLoginProfile(bg, &iam.DeleteLoginProfileInput{})
			iamTNoErr(t, err, "DeleteLoginProfile")
		}
		keys, err := c.ListAccessKeys(bg, &iam.ListAccessKeysInput{})
		iamTNoErr(t, err, "ListAccessKeys")
		for _, k := range keys.AccessKeyMetadata {
			_, err := c.DeleteAccessKey(bg, &iam.DeleteAccessKeyInput{AccessKeyId: k.AccessKeyId})
			iamTNoErr(t, err, "DeleteAccessKey")
		}
		certs, err := c.ListSigningCertificates(bg, &iam.ListSigningCertificatesInput{})
		iamTNoErr(t, err, "ListSigningCertificates")
		for _, x := range certs.Certificates {
			_, err := c.DeleteSigningCertificate(bg, &iam.DeleteSigningCertificateInput{CertificateId: x.CertificateId})
			iamTNoErr(t, err, "DeleteSigningCertificate")
		}
		mfa, err := c.ListMFADevices(bg, &iam.ListMFADevicesInput{})
		iamTNoErr(t, err, "ListMFADevices")
		for _, d := range mfa.MFADevices {
			_, err := c.DeactivateMFADevice(bg, &iam.DeactivateMFADeviceInput{SerialNumber: aws.String("arn:aws:iam::" + target + ":mfa/other")})
			iamTWant(t, err, "NoSuchEntity", 404, "")
			_, err = c.DeactivateMFADevice(bg, &iam.DeactivateMFADeviceInput{SerialNumber: d.SerialNumber})
			iamTNoErr(t, err, "DeactivateMFADevice")
		}
		// The delete task still may not touch anything else.
		_, err = c.CreateAccessKey(bg, &iam.CreateAccessKeyInput{})
		iamTWant(t, err, "AccessDenied", 403, "explicit deny in a session policy")

		// Nothing is left, as an audit, the account summary and the
		// credential report show.
		a := rootSession(t, e, e.cfg, target, taskAudit)
		_, err = a.GetLoginProfile(bg, &iam.GetLoginProfileInput{})
		iamTWant(t, err, "NoSuchEntity", 404, "")
		sum, err := a.GetAccountSummary(bg, &iam.GetAccountSummaryInput{})
		iamTNoErr(t, err, "GetAccountSummary")
		for _, k := range []string{"AccountPasswordPresent", "AccountMFAEnabled", "AccountAccessKeysPresent", "AccountSigningCertificatesPresent"} {
			if sum.SummaryMap[k] != 0 {
				t.Errorf("member %d after deleting: %s = %d", i+1, k, sum.SummaryMap[k])
			}
		}
		after := rootReportRow(t, e, target)
		for _, col := range []string{"mfa_active", "access_key_1_active", "access_key_2_active", "cert_1_active", "cert_2_active"} {
			if after[col] != "false" {
				t.Errorf("member %d after deleting: report %s = %s", i+1, col, after[col])
			}
		}
		switch i {
		case 1:
			if before["mfa_active"] != "true" || before["access_key_1_active"] != "true" {
				t.Errorf("member 2 report before: %v", before)
			}
			// The deactivated virtual device stays, unassigned.
			v, err := e.iam(e.assume(target, orgsim.DefaultExecutionRole)).ListVirtualMFADevices(bg, &iam.ListVirtualMFADevicesInput{AssignmentStatus: "Unassigned"})
			iamTNoErr(t, err, "ListVirtualMFADevices")
			if len(v.VirtualMFADevices) != 1 || aws.ToString(v.VirtualMFADevices[0].SerialNumber) != "arn:aws:iam::"+target+":mfa/root-account-mfa-device" {
				t.Errorf("unassigned virtual MFA devices = %+v", v.VirtualMFADevices)
			}
		case 3:
			if before["cert_1_active"] != "true" || before["cert_1_last_rotated"] == "N/A" || before["access_key_1_active"] != "false" {
				t.Errorf("member 4 report before: %v", before)
			}
		}
	}

	// Password recovery: a root session of IAMCreateRootUserPassword makes
	// a login profile without a password, once.
	p := rootSession(t, e, e.cfg, members[1], taskCreate)
	_, err := p.CreateLoginProfile(bg, &iam.CreateLoginProfileInput{Password: aws.String("Secret-Pass-123")})
	iamTWant(t, err, "InvalidInput", 400, "must be omitted")
	_, err = p.CreateLoginProfile(bg, &iam.CreateLoginProfileInput{})
	iamTNoErr(t, err, "CreateLoginProfile (root session)")
	_, err = p.CreateLoginProfile(bg, &iam.CreateLoginProfileInput{})
	iamTWant(t, err, "EntityAlreadyExists", 409, "")
	_, err = p.GetLoginProfile(bg, &iam.GetLoginProfileInput{})
	iamTNoErr(t, err, "GetLoginProfile (root session)")
	// Outside a root session the password stays required.
	_, err = e.iam(e.cfg).CreateLoginProfile(bg, &iam.CreateLoginProfileInput{UserName: aws.String("orgsim-admin")})
	iamTWant(t, err, "ValidationError", 400, "password")

	// Deleting needs root credentials management as well as root sessions;
	// auditing does not.
	_, err = e.iam(e.cfg).DisableOrganizationsRootCredentialsManagement(bg, &iam.DisableOrganizationsRootCredentialsManagementInput{})
	iamTNoErr(t, err, "DisableOrganizationsRootCredentialsManagement")
	_, err = assumeRoot(e.cfg, members[0], taskDelete, nil)
	iamTWant(t, err, "AccessDenied", 403, "root credentials management is not enabled")
	if _, err := assumeRoot(e.cfg, members[0], taskAudit, nil); err != nil {
		t.Fatalf("audit without credentials management: %v", err)
	}
}

func TestAssumeRootDuration(t *testing.T) {
	clock := newTestClock(time.Date(2026, 12, 1, 10, 0, 0, 0, time.UTC))
	e, members := rootEnv(t, orgsim.Options{Seed: 34, Now: clock.Now})
	enableRootAccess(t, e)
	target := members[0]

	_, err := assumeRoot(e.cfg, target, taskAudit, aws.Int32(901))
	iamTWant(t, err, "ValidationError", 400, "Value '901' at 'durationSeconds' failed to satisfy constraint: Member must have value less than or equal to 900")
	_, err = assumeRoot(e.cfg, target, taskAudit, aws.Int32(-1))
	iamTWant(t, err, "ValidationError", 400, "durationSeconds")
	out, err := assumeRoot(e.cfg, target, taskAudit, aws.Int32(900))
	iamTNoErr(t, err, "AssumeRoot 900")
	if want := clock.Now().Add(900 * time.Second); !out.Credentials.Expiration.Equal(want) {
		t.Fatalf("900 s: Expiration %v, want %v", out.Credentials.Expiration, want)
	}

	// A 60-second session ends after 60 seconds.
	out, err = assumeRoot(e.cfg, target, taskAudit, aws.Int32(60))
	iamTNoErr(t, err, "AssumeRoot 60")
	c := e.iam(e.rootConfig(out))
	_, err = c.ListAccessKeys(bg, &iam.ListAccessKeysInput{})
	iamTNoErr(t, err, "within the session")
	clock.Advance(61 * time.Second)
	_, err = c.ListAccessKeys(bg, &iam.ListAccessKeysInput{})
	iamTWant(t, err, "ExpiredToken", 400, "expired")

	// 0 seconds is in range, and gives a session already over.
	out, err = assumeRoot(e.cfg, target, taskAudit, aws.Int32(0))
	iamTNoErr(t, err, "AssumeRoot 0")
	_, err = e.iam(e.rootConfig(out)).ListAccessKeys(bg, &iam.ListAccessKeysInput{})
	iamTWant(t, err, "ExpiredToken", 400, "")
}

// globalSTS is an STS client that resolves its endpoint as the SDK does
// for region (no base endpoint: aws-global resolves to sts.amazonaws.com,
// us-east-1 to sts.us-east-1.amazonaws.com), over plain HTTP, with every
// connection dialled to the emulator.
func globalSTS(t *testing.T, e *env, region string) *sts.Client {
	t.Helper()
	t.Setenv("AWS_IGNORE_CONFIGURED_ENDPOINT_URLS", "true")
	addr := e.srv.Listener.Addr().String()
	var d net.Dialer
	hc := awshttp.NewBuildableClient().WithTransportOptions(func(tr *http.Transport) {
		tr.DialContext = func(ctx context.Context, network, _ string) (net.Conn, error) {
			return d.DialContext(ctx, network, addr)
		}
	})
	c := e.sim.ManagementCredentials()
	cfg, err := config.LoadDefaultConfig(bg,
		config.WithRegion(region),
		config.WithCredentialsProvider(credentials.NewStaticCredentialsProvider(c.AccessKeyID, c.SecretAccessKey, "")),
		config.WithHTTPClient(hc),
		config.WithRetryer(func() aws.Retryer { return aws.NopRetryer{} }),
		config.WithEC2IMDSClientEnableState(0),
	)
	if err != nil {
		t.Fatal(err)
	}
	return sts.NewFromConfig(cfg, func(o *sts.Options) { o.EndpointOptions.DisableHTTPS = true })
}

func TestAssumeRootRegionalEndpointOnly(t *testing.T) {
	e, members := rootEnv(t, orgsim.Options{Seed: 35})
	enableRootAccess(t, e)
	in := &sts.AssumeRootInput{TargetPrincipal: aws.String(members[0]), TaskPolicyArn: &ststypes.PolicyDescriptorType{Arn: aws.String(taskAudit)}}

	global := globalSTS(t, e, "aws-global")
	_, err := global.AssumeRoot(bg, in)
	iamTWant(t, err, "InvalidAction", 400, "Unknown Operation")
	// The global endpoint serves STS otherwise.
	if _, err := global.GetCallerIdentity(bg, &sts.GetCallerIdentityInput{}); err != nil {
		t.Fatalf("GetCallerIdentity at the global endpoint: %v", err)
	}
	if _, err := globalSTS(t, e, "us-east-1").AssumeRoot(bg, in); err != nil {
		t.Fatalf("AssumeRoot at sts.us-east-1.amazonaws.com: %v", err)
	}
}

func TestAssumeRootRefused(t *testing.T) {
	e, members := rootEnv(t, orgsim.Options{Seed: 36})
	mgmt := e.sim.ManagementAccountID()
	target := members[0]

	// Nothing enabled yet: no trusted access, no root sessions.
	_, err := assumeRoot(e.cfg, target, taskAudit, nil)
	iamTWant(t, err, "AccessDenied", 403, "trusted access for IAM")
	_, err = e.orgs(e.cfg).EnableAWSServiceAccess(bg, &organizations.EnableAWSServiceAccessInput{ServicePrincipal: aws.String("iam.amazonaws.com")})
	iamTNoErr(t, err, "EnableAWSServiceAccess")
	_, err = e.iam(e.cfg).EnableOrganizationsRootCredentialsManagement(bg, &iam.EnableOrganizationsRootCredentialsManagementInput{})
	iamTNoErr(t, err, "EnableOrganizationsRootCredentialsManagement")
	_, err = assumeRoot(e.cfg, target, taskAudit, nil)
	iamTWant(t, err, "AccessDenied", 403, "root sessions (EnableOrganizationsRootSessions) are not enabled")
	_, err = e.iam(e.cfg).EnableOrganizationsRootSessions(bg, &iam.EnableOrganizationsRootSessionsInput{})
	iamTNoErr(t, err, "EnableOrganizationsRootSessions")

	// Member accounts only.
	_, err = assumeRoot(e.cfg, mgmt, taskAudit, nil)
	iamTWant(t, err, "AccessDenied", 403, "management account is not a member account")
	_, err = assumeRoot(e.cfg, orgsim.ExternalPartnerAccount, taskAudit, nil)
	iamTWant(t, err, "AccessDenied", 403, "not a member of the organization")

	// Only the management account or IAM's delegated administrator, never
	// with root user credentials.
	audit := members[1]
	auditAdmin := e.assume(audit, orgsim.DefaultExecutionRole)
	_, err = assumeRoot(auditAdmin, target, taskAudit, nil)
	iamTWant(t, err, "AccessDenied", 403, "neither the management account nor the delegated administrator")
	_, err = assumeRoot(e.config(e.sim.RootCredentials(mgmt), "us-east-1"), target, taskAudit, nil)
	iamTWant(t, err, "AccessDenied", 403, "root user credentials cannot call AssumeRoot")
	_, err = e.orgs(e.cfg).RegisterDelegatedAdministrator(bg, &organizations.RegisterDelegatedAdministratorInput{AccountId: aws.String(audit), ServicePrincipal: aws.String("iam.amazonaws.com")})
	iamTNoErr(t, err, "RegisterDelegatedAdministrator")
	_, err = assumeRoot(auditAdmin, target, taskAudit, nil)
	iamTWant(t, err, "AccessDenied", 403, "delegated administrator")
	e.sim.Advance(e.sim.AWSLike().PropagationDelay)
	if _, err := assumeRoot(auditAdmin, target, taskAudit, nil); err != nil {
		t.Fatalf("AssumeRoot from IAM's delegated administrator: %v", err)
	}

	// Malformed input.
	_, err = assumeRoot(e.cfg, "12345", taskAudit, nil)
	iamTWant(t, err, "ValidationError", 400, "targetPrincipal")
	_, err = assumeRoot(e.cfg, "arn:aws:iam::"+target+":user/alice", taskAudit, nil)
	iamTWant(t, err, "ValidationError", 400, "not a valid target principal")
	_, err = assumeRoot(e.cfg, target, "arn:aws:iam::aws:policy/AdministratorAccess", nil)
	iamTWant(t, err, "ValidationError", 400, "not a task policy AssumeRoot accepts")

	// sts:AssumeRoot is authorized like any action, on the target's root
	// user, with sts:TaskPolicyArn in the context: a role allowed only the
	// audit task gets only that.
	trust := `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"AWS":"arn:aws:iam::` + mgmt + `:root"},"Action":"sts:AssumeRole"}]}`
	c := e.iam(e.cfg)
	_, err = c.CreateRole(bg, &iam.CreateRoleInput{RoleName: aws.String("RootAuditor"), AssumeRolePolicyDocument: aws.String(trust)})
	iamTNoErr(t, err, "CreateRole")
	_, err = c.PutRolePolicy(bg, &iam.PutRolePolicyInput{RoleName: aws.String("RootAuditor"), PolicyName: aws.String("audit"), PolicyDocument: aws.String(
		`{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"sts:AssumeRoot","Resource":"arn:aws:iam::*:root","Condition":{"StringEquals":{"sts:TaskPolicyArn":"` + taskAudit + `"}}}]}`)})
	iamTNoErr(t, err, "PutRolePolicy")
	e.sim.Advance(e.sim.AWSLike().PropagationDelay)
	auditor := e.assume(mgmt, "RootAuditor")
	if _, err := assumeRoot(auditor, target, taskAudit, nil); err != nil {
		t.Fatalf("AssumeRoot with the audit task the role is allowed: %v", err)
	}
	_, err = assumeRoot(auditor, target, taskDelete, nil)
	iamTWant(t, err, "AccessDenied", 403, "sts:AssumeRoot on resource: arn:aws:iam::"+target+":root because no identity-based policy allows the sts:AssumeRoot action")
}

// The AWS example SCP "Prevent root credentials management in member
// accounts" (aws-samples/service-control-policy-examples): a Deny of every
// action by a root user, and the same exempting root sessions.
const (
	scpDenyRoot = `{"Version":"2012-10-17","Statement":[{"Effect":"Deny","Action":"*","Resource":"*",
  "Condition":{"ArnLike":{"aws:PrincipalArn":["arn:aws:iam::*:root"]}}}]}`
	scpDenyRootExceptSessions = `{"Version":"2012-10-17","Statement":[{"Effect":"Deny","Action":"*","Resource":"*",
  "Condition":{"ArnLike":{"aws:PrincipalArn":["arn:aws:iam::*:root"]},"Null":{"aws:AssumedRoot":"true"}}}]}`
	scpDenyAssumeRoot = `{"Version":"2012-10-17","Statement":[{"Effect":"Deny","Action":"sts:AssumeRoot","Resource":"*"}]}`
)

func rootSCP(t *testing.T, e *env, name, content, target string) string {
	t.Helper()
	c := e.orgs(e.cfg)
	p, err := c.CreatePolicy(bg, &organizations.CreatePolicyInput{Name: aws.String(name), Description: aws.String(name), Content: aws.String(content), Type: orgtypes.PolicyTypeServiceControlPolicy})
	iamTNoErr(t, err, "CreatePolicy "+name)
	id := aws.ToString(p.Policy.PolicySummary.Id)
	_, err = c.AttachPolicy(bg, &organizations.AttachPolicyInput{PolicyId: aws.String(id), TargetId: aws.String(target)})
	iamTNoErr(t, err, "AttachPolicy "+name)
	return id
}

func TestAssumeRootSCPs(t *testing.T) {
	e, members := rootEnv(t, orgsim.Options{Seed: 37})
	enableRootAccess(t, e)
	orgEnableType(t, e, orgtypes.PolicyTypeServiceControlPolicy)
	target, other := members[1], members[2]

	// The member's SCPs apply to its root sessions: a Deny of the root
	// user refuses the session's calls...
	rootARN := "arn:aws:iam::" + target + ":root"
	if why := e.sim.DeniedAsRootSession(target, "IAMAuditRootUserCredentials", "iam:ListAccessKeys", rootARN); why != "" {
		t.Fatalf("predicted before any SCP: %s", why)
	}
	if why := e.sim.DeniedAsRootSession(target, "IAMAuditRootUserCredentials", "iam:DeleteAccessKey", rootARN); !strings.Contains(why, "session policy") {
		t.Fatalf("predicted delete in an audit session: %q", why)
	}
	deny := rootSCP(t, e, "DenyRoot", scpDenyRoot, target)
	c := rootSession(t, e, e.cfg, target, taskAudit) // AssumeRoot is the management account's call
	_, err := c.ListAccessKeys(bg, &iam.ListAccessKeysInput{})
	iamTWant(t, err, "AccessDenied", 403, "with an explicit deny in a service control policy")
	if why := e.sim.DeniedAsRootSession(target, "IAMAuditRootUserCredentials", "iam:ListAccessKeys", rootARN); !strings.Contains(why, "service control policy") {
		t.Fatalf("predicted under the SCP: %q", why)
	}

	// ...and one that exempts aws:AssumedRoot lets them through.
	_, err = e.orgs(e.cfg).DetachPolicy(bg, &organizations.DetachPolicyInput{PolicyId: aws.String(deny), TargetId: aws.String(target)})
	iamTNoErr(t, err, "DetachPolicy")
	rootSCP(t, e, "DenyRootExceptSessions", scpDenyRootExceptSessions, target)
	if _, err := c.ListAccessKeys(bg, &iam.ListAccessKeysInput{}); err != nil {
		t.Fatalf("root session under the exempting SCP: %v", err)
	}
	if why := e.sim.DeniedAsRootSession(target, "IAMAuditRootUserCredentials", "iam:ListAccessKeys", rootARN); why != "" {
		t.Fatalf("predicted under the exempting SCP: %s", why)
	}
	if why := e.sim.Denied(target, rootARN, "iam:ListAccessKeys", rootARN); !strings.Contains(why, "service control policy") {
		t.Fatalf("predicted for the root user's own credentials: %q", why)
	}
	// The root user's own credentials stay denied by it.
	_, err = e.iam(e.config(e.sim.RootCredentials(target), "us-east-1")).ListAccessKeys(bg, &iam.ListAccessKeysInput{})
	iamTWant(t, err, "AccessDenied", 403, "explicit deny in a service control policy")

	// SCPs of the caller's account apply to AssumeRoot itself: a delegated
	// administrator whose SCP denies sts:AssumeRoot cannot start sessions.
	admin := members[3]
	_, err = e.orgs(e.cfg).RegisterDelegatedAdministrator(bg, &organizations.RegisterDelegatedAdministratorInput{AccountId: aws.String(admin), ServicePrincipal: aws.String("iam.amazonaws.com")})
	iamTNoErr(t, err, "RegisterDelegatedAdministrator")
	e.sim.Advance(e.sim.AWSLike().PropagationDelay)
	adminCfg := e.assume(admin, orgsim.DefaultExecutionRole)
	if _, err := assumeRoot(adminCfg, other, taskAudit, nil); err != nil {
		t.Fatalf("AssumeRoot from the delegated administrator: %v", err)
	}
	rootSCP(t, e, "DenyAssumeRoot", scpDenyAssumeRoot, admin)
	_, err = assumeRoot(adminCfg, other, taskAudit, nil)
	iamTWant(t, err, "AccessDenied", 403, "sts:AssumeRoot on resource: arn:aws:iam::"+other+":root with an explicit deny in a service control policy")
}

func TestAssumeRootRequestContext(t *testing.T) {
	e, members := rootEnv(t, orgsim.Options{Seed: 38})
	enableRootAccess(t, e)
	target := members[0]
	e.sim.Record(true)
	c := rootSession(t, e, e.cfg, target, taskAudit)
	if _, err := c.ListAccessKeys(bg, &iam.ListAccessKeysInput{}); err != nil {
		t.Fatal(err)
	}
	if _, err := e.iam(e.config(e.sim.RootCredentials(target), "us-east-1")).ListAccessKeys(bg, &iam.ListAccessKeysInput{}); err != nil {
		t.Fatal(err)
	}
	rootARN := "arn:aws:iam::" + target + ":root"
	var sawAssume, sawSession, sawRoot bool
	for _, a := range e.sim.Authorizations() {
		ctx := a.Request.Context
		switch {
		case a.Operation == "AssumeRoot":
			sawAssume = true
			if a.Request.Action != "sts:AssumeRoot" || a.Request.Resource != rootARN || strings.Join(ctx["sts:taskpolicyarn"], ",") != taskAudit {
				t.Errorf("AssumeRoot authorized as %s on %s with sts:TaskPolicyArn %v", a.Request.Action, a.Request.Resource, ctx["sts:taskpolicyarn"])
			}
			if _, ok := ctx["aws:assumedroot"]; ok {
				t.Errorf("the AssumeRoot call itself (by %s) has aws:AssumedRoot", a.PrincipalARN)
			}
		case a.Operation == "ListAccessKeys" && ctx["aws:tokenissuetime"] != nil:
			sawSession = true
			want := map[string]string{"aws:assumedroot": "true", "aws:principaltype": "Account", "aws:userid": target,
				"aws:principalarn": rootARN, "aws:principalaccount": target}
			for k, v := range want {
				if strings.Join(ctx[k], ",") != v {
					t.Errorf("root session: %s = %v, want %s", k, ctx[k], v)
				}
			}
			if a.PrincipalARN != rootARN || a.Account != target {
				t.Errorf("root session recorded as %s in %s", a.PrincipalARN, a.Account)
			}
		case a.Operation == "ListAccessKeys":
			sawRoot = true
			if _, ok := ctx["aws:assumedroot"]; ok {
				t.Errorf("the root user's own credentials have aws:AssumedRoot: %v", ctx["aws:assumedroot"])
			}
		}
	}
	if !sawAssume || !sawSession || !sawRoot {
		t.Fatalf("recorded AssumeRoot %v, root session %v, root user %v", sawAssume, sawSession, sawRoot)
	}
}

// TestAssumeRootUnlockBucket: S3UnlockBucketPolicy lets a root session
// read and delete a bucket policy that locks everyone else out, and do
// nothing else.
func TestAssumeRootUnlockBucket(t *testing.T) {
	e, members := rootEnv(t, orgsim.Options{Seed: 39})
	enableRootAccess(t, e)
	target := members[0]
	admin := e.s3(e.assume(target, orgsim.DefaultExecutionRole))
	const bucket = "locked-bucket-39"
	if _, err := admin.CreateBucket(bg, &s3.CreateBucketInput{Bucket: aws.String(bucket)}); err != nil {
		t.Fatal(err)
	}
	lock := `{"Version":"2012-10-17","Statement":[{"Effect":"Deny","Principal":"*","Action":"s3:*","Resource":["arn:aws:s3:::` + bucket + `","arn:aws:s3:::` + bucket + `/*"]}]}`
	if _, err := admin.PutBucketPolicy(bg, &s3.PutBucketPolicyInput{Bucket: aws.String(bucket), Policy: aws.String(lock)}); err != nil {
		t.Fatal(err)
	}
	_, err := admin.GetBucketPolicy(bg, &s3.GetBucketPolicyInput{Bucket: aws.String(bucket)})
	wantCode(t, err, "AccessDenied")

	out, err := assumeRoot(e.cfg, target, taskS3, nil)
	iamTNoErr(t, err, "AssumeRoot S3UnlockBucketPolicy")
	root := e.s3(e.rootConfig(out))
	_, err = root.GetBucketVersioning(bg, &s3.GetBucketVersioningInput{Bucket: aws.String(bucket)})
	wantCode(t, err, "AccessDenied")
	if !strings.Contains(err.Error(), "explicit deny in a session policy") {
		t.Fatalf("GetBucketVersioning in the unlock session: %v", err)
	}
	if _, err := root.DeleteBucketPolicy(bg, &s3.DeleteBucketPolicyInput{Bucket: aws.String(bucket)}); err != nil {
		t.Fatalf("DeleteBucketPolicy in the root session: %v", err)
	}
	if _, err := admin.GetBucketPolicy(bg, &s3.GetBucketPolicyInput{Bucket: aws.String(bucket)}); errCode(t, err) != "NoSuchBucketPolicy" {
		t.Fatalf("after unlocking: %v", err)
	}
}

// TestSeedRootCredentials: the option gives the documented mix, and
// changes nothing else the seed makes.
func TestSeedRootCredentials(t *testing.T) {
	spec := orgsim.OrgSpec{Members: 7}
	plain := orgsim.New(orgsim.Options{Seed: 40, Org: spec})
	spec.RootCredentials = true
	e := newEnv(t, orgsim.Options{Seed: 40, Org: spec})
	ea := newEnv(t, orgsim.Options{Seed: 40, Org: spec})
	with := e.sim
	pa, wa := plain.Accounts(), with.Accounts()
	if len(pa) != len(wa) || plain.OrganizationID() != with.OrganizationID() || plain.ManagementCredentials() != with.ManagementCredentials() {
		t.Fatal("RootCredentials changed the organization")
	}
	for i := range pa {
		if pa[i].ID != wa[i].ID || pa[i].Name != wa[i].Name || pa[i].OUPath != wa[i].OUPath {
			t.Fatalf("account %d: %+v vs %+v", i, pa[i], wa[i])
		}
	}

	summary := func(e *env, acct string) map[string]int32 {
		out, err := e.iam(e.assume(acct, orgsim.DefaultExecutionRole)).GetAccountSummary(bg, &iam.GetAccountSummaryInput{})
		iamTNoErr(t, err, "GetAccountSummary")
		return out.SummaryMap
	}
	// n%5: password / password, MFA, key / MFA / certificate, key / none.
	want := map[int][4]int32{ // password, MFA, access keys, certificates
		1: {1, 0, 0, 0}, 2: {1, 1, 1, 0}, 3: {0, 1, 0, 0}, 4: {0, 0, 1, 1}, 0: {0, 0, 0, 0},
	}
	for n := 1; n <= 7; n++ {
		s := summary(e, wa[n].ID)
		got := [4]int32{s["AccountPasswordPresent"], s["AccountMFAEnabled"], s["AccountAccessKeysPresent"], s["AccountSigningCertificatesPresent"]}
		if got != want[n%5] {
			t.Errorf("member %d: password, MFA, keys, certificates = %v, want %v", n, got, want[n%5])
		}
	}
	// Deterministic.
	for n := 1; n <= 7; n++ {
		if a, b := summary(e, wa[n].ID), summary(ea, wa[n].ID); a["AccountMFAEnabled"] != b["AccountMFAEnabled"] || a["AccountAccessKeysPresent"] != b["AccountAccessKeysPresent"] {
			t.Errorf("member %d differs between two runs of the same seed", n)
		}
	}
}
