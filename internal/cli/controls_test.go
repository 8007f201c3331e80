package cli

import (
	"path/filepath"
	"strings"
	"testing"

	"github.com/orgbaseline/orgbaseline/internal/orgsim"
)

// fullBaseline enables all five controls.
const fullBaseline = `version: 1
extends: [cis-aws-foundations-3.0]
organization:
  regions: [us-east-1, eu-west-1]
  accounts: {logArchive: Log Archive, audit: Audit}
controls:
  serviceControlPolicies:
    policies:
      - name: deny-leave
        targets: [root]
        document: '{"Version":"2012-10-17","Statement":[{"Effect":"Deny","Action":"organizations:LeaveOrganization","Resource":"*"}]}'
  config:
    rules:
      - identifier: ROOT_ACCOUNT_MFA_ENABLED
`

// One service unavailable in one region: the other controls and regions
// converge, the exit code says the run was not clean, and a re-run once the
// service is back converges the rest.
func TestServiceDownInOneRegionIsNotClean(t *testing.T) {
	h := newHarness(t, orgsim.OrgSpec{Members: 4, Clean: true})
	f := h.write("baseline.yaml", fullBaseline)
	h.sim.SetFaults(orgsim.Faults{Rules: []orgsim.FaultRule{{Service: "config", Region: "eu-west-1", ErrorRate: 1}}})

	// One attempt per call: the injected errors are not worth retrying.
	r := h.run("apply", "-f", f, "--auto-approve", "--summary", "--max-attempts", "1")
	h.want(r, ExitError)
	if !strings.Contains(r.stdout, "config in eu-west-1") {
		t.Fatalf("the region's failure is not reported:\n%s", r.stdout)
	}

	// Everything but Config in eu-west-1 converged: what is left to plan is
	// exactly that.
	h.sim.SetFaults(orgsim.Faults{})
	planFile := filepath.Join(h.dir, "plan.json")
	h.want(h.run("plan", "-f", f, "-out", planFile, "--detailed-exitcode"), ExitChanges)
	p := readPlan(t, planFile)
	for _, s := range p.Sections() {
		for _, c := range s.Changes {
			if c.Control != "config" || c.Region != "eu-west-1" {
				t.Errorf("left over outside Config in eu-west-1: %s %s %s %s", c.Control, c.Action, c.Resource, c.Region)
			}
		}
	}
	if p.ChangeCount() == 0 {
		t.Fatal("nothing left to do in eu-west-1")
	}
	h.want(h.run("apply", "-f", f, planFile, "--auto-approve"), ExitOK)
	h.sim.ResetCounters()
	h.want(h.run("plan", "-f", f, "--detailed-exitcode"), ExitOK)
	if w := h.sim.Counters().Writes(); w != 0 {
		t.Fatalf("converged plan made %d writes", w)
	}
	h.want(h.run("check", "-f", f), ExitOK)
}

// An SCP that would deny the execution role's own calls is refused at
// plan, by the real command, before any write.
func TestLockoutIsRefusedAtPlan(t *testing.T) {
	h := newHarness(t, orgsim.OrgSpec{Members: 4, Clean: true})
	f := h.write("baseline.yaml", passwordBaseline+`  serviceControlPolicies:
    policies:
      - name: no-iam-changes
        targets: [ou:/Workloads]
        document: '{"Version":"2012-10-17","Statement":[{"Sid":"NoIAM","Effect":"Deny","Action":"iam:Update*","Resource":"*"}]}'
`)
	for _, cmd := range [][]string{{"plan"}, {"apply", "--auto-approve"}} {
		h.sim.ResetCounters()
		r := h.run(append(cmd, "-f", f)...)
		h.want(r, ExitError)
		for _, want := range []string{`SCP "no-iam-changes"`, `"NoIAM"`, "iam:UpdateAccountPasswordPolicy", "prod-"} {
			if !strings.Contains(r.stdout+r.stderr, want) {
				t.Errorf("%s: refusal does not name %q:\n%s\n%s", cmd[0], want, r.stdout, r.stderr)
			}
		}
		if cmd[0] == "apply" {
			if n := h.sim.Counters().Filter(func(c orgsim.CallStat) bool { return c.Write && c.Service == "organizations" }).Total(); n != 0 {
				t.Fatalf("the refused SCP led to %d Organizations writes", n)
			}
		}
	}
}
