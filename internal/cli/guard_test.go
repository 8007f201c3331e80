package cli

import (
	"context"
	"encoding/json"
	"fmt"
	"maps"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/organizations"
	orgtypes "github.com/aws/aws-sdk-go-v2/service/organizations/types"

	"github.com/orgbaseline/orgbaseline/internal/orgsim"
)

// The SCP sets of issue 15's "Why", judged by the lockout guard through
// `plan` on orgsim: those that lock orgbaseline out on AWS are refused,
// naming what they deny; the safe ones plan. Every SCP is declared in
// the baseline (a change the plan would make) unless said otherwise.
//
// The organization (guardMembers members): /Security holds Log Archive
// (the trail's and Config's buckets, in the home region us-east-1) and
// Audit (the organization analyzer's delegated administrator);
// /Workloads/Prod holds prod-001 alone, /Workloads/Dev dev-002,
// /Sandbox sandbox-003. In SCP documents and expected strings, {acct:Name}
// stands for an account's id, {ou:/Path} for an OU's id, {root} and {org}
// for the root's and the organization's.

const guardMembers = 5

// guardRole is the execution role orgsim seeds and the baseline uses.
const guardRole = orgsim.DefaultExecutionRole

// guardBaseline is the baseline every case shares: each control that calls
// into member accounts, governing two regions. %s: organization's extra
// lines (guardContext), the targets block, the SCPs.
const guardBaseline = `version: 1
organization:
  regions: [us-east-1, eu-west-1]
  accounts: {logArchive: Log Archive, audit: Audit}
%s%scontrols:
  passwordPolicy:
    minimumPasswordLength: 14
  organizationTrail:
    name: whytest-trail
    bucket: {name: whytest-trail-logs}
  config:
    bucket: {name: whytest-config-logs}
  accessAnalyzer:
    type: ORGANIZATION
    name: whytest-org
  serviceControlPolicies:
    policies:
%s`

// stmt is one SCP statement, as its JSON object.
type stmt map[string]any

// cond is a statement's Condition: operator -> key -> value(s).
type cond map[string]map[string]any

// guardSCP is one SCP the baseline declares.
type guardSCP struct {
	name    string
	targets []string
	stmts   []stmt
}

// guardCase is one SCP set and how plan must judge it.
type guardCase struct {
	name string
	scps []guardSCP
	// context is organization.guardContext as YAML lines under it.
	context []string
	// targets is the baseline's targets block ("": every account).
	targets string
	// args are more plan flags (--target).
	args []string
	// line: one line of the refusal names every one of these (the
	// policy quoted, the Sid, an account id, the action, the resource).
	line []string
	// keys: condition keys the refusal names (IAM keys are
	// case-insensitive: matched so).
	keys []string
	// also: named anywhere in the output.
	also []string
}

// yaml is the baseline of the case.
func (c guardCase) yaml(t *testing.T) string {
	t.Helper()
	extra := ""
	if len(c.context) > 0 {
		extra = "  guardContext:\n    " + strings.Join(c.context, "\n    ") + "\n"
	}
	targets := ""
	if c.targets != "" {
		targets = c.targets + "\n"
	}
	var pol strings.Builder
	for _, p := range c.scps {
		doc, err := json.Marshal(map[string]any{"Version": "2012-10-17", "Statement": p.stmts})
		if err != nil {
			t.Fatal(err)
		}
		fmt.Fprintf(&pol, "      - name: %s\n        targets: [%s]\n        document: '%s'\n",
			p.name, strings.Join(p.targets, ", "), strings.ReplaceAll(string(doc), "'", "''"))
	}
	return fmt.Sprintf(guardBaseline, extra, targets, pol.String())
}

// exempted is the case with every Deny statement exempting the
// execution role, as the guard's hint says to.
func (c guardCase) exempted(t *testing.T) guardCase {
	t.Helper()
	out := c
	out.name = "role exempted, " + c.name
	out.scps = nil
	for _, p := range c.scps {
		q := p
		q.stmts = nil
		for _, s := range p.stmts {
			q.stmts = append(q.stmts, exemptRole(t, s))
		}
		out.scps = append(out.scps, q)
	}
	return out
}

// exemptRole adds ArnNotLike aws:PrincipalArn <the execution role in any
// account> to a Deny statement (beside a value already there).
func exemptRole(t *testing.T, s stmt) stmt {
	t.Helper()
	out := maps.Clone(s)
	if s["Effect"] != "Deny" {
		return out
	}
	c := cond{}
	switch old := s["Condition"].(type) {
	case nil:
	case cond:
		for op, kv := range old {
			c[op] = maps.Clone(kv)
		}
	default:
		t.Fatalf("statement %v: write its Condition as a cond", s["Sid"])
	}
	role := "arn:aws:iam::*:role/" + guardRole
	if c["ArnNotLike"] == nil {
		c["ArnNotLike"] = map[string]any{}
	}
	switch v := c["ArnNotLike"]["aws:PrincipalArn"].(type) {
	case nil:
		c["ArnNotLike"]["aws:PrincipalArn"] = role
	case string:
		c["ArnNotLike"]["aws:PrincipalArn"] = []string{v, role}
	case []string:
		c["ArnNotLike"]["aws:PrincipalArn"] = append(append([]string(nil), v...), role)
	default:
		t.Fatalf("statement %v: write ArnNotLike aws:PrincipalArn as a string or []string", s["Sid"])
	}
	out["Condition"] = c
	return out
}

// guardIDs replaces the {acct:...}, {ou:...}, {root} and {org}
// placeholders with the seeded organization's ids.
func guardIDs(h *harness) *strings.Replacer {
	var r []string
	for _, n := range []string{"Log Archive", "Audit", "prod-001", "dev-002", "sandbox-003"} {
		r = append(r, "{acct:"+n+"}", h.accountID(n))
	}
	for _, p := range []string{"/Security", "/Workloads", "/Workloads/Prod", "/Workloads/Dev", "/Sandbox"} {
		id, ok := h.sim.OUID(p)
		if !ok {
			h.t.Fatalf("no OU %s in the simulated organization", p)
		}
		r = append(r, "{ou:"+p+"}", id)
	}
	return strings.NewReplacer(append(r, "{root}", h.sim.RootID(), "{org}", h.sim.OrganizationID())...)
}

// guardPlan runs plan on the case's baseline with the harness h (shared
// by the cases of a table: plan writes nothing), as subtest t.
func guardPlan(t *testing.T, h *harness, c guardCase) (result, *strings.Replacer) {
	t.Helper()
	hh := *h
	hh.t = t
	ids := guardIDs(&hh)
	f := hh.write("guard.yaml", ids.Replace(c.yaml(t)))
	args := append([]string{"plan", "-f", f, "--detailed-exitcode"}, c.args...)
	for i := range args {
		args[i] = ids.Replace(args[i])
	}
	return hh.run(args...), ids
}

// wantRefused asserts a refusal by the lockout guard naming what c says.
func wantRefused(t *testing.T, r result, ids *strings.Replacer, c guardCase) {
	t.Helper()
	out := r.stdout + r.stderr
	if r.code != ExitError || !strings.Contains(out, "lockout guard") {
		t.Fatalf("plan exit code %d, want %d with a lockout guard refusal\nstdout:\n%s\nstderr:\n%s", r.code, ExitError, tail(r.stdout), r.stderr)
	}
	var want []string
	for _, w := range c.line {
		want = append(want, ids.Replace(w))
	}
	named := false
	for _, l := range refusalEntries(out) {
		if containsAll(l, want) && containsAllFold(l, c.keys) {
			named = true
			break
		}
	}
	if !named {
		t.Errorf("no denied call of the refusal names all of %q and the condition keys %q:\n%s", want, c.keys, out)
	}
	for _, w := range c.also {
		if w = ids.Replace(w); !strings.Contains(out, w) {
			t.Errorf("the refusal does not name %q:\n%s", w, out)
		}
	}
}

// refusalEntries are the denied calls a refusal lists, each with the
// header above it (the policy, statement, attachment and deciding keys):
// the guard writes one paragraph per deciding statement, a header line
// and one "  - " line per call.
func refusalEntries(out string) []string {
	var entries []string
	header := ""
	for _, l := range strings.Split(out, "\n") {
		trimmed := strings.TrimSpace(l)
		switch {
		case strings.HasPrefix(trimmed, "- "):
			entries = append(entries, header+" "+trimmed)
		case strings.HasSuffix(trimmed, ":"):
			header = trimmed
		}
	}
	return entries
}

// wantPlanned asserts plan ran to a plan the lockout guard let through.
func wantPlanned(t *testing.T, r result) {
	t.Helper()
	if (r.code != ExitOK && r.code != ExitChanges) || strings.Contains(r.stdout+r.stderr, "lockout guard") {
		t.Fatalf("plan exit code %d, want %d or %d with no lockout guard refusal\nstdout:\n%s\nstderr:\n%s", r.code, ExitOK, ExitChanges, tail(r.stdout), r.stderr)
	}
}

// tail is what of a plan's output a failure shows: its lines about
// errors and SCPs, and its totals.
func tail(stdout string) string {
	lines := strings.Split(strings.TrimSpace(stdout), "\n")
	var out []string
	for i, l := range lines {
		if i >= len(lines)-3 || strings.Contains(strings.ToLower(l), "error") || strings.Contains(l, "SCP") || strings.Contains(l, "lockout") {
			out = append(out, l)
		}
	}
	return strings.Join(out, "\n")
}

func containsAll(s string, subs []string) bool {
	for _, w := range subs {
		if !strings.Contains(s, w) {
			return false
		}
	}
	return true
}

func containsAllFold(s string, subs []string) bool {
	s = strings.ToLower(s)
	for _, w := range subs {
		if !strings.Contains(s, strings.ToLower(w)) {
			return false
		}
	}
	return true
}

// The IP allow-list of AWS's documentation (IAM user guide, "AWS: Denies
// access to AWS based on the source IP",
// https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_examples_aws_deny-ip.html),
// with a Sid.
var ipAllowList = stmt{"Sid": "DenyOutsideOfficeIPs", "Effect": "Deny", "Action": "*", "Resource": "*",
	"Condition": cond{
		"NotIpAddress": {"aws:SourceIp": []string{"192.0.2.0/24", "203.0.113.0/24"}},
		"Bool":         {"aws:ViaAWSService": "false"},
	}}

// The Config service-linked role, which the recorder is handed
// (iam:PassRole) and which is created if missing, in prod-001.
const prodConfigRole = "arn:aws:iam::{acct:prod-001}:role/aws-service-role/config.amazonaws.com/AWSServiceRoleForConfig"

// onProd denies iam:UpdateAccountPasswordPolicy (which has no resource
// but "*") in prod-001 alone, under condition c.
func onProd(name, sid string, c cond) []guardSCP {
	return []guardSCP{{name: name, targets: []string{"ou:/Workloads/Prod"},
		stmts: []stmt{{"Sid": sid, "Effect": "Deny", "Action": "iam:UpdateAccountPasswordPolicy", "Resource": "*", "Condition": c}}}}
}

// guardRefusals are the sets that lock orgbaseline out: plan refuses them.
var guardRefusals = []guardCase{
	{
		name: "S3 writes denied on arn:aws:s3:::* over the log archive",
		scps: []guardSCP{{name: "no-s3-writes", targets: []string{"ou:/Security"},
			stmts: []stmt{{"Sid": "NoS3Writes", "Effect": "Deny", "Action": []string{"s3:Put*", "s3:CreateBucket"}, "Resource": "arn:aws:s3:::*"}}}},
		line: []string{`"no-s3-writes"`, "NoS3Writes", "{acct:Log Archive}", "s3:PutBucketPolicy", "arn:aws:s3:::whytest-trail-logs"},
	},
	{
		name: "iam:* denied on arn:aws:iam::*:role/*",
		scps: []guardSCP{{name: "no-role-changes", targets: []string{"ou:/Workloads/Prod"},
			stmts: []stmt{{"Sid": "NoRoles", "Effect": "Deny", "Action": "iam:*", "Resource": "arn:aws:iam::*:role/*"}}}},
		line: []string{`"no-role-changes"`, "NoRoles", "{acct:prod-001}", "iam:GetRole", prodConfigRole},
	},
	{
		name: "exemption naming another role through ${aws:PrincipalAccount}",
		scps: []guardSCP{{name: "break-glass-only", targets: []string{"ou:/Workloads/Prod"},
			stmts: []stmt{{"Sid": "OnlyBreakGlass", "Effect": "Deny", "Action": "iam:*", "Resource": "*",
				"Condition": cond{"ArnNotLike": {"aws:PrincipalArn": "arn:aws:iam::${aws:PrincipalAccount}:role/BreakGlass"}}}}}},
		line: []string{`"break-glass-only"`, "OnlyBreakGlass", "{acct:prod-001}", "iam:UpdateAccountPasswordPolicy"},
		keys: []string{"aws:PrincipalArn"},
	},
	{
		name: "deny naming the execution role through ${aws:PrincipalAccount}, on its account's roles",
		scps: []guardSCP{{name: "tool-hands-off-roles", targets: []string{"ou:/Workloads/Prod"},
			stmts: []stmt{{"Sid": "NoRolesForTheTool", "Effect": "Deny", "Action": "iam:*", "Resource": "arn:aws:iam::${aws:PrincipalAccount}:role/*",
				"Condition": cond{"ArnLike": {"aws:PrincipalArn": "arn:aws:iam::${aws:PrincipalAccount}:role/" + guardRole}}}}}},
		line: []string{`"tool-hands-off-roles"`, "NoRolesForTheTool", "{acct:prod-001}", "iam:GetRole", prodConfigRole},
		keys: []string{"aws:PrincipalArn"},
	},
	{
		name: "AWS's IP allow-list, the source IP unknown",
		scps: []guardSCP{{name: "office-ips-only", targets: []string{"ou:/Workloads/Prod"}, stmts: []stmt{ipAllowList}}},
		line: []string{`"office-ips-only"`, "DenyOutsideOfficeIPs", "{acct:prod-001}", "iam:UpdateAccountPasswordPolicy"},
		keys: []string{"aws:SourceIp"},
		also: []string{"guardContext"},
	},
	{
		name:    "AWS's IP allow-list, guardContext stating an IP outside it",
		scps:    []guardSCP{{name: "office-ips-only", targets: []string{"ou:/Workloads/Prod"}, stmts: []stmt{ipAllowList}}},
		context: []string{"aws:SourceIp: 198.51.100.7"},
		line:    []string{`"office-ips-only"`, "DenyOutsideOfficeIPs", "{acct:prod-001}", "iam:UpdateAccountPasswordPolicy"},
		keys:    []string{"aws:SourceIp"},
	},
	{
		name: "aws:SecureTransport true denies every HTTPS call",
		scps: []guardSCP{{name: "https-inverted", targets: []string{"ou:/Workloads/Prod"},
			stmts: []stmt{{"Sid": "DenyTLS", "Effect": "Deny", "Action": "*", "Resource": "*",
				"Condition": cond{"Bool": {"aws:SecureTransport": "true"}}}}}},
		line: []string{`"https-inverted"`, "DenyTLS", "{acct:prod-001}", "iam:UpdateAccountPasswordPolicy"},
		keys: []string{"aws:SecureTransport"},
	},
	{
		name: "aws:userid matching orgbaseline's session name",
		scps: onProd("no-orgbaseline-sessions", "NoOrgbaseline", cond{"StringLike": {"aws:userid": "*:orgbaseline-*"}}),
		line: []string{`"no-orgbaseline-sessions"`, "NoOrgbaseline", "{acct:prod-001}", "iam:UpdateAccountPasswordPolicy"},
		keys: []string{"aws:userid"},
	},
	{
		name: "aws:CurrentTime after a date past",
		scps: onProd("freeze", "FrozenSince2020", cond{"DateGreaterThan": {"aws:CurrentTime": "2020-01-01T00:00:00Z"}}),
		line: []string{`"freeze"`, "FrozenSince2020", "{acct:prod-001}", "iam:UpdateAccountPasswordPolicy"},
		keys: []string{"aws:CurrentTime"},
	},
	{
		name: "aws:PrincipalIsAWSService false",
		scps: onProd("services-only", "OnlyAWSServices", cond{"Bool": {"aws:PrincipalIsAWSService": "false"}}),
		line: []string{`"services-only"`, "OnlyAWSServices", "{acct:prod-001}", "iam:UpdateAccountPasswordPolicy"},
		keys: []string{"aws:PrincipalIsAWSService"},
	},
	{
		name: "aws:PrincipalOrgPaths covering the OU, attached at the root",
		scps: []guardSCP{{name: "prod-frozen", targets: []string{"root"},
			stmts: []stmt{{"Sid": "ProdPath", "Effect": "Deny", "Action": "iam:UpdateAccountPasswordPolicy", "Resource": "*",
				"Condition": cond{"ForAnyValue:StringLike": {"aws:PrincipalOrgPaths": []string{"{org}/{root}/{ou:/Workloads}/{ou:/Workloads/Prod}/*"}}}}}}},
		line: []string{`"prod-frozen"`, "ProdPath", "{acct:prod-001}", "iam:UpdateAccountPasswordPolicy"},
		keys: []string{"aws:PrincipalOrgPaths"},
	},
	{
		name: "iam:PassRole to config.amazonaws.com",
		scps: []guardSCP{{name: "no-pass-to-config", targets: []string{"ou:/Workloads/Prod"},
			stmts: []stmt{{"Sid": "NoPassToConfig", "Effect": "Deny", "Action": "iam:PassRole", "Resource": "*",
				"Condition": cond{"StringEquals": {"iam:PassedToService": "config.amazonaws.com"}}}}}},
		line: []string{`"no-pass-to-config"`, "NoPassToConfig", "{acct:prod-001}", "iam:PassRole", prodConfigRole},
		keys: []string{"iam:PassedToService"},
	},
	{
		name: "iam:CreateServiceLinkedRole for config.amazonaws.com",
		scps: []guardSCP{{name: "no-config-slr", targets: []string{"ou:/Workloads/Prod"},
			stmts: []stmt{{"Sid": "NoConfigSLR", "Effect": "Deny", "Action": "iam:CreateServiceLinkedRole", "Resource": "*",
				"Condition": cond{"StringEquals": {"iam:AWSServiceName": "config.amazonaws.com"}}}}}},
		line: []string{`"no-config-slr"`, "NoConfigSLR", "{acct:prod-001}", "iam:CreateServiceLinkedRole", prodConfigRole},
		keys: []string{"iam:AWSServiceName"},
	},
	{
		name: "deny on an excluded OU holding the log archive",
		scps: []guardSCP{{name: "security-locked", targets: []string{"ou:/Security"},
			stmts: []stmt{{"Sid": "NoBucketPolicy", "Effect": "Deny", "Action": "s3:PutBucketPolicy", "Resource": "*"}}}},
		targets: "targets:\n  exclude: [ou:/Security]",
		line:    []string{`"security-locked"`, "NoBucketPolicy", "{acct:Log Archive}", "s3:PutBucketPolicy", "arn:aws:s3:::whytest-trail-logs"},
	},
	{
		name: "deny on an excluded OU holding the audit account",
		scps: []guardSCP{{name: "security-locked", targets: []string{"ou:/Security"},
			stmts: []stmt{{"Sid": "NoAnalyzers", "Effect": "Deny", "Action": "access-analyzer:CreateAnalyzer", "Resource": "*"}}}},
		targets: "targets:\n  include: [ou:/Workloads]",
		line: []string{`"security-locked"`, "NoAnalyzers", "{acct:Audit}", "access-analyzer:CreateAnalyzer",
			"arn:aws:access-analyzer:us-east-1:{acct:Audit}:analyzer/whytest-org"},
	},
	{
		name: "--target narrowed to one OU, the SCP at the root denying outside it",
		scps: []guardSCP{{name: "prod-password-frozen", targets: []string{"root"},
			stmts: []stmt{{"Sid": "ProdAccount", "Effect": "Deny", "Action": "iam:UpdateAccountPasswordPolicy", "Resource": "*",
				"Condition": cond{"StringEquals": {"aws:PrincipalAccount": "{acct:prod-001}"}}}}}},
		args: []string{"--target", "ou:/Workloads/Dev"},
		line: []string{`"prod-password-frozen"`, "ProdAccount", "{acct:prod-001}", "iam:UpdateAccountPasswordPolicy"},
		keys: []string{"aws:PrincipalAccount"},
	},
}

// guardSafe are the sets that leave orgbaseline every call it makes:
// plan lets them through. The refusals, with the execution role
// exempted, are added to them.
var guardSafe = []guardCase{
	{
		name: "exemption naming the execution role through ${aws:PrincipalAccount}",
		scps: []guardSCP{{name: "admins-only", targets: []string{"root"},
			stmts: []stmt{{"Sid": "OnlyTheExecutionRole", "Effect": "Deny", "Action": "*", "Resource": "*",
				"Condition": cond{"ArnNotLike": {"aws:PrincipalArn": "arn:aws:iam::${aws:PrincipalAccount}:role/" + guardRole}}}}}},
	},
	{
		name: "s3:CreateBucket denied on an OU where orgbaseline creates no bucket",
		scps: []guardSCP{{name: "no-new-buckets", targets: []string{"ou:/Workloads"},
			stmts: []stmt{{"Sid": "NoNewBuckets", "Effect": "Deny", "Action": "s3:CreateBucket", "Resource": "*"}}}},
	},
	{
		name: "S3 limited to the home region, where orgbaseline calls it",
		scps: []guardSCP{{name: "s3-home-only", targets: []string{"root"},
			stmts: []stmt{{"Sid": "S3InHomeRegion", "Effect": "Deny", "Action": "s3:*", "Resource": "*",
				"Condition": cond{"StringNotEquals": {"aws:RequestedRegion": "us-east-1"}}}}}},
	},
	{
		name:    "AWS's IP allow-list, guardContext stating an IP inside it",
		scps:    []guardSCP{{name: "office-ips-only", targets: []string{"ou:/Workloads/Prod"}, stmts: []stmt{ipAllowList}}},
		context: []string{"aws:SourceIp: 203.0.113.7"},
	},
	{
		name:    "AWS's IP allow-list at the root, guardContext stating a list of IPs inside it",
		scps:    []guardSCP{{name: "office-ips-only", targets: []string{"root"}, stmts: []stmt{ipAllowList}}},
		context: []string{"aws:SourceIp: [203.0.113.7, 192.0.2.10]"},
	},
}

// TestGuardRefusesWhatLocksOrgbaselineOut: every SCP set of the issue's
// "Why" that denies a call orgbaseline makes, in an account it works in
// (targeted or not), is refused by plan, naming the policy, statement,
// account, action, resource and deciding condition key.
func TestGuardRefusesWhatLocksOrgbaselineOut(t *testing.T) {
	h := newHarness(t, orgsim.OrgSpec{Members: guardMembers, Clean: true})
	for _, c := range guardRefusals {
		t.Run(c.name, func(t *testing.T) {
			r, ids := guardPlan(t, h, c)
			wantRefused(t, r, ids, c)
		})
	}
}

// TestGuardPlansWhatLeavesOrgbaselineItsCalls: the safe sets of the
// issue's "Why", and every refused set with the execution role exempted,
// plan.
func TestGuardPlansWhatLeavesOrgbaselineItsCalls(t *testing.T) {
	h := newHarness(t, orgsim.OrgSpec{Members: guardMembers, Clean: true})
	cases := append([]guardCase(nil), guardSafe...)
	for _, c := range guardRefusals {
		cases = append(cases, c.exempted(t))
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			r, _ := guardPlan(t, h, c)
			wantPlanned(t, r)
		})
	}
}

// TestGuardRefusesAnUnmanagedSCPOnTheExcludedLogArchiveOU: another
// team's SCP, attached behind orgbaseline's back to the OU of the log
// archive, which the baseline's targets exclude, denies the bucket's
// calls there: plan refuses, naming it.
func TestGuardRefusesAnUnmanagedSCPOnTheExcludedLogArchiveOU(t *testing.T) {
	h := newHarness(t, orgsim.OrgSpec{Members: guardMembers, Clean: true})
	ctx := context.Background()
	orgs := h.mgmtOrgs()
	root := h.sim.RootID()
	if _, err := orgs.EnablePolicyType(ctx, &organizations.EnablePolicyTypeInput{RootId: aws.String(root), PolicyType: orgtypes.PolicyTypeServiceControlPolicy}); err != nil {
		t.Fatal(err)
	}
	h.sim.Advance(h.sim.AWSLike().PolicyTypeDelay)
	doc, err := json.Marshal(map[string]any{"Version": "2012-10-17", "Statement": []stmt{
		{"Sid": "NoBucketPolicies", "Effect": "Deny", "Action": "s3:PutBucketPolicy", "Resource": "arn:aws:s3:::*"}}})
	if err != nil {
		t.Fatal(err)
	}
	out, err := orgs.CreatePolicy(ctx, &organizations.CreatePolicyInput{Name: aws.String("security-team-lock"), Description: aws.String("not orgbaseline's"),
		Content: aws.String(string(doc)), Type: orgtypes.PolicyTypeServiceControlPolicy})
	if err != nil {
		t.Fatal(err)
	}
	security, ok := h.sim.OUID("/Security")
	if !ok {
		t.Fatal("no OU /Security")
	}
	if _, err := orgs.AttachPolicy(ctx, &organizations.AttachPolicyInput{PolicyId: out.Policy.PolicySummary.Id, TargetId: aws.String(security)}); err != nil {
		t.Fatal(err)
	}
	// orgsim denies the call under it.
	logArchive := h.accountID("Log Archive")
	role := "arn:aws:iam::" + logArchive + ":role/" + guardRole
	if why := h.sim.Denied(logArchive, role, "s3:PutBucketPolicy", "arn:aws:s3:::whytest-trail-logs"); why == "" {
		t.Error("orgsim allows s3:PutBucketPolicy in the log archive under the SCP")
	}
	c := guardCase{
		// The baseline's own SCP is harmless; the unmanaged one is in force.
		scps: []guardSCP{{name: "deny-leave", targets: []string{"root"},
			stmts: []stmt{{"Sid": "NoLeaving", "Effect": "Deny", "Action": "organizations:LeaveOrganization", "Resource": "*"}}}},
		targets: "targets:\n  exclude: [ou:/Security]",
		line:    []string{`"security-team-lock"`, "NoBucketPolicies", "{acct:Log Archive}", "s3:PutBucketPolicy", "arn:aws:s3:::whytest-trail-logs"},
	}
	r, ids := guardPlan(t, h, c)
	wantRefused(t, r, ids, c)
}
