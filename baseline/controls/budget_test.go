package controls_test

import (
	"fmt"
	"maps"
	"slices"
	"strings"
	"testing"

	"github.com/orgbaseline/orgbaseline/internal/orgsim"
	"github.com/orgbaseline/orgbaseline/orgwalk"
)

// The call budget of the example baseline (BENCHMARKS.md, "Call budget"):
// the calls each control makes per member account, in its home region and
// in each additional governed region. TestCallBudget holds the code to it
// exactly: a call added (or removed) anywhere fails the test until the
// budget here and in BENCHMARKS.md is updated.

// budgetLine is one operation of the budget: calls in the home region and
// in each additional governed region.
type budgetLine struct {
	control, service, op string
	home, perRegion      int64
}

// memberPlan is what `orgbaseline plan` reads in every member account.
// sts:AssumeRole is made once per member account but counted by orgsim in
// the management account, its caller; it is checked separately.
var memberPlan = []budgetLine{
	{"passwordPolicy", "iam", "GetAccountPasswordPolicy", 1, 0},
	{"configRole", "iam", "GetRole", 1, 0},
	{"config", "config", "DescribeConfigurationRecorders", 1, 1},
	{"config", "config", "DescribeConfigurationRecorderStatus", 1, 1}, // only once a recorder exists
	{"config", "config", "DescribeDeliveryChannels", 1, 1},
	{"config", "config", "DescribeConfigRules", 1, 1},
}

// memberFirstPlan is the plan of an account where nothing is set yet (the
// plan an apply from scratch starts with): no recorder, so no status read.
var memberFirstPlan = without(memberPlan, "DescribeConfigurationRecorderStatus")

// memberApply is what applying that first plan writes in every member
// account (5 config rules in the example baseline, in the home region).
var memberApply = []budgetLine{
	{"passwordPolicy", "iam", "UpdateAccountPasswordPolicy", 1, 0},
	{"configRole", "iam", "CreateServiceLinkedRole", 1, 0},
	{"config", "config", "PutConfigurationRecorder", 1, 1},
	{"config", "config", "PutDeliveryChannel", 1, 1},
	{"config", "config", "PutConfigRule", budgetRules, 0}, // all five evaluate IAM: home region only (controls.config.iamRulesInEveryRegion)
	{"config", "config", "StartConfigurationRecorder", 1, 1},
}

const budgetRules = 5

// Organization scope, on top of the member budget, in the audit account
// (accessAnalyzer ORGANIZATION: the analyzer of each region) and in the
// log-archive account (the two log buckets, home region only:
// organizationTrail's and configOrganization's).
var (
	auditPlan      = []budgetLine{{"accessAnalyzer", "access-analyzer", "ListAnalyzers", 1, 1}}
	auditFirstPlan = auditPlan
	auditApply     = []budgetLine{
		{"accessAnalyzer", "access-analyzer", "CreateAnalyzer", 1, 1},
		{"accessAnalyzer", "access-analyzer", "ListAnalyzers", 1, 1}, // is it ACTIVE yet (or FAILED)?
	}
	logArchivePlan = []budgetLine{
		{"buckets", "s3", "HeadBucket", 2, 0},
		{"buckets", "s3", "GetBucketEncryption", 2, 0},
		{"buckets", "s3", "GetBucketPolicy", 2, 0},
		{"buckets", "s3", "GetBucketVersioning", 2, 0},
		{"buckets", "s3", "GetPublicAccessBlock", 2, 0},
	}
	logArchiveFirstPlan = []budgetLine{{"buckets", "s3", "HeadBucket", 2, 0}}
	logArchiveApply     = []budgetLine{
		{"buckets", "s3", "CreateBucket", 2, 0},
		{"buckets", "s3", "GetBucketPolicy", 2, 0},
		{"buckets", "s3", "PutBucketEncryption", 2, 0},
		{"buckets", "s3", "PutBucketPolicy", 2, 0},
		{"buckets", "s3", "PutBucketVersioning", 2, 0},
		{"buckets", "s3", "PutPublicAccessBlock", 2, 0},
	}
)

// managementPlan is the organization scope's reads in the management
// account for a no-op plan, given the organization's size: everything is
// fixed but the reads of where the SCPs are attached. The targets of each
// customer SCP are listed (a page per 20: orgbaseline-guardrails is on the
// root); FullAWSAccess is attached to the root, every OU and every
// account, and its attachments cost the cheaper of a page per 20 of those
// targets, or one ListPoliciesForTarget per target that has another SCP
// (the root) with the rest inferred.
func managementPlan(o *orgwalk.Org) map[string]int64 {
	fullAccessTargets := 1 + len(o.OUs) + len(o.Accounts)
	withOtherSCPs := int64(1)
	listPages, perTarget := pages(fullAccessTargets), int64(0)
	if withOtherSCPs < listPages {
		listPages, perTarget = 0, withOtherSCPs
	}
	calls := map[string]int64{
		"cloudtrail GetTrail":                               1, // organizationTrail
		"cloudtrail GetTrailStatus":                         1,
		"cloudtrail GetEventSelectors":                      1,
		"organizations ListAWSServiceAccessForOrganization": 2, // accessAnalyzer, organizationTrail
		"organizations ListDelegatedAdministrators":         1, // accessAnalyzer
		"organizations ListRoots":                           1, // serviceControlPolicies
		"organizations ListPolicies":                        1,
		"organizations ListTagsForResource":                 1, // per customer SCP
		"organizations DescribePolicy":                      2, // FullAWSAccess and orgbaseline-guardrails
		"organizations ListTargetsForPolicy":                listPages + pages(1),
	}
	if perTarget > 0 {
		calls["organizations ListPoliciesForTarget"] = perTarget
	}
	return calls
}

// managementFirstPlan and managementApply are the same for an apply from
// scratch: SCPs are not enabled yet, so no targets are listed.
var (
	managementFirstPlan = map[string]int64{
		"cloudtrail GetTrail":                               1,
		"organizations ListAWSServiceAccessForOrganization": 2,
		"organizations ListDelegatedAdministrators":         1,
		"organizations ListRoots":                           1,
		"organizations ListPolicies":                        1,
		"organizations DescribePolicy":                      1, // FullAWSAccess
	}
	managementApply = map[string]int64{
		"cloudtrail CreateTrail":                       1,
		"cloudtrail StartLogging":                      1,
		"organizations EnableAWSServiceAccess":         2,
		"organizations RegisterDelegatedAdministrator": 1,
		"organizations ListRoots":                      3, // the type's status before enabling it, then ENABLED yet?, then the SCPs' read below
		"organizations EnablePolicyType":               1,
		"organizations CreatePolicy":                   1,
		"organizations AttachPolicy":                   1,
		// The SCPs read once more before the first attachment, to check
		// it at execution time (policyinvariants.go): the policies, the new
		// one's tags and targets, its and FullAWSAccess's documents.
		"organizations ListPolicies":         1,
		"organizations ListTagsForResource":  1,
		"organizations ListTargetsForPolicy": 1,
		"organizations DescribePolicy":       2,
	}
)

func pages(n int) int64 { return int64((n + 19) / 20) }

// budgetAWSLike is AWS as orgsim models it, but settling at once: the
// budget counts the calls the tool makes when nothing has to be waited
// for. A wait for AWS adds its own polls (a ListRoots, a ListAnalyzers)
// or retries (a PutDeliveryChannel, a CreateAnalyzer), one per step of
// its backoff, as many as AWS takes to settle (BENCHMARKS.md, "Call
// budget").
func budgetAWSLike() *orgsim.AWSLike {
	l := orgsim.DefaultAWSLike()
	l.PropagationDelay, l.PolicyTypeDelay, l.AnalyzerCreateDelay, l.CredentialReportDelay = 0, 0, 0, 0
	return &l
}

func without(b []budgetLine, op string) []budgetLine {
	return slices.DeleteFunc(slices.Clone(b), func(l budgetLine) bool { return l.op == op })
}

// expect turns budget lines into "service operation" -> calls for n regions.
func expect(regions int, lists ...[]budgetLine) map[string]int64 {
	out := map[string]int64{}
	for _, b := range lists {
		for _, l := range b {
			out[l.service+" "+l.op] += l.home + int64(regions-1)*l.perRegion
		}
	}
	return out
}

// byOp sums a snapshot's rows of one account by "service operation".
func byOp(sn orgsim.Snapshot, account string) map[string]int64 {
	out := map[string]int64{}
	for _, r := range sn.Filter(func(r orgsim.CallStat) bool { return r.Account == account }) {
		out[r.Service+" "+r.Operation] += r.Calls
	}
	return out
}

func budgetYAML(regions []string) string {
	return `version: 1
extends: [cis-aws-foundations-3.0]
organization:
  executionRole: OrganizationAccountAccessRole
  homeRegion: ` + regions[0] + `
  regions: [` + strings.Join(regions, ", ") + `]
  accounts:
    logArchive: Log Archive
    audit: Audit
targets:
  include: [root]
controls:
  passwordPolicy:
    maxPasswordAge: 90
  serviceControlPolicies:
    policies:
      - name: orgbaseline-guardrails
        targets: [root]
        document: |
          {"Version": "2012-10-17", "Statement": [
            {"Sid": "DenyLeavingTheOrganization", "Effect": "Deny", "Action": "organizations:LeaveOrganization", "Resource": "*"}]}
  config:
    rules:
      - identifier: IAM_ROOT_ACCESS_KEY_CHECK
      - identifier: ROOT_ACCOUNT_MFA_ENABLED
      - identifier: MFA_ENABLED_FOR_IAM_CONSOLE_ACCESS
      - identifier: ACCESS_KEYS_ROTATED
        parameters: {maxAccessKeyAge: 90}
      - identifier: IAM_USER_UNUSED_CREDENTIALS_CHECK
        parameters: {maxCredentialUsageAge: 45}
`
}

// freshSessions forgets the assumed roles, as a new run of orgbaseline
// starts without them.
func (w *world) freshSessions() {
	w.sessions = orgwalk.NewSessions(w.cfg, orgwalk.SessionOptions{Role: w.baseline.Organization.ExecutionRole,
		SessionName: "orgbaseline-test", ManagementAccountID: w.org.ManagementAccountID, Partition: w.partition})
	w.engine.Sessions = w.sessions
	w.engine.Org.Sessions = w.sessions
}

// checkBudget compares each account's calls with the budget and returns
// the calls of an ordinary member account (not the audit or log archive).
func checkBudget(t *testing.T, w *world, phase string, regions int, sn orgsim.Snapshot,
	member, audit, logArchive []budgetLine, management map[string]int64) map[string]int64 {
	t.Helper()
	var perMember map[string]int64
	for _, a := range w.org.Accounts {
		var want map[string]int64
		switch {
		case a.Management:
			want = management
		case a.Name == "Audit":
			want = expect(regions, member, audit)
		case a.Name == "Log Archive":
			want = expect(regions, member, logArchive)
		default:
			want = expect(regions, member)
		}
		got := byOp(sn, a.ID)
		if a.Management {
			// sts:AssumeRole: once per member account, called from here.
			if n := got["sts AssumeRole"]; phase != "apply" && n != int64(len(w.org.Accounts)-1) {
				t.Errorf("%s: sts:AssumeRole %d calls, want one per member account (%d)", phase, n, len(w.org.Accounts)-1)
			}
			delete(got, "sts AssumeRole")
		} else if perMember == nil && a.Name != "Audit" && a.Name != "Log Archive" {
			perMember = got
		}
		if !maps.Equal(got, want) {
			t.Errorf("%s, %d region(s), %s: calls differ from the budget (BENCHMARKS.md, \"Call budget\"):\n%s",
				phase, regions, a.Label(), diffCalls(got, want))
		}
	}
	return perMember
}

func diffCalls(got, want map[string]int64) string {
	keys := map[string]bool{}
	for k := range got {
		keys[k] = true
	}
	for k := range want {
		keys[k] = true
	}
	var out []string
	for _, k := range slices.Sorted(maps.Keys(keys)) {
		if got[k] != want[k] {
			out = append(out, fmt.Sprintf("  %s: %d calls, budget %d", k, got[k], want[k]))
		}
	}
	return strings.Join(out, "\n")
}

func TestCallBudget(t *testing.T) {
	for _, regions := range [][]string{{"us-east-1"}, {"us-east-1", "eu-west-1"}} {
		perMember := map[int]map[string]int64{}
		memberTotal := map[int]int64{}
		for _, members := range []int{3, 6, 60} {
			t.Run(fmt.Sprintf("%d_members_%d_regions", members, len(regions)), func(t *testing.T) {
				w, err := tryWorld(t, orgsim.Options{Seed: 11, Org: orgsim.OrgSpec{Members: members, Clean: true}, AWSLike: budgetAWSLike()}, budgetYAML(regions), nil)
				if err != nil {
					t.Fatal(err)
				}
				r := len(regions)

				// An apply from scratch: the plan it starts with, then its writes.
				w.sim.ResetCounters()
				p := w.plan()
				if errs := planErrors(p); len(errs) > 0 {
					t.Fatalf("plan errors:\n%s", strings.Join(errs, "\n"))
				}
				sn := w.sim.Counters()
				if n := sn.Writes(); n != 0 {
					t.Errorf("first plan made %d writes", n)
				}
				checkBudget(t, w, "first plan", r, sn, memberFirstPlan, auditFirstPlan, logArchiveFirstPlan, managementFirstPlan)
				w.sim.ResetCounters()
				if errs := w.apply(p); len(errs) > 0 {
					t.Fatalf("apply errors:\n%s", strings.Join(errs, "\n"))
				}
				checkBudget(t, w, "apply", r, w.sim.Counters(), memberApply, auditApply, logArchiveApply, managementApply)

				// A converged no-op plan, as a new run makes it.
				w.freshSessions()
				w.sim.ResetCounters()
				again := w.plan()
				if errs := planErrors(again); len(errs) > 0 {
					t.Fatalf("no-op plan errors:\n%s", strings.Join(errs, "\n"))
				}
				if n := again.ChangeCount(); n != 0 {
					t.Fatalf("no-op plan has %d changes:\n%s", n, describe(again))
				}
				sn = w.sim.Counters()
				if n := sn.Writes(); n != 0 {
					t.Errorf("no-op plan made %d writes", n)
				}
				perMember[members] = checkBudget(t, w, "no-op plan", r, sn, memberPlan, auditPlan, logArchivePlan, managementPlan(w.org))
				memberTotal[members] = sn.Filter(func(c orgsim.CallStat) bool { return c.Account != w.org.ManagementAccountID }).Total()
			})
		}
		// No N+1 across accounts: an ordinary member costs the same in an
		// organization twice the size, and the members' calls grow by
		// exactly that per added account.
		if !maps.Equal(perMember[3], perMember[6]) {
			t.Errorf("%d region(s): a member's no-op plan costs %v with 3 members, %v with 6", len(regions), perMember[3], perMember[6])
		}
		var one int64
		for _, n := range perMember[6] {
			one += n
		}
		if d := memberTotal[6] - memberTotal[3]; d != 3*one {
			t.Errorf("%d region(s): 3 more members cost %d more calls, want 3 x %d", len(regions), d, one)
		}
		if d := memberTotal[60] - memberTotal[6]; d != 54*one {
			t.Errorf("%d region(s): 54 more members cost %d more calls, want 54 x %d", len(regions), d, one)
		}
	}
}
