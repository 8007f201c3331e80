package baseline

import (
	"fmt"
	"slices"
	"strings"
)

// RootAccess is controls.rootAccess: centralized root access for the
// member accounts (IAM user guide, "Centralize root access for member
// accounts"). At organization scope: trusted access for IAM, the
// delegated administrator when one is named, and the two features,
// root credentials management and privileged root sessions. In every
// targeted member account (never the management account, never one
// Exclude selects): an audit of the root user's credentials through
// sts:AssumeRoot, and the deletion of the kinds RemoveCredentials lists.
//
// Enabling the features deletes nothing; switching them off in the
// baseline makes orgbaseline stop managing them, it never disables one.
type RootAccess struct {
	// Enabled (default true) lets a later file switch the control off.
	Enabled *bool `yaml:"enabled"`
	// CredentialsManagement (default true) enables root credentials
	// management (iam:EnableOrganizationsRootCredentialsManagement): the
	// management account and the delegated administrator may audit and
	// delete member root credentials, and new accounts get none.
	CredentialsManagement *bool `yaml:"credentialsManagement"`
	// RootSessions (default true) enables privileged root actions in
	// member accounts (iam:EnableOrganizationsRootSessions).
	RootSessions *bool `yaml:"rootSessions"`
	// DelegatedAdministrator is the alias (organization.accounts) of the
	// account registered as IAM's delegated administrator; "" (default):
	// none, the management account alone manages root access.
	DelegatedAdministrator string `yaml:"delegatedAdministrator"`
	// RemoveCredentials are the kinds of root credentials deleted in every
	// member account: password, accessKeys, signingCertificates,
	// mfaDevices. Default none: the control audits only.
	RemoveCredentials []string `yaml:"removeCredentials"`
	// Exclude selects accounts whose root user is left alone (break-glass
	// accounts): not audited, nothing deleted.
	Exclude []Selector `yaml:"exclude"`
}

// The kinds of root credentials, as removeCredentials names them, in the
// order they are deleted: the password before the MFA devices that
// protect it, so a failure half-way never leaves a password without MFA.
const (
	RootPassword            = "password"
	RootAccessKeys          = "accessKeys"
	RootSigningCertificates = "signingCertificates"
	RootMFADevices          = "mfaDevices"
)

// RootCredentialKinds lists the kinds of root credentials in deletion
// order.
func RootCredentialKinds() []string {
	return []string{RootPassword, RootAccessKeys, RootSigningCertificates, RootMFADevices}
}

// RootAccessSettings is controls.rootAccess with every default filled in.
type RootAccessSettings struct {
	CredentialsManagement bool
	RootSessions          bool
	// DelegatedAdministrator is an alias, "" for none.
	DelegatedAdministrator string
	// Remove are the kinds to delete, in deletion order
	// (RootCredentialKinds).
	Remove  []string
	Exclude []Selector
}

// Removes reports whether kind is one the settings delete.
func (s RootAccessSettings) Removes(kind string) bool { return slices.Contains(s.Remove, kind) }

// IsEnabled reports whether the control is declared and not switched off.
func (r *RootAccess) IsEnabled() bool { return r != nil && (r.Enabled == nil || *r.Enabled) }

// Resolved returns the settings with the defaults for unset fields: both
// features on, no delegated administrator, nothing removed.
func (r *RootAccess) Resolved() RootAccessSettings {
	s := RootAccessSettings{CredentialsManagement: true, RootSessions: true}
	if r == nil {
		return s
	}
	setBool(&s.CredentialsManagement, r.CredentialsManagement)
	setBool(&s.RootSessions, r.RootSessions)
	s.DelegatedAdministrator = r.DelegatedAdministrator
	for _, k := range RootCredentialKinds() {
		if slices.Contains(r.RemoveCredentials, k) {
			s.Remove = append(s.Remove, k)
		}
	}
	s.Exclude = slices.Clone(r.Exclude)
	return s
}

// ExcludeSelectors are the exclude selectors of an enabled control, nil
// otherwise (for deciding whether the organization's tags must be read).
func (r *RootAccess) ExcludeSelectors() []Selector {
	if !r.IsEnabled() {
		return nil
	}
	return r.Exclude
}

func (r *RootAccess) validate(v *validation, path string) {
	if p := path + ".delegatedAdministrator"; v.has(p) && r.DelegatedAdministrator != "" && !accountAliasRe.MatchString(r.DelegatedAdministrator) {
		v.errorf(p, "%s %s is not an account alias; give the alias of an account declared under organization.accounts (e.g. security), or remove the key to manage root access from the management account alone",
			p, quote(r.DelegatedAdministrator))
	}
	kinds := RootCredentialKinds()
	first := map[string]int{}
	for i, k := range r.RemoveCredentials {
		kp := fmt.Sprintf("%s.removeCredentials[%d]", path, i)
		if v.bad(kp) {
			continue
		}
		if !slices.Contains(kinds, k) {
			hint := ""
			if s := rootKindSuggestion(k); s != "" {
				hint = fmt.Sprintf("did you mean %s? ", quote(s))
			}
			v.errorf(kp, "%s %s is not a kind of root credentials; %swrite any of %s", kp, quote(k), hint, strings.Join(kinds, ", "))
			continue
		}
		if j, dup := first[k]; dup {
			v.errorf(kp, "%s is listed twice in %s.removeCredentials (first at %s); remove one", quote(k), path, lineCol(v.idx.pos(fmt.Sprintf("%s.removeCredentials[%d]", path, j))))
			continue
		}
		first[k] = i
	}
	checkDuplicateSelectors(v, path+".exclude", r.Exclude)
	if !v.full || !r.IsEnabled() {
		return
	}
	s := r.Resolved()
	if len(s.Remove) > 0 && !s.CredentialsManagement && !v.bad(path+".credentialsManagement") {
		v.errorf(path+".credentialsManagement", "%s.removeCredentials deletes root credentials, which AWS lets the management account do only with root credentials management enabled; set credentialsManagement: true, or remove removeCredentials to audit only", path)
	}
	if s.Removes(RootMFADevices) && !s.Removes(RootPassword) {
		v.errorf(path+".removeCredentials", "%s.removeCredentials deletes the root user's MFA devices but keeps its password: a root password without MFA is weaker than either (CIS 1.5); add %s, or remove %s", path, RootPassword, RootMFADevices)
	}
}

// rootKindSuggestion is the kind of root credentials s most likely means,
// or "".
func rootKindSuggestion(s string) string {
	kinds := RootCredentialKinds()
	l := strings.ToLower(s)
	for _, k := range kinds {
		if strings.ToLower(k) == l || strings.ToLower(k) == l+"s" {
			return k
		}
	}
	switch l {
	case "loginprofile", "login-profile", "console", "consolepassword", "passwords":
		return RootPassword
	case "mfa", "mfadevice", "mfa-devices":
		return RootMFADevices
	case "keys", "accesskey", "access-keys":
		return RootAccessKeys
	case "certificates", "signingcertificate", "certs":
		return RootSigningCertificates
	}
	return Suggest(s, kinds)
}
