package orgsim_test

import (
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/organizations"
	orgtypes "github.com/aws/aws-sdk-go-v2/service/organizations/types"

	"github.com/orgbaseline/orgbaseline/internal/orgsim"
)

// TestOrganizationsPolicyNameHoldsALease: what orgbaseline's apply lease
// (internal/cli/lease.go) relies on, as AWS answers it. CreatePolicy of a
// name that exists fails with DuplicatePolicyException, also while the
// policy type is not enabled in the root (CreatePolicy's errors include
// PolicyTypeNotAvailableForOrganizationException, never
// PolicyTypeNotEnabledException: Organizations API reference,
// CreatePolicy); the name is free again once the policy is deleted, and
// a deleted policy's id answers PolicyNotFoundException to UpdatePolicy
// and DeletePolicy (API reference, both pages), so an id never reaches
// its successor of the same name. Tags can be put on the root too
// (TagResource), but they are last-writer-wins.
func TestOrganizationsPolicyNameHoldsALease(t *testing.T) {
	e := newEnv(t, orgsim.Options{Seed: 9, Org: orgsim.OrgSpec{Members: 1}})
	c := e.orgs(e.cfg)
	roots, err := c.ListRoots(bg, &organizations.ListRootsInput{})
	if err != nil {
		t.Fatal(err)
	}
	if n := len(roots.Roots[0].PolicyTypes); n != 0 {
		t.Fatalf("the root has %d policy types enabled; this test needs none", n)
	}
	create := func(desc string) (string, error) {
		out, err := c.CreatePolicy(bg, &organizations.CreatePolicyInput{
			Name: aws.String("lease"), Description: aws.String(desc), Type: orgtypes.PolicyTypeServiceControlPolicy,
			Content: aws.String(`{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"*","Resource":"*"}]}`),
		})
		if err != nil {
			return "", err
		}
		return aws.ToString(out.Policy.PolicySummary.Id), nil
	}
	first, err := create("run 1")
	if err != nil {
		t.Fatal(err)
	}
	_, err = create("run 2")
	wantCode(t, err, "DuplicatePolicyException")
	if _, err := c.UpdatePolicy(bg, &organizations.UpdatePolicyInput{PolicyId: aws.String(first), Description: aws.String("run 1, renewed")}); err != nil {
		t.Fatal(err)
	}
	if _, err := c.DeletePolicy(bg, &organizations.DeletePolicyInput{PolicyId: aws.String(first)}); err != nil {
		t.Fatal(err)
	}
	second, err := create("run 2")
	if err != nil {
		t.Fatal(err)
	}
	if second == first {
		t.Fatalf("the new policy reuses the deleted one's id %s", first)
	}
	_, err = c.UpdatePolicy(bg, &organizations.UpdatePolicyInput{PolicyId: aws.String(first), Description: aws.String("late renewal")})
	wantCode(t, err, "PolicyNotFoundException")
	_, err = c.DeletePolicy(bg, &organizations.DeletePolicyInput{PolicyId: aws.String(first)})
	wantCode(t, err, "PolicyNotFoundException")
	d, err := c.DescribePolicy(bg, &organizations.DescribePolicyInput{PolicyId: aws.String(second)})
	if err != nil || aws.ToString(d.Policy.PolicySummary.Description) != "run 2" {
		t.Fatalf("the second holder's policy was touched: %+v, %v", d, err)
	}
}
