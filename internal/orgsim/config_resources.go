package orgsim

import "strconv"

// AWS Config: the resource each call is authorized on, as the Service
// Authorization Reference gives it ("Actions, resources, and condition
// keys for AWS Config"):
//
//   - ConfigurationRecorder* (configuration-recorder/${RecorderName}/${RecorderId})
//     for DescribeConfigurationRecorders, DescribeConfigurationRecorderStatus,
//     PutConfigurationRecorder, StartConfigurationRecorder,
//     StopConfigurationRecorder and DeleteConfigurationRecorder;
//   - ConfigRule* (config-rule/${ConfigRuleId}) for PutConfigRule and
//     DeleteConfigRule;
//   - ConfigurationAggregator* (config-aggregator/${AggregatorId}) for
//     PutConfigurationAggregator and DeleteConfigurationAggregator;
//   - no resource ("*") for DescribeConfigRules,
//     DescribeConfigurationAggregators and the delivery channel's calls.
//
// A call that creates the resource (the first PutConfigurationRecorder,
// PutConfigRule or PutConfigurationAggregator of a name) is authorized on
// the ARN the resource will have, and a read that names no recorder while
// none exists on the ARN of the recorder Config would create ("default").
// The reference does not say what AWS authorizes before the resource
// exists; this is the stricter reading (a policy on recorder, rule or
// aggregator ARNs applies to creating them too). orgsim derives the ids
// from the account, region, name and how many resources of that name were
// made there before (identity.go, derivedLowerID), so the ARN is known
// when the call is authorized, and is the same in every run whatever the
// order of concurrent requests.

// cfgRecorderARN is the ARN of the recorder called name in the call's
// account and region.
func cfgRecorderARN(c *call, name string) string {
	return c.sim.arn("config", c.region, c.acct.ID, "configuration-recorder/"+name+"/"+c.sim.derivedLowerID(16, c.acct.ID+"/"+c.region+"/"+name))
}

// cfgRecorderResource is the recorder a call names (Arn, the recorder of
// PutConfigurationRecorder, ConfigurationRecorderName or the first of
// ConfigurationRecorderNames), else the account's recorder, else the one
// Config would create.
func cfgRecorderResource(c *call) string {
	var in struct {
		Arn                        *string
		ConfigurationRecorder      *struct{ Name *string }
		ConfigurationRecorderName  string
		ConfigurationRecorderNames []string
	}
	if c.decode(&in) != nil {
		return "*"
	}
	name := in.ConfigurationRecorderName
	switch {
	case in.Arn != nil && *in.Arn != "":
		return *in.Arn
	case in.ConfigurationRecorder != nil:
		name = "default"
		if in.ConfigurationRecorder.Name != nil {
			name = *in.ConfigurationRecorder.Name
		}
	case len(in.ConfigurationRecorderNames) > 0:
		name = in.ConfigurationRecorderNames[0]
	}
	if name == "" {
		if r := cfgPeekRecorder(c); r != nil {
			return r.arn
		}
		name = "default"
	}
	return cfgRecorderARN(c, name)
}

// cfgPeekRecorder is the account's recorder in the call's region, without
// making its Config state.
func cfgPeekRecorder(c *call) *cfgRecorder {
	if r := c.acct.regions[c.region]; r != nil && r.config != nil {
		return r.config.recorder
	}
	return nil
}

// cfgNextID is the id the next resource of kind called name gets in the
// call's account and region: n characters derived from them and how many
// were made before (st.made).
func cfgNextID(c *call, st *configState, kind, name string, n int) string {
	k := kind + "/" + name
	return c.sim.derivedLowerID(n, c.acct.ID+"/"+c.region+"/"+k+"/"+strconv.Itoa(st.made[k]))
}

// cfgNewRuleID and cfgNewAggregatorID are the ids of a rule and an
// aggregator being made (and count it).
func cfgNewRuleID(c *call, st *configState, name string) string {
	id := "config-rule-" + cfgNextID(c, st, "rule", name, 6)
	st.made["rule/"+name]++
	return id
}

func cfgNewAggregatorID(c *call, st *configState, name string) string {
	id := "config-aggregator-" + cfgNextID(c, st, "aggregator", name, 8)
	st.made["aggregator/"+name]++
	return id
}

// cfgRuleResource is the rule's ARN: the one it has, or the one
// PutConfigRule will give it.
func cfgRuleResource(c *call) string {
	var in struct {
		ConfigRuleName string
		ConfigRule     *cfgRuleJSON
	}
	if c.decode(&in) != nil {
		return "*"
	}
	name := in.ConfigRuleName
	if in.ConfigRule != nil && in.ConfigRule.ConfigRuleName != nil {
		name = *in.ConfigRule.ConfigRuleName
	}
	if in.ConfigRule != nil && in.ConfigRule.ConfigRuleArn != nil {
		return *in.ConfigRule.ConfigRuleArn
	}
	if name == "" {
		return "*"
	}
	st := cfgState(c)
	if r := st.rules[name]; r != nil {
		return r.arn
	}
	return c.sim.arn("config", c.region, c.acct.ID, "config-rule/config-rule-"+cfgNextID(c, st, "rule", name, 6))
}

// cfgAggregatorResource is the aggregator's ARN: the one it has, or the
// one PutConfigurationAggregator will give it.
func cfgAggregatorResource(c *call) string {
	var in struct{ ConfigurationAggregatorName string }
	if c.decode(&in) != nil || in.ConfigurationAggregatorName == "" {
		return "*"
	}
	st := cfgState(c)
	if a := st.aggregators[in.ConfigurationAggregatorName]; a != nil {
		return a.arn
	}
	return c.sim.arn("config", c.region, c.acct.ID, "config-aggregator/config-aggregator-"+cfgNextID(c, st, "aggregator", in.ConfigurationAggregatorName, 8))
}
