package orgsim_test

import (
	"errors"
	"fmt"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	awshttp "github.com/aws/aws-sdk-go-v2/aws/transport/http"
	"github.com/aws/aws-sdk-go-v2/service/organizations"
	orgtypes "github.com/aws/aws-sdk-go-v2/service/organizations/types"
	"github.com/aws/smithy-go"

	"github.com/orgbaseline/orgbaseline/internal/orgsim"
)

// --- helpers shared by organizations_test.go, sts_test.go, seed_test.go and identity_test.go ---

// orgStatus returns the HTTP status of an SDK error (0 when there is none).
func orgStatus(err error) int {
	var re *awshttp.ResponseError
	if errors.As(err, &re) {
		return re.HTTPStatusCode()
	}
	return 0
}

// orgWant checks the error code and HTTP status of err.
func orgWant(t testing.TB, err error, code string, status int) {
	t.Helper()
	wantCode(t, err, code)
	if got := orgStatus(err); got != status {
		t.Fatalf("%s: HTTP status = %d, want %d (err: %v)", code, got, status, err)
	}
}

// orgWantReason checks an Organizations error's code, status and Reason.
func orgWantReason(t testing.TB, err error, code string, status int, reason string) {
	t.Helper()
	orgWant(t, err, code, status)
	var got string
	var iie *orgtypes.InvalidInputException
	var cve *orgtypes.ConstraintViolationException
	switch {
	case errors.As(err, &iie):
		got = string(iie.Reason)
	case errors.As(err, &cve):
		got = string(cve.Reason)
	default:
		t.Fatalf("%s has no Reason member: %v", code, err)
	}
	if got != reason {
		t.Fatalf("%s: Reason = %q, want %q (err: %v)", code, got, reason, err)
	}
}

// orgMessage returns the message of an AWS API error.
func orgMessage(err error) string {
	var ae smithy.APIError
	if errors.As(err, &ae) {
		return ae.ErrorMessage()
	}
	return ""
}

// orgMember returns the id of the account named name, failing the test
// when there is none.
func orgMember(t testing.TB, e *env, name string) string {
	t.Helper()
	id, ok := e.sim.AccountID(name)
	if !ok {
		t.Fatalf("no account named %q", name)
	}
	return id
}

// orgEnableType enables a policy type in the root and lets AWS finish:
// EnablePolicyType is asynchronous (PENDING_ENABLE for PolicyTypeDelay of
// sim time), and these tests are about what follows.
func orgEnableType(t testing.TB, e *env, typ orgtypes.PolicyType) {
	t.Helper()
	if _, err := e.orgs(e.cfg).EnablePolicyType(bg, &organizations.EnablePolicyTypeInput{RootId: aws.String(e.sim.RootID()), PolicyType: typ}); err != nil {
		t.Fatal(err)
	}
	e.sim.Advance(e.sim.AWSLike().PolicyTypeDelay)
}

func orgOUOf(t testing.TB, e *env, path string) string {
	t.Helper()
	id, ok := e.sim.OUID(path)
	if !ok {
		t.Fatalf("no OU %q", path)
	}
	return id
}

const orgDenyDescribeSCP = `{"Version":"2012-10-17","Statement":[{"Sid":"DenyDescribe","Effect":"Deny","Action":"organizations:DescribeOrganization","Resource":"*"}]}`

// --- tests ---

func TestOrganizationsDescribeAndList(t *testing.T) {
	e := newEnv(t, orgsim.Options{Seed: 7, Org: orgsim.OrgSpec{Members: 6, ExtraOUs: 1}})
	c := e.orgs(e.cfg)
	mgmt := e.sim.ManagementAccountID()
	orgID := e.sim.OrganizationID()
	rootID := e.sim.RootID()

	do, err := c.DescribeOrganization(bg, &organizations.DescribeOrganizationInput{})
	if err != nil {
		t.Fatal(err)
	}
	o := do.Organization
	if aws.ToString(o.Id) != orgID || aws.ToString(o.MasterAccountId) != mgmt || o.FeatureSet != orgtypes.OrganizationFeatureSetAll {
		t.Fatalf("organization = %+v", o)
	}
	if got, want := aws.ToString(o.Arn), "arn:aws:organizations::"+mgmt+":organization/"+orgID; got != want {
		t.Fatalf("Arn = %s, want %s", got, want)
	}
	if got, want := aws.ToString(o.MasterAccountArn), "arn:aws:organizations::"+mgmt+":account/"+orgID+"/"+mgmt; got != want {
		t.Fatalf("MasterAccountArn = %s, want %s", got, want)
	}
	if aws.ToString(o.MasterAccountEmail) != "aws-management@example.com" {
		t.Fatalf("MasterAccountEmail = %s", aws.ToString(o.MasterAccountEmail))
	}

	lr, err := c.ListRoots(bg, &organizations.ListRootsInput{})
	if err != nil {
		t.Fatal(err)
	}
	if len(lr.Roots) != 1 || aws.ToString(lr.Roots[0].Id) != rootID || aws.ToString(lr.Roots[0].Name) != "Root" ||
		aws.ToString(lr.Roots[0].Arn) != "arn:aws:organizations::"+mgmt+":root/"+orgID+"/"+rootID || len(lr.Roots[0].PolicyTypes) != 0 || lr.NextToken != nil {
		t.Fatalf("roots = %+v", lr.Roots)
	}

	ouNames := func(parent string) []string {
		out, err := c.ListOrganizationalUnitsForParent(bg, &organizations.ListOrganizationalUnitsForParentInput{ParentId: aws.String(parent)})
		if err != nil {
			t.Fatal(err)
		}
		var names []string
		for _, ou := range out.OrganizationalUnits {
			if !strings.HasPrefix(aws.ToString(ou.Arn), "arn:aws:organizations::"+mgmt+":ou/"+orgID+"/ou-") {
				t.Fatalf("OU Arn = %s", aws.ToString(ou.Arn))
			}
			names = append(names, aws.ToString(ou.Name))
		}
		return names
	}
	if got := strings.Join(ouNames(rootID), ","); got != "Security,Workloads,Sandbox" {
		t.Fatalf("root OUs = %s", got)
	}
	workloads := orgOUOf(t, e, "/Workloads")
	if got := strings.Join(ouNames(workloads), ","); got != "Prod,Dev,Team01" {
		t.Fatalf("/Workloads OUs = %s", got)
	}
	prod := orgOUOf(t, e, "/Workloads/Prod")
	dou, err := c.DescribeOrganizationalUnit(bg, &organizations.DescribeOrganizationalUnitInput{OrganizationalUnitId: aws.String(prod)})
	if err != nil {
		t.Fatal(err)
	}
	if aws.ToString(dou.OrganizationalUnit.Name) != "Prod" || aws.ToString(dou.OrganizationalUnit.Id) != prod ||
		aws.ToString(dou.OrganizationalUnit.Arn) != "arn:aws:organizations::"+mgmt+":ou/"+orgID+"/"+prod {
		t.Fatalf("DescribeOrganizationalUnit = %+v", dou.OrganizationalUnit)
	}
	if !strings.HasPrefix(prod, "ou-"+strings.TrimPrefix(rootID, "r-")+"-") {
		t.Fatalf("OU id %s does not carry the root id %s", prod, rootID)
	}

	sec, err := c.ListAccountsForParent(bg, &organizations.ListAccountsForParentInput{ParentId: aws.String(orgOUOf(t, e, "/Security"))})
	if err != nil {
		t.Fatal(err)
	}
	if len(sec.Accounts) != 2 || aws.ToString(sec.Accounts[0].Name) != "Log Archive" || aws.ToString(sec.Accounts[1].Name) != "Audit" {
		t.Fatalf("/Security accounts = %+v", sec.Accounts)
	}
	atRoot, err := c.ListAccountsForParent(bg, &organizations.ListAccountsForParentInput{ParentId: aws.String(rootID)})
	if err != nil {
		t.Fatal(err)
	}
	if len(atRoot.Accounts) != 1 || aws.ToString(atRoot.Accounts[0].Id) != mgmt {
		t.Fatalf("accounts under the root = %+v (ListAccountsForParent lists direct children only)", atRoot.Accounts)
	}

	la, err := c.ListAccounts(bg, &organizations.ListAccountsInput{})
	if err != nil {
		t.Fatal(err)
	}
	if len(la.Accounts) != 7 {
		t.Fatalf("ListAccounts = %d accounts, want 7", len(la.Accounts))
	}
	for i, a := range la.Accounts {
		id := aws.ToString(a.Id)
		if a.State != orgtypes.AccountStateActive || a.Status != orgtypes.AccountStatusActive {
			t.Errorf("%s: State %s Status %s", id, a.State, a.Status)
		}
		if got, want := aws.ToString(a.Arn), "arn:aws:organizations::"+mgmt+":account/"+orgID+"/"+id; got != want {
			t.Errorf("Arn = %s, want %s", got, want)
		}
		if a.JoinedTimestamp == nil || a.JoinedTimestamp.IsZero() {
			t.Errorf("%s: no JoinedTimestamp", id)
		}
		want := orgtypes.AccountJoinedMethodCreated
		if i == 0 {
			want = orgtypes.AccountJoinedMethodInvited
		}
		if a.JoinedMethod != want {
			t.Errorf("%s: JoinedMethod %s, want %s", id, a.JoinedMethod, want)
		}
	}
	if aws.ToString(la.Accounts[0].Id) != mgmt {
		t.Fatalf("first account %s, want the management account", aws.ToString(la.Accounts[0].Id))
	}

	audit := orgMember(t, e, "Audit")
	da, err := c.DescribeAccount(bg, &organizations.DescribeAccountInput{AccountId: aws.String(audit)})
	if err != nil {
		t.Fatal(err)
	}
	if aws.ToString(da.Account.Name) != "Audit" || aws.ToString(da.Account.Email) != "aws+audit@example.com" || da.Account.State != orgtypes.AccountStateActive {
		t.Fatalf("DescribeAccount = %+v", da.Account)
	}

	kids, err := c.ListChildren(bg, &organizations.ListChildrenInput{ParentId: aws.String(workloads), ChildType: orgtypes.ChildTypeOrganizationalUnit})
	if err != nil {
		t.Fatal(err)
	}
	if len(kids.Children) != 3 || kids.Children[0].Type != orgtypes.ChildTypeOrganizationalUnit || aws.ToString(kids.Children[0].Id) != prod {
		t.Fatalf("ListChildren(OU) = %+v", kids.Children)
	}
	kids, err = c.ListChildren(bg, &organizations.ListChildrenInput{ParentId: aws.String(prod), ChildType: orgtypes.ChildTypeAccount})
	if err != nil {
		t.Fatal(err)
	}
	prod001 := orgMember(t, e, "prod-001")
	if len(kids.Children) != 1 || aws.ToString(kids.Children[0].Id) != prod001 || kids.Children[0].Type != orgtypes.ChildTypeAccount {
		t.Fatalf("ListChildren(ACCOUNT) of Prod = %+v", kids.Children)
	}

	lp, err := c.ListParents(bg, &organizations.ListParentsInput{ChildId: aws.String(prod001)})
	if err != nil {
		t.Fatal(err)
	}
	if len(lp.Parents) != 1 || aws.ToString(lp.Parents[0].Id) != prod || lp.Parents[0].Type != orgtypes.ParentTypeOrganizationalUnit {
		t.Fatalf("ListParents(prod-001) = %+v", lp.Parents)
	}
	lp, err = c.ListParents(bg, &organizations.ListParentsInput{ChildId: aws.String(workloads)})
	if err != nil {
		t.Fatal(err)
	}
	if len(lp.Parents) != 1 || aws.ToString(lp.Parents[0].Id) != rootID || lp.Parents[0].Type != orgtypes.ParentTypeRoot {
		t.Fatalf("ListParents(/Workloads) = %+v", lp.Parents)
	}
}

func TestOrganizationsPagination(t *testing.T) {
	e := newEnv(t, orgsim.Options{Seed: 3, Org: orgsim.OrgSpec{Members: 33}})
	c := e.orgs(e.cfg)

	p := organizations.NewListAccountsPaginator(c, &organizations.ListAccountsInput{MaxResults: aws.Int32(5)})
	var ids []string
	pages := 0
	for p.HasMorePages() {
		out, err := p.NextPage(bg)
		if err != nil {
			t.Fatal(err)
		}
		pages++
		if len(out.Accounts) > 5 {
			t.Fatalf("page of %d accounts with MaxResults 5", len(out.Accounts))
		}
		for _, a := range out.Accounts {
			ids = append(ids, aws.ToString(a.Id))
		}
	}
	if len(ids) != 34 || pages != 7 {
		t.Fatalf("%d accounts in %d pages, want 34 in 7", len(ids), pages)
	}
	want := e.sim.Accounts()
	seen := map[string]bool{}
	for i, id := range ids {
		if id != want[i].ID {
			t.Fatalf("account %d = %s, want %s (creation order)", i, id, want[i].ID)
		}
		if seen[id] {
			t.Fatalf("account %s listed twice", id)
		}
		seen[id] = true
	}

	// Default page size is 20.
	first, err := c.ListAccounts(bg, &organizations.ListAccountsInput{})
	if err != nil {
		t.Fatal(err)
	}
	if len(first.Accounts) != 20 || first.NextToken == nil {
		t.Fatalf("default page: %d accounts, NextToken %v", len(first.Accounts), first.NextToken)
	}

	// ListAccountsForParent and ListChildren page too.
	prod := orgOUOf(t, e, "/Workloads/Prod")
	pp := organizations.NewListAccountsForParentPaginator(c, &organizations.ListAccountsForParentInput{ParentId: aws.String(prod), MaxResults: aws.Int32(3)})
	n := 0
	for pp.HasMorePages() {
		out, err := pp.NextPage(bg)
		if err != nil {
			t.Fatal(err)
		}
		n += len(out.Accounts)
	}
	if n != 11 { // workload accounts 1, 4, 7, ..., 31
		t.Fatalf("Prod holds %d accounts, want 11", n)
	}
	cp := organizations.NewListChildrenPaginator(c, &organizations.ListChildrenInput{ParentId: aws.String(prod), ChildType: orgtypes.ChildTypeAccount, MaxResults: aws.Int32(4)})
	n = 0
	for cp.HasMorePages() {
		out, err := cp.NextPage(bg)
		if err != nil {
			t.Fatal(err)
		}
		n += len(out.Children)
	}
	if n != 11 {
		t.Fatalf("ListChildren of Prod = %d, want 11", n)
	}

	// A token from elsewhere or made up is INVALID_NEXT_TOKEN.
	_, err = c.ListAccounts(bg, &organizations.ListAccountsInput{NextToken: aws.String("garbage")})
	orgWantReason(t, err, "InvalidInputException", 400, "INVALID_NEXT_TOKEN")
	_, err = c.ListRoots(bg, &organizations.ListRootsInput{NextToken: first.NextToken})
	orgWantReason(t, err, "InvalidInputException", 400, "INVALID_NEXT_TOKEN")
	_, err = c.ListAccounts(bg, &organizations.ListAccountsInput{MaxResults: aws.Int32(21)})
	orgWantReason(t, err, "InvalidInputException", 400, "MAX_VALUE_EXCEEDED")
	_, err = c.ListAccounts(bg, &organizations.ListAccountsInput{MaxResults: aws.Int32(0)})
	orgWantReason(t, err, "InvalidInputException", 400, "MIN_VALUE_EXCEEDED")
}

func TestOrganizationsMemberAccountsAreDenied(t *testing.T) {
	e := newEnv(t, orgsim.Options{Seed: 1, Org: orgsim.OrgSpec{Members: 3}})
	audit := orgMember(t, e, "Audit")
	c := e.orgs(e.assume(audit, orgsim.DefaultExecutionRole))

	do, err := c.DescribeOrganization(bg, &organizations.DescribeOrganizationInput{})
	if err != nil {
		t.Fatalf("a member may describe its organization: %v", err)
	}
	if aws.ToString(do.Organization.MasterAccountId) != e.sim.ManagementAccountID() {
		t.Fatalf("member sees management account %s", aws.ToString(do.Organization.MasterAccountId))
	}
	calls := map[string]func() error{
		"ListRoots":    func() error { _, err := c.ListRoots(bg, &organizations.ListRootsInput{}); return err },
		"ListAccounts": func() error { _, err := c.ListAccounts(bg, &organizations.ListAccountsInput{}); return err },
		"DescribeAccount": func() error {
			_, err := c.DescribeAccount(bg, &organizations.DescribeAccountInput{AccountId: aws.String(audit)})
			return err
		},
		"CreatePolicy": func() error {
			_, err := c.CreatePolicy(bg, &organizations.CreatePolicyInput{Name: aws.String("x"), Description: aws.String("x"), Content: aws.String(orgDenyDescribeSCP), Type: orgtypes.PolicyTypeServiceControlPolicy})
			return err
		},
		"EnableAWSServiceAccess": func() error {
			_, err := c.EnableAWSServiceAccess(bg, &organizations.EnableAWSServiceAccessInput{ServicePrincipal: aws.String("cloudtrail.amazonaws.com")})
			return err
		},
		"RegisterDelegatedAdministrator": func() error {
			_, err := c.RegisterDelegatedAdministrator(bg, &organizations.RegisterDelegatedAdministratorInput{AccountId: aws.String(audit), ServicePrincipal: aws.String("cloudtrail.amazonaws.com")})
			return err
		},
		"ListPolicies": func() error {
			_, err := c.ListPolicies(bg, &organizations.ListPoliciesInput{Filter: orgtypes.PolicyTypeServiceControlPolicy})
			return err
		},
	}
	for name, call := range calls {
		t.Run(name, func(t *testing.T) {
			err := call()
			orgWant(t, err, "AccessDeniedException", 400)
			var ade *orgtypes.AccessDeniedException
			if !errors.As(err, &ade) {
				t.Fatalf("not a typed AccessDeniedException: %v", err)
			}
			if got := orgMessage(err); got != "You don't have permissions to access this resource." {
				t.Fatalf("message = %q", got)
			}
		})
	}
}

func TestOrganizationsIDValidation(t *testing.T) {
	e := newEnv(t, orgsim.Options{Seed: 2, Org: orgsim.OrgSpec{Members: 2}})
	c := e.orgs(e.cfg)
	type tc struct {
		name         string
		call         func() error
		code, reason string
		status       int
	}
	unknownOU := "ou-" + strings.TrimPrefix(e.sim.RootID(), "r-") + "-zzzzzzzz"
	cases := []tc{
		{"DescribeAccount malformed", func() error {
			_, err := c.DescribeAccount(bg, &organizations.DescribeAccountInput{AccountId: aws.String("12345")})
			return err
		}, "InvalidInputException", "INVALID_PATTERN", 400},
		{"DescribeAccount unknown", func() error {
			_, err := c.DescribeAccount(bg, &organizations.DescribeAccountInput{AccountId: aws.String("000000000000")})
			return err
		}, "AccountNotFoundException", "", 400},
		{"ListAccountsForParent malformed", func() error {
			_, err := c.ListAccountsForParent(bg, &organizations.ListAccountsForParentInput{ParentId: aws.String("nope")})
			return err
		}, "InvalidInputException", "INVALID_PATTERN", 400},
		{"ListAccountsForParent unknown OU", func() error {
			_, err := c.ListAccountsForParent(bg, &organizations.ListAccountsForParentInput{ParentId: aws.String(unknownOU)})
			return err
		}, "ParentNotFoundException", "", 400},
		{"ListOrganizationalUnitsForParent unknown root", func() error {
			_, err := c.ListOrganizationalUnitsForParent(bg, &organizations.ListOrganizationalUnitsForParentInput{ParentId: aws.String("r-zzzz")})
			return err
		}, "ParentNotFoundException", "", 400},
		{"DescribeOrganizationalUnit unknown", func() error {
			_, err := c.DescribeOrganizationalUnit(bg, &organizations.DescribeOrganizationalUnitInput{OrganizationalUnitId: aws.String(unknownOU)})
			return err
		}, "OrganizationalUnitNotFoundException", "", 400},
		{"DescribeOrganizationalUnit malformed", func() error {
			_, err := c.DescribeOrganizationalUnit(bg, &organizations.DescribeOrganizationalUnitInput{OrganizationalUnitId: aws.String("ou-x")})
			return err
		}, "InvalidInputException", "INVALID_PATTERN", 400},
		{"ListParents unknown", func() error {
			_, err := c.ListParents(bg, &organizations.ListParentsInput{ChildId: aws.String("000000000000")})
			return err
		}, "ChildNotFoundException", "", 400},
		{"ListParents malformed", func() error {
			_, err := c.ListParents(bg, &organizations.ListParentsInput{ChildId: aws.String("r-abcd")})
			return err
		}, "InvalidInputException", "INVALID_PATTERN", 400},
		{"ListChildren bad type", func() error {
			_, err := c.ListChildren(bg, &organizations.ListChildrenInput{ParentId: aws.String(e.sim.RootID()), ChildType: "POLICY"})
			return err
		}, "InvalidInputException", "INVALID_ENUM", 400},
		{"DescribePolicy malformed", func() error {
			_, err := c.DescribePolicy(bg, &organizations.DescribePolicyInput{PolicyId: aws.String("p-1")})
			return err
		}, "InvalidInputException", "INVALID_SYNTAX_POLICY_ID", 400},
		{"DescribePolicy unknown", func() error {
			_, err := c.DescribePolicy(bg, &organizations.DescribePolicyInput{PolicyId: aws.String("p-abcdefgh")})
			return err
		}, "PolicyNotFoundException", "", 400},
		{"EnablePolicyType unknown root", func() error {
			_, err := c.EnablePolicyType(bg, &organizations.EnablePolicyTypeInput{RootId: aws.String("r-zzzz"), PolicyType: orgtypes.PolicyTypeServiceControlPolicy})
			return err
		}, "RootNotFoundException", "", 400},
		{"EnablePolicyType malformed root", func() error {
			_, err := c.EnablePolicyType(bg, &organizations.EnablePolicyTypeInput{RootId: aws.String("root"), PolicyType: orgtypes.PolicyTypeServiceControlPolicy})
			return err
		}, "InvalidInputException", "INVALID_PATTERN", 400},
		{"EnablePolicyType bad type", func() error {
			_, err := c.EnablePolicyType(bg, &organizations.EnablePolicyTypeInput{RootId: aws.String(e.sim.RootID()), PolicyType: "NOT_A_POLICY"})
			return err
		}, "InvalidInputException", "INVALID_ENUM_POLICY_TYPE", 400},
		{"AttachPolicy unknown target", func() error {
			_, err := c.AttachPolicy(bg, &organizations.AttachPolicyInput{PolicyId: aws.String("p-FullAWSAccess"), TargetId: aws.String("000000000000")})
			return err
		}, "TargetNotFoundException", "", 400},
		{"AttachPolicy malformed target", func() error {
			_, err := c.AttachPolicy(bg, &organizations.AttachPolicyInput{PolicyId: aws.String("p-FullAWSAccess"), TargetId: aws.String("acct")})
			return err
		}, "InvalidInputException", "INVALID_PATTERN_TARGET_ID", 400},
		{"ListTagsForResource unknown", func() error {
			_, err := c.ListTagsForResource(bg, &organizations.ListTagsForResourceInput{ResourceId: aws.String(unknownOU)})
			return err
		}, "TargetNotFoundException", "", 400},
		{"ListPolicies bad filter", func() error {
			_, err := c.ListPolicies(bg, &organizations.ListPoliciesInput{Filter: "EVERYTHING"})
			return err
		}, "InvalidInputException", "INVALID_ENUM_POLICY_TYPE", 400},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			err := tc.call()
			if tc.reason != "" {
				orgWantReason(t, err, tc.code, tc.status, tc.reason)
			} else {
				orgWant(t, err, tc.code, tc.status)
			}
		})
	}
}

func TestOrganizationsPolicies(t *testing.T) {
	e := newEnv(t, orgsim.Options{Seed: 4, Org: orgsim.OrgSpec{Members: 3}, Limits: orgsim.Limits{SCPMaxSize: 400, SCPMaxPerTarget: 3, PoliciesPerType: 3}})
	c := e.orgs(e.cfg)
	mgmt, orgID, rootID := e.sim.ManagementAccountID(), e.sim.OrganizationID(), e.sim.RootID()
	audit := orgMember(t, e, "Audit")

	// FullAWSAccess exists from the start.
	dp, err := c.DescribePolicy(bg, &organizations.DescribePolicyInput{PolicyId: aws.String("p-FullAWSAccess")})
	if err != nil {
		t.Fatal(err)
	}
	fs := dp.Policy.PolicySummary
	if aws.ToString(fs.Arn) != "arn:aws:organizations::aws:policy/service_control_policy/p-FullAWSAccess" || !fs.AwsManaged ||
		aws.ToString(fs.Name) != "FullAWSAccess" || aws.ToString(fs.Description) != "Allows access to every operation" || fs.Type != orgtypes.PolicyTypeServiceControlPolicy {
		t.Fatalf("FullAWSAccess = %+v", fs)
	}

	content := "{\n  \"Version\": \"2012-10-17\",\n  \"Statement\": [{\"Effect\": \"Deny\", \"Action\": \"iam:CreateUser\", \"Resource\": \"*\"}]\n}"
	cp, err := c.CreatePolicy(bg, &organizations.CreatePolicyInput{
		Name: aws.String("deny-users"), Description: aws.String("no users"), Content: aws.String(content),
		Type: orgtypes.PolicyTypeServiceControlPolicy, Tags: []orgtypes.Tag{{Key: aws.String("team"), Value: aws.String("sec")}},
	})
	if err != nil {
		t.Fatal(err)
	}
	id := aws.ToString(cp.Policy.PolicySummary.Id)
	if aws.ToString(cp.Policy.Content) != content {
		t.Fatalf("Content not stored verbatim: %q", aws.ToString(cp.Policy.Content))
	}
	if got, want := aws.ToString(cp.Policy.PolicySummary.Arn), "arn:aws:organizations::"+mgmt+":policy/"+orgID+"/service_control_policy/"+id; got != want {
		t.Fatalf("policy Arn = %s, want %s", got, want)
	}
	if cp.Policy.PolicySummary.AwsManaged || aws.ToString(cp.Policy.PolicySummary.Name) != "deny-users" {
		t.Fatalf("summary = %+v", cp.Policy.PolicySummary)
	}
	tags, err := c.ListTagsForResource(bg, &organizations.ListTagsForResourceInput{ResourceId: aws.String(id)})
	if err != nil {
		t.Fatal(err)
	}
	if len(tags.Tags) != 1 || aws.ToString(tags.Tags[0].Key) != "team" || aws.ToString(tags.Tags[0].Value) != "sec" {
		t.Fatalf("policy tags = %+v", tags.Tags)
	}

	create := func(name, content string) error {
		_, err := c.CreatePolicy(bg, &organizations.CreatePolicyInput{Name: aws.String(name), Description: aws.String(""), Content: aws.String(content), Type: orgtypes.PolicyTypeServiceControlPolicy})
		return err
	}
	err = create("bad", `{"Version":"2012-10-17","Statement":[{"Effect":"Permit","Action":"*","Resource":"*"}]}`)
	orgWant(t, err, "MalformedPolicyDocumentException", 400)
	if !strings.Contains(orgMessage(err), "Effect") {
		t.Fatalf("MalformedPolicyDocumentException does not name the problem: %q", orgMessage(err))
	}
	err = create("principal", `{"Version":"2012-10-17","Statement":[{"Effect":"Deny","Principal":"*","Action":"*","Resource":"*"}]}`)
	orgWant(t, err, "MalformedPolicyDocumentException", 400)
	big := `{"Version":"2012-10-17","Statement":[{"Effect":"Deny","Action":"s3:*","Resource":"*"}]}` + strings.Repeat(" ", 400)
	orgWantReason(t, create("big", big), "ConstraintViolationException", 400, "POLICY_CONTENT_LIMIT_EXCEEDED")
	orgWant(t, create("deny-users", orgDenyDescribeSCP), "DuplicatePolicyException", 400)
	orgWant(t, create("FullAWSAccess", orgDenyDescribeSCP), "DuplicatePolicyException", 400)
	if err := create("two", orgDenyDescribeSCP); err != nil {
		t.Fatal(err)
	}
	if err := create("three", `{"Version":"2012-10-17","Statement":[{"Effect":"Deny","Action":"s3:DeleteBucket","Resource":"*"}]}`); err != nil {
		t.Fatal(err)
	}
	orgWantReason(t, create("four", orgDenyDescribeSCP), "ConstraintViolationException", 400, "POLICY_NUMBER_LIMIT_EXCEEDED")
	_, err = c.CreatePolicy(bg, &organizations.CreatePolicyInput{Name: aws.String("x"), Description: aws.String(""), Content: aws.String("{}"), Type: "RESOURCE_CONTROL_POLICY_X"})
	orgWantReason(t, err, "InvalidInputException", 400, "INVALID_ENUM_POLICY_TYPE")

	list, err := c.ListPolicies(bg, &organizations.ListPoliciesInput{Filter: orgtypes.PolicyTypeServiceControlPolicy})
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, p := range list.Policies {
		names = append(names, aws.ToString(p.Name))
	}
	if got := strings.Join(names, ","); got != "FullAWSAccess,deny-users,two,three" {
		t.Fatalf("ListPolicies = %s", got)
	}
	tagList, err := c.ListPolicies(bg, &organizations.ListPoliciesInput{Filter: orgtypes.PolicyTypeTagPolicy})
	if err != nil || len(tagList.Policies) != 0 {
		t.Fatalf("tag policies = %+v, %v", tagList, err)
	}

	// Attaching needs the policy type enabled.
	attach := func(policy, target string) error {
		_, err := c.AttachPolicy(bg, &organizations.AttachPolicyInput{PolicyId: aws.String(policy), TargetId: aws.String(target)})
		return err
	}
	detach := func(policy, target string) error {
		_, err := c.DetachPolicy(bg, &organizations.DetachPolicyInput{PolicyId: aws.String(policy), TargetId: aws.String(target)})
		return err
	}
	orgWant(t, attach(id, audit), "PolicyTypeNotEnabledException", 400)
	pft, err := c.ListPoliciesForTarget(bg, &organizations.ListPoliciesForTargetInput{TargetId: aws.String(audit), Filter: orgtypes.PolicyTypeServiceControlPolicy})
	if err != nil || len(pft.Policies) != 0 {
		t.Fatalf("SCPs before the type is enabled = %+v, %v", pft, err)
	}

	orgEnableType(t, e, orgtypes.PolicyTypeServiceControlPolicy) // asynchrony: TestOrganizationsPolicyTypeIsAsynchronous
	_, err = c.EnablePolicyType(bg, &organizations.EnablePolicyTypeInput{RootId: aws.String(rootID), PolicyType: orgtypes.PolicyTypeServiceControlPolicy})
	orgWant(t, err, "PolicyTypeAlreadyEnabledException", 400)
	lr, err := c.ListRoots(bg, &organizations.ListRootsInput{})
	if err != nil || len(lr.Roots[0].PolicyTypes) != 1 {
		t.Fatalf("ListRoots after enabling = %+v, %v", lr, err)
	}

	// Enabling attaches FullAWSAccess to the root, every OU and every account.
	targets, err := c.ListTargetsForPolicy(bg, &organizations.ListTargetsForPolicyInput{PolicyId: aws.String("p-FullAWSAccess")})
	if err != nil {
		t.Fatal(err)
	}
	// root + 5 OUs (Security, Workloads, Prod, Dev, Sandbox) + 4 accounts = 10
	if len(targets.Targets) != 10 || targets.NextToken != nil {
		t.Fatalf("FullAWSAccess targets = %d, want 10", len(targets.Targets))
	}
	if tg := targets.Targets[0]; aws.ToString(tg.TargetId) != rootID || tg.Type != orgtypes.TargetTypeRoot || aws.ToString(tg.Name) != "Root" {
		t.Fatalf("first target = %+v", tg)
	}
	if tg := targets.Targets[1]; tg.Type != orgtypes.TargetTypeOrganizationalUnit || aws.ToString(tg.Name) != "Security" {
		t.Fatalf("second target = %+v", tg)
	}
	if tg := targets.Targets[9]; tg.Type != orgtypes.TargetTypeAccount || !strings.HasSuffix(aws.ToString(tg.Arn), "/"+aws.ToString(tg.TargetId)) {
		t.Fatalf("last target = %+v", tg)
	}
	pageOf := organizations.NewListTargetsForPolicyPaginator(c, &organizations.ListTargetsForPolicyInput{PolicyId: aws.String("p-FullAWSAccess"), MaxResults: aws.Int32(4)})
	n := 0
	for pageOf.HasMorePages() {
		out, err := pageOf.NextPage(bg)
		if err != nil {
			t.Fatal(err)
		}
		n += len(out.Targets)
	}
	if n != 10 {
		t.Fatalf("paged targets = %d", n)
	}

	if err := attach(id, audit); err != nil {
		t.Fatal(err)
	}
	orgWant(t, attach(id, audit), "DuplicatePolicyAttachmentException", 400)
	ids := map[string]string{}
	for _, p := range list.Policies {
		ids[aws.ToString(p.Name)] = aws.ToString(p.Id)
	}
	if err := attach(ids["two"], audit); err != nil {
		t.Fatal(err)
	}
	orgWantReason(t, attach(ids["three"], audit), "ConstraintViolationException", 400, "MAX_POLICY_TYPE_ATTACHMENT_LIMIT_EXCEEDED")
	pft, err = c.ListPoliciesForTarget(bg, &organizations.ListPoliciesForTargetInput{TargetId: aws.String(audit), Filter: orgtypes.PolicyTypeServiceControlPolicy})
	if err != nil {
		t.Fatal(err)
	}
	if len(pft.Policies) != 3 || aws.ToString(pft.Policies[0].Id) != "p-FullAWSAccess" || aws.ToString(pft.Policies[1].Id) != id {
		t.Fatalf("SCPs on Audit = %+v", pft.Policies)
	}

	orgWant(t, detach(ids["three"], audit), "PolicyNotAttachedException", 400)
	if err := detach("p-FullAWSAccess", audit); err != nil {
		t.Fatal(err)
	}
	if err := detach(ids["two"], audit); err != nil {
		t.Fatal(err)
	}
	orgWantReason(t, detach(id, audit), "ConstraintViolationException", 400, "MIN_POLICY_TYPE_ATTACHMENT_LIMIT_EXCEEDED")
	orgWantReason(t, detach("p-FullAWSAccess", rootID), "ConstraintViolationException", 400, "MIN_POLICY_TYPE_ATTACHMENT_LIMIT_EXCEEDED")

	// Update: name, description, content; grammar and size are checked again.
	newContent := `{"Version":"2012-10-17","Statement":[{"Effect":"Deny","Action":["iam:CreateUser","iam:CreateAccessKey"],"Resource":"*"}]}`
	up, err := c.UpdatePolicy(bg, &organizations.UpdatePolicyInput{PolicyId: aws.String(id), Name: aws.String("deny-iam"), Description: aws.String("no IAM"), Content: aws.String(newContent)})
	if err != nil {
		t.Fatal(err)
	}
	if aws.ToString(up.Policy.PolicySummary.Name) != "deny-iam" || aws.ToString(up.Policy.PolicySummary.Description) != "no IAM" || aws.ToString(up.Policy.Content) != newContent {
		t.Fatalf("UpdatePolicy = %+v", up.Policy)
	}
	_, err = c.UpdatePolicy(bg, &organizations.UpdatePolicyInput{PolicyId: aws.String(id), Content: aws.String(`{"Statement":[]}`)})
	orgWant(t, err, "MalformedPolicyDocumentException", 400)
	_, err = c.UpdatePolicy(bg, &organizations.UpdatePolicyInput{PolicyId: aws.String(id), Content: aws.String(big)})
	orgWantReason(t, err, "ConstraintViolationException", 400, "POLICY_CONTENT_LIMIT_EXCEEDED")
	_, err = c.UpdatePolicy(bg, &organizations.UpdatePolicyInput{PolicyId: aws.String(id), Name: aws.String("two")})
	orgWant(t, err, "DuplicatePolicyException", 400)
	got, err := c.DescribePolicy(bg, &organizations.DescribePolicyInput{PolicyId: aws.String(id)})
	if err != nil || aws.ToString(got.Policy.Content) != newContent {
		t.Fatalf("failed updates changed the policy: %+v, %v", got, err)
	}
	_, err = c.UpdatePolicy(bg, &organizations.UpdatePolicyInput{PolicyId: aws.String("p-FullAWSAccess"), Name: aws.String("x")})
	orgWantReason(t, err, "InvalidInputException", 400, "IMMUTABLE_POLICY")
	_, err = c.DeletePolicy(bg, &organizations.DeletePolicyInput{PolicyId: aws.String("p-FullAWSAccess")})
	orgWantReason(t, err, "InvalidInputException", 400, "IMMUTABLE_POLICY")

	// Delete: not while attached.
	_, err = c.DeletePolicy(bg, &organizations.DeletePolicyInput{PolicyId: aws.String(id)})
	orgWant(t, err, "PolicyInUseException", 400)
	if _, err := c.DeletePolicy(bg, &organizations.DeletePolicyInput{PolicyId: aws.String(ids["three"])}); err != nil {
		t.Fatal(err)
	}
	_, err = c.DescribePolicy(bg, &organizations.DescribePolicyInput{PolicyId: aws.String(ids["three"])})
	orgWant(t, err, "PolicyNotFoundException", 400)
	if err := create("four", orgDenyDescribeSCP); err != nil {
		t.Fatalf("deleting a policy frees a place under the limit: %v", err)
	}

	// Disabling the type detaches every SCP, once AWS has finished.
	if _, err := c.DisablePolicyType(bg, &organizations.DisablePolicyTypeInput{RootId: aws.String(rootID), PolicyType: orgtypes.PolicyTypeServiceControlPolicy}); err != nil {
		t.Fatal(err)
	}
	e.sim.Advance(e.sim.AWSLike().PolicyTypeDelay)
	if lr, err := c.ListRoots(bg, &organizations.ListRootsInput{}); err != nil || len(lr.Roots[0].PolicyTypes) != 0 {
		t.Fatalf("root after DisablePolicyType = %+v, %v", lr, err)
	}
	_, err = c.DisablePolicyType(bg, &organizations.DisablePolicyTypeInput{RootId: aws.String(rootID), PolicyType: orgtypes.PolicyTypeServiceControlPolicy})
	orgWant(t, err, "PolicyTypeNotEnabledException", 400)
	targets, err = c.ListTargetsForPolicy(bg, &organizations.ListTargetsForPolicyInput{PolicyId: aws.String(id)})
	if err != nil || len(targets.Targets) != 0 {
		t.Fatalf("targets after disabling = %+v, %v", targets, err)
	}
	if _, err := c.DeletePolicy(bg, &organizations.DeletePolicyInput{PolicyId: aws.String(id)}); err != nil {
		t.Fatalf("delete after detaching everything: %v", err)
	}
}

func TestOrganizationsOtherPolicyTypes(t *testing.T) {
	e := newEnv(t, orgsim.Options{Seed: 5, Org: orgsim.OrgSpec{Members: 1}})
	c := e.orgs(e.cfg)
	tagPolicy := `{"tags":{"costcenter":{"tag_key":{"@@assign":"CostCenter"}}}}`
	cp, err := c.CreatePolicy(bg, &organizations.CreatePolicyInput{Name: aws.String("tags"), Description: aws.String("d"), Content: aws.String(tagPolicy), Type: orgtypes.PolicyTypeTagPolicy})
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(aws.ToString(cp.Policy.PolicySummary.Arn), "/tag_policy/p-") {
		t.Fatalf("tag policy Arn = %s", aws.ToString(cp.Policy.PolicySummary.Arn))
	}
	_, err = c.CreatePolicy(bg, &organizations.CreatePolicyInput{Name: aws.String("bad"), Description: aws.String("d"), Content: aws.String("{nope"), Type: orgtypes.PolicyTypeTagPolicy})
	orgWant(t, err, "MalformedPolicyDocumentException", 400)
	// A policy name may repeat across types.
	if _, err := c.CreatePolicy(bg, &organizations.CreatePolicyInput{Name: aws.String("tags"), Description: aws.String("d"), Content: aws.String(orgDenyDescribeSCP), Type: orgtypes.PolicyTypeServiceControlPolicy}); err != nil {
		t.Fatal(err)
	}
	_, err = c.AttachPolicy(bg, &organizations.AttachPolicyInput{PolicyId: cp.Policy.PolicySummary.Id, TargetId: aws.String(e.sim.RootID())})
	orgWant(t, err, "PolicyTypeNotEnabledException", 400)
	orgEnableType(t, e, orgtypes.PolicyTypeTagPolicy)
	if _, err := c.AttachPolicy(bg, &organizations.AttachPolicyInput{PolicyId: cp.Policy.PolicySummary.Id, TargetId: aws.String(e.sim.RootID())}); err != nil {
		t.Fatal(err)
	}
	// Tag policies have no minimum: the last one can be detached.
	if _, err := c.DetachPolicy(bg, &organizations.DetachPolicyInput{PolicyId: cp.Policy.PolicySummary.Id, TargetId: aws.String(e.sim.RootID())}); err != nil {
		t.Fatal(err)
	}
	// Enabling tag policies attaches no SCP.
	pft, err := c.ListPoliciesForTarget(bg, &organizations.ListPoliciesForTargetInput{TargetId: aws.String(e.sim.RootID()), Filter: orgtypes.PolicyTypeServiceControlPolicy})
	if err != nil || len(pft.Policies) != 0 {
		t.Fatalf("SCPs on root = %+v, %v", pft, err)
	}
}

func TestOrganizationsTags(t *testing.T) {
	e := newEnv(t, orgsim.Options{Seed: 6, Org: orgsim.OrgSpec{Members: 3}})
	c := e.orgs(e.cfg)
	prod001 := orgMember(t, e, "prod-001")
	prodOU := orgOUOf(t, e, "/Workloads/Prod")
	list := func(id string) map[string]string {
		t.Helper()
		out, err := c.ListTagsForResource(bg, &organizations.ListTagsForResourceInput{ResourceId: aws.String(id)})
		if err != nil {
			t.Fatal(err)
		}
		m := map[string]string{}
		for _, tg := range out.Tags {
			m[aws.ToString(tg.Key)] = aws.ToString(tg.Value)
		}
		return m
	}
	if got := list(prod001); got["env"] != "prod" || got["owner"] != "team-a" || len(got) != 2 {
		t.Fatalf("prod-001 tags = %v", got)
	}
	for _, id := range []string{prod001, prodOU, e.sim.RootID()} {
		_, err := c.TagResource(bg, &organizations.TagResourceInput{ResourceId: aws.String(id), Tags: []orgtypes.Tag{{Key: aws.String("cost"), Value: aws.String("42")}}})
		if err != nil {
			t.Fatal(err)
		}
		if list(id)["cost"] != "42" {
			t.Fatalf("%s: tag not set", id)
		}
		if _, err := c.UntagResource(bg, &organizations.UntagResourceInput{ResourceId: aws.String(id), TagKeys: []string{"cost"}}); err != nil {
			t.Fatal(err)
		}
		if _, ok := list(id)["cost"]; ok {
			t.Fatalf("%s: tag not removed", id)
		}
	}
	for _, a := range e.sim.Accounts() {
		if a.ID == prod001 && (a.Tags["env"] != "prod" || len(a.Tags) != 2) {
			t.Fatalf("Accounts() tags of prod-001 = %v", a.Tags)
		}
	}
	_, err := c.TagResource(bg, &organizations.TagResourceInput{ResourceId: aws.String(prod001), Tags: []orgtypes.Tag{{Key: aws.String("aws:x"), Value: aws.String("y")}}})
	orgWantReason(t, err, "InvalidInputException", 400, "INVALID_SYSTEM_TAGS_PARAMETER")
	_, err = c.TagResource(bg, &organizations.TagResourceInput{ResourceId: aws.String("000000000000"), Tags: []orgtypes.Tag{{Key: aws.String("a"), Value: aws.String("b")}}})
	orgWant(t, err, "TargetNotFoundException", 400)
	_, err = c.TagResource(bg, &organizations.TagResourceInput{ResourceId: aws.String("p-FullAWSAccess"), Tags: []orgtypes.Tag{{Key: aws.String("a"), Value: aws.String("b")}}})
	orgWantReason(t, err, "InvalidInputException", 400, "IMMUTABLE_POLICY")
	many := make([]orgtypes.Tag, 49)
	for i := range many {
		many[i] = orgtypes.Tag{Key: aws.String(fmt.Sprintf("k%02d", i)), Value: aws.String("v")}
	}
	_, err = c.TagResource(bg, &organizations.TagResourceInput{ResourceId: aws.String(prod001), Tags: many})
	orgWantReason(t, err, "ConstraintViolationException", 400, "MAX_TAG_LIMIT_EXCEEDED")
}

func TestOrganizationsTrustedAccessAndDelegatedAdmins(t *testing.T) {
	clock := newTestClock(time.Date(2026, 11, 20, 12, 0, 0, 0, time.UTC))
	e := newEnv(t, orgsim.Options{Seed: 8, Now: clock.Now, Org: orgsim.OrgSpec{Members: 4, Suspended: 1}})
	c := e.orgs(e.cfg)
	audit, logArchive := orgMember(t, e, "Audit"), orgMember(t, e, "Log Archive")
	mgmt := e.sim.ManagementAccountID()
	const ct = "cloudtrail.amazonaws.com"

	_, err := c.EnableAWSServiceAccess(bg, &organizations.EnableAWSServiceAccessInput{ServicePrincipal: aws.String("nosuch.amazonaws.com")})
	orgWantReason(t, err, "InvalidInputException", 400, "UNRECOGNIZED_SERVICE_PRINCIPAL")
	register := func(acct, sp string) error {
		_, err := c.RegisterDelegatedAdministrator(bg, &organizations.RegisterDelegatedAdministratorInput{AccountId: aws.String(acct), ServicePrincipal: aws.String(sp)})
		return err
	}
	orgWantReason(t, register(audit, ct), "ConstraintViolationException", 400, "SERVICE_ACCESS_NOT_ENABLED")

	for _, sp := range []string{ct, "config-multiaccountsetup.amazonaws.com", "access-analyzer.amazonaws.com"} {
		if _, err := c.EnableAWSServiceAccess(bg, &organizations.EnableAWSServiceAccessInput{ServicePrincipal: aws.String(sp)}); err != nil {
			t.Fatal(err)
		}
	}
	// Enabling twice is harmless and keeps the first date.
	clock.Advance(time.Hour)
	if _, err := c.EnableAWSServiceAccess(bg, &organizations.EnableAWSServiceAccessInput{ServicePrincipal: aws.String(ct)}); err != nil {
		t.Fatal(err)
	}
	sa, err := c.ListAWSServiceAccessForOrganization(bg, &organizations.ListAWSServiceAccessForOrganizationInput{})
	if err != nil {
		t.Fatal(err)
	}
	if len(sa.EnabledServicePrincipals) != 3 || aws.ToString(sa.EnabledServicePrincipals[0].ServicePrincipal) != "access-analyzer.amazonaws.com" {
		t.Fatalf("enabled principals = %+v", sa.EnabledServicePrincipals)
	}
	for _, p := range sa.EnabledServicePrincipals {
		if p.DateEnabled == nil || !p.DateEnabled.Equal(time.Date(2026, 11, 20, 12, 0, 0, 0, time.UTC)) {
			t.Fatalf("%s DateEnabled = %v", aws.ToString(p.ServicePrincipal), p.DateEnabled)
		}
	}

	orgWantReason(t, register(mgmt, ct), "ConstraintViolationException", 400, "CANNOT_REGISTER_MASTER_AS_DELEGATED_ADMINISTRATOR")
	_, err = c.RegisterDelegatedAdministrator(bg, &organizations.RegisterDelegatedAdministratorInput{AccountId: aws.String("999999999999"), ServicePrincipal: aws.String(ct)})
	orgWant(t, err, "AccountNotFoundException", 400)
	suspended := e.sim.Accounts()[4].ID
	orgWantReason(t, register(suspended, ct), "ConstraintViolationException", 400, "CANNOT_REGISTER_SUSPENDED_ACCOUNT_AS_DELEGATED_ADMINISTRATOR")
	if err := register(audit, ct); err != nil {
		t.Fatal(err)
	}
	orgWant(t, register(audit, ct), "AccountAlreadyRegisteredException", 400)
	if err := register(audit, "access-analyzer.amazonaws.com"); err != nil {
		t.Fatal(err)
	}
	orgWantReason(t, register(logArchive, "access-analyzer.amazonaws.com"), "ConstraintViolationException", 400, "MAX_DELEGATED_ADMINISTRATORS_FOR_SERVICE_LIMIT_EXCEEDED")
	if err := register(logArchive, "config-multiaccountsetup.amazonaws.com"); err != nil {
		t.Fatal(err)
	}

	all, err := c.ListDelegatedAdministrators(bg, &organizations.ListDelegatedAdministratorsInput{})
	if err != nil {
		t.Fatal(err)
	}
	if len(all.DelegatedAdministrators) != 2 || aws.ToString(all.DelegatedAdministrators[0].Id) != logArchive || aws.ToString(all.DelegatedAdministrators[1].Id) != audit {
		t.Fatalf("delegated admins = %+v", all.DelegatedAdministrators)
	}
	d := all.DelegatedAdministrators[1]
	if aws.ToString(d.Name) != "Audit" || d.State != orgtypes.AccountStateActive || d.Status != orgtypes.AccountStatusActive ||
		d.DelegationEnabledDate == nil || aws.ToString(d.Email) != "aws+audit@example.com" || d.JoinedMethod != orgtypes.AccountJoinedMethodCreated {
		t.Fatalf("delegated admin = %+v", d)
	}
	onlyCT, err := c.ListDelegatedAdministrators(bg, &organizations.ListDelegatedAdministratorsInput{ServicePrincipal: aws.String(ct)})
	if err != nil || len(onlyCT.DelegatedAdministrators) != 1 || aws.ToString(onlyCT.DelegatedAdministrators[0].Id) != audit {
		t.Fatalf("cloudtrail delegated admins = %+v, %v", onlyCT, err)
	}
	svcs, err := c.ListDelegatedServicesForAccount(bg, &organizations.ListDelegatedServicesForAccountInput{AccountId: aws.String(audit)})
	if err != nil {
		t.Fatal(err)
	}
	if len(svcs.DelegatedServices) != 2 || aws.ToString(svcs.DelegatedServices[0].ServicePrincipal) != "access-analyzer.amazonaws.com" || svcs.DelegatedServices[1].DelegationEnabledDate == nil {
		t.Fatalf("services of Audit = %+v", svcs.DelegatedServices)
	}
	_, err = c.ListDelegatedServicesForAccount(bg, &organizations.ListDelegatedServicesForAccountInput{AccountId: aws.String(mgmt)})
	orgWant(t, err, "AccountNotRegisteredException", 400)

	deregister := func(acct, sp string) error {
		_, err := c.DeregisterDelegatedAdministrator(bg, &organizations.DeregisterDelegatedAdministratorInput{AccountId: aws.String(acct), ServicePrincipal: aws.String(sp)})
		return err
	}
	if err := deregister(audit, ct); err != nil {
		t.Fatal(err)
	}
	orgWant(t, deregister(audit, ct), "AccountNotRegisteredException", 400)
	onlyCT, err = c.ListDelegatedAdministrators(bg, &organizations.ListDelegatedAdministratorsInput{ServicePrincipal: aws.String(ct)})
	if err != nil || len(onlyCT.DelegatedAdministrators) != 0 {
		t.Fatalf("after deregistering = %+v, %v", onlyCT, err)
	}

	if _, err := c.DisableAWSServiceAccess(bg, &organizations.DisableAWSServiceAccessInput{ServicePrincipal: aws.String(ct)}); err != nil {
		t.Fatal(err)
	}
	sa, err = c.ListAWSServiceAccessForOrganization(bg, &organizations.ListAWSServiceAccessForOrganizationInput{})
	if err != nil || len(sa.EnabledServicePrincipals) != 2 {
		t.Fatalf("after disabling = %+v, %v", sa, err)
	}
	_, err = c.DisableAWSServiceAccess(bg, &organizations.DisableAWSServiceAccessInput{ServicePrincipal: aws.String("bad principal")})
	orgWantReason(t, err, "InvalidInputException", 400, "INVALID_PATTERN")
}

func TestSCPDeniesMemberButNotManagement(t *testing.T) {
	e := newEnv(t, orgsim.Options{Seed: 9, Org: orgsim.OrgSpec{Members: 4}})
	c := e.orgs(e.cfg)
	prodOU := orgOUOf(t, e, "/Workloads/Prod")
	prod001, dev002 := orgMember(t, e, "prod-001"), orgMember(t, e, "dev-002")

	orgEnableType(t, e, orgtypes.PolicyTypeServiceControlPolicy)
	cp, err := c.CreatePolicy(bg, &organizations.CreatePolicyInput{Name: aws.String("deny-describe"), Description: aws.String(""), Content: aws.String(orgDenyDescribeSCP), Type: orgtypes.PolicyTypeServiceControlPolicy})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := c.AttachPolicy(bg, &organizations.AttachPolicyInput{PolicyId: cp.Policy.PolicySummary.Id, TargetId: aws.String(prodOU)}); err != nil {
		t.Fatal(err)
	}
	prodCfg := e.assume(prod001, orgsim.DefaultExecutionRole)
	_, err = e.orgs(prodCfg).DescribeOrganization(bg, &organizations.DescribeOrganizationInput{})
	orgWant(t, err, "AccessDeniedException", 400)
	if msg := orgMessage(err); !strings.Contains(msg, "service control policy") || !strings.Contains(msg, "organizations:DescribeOrganization") {
		t.Fatalf("denial message = %q", msg)
	}
	if _, err := e.orgs(e.assume(dev002, orgsim.DefaultExecutionRole)).DescribeOrganization(bg, &organizations.DescribeOrganizationInput{}); err != nil {
		t.Fatalf("dev-002 is outside the OU: %v", err)
	}
	// The management account is never subject to SCPs, even attached to it directly.
	if _, err := c.DescribeOrganization(bg, &organizations.DescribeOrganizationInput{}); err != nil {
		t.Fatalf("management account: %v", err)
	}
	// Removing FullAWSAccess from the OU leaves only a Deny: everything is
	// implicitly denied there now.
	if _, err := c.DetachPolicy(bg, &organizations.DetachPolicyInput{PolicyId: aws.String("p-FullAWSAccess"), TargetId: aws.String(prodOU)}); err != nil {
		t.Fatal(err)
	}
	_, err = e.sts(prodCfg).GetCallerIdentity(bg, nil)
	if err != nil {
		t.Fatalf("GetCallerIdentity needs no permission: %v", err)
	}
	_, err = e.orgs(prodCfg).ListRoots(bg, &organizations.ListRootsInput{})
	orgWant(t, err, "AccessDeniedException", 400)
	if !strings.Contains(orgMessage(err), "no service control policy allows") {
		t.Fatalf("denial message = %q", orgMessage(err))
	}
}

// orgRootTypes returns the root's policy types as ListRoots lists them:
// "TYPE=STATUS", sorted.
func orgRootTypes(t testing.TB, c *organizations.Client) []string {
	t.Helper()
	lr, err := c.ListRoots(bg, &organizations.ListRootsInput{})
	if err != nil {
		t.Fatal(err)
	}
	var out []string
	for _, pt := range lr.Roots[0].PolicyTypes {
		out = append(out, string(pt.Type)+"="+string(pt.Status))
	}
	return out
}

// TestOrganizationsPolicyTypeIsAsynchronous: EnablePolicyType and
// DisablePolicyType finish in the background. Until then the root lists
// the type PENDING_ENABLE (PENDING_DISABLE), attaching and detaching a
// policy of the type fails with PolicyTypeNotEnabledException, a second
// change of the root's policy types (or any write to the root) answers
// ConcurrentModificationException, and FullAWSAccess is attached nowhere;
// once the sim clock passes PolicyTypeDelay, the type is ENABLED and
// FullAWSAccess is everywhere.
func TestOrganizationsPolicyTypeIsAsynchronous(t *testing.T) {
	e := newEnv(t, orgsim.Options{Seed: 4, Org: orgsim.OrgSpec{Members: 3}})
	c := e.orgs(e.cfg)
	rootID, audit := e.sim.RootID(), orgMember(t, e, "Audit")
	delay := e.sim.AWSLike().PolicyTypeDelay
	if delay <= 0 {
		t.Fatalf("PolicyTypeDelay is %s by default; the test needs AWS's asynchrony", delay)
	}
	cp, err := c.CreatePolicy(bg, &organizations.CreatePolicyInput{Name: aws.String("deny-describe"), Description: aws.String(""),
		Content: aws.String(orgDenyDescribeSCP), Type: orgtypes.PolicyTypeServiceControlPolicy})
	if err != nil {
		t.Fatal(err)
	}
	id := cp.Policy.PolicySummary.Id
	attach := func(target string) error {
		_, err := c.AttachPolicy(bg, &organizations.AttachPolicyInput{PolicyId: id, TargetId: aws.String(target)})
		return err
	}
	faaTargets := func() int {
		out, err := c.ListTargetsForPolicy(bg, &organizations.ListTargetsForPolicyInput{PolicyId: aws.String("p-FullAWSAccess")})
		if err != nil {
			t.Fatal(err)
		}
		return len(out.Targets)
	}
	scp := orgtypes.PolicyTypeServiceControlPolicy

	en, err := c.EnablePolicyType(bg, &organizations.EnablePolicyTypeInput{RootId: aws.String(rootID), PolicyType: scp})
	if err != nil {
		t.Fatal(err)
	}
	if pt := en.Root.PolicyTypes; len(pt) != 1 || pt[0].Type != scp || pt[0].Status != orgtypes.PolicyTypeStatusPendingEnable {
		t.Fatalf("EnablePolicyType returned the root with %+v, want SERVICE_CONTROL_POLICY PENDING_ENABLE", pt)
	}
	e.sim.Advance(delay / 2)
	if got := orgRootTypes(t, c); len(got) != 1 || got[0] != "SERVICE_CONTROL_POLICY=PENDING_ENABLE" {
		t.Fatalf("ListRoots while AWS enables SCPs: %v", got)
	}
	if n := faaTargets(); n != 0 {
		t.Fatalf("FullAWSAccess is attached to %d targets before SCPs are ENABLED", n)
	}
	orgWant(t, attach(audit), "PolicyTypeNotEnabledException", 400)
	orgWant(t, attach(rootID), "ConcurrentModificationException", 400)
	_, err = c.EnablePolicyType(bg, &organizations.EnablePolicyTypeInput{RootId: aws.String(rootID), PolicyType: scp})
	orgWant(t, err, "ConcurrentModificationException", 400)
	_, err = c.DisablePolicyType(bg, &organizations.DisablePolicyTypeInput{RootId: aws.String(rootID), PolicyType: scp})
	orgWant(t, err, "ConcurrentModificationException", 400)
	if s := e.sim.Settling(); len(s) != 1 || !strings.Contains(s[0].What, "SERVICE_CONTROL_POLICY type becoming ENABLED in root "+rootID) {
		t.Fatalf("settling: %+v", s)
	}

	e.sim.Advance(delay - delay/2)
	if got := orgRootTypes(t, c); len(got) != 1 || got[0] != "SERVICE_CONTROL_POLICY=ENABLED" {
		t.Fatalf("ListRoots once AWS has finished: %v", got)
	}
	// root + 5 OUs + 4 accounts
	if n := faaTargets(); n != 10 {
		t.Fatalf("FullAWSAccess is attached to %d targets once SCPs are ENABLED, want 10", n)
	}
	if err := attach(audit); err != nil {
		t.Fatal(err)
	}

	// Disabling: PENDING_DISABLE, the policies stay attached but none can
	// be attached or detached, then every SCP is detached.
	dis, err := c.DisablePolicyType(bg, &organizations.DisablePolicyTypeInput{RootId: aws.String(rootID), PolicyType: scp})
	if err != nil {
		t.Fatal(err)
	}
	if pt := dis.Root.PolicyTypes; len(pt) != 1 || pt[0].Status != orgtypes.PolicyTypeStatusPendingDisable {
		t.Fatalf("DisablePolicyType returned the root with %+v, want PENDING_DISABLE", pt)
	}
	if got := orgRootTypes(t, c); len(got) != 1 || got[0] != "SERVICE_CONTROL_POLICY=PENDING_DISABLE" {
		t.Fatalf("ListRoots while AWS disables SCPs: %v", got)
	}
	_, err = c.DetachPolicy(bg, &organizations.DetachPolicyInput{PolicyId: id, TargetId: aws.String(audit)})
	orgWant(t, err, "PolicyTypeNotEnabledException", 400)
	if n := faaTargets(); n != 10 {
		t.Fatalf("FullAWSAccess is detached from all but %d targets before SCPs are disabled", n)
	}
	e.sim.Advance(delay)
	if got := orgRootTypes(t, c); len(got) != 0 {
		t.Fatalf("ListRoots once SCPs are disabled: %v", got)
	}
	if n := faaTargets(); n != 0 {
		t.Fatalf("FullAWSAccess is still attached to %d targets", n)
	}

	// Switched off, the type is ENABLED at once.
	off := orgsim.DefaultAWSLike()
	off.PolicyTypeDelay = 0
	e = newEnv(t, orgsim.Options{Seed: 4, Org: orgsim.OrgSpec{Members: 3}, AWSLike: &off})
	en, err = e.orgs(e.cfg).EnablePolicyType(bg, &organizations.EnablePolicyTypeInput{RootId: aws.String(e.sim.RootID()), PolicyType: scp})
	if err != nil || en.Root.PolicyTypes[0].Status != orgtypes.PolicyTypeStatusEnabled {
		t.Fatalf("with PolicyTypeDelay 0: %+v, %v", en, err)
	}
}

// TestOrganizationsConcurrentModification: a write holds the policies and
// targets it changes from its arrival until its response is written;
// another write to one of them meanwhile gets
// ConcurrentModificationException (HTTP 400, as every Organizations error), writes to others go through,
// and once the first has answered the same write succeeds. Injected
// latency keeps the first write in flight: the sim's Sleep holds it until
// the test lets it go.
func TestOrganizationsConcurrentModification(t *testing.T) {
	for _, on := range []bool{true, false} {
		t.Run(fmt.Sprintf("ConcurrentModification=%t", on), func(t *testing.T) {
			var (
				held    atomic.Bool
				arrived = make(chan struct{})
				letGo   = make(chan struct{})
			)
			like := orgsim.DefaultAWSLike()
			like.ConcurrentModification = on
			e := newEnv(t, orgsim.Options{Seed: 4, Org: orgsim.OrgSpec{Members: 3}, AWSLike: &like,
				// Every AttachPolicy takes a second; the first one is held
				// in flight until the test lets it go.
				Faults: orgsim.Faults{Rules: []orgsim.FaultRule{{Service: "organizations", Operation: "AttachPolicy", Latency: time.Second}}},
				Sleep: func(d time.Duration, done <-chan struct{}) {
					if d > 0 && held.CompareAndSwap(false, true) {
						close(arrived)
						<-letGo
					}
				},
			})
			c := e.orgs(e.cfg)
			orgEnableType(t, e, orgtypes.PolicyTypeServiceControlPolicy)
			workloads, audit := orgOUOf(t, e, "/Workloads"), orgMember(t, e, "Audit")
			policy := func(name string) *string {
				out, err := c.CreatePolicy(bg, &organizations.CreatePolicyInput{Name: aws.String(name), Description: aws.String(""),
					Content: aws.String(orgDenyDescribeSCP), Type: orgtypes.PolicyTypeServiceControlPolicy})
				if err != nil {
					t.Fatal(err)
				}
				return out.Policy.PolicySummary.Id
			}
			p1, p2 := policy("one"), policy("two")
			attach := func(p *string, target string) error {
				_, err := c.AttachPolicy(bg, &organizations.AttachPolicyInput{PolicyId: p, TargetId: aws.String(target)})
				return err
			}

			first := make(chan error, 1)
			go func() { first <- attach(p1, workloads) }()
			<-arrived
			conflicts := []struct {
				name string
				err  error
			}{
				{"another SCP on the same OU", attach(p2, workloads)},
				{"the same SCP on another target", attach(p1, audit)},
				{"updating the same SCP", func() error {
					_, err := c.UpdatePolicy(bg, &organizations.UpdatePolicyInput{PolicyId: p1, Description: aws.String("changed")})
					return err
				}()},
				{"tagging the same OU", func() error {
					_, err := c.TagResource(bg, &organizations.TagResourceInput{ResourceId: aws.String(workloads),
						Tags: []orgtypes.Tag{{Key: aws.String("k"), Value: aws.String("v")}}})
					return err
				}()},
			}
			for _, cf := range conflicts {
				if on {
					orgWant(t, cf.err, "ConcurrentModificationException", 400)
					if !strings.Contains(orgMessage(cf.err), "conflicts with another attempt to modify the same entity") {
						t.Errorf("%s: message %q", cf.name, orgMessage(cf.err))
					}
				} else if cf.err != nil {
					t.Errorf("%s with ConcurrentModification off: %v", cf.name, cf.err)
				}
			}
			close(letGo)
			if err := <-first; err != nil {
				t.Fatalf("the write in flight: %v", err)
			}
			if !on {
				return
			}
			// Neither the policy nor the target of the first write: no conflict.
			if err := attach(p2, audit); err != nil {
				t.Fatalf("a write to other entities: %v", err)
			}
			// The first write has answered: the OU is free again.
			if err := attach(p2, workloads); err != nil {
				t.Fatalf("after the first write answered: %v", err)
			}
			var cmes int64
			for _, cs := range e.sim.Counters() {
				cmes += int64(cs.Errors["ConcurrentModificationException"])
			}
			if cmes != int64(len(conflicts)) {
				t.Errorf("orgsim counted %d ConcurrentModificationException answers, want %d", cmes, len(conflicts))
			}
		})
	}
}

// TestOrganizationsBillingOnly: an organization with only consolidated
// billing features refuses policies, trusted access and delegated
// administrators, as AWS does.
func TestOrganizationsBillingOnly(t *testing.T) {
	e := newEnv(t, orgsim.Options{Seed: 4, Org: orgsim.OrgSpec{Members: 3, FeatureSet: "CONSOLIDATED_BILLING"}})
	c := e.orgs(e.cfg)
	org, err := c.DescribeOrganization(bg, &organizations.DescribeOrganizationInput{})
	if err != nil || org.Organization.FeatureSet != orgtypes.OrganizationFeatureSetConsolidatedBilling {
		t.Fatalf("DescribeOrganization = %+v, %v", org, err)
	}
	_, err = c.EnablePolicyType(bg, &organizations.EnablePolicyTypeInput{RootId: aws.String(e.sim.RootID()), PolicyType: orgtypes.PolicyTypeServiceControlPolicy})
	orgWant(t, err, "PolicyTypeNotAvailableForOrganizationException", 400)
	_, err = c.CreatePolicy(bg, &organizations.CreatePolicyInput{Name: aws.String("p"), Description: aws.String(""),
		Content: aws.String(orgDenyDescribeSCP), Type: orgtypes.PolicyTypeServiceControlPolicy})
	orgWant(t, err, "PolicyTypeNotAvailableForOrganizationException", 400)
	_, err = c.EnableAWSServiceAccess(bg, &organizations.EnableAWSServiceAccessInput{ServicePrincipal: aws.String("cloudtrail.amazonaws.com")})
	orgWantReason(t, err, "ConstraintViolationException", 400, "ORGANIZATION_NOT_IN_ALL_FEATURES_MODE")
	_, err = c.RegisterDelegatedAdministrator(bg, &organizations.RegisterDelegatedAdministratorInput{
		AccountId: aws.String(orgMember(t, e, "Audit")), ServicePrincipal: aws.String("access-analyzer.amazonaws.com")})
	orgWantReason(t, err, "ConstraintViolationException", 400, "ORGANIZATION_NOT_IN_ALL_FEATURES_MODE")

	defer func() {
		if r := recover(); r == nil || !strings.Contains(fmt.Sprint(r), "use ALL or CONSOLIDATED_BILLING") {
			t.Errorf("an unknown feature set: %v", r)
		}
	}()
	orgsim.New(orgsim.Options{Org: orgsim.OrgSpec{FeatureSet: "BILLING"}})
}

// TestOrganizationsPartitionARNs: every Organizations ARN is in the sim's
// partition, FullAWSAccess's included.
func TestOrganizationsPartitionARNs(t *testing.T) {
	e := newEnv(t, orgsim.Options{Seed: 4, Org: orgsim.OrgSpec{Members: 2}, Partition: "aws-us-gov"})
	c := e.orgs(e.config(e.sim.ManagementCredentials(), e.sim.GlobalRegion()))
	mgmt, orgID := e.sim.ManagementAccountID(), e.sim.OrganizationID()
	prefix := "arn:aws-us-gov:organizations::" + mgmt + ":"
	org, err := c.DescribeOrganization(bg, &organizations.DescribeOrganizationInput{})
	if err != nil {
		t.Fatal(err)
	}
	roots, err := c.ListRoots(bg, &organizations.ListRootsInput{})
	if err != nil {
		t.Fatal(err)
	}
	accts, err := c.ListAccounts(bg, &organizations.ListAccountsInput{})
	if err != nil {
		t.Fatal(err)
	}
	ous, err := c.ListOrganizationalUnitsForParent(bg, &organizations.ListOrganizationalUnitsForParentInput{ParentId: roots.Roots[0].Id})
	if err != nil {
		t.Fatal(err)
	}
	cp, err := c.CreatePolicy(bg, &organizations.CreatePolicyInput{Name: aws.String("p"), Description: aws.String(""),
		Content: aws.String(orgDenyDescribeSCP), Type: orgtypes.PolicyTypeServiceControlPolicy})
	if err != nil {
		t.Fatal(err)
	}
	faa, err := c.DescribePolicy(bg, &organizations.DescribePolicyInput{PolicyId: aws.String("p-FullAWSAccess")})
	if err != nil {
		t.Fatal(err)
	}
	for what, got := range map[string]string{
		"organization":  aws.ToString(org.Organization.Arn),
		"management":    aws.ToString(org.Organization.MasterAccountArn),
		"root":          aws.ToString(roots.Roots[0].Arn),
		"account":       aws.ToString(accts.Accounts[1].Arn),
		"OU":            aws.ToString(ous.OrganizationalUnits[0].Arn),
		"policy":        aws.ToString(cp.Policy.PolicySummary.Arn),
		"FullAWSAccess": aws.ToString(faa.Policy.PolicySummary.Arn),
	} {
		want := prefix
		switch what {
		case "organization":
			want += "organization/" + orgID
		case "FullAWSAccess":
			want = "arn:aws-us-gov:organizations::aws:policy/service_control_policy/p-FullAWSAccess"
		}
		if !strings.HasPrefix(got, want) {
			t.Errorf("%s ARN %s, want it to begin %s", what, got, want)
		}
	}
}

// TestOrganizationsThrottlesPerOperation: with AWSThrottling, each listed
// Organizations operation has a token bucket of its own: exhausting
// ListRoots's leaves DescribeOrganization's and the shared bucket of the
// unlisted operations untouched. The clock stands still, so no bucket
// refills.
func TestOrganizationsThrottlesPerOperation(t *testing.T) {
	clk := newTestClock(time.Date(2026, 12, 1, 9, 0, 0, 0, time.UTC))
	e := newEnv(t, orgsim.Options{Seed: 4, Org: orgsim.OrgSpec{Members: 2}, Now: clk.Now, Faults: orgsim.Faults{Rules: orgsim.AWSThrottling()}})
	c := e.orgs(e.cfg)
	burst := func(op string) int {
		for _, r := range orgsim.AWSThrottling() {
			if r.Service == "organizations" && r.Operation == op {
				return r.Burst
			}
		}
		t.Fatalf("AWSThrottling has no Organizations rule for %q", op)
		return 0
	}
	listRoots := func() error { _, err := c.ListRoots(bg, &organizations.ListRootsInput{}); return err }
	describe := func() error {
		_, err := c.DescribeOrganization(bg, &organizations.DescribeOrganizationInput{})
		return err
	}
	unlisted := func() error {
		_, err := c.DescribeOrganizationalUnit(bg, &organizations.DescribeOrganizationalUnitInput{OrganizationalUnitId: aws.String(orgOUOf(t, e, "/Security"))})
		return err
	}
	for i := range burst("ListRoots") {
		if err := listRoots(); err != nil {
			t.Fatalf("ListRoots %d within the burst: %v", i+1, err)
		}
	}
	orgWant(t, listRoots(), "TooManyRequestsException", 400)
	for i := range burst("DescribeOrganization") {
		if err := describe(); err != nil {
			t.Fatalf("DescribeOrganization %d, after ListRoots ran out: %v", i+1, err)
		}
	}
	orgWant(t, describe(), "TooManyRequestsException", 400)
	for i := range burst("") {
		if err := unlisted(); err != nil {
			t.Fatalf("DescribeOrganizationalUnit %d (the shared bucket): %v", i+1, err)
		}
	}
	orgWant(t, unlisted(), "TooManyRequestsException", 400)
}
