package controls_test

import (
	"fmt"
	"slices"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/organizations"
	"github.com/aws/aws-sdk-go-v2/service/organizations/types"

	"github.com/orgbaseline/orgbaseline/baseline"
	"github.com/orgbaseline/orgbaseline/baseline/controls"
	"github.com/orgbaseline/orgbaseline/internal/orgsim"
)

// One valid document per management policy type (from the types' syntax
// pages, as internal/mgmtpolicy's tests hold them), and the controls key
// that declares it.
var managementDocs = []struct{ key, typ, doc string }{
	{"tagPolicies", "TAG_POLICY", `{"tags":{"costcenter":{"tag_key":{"@@assign":"CostCenter"},"tag_value":{"@@assign":["100","200"]}}}}`},
	{"backupPolicies", "BACKUP_POLICY", `{"plans":{"PII_Backup_Plan":{"regions":{"@@append":["us-east-1"]},"rules":{"Hourly":{"schedule_expression":{"@@assign":"cron(0 5 ? * * *)"},"target_backup_vault_name":{"@@assign":"Vault"}}},"selections":{"tags":{"Assignment":{"iam_role_arn":{"@@assign":"arn:aws:iam::$account:role/MyIamRole"},"tag_key":{"@@assign":"dataType"},"tag_value":{"@@assign":["PII"]}}}}}}}`},
	{"aiOptOutPolicies", "AISERVICES_OPT_OUT_POLICY", `{"services":{"default":{"opt_out_policy":{"@@assign":"optOut"}}}}`},
	{"declarativePolicies", "DECLARATIVE_POLICY_EC2", `{"ec2_attributes":{"image_block_public_access":{"state":{"@@assign":"block_new_sharing"}}}}`},
	{"s3Policies", "S3_POLICY", `{"s3_attributes":{"public_access_block_configuration":{"@@assign":"all"}}}`},
	{"securityHubPolicies", "SECURITYHUB_POLICY", `{"securityhub":{"enable_in_regions":{"@@assign":["us-east-1"]},"disable_in_regions":{"@@assign":[]}}}`},
	{"inspectorPolicies", "INSPECTOR_POLICY", `{"inspector":{"enablement":{"ec2_scanning":{"enable_in_regions":{"@@assign":["us-east-1"]},"disable_in_regions":{"@@assign":[]}}}}}`},
	{"bedrockPolicies", "BEDROCK_POLICY", `{"bedrock":{"guardrail_inference":{"us-east-1":{"config_1":{"identifier":{"@@assign":"arn:aws:bedrock:us-east-1:123456789012:guardrail/hu1dlsv9wy1d:1"},"input_tags":{"@@assign":"honor"}}}}}}`},
}

// policyYAML declares one policy of the type key, attached to targets.
func policyYAML(key, name, doc string, targets ...string) string {
	return fmt.Sprintf("version: 1\ncontrols:\n  %s:\n    policies:\n      - name: %s\n        description: %s of the test\n        document: '%s'\n        targets: [%s]\n",
		key, name, name, doc, strings.Join(targets, ", "))
}

// policiesOf reads the policies of a type back through the SDK, by name.
func policiesOf(t testing.TB, w *world, typ string) map[string]readSCP {
	t.Helper()
	api := orgAPI(w)
	out := map[string]readSCP{}
	lp := organizations.NewListPoliciesPaginator(api, &organizations.ListPoliciesInput{Filter: types.PolicyType(typ)})
	for lp.HasMorePages() {
		page, err := lp.NextPage(bg)
		if err != nil {
			t.Fatal(err)
		}
		for _, s := range page.Policies {
			r := readSCP{id: aws.ToString(s.Id)}
			d, err := api.DescribePolicy(bg, &organizations.DescribePolicyInput{PolicyId: s.Id})
			if err != nil {
				t.Fatal(err)
			}
			r.content = aws.ToString(d.Policy.Content)
			tp := organizations.NewListTargetsForPolicyPaginator(api, &organizations.ListTargetsForPolicyInput{PolicyId: s.Id})
			for tp.HasMorePages() {
				tg, err := tp.NextPage(bg)
				if err != nil {
					t.Fatal(err)
				}
				for _, x := range tg.Targets {
					r.targets = append(r.targets, aws.ToString(x.TargetId))
				}
			}
			slices.Sort(r.targets)
			out[aws.ToString(s.Name)] = r
		}
	}
	return out
}

// Every management policy type converges from an organization where the
// type is not enabled: the plan enables it, creates the policy and
// attaches it; apply makes it so; the next plan is empty and writes
// nothing; and the declared values are in the effective policy of every
// covered account.
func TestManagementPolicyTypesConverge(t *testing.T) {
	for _, tc := range managementDocs {
		t.Run(tc.key, func(t *testing.T) {
			w := scpWorld(t, policyYAML(tc.key, "p1", tc.doc, "ou:/Workloads"), nil)
			mgmt, root := w.org.ManagementAccountID, w.org.RootID
			res := policyPrefixes[tc.key] + "/p1"
			wantChanges(t, w.plan(),
				tc.key+" create root/"+root+"/policy-type/"+tc.typ+" "+mgmt,
				tc.key+" create "+res+" "+mgmt,
				tc.key+" create "+res+"/target/ou:/Workloads "+mgmt,
			)
			w.converge()
			got := policiesOf(t, w, tc.typ)["p1"]
			if got.content != tc.doc || !slices.Equal(got.targets, []string{ouID(t, w, "/Workloads")}) {
				t.Errorf("policy: %+v", got)
			}
			covered, pass := 0, 0
			for _, f := range w.check() {
				if f.Check != tc.key+".effective" {
					continue
				}
				covered++
				if f.Status == baseline.StatusPass {
					pass++
				} else {
					t.Errorf("%s: %s %s", f.Account, f.Status, f.Message)
				}
			}
			if covered == 0 || covered != pass {
				t.Errorf("effective findings: %d covered, %d pass", covered, pass)
			}
		})
	}
}

// Drift is planned back, for every policy type but SCPs (scp_test.go):
// a policy edited behind the tool's back is updated, one detached is
// attached again, and a policy type disabled on the root (which detaches
// every policy of the type) is enabled and its policies attached again.
// The tag policy's document is edited too.
func TestPolicyDrift(t *testing.T) {
	cases := append([]struct{ key, typ, doc string }{{"resourceControlPolicies", "RESOURCE_CONTROL_POLICY", noDeletesRCP}}, managementDocs...)
	for _, tc := range cases {
		t.Run(tc.key, func(t *testing.T) {
			w := scpWorld(t, policyYAML(tc.key, "p1", tc.doc, "root"), nil)
			w.converge()
			api, mgmt, root := orgAPI(w), w.org.ManagementAccountID, w.org.RootID
			id := policiesOf(t, w, tc.typ)["p1"].id

			edit := &organizations.UpdatePolicyInput{PolicyId: aws.String(id), Description: aws.String("edited by hand")}
			if tc.typ == "TAG_POLICY" {
				edit.Content = aws.String(strings.Replace(tc.doc, `"100","200"`, `"100"`, 1))
			}
			if _, err := api.UpdatePolicy(bg, edit); err != nil {
				t.Fatal(err)
			}
			res := policyPrefixes[tc.key] + "/p1"
			wantChanges(t, w.plan(), tc.key+" update "+res+" "+mgmt)
			w.converge()

			if _, err := api.DetachPolicy(bg, &organizations.DetachPolicyInput{PolicyId: aws.String(id), TargetId: aws.String(root)}); err != nil {
				t.Fatal(err)
			}
			wantChanges(t, w.plan(), tc.key+" create "+res+"/target/root "+mgmt)
			w.converge()

			if _, err := api.DisablePolicyType(bg, &organizations.DisablePolicyTypeInput{RootId: aws.String(root), PolicyType: types.PolicyType(tc.typ)}); err != nil {
				t.Fatal(err)
			}
			w.sim.Advance(orgsim.DefaultAWSLike().PolicyTypeDelay * 2)
			wantChanges(t, w.plan(),
				tc.key+" create root/"+root+"/policy-type/"+tc.typ+" "+mgmt,
				tc.key+" create "+res+"/target/root "+mgmt,
			)
			w.converge()
		})
	}
}

// noDeletesRCP keeps buckets from being deleted by principals outside the
// organization.
const noDeletesRCP = `{"Version":"2012-10-17","Statement":[{"Sid":"NoOutsideDeletes","Effect":"Deny","Principal":"*","Action":"s3:DeleteBucket","Resource":"*","Condition":{"StringNotEqualsIfExists":{"aws:PrincipalOrgID":"${aws:ResourceOrgID}"}}}]}`

// policyPrefixes are the change resources' prefixes, per controls key.
var policyPrefixes = map[string]string{
	"resourceControlPolicies": "rcp", "declarativePolicies": "declarative-policy", "tagPolicies": "tag-policy",
	"backupPolicies": "backup-policy", "aiOptOutPolicies": "ai-opt-out-policy", "s3Policies": "s3-policy",
	"securityHubPolicies": "securityhub-policy", "inspectorPolicies": "inspector-policy", "bedrockPolicies": "bedrock-policy",
}

// A value the baseline assigns that a policy attached below overrides is
// not in effect there: the plan warns, naming the account, and the
// account's finding fails, while the other accounts pass.
func TestManagementPolicyOverriddenBelow(t *testing.T) {
	w := scpWorld(t, policyYAML("tagPolicies", "cost-center", managementDocs[0].doc, "root"), nil)
	w.converge()
	api := orgAPI(w)
	prod := w.id("prod-001")
	out, err := api.CreatePolicy(bg, &organizations.CreatePolicyInput{
		Name: aws.String("team-override"), Description: aws.String("not orgbaseline's"), Type: types.PolicyTypeTagPolicy,
		Content: aws.String(`{"tags":{"costcenter":{"tag_value":{"@@assign":["999"]}}}}`),
	})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := api.AttachPolicy(bg, &organizations.AttachPolicyInput{PolicyId: out.Policy.PolicySummary.Id, TargetId: aws.String(prod)}); err != nil {
		t.Fatal(err)
	}
	p := w.plan()
	if n := p.ChangeCount(); n != 0 {
		t.Fatalf("the plan changes what orgbaseline does not manage:\n%s", describe(p))
	}
	warnings := strings.Join(p.OrganizationScope.Warnings, "\n")
	if !strings.Contains(warnings, `cost-center assigns tags.costcenter.tag_value = ["100","200"], the effective policy has ["999"]`) || !strings.Contains(warnings, prod) {
		t.Errorf("warnings:\n%s", warnings)
	}
	for _, f := range w.check() {
		if f.Check != "tagPolicies.effective" {
			continue
		}
		if want := f.Account != prod; (f.Status == baseline.StatusPass) != want {
			t.Errorf("%s: %s %s", f.Account, f.Status, f.Message)
		}
	}
}

// Documents are checked against their type's grammar and size before
// any AWS call, every problem at once, each naming the policy and the
// place in the document.
func TestManagementPolicyPreflight(t *testing.T) {
	yaml := `version: 1
controls:
  tagPolicies:
    policies:
      - name: bad-key
        document: '{"tags":{"cc":{"tag_keys":{"@@assign":"cc"}}}}'
        targets: [root]
  aiOptOutPolicies:
    maxPolicySize: 40
    policies:
      - name: too-long
        document: '{"services":{"default":{"opt_out_policy":{"@@assign":"optOut"}}}}'
        targets: [root]
  resourceControlPolicies:
    policies:
      - name: not-json
        document: '{"Version":'
        targets: [root]
`
	_, err := controls.FromBaseline(loadYAML(t, yaml))
	if err == nil {
		t.Fatal("no error")
	}
	for _, want := range []string{
		`tag policy "bad-key" (controls.tagPolicies.policies[0]): invalid policy document: tags.cc.tag_keys: unknown key "tag_keys"`,
		`AI services opt-out policy "too-long" (controls.aiOptOutPolicies.policies[0]): the document has 65 characters, over maxPolicySize 40`,
		`RCP "not-json" (controls.resourceControlPolicies.policies[0]):`,
	} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("error lacks %q:\n%v", want, err)
		}
	}
}

// loadYAML loads a baseline from text, failing the test on an error.
func loadYAML(t testing.TB, yaml string) *baseline.Baseline {
	t.Helper()
	b, err := baseline.LoadBytes("b.yaml", []byte(yaml), t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// An organization still on the older SCP size quota (5,120 characters)
// refuses a document the default setting (10,240) plans: apply's error
// says which setting to lower.
func TestPolicyQuotaLowerThanSetting(t *testing.T) {
	limits := orgsim.DefaultLimits()
	limits.SCPMaxSize = 5120
	long := `{"Version":"2012-10-17","Statement":[{"Sid":"` + strings.Repeat("A", 5200) + `","Effect":"Deny","Action":"organizations:LeaveOrganization","Resource":"*"}]}`
	w, err := tryWorld(t, orgsim.Options{Org: orgsim.OrgSpec{Members: 2, Clean: true}, Limits: limits}, policyYAML("serviceControlPolicies", "long", long, "root"), nil)
	if err != nil {
		t.Fatal(err)
	}
	p := w.plan()
	if errs := planErrors(p); len(errs) > 0 {
		t.Fatalf("plan: %v", errs)
	}
	errs := strings.Join(w.apply(p), "\n")
	if !strings.Contains(errs, "POLICY_CONTENT_LIMIT_EXCEEDED") && !strings.Contains(errs, "maximum size") ||
		!strings.Contains(errs, "is lower than controls.serviceControlPolicies.maxPolicySize (10240): set maxPolicySize to the quota") {
		t.Errorf("apply errors:\n%s", errs)
	}
}

// A policy an extended file declared and a later list dropped is said
// once per run (the control's notes, which plan, apply and check log).
func TestDroppedPoliciesAreNoted(t *testing.T) {
	cs, err := controls.FromBaseline(loadYAML(t, "version: 1\nextends: [deny-root-user, region-deny]\n"))
	if err != nil {
		t.Fatal(err)
	}
	notes := strings.Join(controls.NotesOf(cs), "\n")
	if !strings.Contains(notes, `which does not declare "orgbaseline-deny-root-user"`) {
		t.Errorf("notes:\n%s", notes)
	}
}
