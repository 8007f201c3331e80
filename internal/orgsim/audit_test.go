package orgsim_test

import (
	"errors"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	awshttp "github.com/aws/aws-sdk-go-v2/aws/transport/http"
	"github.com/aws/aws-sdk-go-v2/service/accessanalyzer"
	aatypes "github.com/aws/aws-sdk-go-v2/service/accessanalyzer/types"
	"github.com/aws/aws-sdk-go-v2/service/cloudtrail"
	cttypes "github.com/aws/aws-sdk-go-v2/service/cloudtrail/types"
	"github.com/aws/aws-sdk-go-v2/service/configservice"
	cfgtypes "github.com/aws/aws-sdk-go-v2/service/configservice/types"
	"github.com/aws/aws-sdk-go-v2/service/iam"
	"github.com/aws/aws-sdk-go-v2/service/organizations"
	"github.com/aws/aws-sdk-go-v2/service/sts"
	"github.com/aws/smithy-go"

	"github.com/orgbaseline/orgbaseline/internal/orgsim"
)

// auditWant fails unless err is the AWS error code with HTTP status.
func auditWant(t *testing.T, err error, code string, status int) {
	t.Helper()
	var ae smithy.APIError
	var re *awshttp.ResponseError
	if !errors.As(err, &ae) || !errors.As(err, &re) {
		t.Fatalf("want %s (%d), got %v", code, status, err)
	}
	if ae.ErrorCode() != code || re.HTTPStatusCode() != status {
		t.Fatalf("got %s (%d), want %s (%d): %v", ae.ErrorCode(), re.HTTPStatusCode(), code, status, err)
	}
}

// TestAuditCloudTrailReads: GetInsightSelectors answers a trail without
// Insights as CloudTrail does, and LookupEvents validates its input and
// answers no events (orgsim keeps no event history).
func TestAuditCloudTrailReads(t *testing.T) {
	e := newEnv(t, orgsim.Options{Seed: 1, Org: orgsim.OrgSpec{Members: 2}})
	// Member 2 has a seeded single-region trail, account-trail, in us-east-1.
	ct := e.trail(e.assume(e.sim.Accounts()[2].ID, orgsim.DefaultExecutionRole))

	_, err := ct.GetInsightSelectors(bg, &cloudtrail.GetInsightSelectorsInput{TrailName: aws.String("account-trail")})
	auditWant(t, err, "InsightNotEnabledException", 400)
	_, err = ct.GetInsightSelectors(bg, &cloudtrail.GetInsightSelectorsInput{TrailName: aws.String("no-such-trail")})
	auditWant(t, err, "TrailNotFoundException", 400)
	_, err = ct.GetInsightSelectors(bg, &cloudtrail.GetInsightSelectorsInput{})
	auditWant(t, err, "InvalidTrailNameException", 400)

	now := time.Now()
	out, err := ct.LookupEvents(bg, &cloudtrail.LookupEventsInput{
		LookupAttributes: []cttypes.LookupAttribute{{AttributeKey: cttypes.LookupAttributeKeyEventName, AttributeValue: aws.String("ConsoleLogin")}},
		StartTime:        aws.Time(now.Add(-24 * time.Hour)), EndTime: aws.Time(now), MaxResults: aws.Int32(50),
	})
	iamTNoErr(t, err, "LookupEvents")
	if len(out.Events) != 0 || out.NextToken != nil {
		t.Errorf("LookupEvents: %d events, next %v", len(out.Events), out.NextToken)
	}
	for _, bad := range []struct {
		in   *cloudtrail.LookupEventsInput
		code string
	}{
		{&cloudtrail.LookupEventsInput{LookupAttributes: []cttypes.LookupAttribute{
			{AttributeKey: cttypes.LookupAttributeKeyEventName, AttributeValue: aws.String("a")},
			{AttributeKey: cttypes.LookupAttributeKeyUsername, AttributeValue: aws.String("b")}}}, "InvalidLookupAttributesException"},
		{&cloudtrail.LookupEventsInput{LookupAttributes: []cttypes.LookupAttribute{{AttributeKey: "Colour", AttributeValue: aws.String("a")}}}, "InvalidLookupAttributesException"},
		{&cloudtrail.LookupEventsInput{StartTime: aws.Time(now), EndTime: aws.Time(now.Add(-time.Hour))}, "InvalidTimeRangeException"},
		{&cloudtrail.LookupEventsInput{MaxResults: aws.Int32(51)}, "InvalidMaxResultsException"},
		{&cloudtrail.LookupEventsInput{EventCategory: "management"}, "InvalidEventCategoryException"},
		{&cloudtrail.LookupEventsInput{NextToken: aws.String("forged")}, "InvalidNextTokenException"},
	} {
		_, err := ct.LookupEvents(bg, bad.in)
		auditWant(t, err, bad.code, 400)
	}
}

// TestAuditConfigCompliance: DescribeComplianceByConfigRule answers every
// rule orgsim holds as INSUFFICIENT_DATA (orgsim evaluates no rule), filters
// by compliance type, and refuses an unknown rule.
func TestAuditConfigCompliance(t *testing.T) {
	e := newEnv(t, orgsim.Options{Seed: 1, AWSLike: &orgsim.AWSLike{}}) // the rules' setup is not under test
	cs := e.cfgsvc(e.cfg)
	_, err := cs.PutConfigurationRecorder(bg, cfgRecorder("default", cfgSLR(t, e, e.cfg)))
	iamTNoErr(t, err, "PutConfigurationRecorder")
	for _, r := range []string{"root-mfa", "iam-password-policy"} {
		id := map[string]string{"root-mfa": "ROOT_ACCOUNT_MFA_ENABLED", "iam-password-policy": "IAM_PASSWORD_POLICY"}[r]
		_, err := cs.PutConfigRule(bg, cfgManagedRule(r, id, ""))
		iamTNoErr(t, err, "PutConfigRule "+r)
	}
	out, err := cs.DescribeComplianceByConfigRule(bg, &configservice.DescribeComplianceByConfigRuleInput{})
	iamTNoErr(t, err, "DescribeComplianceByConfigRule")
	if len(out.ComplianceByConfigRules) != 2 {
		t.Fatalf("compliance of %d rules, want 2", len(out.ComplianceByConfigRules))
	}
	for _, x := range out.ComplianceByConfigRules {
		if x.Compliance == nil || x.Compliance.ComplianceType != cfgtypes.ComplianceTypeInsufficientData {
			t.Errorf("%s: %+v", aws.ToString(x.ConfigRuleName), x.Compliance)
		}
	}
	nc, err := cs.DescribeComplianceByConfigRule(bg, &configservice.DescribeComplianceByConfigRuleInput{ComplianceTypes: []cfgtypes.ComplianceType{cfgtypes.ComplianceTypeNonCompliant}})
	iamTNoErr(t, err, "DescribeComplianceByConfigRule NON_COMPLIANT")
	if len(nc.ComplianceByConfigRules) != 0 || nc.ComplianceByConfigRules == nil {
		t.Errorf("NON_COMPLIANT rules: %+v", nc.ComplianceByConfigRules)
	}
	_, err = cs.DescribeComplianceByConfigRule(bg, &configservice.DescribeComplianceByConfigRuleInput{ConfigRuleNames: []string{"nope"}})
	auditWant(t, err, "NoSuchConfigRuleException", 400)
	_, err = cs.DescribeComplianceByConfigRule(bg, &configservice.DescribeComplianceByConfigRuleInput{ComplianceTypes: []cfgtypes.ComplianceType{cfgtypes.ComplianceTypeNotApplicable}})
	auditWant(t, err, "InvalidParameterValueException", 400)
}

// TestAuditAnalyzerFindings: an analyzer's findings list is empty (orgsim
// analyzes nothing), GetFinding finds none, an unknown analyzer ARN is
// ResourceNotFoundException, and GetArchiveRule reads a rule back.
func TestAuditAnalyzerFindings(t *testing.T) {
	like := orgsim.DefaultAWSLike()
	like.AnalyzerCreateDelay = 0 // the analyzer's creation is not under test
	e := newEnv(t, orgsim.Options{Seed: 1, AWSLike: &like})
	aa := e.analyzer(e.cfg)
	cr, err := aa.CreateAnalyzer(bg, &accessanalyzer.CreateAnalyzerInput{AnalyzerName: aws.String("audit"), Type: aatypes.TypeAccount,
		ArchiveRules: []aatypes.InlineArchiveRule{{RuleName: aws.String("internal"), Filter: map[string]aatypes.Criterion{"isPublic": {Eq: []string{"false"}}}}}})
	iamTNoErr(t, err, "CreateAnalyzer")
	arn := cr.Arn

	lf, err := aa.ListFindings(bg, &accessanalyzer.ListFindingsInput{AnalyzerArn: arn, MaxResults: aws.Int32(10)})
	iamTNoErr(t, err, "ListFindings")
	lf2, err := aa.ListFindingsV2(bg, &accessanalyzer.ListFindingsV2Input{AnalyzerArn: arn})
	iamTNoErr(t, err, "ListFindingsV2")
	if len(lf.Findings) != 0 || len(lf2.Findings) != 0 || lf.NextToken != nil {
		t.Errorf("findings: %d, %d", len(lf.Findings), len(lf2.Findings))
	}
	_, err = aa.GetFinding(bg, &accessanalyzer.GetFindingInput{AnalyzerArn: arn, Id: aws.String("f-1")})
	auditWant(t, err, "ResourceNotFoundException", 404)
	_, err = aa.GetFindingV2(bg, &accessanalyzer.GetFindingV2Input{AnalyzerArn: arn, Id: aws.String("f-1")})
	auditWant(t, err, "ResourceNotFoundException", 404)
	other := "arn:aws:access-analyzer:us-east-1:" + e.sim.ManagementAccountID() + ":analyzer/other"
	_, err = aa.ListFindings(bg, &accessanalyzer.ListFindingsInput{AnalyzerArn: aws.String(other)})
	auditWant(t, err, "ResourceNotFoundException", 404)
	_, err = aa.ListFindings(bg, &accessanalyzer.ListFindingsInput{AnalyzerArn: arn, NextToken: aws.String("forged")})
	auditWant(t, err, "ValidationException", 400)

	rule, err := aa.GetArchiveRule(bg, &accessanalyzer.GetArchiveRuleInput{AnalyzerName: aws.String("audit"), RuleName: aws.String("internal")})
	iamTNoErr(t, err, "GetArchiveRule")
	if aws.ToString(rule.ArchiveRule.RuleName) != "internal" || len(rule.ArchiveRule.Filter["isPublic"].Eq) != 1 {
		t.Errorf("archive rule %+v", rule.ArchiveRule)
	}
	_, err = aa.GetArchiveRule(bg, &accessanalyzer.GetArchiveRuleInput{AnalyzerName: aws.String("audit"), RuleName: aws.String("missing")})
	auditWant(t, err, "ResourceNotFoundException", 404)
}

// TestAuditUnknownOperations: an operation orgsim does not serve answers,
// through the real SDK, as AWS answers an operation it does not know, in
// each protocol: awsQuery InvalidAction naming the API version, awsJson
// UnknownOperationException (400), restJson1 UnknownOperationException
// (404).
func TestAuditUnknownOperations(t *testing.T) {
	e := newEnv(t, orgsim.Options{Seed: 1})
	_, err := e.iam(e.cfg).GenerateServiceLastAccessedDetails(bg, &iam.GenerateServiceLastAccessedDetailsInput{Arn: aws.String("arn:aws:iam::" + e.sim.ManagementAccountID() + ":user/orgsim-admin")})
	auditWant(t, err, "InvalidAction", 400)
	var ae smithy.APIError
	if errors.As(err, &ae) && ae.ErrorMessage() != "Could not find operation GenerateServiceLastAccessedDetails for version 2010-05-08" {
		t.Errorf("IAM message %q", ae.ErrorMessage())
	}
	_, err = e.sts(e.cfg).GetSessionToken(bg, &sts.GetSessionTokenInput{})
	auditWant(t, err, "InvalidAction", 400)
	if errors.As(err, &ae) && ae.ErrorMessage() != "Could not find operation GetSessionToken for version 2011-06-15" {
		t.Errorf("STS message %q", ae.ErrorMessage())
	}
	_, err = e.orgs(e.cfg).ListHandshakesForOrganization(bg, &organizations.ListHandshakesForOrganizationInput{})
	auditWant(t, err, "UnknownOperationException", 400)
	_, err = e.trail(e.cfg).ListEventDataStores(bg, &cloudtrail.ListEventDataStoresInput{})
	auditWant(t, err, "UnknownOperationException", 400)
	_, err = e.cfgsvc(e.cfg).DescribeConformancePacks(bg, &configservice.DescribeConformancePacksInput{})
	auditWant(t, err, "UnknownOperationException", 400)
	_, err = e.analyzer(e.cfg).ListPolicyGenerations(bg, &accessanalyzer.ListPolicyGenerationsInput{})
	auditWant(t, err, "UnknownOperationException", 404)
}
