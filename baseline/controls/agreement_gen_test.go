package controls_test

import (
	"encoding/json"
	"fmt"
	"maps"
	"math/rand/v2"
	"slices"
	"sort"
	"strings"

	"github.com/orgbaseline/orgbaseline/baseline/controls"
)

// The SCP sets of the agreement test and their generator.

// agreeSet is one generated set of SCPs, each attached to one target.
type agreeSet struct {
	Policies []agreePolicy
}

// agreePolicy is one SCP: its statements, the root, OU or account it is
// attached to and, for an allow list, FullAWSAccess detached there while
// it is attached.
type agreePolicy struct {
	Target, TargetLabel string
	AllowList           bool
	Statements          []agreeStatement
	// RCP makes it a resource control policy: every statement has
	// Principal "*" (agreement_rcp_test.go).
	RCP bool
}

type agreeStatement struct {
	Sid                                      string
	Effect                                   string
	Action, NotAction, Resource, NotResource []string
	Condition                                []agreeCondition
}

type agreeCondition struct {
	Op, Key string
	Values  []string
}

// document is the policy's JSON.
func (p agreePolicy) document() string {
	sts := make([]map[string]any, 0, len(p.Statements))
	for _, s := range p.Statements {
		m := map[string]any{"Effect": s.Effect}
		if p.RCP {
			m["Principal"] = "*"
		}
		if s.Sid != "" {
			m["Sid"] = s.Sid
		}
		list := func(k string, vs []string) {
			switch len(vs) {
			case 0:
			case 1:
				m[k] = vs[0]
			default:
				m[k] = vs
			}
		}
		list("Action", s.Action)
		list("NotAction", s.NotAction)
		list("Resource", s.Resource)
		list("NotResource", s.NotResource)
		if len(s.Condition) > 0 {
			cond := map[string]map[string]any{}
			for _, c := range s.Condition {
				if cond[c.Op] == nil {
					cond[c.Op] = map[string]any{}
				}
				if len(c.Values) == 1 {
					cond[c.Op][c.Key] = c.Values[0]
				} else {
					cond[c.Op][c.Key] = c.Values
				}
			}
			m["Condition"] = cond
		}
		sts = append(sts, m)
	}
	b, err := json.Marshal(map[string]any{"Version": "2012-10-17", "Statement": sts})
	if err != nil {
		panic(err)
	}
	return string(b)
}

// describe prints the set: each policy's target and document.
func (s agreeSet) describe() string {
	var b strings.Builder
	for i, p := range s.Policies {
		typ := "SCP"
		if p.RCP {
			typ = "RCP"
		}
		fmt.Fprintf(&b, "%s agree-%d attached at %s", typ, i, p.TargetLabel)
		if p.AllowList {
			b.WriteString(" (an allow list: FullAWSAccess detached there)")
		}
		var doc any
		_ = json.Unmarshal([]byte(p.document()), &doc)
		out, _ := json.MarshalIndent(doc, "  ", "  ")
		fmt.Fprintf(&b, ":\n  %s\n", out)
	}
	return b.String()
}

func (s agreeSet) clone() agreeSet {
	var c agreeSet
	b, _ := json.Marshal(s)
	_ = json.Unmarshal(b, &c)
	return c
}

// smaller are the sets one step smaller than s: a policy, a statement, a
// condition, a condition value, an action or a resource entry dropped.
func (s agreeSet) smaller() []agreeSet {
	var out []agreeSet
	edit := func(f func(c *agreeSet)) {
		c := s.clone()
		f(&c)
		out = append(out, c)
	}
	drop := func(vs []string, k int) []string { return slices.Delete(slices.Clone(vs), k, k+1) }
	for i := range s.Policies {
		if len(s.Policies) > 1 {
			edit(func(c *agreeSet) { c.Policies = slices.Delete(c.Policies, i, i+1) })
		}
		p := s.Policies[i]
		for j := range p.Statements {
			if len(p.Statements) > 1 {
				edit(func(c *agreeSet) { c.Policies[i].Statements = slices.Delete(c.Policies[i].Statements, j, j+1) })
			}
			st := p.Statements[j]
			for k := range st.Condition {
				edit(func(c *agreeSet) {
					c.Policies[i].Statements[j].Condition = slices.Delete(c.Policies[i].Statements[j].Condition, k, k+1)
				})
				for v := range st.Condition[k].Values {
					if len(st.Condition[k].Values) > 1 {
						edit(func(c *agreeSet) {
							cc := &c.Policies[i].Statements[j].Condition[k]
							cc.Values = drop(cc.Values, v)
						})
					}
				}
			}
			for _, field := range []func(*agreeStatement) *[]string{
				func(x *agreeStatement) *[]string { return &x.Action },
				func(x *agreeStatement) *[]string { return &x.NotAction },
				func(x *agreeStatement) *[]string { return &x.Resource },
				func(x *agreeStatement) *[]string { return &x.NotResource },
			} {
				vs := *field(&st)
				for k := range vs {
					if len(vs) > 1 {
						edit(func(c *agreeSet) {
							f := field(&c.Policies[i].Statements[j])
							*f = drop(*f, k)
						})
					}
				}
			}
			if st.Sid != "" {
				edit(func(c *agreeSet) { c.Policies[i].Statements[j].Sid = "" })
			}
		}
	}
	return out
}

// agreeGen draws SCP sets from what the organization and the recorded
// requests hold.
type agreeGen struct {
	r *rand.Rand
	// actions are the actions of the call model and of the recorded
	// requests; wildcards patterns over them.
	actions, wildcards []string
	// resources are "*", the recorded requests' ARNs, the call model's
	// and patterns.
	resources []string
	targets   []agreeTarget
	accounts  []string
	orgID     string
	paths     []string // organization paths (aws:PrincipalOrgPaths values)
	role      string
	partition string
}

type agreeTarget struct{ id, label string }

func newAgreeGen(r *rand.Rand, aw *agreeWorld) *agreeGen {
	w, o := aw.w, aw.w.engine.Org
	g := &agreeGen{r: r, accounts: aw.members, orgID: w.org.ID, role: o.ExecutionRole, partition: o.PartitionName()}
	calls := controls.CallsOf(w.engine.Controls, o)
	actions, resources := map[string]bool{}, map[string]bool{"*": true}
	for _, c := range calls {
		actions[c.Action] = true
		if c.Resource != "*" {
			// The model's resource for every account and region, and for
			// one of each: a pattern the guard evaluates exactly.
			resources[c.ResourceIn("*", "*")] = true
			resources[c.ResourceIn(aw.members[r.IntN(len(aw.members))], callsHome)] = true
		}
	}
	for _, a := range aw.recorded {
		actions[a.Request.Action] = true
		if res := a.Request.Resource; res != "*" && !agreeGenerated(calls, o, a.Account, res) {
			resources[res] = true
		}
	}
	g.actions = slices.Sorted(maps.Keys(actions))
	g.wildcards = []string{"*", "s3:*", "iam:*", "config:*", "config:Put*", "config:Describe*", "access-analyzer:*",
		"cloudtrail:*", "organizations:*", "iam:Get*", "iam:*Role*", "s3:Put*", "s3:Get*", "iam:PassRole", "ec2:*",
		"iam:?etRole", "s3:Put*Policy", "config:*Recorder*", "access-analyzer:?reate*", "s3:*Bucket*"}
	for _, p := range []string{"arn:aws:s3:::*", "arn:aws:iam::*:role/*", "arn:aws:iam::${aws:PrincipalAccount}:role/*",
		"arn:aws:config:*:*:*", "arn:aws:iam::*:role/aws-service-role/*", "arn:aws:cloudtrail:*:*:trail/*",
		"arn:aws:access-analyzer:*:*:analyzer/*", "arn:aws:s3:::orgbaseline-*", "arn:aws:iam::*:role/" + g.role,
		"arn:aws:s3:::*-${aws:PrincipalAccount}-*", "arn:aws:config:${aws:RequestedRegion}:${aws:PrincipalAccount}:*",
		"arn:aws:iam::${aws:ResourceAccount}:role/*", "arn:aws:s3:::*${aws:RequestedRegion}", "arn:aws:iam::*:role/?rganization*"} {
		resources[p] = true
	}
	g.resources = slices.Sorted(maps.Keys(resources))

	g.targets = append(g.targets, agreeTarget{w.org.RootID, "root"})
	ous := slices.Sorted(maps.Keys(w.org.OUs))
	for _, id := range ous {
		g.targets = append(g.targets, agreeTarget{id, "ou:" + w.org.OUs[id].Path})
		g.paths = append(g.paths, g.orgPath(aw, id))
	}
	for _, id := range aw.members {
		g.targets = append(g.targets, agreeTarget{id, "account:" + id + " (" + w.org.Account(id).Name + ")"})
	}
	g.paths = append(g.paths, g.orgID+"/"+w.org.RootID+"/")
	sort.Strings(g.paths)
	return g
}

// agreeGenerated reports whether res, recorded in account, is covered by
// the call model only through a * that stands for an id AWS generates (a
// Config rule's, a recorder's, an aggregator's): the guard evaluates the
// model's pattern and cannot know the id, so a policy naming that one
// resource is one it cannot decide: it refuses, saying so
// (TestGuardUnknownResourceID), where orgsim, which knows the id, decides.
// Such ARNs are left out of the generator's resources (the patterns over
// them are in).
func agreeGenerated(calls []controls.Call, o *controls.Org, account, res string) bool {
	regions := append(slices.Clone(o.Regions), o.GlobalRegion())
	for _, c := range calls {
		for _, region := range regions {
			if c.ResourceIn(account, region) == res {
				return false
			}
		}
	}
	for _, c := range calls {
		if c.Resource == "*" || !strings.Contains(c.Resource, "*") {
			continue
		}
		for _, region := range regions {
			if globMatch(c.ResourceIn(account, region), res) {
				return true
			}
		}
	}
	return false
}

// orgPath is the organization path of the OU id, with a trailing slash.
func (g *agreeGen) orgPath(aw *agreeWorld, id string) string {
	ous := aw.w.org.OUs
	var chain []string
	for cur := id; cur != "" && ous[cur] != nil; cur = ous[cur].ParentID {
		chain = append([]string{cur}, chain...)
	}
	return g.orgID + "/" + aw.w.org.RootID + "/" + strings.Join(chain, "/") + "/"
}

func (g *agreeGen) pick(vs []string) string { return vs[g.r.IntN(len(vs))] }

// some picks 1 to max distinct values of vs.
func (g *agreeGen) some(vs []string, max int) []string {
	n := 1 + g.r.IntN(max)
	var out []string
	for range n {
		v := g.pick(vs)
		if !slices.Contains(out, v) {
			out = append(out, v)
		}
	}
	return out
}

func (g *agreeGen) chance(p float64) bool { return g.r.Float64() < p }

// set draws one set: 1 to 3 policies; one in seven an allow list.
func (g *agreeGen) set() agreeSet {
	var s agreeSet
	n := 1 + g.r.IntN(3)
	for range n {
		t := g.targets[g.r.IntN(len(g.targets))]
		p := agreePolicy{Target: t.id, TargetLabel: t.label, AllowList: g.chance(1.0 / 7)}
		m := 1 + g.r.IntN(3)
		for j := range m {
			p.Statements = append(p.Statements, g.statement(p.AllowList, j))
		}
		s.Policies = append(s.Policies, p)
	}
	return s
}

// statement draws one statement: a Deny mostly (an Allow in an allow
// list), over the tool's actions and wildcards, resources and 0 to 3
// conditions.
func (g *agreeGen) statement(allowList bool, j int) agreeStatement {
	st := agreeStatement{Effect: "Deny"}
	if allowList || g.chance(0.08) {
		st.Effect = "Allow"
	}
	if g.chance(0.4) {
		st.Sid = fmt.Sprintf("S%d", j)
	}
	actions := func() []string {
		var out []string
		for range 1 + g.r.IntN(3) {
			a := g.pick(g.actions)
			if g.chance(0.35) || (allowList && g.chance(0.5)) {
				a = g.pick(g.wildcards)
			}
			if g.chance(0.2) {
				a = g.mixCase(a)
			}
			if !slices.Contains(out, a) {
				out = append(out, a)
			}
		}
		return out
	}
	if g.chance(0.2) {
		st.NotAction = actions()
	} else {
		st.Action = actions()
	}
	resources := func() []string {
		if g.chance(0.45) {
			return []string{"*"}
		}
		return g.some(g.resources, 2)
	}
	if g.chance(0.15) {
		st.NotResource = resources()
	} else {
		st.Resource = resources()
	}
	nc := []int{0, 0, 0, 1, 1, 1, 1, 2, 2, 3}[g.r.IntN(10)]
	if allowList && g.chance(0.7) {
		nc = 0
	}
	for range nc {
		c := g.condition()
		if !slices.ContainsFunc(st.Condition, func(x agreeCondition) bool { return x.Op == c.Op && x.Key == c.Key }) {
			st.Condition = append(st.Condition, c)
		}
	}
	return st
}

// mixCase changes the case of some letters of an action.
func (g *agreeGen) mixCase(a string) string {
	b := []byte(a)
	for i, c := range b {
		if g.chance(0.4) {
			switch {
			case c >= 'a' && c <= 'z':
				b[i] = c - 'a' + 'A'
			case c >= 'A' && c <= 'Z':
				b[i] = c - 'A' + 'a'
			}
		}
	}
	return string(b)
}

// ifExists adds IfExists to op sometimes.
func (g *agreeGen) ifExists(op string) string {
	if g.chance(0.25) {
		return op + "IfExists"
	}
	return op
}

// condition draws one condition over a key the guard knows (or the
// baseline states), with values that hold for some of the tool's
// requests and not for others.
func (g *agreeGen) condition() agreeCondition {
	arn := "arn:" + g.partition + ":iam::"
	role := ":role/" + g.role
	strOp := func(ops ...string) string { return g.ifExists(g.pick(ops)) }
	eqOps := []string{"StringEquals", "StringNotEquals"}
	likeOps := []string{"StringLike", "StringNotLike"}
	boolOp := func() string { return g.ifExists("Bool") }
	tf := []string{"true", "false"}
	switch g.r.IntN(29) {
	case 0:
		return agreeCondition{strOp("ArnLike", "ArnNotLike", "StringLike", "StringNotLike", "ArnEquals", "ArnNotEquals"), "aws:PrincipalArn",
			g.some([]string{arn + "*" + role, arn + "${aws:PrincipalAccount}" + role, arn + "*:role/orgbaseline-*",
				arn + g.pick(g.accounts) + ":role/*", arn + "*:role/Break*", arn + "${aws:PrincipalAccount}:role/*", arn + g.pick(g.accounts) + role,
				arn + "*:root", arn + "${aws:PrincipalAccount}:root"}, 2)}
	case 1:
		return agreeCondition{strOp(eqOps...), "aws:PrincipalAccount", g.some(append(slices.Clone(g.accounts), "${aws:ResourceAccount}"), 2)}
	case 2:
		return agreeCondition{strOp(eqOps...), "aws:PrincipalType", g.some([]string{"AssumedRole", "User", "Account", "FederatedUser"}, 2)}
	case 3:
		return agreeCondition{strOp(likeOps...), "aws:userid", g.some([]string{"*:orgbaseline-*", "AROA*", "*:other-*", "AIDA*", "*:orgbaseline-test", "??????????*"}, 2)}
	case 4:
		return agreeCondition{strOp(eqOps...), "aws:PrincipalOrgID", g.some([]string{g.orgID, "o-aaaaaaaaaa", "${aws:ResourceOrgID}"}, 2)}
	case 5:
		paths := slices.Clone(g.paths)
		for _, p := range g.paths {
			paths = append(paths, p+"*")
		}
		paths = append(paths, g.orgID+"/*", "o-aaaaaaaaaa/*")
		op := g.pick([]string{"ForAnyValue:StringLike", "ForAnyValue:StringNotLike", "ForAllValues:StringLike", "StringLike", "ForAnyValue:StringEquals"})
		return agreeCondition{op, "aws:PrincipalOrgPaths", g.some(paths, 2)}
	case 6:
		op := g.pick([]string{"ForAnyValue:StringLike", "StringLike", "StringNotLike"})
		return agreeCondition{op, "aws:ResourceOrgPaths", g.some(append(slices.Clone(g.paths), g.orgID+"/*"), 2)}
	case 7:
		return agreeCondition{strOp("StringEquals", "StringNotEquals", "StringEqualsIgnoreCase", "StringLike", "StringNotLike"), "aws:PrincipalTag/team",
			g.some([]string{"platform", "apps", "PLATFORM", "plat*", "security"}, 2)}
	case 8:
		return agreeCondition{boolOp(), "aws:SecureTransport", []string{g.pick(tf)}}
	case 9:
		return agreeCondition{boolOp(), "aws:ViaAWSService", []string{g.pick(tf)}}
	case 10:
		return agreeCondition{boolOp(), "aws:PrincipalIsAWSService", []string{g.pick(tf)}}
	case 11:
		return agreeCondition{strOp("StringEquals", "StringNotEquals", "StringLike", "StringNotLike"), "aws:RequestedRegion",
			g.some([]string{callsHome, callsOther, "eu-*", "us-*", "ap-southeast-2"}, 2)}
	case 12:
		op := g.ifExists(g.pick([]string{"DateGreaterThan", "DateLessThan", "DateGreaterThanEquals", "DateLessThanEquals", "DateNotEquals"}))
		return agreeCondition{op, "aws:CurrentTime", []string{g.pick([]string{"2000-01-01T00:00:00Z", "2100-01-01T00:00:00Z", "1999-12-31"})}}
	case 13:
		op := g.pick([]string{"NumericGreaterThan", "NumericLessThan", "DateGreaterThan", "DateLessThan"})
		return agreeCondition{op, "aws:EpochTime", []string{g.pick([]string{"946684800", "4102444800"})}}
	case 14:
		return agreeCondition{g.pick([]string{"BoolIfExists", "Bool"}), "aws:MultiFactorAuthPresent", []string{g.pick(tf)}}
	case 15:
		return agreeCondition{strOp(eqOps...), "aws:ResourceAccount", g.some(append(slices.Clone(g.accounts), "${aws:PrincipalAccount}"), 2)}
	case 16:
		return agreeCondition{strOp(eqOps...), "aws:ResourceOrgID", g.some([]string{g.orgID, "${aws:PrincipalOrgID}", "o-aaaaaaaaaa"}, 2)}
	case 17:
		return agreeCondition{g.ifExists(g.pick([]string{"IpAddress", "NotIpAddress"})), "aws:SourceIp",
			g.some([]string{"127.0.0.0/8", "203.0.113.0/24", agreeSourceIP + "/32", "10.0.0.0/8", agreeSourceIP}, 2)}
	case 18:
		return agreeCondition{strOp("StringEquals", "StringNotEquals", "StringLike", "StringNotLike"), "iam:PassedToService",
			g.some([]string{"config.amazonaws.com", "cloudtrail.amazonaws.com", "*.amazonaws.com"}, 2)}
	case 19:
		return agreeCondition{strOp("StringEquals", "StringNotEquals", "StringLike", "StringNotLike"), "iam:AWSServiceName",
			g.some([]string{"config.amazonaws.com", "access-analyzer.amazonaws.com", "cloudtrail.amazonaws.com", "*.amazonaws.com"}, 2)}
	case 20:
		return agreeCondition{"Null", g.pick([]string{"aws:PrincipalTag/team", "aws:PrincipalTag/other", "iam:PassedToService", "iam:AWSServiceName",
			"aws:ResourceAccount", "aws:MultiFactorAuthPresent", "aws:SourceIp", "aws:userid", "aws:ResourceOrgID", "aws:PrincipalOrgID",
			"s3:LocationConstraint", "aws:TagKeys", "aws:RequestTag/orgbaseline:managed", "s3:x-amz-acl", "iam:PermissionsBoundary",
			"aws:CalledVia", "aws:SourceArn", "aws:SourceAccount", "aws:username", "aws:MultiFactorAuthAge", "aws:SourceIdentity",
			"aws:PrincipalServiceName", "aws:TokenIssueTime", "organizations:ServicePrincipal"}), []string{g.pick(tf)}}
	case 21:
		// The request keys the call model lists: a bucket's Region, a
		// rule's tag.
		return agreeCondition{strOp("StringEquals", "StringNotEquals", "StringLike"), "s3:LocationConstraint", g.some([]string{callsHome, callsOther, "eu-*"}, 2)}
	case 22:
		op := g.pick([]string{"ForAnyValue:StringEquals", "ForAllValues:StringEquals", "ForAnyValue:StringLike", "ForAllValues:StringNotEquals", "ForAnyValue:StringNotEquals"})
		return agreeCondition{op, "aws:TagKeys", g.some([]string{"orgbaseline:managed", "owner", "orgbaseline:*"}, 2)}
	case 23:
		return agreeCondition{strOp("StringEquals", "StringNotEquals"), "aws:RequestTag/orgbaseline:managed", []string{g.pick(tf)}}
	case 24:
		op := g.ifExists(g.pick([]string{"DateGreaterThan", "DateLessThan"}))
		return agreeCondition{op, "aws:TokenIssueTime", []string{g.pick([]string{"2000-01-01T00:00:00Z", "2100-01-01T00:00:00Z"})}}
	case 25:
		// Keys AWS leaves out of the tool's requests.
		k := g.pick([]string{"aws:CalledVia", "aws:SourceArn", "aws:SourceAccount", "aws:username", "aws:SourceIdentity", "aws:PrincipalServiceName"})
		op := g.pick([]string{"StringEquals", "StringNotEquals", "StringLike", "StringNotEqualsIfExists", "StringEqualsIfExists", "ForAnyValue:StringEquals"})
		return agreeCondition{op, k, g.some([]string{"cloudformation.amazonaws.com", "x", "*"}, 2)}
	case 26:
		return agreeCondition{g.ifExists(g.pick([]string{"NumericLessThan", "NumericGreaterThan"})), "aws:MultiFactorAuthAge", []string{"3600"}}
	case 27:
		return agreeCondition{strOp(eqOps...), "organizations:ServicePrincipal", g.some([]string{"config.amazonaws.com", "access-analyzer.amazonaws.com"}, 2)}
	case 28:
		// Root sessions (sts:AssumeRoot) carry aws:AssumedRoot true; the
		// execution role's requests leave it out.
		return agreeCondition{g.pick([]string{"BoolIfExists", "Bool"}), "aws:AssumedRoot", []string{g.pick(tf)}}
	}
	return agreeCondition{strOp(eqOps...), "aws:PrincipalTag/other", []string{"x"}}
}
