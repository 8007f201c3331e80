package baseline

import (
	"regexp"
	"strings"
)

// AccessAnalyzer is controls.accessAnalyzer: an IAM Access Analyzer in every
// governed region (CIS AWS Foundations Benchmark v3.0.0 item 1.20), and
// optionally an unused-access analyzer beside it. Unset fields take the
// defaults Resolved documents.
//
// Switching the control (or unusedAccess) off makes orgbaseline stop
// managing the analyzers; it never deletes one.
type AccessAnalyzer struct {
	// Enabled (default true) lets a later file switch the control off.
	Enabled *bool `yaml:"enabled"`
	// Type is ORGANIZATION (default): trusted access for Access Analyzer,
	// the delegated administrator registered for it, and one analyzer whose
	// zone of trust is the whole organization in that account, per governed
	// region; or ACCOUNT: one analyzer in every targeted account and
	// governed region.
	Type string `yaml:"type"`
	// Name of the analyzer orgbaseline creates; default
	// orgbaseline-organization or orgbaseline-account.
	Name string `yaml:"name"`
	// DelegatedAdministrator is the alias (organization.accounts) of the
	// account that owns the organization analyzers; default audit.
	// ORGANIZATION only.
	DelegatedAdministrator string `yaml:"delegatedAdministrator"`
	// UnusedAccess adds an unused-access analyzer of the same zone of trust.
	UnusedAccess *UnusedAccessAnalyzer `yaml:"unusedAccess"`
}

// UnusedAccessAnalyzer is controls.accessAnalyzer.unusedAccess.
type UnusedAccessAnalyzer struct {
	// Enabled (default true once the block is declared).
	Enabled *bool `yaml:"enabled"`
	// UnusedAccessAge is the number of days after which access counts as
	// unused, 1 to 365; default 90.
	UnusedAccessAge *int `yaml:"unusedAccessAge"`
	// Name of the unused-access analyzer; default
	// orgbaseline-organization-unused-access or
	// orgbaseline-account-unused-access.
	Name string `yaml:"name"`
}

// Analyzer types orgbaseline manages, and the defaults and limits of
// controls.accessAnalyzer.
const (
	AnalyzerTypeOrganization = "ORGANIZATION"
	AnalyzerTypeAccount      = "ACCOUNT"

	DefaultAnalyzerType                   = AnalyzerTypeOrganization
	DefaultAnalyzerDelegatedAdministrator = "audit"
	DefaultUnusedAccessAge                = 90
	MinUnusedAccessAge                    = 1
	MaxUnusedAccessAge                    = 365
	MaxAnalyzerNameLength                 = 255
)

// analyzerNameRe is the Name shape of Access Analyzer's model: a letter,
// then letters, digits, _ . or -.
var analyzerNameRe = regexp.MustCompile(`^[A-Za-z][A-Za-z0-9_.-]*$`)

// ValidAnalyzerName reports whether name is a name Access Analyzer accepts
// for an analyzer: 1-255 characters, a letter then letters, digits, _ . -.
func ValidAnalyzerName(name string) bool {
	return len(name) <= MaxAnalyzerNameLength && analyzerNameRe.MatchString(name)
}

// AccessAnalyzerSettings is controls.accessAnalyzer with every default
// filled in.
type AccessAnalyzerSettings struct {
	Type string // AnalyzerTypeOrganization or AnalyzerTypeAccount
	Name string
	// DelegatedAdministrator is the account alias; "" for ACCOUNT.
	DelegatedAdministrator string
	// UnusedAccess is true when the unused-access analyzer is declared
	// and enabled; UnusedAccessName and UnusedAccessAge are then set.
	UnusedAccess     bool
	UnusedAccessName string
	UnusedAccessAge  int
}

// UnusedAccessType is the analyzer type of the unused-access analyzer:
// ORGANIZATION_UNUSED_ACCESS or ACCOUNT_UNUSED_ACCESS.
func (s AccessAnalyzerSettings) UnusedAccessType() string {
	return s.Type + "_UNUSED_ACCESS"
}

// IsEnabled reports whether the control is declared and not switched off.
func (c *AccessAnalyzer) IsEnabled() bool { return c != nil && (c.Enabled == nil || *c.Enabled) }

// IsEnabled reports whether the block is declared and not switched off.
func (u *UnusedAccessAnalyzer) IsEnabled() bool { return u != nil && (u.Enabled == nil || *u.Enabled) }

// Resolved returns the settings with the defaults for unset fields: type
// ORGANIZATION, name orgbaseline-<type in lower case>, delegated
// administrator audit (ORGANIZATION only), and for a declared unusedAccess
// block, age 90 and name orgbaseline-<type>-unused-access.
func (c *AccessAnalyzer) Resolved() AccessAnalyzerSettings {
	s := AccessAnalyzerSettings{Type: DefaultAnalyzerType}
	if c == nil {
		c = &AccessAnalyzer{}
	}
	if c.Type != "" {
		s.Type = c.Type
	}
	base := "orgbaseline-" + strings.ToLower(s.Type)
	s.Name = base
	if c.Name != "" {
		s.Name = c.Name
	}
	if s.Type == AnalyzerTypeOrganization {
		s.DelegatedAdministrator = DefaultAnalyzerDelegatedAdministrator
		if c.DelegatedAdministrator != "" {
			s.DelegatedAdministrator = c.DelegatedAdministrator
		}
	}
	if u := c.UnusedAccess; u.IsEnabled() {
		s.UnusedAccess = true
		s.UnusedAccessName = base + "-unused-access"
		if u.Name != "" {
			s.UnusedAccessName = u.Name
		}
		s.UnusedAccessAge = DefaultUnusedAccessAge
		setInt(&s.UnusedAccessAge, u.UnusedAccessAge)
	}
	return s
}

func (c *AccessAnalyzer) validate(v *validation, path string) {
	typ := c.Type
	if v.has(path + ".type") {
		switch up := strings.ToUpper(strings.TrimSpace(typ)); {
		case typ == AnalyzerTypeOrganization || typ == AnalyzerTypeAccount:
		case up == AnalyzerTypeOrganization || up == AnalyzerTypeAccount:
			v.errorf(path+".type", "%s.type %s: analyzer types are written in capitals; write %s", path, quote(typ), up)
			typ = ""
		case strings.HasSuffix(up, "_UNUSED_ACCESS"):
			v.errorf(path+".type", "%s.type %s: declare the unused-access analyzer under %s.unusedAccess, and set type to %s or %s",
				path, quote(typ), path, AnalyzerTypeOrganization, AnalyzerTypeAccount)
			typ = ""
		default:
			v.errorf(path+".type", "%s.type %s is not an analyzer type orgbaseline manages; write %s (one analyzer for the whole organization, in the delegated administrator's account) or %s (one analyzer in every targeted account)",
				path, quote(typ), AnalyzerTypeOrganization, AnalyzerTypeAccount)
			typ = ""
		}
	} else if !v.bad(path + ".type") {
		typ = DefaultAnalyzerType
	}
	checkAnalyzerName(v, path+".name", c.Name)
	if p := path + ".delegatedAdministrator"; v.has(p) {
		if !accountAliasRe.MatchString(c.DelegatedAdministrator) {
			v.errorf(p, "%s %s is not an account alias; give the alias of an account declared under organization.accounts (e.g. %s)",
				p, quote(c.DelegatedAdministrator), DefaultAnalyzerDelegatedAdministrator)
		} else if v.full && typ == AnalyzerTypeAccount {
			v.errorf(p, "%s applies only to type %s (the account that owns the organization analyzers); remove it, or set type: %s",
				p, AnalyzerTypeOrganization, AnalyzerTypeOrganization)
		}
	}
	u := c.UnusedAccess
	if u == nil {
		return
	}
	up := path + ".unusedAccess"
	v.intRange(up+".unusedAccessAge", u.UnusedAccessAge, MinUnusedAccessAge, MaxUnusedAccessAge,
		"set it between 1 and 365 days (default 90)")
	checkAnalyzerName(v, up+".name", u.Name)
	if v.full && typ != "" && u.IsEnabled() && !v.bad(path+".name") && !v.bad(up+".name") {
		if s := c.Resolved(); s.Name == s.UnusedAccessName {
			v.errorf(up+".name", "%s.name %s is also the name of the analyzer (%s.name); analyzer names are unique in an account and region, so give them different names",
				up, quote(s.UnusedAccessName), path)
		}
	}
}

// checkAnalyzerName reports a name Access Analyzer would reject.
func checkAnalyzerName(v *validation, path, name string) {
	if !v.has(path) || ValidAnalyzerName(name) {
		return
	}
	if len(name) > MaxAnalyzerNameLength {
		v.errorf(path, "%s is %d characters long; an analyzer name has 1 to %d", path, len(name), MaxAnalyzerNameLength)
		return
	}
	v.errorf(path, "%s %s is not a valid analyzer name; start with a letter and use only letters, digits, _ . or - (1 to %d characters)",
		path, quote(name), MaxAnalyzerNameLength)
}
