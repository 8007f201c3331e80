package orgsim_test

import (
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/cloudtrail"
	"github.com/aws/aws-sdk-go-v2/service/configservice"
	cfgtypes "github.com/aws/aws-sdk-go-v2/service/configservice/types"
	"github.com/aws/aws-sdk-go-v2/service/iam"
	"github.com/aws/aws-sdk-go-v2/service/kms"
	"github.com/aws/aws-sdk-go-v2/service/organizations"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/aws-sdk-go-v2/service/sts"

	"github.com/orgbaseline/orgbaseline/internal/orgsim"
)

const rcpDeniedByRCP = "with an explicit deny in a resource control policy"

// rcpOrgOnly denies actions to every principal outside the organization,
// service principals included (no exemption for AWS services).
func rcpOrgOnly(org, actions string) string {
	return `{"Version":"2012-10-17","Statement":[{"Sid":"OrgOnly","Effect":"Deny","Principal":"*","Action":` + actions + `,"Resource":"*",
	  "Condition":{"StringNotEqualsIfExists":{"aws:PrincipalOrgID":"` + org + `"}}}]}`
}

// rcpPerimeter is the identity perimeter of the Organizations user guide,
// "Resource control policy examples" (and aws-samples/
// data-perimeter-policy-examples): principals outside the organization
// are denied, AWS services exempted (aws:PrincipalIsAWSService), and a
// service acting for a source outside the organization is denied
// (EnforceConfusedDeputyProtection, aws:SourceOrgID).
func rcpPerimeter(org, actions string) string {
	return `{"Version":"2012-10-17","Statement":[
	  {"Sid":"EnforceOrgIdentities","Effect":"Deny","Principal":"*","Action":` + actions + `,"Resource":"*",
	   "Condition":{"StringNotEqualsIfExists":{"aws:PrincipalOrgID":"` + org + `"},"BoolIfExists":{"aws:PrincipalIsAWSService":"false"}}},
	  {"Sid":"EnforceConfusedDeputyProtection","Effect":"Deny","Principal":"*","Action":` + actions + `,"Resource":"*",
	   "Condition":{"StringNotEqualsIfExists":{"aws:SourceOrgID":"` + org + `"},"Null":{"aws:SourceAccount":"false"},"Bool":{"aws:PrincipalIsAWSService":"true"}}}]}`
}

// rcpEnv is an organization with RCPs enabled and one customer RCP
// attached to the root; it returns the env and the RCP's id.
func rcpEnv(t testing.TB, content string) (*env, string) {
	t.Helper()
	e := newEnv(t, orgsim.Options{Seed: 11, Org: orgsim.OrgSpec{Members: 3, Clean: true}})
	c := e.orgs(e.cfg)
	orgEnableType(t, e, rcpType)
	id := rcpCreate(t, c, "perimeter", content)
	if _, err := c.AttachPolicy(bg, &organizations.AttachPolicyInput{PolicyId: aws.String(id), TargetId: aws.String(e.sim.RootID())}); err != nil {
		t.Fatal(err)
	}
	return e, id
}

func rcpUpdate(t testing.TB, e *env, id, content string) {
	t.Helper()
	if _, err := e.orgs(e.cfg).UpdatePolicy(bg, &organizations.UpdatePolicyInput{PolicyId: aws.String(id), Content: aws.String(content)}); err != nil {
		t.Fatal(err)
	}
}

// An RCP binds the bucket's own account, another account and another
// organization's principals alike, but not the management account's
// buckets. orgsim serves no object operation, so s3:PutObject is asked of
// Sim.Denied, which decides as a live call; a bucket operation shows the
// same over the wire.
func TestRCPOnS3Requests(t *testing.T) {
	probe := `{"Version":"2012-10-17","Statement":[{"Effect":"Deny","Principal":"*","Action":"s3:GetBucketVersioning","Resource":"*","Condition":{"StringNotEquals":{"aws:PrincipalAccount":"000000000000"}}}]}`
	e, id := rcpEnv(t, probe)
	org, mgmt := e.sim.OrganizationID(), e.sim.ManagementAccountID()
	archiveID := orgMember(t, e, "Log Archive")
	archive := e.assume(archiveID, "OrganizationAccountAccessRole")
	ctBucket(t, e, archive, "rcp-member-bucket")
	ctBucket(t, e, e.cfg, "rcp-mgmt-bucket")
	get := func(cfg aws.Config, bucket string) error {
		_, err := e.s3(cfg).GetBucketVersioning(bg, &s3.GetBucketVersioningInput{Bucket: aws.String(bucket)})
		return err
	}
	// An RCP that denies everyone binds the bucket's own account...
	e.sim.Record(true)
	err := get(archive, "rcp-member-bucket")
	wantCode(t, err, "AccessDenied")
	if !strings.Contains(err.Error(), rcpDeniedByRCP) {
		t.Errorf("AccessDenied does not name the RCP: %v", err)
	}
	var rec *orgsim.Authorization
	for _, a := range e.sim.Authorizations() {
		if a.Request.Action == "s3:GetBucketVersioning" {
			rec = &a
		}
	}
	if rec == nil || rec.RCPDenied != rcpDeniedByRCP || rec.SCPDenied != "" {
		t.Fatalf("recorded GetBucketVersioning = %+v", rec)
	}
	if got := e.sim.RCPDenial(archiveID, rec.Request); got != rcpDeniedByRCP {
		t.Errorf("RCPDenial of the recorded request = %q", got)
	}
	// ... but never the management account's resources.
	if err := get(e.cfg, "rcp-mgmt-bucket"); err != nil {
		t.Fatalf("an RCP applied in the management account: %v", err)
	}

	// The organization-only RCP lets the member's own role through and
	// stops a principal of another organization (its account is outside
	// this one, so it cannot sign a call here: Sim.Denied asks orgsim
	// what it would answer).
	rcpUpdate(t, e, id, rcpOrgOnly(org, `["s3:PutObject","s3:GetBucketVersioning"]`))
	if err := get(archive, "rcp-member-bucket"); err != nil {
		t.Fatalf("the member's own role: %v", err)
	}
	obj := "arn:aws:s3:::rcp-member-bucket/k"
	if got := e.sim.Denied(archiveID, "arn:aws:iam::"+archiveID+":role/OrganizationAccountAccessRole", "s3:PutObject", obj); got != "" {
		t.Errorf("the member's own role: Denied(s3:PutObject) = %q", got)
	}
	if got := e.sim.Denied(orgsim.ExternalPartnerAccount, "arn:aws:iam::"+orgsim.ExternalPartnerAccount+":root", "s3:PutObject", obj); got != rcpDeniedByRCP {
		t.Errorf("another organization's principal: Denied = %q, want the RCP", got)
	}
	// Another action is not restricted; neither is a request on no resource.
	if got := e.sim.Denied(orgsim.ExternalPartnerAccount, "arn:aws:iam::"+orgsim.ExternalPartnerAccount+":root", "s3:GetObject", obj); strings.Contains(got, "resource control policy") {
		t.Errorf("s3:GetObject: %q", got)
	}
	if got := e.sim.Denied(mgmt, "arn:aws:iam::"+mgmt+":root", "s3:PutObject", "arn:aws:s3:::rcp-mgmt-bucket/k"); got != "" {
		t.Errorf("the management account's bucket: %q", got)
	}
}

// CloudTrail and Config deliver to a log bucket as their service
// principals: an RCP without AWS's exemption for services stops both
// (InsufficientS3BucketPolicyException, InsufficientDeliveryPolicyException),
// the documented perimeter lets them through.
func TestRCPOnServicePrincipalDeliveries(t *testing.T) {
	e, _ := rcpEnv(t, rcpDenyS3)
	org := e.sim.OrganizationID()
	c := e.orgs(e.cfg)
	auditID, archiveID := orgMember(t, e, "Audit"), orgMember(t, e, "Log Archive")
	audit, archive := e.assume(auditID, "OrganizationAccountAccessRole"), e.assume(archiveID, "OrganizationAccountAccessRole")
	strict := rcpCreate(t, c, "org-only", rcpOrgOnly(org, `["s3:*","kms:*"]`))
	if _, err := c.AttachPolicy(bg, &organizations.AttachPolicyInput{PolicyId: aws.String(strict), TargetId: aws.String(archiveID)}); err != nil {
		t.Fatal(err)
	}
	ctBucket(t, e, archive, "rcp-logs")

	// CloudTrail: a trail of the Audit account writing to Log Archive.
	trailARN := ctTrailARN("us-east-1", auditID, "audit-trail")
	ctPutPolicy(t, e, archive, "rcp-logs", ctTrailPolicy("rcp-logs", "", auditID, "", trailARN))
	create := func() error {
		_, err := e.trail(audit).CreateTrail(bg, &cloudtrail.CreateTrailInput{Name: aws.String("audit-trail"), S3BucketName: aws.String("rcp-logs")})
		return err
	}
	e.sim.Record(true)
	ctWant(t, create(), "InsufficientS3BucketPolicyException")
	checks := e.sim.ServiceChecks()
	if len(checks) == 0 || checks[0].Service != "cloudtrail.amazonaws.com" || checks[0].RCPDenied != rcpDeniedByRCP || checks[0].Account != auditID {
		t.Fatalf("recorded service checks = %+v", checks)
	}
	ctx := checks[0].Request.Context
	for k, want := range map[string]string{"aws:principalisawsservice": "true", "aws:principalservicename": "cloudtrail.amazonaws.com",
		"aws:sourcearn": trailARN, "aws:sourceaccount": auditID, "aws:sourceorgid": org} {
		if got := ctx[k]; len(got) != 1 || got[0] != want {
			t.Errorf("CloudTrail's request context %s = %v, want %s", k, got, want)
		}
	}
	if _, ok := ctx["aws:principalorgid"]; ok {
		t.Errorf("a service principal's request carries aws:PrincipalOrgID")
	}
	rcpUpdate(t, e, strict, rcpPerimeter(org, `["s3:*","kms:*"]`))
	if err := create(); err != nil {
		t.Fatalf("CreateTrail under the documented perimeter: %v", err)
	}

	// Config: the Audit account's recorder (service-linked role, so Config
	// writes as config.amazonaws.com) delivering to Log Archive.
	rcpUpdate(t, e, strict, rcpOrgOnly(org, `["s3:*","kms:*"]`))
	ctPutPolicy(t, e, archive, "rcp-logs", cfgDeliveryPolicy("rcp-logs", "", auditID))
	cs := e.cfgsvc(audit)
	if _, err := cs.PutConfigurationRecorder(bg, cfgRecorder("default", cfgSLR(t, e, audit))); err != nil {
		t.Fatal(err)
	}
	cfgSettle(e)
	channel := &configservice.PutDeliveryChannelInput{DeliveryChannel: &cfgtypes.DeliveryChannel{Name: aws.String("default"), S3BucketName: aws.String("rcp-logs")}}
	_, err := cs.PutDeliveryChannel(bg, channel)
	cfgWantMsg(t, err, "InsufficientDeliveryPolicyException", "unable to write to bucket")
	rcpUpdate(t, e, strict, rcpPerimeter(org, `["s3:*","kms:*"]`))
	if _, err := cs.PutDeliveryChannel(bg, channel); err != nil {
		t.Fatalf("PutDeliveryChannel under the documented perimeter: %v", err)
	}

	// CloudTrail's use of a customer managed key of a member account.
	key := kmsKey(t, e, archive, strings.Replace(ctKeyPolicy(archiveID), "cloudtrail:*:"+archiveID, "cloudtrail:*:"+auditID, 1))
	ctPutPolicy(t, e, archive, "rcp-logs", ctTrailPolicy("rcp-logs", "", auditID, "", trailARN))
	rcpUpdate(t, e, strict, rcpOrgOnly(org, `["s3:*","kms:*"]`))
	_, err = e.trail(audit).UpdateTrail(bg, &cloudtrail.UpdateTrailInput{Name: aws.String("audit-trail"), KmsKeyId: key.Arn})
	ctWant(t, err, "InsufficientEncryptionPolicyException")
	rcpUpdate(t, e, strict, rcpPerimeter(org, `["s3:*","kms:*"]`))
	if _, err := e.trail(audit).UpdateTrail(bg, &cloudtrail.UpdateTrailInput{Name: aws.String("audit-trail"), KmsKeyId: key.Arn}); err != nil {
		t.Fatalf("UpdateTrail with the key under the documented perimeter: %v", err)
	}
}

// An RCP on sts:AssumeRole requiring the organization lets the management
// account's role into a member and stops an outside principal; one on KMS
// binds customer managed keys of members, whoever calls.
func TestRCPOnSTSAndKMS(t *testing.T) {
	e, id := rcpEnv(t, rcpDenyS3)
	org := e.sim.OrganizationID()
	member := orgMember(t, e, "Audit")
	roleARN := "arn:aws:iam::" + member + ":role/OrganizationAccountAccessRole"
	rcpUpdate(t, e, id, rcpPerimeter(org, `"sts:AssumeRole"`))
	// A role of the management account assumes the member's execution role.
	mgmt := e.sim.ManagementAccountID()
	ic := e.iam(e.cfg)
	if _, err := ic.CreateRole(bg, &iam.CreateRoleInput{RoleName: aws.String("Deployer"),
		AssumeRolePolicyDocument: aws.String(`{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"AWS":"arn:aws:iam::` + mgmt + `:root"},"Action":"sts:AssumeRole"}]}`)}); err != nil {
		t.Fatal(err)
	}
	if _, err := ic.AttachRolePolicy(bg, &iam.AttachRolePolicyInput{RoleName: aws.String("Deployer"), PolicyArn: aws.String(e.sim.AWSManagedPolicyARN("AdministratorAccess"))}); err != nil {
		t.Fatal(err)
	}
	e.sim.Advance(e.sim.AWSLike().PropagationDelay)
	deployer := e.assume(mgmt, "Deployer")
	if _, err := e.sts(deployer).AssumeRole(bg, &sts.AssumeRoleInput{RoleArn: aws.String(roleARN), RoleSessionName: aws.String("rcp")}); err != nil {
		t.Fatalf("the management account's role: %v", err)
	}
	outside := "arn:aws:iam::" + orgsim.ExternalPartnerAccount + ":role/PartnerDeploy"
	if got := e.sim.Denied(orgsim.ExternalPartnerAccount, outside, "sts:AssumeRole", roleARN); got != rcpDeniedByRCP {
		t.Errorf("an outside principal's AssumeRole: Denied = %q, want the RCP", got)
	}

	// KMS: a customer managed key in a member account. Its own account's
	// role uses it; an outside principal is stopped by the RCP.
	rcpUpdate(t, e, id, rcpOrgOnly(org, `"kms:*"`))
	audit := e.assume(member, "OrganizationAccountAccessRole")
	key := kmsKey(t, e, audit, "")
	if _, err := e.kms(audit).DescribeKey(bg, &kms.DescribeKeyInput{KeyId: key.Arn}); err != nil {
		t.Fatalf("the key's own account: %v", err)
	}
	if got := e.sim.Denied(orgsim.ExternalPartnerAccount, "arn:aws:iam::"+orgsim.ExternalPartnerAccount+":root", "kms:DescribeKey", aws.ToString(key.Arn)); got != rcpDeniedByRCP {
		t.Errorf("an outside principal on a member's key: Denied = %q, want the RCP", got)
	}
	// A key of the management account is never subject to RCPs.
	mgmtKey := kmsKey(t, e, e.cfg, "")
	if got := e.sim.Denied(orgsim.ExternalPartnerAccount, "arn:aws:iam::"+orgsim.ExternalPartnerAccount+":root", "kms:DescribeKey", aws.ToString(mgmtKey.Arn)); strings.Contains(got, "resource control policy") {
		t.Errorf("the management account's key: %q", got)
	}
}
