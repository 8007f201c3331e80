package baseline

import (
	"fmt"
	"regexp"
	"strings"

	"gopkg.in/yaml.v3"
)

// SelectorKind is what a Selector matches on.
type SelectorKind int

// Selector kinds.
const (
	// SelectRoot matches every account ("root", also written "ou:/").
	SelectRoot SelectorKind = iota
	// SelectOUPath matches the accounts under an OU given by its path of
	// OU names from the root ("ou:/Workloads/Prod"); Value is the path.
	SelectOUPath
	// SelectOUID matches the accounts under an OU given by its id
	// ("ou:ou-ab12-cdefgh34"); Value is the id.
	SelectOUID
	// SelectAccountID matches one account by its 12-digit id.
	SelectAccountID
	// SelectAccountName matches accounts by name.
	SelectAccountName
	// SelectTag matches accounts by tag: TagKey, and TagValue when
	// HasTagValue ("tag:env=prod"); any value otherwise ("tag:env").
	SelectTag
)

var kindNames = [...]string{"root", "ou path", "ou id", "account id", "account name", "tag"}

// String names the kind.
func (k SelectorKind) String() string {
	if k >= 0 && int(k) < len(kindNames) {
		return kindNames[k]
	}
	return fmt.Sprintf("SelectorKind(%d)", int(k))
}

// Selector picks accounts of the organization; see ParseSelector for the
// syntax.
type Selector struct {
	Kind SelectorKind
	// Value is the OU path, OU id, account id or account name.
	Value            string
	TagKey, TagValue string
	HasTagValue      bool
	// Raw is the text the selector was parsed from.
	Raw string
	// Pos is where Raw was written (set by Load, zero from ParseSelector).
	Pos Position
}

var (
	ouIDRe      = regexp.MustCompile(`^ou-[0-9a-z]{4,32}-[a-z0-9]{8,32}$`)
	accountIDRe = regexp.MustCompile(`^[0-9]{12}$`)
	allDigitsRe = regexp.MustCompile(`^[0-9]+$`)
)

// Account names are 1 to 50 characters in AWS Organizations; OU names 1 to
// 128; tag keys 1 to 128 and tag values 0 to 256.
const (
	maxAccountName = 50
	maxOUName      = 128
	maxTagKey      = 128
	maxTagValue    = 256
)

const selectorSyntax = `root, ou:/Path/Of/OU, ou:ou-xxxx-xxxxxxxx, account:<12-digit id or name>, tag:key=value or tag:key`

// ParseSelector parses a target selector:
//
//	root                    every account
//	ou:/Workloads/Prod      the OU at this path of OU names from the root ("ou:/" is root)
//	ou:ou-ab12-cdefgh34     the OU with this id
//	account:123456789012    the account with this id
//	account:Log Archive     the account with this name
//	tag:env=prod            accounts whose tag env is prod
//	tag:env                 accounts that have the tag env, whatever its value
//
// "ou:/" parses to a SelectRoot selector. A tag key ends at the first "=".
// The error says what is wrong and how to write it.
func ParseSelector(s string) (Selector, error) {
	sel := Selector{Raw: s}
	if s != strings.TrimSpace(s) {
		return sel, fmt.Errorf("selector %s has leading or trailing spaces; remove them", quote(s))
	}
	if s == "" {
		return sel, fmt.Errorf("empty selector; use one of: %s", selectorSyntax)
	}
	if s == "root" {
		sel.Kind = SelectRoot
		return sel, nil
	}
	kind, value, ok := strings.Cut(s, ":")
	if !ok {
		hint := ""
		if strings.EqualFold(s, "root") {
			hint = `did you mean "root"? `
		} else if strings.HasPrefix(s, "ou-") {
			hint = fmt.Sprintf("did you mean \"ou:%s\"? ", clip(s))
		} else if accountIDRe.MatchString(s) {
			hint = fmt.Sprintf("did you mean \"account:%s\"? ", clip(s))
		} else if strings.HasPrefix(s, "/") {
			hint = fmt.Sprintf("did you mean \"ou:%s\"? ", clip(s))
		}
		return sel, fmt.Errorf("invalid selector %s; %suse one of: %s", quote(s), hint, selectorSyntax)
	}
	switch kind {
	case "ou":
		return parseOU(sel, value)
	case "account":
		return parseAccount(sel, value)
	case "tag":
		return parseTag(sel, value)
	}
	hint := ""
	if sug := closestMatch(strings.ToLower(kind), []string{"ou", "account", "tag"}); sug != "" {
		hint = fmt.Sprintf("did you mean \"%s:\"? ", sug)
	}
	return sel, fmt.Errorf("unknown selector kind %s in %s; %suse one of: %s", quote(kind+":"), quote(s), hint, selectorSyntax)
}

func parseOU(sel Selector, v string) (Selector, error) {
	switch {
	case v == "/":
		sel.Kind = SelectRoot
		return sel, nil
	case strings.HasPrefix(v, "/"):
		for _, seg := range strings.Split(v[1:], "/") {
			if seg == "" {
				return sel, fmt.Errorf("OU path %s has an empty OU name; remove the extra or trailing \"/\" (write ou:/Workloads/Prod)", quote(v))
			}
			if seg != strings.TrimSpace(seg) {
				return sel, fmt.Errorf("OU name %s in %s has leading or trailing spaces; remove them", quote(seg), quote(v))
			}
			if len(seg) > maxOUName {
				return sel, fmt.Errorf("OU name %.20q... in %s is longer than %d characters, the AWS limit", seg, quote(v), maxOUName)
			}
		}
		sel.Kind, sel.Value = SelectOUPath, v
		return sel, nil
	case strings.HasPrefix(v, "ou-"):
		if !ouIDRe.MatchString(v) {
			return sel, fmt.Errorf("invalid OU id %s; an OU id looks like ou-ab12-cdefgh34 (\"ou-\", 4-32 lowercase letters or digits, \"-\", 8-32 more)", quote(v))
		}
		sel.Kind, sel.Value = SelectOUID, v
		return sel, nil
	case v == "":
		return sel, fmt.Errorf("selector %s names no OU; write ou:/Path/Of/OU or ou:ou-xxxx-xxxxxxxx", quote(sel.Raw))
	case strings.HasPrefix(v, "r-"):
		return sel, fmt.Errorf("selector %s names the root by id; write root (or ou:/) instead", quote(sel.Raw))
	}
	return sel, fmt.Errorf("selector %s: an OU is a path from the root starting with \"/\" (ou:/%s) or an OU id (ou:ou-xxxx-xxxxxxxx)", quote(sel.Raw), clip(v))
}

func parseAccount(sel Selector, v string) (Selector, error) {
	switch {
	case v == "":
		return sel, fmt.Errorf("selector %s names no account; write account:123456789012 or account:<account name>", quote(sel.Raw))
	case v != strings.TrimSpace(v):
		return sel, fmt.Errorf("account name %s has leading or trailing spaces; remove them", quote(v))
	case accountIDRe.MatchString(v):
		sel.Kind, sel.Value = SelectAccountID, v
		return sel, nil
	case allDigitsRe.MatchString(v):
		return sel, fmt.Errorf("account id %s has %d digits; account ids have exactly 12 (check for a dropped leading zero)", quote(v), len(v))
	case len(v) > maxAccountName:
		return sel, fmt.Errorf("account name %s is longer than %d characters, the AWS limit; check the name", quote(v), maxAccountName)
	}
	sel.Kind, sel.Value = SelectAccountName, v
	return sel, nil
}

func parseTag(sel Selector, v string) (Selector, error) {
	key, value, hasValue := strings.Cut(v, "=")
	switch {
	case key == "":
		return sel, fmt.Errorf("selector %s has no tag key; write tag:key=value, or tag:key for any value", quote(sel.Raw))
	case key != strings.TrimSpace(key):
		return sel, fmt.Errorf("tag key %s has leading or trailing spaces; remove them", quote(key))
	case len(key) > maxTagKey:
		return sel, fmt.Errorf("tag key in %s is longer than %d characters, the AWS limit", quote(sel.Raw), maxTagKey)
	case len(value) > maxTagValue:
		return sel, fmt.Errorf("tag value in %s is longer than %d characters, the AWS limit", quote(sel.Raw), maxTagValue)
	}
	sel.Kind, sel.TagKey, sel.TagValue, sel.HasTagValue = SelectTag, key, value, hasValue
	return sel, nil
}

// String returns the selector in its YAML form; ParseSelector(s.String())
// gives back the same selector (but for Raw and Pos). A root selector
// written "ou:/" prints as "root".
func (s Selector) String() string {
	switch s.Kind {
	case SelectRoot:
		return "root"
	case SelectOUPath, SelectOUID:
		return "ou:" + s.Value
	case SelectAccountID, SelectAccountName:
		return "account:" + s.Value
	case SelectTag:
		if s.HasTagValue {
			return "tag:" + s.TagKey + "=" + s.TagValue
		}
		return "tag:" + s.TagKey
	}
	return s.Raw
}

// OUPath returns the OU names of a SelectOUPath selector, from the root
// down; nil for other kinds.
func (s Selector) OUPath() []string {
	if s.Kind != SelectOUPath {
		return nil
	}
	return strings.Split(strings.TrimPrefix(s.Value, "/"), "/")
}

// MarshalYAML writes the selector in its YAML form.
func (s Selector) MarshalYAML() (any, error) { return s.String(), nil }

// UnmarshalYAML parses a selector, for callers that use yaml.v3 directly;
// Load uses its own strict decoder.
func (s *Selector) UnmarshalYAML(n *yaml.Node) error {
	if n.Kind != yaml.ScalarNode || n.ShortTag() == "!!null" {
		return fmt.Errorf("line %d: expected a selector such as root or ou:/Workloads", n.Line)
	}
	v, err := ParseSelector(n.Value)
	if err != nil {
		return fmt.Errorf("line %d: %v", n.Line, err)
	}
	v.Pos = Position{Line: n.Line, Column: n.Column}
	*s = v
	return nil
}

// decodeScalar is used by the strict decoder.
func (s *Selector) decodeScalar(v string, pos Position) error {
	sel, err := ParseSelector(v)
	if err != nil {
		return err
	}
	sel.Pos = pos
	*s = sel
	return nil
}

func (*Selector) expected() string { return "a selector such as root or ou:/Workloads" }

// IsAccountID reports whether s is a 12-digit AWS account id.
func IsAccountID(s string) bool { return accountIDRe.MatchString(s) }
