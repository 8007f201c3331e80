package controls

import (
	"bytes"
	"context"
	"fmt"
	"slices"
	"strconv"
	"strings"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/organizations"

	"github.com/orgbaseline/orgbaseline/internal/iampolicy"
)

// The SCP control's invariants, checked by Diff at plan time and again by
// Apply right before each write: a change list may come from anywhere (a
// plan file, any caller of the engine), so Apply trusts none of it.
//
//   - A policy is created or updated only with the name, description and
//     document the baseline declares (declaredWrite); a created one
//     carries the managed tag.
//   - A policy updated, deleted or detached carries the managed tag
//     (scpManaged), read again right before the write; FullAWSAccess,
//     which cannot carry it, is detached only from a target where a
//     policy of the baseline with replaceFullAWSAccess is attached
//     (fullAccessReplaced).
//   - No root, OU or account that has an SCP is left without one
//     (scpKeepsOne): AWS refuses to detach the last one, the tool refuses
//     first.
//   - The lockout guard passes for the attachments and documents in force
//     after the write (lockoutGuard).
//
// Apply checks them against the organization's SCPs as read at execution
// time: read once per apply, at the first write that needs them (after
// the SCP type is enabled, which attaches FullAWSAccess everywhere), then
// kept current with each write it makes (scpLive). Reading them again
// before every write would cost a full listing each (a page per 20
// targets of every SCP); the writes of one apply are serialised by
// applyMu, and Observe (a new plan) or a failed write forgets them.

// scpManaged reports the managed tag among a policy's tags.
func scpManaged(tags map[string]string) bool {
	return tags[SCPManagedTagKey] == SCPManagedTagValue
}

// scpKeepsOne fails when target id has a policy of kind k in before and
// none in after: AWS requires at least one SCP (RCP) on every root, OU and
// account while the type is enabled.
func scpKeepsOne(org *Org, k *policyKind, before, after policyAttachments, id string) error {
	if len(before[id]) == 0 || len(after[id]) > 0 {
		return nil
	}
	label := scpTargetLabel(org, id)
	return fmt.Errorf("%s would be left with no %s after detaching %s; AWS requires at least one %s on every root, OU and account: declare a policy for %s, or attach %s there first",
		label, k.Short, strings.Join(before.names(id), ", "), k.Short, label, k.AWSDefault)
}

// scpLive are the organization's SCPs as this apply knows them.
type policyLive struct{ st *policyState }

// liveSCPs returns the SCPs as this apply knows them, reading them first
// when it has not (the caller holds applyMu).
func (c *OrganizationPolicies) liveSCPs(ctx context.Context, t Target, api PolicyAPI) (*policyLive, error) {
	if c.live != nil {
		return c.live, nil
	}
	st, err := c.observe(ctx, t.Config)
	if err == nil {
		err = c.fullAccessTargets(ctx, api, st, t.Org)
	}
	if err != nil {
		return nil, fmt.Errorf("read the organization's %s, to check the change before making it: %w", c.kind.Plural, err)
	}
	c.live = &policyLive{st: st}
	return c.live, nil
}

// forgetLive drops what this apply knows of the SCPs: a new plan, the SCP
// type enabled, a write that failed (its outcome is unknown).
func (c *OrganizationPolicies) forgetLive() { c.live = nil }

func (l *policyLive) policy(id string) *observedPolicy {
	for _, o := range l.st.Policies {
		if o.ID == id {
			return o
		}
	}
	return nil
}

// attachments are the SCPs attached to each target now (none while the
// type is not enabled).
func (l *policyLive) attachments() policyAttachments {
	a := policyAttachments{}
	if !l.st.enabled() {
		return a
	}
	for _, o := range l.st.Policies {
		for _, tg := range o.Targets {
			a.add(tg, o.Name)
		}
	}
	return a
}

func (l *policyLive) attached(o *observedPolicy, target string) {
	if !slices.Contains(o.Targets, target) {
		o.Targets = append(o.Targets, target)
		slices.Sort(o.Targets)
	}
}

func (l *policyLive) detached(o *observedPolicy, target string) {
	o.Targets = slices.DeleteFunc(o.Targets, func(id string) bool { return id == target })
}

func (l *policyLive) created(id string, x policyChange) {
	o := &observedPolicy{ID: id, Name: x.Name, Description: x.Description, Managed: scpManaged(x.Tags)}
	l.written(o, x)
	l.st.Policies = append(l.st.Policies, o)
}

func (l *policyLive) written(o *observedPolicy, x policyChange) {
	o.Description, o.Content, o.Described = x.Description, x.Content, true
	o.parsed, o.parseErr = l.st.kind.parse(x.Content)
}

func (l *policyLive) deleted(o *observedPolicy) {
	l.st.Policies = slices.DeleteFunc(l.st.Policies, func(p *observedPolicy) bool { return p == o })
}

// requireManaged reads the policy's tags right before a write that
// updates, detaches or deletes it, and refuses one without the managed
// tag. doing says the write ("detach SCP x (p-1) from root").
func requireManaged(ctx context.Context, api PolicyAPI, o *observedPolicy, doing string) error {
	if o.AWSManaged {
		return fmt.Errorf("%s: refused: %s is an AWS managed policy, which orgbaseline does not manage", doing, o.Name)
	}
	tags, err := scpPolicyTags(ctx, api, o.ID)
	if err != nil {
		return fmt.Errorf("%s: read its tags first: %w", doing, err)
	}
	if !scpManaged(tags) {
		return fmt.Errorf("%s: refused: the policy is not managed by orgbaseline (no tag %s=%s), and orgbaseline never updates, detaches or deletes such a policy",
			doing, SCPManagedTagKey, SCPManagedTagValue)
	}
	return nil
}

// fullAccessReplaced allows detaching FullAWSAccess from target only where
// the baseline says a policy replaces it (replaceFullAWSAccess) and that
// policy is attached, as Diff plans it.
func (c *OrganizationPolicies) fullAccessReplaced(org *Org, now policyAttachments, target, doing string) error {
	for i := range c.policies {
		d := &c.policies[i]
		if !d.replaceFullAWSAccess || !now[target][d.name] {
			continue
		}
		ts, _ := resolveSCPTargets(org, c.kind, d)
		if slices.ContainsFunc(ts, func(tg policyTarget) bool { return tg.ID == target }) {
			return nil
		}
	}
	return fmt.Errorf("%s: refused: FullAWSAccess is detached only from a target where a policy of the baseline with replaceFullAWSAccess is attached, and %s has none",
		doing, scpTargetLabel(org, target))
}

// guardAfter runs the lockout guard on the attachments after a write, with
// over (the document an update writes) in place of what is in force.
func (c *OrganizationPolicies) guardAfter(org *Org, l *policyLive, after policyAttachments, over map[string]*iampolicy.Policy, doing string) error {
	if err := c.lockoutGuard(org, l.st, after, over, "this change", nil); err != nil {
		return fmt.Errorf("%s: refused: %w", doing, err)
	}
	return nil
}

// mayDetach checks the invariants before detaching o from target.
func (c *OrganizationPolicies) mayDetach(ctx context.Context, org *Org, api PolicyAPI, l *policyLive, o *observedPolicy, target, doing string) error {
	now := l.attachments()
	if o.AWSManaged && o.Name == c.kind.AWSDefault {
		if err := c.fullAccessReplaced(org, now, target, doing); err != nil {
			return err
		}
	} else if err := requireManaged(ctx, api, o, doing); err != nil {
		return err
	}
	after := now.clone()
	delete(after[target], o.Name)
	if err := scpKeepsOne(org, c.kind, now, after, target); err != nil {
		return fmt.Errorf("%s: refused: %w", doing, err)
	}
	return c.guardAfter(org, l, after, nil, doing)
}

// mayAttach checks the lockout guard before attaching o to target, reading
// o's document first when it was not read (a policy attached nowhere that
// orgbaseline does not manage).
func (c *OrganizationPolicies) mayAttach(ctx context.Context, org *Org, api PolicyAPI, l *policyLive, o *observedPolicy, target, doing string) error {
	if !o.Described {
		out, err := api.DescribePolicy(ctx, &organizations.DescribePolicyInput{PolicyId: aws.String(o.ID)})
		if err != nil {
			return fmt.Errorf("%s: read its document first: %w", doing, err)
		}
		if out.Policy != nil {
			l.written(o, policyChange{Description: o.Description, Content: aws.ToString(out.Policy.Content)})
		}
	}
	after := l.attachments()
	after.add(target, o.Name)
	return c.guardAfter(org, l, after, nil, doing)
}

// mayUpdate checks the invariants before writing x over o: the managed
// tag, and the guard with x's document where o is attached.
func (c *OrganizationPolicies) mayUpdate(ctx context.Context, org *Org, api PolicyAPI, l *policyLive, o *observedPolicy, x policyChange, doing string) error {
	if err := requireManaged(ctx, api, o, doing); err != nil {
		return err
	}
	now := l.attachments()
	inForce := false
	for _, ps := range now {
		inForce = inForce || ps[o.Name]
	}
	if !inForce {
		return nil
	}
	doc, err := c.kind.parse(x.Content)
	if err != nil {
		return fmt.Errorf("%s: refused: the new document cannot be evaluated by the lockout guard: %s", doing, scpPolicyProblems(err))
	}
	return c.guardAfter(org, l, now, map[string]*iampolicy.Policy{o.Name: doc}, doing)
}

// notInOrganization is the error for a change naming a policy id the
// organization does not have (as read at the start of this apply).
func notInOrganization(doing string) error {
	return fmt.Errorf("%s: refused: no SCP with this id in the organization; run plan again", doing)
}

// declaredWrite refuses a create or update that does not write a policy
// of the baseline as declared (Diff plans exactly that), and a create
// without the managed tag.
func (c *OrganizationPolicies) declaredWrite(x policyChange, create bool) error {
	d := c.declared(x.Name)
	if d == nil {
		return fmt.Errorf("the baseline declares no SCP of this name")
	}
	norm, err := c.kind.normalize(x.Content)
	if err != nil || !bytes.Equal(norm, d.normalized) || x.Description != d.description {
		return fmt.Errorf("the document or description is not the one the baseline declares for %s", d.name)
	}
	if create && !scpManaged(x.Tags) {
		return fmt.Errorf("a policy orgbaseline creates carries the tag %s=%s", SCPManagedTagKey, SCPManagedTagValue)
	}
	return nil
}

// scpClip is a value taken from a change, for an error: control
// characters escaped, cut to a few dozen characters.
func scpClip(s string) string {
	const max = 64
	if r := []rune(s); len(r) > max {
		s = string(r[:max]) + "…"
	}
	q := strconv.Quote(s)
	return q[1 : len(q)-1]
}
