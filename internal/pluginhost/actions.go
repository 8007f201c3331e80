package pluginhost

import (
	"fmt"
	"slices"
	"strings"

	"github.com/orgbaseline/orgbaseline/baseline"
)

// The person who pinned a plugin's checksum approves its IAM actions in the
// same entry (Spec.Actions): a plugin that declares any other action, or a
// write action its entry does not allow, is refused right after it
// describes itself, before it runs in any account. The refusal shows what
// it declared and what was approved, so the fix is a review and a paste.

// ActionsRefusedError is a plugin refused for the IAM actions it declares.
type ActionsRefusedError struct {
	Plugin   string
	Path     string
	Declared []string // as the plugin declared them, sorted, without duplicates
	Approved []string // the entry's actions: list; nil when it has none
	// NotApproved are the declared actions the entry does not list; Writes
	// the declared write actions the entry does not allow.
	NotApproved, Writes []string
}

func (e *ActionsRefusedError) Error() string {
	switch {
	case e.Approved == nil:
		writes := ""
		if w := baseline.WriteActions(e.Declared); len(w) > 0 {
			writes = fmt.Sprintf("\n%s are write actions (not IAM access level List or Read): the entry must also say allowWriteActions: true, and `check` will then change your accounts", actionList(w))
		}
		return fmt.Sprintf("plugin %s (%s) was not run: its plugins: entry approves no IAM actions (it has no actions: list), and the plugin declares %s; "+
			"once you have reviewed what they allow, add this line to its entry, beside sha256:\n    actions: %s%s",
			e.Plugin, e.Path, countActions(e.Declared), actionList(e.Declared), writes)
	case len(e.NotApproved) > 0:
		return fmt.Sprintf("plugin %s (%s) was not run: it declares IAM actions its plugins: entry does not approve\n"+
			"  declared:     %s\n  approved:     %s\n  not approved: %s\n"+
			"if the plugin was upgraded on purpose and needs them, review them and pin the new list (actions: %s); otherwise find out why the plugin asks for more",
			e.Plugin, e.Path, actionList(e.Declared), actionList(e.Approved), actionList(e.NotApproved), actionList(e.Declared))
	default:
		return fmt.Sprintf("plugin %s (%s) was not run: it declares write actions %s (not IAM access level List or Read), and `check` changes nothing; "+
			"remove them from the plugin, or, if it must change your accounts, say allowWriteActions: true in its entry (plan and check then warn about it)",
			e.Plugin, e.Path, actionList(e.Writes))
	}
}

// approve checks declared against the actions s approves: every one
// listed (IAM matches actions case-insensitively, so does this), and none
// a write unless s allows write actions. nil when the plugin may run.
func (s Spec) approve(declared []string) error {
	e := &ActionsRefusedError{Plugin: s.Name, Path: s.Path, Declared: sortedActions(declared), Approved: s.Actions}
	if s.Actions == nil {
		return e
	}
	approved := map[string]bool{}
	for _, a := range s.Actions {
		approved[strings.ToLower(a)] = true
	}
	for _, a := range e.Declared {
		if !approved[strings.ToLower(a)] {
			e.NotApproved = append(e.NotApproved, a)
		}
	}
	if len(e.NotApproved) > 0 {
		return e
	}
	if !s.AllowWriteActions {
		if e.Writes = baseline.WriteActions(e.Declared); len(e.Writes) > 0 {
			return e
		}
	}
	return nil
}

// sortedActions is as sorted, without duplicates (in any case).
func sortedActions(as []string) []string {
	out := slices.Clone(as)
	slices.SortFunc(out, func(a, b string) int { return strings.Compare(strings.ToLower(a), strings.ToLower(b)) })
	return slices.CompactFunc(out, strings.EqualFold)
}

// maxListedActions bounds the actions a message lists: a session policy
// holds far fewer (2,048 characters), and a plugin's description must not
// flood the terminal.
const maxListedActions = 40

// actionList writes actions as a YAML flow sequence, ready to paste; a
// long list or action is cut with a marker.
func actionList(as []string) string {
	var parts []string
	for i, a := range as {
		if i == maxListedActions {
			parts = append(parts, fmt.Sprintf("... %d more", len(as)-i))
			break
		}
		parts = append(parts, quoteAction(a))
	}
	return "[" + strings.Join(parts, ", ") + "]"
}

func countActions(as []string) string {
	switch len(as) {
	case 0:
		return "no actions"
	case 1:
		return "1 action"
	}
	return fmt.Sprintf("%d actions", len(as))
}

// quoteAction is a, plain when it is an exact action (as YAML reads it),
// else quoted and cut to 64 characters.
func quoteAction(a string) string {
	if baseline.ValidIAMAction(a) && len(a) <= 128 {
		return a
	}
	const max = 64
	if len(a) > max {
		return fmt.Sprintf("%q...", a[:max])
	}
	return fmt.Sprintf("%q", a)
}
