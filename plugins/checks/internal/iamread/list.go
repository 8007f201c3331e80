package iamread

import (
	"context"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/iam"
	"github.com/aws/aws-sdk-go-v2/service/iam/types"
)

// The listings below read every page with the SDK's paginators and return
// the whole list, or a *CallError naming the action.

// Users lists every IAM user.
func Users(ctx context.Context, api iam.ListUsersAPIClient) ([]types.User, error) {
	var out []types.User
	p := iam.NewListUsersPaginator(api, &iam.ListUsersInput{})
	for p.HasMorePages() {
		page, err := p.NextPage(ctx)
		if err != nil {
			return nil, callErr("iam:ListUsers", err)
		}
		out = append(out, page.Users...)
	}
	return out, nil
}

// Groups lists every IAM group.
func Groups(ctx context.Context, api iam.ListGroupsAPIClient) ([]types.Group, error) {
	var out []types.Group
	p := iam.NewListGroupsPaginator(api, &iam.ListGroupsInput{})
	for p.HasMorePages() {
		page, err := p.NextPage(ctx)
		if err != nil {
			return nil, callErr("iam:ListGroups", err)
		}
		out = append(out, page.Groups...)
	}
	return out, nil
}

// Roles lists every IAM role, trust policies included.
func Roles(ctx context.Context, api iam.ListRolesAPIClient) ([]types.Role, error) {
	var out []types.Role
	p := iam.NewListRolesPaginator(api, &iam.ListRolesInput{})
	for p.HasMorePages() {
		page, err := p.NextPage(ctx)
		if err != nil {
			return nil, callErr("iam:ListRoles", err)
		}
		out = append(out, page.Roles...)
	}
	return out, nil
}

// AttachedCustomerPolicies lists the account's own (customer managed)
// policies that are attached to at least one user, group or role.
func AttachedCustomerPolicies(ctx context.Context, api iam.ListPoliciesAPIClient) ([]types.Policy, error) {
	var out []types.Policy
	p := iam.NewListPoliciesPaginator(api, &iam.ListPoliciesInput{Scope: types.PolicyScopeTypeLocal, OnlyAttached: true})
	for p.HasMorePages() {
		page, err := p.NextPage(ctx)
		if err != nil {
			return nil, callErr("iam:ListPolicies", err)
		}
		out = append(out, page.Policies...)
	}
	return out, nil
}

// AttachedUserPolicies lists the managed policies attached to a user.
func AttachedUserPolicies(ctx context.Context, api iam.ListAttachedUserPoliciesAPIClient, user string) ([]types.AttachedPolicy, error) {
	var out []types.AttachedPolicy
	p := iam.NewListAttachedUserPoliciesPaginator(api, &iam.ListAttachedUserPoliciesInput{UserName: aws.String(user)})
	for p.HasMorePages() {
		page, err := p.NextPage(ctx)
		if err != nil {
			return nil, callErr("iam:ListAttachedUserPolicies", err)
		}
		out = append(out, page.AttachedPolicies...)
	}
	return out, nil
}

// UserPolicyNames lists the names of a user's inline policies.
func UserPolicyNames(ctx context.Context, api iam.ListUserPoliciesAPIClient, user string) ([]string, error) {
	var out []string
	p := iam.NewListUserPoliciesPaginator(api, &iam.ListUserPoliciesInput{UserName: aws.String(user)})
	for p.HasMorePages() {
		page, err := p.NextPage(ctx)
		if err != nil {
			return nil, callErr("iam:ListUserPolicies", err)
		}
		out = append(out, page.PolicyNames...)
	}
	return out, nil
}

// GroupPolicyNames lists the names of a group's inline policies.
func GroupPolicyNames(ctx context.Context, api iam.ListGroupPoliciesAPIClient, group string) ([]string, error) {
	var out []string
	p := iam.NewListGroupPoliciesPaginator(api, &iam.ListGroupPoliciesInput{GroupName: aws.String(group)})
	for p.HasMorePages() {
		page, err := p.NextPage(ctx)
		if err != nil {
			return nil, callErr("iam:ListGroupPolicies", err)
		}
		out = append(out, page.PolicyNames...)
	}
	return out, nil
}

// RolePolicyNames lists the names of a role's inline policies.
func RolePolicyNames(ctx context.Context, api iam.ListRolePoliciesAPIClient, role string) ([]string, error) {
	var out []string
	p := iam.NewListRolePoliciesPaginator(api, &iam.ListRolePoliciesInput{RoleName: aws.String(role)})
	for p.HasMorePages() {
		page, err := p.NextPage(ctx)
		if err != nil {
			return nil, callErr("iam:ListRolePolicies", err)
		}
		out = append(out, page.PolicyNames...)
	}
	return out, nil
}

// Entities are the users, groups and roles a managed policy is attached
// to, by name.
type Entities struct {
	Users, Groups, Roles []string
}

// Empty reports whether the policy is attached to nothing.
func (e Entities) Empty() bool { return len(e.Users)+len(e.Groups)+len(e.Roles) == 0 }

// EntitiesForPolicy lists where a managed policy is attached; filter ""
// means users, groups and roles.
func EntitiesForPolicy(ctx context.Context, api iam.ListEntitiesForPolicyAPIClient, policyARN string, filter types.EntityType) (Entities, error) {
	var out Entities
	p := iam.NewListEntitiesForPolicyPaginator(api, &iam.ListEntitiesForPolicyInput{PolicyArn: aws.String(policyARN), EntityFilter: filter})
	for p.HasMorePages() {
		page, err := p.NextPage(ctx)
		if err != nil {
			return Entities{}, callErr("iam:ListEntitiesForPolicy", err)
		}
		for _, u := range page.PolicyUsers {
			out.Users = append(out.Users, aws.ToString(u.UserName))
		}
		for _, g := range page.PolicyGroups {
			out.Groups = append(out.Groups, aws.ToString(g.GroupName))
		}
		for _, r := range page.PolicyRoles {
			out.Roles = append(out.Roles, aws.ToString(r.RoleName))
		}
	}
	return out, nil
}
