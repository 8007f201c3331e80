package controls

import (
	"fmt"
	"strconv"
	"strings"

	"github.com/orgbaseline/orgbaseline/baseline"
)

// This file says which fields of a password policy the baseline manages
// and which way each one is stricter: a field the baseline leaves out
// keeps the account's value, and a declared field that loosens the
// account's policy is warned about in the plan.

// passwordField is one setting of the password policy.
type passwordField struct {
	name string // as in baseline.yaml and the plan
	// set reports whether the baseline states the field.
	set func(*baseline.PasswordPolicy) bool
	// i or b points at the field in a settings struct; the other is nil.
	i func(*passwordSettings) *int
	b func(*passwordSettings) *bool
	// weaker reports whether after is weaker than before (a bool counts
	// as 0 or 1); nil when neither value is stricter.
	weaker func(before, after int) bool
	// means says what a value stands for, "" when it speaks for itself.
	means func(v int) string
}

// smaller: a shorter length, a requirement turned off, fewer passwords
// remembered.
func smaller(before, after int) bool { return after < before }

// longerExpiry: passwords that expired now expire later, or never (0).
func longerExpiry(before, after int) bool { return before > 0 && (after == 0 || after > before) }

// zeroMeans is what 0 stands for, "" for any other value.
func zeroMeans(v int, meaning string) string {
	if v == 0 {
		return meaning
	}
	return ""
}

var passwordFields = []passwordField{
	{name: "minimumPasswordLength", set: func(p *baseline.PasswordPolicy) bool { return p.MinimumPasswordLength != nil },
		i: func(s *passwordSettings) *int { return &s.MinimumPasswordLength }, weaker: smaller},
	{name: "requireSymbols", set: func(p *baseline.PasswordPolicy) bool { return p.RequireSymbols != nil },
		b: func(s *passwordSettings) *bool { return &s.RequireSymbols }, weaker: smaller},
	{name: "requireNumbers", set: func(p *baseline.PasswordPolicy) bool { return p.RequireNumbers != nil },
		b: func(s *passwordSettings) *bool { return &s.RequireNumbers }, weaker: smaller},
	{name: "requireUppercaseCharacters", set: func(p *baseline.PasswordPolicy) bool { return p.RequireUppercaseCharacters != nil },
		b: func(s *passwordSettings) *bool { return &s.RequireUppercaseCharacters }, weaker: smaller},
	{name: "requireLowercaseCharacters", set: func(p *baseline.PasswordPolicy) bool { return p.RequireLowercaseCharacters != nil },
		b: func(s *passwordSettings) *bool { return &s.RequireLowercaseCharacters }, weaker: smaller},
	// Letting users change their own password is neither stricter nor
	// looser: it is only managed when declared, never warned about.
	{name: "allowUsersToChangePassword", set: func(p *baseline.PasswordPolicy) bool { return p.AllowUsersToChangePassword != nil },
		b: func(s *passwordSettings) *bool { return &s.AllowUsersToChangePassword }},
	{name: "maxPasswordAge", set: func(p *baseline.PasswordPolicy) bool { return p.MaxPasswordAge != nil },
		i: func(s *passwordSettings) *int { return &s.MaxPasswordAge }, weaker: longerExpiry,
		means: func(v int) string { return zeroMeans(v, "passwords never expire") }},
	{name: "passwordReusePrevention", set: func(p *baseline.PasswordPolicy) bool { return p.PasswordReusePrevention != nil },
		i: func(s *passwordSettings) *int { return &s.PasswordReusePrevention }, weaker: smaller,
		means: func(v int) string { return zeroMeans(v, "reuse allowed") }},
	{name: "hardExpiry", set: func(p *baseline.PasswordPolicy) bool { return p.HardExpiry != nil },
		b: func(s *passwordSettings) *bool { return &s.HardExpiry }, weaker: smaller},
}

// get returns the field's value, a bool as 0 or 1.
func (f passwordField) get(s *passwordSettings) int {
	if f.i != nil {
		return *f.i(s)
	}
	if *f.b(s) {
		return 1
	}
	return 0
}

// copy sets the field of dst to src's.
func (f passwordField) copy(dst, src *passwordSettings) {
	if f.i != nil {
		*f.i(dst) = *f.i(src)
		return
	}
	*f.b(dst) = *f.b(src)
}

// yaml is the value as written in baseline.yaml.
func (f passwordField) yaml(s *passwordSettings) string {
	if f.b != nil {
		return strconv.FormatBool(*f.b(s))
	}
	return strconv.Itoa(*f.i(s))
}

// show is the value with what it means, for messages.
func (f passwordField) show(s *passwordSettings) string {
	v := f.yaml(s)
	if f.means != nil {
		if m := f.means(f.get(s)); m != "" {
			v += " (" + m + ")"
		}
	}
	return v
}

// declaredPasswordFields are the fields p states.
func declaredPasswordFields(p *baseline.PasswordPolicy) map[string]bool {
	out := map[string]bool{}
	if p == nil {
		return out
	}
	for _, f := range passwordFields {
		if f.set(p) {
			out[f.name] = true
		}
	}
	return out
}

// effective is the policy the control wants in an account that has have
// (nil: none): the declared fields as the baseline states them, the others
// as the account has them. An account with no policy gets IAM's defaults
// for the fields the baseline leaves out.
func (p *PasswordPolicy) effective(have *passwordSettings) passwordSettings {
	w := p.want
	if have == nil {
		return w
	}
	for _, f := range passwordFields {
		if !p.declared[f.name] {
			f.copy(&w, have)
		}
	}
	return w
}

// kept lists the fields left out of the baseline that the account has
// set away from IAM's defaults: what managing every field would have
// reset. Each is "name=value".
func (p *PasswordPolicy) kept(have *passwordSettings) []string {
	var out []string
	for _, f := range passwordFields {
		if !p.declared[f.name] && have != nil && f.get(have) != f.get(&p.want) {
			out = append(out, f.name+"="+f.yaml(have))
		}
	}
	return out
}

// weakenings are the warnings for the declared fields that make the
// account's policy looser than it is: each names the field, the value
// before and after, and how to keep the stricter one.
func (p *PasswordPolicy) weakenings(have *passwordSettings, want passwordSettings) []string {
	if have == nil {
		return nil
	}
	var out []string
	for _, f := range passwordFields {
		if f.weaker == nil || !f.weaker(f.get(have), f.get(&want)) {
			continue
		}
		out = append(out, fmt.Sprintf("passwordPolicy: %s %s -> %s weakens the account's password policy, as the baseline states; to keep the stricter %s, set %s: %s under controls.passwordPolicy in the baseline",
			f.name, f.show(have), f.show(&want), f.yaml(have), f.name, f.yaml(have)))
	}
	return out
}

// Notes says once per run which fields the control leaves as each account
// has them, when the baseline leaves any out.
func (p *PasswordPolicy) Notes() []string {
	var left []string
	for _, f := range passwordFields {
		if !p.declared[f.name] {
			left = append(left, f.name)
		}
	}
	if len(left) == 0 {
		return nil
	}
	return []string{fmt.Sprintf("passwordPolicy: the baseline leaves out %s: each account keeps its own values of these, so a stricter one is never weakened (an account with no password policy gets IAM's defaults); set them under controls.passwordPolicy to manage them",
		strings.Join(left, ", "))}
}
