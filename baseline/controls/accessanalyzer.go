package controls

import (
	"context"
	"errors"
	"fmt"
	"sort"
	"strings"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/accessanalyzer"
	aatypes "github.com/aws/aws-sdk-go-v2/service/accessanalyzer/types"
	"github.com/aws/aws-sdk-go-v2/service/organizations"
	"golang.org/x/sync/errgroup"

	"github.com/orgbaseline/orgbaseline/baseline"
	"github.com/orgbaseline/orgbaseline/internal/awsapi"
	"github.com/orgbaseline/orgbaseline/orgwalk"
)

// AccessAnalyzerAPI is the part of the IAM Access Analyzer client the
// accessAnalyzer control uses.
type AccessAnalyzerAPI interface {
	accessanalyzer.ListAnalyzersAPIClient
	GetAnalyzer(context.Context, *accessanalyzer.GetAnalyzerInput, ...func(*accessanalyzer.Options)) (*accessanalyzer.GetAnalyzerOutput, error)
	CreateAnalyzer(context.Context, *accessanalyzer.CreateAnalyzerInput, ...func(*accessanalyzer.Options)) (*accessanalyzer.CreateAnalyzerOutput, error)
	UpdateAnalyzer(context.Context, *accessanalyzer.UpdateAnalyzerInput, ...func(*accessanalyzer.Options)) (*accessanalyzer.UpdateAnalyzerOutput, error)
}

var _ AccessAnalyzerAPI = (*accessanalyzer.Client)(nil)

// AccessAnalyzerPrincipal is Access Analyzer's service principal, for
// trusted access and delegated administration.
const AccessAnalyzerPrincipal = "access-analyzer.amazonaws.com"

// Resources of the control's changes; Apply dispatches on them.
const (
	analyzerTrustedAccessResource = trustedAccessPrefix + AccessAnalyzerPrincipal
	analyzerDelegatedResource     = delegatedAdminPrefix + AccessAnalyzerPrincipal
	analyzerResourcePrefix        = "access-analyzer/analyzer/"
)

// AccessAnalyzer keeps an IAM Access Analyzer in every governed region
// (CIS AWS Foundations 3.0 item 1.20), and optionally an unused-access
// analyzer in the home region.
//
// Type ORGANIZATION runs at organization scope: trusted access for Access
// Analyzer, then the delegated administrator (the audit account by
// default), then, in that account and every governed region, the
// organization analyzer, and in the home region the unused-access one.
// Type ACCOUNT runs per targeted account and governed region and keeps an
// account analyzer there, and the unused-access one in the home region.
//
// The unused-access analyzer exists once: "For unused access, findings for
// the analyzer do not change based on Region. Creating an analyzer in each
// Region where you have resources is not required", and it is charged per
// analyzer (IAM user guide, "Create an IAM Access Analyzer unused access
// analyzer").
//
// It manages only the analyzers it names: others are left alone (and
// reported as warnings), and nothing is ever deleted.
//
// AWS finishes an analyzer after CreateAnalyzer returns: it is CREATING,
// then ACTIVE or FAILED (API reference, AnalyzerSummary status). Apply
// waits for the analyzer it created to leave CREATING and fails on FAILED;
// Observe waits for the analyzers it reports on to leave CREATING, so a
// check right after apply sees them ACTIVE.
type AccessAnalyzer struct {
	want        baseline.AccessAnalyzerSettings
	newAnalyzer func(aws.Config) AccessAnalyzerAPI
	newOrg      func(aws.Config) TrustedAccessAPI

	// registered are the accounts this control registered as Access
	// Analyzer's delegated administrator in this run (madeThisRun): AWS
	// takes a while to let them act as one ("Account X is not a delegated
	// administrator"), so the steps that depend on them wait for it. It
	// only decides whether to wait, never what to do.
	registered madeThisRun
}

// NewAccessAnalyzer returns the control for the resolved settings.
func NewAccessAnalyzer(s baseline.AccessAnalyzerSettings) *AccessAnalyzer {
	return &AccessAnalyzer{
		want:        s,
		newAnalyzer: func(cfg aws.Config) AccessAnalyzerAPI { return accessanalyzer.NewFromConfig(cfg) },
		newOrg:      func(cfg aws.Config) TrustedAccessAPI { return organizations.NewFromConfig(cfg) },
	}
}

// newAccessAnalyzer returns the control for controls.accessAnalyzer, or
// none when it is not enabled. The delegated administrator's alias is
// checked here, offline.
func newAccessAnalyzer(b *baseline.Baseline) ([]Control, error) {
	a := b.Controls.AccessAnalyzer
	if !a.IsEnabled() {
		return nil, nil
	}
	s := a.Resolved()
	if s.Type == baseline.AnalyzerTypeOrganization {
		if _, ok := b.Organization.Accounts[s.DelegatedAdministrator]; !ok {
			return nil, fmt.Errorf("controls.accessAnalyzer (type %s) needs the %q account, its delegated administrator: declare it under organization.accounts (e.g. %s: \"Audit\" or its 12-digit id), set controls.accessAnalyzer.delegatedAdministrator to another alias, or use type: %s",
				s.Type, s.DelegatedAdministrator, s.DelegatedAdministrator, baseline.AnalyzerTypeAccount)
		}
	}
	return []Control{NewAccessAnalyzer(s)}, nil
}

func (*AccessAnalyzer) Name() string { return "accessAnalyzer" }

// Scope is organization for type ORGANIZATION, regional for ACCOUNT.
func (c *AccessAnalyzer) Scope() Scope {
	if c.organization() {
		return ScopeOrganization
	}
	return ScopeRegional
}

func (c *AccessAnalyzer) organization() bool { return c.want.Type == baseline.AnalyzerTypeOrganization }

// Actions are the actions of Calls.
func (c *AccessAnalyzer) Actions() []string { return actionsOf(c) }

// Calls are the calls made as the execution role: in every targeted
// account (ACCOUNT), or in the delegated administrator's account
// (ORGANIZATION), in every governed region. Observing lists the analyzers
// (ListAnalyzers has no resource-level permissions) and reads the
// unused-access analyzer wherever it is (GetAnalyzer, in any region: an
// earlier version made one in each); apply creates the analyzer
// everywhere and the unused-access one in the home region, where it is
// updated. The first analyzer in an account creates Access Analyzer's
// service-linked role, for which AWS authorizes the caller's
// iam:CreateServiceLinkedRole with iam:AWSServiceName in the analyzer's
// call (IAM user guide, "Service-linked role permissions"). Analyzers are
// authorized on arn:${Partition}:access-analyzer:${Region}:${Account}:analyzer/${AnalyzerName}
// (Service Authorization Reference, "Actions, resources, and condition
// keys for IAM Access Analyzer"); no tags are sent.
func (c *AccessAnalyzer) Calls(o *Org) []Call {
	w := o.callsIn(c.Name(), "")
	if c.organization() {
		w = o.callsIn(c.Name(), c.want.DelegatedAdministrator)
	}
	analyzer := func(name string) string { return o.ARN("access-analyzer", "{region}", "{account}", "analyzer/"+name) }
	slr := o.ARN("iam", "", "{account}", "role/aws-service-role/"+AccessAnalyzerPrincipal+"/AWSServiceRoleForAccessAnalyzer")
	out := []Call{
		w.call("access-analyzer:ListAnalyzers", "*", InEachRegion),
		w.call("access-analyzer:CreateAnalyzer", analyzer(c.want.Name), InEachRegion),
		w.call("iam:CreateServiceLinkedRole", slr, InEachRegion, "iam:awsservicename", AccessAnalyzerPrincipal),
	}
	if c.want.UnusedAccess {
		u := analyzer(c.want.UnusedAccessName)
		out = append(out,
			w.call("access-analyzer:GetAnalyzer", u, InEachRegion),
			w.call("access-analyzer:CreateAnalyzer", u, InHomeRegion),
			w.call("access-analyzer:UpdateAnalyzer", u, InHomeRegion),
		)
	}
	return out
}

// ---- observation ----

// analyzerSeen is one analyzer as observed.
type analyzerSeen struct {
	Name, ARN, Type string
	Status          string // ACTIVE, CREATING, DISABLED, FAILED
	StatusReason    string
	// UnusedAccessAge and Exclusions are read for the control's own
	// unused-access analyzer only (0: not read).
	UnusedAccessAge int
	Exclusions      []analyzerExclusion
}

// analyzerExclusion is one exclusion of an unused-access analysis rule,
// kept so that updating the age does not drop it.
type analyzerExclusion struct {
	AccountIDs   []string            `json:"accountIds,omitempty"`
	ResourceTags []map[string]string `json:"resourceTags,omitempty"`
}

// analyzerRegion is one account's analyzers in one region. Err is set
// (organization type only) when the region could not be read.
type analyzerRegion struct {
	Account, Region string
	Analyzers       []analyzerSeen // sorted by name
	Err             string
}

func (r *analyzerRegion) named(name string) *analyzerSeen {
	for i := range r.Analyzers {
		if r.Analyzers[i].Name == name {
			return &r.Analyzers[i]
		}
	}
	return nil
}

// ofType returns the analyzers of the given types, ACTIVE ones first, then
// by name.
func (r *analyzerRegion) ofType(types ...string) []analyzerSeen {
	var out []analyzerSeen
	for _, a := range r.Analyzers {
		for _, t := range types {
			if a.Type == t {
				out = append(out, a)
			}
		}
	}
	sort.SliceStable(out, func(i, j int) bool {
		return out[i].Status == string(aatypes.AnalyzerStatusActive) && out[j].Status != string(aatypes.AnalyzerStatusActive)
	})
	return out
}

// analyzerOrgState is what the organization type observes.
type analyzerOrgState struct {
	Admin         *orgwalk.Account // the delegated administrator (or the management account)
	TrustedAccess bool
	Delegated     []string         // accounts registered for Access Analyzer, sorted
	Regions       []analyzerRegion // in the order of the governed regions
}

func (s *analyzerOrgState) registered() bool {
	for _, id := range s.Delegated {
		if id == s.Admin.ID {
			return true
		}
	}
	return false
}

// Observe reads the state: for ACCOUNT, the analyzers of the target
// account and region; for ORGANIZATION, trusted access and delegated
// administrators (management account), then the analyzers of the
// delegated administrator in every governed region. A region that cannot
// be read is recorded in the observation and the others go on; only when
// no region can be read does Observe fail.
func (c *AccessAnalyzer) Observe(ctx context.Context, t Target) (any, error) {
	if !c.organization() {
		label := (&orgwalk.Account{ID: t.AccountID, Name: t.AccountName}).Label()
		r, err := c.observeSettled(ctx, t, t.Wait.For(t.AccountID, t.Region), t.Config, t.AccountID, label, t.Region)
		if err != nil {
			return nil, err
		}
		return &r, nil
	}
	admin, err := t.Org.Alias(c.want.DelegatedAdministrator, "controls.accessAnalyzer")
	if err != nil {
		return nil, err
	}
	access, err := observeOrgAccess(ctx, c.newOrg(t.Config), AccessAnalyzerPrincipal, listAdminsAlways,
		fmt.Sprintf("list trusted services of the organization (management account %s)", t.AccountID),
		fmt.Sprintf("list delegated administrators for %s (management account %s)", AccessAnalyzerPrincipal, t.AccountID))
	if err != nil {
		return nil, err
	}
	st := &analyzerOrgState{Admin: admin, TrustedAccess: access.TrustedAccess, Delegated: access.Delegated}

	st.Regions = make([]analyzerRegion, len(t.Org.Regions))
	g, gctx := errgroup.WithContext(ctx)
	g.SetLimit(4)
	for i, region := range t.Org.Regions {
		g.Go(func() error {
			cfg, err := t.Org.Sessions.Config(gctx, admin.ID, region)
			if err != nil {
				// The account cannot be reached at all: no region can be read.
				return err
			}
			r, err := c.observeSettled(gctx, t, t.Wait.For(admin.ID, region), cfg, admin.ID, admin.Label(), region)
			if err != nil {
				r = analyzerRegion{Account: admin.ID, Region: region, Err: err.Error()}
			}
			st.Regions[i] = r
			return nil
		})
	}
	if err := g.Wait(); err != nil {
		return nil, err
	}
	var errs []string
	for _, r := range st.Regions {
		if r.Err != "" {
			errs = append(errs, r.Region+": "+r.Err)
		}
	}
	if len(errs) == len(st.Regions) && len(errs) > 0 {
		return nil, fmt.Errorf("no governed region could be read in %s: %s", admin.Label(), strings.Join(errs, "; "))
	}
	return st, nil
}

// observeSettled is observeRegion once AWS has settled the analyzers the
// control reports on: it waits (bounded) while one is CREATING, or is an
// ORGANIZATION* analyzer DISABLED as "deregistered" although this control
// has just registered its account (the registration has not reached
// Access Analyzer yet). When the wait runs out, the last observation
// stands (findings report the analyzer as it is) and a warning says so.
func (c *AccessAnalyzer) observeSettled(ctx context.Context, t Target, w *awsapi.Waiter, cfg aws.Config, account, label, region string) (analyzerRegion, error) {
	r, err := c.observeRegion(ctx, cfg, account, region)
	if err != nil {
		return r, err
	}
	pending := c.settling(&r)
	if len(pending) == 0 {
		return r, nil
	}
	what := fmt.Sprintf("the analyzer(s) %s of %s in %s to be ACTIVE", strings.Join(pending, ", "), label, region)
	err = w.Until(ctx, what, func(ctx context.Context) (bool, error) {
		next, err := c.observeRegion(ctx, cfg, account, region)
		if err != nil {
			return false, err
		}
		r = next
		return len(c.settling(&r)) == 0, nil
	})
	if awsapi.IsNotSettled(err) {
		if t.Warn != nil {
			t.Warn(fmt.Sprintf("accessAnalyzer: %s; they are reported as AWS last showed them (%s)", err, strings.Join(c.settling(&r), ", ")))
		}
		return r, nil
	}
	return r, err
}

// settling names (with their status) the analyzers of r that AWS has not
// settled yet and that the control reports on: the external-access and
// unused-access types.
func (c *AccessAnalyzer) settling(r *analyzerRegion) []string {
	var out []string
	for _, a := range r.Analyzers {
		if !c.reportsOn(a.Type) {
			continue
		}
		creating := a.Status == string(aatypes.AnalyzerStatusCreating)
		propagating := a.Status == string(aatypes.AnalyzerStatusDisabled) &&
			a.StatusReason == string(aatypes.ReasonCodeDelegatedAdministratorDeregistered) && c.justRegistered(r.Account)
		if creating || propagating {
			out = append(out, fmt.Sprintf("%s (%s)", a.Name, a.Status))
		}
	}
	return out
}

// reportsOn reports whether the control's findings consider analyzers of
// type typ (internal-access analyzers, for one, are not).
func (c *AccessAnalyzer) reportsOn(typ string) bool {
	switch typ {
	case baseline.AnalyzerTypeAccount, baseline.AnalyzerTypeOrganization:
		return true
	case baseline.AnalyzerTypeAccount + "_UNUSED_ACCESS", baseline.AnalyzerTypeOrganization + "_UNUSED_ACCESS":
		return c.want.UnusedAccess
	}
	return false
}

// justRegistered reports whether this control registered account as
// Access Analyzer's delegated administrator in this process.
func (c *AccessAnalyzer) justRegistered(account string) bool { return c.registered.has(account) }

func (c *AccessAnalyzer) noteRegistered(account string) { c.registered.note(account, "") }

// observeRegion lists an account's analyzers in one region; for the
// control's own unused-access analyzer it also reads the configuration
// (ListAnalyzers may omit it).
func (c *AccessAnalyzer) observeRegion(ctx context.Context, cfg aws.Config, account, region string) (analyzerRegion, error) {
	out := analyzerRegion{Account: account, Region: region}
	api := c.newAnalyzer(cfg)
	p := accessanalyzer.NewListAnalyzersPaginator(api, &accessanalyzer.ListAnalyzersInput{}, func(o *accessanalyzer.ListAnalyzersPaginatorOptions) {
		o.StopOnDuplicateToken = true
	})
	var unusedCfg aatypes.AnalyzerConfiguration
	for p.HasMorePages() {
		page, err := p.NextPage(ctx)
		if err != nil {
			return out, fmt.Errorf("list analyzers in account %s (%s): %w", account, region, err)
		}
		for _, s := range page.Analyzers {
			a := analyzerSeen{Name: aws.ToString(s.Name), ARN: aws.ToString(s.Arn), Type: string(s.Type), Status: string(s.Status)}
			if s.StatusReason != nil {
				a.StatusReason = string(s.StatusReason.Code)
			}
			if c.want.UnusedAccess && a.Name == c.want.UnusedAccessName {
				unusedCfg = s.Configuration
			}
			out.Analyzers = append(out.Analyzers, a)
		}
	}
	sort.Slice(out.Analyzers, func(i, j int) bool { return out.Analyzers[i].Name < out.Analyzers[j].Name })
	if !c.want.UnusedAccess {
		return out, nil
	}
	u := out.named(c.want.UnusedAccessName)
	if u == nil || u.Type != c.want.UnusedAccessType() {
		return out, nil
	}
	if unusedCfg == nil {
		got, err := api.GetAnalyzer(ctx, &accessanalyzer.GetAnalyzerInput{AnalyzerName: aws.String(u.Name)})
		if err != nil {
			return out, fmt.Errorf("get analyzer %s in account %s (%s): %w", u.Name, account, region, err)
		}
		if got.Analyzer != nil {
			unusedCfg = got.Analyzer.Configuration
		}
	}
	if ua, ok := unusedCfg.(*aatypes.AnalyzerConfigurationMemberUnusedAccess); ok {
		u.UnusedAccessAge = int(aws.ToInt32(ua.Value.UnusedAccessAge))
		if r := ua.Value.AnalysisRule; r != nil {
			for _, e := range r.Exclusions {
				u.Exclusions = append(u.Exclusions, analyzerExclusion{AccountIDs: e.AccountIds, ResourceTags: e.ResourceTags})
			}
		}
	}
	return out, nil
}

// ---- diff ----

// analyzerSettings is an analyzer as changes carry it.
type analyzerSettings struct {
	Name            string              `json:"name"`
	Type            string              `json:"type"`
	UnusedAccessAge int                 `json:"unusedAccessAge,omitempty"`
	Exclusions      []analyzerExclusion `json:"exclusions,omitempty"`
}

// Diff plans, in dependency order: trusted access, the delegated
// administrator, then per governed region the analyzer and the
// unused-access analyzer (ORGANIZATION); or the account's analyzers in the
// target region (ACCOUNT).
func (c *AccessAnalyzer) Diff(t Target, observed any) ([]baseline.Change, error) {
	if !c.organization() {
		r, _ := observed.(*analyzerRegion)
		if r == nil {
			return nil, fmt.Errorf("no observation of %s in %s", t.AccountID, t.Region)
		}
		return c.diffRegion(t, r, t.AccountName, false)
	}
	st, _ := observed.(*analyzerOrgState)
	if st == nil {
		return nil, errors.New("no observation of the organization")
	}
	mgmt := t.Org.ManagementAccountID
	admin := st.Admin
	isMgmt := admin.ID == mgmt
	if admin.State != "" && admin.State != "ACTIVE" {
		return nil, fmt.Errorf("the delegated administrator for Access Analyzer, %s (alias %q), is %s; point controls.accessAnalyzer.delegatedAdministrator at an ACTIVE account",
			admin.Label(), c.want.DelegatedAdministrator, admin.State)
	}
	if !isMgmt && !st.registered() && len(st.Delegated) > 0 {
		other := st.Delegated[0]
		label := other
		if a := t.Org.Account(other); a != nil {
			label = a.Label()
		}
		return nil, fmt.Errorf("Access Analyzer's delegated administrator is %s, but controls.accessAnalyzer.delegatedAdministrator (%q) names %s, and Access Analyzer allows only one: deregister %s (aws organizations deregister-delegated-administrator --account-id %s --service-principal %s) and let orgbaseline register %s, or set delegatedAdministrator to the alias of %s",
			label, c.want.DelegatedAdministrator, admin.Label(), label, other, AccessAnalyzerPrincipal, admin.ID, label)
	}
	// The management account owns organization analyzers without being
	// registered (it cannot be).
	delegated := admin.ID
	if isMgmt {
		delegated = ""
	}
	out := diffOrgAccess(orgAccessDiff{
		Control: c.Name(), Management: mgmt, Principal: AccessAnalyzerPrincipal,
		TrustedAccess: st.TrustedAccess,
		EnableReason:  "trusted access for IAM Access Analyzer is not enabled in the organization; organization analyzers need it",
		Admin:         delegated, Registered: st.registered(), AdminName: admin.Name,
		AdminResource:  analyzerDelegatedResource,
		RegisterReason: fmt.Sprintf("%s (alias %q) is not the delegated administrator for IAM Access Analyzer", admin.Label(), c.want.DelegatedAdministrator),
	})
	fixing := len(out) > 0 // the plan re-enables what organization analyzers depend on
	var errs []error
	for i := range st.Regions {
		r := &st.Regions[i]
		if r.Err != "" {
			errs = append(errs, fmt.Errorf("%s in %s could not be read, so nothing is planned there: %s", admin.Label(), r.Region, r.Err))
			continue
		}
		cs, err := c.diffRegion(t, r, admin.Label(), fixing)
		if err != nil {
			errs = append(errs, err)
			continue
		}
		out = append(out, cs...)
	}
	// The regions that could be planned are planned; the others are
	// errors of this scope, so the run is not clean.
	return out, errors.Join(errs...)
}

// homeRegion is the run's home region, where the unused-access analyzer
// lives; without one (a target built outside a run), the target's region.
func homeRegion(t Target) string {
	if t.Org != nil && t.Org.HomeRegion != "" {
		return t.Org.HomeRegion
	}
	return t.Region
}

// wantIn lists the analyzers the baseline wants in region: the analyzer
// everywhere, the unused-access analyzer in the home region only.
func (c *AccessAnalyzer) wantIn(t Target, region string) []analyzerSettings {
	want := []analyzerSettings{{Name: c.want.Name, Type: c.want.Type}}
	if c.want.UnusedAccess && region == homeRegion(t) {
		want = append(want, analyzerSettings{Name: c.want.UnusedAccessName, Type: c.want.UnusedAccessType(), UnusedAccessAge: c.want.UnusedAccessAge})
	}
	return want
}

// diffRegion plans one account's analyzers in one region. label names the
// account in messages; fixing is true when the plan already fixes what
// would leave an organization analyzer disabled. A FAILED analyzer of the
// baseline's is an error: AWS does not retry its creation.
func (c *AccessAnalyzer) diffRegion(t Target, r *analyzerRegion, label string, fixing bool) ([]baseline.Change, error) {
	if label == "" {
		label = r.Account
	}
	where := fmt.Sprintf("%s in %s", label, r.Region)
	var out []baseline.Change
	var errs []error
	for _, w := range c.wantIn(t, r.Region) {
		have := r.named(w.Name)
		var others []string
		for _, a := range r.ofType(w.Type) {
			if a.Name != w.Name {
				others = append(others, fmt.Sprintf("%s (%s)", a.Name, a.Status))
			}
		}
		ch := baseline.Change{Control: c.Name(), Account: r.Account, Region: r.Region, Resource: analyzerResourcePrefix + w.Name}
		switch {
		case have != nil && have.Type != w.Type:
			errs = append(errs, fmt.Errorf("analyzer %s in %s is of type %s, not %s; rename the baseline's analyzer (controls.accessAnalyzer name) or delete that one",
				w.Name, where, have.Type, w.Type))
			continue
		case have != nil && have.Status == string(aatypes.AnalyzerStatusFailed):
			errs = append(errs, analyzerFailed(*have, label, r.Account, r.Region))
			continue
		case have == nil && len(others) > 0 && !c.organization():
			// One account analyzer of each type per account and region:
			// another one already does the job, and a second would be
			// refused (ServiceQuotaExceeded).
			t.Warn(fmt.Sprintf("accessAnalyzer: %s already has the %s analyzer %s, which orgbaseline does not manage; it is left alone and %s is not created (one %s analyzer per account and region)",
				where, w.Type, strings.Join(others, ", "), w.Name, w.Type))
			continue
		case have == nil:
			ch.Action = baseline.ActionCreate
			ch.After = baseline.ToMap(w)
			ch.Reason = fmt.Sprintf("%s has no %s analyzer named %s", where, w.Type, w.Name)
			if w.UnusedAccessAge != 0 {
				ch.Reason += "; unused-access findings do not change based on Region, so it is created in the home region only (AWS charges per analyzer)"
			}
			out = append(out, ch)
		case w.UnusedAccessAge != 0 && have.UnusedAccessAge != w.UnusedAccessAge:
			w.Exclusions = have.Exclusions
			before := analyzerSettings{Name: have.Name, Type: have.Type, UnusedAccessAge: have.UnusedAccessAge, Exclusions: have.Exclusions}
			ch.Action = baseline.ActionUpdate
			ch.Before = baseline.ToMap(before)
			ch.After = baseline.ToMap(w)
			ch.Reason = fmt.Sprintf("analyzer %s in %s counts access as unused after %d days; the baseline says %d", w.Name, where, have.UnusedAccessAge, w.UnusedAccessAge)
			out = append(out, ch)
		}
		if have != nil && have.Status == string(aatypes.AnalyzerStatusDisabled) && !fixing {
			t.Warn(fmt.Sprintf("accessAnalyzer: analyzer %s in %s is %s (%s) although what it depends on is in place; AWS does not reactivate it: delete it (aws accessanalyzer delete-analyzer --analyzer-name %s --region %s, in account %s) and run apply to create it again",
				w.Name, where, have.Status, orDash(have.StatusReason), w.Name, r.Region, r.Account))
		}
		if len(others) > 0 && c.organization() {
			t.Warn(fmt.Sprintf("accessAnalyzer: %s also has the %s analyzer(s) %s, which orgbaseline does not manage; they are left alone",
				where, w.Type, strings.Join(others, ", ")))
		}
	}
	c.warnStrayUnused(t, r, where)
	if len(errs) > 0 {
		return nil, errors.Join(errs...)
	}
	return out, nil
}

// warnStrayUnused warns of the baseline's own unused-access analyzer
// outside the home region (earlier versions of orgbaseline created one in
// every governed region). It is left alone rather than deleted: deleting
// an analyzer deletes its findings and whatever was archived or triaged
// there, which no one expects a plan to do on an upgrade; the warning
// says it is redundant and charged, and how to delete it.
func (c *AccessAnalyzer) warnStrayUnused(t Target, r *analyzerRegion, where string) {
	if !c.want.UnusedAccess || r.Region == homeRegion(t) {
		return
	}
	a := r.named(c.want.UnusedAccessName)
	if a == nil || a.Type != c.want.UnusedAccessType() {
		return
	}
	t.Warn(fmt.Sprintf("accessAnalyzer: %s has orgbaseline's unused-access analyzer %s, which is not needed outside the home region %s (unused-access findings do not change based on Region) and which AWS charges for; orgbaseline leaves it alone: to stop paying for it, delete it (aws accessanalyzer delete-analyzer --analyzer-name %s --region %s, in account %s)",
		where, a.Name, homeRegion(t), a.Name, r.Region, r.Account))
}

// analyzerFailed is the error for an analyzer AWS could not create: it
// names the analyzer, account, region and AWS's statusReason, says what
// the reason means, and gives the fix (AWS does not retry: delete and
// create again).
func analyzerFailed(a analyzerSeen, label, account, region string) error {
	return fmt.Errorf("analyzer %s (%s) of %s in %s is FAILED: AWS could not create it (statusReason %s%s); AWS does not retry: delete it (aws accessanalyzer delete-analyzer --analyzer-name %s --region %s, in account %s) and run apply to create it again",
		a.Name, a.Type, label, region, orDash(a.StatusReason), failedBecause(a.StatusReason, account), a.Name, region, account)
}

// failedBecause explains a StatusReason code of a FAILED analyzer (API
// reference, StatusReason), or says nothing of a code it does not know.
func failedBecause(code, account string) string {
	switch aatypes.ReasonCode(code) {
	case aatypes.ReasonCodeAwsServiceAccessDisabled:
		return ": trusted access for IAM Access Analyzer was disabled in the organization while it was being created"
	case aatypes.ReasonCodeDelegatedAdministratorDeregistered:
		return ": account " + account + " stopped being Access Analyzer's delegated administrator while it was being created"
	case aatypes.ReasonCodeOrganizationDeleted:
		return ": the organization was deleted"
	case aatypes.ReasonCodeServiceLinkedRoleCreationFailed:
		return ": AWS could not create the service-linked role AWSServiceRoleForAccessAnalyzer it needs (in account " + account + ", and for an organization analyzer in the member accounts)"
	}
	return ""
}

func orDash(s string) string {
	if s == "" {
		return "no reason given"
	}
	return s
}

// ---- apply ----

// analyzerOrgAccessErrors word the errors of trusted access and delegated
// administration for accessAnalyzer.
var analyzerOrgAccessErrors = orgAccessErrors{
	Enable: func(principal, management string) string {
		return fmt.Sprintf("enable trusted access for %s (management account %s)", principal, management)
	},
	Register: func(account, principal, _ string) string {
		return fmt.Sprintf("register account %s as delegated administrator for %s", account, principal)
	},
}

// Apply makes one change with one call, where the change says: trusted
// access and delegated administration in the management account, an
// analyzer in its account and region. It is idempotent: an analyzer or a
// registration that already exists is success.
func (c *AccessAnalyzer) Apply(ctx context.Context, t Target, ch baseline.Change) error {
	cfg, err := c.configFor(ctx, t, ch)
	if err != nil {
		return err
	}
	where := ch.Account
	if t.Org != nil && t.Org.Org != nil {
		if a := t.Org.Account(ch.Account); a != nil {
			where = a.Label()
		}
	}
	switch {
	case ch.Resource == analyzerTrustedAccessResource:
		return applyOrgAccess(ctx, c.newOrg(cfg), ch, AccessAnalyzerPrincipal, analyzerOrgAccessErrors)
	case ch.Resource == analyzerDelegatedResource:
		if err := applyOrgAccess(ctx, c.newOrg(cfg), ch, AccessAnalyzerPrincipal, analyzerOrgAccessErrors); err != nil {
			return err
		}
		if id, ok := ch.After["accountId"].(string); ok {
			c.noteRegistered(id)
		}
		return nil
	case strings.HasPrefix(ch.Resource, analyzerResourcePrefix):
		var s analyzerSettings
		if err := ch.DecodeAfter(&s); err != nil {
			return err
		}
		api := c.newAnalyzer(cfg)
		w := t.Wait.For(ch.Account, ch.Region)
		switch ch.Action {
		case baseline.ActionCreate:
			if err := c.createAnalyzer(ctx, w, api, s, ch.Account, where, ch.Region); err != nil {
				return fmt.Errorf("create %s analyzer %s in %s (%s): %w", s.Type, s.Name, where, ch.Region, err)
			}
			return c.awaitAnalyzer(ctx, w, api, s, ch.Account, where, ch.Region)
		case baseline.ActionUpdate:
			if _, err := api.UpdateAnalyzer(ctx, &accessanalyzer.UpdateAnalyzerInput{AnalyzerName: aws.String(s.Name), Configuration: s.configuration()}); err != nil {
				return fmt.Errorf("update analyzer %s in %s (%s): %w", s.Name, where, ch.Region, err)
			}
			return nil
		}
	}
	return fmt.Errorf("accessAnalyzer cannot %s %s; the plan was not made by this version of orgbaseline", ch.Action, ch.Resource)
}

// createAnalyzer creates the analyzer; one that already exists is success.
// An organization analyzer whose account this control has just registered
// as delegated administrator is created again, with backoff and bounded,
// while Access Analyzer answers that the account "is not a delegated
// administrator": the registration has not reached it yet
// (awslabs/landing-zone-accelerator-on-aws issue 922 for the error). Any
// other error, and that one in every other case, fails at once.
func (c *AccessAnalyzer) createAnalyzer(ctx context.Context, w *awsapi.Waiter, api AccessAnalyzerAPI, s analyzerSettings, account, where, region string) error {
	create := func(ctx context.Context) error {
		_, err := api.CreateAnalyzer(ctx, &accessanalyzer.CreateAnalyzerInput{
			AnalyzerName: aws.String(s.Name), Type: aatypes.Type(s.Type), Configuration: s.configuration(),
		})
		var conflict *aatypes.ConflictException
		if errors.As(err, &conflict) {
			return nil
		}
		return err
	}
	if !strings.HasPrefix(s.Type, baseline.AnalyzerTypeOrganization) || !c.justRegistered(account) {
		return create(ctx)
	}
	what := fmt.Sprintf("%s, just registered, to be usable by IAM Access Analyzer as its delegated administrator in %s", where, region)
	return w.Retry(ctx, what, notDelegatedAdministratorYet, create)
}

// notDelegatedAdministratorYet recognises Access Analyzer's answer to an
// account whose registration as delegated administrator it does not see:
// 403 AccessDeniedException "Account X is not a delegated administrator".
func notDelegatedAdministratorYet(err error) bool {
	var denied *aatypes.AccessDeniedException
	return errors.As(err, &denied) && strings.Contains(denied.ErrorMessage(), "is not a delegated administrator")
}

// awaitAnalyzer waits (bounded) for the analyzer just created to leave
// CREATING, reading it with ListAnalyzers (which the control needs
// anyway), and fails unless it is ACTIVE: FAILED is an error with AWS's
// reason and the fix.
func (c *AccessAnalyzer) awaitAnalyzer(ctx context.Context, w *awsapi.Waiter, api AccessAnalyzerAPI, s analyzerSettings, account, where, region string) error {
	var seen *analyzerSeen
	what := fmt.Sprintf("analyzer %s of %s in %s to finish creating", s.Name, where, region)
	err := w.Until(ctx, what, func(ctx context.Context) (bool, error) {
		a, err := findAnalyzer(ctx, api, s.Name, s.Type)
		if err != nil {
			return false, fmt.Errorf("read analyzer %s in %s (%s): %w", s.Name, where, region, err)
		}
		if a == nil {
			return false, fmt.Errorf("analyzer %s of type %s, just created, is not listed in %s (%s); run apply again", s.Name, s.Type, where, region)
		}
		seen = a
		return a.Status != string(aatypes.AnalyzerStatusCreating), nil
	})
	switch {
	case err != nil:
		return err
	case seen.Status == string(aatypes.AnalyzerStatusFailed):
		return analyzerFailed(*seen, where, account, region)
	case seen.Status != string(aatypes.AnalyzerStatusActive):
		return fmt.Errorf("analyzer %s (%s) of %s in %s was created but is %s (%s), so it does not analyze access; run `orgbaseline plan` to see what re-enables it (trusted access, the delegated administrator)",
			s.Name, s.Type, where, region, seen.Status, orDash(seen.StatusReason))
	}
	return nil
}

// findAnalyzer returns the analyzer of the given name and type, or nil.
func findAnalyzer(ctx context.Context, api AccessAnalyzerAPI, name, typ string) (*analyzerSeen, error) {
	p := accessanalyzer.NewListAnalyzersPaginator(api, &accessanalyzer.ListAnalyzersInput{Type: aatypes.Type(typ)}, func(o *accessanalyzer.ListAnalyzersPaginatorOptions) {
		o.StopOnDuplicateToken = true
	})
	for p.HasMorePages() {
		page, err := p.NextPage(ctx)
		if err != nil {
			return nil, err
		}
		for _, a := range page.Analyzers {
			if aws.ToString(a.Name) != name {
				continue
			}
			seen := &analyzerSeen{Name: name, ARN: aws.ToString(a.Arn), Type: string(a.Type), Status: string(a.Status)}
			if a.StatusReason != nil {
				seen.StatusReason = string(a.StatusReason.Code)
			}
			return seen, nil
		}
	}
	return nil, nil
}

// configuration is the unused-access configuration, or nil for an
// external-access analyzer. The exclusions observed are sent back, since
// UpdateAnalyzer replaces the whole configuration.
func (s analyzerSettings) configuration() aatypes.AnalyzerConfiguration {
	if s.UnusedAccessAge == 0 {
		return nil
	}
	u := aatypes.UnusedAccessConfiguration{UnusedAccessAge: aws.Int32(int32(s.UnusedAccessAge))}
	if len(s.Exclusions) > 0 {
		u.AnalysisRule = &aatypes.AnalysisRule{}
		for _, e := range s.Exclusions {
			u.AnalysisRule.Exclusions = append(u.AnalysisRule.Exclusions, aatypes.AnalysisRuleCriteria{AccountIds: e.AccountIDs, ResourceTags: e.ResourceTags})
		}
	}
	return &aatypes.AnalyzerConfigurationMemberUnusedAccess{Value: u}
}

// configFor is the config acting where the change applies.
func (c *AccessAnalyzer) configFor(ctx context.Context, t Target, ch baseline.Change) (aws.Config, error) {
	region := ch.Region
	if region == "" {
		region = t.Region
	}
	if ch.Account == t.AccountID && region == t.Region {
		return t.Config, nil
	}
	if t.Org == nil || t.Org.Sessions == nil {
		return aws.Config{}, fmt.Errorf("accessAnalyzer: no session for account %s (%s)", ch.Account, region)
	}
	return t.Org.Sessions.Config(ctx, ch.Account, region)
}

// ---- findings ----

// Findings reports, per targeted account and governed region, whether an
// ACTIVE external-access analyzer covers the account there (CIS 1.20): the
// organization analyzer of the delegated administrator (ORGANIZATION), or
// one of the account's own (ACCOUNT). With unusedAccess, a second check
// reports the unused-access analyzer, in the home region only: its
// findings do not change based on Region, so one analyzer there covers
// every region, and no other region fails for lack of one.
func (c *AccessAnalyzer) Findings(t Target, observed any) []baseline.Finding {
	home := homeRegion(t)
	if !c.organization() {
		r, _ := observed.(*analyzerRegion)
		if r == nil {
			return nil
		}
		acct := &orgwalk.Account{ID: t.AccountID, Name: t.AccountName}
		return c.regionFindings(acct, r, r.Region == home, "of the account", baseline.AnalyzerTypeAccount, baseline.AnalyzerTypeOrganization)
	}
	st, _ := observed.(*analyzerOrgState)
	if st == nil {
		return nil
	}
	var out []baseline.Finding
	for i := range st.Regions {
		r := &st.Regions[i]
		for _, a := range t.Org.Targets {
			out = append(out, c.regionFindings(a, r, r.Region == home, "of the delegated administrator "+st.Admin.Label(), baseline.AnalyzerTypeOrganization)...)
		}
	}
	return out
}

// analyzerCheck is one check of the control: the analyzer types that
// satisfy it and the name of the control's own analyzer.
type analyzerCheck struct {
	check, title, want string
	types              []string
	severity           baseline.Severity
}

// regionFindings are account's findings in region r, where r holds the
// analyzers that cover it (its own, or the delegated administrator's,
// which whose says); home says r is the home region, where the
// unused-access check is made.
func (c *AccessAnalyzer) regionFindings(account *orgwalk.Account, r *analyzerRegion, home bool, whose string, types ...string) []baseline.Finding {
	const fix = "run `orgbaseline apply` to create the analyzer"
	checks := []analyzerCheck{{"accessAnalyzer.enabled", "IAM Access Analyzer is enabled in every region", c.want.Name, types, baseline.SeverityMedium}}
	if c.want.UnusedAccess && home {
		var ut []string
		for _, t := range types {
			ut = append(ut, t+"_UNUSED_ACCESS")
		}
		checks = append(checks, analyzerCheck{"accessAnalyzer.unusedAccess", "An unused-access analyzer reviews the account's IAM access (once, in the home region: its findings do not change based on Region)", c.want.UnusedAccessName, ut, baseline.SeverityLow})
	}
	var out []baseline.Finding
	for _, k := range checks {
		f := baseline.Finding{
			Check: k.check, Source: "control:" + c.Name(), Account: account.ID, AccountName: account.Name, Region: r.Region,
			Severity: k.severity, Title: k.title, Compliance: baseline.References(k.check),
		}
		switch cands := r.ofType(k.types...); {
		case r.Err != "":
			f.Status = baseline.StatusError
			f.Message = fmt.Sprintf("the analyzers of account %s in %s could not be read: %s", r.Account, r.Region, r.Err)
		case len(cands) == 0:
			f.Status = baseline.StatusFail
			f.Message = fmt.Sprintf("no %s analyzer %s in %s covers the account", strings.Join(k.types, " or "), whose, r.Region)
			f.Remediation = fix
		default:
			a := cands[0]
			if ours := r.named(k.want); ours != nil && ours.Status == cands[0].Status {
				a = *ours // report the control's own analyzer when it is as good
			}
			f.Resource = a.ARN
			f.Evidence = map[string]any{"analyzer": a.Name, "type": a.Type, "status": a.Status, "account": r.Account}
			if a.UnusedAccessAge > 0 {
				f.Evidence["unusedAccessAge"] = a.UnusedAccessAge
			}
			if a.Status == string(aatypes.AnalyzerStatusActive) {
				f.Status = baseline.StatusPass
				f.Message = fmt.Sprintf("analyzer %s (%s) of account %s is ACTIVE in %s", a.Name, a.Type, r.Account, r.Region)
				if strings.HasSuffix(a.Type, "_UNUSED_ACCESS") {
					f.Message += "; it covers every region (unused-access findings do not change based on Region)"
				}
			} else {
				f.Status = baseline.StatusFail
				f.Evidence["statusReason"] = a.StatusReason
				f.Message = fmt.Sprintf("analyzer %s (%s) of account %s in %s is %s (%s), so it does not analyze access", a.Name, a.Type, r.Account, r.Region, a.Status, orDash(a.StatusReason))
				f.Remediation = "run `orgbaseline plan` to see what re-enables it (trusted access, the delegated administrator), then `orgbaseline apply`"
			}
		}
		out = append(out, f)
	}
	return out
}
