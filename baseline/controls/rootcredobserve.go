package controls

import (
	"context"
	"errors"
	"fmt"
	"slices"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/iam"
	iamtypes "github.com/aws/aws-sdk-go-v2/service/iam/types"

	"github.com/orgbaseline/orgbaseline/orgwalk"
)

// Observe audits the account's root user through a root session with the
// audit task policy. The management account and the excluded accounts
// are not audited. When AssumeRoot fails, the features are read to say
// why: with root credentials management off there is simply nothing to
// read yet (the plan enables it); otherwise the failure is this account's
// error, naming the likely causes, and the other accounts go on.
func (c *RootCredentials) Observe(ctx context.Context, t Target) (any, error) {
	o := t.Org
	if t.AccountID == o.ManagementAccountID {
		return &rootCredsSeen{Skip: "the management account: centralized root access covers member accounts only (the root-account plugin reports on this one)"}, nil
	}
	acct := t.Account
	if acct == nil && o.Org != nil {
		acct = o.Account(t.AccountID)
	}
	if acct != nil {
		if s := c.excludedBy(acct); s != "" {
			return &rootCredsSeen{Skip: fmt.Sprintf("excluded by controls.rootAccess.exclude (%s): its root user is left alone, neither audited nor changed", s)}, nil
		}
	}
	mgmt, err := o.Sessions.Config(ctx, o.ManagementAccountID, o.HomeRegion)
	if err != nil {
		return nil, err
	}
	label := (&orgwalk.Account{ID: t.AccountID, Name: t.AccountName}).Label()
	if fs, read := c.root.seenFeatures(); read {
		// The organization scope read the features at the start of this
		// plan: with one off, no root session can open, in any member.
		if off := featuresOff(fs); len(off) > 0 {
			return c.whileOff(label, off, nil)
		}
	}
	cfg, err := rootSession(ctx, c.root.newSTS, mgmt, o, t.AccountID, RootTaskAudit)
	if err != nil {
		fs, ferr := rootFeatures(ctx, c.root.newIAM(mgmt))
		if off := featuresOff(fs); ferr == nil && len(off) > 0 {
			return c.whileOff(label, off, err)
		}
		return nil, c.assumeRootError(label, RootTaskAudit, err, ferr)
	}
	seen, err := readRootCredentials(ctx, c.root.newSession(cfg))
	if err != nil {
		return nil, sessionCallError(label, RootTaskAudit, err)
	}
	return seen, nil
}

// featuresOff lists the features of centralized root access that are
// not in fs, the features enabled. Root sessions need them: AWS's guide
// has root credentials management let the management account "delete
// root user credentials", and root sessions let it "perform privileged
// tasks on member accounts"; which of the two a given task policy needs
// it does not say, so a session is not opened (or one refused is put down
// to it) while either is off.
func featuresOff(fs []string) []string {
	var off []string
	for _, f := range []string{FeatureRootCredentialsManagement, FeatureRootSessions} {
		if !slices.Contains(fs, f) {
			off = append(off, f)
		}
	}
	return off
}

// whileOff is the observation of a member while features are off: nothing
// to read yet when the baseline enables them (the plan does, and apply
// reads and deletes once they are on), an error naming the settings
// otherwise. err is AssumeRoot's refusal, nil when none was asked for.
func (c *RootCredentials) whileOff(label string, off []string, err error) (any, error) {
	unwanted := c.unwanted(off)
	if len(unwanted) == 0 {
		return &rootCredsSeen{Off: off}, nil
	}
	why := "cannot open a session"
	if err != nil {
		why = fmt.Sprintf("failed: %v", err)
	}
	return nil, fmt.Errorf("sts:AssumeRoot into %s with the task policy %s %s; %s in the organization and controls.rootAccess does not enable it: AWS opens root sessions only with centralized root access on; set %s",
		label, RootTaskAudit, why, offPhrase(unwanted), c.enableHint(unwanted))
}

// unwanted are the features of off that the baseline does not enable.
func (c *RootCredentials) unwanted(off []string) []string {
	var out []string
	for _, f := range off {
		if !slices.Contains(c.root.features(), f) {
			out = append(out, f)
		}
	}
	return out
}

// offPhrase says that features are off: "RootSessions is off",
// "RootCredentialsManagement and RootSessions are off".
func offPhrase(features []string) string {
	if len(features) == 1 {
		return features[0] + " is off"
	}
	return joinAnd(features) + " are off"
}

// enableHint says which settings enable features.
func (c *RootCredentials) enableHint(features []string) string {
	var out []string
	for _, f := range features {
		switch f {
		case FeatureRootCredentialsManagement:
			out = append(out, "controls.rootAccess.credentialsManagement: true")
		case FeatureRootSessions:
			out = append(out, "controls.rootAccess.rootSessions: true")
		}
	}
	return joinAnd(out)
}

// assumeRootError explains a refused sts:AssumeRoot: root credentials
// management is on (or could not be read: ferr), so the cause is
// elsewhere.
func (c *RootCredentials) assumeRootError(label, task string, err, ferr error) error {
	causes := "centralized root access is enabled, so check that the account is an ACTIVE member of the organization, " +
		"that the principal orgbaseline runs as in the management account may call sts:AssumeRoot on it with this task policy " +
		"(its identity policy, and any sts:TaskPolicyArn condition), and that the management account's STS endpoint in the home region is enabled"
	if ferr != nil {
		causes = fmt.Sprintf("the features of centralized root access could not be read either (%v): check that root credentials management and root sessions are enabled "+
			"(iam:ListOrganizationsFeatures), that the account is an ACTIVE member, and that the principal orgbaseline runs as may call sts:AssumeRoot", ferr)
	}
	return fmt.Errorf("sts:AssumeRoot into %s with the task policy %s failed: %w; %s", label, task, err, causes)
}

// sessionCallError explains a root session's call that failed: AWS
// evaluates it as the member's root user, so a denial is most likely an
// SCP denying the root user without exempting root sessions.
func sessionCallError(label, task string, err error) error {
	hint := ""
	if isAccessDenied(err) {
		hint = "; the root session acts as the account's root user and the account's SCPs apply to it: an SCP that denies the root user " +
			"(aws:PrincipalArn arn:aws:iam::*:root) denies it too unless it exempts root sessions with " +
			`"BoolIfExists": {"aws:AssumedRoot": "false"} (see the DenyRootUser statement of the example baseline)`
	}
	return fmt.Errorf("in the root session of %s (task policy %s): %w%s", label, task, err, hint)
}

// readRootCredentials lists the root user's credentials in a root
// session.
func readRootCredentials(ctx context.Context, api RootCredentialsAPI) (*rootCredsSeen, error) {
	seen := &rootCredsSeen{}
	_, err := api.GetLoginProfile(ctx, &iam.GetLoginProfileInput{})
	var nse *iamtypes.NoSuchEntityException
	switch {
	case err == nil:
		seen.Password = true
	case errors.As(err, &nse):
	default:
		return nil, fmt.Errorf("iam:GetLoginProfile: %w", err)
	}
	keys := iam.NewListAccessKeysPaginator(api, &iam.ListAccessKeysInput{})
	for keys.HasMorePages() {
		page, err := keys.NextPage(ctx)
		if err != nil {
			return nil, fmt.Errorf("iam:ListAccessKeys: %w", err)
		}
		for _, k := range page.AccessKeyMetadata {
			seen.AccessKeys = append(seen.AccessKeys, rootKey{ID: aws.ToString(k.AccessKeyId), Status: string(k.Status)})
		}
	}
	certs := iam.NewListSigningCertificatesPaginator(api, &iam.ListSigningCertificatesInput{})
	for certs.HasMorePages() {
		page, err := certs.NextPage(ctx)
		if err != nil {
			return nil, fmt.Errorf("iam:ListSigningCertificates: %w", err)
		}
		for _, k := range page.Certificates {
			seen.SigningCertificates = append(seen.SigningCertificates, aws.ToString(k.CertificateId))
		}
	}
	mfas := iam.NewListMFADevicesPaginator(api, &iam.ListMFADevicesInput{})
	for mfas.HasMorePages() {
		page, err := mfas.NextPage(ctx)
		if err != nil {
			return nil, fmt.Errorf("iam:ListMFADevices: %w", err)
		}
		for _, d := range page.MFADevices {
			seen.MFADevices = append(seen.MFADevices, aws.ToString(d.SerialNumber))
		}
	}
	return seen, nil
}
