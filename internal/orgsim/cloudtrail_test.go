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
	"github.com/aws/aws-sdk-go-v2/service/kms"
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

// ctPutPolicy puts a bucket policy and lets it propagate: the tests that
// use it are about what CloudTrail checks in the policy, and
// TestCloudTrailBucketPolicyPropagates about the propagation.
func ctPutPolicy(t testing.TB, e *env, cfg aws.Config, bucket, policy string) {
	t.Helper()
	if _, err := e.s3(cfg).PutBucketPolicy(bg, &s3.PutBucketPolicyInput{Bucket: aws.String(bucket), Policy: aws.String(policy)}); err != nil {
		t.Fatalf("put bucket policy on %s: %v", bucket, err)
	}
	e.sim.Advance(e.sim.AWSLike().PropagationDelay)
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

	ctLogsRole(t, e, e.cfg, "ct-logs", ctCloudTrailTrust, "arn:aws:logs:us-east-1:"+mgmt+":log-group:ct:*")
	key := kmsKey(t, e, e.cfg, ctKeyPolicy(mgmt))
	out, err := ct.CreateTrail(bg, &cloudtrail.CreateTrailInput{Name: aws.String("main"), S3BucketName: aws.String("ct-logs"),
		IsMultiRegionTrail: aws.Bool(true), EnableLogFileValidation: aws.Bool(true),
		KmsKeyId:                  key.KeyId,
		CloudWatchLogsLogGroupArn: aws.String("arn:aws:logs:us-east-1:" + mgmt + ":log-group:ct:*"),
		CloudWatchLogsRoleArn:     aws.String("arn:aws:iam::" + mgmt + ":role/ct-logs"),
		TagsList:                  []cttypes.Tag{{Key: aws.String("owner"), Value: aws.String("security")}}})
	if err != nil {
		t.Fatal(err)
	}
	arn := ctTrailARN("us-east-1", mgmt, "main")
	if aws.ToString(out.TrailARN) != arn || aws.ToString(out.Name) != "main" || aws.ToString(out.S3BucketName) != "ct-logs" ||
		!aws.ToBool(out.IsMultiRegionTrail) || !aws.ToBool(out.IncludeGlobalServiceEvents) || !aws.ToBool(out.LogFileValidationEnabled) ||
		aws.ToBool(out.IsOrganizationTrail) || aws.ToString(out.KmsKeyId) != aws.ToString(key.Arn) {
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
	start := e.sim.Now()
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
	e.sim.Advance(e.sim.AWSLike().PropagationDelay) // the registration propagates (TestCloudTrailDelegatedAdminPropagates)
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

// ctCloudTrailTrust is a role trust policy that lets CloudTrail assume
// the role.
const ctCloudTrailTrust = `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"Service":"cloudtrail.amazonaws.com"},"Action":"sts:AssumeRole"}]}`

// ctLogsRole creates, in cfg's account, a role for CloudTrail to deliver to
// CloudWatch Logs with the given trust policy and, when group is set, the
// permissions CloudTrail needs on the log group; then lets it propagate.
// It returns the role's ARN.
func ctLogsRole(t testing.TB, e *env, cfg aws.Config, name, trust, group string) string {
	t.Helper()
	out, err := e.iam(cfg).CreateRole(bg, &iam.CreateRoleInput{RoleName: aws.String(name), AssumeRolePolicyDocument: aws.String(trust)})
	if err != nil {
		t.Fatal(err)
	}
	if group != "" {
		pol := `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":["logs:CreateLogStream","logs:PutLogEvents"],"Resource":"` + group + `"}]}`
		if _, err := e.iam(cfg).PutRolePolicy(bg, &iam.PutRolePolicyInput{RoleName: aws.String(name), PolicyName: aws.String("logs"), PolicyDocument: aws.String(pol)}); err != nil {
			t.Fatal(err)
		}
	}
	e.sim.Advance(e.sim.AWSLike().PropagationDelay)
	return aws.ToString(out.Role.Arn)
}

// ctKeyPolicy is a key policy of account's with the statements the
// CloudTrail user guide ("Configure AWS KMS key policies for CloudTrail")
// says a trail's key needs: encrypt (GenerateDataKey* with the trail
// encryption context), decrypt and describe.
func ctKeyPolicy(account string) string {
	return `{"Version":"2012-10-17","Statement":[
{"Sid":"Enable IAM User Permissions","Effect":"Allow","Principal":{"AWS":"arn:aws:iam::` + account + `:root"},"Action":"kms:*","Resource":"*"},
{"Sid":"Allow CloudTrail to encrypt logs","Effect":"Allow","Principal":{"Service":"cloudtrail.amazonaws.com"},"Action":"kms:GenerateDataKey*","Resource":"*",
 "Condition":{"StringLike":{"kms:EncryptionContext:aws:cloudtrail:arn":"arn:aws:cloudtrail:*:` + account + `:trail/*"}}},
{"Sid":"Allow CloudTrail to decrypt a trail","Effect":"Allow","Principal":{"Service":"cloudtrail.amazonaws.com"},"Action":"kms:Decrypt","Resource":"*"},
{"Sid":"Allow CloudTrail access","Effect":"Allow","Principal":{"Service":"cloudtrail.amazonaws.com"},"Action":"kms:DescribeKey","Resource":"*"}]}`
}

// ctUser creates an IAM user in the management account with the inline
// policy and returns a config acting as it.
func ctUser(t testing.TB, e *env, name, policy string) aws.Config {
	t.Helper()
	ic := e.iam(e.cfg)
	if _, err := ic.CreateUser(bg, &iam.CreateUserInput{UserName: aws.String(name)}); err != nil {
		t.Fatal(err)
	}
	if _, err := ic.PutUserPolicy(bg, &iam.PutUserPolicyInput{UserName: aws.String(name), PolicyName: aws.String("p"), PolicyDocument: aws.String(policy)}); err != nil {
		t.Fatal(err)
	}
	key, err := ic.CreateAccessKey(bg, &iam.CreateAccessKeyInput{UserName: aws.String(name)})
	if err != nil {
		t.Fatal(err)
	}
	return e.config(orgsim.Credentials{AccessKeyID: aws.ToString(key.AccessKey.AccessKeyId), SecretAccessKey: aws.ToString(key.AccessKey.SecretAccessKey)}, e.cfg.Region)
}

// A bucket policy just put reaches CloudTrail only after it propagated.
func TestCloudTrailBucketPolicyPropagates(t *testing.T) {
	for _, delay := range []time.Duration{orgsim.DefaultAWSLike().PropagationDelay, 0} {
		like := orgsim.DefaultAWSLike()
		like.PropagationDelay = delay
		e := newEnv(t, orgsim.Options{Seed: 1, AWSLike: &like})
		mgmt := e.sim.ManagementAccountID()
		ctBucket(t, e, e.cfg, "ct-fresh")
		pol := ctTrailPolicy("ct-fresh", "", mgmt, "", ctTrailARN("us-east-1", mgmt, "main"))
		if _, err := e.s3(e.cfg).PutBucketPolicy(bg, &s3.PutBucketPolicyInput{Bucket: aws.String("ct-fresh"), Policy: aws.String(pol)}); err != nil {
			t.Fatal(err)
		}
		create := func() error {
			_, err := e.trail(e.cfg).CreateTrail(bg, &cloudtrail.CreateTrailInput{Name: aws.String("main"), S3BucketName: aws.String("ct-fresh")})
			return err
		}
		if delay > 0 {
			ctWant(t, create(), "InsufficientS3BucketPolicyException")
			e.sim.Advance(delay)
		}
		if err := create(); err != nil {
			t.Fatalf("delay %s: CreateTrail after the policy propagated: %v", delay, err)
		}
	}
}

// CloudWatch Logs: the log group ARN ends in ":*", the role trusts
// CloudTrail (and has propagated), may write to the group, and the caller
// may pass it.
func TestCloudTrailCloudWatchLogsInputs(t *testing.T) {
	e := newEnv(t, orgsim.Options{Seed: 1})
	mgmt := e.sim.ManagementAccountID()
	ctBucket(t, e, e.cfg, "ct-cw")
	arn := ctTrailARN("us-east-1", mgmt, "main")
	ctPutPolicy(t, e, e.cfg, "ct-cw", ctTrailPolicy("ct-cw", "", mgmt, "", arn))
	group := "arn:aws:logs:us-east-1:" + mgmt + ":log-group:ct"
	good := ctLogsRole(t, e, e.cfg, "ct-good", ctCloudTrailTrust, group+":*")
	create := func(cfg aws.Config, group, role string) error {
		_, err := e.trail(cfg).CreateTrail(bg, &cloudtrail.CreateTrailInput{Name: aws.String("main"), S3BucketName: aws.String("ct-cw"),
			CloudWatchLogsLogGroupArn: aws.String(group), CloudWatchLogsRoleArn: aws.String(role)})
		return err
	}

	err := create(e.cfg, group, good)
	ctWant(t, err, "InvalidCloudWatchLogsLogGroupArnException")
	if !strings.Contains(err.Error(), "CloudTrail cannot validate the specified log group ARN") {
		t.Errorf("message: %v", err)
	}
	untrusting := ctLogsRole(t, e, e.cfg, "ct-config", strings.Replace(ctCloudTrailTrust, "cloudtrail", "config", 1), group+":*")
	err = create(e.cfg, group+":*", untrusting)
	ctWant(t, err, "InvalidCloudWatchLogsRoleArnException")
	if !strings.Contains(err.Error(), "Check the trust relationships for your role") {
		t.Errorf("message: %v", err)
	}
	ctWant(t, create(e.cfg, group+":*", strings.Replace(good, "arn:aws:", "arn:aws-cn:", 1)), "InvalidCloudWatchLogsRoleArnException")
	noPerms := ctLogsRole(t, e, e.cfg, "ct-noperms", ctCloudTrailTrust, "")
	err = create(e.cfg, group+":*", noPerms)
	ctWant(t, err, "InvalidCloudWatchLogsLogGroupArnException")
	if !strings.Contains(err.Error(), "Check the permissions for your role") {
		t.Errorf("message: %v", err)
	}
	// A role just created is not yet one CloudTrail can assume.
	fresh, err := e.iam(e.cfg).CreateRole(bg, &iam.CreateRoleInput{RoleName: aws.String("ct-fresh"), AssumeRolePolicyDocument: aws.String(ctCloudTrailTrust)})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := e.iam(e.cfg).PutRolePolicy(bg, &iam.PutRolePolicyInput{RoleName: aws.String("ct-fresh"), PolicyName: aws.String("logs"),
		PolicyDocument: aws.String(`{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"logs:*","Resource":"*"}]}`)}); err != nil {
		t.Fatal(err)
	}
	ctWant(t, create(e.cfg, group+":*", aws.ToString(fresh.Role.Arn)), "InvalidCloudWatchLogsRoleArnException")

	// The caller must be allowed to pass the role to CloudTrail.
	noPass := ctUser(t, e, "trail-admin", `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":["cloudtrail:*","s3:*"],"Resource":"*"}]}`)
	err = create(noPass, group+":*", good)
	wantCode(t, err, "AccessDeniedException")
	if !strings.Contains(err.Error(), "iam:PassRole") {
		t.Errorf("message: %v", err)
	}

	e.sim.Advance(e.sim.AWSLike().PropagationDelay)
	if err := create(e.cfg, group+":*", aws.ToString(fresh.Role.Arn)); err != nil {
		t.Fatalf("CreateTrail with a propagated role: %v", err)
	}
	_, err = e.trail(e.cfg).UpdateTrail(bg, &cloudtrail.UpdateTrailInput{Name: aws.String("main"), CloudWatchLogsLogGroupArn: aws.String(group), CloudWatchLogsRoleArn: aws.String(good)})
	ctWant(t, err, "InvalidCloudWatchLogsLogGroupArnException")
	if _, err := e.trail(e.cfg).UpdateTrail(bg, &cloudtrail.UpdateTrailInput{Name: aws.String("main"), CloudWatchLogsLogGroupArn: aws.String(group + ":*"), CloudWatchLogsRoleArn: aws.String(good)}); err != nil {
		t.Fatal(err)
	}

	// With the checks off, CloudTrail takes what it is given.
	like := orgsim.DefaultAWSLike()
	like.CloudTrailInputs = false
	off := newEnv(t, orgsim.Options{Seed: 1, AWSLike: &like})
	ctBucket(t, off, off.cfg, "ct-cw")
	ctPutPolicy(t, off, off.cfg, "ct-cw", ctTrailPolicy("ct-cw", "", mgmt, "", arn))
	untrusting = ctLogsRole(t, off, off.cfg, "ct-config", strings.Replace(ctCloudTrailTrust, "cloudtrail", "config", 1), "")
	if _, err := off.trail(off.cfg).CreateTrail(bg, &cloudtrail.CreateTrailInput{Name: aws.String("main"), S3BucketName: aws.String("ct-cw"),
		CloudWatchLogsLogGroupArn: aws.String(group), CloudWatchLogsRoleArn: aws.String(untrusting)}); err != nil {
		t.Fatalf("with CloudTrailInputs off: %v", err)
	}
}

// KMS: the key exists in the trail's (and bucket's) region and its key
// policy lets CloudTrail use it for this trail.
func TestCloudTrailKMSKeyChecks(t *testing.T) {
	e := newEnv(t, orgsim.Options{Seed: 1})
	mgmt := e.sim.ManagementAccountID()
	ctBucket(t, e, e.cfg, "ct-kms")
	arn := ctTrailARN("us-east-1", mgmt, "main")
	ctPutPolicy(t, e, e.cfg, "ct-kms", ctTrailPolicy("ct-kms", "", mgmt, "", arn))
	create := func(key string) (*cloudtrail.CreateTrailOutput, error) {
		return e.trail(e.cfg).CreateTrail(bg, &cloudtrail.CreateTrailInput{Name: aws.String("main"), S3BucketName: aws.String("ct-kms"), KmsKeyId: aws.String(key)})
	}

	_, err := create("1234abcd-12ab-34cd-56ef-1234567890ab")
	ctWant(t, err, "KmsKeyNotFoundException")
	west := e.cfg.Copy()
	west.Region = "eu-west-1"
	westKey := kmsKey(t, e, west, ctKeyPolicy(mgmt))
	_, err = create(aws.ToString(westKey.Arn))
	ctWant(t, err, "KmsKeyNotFoundException")
	plain := kmsKey(t, e, e.cfg, "")
	_, err = create(aws.ToString(plain.Arn))
	ctWant(t, err, "InsufficientEncryptionPolicyException")
	if !strings.Contains(err.Error(), "Insufficient permissions to access S3 bucket ct-kms or KMS key "+aws.ToString(plain.Arn)) {
		t.Errorf("message: %v", err)
	}
	// A key policy for another account's trails is not enough.
	other := kmsKey(t, e, e.cfg, strings.Replace(ctKeyPolicy(mgmt), "cloudtrail:*:"+mgmt, "cloudtrail:*:111122223333", 1))
	_, err = create(aws.ToString(other.Arn))
	ctWant(t, err, "InsufficientEncryptionPolicyException")

	good := kmsKey(t, e, e.cfg, ctKeyPolicy(mgmt))
	if _, err := e.kms(e.cfg).CreateAlias(bg, &kms.CreateAliasInput{AliasName: aws.String("alias/trail"), TargetKeyId: good.KeyId}); err != nil {
		t.Fatal(err)
	}
	out, err := create("alias/trail")
	if err != nil {
		t.Fatal(err)
	}
	if aws.ToString(out.KmsKeyId) != aws.ToString(good.Arn) {
		t.Errorf("KmsKeyId %q, want the key's ARN %s", aws.ToString(out.KmsKeyId), aws.ToString(good.Arn))
	}

	// A bucket with an S3 Bucket Key needs kms:Decrypt for CloudTrail too.
	if _, err := e.s3(e.cfg).PutBucketEncryption(bg, &s3.PutBucketEncryptionInput{Bucket: aws.String("ct-kms"),
		ServerSideEncryptionConfiguration: &s3types.ServerSideEncryptionConfiguration{Rules: []s3types.ServerSideEncryptionRule{{
			ApplyServerSideEncryptionByDefault: &s3types.ServerSideEncryptionByDefault{SSEAlgorithm: s3types.ServerSideEncryptionAwsKms, KMSMasterKeyID: good.Arn},
			BucketKeyEnabled:                   aws.Bool(true)}}}}); err != nil {
		t.Fatal(err)
	}
	noDecrypt := kmsKey(t, e, e.cfg, strings.Replace(ctKeyPolicy(mgmt), `"kms:Decrypt"`, `"kms:ReEncrypt*"`, 1))
	_, err = e.trail(e.cfg).UpdateTrail(bg, &cloudtrail.UpdateTrailInput{Name: aws.String("main"), KmsKeyId: noDecrypt.Arn})
	ctWant(t, err, "InsufficientEncryptionPolicyException")
	if _, err := e.trail(e.cfg).UpdateTrail(bg, &cloudtrail.UpdateTrailInput{Name: aws.String("main"), KmsKeyId: good.KeyId}); err != nil {
		t.Fatal(err)
	}

	// With the checks off, any well-formed key id is taken.
	like := orgsim.DefaultAWSLike()
	like.CloudTrailInputs = false
	off := newEnv(t, orgsim.Options{Seed: 1, AWSLike: &like})
	ctBucket(t, off, off.cfg, "ct-kms")
	ctPutPolicy(t, off, off.cfg, "ct-kms", ctTrailPolicy("ct-kms", "", mgmt, "", arn))
	if _, err := off.trail(off.cfg).CreateTrail(bg, &cloudtrail.CreateTrailInput{Name: aws.String("main"), S3BucketName: aws.String("ct-kms"),
		KmsKeyId: aws.String("1234abcd-12ab-34cd-56ef-1234567890ab")}); err != nil {
		t.Fatalf("with CloudTrailInputs off: %v", err)
	}
}

// ctOrgEnv is an organization of four clean members with trusted access
// for CloudTrail and a bucket whose policy allows the organization trail
// org-trail; it returns the env, the management account and the members.
func ctOrgEnv(t testing.TB, like *orgsim.AWSLike) (*env, string, []string) {
	t.Helper()
	e := newEnv(t, orgsim.Options{Seed: 1, Org: orgsim.OrgSpec{Members: 4, Clean: true}, AWSLike: like})
	accts := e.sim.Accounts()
	mgmt := accts[0].ID
	var members []string
	for _, a := range accts[1:] {
		members = append(members, a.ID)
	}
	org, err := e.orgs(e.cfg).DescribeOrganization(bg, &organizations.DescribeOrganizationInput{})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := e.orgs(e.cfg).EnableAWSServiceAccess(bg, &organizations.EnableAWSServiceAccessInput{ServicePrincipal: aws.String("cloudtrail.amazonaws.com")}); err != nil {
		t.Fatal(err)
	}
	ctBucket(t, e, e.cfg, "org-trail-logs")
	ctPutPolicy(t, e, e.cfg, "org-trail-logs", ctTrailPolicy("org-trail-logs", "", mgmt, aws.ToString(org.Organization.Id), ctTrailARN("us-east-1", mgmt, "org-trail")))
	return e, mgmt, members
}

func ctCreateOrgTrail(cfg aws.Config) error {
	_, err := cloudtrail.NewFromConfig(cfg).CreateTrail(bg, &cloudtrail.CreateTrailInput{Name: aws.String("org-trail"), S3BucketName: aws.String("org-trail-logs"),
		IsOrganizationTrail: aws.Bool(true), IsMultiRegionTrail: aws.Bool(true)})
	return err
}

func ctDelegatedAdmins(t testing.TB, e *env) []string {
	t.Helper()
	out, err := e.orgs(e.cfg).ListDelegatedAdministrators(bg, &organizations.ListDelegatedAdministratorsInput{ServicePrincipal: aws.String("cloudtrail.amazonaws.com")})
	if err != nil {
		t.Fatal(err)
	}
	var ids []string
	for _, d := range out.DelegatedAdministrators {
		ids = append(ids, aws.ToString(d.Id))
	}
	return ids
}

// cloudtrail:RegisterOrganizationDelegatedAdmin registers with AWS
// Organizations and creates CloudTrail's service-linked role in the
// management account; it does not enable trusted access.
func TestCloudTrailRegisterOrganizationDelegatedAdmin(t *testing.T) {
	e := newEnv(t, orgsim.Options{Seed: 1, Org: orgsim.OrgSpec{Members: 4, Clean: true}})
	accts := e.sim.Accounts()
	mgmt, members := accts[0].ID, []string{accts[1].ID, accts[2].ID, accts[3].ID, accts[4].ID}
	ct := e.trail(e.cfg)
	register := func(c *cloudtrail.Client, id string) error {
		_, err := c.RegisterOrganizationDelegatedAdmin(bg, &cloudtrail.RegisterOrganizationDelegatedAdminInput{MemberAccountId: aws.String(id)})
		return err
	}
	ctWant(t, register(e.trail(e.assume(members[0], "OrganizationAccountAccessRole")), members[1]), "NotOrganizationManagementAccountException")
	ctWant(t, register(ct, members[0]), "CloudTrailAccessNotEnabledException")
	sa, err := e.orgs(e.cfg).ListAWSServiceAccessForOrganization(bg, &organizations.ListAWSServiceAccessForOrganizationInput{})
	if err != nil || len(sa.EnabledServicePrincipals) != 0 {
		t.Fatalf("trusted access after a refused registration: %+v %v", sa, err)
	}
	if _, err := e.orgs(e.cfg).EnableAWSServiceAccess(bg, &organizations.EnableAWSServiceAccessInput{ServicePrincipal: aws.String("cloudtrail.amazonaws.com")}); err != nil {
		t.Fatal(err)
	}
	ctWant(t, register(ct, "123"), "InvalidParameterException")
	ctWant(t, register(ct, "999999999999"), "AccountNotFoundException")
	ctWant(t, register(ct, mgmt), "CannotDelegateManagementAccountException")
	// CloudTrail registers with Organizations on the caller's permissions.
	noOrgs := ctUser(t, e, "trail-admin", `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":["cloudtrail:*","iam:*"],"Resource":"*"}]}`)
	ctWant(t, register(e.trail(noOrgs), members[0]), "InsufficientDependencyServiceAccessPermissionException")
	if _, err := e.iam(e.cfg).GetRole(bg, &iam.GetRoleInput{RoleName: aws.String("AWSServiceRoleForCloudTrail")}); errCode(t, err) != "NoSuchEntity" {
		t.Fatalf("the service-linked role exists before any registration: %v", err)
	}

	if err := register(ct, members[0]); err != nil {
		t.Fatal(err)
	}
	role, err := e.iam(e.cfg).GetRole(bg, &iam.GetRoleInput{RoleName: aws.String("AWSServiceRoleForCloudTrail")})
	if err != nil || aws.ToString(role.Role.Path) != "/aws-service-role/cloudtrail.amazonaws.com/" {
		t.Fatalf("the service-linked role after registering: %+v %v", role, err)
	}
	if got := ctDelegatedAdmins(t, e); len(got) != 1 || got[0] != members[0] {
		t.Fatalf("delegated administrators %v", got)
	}
	ctWant(t, register(ct, members[0]), "AccountRegisteredException")
	for _, m := range members[1:3] {
		if err := register(ct, m); err != nil {
			t.Fatal(err)
		}
	}
	ctWant(t, register(ct, members[3]), "DelegatedAdminAccountLimitExceededException")

	deregister := func(id string) error {
		_, err := ct.DeregisterOrganizationDelegatedAdmin(bg, &cloudtrail.DeregisterOrganizationDelegatedAdminInput{DelegatedAdminAccountId: aws.String(id)})
		return err
	}
	if err := deregister(members[1]); err != nil {
		t.Fatal(err)
	}
	if got := ctDelegatedAdmins(t, e); len(got) != 2 || got[0] == members[1] || got[1] == members[1] {
		t.Fatalf("delegated administrators after deregistering %s: %v", members[1], got)
	}
	ctWant(t, deregister(members[1]), "AccountNotRegisteredException")
}

// A delegated administrator registered a moment ago is not one to
// CloudTrail yet.
func TestCloudTrailDelegatedAdminPropagates(t *testing.T) {
	e, _, members := ctOrgEnv(t, nil)
	if _, err := e.trail(e.cfg).RegisterOrganizationDelegatedAdmin(bg, &cloudtrail.RegisterOrganizationDelegatedAdminInput{MemberAccountId: aws.String(members[0])}); err != nil {
		t.Fatal(err)
	}
	admin := e.assume(members[0], "OrganizationAccountAccessRole")
	ctWant(t, ctCreateOrgTrail(admin), "NotOrganizationMasterAccountException")
	e.sim.Advance(e.sim.AWSLike().PropagationDelay)
	if err := ctCreateOrgTrail(admin); err != nil {
		t.Fatalf("CreateTrail by the delegated administrator once registered: %v", err)
	}
}

// An organization trail needs CloudTrail's service-linked role in the
// management account: the management account's own CreateTrail makes
// it; a delegated administrator registered through AWS Organizations
// meets NoManagementAccountSLRExistsException until it exists and has
// propagated.
func TestCloudTrailOrganizationTrailNeedsServiceLinkedRole(t *testing.T) {
	e, _, members := ctOrgEnv(t, nil)
	if _, err := e.orgs(e.cfg).RegisterDelegatedAdministrator(bg, &organizations.RegisterDelegatedAdministratorInput{
		AccountId: aws.String(members[0]), ServicePrincipal: aws.String("cloudtrail.amazonaws.com")}); err != nil {
		t.Fatal(err)
	}
	e.sim.Advance(e.sim.AWSLike().PropagationDelay)
	admin := e.assume(members[0], "OrganizationAccountAccessRole")
	ctWant(t, ctCreateOrgTrail(admin), "NoManagementAccountSLRExistsException")
	if _, err := e.iam(e.cfg).CreateServiceLinkedRole(bg, &iam.CreateServiceLinkedRoleInput{AWSServiceName: aws.String("cloudtrail.amazonaws.com")}); err != nil {
		t.Fatal(err)
	}
	ctWant(t, ctCreateOrgTrail(admin), "NoManagementAccountSLRExistsException") // still propagating
	e.sim.Advance(e.sim.AWSLike().PropagationDelay)
	if err := ctCreateOrgTrail(admin); err != nil {
		t.Fatalf("CreateTrail by the delegated administrator with the role in place: %v", err)
	}

	// The management account's own CreateTrail creates the role, on the
	// caller's iam:CreateServiceLinkedRole.
	e, _, _ = ctOrgEnv(t, nil)
	noSLR := ctUser(t, e, "trail-admin", `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":["cloudtrail:*","s3:*","organizations:*"],"Resource":"*"}]}`)
	ctWant(t, ctCreateOrgTrail(noSLR), "InsufficientDependencyServiceAccessPermissionException")
	if err := ctCreateOrgTrail(e.cfg); err != nil {
		t.Fatal(err)
	}
	if _, err := e.iam(e.cfg).GetRole(bg, &iam.GetRoleInput{RoleName: aws.String("AWSServiceRoleForCloudTrail")}); err != nil {
		t.Fatalf("the management account's organization trail did not create the service-linked role: %v", err)
	}

	// With the checks off, the delegated administrator needs no role.
	like := orgsim.DefaultAWSLike()
	like.CloudTrailInputs = false
	e, _, members = ctOrgEnv(t, &like)
	if _, err := e.orgs(e.cfg).RegisterDelegatedAdministrator(bg, &organizations.RegisterDelegatedAdministratorInput{
		AccountId: aws.String(members[0]), ServicePrincipal: aws.String("cloudtrail.amazonaws.com")}); err != nil {
		t.Fatal(err)
	}
	e.sim.Advance(e.sim.AWSLike().PropagationDelay)
	if err := ctCreateOrgTrail(e.assume(members[0], "OrganizationAccountAccessRole")); err != nil {
		t.Fatalf("with CloudTrailInputs off: %v", err)
	}
}
