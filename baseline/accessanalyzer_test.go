package baseline

import (
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

// analyzerYAML returns a baseline whose controls.accessAnalyzer is made of
// the given lines (which start at line 4, column 5).
func analyzerYAML(lines ...string) string {
	return "version: 1\ncontrols:\n  accessAnalyzer:\n    " + strings.Join(lines, "\n    ") + "\n"
}

func TestAccessAnalyzerResolved(t *testing.T) {
	tests := []struct {
		name string
		yaml string
		want AccessAnalyzerSettings
	}{
		{"defaults", "version: 1\ncontrols:\n  accessAnalyzer: {}\n",
			AccessAnalyzerSettings{Type: "ORGANIZATION", Name: "orgbaseline-organization", DelegatedAdministrator: "audit"}},
		{"account type", analyzerYAML("type: ACCOUNT"),
			AccessAnalyzerSettings{Type: "ACCOUNT", Name: "orgbaseline-account"}},
		{"every key", analyzerYAML("type: ORGANIZATION", "name: org-analyzer", "delegatedAdministrator: security",
			"unusedAccess: {unusedAccessAge: 45, name: org-unused}"),
			AccessAnalyzerSettings{Type: "ORGANIZATION", Name: "org-analyzer", DelegatedAdministrator: "security",
				UnusedAccess: true, UnusedAccessName: "org-unused", UnusedAccessAge: 45}},
		{"unused access defaults", analyzerYAML("type: ACCOUNT", "unusedAccess: {}"),
			AccessAnalyzerSettings{Type: "ACCOUNT", Name: "orgbaseline-account",
				UnusedAccess: true, UnusedAccessName: "orgbaseline-account-unused-access", UnusedAccessAge: 90}},
		{"unused access switched off", analyzerYAML("unusedAccess: {enabled: false, unusedAccessAge: 30}"),
			AccessAnalyzerSettings{Type: "ORGANIZATION", Name: "orgbaseline-organization", DelegatedAdministrator: "audit"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			b, err := LoadBytes("b.yaml", []byte(tt.yaml), "")
			if err != nil {
				t.Fatal(err)
			}
			a := b.Controls.AccessAnalyzer
			if !a.IsEnabled() {
				t.Fatal("control not enabled")
			}
			if diff := cmp.Diff(tt.want, a.Resolved()); diff != "" {
				t.Errorf("Resolved() (-want +got):\n%s", diff)
			}
		})
	}
	if s := (AccessAnalyzerSettings{Type: "ACCOUNT"}).UnusedAccessType(); s != "ACCOUNT_UNUSED_ACCESS" {
		t.Errorf("UnusedAccessType = %s", s)
	}
}

func TestAccessAnalyzerValidation(t *testing.T) {
	tests := []struct {
		name string
		yaml string
		want []string
	}{
		{"type in lower case", analyzerYAML("type: organization"), []string{
			`b.yaml:4:11: controls.accessAnalyzer.type "organization": analyzer types are written in capitals; write ORGANIZATION`}},
		{"unknown type", analyzerYAML("type: EXTERNAL"), []string{
			`b.yaml:4:11: controls.accessAnalyzer.type "EXTERNAL" is not an analyzer type orgbaseline manages; write ORGANIZATION`}},
		{"unused-access type", analyzerYAML("type: ACCOUNT_UNUSED_ACCESS"), []string{
			`b.yaml:4:11: controls.accessAnalyzer.type "ACCOUNT_UNUSED_ACCESS": declare the unused-access analyzer under controls.accessAnalyzer.unusedAccess`}},
		{"name starting with a digit", analyzerYAML("name: 1st"), []string{
			`b.yaml:4:11: controls.accessAnalyzer.name "1st" is not a valid analyzer name; start with a letter`}},
		{"name starting with an underscore", analyzerYAML("name: _x"), []string{
			`b.yaml:4:11: controls.accessAnalyzer.name "_x" is not a valid analyzer name`}},
		{"name with a space", analyzerYAML(`name: "my analyzer"`), []string{
			`b.yaml:4:11: controls.accessAnalyzer.name "my analyzer" is not a valid analyzer name`}},
		{"empty name", analyzerYAML(`name: ""`), []string{
			`b.yaml:4:11: controls.accessAnalyzer.name "" is not a valid analyzer name`}},
		{"name too long", analyzerYAML("name: a" + strings.Repeat("b", 255)), []string{
			`b.yaml:4:11: controls.accessAnalyzer.name is 256 characters long; an analyzer name has 1 to 255`}},
		{"name of 255 characters", analyzerYAML("name: a" + strings.Repeat("b", 254)), nil},
		{"name with every allowed character", analyzerYAML("name: Org_analyzer-1.v2"), nil},
		{"delegated administrator not an alias", analyzerYAML(`delegatedAdministrator: "Audit Account"`), []string{
			`b.yaml:4:29: controls.accessAnalyzer.delegatedAdministrator "Audit Account" is not an account alias`}},
		{"delegated administrator with type ACCOUNT", analyzerYAML("type: ACCOUNT", "delegatedAdministrator: audit"), []string{
			`b.yaml:5:29: controls.accessAnalyzer.delegatedAdministrator applies only to type ORGANIZATION`}},
		{"age 0", analyzerYAML("unusedAccess: {unusedAccessAge: 0}"), []string{
			`b.yaml:4:37: controls.accessAnalyzer.unusedAccess.unusedAccessAge is 0, out of range; set it between 1 and 365 days (default 90)`}},
		{"age 366", analyzerYAML("unusedAccess:", "  unusedAccessAge: 366"), []string{
			`b.yaml:5:24: controls.accessAnalyzer.unusedAccess.unusedAccessAge is 366, out of range`}},
		{"age as text", analyzerYAML("unusedAccess:", `  unusedAccessAge: "90"`), []string{
			`b.yaml:5:24: controls.accessAnalyzer.unusedAccess.unusedAccessAge: expected an integer, got the string "90"; remove the quotes`}},
		{"ages at the limits", analyzerYAML("unusedAccess: {unusedAccessAge: 365}"), nil},
		{"bad unused-access name", analyzerYAML("unusedAccess: {name: unused/access}"), []string{
			`b.yaml:4:26: controls.accessAnalyzer.unusedAccess.name "unused/access" is not a valid analyzer name`}},
		{"same name twice", analyzerYAML("name: aa", "unusedAccess: {name: aa}"), []string{
			`b.yaml:5:26: controls.accessAnalyzer.unusedAccess.name "aa" is also the name of the analyzer (controls.accessAnalyzer.name)`}},
		{"same name twice, unused access off", analyzerYAML("name: aa", "unusedAccess: {name: aa, enabled: false}"), nil},
		{"unknown key", analyzerYAML("unusedAccessAge: 90"), []string{
			`b.yaml:4:5: unknown key "unusedAccessAge" in controls.accessAnalyzer`}},
		{"null block", "version: 1\ncontrols:\n  accessAnalyzer:\n", []string{
			`b.yaml:3:18: controls.accessAnalyzer has no value; remove the key, or write accessAnalyzer: {} to declare it with its defaults`}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := LoadBytes("b.yaml", []byte(tt.yaml), "")
			checkDiags(t, err, tt.want)
		})
	}
}

// A profile may declare the analyzer; a later file switches it to ACCOUNT
// or off.
func TestAccessAnalyzerMerge(t *testing.T) {
	ps := fakeProfiles(map[string]string{
		"org": "version: 1\ncontrols:\n  accessAnalyzer:\n    unusedAccess: {unusedAccessAge: 60}\n",
	})
	b, err := loadBytes("b.yaml", []byte("version: 1\nextends: [org]\ncontrols:\n  accessAnalyzer:\n    type: ACCOUNT\n"), t.TempDir(), ps)
	if err != nil {
		t.Fatal(err)
	}
	want := AccessAnalyzerSettings{Type: "ACCOUNT", Name: "orgbaseline-account", UnusedAccess: true,
		UnusedAccessName: "orgbaseline-account-unused-access", UnusedAccessAge: 60}
	if diff := cmp.Diff(want, b.Controls.AccessAnalyzer.Resolved()); diff != "" {
		t.Errorf("Resolved() (-want +got):\n%s", diff)
	}
	b, err = loadBytes("b.yaml", []byte("version: 1\nextends: [org]\ncontrols:\n  accessAnalyzer: {enabled: false}\n"), t.TempDir(), ps)
	if err != nil {
		t.Fatal(err)
	}
	if b.Controls.AccessAnalyzer.IsEnabled() {
		t.Error("enabled: false in the last file did not switch the control off")
	}
}
