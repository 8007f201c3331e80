package baseline

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/google/go-cmp/cmp"
	"gopkg.in/yaml.v3"
)

func parseNode(t *testing.T, files nodeFiles, name, src string) *yaml.Node {
	t.Helper()
	var doc yaml.Node
	if err := yaml.Unmarshal([]byte(src), &doc); err != nil {
		t.Fatal(err)
	}
	files.register(&doc, name)
	return doc.Content[0]
}

// toValue turns a node tree back into plain Go values for comparison.
func toValue(t *testing.T, n *yaml.Node) any {
	t.Helper()
	var v any
	if err := n.Decode(&v); err != nil {
		t.Fatal(err)
	}
	return v
}

// TestMergeRule checks the rule documented in doc.go: mappings merge
// deeply, key by key; a later scalar or list replaces the earlier value
// entirely.
func TestMergeRule(t *testing.T) {
	tests := []struct {
		name       string
		base, over string
		want       string
	}{
		{"deep mapping merge",
			"a: {b: {c: 1, d: 2}, e: 3}",
			"a: {b: {d: 20, f: 30}}",
			"a: {b: {c: 1, d: 20, f: 30}, e: 3}"},
		{"scalar replaces scalar",
			"a: 1\nb: x",
			"a: 2",
			"a: 2\nb: x"},
		{"list replaces list, not appended",
			"regions: [eu-west-1, eu-central-1, eu-north-1]",
			"regions: [us-east-1]",
			"regions: [us-east-1]"},
		{"scalar replaces mapping",
			"a: {b: 1}",
			"a: 5",
			"a: 5"},
		{"mapping replaces scalar",
			"a: 5",
			"a: {b: 1}",
			"a: {b: 1}"},
		{"null replaces",
			"a: {b: 1}",
			"a: ~",
			"a: ~"},
		{"new keys are added after the old",
			"a: 1",
			"b: 2\nc: 3",
			"a: 1\nb: 2\nc: 3"},
		{"aliases are followed",
			"a: {b: 1}",
			"x: &x {c: 2}\na: *x",
			"a: {b: 1, c: 2}\nx: {c: 2}"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			files := nodeFiles{}
			base := parseNode(t, files, "base", tt.base)
			over := parseNode(t, files, "over", tt.over)
			baseBefore, overBefore := toValue(t, base), toValue(t, over)

			got := toValue(t, mergeNodes(files, base, over))
			want := toValue(t, parseNode(t, nodeFiles{}, "want", tt.want))
			if diff := cmp.Diff(want, got); diff != "" {
				t.Errorf("merge mismatch (-want +got):\n%s", diff)
			}
			if diff := cmp.Diff(baseBefore, toValue(t, base)); diff != "" {
				t.Errorf("merge changed base:\n%s", diff)
			}
			if diff := cmp.Diff(overBefore, toValue(t, over)); diff != "" {
				t.Errorf("merge changed over:\n%s", diff)
			}
		})
	}
}

// TestMergeKeepsFiles checks that every node of a merged tree still names
// the file it was written in.
func TestMergeKeepsFiles(t *testing.T) {
	files := nodeFiles{}
	base := parseNode(t, files, "base.yaml", "a:\n  b: 1\n  c: 2\n")
	over := parseNode(t, files, "over.yaml", "a:\n  c: 3\n")
	m := mergeNodes(files, base, over)
	a := m.Content[1]
	for i, want := range map[int]Position{
		1: {File: "base.yaml", Line: 2, Column: 6}, // b: 1
		3: {File: "over.yaml", Line: 2, Column: 6}, // c: 3
	} {
		if got := files.pos(a.Content[i]); got != want {
			t.Errorf("position of %q = %v, want %v", a.Content[i].Value, got, want)
		}
	}
	if _, ok := files[m]; !ok {
		t.Errorf("merged mapping has no file")
	}
}

// TestMergeFiles loads the merge fixtures: base.yaml, and top.yaml over it.
func TestMergeFiles(t *testing.T) {
	b, err := Load("testdata/merge/top.yaml")
	if err != nil {
		t.Fatal(err)
	}
	o := b.Organization
	if o.HomeRegion != "eu-west-1" {
		t.Errorf("homeRegion = %q, want eu-west-1 (kept from base)", o.HomeRegion)
	}
	if !cmp.Equal(o.Regions, []string{"eu-west-1"}) {
		t.Errorf("regions = %v, want [eu-west-1] (list replaced, not appended)", o.Regions)
	}
	if o.Concurrency != 32 {
		t.Errorf("concurrency = %d, want 32 (scalar replaced)", o.Concurrency)
	}
	wantAccounts := map[string]string{"logArchive": "Log Archive", "audit": "222233334444", "security": "Security Tooling"}
	if !cmp.Equal(o.Accounts, wantAccounts) {
		t.Errorf("accounts = %v, want %v (mapping merged key by key)", o.Accounts, wantAccounts)
	}
	if got := []string{b.Targets.Include[0].String()}; !cmp.Equal(got, []string{"ou:/Sandbox"}) || len(b.Targets.Include) != 1 {
		t.Errorf("targets.include = %v, want [ou:/Sandbox]", b.Targets.Include)
	}
	if len(b.Targets.Exclude) != 1 || b.Targets.Exclude[0].String() != "tag:skip" {
		t.Errorf("targets.exclude = %v, want [tag:skip] (kept from base)", b.Targets.Exclude)
	}
	if pos, want := b.Targets.Exclude[0].Pos, (Position{"testdata/merge/base.yaml", 11, 13}); pos != want {
		t.Errorf("exclude selector position = %v, want %v", pos, want)
	}
	want := PasswordPolicySettings{MinimumPasswordLength: 16, RequireSymbols: true, MaxPasswordAge: 0}
	if got := b.Controls.PasswordPolicy.Resolved(); got != want {
		t.Errorf("password policy = %+v, want %+v", got, want)
	}
	if !cmp.Equal(b.Extends, []string{"base.yaml"}) {
		t.Errorf("Extends = %v, want the top file's own list", b.Extends)
	}
}

func TestMergeDisable(t *testing.T) {
	b, err := Load("testdata/merge/disable.yaml")
	if err != nil {
		t.Fatal(err)
	}
	p := b.Controls.PasswordPolicy
	if p.IsEnabled() {
		t.Errorf("password policy still enabled after enabled: false")
	}
	if p.Resolved().MinimumPasswordLength != 14 {
		t.Errorf("profile values lost: %+v", p.Resolved())
	}
}

// TestMergeErrorPositions checks that after a merge, errors point to the
// file the offending value came from, and that a later value of the wrong
// kind is reported where it was written.
func TestMergeErrorPositions(t *testing.T) {
	dir := t.TempDir()
	write := func(name, src string) {
		if err := os.WriteFile(filepath.Join(dir, name), []byte(src), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	write("base.yaml", "version: 1\norganization:\n  homeRegion: eu-west-1\n  regions: [eu-west-1]\ncontrols:\n  passwordPolicy:\n    hardExpiry: true\n")
	write("top.yaml", "version: 1\nextends: [base.yaml]\norganization:\n  homeRegion: us-east-2\ntargets: root\n")
	_, err := Load(filepath.Join(dir, "top.yaml"))
	base, top := filepath.Join(dir, "base.yaml"), filepath.Join(dir, "top.yaml")
	checkDiags(t, err, []string{
		// regions from base, homeRegion from top: reported at the list.
		base + `:4:12: organization.regions does not include the home region "us-east-2"; add it to regions, or set homeRegion to one of the listed regions`,
		base + `:7:17: controls.passwordPolicy.hardExpiry is true but passwords never expire; set maxPasswordAge (1-1095 days), or set hardExpiry: false`,
		top + `:5:10: targets: expected a mapping of key: value, got "root"; write key: value pairs indented under it`,
	})
}
