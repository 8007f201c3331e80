package controls_test

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"slices"
	"sort"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/cloudtrail"
	cttypes "github.com/aws/aws-sdk-go-v2/service/cloudtrail/types"
	"github.com/aws/aws-sdk-go-v2/service/iam"
	"github.com/aws/aws-sdk-go-v2/service/kms"
	"github.com/aws/aws-sdk-go-v2/service/organizations"
	orgtypes "github.com/aws/aws-sdk-go-v2/service/organizations/types"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	s3types "github.com/aws/aws-sdk-go-v2/service/s3/types"
	"github.com/google/go-cmp/cmp"

	"github.com/orgbaseline/orgbaseline/baseline"
	"github.com/orgbaseline/orgbaseline/baseline/controls"
	"github.com/orgbaseline/orgbaseline/internal/awsapi"
	"github.com/orgbaseline/orgbaseline/internal/orgsim"
	"github.com/orgbaseline/orgbaseline/orgwalk"
)

// otYAML is a baseline with the log archive declared and
// controls.organizationTrail made of the given lines (indented under it).
func otYAML(lines ...string) string {
	body := "{}"
	if len(lines) > 0 {
		body = "\n    " + strings.Join(lines, "\n    ")
	}
	return "version: 1\norganization:\n  accounts:\n    logArchive: Log Archive\n    audit: Audit\ncontrols:\n  organizationTrail: " + body + "\n"
}

// otHome is the home region of every test baseline (the default).
const otHome = "us-east-1"

// otWorld is a clean organization of four members and the baseline yaml.
func otWorld(t testing.TB, yaml string) *world {
	t.Helper()
	return newWorld(t, orgsim.OrgSpec{Members: 4, Clean: true}, yaml, nil)
}

// otNames are the ids and names a test checks against.
type otNames struct {
	mgmt, la, audit, bucket, trailARN string
}

func otNamesOf(w *world) otNames {
	la := w.id("Log Archive")
	mgmt := w.sim.ManagementAccountID()
	return otNames{mgmt: mgmt, la: la, audit: w.id("Audit"),
		bucket:   "orgbaseline-cloudtrail-" + la + "-" + otHome,
		trailARN: "arn:aws:cloudtrail:" + otHome + ":" + mgmt + ":trail/org-trail"}
}

// otWant checks a plan's changes, in order.
func otWant(t testing.TB, p *baseline.Plan, want ...string) {
	t.Helper()
	if errs := planErrors(p); len(errs) > 0 {
		t.Fatalf("plan errors:\n%s", strings.Join(errs, "\n"))
	}
	if diff := cmp.Diff(want, changes(p)); diff != "" {
		t.Fatalf("plan (-want +got):\n%s", diff)
	}
}

// otChange returns the plan's only change of resource.
func otChange(t testing.TB, p *baseline.Plan, resource string) baseline.Change {
	t.Helper()
	for _, s := range p.Sections() {
		for _, c := range s.Changes {
			if c.Resource == resource {
				return c
			}
		}
	}
	t.Fatalf("no change of %s in:\n%s", resource, describe(p))
	return baseline.Change{}
}

func otFieldNames(c baseline.Change) []string {
	var out []string
	for _, f := range c.Fields() {
		out = append(out, f.Name)
	}
	return out
}

// otPolicy reads the bucket policy back as Sid -> statement.
func otPolicy(t testing.TB, w *world, n otNames) map[string]map[string]any {
	t.Helper()
	out, err := awsapi.S3(w.as(n.la, otHome)).GetBucketPolicy(bg, &s3.GetBucketPolicyInput{Bucket: aws.String(n.bucket)})
	if err != nil {
		t.Fatal(err)
	}
	var doc struct {
		Statement []map[string]any
	}
	if err := json.Unmarshal([]byte(aws.ToString(out.Policy)), &doc); err != nil {
		t.Fatal(err)
	}
	m := map[string]map[string]any{}
	for _, st := range doc.Statement {
		sid, _ := st["Sid"].(string)
		m[sid] = st
	}
	return m
}

func otSids(m map[string]map[string]any) []string {
	var out []string
	for k := range m {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}

var otOurSids = []string{"AWSCloudTrailAclCheck20150319", "AWSCloudTrailOrganizationWrite20150319", "AWSCloudTrailWrite20150319"}

// otForeign is someone else's statement on the bucket.
func otForeign(n otNames) map[string]any {
	return map[string]any{"Sid": "AuditorsMayList", "Effect": "Allow",
		"Principal": map[string]any{"AWS": "arn:aws:iam::" + n.audit + ":root"},
		"Action":    "s3:ListBucket", "Resource": "arn:aws:s3:::" + n.bucket}
}

func otPutPolicy(t testing.TB, w *world, n otNames, stmts ...map[string]any) {
	t.Helper()
	doc, err := json.Marshal(map[string]any{"Version": "2012-10-17", "Statement": stmts})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := awsapi.S3(w.as(n.la, otHome)).PutBucketPolicy(bg, &s3.PutBucketPolicyInput{Bucket: aws.String(n.bucket), Policy: aws.String(string(doc))}); err != nil {
		t.Fatal(err)
	}
}

func otTrail(t testing.TB, cfg aws.Config, arn string) *cttypes.Trail {
	t.Helper()
	out, err := cloudtrail.NewFromConfig(cfg).GetTrail(bg, &cloudtrail.GetTrailInput{Name: aws.String(arn)})
	if err != nil {
		t.Fatal(err)
	}
	return out.Trail
}

func otLogging(t testing.TB, cfg aws.Config, arn string) bool {
	t.Helper()
	out, err := cloudtrail.NewFromConfig(cfg).GetTrailStatus(bg, &cloudtrail.GetTrailStatusInput{Name: aws.String(arn)})
	if err != nil {
		t.Fatal(err)
	}
	return aws.ToBool(out.IsLogging)
}

// otFromEmpty is the plan of a clean organization with the default settings.
func otFromEmpty(n otNames) []string {
	b := "s3/" + n.bucket
	la := " " + n.la + " " + otHome
	return []string{
		"organizationTrail create organizations/trusted-access/cloudtrail.amazonaws.com " + n.mgmt,
		"organizationTrail create " + b + la,
		"organizationTrail create " + b + "/policy" + la,
		"organizationTrail create " + b + "/public-access-block" + la,
		"organizationTrail create " + b + "/versioning" + la,
		"organizationTrail create " + b + "/encryption" + la,
		"organizationTrail create cloudtrail/trail/org-trail " + n.mgmt + " " + otHome,
		"organizationTrail update cloudtrail/trail/org-trail/logging " + n.mgmt + " " + otHome,
	}
}

func TestOrganizationTrailConvergesFromEmpty(t *testing.T) {
	w := otWorld(t, otYAML())
	n := otNamesOf(w)
	p := w.plan()
	otWant(t, p, otFromEmpty(n)...)
	if errs := w.apply(p); len(errs) > 0 {
		t.Fatalf("apply: %v", errs)
	}
	w.sim.ResetCounters()
	if again := w.plan(); again.ChangeCount() != 0 || len(planErrors(again)) > 0 {
		t.Fatalf("second plan:\n%s\n%v", describe(again), planErrors(again))
	}
	if writes := w.sim.Counters().Writes(); writes != 0 {
		t.Fatalf("a converged plan made %d writes", writes)
	}

	// Trusted access, in the management account.
	acc, err := organizations.NewFromConfig(w.cfg).ListAWSServiceAccessForOrganization(bg, &organizations.ListAWSServiceAccessForOrganizationInput{})
	if err != nil {
		t.Fatal(err)
	}
	if !slices.ContainsFunc(acc.EnabledServicePrincipals, func(p orgtypes.EnabledServicePrincipal) bool {
		return aws.ToString(p.ServicePrincipal) == "cloudtrail.amazonaws.com"
	}) {
		t.Errorf("trusted access for CloudTrail not enabled: %+v", acc.EnabledServicePrincipals)
	}

	// The bucket, in the log-archive account.
	s3c := awsapi.S3(w.as(n.la, otHome))
	if _, err := s3c.HeadBucket(bg, &s3.HeadBucketInput{Bucket: aws.String(n.bucket)}); err != nil {
		t.Fatalf("head bucket: %v", err)
	}
	pol := otPolicy(t, w, n)
	if diff := cmp.Diff(otOurSids, otSids(pol)); diff != "" {
		t.Errorf("policy statements (-want +got):\n%s", diff)
	}
	wantRes := map[string]string{
		"AWSCloudTrailAclCheck20150319":          "arn:aws:s3:::" + n.bucket,
		"AWSCloudTrailWrite20150319":             "arn:aws:s3:::" + n.bucket + "/AWSLogs/" + n.mgmt + "/*",
		"AWSCloudTrailOrganizationWrite20150319": "arn:aws:s3:::" + n.bucket + "/AWSLogs/" + w.org.ID + "/*",
	}
	for sid, res := range wantRes {
		st := pol[sid]
		if st["Resource"] != res || fmt.Sprint(st["Principal"]) != "map[Service:cloudtrail.amazonaws.com]" {
			t.Errorf("%s: %v", sid, st)
		}
		cond, _ := st["Condition"].(map[string]any)["StringEquals"].(map[string]any)
		if cond["aws:SourceArn"] != n.trailARN {
			t.Errorf("%s: condition %v, want aws:SourceArn %s", sid, cond, n.trailARN)
		}
	}
	pab, err := s3c.GetPublicAccessBlock(bg, &s3.GetPublicAccessBlockInput{Bucket: aws.String(n.bucket)})
	if err != nil {
		t.Fatal(err)
	}
	if c := pab.PublicAccessBlockConfiguration; !aws.ToBool(c.BlockPublicAcls) || !aws.ToBool(c.IgnorePublicAcls) || !aws.ToBool(c.BlockPublicPolicy) || !aws.ToBool(c.RestrictPublicBuckets) {
		t.Errorf("public access block %+v", c)
	}
	ver, err := s3c.GetBucketVersioning(bg, &s3.GetBucketVersioningInput{Bucket: aws.String(n.bucket)})
	if err != nil || ver.Status != s3types.BucketVersioningStatusEnabled {
		t.Errorf("versioning %v %v", ver, err)
	}
	enc, err := s3c.GetBucketEncryption(bg, &s3.GetBucketEncryptionInput{Bucket: aws.String(n.bucket)})
	if err != nil || enc.ServerSideEncryptionConfiguration.Rules[0].ApplyServerSideEncryptionByDefault.SSEAlgorithm != s3types.ServerSideEncryptionAes256 {
		t.Errorf("encryption %v %v", enc, err)
	}

	// The trail, in the management account.
	mgmt := w.as(n.mgmt, otHome)
	tr := otTrail(t, mgmt, n.trailARN)
	if !aws.ToBool(tr.IsOrganizationTrail) || !aws.ToBool(tr.IsMultiRegionTrail) || !aws.ToBool(tr.IncludeGlobalServiceEvents) ||
		!aws.ToBool(tr.LogFileValidationEnabled) || aws.ToString(tr.S3BucketName) != n.bucket || aws.ToString(tr.HomeRegion) != otHome ||
		tr.KmsKeyId != nil || tr.CloudWatchLogsLogGroupArn != nil {
		t.Errorf("trail %+v", tr)
	}
	if !otLogging(t, mgmt, n.trailARN) {
		t.Error("the trail is not logging")
	}

	// Every member sees it as an organization trail, in every region.
	member := w.id("Audit")
	for _, region := range []string{otHome, "eu-west-1"} {
		out, err := cloudtrail.NewFromConfig(w.as(member, region)).DescribeTrails(bg, &cloudtrail.DescribeTrailsInput{})
		if err != nil {
			t.Fatal(err)
		}
		if len(out.TrailList) != 1 || aws.ToString(out.TrailList[0].TrailARN) != n.trailARN || !aws.ToBool(out.TrailList[0].IsOrganizationTrail) {
			t.Errorf("member %s sees in %s: %+v", member, region, out.TrailList)
		}
	}
	if !otLogging(t, w.as(member, otHome), n.trailARN) {
		t.Error("the member does not see the organization trail logging")
	}
}

func TestOrganizationTrailDrift(t *testing.T) {
	tests := []struct {
		name   string
		drift  func(t testing.TB, w *world, n otNames)
		want   func(n otNames) string
		fields []string // the fields the change lists, when it is an update
		after  func(t testing.TB, w *world, n otNames)
	}{
		{
			name: "trail stopped",
			drift: func(t testing.TB, w *world, n otNames) {
				if _, err := cloudtrail.NewFromConfig(w.as(n.mgmt, otHome)).StopLogging(bg, &cloudtrail.StopLoggingInput{Name: aws.String(n.trailARN)}); err != nil {
					t.Fatal(err)
				}
			},
			want: func(n otNames) string {
				return "organizationTrail update cloudtrail/trail/org-trail/logging " + n.mgmt + " " + otHome
			},
			fields: []string{"isLogging"},
			after: func(t testing.TB, w *world, n otNames) {
				if !otLogging(t, w.as(n.mgmt, otHome), n.trailARN) {
					t.Error("not logging after apply")
				}
			},
		},
		{
			name: "log file validation off",
			drift: func(t testing.TB, w *world, n otNames) {
				if _, err := cloudtrail.NewFromConfig(w.as(n.mgmt, otHome)).UpdateTrail(bg, &cloudtrail.UpdateTrailInput{Name: aws.String(n.trailARN), EnableLogFileValidation: aws.Bool(false)}); err != nil {
					t.Fatal(err)
				}
			},
			want: func(n otNames) string {
				return "organizationTrail update cloudtrail/trail/org-trail " + n.mgmt + " " + otHome
			},
			fields: []string{"logFileValidationEnabled"},
			after: func(t testing.TB, w *world, n otNames) {
				if tr := otTrail(t, w.as(n.mgmt, otHome), n.trailARN); !aws.ToBool(tr.LogFileValidationEnabled) {
					t.Error("validation still off")
				}
			},
		},
		{
			name: "trail made single-region",
			drift: func(t testing.TB, w *world, n otNames) {
				if _, err := cloudtrail.NewFromConfig(w.as(n.mgmt, otHome)).UpdateTrail(bg, &cloudtrail.UpdateTrailInput{Name: aws.String(n.trailARN), IsMultiRegionTrail: aws.Bool(false)}); err != nil {
					t.Fatal(err)
				}
			},
			want: func(n otNames) string {
				return "organizationTrail update cloudtrail/trail/org-trail " + n.mgmt + " " + otHome
			},
			fields: []string{"isMultiRegionTrail"},
		},
		{
			name: "trail made a single-account trail",
			drift: func(t testing.TB, w *world, n otNames) {
				if _, err := cloudtrail.NewFromConfig(w.as(n.mgmt, otHome)).UpdateTrail(bg, &cloudtrail.UpdateTrailInput{Name: aws.String(n.trailARN), IsOrganizationTrail: aws.Bool(false)}); err != nil {
					t.Fatal(err)
				}
			},
			want: func(n otNames) string {
				return "organizationTrail update cloudtrail/trail/org-trail " + n.mgmt + " " + otHome
			},
			fields: []string{"isOrganizationTrail"},
		},
		{
			name: "write-only management events",
			drift: func(t testing.TB, w *world, n otNames) {
				_, err := cloudtrail.NewFromConfig(w.as(n.mgmt, otHome)).PutEventSelectors(bg, &cloudtrail.PutEventSelectorsInput{TrailName: aws.String(n.trailARN),
					EventSelectors: []cttypes.EventSelector{{ReadWriteType: cttypes.ReadWriteTypeWriteOnly, IncludeManagementEvents: aws.Bool(true)}}})
				if err != nil {
					t.Fatal(err)
				}
			},
			want: func(n otNames) string {
				return "organizationTrail update cloudtrail/trail/org-trail/event-selectors " + n.mgmt + " " + otHome
			},
			fields: []string{"eventSelectors"},
		},
		{
			name: "bucket policy deleted",
			drift: func(t testing.TB, w *world, n otNames) {
				if _, err := awsapi.S3(w.as(n.la, otHome)).DeleteBucketPolicy(bg, &s3.DeleteBucketPolicyInput{Bucket: aws.String(n.bucket)}); err != nil {
					t.Fatal(err)
				}
			},
			want: func(n otNames) string {
				return "organizationTrail create s3/" + n.bucket + "/policy " + n.la + " " + otHome
			},
			after: func(t testing.TB, w *world, n otNames) {
				if diff := cmp.Diff(otOurSids, otSids(otPolicy(t, w, n))); diff != "" {
					t.Errorf("policy (-want +got):\n%s", diff)
				}
			},
		},
		{
			name: "foreign statement added and ours narrowed",
			drift: func(t testing.TB, w *world, n otNames) {
				pol := otPolicy(t, w, n)
				write := pol["AWSCloudTrailWrite20150319"]
				delete(write, "Condition") // ours, changed behind our back
				otPutPolicy(t, w, n, otForeign(n), pol["AWSCloudTrailAclCheck20150319"], write, pol["AWSCloudTrailOrganizationWrite20150319"])
			},
			want: func(n otNames) string {
				return "organizationTrail update s3/" + n.bucket + "/policy " + n.la + " " + otHome
			},
			fields: []string{"AWSCloudTrailWrite20150319"},
			after: func(t testing.TB, w *world, n otNames) {
				pol := otPolicy(t, w, n)
				if diff := cmp.Diff(append(slices.Clone(otOurSids), "AuditorsMayList"), otSids(pol)); diff != "" {
					t.Errorf("policy (-want +got):\n%s", diff)
				}
				if diff := cmp.Diff(otForeign(n), pol["AuditorsMayList"]); diff != "" {
					t.Errorf("the foreign statement changed (-want +got):\n%s", diff)
				}
				if pol["AWSCloudTrailWrite20150319"]["Condition"] == nil {
					t.Error("our statement was not restored")
				}
			},
		},
		{
			name: "versioning suspended",
			drift: func(t testing.TB, w *world, n otNames) {
				_, err := awsapi.S3(w.as(n.la, otHome)).PutBucketVersioning(bg, &s3.PutBucketVersioningInput{Bucket: aws.String(n.bucket),
					VersioningConfiguration: &s3types.VersioningConfiguration{Status: s3types.BucketVersioningStatusSuspended}})
				if err != nil {
					t.Fatal(err)
				}
			},
			want: func(n otNames) string {
				return "organizationTrail update s3/" + n.bucket + "/versioning " + n.la + " " + otHome
			},
			fields: []string{"status"},
		},
		{
			name: "public access block relaxed",
			drift: func(t testing.TB, w *world, n otNames) {
				_, err := awsapi.S3(w.as(n.la, otHome)).PutPublicAccessBlock(bg, &s3.PutPublicAccessBlockInput{Bucket: aws.String(n.bucket),
					PublicAccessBlockConfiguration: &s3types.PublicAccessBlockConfiguration{BlockPublicAcls: aws.Bool(true), IgnorePublicAcls: aws.Bool(true),
						BlockPublicPolicy: aws.Bool(false), RestrictPublicBuckets: aws.Bool(false)}})
				if err != nil {
					t.Fatal(err)
				}
			},
			want: func(n otNames) string {
				return "organizationTrail update s3/" + n.bucket + "/public-access-block " + n.la + " " + otHome
			},
			fields: []string{"blockPublicPolicy", "restrictPublicBuckets"},
		},
		{
			name: "public access block removed",
			drift: func(t testing.TB, w *world, n otNames) {
				if _, err := awsapi.S3(w.as(n.la, otHome)).DeletePublicAccessBlock(bg, &s3.DeletePublicAccessBlockInput{Bucket: aws.String(n.bucket)}); err != nil {
					t.Fatal(err)
				}
			},
			want: func(n otNames) string {
				return "organizationTrail create s3/" + n.bucket + "/public-access-block " + n.la + " " + otHome
			},
		},
		{
			name: "encryption changed to another KMS key",
			drift: func(t testing.TB, w *world, n otNames) {
				_, err := awsapi.S3(w.as(n.la, otHome)).PutBucketEncryption(bg, &s3.PutBucketEncryptionInput{Bucket: aws.String(n.bucket),
					ServerSideEncryptionConfiguration: &s3types.ServerSideEncryptionConfiguration{Rules: []s3types.ServerSideEncryptionRule{{
						ApplyServerSideEncryptionByDefault: &s3types.ServerSideEncryptionByDefault{SSEAlgorithm: s3types.ServerSideEncryptionAwsKms,
							KMSMasterKeyID: aws.String("arn:aws:kms:us-east-1:" + n.la + ":key/11111111-2222-3333-4444-555555555555")}}}}})
				if err != nil {
					t.Fatal(err)
				}
			},
			want: func(n otNames) string {
				return "organizationTrail update s3/" + n.bucket + "/encryption " + n.la + " " + otHome
			},
			fields: []string{"kmsMasterKeyId", "sseAlgorithm"},
		},
		{
			name: "trusted access disabled",
			drift: func(t testing.TB, w *world, n otNames) {
				_, err := organizations.NewFromConfig(w.cfg).DisableAWSServiceAccess(bg, &organizations.DisableAWSServiceAccessInput{ServicePrincipal: aws.String("cloudtrail.amazonaws.com")})
				if err != nil {
					t.Fatal(err)
				}
			},
			want: func(n otNames) string {
				return "organizationTrail create organizations/trusted-access/cloudtrail.amazonaws.com " + n.mgmt
			},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			w := otWorld(t, otYAML())
			n := otNamesOf(w)
			w.converge()
			tt.drift(t, w, n)
			p := w.plan()
			otWant(t, p, tt.want(n))
			c := p.Sections()[0].Changes[0]
			if tt.fields != nil {
				if diff := cmp.Diff(tt.fields, otFieldNames(c)); diff != "" {
					t.Errorf("fields of %s (-want +got):\n%s", c.Resource, diff)
				}
			}
			if c.Reason == "" {
				t.Errorf("%s has no reason", c.Resource)
			}
			// The plan survives a round trip through a plan file.
			var back baseline.Change
			raw, _ := json.Marshal(c)
			if err := json.Unmarshal(raw, &back); err != nil || !back.Equal(c) {
				t.Errorf("change does not round-trip: %v", err)
			}
			w.converge()
			if tt.after != nil {
				tt.after(t, w, n)
			}
		})
	}
}

// Someone else's statements on the bucket are none of the control's business.
func TestOrganizationTrailIgnoresForeignStatements(t *testing.T) {
	w := otWorld(t, otYAML())
	n := otNamesOf(w)
	w.converge()
	pol := otPolicy(t, w, n)
	otPutPolicy(t, w, n, pol["AWSCloudTrailAclCheck20150319"], otForeign(n), pol["AWSCloudTrailWrite20150319"], pol["AWSCloudTrailOrganizationWrite20150319"])
	if p := w.plan(); p.ChangeCount() != 0 || len(planErrors(p)) > 0 {
		t.Fatalf("a foreign statement was planned:\n%s\n%v", describe(p), planErrors(p))
	}
}

// A bucket that already exists, with someone else's policy, gets our
// statements merged in and keeps theirs.
func TestOrganizationTrailMergesIntoAnExistingPolicy(t *testing.T) {
	w := otWorld(t, otYAML())
	n := otNamesOf(w)
	s3c := awsapi.S3(w.as(n.la, otHome))
	if _, err := s3c.CreateBucket(bg, &s3.CreateBucketInput{Bucket: aws.String(n.bucket)}); err != nil {
		t.Fatal(err)
	}
	otPutPolicy(t, w, n, otForeign(n))
	p := w.plan()
	b := "s3/" + n.bucket
	la := " " + n.la + " " + otHome
	otWant(t, p,
		"organizationTrail create organizations/trusted-access/cloudtrail.amazonaws.com "+n.mgmt,
		"organizationTrail update "+b+"/policy"+la,
		"organizationTrail update "+b+"/versioning"+la,
		"organizationTrail create cloudtrail/trail/org-trail "+n.mgmt+" "+otHome,
		"organizationTrail update cloudtrail/trail/org-trail/logging "+n.mgmt+" "+otHome,
	)
	if r := otChange(t, p, b+"/policy").Reason; !strings.Contains(r, "1 other statement(s) are kept") {
		t.Errorf("reason %q does not say the other statement is kept", r)
	}
	w.converge()
	pol := otPolicy(t, w, n)
	if diff := cmp.Diff(append(slices.Clone(otOurSids), "AuditorsMayList"), otSids(pol)); diff != "" {
		t.Errorf("policy (-want +got):\n%s", diff)
	}
	if diff := cmp.Diff(otForeign(n), pol["AuditorsMayList"]); diff != "" {
		t.Errorf("the foreign statement changed (-want +got):\n%s", diff)
	}
}

// otKeyPolicy is a key policy for a trail's KMS key in account: the
// default statement and the statements the CloudTrail user guide
// ("Configure AWS KMS key policies for CloudTrail") gives the service.
func otKeyPolicy(account string) string {
	return `{"Version":"2012-10-17","Statement":[
{"Sid":"Enable IAM User Permissions","Effect":"Allow","Principal":{"AWS":"arn:aws:iam::` + account + `:root"},"Action":"kms:*","Resource":"*"},
{"Sid":"Allow CloudTrail to encrypt logs","Effect":"Allow","Principal":{"Service":"cloudtrail.amazonaws.com"},"Action":"kms:GenerateDataKey*","Resource":"*",
 "Condition":{"StringLike":{"kms:EncryptionContext:aws:cloudtrail:arn":"arn:aws:cloudtrail:*:` + account + `:trail/*"}}},
{"Sid":"Allow CloudTrail to decrypt a trail","Effect":"Allow","Principal":{"Service":"cloudtrail.amazonaws.com"},"Action":"kms:Decrypt","Resource":"*"},
{"Sid":"Allow CloudTrail access","Effect":"Allow","Principal":{"Service":"cloudtrail.amazonaws.com"},"Action":"kms:DescribeKey","Resource":"*"}]}`
}

// otKey creates a KMS key in the management account with the key policy
// and returns its ARN.
func otKey(t testing.TB, w *world, policy string) string {
	t.Helper()
	out, err := kms.NewFromConfig(w.cfg).CreateKey(bg, &kms.CreateKeyInput{Policy: aws.String(policy)})
	if err != nil {
		t.Fatal(err)
	}
	return aws.ToString(out.KeyMetadata.Arn)
}

func TestOrganizationTrailKMS(t *testing.T) {
	base := otWorld(t, otYAML())
	n := otNamesOf(base)
	key := otKey(t, base, otKeyPolicy(n.mgmt))
	w := otWorldOn(t, base, otYAML("bucket:", "  kmsKeyId: "+key, "  keyPrefix: org/trail"))
	p := w.converge()
	if enc := otChange(t, p, "s3/"+n.bucket+"/encryption"); enc.After["sseAlgorithm"] != "aws:kms" || enc.After["kmsMasterKeyId"] != key {
		t.Errorf("encryption change %+v", enc.After)
	}
	out, err := awsapi.S3(w.as(n.la, otHome)).GetBucketEncryption(bg, &s3.GetBucketEncryptionInput{Bucket: aws.String(n.bucket)})
	if err != nil {
		t.Fatal(err)
	}
	r := out.ServerSideEncryptionConfiguration.Rules[0]
	if d := r.ApplyServerSideEncryptionByDefault; d.SSEAlgorithm != s3types.ServerSideEncryptionAwsKms || aws.ToString(d.KMSMasterKeyID) != key || !aws.ToBool(r.BucketKeyEnabled) {
		t.Errorf("bucket encryption %+v bucket key %v", d, r.BucketKeyEnabled)
	}
	tr := otTrail(t, w.as(n.mgmt, otHome), n.trailARN)
	if aws.ToString(tr.KmsKeyId) != key || aws.ToString(tr.S3KeyPrefix) != "org/trail" {
		t.Errorf("trail KmsKeyId %q prefix %q", aws.ToString(tr.KmsKeyId), aws.ToString(tr.S3KeyPrefix))
	}
	if st := otPolicy(t, w, n)["AWSCloudTrailWrite20150319"]; st["Resource"] != "arn:aws:s3:::"+n.bucket+"/org/trail/AWSLogs/"+n.mgmt+"/*" {
		t.Errorf("write statement with a prefix: %v", st["Resource"])
	}

	// Dropping the key from the baseline is planned back as SSE-S3 and no
	// trail key.
	w2 := otWorldOn(t, w, otYAML("bucket:", "  keyPrefix: org/trail"))
	p2 := w2.plan()
	otWant(t, p2,
		"organizationTrail update s3/"+n.bucket+"/encryption "+n.la+" "+otHome,
		"organizationTrail update cloudtrail/trail/org-trail "+n.mgmt+" "+otHome)
	if diff := cmp.Diff([]string{"kmsKeyId"}, otFieldNames(otChange(t, p2, "cloudtrail/trail/org-trail"))); diff != "" {
		t.Errorf("trail change fields (-want +got):\n%s", diff)
	}
	w2.converge()
	if tr := otTrail(t, w.as(n.mgmt, otHome), n.trailARN); tr.KmsKeyId != nil && aws.ToString(tr.KmsKeyId) != "" {
		t.Errorf("trail key not removed: %q", aws.ToString(tr.KmsKeyId))
	}
}

// otWorldOn is a world on the same simulated organization as w, with
// another baseline (what a user gets by editing baseline.yaml).
func otWorldOn(t testing.TB, w *world, yaml string) *world {
	t.Helper()
	w2 := &world{t: t, sim: w.sim, srv: w.srv, cfg: w.cfg, org: w.org, sel: w.sel, sessions: w.sessions, dir: t.TempDir()}
	b, err := baseline.LoadBytes("baseline.yaml", []byte(yaml), w2.dir)
	if err != nil {
		t.Fatal(err)
	}
	ctrls, err := controls.FromBaseline(b)
	if err != nil {
		t.Fatal(err)
	}
	e := *w.engine
	e.Controls = ctrls
	w2.engine, w2.baseline = &e, b
	return w2
}

// otTrustCloudTrail lets CloudTrail assume a role.
const otTrustCloudTrail = `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"Service":"cloudtrail.amazonaws.com"},"Action":"sts:AssumeRole"}]}`

// otLogsRole creates, in the management account, a role for CloudTrail's
// CloudWatch Logs delivery with the trust policy and, when logGroup is
// set, permission to write to it; the user made it before the run, so it
// has propagated. It returns the role's ARN.
func otLogsRole(t testing.TB, w *world, name, trust, logGroup string) string {
	t.Helper()
	ic := iam.NewFromConfig(w.cfg)
	out, err := ic.CreateRole(bg, &iam.CreateRoleInput{RoleName: aws.String(name), AssumeRolePolicyDocument: aws.String(trust)})
	if err != nil {
		t.Fatal(err)
	}
	if logGroup != "" {
		pol := `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":["logs:CreateLogStream","logs:PutLogEvents"],"Resource":"` + logGroup + `:*"}]}`
		if _, err := ic.PutRolePolicy(bg, &iam.PutRolePolicyInput{RoleName: aws.String(name), PolicyName: aws.String("logs"), PolicyDocument: aws.String(pol)}); err != nil {
			t.Fatal(err)
		}
	}
	w.sim.Advance(w.sim.AWSLike().PropagationDelay)
	return aws.ToString(out.Role.Arn)
}

func TestOrganizationTrailCloudWatchLogs(t *testing.T) {
	base := otWorld(t, otYAML())
	n := otNamesOf(base)
	group := "arn:aws:logs:us-east-1:" + n.mgmt + ":log-group:org-trail"
	role := otLogsRole(t, base, "CloudTrailToLogs", otTrustCloudTrail, group)
	w := otWorldOn(t, base, otYAML("cloudWatchLogs:", "  logGroupArn: "+group, "  roleArn: "+role))
	w.converge()
	tr := otTrail(t, w.as(n.mgmt, otHome), n.trailARN)
	if aws.ToString(tr.CloudWatchLogsLogGroupArn) != group+":*" || aws.ToString(tr.CloudWatchLogsRoleArn) != role {
		t.Errorf("trail CloudWatch Logs %q %q", aws.ToString(tr.CloudWatchLogsLogGroupArn), aws.ToString(tr.CloudWatchLogsRoleArn))
	}
}

// A log group of another account is refused before anything changes.
func TestOrganizationTrailCloudWatchLogsOfAnotherAccount(t *testing.T) {
	w := otWorld(t, otYAML("cloudWatchLogs:",
		"  logGroupArn: arn:aws:logs:us-east-1:111122223333:log-group:org-trail",
		"  roleArn: arn:aws:iam::111122223333:role/CloudTrailToLogs"))
	p := w.plan()
	errs := planErrors(p)
	if len(errs) != 1 || !strings.Contains(errs[0], "organizationTrail") || !strings.Contains(errs[0], "belongs to the management account") {
		t.Fatalf("plan errors %v", errs)
	}
	if p.ChangeCount() != 0 {
		t.Fatalf("changes planned despite the guard:\n%s", describe(p))
	}
}

func TestOrganizationTrailDelegatedAdministrator(t *testing.T) {
	w := otWorld(t, otYAML("delegatedAdministrator: audit"))
	n := otNamesOf(w)
	p := w.plan()
	want := otFromEmpty(n)
	want = slices.Insert(want, 1, "organizationTrail create organizations/delegated-administrator/cloudtrail.amazonaws.com/"+n.audit+" "+n.mgmt)
	want[len(want)-2] = "organizationTrail create cloudtrail/trail/org-trail " + n.audit + " " + otHome
	want[len(want)-1] = "organizationTrail update cloudtrail/trail/org-trail/logging " + n.audit + " " + otHome
	otWant(t, p, want...)
	w.converge()

	admins, err := organizations.NewFromConfig(w.cfg).ListDelegatedAdministrators(bg, &organizations.ListDelegatedAdministratorsInput{ServicePrincipal: aws.String("cloudtrail.amazonaws.com")})
	if err != nil {
		t.Fatal(err)
	}
	if len(admins.DelegatedAdministrators) != 1 || aws.ToString(admins.DelegatedAdministrators[0].Id) != n.audit {
		t.Errorf("delegated administrators %+v", admins.DelegatedAdministrators)
	}
	// The trail belongs to the management account, whoever created it.
	tr := otTrail(t, w.as(n.mgmt, otHome), n.trailARN)
	if !aws.ToBool(tr.IsOrganizationTrail) || !otLogging(t, w.as(n.audit, otHome), n.trailARN) {
		t.Errorf("trail %+v", tr)
	}
	// Drift is fixed from the delegated administrator.
	if _, err := cloudtrail.NewFromConfig(w.as(n.mgmt, otHome)).StopLogging(bg, &cloudtrail.StopLoggingInput{Name: aws.String(n.trailARN)}); err != nil {
		t.Fatal(err)
	}
	otWant(t, w.plan(), "organizationTrail update cloudtrail/trail/org-trail/logging "+n.audit+" "+otHome)
	w.converge()

	c := mustTrailControl(t, w)
	if acts := c.Actions(); !slices.Contains(acts, "cloudtrail:CreateTrail") || !slices.Contains(acts, "s3:PutBucketPolicy") {
		t.Errorf("actions with a delegated administrator: %v", acts)
	}
}

// The delegated administrator is registered with CloudTrail's own API,
// which creates CloudTrail's service-linked role in the management
// account; the trail the delegated administrator then creates converges
// in one apply, waiting for the registration, the role and the bucket
// policy to reach CloudTrail (AWS-like behaviour on).
func TestOrganizationTrailDelegatedAdministratorThroughCloudTrail(t *testing.T) {
	w := otWorld(t, otYAML("delegatedAdministrator: audit"))
	n := otNamesOf(w)
	p := w.plan()
	if errs := planErrors(p); len(errs) > 0 {
		t.Fatal(errs)
	}
	r := w.engine.ApplyOrg(bg, p.OrganizationScope.Changes)
	if len(r.Errors) > 0 {
		t.Fatalf("apply: %v", r.Errors)
	}
	calls := w.sim.Counters()
	if calls.Calls("cloudtrail", "RegisterOrganizationDelegatedAdmin") != 1 || calls.Calls("organizations", "RegisterDelegatedAdministrator") != 0 {
		t.Errorf("registered with cloudtrail %d times, with organizations %d times; want once with CloudTrail",
			calls.Calls("cloudtrail", "RegisterOrganizationDelegatedAdmin"), calls.Calls("organizations", "RegisterDelegatedAdministrator"))
	}
	for _, c := range calls.Filter(func(c orgsim.CallStat) bool { return c.Errors["NoManagementAccountSLRExistsException"] > 0 }) {
		t.Errorf("%s %s answered NoManagementAccountSLRExistsException", c.Service, c.Operation)
	}
	role, err := iam.NewFromConfig(w.cfg).GetRole(bg, &iam.GetRoleInput{RoleName: aws.String("AWSServiceRoleForCloudTrail")})
	if err != nil || aws.ToString(role.Role.Path) != "/aws-service-role/cloudtrail.amazonaws.com/" {
		t.Fatalf("CloudTrail's service-linked role in the management account: %+v %v", role, err)
	}
	var waited []string
	for _, wt := range r.Waits {
		waited = append(waited, wt.For)
	}
	if len(waited) != 1 || !strings.Contains(waited[0], "the registration of account "+n.audit+" as CloudTrail's delegated administrator") ||
		!strings.Contains(waited[0], "the policy just written to bucket "+n.bucket) {
		t.Errorf("waits %q", waited)
	}
	w.sim.ResetCounters()
	if again := w.plan(); again.ChangeCount() != 0 || len(planErrors(again)) > 0 {
		t.Fatalf("second plan:\n%s\n%v", describe(again), planErrors(again))
	}
}

// A delegated administrator registered earlier through AWS Organizations
// left the management account without CloudTrail's service-linked role:
// the plan creates it, and the trail converges.
func TestOrganizationTrailDelegatedAdministratorRegisteredThroughOrganizations(t *testing.T) {
	w := otWorld(t, otYAML("delegatedAdministrator: audit"))
	n := otNamesOf(w)
	org := organizations.NewFromConfig(w.cfg)
	if _, err := org.EnableAWSServiceAccess(bg, &organizations.EnableAWSServiceAccessInput{ServicePrincipal: aws.String("cloudtrail.amazonaws.com")}); err != nil {
		t.Fatal(err)
	}
	if _, err := org.RegisterDelegatedAdministrator(bg, &organizations.RegisterDelegatedAdministratorInput{
		AccountId: aws.String(n.audit), ServicePrincipal: aws.String("cloudtrail.amazonaws.com")}); err != nil {
		t.Fatal(err)
	}
	w.sim.Advance(w.sim.AWSLike().PropagationDelay) // registered long before this run
	p := w.plan()
	want := otFromEmpty(n)[1:] // trusted access is enabled
	want = slices.Insert(want, 0, "organizationTrail create iam/service-linked-role/cloudtrail.amazonaws.com "+n.mgmt)
	want[len(want)-2] = "organizationTrail create cloudtrail/trail/org-trail " + n.audit + " " + otHome
	want[len(want)-1] = "organizationTrail update cloudtrail/trail/org-trail/logging " + n.audit + " " + otHome
	otWant(t, p, want...)
	if r := otChange(t, p, "iam/service-linked-role/cloudtrail.amazonaws.com").Reason; !strings.Contains(r, "NoManagementAccountSLRExistsException") {
		t.Errorf("reason %q", r)
	}
	w.converge()
	if _, err := iam.NewFromConfig(w.cfg).GetRole(bg, &iam.GetRoleInput{RoleName: aws.String("AWSServiceRoleForCloudTrail")}); err != nil {
		t.Fatal(err)
	}
}

// The first apply on a fresh organization converges although the bucket
// policy it writes reaches CloudTrail only seconds later: it waits for
// that, and says so.
func TestOrganizationTrailWaitsForTheBucketPolicyItWrote(t *testing.T) {
	w := otWorld(t, otYAML())
	n := otNamesOf(w)
	p := w.plan()
	r := w.engine.ApplyOrg(bg, p.OrganizationScope.Changes)
	if len(r.Errors) > 0 {
		t.Fatalf("apply: %v", r.Errors)
	}
	if len(r.Waits) != 1 || r.Waits[0].For != "the policy just written to bucket "+n.bucket+" to reach CloudTrail" || r.Waits[0].Err != nil {
		t.Fatalf("waits %+v", r.Waits)
	}
	if again := w.plan(); again.ChangeCount() != 0 {
		t.Fatalf("second plan:\n%s", describe(again))
	}
}

// InsufficientS3BucketPolicyException for a policy this run did not write
// is no propagation: it fails at once, without waiting.
func TestOrganizationTrailDoesNotWaitForAPolicyItDidNotWrite(t *testing.T) {
	w := otWorld(t, otYAML())
	n := otNamesOf(w)
	w.converge()
	if _, err := cloudtrail.NewFromConfig(w.as(n.mgmt, otHome)).DeleteTrail(bg, &cloudtrail.DeleteTrailInput{Name: aws.String(n.trailARN)}); err != nil {
		t.Fatal(err)
	}
	pol := otPolicy(t, w, n)
	var stmts []map[string]any
	for _, sid := range otSids(pol) {
		stmts = append(stmts, pol[sid])
	}
	stmts = append(stmts, map[string]any{"Sid": "NoCloudTrail", "Effect": "Deny", "Principal": map[string]any{"Service": "cloudtrail.amazonaws.com"},
		"Action": "s3:PutObject", "Resource": "arn:aws:s3:::" + n.bucket + "/*"})
	otPutPolicy(t, w, n, stmts...)
	w.sim.Advance(w.sim.AWSLike().PropagationDelay)

	w2 := otWorldOn(t, w, otYAML()) // the next run
	p := w2.plan()
	otWant(t, p, "organizationTrail create cloudtrail/trail/org-trail "+n.mgmt+" "+otHome,
		"organizationTrail update cloudtrail/trail/org-trail/logging "+n.mgmt+" "+otHome)
	r := w2.engine.ApplyOrg(bg, p.OrganizationScope.Changes)
	if len(r.Errors) == 0 || !strings.Contains(r.Errors[0], "InsufficientS3BucketPolicyException") || strings.Contains(r.Errors[0], "did not settle") {
		t.Fatalf("errors %v", r.Errors)
	}
	if len(r.Waits) != 0 {
		t.Fatalf("waited for %+v", r.Waits)
	}
}

// A KMS key CloudTrail cannot find, or whose key policy does not let
// CloudTrail use it, fails the trail with an error that names the
// setting and the fix.
func TestOrganizationTrailKMSKeyErrors(t *testing.T) {
	tests := []struct {
		name string
		key  func(w *world, n otNames) string
		want []string
	}{
		{"no such key", func(w *world, n otNames) string {
			return "arn:aws:kms:us-east-1:" + n.mgmt + ":key/1234abcd-12ab-34cd-56ef-1234567890ab"
		}, []string{"KmsKeyNotFoundException", "controls.organizationTrail.bucket.kmsKeyId", "name an existing key"}},
		{"key policy without CloudTrail", func(w *world, n otNames) string {
			return otKey(t, w, strings.Replace(otKeyPolicy(n.mgmt), `"kms:DescribeKey"`, `"kms:ListAliases"`, 1))
		}, []string{"InsufficientEncryptionPolicyException", "controls.organizationTrail.bucket.kmsKeyId", "key policy", "kms:DescribeKey"}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			base := otWorld(t, otYAML())
			n := otNamesOf(base)
			w := otWorldOn(t, base, otYAML("bucket:", "  kmsKeyId: "+tc.key(base, n)))
			errs := w.apply(w.plan())
			if len(errs) == 0 {
				t.Fatal("apply succeeded")
			}
			for _, s := range tc.want {
				if !strings.Contains(errs[0], s) {
					t.Errorf("error lacks %q:\n%s", s, errs[0])
				}
			}
		})
	}
}

// A CloudWatch Logs role CloudTrail cannot assume, or that may not write to
// the log group, fails with an error that names the setting and the fix.
func TestOrganizationTrailCloudWatchLogsErrors(t *testing.T) {
	tests := []struct {
		name       string
		trust      string
		permission bool
		want       []string
	}{
		{"role does not trust CloudTrail", strings.Replace(otTrustCloudTrail, "cloudtrail", "config", 1), true,
			[]string{"InvalidCloudWatchLogsRoleArnException", "controls.organizationTrail.cloudWatchLogs.roleArn", "trust policy must allow the service principal cloudtrail.amazonaws.com"}},
		{"role may not write to the log group", otTrustCloudTrail, false,
			[]string{"InvalidCloudWatchLogsLogGroupArnException", "controls.organizationTrail.cloudWatchLogs.logGroupArn", "logs:CreateLogStream and logs:PutLogEvents"}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			base := otWorld(t, otYAML())
			n := otNamesOf(base)
			group := "arn:aws:logs:us-east-1:" + n.mgmt + ":log-group:org-trail"
			perm := ""
			if tc.permission {
				perm = group
			}
			role := otLogsRole(t, base, "CloudTrailToLogs", tc.trust, perm)
			w := otWorldOn(t, base, otYAML("cloudWatchLogs:", "  logGroupArn: "+group, "  roleArn: "+role))
			errs := w.apply(w.plan())
			if len(errs) == 0 {
				t.Fatal("apply succeeded")
			}
			for _, s := range tc.want {
				if !strings.Contains(errs[0], s) {
					t.Errorf("error lacks %q:\n%s", s, errs[0])
				}
			}
		})
	}
}

// The management account cannot be a delegated administrator: the plan
// fails before anything changes.
func TestOrganizationTrailDelegatedAdministratorIsManagement(t *testing.T) {
	sim := orgsim.New(orgsim.Options{Seed: 11, Org: orgsim.OrgSpec{Members: 4, Clean: true}})
	yaml := strings.Replace(otYAML("delegatedAdministrator: root"), "    audit: Audit\n", "    audit: Audit\n    root: \""+sim.ManagementAccountID()+"\"\n", 1)
	w := otWorld(t, yaml)
	errs := planErrors(w.plan())
	if len(errs) != 1 || !strings.Contains(errs[0], "cannot be a delegated administrator") {
		t.Fatalf("plan errors %v", errs)
	}
}

func mustTrailControl(t testing.TB, w *world) controls.Control {
	t.Helper()
	for _, c := range w.engine.Controls {
		if c.Name() == "organizationTrail" {
			return c
		}
	}
	t.Fatal("no organizationTrail control")
	return nil
}

func TestOrganizationTrailScopeAndActions(t *testing.T) {
	w := otWorld(t, otYAML())
	c := mustTrailControl(t, w)
	if c.Scope() != controls.ScopeOrganization {
		t.Errorf("scope %v", c.Scope())
	}
	want := []string{
		"s3:CreateBucket", "s3:GetBucketPolicy", "s3:GetBucketPublicAccessBlock", "s3:GetBucketVersioning", "s3:GetEncryptionConfiguration",
		"s3:ListBucket", "s3:PutBucketPolicy", "s3:PutBucketPublicAccessBlock", "s3:PutBucketVersioning", "s3:PutEncryptionConfiguration",
	}
	if diff := cmp.Diff(want, c.Actions()); diff != "" {
		t.Errorf("actions (-want +got):\n%s", diff)
	}
}

func TestOrganizationTrailPreflightErrors(t *testing.T) {
	tests := []struct {
		name string
		yaml string
		want string
	}{
		{"no log archive alias", "version: 1\ncontrols:\n  organizationTrail: {}\n",
			`controls.organizationTrail keeps its log bucket in the "logArchive" account, which organization.accounts does not declare: add logArchive: "Log Archive"`},
		{"bucket account alias not declared", otYAML("bucket: {account: archive}"),
			`the "archive" account, which organization.accounts does not declare`},
		{"delegated administrator not declared", otYAML("delegatedAdministrator: security"),
			`controls.organizationTrail.delegatedAdministrator is "security", which organization.accounts does not declare`},
		{"invalid trail name", otYAML("name: my--trail"),
			`controls.organizationTrail.name: trail name "my--trail" has "--" next to each other`},
		{"invalid bucket name", otYAML("bucket: {name: Logs_Bucket}"),
			`controls.organizationTrail.bucket.name: bucket name "Logs_Bucket" has the character 'L'`},
		{"KMS key of another region", otYAML("bucket: {kmsKeyId: arn:aws:kms:eu-west-1:111122223333:key/1234abcd-12ab-34cd-56ef-1234567890ab}"),
			`controls.organizationTrail.bucket.kmsKeyId arn:aws:kms:eu-west-1:111122223333:key/1234abcd-12ab-34cd-56ef-1234567890ab is a key of eu-west-1, but the trail and its bucket are in the home region us-east-1`},
		{"log group of another region", otYAML("cloudWatchLogs: {logGroupArn: \"arn:aws:logs:eu-west-1:111122223333:log-group:t\", roleArn: \"arn:aws:iam::111122223333:role/r\"}"),
			`controls.organizationTrail.cloudWatchLogs.logGroupArn is in eu-west-1, but the trail is in the home region us-east-1`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := tryWorld(t, orgsim.Options{Seed: 11, Org: orgsim.OrgSpec{Members: 2, Clean: true}}, tt.yaml, nil)
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Fatalf("error %v\nwant it to contain %q", err, tt.want)
			}
		})
	}
	// Switched off, nothing is required.
	w := otWorld(t, "version: 1\ncontrols:\n  organizationTrail: {enabled: false}\n")
	if len(w.engine.Controls) != 0 {
		t.Errorf("controls %v", w.engine.Controls)
	}
}

// otFindings indexes findings of the organizationTrail control by check
// and account.
func otFindings(fs []baseline.Finding) map[string]baseline.Finding {
	m := map[string]baseline.Finding{}
	for _, f := range fs {
		if f.Source == "control:organizationTrail" {
			m[f.Check+"|"+f.Account] = f
		}
	}
	return m
}

func TestOrganizationTrailFindings(t *testing.T) {
	w := otWorld(t, otYAML())
	n := otNamesOf(w)
	accounts := []string{n.mgmt}
	for _, a := range w.sel.Targets {
		accounts = append(accounts, a.ID)
	}
	check := func(want baseline.Status) {
		t.Helper()
		fs := otFindings(w.check())
		for _, a := range accounts {
			for check, cis := range map[string]string{"organizationTrail.allRegions": "CIS-3.0:3.1", "organizationTrail.logFileValidation": "CIS-3.0:3.2"} {
				f, ok := fs[check+"|"+a]
				if !ok {
					t.Fatalf("no %s finding for %s", check, a)
				}
				if f.Status != want || f.Compliance[0] != cis || !slices.Contains(f.Compliance, "SOC2:CC7.2") || f.Resource != n.trailARN || f.Region != otHome {
					t.Errorf("%s in %s: %s %v %s", check, a, f.Status, f.Compliance, f.Message)
				}
				if want == baseline.StatusFail && f.Remediation == "" {
					t.Errorf("%s in %s fails without remediation", check, a)
				}
			}
		}
		for _, check := range []string{"bucketPolicy", "bucketPublicAccessBlocked", "bucketVersioning", "bucketEncryption"} {
			f, ok := fs["organizationTrail."+check+"|"+n.la]
			if !ok {
				t.Fatalf("no %s finding for the log archive", check)
			}
			if f.Status != want || len(f.Compliance) == 0 || f.Resource != "arn:aws:s3:::"+n.bucket {
				t.Errorf("%s: %s %v %s", check, f.Status, f.Compliance, f.Message)
			}
		}
	}
	check(baseline.StatusFail)
	w.converge()
	check(baseline.StatusPass)

	// A stopped trail fails 3.1 only, in every account, saying why.
	if _, err := cloudtrail.NewFromConfig(w.as(n.mgmt, otHome)).StopLogging(bg, &cloudtrail.StopLoggingInput{Name: aws.String(n.trailARN)}); err != nil {
		t.Fatal(err)
	}
	fs := otFindings(w.check())
	for _, a := range accounts {
		if f := fs["organizationTrail.allRegions|"+a]; f.Status != baseline.StatusFail || !strings.Contains(f.Message, "it is not logging") {
			t.Errorf("stopped trail, %s: %s %s", a, f.Status, f.Message)
		}
		if f := fs["organizationTrail.logFileValidation|"+a]; f.Status != baseline.StatusPass {
			t.Errorf("stopped trail, validation in %s: %s", a, f.Status)
		}
	}
}

// Event selectors that leave out read management events are widened, and
// data event selectors are kept.
func TestOrganizationTrailKeepsDataEventSelectors(t *testing.T) {
	w := otWorld(t, otYAML())
	n := otNamesOf(w)
	w.converge()
	data := cttypes.EventSelector{ReadWriteType: cttypes.ReadWriteTypeAll, IncludeManagementEvents: aws.Bool(false),
		DataResources: []cttypes.DataResource{{Type: aws.String("AWS::S3::Object"), Values: []string{"arn:aws:s3:::payroll/"}}}}
	ct := cloudtrail.NewFromConfig(w.as(n.mgmt, otHome))
	_, err := ct.PutEventSelectors(bg, &cloudtrail.PutEventSelectorsInput{TrailName: aws.String(n.trailARN), EventSelectors: []cttypes.EventSelector{
		{ReadWriteType: cttypes.ReadWriteTypeWriteOnly, IncludeManagementEvents: aws.Bool(true)}, data}})
	if err != nil {
		t.Fatal(err)
	}
	otWant(t, w.plan(), "organizationTrail update cloudtrail/trail/org-trail/event-selectors "+n.mgmt+" "+otHome)
	w.converge()
	out, err := ct.GetEventSelectors(bg, &cloudtrail.GetEventSelectorsInput{TrailName: aws.String(n.trailARN)})
	if err != nil {
		t.Fatal(err)
	}
	if len(out.EventSelectors) != 2 || out.EventSelectors[0].ReadWriteType != cttypes.ReadWriteTypeAll || !aws.ToBool(out.EventSelectors[0].IncludeManagementEvents) ||
		len(out.EventSelectors[1].DataResources) != 1 || aws.ToBool(out.EventSelectors[1].IncludeManagementEvents) {
		t.Errorf("selectors after apply: %+v", out.EventSelectors)
	}

	// Advanced selectors: the readOnly filter is dropped from the
	// management selector; the data selector stays.
	_, err = ct.PutEventSelectors(bg, &cloudtrail.PutEventSelectorsInput{TrailName: aws.String(n.trailARN), AdvancedEventSelectors: []cttypes.AdvancedEventSelector{
		{Name: aws.String("mgmt writes"), FieldSelectors: []cttypes.AdvancedFieldSelector{
			{Field: aws.String("eventCategory"), Equals: []string{"Management"}}, {Field: aws.String("readOnly"), Equals: []string{"false"}}}},
		{Name: aws.String("s3 data"), FieldSelectors: []cttypes.AdvancedFieldSelector{
			{Field: aws.String("eventCategory"), Equals: []string{"Data"}}, {Field: aws.String("resources.type"), Equals: []string{"AWS::S3::Object"}}}},
	}})
	if err != nil {
		t.Fatal(err)
	}
	otWant(t, w.plan(), "organizationTrail update cloudtrail/trail/org-trail/event-selectors "+n.mgmt+" "+otHome)
	w.converge()
	out, err = ct.GetEventSelectors(bg, &cloudtrail.GetEventSelectorsInput{TrailName: aws.String(n.trailARN)})
	if err != nil {
		t.Fatal(err)
	}
	if a := out.AdvancedEventSelectors; len(a) != 2 || len(a[0].FieldSelectors) != 1 || aws.ToString(a[1].Name) != "s3 data" {
		t.Errorf("advanced selectors after apply: %+v", a)
	}
}

// When CloudTrail's endpoint fails, this control's error is reported and
// the other controls of the same baseline still converge.
func TestOrganizationTrailCloudTrailDown(t *testing.T) {
	yaml := strings.Replace(otYAML(), "controls:\n", "controls:\n  passwordPolicy: {minimumPasswordLength: 14}\n", 1)
	w, err := tryWorld(t, orgsim.Options{Seed: 11, Org: orgsim.OrgSpec{Members: 3, Clean: true},
		Faults: orgsim.Faults{Rules: []orgsim.FaultRule{{Service: "cloudtrail", ErrorRate: 1}}}}, yaml, nil)
	if err != nil {
		t.Fatal(err)
	}
	otDownThenOthersConverge(t, w, "InternalFailure")
}

// An endpoint that answers CloudTrail with an HTML error page (a proxy, an
// emulator without it) is an error of this control, not a crash.
func TestOrganizationTrailEndpointWithoutCloudTrail(t *testing.T) {
	for _, pg := range garbageAnswers {
		t.Run(pg.name, func(t *testing.T) {
			yaml := strings.Replace(otYAML(), "controls:\n", "controls:\n  passwordPolicy: {minimumPasswordLength: 14}\n", 1)
			w := newWorld(t, orgsim.OrgSpec{Members: 3, Clean: true}, yaml, nil)
			srv := httptest.NewServer(http.HandlerFunc(func(rw http.ResponseWriter, r *http.Request) {
				if strings.Contains(r.Header.Get("Authorization"), "/cloudtrail/aws4_request") {
					rw.Header().Set("Content-Type", "text/html")
					rw.WriteHeader(pg.status)
					fmt.Fprint(rw, pg.body)
					return
				}
				w.sim.ServeHTTP(rw, r)
			}))
			t.Cleanup(srv.Close)
			otRedirect(t, w, srv.URL)
			otDownThenOthersConverge(t, w, "the endpoint does not seem to offer CloudTrail")
		})
	}
}

// otRedirect points every session of w at endpoint.
func otRedirect(t testing.TB, w *world, endpoint string) {
	t.Helper()
	c := w.sim.ManagementCredentials()
	cfg, err := awsapi.Load(context.Background(), awsapi.Options{Region: otHome, Endpoint: endpoint, NoBackoff: true, MaxAttempts: 2,
		Static: &aws.Credentials{AccessKeyID: c.AccessKeyID, SecretAccessKey: c.SecretAccessKey}})
	if err != nil {
		t.Fatal(err)
	}
	s := orgwalk.NewSessions(cfg, orgwalk.SessionOptions{Role: w.baseline.Organization.ExecutionRole, SessionName: "orgbaseline-test",
		ManagementAccountID: w.org.ManagementAccountID})
	e := *w.engine
	org := *e.Org
	org.Sessions = s
	e.Org, e.Sessions = &org, s
	w.engine, w.sessions, w.cfg = &e, s, cfg
}

// otDownThenOthersConverge plans and applies with CloudTrail unusable: the
// organization scope reports organizationTrail's error and changes
// nothing of it, every account's password policy is applied, and a second
// plan has only the same error left.
func otDownThenOthersConverge(t *testing.T, w *world, want string) {
	t.Helper()
	p := w.plan()
	errs := planErrors(p)
	t.Logf("plan errors: %v", errs)
	if len(errs) != 1 || !strings.Contains(errs[0], "organizationTrail") || !strings.Contains(errs[0], "get trail arn:aws:cloudtrail:") || !strings.Contains(errs[0], want) {
		t.Fatalf("plan errors: %v", errs)
	}
	for _, c := range changes(p) {
		if strings.HasPrefix(c, "organizationTrail") {
			t.Errorf("organizationTrail planned despite its error: %s", c)
		}
	}
	if got := len(changes(p)); got != len(w.sel.Targets) {
		t.Fatalf("%d changes for %d accounts:\n%s", got, len(w.sel.Targets), describe(p))
	}
	if errs := w.apply(p); len(errs) != 0 {
		t.Fatalf("apply: %v", errs)
	}
	again := w.plan()
	if len(planErrors(again)) != 1 || again.ChangeCount() != 0 {
		t.Fatalf("second plan: %v\n%s", planErrors(again), describe(again))
	}
}

func TestMergePolicy(t *testing.T) {
	ours := []controls.PolicyStatement{
		{"Sid": "Ours", "Effect": "Allow", "Principal": map[string]any{"Service": "cloudtrail.amazonaws.com"}, "Action": "s3:GetBucketAcl", "Resource": "arn:aws:s3:::b"},
		{"Sid": "New", "Effect": "Allow", "Principal": map[string]any{"Service": "cloudtrail.amazonaws.com"}, "Action": "s3:PutObject", "Resource": "arn:aws:s3:::b/<x>&*"},
	}
	tests := []struct {
		name, doc, want string
	}{
		{"no policy", "",
			`{"Version":"2012-10-17","Statement":[` +
				`{"Action":"s3:GetBucketAcl","Effect":"Allow","Principal":{"Service":"cloudtrail.amazonaws.com"},"Resource":"arn:aws:s3:::b","Sid":"Ours"},` +
				`{"Action":"s3:PutObject","Effect":"Allow","Principal":{"Service":"cloudtrail.amazonaws.com"},"Resource":"arn:aws:s3:::b/<x>&*","Sid":"New"}]}`},
		{"replaced in place, others kept as written", `{ "Id": "keep", "Version": "2008-10-17", "Statement": [ {"Sid": "Theirs", "Effect": "Deny", "Principal": "*", "Action": "s3:*", "Resource": "arn:aws:s3:::b/*", "Condition": {"Bool": {"aws:SecureTransport": "false"}}}, {"Sid":"Ours","Effect":"Allow","Principal":{"Service":"x.amazonaws.com"},"Action":"s3:*","Resource":"arn:aws:s3:::b"}, {"Effect":"Allow","Principal":{"AWS":"arn:aws:iam::111122223333:root"},"Action":"s3:ListBucket","Resource":"arn:aws:s3:::b"} ] }`,
			`{"Version":"2008-10-17","Id":"keep","Statement":[` +
				`{"Sid":"Theirs","Effect":"Deny","Principal":"*","Action":"s3:*","Resource":"arn:aws:s3:::b/*","Condition":{"Bool":{"aws:SecureTransport":"false"}}},` +
				`{"Action":"s3:GetBucketAcl","Effect":"Allow","Principal":{"Service":"cloudtrail.amazonaws.com"},"Resource":"arn:aws:s3:::b","Sid":"Ours"},` +
				`{"Effect":"Allow","Principal":{"AWS":"arn:aws:iam::111122223333:root"},"Action":"s3:ListBucket","Resource":"arn:aws:s3:::b"},` +
				`{"Action":"s3:PutObject","Effect":"Allow","Principal":{"Service":"cloudtrail.amazonaws.com"},"Resource":"arn:aws:s3:::b/<x>&*","Sid":"New"}]}`},
		{"a single statement object", `{"Version":"2012-10-17","Statement":{"Sid":"Theirs","Effect":"Allow","Principal":{"AWS":"arn:aws:iam::111122223333:root"},"Action":"s3:ListBucket","Resource":"arn:aws:s3:::b"}}`,
			`{"Version":"2012-10-17","Statement":[` +
				`{"Sid":"Theirs","Effect":"Allow","Principal":{"AWS":"arn:aws:iam::111122223333:root"},"Action":"s3:ListBucket","Resource":"arn:aws:s3:::b"},` +
				`{"Action":"s3:GetBucketAcl","Effect":"Allow","Principal":{"Service":"cloudtrail.amazonaws.com"},"Resource":"arn:aws:s3:::b","Sid":"Ours"},` +
				`{"Action":"s3:PutObject","Effect":"Allow","Principal":{"Service":"cloudtrail.amazonaws.com"},"Resource":"arn:aws:s3:::b/<x>&*","Sid":"New"}]}`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := controls.MergePolicy(tt.doc, ours)
			if err != nil {
				t.Fatal(err)
			}
			if got != tt.want {
				t.Errorf("MergePolicy:\n got %s\nwant %s", got, tt.want)
			}
			again, err := controls.MergePolicy(got, ours)
			if err != nil || again != got {
				t.Errorf("merging twice changes the policy:\n%s\n%s", got, again)
			}
		})
	}
	if _, err := controls.MergePolicy("[]", ours); err == nil {
		t.Error("a policy that is not an object was merged")
	}
	if _, err := controls.MergePolicy("", []controls.PolicyStatement{{"Effect": "Allow"}}); err == nil {
		t.Error("a statement without a Sid was merged")
	}
}

// Apply is idempotent: the same plan applied twice succeeds (the bucket is
// already ours, the trail already exists and is updated instead), outside
// us-east-1 too, where S3 needs a location constraint and answers
// BucketAlreadyOwnedByYou.
func TestOrganizationTrailApplyTwiceOutsideUSEast1(t *testing.T) {
	yaml := strings.Replace(otYAML(), "organization:\n", "organization:\n  homeRegion: eu-west-1\n  regions: [eu-west-1, us-east-1]\n", 1)
	w := otWorld(t, yaml)
	la, mgmt := w.id("Log Archive"), w.sim.ManagementAccountID()
	bucket := "orgbaseline-cloudtrail-" + la + "-eu-west-1"
	arn := "arn:aws:cloudtrail:eu-west-1:" + mgmt + ":trail/org-trail"
	p := w.plan()
	if c := otChange(t, p, "s3/"+bucket); c.Region != "eu-west-1" || c.Account != la {
		t.Fatalf("bucket change %+v", c)
	}
	for i := 0; i < 2; i++ {
		if errs := w.apply(p); len(errs) > 0 {
			t.Fatalf("apply #%d: %v", i+1, errs)
		}
	}
	w.sim.ResetCounters()
	if again := w.plan(); again.ChangeCount() != 0 || len(planErrors(again)) > 0 {
		t.Fatalf("after applying twice:\n%s\n%v", describe(again), planErrors(again))
	}
	loc, err := awsapi.S3(w.as(la, "eu-west-1")).GetBucketLocation(bg, &s3.GetBucketLocationInput{Bucket: aws.String(bucket)})
	if err != nil || loc.LocationConstraint != "eu-west-1" {
		t.Errorf("bucket location %v %v", loc, err)
	}
	if tr := otTrail(t, w.as(mgmt, "eu-west-1"), arn); aws.ToString(tr.HomeRegion) != "eu-west-1" || !aws.ToBool(tr.IsMultiRegionTrail) {
		t.Errorf("trail %+v", tr)
	}
	// Seen from a member in the other governed region, as a shadow of the
	// organization trail.
	out, err := cloudtrail.NewFromConfig(w.as(w.id("Audit"), "us-east-1")).DescribeTrails(bg, &cloudtrail.DescribeTrailsInput{})
	if err != nil || len(out.TrailList) != 1 || aws.ToString(out.TrailList[0].HomeRegion) != "eu-west-1" {
		t.Errorf("member view in us-east-1: %+v %v", out, err)
	}
}

// The trail lives in the home region only: CloudTrail down there is this
// control's error (and the password policy still converges); down in
// another governed region, nothing of the control notices.
func TestOrganizationTrailRegionalFault(t *testing.T) {
	yaml := strings.Replace(otYAML(), "organization:\n", "organization:\n  regions: [us-east-1, eu-west-1]\n", 1)
	yaml = strings.Replace(yaml, "controls:\n", "controls:\n  passwordPolicy: {minimumPasswordLength: 14}\n", 1)
	fault := func(region string) orgsim.Options {
		return orgsim.Options{Seed: 11, Org: orgsim.OrgSpec{Members: 3, Clean: true},
			Faults: orgsim.Faults{Rules: []orgsim.FaultRule{{Service: "cloudtrail", Region: region, ErrorRate: 1}}}}
	}
	t.Run("home region down", func(t *testing.T) {
		w, err := tryWorld(t, fault(otHome), yaml, nil)
		if err != nil {
			t.Fatal(err)
		}
		otDownThenOthersConverge(t, w, "InternalFailure")
	})
	t.Run("another region down", func(t *testing.T) {
		w, err := tryWorld(t, fault("eu-west-1"), yaml, nil)
		if err != nil {
			t.Fatal(err)
		}
		w.converge()
		n := otNamesOf(w)
		if !otLogging(t, w.as(n.mgmt, otHome), n.trailARN) {
			t.Error("the trail is not logging")
		}
	})
}

// In the aws-us-gov partition every ARN the control plans (the trail,
// the bucket policy's resources and conditions) is in that partition.
// (The plan, not the apply: orgsim's S3 does not yet take bucket policies
// with aws-us-gov resources.)
func TestOrganizationTrailPartition(t *testing.T) {
	const home = "us-gov-west-1"
	yaml := strings.Replace(otYAML(), "organization:\n", "organization:\n  homeRegion: "+home+"\n  regions: ["+home+"]\n", 1)
	w, err := tryWorld(t, orgsim.Options{Seed: 11, Org: orgsim.OrgSpec{Members: 4, Clean: true}, Partition: "aws-us-gov"}, yaml, nil)
	if err != nil {
		t.Fatal(err)
	}
	w.engine.Org.Partition = "aws-us-gov" // the run reads it from the caller's ARN
	p := w.plan()
	if errs := planErrors(p); len(errs) > 0 {
		t.Fatal(errs)
	}
	la, mgmt := w.id("Log Archive"), w.sim.ManagementAccountID()
	bucket := "orgbaseline-cloudtrail-" + la + "-" + home
	arn := "arn:aws-us-gov:cloudtrail:" + home + ":" + mgmt + ":trail/org-trail"
	if got := otChange(t, p, "cloudtrail/trail/org-trail").After["arn"]; got != arn {
		t.Errorf("trail ARN %v, want %s", got, arn)
	}
	pol, err := json.Marshal(otChange(t, p, "s3/"+bucket+"/policy").After)
	if err != nil {
		t.Fatal(err)
	}
	if strings.Contains(string(pol), "arn:aws:") || !strings.Contains(string(pol), `"arn:aws-us-gov:s3:::`+bucket+`"`) || !strings.Contains(string(pol), `"`+arn+`"`) {
		t.Errorf("bucket policy statements not in aws-us-gov: %s", pol)
	}
}
