package baseline

import (
	"reflect"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"gopkg.in/yaml.v3"
)

// pp returns a baseline with a password policy made of the given lines
// (which start at line 4, column 5).
func policyYAML(lines ...string) string {
	return "version: 1\ncontrols:\n  passwordPolicy:\n    " + strings.Join(lines, "\n    ") + "\n"
}

// org returns a baseline with an organization made of the given lines
// (which start at line 3, column 3).
func orgYAML(lines ...string) string {
	return "version: 1\norganization:\n  " + strings.Join(lines, "\n  ") + "\n"
}

// TestValidationErrors loads small documents and checks every diagnostic:
// its position and the start of its message.
func TestValidationErrors(t *testing.T) {
	tests := []struct {
		name string
		yaml string
		want []string
	}{
		// ---- out-of-range values ----
		{"minimumPasswordLength too small", policyYAML("minimumPasswordLength: 5"), []string{
			"b.yaml:4:28: controls.passwordPolicy.minimumPasswordLength is 5, out of range; set it between 6 and 128"}},
		{"minimumPasswordLength too large", policyYAML("minimumPasswordLength: 129"), []string{
			"b.yaml:4:28: controls.passwordPolicy.minimumPasswordLength is 129, out of range"}},
		{"maxPasswordAge too large", policyYAML("maxPasswordAge: 1096"), []string{
			"b.yaml:4:21: controls.passwordPolicy.maxPasswordAge is 1096, out of range; set it between 1 and 1095 days, or 0"}},
		{"maxPasswordAge negative", policyYAML("maxPasswordAge: -1"), []string{
			"b.yaml:4:21: controls.passwordPolicy.maxPasswordAge is -1, out of range"}},
		{"passwordReusePrevention too large", policyYAML("passwordReusePrevention: 25"), []string{
			"b.yaml:4:30: controls.passwordPolicy.passwordReusePrevention is 25, out of range; set it between 1 and 24"}},
		{"passwordReusePrevention negative", policyYAML("passwordReusePrevention: -3"), []string{
			"b.yaml:4:30: controls.passwordPolicy.passwordReusePrevention is -3, out of range"}},
		{"hardExpiry without maxPasswordAge", policyYAML("hardExpiry: true"), []string{
			"b.yaml:4:17: controls.passwordPolicy.hardExpiry is true but passwords never expire; set maxPasswordAge (1-1095 days), or set hardExpiry: false"}},
		{"hardExpiry with maxPasswordAge 0", policyYAML("hardExpiry: true", "maxPasswordAge: 0"), []string{
			"b.yaml:4:17: controls.passwordPolicy.hardExpiry is true but passwords never expire"}},
		{"concurrency 0", orgYAML("concurrency: 0"), []string{
			"b.yaml:3:16: organization.concurrency is 0, out of range; set it between 1 and 1000 (default 16)"}},
		{"concurrency 1001", orgYAML("concurrency: 1001"), []string{
			"b.yaml:3:16: organization.concurrency is 1001, out of range"}},
		{"sessionDuration too short", orgYAML("sessionDuration: 10m"), []string{
			"b.yaml:3:20: organization.sessionDuration 10m is out of range; set it between 15m and 12h"}},
		{"sessionDuration too long", orgYAML("sessionDuration: 12h1m"), []string{
			"b.yaml:3:20: organization.sessionDuration 12h1m is out of range"}},
		{"sessionDuration not a duration", orgYAML("sessionDuration: 1 hour"), []string{
			`b.yaml:3:20: organization.sessionDuration: invalid duration "1 hour"; write a Go duration such as 1h, 90m or 1h30m`}},
		{"sessionDuration without unit", orgYAML("sessionDuration: 3600"), []string{
			`b.yaml:3:20: organization.sessionDuration: duration "3600" has no unit; add one, e.g. 3600m or 3600s`}},
		{"sessionDuration a list", orgYAML("sessionDuration: [1h]"), []string{
			`b.yaml:3:20: organization.sessionDuration: expected a duration such as 1h or 90m, got a list`}},

		// ---- formats ----
		{"executionRole with a space", orgYAML("executionRole: Org Admin"), []string{
			`b.yaml:3:18: organization.executionRole "Org Admin" is not a valid IAM role name; use 1-64 letters, digits or + = , . @ _ -`}},
		{"executionRole too long", orgYAML("executionRole: " + strings.Repeat("r", 65)), []string{
			`b.yaml:3:18: organization.executionRole "rrrr`}},
		{"executionRole an ARN", orgYAML("executionRole: arn:aws:iam::123456789012:role/Admin"), []string{
			`b.yaml:3:18: organization.executionRole "arn:aws:iam::123456789012:role/Admin" is not a role name; give the name only`}},
		{"executionRole empty", orgYAML(`executionRole: ""`), []string{
			`b.yaml:3:18: organization.executionRole "" is not a valid IAM role name`}},
		{"externalId too short", orgYAML("externalId: x"), []string{
			`b.yaml:3:15: organization.externalId is 1 characters long; an external id has 2 to 1224 characters`}},
		{"externalId too long", orgYAML("externalId: " + strings.Repeat("x", 1225)), []string{
			`b.yaml:3:15: organization.externalId is 1225 characters long`}},
		{"externalId bad characters", orgYAML(`externalId: "a b#c"`), []string{
			`b.yaml:3:15: organization.externalId "a b#c" has characters an external id cannot have`}},
		{"homeRegion not a region", orgYAML("homeRegion: US-EAST-1"), []string{
			`b.yaml:3:15: organization.homeRegion "US-EAST-1" is not an AWS region name; write one such as us-east-1`}},
		{"regions empty", orgYAML("regions: []"), []string{
			`b.yaml:3:12: organization.regions is empty; list the governed regions, or remove the key to govern only homeRegion`}},
		{"regions bad and duplicate", orgYAML("homeRegion: eu-west-1", "regions:", "  - eu-west-1", "  - eu-west", "  - eu-west-1"), []string{
			`b.yaml:6:7: organization.regions[1] "eu-west" is not an AWS region name`,
			`b.yaml:7:7: region "eu-west-1" is listed twice in organization.regions (first at 5:7); remove one`}},
		{"regions without the default homeRegion", orgYAML("regions: [eu-west-1]"), []string{
			`b.yaml:3:12: organization.regions does not include the home region "us-east-1"; add it to regions, or set homeRegion to one of the listed regions`}},
		{"regions without homeRegion", orgYAML("homeRegion: eu-west-1", "regions: [eu-central-1, us-gov-west-1]"), []string{
			`b.yaml:4:12: organization.regions does not include the home region "eu-west-1"`}},
		{"account alias and values", orgYAML("accounts:", "  log-archive: Log Archive", "  audit: 22223333444", "  empty: \"\"", "  long: "+strings.Repeat("n", 51)), []string{
			`b.yaml:4:5: account alias "log-archive" is not a valid alias; start with a letter and use only letters and digits`,
			`b.yaml:5:12: organization.accounts.audit: account id "22223333444" has 11 digits; account ids have exactly 12`,
			`b.yaml:6:12: organization.accounts.empty is empty; give the account's name or 12-digit id`,
			`b.yaml:7:11: organization.accounts.long: account name "nnnn`}},
		{"alias starting with a digit", orgYAML("accounts: {1st: Audit}"), []string{
			`b.yaml:3:14: account alias "1st" is not a valid alias`}},
		{"include empty", "version: 1\ntargets:\n  include: []\n", []string{
			`b.yaml:3:12: targets.include is empty, so no account would be targeted; list selectors, or remove the key to target every account (root)`}},
		{"duplicate selector", "version: 1\ntargets:\n  include: [root, ou:/A, root]\n  exclude: [tag:x, tag:x]\n", []string{
			`b.yaml:3:26: selector "root" is listed twice in targets.include (first at 3:13); remove one`,
			`b.yaml:4:20: selector "tag:x" is listed twice in targets.exclude (first at 4:13); remove one`}},

		// ---- unknown keys, at several depths ----
		{"unknown top-level key", "version: 1\ncontrol: {}\n", []string{
			`b.yaml:2:1: unknown key "control" at the top level; did you mean "controls"? (valid keys: controls, extends, organization, plugins, targets, version)`}},
		{"unknown key, British spelling", "version: 1\norganisation: {}\n", []string{
			`b.yaml:2:1: unknown key "organisation" at the top level; did you mean "organization"?`}},
		{"unknown key in organization, wrong case", orgYAML("homeregion: eu-west-1"), []string{
			`b.yaml:3:3: unknown key "homeregion" in organization; did you mean "homeRegion"?`}},
		{"unknown key in targets", "version: 1\ntargets:\n  includes: [root]\n", []string{
			`b.yaml:3:3: unknown key "includes" in targets; did you mean "include"? (valid keys: exclude, include, includeManagementAccount)`}},
		{"unknown control", "version: 1\ncontrols:\n  passwordPolicies: {}\n", []string{
			`b.yaml:3:3: unknown key "passwordPolicies" in controls; did you mean "passwordPolicy"?`}},
		{"unknown control, nothing close", "version: 1\ncontrols:\n  guardDuty: {}\n", []string{
			`b.yaml:3:3: unknown key "guardDuty" in controls; remove it or use one of: accessAnalyzer, aiOptOutPolicies, backupPolicies, bedrockPolicies, config, declarativePolicies, inspectorPolicies, organizationTrail, passwordPolicy, resourceControlPolicies, rootAccess, s3Policies, securityHubPolicies, serviceControlPolicies, tagPolicies`}},
		{"unknown key in passwordPolicy", policyYAML("minimumPasswordLenght: 14"), []string{
			`b.yaml:4:5: unknown key "minimumPasswordLenght" in controls.passwordPolicy; did you mean "minimumPasswordLength"?`}},
		{"IAM API field name", policyYAML("MinimumPasswordLength: 14"), []string{
			`b.yaml:4:5: unknown key "MinimumPasswordLength" in controls.passwordPolicy; did you mean "minimumPasswordLength"?`}},

		// ---- wrong types ----
		{"integer as a word", policyYAML("minimumPasswordLength: fourteen"), []string{
			`b.yaml:4:28: controls.passwordPolicy.minimumPasswordLength: expected an integer, got "fourteen"; write a whole number without quotes, e.g. 14`}},
		{"quoted integer", policyYAML(`minimumPasswordLength: "14"`), []string{
			`b.yaml:4:28: controls.passwordPolicy.minimumPasswordLength: expected an integer, got the string "14"; remove the quotes`}},
		{"float for integer", policyYAML("minimumPasswordLength: 14.5"), []string{
			`b.yaml:4:28: controls.passwordPolicy.minimumPasswordLength: expected an integer, got the number 14.5`}},
		{"list for integer", policyYAML("minimumPasswordLength: [14]"), []string{
			`b.yaml:4:28: controls.passwordPolicy.minimumPasswordLength: expected an integer, got a list`}},
		{"null for integer", policyYAML("minimumPasswordLength:"), []string{
			`b.yaml:4:27: controls.passwordPolicy.minimumPasswordLength: expected an integer, got no value; give a value or remove the key`}},
		{"huge integer", policyYAML("minimumPasswordLength: 99999999999999999999"), []string{
			`b.yaml:4:28: controls.passwordPolicy.minimumPasswordLength: expected an integer, got the number 99999999999999999999`}},
		{"yes for bool", policyYAML("requireSymbols: yes"), []string{
			`b.yaml:4:21: controls.passwordPolicy.requireSymbols: expected true or false, got "yes"; write true or false (yes, no, on and off are text in YAML 1.2)`}},
		{"quoted bool", policyYAML(`requireSymbols: "true"`), []string{
			`b.yaml:4:21: controls.passwordPolicy.requireSymbols: expected true or false, got "true"; write true or false, without quotes`}},
		{"number for bool", policyYAML("requireSymbols: 1"), []string{
			`b.yaml:4:21: controls.passwordPolicy.requireSymbols: expected true or false, got the number 1; write true or false`}},
		{"null control", "version: 1\ncontrols:\n  passwordPolicy:\n", []string{
			`b.yaml:3:18: controls.passwordPolicy has no value; remove the key, or write passwordPolicy: {} to declare it with its defaults`}},
		{"list for a control", "version: 1\ncontrols:\n  passwordPolicy: [minimumPasswordLength]\n", []string{
			`b.yaml:3:19: controls.passwordPolicy: expected a mapping of key: value, got a list`}},
		{"list for organization", "version: 1\norganization:\n  - homeRegion: eu-west-1\n", []string{
			`b.yaml:3:3: organization: expected a mapping of key: value, got a list; write key: value pairs indented under it`}},
		{"string for targets", "version: 1\ntargets: root\n", []string{
			`b.yaml:2:10: targets: expected a mapping of key: value, got "root"`}},
		{"scalar for list", orgYAML("regions: eu-west-1"), []string{
			`b.yaml:3:12: organization.regions: expected a list, got "eu-west-1"; write a list: [a, b] or one "- item" per line`}},
		{"scalar for selector list", "version: 1\ntargets:\n  include: root\n", []string{
			`b.yaml:3:12: targets.include: expected a list, got "root"`}},
		{"mapping for selector", "version: 1\ntargets:\n  include:\n    - ou: /Prod\n", []string{
			`b.yaml:4:7: targets.include[0]: expected a selector such as root or ou:/Workloads, got a mapping`}},
		{"list for accounts", orgYAML("accounts: [Audit]"), []string{
			`b.yaml:3:13: organization.accounts: expected a mapping of key: value, got a list`}},
		{"bool for string", orgYAML("executionRole: true"), []string{
			`b.yaml:3:18: organization.executionRole: expected a string, got the boolean true; quote it ("true") if you mean the text`}},
		{"mapping for string", orgYAML("homeRegion: {name: eu-west-1}"), []string{
			`b.yaml:3:15: organization.homeRegion: expected a string, got a mapping`}},
		{"string for bool in targets", "version: 1\ntargets:\n  includeManagementAccount: \"no\"\n", []string{
			`b.yaml:3:29: targets.includeManagementAccount: expected true or false, got "no"`}},
		{"wrong type does not also report a range or cross-field error", orgYAML("homeRegion: [eu-west-1]", "regions: [eu-west-1]", "concurrency: x"), []string{
			`b.yaml:3:15: organization.homeRegion: expected a string, got a list`,
			`b.yaml:5:16: organization.concurrency: expected an integer, got "x"`}},

		// ---- version, extends and YAML structure ----
		{"version as text", "version: one\n", []string{
			`b.yaml:1:10: version: expected the integer 1, got "one"; write "version: 1"`}},
		{"version as float", "version: 1.0\n", []string{
			`b.yaml:1:10: version: expected the integer 1, got the number 1.0`}},
		{"version 0", "version: 0\n", []string{
			`b.yaml:1:10: unsupported version 0; this orgbaseline reads version 1 files`}},
		{"extends a string", "version: 1\nextends: minimal\n", []string{
			`b.yaml:2:10: extends: expected a list of profile names and file paths, got "minimal"; write a list: extends: [minimal]`}},
		{"extends bad entries", "version: 1\nextends: [\"\", [x], minimal, minimal]\n", []string{
			`b.yaml:2:11: extends[0] is empty; give a profile name or a file path, or remove the entry`,
			`b.yaml:2:15: extends[1]: expected a profile name or a file path, got a list`,
			`b.yaml:2:29: "minimal" is listed twice in extends (also at line 2); remove one`}},
		{"duplicate keys at two depths", "version: 1\ncontrols:\n  passwordPolicy: {requireNumbers: true, requireNumbers: false}\ncontrols: {}\n", []string{
			`b.yaml:3:42: duplicate key "requireNumbers" (first at line 3); remove one of them`,
			`b.yaml:4:1: duplicate key "controls" (first at line 2); remove one of them`}},
		{"merge key", "version: 1\ndefaults: &d {minimumPasswordLength: 14}\ncontrols:\n  passwordPolicy:\n    <<: *d\n", []string{
			`b.yaml:2:1: unknown key "defaults" at the top level`,
			`b.yaml:5:5: YAML merge keys (<<) are not supported; use extends to share settings between files, or write the keys out`}},
		{"recursive alias", "version: 1\ncontrols: &c\n  x: *c\n", []string{
			`b.yaml:3:6: alias *c refers to a node that contains it; remove the alias`}},
		{"complex key", "version: 1\n? [a, b]\n: c\n", []string{
			`b.yaml:2:3: mapping keys must be plain names, got a list; write a name followed by a colon`}},
		{"tab indentation", "version: 1\ncontrols:\n\tpasswordPolicy: {}\n", []string{
			`b.yaml:3: YAML syntax error: found character that cannot start any token`}},
		{"syntax error without a line from yaml.v3", "version: 1\norganization:\n  homeRegion: a: b\n", []string{
			`b.yaml:3: YAML syntax error: mapping values are not allowed in this context`}},
		{"unterminated quote", "version: 1\norganization:\n  homeRegion: \"eu-west-1\n", []string{
			`b.yaml:3: YAML syntax error: found unexpected end of stream`}},
		{"null document", "~\n", []string{
			`b.yaml:1:1: the file is empty; a baseline needs at least "version: 1"`}},
		{"scalar document", "hello\n", []string{
			`b.yaml:1:1: the top level must be a mapping of keys (version, organization, targets, controls), got a single value (not shown; is this a baseline file?)`}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			b, err := LoadBytes("b.yaml", []byte(tt.yaml), t.TempDir())
			if err == nil {
				t.Fatalf("no error; loaded %+v", b)
			}
			if b != nil {
				t.Errorf("LoadBytes returned a baseline along with errors")
			}
			checkDiags(t, err, tt.want)
		})
	}
}

// TestValidDocuments loads documents that must be accepted.
func TestValidDocuments(t *testing.T) {
	tests := []struct {
		name  string
		yaml  string
		check func(t *testing.T, b *Baseline)
	}{
		{"empty sections", "version: 1\norganization:\ntargets: {}\ncontrols:\n", func(t *testing.T, b *Baseline) {
			if b.Controls.PasswordPolicy != nil {
				t.Errorf("password policy declared")
			}
		}},
		{"empty password policy takes IAM defaults", "version: 1\ncontrols:\n  passwordPolicy: {}\n", func(t *testing.T, b *Baseline) {
			if got := b.Controls.PasswordPolicy.Resolved(); got != (PasswordPolicySettings{MinimumPasswordLength: 6}) {
				t.Errorf("Resolved() = %+v", got)
			}
			if !b.Controls.PasswordPolicy.IsEnabled() {
				t.Errorf("not enabled by default")
			}
		}},
		{"range limits", policyYAML("minimumPasswordLength: 128", "maxPasswordAge: 1095", "passwordReusePrevention: 24", "hardExpiry: true"), nil},
		{"lower limits", policyYAML("minimumPasswordLength: 6", "maxPasswordAge: 1", "passwordReusePrevention: 1"), nil},
		{"zero means unset", policyYAML("maxPasswordAge: 0", "passwordReusePrevention: 0", "hardExpiry: false"), func(t *testing.T, b *Baseline) {
			if r := b.Controls.PasswordPolicy.Resolved(); r.MaxPasswordAge != 0 || r.PasswordReusePrevention != 0 {
				t.Errorf("Resolved() = %+v", r)
			}
		}},
		{"organization limits", orgYAML("sessionDuration: 15m", "concurrency: 1000", "externalId: ab", "executionRole: "+strings.Repeat("r", 64)), nil},
		{"session duration 12h", orgYAML("sessionDuration: 12h", "concurrency: 1"), func(t *testing.T, b *Baseline) {
			if b.Organization.SessionDuration.Duration != 12*time.Hour {
				t.Errorf("sessionDuration = %v", b.Organization.SessionDuration)
			}
		}},
		{"regions default to homeRegion", orgYAML("homeRegion: eu-central-1"), func(t *testing.T, b *Baseline) {
			if !cmp.Equal(b.Organization.Regions, []string{"eu-central-1"}) {
				t.Errorf("regions = %v", b.Organization.Regions)
			}
		}},
		{"gov region", orgYAML("homeRegion: us-gov-west-1"), nil},
		{"anchors and aliases", "version: 1\norganization:\n  regions: &r [us-east-1, eu-west-1]\ntargets:\n  include: [root]\n", nil},
		{"hex and underscore integers", policyYAML("minimumPasswordLength: 0x10", "maxPasswordAge: 1_000"), func(t *testing.T, b *Baseline) {
			if r := b.Controls.PasswordPolicy.Resolved(); r.MinimumPasswordLength != 16 || r.MaxPasswordAge != 1000 {
				t.Errorf("Resolved() = %+v", r)
			}
		}},
		{"numbers as account values", orgYAML("accounts: {audit: 222233334444, shared: 012345678901}"), func(t *testing.T, b *Baseline) {
			want := map[string]string{"audit": "222233334444", "shared": "012345678901"}
			if !cmp.Equal(b.Organization.Accounts, want) {
				t.Errorf("accounts = %v", b.Organization.Accounts)
			}
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			b, err := LoadBytes("b.yaml", []byte(tt.yaml), t.TempDir())
			if err != nil {
				t.Fatal(err)
			}
			if tt.check != nil {
				tt.check(t, b)
			}
		})
	}
}

func TestDefaults(t *testing.T) {
	b, err := LoadBytes("b.yaml", []byte("version: 1\n"), "")
	if err != nil {
		t.Fatal(err)
	}
	want := Organization{
		ExecutionRole:   DefaultExecutionRole,
		SessionDuration: Duration{time.Hour},
		HomeRegion:      "us-east-1",
		Regions:         []string{"us-east-1"},
		Concurrency:     16,
		Accounts:        map[string]string{},
	}
	if diff := cmp.Diff(want, b.Organization); diff != "" {
		t.Errorf("organization defaults (-want +got):\n%s", diff)
	}
	if len(b.Targets.Include) != 1 || b.Targets.Include[0].Kind != SelectRoot || b.Targets.IncludeManagementAccount {
		t.Errorf("targets defaults = %+v", b.Targets)
	}
	if b.Controls.PasswordPolicy != nil || b.Controls.PasswordPolicy.IsEnabled() {
		t.Errorf("no control declared, got %+v", b.Controls)
	}
	if !cmp.Equal(b.Sources, []string{"b.yaml"}) || b.Version != 1 || b.Extends != nil {
		t.Errorf("Sources %v, Version %d, Extends %v", b.Sources, b.Version, b.Extends)
	}
	// targets without include also defaults to root.
	b, err = LoadBytes("b.yaml", []byte("version: 1\ntargets:\n  exclude: [tag:skip]\n"), "")
	if err != nil {
		t.Fatal(err)
	}
	if len(b.Targets.Include) != 1 || b.Targets.Include[0].String() != "root" {
		t.Errorf("include = %v, want [root]", b.Targets.Include)
	}
}

func TestResolvedNil(t *testing.T) {
	var p *PasswordPolicy
	if got := p.Resolved(); got != (PasswordPolicySettings{MinimumPasswordLength: 6}) {
		t.Errorf("nil Resolved() = %+v", got)
	}
	if p.IsEnabled() {
		t.Errorf("nil policy enabled")
	}
	if (&PasswordPolicy{Enabled: ptrTo(false)}).IsEnabled() {
		t.Errorf("enabled: false policy enabled")
	}
}

// TestKeysFromStructTags checks that the accepted keys are exactly the
// yaml tags of the Go types, so that a field added to a struct is a key
// the loader accepts, with nothing else to update.
func TestKeysFromStructTags(t *testing.T) {
	for _, typ := range []reflect.Type{
		reflect.TypeFor[Baseline](), reflect.TypeFor[Organization](), reflect.TypeFor[Targets](),
		reflect.TypeFor[Controls](), reflect.TypeFor[PasswordPolicy](),
	} {
		t.Run(typ.Name(), func(t *testing.T) {
			var tags []string
			for i := 0; i < typ.NumField(); i++ {
				if tag, _, _ := strings.Cut(typ.Field(i).Tag.Get("yaml"), ","); tag != "-" {
					tags = append(tags, tag)
				}
			}
			got := sortedFieldKeys(yamlFields(typ))
			if diff := cmp.Diff(tags, got, cmp.Transformer("sort", func(s []string) []string {
				s = append([]string(nil), s...)
				slices.Sort(s)
				return s
			})); diff != "" {
				t.Errorf("keys (-tags +accepted):\n%s", diff)
			}
		})
	}
}

func TestDiagnosticsError(t *testing.T) {
	ds := Diagnostics{
		{Pos: Position{"a.yaml", 1, 2}, Message: "first"},
		{Pos: Position{"profile:minimal", 3, 4}, Message: "second"},
		{Message: "no position"},
	}
	want := "a.yaml:1:2: first\nprofile:minimal:3:4: second\nno position"
	if got := ds.Error(); got != want {
		t.Errorf("Error() = %q, want %q", got, want)
	}
}

func TestClosest(t *testing.T) {
	keys := []string{"minimumPasswordLength", "maxPasswordAge", "requireSymbols", "enabled"}
	tests := []struct{ in, want string }{
		{"minimumPasswordLenght", "minimumPasswordLength"},
		{"maxpasswordage", "maxPasswordAge"},
		{"requireSymbol", "requireSymbols"},
		{"enable", "enabled"},
		{"x", ""},
		{"somethingElse", ""},
	}
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			if got := closestMatch(tt.in, keys); got != tt.want {
				t.Errorf("closest(%q) = %q, want %q", tt.in, got, tt.want)
			}
		})
	}
}

func TestDurationString(t *testing.T) {
	tests := []struct {
		d    time.Duration
		want string
	}{
		{time.Hour, "1h"},
		{90 * time.Minute, "1h30m"},
		{45 * time.Minute, "45m"},
		{12 * time.Hour, "12h"},
		{time.Hour + 30*time.Second, "1h0m30s"},
		{0, "0s"},
		{1500 * time.Millisecond, "1.5s"},
	}
	for _, tt := range tests {
		if got := (Duration{tt.d}).String(); got != tt.want {
			t.Errorf("Duration(%v).String() = %q, want %q", tt.d, got, tt.want)
		}
		if back, err := ParseDuration(tt.want); err != nil || back.Duration != tt.d {
			t.Errorf("ParseDuration(%q) = %v, %v", tt.want, back, err)
		}
	}
}

func TestDurationYAML(t *testing.T) {
	var v struct {
		D Duration `yaml:"d"`
	}
	if err := yaml.Unmarshal([]byte("d: 1h30m\n"), &v); err != nil || v.D.Duration != 90*time.Minute {
		t.Fatalf("Unmarshal: %v, %v", v.D, err)
	}
	out, err := yaml.Marshal(v)
	if err != nil || string(out) != "d: 1h30m\n" {
		t.Errorf("Marshal = %q, %v", out, err)
	}
	for _, bad := range []string{"d: 90\n", "d: soon\n", "d: [1h]\n"} {
		if err := yaml.Unmarshal([]byte(bad), &v); err == nil || !strings.Contains(err.Error(), "line 1") {
			t.Errorf("Unmarshal(%q) error = %v, want one naming line 1", bad, err)
		}
	}
}
