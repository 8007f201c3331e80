package controls

import (
	"context"
	"fmt"
	"strings"

	"github.com/aws/aws-sdk-go-v2/service/iam"

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
