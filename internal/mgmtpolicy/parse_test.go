package mgmtpolicy

import (
	"errors"
	"strings"
	"testing"
)

// Documents from the syntax pages of each type (see doc.go), which must
// parse.
var validDocs = []struct{ typ, doc string }{
	{"TAG_POLICY", `{"tags":{"costcenter":{"tag_key":{"@@assign":"CostCenter"},"tag_value":{"@@assign":["100","200"]},"enforced_for":{"@@assign":["secretsmanager:*"]}}}}`},
	// Inheritance examples, policy E and policy H.
	{"TAG_POLICY", `{"tags":{"project":{"tag_key":{"@@operators_allowed_for_child_policies":["@@none"],"@@assign":"Project"},"tag_value":{"@@operators_allowed_for_child_policies":["@@append"],"@@assign":["Maintenance","Escalations"]}}}}`},
	{"TAG_POLICY", `{"tags":{"project":{"tag_value":{"@@operators_allowed_for_child_policies":["@@append","@@remove"]}}}}`},
	{"BACKUP_POLICY", `{"plans":{"PII_Backup_Plan":{"rules":{"My_Hourly_Rule":{"schedule_expression":{"@@assign":"cron(0 5 ? * * *)"},"start_backup_window_minutes":{"@@assign":"60"},"target_backup_vault_name":{"@@assign":"My_Backup_Vault"}}},"regions":{"@@append":["us-east-1","eu-north-1"]},"selections":{"tags":{"My_Backup_Assignment":{"iam_role_arn":{"@@assign":"arn:aws:iam::$account:role/MyIamRole"},"tag_key":{"@@assign":"dataType"},"tag_value":{"@@assign":["PII","RED"]}}}}}}}`},
	{"AISERVICES_OPT_OUT_POLICY", `{"services":{"@@operators_allowed_for_child_policies":["@@none"],"default":{"@@operators_allowed_for_child_policies":["@@none"],"opt_out_policy":{"@@operators_allowed_for_child_policies":["@@none"],"@@assign":"optOut"}}}}`},
	{"DECLARATIVE_POLICY_EC2", `{"ec2_attributes":{"exception_message":{"@@assign":"Your custom error message.https://myURL"},"image_block_public_access":{"state":{"@@assign":"block_new_sharing"}}}}`},
	{"S3_POLICY", `{"s3_attributes":{"public_access_block_configuration":{"@@assign":"all"}}}`},
	{"SECURITYHUB_POLICY", `{"securityhub":{"enable_in_regions":{"@@append":["ALL_SUPPORTED"],"@@operators_allowed_for_child_policies":["@@all"]},"disable_in_regions":{"@@assign":[]}}}`},
	{"INSPECTOR_POLICY", `{"inspector":{"enablement":{"ec2_scanning":{"enable_in_regions":{"@@assign":["us-east-1","us-west-2"]},"disable_in_regions":{"@@assign":["eu-west-1"]}}}}}`},
	{"BEDROCK_POLICY", `{"bedrock":{"guardrail_inference":{"us-east-1":{"config_1":{"identifier":{"@@assign":"arn:aws:bedrock:us-east-1:123456789012:guardrail/hu1dlsv9wy1d:1"},"input_tags":{"@@assign":"honor"}}}}}}`},
}

func TestParseValid(t *testing.T) {
	for _, tc := range validDocs {
		if _, err := Parse(tc.typ, []byte(tc.doc)); err != nil {
			t.Errorf("%s: %v", tc.typ, err)
		}
	}
}

func TestParseProblems(t *testing.T) {
	cases := []struct{ name, typ, doc, want string }{
		{"not JSON", "TAG_POLICY", `{"tags":`, "the document is not valid JSON"},
		{"not an object", "TAG_POLICY", `["tags"]`, `the document must be a JSON object starting with the key "tags"`},
		{"missing top key", "BACKUP_POLICY", `{}`, `a BACKUP_POLICY document needs the top-level key "plans"`},
		{"unknown top key", "TAG_POLICY", `{"tags":{"a":{"tag_key":{"@@assign":"a"}}},"plans":{}}`, `plans: unknown key "plans": a TAG_POLICY document allows only the top-level key "tags"`},
		{"assign type", "TAG_POLICY", `{"tags":{"costcenter":{"tag_value":{"@@assign":7}}}}`, "tags.costcenter.tag_value: @@assign must be a string or a list of strings"},
		{"append string", "TAG_POLICY", `{"tags":{"costcenter":{"tag_value":{"@@append":"x"}}}}`, "tags.costcenter.tag_value: @@append must be a list of strings (it applies only to multi-valued settings)"},
		{"plain value", "TAG_POLICY", `{"tags":{"costcenter":{"tag_value":["x"]}}}`, `tags.costcenter.tag_value: must be a JSON object; a setting's value goes in an inheritance operator`},
		{"operator at top", "DECLARATIVE_POLICY_EC2", `{"ec2_attributes":{"@@assign":"x"}}`, `ec2_attributes: @@assign cannot sit directly under "ec2_attributes"`},
		{"unknown operator", "DECLARATIVE_POLICY_EC2", `{"ec2_attributes":{"x":{"@@replace":"y"}}}`, `ec2_attributes.x: unknown operator "@@replace"`},
		{"two value ops", "TAG_POLICY", `{"tags":{"a":{"tag_value":{"@@append":["x"],"@@remove":["y"]}}}}`, "tags.a.tag_value: has @@append and @@remove: a setting takes one value-setting operator"},
		{"mixed", "TAG_POLICY", `{"tags":{"a":{"tag_value":{"@@remove":["x"],"enforced_for":{"@@remove":["y"]}}}}}`, `tags.a.tag_value: mixes @@remove with the keys "enforced_for"`},
		{"child ops none with others", "TAG_POLICY", `{"tags":{"a":{"tag_value":{"@@operators_allowed_for_child_policies":["@@none","@@append"]}}}}`, "@@none must stand alone"},
		{"child ops string", "TAG_POLICY", `{"tags":{"a":{"tag_value":{"@@operators_allowed_for_child_policies":"@@none"}}}}`, `@@operators_allowed_for_child_policies must be a list`},
		{"child ops unknown", "TAG_POLICY", `{"tags":{"a":{"tag_value":{"@@operators_allowed_for_child_policies":["@@replace"]}}}}`, `unknown operator "@@replace"`},
		{"empty", "TAG_POLICY", `{"tags":{"a":{}}}`, "tags.a: is an empty object"},
		{"duplicate key", "TAG_POLICY", `{"tags":{"a":{"tag_key":{"@@assign":"a"}},"a":{}}}`, `the key "a" appears twice`},
		{"tag key case clash", "TAG_POLICY", `{"tags":{"cc":{"tag_key":{"@@assign":"cc"}},"CC":{"tag_key":{"@@assign":"CC"}}}}`, `tags.CC: policy key "CC" clashes with "cc"`},
		{"tag key mismatch", "TAG_POLICY", `{"tags":{"cc":{"tag_key":{"@@assign":"CostCenter"}}}}`, `tags.cc.tag_key: @@assign "CostCenter" must match the policy key "cc" except for case`},
		{"tag key list", "TAG_POLICY", `{"tags":{"cc":{"tag_key":{"@@assign":["cc"]}}}}`, `tags.cc.tag_key: @@assign must be a string`},
		{"tag unknown", "TAG_POLICY", `{"tags":{"cc":{"tag_keys":{"@@assign":"cc"}}}}`, `tags.cc.tag_keys: unknown key "tag_keys": TAG_POLICY allows here only "tag_key", "tag_value", "enforced_for", "report_required_tag_for"`},
		{"ai value", "AISERVICES_OPT_OUT_POLICY", `{"services":{"lex":{"opt_out_policy":{"@@assign":"optout"}}}}`, `services.lex.opt_out_policy: @@assign must be one of "optOut", "optIn" (case matters)`},
		{"ai append", "AISERVICES_OPT_OUT_POLICY", `{"services":{"lex":{"opt_out_policy":{"@@append":["optOut"]}}}}`, `services.lex.opt_out_policy: takes only @@assign, not @@append`},
		{"ai missing", "AISERVICES_OPT_OUT_POLICY", `{"services":{"lex":{"@@operators_allowed_for_child_policies":["@@none"]}}}`, `services.lex: needs the key "opt_out_policy"`},
		{"ai child ops", "AISERVICES_OPT_OUT_POLICY", `{"services":{"lex":{"opt_out_policy":{"@@assign":"optIn","@@operators_allowed_for_child_policies":["@@append"]}}}}`, `takes only "@@assign" or "@@none", not "@@append"`},
		{"s3 value", "S3_POLICY", `{"s3_attributes":{"public_access_block_configuration":{"@@assign":"ALL"}}}`, `@@assign must be one of "all", "none"`},
		{"s3 unknown", "S3_POLICY", `{"s3_attributes":{"block":{"@@assign":"all"}}}`, `s3_attributes.block: unknown key "block"`},
		{"securityhub both", "SECURITYHUB_POLICY", `{"securityhub":{"enable_in_regions":{"@@assign":["us-east-1"]}}}`, `securityhub: needs the key "disable_in_regions"`},
		{"inspector both", "INSPECTOR_POLICY", `{"inspector":{"enablement":{"ecr_scanning":{"enable_in_regions":{"@@assign":[]}}}}}`, `inspector.enablement.ecr_scanning: needs the key "disable_in_regions"`},
		{"dotted key", "BACKUP_POLICY", `{"plans":{"a.b":{"regions":{"@@append":"us-east-1"}}}}`, `plans["a.b"].regions: @@append must be a list`},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			_, err := Parse(tc.typ, []byte(tc.doc))
			var pe *ParseError
			if !errors.As(err, &pe) {
				t.Fatalf("err = %v, want a *ParseError", err)
			}
			if !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("err = %v\nwant it to contain %q", err, tc.want)
			}
		})
	}
}

func TestParseReportsEveryProblem(t *testing.T) {
	_, err := Parse("TAG_POLICY", []byte(`{"tags":{"a":{"tag_value":{"@@assign":1}},"b":{"tag_value":{"@@append":"x"}}},"x":{}}`))
	var pe *ParseError
	if !errors.As(err, &pe) || len(pe.Problems) != 3 {
		t.Fatalf("err = %v, want 3 problems", err)
	}
	if pe.Problems[0].Path != "x" || pe.Problems[1].Path != "tags.a.tag_value" || pe.Problems[2].Path != "tags.b.tag_value" {
		t.Fatalf("problems = %+v", pe.Problems)
	}
}

func TestParseNotManagementType(t *testing.T) {
	_, err := Parse("SERVICE_CONTROL_POLICY", []byte(`{}`))
	var pe *ParseError
	if err == nil || errors.As(err, &pe) || !strings.Contains(err.Error(), "is not a management policy type; use one of TAG_POLICY") {
		t.Fatalf("err = %v", err)
	}
}

func TestTypes(t *testing.T) {
	ts := Types()
	if len(ts) != 8 {
		t.Fatalf("Types() = %d types, want 8", len(ts))
	}
	for _, ti := range ts {
		if ti.MaxSize <= 0 || ti.MaxPerTarget <= 0 || ti.TopLevelKey == "" || !ti.EffectivePolicy {
			t.Errorf("%+v", ti)
		}
	}
	if ai, _ := TypeOf("AISERVICES_OPT_OUT_POLICY"); ai.MaxSize != 2500 || ai.MaxPerTarget != 5 {
		t.Errorf("AI opt-out = %+v", ai)
	}
	if _, ok := TypeOf("RESOURCE_CONTROL_POLICY"); ok {
		t.Error("RCPs are not management policies")
	}
	ts[0].MaxSize = 1
	if again, _ := TypeOf(ts[0].Type); again.MaxSize == 1 {
		t.Error("Types() must return a copy")
	}
}
