package orgsim_test

import (
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	awshttp "github.com/aws/aws-sdk-go-v2/aws/transport/http"
	"github.com/aws/aws-sdk-go-v2/service/cloudtrail"
	cttypes "github.com/aws/aws-sdk-go-v2/service/cloudtrail/types"
	"github.com/aws/aws-sdk-go-v2/service/iam"
	"github.com/aws/aws-sdk-go-v2/service/organizations"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	s3types "github.com/aws/aws-sdk-go-v2/service/s3/types"

	"github.com/orgbaseline/orgbaseline/internal/orgsim"
)

// ctWant fails unless err has the code and HTTP status 400.
func ctWant(t testing.TB, err error, code string) {
	t.Helper()
	wantCode(t, err, code)
	var re *awshttp.ResponseError
	if !errors.As(err, &re) || re.HTTPStatusCode() != 400 {
		t.Fatalf("%s: want HTTP 400, got %v", code, err)
	}
}

// ctBucket creates a bucket with cfg (its region).
func ctBucket(t testing.TB, e *env, cfg aws.Config, name string) {
	t.Helper()
	in := &s3.CreateBucketInput{Bucket: aws.String(name)}
	if cfg.Region != "us-east-1" {
		in.CreateBucketConfiguration = &s3types.CreateBucketConfiguration{LocationConstraint: s3types.BucketLocationConstraint(cfg.Region)}
	}
	if _, err := e.s3(cfg).CreateBucket(bg, in); err != nil {
		t.Fatalf("create bucket %s: %v", name, err)
	}
}

func ctPutPolicy(t testing.TB, e *env, cfg aws.Config, bucket, policy string) {
	t.Helper()
	if _, err := e.s3(cfg).PutBucketPolicy(bg, &s3.PutBucketPolicyInput{Bucket: aws.String(bucket), Policy: aws.String(policy)}); err != nil {
		t.Fatalf("put bucket policy on %s: %v", bucket, err)
	}
}

// ctTrailPolicy is the bucket policy the CloudTrail user guide documents
// for a trail (with the organization statement when orgID is set).
func ctTrailPolicy(bucket, prefix, account, orgID, trailARN string) string {
	p := ""
	if prefix != "" {
		p = prefix + "/"
	}
	stmts := []string{
		fmt.Sprintf(`{"Sid":"AWSCloudTrailAclCheck20150319","Effect":"Allow","Principal":{"Service":"cloudtrail.amazonaws.com"},"Action":"s3:GetBucketAcl","Resource":"arn:aws:s3:::%s","Condition":{"StringEquals":{"aws:SourceArn":"%s"}}}`, bucket, trailARN),
		fmt.Sprintf(`{"Sid":"AWSCloudTrailWrite20150319","Effect":"Allow","Principal":{"Service":"cloudtrail.amazonaws.com"},"Action":"s3:PutObject","Resource":"arn:aws:s3:::%s/%sAWSLogs/%s/*","Condition":{"StringEquals":{"s3:x-amz-acl":"bucket-owner-full-control","aws:SourceArn":"%s"}}}`, bucket, p, account, trailARN),
	}
	if orgID != "" {
		stmts = append(stmts, fmt.Sprintf(`{"Sid":"AWSCloudTrailOrganizationWrite20150319","Effect":"Allow","Principal":{"Service":"cloudtrail.amazonaws.com"},"Action":"s3:PutObject","Resource":"arn:aws:s3:::%s/%sAWSLogs/%s/*","Condition":{"StringEquals":{"s3:x-amz-acl":"bucket-owner-full-control","aws:SourceArn":"%s"}}}`, bucket, p, orgID, trailARN))
	}
	return `{"Version":"2012-10-17","Statement":[` + strings.Join(stmts, ",") + `]}`
}

func ctTrailARN(region, account, name string) string {
	return "arn:aws:cloudtrail:" + region + ":" + account + ":trail/" + name
}

func TestCloudTrailCreateValidation(t *testing.T) {
	e := newEnv(t, orgsim.Options{Seed: 1})
	ct := e.trail(e.cfg)
	mgmt := e.sim.ManagementAccountID()

	for _, name := range []string{"ab", strings.Repeat("a", 129), "-trail", "trail-", "my--trail", "my-_trail", "bad name", "192.168.1.1", "arn:aws:cloudtrail:us-east-1:" + mgmt + ":trail/x"} {
		_, err := ct.CreateTrail(bg, &cloudtrail.CreateTrailInput{Name: aws.String(name), S3BucketName: aws.String("nothing")})
		ctWant(t, err, "InvalidTrailNameException")
	}

	_, err := ct.CreateTrail(bg, &cloudtrail.CreateTrailInput{Name: aws.String("main"), S3BucketName: aws.String("ct-missing-bucket")})
	ctWant(t, err, "S3BucketDoesNotExistException")

	ctBucket(t, e, e.cfg, "ct-logs")
	_, err = ct.CreateTrail(bg, &cloudtrail.CreateTrailInput{Name: aws.String("main"), S3BucketName: aws.String("ct-logs")})
	ctWant(t, err, "InsufficientS3BucketPolicyException")

	// A policy for another trail, or without the write statement, is not enough.
	ctPutPolicy(t, e, e.cfg, "ct-logs", ctTrailPolicy("ct-logs", "", mgmt, "", ctTrailARN("us-east-1", mgmt, "other")))
	_, err = ct.CreateTrail(bg, &cloudtrail.CreateTrailInput{Name: aws.String("main"), S3BucketName: aws.String("ct-logs")})
	ctWant(t, err, "InsufficientS3BucketPolicyException")
	ctPutPolicy(t, e, e.cfg, "ct-logs", ctTrailPolicy("ct-logs", "", mgmt, "", ctTrailARN("us-east-1", mgmt, "main")))
	// The prefix is part of the object key the policy must allow.
	_, err = ct.CreateTrail(bg, &cloudtrail.CreateTrailInput{Name: aws.String("main"), S3BucketName: aws.String("ct-logs"), S3KeyPrefix: aws.String("trails")})
	ctWant(t, err, "InsufficientS3BucketPolicyException")

	_, err = ct.CreateTrail(bg, &cloudtrail.CreateTrailInput{Name: aws.String("main"), S3BucketName: aws.String("ct-logs"),
		IsMultiRegionTrail: aws.Bool(true), IncludeGlobalServiceEvents: aws.Bool(false)})
	ctWant(t, err, "InvalidParameterCombinationException")
	if !strings.Contains(err.Error(), "Multi-Region trail must include global service events.") {
		t.Errorf("message: %v", err)
	}
	_, err = ct.CreateTrail(bg, &cloudtrail.CreateTrailInput{Name: aws.String("main"), S3BucketName: aws.String("ct-logs"), KmsKeyId: aws.String("not a key")})
	ctWant(t, err, "InvalidKmsKeyIdException")
	_, err = ct.CreateTrail(bg, &cloudtrail.CreateTrailInput{Name: aws.String("main"), S3BucketName: aws.String("ct-logs"),
		CloudWatchLogsLogGroupArn: aws.String("arn:aws:logs:us-east-1:" + mgmt + ":log-group:ct:*")})
	ctWant(t, err, "InvalidCloudWatchLogsRoleArnException")
	_, err = ct.CreateTrail(bg, &cloudtrail.CreateTrailInput{Name: aws.String("main"), S3BucketName: aws.String("ct-logs"),
		CloudWatchLogsRoleArn: aws.String("arn:aws:iam::" + mgmt + ":role/ct-logs")})
	ctWant(t, err, "InvalidCloudWatchLogsLogGroupArnException")
	_, err = ct.CreateTrail(bg, &cloudtrail.CreateTrailInput{Name: aws.String("main"), S3BucketName: aws.String("ct-logs"),
		CloudWatchLogsLogGroupArn: aws.String("arn:aws:logs:eu-west-1:" + mgmt + ":log-group:ct:*"),
		CloudWatchLogsRoleArn:     aws.String("arn:aws:iam::" + mgmt + ":role/ct-logs")})
	ctWant(t, err, "InvalidCloudWatchLogsLogGroupArnException")
	_, err = ct.CreateTrail(bg, &cloudtrail.CreateTrailInput{Name: aws.String("main"), S3BucketName: aws.String("ct-logs"),
		CloudWatchLogsLogGroupArn: aws.String("arn:aws:logs:us-east-1:" + mgmt + ":log-group:ct:*"),
		CloudWatchLogsRoleArn:     aws.String("arn:aws:iam::" + mgmt + ":role/ct-logs")})
	ctWant(t, err, "InvalidCloudWatchLogsRoleArnException") // the role does not exist

	if _, err := e.iam(e.cfg).CreateRole(bg, &iam.CreateRoleInput{RoleName: aws.String("ct-logs"),
		AssumeRolePolicyDocument: aws.String(`{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"Service":"cloudtrail.amazonaws.com"},"Action":"sts:AssumeRole"}]}`)}); err != nil {
		t.Fatal(err)
	}
	out, err := ct.CreateTrail(bg, &cloudtrail.CreateTrailInput{Name: aws.String("main"), S3BucketName: aws.String("ct-logs"),
		IsMultiRegionTrail: aws.Bool(true), EnableLogFileValidation: aws.Bool(true),
		KmsKeyId:                  aws.String("1234abcd-12ab-34cd-56ef-1234567890ab"),
		CloudWatchLogsLogGroupArn: aws.String("arn:aws:logs:us-east-1:" + mgmt + ":log-group:ct:*"),
		CloudWatchLogsRoleArn:     aws.String("arn:aws:iam::" + mgmt + ":role/ct-logs"),
		TagsList:                  []cttypes.Tag{{Key: aws.String("owner"), Value: aws.String("security")}}})
	if err != nil {
		t.Fatal(err)
	}
	arn := ctTrailARN("us-east-1", mgmt, "main")
	if aws.ToString(out.TrailARN) != arn || aws.ToString(out.Name) != "main" || aws.ToString(out.S3BucketName) != "ct-logs" ||
		!aws.ToBool(out.IsMultiRegionTrail) || !aws.ToBool(out.IncludeGlobalServiceEvents) || !aws.ToBool(out.LogFileValidationEnabled) ||
		aws.ToBool(out.IsOrganizationTrail) || aws.ToString(out.KmsKeyId) != "arn:aws:kms:us-east-1:"+mgmt+":key/1234abcd-12ab-34cd-56ef-1234567890ab" {
		t.Errorf("CreateTrail output: %+v", out)
	}
	_, err = ct.CreateTrail(bg, &cloudtrail.CreateTrailInput{Name: aws.String("main"), S3BucketName: aws.String("ct-logs")})
	ctWant(t, err, "TrailAlreadyExistsException")

	tags, err := ct.ListTags(bg, &cloudtrail.ListTagsInput{ResourceIdList: []string{arn}})
	if err != nil || len(tags.ResourceTagList) != 1 || len(tags.ResourceTagList[0].TagsList) != 1 || aws.ToString(tags.ResourceTagList[0].TagsList[0].Key) != "owner" {
		t.Errorf("ListTags: %+v %v", tags, err)
	}
}

func TestCloudTrailLifecycle(t *testing.T) {
	clock := newTestClock(time.Date(2026, 3, 2, 10, 0, 0, 0, time.UTC))
	e := newEnv(t, orgsim.Options{Seed: 1, Now: clock.Now})
	ct := e.trail(e.cfg)
	mgmt := e.sim.ManagementAccountID()
	arn := ctTrailARN("us-east-1", mgmt, "audit")
	ctBucket(t, e, e.cfg, "ct-audit-logs")
	ctPutPolicy(t, e, e.cfg, "ct-audit-logs", ctTrailPolicy("ct-audit-logs", "audit", mgmt, "", arn))
	if _, err := ct.CreateTrail(bg, &cloudtrail.CreateTrailInput{Name: aws.String("audit"), S3BucketName: aws.String("ct-audit-logs"), S3KeyPrefix: aws.String("audit")}); err != nil {
		t.Fatal(err)
	}

	for _, id := range []string{"audit", arn} {
		got, err := ct.GetTrail(bg, &cloudtrail.GetTrailInput{Name: aws.String(id)})
		if err != nil {
			t.Fatal(err)
		}
		tr := got.Trail
		if aws.ToString(tr.TrailARN) != arn || aws.ToString(tr.HomeRegion) != "us-east-1" || aws.ToString(tr.S3KeyPrefix) != "audit" ||
			aws.ToBool(tr.IsMultiRegionTrail) || !aws.ToBool(tr.IncludeGlobalServiceEvents) || aws.ToBool(tr.HasCustomEventSelectors) || aws.ToBool(tr.LogFileValidationEnabled) {
			t.Errorf("GetTrail(%s): %+v", id, tr)
		}
	}
	_, err := ct.GetTrail(bg, &cloudtrail.GetTrailInput{Name: aws.String("nope")})
	ctWant(t, err, "TrailNotFoundException")
	_, err = ct.GetTrail(bg, &cloudtrail.GetTrailInput{Name: aws.String("arn:aws:cloudtrail:bogus")})
	ctWant(t, err, "CloudTrailARNInvalidException")

	// A new trail does not log until StartLogging.
	st, err := ct.GetTrailStatus(bg, &cloudtrail.GetTrailStatusInput{Name: aws.String("audit")})
	if err != nil || aws.ToBool(st.IsLogging) || st.StartLoggingTime != nil || st.LatestDeliveryTime != nil {
		t.Fatalf("status of a new trail: %+v %v", st, err)
	}
	start := clock.Now()
	if _, err := ct.StartLogging(bg, &cloudtrail.StartLoggingInput{Name: aws.String("audit")}); err != nil {
		t.Fatal(err)
	}
	st, err = ct.GetTrailStatus(bg, &cloudtrail.GetTrailStatusInput{Name: aws.String(arn)})
	if err != nil || !aws.ToBool(st.IsLogging) || !aws.ToTime(st.StartLoggingTime).Equal(start) || !aws.ToTime(st.LatestDeliveryTime).Equal(start) || st.StopLoggingTime != nil {
		t.Fatalf("status after StartLogging: %+v %v", st, err)
	}
	clock.Advance(time.Hour)
	if _, err := ct.StopLogging(bg, &cloudtrail.StopLoggingInput{Name: aws.String("audit")}); err != nil {
		t.Fatal(err)
	}
	st, err = ct.GetTrailStatus(bg, &cloudtrail.GetTrailStatusInput{Name: aws.String("audit")})
	if err != nil || aws.ToBool(st.IsLogging) || !aws.ToTime(st.StopLoggingTime).Equal(start.Add(time.Hour)) || !aws.ToTime(st.StartLoggingTime).Equal(start) {
		t.Fatalf("status after StopLogging: %+v %v", st, err)
	}
	_, err = ct.StartLogging(bg, &cloudtrail.StartLoggingInput{Name: aws.String("nope")})
	ctWant(t, err, "TrailNotFoundException")

	// Event selectors: the default, then custom ones.
	sel, err := ct.GetEventSelectors(bg, &cloudtrail.GetEventSelectorsInput{TrailName: aws.String("audit")})
	if err != nil || aws.ToString(sel.TrailARN) != arn || len(sel.EventSelectors) != 1 ||
		sel.EventSelectors[0].ReadWriteType != cttypes.ReadWriteTypeAll || !aws.ToBool(sel.EventSelectors[0].IncludeManagementEvents) {
		t.Fatalf("default selectors: %+v %v", sel, err)
	}
	_, err = ct.PutEventSelectors(bg, &cloudtrail.PutEventSelectorsInput{TrailName: aws.String("audit"),
		EventSelectors:         []cttypes.EventSelector{{ReadWriteType: cttypes.ReadWriteTypeAll}},
		AdvancedEventSelectors: []cttypes.AdvancedEventSelector{{FieldSelectors: []cttypes.AdvancedFieldSelector{{Field: aws.String("eventCategory"), Equals: []string{"Management"}}}}}})
	ctWant(t, err, "InvalidParameterCombinationException")
	six := make([]cttypes.EventSelector, 6)
	_, err = ct.PutEventSelectors(bg, &cloudtrail.PutEventSelectorsInput{TrailName: aws.String("audit"), EventSelectors: six})
	ctWant(t, err, "InvalidEventSelectorsException")
	_, err = ct.PutEventSelectors(bg, &cloudtrail.PutEventSelectorsInput{TrailName: aws.String("audit"),
		EventSelectors: []cttypes.EventSelector{{ReadWriteType: "read-only"}}})
	ctWant(t, err, "InvalidEventSelectorsException")
	_, err = ct.PutEventSelectors(bg, &cloudtrail.PutEventSelectorsInput{TrailName: aws.String("audit"),
		EventSelectors: []cttypes.EventSelector{{DataResources: []cttypes.DataResource{{Type: aws.String("AWS::EC2::Instance"), Values: []string{"x"}}}}}})
	ctWant(t, err, "InvalidEventSelectorsException")
	put, err := ct.PutEventSelectors(bg, &cloudtrail.PutEventSelectorsInput{TrailName: aws.String("audit"),
		EventSelectors: []cttypes.EventSelector{{ReadWriteType: cttypes.ReadWriteTypeWriteOnly, IncludeManagementEvents: aws.Bool(true),
			DataResources: []cttypes.DataResource{{Type: aws.String("AWS::S3::Object"), Values: []string{"arn:aws:s3"}}}}}})
	if err != nil || aws.ToString(put.TrailARN) != arn || len(put.EventSelectors) != 1 || put.EventSelectors[0].ReadWriteType != cttypes.ReadWriteTypeWriteOnly {
		t.Fatalf("PutEventSelectors: %+v %v", put, err)
	}
	got, _ := ct.GetTrail(bg, &cloudtrail.GetTrailInput{Name: aws.String("audit")})
	if !aws.ToBool(got.Trail.HasCustomEventSelectors) {
		t.Errorf("HasCustomEventSelectors = false after PutEventSelectors")
	}
	adv, err := ct.PutEventSelectors(bg, &cloudtrail.PutEventSelectorsInput{TrailName: aws.String("audit"),
		AdvancedEventSelectors: []cttypes.AdvancedEventSelector{{Name: aws.String("mgmt"), FieldSelectors: []cttypes.AdvancedFieldSelector{{Field: aws.String("eventCategory"), Equals: []string{"Management"}}}}}})
	if err != nil || len(adv.AdvancedEventSelectors) != 1 || len(adv.EventSelectors) != 0 {
		t.Fatalf("advanced selectors: %+v %v", adv, err)
	}
	sel, err = ct.GetEventSelectors(bg, &cloudtrail.GetEventSelectorsInput{TrailName: aws.String(arn)})
	if err != nil || len(sel.AdvancedEventSelectors) != 1 || aws.ToString(sel.AdvancedEventSelectors[0].Name) != "mgmt" || len(sel.EventSelectors) != 0 {
		t.Fatalf("GetEventSelectors after advanced: %+v %v", sel, err)
	}

	// UpdateTrail changes what it is given and keeps the rest.
	up, err := ct.UpdateTrail(bg, &cloudtrail.UpdateTrailInput{Name: aws.String("audit"), EnableLogFileValidation: aws.Bool(true)})
	if err != nil || !aws.ToBool(up.LogFileValidationEnabled) || aws.ToString(up.S3KeyPrefix) != "audit" || aws.ToString(up.TrailARN) != arn {
		t.Fatalf("UpdateTrail: %+v %v", up, err)
	}
	_, err = ct.UpdateTrail(bg, &cloudtrail.UpdateTrailInput{Name: aws.String("audit"), IsMultiRegionTrail: aws.Bool(true), IncludeGlobalServiceEvents: aws.Bool(false)})
	ctWant(t, err, "InvalidParameterCombinationException")
	_, err = ct.UpdateTrail(bg, &cloudtrail.UpdateTrailInput{Name: aws.String("audit"), S3KeyPrefix: aws.String("other")})
	ctWant(t, err, "InsufficientS3BucketPolicyException")

	// Describe and list.
	d, err := ct.DescribeTrails(bg, &cloudtrail.DescribeTrailsInput{})
	if err != nil || len(d.TrailList) != 1 || aws.ToString(d.TrailList[0].TrailARN) != arn {
		t.Fatalf("DescribeTrails: %+v %v", d, err)
	}
	d, err = ct.DescribeTrails(bg, &cloudtrail.DescribeTrailsInput{TrailNameList: []string{"unknown"}})
	if err != nil || len(d.TrailList) != 0 {
		t.Fatalf("DescribeTrails of an unknown name: %+v %v", d, err)
	}
	l, err := ct.ListTrails(bg, &cloudtrail.ListTrailsInput{})
	if err != nil || len(l.Trails) != 1 || aws.ToString(l.Trails[0].HomeRegion) != "us-east-1" || aws.ToString(l.Trails[0].Name) != "audit" {
		t.Fatalf("ListTrails: %+v %v", l, err)
	}

	if _, err := ct.DeleteTrail(bg, &cloudtrail.DeleteTrailInput{Name: aws.String(arn)}); err != nil {
		t.Fatal(err)
	}
	_, err = ct.GetTrail(bg, &cloudtrail.GetTrailInput{Name: aws.String("audit")})
	ctWant(t, err, "TrailNotFoundException")
	_, err = ct.DeleteTrail(bg, &cloudtrail.DeleteTrailInput{Name: aws.String("audit")})
	ctWant(t, err, "TrailNotFoundException")
}

func TestCloudTrailTrailsPerRegionLimit(t *testing.T) {
	e := newEnv(t, orgsim.Options{Seed: 2})
	ct := e.trail(e.cfg)
	mgmt := e.sim.ManagementAccountID()
	ctBucket(t, e, e.cfg, "ct-limit-logs")
	// One policy for every trail of the account (ArnLike on aws:SourceArn).
	ctPutPolicy(t, e, e.cfg, "ct-limit-logs", `{"Version":"2012-10-17","Statement":[
 {"Effect":"Allow","Principal":{"Service":"cloudtrail.amazonaws.com"},"Action":"s3:GetBucketAcl","Resource":"arn:aws:s3:::ct-limit-logs","Condition":{"ArnLike":{"aws:SourceArn":"arn:aws:cloudtrail:*:`+mgmt+`:trail/*"}}},
 {"Effect":"Allow","Principal":{"Service":"cloudtrail.amazonaws.com"},"Action":"s3:PutObject","Resource":"arn:aws:s3:::ct-limit-logs/AWSLogs/`+mgmt+`/*","Condition":{"StringEquals":{"s3:x-amz-acl":"bucket-owner-full-control"},"ArnLike":{"aws:SourceArn":"arn:aws:cloudtrail:*:`+mgmt+`:trail/*"}}}]}`)
	for i := 1; i <= 5; i++ {
		if _, err := ct.CreateTrail(bg, &cloudtrail.CreateTrailInput{Name: aws.String(fmt.Sprintf("trail-%d", i)), S3BucketName: aws.String("ct-limit-logs")}); err != nil {
			t.Fatalf("trail %d: %v", i, err)
		}
	}
	_, err := ct.CreateTrail(bg, &cloudtrail.CreateTrailInput{Name: aws.String("trail-6"), S3BucketName: aws.String("ct-limit-logs")})
	ctWant(t, err, "MaximumNumberOfTrailsExceededException")

	// A multi-region trail homed elsewhere counts in every region.
	west := e.trail(e.config(e.sim.ManagementCredentials(), "us-west-2"))
	for i := 1; i <= 4; i++ {
		if _, err := west.CreateTrail(bg, &cloudtrail.CreateTrailInput{Name: aws.String(fmt.Sprintf("west-%d", i)), S3BucketName: aws.String("ct-limit-logs")}); err != nil {
			t.Fatalf("west trail %d: %v", i, err)
		}
	}
	if _, err := ct.DeleteTrail(bg, &cloudtrail.DeleteTrailInput{Name: aws.String("trail-5")}); err != nil {
		t.Fatal(err)
	}
	if _, err := west.CreateTrail(bg, &cloudtrail.CreateTrailInput{Name: aws.String("west-all"), S3BucketName: aws.String("ct-limit-logs"), IsMultiRegionTrail: aws.Bool(true)}); err != nil {
		t.Fatal(err)
	}
	_, err = ct.CreateTrail(bg, &cloudtrail.CreateTrailInput{Name: aws.String("trail-5"), S3BucketName: aws.String("ct-limit-logs")})
	ctWant(t, err, "MaximumNumberOfTrailsExceededException")
}

func TestCloudTrailShadowTrailsAndHomeRegion(t *testing.T) {
	e := newEnv(t, orgsim.Options{Seed: 3})
	mgmt := e.sim.ManagementAccountID()
	east := e.trail(e.cfg)
	west := e.trail(e.config(e.sim.ManagementCredentials(), "eu-west-1"))
	all := ctTrailARN("us-east-1", mgmt, "all-regions")
	local := ctTrailARN("us-east-1", mgmt, "local")
	ctBucket(t, e, e.cfg, "ct-shadow-logs")
	ctPutPolicy(t, e, e.cfg, "ct-shadow-logs", `{"Version":"2012-10-17","Statement":[
 {"Effect":"Allow","Principal":{"Service":"cloudtrail.amazonaws.com"},"Action":"s3:GetBucketAcl","Resource":"arn:aws:s3:::ct-shadow-logs"},
 {"Effect":"Allow","Principal":{"Service":"cloudtrail.amazonaws.com"},"Action":"s3:PutObject","Resource":"arn:aws:s3:::ct-shadow-logs/AWSLogs/`+mgmt+`/*","Condition":{"StringEquals":{"s3:x-amz-acl":"bucket-owner-full-control","aws:SourceAccount":"`+mgmt+`"}}}]}`)
	// Regions where the account has other state but no trail.
	tokyo := e.config(e.sim.ManagementCredentials(), "ap-northeast-1")
	if _, err := e.cfgsvc(tokyo).DescribeConfigurationRecorders(bg, nil); err != nil {
		t.Fatal(err)
	}
	_, err := e.trail(tokyo).GetTrail(bg, &cloudtrail.GetTrailInput{Name: aws.String("all-regions")})
	ctWant(t, err, "TrailNotFoundException")
	_, err = west.GetTrailStatus(bg, &cloudtrail.GetTrailStatusInput{Name: aws.String("all-regions")})
	ctWant(t, err, "TrailNotFoundException")
	if _, err := east.CreateTrail(bg, &cloudtrail.CreateTrailInput{Name: aws.String("all-regions"), S3BucketName: aws.String("ct-shadow-logs"), IsMultiRegionTrail: aws.Bool(true)}); err != nil {
		t.Fatal(err)
	}
	if _, err := east.CreateTrail(bg, &cloudtrail.CreateTrailInput{Name: aws.String("local"), S3BucketName: aws.String("ct-shadow-logs")}); err != nil {
		t.Fatal(err)
	}
	if _, err := east.StartLogging(bg, &cloudtrail.StartLoggingInput{Name: aws.String("all-regions")}); err != nil {
		t.Fatal(err)
	}

	// In another region the multi-region trail is a shadow trail; the
	// single-region one is not there at all.
	d, err := west.DescribeTrails(bg, &cloudtrail.DescribeTrailsInput{})
	if err != nil || len(d.TrailList) != 1 || aws.ToString(d.TrailList[0].TrailARN) != all || aws.ToString(d.TrailList[0].HomeRegion) != "us-east-1" {
		t.Fatalf("DescribeTrails in eu-west-1: %+v %v", d, err)
	}
	d, err = west.DescribeTrails(bg, &cloudtrail.DescribeTrailsInput{IncludeShadowTrails: aws.Bool(false)})
	if err != nil || len(d.TrailList) != 0 {
		t.Fatalf("DescribeTrails without shadows: %+v %v", d, err)
	}
	d, err = west.DescribeTrails(bg, &cloudtrail.DescribeTrailsInput{TrailNameList: []string{"all-regions"}})
	if err != nil || len(d.TrailList) != 0 {
		t.Fatalf("DescribeTrails by name outside the home region: %+v %v", d, err)
	}
	d, err = west.DescribeTrails(bg, &cloudtrail.DescribeTrailsInput{TrailNameList: []string{all}})
	if err != nil || len(d.TrailList) != 1 {
		t.Fatalf("DescribeTrails by ARN outside the home region: %+v %v", d, err)
	}
	d, err = east.DescribeTrails(bg, &cloudtrail.DescribeTrailsInput{})
	if err != nil || len(d.TrailList) != 2 {
		t.Fatalf("DescribeTrails in the home region: %+v %v", d, err)
	}

	// A shadow trail is read by ARN, not by name.
	_, err = west.GetTrailStatus(bg, &cloudtrail.GetTrailStatusInput{Name: aws.String("all-regions")})
	ctWant(t, err, "TrailNotFoundException")
	st, err := west.GetTrailStatus(bg, &cloudtrail.GetTrailStatusInput{Name: aws.String(all)})
	if err != nil || !aws.ToBool(st.IsLogging) {
		t.Fatalf("GetTrailStatus of the shadow: %+v %v", st, err)
	}
	g, err := west.GetTrail(bg, &cloudtrail.GetTrailInput{Name: aws.String(all)})
	if err != nil || aws.ToString(g.Trail.HomeRegion) != "us-east-1" || !aws.ToBool(g.Trail.IsMultiRegionTrail) {
		t.Fatalf("GetTrail of the shadow: %+v %v", g, err)
	}
	_, err = west.GetTrail(bg, &cloudtrail.GetTrailInput{Name: aws.String(local)})
	ctWant(t, err, "TrailNotFoundException")

	// Changes only in the home region.
	_, err = west.StopLogging(bg, &cloudtrail.StopLoggingInput{Name: aws.String(all)})
	ctWant(t, err, "InvalidHomeRegionException")
	_, err = west.StartLogging(bg, &cloudtrail.StartLoggingInput{Name: aws.String(all)})
	ctWant(t, err, "InvalidHomeRegionException")
	_, err = west.UpdateTrail(bg, &cloudtrail.UpdateTrailInput{Name: aws.String(all), EnableLogFileValidation: aws.Bool(true)})
	ctWant(t, err, "InvalidHomeRegionException")
	_, err = west.PutEventSelectors(bg, &cloudtrail.PutEventSelectorsInput{TrailName: aws.String(all), EventSelectors: []cttypes.EventSelector{{ReadWriteType: cttypes.ReadWriteTypeAll}}})
	ctWant(t, err, "InvalidHomeRegionException")
	_, err = west.DeleteTrail(bg, &cloudtrail.DeleteTrailInput{Name: aws.String(all)})
	ctWant(t, err, "InvalidHomeRegionException")

	// ListTrails lists every trail of the account, whatever the region.
	l, err := west.ListTrails(bg, &cloudtrail.ListTrailsInput{})
	if err != nil || len(l.Trails) != 2 {
		t.Fatalf("ListTrails in eu-west-1: %+v %v", l, err)
	}

	// A multi-region trail's name is taken in every region.
	_, err = west.CreateTrail(bg, &cloudtrail.CreateTrailInput{Name: aws.String("all-regions"), S3BucketName: aws.String("ct-shadow-logs")})
	ctWant(t, err, "TrailAlreadyExistsException")

	if _, err := east.DeleteTrail(bg, &cloudtrail.DeleteTrailInput{Name: aws.String("all-regions")}); err != nil {
		t.Fatal(err)
	}
	d, _ = west.DescribeTrails(bg, &cloudtrail.DescribeTrailsInput{})
	if len(d.TrailList) != 0 {
		t.Fatalf("shadow left after DeleteTrail: %+v", d.TrailList)
	}
}

func TestCloudTrailOrganizationTrail(t *testing.T) {
	e := newEnv(t, orgsim.Options{Seed: 1, Org: orgsim.OrgSpec{Members: 2, Clean: true}})
	accts := e.sim.Accounts()
	if len(accts) < 3 {
		t.Fatalf("want 2 members, got %+v", accts)
	}
	mgmt, logArchive, audit := accts[0].ID, accts[1].ID, accts[2].ID
	org, err := e.orgs(e.cfg).DescribeOrganization(bg, &organizations.DescribeOrganizationInput{})
	if err != nil {
		t.Fatal(err)
	}
	orgID := aws.ToString(org.Organization.Id)
	ct := e.trail(e.cfg)
	arn := ctTrailARN("us-east-1", mgmt, "org-trail")
	create := func(c *cloudtrail.Client) error {
		_, err := c.CreateTrail(bg, &cloudtrail.CreateTrailInput{Name: aws.String("org-trail"), S3BucketName: aws.String("org-trail-logs"),
			IsOrganizationTrail: aws.Bool(true), IsMultiRegionTrail: aws.Bool(true), EnableLogFileValidation: aws.Bool(true)})
		return err
	}

	// 1. Only the management account (or a delegated administrator).
	auditCfg := e.assume(audit, "OrganizationAccountAccessRole")
	ctWant(t, create(e.trail(auditCfg)), "NotOrganizationMasterAccountException")
	// 2. Trusted access for CloudTrail.
	err = create(ct)
	ctWant(t, err, "CloudTrailAccessNotEnabledException")
	if !strings.Contains(err.Error(), "your organization hasn’t enabled CloudTrail service access") {
		t.Errorf("message: %v", err)
	}
	if _, err := e.orgs(e.cfg).EnableAWSServiceAccess(bg, &organizations.EnableAWSServiceAccessInput{ServicePrincipal: aws.String("cloudtrail.amazonaws.com")}); err != nil {
		t.Fatal(err)
	}
	// 3. The bucket, in the log archive account.
	ctWant(t, create(ct), "S3BucketDoesNotExistException")
	logCfg := e.assume(logArchive, "OrganizationAccountAccessRole")
	ctBucket(t, e, logCfg, "org-trail-logs")
	ctWant(t, create(ct), "InsufficientS3BucketPolicyException")
	// 4. Its policy must allow the organization's prefix too.
	ctPutPolicy(t, e, logCfg, "org-trail-logs", ctTrailPolicy("org-trail-logs", "", mgmt, "", arn))
	ctWant(t, create(ct), "InsufficientS3BucketPolicyException")
	ctPutPolicy(t, e, logCfg, "org-trail-logs", ctTrailPolicy("org-trail-logs", "", mgmt, orgID, arn))
	if err := create(ct); err != nil {
		t.Fatal(err)
	}
	if _, err := ct.StartLogging(bg, &cloudtrail.StartLoggingInput{Name: aws.String("org-trail")}); err != nil {
		t.Fatal(err)
	}

	// A member sees the trail, read-only, under the management account's ARN.
	member := e.trail(auditCfg)
	d, err := member.DescribeTrails(bg, &cloudtrail.DescribeTrailsInput{})
	if err != nil || len(d.TrailList) != 1 || aws.ToString(d.TrailList[0].TrailARN) != arn || !aws.ToBool(d.TrailList[0].IsOrganizationTrail) {
		t.Fatalf("DescribeTrails in a member: %+v %v", d, err)
	}
	d, err = member.DescribeTrails(bg, &cloudtrail.DescribeTrailsInput{IncludeShadowTrails: aws.Bool(false)})
	if err != nil || len(d.TrailList) != 0 {
		t.Fatalf("DescribeTrails in a member without shadows: %+v %v", d, err)
	}
	g, err := member.GetTrail(bg, &cloudtrail.GetTrailInput{Name: aws.String(arn)})
	if err != nil || !aws.ToBool(g.Trail.IsOrganizationTrail) || aws.ToString(g.Trail.S3BucketName) != "org-trail-logs" {
		t.Fatalf("GetTrail in a member: %+v %v", g, err)
	}
	_, err = member.GetTrail(bg, &cloudtrail.GetTrailInput{Name: aws.String("org-trail")})
	ctWant(t, err, "TrailNotFoundException")
	st, err := member.GetTrailStatus(bg, &cloudtrail.GetTrailStatusInput{Name: aws.String(arn)})
	if err != nil || !aws.ToBool(st.IsLogging) {
		t.Fatalf("GetTrailStatus in a member: %+v %v", st, err)
	}
	_, err = member.StopLogging(bg, &cloudtrail.StopLoggingInput{Name: aws.String(arn)})
	ctWant(t, err, "NotOrganizationMasterAccountException")
	_, err = member.DeleteTrail(bg, &cloudtrail.DeleteTrailInput{Name: aws.String(arn)})
	ctWant(t, err, "NotOrganizationMasterAccountException")
	l, err := member.ListTrails(bg, &cloudtrail.ListTrailsInput{})
	if err != nil || len(l.Trails) != 1 || aws.ToString(l.Trails[0].TrailARN) != arn {
		t.Fatalf("ListTrails in a member: %+v %v", l, err)
	}
	// Multi-region: the member sees it in other regions too.
	auditWest := auditCfg.Copy()
	auditWest.Region = "ap-southeast-2"
	d, err = e.trail(auditWest).DescribeTrails(bg, &cloudtrail.DescribeTrailsInput{})
	if err != nil || len(d.TrailList) != 1 || aws.ToString(d.TrailList[0].HomeRegion) != "us-east-1" {
		t.Fatalf("DescribeTrails in a member, other region: %+v %v", d, err)
	}

	// A delegated administrator may manage it (by ARN).
	if _, err := e.orgs(e.cfg).RegisterDelegatedAdministrator(bg, &organizations.RegisterDelegatedAdministratorInput{
		AccountId: aws.String(audit), ServicePrincipal: aws.String("cloudtrail.amazonaws.com")}); err != nil {
		t.Fatal(err)
	}
	if _, err := member.StopLogging(bg, &cloudtrail.StopLoggingInput{Name: aws.String(arn)}); err != nil {
		t.Fatalf("StopLogging by the delegated administrator: %v", err)
	}
	st, _ = ct.GetTrailStatus(bg, &cloudtrail.GetTrailStatusInput{Name: aws.String("org-trail")})
	if aws.ToBool(st.IsLogging) {
		t.Errorf("still logging after the delegated administrator stopped it")
	}
	// A trail the delegated administrator creates belongs to the management account.
	_, err = member.CreateTrail(bg, &cloudtrail.CreateTrailInput{Name: aws.String("org-trail"), S3BucketName: aws.String("org-trail-logs"), IsOrganizationTrail: aws.Bool(true), IsMultiRegionTrail: aws.Bool(true)})
	ctWant(t, err, "TrailAlreadyExistsException")

	// The management account deletes it; members no longer see it.
	if _, err := ct.DeleteTrail(bg, &cloudtrail.DeleteTrailInput{Name: aws.String("org-trail")}); err != nil {
		t.Fatal(err)
	}
	d, _ = member.DescribeTrails(bg, &cloudtrail.DescribeTrailsInput{})
	if len(d.TrailList) != 0 {
		t.Fatalf("org trail still visible after delete: %+v", d.TrailList)
	}
}
