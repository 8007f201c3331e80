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
	"github.com/aws/aws-sdk-go-v2/service/organizations/types"

	"github.com/orgbaseline/orgbaseline/baseline"
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
	// calls are the calls orgbaseline makes in member accounts (the call
	// model of the other controls and the plugins); the SCPs in force
	// after a plan must allow them. stated is organization.guardContext,
	// its keys lower-cased.
	calls  func(*Org) []Call
	stated map[string][]string
	// roles are the execution role's id and tags in each guarded account,
	// read when a policy names aws:userid or aws:PrincipalTag
	// (guardroles.go).
	rolesMu   sync.Mutex
	roles     map[string]*guardRole
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
// before any AWS call. calls are what the lockout guard checks.
func newServiceControlPolicies(b *baseline.Baseline, calls func(*Org) []Call) ([]Control, error) {
	cfg := b.Controls.ServiceControlPolicies
	if !cfg.IsEnabled() {
		return nil, nil
	}
	c := &ServiceControlPolicies{
		maxSize:      cfg.PolicySizeLimit(),
		maxPerTarget: cfg.PoliciesPerTargetLimit(),
		calls:        calls,
		stated:       map[string][]string{},
		newClient:    func(cfg aws.Config) SCPAPI { return organizations.NewFromConfig(cfg) },
		created:      map[string]string{},
	}
	for k, v := range b.Organization.GuardContext {
		c.stated[strings.ToLower(k)] = v
	}
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

// Calls are none of its own: SCPs are read and written in the management
// account. (The guard's own iam:GetRole of the execution role, made only
// when a policy needs it, is added where it is made: guardRun.check.)
func (*ServiceControlPolicies) Calls(*Org) []Call { return nil }

// declared is the baseline's policy named name, or nil.
func (c *ServiceControlPolicies) declared(name string) *declaredSCP {
	for i := range c.policies {
		if c.policies[i].name == name {
			return &c.policies[i]
		}
	}
	return nil
}
