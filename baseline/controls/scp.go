package controls

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"maps"
	"os"
	"slices"
	"sort"
	"strings"
	"sync"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/organizations"
	"github.com/aws/aws-sdk-go-v2/service/organizations/types"
	"golang.org/x/sync/errgroup"

	"github.com/orgbaseline/orgbaseline/baseline"
	"github.com/orgbaseline/orgbaseline/internal/awsapi"
	"github.com/orgbaseline/orgbaseline/internal/iampolicy"
)

// SCPAPI is the part of the Organizations client the SCP control uses, in
// the management account.
type SCPAPI interface {
	ListRoots(context.Context, *organizations.ListRootsInput, ...func(*organizations.Options)) (*organizations.ListRootsOutput, error)
	organizations.ListPoliciesAPIClient
	organizations.ListTargetsForPolicyAPIClient
	organizations.ListPoliciesForTargetAPIClient
	organizations.ListTagsForResourceAPIClient
	DescribePolicy(context.Context, *organizations.DescribePolicyInput, ...func(*organizations.Options)) (*organizations.DescribePolicyOutput, error)
	EnablePolicyType(context.Context, *organizations.EnablePolicyTypeInput, ...func(*organizations.Options)) (*organizations.EnablePolicyTypeOutput, error)
	CreatePolicy(context.Context, *organizations.CreatePolicyInput, ...func(*organizations.Options)) (*organizations.CreatePolicyOutput, error)
	UpdatePolicy(context.Context, *organizations.UpdatePolicyInput, ...func(*organizations.Options)) (*organizations.UpdatePolicyOutput, error)
	AttachPolicy(context.Context, *organizations.AttachPolicyInput, ...func(*organizations.Options)) (*organizations.AttachPolicyOutput, error)
	DetachPolicy(context.Context, *organizations.DetachPolicyInput, ...func(*organizations.Options)) (*organizations.DetachPolicyOutput, error)
	DeletePolicy(context.Context, *organizations.DeletePolicyInput, ...func(*organizations.Options)) (*organizations.DeletePolicyOutput, error)
}

var _ SCPAPI = (*organizations.Client)(nil)

// The tag orgbaseline puts on the SCPs it creates. A policy without it is
// never updated, detached or deleted.
const (
	SCPManagedTagKey   = "orgbaseline:managed"
	SCPManagedTagValue = "true"
)

// LeasePolicyName is the SCP that holds apply's organization-scope lease
// (internal/cli/lease.go): never attached and never tagged managed, so this
// control plans nothing for it; a baseline may not declare a policy of
// that name.
const LeasePolicyName = "orgbaseline-apply-lease"

const (
	scpType            = string(types.PolicyTypeServiceControlPolicy)
	scpFullAWSAccess   = baseline.FullAWSAccessName
	scpFullAWSAccessID = "p-FullAWSAccess"
	// The content AWS gives FullAWSAccess; used to predict the state after
	// the SCP type is enabled, when the policy has not been read.
	scpFullAWSAccessContent = `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"*","Resource":"*"}]}`
	// scpConcurrency bounds the Organizations calls in flight in Observe.
	scpConcurrency = 4
)

// ServiceControlPolicies is the control of controls.serviceControlPolicies:
// it enables the SCP policy type, creates, updates, attaches, detaches and
// deletes the SCPs orgbaseline manages, and refuses a plan whose SCPs
// would deny orgbaseline's own calls in a member account (the lockout
// guard).
//
// It runs at organization scope, in the management account: SCPs are
// global and only the management account (or a delegated administrator)
// may change them.
type ServiceControlPolicies struct {
	policies     []declaredSCP // sorted by name
	maxSize      int
	maxPerTarget int
	// guarded are the IAM actions orgbaseline calls in member accounts as
	// the execution role; the SCPs in force after a plan must allow them.
	guarded   []string
	newClient func(aws.Config) SCPAPI

	// created remembers the ids of the policies this run created, for
	// the attach changes that follow their create in the same plan.
	mu      sync.Mutex
	created map[string]string

	// early is the observation Prefetch started, taken by the first
	// Observe.
	early *scpPrefetch

	// applyMu serialises Apply's writes and their checks; live is what
	// they know of the organization's SCPs (scpinvariants.go).
	applyMu sync.Mutex
	live    *scpLive
}

// scpPrefetch is an observation started before the organization walk.
type scpPrefetch struct {
	done chan struct{}
	st   *scpState
	err  error
}

// Prefetch starts reading the organization's SCPs with cfg (the
// management account's) in the background; the run's first Observe
// returns what it read. The SCP listings (every policy's targets, 20 per
// page, FullAWSAccess attached to every account) are a chain of
// Organizations calls that does not depend on the organization walk, and
// Organizations throttles the whole organization as one: started beside
// the walk, the chain no longer follows it.
func (c *ServiceControlPolicies) Prefetch(ctx context.Context, cfg aws.Config) {
	p := &scpPrefetch{done: make(chan struct{})}
	c.mu.Lock()
	c.early = p
	c.mu.Unlock()
	go func() {
		defer close(p.done)
		p.st, p.err = c.observe(ctx, cfg)
	}()
}

// declaredSCP is one policy of the baseline, its document read and checked.
type declaredSCP struct {
	name, description, content string
	normalized                 []byte
	parsed                     *iampolicy.Policy
	targets                    []baseline.Selector
	replaceFullAWSAccess       bool
}

// newServiceControlPolicies builds the control, reading and checking every
// policy document offline: valid JSON, the SCP grammar, the size limit.
// Every problem is returned at once, each naming the policy (and file),
// before any AWS call. guarded are the actions the lockout guard checks.
func newServiceControlPolicies(b *baseline.Baseline, guarded []string) ([]Control, error) {
	cfg := b.Controls.ServiceControlPolicies
	if !cfg.IsEnabled() {
		return nil, nil
	}
	c := &ServiceControlPolicies{
		maxSize:      cfg.PolicySizeLimit(),
		maxPerTarget: cfg.PoliciesPerTargetLimit(),
		guarded:      append([]string(nil), guarded...),
		newClient:    func(cfg aws.Config) SCPAPI { return organizations.NewFromConfig(cfg) },
		created:      map[string]string{},
	}
	sort.Strings(c.guarded)
	var errs []error
	for i, p := range cfg.Policies {
		where := fmt.Sprintf("SCP %q (controls.serviceControlPolicies.policies[%d])", p.Name, i)
		if p.Name == LeasePolicyName {
			errs = append(errs, fmt.Errorf("%s: the name is reserved for the lease apply holds while it changes the organization scope; rename the policy", where))
			continue
		}
		content := p.Document
		if p.File != "" {
			path := p.DocumentPath(b.Dir)
			where = fmt.Sprintf("SCP %q (controls.serviceControlPolicies.policies[%d], file %s)", p.Name, i, path)
			data, err := os.ReadFile(path)
			if err != nil {
				errs = append(errs, fmt.Errorf("%s: cannot read the policy document: %w; the file path is relative to the baseline file's directory %s", where, err, b.Dir))
				continue
			}
			content = string(data)
		}
		content = strings.TrimSpace(content)
		if n := iampolicy.Size(content); n > c.maxSize {
			errs = append(errs, fmt.Errorf("%s: the document has %d characters, over maxPolicySize %d (whitespace counts); remove whitespace or split the policy in two", where, n, c.maxSize))
		}
		parsed, err := iampolicy.Parse([]byte(content), iampolicy.KindSCP)
		if err != nil {
			errs = append(errs, fmt.Errorf("%s: %s", where, scpPolicyProblems(err)))
			continue
		}
		norm, err := iampolicy.Normalize([]byte(content))
		if err != nil {
			errs = append(errs, fmt.Errorf("%s: %s", where, scpPolicyProblems(err)))
			continue
		}
		c.policies = append(c.policies, declaredSCP{
			name: p.Name, description: p.Description, content: content, normalized: norm, parsed: parsed,
			targets: p.Targets, replaceFullAWSAccess: p.ReplaceFullAWSAccess,
		})
	}
	if len(errs) > 0 {
		return nil, errors.Join(errs...)
	}
	sort.Slice(c.policies, func(i, j int) bool { return c.policies[i].name < c.policies[j].name })
	return []Control{c}, nil
}

// scpPolicyProblems words an iampolicy error: "invalid policy document:" and
// every problem with its place in the document.
func scpPolicyProblems(err error) string {
	var pe *iampolicy.ParseError
	if errors.As(err, &pe) && len(pe.Problems) > 0 {
		parts := make([]string, len(pe.Problems))
		for i, p := range pe.Problems {
			parts[i] = p.String()
		}
		return "invalid policy document: " + strings.Join(parts, "; ")
	}
	return err.Error()
}

func (*ServiceControlPolicies) Name() string { return "serviceControlPolicies" }
func (*ServiceControlPolicies) Scope() Scope { return ScopeOrganization }

// Actions is nil: every SCP call is made in the management account, which
// SCPs never restrict, so the control needs nothing in member accounts.
func (*ServiceControlPolicies) Actions() []string { return nil }

// ---- observe ----

// scpState is what Observe reads: the SCP type's status on the root and
// every SCP of the organization with its attachments.
type scpState struct {
	RootID string
	// TypeStatus is the SCP type's status on the root: ENABLED,
	// PENDING_ENABLE, PENDING_DISABLE, or "" when it is not enabled.
	TypeStatus string
	// Policies are every SCP, sorted by name.
	Policies []*observedSCP
}

func (s *scpState) enabled() bool { return s.TypeStatus == string(types.PolicyTypeStatusEnabled) }

// observedSCP is one SCP as read.
type observedSCP struct {
	ID, ARN, Name, Description string
	AWSManaged                 bool
	// Managed reports the orgbaseline:managed=true tag.
	Managed bool
	// Content is read for managed policies and for policies attached
	// somewhere (the lockout guard evaluates them); Described says so.
	Content   string
	Described bool
	// Targets are the ids of the roots, OUs and accounts the policy is
	// attached to, sorted.
	Targets []string
	// targetsPending marks FullAWSAccess between observe and
	// fullAccessTargets.
	targetsPending bool
	parsed         *iampolicy.Policy
	parseErr       error
}

// Observe reads the root's policy types, every SCP with its targets, the
// managed tag of customer policies and the content of the policies that
// matter (managed or attached). All calls go to the management account.
func (c *ServiceControlPolicies) Observe(ctx context.Context, t Target) (any, error) {
	c.applyMu.Lock()
	c.forgetLive() // a new plan: the next apply reads the SCPs again
	c.applyMu.Unlock()
	c.mu.Lock()
	p := c.early
	c.early = nil
	c.mu.Unlock()
	if p != nil {
		select {
		case <-p.done:
		case <-ctx.Done():
			return nil, ctx.Err()
		}
		if p.err != nil {
			return nil, p.err
		}
		if err := c.fullAccessTargets(ctx, c.newClient(t.Config), p.st, t.Org); err != nil {
			return nil, err
		}
		return p.st, nil
	}
	st, err := c.observe(ctx, t.Config)
	if err != nil {
		return nil, err
	}
	if err := c.fullAccessTargets(ctx, c.newClient(t.Config), st, t.Org); err != nil {
		return nil, err
	}
	return st, nil
}

// fullAccessTargets fills in where FullAWSAccess is attached, which
// observe leaves for last because it is usually everywhere: AWS attaches
// it to the root and to every OU and account, and listing its targets
// costs a page per 20 of them, most of a run's Organizations calls in a
// large organization (which AWS throttles as one). AWS also requires at
// least one SCP on every root, OU and account while the SCP type is
// enabled, and FullAWSAccess is the only SCP whose targets observe did
// not list; so a target with none of the listed SCPs attached has
// FullAWSAccess, and only the targets that have one of them attached are
// asked (ListPoliciesForTarget). When those are more calls than the
// pages of FullAWSAccess's targets, or the organization was not walked,
// the targets are listed instead.
func (c *ServiceControlPolicies) fullAccessTargets(ctx context.Context, api SCPAPI, st *scpState, org *Org) error {
	var faa *observedSCP
	for _, p := range st.Policies {
		if p.targetsPending {
			faa = p
		}
	}
	if faa == nil {
		return nil
	}
	faa.targetsPending = false
	var all []string
	if org != nil {
		all = scpAllTargets(org)
	}
	// others are the organization's targets with one of the listed SCPs
	// attached (a target that is not in the organization as walked, an
	// account that left since, is left out).
	inOrg := make(map[string]bool, len(all))
	for _, id := range all {
		inOrg[id] = true
	}
	others := map[string]bool{}
	for _, p := range st.Policies {
		for _, id := range p.Targets {
			if inOrg[id] {
				others[id] = true
			}
		}
	}
	if len(all) == 0 || len(others) >= (len(all)+scpTargetsPerPage-1)/scpTargetsPerPage {
		return c.listTargets(ctx, api, faa)
	}
	var (
		mu       sync.Mutex
		attached []string
	)
	for _, id := range all {
		if !others[id] {
			attached = append(attached, id)
		}
	}
	g, gctx := errgroup.WithContext(ctx)
	g.SetLimit(scpConcurrency)
	for id := range others {
		g.Go(func() error {
			has, err := scpAttachedTo(gctx, api, id, faa.ID)
			if err != nil {
				return fmt.Errorf("list SCPs of %s: %w", id, err)
			}
			if has {
				mu.Lock()
				attached = append(attached, id)
				mu.Unlock()
			}
			return nil
		})
	}
	if err := g.Wait(); err != nil {
		return err
	}
	sort.Strings(attached)
	faa.Targets = attached
	return nil
}

// scpTargetsPerPage is the most targets ListTargetsForPolicy returns in a
// page.
const scpTargetsPerPage = 20

// scpAttachedTo reports whether the SCP policyID is attached directly to
// target.
func scpAttachedTo(ctx context.Context, api SCPAPI, target, policyID string) (bool, error) {
	p := organizations.NewListPoliciesForTargetPaginator(api, &organizations.ListPoliciesForTargetInput{
		TargetId: aws.String(target), Filter: types.PolicyTypeServiceControlPolicy,
	})
	for p.HasMorePages() {
		out, err := p.NextPage(ctx)
		if err != nil {
			return false, err
		}
		for _, s := range out.Policies {
			if aws.ToString(s.Id) == policyID {
				return true, nil
			}
		}
	}
	return false, nil
}

// listTargets reads the targets of one policy, a page of 20 at a time.
func (c *ServiceControlPolicies) listTargets(ctx context.Context, api SCPAPI, p *observedSCP) error {
	tp := organizations.NewListTargetsForPolicyPaginator(api, &organizations.ListTargetsForPolicyInput{PolicyId: aws.String(p.ID)})
	for tp.HasMorePages() {
		out, err := tp.NextPage(ctx)
		if err != nil {
			return fmt.Errorf("list targets of SCP %s (%s): %w", p.Name, p.ID, err)
		}
		for _, t := range out.Targets {
			p.Targets = append(p.Targets, aws.ToString(t.TargetId))
		}
	}
	sort.Strings(p.Targets)
	return nil
}

// observe reads the SCP type's state, every SCP, its targets, tags and
// (when it matters) content.
func (c *ServiceControlPolicies) observe(ctx context.Context, cfg aws.Config) (*scpState, error) {
	api := c.newClient(cfg)
	roots, err := api.ListRoots(ctx, &organizations.ListRootsInput{})
	if err != nil {
		return nil, fmt.Errorf("list roots: %w", err)
	}
	if len(roots.Roots) == 0 {
		return nil, fmt.Errorf("list roots: the organization has no root")
	}
	root := roots.Roots[0]
	st := &scpState{RootID: aws.ToString(root.Id)}
	for _, pt := range root.PolicyTypes {
		if string(pt.Type) == scpType {
			st.TypeStatus = string(pt.Status)
		}
	}
	if st.TypeStatus == string(types.PolicyTypeStatusPendingDisable) {
		return nil, fmt.Errorf("AWS is disabling service control policies on root %s (%s), which detaches every SCP; orgbaseline does not race a disable in progress: run again once ListRoots no longer shows the type, and the plan enables it again", st.RootID, st.TypeStatus)
	}

	lp := organizations.NewListPoliciesPaginator(api, &organizations.ListPoliciesInput{Filter: types.PolicyTypeServiceControlPolicy})
	for lp.HasMorePages() {
		out, err := lp.NextPage(ctx)
		if err != nil {
			return nil, fmt.Errorf("list service control policies: %w", err)
		}
		for _, p := range out.Policies {
			st.Policies = append(st.Policies, &observedSCP{
				ID: aws.ToString(p.Id), ARN: aws.ToString(p.Arn), Name: aws.ToString(p.Name),
				Description: aws.ToString(p.Description), AWSManaged: p.AwsManaged,
			})
		}
	}
	sort.Slice(st.Policies, func(i, j int) bool { return st.Policies[i].Name < st.Policies[j].Name })

	g, gctx := errgroup.WithContext(ctx)
	g.SetLimit(scpConcurrency)
	for _, p := range st.Policies {
		g.Go(func() error { return c.observePolicy(gctx, api, st.enabled(), p) })
	}
	if err := g.Wait(); err != nil {
		return nil, err
	}
	return st, nil
}

// observePolicy reads one policy's targets (when SCPs are enabled: a
// disabled type has no attachments), its tags (customer policies only) and
// its content when it is managed or attached.
func (c *ServiceControlPolicies) observePolicy(ctx context.Context, api SCPAPI, enabled bool, p *observedSCP) error {
	switch {
	case !enabled:
	case p.AWSManaged && p.Name == scpFullAWSAccess:
		// Attached almost everywhere: fullAccessTargets works its
		// targets out once the organization is walked.
		p.targetsPending = true
	default:
		if err := c.listTargets(ctx, api, p); err != nil {
			return err
		}
	}
	if !p.AWSManaged {
		tags, err := scpPolicyTags(ctx, api, p.ID)
		if err != nil {
			return fmt.Errorf("list tags of SCP %s (%s): %w", p.Name, p.ID, err)
		}
		p.Managed = scpManaged(tags)
	}
	if p.Managed || len(p.Targets) > 0 || p.Name == scpFullAWSAccess {
		out, err := api.DescribePolicy(ctx, &organizations.DescribePolicyInput{PolicyId: aws.String(p.ID)})
		if err != nil {
			return fmt.Errorf("describe SCP %s (%s): %w", p.Name, p.ID, err)
		}
		if out.Policy != nil {
			p.Content = aws.ToString(out.Policy.Content)
			p.Described = true
			p.parsed, p.parseErr = iampolicy.Parse([]byte(p.Content), iampolicy.KindSCP)
		}
	}
	return nil
}

func scpPolicyTags(ctx context.Context, api SCPAPI, id string) (map[string]string, error) {
	tags := map[string]string{}
	p := organizations.NewListTagsForResourcePaginator(api, &organizations.ListTagsForResourceInput{ResourceId: aws.String(id)})
	for p.HasMorePages() {
		out, err := p.NextPage(ctx)
		if err != nil {
			return nil, err
		}
		for _, t := range out.Tags {
			tags[aws.ToString(t.Key)] = aws.ToString(t.Value)
		}
	}
	return tags, nil
}

// ---- targets ----

// scpTarget is a root, OU or account an SCP can be attached to.
type scpTarget struct {
	ID string
	// Label names it in resources and messages: root, ou:/Path,
	// account:<id>.
	Label string
}

// scpTargetLabel names a target id for people.
func scpTargetLabel(org *Org, id string) string {
	switch {
	case id == org.RootID:
		return "root"
	case org.OUs[id] != nil:
		return "ou:" + org.OUs[id].Path
	case org.Account(id) != nil:
		return "account:" + id
	}
	return id
}

// scpAccountLabel is "name (id)".
func scpAccountLabel(org *Org, id string) string {
	if a := org.Account(id); a != nil {
		return a.Label()
	}
	return id
}

// resolveSCPTargets turns a policy's selectors into targets, or errors naming
// the policy and the selector.
func resolveSCPTargets(org *Org, p *declaredSCP) ([]scpTarget, []error) {
	var out []scpTarget
	var errs []error
	seen := map[string]bool{}
	add := func(id string) {
		if !seen[id] {
			seen[id] = true
			out = append(out, scpTarget{ID: id, Label: scpTargetLabel(org, id)})
		}
	}
	for _, s := range p.targets {
		switch s.Kind {
		case baseline.SelectRoot:
			add(org.RootID)
		case baseline.SelectOUPath:
			found := ""
			for id, ou := range org.OUs {
				if ou.Path == s.Value {
					found = id
				}
			}
			if found == "" {
				errs = append(errs, fmt.Errorf("%sSCP %q: target %q: no OU at path %s in organization %s%s; check the path (OU names are case-sensitive)", writtenAt(s), p.name, s.Raw, s.Value, org.ID, baseline.DidYouMean(s.Value, org.OUPaths())))
				continue
			}
			add(found)
		case baseline.SelectOUID:
			if org.OUs[s.Value] == nil {
				errs = append(errs, fmt.Errorf("%sSCP %q: target %q: no OU with id %s in organization %s", writtenAt(s), p.name, s.Raw, s.Value, org.ID))
				continue
			}
			add(s.Value)
		case baseline.SelectAccountID, baseline.SelectAccountName:
			a, err := org.ResolveAccount(s.Value)
			if err != nil {
				errs = append(errs, fmt.Errorf("%sSCP %q: target %q: %w", writtenAt(s), p.name, s.Raw, err))
				continue
			}
			add(a.ID)
		default:
			errs = append(errs, fmt.Errorf("%sSCP %q: target %q: an SCP is attached to the root, an OU or an account; use root, ou:/Path, ou:<id> or account:<id or name>", writtenAt(s), p.name, s.Raw))
		}
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Label < out[j].Label })
	return out, errs
}

// writtenAt is "file:line:col: " where a target was written, "" when unknown.
func writtenAt(s baseline.Selector) string {
	if p := s.Pos.String(); p != "" {
		return p + ": "
	}
	return ""
}

// scpAllTargets are every root, OU and account of the organization: where
// AWS attaches FullAWSAccess when the SCP type is enabled.
func scpAllTargets(org *Org) []string {
	ids := []string{org.RootID}
	for id := range org.OUs {
		ids = append(ids, id)
	}
	for _, a := range org.Accounts {
		ids = append(ids, a.ID)
	}
	sort.Strings(ids)
	return ids
}

// ---- diff ----

// Change payloads. A change's Before (for a delete) or After (otherwise)
// holds one of these; Apply tells them apart by their keys.
type (
	scpTypeChange struct {
		RootID     string `json:"rootId"`
		PolicyType string `json:"policyType"`
	}
	scpPolicyChange struct {
		ID          string            `json:"id,omitempty"`
		Name        string            `json:"name"`
		Description string            `json:"description"`
		Content     string            `json:"content"`
		Tags        map[string]string `json:"tags,omitempty"`
	}
	scpAttachChange struct {
		Policy   string `json:"policy"`
		PolicyID string `json:"policyId,omitempty"` // "" when the policy is created by the same plan
		Target   string `json:"target"`
		TargetID string `json:"targetId"`
	}
)

// scpAttachments maps a target id to the names of the SCPs attached to it.
type scpAttachments map[string]map[string]bool

func (a scpAttachments) add(target, policy string) {
	if a[target] == nil {
		a[target] = map[string]bool{}
	}
	a[target][policy] = true
}

func (a scpAttachments) names(target string) []string {
	var out []string
	for n := range a[target] {
		out = append(out, n)
	}
	sort.Strings(out)
	return out
}

func (a scpAttachments) clone() scpAttachments {
	out := scpAttachments{}
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
func (c *ServiceControlPolicies) Diff(t Target, observed any) ([]baseline.Change, error) {
	st, ok := observed.(*scpState)
	if !ok || st == nil {
		return nil, fmt.Errorf("no observation of the organization's SCPs")
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
	if st.enabled() || p.willEnable {
		if err := c.guard(p.org, st, p.final); err != nil {
			return nil, err
		}
	}
	return p.changes, nil
}

// scpPlanner is one Diff: what was observed and declared, the attachments
// before (current) and after (final) the plan, and the changes planned so
// far. Each phase of Diff is one method, called in Diff's order.
type scpPlanner struct {
	c         *ServiceControlPolicies
	st        *scpState
	org       *Org
	mgmt      string
	byName    map[string]*observedSCP // every SCP, by name
	declared  map[string]*declaredSCP // the baseline's, by name
	targetsOf map[string][]scpTarget  // where the baseline attaches each
	faaID     string                  // FullAWSAccess's id
	// willEnable: the plan enables the SCP type (or waits for AWS to
	// finish enabling it).
	willEnable bool
	// current are the attachments now, or right after enabling the SCP
	// type; final are those after the plan.
	current, final scpAttachments
	changes        []baseline.Change
}

// newPlanner reads the declared policies against the observation: every
// declared name that belongs to a policy orgbaseline does not manage and
// every target that does not resolve is an error, all reported at once.
func (c *ServiceControlPolicies) newPlanner(t Target, st *scpState) (*scpPlanner, error) {
	p := &scpPlanner{
		c: c, st: st, org: t.Org, mgmt: t.AccountID,
		byName: map[string]*observedSCP{}, declared: map[string]*declaredSCP{}, targetsOf: map[string][]scpTarget{},
		faaID: scpFullAWSAccessID, current: scpAttachments{},
	}
	if p.org.ManagementAccountID != "" {
		p.mgmt = p.org.ManagementAccountID
	}
	for _, o := range st.Policies {
		p.byName[o.Name] = o
	}
	if o := p.byName[scpFullAWSAccess]; o != nil && o.AWSManaged {
		p.faaID = o.ID
	}
	var errs []error
	for i := range c.policies {
		d := &c.policies[i]
		p.declared[d.name] = d
		if o := p.byName[d.name]; o != nil && !o.Managed {
			errs = append(errs, fmt.Errorf("SCP %q: a policy with this name (%s) already exists and orgbaseline does not manage it (no tag %s=%s); rename the baseline's policy, or tag the existing one %s=%s to let orgbaseline manage it",
				d.name, o.ID, SCPManagedTagKey, SCPManagedTagValue, SCPManagedTagKey, SCPManagedTagValue))
		}
		ts, terrs := resolveSCPTargets(p.org, d)
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
	case p.willEnable:
		for _, id := range scpAllTargets(p.org) {
			p.current.add(id, scpFullAWSAccess)
		}
	}
	p.final = p.current.clone()
	return p, nil
}

// add plans one change.
func (p *scpPlanner) add(resource string, action baseline.Action, before, after any, reason string) {
	ch := baseline.Change{Control: p.c.Name(), Account: p.mgmt, Resource: resource, Action: action, Reason: reason}
	if before != nil {
		ch.Before = baseline.ToMap(before)
	}
	if after != nil {
		ch.After = baseline.ToMap(after)
	}
	p.changes = append(p.changes, ch)
}

func scpResource(name string) string              { return "scp/" + name }
func scpAttachResource(name, label string) string { return "scp/" + name + "/target/" + label }

// enableType plans enabling the SCP type. When AWS is already enabling it
// (PENDING_ENABLE), the change only waits for it: apply reads the root's
// state first and calls EnablePolicyType only when the type is not
// enabled at all.
func (p *scpPlanner) enableType() {
	if !p.willEnable {
		return
	}
	reason := "service control policies are not enabled in the organization; enabling them attaches FullAWSAccess to the root and to every OU and account"
	if p.st.TypeStatus == string(types.PolicyTypeStatusPendingEnable) {
		reason = "AWS is still enabling service control policies in the organization (PENDING_ENABLE); apply waits until they are ENABLED, when AWS attaches FullAWSAccess to the root and to every OU and account"
	}
	p.add("root/"+p.st.RootID+"/policy-type/"+scpType, baseline.ActionCreate, nil,
		scpTypeChange{RootID: p.st.RootID, PolicyType: scpType}, reason)
}

// createOrUpdate plans a create for every declared policy that does not
// exist and an update for every one whose document (normalised) or
// description differs.
func (p *scpPlanner) createOrUpdate() {
	for i := range p.c.policies {
		d := &p.c.policies[i]
		want := scpPolicyChange{Name: d.name, Description: d.description, Content: d.content}
		o := p.byName[d.name]
		if o == nil {
			want.Tags = map[string]string{SCPManagedTagKey: SCPManagedTagValue}
			p.add(scpResource(d.name), baseline.ActionCreate, nil, want, "the SCP does not exist")
			continue
		}
		var why []string
		if norm, err := iampolicy.Normalize([]byte(o.Content)); err != nil || !bytes.Equal(norm, d.normalized) {
			why = append(why, "its document")
		}
		if o.Description != d.description {
			why = append(why, "its description")
		}
		if len(why) > 0 {
			want.ID = o.ID
			p.add(scpResource(d.name), baseline.ActionUpdate,
				scpPolicyChange{ID: o.ID, Name: o.Name, Description: o.Description, Content: o.Content}, want,
				"the SCP differs from the baseline in "+strings.Join(why, " and "))
		}
	}
}

// attach plans every declared attachment that is missing, counting every
// SCP on the target, managed or not, against the limit: attachments come
// before any detach, so the count peaks here.
func (p *scpPlanner) attach() error {
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
				errs = append(errs, fmt.Errorf("SCP %q cannot be attached to %s: %s would have %d SCPs (%s), over maxPoliciesPerTarget %d; the count includes the policies orgbaseline does not manage: detach one there, or raise maxPoliciesPerTarget if your organization's quota is higher",
					d.name, tg.Label, tg.Label, n, strings.Join(p.final.names(tg.ID), ", "), p.c.maxPerTarget))
			}
			p.add(scpAttachResource(d.name, tg.Label), baseline.ActionCreate, nil,
				scpAttachChange{Policy: d.name, PolicyID: id, Target: tg.Label, TargetID: tg.ID},
				fmt.Sprintf("SCP %s is not attached to %s", d.name, tg.Label))
		}
	}
	return errors.Join(errs...)
}

// replaceFullAWSAccess plans the allow-lists: FullAWSAccess is detached
// from a target once the policy that replaces it there is attached.
func (p *scpPlanner) replaceFullAWSAccess() {
	detached := map[string]bool{}
	for i := range p.c.policies {
		d := &p.c.policies[i]
		if !d.replaceFullAWSAccess {
			continue
		}
		for _, tg := range p.targetsOf[d.name] {
			if !p.final[tg.ID][scpFullAWSAccess] || detached[tg.ID] {
				continue
			}
			detached[tg.ID] = true
			delete(p.final[tg.ID], scpFullAWSAccess)
			p.add(scpAttachResource(scpFullAWSAccess, tg.Label), baseline.ActionDelete,
				scpAttachChange{Policy: scpFullAWSAccess, PolicyID: p.faaID, Target: tg.Label, TargetID: tg.ID}, nil,
				fmt.Sprintf("SCP %s replaces FullAWSAccess on %s (replaceFullAWSAccess)", d.name, tg.Label))
		}
	}
}

// detachUndeclared plans detaching the managed policies from the targets
// the baseline no longer names, then deleting the managed policies no
// longer in the baseline (after all their detachments).
func (p *scpPlanner) detachUndeclared() {
	var removed []*observedSCP
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
		var targets []scpTarget
		for _, id := range o.Targets {
			if !want[id] {
				targets = append(targets, scpTarget{ID: id, Label: scpTargetLabel(p.org, id)})
			}
		}
		sort.Slice(targets, func(i, j int) bool { return targets[i].Label < targets[j].Label })
		for _, tg := range targets {
			delete(p.final[tg.ID], o.Name)
			reason := fmt.Sprintf("the baseline no longer attaches SCP %s to %s", o.Name, tg.Label)
			if p.declared[o.Name] == nil {
				reason = fmt.Sprintf("SCP %s is no longer in the baseline", o.Name)
			}
			p.add(scpAttachResource(o.Name, tg.Label), baseline.ActionDelete,
				scpAttachChange{Policy: o.Name, PolicyID: o.ID, Target: tg.Label, TargetID: tg.ID}, nil, reason)
		}
	}
	for _, o := range removed {
		p.add(scpResource(o.Name), baseline.ActionDelete,
			scpPolicyChange{ID: o.ID, Name: o.Name, Description: o.Description, Content: o.Content}, nil,
			fmt.Sprintf("SCP %s is managed by orgbaseline and no longer in the baseline", o.Name))
	}
}

// keepOneSCP fails the plan when it would leave a root, OU or account
// that has an SCP now with none: AWS requires at least one on each.
func (p *scpPlanner) keepOneSCP() error {
	var errs []error
	for _, id := range slices.Sorted(maps.Keys(p.current)) {
		if err := scpKeepsOne(p.org, p.current, p.final, id); err != nil {
			errs = append(errs, err)
		}
	}
	return errors.Join(errs...)
}

// warnDenyAll warns about every declared statement that denies every
// action on every resource without a condition: it locks everyone out of
// the accounts under its targets.
func (c *ServiceControlPolicies) warnDenyAll(t Target, targetsOf map[string][]scpTarget) {
	if t.Warn == nil {
		return
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
			t.Warn(fmt.Sprintf("SCP %q %s denies every action on every resource with no condition, at %s: nobody in the accounts there can do anything, orgbaseline's execution role included",
				p.name, scpStatementName(s), strings.Join(labels, ", ")))
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

// ---- the lockout guard ----

// scpGlobalServices are the services whose calls carry aws:RequestedRegion
// of the partition's global-service region (us-east-1, cn-northwest-1,
// us-gov-west-1) whatever the caller's region (their endpoint is there);
// other actions are checked in every governed region.
var scpGlobalServices = map[string]bool{"iam": true, "organizations": true}

// scpGlobalRegion is where the run's partition serves its global services.
func scpGlobalRegion(org *Org) string {
	if r := awsapi.GlobalRegion(org.PartitionName()); r != "" {
		return r
	}
	return "us-east-1"
}

// guard evaluates, for every targeted member account, the SCPs in force
// after the plan (final) at each level from the root down to the account,
// against every guarded action called by the execution role. Every level
// must allow and none deny. All denials are reported at once, one line per
// policy, statement and action (or per level and action for an implicit
// deny), with a few of the accounts.
//
// At plan time the declared policies are evaluated with the baseline's
// documents (what the plan will write); guardAfter does the same at apply
// time with the documents in force.
func (c *ServiceControlPolicies) guard(org *Org, st *scpState, final scpAttachments) error {
	declared := map[string]*iampolicy.Policy{}
	for i := range c.policies {
		declared[c.policies[i].name] = c.policies[i].parsed
	}
	return c.lockoutGuard(org, st, final, declared, "this plan")
}

// lockoutGuard is the guard over the attachments final, each policy
// evaluated with its document in over when it is there, else with the
// one observed in st. A policy in force whose document cannot be
// evaluated (not read, or not valid) fails it. after names the state
// checked in the error ("this plan").
func (c *ServiceControlPolicies) lockoutGuard(org *Org, st *scpState, final scpAttachments, over map[string]*iampolicy.Policy, after string) error {
	inForce := map[string]bool{}
	for _, ps := range final {
		for n := range ps {
			inForce[n] = true
		}
	}
	parsed := map[string]*iampolicy.Policy{}
	var errs []error
	for _, o := range st.Policies {
		switch {
		case over[o.Name] != nil:
		case o.parsed != nil:
			parsed[o.Name] = o.parsed
		case !inForce[o.Name]:
		case o.parseErr != nil:
			errs = append(errs, fmt.Errorf("SCP %q (%s) cannot be evaluated by the lockout guard: %s", o.Name, o.ID, scpPolicyProblems(o.parseErr)))
		case o.Name != scpFullAWSAccess:
			errs = append(errs, fmt.Errorf("SCP %q (%s) cannot be evaluated by the lockout guard: its document was not read", o.Name, o.ID))
		}
	}
	if parsed[scpFullAWSAccess] == nil {
		parsed[scpFullAWSAccess] = iampolicy.MustParse(scpFullAWSAccessContent, iampolicy.KindSCP)
	}
	maps.Copy(parsed, over)
	if len(errs) > 0 {
		return errors.Join(errs...)
	}
	nameOf := map[*iampolicy.Policy]string{}
	for n, p := range parsed {
		nameOf[p] = n
	}
	levelPolicies := map[string][]*iampolicy.Policy{}
	policiesAt := func(level string) []*iampolicy.Policy {
		if ps, ok := levelPolicies[level]; ok {
			return ps
		}
		var ps []*iampolicy.Policy
		for _, n := range final.names(level) {
			if p := parsed[n]; p != nil {
				ps = append(ps, p)
			}
		}
		levelPolicies[level] = ps
		return ps
	}
	governed := org.Regions
	if len(governed) == 0 {
		governed = []string{org.HomeRegion}
	}

	// One denial per policy, statement and action (explicit), or per
	// level and action (implicit), with the accounts and regions hit.
	type denial struct {
		msg, hint string
		accounts  []string
		regions   map[string]bool
		evaluated int
		seen      map[string]bool
	}
	denials := map[string]*denial{}
	var order []string
	record := func(key, msg, hint, account, region string, evaluated int) {
		d := denials[key]
		if d == nil {
			d = &denial{msg: msg, hint: hint, regions: map[string]bool{}, seen: map[string]bool{}, evaluated: evaluated}
			denials[key] = d
			order = append(order, key)
		}
		d.regions[region] = true
		if !d.seen[account] {
			d.seen[account] = true
			d.accounts = append(d.accounts, account)
		}
	}
	role := org.ExecutionRole
	exempt := fmt.Sprintf("Exempt the role, e.g. with a Condition ArnNotLike aws:PrincipalArn %s", org.ARN("iam", "", "*", "role/"+role))
	global := scpGlobalRegion(org)
	for _, a := range org.Targets {
		if a.Management {
			continue // SCPs never restrict the management account
		}
		roleARN := org.ARN("iam", "", a.ID, "role/"+role)
		principal := iampolicy.Principal{ARN: org.ARN("sts", "", a.ID, "assumed-role/"+role+"/orgbaseline"), Account: a.ID, RoleARN: roleARN}
		levels := append(append([]string(nil), a.Ancestors...), a.ID)
		for _, action := range c.guarded {
			regions := governed
			if svc, _, _ := strings.Cut(action, ":"); scpGlobalServices[strings.ToLower(svc)] {
				regions = []string{global}
			}
			for _, region := range regions {
				req := &iampolicy.Request{Action: action, Resource: "*", Principal: principal, Context: map[string][]string{
					"aws:principalarn":     {roleARN},
					"aws:principalaccount": {a.ID},
					"aws:principalorgid":   {org.ID},
					"aws:principaltype":    {"AssumedRole"},
					"aws:requestedregion":  {region},
				}}
			levels:
				for _, level := range levels {
					r := iampolicy.EvaluateSet(policiesAt(level), req)
					switch r.Decision {
					case iampolicy.ExplicitDeny:
						name := nameOf[r.Policy]
						owner := ""
						if c.declared(name) == nil {
							owner = " (not managed by orgbaseline)"
						}
						record("deny|"+name+"|"+r.Statement.Name()+"|"+action,
							fmt.Sprintf("SCP %q%s %s would deny %s to the execution role", name, owner, scpStatementName(r.Statement), action),
							exempt, scpAccountLabel(org, a.ID)+" at "+scpTargetLabel(org, level), region, len(regions))
						break levels
					case iampolicy.ImplicitDeny:
						record("implicit|"+level+"|"+action,
							fmt.Sprintf("no SCP attached at %s (%s) would allow %s to the execution role (every level from the root to the account must allow it)",
								scpTargetLabel(org, level), strings.Join(final.names(level), ", "), action),
							"Add an Allow for the action to a policy attached there, or keep FullAWSAccess attached",
							scpAccountLabel(org, a.ID), region, len(regions))
						break levels
					}
				}
			}
		}
	}
	if len(order) == 0 {
		return nil
	}
	for _, key := range order {
		d := denials[key]
		const show = 3
		accts := d.accounts
		more := ""
		if len(accts) > show {
			more = fmt.Sprintf(" and %d more", len(accts)-show)
			accts = accts[:show]
		}
		where, which := "in account ", "that account"
		if len(d.accounts) > 1 {
			where, which = "in accounts ", "those accounts"
		}
		inRegions := ""
		if len(d.regions) < d.evaluated {
			inRegions = " in " + strings.Join(slices.Sorted(maps.Keys(d.regions)), ", ")
		}
		errs = append(errs, fmt.Errorf("%s%s %s%s%s; orgbaseline could no longer manage %s. %s",
			d.msg, inRegions, where, strings.Join(accts, ", "), more, which, d.hint))
	}
	return fmt.Errorf("lockout guard: the SCPs in force after %s would deny calls orgbaseline makes as the execution role %s:\n%w", after, role, errors.Join(errs...))
}

func (c *ServiceControlPolicies) declared(name string) *declaredSCP {
	for i := range c.policies {
		if c.policies[i].name == name {
			return &c.policies[i]
		}
	}
	return nil
}

// ---- apply ----

// Apply makes one SDK call per change, in the management account. It is
// idempotent: an attachment already there, a detachment already done and
// a type already enabled are success. Existing policies are addressed by
// the id read at plan time; a policy created by the same plan is found by
// name (and its managed tag). Before each write it checks the control's
// invariants again (scpinvariants.go), and refuses the change when one
// does not hold.
func (c *ServiceControlPolicies) Apply(ctx context.Context, t Target, ch baseline.Change) error {
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
		var x scpTypeChange
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
		var x scpAttachChange
		if err := decode(&x); err != nil {
			return err
		}
		if ch.Action != baseline.ActionCreate && ch.Action != baseline.ActionDelete {
			return fmt.Errorf("%s: refused: an attachment is made (create) or removed (delete), not %s", scpClip(ch.Resource), scpClip(string(ch.Action)))
		}
		return c.applyAttachment(ctx, t, api, ch.Action, x)
	default:
		var x scpPolicyChange
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
func (c *ServiceControlPolicies) enableType(ctx context.Context, t Target, api SCPAPI, x scpTypeChange) error {
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
func scpTypeStatus(ctx context.Context, api SCPAPI, rootID, policyType string) (string, error) {
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

func (c *ServiceControlPolicies) applyAttachment(ctx context.Context, t Target, api SCPAPI, action baseline.Action, x scpAttachChange) error {
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
		doing := fmt.Sprintf("detach SCP %s (%s) from %s", scpClip(x.Policy), scpClip(id), scpTargetLabel(t.Org, scpClip(x.TargetID)))
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
	doing := fmt.Sprintf("attach SCP %s (%s) to %s", scpClip(x.Policy), scpClip(id), scpTargetLabel(t.Org, scpClip(x.TargetID)))
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
		return fmt.Errorf("%s: %w", doing, err)
	}
	live.attached(o, x.TargetID)
	return nil
}

func (c *ServiceControlPolicies) applyPolicy(ctx context.Context, t Target, api SCPAPI, action baseline.Action, x scpPolicyChange) error {
	switch action {
	case baseline.ActionCreate:
		if err := c.declaredWrite(x, true); err != nil {
			return fmt.Errorf("create SCP %s: refused: %w", scpClip(x.Name), err)
		}
		var tags []types.Tag
		for _, k := range slices.Sorted(maps.Keys(x.Tags)) {
			tags = append(tags, types.Tag{Key: aws.String(k), Value: aws.String(x.Tags[k])})
		}
		out, err := api.CreatePolicy(ctx, &organizations.CreatePolicyInput{
			Name: aws.String(x.Name), Description: aws.String(x.Description), Content: aws.String(x.Content),
			Type: types.PolicyTypeServiceControlPolicy, Tags: tags,
		})
		var dup *types.DuplicatePolicyException
		if errors.As(err, &dup) {
			// Created by an earlier, interrupted apply: bring it to the
			// baseline if it is ours.
			id, ferr := c.managedPolicyID(ctx, api, x.Name)
			if ferr != nil {
				return fmt.Errorf("create SCP %s: %w", x.Name, ferr)
			}
			x.ID = id
			return c.applyPolicy(ctx, t, api, baseline.ActionUpdate, x)
		}
		if err != nil {
			c.forgetLive()
			return fmt.Errorf("create SCP %s: %w", x.Name, err)
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
		doing := fmt.Sprintf("update SCP %s (%s)", scpClip(x.Name), scpClip(x.ID))
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
			return fmt.Errorf("%s: %w", doing, err)
		}
		live.written(o, x)
		return nil
	case baseline.ActionDelete:
		doing := fmt.Sprintf("delete SCP %s (%s)", scpClip(x.Name), scpClip(x.ID))
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
	return fmt.Errorf("SCP %s: unknown action %s", scpClip(x.Name), scpClip(string(action)))
}

// managedPolicyID finds the id of the managed SCP named name: one this run
// created, else by listing the SCPs. A policy of that name without the
// managed tag is refused.
func (c *ServiceControlPolicies) managedPolicyID(ctx context.Context, api SCPAPI, name string) (string, error) {
	c.mu.Lock()
	id := c.created[name]
	c.mu.Unlock()
	if id != "" {
		return id, nil
	}
	lp := organizations.NewListPoliciesPaginator(api, &organizations.ListPoliciesInput{Filter: types.PolicyTypeServiceControlPolicy})
	for lp.HasMorePages() {
		out, err := lp.NextPage(ctx)
		if err != nil {
			return "", fmt.Errorf("find SCP %s: list service control policies: %w", name, err)
		}
		for _, p := range out.Policies {
			if aws.ToString(p.Name) != name {
				continue
			}
			id := aws.ToString(p.Id)
			tags, err := scpPolicyTags(ctx, api, id)
			if err != nil {
				return "", fmt.Errorf("find SCP %s: list tags of %s: %w", name, id, err)
			}
			if tags[SCPManagedTagKey] != SCPManagedTagValue {
				return "", fmt.Errorf("SCP %s (%s) is not managed by orgbaseline (no tag %s=%s); it is left alone", name, id, SCPManagedTagKey, SCPManagedTagValue)
			}
			c.mu.Lock()
			c.created[name] = id
			c.mu.Unlock()
			return id, nil
		}
	}
	return "", fmt.Errorf("SCP %s does not exist; run plan again", name)
}

// ---- findings ----

// Findings reports, per declared SCP, whether its document is as declared
// (serviceControlPolicies.content) and whether it is attached to every
// declared target (serviceControlPolicies.attached), in the management
// account; and per targeted account covered by a declared SCP, whether
// every such SCP is in force on it (serviceControlPolicies.inForce),
// attached at some level from the root to the account.
func (c *ServiceControlPolicies) Findings(t Target, observed any) []baseline.Finding {
	st, _ := observed.(*scpState)
	if st == nil {
		return nil
	}
	org := t.Org
	mgmt := t.AccountID
	if org.ManagementAccountID != "" {
		mgmt = org.ManagementAccountID
	}
	byName := map[string]*observedSCP{}
	for _, p := range st.Policies {
		byName[p.Name] = p
	}
	mk := func(check, account, name, resource, title string, status baseline.Status, sev baseline.Severity, msg, fix string) baseline.Finding {
		f := baseline.Finding{
			Check: check, Source: "control:" + c.Name(), Account: account, AccountName: name, Resource: resource,
			Status: status, Severity: sev, Title: title, Message: msg, Compliance: baseline.References(check),
		}
		if status != baseline.StatusPass {
			f.Remediation = fix
		}
		return f
	}
	var mgmtName string
	if a := org.Account(mgmt); a != nil {
		mgmtName = a.Name
	}
	const fix = "run `orgbaseline apply` to bring the organization's SCPs to the baseline"
	pass := func(ok bool) baseline.Status {
		if ok {
			return baseline.StatusPass
		}
		return baseline.StatusFail
	}
	// ok[name] reports the policy exists, is managed and is as declared.
	ok := map[string]bool{}
	var out []baseline.Finding
	covering := map[string][]string{} // account id -> declared policies whose targets cover it
	for i := range c.policies {
		p := &c.policies[i]
		o := byName[p.name]
		resource := "scp/" + p.name
		if o != nil {
			resource = o.ARN
		}
		var msg string
		switch {
		case o == nil:
			msg = fmt.Sprintf("SCP %s does not exist", p.name)
		case !o.Managed:
			msg = fmt.Sprintf("an SCP named %s exists (%s) but orgbaseline does not manage it (no tag %s=%s)", p.name, o.ID, SCPManagedTagKey, SCPManagedTagValue)
		default:
			norm, err := iampolicy.Normalize([]byte(o.Content))
			switch {
			case err != nil || !bytes.Equal(norm, p.normalized):
				msg = fmt.Sprintf("SCP %s's document differs from the baseline's", p.name)
			case o.Description != p.description:
				msg = fmt.Sprintf("SCP %s's description is %q; the baseline says %q", p.name, o.Description, p.description)
			default:
				ok[p.name] = true
				msg = fmt.Sprintf("SCP %s is as the baseline declares", p.name)
			}
		}
		out = append(out, mk("serviceControlPolicies.content", mgmt, mgmtName, resource, "SCP document is as declared",
			pass(ok[p.name]), baseline.SeverityMedium, msg, fix))

		targets, errs := resolveSCPTargets(org, p)
		if len(errs) > 0 {
			out = append(out, mk("serviceControlPolicies.attached", mgmt, mgmtName, resource, "SCP is attached where declared",
				baseline.StatusError, baseline.SeverityHigh, errors.Join(errs...).Error(), "fix the policy's targets in the baseline"))
			continue
		}
		attached := map[string]bool{}
		if o != nil {
			for _, id := range o.Targets {
				attached[id] = true
			}
		}
		var missing, labels []string
		for _, tg := range targets {
			labels = append(labels, tg.Label)
			if !attached[tg.ID] {
				missing = append(missing, tg.Label)
			}
		}
		msg = fmt.Sprintf("SCP %s is attached to %s", p.name, strings.Join(labels, ", "))
		switch {
		case st.TypeStatus == string(types.PolicyTypeStatusPendingEnable):
			// Not attached while AWS is still enabling SCPs: nothing is
			// in force yet, whatever the listings say.
			msg = "AWS is still enabling service control policies in the organization (PENDING_ENABLE): no SCP is in force yet"
			missing = labels
		case !st.enabled():
			msg = "service control policies are not enabled in the organization"
			missing = labels
		case len(missing) > 0:
			msg = fmt.Sprintf("SCP %s is not attached to %s", p.name, strings.Join(missing, ", "))
		}
		f := mk("serviceControlPolicies.attached", mgmt, mgmtName, resource, "SCP is attached where declared",
			pass(len(missing) == 0), baseline.SeverityHigh, msg, fix)
		f.Evidence = map[string]any{"declaredTargets": labels, "missingTargets": missing}
		out = append(out, f)

		cover := map[string]bool{}
		for _, tg := range targets {
			cover[tg.ID] = true
		}
		for _, a := range org.Targets {
			if a.Management {
				continue
			}
			for _, lvl := range append(append([]string(nil), a.Ancestors...), a.ID) {
				if cover[lvl] {
					covering[a.ID] = append(covering[a.ID], p.name)
					break
				}
			}
		}
	}
	for _, a := range org.Targets {
		names := covering[a.ID]
		if len(names) == 0 {
			continue
		}
		levels := map[string]bool{}
		for _, lvl := range append(append([]string(nil), a.Ancestors...), a.ID) {
			levels[lvl] = true
		}
		var inForce, missing []string
		for _, n := range names {
			o := byName[n]
			attached := false
			if o != nil && st.enabled() {
				for _, id := range o.Targets {
					attached = attached || levels[id]
				}
			}
			if attached && ok[n] {
				inForce = append(inForce, n)
			} else {
				missing = append(missing, n)
			}
		}
		msg := "the baseline's SCPs are in force: " + strings.Join(inForce, ", ")
		if len(missing) > 0 {
			msg = "the baseline's SCPs not in force (missing, not attached above the account, or changed): " + strings.Join(missing, ", ")
		}
		f := mk("serviceControlPolicies.inForce", a.ID, a.Name, org.ARN("organizations", "", mgmt, "account/"+org.ID+"/"+a.ID),
			"The baseline's SCP guardrails are in force on the account", pass(len(missing) == 0), baseline.SeverityHigh, msg, fix)
		f.Evidence = map[string]any{"inForce": inForce, "missing": missing}
		out = append(out, f)
	}
	return out
}
