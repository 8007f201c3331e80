package controls_test

import (
	"bytes"
	"errors"
	"io"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"sync"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/iam"
	iamtypes "github.com/aws/aws-sdk-go-v2/service/iam/types"
	"github.com/aws/aws-sdk-go-v2/service/sts"
	ststypes "github.com/aws/aws-sdk-go-v2/service/sts/types"
	"github.com/google/go-cmp/cmp"

	"github.com/orgbaseline/orgbaseline/baseline"
	"github.com/orgbaseline/orgbaseline/baseline/controls"
	"github.com/orgbaseline/orgbaseline/internal/orgsim"
)

// rootSpec is a clean organization of six members whose root users have
// credentials (orgsim.OrgSpec.RootCredentials), by member n%5: Log
// Archive (1) a password; Audit (2) a password, a virtual MFA device and
// an active access key; prod-001 (3) a hardware MFA device; dev-002 (4) a
// signing certificate and an inactive access key; sandbox-003 (5)
// nothing; prod-004 (6) a password. Centralized root access is off.
var rootSpec = orgsim.OrgSpec{Members: 6, Clean: true, RootCredentials: true}

// rootMembers are the member accounts of rootSpec, by name.
var rootMembers = []string{"Log Archive", "Audit", "prod-001", "dev-002", "sandbox-003", "prod-004"}

// rootYAML is a baseline with controls.rootAccess made of lines.
func rootYAML(lines ...string) string {
	return "version: 1\ncontrols:\n  rootAccess:\n    " + strings.Join(append(lines, "enabled: true"), "\n    ") + "\n"
}

// rootHeld is a root user's credentials as the test reads them back.
type rootHeld struct {
	Password            bool
	AccessKeys          []string
	SigningCertificates []string
	MFADevices          []string
}

// auditRoot reads account's root credentials back through the SDK, as an
// auditor would: sts:AssumeRoot from the management account with the
// audit task policy, then the reads it allows.
func auditRoot(t testing.TB, w *world, account string) rootHeld {
	t.Helper()
	out, err := sts.NewFromConfig(w.cfg).AssumeRoot(bg, &sts.AssumeRootInput{
		TargetPrincipal: aws.String(account),
		TaskPolicyArn:   &ststypes.PolicyDescriptorType{Arn: aws.String("arn:aws:iam::aws:policy/root-task/IAMAuditRootUserCredentials")},
	})
	if err != nil {
		t.Fatalf("audit %s: %v", account, err)
	}
	cfg := w.cfg.Copy()
	c := out.Credentials
	cfg.Credentials = credentials.NewStaticCredentialsProvider(aws.ToString(c.AccessKeyId), aws.ToString(c.SecretAccessKey), aws.ToString(c.SessionToken))
	api := iam.NewFromConfig(cfg)
	var h rootHeld
	_, err = api.GetLoginProfile(bg, &iam.GetLoginProfileInput{})
	var nse *iamtypes.NoSuchEntityException
	switch {
	case err == nil:
		h.Password = true
	case !errors.As(err, &nse):
		t.Fatalf("audit %s: GetLoginProfile: %v", account, err)
	}
	keys, err := api.ListAccessKeys(bg, &iam.ListAccessKeysInput{})
	if err != nil {
		t.Fatalf("audit %s: ListAccessKeys: %v", account, err)
	}
	for _, k := range keys.AccessKeyMetadata {
		h.AccessKeys = append(h.AccessKeys, aws.ToString(k.AccessKeyId))
	}
	certs, err := api.ListSigningCertificates(bg, &iam.ListSigningCertificatesInput{})
	if err != nil {
		t.Fatalf("audit %s: ListSigningCertificates: %v", account, err)
	}
	for _, c := range certs.Certificates {
		h.SigningCertificates = append(h.SigningCertificates, aws.ToString(c.CertificateId))
	}
	mfas, err := api.ListMFADevices(bg, &iam.ListMFADevicesInput{})
	if err != nil {
		t.Fatalf("audit %s: ListMFADevices: %v", account, err)
	}
	for _, d := range mfas.MFADevices {
		h.MFADevices = append(h.MFADevices, aws.ToString(d.SerialNumber))
	}
	return h
}

// kinds lists what h holds, as removeCredentials names it.
func (h rootHeld) kinds() []string {
	var out []string
	if h.Password {
		out = append(out, baseline.RootPassword)
	}
	if len(h.AccessKeys) > 0 {
		out = append(out, baseline.RootAccessKeys)
	}
	if len(h.SigningCertificates) > 0 {
		out = append(out, baseline.RootSigningCertificates)
	}
	if len(h.MFADevices) > 0 {
		out = append(out, baseline.RootMFADevices)
	}
	return out
}

// rootSeeded are the kinds each member of rootSpec holds.
var rootSeeded = map[string][]string{
	"Log Archive": {"password"},
	"Audit":       {"password", "accessKeys", "mfaDevices"},
	"prod-001":    {"mfaDevices"},
	"dev-002":     {"accessKeys", "signingCertificates"},
	"sandbox-003": nil,
	"prod-004":    {"password"},
}

// findingOf is the finding of check in account, failing the test when
// there is none.
func findingOf(t testing.TB, fs []baseline.Finding, check, account string) baseline.Finding {
	t.Helper()
	for _, f := range fs {
		if f.Check == check && f.Account == account {
			return f
		}
	}
	t.Fatalf("no finding %s in %s", check, account)
	return baseline.Finding{}
}

// TestRootAccessConverge: from an organization with centralized root
// access off and root credentials in several members, one apply turns the
// features on and deletes every root credential of every member but the
// excluded one (planned before anything could be read: "whatever the root
// user has at apply"), and the second plan is empty with no write.
func TestRootAccessConverge(t *testing.T) {
	w := newWorld(t, rootSpec, rootYAML("removeCredentials: [password, accessKeys, signingCertificates, mfaDevices]", "exclude: [account:Log Archive]"), nil)
	p := w.converge()
	want := []string{
		"rootAccess create organizations/trusted-access/iam.amazonaws.com " + w.sim.ManagementAccountID(),
		"rootAccess create iam/organizations-features/RootCredentialsManagement " + w.sim.ManagementAccountID(),
		"rootAccess create iam/organizations-features/RootSessions " + w.sim.ManagementAccountID(),
	}
	for _, name := range rootMembers[1:] {
		want = append(want, "rootCredentials delete iam/root-credentials "+w.id(name))
	}
	got := changes(p)
	slices.Sort(want[3:])
	slices.Sort(got[3:])
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("first plan (-want +got):\n%s", diff)
	}
	for _, s := range p.Accounts {
		for _, c := range s.Changes {
			if c.Before["accessKeys"] != "whatever the root user has at apply" || !strings.Contains(c.Reason, "RootCredentialsManagement and RootSessions are off in the organization") {
				t.Errorf("%s: a change planned before the audit could run: %+v", s.Account, c)
			}
		}
	}
	for _, name := range rootMembers {
		got := auditRoot(t, w, w.id(name)).kinds()
		want := []string(nil)
		if name == "Log Archive" {
			want = rootSeeded[name] // excluded: untouched
		}
		if !cmp.Equal(got, want) {
			t.Errorf("%s after apply: root credentials %v, want %v", name, got, want)
		}
	}
	fs := w.check()
	for _, name := range rootMembers[1:] {
		for _, check := range []string{"rootCredentials.centralized", "rootCredentials.none", "rootCredentials.accessKeys", "rootCredentials.mfa"} {
			if f := findingOf(t, fs, check, w.id(name)); f.Status != baseline.StatusPass {
				t.Errorf("%s %s: %s %s", name, check, f.Status, f.Message)
			}
		}
	}
	if f := findingOf(t, fs, "rootCredentials.none", w.id("Log Archive")); f.Status != baseline.StatusSkip || !strings.Contains(f.Message, "excluded by controls.rootAccess.exclude (account:Log Archive)") {
		t.Errorf("the excluded account: %s %s", f.Status, f.Message)
	}
	mgmt := w.sim.ManagementAccountID()
	if f := findingOf(t, fs, "rootAccess.credentialsManagement", mgmt); f.Status != baseline.StatusPass || !slices.Contains(f.Compliance, "CIS-7.0:2.1.1") {
		t.Errorf("credentials management: %+v", f)
	}
	if f := findingOf(t, fs, "rootCredentials.mfa", w.id("Audit")); !strings.Contains(f.Message, "no password") || !slices.Contains(f.Compliance, "CIS-3.0:1.5") {
		t.Errorf("a root user without credentials passes CIS 1.5 by design, and says so: %+v", f)
	}
}

// TestRootAccessAuditOnly: without removeCredentials the control enables
// the features and audits, and deletes nothing: the plan has no change
// in any member, warns of what each root user keeps, and the findings
// report the credentials.
func TestRootAccessAuditOnly(t *testing.T) {
	w := newWorld(t, rootSpec, rootYAML(), nil)
	p := w.converge()
	for _, s := range p.Accounts {
		if len(s.Changes) > 0 {
			t.Errorf("%s: audit-only plans %s", s.Account, describe(p))
		}
	}
	for _, name := range rootMembers {
		if got := auditRoot(t, w, w.id(name)).kinds(); !cmp.Equal(got, rootSeeded[name]) {
			t.Errorf("%s: root credentials %v after an audit-only apply, want %v as seeded", name, got, rootSeeded[name])
		}
	}
	again := w.plan()
	warnings := map[string]string{}
	for _, s := range again.Accounts {
		warnings[s.Account] = strings.Join(s.Warnings, "\n")
	}
	if got := warnings[w.id("Audit")]; !strings.Contains(got, "rootCredentials: the root user keeps a password, 1 access key and 1 MFA device (not in controls.rootAccess.removeCredentials)") {
		t.Errorf("the plan does not show what Audit's root user has: %q", got)
	}
	if got := warnings[w.id("sandbox-003")]; got != "" {
		t.Errorf("a root user without credentials is warned about: %q", got)
	}
	fs := w.check()
	for _, c := range []struct {
		name, check string
		status      baseline.Status
	}{
		{"Audit", "rootCredentials.accessKeys", baseline.StatusFail},
		{"Audit", "rootCredentials.mfa", baseline.StatusPass},
		{"Log Archive", "rootCredentials.mfa", baseline.StatusFail},
		{"prod-001", "rootCredentials.mfa", baseline.StatusPass},
		{"prod-001", "rootCredentials.none", baseline.StatusFail},
		{"dev-002", "rootCredentials.accessKeys", baseline.StatusFail},
		{"sandbox-003", "rootCredentials.none", baseline.StatusPass},
	} {
		if f := findingOf(t, fs, c.check, w.id(c.name)); f.Status != c.status {
			t.Errorf("%s %s: %s (%s), want %s", c.name, c.check, f.Status, f.Message, c.status)
		}
	}
}

// TestRootAccessDeletesWhatThePlanShows: with the features on, the plan
// reads each root user and names what it deletes (the key ids), keeping
// the kinds removeCredentials does not list; apply deletes exactly that.
func TestRootAccessDeletesWhatThePlanShows(t *testing.T) {
	w := newWorld(t, rootSpec, rootYAML(), nil)
	w.converge()
	audit, dev := w.id("Audit"), w.id("dev-002")
	heldAudit, heldDev := auditRoot(t, w, audit), auditRoot(t, w, dev)

	w = otWorldOn(t, w, rootYAML("removeCredentials: [accessKeys]"))
	p := w.plan()
	if errs := planErrors(p); len(errs) > 0 {
		t.Fatalf("plan errors: %v", errs)
	}
	byAccount := map[string]baseline.Change{}
	for _, s := range p.Accounts {
		for _, c := range s.Changes {
			byAccount[c.Account] = c
		}
	}
	if len(byAccount) != 2 {
		t.Errorf("the plan changes %d accounts, want Audit and dev-002 (the root users with access keys):\n%s", len(byAccount), describe(p))
	}
	c := byAccount[audit]
	wantBefore := map[string]any{"password": true, "accessKeys": []any{heldAudit.AccessKeys[0]}, "mfaDevices": []any{heldAudit.MFADevices[0]}}
	wantAfter := map[string]any{"password": true, "mfaDevices": []any{heldAudit.MFADevices[0]}}
	if c.Action != baseline.ActionUpdate || !cmp.Equal(c.Before, wantBefore) || !cmp.Equal(c.After, wantAfter) {
		t.Errorf("Audit's change: %s %v -> %v, want update %v -> %v", c.Action, c.Before, c.After, wantBefore, wantAfter)
	}
	if d := byAccount[dev]; d.Before["accessKeys"] == nil || !cmp.Equal(d.After, map[string]any{"signingCertificates": []any{heldDev.SigningCertificates[0]}}) {
		t.Errorf("dev-002's change: %v -> %v", d.Before, d.After)
	}
	if errs := w.apply(p); len(errs) > 0 {
		t.Fatalf("apply errors: %v", errs)
	}
	want := map[string][]string{"Audit": {"password", "mfaDevices"}, "dev-002": {"signingCertificates"}}
	for name, kinds := range want {
		if got := auditRoot(t, w, w.id(name)).kinds(); !cmp.Equal(got, kinds) {
			t.Errorf("%s after apply: %v, want %v", name, got, kinds)
		}
	}
	w.sim.ResetCounters()
	if again := w.plan(); again.ChangeCount() != 0 || w.sim.Counters().Writes() != 0 {
		t.Errorf("the second plan: %d changes, %d writes:\n%s", again.ChangeCount(), w.sim.Counters().Writes(), describe(again))
	}
}

// assumeRootRecorder keeps the form of every AssumeRoot request orgsim
// is sent, as it arrives on the wire.
type assumeRootRecorder struct {
	mu    sync.Mutex
	forms []url.Values
}

func (r *assumeRootRecorder) wrap(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, req *http.Request) {
		body, err := io.ReadAll(req.Body)
		if err == nil {
			if form, err := url.ParseQuery(string(body)); err == nil && form.Get("Action") == "AssumeRoot" {
				r.mu.Lock()
				r.forms = append(r.forms, form)
				r.mu.Unlock()
			}
		}
		req.Body = io.NopCloser(bytes.NewReader(body))
		next.ServeHTTP(w, req)
	})
}

func (r *assumeRootRecorder) take() []url.Values {
	r.mu.Lock()
	defer r.mu.Unlock()
	out := r.forms
	r.forms = nil
	return out
}

// TestRootSessionDuration: every root session the tool asks orgsim for
// lasts 900 seconds (DurationSeconds as sent on the wire), targets a
// member account and uses the audit task policy to plan and the delete
// task policy to apply.
func TestRootSessionDuration(t *testing.T) {
	rec := &assumeRootRecorder{}
	w, err := tryWorldServing(t, orgsim.Options{Seed: 11, Org: rootSpec}, rootYAML(), nil, rec.wrap)
	if err != nil {
		t.Fatal(err)
	}
	w.converge() // the features on, nothing deleted
	rec.take()
	w = otWorldOn(t, w, rootYAML("removeCredentials: [accessKeys]"))
	p := w.plan()
	planned := rec.take()
	if errs := w.apply(p); len(errs) > 0 {
		t.Fatalf("apply errors: %v", errs)
	}
	applied := rec.take()
	// One audit per member; one deletion in each account with a root
	// access key (Audit, dev-002).
	if len(planned) != len(rootMembers) || len(applied) != 2 {
		t.Fatalf("%d root sessions to plan (want one per member, %d) and %d to apply (want 2)", len(planned), len(rootMembers), len(applied))
	}
	for task, forms := range map[string][]url.Values{"IAMAuditRootUserCredentials": planned, "IAMDeleteRootUserCredentials": applied} {
		for _, f := range forms {
			if f.Get("DurationSeconds") != "900" || f.Get("TaskPolicyArn.arn") != "arn:aws:iam::aws:policy/root-task/"+task ||
				f.Get("TargetPrincipal") == w.sim.ManagementAccountID() {
				t.Errorf("AssumeRoot as sent: %v", f)
			}
		}
	}
}

// TestRootAccessDeniedInOneAccount: a root session refused in one account
// (the identity policy of the principal orgbaseline runs as denies
// sts:AssumeRoot there), and one whose calls an SCP denies in another
// (Landing Zone Accelerator's ROOT statement, attached behind the tool's
// back), are errors of those accounts, each naming it and the likely
// cause; the other accounts are planned and applied.
func TestRootAccessDeniedInOneAccount(t *testing.T) {
	w := newWorld(t, rootSpec, rootYAML(), nil)
	w.converge()
	audit, dev, prod4 := w.id("Audit"), w.id("dev-002"), w.id("prod-004")
	heldDev := auditRoot(t, w, dev)
	deny := `{"Version":"2012-10-17","Statement":[{"Effect":"Deny","Action":"sts:AssumeRoot","Resource":"arn:aws:iam::` + dev + `:root"}]}`
	admin := iam.NewFromConfig(w.cfg)
	if _, err := admin.PutUserPolicy(bg, &iam.PutUserPolicyInput{UserName: aws.String("orgsim-admin"), PolicyName: aws.String("no-root-session-in-dev-002"), PolicyDocument: aws.String(deny)}); err != nil {
		t.Fatal(err)
	}
	enableSCPs(t, w)
	createSCP(t, w, "lza-root", `{"Version":"2012-10-17","Statement":[`+lzaRootStatement("")+`]}`, prod4)

	w = otWorldOn(t, w, rootYAML("removeCredentials: [accessKeys]"))
	p := w.plan()
	errs := planErrors(p)
	if len(errs) != 2 {
		t.Fatalf("want the errors of dev-002 and prod-004, got %d:\n%s", len(errs), strings.Join(errs, "\n"))
	}
	text := strings.Join(errs, "\n")
	wantIn(t, text,
		dev+": rootCredentials: sts:AssumeRoot into dev-002 ("+dev+") with the task policy IAMAuditRootUserCredentials failed",
		"AccessDenied", "the principal orgbaseline runs as in the management account may call sts:AssumeRoot on it",
		prod4+": rootCredentials: in the root session of prod-004 ("+prod4+") (task policy IAMAuditRootUserCredentials): iam:GetLoginProfile",
		"an SCP that denies the root user", `"BoolIfExists": {"aws:AssumedRoot": "false"}`)
	if n := len(changes(p)); n != 1 || p.ChangeCount() != 1 {
		t.Errorf("want Audit's deletion planned, the others going on:\n%s", describe(p))
	}
	if errs := w.apply(p); len(errs) > 0 {
		t.Fatalf("apply errors: %v", errs)
	}
	if got := auditRoot(t, w, audit).AccessKeys; len(got) != 0 {
		t.Errorf("Audit's root access keys after apply: %v", got)
	}
	if _, err := admin.DeleteUserPolicy(bg, &iam.DeleteUserPolicyInput{UserName: aws.String("orgsim-admin"), PolicyName: aws.String("no-root-session-in-dev-002")}); err != nil {
		t.Fatal(err)
	}
	if got := auditRoot(t, w, dev); !cmp.Equal(got, heldDev) {
		t.Errorf("dev-002, refused, was changed: %+v, was %+v", got, heldDev)
	}
}

// TestRootAccessExcludeNamesNothing: an exclude selector naming no
// account of the organization (a misspelt break-glass account) refuses
// every deletion: the account it meant would lose its root credentials.
func TestRootAccessExcludeNamesNothing(t *testing.T) {
	w := newWorld(t, rootSpec, rootYAML("removeCredentials: [accessKeys]", "exclude: [account:Log Archiv]"), nil)
	p := w.plan()
	for _, c := range changes(p) {
		if strings.HasPrefix(c, "rootCredentials ") {
			t.Errorf("a deletion is planned: %s", c)
		}
	}
	wantIn(t, planError(t, p), `controls.rootAccess.exclude does not match the organization, so no root credentials are planned for deletion anywhere`,
		`selector "account:Log Archiv": no account named "Log Archiv"`, `did you mean "account:Log Archive"?`)
}

// TestRootCallModelCoversEveryCall is the completeness test of the call
// model for root sessions: every authorization orgsim makes for a
// member's root user while the control audits and deletes (the first
// apply, planned before anything could be read, then deletions of what
// the plan read) is a call of the model marked AsRoot, made in that
// account (not an excluded one) and region, on a resource covering the
// one authorized. The calls the guard checks for root sessions are then
// the ones the tool makes.
func TestRootCallModelCoversEveryCall(t *testing.T) {
	all := "removeCredentials: [password, accessKeys, signingCertificates, mfaDevices]"
	w := newWorld(t, rootSpec, rootYAML("removeCredentials: [accessKeys]", "exclude: [account:Log Archive]"), nil)
	phase := func(w *world, name string, want ...string) {
		t.Helper()
		w.sim.Record(true)
		p := w.plan()
		if errs := planErrors(p); len(errs) > 0 {
			t.Fatalf("%s: plan errors: %v", name, errs)
		}
		if errs := w.apply(p); len(errs) > 0 {
			t.Fatalf("%s: apply errors: %v", name, errs)
		}
		recorded := w.sim.Authorizations()
		w.sim.Record(false)
		o := w.engine.Org
		calls := controls.CallsOf(w.engine.Controls, o)
		targeted := map[string]bool{}
		for _, a := range o.Targets {
			targeted[a.ID] = true
		}
		made := map[string]bool{}
		for _, a := range recorded {
			if !strings.HasSuffix(a.PrincipalARN, ":root") || a.Account == o.ManagementAccountID {
				continue
			}
			made[a.Operation+"/"+a.Request.Action] = true
			found := false
			for _, c := range calls {
				if c.AsRoot && strings.EqualFold(c.Action, a.Request.Action) && callMade(c, o, targeted, a) && resourceCovers(c.ResourceIn(a.Account, a.Region), a.Request.Resource) {
					found = true
					break
				}
			}
			if !found {
				t.Errorf("%s: the call model has no root-session call for %s on %s in account %s, requested region %s (operation %s)",
					name, a.Request.Action, a.Request.Resource, a.Account, requestedRegion(a), a.Operation)
			}
		}
		for _, op := range want {
			if !made[op] {
				t.Errorf("%s: no root session made %s, so the test does not cover it; made %v", name, op, made)
			}
		}
	}
	phase(w, "first apply", "GetLoginProfile/iam:GetLoginProfile", "ListAccessKeys/iam:ListAccessKeys", "DeleteAccessKey/iam:DeleteAccessKey")
	w = otWorldOn(t, w, rootYAML(all, "exclude: [account:Log Archive]"))
	phase(w, "every kind", "ListSigningCertificates/iam:ListSigningCertificates", "ListMFADevices/iam:ListMFADevices",
		"DeleteLoginProfile/iam:DeleteLoginProfile", "DeleteSigningCertificate/iam:DeleteSigningCertificate", "DeactivateMFADevice/iam:DeactivateMFADevice")
}

// TestRootAuditAsksFeaturesOnce: while the organization scope has read
// the features off, no member's observation asks AWS for a root session
// (it could not open) nor for the features again: one
// ListOrganizationsFeatures per plan, not one more per member.
func TestRootAuditAsksFeaturesOnce(t *testing.T) {
	w := newWorld(t, rootSpec, rootYAML("removeCredentials: [accessKeys]"), nil)
	w.sim.ResetCounters()
	if errs := planErrors(w.plan()); len(errs) > 0 {
		t.Fatal(errs)
	}
	c := w.sim.Counters()
	if n := c.Calls("sts", "AssumeRoot"); n != 0 {
		t.Errorf("%d AssumeRoot calls while the features are off, want 0", n)
	}
	// Trusted access for IAM is off in the seed, so the organization
	// scope reads no features either: none at all.
	if n := c.Calls("iam", "ListOrganizationsFeatures"); n > 1 {
		t.Errorf("%d ListOrganizationsFeatures calls, want at most 1 per plan", n)
	}
}
