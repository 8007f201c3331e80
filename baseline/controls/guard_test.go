package controls_test

import (
	"errors"
	"fmt"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/service/s3"

	"github.com/orgbaseline/orgbaseline/baseline/controls"
	"github.com/orgbaseline/orgbaseline/internal/orgsim"
)

// TestGuardWarnsAboutAPluginsCalls: an SCP that would deny a call a
// plugin is approved to make (its actions:) is a warning naming the
// plugin, the policy and the call, not a refusal; orgsim, given the SCP,
// denies that call to the execution role there.
func TestGuardWarnsAboutAPluginsCalls(t *testing.T) {
	const yaml = `version: 1
controls:
  passwordPolicy:
    minimumPasswordLength: 14
  serviceControlPolicies:
    policies:
      - name: no-bucket-listing
        document: '{"Version":"2012-10-17","Statement":[{"Sid":"NoListing","Effect":"Deny","Action":"s3:ListAllMyBuckets","Resource":"*"}]}'
        targets: [ou:/Workloads]
plugins:
  - name: bucket-lister
    path: ./bucket-lister
    sha256: %s
    actions: [s3:ListAllMyBuckets]
`
	w := scpWorld(t, fmt.Sprintf(yaml, strings.Repeat("a", 64)), nil)
	p := w.plan()
	if errs := planErrors(p); len(errs) > 0 {
		t.Fatalf("a plugin's denied call refuses the plan: %v", errs)
	}
	prod := w.id("prod-001")
	wantIn(t, strings.Join(p.OrganizationScope.Warnings, "\n"),
		`plugin "bucket-lister": SCP "no-bucket-listing" statement "NoListing" (Statement[0]), attached at ou:/Workloads, denies s3:ListAllMyBuckets on * in accounts`,
		"prod-001 ("+prod+")", "the plugin's check would fail there")

	w.converge()
	_, err := s3.NewFromConfig(w.as(prod, "us-east-1")).ListBuckets(bg, &s3.ListBucketsInput{})
	if err == nil || !strings.Contains(err.Error(), "AccessDenied") {
		t.Errorf("orgsim lets prod-001's execution role list buckets under the SCP: %v", err)
	}
}

// TestGuardRefusalIsStructured: the guard's refusal reaches the engine
// as a LockoutError whose refusals hold every place a call is denied.
func TestGuardRefusalIsStructured(t *testing.T) {
	const yaml = passwordSCPYAML
	w := scpWorld(t, fmt.Sprintf(yaml, denyPasswordPolicyDoc), nil)
	var scp controls.Control
	for _, c := range w.engine.Controls {
		if c.Name() == "serviceControlPolicies" {
			scp = c
		}
	}
	tg := controls.Target{AccountID: w.org.ManagementAccountID, Region: "us-east-1", Config: w.cfg, Org: w.engine.Org, Warn: func(string) {}}
	obs, err := scp.Observe(bg, tg)
	if err != nil {
		t.Fatal(err)
	}
	_, err = scp.Diff(tg, obs)
	var le *controls.LockoutError
	if !errors.As(err, &le) || len(le.Refusals) != 1 {
		t.Fatalf("Diff: %v, want one refusal in a LockoutError", err)
	}
	r := le.Refusals[0]
	if r.Kind != controls.GuardDenied || r.Policy != "deny-password-policy" || r.Action != "iam:UpdateAccountPasswordPolicy" || r.Resource != "*" {
		t.Errorf("refusal %+v", r)
	}
	got := map[string]bool{}
	for _, pl := range r.Places {
		got[pl.AccountID+" "+pl.Region] = true
	}
	for _, name := range []string{"prod-001", "dev-002"} {
		if !got[w.id(name)+" us-east-1"] {
			t.Errorf("%s is not among the places: %v", name, r.Places)
		}
	}
	if got[w.id("sandbox-003")+" us-east-1"] {
		t.Errorf("sandbox-003, outside /Workloads, is among the places: %v", r.Places)
	}
}

// BenchmarkLockoutGuard1000: the organization-scope plan of a baseline
// with every control and an SCP whose conditions the guard evaluates, on
// 1,000 member accounts in two regions: the SCP observation plus the
// guard over every call of the call model in every account.
func BenchmarkLockoutGuard1000(b *testing.B) {
	yaml := strings.Replace(callsYAML(false, "ORGANIZATION", false, callsRuleIAM, callsRuleAll), "controls:\n", `controls:
  serviceControlPolicies:
    policies:
      - name: region-lock
        document: '{"Version":"2012-10-17","Statement":[{"Sid":"OnlyHere","Effect":"Deny","NotAction":["iam:*","organizations:*"],"Resource":"*","Condition":{"StringNotEquals":{"aws:RequestedRegion":["eu-west-1","us-east-1"]},"ArnNotLike":{"aws:PrincipalArn":"arn:aws:iam::*:role/OrganizationAccountAccessRole"}}}]}'
        targets: [root]
`, 1)
	benchPlanOrg1000(b, yaml)
}

// benchPlanOrg1000 measures the organization-scope plan of yaml on 1,000
// accounts.
func benchPlanOrg1000(b *testing.B, yaml string) {
	w := newWorld(b, orgsim.OrgSpec{Members: 1000, Clean: true}, yaml, nil)
	b.ResetTimer()
	for b.Loop() {
		if p := w.engine.PlanOrg(bg); len(p.Errors) > 0 {
			b.Fatal(p.Errors)
		}
	}
}

// BenchmarkRCPGuard1000 is the organization-scope plan of the SCP above
// and AWS's data-perimeter RCP (identity perimeter and confused-deputy
// protection) on 1,000 accounts: both guards over every call, every
// AssumeRole and every delivery of the trail and Config.
func BenchmarkRCPGuard1000(b *testing.B) {
	yaml := strings.Replace(callsYAML(false, "ORGANIZATION", false, callsRuleIAM, callsRuleAll), "controls:\n", `controls:
  resourceControlPolicies:
    policies:
      - name: data-perimeter
        document: '{"Version":"2012-10-17","Statement":[{"Sid":"EnforceOrgIdentities","Effect":"Deny","Principal":"*","Action":["s3:*","sts:AssumeRole","kms:*"],"Resource":"*","Condition":{"StringNotEqualsIfExists":{"aws:PrincipalOrgID":"${aws:ResourceOrgID}"},"BoolIfExists":{"aws:PrincipalIsAWSService":"false"}}},{"Sid":"EnforceConfusedDeputyProtection","Effect":"Deny","Principal":"*","Action":["s3:*","sts:*","kms:*"],"Resource":"*","Condition":{"StringNotEqualsIfExists":{"aws:SourceOrgID":"${aws:ResourceOrgID}"},"Null":{"aws:SourceAccount":"false"},"Bool":{"aws:PrincipalIsAWSService":"true"}}}]}'
        targets: [root]
`, 1)
	benchPlanOrg1000(b, yaml)
}

// TestGuardUnknownResourceID: the id AWS generates in a Config rule's ARN
// is unknown to the guard. A Deny naming one rule by its id may hit the
// rule orgbaseline makes, so it refuses, saying so; a pattern covering
// every rule denies outright; one covering none lets the plan through.
func TestGuardUnknownResourceID(t *testing.T) {
	yaml := func(resource string) string {
		return strings.Replace(callsYAML(false, "ACCOUNT", false, callsRuleAll), "controls:\n", `controls:
  serviceControlPolicies:
    policies:
      - name: protect-rule
        document: '{"Version":"2012-10-17","Statement":[{"Sid":"KeepRule","Effect":"Deny","Action":"config:PutConfigRule","Resource":"`+resource+`"}]}'
        targets: [root]
`, 1)
	}
	w := newWorld(t, orgsim.OrgSpec{Members: 4, Clean: true}, yaml("arn:aws:config:*:*:config-rule/config-rule-a1b2c3"), nil)
	wantIn(t, planError(t, w.plan()),
		`SCP "protect-rule" statement "KeepRule" (Statement[0]), attached at root, may deny`,
		"depends on the id AWS generates in the resource's ARN (its *)",
		"- config:PutConfigRule on arn:aws:config:",
		"Write the statement's Resource so that it covers every id there")

	scpRebase(t, w, yaml("arn:aws:config:*:*:config-rule/*"))
	msg := planError(t, w.plan())
	wantIn(t, msg, `SCP "protect-rule" statement "KeepRule" (Statement[0]), attached at root, denies`)
	if strings.Contains(msg, "id AWS generates") {
		t.Errorf("a pattern covering every rule is undecided:\n%s", msg)
	}

	scpRebase(t, w, yaml("arn:aws:config:*:*:config-aggregator/*"))
	if errs := planErrors(w.plan()); len(errs) > 0 {
		t.Errorf("a Deny on no rule refuses: %v", errs)
	}
}

// TestGuardRootSessionCalls: a call made in a root session (sts:AssumeRoot)
// is evaluated as the member's root user with aws:AssumedRoot true. A
// deny-root-user SCP refuses it; the same SCP exempting root sessions
// (aws:AssumedRoot absent or false) lets it through.
func TestGuardRootSessionCalls(t *testing.T) {
	const yaml = `version: 1
controls:
  serviceControlPolicies:
    policies:
      - name: deny-root
        document: '%s'
        targets: [ou:/Workloads]
`
	denyRoot := `{"Version":"2012-10-17","Statement":[{"Sid":"DenyRootUser","Effect":"Deny","Action":"*","Resource":"*","Condition":{"StringLike":{"aws:PrincipalArn":"arn:aws:iam::*:root"}}}]}`
	exempt := `{"Version":"2012-10-17","Statement":[{"Sid":"DenyRootUser","Effect":"Deny","Action":"*","Resource":"*","Condition":{"StringLike":{"aws:PrincipalArn":"arn:aws:iam::*:root"},"BoolIfExists":{"aws:AssumedRoot":"false"}}}]}`
	plan := func(doc string) *world {
		w := scpWorld(t, fmt.Sprintf(yaml, doc), nil)
		for _, c := range w.engine.Controls {
			if s, ok := c.(*controls.OrganizationPolicies); ok {
				s.GuardAlso(controls.Call{Control: "rootAccess", Action: "iam:ListAccessKeys", Resource: "*", Regions: controls.InGlobalRegion, AsRoot: true})
			}
		}
		return w
	}
	w := plan(denyRoot)
	wantIn(t, planError(t, w.plan()), `SCP "deny-root" statement "DenyRootUser" (Statement[0]), attached at ou:/Workloads, denies this call of a root session (its conditions on aws:PrincipalArn hold):`,
		"would deny calls orgbaseline makes in root sessions (sts:AssumeRoot, controls.rootAccess), as each member account's root user:",
		`Exempt root sessions, e.g. with a Condition "BoolIfExists": {"aws:AssumedRoot": "false"}`,
		"- iam:ListAccessKeys on * in accounts", "prod-001 ("+w.id("prod-001")+")")
	w = plan(exempt)
	if errs := planErrors(w.plan()); len(errs) > 0 {
		t.Errorf("root sessions exempted through aws:AssumedRoot, the guard refuses: %v", errs)
	}
}

// TestGuardCannotReadTheRole: where the SCPs deny the guard's own
// iam:GetRole of the execution role, aws:PrincipalTag stays unknown there;
// a Deny depending on it refuses, saying the role could not be read (its
// keys cannot be stated in guardContext).
func TestGuardCannotReadTheRole(t *testing.T) {
	doc := `{"Version":"2012-10-17","Statement":[` +
		`{"Sid":"ByTag","Effect":"Deny","Action":"iam:UpdateAccountPasswordPolicy","Resource":"*","Condition":{"StringEquals":{"aws:PrincipalTag/team":"blocked"}}},` +
		`{"Sid":"NoRoleReads","Effect":"Deny","Action":"iam:GetRole","Resource":"arn:aws:iam::*:role/OrganizationAccountAccessRole"}]}`
	w := scpWorld(t, fmt.Sprintf(passwordSCPYAML, doc), nil)
	enableSCPs(t, w)
	createSCP(t, w, "no-role-reads", doc, ouID(t, w, "/Workloads"))
	wantIn(t, planError(t, w.plan()),
		`statement "ByTag" (Statement[0]), attached at ou:/Workloads, may deny this call: whether it does depends on aws:PrincipalTag/team`,
		"The lockout guard could not read the execution role there (iam:GetRole on the role itself")
}
