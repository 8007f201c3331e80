package controls_test

import (
	"fmt"
	"maps"
	"slices"
	"sort"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/accessanalyzer"
	aatypes "github.com/aws/aws-sdk-go-v2/service/accessanalyzer/types"
	"github.com/aws/aws-sdk-go-v2/service/cloudtrail"
	cttypes "github.com/aws/aws-sdk-go-v2/service/cloudtrail/types"
	"github.com/aws/aws-sdk-go-v2/service/configservice"
	cfgtypes "github.com/aws/aws-sdk-go-v2/service/configservice/types"
	"github.com/aws/aws-sdk-go-v2/service/iam"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	s3types "github.com/aws/aws-sdk-go-v2/service/s3/types"
	"github.com/google/go-cmp/cmp"

	"github.com/orgbaseline/orgbaseline/baseline"
	"github.com/orgbaseline/orgbaseline/baseline/controls"
	"github.com/orgbaseline/orgbaseline/internal/orgsim"
)

// The completeness test of the call model: apply baselines that enable
// every control on orgsim, record every authorization orgsim makes, and
// require, for each one made by the execution role in a member account, a
// Call of the model (controls.CallsOf with the run's organization) with
// the same action, made in that account and region, on a resource that
// covers the one authorized, with the same service-specific request keys.
// A first run creates everything; a drift then makes the update calls;
// a rule leaving the baseline makes the delete.
//
// Regions: a Call's region is the one the request names in
// aws:RequestedRegion, as orgsim set it: the region of the endpoint
// called, which for a direct call to IAM or Organizations is the
// partition's global-service region whatever region the client was given
// (InGlobalRegion), and for an IAM action authorized inside a regional
// call (iam:PassRole for Config) that call's region. The region a request
// was signed for is not used: behind a custom endpoint, as here, the SDK
// signs IAM calls for the client's region (the home region of these
// baselines is eu-west-1, so the two differ).

const (
	callsHome  = "eu-west-1"
	callsOther = "us-east-1"
)

// callsYAML enables every control: the trail (managed by the audit account
// when delegated), Access Analyzer (organization or account type, with an
// unused-access analyzer), Config with an IAM rule (home region only), a
// rule of every region and, with aggregator, the organization aggregator,
// and the password policy.
func callsYAML(delegated bool, analyzerType string, aggregator bool, rules ...string) string {
	trail := "{}"
	if delegated {
		trail = "{delegatedAdministrator: audit}"
	}
	agg := ""
	if aggregator {
		agg = "\n    aggregator: {}"
	}
	return `version: 1
organization:
  homeRegion: ` + callsHome + `
  regions: [` + callsHome + `, ` + callsOther + `]
  accounts:
    logArchive: Log Archive
    audit: Audit
controls:
  passwordPolicy: {minimumPasswordLength: 14}
  organizationTrail: ` + trail + `
  accessAnalyzer:
    type: ` + analyzerType + `
    name: analyzer
    unusedAccess: {name: unused, unusedAccessAge: 90}
  config:` + agg + `
    rules:
` + strings.Join(rules, "") + "\n"
}

const (
	callsRuleIAM = "      - {name: keys-rotated, identifier: ACCESS_KEYS_ROTATED, parameters: {maxAccessKeyAge: 90}}\n"
	callsRuleAll = "      - {name: s3-versioning, identifier: S3_BUCKET_VERSIONING_ENABLED}\n"
)

func TestCallModelCoversEveryCall(t *testing.T) {
	t.Run("organization analyzer, delegated trail, aggregator", func(t *testing.T) {
		w := newWorld(t, orgsim.OrgSpec{Members: 4, Clean: true}, callsYAML(true, "ORGANIZATION", true, callsRuleIAM, callsRuleAll), nil)
		callsApply(t, w, "first run", "CreateBucket/s3:CreateBucket", "PutBucketEncryption/s3:PutEncryptionConfiguration",
			"CreateTrail/cloudtrail:CreateTrail", "StartLogging/cloudtrail:StartLogging",
			"CreateAnalyzer/access-analyzer:CreateAnalyzer", "CreateAnalyzer/iam:CreateServiceLinkedRole",
			"CreateServiceLinkedRole/iam:CreateServiceLinkedRole", "PutConfigurationRecorder/config:PutConfigurationRecorder",
			"PutConfigRule/config:PutConfigRule", "CreateRole/iam:CreateRole", "PutConfigurationAggregator/iam:PassRole",
			"UpdateAccountPasswordPolicy/iam:UpdateAccountPasswordPolicy")
		callsDrift(t, w)
		callsApply(t, w, "after drift", "UpdateTrail/cloudtrail:UpdateTrail", "PutEventSelectors/cloudtrail:PutEventSelectors",
			"GetTrailStatus/cloudtrail:GetTrailStatus", "UpdateAnalyzer/access-analyzer:UpdateAnalyzer", "GetAnalyzer/access-analyzer:GetAnalyzer",
			"UpdateAssumeRolePolicy/iam:UpdateAssumeRolePolicy", "GetRolePolicy/iam:GetRolePolicy", "ListTagsForResource/config:ListTagsForResource",
			"PutConfigRule/config:PutConfigRule", "PutBucketVersioning/s3:PutBucketVersioning", "UpdateAccountPasswordPolicy/iam:UpdateAccountPasswordPolicy")
		// A rule orgbaseline created leaves the baseline: it is deleted.
		w2 := otWorldOn(t, w, callsYAML(true, "ORGANIZATION", true, callsRuleIAM))
		callsApply(t, w2, "a rule left the baseline", "DeleteConfigRule/config:DeleteConfigRule")
	})
	t.Run("account analyzer, trail from the management account", func(t *testing.T) {
		w := newWorld(t, orgsim.OrgSpec{Members: 3, Clean: true}, callsYAML(false, "ACCOUNT", false, callsRuleAll), nil)
		callsApply(t, w, "first run", "CreateAnalyzer/access-analyzer:CreateAnalyzer", "CreateServiceLinkedRole/iam:CreateServiceLinkedRole")
		member := w.id("Audit")
		w.sim.Record(false)
		if _, err := accessanalyzer.NewFromConfig(w.as(member, callsHome)).UpdateAnalyzer(bg, &accessanalyzer.UpdateAnalyzerInput{
			AnalyzerName: aws.String("unused"), Configuration: &aatypes.AnalyzerConfigurationMemberUnusedAccess{
				Value: aatypes.UnusedAccessConfiguration{UnusedAccessAge: aws.Int32(30)}}}); err != nil {
			t.Fatal(err)
		}
		callsApply(t, w, "after drift", "UpdateAnalyzer/access-analyzer:UpdateAnalyzer")
	})
}

// callsApply plans and applies with orgsim recording, fails on any error,
// then checks every recorded call of the execution role against the
// model, and that the calls of want were made.
func callsApply(t *testing.T, w *world, phase string, want ...string) {
	t.Helper()
	w.sim.Record(true)
	p := w.plan()
	if errs := planErrors(p); len(errs) > 0 {
		t.Fatalf("%s: plan errors:\n%s", phase, strings.Join(errs, "\n"))
	}
	if errs := w.apply(p); len(errs) > 0 {
		t.Fatalf("%s: apply errors:\n%s", phase, strings.Join(errs, "\n"))
	}
	recorded := w.sim.Authorizations()
	w.sim.Record(false)
	calls := controls.CallsOf(w.engine.Controls, w.engine.Org)
	checkCallsCover(t, w, phase, calls, recorded, want)
}

// callsDrift changes, behind the tool's back (nothing recorded), what
// makes it update rather than create: the password policy, a rule deleted
// in the other region and one changed in the home region, a rule nobody
// declared, the trail's settings, selectors and logging, the unused-access
// analyzer's age, the aggregator role's trust policy, the bucket's
// versioning.
func callsDrift(t *testing.T, w *world) {
	t.Helper()
	w.sim.Record(false)
	mgmt, member, audit, la := w.sim.ManagementAccountID(), w.id("Audit"), w.id("Audit"), w.id("Log Archive")
	for _, a := range w.sel.Targets {
		if a.ID != audit && a.ID != la && !a.Management {
			member = a.ID
			break
		}
	}
	must := func(what string, err error) {
		t.Helper()
		if err != nil {
			t.Fatalf("drift: %s: %v", what, err)
		}
	}
	_, err := iam.NewFromConfig(w.as(member, callsHome)).UpdateAccountPasswordPolicy(bg, &iam.UpdateAccountPasswordPolicyInput{MinimumPasswordLength: aws.Int32(8)})
	must("password policy", err)
	_, err = configservice.NewFromConfig(w.as(member, callsOther)).DeleteConfigRule(bg, &configservice.DeleteConfigRuleInput{ConfigRuleName: aws.String("s3-versioning")})
	must("delete a rule", err)
	home := configservice.NewFromConfig(w.as(member, callsHome))
	_, err = home.PutConfigRule(bg, &configservice.PutConfigRuleInput{ConfigRule: &cfgtypes.ConfigRule{ConfigRuleName: aws.String("keys-rotated"),
		Source:          &cfgtypes.Source{Owner: cfgtypes.OwnerAws, SourceIdentifier: aws.String("ACCESS_KEYS_ROTATED")},
		InputParameters: aws.String(`{"maxAccessKeyAge":"30"}`)}})
	must("change a rule", err)
	_, err = home.PutConfigRule(bg, &configservice.PutConfigRuleInput{ConfigRule: &cfgtypes.ConfigRule{ConfigRuleName: aws.String("hand-made"),
		Source: &cfgtypes.Source{Owner: cfgtypes.OwnerAws, SourceIdentifier: aws.String("S3_BUCKET_VERSIONING_ENABLED")}}})
	must("a rule nobody declared", err)

	trail := "arn:aws:cloudtrail:" + callsHome + ":" + mgmt + ":trail/" + w.baseline.Controls.OrganizationTrail.Resolved().Name
	ct := cloudtrail.NewFromConfig(w.as(mgmt, callsHome))
	_, err = ct.StopLogging(bg, &cloudtrail.StopLoggingInput{Name: aws.String(trail)})
	must("stop logging", err)
	_, err = ct.UpdateTrail(bg, &cloudtrail.UpdateTrailInput{Name: aws.String(trail), EnableLogFileValidation: aws.Bool(false)})
	must("trail validation", err)
	_, err = ct.PutEventSelectors(bg, &cloudtrail.PutEventSelectorsInput{TrailName: aws.String(trail), EventSelectors: []cttypes.EventSelector{
		{ReadWriteType: cttypes.ReadWriteTypeReadOnly, IncludeManagementEvents: aws.Bool(true)}}})
	must("event selectors", err)

	_, err = accessanalyzer.NewFromConfig(w.as(audit, callsHome)).UpdateAnalyzer(bg, &accessanalyzer.UpdateAnalyzerInput{
		AnalyzerName: aws.String("unused"), Configuration: &aatypes.AnalyzerConfigurationMemberUnusedAccess{
			Value: aatypes.UnusedAccessConfiguration{UnusedAccessAge: aws.Int32(30)}}})
	must("unused-access age", err)
	_, err = iam.NewFromConfig(w.as(audit, callsHome)).UpdateAssumeRolePolicy(bg, &iam.UpdateAssumeRolePolicyInput{RoleName: aws.String("orgbaseline-config-aggregator"),
		PolicyDocument: aws.String(`{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"Service":"config.amazonaws.com"},"Action":"sts:AssumeRole","Condition":{"StringEquals":{"aws:SourceAccount":"` + audit + `"}}}]}`)})
	must("aggregator role trust", err)
	_, err = s3.NewFromConfig(w.as(la, callsHome)).PutBucketVersioning(bg, &s3.PutBucketVersioningInput{Bucket: aws.String("orgbaseline-cloudtrail-" + la + "-" + callsHome),
		VersioningConfiguration: &s3types.VersioningConfiguration{Status: s3types.BucketVersioningStatusSuspended}})
	must("bucket versioning", err)
}

// checkCallsCover fails the test for every authorization of the execution
// role in a member account that no call of the model covers, naming it
// and the model's calls of the same action.
// want lists "Operation/action" pairs the phase must have made, so that
// the test cannot pass by covering less than it says.
func checkCallsCover(t *testing.T, w *world, phase string, calls []controls.Call, recorded []orgsim.Authorization, want []string) {
	t.Helper()
	o := w.engine.Org
	role := ":assumed-role/" + o.ExecutionRole + "/orgbaseline-"
	targeted := map[string]bool{}
	for _, a := range o.Targets {
		targeted[a.ID] = true
	}
	seen, checked := map[string]bool{}, 0
	for _, a := range recorded {
		if !strings.Contains(a.PrincipalARN, role) || a.Account == o.ManagementAccountID {
			continue
		}
		checked++
		keys := serviceKeys(a.Request.Context)
		var sameAction []string
		found := false
		for _, c := range calls {
			if !strings.EqualFold(c.Action, a.Request.Action) {
				continue
			}
			sameAction = append(sameAction, describeCall(c))
			if callMade(c, o, targeted, a) && resourceCovers(c.ResourceIn(a.Account, a.Region), a.Request.Resource) && sameKeys(c, keys) {
				found = true
				if a.Request.Resource == "*" && c.Resource != "*" {
					// The model follows the Service Authorization
					// Reference; orgsim authorizes on "*" here.
					seen["orgsim authorizes "+c.Action+" on *; the model on "+c.Resource] = true
				}
				break
			}
		}
		if !found {
			t.Errorf("%s: the call model has no call for %s on %s in account %s (%s), requested region %s, with request keys %v (operation %s)\n  the model's %s calls: %s",
				phase, a.Request.Action, a.Request.Resource, a.Account, aliasOf(o, a.Account), requestedRegion(a), keys, a.Operation,
				a.Request.Action, orNone(sameAction))
		}
	}
	if checked == 0 {
		t.Fatalf("%s: orgsim recorded no call of the execution role", phase)
	}
	ops := map[string]bool{}
	for _, a := range recorded {
		if strings.Contains(a.PrincipalARN, role) && a.Account != o.ManagementAccountID {
			ops[a.Operation+"/"+a.Request.Action] = true
		}
	}
	for _, op := range want {
		if !ops[op] {
			t.Errorf("%s: the run made no %s as the execution role in a member account, so the test does not cover it; it made %v", phase, op, slices.Sorted(maps.Keys(ops)))
		}
	}
	for _, s := range slices.Sorted(maps.Keys(seen)) {
		t.Log(s)
	}
}

// callMade reports whether c is made in a's account and in the region its
// request names.
func callMade(c controls.Call, o *controls.Org, targeted map[string]bool, a orgsim.Authorization) bool {
	region := requestedRegion(a)
	switch c.Where {
	case controls.InAccount:
		if c.Account != a.Account {
			return false
		}
	default:
		if !targeted[a.Account] || slices.Contains(c.Except, a.Account) {
			return false
		}
	}
	switch c.Regions {
	case controls.InHomeRegion:
		return region == o.HomeRegion
	case controls.InGlobalRegion:
		return region == o.GlobalRegion()
	}
	return slices.Contains(o.Regions, region)
}

// requestedRegion is the region a recorded request names
// (aws:RequestedRegion, which orgsim always sets).
func requestedRegion(a orgsim.Authorization) string {
	if v := a.Request.Context["aws:requestedregion"]; len(v) == 1 {
		return v[0]
	}
	return "(none)"
}

// resourceCovers reports whether the model's resource (placeholders
// replaced) covers the one orgsim authorized: the same ARN; an ARN whose
// * stands for an id AWS generates (a Config rule's) matching it; or any
// resource when orgsim authorized "*" (a Deny that applies to "*" applies
// to every resource).
func resourceCovers(model, recorded string) bool {
	switch {
	case model == recorded, recorded == "*":
		return true
	case model == "*" || !strings.Contains(model, "*"):
		return false
	}
	return globMatch(model, recorded)
}

// globMatch matches s against p, where * matches any run of characters.
func globMatch(p, s string) bool {
	parts := strings.Split(p, "*")
	if !strings.HasPrefix(s, parts[0]) {
		return false
	}
	s = s[len(parts[0]):]
	for i, part := range parts[1:] {
		if i == len(parts)-2 {
			return strings.HasSuffix(s, part)
		}
		j := strings.Index(s, part)
		if j < 0 {
			return false
		}
		s = s[j+len(part):]
	}
	return true
}

// serviceKeys are the keys of a request's context that are the request's
// own: every key that is not a global aws: key, and aws:RequestTag/* and
// aws:TagKeys.
func serviceKeys(ctx map[string][]string) map[string][]string {
	out := map[string][]string{}
	for k, v := range ctx {
		if !strings.HasPrefix(k, "aws:") || strings.HasPrefix(k, "aws:requesttag/") || k == "aws:tagkeys" {
			out[k] = v
		}
	}
	return out
}

// sameKeys reports whether the call carries exactly the recorded request
// keys (values in any order).
func sameKeys(c controls.Call, recorded map[string][]string) bool {
	if len(c.Context) != len(recorded) {
		return false
	}
	for k, v := range recorded {
		if !sameValues(c.Context[k], v) {
			return false
		}
	}
	return true
}

func sameValues(a, b []string) bool {
	a, b = slices.Clone(a), slices.Clone(b)
	sort.Strings(a)
	sort.Strings(b)
	return slices.Equal(a, b)
}

func describeCall(c controls.Call) string {
	where := "each account"
	if c.Where == controls.InAccount {
		where = c.Alias + " " + c.Account
	}
	regions := map[controls.CallRegion]string{controls.InEachRegion: "each region", controls.InHomeRegion: "home region", controls.InGlobalRegion: "global region"}[c.Regions]
	return fmt.Sprintf("[%s: %s, %s, %s, %v]", c.Control, c.Resource, where, regions, c.Context)
}

func aliasOf(o *controls.Org, account string) string {
	for alias, a := range o.Aliases {
		if a.ID == account {
			return alias
		}
	}
	return "targeted"
}

func orNone(s []string) string {
	if len(s) == 0 {
		return "none"
	}
	return strings.Join(s, " ")
}

// Plugins' declared actions are calls on "*" in every targeted account,
// global services at their endpoint; a disabled plugin makes none.
func TestPluginCalls(t *testing.T) {
	off := false
	calls := controls.PluginCalls([]baseline.Plugin{
		{Name: "reader", Actions: []string{"iam:ListUsers", "ec2:DescribeInstances"}},
		{Name: "off", Enabled: &off, Actions: []string{"s3:ListAllMyBuckets"}},
	})
	want := []controls.Call{
		{Control: "plugin:reader", Action: "iam:ListUsers", Resource: "*", Where: controls.InEachAccount, Regions: controls.InGlobalRegion, Plugin: "reader"},
		{Control: "plugin:reader", Action: "ec2:DescribeInstances", Resource: "*", Where: controls.InEachAccount, Regions: controls.InEachRegion, Plugin: "reader"},
	}
	if diff := cmp.Diff(want, calls); diff != "" {
		t.Errorf("plugin calls (-want +got):\n%s", diff)
	}
}

// The policy groups actions by service, resources and conditions, names
// its statements, and conditions iam:PassRole and
// iam:CreateServiceLinkedRole on the services of the calls.
func TestExecutionRolePolicy(t *testing.T) {
	calls := []controls.Call{
		{Control: "a", Action: "s3:GetBucketPolicy", Resource: "arn:aws:s3:::b"},
		{Control: "a", Action: "s3:PutBucketPolicy", Resource: "arn:aws:s3:::b"},
		{Control: "a", Action: "iam:PassRole", Resource: "arn:aws:iam::{account}:role/r", Context: map[string][]string{"iam:passedtoservice": {"config.amazonaws.com"}}},
		{Control: "b", Action: "iam:PassRole", Resource: "arn:aws:iam::111122223333:role/t", Context: map[string][]string{"iam:passedtoservice": {"cloudtrail.amazonaws.com"}}},
		{Control: "b", Action: "config:PutConfigRule", Resource: "arn:aws:config:{region}:{account}:config-rule/*", Context: map[string][]string{"aws:tagkeys": {"k"}}},
		{Control: "plugin:p-1", Action: "iam:ListUsers", Resource: "*", Plugin: "p-1"},
	}
	got := controls.ExecutionRolePolicy(calls)
	want := controls.RolePolicy{Version: "2012-10-17", Statement: []controls.RoleStatement{
		{Sid: "ConfigPutConfigRule", Effect: "Allow", Action: []string{"config:PutConfigRule"}, Resource: []string{"arn:aws:config:*:*:config-rule/*"}},
		{Sid: "IAMPassRole", Effect: "Allow", Action: []string{"iam:PassRole"}, Resource: []string{"arn:aws:iam::*:role/r", "arn:aws:iam::111122223333:role/t"},
			Condition: map[string]map[string][]string{"StringEquals": {"iam:PassedToService": {"cloudtrail.amazonaws.com", "config.amazonaws.com"}}}},
		{Sid: "S3Bucket", Effect: "Allow", Action: []string{"s3:GetBucketPolicy", "s3:PutBucketPolicy"}, Resource: []string{"arn:aws:s3:::b"}},
		{Sid: "PluginP1", Effect: "Allow", Action: []string{"iam:ListUsers"}, Resource: []string{"*"}},
	}}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("policy (-want +got):\n%s", diff)
	}
}
