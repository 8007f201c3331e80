package orgsim_test

import (
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/configservice"
	cfgtypes "github.com/aws/aws-sdk-go-v2/service/configservice/types"
	"github.com/aws/aws-sdk-go-v2/service/iam"
	"github.com/aws/aws-sdk-go-v2/service/organizations"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/aws-sdk-go-v2/service/sts"

	"github.com/orgbaseline/orgbaseline/internal/orgsim"
)

// cfgSLR creates the AWS Config service-linked role in cfg's account and
// returns its ARN.
func cfgSLR(t testing.TB, e *env, cfg aws.Config) string {
	t.Helper()
	out, err := e.iam(cfg).CreateServiceLinkedRole(bg, &iam.CreateServiceLinkedRoleInput{AWSServiceName: aws.String("config.amazonaws.com")})
	if err != nil {
		t.Fatalf("create the Config service-linked role: %v", err)
	}
	return aws.ToString(out.Role.Arn)
}

// cfgSettle lets everything just made propagate to AWS Config: the sim
// clock moves past AWSLike.PropagationDelay.
func cfgSettle(e *env) {
	e.sim.Advance(e.sim.AWSLike().PropagationDelay + time.Second)
}

// cfgWantMsg checks err is code with a message containing part.
func cfgWantMsg(t testing.TB, err error, code, part string) {
	t.Helper()
	ctWant(t, err, code)
	if err != nil && !strings.Contains(err.Error(), part) {
		t.Fatalf("%s says %q, want it to say %q", code, err.Error(), part)
	}
}

func cfgRecorder(name, role string) *configservice.PutConfigurationRecorderInput {
	return &configservice.PutConfigurationRecorderInput{ConfigurationRecorder: &cfgtypes.ConfigurationRecorder{
		Name: aws.String(name), RoleARN: aws.String(role),
		RecordingGroup: &cfgtypes.RecordingGroup{AllSupported: true, IncludeGlobalResourceTypes: true},
	}}
}

func cfgManagedRule(name, id, params string) *configservice.PutConfigRuleInput {
	r := &cfgtypes.ConfigRule{ConfigRuleName: aws.String(name), Source: &cfgtypes.Source{Owner: cfgtypes.OwnerAws, SourceIdentifier: aws.String(id)}}
	if params != "" {
		r.InputParameters = aws.String(params)
	}
	return &configservice.PutConfigRuleInput{ConfigRule: r}
}

// TestConfigSetupOrder walks recorder → channel → start → rules, with the
// error each step gives when taken out of order.
func TestConfigSetupOrder(t *testing.T) {
	clock := newTestClock(time.Date(2026, 3, 2, 10, 0, 0, 0, time.UTC))
	e := newEnv(t, orgsim.Options{Seed: 1, Now: clock.Now})
	cs := e.cfgsvc(e.cfg)
	mgmt := e.sim.ManagementAccountID()
	ctBucket(t, e, e.cfg, "cfg-setup-logs")

	// Nothing works before the recorder.
	_, err := cs.PutDeliveryChannel(bg, &configservice.PutDeliveryChannelInput{DeliveryChannel: &cfgtypes.DeliveryChannel{Name: aws.String("default"), S3BucketName: aws.String("cfg-setup-logs")}})
	ctWant(t, err, "NoAvailableConfigurationRecorderException")
	_, err = cs.PutConfigRule(bg, cfgManagedRule("root-mfa", "ROOT_ACCOUNT_MFA_ENABLED", ""))
	ctWant(t, err, "NoAvailableConfigurationRecorderException")
	_, err = cs.StartConfigurationRecorder(bg, &configservice.StartConfigurationRecorderInput{ConfigurationRecorderName: aws.String("default")})
	ctWant(t, err, "NoSuchConfigurationRecorderException")

	// The recorder: a role that exists, a sensible recording group.
	_, err = cs.PutConfigurationRecorder(bg, &configservice.PutConfigurationRecorderInput{ConfigurationRecorder: &cfgtypes.ConfigurationRecorder{Name: aws.String("default")}})
	ctWant(t, err, "InvalidRoleException")
	slrARN := "arn:aws:iam::" + mgmt + ":role/aws-service-role/config.amazonaws.com/AWSServiceRoleForConfig"
	_, err = cs.PutConfigurationRecorder(bg, cfgRecorder("default", slrARN))
	ctWant(t, err, "InvalidRoleException") // not created yet
	if got := cfgSLR(t, e, e.cfg); got != slrARN {
		t.Fatalf("service-linked role ARN = %s, want %s", got, slrARN)
	}
	_, err = cs.PutConfigurationRecorder(bg, cfgRecorder("AWSConfigurationRecorderForX", slrARN))
	ctWant(t, err, "InvalidConfigurationRecorderNameException")
	for _, g := range []*cfgtypes.RecordingGroup{
		{AllSupported: true, ResourceTypes: []cfgtypes.ResourceType{"AWS::IAM::User"}},
		{IncludeGlobalResourceTypes: true, ResourceTypes: []cfgtypes.ResourceType{"AWS::IAM::User"}},
		{},
		{ExclusionByResourceTypes: &cfgtypes.ExclusionByResourceTypes{ResourceTypes: []cfgtypes.ResourceType{"AWS::IAM::User"}}},
	} {
		_, err = cs.PutConfigurationRecorder(bg, &configservice.PutConfigurationRecorderInput{ConfigurationRecorder: &cfgtypes.ConfigurationRecorder{
			Name: aws.String("default"), RoleARN: aws.String(slrARN), RecordingGroup: g}})
		ctWant(t, err, "InvalidRecordingGroupException")
	}
	_, err = cs.PutConfigurationRecorder(bg, &configservice.PutConfigurationRecorderInput{ConfigurationRecorder: &cfgtypes.ConfigurationRecorder{
		Name: aws.String("default"), RoleARN: aws.String(slrARN), RecordingMode: &cfgtypes.RecordingMode{RecordingFrequency: "HOURLY"}}})
	ctWant(t, err, "ValidationException")
	if _, err := cs.PutConfigurationRecorder(bg, cfgRecorder("default", slrARN)); err != nil {
		t.Fatal(err)
	}
	_, err = cs.PutConfigurationRecorder(bg, cfgRecorder("second", slrARN))
	ctWant(t, err, "MaxNumberOfConfigurationRecordersExceededException")
	// Same name: an update.
	if _, err := cs.PutConfigurationRecorder(bg, &configservice.PutConfigurationRecorderInput{ConfigurationRecorder: &cfgtypes.ConfigurationRecorder{
		Name: aws.String("default"), RoleARN: aws.String(slrARN),
		RecordingGroup: &cfgtypes.RecordingGroup{ResourceTypes: []cfgtypes.ResourceType{"AWS::IAM::User", "AWS::IAM::Role"}}}}); err != nil {
		t.Fatal(err)
	}
	recs, err := cs.DescribeConfigurationRecorders(bg, &configservice.DescribeConfigurationRecordersInput{})
	if err != nil || len(recs.ConfigurationRecorders) != 1 {
		t.Fatalf("DescribeConfigurationRecorders: %+v %v", recs, err)
	}
	r := recs.ConfigurationRecorders[0]
	if aws.ToString(r.Name) != "default" || aws.ToString(r.RoleARN) != slrARN || r.RecordingGroup == nil || r.RecordingGroup.AllSupported ||
		len(r.RecordingGroup.ResourceTypes) != 2 || r.RecordingGroup.RecordingStrategy == nil || r.RecordingGroup.RecordingStrategy.UseOnly != cfgtypes.RecordingStrategyTypeInclusionByResourceTypes ||
		r.RecordingMode == nil || r.RecordingMode.RecordingFrequency != cfgtypes.RecordingFrequencyContinuous ||
		!strings.HasPrefix(aws.ToString(r.Arn), "arn:aws:config:us-east-1:"+mgmt+":configuration-recorder/default/") {
		t.Errorf("recorder: %+v group %+v", r, r.RecordingGroup)
	}
	if _, err := cs.PutConfigurationRecorder(bg, cfgRecorder("default", slrARN)); err != nil {
		t.Fatal(err)
	}
	_, err = cs.DescribeConfigurationRecorders(bg, &configservice.DescribeConfigurationRecordersInput{ConfigurationRecorderNames: []string{"other"}})
	ctWant(t, err, "NoSuchConfigurationRecorderException")
	status, err := cs.DescribeConfigurationRecorderStatus(bg, &configservice.DescribeConfigurationRecorderStatusInput{})
	if err != nil || len(status.ConfigurationRecordersStatus) != 1 || status.ConfigurationRecordersStatus[0].Recording || status.ConfigurationRecordersStatus[0].LastStartTime != nil {
		t.Fatalf("status of a new recorder: %+v %v", status, err)
	}

	// Start needs a delivery channel.
	_, err = cs.StartConfigurationRecorder(bg, &configservice.StartConfigurationRecorderInput{ConfigurationRecorderName: aws.String("default")})
	ctWant(t, err, "NoAvailableDeliveryChannelException")
	_, err = cs.StartConfigurationRecorder(bg, &configservice.StartConfigurationRecorderInput{ConfigurationRecorderName: aws.String("other")})
	ctWant(t, err, "NoSuchConfigurationRecorderException")

	// The channel.
	put := func(ch *cfgtypes.DeliveryChannel) error {
		_, err := cs.PutDeliveryChannel(bg, &configservice.PutDeliveryChannelInput{DeliveryChannel: ch})
		return err
	}
	ctWant(t, put(&cfgtypes.DeliveryChannel{Name: aws.String("default")}), "NoSuchBucketException")
	ctWant(t, put(&cfgtypes.DeliveryChannel{Name: aws.String("default"), S3BucketName: aws.String("cfg-no-such-bucket")}), "NoSuchBucketException")
	ctWant(t, put(&cfgtypes.DeliveryChannel{Name: aws.String("default"), S3BucketName: aws.String("cfg-setup-logs"), S3KeyPrefix: aws.String("")}), "InvalidS3KeyPrefixException")
	ctWant(t, put(&cfgtypes.DeliveryChannel{Name: aws.String("default"), S3BucketName: aws.String("cfg-setup-logs"), S3KeyPrefix: aws.String("x/AWSLogs")}), "InvalidS3KeyPrefixException")
	ctWant(t, put(&cfgtypes.DeliveryChannel{Name: aws.String("default"), S3BucketName: aws.String("cfg-setup-logs"),
		ConfigSnapshotDeliveryProperties: &cfgtypes.ConfigSnapshotDeliveryProperties{DeliveryFrequency: "Weekly"}}), "ValidationException")
	channel := &cfgtypes.DeliveryChannel{Name: aws.String("default"), S3BucketName: aws.String("cfg-setup-logs"), S3KeyPrefix: aws.String("config"),
		ConfigSnapshotDeliveryProperties: &cfgtypes.ConfigSnapshotDeliveryProperties{DeliveryFrequency: cfgtypes.MaximumExecutionFrequencyTwentyFourHours}}
	// The service-linked role was created a moment ago: Config cannot
	// assume it yet (awslabs/aws-securityhub-multiaccount-scripts issue 53).
	cfgWantMsg(t, put(channel), "InsufficientDeliveryPolicyException", "unable to assume role: "+slrARN)
	cfgSettle(e)
	// With the service-linked role Config writes as its service principal,
	// even to the account's own bucket: the bucket policy must admit it.
	cfgWantMsg(t, put(channel), "InsufficientDeliveryPolicyException", "unable to write to bucket")
	// Put without letting it propagate (ctPutPolicy would advance the clock).
	if _, err := e.s3(e.cfg).PutBucketPolicy(bg, &s3.PutBucketPolicyInput{Bucket: aws.String("cfg-setup-logs"),
		Policy: aws.String(cfgDeliveryPolicy("cfg-setup-logs", "config", mgmt))}); err != nil {
		t.Fatal(err)
	}
	cfgWantMsg(t, put(channel), "InsufficientDeliveryPolicyException", "unable to write to bucket") // the policy has not reached Config yet
	cfgSettle(e)
	if err := put(channel); err != nil {
		t.Fatal(err)
	}
	ctWant(t, put(&cfgtypes.DeliveryChannel{Name: aws.String("second"), S3BucketName: aws.String("cfg-setup-logs")}), "MaxNumberOfDeliveryChannelsExceededException")
	chs, err := cs.DescribeDeliveryChannels(bg, &configservice.DescribeDeliveryChannelsInput{})
	if err != nil || len(chs.DeliveryChannels) != 1 || aws.ToString(chs.DeliveryChannels[0].S3KeyPrefix) != "config" ||
		chs.DeliveryChannels[0].ConfigSnapshotDeliveryProperties == nil || chs.DeliveryChannels[0].ConfigSnapshotDeliveryProperties.DeliveryFrequency != cfgtypes.MaximumExecutionFrequencyTwentyFourHours {
		t.Fatalf("DescribeDeliveryChannels: %+v %v", chs, err)
	}
	_, err = cs.DescribeDeliveryChannels(bg, &configservice.DescribeDeliveryChannelsInput{DeliveryChannelNames: []string{"other"}})
	ctWant(t, err, "NoSuchDeliveryChannelException")

	// Start: Pending, then Success.
	start := e.sim.Now()
	if _, err := cs.StartConfigurationRecorder(bg, &configservice.StartConfigurationRecorderInput{ConfigurationRecorderName: aws.String("default")}); err != nil {
		t.Fatal(err)
	}
	status, err = cs.DescribeConfigurationRecorderStatus(bg, &configservice.DescribeConfigurationRecorderStatusInput{ConfigurationRecorderNames: []string{"default"}})
	if err != nil || len(status.ConfigurationRecordersStatus) != 1 {
		t.Fatal(status, err)
	}
	s := status.ConfigurationRecordersStatus[0]
	if !s.Recording || s.LastStatus != cfgtypes.RecorderStatusPending || !aws.ToTime(s.LastStartTime).Equal(start) {
		t.Errorf("status after start: %+v", s)
	}
	clock.Advance(time.Minute)
	status, _ = cs.DescribeConfigurationRecorderStatus(bg, &configservice.DescribeConfigurationRecorderStatusInput{})
	if s := status.ConfigurationRecordersStatus[0]; !s.Recording || s.LastStatus != cfgtypes.RecorderStatusSuccess {
		t.Errorf("status later: %+v", s)
	}
	dcs, err := cs.DescribeDeliveryChannelStatus(bg, &configservice.DescribeDeliveryChannelStatusInput{})
	if err != nil || len(dcs.DeliveryChannelsStatus) != 1 || dcs.DeliveryChannelsStatus[0].ConfigHistoryDeliveryInfo == nil ||
		dcs.DeliveryChannelsStatus[0].ConfigHistoryDeliveryInfo.LastStatus != cfgtypes.DeliveryStatusSuccess {
		t.Errorf("DescribeDeliveryChannelStatus: %+v %v", dcs, err)
	}

	// The channel cannot go while the recorder runs.
	_, err = cs.DeleteDeliveryChannel(bg, &configservice.DeleteDeliveryChannelInput{DeliveryChannelName: aws.String("default")})
	ctWant(t, err, "LastDeliveryChannelDeleteFailedException")

	// Rules, now that there is a recorder.
	if _, err := cs.PutConfigRule(bg, cfgManagedRule("root-mfa", "ROOT_ACCOUNT_MFA_ENABLED", "")); err != nil {
		t.Fatal(err)
	}

	// Stop, then tear down.
	clock.Advance(time.Minute)
	if _, err := cs.StopConfigurationRecorder(bg, &configservice.StopConfigurationRecorderInput{ConfigurationRecorderName: aws.String("default")}); err != nil {
		t.Fatal(err)
	}
	status, _ = cs.DescribeConfigurationRecorderStatus(bg, &configservice.DescribeConfigurationRecorderStatusInput{})
	if s := status.ConfigurationRecordersStatus[0]; s.Recording || !aws.ToTime(s.LastStopTime).Equal(start.Add(2*time.Minute)) {
		t.Errorf("status after stop: %+v", s)
	}
	_, err = cs.StopConfigurationRecorder(bg, &configservice.StopConfigurationRecorderInput{ConfigurationRecorderName: aws.String("other")})
	ctWant(t, err, "NoSuchConfigurationRecorderException")
	_, err = cs.DeleteDeliveryChannel(bg, &configservice.DeleteDeliveryChannelInput{DeliveryChannelName: aws.String("other")})
	ctWant(t, err, "NoSuchDeliveryChannelException")
	if _, err := cs.DeleteDeliveryChannel(bg, &configservice.DeleteDeliveryChannelInput{DeliveryChannelName: aws.String("default")}); err != nil {
		t.Fatal(err)
	}
	_, err = cs.DeleteConfigurationRecorder(bg, &configservice.DeleteConfigurationRecorderInput{ConfigurationRecorderName: aws.String("other")})
	ctWant(t, err, "NoSuchConfigurationRecorderException")
	if _, err := cs.DeleteConfigurationRecorder(bg, &configservice.DeleteConfigurationRecorderInput{ConfigurationRecorderName: aws.String("default")}); err != nil {
		t.Fatal(err)
	}
	recs, _ = cs.DescribeConfigurationRecorders(bg, &configservice.DescribeConfigurationRecordersInput{})
	if len(recs.ConfigurationRecorders) != 0 {
		t.Errorf("recorders after delete: %+v", recs.ConfigurationRecorders)
	}
	// Regional: another region has nothing.
	west := e.cfgsvc(e.config(e.sim.ManagementCredentials(), "eu-west-1"))
	if _, err := west.PutConfigRule(bg, cfgManagedRule("root-mfa", "ROOT_ACCOUNT_MFA_ENABLED", "")); errCode(t, err) != "NoAvailableConfigurationRecorderException" {
		t.Errorf("eu-west-1 PutConfigRule: %v", err)
	}
}

// cfgDeliveryPolicy is the bucket policy the Config developer guide
// documents for delivery to a bucket of another account.
func cfgDeliveryPolicy(bucket, prefix, account string) string {
	p := ""
	if prefix != "" {
		p = prefix + "/"
	}
	return fmt.Sprintf(`{"Version":"2012-10-17","Statement":[
 {"Sid":"AWSConfigBucketPermissionsCheck","Effect":"Allow","Principal":{"Service":"config.amazonaws.com"},"Action":"s3:GetBucketAcl","Resource":"arn:aws:s3:::%[1]s","Condition":{"StringEquals":{"AWS:SourceAccount":"%[3]s"}}},
 {"Sid":"AWSConfigBucketExistenceCheck","Effect":"Allow","Principal":{"Service":"config.amazonaws.com"},"Action":"s3:ListBucket","Resource":"arn:aws:s3:::%[1]s","Condition":{"StringEquals":{"AWS:SourceAccount":"%[3]s"}}},
 {"Sid":"AWSConfigBucketDelivery","Effect":"Allow","Principal":{"Service":"config.amazonaws.com"},"Action":"s3:PutObject","Resource":"arn:aws:s3:::%[1]s/%[2]sAWSLogs/%[3]s/Config/*","Condition":{"StringEquals":{"s3:x-amz-acl":"bucket-owner-full-control","AWS:SourceAccount":"%[3]s"}}}]}`, bucket, p, account)
}

func TestConfigDeliveryToAnotherAccountsBucket(t *testing.T) {
	e := newEnv(t, orgsim.Options{Seed: 1, Org: orgsim.OrgSpec{Members: 2, Clean: true}})
	accts := e.sim.Accounts()
	logArchive, audit := accts[1].ID, accts[2].ID
	logCfg := e.assume(logArchive, "OrganizationAccountAccessRole")
	auditCfg := e.assume(audit, "OrganizationAccountAccessRole")
	ctBucket(t, e, logCfg, "cfg-central-logs")

	cs := e.cfgsvc(auditCfg)
	if _, err := cs.PutConfigurationRecorder(bg, cfgRecorder("default", cfgSLR(t, e, auditCfg))); err != nil {
		t.Fatal(err)
	}
	cfgSettle(e)
	ch := &configservice.PutDeliveryChannelInput{DeliveryChannel: &cfgtypes.DeliveryChannel{Name: aws.String("default"), S3BucketName: aws.String("cfg-central-logs"), S3KeyPrefix: aws.String("config")}}
	_, err := cs.PutDeliveryChannel(bg, ch)
	ctWant(t, err, "InsufficientDeliveryPolicyException")
	// Without ListBucket the policy is still insufficient.
	partial := strings.Replace(cfgDeliveryPolicy("cfg-central-logs", "config", audit), `"Action":"s3:ListBucket"`, `"Action":"s3:GetBucketLocation"`, 1)
	ctPutPolicy(t, e, logCfg, "cfg-central-logs", partial)
	cfgSettle(e)
	_, err = cs.PutDeliveryChannel(bg, ch)
	ctWant(t, err, "InsufficientDeliveryPolicyException")
	// A policy for the wrong prefix neither.
	ctPutPolicy(t, e, logCfg, "cfg-central-logs", cfgDeliveryPolicy("cfg-central-logs", "", audit))
	cfgSettle(e)
	_, err = cs.PutDeliveryChannel(bg, ch)
	ctWant(t, err, "InsufficientDeliveryPolicyException")
	// Another account's id neither (aws:SourceAccount is the caller's).
	ctPutPolicy(t, e, logCfg, "cfg-central-logs", cfgDeliveryPolicy("cfg-central-logs", "config", logArchive))
	cfgSettle(e)
	_, err = cs.PutDeliveryChannel(bg, ch)
	ctWant(t, err, "InsufficientDeliveryPolicyException")
	ctPutPolicy(t, e, logCfg, "cfg-central-logs", cfgDeliveryPolicy("cfg-central-logs", "config", audit))
	cfgSettle(e)
	if _, err := cs.PutDeliveryChannel(bg, ch); err != nil {
		t.Fatal(err)
	}
	if _, err := cs.StartConfigurationRecorder(bg, &configservice.StartConfigurationRecorderInput{ConfigurationRecorderName: aws.String("default")}); err != nil {
		t.Fatal(err)
	}
	// The recorder role must be in the caller's own account.
	_, err = cs.PutConfigurationRecorder(bg, cfgRecorder("default", "arn:aws:iam::"+logArchive+":role/OrganizationAccountAccessRole"))
	ctWant(t, err, "InvalidRoleException")
}

func TestConfigRules(t *testing.T) {
	e := newEnv(t, orgsim.Options{Seed: 4})
	cs := e.cfgsvc(e.cfg)
	mgmt := e.sim.ManagementAccountID()
	if _, err := cs.PutConfigurationRecorder(bg, cfgRecorder("default", cfgSLR(t, e, e.cfg))); err != nil {
		t.Fatal(err)
	}

	err := func() error { _, err := cs.PutConfigRule(bg, cfgManagedRule("x", "NO_SUCH_RULE", "")); return err }()
	ctWant(t, err, "InvalidParameterValueException")
	if !strings.Contains(err.Error(), "The sourceIdentifier NO_SUCH_RULE is invalid. Please refer to the documentation for a list of valid sourceIdentifiers that can be used when AWS is the Owner.") {
		t.Errorf("message: %v", err)
	}
	for _, tc := range []struct{ id, params, code string }{
		{"ACCESS_KEYS_ROTATED", "", "InvalidParameterValueException"},                                     // required parameter missing
		{"ACCESS_KEYS_ROTATED", `{"maxAccessKeyAge":"90","other":"1"}`, "InvalidParameterValueException"}, // unknown parameter
		{"IAM_PASSWORD_POLICY", `{"MinimumPasswordLength":14}`, "InvalidParameterValueException"},         // not a string
		{"IAM_PASSWORD_POLICY", `{"MinimumPasswordLength":"14"`, "InvalidParameterValueException"},        // not JSON
		{"IAM_PASSWORD_POLICY", `["MinimumPasswordLength"]`, "InvalidParameterValueException"},            // not an object
	} {
		_, err := cs.PutConfigRule(bg, cfgManagedRule("r", tc.id, tc.params))
		ctWant(t, err, tc.code)
	}
	bad := cfgManagedRule("r", "IAM_USER_MFA_ENABLED", "")
	bad.ConfigRule.MaximumExecutionFrequency = "Daily"
	_, err = cs.PutConfigRule(bg, bad)
	ctWant(t, err, "ValidationException")
	withARN := cfgManagedRule("new-rule", "IAM_USER_MFA_ENABLED", "")
	withARN.ConfigRule.ConfigRuleArn = aws.String("arn:aws:config:us-east-1:" + mgmt + ":config-rule/config-rule-abcdef")
	_, err = cs.PutConfigRule(bg, withARN)
	ctWant(t, err, "InvalidParameterValueException")
	details := cfgManagedRule("r", "IAM_USER_MFA_ENABLED", "")
	details.ConfigRule.Source.SourceDetails = []cfgtypes.SourceDetail{{EventSource: cfgtypes.EventSourceAwsConfig, MessageType: cfgtypes.MessageTypeScheduledNotification}}
	_, err = cs.PutConfigRule(bg, details)
	ctWant(t, err, "InvalidParameterValueException")

	pw := cfgManagedRule("iam-password-policy", "IAM_PASSWORD_POLICY", `{"MinimumPasswordLength":"14","PasswordReusePrevention":"24"}`)
	pw.ConfigRule.MaximumExecutionFrequency = cfgtypes.MaximumExecutionFrequencyTwentyFourHours
	pw.ConfigRule.Description = aws.String("CIS 1.8 and 1.9")
	if _, err := cs.PutConfigRule(bg, pw); err != nil {
		t.Fatal(err)
	}
	if _, err := cs.PutConfigRule(bg, cfgManagedRule("access-keys-rotated", "ACCESS_KEYS_ROTATED", `{"maxAccessKeyAge":"90"}`)); err != nil {
		t.Fatal(err)
	}
	got, err := cs.DescribeConfigRules(bg, &configservice.DescribeConfigRulesInput{ConfigRuleNames: []string{"iam-password-policy"}})
	if err != nil || len(got.ConfigRules) != 1 {
		t.Fatalf("DescribeConfigRules: %+v %v", got, err)
	}
	r := got.ConfigRules[0]
	id := aws.ToString(r.ConfigRuleId)
	if !strings.HasPrefix(id, "config-rule-") || len(id) != len("config-rule-")+6 || aws.ToString(r.ConfigRuleArn) != "arn:aws:config:us-east-1:"+mgmt+":config-rule/"+id ||
		r.ConfigRuleState != cfgtypes.ConfigRuleStateActive || aws.ToString(r.InputParameters) != `{"MinimumPasswordLength":"14","PasswordReusePrevention":"24"}` ||
		r.MaximumExecutionFrequency != cfgtypes.MaximumExecutionFrequencyTwentyFourHours || r.Source.Owner != cfgtypes.OwnerAws ||
		aws.ToString(r.Source.SourceIdentifier) != "IAM_PASSWORD_POLICY" || aws.ToString(r.Description) != "CIS 1.8 and 1.9" {
		t.Errorf("rule: %+v", r)
	}
	// Put on an existing name updates it and keeps its identity.
	if _, err := cs.PutConfigRule(bg, cfgManagedRule("iam-password-policy", "IAM_PASSWORD_POLICY", `{"MinimumPasswordLength":"16"}`)); err != nil {
		t.Fatal(err)
	}
	got, _ = cs.DescribeConfigRules(bg, &configservice.DescribeConfigRulesInput{ConfigRuleNames: []string{"iam-password-policy"}})
	if r := got.ConfigRules[0]; aws.ToString(r.ConfigRuleId) != id || aws.ToString(r.InputParameters) != `{"MinimumPasswordLength":"16"}` || r.MaximumExecutionFrequency != "" {
		t.Errorf("updated rule: %+v", r)
	}
	// ... and the rule can be named by its ARN alone.
	byARN := &configservice.PutConfigRuleInput{ConfigRule: &cfgtypes.ConfigRule{ConfigRuleArn: r.ConfigRuleArn,
		Source: &cfgtypes.Source{Owner: cfgtypes.OwnerAws, SourceIdentifier: aws.String("IAM_PASSWORD_POLICY")}}}
	if _, err := cs.PutConfigRule(bg, byARN); err != nil {
		t.Fatalf("PutConfigRule by ARN: %v", err)
	}

	if got, err := cs.DescribeConfigRules(bg, &configservice.DescribeConfigRulesInput{ConfigRuleNames: []string{"access-keys-rotated", "iam-password-policy"}}); err != nil ||
		len(got.ConfigRules) != 2 || aws.ToString(got.ConfigRules[0].ConfigRuleName) != "access-keys-rotated" || len(got.ConfigRules[0].EvaluationModes) != 1 ||
		got.ConfigRules[0].EvaluationModes[0].Mode != cfgtypes.EvaluationModeDetective {
		t.Errorf("DescribeConfigRules by names: %+v %v", got, err)
	}
	if _, err := cs.PutConfigRule(bg, cfgManagedRule("no-params", "IAM_ROOT_ACCESS_KEY_CHECK", "")); err != nil {
		t.Fatal(err)
	}
	if got, _ := cs.DescribeConfigRules(bg, &configservice.DescribeConfigRulesInput{ConfigRuleNames: []string{"no-params"}}); aws.ToString(got.ConfigRules[0].InputParameters) != "{}" {
		t.Errorf("InputParameters of a rule without parameters: %q", aws.ToString(got.ConfigRules[0].InputParameters))
	}
	_, err = cs.DescribeConfigRules(bg, &configservice.DescribeConfigRulesInput{ConfigRuleNames: []string{"nope"}})
	ctWant(t, err, "NoSuchConfigRuleException")
	_, err = cs.DeleteConfigRule(bg, &configservice.DeleteConfigRuleInput{ConfigRuleName: aws.String("nope")})
	ctWant(t, err, "NoSuchConfigRuleException")
	_, err = cs.DescribeConfigRules(bg, &configservice.DescribeConfigRulesInput{NextToken: aws.String("garbage")})
	ctWant(t, err, "InvalidNextTokenException")

	// Pagination: 25 a page.
	for i := 0; i < 28; i++ {
		if _, err := cs.PutConfigRule(bg, cfgManagedRule(fmt.Sprintf("rule-%02d", i), "S3_BUCKET_VERSIONING_ENABLED", "")); err != nil {
			t.Fatal(err)
		}
	}
	p := configservice.NewDescribeConfigRulesPaginator(cs, &configservice.DescribeConfigRulesInput{})
	var sizes []int
	seen := map[string]bool{}
	for p.HasMorePages() {
		page, err := p.NextPage(bg)
		if err != nil {
			t.Fatal(err)
		}
		sizes = append(sizes, len(page.ConfigRules))
		for _, r := range page.ConfigRules {
			seen[aws.ToString(r.ConfigRuleName)] = true
		}
	}
	if fmt.Sprint(sizes) != "[25 6]" || len(seen) != 31 {
		t.Errorf("pages %v, %d distinct rules", sizes, len(seen))
	}

	if _, err := cs.DeleteConfigRule(bg, &configservice.DeleteConfigRuleInput{ConfigRuleName: aws.String("rule-00")}); err != nil {
		t.Fatal(err)
	}
	_, err = cs.DescribeConfigRules(bg, &configservice.DescribeConfigRulesInput{ConfigRuleNames: []string{"rule-00"}})
	ctWant(t, err, "NoSuchConfigRuleException")
}

func TestConfigRulesPerRegionLimit(t *testing.T) {
	e := newEnv(t, orgsim.Options{Seed: 5, Limits: orgsim.Limits{ConfigRulesPerRegion: 2}})
	cs := e.cfgsvc(e.cfg)
	if _, err := cs.PutConfigurationRecorder(bg, cfgRecorder("default", cfgSLR(t, e, e.cfg))); err != nil {
		t.Fatal(err)
	}
	for _, n := range []string{"a", "b"} {
		if _, err := cs.PutConfigRule(bg, cfgManagedRule(n, "ROOT_ACCOUNT_MFA_ENABLED", "")); err != nil {
			t.Fatal(err)
		}
	}
	_, err := cs.PutConfigRule(bg, cfgManagedRule("c", "ROOT_ACCOUNT_MFA_ENABLED", ""))
	ctWant(t, err, "MaxNumberOfConfigRulesExceededException")
	// An update is not a new rule.
	if _, err := cs.PutConfigRule(bg, cfgManagedRule("a", "IAM_ROOT_ACCESS_KEY_CHECK", "")); err != nil {
		t.Fatal(err)
	}
}

func TestConfigAggregators(t *testing.T) {
	e := newEnv(t, orgsim.Options{Seed: 1, Org: orgsim.OrgSpec{Members: 2, Clean: true}})
	accts := e.sim.Accounts()
	mgmt, audit := accts[0].ID, accts[2].ID
	cs := e.cfgsvc(e.cfg)

	_, err := cs.PutConfigurationAggregator(bg, &configservice.PutConfigurationAggregatorInput{ConfigurationAggregatorName: aws.String("bad name")})
	ctWant(t, err, "ValidationException")
	_, err = cs.PutConfigurationAggregator(bg, &configservice.PutConfigurationAggregatorInput{ConfigurationAggregatorName: aws.String("agg")})
	ctWant(t, err, "InvalidParameterValueException")
	_, err = cs.PutConfigurationAggregator(bg, &configservice.PutConfigurationAggregatorInput{ConfigurationAggregatorName: aws.String("agg"),
		AccountAggregationSources: []cfgtypes.AccountAggregationSource{{AccountIds: []string{audit}}}})
	ctWant(t, err, "InvalidParameterValueException") // no regions
	acct, err := cs.PutConfigurationAggregator(bg, &configservice.PutConfigurationAggregatorInput{ConfigurationAggregatorName: aws.String("accounts"),
		AccountAggregationSources: []cfgtypes.AccountAggregationSource{{AccountIds: []string{audit}, AllAwsRegions: true}}})
	if err != nil {
		t.Fatal(err)
	}
	a := acct.ConfigurationAggregator
	if aws.ToString(a.ConfigurationAggregatorName) != "accounts" || !strings.HasPrefix(aws.ToString(a.ConfigurationAggregatorArn), "arn:aws:config:us-east-1:"+mgmt+":config-aggregator/config-aggregator-") ||
		len(a.AccountAggregationSources) != 1 || a.CreationTime == nil {
		t.Errorf("aggregator: %+v", a)
	}

	orgSource := &cfgtypes.OrganizationAggregationSource{RoleArn: aws.String("arn:aws:iam::" + mgmt + ":role/config-org"), AllAwsRegions: true}
	// A member account that is not a delegated administrator may not.
	_, err = e.cfgsvc(e.assume(audit, "OrganizationAccountAccessRole")).PutConfigurationAggregator(bg, &configservice.PutConfigurationAggregatorInput{
		ConfigurationAggregatorName: aws.String("org"), OrganizationAggregationSource: &cfgtypes.OrganizationAggregationSource{RoleArn: aws.String("arn:aws:iam::" + audit + ":role/config-org"), AllAwsRegions: true}})
	ctWant(t, err, "OrganizationAccessDeniedException")
	// The management account needs a role Config can use.
	_, err = cs.PutConfigurationAggregator(bg, &configservice.PutConfigurationAggregatorInput{ConfigurationAggregatorName: aws.String("org"), OrganizationAggregationSource: orgSource})
	ctWant(t, err, "InvalidRoleException")
	if _, err := e.iam(e.cfg).CreateRole(bg, &iam.CreateRoleInput{RoleName: aws.String("config-org"),
		AssumeRolePolicyDocument: aws.String(`{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"Service":"config.amazonaws.com"},"Action":"sts:AssumeRole"}]}`)}); err != nil {
		t.Fatal(err)
	}
	// The role was just made: Config cannot assume it yet.
	_, err = cs.PutConfigurationAggregator(bg, &configservice.PutConfigurationAggregatorInput{ConfigurationAggregatorName: aws.String("org"), OrganizationAggregationSource: orgSource})
	ctWant(t, err, "InvalidRoleException")
	cfgSettle(e)
	org, err := cs.PutConfigurationAggregator(bg, &configservice.PutConfigurationAggregatorInput{ConfigurationAggregatorName: aws.String("org"), OrganizationAggregationSource: orgSource})
	if err != nil || org.ConfigurationAggregator.OrganizationAggregationSource == nil || !org.ConfigurationAggregator.OrganizationAggregationSource.AllAwsRegions {
		t.Fatalf("org aggregator: %+v %v", org, err)
	}
	// Creating it enabled trusted access for config.amazonaws.com, as AWS does.
	access, err := e.orgs(e.cfg).ListAWSServiceAccessForOrganization(bg, &organizations.ListAWSServiceAccessForOrganizationInput{})
	if err != nil {
		t.Fatal(err)
	}
	found := false
	for _, p := range access.EnabledServicePrincipals {
		found = found || aws.ToString(p.ServicePrincipal) == "config.amazonaws.com"
	}
	if !found {
		t.Errorf("config.amazonaws.com trusted access not enabled: %+v", access.EnabledServicePrincipals)
	}

	d, err := cs.DescribeConfigurationAggregators(bg, &configservice.DescribeConfigurationAggregatorsInput{Limit: 1})
	if err != nil || len(d.ConfigurationAggregators) != 1 || d.NextToken == nil {
		t.Fatalf("DescribeConfigurationAggregators page 1: %+v %v", d, err)
	}
	d, err = cs.DescribeConfigurationAggregators(bg, &configservice.DescribeConfigurationAggregatorsInput{Limit: 1, NextToken: d.NextToken})
	if err != nil || len(d.ConfigurationAggregators) != 1 || d.NextToken != nil || aws.ToString(d.ConfigurationAggregators[0].ConfigurationAggregatorName) != "org" {
		t.Fatalf("DescribeConfigurationAggregators page 2: %+v %v", d, err)
	}
	_, err = cs.DescribeConfigurationAggregators(bg, &configservice.DescribeConfigurationAggregatorsInput{ConfigurationAggregatorNames: []string{"none"}})
	ctWant(t, err, "NoSuchConfigurationAggregatorException")
	_, err = cs.DescribeConfigurationAggregators(bg, &configservice.DescribeConfigurationAggregatorsInput{Limit: 101})
	ctWant(t, err, "InvalidLimitException")
	if _, err := cs.DeleteConfigurationAggregator(bg, &configservice.DeleteConfigurationAggregatorInput{ConfigurationAggregatorName: aws.String("accounts")}); err != nil {
		t.Fatal(err)
	}
	_, err = cs.DeleteConfigurationAggregator(bg, &configservice.DeleteConfigurationAggregatorInput{ConfigurationAggregatorName: aws.String("accounts")})
	ctWant(t, err, "NoSuchConfigurationAggregatorException")

	// 50 per account and region; the 51st is LimitExceededException (which
	// the SDK retries as throttling before giving up).
	for i := 1; i < 50; i++ {
		if _, err := cs.PutConfigurationAggregator(bg, &configservice.PutConfigurationAggregatorInput{ConfigurationAggregatorName: aws.String(fmt.Sprintf("agg-%02d", i)),
			AccountAggregationSources: []cfgtypes.AccountAggregationSource{{AccountIds: []string{audit}, AwsRegions: []string{"us-east-1"}}}}); err != nil {
			t.Fatal(err)
		}
	}
	_, err = cs.PutConfigurationAggregator(bg, &configservice.PutConfigurationAggregatorInput{ConfigurationAggregatorName: aws.String("one-too-many"),
		AccountAggregationSources: []cfgtypes.AccountAggregationSource{{AccountIds: []string{audit}, AwsRegions: []string{"us-east-1"}}}})
	ctWant(t, err, "LimitExceededException")
}

func TestConfigOrganizationRules(t *testing.T) {
	e := newEnv(t, orgsim.Options{Seed: 1, Org: orgsim.OrgSpec{Members: 2, Clean: true}})
	accts := e.sim.Accounts()
	mgmt, audit := accts[0].ID, accts[2].ID
	cs := e.cfgsvc(e.cfg)
	member := e.cfgsvc(e.assume(audit, "OrganizationAccountAccessRole"))
	rule := func(name, id, params string) *configservice.PutOrganizationConfigRuleInput {
		m := &cfgtypes.OrganizationManagedRuleMetadata{RuleIdentifier: aws.String(id)}
		if params != "" {
			m.InputParameters = aws.String(params)
		}
		return &configservice.PutOrganizationConfigRuleInput{OrganizationConfigRuleName: aws.String(name), OrganizationManagedRuleMetadata: m}
	}

	_, err := member.PutOrganizationConfigRule(bg, rule("root-mfa", "ROOT_ACCOUNT_MFA_ENABLED", ""))
	ctWant(t, err, "OrganizationAccessDeniedException")
	_, err = member.DescribeOrganizationConfigRules(bg, &configservice.DescribeOrganizationConfigRulesInput{})
	ctWant(t, err, "OrganizationAccessDeniedException")
	_, err = cs.PutOrganizationConfigRule(bg, rule("bad name!", "ROOT_ACCOUNT_MFA_ENABLED", ""))
	ctWant(t, err, "ValidationException")
	_, err = cs.PutOrganizationConfigRule(bg, rule("x", "NO_SUCH_RULE", ""))
	ctWant(t, err, "InvalidParameterValueException")
	_, err = cs.PutOrganizationConfigRule(bg, rule("x", "IAM_USER_UNUSED_CREDENTIALS_CHECK", ""))
	ctWant(t, err, "InvalidParameterValueException")

	out, err := cs.PutOrganizationConfigRule(bg, rule("unused-credentials", "IAM_USER_UNUSED_CREDENTIALS_CHECK", `{"maxCredentialUsageAge":"45"}`))
	if err != nil {
		t.Fatal(err)
	}
	arn := aws.ToString(out.OrganizationConfigRuleArn)
	if !strings.HasPrefix(arn, "arn:aws:config:us-east-1:"+mgmt+":organization-config-rule/unused-credentials-") {
		t.Errorf("ARN %s", arn)
	}
	d, err := cs.DescribeOrganizationConfigRules(bg, &configservice.DescribeOrganizationConfigRulesInput{})
	if err != nil || len(d.OrganizationConfigRules) != 1 || aws.ToString(d.OrganizationConfigRules[0].OrganizationConfigRuleArn) != arn ||
		aws.ToString(d.OrganizationConfigRules[0].OrganizationManagedRuleMetadata.InputParameters) != `{"maxCredentialUsageAge":"45"}` ||
		d.OrganizationConfigRules[0].LastUpdateTime == nil {
		t.Fatalf("DescribeOrganizationConfigRules: %+v %v", d, err)
	}
	// As AWS does, the call enabled trusted access for the multi-account setup.
	access, _ := e.orgs(e.cfg).ListAWSServiceAccessForOrganization(bg, &organizations.ListAWSServiceAccessForOrganizationInput{})
	found := false
	for _, p := range access.EnabledServicePrincipals {
		found = found || aws.ToString(p.ServicePrincipal) == "config-multiaccountsetup.amazonaws.com"
	}
	if !found {
		t.Errorf("trusted access for config-multiaccountsetup.amazonaws.com not enabled")
	}

	// A delegated administrator may manage organization rules.
	if _, err := e.orgs(e.cfg).RegisterDelegatedAdministrator(bg, &organizations.RegisterDelegatedAdministratorInput{
		AccountId: aws.String(audit), ServicePrincipal: aws.String("config-multiaccountsetup.amazonaws.com")}); err != nil {
		t.Fatal(err)
	}
	cfgSettle(e) // the registration reaches AWS Config
	da, err := member.PutOrganizationConfigRule(bg, rule("root-mfa", "ROOT_ACCOUNT_MFA_ENABLED", ""))
	if err != nil {
		t.Fatalf("delegated administrator: %v", err)
	}
	if !strings.HasPrefix(aws.ToString(da.OrganizationConfigRuleArn), "arn:aws:config:us-east-1:"+audit+":organization-config-rule/root-mfa-") {
		t.Errorf("delegated administrator's rule ARN %s", aws.ToString(da.OrganizationConfigRuleArn))
	}
	// Each deploying account sees only its own organization rules.
	d, err = member.DescribeOrganizationConfigRules(bg, &configservice.DescribeOrganizationConfigRulesInput{})
	if err != nil || len(d.OrganizationConfigRules) != 1 || aws.ToString(d.OrganizationConfigRules[0].OrganizationConfigRuleName) != "root-mfa" {
		t.Fatalf("DescribeOrganizationConfigRules by the delegated administrator: %+v %v", d, err)
	}
	_, err = cs.DeleteOrganizationConfigRule(bg, &configservice.DeleteOrganizationConfigRuleInput{OrganizationConfigRuleName: aws.String("root-mfa")})
	ctWant(t, err, "NoSuchOrganizationConfigRuleException")
	if _, err := cs.PutOrganizationConfigRule(bg, rule("root-mfa", "ROOT_ACCOUNT_MFA_ENABLED", "")); err != nil {
		t.Fatal(err)
	}
	d, err = cs.DescribeOrganizationConfigRules(bg, &configservice.DescribeOrganizationConfigRulesInput{Limit: 1})
	if err != nil || len(d.OrganizationConfigRules) != 1 || d.NextToken == nil {
		t.Fatalf("DescribeOrganizationConfigRules page 1: %+v %v", d, err)
	}
	d, err = cs.DescribeOrganizationConfigRules(bg, &configservice.DescribeOrganizationConfigRulesInput{Limit: 1, NextToken: d.NextToken})
	if err != nil || len(d.OrganizationConfigRules) != 1 || d.NextToken != nil || aws.ToString(d.OrganizationConfigRules[0].OrganizationConfigRuleName) != "root-mfa" {
		t.Fatalf("DescribeOrganizationConfigRules page 2: %+v %v", d, err)
	}
	_, err = cs.DescribeOrganizationConfigRules(bg, &configservice.DescribeOrganizationConfigRulesInput{OrganizationConfigRuleNames: []string{"none"}})
	ctWant(t, err, "NoSuchOrganizationConfigRuleException")
	_, err = cs.DeleteOrganizationConfigRule(bg, &configservice.DeleteOrganizationConfigRuleInput{OrganizationConfigRuleName: aws.String("none")})
	ctWant(t, err, "NoSuchOrganizationConfigRuleException")
	if _, err := cs.DeleteOrganizationConfigRule(bg, &configservice.DeleteOrganizationConfigRuleInput{OrganizationConfigRuleName: aws.String("root-mfa")}); err != nil {
		t.Fatal(err)
	}
	d, _ = cs.DescribeOrganizationConfigRules(bg, &configservice.DescribeOrganizationConfigRulesInput{})
	if len(d.OrganizationConfigRules) != 1 {
		t.Errorf("after delete: %+v", d.OrganizationConfigRules)
	}
}

// TestConfigListTagsForResource reads back the tags a rule was created
// with; tags given on a later PutConfigRule are added, and an unknown ARN
// is ResourceNotFoundException.
func TestConfigListTagsForResource(t *testing.T) {
	e := newEnv(t, orgsim.Options{Seed: 5})
	cs := e.cfgsvc(e.cfg)
	if _, err := cs.PutConfigurationRecorder(bg, cfgRecorder("default", cfgSLR(t, e, e.cfg))); err != nil {
		t.Fatal(err)
	}
	in := cfgManagedRule("tagged", "IAM_USER_MFA_ENABLED", "")
	in.Tags = []cfgtypes.Tag{{Key: aws.String("orgbaseline:managed"), Value: aws.String("true")}, {Key: aws.String("b"), Value: aws.String("2")}}
	if _, err := cs.PutConfigRule(bg, in); err != nil {
		t.Fatal(err)
	}
	if _, err := cs.PutConfigRule(bg, cfgManagedRule("plain", "IAM_USER_MFA_ENABLED", "")); err != nil {
		t.Fatal(err)
	}
	rules, err := cs.DescribeConfigRules(bg, &configservice.DescribeConfigRulesInput{})
	if err != nil {
		t.Fatal(err)
	}
	arns := map[string]string{}
	for _, r := range rules.ConfigRules {
		arns[aws.ToString(r.ConfigRuleName)] = aws.ToString(r.ConfigRuleArn)
	}
	tagsOf := func(arn string, limit int32) []string {
		t.Helper()
		var got []string
		p := configservice.NewListTagsForResourcePaginator(cs, &configservice.ListTagsForResourceInput{ResourceArn: aws.String(arn), Limit: limit})
		for p.HasMorePages() {
			out, err := p.NextPage(bg)
			if err != nil {
				t.Fatal(err)
			}
			for _, tg := range out.Tags {
				got = append(got, aws.ToString(tg.Key)+"="+aws.ToString(tg.Value))
			}
		}
		return got
	}
	if got := fmt.Sprint(tagsOf(arns["tagged"], 1)); got != "[b=2 orgbaseline:managed=true]" {
		t.Errorf("tags of tagged: %s", got)
	}
	if got := tagsOf(arns["plain"], 0); len(got) != 0 {
		t.Errorf("tags of plain: %v", got)
	}
	_, err = cs.ListTagsForResource(bg, &configservice.ListTagsForResourceInput{ResourceArn: aws.String(arns["plain"] + "x")})
	ctWant(t, err, "ResourceNotFoundException")
	_, err = cs.ListTagsForResource(bg, &configservice.ListTagsForResourceInput{ResourceArn: aws.String(arns["plain"]), Limit: 51})
	ctWant(t, err, "InvalidLimitException")
}

// A central bucket can admit every account of the organization by its id
// (aws:SourceOrgID), with a policy whose size does not grow with the
// number of accounts; another organization's id does not admit them.
func TestConfigDeliveryToAnOrganizationBucket(t *testing.T) {
	e := newEnv(t, orgsim.Options{Seed: 3, Org: orgsim.OrgSpec{Members: 3, Clean: true}})
	logArchive, _ := e.sim.AccountID("Log Archive")
	audit, _ := e.sim.AccountID("Audit")
	archive := e.assume(logArchive, "OrganizationAccountAccessRole")
	const bucket = "org-config-central"
	if _, err := e.s3(archive).CreateBucket(bg, &s3.CreateBucketInput{Bucket: aws.String(bucket)}); err != nil {
		t.Fatal(err)
	}
	policy := func(orgID string) string {
		cond := `"Condition":{"StringEquals":{"aws:SourceOrgID":"` + orgID + `"}}`
		return `{"Version":"2012-10-17","Statement":[
		  {"Sid":"Acl","Effect":"Allow","Principal":{"Service":"config.amazonaws.com"},"Action":"s3:GetBucketAcl","Resource":"arn:aws:s3:::` + bucket + `",` + cond + `},
		  {"Sid":"List","Effect":"Allow","Principal":{"Service":"config.amazonaws.com"},"Action":"s3:ListBucket","Resource":"arn:aws:s3:::` + bucket + `",` + cond + `},
		  {"Sid":"Put","Effect":"Allow","Principal":{"Service":"config.amazonaws.com"},"Action":"s3:PutObject","Resource":"arn:aws:s3:::` + bucket + `/AWSLogs/*/Config/*",
		   "Condition":{"StringEquals":{"aws:SourceOrgID":"` + orgID + `","s3:x-amz-acl":"bucket-owner-full-control"}}}]}`
	}
	member := e.assume(audit, "OrganizationAccountAccessRole")
	role := cfgSLR(t, e, member)
	if _, err := e.cfgsvc(member).PutConfigurationRecorder(bg, &configservice.PutConfigurationRecorderInput{ConfigurationRecorder: &cfgtypes.ConfigurationRecorder{
		Name: aws.String("default"), RoleARN: aws.String(role), RecordingGroup: &cfgtypes.RecordingGroup{AllSupported: true}}}); err != nil {
		t.Fatal(err)
	}
	channel := &configservice.PutDeliveryChannelInput{DeliveryChannel: &cfgtypes.DeliveryChannel{Name: aws.String("default"), S3BucketName: aws.String(bucket)}}

	if _, err := e.s3(archive).PutBucketPolicy(bg, &s3.PutBucketPolicyInput{Bucket: aws.String(bucket), Policy: aws.String(policy("o-someoneelse"))}); err != nil {
		t.Fatal(err)
	}
	cfgSettle(e)
	_, err := e.cfgsvc(member).PutDeliveryChannel(bg, channel)
	wantCode(t, err, "InsufficientDeliveryPolicyException")

	if _, err := e.s3(archive).PutBucketPolicy(bg, &s3.PutBucketPolicyInput{Bucket: aws.String(bucket), Policy: aws.String(policy(e.sim.OrganizationID()))}); err != nil {
		t.Fatal(err)
	}
	cfgSettle(e)
	if _, err := e.cfgsvc(member).PutDeliveryChannel(bg, channel); err != nil {
		t.Fatalf("a bucket admitting the organization refused its member: %v", err)
	}
}

// cfgSession assumes the execution role in account with a session policy,
// so a test can take permissions away (iam:PassRole above all).
func cfgSession(t testing.TB, e *env, account, policy string) aws.Config {
	t.Helper()
	out, err := e.sts(e.cfg).AssumeRole(bg, &sts.AssumeRoleInput{
		RoleArn: aws.String("arn:aws:iam::" + account + ":role/OrganizationAccountAccessRole"), RoleSessionName: aws.String("cfg-test"), Policy: aws.String(policy)})
	if err != nil {
		t.Fatal(err)
	}
	return e.config(orgsim.Credentials{AccessKeyID: aws.ToString(out.Credentials.AccessKeyId), SecretAccessKey: aws.ToString(out.Credentials.SecretAccessKey),
		SessionToken: aws.ToString(out.Credentials.SessionToken)}, "us-east-1")
}

const cfgTrustConfig = `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"Service":"config.amazonaws.com"},"Action":"sts:AssumeRole"}]}`

// A role Config is handed becomes usable by Config only after it has
// propagated: the service-linked role is accepted by
// PutConfigurationRecorder at once but PutDeliveryChannel answers "unable
// to assume role" until then; a customer role is refused by
// PutConfigurationRecorder itself. With propagation off, both work at once.
func TestConfigRolesPropagate(t *testing.T) {
	for _, tc := range []struct {
		name string
		like *orgsim.AWSLike
	}{{"AWS-like", nil}, {"propagation off", &orgsim.AWSLike{}}} {
		t.Run(tc.name, func(t *testing.T) {
			e := newEnv(t, orgsim.Options{Seed: 1, AWSLike: tc.like})
			mgmt := e.sim.ManagementAccountID()
			cs := e.cfgsvc(e.cfg)
			ctBucket(t, e, e.cfg, "cfg-propagation")
			ctPutPolicy(t, e, e.cfg, "cfg-propagation", cfgDeliveryPolicy("cfg-propagation", "", mgmt))
			propagates := tc.like == nil

			slr := cfgSLR(t, e, e.cfg)
			if _, err := cs.PutConfigurationRecorder(bg, cfgRecorder("default", slr)); err != nil {
				t.Fatalf("a service-linked role just made: %v", err)
			}
			channel := &configservice.PutDeliveryChannelInput{DeliveryChannel: &cfgtypes.DeliveryChannel{Name: aws.String("default"), S3BucketName: aws.String("cfg-propagation")}}
			_, err := cs.PutDeliveryChannel(bg, channel)
			if propagates {
				cfgWantMsg(t, err, "InsufficientDeliveryPolicyException", "Insufficient delivery policy to s3 bucket: cfg-propagation, unable to assume role: "+slr+".")
				cfgSettle(e)
				_, err = cs.PutDeliveryChannel(bg, channel)
			}
			if err != nil {
				t.Fatalf("after the role propagated: %v", err)
			}

			if _, err := e.iam(e.cfg).CreateRole(bg, &iam.CreateRoleInput{RoleName: aws.String("config-recorder"), AssumeRolePolicyDocument: aws.String(cfgTrustConfig)}); err != nil {
				t.Fatal(err)
			}
			custom := "arn:aws:iam::" + mgmt + ":role/config-recorder"
			_, err = cs.PutConfigurationRecorder(bg, cfgRecorder("default", custom))
			if propagates {
				ctWant(t, err, "InvalidRoleException")
				cfgSettle(e)
				_, err = cs.PutConfigurationRecorder(bg, cfgRecorder("default", custom))
			}
			if err != nil {
				t.Fatalf("a customer role once propagated: %v", err)
			}
		})
	}
}

// A customer role handed to Config needs iam:PassRole with
// iam:PassedToService config.amazonaws.com, for the recorder and for an
// organization aggregator, and so does Config's service-linked role. With
// AWSLike.PassRole off, nothing is checked.
func TestConfigPassRole(t *testing.T) {
	for _, tc := range []struct {
		name string
		like *orgsim.AWSLike
	}{{"AWS-like", nil}, {"PassRole off", &orgsim.AWSLike{}}} {
		t.Run(tc.name, func(t *testing.T) {
			e := newEnv(t, orgsim.Options{Seed: 1, AWSLike: tc.like, Org: orgsim.OrgSpec{Members: 2, Clean: true}})
			audit, _ := e.sim.AccountID("Audit")
			orgs := e.orgs(e.cfg)
			if _, err := orgs.EnableAWSServiceAccess(bg, &organizations.EnableAWSServiceAccessInput{ServicePrincipal: aws.String("config.amazonaws.com")}); err != nil {
				t.Fatal(err)
			}
			if _, err := orgs.RegisterDelegatedAdministrator(bg, &organizations.RegisterDelegatedAdministratorInput{AccountId: aws.String(audit), ServicePrincipal: aws.String("config.amazonaws.com")}); err != nil {
				t.Fatal(err)
			}
			admin := e.assume(audit, "OrganizationAccountAccessRole")
			slr := cfgSLR(t, e, admin)
			if _, err := e.iam(admin).CreateRole(bg, &iam.CreateRoleInput{RoleName: aws.String("config-role"), AssumeRolePolicyDocument: aws.String(cfgTrustConfig)}); err != nil {
				t.Fatal(err)
			}
			cfgSettle(e)
			role := "arn:aws:iam::" + audit + ":role/config-role"
			agg := &configservice.PutConfigurationAggregatorInput{ConfigurationAggregatorName: aws.String("org"),
				OrganizationAggregationSource: &cfgtypes.OrganizationAggregationSource{RoleArn: aws.String(role), AllAwsRegions: true}}

			noPass := e.cfgsvc(cfgSession(t, e, audit, `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":["config:*","organizations:List*"],"Resource":"*"}]}`))
			passToOther := e.cfgsvc(cfgSession(t, e, audit, `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":["config:*","organizations:List*"],"Resource":"*"},
				{"Effect":"Allow","Action":"iam:PassRole","Resource":"*","Condition":{"StringEquals":{"iam:PassedToService":"cloudtrail.amazonaws.com"}}}]}`))
			passToConfig := e.cfgsvc(cfgSession(t, e, audit, `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":["config:*","organizations:List*"],"Resource":"*"},
				{"Effect":"Allow","Action":"iam:PassRole","Resource":"`+role+`","Condition":{"StringEquals":{"iam:PassedToService":"config.amazonaws.com"}}}]}`))

			// The service-linked role is passed as any role (AWS documents
			// no exemption: the stricter reading, auth.go).
			_, err := noPass.PutConfigurationRecorder(bg, cfgRecorder("default", slr))
			if tc.like == nil {
				cfgWantMsg(t, err, "AccessDeniedException", "is not authorized to perform: iam:PassRole on resource: "+slr)
			} else if err != nil {
				t.Fatalf("recorder with the service-linked role, PassRole off: %v", err)
			}
			for _, cs := range []*configservice.Client{noPass, passToOther} {
				_, err := cs.PutConfigurationRecorder(bg, cfgRecorder("default", role))
				_, aerr := cs.PutConfigurationAggregator(bg, agg)
				if tc.like == nil {
					cfgWantMsg(t, err, "AccessDeniedException", "is not authorized to perform: iam:PassRole on resource: "+role)
					cfgWantMsg(t, aerr, "AccessDeniedException", "is not authorized to perform: iam:PassRole on resource: "+role)
				} else if err != nil || aerr != nil {
					t.Fatalf("with PassRole off: %v / %v", err, aerr)
				}
			}
			if _, err := passToConfig.PutConfigurationRecorder(bg, cfgRecorder("default", role)); err != nil {
				t.Fatalf("recorder with PassRole to config.amazonaws.com: %v", err)
			}
			if _, err := passToConfig.PutConfigurationAggregator(bg, agg); err != nil {
				t.Fatalf("aggregator with PassRole to config.amazonaws.com: %v", err)
			}
		})
	}
}

// A delegated administrator registered for config.amazonaws.com may make
// an organization aggregator only once the registration has reached AWS
// Config; until then it is not one (OrganizationAccessDeniedException).
func TestConfigAggregatorDelegatedAdministratorPropagates(t *testing.T) {
	e := newEnv(t, orgsim.Options{Seed: 1, Org: orgsim.OrgSpec{Members: 2, Clean: true}})
	audit, _ := e.sim.AccountID("Audit")
	admin := e.assume(audit, "OrganizationAccountAccessRole")
	if _, err := e.iam(admin).CreateRole(bg, &iam.CreateRoleInput{RoleName: aws.String("config-role"), AssumeRolePolicyDocument: aws.String(cfgTrustConfig)}); err != nil {
		t.Fatal(err)
	}
	cfgSettle(e)
	orgs := e.orgs(e.cfg)
	if _, err := orgs.EnableAWSServiceAccess(bg, &organizations.EnableAWSServiceAccessInput{ServicePrincipal: aws.String("config.amazonaws.com")}); err != nil {
		t.Fatal(err)
	}
	if _, err := orgs.RegisterDelegatedAdministrator(bg, &organizations.RegisterDelegatedAdministratorInput{AccountId: aws.String(audit), ServicePrincipal: aws.String("config.amazonaws.com")}); err != nil {
		t.Fatal(err)
	}
	agg := &configservice.PutConfigurationAggregatorInput{ConfigurationAggregatorName: aws.String("org"),
		OrganizationAggregationSource: &cfgtypes.OrganizationAggregationSource{RoleArn: aws.String("arn:aws:iam::" + audit + ":role/config-role"), AllAwsRegions: true}}
	_, err := e.cfgsvc(admin).PutConfigurationAggregator(bg, agg)
	ctWant(t, err, "OrganizationAccessDeniedException")
	cfgSettle(e)
	if _, err := e.cfgsvc(admin).PutConfigurationAggregator(bg, agg); err != nil {
		t.Fatal(err)
	}
}

// Config's deliveries as its service principal carry aws:SourceAccount,
// aws:SourceArn (arn:aws:config:REGION:ACCOUNT:*, as the developer guide
// says) and, for an account of the organization, aws:SourceOrgID; never
// the principal's organization (aws:PrincipalOrgID), which the guide says
// does not work for the service principal.
func TestConfigDeliveryRequestContext(t *testing.T) {
	e := newEnv(t, orgsim.Options{Seed: 3, Org: orgsim.OrgSpec{Members: 3, Clean: true}})
	logArchive, _ := e.sim.AccountID("Log Archive")
	audit, _ := e.sim.AccountID("Audit")
	archive := e.assume(logArchive, "OrganizationAccountAccessRole")
	const bucket = "cfg-context"
	ctBucket(t, e, archive, bucket)
	member := e.assume(audit, "OrganizationAccountAccessRole")
	if _, err := e.cfgsvc(member).PutConfigurationRecorder(bg, cfgRecorder("default", cfgSLR(t, e, member))); err != nil {
		t.Fatal(err)
	}
	policy := func(op, key, value string) string {
		cond := `"Condition":{"` + op + `":{"` + key + `":"` + value + `"}}`
		put := `"Condition":{"` + op + `":{"` + key + `":"` + value + `"},"StringEquals":{"s3:x-amz-acl":"bucket-owner-full-control"}}`
		if op == "StringEquals" {
			put = `"Condition":{"StringEquals":{"` + key + `":"` + value + `","s3:x-amz-acl":"bucket-owner-full-control"}}`
		}
		return `{"Version":"2012-10-17","Statement":[
		  {"Sid":"Acl","Effect":"Allow","Principal":{"Service":"config.amazonaws.com"},"Action":"s3:GetBucketAcl","Resource":"arn:aws:s3:::` + bucket + `",` + cond + `},
		  {"Sid":"List","Effect":"Allow","Principal":{"Service":"config.amazonaws.com"},"Action":"s3:ListBucket","Resource":"arn:aws:s3:::` + bucket + `",` + cond + `},
		  {"Sid":"Put","Effect":"Allow","Principal":{"Service":"config.amazonaws.com"},"Action":"s3:PutObject","Resource":"arn:aws:s3:::` + bucket + `/AWSLogs/*/Config/*",` + put + `}]}`
	}
	channel := &configservice.PutDeliveryChannelInput{DeliveryChannel: &cfgtypes.DeliveryChannel{Name: aws.String("default"), S3BucketName: aws.String(bucket)}}
	for _, tc := range []struct {
		policy string
		ok     bool
	}{
		{policy("ArnLike", "aws:SourceArn", "arn:aws:config:eu-west-1:"+audit+":*"), false},
		{policy("StringEquals", "aws:PrincipalOrgID", e.sim.OrganizationID()), false},
		{policy("StringEquals", "aws:SourceAccount", logArchive), false},
		{policy("ArnLike", "aws:SourceArn", "arn:aws:config:us-east-1:"+audit+":*"), true},
		{policy("StringEquals", "aws:SourceAccount", audit), true},
		{policy("StringEquals", "aws:SourceOrgID", e.sim.OrganizationID()), true},
	} {
		ctPutPolicy(t, e, archive, bucket, tc.policy)
		cfgSettle(e)
		_, err := e.cfgsvc(member).PutDeliveryChannel(bg, channel)
		switch {
		case tc.ok && err != nil:
			t.Errorf("refused by %s: %v", tc.policy, err)
		case !tc.ok:
			cfgWantMsg(t, err, "InsufficientDeliveryPolicyException", "unable to write to bucket")
		}
	}
}

// In another partition every ARN Config answers is in it, and a role ARN
// of another partition is not the account's role.
func TestConfigPartition(t *testing.T) {
	e := newEnv(t, orgsim.Options{Seed: 1, Partition: "aws-us-gov", AWSLike: &orgsim.AWSLike{}})
	cfg := e.config(e.sim.ManagementCredentials(), "us-gov-west-1")
	mgmt := e.sim.ManagementAccountID()
	cs := e.cfgsvc(cfg)
	cfgSLR(t, e, cfg)
	slr := "arn:aws-us-gov:iam::" + mgmt + ":role/aws-service-role/config.amazonaws.com/AWSServiceRoleForConfig"
	_, err := cs.PutConfigurationRecorder(bg, cfgRecorder("default", "arn:aws:iam::"+mgmt+":role/aws-service-role/config.amazonaws.com/AWSServiceRoleForConfig"))
	ctWant(t, err, "InvalidRoleException")
	if _, err := cs.PutConfigurationRecorder(bg, cfgRecorder("default", slr)); err != nil {
		t.Fatal(err)
	}
	if _, err := cs.PutConfigRule(bg, cfgManagedRule("root-mfa", "ROOT_ACCOUNT_MFA_ENABLED", "")); err != nil {
		t.Fatal(err)
	}
	recs, err := cs.DescribeConfigurationRecorders(bg, &configservice.DescribeConfigurationRecordersInput{})
	if err != nil || len(recs.ConfigurationRecorders) != 1 || !strings.HasPrefix(aws.ToString(recs.ConfigurationRecorders[0].Arn), "arn:aws-us-gov:config:us-gov-west-1:"+mgmt+":configuration-recorder/default/") {
		t.Fatalf("recorder: %+v %v", recs, err)
	}
	rules, err := cs.DescribeConfigRules(bg, &configservice.DescribeConfigRulesInput{})
	if err != nil || len(rules.ConfigRules) != 1 || !strings.HasPrefix(aws.ToString(rules.ConfigRules[0].ConfigRuleArn), "arn:aws-us-gov:config:us-gov-west-1:"+mgmt+":config-rule/") {
		t.Fatalf("rules: %+v %v", rules, err)
	}
}
