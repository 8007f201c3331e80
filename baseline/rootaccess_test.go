package baseline

import (
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

// rootYAML returns a baseline whose controls.rootAccess is made of the
// given lines (which start at line 4, column 5).
func rootYAML(lines ...string) string {
	return "version: 1\ncontrols:\n  rootAccess:\n    " + strings.Join(lines, "\n    ") + "\n"
}

func TestRootAccessResolved(t *testing.T) {
	tests := []struct {
		name string
		yaml string
		want RootAccessSettings
	}{
		{"defaults: both features, audit only", "version: 1\ncontrols:\n  rootAccess: {}\n",
			RootAccessSettings{CredentialsManagement: true, RootSessions: true}},
		{"every key", rootYAML("credentialsManagement: true", "rootSessions: false", "delegatedAdministrator: security",
			"removeCredentials: [mfaDevices, accessKeys, password]", "exclude: [account:Break Glass]"),
			RootAccessSettings{CredentialsManagement: true, DelegatedAdministrator: "security",
				Remove:  []string{"password", "accessKeys", "mfaDevices"},
				Exclude: []Selector{{Kind: SelectAccountName, Value: "Break Glass", Raw: "account:Break Glass", Pos: Position{File: "b.yaml", Line: 8, Column: 15}}}}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			b, err := LoadBytes("b.yaml", []byte(tt.yaml), "")
			if err != nil {
				t.Fatal(err)
			}
			r := b.Controls.RootAccess
			if !r.IsEnabled() {
				t.Fatal("control not enabled")
			}
			got := r.Resolved()
			for i := range got.Exclude {
				got.Exclude[i].Pos.File = "b.yaml"
			}
			if diff := cmp.Diff(tt.want, got); diff != "" {
				t.Errorf("Resolved() (-want +got):\n%s", diff)
			}
		})
	}
	var off *RootAccess
	if off.IsEnabled() || off.ExcludeSelectors() != nil {
		t.Error("an undeclared control is enabled")
	}
}

func TestRootAccessValidation(t *testing.T) {
	tests := []struct {
		name string
		yaml string
		want []string
	}{
		{"every kind", rootYAML("removeCredentials: [password, accessKeys, signingCertificates, mfaDevices]"), nil},
		{"a kind in the wrong case", rootYAML("removeCredentials: [Password]"), []string{
			`b.yaml:4:25: controls.rootAccess.removeCredentials[0] "Password" is not a kind of root credentials; did you mean "password"? write any of password, accessKeys, signingCertificates, mfaDevices`}},
		{"a kind in the singular", rootYAML("removeCredentials: [accessKey]"), []string{
			`b.yaml:4:25: controls.rootAccess.removeCredentials[0] "accessKey" is not a kind of root credentials; did you mean "accessKeys"?`}},
		{"mfa", rootYAML("removeCredentials: [password, mfa]"), []string{
			`b.yaml:4:35: controls.rootAccess.removeCredentials[1] "mfa" is not a kind of root credentials; did you mean "mfaDevices"?`}},
		{"unknown kind", rootYAML("removeCredentials: [everything]"), []string{
			`b.yaml:4:25: controls.rootAccess.removeCredentials[0] "everything" is not a kind of root credentials; write any of`}},
		{"a kind twice", rootYAML("removeCredentials: [accessKeys, accessKeys]"), []string{
			`b.yaml:4:37: "accessKeys" is listed twice in controls.rootAccess.removeCredentials (first at 4:25); remove one`}},
		{"removal without credentials management", rootYAML("credentialsManagement: false", "removeCredentials: [accessKeys]"), []string{
			`b.yaml:4:28: controls.rootAccess.removeCredentials deletes root credentials, which AWS lets the management account do only with root credentials management enabled; set credentialsManagement: true`}},
		{"audit only without credentials management", rootYAML("credentialsManagement: false"), nil},
		{"MFA removed, password kept", rootYAML("removeCredentials: [accessKeys, mfaDevices]"), []string{
			`b.yaml:4:24: controls.rootAccess.removeCredentials deletes the root user's MFA devices but keeps its password: a root password without MFA is weaker than either (CIS 1.5); add password, or remove mfaDevices`}},
		{"switched off: no cross-field rule", rootYAML("enabled: false", "removeCredentials: [mfaDevices]"), nil},
		{"delegated administrator not an alias", rootYAML(`delegatedAdministrator: "Security Tooling"`), []string{
			`b.yaml:4:29: controls.rootAccess.delegatedAdministrator "Security Tooling" is not an account alias`}},
		{"an exclude selector twice", rootYAML("exclude: [account:Break Glass, account:Break Glass]"), []string{
			`b.yaml:4:36: selector "account:Break Glass" is listed twice in controls.rootAccess.exclude (first at 4:15); remove one`}},
		{"a bad exclude selector", rootYAML("exclude: [Break Glass]"), []string{
			`b.yaml:4:15: controls.rootAccess.exclude[0]: invalid selector "Break Glass"`}},
		{"tag selectors", rootYAML("exclude: [tag:breakGlass=true]"), nil},
		{"a feature as text", rootYAML(`rootSessions: "yes"`), []string{
			`b.yaml:4:19: controls.rootAccess.rootSessions: expected`}},
		{"unknown key", rootYAML("deleteCredentials: [password]"), []string{
			`b.yaml:4:5: unknown key "deleteCredentials" in controls.rootAccess`}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := LoadBytes("b.yaml", []byte(tt.yaml), "")
			checkDiags(t, err, tt.want)
		})
	}
}

// A later file narrows what a profile removes, or switches it off.
func TestRootAccessMerge(t *testing.T) {
	ps := fakeProfiles(map[string]string{
		"root": "version: 1\ncontrols:\n  rootAccess:\n    removeCredentials: [password, accessKeys, signingCertificates, mfaDevices]\n",
	})
	b, err := loadBytes("b.yaml", []byte("version: 1\nextends: [root]\ncontrols:\n  rootAccess:\n    removeCredentials: [accessKeys]\n"), t.TempDir(), ps)
	if err != nil {
		t.Fatal(err)
	}
	if got := b.Controls.RootAccess.Resolved().Remove; !cmp.Equal(got, []string{"accessKeys"}) {
		t.Errorf("removeCredentials after the merge: %v", got)
	}
	b, err = loadBytes("b.yaml", []byte("version: 1\nextends: [root]\ncontrols:\n  rootAccess: {enabled: false}\n"), t.TempDir(), ps)
	if err != nil {
		t.Fatal(err)
	}
	if b.Controls.RootAccess.IsEnabled() {
		t.Error("enabled: false in the last file did not switch the control off")
	}
}
