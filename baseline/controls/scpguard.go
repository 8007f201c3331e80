package controls

import (
	"errors"
	"fmt"
	"maps"
	"slices"
	"strings"

	"github.com/orgbaseline/orgbaseline/internal/awsapi"
	"github.com/orgbaseline/orgbaseline/internal/iampolicy"
)

// scpGlobalServices are the services whose calls carry aws:RequestedRegion
// of the partition's global-service region (us-east-1, cn-northwest-1,
// us-gov-west-1) whatever the caller's region (their endpoint is there);
// other actions are checked in every governed region.
var scpGlobalServices = map[string]bool{"iam": true, "organizations": true}

// scpGlobalRegion is where the run's partition serves its global services.
func scpGlobalRegion(org *Org) string {
	if r := awsapi.GlobalRegion(org.PartitionName()); r != "" {
		return r
	}
	return "us-east-1"
}

// guard evaluates, for every targeted member account, the SCPs in force
// after the plan (final) at each level from the root down to the account,
// against every guarded action called by the execution role. Every level
// must allow and none deny. All denials are reported at once, one line per
// policy, statement and action (or per level and action for an implicit
// deny), with a few of the accounts.
//
// At plan time the declared policies are evaluated with the baseline's
// documents (what the plan will write); guardAfter does the same at apply
// time with the documents in force.
func (c *ServiceControlPolicies) guard(org *Org, st *scpState, final scpAttachments) error {
	declared := map[string]*iampolicy.Policy{}
	for i := range c.policies {
		declared[c.policies[i].name] = c.policies[i].parsed
	}
	return c.lockoutGuard(org, st, final, declared, "this plan")
}

// lockoutGuard is the guard over the attachments final, each policy
// evaluated with its document in over when it is there, else with the
// one observed in st. A policy in force whose document cannot be
// evaluated (not read, or not valid) fails it. after names the state
// checked in the error ("this plan").
func (c *ServiceControlPolicies) lockoutGuard(org *Org, st *scpState, final scpAttachments, over map[string]*iampolicy.Policy, after string) error {
	inForce := map[string]bool{}
	for _, ps := range final {
		for n := range ps {
			inForce[n] = true
		}
	}
	parsed := map[string]*iampolicy.Policy{}
	var errs []error
	for _, o := range st.Policies {
		switch {
		case over[o.Name] != nil:
		case o.parsed != nil:
			parsed[o.Name] = o.parsed
		case !inForce[o.Name]:
		case o.parseErr != nil:
			errs = append(errs, fmt.Errorf("SCP %q (%s) cannot be evaluated by the lockout guard: %s", o.Name, o.ID, scpPolicyProblems(o.parseErr)))
		case o.Name != scpFullAWSAccess:
			errs = append(errs, fmt.Errorf("SCP %q (%s) cannot be evaluated by the lockout guard: its document was not read", o.Name, o.ID))
		}
	}
	if parsed[scpFullAWSAccess] == nil {
		parsed[scpFullAWSAccess] = iampolicy.MustParse(scpFullAWSAccessContent, iampolicy.KindSCP)
	}
	maps.Copy(parsed, over)
	if len(errs) > 0 {
		return errors.Join(errs...)
	}
	nameOf := map[*iampolicy.Policy]string{}
	for n, p := range parsed {
		nameOf[p] = n
	}
	levelPolicies := map[string][]*iampolicy.Policy{}
	policiesAt := func(level string) []*iampolicy.Policy {
		if ps, ok := levelPolicies[level]; ok {
			return ps
		}
		var ps []*iampolicy.Policy
		for _, n := range final.names(level) {
			if p := parsed[n]; p != nil {
				ps = append(ps, p)
			}
		}
		levelPolicies[level] = ps
		return ps
	}
	governed := org.Regions
	if len(governed) == 0 {
		governed = []string{org.HomeRegion}
	}

	// One denial per policy, statement and action (explicit), or per
	// level and action (implicit), with the accounts and regions hit.
	type denial struct {
		msg, hint string
		accounts  []string
		regions   map[string]bool
		evaluated int
		seen      map[string]bool
	}
	denials := map[string]*denial{}
	var order []string
	record := func(key, msg, hint, account, region string, evaluated int) {
		d := denials[key]
		if d == nil {
			d = &denial{msg: msg, hint: hint, regions: map[string]bool{}, seen: map[string]bool{}, evaluated: evaluated}
			denials[key] = d
			order = append(order, key)
		}
		d.regions[region] = true
		if !d.seen[account] {
			d.seen[account] = true
			d.accounts = append(d.accounts, account)
		}
	}
	role := org.ExecutionRole
	exempt := fmt.Sprintf("Exempt the role, e.g. with a Condition ArnNotLike aws:PrincipalArn %s", org.ARN("iam", "", "*", "role/"+role))
	global := scpGlobalRegion(org)
	for _, a := range org.Targets {
		if a.Management {
			continue // SCPs never restrict the management account
		}
		roleARN := org.ARN("iam", "", a.ID, "role/"+role)
		principal := iampolicy.Principal{ARN: org.ARN("sts", "", a.ID, "assumed-role/"+role+"/orgbaseline"), Account: a.ID, RoleARN: roleARN}
		levels := append(append([]string(nil), a.Ancestors...), a.ID)
		for _, action := range c.guarded {
			regions := governed
			if svc, _, _ := strings.Cut(action, ":"); scpGlobalServices[strings.ToLower(svc)] {
				regions = []string{global}
			}
			for _, region := range regions {
				req := &iampolicy.Request{Action: action, Resource: "*", Principal: principal, Context: map[string][]string{
					"aws:principalarn":     {roleARN},
					"aws:principalaccount": {a.ID},
					"aws:principalorgid":   {org.ID},
					"aws:principaltype":    {"AssumedRole"},
					"aws:requestedregion":  {region},
				}}
			levels:
				for _, level := range levels {
					r := iampolicy.EvaluateSet(policiesAt(level), req)
					switch r.Decision {
					case iampolicy.ExplicitDeny:
						name := nameOf[r.Policy]
						owner := ""
						if c.declared(name) == nil {
							owner = " (not managed by orgbaseline)"
						}
						record("deny|"+name+"|"+r.Statement.Name()+"|"+action,
							fmt.Sprintf("SCP %q%s %s would deny %s to the execution role", name, owner, scpStatementName(r.Statement), action),
							exempt, scpAccountLabel(org, a.ID)+" at "+scpTargetLabel(org, level), region, len(regions))
						break levels
					case iampolicy.ImplicitDeny:
						record("implicit|"+level+"|"+action,
							fmt.Sprintf("no SCP attached at %s (%s) would allow %s to the execution role (every level from the root to the account must allow it)",
								scpTargetLabel(org, level), strings.Join(final.names(level), ", "), action),
							"Add an Allow for the action to a policy attached there, or keep FullAWSAccess attached",
							scpAccountLabel(org, a.ID), region, len(regions))
						break levels
					}
				}
			}
		}
	}
	if len(order) == 0 {
		return nil
	}
	for _, key := range order {
		d := denials[key]
		const show = 3
		accts := d.accounts
		more := ""
		if len(accts) > show {
			more = fmt.Sprintf(" and %d more", len(accts)-show)
			accts = accts[:show]
		}
		where, which := "in account ", "that account"
		if len(d.accounts) > 1 {
			where, which = "in accounts ", "those accounts"
		}
		inRegions := ""
		if len(d.regions) < d.evaluated {
			inRegions = " in " + strings.Join(slices.Sorted(maps.Keys(d.regions)), ", ")
		}
		errs = append(errs, fmt.Errorf("%s%s %s%s%s; orgbaseline could no longer manage %s. %s",
			d.msg, inRegions, where, strings.Join(accts, ", "), more, which, d.hint))
	}
	return fmt.Errorf("lockout guard: the SCPs in force after %s would deny calls orgbaseline makes as the execution role %s:\n%w", after, role, errors.Join(errs...))
}

func (c *ServiceControlPolicies) declared(name string) *declaredSCP {
	for i := range c.policies {
		if c.policies[i].name == name {
			return &c.policies[i]
		}
	}
	return nil
}
