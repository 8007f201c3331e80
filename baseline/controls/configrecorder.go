package controls

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"reflect"
	"sort"
	"strings"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/configservice"
	cfgtypes "github.com/aws/aws-sdk-go-v2/service/configservice/types"

	"github.com/orgbaseline/orgbaseline/baseline"
)

// ConfigRecorder manages AWS Config in one account and region: the
// configuration recorder, the delivery channel to the central bucket, the
// recorder's status and the declared managed rules.
type ConfigRecorder struct {
	want    configWant
	clients cfgClients
	run     *cfgRun
}

func (*ConfigRecorder) Name() string { return "config" }
func (*ConfigRecorder) Scope() Scope { return ScopeRegional }

// Actions are the actions of Calls.
func (c *ConfigRecorder) Actions() []string { return actionsOf(c) }

// Calls are the calls made in every targeted account and governed region,
// authorized as the Service Authorization Reference says ("Actions,
// resources, and condition keys for AWS Config"): on the recorder
// (configuration-recorder/${RecorderName}/${RecorderId}, an id Config
// generates) for the recorder's reads and writes; on a rule
// (config-rule/${ConfigRuleId}, likewise) for PutConfigRule,
// DeleteConfigRule and the tags of a rule; on "*" for the delivery
// channel and the list of rules. A rule orgbaseline creates carries its
// tag, so PutConfigRule creating one carries aws:RequestTag and
// aws:TagKeys (updating one, none); that AWS
// also authorizes config:TagResource for a tag sent on create is not
// documented either way, and the model keeps it (a Deny of it stops the
// tag, so the rule would never be deleted). The recorder is handed
// Config's service-linked role: iam:PassRole with iam:PassedToService
// (IAM user guide, "Grant a user permissions to pass a role to an AWS
// service"; kept although AWS may not ask it for a service-linked role).
//
// Rules: put where the baseline declares any (the home region only when
// every declared rule is an IAM rule kept there), deleted and their tags
// read in any region (a rule orgbaseline made there earlier).
func (c *ConfigRecorder) Calls(o *Org) []Call {
	w := o.callsIn(c.Name(), "")
	recorder := o.ARN("config", "{region}", "{account}", "configuration-recorder/*")
	rule := o.ARN("config", "{region}", "{account}", "config-rule/*")
	out := []Call{
		w.call("config:DescribeConfigurationRecorders", recorder, InEachRegion),
		w.call("config:DescribeConfigurationRecorderStatus", recorder, InEachRegion),
		w.call("config:PutConfigurationRecorder", recorder, InEachRegion),
		w.call("iam:PassRole", cfgSLRARN(o, "{account}"), InEachRegion, "iam:passedtoservice", cfgServicePrincipal),
		w.call("config:StartConfigurationRecorder", recorder, InEachRegion),
		w.call("config:DescribeDeliveryChannels", "*", InEachRegion),
		w.call("config:PutDeliveryChannel", "*", InEachRegion),
		w.call("config:DescribeConfigRules", "*", InEachRegion),
		w.call("config:ListTagsForResource", rule, InEachRegion),
		w.call("config:DeleteConfigRule", rule, InEachRegion),
	}
	if put, ok := c.ruleRegions(); ok {
		tag := []string{"aws:requesttag/" + cfgManagedTagKey, cfgManagedTagValue, "aws:tagkeys", cfgManagedTagKey}
		out = append(out,
			w.call("config:PutConfigRule", rule, put, tag...), // create
			w.call("config:TagResource", rule, put, tag...),
			w.call("config:PutConfigRule", rule, put), // update
		)
	}
	return out
}

// ruleRegions says where rules are put: nowhere (false) without declared
// rules, in the home region only when every rule is kept there.
func (c *ConfigRecorder) ruleRegions() (CallRegion, bool) {
	if len(c.want.Rules) == 0 {
		return 0, false
	}
	for _, r := range c.want.Rules {
		if !r.HomeRegionOnly {
			return InEachRegion, true
		}
	}
	return InHomeRegion, true
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
	for _, r := range c.rulesIn(t) {
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

// rulesIn are the rules the baseline declares for the target's region:
// every rule, but the rules that evaluate IAM (a global service) in the
// home region only unless controls.config.iamRulesInEveryRegion is true
// (baseline.ConfigRuleSettings.HomeRegionOnly).
func (c *ConfigRecorder) rulesIn(t Target) []baseline.ConfigRuleSettings {
	if t.Region == t.Org.HomeRegion {
		return c.want.Rules
	}
	var out []baseline.ConfigRuleSettings
	for _, r := range c.want.Rules {
		if !r.HomeRegionOnly {
			out = append(out, r)
		}
	}
	return out
}

func (c *ConfigRecorder) wantRecorder(t Target, st *cfgRegionState) cfgRecorderSettings {
	name := cfgDefaultName
	if st.Recorder != nil {
		name = st.Recorder.Name // adopt the account's recorder: there can be only one
	}
	return cfgRecorderSettings{Name: name, RoleARN: cfgSLRARN(t.Org, t.AccountID), AllSupported: true,
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
	rules := c.rulesIn(t)
	for _, r := range rules {
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
	// A rule orgbaseline created that the baseline no longer declares here
	// goes: one left out of the baseline, or an IAM rule outside the home
	// region (controls.config.iamRulesInEveryRegion false).
	declared := map[string]bool{}
	for _, r := range rules {
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
		put := func(ctx context.Context) error {
			_, err := api.PutDeliveryChannel(ctx, &configservice.PutDeliveryChannelInput{DeliveryChannel: dc})
			return err
		}
		var err error
		if what := c.run.deliveryWaits(t.AccountID, s.S3BucketName); what != "" {
			// Config checks the bucket by assuming the recorder's role and
			// writing as its service principal: a service-linked role or a
			// bucket policy this run just made is not usable for some
			// seconds, and Config answers InsufficientDeliveryPolicyException
			// until it is ("unable to assume role",
			// awslabs/aws-securityhub-multiaccount-scripts issue 53).
			err = t.Wait.Retry(ctx, what, cfgIsCode("InsufficientDeliveryPolicyException"), put)
		} else {
			err = put(ctx)
		}
		if err != nil {
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
		recARN = t.Org.ARN("config", t.Region, t.AccountID, "configuration-recorder/"+cfgDefaultName)
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
	out = append(out, mk("config.centralDelivery", t.Org.ARN("s3", "", "", st.Bucket), "AWS Config delivers to the central bucket", baseline.SeverityMedium, dp,
		"the delivery channel writes to the central bucket "+st.Bucket, fix))

	for _, r := range c.rulesIn(t) {
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
