package controls

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/configservice"
	"github.com/aws/aws-sdk-go-v2/service/iam"
	"github.com/aws/aws-sdk-go-v2/service/organizations"

	"github.com/orgbaseline/orgbaseline/baseline"
	"github.com/orgbaseline/orgbaseline/internal/awsapi"
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
//     recorder -> delivery channel -> start -> rules, in that order; the
//     rules that evaluate IAM in the home region only, unless
//     controls.config.iamRulesInEveryRegion.
//
// One file each (configorganization.go, configrole.go,
// configrecorder.go); this file holds what they share, among it cfgRun:
// what this run made, so that a step that depends on it waits for AWS to
// use it.

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
	cl, run := cfgDefaultClients(), &cfgRun{}
	return []Control{
		&ConfigOrganization{want: w, clients: cl, run: run},
		&ConfigRole{clients: cl, run: run},
		&ConfigRecorder{want: w, clients: cl, run: run},
	}, nil
}

// cfgRun is what this run made that AWS Config may not use yet, shared by
// the three Config controls (madeThisRun): a step waits out Config's "not
// usable yet" error only for something this run made. A nil cfgRun (a
// control built alone) made nothing.
type cfgRun struct{ made madeThisRun }

// What configRole and configOrganization record.
const (
	cfgMadeSLR            = "config-slr/" // + account
	cfgMadeBucketPolicy   = "config-bucket-policy"
	cfgMadeAggregatorRole = "config-aggregator-role"
	cfgMadeAdmin          = "config-delegated-admin"
)

func (r *cfgRun) note(key string) {
	if r != nil {
		r.made.note(key, "")
	}
}

func (r *cfgRun) has(key string) bool { return r != nil && r.made.has(key) }

func (r *cfgRun) madeSLR(account string) { r.note(cfgMadeSLR + account) }
func (r *cfgRun) wroteBucketPolicy()     { r.note(cfgMadeBucketPolicy) }
func (r *cfgRun) madeAggregatorRole()    { r.note(cfgMadeAggregatorRole) }
func (r *cfgRun) registeredAdmin()       { r.note(cfgMadeAdmin) }

// deliveryWaits says what a delivery channel of account may have to wait
// for: its service-linked role and the central bucket's policy, when this
// run made them; "" when nothing.
func (r *cfgRun) deliveryWaits(account, bucket string) string {
	var what []string
	if r.has(cfgMadeSLR + account) {
		what = append(what, "AWS Config's service-linked role in "+account+" to be usable by AWS Config")
	}
	if r.has(cfgMadeBucketPolicy) {
		what = append(what, "the policy of bucket "+bucket+" to reach AWS Config")
	}
	return strings.Join(what, " and ")
}

// aggregatorWaits says what the aggregator may have to wait for, and the
// error codes AWS Config answers until then; "" when nothing.
func (r *cfgRun) aggregatorWaits(account string) (string, []string) {
	var what, codes []string
	if r.has(cfgMadeAggregatorRole) {
		what = append(what, "role "+cfgAggregatorRole+" in "+account+" to be usable by AWS Config")
		codes = append(codes, "InvalidRoleException")
	}
	if r.has(cfgMadeAdmin) {
		what = append(what, "AWS Config to see "+account+" as its delegated administrator")
		codes = append(codes, "OrganizationAccessDeniedException")
	}
	return strings.Join(what, " and "), codes
}

// cfgIsCode recognises AWS errors with one of codes.
func cfgIsCode(codes ...string) func(error) bool {
	return func(err error) bool {
		c := apiCode(err)
		for _, want := range codes {
			if c == want {
				return true
			}
		}
		return false
	}
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
