// Command root-account is orgbaseline's first-party check of the root
// user, from the account's IAM credential report and account summary: MFA
// on (CIS-3.0 1.5), no access keys (1.4), and no recent use (1.7: the root
// user is not for daily work).
//
// A root user without any credentials (no password, access keys or signing
// certificates: what centralized root access leaves in a member account
// once it deleted them, and what a member account created with it on has
// from the start) passes 1.5 and 1.4 by design: it cannot sign in, so it
// needs no MFA, and the findings say so. Which credentials exist comes from
// iam:GetAccountSummary (AccountPasswordPresent, AccountMFAEnabled,
// AccountAccessKeysPresent, AccountSigningCertificatesPresent: what CIS's
// audit procedures read), because the credential report cannot tell (its
// root row's password_enabled is not_supported) and IAM serves a report for
// four hours, so it may predate a deletion; the report gives the details
// (which key, its age, its last use, the signing certificates).
//
// Config (JSON Schema in Describe):
//
//	rootUseWindowDays: 30   # FAIL when the root password or an access key was used within this many days
//
// Thirty days is the default because the few tasks that need the root user
// (AWS lists them: closing the account, changing its support plan,
// restoring a locked key policy...) come a few times a year at most; a sign-in
// in the last month is worth a question. Set 1 to flag only the last day's
// use (as some scanners do), or 90 for a quarterly access review.
//
// It calls only iam:GenerateCredentialReport, iam:GetCredentialReport and
// iam:GetAccountSummary.
package main

import (
	"context"
	"fmt"
	"maps"
	"strconv"
	"strings"
	"time"

	"github.com/aws/aws-sdk-go-v2/service/iam"
	"github.com/aws/aws-sdk-go-v2/service/iam/types"

	"github.com/orgbaseline/orgbaseline/plugins"
	"github.com/orgbaseline/orgbaseline/plugins/checks/internal/checkkit"
	"github.com/orgbaseline/orgbaseline/plugins/checks/internal/iamread"
)

const (
	checkID      = "root-account"
	checkVersion = "1.1.0"
)

// check is the root-account check.
type check struct {
	plugins.UnimplementedCheck
}

var _ plugins.Check = (*check)(nil)

// config is the check's config; defaults in defaultConfig.
type config struct {
	RootUseWindowDays int `json:"rootUseWindowDays"`
}

func defaultConfig() config { return config{RootUseWindowDays: 30} }

// Validate says what is wrong with the config (checkkit.Validator).
func (c config) Validate() error {
	if c.RootUseWindowDays < 1 || c.RootUseWindowDays > 3650 {
		return fmt.Errorf("%s config: rootUseWindowDays is %d; it must be between 1 and 3650", checkID, c.RootUseWindowDays)
	}
	return nil
}

const configSchema = `{
  "$schema": "https://json-schema.org/draft/2020-12/schema",
  "title": "root-account check config",
  "type": "object",
  "additionalProperties": false,
  "properties": {
    "rootUseWindowDays": {
      "description": "FAIL root-account.recent-use when the root user's password or an access key was last used within this many days (CIS-3.0 1.7).",
      "type": "integer",
      "minimum": 1,
      "maximum": 3650,
      "default": 30
    }
  }
}`

var (
	ruleMFA = checkkit.Rule{
		ID:       checkID + ".mfa",
		Title:    "Root user has MFA enabled",
		Severity: plugins.SeverityCritical,
		Remediation: "Sign in as the root user and assign an MFA device under Security credentials (a FIDO2 security key or " +
			"hardware token is best); in member accounts of an organization you can instead remove the root credentials " +
			"with IAM's centralized root access management.",
		Compliance: []string{"CIS-3.0:1.5", "SOC2:CC6.2", "ISO27001:A.9.2", "HIPAA:164.312(d)", "NIST-CSF:PR.AC", "CMMC:IA.L2-3.5.3"},
	}
	ruleKeys = checkkit.Rule{
		ID:       checkID + ".access-keys",
		Title:    "Root user has no access keys",
		Severity: plugins.SeverityCritical,
		Remediation: "Delete the root user's access keys (root user, Security credentials, Access keys) after moving " +
			"whatever used them to an IAM role; nothing should call AWS as the root user.",
		Compliance: []string{"CIS-3.0:1.4", "SOC2:CC6.1", "ISO27001:A.9.2", "HIPAA:164.312(a)(1)", "NIST-CSF:PR.AC", "CMMC:AC.L2-3.1.1"},
	}
	ruleUse = checkkit.Rule{
		ID:       checkID + ".recent-use",
		Title:    "Root user is not used for daily work",
		Severity: plugins.SeverityHigh,
		Remediation: "Find out who used the root user and why (CloudTrail events with userIdentity.type Root), give them " +
			"an IAM role for that work, and keep the root credentials locked away for the few tasks only root can do.",
		Compliance: []string{"CIS-3.0:1.7", "SOC2:CC6.1", "ISO27001:A.9.2", "HIPAA:164.312(a)(1)", "NIST-CSF:PR.AC", "CMMC:AC.L2-3.1.5"},
	}
	rules = []checkkit.Rule{ruleMFA, ruleKeys, ruleUse}
)

// actions are exactly the IAM actions Run calls.
var actions = []string{"iam:GenerateCredentialReport", "iam:GetAccountSummary", "iam:GetCredentialReport"}

// Describe says what the check is and needs.
func (c *check) Describe(context.Context, *plugins.DescribeRequest) (*plugins.DescribeResponse, error) {
	return &plugins.DescribeResponse{
		ID:      checkID,
		Version: checkVersion,
		Title:   "Root user: MFA on, no access keys, not used for daily work",
		Description: "Reads the account's IAM credential report once and its account summary, and gives three verdicts on the root user: " +
			"root-account.mfa (MFA enabled, CIS-3.0 1.5), root-account.access-keys (no access key exists, active or not, 1.4; " +
			"signing certificates are reported with it) and root-account.recent-use (neither the password nor an access key used " +
			"within rootUseWindowDays, default 30, 1.7). A root user with no credentials at all (no password, access keys or " +
			"signing certificates, as centralized root access leaves member accounts) passes 1.5 and 1.4 by design: it cannot sign in. " +
			"Which credentials exist is the account summary's (current); the report gives their details. " +
			"Ages are measured against the run's clock.",
		DefaultSeverity: plugins.SeverityHigh,
		Compliance:      checkkit.Compliance(rules),
		Actions:         append([]string(nil), actions...),
		ConfigSchema:    configSchema,
	}, nil
}

// Run gives the three verdicts for one account. A config it cannot read is
// an error (the check cannot run); a failed AWS call makes every verdict
// that needs it an ERROR finding naming the action: the credential report
// all three, the account summary root-account.mfa and
// root-account.access-keys.
func (c *check) Run(ctx context.Context, req *plugins.RunRequest) (*plugins.RunResponse, error) {
	cfg := defaultConfig()
	awsCfg, err := checkkit.Setup(ctx, checkID, req, &cfg)
	if err != nil {
		return nil, err
	}
	account := iamread.AccountARN(iamread.Partition(req.HomeRegion), req.Account.ID)
	client := iam.NewFromConfig(awsCfg)
	rep, err := iamread.FetchCredentialReport(ctx, client, iamread.ReportOptions{})
	if err == nil && rep.Root == nil {
		err = fmt.Errorf("the credential report has no %s row", iamread.RootUser)
	}
	if err != nil {
		msg := fmt.Sprintf("Could not read the credential report of account %s: %v", req.Account.ID, err)
		return &plugins.RunResponse{Findings: checkkit.Errors(rules, account, msg)}, nil
	}
	in := input{root: *rep.Root, generated: rep.Generated}
	if in.creds, err = readRootCredentials(ctx, client); err != nil {
		in.credsErr = fmt.Sprintf("Could not read the account summary of account %s: %v", req.Account.ID, err)
	}
	return &plugins.RunResponse{Findings: evaluate(in, cfg, req.Now)}, nil
}

// summaryAPI is the part of the IAM client readRootCredentials needs.
type summaryAPI interface {
	GetAccountSummary(ctx context.Context, in *iam.GetAccountSummaryInput, optFns ...func(*iam.Options)) (*iam.GetAccountSummaryOutput, error)
}

// rootCredentials are the root user's credentials as the account summary
// tells them: whether each kind exists now (the credential report may be
// up to four hours old, and cannot tell whether the root user has a
// password at all).
type rootCredentials struct {
	Password, MFA, AccessKeys, SigningCertificates bool
	// PasswordKnown is false when the summary has no
	// AccountPasswordPresent: IAM's API reference lists the entry, but its
	// older examples lack it, so its absence is not an error; the root user
	// may then have a password (Password is false, None too).
	PasswordKnown bool
	// Evidence is the summary entries as IAM gave them.
	Evidence map[string]string
}

// None reports whether the root user is known to have no credentials to
// sign in or sign requests with: no password, access keys or signing
// certificates. An MFA device is no credential on its own.
func (r *rootCredentials) None() bool {
	return r.PasswordKnown && !r.Password && !r.AccessKeys && !r.SigningCertificates
}

// summaryKeys are the account summary's entries on the root user.
var summaryKeys = []types.SummaryKeyType{
	types.SummaryKeyTypeAccountPasswordPresent, types.SummaryKeyTypeAccountMFAEnabled,
	types.SummaryKeyTypeAccountAccessKeysPresent, types.SummaryKeyTypeAccountSigningCertificatesPresent,
}

// readRootCredentials reads the root user's credentials from
// iam:GetAccountSummary. A summary without one of summaryKeys but
// AccountPasswordPresent is an error: the check cannot tell what the root
// user has.
func readRootCredentials(ctx context.Context, api summaryAPI) (*rootCredentials, error) {
	out, err := api.GetAccountSummary(ctx, &iam.GetAccountSummaryInput{})
	if err != nil {
		return nil, &iamread.CallError{Action: "iam:GetAccountSummary", Err: err}
	}
	r := &rootCredentials{Evidence: map[string]string{}}
	var missing []string
	for _, k := range summaryKeys {
		v, ok := out.SummaryMap[string(k)]
		if !ok {
			if k != types.SummaryKeyTypeAccountPasswordPresent {
				missing = append(missing, string(k))
			}
			continue
		}
		r.Evidence[string(k)] = strconv.Itoa(int(v))
		present := v > 0
		switch k {
		case types.SummaryKeyTypeAccountPasswordPresent:
			r.Password, r.PasswordKnown = present, true
		case types.SummaryKeyTypeAccountMFAEnabled:
			r.MFA = present
		case types.SummaryKeyTypeAccountAccessKeysPresent:
			r.AccessKeys = present
		case types.SummaryKeyTypeAccountSigningCertificatesPresent:
			r.SigningCertificates = present
		}
	}
	if len(missing) > 0 {
		return nil, fmt.Errorf("iam:GetAccountSummary: the summary has no %s", strings.Join(missing, ", "))
	}
	return r, nil
}

// input is what evaluate judges.
type input struct {
	root      iamread.ReportRow // the credential report's root row
	generated time.Time         // when IAM generated the report; zero if it did not say
	creds     *rootCredentials  // nil when the account summary could not be read
	credsErr  string            // why, then: the message of the ERROR findings
}

// noCredentials is the message of both by-design passes.
const noCredentials = "The root user has no credentials (centralized root access removed them or never set them): " +
	"no password, access keys or signing certificates"

// evaluate gives the verdicts on the root user.
func evaluate(in input, cfg config, now time.Time) []plugins.Finding {
	root := in.root
	resource := root.ARN
	var out []plugins.Finding
	creds := in.creds
	withCreds := func(ev map[string]string) map[string]string {
		if creds != nil {
			maps.Copy(ev, creds.Evidence)
		}
		return ev
	}
	report := "the credential report"
	if !in.generated.IsZero() {
		report += " (generated " + in.generated.UTC().Format(time.RFC3339) + ")"
	}
	keys := presentKeys(root, now)
	certs := presentCerts(root, now)

	// CIS 1.5. A root user without credentials cannot sign in: MFA has
	// nothing to protect.
	ev := withCreds(map[string]string{"mfa_active": root.Fields["mfa_active"]})
	switch {
	case creds == nil:
		out = append(out, ruleMFA.Error(resource, in.credsErr))
	case creds.MFA:
		out = append(out, ruleMFA.Pass(resource, "MFA is enabled for the root user.", ev))
	case creds.Password:
		out = append(out, ruleMFA.Fail(resource, "The root user has no MFA device: its password alone signs in with full control of the account.", ev))
	case creds.None():
		out = append(out, ruleMFA.Pass(resource, noCredentials+". It cannot sign in, so MFA is not needed.", ev))
	case !creds.PasswordKnown:
		msg := "The root user has no MFA device, and the account summary does not say whether it has a password " +
			"(no AccountPasswordPresent entry): it may sign in with its password alone."
		out = append(out, ruleMFA.Fail(resource, msg, ev))
	default:
		msg := fmt.Sprintf("The root user has no MFA device and no password, but it still has %s: only a root user without any "+
			"credentials needs no MFA. Delete them (centralized root access can).", otherCreds(creds))
		out = append(out, ruleMFA.Fail(resource, msg, ev))
	}

	// CIS 1.4: a key that exists is a finding even when inactive; it can be
	// reactivated by whoever holds the root password. Signing certificates
	// are not access keys (1.4 passes without keys) but are reported here:
	// they are the root user's other long-lived credentials.
	ev = withCreds(map[string]string{})
	for _, k := range root.AccessKeys {
		for _, col := range []string{"_active", "_last_rotated", "_last_used_date"} {
			ev[k.Column()+col] = root.Fields[k.Column()+col]
		}
	}
	for slot := 1; slot <= 2; slot++ {
		for _, col := range []string{"_active", "_last_rotated"} {
			if v, ok := root.Fields[fmt.Sprintf("cert_%d%s", slot, col)]; ok {
				ev[fmt.Sprintf("cert_%d%s", slot, col)] = v
			}
		}
	}
	var certNote string
	switch {
	case creds == nil || !creds.SigningCertificates:
	case len(certs) > 0:
		certNote = fmt.Sprintf(" It has %d signing certificate(s): %s.", len(certs), strings.Join(certs, ", "))
	default:
		certNote = " It has a signing certificate that " + report + " does not list: it was uploaded since."
	}
	switch {
	case creds == nil:
		out = append(out, ruleKeys.Error(resource, in.credsErr))
	case creds.AccessKeys && len(keys) > 0:
		msg := fmt.Sprintf("The root user has %d access key(s): %s.", len(keys), strings.Join(keys, ", "))
		out = append(out, ruleKeys.Fail(resource, msg+certNote, ev))
	case creds.AccessKeys:
		msg := "The root user has an access key that " + report + " does not list: it was created since."
		out = append(out, ruleKeys.Fail(resource, msg+certNote, ev))
	default:
		msg := "The root user has no access keys."
		switch {
		case creds.None() && creds.MFA:
			msg = "The root user has no credentials to sign in with (centralized root access removed them or never set them): " +
				"no password, access keys or signing certificates; only an MFA device remains, which signs in nothing on its own."
		case creds.None():
			msg = noCredentials + ", so it cannot sign in."
		}
		if len(keys) > 0 {
			msg += fmt.Sprintf(" %s still lists %s, deleted since.", upperFirst(report), strings.Join(keys, ", "))
		}
		if certNote != "" {
			certNote += " CIS 1.4 counts access keys only, but delete them too (centralized root access can)."
		}
		out = append(out, ruleKeys.Pass(resource, msg+certNote, ev))
	}

	// CIS 1.7.
	ev = map[string]string{
		"password_last_used":          root.Fields["password_last_used"],
		"access_key_1_last_used_date": root.Fields["access_key_1_last_used_date"],
		"access_key_2_last_used_date": root.Fields["access_key_2_last_used_date"],
		"rootUseWindowDays":           strconv.Itoa(cfg.RootUseWindowDays),
	}
	window := time.Duration(cfg.RootUseWindowDays) * 24 * time.Hour
	var last time.Time
	var recent []string
	use := func(what string, t time.Time) {
		if t.IsZero() {
			return
		}
		if t.After(last) {
			last = t
		}
		if now.Sub(t) < window {
			recent = append(recent, fmt.Sprintf("%s %d days ago (%s)", what, iamread.DaysSince(now, t), t.Format(time.RFC3339)))
		}
	}
	use("password", root.PasswordLastUsed)
	for _, k := range root.AccessKeys {
		use(fmt.Sprintf("access key %d", k.Slot), k.LastUsed)
	}
	if !last.IsZero() {
		ev["lastUsed"] = last.Format(time.RFC3339)
		ev["lastUsedDaysAgo"] = strconv.Itoa(iamread.DaysSince(now, last))
	}
	switch {
	case len(recent) > 0:
		msg := fmt.Sprintf("The root user was used within the last %d days: %s.", cfg.RootUseWindowDays, strings.Join(recent, "; "))
		out = append(out, ruleUse.Fail(resource, msg, ev))
	case last.IsZero():
		out = append(out, ruleUse.Pass(resource, "The credential report records no use of the root user.", ev))
	default:
		msg := fmt.Sprintf("The root user was last used %d days ago, not within the last %d days.", iamread.DaysSince(now, last), cfg.RootUseWindowDays)
		out = append(out, ruleUse.Pass(resource, msg, ev))
	}
	return out
}

// presentKeys describes the access keys the report's root row lists.
func presentKeys(root iamread.ReportRow, now time.Time) []string {
	var keys []string
	for _, k := range root.AccessKeys {
		if !k.Present {
			continue
		}
		state := "inactive"
		if k.Active {
			state = "active"
		}
		keys = append(keys, fmt.Sprintf("key %d (%s, created %d days ago)", k.Slot, state, iamread.DaysSince(now, k.LastRotated)))
	}
	return keys
}

// presentCerts describes the signing certificates the report's root row
// lists (columns cert_1_* and cert_2_*; a report without them lists none).
func presentCerts(root iamread.ReportRow, now time.Time) []string {
	var certs []string
	for slot := 1; slot <= 2; slot++ {
		active := strings.EqualFold(strings.TrimSpace(root.Fields[fmt.Sprintf("cert_%d_active", slot)]), "true")
		uploaded, err := time.Parse(time.RFC3339, strings.TrimSpace(root.Fields[fmt.Sprintf("cert_%d_last_rotated", slot)]))
		if !active && err != nil {
			continue
		}
		state := "inactive"
		if active {
			state = "active"
		}
		if err != nil {
			certs = append(certs, fmt.Sprintf("certificate %d (%s)", slot, state))
			continue
		}
		certs = append(certs, fmt.Sprintf("certificate %d (%s, uploaded %d days ago)", slot, state, iamread.DaysSince(now, uploaded)))
	}
	return certs
}

// otherCreds names the credentials besides a password that r has.
func otherCreds(r *rootCredentials) string {
	var have []string
	if r.AccessKeys {
		have = append(have, "access keys")
	}
	if r.SigningCertificates {
		have = append(have, "signing certificates")
	}
	return strings.Join(have, " and ")
}

func upperFirst(s string) string {
	if s == "" {
		return s
	}
	return strings.ToUpper(s[:1]) + s[1:]
}
