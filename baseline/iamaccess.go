package baseline

import (
	"regexp"
	"slices"
	"strings"
	"unicode"
)

// This file tells the IAM actions that only read (IAM access levels List
// and Read, as the Service Authorization Reference gives them) from every
// other action, for the plugins' actions: lists: a plugin gets read
// actions only, unless its entry says allowWriteActions: true.
//
// There is no network at load time, so the classifier is data: the naming
// rule AWS's actions follow (List*, Get* and Describe* are List or Read),
// and a table of the actions the rule gets wrong in either direction.
// Anything else, an action of a service the table does not know, a
// misspelt one and any wildcard ("iam:*", "s3:Get*") included, counts as
// a write: the stricter reading, since a wrong "read" would let `check`
// change an account without anyone having said allowWriteActions.

// IAMActionPattern is one IAM action written exactly: a service prefix and
// an action name, without wildcards.
const IAMActionPattern = `^[a-z0-9][a-z0-9-]*:[A-Za-z][A-Za-z0-9]*$`

var iamActionRe = regexp.MustCompile(IAMActionPattern)

// ValidIAMAction reports whether a is one IAM action written exactly
// (service:Action, no wildcards).
func ValidIAMAction(a string) bool { return iamActionRe.MatchString(a) }

// readPrefixes are the action-name prefixes of List and Read actions
// (Service Authorization Reference: every List*, Get* and Describe* action
// of the services orgbaseline and its plugins call has access level List
// or Read).
var readPrefixes = []string{"list", "get", "describe"}

// accessExceptions are the actions the naming rule gets wrong, keyed by
// the lower-cased action: true for a read whose name does not say so,
// false for an action that counts as a write although its name reads.
var accessExceptions = map[string]bool{
	// Reads by the Service Authorization Reference (access level Read);
	// AWS's own read-only policies (SecurityAudit, ReadOnlyAccess) grant them.
	"iam:generatecredentialreport":           true,
	"iam:generateservicelastaccesseddetails": true,
	"iam:generateorganizationsaccessreport":  true,
	"iam:simulatecustompolicy":               true,
	"iam:simulateprincipalpolicy":            true,
	"cloudtrail:lookupevents":                true,
	"config:batchgetresourceconfig":          true,
	"config:batchgetaggregateresourceconfig": true,
	"config:selectresourceconfig":            true,
	"logs:filterlogevents":                   true,

	// Read by the reference, but they mint credentials or tokens that act
	// beyond the plugin's session policy: counted as writes, so a plugin
	// needs allowWriteActions to be given one.
	"sts:getfederationtoken":                              false,
	"sts:getsessiontoken":                                 false,
	"ecr:getauthorizationtoken":                           false,
	"ecr-public:getauthorizationtoken":                    false,
	"codeartifact:getauthorizationtoken":                  false,
	"cognito-identity:getid":                              false,
	"cognito-identity:getopenidtoken":                     false,
	"cognito-identity:getopenidtokenfordeveloperidentity": false,
	"cognito-identity:getcredentialsforidentity":          false,
	"redshift:getclustercredentials":                      false,
	"sso:getrolecredentials":                              false,
}

// IsReadAction reports whether action is a read (IAM access level List or
// Read) by the naming rule and the exceptions table; case does not
// matter, as in IAM. Anything not known to read, wildcards included, is
// not.
func IsReadAction(action string) bool {
	if !ValidIAMAction(action) {
		return false
	}
	a := strings.ToLower(action)
	if read, ok := accessExceptions[a]; ok {
		return read
	}
	name := a[strings.IndexByte(a, ':')+1:]
	for _, p := range readPrefixes {
		if strings.HasPrefix(name, p) {
			return true
		}
	}
	return false
}

// WriteActions returns the actions that are not reads (IsReadAction), in
// their order.
func WriteActions(actions []string) []string {
	var out []string
	for _, a := range actions {
		if !IsReadAction(a) {
			out = append(out, a)
		}
	}
	return out
}

// readActionsRule is IsReadAction as JSON Schema, for the Plugin type: an
// entry without allowWriteActions: true lists reads only. JSON Schema's
// patterns have no case-insensitive flag, so each letter of a name is
// written as a class of both cases ([Ll][Ii][Ss][Tt]).
func readActionsRule() obj {
	var reads, writes []string
	for a, read := range accessExceptions {
		svc, name, _ := strings.Cut(a, ":")
		p := regexp.QuoteMeta(svc) + ":" + anyCase(name)
		if read {
			reads = append(reads, p)
		} else {
			writes = append(writes, p)
		}
	}
	slices.Sort(reads)
	slices.Sort(writes)
	prefixes := make([]string, len(readPrefixes))
	for i, p := range readPrefixes {
		prefixes[i] = anyCase(p)
	}
	item := obj{"allOf": []obj{
		{"pattern": `^[a-z0-9][a-z0-9-]*:(` + strings.Join(prefixes, "|") + `)[A-Za-z0-9]*$|^(` + strings.Join(reads, "|") + `)$`},
		{"not": obj{"pattern": `^(` + strings.Join(writes, "|") + `)$`}},
	}}
	return obj{
		"if": obj{"not": obj{
			"required":   []string{"allowWriteActions"},
			"properties": obj{"allowWriteActions": obj{"const": true}},
		}},
		"then": obj{"properties": obj{"actions": obj{"items": item}}},
	}
}

// anyCase is a pattern matching s in any case.
func anyCase(s string) string {
	var b strings.Builder
	for _, r := range s {
		lo, up := unicode.ToLower(r), unicode.ToUpper(r)
		if lo == up {
			b.WriteString(regexp.QuoteMeta(string(r)))
			continue
		}
		b.WriteString("[" + string(up) + string(lo) + "]")
	}
	return b.String()
}
