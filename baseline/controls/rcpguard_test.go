package controls_test

import (
	"errors"
	"fmt"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/organizations"
	"github.com/aws/aws-sdk-go-v2/service/organizations/types"

	"github.com/orgbaseline/orgbaseline/baseline/controls"
	"github.com/orgbaseline/orgbaseline/internal/orgsim"
)

// rcpYAML is a baseline with the organization trail and Config delivering
// to the log archive, and the RCPs %s.
const rcpYAML = `version: 1
organization:
  accounts: {logArchive: Log Archive, audit: Audit}
controls:
  organizationTrail:
    name: org-trail
    bucket: {name: rcp-trail-logs}
  config:
    bucket: {name: rcp-config-logs}
  resourceControlPolicies:
    policies:
%s`

// rcpPolicy is one declared RCP.
func rcpPolicy(name, target, doc string) string {
	return fmt.Sprintf("      - name: %s\n        targets: [%s]\n        document: '%s'\n", name, target, doc)
}

// AWS's data perimeter RCP (aws-samples/data-perimeter-policy-examples,
// resource_control_policies/identity_perimeter_rcp.json:
// EnforceOrgIdentities and EnforceConfusedDeputyProtection).
const dataPerimeterRCP = `{"Version":"2012-10-17","Statement":[` +
	`{"Sid":"EnforceOrgIdentities","Effect":"Deny","Principal":"*","Action":["s3:*","sqs:*","kms:*","secretsmanager:*","sts:AssumeRole","sts:DecodeAuthorizationMessage","sts:GetAccessKeyInfo","sts:GetFederationToken","sts:GetServiceBearerToken","sts:GetSessionToken","sts:SetContext"],"Resource":"*",` +
	`"Condition":{"StringNotEqualsIfExists":{"aws:PrincipalOrgID":"{org}","aws:ResourceTag/dp:exclude:identity":"true"},"BoolIfExists":{"aws:PrincipalIsAWSService":"false"}}},` +
	`{"Sid":"EnforceConfusedDeputyProtection","Effect":"Deny","Principal":"*","Action":["s3:*","sqs:*","kms:*","secretsmanager:*","sts:*"],"Resource":"*",` +
	`"Condition":{"StringNotEqualsIfExists":{"aws:SourceOrgID":"{org}","aws:ResourceTag/dp:exclude:identity":"true"},"Null":{"aws:SourceAccount":"false"},"Bool":{"aws:PrincipalIsAWSService":"true"}}}]}`

// orgOnlyWritesRCP denies s3:PutObject outside the organization, AWS
// services not exempted.
const orgOnlyWritesRCP = `{"Version":"2012-10-17","Statement":[{"Sid":"OrgOnlyWrites","Effect":"Deny","Principal":"*","Action":"s3:PutObject","Resource":"*","Condition":{"StringNotEqualsIfExists":{"aws:PrincipalOrgID":"{org}"}}}]}`

func rcpWorld(t testing.TB, policies string) *world {
	t.Helper()
	w := newWorld(t, orgsim.OrgSpec{Members: 4, Clean: true}, fmt.Sprintf(rcpYAML, "      []\n"), nil)
	scpRebase(t, w, fmt.Sprintf(rcpYAML, strings.ReplaceAll(policies, "{org}", w.org.ID)))
	return w
}

// TestRCPGuardDataPerimeterConverges: AWS's data perimeter RCP at the root
// passes the guard, and orgsim, which evaluates RCPs on CloudTrail's and
// Config's checks of their buckets and on the tool's AssumeRole, lets the
// whole baseline converge under it.
func TestRCPGuardDataPerimeterConverges(t *testing.T) {
	w := rcpWorld(t, rcpPolicy("data-perimeter", "root", dataPerimeterRCP))
	w.sim.Record(true)
	w.converge()
	checks := w.sim.ServiceChecks()
	w.sim.Record(false)
	services := map[string]bool{}
	for _, c := range checks {
		services[c.Service] = true
		if c.RCPDenied != "" {
			t.Errorf("orgsim's RCPs deny %s's %s on %s: %s", c.Service, c.Request.Action, c.Request.Resource, c.RCPDenied)
		}
	}
	if !services["cloudtrail.amazonaws.com"] || !services["config.amazonaws.com"] {
		t.Errorf("orgsim recorded checks of %v, want CloudTrail's and Config's: their deliveries were not evaluated", services)
	}
}

// TestRCPGuardRefusesAnUnmanagedRCPStoppingDeliveries: another team's RCP
// denying s3:PutObject outside the organization, AWS services not
// exempted, attached to the log archive's OU: plan refuses it for
// CloudTrail's and Config's deliveries, naming it as not orgbaseline's;
// orgsim agrees: the trail and the delivery channels cannot be made.
func TestRCPGuardRefusesAnUnmanagedRCPStoppingDeliveries(t *testing.T) {
	w := rcpWorld(t, rcpPolicy("harmless", "root", `{"Version":"2012-10-17","Statement":[{"Sid":"NoDeletes","Effect":"Deny","Principal":"*","Action":"s3:DeleteBucket","Resource":"*"}]}`))
	enableRCPs(t, w)
	createRCP(t, w, "security-team-writes", strings.ReplaceAll(orgOnlyWritesRCP, "{org}", w.org.ID), ouID(t, w, "/Security"))
	p := w.plan()
	msg := planError(t, p)
	la := w.id("Log Archive")
	wantIn(t, msg, "lockout guard: the RCPs in force after this plan would deny requests to resources in member accounts",
		`RCP "security-team-writes" (not managed by orgbaseline) statement "OrgOnlyWrites" (Statement[0]), attached at ou:/Security, denies these 2 requests (its conditions on aws:PrincipalOrgID hold):`,
		"- s3:PutObject on arn:aws:s3:::rcp-trail-logs/AWSLogs/"+w.org.ManagementAccountID+"/* in account Log Archive ("+la+") (region us-east-1), by the service principal cloudtrail.amazonaws.com (the log files of trail org-trail)",
		"- s3:PutObject on arn:aws:s3:::rcp-trail-logs/AWSLogs/"+w.org.ID+"/",
		"- s3:PutObject on arn:aws:s3:::rcp-config-logs/AWSLogs/",
		"by the service principal config.amazonaws.com (AWS Config's deliveries to bucket rcp-config-logs)",
		`"BoolIfExists": {"aws:PrincipalIsAWSService": "false"}`)
	errs := strings.Join(w.apply(p), "\n")
	wantIn(t, errs, "InsufficientS3BucketPolicyException", "InsufficientDeliveryPolicyException")
}

// TestRCPGuardAtApply: the guard runs again before each RCP write, with
// the RCPs in force then: an RCP another team attached after the plan,
// which stops the services' deliveries, makes the attach of the planned
// RCP refused, naming it.
func TestRCPGuardAtApply(t *testing.T) {
	w := rcpWorld(t, rcpPolicy("data-perimeter", "root", dataPerimeterRCP))
	enableRCPs(t, w)
	p := w.plan()
	if errs := planErrors(p); len(errs) > 0 {
		t.Fatalf("plan: %v", errs)
	}
	createRCP(t, w, "security-team-writes", strings.ReplaceAll(orgOnlyWritesRCP, "{org}", w.org.ID), ouID(t, w, "/Security"))
	var rcp controls.Control
	for _, c := range w.engine.Controls {
		if c.Name() == "resourceControlPolicies" {
			rcp = c
		}
	}
	tg := controls.Target{AccountID: w.org.ManagementAccountID, Region: "us-east-1", Config: w.cfg, Org: w.engine.Org, Warn: func(string) {}}
	var err error
	for _, ch := range p.OrganizationScope.Changes {
		if ch.Control != "resourceControlPolicies" {
			continue
		}
		if err = rcp.Apply(bg, tg, ch); err != nil {
			break
		}
	}
	var le *controls.LockoutError
	if !errors.As(err, &le) || le.Type != "RCP" {
		t.Fatalf("apply: %v, want an RCP LockoutError", err)
	}
	wantIn(t, err.Error(), "refused", `RCP "security-team-writes" (not managed by orgbaseline)`, "the service principal cloudtrail.amazonaws.com")
}

// enableRCPs enables the RCP type behind the tool's back and lets AWS
// finish.
func enableRCPs(t testing.TB, w *world) {
	t.Helper()
	if _, err := orgAPI(w).EnablePolicyType(bg, &organizations.EnablePolicyTypeInput{RootId: aws.String(w.org.RootID), PolicyType: types.PolicyTypeResourceControlPolicy}); err != nil {
		t.Fatal(err)
	}
	w.sim.Advance(w.sim.AWSLike().PolicyTypeDelay)
}

// createRCP creates (without orgbaseline's tag) and attaches an RCP
// behind the tool's back.
func createRCP(t testing.TB, w *world, name, doc string, targets ...string) {
	t.Helper()
	out, err := orgAPI(w).CreatePolicy(bg, &organizations.CreatePolicyInput{Name: aws.String(name), Description: aws.String("not orgbaseline's"),
		Content: aws.String(doc), Type: types.PolicyTypeResourceControlPolicy})
	if err != nil {
		t.Fatal(err)
	}
	for _, tg := range targets {
		if _, err := orgAPI(w).AttachPolicy(bg, &organizations.AttachPolicyInput{PolicyId: out.Policy.PolicySummary.Id, TargetId: aws.String(tg)}); err != nil {
			t.Fatal(err)
		}
	}
}
