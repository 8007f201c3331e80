package orgsim_test

import (
	"slices"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/configservice"
	cfgtypes "github.com/aws/aws-sdk-go-v2/service/configservice/types"

	"github.com/orgbaseline/orgbaseline/internal/orgsim"
)

// Config authorizes the recorder's, a rule's and an aggregator's calls on
// their ARNs (creating one too, on the ARN it then has), the calls
// without resource-level permissions on "*", and the tags a rule is
// created with as aws:RequestTag and aws:TagKeys.
func TestConfigAuthorizedResources(t *testing.T) {
	e := newEnv(t, orgsim.Options{Seed: 5, Org: orgsim.OrgSpec{Members: 1, Clean: true}})
	cs := e.cfgsvc(e.cfg)
	slr := cfgSLR(t, e, e.cfg)
	cfgSettle(e)
	resources := func(action string, f func()) []string {
		t.Helper()
		var out []string
		for _, a := range rrRecorded(t, e, action, f) {
			out = append(out, a.Request.Resource)
		}
		return out
	}
	must := func(err error) {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
	}

	before := resources("config:DescribeConfigurationRecorders", func() {
		_, err := cs.DescribeConfigurationRecorders(bg, &configservice.DescribeConfigurationRecordersInput{})
		must(err)
	})
	put := resources("config:PutConfigurationRecorder", func() {
		_, err := cs.PutConfigurationRecorder(bg, cfgRecorder("default", slr))
		must(err)
	})
	out, err := cs.DescribeConfigurationRecorders(bg, &configservice.DescribeConfigurationRecordersInput{})
	must(err)
	arn := aws.ToString(out.ConfigurationRecorders[0].Arn)
	if !strings.Contains(arn, ":configuration-recorder/default/") || !slices.Equal(before, []string{arn}) || !slices.Equal(put, []string{arn}) {
		t.Errorf("recorder %s; DescribeConfigurationRecorders before it was made authorized on %v, PutConfigurationRecorder on %v", arn, before, put)
	}
	status := resources("config:DescribeConfigurationRecorderStatus", func() {
		_, err := cs.DescribeConfigurationRecorderStatus(bg, &configservice.DescribeConfigurationRecorderStatusInput{ConfigurationRecorderNames: []string{"default"}})
		must(err)
	})
	if !slices.Equal(status, []string{arn}) {
		t.Errorf("DescribeConfigurationRecorderStatus authorized on %v, want %s", status, arn)
	}

	var created []orgsim.Authorization
	created = rrRecorded(t, e, "config:PutConfigRule", func() {
		in := cfgManagedRule("versioning", "S3_BUCKET_VERSIONING_ENABLED", "")
		in.Tags = []cfgtypes.Tag{{Key: aws.String("owner"), Value: aws.String("platform")}}
		_, err := cs.PutConfigRule(bg, in)
		must(err)
	})
	rules, err := cs.DescribeConfigRules(bg, &configservice.DescribeConfigRulesInput{ConfigRuleNames: []string{"versioning"}})
	must(err)
	ruleARN := aws.ToString(rules.ConfigRules[0].ConfigRuleArn)
	if c := created[0]; c.Request.Resource != ruleARN || rrKey(c, "aws:requesttag/owner") != "platform" || !slices.Equal(c.Request.Context["aws:tagkeys"], []string{"owner"}) {
		t.Errorf("PutConfigRule creating %s authorized on %s with keys %v", ruleARN, c.Request.Resource, c.Request.Context)
	}
	updated := rrRecorded(t, e, "config:PutConfigRule", func() {
		_, err := cs.PutConfigRule(bg, cfgManagedRule("versioning", "S3_BUCKET_VERSIONING_ENABLED", `{"isMfaDeleteEnabled":"true"}`))
		must(err)
	})
	if u := updated[0]; u.Request.Resource != ruleARN || rrKey(u, "aws:tagkeys") != "(absent)" {
		t.Errorf("PutConfigRule updating %s authorized on %s with keys %v", ruleARN, u.Request.Resource, u.Request.Context)
	}
	// Made again after a delete, a rule gets a new id, known when the
	// call is authorized.
	_, err = cs.DeleteConfigRule(bg, &configservice.DeleteConfigRuleInput{ConfigRuleName: aws.String("versioning")})
	must(err)
	again := resources("config:PutConfigRule", func() {
		_, err := cs.PutConfigRule(bg, cfgManagedRule("versioning", "S3_BUCKET_VERSIONING_ENABLED", ""))
		must(err)
	})
	rules, err = cs.DescribeConfigRules(bg, &configservice.DescribeConfigRulesInput{ConfigRuleNames: []string{"versioning"}})
	must(err)
	if newARN := aws.ToString(rules.ConfigRules[0].ConfigRuleArn); newARN == ruleARN || !slices.Equal(again, []string{newARN}) {
		t.Errorf("the rule made again is %s (was %s), authorized on %v", newARN, ruleARN, again)
	}
	if all := resources("config:DescribeConfigRules", func() {
		_, err := cs.DescribeConfigRules(bg, &configservice.DescribeConfigRulesInput{})
		must(err)
	}); !slices.Equal(all, []string{"*"}) {
		t.Errorf("DescribeConfigRules authorized on %v", all)
	}

	la := orgMember(t, e, "Log Archive")
	agg := resources("config:PutConfigurationAggregator", func() {
		_, err := cs.PutConfigurationAggregator(bg, &configservice.PutConfigurationAggregatorInput{ConfigurationAggregatorName: aws.String("accounts"),
			AccountAggregationSources: []cfgtypes.AccountAggregationSource{{AccountIds: []string{la}, AllAwsRegions: true}}})
		must(err)
	})
	aggs, err := cs.DescribeConfigurationAggregators(bg, &configservice.DescribeConfigurationAggregatorsInput{})
	must(err)
	if aggARN := aws.ToString(aggs.ConfigurationAggregators[0].ConfigurationAggregatorArn); !slices.Equal(agg, []string{aggARN}) {
		t.Errorf("PutConfigurationAggregator made %s, authorized on %v", aggARN, agg)
	}
}
