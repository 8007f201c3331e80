package cli

import (
	"encoding/json"
	"fmt"
	"strings"
	"testing"

	"github.com/orgbaseline/orgbaseline/internal/orgsim"
)

// The RCP lockout guard through `plan` on orgsim: RCP sets that would stop
// CloudTrail's or Config's deliveries to the log buckets, CloudTrail's use
// of the trail's KMS key, or orgbaseline's own sts:AssumeRole into the
// member accounts are refused, naming the RCP, statement, resource and
// caller; AWS's data-perimeter RCP, which exempts AWS services and the
// organization's principals, plans. The organization is the SCP guard
// tests' (guard_test.go); placeholders as there.

// rcpGuardBaseline: every control that calls into member accounts or makes
// a service deliver there, the trail's key in the audit account when %s
// says so, and the RCPs. %s: the trail bucket's extra settings, the RCPs.
const rcpGuardBaseline = `version: 1
organization:
  regions: [us-east-1, eu-west-1]
  accounts: {logArchive: Log Archive, audit: Audit}
controls:
  passwordPolicy:
    minimumPasswordLength: 14
  organizationTrail:
    name: whytest-trail
    bucket: {name: whytest-trail-logs%s}
  config:
    bucket: {name: whytest-config-logs}
  resourceControlPolicies:
    policies:
%s`

// rcpTrailKey is the trail's KMS key, in the audit account.
const rcpTrailKey = "arn:aws:kms:us-east-1:{acct:Audit}:key/1234abcd-12ab-34cd-56ef-1234567890ab"

// rcpCase is one RCP set and how plan must judge it.
type rcpCase struct {
	name string
	rcps []guardSCP
	// key puts the trail's KMS key in the audit account.
	key bool
	// lines: for each, one line of the refusal names every string of it
	// (the RCP quoted, the Sid, the account, the action, the resource,
	// the caller).
	lines [][]string
	// keys: condition keys the refusal names.
	keys []string
	// also: named anywhere in the output.
	also []string
}

func (c rcpCase) yaml(t *testing.T) string {
	t.Helper()
	var pol strings.Builder
	for _, p := range c.rcps {
		doc, err := json.Marshal(map[string]any{"Version": "2012-10-17", "Statement": p.stmts})
		if err != nil {
			t.Fatal(err)
		}
		fmt.Fprintf(&pol, "      - name: %s\n        targets: [%s]\n        document: '%s'\n",
			p.name, strings.Join(p.targets, ", "), strings.ReplaceAll(string(doc), "'", "''"))
	}
	bucket := ""
	if c.key {
		bucket = ", kmsKeyId: " + rcpTrailKey
	}
	return fmt.Sprintf(rcpGuardBaseline, bucket, pol.String())
}

// rcpPlan runs plan on the case's baseline.
func rcpPlan(t *testing.T, h *harness, c rcpCase) (result, *strings.Replacer) {
	t.Helper()
	hh := *h
	hh.t = t
	ids := guardIDs(&hh)
	f := hh.write("rcp.yaml", ids.Replace(c.yaml(t)))
	return hh.run("plan", "-f", f, "--detailed-exitcode"), ids
}

// rcpStmt is a Deny of actions on every resource under the condition.
func rcpStmt(sid string, actions any, c cond) stmt {
	s := stmt{"Sid": sid, "Effect": "Deny", "Principal": "*", "Action": actions, "Resource": "*"}
	if c != nil {
		s["Condition"] = c
	}
	return s
}

// The identity perimeter of AWS's data perimeter RCP
// (aws-samples/data-perimeter-policy-examples,
// resource_control_policies/identity_perimeter_rcp.json, statements
// EnforceOrgIdentities and EnforceConfusedDeputyProtection), with the
// organization's id and one trusted third-party account.
var (
	dpActions = []string{"s3:*", "sqs:*", "kms:*", "secretsmanager:*", "sts:AssumeRole", "sts:DecodeAuthorizationMessage",
		"sts:GetAccessKeyInfo", "sts:GetFederationToken", "sts:GetServiceBearerToken", "sts:GetSessionToken", "sts:SetContext"}
	dpOrgIdentities = rcpStmt("EnforceOrgIdentities", dpActions, cond{
		"StringNotEqualsIfExists": {"aws:PrincipalOrgID": "{org}", "aws:PrincipalAccount": []string{"111122223333"}, "aws:ResourceTag/dp:exclude:identity": "true"},
		"BoolIfExists":            {"aws:PrincipalIsAWSService": "false"},
	})
	dpConfusedDeputy = rcpStmt("EnforceConfusedDeputyProtection", []string{"s3:*", "sqs:*", "kms:*", "secretsmanager:*", "sts:*"}, cond{
		"StringNotEqualsIfExists": {"aws:SourceOrgID": "{org}", "aws:SourceAccount": []string{"111122223333"}, "aws:ResourceTag/dp:exclude:identity": "true"},
		"Null":                    {"aws:SourceAccount": "false"},
		"Bool":                    {"aws:PrincipalIsAWSService": "true"},
	})
)

// orgOnlyWrites denies s3:PutObject to every principal outside the
// organization, AWS services included (no aws:PrincipalIsAWSService
// exemption).
var orgOnlyWrites = rcpStmt("OrgOnlyWrites", "s3:PutObject", cond{"StringNotEqualsIfExists": {"aws:PrincipalOrgID": "{org}"}})

var rcpRefusals = []rcpCase{
	{
		name: "s3:PutObject for the organization's principals only, AWS services not exempted",
		rcps: []guardSCP{{name: "org-only-writes", targets: []string{"ou:/Security"}, stmts: []stmt{orgOnlyWrites}}},
		lines: [][]string{
			{`RCP "org-only-writes"`, "OrgOnlyWrites", "attached at ou:/Security", "{acct:Log Archive}", "s3:PutObject on arn:aws:s3:::whytest-trail-logs/AWSLogs/",
				"the service principal cloudtrail.amazonaws.com"},
			{`RCP "org-only-writes"`, "OrgOnlyWrites", "{acct:Log Archive}", "s3:PutObject on arn:aws:s3:::whytest-config-logs/AWSLogs/",
				"the service principal config.amazonaws.com"},
		},
		keys: []string{"aws:PrincipalOrgID"},
		also: []string{`"BoolIfExists": {"aws:PrincipalIsAWSService": "false"}`, `"aws:SourceOrgID": "{org}"`},
	},
	{
		name: "sts:AssumeRole only for principals tagged as the platform team",
		rcps: []guardSCP{{name: "tagged-assume", targets: []string{"ou:/Workloads"},
			stmts: []stmt{rcpStmt("PlatformOnly", "sts:AssumeRole", cond{"StringNotEquals": {"aws:PrincipalTag/team": "platform"}})}}},
		lines: [][]string{{`RCP "tagged-assume"`, "PlatformOnly", "may deny", "{acct:prod-001}", "{acct:dev-002}",
			"sts:AssumeRole on arn:aws:iam::", ":role/" + guardRole, "orgbaseline's sts:AssumeRole from arn:aws:iam::", ":user/"}},
		keys: []string{"aws:PrincipalTag/team"},
		also: []string{"cannot know aws:PrincipalTag/team of the identity orgbaseline runs with", `"aws:PrincipalOrgID": "{org}"`},
	},
	{
		name: "sts:AssumeRole only from another organization",
		rcps: []guardSCP{{name: "other-org", targets: []string{"root"},
			stmts: []stmt{rcpStmt("OtherOrgOnly", "sts:AssumeRole", cond{"StringNotEqualsIfExists": {"aws:PrincipalOrgID": "o-aaaaaaaaaa"}})}}},
		lines: [][]string{{`RCP "other-org"`, "OtherOrgOnly", "denies", "attached at root", "{acct:Audit}", "and 2 more",
			"sts:AssumeRole on arn:aws:iam::", ":role/" + guardRole, "orgbaseline's sts:AssumeRole from"}},
		keys: []string{"aws:PrincipalOrgID"},
	},
	{
		name: "kms:* for the organization's principals only, the trail's key in a member account",
		key:  true,
		rcps: []guardSCP{{name: "org-only-keys", targets: []string{"ou:/Security"},
			stmts: []stmt{rcpStmt("OrgOnlyKeys", "kms:*", cond{"StringNotEqualsIfExists": {"aws:PrincipalOrgID": "{org}"}})}}},
		lines: [][]string{{`RCP "org-only-keys"`, "OrgOnlyKeys", "{acct:Audit}", "kms:GenerateDataKey on " + rcpTrailKey,
			"the service principal cloudtrail.amazonaws.com"}},
	},
	{
		name: "s3:PutBucketPolicy denied but to a break-glass role",
		rcps: []guardSCP{{name: "bucket-policy-lock", targets: []string{"ou:/Security"},
			stmts: []stmt{rcpStmt("BreakGlassOnly", "s3:PutBucketPolicy", cond{"ArnNotLike": {"aws:PrincipalArn": "arn:aws:iam::*:role/BreakGlass"}})}}},
		lines: [][]string{{`RCP "bucket-policy-lock"`, "BreakGlassOnly", "{acct:Log Archive}", "s3:PutBucketPolicy on arn:aws:s3:::whytest-trail-logs",
			"by the execution role"}},
		also: []string{"ArnNotLike aws:PrincipalArn arn:aws:iam::*:role/" + guardRole},
	},
}

var rcpSafe = []rcpCase{
	{
		name: "AWS's data perimeter RCP at the root",
		key:  true,
		rcps: []guardSCP{{name: "data-perimeter", targets: []string{"root"}, stmts: []stmt{dpOrgIdentities, dpConfusedDeputy}}},
	},
	{
		name: "s3:PutObject for the organization's principals only, AWS services exempted",
		rcps: []guardSCP{{name: "org-only-writes", targets: []string{"root"}, stmts: []stmt{rcpStmt("OrgOnlyWrites", "s3:PutObject", cond{
			"StringNotEqualsIfExists": {"aws:PrincipalOrgID": "{org}"}, "BoolIfExists": {"aws:PrincipalIsAWSService": "false"}})}}},
	},
	{
		name: "kms:* for the organization's principals only, the trail's key in a member account, AWS services exempted",
		key:  true,
		rcps: []guardSCP{{name: "org-only-keys", targets: []string{"ou:/Security"}, stmts: []stmt{rcpStmt("OrgOnlyKeys", "kms:*", cond{
			"StringNotEqualsIfExists": {"aws:PrincipalOrgID": "{org}"}, "BoolIfExists": {"aws:PrincipalIsAWSService": "false"}})}}},
	},
	{
		name: "kms:* denied outside the organization, the trail using no key",
		rcps: []guardSCP{{name: "org-only-keys", targets: []string{"root"},
			stmts: []stmt{rcpStmt("OrgOnlyKeys", "kms:*", cond{"StringNotEqualsIfExists": {"aws:PrincipalOrgID": "{org}"}})}}},
	},
	{
		name: "sts:AssumeRole for the organization's principals only",
		rcps: []guardSCP{{name: "org-only-assume", targets: []string{"root"},
			stmts: []stmt{rcpStmt("OrgOnlyAssume", "sts:AssumeRole", cond{"StringNotEqualsIfExists": {"aws:PrincipalOrgID": "{org}"}})}}},
	},
}

// TestRCPGuardRefusesWhatStopsDeliveriesOrTheTool: every RCP set that
// would deny CloudTrail's or Config's deliveries, CloudTrail's use of the
// trail's key, orgbaseline's AssumeRole or the execution role's calls is
// refused by plan, naming what denies what and who is denied.
func TestRCPGuardRefusesWhatStopsDeliveriesOrTheTool(t *testing.T) {
	h := newHarness(t, orgsim.OrgSpec{Members: guardMembers, Clean: true})
	for _, c := range rcpRefusals {
		t.Run(c.name, func(t *testing.T) {
			r, ids := rcpPlan(t, h, c)
			out := r.stdout + r.stderr
			if r.code != ExitError || !strings.Contains(out, "lockout guard: the RCPs in force after this plan") {
				t.Fatalf("plan exit code %d, want %d with an RCP lockout guard refusal\nstdout:\n%s\nstderr:\n%s", r.code, ExitError, tail(r.stdout), r.stderr)
			}
			for _, line := range c.lines {
				var want []string
				for _, w := range line {
					want = append(want, ids.Replace(w))
				}
				named := false
				for _, l := range refusalEntries(out) {
					named = named || containsAll(l, want) && containsAllFold(l, c.keys)
				}
				if !named {
					t.Errorf("no refused request names all of %q and the keys %q:\n%s", want, c.keys, out)
				}
			}
			for _, w := range c.also {
				if w = ids.Replace(w); !strings.Contains(out, w) {
					t.Errorf("the refusal does not name %q:\n%s", w, out)
				}
			}
		})
	}
}

// TestRCPGuardPlansWhatLeavesDeliveriesAndTheTool: AWS's data perimeter
// RCP and the refused sets with AWS's documented exemptions plan.
func TestRCPGuardPlansWhatLeavesDeliveriesAndTheTool(t *testing.T) {
	h := newHarness(t, orgsim.OrgSpec{Members: guardMembers, Clean: true})
	for _, c := range rcpSafe {
		t.Run(c.name, func(t *testing.T) {
			r, _ := rcpPlan(t, h, c)
			wantPlanned(t, r)
		})
	}
}
