package baseline

import (
	"fmt"
	"strings"

	"gopkg.in/yaml.v3"
)

// ReplacedPolicies records a policy list a later file replaced when files
// merged: lists replace lists (mergeNodes), so a baseline that extends two
// guardrail profiles, or one and its own list, keeps only the last list of
// each policy type. Nothing is lost silently: the control of the type
// says which policies were dropped (controls.OrganizationPolicies.Notes).
type ReplacedPolicies struct {
	// Key is the control's key, e.g. serviceControlPolicies.
	Key string
	// From and By name the files whose lists were replaced and replaced
	// it ("profile deny-root-user", "baseline.yaml").
	From, By string
	// Dropped are the names of From's policies By's list does not have.
	Dropped []string
}

func (r ReplacedPolicies) String() string {
	names := make([]string, len(r.Dropped))
	for i, n := range r.Dropped {
		names[i] = quote(n) // written in a file: quoted, control characters escaped
	}
	return fmt.Sprintf("controls.%s.policies of %s is replaced by the list of %s, which does not declare %s: lists replace lists when files merge; copy %s into %s's list to keep %s",
		r.Key, r.From, r.By, strings.Join(names, ", "), plural(len(r.Dropped), "it", "them"), r.By, plural(len(r.Dropped), "it", "them"))
}

func plural(n int, one, many string) string {
	if n == 1 {
		return one
	}
	return many
}

// replacedPolicies lists the policies a merge of over on base drops: for
// every policy type whose policies list both declare, the names of base's
// policies over's list does not have.
func replacedPolicies(files nodeFiles, base, over *yaml.Node) []ReplacedPolicies {
	var out []ReplacedPolicies
	for _, pt := range PolicyTypes {
		old := nodeAt(base, "controls", pt.Key, "policies")
		now := nodeAt(over, "controls", pt.Key, "policies")
		if old == nil || now == nil || old.Kind != yaml.SequenceNode || now.Kind != yaml.SequenceNode {
			continue
		}
		kept := map[string]bool{}
		for _, n := range policyNames(now) {
			kept[n] = true
		}
		var dropped []string
		for _, n := range policyNames(old) {
			if !kept[n] {
				dropped = append(dropped, n)
			}
		}
		if len(dropped) > 0 {
			out = append(out, ReplacedPolicies{Key: pt.Key, From: files[old], By: files[now], Dropped: dropped})
		}
	}
	return out
}

// nodeAt follows mapping keys from n; nil when one is missing.
func nodeAt(n *yaml.Node, keys ...string) *yaml.Node {
	for _, k := range keys {
		n = derefNode(n)
		if n == nil || n.Kind != yaml.MappingNode {
			return nil
		}
		var next *yaml.Node
		for i := 0; i+1 < len(n.Content); i += 2 {
			if n.Content[i].Value == k {
				next = n.Content[i+1]
			}
		}
		n = next
	}
	return derefNode(n)
}

// policyNames are the names of a policies list's items, in order.
func policyNames(list *yaml.Node) []string {
	var out []string
	for _, item := range list.Content {
		if name := nodeAt(item, "name"); name != nil && name.Kind == yaml.ScalarNode {
			out = append(out, name.Value)
		}
	}
	return out
}
