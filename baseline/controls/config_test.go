package controls_test

import (
	"context"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"reflect"
	"regexp"
	"slices"
	"sort"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/configservice"
	cfgtypes "github.com/aws/aws-sdk-go-v2/service/configservice/types"
	"github.com/aws/aws-sdk-go-v2/service/iam"
	"github.com/aws/aws-sdk-go-v2/service/organizations"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	s3types "github.com/aws/aws-sdk-go-v2/service/s3/types"

	"github.com/orgbaseline/orgbaseline/baseline"
	"github.com/orgbaseline/orgbaseline/baseline/controls"
	"github.com/orgbaseline/orgbaseline/internal/awsapi"
	"github.com/orgbaseline/orgbaseline/internal/orgsim"
	"github.com/orgbaseline/orgbaseline/orgwalk"
)

const (
	cfgHome  = "us-east-1"
	cfgOther = "eu-west-1"
)

// cfgRulesYAML are the rules most tests declare: parameters of every
// scalar kind, a frequency, a rule without parameters and a named rule.
// They all evaluate IAM; these tests deploy them in both regions (the
// default, the home region only, has tests of its own:
// TestConfigIAMRulesInTheHomeRegion).
const cfgRulesYAML = `    iamRulesInEveryRegion: true
    rules:
      - identifier: IAM_PASSWORD_POLICY
        parameters:
          MinimumPasswordLength: 14
          PasswordReusePrevention: 24
          RequireSymbols: true
          RequireNumbers: false
          MaxPasswordAge: "90"
        maximumExecutionFrequency: TwentyFour_Hours
      - identifier: ACCESS_KEYS_ROTATED
        parameters: {maxAccessKeyAge: 90}
      - name: root-mfa
        identifier: ROOT_ACCOUNT_MFA_ENABLED
`

// cfgYAML is a baseline with controls.config over two regions (listed
// with the home region last, so nothing depends on the home region coming
// first); body replaces the control's keys (default: cfgRulesYAML), and
// more is appended at the top level of the document.
func cfgYAML(body string, more ...string) string {
	if body == "" {
		body = cfgRulesYAML
	}
	return `version: 1
organization:
  homeRegion: us-east-1
  regions: [eu-west-1, us-east-1]
  accounts:
    logArchive: Log Archive
    audit: Audit
controls:
  config:
` + body + strings.Join(more, "")
}

// cfgWantRules is what cfgRulesYAML deploys, as DescribeConfigRules shows
// it: identifier, InputParameters exactly as AWS expects them (a JSON
// object of strings), frequency.
var cfgWantRules = map[string][3]string{
	"iam-password-policy": {"IAM_PASSWORD_POLICY", `{"MaxPasswordAge":"90","MinimumPasswordLength":"14","PasswordReusePrevention":"24","RequireNumbers":"false","RequireSymbols":"true"}`, "TwentyFour_Hours"},
	"access-keys-rotated": {"ACCESS_KEYS_ROTATED", `{"maxAccessKeyAge":"90"}`, ""},
	"root-mfa":            {"ROOT_ACCOUNT_MFA_ENABLED", `{}`, ""},
}

func cfgWorld(t testing.TB, members int, yaml string) *world {
	t.Helper()
	return newWorld(t, orgsim.OrgSpec{Members: members, Clean: true}, yaml, nil)
}

func cfgSvc(w *world, account, region string) *configservice.Client {
	w.t.Helper()
	return configservice.NewFromConfig(w.as(account, region))
}

func cfgBucket(w *world) string {
	return "orgbaseline-config-" + w.id("Log Archive") + "-" + cfgHome
}

// cfgRules reads the rules of an account and region, by name.
func cfgRules(w *world, account, region string) map[string]cfgtypes.ConfigRule {
	w.t.Helper()
	m := map[string]cfgtypes.ConfigRule{}
	p := configservice.NewDescribeConfigRulesPaginator(cfgSvc(w, account, region), &configservice.DescribeConfigRulesInput{})
	for p.HasMorePages() {
		out, err := p.NextPage(bg)
		if err != nil {
			w.t.Fatal(err)
		}
		for _, r := range out.ConfigRules {
			m[aws.ToString(r.ConfigRuleName)] = r
		}
	}
	return m
}

// cfgRebase switches the world to another baseline (same organization
// settings), as the next run of an edited baseline.yaml would.
func cfgRebase(w *world, yaml string) {
	w.t.Helper()
	b, err := baseline.LoadBytes("baseline.yaml", []byte(yaml), w.dir)
	if err != nil {
		w.t.Fatal(err)
	}
	ctrls, err := controls.FromBaseline(b)
	if err != nil {
		w.t.Fatal(err)
	}
	w.baseline, w.engine.Controls = b, ctrls
}

// cfgRoundTrip writes a plan to JSON and reads it back, as `plan -out`
// and `apply plan.json` do: applying it proves every change holds all
// Apply needs as plain JSON.
func cfgRoundTrip(t testing.TB, p *baseline.Plan) *baseline.Plan {
	t.Helper()
	b, err := json.Marshal(p)
	if err != nil {
		t.Fatal(err)
	}
	var out baseline.Plan
	if err := json.Unmarshal(b, &out); err != nil {
		t.Fatal(err)
	}
	for i, s := range p.Sections() {
		for j, c := range s.Changes {
			if !c.Equal(out.Sections()[i].Changes[j]) {
				t.Fatalf("change %s does not survive a JSON round trip", c.Key())
			}
		}
	}
	return &out
}

// cfgCheckConverged reads every targeted account and region back through
// the SDK and checks it is as cfgRulesYAML declares.
func cfgCheckConverged(t *testing.T, w *world) {
	t.Helper()
	bucket := cfgBucket(w)
	for _, a := range w.sel.Targets {
		for _, region := range []string{cfgHome, cfgOther} {
			cs := cfgSvc(w, a.ID, region)
			recs, err := cs.DescribeConfigurationRecorders(bg, &configservice.DescribeConfigurationRecordersInput{})
			if err != nil || len(recs.ConfigurationRecorders) != 1 {
				t.Fatalf("%s %s: recorders %+v %v", a.ID, region, recs, err)
			}
			r := recs.ConfigurationRecorders[0]
			wantRole := "arn:aws:iam::" + a.ID + ":role/aws-service-role/config.amazonaws.com/AWSServiceRoleForConfig"
			if aws.ToString(r.Name) != "default" || aws.ToString(r.RoleARN) != wantRole || !r.RecordingGroup.AllSupported ||
				r.RecordingGroup.IncludeGlobalResourceTypes != (region == cfgHome) || r.RecordingMode.RecordingFrequency != cfgtypes.RecordingFrequencyContinuous {
				t.Errorf("%s %s: recorder %s role %s group %+v mode %+v", a.ID, region, aws.ToString(r.Name), aws.ToString(r.RoleARN), *r.RecordingGroup, *r.RecordingMode)
			}
			status, err := cs.DescribeConfigurationRecorderStatus(bg, &configservice.DescribeConfigurationRecorderStatusInput{})
			if err != nil || len(status.ConfigurationRecordersStatus) != 1 || !status.ConfigurationRecordersStatus[0].Recording {
				t.Errorf("%s %s: recorder status %+v %v", a.ID, region, status, err)
			}
			chs, err := cs.DescribeDeliveryChannels(bg, &configservice.DescribeDeliveryChannelsInput{})
			if err != nil || len(chs.DeliveryChannels) != 1 {
				t.Fatalf("%s %s: channels %+v %v", a.ID, region, chs, err)
			}
			ch := chs.DeliveryChannels[0]
			if aws.ToString(ch.Name) != "default" || aws.ToString(ch.S3BucketName) != bucket || ch.S3KeyPrefix != nil ||
				ch.ConfigSnapshotDeliveryProperties.DeliveryFrequency != cfgtypes.MaximumExecutionFrequencyTwentyFourHours {
				t.Errorf("%s %s: channel %+v", a.ID, region, ch)
			}
			rules := cfgRules(w, a.ID, region)
			if len(rules) != len(cfgWantRules) {
				t.Errorf("%s %s: rules %v", a.ID, region, cfgKeys(rules))
			}
			for name, want := range cfgWantRules {
				r, ok := rules[name]
				if !ok {
					t.Errorf("%s %s: no rule %s", a.ID, region, name)
					continue
				}
				got := [3]string{aws.ToString(r.Source.SourceIdentifier), aws.ToString(r.InputParameters), string(r.MaximumExecutionFrequency)}
				if r.Source.Owner != cfgtypes.OwnerAws || got != want {
					t.Errorf("%s %s: rule %s is %s %v, want AWS %v", a.ID, region, name, r.Source.Owner, got, want)
				}
				tags, err := cs.ListTagsForResource(bg, &configservice.ListTagsForResourceInput{ResourceArn: r.ConfigRuleArn})
				if err != nil || len(tags.Tags) != 1 || aws.ToString(tags.Tags[0].Key) != "orgbaseline:managed" {
					t.Errorf("%s %s: rule %s tags %+v %v", a.ID, region, name, tags, err)
				}
			}
		}
	}
}

func cfgKeys[V any](m map[string]V) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}

// cfgBucketPolicy reads the central bucket's policy as JSON values.
func cfgBucketPolicy(t testing.TB, w *world) map[string]any {
	t.Helper()
	out, err := awsapi.S3(w.as(w.id("Log Archive"), cfgHome)).GetBucketPolicy(bg, &s3.GetBucketPolicyInput{Bucket: aws.String(cfgBucket(w))})
	if err != nil {
		t.Fatal(err)
	}
	var p map[string]any
	if err := json.Unmarshal([]byte(aws.ToString(out.Policy)), &p); err != nil {
		t.Fatal(err)
	}
	return p
}

func cfgStatements(p map[string]any) map[string]map[string]any {
	out := map[string]map[string]any{}
	list, _ := p["Statement"].([]any)
	for _, s := range list {
		m, _ := s.(map[string]any)
		sid, _ := m["Sid"].(string)
		out[sid] = m
	}
	return out
}

func TestConfigConvergesFromEmpty(t *testing.T) {
	w := cfgWorld(t, 4, cfgYAML(""))
	p := w.plan()
	if errs := planErrors(p); len(errs) > 0 {
		t.Fatal(errs)
	}
	// Dependency order, per account: the service-linked role, then per
	// region recorder -> channel -> start -> rules; the bucket first of all.
	for _, s := range p.Accounts {
		if s.Skipped != "" {
			continue
		}
		var got []string
		for _, c := range s.Changes {
			got = append(got, c.Control+" "+c.Region+" "+c.Resource)
		}
		want := []string{"configRole  iam/role/aws-service-role/config.amazonaws.com/AWSServiceRoleForConfig"}
		for _, region := range []string{cfgOther, cfgHome} {
			for _, r := range []string{"config/recorder/default", "config/delivery-channel/default", "config/recorder/default/recording",
				"config/rule/access-keys-rotated", "config/rule/iam-password-policy", "config/rule/root-mfa"} {
				want = append(want, "config "+region+" "+r)
			}
		}
		if !slices.Equal(got, want) {
			t.Fatalf("account %s plans\n%s\nwant\n%s", s.Account, strings.Join(got, "\n"), strings.Join(want, "\n"))
		}
	}
	bucket := cfgBucket(w)
	var org []string
	for _, c := range p.OrganizationScope.Changes {
		org = append(org, string(c.Action)+" "+c.Resource+" "+c.Account)
	}
	la := w.id("Log Archive")
	wantOrg := []string{"create s3/" + bucket + " " + la, "create s3/" + bucket + "/policy " + la, "create s3/" + bucket + "/public-access-block " + la,
		"create s3/" + bucket + "/versioning " + la, "create s3/" + bucket + "/encryption " + la}
	if !slices.Equal(org, wantOrg) {
		t.Fatalf("organization scope plans\n%s", strings.Join(org, "\n"))
	}
	if errs := w.apply(cfgRoundTrip(t, p)); len(errs) > 0 {
		t.Fatal(errs)
	}
	cfgCheckConverged(t, w)

	// The bucket: the AWS Config bucket policy for every targeted account,
	// locked down.
	st := cfgStatements(cfgBucketPolicy(t, w))
	if len(st) != 3 {
		t.Fatalf("bucket policy statements %v", cfgKeys(st))
	}
	// One statement for the whole organization (aws:SourceOrgID), so the
	// policy does not grow with the accounts; every targeted account's
	// channel delivering (checked by cfgCheckConverged) proves it admits them.
	del := st["AWSConfigBucketDelivery"]
	cond, _ := del["Condition"].(map[string]any)
	eq, _ := cond["StringEquals"].(map[string]any)
	if del["Resource"] != "arn:aws:s3:::"+bucket+"/AWSLogs/*/Config/*" || del["Action"] != "s3:PutObject" ||
		eq["aws:SourceOrgID"] != w.org.ID || eq["s3:x-amz-acl"] != "bucket-owner-full-control" {
		t.Errorf("delivery statement %v", del)
	}
	if st["AWSConfigBucketPermissionsCheck"]["Action"] != "s3:GetBucketAcl" || st["AWSConfigBucketExistenceCheck"]["Action"] != "s3:ListBucket" {
		t.Errorf("check statements %v", st)
	}
	s3c := awsapi.S3(w.as(la, cfgHome))
	ver, err := s3c.GetBucketVersioning(bg, &s3.GetBucketVersioningInput{Bucket: aws.String(bucket)})
	if err != nil || ver.Status != s3types.BucketVersioningStatusEnabled {
		t.Errorf("versioning %+v %v", ver, err)
	}
	pab, err := s3c.GetPublicAccessBlock(bg, &s3.GetPublicAccessBlockInput{Bucket: aws.String(bucket)})
	if err != nil || !aws.ToBool(pab.PublicAccessBlockConfiguration.BlockPublicPolicy) || !aws.ToBool(pab.PublicAccessBlockConfiguration.RestrictPublicBuckets) {
		t.Errorf("public access block %+v %v", pab, err)
	}

	// Idempotent: nothing more to do, and planning writes nothing.
	w.sim.ResetCounters()
	if again := w.plan(); again.ChangeCount() != 0 || len(planErrors(again)) > 0 {
		t.Fatalf("second plan: %s %v", describe(again), planErrors(again))
	}
	if n := w.sim.Counters().Writes(); n != 0 {
		t.Fatalf("a converged plan made %d writes", n)
	}
}

// TestConfigKeyPrefixAndFrequencies: a key prefix reaches the channel and
// the bucket policy; frequencies reach the channel and the recorder.
func TestConfigKeyPrefixAndFrequencies(t *testing.T) {
	w := cfgWorld(t, 3, cfgYAML(`    bucket: {name: central-config-logs, keyPrefix: org/config}
    deliveryFrequency: Six_Hours
    recordingFrequency: DAILY
`))
	w.converge()
	for _, a := range w.sel.Targets {
		cs := cfgSvc(w, a.ID, cfgOther)
		chs, err := cs.DescribeDeliveryChannels(bg, &configservice.DescribeDeliveryChannelsInput{})
		if err != nil {
			t.Fatal(err)
		}
		ch := chs.DeliveryChannels[0]
		if aws.ToString(ch.S3BucketName) != "central-config-logs" || aws.ToString(ch.S3KeyPrefix) != "org/config" ||
			ch.ConfigSnapshotDeliveryProperties.DeliveryFrequency != cfgtypes.MaximumExecutionFrequencySixHours {
			t.Errorf("%s: channel %+v", a.ID, ch)
		}
		recs, err := cs.DescribeConfigurationRecorders(bg, &configservice.DescribeConfigurationRecordersInput{})
		if err != nil || recs.ConfigurationRecorders[0].RecordingMode.RecordingFrequency != cfgtypes.RecordingFrequencyDaily {
			t.Errorf("%s: recorder %+v %v", a.ID, recs, err)
		}
	}
	out, err := awsapi.S3(w.as(w.id("Log Archive"), cfgHome)).GetBucketPolicy(bg, &s3.GetBucketPolicyInput{Bucket: aws.String("central-config-logs")})
	if err != nil || !strings.Contains(aws.ToString(out.Policy), "arn:aws:s3:::central-config-logs/org/config/AWSLogs/") {
		t.Errorf("bucket policy %v %v", out, err)
	}
}

// TestConfigDrift changes one thing behind the tool's back at a time: the
// next plan shows exactly that change, and applying it restores the state.
func TestConfigDrift(t *testing.T) {
	type drift struct {
		name string
		// do changes the state in account a (a workload account); it
		// returns the changes the next plan must show, as changes() lists
		// them.
		do func(t *testing.T, w *world, a string) []string
		// check runs after the restoring apply.
		check func(t *testing.T, w *world, a string)
	}
	tests := []drift{
		{name: "a rule deleted", do: func(t *testing.T, w *world, a string) []string {
			if _, err := cfgSvc(w, a, cfgOther).DeleteConfigRule(bg, &configservice.DeleteConfigRuleInput{ConfigRuleName: aws.String("root-mfa")}); err != nil {
				t.Fatal(err)
			}
			return []string{"config create config/rule/root-mfa " + a + " " + cfgOther}
		}},
		{name: "a rule's parameter changed", do: func(t *testing.T, w *world, a string) []string {
			_, err := cfgSvc(w, a, cfgHome).PutConfigRule(bg, &configservice.PutConfigRuleInput{ConfigRule: &cfgtypes.ConfigRule{
				ConfigRuleName: aws.String("iam-password-policy"),
				Source:         &cfgtypes.Source{Owner: cfgtypes.OwnerAws, SourceIdentifier: aws.String("IAM_PASSWORD_POLICY")},
				// Same values, other order and formatting: only
				// MinimumPasswordLength differs.
				InputParameters:           aws.String(`{ "RequireSymbols": "true", "RequireNumbers": "false", "MinimumPasswordLength": "8", "PasswordReusePrevention": "24", "MaxPasswordAge": "90" }`),
				MaximumExecutionFrequency: cfgtypes.MaximumExecutionFrequencyTwentyFourHours,
			}})
			if err != nil {
				t.Fatal(err)
			}
			return []string{"config update config/rule/iam-password-policy " + a + " " + cfgHome}
		}},
		{name: "the recorder stopped", do: func(t *testing.T, w *world, a string) []string {
			if _, err := cfgSvc(w, a, cfgHome).StopConfigurationRecorder(bg, &configservice.StopConfigurationRecorderInput{ConfigurationRecorderName: aws.String("default")}); err != nil {
				t.Fatal(err)
			}
			return []string{"config update config/recorder/default/recording " + a + " " + cfgHome}
		}},
		{name: "the channel deleted", do: func(t *testing.T, w *world, a string) []string {
			cs := cfgSvc(w, a, cfgOther)
			if _, err := cs.StopConfigurationRecorder(bg, &configservice.StopConfigurationRecorderInput{ConfigurationRecorderName: aws.String("default")}); err != nil {
				t.Fatal(err)
			}
			if _, err := cs.DeleteDeliveryChannel(bg, &configservice.DeleteDeliveryChannelInput{DeliveryChannelName: aws.String("default")}); err != nil {
				t.Fatal(err)
			}
			return []string{"config create config/delivery-channel/default " + a + " " + cfgOther, "config update config/recorder/default/recording " + a + " " + cfgOther}
		}},
		{name: "global resource types recorded outside the home region", do: func(t *testing.T, w *world, a string) []string {
			_, err := cfgSvc(w, a, cfgOther).PutConfigurationRecorder(bg, &configservice.PutConfigurationRecorderInput{ConfigurationRecorder: &cfgtypes.ConfigurationRecorder{
				Name: aws.String("default"), RoleARN: aws.String("arn:aws:iam::" + a + ":role/aws-service-role/config.amazonaws.com/AWSServiceRoleForConfig"),
				RecordingGroup: &cfgtypes.RecordingGroup{AllSupported: true, IncludeGlobalResourceTypes: true}}})
			if err != nil {
				t.Fatal(err)
			}
			return []string{"config update config/recorder/default " + a + " " + cfgOther}
		}},
		{name: "the central bucket policy stripped", do: func(t *testing.T, w *world, a string) []string {
			la := w.id("Log Archive")
			// Replaced by someone's own statement: ours are planned back,
			// theirs is kept.
			doc := `{"Version":"2012-10-17","Statement":[{"Sid":"DenyInsecureTransport","Effect":"Deny","Principal":"*","Action":"s3:*","Resource":["arn:aws:s3:::` +
				cfgBucket(w) + `","arn:aws:s3:::` + cfgBucket(w) + `/*"],"Condition":{"Bool":{"aws:SecureTransport":"false"}}}]}`
			if _, err := awsapi.S3(w.as(la, cfgHome)).PutBucketPolicy(bg, &s3.PutBucketPolicyInput{Bucket: aws.String(cfgBucket(w)), Policy: aws.String(doc)}); err != nil {
				t.Fatal(err)
			}
			return []string{"configOrganization update s3/" + cfgBucket(w) + "/policy " + la + " " + cfgHome}
		}, check: func(t *testing.T, w *world, a string) {
			st := cfgStatements(cfgBucketPolicy(t, w))
			if len(st) != 4 || st["DenyInsecureTransport"] == nil {
				t.Errorf("the other statement was not kept: %v", cfgKeys(st))
			}
		}},
		{name: "the central bucket policy deleted", do: func(t *testing.T, w *world, a string) []string {
			la := w.id("Log Archive")
			if _, err := awsapi.S3(w.as(la, cfgHome)).DeleteBucketPolicy(bg, &s3.DeleteBucketPolicyInput{Bucket: aws.String(cfgBucket(w))}); err != nil {
				t.Fatal(err)
			}
			return []string{"configOrganization create s3/" + cfgBucket(w) + "/policy " + la + " " + cfgHome}
		}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			w := cfgWorld(t, 3, cfgYAML(""))
			w.converge()
			a := w.id("Audit") // any targeted account
			want := tc.do(t, w, a)
			p := w.plan()
			if errs := planErrors(p); len(errs) > 0 {
				t.Fatal(errs)
			}
			if got := changes(p); !slices.Equal(got, want) {
				t.Fatalf("plan after drift:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
			}
			if errs := w.apply(cfgRoundTrip(t, p)); len(errs) > 0 {
				t.Fatal(errs)
			}
			if again := w.plan(); again.ChangeCount() != 0 {
				t.Fatalf("not restored:\n%s", describe(again))
			}
			cfgCheckConverged(t, w)
			if tc.check != nil {
				tc.check(t, w, a)
			}
		})
	}
}

// TestConfigRuleParameterDiffShowsTheField: the update names what
// changed, with the parameters as AWS holds them.
func TestConfigRuleParameterDiffShowsTheField(t *testing.T) {
	w := cfgWorld(t, 2, cfgYAML(""))
	w.converge()
	a := w.id("Audit")
	_, err := cfgSvc(w, a, cfgHome).PutConfigRule(bg, &configservice.PutConfigRuleInput{ConfigRule: &cfgtypes.ConfigRule{
		ConfigRuleName:  aws.String("access-keys-rotated"),
		Source:          &cfgtypes.Source{Owner: cfgtypes.OwnerAws, SourceIdentifier: aws.String("ACCESS_KEYS_ROTATED")},
		InputParameters: aws.String(`{"maxAccessKeyAge":"365"}`),
	}})
	if err != nil {
		t.Fatal(err)
	}
	p := w.plan()
	var c *baseline.Change
	for _, s := range p.Sections() {
		for i := range s.Changes {
			c = &s.Changes[i]
		}
	}
	if p.ChangeCount() != 1 || c == nil {
		t.Fatalf("plan: %s", describe(p))
	}
	f := c.Fields()
	if len(f) != 1 || f[0].Name != "inputParameters" || !strings.Contains(c.Reason, "inputParameters") {
		t.Fatalf("fields %+v reason %q", f, c.Reason)
	}
	before, _ := json.Marshal(f[0].Before)
	after, _ := json.Marshal(f[0].After)
	if string(before) != `{"maxAccessKeyAge":"365"}` || string(after) != `{"maxAccessKeyAge":"90"}` {
		t.Fatalf("before %s after %s", before, after)
	}
}

// TestConfigRuleOwnership: a rule someone else created is never touched;
// a rule orgbaseline created is deleted once the baseline drops it.
func TestConfigRuleOwnership(t *testing.T) {
	w := cfgWorld(t, 3, cfgYAML(""))
	w.converge()
	a := w.id("Audit")
	cs := cfgSvc(w, a, cfgOther)
	_, err := cs.PutConfigRule(bg, &configservice.PutConfigRuleInput{ConfigRule: &cfgtypes.ConfigRule{
		ConfigRuleName: aws.String("team-s3-versioning"),
		Source:         &cfgtypes.Source{Owner: cfgtypes.OwnerAws, SourceIdentifier: aws.String("S3_BUCKET_VERSIONING_ENABLED")},
	}, Tags: []cfgtypes.Tag{{Key: aws.String("team"), Value: aws.String("storage")}}})
	if err != nil {
		t.Fatal(err)
	}
	if p := w.plan(); p.ChangeCount() != 0 || len(planErrors(p)) > 0 {
		t.Fatalf("a rule created behind the tool's back is planned: %s %v", describe(p), planErrors(p))
	}

	// root-mfa leaves the baseline: deleted everywhere orgbaseline created
	// it; the team's rule stays.
	cfgRebase(w, cfgYAML(`    iamRulesInEveryRegion: true
    rules:
      - identifier: IAM_PASSWORD_POLICY
        parameters:
          MinimumPasswordLength: 14
          PasswordReusePrevention: 24
          RequireSymbols: true
          RequireNumbers: false
          MaxPasswordAge: "90"
        maximumExecutionFrequency: TwentyFour_Hours
      - identifier: ACCESS_KEYS_ROTATED
        parameters: {maxAccessKeyAge: 90}
`))
	p := w.plan()
	var want []string
	for _, t := range w.sel.Targets {
		for _, region := range []string{cfgOther, cfgHome} {
			want = append(want, "config delete config/rule/root-mfa "+t.ID+" "+region)
		}
	}
	sort.Strings(want)
	got := changes(p)
	sort.Strings(got)
	if !slices.Equal(got, want) {
		t.Fatalf("plan:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
	if errs := w.apply(p); len(errs) > 0 {
		t.Fatal(errs)
	}
	rules := cfgRules(w, a, cfgOther)
	if _, ok := rules["root-mfa"]; ok {
		t.Error("root-mfa was not deleted")
	}
	if _, ok := rules["team-s3-versioning"]; !ok {
		t.Error("the team's rule was deleted")
	}
	if p := w.plan(); p.ChangeCount() != 0 {
		t.Fatalf("after deleting: %s", describe(p))
	}

	// A declared name that someone else's rule holds is brought to the
	// baseline (the name is declared), but not adopted for deletion.
	cfgRebase(w, cfgYAML(`    rules:
      - name: team-s3-versioning
        identifier: S3_BUCKET_VERSIONING_ENABLED
        parameters: {isMfaDeleteEnabled: false}
`))
	p = w.plan()
	if got := changes(p); !slices.Contains(got, "config update config/rule/team-s3-versioning "+a+" "+cfgOther) {
		t.Fatalf("plan: %s", describe(p))
	}
	if errs := w.apply(p); len(errs) > 0 {
		t.Fatal(errs)
	}
	cfgRebase(w, cfgYAML("    rules: []\n"))
	for _, c := range changes(w.plan()) {
		if strings.Contains(c, "team-s3-versioning "+a+" "+cfgOther) {
			t.Errorf("a rule orgbaseline did not create is deleted: %s", c)
		}
	}
}

// TestConfigAdoptsTheExistingRecorderAndChannel: an account's recorder
// and channel of other names are brought to the baseline, not duplicated
// (AWS allows one of each per region).
func TestConfigAdoptsTheExistingRecorderAndChannel(t *testing.T) {
	w := cfgWorld(t, 2, cfgYAML("    rules: []\n"))
	a := w.id("Audit")
	ic := iam.NewFromConfig(w.as(a, cfgHome))
	if _, err := ic.CreateServiceLinkedRole(bg, &iam.CreateServiceLinkedRoleInput{AWSServiceName: aws.String("config.amazonaws.com")}); err != nil {
		t.Fatal(err)
	}
	cs := cfgSvc(w, a, cfgOther)
	_, err := cs.PutConfigurationRecorder(bg, &configservice.PutConfigurationRecorderInput{ConfigurationRecorder: &cfgtypes.ConfigurationRecorder{
		Name: aws.String("legacy"), RoleARN: aws.String("arn:aws:iam::" + a + ":role/aws-service-role/config.amazonaws.com/AWSServiceRoleForConfig"),
		RecordingGroup: &cfgtypes.RecordingGroup{ResourceTypes: []cfgtypes.ResourceType{cfgtypes.ResourceTypeBucket}}}})
	if err != nil {
		t.Fatal(err)
	}
	p := w.plan()
	got := changes(p)
	for _, want := range []string{"config update config/recorder/legacy " + a + " " + cfgOther, "config update config/recorder/legacy/recording " + a + " " + cfgOther} {
		if !slices.Contains(got, want) {
			t.Errorf("plan lacks %q:\n%s", want, describe(p))
		}
	}
	w.converge()
	recs, err := cs.DescribeConfigurationRecorders(bg, &configservice.DescribeConfigurationRecordersInput{})
	if err != nil || len(recs.ConfigurationRecorders) != 1 || aws.ToString(recs.ConfigurationRecorders[0].Name) != "legacy" || !recs.ConfigurationRecorders[0].RecordingGroup.AllSupported {
		t.Fatalf("recorders %+v %v", recs, err)
	}
}

func TestConfigAggregator(t *testing.T) {
	w := cfgWorld(t, 3, cfgYAML("    rules: []\n    aggregator: {}\n"))
	p := w.converge()
	audit, mgmt := w.id("Audit"), w.sim.ManagementAccountID()
	var org []string
	for _, c := range p.OrganizationScope.Changes {
		if !strings.HasPrefix(c.Resource, "s3/") {
			org = append(org, string(c.Action)+" "+c.Resource+" "+c.Account+" "+c.Region)
		}
	}
	want := []string{
		"create organizations/trusted-access/config.amazonaws.com " + mgmt + " ",
		"create organizations/delegated-administrator/config.amazonaws.com/" + audit + " " + mgmt + " ",
		"create iam/role/orgbaseline-config-aggregator " + audit + " ",
		"create config/aggregator/orgbaseline-organization " + audit + " " + cfgHome,
	}
	if !slices.Equal(org, want) {
		t.Fatalf("aggregator plan:\n%s", strings.Join(org, "\n"))
	}
	out, err := cfgSvc(w, audit, cfgHome).DescribeConfigurationAggregators(bg, &configservice.DescribeConfigurationAggregatorsInput{})
	if err != nil || len(out.ConfigurationAggregators) != 1 {
		t.Fatalf("aggregators %+v %v", out, err)
	}
	src := out.ConfigurationAggregators[0].OrganizationAggregationSource
	if aws.ToString(out.ConfigurationAggregators[0].ConfigurationAggregatorName) != "orgbaseline-organization" || src == nil ||
		aws.ToString(src.RoleArn) != "arn:aws:iam::"+audit+":role/orgbaseline-config-aggregator" || !slices.Equal(src.AwsRegions, []string{cfgOther, cfgHome}) {
		t.Fatalf("aggregator %+v", out.ConfigurationAggregators[0])
	}
	admins, err := organizations.NewFromConfig(w.cfg).ListDelegatedAdministrators(bg, &organizations.ListDelegatedAdministratorsInput{ServicePrincipal: aws.String("config.amazonaws.com")})
	if err != nil || len(admins.DelegatedAdministrators) != 1 || aws.ToString(admins.DelegatedAdministrators[0].Id) != audit {
		t.Fatalf("delegated administrators %+v %v", admins, err)
	}
	role, err := iam.NewFromConfig(w.as(audit, cfgHome)).GetRolePolicy(bg, &iam.GetRolePolicyInput{RoleName: aws.String("orgbaseline-config-aggregator"), PolicyName: aws.String("orgbaseline-config-aggregator")})
	if err != nil || !strings.Contains(aws.ToString(role.PolicyDocument), "ListAccounts") {
		t.Fatalf("aggregator role policy %+v %v", role, err)
	}
	for _, f := range w.check() {
		if f.Check == "config.aggregator" && f.Status != baseline.StatusPass {
			t.Errorf("aggregator finding: %s", f.Message)
		}
	}

	// Drift: the role's permissions removed.
	if _, err := iam.NewFromConfig(w.as(audit, cfgHome)).DeleteRolePolicy(bg, &iam.DeleteRolePolicyInput{RoleName: aws.String("orgbaseline-config-aggregator"), PolicyName: aws.String("orgbaseline-config-aggregator")}); err != nil {
		t.Fatal(err)
	}
	p = w.plan()
	if got := changes(p); !slices.Equal(got, []string{"configOrganization update iam/role/orgbaseline-config-aggregator " + audit}) {
		t.Fatalf("plan: %s", strings.Join(got, "\n"))
	}
	w.converge()
}

// TestConfigFindings: FAIL before apply, with CIS-3.0:3.3 on the
// recorder's finding; PASS after.
func TestConfigFindings(t *testing.T) {
	w := cfgWorld(t, 3, cfgYAML(""))
	before := map[string]int{}
	for _, f := range w.check() {
		if !strings.HasPrefix(f.Source, "control:config") {
			continue
		}
		if f.Status != baseline.StatusFail || f.Remediation == "" || len(f.Compliance) == 0 {
			t.Errorf("before apply: %s in %s %s: %s %q", f.Check, f.Account, f.Region, f.Status, f.Message)
		}
		before[f.Check]++
		if f.Check == "config.enabled" && (f.Compliance[0] != "CIS-3.0:3.3" || f.Region == "") {
			t.Errorf("config.enabled: %+v", f)
		}
	}
	n := len(w.sel.Targets) * 2
	for check, want := range map[string]int{"config.enabled": n, "config.centralDelivery": n, "config.rule": 3 * n, "config.bucketPolicy": 1,
		"config.bucketPublicAccessBlocked": 1, "config.bucketVersioning": 1, "config.bucketEncryption": 1} {
		if before[check] != want {
			t.Errorf("%d %s findings before apply, want %d", before[check], check, want)
		}
	}
	w.converge()
	after := 0
	for _, f := range w.check() {
		if !strings.HasPrefix(f.Source, "control:config") {
			continue
		}
		after++
		if f.Status != baseline.StatusPass {
			t.Errorf("after apply: %s in %s %s: %s", f.Check, f.Account, f.Region, f.Message)
		}
		if refs := baseline.References(f.Check); !slices.Equal(f.Compliance, refs) || len(refs) == 0 {
			t.Errorf("%s: compliance %v", f.Check, f.Compliance)
		}
	}
	if after != 5*n+4 {
		t.Errorf("%d findings after apply", after)
	}
	// Stopping one recorder fails CIS 3.3 for that account and region only.
	a := w.id("Audit")
	if _, err := cfgSvc(w, a, cfgOther).StopConfigurationRecorder(bg, &configservice.StopConfigurationRecorderInput{ConfigurationRecorderName: aws.String("default")}); err != nil {
		t.Fatal(err)
	}
	for _, f := range w.check() {
		failing := f.Check == "config.enabled" && f.Account == a && f.Region == cfgOther
		if failing != (f.Status == baseline.StatusFail) {
			t.Errorf("%s %s %s: %s %s", f.Check, f.Account, f.Region, f.Status, f.Message)
		}
		if failing && !strings.Contains(f.Message, "not recording") {
			t.Errorf("message %q", f.Message)
		}
	}
}

// TestConfigUnavailableInOneRegion: AWS Config failing in one region is
// an error of that region in every account; the other region and the
// other controls of the same baseline converge, and the run is not clean.
func TestConfigUnavailableInOneRegion(t *testing.T) {
	yaml := cfgYAML("", "  passwordPolicy: {minimumPasswordLength: 14}\n")
	w := cfgWorld(t, 3, yaml)
	down := orgsim.Faults{Rules: []orgsim.FaultRule{{Service: "config", Region: cfgOther, ErrorRate: 1}}}
	w.sim.SetFaults(down)

	p := w.plan()
	errs := planErrors(p)
	if len(errs) != len(w.sel.Targets) {
		t.Fatalf("plan errors %v, want one per targeted account", errs)
	}
	for _, e := range errs {
		if !strings.Contains(e, "config in "+cfgOther+":") {
			t.Errorf("error does not name the control and region: %s", e)
		}
	}
	for _, c := range changes(p) {
		if strings.HasSuffix(c, " "+cfgOther) {
			t.Errorf("a change planned in the unavailable region: %s", c)
		}
	}
	if got := strings.Count(describe(p), "passwordPolicy create"); got != len(w.sel.Targets) {
		t.Errorf("%d password policy changes planned", got)
	}
	// Applying the plan converges what could be planned.
	if errs := w.apply(p); len(errs) > 0 {
		t.Fatalf("apply: %v", errs)
	}

	// A fault that starts during apply: the region's changes fail for each
	// account (recorded, not fatal), the rest is applied.
	w.sim.SetFaults(orgsim.Faults{})
	cfgRebase(w, cfgYAML("", "  passwordPolicy: {minimumPasswordLength: 16}\n"))
	p = w.plan()
	if len(planErrors(p)) > 0 {
		t.Fatal(planErrors(p))
	}
	w.sim.SetFaults(down)
	applyErrs := w.apply(p)
	for _, a := range w.sel.Targets {
		n := 0
		for _, e := range applyErrs {
			if strings.HasPrefix(e, a.ID+": config in "+cfgOther+":") {
				n++
			}
		}
		if n == 0 {
			t.Errorf("account %s: no error for %s in %v", a.ID, cfgOther, applyErrs)
		}
	}
	for _, e := range applyErrs {
		// The region's later changes are skipped after its first failure,
		// and the engine names the region for those too.
		if !strings.Contains(e, "config in "+cfgOther+":") && !strings.HasSuffix(e, "not applied because an earlier change of config in "+cfgOther+" failed") {
			t.Errorf("an error outside the unavailable region: %s", e)
		}
	}

	// Still down: nothing else to do, the region still failing.
	again := w.plan()
	if again.ChangeCount() != 0 || len(planErrors(again)) != len(w.sel.Targets) {
		t.Fatalf("plan with the region still down: %s\n%v", describe(again), planErrors(again))
	}
	// Back up: only the region's own changes remain.
	w.sim.SetFaults(orgsim.Faults{})
	again = w.plan()
	if len(planErrors(again)) > 0 {
		t.Fatal(planErrors(again))
	}
	for _, c := range changes(again) {
		if !strings.HasPrefix(c, "config ") || !strings.HasSuffix(c, " "+cfgOther) {
			t.Errorf("left to do after the region came back: %s", c)
		}
	}
	if again.ChangeCount() != len(w.sel.Targets)*6 {
		t.Errorf("%d changes left:\n%s", again.ChangeCount(), describe(again))
	}
	w.converge()
	cfgCheckConverged(t, w)
}

// TestConfigEndpointAnswersGarbage: an endpoint that does not offer AWS
// Config (an HTML 404 page, a 5xx, a 200 that is not JSON) is an error of
// the control, never a crash.
func TestConfigEndpointAnswersGarbage(t *testing.T) {
	b, err := baseline.LoadBytes("b.yaml", []byte(cfgYAML("")), "")
	if err != nil {
		t.Fatal(err)
	}
	ctrls, err := controls.FromBaseline(b)
	if err != nil {
		t.Fatal(err)
	}
	var regional controls.Control
	for _, c := range ctrls {
		if c.Name() == "config" {
			regional = c
		}
	}
	for _, tc := range garbageAnswers {
		if tc.body == "" {
			// Not one of this test's answers: AWS Config's JSON protocol
			// reads an empty 200 as an empty answer (no recorders), not
			// as an error.
			continue
		}
		t.Run(tc.name, func(t *testing.T) {
			srv := httptest.NewServer(http.HandlerFunc(func(rw http.ResponseWriter, r *http.Request) {
				rw.Header().Set("Content-Type", "text/html")
				rw.WriteHeader(tc.status)
				_, _ = rw.Write([]byte(tc.body))
			}))
			defer srv.Close()
			cfg, err := awsapi.Load(context.Background(), awsapi.Options{Region: cfgHome, Endpoint: srv.URL, NoBackoff: true, MaxAttempts: 2,
				Static: &aws.Credentials{AccessKeyID: "AKIDEXAMPLE", SecretAccessKey: "secret"}})
			if err != nil {
				t.Fatal(err)
			}
			la := &orgwalk.Account{ID: "111122223333", Name: "Log Archive"}
			tg := controls.Target{AccountID: "444455556666", Region: cfgHome, Config: cfg, Warn: func(string) {},
				Org: &controls.Org{Org: &orgwalk.Org{}, Aliases: map[string]*orgwalk.Account{"logArchive": la}, HomeRegion: cfgHome, Regions: []string{cfgHome}}}
			obs, err := regional.Observe(context.Background(), tg)
			if err == nil {
				t.Fatalf("no error; observed %+v", obs)
			}
			if !strings.Contains(err.Error(), "describe configuration recorders") {
				t.Errorf("error does not say what failed: %v", err)
			}
		})
	}
}

// TestConfigOfflineErrors: problems found before any AWS call, each
// naming the rule or key and the fix.
func TestConfigOfflineErrors(t *testing.T) {
	rule := func(lines ...string) string {
		return "    rules:\n      - " + strings.Join(lines, "\n        ") + "\n"
	}
	tests := []struct {
		name string
		yaml string
		want []string
	}{
		{"unknown identifier", cfgYAML(rule("identifier: IAM_PASSWORD_POLICE")),
			[]string{"controls.config.rules[0].identifier IAM_PASSWORD_POLICE is not an AWS managed rule orgbaseline knows; did you mean IAM_PASSWORD_POLICY?"}},
		{"missing identifier", cfgYAML(rule("name: x")), []string{"controls.config.rules[0] has no identifier"}},
		{"missing required parameter", cfgYAML(rule("identifier: ACCESS_KEYS_ROTATED")),
			[]string{"controls.config.rules[0]: ACCESS_KEYS_ROTATED requires the parameter(s) maxAccessKeyAge"}},
		{"unknown parameter", cfgYAML(rule("identifier: IAM_PASSWORD_POLICY", "parameters: {minimumPasswordLength: 14}")),
			[]string{`controls.config.rules[0].parameters.minimumPasswordLength: IAM_PASSWORD_POLICY has no parameter "minimumPasswordLength"; did you mean "MinimumPasswordLength"?`}},
		{"parameter a list", cfgYAML(rule("identifier: IAM_USER_GROUP_MEMBERSHIP_CHECK", "parameters: {groupNames: [a, b]}")),
			[]string{"controls.config.rules[0].parameters.groupNames must be a single value"}},
		{"bad rule frequency", cfgYAML(rule("identifier: ROOT_ACCOUNT_MFA_ENABLED", "maximumExecutionFrequency: Daily")),
			[]string{`controls.config.rules[0].maximumExecutionFrequency "Daily" is not valid; use one of One_Hour, Three_Hours, Six_Hours, Twelve_Hours, TwentyFour_Hours`}},
		{"frequency of a change-triggered rule", cfgYAML(rule("identifier: INCOMING_SSH_DISABLED", "maximumExecutionFrequency: One_Hour")),
			[]string{"INCOMING_SSH_DISABLED is evaluated when resources change, not periodically"}},
		{"bad delivery frequency", cfgYAML("    deliveryFrequency: Daily\n"),
			[]string{`controls.config.deliveryFrequency "Daily" is not valid; use one of One_Hour`}},
		{"bad recording frequency", cfgYAML("    recordingFrequency: HOURLY\n"),
			[]string{`controls.config.recordingFrequency "HOURLY" is not valid; use one of CONTINUOUS, DAILY`}},
		{"duplicate rule names", cfgYAML(rule("identifier: ROOT_ACCOUNT_MFA_ENABLED") + "      - identifier: ROOT_ACCOUNT_MFA_ENABLED\n"),
			[]string{`controls.config.rules[1]: rule name "root-account-mfa-enabled" is used twice (first by controls.config.rules[0])`}},
		{"bad bucket name", cfgYAML("    bucket: {name: Config_Logs}\n"), []string{`controls.config.bucket.name "Config_Logs" is not a valid S3 bucket name`}},
		{"key prefix with AWSLogs", cfgYAML("    bucket: {keyPrefix: AWSLogs/x}\n"), []string{"contains AWSLogs"}},
		{"key prefix with slashes", cfgYAML("    bucket: {keyPrefix: /config/}\n"), []string{"starts or ends with a slash"}},
		{"bad KMS key", cfgYAML("    bucket: {kmsKeyArn: alias/config}\n"), []string{`controls.config.bucket.kmsKeyArn "alias/config" is not a KMS key ARN`}},
		{"bucket account alias not declared", cfgYAML("    bucket: {account: logs}\n"),
			[]string{`controls.config.bucket.account: the bucket's account "logs" is not declared under organization.accounts`}},
		{"aggregator account alias not declared", cfgYAML("    aggregator: {account: security}\n"),
			[]string{`controls.config.aggregator.account: the aggregator's account "security" is not declared under organization.accounts`}},
		{"bad aggregator name", cfgYAML("    aggregator: {name: my aggregator}\n"), []string{`controls.config.aggregator.name "my aggregator" is not a valid aggregator name`}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			_, err := tryWorld(t, orgsim.Options{Seed: 11, Org: orgsim.OrgSpec{Members: 2, Clean: true}}, tc.yaml, nil)
			if err == nil {
				t.Fatal("no error")
			}
			for _, want := range tc.want {
				if !strings.Contains(err.Error(), want) {
					t.Errorf("error\n%v\ndoes not contain\n%s", err, want)
				}
			}
		})
	}
}

// TestConfigActions: the calls made in member accounts are declared, so
// the SCP lockout guard protects them.
func TestConfigActions(t *testing.T) {
	b, err := baseline.LoadBytes("b.yaml", []byte(cfgYAML("", "    aggregator: {}\n")), "")
	if err != nil {
		t.Fatal(err)
	}
	ctrls, err := controls.FromBaseline(b)
	if err != nil {
		t.Fatal(err)
	}
	got := controls.ActionsOf(ctrls)
	for _, a := range []string{"config:PutConfigurationRecorder", "config:PutDeliveryChannel", "config:StartConfigurationRecorder",
		"config:PutConfigRule", "config:DeleteConfigRule", "config:ListTagsForResource", "iam:CreateServiceLinkedRole",
		"s3:CreateBucket", "s3:PutBucketPolicy", "config:PutConfigurationAggregator", "iam:CreateRole", "iam:PutRolePolicy"} {
		if !slices.Contains(got, a) {
			t.Errorf("actions lack %s", a)
		}
	}
}

// TestConfigKnownRulesMatchTheEmulator: every managed rule the baseline
// accepts, with every parameter it knows, is accepted by AWS Config as
// orgsim models it; leaving out a required parameter is refused by both.
func TestConfigKnownRulesMatchTheEmulator(t *testing.T) {
	w := cfgWorld(t, 2, cfgYAML("    rules: []\n"))
	cfg := w.cfg
	slr, err := iam.NewFromConfig(cfg).CreateServiceLinkedRole(bg, &iam.CreateServiceLinkedRoleInput{AWSServiceName: aws.String("config.amazonaws.com")})
	if err != nil {
		t.Fatal(err)
	}
	cs := configservice.NewFromConfig(cfg)
	if _, err := cs.PutConfigurationRecorder(bg, &configservice.PutConfigurationRecorderInput{ConfigurationRecorder: &cfgtypes.ConfigurationRecorder{
		Name: aws.String("default"), RoleARN: slr.Role.Arn, RecordingGroup: &cfgtypes.RecordingGroup{AllSupported: true}}}); err != nil {
		t.Fatal(err)
	}
	for _, id := range baseline.ConfigManagedRuleIdentifiers() {
		known, _ := baseline.LookupConfigManagedRule(id)
		all, required := map[string]string{}, map[string]string{}
		for p, req := range known.Parameters {
			all[p] = "1"
			if req {
				required[p] = "1"
			}
		}
		put := func(params map[string]string) error {
			rule := &cfgtypes.ConfigRule{ConfigRuleName: aws.String(baseline.DefaultConfigRuleName(id)),
				Source: &cfgtypes.Source{Owner: cfgtypes.OwnerAws, SourceIdentifier: aws.String(id)}}
			if len(params) > 0 {
				b, _ := json.Marshal(params)
				rule.InputParameters = aws.String(string(b))
			}
			if known.Periodic {
				rule.MaximumExecutionFrequency = cfgtypes.MaximumExecutionFrequencyOneHour
			}
			_, err := cs.PutConfigRule(bg, &configservice.PutConfigRuleInput{ConfigRule: rule})
			return err
		}
		if err := put(all); err != nil {
			t.Errorf("%s with every parameter: %v", id, err)
		}
		if len(required) > 0 {
			if err := put(nil); err == nil || !strings.Contains(err.Error(), "required parameter") {
				t.Errorf("%s without its required parameters: %v", id, err)
			}
		}
	}
}

// The central bucket's policy must not grow with the organization: listing
// every account would pass S3's 20 KB policy limit at about 200 accounts,
// and every delivery channel would then be refused.
func TestConfigBucketPolicyScalesToManyAccounts(t *testing.T) {
	w := newWorld(t, orgsim.OrgSpec{Members: 250, Clean: true}, `version: 1
organization:
  concurrency: 32
  accounts: {logArchive: Log Archive}
controls:
  config: {}
`, nil)
	w.converge()
}

// cfgWaits records the waits for AWS the world's engine reports.
type cfgWaits struct {
	mu    sync.Mutex
	waits []awsapi.Wait
}

func cfgRecordWaits(w *world) *cfgWaits {
	r := &cfgWaits{}
	w.engine.Waiter.Notify = func(ev awsapi.Wait) {
		if ev.Done {
			r.mu.Lock()
			defer r.mu.Unlock()
			r.waits = append(r.waits, ev)
		}
	}
	return r
}

// settled lists what the run waited for and AWS settled, one line each.
func (r *cfgWaits) settled(t testing.TB) []string {
	t.Helper()
	r.mu.Lock()
	defer r.mu.Unlock()
	var out []string
	for _, ev := range r.waits {
		if ev.Err != nil {
			t.Errorf("wait for %s in %s (%s) ended without AWS settling: %v", ev.For, ev.Account, ev.Region, ev.Err)
			continue
		}
		out = append(out, ev.For)
	}
	return out
}

func cfgHasWait(waits []string, part string) bool {
	return slices.ContainsFunc(waits, func(s string) bool { return strings.Contains(s, part) })
}

// What this run made is not usable by AWS Config at once (orgsim's
// AWS-like propagation is on in every test): the first apply on a fresh
// organization waits for it and converges in one run, and says what it
// waited for. Each case makes one thing new on its own, so each wait is
// needed (taking out the handling of any one fails its case).
func TestConfigWaitsForWhatThisRunMade(t *testing.T) {
	t.Run("the central bucket's policy and every service-linked role", func(t *testing.T) {
		w := cfgWorld(t, 2, cfgYAML("    rules: []\n"))
		rec := cfgRecordWaits(w)
		w.converge()
		// Waits advance the sim clock: the first to wait lets everything
		// else settle, so the other accounts need not wait any more.
		waits := rec.settled(t)
		if !cfgHasWait(waits, "the policy of bucket "+cfgBucket(w)+" to reach AWS Config") ||
			!cfgHasWait(waits, "AWS Config's service-linked role in ") {
			t.Errorf("waits:\n%s", strings.Join(waits, "\n"))
		}
	})
	t.Run("the service-linked role of an account new to the baseline", func(t *testing.T) {
		// The first run governs every account but the audit account; the
		// next takes it in. The bucket policy admits the organization, so it
		// does not change: only the audit account's new role is waited for.
		first := cfgYAML("    rules: []\n", "targets:\n  include: [root]\n  exclude: [account:Audit]\n")
		w := cfgWorld(t, 2, first)
		w.converge()
		audit := w.id("Audit")
		cfgRebase(w, cfgYAML("    rules: []\n"))
		sel, err := w.org.Select(w.baseline.Targets)
		if err != nil {
			t.Fatal(err)
		}
		w.sel, w.engine.Org.Targets = sel, sel.Targets
		rec := cfgRecordWaits(w)
		w.converge()
		waits := rec.settled(t)
		if !cfgHasWait(waits, "AWS Config's service-linked role in "+audit) || cfgHasWait(waits, "policy of bucket") {
			t.Errorf("waits:\n%s", strings.Join(waits, "\n"))
		}
	})
	t.Run("the aggregator's role in the management account", func(t *testing.T) {
		// In the management account no delegated administrator is
		// registered: only the new role is waited for.
		yaml := strings.Replace(cfgYAML("    rules: []\n    aggregator: {account: management}\n"), "audit: Audit", "management: Management", 1)
		w := cfgWorld(t, 2, yaml)
		rec := cfgRecordWaits(w)
		w.converge()
		waits := rec.settled(t)
		if !cfgHasWait(waits, "role orgbaseline-config-aggregator in "+w.sim.ManagementAccountID()+" to be usable by AWS Config") {
			t.Errorf("waits:\n%s", strings.Join(waits, "\n"))
		}
	})
	t.Run("the aggregator account's registration as delegated administrator", func(t *testing.T) {
		w := cfgWorld(t, 2, cfgYAML("    rules: []\n    aggregator: {}\n"))
		rec := cfgRecordWaits(w)
		w.converge()
		if waits := rec.settled(t); !cfgHasWait(waits, "AWS Config to see "+w.id("Audit")+" as its delegated administrator") {
			t.Errorf("waits:\n%s", strings.Join(waits, "\n"))
		}
	})
}

// The same "not usable yet" error for something this run did not make is
// not waited out: a Deny in the bucket policy (someone else's statement,
// kept by the merge) refuses the delivery and the apply fails at once.
func TestConfigDoesNotWaitForWhatItDidNotMake(t *testing.T) {
	w := cfgWorld(t, 2, cfgYAML("    rules: []\n"))
	w.converge()
	audit := w.id("Audit")
	archive := awsapi.S3(w.as(w.id("Log Archive"), cfgHome))
	out, err := archive.GetBucketPolicy(bg, &s3.GetBucketPolicyInput{Bucket: aws.String(cfgBucket(w))})
	if err != nil {
		t.Fatal(err)
	}
	var doc map[string]any
	if err := json.Unmarshal([]byte(aws.ToString(out.Policy)), &doc); err != nil {
		t.Fatal(err)
	}
	doc["Statement"] = append(doc["Statement"].([]any), map[string]any{"Sid": "NoConfigFromAudit", "Effect": "Deny", "Principal": map[string]any{"Service": "config.amazonaws.com"},
		"Action": "s3:PutObject", "Resource": "arn:aws:s3:::" + cfgBucket(w) + "/*", "Condition": map[string]any{"StringEquals": map[string]any{"aws:SourceAccount": audit}}})
	b, _ := json.Marshal(doc)
	if _, err := archive.PutBucketPolicy(bg, &s3.PutBucketPolicyInput{Bucket: aws.String(cfgBucket(w)), Policy: aws.String(string(b))}); err != nil {
		t.Fatal(err)
	}
	cs := cfgSvc(w, audit, cfgOther)
	if _, err := cs.StopConfigurationRecorder(bg, &configservice.StopConfigurationRecorderInput{ConfigurationRecorderName: aws.String("default")}); err != nil {
		t.Fatal(err)
	}
	if _, err := cs.DeleteDeliveryChannel(bg, &configservice.DeleteDeliveryChannelInput{DeliveryChannelName: aws.String("default")}); err != nil {
		t.Fatal(err)
	}
	w.sim.Advance(time.Minute)               // the Deny has reached Config
	cfgRebase(w, cfgYAML("    rules: []\n")) // the next run, with nothing made yet
	rec := cfgRecordWaits(w)
	errs := w.apply(w.plan())
	if len(errs) == 0 || !strings.Contains(errs[0], "InsufficientDeliveryPolicyException") || strings.Contains(strings.Join(errs, "\n"), "did not settle") {
		t.Fatalf("apply errors:\n%s", strings.Join(errs, "\n"))
	}
	if waits := rec.settled(t); len(waits) != 0 || len(rec.waits) != 0 {
		t.Errorf("waited for %v", rec.waits)
	}
}

// Rules that evaluate IAM, a global service, go to the home region only
// by default, other rules to every governed region; findings follow (no
// rule finding where the rule is deliberately absent).
// iamRulesInEveryRegion: true deploys them everywhere, as before; turning
// it off again deletes the copies orgbaseline made outside the home region.
func TestConfigIAMRulesInTheHomeRegion(t *testing.T) {
	rules := func(setting string) string {
		return cfgYAML(setting + `    rules:
      - identifier: ROOT_ACCOUNT_MFA_ENABLED
      - identifier: S3_BUCKET_PUBLIC_READ_PROHIBITED
`)
	}
	const iam, s3rule = "root-account-mfa-enabled", "s3-bucket-public-read-prohibited"
	w := cfgWorld(t, 2, rules(""))
	a := w.id("Audit")
	var planned []string
	for _, c := range changes(w.plan()) {
		if strings.HasPrefix(c, "config create config/rule/") && strings.Contains(c, " "+a+" ") {
			planned = append(planned, c)
		}
	}
	want := []string{
		"config create config/rule/" + s3rule + " " + a + " " + cfgOther,
		"config create config/rule/" + iam + " " + a + " " + cfgHome,
		"config create config/rule/" + s3rule + " " + a + " " + cfgHome,
	}
	if !slices.Equal(planned, want) {
		t.Fatalf("rules planned:\n%s\nwant:\n%s", strings.Join(planned, "\n"), strings.Join(want, "\n"))
	}
	w.converge()
	deployed := func() map[string][]string {
		out := map[string][]string{}
		for _, region := range []string{cfgHome, cfgOther} {
			out[region] = cfgKeys(cfgRules(w, a, region))
		}
		return out
	}
	if got := deployed(); !slices.Equal(got[cfgHome], []string{iam, s3rule}) || !slices.Equal(got[cfgOther], []string{s3rule}) {
		t.Fatalf("rules deployed: %v", got)
	}
	findings := map[string]baseline.Status{}
	for _, f := range w.check() {
		if f.Check == "config.rule" && f.Account == a {
			findings[f.Region+" "+strings.TrimPrefix(f.Title, "AWS Config rule ")] = f.Status
		}
	}
	wantFindings := map[string]baseline.Status{
		cfgHome + " " + iam + " is deployed as declared":     baseline.StatusPass,
		cfgHome + " " + s3rule + " is deployed as declared":  baseline.StatusPass,
		cfgOther + " " + s3rule + " is deployed as declared": baseline.StatusPass,
	}
	if !reflect.DeepEqual(findings, wantFindings) {
		t.Fatalf("rule findings: %v", findings)
	}

	// The old behaviour, by the setting: the IAM rule in every region.
	cfgRebase(w, rules("    iamRulesInEveryRegion: true\n"))
	if got := changes(w.plan()); !slices.Contains(got, "config create config/rule/"+iam+" "+a+" "+cfgOther) {
		t.Fatalf("plan with iamRulesInEveryRegion: %s", strings.Join(got, "\n"))
	}
	w.converge()
	if got := deployed(); !slices.Equal(got[cfgOther], []string{iam, s3rule}) {
		t.Fatalf("rules deployed with iamRulesInEveryRegion: %v", got)
	}
	// And back: the copy orgbaseline made outside the home region goes.
	cfgRebase(w, rules(""))
	if got := changes(w.plan()); !slices.Contains(got, "config delete config/rule/"+iam+" "+a+" "+cfgOther) {
		t.Fatalf("plan back to the default: %s", strings.Join(got, "\n"))
	}
	w.converge()
	if got := deployed(); !slices.Equal(got[cfgOther], []string{s3rule}) || !slices.Equal(got[cfgHome], []string{iam, s3rule}) {
		t.Fatalf("rules deployed back to the default: %v", got)
	}
}

// In another partition every ARN the Config controls write or report is
// in it: the bucket policy's resources, the recorder's role, the
// aggregator's role, the findings' resources.
func TestConfigPartition(t *testing.T) {
	yaml := `version: 1
organization:
  homeRegion: us-gov-west-1
  regions: [us-gov-east-1, us-gov-west-1]
  accounts:
    logArchive: Log Archive
    audit: Audit
controls:
  config:
    aggregator: {}
    rules:
      - identifier: S3_BUCKET_PUBLIC_READ_PROHIBITED
`
	w, err := tryWorld(t, orgsim.Options{Seed: 11, Org: orgsim.OrgSpec{Members: 2, Clean: true}, Partition: "aws-us-gov"}, yaml, nil)
	if err != nil {
		t.Fatal(err)
	}
	w.engine.Org.Partition = "aws-us-gov" // what the run reads from the caller's ARN
	arns := regexp.MustCompile(`arn:[a-z-]+:[a-z0-9-]*:`)
	p := w.plan()
	if errs := planErrors(p); len(errs) > 0 {
		t.Fatal(errs)
	}
	seen := 0
	for _, s := range p.Sections() {
		for _, c := range s.Changes {
			b, err := json.Marshal(c.After)
			if err != nil {
				t.Fatal(err)
			}
			for _, a := range arns.FindAllString(string(b), -1) {
				seen++
				if !strings.HasPrefix(a, "arn:aws-us-gov:") {
					t.Errorf("%s %s writes %s...", c.Control, c.Resource, a)
				}
			}
		}
	}
	for _, f := range w.check() {
		if strings.HasPrefix(f.Resource, "arn:") {
			seen++
			if !strings.HasPrefix(f.Resource, "arn:aws-us-gov:") {
				t.Errorf("finding %s reports %s", f.Check, f.Resource)
			}
		}
	}
	if seen < 5 {
		t.Fatalf("only %d ARNs seen", seen)
	}
}
