package orgsim_test

import (
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	awshttp "github.com/aws/aws-sdk-go-v2/aws/transport/http"
	"github.com/aws/aws-sdk-go-v2/service/accessanalyzer"
	aatypes "github.com/aws/aws-sdk-go-v2/service/accessanalyzer/types"
	"github.com/aws/aws-sdk-go-v2/service/iam"
	"github.com/aws/aws-sdk-go-v2/service/organizations"
	orgtypes "github.com/aws/aws-sdk-go-v2/service/organizations/types"
	"github.com/aws/aws-sdk-go-v2/service/sts"

	"github.com/orgbaseline/orgbaseline/internal/orgsim"
)

// aaS3Status returns the HTTP status of an SDK error, or 0.
func aaS3Status(err error) int {
	var re *awshttp.ResponseError
	if errors.As(err, &re) {
		return re.HTTPStatusCode()
	}
	return 0
}

// aaS3WantStatus fails unless err carries code and HTTP status.
func aaS3WantStatus(t testing.TB, err error, code string, status int) {
	t.Helper()
	wantCode(t, err, code)
	if got := aaS3Status(err); got != status {
		t.Fatalf("%s: HTTP status = %d, want %d (err: %v)", code, got, status, err)
	}
}

// aaMemberAccounts lists the organization's member accounts (management
// excluded) through the Organizations API, in listing order.
func aaMemberAccounts(t testing.TB, e *env) []string {
	t.Helper()
	mgmt := e.sim.ManagementAccountID()
	var ids []string
	p := organizations.NewListAccountsPaginator(e.orgs(e.cfg), &organizations.ListAccountsInput{})
	for p.HasMorePages() {
		out, err := p.NextPage(bg)
		if err != nil {
			t.Fatalf("ListAccounts: %v", err)
		}
		for _, a := range out.Accounts {
			if id := aws.ToString(a.Id); id != mgmt && a.State == orgtypes.AccountStateActive {
				ids = append(ids, id)
			}
		}
	}
	return ids
}

func aaCreate(t testing.TB, c *accessanalyzer.Client, name string, typ aatypes.Type) string {
	t.Helper()
	out, err := c.CreateAnalyzer(bg, &accessanalyzer.CreateAnalyzerInput{AnalyzerName: aws.String(name), Type: typ})
	if err != nil {
		t.Fatalf("CreateAnalyzer %s (%s): %v", name, typ, err)
	}
	return aws.ToString(out.Arn)
}

func aaValidation(t testing.TB, err error, field string) {
	t.Helper()
	aaS3WantStatus(t, err, "ValidationException", 400)
	var ve *aatypes.ValidationException
	if !errors.As(err, &ve) {
		t.Fatalf("not a *types.ValidationException: %v", err)
	}
	if ve.Reason != aatypes.ValidationExceptionReasonFieldValidationFailed {
		t.Fatalf("reason = %q, want fieldValidationFailed", ve.Reason)
	}
	if field != "" && (len(ve.FieldList) == 0 || aws.ToString(ve.FieldList[0].Name) != field) {
		t.Fatalf("fieldList = %+v, want first field %q", ve.FieldList, field)
	}
}

// aaNoCreateDelay is AWS-like behaviour with analyzers ACTIVE at once, for
// the tests about something else than CREATING (TestAnalyzerCreating is
// about that).
func aaNoCreateDelay() *orgsim.AWSLike {
	like := orgsim.DefaultAWSLike()
	like.AnalyzerCreateDelay = 0
	return &like
}

func TestAnalyzerAccountLifecycle(t *testing.T) {
	e := newEnv(t, orgsim.Options{Seed: 1, AWSLike: aaNoCreateDelay()})
	c := e.analyzer(e.cfg)
	acct := e.sim.ManagementAccountID()

	arn := aaCreate(t, c, "account-analyzer", aatypes.TypeAccount)
	if want := "arn:aws:access-analyzer:us-east-1:" + acct + ":analyzer/account-analyzer"; arn != want {
		t.Fatalf("arn = %q, want %q", arn, want)
	}

	got, err := c.GetAnalyzer(bg, &accessanalyzer.GetAnalyzerInput{AnalyzerName: aws.String("account-analyzer")})
	if err != nil {
		t.Fatal(err)
	}
	a := got.Analyzer
	if aws.ToString(a.Arn) != arn || aws.ToString(a.Name) != "account-analyzer" || a.Type != aatypes.TypeAccount ||
		a.Status != aatypes.AnalyzerStatusActive || a.CreatedAt == nil || a.CreatedAt.IsZero() || a.Configuration != nil || a.StatusReason != nil {
		t.Fatalf("GetAnalyzer = %+v", a)
	}

	// The service-linked role now exists (read through IAM when it is served).
	if r, err := e.iam(e.cfg).GetRole(bg, &iam.GetRoleInput{RoleName: aws.String("AWSServiceRoleForAccessAnalyzer")}); err == nil {
		if aws.ToString(r.Role.Path) != "/aws-service-role/access-analyzer.amazonaws.com/" ||
			aws.ToString(r.Role.Arn) != "arn:aws:iam::"+acct+":role/aws-service-role/access-analyzer.amazonaws.com/AWSServiceRoleForAccessAnalyzer" ||
			!strings.HasPrefix(aws.ToString(r.Role.RoleId), "AROA") {
			t.Fatalf("service-linked role = %+v", r.Role)
		}
	} else if errCode(t, err) != "InvalidAction" {
		t.Fatalf("GetRole AWSServiceRoleForAccessAnalyzer: %v", err)
	} else {
		t.Log("IAM GetRole not served yet; service-linked role not checked through IAM")
	}

	// One account analyzer per type per account and Region.
	_, err = c.CreateAnalyzer(bg, &accessanalyzer.CreateAnalyzerInput{AnalyzerName: aws.String("second"), Type: aatypes.TypeAccount})
	aaS3WantStatus(t, err, "ServiceQuotaExceededException", 402)
	var q *aatypes.ServiceQuotaExceededException
	if !errors.As(err, &q) || aws.ToString(q.ResourceId) != "second" || aws.ToString(q.ResourceType) == "" {
		t.Fatalf("quota error = %#v", err)
	}

	// A duplicate name, whatever the type, is a conflict.
	_, err = c.CreateAnalyzer(bg, &accessanalyzer.CreateAnalyzerInput{AnalyzerName: aws.String("account-analyzer"), Type: aatypes.TypeAccountUnusedAccess})
	aaS3WantStatus(t, err, "ConflictException", 409)
	var ce *aatypes.ConflictException
	if !errors.As(err, &ce) || aws.ToString(ce.ResourceId) != "account-analyzer" || aws.ToString(ce.ResourceType) == "" {
		t.Fatalf("conflict error = %#v", err)
	}

	// Another Region has its own quota.
	west := e.analyzer(e.config(e.sim.ManagementCredentials(), "eu-west-1"))
	if arn := aaCreate(t, west, "account-analyzer", aatypes.TypeAccount); !strings.Contains(arn, ":eu-west-1:") {
		t.Fatalf("eu-west-1 arn = %q", arn)
	}

	// Tags, inline archive rules, an unused-access analyzer with the default age.
	_, err = c.CreateAnalyzer(bg, &accessanalyzer.CreateAnalyzerInput{
		AnalyzerName: aws.String("unused"), Type: aatypes.TypeAccountUnusedAccess,
		Tags: map[string]string{"team": "security"},
		ArchiveRules: []aatypes.InlineArchiveRule{{
			RuleName: aws.String("ignore-self"),
			Filter:   map[string]aatypes.Criterion{"principal.AWS": {Eq: []string{acct}}},
		}},
	})
	if err != nil {
		t.Fatal(err)
	}
	got, err = c.GetAnalyzer(bg, &accessanalyzer.GetAnalyzerInput{AnalyzerName: aws.String("unused")})
	if err != nil {
		t.Fatal(err)
	}
	if u, ok := got.Analyzer.Configuration.(*aatypes.AnalyzerConfigurationMemberUnusedAccess); !ok || aws.ToInt32(u.Value.UnusedAccessAge) != 90 {
		t.Fatalf("unused configuration = %#v", got.Analyzer.Configuration)
	}
	if got.Analyzer.Tags["team"] != "security" {
		t.Fatalf("tags = %v", got.Analyzer.Tags)
	}
	rules, err := c.ListArchiveRules(bg, &accessanalyzer.ListArchiveRulesInput{AnalyzerName: aws.String("unused")})
	if err != nil {
		t.Fatal(err)
	}
	if len(rules.ArchiveRules) != 1 || aws.ToString(rules.ArchiveRules[0].RuleName) != "ignore-self" ||
		rules.ArchiveRules[0].Filter["principal.AWS"].Eq[0] != acct || rules.ArchiveRules[0].CreatedAt == nil {
		t.Fatalf("archive rules = %+v", rules.ArchiveRules)
	}
	if rules, err := c.ListArchiveRules(bg, &accessanalyzer.ListArchiveRulesInput{AnalyzerName: aws.String("account-analyzer")}); err != nil || len(rules.ArchiveRules) != 0 {
		t.Fatalf("ListArchiveRules(account-analyzer) = %+v, %v", rules, err)
	}

	// UpdateAnalyzer changes the unused access age, within 1..365.
	up, err := c.UpdateAnalyzer(bg, &accessanalyzer.UpdateAnalyzerInput{
		AnalyzerName:  aws.String("unused"),
		Configuration: &aatypes.AnalyzerConfigurationMemberUnusedAccess{Value: aatypes.UnusedAccessConfiguration{UnusedAccessAge: aws.Int32(30)}},
	})
	if err != nil {
		t.Fatal(err)
	}
	if u, ok := up.Configuration.(*aatypes.AnalyzerConfigurationMemberUnusedAccess); !ok || aws.ToInt32(u.Value.UnusedAccessAge) != 30 {
		t.Fatalf("UpdateAnalyzer configuration = %#v", up.Configuration)
	}
	got, _ = c.GetAnalyzer(bg, &accessanalyzer.GetAnalyzerInput{AnalyzerName: aws.String("unused")})
	if u := got.Analyzer.Configuration.(*aatypes.AnalyzerConfigurationMemberUnusedAccess); aws.ToInt32(u.Value.UnusedAccessAge) != 30 {
		t.Fatalf("age after update = %d", aws.ToInt32(u.Value.UnusedAccessAge))
	}
	_, err = c.UpdateAnalyzer(bg, &accessanalyzer.UpdateAnalyzerInput{
		AnalyzerName:  aws.String("unused"),
		Configuration: &aatypes.AnalyzerConfigurationMemberUnusedAccess{Value: aatypes.UnusedAccessConfiguration{UnusedAccessAge: aws.Int32(366)}},
	})
	aaValidation(t, err, "configuration.unusedAccess.unusedAccessAge")
	_, err = c.UpdateAnalyzer(bg, &accessanalyzer.UpdateAnalyzerInput{
		AnalyzerName:  aws.String("account-analyzer"),
		Configuration: &aatypes.AnalyzerConfigurationMemberUnusedAccess{Value: aatypes.UnusedAccessConfiguration{UnusedAccessAge: aws.Int32(30)}},
	})
	aaS3WantStatus(t, err, "ValidationException", 400)
	_, err = c.UpdateAnalyzer(bg, &accessanalyzer.UpdateAnalyzerInput{AnalyzerName: aws.String("nope")})
	aaS3WantStatus(t, err, "ResourceNotFoundException", 404)

	// Tags on the analyzer ARN.
	unusedARN := "arn:aws:access-analyzer:us-east-1:" + acct + ":analyzer/unused"
	if _, err := c.TagResource(bg, &accessanalyzer.TagResourceInput{ResourceArn: aws.String(unusedARN), Tags: map[string]string{"env": "prod"}}); err != nil {
		t.Fatal(err)
	}
	if _, err := c.UntagResource(bg, &accessanalyzer.UntagResourceInput{ResourceArn: aws.String(unusedARN), TagKeys: []string{"team"}}); err != nil {
		t.Fatal(err)
	}
	tags, err := c.ListTagsForResource(bg, &accessanalyzer.ListTagsForResourceInput{ResourceArn: aws.String(unusedARN)})
	if err != nil {
		t.Fatal(err)
	}
	if len(tags.Tags) != 1 || tags.Tags["env"] != "prod" {
		t.Fatalf("tags = %v", tags.Tags)
	}
	_, err = c.ListTagsForResource(bg, &accessanalyzer.ListTagsForResourceInput{ResourceArn: aws.String(unusedARN + "x")})
	aaS3WantStatus(t, err, "ResourceNotFoundException", 404)
	_, err = c.TagResource(bg, &accessanalyzer.TagResourceInput{ResourceArn: aws.String(unusedARN), Tags: map[string]string{"aws:x": "y"}})
	aaS3WantStatus(t, err, "ValidationException", 400)

	// ListAnalyzers, all and by type; it omits the configuration.
	list, err := c.ListAnalyzers(bg, &accessanalyzer.ListAnalyzersInput{})
	if err != nil {
		t.Fatal(err)
	}
	if len(list.Analyzers) != 2 || aws.ToString(list.Analyzers[0].Name) != "account-analyzer" || aws.ToString(list.Analyzers[1].Name) != "unused" ||
		list.Analyzers[1].Configuration != nil || list.NextToken != nil {
		t.Fatalf("ListAnalyzers = %+v", list)
	}
	list, err = c.ListAnalyzers(bg, &accessanalyzer.ListAnalyzersInput{Type: aatypes.TypeAccountUnusedAccess})
	if err != nil || len(list.Analyzers) != 1 || aws.ToString(list.Analyzers[0].Name) != "unused" {
		t.Fatalf("ListAnalyzers(type) = %+v, %v", list, err)
	}
	_, err = c.ListAnalyzers(bg, &accessanalyzer.ListAnalyzersInput{Type: "BOGUS"})
	aaValidation(t, err, "type")
	_, err = c.ListAnalyzers(bg, &accessanalyzer.ListAnalyzersInput{NextToken: aws.String("not-a-token")})
	aaS3WantStatus(t, err, "ValidationException", 400)

	// DeleteAnalyzer; then it is gone.
	if _, err := c.DeleteAnalyzer(bg, &accessanalyzer.DeleteAnalyzerInput{AnalyzerName: aws.String("account-analyzer")}); err != nil {
		t.Fatal(err)
	}
	_, err = c.GetAnalyzer(bg, &accessanalyzer.GetAnalyzerInput{AnalyzerName: aws.String("account-analyzer")})
	aaS3WantStatus(t, err, "ResourceNotFoundException", 404)
	var nf *aatypes.ResourceNotFoundException
	if !errors.As(err, &nf) || aws.ToString(nf.ResourceId) != "account-analyzer" {
		t.Fatalf("not found error = %#v", err)
	}
	_, err = c.DeleteAnalyzer(bg, &accessanalyzer.DeleteAnalyzerInput{AnalyzerName: aws.String("account-analyzer")})
	aaS3WantStatus(t, err, "ResourceNotFoundException", 404)
	_, err = c.ListArchiveRules(bg, &accessanalyzer.ListArchiveRulesInput{AnalyzerName: aws.String("account-analyzer")})
	aaS3WantStatus(t, err, "ResourceNotFoundException", 404)
	// The quota slot is free again.
	aaCreate(t, c, "account-analyzer-2", aatypes.TypeAccount)

	// Operations orgsim does not serve (audit_test.go checks each protocol).
	_, err = c.ListPolicyGenerations(bg, &accessanalyzer.ListPolicyGenerationsInput{})
	aaS3WantStatus(t, err, "UnknownOperationException", 404)
}

func TestAnalyzerValidation(t *testing.T) {
	e := newEnv(t, orgsim.Options{Seed: 1, AWSLike: aaNoCreateDelay()})
	c := e.analyzer(e.cfg)
	create := func(name string, typ aatypes.Type, cfg aatypes.AnalyzerConfiguration) error {
		_, err := c.CreateAnalyzer(bg, &accessanalyzer.CreateAnalyzerInput{AnalyzerName: aws.String(name), Type: typ, Configuration: cfg})
		return err
	}
	for _, name := range []string{"1abc", "_abc", "has space", "a/b", strings.Repeat("a", 256), ""} {
		aaValidation(t, create(name, aatypes.TypeAccount, nil), "analyzerName")
	}
	if err := create(strings.Repeat("a", 255), aatypes.TypeAccount, nil); err != nil {
		t.Fatalf("255-character name: %v", err)
	}
	aaValidation(t, create("x", "BOGUS", nil), "type")
	age := func(n int32) aatypes.AnalyzerConfiguration {
		return &aatypes.AnalyzerConfigurationMemberUnusedAccess{Value: aatypes.UnusedAccessConfiguration{UnusedAccessAge: aws.Int32(n)}}
	}
	aaValidation(t, create("u", aatypes.TypeAccountUnusedAccess, age(0)), "configuration.unusedAccess.unusedAccessAge")
	aaValidation(t, create("u", aatypes.TypeAccountUnusedAccess, age(366)), "configuration.unusedAccess.unusedAccessAge")
	// An unused-access configuration on an external-access analyzer.
	aaValidation(t, create("u", aatypes.TypeAccountInternalAccess, age(30)), "configuration")
	if err := create("u", aatypes.TypeAccountUnusedAccess, age(365)); err != nil {
		t.Fatalf("age 365: %v", err)
	}
	if err := create("i", aatypes.TypeAccountInternalAccess, nil); err != nil {
		t.Fatalf("internal access analyzer: %v", err)
	}
	_, err := c.GetAnalyzer(bg, &accessanalyzer.GetAnalyzerInput{AnalyzerName: aws.String("9bad")})
	aaValidation(t, err, "analyzerName")
}

func TestAnalyzerOrganization(t *testing.T) {
	e := newEnv(t, orgsim.Options{Seed: 1, Org: orgsim.OrgSpec{Members: 2, Clean: true}})
	c := e.analyzer(e.cfg)
	orgs := e.orgs(e.cfg)
	members := aaMemberAccounts(t, e)
	if len(members) < 2 {
		t.Fatalf("members = %v", members)
	}
	member := members[0]
	const sp = "access-analyzer.amazonaws.com"

	// Trusted access is required, even for the management account.
	_, err := c.CreateAnalyzer(bg, &accessanalyzer.CreateAnalyzerInput{AnalyzerName: aws.String("org"), Type: aatypes.TypeOrganization})
	aaS3WantStatus(t, err, "ValidationException", 400)
	if !strings.Contains(err.Error(), "Service not enabled for AWS Organizations") {
		t.Fatalf("error = %v", err)
	}
	if _, err := orgs.EnableAWSServiceAccess(bg, &organizations.EnableAWSServiceAccessInput{ServicePrincipal: aws.String(sp)}); err != nil {
		t.Fatal(err)
	}

	// Five of each organization type per account and Region; one being
	// created counts.
	var want []string
	for _, typ := range []aatypes.Type{aatypes.TypeOrganization, aatypes.TypeOrganizationUnusedAccess} {
		for i := 1; i <= 5; i++ {
			name := fmt.Sprintf("%s-%d", strings.ToLower(string(typ)), i)
			aaCreate(t, c, name, typ)
			want = append(want, name)
		}
		_, err := c.CreateAnalyzer(bg, &accessanalyzer.CreateAnalyzerInput{AnalyzerName: aws.String("one-too-many"), Type: typ})
		aaS3WantStatus(t, err, "ServiceQuotaExceededException", 402)
	}
	e.sim.Advance(e.sim.AWSLike().AnalyzerCreateDelay)

	// Pagination past the first page, in creation order.
	var names []string
	pages := 0
	p := accessanalyzer.NewListAnalyzersPaginator(c, &accessanalyzer.ListAnalyzersInput{MaxResults: aws.Int32(3)})
	for p.HasMorePages() {
		out, err := p.NextPage(bg)
		if err != nil {
			t.Fatal(err)
		}
		pages++
		if len(out.Analyzers) > 3 {
			t.Fatalf("page of %d analyzers", len(out.Analyzers))
		}
		for _, a := range out.Analyzers {
			names = append(names, aws.ToString(a.Name))
		}
	}
	if pages != 4 || strings.Join(names, ",") != strings.Join(want, ",") {
		t.Fatalf("%d pages: %v, want 4 pages: %v", pages, names, want)
	}
	out, err := c.ListAnalyzers(bg, &accessanalyzer.ListAnalyzersInput{Type: aatypes.TypeOrganizationUnusedAccess, MaxResults: aws.Int32(4)})
	if err != nil || len(out.Analyzers) != 4 || out.NextToken == nil {
		t.Fatalf("typed page = %+v, %v", out, err)
	}
	_, err = c.ListAnalyzers(bg, &accessanalyzer.ListAnalyzersInput{MaxResults: aws.Int32(0)})
	aaS3WantStatus(t, err, "ValidationException", 400)

	// A member account may not, until it is a delegated administrator.
	mc := e.analyzer(e.assume(member, "OrganizationAccountAccessRole"))
	_, err = mc.CreateAnalyzer(bg, &accessanalyzer.CreateAnalyzerInput{AnalyzerName: aws.String("member-org"), Type: aatypes.TypeOrganization})
	aaS3WantStatus(t, err, "AccessDeniedException", 403)
	if want := "Account " + member + " is not a delegated administrator"; !strings.Contains(err.Error(), want) {
		t.Fatalf("error = %v, want %q", err, want)
	}
	// Account analyzers need nothing of the organization.
	aaCreate(t, mc, "member-account", aatypes.TypeAccount)

	if _, err := orgs.RegisterDelegatedAdministrator(bg, &organizations.RegisterDelegatedAdministratorInput{AccountId: aws.String(member), ServicePrincipal: aws.String(sp)}); err != nil {
		t.Fatal(err)
	}
	// Right after registering, Access Analyzer does not know it yet
	// (TestAnalyzerDelegatedAdministratorPropagates).
	e.sim.Advance(e.sim.AWSLike().PropagationDelay)
	aaCreate(t, mc, "member-org", aatypes.TypeOrganization)
	e.sim.Advance(e.sim.AWSLike().AnalyzerCreateDelay)
	got, err := mc.GetAnalyzer(bg, &accessanalyzer.GetAnalyzerInput{AnalyzerName: aws.String("member-org")})
	if err != nil || got.Analyzer.Status != aatypes.AnalyzerStatusActive {
		t.Fatalf("member analyzer = %+v, %v", got, err)
	}

	// One organization internal-access analyzer per organization and Region.
	aaCreate(t, c, "internal", aatypes.TypeOrganizationInternalAccess)
	_, err = mc.CreateAnalyzer(bg, &accessanalyzer.CreateAnalyzerInput{AnalyzerName: aws.String("internal"), Type: aatypes.TypeOrganizationInternalAccess})
	aaS3WantStatus(t, err, "ServiceQuotaExceededException", 402)
	e.sim.Advance(e.sim.AWSLike().AnalyzerCreateDelay)

	// Deregistered: the member's organization analyzer is disabled.
	if _, err := orgs.DeregisterDelegatedAdministrator(bg, &organizations.DeregisterDelegatedAdministratorInput{AccountId: aws.String(member), ServicePrincipal: aws.String(sp)}); err != nil {
		t.Fatal(err)
	}
	got, err = mc.GetAnalyzer(bg, &accessanalyzer.GetAnalyzerInput{AnalyzerName: aws.String("member-org")})
	if err != nil || got.Analyzer.Status != aatypes.AnalyzerStatusDisabled || got.Analyzer.StatusReason == nil ||
		got.Analyzer.StatusReason.Code != aatypes.ReasonCodeDelegatedAdministratorDeregistered {
		t.Fatalf("after deregistration = %+v, %v", got.Analyzer, err)
	}
	if got, err := mc.GetAnalyzer(bg, &accessanalyzer.GetAnalyzerInput{AnalyzerName: aws.String("member-account")}); err != nil || got.Analyzer.Status != aatypes.AnalyzerStatusActive {
		t.Fatalf("member account analyzer = %+v, %v", got, err)
	}
	_, err = mc.CreateAnalyzer(bg, &accessanalyzer.CreateAnalyzerInput{AnalyzerName: aws.String("member-org-2"), Type: aatypes.TypeOrganizationUnusedAccess})
	aaS3WantStatus(t, err, "AccessDeniedException", 403)

	// Trusted access disabled: the management account's are disabled too.
	if _, err := orgs.DisableAWSServiceAccess(bg, &organizations.DisableAWSServiceAccessInput{ServicePrincipal: aws.String(sp)}); err != nil {
		t.Fatal(err)
	}
	got, err = c.GetAnalyzer(bg, &accessanalyzer.GetAnalyzerInput{AnalyzerName: aws.String("organization-1")})
	if err != nil || got.Analyzer.Status != aatypes.AnalyzerStatusDisabled || got.Analyzer.StatusReason.Code != aatypes.ReasonCodeAwsServiceAccessDisabled {
		t.Fatalf("after disabling trusted access = %+v, %v", got.Analyzer, err)
	}
}

// TestAnalyzerServiceLinkedRolePermission: creating the first analyzer of an
// account creates the service-linked role, which needs
// iam:CreateServiceLinkedRole.
func TestAnalyzerServiceLinkedRolePermission(t *testing.T) {
	e := newEnv(t, orgsim.Options{Seed: 1, Org: orgsim.OrgSpec{Members: 2, Clean: true}, AWSLike: aaNoCreateDelay()})
	member := aaMemberAccounts(t, e)[1]
	session := func(action string) *accessanalyzer.Client {
		out, err := e.sts(e.cfg).AssumeRole(bg, &sts.AssumeRoleInput{
			RoleArn:         aws.String("arn:aws:iam::" + member + ":role/OrganizationAccountAccessRole"),
			RoleSessionName: aws.String("analyzer-only"),
			Policy:          aws.String(`{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"` + action + `","Resource":"*"}]}`),
		})
		if err != nil {
			t.Fatal(err)
		}
		return e.analyzer(e.config(orgsim.Credentials{
			AccessKeyID: aws.ToString(out.Credentials.AccessKeyId), SecretAccessKey: aws.ToString(out.Credentials.SecretAccessKey),
			SessionToken: aws.ToString(out.Credentials.SessionToken),
		}, "us-east-1"))
	}
	restricted := session("access-analyzer:*")
	_, err := restricted.CreateAnalyzer(bg, &accessanalyzer.CreateAnalyzerInput{AnalyzerName: aws.String("a"), Type: aatypes.TypeAccount})
	aaS3WantStatus(t, err, "AccessDeniedException", 403)
	if !strings.Contains(err.Error(), "iam:CreateServiceLinkedRole") {
		t.Fatalf("error = %v", err)
	}
	// Once an administrator has created one, the role exists.
	aaCreate(t, e.analyzer(e.assume(member, "OrganizationAccountAccessRole")), "admin-made", aatypes.TypeAccount)
	aaCreate(t, restricted, "a", aatypes.TypeAccountUnusedAccess)

	// Each operation is authorized as access-analyzer:<Op> on the analyzer ARN.
	readOnly := session("access-analyzer:List*")
	if out, err := readOnly.ListAnalyzers(bg, &accessanalyzer.ListAnalyzersInput{}); err != nil || len(out.Analyzers) != 2 {
		t.Fatalf("ListAnalyzers = %+v, %v", out, err)
	}
	_, err = readOnly.GetAnalyzer(bg, &accessanalyzer.GetAnalyzerInput{AnalyzerName: aws.String("a")})
	aaS3WantStatus(t, err, "AccessDeniedException", 403)
	if want := "access-analyzer:GetAnalyzer on resource: arn:aws:access-analyzer:us-east-1:" + member + ":analyzer/a"; !strings.Contains(err.Error(), want) {
		t.Fatalf("error = %v, want it to mention %q", err, want)
	}
	_, err = readOnly.CreateAnalyzer(bg, &accessanalyzer.CreateAnalyzerInput{AnalyzerName: aws.String("b"), Type: aatypes.TypeAccountInternalAccess})
	aaS3WantStatus(t, err, "AccessDeniedException", 403)
	if want := "access-analyzer:CreateAnalyzer on resource: arn:aws:access-analyzer:us-east-1:" + member + ":analyzer/b"; !strings.Contains(err.Error(), want) {
		t.Fatalf("error = %v, want it to mention %q", err, want)
	}
}

// aaStatus reads an analyzer's status and reason code through GetAnalyzer.
func aaStatus(t testing.TB, c *accessanalyzer.Client, name string) (aatypes.AnalyzerStatus, aatypes.ReasonCode) {
	t.Helper()
	out, err := c.GetAnalyzer(bg, &accessanalyzer.GetAnalyzerInput{AnalyzerName: aws.String(name)})
	if err != nil {
		t.Fatalf("GetAnalyzer %s: %v", name, err)
	}
	var reason aatypes.ReasonCode
	if out.Analyzer.StatusReason != nil {
		reason = out.Analyzer.StatusReason.Code
	}
	return out.Analyzer.Status, reason
}

// aaConflict fails unless err is a 409 ConflictException naming the analyzer.
func aaConflict(t testing.TB, err error, name, mentions string) {
	t.Helper()
	aaS3WantStatus(t, err, "ConflictException", 409)
	var ce *aatypes.ConflictException
	if !errors.As(err, &ce) || aws.ToString(ce.ResourceId) != name || !strings.Contains(err.Error(), mentions) {
		t.Fatalf("conflict = %#v (%v), want resource %s and %q", err, err, name, mentions)
	}
}

// A new analyzer is CREATING for AnalyzerCreateDelay of sim time, then
// ACTIVE; while it is being created it cannot be updated.
func TestAnalyzerCreating(t *testing.T) {
	e := newEnv(t, orgsim.Options{Seed: 1})
	c := e.analyzer(e.cfg)
	delay := e.sim.AWSLike().AnalyzerCreateDelay
	if delay <= 0 {
		t.Fatalf("default AnalyzerCreateDelay = %v, want AWS-like (> 0)", delay)
	}
	arn := aaCreate(t, c, "external", aatypes.TypeAccount)
	aaCreate(t, c, "unused", aatypes.TypeAccountUnusedAccess)

	for _, name := range []string{"external", "unused"} {
		if st, reason := aaStatus(t, c, name); st != aatypes.AnalyzerStatusCreating || reason != "" {
			t.Fatalf("%s right after CreateAnalyzer: %s %q, want CREATING", name, st, reason)
		}
	}
	list, err := c.ListAnalyzers(bg, &accessanalyzer.ListAnalyzersInput{})
	if err != nil || len(list.Analyzers) != 2 || list.Analyzers[0].Status != aatypes.AnalyzerStatusCreating {
		t.Fatalf("ListAnalyzers = %+v, %v", list, err)
	}
	found := false
	for _, s := range e.sim.Settling() {
		found = found || strings.Contains(s.What, arn)
	}
	if !found {
		t.Errorf("the admin API's settling list %+v does not name %s", e.sim.Settling(), arn)
	}

	// Not usable yet: writes are refused, reads answer.
	age30 := &aatypes.AnalyzerConfigurationMemberUnusedAccess{Value: aatypes.UnusedAccessConfiguration{UnusedAccessAge: aws.Int32(30)}}
	_, err = c.UpdateAnalyzer(bg, &accessanalyzer.UpdateAnalyzerInput{AnalyzerName: aws.String("unused"), Configuration: age30})
	aaConflict(t, err, "unused", "CREATING")
	if _, err := c.ListArchiveRules(bg, &accessanalyzer.ListArchiveRulesInput{AnalyzerName: aws.String("external")}); err != nil {
		t.Fatalf("ListArchiveRules while CREATING: %v", err)
	}

	e.sim.Advance(delay / 2)
	if st, _ := aaStatus(t, c, "external"); st != aatypes.AnalyzerStatusCreating {
		t.Fatalf("halfway through AnalyzerCreateDelay: %s, want CREATING", st)
	}
	e.sim.Advance(delay / 2)
	for _, name := range []string{"external", "unused"} {
		if st, reason := aaStatus(t, c, name); st != aatypes.AnalyzerStatusActive || reason != "" {
			t.Fatalf("%s after AnalyzerCreateDelay: %s %q, want ACTIVE", name, st, reason)
		}
	}
	if _, err := c.UpdateAnalyzer(bg, &accessanalyzer.UpdateAnalyzerInput{AnalyzerName: aws.String("unused"), Configuration: age30}); err != nil {
		t.Fatalf("UpdateAnalyzer once ACTIVE: %v", err)
	}
	if _, err := c.DeleteAnalyzer(bg, &accessanalyzer.DeleteAnalyzerInput{AnalyzerName: aws.String("external")}); err != nil {
		t.Fatalf("DeleteAnalyzer once ACTIVE: %v", err)
	}

	// Switched off, an analyzer is ACTIVE at once.
	off := newEnv(t, orgsim.Options{Seed: 1, AWSLike: &orgsim.AWSLike{}})
	aaCreate(t, off.analyzer(off.cfg), "external", aatypes.TypeAccount)
	if st, _ := aaStatus(t, off.analyzer(off.cfg), "external"); st != aatypes.AnalyzerStatusActive {
		t.Fatalf("with AWSLike off: %s, want ACTIVE at once", st)
	}
}

// An analyzer whose creation loses what it needs ends FAILED with AWS's
// reason code, and stays FAILED: it has to be deleted and created again.
func TestAnalyzerCreationFails(t *testing.T) {
	const sp = "access-analyzer.amazonaws.com"
	tests := []struct {
		name string
		typ  aatypes.Type
		// member: created by the member account, registered as delegated
		// administrator (ORGANIZATION types), rather than the management
		// account.
		member bool
		lose   func(t *testing.T, e *env, member string)
		undo   func(t *testing.T, e *env, member string)
		want   aatypes.ReasonCode
	}{
		{"trusted access disabled", aatypes.TypeOrganization, false,
			func(t *testing.T, e *env, _ string) {
				if _, err := e.orgs(e.cfg).DisableAWSServiceAccess(bg, &organizations.DisableAWSServiceAccessInput{ServicePrincipal: aws.String(sp)}); err != nil {
					t.Fatal(err)
				}
			},
			func(t *testing.T, e *env, _ string) {
				if _, err := e.orgs(e.cfg).EnableAWSServiceAccess(bg, &organizations.EnableAWSServiceAccessInput{ServicePrincipal: aws.String(sp)}); err != nil {
					t.Fatal(err)
				}
			}, aatypes.ReasonCodeAwsServiceAccessDisabled},
		{"delegated administrator deregistered", aatypes.TypeOrganizationUnusedAccess, true,
			func(t *testing.T, e *env, member string) {
				if _, err := e.orgs(e.cfg).DeregisterDelegatedAdministrator(bg, &organizations.DeregisterDelegatedAdministratorInput{AccountId: aws.String(member), ServicePrincipal: aws.String(sp)}); err != nil {
					t.Fatal(err)
				}
			},
			func(t *testing.T, e *env, member string) {
				if _, err := e.orgs(e.cfg).RegisterDelegatedAdministrator(bg, &organizations.RegisterDelegatedAdministratorInput{AccountId: aws.String(member), ServicePrincipal: aws.String(sp)}); err != nil {
					t.Fatal(err)
				}
			}, aatypes.ReasonCodeDelegatedAdministratorDeregistered},
		{"service-linked role deleted", aatypes.TypeAccountUnusedAccess, true,
			func(t *testing.T, e *env, member string) {
				if _, err := e.iam(e.assume(member, "OrganizationAccountAccessRole")).DeleteServiceLinkedRole(bg, &iam.DeleteServiceLinkedRoleInput{RoleName: aws.String("AWSServiceRoleForAccessAnalyzer")}); err != nil {
					t.Fatal(err)
				}
			}, nil, aatypes.ReasonCodeServiceLinkedRoleCreationFailed},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			e := newEnv(t, orgsim.Options{Seed: 1, Org: orgsim.OrgSpec{Members: 2, Clean: true}})
			like := e.sim.AWSLike()
			member := aaMemberAccounts(t, e)[0]
			if _, err := e.orgs(e.cfg).EnableAWSServiceAccess(bg, &organizations.EnableAWSServiceAccessInput{ServicePrincipal: aws.String(sp)}); err != nil {
				t.Fatal(err)
			}
			c := e.analyzer(e.cfg)
			if tt.member {
				if _, err := e.orgs(e.cfg).RegisterDelegatedAdministrator(bg, &organizations.RegisterDelegatedAdministratorInput{AccountId: aws.String(member), ServicePrincipal: aws.String(sp)}); err != nil {
					t.Fatal(err)
				}
				e.sim.Advance(like.PropagationDelay)
				c = e.analyzer(e.assume(member, "OrganizationAccountAccessRole"))
			}
			aaCreate(t, c, "doomed", tt.typ)
			tt.lose(t, e, member)
			e.sim.Advance(like.AnalyzerCreateDelay)
			if st, reason := aaStatus(t, c, "doomed"); st != aatypes.AnalyzerStatusFailed || reason != tt.want {
				t.Fatalf("after losing it while CREATING: %s %q, want FAILED %s", st, reason, tt.want)
			}
			if tt.undo != nil {
				tt.undo(t, e, member)
				e.sim.Advance(like.PropagationDelay + like.AnalyzerCreateDelay)
				if st, reason := aaStatus(t, c, "doomed"); st != aatypes.AnalyzerStatusFailed || reason != tt.want {
					t.Fatalf("once it is back: %s %q, want still FAILED %s", st, reason, tt.want)
				}
			}
			if strings.HasSuffix(string(tt.typ), "_UNUSED_ACCESS") {
				_, err := c.UpdateAnalyzer(bg, &accessanalyzer.UpdateAnalyzerInput{AnalyzerName: aws.String("doomed"),
					Configuration: &aatypes.AnalyzerConfigurationMemberUnusedAccess{Value: aatypes.UnusedAccessConfiguration{UnusedAccessAge: aws.Int32(30)}}})
				aaConflict(t, err, "doomed", string(tt.want))
			}
			if tt.undo == nil {
				return
			}
			// The fix: delete it and create it again.
			if _, err := c.DeleteAnalyzer(bg, &accessanalyzer.DeleteAnalyzerInput{AnalyzerName: aws.String("doomed")}); err != nil {
				t.Fatalf("DeleteAnalyzer of a FAILED analyzer: %v", err)
			}
			aaCreate(t, c, "doomed", tt.typ)
			e.sim.Advance(like.AnalyzerCreateDelay)
			if st, reason := aaStatus(t, c, "doomed"); st != aatypes.AnalyzerStatusActive {
				t.Fatalf("created again: %s %q, want ACTIVE", st, reason)
			}
		})
	}
}

// A delegated administrator just registered is not one yet for Access
// Analyzer: "Account X is not a delegated administrator" until the
// registration has propagated (awslabs/landing-zone-accelerator-on-aws
// issue 922 for the error).
func TestAnalyzerDelegatedAdministratorPropagates(t *testing.T) {
	const sp = "access-analyzer.amazonaws.com"
	for _, delay := range []time.Duration{orgsim.DefaultAWSLike().PropagationDelay, 0} {
		t.Run(fmt.Sprint("delay ", delay), func(t *testing.T) {
			like := orgsim.DefaultAWSLike()
			like.PropagationDelay = delay
			e := newEnv(t, orgsim.Options{Seed: 1, Org: orgsim.OrgSpec{Members: 2, Clean: true}, AWSLike: &like})
			member := aaMemberAccounts(t, e)[0]
			orgs := e.orgs(e.cfg)
			if _, err := orgs.EnableAWSServiceAccess(bg, &organizations.EnableAWSServiceAccessInput{ServicePrincipal: aws.String(sp)}); err != nil {
				t.Fatal(err)
			}
			if _, err := orgs.RegisterDelegatedAdministrator(bg, &organizations.RegisterDelegatedAdministratorInput{AccountId: aws.String(member), ServicePrincipal: aws.String(sp)}); err != nil {
				t.Fatal(err)
			}
			mc := e.analyzer(e.assume(member, "OrganizationAccountAccessRole"))
			create := func() error {
				_, err := mc.CreateAnalyzer(bg, &accessanalyzer.CreateAnalyzerInput{AnalyzerName: aws.String("org"), Type: aatypes.TypeOrganization})
				return err
			}
			if delay > 0 {
				err := create()
				aaS3WantStatus(t, err, "AccessDeniedException", 403)
				if want := "Account " + member + " is not a delegated administrator"; !strings.Contains(err.Error(), want) {
					t.Fatalf("right after registering: %v, want %q", err, want)
				}
				e.sim.Advance(delay / 2)
				aaS3WantStatus(t, create(), "AccessDeniedException", 403)
				e.sim.Advance(delay / 2)
			}
			if err := create(); err != nil {
				t.Fatalf("once the registration has propagated: %v", err)
			}
		})
	}
}

// ARNs are in the sim's partition.
func TestAnalyzerPartition(t *testing.T) {
	e := newEnv(t, orgsim.Options{Seed: 1, Partition: "aws-us-gov", AWSLike: aaNoCreateDelay()})
	region := e.sim.GlobalRegion()
	c := e.analyzer(e.config(e.sim.ManagementCredentials(), region))
	acct := e.sim.ManagementAccountID()
	arn := aaCreate(t, c, "gov", aatypes.TypeAccount)
	if want := "arn:aws-us-gov:access-analyzer:" + region + ":" + acct + ":analyzer/gov"; arn != want {
		t.Fatalf("arn = %q, want %q", arn, want)
	}
	if _, err := c.TagResource(bg, &accessanalyzer.TagResourceInput{ResourceArn: aws.String(arn), Tags: map[string]string{"k": "v"}}); err != nil {
		t.Fatalf("TagResource by the partition's ARN: %v", err)
	}
	_, err := c.ListTagsForResource(bg, &accessanalyzer.ListTagsForResourceInput{ResourceArn: aws.String(strings.Replace(arn, "aws-us-gov", "aws", 1))})
	aaS3WantStatus(t, err, "ResourceNotFoundException", 404)
}
