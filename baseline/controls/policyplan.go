package controls

import (
	"bytes"
	"errors"
	"fmt"
	"maps"
	"slices"
	"sort"
	"strings"

	"github.com/aws/aws-sdk-go-v2/service/organizations/types"

	"github.com/orgbaseline/orgbaseline/baseline"
	"github.com/orgbaseline/orgbaseline/internal/iampolicy"
)

// Change payloads. A change's Before (for a delete) or After (otherwise)
// holds one of these; Apply tells them apart by their keys.
type (
	policyTypeChange struct {
		RootID     string `json:"rootId"`
		PolicyType string `json:"policyType"`
	}
	policyChange struct {
		ID          string            `json:"id,omitempty"`
		Name        string            `json:"name"`
		Description string            `json:"description"`
		Content     string            `json:"content"`
		Tags        map[string]string `json:"tags,omitempty"`
	}
	attachChange struct {
		Policy   string `json:"policy"`
		PolicyID string `json:"policyId,omitempty"` // "" when the policy is created by the same plan
		Target   string `json:"target"`
		TargetID string `json:"targetId"`
	}
)

// scpAttachments maps a target id to the names of the SCPs attached to it.
type policyAttachments map[string]map[string]bool

func (a policyAttachments) add(target, policy string) {
	if a[target] == nil {
		a[target] = map[string]bool{}
	}
	a[target][policy] = true
}

func (a policyAttachments) names(target string) []string {
	var out []string
	for n := range a[target] {
		out = append(out, n)
	}
	sort.Strings(out)
	return out
}

func (a policyAttachments) clone() policyAttachments {
	out := policyAttachments{}
	for t, ps := range a {
		for p := range ps {
			out.add(t, p)
		}
	}
	return out
}

// Diff plans, in this order: enable the SCP type (when it is not and a
// policy is declared); create or update the managed policies (update when
// the normalised documents differ, or the description); attach them where
// declared; detach FullAWSAccess where a policy with replaceFullAWSAccess
// is now attached; detach managed policies from targets no longer
// declared; delete managed policies no longer declared. The order is a
// safety property: every attachment comes before any detachment, so no
// root, OU or account is ever left without an SCP while the changes are
// applied one after another, and the SCP count of a target peaks at the
// attachments, where it is checked.
//
// It fails the plan, naming the policy, target and limit, when a target
// would have more SCPs than maxPoliciesPerTarget at any point (attachments
// orgbaseline does not manage count), when a target would be left with no
// SCP, when a declared name belongs to a policy orgbaseline does not
// manage, and when the SCPs in force afterwards would deny the execution
// role a call orgbaseline makes in a targeted account (the lockout guard).
// A Deny of * on * without a condition is a warning.
//
// While the SCP type is not enabled, or AWS is still enabling it
// (PENDING_ENABLE), the plan predicts what enabling it does: FullAWSAccess
// attached to the root and to every OU and account.
func (c *OrganizationPolicies) Diff(t Target, observed any) ([]baseline.Change, error) {
	st, ok := observed.(*policyState)
	if !ok || st == nil {
		return nil, fmt.Errorf("no observation of the organization's %s", c.kind.Plural)
	}
	p, err := c.newPlanner(t, st)
	if err != nil {
		return nil, err
	}
	p.enableType()
	p.createOrUpdate()
	if err := p.attach(); err != nil {
		return nil, err
	}
	p.replaceFullAWSAccess()
	p.detachUndeclared()
	if err := p.keepOneSCP(); err != nil {
		return nil, err
	}
	c.warnDenyAll(t, p.targetsOf)
	c.warnEffective(t, st, len(p.changes) > 0)
	if st.enabled() || p.willEnable {
		if err := c.guard(t, st, p.final); err != nil {
			return nil, err
		}
	}
	return p.changes, nil
}

// scpPlanner is one Diff: what was observed and declared, the attachments
// before (current) and after (final) the plan, and the changes planned so
// far. Each phase of Diff is one method, called in Diff's order.
type policyPlanner struct {
	c         *OrganizationPolicies
	st        *policyState
	org       *Org
	mgmt      string
	byName    map[string]*observedPolicy // every SCP, by name
	declared  map[string]*declaredPolicy // the baseline's, by name
	targetsOf map[string][]policyTarget  // where the baseline attaches each
	faaID     string                     // FullAWSAccess's id
	// willEnable: the plan enables the SCP type (or waits for AWS to
	// finish enabling it).
	willEnable bool
	// current are the attachments now, or right after enabling the SCP
	// type; final are those after the plan.
	current, final policyAttachments
	changes        []baseline.Change
}

// newPlanner reads the declared policies against the observation: every
// declared name that belongs to a policy orgbaseline does not manage and
// every target that does not resolve is an error, all reported at once.
func (c *OrganizationPolicies) newPlanner(t Target, st *policyState) (*policyPlanner, error) {
	p := &policyPlanner{
		c: c, st: st, org: t.Org, mgmt: t.AccountID,
		byName: map[string]*observedPolicy{}, declared: map[string]*declaredPolicy{}, targetsOf: map[string][]policyTarget{},
		faaID: c.kind.DefaultID, current: policyAttachments{},
	}
	if p.org.ManagementAccountID != "" {
		p.mgmt = p.org.ManagementAccountID
	}
	for _, o := range st.Policies {
		p.byName[o.Name] = o
	}
	if o := p.byName[c.kind.AWSDefault]; o != nil && o.AWSManaged {
		p.faaID = o.ID
	}
	var errs []error
	for i := range c.policies {
		d := &c.policies[i]
		p.declared[d.name] = d
		if o := p.byName[d.name]; o != nil && !o.Managed {
			errs = append(errs, fmt.Errorf("%s %q: a policy with this name (%s) already exists and orgbaseline does not manage it (no tag %s=%s); rename the baseline's policy, or tag the existing one %s=%s to let orgbaseline manage it",
				c.kind.Short, d.name, o.ID, SCPManagedTagKey, SCPManagedTagValue, SCPManagedTagKey, SCPManagedTagValue))
		}
		ts, terrs := resolveSCPTargets(p.org, c.kind, d)
		errs = append(errs, terrs...)
		p.targetsOf[d.name] = ts
	}
	if len(errs) > 0 {
		return nil, errors.Join(errs...)
	}
	p.willEnable = !st.enabled() && len(c.policies) > 0
	switch {
	case st.enabled():
		for _, o := range st.Policies {
			for _, tg := range o.Targets {
				p.current.add(tg, o.Name)
			}
		}
	case p.willEnable && c.kind.AWSDefault != "":
		for _, id := range scpAllTargets(p.org) {
			p.current.add(id, c.kind.AWSDefault)
		}
	}
	p.final = p.current.clone()
	return p, nil
}

// add plans one change.
func (p *policyPlanner) add(resource string, action baseline.Action, before, after any, reason string) {
	ch := baseline.Change{Control: p.c.Name(), Account: p.mgmt, Resource: resource, Action: action, Reason: reason}
	if before != nil {
		ch.Before = baseline.ToMap(before)
	}
	if after != nil {
		ch.After = baseline.ToMap(after)
	}
	p.changes = append(p.changes, ch)
}

// enableType plans enabling the SCP type. When AWS is already enabling it
// (PENDING_ENABLE), the change only waits for it: apply reads the root's
// state first and calls EnablePolicyType only when the type is not
// enabled at all.
func (p *policyPlanner) enableType() {
	if !p.willEnable {
		return
	}
	k := p.c.kind
	reason := k.Plural + " are not enabled in the organization"
	if k.AWSDefault != "" {
		reason += "; enabling them attaches " + k.AWSDefault + " to the root and to every OU and account"
	}
	if p.st.TypeStatus == string(types.PolicyTypeStatusPendingEnable) {
		reason = "AWS is still enabling " + k.Plural + " in the organization (PENDING_ENABLE); apply waits until they are ENABLED"
		if k.AWSDefault != "" {
			reason += ", when AWS attaches " + k.AWSDefault + " to the root and to every OU and account"
		}
	}
	p.add("root/"+p.st.RootID+"/policy-type/"+p.c.kind.Type, baseline.ActionCreate, nil,
		policyTypeChange{RootID: p.st.RootID, PolicyType: p.c.kind.Type}, reason)
}

// createOrUpdate plans a create for every declared policy that does not
// exist and an update for every one whose document (normalised) or
// description differs.
func (p *policyPlanner) createOrUpdate() {
	for i := range p.c.policies {
		d := &p.c.policies[i]
		want := policyChange{Name: d.name, Description: d.description, Content: d.content}
		o := p.byName[d.name]
		if o == nil {
			want.Tags = map[string]string{SCPManagedTagKey: SCPManagedTagValue}
			p.add(p.c.kind.resource(d.name), baseline.ActionCreate, nil, want, "the "+p.c.kind.Short+" does not exist")
			continue
		}
		var why []string
		if norm, err := p.c.kind.normalize(o.Content); err != nil || !bytes.Equal(norm, d.normalized) {
			why = append(why, "its document")
		}
		if o.Description != d.description {
			why = append(why, "its description")
		}
		if len(why) > 0 {
			want.ID = o.ID
			p.add(p.c.kind.resource(d.name), baseline.ActionUpdate,
				policyChange{ID: o.ID, Name: o.Name, Description: o.Description, Content: o.Content}, want,
				"the "+p.c.kind.Short+" differs from the baseline in "+strings.Join(why, " and "))
		}
	}
}

// attach plans every declared attachment that is missing, counting every
// SCP on the target, managed or not, against the limit: attachments come
// before any detach, so the count peaks here.
func (p *policyPlanner) attach() error {
	var errs []error
	for i := range p.c.policies {
		d := &p.c.policies[i]
		id := ""
		if o := p.byName[d.name]; o != nil {
			id = o.ID
		}
		for _, tg := range p.targetsOf[d.name] {
			if p.current[tg.ID][d.name] {
				continue
			}
			p.final.add(tg.ID, d.name)
			if n := len(p.final[tg.ID]); n > p.c.maxPerTarget {
				errs = append(errs, fmt.Errorf("%s %q cannot be attached to %s: %s would have %d %s (%s), over maxPoliciesPerTarget %d; the count includes the policies orgbaseline does not manage: detach one there, or raise maxPoliciesPerTarget if your organization's quota is higher",
					p.c.kind.Short, d.name, tg.Label, tg.Label, n, policyCount(p.c.kind, n), strings.Join(p.final.names(tg.ID), ", "), p.c.maxPerTarget))
			}
			p.add(p.c.kind.attachResource(d.name, tg.Label), baseline.ActionCreate, nil,
				attachChange{Policy: d.name, PolicyID: id, Target: tg.Label, TargetID: tg.ID},
				fmt.Sprintf("%s %s is not attached to %s", p.c.kind.Short, d.name, tg.Label))
		}
	}
	return errors.Join(errs...)
}

// replaceFullAWSAccess plans the allow-lists: FullAWSAccess is detached
// from a target once the policy that replaces it there is attached.
func (p *policyPlanner) replaceFullAWSAccess() {
	detached := map[string]bool{}
	for i := range p.c.policies {
		d := &p.c.policies[i]
		if !d.replaceFullAWSAccess {
			continue
		}
		for _, tg := range p.targetsOf[d.name] {
			if !p.final[tg.ID][p.c.kind.AWSDefault] || detached[tg.ID] {
				continue
			}
			detached[tg.ID] = true
			delete(p.final[tg.ID], p.c.kind.AWSDefault)
			p.add(p.c.kind.attachResource(p.c.kind.AWSDefault, tg.Label), baseline.ActionDelete,
				attachChange{Policy: p.c.kind.AWSDefault, PolicyID: p.faaID, Target: tg.Label, TargetID: tg.ID}, nil,
				fmt.Sprintf("SCP %s replaces FullAWSAccess on %s (replaceFullAWSAccess)", d.name, tg.Label))
		}
	}
}

// detachUndeclared plans detaching the managed policies from the targets
// the baseline no longer names, then deleting the managed policies no
// longer in the baseline (after all their detachments).
func (p *policyPlanner) detachUndeclared() {
	var removed []*observedPolicy
	for _, o := range p.st.Policies {
		if !o.Managed {
			continue
		}
		want := map[string]bool{}
		if p.declared[o.Name] != nil {
			for _, tg := range p.targetsOf[o.Name] {
				want[tg.ID] = true
			}
		} else {
			removed = append(removed, o)
		}
		var targets []policyTarget
		for _, id := range o.Targets {
			if !want[id] {
				targets = append(targets, policyTarget{ID: id, Label: scpTargetLabel(p.org, id)})
			}
		}
		sort.Slice(targets, func(i, j int) bool { return targets[i].Label < targets[j].Label })
		for _, tg := range targets {
			delete(p.final[tg.ID], o.Name)
			reason := fmt.Sprintf("the baseline no longer attaches %s %s to %s", p.c.kind.Short, o.Name, tg.Label)
			if p.declared[o.Name] == nil {
				reason = fmt.Sprintf("%s %s is no longer in the baseline", p.c.kind.Short, o.Name)
			}
			p.add(p.c.kind.attachResource(o.Name, tg.Label), baseline.ActionDelete,
				attachChange{Policy: o.Name, PolicyID: o.ID, Target: tg.Label, TargetID: tg.ID}, nil, reason)
		}
	}
	for _, o := range removed {
		p.add(p.c.kind.resource(o.Name), baseline.ActionDelete,
			policyChange{ID: o.ID, Name: o.Name, Description: o.Description, Content: o.Content}, nil,
			fmt.Sprintf("%s %s is managed by orgbaseline and no longer in the baseline", p.c.kind.Short, o.Name))
	}
}

// keepOneSCP fails the plan when it would leave a root, OU or account
// that has an SCP now with none: AWS requires at least one on each.
func (p *policyPlanner) keepOneSCP() error {
	if p.c.kind.AWSDefault == "" {
		return nil // the management policy types need none
	}
	var errs []error
	for _, id := range slices.Sorted(maps.Keys(p.current)) {
		if err := scpKeepsOne(p.org, p.c.kind, p.current, p.final, id); err != nil {
			errs = append(errs, err)
		}
	}
	return errors.Join(errs...)
}

// warnDenyAll warns about every declared statement that denies every
// action on every resource without a condition: it locks everyone out of
// the accounts under its targets.
func (c *OrganizationPolicies) warnDenyAll(t Target, targetsOf map[string][]policyTarget) {
	if t.Warn == nil || !c.kind.Authorization {
		return
	}
	who := "nobody in the accounts there can do anything, orgbaseline's execution role included"
	if c.kind.isRCP() {
		who = "nobody, AWS services and orgbaseline's execution role included, can reach the resources of the accounts there"
	}
	for i := range c.policies {
		p := &c.policies[i]
		for _, s := range p.parsed.Statements {
			if s.Effect != iampolicy.EffectDeny || len(s.Condition) > 0 || len(s.NotAction) > 0 || len(s.NotResource) > 0 ||
				!slices.Contains(s.Action, "*") || !slices.Contains(s.Resource, "*") {
				continue
			}
			var labels []string
			for _, tg := range targetsOf[p.name] {
				labels = append(labels, tg.Label)
			}
			t.Warn(fmt.Sprintf("%s %q %s denies every action on every resource with no condition, at %s: %s",
				c.kind.Short, p.name, scpStatementName(s), strings.Join(labels, ", "), who))
		}
	}
}

// scpStatementName is `statement "Sid" (Statement[i])`, or `statement
// Statement[i]` when the statement has no Sid.
func scpStatementName(s *iampolicy.Statement) string {
	pos := fmt.Sprintf("Statement[%d]", s.Index)
	if s.Sid == "" {
		return "statement " + pos
	}
	return fmt.Sprintf("statement %q (%s)", s.Sid, pos)
}

// policyCount names n policies of kind k: "SCPs", "tag policies".
func policyCount(k *policyKind, n int) string {
	if n == 1 {
		return k.Short
	}
	if k.Authorization {
		return k.Short + "s"
	}
	return strings.TrimSuffix(k.Short, "y") + "ies"
}
