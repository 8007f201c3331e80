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
		fs, ferr := rootFeatures(ctx, c.root.newIAM(mgmt))
		if off := featuresOff(fs); ferr == nil && len(off) > 0 {
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
