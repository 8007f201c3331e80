package controls_test

import (
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"math/rand/v2"
	"slices"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/iam"
	iamtypes "github.com/aws/aws-sdk-go-v2/service/iam/types"
	"github.com/aws/aws-sdk-go-v2/service/organizations"
	orgtypes "github.com/aws/aws-sdk-go-v2/service/organizations/types"

	"github.com/orgbaseline/orgbaseline/baseline/controls"
	"github.com/orgbaseline/orgbaseline/internal/awsapi"
	"github.com/orgbaseline/orgbaseline/internal/orgsim"
)

// The agreement test of the lockout guard: generated SCP sets, each
// attached to a small organization on orgsim through the real SDK, judged
// twice: by the guard (the SCP control's Observe and Diff, as a plan runs
// them) and by orgsim (the SCPs in force evaluated on every request the
// tool really sent when it applied the baseline, as orgsim decides a live
// call, Sim.SCPDenial).
//
// The requests are every authorization of the execution role's sessions
// in a member account over five runs from a clean organization
// (newAgreeWorld). They are compared by place: an account, the region the
// request named, an action (case-insensitively) and a resource. orgsim
// denies some request made at a place if and only if the guard has a
// refusal there (its account and region, its action, a resource covering
// the one authorized): the guard decides per call of the model, and one
// call can stand for requests made with different keys (a rule put with
// its tag when created and without when updated; a bucket read before it
// exists and after). A refusal because the guard cannot know a key is a
// disagreement too, the generator using only keys the guard knows or the
// baseline states (organization.guardContext: aws:SourceIp), except where
// the SCPs deny the guard reading the execution role (its iam:GetRole,
// as orgsim decided it): the role's id and tags are then rightly unknown,
// and those places are counted, not compared.
//
// The sets are seeded (-agree.seed, printed; the default is fixed, so
// that every run, CI's included, judges the same sets; 0 draws a new one
// for exploring: go test -run Agreement -agree.seed=0 -agree.n=3000) and there are
// -agree.n of them (at least 300); a disagreement is shrunk to the
// smallest set that still disagrees and printed with both verdicts
// (-agree.all reports every disagreeing set instead of the first).

var (
	agreeSeed = flag.Uint64("agree.seed", 15, "seed of the agreement test's SCP sets (0: a new one, printed)")
	agreeN    = flag.Int("agree.n", 300, "number of SCP sets the agreement test generates (at least 300)")
	agreeAll  = flag.Bool("agree.all", false, "report every disagreeing set (shrunk) instead of stopping at the first")
)

func TestGuardOrgsimAgreement(t *testing.T) {
	start := time.Now()
	seed := *agreeSeed
	if seed == 0 {
		seed = uint64(time.Now().UnixNano())
	}
	if *agreeN < 300 {
		t.Fatalf("-agree.n=%d: the agreement test judges at least 300 sets", *agreeN)
	}
	t.Logf("agreement: seed %d, %d sets (rerun with -agree.seed=%d -agree.n=%d)", seed, *agreeN, seed, *agreeN)
	aw := newAgreeWorld(t)
	t.Logf("agreement: %d distinct recorded requests of the execution role at %d places in %d member accounts (setup %s)",
		len(aw.recorded), len(aw.groups), len(aw.members), time.Since(start).Round(time.Millisecond))
	gen := newAgreeGen(rand.New(rand.NewPCG(seed, 0x61677265)), aw)
	var st agreeStats
	for i := range *agreeN {
		set := gen.set()
		ds := aw.disagreements(set, &st)
		if len(ds) == 0 {
			continue
		}
		small, sds := aw.shrink(set, ds)
		if *agreeAll {
			t.Errorf("agreement: set %d:\n%s\n%s", i, small.describe(), describeDisagreements(sds[:1]))
			continue
		}
		t.Fatalf("agreement: set %d of seed %d: the guard and orgsim disagree (%d disagreements; shrunk from %d to %d policies).\n%s\n%s",
			i, seed, len(ds), len(set.Policies), len(small.Policies), small.describe(), describeDisagreements(sds))
	}
	t.Logf("agreement: %d sets, %d places judged; orgsim denied some request in %d sets and none in %d; %d places refused only because the SCPs deny the guard reading the execution role (not compared); %s",
		*agreeN, st.judged, st.denying, st.allowing, st.excused, time.Since(start).Round(time.Millisecond))
	// The generator must exercise both verdicts, or agreement says little.
	if st.denying < *agreeN/10 || st.allowing < *agreeN/10 {
		t.Errorf("agreement: the sets are lopsided: %d deny some request, %d deny none; the generator needs rebalancing", st.denying, st.allowing)
	}
}

// agreeWorld is the organization, the baseline applied with orgsim
// recording, and what the sets are judged against.
type agreeWorld struct {
	t        *testing.T
	w        *world
	scp      *controls.OrganizationPolicies
	target   controls.Target
	orgs     *organizations.Client
	recorded []orgsim.Authorization // deduplicated, sorted
	groups   []agreeGroup           // recorded, by place
	members  []string               // member account ids, sorted
}

// agreeRunID names the run's sessions: the harness's session name is
// orgbaseline-test, and the guard builds aws:userid from the run id.
const agreeRunID = "test"

// agreeSourceIP is where orgsim sees this test's SDK calls come from (the
// httptest server listens on loopback), stated to the guard.
const agreeSourceIP = "127.0.0.1"

// agreeYAML is callsYAML (every control, the trail delegated to the audit
// account, an organization analyzer, an aggregator) with the rules given,
// the SCP control with no policy of its own, and the source address
// stated.
func agreeYAML(rules ...string) string {
	y := callsYAML(true, "ORGANIZATION", true, rules...)
	y = strings.Replace(y, "organization:\n", "organization:\n  guardContext: {aws:SourceIp: "+agreeSourceIP+"}\n", 1)
	return strings.Replace(y, "controls:\n", "controls:\n  serviceControlPolicies: {policies: []}\n  rootAccess: {removeCredentials: [accessKeys, signingCertificates]}\n", 1)
}

// The rules with other parameters (every rule is updated, without the tag
// it was created with), and with one left out (it is deleted).
const (
	agreeRuleIAM2 = "      - {name: keys-rotated, identifier: ACCESS_KEYS_ROTATED, parameters: {maxAccessKeyAge: 60}}\n"
	agreeRuleAll2 = "      - {name: s3-versioning, identifier: S3_BUCKET_VERSIONING_ENABLED, parameters: {isMfaDeleteEnabled: 'false'}}\n"
)

// newAgreeWorld builds the organization (the log archive and audit
// accounts in /Security, a production and a development account under
// /Workloads), enables SCPs, tags the execution role in every member
// account (team=platform in /Security, team=apps elsewhere), and records
// the execution role's requests in member accounts over five runs from a
// clean organization, so that every place the tool works at sees each
// kind of request it makes there: the first run (every create); every
// rule's parameters changed (every rule updated, without the tag it was
// created with); after drift behind the tool's back (updates, a rule
// deleted made again); the parameters changed back (that rule updated
// too); a rule left out (its deletes). The SCP control of the first
// baseline, whose call model covers every run's calls, is the guard
// judged.
func newAgreeWorld(t *testing.T) *agreeWorld {
	t.Helper()
	w := newWorld(t, orgsim.OrgSpec{Members: 4, Clean: true, RootCredentials: true}, agreeYAML(callsRuleIAM, callsRuleAll), nil)
	w.engine.Org.RunID = agreeRunID
	enableSCPs(t, w)
	aw := &agreeWorld{t: t, orgs: orgAPI(w)}
	for _, a := range w.org.Accounts {
		if a.Management {
			continue
		}
		aw.members = append(aw.members, a.ID)
		team := "apps"
		if strings.HasPrefix(a.OUPath, "/Security") {
			team = "platform"
		}
		// The execution role is the account's administrator.
		if _, err := iam.NewFromConfig(w.as(a.ID, callsHome)).TagRole(bg, &iam.TagRoleInput{
			RoleName: aws.String(w.engine.Org.ExecutionRole), Tags: []iamtypes.Tag{{Key: aws.String("team"), Value: aws.String(team)}}}); err != nil {
			t.Fatal(err)
		}
	}
	sort.Strings(aw.members)
	var all []orgsim.Authorization
	record := func(w *world) {
		w.sim.Record(true)
		w.converge()
		all = append(all, w.sim.Authorizations()...)
		w.sim.Record(false)
	}
	changed := otWorldOn(t, w, agreeYAML(agreeRuleIAM2, agreeRuleAll2))
	record(w)
	record(changed)
	callsDrift(t, w)
	record(changed)
	record(w)
	record(otWorldOn(t, w, agreeYAML(agreeRuleIAM2)))
	aw.w = w
	aw.recorded = agreeKeep(all, w.engine.Org)
	if len(aw.recorded) == 0 {
		t.Fatal("orgsim recorded no request of the execution role in a member account")
	}
	aw.groups = agreeGroups(aw.recorded)
	for _, c := range aw.w.engine.Controls {
		if s, ok := c.(*controls.OrganizationPolicies); ok {
			aw.scp = s
		}
	}
	if aw.scp == nil {
		t.Fatal("the baseline has no serviceControlPolicies control")
	}
	aw.target = controls.Target{
		AccountID: w.org.ManagementAccountID, AccountName: "Management", Region: callsHome, Config: w.cfg, Org: w.engine.Org,
		Warn: func(string) {}, Wait: &awsapi.Waiter{Sleep: w.sim.Sleep},
	}
	return aw
}

// agreeKeep keeps the execution role's requests in member accounts, and
// those of the root sessions (sts:AssumeRoot) there, one of each
// (account, region, action, resource, request keys).
func agreeKeep(all []orgsim.Authorization, o *controls.Org) []orgsim.Authorization {
	role := ":assumed-role/" + o.ExecutionRole + "/orgbaseline-"
	seen := map[string]bool{}
	var out []orgsim.Authorization
	for _, a := range all {
		rootSession := strings.HasSuffix(a.PrincipalARN, ":"+a.Account+":root") && slices.Equal(a.Request.Context["aws:assumedroot"], []string{"true"})
		if !(strings.Contains(a.PrincipalARN, role) || rootSession) || a.Account == o.ManagementAccountID {
			continue
		}
		k := agreeAuthKey(a)
		if !seen[k] {
			seen[k] = true
			out = append(out, a)
		}
	}
	sort.Slice(out, func(i, j int) bool { return agreeAuthKey(out[i]) < agreeAuthKey(out[j]) })
	return out
}

func agreeAuthKey(a orgsim.Authorization) string {
	own := serviceKeys(a.Request.Context)
	for _, k := range []string{"aws:resourceaccount", "aws:resourceorgid", "aws:resourceorgpaths"} {
		own[k] = a.Request.Context[k]
	}
	keys, _ := json.Marshal(own)
	return strings.Join([]string{a.Account, requestedRegion(a), a.Request.Action, a.Request.Resource, string(keys)}, " ")
}

// agreeStats count what the sets exercised.
type agreeStats struct {
	judged, denying, allowing, excused int
}

// agreeGroup are the recorded requests made at one place: in one account
// and region, for one action on one resource. The guard decides per
// call, and one call of the model can stand for requests made with
// different keys (a rule put with its tag when created, without when
// updated; a bucket read before it exists and after), so a place is
// refused when any request made there would be denied.
type agreeGroup struct {
	auths []*orgsim.Authorization
}

func agreeGroups(recorded []orgsim.Authorization) []agreeGroup {
	var out []agreeGroup
	index := map[string]int{}
	for i := range recorded {
		a := &recorded[i]
		k := strings.Join([]string{a.Account, requestedRegion(*a), strings.ToLower(a.Request.Action), a.Request.Resource}, " ")
		j, ok := index[k]
		if !ok {
			j = len(out)
			index[k] = j
			out = append(out, agreeGroup{})
		}
		out[j].auths = append(out[j].auths, a)
	}
	return out
}

// agreeDisagreement is one place the two verdicts differ on (auth nil: a
// refusal of the guard's that is a disagreement by itself).
type agreeDisagreement struct {
	auth    *orgsim.Authorization    // the request orgsim denies, else the first made there
	orgsim  string                   // orgsim's reason, "" when it allows every request there
	refused []*controls.GuardRefusal // the guard's refusals there
	why     string
}

// disagreements installs set, takes both verdicts, compares them and
// removes the set.
func (aw *agreeWorld) disagreements(set agreeSet, st *agreeStats) []agreeDisagreement {
	aw.t.Helper()
	undo := aw.install(set)
	defer undo()
	refusals, unread := aw.guardVerdict(set)
	excused := agreeExcused(refusals, unread)
	var out []agreeDisagreement
	denied := false
	for _, g := range aw.groups {
		a, reason := g.auths[0], ""
		for _, b := range g.auths {
			if r := aw.w.sim.SCPDenial(b.Account, b.Request); r != "" {
				a, reason = b, r
				break
			}
		}
		denied = denied || reason != ""
		matched := agreeMatching(refusals, a)
		refuses, unknown, skip := false, false, false
		for _, f := range matched {
			switch {
			case f.Kind != controls.GuardUnknown:
				refuses = true
			case excused[f]:
				skip = true
			default:
				unknown = true
			}
		}
		d := agreeDisagreement{auth: a, orgsim: reason, refused: matched}
		switch {
		case unknown:
			d.why = "the guard cannot decide a request orgsim decides"
		case skip && !refuses:
			st.excused++
		case refuses && reason == "":
			d.why = "the guard refuses a call orgsim allows"
		case !refuses && reason != "":
			d.why = "orgsim denies a request the guard allows"
		}
		if d.why != "" {
			out = append(out, d)
		}
		st.judged++
	}
	for _, f := range refusals {
		if f.Kind == controls.GuardUnknown && !excused[f] && len(agreeMatchedAny(f, aw.recorded)) == 0 {
			out = append(out, agreeDisagreement{refused: []*controls.GuardRefusal{f}, why: "the guard cannot decide a call on a key it should know"})
		}
	}
	if denied {
		st.denying++
	} else {
		st.allowing++
	}
	return out
}

// guardVerdict runs the SCP control's Observe and Diff as a plan does and
// returns the lockout guard's refusals (none when it passes), and the
// accounts where orgsim denied the guard reading the execution role.
func (aw *agreeWorld) guardVerdict(set agreeSet) ([]*controls.GuardRefusal, map[string]bool) {
	aw.t.Helper()
	aw.w.sim.Record(true)
	obs, err := aw.scp.Observe(bg, aw.target)
	reads := aw.w.sim.Authorizations()
	aw.w.sim.Record(false)
	if err != nil {
		aw.t.Fatalf("observe the SCPs of %s: %v", set.describe(), err)
	}
	unread := map[string]bool{}
	role := ":role/" + aw.w.engine.Org.ExecutionRole
	for _, a := range reads {
		if strings.EqualFold(a.Request.Action, "iam:GetRole") && strings.HasSuffix(a.Request.Resource, role) && a.SCPDenied != "" {
			unread[a.Account] = true
		}
	}
	_, err = aw.scp.Diff(aw.target, obs)
	if err == nil {
		return nil, unread
	}
	var le *controls.LockoutError
	if !errors.As(err, &le) {
		aw.t.Fatalf("the SCP control's plan failed otherwise than by the lockout guard: %v\n%s", err, set.describe())
	}
	return le.Refusals, unread
}

// agreeMatching are the refusals with a place for a: its account, the
// region it named, its action, a resource covering the one authorized.
func agreeMatching(refusals []*controls.GuardRefusal, a *orgsim.Authorization) []*controls.GuardRefusal {
	var out []*controls.GuardRefusal
	for _, f := range refusals {
		if !strings.EqualFold(f.Action, a.Request.Action) {
			continue
		}
		for _, p := range f.Places {
			if p.AccountID == a.Account && p.Region == requestedRegion(*a) && resourceCovers(p.Resource, a.Request.Resource) {
				out = append(out, f)
				break
			}
		}
	}
	return out
}

// agreeMatchedAny are the recorded requests f has a place for.
func agreeMatchedAny(f *controls.GuardRefusal, recorded []orgsim.Authorization) []*orgsim.Authorization {
	var out []*orgsim.Authorization
	for i := range recorded {
		if len(agreeMatching([]*controls.GuardRefusal{f}, &recorded[i])) > 0 {
			out = append(out, &recorded[i])
		}
	}
	return out
}

// agreeExcused are the refusals for keys of the execution role
// (aws:userid, aws:PrincipalTag) in accounts where orgsim denied the
// guard reading the role (unread): the guard cannot know them there, and
// says so, rightly.
func agreeExcused(refusals []*controls.GuardRefusal, unread map[string]bool) map[*controls.GuardRefusal]bool {
	out := map[*controls.GuardRefusal]bool{}
	for _, f := range refusals {
		if f.Kind != controls.GuardUnknown || len(f.Keys) != 1 {
			continue
		}
		if k := strings.ToLower(f.Keys[0]); k != "aws:userid" && !strings.HasPrefix(k, "aws:principaltag/") {
			continue
		}
		all := true
		for _, p := range f.Places {
			all = all && unread[p.AccountID]
		}
		out[f] = all
	}
	return out
}

// install creates and attaches set's policies as the management account
// (unmanaged policies: the guard evaluates them as in force), detaching
// FullAWSAccess where an allow list replaces it; the returned func undoes
// it all.
func (aw *agreeWorld) install(set agreeSet) (undo func()) {
	aw.t.Helper()
	var created, detachedFAA []string
	type attachment struct{ policy, target string }
	var attached []attachment
	undo = func() {
		for _, tg := range detachedFAA {
			aw.must("reattach FullAWSAccess", aw.attach("p-FullAWSAccess", tg))
		}
		for _, at := range attached {
			_, err := aw.orgs.DetachPolicy(bg, &organizations.DetachPolicyInput{PolicyId: aws.String(at.policy), TargetId: aws.String(at.target)})
			aw.must("detach", err)
		}
		for _, id := range created {
			_, err := aw.orgs.DeletePolicy(bg, &organizations.DeletePolicyInput{PolicyId: aws.String(id)})
			aw.must("delete", err)
		}
	}
	for i, p := range set.Policies {
		out, err := aw.orgs.CreatePolicy(bg, &organizations.CreatePolicyInput{Name: aws.String(fmt.Sprintf("agree-%d", i)),
			Description: aws.String("agreement test"), Content: aws.String(p.document()), Type: orgtypes.PolicyTypeServiceControlPolicy})
		if err != nil {
			undo()
			aw.t.Fatalf("create policy %d: %v\n%s", i, err, set.describe())
		}
		id := aws.ToString(out.Policy.PolicySummary.Id)
		created = append(created, id)
		aw.must("attach", aw.attach(id, p.Target))
		attached = append(attached, attachment{id, p.Target})
	}
	for _, p := range set.Policies {
		if p.AllowList && !slices.Contains(detachedFAA, p.Target) {
			_, err := aw.orgs.DetachPolicy(bg, &organizations.DetachPolicyInput{PolicyId: aws.String("p-FullAWSAccess"), TargetId: aws.String(p.Target)})
			aw.must("detach FullAWSAccess", err)
			detachedFAA = append(detachedFAA, p.Target)
		}
	}
	return undo
}

func (aw *agreeWorld) attach(policy, target string) error {
	_, err := aw.orgs.AttachPolicy(bg, &organizations.AttachPolicyInput{PolicyId: aws.String(policy), TargetId: aws.String(target)})
	return err
}

func (aw *agreeWorld) must(what string, err error) { agreeMust(aw.t, what, err) }

// agreeMust fails t when an SDK call of an agreement test fails.
func agreeMust(t testing.TB, what string, err error) {
	t.Helper()
	if err != nil {
		t.Fatalf("%s: %v", what, err)
	}
}

// shrink drops policies, statements, conditions, values and entries of
// set while a disagreement remains, and returns the smallest set found
// with its disagreements.
func (aw *agreeWorld) shrink(set agreeSet, ds []agreeDisagreement) (agreeSet, []agreeDisagreement) {
	return shrinkSet(set, ds, nil, aw.disagreements)
}

// shrinkSet is the shrinking of the agreement tests: it takes the first
// smaller set (valid, when valid is not nil) on which disagree still finds
// a disagreement, until none does.
func shrinkSet(set agreeSet, ds []agreeDisagreement, valid func(agreeSet) bool, disagree func(agreeSet, *agreeStats) []agreeDisagreement) (agreeSet, []agreeDisagreement) {
	var st agreeStats
	for changed := true; changed; {
		changed = false
		for _, c := range set.smaller() {
			if valid != nil && !valid(c) {
				continue
			}
			if cds := disagree(c, &st); len(cds) > 0 {
				set, ds, changed = c, cds, true
				break
			}
		}
	}
	return set, ds
}

// describeDisagreements prints each disagreement: the request, orgsim's
// verdict and the guard's refusals for it.
func describeDisagreements(ds []agreeDisagreement) string {
	var b strings.Builder
	for i, d := range ds {
		if i == 5 {
			fmt.Fprintf(&b, "... and %d more\n", len(ds)-i)
			break
		}
		fmt.Fprintf(&b, "disagreement: %s\n", d.why)
		if a := d.auth; a != nil {
			fmt.Fprintf(&b, "  request: %s on %s in account %s, requested region %s (operation %s), request keys %v\n",
				a.Request.Action, a.Request.Resource, a.Account, requestedRegion(*a), a.Operation, serviceKeys(a.Request.Context))
			verdict := "allows it"
			if d.orgsim != "" {
				verdict = "denies it " + d.orgsim
			}
			fmt.Fprintf(&b, "  orgsim: %s\n", verdict)
		}
		if len(d.refused) == 0 {
			b.WriteString("  guard: no refusal for it\n")
		}
		for _, f := range d.refused {
			fmt.Fprintf(&b, "  guard (%s): %s\n", f.Kind, f.String())
		}
	}
	return b.String()
}
