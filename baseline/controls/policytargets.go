package controls

import (
	"fmt"
	"sort"

	"github.com/orgbaseline/orgbaseline/baseline"
)

// scpTarget is a root, OU or account an SCP can be attached to.
type policyTarget struct {
	ID string
	// Label names it in resources and messages: root, ou:/Path,
	// account:<id>.
	Label string
}

// scpTargetLabel names a target id for people.
func scpTargetLabel(org *Org, id string) string {
	switch {
	case id == org.RootID:
		return "root"
	case org.OUs[id] != nil:
		return "ou:" + org.OUs[id].Path
	case org.Account(id) != nil:
		return "account:" + id
	}
	return id
}

// scpAccountLabel is "name (id)".
func scpAccountLabel(org *Org, id string) string {
	if a := org.Account(id); a != nil {
		return a.Label()
	}
	return id
}

// resolveSCPTargets turns a policy's selectors into targets, or errors naming
// the policy and the selector.
func resolveSCPTargets(org *Org, k *policyKind, p *declaredPolicy) ([]policyTarget, []error) {
	var out []policyTarget
	var errs []error
	seen := map[string]bool{}
	add := func(id string) {
		if !seen[id] {
			seen[id] = true
			out = append(out, policyTarget{ID: id, Label: scpTargetLabel(org, id)})
		}
	}
	for _, s := range p.targets {
		switch s.Kind {
		case baseline.SelectRoot:
			add(org.RootID)
		case baseline.SelectOUPath:
			found := ""
			for id, ou := range org.OUs {
				if ou.Path == s.Value {
					found = id
				}
			}
			if found == "" {
				errs = append(errs, fmt.Errorf("%s%s %q: target %q: no OU at path %s in organization %s%s; check the path (OU names are case-sensitive)", writtenAt(s), k.Short, p.name, s.Raw, s.Value, org.ID, baseline.DidYouMean(s.Value, org.OUPaths())))
				continue
			}
			add(found)
		case baseline.SelectOUID:
			if org.OUs[s.Value] == nil {
				errs = append(errs, fmt.Errorf("%s%s %q: target %q: no OU with id %s in organization %s", writtenAt(s), k.Short, p.name, s.Raw, s.Value, org.ID))
				continue
			}
			add(s.Value)
		case baseline.SelectAccountID, baseline.SelectAccountName:
			a, err := org.ResolveAccount(s.Value)
			if err != nil {
				errs = append(errs, fmt.Errorf("%s%s %q: target %q: %w", writtenAt(s), k.Short, p.name, s.Raw, err))
				continue
			}
			add(a.ID)
		default:
			errs = append(errs, fmt.Errorf("%s%s %q: target %q: %s is attached to the root, an OU or an account; use root, ou:/Path, ou:<id> or account:<id or name>", writtenAt(s), k.Short, p.name, s.Raw, k.One))
		}
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Label < out[j].Label })
	return out, errs
}

// writtenAt is "file:line:col: " where a target was written, "" when unknown.
func writtenAt(s baseline.Selector) string {
	if p := s.Pos.String(); p != "" {
		return p + ": "
	}
	return ""
}

// scpAllTargets are every root, OU and account of the organization: where
// AWS attaches FullAWSAccess when the SCP type is enabled.
func scpAllTargets(org *Org) []string {
	ids := []string{org.RootID}
	for id := range org.OUs {
		ids = append(ids, id)
	}
	for _, a := range org.Accounts {
		ids = append(ids, a.ID)
	}
	sort.Strings(ids)
	return ids
}
