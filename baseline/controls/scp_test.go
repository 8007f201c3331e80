package controls_test

import (
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/iam"
	"github.com/aws/aws-sdk-go-v2/service/organizations"
	"github.com/aws/aws-sdk-go-v2/service/organizations/types"
	"github.com/aws/smithy-go"

	"github.com/orgbaseline/orgbaseline/baseline"
	"github.com/orgbaseline/orgbaseline/baseline/controls"
	"github.com/orgbaseline/orgbaseline/internal/awsapi"
	"github.com/orgbaseline/orgbaseline/internal/orgsim"
	"github.com/orgbaseline/orgbaseline/orgwalk"
)

// Policy documents the SCP tests declare.
const (
	denyLeaveDoc = `{"Version":"2012-10-17","Statement":[{"Sid":"DenyLeave","Effect":"Deny","Action":"organizations:LeaveOrganization","Resource":"*"}]}`
	denyRootDoc  = `{"Version":"2012-10-17","Statement":[{"Sid":"DenyRootUser","Effect":"Deny","Action":"*","Resource":"*","Condition":{"StringLike":{"aws:PrincipalArn":"arn:aws:iam::*:root"}}}]}`
	// allowListDoc allows what orgbaseline and the workloads need; it
	// replaces FullAWSAccess.
	allowListDoc = `{"Version":"2012-10-17","Statement":[{"Sid":"AllowList","Effect":"Allow","Action":["iam:*","sts:*","s3:*","cloudtrail:*","config:*"],"Resource":"*"}]}`
	// denyPasswordPolicyDoc denies, to everyone, a call passwordPolicy makes.
	denyPasswordPolicyDoc = `{"Version":"2012-10-17","Statement":[{"Sid":"DenyPasswordPolicy","Effect":"Deny","Action":"iam:UpdateAccountPasswordPolicy","Resource":"*"}]}`
	// exemptPasswordPolicyDoc is the same, exempting the execution role.
	exemptPasswordPolicyDoc = `{"Version":"2012-10-17","Statement":[{"Sid":"DenyPasswordPolicy","Effect":"Deny","Action":"iam:UpdateAccountPasswordPolicy","Resource":"*","Condition":{"ArnNotLike":{"aws:PrincipalArn":"arn:aws:iam::*:role/OrganizationAccountAccessRole"}}}]}`
)

// twoPolicies declares deny-leave (from a file, on the root) and
// deny-root-user (inline, on /Workloads and the Audit account).
const twoPolicies = `version: 1
controls:
  serviceControlPolicies:
    policies:
      - name: deny-leave
        description: Accounts cannot leave the organization
        file: scps/deny-leave.json
        targets: [root]
      - name: deny-root-user
        description: Nobody works as the root user
        document: '` + denyRootDoc + `'
        targets: [ou:/Workloads, account:Audit]
`

var twoPolicyFiles = map[string]string{"scps/deny-leave.json": denyLeaveDoc + "\n"}

// passwordSCPYAML is a baseline with the password policy and one SCP,
// deny-password-policy, attached to /Workloads; %s is its document.
const passwordSCPYAML = `version: 1
controls:
  passwordPolicy:
    minimumPasswordLength: 14
  serviceControlPolicies:
    policies:
      - name: deny-password-policy
        document: '%s'
        targets: [ou:/Workloads]
`

func scpWorld(t testing.TB, yaml string, files map[string]string) *world {
	t.Helper()
	return newWorld(t, orgsim.OrgSpec{Members: 6, Clean: true}, yaml, files)
}

func orgAPI(w *world) *organizations.Client { return organizations.NewFromConfig(w.cfg) }

// scpRebase swaps the world's baseline for another (same organization,
// same simulator), as when a user edits baseline.yaml between runs.
func scpRebase(t testing.TB, w *world, yaml string) {
	t.Helper()
	path := filepath.Join(w.dir, "baseline.yaml")
	if err := os.WriteFile(path, []byte(yaml), 0o600); err != nil {
		t.Fatal(err)
	}
	b, err := baseline.Load(path)
	if err != nil {
		t.Fatal(err)
	}
	cs, err := controls.FromBaseline(b)
	if err != nil {
		t.Fatal(err)
	}
	w.baseline, w.engine.Controls = b, cs
	w.engine.Regions, w.engine.Org.Regions = b.Organization.Regions, b.Organization.Regions
}

// ouID returns the id of the OU at path.
func ouID(t testing.TB, w *world, path string) string {
	t.Helper()
	for id, ou := range w.org.OUs {
		if ou.Path == path {
			return id
		}
	}
	t.Fatalf("no OU %s", path)
	return ""
}

// readSCP is one SCP read back through the SDK.
type readSCP struct {
	id, content, description string
	tags                     map[string]string
	targets                  []string
}

// scps reads every SCP back through the Organizations SDK, by name.
func scps(t testing.TB, w *world) map[string]readSCP {
	t.Helper()
	api := orgAPI(w)
	out := map[string]readSCP{}
	p := organizations.NewListPoliciesPaginator(api, &organizations.ListPoliciesInput{Filter: types.PolicyTypeServiceControlPolicy})
	for p.HasMorePages() {
		page, err := p.NextPage(bg)
		if err != nil {
			t.Fatal(err)
		}
		for _, s := range page.Policies {
			r := readSCP{id: aws.ToString(s.Id), description: aws.ToString(s.Description), tags: map[string]string{}}
			d, err := api.DescribePolicy(bg, &organizations.DescribePolicyInput{PolicyId: s.Id})
			if err != nil {
				t.Fatal(err)
			}
			r.content = aws.ToString(d.Policy.Content)
			if !s.AwsManaged {
				tags, err := api.ListTagsForResource(bg, &organizations.ListTagsForResourceInput{ResourceId: s.Id})
				if err != nil {
					t.Fatal(err)
				}
				for _, tg := range tags.Tags {
					r.tags[aws.ToString(tg.Key)] = aws.ToString(tg.Value)
				}
			}
			tp := organizations.NewListTargetsForPolicyPaginator(api, &organizations.ListTargetsForPolicyInput{PolicyId: s.Id})
			for tp.HasMorePages() {
				tpage, err := tp.NextPage(bg)
				if err != nil {
					t.Fatal(err)
				}
				for _, tg := range tpage.Targets {
					r.targets = append(r.targets, aws.ToString(tg.TargetId))
				}
			}
			slices.Sort(r.targets)
			out[aws.ToString(s.Name)] = r
		}
	}
	return out
}

// scpsOn lists the names of the SCPs attached to a target.
func scpsOn(t testing.TB, w *world, target string) []string {
	t.Helper()
	out, err := orgAPI(w).ListPoliciesForTarget(bg, &organizations.ListPoliciesForTargetInput{TargetId: aws.String(target), Filter: types.PolicyTypeServiceControlPolicy})
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, p := range out.Policies {
		names = append(names, aws.ToString(p.Name))
	}
	slices.Sort(names)
	return names
}

func sorted(xs ...string) []string {
	xs = slices.Clone(xs)
	slices.Sort(xs)
	return xs
}

func wantChanges(t testing.TB, p *baseline.Plan, want ...string) {
	t.Helper()
	if errs := planErrors(p); len(errs) > 0 {
		t.Fatalf("plan errors:\n%s", strings.Join(errs, "\n"))
	}
	if got := changes(p); !slices.Equal(got, want) {
		t.Fatalf("plan:\n  %s\nwant:\n  %s", strings.Join(got, "\n  "), strings.Join(want, "\n  "))
	}
}

// planError returns the plan's errors as one string, failing when there is
// none.
func planError(t testing.TB, p *baseline.Plan) string {
	t.Helper()
	errs := planErrors(p)
	if len(errs) == 0 {
		t.Fatalf("the plan has no error; changes:\n%s", describe(p))
	}
	return strings.Join(errs, "\n")
}

func wantIn(t testing.TB, text string, parts ...string) {
	t.Helper()
	for _, s := range parts {
		if !strings.Contains(text, s) {
			t.Errorf("%q is missing from:\n%s", s, text)
		}
	}
}

// enableSCPs enables the SCP type behind the tool's back and lets AWS
// finish (EnablePolicyType runs in the background for PolicyTypeDelay of
// sim time).
func enableSCPs(t testing.TB, w *world) {
	t.Helper()
	if _, err := orgAPI(w).EnablePolicyType(bg, &organizations.EnablePolicyTypeInput{RootId: aws.String(w.org.RootID), PolicyType: types.PolicyTypeServiceControlPolicy}); err != nil {
		t.Fatal(err)
	}
	w.sim.Advance(w.sim.AWSLike().PolicyTypeDelay)
}

// createSCP creates (without orgbaseline's tag) and attaches an SCP behind
// the tool's back, returning its id.
func createSCP(t testing.TB, w *world, name, doc string, targets ...string) string {
	t.Helper()
	out, err := orgAPI(w).CreatePolicy(bg, &organizations.CreatePolicyInput{Name: aws.String(name), Description: aws.String("not orgbaseline's"),
		Content: aws.String(doc), Type: types.PolicyTypeServiceControlPolicy})
	if err != nil {
		t.Fatal(err)
	}
	id := aws.ToString(out.Policy.PolicySummary.Id)
	for _, tg := range targets {
		if _, err := orgAPI(w).AttachPolicy(bg, &organizations.AttachPolicyInput{PolicyId: aws.String(id), TargetId: aws.String(tg)}); err != nil {
			t.Fatal(err)
		}
	}
	return id
}

func TestSCPConvergesFromEmpty(t *testing.T) {
	w := scpWorld(t, twoPolicies, twoPolicyFiles)
	mgmt, audit := w.org.ManagementAccountID, w.id("Audit")
	root, workloads := w.org.RootID, ouID(t, w, "/Workloads")
	p := w.plan()
	wantChanges(t, p,
		"serviceControlPolicies create root/"+root+"/policy-type/SERVICE_CONTROL_POLICY "+mgmt,
		"serviceControlPolicies create scp/deny-leave "+mgmt,
		"serviceControlPolicies create scp/deny-root-user "+mgmt,
		"serviceControlPolicies create scp/deny-leave/target/root "+mgmt,
		"serviceControlPolicies create scp/deny-root-user/target/account:"+audit+" "+mgmt,
		"serviceControlPolicies create scp/deny-root-user/target/ou:/Workloads "+mgmt,
	)
	w.converge() // plans again, applies, and checks that a third plan is empty and writes nothing

	roots, err := orgAPI(w).ListRoots(bg, &organizations.ListRootsInput{})
	if err != nil {
		t.Fatal(err)
	}
	if pt := roots.Roots[0].PolicyTypes; len(pt) != 1 || pt[0].Type != types.PolicyTypeServiceControlPolicy || pt[0].Status != types.PolicyTypeStatusEnabled {
		t.Errorf("root policy types: %+v", pt)
	}
	got := scps(t, w)
	for name, want := range map[string]struct {
		content, description string
		targets              []string
	}{
		"deny-leave":     {denyLeaveDoc, "Accounts cannot leave the organization", []string{root}},
		"deny-root-user": {denyRootDoc, "Nobody works as the root user", sorted(audit, workloads)},
	} {
		s, ok := got[name]
		switch {
		case !ok:
			t.Errorf("SCP %s was not created", name)
		case s.content != want.content || s.description != want.description:
			t.Errorf("SCP %s: content %s, description %q", name, s.content, s.description)
		case s.tags[controls.SCPManagedTagKey] != "true":
			t.Errorf("SCP %s is not tagged: %v", name, s.tags)
		case !slices.Equal(s.targets, want.targets):
			t.Errorf("SCP %s is attached to %v, want %v", name, s.targets, want.targets)
		}
	}
	// Enabling SCPs attached FullAWSAccess everywhere; orgbaseline left it.
	if n := len(got["FullAWSAccess"].targets); n != 1+len(w.org.OUs)+len(w.org.Accounts) {
		t.Errorf("FullAWSAccess is attached to %d targets", n)
	}
}

func TestSCPFindings(t *testing.T) {
	w := scpWorld(t, twoPolicies, twoPolicyFiles)
	count := func() map[string]map[baseline.Status]int {
		out := map[string]map[baseline.Status]int{}
		for _, f := range w.check() {
			if f.Source != "control:serviceControlPolicies" {
				continue
			}
			if out[f.Check] == nil {
				out[f.Check] = map[baseline.Status]int{}
			}
			out[f.Check][f.Status]++
			want := []string{"SOC2:CC6.1", "ISO27001:A.9.1", "HIPAA:164.312(a)(1)", "NIST-CSF:PR.AC", "CMMC:AC.L2-3.1.1"}
			if f.Check == "serviceControlPolicies.guardrail" {
				want = append([]string{"CIS-7.0:2.1.2"}, want...)
			}
			if !slices.Equal(f.Compliance, want) {
				t.Errorf("%s: compliance %v", f.Check, f.Compliance)
			}
			if f.Status == baseline.StatusFail && f.Remediation == "" {
				t.Errorf("%s: a failing finding without remediation", f.Check)
			}
		}
		return out
	}
	// Covered accounts: every member is under the root (deny-leave).
	members := len(w.sel.Targets)
	before := count()
	// guardrail (CIS 7.0 2.1.2): every member account, the management
	// account left out (SCPs do not apply to it).
	guarded := 0
	for _, a := range w.sel.Targets {
		if a.ID != w.org.ManagementAccountID {
			guarded++
		}
	}
	for check, n := range map[string]int{"serviceControlPolicies.content": 2, "serviceControlPolicies.attached": 2, "serviceControlPolicies.inForce": members, "serviceControlPolicies.guardrail": guarded} {
		if before[check][baseline.StatusFail] != n || before[check][baseline.StatusPass] != 0 {
			t.Errorf("before apply, %s: %v, want %d FAIL", check, before[check], n)
		}
	}
	w.converge()
	after := count()
	for check, n := range map[string]int{"serviceControlPolicies.content": 2, "serviceControlPolicies.attached": 2, "serviceControlPolicies.inForce": members, "serviceControlPolicies.guardrail": guarded} {
		if after[check][baseline.StatusPass] != n || after[check][baseline.StatusFail] != 0 {
			t.Errorf("after apply, %s: %v, want %d PASS", check, after[check], n)
		}
	}
	for _, f := range w.check() {
		if f.Check == "serviceControlPolicies.inForce" && f.Account == w.id("prod-001") &&
			!slices.Equal(f.Evidence["inForce"].([]string), []string{"deny-leave", "deny-root-user"}) {
			t.Errorf("prod-001 in force: %v", f.Evidence)
		}
	}
}

func TestSCPDrift(t *testing.T) {
	w := scpWorld(t, twoPolicies, twoPolicyFiles)
	w.converge()
	mgmt, workloads := w.org.ManagementAccountID, ouID(t, w, "/Workloads")
	id := scps(t, w)["deny-root-user"].id
	api := orgAPI(w)

	t.Run("detached", func(t *testing.T) {
		if _, err := api.DetachPolicy(bg, &organizations.DetachPolicyInput{PolicyId: aws.String(id), TargetId: aws.String(workloads)}); err != nil {
			t.Fatal(err)
		}
		wantChanges(t, w.plan(), "serviceControlPolicies create scp/deny-root-user/target/ou:/Workloads "+mgmt)
		w.converge()
		if got := scpsOn(t, w, workloads); !slices.Equal(got, []string{"FullAWSAccess", "deny-root-user"}) {
			t.Errorf("/Workloads has %v", got)
		}
	})
	t.Run("edited", func(t *testing.T) {
		edited := strings.Replace(denyRootDoc, `"Action":"*"`, `"Action":"s3:*"`, 1)
		if _, err := api.UpdatePolicy(bg, &organizations.UpdatePolicyInput{PolicyId: aws.String(id), Content: aws.String(edited)}); err != nil {
			t.Fatal(err)
		}
		p := w.plan()
		wantChanges(t, p, "serviceControlPolicies update scp/deny-root-user "+mgmt)
		c := p.OrganizationScope.Changes[0]
		if c.Before["content"] != edited || c.After["content"] != denyRootDoc || c.After["id"] != id {
			t.Errorf("update change: %+v", c)
		}
		w.converge()
		if got := scps(t, w)["deny-root-user"].content; got != denyRootDoc {
			t.Errorf("content after apply: %s", got)
		}
	})
	t.Run("reformatted", func(t *testing.T) {
		// Whitespace, key order and a one-element list: the same policy.
		same := `{
  "Statement": [
    {
      "Sid": "DenyRootUser",
      "Effect": "Deny",
      "Action": ["*"],
      "Resource": "*",
      "Condition": {"StringLike": {"aws:PrincipalArn": ["arn:aws:iam::*:root"]}}
    }
  ],
  "Version": "2012-10-17"
}`
		if _, err := api.UpdatePolicy(bg, &organizations.UpdatePolicyInput{PolicyId: aws.String(id), Content: aws.String(same)}); err != nil {
			t.Fatal(err)
		}
		wantChanges(t, w.plan())
	})
	t.Run("description", func(t *testing.T) {
		if _, err := api.UpdatePolicy(bg, &organizations.UpdatePolicyInput{PolicyId: aws.String(id), Description: aws.String("changed")}); err != nil {
			t.Fatal(err)
		}
		wantChanges(t, w.plan(), "serviceControlPolicies update scp/deny-root-user "+mgmt)
		w.converge()
	})
}

func TestSCPLeavesUnmanagedPoliciesAlone(t *testing.T) {
	const yaml = `version: 1
controls:
  serviceControlPolicies:
    maxPoliciesPerTarget: %d
    policies:
      - name: deny-root-user
        document: '` + denyRootDoc + `'
        targets: [ou:/Workloads]
`
	otherDoc := `{"Version":"2012-10-17","Statement":[{"Effect":"Deny","Action":"ec2:*","Resource":"*"}]}`
	w := scpWorld(t, fmt.Sprintf(yaml, 2), nil)
	enableSCPs(t, w)
	workloads := ouID(t, w, "/Workloads")
	otherID := createSCP(t, w, "other-team", otherDoc, workloads)

	// FullAWSAccess + other-team + deny-root-user = 3 > 2.
	msg := planError(t, w.plan())
	wantIn(t, msg, `SCP "deny-root-user" cannot be attached to ou:/Workloads`, "would have 3 SCPs (FullAWSAccess, deny-root-user, other-team)", "over maxPoliciesPerTarget 2")

	scpRebase(t, w, fmt.Sprintf(yaml, 3))
	mgmt := w.org.ManagementAccountID
	wantChanges(t, w.plan(),
		"serviceControlPolicies create scp/deny-root-user "+mgmt,
		"serviceControlPolicies create scp/deny-root-user/target/ou:/Workloads "+mgmt)
	w.converge()

	// Removing every managed policy never touches other-team.
	scpRebase(t, w, "version: 1\ncontrols:\n  serviceControlPolicies:\n    policies: []\n")
	wantChanges(t, w.plan(),
		"serviceControlPolicies delete scp/deny-root-user/target/ou:/Workloads "+mgmt,
		"serviceControlPolicies delete scp/deny-root-user "+mgmt)
	w.converge()
	other := scps(t, w)["other-team"]
	if other.id != otherID || other.content != otherDoc || other.description != "not orgbaseline's" || !slices.Equal(other.targets, []string{workloads}) {
		t.Errorf("other-team was touched: %+v", other)
	}

	// A declared name that belongs to an unmanaged policy is refused.
	scpRebase(t, w, strings.Replace(fmt.Sprintf(yaml, 3), "deny-root-user", "other-team", 1))
	wantIn(t, planError(t, w.plan()), `SCP "other-team": a policy with this name (`+otherID+`) already exists and orgbaseline does not manage it`)
}

func TestSCPAllowListReplacesFullAWSAccess(t *testing.T) {
	const yaml = `version: 1
controls:
  serviceControlPolicies:
    policies:
      - name: allow-list
        document: '%s'
        targets: [ou:/Sandbox]
        replaceFullAWSAccess: true
`
	w := scpWorld(t, fmt.Sprintf(yaml, allowListDoc), nil)
	mgmt, root, sandbox := w.org.ManagementAccountID, w.org.RootID, ouID(t, w, "/Sandbox")
	p := w.plan()
	wantChanges(t, p,
		"serviceControlPolicies create root/"+root+"/policy-type/SERVICE_CONTROL_POLICY "+mgmt,
		"serviceControlPolicies create scp/allow-list "+mgmt,
		"serviceControlPolicies create scp/allow-list/target/ou:/Sandbox "+mgmt,
		"serviceControlPolicies delete scp/FullAWSAccess/target/ou:/Sandbox "+mgmt,
	)
	// Apply the changes one by one: the target is never without an SCP.
	for _, c := range p.OrganizationScope.Changes {
		one := *p
		scope := *p.OrganizationScope
		scope.Changes = []baseline.Change{c}
		one.OrganizationScope, one.Accounts = &scope, nil
		if errs := w.apply(&one); len(errs) > 0 {
			t.Fatalf("apply %s: %v", c.Resource, errs)
		}
		if c.Action == baseline.ActionCreate && strings.HasPrefix(c.Resource, "root/") {
			continue
		}
		if got := scpsOn(t, w, sandbox); len(got) == 0 {
			t.Fatalf("after %s %s, /Sandbox has no SCP", c.Action, c.Resource)
		}
	}
	if got := scpsOn(t, w, sandbox); !slices.Equal(got, []string{"allow-list"}) {
		t.Errorf("/Sandbox has %v, want only allow-list", got)
	}
	w.converge()

	// Dropping the allow-list would leave /Sandbox with no SCP.
	scpRebase(t, w, "version: 1\ncontrols:\n  serviceControlPolicies:\n    policies: []\n")
	wantIn(t, planError(t, w.plan()), "ou:/Sandbox would be left with no SCP after detaching allow-list", "attach FullAWSAccess there first")

	// With no other control, orgbaseline makes no call in /Sandbox:
	// assuming the execution role is the management account's call, which
	// SCPs never restrict. An allow-list without IAM passes.
	s3Only := fmt.Sprintf(yaml, `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"s3:*","Resource":"*"}]}`)
	scpRebase(t, w, s3Only)
	if errs := planErrors(w.plan()); len(errs) > 0 {
		t.Fatalf("an allow-list without the calls of a control that is not enabled is refused: %v", errs)
	}
	// With the password policy, the allow-list is an implicit deny of its calls.
	scpRebase(t, w, strings.Replace(s3Only, "controls:\n", "controls:\n  passwordPolicy:\n    minimumPasswordLength: 14\n", 1))
	wantIn(t, planError(t, w.plan()), "no SCP attached at ou:/Sandbox (allow-list) allows these 2 calls (every level from the root to the account must allow a call):", "- iam:UpdateAccountPasswordPolicy on * in account",
		"sandbox-003 ("+w.id("sandbox-003")+")")
}

func TestSCPRemovedPolicyIsDetachedEverywhereAndDeleted(t *testing.T) {
	w := scpWorld(t, twoPolicies, twoPolicyFiles)
	w.converge()
	mgmt, audit := w.org.ManagementAccountID, w.id("Audit")
	scpRebase(t, w, `version: 1
controls:
  serviceControlPolicies:
    policies:
      - name: deny-leave
        description: Accounts cannot leave the organization
        file: scps/deny-leave.json
        targets: [root]
`)
	p := w.plan()
	wantChanges(t, p,
		"serviceControlPolicies delete scp/deny-root-user/target/account:"+audit+" "+mgmt,
		"serviceControlPolicies delete scp/deny-root-user/target/ou:/Workloads "+mgmt,
		"serviceControlPolicies delete scp/deny-root-user "+mgmt)
	w.converge()
	got := scps(t, w)
	if _, ok := got["deny-root-user"]; ok {
		t.Error("deny-root-user still exists")
	}
	if _, ok := got["deny-leave"]; !ok {
		t.Error("deny-leave was deleted")
	}
}

func TestSCPPreflight(t *testing.T) {
	policy := func(lines ...string) string {
		return "version: 1\ncontrols:\n  serviceControlPolicies:\n    policies:\n      - " + strings.Join(lines, "\n        ") + "\n"
	}
	tests := []struct {
		name  string
		yaml  string
		files map[string]string
		want  []string
	}{
		{"malformed JSON", policy("name: bad-json", `document: '{"Version": "2012-10-17", "Statement": ['`, "targets: [root]"), nil,
			[]string{`SCP "bad-json" (controls.serviceControlPolicies.policies[0])`, "invalid JSON"}},
		{"Principal in an SCP", policy("name: with-principal",
			`document: '{"Version":"2012-10-17","Statement":[{"Effect":"Deny","Principal":"*","Action":"s3:*","Resource":"*"}]}'`, "targets: [root]"), nil,
			[]string{`SCP "with-principal"`, `Statement[0].Principal: "Principal" is not allowed in a service control policy`}},
		{"bad effect in a file", policy("name: from-file", "file: p.json", "targets: [root]"),
			map[string]string{"p.json": `{"Version":"2012-10-17","Statement":[{"Effect":"Allw","Action":"s3:*","Resource":"*"}]}`},
			[]string{`SCP "from-file"`, "p.json", `Statement[0].Effect`}},
		{"too large", "version: 1\ncontrols:\n  serviceControlPolicies:\n    maxPolicySize: 50\n    policies:\n      - name: big\n        document: '" + denyLeaveDoc + "'\n        targets: [root]\n", nil,
			[]string{`SCP "big"`, fmt.Sprintf("the document has %d characters, over maxPolicySize 50", len(denyLeaveDoc))}},
		{"file missing", policy("name: missing-file", "file: scps/nope.json", "targets: [root]"), nil,
			[]string{`SCP "missing-file"`, "scps/nope.json", "cannot read the policy document"}},
		{"duplicate names", "version: 1\ncontrols:\n  serviceControlPolicies:\n    policies:\n" +
			"      - {name: dup, document: '" + denyLeaveDoc + "', targets: [root]}\n" +
			"      - {name: dup, document: '" + denyLeaveDoc + "', targets: [root]}\n", nil,
			[]string{`SCP name "dup" is used twice (controls.serviceControlPolicies.policies[0] and controls.serviceControlPolicies.policies[1])`}},
		{"tag selector", policy("name: tagged", "document: '"+denyLeaveDoc+"'", "targets: [tag:env=prod]"), nil,
			[]string{`controls.serviceControlPolicies.policies[0] ("tagged"): tag:env=prod: an SCP is attached to the root, an OU or an account, not to a tag`}},
		{"document and file", policy("name: both", "document: '"+denyLeaveDoc+"'", "file: p.json", "targets: [root]"), nil,
			[]string{`("both") has both document and file`}},
		{"no document", policy("name: none", "targets: [root]"), nil,
			[]string{`("none") has no policy document`}},
		{"no targets", policy("name: nowhere", "document: '"+denyLeaveDoc+"'"), nil,
			[]string{`("nowhere") has no targets`}},
		{"FullAWSAccess name", policy("name: FullAWSAccess", "document: '"+denyLeaveDoc+"'", "targets: [root]"), nil,
			[]string{`"FullAWSAccess" is the name of the AWS managed policy`}},
		{"long description", policy("name: wordy", "description: "+strings.Repeat("x", 513), "document: '"+denyLeaveDoc+"'", "targets: [root]"), nil,
			[]string{`("wordy"): description is 513 characters long; AWS allows at most 512`}},
		{"limits out of range", "version: 1\ncontrols:\n  serviceControlPolicies:\n    maxPolicySize: 0\n    maxPoliciesPerTarget: 0\n", nil,
			[]string{"maxPolicySize is 0, out of range", "maxPoliciesPerTarget is 0, out of range"}},
		{"every problem at once", "version: 1\ncontrols:\n  serviceControlPolicies:\n    policies:\n" +
			"      - {name: one, document: '{', targets: [root]}\n" +
			"      - {name: two, file: gone.json, targets: [root]}\n", nil,
			[]string{`SCP "one"`, `SCP "two"`}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			w, err := tryWorld(t, orgsim.Options{Seed: 11, Org: orgsim.OrgSpec{Members: 2, Clean: true}}, tc.yaml, tc.files)
			if err == nil {
				t.Fatalf("no error; controls %v", w.engine.Controls)
			}
			wantIn(t, err.Error(), tc.want...)
		})
	}
}

// TestSCPLockoutGuard: a baseline whose SCP would deny the execution role
// a call of another enabled control is refused at plan time, and orgsim,
// given the same SCP, really denies that call.
func TestSCPLockoutGuard(t *testing.T) {
	const yaml = passwordSCPYAML
	w := scpWorld(t, fmt.Sprintf(yaml, denyPasswordPolicyDoc), nil)
	prod, dev, sandbox := w.id("prod-001"), w.id("dev-002"), w.id("sandbox-003")
	msg := planError(t, w.plan())
	wantIn(t, msg, `SCP "deny-password-policy" statement "DenyPasswordPolicy" (Statement[0]), attached at ou:/Workloads, denies this call:`, "- iam:UpdateAccountPasswordPolicy on * in accounts",
		"dev-002 ("+dev+")", "prod-001 ("+prod+")", "(region us-east-1)",
		"Exempt the role, e.g. with a Condition ArnNotLike aws:PrincipalArn arn:aws:iam::*:role/OrganizationAccountAccessRole")
	if strings.Contains(msg, sandbox) || strings.Contains(msg, "iam:GetAccountPasswordPolicy") {
		t.Errorf("the guard names more than it should:\n%s", msg)
	}
	if n := w.sim.Counters().Writes(); n != 0 {
		t.Errorf("planning made %d writes", n)
	}

	// Attach the same SCP behind the tool's back: orgsim denies the call
	// from the execution role's session in a /Workloads member, and only
	// there.
	enableSCPs(t, w)
	createSCP(t, w, "deny-password-policy", denyPasswordPolicyDoc, ouID(t, w, "/Workloads"))
	update := func(account string) error {
		_, err := iam.NewFromConfig(w.as(account, "us-east-1")).UpdateAccountPasswordPolicy(bg, &iam.UpdateAccountPasswordPolicyInput{MinimumPasswordLength: aws.Int32(14)})
		return err
	}
	var ae smithy.APIError
	if err := update(prod); !errors.As(err, &ae) || ae.ErrorCode() != "AccessDenied" {
		t.Fatalf("UpdateAccountPasswordPolicy in prod-001 under the SCP: %v, want AccessDenied", err)
	}
	if err := update(sandbox); err != nil {
		t.Fatalf("UpdateAccountPasswordPolicy in sandbox-003, outside /Workloads: %v", err)
	}
	// The guard and orgsim agree on every targeted account.
	role := "arn:aws:iam::%s:role/OrganizationAccountAccessRole"
	for _, a := range w.sel.Targets {
		denied := w.sim.Denied(a.ID, fmt.Sprintf(role, a.ID), "iam:UpdateAccountPasswordPolicy", "*") != ""
		if named := strings.Contains(msg, a.ID); denied != named {
			t.Errorf("%s: orgsim denies: %t; the guard names it: %t", a.Label(), denied, named)
		}
	}
}

func TestSCPLockoutGuardAcceptsAnExemptRole(t *testing.T) {
	const yaml = `version: 1
controls:
  passwordPolicy:
    minimumPasswordLength: 14
  serviceControlPolicies:
    policies:
      - name: deny-password-policy
        document: '` + exemptPasswordPolicyDoc + `'
        targets: [ou:/Workloads]
`
	w := scpWorld(t, yaml, nil)
	w.converge()
	prod := w.id("prod-001")
	out, err := iam.NewFromConfig(w.as(prod, "us-east-1")).GetAccountPasswordPolicy(bg, &iam.GetAccountPasswordPolicyInput{})
	if err != nil || aws.ToInt32(out.PasswordPolicy.MinimumPasswordLength) != 14 {
		t.Fatalf("password policy in prod-001: %v %v", out, err)
	}
	if !slices.Contains(scpsOn(t, w, ouID(t, w, "/Workloads")), "deny-password-policy") {
		t.Error("the SCP is not attached")
	}
}

func TestSCPWarnsOnDenyEverything(t *testing.T) {
	const yaml = `version: 1
targets:
  include: [ou:/Workloads]
controls:
  serviceControlPolicies:
    policies:
      - name: quarantine
        document: '{"Version":"2012-10-17","Statement":[{"Sid":"DenyAll","Effect":"Deny","Action":"*","Resource":"*"}]}'
        targets: [ou:/Sandbox]
`
	w := scpWorld(t, yaml, nil)
	p := w.plan()
	if errs := planErrors(p); len(errs) > 0 {
		t.Fatalf("plan errors: %v", errs)
	}
	warnings := strings.Join(p.OrganizationScope.Warnings, "\n")
	wantIn(t, warnings, `SCP "quarantine" statement "DenyAll" (Statement[0]) denies every action on every resource with no condition, at ou:/Sandbox`)

	// Targeted, the same accounts fail the guard once a control calls
	// there.
	targeted := strings.Replace(yaml, "ou:/Sandbox", "ou:/Workloads", 1)
	scpRebase(t, w, strings.Replace(targeted, "controls:\n", "controls:\n  passwordPolicy:\n    minimumPasswordLength: 14\n", 1))
	wantIn(t, planError(t, w.plan()), `SCP "quarantine" statement "DenyAll" (Statement[0]), attached at ou:/Workloads, denies these 2 calls:`, "- iam:GetAccountPasswordPolicy on *")
}

// TestSCPPlanFileRoundTrip applies a plan read back from JSON, the creates
// with one control instance and the attachments with another (as `apply
// plan.json` in a later process): attachments to a policy created by the
// same plan find it by name and managed tag.
func TestSCPPlanFileRoundTrip(t *testing.T) {
	w := scpWorld(t, twoPolicies, twoPolicyFiles)
	data, err := json.Marshal(w.plan())
	if err != nil {
		t.Fatal(err)
	}
	var p baseline.Plan
	if err := json.Unmarshal(data, &p); err != nil {
		t.Fatal(err)
	}
	all := p.OrganizationScope.Changes
	split := slices.IndexFunc(all, func(c baseline.Change) bool { return strings.Contains(c.Resource, "/target/") })
	if split < 0 {
		t.Fatalf("no attachment in the plan:\n%s", describe(&p))
	}
	p.OrganizationScope.Changes = all[:split]
	if errs := w.apply(&p); len(errs) > 0 {
		t.Fatal(errs)
	}
	scpRebase(t, w, twoPolicies) // a new control, which created nothing
	p.OrganizationScope.Changes = all[split:]
	if errs := w.apply(&p); len(errs) > 0 {
		t.Fatal(errs)
	}
	wantChanges(t, w.plan())
	// Applying the same plan again changes nothing and fails nowhere.
	p.OrganizationScope.Changes = all
	if errs := w.apply(&p); len(errs) > 0 {
		t.Fatalf("re-applying the plan: %v", errs)
	}
	wantChanges(t, w.plan())
}

// TestSCPLockoutGuardRegions: IAM calls carry aws:RequestedRegion
// us-east-1 whatever the governed regions, as in AWS (and orgsim); other
// calls are checked in every governed region.
func TestSCPLockoutGuardRegions(t *testing.T) {
	const yaml = `version: 1
organization:
  homeRegion: eu-west-1
  regions: [%s]
controls:
  passwordPolicy:
    minimumPasswordLength: 14
  serviceControlPolicies:
    policies:
      - name: region-lock
        document: '{"Version":"2012-10-17","Statement":[{"Sid":"OnlyHere","Effect":"Deny","NotAction":[%s],"Resource":"*","Condition":{"StringNotEquals":{"aws:RequestedRegion":["%s"]}}}]}'
        targets: [root]
`
	w := scpWorld(t, fmt.Sprintf(yaml, "eu-west-1", `"organizations:*"`, "eu-west-1"), nil)
	msg := planError(t, w.plan())
	wantIn(t, msg, `SCP "region-lock" statement "OnlyHere" (Statement[0]), attached at root, denies these 2 calls (its conditions on aws:RequestedRegion hold):`,
		"- iam:UpdateAccountPasswordPolicy on * in accounts", "- iam:GetAccountPasswordPolicy on * in accounts", "(region us-east-1)")
	if strings.Contains(msg, "sts:AssumeRole") {
		t.Errorf("sts:AssumeRole in eu-west-1 is allowed:\n%s", msg)
	}
	prod := w.id("prod-001")
	if w.sim.Denied(prod, "arn:aws:iam::"+prod+":role/OrganizationAccountAccessRole", "iam:UpdateAccountPasswordPolicy", "*") != "" {
		t.Fatal("the SCP is not attached yet, and orgsim denies")
	}

	// Governing us-east-1 too, while the SCP only allows us-east-1 and
	// exempts IAM: the password policy's calls are IAM's, made at its
	// endpoint, and assuming the role is the management account's call.
	scpRebase(t, w, fmt.Sprintf(yaml, "eu-west-1, us-east-1", `"iam:*"`, "us-east-1"))
	if errs := planErrors(w.plan()); len(errs) > 0 {
		t.Errorf("IAM is exempt, and nothing else is called in eu-west-1: %v", errs)
	}

	scpRebase(t, w, fmt.Sprintf(yaml, "eu-west-1", `"iam:*","sts:*","organizations:*"`, "eu-west-1"))
	w.converge()
	// orgsim agrees: IAM works from a member's execution-role session.
	if _, err := iam.NewFromConfig(w.as(prod, "eu-west-1")).GetAccountPasswordPolicy(bg, &iam.GetAccountPasswordPolicyInput{}); err != nil {
		t.Fatalf("IAM under the region lock: %v", err)
	}
}

// TestSCPInfersFullAWSAccessAttachments: in an organization of more than
// a few pages of targets, FullAWSAccess's attachments are not listed but
// inferred (a target with no other SCP has it: AWS requires one) and
// asked of the few targets that have another SCP. The lockout guard,
// which needs every account's SCPs, must agree with orgsim on every
// targeted account: where FullAWSAccess was detached (an OU, an account)
// and where it stayed beside another SCP.
func TestSCPInfersFullAWSAccessAttachments(t *testing.T) {
	const yaml = `version: 1
controls:
  passwordPolicy:
    minimumPasswordLength: 14
  serviceControlPolicies:
    policies:
      - name: deny-leave
        document: '` + denyLeaveDoc + `'
        targets: [root]
`
	w := newWorld(t, orgsim.OrgSpec{Members: 60, Clean: true}, yaml, nil)
	if n := 1 + len(w.org.OUs) + len(w.org.Accounts); n <= 60 {
		t.Fatalf("the organization has %d targets; the test needs more than three pages of them", n)
	}
	enableSCPs(t, w)
	const narrowDoc = `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"s3:*","Resource":"*"}]}`
	alone, beside, sandbox := w.id("prod-004"), w.id("dev-005"), ouID(t, w, "/Sandbox")
	createSCP(t, w, "narrow", narrowDoc, alone, beside, sandbox)
	for _, tg := range []string{alone, sandbox} {
		if _, err := orgAPI(w).DetachPolicy(bg, &organizations.DetachPolicyInput{PolicyId: aws.String("p-FullAWSAccess"), TargetId: aws.String(tg)}); err != nil {
			t.Fatal(err)
		}
	}

	w.sim.ResetCounters()
	p := w.plan()
	calls := byOp(w.sim.Counters(), w.org.ManagementAccountID)
	// The guard's verdict is the organization scope's error (the accounts
	// the SCPs already lock out also fail their own reads).
	msg := p.OrganizationScope.Error
	if n := calls["organizations ListPoliciesForTarget"]; n != 3 {
		t.Errorf("ListPoliciesForTarget: %d calls, want 3 (the targets with another SCP)", n)
	}
	if n := calls["organizations ListTargetsForPolicy"]; n != 1 {
		t.Errorf("ListTargetsForPolicy: %d calls, want 1 (narrow's targets, not FullAWSAccess's)", n)
	}

	// orgsim denies the execution role in prod-004 and in every /Sandbox
	// account, and nowhere else; the guard names exactly those (the three
	// first of a list, then how many more).
	role := "arn:aws:iam::%s:role/OrganizationAccountAccessRole"
	var inSandbox []string
	for _, a := range w.sel.Targets {
		denied := w.sim.Denied(a.ID, fmt.Sprintf(role, a.ID), "iam:UpdateAccountPasswordPolicy", "*") != ""
		if want := a.ID == alone || a.OUPath == "/Sandbox"; denied != want {
			t.Errorf("%s: orgsim denies: %t, want %t", a.Label(), denied, want)
		}
		if a.OUPath == "/Sandbox" {
			inSandbox = append(inSandbox, a.ID)
		}
	}
	wantIn(t, msg,
		fmt.Sprintf("no SCP attached at account:%s (narrow) allows these 2 calls (every level from the root to the account must allow a call):", alone),
		fmt.Sprintf("- iam:UpdateAccountPasswordPolicy on * in account prod-004 (%s) (region us-east-1)", alone),
		"no SCP attached at ou:/Sandbox (narrow) allows these 2 calls",
		fmt.Sprintf("- iam:UpdateAccountPasswordPolicy on * in accounts sandbox-003 (%s), sandbox-006 (%s), sandbox-009 (%s) and %d more (region us-east-1)",
			inSandbox[0], inSandbox[1], inSandbox[2], len(inSandbox)-3))
	if strings.Contains(msg, beside) {
		t.Errorf("the guard names dev-005, which keeps FullAWSAccess beside the narrow SCP:\n%s", msg)
	}
	if n := strings.Count(msg, "\n  - "); n != 4 {
		t.Errorf("the guard reports %d lockouts, want 4 (two actions at ou:/Sandbox and at prod-004):\n%s", n, msg)
	}
}

// scpSessions gives the world's engine sessions made from base (another
// retryer, another partition), as the CLI builds them.
func scpSessions(w *world, base aws.Config, partition string) {
	w.sessions = orgwalk.NewSessions(base, orgwalk.SessionOptions{Role: w.baseline.Organization.ExecutionRole, SessionName: "orgbaseline-test",
		ManagementAccountID: w.org.ManagementAccountID, Partition: partition})
	w.engine.Sessions, w.engine.Org.Sessions = w.sessions, w.sessions
	w.engine.Org.Partition = partition
}

// TestSCPWaitsForThePolicyTypeToBeEnabled: EnablePolicyType runs in the
// background; apply waits (on the sim clock) until ListRoots shows the
// type ENABLED before it creates and attaches, and says what it waited
// for.
func TestSCPWaitsForThePolicyTypeToBeEnabled(t *testing.T) {
	w := scpWorld(t, twoPolicies, twoPolicyFiles)
	p := w.plan()
	start := w.sim.Now()
	r := w.engine.ApplyOrg(bg, p.OrganizationScope.Changes)
	if len(r.Errors) > 0 {
		t.Fatalf("apply: %v", r.Errors)
	}
	if waited := w.sim.Now().Sub(start); waited < w.sim.AWSLike().PolicyTypeDelay {
		t.Errorf("apply took %s of sim time; AWS takes %s to enable SCPs", waited, w.sim.AWSLike().PolicyTypeDelay)
	}
	want := "the SERVICE_CONTROL_POLICY type to be ENABLED on root " + w.org.RootID
	if len(r.Waits) != 1 || r.Waits[0].For != want || r.Waits[0].Err != nil {
		t.Errorf("waits %+v, want one for %q", r.Waits, want)
	}
	wantChanges(t, w.plan())
}

// TestSCPPlansWhileAWSIsEnablingSCPs: someone else called
// EnablePolicyType and AWS has not finished (PENDING_ENABLE). The plan is
// the one for an organization without SCPs (FullAWSAccess predicted
// everywhere), check does not count anything as attached, and apply
// waits for ENABLED without calling EnablePolicyType again (orgsim would
// answer ConcurrentModificationException).
func TestSCPPlansWhileAWSIsEnablingSCPs(t *testing.T) {
	w := scpWorld(t, twoPolicies, twoPolicyFiles)
	mgmt, audit, root := w.org.ManagementAccountID, w.id("Audit"), w.org.RootID
	if _, err := orgAPI(w).EnablePolicyType(bg, &organizations.EnablePolicyTypeInput{RootId: aws.String(root), PolicyType: types.PolicyTypeServiceControlPolicy}); err != nil {
		t.Fatal(err)
	}
	p := w.plan()
	wantChanges(t, p,
		"serviceControlPolicies create root/"+root+"/policy-type/SERVICE_CONTROL_POLICY "+mgmt,
		"serviceControlPolicies create scp/deny-leave "+mgmt,
		"serviceControlPolicies create scp/deny-root-user "+mgmt,
		"serviceControlPolicies create scp/deny-leave/target/root "+mgmt,
		"serviceControlPolicies create scp/deny-root-user/target/account:"+audit+" "+mgmt,
		"serviceControlPolicies create scp/deny-root-user/target/ou:/Workloads "+mgmt,
	)
	wantIn(t, p.OrganizationScope.Changes[0].Reason, "PENDING_ENABLE", "apply waits until they are ENABLED")
	for _, f := range w.check() {
		if f.Check == "serviceControlPolicies.attached" && (f.Status != baseline.StatusFail || !strings.Contains(f.Message, "PENDING_ENABLE")) {
			t.Errorf("%s while AWS enables SCPs: %s %q", f.Resource, f.Status, f.Message)
		}
	}
	w.sim.ResetCounters()
	if errs := w.apply(p); len(errs) > 0 {
		t.Fatalf("apply: %v", errs)
	}
	if n := w.sim.Counters().Calls("organizations", "EnablePolicyType"); n != 0 {
		t.Errorf("apply called EnablePolicyType %d times while AWS was enabling SCPs", n)
	}
	wantChanges(t, w.plan())
	if got := scpsOn(t, w, ouID(t, w, "/Workloads")); !slices.Equal(got, []string{"FullAWSAccess", "deny-root-user"}) {
		t.Errorf("/Workloads has %v", got)
	}
}

// scpRetryHook is the run's retryer (awsapi.NewRetryer), with a hook
// called before each retry: the test lets the conflicting write finish
// there, where a real run backs off.
type scpRetryHook struct {
	aws.Retryer
	before func(error)
}

func (r scpRetryHook) RetryDelay(attempt int, err error) (time.Duration, error) {
	r.before(err)
	return r.Retryer.RetryDelay(attempt, err)
}

// TestSCPRetriesConcurrentModification: another writer (a person, Control
// Tower, a second run) attaches an SCP to /Workloads while apply attaches
// orgbaseline's there. orgsim answers apply's AttachPolicy
// ConcurrentModificationException while that write is in flight (held by
// injected latency until the test lets it go); the run's retryer retries
// it, and apply converges in one run.
func TestSCPRetriesConcurrentModification(t *testing.T) {
	var (
		held        atomic.Bool
		arrived     = make(chan struct{})
		letGo       = make(chan struct{})
		release     sync.Once
		otherResult = make(chan error, 1)
	)
	w, err := tryWorld(t, orgsim.Options{Seed: 11, Org: orgsim.OrgSpec{Members: 6, Clean: true},
		// Every AttachPolicy takes a while; the other writer's is held in
		// flight until the test lets it go.
		Faults: orgsim.Faults{Rules: []orgsim.FaultRule{{Service: "organizations", Operation: "AttachPolicy", Latency: time.Second}}},
		Sleep: func(d time.Duration, done <-chan struct{}) {
			if d > 0 && held.CompareAndSwap(false, true) {
				close(arrived)
				<-letGo
			}
		},
	}, twoPolicies, twoPolicyFiles)
	if err != nil {
		t.Fatal(err)
	}
	// Before the server closes (cleanups run last first), let a held
	// write go.
	t.Cleanup(func() { release.Do(func() { close(letGo) }) })
	enableSCPs(t, w)
	other := createSCP(t, w, "other-team", `{"Version":"2012-10-17","Statement":[{"Effect":"Deny","Action":"ec2:*","Resource":"*"}]}`)
	workloads := ouID(t, w, "/Workloads")
	retried := 0
	base := w.cfg.Copy()
	base.Retryer = func() aws.Retryer {
		return scpRetryHook{Retryer: awsapi.NewRetryer(0, true), before: func(err error) {
			var ae smithy.APIError
			if errors.As(err, &ae) && ae.ErrorCode() == "ConcurrentModificationException" {
				retried++
				release.Do(func() { close(letGo) })
				if err := <-otherResult; err != nil {
					t.Errorf("the other writer: %v", err)
				}
			}
		}}
	}
	scpSessions(w, base, "")
	p := w.plan()

	go func() {
		_, err := orgAPI(w).AttachPolicy(bg, &organizations.AttachPolicyInput{PolicyId: aws.String(other), TargetId: aws.String(workloads)})
		otherResult <- err
	}()
	<-arrived
	if errs := w.apply(p); len(errs) > 0 {
		t.Fatalf("apply with a concurrent writer: %v", errs)
	}
	if retried != 1 {
		t.Errorf("apply retried %d ConcurrentModificationExceptions, want 1", retried)
	}
	var cmes int
	for _, cs := range w.sim.Counters() {
		cmes += cs.Errors["ConcurrentModificationException"]
	}
	if cmes != 1 {
		t.Errorf("orgsim answered %d ConcurrentModificationExceptions, want 1", cmes)
	}
	if got := scpsOn(t, w, workloads); !slices.Equal(got, []string{"FullAWSAccess", "deny-root-user", "other-team"}) {
		t.Errorf("/Workloads has %v", got)
	}
	wantChanges(t, w.plan())
}

// TestSCPGovCloud: in the aws-us-gov partition the lockout guard names the
// partition's role ARNs, evaluates IAM calls in us-gov-west-1 (where
// GovCloud serves IAM) and the findings name the accounts by their
// GovCloud ARNs. Only the organization scope is planned: it is where the
// SCP control runs.
func TestSCPGovCloud(t *testing.T) {
	const yaml = `version: 1
organization:
  homeRegion: us-gov-west-1
  regions: [us-gov-west-1]
controls:
  passwordPolicy:
    minimumPasswordLength: 14
  serviceControlPolicies:
    policies:
      - name: deny-password-policy
        document: '%s'
        targets: [ou:/Workloads]
`
	world := func(doc string) *world {
		w, err := tryWorld(t, orgsim.Options{Seed: 11, Org: orgsim.OrgSpec{Members: 6, Clean: true}, Partition: "aws-us-gov"}, fmt.Sprintf(yaml, doc), nil)
		if err != nil {
			t.Fatal(err)
		}
		scpSessions(w, w.cfg, "aws-us-gov")
		return w
	}
	w := world(denyPasswordPolicyDoc)
	wantIn(t, strings.Join(w.engine.PlanOrg(bg).Errors, "\n"), "- iam:UpdateAccountPasswordPolicy on *",
		"Exempt the role, e.g. with a Condition ArnNotLike aws:PrincipalArn arn:aws-us-gov:iam::*:role/OrganizationAccountAccessRole")

	// An SCP that denies IAM in us-east-1 does not reach GovCloud's IAM,
	// whose calls carry aws:RequestedRegion us-gov-west-1.
	w = world(`{"Version":"2012-10-17","Statement":[{"Sid":"NotInUsEast1","Effect":"Deny","Action":"iam:*","Resource":"*","Condition":{"StringEquals":{"aws:RequestedRegion":"us-east-1"}}}]}`)
	if r := w.engine.PlanOrg(bg); len(r.Errors) > 0 || len(r.Changes) == 0 {
		t.Fatalf("plan: %d changes, errors %v", len(r.Changes), r.Errors)
	}
	prefix := "arn:aws-us-gov:organizations::" + w.org.ManagementAccountID + ":account/" + w.org.ID + "/"
	r := w.engine.CheckOrg(bg)
	if len(r.Errors) > 0 {
		t.Fatalf("check: %v", r.Errors)
	}
	n := 0
	for _, f := range r.Findings {
		if f.Check != "serviceControlPolicies.inForce" {
			continue
		}
		n++
		if !strings.HasPrefix(f.Resource, prefix) {
			t.Errorf("finding resource %s, want it to begin %s", f.Resource, prefix)
		}
	}
	if n == 0 {
		t.Error("no inForce findings")
	}
}
