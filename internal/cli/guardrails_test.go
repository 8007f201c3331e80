package cli

import (
	"fmt"
	"strings"
	"testing"

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
		refused: []string{`"orgbaseline-data-perimeter-rcp"`, "EnforceOrgIdentities", "guardrail-trail-logs"},
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
			text, ok := profiles.Lookup(c.profile)
			if !ok {
				t.Fatalf("no profile %s", c.profile)
			}
			hh := *h
			hh.t = t
			hh.write("twin.yaml", c.twin(t, string(text)))
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

// guardrailPlan plans the case's baseline extending profile (a profile
// name or a file in the harness directory) with h, as subtest t.
func guardrailPlan(t *testing.T, h *harness, c guardrailCase, profile string) result {
	t.Helper()
	hh := *h
	hh.t = t
	org := c.organization
	if org == "" {
		org = "  regions: [us-east-1, eu-west-1]\n"
	}
	f := hh.write("guardrail.yaml", fmt.Sprintf(guardrailBaseline, profile, org, c.controls))
	return hh.run("plan", "-f", f, "--detailed-exitcode")
}
