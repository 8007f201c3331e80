package controls

// Organizations trusted access and delegated administration, shared by
// the controls whose service works across the organization
// (organizationTrail for CloudTrail, accessAnalyzer for IAM Access
// Analyzer, configOrganization for the AWS Config aggregator).
//
// Such a service needs two things from AWS Organizations, both done in the
// management account: trusted access enabled for its service principal
// (EnableAWSServiceAccess), and, when a member account is to manage it, that
// account registered as a delegated administrator for the principal
// (RegisterDelegatedAdministrator). This file observes both
// (observeOrgAccess), plans the changes that are missing (diffOrgAccess) and
// makes them idempotently (applyOrgAccess). organizationTrail applies its
// registration with CloudTrail's own RegisterOrganizationDelegatedAdmin
// instead, which also creates CloudTrail's service-linked role
// (orgtrail.go); the registration shows in ListDelegatedAdministrators all
// the same. Each control still decides when it needs them and words its
// own reasons and errors; the changes
// themselves (resources, After keys) are what the controls have always
// planned, so saved plans stay valid.

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/organizations"
	orgtypes "github.com/aws/aws-sdk-go-v2/service/organizations/types"
	"github.com/aws/smithy-go"

	"github.com/orgbaseline/orgbaseline/baseline"
)

// TrustedAccessAPI is the part of the Organizations client that trusted
// service access and delegated administrators need.
type TrustedAccessAPI interface {
	organizations.ListAWSServiceAccessForOrganizationAPIClient
	organizations.ListDelegatedAdministratorsAPIClient
	EnableAWSServiceAccess(context.Context, *organizations.EnableAWSServiceAccessInput, ...func(*organizations.Options)) (*organizations.EnableAWSServiceAccessOutput, error)
	RegisterDelegatedAdministrator(context.Context, *organizations.RegisterDelegatedAdministratorInput, ...func(*organizations.Options)) (*organizations.RegisterDelegatedAdministratorOutput, error)
}

var _ TrustedAccessAPI = (*organizations.Client)(nil)

// The resources of the changes, each followed by the service principal
// (and, for some controls, "/" and the account registered).
const (
	trustedAccessPrefix  = "organizations/trusted-access/"
	delegatedAdminPrefix = "organizations/delegated-administrator/"
)

// listAdmins says when observeOrgAccess lists the delegated
// administrators.
type listAdmins int

const (
	listAdminsNever     listAdmins = iota // no account is to be registered
	listAdminsAlways                      // whatever trusted access is
	listAdminsIfTrusted                   // only with trusted access enabled; without it there can be none
)

// orgAccess is what observeOrgAccess read for one service principal.
type orgAccess struct {
	TrustedAccess bool     // trusted access is enabled
	Delegated     []string // the delegated administrators' account ids, sorted; nil when not listed
}

// registered reports whether account is a delegated administrator.
func (a orgAccess) registered(account string) bool {
	return slices.Contains(a.Delegated, account)
}

// observeOrgAccess reads, with the management account's api, whether
// trusted access is enabled for principal and, as admins says, who its
// delegated administrators are. accessErr and adminsErr begin the error of
// a failed list call (the control's wording); ": " and the AWS error
// follow.
func observeOrgAccess(ctx context.Context, api TrustedAccessAPI, principal string, admins listAdmins, accessErr, adminsErr string) (orgAccess, error) {
	var out orgAccess
	sa := organizations.NewListAWSServiceAccessForOrganizationPaginator(api, &organizations.ListAWSServiceAccessForOrganizationInput{})
	for sa.HasMorePages() && !out.TrustedAccess {
		page, err := sa.NextPage(ctx)
		if err != nil {
			return orgAccess{}, fmt.Errorf("%s: %w", accessErr, err)
		}
		for _, s := range page.EnabledServicePrincipals {
			if aws.ToString(s.ServicePrincipal) == principal {
				out.TrustedAccess = true
			}
		}
	}
	if admins == listAdminsNever || admins == listAdminsIfTrusted && !out.TrustedAccess {
		return out, nil
	}
	da := organizations.NewListDelegatedAdministratorsPaginator(api, &organizations.ListDelegatedAdministratorsInput{ServicePrincipal: aws.String(principal)})
	for da.HasMorePages() {
		page, err := da.NextPage(ctx)
		if err != nil {
			return orgAccess{}, fmt.Errorf("%s: %w", adminsErr, err)
		}
		for _, d := range page.DelegatedAdministrators {
			out.Delegated = append(out.Delegated, aws.ToString(d.Id))
		}
	}
	slices.Sort(out.Delegated)
	return out, nil
}

// orgAccessDiff is what diffOrgAccess plans from: the observed state and
// how the control words and names its changes.
type orgAccessDiff struct {
	Control    string // the control planning the changes
	Management string // the management account, where both changes apply
	Principal  string

	TrustedAccess bool   // observed: trusted access is enabled
	EnableReason  string // the Reason of the change enabling it

	// Admin is the account to register as delegated administrator; ""
	// when none is to be (the management account needs no registration).
	Admin      string
	Registered bool // observed: Admin is registered
	// AdminName, when set, is recorded in the registration's After as
	// accountName.
	AdminName      string
	AdminResource  string // the Resource of the registration change
	RegisterReason string // its Reason
}

// diffOrgAccess returns the changes d calls for, in the order they apply:
// enable trusted access for the principal, then register the delegated
// administrator. Both are creates in the management account with no
// region; After carries servicePrincipal (and accountId, and accountName
// when d.AdminName is set).
func diffOrgAccess(d orgAccessDiff) []baseline.Change {
	var out []baseline.Change
	if !d.TrustedAccess {
		out = append(out, baseline.Change{
			Control: d.Control, Account: d.Management, Resource: trustedAccessPrefix + d.Principal, Action: baseline.ActionCreate,
			After:  map[string]any{"servicePrincipal": d.Principal},
			Reason: d.EnableReason,
		})
	}
	if d.Admin != "" && !d.Registered {
		after := map[string]any{"servicePrincipal": d.Principal, "accountId": d.Admin}
		if d.AdminName != "" {
			after["accountName"] = d.AdminName
		}
		out = append(out, baseline.Change{
			Control: d.Control, Account: d.Management, Resource: d.AdminResource, Action: baseline.ActionCreate,
			After:  after,
			Reason: d.RegisterReason,
		})
	}
	return out
}

// orgAccessErrors word the errors of applyOrgAccess for a control: each
// returns the text before ": " and the AWS error. management is the
// account the change runs in.
type orgAccessErrors struct {
	Enable   func(principal, management string) string
	Register func(account, principal, management string) string
}

// applyOrgAccess makes a change diffOrgAccess planned, in the management
// account api acts in: it enables trusted access for principal, or
// registers the account the change's After names as a delegated
// administrator for it, telling them apart by the resource. Both are
// idempotent: trusted access already enabled is no error to AWS, and an
// account already registered is success.
func applyOrgAccess(ctx context.Context, api TrustedAccessAPI, ch baseline.Change, principal string, words orgAccessErrors) error {
	switch {
	case strings.HasPrefix(ch.Resource, trustedAccessPrefix):
		if _, err := api.EnableAWSServiceAccess(ctx, &organizations.EnableAWSServiceAccessInput{ServicePrincipal: aws.String(principal)}); err != nil {
			return fmt.Errorf("%s: %w", words.Enable(principal, ch.Account), err)
		}
		return nil
	case strings.HasPrefix(ch.Resource, delegatedAdminPrefix):
		var admin struct {
			AccountID string `json:"accountId"`
		}
		if err := ch.DecodeAfter(&admin); err != nil {
			return err
		}
		_, err := api.RegisterDelegatedAdministrator(ctx, &organizations.RegisterDelegatedAdministratorInput{
			AccountId: aws.String(admin.AccountID), ServicePrincipal: aws.String(principal)})
		if err != nil && !alreadyRegistered(err) {
			return fmt.Errorf("%s: %w", words.Register(admin.AccountID, principal, ch.Account), err)
		}
		return nil
	}
	return fmt.Errorf("%s %s: not an Organizations trusted access or delegated administrator change", ch.Control, ch.Resource)
}

// alreadyRegistered reports whether err says the account is already a
// delegated administrator for the principal.
func alreadyRegistered(err error) bool {
	var already *orgtypes.AccountAlreadyRegisteredException
	var ae smithy.APIError
	return errors.As(err, &already) || errors.As(err, &ae) && ae.ErrorCode() == "AccountAlreadyRegisteredException"
}
