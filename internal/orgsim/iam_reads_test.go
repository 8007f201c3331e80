package orgsim_test

import (
	"sort"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/iam"
	"github.com/aws/aws-sdk-go-v2/service/iam/types"
	"github.com/aws/aws-sdk-go-v2/service/organizations"

	"github.com/orgbaseline/orgbaseline/internal/orgsim"
)

// TestIAMTagLists: ListUserTags, ListRoleTags and ListPolicyTags answer the
// tags sorted by key, paged with Marker/MaxItems, and NoSuchEntity for an
// entity that does not exist.
func TestIAMTagLists(t *testing.T) {
	e := newEnv(t, orgsim.Options{Seed: 1})
	c := e.iam(e.cfg)
	tags := []types.Tag{{Key: aws.String("team"), Value: aws.String("sec")}, {Key: aws.String("cost"), Value: aws.String("42")}, {Key: aws.String("env"), Value: aws.String("")}}
	_, err := c.CreateUser(bg, &iam.CreateUserInput{UserName: aws.String("tagged"), Tags: tags})
	iamTNoErr(t, err, "CreateUser")
	_, err = c.CreateRole(bg, &iam.CreateRoleInput{RoleName: aws.String("tagged"), AssumeRolePolicyDocument: aws.String(iamTTrustEC2), Tags: tags})
	iamTNoErr(t, err, "CreateRole")
	p, err := c.CreatePolicy(bg, &iam.CreatePolicyInput{PolicyName: aws.String("tagged"), PolicyDocument: aws.String(iamTReadS3), Tags: tags})
	iamTNoErr(t, err, "CreatePolicy")

	want := "cost=42 env= team=sec"
	join := func(ts []types.Tag) string {
		var s []string
		for _, x := range ts {
			s = append(s, aws.ToString(x.Key)+"="+aws.ToString(x.Value))
		}
		return strings.Join(s, " ")
	}
	// Two pages of at most 2.
	var got []types.Tag
	var marker *string
	for page := 0; ; page++ {
		out, err := c.ListUserTags(bg, &iam.ListUserTagsInput{UserName: aws.String("TAGGED"), MaxItems: aws.Int32(2), Marker: marker})
		iamTNoErr(t, err, "ListUserTags")
		got = append(got, out.Tags...)
		if !out.IsTruncated {
			if page != 1 || out.Marker != nil {
				t.Fatalf("last page %d, marker %v", page, out.Marker)
			}
			break
		}
		marker = out.Marker
	}
	if join(got) != want {
		t.Errorf("user tags %s, want %s", join(got), want)
	}
	rt, err := c.ListRoleTags(bg, &iam.ListRoleTagsInput{RoleName: aws.String("tagged")})
	iamTNoErr(t, err, "ListRoleTags")
	pt, err := c.ListPolicyTags(bg, &iam.ListPolicyTagsInput{PolicyArn: p.Policy.Arn})
	iamTNoErr(t, err, "ListPolicyTags")
	if join(rt.Tags) != want || join(pt.Tags) != want {
		t.Errorf("role tags %s, policy tags %s, want %s", join(rt.Tags), join(pt.Tags), want)
	}
	am, err := c.ListPolicyTags(bg, &iam.ListPolicyTagsInput{PolicyArn: aws.String("arn:aws:iam::aws:policy/ReadOnlyAccess")})
	iamTNoErr(t, err, "ListPolicyTags (AWS managed)")
	if len(am.Tags) != 0 || am.Tags == nil {
		t.Errorf("AWS managed policy tags %v (nil %v), want an empty list", am.Tags, am.Tags == nil)
	}

	_, err = c.ListUserTags(bg, &iam.ListUserTagsInput{UserName: aws.String("nobody")})
	iamTWant(t, err, "NoSuchEntity", 404, "The user with name nobody cannot be found.")
	_, err = c.ListRoleTags(bg, &iam.ListRoleTagsInput{RoleName: aws.String("nobody")})
	iamTWant(t, err, "NoSuchEntity", 404, "The role with name nobody cannot be found.")
	_, err = c.ListPolicyTags(bg, &iam.ListPolicyTagsInput{PolicyArn: aws.String("arn:aws:iam::" + e.sim.ManagementAccountID() + ":policy/nope")})
	iamTWant(t, err, "NoSuchEntity", 404, "was not found")
	_, err = c.ListUserTags(bg, &iam.ListUserTagsInput{UserName: aws.String("tagged"), MaxItems: aws.Int32(0)})
	iamTWant(t, err, "ValidationError", 400, "Value '0' at 'maxItems' failed to satisfy constraint: Member must have value greater than or equal to 1")
	_, err = c.ListRoleTags(bg, &iam.ListRoleTagsInput{RoleName: aws.String("tagged"), Marker: aws.String("not-a-marker")})
	iamTWant(t, err, "ValidationError", 400, "Invalid Marker")
}

// TestIAMListsOfWhatOrgsimDoesNotModel: a seeded account has no account
// alias, instance profile, identity provider, certificate, SSH key or
// service-specific credential; AWS answers an empty list for each, after
// the same validation and NoSuchEntity for a missing user or role.
func TestIAMListsOfWhatOrgsimDoesNotModel(t *testing.T) {
	e := newEnv(t, orgsim.Options{Seed: 1, Org: orgsim.OrgSpec{Members: 1}})
	c := e.iam(e.cfg)

	al, err := c.ListAccountAliases(bg, &iam.ListAccountAliasesInput{})
	iamTNoErr(t, err, "ListAccountAliases")
	ip, err := c.ListInstanceProfiles(bg, &iam.ListInstanceProfilesInput{PathPrefix: aws.String("/")})
	iamTNoErr(t, err, "ListInstanceProfiles")
	_, err = c.CreateRole(bg, &iam.CreateRoleInput{RoleName: aws.String("ec2-role"), AssumeRolePolicyDocument: aws.String(iamTTrustEC2)})
	iamTNoErr(t, err, "CreateRole")
	ipr, err := c.ListInstanceProfilesForRole(bg, &iam.ListInstanceProfilesForRoleInput{RoleName: aws.String("ec2-role")})
	iamTNoErr(t, err, "ListInstanceProfilesForRole")
	saml, err := c.ListSAMLProviders(bg, &iam.ListSAMLProvidersInput{})
	iamTNoErr(t, err, "ListSAMLProviders")
	oidc, err := c.ListOpenIDConnectProviders(bg, &iam.ListOpenIDConnectProvidersInput{})
	iamTNoErr(t, err, "ListOpenIDConnectProviders")
	sc, err := c.ListServerCertificates(bg, &iam.ListServerCertificatesInput{})
	iamTNoErr(t, err, "ListServerCertificates")
	sig, err := c.ListSigningCertificates(bg, &iam.ListSigningCertificatesInput{UserName: aws.String("orgsim-admin")})
	iamTNoErr(t, err, "ListSigningCertificates")
	ssh, err := c.ListSSHPublicKeys(bg, &iam.ListSSHPublicKeysInput{UserName: aws.String("orgsim-admin")})
	iamTNoErr(t, err, "ListSSHPublicKeys")
	ssc, err := c.ListServiceSpecificCredentials(bg, &iam.ListServiceSpecificCredentialsInput{UserName: aws.String("orgsim-admin")})
	iamTNoErr(t, err, "ListServiceSpecificCredentials")
	// The caller (orgsim-admin) is the user when UserName is omitted.
	_, err = c.ListSigningCertificates(bg, &iam.ListSigningCertificatesInput{})
	iamTNoErr(t, err, "ListSigningCertificates (caller)")
	for what, n := range map[string]int{
		"aliases": len(al.AccountAliases), "instance profiles": len(ip.InstanceProfiles), "profiles for role": len(ipr.InstanceProfiles),
		"SAML": len(saml.SAMLProviderList), "OIDC": len(oidc.OpenIDConnectProviderList), "server certificates": len(sc.ServerCertificateMetadataList),
		"signing certificates": len(sig.Certificates), "SSH keys": len(ssh.SSHPublicKeys), "service-specific": len(ssc.ServiceSpecificCredentials),
	} {
		if n != 0 {
			t.Errorf("%s: %d, want none", what, n)
		}
	}
	if al.AccountAliases == nil || al.IsTruncated || ip.IsTruncated {
		t.Errorf("AccountAliases nil %v, truncated %v %v: AWS writes an empty required list", al.AccountAliases == nil, al.IsTruncated, ip.IsTruncated)
	}

	_, err = c.ListInstanceProfilesForRole(bg, &iam.ListInstanceProfilesForRoleInput{RoleName: aws.String("nobody")})
	iamTWant(t, err, "NoSuchEntity", 404, "The role with name nobody cannot be found.")
	_, err = c.ListSigningCertificates(bg, &iam.ListSigningCertificatesInput{UserName: aws.String("nobody")})
	iamTWant(t, err, "NoSuchEntity", 404, "The user with name nobody cannot be found.")
	_, err = c.ListSSHPublicKeys(bg, &iam.ListSSHPublicKeysInput{UserName: aws.String("nobody")})
	iamTWant(t, err, "NoSuchEntity", 404, "The user with name nobody cannot be found.")
	_, err = c.ListInstanceProfiles(bg, &iam.ListInstanceProfilesInput{PathPrefix: aws.String("no-slash")})
	iamTWant(t, err, "ValidationError", 400, "at 'pathPrefix' failed to satisfy constraint")
	_, err = c.ListAccountAliases(bg, &iam.ListAccountAliasesInput{MaxItems: aws.Int32(1001)})
	iamTWant(t, err, "ValidationError", 400, "Member must have value less than or equal to 1000")
	_, err = c.ListAccountAliases(bg, &iam.ListAccountAliasesInput{Marker: aws.String("bogus")})
	iamTWant(t, err, "ValidationError", 400, "Invalid Marker")

	// Their tags: nothing of the kind exists.
	_, err = c.ListServerCertificateTags(bg, &iam.ListServerCertificateTagsInput{ServerCertificateName: aws.String("web")})
	iamTWant(t, err, "NoSuchEntity", 404, "web")
	_, err = c.ListInstanceProfileTags(bg, &iam.ListInstanceProfileTagsInput{InstanceProfileName: aws.String("ec2")})
	iamTWant(t, err, "NoSuchEntity", 404, "ec2")
	_, err = c.ListSAMLProviderTags(bg, &iam.ListSAMLProviderTagsInput{SAMLProviderArn: aws.String("arn:aws:iam::" + e.sim.ManagementAccountID() + ":saml-provider/idp")})
	iamTWant(t, err, "NoSuchEntity", 404, "saml-provider/idp")
	_, err = c.ListOpenIDConnectProviderTags(bg, &iam.ListOpenIDConnectProviderTagsInput{OpenIDConnectProviderArn: aws.String("arn:aws:iam::" + e.sim.ManagementAccountID() + ":oidc-provider/example.com")})
	iamTWant(t, err, "NoSuchEntity", 404, "oidc-provider/example.com")
	_, err = c.ListInstanceProfileTags(bg, &iam.ListInstanceProfileTagsInput{InstanceProfileName: aws.String("has space")})
	iamTWant(t, err, "ValidationError", 400, "at 'instanceProfileName' failed to satisfy constraint")

	// A role session has no user to default to.
	member := e.sim.Accounts()[1].ID
	rc := e.iam(e.assume(member, orgsim.DefaultExecutionRole))
	_, err = rc.ListSSHPublicKeys(bg, &iam.ListSSHPublicKeysInput{})
	iamTWant(t, err, "ValidationError", 400, "Must specify userName when calling with non-User credentials")
}

// TestIAMAccountAuthorizationDetails: every user, group, role and the
// managed policies in use, with their policies, agree with the List and Get
// calls, across pages, and Filter narrows them.
func TestIAMAccountAuthorizationDetails(t *testing.T) {
	e := newEnv(t, orgsim.Options{Seed: 3, Org: orgsim.OrgSpec{Members: 2}})
	member := e.sim.Accounts()[1].ID
	c := e.iam(e.assume(member, orgsim.DefaultExecutionRole))
	_, err := c.PutRolePolicy(bg, &iam.PutRolePolicyInput{RoleName: aws.String(orgsim.DefaultExecutionRole), PolicyName: aws.String("inline"), PolicyDocument: aws.String(iamTReadS3)})
	iamTNoErr(t, err, "PutRolePolicy")

	var users []types.UserDetail
	var groups []types.GroupDetail
	var roles []types.RoleDetail
	var policies []types.ManagedPolicyDetail
	pages := 0
	p := iam.NewGetAccountAuthorizationDetailsPaginator(c, &iam.GetAccountAuthorizationDetailsInput{MaxItems: aws.Int32(3)})
	for p.HasMorePages() {
		out, err := p.NextPage(bg)
		iamTNoErr(t, err, "GetAccountAuthorizationDetails")
		pages++
		if n := len(out.UserDetailList) + len(out.GroupDetailList) + len(out.RoleDetailList) + len(out.Policies); n > 3 || (n < 3 && out.IsTruncated) {
			t.Fatalf("page %d holds %d items (truncated %v)", pages, n, out.IsTruncated)
		}
		users = append(users, out.UserDetailList...)
		groups = append(groups, out.GroupDetailList...)
		roles = append(roles, out.RoleDetailList...)
		policies = append(policies, out.Policies...)
	}
	if pages < 2 {
		t.Fatalf("%d pages: the seeded account should need more than one of 3 items", pages)
	}

	lu, err := c.ListUsers(bg, &iam.ListUsersInput{})
	iamTNoErr(t, err, "ListUsers")
	lg, err := c.ListGroups(bg, &iam.ListGroupsInput{})
	iamTNoErr(t, err, "ListGroups")
	lr, err := c.ListRoles(bg, &iam.ListRolesInput{})
	iamTNoErr(t, err, "ListRoles")
	if len(users) != len(lu.Users) || len(groups) != len(lg.Groups) || len(roles) != len(lr.Roles) {
		t.Fatalf("details: %d users, %d groups, %d roles; lists: %d, %d, %d", len(users), len(groups), len(roles), len(lu.Users), len(lg.Groups), len(lr.Roles))
	}
	for _, u := range users {
		ap, err := c.ListAttachedUserPolicies(bg, &iam.ListAttachedUserPoliciesInput{UserName: u.UserName})
		iamTNoErr(t, err, "ListAttachedUserPolicies")
		gu, err := c.ListGroupsForUser(bg, &iam.ListGroupsForUserInput{UserName: u.UserName})
		iamTNoErr(t, err, "ListGroupsForUser")
		if len(ap.AttachedPolicies) != len(u.AttachedManagedPolicies) || len(gu.Groups) != len(u.GroupList) || u.Arn == nil || u.CreateDate == nil {
			t.Errorf("user %s: details %+v, attached %d, groups %d", aws.ToString(u.UserName), u, len(ap.AttachedPolicies), len(gu.Groups))
		}
	}
	var exec *types.RoleDetail
	for i, r := range roles {
		if aws.ToString(r.RoleName) == orgsim.DefaultExecutionRole {
			exec = &roles[i]
		}
	}
	if exec == nil || len(exec.RolePolicyList) != 1 || aws.ToString(exec.RolePolicyList[0].PolicyName) != "inline" ||
		!strings.Contains(aws.ToString(exec.RolePolicyList[0].PolicyDocument), "s3%3AGetObject") ||
		len(exec.AttachedManagedPolicies) != 1 || aws.ToString(exec.AttachedManagedPolicies[0].PolicyArn) != "arn:aws:iam::aws:policy/AdministratorAccess" ||
		!strings.Contains(aws.ToString(exec.AssumeRolePolicyDocument), "sts%3AAssumeRole") {
		t.Fatalf("execution role details: %+v", exec)
	}

	// Policies: the account's own, and the AWS managed ones in use, each
	// with its versions.
	local, err := c.ListPolicies(bg, &iam.ListPoliciesInput{Scope: types.PolicyScopeTypeLocal})
	iamTNoErr(t, err, "ListPolicies Local")
	used, err := c.ListPolicies(bg, &iam.ListPoliciesInput{Scope: types.PolicyScopeTypeAws, OnlyAttached: true})
	iamTNoErr(t, err, "ListPolicies AWS attached")
	var gotARNs, wantARNs []string
	for _, x := range policies {
		gotARNs = append(gotARNs, aws.ToString(x.Arn))
		if len(x.PolicyVersionList) == 0 || x.DefaultVersionId == nil {
			t.Errorf("policy %s without versions", aws.ToString(x.Arn))
		}
		for _, v := range x.PolicyVersionList {
			if v.IsDefaultVersion != (aws.ToString(v.VersionId) == aws.ToString(x.DefaultVersionId)) || aws.ToString(v.Document) == "" {
				t.Errorf("policy %s version %+v", aws.ToString(x.Arn), v)
			}
		}
	}
	for _, x := range append(local.Policies, used.Policies...) {
		wantARNs = append(wantARNs, aws.ToString(x.Arn))
	}
	sort.Strings(gotARNs)
	sort.Strings(wantARNs)
	if strings.Join(gotARNs, " ") != strings.Join(wantARNs, " ") {
		t.Errorf("policies\n got %v\nwant %v", gotARNs, wantARNs)
	}

	// Filter.
	f, err := c.GetAccountAuthorizationDetails(bg, &iam.GetAccountAuthorizationDetailsInput{Filter: []types.EntityType{types.EntityTypeRole, types.EntityTypeAWSManagedPolicy}})
	iamTNoErr(t, err, "GetAccountAuthorizationDetails Filter")
	if len(f.UserDetailList) != 0 || len(f.GroupDetailList) != 0 || len(f.RoleDetailList) != len(roles) || len(f.Policies) != len(used.Policies) || f.IsTruncated {
		t.Errorf("filtered: %d users, %d groups, %d roles, %d policies", len(f.UserDetailList), len(f.GroupDetailList), len(f.RoleDetailList), len(f.Policies))
	}
	_, err = c.GetAccountAuthorizationDetails(bg, &iam.GetAccountAuthorizationDetailsInput{Filter: []types.EntityType{"Users"}})
	iamTWant(t, err, "ValidationError", 400, "Value '[Users]' at 'filter' failed to satisfy constraint")
	_, err = c.GetAccountAuthorizationDetails(bg, &iam.GetAccountAuthorizationDetailsInput{Marker: aws.String("x")})
	iamTWant(t, err, "ValidationError", 400, "Invalid Marker")
}

// TestIAMListOrganizationsFeatures: centralized root access is listed only
// for the management account (or IAM's delegated administrator) of an
// organization with all features and trusted access for IAM; orgsim
// enables no feature.
func TestIAMListOrganizationsFeatures(t *testing.T) {
	e := newEnv(t, orgsim.Options{Seed: 1, Org: orgsim.OrgSpec{Members: 1}})
	c := e.iam(e.cfg)
	_, err := c.ListOrganizationsFeatures(bg, &iam.ListOrganizationsFeaturesInput{})
	iamTWant(t, err, "ServiceAccessNotEnabledException", 400, "trusted access is not enabled")
	_, err = e.orgs(e.cfg).EnableAWSServiceAccess(bg, &organizations.EnableAWSServiceAccessInput{ServicePrincipal: aws.String("iam.amazonaws.com")})
	iamTNoErr(t, err, "EnableAWSServiceAccess")
	out, err := c.ListOrganizationsFeatures(bg, &iam.ListOrganizationsFeaturesInput{})
	iamTNoErr(t, err, "ListOrganizationsFeatures")
	if aws.ToString(out.OrganizationId) != e.sim.OrganizationID() || len(out.EnabledFeatures) != 0 {
		t.Errorf("features: %s %v", aws.ToString(out.OrganizationId), out.EnabledFeatures)
	}
	member := e.iam(e.assume(e.sim.Accounts()[1].ID, orgsim.DefaultExecutionRole))
	_, err = member.ListOrganizationsFeatures(bg, &iam.ListOrganizationsFeaturesInput{})
	iamTWant(t, err, "AccountNotManagementOrDelegatedAdministratorException", 400, "")
}

// TestIAMPolicyListPathPrefixes: ListPolicies takes a policy path
// (policyPathType) and ListEntitiesForPolicy an entity path (pathType) as
// PathPrefix, each with its own pattern in IAM's model.
func TestIAMPolicyListPathPrefixes(t *testing.T) {
	e := newEnv(t, orgsim.Options{Seed: 1})
	c := e.iam(e.cfg)
	admin := aws.String("arn:aws:iam::aws:policy/AdministratorAccess")
	_, err := c.ListPolicies(bg, &iam.ListPoliciesInput{PathPrefix: aws.String("/service-role")})
	iamTWant(t, err, "ValidationError", 400, "Member must satisfy regular expression pattern: ((/[A-Za-z0-9\\.,\\+@=_-]+)*)/")
	_, err = c.ListPolicies(bg, &iam.ListPoliciesInput{PathPrefix: aws.String("/service-role/")})
	iamTNoErr(t, err, "ListPolicies /service-role/")
	_, err = c.ListEntitiesForPolicy(bg, &iam.ListEntitiesForPolicyInput{PolicyArn: admin, PathPrefix: aws.String("/team")})
	iamTWant(t, err, "ValidationError", 400, "Member must satisfy regular expression pattern: (\\u002F)|(\\u002F[\\u0021-\\u007E]+\\u002F)")
	out, err := c.ListEntitiesForPolicy(bg, &iam.ListEntitiesForPolicyInput{PolicyArn: admin, PathPrefix: aws.String("/")})
	iamTNoErr(t, err, "ListEntitiesForPolicy /")
	if out.PolicyGroups == nil || out.PolicyUsers == nil || out.PolicyRoles == nil {
		t.Errorf("empty lists left out: groups %v users %v roles %v", out.PolicyGroups, out.PolicyUsers, out.PolicyRoles)
	}
}
