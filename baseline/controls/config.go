package controls

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/url"
	"reflect"
	"sort"
	"strings"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/configservice"
	cfgtypes "github.com/aws/aws-sdk-go-v2/service/configservice/types"
	"github.com/aws/aws-sdk-go-v2/service/iam"
	iamtypes "github.com/aws/aws-sdk-go-v2/service/iam/types"
	"github.com/aws/aws-sdk-go-v2/service/organizations"

	"github.com/orgbaseline/orgbaseline/baseline"
	"github.com/orgbaseline/orgbaseline/internal/awsapi"
	"github.com/orgbaseline/orgbaseline/internal/iampolicy"
)

// controls.config is three controls, so that every change runs in
// dependency order whatever order the regions are listed in:
//
//   - configOrganization (organization scope, applied before any account):
//     the central bucket in the log-archive account with the AWS Config
//     bucket policy for every targeted account, public access block,
//     versioning and encryption; and, when declared, the organization
//     aggregator in the audit account with what it needs (trusted access
//     and delegated administration for config.amazonaws.com, and a role
//     Config assumes to read the organization).
//   - configRole (account scope): the AWS Config service-linked role, once
//     per account (IAM is global), applied before any region's recorder.
//   - config (regional): in every targeted account and governed region,
//     recorder -> delivery channel -> start -> rules, in that order.

// ConfigServiceAPI is the part of the AWS Config client the controls use.
type ConfigServiceAPI interface {
	DescribeConfigurationRecorders(context.Context, *configservice.DescribeConfigurationRecordersInput, ...func(*configservice.Options)) (*configservice.DescribeConfigurationRecordersOutput, error)
	DescribeConfigurationRecorderStatus(context.Context, *configservice.DescribeConfigurationRecorderStatusInput, ...func(*configservice.Options)) (*configservice.DescribeConfigurationRecorderStatusOutput, error)
	DescribeDeliveryChannels(context.Context, *configservice.DescribeDeliveryChannelsInput, ...func(*configservice.Options)) (*configservice.DescribeDeliveryChannelsOutput, error)
	configservice.DescribeConfigRulesAPIClient
	configservice.ListTagsForResourceAPIClient
	PutConfigurationRecorder(context.Context, *configservice.PutConfigurationRecorderInput, ...func(*configservice.Options)) (*configservice.PutConfigurationRecorderOutput, error)
	PutDeliveryChannel(context.Context, *configservice.PutDeliveryChannelInput, ...func(*configservice.Options)) (*configservice.PutDeliveryChannelOutput, error)
	StartConfigurationRecorder(context.Context, *configservice.StartConfigurationRecorderInput, ...func(*configservice.Options)) (*configservice.StartConfigurationRecorderOutput, error)
	PutConfigRule(context.Context, *configservice.PutConfigRuleInput, ...func(*configservice.Options)) (*configservice.PutConfigRuleOutput, error)
	DeleteConfigRule(context.Context, *configservice.DeleteConfigRuleInput, ...func(*configservice.Options)) (*configservice.DeleteConfigRuleOutput, error)
	DescribeConfigurationAggregators(context.Context, *configservice.DescribeConfigurationAggregatorsInput, ...func(*configservice.Options)) (*configservice.DescribeConfigurationAggregatorsOutput, error)
	PutConfigurationAggregator(context.Context, *configservice.PutConfigurationAggregatorInput, ...func(*configservice.Options)) (*configservice.PutConfigurationAggregatorOutput, error)
}

// ConfigIAMAPI is the part of the IAM client the controls use.
type ConfigIAMAPI interface {
	GetRole(context.Context, *iam.GetRoleInput, ...func(*iam.Options)) (*iam.GetRoleOutput, error)
	CreateServiceLinkedRole(context.Context, *iam.CreateServiceLinkedRoleInput, ...func(*iam.Options)) (*iam.CreateServiceLinkedRoleOutput, error)
	CreateRole(context.Context, *iam.CreateRoleInput, ...func(*iam.Options)) (*iam.CreateRoleOutput, error)
	UpdateAssumeRolePolicy(context.Context, *iam.UpdateAssumeRolePolicyInput, ...func(*iam.Options)) (*iam.UpdateAssumeRolePolicyOutput, error)
	GetRolePolicy(context.Context, *iam.GetRolePolicyInput, ...func(*iam.Options)) (*iam.GetRolePolicyOutput, error)
	PutRolePolicy(context.Context, *iam.PutRolePolicyInput, ...func(*iam.Options)) (*iam.PutRolePolicyOutput, error)
}

var (
	_ ConfigServiceAPI = (*configservice.Client)(nil)
	_ ConfigIAMAPI     = (*iam.Client)(nil)
)

// cfgClients builds the clients for a config; one set for all three
// controls.
type cfgClients struct {
	config func(aws.Config) ConfigServiceAPI
	s3     func(aws.Config) S3BucketAPI
	iam    func(aws.Config) ConfigIAMAPI
	orgs   func(aws.Config) TrustedAccessAPI
}

func cfgDefaultClients() cfgClients {
	return cfgClients{
		config: func(c aws.Config) ConfigServiceAPI { return configservice.NewFromConfig(c) },
		s3:     func(c aws.Config) S3BucketAPI { return awsapi.S3(c) },
		iam:    func(c aws.Config) ConfigIAMAPI { return iam.NewFromConfig(c) },
		orgs:   func(c aws.Config) TrustedAccessAPI { return organizations.NewFromConfig(c) },
	}
}

// Names, principals and fixed documents.
const (
	cfgServicePrincipal = "config.amazonaws.com"
	cfgSLRName          = "AWSServiceRoleForConfig"
	cfgSLRPath          = "aws-service-role/config.amazonaws.com/"
	cfgDefaultName      = "default" // recorder and channel, when none exists
	// cfgManagedTagKey=Value marks the Config rules orgbaseline created: only those
	// are deleted when they leave the baseline.
	cfgManagedTagKey   = "orgbaseline:managed"
	cfgManagedTagValue = "true"
	// The role the organization aggregator assumes (audit account).
	cfgAggregatorRole  = "orgbaseline-config-aggregator"
	cfgAggregatorTrust = `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"Service":"config.amazonaws.com"},"Action":"sts:AssumeRole"}]}`
	// What the AWS managed policy AWSConfigRoleForOrganizations grants,
	// inline so the role does not depend on a managed policy's presence.
	cfgAggregatorPolicy = `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":["organizations:DescribeOrganization","organizations:ListAWSServiceAccessForOrganization","organizations:ListAccounts","organizations:ListDelegatedAdministrators"],"Resource":"*"}]}`
	// The Sids of the bucket policy statements this control owns.
	cfgSidACL      = "AWSConfigBucketPermissionsCheck"
	cfgSidList     = "AWSConfigBucketExistenceCheck"
	cfgSidDelivery = "AWSConfigBucketDelivery"
)

// configWant is what controls.config declares, resolved.
type configWant struct {
	baseline.ConfigSettings
}

// newConfig returns the controls for controls.config, or none when it is
// not enabled. It checks offline that the account aliases it needs are
// declared under organization.accounts.
func newConfig(b *baseline.Baseline) ([]Control, error) {
	c := b.Controls.Config
	if !c.IsEnabled() {
		return nil, nil
	}
	w := configWant{c.Resolved()}
	var errs []error
	if _, ok := b.Organization.Accounts[w.BucketAccount]; !ok {
		errs = append(errs, fmt.Errorf("controls.config.bucket.account: the bucket's account %q is not declared under organization.accounts; add %s: \"Log Archive\" (the account's name or 12-digit id), or set controls.config.bucket.account to a declared alias", w.BucketAccount, w.BucketAccount))
	}
	if a := w.Aggregator; a != nil {
		if _, ok := b.Organization.Accounts[a.Account]; !ok {
			errs = append(errs, fmt.Errorf("controls.config.aggregator.account: the aggregator's account %q is not declared under organization.accounts; add %s: \"Audit\" (the account's name or 12-digit id), or set controls.config.aggregator.account to a declared alias", a.Account, a.Account))
		}
	}
	if len(errs) > 0 {
		return nil, errors.Join(errs...)
	}
	cl := cfgDefaultClients()
	return []Control{
		&ConfigOrganization{want: w, clients: cl},
		&ConfigRole{clients: cl},
		&ConfigRecorder{want: w, clients: cl},
	}, nil
}

// bucketName is the central bucket's name: declared, or derived from
// the owning account and the home region.
func (w configWant) bucketName(owner, homeRegion string) string {
	if w.BucketName != "" {
		return w.BucketName
	}
	return "orgbaseline-config-" + owner + "-" + homeRegion
}

// bucketOwner resolves the account that owns the central bucket.
func (w configWant) bucketOwner(t Target) (string, error) {
	a, err := t.Org.Alias(w.BucketAccount, "controls.config.bucket")
	if err != nil {
		return "", err
	}
	return a.ID, nil
}

// ============================================================================
// configOrganization: the central bucket and the aggregator
// ============================================================================

// ConfigOrganization manages the organization-wide parts of AWS Config:
// the central delivery bucket and the optional organization aggregator.
type ConfigOrganization struct {
	want    configWant
	clients cfgClients
}

func (*ConfigOrganization) Name() string { return "configOrganization" }
func (*ConfigOrganization) Scope() Scope { return ScopeOrganization }

// NeedsAllFeatures: the central bucket is plain S3; only the aggregator
// needs trusted access and a delegated administrator.
func (c *ConfigOrganization) NeedsAllFeatures() bool { return c.want.Aggregator != nil }

// Actions are the calls made as the execution role in the log-archive
// account (the bucket) and, with an aggregator, in the audit account.
func (c *ConfigOrganization) Actions() []string {
	as := BucketActions()
	if c.want.Aggregator != nil {
		as = append(as,
			"iam:GetRole", "iam:CreateRole", "iam:UpdateAssumeRolePolicy", "iam:GetRolePolicy", "iam:PutRolePolicy", "iam:PassRole",
			"config:DescribeConfigurationAggregators", "config:PutConfigurationAggregator",
			"organizations:ListDelegatedAdministrators")
	}
	sort.Strings(as)
	return as
}

// cfgAggState is the aggregator and its prerequisites as observed.
type cfgAggState struct {
	Name, Account  string
	Management     string
	TrustedAccess  bool
	DelegatedAdmin bool // always true when the account is the management account
	RoleExists     bool
	RoleARN        string
	RoleTrust      string // normalised
	RolePolicy     string // normalised; "" when absent
	Aggregator     *cfgAggregator
}

type cfgAggregator struct {
	RoleARN       string   `json:"roleArn"`
	AWSRegions    []string `json:"awsRegions"`
	AllAWSRegions bool     `json:"allAwsRegions"`
}

// cfgOrgState is what configOrganization observed.
type cfgOrgState struct {
	// Bucket is the central bucket as declared for this run (its policy
	// statements name the targeted accounts); BucketState as it is.
	Bucket      LogBucket
	BucketState *BucketState
	Accounts    int // targeted accounts, which may deliver
	Aggregator  *cfgAggState
}

// Observe reads the central bucket in its account and, when declared, the
// aggregator and its prerequisites.
func (c *ConfigOrganization) Observe(ctx context.Context, t Target) (any, error) {
	owner, err := c.want.bucketOwner(t)
	if err != nil {
		return nil, err
	}
	home := t.Org.HomeRegion
	var accounts []string
	for _, a := range t.Org.Targets {
		accounts = append(accounts, a.ID)
	}
	sort.Strings(accounts)
	name := c.want.bucketName(owner, home)
	st := &cfgOrgState{Accounts: len(accounts), Bucket: LogBucket{Control: c.Name(), Name: name, Account: owner, Region: home,
		Statements: cfgBucketStatements(name, c.want.KeyPrefix, t.Org.ID), KMSKeyARN: c.want.KMSKeyARN}}
	if len(accounts) == 0 {
		t.Warn(fmt.Sprintf("configOrganization: no account is targeted, so the policy of bucket %s is left as it is", name))
	}
	cfg, err := t.Org.Sessions.Config(ctx, owner, home)
	if err != nil {
		return nil, err
	}
	if st.BucketState, err = ObserveBucket(ctx, c.clients.s3(cfg), name, home); err != nil {
		return nil, fmt.Errorf("the central AWS Config bucket in account %s: %w", owner, err)
	}
	if a := c.want.Aggregator; a != nil {
		acct, err := t.Org.Alias(a.Account, "controls.config.aggregator")
		if err != nil {
			return nil, err
		}
		if st.Aggregator, err = c.observeAggregator(ctx, t, a.Name, acct.ID); err != nil {
			return nil, err
		}
	}
	return st, nil
}

func (c *ConfigOrganization) observeAggregator(ctx context.Context, t Target, name, account string) (*cfgAggState, error) {
	mgmt := t.Org.ManagementAccountID
	st := &cfgAggState{Name: name, Account: account, Management: mgmt}
	// Without trusted access there can be no delegated administrator (and
	// AWS refuses to list them); the management account needs none.
	admins := listAdminsIfTrusted
	if account == mgmt {
		admins = listAdminsNever
	}
	access, err := observeOrgAccess(ctx, c.clients.orgs(t.Config), cfgServicePrincipal, admins,
		"list the services with trusted access in the organization",
		"list the delegated administrators of "+cfgServicePrincipal)
	if err != nil {
		return nil, err
	}
	st.TrustedAccess = access.TrustedAccess
	st.DelegatedAdmin = account == mgmt || access.registered(account)
	home := t.Org.HomeRegion
	cfg, err := t.Org.Sessions.Config(ctx, account, home)
	if err != nil {
		return nil, err
	}
	ia := c.clients.iam(cfg)
	role, err := ia.GetRole(ctx, &iam.GetRoleInput{RoleName: aws.String(cfgAggregatorRole)})
	var nse *iamtypes.NoSuchEntityException
	switch {
	case err == nil:
		st.RoleExists, st.RoleARN = true, aws.ToString(role.Role.Arn)
		if st.RoleTrust, err = cfgNormalizeDoc(aws.ToString(role.Role.AssumeRolePolicyDocument)); err != nil {
			return nil, fmt.Errorf("role %s in account %s: trust policy: %w", cfgAggregatorRole, account, err)
		}
		pol, err := ia.GetRolePolicy(ctx, &iam.GetRolePolicyInput{RoleName: aws.String(cfgAggregatorRole), PolicyName: aws.String(cfgAggregatorRole)})
		switch {
		case err == nil:
			if st.RolePolicy, err = cfgNormalizeDoc(aws.ToString(pol.PolicyDocument)); err != nil {
				return nil, fmt.Errorf("role %s in account %s: policy %s: %w", cfgAggregatorRole, account, cfgAggregatorRole, err)
			}
		case errors.As(err, &nse):
		default:
			return nil, fmt.Errorf("get the policy of role %s in account %s: %w", cfgAggregatorRole, account, err)
		}
	case errors.As(err, &nse):
	default:
		return nil, fmt.Errorf("get role %s in account %s: %w", cfgAggregatorRole, account, err)
	}
	out, err := c.clients.config(cfg).DescribeConfigurationAggregators(ctx, &configservice.DescribeConfigurationAggregatorsInput{ConfigurationAggregatorNames: []string{name}})
	var nsa *cfgtypes.NoSuchConfigurationAggregatorException
	switch {
	case err == nil:
		for _, a := range out.ConfigurationAggregators {
			if aws.ToString(a.ConfigurationAggregatorName) != name {
				continue
			}
			agg := &cfgAggregator{AWSRegions: []string{}}
			if o := a.OrganizationAggregationSource; o != nil {
				agg.RoleARN, agg.AllAWSRegions = aws.ToString(o.RoleArn), o.AllAwsRegions
				agg.AWSRegions = append(agg.AWSRegions, o.AwsRegions...)
				sort.Strings(agg.AWSRegions)
			}
			st.Aggregator = agg
		}
	case errors.As(err, &nsa):
	default:
		return nil, fmt.Errorf("describe configuration aggregator %s in account %s (%s): %w", name, account, home, err)
	}
	return st, nil
}

// cfgNormalizeDoc decodes an IAM document (URL-encoded as IAM returns
// it, or plain) into its canonical form for comparison.
func cfgNormalizeDoc(doc string) (string, error) {
	if strings.HasPrefix(doc, "%") {
		if d, err := url.QueryUnescape(doc); err == nil {
			doc = d
		}
	}
	n, err := iampolicy.Normalize([]byte(doc))
	if err != nil {
		return "", err
	}
	return string(n), nil
}

func cfgMustNormalize(doc string) string {
	n, err := cfgNormalizeDoc(doc)
	if err != nil {
		panic("controls: a fixed policy document does not parse: " + err.Error())
	}
	return n
}

// cfgBucketStatements are the statements of the AWS-documented Config
// bucket policy for an organization's central bucket: the ACL and
// existence checks, and delivery under [prefix/]AWSLogs/*/Config/, each
// limited to the organization with aws:SourceOrgID (the confused-deputy
// guard AWS recommends for organization buckets). The policy's size does
// not grow with the number of accounts: listing every account id would
// pass S3's 20 KB policy limit at about 200 accounts.
func cfgBucketStatements(bucket, prefix, orgID string) []PolicyStatement {
	arn := "arn:aws:s3:::" + bucket
	if prefix != "" {
		prefix += "/"
	}
	principal := map[string]any{"Service": cfgServicePrincipal}
	source := map[string]any{"aws:SourceOrgID": orgID}
	return []PolicyStatement{
		{"Sid": cfgSidACL, "Effect": "Allow", "Principal": principal,
			"Action": "s3:GetBucketAcl", "Resource": arn, "Condition": map[string]any{"StringEquals": source}},
		{"Sid": cfgSidList, "Effect": "Allow", "Principal": principal,
			"Action": "s3:ListBucket", "Resource": arn, "Condition": map[string]any{"StringEquals": source}},
		{"Sid": cfgSidDelivery, "Effect": "Allow", "Principal": principal,
			"Action": "s3:PutObject", "Resource": arn + "/" + prefix + "AWSLogs/*/Config/*", "Condition": map[string]any{"StringEquals": map[string]any{
				"s3:x-amz-acl": "bucket-owner-full-control", "aws:SourceOrgID": orgID}}},
	}
}

// Diff plans, in order: the bucket and its policy, public access block,
// versioning and encryption (in the bucket's account), then the
// aggregator's trusted access and delegated administrator (management
// account), its role and the aggregator (aggregator account).
func (c *ConfigOrganization) Diff(t Target, observed any) ([]baseline.Change, error) {
	st, ok := observed.(*cfgOrgState)
	if !ok {
		return nil, fmt.Errorf("configOrganization: unexpected observation %T", observed)
	}
	// A bucket policy that cannot be read fails the bucket's part of the
	// plan; the aggregator's part is still planned.
	out, err := st.Bucket.Diff(st.BucketState)
	if err != nil {
		out, err = nil, fmt.Errorf("the central AWS Config bucket %s in account %s: %w", st.Bucket.Name, st.Bucket.Account, err)
	}
	if st.Aggregator != nil {
		out = append(out, c.diffAggregator(t, st.Aggregator)...)
	}
	return out, err
}

func (c *ConfigOrganization) diffAggregator(t Target, a *cfgAggState) []baseline.Change {
	home := t.Org.HomeRegion
	out := diffOrgAccess(orgAccessDiff{
		Control: c.Name(), Management: a.Management, Principal: cfgServicePrincipal,
		TrustedAccess: a.TrustedAccess,
		EnableReason:  "an organization aggregator needs trusted access for " + cfgServicePrincipal,
		Admin:         a.Account, Registered: a.DelegatedAdmin,
		AdminResource:  delegatedAdminPrefix + cfgServicePrincipal + "/" + a.Account,
		RegisterReason: "the aggregator's account must be a delegated administrator for " + cfgServicePrincipal,
	})
	wantTrust, wantPolicy := cfgMustNormalize(cfgAggregatorTrust), cfgMustNormalize(cfgAggregatorPolicy)
	if !a.RoleExists || a.RoleTrust != wantTrust || a.RolePolicy != wantPolicy {
		ch := baseline.Change{Control: c.Name(), Account: a.Account, Resource: "iam/role/" + cfgAggregatorRole,
			Action: baseline.ActionCreate, After: cfgRoleSettings(wantTrust, wantPolicy),
			Reason: "the role AWS Config assumes to aggregate the organization does not exist"}
		if a.RoleExists {
			ch.Action, ch.Before = baseline.ActionUpdate, cfgRoleSettings(a.RoleTrust, a.RolePolicy)
			ch.Reason = "the aggregator role's trust or permissions differ from what AWS Config needs"
		}
		out = append(out, ch)
	}
	roleARN := a.RoleARN
	if roleARN == "" {
		roleARN = "arn:aws:iam::" + a.Account + ":role/" + cfgAggregatorRole
	}
	regions := append([]string(nil), t.Org.Regions...)
	sort.Strings(regions)
	want := cfgAggregator{RoleARN: roleARN, AWSRegions: regions}
	if a.Aggregator == nil || !reflect.DeepEqual(*a.Aggregator, want) {
		ch := baseline.Change{Control: c.Name(), Account: a.Account, Region: home, Resource: "config/aggregator/" + a.Name,
			Action: baseline.ActionCreate, After: baseline.ToMap(want),
			Reason: "the organization aggregator does not exist"}
		if a.Aggregator != nil {
			ch.Action, ch.Before = baseline.ActionUpdate, baseline.ToMap(*a.Aggregator)
			ch.Reason = "the organization aggregator differs from the baseline"
		}
		out = append(out, ch)
	}
	return out
}

// cfgRoleSettings shows a role's documents as JSON values in a change.
func cfgRoleSettings(trust, policy string) map[string]any {
	m := map[string]any{"roleName": cfgAggregatorRole, "policyName": cfgAggregatorRole}
	var tv, pv any
	if json.Unmarshal([]byte(trust), &tv) == nil {
		m["assumeRolePolicy"] = tv
	}
	if policy != "" && json.Unmarshal([]byte(policy), &pv) == nil {
		m["policy"] = pv
	}
	return m
}

// cfgOrgAccessErrors word the errors of trusted access and delegated
// administration for configOrganization.
var cfgOrgAccessErrors = orgAccessErrors{
	Enable: func(principal, _ string) string {
		return fmt.Sprintf("enable trusted access for %s in the organization", principal)
	},
	Register: func(account, principal, _ string) string {
		return fmt.Sprintf("register account %s as delegated administrator for %s", account, principal)
	},
}

// Apply makes one change where it names: the bucket's account, the
// management account or the aggregator's account.
func (c *ConfigOrganization) Apply(ctx context.Context, t Target, ch baseline.Change) error {
	region := ch.Region
	if region == "" {
		region = t.Org.HomeRegion
	}
	cfg, err := t.Org.Sessions.Config(ctx, ch.Account, region)
	if err != nil {
		return err
	}
	res := ch.Resource
	switch {
	case IsBucketChange(ch):
		return ApplyBucketChange(ctx, c.clients.s3(cfg), ch)
	case strings.HasPrefix(res, trustedAccessPrefix), strings.HasPrefix(res, delegatedAdminPrefix):
		return applyOrgAccess(ctx, c.clients.orgs(cfg), ch, cfgServicePrincipal, cfgOrgAccessErrors)
	case strings.HasPrefix(res, "iam/role/"):
		return c.applyRole(ctx, c.clients.iam(cfg), ch)
	case strings.HasPrefix(res, "config/aggregator/"):
		var want cfgAggregator
		if err := ch.DecodeAfter(&want); err != nil {
			return err
		}
		name := strings.TrimPrefix(res, "config/aggregator/")
		_, err := c.clients.config(cfg).PutConfigurationAggregator(ctx, &configservice.PutConfigurationAggregatorInput{
			ConfigurationAggregatorName: aws.String(name),
			OrganizationAggregationSource: &cfgtypes.OrganizationAggregationSource{
				RoleArn: aws.String(want.RoleARN), AwsRegions: want.AWSRegions, AllAwsRegions: want.AllAWSRegions},
		})
		if err != nil {
			return fmt.Errorf("put configuration aggregator %s in account %s (%s): %w", name, ch.Account, region, err)
		}
		return nil
	}
	return fmt.Errorf("configOrganization: unknown resource %q in the plan", res)
}

func (c *ConfigOrganization) applyRole(ctx context.Context, api ConfigIAMAPI, ch baseline.Change) error {
	where := fmt.Sprintf("role %s in account %s", cfgAggregatorRole, ch.Account)
	_, err := api.CreateRole(ctx, &iam.CreateRoleInput{
		RoleName: aws.String(cfgAggregatorRole), AssumeRolePolicyDocument: aws.String(cfgAggregatorTrust),
		Description: aws.String("Assumed by AWS Config to aggregate the organization; managed by orgbaseline (controls.config.aggregator)"),
	})
	var exists *iamtypes.EntityAlreadyExistsException
	switch {
	case err == nil:
	case errors.As(err, &exists):
		if _, err := api.UpdateAssumeRolePolicy(ctx, &iam.UpdateAssumeRolePolicyInput{RoleName: aws.String(cfgAggregatorRole), PolicyDocument: aws.String(cfgAggregatorTrust)}); err != nil {
			return fmt.Errorf("update the trust policy of %s: %w", where, err)
		}
	default:
		return fmt.Errorf("create %s: %w", where, err)
	}
	if _, err := api.PutRolePolicy(ctx, &iam.PutRolePolicyInput{RoleName: aws.String(cfgAggregatorRole), PolicyName: aws.String(cfgAggregatorRole), PolicyDocument: aws.String(cfgAggregatorPolicy)}); err != nil {
		return fmt.Errorf("put the policy of %s: %w", where, err)
	}
	return nil
}

// Findings reports the central bucket setting by setting
// (config.bucketPolicy, config.bucketPublicAccessBlocked,
// config.bucketVersioning, config.bucketEncryption) and, when declared, the
// aggregator (config.aggregator).
func (c *ConfigOrganization) Findings(t Target, observed any) []baseline.Finding {
	st, ok := observed.(*cfgOrgState)
	if !ok {
		return nil
	}
	acctName := func(id string) string {
		if a := t.Org.Account(id); a != nil {
			return a.Name
		}
		return ""
	}
	b := st.Bucket
	var out []baseline.Finding
	for _, ck := range b.Checks(st.BucketState) {
		check := "config." + ck.Name
		f := baseline.Finding{
			Check: check, Source: "control:config", Account: b.Account, AccountName: acctName(b.Account), Region: b.Region,
			Resource: "arn:aws:s3:::" + b.Name, Status: baseline.StatusPass, Severity: baseline.SeverityHigh,
			Title: "Central AWS Config bucket: " + ck.Title, Message: ck.Message, Compliance: baseline.References(check),
		}
		if !ck.OK {
			f.Status, f.Remediation = baseline.StatusFail, "run `orgbaseline apply` to create and lock down the central AWS Config bucket "+b.Name
		}
		out = append(out, f)
	}
	if a := st.Aggregator; a != nil {
		g := baseline.Finding{
			Check: "config.aggregator", Source: "control:config", Account: a.Account, AccountName: acctName(a.Account), Region: t.Org.HomeRegion,
			Resource: "config/aggregator/" + a.Name, Status: baseline.StatusPass, Severity: baseline.SeverityLow,
			Title: "An organization AWS Config aggregator is in place", Compliance: baseline.References("config.aggregator"),
			Message: fmt.Sprintf("aggregator %s aggregates the organization's AWS Config data in account %s", a.Name, a.Account),
		}
		if chs := c.diffAggregator(t, a); len(chs) > 0 {
			var why []string
			for _, ch := range chs {
				why = append(why, ch.Reason)
			}
			g.Status, g.Remediation = baseline.StatusFail, "run `orgbaseline apply` to set up the organization aggregator"
			g.Message = fmt.Sprintf("aggregator %s: %s", a.Name, strings.Join(why, "; "))
		}
		out = append(out, g)
	}
	return out
}

// ============================================================================
// configRole: the AWS Config service-linked role, once per account
// ============================================================================

// ConfigRole creates the AWS Config service-linked role in every targeted
// account. It is an account-scope control of its own so that the role
// (global) exists before any region's recorder names it, whatever order
// the governed regions are listed in.
type ConfigRole struct {
	clients cfgClients
}

func (*ConfigRole) Name() string { return "configRole" }
func (*ConfigRole) Scope() Scope { return ScopeAccount }
func (*ConfigRole) Actions() []string {
	return []string{"iam:CreateServiceLinkedRole", "iam:GetRole"}
}

func cfgSLRARN(account string) string {
	return "arn:aws:iam::" + account + ":role/" + cfgSLRPath + cfgSLRName
}

// cfgRoleState is whether the service-linked role exists.
type cfgRoleState struct{ Exists bool }

func (c *ConfigRole) Observe(ctx context.Context, t Target) (any, error) {
	_, err := c.clients.iam(t.Config).GetRole(ctx, &iam.GetRoleInput{RoleName: aws.String(cfgSLRName)})
	var nse *iamtypes.NoSuchEntityException
	switch {
	case err == nil:
		return &cfgRoleState{Exists: true}, nil
	case errors.As(err, &nse):
		return &cfgRoleState{}, nil
	}
	return nil, fmt.Errorf("get role %s: %w", cfgSLRName, err)
}

func (c *ConfigRole) Diff(t Target, observed any) ([]baseline.Change, error) {
	st, ok := observed.(*cfgRoleState)
	if !ok {
		return nil, fmt.Errorf("configRole: unexpected observation %T", observed)
	}
	if st.Exists {
		return nil, nil
	}
	return []baseline.Change{{Control: c.Name(), Account: t.AccountID, Resource: "iam/role/" + cfgSLRPath + cfgSLRName,
		Action: baseline.ActionCreate, After: map[string]any{"awsServiceName": cfgServicePrincipal},
		Reason: "the AWS Config service-linked role, which the recorders use, does not exist"}}, nil
}

func (c *ConfigRole) Apply(ctx context.Context, t Target, ch baseline.Change) error {
	api := c.clients.iam(t.Config)
	_, err := api.CreateServiceLinkedRole(ctx, &iam.CreateServiceLinkedRoleInput{AWSServiceName: aws.String(cfgServicePrincipal)})
	if err == nil {
		return nil
	}
	// Created meanwhile (IAM answers InvalidInput "has been taken").
	if _, gerr := api.GetRole(ctx, &iam.GetRoleInput{RoleName: aws.String(cfgSLRName)}); gerr == nil {
		return nil
	}
	return fmt.Errorf("create the service-linked role for %s: %w", cfgServicePrincipal, err)
}

// Findings: the role's absence shows in config.enabled (the recorder
// cannot record without it); no finding of its own.
func (*ConfigRole) Findings(Target, any) []baseline.Finding { return nil }

// ============================================================================
// config: recorder, delivery channel, start, rules per account and region
// ============================================================================

// ConfigRecorder manages AWS Config in one account and region: the
// configuration recorder, the delivery channel to the central bucket, the
// recorder's status and the declared managed rules.
type ConfigRecorder struct {
	want    configWant
	clients cfgClients
}

func (*ConfigRecorder) Name() string { return "config" }
func (*ConfigRecorder) Scope() Scope { return ScopeRegional }

// Actions are the calls made in every targeted account and region.
func (*ConfigRecorder) Actions() []string {
	return []string{
		"config:DeleteConfigRule", "config:DescribeConfigRules", "config:DescribeConfigurationRecorderStatus",
		"config:DescribeConfigurationRecorders", "config:DescribeDeliveryChannels", "config:ListTagsForResource",
		"config:PutConfigRule", "config:PutConfigurationRecorder", "config:PutDeliveryChannel",
		"config:StartConfigurationRecorder", "config:TagResource", "iam:PassRole",
	}
}

// cfgRecorderSettings is a recorder as plans show it.
type cfgRecorderSettings struct {
	Name                       string   `json:"name"`
	RoleARN                    string   `json:"roleARN"`
	AllSupported               bool     `json:"allSupported"`
	IncludeGlobalResourceTypes bool     `json:"includeGlobalResourceTypes"`
	RecordingFrequency         string   `json:"recordingFrequency"`
	ResourceTypes              []string `json:"resourceTypes,omitempty"`
	ExcludedResourceTypes      []string `json:"excludedResourceTypes,omitempty"`
	RecordingModeOverrides     int      `json:"recordingModeOverrides,omitempty"`
}

// cfgChannelSettings is a delivery channel as plans show it. The SNS
// topic is not managed: it is kept as it is.
type cfgChannelSettings struct {
	Name              string `json:"name"`
	S3BucketName      string `json:"s3BucketName"`
	S3KeyPrefix       string `json:"s3KeyPrefix,omitempty"`
	S3KmsKeyArn       string `json:"s3KmsKeyArn,omitempty"`
	SnsTopicARN       string `json:"snsTopicARN,omitempty"`
	DeliveryFrequency string `json:"deliveryFrequency,omitempty"`
}

// cfgRuleSettings is a Config rule as plans show it.
type cfgRuleSettings struct {
	Name                      string            `json:"name"`
	Owner                     string            `json:"owner"`
	SourceIdentifier          string            `json:"sourceIdentifier"`
	InputParameters           map[string]string `json:"inputParameters,omitempty"`
	MaximumExecutionFrequency string            `json:"maximumExecutionFrequency,omitempty"`
}

type cfgObservedRule struct {
	cfgRuleSettings
	ARN     string
	Managed bool // tagged orgbaseline:managed=true
}

// cfgRegionState is AWS Config in one account and region.
type cfgRegionState struct {
	Recorder   *cfgRecorderSettings
	RecorderID string // ARN, when known
	Recording  bool
	LastStatus string
	LastError  string
	Channel    *cfgChannelSettings
	Rules      map[string]*cfgObservedRule
	Bucket     string // the central bucket's name, for this run
}

// Observe reads the recorder, its status, the delivery channel and the
// rules, and the ownership tag of each rule that is not declared.
func (c *ConfigRecorder) Observe(ctx context.Context, t Target) (any, error) {
	owner, err := c.want.bucketOwner(t)
	if err != nil {
		return nil, err
	}
	api := c.clients.config(t.Config)
	st := &cfgRegionState{Rules: map[string]*cfgObservedRule{}, Bucket: c.want.bucketName(owner, t.Org.HomeRegion)}
	recs, err := api.DescribeConfigurationRecorders(ctx, &configservice.DescribeConfigurationRecordersInput{})
	if err != nil {
		return nil, fmt.Errorf("describe configuration recorders: %w", err)
	}
	for _, r := range recs.ConfigurationRecorders {
		if r.ServicePrincipal != nil {
			continue // a service-linked recorder (of another AWS service): not ours
		}
		s := &cfgRecorderSettings{Name: aws.ToString(r.Name), RoleARN: aws.ToString(r.RoleARN)}
		if g := r.RecordingGroup; g != nil {
			s.AllSupported, s.IncludeGlobalResourceTypes = g.AllSupported, g.IncludeGlobalResourceTypes
			for _, rt := range g.ResourceTypes {
				s.ResourceTypes = append(s.ResourceTypes, string(rt))
			}
			if g.ExclusionByResourceTypes != nil {
				for _, rt := range g.ExclusionByResourceTypes.ResourceTypes {
					s.ExcludedResourceTypes = append(s.ExcludedResourceTypes, string(rt))
				}
			}
		}
		s.RecordingFrequency = string(cfgtypes.RecordingFrequencyContinuous)
		if m := r.RecordingMode; m != nil {
			if m.RecordingFrequency != "" {
				s.RecordingFrequency = string(m.RecordingFrequency)
			}
			s.RecordingModeOverrides = len(m.RecordingModeOverrides)
		}
		st.Recorder, st.RecorderID = s, aws.ToString(r.Arn)
		break
	}
	if st.Recorder != nil {
		out, err := api.DescribeConfigurationRecorderStatus(ctx, &configservice.DescribeConfigurationRecorderStatusInput{})
		if err != nil {
			return nil, fmt.Errorf("describe configuration recorder status: %w", err)
		}
		for _, s := range out.ConfigurationRecordersStatus {
			if aws.ToString(s.Name) == st.Recorder.Name && s.ServicePrincipal == nil {
				st.Recording, st.LastStatus, st.LastError = s.Recording, string(s.LastStatus), aws.ToString(s.LastErrorCode)
			}
		}
	}
	chs, err := api.DescribeDeliveryChannels(ctx, &configservice.DescribeDeliveryChannelsInput{})
	if err != nil {
		return nil, fmt.Errorf("describe delivery channels: %w", err)
	}
	for _, ch := range chs.DeliveryChannels {
		s := &cfgChannelSettings{Name: aws.ToString(ch.Name), S3BucketName: aws.ToString(ch.S3BucketName), S3KeyPrefix: aws.ToString(ch.S3KeyPrefix),
			S3KmsKeyArn: aws.ToString(ch.S3KmsKeyArn), SnsTopicARN: aws.ToString(ch.SnsTopicARN)}
		if p := ch.ConfigSnapshotDeliveryProperties; p != nil {
			s.DeliveryFrequency = string(p.DeliveryFrequency)
		}
		st.Channel = s
		break
	}
	declared := map[string]bool{}
	for _, r := range c.want.Rules {
		declared[r.Name] = true
	}
	p := configservice.NewDescribeConfigRulesPaginator(api, &configservice.DescribeConfigRulesInput{})
	for p.HasMorePages() {
		out, err := p.NextPage(ctx)
		if err != nil {
			return nil, fmt.Errorf("describe config rules: %w", err)
		}
		for _, r := range out.ConfigRules {
			or := &cfgObservedRule{ARN: aws.ToString(r.ConfigRuleArn)}
			or.Name = aws.ToString(r.ConfigRuleName)
			if r.Source != nil {
				or.Owner, or.SourceIdentifier = string(r.Source.Owner), aws.ToString(r.Source.SourceIdentifier)
			}
			or.InputParameters = cfgParseParameters(aws.ToString(r.InputParameters))
			or.MaximumExecutionFrequency = string(r.MaximumExecutionFrequency)
			if !declared[or.Name] && r.CreatedBy == nil && or.ARN != "" {
				// Only undeclared rules need their owner known: they are
				// deleted when orgbaseline created them. Service-linked
				// rules (CreatedBy set) never are.
				if or.Managed, err = c.managedTag(ctx, api, or.ARN); err != nil {
					return nil, err
				}
			}
			st.Rules[or.Name] = or
		}
	}
	return st, nil
}

func (c *ConfigRecorder) managedTag(ctx context.Context, api ConfigServiceAPI, arn string) (bool, error) {
	p := configservice.NewListTagsForResourcePaginator(api, &configservice.ListTagsForResourceInput{ResourceArn: aws.String(arn)})
	for p.HasMorePages() {
		out, err := p.NextPage(ctx)
		if err != nil {
			return false, fmt.Errorf("list the tags of config rule %s: %w", arn, err)
		}
		for _, tg := range out.Tags {
			if aws.ToString(tg.Key) == cfgManagedTagKey && aws.ToString(tg.Value) == cfgManagedTagValue {
				return true, nil
			}
		}
	}
	return false, nil
}

// cfgParseParameters reads InputParameters as the map of strings it
// holds; values that are not strings are rendered as JSON.
func cfgParseParameters(raw string) map[string]string {
	if strings.TrimSpace(raw) == "" {
		return nil
	}
	var m map[string]any
	if json.Unmarshal([]byte(raw), &m) != nil {
		return map[string]string{"": raw} // not an object: never equal to a declaration
	}
	if len(m) == 0 {
		return nil
	}
	out := make(map[string]string, len(m))
	for k, v := range m {
		if s, ok := v.(string); ok {
			out[k] = s
		} else {
			b, _ := json.Marshal(v)
			out[k] = string(b)
		}
	}
	return out
}

func (c *ConfigRecorder) wantRecorder(t Target, st *cfgRegionState) cfgRecorderSettings {
	name := cfgDefaultName
	if st.Recorder != nil {
		name = st.Recorder.Name // adopt the account's recorder: there can be only one
	}
	return cfgRecorderSettings{Name: name, RoleARN: cfgSLRARN(t.AccountID), AllSupported: true,
		IncludeGlobalResourceTypes: t.Region == t.Org.HomeRegion, RecordingFrequency: c.want.RecordingFrequency}
}

func (c *ConfigRecorder) wantChannel(st *cfgRegionState) cfgChannelSettings {
	w := cfgChannelSettings{Name: cfgDefaultName, S3BucketName: st.Bucket, S3KeyPrefix: c.want.KeyPrefix, S3KmsKeyArn: c.want.KMSKeyARN,
		DeliveryFrequency: c.want.DeliveryFrequency}
	if st.Channel != nil {
		w.Name, w.SnsTopicARN = st.Channel.Name, st.Channel.SnsTopicARN
	}
	return w
}

func (c *ConfigRecorder) wantRule(r baseline.ConfigRuleSettings) cfgRuleSettings {
	s := cfgRuleSettings{Name: r.Name, Owner: string(cfgtypes.OwnerAws), SourceIdentifier: r.Identifier,
		MaximumExecutionFrequency: r.MaximumExecutionFrequency}
	if len(r.Parameters) > 0 {
		s.InputParameters = r.Parameters
	}
	return s
}

// cfgRuleMatches compares what the baseline manages of a rule: its
// source, its parameters (as a map: key order and formatting do not
// matter) and, when declared, its frequency (unset leaves AWS's default).
func cfgRuleMatches(have, want cfgRuleSettings) bool {
	if have.Owner != want.Owner || have.SourceIdentifier != want.SourceIdentifier {
		return false
	}
	if want.MaximumExecutionFrequency != "" && have.MaximumExecutionFrequency != want.MaximumExecutionFrequency {
		return false
	}
	if len(have.InputParameters) != len(want.InputParameters) {
		return false
	}
	for k, v := range want.InputParameters {
		if hv, ok := have.InputParameters[k]; !ok || hv != v {
			return false
		}
	}
	return true
}

// Resources of the regional changes.
func cfgRecorderResource(name string) string  { return "config/recorder/" + name }
func cfgRecordingResource(name string) string { return "config/recorder/" + name + "/recording" }
func cfgChannelResource(name string) string   { return "config/delivery-channel/" + name }
func cfgRuleResource(name string) string      { return "config/rule/" + name }

// Diff plans, in this order: recorder, delivery channel, start, then the
// rules (created and updated, then the rules orgbaseline created that left
// the baseline deleted), each sorted by name.
func (c *ConfigRecorder) Diff(t Target, observed any) ([]baseline.Change, error) {
	st, ok := observed.(*cfgRegionState)
	if !ok {
		return nil, fmt.Errorf("config: unexpected observation %T", observed)
	}
	mk := func(resource string, action baseline.Action, before, after map[string]any, reason string) baseline.Change {
		return baseline.Change{Control: c.Name(), Account: t.AccountID, Region: t.Region, Resource: resource,
			Action: action, Before: before, After: after, Reason: reason}
	}
	var out []baseline.Change
	rec := c.wantRecorder(t, st)
	switch {
	case st.Recorder == nil:
		out = append(out, mk(cfgRecorderResource(rec.Name), baseline.ActionCreate, nil, baseline.ToMap(rec), "the region has no configuration recorder"))
	case !reflect.DeepEqual(*st.Recorder, rec):
		ch := mk(cfgRecorderResource(rec.Name), baseline.ActionUpdate, baseline.ToMap(*st.Recorder), baseline.ToMap(rec), "")
		ch.Reason = "the configuration recorder differs from the baseline in " + strings.Join(fieldNames(ch), ", ")
		out = append(out, ch)
	}
	chn := c.wantChannel(st)
	switch {
	case st.Channel == nil:
		out = append(out, mk(cfgChannelResource(chn.Name), baseline.ActionCreate, nil, baseline.ToMap(chn), "the region has no delivery channel"))
	case *st.Channel != chn:
		ch := mk(cfgChannelResource(chn.Name), baseline.ActionUpdate, baseline.ToMap(*st.Channel), baseline.ToMap(chn), "")
		ch.Reason = "the delivery channel differs from the baseline in " + strings.Join(fieldNames(ch), ", ")
		out = append(out, ch)
	}
	if !st.Recording {
		out = append(out, mk(cfgRecordingResource(rec.Name), baseline.ActionUpdate, map[string]any{"recording": false},
			map[string]any{"recording": true}, "the configuration recorder is not recording"))
	}
	for _, r := range c.want.Rules {
		want := c.wantRule(r)
		have := st.Rules[r.Name]
		switch {
		case have == nil:
			out = append(out, mk(cfgRuleResource(r.Name), baseline.ActionCreate, nil, baseline.ToMap(want), "the rule does not exist"))
		case !cfgRuleMatches(have.cfgRuleSettings, want):
			ch := mk(cfgRuleResource(r.Name), baseline.ActionUpdate, baseline.ToMap(have.cfgRuleSettings), baseline.ToMap(want), "")
			ch.Reason = "the rule differs from the baseline in " + strings.Join(fieldNames(ch), ", ")
			out = append(out, ch)
		}
	}
	declared := map[string]bool{}
	for _, r := range c.want.Rules {
		declared[r.Name] = true
	}
	var gone []string
	for name, r := range st.Rules {
		if !declared[name] && r.Managed {
			gone = append(gone, name)
		}
	}
	sort.Strings(gone)
	for _, name := range gone {
		out = append(out, mk(cfgRuleResource(name), baseline.ActionDelete, baseline.ToMap(st.Rules[name].cfgRuleSettings), nil,
			"orgbaseline created this rule and the baseline no longer declares it"))
	}
	return out, nil
}

// Apply makes one change in the target's account and region.
func (c *ConfigRecorder) Apply(ctx context.Context, t Target, ch baseline.Change) error {
	api := c.clients.config(t.Config)
	where := fmt.Sprintf("in %s (%s)", t.AccountID, t.Region)
	res := ch.Resource
	switch {
	case strings.HasPrefix(res, "config/recorder/") && strings.HasSuffix(res, "/recording"):
		name := strings.TrimSuffix(strings.TrimPrefix(res, "config/recorder/"), "/recording")
		if _, err := api.StartConfigurationRecorder(ctx, &configservice.StartConfigurationRecorderInput{ConfigurationRecorderName: aws.String(name)}); err != nil {
			return fmt.Errorf("start configuration recorder %s %s: %w", name, where, err)
		}
		return nil
	case strings.HasPrefix(res, "config/recorder/"):
		var s cfgRecorderSettings
		if err := ch.DecodeAfter(&s); err != nil {
			return err
		}
		_, err := api.PutConfigurationRecorder(ctx, &configservice.PutConfigurationRecorderInput{ConfigurationRecorder: &cfgtypes.ConfigurationRecorder{
			Name: aws.String(s.Name), RoleARN: aws.String(s.RoleARN),
			RecordingGroup: &cfgtypes.RecordingGroup{AllSupported: s.AllSupported, IncludeGlobalResourceTypes: s.IncludeGlobalResourceTypes},
			RecordingMode:  &cfgtypes.RecordingMode{RecordingFrequency: cfgtypes.RecordingFrequency(s.RecordingFrequency)},
		}})
		if err != nil {
			return fmt.Errorf("put configuration recorder %s %s: %w", s.Name, where, err)
		}
		return nil
	case strings.HasPrefix(res, "config/delivery-channel/"):
		var s cfgChannelSettings
		if err := ch.DecodeAfter(&s); err != nil {
			return err
		}
		dc := &cfgtypes.DeliveryChannel{Name: aws.String(s.Name), S3BucketName: aws.String(s.S3BucketName)}
		if s.S3KeyPrefix != "" {
			dc.S3KeyPrefix = aws.String(s.S3KeyPrefix)
		}
		if s.S3KmsKeyArn != "" {
			dc.S3KmsKeyArn = aws.String(s.S3KmsKeyArn)
		}
		if s.SnsTopicARN != "" {
			dc.SnsTopicARN = aws.String(s.SnsTopicARN)
		}
		if s.DeliveryFrequency != "" {
			dc.ConfigSnapshotDeliveryProperties = &cfgtypes.ConfigSnapshotDeliveryProperties{DeliveryFrequency: cfgtypes.MaximumExecutionFrequency(s.DeliveryFrequency)}
		}
		if _, err := api.PutDeliveryChannel(ctx, &configservice.PutDeliveryChannelInput{DeliveryChannel: dc}); err != nil {
			return fmt.Errorf("put delivery channel %s to bucket %s %s: %w", s.Name, s.S3BucketName, where, err)
		}
		return nil
	case strings.HasPrefix(res, "config/rule/") && ch.Action == baseline.ActionDelete:
		name := strings.TrimPrefix(res, "config/rule/")
		_, err := api.DeleteConfigRule(ctx, &configservice.DeleteConfigRuleInput{ConfigRuleName: aws.String(name)})
		var nsr *cfgtypes.NoSuchConfigRuleException
		if err != nil && !errors.As(err, &nsr) {
			return fmt.Errorf("delete config rule %s %s: %w", name, where, err)
		}
		return nil
	case strings.HasPrefix(res, "config/rule/"):
		var s cfgRuleSettings
		if err := ch.DecodeAfter(&s); err != nil {
			return err
		}
		params := "{}" // what AWS reports for no parameters; clears old ones on update
		if len(s.InputParameters) > 0 {
			b, err := json.Marshal(s.InputParameters)
			if err != nil {
				return err
			}
			params = string(b)
		}
		in := &configservice.PutConfigRuleInput{ConfigRule: &cfgtypes.ConfigRule{
			ConfigRuleName:            aws.String(s.Name),
			Source:                    &cfgtypes.Source{Owner: cfgtypes.Owner(s.Owner), SourceIdentifier: aws.String(s.SourceIdentifier)},
			InputParameters:           aws.String(params),
			MaximumExecutionFrequency: cfgtypes.MaximumExecutionFrequency(s.MaximumExecutionFrequency),
		}}
		if ch.Action == baseline.ActionCreate {
			// Only rules orgbaseline creates carry the tag, so only those
			// are ever deleted by it.
			in.Tags = []cfgtypes.Tag{{Key: aws.String(cfgManagedTagKey), Value: aws.String(cfgManagedTagValue)}}
		}
		if _, err := api.PutConfigRule(ctx, in); err != nil {
			return fmt.Errorf("put config rule %s %s: %w", s.Name, where, err)
		}
		return nil
	}
	return fmt.Errorf("config: unknown resource %q in the plan", res)
}

// Findings reports, for the account and region: config.enabled (CIS 3.3:
// a recorder of all supported resources, global types in the home region,
// recording without failure, with a delivery channel), config.centralDelivery
// (the channel delivers to the baseline's bucket) and one config.rule per
// declared rule.
func (c *ConfigRecorder) Findings(t Target, observed any) []baseline.Finding {
	st, ok := observed.(*cfgRegionState)
	if !ok {
		return nil
	}
	home := t.Region == t.Org.HomeRegion
	recARN := st.RecorderID
	if recARN == "" {
		recARN = "arn:aws:config:" + t.Region + ":" + t.AccountID + ":configuration-recorder/" + cfgDefaultName
	}
	mk := func(check, resource, title string, sev baseline.Severity, problems []string, okMsg, fix string) baseline.Finding {
		f := baseline.Finding{Check: check, Source: "control:config", Account: t.AccountID, AccountName: t.AccountName, Region: t.Region,
			Resource: resource, Status: baseline.StatusPass, Severity: sev, Title: title, Message: okMsg, Compliance: baseline.References(check)}
		if len(problems) > 0 {
			f.Status, f.Message, f.Remediation = baseline.StatusFail, strings.Join(problems, "; "), fix
		}
		return f
	}
	const fix = "run `orgbaseline apply` to set up AWS Config as the baseline declares"
	var p []string
	switch r := st.Recorder; {
	case r == nil:
		p = append(p, "the region has no configuration recorder")
	default:
		if !r.AllSupported {
			p = append(p, "the recorder does not record all supported resource types")
		}
		if home && !r.IncludeGlobalResourceTypes {
			p = append(p, "the recorder of the home region does not record global resource types (IAM)")
		}
		if !st.Recording {
			p = append(p, "the recorder is not recording")
		}
		if st.LastStatus == string(cfgtypes.RecorderStatusFailure) {
			p = append(p, "the recorder's last recording failed ("+st.LastError+")")
		}
	}
	if st.Channel == nil {
		p = append(p, "the region has no delivery channel")
	}
	enabled := mk("config.enabled", recARN, "AWS Config is enabled in the region", baseline.SeverityHigh, p,
		"the recorder records all supported resources and delivers through a channel", fix)
	enabled.Evidence = map[string]any{"recording": st.Recording, "lastStatus": st.LastStatus}
	out := []baseline.Finding{enabled}

	var dp []string
	switch ch := st.Channel; {
	case ch == nil:
		dp = append(dp, "the region has no delivery channel")
	case ch.S3BucketName != st.Bucket || ch.S3KeyPrefix != c.want.KeyPrefix:
		dp = append(dp, fmt.Sprintf("the delivery channel writes to s3://%s/%s, not to the central bucket s3://%s/%s", ch.S3BucketName, ch.S3KeyPrefix, st.Bucket, c.want.KeyPrefix))
	}
	out = append(out, mk("config.centralDelivery", "arn:aws:s3:::"+st.Bucket, "AWS Config delivers to the central bucket", baseline.SeverityMedium, dp,
		"the delivery channel writes to the central bucket "+st.Bucket, fix))

	for _, r := range c.want.Rules {
		want := c.wantRule(r)
		have := st.Rules[r.Name]
		var rp []string
		resource := "config/rule/" + r.Name
		switch {
		case have == nil:
			rp = append(rp, fmt.Sprintf("the rule %s (%s) does not exist", r.Name, r.Identifier))
		case !cfgRuleMatches(have.cfgRuleSettings, want):
			rp = append(rp, fmt.Sprintf("the rule %s differs from the baseline", r.Name))
		}
		if have != nil && have.ARN != "" {
			resource = have.ARN
		}
		out = append(out, mk("config.rule", resource, "AWS Config rule "+r.Name+" is deployed as declared", baseline.SeverityMedium, rp,
			fmt.Sprintf("the rule %s (%s) is deployed as declared", r.Name, r.Identifier), fix))
	}
	return out
}
