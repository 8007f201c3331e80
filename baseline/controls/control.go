package controls

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"sort"

	"github.com/aws/aws-sdk-go-v2/aws"

	"github.com/orgbaseline/orgbaseline/baseline"
	"github.com/orgbaseline/orgbaseline/internal/awsapi"
	"github.com/orgbaseline/orgbaseline/orgwalk"
)

// Scope is where a control runs.
type Scope int

const (
	// ScopeAccount: once per targeted account, in the home region (global
	// services such as IAM).
	ScopeAccount Scope = iota
	// ScopeRegional: once per targeted account and governed region.
	ScopeRegional
	// ScopeOrganization: once per run, before any account, with the
	// management account's config; the control reaches other accounts
	// (the log archive, the audit account) through Org.Sessions, and each
	// of its changes names the account and region it applies to.
	ScopeOrganization
)

// Sessions hands out a config that acts in an account and region: the
// execution role's session in a member account, the run's own
// credentials in the management account.
type Sessions interface {
	Config(ctx context.Context, account, region string) (aws.Config, error)
}

// Org is what every control knows of the organization and the run.
type Org struct {
	*orgwalk.Org
	// Targets are the accounts this run targets.
	Targets []*orgwalk.Account
	// Guarded are the accounts the baseline's targets select, before
	// --target narrows them: the SCP lockout guard checks them all (nil:
	// Targets).
	Guarded []*orgwalk.Account
	// RunID names the run's sessions (orgbaseline-<RunID>).
	RunID string
	// Aliases are organization.accounts, resolved (logArchive, audit, ...).
	Aliases       map[string]*orgwalk.Account
	HomeRegion    string
	Regions       []string
	ExecutionRole string
	Sessions      Sessions
	// Partition is the AWS partition the run works in (aws, aws-cn,
	// aws-us-gov), taken from the caller's ARN; "" means aws. Every ARN a
	// control builds is in it (ARN).
	Partition string
	// CallerARN and CallerUserID are the run's own identity in the
	// management account, as sts:GetCallerIdentity answers them, and
	// CallerRegion the region of its STS endpoint: it assumes the
	// execution role in every member account with them (the RCP lockout
	// guard evaluates that sts:AssumeRole). "" when not known (offline):
	// the request's keys about the caller are then unknown to the guard.
	CallerARN, CallerUserID, CallerRegion string
}

// ARN builds an ARN in the run's partition:
// arn:PARTITION:service:region:account:resource.
func (o *Org) ARN(service, region, account, resource string) string {
	return "arn:" + o.PartitionName() + ":" + service + ":" + region + ":" + account + ":" + resource
}

// PartitionName is the run's partition, aws when none was read.
func (o *Org) PartitionName() string {
	if o == nil || o.Partition == "" {
		return "aws"
	}
	return o.Partition
}

// Alias returns the account an alias of organization.accounts names, or
// an error that says how to declare it.
func (o *Org) Alias(name, usedBy string) (*orgwalk.Account, error) {
	if a := o.Aliases[name]; a != nil {
		return a, nil
	}
	return nil, fmt.Errorf("%s needs the %q account: declare it under organization.accounts (e.g. %s: \"Log Archive\" or its 12-digit id)", usedBy, name, name)
}

// Target is one place a control runs: an account (and region) with a
// config whose credentials act in that account, and the organization.
type Target struct {
	AccountID   string
	AccountName string
	// Account is the account itself (its OU path and tags, for a
	// control's own selectors), when the engine runs the target; nil
	// otherwise.
	Account *orgwalk.Account
	Region  string
	Config  aws.Config
	Org     *Org
	// Warn records a warning that the plan shows (a Deny of * on *, an
	// unmanaged resource left alone). Never nil when the engine calls.
	Warn func(msg string)
	// Wait waits for AWS to settle (an asynchronous operation, something
	// the run just made becoming usable), naming this account and
	// region; nil waits on a timer.
	Wait *awsapi.Waiter
}

// Control is one declared part of the baseline.
//
// Controls are level-based: Observe reads the actual state and never
// trusts memory of what was done; Diff compares it with the declared state
// (and fails the plan when applying it would be unsafe, e.g. an SCP that
// locks orgbaseline out); Apply executes one change and is idempotent;
// Prefetcher is a control whose organization-scope observation may start
// before the organization is walked (it reads nothing the walk finds):
// the run calls Prefetch with the management account's config at its
// start, and the first Observe returns what the prefetch read.
type Prefetcher interface {
	Prefetch(ctx context.Context, cfg aws.Config)
}

// Findings turns the same observation into compliance findings.
// Observations are opaque to the engine and passed back as they were
// returned.
type Control interface {
	Name() string
	Scope() Scope
	// Calls describe every call the control makes in member accounts
	// (calls.go): what the SCP lockout guard evaluates and `orgbaseline
	// permissions` prints. o carries the organization's aliases resolved,
	// its home region, governed regions, execution role and partition
	// (Org.ARN builds ARNs in it); an alias it cannot resolve is the
	// account "*". A control whose calls are all the management
	// account's, which SCPs never restrict, returns none.
	Calls(o *Org) []Call
	// Actions are the IAM actions of Calls, sorted, without duplicates.
	Actions() []string
	Observe(ctx context.Context, t Target) (any, error)
	// Diff returns the changes it can plan safely and an error for what it
	// cannot; the engine keeps both. A guard that refuses the plan returns
	// no changes with its error.
	Diff(t Target, observed any) ([]baseline.Change, error)
	Apply(ctx context.Context, t Target, c baseline.Change) error
	Findings(t Target, observed any) []baseline.Finding
}

// FromBaseline returns the controls the baseline enables, in the order
// they run: organization-scope controls first (the engine runs them before
// any account), then account controls. Problems found offline, such as a
// policy document that is not valid, are returned all at once, before any
// AWS call.
func FromBaseline(b *baseline.Baseline) ([]Control, error) {
	var cs []Control
	var errs []error
	add := func(c []Control, err error) {
		cs = append(cs, c...)
		if err != nil {
			errs = append(errs, err)
		}
	}
	add(newOrganizationTrail(b))
	add(newAccessAnalyzer(b))
	add(newConfig(b))
	if p := b.Controls.PasswordPolicy; p != nil && p.IsEnabled() {
		cs = append(cs, NewDeclaredPasswordPolicy(p))
	}
	add(newRootAccess(b))
	// The Organizations policy types run first, SCPs first of them; SCPs
	// and RCPs are guarded against denying what every other control and
	// every plugin calls in member accounts.
	others := slices.Clone(cs)
	plugins := PluginCalls(b.Plugins)
	calls := func(o *Org) []Call { return append(CallsOf(others, o), plugins...) }
	deliveries := func(o *Org) []Delivery { return DeliveriesOf(others, o) }
	var policies []Control
	for _, set := range b.Controls.PolicySets() {
		c, err := newOrganizationPolicies(b, set, calls)
		if err != nil {
			errs = append(errs, err)
			continue
		}
		c.deliveries = deliveries
		policies = append(policies, c)
	}
	cs = append(policies, cs...)
	if len(errs) > 0 {
		return nil, errors.Join(errs...)
	}
	return cs, nil
}

// Noter is a control with something to say once per run about how it
// reads the baseline (which settings it leaves alone); plan, apply and
// check log it.
type Noter interface {
	Notes() []string
}

// NotesOf collects the notes of the controls that have some.
func NotesOf(cs []Control) []string {
	var out []string
	for _, c := range cs {
		if n, ok := c.(Noter); ok {
			out = append(out, n.Notes()...)
		}
	}
	return out
}

// ActionsOf lists the actions every control calls, sorted, without
// duplicates: what the execution role needs, and what the SCP lockout guard
// checks.
func ActionsOf(cs []Control) []string {
	seen := map[string]bool{}
	var out []string
	for _, c := range cs {
		for _, a := range c.Actions() {
			if !seen[a] {
				seen[a] = true
				out = append(out, a)
			}
		}
	}
	sort.Strings(out)
	return out
}

// AllFeatures is a control that says itself whether it needs the
// organization's all-features set (NeedsAllFeatures).
type AllFeatures interface {
	NeedsAllFeatures() bool
}

// NeedsAllFeatures reports whether c needs an organization with all
// features enabled: service control policies, trusted access and
// delegated administrators exist only there (Organizations user guide,
// "Enabling all features for an organization"). An organization-scope
// control does, unless it says otherwise.
func NeedsAllFeatures(c Control) bool {
	if f, ok := c.(AllFeatures); ok {
		return f.NeedsAllFeatures()
	}
	return c.Scope() == ScopeOrganization
}
