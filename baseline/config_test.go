package baseline

import (
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

// configYAML returns a baseline whose controls.config is made of the
// given lines (the first at line 4, column 5).
func configYAML(lines ...string) string {
	return "version: 1\ncontrols:\n  config:\n    " + strings.Join(lines, "\n    ") + "\n"
}

func TestConfigValidationErrors(t *testing.T) {
	tests := []struct {
		name string
		yaml string
		want []string
	}{
		{"delivery frequency", configYAML("deliveryFrequency: Daily"), []string{
			`b.yaml:4:24: controls.config.deliveryFrequency "Daily" is not valid; use one of One_Hour, Three_Hours, Six_Hours, Twelve_Hours, TwentyFour_Hours`}},
		{"recording frequency", configYAML("recordingFrequency: continuous"), []string{
			`b.yaml:4:25: controls.config.recordingFrequency "continuous" is not valid; use one of CONTINUOUS, DAILY`}},
		{"bucket name", configYAML("bucket: {name: My_Bucket}"), []string{
			`b.yaml:4:20: controls.config.bucket.name "My_Bucket" is not a valid S3 bucket name`}},
		{"bucket name like an IP", configYAML("bucket: {name: 192.168.1.10}"), []string{
			`b.yaml:4:20: controls.config.bucket.name "192.168.1.10" is not a valid S3 bucket name`}},
		{"bucket account", configYAML("bucket: {account: log-archive}"), []string{
			`b.yaml:4:23: controls.config.bucket.account "log-archive" is not an account alias`}},
		{"empty key prefix", configYAML(`bucket: {keyPrefix: ""}`), []string{
			`b.yaml:4:25: controls.config.bucket.keyPrefix is empty; remove it`}},
		{"key prefix with AWSLogs", configYAML("bucket: {keyPrefix: logs/AWSLogs}"), []string{
			`b.yaml:4:25: controls.config.bucket.keyPrefix "logs/AWSLogs" contains AWSLogs`}},
		{"key prefix ending in a slash", configYAML("bucket: {keyPrefix: config/}"), []string{
			`b.yaml:4:25: controls.config.bucket.keyPrefix "config/" starts or ends with a slash`}},
		{"KMS key", configYAML("bucket: {kmsKeyArn: 1234abcd-12ab-34cd-56ef-1234567890ab}"), []string{
			`b.yaml:4:25: controls.config.bucket.kmsKeyArn "1234abcd-12ab-34cd-56ef-1234567890ab" is not a KMS key ARN`}},
		{"unknown identifier", configYAML("rules:", "  - identifier: ACCESS_KEY_ROTATED"), []string{
			`b.yaml:5:21: controls.config.rules[0].identifier ACCESS_KEY_ROTATED is not an AWS managed rule orgbaseline knows; did you mean ACCESS_KEYS_ROTATED?`}},
		{"identifier in lower case", configYAML("rules:", "  - identifier: iam-password-policy"), []string{
			`b.yaml:5:21: controls.config.rules[0].identifier "iam-password-policy" is not an AWS managed rule identifier; they are written in capitals`}},
		{"no identifier", configYAML("rules:", "  - name: mine"), []string{
			`b.yaml:5:9: controls.config.rules[0] has no identifier`}},
		{"required parameter missing", configYAML("rules:", "  - identifier: IAM_USER_UNUSED_CREDENTIALS_CHECK"), []string{
			`b.yaml:5:9: controls.config.rules[0]: IAM_USER_UNUSED_CREDENTIALS_CHECK requires the parameter(s) maxCredentialUsageAge`}},
		{"unknown parameter", configYAML("rules:", "  - identifier: ACCESS_KEYS_ROTATED", "    parameters: {maxAccessKeyAge: 90, maxAge: 1}"), []string{
			`b.yaml:6:43: controls.config.rules[0].parameters.maxAge: ACCESS_KEYS_ROTATED has no parameter "maxAge"`}},
		{"parameters of a rule without any", configYAML("rules:", "  - identifier: ROOT_ACCOUNT_MFA_ENABLED", "    parameters: {x: 1}"), []string{
			`b.yaml:6:22: controls.config.rules[0].parameters.x: ROOT_ACCOUNT_MFA_ENABLED has no parameter "x"; it takes no parameters`}},
		{"parameter without a value", configYAML("rules:", "  - identifier: ACCESS_KEYS_ROTATED", "    parameters: {maxAccessKeyAge: }"), []string{
			`b.yaml:6:22: controls.config.rules[0].parameters.maxAccessKeyAge has no value`}},
		{"blank parameter", configYAML("rules:", "  - identifier: ACCESS_KEYS_ROTATED", `    parameters: {maxAccessKeyAge: " "}`), []string{
			`b.yaml:6:39: controls.config.rules[0].parameters.maxAccessKeyAge is blank`}},
		{"parameter a mapping", configYAML("rules:", "  - identifier: ACCESS_KEYS_ROTATED", "    parameters: {maxAccessKeyAge: {days: 90}}"), []string{
			`b.yaml:6:39: controls.config.rules[0].parameters.maxAccessKeyAge must be a single value`}},
		{"rule frequency", configYAML("rules:", "  - identifier: ROOT_ACCOUNT_MFA_ENABLED", "    maximumExecutionFrequency: 24h"), []string{
			`b.yaml:6:36: controls.config.rules[0].maximumExecutionFrequency "24h" is not valid`}},
		{"frequency of a change-triggered rule", configYAML("rules:", "  - identifier: IAM_NO_INLINE_POLICY_CHECK", "    maximumExecutionFrequency: One_Hour"), []string{
			`b.yaml:6:36: controls.config.rules[0].maximumExecutionFrequency: IAM_NO_INLINE_POLICY_CHECK is evaluated when resources change`}},
		{"duplicate names", configYAML("rules:", "  - identifier: ROOT_ACCOUNT_MFA_ENABLED", "  - {name: root-account-mfa-enabled, identifier: IAM_ROOT_ACCESS_KEY_CHECK}"), []string{
			`b.yaml:6:9: controls.config.rules[1]: rule name "root-account-mfa-enabled" is used twice (first by controls.config.rules[0])`}},
		{"name too long", configYAML("rules:", "  - {name: "+strings.Repeat("n", 129)+", identifier: ROOT_ACCOUNT_MFA_ENABLED}"), []string{
			`b.yaml:5:16: controls.config.rules[0].name is 129 characters long; a Config rule name has at most 128`}},
		{"blank name", configYAML("rules:", `  - {name: " ", identifier: ROOT_ACCOUNT_MFA_ENABLED}`), []string{
			`b.yaml:5:16: controls.config.rules[0].name is blank`}},
		{"aggregator name", configYAML("aggregator: {name: org aggregator}"), []string{
			`b.yaml:4:24: controls.config.aggregator.name "org aggregator" is not a valid aggregator name`}},
		{"aggregator account", configYAML("aggregator: {account: 222233334444}"), []string{
			`b.yaml:4:27: controls.config.aggregator.account "222233334444" is not an account alias`}},
		{"IAM rules setting not a boolean", configYAML("iamRulesInEveryRegion: everywhere"), []string{
			`b.yaml:4:28: controls.config.iamRulesInEveryRegion: expected true or false, got "everywhere"`}},
		{"unknown key", configYAML("rule: []"), []string{
			`b.yaml:4:5: unknown key "rule" in controls.config; did you mean "rules"?`}},
		{"wrong type", configYAML("rules: IAM_PASSWORD_POLICY"), []string{
			`b.yaml:4:12: controls.config.rules: expected a list`}},
		{"several at once", configYAML("deliveryFrequency: x", "rules:", "  - identifier: NOPE_NOT_A_RULE_AT_ALL_X", "  - identifier: ACCESS_KEYS_ROTATED"), []string{
			`b.yaml:4:24: controls.config.deliveryFrequency "x" is not valid`,
			`b.yaml:6:21: controls.config.rules[0].identifier NOPE_NOT_A_RULE_AT_ALL_X is not an AWS managed rule orgbaseline knows; use one of: ACCESS_KEYS_ROTATED,`,
			`b.yaml:7:9: controls.config.rules[1]: ACCESS_KEYS_ROTATED requires the parameter(s) maxAccessKeyAge`}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			b, err := LoadBytes("b.yaml", []byte(tt.yaml), t.TempDir())
			if err == nil {
				t.Fatalf("no error; loaded %+v", b.Controls.Config)
			}
			checkDiags(t, err, tt.want)
		})
	}
}

// TestConfigResolved: defaults, names, and parameters rendered as AWS
// expects them (strings; booleans lowercase; numbers in decimal; quoted
// text kept as written).
func TestConfigResolved(t *testing.T) {
	b, err := LoadBytes("b.yaml", []byte(configYAML(
		"rules:",
		"  - identifier: IAM_PASSWORD_POLICY",
		"    parameters:",
		"      MinimumPasswordLength: 14",
		"      RequireSymbols: true",
		"      RequireNumbers: False",
		"      MaxPasswordAge: 0x5A",
		`      PasswordReusePrevention: "24"`,
		"  - name: s3-pab",
		"    identifier: S3_ACCOUNT_LEVEL_PUBLIC_ACCESS_BLOCKS_PERIODIC",
		`    parameters: {BlockPublicAcls: "True", IgnorePublicAcls: "True"}`,
		"    maximumExecutionFrequency: One_Hour",
		"aggregator: {}",
	)), "")
	if err != nil {
		t.Fatal(err)
	}
	got := b.Controls.Config.Resolved()
	want := ConfigSettings{
		BucketAccount: "logArchive", DeliveryFrequency: "TwentyFour_Hours", RecordingFrequency: "CONTINUOUS",
		Rules: []ConfigRuleSettings{
			{Name: "iam-password-policy", Identifier: "IAM_PASSWORD_POLICY", Parameters: map[string]string{
				"MinimumPasswordLength": "14", "RequireSymbols": "true", "RequireNumbers": "false", "MaxPasswordAge": "90", "PasswordReusePrevention": "24"},
				HomeRegionOnly: true},
			{Name: "s3-pab", Identifier: "S3_ACCOUNT_LEVEL_PUBLIC_ACCESS_BLOCKS_PERIODIC", Parameters: map[string]string{"BlockPublicAcls": "True", "IgnorePublicAcls": "True"},
				MaximumExecutionFrequency: "One_Hour"},
		},
		Aggregator: &ConfigAggregatorSettings{Name: "orgbaseline-organization", Account: "audit"},
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("Resolved() (-want +got):\n%s", diff)
	}
	if p := got.Rules[0].InputParameters(); p != `{"MaxPasswordAge":"90","MinimumPasswordLength":"14","PasswordReusePrevention":"24","RequireNumbers":"false","RequireSymbols":"true"}` {
		t.Errorf("InputParameters() = %s", p)
	}
	if p := (ConfigRuleSettings{}).InputParameters(); p != "" {
		t.Errorf("InputParameters() of none = %q", p)
	}
}

// The rules that evaluate IAM are deployed in the home region only, unless
// iamRulesInEveryRegion says every governed region; other rules are not
// affected either way.
func TestConfigIAMRulesInEveryRegion(t *testing.T) {
	rules := []string{"rules:", "  - identifier: ROOT_ACCOUNT_MFA_ENABLED", "  - identifier: S3_BUCKET_PUBLIC_READ_PROHIBITED", "  - identifier: ACCESS_KEYS_ROTATED", "    parameters: {maxAccessKeyAge: 90}"}
	for _, tc := range []struct {
		setting string
		want    map[string]bool // rule -> HomeRegionOnly
	}{
		{"", map[string]bool{"root-account-mfa-enabled": true, "access-keys-rotated": true, "s3-bucket-public-read-prohibited": false}},
		{"iamRulesInEveryRegion: false", map[string]bool{"root-account-mfa-enabled": true, "access-keys-rotated": true, "s3-bucket-public-read-prohibited": false}},
		{"iamRulesInEveryRegion: true", map[string]bool{"root-account-mfa-enabled": false, "access-keys-rotated": false, "s3-bucket-public-read-prohibited": false}},
	} {
		lines := rules
		if tc.setting != "" {
			lines = append([]string{tc.setting}, rules...)
		}
		b, err := LoadBytes("b.yaml", []byte(configYAML(lines...)), "")
		if err != nil {
			t.Fatalf("%q: %v", tc.setting, err)
		}
		got := map[string]bool{}
		for _, r := range b.Controls.Config.Resolved().Rules {
			got[r.Name] = r.HomeRegionOnly
		}
		if diff := cmp.Diff(tc.want, got); diff != "" {
			t.Errorf("%q: HomeRegionOnly (-want +got):\n%s", tc.setting, diff)
		}
	}
	for _, id := range []string{"IAM_PASSWORD_POLICY", "IAM_USER_UNUSED_CREDENTIALS_CHECK", "MFA_ENABLED_FOR_IAM_CONSOLE_ACCESS", "ROOT_ACCOUNT_HARDWARE_MFA_ENABLED"} {
		if !ConfigRuleEvaluatesIAM(id) {
			t.Errorf("%s evaluates IAM", id)
		}
	}
	for _, id := range []string{"CLOUD_TRAIL_ENABLED", "VPC_FLOW_LOGS_ENABLED", "S3_ACCOUNT_LEVEL_PUBLIC_ACCESS_BLOCKS"} {
		if ConfigRuleEvaluatesIAM(id) {
			t.Errorf("%s does not evaluate IAM", id)
		}
	}
	for id := range configIAMRules {
		if _, known := configManagedRules[id]; !known {
			t.Errorf("%s is not a managed rule orgbaseline knows", id)
		}
	}
}

func TestConfigDefaultsAndSwitches(t *testing.T) {
	b, err := LoadBytes("b.yaml", []byte("version: 1\ncontrols:\n  config: {}\n"), "")
	if err != nil {
		t.Fatal(err)
	}
	c := b.Controls.Config
	if !c.IsEnabled() {
		t.Error("config: {} is not enabled")
	}
	if r := c.Resolved(); r.Aggregator != nil || r.BucketName != "" || r.BucketAccount != "logArchive" || len(r.Rules) != 0 {
		t.Errorf("Resolved() = %+v", r)
	}
	b, err = LoadBytes("b.yaml", []byte(configYAML("enabled: false", "aggregator: {enabled: false}")), "")
	if err != nil {
		t.Fatal(err)
	}
	if b.Controls.Config.IsEnabled() || b.Controls.Config.Resolved().Aggregator != nil {
		t.Errorf("switched off but enabled: %+v", b.Controls.Config)
	}
	var nilConfig *Config
	if nilConfig.IsEnabled() || nilConfig.Resolved().DeliveryFrequency != DefaultConfigDeliveryFrequency {
		t.Error("a nil config")
	}
}

func TestRenderConfigParameter(t *testing.T) {
	for _, tc := range []struct {
		in   any
		want string
		ok   bool
	}{
		{"abc", "abc", true}, {true, "true", true}, {false, "false", true}, {14, "14", true}, {int64(-3), "-3", true},
		{uint64(18446744073709551615), "18446744073709551615", true}, {1.5, "1.5", true}, {90.0, "90", true},
		{nil, "", false}, {[]any{"a"}, "", false}, {map[string]any{}, "", false},
	} {
		got, ok := RenderConfigParameter(tc.in)
		if got != tc.want || ok != tc.ok {
			t.Errorf("RenderConfigParameter(%#v) = %q, %t", tc.in, got, ok)
		}
	}
}

// TestConfigRulesReplaceAcrossFiles: a later file's rules list replaces
// the earlier one entirely (lists are not appended).
func TestConfigRulesReplaceAcrossFiles(t *testing.T) {
	profile := fakeProfiles(map[string]string{"base": configYAML("rules:", "  - identifier: ROOT_ACCOUNT_MFA_ENABLED", "  - identifier: IAM_USER_MFA_ENABLED")})
	b, err := loadBytes("b.yaml", []byte("version: 1\nextends: [base]\n"+strings.TrimPrefix(configYAML("rules:", "  - identifier: IAM_ROOT_ACCESS_KEY_CHECK"), "version: 1\n")), "", profile)
	if err != nil {
		t.Fatal(err)
	}
	r := b.Controls.Config.Resolved().Rules
	if len(r) != 1 || r[0].Name != "iam-root-access-key-check" {
		t.Errorf("rules = %+v", r)
	}
}

func TestConfigManagedRules(t *testing.T) {
	ids := ConfigManagedRuleIdentifiers()
	if len(ids) < 40 || !strings.HasPrefix(strings.Join(ids, ","), "ACCESS_KEYS_ROTATED,") {
		t.Errorf("identifiers %v", ids)
	}
	r, ok := LookupConfigManagedRule("IAM_USER_UNUSED_CREDENTIALS_CHECK")
	if !ok || !r.Periodic || !r.Parameters["maxCredentialUsageAge"] {
		t.Errorf("IAM_USER_UNUSED_CREDENTIALS_CHECK = %+v %t", r, ok)
	}
	if DefaultConfigRuleName("IAM_PASSWORD_POLICY") != "iam-password-policy" {
		t.Error("DefaultConfigRuleName")
	}
}
