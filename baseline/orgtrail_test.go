package baseline

import (
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

// trailYAML returns a baseline with controls.organizationTrail made of the
// given lines (which start at line 4, column 5).
func trailYAML(lines ...string) string {
	return "version: 1\ncontrols:\n  organizationTrail:\n    " + strings.Join(lines, "\n    ") + "\n"
}

func TestOrganizationTrailValidationErrors(t *testing.T) {
	tests := []struct {
		name string
		yaml string
		want []string
	}{
		{"trail name too short", trailYAML("name: ab"), []string{
			`b.yaml:4:11: controls.organizationTrail.name: trail name "ab" has 2 characters; a trail name has 3 to 128 (or remove the key for org-trail)`}},
		{"trail name with a space", trailYAML(`name: "org trail"`), []string{
			`b.yaml:4:11: controls.organizationTrail.name: trail name "org trail" has the character ' '; use only letters, digits, periods, underscores and hyphens`}},
		{"trail name with adjacent specials", trailYAML("name: org-_trail"), []string{
			`b.yaml:4:11: controls.organizationTrail.name: trail name "org-_trail" has "-_" next to each other`}},
		{"trail name ending with a hyphen", trailYAML("name: org-trail-"), []string{
			`b.yaml:4:11: controls.organizationTrail.name: trail name "org-trail-" must start and end with a letter or digit`}},
		{"trail name an IP address", trailYAML("name: 10.0.0.1"), []string{
			`b.yaml:4:11: controls.organizationTrail.name: trail name "10.0.0.1" is formatted as an IP address`}},
		{"trail name empty", trailYAML(`name: ""`), []string{
			`b.yaml:4:11: controls.organizationTrail.name: trail name "" has 0 characters`}},
		{"bucket name with uppercase", trailYAML("bucket:", "  name: My-Logs"), []string{
			`b.yaml:5:13: controls.organizationTrail.bucket.name: bucket name "My-Logs" has the character 'M'; use only lowercase letters, digits, periods and hyphens`}},
		{"bucket name too long", trailYAML("bucket:", "  name: "+strings.Repeat("a", 64)), []string{
			`b.yaml:5:13: controls.organizationTrail.bucket.name: bucket name "aaaa`}},
		{"bucket name with two periods", trailYAML("bucket:", "  name: logs..trail"), []string{
			`b.yaml:5:13: controls.organizationTrail.bucket.name: bucket name "logs..trail" has two adjacent periods`}},
		{"bucket name reserved prefix", trailYAML("bucket:", "  name: xn--logs"), []string{
			`b.yaml:5:13: controls.organizationTrail.bucket.name: bucket name "xn--logs" starts with "xn--"`}},
		{"bucket name an IP address", trailYAML("bucket:", "  name: 192.168.5.4"), []string{
			`b.yaml:5:13: controls.organizationTrail.bucket.name: bucket name "192.168.5.4" is formatted as an IP address`}},
		{"bucket account not an alias", trailYAML("bucket:", "  account: Log Archive"), []string{
			`b.yaml:5:16: controls.organizationTrail.bucket.account "Log Archive" is not an account alias`}},
		{"kms key not an ARN", trailYAML("bucket:", "  kmsKeyId: alias/trail"), []string{
			`b.yaml:5:17: controls.organizationTrail.bucket.kmsKeyId "alias/trail" is not a KMS key ARN; give the key's full ARN`}},
		{"key prefix with a trailing slash", trailYAML("bucket:", "  keyPrefix: logs/"), []string{
			`b.yaml:5:18: controls.organizationTrail.bucket.keyPrefix: key prefix "logs/" starts or ends with a slash`}},
		{"key prefix too long", trailYAML("bucket:", "  keyPrefix: "+strings.Repeat("p", 201)), []string{
			`b.yaml:5:18: controls.organizationTrail.bucket.keyPrefix: key prefix has 201 characters; CloudTrail allows at most 200`}},
		{"key prefix with a wildcard", trailYAML("bucket:", "  keyPrefix: logs*"), []string{
			`b.yaml:5:18: controls.organizationTrail.bucket.keyPrefix: key prefix "logs*" has * or ?`}},
		{"log group without role", trailYAML("cloudWatchLogs:", "  logGroupArn: arn:aws:logs:us-east-1:111122223333:log-group:trail"), []string{
			`b.yaml:5:7: controls.organizationTrail.cloudWatchLogs has a logGroupArn but no roleArn`}},
		{"role without log group", trailYAML("cloudWatchLogs:", "  roleArn: arn:aws:iam::111122223333:role/trail"), []string{
			`b.yaml:5:7: controls.organizationTrail.cloudWatchLogs has a roleArn but no logGroupArn`}},
		{"log group not an ARN", trailYAML("cloudWatchLogs:", "  logGroupArn: trail-logs", "  roleArn: arn:aws:iam::111122223333:role/trail"), []string{
			`b.yaml:5:20: controls.organizationTrail.cloudWatchLogs.logGroupArn "trail-logs" is not a CloudWatch Logs log group ARN`}},
		{"role not an ARN", trailYAML("cloudWatchLogs:", "  logGroupArn: arn:aws:logs:us-east-1:111122223333:log-group:trail", "  roleArn: trail-role"), []string{
			`b.yaml:6:16: controls.organizationTrail.cloudWatchLogs.roleArn "trail-role" is not an IAM role ARN`}},
		{"log group and role in different accounts", trailYAML("cloudWatchLogs:", "  logGroupArn: arn:aws:logs:us-east-1:111122223333:log-group:trail", "  roleArn: arn:aws:iam::444455556666:role/trail"), []string{
			`b.yaml:6:16: controls.organizationTrail.cloudWatchLogs.roleArn is in account 444455556666 but the log group is in account 111122223333`}},
		{"delegated administrator not an alias", trailYAML("delegatedAdministrator: 123456789012"), []string{
			`b.yaml:4:29: controls.organizationTrail.delegatedAdministrator "123456789012" is not an account alias`}},
		{"unknown key", trailYAML("bucket:", "  nmae: logs"), []string{
			`b.yaml:5:7: unknown key "nmae" in controls.organizationTrail.bucket; did you mean "name"?`}},
		{"bucket a string", trailYAML("bucket: my-logs"), []string{
			`b.yaml:4:13: controls.organizationTrail.bucket: expected a mapping of key: value, got "my-logs"`}},
		{"several at once", trailYAML("name: x", "bucket:", "  name: X"), []string{
			`b.yaml:4:11: controls.organizationTrail.name: trail name "x"`,
			`b.yaml:6:13: controls.organizationTrail.bucket.name: bucket name "X"`}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := LoadBytes("b.yaml", []byte(tt.yaml), "")
			if err == nil {
				t.Fatalf("loaded without error:\n%s", tt.yaml)
			}
			checkDiags(t, err, tt.want)
		})
	}
}

func TestOrganizationTrailValid(t *testing.T) {
	tests := []struct {
		name string
		yaml string
		want OrganizationTrailSettings
	}{
		{"defaults", trailYAML("enabled: true"),
			OrganizationTrailSettings{Name: DefaultTrailName, BucketAccount: DefaultLogArchiveAlias}},
		{"empty mapping", "version: 1\ncontrols:\n  organizationTrail: {}\n",
			OrganizationTrailSettings{Name: DefaultTrailName, BucketAccount: DefaultLogArchiveAlias}},
		{"every key", trailYAML(
			"name: Org.Trail_2",
			"bucket:",
			"  name: acme.cloudtrail-logs",
			"  account: archive",
			"  kmsKeyId: arn:aws:kms:us-east-1:111122223333:key/1234abcd-12ab-34cd-56ef-1234567890ab",
			"  keyPrefix: org/cloudtrail",
			"cloudWatchLogs:",
			"  logGroupArn: arn:aws:logs:us-east-1:111122223333:log-group:org-trail",
			"  roleArn: arn:aws:iam::111122223333:role/service/CloudTrailToLogs",
			"delegatedAdministrator: audit"),
			OrganizationTrailSettings{
				Name: "Org.Trail_2", BucketName: "acme.cloudtrail-logs", BucketAccount: "archive",
				KMSKeyID:    "arn:aws:kms:us-east-1:111122223333:key/1234abcd-12ab-34cd-56ef-1234567890ab",
				KeyPrefix:   "org/cloudtrail",
				LogGroupArn: "arn:aws:logs:us-east-1:111122223333:log-group:org-trail:*",
				RoleArn:     "arn:aws:iam::111122223333:role/service/CloudTrailToLogs", DelegatedAdministrator: "audit",
			}},
		{"log group already with the wildcard", trailYAML("cloudWatchLogs:",
			"  logGroupArn: arn:aws:logs:us-east-1:111122223333:log-group:org-trail:*",
			"  roleArn: arn:aws:iam::111122223333:role/CloudTrailToLogs"),
			OrganizationTrailSettings{Name: DefaultTrailName, BucketAccount: DefaultLogArchiveAlias,
				LogGroupArn: "arn:aws:logs:us-east-1:111122223333:log-group:org-trail:*", RoleArn: "arn:aws:iam::111122223333:role/CloudTrailToLogs"}},
		{"optional strings written empty", trailYAML(`bucket: {kmsKeyId: "", keyPrefix: ""}`, `cloudWatchLogs: {logGroupArn: "", roleArn: ""}`, `delegatedAdministrator: ""`),
			OrganizationTrailSettings{Name: DefaultTrailName, BucketAccount: DefaultLogArchiveAlias}},
		{"multi-region KMS key", trailYAML("bucket: {kmsKeyId: arn:aws:kms:eu-west-1:111122223333:key/mrk-1234abcd12ab34cd56ef1234567890ab}"),
			OrganizationTrailSettings{Name: DefaultTrailName, BucketAccount: DefaultLogArchiveAlias,
				KMSKeyID: "arn:aws:kms:eu-west-1:111122223333:key/mrk-1234abcd12ab34cd56ef1234567890ab"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			b, err := LoadBytes("b.yaml", []byte(tt.yaml), "")
			if err != nil {
				t.Fatal(err)
			}
			c := b.Controls.OrganizationTrail
			if !c.IsEnabled() {
				t.Fatal("not enabled")
			}
			if diff := cmp.Diff(tt.want, c.Resolved()); diff != "" {
				t.Errorf("Resolved() (-want +got):\n%s", diff)
			}
		})
	}
}

func TestOrganizationTrailDisabled(t *testing.T) {
	b, err := LoadBytes("b.yaml", []byte(trailYAML("enabled: false")), "")
	if err != nil {
		t.Fatal(err)
	}
	if b.Controls.OrganizationTrail.IsEnabled() {
		t.Error("enabled: false is enabled")
	}
	var nilTrail *OrganizationTrail
	if nilTrail.IsEnabled() {
		t.Error("a nil control is enabled")
	}
	if got := nilTrail.Resolved(); got.Name != DefaultTrailName || got.BucketAccount != DefaultLogArchiveAlias {
		t.Errorf("nil Resolved() = %+v", got)
	}
}

// A later file switches off what an earlier one set by writing "".
func TestOrganizationTrailOverrideToUnset(t *testing.T) {
	ps := fakeProfiles(map[string]string{"base": trailYAML(
		"bucket: {kmsKeyId: arn:aws:kms:us-east-1:111122223333:key/1234abcd-12ab-34cd-56ef-1234567890ab}",
		"delegatedAdministrator: audit")})
	b, err := loadBytes("b.yaml", []byte(`version: 1
extends: [base]
controls:
  organizationTrail:
    bucket: {kmsKeyId: ""}
    delegatedAdministrator: ""
`), "", ps)
	if err != nil {
		t.Fatal(err)
	}
	if got := b.Controls.OrganizationTrail.Resolved(); got.KMSKeyID != "" || got.DelegatedAdministrator != "" {
		t.Errorf("Resolved() = %+v; want the KMS key and the delegated administrator unset", got)
	}
}

func TestCheckTrailAndBucketNames(t *testing.T) {
	for _, n := range []string{"org-trail", "abc", "Org.Trail_2", "a1b", strings.Repeat("t", 128), "1.2.3"} {
		if err := CheckTrailName(n); err != nil {
			t.Errorf("CheckTrailName(%q) = %v", n, err)
		}
	}
	for _, n := range []string{"ab", "-abc", "abc.", "a..b", "a b", "1.2.3.4", strings.Repeat("t", 129), "a_-b"} {
		if CheckTrailName(n) == nil {
			t.Errorf("CheckTrailName(%q) accepted", n)
		}
	}
	for _, n := range []string{"orgbaseline-cloudtrail-111122223333-us-east-1", "a.b-c", "abc", strings.Repeat("b", 63)} {
		if err := CheckBucketName(n); err != nil {
			t.Errorf("CheckBucketName(%q) = %v", n, err)
		}
	}
	for _, n := range []string{"ab", "Abc", "a_b", "-ab", "ab-", "a..b", "10.1.2.3", "sthree-x", "amzn-s3-demo-x", "x-s3alias", "x--ol-s3", "x.mrap", strings.Repeat("b", 64)} {
		if CheckBucketName(n) == nil {
			t.Errorf("CheckBucketName(%q) accepted", n)
		}
	}
}
