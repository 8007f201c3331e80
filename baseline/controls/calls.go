package controls

import (
	"slices"
	"strings"
)

// The call model: every call orgbaseline makes in an account an SCP can
// restrict, described as data. One description serves three readers: the
// SCP lockout guard (which evaluates each call with the request context
// AWS would build for it), the execution-role policy `orgbaseline
// permissions` prints, and the README's permissions section.
//
// A call names its action, the resource AWS authorizes it on (the ARN the
// Service Authorization Reference gives for the action, "*" for an action
// without resource-level permissions), the account and regions it is made
// in, and the service-specific condition keys its request carries. The
// placeholders {account} and {region} in Resource stand for the account
// and region the call is made in; a policy written for every account
// replaces them with *.

// CallAccount says in which account a call is made.
type CallAccount int

const (
	// InEachAccount: in every member account the control works on (an
	// account or regional control), as the execution role.
	InEachAccount CallAccount = iota
	// InAccount: in the one account Call.Account names (the log archive,
	// the audit account, a delegated administrator), as the execution
	// role, whether or not the run targets it.
	InAccount
)

// CallRegion says in which regions a call is made.
type CallRegion int

const (
	// InEachRegion: in every governed region.
	InEachRegion CallRegion = iota
	// InHomeRegion: in organization.homeRegion only.
	InHomeRegion
)

// Call is one call orgbaseline makes as the execution role (or a plugin's
// session) in a member account.
type Call struct {
	// Control is the control (or "assumeRole", or "plugin:<name>") that
	// makes the call.
	Control string
	// Action is the IAM action AWS authorizes, e.g. "s3:CreateBucket".
	Action string
	// Resource is the ARN AWS authorizes the action on, with {account}
	// and {region} placeholders; "*" when the action has no
	// resource-level permissions.
	Resource string
	Where    CallAccount
	// Account is the account's id when Where is InAccount.
	Account string
	Regions CallRegion
	// Context holds the service-specific condition keys the request
	// carries, lower-cased (e.g. "iam:passedtoservice"), each with its
	// value(s). The global keys (aws:...) are the guard's to set.
	Context map[string][]string
	// Plugin is the plugin's name for a plugin's declared call: made with
	// the plugin's own session (orgbaseline-plugin-<name>-<run>), on
	// resources the guard cannot know ("*"). An SCP that denies it is a
	// warning, not a refusal.
	Plugin string
}

// ResourceIn is the call's resource in account and region.
func (c Call) ResourceIn(account, region string) string {
	r := strings.ReplaceAll(c.Resource, "{account}", account)
	return strings.ReplaceAll(r, "{region}", region)
}

// Caller is a control that describes its calls. o carries the
// organization's aliases resolved, its home region, governed regions,
// execution role and partition (Org.ARN builds ARNs in it).
type Caller interface {
	Calls(o *Org) []Call
}

// CallsOf collects the calls of every control that describes them.
func CallsOf(cs []Control, o *Org) []Call {
	var out []Call
	for _, c := range cs {
		if m, ok := c.(Caller); ok {
			out = append(out, m.Calls(o)...)
		}
	}
	return out
}

// callActions lists the actions of calls, sorted, without duplicates.
func callActions(calls []Call) []string {
	var out []string
	for _, c := range calls {
		out = append(out, c.Action)
	}
	slices.Sort(out)
	return slices.Compact(out)
}
