package cli

import (
	"context"
	"fmt"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/organizations"
	orgtypes "github.com/aws/aws-sdk-go-v2/service/organizations/types"
	"gopkg.in/yaml.v3"

	"github.com/orgbaseline/orgbaseline/internal/orgsim"
	"github.com/orgbaseline/orgbaseline/profiles"
)

// The guardrail profiles (profiles/data-perimeter.yaml, deny-root-user,
// region-deny, protect-security-services), each extended by a baseline
// with the organization trail and AWS Config (so that there are
// deliveries to the log buckets to guard) and what the profile's
// exemption is for, planned on orgsim through the real CLI path: each
// passes both lockout guards. Its twin, the same profile without the
// exemption (the execution role's, the root sessions', or the AWS
// services' in the RCP), is refused, naming the policy and statement.
// The organization is the lockout guard tests' (guard_test.go).

// guardrailExemption is the execution role's exemption as the profiles
// write it.
const guardrailExemption = `"aws:PrincipalArn": "arn:*:iam::*:role/` + guardRole + `"`

// guardrailCase is one guardrail profile and its twin.
type guardrailCase struct {
	profile string
	// organization and controls are lines added to the baseline's
	// organization (default: regions us-east-1 and eu-west-1) and
	// controls, indented as written.
	organization, controls string
	// twin turns the profile's text into its twin: the same policies
	// without the exemption the case is about.
	twin func(t *testing.T, profile string) string
	// refused are what the twin's refusal names: the policy, the
	// statement, the action denied.
	refused []string
}

// guardrailBaseline is the baseline of a case; %s: the profile (a name or
// a file), organization lines, control lines.
const guardrailBaseline = `version: 1
extends: [%s]
organization:
  accounts: {logArchive: Log Archive, audit: Audit}
%scontrols:
  organizationTrail:
    name: guardrail-trail
    bucket: {name: guardrail-trail-logs}
  config:
    bucket: {name: guardrail-config-logs}
%s`

// replaceIn replaces old with new in profile, failing when profile has no
// old: a twin must differ from its profile.
func replaceIn(t *testing.T, profile, old, new string) string {
	t.Helper()
	if !strings.Contains(profile, old) {
		t.Fatalf("the profile has no %s", old)
	}
	return strings.ReplaceAll(profile, old, new)
}

// otherRole is the twin whose exemption names a role that is not the
// execution role: what a baseline with another organization.executionRole
// gets from the profile unchanged.
func otherRole(t *testing.T, profile string) string {
	return replaceIn(t, profile, guardrailExemption, `"aws:PrincipalArn": "arn:*:iam::*:role/NotTheExecutionRole"`)
}

var guardrailCases = []guardrailCase{
	{
		profile: "data-perimeter",
		// The aggregator shares Config data across accounts, which
		// PreventExternalResourceShare denies to all but the role.
		controls: "    aggregator: {}\n",
		twin:     otherRole,
		refused:  []string{`"orgbaseline-data-perimeter-scp"`, "PreventExternalResourceShare", "config:PutConfigurationAggregator"},
	},
	{
		profile: "data-perimeter",
		// Without letting AWS services through, the identity perimeter
		// denies CloudTrail's and Config's deliveries to the log buckets.
		twin: func(t *testing.T, profile string) string {
			return replaceIn(t, profile, `,
                 "BoolIfExists": {"aws:PrincipalIsAWSService": "false"}}}`, `}}`)
		},
		refused: []string{`"orgbaseline-data-perimeter-rcp"`, "EnforceOrgIdentities", "guardrail-trail-logs", "cloudtrail.amazonaws.com", "config.amazonaws.com"},
	},
	{
		profile: "deny-root-user",
		// Centralized root access: the management account's root
		// sessions in the members, which the profile lets through.
		controls: "  rootAccess:\n    removeCredentials: [accessKeys]\n",
		twin: func(t *testing.T, profile string) string {
			return replaceIn(t, profile, `,
                 "Null": {"aws:AssumedRoot": "true"}}}`, `}}`)
		},
		refused: []string{`"orgbaseline-deny-root-user"`, "DenyRootUser"},
	},
	{
		profile: "region-deny",
		// orgbaseline governs a region the profile denies to everyone
		// else; the analyzers are created there.
		organization: "  regions: [us-east-1, eu-west-1, ap-southeast-2]\n",
		controls:     "  accessAnalyzer:\n    type: ORGANIZATION\n",
		twin:         otherRole,
		refused:      []string{`"orgbaseline-region-deny"`, "DenyAllOutsideAllowedRegions", "access-analyzer:CreateAnalyzer", "ap-southeast-2"},
	},
	{
		profile: "protect-security-services",
		twin:    otherRole,
		refused: []string{`"orgbaseline-protect-security-services"`, "ProtectConfig", "config:PutConfigurationRecorder"},
	},
}

func TestGuardrailProfilesPassBothLockoutGuards(t *testing.T) {
	h := newHarness(t, orgsim.OrgSpec{Members: guardMembers, Clean: true})
	for _, c := range guardrailCases {
		t.Run(c.profile+" "+c.refused[1], func(t *testing.T) {
			r := guardrailPlan(t, h, c, c.profile)
			wantPlanned(t, r)
			if !strings.Contains(r.stdout, "orgbaseline-") {
				t.Errorf("the plan does not show the profile's policies:\n%s", tail(r.stdout))
			}
		})
	}
}

func TestGuardrailProfilesWithoutTheirExemptionAreRefused(t *testing.T) {
	h := newHarness(t, orgsim.OrgSpec{Members: guardMembers, Clean: true})
	for _, c := range guardrailCases {
		t.Run(c.profile+" "+c.refused[1], func(t *testing.T) {
			hh := *h
			hh.t = t
			hh.write("twin.yaml", c.twin(t, lookupProfile(t, c.profile)))
			r := guardrailPlan(t, h, c, "twin.yaml")
			out := r.stdout + r.stderr
			if r.code != ExitError || !strings.Contains(out, "lockout guard") {
				t.Fatalf("plan exit code %d, want %d with a lockout guard refusal\nstdout:\n%s\nstderr:\n%s", r.code, ExitError, tail(r.stdout), r.stderr)
			}
			for _, w := range c.refused {
				if !strings.Contains(out, w) {
					t.Errorf("the refusal does not name %s:\n%s", w, out)
				}
			}
		})
	}
}

// TestGuardrailProfilesConverge: each case applied on its own
// organization converges: orgsim, which enforces SCPs and RCPs on every
// call orgbaseline makes (root sessions and the services' deliveries
// included), lets the apply through, and a second plan has nothing to
// change.
func TestGuardrailProfilesConverge(t *testing.T) {
	for _, c := range guardrailCases {
		t.Run(c.profile+" "+c.refused[1], func(t *testing.T) {
			h := newHarness(t, orgsim.OrgSpec{Members: guardMembers, Clean: true, RootCredentials: true})
			f := guardrailFile(h, c, c.profile)
			h.want(h.run("apply", "-f", f, "--auto-approve"), ExitOK)
			h.want(h.run("plan", "-f", f, "--detailed-exitcode"), ExitOK)
		})
	}
}

// guardrailPlan plans the case's baseline extending profile (a profile
// name or a file in the harness directory) with h, as subtest t.
func guardrailPlan(t *testing.T, h *harness, c guardrailCase, profile string) result {
	t.Helper()
	hh := *h
	hh.t = t
	return hh.run("plan", "-f", guardrailFile(&hh, c, profile), "--detailed-exitcode")
}

// guardrailFile writes the case's baseline extending profile and returns
// its path.
func guardrailFile(h *harness, c guardrailCase, profile string) string {
	h.t.Helper()
	org := c.organization
	if org == "" {
		org = "  regions: [us-east-1, eu-west-1]\n"
	}
	return h.write("guardrail.yaml", fmt.Sprintf(guardrailBaseline, profile, org, c.controls))
}

// TestDataPerimeterConvergesWithTheDeliveriesAllowed: the data-perimeter
// profile applied with the organization trail and AWS Config converges
// (a second plan has nothing to change), and CloudTrail's and Config's
// delivery checks on the log buckets are allowed by the RCP now in force,
// and denied by its twin without the service exemption: orgsim evaluates
// RCPs on service principals' requests as AWS does.
func TestDataPerimeterConvergesWithTheDeliveriesAllowed(t *testing.T) {
	h := newHarness(t, orgsim.OrgSpec{Members: guardMembers, Clean: true})
	c := guardrailCases[0]
	h.sim.Record(true)
	h.want(h.run("apply", "-f", guardrailFile(h, c, c.profile), "--auto-approve"), ExitOK)
	checks := h.sim.ServiceChecks()
	h.sim.Record(false)
	h.want(h.run("plan", "-f", guardrailFile(h, c, c.profile), "--detailed-exitcode"), ExitOK)

	logArchive := h.accountID("Log Archive")
	delivered := map[string]bool{}
	for _, a := range checks {
		if a.Denied != "" {
			t.Errorf("%s's %s on %s denied: %s", a.Service, a.Request.Action, a.Request.Resource, a.Denied)
		}
		if why := h.sim.RCPDenial(logArchive, a.Request); why != "" {
			t.Errorf("the RCP in force denies %s's %s on %s: %s", a.Service, a.Request.Action, a.Request.Resource, why)
		}
		delivered[a.Service] = true
	}
	for _, svc := range []string{"cloudtrail.amazonaws.com", "config.amazonaws.com"} {
		if !delivered[svc] {
			t.Fatalf("no delivery check by %s was recorded (got %v)", svc, delivered)
		}
	}

	// The twin's RCP, put in its place behind orgbaseline's back, denies
	// every one of them: the exemption is what lets them through.
	ctx := context.Background()
	orgs := h.mgmtOrgs()
	list, err := orgs.ListPolicies(ctx, &organizations.ListPoliciesInput{Filter: orgtypes.PolicyTypeResourceControlPolicy})
	if err != nil {
		t.Fatal(err)
	}
	id := ""
	for _, p := range list.Policies {
		if aws.ToString(p.Name) == "orgbaseline-data-perimeter-rcp" {
			id = aws.ToString(p.Id)
		}
	}
	if id == "" {
		t.Fatal("the apply created no RCP orgbaseline-data-perimeter-rcp")
	}
	doc := profileDocument(t, guardrailCases[1].twin(t, lookupProfile(t, "data-perimeter")), "resourceControlPolicies", "orgbaseline-data-perimeter-rcp")
	if _, err := orgs.UpdatePolicy(ctx, &organizations.UpdatePolicyInput{PolicyId: aws.String(id), Content: aws.String(doc)}); err != nil {
		t.Fatal(err)
	}
	for _, a := range checks {
		if why := h.sim.RCPDenial(logArchive, a.Request); why == "" {
			t.Errorf("the twin RCP allows %s's %s on %s", a.Service, a.Request.Action, a.Request.Resource)
		}
	}
}

// lookupProfile is the text of an embedded profile.
func lookupProfile(t *testing.T, name string) string {
	t.Helper()
	text, ok := profiles.Lookup(name)
	if !ok {
		t.Fatalf("no profile %s", name)
	}
	return string(text)
}

// profileDocument is the document of the policy named name under
// controls.<key>.policies in the profile text.
func profileDocument(t *testing.T, text, key, name string) string {
	t.Helper()
	var doc struct {
		Controls map[string]struct {
			Policies []struct{ Name, Document string }
		}
	}
	if err := yaml.Unmarshal([]byte(text), &doc); err != nil {
		t.Fatal(err)
	}
	for _, p := range doc.Controls[key].Policies {
		if p.Name == name {
			return p.Document
		}
	}
	t.Fatalf("no policy %s under controls.%s", name, key)
	return ""
}
