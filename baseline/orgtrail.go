package baseline

import (
	"fmt"
	"net"
	"regexp"
	"strings"
)

// OrganizationTrail is controls.organizationTrail: one CloudTrail
// organization trail (multi-region, global service events, log file
// validation, logging), and its log bucket in the log-archive account
// (bucket policy for CloudTrail merged into the bucket's policy, public
// access blocked, versioning, default encryption). CIS AWS Foundations
// 3.0 items 3.1 and 3.2.
//
// Optional strings may be written "" to mean "not set", so that a later
// file can switch off what an earlier one set (a KMS key, a CloudWatch
// Logs group, a delegated administrator).
type OrganizationTrail struct {
	// Enabled (default true) lets a later file switch the control off.
	Enabled *bool `yaml:"enabled"`
	// Name of the trail; default DefaultTrailName. CloudTrail's name rules
	// are checked offline.
	Name string `yaml:"name"`
	// Bucket is the S3 bucket the trail delivers to.
	Bucket OrganizationTrailBucket `yaml:"bucket"`
	// CloudWatchLogs, when set, also delivers the trail to a CloudWatch
	// Logs group of the management account in the home region.
	CloudWatchLogs OrganizationTrailCloudWatchLogs `yaml:"cloudWatchLogs"`
	// DelegatedAdministrator is an alias of organization.accounts: that
	// account is registered as CloudTrail's delegated administrator (from
	// the management account) and creates and manages the trail. Unset or
	// "": the management account manages the trail.
	DelegatedAdministrator string `yaml:"delegatedAdministrator"`
}

// OrganizationTrailBucket is controls.organizationTrail.bucket.
type OrganizationTrailBucket struct {
	// Name of the bucket; default
	// "orgbaseline-cloudtrail-<log archive account id>-<home region>".
	Name string `yaml:"name"`
	// Account is the alias (organization.accounts) of the account that
	// owns the bucket; default DefaultLogArchiveAlias.
	Account string `yaml:"account"`
	// KMSKeyID is the ARN of a KMS key in the home region: the bucket's
	// default encryption becomes SSE-KMS with it, and the trail encrypts
	// its log files with it. Unset or "": SSE-S3 (AES256), and the trail
	// uses no KMS key.
	KMSKeyID string `yaml:"kmsKeyId"`
	// KeyPrefix is the S3 key prefix of the log files (1-200 characters,
	// no leading or trailing slash). Unset or "": no prefix.
	KeyPrefix string `yaml:"keyPrefix"`
}

// OrganizationTrailCloudWatchLogs is controls.organizationTrail.cloudWatchLogs:
// set both or neither.
type OrganizationTrailCloudWatchLogs struct {
	// LogGroupArn is the log group's ARN (a trailing ":*" is added when
	// missing, as CloudTrail expects).
	LogGroupArn string `yaml:"logGroupArn"`
	// RoleArn is the role CloudTrail assumes to write to the log group.
	RoleArn string `yaml:"roleArn"`
}

// Defaults of controls.organizationTrail.
const (
	DefaultTrailName       = "org-trail"
	DefaultLogArchiveAlias = "logArchive"
	// MaxTrailKeyPrefix is CloudTrail's limit on S3KeyPrefix.
	MaxTrailKeyPrefix = 200
)

// OrganizationTrailSettings is controls.organizationTrail with defaults
// applied. BucketName is "" when it is to be derived from the log-archive
// account id and the home region (known only once the organization is
// read).
type OrganizationTrailSettings struct {
	Name                   string
	BucketName             string
	BucketAccount          string // alias
	KMSKeyID               string
	KeyPrefix              string
	LogGroupArn            string // with the ":*" suffix, or ""
	RoleArn                string
	DelegatedAdministrator string // alias, or ""
}

// IsEnabled reports whether the control is declared and not switched off.
func (c *OrganizationTrail) IsEnabled() bool { return c != nil && (c.Enabled == nil || *c.Enabled) }

// Resolved returns the settings with defaults for what is not set.
func (c *OrganizationTrail) Resolved() OrganizationTrailSettings {
	s := OrganizationTrailSettings{Name: DefaultTrailName, BucketAccount: DefaultLogArchiveAlias}
	if c == nil {
		return s
	}
	if c.Name != "" {
		s.Name = c.Name
	}
	if c.Bucket.Account != "" {
		s.BucketAccount = c.Bucket.Account
	}
	s.BucketName = c.Bucket.Name
	s.KMSKeyID = c.Bucket.KMSKeyID
	s.KeyPrefix = c.Bucket.KeyPrefix
	s.LogGroupArn = LogGroupArnForTrail(c.CloudWatchLogs.LogGroupArn)
	s.RoleArn = c.CloudWatchLogs.RoleArn
	s.DelegatedAdministrator = c.DelegatedAdministrator
	return s
}

// LogGroupArnForTrail returns a log group ARN as CloudTrail takes and
// reports it: with the ":*" log stream wildcard. "" stays "".
func LogGroupArnForTrail(arn string) string {
	if arn == "" || strings.HasSuffix(arn, ":*") {
		return arn
	}
	return arn + ":*"
}

var (
	// KMSKeyARNRe matches a KMS key ARN; groups: region, account, key id.
	KMSKeyARNRe = regexp.MustCompile(`^arn:aws[a-z-]*:kms:([a-z0-9-]+):(\d{12}):key/((?:mrk-)?[0-9a-fA-F-]{32,36})$`)
	// LogGroupARNRe matches a CloudWatch Logs log group ARN; groups:
	// region, account, log group name.
	LogGroupARNRe = regexp.MustCompile(`^arn:aws[a-z-]*:logs:([a-z0-9-]+):(\d{12}):log-group:([A-Za-z0-9_./#-]{1,512})(?::\*)?$`)
	// IAMRoleARNRe matches an IAM role ARN; groups: account, role name.
	IAMRoleARNRe = regexp.MustCompile(`^arn:aws[a-z-]*:iam::(\d{12}):role/(?:[\x21-\x7e]*/)?([\w+=,.@-]{1,64})$`)
)

var trailIPRe = regexp.MustCompile(`^\d{1,3}\.\d{1,3}\.\d{1,3}\.\d{1,3}$`)

// CheckTrailName applies CloudTrail's trail name rules: 3 to 128 ASCII
// letters, digits, periods, underscores and hyphens; starting and ending
// with a letter or digit; no two of . _ - next to each other; not an IP
// address. The error says what to fix.
func CheckTrailName(n string) error {
	alnum := func(b byte) bool { return b >= 'a' && b <= 'z' || b >= 'A' && b <= 'Z' || b >= '0' && b <= '9' }
	special := func(b byte) bool { return b == '.' || b == '_' || b == '-' }
	if len(n) < 3 || len(n) > 128 {
		return fmt.Errorf("trail name %s has %d characters; a trail name has 3 to 128", quote(n), len(n))
	}
	for i := 0; i < len(n); i++ {
		if !alnum(n[i]) && !special(n[i]) {
			return fmt.Errorf("trail name %s has the character %q; use only letters, digits, periods, underscores and hyphens", quote(n), n[i])
		}
		if i > 0 && special(n[i]) && special(n[i-1]) {
			return fmt.Errorf("trail name %s has %s next to each other; separate periods, underscores and hyphens with a letter or digit", quote(n), quote(n[i-1:i+1]))
		}
	}
	if !alnum(n[0]) || !alnum(n[len(n)-1]) {
		return fmt.Errorf("trail name %s must start and end with a letter or digit", quote(n))
	}
	if trailIPRe.MatchString(n) {
		return fmt.Errorf("trail name %s is formatted as an IP address, which CloudTrail refuses; choose a name", quote(n))
	}
	return nil
}

// CheckBucketName applies the S3 general purpose bucket naming rules: 3 to
// 63 lowercase letters, digits, periods and hyphens; starting and ending
// with a letter or digit; no two adjacent periods; not an IP address; none
// of the prefixes and suffixes S3 reserves. The error says what to fix.
func CheckBucketName(n string) error {
	if len(n) < 3 || len(n) > 63 {
		return fmt.Errorf("bucket name %s has %d characters; a bucket name has 3 to 63", quote(n), len(n))
	}
	for i := 0; i < len(n); i++ {
		ch := n[i]
		if !(ch >= 'a' && ch <= 'z' || ch >= '0' && ch <= '9' || ch == '.' || ch == '-') {
			return fmt.Errorf("bucket name %s has the character %q; use only lowercase letters, digits, periods and hyphens", quote(n), ch)
		}
	}
	alnum := func(ch byte) bool { return ch >= 'a' && ch <= 'z' || ch >= '0' && ch <= '9' }
	if !alnum(n[0]) || !alnum(n[len(n)-1]) {
		return fmt.Errorf("bucket name %s must start and end with a lowercase letter or digit", quote(n))
	}
	if strings.Contains(n, "..") {
		return fmt.Errorf("bucket name %s has two adjacent periods; remove one", quote(n))
	}
	if ip := net.ParseIP(n); ip != nil && ip.To4() != nil {
		return fmt.Errorf("bucket name %s is formatted as an IP address, which S3 refuses; choose a name", quote(n))
	}
	for _, p := range []string{"xn--", "sthree-", "amzn-s3-demo-"} {
		if strings.HasPrefix(n, p) {
			return fmt.Errorf("bucket name %s starts with %s, which S3 reserves; choose another name", quote(n), quote(p))
		}
	}
	for _, s := range []string{"-s3alias", "--ol-s3", ".mrap", "--x-s3", "--table-s3"} {
		if strings.HasSuffix(n, s) {
			return fmt.Errorf("bucket name %s ends with %s, which S3 reserves; choose another name", quote(n), quote(s))
		}
	}
	return nil
}

// checkKeyPrefix checks an S3 key prefix for CloudTrail log files.
func checkKeyPrefix(p string) error {
	switch {
	case len(p) > MaxTrailKeyPrefix:
		return fmt.Errorf("key prefix has %d characters; CloudTrail allows at most %d", len(p), MaxTrailKeyPrefix)
	case strings.HasPrefix(p, "/") || strings.HasSuffix(p, "/"):
		return fmt.Errorf("key prefix %s starts or ends with a slash; write it without (e.g. cloudtrail or logs/cloudtrail)", quote(p))
	case strings.Contains(p, "//"):
		return fmt.Errorf("key prefix %s has an empty path segment (//); remove it", quote(p))
	case strings.ContainsAny(p, "*?"):
		return fmt.Errorf("key prefix %s has * or ?, which the bucket policy would read as wildcards; remove them", quote(p))
	}
	for _, r := range p {
		if r < 0x20 || r == 0x7f {
			return fmt.Errorf("key prefix %s has a control character; remove it", quote(p))
		}
	}
	return nil
}

func (c *OrganizationTrail) validate(v *validation, path string) {
	if v.has(path + ".name") {
		if err := CheckTrailName(c.Name); err != nil {
			v.errorf(path+".name", "%s: %v (or remove the key for %s)", path+".name", err, DefaultTrailName)
		}
	}
	bp := path + ".bucket"
	if v.has(bp + ".name") {
		if err := CheckBucketName(c.Bucket.Name); err != nil {
			v.errorf(bp+".name", "%s: %v (or remove the key for the default orgbaseline-cloudtrail-<log archive account id>-<home region>)", bp+".name", err)
		}
	}
	if v.has(bp+".account") && !accountAliasRe.MatchString(c.Bucket.Account) {
		v.errorf(bp+".account", "%s %s is not an account alias; give an alias declared under organization.accounts (e.g. %s), or remove the key for %s",
			bp+".account", quote(c.Bucket.Account), DefaultLogArchiveAlias, DefaultLogArchiveAlias)
	}
	if v.has(bp+".kmsKeyId") && c.Bucket.KMSKeyID != "" && !KMSKeyARNRe.MatchString(c.Bucket.KMSKeyID) {
		v.errorf(bp+".kmsKeyId", "%s %s is not a KMS key ARN; give the key's full ARN (arn:aws:kms:<home region>:<account>:key/<key id>): the bucket and the trail live in different accounts, so a key id or alias would name a different key in each",
			bp+".kmsKeyId", quote(c.Bucket.KMSKeyID))
	}
	if v.has(bp+".keyPrefix") && c.Bucket.KeyPrefix != "" {
		if err := checkKeyPrefix(c.Bucket.KeyPrefix); err != nil {
			v.errorf(bp+".keyPrefix", "%s: %v", bp+".keyPrefix", err)
		}
	}
	cp := path + ".cloudWatchLogs"
	cw := c.CloudWatchLogs
	if v.has(cp+".logGroupArn") && cw.LogGroupArn != "" && !LogGroupARNRe.MatchString(cw.LogGroupArn) {
		v.errorf(cp+".logGroupArn", "%s %s is not a CloudWatch Logs log group ARN; write arn:aws:logs:<home region>:<management account>:log-group:<name>", cp+".logGroupArn", quote(cw.LogGroupArn))
	}
	if v.has(cp+".roleArn") && cw.RoleArn != "" && !IAMRoleARNRe.MatchString(cw.RoleArn) {
		v.errorf(cp+".roleArn", "%s %s is not an IAM role ARN; write arn:aws:iam::<management account>:role/<name>", cp+".roleArn", quote(cw.RoleArn))
	}
	if v.full && !v.bad(cp+".logGroupArn") && !v.bad(cp+".roleArn") {
		switch {
		case cw.LogGroupArn != "" && cw.RoleArn == "":
			v.errorf(cp, "%s has a logGroupArn but no roleArn; CloudTrail needs both (the role it assumes to write to the group), or remove both", cp)
		case cw.LogGroupArn == "" && cw.RoleArn != "":
			v.errorf(cp, "%s has a roleArn but no logGroupArn; CloudTrail needs both, or remove both", cp)
		case cw.LogGroupArn != "" && LogGroupARNRe.MatchString(cw.LogGroupArn) && IAMRoleARNRe.MatchString(cw.RoleArn):
			g := LogGroupARNRe.FindStringSubmatch(cw.LogGroupArn)[2]
			r := IAMRoleARNRe.FindStringSubmatch(cw.RoleArn)[1]
			if g != r {
				v.errorf(cp+".roleArn", "%s is in account %s but the log group is in account %s; CloudTrail needs both in the account that owns the trail (the management account)", cp+".roleArn", r, g)
			}
		}
	}
	dp := path + ".delegatedAdministrator"
	if v.has(dp) && c.DelegatedAdministrator != "" && !accountAliasRe.MatchString(c.DelegatedAdministrator) {
		v.errorf(dp, "%s %s is not an account alias; give an alias declared under organization.accounts (e.g. audit), or remove the key to manage the trail from the management account",
			dp, quote(c.DelegatedAdministrator))
	}
}
