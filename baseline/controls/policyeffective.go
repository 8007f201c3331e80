package controls

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"maps"
	"reflect"
	"slices"
	"sort"
	"strings"
	"sync"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/organizations"
	"github.com/aws/aws-sdk-go-v2/service/organizations/types"
	"golang.org/x/sync/errgroup"

	"github.com/orgbaseline/orgbaseline/baseline"
	"github.com/orgbaseline/orgbaseline/internal/mgmtpolicy"
	"github.com/orgbaseline/orgbaseline/orgwalk"
)

// Effective policies. For the management policy types AWS merges the
// policies attached from the root down to an account into the account's
// effective policy ("Understanding management policy inheritance",
// Organizations user guide), and DescribeEffectivePolicy returns it. A
// policy attached where the baseline says can still not be in effect: a
// policy below it assigns another value, or an
// @@operators_allowed_for_child_policies above it forbids the operator.
// So the control reads the effective policy of every targeted account and
// checks each value the declared policies @@assign is there: drift the
// plan shows as a warning and findings report (<key>.effective).
//
// The merge is AWS's: the tool never computes it, it only looks for the
// declared values in what AWS returns. An effective policy is a function
// of the policies attached along the account's path, so accounts with the
// same policies at every level share one: the control reads one account
// per distinct path (a handful in most organizations) rather than every
// account.

// effectiveRead is one account's effective policy as read.
type effectiveRead struct {
	// Content is the effective policy's JSON, "" when no policy of the
	// type applies to the account.
	Content string
	// Err is why it could not be read.
	Err error
}

// effectiveAPI is the part of the Organizations client the effective
// policies need.
type effectiveAPI interface {
	DescribeEffectivePolicy(context.Context, *organizations.DescribeEffectivePolicyInput, ...func(*organizations.Options)) (*organizations.DescribeEffectivePolicyOutput, error)
}

// attachedIDs maps each target to the sorted ids of the policies of the
// type attached to it.
func (st *policyState) attachedIDs() map[string][]string {
	at := map[string][]string{}
	for _, o := range st.Policies {
		for _, id := range o.Targets {
			at[id] = append(at[id], o.ID)
		}
	}
	for _, ids := range at {
		sort.Strings(ids)
	}
	return at
}

// pathKey is the policies attached (at, from attachedIDs) at every level
// from the root to account a, as one string; "" when there are none.
func pathKey(at map[string][]string, a *orgwalk.Account) string {
	var parts []string
	any := false
	for _, lvl := range append(append([]string(nil), a.Ancestors...), a.ID) {
		ids := at[lvl]
		any = any || len(ids) > 0
		parts = append(parts, lvl+"="+strings.Join(ids, ","))
	}
	if !any {
		return ""
	}
	return strings.Join(parts, ";")
}

// readEffective reads the effective policy of every targeted account, one
// DescribeEffectivePolicy per distinct path. An account nothing of the
// type applies to has none (AWS answers EffectivePolicyNotFoundException;
// the control does not ask).
func (c *OrganizationPolicies) readEffective(ctx context.Context, api effectiveAPI, st *policyState, org *Org) error {
	if !c.kind.Effective || !st.enabled() || org == nil || len(c.policies) == 0 {
		return nil
	}
	st.Effective = map[string]*effectiveRead{}
	byPath := map[string][]*orgwalk.Account{}
	at := st.attachedIDs()
	for _, a := range org.Targets {
		k := pathKey(at, a)
		if k == "" {
			st.Effective[a.ID] = &effectiveRead{}
			continue
		}
		byPath[k] = append(byPath[k], a)
	}
	var mu sync.Mutex
	g, gctx := errgroup.WithContext(ctx)
	g.SetLimit(scpConcurrency)
	for _, accts := range byPath {
		g.Go(func() error {
			r := c.describeEffective(gctx, api, accts[0].ID)
			mu.Lock()
			defer mu.Unlock()
			for _, a := range accts {
				st.Effective[a.ID] = r
			}
			return gctx.Err()
		})
	}
	return g.Wait()
}

// describeEffective reads one account's effective policy of the type.
func (c *OrganizationPolicies) describeEffective(ctx context.Context, api effectiveAPI, account string) *effectiveRead {
	out, err := api.DescribeEffectivePolicy(ctx, &organizations.DescribeEffectivePolicyInput{
		PolicyType: types.EffectivePolicyType(c.kind.Type), TargetId: aws.String(account),
	})
	var none *types.EffectivePolicyNotFoundException
	switch {
	case errors.As(err, &none):
		return &effectiveRead{}
	case err != nil:
		return &effectiveRead{Err: fmt.Errorf("describe the effective %s of account %s: %w", c.kind.Short, account, err)}
	case out.EffectivePolicy == nil:
		return &effectiveRead{}
	}
	return &effectiveRead{Content: aws.ToString(out.EffectivePolicy.PolicyContent)}
}

// effectiveGap is one declared value missing from an account's effective
// policy.
type effectiveGap struct {
	Policy string
	Path   string
	Want   any
	// Got is the effective value; nil with Absent when the path is not
	// in the effective policy.
	Got    any
	Absent bool
}

func (g effectiveGap) String() string {
	want, _ := json.Marshal(g.Want)
	if g.Absent {
		return fmt.Sprintf("%s assigns %s = %s, absent from the effective policy", g.Policy, g.Path, want)
	}
	got, _ := json.Marshal(g.Got)
	return fmt.Sprintf("%s assigns %s = %s, the effective policy has %s", g.Policy, g.Path, want, got)
}

// effectiveGaps are, per covered targeted account, the values the declared
// policies covering it assign that its effective policy lacks; accounts
// whose effective policy could not be read are in unread.
func (c *OrganizationPolicies) effectiveGaps(org *Org, st *policyState) (gaps map[string][]effectiveGap, unread map[string]error) {
	gaps, unread = map[string][]effectiveGap{}, map[string]error{}
	if st.Effective == nil {
		return gaps, unread
	}
	for i := range c.policies {
		d := &c.policies[i]
		doc, err := mgmtpolicy.Parse(c.kind.Type, []byte(d.content))
		if err != nil {
			continue // refused when the control was built
		}
		targets, _ := resolveSCPTargets(org, c.kind, d)
		cover := map[string]bool{}
		for _, tg := range targets {
			cover[tg.ID] = true
		}
		// Accounts with the same policies along their path share one
		// read (readEffective): each read is searched once.
		memo := map[*effectiveRead][]effectiveGap{}
		for _, a := range org.Targets {
			if !coveredBy(a, cover) {
				continue
			}
			r := st.Effective[a.ID]
			switch {
			case r == nil:
				continue
			case r.Err != nil:
				unread[a.ID] = r.Err
				continue
			}
			gs, seen := memo[r]
			if !seen {
				gs = assignedGaps(d.name, doc, r.Content)
				memo[r] = gs
			}
			gaps[a.ID] = append(gaps[a.ID], gs...)
		}
	}
	return gaps, unread
}

// assignedGaps are the values doc (the policy named name) assigns that
// the effective policy content lacks.
func assignedGaps(name string, doc *mgmtpolicy.Document, content string) []effectiveGap {
	var out []effectiveGap
	for _, leaf := range doc.Assigned() {
		got, ok := mgmtpolicy.Lookup([]byte(content), leaf.Path)
		if ok && effectiveHas(got, leaf.Value) {
			continue
		}
		out = append(out, effectiveGap{Policy: name, Path: strings.Join(leaf.Path, "."), Want: leaf.Value, Got: got, Absent: !ok})
	}
	return out
}

// coveredBy reports whether a or a level above it is in cover.
func coveredBy(a *orgwalk.Account, cover map[string]bool) bool {
	for _, lvl := range append(append([]string(nil), a.Ancestors...), a.ID) {
		if cover[lvl] {
			return true
		}
	}
	return false
}

// effectiveHas reports whether the effective value got carries the
// assigned value want: equal, or for a list every assigned element
// present (a policy below may @@append to it).
func effectiveHas(got, want any) bool {
	wl, ok := want.([]string)
	if !ok {
		return reflect.DeepEqual(got, want)
	}
	gl, ok := got.([]string)
	if s, one := got.(string); one {
		gl, ok = []string{s}, true
	}
	if !ok {
		return false
	}
	for _, w := range wl {
		if !slices.Contains(gl, w) {
			return false
		}
	}
	return true
}

// warnEffective shows in the plan the declared values not in effect, one
// warning per policy and value, naming the accounts. It says nothing
// while the plan changes the type's policies: the effective policies will
// change with them, and the next plan checks.
func (c *OrganizationPolicies) warnEffective(t Target, st *policyState, planned bool) {
	if t.Warn == nil || planned || st.Effective == nil {
		return
	}
	gaps, unread := c.effectiveGaps(t.Org, st)
	byGap := map[string][]string{}
	for acct, gs := range gaps {
		for _, g := range gs {
			byGap[g.String()] = append(byGap[g.String()], acct)
		}
	}
	for _, msg := range slices.Sorted(maps.Keys(byGap)) {
		accts := byGap[msg]
		sort.Strings(accts)
		t.Warn(fmt.Sprintf("%s %s in %s: a policy attached below overrides it, or an @@operators_allowed_for_child_policies above forbids it; read the effective policy with `aws organizations describe-effective-policy --policy-type %s --target-id %s`",
			c.kind.Short, msg, listSome(labelsOf(t.Org, accts), 5), c.kind.Type, accts[0]))
	}
	for _, acct := range slices.Sorted(maps.Keys(unread)) {
		t.Warn(unread[acct].Error())
	}
}

// labelsOf names accounts for people.
func labelsOf(org *Org, ids []string) []string {
	out := make([]string, len(ids))
	for i, id := range ids {
		out[i] = scpAccountLabel(org, id)
	}
	return out
}

// effectiveFindings reports, per targeted account a declared policy
// covers, whether every value the declared policies assign is in its
// effective policy (<key>.effective).
func (c *OrganizationPolicies) effectiveFindings(org *Org, st *policyState, mk findingMaker) []baseline.Finding {
	if !c.kind.Effective || len(c.policies) == 0 {
		return nil
	}
	gaps, unread := c.effectiveGaps(org, st)
	cover := map[string]bool{}
	for i := range c.policies {
		ts, _ := resolveSCPTargets(org, c.kind, &c.policies[i])
		for _, tg := range ts {
			cover[tg.ID] = true
		}
	}
	mgmt := org.ManagementAccountID
	var out []baseline.Finding
	for _, a := range org.Targets {
		if !coveredBy(a, cover) {
			continue
		}
		status, msg := baseline.StatusPass, fmt.Sprintf("the values the baseline's %s assign are in the account's effective policy", c.kind.Plural)
		var evidence []string
		switch {
		case !st.enabled():
			status, msg = baseline.StatusFail, fmt.Sprintf("%s are not enabled in the organization", c.kind.Plural)
		case st.Effective == nil:
			status, msg = baseline.StatusError, "the effective policy was not read"
		case unread[a.ID] != nil:
			status, msg = baseline.StatusError, unread[a.ID].Error()
		case len(gaps[a.ID]) > 0:
			for _, g := range gaps[a.ID] {
				evidence = append(evidence, g.String())
			}
			status, msg = baseline.StatusFail, "not in effect: "+strings.Join(evidence, "; ")
		}
		f := mk(c.kind.Key+".effective", a.ID, a.Name, org.ARN("organizations", "", mgmt, "account/"+org.ID+"/"+a.ID),
			"The baseline's "+c.kind.Plural+" are in the account's effective policy", status, baseline.SeverityMedium, msg,
			"find the policy attached below the baseline's that overrides the value (describe-effective-policy, list-policies-for-target), remove it or let orgbaseline's policy allow it; then run `orgbaseline apply`")
		f.Evidence = map[string]any{"notInEffect": evidence}
		out = append(out, f)
	}
	return out
}
