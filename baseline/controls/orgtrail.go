package controls

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"slices"
	"strings"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/cloudtrail"
	cttypes "github.com/aws/aws-sdk-go-v2/service/cloudtrail/types"
	"github.com/aws/aws-sdk-go-v2/service/iam"
	"github.com/aws/aws-sdk-go-v2/service/organizations"
	"github.com/aws/smithy-go"

	"github.com/orgbaseline/orgbaseline/baseline"
	"github.com/orgbaseline/orgbaseline/internal/awsapi"
)

// CloudTrailAPI is the part of the CloudTrail client the organization
// trail control uses.
type CloudTrailAPI interface {
	GetTrail(context.Context, *cloudtrail.GetTrailInput, ...func(*cloudtrail.Options)) (*cloudtrail.GetTrailOutput, error)
	GetTrailStatus(context.Context, *cloudtrail.GetTrailStatusInput, ...func(*cloudtrail.Options)) (*cloudtrail.GetTrailStatusOutput, error)
	GetEventSelectors(context.Context, *cloudtrail.GetEventSelectorsInput, ...func(*cloudtrail.Options)) (*cloudtrail.GetEventSelectorsOutput, error)
	CreateTrail(context.Context, *cloudtrail.CreateTrailInput, ...func(*cloudtrail.Options)) (*cloudtrail.CreateTrailOutput, error)
	UpdateTrail(context.Context, *cloudtrail.UpdateTrailInput, ...func(*cloudtrail.Options)) (*cloudtrail.UpdateTrailOutput, error)
	PutEventSelectors(context.Context, *cloudtrail.PutEventSelectorsInput, ...func(*cloudtrail.Options)) (*cloudtrail.PutEventSelectorsOutput, error)
	StartLogging(context.Context, *cloudtrail.StartLoggingInput, ...func(*cloudtrail.Options)) (*cloudtrail.StartLoggingOutput, error)
	RegisterOrganizationDelegatedAdmin(context.Context, *cloudtrail.RegisterOrganizationDelegatedAdminInput, ...func(*cloudtrail.Options)) (*cloudtrail.RegisterOrganizationDelegatedAdminOutput, error)
}

var _ CloudTrailAPI = (*cloudtrail.Client)(nil)

// TrailIAMAPI is the part of the IAM client the organization trail
// control uses in the management account: CloudTrail's service-linked
// role.
type TrailIAMAPI interface {
	GetRole(context.Context, *iam.GetRoleInput, ...func(*iam.Options)) (*iam.GetRoleOutput, error)
	CreateServiceLinkedRole(context.Context, *iam.CreateServiceLinkedRoleInput, ...func(*iam.Options)) (*iam.CreateServiceLinkedRoleOutput, error)
}

var _ TrailIAMAPI = (*iam.Client)(nil)

// cloudTrailSLR is CloudTrail's service-linked role, which an
// organization trail needs in the management account.
const cloudTrailSLR = "AWSServiceRoleForCloudTrail"

// cloudTrailPrincipal is CloudTrail's service principal: the one trusted
// access is enabled for, delegated administrators are registered for, and
// the bucket policy names.
const cloudTrailPrincipal = "cloudtrail.amazonaws.com"

// The Sids of the bucket policy statements CloudTrail needs for an
// organization trail, as the CloudTrail User Guide writes them.
const (
	sidTrailACLCheck = "AWSCloudTrailAclCheck20150319"
	sidTrailWrite    = "AWSCloudTrailWrite20150319"
	sidTrailOrgWrite = "AWSCloudTrailOrganizationWrite20150319"
)

// OrganizationTrail keeps one CloudTrail organization trail and its log
// bucket (CIS AWS Foundations 3.0 items 3.1 and 3.2).
//
// It runs at organization scope. In the management account it enables
// trusted access for CloudTrail and, when a delegated administrator is
// declared, registers it with CloudTrail's own
// RegisterOrganizationDelegatedAdmin, which also creates CloudTrail's
// service-linked role there (a registration through AWS Organizations
// does not, and an organization trail from the delegated administrator
// then fails with NoManagementAccountSLRExistsException: CloudTrail user
// guide, "Organization delegated administrator"); in the log-archive account it
// keeps the bucket (policy statements merged, public access blocked,
// versioning, default encryption); in the management account, or the
// delegated administrator, it keeps the trail (organization, multi-region,
// global service events, log file validation, optional KMS key and
// CloudWatch Logs, all management events, logging). The trail is always
// addressed by its ARN, which names the management account even when a
// delegated administrator manages it.
type OrganizationTrail struct {
	s baseline.OrganizationTrailSettings

	newCloudTrail    func(aws.Config) CloudTrailAPI
	newS3            func(aws.Config) S3BucketAPI
	newOrganizations func(aws.Config) TrustedAccessAPI
	newIAM           func(aws.Config) TrailIAMAPI

	// made is what this run made that CloudTrail sees only once it has
	// propagated (a control lives for one run).
	made madeThisRun
}

// What the trail control records in c.made (madeThisRun), for CloudTrail
// to see only once it has propagated.
const (
	trailMadeBucketPolicy = "trail-bucket-policy"    // detail: the bucket
	trailMadeAdmin        = "trail-delegated-admin/" // + the account registered
	trailMadeSLR          = "trail-slr"
)

// notYet reports whether err is CloudTrail's answer while something this
// run made has not reached it yet, for a call made from account:
// InsufficientS3BucketPolicyException for a fresh bucket policy
// (hashicorp/terraform-provider-aws issue 33569),
// NotOrganizationMasterAccountException for a fresh delegated
// administrator registration (the "not a delegated administrator" of
// awslabs/landing-zone-accelerator-on-aws issue 922),
// NoManagementAccountSLRExistsException for a fresh service-linked role.
func (c *OrganizationTrail) notYet(err error, account string) bool {
	switch apiCode(err) {
	case "InsufficientS3BucketPolicyException":
		return c.made.has(trailMadeBucketPolicy)
	case "NotOrganizationMasterAccountException":
		return c.made.has(trailMadeAdmin + account)
	case "NoManagementAccountSLRExistsException":
		return c.made.has(trailMadeSLR)
	}
	return false
}

// waitingFor says, after "waiting for", what a call from account waits
// for; "" when this run made nothing it could wait for.
func (c *OrganizationTrail) waitingFor(account string) string {
	var parts []string
	if bucket, ok := c.made.get(trailMadeBucketPolicy); ok {
		parts = append(parts, "the policy just written to bucket "+bucket)
	}
	if c.made.has(trailMadeAdmin + account) {
		parts = append(parts, "the registration of account "+account+" as CloudTrail's delegated administrator")
	}
	if c.made.has(trailMadeSLR) {
		parts = append(parts, "CloudTrail's new service-linked role "+cloudTrailSLR+" in the management account")
	}
	if len(parts) == 0 {
		return ""
	}
	return strings.Join(parts, " and ") + " to reach CloudTrail"
}

// NewOrganizationTrail returns the control for the declared settings.
func NewOrganizationTrail(s baseline.OrganizationTrailSettings) *OrganizationTrail {
	return &OrganizationTrail{
		s:                s,
		newCloudTrail:    func(cfg aws.Config) CloudTrailAPI { return cloudtrail.NewFromConfig(cfg) },
		newS3:            func(cfg aws.Config) S3BucketAPI { return awsapi.S3(cfg) },
		newOrganizations: func(cfg aws.Config) TrustedAccessAPI { return organizations.NewFromConfig(cfg) },
		newIAM:           func(cfg aws.Config) TrailIAMAPI { return iam.NewFromConfig(cfg) },
	}
}

// newOrganizationTrail returns the control for controls.organizationTrail,
// or none when it is not enabled. What can be checked before any AWS call
// is checked here: the account aliases it names are declared, and the KMS
// key and the CloudWatch Logs group are in the home region.
func newOrganizationTrail(b *baseline.Baseline) ([]Control, error) {
	c := b.Controls.OrganizationTrail
	if !c.IsEnabled() {
		return nil, nil
	}
	s := c.Resolved()
	const p = "controls.organizationTrail"
	home := b.Organization.HomeRegion
	var errs []error
	if _, ok := b.Organization.Accounts[s.BucketAccount]; !ok {
		errs = append(errs, fmt.Errorf("%s keeps its log bucket in the %q account, which organization.accounts does not declare: add %s: \"Log Archive\" (the account's name or 12-digit id) under organization.accounts, or set %s.bucket.account to a declared alias",
			p, s.BucketAccount, s.BucketAccount, p))
	}
	if da := s.DelegatedAdministrator; da != "" {
		if _, ok := b.Organization.Accounts[da]; !ok {
			errs = append(errs, fmt.Errorf("%s.delegatedAdministrator is %q, which organization.accounts does not declare: add %s: <account name or id> under organization.accounts, or remove delegatedAdministrator",
				p, da, da))
		}
	}
	if m := baseline.KMSKeyARNRe.FindStringSubmatch(s.KMSKeyID); m != nil && m[1] != home {
		errs = append(errs, fmt.Errorf("%s.bucket.kmsKeyId %s is a key of %s, but the trail and its bucket are in the home region %s; CloudTrail and S3 need a key of that region",
			p, s.KMSKeyID, m[1], home))
	}
	if m := baseline.LogGroupARNRe.FindStringSubmatch(s.LogGroupArn); m != nil && m[1] != home {
		errs = append(errs, fmt.Errorf("%s.cloudWatchLogs.logGroupArn is in %s, but the trail is in the home region %s; CloudTrail delivers only to a log group of its home region",
			p, m[1], home))
	}
	if len(errs) > 0 {
		return nil, errors.Join(errs...)
	}
	return []Control{NewOrganizationTrail(s)}, nil
}

func (*OrganizationTrail) Name() string { return "organizationTrail" }
func (*OrganizationTrail) Scope() Scope { return ScopeOrganization }

// Actions are the actions of Calls.
func (c *OrganizationTrail) Actions() []string { return actionsOf(c) }

// Calls are the calls made in member accounts as the execution role: the
// bucket's, in the log-archive account (bucketCalls); and, when a
// delegated administrator manages the trail, the trail's there, in the
// home region, with what CloudTrail checks the caller of an organization
// trail may do (AWS CloudTrail User Guide, "Prepare for creating a trail
// for your organization": iam:GetRole, iam:CreateServiceLinkedRole,
// organizations:DescribeOrganization, ListAWSServiceAccessForOrganization,
// ListAccounts), and iam:PassRole for the CloudWatch Logs role CloudTrail
// is handed (IAM user guide, "Grant a user permissions to pass a role to
// an AWS service").
//
// The trail is addressed by its ARN, which names the management account
// (Observe, applyTrail), except CreateTrail, which names it by name:
// AWS then authorizes the ARN a trail of that name has in the caller's
// account and region (the Service Authorization Reference's
// arn:${Partition}:cloudtrail:${Region}:${Account}:trail/${TrailName}).
// The checks CloudTrail makes for the caller are on the caller's account:
// its own copy of CloudTrail's service-linked role, and Organizations'
// reads, which have no resource-level permissions.
//
// In the management account (the run's own credentials, not the
// execution role) the control also calls
// cloudtrail:RegisterOrganizationDelegatedAdmin, with the
// organizations:RegisterDelegatedAdministrator and
// iam:CreateServiceLinkedRole CloudTrail uses on the caller's behalf, and
// iam:GetRole / iam:CreateServiceLinkedRole for CloudTrail's
// service-linked role (CloudTrail user guide, "Required permissions to
// assign a delegated administrator"); SCPs never restrict those.
func (c *OrganizationTrail) Calls(o *Org) []Call {
	home := o.HomeRegion
	la := o.callsIn(c.Name(), c.s.BucketAccount)
	bucket := c.modelBucket(la.account, home)
	out := bucketCalls(la, o, bucket, home)
	if c.s.DelegatedAdministrator == "" {
		return out
	}
	da := o.callsIn(c.Name(), c.s.DelegatedAdministrator)
	trail := trailARN(o, home, o.managementID(), c.s.Name)
	for _, a := range []string{
		"cloudtrail:GetTrail", "cloudtrail:GetTrailStatus", "cloudtrail:GetEventSelectors",
		"cloudtrail:UpdateTrail", "cloudtrail:PutEventSelectors", "cloudtrail:StartLogging",
	} {
		out = append(out, da.call(a, trail, InHomeRegion))
	}
	slr := o.ARN("iam", "", "{account}", "role/aws-service-role/"+cloudTrailPrincipal+"/"+cloudTrailSLR)
	out = append(out,
		da.call("cloudtrail:CreateTrail", trailARN(o, "{region}", "{account}", c.s.Name), InHomeRegion),
		da.call("iam:GetRole", slr, InHomeRegion),
		da.call("iam:CreateServiceLinkedRole", slr, InHomeRegion, "iam:awsservicename", cloudTrailPrincipal),
		da.call("organizations:DescribeOrganization", "*", InHomeRegion),
		da.call("organizations:ListAWSServiceAccessForOrganization", "*", InHomeRegion),
		da.call("organizations:ListAccounts", "*", InHomeRegion),
	)
	if c.s.RoleArn != "" {
		out = append(out, da.call("iam:PassRole", c.s.RoleArn, InHomeRegion, "iam:passedtoservice", cloudTrailPrincipal))
	}
	return out
}

// trailSettings are the trail's settings the control manages, keyed as
// in plans.
type trailSettings struct {
	Name                       string `json:"name"`
	ARN                        string `json:"arn"`
	S3BucketName               string `json:"s3BucketName"`
	S3KeyPrefix                string `json:"s3KeyPrefix"`
	IsOrganizationTrail        bool   `json:"isOrganizationTrail"`
	IsMultiRegionTrail         bool   `json:"isMultiRegionTrail"`
	IncludeGlobalServiceEvents bool   `json:"includeGlobalServiceEvents"`
	LogFileValidationEnabled   bool   `json:"logFileValidationEnabled"`
	KmsKeyId                   string `json:"kmsKeyId"`
	CloudWatchLogsLogGroupArn  string `json:"cloudWatchLogsLogGroupArn"`
	CloudWatchLogsRoleArn      string `json:"cloudWatchLogsRoleArn"`
}

// eventSelectors are a trail's event selectors, basic or advanced.
type eventSelectors struct {
	Basic    []basicSelector    `json:"eventSelectors,omitempty"`
	Advanced []advancedSelector `json:"advancedEventSelectors,omitempty"`
}

type basicSelector struct {
	ReadWriteType                 string         `json:"readWriteType"`
	IncludeManagementEvents       bool           `json:"includeManagementEvents"`
	DataResources                 []dataResource `json:"dataResources,omitempty"`
	ExcludeManagementEventSources []string       `json:"excludeManagementEventSources,omitempty"`
}

type dataResource struct {
	Type   string   `json:"type"`
	Values []string `json:"values"`
}

type advancedSelector struct {
	Name           string          `json:"name,omitempty"`
	FieldSelectors []fieldSelector `json:"fieldSelectors"`
}

type fieldSelector struct {
	Field         string   `json:"field"`
	Equals        []string `json:"equals,omitempty"`
	StartsWith    []string `json:"startsWith,omitempty"`
	EndsWith      []string `json:"endsWith,omitempty"`
	NotEquals     []string `json:"notEquals,omitempty"`
	NotStartsWith []string `json:"notStartsWith,omitempty"`
	NotEndsWith   []string `json:"notEndsWith,omitempty"`
}

type loggingState struct {
	ARN       string `json:"arn"`
	IsLogging bool   `json:"isLogging"`
}

// selectorsSetting is an event selectors change's Before and After.
type selectorsSetting struct {
	ARN string `json:"arn"`
	eventSelectors
}

// trailObservation is what Observe read, with the accounts and names it
// resolved, so that Diff and Findings work from one consistent picture.
type trailObservation struct {
	ManagementID  string
	OrgID         string
	TrailARN      string // in the run's partition
	BucketARN     string
	HomeRegion    string
	LogArchiveID  string
	LogArchive    string // name, for findings
	TrailAccount  string // the management account or the delegated administrator
	DelegatedID   string // "" when none is declared
	TrustedAccess bool
	// DelegatedRegistered: DelegatedID is registered for CloudTrail.
	DelegatedRegistered bool
	// ServiceLinkedRole: the management account has CloudTrail's
	// service-linked role (read only when a delegated administrator is
	// declared: the management account's own CreateTrail makes it).
	ServiceLinkedRole bool
	Bucket            LogBucket
	BucketState       *BucketState
	Trail             *trailSettings // nil: no such trail
	Logging           bool
	Selectors         eventSelectors
}

// trailARN is the organization trail's ARN, in the run's partition:
// always the management account's, whoever manages it.
func trailARN(org *Org, region, management, name string) string {
	return org.ARN("cloudtrail", region, management, "trail/"+name)
}

// bucketStatements are the bucket policy statements CloudTrail needs to
// deliver an organization trail's logs (CloudTrail User Guide, "Amazon S3
// bucket policy for CloudTrail", organization trail), each limited to this
// trail by aws:SourceArn. bucketARN is the bucket's ARN in the run's
// partition.
func bucketStatements(bucketARN, prefix, management, orgID, trail string) []PolicyStatement {
	arn := bucketARN
	logs := arn + "/"
	if prefix != "" {
		logs += prefix + "/"
	}
	logs += "AWSLogs/"
	principal := map[string]any{"Service": cloudTrailPrincipal}
	write := func(sid, resource string) PolicyStatement {
		return PolicyStatement{
			"Sid": sid, "Effect": "Allow", "Principal": principal, "Action": "s3:PutObject", "Resource": resource,
			"Condition": map[string]any{"StringEquals": map[string]any{
				"s3:x-amz-acl": "bucket-owner-full-control", "aws:SourceArn": trail,
			}},
		}
	}
	return []PolicyStatement{
		{
			"Sid": sidTrailACLCheck, "Effect": "Allow", "Principal": principal, "Action": "s3:GetBucketAcl", "Resource": arn,
			"Condition": map[string]any{"StringEquals": map[string]any{"aws:SourceArn": trail}},
		},
		write(sidTrailWrite, logs+management+"/*"),
		write(sidTrailOrgWrite, logs+orgID+"/*"),
	}
}

// Observe reads trusted access (and the delegated administrators) in the
// management account, the bucket in the log-archive account, and the
// trail, its status and event selectors in the account that manages it.
func (c *OrganizationTrail) Observe(ctx context.Context, t Target) (any, error) {
	org := t.Org
	if org == nil || org.Org == nil || org.Sessions == nil {
		return nil, errors.New("organizationTrail runs at organization scope and needs the organization")
	}
	home := org.HomeRegion
	if home == "" {
		home = t.Region
	}
	la, err := org.Alias(c.s.BucketAccount, "controls.organizationTrail.bucket.account")
	if err != nil {
		return nil, err
	}
	obs := &trailObservation{
		ManagementID: org.ManagementAccountID, OrgID: org.ID, HomeRegion: home,
		LogArchiveID: la.ID, LogArchive: la.Name, TrailAccount: org.ManagementAccountID,
	}
	if c.s.DelegatedAdministrator != "" {
		da, err := org.Alias(c.s.DelegatedAdministrator, "controls.organizationTrail.delegatedAdministrator")
		if err != nil {
			return nil, err
		}
		obs.DelegatedID, obs.TrailAccount = da.ID, da.ID
	}
	bucketName := c.modelBucket(la.ID, home)
	arn := trailARN(org, home, obs.ManagementID, c.s.Name)
	obs.TrailARN, obs.BucketARN = arn, org.ARN("s3", "", "", bucketName)
	obs.Bucket = LogBucket{
		Control: c.Name(), Name: bucketName, Account: la.ID, Region: home, KMSKeyARN: c.s.KMSKeyID,
		Statements: bucketStatements(obs.BucketARN, c.s.KeyPrefix, obs.ManagementID, obs.OrgID, arn),
	}

	admins := listAdminsNever
	if obs.DelegatedID != "" {
		admins = listAdminsAlways
	}
	access, err := observeOrgAccess(ctx, c.newOrganizations(t.Config), cloudTrailPrincipal, admins,
		"list trusted service access in the management account",
		"list the delegated administrators for "+cloudTrailPrincipal)
	if err != nil {
		return nil, err
	}
	obs.TrustedAccess = access.TrustedAccess
	obs.DelegatedRegistered = obs.DelegatedID != "" && access.registered(obs.DelegatedID)
	if obs.DelegatedID != "" {
		_, err := c.newIAM(t.Config).GetRole(ctx, &iam.GetRoleInput{RoleName: aws.String(cloudTrailSLR)})
		switch {
		case err == nil:
			obs.ServiceLinkedRole = true
		case apiCode(err) != "NoSuchEntity":
			return nil, fmt.Errorf("read CloudTrail's service-linked role %s in the management account %s: %w", cloudTrailSLR, obs.ManagementID, err)
		}
	}

	s3cfg, err := org.Sessions.Config(ctx, la.ID, home)
	if err != nil {
		return nil, err
	}
	if obs.BucketState, err = ObserveBucket(ctx, c.newS3(s3cfg), bucketName, home); err != nil {
		return nil, fmt.Errorf("in the log-archive account %s: %w", la.ID, err)
	}

	ctcfg, err := org.Sessions.Config(ctx, obs.TrailAccount, home)
	if err != nil {
		return nil, err
	}
	ct := c.newCloudTrail(ctcfg)
	where := fmt.Sprintf("trail %s from account %s (%s)", arn, obs.TrailAccount, home)
	got, err := ct.GetTrail(ctx, &cloudtrail.GetTrailInput{Name: aws.String(arn)})
	var nf *cttypes.TrailNotFoundException
	switch {
	case errors.As(err, &nf):
		return obs, nil
	case err != nil:
		return nil, fmt.Errorf("get %s: %w", where, endpointHint(err))
	}
	tr := got.Trail
	if tr == nil {
		return nil, fmt.Errorf("get %s: the answer has no trail%s", where, cloudTrailHint)
	}
	obs.Trail = &trailSettings{
		Name: aws.ToString(tr.Name), ARN: aws.ToString(tr.TrailARN),
		S3BucketName: aws.ToString(tr.S3BucketName), S3KeyPrefix: aws.ToString(tr.S3KeyPrefix),
		IsOrganizationTrail: aws.ToBool(tr.IsOrganizationTrail), IsMultiRegionTrail: aws.ToBool(tr.IsMultiRegionTrail),
		IncludeGlobalServiceEvents: aws.ToBool(tr.IncludeGlobalServiceEvents), LogFileValidationEnabled: aws.ToBool(tr.LogFileValidationEnabled),
		KmsKeyId: aws.ToString(tr.KmsKeyId), CloudWatchLogsLogGroupArn: aws.ToString(tr.CloudWatchLogsLogGroupArn),
		CloudWatchLogsRoleArn: aws.ToString(tr.CloudWatchLogsRoleArn),
	}
	if obs.Trail.ARN == "" {
		obs.Trail.ARN = arn
	}
	status, err := ct.GetTrailStatus(ctx, &cloudtrail.GetTrailStatusInput{Name: aws.String(arn)})
	if err != nil {
		return nil, fmt.Errorf("get the status of %s: %w", where, err)
	}
	obs.Logging = aws.ToBool(status.IsLogging)
	sel, err := ct.GetEventSelectors(ctx, &cloudtrail.GetEventSelectorsInput{TrailName: aws.String(arn)})
	if err != nil {
		return nil, fmt.Errorf("get the event selectors of %s: %w", where, err)
	}
	obs.Selectors = fromSDKSelectors(sel.EventSelectors, sel.AdvancedEventSelectors)
	return obs, nil
}

const cloudTrailHint = " (the endpoint does not seem to offer CloudTrail: check the endpoint settings, e.g. AWS_ENDPOINT_URL_CLOUDTRAIL)"

// endpointHint adds a hint to a CloudTrail error that looks like the
// endpoint does not offer CloudTrail at all: a 404 (CloudTrail's own
// errors are 400s), or an answer that is not CloudTrail's protocol, such
// as an HTML error page.
func endpointHint(err error) error {
	var de *smithy.DeserializationError
	if status, _ := httpStatus(err); errors.As(err, &de) || status == http.StatusNotFound {
		return fmt.Errorf("%w%s", err, cloudTrailHint)
	}
	return err
}

func fromSDKSelectors(basic []cttypes.EventSelector, adv []cttypes.AdvancedEventSelector) eventSelectors {
	var out eventSelectors
	for _, s := range basic {
		b := basicSelector{
			ReadWriteType:           string(s.ReadWriteType),
			IncludeManagementEvents: s.IncludeManagementEvents == nil || *s.IncludeManagementEvents,
		}
		if b.ReadWriteType == "" {
			b.ReadWriteType = string(cttypes.ReadWriteTypeAll)
		}
		for _, d := range s.DataResources {
			b.DataResources = append(b.DataResources, dataResource{Type: aws.ToString(d.Type), Values: d.Values})
		}
		if len(s.ExcludeManagementEventSources) > 0 {
			b.ExcludeManagementEventSources = s.ExcludeManagementEventSources
		}
		out.Basic = append(out.Basic, b)
	}
	for _, s := range adv {
		a := advancedSelector{Name: aws.ToString(s.Name)}
		for _, f := range s.FieldSelectors {
			a.FieldSelectors = append(a.FieldSelectors, fieldSelector{
				Field: aws.ToString(f.Field), Equals: f.Equals, StartsWith: f.StartsWith, EndsWith: f.EndsWith,
				NotEquals: f.NotEquals, NotStartsWith: f.NotStartsWith, NotEndsWith: f.NotEndsWith,
			})
		}
		out.Advanced = append(out.Advanced, a)
	}
	return out
}

// isManagementAll reports whether a selector logs every management event,
// read and write (what CIS 3.1 asks: IncludeManagementEvents with
// ReadWriteType All, or an advanced selector on eventCategory Management
// with no readOnly filter).
func (b basicSelector) isManagementAll() bool {
	return b.IncludeManagementEvents && b.ReadWriteType == string(cttypes.ReadWriteTypeAll)
}

func (a advancedSelector) isManagement() bool {
	for _, f := range a.FieldSelectors {
		if f.Field == "eventCategory" && slices.Contains(f.Equals, "Management") {
			return true
		}
	}
	return false
}

func (a advancedSelector) isManagementAll() bool {
	if !a.isManagement() {
		return false
	}
	for _, f := range a.FieldSelectors {
		if f.Field == "readOnly" {
			return false
		}
	}
	return true
}

// managementAll reports whether the selectors log every management event.
// No selectors at all is CloudTrail's default: all management events.
func (e eventSelectors) managementAll() bool {
	if len(e.Basic) == 0 && len(e.Advanced) == 0 {
		return true
	}
	for _, b := range e.Basic {
		if b.isManagementAll() {
			return true
		}
	}
	for _, a := range e.Advanced {
		if a.isManagementAll() {
			return true
		}
	}
	return false
}

// withManagementAll returns the selectors changed as little as possible to
// log every management event, keeping every data event selector:
//   - advanced: the readOnly filter is dropped from the first management
//     selector, or a management selector is appended when there is none;
//   - basic: the first selector with management events (preferring one
//     without data resources) reads All; if none has management events, a
//     selector for them is appended (or, with five selectors already, the
//     first one is given them).
func (e eventSelectors) withManagementAll() eventSelectors {
	out := eventSelectors{}
	if len(e.Advanced) > 0 {
		out.Advanced = slices.Clone(e.Advanced)
		for i, a := range out.Advanced {
			if a.isManagement() {
				var fs []fieldSelector
				for _, f := range a.FieldSelectors {
					if f.Field != "readOnly" {
						fs = append(fs, f)
					}
				}
				out.Advanced[i].FieldSelectors = fs
				return out
			}
		}
		out.Advanced = append(out.Advanced, advancedSelector{Name: "Management events",
			FieldSelectors: []fieldSelector{{Field: "eventCategory", Equals: []string{"Management"}}}})
		return out
	}
	out.Basic = slices.Clone(e.Basic)
	pick := -1
	for i, b := range out.Basic {
		if b.IncludeManagementEvents && (pick < 0 || len(b.DataResources) == 0 && len(out.Basic[pick].DataResources) > 0) {
			pick = i
		}
	}
	switch {
	case pick >= 0:
		out.Basic[pick].ReadWriteType = string(cttypes.ReadWriteTypeAll)
	case len(out.Basic) < 5:
		out.Basic = append(out.Basic, basicSelector{ReadWriteType: string(cttypes.ReadWriteTypeAll), IncludeManagementEvents: true})
	default:
		out.Basic[0].IncludeManagementEvents = true
		out.Basic[0].ReadWriteType = string(cttypes.ReadWriteTypeAll)
	}
	return out
}

// wantTrail is the trail as declared.
func (c *OrganizationTrail) wantTrail(obs *trailObservation) trailSettings {
	return trailSettings{
		Name: c.s.Name, ARN: obs.TrailARN,
		S3BucketName: obs.Bucket.Name, S3KeyPrefix: c.s.KeyPrefix,
		IsOrganizationTrail: true, IsMultiRegionTrail: true, IncludeGlobalServiceEvents: true, LogFileValidationEnabled: true,
		KmsKeyId: c.s.KMSKeyID, CloudWatchLogsLogGroupArn: c.s.LogGroupArn, CloudWatchLogsRoleArn: c.s.RoleArn,
	}
}

// Resources of the control's changes.
const (
	trustedAccessResource = trustedAccessPrefix + cloudTrailPrincipal
	delegatedResource     = delegatedAdminPrefix + cloudTrailPrincipal
	slrResource           = "iam/service-linked-role/" + cloudTrailPrincipal
	trailResourcePrefix   = "cloudtrail/trail/"
	selectorsSuffix       = "/event-selectors"
	loggingSuffix         = "/logging"
)

// Diff plans, in the order they must be applied: trusted access, the
// delegated administrator (or, for one registered through AWS
// Organizations, CloudTrail's service-linked role), the bucket and its
// settings, the trail, its
// event selectors, logging. Each change names the account it applies to;
// the bucket's and the trail's, the home region too.
func (c *OrganizationTrail) Diff(t Target, observed any) ([]baseline.Change, error) {
	obs, ok := observed.(*trailObservation)
	if !ok || obs == nil {
		return nil, fmt.Errorf("organizationTrail: unexpected observation %T", observed)
	}
	// Guards: what AWS would refuse, found before anything is changed.
	if obs.DelegatedID != "" && obs.DelegatedID == obs.ManagementID {
		return nil, fmt.Errorf("controls.organizationTrail.delegatedAdministrator names the management account %s, which cannot be a delegated administrator; remove delegatedAdministrator to manage the trail from the management account", obs.ManagementID)
	}
	if m := baseline.LogGroupARNRe.FindStringSubmatch(c.s.LogGroupArn); m != nil && m[2] != obs.ManagementID {
		return nil, fmt.Errorf("controls.organizationTrail.cloudWatchLogs: the log group is in account %s, but an organization trail belongs to the management account %s; use a log group and role of the management account", m[2], obs.ManagementID)
	}
	out := diffOrgAccess(orgAccessDiff{
		Control: c.Name(), Management: obs.ManagementID, Principal: cloudTrailPrincipal,
		TrustedAccess: obs.TrustedAccess,
		EnableReason:  "trusted access for CloudTrail is not enabled in the organization; an organization trail needs it",
		Admin:         obs.DelegatedID, Registered: obs.DelegatedRegistered,
		AdminResource:  delegatedResource + "/" + obs.DelegatedID,
		RegisterReason: fmt.Sprintf("account %s is to manage the organization trail but is not a delegated administrator for CloudTrail", obs.DelegatedID),
	})
	if obs.DelegatedID != "" && obs.DelegatedRegistered && !obs.ServiceLinkedRole {
		out = append(out, baseline.Change{
			Control: c.Name(), Account: obs.ManagementID, Resource: slrResource, Action: baseline.ActionCreate,
			After: map[string]any{"awsServiceName": cloudTrailPrincipal, "roleName": cloudTrailSLR},
			Reason: fmt.Sprintf("account %s is CloudTrail's delegated administrator, but the management account has no %s (a registration through AWS Organizations does not create it), without which CloudTrail refuses an organization trail from the delegated administrator (NoManagementAccountSLRExistsException)",
				obs.DelegatedID, cloudTrailSLR),
		})
	}
	bucket, err := obs.Bucket.Diff(obs.BucketState)
	if err != nil {
		return nil, fmt.Errorf("in the log-archive account %s: %w", obs.LogArchiveID, err)
	}
	out = append(out, bucket...)

	want := c.wantTrail(obs)
	res := trailResourcePrefix + c.s.Name
	mk := func(resource string, action baseline.Action, before, after map[string]any, reason string) baseline.Change {
		return baseline.Change{Control: c.Name(), Account: obs.TrailAccount, Region: obs.HomeRegion, Resource: resource,
			Action: action, Before: before, After: after, Reason: reason}
	}
	if obs.Trail == nil {
		out = append(out, mk(res, baseline.ActionCreate, nil, baseline.ToMap(want),
			fmt.Sprintf("the organization has no trail %s in %s", c.s.Name, obs.HomeRegion)))
		out = append(out, mk(res+loggingSuffix, baseline.ActionUpdate, baseline.ToMap(loggingState{ARN: want.ARN}), baseline.ToMap(loggingState{ARN: want.ARN, IsLogging: true}),
			"a new trail does not log until logging is started"))
		return out, nil
	}
	have := *obs.Trail
	have.ARN = want.ARN // the ARN is derived, not a setting
	if have != want {
		ch := mk(res, baseline.ActionUpdate, baseline.ToMap(have), baseline.ToMap(want), "")
		ch.Reason = "the trail differs from the baseline in " + strings.Join(fieldNames(ch), ", ")
		out = append(out, ch)
	}
	if !obs.Selectors.managementAll() {
		fixed := obs.Selectors.withManagementAll()
		out = append(out, mk(res+selectorsSuffix, baseline.ActionUpdate,
			baseline.ToMap(selectorsSetting{ARN: want.ARN, eventSelectors: obs.Selectors}), baseline.ToMap(selectorsSetting{ARN: want.ARN, eventSelectors: fixed}),
			"the trail does not log all management events (read and write); data event selectors are kept"))
	}
	if !obs.Logging {
		out = append(out, mk(res+loggingSuffix, baseline.ActionUpdate, baseline.ToMap(loggingState{ARN: want.ARN}), baseline.ToMap(loggingState{ARN: want.ARN, IsLogging: true}),
			"the trail is not logging"))
	}
	return out, nil
}

// trailOrgAccessErrors word the errors of trusted access and delegated
// administration for organizationTrail.
var trailOrgAccessErrors = orgAccessErrors{
	Enable: func(principal, management string) string {
		return fmt.Sprintf("enable trusted access for %s in the management account %s", principal, management)
	},
	Register: func(account, principal, management string) string {
		return fmt.Sprintf("register %s as delegated administrator for %s from the management account %s", account, principal, management)
	},
}

// Apply makes one change, in the account (and region) the change names.
func (c *OrganizationTrail) Apply(ctx context.Context, t Target, ch baseline.Change) error {
	if t.Org == nil || t.Org.Sessions == nil {
		return errors.New("organizationTrail runs at organization scope and needs the organization")
	}
	region := ch.Region
	if region == "" {
		region = t.Org.HomeRegion
	}
	if region == "" {
		region = t.Region
	}
	cfg, err := t.Org.Sessions.Config(ctx, ch.Account, region)
	if err != nil {
		return err
	}
	switch res := ch.Resource; {
	case res == trustedAccessResource:
		return applyOrgAccess(ctx, c.newOrganizations(cfg), ch, cloudTrailPrincipal, trailOrgAccessErrors)
	case strings.HasPrefix(res, delegatedResource+"/"):
		return c.registerDelegatedAdmin(ctx, c.newCloudTrail(cfg), ch)
	case res == slrResource:
		return c.createServiceLinkedRole(ctx, c.newIAM(cfg), ch)
	case IsBucketChange(ch):
		if err := ApplyBucketChange(ctx, c.newS3(cfg), ch); err != nil {
			return err
		}
		if name, setting, _ := strings.Cut(strings.TrimPrefix(res, "s3/"), "/"); setting == bucketSettingPolicy {
			c.made.note(trailMadeBucketPolicy, name)
		}
		return nil
	case strings.HasPrefix(res, trailResourcePrefix):
		return c.applyTrail(ctx, t.Wait, c.newCloudTrail(cfg), ch)
	}
	return fmt.Errorf("%s: not a change of %s", ch.Resource, c.Name())
}

// registerDelegatedAdmin registers the account a change names as
// CloudTrail's delegated administrator with CloudTrail's own API, from
// the management account: CloudTrail then creates its service-linked role
// there when it is missing, and registers the account with AWS
// Organizations (CloudTrail user guide, "Organization delegated
// administrator"; RegisterOrganizationDelegatedAdmin needs trusted access
// enabled first, which Diff plans before it). An account already
// registered is success.
func (c *OrganizationTrail) registerDelegatedAdmin(ctx context.Context, ct CloudTrailAPI, ch baseline.Change) error {
	var admin struct {
		AccountID string `json:"accountId"`
	}
	if err := ch.DecodeAfter(&admin); err != nil {
		return err
	}
	_, err := ct.RegisterOrganizationDelegatedAdmin(ctx, &cloudtrail.RegisterOrganizationDelegatedAdminInput{MemberAccountId: aws.String(admin.AccountID)})
	var already *cttypes.AccountRegisteredException
	switch {
	case err == nil:
		c.made.note(trailMadeAdmin+admin.AccountID, "")
		c.made.note(trailMadeSLR, "")
		return nil
	case errors.As(err, &already):
		return nil
	}
	return fmt.Errorf("register %s as CloudTrail's delegated administrator (cloudtrail:RegisterOrganizationDelegatedAdmin) from the management account %s: %w", admin.AccountID, ch.Account, err)
}

// createServiceLinkedRole creates CloudTrail's service-linked role in the
// management account, for a delegated administrator registered through
// AWS Organizations. A role already there is success.
func (c *OrganizationTrail) createServiceLinkedRole(ctx context.Context, api TrailIAMAPI, ch baseline.Change) error {
	_, err := api.CreateServiceLinkedRole(ctx, &iam.CreateServiceLinkedRoleInput{AWSServiceName: aws.String(cloudTrailPrincipal)})
	if err == nil {
		c.made.note(trailMadeSLR, "")
		return nil
	}
	if _, gerr := api.GetRole(ctx, &iam.GetRoleInput{RoleName: aws.String(cloudTrailSLR)}); gerr == nil {
		return nil
	}
	return fmt.Errorf("create CloudTrail's service-linked role %s (iam:CreateServiceLinkedRole for %s) in the management account %s: %w", cloudTrailSLR, cloudTrailPrincipal, ch.Account, err)
}

// settled makes a CloudTrail call from account that depends on what this
// run made, retrying (bounded, with w) only CloudTrail's "not usable yet"
// answers for those; any other error returns at once.
func (c *OrganizationTrail) settled(ctx context.Context, w *awsapi.Waiter, account string, call func(context.Context) error) error {
	what := c.waitingFor(account)
	if what == "" {
		return call(ctx)
	}
	return w.Retry(ctx, what, func(err error) bool { return c.notYet(err, account) }, call)
}

// explain wraps CloudTrail's refusal of a declared setting with which
// setting it is and how to fix it; other errors are returned as they are.
func (c *OrganizationTrail) explain(err error, account string) error {
	const p = "controls.organizationTrail"
	switch code := apiCode(err); {
	case code == "KmsKeyNotFoundException", code == "InvalidKmsKeyIdException":
		return fmt.Errorf("%s.bucket.kmsKeyId %s is not a KMS key CloudTrail can find in the home region, where the trail and its bucket are; name an existing key of that region: %w", p, c.s.KMSKeyID, err)
	case code == "InsufficientEncryptionPolicyException":
		return fmt.Errorf("the key policy of %s.bucket.kmsKeyId %s does not let CloudTrail use the key; add the statements of the CloudTrail user guide (\"Configure AWS KMS key policies for CloudTrail\") that allow the service principal %s kms:GenerateDataKey* for this trail (kms:EncryptionContext:aws:cloudtrail:arn), kms:DescribeKey, and kms:Decrypt (the bucket uses an S3 Bucket Key with it): %w", p, c.s.KMSKeyID, cloudTrailPrincipal, err)
	case code == "InvalidCloudWatchLogsLogGroupArnException":
		return fmt.Errorf("CloudTrail cannot use %s.cloudWatchLogs.logGroupArn %s: the log group must exist in the management account and the home region, and the role %s (cloudWatchLogs.roleArn) must allow logs:CreateLogStream and logs:PutLogEvents on it: %w", p, c.s.LogGroupArn, c.s.RoleArn, err)
	case code == "InvalidCloudWatchLogsRoleArnException":
		return fmt.Errorf("CloudTrail cannot assume %s.cloudWatchLogs.roleArn %s: the role must exist in the management account and its trust policy must allow the service principal %s to sts:AssumeRole: %w", p, c.s.RoleArn, cloudTrailPrincipal, err)
	case strings.HasPrefix(code, "AccessDenied") && c.s.RoleArn != "" && strings.Contains(err.Error(), "iam:PassRole"):
		return fmt.Errorf("the identity applying the trail in account %s may not pass %s.cloudWatchLogs.roleArn %s to CloudTrail; allow it iam:PassRole on that role (iam:PassedToService %s): %w", account, p, c.s.RoleArn, cloudTrailPrincipal, err)
	case code == "NoManagementAccountSLRExistsException":
		return fmt.Errorf("the management account has no %s, which CloudTrail needs before a delegated administrator creates an organization trail; run plan again, which plans creating it: %w", cloudTrailSLR, err)
	}
	return err
}

func (c *OrganizationTrail) applyTrail(ctx context.Context, w *awsapi.Waiter, ct CloudTrailAPI, ch baseline.Change) error {
	switch {
	case strings.HasSuffix(ch.Resource, loggingSuffix):
		arn := c.arnOf(ch)
		if _, err := ct.StartLogging(ctx, &cloudtrail.StartLoggingInput{Name: aws.String(arn)}); err != nil {
			return fmt.Errorf("start logging of trail %s from account %s (%s): %w", arn, ch.Account, ch.Region, err)
		}
		return nil
	case strings.HasSuffix(ch.Resource, selectorsSuffix):
		var sel selectorsSetting
		if err := ch.DecodeAfter(&sel); err != nil {
			return err
		}
		arn := c.arnOf(ch)
		in := &cloudtrail.PutEventSelectorsInput{TrailName: aws.String(arn)}
		if len(sel.Advanced) > 0 {
			in.AdvancedEventSelectors = toSDKAdvanced(sel.Advanced)
		} else {
			in.EventSelectors = toSDKBasic(sel.Basic)
		}
		if _, err := ct.PutEventSelectors(ctx, in); err != nil {
			return fmt.Errorf("put the event selectors of trail %s from account %s (%s): %w", arn, ch.Account, ch.Region, err)
		}
		return nil
	}
	var want trailSettings
	if err := ch.DecodeAfter(&want); err != nil {
		return err
	}
	if ch.Action == baseline.ActionCreate {
		in := &cloudtrail.CreateTrailInput{
			Name: aws.String(want.Name), S3BucketName: aws.String(want.S3BucketName),
			IsOrganizationTrail: aws.Bool(want.IsOrganizationTrail), IsMultiRegionTrail: aws.Bool(want.IsMultiRegionTrail),
			IncludeGlobalServiceEvents: aws.Bool(want.IncludeGlobalServiceEvents), EnableLogFileValidation: aws.Bool(want.LogFileValidationEnabled),
			S3KeyPrefix: optString(want.S3KeyPrefix), KmsKeyId: optString(want.KmsKeyId),
			CloudWatchLogsLogGroupArn: optString(want.CloudWatchLogsLogGroupArn), CloudWatchLogsRoleArn: optString(want.CloudWatchLogsRoleArn),
		}
		err := c.settled(ctx, w, ch.Account, func(ctx context.Context) error {
			_, err := ct.CreateTrail(ctx, in)
			return err
		})
		var exists *cttypes.TrailAlreadyExistsException
		if err == nil {
			return nil
		}
		if !errors.As(err, &exists) {
			return fmt.Errorf("create trail %s from account %s (%s): %w", want.Name, ch.Account, ch.Region, c.explain(err, ch.Account))
		}
		// Created since the plan was made (or by an earlier, interrupted
		// apply): bring every setting to the declared value.
		if err := c.updateTrail(ctx, w, ct, ch, nil, want); err != nil {
			return fmt.Errorf("%w (CreateTrail answered that the trail already exists; a trail of that name homed in another region, or a single-account trail the delegated administrator cannot change, must be renamed or removed)", err)
		}
		return nil
	}
	var before trailSettings
	if ch.Before != nil {
		b := ch
		b.After = ch.Before
		if err := b.DecodeAfter(&before); err != nil {
			return err
		}
	}
	return c.updateTrail(ctx, w, ct, ch, &before, want)
}

// updateTrail sends the settings of want that differ from before (every
// one when before is nil). Bucket and prefix go together, as do the two
// CloudWatch Logs settings; "" clears a KMS key or CloudWatch Logs.
func (c *OrganizationTrail) updateTrail(ctx context.Context, w *awsapi.Waiter, ct CloudTrailAPI, ch baseline.Change, before *trailSettings, want trailSettings) error {
	all := before == nil
	if all {
		before = &trailSettings{}
	}
	arn := want.ARN
	if arn == "" {
		arn = c.arnOf(ch)
	}
	in := &cloudtrail.UpdateTrailInput{Name: aws.String(arn)}
	if all || before.S3BucketName != want.S3BucketName || before.S3KeyPrefix != want.S3KeyPrefix {
		in.S3BucketName, in.S3KeyPrefix = aws.String(want.S3BucketName), aws.String(want.S3KeyPrefix)
	}
	if all || before.IsOrganizationTrail != want.IsOrganizationTrail {
		in.IsOrganizationTrail = aws.Bool(want.IsOrganizationTrail)
	}
	// Multi-region needs global service events: send both together.
	if all || before.IsMultiRegionTrail != want.IsMultiRegionTrail || before.IncludeGlobalServiceEvents != want.IncludeGlobalServiceEvents {
		in.IsMultiRegionTrail, in.IncludeGlobalServiceEvents = aws.Bool(want.IsMultiRegionTrail), aws.Bool(want.IncludeGlobalServiceEvents)
	}
	if all || before.LogFileValidationEnabled != want.LogFileValidationEnabled {
		in.EnableLogFileValidation = aws.Bool(want.LogFileValidationEnabled)
	}
	if all && want.KmsKeyId != "" || !all && before.KmsKeyId != want.KmsKeyId {
		in.KmsKeyId = aws.String(want.KmsKeyId)
	}
	if all && want.CloudWatchLogsLogGroupArn != "" || !all && (before.CloudWatchLogsLogGroupArn != want.CloudWatchLogsLogGroupArn || before.CloudWatchLogsRoleArn != want.CloudWatchLogsRoleArn) {
		in.CloudWatchLogsLogGroupArn, in.CloudWatchLogsRoleArn = aws.String(want.CloudWatchLogsLogGroupArn), aws.String(want.CloudWatchLogsRoleArn)
	}
	err := c.settled(ctx, w, ch.Account, func(ctx context.Context) error {
		_, err := ct.UpdateTrail(ctx, in)
		return err
	})
	if err != nil {
		return fmt.Errorf("update trail %s from account %s (%s): %w", arn, ch.Account, ch.Region, c.explain(err, ch.Account))
	}
	return nil
}

// arnOf is the trail ARN a change acts on, for changes that do not carry it.
func (c *OrganizationTrail) arnOf(ch baseline.Change) string {
	if arn, _ := ch.After["arn"].(string); arn != "" {
		return arn
	}
	if arn, _ := ch.Before["arn"].(string); arn != "" {
		return arn
	}
	// Not reached with changes Diff made; keep a usable fallback: the
	// name, which resolves in the account that owns the trail.
	name := strings.TrimPrefix(ch.Resource, trailResourcePrefix)
	name, _, _ = strings.Cut(name, "/")
	return name
}

func optString(s string) *string {
	if s == "" {
		return nil
	}
	return aws.String(s)
}

func toSDKBasic(in []basicSelector) []cttypes.EventSelector {
	out := make([]cttypes.EventSelector, 0, len(in))
	for _, s := range in {
		e := cttypes.EventSelector{
			ReadWriteType:                 cttypes.ReadWriteType(s.ReadWriteType),
			IncludeManagementEvents:       aws.Bool(s.IncludeManagementEvents),
			ExcludeManagementEventSources: s.ExcludeManagementEventSources,
		}
		for _, d := range s.DataResources {
			e.DataResources = append(e.DataResources, cttypes.DataResource{Type: aws.String(d.Type), Values: d.Values})
		}
		out = append(out, e)
	}
	return out
}

func toSDKAdvanced(in []advancedSelector) []cttypes.AdvancedEventSelector {
	out := make([]cttypes.AdvancedEventSelector, 0, len(in))
	for _, s := range in {
		a := cttypes.AdvancedEventSelector{Name: optString(s.Name)}
		for _, f := range s.FieldSelectors {
			a.FieldSelectors = append(a.FieldSelectors, cttypes.AdvancedFieldSelector{
				Field: aws.String(f.Field), Equals: f.Equals, StartsWith: f.StartsWith, EndsWith: f.EndsWith,
				NotEquals: f.NotEquals, NotStartsWith: f.NotStartsWith, NotEndsWith: f.NotEndsWith,
			})
		}
		out = append(out, a)
	}
	return out
}

// Findings reports, for the trail, CIS 3.1 (an organization trail in all
// regions, logging, with every management event) and CIS 3.2 (log file
// validation) in the management account and in every targeted account,
// since the organization trail covers each member and per-account reports
// should show it; and the bucket's hardening under the log-archive
// account.
func (c *OrganizationTrail) Findings(t Target, observed any) []baseline.Finding {
	obs, ok := observed.(*trailObservation)
	if !ok || obs == nil {
		return nil
	}
	want := c.wantTrail(obs)
	const fix = "run `orgbaseline apply` to create the organization trail and its bucket as the baseline declares"
	mk := func(check, account, name, resource string, sev baseline.Severity, title string, ok bool, msg string, evidence map[string]any) baseline.Finding {
		f := baseline.Finding{
			Check: check, Source: "control:" + c.Name(), Account: account, AccountName: name, Region: obs.HomeRegion,
			Resource: resource, Status: baseline.StatusPass, Severity: sev, Title: title, Message: msg,
			Compliance: baseline.References(check), Evidence: evidence,
		}
		if !ok {
			f.Status, f.Remediation = baseline.StatusFail, fix
		}
		return f
	}

	// CIS 3.1: a multi-region organization trail, logging, all management events.
	var problems []string
	var evidence map[string]any
	if tr := obs.Trail; tr == nil {
		problems = append(problems, fmt.Sprintf("there is no trail %s in %s", c.s.Name, obs.HomeRegion))
	} else {
		evidence = map[string]any{
			"trailArn": want.ARN, "isOrganizationTrail": tr.IsOrganizationTrail, "isMultiRegionTrail": tr.IsMultiRegionTrail,
			"isLogging": obs.Logging, "managementEventsAll": obs.Selectors.managementAll(), "logFileValidationEnabled": tr.LogFileValidationEnabled,
			"s3BucketName": tr.S3BucketName,
		}
		if !tr.IsOrganizationTrail {
			problems = append(problems, "it is not an organization trail")
		}
		if !tr.IsMultiRegionTrail {
			problems = append(problems, "it is not multi-region")
		}
		if !obs.Logging {
			problems = append(problems, "it is not logging")
		}
		if !obs.Selectors.managementAll() {
			problems = append(problems, "it does not log all (read and write) management events")
		}
	}
	allMsg := fmt.Sprintf("the organization trail %s is multi-region, logging, and logs all management events", want.ARN)
	if len(problems) > 0 {
		allMsg = fmt.Sprintf("the organization trail %s does not cover every region and account: %s", want.ARN, strings.Join(problems, "; "))
	}
	valOK := obs.Trail != nil && obs.Trail.LogFileValidationEnabled
	valMsg := fmt.Sprintf("log file validation is enabled on %s", want.ARN)
	switch {
	case obs.Trail == nil:
		valMsg = fmt.Sprintf("there is no trail %s in %s", c.s.Name, obs.HomeRegion)
	case !valOK:
		valMsg = fmt.Sprintf("log file validation is not enabled on %s", want.ARN)
	}

	type acct struct{ id, name string }
	accounts := []acct{{obs.ManagementID, ""}}
	seen := map[string]bool{obs.ManagementID: true}
	if t.Org != nil && t.Org.Org != nil {
		if a := t.Org.Account(obs.ManagementID); a != nil {
			accounts[0].name = a.Name
		}
		for _, a := range t.Org.Targets {
			if !seen[a.ID] {
				seen[a.ID] = true
				accounts = append(accounts, acct{a.ID, a.Name})
			}
		}
	}
	var out []baseline.Finding
	for _, a := range accounts {
		out = append(out,
			mk("organizationTrail.allRegions", a.id, a.name, want.ARN, baseline.SeverityHigh,
				"CloudTrail is enabled in all regions (organization trail)", len(problems) == 0, allMsg, evidence),
			mk("organizationTrail.logFileValidation", a.id, a.name, want.ARN, baseline.SeverityMedium,
				"CloudTrail log file validation is enabled", valOK, valMsg, evidence))
	}

	bucketARN := obs.BucketARN
	severity := map[string]baseline.Severity{
		"bucketPolicy": baseline.SeverityHigh, "bucketPublicAccessBlocked": baseline.SeverityHigh,
		"bucketVersioning": baseline.SeverityMedium, "bucketEncryption": baseline.SeverityMedium,
	}
	for _, bc := range obs.Bucket.Checks(obs.BucketState) {
		out = append(out, mk("organizationTrail."+bc.Name, obs.LogArchiveID, obs.LogArchive, bucketARN, severity[bc.Name],
			"CloudTrail: "+bc.Title, bc.OK, bc.Message, nil))
	}
	return out
}

// modelBucket is the log bucket's name: the declared name, else the
// default for the log-archive account (account; "*" in the call and
// delivery models when it is unresolved) and the home region.
func (c *OrganizationTrail) modelBucket(account, home string) string {
	if c.s.BucketName != "" {
		return c.s.BucketName
	}
	return "orgbaseline-cloudtrail-" + account + "-" + home
}
