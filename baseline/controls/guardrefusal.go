package controls

import (
	"fmt"
	"slices"
	"strings"

	"github.com/orgbaseline/orgbaseline/internal/iampolicy"
)

// GuardPlace is one account and region where a call is refused, and the
// resource it acts on there.
type GuardPlace struct {
	AccountID, Region, Resource string
}

// GuardKind is why the lockout guard refuses a call.
type GuardKind string

const (
	// GuardDenied: an SCP statement denies the call.
	GuardDenied GuardKind = "denied"
	// GuardNotAllowed: no SCP attached at a level allows the call.
	GuardNotAllowed GuardKind = "not-allowed"
	// GuardUnknown: whether the SCPs deny the call depends on a condition
	// key the guard cannot know.
	GuardUnknown GuardKind = "unknown"
)

// GuardRefusal is one call the SCPs in force would deny (or might), with
// every account and region where they do. It names what a person needs to
// find and fix it: the policy, statement, where it is attached, the
// account, region, action, resource and the condition keys that decided.
type GuardRefusal struct {
	Kind GuardKind
	// Policy and Statement decide (GuardDenied, GuardUnknown); Unmanaged
	// says the policy is not orgbaseline's.
	Policy, Statement string
	Unmanaged         bool
	// Level is the root, OU or account the deciding policies are attached
	// to; Attached, for GuardNotAllowed, the SCPs attached there.
	Level    string
	Attached []string
	// Account and Region are the first where the call is denied;
	// Accounts and Regions all of them.
	Account, Region   string
	Accounts, Regions []string
	// Places are every account, region and resource where the call is
	// refused, in the order found.
	Places           []GuardPlace
	Action, Resource string
	// Keys are the condition keys of the deciding statement (GuardDenied)
	// or the key the guard cannot know (GuardUnknown).
	Keys []string
	// Plugin names the plugin whose declared call this is: a warning.
	Plugin string
	// AsRoot says the call is made in a root session (sts:AssumeRoot),
	// as the member's root user, not as the execution role.
	AsRoot bool
	// Role and ARNPrefix build the hint (the execution role's name, and
	// arn:PARTITION:iam::*:role/).
	Role, ARNPrefix string
	// Type is the type of the deciding policies: "SCP" (also when "") or
	// "RCP". An RCP refusal's Account is the account that owns the
	// resource, Caller who makes the request, and OrgID (the
	// organization's id) builds its hint.
	Type   string
	Caller *GuardCaller
	OrgID  string

	resourceModel string
}

// GuardCallerKind is who makes a request the RCP lockout guard refuses.
type GuardCallerKind string

const (
	// CallerExecutionRole: the execution role, making a call of the call
	// model on a resource of a service RCPs apply to.
	CallerExecutionRole GuardCallerKind = "execution-role"
	// CallerAssumeRole: orgbaseline's own identity in the management
	// account, assuming the execution role (sts:AssumeRole).
	CallerAssumeRole GuardCallerKind = "assume-role"
	// CallerService: an AWS service with its service principal, making a
	// delivery the baseline configures (delivery.go).
	CallerService GuardCallerKind = "service"
)

// GuardCaller is who makes a request an RCP refusal is about.
type GuardCaller struct {
	Kind GuardCallerKind
	// ARN is orgbaseline's identity (CallerAssumeRole; "" when unknown)
	// and Session the role session it names; Service the service
	// principal and What the delivery (CallerService).
	ARN, Session, Service, What string
}

// String names the caller in a refusal.
func (c *GuardCaller) String() string {
	switch c.Kind {
	case CallerAssumeRole:
		from := c.ARN
		if from == "" {
			from = "the run's identity in the management account (not known offline)"
		}
		return fmt.Sprintf("orgbaseline's sts:AssumeRole from %s (session %s)", from, c.Session)
	case CallerService:
		return fmt.Sprintf("the service principal %s (%s)", c.Service, c.What)
	}
	return "the execution role"
}

// key tells callers apart in groups.
func (c *GuardCaller) key() string {
	if c == nil {
		return ""
	}
	return string(c.Kind) + "\x00" + c.Service + "\x00" + c.Session
}

// typeName is the deciding policies' type: SCP or RCP.
func (f *GuardRefusal) typeName() string {
	if f.Type == "" {
		return "SCP"
	}
	return f.Type
}

// String is the refusal as one line for people (a plugin's warning).
func (f *GuardRefusal) String() string {
	var b strings.Builder
	if f.Plugin != "" {
		fmt.Fprintf(&b, "plugin %q: ", f.Plugin)
	}
	b.WriteString(f.header(f.call()))
	if f.Plugin != "" {
		b.WriteString("; the plugin's check would fail there")
		return b.String()
	}
	b.WriteString(". ")
	b.WriteString(f.hint())
	return b.String()
}

// header says what decides about what (the calls): the policy and
// statement and where they are attached, or the level that allows none of
// them, and the deciding keys.
func (f *GuardRefusal) header(what string) string {
	owner := ""
	if f.Unmanaged {
		owner = " (not managed by orgbaseline)"
	}
	typ := f.typeName()
	switch f.Kind {
	case GuardNotAllowed:
		return fmt.Sprintf("no %s attached at %s (%s) allows %s (every level from the root to the account must allow a call)", typ, f.Level, strings.Join(f.Attached, ", "), what)
	case GuardUnknown:
		if f.resourceUnknown() {
			return fmt.Sprintf("%s %q%s %s, attached at %s, may deny %s: whether it does depends on the id AWS generates in the resource's ARN (its *), which the lockout guard cannot know", typ, f.Policy, owner, f.Statement, f.Level, what)
		}
		return fmt.Sprintf("%s %q%s %s, attached at %s, may deny %s: whether it does depends on %s, which the lockout guard cannot know", typ, f.Policy, owner, f.Statement, f.Level, what, strings.Join(f.Keys, ", "))
	}
	keys := ""
	if len(f.Keys) > 0 {
		keys = fmt.Sprintf(" (its conditions on %s hold)", strings.Join(f.Keys, ", "))
	}
	return fmt.Sprintf("%s %q%s %s, attached at %s, denies %s%s", typ, f.Policy, owner, f.Statement, f.Level, what, keys)
}

// resourceUnknown reports a refusal undecided by an id AWS generates in
// the resource, rather than by a condition key.
func (f *GuardRefusal) resourceUnknown() bool {
	return f.Kind == GuardUnknown && len(f.Keys) == 1 && f.Keys[0] == iampolicy.ResourceKey
}

// groupKey is what refusals listed under one header share.
func (f *GuardRefusal) groupKey() string {
	return strings.Join([]string{string(f.Kind), f.Policy, f.Statement, f.Level, strings.Join(f.Keys, ","), f.Plugin, fmt.Sprint(f.AsRoot), f.Caller.key()}, "\x00")
}

// call is the call refused and where: the action on the resource, in
// the first few accounts, and the regions.
func (f *GuardRefusal) call() string {
	s := fmt.Sprintf("%s on %s in %s %s (%s %s)", f.Action, f.Resource, plural(len(f.Accounts), "account", "accounts"), listSome(f.Accounts, 3),
		plural(len(f.Regions), "region", "regions"), strings.Join(f.Regions, ", "))
	if f.Caller != nil {
		s += ", by " + f.Caller.String()
	}
	return s
}

// hint says how to fix the refusal.
func (f *GuardRefusal) hint() string {
	if f.Caller != nil {
		return f.rcpHint()
	}
	exempt := fmt.Sprintf("e.g. with a Condition ArnNotLike aws:PrincipalArn %s%s", f.ARNPrefix, f.Role)
	if f.AsRoot {
		// A root session is the member's root user: no role to exempt.
		// AWS sets aws:AssumedRoot only in root sessions (IAM user guide,
		// "AWS global condition context keys").
		exempt = `e.g. with a Condition "BoolIfExists": {"aws:AssumedRoot": "false"} on the statement, which then still denies the root user signing in but not the management account's root sessions`
		switch f.Kind {
		case GuardNotAllowed:
			return "Add an Allow for the actions to a policy attached there, or keep FullAWSAccess attached"
		case GuardUnknown:
			key := "the key"
			if len(f.Keys) > 0 {
				key = f.Keys[0]
			}
			return fmt.Sprintf("State the value the run's requests carry under organization.guardContext (e.g. %s: <value>), or exempt root sessions, %s", key, exempt)
		}
		return "Exempt root sessions, " + exempt
	}
	switch f.Kind {
	case GuardNotAllowed:
		return "Add an Allow for the actions to a policy attached there, or keep FullAWSAccess attached"
	case GuardUnknown:
		if f.resourceUnknown() {
			return "Write the statement's Resource so that it covers every id there (e.g. config-rule/*) or none, or exempt the role, " + exempt
		}
		key := "the key"
		if len(f.Keys) > 0 {
			key = f.Keys[0]
		}
		if k := strings.ToLower(key); k == "aws:userid" || strings.HasPrefix(k, "aws:principaltag/") {
			// The guard's own keys, unknown only where it could not read
			// the role: guardContext cannot state them.
			return "The lockout guard could not read the execution role there (iam:GetRole on the role itself, which it calls when an SCP names aws:userid or aws:PrincipalTag): allow that call, or exempt the role, " + exempt
		}
		return fmt.Sprintf("State the value the run's requests carry under organization.guardContext (e.g. %s: <value>), or exempt the role, %s", key, exempt)
	}
	return "Exempt the role, " + exempt
}

func plural(n int, one, many string) string {
	if n == 1 {
		return one
	}
	return many
}

// listSome is the first n of vs and how many more.
func listSome(vs []string, n int) string {
	if len(vs) <= n {
		return strings.Join(vs, ", ")
	}
	return fmt.Sprintf("%s and %d more", strings.Join(vs[:n], ", "), len(vs)-n)
}

// guardFindings groups refusals: one per kind, policy, statement, action,
// modelled resource, deciding keys and plugin, with the accounts and
// regions where it happens.
type guardFindings struct {
	byKey map[string]*GuardRefusal
	list  []*GuardRefusal
	seen  map[*GuardRefusal]map[string]bool
}

func (g *guardFindings) add(f *GuardRefusal) {
	if g.byKey == nil {
		g.byKey, g.seen = map[string]*GuardRefusal{}, map[*GuardRefusal]map[string]bool{}
	}
	key := strings.Join([]string{string(f.Kind), f.Policy, f.Statement, f.Action, f.resourceModel, strings.Join(f.Keys, ","), f.Plugin, f.levelKey(), fmt.Sprint(f.AsRoot), f.Caller.key()}, "\x00")
	have := g.byKey[key]
	if have == nil {
		have = f
		g.byKey[key] = f
		g.seen[f] = map[string]bool{}
		g.list = append(g.list, f)
	}
	if have != f {
		have.Places = append(have.Places, f.Places...)
	}
	if !g.seen[have]["a"+f.Account] {
		g.seen[have]["a"+f.Account] = true
		have.Accounts = append(have.Accounts, f.Account)
	}
	if !g.seen[have]["r"+f.Region] {
		g.seen[have]["r"+f.Region] = true
		have.Regions = append(have.Regions, f.Region)
		slices.Sort(have.Regions)
	}
}

// levelKey keeps implicit denies apart per level (each names what is
// attached there).
func (f *GuardRefusal) levelKey() string {
	if f.Kind == GuardNotAllowed {
		return f.Level
	}
	return ""
}

// LockoutError is the guard's refusal of a plan or a change: every call the
// SCPs in force after it would deny the execution role, or (Type "RCP")
// every request the RCPs in force after it would deny on a resource of a
// member account: orgbaseline's sts:AssumeRole, the execution role's
// calls, the deliveries of the services it configures.
type LockoutError struct {
	Role, After string
	Type        string // "SCP" (also when "") or "RCP"
	Refusals    []*GuardRefusal
}

func (e *LockoutError) Error() string {
	var b strings.Builder
	if e.Type == "RCP" {
		fmt.Fprintf(&b, "lockout guard: the RCPs in force after %s would deny requests to resources in member accounts that orgbaseline, its execution role %s and the services it configures make:", e.After, e.Role)
		e.paragraphs(&b)
		return b.String()
	}
	role, root := false, false
	for _, f := range e.Refusals {
		role, root = role || !f.AsRoot, root || f.AsRoot
	}
	who := "as the execution role " + e.Role
	switch {
	case root && role:
		who += " and in root sessions (sts:AssumeRoot, controls.rootAccess)"
	case root:
		who = "in root sessions (sts:AssumeRoot, controls.rootAccess), as each member account's root user"
	}
	fmt.Fprintf(&b, "lockout guard: the SCPs in force after %s would deny calls orgbaseline makes %s:", e.After, who)
	e.paragraphs(&b)
	return b.String()
}

// paragraphs writes one paragraph per deciding statement (or level), its
// calls below it and how to fix it once.
func (e *LockoutError) paragraphs(b *strings.Builder) {
	var order []string
	groups := map[string][]*GuardRefusal{}
	for _, f := range e.Refusals {
		k := f.groupKey()
		if groups[k] == nil {
			order = append(order, k)
		}
		groups[k] = append(groups[k], f)
	}
	for _, k := range order {
		fs := groups[k]
		what := plural(len(fs), "this call", fmt.Sprintf("these %d calls", len(fs)))
		if fs[0].AsRoot {
			what += plural(len(fs), " of a root session", " of root sessions")
		}
		if fs[0].Caller != nil {
			what = plural(len(fs), "this request", fmt.Sprintf("these %d requests", len(fs)))
		}
		fmt.Fprintf(b, "\n%s:", fs[0].header(what))
		for _, f := range fs {
			b.WriteString("\n  - ")
			b.WriteString(f.call())
		}
		b.WriteString("\n  ")
		b.WriteString(fs[0].hint())
	}
}
