package iampolicy

import (
	"strconv"
	"strings"
)

// Kind says which grammar a policy document follows and whether its
// Principal element is evaluated.
type Kind int

const (
	KindIdentity Kind = iota // identity-based or session policy: no Principal/NotPrincipal allowed
	KindSCP                  // service control policy: no Principal/NotPrincipal; Effect Allow or Deny
	KindTrust                // role trust policy: Principal (or NotPrincipal) required in every statement
	KindResource             // resource policy (e.g. S3 bucket policy): Principal required
	// KindRCP is a resource control policy a customer writes (AWS
	// Organizations): Version "2012-10-17", Effect Deny, Principal "*",
	// actions of the services RCPs support, no NotPrincipal or NotAction
	// (rcp.go).
	KindRCP
	// KindRCPManaged is the grammar of the AWS-managed RCPFullAWSAccess:
	// KindRCP's, except that Effect Allow and Action "*" are accepted.
	KindRCPManaged
)

// String returns a short lower-case name for the kind.
func (k Kind) String() string {
	switch k {
	case KindIdentity:
		return "identity"
	case KindSCP:
		return "scp"
	case KindTrust:
		return "trust"
	case KindResource:
		return "resource"
	case KindRCP:
		return "rcp"
	case KindRCPManaged:
		return "rcp-managed"
	}
	return "Kind(" + strconv.Itoa(int(k)) + ")"
}

// noun names the kind in error messages.
func (k Kind) noun() string {
	switch k {
	case KindIdentity:
		return "an identity-based or session policy"
	case KindSCP:
		return "a service control policy"
	case KindTrust:
		return "a role trust policy"
	case KindResource:
		return "a resource-based policy"
	case KindRCP:
		return "a resource control policy"
	case KindRCPManaged:
		return "an AWS-managed resource control policy"
	}
	return "a policy of " + k.String()
}

// Effect is the Effect of a statement: "Allow" or "Deny".
type Effect string

// The two valid effects.
const (
	EffectAllow Effect = "Allow"
	EffectDeny  Effect = "Deny"
)

// Policy is a parsed, validated and compiled policy document. Obtain one from
// Parse or MustParse and treat it as read-only: it is safe for concurrent
// Evaluate calls. A Policy built by hand (not through Parse) still evaluates,
// but is compiled again on every call, which is slow.
type Policy struct {
	Version    string
	ID         string
	Statements []*Statement
	// Kind is the kind the document was parsed as. Principal/NotPrincipal are
	// evaluated only for KindTrust, KindResource, KindRCP and KindRCPManaged.
	Kind Kind

	compiled []cstmt
}

// Statement is one statement of a policy, as written (normalised only in that
// single strings become one-element slices).
type Statement struct {
	Index        int    // position in the document, 0-based
	Sid          string // "" when absent
	Effect       Effect
	Principal    *PrincipalSet // nil when absent
	NotPrincipal *PrincipalSet
	Action       []string // as written (a single string in JSON becomes a 1-element slice)
	NotAction    []string
	Resource     []string
	NotResource  []string
	Condition    []Condition // one entry per (operator, key), sorted by Operator then Key
}

// Name identifies the statement for people: its Sid when it has one, else
// "Statement[i]".
func (s *Statement) Name() string {
	if s == nil {
		return ""
	}
	if s.Sid != "" {
		return s.Sid
	}
	return "Statement[" + strconv.Itoa(s.Index) + "]"
}

// PrincipalSet is the value of a Principal or NotPrincipal element.
type PrincipalSet struct {
	Wildcard      bool // "Principal": "*" or {"AWS":"*"}
	AWS           []string
	Service       []string
	Federated     []string
	CanonicalUser []string
}

// Condition is one (operator, key) pair of a Condition element.
type Condition struct {
	Operator string   // as written, e.g. "StringEquals", "ForAnyValue:StringLike", "StringEqualsIfExists"
	Key      string   // as written, e.g. "aws:PrincipalArn", "sts:ExternalId"
	Values   []string // JSON bools/numbers are converted to their string forms
}

// ParseError lists every problem found in a policy document.
type ParseError struct{ Problems []Problem }

// Problem is one problem in a policy document. Path is JSON-ish, e.g.
// `Statement[2].Action` or `Statement[0].Condition.StringEquals["aws:PrincipalArn"]`;
// it is "" for the document as a whole.
type Problem struct {
	Path    string
	Message string
}

// String returns "Path: Message" (or just Message when Path is empty).
func (p Problem) String() string {
	if p.Path == "" {
		return p.Message
	}
	return p.Path + ": " + p.Message
}

// Error joins all problems, one per line after the first.
func (e *ParseError) Error() string {
	if e == nil || len(e.Problems) == 0 {
		return "iampolicy: invalid policy document"
	}
	if len(e.Problems) == 1 {
		return "iampolicy: invalid policy document: " + e.Problems[0].String()
	}
	var b strings.Builder
	b.WriteString("iampolicy: invalid policy document (")
	b.WriteString(strconv.Itoa(len(e.Problems)))
	b.WriteString(" problems):")
	for _, p := range e.Problems {
		b.WriteString("\n  ")
		b.WriteString(p.String())
	}
	return b.String()
}

// Decision is the outcome of evaluating a request against policies.
type Decision int

const (
	ImplicitDeny Decision = iota
	Allow
	ExplicitDeny
)

// String returns "ImplicitDeny", "Allow" or "ExplicitDeny".
func (d Decision) String() string {
	switch d {
	case ImplicitDeny:
		return "ImplicitDeny"
	case Allow:
		return "Allow"
	case ExplicitDeny:
		return "ExplicitDeny"
	}
	return "Decision(" + strconv.Itoa(int(d)) + ")"
}

// Principal is the caller of a request.
type Principal struct {
	ARN     string // arn:aws:iam::111122223333:root | :user/NAME | arn:aws:sts::ACCT:assumed-role/ROLE/SESSION
	Account string // 12 digits; when empty it is taken from ARN (or RoleARN)
	RoleARN string // for assumed-role sessions: arn:aws:iam::ACCT:role/ROLE (path included if any)
	Service string // e.g. cloudtrail.amazonaws.com when a service is the caller

	// Federated is the identity provider for web-identity or SAML callers
	// (e.g. "arn:aws:iam::ACCT:saml-provider/NAME" or "cognito-identity.amazonaws.com");
	// it is matched by "Principal": {"Federated": ...}.
	Federated string
	// CanonicalUser is an S3 canonical user ID, matched by {"CanonicalUser": ...}.
	CanonicalUser string

	// NamedOnly makes a Principal element match this principal only where
	// it names the principal itself (its ARN or RoleARN) or everyone
	// ("*"): an account ID or :root ARN then matches nothing. A
	// resource-based policy that names an account delegates to that
	// account's own policies rather than granting its users and roles
	// anything (IAM user guide, "AWS JSON policy elements: Principal",
	// AWS account principals); callers use it to tell such a grant from
	// one made to the principal by name.
	NamedOnly bool
}

// Request is one API call to authorise.
type Request struct {
	Action    string // "iam:UpdateAccountPasswordPolicy"; matching is case-insensitive
	Resource  string // ARN, or "*" for actions without resource-level permissions ("" is treated as "*")
	Principal Principal
	// Context holds condition keys (lower-cased keys, e.g. "aws:principalarn", "aws:requestedregion",
	// "aws:principalorgid", "aws:principalaccount", "sts:externalid", "aws:sourcearn"); multi-valued allowed.
	// A key mapped to an empty slice counts as absent.
	Context map[string][]string

	// Unknown names the lower-cased condition keys whose value the caller
	// cannot know (e.g. "aws:sourceip" for a request not yet made). An
	// entry ending in "/" names every key with that prefix (e.g.
	// "aws:resourcetag/"). A key that has an entry in Context is known,
	// whatever Unknown says: a value, or an empty slice stating that the
	// key is absent. A condition over an unknown key, and a policy
	// variable naming one, evaluate to unknown, and Result says whether
	// the decision could depend on them (Result.Undecided). nil (the
	// emulator's case) evaluates every key from Context alone.
	Unknown map[string]bool
	// ResourceUnknown says that each "*" in Resource stands for text the
	// caller cannot know (an id AWS generates, as in a Config rule's ARN
	// config-rule/config-rule-a1b2c3): a Resource or NotResource pattern
	// that covers every such text matches, one that covers none does not,
	// and one that covers some is unknown (Result.UnknownKey "Resource").
	ResourceUnknown bool
}

// Result is the outcome of Evaluate or EvaluateSet.
type Result struct {
	Decision  Decision
	Policy    *Policy    // the policy holding the deciding statement (nil for ImplicitDeny)
	Statement *Statement // the deciding statement: the first explicit Deny that matched, else the first Allow
	// Keys are the condition keys of the deciding statement, as written in
	// the policy, each once, in the statement's Condition order; nil when
	// it has no Condition (and for ImplicitDeny). The slice is shared by
	// every Result of that statement: do not modify it.
	Keys []string

	// Undecided reports that the decision could be different depending on
	// a key of Request.Unknown: some statement neither matched nor failed
	// to match because of an unknown key, and it is a Deny while Decision
	// is not ExplicitDeny, or an Allow while Decision is ImplicitDeny.
	// Decision itself treats such statements as not matching.
	Undecided bool
	// UndecidedPolicy and UndecidedStatement name that statement (the
	// first such Deny, else the first such Allow, in document and set
	// order); nil unless Undecided.
	UndecidedPolicy    *Policy
	UndecidedStatement *Statement
	// UnknownKey is the unknown key that left UndecidedStatement
	// undecided, as written in the policy (a condition key, or the key of
	// a policy variable such as ${aws:SourceIp}); "" unless Undecided.
	UnknownKey string
}
