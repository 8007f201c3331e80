package controls

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/iam"
	iamtypes "github.com/aws/aws-sdk-go-v2/service/iam/types"

	"github.com/orgbaseline/orgbaseline/baseline"
	"github.com/orgbaseline/orgbaseline/orgwalk"
)

// RootCredentialsAPI is the part of the IAM client a root session uses:
// what the task policies IAMAuditRootUserCredentials and
// IAMDeleteRootUserCredentials allow on the root user. Every call leaves
// UserName out: in a root session it is the root user's own.
type RootCredentialsAPI interface {
	GetLoginProfile(context.Context, *iam.GetLoginProfileInput, ...func(*iam.Options)) (*iam.GetLoginProfileOutput, error)
	iam.ListAccessKeysAPIClient
	iam.ListSigningCertificatesAPIClient
	iam.ListMFADevicesAPIClient
	DeleteLoginProfile(context.Context, *iam.DeleteLoginProfileInput, ...func(*iam.Options)) (*iam.DeleteLoginProfileOutput, error)
	DeleteAccessKey(context.Context, *iam.DeleteAccessKeyInput, ...func(*iam.Options)) (*iam.DeleteAccessKeyOutput, error)
	DeleteSigningCertificate(context.Context, *iam.DeleteSigningCertificateInput, ...func(*iam.Options)) (*iam.DeleteSigningCertificateOutput, error)
	DeactivateMFADevice(context.Context, *iam.DeactivateMFADeviceInput, ...func(*iam.Options)) (*iam.DeactivateMFADeviceOutput, error)
}

var _ RootCredentialsAPI = (*iam.Client)(nil)

// rootCredentialsResource is the one resource of the control's changes:
// the root user's credentials in the change's account.
const rootCredentialsResource = "iam/root-credentials"

// rootReadAtApply stands, in a change planned while centralized root
// access is off, for the credentials of a kind that the root user has,
// which no one can read yet.
const rootReadAtApply = "whatever the root user has at apply"

// RootCredentials audits, in every targeted member account, the root
// user's credentials (its password, access keys, signing certificates and
// MFA devices) through a root session with the audit task policy, and
// deletes the kinds controls.rootAccess.removeCredentials lists through a
// root session with the delete task policy. Both sessions are the
// management account's sts:AssumeRoot at the home region's STS endpoint,
// for 900 seconds; the management account itself is never worked on (its
// root user is not a member's), nor are the accounts exclude selects.
//
// It is level-based: every plan reads the credentials again. While root
// credentials management is off no session can read them; the plan then
// deletes, at apply, whatever the root user has of the kinds to remove,
// after the organization scope (which runs first) has enabled the
// feature, so that one apply converges.
type RootCredentials struct {
	root *RootAccess
}

func (*RootCredentials) Name() string { return "rootCredentials" }
func (*RootCredentials) Scope() Scope { return ScopeAccount }

// NeedsAllFeatures: centralized root access needs trusted access, which
// needs all features.
func (*RootCredentials) NeedsAllFeatures() bool { return true }

// Actions are the actions of Calls.
func (c *RootCredentials) Actions() []string { return actionsOf(c) }

// Calls are the root session's, in every targeted member account the
// control works on (the exclude selectors' accounts left out), at IAM's
// endpoint, each on the root user (arn:PARTITION:iam::ACCOUNT:root, the
// only resource the task policies allow them on): the reads of the audit,
// and the deletions of the kinds removeCredentials lists. sts:AssumeRoot
// itself is the management account's call, not the member's, and no SCP
// restricts it.
func (c *RootCredentials) Calls(o *Org) []Call {
	w := o.callsIn(c.Name(), "")
	root := o.ARN("iam", "", "{account}", "root")
	actions := []string{"iam:GetLoginProfile", "iam:ListAccessKeys", "iam:ListSigningCertificates", "iam:ListMFADevices"}
	for _, k := range c.root.want.Remove {
		actions = append(actions, rootDeleteActions[k])
	}
	except := c.excludedIDs(o)
	var out []Call
	for _, a := range actions {
		call := w.call(a, root, InGlobalRegion)
		call.AsRoot, call.Except = true, except
		out = append(out, call)
	}
	return out
}

// rootDeleteActions are the actions that delete a kind of root
// credentials, allowed by the delete task policy. An MFA device is
// deactivated: the task policy allows iam:DeleteVirtualMFADevice only on
// the root user itself, and a deactivated device is no credential.
var rootDeleteActions = map[string]string{
	baseline.RootPassword:            "iam:DeleteLoginProfile",
	baseline.RootAccessKeys:          "iam:DeleteAccessKey",
	baseline.RootSigningCertificates: "iam:DeleteSigningCertificate",
	baseline.RootMFADevices:          "iam:DeactivateMFADevice",
}

// excludedIDs are the accounts exclude selects, by id (none while the
// organization is unknown).
func (c *RootCredentials) excludedIDs(o *Org) []string {
	if o == nil || o.Org == nil || len(c.root.want.Exclude) == 0 {
		return nil
	}
	var out []string
	for _, a := range o.Accounts {
		if c.excludedBy(a) != "" {
			out = append(out, a.ID)
		}
	}
	return out
}

// excludedBy is the exclude selector that selects a, "" for none.
func (c *RootCredentials) excludedBy(a *orgwalk.Account) string {
	for _, s := range c.root.want.Exclude {
		if orgwalk.Matches(s, a) {
			return s.String()
		}
	}
	return ""
}

// rootKey is a root access key as the audit saw it.
type rootKey struct {
	ID, Status string
}

// rootCredsSeen is one member account's root user as observed.
type rootCredsSeen struct {
	// Skip says why the account is not audited (the management account,
	// an excluded one); "" when it is.
	Skip string
	// Off are the features of centralized root access that are off
	// (sorted), when no root session could be had because of them and
	// the baseline enables them all: nothing else is known.
	Off      []string
	Password bool
	// AccessKeys, SigningCertificates (ids) and MFADevices (serial
	// numbers) in the order IAM listed them.
	AccessKeys          []rootKey
	SigningCertificates []string
	MFADevices          []string
}

// present lists the kinds of credentials the root user has.
func (s *rootCredsSeen) present() []string {
	var out []string
	for _, k := range baseline.RootCredentialKinds() {
		if s.has(k) {
			out = append(out, k)
		}
	}
	return out
}

func (s *rootCredsSeen) has(kind string) bool {
	switch kind {
	case baseline.RootPassword:
		return s.Password
	case baseline.RootAccessKeys:
		return len(s.AccessKeys) > 0
	case baseline.RootSigningCertificates:
		return len(s.SigningCertificates) > 0
	case baseline.RootMFADevices:
		return len(s.MFADevices) > 0
	}
	return false
}

// value is kind as a change carries it: true for the password, the ids
// (serial numbers) for the others.
func (s *rootCredsSeen) value(kind string) any {
	switch kind {
	case baseline.RootPassword:
		return true
	case baseline.RootAccessKeys:
		var ids []any
		for _, k := range s.AccessKeys {
			ids = append(ids, k.ID)
		}
		return ids
	case baseline.RootSigningCertificates:
		return toAny(s.SigningCertificates)
	case baseline.RootMFADevices:
		return toAny(s.MFADevices)
	}
	return nil
}

func toAny(ss []string) []any {
	out := make([]any, len(ss))
	for i, s := range ss {
		out[i] = s
	}
	return out
}

// describe is the credentials of kinds in words: "a password, 2 access
// keys and 1 MFA device".
func (s *rootCredsSeen) describe(kinds []string) string {
	var parts []string
	for _, k := range kinds {
		switch k {
		case baseline.RootPassword:
			parts = append(parts, "a password")
		case baseline.RootAccessKeys:
			parts = append(parts, count(len(s.AccessKeys), "access key"))
		case baseline.RootSigningCertificates:
			parts = append(parts, count(len(s.SigningCertificates), "signing certificate"))
		case baseline.RootMFADevices:
			parts = append(parts, count(len(s.MFADevices), "MFA device"))
		}
	}
	return joinAnd(parts)
}

func count(n int, what string) string {
	if n == 1 {
		return "1 " + what
	}
	return fmt.Sprintf("%d %ss", n, what)
}

// joinAnd joins "a", "b" and "c" as "a, b and c".
func joinAnd(parts []string) string {
	switch len(parts) {
	case 0:
		return "nothing"
	case 1:
		return parts[0]
	}
	return strings.Join(parts[:len(parts)-1], ", ") + " and " + parts[len(parts)-1]
}

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
	cfg, err := rootSession(ctx, c.root.newSTS, mgmt, o, t.AccountID, RootTaskAudit)
	if err != nil {
		off, ferr := c.featuresOff(ctx, mgmt)
		if ferr == nil && len(off) > 0 {
			if unwanted := c.unwanted(off); len(unwanted) > 0 {
				return nil, fmt.Errorf("sts:AssumeRoot into %s with the task policy %s failed: %w; %s in the organization and controls.rootAccess does not enable it: AWS opens root sessions only with centralized root access on; set %s",
					label, RootTaskAudit, err, offPhrase(unwanted), c.enableHint(unwanted))
			}
			return &rootCredsSeen{Off: off}, nil
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
// off in the organization, read with the management account's config.
// Root sessions need them: AWS's guide has root credentials management
// let the management account "delete root user credentials", and root
// sessions let it "perform privileged tasks on member accounts"; which of
// the two a given task policy needs it does not say, so a session refused
// while either is off is put down to it.
func (c *RootCredentials) featuresOff(ctx context.Context, mgmt aws.Config) ([]string, error) {
	fs, err := rootFeatures(ctx, c.root.newIAM(mgmt))
	if err != nil {
		return nil, err
	}
	var off []string
	for _, f := range []string{FeatureRootCredentialsManagement, FeatureRootSessions} {
		if !slices.Contains(fs, f) {
			off = append(off, f)
		}
	}
	return off, nil
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

// Diff plans one change per account: the root user's credentials of the
// kinds removeCredentials lists that it has, deleted (Before holds every
// kind it has, After those it keeps; a delete when it keeps none). With
// root credentials management off, the kinds to remove stand as
// rootReadAtApply: apply reads and deletes them once the organization
// scope has enabled the feature. What the root user keeps is a warning,
// so that the plan shows the audit.
func (c *RootCredentials) Diff(t Target, observed any) ([]baseline.Change, error) {
	seen, _ := observed.(*rootCredsSeen)
	if seen == nil {
		return nil, fmt.Errorf("no observation of %s", t.AccountID)
	}
	// With the whole organization known (not while it is still walked),
	// an exclude selector naming nothing refuses the deletions: the
	// break-glass account it meant would lose its root credentials.
	if o := t.Org; o != nil && o.Org != nil && o.Account(t.AccountID) != nil && len(c.root.want.Remove) > 0 {
		if err := c.root.checkExclude(o); err != nil {
			return nil, err
		}
	}
	remove := c.root.want.Remove
	switch {
	case seen.Skip != "":
		return nil, nil
	case len(seen.Off) > 0:
		if len(remove) == 0 {
			return nil, nil
		}
		before := map[string]any{}
		for _, k := range remove {
			before[k] = rootReadAtApply
		}
		return []baseline.Change{{
			Control: c.Name(), Account: t.AccountID, Resource: rootCredentialsResource, Action: baseline.ActionDelete, Before: before,
			Reason: offPhrase(seen.Off) + " in the organization, so no root session can read the root user's credentials yet; " +
				"the organization scope of this plan enables it, then apply deletes the root user's " + strings.Join(remove, ", ") + " (whatever it has of them)",
		}}, nil
	}
	present := seen.present()
	var gone, kept []string
	for _, k := range present {
		if slices.Contains(remove, k) {
			gone = append(gone, k)
		} else {
			kept = append(kept, k)
		}
	}
	if len(kept) > 0 && t.Warn != nil {
		t.Warn(fmt.Sprintf("rootCredentials: the root user keeps %s (not in controls.rootAccess.removeCredentials)", seen.describe(kept)))
	}
	if len(gone) == 0 {
		return nil, nil
	}
	ch := baseline.Change{
		Control: c.Name(), Account: t.AccountID, Resource: rootCredentialsResource, Action: baseline.ActionDelete,
		Before: map[string]any{},
		Reason: fmt.Sprintf("the root user has %s (read in a root session, %s); removeCredentials deletes %s",
			seen.describe(present), RootTaskAudit, seen.describe(gone)),
	}
	for _, k := range present {
		ch.Before[k] = seen.value(k)
	}
	if len(kept) > 0 {
		ch.Action, ch.After = baseline.ActionUpdate, map[string]any{}
		for _, k := range kept {
			ch.After[k] = seen.value(k)
		}
	}
	return []baseline.Change{ch}, nil
}

// Apply deletes, in a root session with the delete task policy, the kinds
// the change removes (in Before, not in After), in the order of
// baseline.RootCredentialKinds: the password before the MFA devices. A
// kind planned with its ids deletes those (one already gone is success);
// one planned as rootReadAtApply is listed in the session and all of it
// deleted. A root session refused right after this run enabled root
// credentials management is tried again, bounded, while AWS gets there.
func (c *RootCredentials) Apply(ctx context.Context, t Target, ch baseline.Change) error {
	if ch.Resource != rootCredentialsResource {
		return fmt.Errorf("rootCredentials cannot %s %s; the plan was not made by this version of orgbaseline", ch.Action, ch.Resource)
	}
	o := t.Org
	label := (&orgwalk.Account{ID: ch.Account, Name: t.AccountName}).Label()
	mgmt, err := o.Sessions.Config(ctx, o.ManagementAccountID, o.HomeRegion)
	if err != nil {
		return err
	}
	var cfg aws.Config
	start := func(ctx context.Context) error {
		var err error
		cfg, err = rootSession(ctx, c.root.newSTS, mgmt, o, ch.Account, RootTaskDelete)
		return err
	}
	// A feature this run enabled may take AWS a moment to honour.
	notYet := func(error) bool {
		return c.root.enabled.has(rootFeatureResourcePrefix+FeatureRootCredentialsManagement) ||
			c.root.enabled.has(rootFeatureResourcePrefix+FeatureRootSessions)
	}
	if err := t.Wait.For(ch.Account, "").Retry(ctx, "a root session in "+label+" (centralized root access was just enabled)", notYet, start); err != nil {
		off, ferr := c.featuresOff(ctx, mgmt)
		if ferr == nil && len(off) > 0 {
			return fmt.Errorf("sts:AssumeRoot into %s with the task policy %s failed: %w; %s in the organization: the organization-scope changes that enable it must be applied first (apply them; %s)",
				label, RootTaskDelete, err, offPhrase(off), c.enableHint(off))
		}
		return c.assumeRootError(label, RootTaskDelete, err, ferr)
	}
	api := c.root.newSession(cfg)
	var seen *rootCredsSeen // read once, for the kinds planned as rootReadAtApply
	for _, k := range baseline.RootCredentialKinds() {
		v, planned := ch.Before[k]
		if _, kept := ch.After[k]; !planned || kept {
			continue
		}
		ids, listed := stringsOf(v)
		if !listed {
			if seen == nil {
				if seen, err = readRootCredentials(ctx, api); err != nil {
					return sessionCallError(label, RootTaskDelete, err)
				}
			}
			if !seen.has(k) {
				continue
			}
			ids, _ = stringsOf(seen.value(k))
		}
		if err := deleteRootKind(ctx, api, k, ids); err != nil {
			return sessionCallError(label, RootTaskDelete, err)
		}
	}
	return nil
}

// deleteRootKind deletes the root user's credentials of kind: its
// password, or those of ids. One already gone is success: the change is
// made.
func deleteRootKind(ctx context.Context, api RootCredentialsAPI, kind string, ids []string) error {
	gone := func(err error) error {
		var nse *iamtypes.NoSuchEntityException
		if errors.As(err, &nse) {
			return nil
		}
		return err
	}
	switch kind {
	case baseline.RootPassword:
		if _, err := api.DeleteLoginProfile(ctx, &iam.DeleteLoginProfileInput{}); gone(err) != nil {
			return fmt.Errorf("iam:DeleteLoginProfile: %w", err)
		}
	case baseline.RootAccessKeys:
		for _, id := range ids {
			if _, err := api.DeleteAccessKey(ctx, &iam.DeleteAccessKeyInput{AccessKeyId: aws.String(id)}); gone(err) != nil {
				return fmt.Errorf("iam:DeleteAccessKey %s: %w", id, err)
			}
		}
	case baseline.RootSigningCertificates:
		for _, id := range ids {
			if _, err := api.DeleteSigningCertificate(ctx, &iam.DeleteSigningCertificateInput{CertificateId: aws.String(id)}); gone(err) != nil {
				return fmt.Errorf("iam:DeleteSigningCertificate %s: %w", id, err)
			}
		}
	case baseline.RootMFADevices:
		for _, id := range ids {
			if _, err := api.DeactivateMFADevice(ctx, &iam.DeactivateMFADeviceInput{SerialNumber: aws.String(id)}); gone(err) != nil {
				return fmt.Errorf("iam:DeactivateMFADevice %s: %w", id, err)
			}
		}
	default:
		return fmt.Errorf("%q is not a kind of root credentials", kind)
	}
	return nil
}

// stringsOf reads a change's value of a kind: the ids of a list (and
// true, with no id, for the password's true), or false for
// rootReadAtApply.
func stringsOf(v any) ([]string, bool) {
	switch x := v.(type) {
	case bool:
		return nil, true
	case []any:
		out := make([]string, 0, len(x))
		for _, e := range x {
			if s, ok := e.(string); ok {
				out = append(out, s)
			}
		}
		return out, true
	}
	return nil, false
}

// Findings report, for every targeted member account: whether
// centralized root access covers it (CIS AWS Foundations 7.0 2.1.1),
// whether its root user has no credentials at all (7.0 2.1.1, and 3.0
// 1.7: a root user that cannot sign in is not used), no access keys (3.0
// 1.4), and MFA or no password (3.0 1.5: a root user without a password
// needs no MFA device; it cannot sign in). An excluded account, or one
// that could not be audited, gets SKIP findings saying why.
func (c *RootCredentials) Findings(t Target, observed any) []baseline.Finding {
	seen, _ := observed.(*rootCredsSeen)
	if seen == nil {
		return nil
	}
	resource := t.Org.ARN("iam", "", t.AccountID, "root")
	mk := func(check, title string, sev baseline.Severity, ok bool, msg, fix string) baseline.Finding {
		f := baseline.Finding{
			Check: check, Source: "control:" + c.Name(), Account: t.AccountID, AccountName: t.AccountName, Resource: resource,
			Status: baseline.StatusPass, Severity: sev, Title: title, Message: msg, Compliance: baseline.References(check),
		}
		if !ok {
			f.Status, f.Remediation = baseline.StatusFail, fix
		}
		return f
	}
	type check struct {
		id, title string
		sev       baseline.Severity
	}
	centralized := check{"rootCredentials.centralized", "Centralized root access covers the account", baseline.SeverityHigh}
	none := check{"rootCredentials.none", "The root user has no credentials", baseline.SeverityHigh}
	keys := check{"rootCredentials.accessKeys", "The root user has no access keys", baseline.SeverityCritical}
	mfa := check{"rootCredentials.mfa", "The root user has MFA, or no password to sign in with", baseline.SeverityCritical}
	skip := func(msg string, cs ...check) []baseline.Finding {
		var out []baseline.Finding
		for _, c := range cs {
			f := mk(c.id, c.title, c.sev, true, msg, "")
			f.Status = baseline.StatusSkip
			out = append(out, f)
		}
		return out
	}
	if seen.Skip != "" {
		return skip(seen.Skip, centralized, none, keys, mfa)
	}
	if len(seen.Off) > 0 {
		const fix = "run `orgbaseline apply` to enable centralized root access (enabling it deletes no credential)"
		off := offPhrase(seen.Off)
		out := []baseline.Finding{mk(centralized.id, centralized.title, centralized.sev, false,
			off+" in the organization: the root user's credentials cannot be audited or removed centrally", fix)}
		return append(out, skip("not audited: "+off+" in the organization, so no root session can read the root user's credentials", none, keys, mfa)...)
	}
	present := seen.present()
	evidence := map[string]any{"password": seen.Password, "accessKeys": len(seen.AccessKeys), "signingCertificates": len(seen.SigningCertificates), "mfaDevices": len(seen.MFADevices)}
	const fix = "add the kinds to controls.rootAccess.removeCredentials and run `orgbaseline apply` (read the README on account recovery first)"
	out := []baseline.Finding{
		mk(centralized.id, centralized.title, centralized.sev, true,
			fmt.Sprintf("root credentials management is enabled: the root user was audited in a root session (%s)", RootTaskAudit), ""),
		mk(none.id, none.title, none.sev, len(present) == 0,
			"the root user has "+seen.describe(present), fix),
		mk(keys.id, keys.title, keys.sev, len(seen.AccessKeys) == 0,
			"the root user has "+seen.describe([]string{baseline.RootAccessKeys}), "add accessKeys to controls.rootAccess.removeCredentials and run `orgbaseline apply`"),
	}
	mfaMsg := "the root user has no password: it cannot sign in, so it needs no MFA device (centralized root access)"
	switch {
	case seen.Password && len(seen.MFADevices) > 0:
		mfaMsg = "the root user has a password and " + seen.describe([]string{baseline.RootMFADevices})
	case seen.Password:
		mfaMsg = "the root user has a password and no MFA device"
	}
	out = append(out, mk(mfa.id, mfa.title, mfa.sev, !seen.Password || len(seen.MFADevices) > 0, mfaMsg,
		"add password to controls.rootAccess.removeCredentials and run `orgbaseline apply`, or sign in as the root user and add an MFA device"))
	for i := range out {
		out[i].Evidence = evidence
	}
	return out
}
