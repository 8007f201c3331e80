package orgsim_test

import (
	"encoding/csv"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/iam"
	"github.com/aws/aws-sdk-go-v2/service/iam/types"

	"github.com/orgbaseline/orgbaseline/internal/orgsim"
)

// TestIAMPartitionARNs: in GovCloud every IAM ARN orgsim writes is
// arn:aws-us-gov:..., AWS managed policies included, and an aws-partition
// ARN names nothing there (IAM user guide, "IAM identifiers": the
// partition is the ARN's second field).
func TestIAMPartitionARNs(t *testing.T) {
	e := newEnv(t, orgsim.Options{Seed: 1, Partition: "aws-us-gov", AWSLike: &orgsim.AWSLike{}})
	c := e.iam(e.config(e.sim.ManagementCredentials(), e.sim.GlobalRegion()))
	acct := e.sim.ManagementAccountID()
	prefix := "arn:aws-us-gov:iam::" + acct + ":"

	u, err := c.CreateUser(bg, &iam.CreateUserInput{UserName: aws.String("gov-user"), Path: aws.String("/team/")})
	iamTNoErr(t, err, "CreateUser")
	if got := aws.ToString(u.User.Arn); got != prefix+"user/team/gov-user" {
		t.Errorf("user ARN %s", got)
	}
	g, err := c.CreateGroup(bg, &iam.CreateGroupInput{GroupName: aws.String("gov-group")})
	iamTNoErr(t, err, "CreateGroup")
	if got := aws.ToString(g.Group.Arn); got != prefix+"group/gov-group" {
		t.Errorf("group ARN %s", got)
	}
	r, err := c.CreateRole(bg, &iam.CreateRoleInput{RoleName: aws.String("gov-role"), AssumeRolePolicyDocument: aws.String(iamTTrustEC2)})
	iamTNoErr(t, err, "CreateRole")
	if got := aws.ToString(r.Role.Arn); got != prefix+"role/gov-role" {
		t.Errorf("role ARN %s", got)
	}
	p, err := c.CreatePolicy(bg, &iam.CreatePolicyInput{PolicyName: aws.String("gov-policy"), PolicyDocument: aws.String(iamTReadS3)})
	iamTNoErr(t, err, "CreatePolicy")
	if got := aws.ToString(p.Policy.Arn); got != prefix+"policy/gov-policy" {
		t.Errorf("policy ARN %s", got)
	}
	mfa, err := c.CreateVirtualMFADevice(bg, &iam.CreateVirtualMFADeviceInput{VirtualMFADeviceName: aws.String("gov-mfa")})
	iamTNoErr(t, err, "CreateVirtualMFADevice")
	if got := aws.ToString(mfa.VirtualMFADevice.SerialNumber); got != prefix+"mfa/gov-mfa" {
		t.Errorf("MFA serial %s", got)
	}

	// AWS managed policies: found and attached under the partition's ARN,
	// not under the aws partition's.
	readOnly := "arn:aws-us-gov:iam::aws:policy/ReadOnlyAccess"
	gp, err := c.GetPolicy(bg, &iam.GetPolicyInput{PolicyArn: aws.String(readOnly)})
	iamTNoErr(t, err, "GetPolicy")
	if aws.ToString(gp.Policy.Arn) != readOnly {
		t.Errorf("managed policy ARN %s", aws.ToString(gp.Policy.Arn))
	}
	_, err = c.GetPolicy(bg, &iam.GetPolicyInput{PolicyArn: aws.String("arn:aws:iam::aws:policy/ReadOnlyAccess")})
	iamTWant(t, err, "NoSuchEntity", 404, "arn:aws:iam::aws:policy/ReadOnlyAccess was not found")
	_, err = c.AttachUserPolicy(bg, &iam.AttachUserPolicyInput{UserName: aws.String("gov-user"), PolicyArn: aws.String("arn:aws:iam::aws:policy/ReadOnlyAccess")})
	iamTWant(t, err, "NoSuchEntity", 404, "does not exist or is not attachable")
	_, err = c.AttachUserPolicy(bg, &iam.AttachUserPolicyInput{UserName: aws.String("gov-user"), PolicyArn: aws.String(readOnly)})
	iamTNoErr(t, err, "AttachUserPolicy")
	ents, err := c.ListEntitiesForPolicy(bg, &iam.ListEntitiesForPolicyInput{PolicyArn: aws.String(readOnly)})
	iamTNoErr(t, err, "ListEntitiesForPolicy")
	if len(ents.PolicyUsers) != 1 || aws.ToString(ents.PolicyUsers[0].UserName) != "gov-user" {
		t.Errorf("entities for %s: %+v", readOnly, ents.PolicyUsers)
	}
	pols, err := c.ListPolicies(bg, &iam.ListPoliciesInput{Scope: types.PolicyScopeTypeAws, OnlyAttached: true})
	iamTNoErr(t, err, "ListPolicies")
	for _, x := range pols.Policies {
		if !strings.HasPrefix(aws.ToString(x.Arn), "arn:aws-us-gov:iam::aws:policy/") || x.AttachmentCount == nil || *x.AttachmentCount == 0 {
			t.Errorf("attached AWS managed policy %s (%d attachments)", aws.ToString(x.Arn), aws.ToInt32(x.AttachmentCount))
		}
	}

	// A service-linked role gets its service's policy in the partition.
	slr, err := c.CreateServiceLinkedRole(bg, &iam.CreateServiceLinkedRoleInput{AWSServiceName: aws.String("config.amazonaws.com")})
	iamTNoErr(t, err, "CreateServiceLinkedRole")
	if got := aws.ToString(slr.Role.Arn); got != prefix+"role/aws-service-role/config.amazonaws.com/AWSServiceRoleForConfig" {
		t.Errorf("service-linked role ARN %s", got)
	}
	att, err := c.ListAttachedRolePolicies(bg, &iam.ListAttachedRolePoliciesInput{RoleName: slr.Role.RoleName})
	iamTNoErr(t, err, "ListAttachedRolePolicies")
	if len(att.AttachedPolicies) != 1 || aws.ToString(att.AttachedPolicies[0].PolicyArn) != "arn:aws-us-gov:iam::aws:policy/aws-service-role/AWSConfigServiceRolePolicy" {
		t.Errorf("service-linked role policies: %+v", att.AttachedPolicies)
	}

	// A trust policy naming a principal of another partition is refused.
	_, err = c.CreateRole(bg, &iam.CreateRoleInput{RoleName: aws.String("cross"), AssumeRolePolicyDocument: aws.String(
		`{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"AWS":"arn:aws:iam::` + acct + `:user/team/gov-user"},"Action":"sts:AssumeRole"}]}`)})
	iamTWant(t, err, "MalformedPolicyDocument", 400, "Invalid principal in policy")

	// The credential report's root row.
	c.GenerateCredentialReport(bg, &iam.GenerateCredentialReportInput{})
	rep, err := c.GetCredentialReport(bg, &iam.GetCredentialReportInput{})
	iamTNoErr(t, err, "GetCredentialReport")
	rows, err := csv.NewReader(strings.NewReader(string(rep.Content))).ReadAll()
	if err != nil || len(rows) < 2 {
		t.Fatalf("report: %v", err)
	}
	if rows[1][1] != prefix+"root" {
		t.Errorf("root ARN in the report: %s", rows[1][1])
	}
}
