package orgsim_test

import (
	"encoding/json"
	"fmt"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/organizations"
	orgtypes "github.com/aws/aws-sdk-go-v2/service/organizations/types"

	"github.com/orgbaseline/orgbaseline/internal/orgsim"
)

// mgmtDocs holds, per management policy type, its ARN segment, a valid
// document and a valid update of it (from the type's syntax page).
var mgmtDocs = []struct {
	typ             orgtypes.PolicyType
	arnSegment      string
	doc, updated    string
	maxSize, target int
}{
	{orgtypes.PolicyTypeTagPolicy, "tag_policy", `{"tags":{"costcenter":{"tag_key":{"@@assign":"CostCenter"}}}}`, `{"tags":{"costcenter":{"tag_value":{"@@assign":["100"]}}}}`, 10000, 10},
	{orgtypes.PolicyTypeBackupPolicy, "backup_policy", `{"plans":{"p":{"regions":{"@@append":["us-east-1"]}}}}`, `{"plans":{"p":{"regions":{"@@assign":["eu-west-1"]}}}}`, 10000, 10},
	{orgtypes.PolicyTypeAiservicesOptOutPolicy, "aiservices_opt_out_policy", `{"services":{"default":{"opt_out_policy":{"@@assign":"optOut"}}}}`, `{"services":{"lex":{"opt_out_policy":{"@@assign":"optIn"}}}}`, 2500, 5},
	{orgtypes.PolicyTypeDeclarativePolicyEc2, "declarative_policy_ec2", `{"ec2_attributes":{"image_block_public_access":{"state":{"@@assign":"block_new_sharing"}}}}`, `{"ec2_attributes":{"serial_console_access":{"status":{"@@assign":"disabled"}}}}`, 10000, 10},
	{orgtypes.PolicyTypeS3Policy, "s3_policy", `{"s3_attributes":{"public_access_block_configuration":{"@@assign":"all"}}}`, `{"s3_attributes":{"public_access_block_configuration":{"@@assign":"none"}}}`, 2500, 5},
	{orgtypes.PolicyTypeSecurityhubPolicy, "securityhub_policy", `{"securityhub":{"enable_in_regions":{"@@assign":["ALL_SUPPORTED"]},"disable_in_regions":{"@@assign":[]}}}`, `{"securityhub":{"enable_in_regions":{"@@append":["us-east-1"]},"disable_in_regions":{"@@append":[]}}}`, 10000, 10},
	{orgtypes.PolicyTypeInspectorPolicy, "inspector_policy", `{"inspector":{"enablement":{"ec2_scanning":{"enable_in_regions":{"@@assign":["us-east-1"]},"disable_in_regions":{"@@assign":[]}}}}}`, `{"inspector":{"enablement":{"ecr_scanning":{"enable_in_regions":{"@@assign":["us-east-1"]},"disable_in_regions":{"@@assign":[]}}}}}`, 10000, 5},
	{orgtypes.PolicyTypeBedrockPolicy, "bedrock_policy", `{"bedrock":{"guardrail_inference":{"us-east-1":{"config_1":{"identifier":{"@@assign":"arn:aws:bedrock:us-east-1:123456789012:guardrail/hu1dlsv9wy1d:1"},"input_tags":{"@@assign":"honor"}}}}}}`, `{"bedrock":{"guardrail_inference":{"us-east-1":{"config_1":{"identifier":{"@@assign":"arn:aws:bedrock:us-east-1:123456789012:guardrail/hu1dlsv9wy1d:2"},"input_tags":{"@@assign":"ignore"}}}}}}`, 10000, 5},
}

func mgmtCreate(t testing.TB, c *organizations.Client, typ orgtypes.PolicyType, name, doc string) (string, error) {
	t.Helper()
	out, err := c.CreatePolicy(bg, &organizations.CreatePolicyInput{Name: aws.String(name), Description: aws.String("d"), Content: aws.String(doc), Type: typ})
	if err != nil {
		return "", err
	}
	return aws.ToString(out.Policy.PolicySummary.Id), nil
}

func mgmtRootTypes(t testing.TB, e *env) map[orgtypes.PolicyType]orgtypes.PolicyTypeStatus {
	t.Helper()
	lr, err := e.orgs(e.cfg).ListRoots(bg, &organizations.ListRootsInput{})
	if err != nil {
		t.Fatal(err)
	}
	out := map[orgtypes.PolicyType]orgtypes.PolicyTypeStatus{}
	for _, pt := range lr.Roots[0].PolicyTypes {
		out[pt.Type] = pt.Status
	}
	return out
}

// Every management type: create, update, attach (only once enabled, which
// is asynchronous), detach, and disable (asynchronous, detaching the
// type's policies).
func TestMgmtPolicyTypesLifecycle(t *testing.T) {
	for _, tc := range mgmtDocs {
		t.Run(string(tc.typ), func(t *testing.T) {
			e := newEnv(t, orgsim.Options{Seed: 3, Org: orgsim.OrgSpec{Members: 4}})
			c := e.orgs(e.cfg)
			acct := orgMember(t, e, "prod-001")
			out, err := c.CreatePolicy(bg, &organizations.CreatePolicyInput{Name: aws.String("p"), Description: aws.String("d"), Content: aws.String(tc.doc), Type: tc.typ})
			if err != nil {
				t.Fatal(err)
			}
			id := aws.ToString(out.Policy.PolicySummary.Id)
			wantARN := "arn:aws:organizations::" + e.sim.ManagementAccountID() + ":policy/" + e.sim.OrganizationID() + "/" + tc.arnSegment + "/" + id
			if got := aws.ToString(out.Policy.PolicySummary.Arn); got != wantARN || out.Policy.PolicySummary.Type != tc.typ {
				t.Fatalf("Arn = %s, Type %s; want %s", got, out.Policy.PolicySummary.Type, wantARN)
			}
			up, err := c.UpdatePolicy(bg, &organizations.UpdatePolicyInput{PolicyId: aws.String(id), Content: aws.String(tc.updated)})
			if err != nil || aws.ToString(up.Policy.Content) != tc.updated {
				t.Fatalf("UpdatePolicy = %+v, %v", up, err)
			}
			attach := func() error {
				_, err := c.AttachPolicy(bg, &organizations.AttachPolicyInput{PolicyId: aws.String(id), TargetId: aws.String(acct)})
				return err
			}
			orgWant(t, attach(), "PolicyTypeNotEnabledException", 400)

			if _, err := c.EnablePolicyType(bg, &organizations.EnablePolicyTypeInput{RootId: aws.String(e.sim.RootID()), PolicyType: tc.typ}); err != nil {
				t.Fatal(err)
			}
			if got := mgmtRootTypes(t, e)[tc.typ]; got != orgtypes.PolicyTypeStatusPendingEnable {
				t.Fatalf("status right after EnablePolicyType = %q, want PENDING_ENABLE", got)
			}
			orgWant(t, attach(), "PolicyTypeNotEnabledException", 400)
			e.sim.Advance(e.sim.AWSLike().PolicyTypeDelay)
			if got := mgmtRootTypes(t, e)[tc.typ]; got != orgtypes.PolicyTypeStatusEnabled {
				t.Fatalf("status = %q, want ENABLED", got)
			}
			if err := attach(); err != nil {
				t.Fatal(err)
			}
			pft, err := c.ListPoliciesForTarget(bg, &organizations.ListPoliciesForTargetInput{TargetId: aws.String(acct), Filter: tc.typ})
			if err != nil || len(pft.Policies) != 1 || aws.ToString(pft.Policies[0].Id) != id {
				t.Fatalf("ListPoliciesForTarget = %+v, %v", pft, err)
			}
			// Management types have no minimum: the last one detaches.
			if _, err := c.DetachPolicy(bg, &organizations.DetachPolicyInput{PolicyId: aws.String(id), TargetId: aws.String(acct)}); err != nil {
				t.Fatal(err)
			}
			if err := attach(); err != nil {
				t.Fatal(err)
			}

			if _, err := c.DisablePolicyType(bg, &organizations.DisablePolicyTypeInput{RootId: aws.String(e.sim.RootID()), PolicyType: tc.typ}); err != nil {
				t.Fatal(err)
			}
			if got := mgmtRootTypes(t, e)[tc.typ]; got != orgtypes.PolicyTypeStatusPendingDisable {
				t.Fatalf("status right after DisablePolicyType = %q, want PENDING_DISABLE", got)
			}
			e.sim.Advance(e.sim.AWSLike().PolicyTypeDelay)
			if got, ok := mgmtRootTypes(t, e)[tc.typ]; ok {
				t.Fatalf("status after disabling = %q, want the type gone", got)
			}
			targets, err := c.ListTargetsForPolicy(bg, &organizations.ListTargetsForPolicyInput{PolicyId: aws.String(id)})
			if err != nil || len(targets.Targets) != 0 {
				t.Fatalf("targets after disabling = %+v, %v", targets, err)
			}
		})
	}
}

func TestMgmtPolicyGrammarErrors(t *testing.T) {
	e := newEnv(t, orgsim.Options{Seed: 3, Org: orgsim.OrgSpec{Members: 1}})
	c := e.orgs(e.cfg)
	cases := []struct {
		typ       orgtypes.PolicyType
		doc, want string
	}{
		{orgtypes.PolicyTypeTagPolicy, `{"tags":{"costcenter":{"tag_value":{"@@assign":7}}}}`, "tags.costcenter.tag_value: @@assign must be a string or a list of strings"},
		{orgtypes.PolicyTypeTagPolicy, `{"tag":{}}`, `tag: unknown key "tag": a TAG_POLICY document allows only the top-level key "tags"`},
		{orgtypes.PolicyTypeBackupPolicy, `{"tags":{}}`, `a BACKUP_POLICY document needs the top-level key "plans"`},
		{orgtypes.PolicyTypeAiservicesOptOutPolicy, `{"services":{"lex":{"opt_out_policy":{"@@append":["optIn"]}}}}`, "services.lex.opt_out_policy: takes only @@assign, not @@append"},
		{orgtypes.PolicyTypeDeclarativePolicyEc2, `{"ec2_attributes":{"x":{"@@operators_allowed_for_child_policies":["@@none","@@assign"]}}}`, "@@none must stand alone"},
		{orgtypes.PolicyTypeS3Policy, `{"s3_attributes":{"public_access_block_configuration":{"@@assign":"some"}}}`, `must be one of "all", "none"`},
		{orgtypes.PolicyTypeSecurityhubPolicy, `{"securityhub":{"enable_in_regions":["us-east-1"],"disable_in_regions":{"@@assign":[]}}}`, "securityhub.enable_in_regions: must be a JSON object"},
		{orgtypes.PolicyTypeInspectorPolicy, `{"inspector":{"enablement":{"ec2_scanning":{"enable_in_regions":{"@@assign":[]}}}}}`, `needs the key "disable_in_regions"`},
		{orgtypes.PolicyTypeBedrockPolicy, `{"bedrock":{"@@remove":["x"]}}`, `@@remove cannot sit directly under "bedrock"`},
		{orgtypes.PolicyTypeTagPolicy, `{nope`, "the document is not valid JSON"},
	}
	for _, tc := range cases {
		_, err := mgmtCreate(t, c, tc.typ, "bad", tc.doc)
		orgWant(t, err, "MalformedPolicyDocumentException", 400)
		if msg := orgMessage(err); !strings.Contains(msg, tc.want) {
			t.Errorf("%s: message %q, want it to contain %q", tc.typ, msg, tc.want)
		}
	}
	// UpdatePolicy validates too and leaves the policy as it was.
	good := `{"tags":{"cc":{"tag_key":{"@@assign":"CC"}}}}`
	id, err := mgmtCreate(t, c, orgtypes.PolicyTypeTagPolicy, "good", good)
	if err != nil {
		t.Fatal(err)
	}
	_, err = c.UpdatePolicy(bg, &organizations.UpdatePolicyInput{PolicyId: aws.String(id), Content: aws.String(`{"tags":{"cc":{"tag_key":{"@@assign":"CostCenter"}}}}`)})
	orgWant(t, err, "MalformedPolicyDocumentException", 400)
	if !strings.Contains(orgMessage(err), `tags.cc.tag_key: @@assign "CostCenter" must match the policy key "cc" except for case`) {
		t.Fatalf("message = %q", orgMessage(err))
	}
	dp, err := c.DescribePolicy(bg, &organizations.DescribePolicyInput{PolicyId: aws.String(id)})
	if err != nil || aws.ToString(dp.Policy.Content) != good {
		t.Fatalf("after a refused update: %+v, %v", dp, err)
	}
}

// aiDocOfSize returns an AI opt-out document of exactly n characters (n ≥ 70).
func aiDocOfSize(n int) string {
	head := `{"services":{"default":{"opt_out_policy":{"@@assign":"optOut"}}}}`
	return head[:len(head)-1] + strings.Repeat(" ", n-len(head)) + "}"
}

func TestMgmtPolicySizeLimits(t *testing.T) {
	e := newEnv(t, orgsim.Options{Seed: 3, Org: orgsim.OrgSpec{Members: 1}})
	c := e.orgs(e.cfg)
	if _, err := mgmtCreate(t, c, orgtypes.PolicyTypeAiservicesOptOutPolicy, "max", aiDocOfSize(2500)); err != nil {
		t.Fatalf("a 2,500-character AI opt-out policy: %v", err)
	}
	_, err := mgmtCreate(t, c, orgtypes.PolicyTypeAiservicesOptOutPolicy, "over", aiDocOfSize(2501))
	orgWantReason(t, err, "ConstraintViolationException", 400, "POLICY_CONTENT_LIMIT_EXCEEDED")
	for _, tc := range mgmtDocs {
		padded := tc.doc[:len(tc.doc)-1] + strings.Repeat(" ", tc.maxSize-len(tc.doc)+1) + "}"
		_, err := mgmtCreate(t, c, tc.typ, "big", padded)
		orgWantReason(t, err, "ConstraintViolationException", 400, "POLICY_CONTENT_LIMIT_EXCEEDED")
		if !strings.Contains(orgMessage(err), fmt.Sprint(tc.maxSize)) {
			t.Errorf("%s: message %q does not name the limit %d", tc.typ, orgMessage(err), tc.maxSize)
		}
	}
}

func TestMgmtPolicyPerTargetLimit(t *testing.T) {
	for _, tc := range mgmtDocs {
		t.Run(string(tc.typ), func(t *testing.T) {
			e := newEnv(t, orgsim.Options{Seed: 3, Org: orgsim.OrgSpec{Members: 1}})
			c := e.orgs(e.cfg)
			orgEnableType(t, e, tc.typ)
			ou := orgOUOf(t, e, "/Workloads")
			for i := 0; i <= tc.target; i++ {
				id, err := mgmtCreate(t, c, tc.typ, fmt.Sprint("p", i), tc.doc)
				if err != nil {
					t.Fatal(err)
				}
				_, err = c.AttachPolicy(bg, &organizations.AttachPolicyInput{PolicyId: aws.String(id), TargetId: aws.String(ou)})
				if i < tc.target && err != nil {
					t.Fatalf("policy %d: %v", i+1, err)
				}
				if i == tc.target {
					orgWantReason(t, err, "ConstraintViolationException", 400, "MAX_POLICY_TYPE_ATTACHMENT_LIMIT_EXCEEDED")
				}
			}
		})
	}
}

// effectiveJSON decodes an effective policy for comparison.
func effectiveJSON(t testing.TB, s string) any {
	t.Helper()
	var v any
	if err := json.Unmarshal([]byte(s), &v); err != nil {
		t.Fatalf("effective policy %q: %v", s, err)
	}
	return v
}

func TestDescribeEffectivePolicy(t *testing.T) {
	clock := newTestClock(time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC))
	e := newEnv(t, orgsim.Options{Seed: 3, Org: orgsim.OrgSpec{Members: 4}, Now: clock.Now})
	c := e.orgs(e.cfg)
	prod001, dev002 := orgMember(t, e, "prod-001"), orgMember(t, e, "dev-002")
	prodOU := orgOUOf(t, e, "/Workloads/Prod")
	describe := func(cl *organizations.Client, typ orgtypes.EffectivePolicyType, target *string) (*orgtypes.EffectivePolicy, error) {
		out, err := cl.DescribeEffectivePolicy(bg, &organizations.DescribeEffectivePolicyInput{PolicyType: typ, TargetId: target})
		if err != nil {
			return nil, err
		}
		return out.EffectivePolicy, nil
	}

	// Not enabled yet: no effective policy.
	_, err := describe(c, orgtypes.EffectivePolicyTypeTagPolicy, aws.String(prod001))
	orgWant(t, err, "EffectivePolicyNotFoundException", 400)
	orgEnableType(t, e, orgtypes.PolicyTypeTagPolicy)
	_, err = describe(c, orgtypes.EffectivePolicyTypeTagPolicy, aws.String(prod001))
	orgWant(t, err, "EffectivePolicyNotFoundException", 400)

	attach := func(name, doc, target string) {
		t.Helper()
		id, err := mgmtCreate(t, c, orgtypes.PolicyTypeTagPolicy, name, doc)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := c.AttachPolicy(bg, &organizations.AttachPolicyInput{PolicyId: aws.String(id), TargetId: aws.String(target)}); err != nil {
			t.Fatal(err)
		}
	}
	// Root: assigns, and locks the tag key; the OU appends; the account
	// removes, and tries to change the locked key.
	attach("root", `{"tags":{"costcenter":{"tag_key":{"@@operators_allowed_for_child_policies":["@@none"],"@@assign":"CostCenter"},"tag_value":{"@@assign":["Development","Support"]}}}}`, e.sim.RootID())
	clock.Advance(time.Minute)
	attach("ou", `{"tags":{"costcenter":{"tag_value":{"@@append":["Marketing"]},"enforced_for":{"@@assign":["redshift:*"]}}}}`, prodOU)
	clock.Advance(time.Minute)
	last := e.sim.Now()
	attach("account", `{"tags":{"costcenter":{"tag_key":{"@@assign":"COSTCENTER"},"tag_value":{"@@remove":["Development"]}}}}`, prod001)
	clock.Advance(time.Minute)

	ep, err := describe(c, orgtypes.EffectivePolicyTypeTagPolicy, aws.String(prod001))
	if err != nil {
		t.Fatal(err)
	}
	want := `{"tags":{"costcenter":{"tag_key":"CostCenter","tag_value":["Support","Marketing"],"enforced_for":["redshift:*"]}}}`
	if !reflect.DeepEqual(effectiveJSON(t, aws.ToString(ep.PolicyContent)), effectiveJSON(t, want)) {
		t.Fatalf("effective policy = %s\nwant %s", aws.ToString(ep.PolicyContent), want)
	}
	if aws.ToString(ep.TargetId) != prod001 || ep.PolicyType != orgtypes.EffectivePolicyTypeTagPolicy || ep.LastUpdatedTimestamp == nil || !ep.LastUpdatedTimestamp.Equal(last) {
		t.Fatalf("EffectivePolicy = %+v (LastUpdatedTimestamp want %v)", ep, last)
	}
	// dev-002 inherits the root policy only.
	ep, err = describe(c, orgtypes.EffectivePolicyTypeTagPolicy, aws.String(dev002))
	if err != nil {
		t.Fatal(err)
	}
	want = `{"tags":{"costcenter":{"tag_key":"CostCenter","tag_value":["Development","Support"]}}}`
	if !reflect.DeepEqual(effectiveJSON(t, aws.ToString(ep.PolicyContent)), effectiveJSON(t, want)) {
		t.Fatalf("dev-002 effective policy = %s\nwant %s", aws.ToString(ep.PolicyContent), want)
	}

	// A member account reads its own effective policy without TargetId,
	// and not another account's.
	mc := e.orgs(e.assume(prod001, "OrganizationAccountAccessRole"))
	ep, err = describe(mc, orgtypes.EffectivePolicyTypeTagPolicy, nil)
	if err != nil || aws.ToString(ep.TargetId) != prod001 {
		t.Fatalf("member's own effective policy = %+v, %v", ep, err)
	}
	_, err = describe(mc, orgtypes.EffectivePolicyTypeTagPolicy, aws.String(dev002))
	orgWant(t, err, "AccessDeniedException", 400)

	// Errors.
	_, err = describe(c, "SERVICE_CONTROL_POLICY", aws.String(prod001))
	orgWantReason(t, err, "InvalidInputException", 400, "INVALID_ENUM_POLICY_TYPE")
	_, err = describe(c, "RESOURCE_CONTROL_POLICY", aws.String(prod001))
	orgWantReason(t, err, "InvalidInputException", 400, "INVALID_ENUM_POLICY_TYPE")
	_, err = describe(c, orgtypes.EffectivePolicyTypeTagPolicy, aws.String(prodOU))
	orgWantReason(t, err, "InvalidInputException", 400, "TARGET_NOT_SUPPORTED")
	_, err = describe(c, orgtypes.EffectivePolicyTypeTagPolicy, aws.String(e.sim.RootID()))
	orgWantReason(t, err, "InvalidInputException", 400, "TARGET_NOT_SUPPORTED")
	_, err = describe(c, orgtypes.EffectivePolicyTypeTagPolicy, aws.String("999999999999"))
	orgWant(t, err, "TargetNotFoundException", 400)
	_, err = describe(c, orgtypes.EffectivePolicyTypeTagPolicy, aws.String("nope"))
	orgWantReason(t, err, "InvalidInputException", 400, "INVALID_PATTERN_TARGET_ID")
	orgEnableType(t, e, orgtypes.PolicyTypeBackupPolicy)
	_, err = describe(c, orgtypes.EffectivePolicyTypeBackupPolicy, aws.String(prod001))
	orgWant(t, err, "EffectivePolicyNotFoundException", 400)

	// An update of an inherited policy changes the effective policy and
	// its timestamp.
	clock.Advance(time.Hour)
	lp, err := c.ListPoliciesForTarget(bg, &organizations.ListPoliciesForTargetInput{TargetId: aws.String(prodOU), Filter: orgtypes.PolicyTypeTagPolicy})
	if err != nil || len(lp.Policies) != 1 {
		t.Fatalf("OU tag policies = %+v, %v", lp, err)
	}
	if _, err := c.UpdatePolicy(bg, &organizations.UpdatePolicyInput{PolicyId: lp.Policies[0].Id, Content: aws.String(`{"tags":{"costcenter":{"tag_value":{"@@append":["Sales"]}}}}`)}); err != nil {
		t.Fatal(err)
	}
	ep, err = describe(c, orgtypes.EffectivePolicyTypeTagPolicy, aws.String(prod001))
	if err != nil {
		t.Fatal(err)
	}
	want = `{"tags":{"costcenter":{"tag_key":"CostCenter","tag_value":["Support","Sales"]}}}`
	if !reflect.DeepEqual(effectiveJSON(t, aws.ToString(ep.PolicyContent)), effectiveJSON(t, want)) || !ep.LastUpdatedTimestamp.Equal(e.sim.Now()) {
		t.Fatalf("after the update: %s at %v\nwant %s at %v", aws.ToString(ep.PolicyContent), ep.LastUpdatedTimestamp, want, e.sim.Now())
	}
}
