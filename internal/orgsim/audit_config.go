package orgsim

import "strings"

// AWS Config: the reads auditors make besides the recorder, channel, rule
// and aggregator descriptions config.go serves. orgsim keeps rules but
// does not evaluate them, so every rule's compliance is INSUFFICIENT_DATA,
// as Config reports a rule with no evaluation results
// (DescribeComplianceByConfigRule in the Config API reference: "A rule is
// INSUFFICIENT_DATA if ... AWS Config has not returned evaluation results
// for the rule"). These operations are merged into the service's
// operations in services.go.

func auditConfigOps() map[string]op {
	return map[string]op{
		"DescribeComplianceByConfigRule": {fn: cfgDescribeComplianceByRule},
	}
}

func cfgDescribeComplianceByRule(c *call) (any, *apiError) {
	var in struct {
		ConfigRuleNames []string
		ComplianceTypes []string
		NextToken       *string
	}
	if e := c.decode(&in); e != nil {
		return nil, e
	}
	if len(in.ConfigRuleNames) > 25 {
		return nil, cfgValidation("["+strings.Join(in.ConfigRuleNames, ", ")+"]", "configRuleNames", "Member must have length less than or equal to 25")
	}
	if len(in.ComplianceTypes) > 3 {
		return nil, cfgValidation("["+strings.Join(in.ComplianceTypes, ", ")+"]", "complianceTypes", "Member must have length less than or equal to 3")
	}
	want := map[string]bool{}
	for _, t := range in.ComplianceTypes {
		switch t {
		case "COMPLIANT", "NON_COMPLIANT", "INSUFFICIENT_DATA":
			want[t] = true
		default:
			// NOT_APPLICABLE is in the enum but not accepted here.
			return nil, newErr(400, "InvalidParameterValueException", "ComplianceType %s is not valid. Valid values: COMPLIANT, NON_COMPLIANT, INSUFFICIENT_DATA.", t)
		}
	}
	st := cfgState(c)
	var names []string
	if len(in.ConfigRuleNames) > 0 {
		for _, n := range in.ConfigRuleNames {
			if st.rules[n] == nil {
				return nil, cfgNoRule(n)
			}
			names = append(names, n)
		}
	} else {
		names = append(names, st.ruleOrder...)
	}
	if len(want) > 0 && !want["INSUFFICIENT_DATA"] {
		names = nil
	}
	start, end, next, e := cfgPage("DescribeComplianceByConfigRule", len(names), in.NextToken, cfgRulesPageSize)
	if e != nil {
		return nil, e
	}
	type compliance struct {
		ComplianceType string `json:"ComplianceType"`
	}
	type byRule struct {
		ConfigRuleName string     `json:"ConfigRuleName"`
		Compliance     compliance `json:"Compliance"`
	}
	out := struct {
		ComplianceByConfigRules []byRule `json:"ComplianceByConfigRules"`
		NextToken               string   `json:"NextToken,omitempty"`
	}{ComplianceByConfigRules: []byRule{}, NextToken: next}
	for _, n := range names[start:end] {
		out.ComplianceByConfigRules = append(out.ComplianceByConfigRules, byRule{n, compliance{"INSUFFICIENT_DATA"}})
	}
	return out, nil
}
