package controls

import (
	"maps"
	"slices"
	"strconv"
	"strings"
	"unicode"
)

// RolePolicy is an IAM identity policy, with its members in the order
// IAM documents are written.
type RolePolicy struct {
	Version   string          `json:"Version"`
	Statement []RoleStatement `json:"Statement"`
}

// RoleStatement is one Allow statement of a RolePolicy.
type RoleStatement struct {
	Sid       string                         `json:"Sid"`
	Effect    string                         `json:"Effect"`
	Action    []string                       `json:"Action"`
	Resource  []string                       `json:"Resource"`
	Condition map[string]map[string][]string `json:"Condition,omitempty"`
}

// policyConditionKeys are the request keys the execution role's policy
// conditions on, with the case IAM documents them in: the role may pass
// roles and create service-linked roles only for the services the calls
// name (IAM user guide, "Grant a user permissions to pass a role to an
// AWS service" and "Service-linked role permissions"). The other keys a
// call carries (tags, a bucket's location) are not conditioned on: they
// follow the baseline, which may change.
var policyConditionKeys = map[string]string{
	"iam:passedtoservice": "iam:PassedToService",
	"iam:awsservicename":  "iam:AWSServiceName",
}

// ExecutionRolePolicy is the identity policy that allows every call of
// calls: each action on its resources, with {account} and {region} as *
// (the role is the same in every account), in one statement per service
// and set of resources and conditions, and one statement per plugin.
// Calls made in a root session (AsRoot) are left out: not the execution
// role's, they are allowed by the task policy of sts:AssumeRoot.
func ExecutionRolePolicy(calls []Call) RolePolicy {
	type grant struct {
		resources []string
		cond      map[string][]string // canonical key -> values
	}
	grants := map[string]*grant{} // plugin|action -> grant
	var keys []string
	for _, c := range calls {
		if c.AsRoot {
			// Made in a root session: the task policy AWS attaches to it
			// allows it, not the execution role.
			continue
		}
		k := c.Plugin + "|" + c.Action
		g := grants[k]
		if g == nil {
			g = &grant{cond: map[string][]string{}}
			grants[k] = g
			keys = append(keys, k)
		}
		g.resources = appendNew(g.resources, c.ResourceIn("*", "*"))
		for key, vs := range c.Context {
			if name, ok := policyConditionKeys[key]; ok {
				for _, v := range vs {
					g.cond[name] = appendNew(g.cond[name], v)
				}
			}
		}
	}
	// Actions with the same plugin, service, resources and conditions
	// share a statement.
	type group struct {
		plugin, service string
		actions         []string
		g               *grant
	}
	var groups []*group
	index := map[string]*group{}
	for _, k := range keys {
		plugin, action, _ := strings.Cut(k, "|")
		g := grants[k]
		slices.Sort(g.resources)
		for _, vs := range g.cond {
			slices.Sort(vs)
		}
		service, _, _ := strings.Cut(action, ":")
		id := plugin + "|" + service + "|" + strings.Join(g.resources, ",") + "|" + condString(g.cond)
		if gr := index[id]; gr != nil {
			gr.actions = appendNew(gr.actions, action)
			continue
		}
		gr := &group{plugin: plugin, service: service, actions: []string{action}, g: g}
		index[id] = gr
		groups = append(groups, gr)
	}
	slices.SortStableFunc(groups, func(a, b *group) int {
		if c := strings.Compare(a.plugin, b.plugin); c != 0 {
			return c
		}
		return strings.Compare(a.service, b.service)
	})
	out := RolePolicy{Version: "2012-10-17"}
	sids := map[string]int{}
	for _, gr := range groups {
		slices.Sort(gr.actions)
		st := RoleStatement{Effect: "Allow", Action: gr.actions, Resource: gr.g.resources}
		if len(gr.g.cond) > 0 {
			st.Condition = map[string]map[string][]string{"StringEquals": gr.g.cond}
		}
		st.Sid = uniqueSid(sids, statementSid(gr.plugin, gr.service, gr.actions, gr.g.resources))
		out.Statement = append(out.Statement, st)
	}
	return out
}

// statementSid names a statement: Plugin<name> for a plugin's; else the
// service and, for one action, the action's name (IAMPassRole), for more,
// the type of their resources (ConfigConfigRule, S3Bucket; Any for
// actions without resource-level permissions).
func statementSid(plugin, service string, actions, resources []string) string {
	if plugin != "" {
		return "Plugin" + alnum(plugin)
	}
	sid := serviceSid(service)
	if len(actions) == 1 {
		_, name, _ := strings.Cut(actions[0], ":")
		return sid + alnum(name)
	}
	return sid + resourceType(resources[0])
}

// resourceType is the type an ARN names (config-rule of
// arn:aws:config:r:a:config-rule/x, Bucket for an S3 bucket), Any for "*".
func resourceType(arn string) string {
	f := strings.SplitN(arn, ":", 6)
	switch {
	case len(f) < 6:
		return "Any"
	case f[2] == "s3" && !strings.Contains(f[5], "/"):
		return "Bucket"
	}
	typ, _, _ := strings.Cut(f[5], "/")
	typ, _, _ = strings.Cut(typ, ":")
	return alnum(typ)
}

// serviceSid is how a service is written in a Sid.
func serviceSid(service string) string {
	switch service {
	case "iam":
		return "IAM"
	case "s3":
		return "S3"
	case "cloudtrail":
		return "CloudTrail"
	}
	return alnum(service)
}

// alnum keeps the letters and digits of s (a Sid is alphanumeric in an
// identity policy), capitalising each word: access-analyzer becomes
// AccessAnalyzer.
func alnum(s string) string {
	var b strings.Builder
	up := true
	for _, r := range s {
		switch {
		case r < unicode.MaxASCII && (unicode.IsLetter(r) || unicode.IsDigit(r)):
			if up {
				r = unicode.ToUpper(r)
			}
			b.WriteRune(r)
			up = false
		default:
			up = true
		}
	}
	return b.String()
}

// uniqueSid returns sid, numbered from 2 when it was used before.
func uniqueSid(used map[string]int, sid string) string {
	used[sid]++
	if n := used[sid]; n > 1 {
		return sid + strconv.Itoa(n)
	}
	return sid
}

func condString(c map[string][]string) string {
	var parts []string
	for _, k := range slices.Sorted(maps.Keys(c)) {
		parts = append(parts, k+"="+strings.Join(c[k], ","))
	}
	return strings.Join(parts, ";")
}

// appendNew appends v to s unless s holds it.
func appendNew(s []string, v string) []string {
	if slices.Contains(s, v) {
		return s
	}
	return append(s, v)
}
