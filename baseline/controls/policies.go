package controls

import (
	"context"
	"errors"
	"fmt"
	"os"
	"sort"
	"strings"
	"sync"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/organizations"

	"github.com/orgbaseline/orgbaseline/baseline"
	"github.com/orgbaseline/orgbaseline/internal/iampolicy"
)

// SCPAPI is the part of the Organizations client the SCP control uses, in
// the management account.
type PolicyAPI interface {
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
	effectiveAPI
}

var _ PolicyAPI = (*organizations.Client)(nil)

// The tag orgbaseline puts on the policies it creates, of every type. A
// policy without it is never updated, detached or deleted.
const (
	SCPManagedTagKey   = "orgbaseline:managed"
	SCPManagedTagValue = "true"
)

// LeasePolicyName is the SCP that holds apply's organization-scope lease
// (internal/cli/lease.go): never attached and never tagged managed, so this
// control plans nothing for it; a baseline may not declare a policy of
// that name.
const LeasePolicyName = "orgbaseline-apply-lease"

// scpConcurrency bounds the Organizations calls in flight in Observe.
const scpConcurrency = 4

// OrganizationPolicies is the control of one Organizations policy type
// (controls.serviceControlPolicies, controls.resourceControlPolicies,
// controls.tagPolicies...; policykinds.go): it enables the type on the
// root, creates, updates, attaches, detaches and deletes the policies
// orgbaseline manages, and never touches the others. For SCPs it refuses
// a plan whose SCPs would deny orgbaseline's own calls in a member
// account (the SCP lockout guard, scpguard.go); for RCPs one whose RCPs
// would deny those calls, the tool's AssumeRole or the deliveries of the
// services it configures (rcpguard.go); for the management policy types
// it reads the effective policies (policyeffective.go).
//
// It runs at organization scope, in the management account: policies are
// global and only the management account (or a delegated administrator)
// may change them.
type OrganizationPolicies struct {
	kind *policyKind
	// notes are the policies of extended files a later file's list
	// dropped (baseline.ReplacedPolicies).
	notes        []string
	policies     []declaredPolicy // sorted by name
	maxSize      int
	maxPerTarget int
	// calls are the calls orgbaseline makes in member accounts (the call
	// model of the other controls and the plugins); the SCPs in force
	// after a plan must allow them. stated is organization.guardContext,
	// its keys lower-cased.
	calls  func(*Org) []Call
	stated map[string][]string
	// deliveries are the requests the services the other controls
	// configure make with their service principals (delivery.go); the
	// RCPs in force after a plan must allow them. externalID is
	// organization.externalId, which orgbaseline's AssumeRole sends.
	deliveries func(*Org) []Delivery
	externalID string
	// roles are the execution role's id and tags in each guarded account,
	// read when a policy names aws:userid or aws:PrincipalTag
	// (guardroles.go).
	rolesMu   sync.Mutex
	roles     map[string]*guardRole
	newClient func(aws.Config) PolicyAPI

	// created remembers the ids of the policies this run created, for
	// the attach changes that follow their create in the same plan.
	mu      sync.Mutex
	created map[string]string

	// early is the observation Prefetch started, taken by the first
	// Observe.
	early *policyPrefetch

	// applyMu serialises Apply's writes and their checks; live is what
	// they know of the organization's policies of the type (policyinvariants.go).
	applyMu sync.Mutex
	live    *policyLive
}

// scpPrefetch is an observation started before the organization walk.
type policyPrefetch struct {
	done chan struct{}
	st   *policyState
	err  error
}

// Prefetch starts reading the organization's SCPs with cfg (the
// management account's) in the background; the run's first Observe
// returns what it read. The SCP listings (every policy's targets, 20 per
// page, FullAWSAccess attached to every account) are a chain of
// Organizations calls that does not depend on the organization walk, and
// Organizations throttles the whole organization as one: started beside
// the walk, the chain no longer follows it.
func (c *OrganizationPolicies) Prefetch(ctx context.Context, cfg aws.Config) {
	p := &policyPrefetch{done: make(chan struct{})}
	c.mu.Lock()
	c.early = p
	c.mu.Unlock()
	go func() {
		defer close(p.done)
		p.st, p.err = c.observe(ctx, cfg)
	}()
}

// declaredPolicy is one policy of the baseline, its document read and
// checked.
type declaredPolicy struct {
	name, description, content string
	normalized                 []byte
	parsed                     *iampolicy.Policy
	targets                    []baseline.Selector
	replaceFullAWSAccess       bool
}

// newOrganizationPolicies builds the control of one declared policy type,
// reading and checking every policy document offline: valid JSON, the
// type's grammar, the size limit. Every problem is returned at once, each
// naming the policy (and file), before any AWS call. calls are what the
// lockout guards check.
func newOrganizationPolicies(b *baseline.Baseline, set baseline.PolicySet, calls func(*Org) []Call) (*OrganizationPolicies, error) {
	c := &OrganizationPolicies{
		kind:         kindOf(set.Type),
		maxSize:      set.MaxSize,
		maxPerTarget: set.MaxPerTarget,
		calls:        calls,
		stated:       map[string][]string{},
		externalID:   b.Organization.ExternalID,
		newClient:    func(cfg aws.Config) PolicyAPI { return organizations.NewFromConfig(cfg) },
		created:      map[string]string{},
	}
	for k, v := range b.Organization.GuardContext {
		c.stated[strings.ToLower(k)] = v
	}
	for _, r := range b.Replaced {
		if r.Key == set.Type.Key {
			c.notes = append(c.notes, r.String())
		}
	}
	var errs []error
	for _, p := range set.Policies {
		d, err := c.readDeclared(b, p)
		if err != nil {
			errs = append(errs, err)
			continue
		}
		c.policies = append(c.policies, d)
	}
	if len(errs) > 0 {
		return nil, errors.Join(errs...)
	}
	sort.Slice(c.policies, func(i, j int) bool { return c.policies[i].name < c.policies[j].name })
	return c, nil
}

// readDeclared reads one declared policy's document (inline or from its
// file) and checks its size and grammar.
func (c *OrganizationPolicies) readDeclared(b *baseline.Baseline, p baseline.DeclaredPolicy) (declaredPolicy, error) {
	k := c.kind
	where := fmt.Sprintf("%s %q (controls.%s.policies[%d])", k.Short, p.Name, k.Key, p.Index)
	if k.isSCP() && p.Name == LeasePolicyName {
		return declaredPolicy{}, fmt.Errorf("%s: the name is reserved for the lease apply holds while it changes the organization scope; rename the policy", where)
	}
	content := p.Document
	if p.File != "" {
		path := p.DocumentPath(b.Dir)
		where = fmt.Sprintf("%s %q (controls.%s.policies[%d], file %s)", k.Short, p.Name, k.Key, p.Index, path)
		data, err := os.ReadFile(path)
		if err != nil {
			return declaredPolicy{}, fmt.Errorf("%s: cannot read the policy document: %w; the file path is relative to the baseline file's directory %s", where, err, b.Dir)
		}
		content = string(data)
	}
	content = strings.TrimSpace(content)
	var errs []error
	if n := iampolicy.Size(content); n > c.maxSize {
		errs = append(errs, fmt.Errorf("%s: the document has %d characters, over maxPolicySize %d (whitespace counts); remove whitespace or split the policy in two", where, n, c.maxSize))
	}
	parsed, err := k.parse(content)
	if err != nil {
		return declaredPolicy{}, errors.Join(append(errs, fmt.Errorf("%s: %s", where, scpPolicyProblems(err)))...)
	}
	norm, err := k.normalize(content)
	if err != nil {
		return declaredPolicy{}, errors.Join(append(errs, fmt.Errorf("%s: %s", where, scpPolicyProblems(err)))...)
	}
	if len(errs) > 0 {
		return declaredPolicy{}, errors.Join(errs...)
	}
	return declaredPolicy{
		name: p.Name, description: p.Description, content: content, normalized: norm, parsed: parsed,
		targets: p.Targets, replaceFullAWSAccess: p.ReplaceFullAWSAccess,
	}, nil
}

// scpPolicyProblems words an iampolicy error: "invalid policy document:" and
// every problem with its place in the document.
func scpPolicyProblems(err error) string {
	if msg, ok := mgmtPolicyProblems(err); ok {
		return msg
	}
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

func (c *OrganizationPolicies) Name() string { return c.kind.Key }
func (*OrganizationPolicies) Scope() Scope   { return ScopeOrganization }

// Actions is nil: every call of the control is made in the management
// account, which SCPs never restrict, so it needs nothing in member
// accounts.
func (*OrganizationPolicies) Actions() []string { return nil }

// Calls are none of its own: policies are read and written in the
// management account. (The guard's own iam:GetRole of the execution role, made only
// when a policy needs it, is added where it is made: guardRun.check.)
func (*OrganizationPolicies) Calls(*Org) []Call { return nil }

// Notes say which policies of extended files the baseline's own list
// dropped: lists replace lists when files merge.
func (c *OrganizationPolicies) Notes() []string { return c.notes }

// declared is the baseline's policy named name, or nil.
func (c *OrganizationPolicies) declared(name string) *declaredPolicy {
	for i := range c.policies {
		if c.policies[i].name == name {
			return &c.policies[i]
		}
	}
	return nil
}
