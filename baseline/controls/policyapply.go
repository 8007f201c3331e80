package controls

import (
	"context"
	"errors"
	"fmt"
	"maps"
	"slices"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/organizations"
	"github.com/aws/aws-sdk-go-v2/service/organizations/types"

	"github.com/orgbaseline/orgbaseline/baseline"
)

// Apply makes one SDK call per change, in the management account. It is
// idempotent: an attachment already there, a detachment already done and
// a type already enabled are success. Existing policies are addressed by
// the id read at plan time; a policy created by the same plan is found by
// name (and its managed tag). Before each write it checks the control's
// invariants again (policyinvariants.go), and refuses the change when one
// does not hold.
func (c *OrganizationPolicies) Apply(ctx context.Context, t Target, ch baseline.Change) error {
	c.applyMu.Lock()
	defer c.applyMu.Unlock()
	api := c.newClient(t.Config)
	data := ch.After
	if ch.Action == baseline.ActionDelete {
		data = ch.Before
	}
	decode := func(v any) error {
		return baseline.Change{Control: ch.Control, Resource: ch.Resource, After: data}.DecodeAfter(v)
	}
	switch {
	case data["policyType"] != nil:
		var x policyTypeChange
		if err := decode(&x); err != nil {
			return err
		}
		if ch.Action != baseline.ActionCreate {
			return fmt.Errorf("%s: refused: a policy type is only ever enabled (create), not %s", scpClip(ch.Resource), scpClip(string(ch.Action)))
		}
		// Enabling the type attaches FullAWSAccess everywhere: what this
		// apply knew of the SCPs is read again.
		defer c.forgetLive()
		return c.enableType(ctx, t, api, x)
	case data["targetId"] != nil:
		var x attachChange
		if err := decode(&x); err != nil {
			return err
		}
		if ch.Action != baseline.ActionCreate && ch.Action != baseline.ActionDelete {
			return fmt.Errorf("%s: refused: an attachment is made (create) or removed (delete), not %s", scpClip(ch.Resource), scpClip(string(ch.Action)))
		}
		return c.applyAttachment(ctx, t, api, ch.Action, x)
	default:
		var x policyChange
		if err := decode(&x); err != nil {
			return err
		}
		return c.applyPolicy(ctx, t, api, ch.Action, x)
	}
}

// enableType enables the SCP type on the root and waits until AWS has
// finished: EnablePolicyType "is an asynchronous request that Amazon Web
// Services performs in the background" (Organizations API reference), and
// until ListRoots shows the type ENABLED no SCP can be attached
// (PolicyTypeNotEnabledException) and FullAWSAccess is not attached yet.
// It reads the root first: a type AWS is already enabling
// (PENDING_ENABLE) is only waited for, never enabled again.
func (c *OrganizationPolicies) enableType(ctx context.Context, t Target, api PolicyAPI, x policyTypeChange) error {
	status, err := scpTypeStatus(ctx, api, x.RootID, x.PolicyType)
	if err != nil {
		return fmt.Errorf("enable the %s type on root %s: %w", x.PolicyType, x.RootID, err)
	}
	switch status {
	case string(types.PolicyTypeStatusEnabled):
		return nil
	case string(types.PolicyTypeStatusPendingDisable):
		return fmt.Errorf("enable the %s type on root %s: AWS is disabling it (PENDING_DISABLE); run again once it is disabled", x.PolicyType, x.RootID)
	case "":
		_, err := api.EnablePolicyType(ctx, &organizations.EnablePolicyTypeInput{RootId: aws.String(x.RootID), PolicyType: types.PolicyType(x.PolicyType)})
		var (
			already *types.PolicyTypeAlreadyEnabledException
			busy    *types.ConcurrentModificationException
		)
		switch {
		case err == nil, errors.As(err, &already):
		case errors.As(err, &busy):
			// Still busy after the retries: someone else may be enabling
			// it (a concurrent run, Control Tower); wait if so.
			if now, rerr := scpTypeStatus(ctx, api, x.RootID, x.PolicyType); rerr != nil || now == "" || now == string(types.PolicyTypeStatusPendingDisable) {
				return fmt.Errorf("enable the %s type on root %s: %w", x.PolicyType, x.RootID, err)
			}
		default:
			return fmt.Errorf("enable the %s type on root %s: %w", x.PolicyType, x.RootID, err)
		}
	}
	what := fmt.Sprintf("the %s type to be ENABLED on root %s", x.PolicyType, x.RootID)
	return t.Wait.Until(ctx, what, func(ctx context.Context) (bool, error) {
		status, err := scpTypeStatus(ctx, api, x.RootID, x.PolicyType)
		switch {
		case err != nil:
			return false, fmt.Errorf("read the %s type on root %s: %w", x.PolicyType, x.RootID, err)
		case status == string(types.PolicyTypeStatusPendingDisable):
			return false, fmt.Errorf("AWS is disabling the %s type on root %s (PENDING_DISABLE) while orgbaseline enables it; run again once it is disabled", x.PolicyType, x.RootID)
		}
		// PENDING_ENABLE, or not listed yet: AWS has not finished.
		return status == string(types.PolicyTypeStatusEnabled), nil
	})
}

// scpTypeStatus reads the status of a policy type on the root, as
// ListRoots lists it: ENABLED, PENDING_ENABLE, PENDING_DISABLE, or "" when
// it is not enabled.
func scpTypeStatus(ctx context.Context, api PolicyAPI, rootID, policyType string) (string, error) {
	p := organizations.NewListRootsPaginator(api, &organizations.ListRootsInput{})
	for p.HasMorePages() {
		out, err := p.NextPage(ctx)
		if err != nil {
			return "", fmt.Errorf("list roots: %w", err)
		}
		for _, r := range out.Roots {
			if aws.ToString(r.Id) != rootID {
				continue
			}
			for _, pt := range r.PolicyTypes {
				if string(pt.Type) == policyType {
					return string(pt.Status), nil
				}
			}
			return "", nil
		}
	}
	return "", fmt.Errorf("list roots: root %s is not in the organization", rootID)
}

func (c *OrganizationPolicies) applyAttachment(ctx context.Context, t Target, api PolicyAPI, action baseline.Action, x attachChange) error {
	id := x.PolicyID
	if id == "" {
		var err error
		if id, err = c.managedPolicyID(ctx, api, x.Policy); err != nil {
			return err
		}
	}
	live, err := c.liveSCPs(ctx, t, api)
	if err != nil {
		return err
	}
	if action == baseline.ActionDelete {
		doing := fmt.Sprintf("detach %s %s (%s) from %s", c.kind.Short, scpClip(x.Policy), scpClip(id), scpTargetLabel(t.Org, scpClip(x.TargetID)))
		o := live.policy(id)
		if o == nil {
			return notInOrganization(doing)
		}
		if err := c.mayDetach(ctx, t.Org, api, live, o, x.TargetID, doing); err != nil {
			return err
		}
		_, err := api.DetachPolicy(ctx, &organizations.DetachPolicyInput{PolicyId: aws.String(id), TargetId: aws.String(x.TargetID)})
		var gone *types.PolicyNotAttachedException
		if err != nil && !errors.As(err, &gone) {
			c.forgetLive()
			return fmt.Errorf("%s: %w", doing, err)
		}
		live.detached(o, x.TargetID)
		return nil
	}
	doing := fmt.Sprintf("attach %s %s (%s) to %s", c.kind.Short, scpClip(x.Policy), scpClip(id), scpTargetLabel(t.Org, scpClip(x.TargetID)))
	o := live.policy(id)
	if o == nil {
		return notInOrganization(doing)
	}
	if err := c.mayAttach(ctx, t.Org, api, live, o, x.TargetID, doing); err != nil {
		return err
	}
	_, err = api.AttachPolicy(ctx, &organizations.AttachPolicyInput{PolicyId: aws.String(id), TargetId: aws.String(x.TargetID)})
	var dup *types.DuplicatePolicyAttachmentException
	if err != nil && !errors.As(err, &dup) {
		c.forgetLive()
		return c.quotaHint(fmt.Errorf("%s: %w", doing, err))
	}
	live.attached(o, x.TargetID)
	return nil
}

func (c *OrganizationPolicies) applyPolicy(ctx context.Context, t Target, api PolicyAPI, action baseline.Action, x policyChange) error {
	switch action {
	case baseline.ActionCreate:
		if err := c.declaredWrite(x, true); err != nil {
			return fmt.Errorf("create %s %s: refused: %w", c.kind.Short, scpClip(x.Name), err)
		}
		var tags []types.Tag
		for _, k := range slices.Sorted(maps.Keys(x.Tags)) {
			tags = append(tags, types.Tag{Key: aws.String(k), Value: aws.String(x.Tags[k])})
		}
		out, err := api.CreatePolicy(ctx, &organizations.CreatePolicyInput{
			Name: aws.String(x.Name), Description: aws.String(x.Description), Content: aws.String(x.Content),
			Type: types.PolicyType(c.kind.Type), Tags: tags,
		})
		var dup *types.DuplicatePolicyException
		if errors.As(err, &dup) {
			// Created by an earlier, interrupted apply: bring it to the
			// baseline if it is ours.
			id, ferr := c.managedPolicyID(ctx, api, x.Name)
			if ferr != nil {
				return fmt.Errorf("create %s %s: %w", c.kind.Short, x.Name, ferr)
			}
			x.ID = id
			return c.applyPolicy(ctx, t, api, baseline.ActionUpdate, x)
		}
		if err != nil {
			c.forgetLive()
			return c.quotaHint(fmt.Errorf("create %s %s: %w", c.kind.Short, x.Name, err))
		}
		if out.Policy != nil && out.Policy.PolicySummary != nil {
			id := aws.ToString(out.Policy.PolicySummary.Id)
			c.mu.Lock()
			c.created[x.Name] = id
			c.mu.Unlock()
			if c.live != nil {
				c.live.created(id, x)
			}
		}
		return nil
	case baseline.ActionUpdate:
		doing := fmt.Sprintf("update %s %s (%s)", c.kind.Short, scpClip(x.Name), scpClip(x.ID))
		live, err := c.liveSCPs(ctx, t, api)
		if err != nil {
			return err
		}
		o := live.policy(x.ID)
		if o == nil {
			return notInOrganization(doing)
		}
		if err := c.declaredWrite(x, false); err != nil {
			return fmt.Errorf("%s: refused: %w", doing, err)
		}
		if err := c.mayUpdate(ctx, t.Org, api, live, o, x, doing); err != nil {
			return err
		}
		_, err = api.UpdatePolicy(ctx, &organizations.UpdatePolicyInput{
			PolicyId: aws.String(x.ID), Description: aws.String(x.Description), Content: aws.String(x.Content),
		})
		if err != nil {
			c.forgetLive()
			return c.quotaHint(fmt.Errorf("%s: %w", doing, err))
		}
		live.written(o, x)
		return nil
	case baseline.ActionDelete:
		doing := fmt.Sprintf("delete %s %s (%s)", c.kind.Short, scpClip(x.Name), scpClip(x.ID))
		live, err := c.liveSCPs(ctx, t, api)
		if err != nil {
			return err
		}
		o := live.policy(x.ID)
		if o == nil {
			return nil // already deleted
		}
		if err := requireManaged(ctx, api, o, doing); err != nil {
			return err
		}
		_, err = api.DeletePolicy(ctx, &organizations.DeletePolicyInput{PolicyId: aws.String(x.ID)})
		var gone *types.PolicyNotFoundException
		if err != nil && !errors.As(err, &gone) {
			c.forgetLive()
			return fmt.Errorf("%s: %w", doing, err)
		}
		live.deleted(o)
		return nil
	}
	return fmt.Errorf("%s %s: unknown action %s", c.kind.Short, scpClip(x.Name), scpClip(string(action)))
}

// managedPolicyID finds the id of the managed SCP named name: one this run
// created, else by listing the SCPs. A policy of that name without the
// managed tag is refused.
func (c *OrganizationPolicies) managedPolicyID(ctx context.Context, api PolicyAPI, name string) (string, error) {
	c.mu.Lock()
	id := c.created[name]
	c.mu.Unlock()
	if id != "" {
		return id, nil
	}
	lp := organizations.NewListPoliciesPaginator(api, &organizations.ListPoliciesInput{Filter: types.PolicyType(c.kind.Type)})
	for lp.HasMorePages() {
		out, err := lp.NextPage(ctx)
		if err != nil {
			return "", fmt.Errorf("find %s %s: list %s: %w", c.kind.Short, name, c.kind.Plural, err)
		}
		for _, p := range out.Policies {
			if aws.ToString(p.Name) != name {
				continue
			}
			id := aws.ToString(p.Id)
			tags, err := scpPolicyTags(ctx, api, id)
			if err != nil {
				return "", fmt.Errorf("find %s %s: list tags of %s: %w", c.kind.Short, name, id, err)
			}
			if tags[SCPManagedTagKey] != SCPManagedTagValue {
				return "", fmt.Errorf("%s %s (%s) is not managed by orgbaseline (no tag %s=%s); it is left alone", c.kind.Short, name, id, SCPManagedTagKey, SCPManagedTagValue)
			}
			c.mu.Lock()
			c.created[name] = id
			c.mu.Unlock()
			return id, nil
		}
	}
	return "", fmt.Errorf("%s %s does not exist; run plan again", c.kind.Short, name)
}
