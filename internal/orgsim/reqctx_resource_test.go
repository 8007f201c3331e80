package orgsim_test

import (
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/iam"
	"github.com/aws/aws-sdk-go-v2/service/organizations"
	"github.com/aws/aws-sdk-go-v2/service/s3"

	"github.com/orgbaseline/orgbaseline/internal/orgsim"
)

// rrRecorded runs f with orgsim recording and returns the authorizations
// of action it made.
func rrRecorded(t *testing.T, e *env, action string, f func()) []orgsim.Authorization {
	t.Helper()
	e.sim.Record(true)
	f()
	all := e.sim.Authorizations()
	e.sim.Record(false)
	var out []orgsim.Authorization
	for _, a := range all {
		if strings.EqualFold(a.Request.Action, action) {
			out = append(out, a)
		}
	}
	if len(out) == 0 {
		t.Fatalf("no %s authorized", action)
	}
	return out
}

func rrKey(a orgsim.Authorization, key string) string {
	if v := a.Request.Context[key]; len(v) == 1 {
		return v[0]
	}
	return "(absent)"
}

// aws:ResourceAccount and the resource's organization: a call on no
// resource evaluates the resources of the account it is made in (an
// Organizations call those of the management account); a bucket being
// created is the creator's; a bucket that does not exist has no owner.
func TestResourceOwnerKeys(t *testing.T) {
	e := newEnv(t, orgsim.Options{Seed: 3, Org: orgsim.OrgSpec{Members: 2, Clean: true}})
	mgmt, audit := e.sim.ManagementAccountID(), orgMember(t, e, "Audit")
	role := e.assume(audit, orgsim.DefaultExecutionRole)
	want := func(a orgsim.Authorization, account string) {
		t.Helper()
		if got := rrKey(a, "aws:resourceaccount"); got != account {
			t.Errorf("%s on %s: aws:ResourceAccount %s, want %s", a.Request.Action, a.Request.Resource, got, account)
		}
		org := e.sim.OrganizationID()
		if account == "(absent)" {
			org = "(absent)"
		}
		if got := rrKey(a, "aws:resourceorgid"); got != org {
			t.Errorf("%s: aws:ResourceOrgID %s, want %s", a.Request.Action, got, org)
		}
	}

	for _, a := range rrRecorded(t, e, "iam:GetAccountPasswordPolicy", func() {
		_, _ = e.iam(role).GetAccountPasswordPolicy(bg, &iam.GetAccountPasswordPolicyInput{})
	}) {
		want(a, audit)
		if p := rrKey(a, "aws:resourceorgpaths"); !strings.HasPrefix(p, e.sim.OrganizationID()+"/") {
			t.Errorf("aws:ResourceOrgPaths %s", p)
		}
	}
	for _, a := range rrRecorded(t, e, "organizations:DescribeOrganization", func() {
		if _, err := e.orgs(role).DescribeOrganization(bg, &organizations.DescribeOrganizationInput{}); err != nil {
			t.Fatal(err)
		}
	}) {
		want(a, mgmt)
	}

	regional := e.config(orgsim.Credentials{}, "eu-west-1")
	regional.Credentials = role.Credentials
	c := e.s3(regional)
	for _, a := range rrRecorded(t, e, "s3:ListBucket", func() {
		_, _ = c.HeadBucket(bg, &s3.HeadBucketInput{Bucket: aws.String("rr-not-yet")})
	}) {
		want(a, "(absent)")
	}
	for _, a := range rrRecorded(t, e, "s3:CreateBucket", func() { s3tCreate(t, c, "rr-not-yet") }) {
		want(a, audit)
		if got := rrKey(a, "s3:locationconstraint"); got != "eu-west-1" {
			t.Errorf("s3:LocationConstraint %s, want eu-west-1", got)
		}
	}
	for _, a := range rrRecorded(t, e, "s3:ListBucket", func() {
		if _, err := c.HeadBucket(bg, &s3.HeadBucketInput{Bucket: aws.String("rr-not-yet")}); err != nil {
			t.Fatal(err)
		}
	}) {
		want(a, audit)
	}
	// A bucket in us-east-1 is created without a location constraint.
	for _, a := range rrRecorded(t, e, "s3:CreateBucket", func() { s3tCreate(t, e.s3(role), "rr-virginia") }) {
		if got := rrKey(a, "s3:locationconstraint"); got != "(absent)" {
			t.Errorf("s3:LocationConstraint %s in us-east-1", got)
		}
	}
}
