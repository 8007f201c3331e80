package baseline

import (
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"
	"gopkg.in/yaml.v3"
)

func TestParseSelector(t *testing.T) {
	tests := []struct {
		in   string
		want Selector // Raw is filled in by the test
		str  string   // String(), when not in
	}{
		{in: "root", want: Selector{Kind: SelectRoot}},
		{in: "ou:/", want: Selector{Kind: SelectRoot}, str: "root"},
		{in: "ou:/Workloads", want: Selector{Kind: SelectOUPath, Value: "/Workloads"}},
		{in: "ou:/Workloads/Prod", want: Selector{Kind: SelectOUPath, Value: "/Workloads/Prod"}},
		{in: "ou:/Shared Services/Log Archive", want: Selector{Kind: SelectOUPath, Value: "/Shared Services/Log Archive"}},
		{in: "ou:ou-ab12-cdefgh34", want: Selector{Kind: SelectOUID, Value: "ou-ab12-cdefgh34"}},
		{in: "ou:ou-0123456789abcdef0123456789abcdef-0123456789abcdef0123456789abcdef", want: Selector{Kind: SelectOUID, Value: "ou-0123456789abcdef0123456789abcdef-0123456789abcdef0123456789abcdef"}},
		{in: "account:123456789012", want: Selector{Kind: SelectAccountID, Value: "123456789012"}},
		{in: "account:012345678901", want: Selector{Kind: SelectAccountID, Value: "012345678901"}},
		{in: "account:Log Archive", want: Selector{Kind: SelectAccountName, Value: "Log Archive"}},
		{in: "account:prod:eu", want: Selector{Kind: SelectAccountName, Value: "prod:eu"}},
		{in: "account:12345678901a", want: Selector{Kind: SelectAccountName, Value: "12345678901a"}},
		{in: "tag:env=prod", want: Selector{Kind: SelectTag, TagKey: "env", TagValue: "prod", HasTagValue: true}},
		{in: "tag:env", want: Selector{Kind: SelectTag, TagKey: "env"}},
		{in: "tag:env=", want: Selector{Kind: SelectTag, TagKey: "env", HasTagValue: true}},
		{in: "tag:a=b=c", want: Selector{Kind: SelectTag, TagKey: "a", TagValue: "b=c", HasTagValue: true}},
		{in: "tag:aws:cloudformation:stack-name=net", want: Selector{Kind: SelectTag, TagKey: "aws:cloudformation:stack-name", TagValue: "net", HasTagValue: true}},
		{in: "tag:cost center=R&D", want: Selector{Kind: SelectTag, TagKey: "cost center", TagValue: "R&D", HasTagValue: true}},
	}
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			got, err := ParseSelector(tt.in)
			if err != nil {
				t.Fatalf("ParseSelector(%q): %v", tt.in, err)
			}
			want := tt.want
			want.Raw = tt.in
			if diff := cmp.Diff(want, got); diff != "" {
				t.Errorf("ParseSelector(%q) (-want +got):\n%s", tt.in, diff)
			}
			str := tt.str
			if str == "" {
				str = tt.in
			}
			if got.String() != str {
				t.Errorf("String() = %q, want %q", got.String(), str)
			}
			again, err := ParseSelector(got.String())
			if err != nil {
				t.Fatalf("String() %q does not parse: %v", got.String(), err)
			}
			if diff := cmp.Diff(got, again, cmpopts.IgnoreFields(Selector{}, "Raw")); diff != "" {
				t.Errorf("round trip through String() changed the selector:\n%s", diff)
			}
		})
	}
}

func TestParseSelectorErrors(t *testing.T) {
	tests := []struct {
		in   string
		want string // substring of the error
	}{
		{"", "empty selector; use one of: root, ou:/Path/Of/OU"},
		{" root", "leading or trailing spaces"},
		{"root ", "leading or trailing spaces"},
		{"Root", `did you mean "root"?`},
		{"all", `invalid selector "all"; use one of: root,`},
		{"123456789012", `did you mean "account:123456789012"?`},
		{"ou-ab12-cdefgh34", `did you mean "ou:ou-ab12-cdefgh34"?`},
		{"/Workloads", `did you mean "ou:/Workloads"?`},
		{"acount:123456789012", `unknown selector kind "acount:" in "acount:123456789012"; did you mean "account:"?`},
		{"tags:env", `did you mean "tag:"?`},
		{"org:foo", `unknown selector kind "org:"`},
		{"ou:", `names no OU`},
		{"ou:Workloads", `an OU is a path from the root starting with "/" (ou:/Workloads)`},
		{"ou://", "empty OU name"},
		{"ou:/Workloads/", "empty OU name"},
		{"ou:/Workloads//Prod", "empty OU name"},
		{"ou:/Workloads/ Prod", "leading or trailing spaces"},
		{"ou:/" + strings.Repeat("x", 129), "longer than 128 characters"},
		{"ou:ou-ab1-cdefgh34", `invalid OU id "ou-ab1-cdefgh34"`},
		{"ou:ou-ab12-cdefg", `invalid OU id`},
		{"ou:ou-AB12-cdefgh34", `invalid OU id`},
		{"ou:r-ab12", "names the root by id; write root"},
		{"account:", "names no account"},
		{"account:12345678901", `account id "12345678901" has 11 digits; account ids have exactly 12`},
		{"account:1234567890123", "has 13 digits"},
		{"account: Log Archive", "leading or trailing spaces"},
		{"account:" + strings.Repeat("a", 51), "longer than 50 characters"},
		{"tag:", "has no tag key"},
		{"tag:=prod", "has no tag key"},
		{"tag: env=prod", "leading or trailing spaces"},
		{"tag:" + strings.Repeat("k", 129), "tag key in"},
		{"tag:k=" + strings.Repeat("v", 257), "tag value in"},
	}
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			_, err := ParseSelector(tt.in)
			if err == nil {
				t.Fatalf("ParseSelector(%q) succeeded, want an error", tt.in)
			}
			if !strings.Contains(err.Error(), tt.want) {
				t.Errorf("ParseSelector(%q) error = %q, want it to contain %q", tt.in, err, tt.want)
			}
		})
	}
}

// TestSelectorPositions checks that bad selectors are reported at the
// string's position, every one of them.
func TestSelectorPositions(t *testing.T) {
	src := "version: 1\ntargets:\n  include:\n    - root\n    - ou:Prod\n  exclude: [account:123, \"tag:\"]\n"
	_, err := LoadBytes("b.yaml", []byte(src), "")
	checkDiags(t, err, []string{
		`b.yaml:5:7: targets.include[1]: selector "ou:Prod": an OU is a path`,
		`b.yaml:6:13: targets.exclude[0]: account id "123" has 3 digits`,
		`b.yaml:6:26: targets.exclude[1]: selector "tag:" has no tag key`,
	})
}

func TestSelectorYAML(t *testing.T) {
	var v struct {
		S []Selector `yaml:"s"`
	}
	if err := yaml.Unmarshal([]byte("s: [root, 'ou:/A/B', tag:env]\n"), &v); err != nil {
		t.Fatal(err)
	}
	if got := []string{v.S[0].String(), v.S[1].String(), v.S[2].String()}; !cmp.Equal(got, []string{"root", "ou:/A/B", "tag:env"}) {
		t.Errorf("decoded %v", got)
	}
	if got := v.S[1].OUPath(); !cmp.Equal(got, []string{"A", "B"}) {
		t.Errorf("OUPath() = %v", got)
	}
	out, err := yaml.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	if want := "s:\n    - root\n    - ou:/A/B\n    - tag:env\n"; string(out) != want {
		t.Errorf("Marshal = %q, want %q", out, want)
	}
	if err := yaml.Unmarshal([]byte("s: [ou:bad]\n"), &v); err == nil || !strings.Contains(err.Error(), "line 1") {
		t.Errorf("Unmarshal of a bad selector: err = %v", err)
	}
}

func TestSelectorKindString(t *testing.T) {
	if SelectTag.String() != "tag" || SelectorKind(99).String() != "SelectorKind(99)" {
		t.Errorf("SelectorKind.String: %q %q", SelectTag, SelectorKind(99))
	}
}

func TestSuggest(t *testing.T) {
	cands := []string{"prod", "security", "maxAgeDays", "Log Archive", "dev", "development"}
	for _, tc := range []struct{ in, want string }{
		{"prdo", "prod"},
		{"Log Archve", "Log Archive"},
		{"maxAge", "maxAgeDays"}, // a prefix, beyond the edit distance
		{"de", "dev"},            // near enough by edit distance
		{"nonexistent", ""},      // nothing near
		{"d", ""},                // too short to guess
	} {
		if got := Suggest(tc.in, cands); got != tc.want {
			t.Errorf("Suggest(%q) = %q, want %q", tc.in, got, tc.want)
		}
	}
}
