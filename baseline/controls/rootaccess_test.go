package controls_test

import (
	"fmt"
	"strings"
	"testing"
)

// lzaRootStatement is the ROOT statement of Landing Zone Accelerator's
// LZA-Guardrails-Sensitive SCP (awslabs/landing-zone-accelerator-on-aws,
// reference/sample-configurations/aws-best-practices-cccs-medium), which
// denied centralized root access its audit
// (aws-samples/landing-zone-accelerator-on-aws-for-cccs-medium issue 16):
// the root user may only manage its MFA and a few account tasks. cond is
// added to its conditions.
func lzaRootStatement(cond string) string {
	return `{"Sid":"ROOT","Effect":"Deny","NotAction":["iam:CreateVirtualMFADevice","iam:EnableMFADevice","iam:GetUser","iam:ListMFADevices",` +
		`"iam:ListVirtualMFADevices","iam:ResyncMFADevice","sts:GetSessionToken","iam:DeleteVirtualMFADevice","trustedadvisor:*","support:*","account:*"],` +
		`"Resource":"*","Condition":{"ArnLike":{"aws:PrincipalARN":["arn:aws:iam::*:root"]}` + cond + `}}`
}

// rootGuardYAML is a baseline with controls.rootAccess (removing
// password and access keys, excluding the accounts of exclude) and one
// SCP of statement attached at target.
func rootGuardYAML(statement, target string, exclude ...string) string {
	ex := ""
	if len(exclude) > 0 {
		ex = "\n    exclude: [" + strings.Join(exclude, ", ") + "]"
	}
	return fmt.Sprintf(`version: 1
controls:
  rootAccess:
    removeCredentials: [password, accessKeys]%s
  serviceControlPolicies:
    policies:
      - name: lza-root
        document: '{"Version":"2012-10-17","Statement":[%s]}'
        targets: [%s]
`, ex, statement, target)
}

// guardErrors are the lockout guard's refusals among a plan's errors.
func guardErrors(w *world) string {
	var out []string
	for _, e := range planErrors(w.plan()) {
		if strings.Contains(e, "lockout guard") {
			out = append(out, e)
		}
	}
	return strings.Join(out, "\n")
}

// TestRootAccessGuard: with controls.rootAccess on, the lockout guard
// refuses an SCP that would deny the root session's calls: Landing Zone
// Accelerator's deny-root statement, which has no aws:AssumedRoot
// exemption, denies the audit's reads and the deletions (not
// iam:ListMFADevices, which it lets the root user call). The same
// statement exempting root sessions passes; attached only to an account
// the control excludes (a break-glass account never gets a root
// session), it passes too.
func TestRootAccessGuard(t *testing.T) {
	w := scpWorld(t, rootGuardYAML(lzaRootStatement(""), "ou:/Workloads"), nil)
	got := guardErrors(w)
	wantIn(t, got, "would deny calls orgbaseline makes in root sessions (sts:AssumeRoot, controls.rootAccess), as each member account's root user:",
		`SCP "lza-root" statement "ROOT" (Statement[0]), attached at ou:/Workloads, denies these 5 calls of root sessions (its conditions on aws:PrincipalARN hold):`,
		"- iam:GetLoginProfile on arn:aws:iam::", ":root in accounts ",
		"- iam:ListAccessKeys on", "- iam:ListSigningCertificates on", "- iam:DeleteLoginProfile on", "- iam:DeleteAccessKey on",
		"prod-001 ("+w.id("prod-001")+")",
		`Exempt root sessions, e.g. with a Condition "BoolIfExists": {"aws:AssumedRoot": "false"}`)
	for _, notDenied := range []string{"iam:ListMFADevices", "Log Archive"} {
		if strings.Contains(got, notDenied) {
			t.Errorf("the refusal names %s, which the SCP does not deny there:\n%s", notDenied, got)
		}
	}

	exempt := lzaRootStatement(`,"BoolIfExists":{"aws:AssumedRoot":"false"}`)
	if got := guardErrors(scpWorld(t, rootGuardYAML(exempt, "ou:/Workloads"), nil)); got != "" {
		t.Errorf("the statement exempts root sessions, yet the guard refuses:\n%s", got)
	}

	w = scpWorld(t, rootGuardYAML(lzaRootStatement(""), "account:prod-001", "account:prod-001"), nil)
	if got := guardErrors(w); got != "" {
		t.Errorf("the SCP reaches only an excluded account, yet the guard refuses:\n%s", got)
	}
}

// TestRootAccessDelegatedAdministrator: a delegated administrator is
// registered for IAM after trusted access and before the features, and
// the management account cannot be one.
func TestRootAccessDelegatedAdministrator(t *testing.T) {
	yaml := func(admin string) string {
		return "version: 1\norganization:\n  accounts:\n    security: Audit\n    management: Management\ncontrols:\n  rootAccess:\n    delegatedAdministrator: " + admin + "\n"
	}
	w := newWorld(t, rootSpec, yaml("security"), nil)
	mgmt := w.sim.ManagementAccountID()
	p := w.converge()
	var org []string
	for _, c := range changes(p) {
		if strings.HasPrefix(c, "rootAccess ") {
			org = append(org, c)
		}
	}
	want := []string{
		"rootAccess create organizations/trusted-access/iam.amazonaws.com " + mgmt,
		"rootAccess create organizations/delegated-administrator/iam.amazonaws.com " + mgmt,
		"rootAccess create iam/organizations-features/RootCredentialsManagement " + mgmt,
		"rootAccess create iam/organizations-features/RootSessions " + mgmt,
	}
	if strings.Join(org, "\n") != strings.Join(want, "\n") {
		t.Errorf("organization scope:\n%s\nwant:\n%s", strings.Join(org, "\n"), strings.Join(want, "\n"))
	}
	w = otWorldOn(t, w, yaml("management"))
	wantIn(t, planError(t, w.plan()), `controls.rootAccess.delegatedAdministrator ("management") names the management account Management (`+mgmt+`), which manages root access without being registered`)
}

// TestRootAccessRootSessionsLeftOff: with rootSessions: false and the
// feature off, no root session can be had; each member account's error
// says which setting turns it on, instead of planning for a feature the
// baseline never enables.
func TestRootAccessRootSessionsLeftOff(t *testing.T) {
	w := newWorld(t, rootSpec, "version: 1\ncontrols:\n  rootAccess:\n    rootSessions: false\n", nil)
	p := w.plan()
	if errs := w.apply(p); len(errs) > 0 {
		t.Fatalf("apply errors: %v", errs)
	}
	wantIn(t, planError(t, w.plan()), w.id("prod-001")+": rootCredentials: sts:AssumeRoot into prod-001",
		"RootSessions is off in the organization and controls.rootAccess does not enable it", "set controls.rootAccess.rootSessions: true")
}
