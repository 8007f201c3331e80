package pluginhost

import (
	"encoding/json"
	"fmt"
	"slices"

	"github.com/orgbaseline/orgbaseline/baseline"
)

// MaxSessionPolicyLength is AssumeRole's limit on an inline session policy
// (plain text, whitespace included).
const MaxSessionPolicyLength = 2048

// checkAction says what is wrong with an action, "" when nothing: it
// must be exact (baseline.ValidIAMAction: a service prefix and an action
// name, without wildcards), so a plugin gets what it names and nothing it
// happens to match.
func checkAction(a string) string {
	if baseline.ValidIAMAction(a) {
		return ""
	}
	return fmt.Sprintf("action %s is not of the form service:Action (e.g. iam:ListUsers, no wildcards)", quoteAction(a))
}

type policyDoc struct {
	Version   string
	Statement []policyStatement
}

type policyStatement struct {
	Effect   string
	Action   []string
	Resource string
}

// SessionPolicy returns the inline session policy that allows exactly
// actions (on every resource) and nothing else; duplicates are dropped and
// the actions sorted, so the same set always yields the same policy (and
// the same cached credentials). With no actions it denies everything.
// It fails on an action that is not service:Action and on a policy longer
// than AssumeRole's 2,048 characters.
func SessionPolicy(actions []string) (string, error) {
	acts := slices.Clone(actions)
	slices.Sort(acts)
	acts = slices.Compact(acts)
	for _, a := range acts {
		if msg := checkAction(a); msg != "" {
			return "", fmt.Errorf("%s", msg)
		}
	}
	st := policyStatement{Effect: "Allow", Action: acts, Resource: "*"}
	if len(acts) == 0 {
		st = policyStatement{Effect: "Deny", Action: []string{"*"}, Resource: "*"}
	}
	js, err := json.Marshal(policyDoc{Version: "2012-10-17", Statement: []policyStatement{st}})
	if err != nil {
		return "", err
	}
	if len(js) > MaxSessionPolicyLength {
		return "", fmt.Errorf("the session policy for its %d actions is %d characters, over AssumeRole's %d-character limit; the plugin must declare fewer actions",
			len(acts), len(js), MaxSessionPolicyLength)
	}
	return string(js), nil
}
