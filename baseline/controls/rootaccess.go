package controls

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"sync"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/iam"
	"github.com/aws/aws-sdk-go-v2/service/organizations"
	"github.com/aws/aws-sdk-go-v2/service/sts"

	"github.com/orgbaseline/orgbaseline/baseline"
	"github.com/orgbaseline/orgbaseline/orgwalk"
)

// Resources of the rootAccess control's changes; Apply dispatches on
// them.
const (
	rootTrustedAccessResource = trustedAccessPrefix + IAMPrincipal
	rootDelegatedResource     = delegatedAdminPrefix + IAMPrincipal
	rootFeatureResourcePrefix = "iam/organizations-features/"
)

// RootAccess turns on centralized root access for the member accounts, at
// organization scope, in the management account: trusted access for IAM
// (the features need it: "Enable trusted access for AWS Identity and
// Access Management in AWS Organizations", IAM API reference,
// EnableOrganizationsRootCredentialsManagement), IAM's delegated
// administrator when the baseline names one, then the features root
// credentials management and root sessions. Enabling them deletes
// nothing: "After you centralize root access, you can choose to delete
// root user credentials from member accounts" (IAM user guide); that is
// the rootCredentials control's, per member account. It never disables a
// feature nor deregisters an administrator.
//
// All its calls are the management account's, which SCPs never restrict:
// it has no call for the lockout guard.
type RootAccess struct {
	want       baseline.RootAccessSettings
	newOrg     func(aws.Config) TrustedAccessAPI
	newIAM     func(aws.Config) RootFeaturesAPI
	newSTS     func(aws.Config) RootSessionAPI
	newSession func(aws.Config) RootCredentialsAPI

	// enabled records what this run enabled or registered (trusted
	// access, a feature, the delegated administrator): AWS may take a
	// moment to act on it, so the steps that depend on it wait for it,
	// bounded. It only decides whether to wait, never what to do.
	enabled *madeThisRun

	// features are the features the last organization-scope observation
	// read (featuresRead false before one, and in a shard that does not
	// run the organization scope): the members' observations that follow
	// in the same plan take them from here instead of each asking IAM.
	mu           sync.Mutex
	seen         []string
	featuresRead bool
}

// sawFeatures records the features an organization-scope observation read.
func (c *RootAccess) sawFeatures(fs []string) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.seen, c.featuresRead = slices.Clone(fs), true
}

// seenFeatures are the features the organization scope read, if it did.
func (c *RootAccess) seenFeatures() ([]string, bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	return slices.Clone(c.seen), c.featuresRead
}

// NewRootAccess returns the organization-scope control and the per-member
// control of centralized root access for the resolved settings; they
// share what the run enabled, so that the members' first root sessions
// wait for a feature the run has just enabled.
func NewRootAccess(s baseline.RootAccessSettings) (*RootAccess, *RootCredentials) {
	made := &madeThisRun{}
	r := &RootAccess{
		want:       s,
		newOrg:     func(cfg aws.Config) TrustedAccessAPI { return organizations.NewFromConfig(cfg) },
		newIAM:     func(cfg aws.Config) RootFeaturesAPI { return iam.NewFromConfig(cfg) },
		newSTS:     func(cfg aws.Config) RootSessionAPI { return sts.NewFromConfig(cfg) },
		newSession: func(cfg aws.Config) RootCredentialsAPI { return iam.NewFromConfig(cfg) },
		enabled:    made,
	}
	return r, &RootCredentials{root: r}
}

// newRootAccess returns the two controls of controls.rootAccess, or none
// when it is not enabled. The delegated administrator's alias is checked
// here, offline.
func newRootAccess(b *baseline.Baseline) ([]Control, error) {
	r := b.Controls.RootAccess
	if !r.IsEnabled() {
		return nil, nil
	}
	s := r.Resolved()
	if a := s.DelegatedAdministrator; a != "" {
		if _, ok := b.Organization.Accounts[a]; !ok {
			return nil, fmt.Errorf("controls.rootAccess.delegatedAdministrator %q is not an alias of organization.accounts: declare it there (e.g. %s: \"Security\" or its 12-digit id), or remove delegatedAdministrator to manage root access from the management account alone", a, a)
		}
	}
	org, members := NewRootAccess(s)
	return []Control{org, members}, nil
}

func (*RootAccess) Name() string { return "rootAccess" }
func (*RootAccess) Scope() Scope { return ScopeOrganization }

// Actions are none: every call is the management account's.
func (c *RootAccess) Actions() []string { return actionsOf(c) }

// Calls are none: trusted access, the delegated administrator and the
// features are the management account's calls, which SCPs never restrict.
func (*RootAccess) Calls(*Org) []Call { return nil }

// rootAccessState is what RootAccess observes in the management account.
type rootAccessState struct {
	TrustedAccess bool
	// Delegated are IAM's delegated administrators (nil: not listed).
	Delegated []string
	// Admin is the delegated administrator the baseline names, nil for
	// none.
	Admin *orgwalk.Account
	// Features are those enabled, sorted.
	Features []string
}

func (s *rootAccessState) has(feature string) bool { return slices.Contains(s.Features, feature) }

// Observe reads trusted access and the delegated administrators for IAM,
// and the features enabled (none without trusted access).
func (c *RootAccess) Observe(ctx context.Context, t Target) (any, error) {
	st := &rootAccessState{}
	admins := listAdminsNever
	if c.want.DelegatedAdministrator != "" {
		a, err := t.Org.Alias(c.want.DelegatedAdministrator, "controls.rootAccess")
		if err != nil {
			return nil, err
		}
		st.Admin = a
		admins = listAdminsIfTrusted
	}
	access, err := observeOrgAccess(ctx, c.newOrg(t.Config), IAMPrincipal, admins,
		fmt.Sprintf("list trusted services of the organization (management account %s)", t.AccountID),
		fmt.Sprintf("list delegated administrators for %s (management account %s)", IAMPrincipal, t.AccountID))
	if err != nil {
		return nil, err
	}
	st.TrustedAccess, st.Delegated = access.TrustedAccess, access.Delegated
	if st.TrustedAccess {
		if st.Features, err = rootFeatures(ctx, c.newIAM(t.Config)); err != nil {
			return nil, fmt.Errorf("list the features of centralized root access (iam:ListOrganizationsFeatures, management account %s): %w", t.AccountID, err)
		}
	}
	c.sawFeatures(st.Features)
	return st, nil
}

// rootFeatureReasons say why a feature is planned, by feature.
var rootFeatureReasons = map[string]string{
	FeatureRootCredentialsManagement: "root credentials management is off: member accounts' root credentials cannot be audited or deleted centrally, and new accounts get a root password; enabling it deletes no credential",
	FeatureRootSessions:              "root sessions are off: privileged root tasks in member accounts need a root password there; enabling them deletes nothing",
}

// Diff plans, in the order they apply: trusted access for IAM, the
// delegated administrator, then each feature the baseline wants that is
// off. It also refuses exclude selectors that name nothing in the
// organization: a misspelt break-glass account would lose its root
// credentials.
func (c *RootAccess) Diff(t Target, observed any) ([]baseline.Change, error) {
	st, _ := observed.(*rootAccessState)
	if st == nil {
		return nil, errors.New("no observation of the organization")
	}
	if err := c.checkExclude(t.Org); err != nil {
		return nil, err
	}
	mgmt := t.Org.ManagementAccountID
	d := orgAccessDiff{
		Control: c.Name(), Management: mgmt, Principal: IAMPrincipal,
		TrustedAccess: st.TrustedAccess,
		EnableReason:  "trusted access for IAM is not enabled in the organization; centralized root access needs it",
		AdminResource: rootDelegatedResource,
	}
	if a := st.Admin; a != nil {
		if a.ID == mgmt {
			return nil, fmt.Errorf("controls.rootAccess.delegatedAdministrator (%q) names the management account %s, which manages root access without being registered (it cannot be): name a member account, or remove delegatedAdministrator", c.want.DelegatedAdministrator, a.Label())
		}
		if a.State != "" && a.State != "ACTIVE" {
			return nil, fmt.Errorf("IAM's delegated administrator for root access, %s (alias %q), is %s; point controls.rootAccess.delegatedAdministrator at an ACTIVE account", a.Label(), c.want.DelegatedAdministrator, a.State)
		}
		d.Admin, d.AdminName, d.Registered = a.ID, a.Name, slices.Contains(st.Delegated, a.ID)
		d.RegisterReason = fmt.Sprintf("%s (alias %q) is not IAM's delegated administrator", a.Label(), c.want.DelegatedAdministrator)
	}
	out := diffOrgAccess(d)
	for _, f := range c.features() {
		if st.has(f) {
			continue
		}
		out = append(out, baseline.Change{
			Control: c.Name(), Account: mgmt, Resource: rootFeatureResourcePrefix + f, Action: baseline.ActionCreate,
			After: map[string]any{"feature": f}, Reason: rootFeatureReasons[f],
		})
	}
	return out, nil
}

// features are the features the baseline wants on, in the order they are
// enabled.
func (c *RootAccess) features() []string {
	var out []string
	if c.want.CredentialsManagement {
		out = append(out, FeatureRootCredentialsManagement)
	}
	if c.want.RootSessions {
		out = append(out, FeatureRootSessions)
	}
	return out
}

// checkExclude refuses exclude selectors that name an OU or account the
// organization does not have (a tag selector may match none: tags can
// come later).
func (c *RootAccess) checkExclude(o *Org) error {
	if len(c.want.Exclude) == 0 || o == nil || o.Org == nil {
		return nil
	}
	if _, err := o.Select(baseline.Targets{Exclude: c.want.Exclude, IncludeManagementAccount: true}); err != nil {
		return fmt.Errorf("controls.rootAccess.exclude does not match the organization, so no root credentials are planned for deletion anywhere (a misspelt break-glass account would lose its own):\n%w", err)
	}
	return nil
}

// rootOrgAccessErrors word the errors of trusted access and delegated
// administration for rootAccess.
var rootOrgAccessErrors = orgAccessErrors{
	Enable: func(principal, management string) string {
		return fmt.Sprintf("enable trusted access for %s (management account %s)", principal, management)
	},
	Register: func(account, principal, _ string) string {
		return fmt.Sprintf("register account %s as delegated administrator for %s", account, principal)
	},
}

// Apply makes one change in the management account. Enabling trusted
// access or a feature that is already on is no error to AWS; an account
// already registered is success. A feature enabled right after trusted
// access may meet IAM's "trusted access is not enabled" while the
// organization tells IAM: that answer is retried, bounded, when this run
// enabled trusted access.
func (c *RootAccess) Apply(ctx context.Context, t Target, ch baseline.Change) error {
	switch {
	case ch.Resource == rootTrustedAccessResource:
		if err := applyOrgAccess(ctx, c.newOrg(t.Config), ch, IAMPrincipal, rootOrgAccessErrors); err != nil {
			return err
		}
		c.enabled.note(rootTrustedAccessResource, "")
		return nil
	case ch.Resource == rootDelegatedResource:
		return applyOrgAccess(ctx, c.newOrg(t.Config), ch, IAMPrincipal, rootOrgAccessErrors)
	case strings.HasPrefix(ch.Resource, rootFeatureResourcePrefix):
		f := strings.TrimPrefix(ch.Resource, rootFeatureResourcePrefix)
		api := c.newIAM(t.Config)
		enable := func(ctx context.Context) error {
			var err error
			switch f {
			case FeatureRootCredentialsManagement:
				_, err = api.EnableOrganizationsRootCredentialsManagement(ctx, &iam.EnableOrganizationsRootCredentialsManagementInput{})
			case FeatureRootSessions:
				_, err = api.EnableOrganizationsRootSessions(ctx, &iam.EnableOrganizationsRootSessionsInput{})
			default:
				return fmt.Errorf("rootAccess cannot enable the feature %q; the plan was not made by this version of orgbaseline", f)
			}
			return err
		}
		notYet := func(err error) bool {
			return c.enabled.has(rootTrustedAccessResource) && isAPIError(err, "ServiceAccessNotEnabledException", "ServiceAccessNotEnabled")
		}
		what := fmt.Sprintf("IAM to see trusted access for %s enabled in the organization", IAMPrincipal)
		if err := t.Wait.For(ch.Account, "").Retry(ctx, what, notYet, enable); err != nil {
			return fmt.Errorf("enable %s (iam:EnableOrganizations%s, management account %s): %w", f, f, ch.Account, err)
		}
		c.enabled.note(ch.Resource, "")
		return nil
	}
	return fmt.Errorf("rootAccess cannot %s %s; the plan was not made by this version of orgbaseline", ch.Action, ch.Resource)
}

// Findings report, in the management account, whether each feature the
// baseline wants is on (CIS AWS Foundations 7.0 2.1.1 for root
// credentials management). Each member account's own findings are the
// rootCredentials control's.
func (c *RootAccess) Findings(t Target, observed any) []baseline.Finding {
	st, _ := observed.(*rootAccessState)
	if st == nil {
		return nil
	}
	resource := t.Org.ARN("organizations", "", t.AccountID, "organization/"+t.Org.ID)
	var out []baseline.Finding
	for _, f := range []struct {
		feature, check, title, off string
		severity                   baseline.Severity
	}{
		{FeatureRootCredentialsManagement, "rootAccess.credentialsManagement", "Root credentials of member accounts are managed centrally",
			"root credentials management is off: member accounts keep root credentials that only their own root user can remove, and new accounts get one", baseline.SeverityHigh},
		{FeatureRootSessions, "rootAccess.rootSessions", "Privileged root tasks in member accounts run in short central sessions",
			"root sessions are off: a privileged root task in a member account needs that account's root password", baseline.SeverityLow},
	} {
		if f.feature == FeatureRootSessions && !c.want.RootSessions {
			continue
		}
		fd := baseline.Finding{
			Check: f.check, Source: "control:" + c.Name(), Account: t.AccountID, AccountName: t.AccountName, Resource: resource,
			Status: baseline.StatusPass, Severity: f.severity, Title: f.title,
			Message:    fmt.Sprintf("%s is enabled in the organization", f.feature),
			Compliance: baseline.References(f.check), Evidence: map[string]any{"enabledFeatures": st.Features, "trustedAccess": st.TrustedAccess},
		}
		if !st.has(f.feature) {
			fd.Status, fd.Message = baseline.StatusFail, f.off
			fd.Remediation = "run `orgbaseline apply` to enable it (it deletes no credential)"
		}
		out = append(out, fd)
	}
	return out
}
