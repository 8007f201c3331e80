package orgwalk

import (
	"fmt"
	"sort"
	"strings"

	"github.com/orgbaseline/orgbaseline/baseline"
)

// Selection is the outcome of resolving a baseline's targets.
type Selection struct {
	// Targets are the ACTIVE accounts selected, in the Org's order.
	Targets []*Account
	// Skipped are accounts a selector matched but that are not worked on,
	// with the reason (not ACTIVE; the management account without
	// includeManagementAccount).
	Skipped []Skip
}

// Skip is an account left out of a run, and why.
type Skip struct {
	Account *Account
	Reason  string
}

// NeedsTags reports whether any selector matches on tags, so Discover must
// read them.
func NeedsTags(t baseline.Targets) bool {
	for _, s := range append(append([]baseline.Selector(nil), t.Include...), t.Exclude...) {
		if s.Kind == baseline.SelectTag {
			return true
		}
	}
	return false
}

// Select resolves targets against the organization. A selector naming an
// OU or account that does not exist is an error (with the selector's
// position), never a silent empty set. Include defaults to root.
func (o *Org) Select(t baseline.Targets) (*Selection, error) {
	var diags baseline.Diagnostics
	match := func(sels []baseline.Selector, include bool) map[string]bool {
		m := map[string]bool{}
		for _, s := range sels {
			ids, err := o.resolve(s, include)
			if err != nil {
				diags = append(diags, baseline.Diagnostic{Pos: s.Pos, Message: err.Error()})
				continue
			}
			for _, id := range ids {
				m[id] = true
			}
		}
		return m
	}
	include := t.Include
	if len(include) == 0 {
		include = []baseline.Selector{{Kind: baseline.SelectRoot, Raw: "root"}}
	}
	in := match(include, true)
	out := match(t.Exclude, false)
	if len(diags) > 0 {
		return nil, diags
	}
	sel := &Selection{}
	for _, a := range o.Accounts {
		if !in[a.ID] || out[a.ID] {
			continue
		}
		switch {
		case a.Management && !t.IncludeManagementAccount:
			sel.Skipped = append(sel.Skipped, Skip{a, "management account (set targets.includeManagementAccount: true to target it)"})
		case a.State != "ACTIVE":
			sel.Skipped = append(sel.Skipped, Skip{a, "account state is " + a.State + ", not ACTIVE"})
		default:
			sel.Targets = append(sel.Targets, a)
		}
	}
	return sel, nil
}

// resolve returns the ids of the accounts one selector matches, or an
// error when it names an OU or account the organization does not have.
//
// A tag selector of include (not of exclude, which may guard against
// tags still to come) that matches no account is an error too.
func (o *Org) resolve(s baseline.Selector, include bool) ([]string, error) {
	switch s.Kind {
	case baseline.SelectRoot, baseline.SelectTag:
	case baseline.SelectOUPath:
		if path := strings.TrimSuffix(s.Value, "/"); path != "" && o.ouByPath(path) == nil {
			return nil, fmt.Errorf("selector %q: no OU at path %s%s; the organization has %s", s.Raw, path, baseline.DidYouMean(path, o.OUPaths()), o.ouPaths())
		}
	case baseline.SelectOUID:
		if o.OUs[s.Value] == nil {
			return nil, fmt.Errorf("selector %q: no OU with id %s in organization %s", s.Raw, s.Value, o.ID)
		}
	case baseline.SelectAccountID:
		if o.byID[s.Value] == nil {
			return nil, fmt.Errorf("selector %q: no account %s in organization %s%s", s.Raw, s.Value, o.ID, o.didYouMean(s))
		}
	case baseline.SelectAccountName:
	default:
		return nil, fmt.Errorf("selector %q: unknown kind", s.Raw)
	}
	var ids []string
	for _, a := range o.Accounts {
		if matches(s, a) {
			ids = append(ids, a.ID)
		}
	}
	if s.Kind == baseline.SelectAccountName && len(ids) == 0 {
		return nil, fmt.Errorf("selector %q: no account named %q in organization %s (names are case-sensitive)%s", s.Raw, s.Value, o.ID, o.didYouMean(s))
	}
	if s.Kind == baseline.SelectTag && len(ids) == 0 && include {
		return nil, fmt.Errorf("selector %q matches no account of organization %s%s", s.Raw, o.ID, o.didYouMean(s))
	}
	return ids, nil
}

// Matches reports whether one selector matches one account, as Select
// and Targeted match it (for a control's own selectors, such as
// controls.rootAccess.exclude).
func Matches(s baseline.Selector, a *Account) bool { return matches(s, a) }

// matches reports whether one selector matches one account.
func matches(s baseline.Selector, a *Account) bool {
	switch s.Kind {
	case baseline.SelectRoot:
		return true
	case baseline.SelectOUPath:
		path := strings.TrimSuffix(s.Value, "/")
		return path == "" || a.OUPath == path || strings.HasPrefix(a.OUPath, path+"/")
	case baseline.SelectOUID:
		return contains(a.Ancestors, s.Value)
	case baseline.SelectAccountID:
		return a.ID == s.Value
	case baseline.SelectAccountName:
		return a.Name == s.Value
	case baseline.SelectTag:
		v, ok := a.Tags[s.TagKey]
		return ok && (!s.HasTagValue || v == s.TagValue)
	}
	return false
}

// Targeted decides for one account what Select decides for the whole
// organization: whether targets select it to be worked on (matched, not
// excluded, ACTIVE, and not the management account unless it is
// included). It lets a run start on the accounts Walk finds before the
// walk ends. It does not check that the selectors name OUs and accounts
// the organization has: Select does, once the walk is done, and its
// answer is the one that counts.
func Targeted(t baseline.Targets, a *Account) bool {
	include := t.Include
	if len(include) == 0 {
		include = []baseline.Selector{{Kind: baseline.SelectRoot, Raw: "root"}}
	}
	in := false
	for _, s := range include {
		if matches(s, a) {
			in = true
			break
		}
	}
	if !in {
		return false
	}
	for _, s := range t.Exclude {
		if matches(s, a) {
			return false
		}
	}
	return a.State == "ACTIVE" && (!a.Management || t.IncludeManagementAccount)
}

// ResolveAccount finds an account by 12-digit id or by name (for the
// aliases of organization.accounts).
func (o *Org) ResolveAccount(ref string) (*Account, error) {
	if a := o.byID[ref]; a != nil {
		return a, nil
	}
	var found []*Account
	for _, a := range o.Accounts {
		if a.Name == ref {
			found = append(found, a)
		}
	}
	switch len(found) {
	case 1:
		return found[0], nil
	case 0:
		return nil, fmt.Errorf("no account with id or name %q in organization %s%s", ref, o.ID, baseline.DidYouMean(ref, o.accountRefs()))
	default:
		return nil, fmt.Errorf("%d accounts are named %q in organization %s; refer to it by id", len(found), ref, o.ID)
	}
}

// accountRefs are the names and ids an account can be referred to by,
// for a "did you mean".
func (o *Org) accountRefs() []string {
	refs := make([]string, 0, 2*len(o.Accounts))
	for _, a := range o.Accounts {
		refs = append(refs, a.Name, a.ID)
	}
	return refs
}

// OUPaths are the paths of the organization's OUs, for a "did you mean".
func (o *Org) OUPaths() []string {
	ps := make([]string, 0, len(o.OUs))
	for _, ou := range o.OUs {
		ps = append(ps, ou.Path)
	}
	return ps
}

func (o *Org) ouByPath(path string) *OU {
	for _, ou := range o.OUs {
		if ou.Path == path {
			return ou
		}
	}
	return nil
}

func (o *Org) ouPaths() string {
	var ps []string
	for _, ou := range o.OUs {
		ps = append(ps, ou.Path)
	}
	if len(ps) == 0 {
		return "no OUs"
	}
	sort.Strings(ps)
	if len(ps) > 12 {
		ps = append(ps[:12], "...")
	}
	return strings.Join(ps, ", ")
}

func contains(xs []string, x string) bool {
	for _, v := range xs {
		if v == x {
			return true
		}
	}
	return false
}
