// Command root-account is orgbaseline's first-party check of the root
// user, from the account's IAM credential report: MFA on (CIS-3.0 1.5), no
// access keys (1.4), and no recent use (1.7: the root user is not for daily
// work).
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
// It calls only iam:GenerateCredentialReport and iam:GetCredentialReport.
package main

import (
	"context"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/aws/aws-sdk-go-v2/service/iam"

	"github.com/orgbaseline/orgbaseline/plugins"
	"github.com/orgbaseline/orgbaseline/plugins/checks/internal/checkkit"
	"github.com/orgbaseline/orgbaseline/plugins/checks/internal/iamread"
)

const (
	checkID      = "root-account"
	checkVersion = "1.0.0"
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
var actions = []string{"iam:GenerateCredentialReport", "iam:GetCredentialReport"}

// Describe says what the check is and needs.
func (c *check) Describe(context.Context, *plugins.DescribeRequest) (*plugins.DescribeResponse, error) {
	return &plugins.DescribeResponse{
		ID:      checkID,
		Version: checkVersion,
		Title:   "Root user: MFA on, no access keys, not used for daily work",
		Description: "Reads the account's IAM credential report once and gives three verdicts on the root user: " +
			"root-account.mfa (MFA enabled, CIS-3.0 1.5), root-account.access-keys (no access key exists, active or not, 1.4) " +
			"and root-account.recent-use (neither the password nor an access key used within rootUseWindowDays, default 30, 1.7). " +
			"Ages are measured against the run's clock.",
		DefaultSeverity: plugins.SeverityHigh,
		Compliance:      checkkit.Compliance(rules),
		Actions:         append([]string(nil), actions...),
		ConfigSchema:    configSchema,
	}, nil
}

// Run gives the three verdicts for one account. A config it cannot read is
// an error (the check cannot run); a failed AWS call makes every verdict
// an ERROR finding naming the action.
func (c *check) Run(ctx context.Context, req *plugins.RunRequest) (*plugins.RunResponse, error) {
	cfg := defaultConfig()
	awsCfg, err := checkkit.Setup(ctx, checkID, req, &cfg)
	if err != nil {
		return nil, err
	}
	account := iamread.AccountARN(iamread.Partition(req.HomeRegion), req.Account.ID)
	rep, err := iamread.FetchCredentialReport(ctx, iam.NewFromConfig(awsCfg), iamread.ReportOptions{})
	if err == nil && rep.Root == nil {
		err = fmt.Errorf("the credential report has no %s row", iamread.RootUser)
	}
	if err != nil {
		msg := fmt.Sprintf("Could not read the credential report of account %s: %v", req.Account.ID, err)
		return &plugins.RunResponse{Findings: checkkit.Errors(rules, account, msg)}, nil
	}
	return &plugins.RunResponse{Findings: evaluate(*rep.Root, cfg, req.Now)}, nil
}

// evaluate gives the verdicts on the root user's report row.
func evaluate(root iamread.ReportRow, cfg config, now time.Time) []plugins.Finding {
	resource := root.ARN
	var out []plugins.Finding

	// CIS 1.5.
	ev := map[string]string{"mfa_active": root.Fields["mfa_active"]}
	if root.MFAActive {
		out = append(out, ruleMFA.Pass(resource, "MFA is enabled for the root user.", ev))
	} else {
		out = append(out, ruleMFA.Fail(resource, "The root user has no MFA device: its password alone signs in with full control of the account.", ev))
	}

	// CIS 1.4: a key that exists is a finding even when inactive; it can be
	// reactivated by whoever holds the root password.
	ev = map[string]string{}
	var keys []string
	for _, k := range root.AccessKeys {
		for _, col := range []string{"_active", "_last_rotated", "_last_used_date"} {
			ev[k.Column()+col] = root.Fields[k.Column()+col]
		}
		if !k.Present {
			continue
		}
		state := "inactive"
		if k.Active {
			state = "active"
		}
		keys = append(keys, fmt.Sprintf("key %d (%s, created %d days ago)", k.Slot, state, iamread.DaysSince(now, k.LastRotated)))
	}
	if len(keys) == 0 {
		out = append(out, ruleKeys.Pass(resource, "The root user has no access keys.", ev))
	} else {
		msg := fmt.Sprintf("The root user has %d access key(s): %s.", len(keys), strings.Join(keys, ", "))
		out = append(out, ruleKeys.Fail(resource, msg, ev))
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
