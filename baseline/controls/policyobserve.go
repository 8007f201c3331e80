package controls

import (
	"context"
	"fmt"
	"sort"
	"sync"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	awsmiddleware "github.com/aws/aws-sdk-go-v2/aws/middleware"
	"github.com/aws/aws-sdk-go-v2/service/organizations"
	"github.com/aws/aws-sdk-go-v2/service/organizations/types"
	"golang.org/x/sync/errgroup"

	"github.com/orgbaseline/orgbaseline/internal/iampolicy"
)

// scpState is what Observe reads: the SCP type's status on the root and
// every SCP of the organization with its attachments.
type policyState struct {
	// kind is the policy type read.
	kind   *policyKind
	RootID string
	// TypeStatus is the SCP type's status on the root: ENABLED,
	// PENDING_ENABLE, PENDING_DISABLE, or "" when it is not enabled.
	TypeStatus string
	// Policies are every SCP, sorted by name.
	Policies []*observedPolicy
	// Effective are the targeted accounts' effective policies, for the
	// management policy types (policyeffective.go); nil when not read.
	Effective map[string]*effectiveRead
	// At is when AWS answered ListRoots, by AWS's clock (its Date
	// header): the time the lockout guard evaluates aws:CurrentTime at.
	At time.Time
}

func (s *policyState) enabled() bool { return s.TypeStatus == string(types.PolicyTypeStatusEnabled) }

// observedSCP is one SCP as read.
type observedPolicy struct {
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
func (c *OrganizationPolicies) Observe(ctx context.Context, t Target) (any, error) {
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
		if err := c.readEffective(ctx, c.newClient(t.Config), p.st, t.Org); err != nil {
			return nil, err
		}
		c.readRoles(ctx, t, p.st)
		return p.st, nil
	}
	st, err := c.observe(ctx, t.Config)
	if err != nil {
		return nil, err
	}
	if err := c.fullAccessTargets(ctx, c.newClient(t.Config), st, t.Org); err != nil {
		return nil, err
	}
	if err := c.readEffective(ctx, c.newClient(t.Config), st, t.Org); err != nil {
		return nil, err
	}
	c.readRoles(ctx, t, st)
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
func (c *OrganizationPolicies) fullAccessTargets(ctx context.Context, api PolicyAPI, st *policyState, org *Org) error {
	var faa *observedPolicy
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
			has, err := scpAttachedTo(gctx, api, c.kind.Type, id, faa.ID)
			if err != nil {
				return fmt.Errorf("list %s of %s: %w", c.kind.Plural, id, err)
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
func scpAttachedTo(ctx context.Context, api PolicyAPI, typ, target, policyID string) (bool, error) {
	p := organizations.NewListPoliciesForTargetPaginator(api, &organizations.ListPoliciesForTargetInput{
		TargetId: aws.String(target), Filter: types.PolicyType(typ),
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
func (c *OrganizationPolicies) listTargets(ctx context.Context, api PolicyAPI, p *observedPolicy) error {
	tp := organizations.NewListTargetsForPolicyPaginator(api, &organizations.ListTargetsForPolicyInput{PolicyId: aws.String(p.ID)})
	for tp.HasMorePages() {
		out, err := tp.NextPage(ctx)
		if err != nil {
			return fmt.Errorf("list targets of %s %s (%s): %w", c.kind.Short, p.Name, p.ID, err)
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
func (c *OrganizationPolicies) observe(ctx context.Context, cfg aws.Config) (*policyState, error) {
	api := c.newClient(cfg)
	roots, err := api.ListRoots(ctx, &organizations.ListRootsInput{})
	if err != nil {
		return nil, fmt.Errorf("list roots: %w", err)
	}
	if len(roots.Roots) == 0 {
		return nil, fmt.Errorf("list roots: the organization has no root")
	}
	root := roots.Roots[0]
	st := &policyState{kind: c.kind, RootID: aws.ToString(root.Id), At: time.Now()}
	if at, ok := awsmiddleware.GetServerTime(roots.ResultMetadata); ok {
		st.At = at // AWS's clock: the guard's aws:CurrentTime
	}
	for _, pt := range root.PolicyTypes {
		if string(pt.Type) == c.kind.Type {
			st.TypeStatus = string(pt.Status)
		}
	}
	if st.TypeStatus == string(types.PolicyTypeStatusPendingDisable) {
		return nil, fmt.Errorf("AWS is disabling %s on root %s (%s), which detaches every %s; orgbaseline does not race a disable in progress: run again once ListRoots no longer shows the type, and the plan enables it again", c.kind.Plural, st.RootID, st.TypeStatus, c.kind.Short)
	}

	lp := organizations.NewListPoliciesPaginator(api, &organizations.ListPoliciesInput{Filter: types.PolicyType(c.kind.Type)})
	for lp.HasMorePages() {
		out, err := lp.NextPage(ctx)
		if err != nil {
			return nil, fmt.Errorf("list %s: %w", c.kind.Plural, err)
		}
		for _, p := range out.Policies {
			st.Policies = append(st.Policies, &observedPolicy{
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
func (c *OrganizationPolicies) observePolicy(ctx context.Context, api PolicyAPI, enabled bool, p *observedPolicy) error {
	switch {
	case !enabled:
	case p.AWSManaged && p.Name == c.kind.AWSDefault:
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
			return fmt.Errorf("list tags of %s %s (%s): %w", c.kind.Short, p.Name, p.ID, err)
		}
		p.Managed = scpManaged(tags)
	}
	if p.Managed || len(p.Targets) > 0 || p.Name == c.kind.AWSDefault {
		out, err := api.DescribePolicy(ctx, &organizations.DescribePolicyInput{PolicyId: aws.String(p.ID)})
		if err != nil {
			return fmt.Errorf("describe %s %s (%s): %w", c.kind.Short, p.Name, p.ID, err)
		}
		if out.Policy != nil {
			p.Content = aws.ToString(out.Policy.Content)
			p.Described = true
			parse := c.kind.parse
			if p.AWSManaged {
				parse = c.kind.parseAWS
			}
			p.parsed, p.parseErr = parse(p.Content)
		}
	}
	return nil
}

func scpPolicyTags(ctx context.Context, api PolicyAPI, id string) (map[string]string, error) {
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
