package orgsim_test

import (
	"errors"
	"fmt"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	awshttp "github.com/aws/aws-sdk-go-v2/aws/transport/http"
	"github.com/aws/aws-sdk-go-v2/service/iam"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	s3types "github.com/aws/aws-sdk-go-v2/service/s3/types"
	"github.com/aws/aws-sdk-go-v2/service/sts"

	"github.com/orgbaseline/orgbaseline/internal/orgsim"
)

func s3tCreate(t testing.TB, c *s3.Client, name string) {
	t.Helper()
	in := &s3.CreateBucketInput{Bucket: aws.String(name)}
	if r := c.Options().Region; r != "us-east-1" {
		in.CreateBucketConfiguration = &s3types.CreateBucketConfiguration{LocationConstraint: s3types.BucketLocationConstraint(r)}
	}
	if _, err := c.CreateBucket(bg, in); err != nil {
		t.Fatalf("CreateBucket %s: %v", name, err)
	}
}

// s3tMessage returns the message of an S3 API error.
func s3tMessage(err error) string {
	var ae interface{ ErrorMessage() string }
	if errors.As(err, &ae) {
		return ae.ErrorMessage()
	}
	return ""
}

func TestS3BucketLifecycle(t *testing.T) {
	e := newEnv(t, orgsim.Options{Seed: 1})
	c := e.s3(e.cfg)
	b := aws.String("orgsim-logs-1")
	s3tCreate(t, c, "orgsim-logs-1")

	// HeadBucket and GetBucketLocation (us-east-1 is an empty constraint).
	head, err := c.HeadBucket(bg, &s3.HeadBucketInput{Bucket: b})
	if err != nil || aws.ToString(head.BucketRegion) != "us-east-1" {
		t.Fatalf("HeadBucket = %+v, %v", head, err)
	}
	loc, err := c.GetBucketLocation(bg, &s3.GetBucketLocationInput{Bucket: b})
	if err != nil || loc.LocationConstraint != "" {
		t.Fatalf("GetBucketLocation = %+v, %v", loc, err)
	}

	// Defaults of a new bucket: SSE-S3, Block Public Access on, no versioning.
	enc, err := c.GetBucketEncryption(bg, &s3.GetBucketEncryptionInput{Bucket: b})
	if err != nil || len(enc.ServerSideEncryptionConfiguration.Rules) != 1 ||
		enc.ServerSideEncryptionConfiguration.Rules[0].ApplyServerSideEncryptionByDefault.SSEAlgorithm != s3types.ServerSideEncryptionAes256 {
		t.Fatalf("GetBucketEncryption = %+v, %v", enc, err)
	}
	pab, err := c.GetPublicAccessBlock(bg, &s3.GetPublicAccessBlockInput{Bucket: b})
	if err != nil {
		t.Fatal(err)
	}
	if p := pab.PublicAccessBlockConfiguration; !aws.ToBool(p.BlockPublicAcls) || !aws.ToBool(p.IgnorePublicAcls) || !aws.ToBool(p.BlockPublicPolicy) || !aws.ToBool(p.RestrictPublicBuckets) {
		t.Fatalf("default public access block = %+v", p)
	}
	ver, err := c.GetBucketVersioning(bg, &s3.GetBucketVersioningInput{Bucket: b})
	if err != nil || ver.Status != "" || ver.MFADelete != "" {
		t.Fatalf("GetBucketVersioning (never set) = %+v, %v", ver, err)
	}

	// Versioning.
	for _, st := range []s3types.BucketVersioningStatus{s3types.BucketVersioningStatusEnabled, s3types.BucketVersioningStatusSuspended} {
		if _, err := c.PutBucketVersioning(bg, &s3.PutBucketVersioningInput{Bucket: b, VersioningConfiguration: &s3types.VersioningConfiguration{Status: st}}); err != nil {
			t.Fatal(err)
		}
		if ver, err := c.GetBucketVersioning(bg, &s3.GetBucketVersioningInput{Bucket: b}); err != nil || ver.Status != st {
			t.Fatalf("GetBucketVersioning = %+v, %v; want %s", ver, err, st)
		}
	}
	_, err = c.PutBucketVersioning(bg, &s3.PutBucketVersioningInput{Bucket: b, VersioningConfiguration: &s3types.VersioningConfiguration{Status: "On"}})
	aaS3WantStatus(t, err, "MalformedXML", 400)
	_, err = c.PutBucketVersioning(bg, &s3.PutBucketVersioningInput{Bucket: b, VersioningConfiguration: &s3types.VersioningConfiguration{
		Status: s3types.BucketVersioningStatusEnabled, MFADelete: s3types.MFADeleteEnabled}})
	aaS3WantStatus(t, err, "InvalidRequest", 400)

	// Public access block.
	if _, err := c.PutPublicAccessBlock(bg, &s3.PutPublicAccessBlockInput{Bucket: b, PublicAccessBlockConfiguration: &s3types.PublicAccessBlockConfiguration{
		BlockPublicAcls: aws.Bool(true), BlockPublicPolicy: aws.Bool(false)}}); err != nil {
		t.Fatal(err)
	}
	pab, err = c.GetPublicAccessBlock(bg, &s3.GetPublicAccessBlockInput{Bucket: b})
	if p := pab.PublicAccessBlockConfiguration; err != nil || !aws.ToBool(p.BlockPublicAcls) || aws.ToBool(p.IgnorePublicAcls) || aws.ToBool(p.BlockPublicPolicy) || aws.ToBool(p.RestrictPublicBuckets) {
		t.Fatalf("GetPublicAccessBlock = %+v, %v", pab, err)
	}
	if _, err := c.DeletePublicAccessBlock(bg, &s3.DeletePublicAccessBlockInput{Bucket: b}); err != nil {
		t.Fatal(err)
	}
	_, err = c.GetPublicAccessBlock(bg, &s3.GetPublicAccessBlockInput{Bucket: b})
	aaS3WantStatus(t, err, "NoSuchPublicAccessBlockConfiguration", 404)

	// Default encryption.
	if _, err := c.PutBucketEncryption(bg, &s3.PutBucketEncryptionInput{Bucket: b, ServerSideEncryptionConfiguration: &s3types.ServerSideEncryptionConfiguration{
		Rules: []s3types.ServerSideEncryptionRule{{
			ApplyServerSideEncryptionByDefault: &s3types.ServerSideEncryptionByDefault{SSEAlgorithm: s3types.ServerSideEncryptionAwsKms, KMSMasterKeyID: aws.String("alias/logs")},
			BucketKeyEnabled:                   aws.Bool(true),
		}}}}); err != nil {
		t.Fatal(err)
	}
	enc, err = c.GetBucketEncryption(bg, &s3.GetBucketEncryptionInput{Bucket: b})
	if err != nil {
		t.Fatal(err)
	}
	if r := enc.ServerSideEncryptionConfiguration.Rules[0]; r.ApplyServerSideEncryptionByDefault.SSEAlgorithm != s3types.ServerSideEncryptionAwsKms ||
		aws.ToString(r.ApplyServerSideEncryptionByDefault.KMSMasterKeyID) != "alias/logs" || !aws.ToBool(r.BucketKeyEnabled) {
		t.Fatalf("encryption = %+v", r)
	}
	_, err = c.PutBucketEncryption(bg, &s3.PutBucketEncryptionInput{Bucket: b, ServerSideEncryptionConfiguration: &s3types.ServerSideEncryptionConfiguration{
		Rules: []s3types.ServerSideEncryptionRule{{ApplyServerSideEncryptionByDefault: &s3types.ServerSideEncryptionByDefault{
			SSEAlgorithm: s3types.ServerSideEncryptionAes256, KMSMasterKeyID: aws.String("alias/logs")}}}}})
	aaS3WantStatus(t, err, "InvalidArgument", 400)
	_, err = c.PutBucketEncryption(bg, &s3.PutBucketEncryptionInput{Bucket: b, ServerSideEncryptionConfiguration: &s3types.ServerSideEncryptionConfiguration{
		Rules: []s3types.ServerSideEncryptionRule{{ApplyServerSideEncryptionByDefault: &s3types.ServerSideEncryptionByDefault{SSEAlgorithm: "DES"}}}}})
	aaS3WantStatus(t, err, "MalformedXML", 400)
	if _, err := c.DeleteBucketEncryption(bg, &s3.DeleteBucketEncryptionInput{Bucket: b}); err != nil {
		t.Fatal(err)
	}
	enc, err = c.GetBucketEncryption(bg, &s3.GetBucketEncryptionInput{Bucket: b})
	if err != nil || enc.ServerSideEncryptionConfiguration.Rules[0].ApplyServerSideEncryptionByDefault.SSEAlgorithm != s3types.ServerSideEncryptionAes256 {
		t.Fatalf("encryption after delete = %+v, %v", enc, err)
	}

	// Tagging.
	_, err = c.GetBucketTagging(bg, &s3.GetBucketTaggingInput{Bucket: b})
	aaS3WantStatus(t, err, "NoSuchTagSet", 404)
	if _, err := c.PutBucketTagging(bg, &s3.PutBucketTaggingInput{Bucket: b, Tagging: &s3types.Tagging{TagSet: []s3types.Tag{
		{Key: aws.String("owner"), Value: aws.String("security")}, {Key: aws.String("env"), Value: aws.String("prod")}}}}); err != nil {
		t.Fatal(err)
	}
	tags, err := c.GetBucketTagging(bg, &s3.GetBucketTaggingInput{Bucket: b})
	if err != nil || len(tags.TagSet) != 2 || aws.ToString(tags.TagSet[0].Key) != "env" || aws.ToString(tags.TagSet[1].Value) != "security" {
		t.Fatalf("GetBucketTagging = %+v, %v", tags, err)
	}
	_, err = c.PutBucketTagging(bg, &s3.PutBucketTaggingInput{Bucket: b, Tagging: &s3types.Tagging{TagSet: []s3types.Tag{{Key: aws.String("aws:x"), Value: aws.String("y")}}}})
	aaS3WantStatus(t, err, "InvalidTag", 400)
	_, err = c.PutBucketTagging(bg, &s3.PutBucketTaggingInput{Bucket: b, Tagging: &s3types.Tagging{TagSet: []s3types.Tag{
		{Key: aws.String("k"), Value: aws.String("1")}, {Key: aws.String("k"), Value: aws.String("2")}}}})
	aaS3WantStatus(t, err, "InvalidTag", 400)
	if _, err := c.DeleteBucketTagging(bg, &s3.DeleteBucketTaggingInput{Bucket: b}); err != nil {
		t.Fatal(err)
	}
	_, err = c.GetBucketTagging(bg, &s3.GetBucketTaggingInput{Bucket: b})
	aaS3WantStatus(t, err, "NoSuchTagSet", 404)

	// ACL: the owner with FULL_CONTROL, the same canonical id as ListBuckets.
	acl, err := c.GetBucketAcl(bg, &s3.GetBucketAclInput{Bucket: b})
	if err != nil {
		t.Fatal(err)
	}
	owner := aws.ToString(acl.Owner.ID)
	if len(owner) != 64 || len(acl.Grants) != 1 || aws.ToString(acl.Grants[0].Grantee.ID) != owner ||
		acl.Grants[0].Grantee.Type != s3types.TypeCanonicalUser || acl.Grants[0].Permission != s3types.PermissionFullControl {
		t.Fatalf("GetBucketAcl = %+v", acl)
	}
	list, err := c.ListBuckets(bg, &s3.ListBucketsInput{})
	if err != nil || len(list.Buckets) != 1 || aws.ToString(list.Buckets[0].Name) != "orgsim-logs-1" || aws.ToString(list.Owner.ID) != owner ||
		list.Buckets[0].CreationDate == nil || list.ContinuationToken != nil {
		t.Fatalf("ListBuckets = %+v, %v", list, err)
	}

	// DeleteBucket; afterwards HEAD is a bare 404 and the others NoSuchBucket.
	if _, err := c.DeleteBucket(bg, &s3.DeleteBucketInput{Bucket: b}); err != nil {
		t.Fatal(err)
	}
	_, err = c.HeadBucket(bg, &s3.HeadBucketInput{Bucket: b})
	var nf *s3types.NotFound
	if !errors.As(err, &nf) || aaS3Status(err) != 404 {
		t.Fatalf("HeadBucket after delete = %v, want *types.NotFound", err)
	}
	_, err = c.GetBucketPolicy(bg, &s3.GetBucketPolicyInput{Bucket: b})
	aaS3WantStatus(t, err, "NoSuchBucket", 404)
	_, err = c.DeleteBucket(bg, &s3.DeleteBucketInput{Bucket: b})
	aaS3WantStatus(t, err, "NoSuchBucket", 404)

	// Unserved operations.
	_, err = c.GetBucketLogging(bg, &s3.GetBucketLoggingInput{Bucket: aws.String("orgsim-anything")})
	aaS3WantStatus(t, err, "NotImplemented", 501)
}

func TestS3BucketPolicy(t *testing.T) {
	e := newEnv(t, orgsim.Options{Seed: 1})
	c := e.s3(e.cfg)
	acct := e.sim.ManagementAccountID()
	b := aws.String("orgsim-policy-bucket")
	s3tCreate(t, c, *b)

	_, err := c.GetBucketPolicy(bg, &s3.GetBucketPolicyInput{Bucket: b})
	aaS3WantStatus(t, err, "NoSuchBucketPolicy", 404)

	// Odd whitespace, a Sid with spaces, a bare account id principal.
	doc := "{\n\t\"Version\" :  \"2012-10-17\",\r\n  \"Statement\":[ {\n    \"Sid\": \"Allow the  account\",\n" +
		"    \"Effect\":\"Allow\", \"Principal\" : { \"AWS\" : [ \"" + acct + "\", \"arn:aws:iam::" + acct + ":role/AWSSupportRole\" ] },\n" +
		"    \"Action\": [\"s3:GetBucketAcl\" ,\"s3:ListBucket\"],\n    \"Resource\": \"arn:aws:s3:::orgsim-policy-bucket\"\n  },\n" +
		"  {\"Sid\":\"CloudTrail\",\"Effect\":\"Allow\",\"Principal\":{\"Service\":\"cloudtrail.amazonaws.com\"},\"Action\":\"s3:PutObject\"," +
		"\"Resource\":\"arn:aws:s3:::orgsim-policy-bucket/AWSLogs/" + acct + "/*\",\"Condition\":{\"StringEquals\":{\"s3:x-amz-acl\":\"bucket-owner-full-control\"}}}\n  ]\n}\n"
	if _, err := c.PutBucketPolicy(bg, &s3.PutBucketPolicyInput{Bucket: b, Policy: aws.String(doc)}); err != nil {
		t.Fatal(err)
	}
	got, err := c.GetBucketPolicy(bg, &s3.GetBucketPolicyInput{Bucket: b})
	if err != nil {
		t.Fatal(err)
	}
	// S3 returns the policy minified, in the order it was written, with the
	// account id as a root ARN.
	want := `{"Version":"2012-10-17","Statement":[{"Sid":"Allow the  account","Effect":"Allow","Principal":{"AWS":["arn:aws:iam::` + acct +
		`:root","arn:aws:iam::` + acct + `:role/AWSSupportRole"]},"Action":["s3:GetBucketAcl","s3:ListBucket"],"Resource":"arn:aws:s3:::orgsim-policy-bucket"},` +
		`{"Sid":"CloudTrail","Effect":"Allow","Principal":{"Service":"cloudtrail.amazonaws.com"},"Action":"s3:PutObject",` +
		`"Resource":"arn:aws:s3:::orgsim-policy-bucket/AWSLogs/` + acct + `/*","Condition":{"StringEquals":{"s3:x-amz-acl":"bucket-owner-full-control"}}}]}`
	if aws.ToString(got.Policy) != want {
		t.Fatalf("GetBucketPolicy =\n%s\nwant\n%s", aws.ToString(got.Policy), want)
	}

	// Malformed policies, with S3's messages.
	for _, tc := range []struct{ doc, msg string }{
		{`not json`, "Policies must be valid JSON and the first byte must be '{'"},
		{`["x"]`, "Policies must be valid JSON and the first byte must be '{'"},
		{`{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":"*","Action":"s3:GetObject","Resource":"arn:aws:s3:::other-bucket/*"}]}`, "Policy has invalid resource"},
		{`{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":"*","Action":"s3:GetObject","Resource":"*"}]}`, "Policy has invalid resource"},
		{`{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"s3:GetObject","Resource":"arn:aws:s3:::orgsim-policy-bucket/*"}]}`, "Missing required field Principal"},
		{`{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"AWS":"` + acct + `"},"Action":"iam:PassRole","Resource":"arn:aws:s3:::orgsim-policy-bucket"}]}`, "Policy has invalid action"},
		{`{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"AWS":"arn:aws:iam::` + acct + `:role/NoSuchRole"},"Action":"s3:ListBucket","Resource":"arn:aws:s3:::orgsim-policy-bucket"}]}`, "Invalid principal in policy"},
		{``, "Policy has invalid resource"},
	} {
		_, err := c.PutBucketPolicy(bg, &s3.PutBucketPolicyInput{Bucket: b, Policy: aws.String(tc.doc)})
		aaS3WantStatus(t, err, "MalformedPolicy", 400)
		if got := s3tMessage(err); got != tc.msg {
			t.Errorf("policy %q: message %q, want %q", tc.doc, got, tc.msg)
		}
	}
	// The stored policy is unchanged by the failures.
	if got, err := c.GetBucketPolicy(bg, &s3.GetBucketPolicyInput{Bucket: b}); err != nil || aws.ToString(got.Policy) != want {
		t.Fatalf("policy after failed puts = %v, %v", aws.ToString(got.Policy), err)
	}

	// Block Public Access (on by default) refuses a public policy, not a
	// restricted one.
	public := `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":"*","Action":"s3:GetObject","Resource":"arn:aws:s3:::orgsim-policy-bucket/*"}]}`
	_, err = c.PutBucketPolicy(bg, &s3.PutBucketPolicyInput{Bucket: b, Policy: aws.String(public)})
	aaS3WantStatus(t, err, "AccessDenied", 403)
	if !strings.Contains(s3tMessage(err), "BlockPublicPolicy") {
		t.Fatalf("message = %q", s3tMessage(err))
	}
	for _, p := range []string{
		`{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"AWS":"*"},"Action":"s3:GetObject","Resource":"arn:aws:s3:::orgsim-policy-bucket/*"}]}`,
		`{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":"*","Action":"s3:GetObject","Resource":"arn:aws:s3:::orgsim-policy-bucket/*","Condition":{"StringLike":{"aws:PrincipalOrgID":"o-*"}}}]}`,
		`{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":"*","Action":"s3:GetObject","Resource":"arn:aws:s3:::orgsim-policy-bucket/*","Condition":{"StringEqualsIfExists":{"aws:SourceVpce":"vpce-1"}}}]}`,
	} {
		_, err = c.PutBucketPolicy(bg, &s3.PutBucketPolicyInput{Bucket: b, Policy: aws.String(p)})
		aaS3WantStatus(t, err, "AccessDenied", 403)
	}
	for _, p := range []string{
		`{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":"*","Action":"s3:GetObject","Resource":"arn:aws:s3:::orgsim-policy-bucket/*","Condition":{"StringEquals":{"aws:PrincipalOrgID":"o-abc"}}}]}`,
		`{"Version":"2012-10-17","Statement":[{"Sid":"DenyInsecure","Effect":"Deny","Principal":"*","Action":"s3:*","Resource":["arn:aws:s3:::orgsim-policy-bucket","arn:aws:s3:::orgsim-policy-bucket/*"],"Condition":{"Bool":{"aws:SecureTransport":"false"}}}]}`,
	} {
		if _, err := c.PutBucketPolicy(bg, &s3.PutBucketPolicyInput{Bucket: b, Policy: aws.String(p)}); err != nil {
			t.Fatalf("non-public policy refused: %v", err)
		}
	}
	if _, err := c.DeletePublicAccessBlock(bg, &s3.DeletePublicAccessBlockInput{Bucket: b}); err != nil {
		t.Fatal(err)
	}
	if _, err := c.PutBucketPolicy(bg, &s3.PutBucketPolicyInput{Bucket: b, Policy: aws.String(public)}); err != nil {
		t.Fatalf("public policy without Block Public Access: %v", err)
	}
	if got, err := c.GetBucketPolicy(bg, &s3.GetBucketPolicyInput{Bucket: b}); err != nil || aws.ToString(got.Policy) != public {
		t.Fatalf("GetBucketPolicy = %v, %v", aws.ToString(got.Policy), err)
	}
	// Turning BlockPublicPolicy on does not remove an existing policy.
	if _, err := c.PutPublicAccessBlock(bg, &s3.PutPublicAccessBlockInput{Bucket: b, PublicAccessBlockConfiguration: &s3types.PublicAccessBlockConfiguration{BlockPublicPolicy: aws.Bool(true)}}); err != nil {
		t.Fatal(err)
	}
	if _, err := c.GetBucketPolicy(bg, &s3.GetBucketPolicyInput{Bucket: b}); err != nil {
		t.Fatal(err)
	}

	if _, err := c.DeleteBucketPolicy(bg, &s3.DeleteBucketPolicyInput{Bucket: b}); err != nil {
		t.Fatal(err)
	}
	_, err = c.GetBucketPolicy(bg, &s3.GetBucketPolicyInput{Bucket: b})
	aaS3WantStatus(t, err, "NoSuchBucketPolicy", 404)
}

func TestS3CreateBucketRules(t *testing.T) {
	e := newEnv(t, orgsim.Options{Seed: 1, Org: orgsim.OrgSpec{Members: 2, Clean: true}})
	east := e.s3(e.cfg)
	west := e.s3(e.config(e.sim.ManagementCredentials(), "eu-west-1"))

	for _, name := range []string{"ab", strings.Repeat("a", 64), "Upper-case", "a..b", "-lead", "trail-", "192.168.1.1", "xn--punycode", "bucket-s3alias", "under_score"} {
		_, err := east.CreateBucket(bg, &s3.CreateBucketInput{Bucket: aws.String(name)})
		aaS3WantStatus(t, err, "InvalidBucketName", 400)
	}
	s3tCreate(t, east, strings.Repeat("a", 63))
	s3tCreate(t, east, "a.b-c.1")

	// LocationConstraint rules.
	_, err := east.CreateBucket(bg, &s3.CreateBucketInput{Bucket: aws.String("orgsim-east-explicit"),
		CreateBucketConfiguration: &s3types.CreateBucketConfiguration{LocationConstraint: "us-east-1"}})
	aaS3WantStatus(t, err, "InvalidLocationConstraint", 400)
	_, err = east.CreateBucket(bg, &s3.CreateBucketInput{Bucket: aws.String("orgsim-mismatch"),
		CreateBucketConfiguration: &s3types.CreateBucketConfiguration{LocationConstraint: s3types.BucketLocationConstraintEuWest1}})
	aaS3WantStatus(t, err, "IllegalLocationConstraintException", 400)
	_, err = west.CreateBucket(bg, &s3.CreateBucketInput{Bucket: aws.String("orgsim-west")})
	aaS3WantStatus(t, err, "IllegalLocationConstraintException", 400)
	if !strings.Contains(s3tMessage(err), "unspecified location constraint") {
		t.Fatalf("message = %q", s3tMessage(err))
	}
	_, err = west.CreateBucket(bg, &s3.CreateBucketInput{Bucket: aws.String("orgsim-west"),
		CreateBucketConfiguration: &s3types.CreateBucketConfiguration{LocationConstraint: "mars-north-1"}})
	aaS3WantStatus(t, err, "InvalidLocationConstraint", 400)
	s3tCreate(t, west, "orgsim-west")

	// The Region of a bucket: GetBucketLocation answers from anywhere; other
	// calls must go to the bucket's Region.
	loc, err := east.GetBucketLocation(bg, &s3.GetBucketLocationInput{Bucket: aws.String("orgsim-west")})
	if err != nil || loc.LocationConstraint != s3types.BucketLocationConstraintEuWest1 {
		t.Fatalf("GetBucketLocation = %+v, %v", loc, err)
	}
	if head, err := west.HeadBucket(bg, &s3.HeadBucketInput{Bucket: aws.String("orgsim-west")}); err != nil || aws.ToString(head.BucketRegion) != "eu-west-1" {
		t.Fatalf("HeadBucket = %+v, %v", head, err)
	}
	_, err = east.HeadBucket(bg, &s3.HeadBucketInput{Bucket: aws.String("orgsim-west")})
	if aaS3Status(err) != 301 {
		t.Fatalf("HeadBucket from us-east-1 = %v, want a 301", err)
	}
	_, err = east.GetBucketEncryption(bg, &s3.GetBucketEncryptionInput{Bucket: aws.String("orgsim-west")})
	aaS3WantStatus(t, err, "PermanentRedirect", 301)

	// Re-creating one's own bucket: 200 in us-east-1 (legacy), 409 elsewhere.
	if _, err := east.CreateBucket(bg, &s3.CreateBucketInput{Bucket: aws.String("a.b-c.1")}); err != nil {
		t.Fatalf("re-create in us-east-1: %v", err)
	}
	_, err = west.CreateBucket(bg, &s3.CreateBucketInput{Bucket: aws.String("orgsim-west"),
		CreateBucketConfiguration: &s3types.CreateBucketConfiguration{LocationConstraint: s3types.BucketLocationConstraintEuWest1}})
	var owned *s3types.BucketAlreadyOwnedByYou
	if !errors.As(err, &owned) || aaS3Status(err) != 409 {
		t.Fatalf("re-create in eu-west-1 = %v, want *types.BucketAlreadyOwnedByYou 409", err)
	}

	// Another account: the name is taken; the bucket is not theirs.
	member := aaMemberAccounts(t, e)[0]
	other := e.s3(e.assume(member, "OrganizationAccountAccessRole"))
	_, err = other.CreateBucket(bg, &s3.CreateBucketInput{Bucket: aws.String("a.b-c.1")})
	var exists *s3types.BucketAlreadyExists
	if !errors.As(err, &exists) || aaS3Status(err) != 409 {
		t.Fatalf("other account create = %v, want *types.BucketAlreadyExists 409", err)
	}
	_, err = other.GetBucketPolicy(bg, &s3.GetBucketPolicyInput{Bucket: aws.String("a.b-c.1")})
	aaS3WantStatus(t, err, "AccessDenied", 403)
	_, err = other.PutBucketVersioning(bg, &s3.PutBucketVersioningInput{Bucket: aws.String("a.b-c.1"),
		VersioningConfiguration: &s3types.VersioningConfiguration{Status: s3types.BucketVersioningStatusEnabled}})
	aaS3WantStatus(t, err, "AccessDenied", 403)
	_, err = other.HeadBucket(bg, &s3.HeadBucketInput{Bucket: aws.String("a.b-c.1")})
	if aaS3Status(err) != 403 {
		t.Fatalf("other account HeadBucket = %v, want 403", err)
	}
	if l, err := other.ListBuckets(bg, &s3.ListBucketsInput{}); err != nil || len(l.Buckets) != 0 {
		t.Fatalf("other account ListBuckets = %+v, %v", l, err)
	}
	// x-amz-expected-bucket-owner.
	_, err = east.GetBucketVersioning(bg, &s3.GetBucketVersioningInput{Bucket: aws.String("a.b-c.1"), ExpectedBucketOwner: aws.String(member)})
	aaS3WantStatus(t, err, "AccessDenied", 403)
	if _, err := east.GetBucketVersioning(bg, &s3.GetBucketVersioningInput{Bucket: aws.String("a.b-c.1"), ExpectedBucketOwner: aws.String(e.sim.ManagementAccountID())}); err != nil {
		t.Fatal(err)
	}

	// ACLs are disabled on new buckets.
	_, err = east.CreateBucket(bg, &s3.CreateBucketInput{Bucket: aws.String("orgsim-public-read"), ACL: s3types.BucketCannedACLPublicRead})
	aaS3WantStatus(t, err, "InvalidBucketAclWithObjectOwnership", 400)
}

func TestS3ListBucketsPagination(t *testing.T) {
	e := newEnv(t, orgsim.Options{Seed: 1})
	c := e.s3(e.cfg)
	var want []string
	for i := 5; i >= 1; i-- {
		name := fmt.Sprintf("orgsim-list-%d", i)
		s3tCreate(t, c, name)
		want = append([]string{name}, want...)
	}
	s3tCreate(t, c, "other-bucket")
	var got []string
	pages := 0
	p := s3.NewListBucketsPaginator(c, &s3.ListBucketsInput{MaxBuckets: aws.Int32(2), Prefix: aws.String("orgsim-list-")})
	for p.HasMorePages() {
		out, err := p.NextPage(bg)
		if err != nil {
			t.Fatal(err)
		}
		pages++
		if aws.ToString(out.Prefix) != "orgsim-list-" {
			t.Fatalf("Prefix = %q", aws.ToString(out.Prefix))
		}
		for _, b := range out.Buckets {
			if aws.ToString(b.BucketRegion) != "us-east-1" {
				t.Fatalf("BucketRegion = %q", aws.ToString(b.BucketRegion))
			}
			got = append(got, aws.ToString(b.Name))
		}
	}
	if pages != 3 || strings.Join(got, ",") != strings.Join(want, ",") {
		t.Fatalf("%d pages %v, want 3 pages %v", pages, got, want)
	}
	all, err := c.ListBuckets(bg, &s3.ListBucketsInput{})
	if err != nil || len(all.Buckets) != 6 || all.Buckets[0].BucketRegion != nil {
		t.Fatalf("ListBuckets = %+v, %v", all, err)
	}
	_, err = c.ListBuckets(bg, &s3.ListBucketsInput{ContinuationToken: aws.String("bogus")})
	aaS3WantStatus(t, err, "InvalidArgument", 400)
	if out, err := c.ListBuckets(bg, &s3.ListBucketsInput{BucketRegion: aws.String("eu-west-1")}); err != nil || len(out.Buckets) != 0 {
		t.Fatalf("ListBuckets(eu-west-1) = %+v, %v", out, err)
	}
}

// s3tPolicy puts a bucket policy with cfg, failing the test on error.
func s3tPolicy(t testing.TB, c *s3.Client, bucket, statements string) {
	t.Helper()
	doc := `{"Version":"2012-10-17","Statement":[` + statements + `]}`
	if _, err := c.PutBucketPolicy(bg, &s3.PutBucketPolicyInput{Bucket: aws.String(bucket), Policy: aws.String(doc)}); err != nil {
		t.Fatalf("put bucket policy %s: %v", doc, err)
	}
}

// s3tRead is GetBucketEncryption (s3:GetEncryptionConfiguration) by cfg's
// caller: "" when allowed, else the denial's message.
func s3tRead(t testing.TB, e *env, cfg aws.Config, bucket string) string {
	t.Helper()
	_, err := e.s3(cfg).GetBucketEncryption(bg, &s3.GetBucketEncryptionInput{Bucket: aws.String(bucket)})
	if err == nil {
		return ""
	}
	aaS3WantStatus(t, err, "AccessDenied", 403)
	return s3tMessage(err)
}

// TestS3BucketPolicyDenyBindsTheOwner: an explicit Deny in a bucket policy
// binds the bucket owner's own roles and users ("Bucket policies for
// Amazon S3", S3 user guide; IAM policy evaluation: an explicit deny
// overrides any allow); AWSLike.BucketDenyBindsOwner switches it.
func TestS3BucketPolicyDenyBindsTheOwner(t *testing.T) {
	for _, binds := range []bool{true, false} {
		t.Run(fmt.Sprintf("BucketDenyBindsOwner=%v", binds), func(t *testing.T) {
			like := orgsim.DefaultAWSLike()
			like.BucketDenyBindsOwner = binds
			like.PropagationDelay = 0 // the role this test makes is assumable at once
			w := newRCWorld(t, &like)
			roleARN := rcRole(t, w.iam(w.user), "BucketAdmin", w.mgmt)
			role := w.assumeAs(w.user, roleARN, nil)
			b := "arn:aws:s3:::" + w.bucket
			s3tPolicy(t, w.s3(w.root), w.bucket, `{"Sid":"NoAdmins","Effect":"Deny","Principal":{"AWS":"`+roleARN+`"},"Action":"s3:*","Resource":["`+b+`","`+b+`/*"]}`)
			msg := s3tRead(t, w.env, role, w.bucket)
			if binds != (msg != "") {
				t.Fatalf("the owner's role with AdministratorAccess: denied = %v, want %v (%s)", msg != "", binds, msg)
			}
			if binds && !strings.Contains(msg, "with an explicit deny in a resource-based policy") {
				t.Errorf("message: %s", msg)
			}
			if msg := s3tRead(t, w.env, w.user, w.bucket); msg != "" {
				t.Fatalf("the owner's admin user, not named by the Deny: %s", msg)
			}
		})
	}
}

// TestS3BucketPolicyRootKeepsPolicyOperations: a Deny of everything to
// everyone binds the owner's root user too, except GetBucketPolicy,
// PutBucketPolicy and DeleteBucketPolicy ("the root user of the AWS
// account that owns a bucket can always use this operation, even if the
// policy explicitly denies the root user", S3 API reference).
func TestS3BucketPolicyRootKeepsPolicyOperations(t *testing.T) {
	w := newRCWorld(t, nil)
	b := "arn:aws:s3:::" + w.bucket
	lockout := `{"Sid":"Lockout","Effect":"Deny","Principal":"*","Action":"s3:*","Resource":["` + b + `","` + b + `/*"]}`
	s3tPolicy(t, w.s3(w.user), w.bucket, lockout)
	for name, cfg := range map[string]aws.Config{"admin user": w.user, "root user": w.root} {
		if msg := s3tRead(t, w.env, cfg, w.bucket); msg == "" {
			t.Errorf("%s reads the bucket's encryption under a Deny of s3:* to everyone", name)
		}
	}
	_, err := w.s3(w.user).GetBucketPolicy(bg, &s3.GetBucketPolicyInput{Bucket: aws.String(w.bucket)})
	aaS3WantStatus(t, err, "AccessDenied", 403)
	_, err = w.s3(w.user).DeleteBucketPolicy(bg, &s3.DeleteBucketPolicyInput{Bucket: aws.String(w.bucket)})
	aaS3WantStatus(t, err, "AccessDenied", 403)

	// The root user undoes the lockout.
	if _, err := w.s3(w.root).GetBucketPolicy(bg, &s3.GetBucketPolicyInput{Bucket: aws.String(w.bucket)}); err != nil {
		t.Fatalf("root GetBucketPolicy: %v", err)
	}
	s3tPolicy(t, w.s3(w.root), w.bucket, lockout)
	if _, err := w.s3(w.root).DeleteBucketPolicy(bg, &s3.DeleteBucketPolicyInput{Bucket: aws.String(w.bucket)}); err != nil {
		t.Fatalf("root DeleteBucketPolicy: %v", err)
	}
	if msg := s3tRead(t, w.env, w.user, w.bucket); msg != "" {
		t.Fatalf("after the root user deleted the policy: %s", msg)
	}
}

// TestS3BucketPolicySameAccountGrants: within the owner's account a bucket
// policy that names the user, role or session grants without an identity
// policy; one that names only the account delegates to the account's
// identity policies; a session policy still limits a grant to the role,
// not one to the session (IAM user guide, "Policy evaluation logic").
func TestS3BucketPolicySameAccountGrants(t *testing.T) {
	w := newRCWorld(t, nil)
	c := w.iam(w.user)
	out, err := c.CreateRole(bg, &iam.CreateRoleInput{RoleName: aws.String("NoPolicies"),
		AssumeRolePolicyDocument: aws.String(stsTrust("arn:aws:iam::"+w.mgmt+":root", `"sts:AssumeRole"`, ""))})
	if err != nil {
		t.Fatal(err)
	}
	roleARN := aws.ToString(out.Role.Arn)
	sessionARN := "arn:aws:sts::" + w.mgmt + ":assumed-role/NoPolicies/reqctx"
	plain := w.assumeAs(w.user, roleARN, nil)
	narrowed := w.assumeAs(w.user, roleARN, func(in *sts.AssumeRoleInput) {
		in.Policy = aws.String(`{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"iam:Get*","Resource":"*"}]}`)
	})
	b := "arn:aws:s3:::" + w.bucket
	grant := func(principal string) string {
		return `{"Effect":"Allow","Principal":` + principal + `,"Action":"s3:GetEncryptionConfiguration","Resource":"` + b + `"}`
	}
	for _, tc := range []struct {
		name            string
		principal       string
		plain, narrowed bool // allowed
	}{
		{"the role", `{"AWS":"` + roleARN + `"}`, true, false},
		{"the session", `{"AWS":"` + sessionARN + `"}`, true, true},
		{"the account", `{"AWS":"` + w.mgmt + `"}`, false, false},
		{"the root ARN", `{"AWS":"arn:aws:iam::` + w.mgmt + `:root"}`, false, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			s3tPolicy(t, w.s3(w.root), w.bucket, grant(tc.principal))
			for _, x := range []struct {
				who   string
				cfg   aws.Config
				allow bool
			}{{"session", plain, tc.plain}, {"session with a session policy", narrowed, tc.narrowed}} {
				msg := s3tRead(t, w.env, x.cfg, w.bucket)
				if (msg == "") != x.allow {
					t.Errorf("%s: allowed = %v, want %v (%s)", x.who, msg == "", x.allow, msg)
				}
			}
		})
	}
}

// TestS3BucketPolicyCrossAccount: a caller of another account needs its
// own policies and the bucket policy to allow; only the owner's account
// may call the bucket policy operations (405 otherwise); S3 names the
// bucket's Region on a 403.
func TestS3BucketPolicyCrossAccount(t *testing.T) {
	w := newRCWorld(t, nil)
	b := "arn:aws:s3:::" + w.bucket
	msg := s3tRead(t, w.env, w.role, w.bucket)
	if !strings.Contains(msg, "because no resource-based policy allows the s3:GetEncryptionConfiguration action") {
		t.Fatalf("another account's role without a bucket policy: %q", msg)
	}
	_, err := w.s3(w.role).HeadBucket(bg, &s3.HeadBucketInput{Bucket: aws.String(w.bucket)})
	var re *awshttp.ResponseError
	if !errors.As(err, &re) || re.HTTPStatusCode() != 403 || re.Response.Header.Get("X-Amz-Bucket-Region") != "us-east-1" {
		t.Fatalf("HeadBucket of another account's bucket: %v, want 403 with x-amz-bucket-region", err)
	}
	// Creating a bucket of that name is not reading it.
	_, err = w.s3(w.role).CreateBucket(bg, &s3.CreateBucketInput{Bucket: aws.String(w.bucket)})
	aaS3WantStatus(t, err, "BucketAlreadyExists", 409)

	s3tPolicy(t, w.s3(w.root), w.bucket, `{"Effect":"Allow","Principal":{"AWS":"`+w.audit+`"},"Action":["s3:GetEncryptionConfiguration","s3:GetBucketPolicy"],"Resource":"`+b+`"}`)
	if msg := s3tRead(t, w.env, w.role, w.bucket); msg != "" {
		t.Fatalf("the account's role, its account allowed by the bucket policy: %s", msg)
	}
	_, err = w.s3(w.role).GetBucketPolicy(bg, &s3.GetBucketPolicyInput{Bucket: aws.String(w.bucket)})
	aaS3WantStatus(t, err, "MethodNotAllowed", 405)
	_, err = w.s3(w.role).DeleteBucketPolicy(bg, &s3.DeleteBucketPolicyInput{Bucket: aws.String(w.bucket)})
	aaS3WantStatus(t, err, "AccessDenied", 403)

	// The caller's own side must allow too.
	narrowed := w.assumeAs(w.user, "arn:aws:iam::"+w.audit+":role/"+orgsim.DefaultExecutionRole, func(in *sts.AssumeRoleInput) {
		in.Policy = aws.String(`{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"iam:*","Resource":"*"}]}`)
	})
	if msg := s3tRead(t, w.env, narrowed, w.bucket); !strings.Contains(msg, "because no session policy allows") {
		t.Fatalf("a session whose session policy does not allow S3: %q", msg)
	}
	// A Deny binds it.
	s3tPolicy(t, w.s3(w.root), w.bucket, `{"Effect":"Allow","Principal":{"AWS":"`+w.audit+`"},"Action":"s3:GetEncryptionConfiguration","Resource":"`+b+`"},`+
		`{"Effect":"Deny","Principal":"*","Action":"s3:GetEncryptionConfiguration","Resource":"`+b+`","Condition":{"StringNotEquals":{"aws:PrincipalAccount":"`+w.mgmt+`"}}}`)
	if msg := s3tRead(t, w.env, w.role, w.bucket); !strings.Contains(msg, "explicit deny in a resource-based policy") {
		t.Fatalf("another account's role under a Deny: %q", msg)
	}
}

// TestS3RestrictPublicBuckets: with RestrictPublicBuckets, a bucket with a
// public policy admits only the owner's principals and AWS services (S3
// API reference, PublicAccessBlockConfiguration).
func TestS3RestrictPublicBuckets(t *testing.T) {
	w := newRCWorld(t, nil)
	c := w.s3(w.root)
	if _, err := c.DeletePublicAccessBlock(bg, &s3.DeletePublicAccessBlockInput{Bucket: aws.String(w.bucket)}); err != nil {
		t.Fatal(err)
	}
	s3tPolicy(t, c, w.bucket, `{"Effect":"Allow","Principal":"*","Action":"s3:GetEncryptionConfiguration","Resource":"arn:aws:s3:::`+w.bucket+`"}`)
	if msg := s3tRead(t, w.env, w.role, w.bucket); msg != "" {
		t.Fatalf("a public bucket, another account: %s", msg)
	}
	if _, err := c.PutPublicAccessBlock(bg, &s3.PutPublicAccessBlockInput{Bucket: aws.String(w.bucket),
		PublicAccessBlockConfiguration: &s3types.PublicAccessBlockConfiguration{RestrictPublicBuckets: aws.Bool(true)}}); err != nil {
		t.Fatal(err)
	}
	if msg := s3tRead(t, w.env, w.role, w.bucket); !strings.Contains(msg, "RestrictPublicBuckets") {
		t.Fatalf("a public bucket with RestrictPublicBuckets, another account: %q", msg)
	}
	if msg := s3tRead(t, w.env, w.user, w.bucket); msg != "" {
		t.Fatalf("a public bucket with RestrictPublicBuckets, the owner's user: %s", msg)
	}
}
