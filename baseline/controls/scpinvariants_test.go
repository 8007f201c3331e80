package controls_test

import (
	"fmt"
	"strings"
	"testing"

	"github.com/orgbaseline/orgbaseline/baseline"
)

// invariantsYAML declares deny-leave on the root, and on /Sandbox an
// allow-list that replaces FullAWSAccess beside a narrower allow; the
// allow-list replaces FullAWSAccess on one account too, so that account
// has a single SCP.
const invariantsYAML = `version: 1
controls:
  passwordPolicy:
    minimumPasswordLength: 14
  serviceControlPolicies:
    policies:
      - name: deny-leave
        document: '` + denyLeaveDoc + `'
        targets: [root]
      - name: allow-list
        document: '` + allowListDoc + `'
        targets: [ou:/Sandbox, account:sandbox-003]
        replaceFullAWSAccess: true
      - name: s3-only
        document: '{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"s3:*","Resource":"*"}]}'
        targets: [ou:/Sandbox]
`

const denyAllDoc = `{"Version":"2012-10-17","Statement":[{"Effect":"Deny","Action":"*","Resource":"*"}]}`

func scpAttach(w *world, action baseline.Action, policy, policyID, label, targetID string) baseline.Change {
	x := map[string]any{"policy": policy, "policyId": policyID, "target": label, "targetId": targetID}
	ch := baseline.Change{Control: "serviceControlPolicies", Account: w.org.ManagementAccountID, Resource: "scp/" + policy + "/target/" + label, Action: action}
	if action == baseline.ActionDelete {
		ch.Before = x
	} else {
		ch.After = x
	}
	return ch
}

func scpPolicy(w *world, action baseline.Action, id, name, content string) baseline.Change {
	x := map[string]any{"id": id, "name": name, "description": "", "content": content, "tags": map[string]any{"orgbaseline:managed": "true"}}
	ch := baseline.Change{Control: "serviceControlPolicies", Account: w.org.ManagementAccountID, Resource: "scp/" + name, Action: action}
	if action == baseline.ActionDelete {
		ch.Before = x
	} else {
		ch.After = x
	}
	return ch
}

// applyForged hands the engine a change list directly, as a forged plan
// would, and returns the organization scope's errors; it fails the test
// when the list wrote anything.
func applyForged(t *testing.T, w *world, changes ...baseline.Change) string {
	t.Helper()
	w.sim.ResetCounters()
	r := w.engine.ApplyOrg(bg, changes)
	if n := w.sim.Counters().Writes(); n != 0 {
		t.Errorf("the forged changes made %d writes", n)
	}
	if len(r.Applied) > 0 {
		t.Errorf("%d forged change(s) reported applied", len(r.Applied))
	}
	return strings.Join(r.Errors, "\n")
}

// TestSCPApplyRechecksInvariants: Apply checks each SCP write again right
// before making it, whatever the change list says: the managed tag of a
// policy it updates, detaches or deletes (FullAWSAccess only where a
// replaceFullAWSAccess policy is attached), a create or update only as
// the baseline declares it, no target left without an SCP, and the
// lockout guard on what is in force after the write. Each forged list is
// refused with nothing written, and the organization stays as converged.
func TestSCPApplyRechecksInvariants(t *testing.T) {
	w := scpWorld(t, invariantsYAML, nil)
	w.converge()
	root, sandbox, workloads := w.org.RootID, ouID(t, w, "/Sandbox"), ouID(t, w, "/Workloads")
	alone := w.id("sandbox-003")
	if got := scpsOn(t, w, alone); strings.Join(got, ",") != "allow-list" {
		t.Fatalf("sandbox-003 has %v, want allow-list alone", got)
	}
	theirs := createSCP(t, w, "theirs", denyLeaveDoc, workloads) // attached, not managed
	lockOut := createSCP(t, w, "lock-out", denyAllDoc)           // attached nowhere, not managed
	before := scps(t, w)
	ids := map[string]string{}
	for name, s := range before {
		ids[name] = s.id
	}
	// A new run: what the apply knows of the SCPs is read again.
	scpRebase(t, w, invariantsYAML)

	tests := []struct {
		name    string
		changes []baseline.Change
		want    []string
	}{
		{"FullAWSAccess detached from the root", []baseline.Change{scpAttach(w, baseline.ActionDelete, "FullAWSAccess", ids["FullAWSAccess"], "root", root)},
			[]string{"detach SCP FullAWSAccess", "FullAWSAccess is detached only from a target where a policy of the baseline with replaceFullAWSAccess is attached, and root has none"}},
		{"a deny-everything SCP attached to the root, FullAWSAccess detached", []baseline.Change{
			scpAttach(w, baseline.ActionCreate, "lock-out", lockOut, "root", root),
			scpAttach(w, baseline.ActionDelete, "FullAWSAccess", ids["FullAWSAccess"], "root", root)},
			[]string{"attach SCP lock-out (" + lockOut + ") to root: refused: lockout guard: the SCPs in force after this change would deny",
				`SCP "lock-out" (not managed by orgbaseline) statement Statement[0], attached at root, denies these 2 calls:`, "- iam:GetAccountPasswordPolicy on *",
				"not applied because an earlier change of serviceControlPolicies failed"}},
		{"an SCP orgbaseline does not manage detached", []baseline.Change{scpAttach(w, baseline.ActionDelete, "theirs", theirs, "ou:/Workloads", workloads)},
			[]string{"detach SCP theirs (" + theirs + ") from ou:/Workloads: refused: the policy is not managed by orgbaseline (no tag orgbaseline:managed=true)"}},
		{"an SCP orgbaseline does not manage updated under a declared name", []baseline.Change{scpPolicy(w, baseline.ActionUpdate, theirs, "deny-leave", denyLeaveDoc)},
			[]string{"update SCP deny-leave (" + theirs + "): refused: the policy is not managed by orgbaseline"}},
		{"an SCP orgbaseline does not manage deleted", []baseline.Change{scpPolicy(w, baseline.ActionDelete, lockOut, "lock-out", denyAllDoc)},
			[]string{"delete SCP lock-out (" + lockOut + "): refused: the policy is not managed by orgbaseline"}},
		{"an SCP the baseline does not declare created", []baseline.Change{scpPolicy(w, baseline.ActionCreate, "", "lock-out-2", denyAllDoc)},
			[]string{"create SCP lock-out-2: refused: the baseline declares no SCP of this name"}},
		{"a declared SCP written with another document", []baseline.Change{scpPolicy(w, baseline.ActionUpdate, ids["deny-leave"], "deny-leave", denyAllDoc)},
			[]string{"update SCP deny-leave (" + ids["deny-leave"] + "): refused: the document or description is not the one the baseline declares for deny-leave"}},
		{"the last SCP of an account detached", []baseline.Change{scpAttach(w, baseline.ActionDelete, "allow-list", ids["allow-list"], "account:"+alone, alone)},
			[]string{"account:" + alone + " would be left with no SCP after detaching allow-list"}},
		{"an allow-list detached, leaving an SCP that does not allow the tool", []baseline.Change{scpAttach(w, baseline.ActionDelete, "allow-list", ids["allow-list"], "ou:/Sandbox", sandbox)},
			[]string{"detach SCP allow-list", "refused: lockout guard", "no SCP attached at ou:/Sandbox (s3-only) allows these 2 calls", "- iam:GetAccountPasswordPolicy on *"}},
		{"a policy id the organization does not have", []baseline.Change{scpAttach(w, baseline.ActionDelete, "deny-leave", "p-notthere1", "root", root)},
			[]string{"detach SCP deny-leave (p-notthere1) from root: refused: no SCP with this id in the organization"}},
		{"an attachment with an action no plan has", []baseline.Change{scpAttach(w, baseline.ActionUpdate, "lock-out", lockOut, "root", root)},
			[]string{"scp/lock-out/target/root: refused: an attachment is made (create) or removed (delete), not update"}},
		{"a forged value quoted short and escaped", []baseline.Change{scpAttach(w, baseline.ActionDelete, "x\x1b[2J"+strings.Repeat("y", 500), "p-notthere1", "root", root)},
			[]string{`detach SCP x\x1b[2Jyyyy`, "…"}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			msg := applyForged(t, w, tc.changes...)
			wantIn(t, msg, tc.want...)
			if strings.Contains(msg, "\x1b") || strings.Contains(msg, strings.Repeat("y", 100)) {
				t.Errorf("the refusal quotes a forged value raw or in full:\n%.1000s", msg)
			}
		})
	}
	if after := scps(t, w); fmt.Sprint(after) != fmt.Sprint(before) {
		t.Errorf("the SCPs changed:\nbefore %v\nafter  %v", before, after)
	}
	wantChanges(t, w.plan())
}

// TestSCPApplyGuardsAnUpdateThePlanRefuses: an update of an attached SCP
// to the baseline's document is refused at apply time when that document
// would lock the execution role out, even handed to the engine without
// the plan that refuses it.
func TestSCPApplyGuardsAnUpdateThePlanRefuses(t *testing.T) {
	const yaml = passwordSCPYAML
	w := scpWorld(t, fmt.Sprintf(yaml, exemptPasswordPolicyDoc), nil)
	w.converge()
	scpRebase(t, w, fmt.Sprintf(yaml, denyPasswordPolicyDoc))
	wantIn(t, planError(t, w.plan()), "lockout guard")
	before := scps(t, w)
	id := before["deny-password-policy"].id
	msg := applyForged(t, w, scpPolicy(w, baseline.ActionUpdate, id, "deny-password-policy", denyPasswordPolicyDoc))
	wantIn(t, msg, "update SCP deny-password-policy ("+id+"): refused: lockout guard: the SCPs in force after this change would deny",
		`statement "DenyPasswordPolicy" (Statement[0]), attached at ou:/Workloads, denies this call:`, "- iam:UpdateAccountPasswordPolicy on *")
	if after := scps(t, w); fmt.Sprint(after) != fmt.Sprint(before) {
		t.Errorf("the SCPs changed:\nbefore %v\nafter  %v", before, after)
	}
}
