package baseline

import (
	"errors"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/orgbaseline/orgbaseline/profiles"
)

// diagLines returns err's diagnostics as "file:line:col: message" lines,
// failing the test if err is not Diagnostics.
func diagLines(t *testing.T, err error) []string {
	t.Helper()
	if err == nil {
		return nil
	}
	var ds Diagnostics
	if !errors.As(err, &ds) {
		t.Fatalf("error is %T, not Diagnostics: %v", err, err)
	}
	lines := make([]string, len(ds))
	for i, d := range ds {
		lines[i] = d.String()
	}
	return lines
}

// checkDiags checks that got has one line per want, in order, each
// starting with the wanted prefix ("file:line:col: start of message").
func checkDiags(t *testing.T, err error, want []string) {
	t.Helper()
	got := diagLines(t, err)
	ok := len(got) == len(want)
	for i := 0; ok && i < len(want); i++ {
		ok = strings.HasPrefix(got[i], want[i])
	}
	if !ok {
		t.Errorf("diagnostics:\n  %s\nwant (prefixes):\n  %s", strings.Join(got, "\n  "), strings.Join(want, "\n  "))
	}
}

func ptrTo[T any](v T) *T { return &v }

func absPath(t *testing.T, path string) string {
	t.Helper()
	a, err := filepath.Abs(path)
	if err != nil {
		t.Fatal(err)
	}
	return a
}

func TestLoadMinimal(t *testing.T) {
	b, err := Load("testdata/minimal.yaml")
	if err != nil {
		t.Fatal(err)
	}
	want := &Baseline{
		Version: 1,
		Organization: Organization{
			ExecutionRole:   "OrganizationAccountAccessRole",
			SessionDuration: Duration{time.Hour},
			HomeRegion:      "us-east-1",
			Regions:         []string{"us-east-1"},
			Concurrency:     16,
			Accounts:        map[string]string{},
		},
		Targets: Targets{
			Include: []Selector{{Kind: SelectRoot, Raw: "root"}},
			Exclude: []Selector{},
		},
		Controls: Controls{PasswordPolicy: &PasswordPolicy{MinimumPasswordLength: ptrTo(14)}},
		Sources:  []string{absPath(t, "testdata/minimal.yaml")},
		Dir:      absPath(t, "testdata"),
	}
	if diff := cmp.Diff(want, b); diff != "" {
		t.Errorf("Load(minimal) mismatch (-want +got):\n%s", diff)
	}
	if got := b.Controls.PasswordPolicy.Resolved(); got != (PasswordPolicySettings{MinimumPasswordLength: 14}) {
		t.Errorf("Resolved() = %+v", got)
	}
}

func TestLoadEveryKey(t *testing.T) {
	b, err := Load("testdata/full.yaml")
	if err != nil {
		t.Fatal(err)
	}
	at := func(line, col int) Position { return Position{File: "testdata/full.yaml", Line: line, Column: col} }
	want := &Baseline{
		Version: 1,
		Extends: []string{"minimal"},
		Organization: Organization{
			ExecutionRole:   "BaselineExecution",
			ExternalID:      "orgbaseline-2024",
			SessionDuration: Duration{2 * time.Hour},
			HomeRegion:      "eu-west-1",
			Regions:         []string{"eu-west-1", "eu-central-1", "us-east-1"},
			Concurrency:     8,
			Accounts: map[string]string{
				"logArchive": "Log Archive",
				"audit":      "222233334444",
				"shared":     "012345678901", // unquoted, leading zero kept
			},
			AccountPositions: map[string]Position{"logArchive": at(13, 17), "audit": at(14, 12), "shared": at(15, 13)},
		},
		Targets: Targets{
			Include: []Selector{
				{Kind: SelectOUPath, Value: "/Workloads/Prod", Raw: "ou:/Workloads/Prod", Pos: at(18, 7)},
				{Kind: SelectOUID, Value: "ou-ab12-cdefgh34", Raw: "ou:ou-ab12-cdefgh34", Pos: at(19, 7)},
				{Kind: SelectAccountID, Value: "123456789012", Raw: "account:123456789012", Pos: at(20, 7)},
				{Kind: SelectAccountName, Value: "Log Archive", Raw: "account:Log Archive", Pos: at(21, 7)},
				{Kind: SelectTag, TagKey: "env", TagValue: "prod", HasTagValue: true, Raw: "tag:env=prod", Pos: at(22, 7)},
			},
			Exclude: []Selector{
				{Kind: SelectTag, TagKey: "orgbaseline-skip", Raw: "tag:orgbaseline-skip", Pos: at(24, 7)},
			},
			IncludeManagementAccount: true,
		},
		Controls: Controls{PasswordPolicy: &PasswordPolicy{
			Enabled:                    ptrTo(true),
			MinimumPasswordLength:      ptrTo(16),
			RequireSymbols:             ptrTo(true),
			RequireNumbers:             ptrTo(true),
			RequireUppercaseCharacters: ptrTo(true),
			RequireLowercaseCharacters: ptrTo(true),
			AllowUsersToChangePassword: ptrTo(true),
			MaxPasswordAge:             ptrTo(90),
			PasswordReusePrevention:    ptrTo(24),
			HardExpiry:                 ptrTo(true),
		}},
		Sources: []string{"profile:minimal", absPath(t, "testdata/full.yaml")},
		Dir:     absPath(t, "testdata"),
	}
	if diff := cmp.Diff(want, b); diff != "" {
		t.Errorf("Load(full) mismatch (-want +got):\n%s", diff)
	}
	wantSettings := PasswordPolicySettings{
		MinimumPasswordLength: 16, RequireSymbols: true, RequireNumbers: true,
		RequireUppercaseCharacters: true, RequireLowercaseCharacters: true,
		AllowUsersToChangePassword: true, MaxPasswordAge: 90, PasswordReusePrevention: 24, HardExpiry: true,
	}
	if got := b.Controls.PasswordPolicy.Resolved(); got != wantSettings {
		t.Errorf("Resolved() = %+v, want %+v", got, wantSettings)
	}
}

// TestLoadInvalidFiles covers whole-file problems and several errors at once.
func TestLoadInvalidFiles(t *testing.T) {
	tests := []struct {
		file string
		want []string // exact lines
	}{
		{"empty.yaml", []string{
			`testdata/invalid/empty.yaml:1:1: the file is empty; a baseline needs at least "version: 1"`,
		}},
		{"comments-only.yaml", []string{
			`testdata/invalid/comments-only.yaml:1:1: the file is empty; a baseline needs at least "version: 1"`,
		}},
		{"list.yaml", []string{
			`testdata/invalid/list.yaml:1:1: the top level must be a mapping of keys (version, organization, targets, controls), got a list; write "key: value" lines, not a list`,
		}},
		{"no-version.yaml", []string{
			`testdata/invalid/no-version.yaml:1:1: missing required key "version"; add "version: 1" at the top of the file`,
		}},
		{"version-2.yaml", []string{
			`testdata/invalid/version-2.yaml:1:10: unsupported version 2; this orgbaseline reads version 1 files: write "version: 1" and the version 1 format`,
		}},
		{"syntax.yaml", []string{
			`testdata/invalid/syntax.yaml:5: YAML syntax error: did not find expected key; check the indentation, colons and quoting on this line and the ones just before`,
		}},
		{"duplicate.yaml", []string{
			`testdata/invalid/duplicate.yaml:6:5: duplicate key "minimumPasswordLength" (first at line 4); remove one of them`,
		}},
		{"two-docs.yaml", []string{
			`testdata/invalid/two-docs.yaml:2:1: a second YAML document (after ---); keep the whole baseline in one document`,
		}},
		{"multi.yaml", []string{
			`testdata/invalid/multi.yaml:3:18: organization.executionRole "role/Admin" is not a role name; give the name only (e.g. OrganizationAccountAccessRole), not an ARN or path`,
			`testdata/invalid/multi.yaml:4:20: organization.sessionDuration 13h is out of range; set it between 15m and 12h (the limits of sts:AssumeRole)`,
			`testdata/invalid/multi.yaml:6:24: region "eu-west-1" is listed twice in organization.regions (first at 6:13); remove one`,
			`testdata/invalid/multi.yaml:6:35: organization.regions[2] "mars-north-1" is not an AWS region name; write one such as us-east-1 or eu-west-1`,
			`testdata/invalid/multi.yaml:7:3: unknown key "concurency" in organization; did you mean "concurrency"? (valid keys: accounts, concurrency, executionRole, externalId, guardContext, homeRegion, regions, sessionDuration)`,
			`testdata/invalid/multi.yaml:10:7: targets.include[0]: selector "ou:Workloads": an OU is a path from the root starting with "/" (ou:/Workloads) or an OU id (ou:ou-xxxx-xxxxxxxx)`,
			`testdata/invalid/multi.yaml:13:5: unknown key "minimumPasswordLenght" in controls.passwordPolicy; did you mean "minimumPasswordLength"? (valid keys: allowUsersToChangePassword, enabled, hardExpiry, maxPasswordAge, minimumPasswordLength, passwordReusePrevention, requireLowercaseCharacters, requireNumbers, requireSymbols, requireUppercaseCharacters)`,
			`testdata/invalid/multi.yaml:14:21: controls.passwordPolicy.requireSymbols: expected true or false, got "yes"; write true or false (yes, no, on and off are text in YAML 1.2)`,
			`testdata/invalid/multi.yaml:15:21: controls.passwordPolicy.maxPasswordAge: expected an integer, got "fourteen"; write a whole number without quotes, e.g. 14`,
			`testdata/invalid/multi.yaml:16:30: controls.passwordPolicy.passwordReusePrevention is 25, out of range; set it between 1 and 24 remembered passwords, or 0 (or remove it) to allow reuse`,
		}},
	}
	for _, tt := range tests {
		t.Run(tt.file, func(t *testing.T) {
			b, err := Load(filepath.Join("testdata/invalid", tt.file))
			if b != nil {
				t.Errorf("Load returned a baseline along with errors")
			}
			if diff := cmp.Diff(tt.want, diagLines(t, err)); diff != "" {
				t.Errorf("diagnostics (-want +got):\n%s", diff)
			}
			if got, want := err.Error(), strings.Join(tt.want, "\n"); got != want {
				t.Errorf("Error() =\n%s\nwant\n%s", got, want)
			}
		})
	}
}

func TestLoadMissingFile(t *testing.T) {
	_, err := Load("testdata/does-not-exist.yaml")
	checkDiags(t, err, []string{"testdata/does-not-exist.yaml: cannot read the baseline file: file not found; check the path"})
}

func TestLoadExtends(t *testing.T) {
	tests := []struct {
		name        string
		file        string
		wantSources []string
		wantPolicy  PasswordPolicySettings
		check       func(t *testing.T, b *Baseline)
	}{
		{
			name:        "profile",
			file:        "testdata/extends/with-profile.yaml",
			wantSources: []string{"profile:cis-aws-foundations-3.0", absPath(t, "testdata/extends/with-profile.yaml")},
			wantPolicy: PasswordPolicySettings{
				MinimumPasswordLength: 20, PasswordReusePrevention: 24, // 20 overrides the profile's 14
				RequireSymbols: true, RequireNumbers: true, RequireUppercaseCharacters: true,
				RequireLowercaseCharacters: true, AllowUsersToChangePassword: true,
			},
		},
		{
			name:        "relative file",
			file:        "testdata/extends/with-file.yaml",
			wantSources: []string{absPath(t, "testdata/extends/base/common.yaml"), absPath(t, "testdata/extends/with-file.yaml")},
			wantPolicy:  PasswordPolicySettings{MinimumPasswordLength: 16, RequireSymbols: true},
			check: func(t *testing.T, b *Baseline) {
				if b.Organization.HomeRegion != "eu-west-1" || !cmp.Equal(b.Organization.Regions, []string{"eu-west-1", "eu-central-1"}) {
					t.Errorf("organization from the extended file not kept: %+v", b.Organization)
				}
				if want := map[string]string{"logArchive": "Log Archive", "audit": "222233334444"}; !cmp.Equal(b.Organization.Accounts, want) {
					t.Errorf("accounts = %v, want %v (merged from both files)", b.Organization.Accounts, want)
				}
				if !cmp.Equal(b.Extends, []string{"./base/common.yaml"}) {
					t.Errorf("Extends = %v", b.Extends)
				}
			},
		},
		{
			// diamond-a and diamond-b both extend minimal: it is applied
			// once, first, so diamond-a's length is not undone.
			name: "diamond",
			file: "testdata/extends/diamond.yaml",
			wantSources: []string{
				"profile:minimal",
				absPath(t, "testdata/extends/diamond-a.yaml"),
				absPath(t, "testdata/extends/diamond-b.yaml"),
				absPath(t, "testdata/extends/diamond.yaml"),
			},
			wantPolicy: PasswordPolicySettings{
				MinimumPasswordLength: 12, PasswordReusePrevention: 5,
				RequireSymbols: true, RequireNumbers: true, RequireUppercaseCharacters: true,
				RequireLowercaseCharacters: true, AllowUsersToChangePassword: true,
			},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			b, err := Load(tt.file)
			if err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff(tt.wantSources, b.Sources); diff != "" {
				t.Errorf("Sources (-want +got):\n%s", diff)
			}
			if diff := cmp.Diff(tt.wantPolicy, b.Controls.PasswordPolicy.Resolved()); diff != "" {
				t.Errorf("password policy (-want +got):\n%s", diff)
			}
			if tt.check != nil {
				tt.check(t, b)
			}
		})
	}
}

func TestLoadExtendsErrors(t *testing.T) {
	tests := []struct {
		name string
		file string
		want []string
	}{
		{
			// Errors point into the extended file; minimumPasswordLength 4
			// is reported although with-broken.yaml overrides it.
			name: "errors in extended file",
			file: "testdata/extends/with-broken.yaml",
			want: []string{
				`testdata/extends/base/broken.yaml:3:16: organization.concurrency is 0, out of range; set it between 1 and 1000 (default 16)`,
				`testdata/extends/base/broken.yaml:6:5: unknown key "requireSymbol" in controls.passwordPolicy; did you mean "requireSymbols"?`,
				`testdata/extends/base/broken.yaml:7:28: controls.passwordPolicy.minimumPasswordLength is 4, out of range; set it between 6 and 128 (IAM's limits)`,
			},
		},
		{
			name: "unknown profile and missing file",
			file: "testdata/extends/unknown-profile.yaml",
			want: []string{
				`testdata/extends/unknown-profile.yaml:4:5: unknown profile "cis-aws-foundations"; did you mean "cis-aws-foundations-3.0"? (available profiles: cis-aws-foundations-3.0, data-perimeter, deny-root-user, minimal, protect-security-services, region-deny;`,
				`testdata/extends/unknown-profile.yaml:5:5: extended file "./missing.yaml" not found (looked in testdata/extends); fix the path`,
			},
		},
		{
			name: "cycle of two files",
			file: "testdata/cycle/a.yaml",
			want: []string{
				`testdata/cycle/b.yaml:4:5: extends cycle: testdata/cycle/a.yaml -> testdata/cycle/b.yaml -> testdata/cycle/a.yaml; remove one of these extends`,
			},
		},
		{
			name: "file extends itself",
			file: "testdata/cycle/self.yaml",
			want: []string{
				`testdata/cycle/self.yaml:2:11: extends cycle: testdata/cycle/self.yaml -> testdata/cycle/self.yaml; remove one of these extends`,
			},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			b, err := Load(tt.file)
			if b != nil {
				t.Errorf("Load returned a baseline along with errors")
			}
			checkDiags(t, err, tt.want)
		})
	}
}

// fakeProfiles serves profiles from a map, to test profiles that extend
// profiles and errors inside profiles.
func fakeProfiles(m map[string]string) profileSet {
	return profileSet{
		lookup: func(name string) ([]byte, bool) {
			s, ok := m[name]
			return []byte(s), ok
		},
		names: func() []string {
			var names []string
			for n := range m {
				names = append(names, n)
			}
			sort.Strings(names)
			return names
		},
	}
}

func TestProfileExtends(t *testing.T) {
	ps := fakeProfiles(map[string]string{
		"base":      "version: 1\ncontrols:\n  passwordPolicy:\n    minimumPasswordLength: 10\n    requireNumbers: true\n",
		"strict":    "version: 1\nextends: [base]\ncontrols:\n  passwordPolicy:\n    minimumPasswordLength: 20\n",
		"broken":    "version: 1\ncontrols:\n  passwordPolicy:\n    minimumPasswordLength: 200\n    requireNumber: true\n",
		"loop1":     "version: 1\nextends: [loop2]\n",
		"loop2":     "version: 1\nextends: [loop1]\n",
		"file":      "version: 1\nextends: [./local.yaml]\n",
		"noversion": "controls: {}\n",
	})
	tests := []struct {
		name string
		yaml string
		want []string
	}{
		{"profile extends profile", "version: 1\nextends: [strict]\n", nil},
		{"error positions in a profile", "version: 1\nextends: [broken]\n", []string{
			`profile:broken:4:28: controls.passwordPolicy.minimumPasswordLength is 200, out of range`,
			`profile:broken:5:5: unknown key "requireNumber" in controls.passwordPolicy; did you mean "requireNumbers"?`,
		}},
		{"profile cycle", "version: 1\nextends: [loop1]\n", []string{
			`profile:loop2:2:11: extends cycle: profile:loop1 -> profile:loop2 -> profile:loop1; remove one of these extends`,
		}},
		{"profile extends a file", "version: 1\nextends: [file]\n", []string{
			`profile:file:2:11: profile:file cannot extend the file "./local.yaml"; a profile may only extend other profiles`,
		}},
		{"profile without version", "version: 1\nextends: [noversion]\n", []string{
			`profile:noversion:1:1: missing required key "version"`,
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			b, err := loadBytes("b.yaml", []byte(tt.yaml), t.TempDir(), ps)
			checkDiags(t, err, tt.want)
			if tt.want == nil {
				want := []string{"profile:base", "profile:strict", "b.yaml"}
				if !cmp.Equal(b.Sources, want) {
					t.Errorf("Sources = %v, want %v", b.Sources, want)
				}
				if got := b.Controls.PasswordPolicy.Resolved(); got != (PasswordPolicySettings{MinimumPasswordLength: 20, RequireNumbers: true}) {
					t.Errorf("Resolved() = %+v", got)
				}
			}
		})
	}
}

// TestShippedProfiles loads every shipped profile, alone and extended.
func TestShippedProfiles(t *testing.T) {
	names := profiles.Names()
	if len(names) < 2 {
		t.Fatalf("profiles.Names() = %v", names)
	}
	for _, name := range names {
		t.Run(name, func(t *testing.T) {
			data, _ := profiles.Lookup(name)
			if _, err := LoadBytes("profile:"+name, data, ""); err != nil {
				t.Errorf("profile does not load on its own:\n%v", err)
			}
			b, err := LoadBytes("b.yaml", []byte("version: 1\nextends: ["+name+"]\n"), "")
			if err != nil {
				t.Fatalf("extending the profile fails:\n%v", err)
			}
			// A profile sets the password policy (minimal, CIS) or
			// attaches guardrails (the Organizations policy profiles).
			if !b.Controls.PasswordPolicy.IsEnabled() && len(b.Controls.PolicySets()) == 0 {
				t.Errorf("profile declares no enabled password policy and no Organizations policies")
			}
		})
	}
	cis, err := LoadBytes("b.yaml", []byte("version: 1\nextends: [cis-aws-foundations-3.0]\n"), "")
	if err != nil {
		t.Fatal(err)
	}
	want := PasswordPolicySettings{
		MinimumPasswordLength:      14, // CIS 1.8
		PasswordReusePrevention:    24, // CIS 1.9
		RequireSymbols:             true,
		RequireNumbers:             true,
		RequireUppercaseCharacters: true,
		RequireLowercaseCharacters: true,
		AllowUsersToChangePassword: true,
		MaxPasswordAge:             0, // CIS 3.0 requires no expiry
	}
	if got := cis.Controls.PasswordPolicy.Resolved(); got != want {
		t.Errorf("cis-aws-foundations-3.0 resolves to %+v, want %+v", got, want)
	}
	if cis.Controls.PasswordPolicy.MaxPasswordAge != nil {
		t.Errorf("cis-aws-foundations-3.0 sets maxPasswordAge; CIS 3.0 does not ask for it")
	}
}

func TestLoadBytes(t *testing.T) {
	dir := t.TempDir()
	if err := os.WriteFile(filepath.Join(dir, "base.yaml"), []byte("version: 1\norganization:\n  concurrency: 2000\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	_, err := LoadBytes("<stdin>", []byte("version: 1\nextends: [base.yaml]\ncontrols:\n  passwordPolicy:\n    minimumPasswordLength: x\n"), dir)
	checkDiags(t, err, []string{
		filepath.Join(dir, "base.yaml") + `:3:16: organization.concurrency is 2000, out of range`,
		`<stdin>:5:28: controls.passwordPolicy.minimumPasswordLength: expected an integer, got "x"`,
	})

	b, err := LoadBytes("top.yaml", []byte("version: 1\nextends: [base.yaml]\norganization:\n  concurrency: 4\n"), dir)
	if err == nil {
		t.Fatalf("base.yaml's error not reported when overridden: %+v", b)
	}

	// A syntax error in an extended file is reported in that file, along
	// with the errors of the file that extends it.
	if err := os.WriteFile(filepath.Join(dir, "broken.yaml"), []byte("version: 1\norganization:\n  regions: [eu-west-1\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	_, err = LoadBytes("top.yaml", []byte("version: 1\nextends: [broken.yaml, nope]\ncontrols: {x: 1}\n"), dir)
	checkDiags(t, err, []string{
		filepath.Join(dir, "broken.yaml") + `:3: YAML syntax error: did not find expected ',' or ']'`,
		`top.yaml:2:24: unknown profile "nope"`,
		`top.yaml:3:12: unknown key "x" in controls`,
	})
}

// TestDeterministic loads the same files repeatedly and expects the same
// result and the same error text every time.
func TestDeterministic(t *testing.T) {
	for _, file := range []string{"testdata/full.yaml", "testdata/merge/top.yaml", "testdata/invalid/multi.yaml", "testdata/extends/with-broken.yaml"} {
		t.Run(file, func(t *testing.T) {
			b0, err0 := Load(file)
			for range 20 {
				b, err := Load(file)
				if diff := cmp.Diff(b0, b); diff != "" {
					t.Fatalf("result changed between loads:\n%s", diff)
				}
				if (err == nil) != (err0 == nil) || (err != nil && err.Error() != err0.Error()) {
					t.Fatalf("errors changed between loads:\n%v\n---\n%v", err0, err)
				}
			}
		})
	}
}

func TestPositionString(t *testing.T) {
	tests := []struct {
		pos  Position
		want string
	}{
		{Position{"b.yaml", 3, 7}, "b.yaml:3:7"},
		{Position{"b.yaml", 3, 0}, "b.yaml:3"},
		{Position{"b.yaml", 0, 0}, "b.yaml"},
		{Position{"profile:minimal", 1, 1}, "profile:minimal:1:1"},
		{Position{"", 2, 4}, "2:4"},
	}
	for _, tt := range tests {
		t.Run(tt.want, func(t *testing.T) {
			if got := tt.pos.String(); got != tt.want {
				t.Errorf("String() = %q, want %q", got, tt.want)
			}
		})
	}
}
