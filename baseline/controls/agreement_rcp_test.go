package controls_test

import (
	"encoding/json"
	"errors"
	"fmt"
	"maps"
	"math/rand/v2"
	"slices"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/organizations"
	orgtypes "github.com/aws/aws-sdk-go-v2/service/organizations/types"

	"github.com/orgbaseline/orgbaseline/baseline/controls"
	"github.com/orgbaseline/orgbaseline/internal/awsapi"
	"github.com/orgbaseline/orgbaseline/internal/iampolicy"
	"github.com/orgbaseline/orgbaseline/internal/orgsim"
)

// The agreement test of the RCP lockout guard, as TestGuardOrgsimAgreement
// is the SCP guard's: generated RCP sets, attached to a small organization
// on orgsim through the real SDK, judged by the guard (the RCP control's
// Observe and Diff, as a plan runs them) and by orgsim (Sim.RCPDenial, as
// it decides a live request) on every request recorded while the baseline
// was applied that RCPs apply to (a resource of a service RCPs support,
// named by its ARN, in a member account): orgbaseline's sts:AssumeRole and
// sts:AssumeRoot from the management account, the execution role's calls,
// and the checks CloudTrail and Config make of their buckets as their
// service principals (Sim.ServiceChecks).
//
// Requests are compared by place: who makes them (the execution role,
// orgbaseline's identity, a service principal), the account that owns the
// resource, the region (not for a service principal's, whose
// aws:RequestedRegion the guard does not know), the action and a resource
// the guard's covers. orgsim denies some request made at a place if and
// only if the guard refuses there. A refusal because the guard cannot know
// a key is a disagreement, but for the keys the guard rightly cannot know
// for that caller (rcpExcusedKeys): those places are counted, not
// compared. The sets are drawn from -agree.seed, -agree.n of them.

// rcpExcusedKeys are the keys the guard cannot know, by caller: a service
// principal's principal ARN, account, type, user id and requested region
// (the IAM guide does not say what such a request carries: orgsim leaves
// them out, the guard takes the stricter reading) and the names of the
// objects it writes (the * of a log file's key, which orgsim names and
// the guard does not: iampolicy.ResourceKey), and the MFA of orgbaseline's
// own identity.
var rcpExcusedKeys = map[controls.GuardCallerKind][]string{
	controls.CallerService:    {"aws:principalarn", "aws:principalaccount", "aws:principaltype", "aws:userid", "aws:requestedregion", strings.ToLower(iampolicy.ResourceKey)},
	controls.CallerAssumeRole: {"aws:multifactorauthpresent", "aws:multifactorauthage"},
	controls.CallerAssumeRoot: {"aws:multifactorauthpresent", "aws:multifactorauthage"},
}

func TestRCPGuardOrgsimAgreement(t *testing.T) {
	start := time.Now()
	seed := *agreeSeed
	if seed == 0 {
		seed = uint64(time.Now().UnixNano())
	}
	t.Logf("RCP agreement: seed %d, %d sets (rerun with -agree.seed=%d -agree.n=%d)", seed, *agreeN, seed, *agreeN)
	aw := newRCPAgreeWorld(t)
	t.Logf("RCP agreement: %d distinct recorded requests at %d places (setup %s)", len(aw.recorded), len(aw.groups), time.Since(start).Round(time.Millisecond))
	gen := newRCPGen(rand.New(rand.NewPCG(seed, 0x72637061)), aw)
	var st agreeStats
	for i := range *agreeN {
		set := gen.set()
		ds := aw.disagreements(set, &st)
		if len(ds) == 0 {
			continue
		}
		small, sds := aw.shrink(set, ds)
		t.Fatalf("RCP agreement: set %d of seed %d: the guard and orgsim disagree (%d disagreements; shrunk from %d to %d policies).\n%s\n%s",
			i, seed, len(ds), len(set.Policies), len(small.Policies), small.describe(), describeDisagreements(sds))
	}
	t.Logf("RCP agreement: %d sets, %d places judged; orgsim denied some request in %d sets and none in %d; %d places refused on keys the guard rightly cannot know (not compared); %s",
		*agreeN, st.judged, st.denying, st.allowing, st.excused, time.Since(start).Round(time.Millisecond))
	if st.denying < *agreeN/10 || st.allowing < *agreeN/10 {
		t.Errorf("RCP agreement: the sets are lopsided: %d deny some request, %d deny none; the generator needs rebalancing", st.denying, st.allowing)
	}
}

// rcpRecorded is one recorded request RCPs apply to, with who made it and
// the account whose RCPs apply.
type rcpRecorded struct {
	auth    orgsim.Authorization
	kind    controls.GuardCallerKind
	service string
	owner   string
}

// region is the place's region: none for a service principal's request.
func (r *rcpRecorded) region() string {
	if r.kind == controls.CallerService {
		return ""
	}
	return requestedRegion(r.auth)
}

func (r *rcpRecorded) place() string {
	return strings.Join([]string{string(r.kind), r.service, r.owner, r.region(), strings.ToLower(r.auth.Request.Action), r.auth.Request.Resource}, " ")
}

type rcpAgreeWorld struct {
	t        *testing.T
	w        *world
	rcp      *controls.OrganizationPolicies
	target   controls.Target
	orgs     *organizations.Client
	recorded []*rcpRecorded
	groups   [][]*rcpRecorded
	members  []string
}

// newRCPAgreeWorld applies the agreement baseline (every control, the
// trail delegated to the audit account, root access) with the RCP type
// enabled, recording every request and every service principal's check.
func newRCPAgreeWorld(t *testing.T) *rcpAgreeWorld {
	t.Helper()
	yaml := strings.Replace(agreeYAML(callsRuleIAM, callsRuleAll), "controls:\n", "controls:\n  resourceControlPolicies: {policies: []}\n", 1)
	w := newWorld(t, orgsim.OrgSpec{Members: 4, Clean: true, RootCredentials: true}, yaml, nil)
	w.engine.Org.RunID = agreeRunID
	enableRCPs(t, w)
	aw := &rcpAgreeWorld{t: t, w: w, orgs: orgAPI(w)}
	for _, a := range w.org.Accounts {
		if !a.Management {
			aw.members = append(aw.members, a.ID)
		}
	}
	sort.Strings(aw.members)
	w.sim.Record(true)
	w.converge()
	auths, checks := w.sim.Authorizations(), w.sim.ServiceChecks()
	w.sim.Record(false)
	aw.keep(auths, checks)
	if len(aw.recorded) == 0 {
		t.Fatal("orgsim recorded no request RCPs apply to")
	}
	for _, c := range w.engine.Controls {
		if p, ok := c.(*controls.OrganizationPolicies); ok && p.Name() == "resourceControlPolicies" {
			aw.rcp = p
		}
	}
	if aw.rcp == nil {
		t.Fatal("the baseline has no resourceControlPolicies control")
	}
	aw.target = controls.Target{
		AccountID: w.org.ManagementAccountID, AccountName: "Management", Region: callsHome, Config: w.cfg, Org: w.engine.Org,
		Warn: func(string) {}, Wait: &awsapi.Waiter{Sleep: w.sim.Sleep},
	}
	return aw
}

// keep keeps the requests RCPs apply to, one of each, and groups them by
// place.
func (aw *rcpAgreeWorld) keep(auths, checks []orgsim.Authorization) {
	o := aw.w.engine.Org
	role := ":assumed-role/" + o.ExecutionRole + "/orgbaseline-"
	seen := map[string]bool{}
	add := func(a orgsim.Authorization, kind controls.GuardCallerKind) {
		req := a.Request
		owner := firstValue(req.Context["aws:resourceaccount"])
		svc, _, _ := strings.Cut(req.Action, ":")
		if !slices.Contains(aw.members, owner) || !iampolicy.RCPService(svc) || !strings.HasPrefix(req.Resource, "arn:") {
			return
		}
		r := &rcpRecorded{auth: a, kind: kind, service: a.Service, owner: owner}
		keys, _ := json.Marshal(req.Context)
		if k := r.place() + " " + string(keys); !seen[k] {
			seen[k] = true
			aw.recorded = append(aw.recorded, r)
		}
	}
	for _, a := range auths {
		switch {
		case a.Account == o.ManagementAccountID && a.PrincipalARN == o.CallerARN && strings.EqualFold(a.Request.Action, "sts:AssumeRole"):
			add(a, controls.CallerAssumeRole)
		case a.Account == o.ManagementAccountID && a.PrincipalARN == o.CallerARN && strings.EqualFold(a.Request.Action, "sts:AssumeRoot"):
			add(a, controls.CallerAssumeRoot)
		case strings.Contains(a.PrincipalARN, role) && a.Account != o.ManagementAccountID:
			add(a, controls.CallerExecutionRole)
		}
	}
	for _, a := range checks {
		add(a, controls.CallerService)
	}
	sort.Slice(aw.recorded, func(i, j int) bool { return aw.recorded[i].place() < aw.recorded[j].place() })
	index := map[string]int{}
	for _, r := range aw.recorded {
		j, ok := index[r.place()]
		if !ok {
			j = len(aw.groups)
			index[r.place()] = j
			aw.groups = append(aw.groups, nil)
		}
		aw.groups[j] = append(aw.groups[j], r)
	}
}

func firstValue(vs []string) string {
	if len(vs) == 0 {
		return ""
	}
	return vs[0]
}

// disagreements installs set, takes both verdicts and compares them.
func (aw *rcpAgreeWorld) disagreements(set agreeSet, st *agreeStats) []agreeDisagreement {
	aw.t.Helper()
	undo := aw.install(set)
	defer undo()
	refusals := aw.guardVerdict(set)
	var out []agreeDisagreement
	denied := false
	for _, g := range aw.groups {
		r, reason := g[0], ""
		for _, x := range g {
			if why := aw.w.sim.RCPDenial(x.owner, x.auth.Request); why != "" {
				r, reason = x, why
				break
			}
		}
		denied = denied || reason != ""
		matched := rcpMatching(refusals, r)
		refuses, unknown, excused := false, false, false
		for _, f := range matched {
			switch {
			case f.Kind != controls.GuardUnknown:
				refuses = true
			case rcpExcused(f):
				excused = true
			default:
				unknown = true
			}
		}
		a := r.auth
		d := agreeDisagreement{auth: &a, orgsim: reason, refused: matched}
		switch {
		case unknown:
			d.why = "the guard cannot decide a request orgsim decides"
		case excused && !refuses:
			st.excused++
		case refuses && reason == "":
			d.why = "the guard refuses a request orgsim allows"
		case !refuses && reason != "":
			d.why = "orgsim denies a request the guard allows"
		}
		if d.why != "" {
			d.why += " (" + string(r.kind) + " " + r.service + ")"
			out = append(out, d)
		}
		st.judged++
	}
	if denied {
		st.denying++
	} else {
		st.allowing++
	}
	return out
}

// rcpExcused reports an undecided refusal on a key the guard rightly
// cannot know for its caller.
func rcpExcused(f *controls.GuardRefusal) bool {
	return f.Caller != nil && len(f.Keys) == 1 && slices.Contains(rcpExcusedKeys[f.Caller.Kind], strings.ToLower(f.Keys[0]))
}

// rcpMatching are the refusals with a place for r.
func rcpMatching(refusals []*controls.GuardRefusal, r *rcpRecorded) []*controls.GuardRefusal {
	var out []*controls.GuardRefusal
	for _, f := range refusals {
		if f.Caller == nil || f.Caller.Kind != r.kind || (r.kind == controls.CallerService && f.Caller.Service != r.service) ||
			!strings.EqualFold(f.Action, r.auth.Request.Action) {
			continue
		}
		for _, p := range f.Places {
			if p.AccountID == r.owner && (r.region() == "" || p.Region == r.region()) && resourceCovers(p.Resource, r.auth.Request.Resource) {
				out = append(out, f)
				break
			}
		}
	}
	return out
}

// guardVerdict runs the RCP control's Observe and Diff as a plan does.
func (aw *rcpAgreeWorld) guardVerdict(set agreeSet) []*controls.GuardRefusal {
	aw.t.Helper()
	obs, err := aw.rcp.Observe(bg, aw.target)
	if err != nil {
		aw.t.Fatalf("observe the RCPs of %s: %v", set.describe(), err)
	}
	_, err = aw.rcp.Diff(aw.target, obs)
	if err == nil {
		return nil
	}
	var le *controls.LockoutError
	if !errors.As(err, &le) {
		aw.t.Fatalf("the RCP control's plan failed otherwise than by the lockout guard: %v\n%s", err, set.describe())
	}
	return le.Refusals
}

// install creates and attaches set's RCPs as the management account;
// the returned func undoes it.
func (aw *rcpAgreeWorld) install(set agreeSet) (undo func()) {
	aw.t.Helper()
	var created, targets []string
	undo = func() {
		for i, id := range created {
			_, err := aw.orgs.DetachPolicy(bg, &organizations.DetachPolicyInput{PolicyId: aws.String(id), TargetId: aws.String(targets[i])})
			aw.must("detach", err)
			_, err = aw.orgs.DeletePolicy(bg, &organizations.DeletePolicyInput{PolicyId: aws.String(id)})
			aw.must("delete", err)
		}
	}
	for i, p := range set.Policies {
		out, err := aw.orgs.CreatePolicy(bg, &organizations.CreatePolicyInput{Name: aws.String(fmt.Sprintf("agree-%d", i)),
			Description: aws.String("agreement test"), Content: aws.String(p.document()), Type: orgtypes.PolicyTypeResourceControlPolicy})
		if err != nil {
			undo()
			aw.t.Fatalf("create RCP %d: %v\n%s", i, err, set.describe())
		}
		id := aws.ToString(out.Policy.PolicySummary.Id)
		_, err = aw.orgs.AttachPolicy(bg, &organizations.AttachPolicyInput{PolicyId: aws.String(id), TargetId: aws.String(p.Target)})
		aw.must("attach", err)
		created, targets = append(created, id), append(targets, p.Target)
	}
	return undo
}

func (aw *rcpAgreeWorld) must(what string, err error) { agreeMust(aw.t, what, err) }

// shrink drops parts of set while a disagreement remains.
func (aw *rcpAgreeWorld) shrink(set agreeSet, ds []agreeDisagreement) (agreeSet, []agreeDisagreement) {
	return shrinkSet(set, ds, rcpValid, aw.disagreements)
}

// rcpValid reports a set every statement of which has an Action (a
// shrunk set may drop the last one).
func rcpValid(s agreeSet) bool {
	for _, p := range s.Policies {
		for _, st := range p.Statements {
			if len(st.Action) == 0 || len(st.Resource)+len(st.NotResource) == 0 {
				return false
			}
		}
	}
	return true
}

// rcpGen draws RCP sets over the recorded requests.
type rcpGen struct {
	*agreeGen
	rcpActions, rcpResources, sources []string
	sessions                          []string
}

func newRCPGen(r *rand.Rand, aw *rcpAgreeWorld) *rcpGen {
	w := aw.w
	o := w.engine.Org
	g := &rcpGen{agreeGen: &agreeGen{r: r, accounts: aw.members, orgID: w.org.ID, role: o.ExecutionRole, partition: o.PartitionName()}}
	actions, resources, sources := map[string]bool{}, map[string]bool{"*": true}, map[string]bool{}
	for _, rec := range aw.recorded {
		actions[rec.auth.Request.Action] = true
		resources[rec.auth.Request.Resource] = true
		if v := firstValue(rec.auth.Request.Context["aws:sourcearn"]); v != "" {
			sources[v] = true
		}
	}
	g.rcpActions = append(slices.Sorted(maps.Keys(actions)), "s3:*", "sts:*", "s3:Put*", "s3:Get*", "s3:*Bucket*", "sts:Assume*", "s3:?utObject", "kms:*", "sqs:*")
	for _, p := range []string{"arn:aws:s3:::*", "arn:aws:s3:::*/AWSLogs/*", "arn:aws:iam::*:role/*", "arn:aws:iam::*:role/" + o.ExecutionRole,
		"arn:aws:iam::*:root", "arn:aws:s3:::*/*/Config/*", "arn:aws:iam::${aws:ResourceAccount}:role/*", "arn:aws:s3:::orgbaseline-*"} {
		resources[p] = true
	}
	g.rcpResources = slices.Sorted(maps.Keys(resources))
	g.sources = append(slices.Sorted(maps.Keys(sources)), "arn:aws:cloudtrail:*:*:trail/*", "arn:aws:config:*:*:*", "arn:aws:s3:::other")
	g.sessions = []string{"orgbaseline-" + agreeRunID, "orgbaseline-*", "other-*"}
	g.targets = append(g.targets, agreeTarget{w.org.RootID, "root"})
	for _, id := range slices.Sorted(maps.Keys(w.org.OUs)) {
		g.targets = append(g.targets, agreeTarget{id, "ou:" + w.org.OUs[id].Path})
		g.paths = append(g.paths, g.orgPath(&agreeWorld{w: w}, id))
	}
	for _, id := range aw.members {
		g.targets = append(g.targets, agreeTarget{id, "account:" + id + " (" + w.org.Account(id).Name + ")"})
	}
	g.paths = append(g.paths, g.orgID+"/"+w.org.RootID+"/")
	sort.Strings(g.paths)
	return g
}

// set draws 1 to 3 RCPs of 1 to 3 Deny statements each.
func (g *rcpGen) set() agreeSet {
	var s agreeSet
	for range 1 + g.r.IntN(3) {
		t := g.targets[g.r.IntN(len(g.targets))]
		p := agreePolicy{Target: t.id, TargetLabel: t.label, RCP: true}
		for j := range 1 + g.r.IntN(3) {
			p.Statements = append(p.Statements, g.statement(j))
		}
		s.Policies = append(s.Policies, p)
	}
	return s
}

func (g *rcpGen) statement(j int) agreeStatement {
	st := agreeStatement{Effect: "Deny"}
	if g.chance(0.4) {
		st.Sid = fmt.Sprintf("S%d", j)
	}
	st.Action = g.some(g.rcpActions, 3)
	res := []string{"*"}
	if !g.chance(0.5) {
		res = g.some(g.rcpResources, 2)
	}
	if g.chance(0.15) {
		st.NotResource = res
	} else {
		st.Resource = res
	}
	for range []int{0, 1, 1, 1, 2, 2, 3}[g.r.IntN(7)] {
		c := g.condition()
		if !slices.ContainsFunc(st.Condition, func(x agreeCondition) bool { return x.Op == c.Op && x.Key == c.Key }) {
			st.Condition = append(st.Condition, c)
		}
	}
	return st
}

// condition draws a condition over the keys the requests of the three
// callers carry, or leave out.
func (g *rcpGen) condition() agreeCondition {
	eq := func() string { return g.ifExists(g.pick([]string{"StringEquals", "StringNotEquals"})) }
	tf := []string{"true", "false"}
	orgs := []string{g.orgID, "o-aaaaaaaaaa"}
	switch g.r.IntN(16) {
	case 0, 1:
		return agreeCondition{eq(), "aws:PrincipalOrgID", g.some(orgs, 2)}
	case 2, 3:
		return agreeCondition{g.ifExists("Bool"), "aws:PrincipalIsAWSService", []string{g.pick(tf)}}
	case 4:
		return agreeCondition{eq(), "aws:SourceOrgID", g.some(orgs, 2)}
	case 5:
		return agreeCondition{eq(), "aws:SourceAccount", g.some(append(slices.Clone(g.accounts), g.pick(g.accounts)), 2)}
	case 6:
		return agreeCondition{g.ifExists(g.pick([]string{"ArnLike", "ArnNotLike", "StringLike"})), "aws:SourceArn", g.some(g.sources, 2)}
	case 7:
		op := g.pick([]string{"ForAnyValue:StringLike", "ForAnyValue:StringNotLike", "StringLike"})
		key := g.pick([]string{"aws:SourceOrgPaths", "aws:PrincipalOrgPaths", "aws:ResourceOrgPaths"})
		return agreeCondition{op, key, g.some(append(slices.Clone(g.paths), g.orgID+"/*"), 2)}
	case 8:
		return agreeCondition{eq(), "aws:PrincipalServiceName", g.some([]string{"cloudtrail.amazonaws.com", "config.amazonaws.com"}, 2)}
	case 9:
		return agreeCondition{eq(), "aws:ResourceAccount", g.some(g.accounts, 2)}
	case 10:
		return agreeCondition{eq(), "aws:ResourceOrgID", g.some(orgs, 2)}
	case 11:
		return agreeCondition{"Null", g.pick([]string{"aws:SourceAccount", "aws:SourceArn", "aws:SourceOrgID", "aws:PrincipalOrgID",
			"aws:PrincipalServiceName", "s3:x-amz-acl", "sts:ExternalId", "aws:ResourceAccount"}), []string{g.pick(tf)}}
	case 12:
		return agreeCondition{eq(), "s3:x-amz-acl", []string{g.pick([]string{"bucket-owner-full-control", "private"})}}
	case 13:
		return agreeCondition{g.ifExists(g.pick([]string{"StringLike", "StringNotLike"})), "sts:RoleSessionName", g.some(g.sessions, 2)}
	case 14:
		return agreeCondition{g.ifExists("Bool"), "aws:SecureTransport", []string{g.pick(tf)}}
	}
	// Keys the guard cannot know for a service principal, which it says.
	return agreeCondition{eq(), g.pick([]string{"aws:PrincipalAccount", "aws:PrincipalType"}),
		g.some([]string{g.pick(g.accounts), "User", "AssumedRole"}, 2)}
}
