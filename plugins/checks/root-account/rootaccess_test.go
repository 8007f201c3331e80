package main

import (
	"context"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/iam"
	"github.com/aws/aws-sdk-go-v2/service/organizations"
	"github.com/aws/aws-sdk-go-v2/service/sts"
	ststypes "github.com/aws/aws-sdk-go-v2/service/sts/types"

	"github.com/orgbaseline/orgbaseline/internal/orgsim"
	"github.com/orgbaseline/orgbaseline/plugins"
	"github.com/orgbaseline/orgbaseline/plugins/checks/internal/checktest"
	"github.com/orgbaseline/orgbaseline/plugins/checks/internal/iamread"
)

// The messages of a root user without credentials: the goldens of the
// by-design passes.
const (
	msgNoCredentialsMFA  = "The root user has no credentials (centralized root access removed them or never set them): no password, access keys or signing certificates. It cannot sign in, so MFA is not needed."
	msgNoCredentialsKeys = "The root user has no credentials (centralized root access removed them or never set them): no password, access keys or signing certificates, so it cannot sign in."
	msgNoPasswordNoMFA   = "The root user has no MFA device: its password alone signs in with full control of the account."
)

// verdict is what one rule must give: a status and the exact message, or
// (when the message starts with "~") a part of it.
type verdict struct {
	status  plugins.Status
	message string
}

func (v verdict) check(t *testing.T, what string, f plugins.Finding) {
	t.Helper()
	ok := f.Status == v.status
	if m, part := strings.CutPrefix(v.message, "~"); part {
		ok = ok && strings.Contains(f.Message, m)
	} else {
		ok = ok && f.Message == v.message
	}
	if !ok {
		t.Errorf("%s: %s %q\nwant %s %q", what, f.Status, f.Message, v.status, v.message)
	}
}

// TestCentralizedRootCredentials runs the check in members whose root users
// have the credentials OrgSpec.RootCredentials seeds, by n%5: 1 a password
// (used 30 days ago); 2 a password (used 3 days ago), a virtual MFA device
// and an active access key (created 200 days ago, used 10 days ago); 3 a
// hardware MFA device only; 4 a signing certificate (uploaded 500 days ago)
// and an inactive access key (created 700 days ago, never used); 0 nothing.
// Ten members: every mix twice, whatever else the seed gave the account.
func TestCentralizedRootCredentials(t *testing.T) {
	e := checktest.NewEnv(t, orgsim.OrgSpec{Members: 10, RootCredentials: true})
	actions := describe(t).Actions
	pass, fail := plugins.StatusPass, plugins.StatusFail
	noUse := verdict{pass, "The credential report records no use of the root user."}
	want := map[int]map[string]verdict{
		1: {
			"root-account.mfa":         {fail, msgNoPasswordNoMFA},
			"root-account.access-keys": {pass, "The root user has no access keys."},
			"root-account.recent-use":  {pass, "The root user was last used 30 days ago, not within the last 30 days."},
		},
		2: {
			"root-account.mfa":         {pass, "MFA is enabled for the root user."},
			"root-account.access-keys": {fail, "The root user has 1 access key(s): key 1 (active, created 200 days ago)."},
			"root-account.recent-use":  {fail, "~within the last 30 days: password 3 days ago"},
		},
		3: {
			"root-account.mfa": {pass, "MFA is enabled for the root user."},
			"root-account.access-keys": {pass, "The root user has no credentials to sign in with (centralized root access removed them or never set them): " +
				"no password, access keys or signing certificates; only an MFA device remains, which signs in nothing on its own."},
			"root-account.recent-use": noUse,
		},
		4: {
			"root-account.mfa": {fail, "The root user has no MFA device and no password, but it still has access keys and signing certificates: " +
				"only a root user without any credentials needs no MFA. Delete them (centralized root access can)."},
			"root-account.access-keys": {fail, "The root user has 1 access key(s): key 1 (inactive, created 700 days ago). " +
				"It has 1 signing certificate(s): certificate 1 (active, uploaded 500 days ago)."},
			"root-account.recent-use": noUse,
		},
		0: {
			"root-account.mfa":         {pass, msgNoCredentialsMFA},
			"root-account.access-keys": {pass, msgNoCredentialsKeys},
			"root-account.recent-use":  noUse,
		},
	}
	// password, MFA, access keys, signing certificates: the summary's
	// entries in the findings' evidence.
	wantSummary := map[int][4]string{1: {"1", "0", "0", "0"}, 2: {"1", "1", "1", "0"}, 3: {"0", "1", "0", "0"}, 4: {"0", "0", "1", "1"}, 0: {"0", "0", "0", "0"}}
	for n := 1; n <= 10; n++ {
		e.Sim.ResetCounters()
		fs := run(t, e.Request(t, n, actions, "{}"))
		if len(fs) != 3 {
			t.Fatalf("member %d: %d findings, want 3", n, len(fs))
		}
		root := "arn:aws:iam::" + e.Accounts[n].ID + ":root"
		got := byCheck(fs)
		for rule, v := range want[n%5] {
			f := got[rule]
			if f.Resource != root {
				t.Errorf("member %d %s: resource %s, want %s", n, rule, f.Resource, root)
			}
			v.check(t, "member "+e.Accounts[n].Name+" "+rule, f)
		}
		for _, rule := range []string{"root-account.mfa", "root-account.access-keys"} {
			ev := got[rule].Evidence
			if g := [4]string{ev["AccountPasswordPresent"], ev["AccountMFAEnabled"], ev["AccountAccessKeysPresent"], ev["AccountSigningCertificatesPresent"]}; g != wantSummary[n%5] {
				t.Errorf("member %d %s: summary evidence %v, want %v", n, rule, g, wantSummary[n%5])
			}
		}
		if n%5 == 4 {
			if ev := got["root-account.access-keys"].Evidence; ev["cert_1_active"] != "true" || ev["cert_2_active"] != "false" || ev["access_key_1_active"] != "false" {
				t.Errorf("member %d access-keys evidence: %v", n, ev)
			}
		}
		// Severities stay the rules'.
		if got["root-account.mfa"].Severity != plugins.SeverityCritical || got["root-account.access-keys"].Severity != plugins.SeverityCritical ||
			got["root-account.recent-use"].Severity != plugins.SeverityHigh {
			t.Errorf("member %d: severities %s %s %s", n, got["root-account.mfa"].Severity, got["root-account.access-keys"].Severity, got["root-account.recent-use"].Severity)
		}
		if s := e.Sim.Counters().Calls("iam", "GetAccountSummary"); s != 1 {
			t.Errorf("member %d: GetAccountSummary %d calls, want 1", n, s)
		}
	}

}

// rootSession enables centralized root access (trusted access for IAM and
// both features; again is fine) and returns an IAM client of a root
// session in account with the task policy that deletes root credentials,
// as issue 18's control would use it.
func rootSession(t *testing.T, e *checktest.Env, account string) *iam.Client {
	t.Helper()
	ctx := context.Background()
	if _, err := organizations.NewFromConfig(e.Management).EnableAWSServiceAccess(ctx, &organizations.EnableAWSServiceAccessInput{
		ServicePrincipal: aws.String("iam.amazonaws.com"),
	}); err != nil {
		t.Fatal(err)
	}
	mgmt := iam.NewFromConfig(e.Management)
	if _, err := mgmt.EnableOrganizationsRootCredentialsManagement(ctx, &iam.EnableOrganizationsRootCredentialsManagementInput{}); err != nil &&
		!strings.Contains(err.Error(), "already enabled") {
		t.Fatal(err)
	}
	if _, err := mgmt.EnableOrganizationsRootSessions(ctx, &iam.EnableOrganizationsRootSessionsInput{}); err != nil &&
		!strings.Contains(err.Error(), "already enabled") {
		t.Fatal(err)
	}
	out, err := sts.NewFromConfig(e.Management).AssumeRoot(ctx, &sts.AssumeRootInput{
		TargetPrincipal: aws.String(account),
		TaskPolicyArn:   &ststypes.PolicyDescriptorType{Arn: aws.String("arn:aws:iam::aws:policy/root-task/IAMDeleteRootUserCredentials")},
	})
	if err != nil {
		t.Fatalf("AssumeRoot %s: %v", account, err)
	}
	cfg := e.Management.Copy()
	c := out.Credentials
	cfg.Credentials = aws.NewCredentialsCache(aws.CredentialsProviderFunc(func(context.Context) (aws.Credentials, error) {
		return aws.Credentials{AccessKeyID: aws.ToString(c.AccessKeyId), SecretAccessKey: aws.ToString(c.SecretAccessKey), SessionToken: aws.ToString(c.SessionToken)}, nil
	}))
	return iam.NewFromConfig(cfg)
}

// deleteRootCredentials deletes what the root session's IAM client c finds
// of the kinds asked for.
func deleteRootCredentials(t *testing.T, c *iam.Client, password, keys, mfa bool) {
	t.Helper()
	ctx := context.Background()
	if password {
		if _, err := c.DeleteLoginProfile(ctx, &iam.DeleteLoginProfileInput{}); err != nil {
			t.Fatalf("DeleteLoginProfile: %v", err)
		}
	}
	if keys {
		out, err := c.ListAccessKeys(ctx, &iam.ListAccessKeysInput{})
		if err != nil {
			t.Fatalf("ListAccessKeys: %v", err)
		}
		for _, k := range out.AccessKeyMetadata {
			if _, err := c.DeleteAccessKey(ctx, &iam.DeleteAccessKeyInput{AccessKeyId: k.AccessKeyId}); err != nil {
				t.Fatalf("DeleteAccessKey: %v", err)
			}
		}
	}
	if mfa {
		out, err := c.ListMFADevices(ctx, &iam.ListMFADevicesInput{})
		if err != nil {
			t.Fatalf("ListMFADevices: %v", err)
		}
		for _, d := range out.MFADevices {
			if _, err := c.DeactivateMFADevice(ctx, &iam.DeactivateMFADeviceInput{SerialNumber: d.SerialNumber}); err != nil {
				t.Fatalf("DeactivateMFADevice: %v", err)
			}
		}
	}
}

// TestRootCredentialsChangedSinceTheReport changes root credentials after
// the credential report was generated (IAM serves it for four hours; the
// sim's clock stands still): the verdicts follow the account summary,
// which is current, and say what the report still shows or lacks.
func TestRootCredentialsChangedSinceTheReport(t *testing.T) {
	e := checktest.NewEnv(t, orgsim.OrgSpec{Members: 5, RootCredentials: true})
	actions := describe(t).Actions
	pass, fail := plugins.StatusPass, plugins.StatusFail
	generated := checktest.Now.Format("2006-01-02T15:04:05Z")

	// Member 2 (password, virtual MFA, active key): everything deleted
	// after a run. The report still lists the key and the MFA device and
	// its use 3 days ago (which happened: recent-use still fails).
	m2 := e.Accounts[2].ID
	if f := byCheck(run(t, e.Request(t, 2, actions, "{}")))["root-account.access-keys"]; f.Status != fail {
		t.Fatalf("member 2 before: %s %s", f.Status, f.Message)
	}
	deleteRootCredentials(t, rootSession(t, e, m2), true, true, true)
	got := byCheck(run(t, e.Request(t, 2, actions, "{}")))
	verdict{pass, msgNoCredentialsMFA}.check(t, "member 2 mfa", got["root-account.mfa"])
	verdict{pass, msgNoCredentialsKeys + " The credential report (generated " + generated + ") still lists key 1 (active, created 200 days ago), deleted since."}.
		check(t, "member 2 access-keys", got["root-account.access-keys"])
	verdict{fail, "~password 3 days ago"}.check(t, "member 2 recent-use", got["root-account.recent-use"])
	if ev := got["root-account.mfa"].Evidence; ev["mfa_active"] != "true" || ev["AccountMFAEnabled"] != "0" {
		t.Errorf("member 2 mfa evidence: %v", ev)
	}

	// Member 4 (signing certificate, inactive key): the key deleted
	// before any report; the certificate stays and is reported.
	deleteRootCredentials(t, rootSession(t, e, e.Accounts[4].ID), false, true, false)
	got = byCheck(run(t, e.Request(t, 4, actions, "{}")))
	verdict{fail, "The root user has no MFA device and no password, but it still has signing certificates: " +
		"only a root user without any credentials needs no MFA. Delete them (centralized root access can)."}.check(t, "member 4 mfa", got["root-account.mfa"])
	verdict{pass, "The root user has no access keys. It has 1 signing certificate(s): certificate 1 (active, uploaded 500 days ago). " +
		"CIS 1.4 counts access keys only, but delete them too (centralized root access can)."}.check(t, "member 4 access-keys", got["root-account.access-keys"])

	// Member 5 (nothing): after a run, its root user gets an access key
	// (signing in with the root user's own credentials) that the cached
	// report does not list.
	m5 := e.Accounts[5].ID
	verdict{pass, msgNoCredentialsKeys}.check(t, "member 5 before", byCheck(run(t, e.Request(t, 5, actions, "{}")))["root-account.access-keys"])
	rc := e.Sim.RootCredentials(m5)
	cfg := e.Management.Copy()
	cfg.Credentials = aws.NewCredentialsCache(aws.CredentialsProviderFunc(func(context.Context) (aws.Credentials, error) {
		return aws.Credentials{AccessKeyID: rc.AccessKeyID, SecretAccessKey: rc.SecretAccessKey}, nil
	}))
	if _, err := iam.NewFromConfig(cfg).CreateAccessKey(context.Background(), &iam.CreateAccessKeyInput{}); err != nil {
		t.Fatal(err)
	}
	got = byCheck(run(t, e.Request(t, 5, actions, "{}")))
	verdict{fail, "The root user has no MFA device and no password, but it still has access keys: " +
		"only a root user without any credentials needs no MFA. Delete them (centralized root access can)."}.check(t, "member 5 mfa", got["root-account.mfa"])
	verdict{fail, "The root user has an access key that the credential report (generated " + generated + ") does not list: it was created since."}.
		check(t, "member 5 access-keys", got["root-account.access-keys"])
}

// TestMissingSummaryAction runs with a session policy lacking
// iam:GetAccountSummary: the two verdicts that need it are ERRORs naming
// it; root-account.recent-use, from the credential report alone, is given.
func TestMissingSummaryAction(t *testing.T) {
	e := checktest.NewEnv(t, orgsim.OrgSpec{Members: 2, RootCredentials: true})
	got := byCheck(run(t, e.Request(t, 2, []string{"iam:GenerateCredentialReport", "iam:GetCredentialReport"}, "{}")))
	if len(got) != 3 {
		t.Fatalf("%d findings", len(got))
	}
	for _, rule := range []string{"root-account.mfa", "root-account.access-keys"} {
		f := got[rule]
		if f.Status != plugins.StatusError || !strings.Contains(f.Message, "iam:GetAccountSummary") || !strings.Contains(f.Message, "AccessDenied") ||
			!strings.Contains(f.Message, "account summary of account "+e.Accounts[2].ID) {
			t.Errorf("%s: %s %s", rule, f.Status, f.Message)
		}
	}
	if f := got["root-account.recent-use"]; f.Status != plugins.StatusFail || !strings.Contains(f.Message, "password 3 days ago") {
		t.Errorf("recent-use: %s %s", f.Status, f.Message)
	}
}

// fakeSummary answers GetAccountSummary with a fixed map.
type fakeSummary map[string]int32

func (f fakeSummary) GetAccountSummary(context.Context, *iam.GetAccountSummaryInput, ...func(*iam.Options)) (*iam.GetAccountSummaryOutput, error) {
	return &iam.GetAccountSummaryOutput{SummaryMap: f}, nil
}

// TestSummaryWithoutPasswordEntry: a summary without AccountPasswordPresent
// (IAM's older examples have none) leaves the password unknown: no
// by-design pass, a root user without MFA fails 1.5 as before; a summary
// without one of the other three root entries is an error.
func TestSummaryWithoutPasswordEntry(t *testing.T) {
	ctx := context.Background()
	creds, err := readRootCredentials(ctx, fakeSummary{"AccountMFAEnabled": 0, "AccountAccessKeysPresent": 0, "AccountSigningCertificatesPresent": 0, "Users": 3})
	if err != nil {
		t.Fatal(err)
	}
	if creds.PasswordKnown || creds.None() {
		t.Errorf("creds %+v", creds)
	}
	root := iamread.ReportRow{User: iamread.RootUser, ARN: "arn:aws:iam::111122223333:root", Fields: map[string]string{"mfa_active": "false"}}
	got := byCheck(evaluate(input{root: root, creds: creds}, defaultConfig(), checktest.Now))
	verdict{plugins.StatusFail, "The root user has no MFA device, and the account summary does not say whether it has a password " +
		"(no AccountPasswordPresent entry): it may sign in with its password alone."}.check(t, "mfa", got["root-account.mfa"])
	verdict{plugins.StatusPass, "The root user has no access keys."}.check(t, "access-keys", got["root-account.access-keys"])
	if _, ok := got["root-account.mfa"].Evidence["AccountPasswordPresent"]; ok {
		t.Errorf("evidence %v", got["root-account.mfa"].Evidence)
	}

	_, err = readRootCredentials(ctx, fakeSummary{"AccountPasswordPresent": 0, "AccountMFAEnabled": 0})
	if err == nil || err.Error() != "iam:GetAccountSummary: the summary has no AccountAccessKeysPresent, AccountSigningCertificatesPresent" {
		t.Errorf("err = %v", err)
	}
}
