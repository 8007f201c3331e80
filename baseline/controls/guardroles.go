package controls

import (
	"context"
	"maps"
	"strings"
	"sync"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/iam"
	"golang.org/x/sync/errgroup"

	"github.com/orgbaseline/orgbaseline/internal/iampolicy"
)

// The execution role as the lockout guard needs it: its unique id (in
// aws:userid, "role-id:session-name") and its tags (aws:PrincipalTag/<k>),
// read with iam:GetRole in each guarded account once per run, and only
// when a policy the guard evaluates names one of those keys. An account
// where the role cannot be read keeps both keys unknown: a Deny that
// depends on them there refuses the plan.

// guardRoleConcurrency bounds the GetRole calls in flight.
const guardRoleConcurrency = 16

// needsRoles reports whether a policy observed or declared names
// aws:userid or an aws:PrincipalTag key.
func (c *OrganizationPolicies) needsRoles(st *policyState) bool {
	var ps []*iampolicy.Policy
	for _, o := range st.Policies {
		if o.parsed != nil {
			ps = append(ps, o.parsed)
		}
	}
	for i := range c.policies {
		if c.policies[i].parsed != nil {
			ps = append(ps, c.policies[i].parsed)
		}
	}
	for k := range namedKeys(ps) {
		if k == "aws:userid" || strings.HasPrefix(k, "aws:principaltag/") {
			return true
		}
	}
	return false
}

// readRoles reads the execution role in every guarded account, when a
// policy needs it, and keeps what it read for the guard.
func (c *OrganizationPolicies) readRoles(ctx context.Context, t Target, st *policyState) {
	if !c.kind.Authorization || t.Org == nil || t.Org.Sessions == nil || !c.needsRoles(st) {
		return
	}
	accounts := map[string]bool{}
	for _, a := range guardedAccounts(t.Org) {
		accounts[a.ID] = true
	}
	for _, call := range c.calls(t.Org) {
		if call.Where == InAccount && call.Account != "" && call.Account != t.Org.ManagementAccountID {
			accounts[call.Account] = true
		}
	}
	read := map[string]*guardRole{}
	var mu sync.Mutex
	g, gctx := errgroup.WithContext(ctx)
	g.SetLimit(guardRoleConcurrency)
	for id := range accounts {
		g.Go(func() error {
			role := c.readRole(gctx, t, id)
			if role != nil {
				mu.Lock()
				read[id] = role
				mu.Unlock()
			}
			return nil
		})
	}
	_ = g.Wait()
	c.rolesMu.Lock()
	c.roles = read
	c.rolesMu.Unlock()
}

// readRole reads the execution role in account; nil when it cannot.
func (c *OrganizationPolicies) readRole(ctx context.Context, t Target, account string) *guardRole {
	cfg, err := t.Org.Sessions.Config(ctx, account, t.Org.HomeRegion)
	if err != nil {
		return nil
	}
	out, err := iam.NewFromConfig(cfg).GetRole(ctx, &iam.GetRoleInput{RoleName: aws.String(t.Org.ExecutionRole)})
	if err != nil || out.Role == nil {
		return nil
	}
	r := &guardRole{ID: aws.ToString(out.Role.RoleId), Tags: map[string]string{}}
	for _, tag := range out.Role.Tags {
		r.Tags[aws.ToString(tag.Key)] = aws.ToString(tag.Value)
	}
	return r
}

// roleFacts are the roles read, for one guard run.
func (c *OrganizationPolicies) roleFacts() map[string]*guardRole {
	c.rolesMu.Lock()
	defer c.rolesMu.Unlock()
	return maps.Clone(c.roles)
}
