package baseline

import (
	"fmt"
	"strings"
	"time"
)

// Version is the only baseline.yaml format version this package reads.
const Version = 1

// Defaults filled in after all files are merged.
const (
	DefaultExecutionRole   = "OrganizationAccountAccessRole"
	DefaultSessionDuration = time.Hour
	DefaultHomeRegion      = "us-east-1"
	DefaultConcurrency     = 16
)

// Limits checked by validation.
const (
	MinSessionDuration = 15 * time.Minute
	MaxSessionDuration = 12 * time.Hour
	MinConcurrency     = 1
	MaxConcurrency     = 1000
)

// Baseline is a loaded, merged, validated and defaulted baseline.yaml.
//
// The yaml tags are the file format: the strict loader derives the set of
// valid keys from them by reflection, so adding a field here (with its
// yaml tag) is all it takes to accept a new key.
type Baseline struct {
	// Version is the format version; always 1 after a successful load.
	Version int `yaml:"version"`
	// Extends is the top-level file's own extends list, as written.
	Extends []string `yaml:"extends"`

	Organization Organization `yaml:"organization"`
	Targets      Targets      `yaml:"targets"`
	Controls     Controls     `yaml:"controls"`
	// Plugins are the check plugins run by `check`, in every targeted
	// account.
	Plugins []Plugin `yaml:"plugins"`

	// Sources lists the profiles and files that were merged, in the order
	// they were applied: "profile:<name>" for a profile, an absolute path
	// for a file (for LoadBytes, the top-level file appears as its name).
	Sources []string `yaml:"-"`
	// Dir is the absolute directory of the top-level file, for resolving
	// relative file references later.
	Dir string `yaml:"-"`
	// Replaced are the policy lists later files replaced, dropping
	// policies an earlier file declared (replaced.go).
	Replaced []ReplacedPolicies `yaml:"-"`
}

// Organization says how orgbaseline reaches the member accounts.
type Organization struct {
	// ExecutionRole is the IAM role name assumed in every member account.
	ExecutionRole string `yaml:"executionRole"`
	// ExternalID is passed to sts:AssumeRole when set.
	ExternalID string `yaml:"externalId"`
	// SessionDuration of the assumed-role sessions (15m to 12h). Note that
	// a session obtained by role chaining is capped at 1h by AWS whatever
	// is asked here, and the role's own MaxSessionDuration applies too.
	SessionDuration Duration `yaml:"sessionDuration"`
	// HomeRegion is where global services (IAM, Organizations) are called.
	HomeRegion string `yaml:"homeRegion"`
	// Regions are the governed regions; they always include HomeRegion.
	Regions []string `yaml:"regions"`
	// Concurrency is how many accounts are worked on at once.
	Concurrency int `yaml:"concurrency"`
	// Accounts maps an alias (logArchive) to an account name or 12-digit id.
	Accounts map[string]string `yaml:"accounts"`
	// AccountPositions is where each alias's value was written (set by
	// Load; nil when there is no alias), for the errors found once the
	// organization is read.
	AccountPositions map[string]Position `yaml:"-"`
	// GuardContext states the value of condition keys the SCP lockout
	// guard cannot know from the organization (aws:SourceIp,
	// aws:SourceVpc, ...), as the requests of the run will carry them:
	// a key to one value or a list.
	GuardContext map[string]GuardValues `yaml:"guardContext"`
}

// GuardValues are the values of one condition key: one value, or a list
// (a multivalued key such as aws:TagKeys).
type GuardValues []string

// Targets selects the accounts the baseline applies to: every account
// matched by an Include selector and by no Exclude selector.
type Targets struct {
	Include []Selector `yaml:"include"`
	Exclude []Selector `yaml:"exclude"`
	// IncludeManagementAccount lets the management account be targeted;
	// it is skipped otherwise, even when a selector matches it.
	IncludeManagementAccount bool `yaml:"includeManagementAccount"`
}

// Controls holds one pointer field per control; nil means the control is
// not declared by any merged file.
//
// To add a control: add a pointer field with its lowerCamel yaml tag; the
// strict loader picks the keys up by reflection. If the control's type
// has a method
//
//	validate(v *validation, path string)
//
// it is called on the loaded value (see validate.go).
type Controls struct {
	ServiceControlPolicies *ServiceControlPolicies `yaml:"serviceControlPolicies"`
	OrganizationTrail      *OrganizationTrail      `yaml:"organizationTrail"`
	AccessAnalyzer         *AccessAnalyzer         `yaml:"accessAnalyzer"`
	Config                 *Config                 `yaml:"config"`
	PasswordPolicy         *PasswordPolicy         `yaml:"passwordPolicy"`
	RootAccess             *RootAccess             `yaml:"rootAccess"`
	// The other Organizations policy types, each shaped like
	// serviceControlPolicies (orgpolicies.go, policytypes.go).
	ResourceControlPolicies *OrganizationPolicies `yaml:"resourceControlPolicies"`
	DeclarativePolicies     *OrganizationPolicies `yaml:"declarativePolicies"`
	TagPolicies             *OrganizationPolicies `yaml:"tagPolicies"`
	BackupPolicies          *OrganizationPolicies `yaml:"backupPolicies"`
	AIOptOutPolicies        *OrganizationPolicies `yaml:"aiOptOutPolicies"`
	S3Policies              *OrganizationPolicies `yaml:"s3Policies"`
	SecurityHubPolicies     *OrganizationPolicies `yaml:"securityHubPolicies"`
	InspectorPolicies       *OrganizationPolicies `yaml:"inspectorPolicies"`
	BedrockPolicies         *OrganizationPolicies `yaml:"bedrockPolicies"`
}

// PasswordPolicy is the account password policy of IAM, with IAM's field
// names in lowerCamel. A nil field is unset; see Resolved for the values
// that unset fields take.
type PasswordPolicy struct {
	// Enabled (default true) lets a later file switch the control off.
	Enabled *bool `yaml:"enabled"`

	MinimumPasswordLength      *int  `yaml:"minimumPasswordLength"`
	RequireSymbols             *bool `yaml:"requireSymbols"`
	RequireNumbers             *bool `yaml:"requireNumbers"`
	RequireUppercaseCharacters *bool `yaml:"requireUppercaseCharacters"`
	RequireLowercaseCharacters *bool `yaml:"requireLowercaseCharacters"`
	AllowUsersToChangePassword *bool `yaml:"allowUsersToChangePassword"`
	// MaxPasswordAge in days, 1 to 1095; 0 or unset: passwords never expire.
	MaxPasswordAge *int `yaml:"maxPasswordAge"`
	// PasswordReusePrevention, 1 to 24; 0 or unset: reuse is not prevented.
	PasswordReusePrevention *int `yaml:"passwordReusePrevention"`
	// HardExpiry stops users from changing an expired password themselves;
	// it needs MaxPasswordAge > 0.
	HardExpiry *bool `yaml:"hardExpiry"`
}

// Limits of IAM's UpdateAccountPasswordPolicy.
const (
	MinPasswordLength              = 6
	MaxPasswordLength              = 128
	MaxPasswordAgeDays             = 1095
	MaxPasswordReusePreventionSize = 24
)

// PasswordPolicySettings is a password policy with every field set.
type PasswordPolicySettings struct {
	MinimumPasswordLength      int
	RequireSymbols             bool
	RequireNumbers             bool
	RequireUppercaseCharacters bool
	RequireLowercaseCharacters bool
	AllowUsersToChangePassword bool
	MaxPasswordAge             int
	PasswordReusePrevention    int
	HardExpiry                 bool
}

// IsEnabled reports whether the policy is declared and not switched off.
func (p *PasswordPolicy) IsEnabled() bool {
	return p != nil && (p.Enabled == nil || *p.Enabled)
}

// Resolved returns the policy with IAM's defaults for unset fields:
// minimum length 6, every bool false, 0 for MaxPasswordAge and
// PasswordReusePrevention. A nil policy resolves to IAM's defaults.
func (p *PasswordPolicy) Resolved() PasswordPolicySettings {
	s := PasswordPolicySettings{MinimumPasswordLength: MinPasswordLength}
	if p == nil {
		return s
	}
	setInt(&s.MinimumPasswordLength, p.MinimumPasswordLength)
	setBool(&s.RequireSymbols, p.RequireSymbols)
	setBool(&s.RequireNumbers, p.RequireNumbers)
	setBool(&s.RequireUppercaseCharacters, p.RequireUppercaseCharacters)
	setBool(&s.RequireLowercaseCharacters, p.RequireLowercaseCharacters)
	setBool(&s.AllowUsersToChangePassword, p.AllowUsersToChangePassword)
	setInt(&s.MaxPasswordAge, p.MaxPasswordAge)
	setInt(&s.PasswordReusePrevention, p.PasswordReusePrevention)
	setBool(&s.HardExpiry, p.HardExpiry)
	return s
}

func setInt(dst *int, src *int) {
	if src != nil {
		*dst = *src
	}
}

func setBool(dst *bool, src *bool) {
	if src != nil {
		*dst = *src
	}
}

// Position is a place in a source file; File is a path or "profile:<name>".
// Line and Column count from 1; 0 means unknown.
type Position struct {
	File         string
	Line, Column int
}

// String returns "file:line:col", leaving out the unknown parts.
func (p Position) String() string {
	var b strings.Builder
	b.WriteString(p.File)
	if p.Line > 0 {
		if b.Len() > 0 {
			b.WriteByte(':')
		}
		fmt.Fprintf(&b, "%d", p.Line)
		if p.Column > 0 {
			fmt.Fprintf(&b, ":%d", p.Column)
		}
	}
	return b.String()
}

// Diagnostic is one problem found while loading; Message names the
// problem and the fix.
type Diagnostic struct {
	Pos     Position
	Message string
}

// String returns "file:line:col: message".
func (d Diagnostic) String() string {
	if p := d.Pos.String(); p != "" {
		return p + ": " + d.Message
	}
	return d.Message
}

// Diagnostics is every problem found while loading, sorted by file, line
// and column. It is the error returned by Load and LoadBytes.
type Diagnostics []Diagnostic

// Error lists every diagnostic, one per line.
func (ds Diagnostics) Error() string {
	lines := make([]string, len(ds))
	for i, d := range ds {
		lines[i] = d.String()
	}
	return strings.Join(lines, "\n")
}
