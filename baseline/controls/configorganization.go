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

	"github.com/orgbaseline/orgbaseline/baseline"
	"github.com/orgbaseline/orgbaseline/internal/awsapi"
	"github.com/orgbaseline/orgbaseline/internal/iampolicy"
)

// ConfigOrganization manages the organization-wide parts of AWS Config:
// the central delivery bucket and the optional organization aggregator.
type ConfigOrganization struct {
	want    configWant
	clients cfgClients
	run     *cfgRun
}

func (*ConfigOrganization) Name() string { return "configOrganization" }
func (*ConfigOrganization) Scope() Scope { return ScopeOrganization }

// NeedsAllFeatures: the central bucket is plain S3; only the aggregator
// needs trusted access and a delegated administrator.
func (c *ConfigOrganization) NeedsAllFeatures() bool { return c.want.Aggregator != nil }

// Actions are the actions of Calls.
func (c *ConfigOrganization) Actions() []string { return actionsOf(c) }

// Calls are the calls made as the execution role in the log-archive
// account (the bucket, bucketCalls) and, with an aggregator, in its
// account, in the home region: the role Config assumes (IAM, at its
// global endpoint), and the aggregator. Config authorizes the caller's
// iam:PassRole for the role (IAM user guide, "Grant a user permissions to
// pass a role to an AWS service") and, from a delegated administrator,
// its organizations:ListDelegatedAdministrators (Config's answer without
// it: "This action can only be performed if you are a registered
// delegated administrator for AWS Config with permissions to call
// ListDelegatedAdministrators API"). DescribeConfigurationAggregators has
// no resource-level permissions; PutConfigurationAggregator is authorized
// on the aggregator, whose ARN ends in an id Config generates
// (config-aggregator/${AggregatorId}, Service Authorization Reference,
// "Actions, resources, and condition keys for AWS Config"); no tags are
// sent.
func (c *ConfigOrganization) Calls(o *Org) []Call {
	home := o.HomeRegion
	la := o.callsIn(c.Name(), c.want.BucketAccount)
	out := bucketCalls(la, o, c.want.bucketName(la.account, home), home)
	a := c.want.Aggregator
	if a == nil {
		return out
	}
	w := o.callsIn(c.Name(), a.Account)
	role := o.ARN("iam", "", "{account}", "role/"+cfgAggregatorRole)
	for _, act := range []string{"iam:GetRole", "iam:GetRolePolicy", "iam:CreateRole", "iam:UpdateAssumeRolePolicy", "iam:PutRolePolicy"} {
		out = append(out, w.call(act, role, InGlobalRegion))
	}
	return append(out,
		w.call("config:DescribeConfigurationAggregators", "*", InHomeRegion),
		w.call("config:PutConfigurationAggregator", o.ARN("config", "{region}", "{account}", "config-aggregator/*"), InHomeRegion),
		w.call("iam:PassRole", role, InHomeRegion, "iam:passedtoservice", cfgServicePrincipal),
		w.call("organizations:ListDelegatedAdministrators", "*", InHomeRegion),
	)
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
		Statements: cfgBucketStatements(t.Org, name, c.want.KeyPrefix), KMSKeyARN: c.want.KMSKeyARN}}
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

// cfgBucketStatements are the statements of the central bucket's policy
// that admit AWS Config's deliveries from the organization's accounts.
//
// What AWS documents (the Config developer guide, "Permissions for the
// Amazon S3 Bucket for the AWS Config Delivery Channel"): with the
// service-linked role, which the recorders use, Config writes as its
// service principal config.amazonaws.com, to a bucket of its own account
// or another; the policy grants it s3:GetBucketAcl
// (AWSConfigBucketPermissionsCheck), s3:ListBucket
// (AWSConfigBucketExistenceCheck, which HeadBucket needs) and s3:PutObject
// under [prefix/]AWSLogs/<account>/Config/ with the
// bucket-owner-full-control ACL (AWSConfigBucketDelivery), each limited to
// the accounts Config acts for. The guide's example limits them with
// aws:SourceAccount, one account per policy, and notes that the
// principal's organization keys (aws:PrincipalOrgID) do not work for the
// service principal. For an organization's central bucket this policy
// uses aws:SourceOrgID instead, as AWS Control Tower's log bucket does for
// the same deliveries (Control Tower user guide, the log archive and
// audit bucket policies: AWSBucketDeliveryForConfig with aws:SourceOrgID):
// the key names the organization of the account Config acts for, so the
// policy's size does not grow with the number of accounts (listing every
// account id would pass S3's 20 KB policy limit at a few hundred
// accounts), and an account of another organization is refused.
func cfgBucketStatements(o *Org, bucket, prefix string) []PolicyStatement {
	arn := o.ARN("s3", "", "", bucket)
	if prefix != "" {
		prefix += "/"
	}
	principal := map[string]any{"Service": cfgServicePrincipal}
	source := map[string]any{"aws:SourceOrgID": o.ID}
	return []PolicyStatement{
		{"Sid": cfgSidACL, "Effect": "Allow", "Principal": principal,
			"Action": "s3:GetBucketAcl", "Resource": arn, "Condition": map[string]any{"StringEquals": source}},
		{"Sid": cfgSidList, "Effect": "Allow", "Principal": principal,
			"Action": "s3:ListBucket", "Resource": arn, "Condition": map[string]any{"StringEquals": source}},
		{"Sid": cfgSidDelivery, "Effect": "Allow", "Principal": principal,
			"Action": "s3:PutObject", "Resource": arn + "/" + prefix + "AWSLogs/*/Config/*", "Condition": map[string]any{"StringEquals": map[string]any{
				"s3:x-amz-acl": "bucket-owner-full-control", "aws:SourceOrgID": o.ID}}},
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
		roleARN = t.Org.ARN("iam", "", a.Account, "role/"+cfgAggregatorRole)
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
	// What this run makes is noted (cfgRun): the steps that depend on it
	// wait for AWS to use it.
	switch {
	case IsBucketChange(ch):
		if err := ApplyBucketChange(ctx, c.clients.s3(cfg), ch); err != nil {
			return err
		}
		if strings.HasSuffix(res, "/"+bucketSettingPolicy) {
			c.run.wroteBucketPolicy()
		}
		return nil
	case strings.HasPrefix(res, trustedAccessPrefix), strings.HasPrefix(res, delegatedAdminPrefix):
		if err := applyOrgAccess(ctx, c.clients.orgs(cfg), ch, cfgServicePrincipal, cfgOrgAccessErrors); err != nil {
			return err
		}
		if strings.HasPrefix(res, delegatedAdminPrefix) {
			c.run.registeredAdmin()
		}
		return nil
	case strings.HasPrefix(res, "iam/role/"):
		if err := c.applyRole(ctx, c.clients.iam(cfg), ch); err != nil {
			return err
		}
		c.run.madeAggregatorRole()
		return nil
	case strings.HasPrefix(res, "config/aggregator/"):
		return c.applyAggregator(ctx, t.Wait.For(ch.Account, region), c.clients.config(cfg), ch, region)
	}
	return fmt.Errorf("configOrganization: unknown resource %q in the plan", res)
}

// applyAggregator puts the organization aggregator. A role this run made
// for it, or a delegated administrator it just registered, is not usable
// by AWS Config for some seconds: Config answers InvalidRoleException or
// OrganizationAccessDeniedException until it is, and only then are those
// waited out.
func (c *ConfigOrganization) applyAggregator(ctx context.Context, w *awsapi.Waiter, api ConfigServiceAPI, ch baseline.Change, region string) error {
	var want cfgAggregator
	if err := ch.DecodeAfter(&want); err != nil {
		return err
	}
	name := strings.TrimPrefix(ch.Resource, "config/aggregator/")
	put := func(ctx context.Context) error {
		_, err := api.PutConfigurationAggregator(ctx, &configservice.PutConfigurationAggregatorInput{
			ConfigurationAggregatorName: aws.String(name),
			OrganizationAggregationSource: &cfgtypes.OrganizationAggregationSource{
				RoleArn: aws.String(want.RoleARN), AwsRegions: want.AWSRegions, AllAwsRegions: want.AllAWSRegions},
		})
		return err
	}
	var err error
	if what, codes := c.run.aggregatorWaits(ch.Account); what != "" {
		err = w.Retry(ctx, what, cfgIsCode(codes...), put)
	} else {
		err = put(ctx)
	}
	if err != nil {
		return fmt.Errorf("put configuration aggregator %s in account %s (%s): %w", name, ch.Account, region, err)
	}
	return nil
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
			Resource: t.Org.ARN("s3", "", "", b.Name), Status: baseline.StatusPass, Severity: baseline.SeverityHigh,
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
