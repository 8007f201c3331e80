package controls_test

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/accessanalyzer"
	aatypes "github.com/aws/aws-sdk-go-v2/service/accessanalyzer/types"
	"github.com/aws/aws-sdk-go-v2/service/iam"
	"github.com/aws/aws-sdk-go-v2/service/organizations"
	orgtypes "github.com/aws/aws-sdk-go-v2/service/organizations/types"

	"github.com/orgbaseline/orgbaseline/baseline"
	"github.com/orgbaseline/orgbaseline/baseline/controls"
	"github.com/orgbaseline/orgbaseline/internal/awsapi"
	"github.com/orgbaseline/orgbaseline/internal/orgsim"
)

const aaPrincipal = "access-analyzer.amazonaws.com"

// aaYAML is a baseline governing us-east-1 and eu-west-1, with the audit
// alias declared, and controls.accessAnalyzer made of the given lines
// (indented under it).
func aaYAML(lines ...string) string {
	block := " {}"
	if len(lines) > 0 {
		block = "\n    " + strings.Join(lines, "\n    ")
	}
	return `version: 1
organization:
  homeRegion: us-east-1
  regions: [us-east-1, eu-west-1]
  accounts:
    audit: Audit
controls:
  accessAnalyzer:` + block + "\n"
}

var aaRegions = []string{"us-east-1", "eu-west-1"}

// aaAnalyzer reads one analyzer back through the SDK, nil when it does
// not exist.
func aaAnalyzer(t testing.TB, cfg aws.Config, name string) *aatypes.AnalyzerSummary {
	t.Helper()
	out, err := accessanalyzer.NewFromConfig(cfg).GetAnalyzer(bg, &accessanalyzer.GetAnalyzerInput{AnalyzerName: aws.String(name)})
	var nf *aatypes.ResourceNotFoundException
	if errors.As(err, &nf) {
		return nil
	}
	if err != nil {
		t.Fatalf("get analyzer %s: %v", name, err)
	}
	return out.Analyzer
}

// aaUnusedAge is the unusedAccessAge of an unused-access analyzer.
func aaUnusedAge(t testing.TB, a *aatypes.AnalyzerSummary) int {
	t.Helper()
	u, ok := a.Configuration.(*aatypes.AnalyzerConfigurationMemberUnusedAccess)
	if !ok {
		t.Fatalf("analyzer %s has no unused-access configuration: %#v", aws.ToString(a.Name), a.Configuration)
	}
	return int(aws.ToInt32(u.Value.UnusedAccessAge))
}

// aaFindings returns the findings of one check, by "account region".
func aaFindings(fs []baseline.Finding, check string) map[string]baseline.Finding {
	out := map[string]baseline.Finding{}
	for _, f := range fs {
		if f.Check == check {
			out[f.Account+" "+f.Region] = f
		}
	}
	return out
}

// aaWarnings returns every warning of a plan.
func aaWarnings(p *baseline.Plan) string {
	var out []string
	for _, s := range p.Sections() {
		out = append(out, s.Warnings...)
	}
	return strings.Join(out, "\n")
}

func aaWantChanges(t testing.TB, p *baseline.Plan, want ...string) {
	t.Helper()
	if got := changes(p); !slices.Equal(got, want) {
		t.Fatalf("plan:\n  %s\nwant:\n  %s", strings.Join(got, "\n  "), strings.Join(want, "\n  "))
	}
}

func TestAccessAnalyzerOrganizationConverges(t *testing.T) {
	w := newWorld(t, orgsim.OrgSpec{Members: 4, Clean: true}, aaYAML(), nil)
	mgmt, audit := w.org.ManagementAccountID, w.id("Audit")

	before := aaFindings(w.check(), "accessAnalyzer.enabled")
	if len(before) != len(w.sel.Targets)*len(aaRegions) {
		t.Fatalf("%d findings before apply, want one per target and region (%d)", len(before), len(w.sel.Targets)*len(aaRegions))
	}
	for k, f := range before {
		if f.Status != baseline.StatusFail || f.Remediation == "" || !slices.Contains(f.Compliance, "CIS-3.0:1.20") {
			t.Errorf("%s before apply: %s %v %q", k, f.Status, f.Compliance, f.Message)
		}
	}

	p := w.converge()
	aaWantChanges(t, p,
		"accessAnalyzer create organizations/trusted-access/"+aaPrincipal+" "+mgmt,
		"accessAnalyzer create organizations/delegated-administrator/"+aaPrincipal+" "+mgmt,
		"accessAnalyzer create access-analyzer/analyzer/orgbaseline-organization "+audit+" us-east-1",
		"accessAnalyzer create access-analyzer/analyzer/orgbaseline-organization "+audit+" eu-west-1",
	)

	// Read the state back through the SDK.
	org := organizations.NewFromConfig(w.cfg)
	sa, err := org.ListAWSServiceAccessForOrganization(bg, &organizations.ListAWSServiceAccessForOrganizationInput{})
	if err != nil {
		t.Fatal(err)
	}
	if !slices.ContainsFunc(sa.EnabledServicePrincipals, func(s orgtypes.EnabledServicePrincipal) bool { return aws.ToString(s.ServicePrincipal) == aaPrincipal }) {
		t.Errorf("trusted access not enabled: %+v", sa.EnabledServicePrincipals)
	}
	da, err := org.ListDelegatedAdministrators(bg, &organizations.ListDelegatedAdministratorsInput{ServicePrincipal: aws.String(aaPrincipal)})
	if err != nil {
		t.Fatal(err)
	}
	if len(da.DelegatedAdministrators) != 1 || aws.ToString(da.DelegatedAdministrators[0].Id) != audit {
		t.Errorf("delegated administrators %+v, want Audit (%s)", da.DelegatedAdministrators, audit)
	}
	for _, r := range aaRegions {
		a := aaAnalyzer(t, w.as(audit, r), "orgbaseline-organization")
		if a == nil || a.Type != aatypes.TypeOrganization || a.Status != aatypes.AnalyzerStatusActive {
			t.Errorf("%s: analyzer %+v, want an ACTIVE ORGANIZATION analyzer", r, a)
		}
	}
	if _, err := iam.NewFromConfig(w.as(audit, "us-east-1")).GetRole(bg, &iam.GetRoleInput{RoleName: aws.String("AWSServiceRoleForAccessAnalyzer")}); err != nil {
		t.Errorf("the first analyzer did not create the service-linked role: %v", err)
	}

	after := aaFindings(w.check(), "accessAnalyzer.enabled")
	for _, a := range w.sel.Targets {
		for _, r := range aaRegions {
			f, ok := after[a.ID+" "+r]
			if !ok || f.Status != baseline.StatusPass || !strings.Contains(f.Resource, ":"+audit+":analyzer/orgbaseline-organization") {
				t.Errorf("%s %s after apply: %+v", a.Label(), r, f)
			}
		}
	}
}

// A plan survives its JSON file, and applying it twice is harmless:
// every create treats "already there" as success.
func TestAccessAnalyzerApplyIsIdempotent(t *testing.T) {
	w := newWorld(t, orgsim.OrgSpec{Members: 2, Clean: true}, aaYAML("unusedAccess: {unusedAccessAge: 30}"), nil)
	p := w.plan()
	data, err := json.Marshal(p)
	if err != nil {
		t.Fatal(err)
	}
	var back baseline.Plan
	if err := json.Unmarshal(data, &back); err != nil {
		t.Fatal(err)
	}
	for i := 0; i < 2; i++ {
		if errs := w.apply(&back); len(errs) > 0 {
			t.Fatalf("apply #%d: %v", i+1, errs)
		}
	}
	w.converge()
	a := aaAnalyzer(t, w.as(w.id("Audit"), "us-east-1"), "orgbaseline-organization-unused-access")
	if a == nil || a.Type != aatypes.TypeOrganizationUnusedAccess || aaUnusedAge(t, a) != 30 {
		t.Fatalf("unused-access analyzer %+v", a)
	}
}

func TestAccessAnalyzerOrganizationDrift(t *testing.T) {
	tests := []struct {
		name  string
		drift func(t *testing.T, w *world)
		want  func(w *world) []string
		// fail is a finding status expected while drifted (before the fix).
		fail bool
	}{
		{"analyzer deleted in one region", func(t *testing.T, w *world) {
			_, err := accessanalyzer.NewFromConfig(w.as(w.id("Audit"), "eu-west-1")).DeleteAnalyzer(bg, &accessanalyzer.DeleteAnalyzerInput{AnalyzerName: aws.String("orgbaseline-organization")})
			if err != nil {
				t.Fatal(err)
			}
		}, func(w *world) []string {
			return []string{"accessAnalyzer create access-analyzer/analyzer/orgbaseline-organization " + w.id("Audit") + " eu-west-1"}
		}, true},
		{"trusted access disabled", func(t *testing.T, w *world) {
			_, err := organizations.NewFromConfig(w.cfg).DisableAWSServiceAccess(bg, &organizations.DisableAWSServiceAccessInput{ServicePrincipal: aws.String(aaPrincipal)})
			if err != nil {
				t.Fatal(err)
			}
		}, func(w *world) []string {
			return []string{"accessAnalyzer create organizations/trusted-access/" + aaPrincipal + " " + w.org.ManagementAccountID}
		}, true},
		{"delegated administrator deregistered", func(t *testing.T, w *world) {
			_, err := organizations.NewFromConfig(w.cfg).DeregisterDelegatedAdministrator(bg, &organizations.DeregisterDelegatedAdministratorInput{
				AccountId: aws.String(w.id("Audit")), ServicePrincipal: aws.String(aaPrincipal)})
			if err != nil {
				t.Fatal(err)
			}
		}, func(w *world) []string {
			return []string{"accessAnalyzer create organizations/delegated-administrator/" + aaPrincipal + " " + w.org.ManagementAccountID}
		}, true},
		{"unusedAccessAge changed", func(t *testing.T, w *world) {
			_, err := accessanalyzer.NewFromConfig(w.as(w.id("Audit"), "us-east-1")).UpdateAnalyzer(bg, &accessanalyzer.UpdateAnalyzerInput{
				AnalyzerName: aws.String("orgbaseline-organization-unused-access"),
				Configuration: &aatypes.AnalyzerConfigurationMemberUnusedAccess{Value: aatypes.UnusedAccessConfiguration{
					UnusedAccessAge: aws.Int32(200),
					AnalysisRule:    &aatypes.AnalysisRule{Exclusions: []aatypes.AnalysisRuleCriteria{{AccountIds: []string{w.id("Log Archive")}}}},
				}},
			})
			if err != nil {
				t.Fatal(err)
			}
		}, func(w *world) []string {
			return []string{"accessAnalyzer update access-analyzer/analyzer/orgbaseline-organization-unused-access " + w.id("Audit") + " us-east-1"}
		}, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			w := newWorld(t, orgsim.OrgSpec{Members: 3, Clean: true}, aaYAML("unusedAccess: {unusedAccessAge: 60}"), nil)
			w.converge()
			tt.drift(t, w)
			if tt.fail {
				failing := 0
				for _, f := range aaFindings(w.check(), "accessAnalyzer.enabled") {
					if f.Status == baseline.StatusFail {
						failing++
					}
				}
				if failing == 0 {
					t.Error("no failing finding while drifted")
				}
			}
			p := w.plan()
			if errs := planErrors(p); len(errs) > 0 {
				t.Fatalf("plan errors: %v", errs)
			}
			aaWantChanges(t, p, tt.want(w)...)
			if errs := w.apply(p); len(errs) > 0 {
				t.Fatalf("apply: %v", errs)
			}
			w.converge()
			for k, f := range aaFindings(w.check(), "accessAnalyzer.enabled") {
				if f.Status != baseline.StatusPass {
					t.Errorf("%s after the fix: %s %s", k, f.Status, f.Message)
				}
			}
		})
	}
}

// UpdateAnalyzer replaces the whole configuration: fixing the age keeps
// the exclusions someone added.
func TestAccessAnalyzerAgeUpdateKeepsExclusions(t *testing.T) {
	w := newWorld(t, orgsim.OrgSpec{Members: 3, Clean: true}, aaYAML("unusedAccess: {unusedAccessAge: 60}"), nil)
	w.converge()
	audit, logArchive := w.id("Audit"), w.id("Log Archive")
	cfg := w.as(audit, "us-east-1")
	_, err := accessanalyzer.NewFromConfig(cfg).UpdateAnalyzer(bg, &accessanalyzer.UpdateAnalyzerInput{
		AnalyzerName: aws.String("orgbaseline-organization-unused-access"),
		Configuration: &aatypes.AnalyzerConfigurationMemberUnusedAccess{Value: aatypes.UnusedAccessConfiguration{
			UnusedAccessAge: aws.Int32(200),
			AnalysisRule:    &aatypes.AnalysisRule{Exclusions: []aatypes.AnalysisRuleCriteria{{AccountIds: []string{logArchive}}}},
		}},
	})
	if err != nil {
		t.Fatal(err)
	}
	p := w.plan()
	ch := p.OrganizationScope.Changes
	if len(ch) != 1 {
		t.Fatalf("plan: %s", describe(p))
	}
	var fields []string
	for _, f := range ch[0].Fields() {
		fields = append(fields, fmt.Sprintf("%s %v->%v", f.Name, f.Before, f.After))
	}
	if !slices.Equal(fields, []string{"unusedAccessAge 200->60"}) {
		t.Errorf("changed fields %v, want only unusedAccessAge 200->60", fields)
	}
	if errs := w.apply(p); len(errs) > 0 {
		t.Fatal(errs)
	}
	a := aaAnalyzer(t, cfg, "orgbaseline-organization-unused-access")
	u := a.Configuration.(*aatypes.AnalyzerConfigurationMemberUnusedAccess).Value
	if aws.ToInt32(u.UnusedAccessAge) != 60 || u.AnalysisRule == nil || len(u.AnalysisRule.Exclusions) != 1 ||
		!slices.Equal(u.AnalysisRule.Exclusions[0].AccountIds, []string{logArchive}) {
		t.Fatalf("after the update: age %d, rule %+v", aws.ToInt32(u.UnusedAccessAge), u.AnalysisRule)
	}
}

// An organization analyzer orgbaseline did not create is left alone and
// named in a warning; the baseline's own is created beside it.
func TestAccessAnalyzerOrganizationLeavesOthersAlone(t *testing.T) {
	w := newWorld(t, orgsim.OrgSpec{Members: 2, Clean: true}, aaYAML(), nil)
	audit := w.id("Audit")
	org := organizations.NewFromConfig(w.cfg)
	if _, err := org.EnableAWSServiceAccess(bg, &organizations.EnableAWSServiceAccessInput{ServicePrincipal: aws.String(aaPrincipal)}); err != nil {
		t.Fatal(err)
	}
	if _, err := org.RegisterDelegatedAdministrator(bg, &organizations.RegisterDelegatedAdministratorInput{AccountId: aws.String(audit), ServicePrincipal: aws.String(aaPrincipal)}); err != nil {
		t.Fatal(err)
	}
	// Someone registered it a while ago (it has propagated); their
	// analyzer is still being created when orgbaseline plans.
	w.sim.Advance(w.sim.AWSLike().PropagationDelay)
	cfg := w.as(audit, "us-east-1")
	if _, err := accessanalyzer.NewFromConfig(cfg).CreateAnalyzer(bg, &accessanalyzer.CreateAnalyzerInput{AnalyzerName: aws.String("security-team"), Type: aatypes.TypeOrganization}); err != nil {
		t.Fatal(err)
	}
	p := w.plan()
	aaWantChanges(t, p,
		"accessAnalyzer create access-analyzer/analyzer/orgbaseline-organization "+audit+" us-east-1",
		"accessAnalyzer create access-analyzer/analyzer/orgbaseline-organization "+audit+" eu-west-1")
	if warn := aaWarnings(p); !strings.Contains(warn, "security-team (ACTIVE)") || !strings.Contains(warn, "left alone") {
		t.Errorf("warnings %q do not name the unmanaged analyzer", warn)
	}
	w.converge()
	if aaAnalyzer(t, cfg, "security-team") == nil {
		t.Fatal("the unmanaged analyzer is gone")
	}
}

// Access Analyzer allows one delegated administrator: another account in
// the slot fails the plan with both accounts named and the fix.
func TestAccessAnalyzerOtherDelegatedAdministrator(t *testing.T) {
	w := newWorld(t, orgsim.OrgSpec{Members: 2, Clean: true}, aaYAML(), nil)
	logArchive := w.id("Log Archive")
	org := organizations.NewFromConfig(w.cfg)
	if _, err := org.EnableAWSServiceAccess(bg, &organizations.EnableAWSServiceAccessInput{ServicePrincipal: aws.String(aaPrincipal)}); err != nil {
		t.Fatal(err)
	}
	if _, err := org.RegisterDelegatedAdministrator(bg, &organizations.RegisterDelegatedAdministratorInput{AccountId: aws.String(logArchive), ServicePrincipal: aws.String(aaPrincipal)}); err != nil {
		t.Fatal(err)
	}
	p := w.plan()
	errs := strings.Join(planErrors(p), "\n")
	for _, want := range []string{"Log Archive (" + logArchive + ")", "Audit (" + w.id("Audit") + ")", "deregister-delegated-administrator", "allows only one"} {
		if !strings.Contains(errs, want) {
			t.Errorf("plan error %q does not mention %q", errs, want)
		}
	}
	if p.OrganizationScope == nil || len(p.OrganizationScope.Changes) != 0 {
		t.Errorf("a failed organization plan has changes: %s", describe(p))
	}
}

func TestAccessAnalyzerAccountConverges(t *testing.T) {
	w := newWorld(t, orgsim.OrgSpec{Members: 4, Clean: true}, aaYAML("type: ACCOUNT", "unusedAccess: {}"), nil)
	if w.engine.HasOrgControls() {
		t.Fatal("type ACCOUNT runs at organization scope")
	}
	before := aaFindings(w.check(), "accessAnalyzer.enabled")
	for k, f := range before {
		if f.Status != baseline.StatusFail || !slices.Contains(f.Compliance, "CIS-3.0:1.20") {
			t.Errorf("%s before apply: %s %v", k, f.Status, f.Compliance)
		}
	}
	p := w.converge()
	var want []string
	for _, a := range w.sel.Targets {
		for _, r := range aaRegions {
			want = append(want, "accessAnalyzer create access-analyzer/analyzer/orgbaseline-account "+a.ID+" "+r)
		}
		// The unused-access analyzer in the home region only.
		want = append(want, "accessAnalyzer create access-analyzer/analyzer/orgbaseline-account-unused-access "+a.ID+" us-east-1")
	}
	got := changes(p)
	slices.Sort(got)
	slices.Sort(want)
	if !slices.Equal(got, want) {
		t.Fatalf("plan:\n  %s\nwant:\n  %s", strings.Join(got, "\n  "), strings.Join(want, "\n  "))
	}
	if len(w.sel.Targets) != 4 {
		t.Fatalf("%d targets, want the 4 members", len(w.sel.Targets))
	}
	for _, a := range w.sel.Targets {
		for _, r := range aaRegions {
			cfg := w.as(a.ID, r)
			if an := aaAnalyzer(t, cfg, "orgbaseline-account"); an == nil || an.Type != aatypes.TypeAccount || an.Status != aatypes.AnalyzerStatusActive {
				t.Errorf("%s %s: analyzer %+v", a.Label(), r, an)
			}
			an := aaAnalyzer(t, cfg, "orgbaseline-account-unused-access")
			if r != "us-east-1" {
				if an != nil {
					t.Errorf("%s %s: an unused-access analyzer outside the home region", a.Label(), r)
				}
				continue
			}
			if an == nil || an.Type != aatypes.TypeAccountUnusedAccess || aaUnusedAge(t, an) != 90 {
				t.Errorf("%s %s: unused-access analyzer %+v", a.Label(), r, an)
			}
		}
	}
	fs := w.check()
	for check, regions := range map[string]int{"accessAnalyzer.enabled": len(aaRegions), "accessAnalyzer.unusedAccess": 1} {
		got := aaFindings(fs, check)
		if len(got) != len(w.sel.Targets)*regions {
			t.Errorf("%s: %d findings, want %d", check, len(got), len(w.sel.Targets)*regions)
		}
		for k, f := range got {
			if f.Status != baseline.StatusPass || len(f.Compliance) == 0 {
				t.Errorf("%s %s after apply: %s %s", check, k, f.Status, f.Message)
			}
		}
	}
}

// One ACCOUNT analyzer per account and region: one that orgbaseline did
// not create already satisfies CIS 1.20, so no second one is attempted.
func TestAccessAnalyzerAccountLeavesExistingAnalyzerAlone(t *testing.T) {
	w := newWorld(t, orgsim.OrgSpec{Members: 2, Clean: true}, aaYAML("type: ACCOUNT"), nil)
	audit := w.id("Audit")
	cfg := w.as(audit, "eu-west-1")
	if _, err := accessanalyzer.NewFromConfig(cfg).CreateAnalyzer(bg, &accessanalyzer.CreateAnalyzerInput{AnalyzerName: aws.String("legacy"), Type: aatypes.TypeAccount}); err != nil {
		t.Fatal(err)
	}
	p := w.plan()
	for _, c := range changes(p) {
		if strings.HasSuffix(c, audit+" eu-west-1") {
			t.Errorf("plan creates a second account analyzer: %s", c)
		}
	}
	if n := p.ChangeCount(); n != 3 {
		t.Errorf("plan has %d changes, want 3 (two accounts x two regions, less the one covered):\n%s", n, describe(p))
	}
	if warn := aaWarnings(p); !strings.Contains(warn, "legacy (ACTIVE)") || !strings.Contains(warn, "left alone") {
		t.Errorf("warnings %q do not name the existing analyzer", warn)
	}
	w.converge()
	f := aaFindings(w.check(), "accessAnalyzer.enabled")[audit+" eu-west-1"]
	if f.Status != baseline.StatusPass || !strings.HasSuffix(f.Resource, ":analyzer/legacy") {
		t.Errorf("finding for the covered region: %+v", f)
	}
	if aaAnalyzer(t, cfg, "orgbaseline-account") != nil {
		t.Error("a second account analyzer was created")
	}
}

// Problems found before any AWS call.
func TestAccessAnalyzerPreflightErrors(t *testing.T) {
	noAlias := strings.Replace(aaYAML(), "  accounts:\n    audit: Audit\n", "", 1)
	tests := []struct {
		name, yaml string
		want       []string
	}{
		{"missing audit alias", noAlias, []string{`controls.accessAnalyzer (type ORGANIZATION) needs the "audit" account`, "organization.accounts"}},
		{"undeclared alias", aaYAML("delegatedAdministrator: security"), []string{`needs the "security" account`}},
		{"invalid name", aaYAML("name: 9lives"), []string{`controls.accessAnalyzer.name "9lives" is not a valid analyzer name`}},
		{"invalid age", aaYAML("unusedAccess: {unusedAccessAge: 400}"), []string{"controls.accessAnalyzer.unusedAccess.unusedAccessAge is 400, out of range"}},
		{"invalid type", aaYAML("type: REGION"), []string{`controls.accessAnalyzer.type "REGION" is not an analyzer type`}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := tryWorld(t, orgsim.Options{Seed: 11, Org: orgsim.OrgSpec{Members: 2, Clean: true}}, tt.yaml, nil)
			if err == nil {
				t.Fatal("no error")
			}
			for _, want := range tt.want {
				if !strings.Contains(err.Error(), want) {
					t.Errorf("error %q does not contain %q", err, want)
				}
			}
		})
	}
	// Without the alias, type ACCOUNT needs none.
	if _, err := tryWorld(t, orgsim.Options{Seed: 11, Org: orgsim.OrgSpec{Members: 2, Clean: true}},
		strings.Replace(noAlias, "accessAnalyzer: {}", "accessAnalyzer: {type: ACCOUNT}", 1), nil); err != nil {
		t.Fatalf("type ACCOUNT without an audit alias: %v", err)
	}
}

func TestAccessAnalyzerScopeAndActions(t *testing.T) {
	tests := []struct {
		s       baseline.AccessAnalyzerSettings
		scope   controls.Scope
		actions []string
	}{
		{baseline.AccessAnalyzerSettings{Type: "ORGANIZATION", Name: "a", DelegatedAdministrator: "audit"}, controls.ScopeOrganization,
			[]string{"access-analyzer:CreateAnalyzer", "access-analyzer:ListAnalyzers", "iam:CreateServiceLinkedRole"}},
		{baseline.AccessAnalyzerSettings{Type: "ACCOUNT", Name: "a", UnusedAccess: true, UnusedAccessName: "b", UnusedAccessAge: 90}, controls.ScopeRegional,
			[]string{"access-analyzer:CreateAnalyzer", "access-analyzer:GetAnalyzer", "access-analyzer:ListAnalyzers", "access-analyzer:UpdateAnalyzer", "iam:CreateServiceLinkedRole"}},
	}
	for _, tt := range tests {
		c := controls.NewAccessAnalyzer(tt.s)
		if c.Name() != "accessAnalyzer" || c.Scope() != tt.scope || !slices.Equal(c.Actions(), tt.actions) {
			t.Errorf("%s: name %s scope %v actions %v", tt.s.Type, c.Name(), c.Scope(), c.Actions())
		}
	}
}

// One region's Access Analyzer is down: that region's failure is
// reported, and the other region and the other controls converge.
func TestAccessAnalyzerOneRegionDown(t *testing.T) {
	for _, typ := range []string{"ORGANIZATION", "ACCOUNT"} {
		t.Run(typ, func(t *testing.T) {
			yaml := aaYAML("type: "+typ) + "  passwordPolicy: {minimumPasswordLength: 14}\n"
			w := newWorld(t, orgsim.OrgSpec{Members: 2, Clean: true}, yaml, nil)
			w.sim.SetFaults(orgsim.Faults{Rules: []orgsim.FaultRule{{Service: "access-analyzer", Region: "eu-west-1", ErrorRate: 1}}})
			p := w.plan()
			for _, c := range changes(p) {
				if strings.HasSuffix(c, "eu-west-1") {
					t.Errorf("planned in the region that is down: %s", c)
				}
			}
			var east, passwords int
			for _, c := range changes(p) {
				switch {
				case strings.HasPrefix(c, "accessAnalyzer create access-analyzer/analyzer/") && strings.HasSuffix(c, "us-east-1"):
					east++
				case strings.HasPrefix(c, "passwordPolicy "):
					passwords++
				}
			}
			if east == 0 || passwords != len(w.sel.Targets) {
				t.Fatalf("us-east-1 analyzers %d, password policies %d:\n%s", east, passwords, describe(p))
			}
			// The failure is a plan error: per account (ACCOUNT), or of
			// the organization scope, whose other regions still plan
			// (ORGANIZATION).
			reported := strings.Join(planErrors(p), "\n")
			if !strings.Contains(reported, "eu-west-1") || !strings.Contains(reported, "InternalServerException") {
				t.Errorf("the region's failure is not reported: %q", reported)
			}
			if errs := w.apply(p); len(errs) > 0 {
				t.Fatalf("apply: %v", errs)
			}
			if typ == "ORGANIZATION" {
				for k, f := range aaFindings(w.check(), "accessAnalyzer.enabled") {
					want := baseline.StatusPass
					if strings.HasSuffix(k, "eu-west-1") {
						want = baseline.StatusError
					}
					if f.Status != want {
						t.Errorf("%s: %s %s, want %s", k, f.Status, f.Message, want)
					}
				}
			}
			// The region comes back: the next plan is exactly its analyzers.
			w.sim.SetFaults(orgsim.Faults{})
			p = w.plan()
			for _, c := range changes(p) {
				if !strings.HasPrefix(c, "accessAnalyzer create access-analyzer/analyzer/") || !strings.HasSuffix(c, "eu-west-1") {
					t.Errorf("after the region came back: %s", c)
				}
			}
			if p.ChangeCount() == 0 {
				t.Error("nothing planned for the region that came back")
			}
			w.converge()
		})
	}
}

// An endpoint that does not offer Access Analyzer (an emulator without it,
// a proxy's error page) is an error for this control, never a crash.
func TestAccessAnalyzerEndpointWithoutTheAPI(t *testing.T) {
	for _, pg := range garbageAnswers {
		t.Run(pg.name, func(t *testing.T) {
			srv := httptest.NewServer(http.HandlerFunc(func(rw http.ResponseWriter, r *http.Request) {
				rw.Header().Set("Content-Type", "text/html")
				rw.WriteHeader(pg.status)
				fmt.Fprint(rw, pg.body)
			}))
			t.Cleanup(srv.Close)
			cfg := aaStaticConfig(t, srv.URL, "eu-west-1")
			c := controls.NewAccessAnalyzer(baseline.AccessAnalyzerSettings{Type: "ACCOUNT", Name: "a", UnusedAccess: true, UnusedAccessName: "b", UnusedAccessAge: 90})
			tg := controls.Target{AccountID: "111122223333", Region: "eu-west-1", Config: cfg, Warn: func(string) {}}
			obs, err := c.Observe(context.Background(), tg)
			if pg.name == "200 empty body" && err == nil {
				// The SDK may read an empty 200 as no analyzers: the
				// control then plans them and reports them missing.
				chs, err := c.Diff(tg, obs)
				if err != nil || len(chs) != 2 {
					t.Fatalf("diff: %v %v", chs, err)
				}
				if fs := c.Findings(tg, obs); len(fs) != 2 || fs[0].Status != baseline.StatusFail {
					t.Fatalf("findings: %+v", fs)
				}
				return
			}
			if err == nil || !strings.Contains(err.Error(), "list analyzers in account 111122223333 (eu-west-1)") {
				t.Fatalf("observe: %v", err)
			}
		})
	}
	// Apply against such an endpoint fails with the analyzer named.
	srv := httptest.NewServer(http.HandlerFunc(func(rw http.ResponseWriter, r *http.Request) {
		rw.Header().Set("Content-Type", "text/html")
		rw.WriteHeader(http.StatusNotFound)
		fmt.Fprint(rw, "<html>no such API</html>")
	}))
	t.Cleanup(srv.Close)
	c := controls.NewAccessAnalyzer(baseline.AccessAnalyzerSettings{Type: "ACCOUNT", Name: "a"})
	tg := controls.Target{AccountID: "111122223333", Region: "us-east-1", Config: aaStaticConfig(t, srv.URL, "us-east-1"), Warn: func(string) {}}
	err := c.Apply(context.Background(), tg, baseline.Change{Control: "accessAnalyzer", Account: "111122223333", Region: "us-east-1",
		Resource: "access-analyzer/analyzer/a", Action: baseline.ActionCreate, After: map[string]any{"name": "a", "type": "ACCOUNT"}})
	if err == nil || !strings.Contains(err.Error(), "create ACCOUNT analyzer a in 111122223333 (us-east-1)") {
		t.Fatalf("apply: %v", err)
	}
}

// aaStaticConfig is a config for endpoint with made-up credentials.
func aaStaticConfig(t testing.TB, endpoint, region string) aws.Config {
	t.Helper()
	cfg, err := awsapi.Load(context.Background(), awsapi.Options{Region: region, Endpoint: endpoint, NoBackoff: true, MaxAttempts: 2,
		Static: &aws.Credentials{AccessKeyID: "AKIAEXAMPLEEXAMPLE00", SecretAccessKey: "secret"}})
	if err != nil {
		t.Fatal(err)
	}
	return cfg
}

// The management account may own the organization analyzers itself: it
// cannot be a delegated administrator, and needs not be one.
func TestAccessAnalyzerManagementAccountAsAdministrator(t *testing.T) {
	yaml := strings.Replace(aaYAML("delegatedAdministrator: management"), "audit: Audit", "management: Management", 1)
	w := newWorld(t, orgsim.OrgSpec{Members: 2, Clean: true}, yaml, nil)
	mgmt := w.org.ManagementAccountID
	p := w.converge()
	aaWantChanges(t, p,
		"accessAnalyzer create organizations/trusted-access/"+aaPrincipal+" "+mgmt,
		"accessAnalyzer create access-analyzer/analyzer/orgbaseline-organization "+mgmt+" us-east-1",
		"accessAnalyzer create access-analyzer/analyzer/orgbaseline-organization "+mgmt+" eu-west-1")
	for k, f := range aaFindings(w.check(), "accessAnalyzer.enabled") {
		if f.Status != baseline.StatusPass {
			t.Errorf("%s: %s %s", k, f.Status, f.Message)
		}
	}
}

// aaWaits lists what a result waited for, "For: error" when it did not
// settle.
func aaWaits(waits []awsapi.Wait) []string {
	var out []string
	for _, w := range waits {
		s := w.For
		if w.Err != nil {
			s += ": " + w.Err.Error()
		}
		out = append(out, s)
	}
	return out
}

// The first apply on a fresh organization, with AWS-like delays on,
// converges in one run: the delegated administrator just registered is
// waited for ("not a delegated administrator" until it propagates), and
// every new analyzer is waited for until it is ACTIVE. The waits are in
// the result (apply says what it waits for).
//
// Which waits are recorded is asserted on a one-region baseline: regions
// are applied side by side and share orgsim's clock, so one region's
// wait can move the clock past another region's analyzer creation before
// that region first looks (it then finds it ACTIVE and has nothing to
// wait for, as it would if AWS had been that quick). With two regions the
// test asserts what must hold whatever the interleaving: one apply, no
// error, every wait settled, everything ACTIVE right after.
func TestAccessAnalyzerWaitsForAWS(t *testing.T) {
	oneRegion := strings.Replace(aaYAML("unusedAccess: {}"), "regions: [us-east-1, eu-west-1]", "regions: [us-east-1]", 1)
	for _, tc := range []struct {
		name, yaml string
		regions    []string
		wantWaits  []string // with %s the audit account's id
	}{
		{"one region", oneRegion, []string{"us-east-1"}, []string{
			"Audit (%s), just registered, to be usable by IAM Access Analyzer as its delegated administrator in us-east-1",
			"analyzer orgbaseline-organization of Audit (%s) in us-east-1 to finish creating",
			"analyzer orgbaseline-organization-unused-access of Audit (%s) in us-east-1 to finish creating",
		}},
		{"two regions", aaYAML("unusedAccess: {}"), aaRegions, nil},
	} {
		t.Run(tc.name, func(t *testing.T) {
			w := newWorld(t, orgsim.OrgSpec{Members: 3, Clean: true}, tc.yaml, nil)
			if like := w.sim.AWSLike(); like.PropagationDelay <= 0 || like.AnalyzerCreateDelay <= 0 {
				t.Fatalf("AWS-like delays are off: %+v", like)
			}
			audit := w.id("Audit")
			p := w.plan()
			if errs := planErrors(p); len(errs) > 0 {
				t.Fatal(errs)
			}
			r := w.engine.ApplyOrg(bg, p.OrganizationScope.Changes)
			if len(r.Errors) > 0 {
				t.Fatalf("one apply did not converge:\n%s", strings.Join(r.Errors, "\n"))
			}
			waits := strings.Join(aaWaits(r.Waits), "\n")
			for _, want := range tc.wantWaits {
				if want = fmt.Sprintf(want, audit); !strings.Contains(waits, want) {
					t.Errorf("no wait for %q in:\n%s", want, waits)
				}
			}
			if len(r.Waits) == 0 {
				t.Error("apply waited for nothing on a fresh organization with AWS-like delays")
			}
			for _, wt := range r.Waits {
				if wt.Err != nil || wt.Account != audit {
					t.Errorf("wait %+v: want settled, in the account waited on (%s)", wt, audit)
				}
			}
			// Right after apply, everything is ACTIVE and the next plan is empty.
			for _, reg := range tc.regions {
				for _, name := range []string{"orgbaseline-organization", "orgbaseline-organization-unused-access"} {
					if reg != "us-east-1" && name != "orgbaseline-organization" {
						continue // unused access: home region only
					}
					if a := aaAnalyzer(t, w.as(audit, reg), name); a == nil || a.Status != aatypes.AnalyzerStatusActive {
						t.Errorf("%s %s right after apply: %+v", reg, name, a)
					}
				}
			}
			w.converge()
		})
	}
}

// An analyzer created by someone else and still CREATING is waited for
// before findings: a check right after it was made reports it ACTIVE.
func TestAccessAnalyzerChecksWaitForCreating(t *testing.T) {
	w := newWorld(t, orgsim.OrgSpec{Members: 2, Clean: true}, aaYAML("type: ACCOUNT"), nil)
	audit := w.id("Audit")
	if _, err := accessanalyzer.NewFromConfig(w.as(audit, "eu-west-1")).CreateAnalyzer(bg, &accessanalyzer.CreateAnalyzerInput{
		AnalyzerName: aws.String("orgbaseline-account"), Type: aatypes.TypeAccount}); err != nil {
		t.Fatal(err)
	}
	if a := aaAnalyzer(t, w.as(audit, "eu-west-1"), "orgbaseline-account"); a.Status != aatypes.AnalyzerStatusCreating {
		t.Fatalf("set-up: %s, want CREATING", a.Status)
	}
	f := aaFindings(w.check(), "accessAnalyzer.enabled")[audit+" eu-west-1"]
	if f.Status != baseline.StatusPass {
		t.Fatalf("finding for an analyzer that was CREATING: %s %s", f.Status, f.Message)
	}
}

// A FAILED analyzer of the baseline's is an error naming the analyzer,
// account, region and AWS's statusReason, with the fix; the finding says
// the same. Deleting it (the fix) lets the next apply converge.
func TestAccessAnalyzerFailedAnalyzer(t *testing.T) {
	w := newWorld(t, orgsim.OrgSpec{Members: 2, Clean: true}, aaYAML(), nil)
	audit, mgmt := w.id("Audit"), w.org.ManagementAccountID
	like := w.sim.AWSLike()
	org := organizations.NewFromConfig(w.cfg)
	if _, err := org.EnableAWSServiceAccess(bg, &organizations.EnableAWSServiceAccessInput{ServicePrincipal: aws.String(aaPrincipal)}); err != nil {
		t.Fatal(err)
	}
	if _, err := org.RegisterDelegatedAdministrator(bg, &organizations.RegisterDelegatedAdministratorInput{AccountId: aws.String(audit), ServicePrincipal: aws.String(aaPrincipal)}); err != nil {
		t.Fatal(err)
	}
	w.sim.Advance(like.PropagationDelay)
	east := accessanalyzer.NewFromConfig(w.as(audit, "us-east-1"))
	if _, err := east.CreateAnalyzer(bg, &accessanalyzer.CreateAnalyzerInput{AnalyzerName: aws.String("orgbaseline-organization"), Type: aatypes.TypeOrganization}); err != nil {
		t.Fatal(err)
	}
	// Trusted access is disabled while it is being created.
	if _, err := org.DisableAWSServiceAccess(bg, &organizations.DisableAWSServiceAccessInput{ServicePrincipal: aws.String(aaPrincipal)}); err != nil {
		t.Fatal(err)
	}
	w.sim.Advance(like.AnalyzerCreateDelay)

	p := w.plan()
	errs := strings.Join(planErrors(p), "\n")
	for _, want := range []string{"analyzer orgbaseline-organization (ORGANIZATION) of Audit (" + audit + ") in us-east-1 is FAILED",
		"AWS_SERVICE_ACCESS_DISABLED", "trusted access", "aws accessanalyzer delete-analyzer --analyzer-name orgbaseline-organization --region us-east-1, in account " + audit} {
		if !strings.Contains(errs, want) {
			t.Errorf("plan error %q does not say %q", errs, want)
		}
	}
	// The other region and trusted access are still planned.
	aaWantChanges(t, p,
		"accessAnalyzer create organizations/trusted-access/"+aaPrincipal+" "+mgmt,
		"accessAnalyzer create access-analyzer/analyzer/orgbaseline-organization "+audit+" eu-west-1")
	if errs := w.apply(p); len(errs) > 0 {
		t.Fatal(errs)
	}
	for k, f := range aaFindings(w.check(), "accessAnalyzer.enabled") {
		if strings.HasSuffix(k, "us-east-1") && (f.Status != baseline.StatusFail || !strings.Contains(f.Message, "FAILED (AWS_SERVICE_ACCESS_DISABLED)")) {
			t.Errorf("%s: %s %s", k, f.Status, f.Message)
		}
	}
	// AWS does not retry; deleting it is the fix.
	if _, err := east.DeleteAnalyzer(bg, &accessanalyzer.DeleteAnalyzerInput{AnalyzerName: aws.String("orgbaseline-organization")}); err != nil {
		t.Fatal(err)
	}
	w.converge()
	for k, f := range aaFindings(w.check(), "accessAnalyzer.enabled") {
		if f.Status != baseline.StatusPass {
			t.Errorf("%s after the fix: %s %s", k, f.Status, f.Message)
		}
	}
}

// An analyzer that AWS fails to create while apply waits for it fails
// that change with AWS's reason and the fix.
func TestAccessAnalyzerApplyReportsFailed(t *testing.T) {
	// The management account owns the analyzers: nothing to register, so
	// the first wait is for the analyzer to finish creating. One region:
	// with two, regions are applied side by side and the other region's
	// first wait could come before this region's analyzer was created
	// (disabling trusted access would then refuse the create instead).
	yaml := strings.Replace(aaYAML("delegatedAdministrator: management"), "audit: Audit", "management: Management", 1)
	yaml = strings.Replace(yaml, "regions: [us-east-1, eu-west-1]", "regions: [us-east-1]", 1)
	w := newWorld(t, orgsim.OrgSpec{Members: 2, Clean: true}, yaml, nil)
	mgmt := w.org.ManagementAccountID
	p := w.plan()
	var once sync.Once
	w.engine.Waiter = &awsapi.Waiter{Sleep: func(ctx context.Context, d time.Duration) error {
		once.Do(func() {
			// Trusted access is disabled while the first analyzer is CREATING.
			if _, err := organizations.NewFromConfig(w.cfg).DisableAWSServiceAccess(ctx, &organizations.DisableAWSServiceAccessInput{ServicePrincipal: aws.String(aaPrincipal)}); err != nil {
				t.Error(err)
			}
		})
		return w.sim.Sleep(ctx, d)
	}}
	var failed string
	for _, e := range w.apply(p) {
		if strings.Contains(e, "accessAnalyzer in us-east-1:") {
			failed = e
		}
	}
	for _, want := range []string{"analyzer orgbaseline-organization (ORGANIZATION) of Management (" + mgmt + ") in us-east-1 is FAILED",
		"statusReason AWS_SERVICE_ACCESS_DISABLED", "delete-analyzer --analyzer-name orgbaseline-organization --region us-east-1, in account " + mgmt} {
		if !strings.Contains(failed, want) {
			t.Errorf("the us-east-1 apply error %q does not say %q", failed, want)
		}
	}
}

// The unused-access analyzer is charged per analyzer and its findings do
// not change based on Region: it is created once, in the home region, for
// both types; no other region is planned or fails a check for lack of one;
// orgbaseline's own one found in another region is left alone, with a
// warning that it is charged and how to delete it.
func TestAccessAnalyzerUnusedAccessInHomeRegionOnly(t *testing.T) {
	for _, typ := range []string{"ORGANIZATION", "ACCOUNT"} {
		t.Run(typ, func(t *testing.T) {
			w := newWorld(t, orgsim.OrgSpec{Members: 2, Clean: true}, aaYAML("type: "+typ, "unusedAccess: {}"), nil)
			name := "orgbaseline-" + strings.ToLower(typ) + "-unused-access"
			owners := []string{w.id("Audit")}
			if typ == "ACCOUNT" {
				owners = nil
				for _, a := range w.sel.Targets {
					owners = append(owners, a.ID)
				}
			}
			p := w.converge()
			var unused []string
			for _, s := range p.Sections() {
				for _, c := range s.Changes {
					if c.Resource == "access-analyzer/analyzer/"+name {
						unused = append(unused, c.Account+" "+c.Region)
						if !strings.Contains(c.Reason, "home region only") {
							t.Errorf("change reason %q does not say why the home region only", c.Reason)
						}
					}
				}
			}
			if len(unused) != len(owners) {
				t.Errorf("unused-access analyzers planned: %v, want one per owner %v", unused, owners)
			}
			for _, acct := range owners {
				if a := aaAnalyzer(t, w.as(acct, "us-east-1"), name); a == nil || a.Status != aatypes.AnalyzerStatusActive {
					t.Errorf("%s us-east-1: %+v, want the ACTIVE unused-access analyzer", acct, a)
				}
				if a := aaAnalyzer(t, w.as(acct, "eu-west-1"), name); a != nil {
					t.Errorf("%s eu-west-1: an unused-access analyzer outside the home region", acct)
				}
			}
			got := aaFindings(w.check(), "accessAnalyzer.unusedAccess")
			if len(got) != len(w.sel.Targets) {
				t.Errorf("%d unused-access findings, want one per target, in the home region", len(got))
			}
			for k, f := range got {
				if !strings.HasSuffix(k, " us-east-1") || f.Status != baseline.StatusPass || !strings.Contains(f.Message, "covers every region") {
					t.Errorf("%s: %s %s", k, f.Status, f.Message)
				}
			}

			// One made in another region (by an earlier orgbaseline) is
			// left alone, with a warning.
			stray := w.as(owners[0], "eu-west-1")
			if _, err := accessanalyzer.NewFromConfig(stray).CreateAnalyzer(bg, &accessanalyzer.CreateAnalyzerInput{
				AnalyzerName: aws.String(name), Type: aatypes.Type(typ + "_UNUSED_ACCESS")}); err != nil {
				t.Fatal(err)
			}
			again := w.plan()
			if n := again.ChangeCount(); n != 0 {
				t.Errorf("plan with a stray unused-access analyzer: %s", describe(again))
			}
			warn := aaWarnings(again)
			for _, want := range []string{name, "eu-west-1", "not needed outside the home region us-east-1", "charges", "delete-analyzer --analyzer-name " + name + " --region eu-west-1"} {
				if !strings.Contains(warn, want) {
					t.Errorf("warnings %q do not say %q", warn, want)
				}
			}
			w.converge()
			if aaAnalyzer(t, stray, name) == nil {
				t.Error("the stray unused-access analyzer was deleted")
			}
		})
	}
}
