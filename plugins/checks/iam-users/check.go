// Command iam-users is orgbaseline's first-party check of IAM users, from
// one credential report and one user listing per account: MFA for console
// users (CIS-3.0 1.10), credentials unused for unusedDays (1.12), at most
// one active access key (1.13), keys rotated within keyRotationDays (1.14),
// permissions through groups rather than attached to users (1.15), and no
// user with both a console password and access keys (related to 1.11).
//
// Config (JSON Schema in Describe):
//
//	unusedDays: 45        # FAIL a password or active key unused (or never used since it was set) this many days or more
//	keyRotationDays: 90   # FAIL an active access key older than this many days
//
// It calls iam:GenerateCredentialReport, iam:GetCredentialReport,
// iam:ListUsers, and per user iam:ListAttachedUserPolicies and
// iam:ListUserPolicies.
package main

import (
	"context"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/iam"
	"github.com/aws/aws-sdk-go-v2/service/iam/types"
	"golang.org/x/sync/errgroup"

	"github.com/orgbaseline/orgbaseline/plugins"
	"github.com/orgbaseline/orgbaseline/plugins/checks/internal/checkkit"
	"github.com/orgbaseline/orgbaseline/plugins/checks/internal/iamread"
)

const (
	checkID      = "iam-users"
	checkVersion = "1.0.0"
	// userConcurrency bounds the per-user policy listings in flight; IAM's
	// request rate per account is modest.
	userConcurrency = 4
)

// check is the iam-users check.
type check struct {
	plugins.UnimplementedCheck
}

var _ plugins.Check = (*check)(nil)

// config is the check's config; defaults in defaultConfig.
type config struct {
	UnusedDays      int `json:"unusedDays"`
	KeyRotationDays int `json:"keyRotationDays"`
}

func defaultConfig() config { return config{UnusedDays: 45, KeyRotationDays: 90} }

// Validate says what is wrong with the config (checkkit.Validator).
func (c config) Validate() error {
	var errs []string
	if c.UnusedDays < 1 || c.UnusedDays > 3650 {
		errs = append(errs, fmt.Sprintf("unusedDays is %d; it must be between 1 and 3650", c.UnusedDays))
	}
	if c.KeyRotationDays < 1 || c.KeyRotationDays > 3650 {
		errs = append(errs, fmt.Sprintf("keyRotationDays is %d; it must be between 1 and 3650", c.KeyRotationDays))
	}
	if len(errs) > 0 {
		return fmt.Errorf("%s config: %s", checkID, strings.Join(errs, "; "))
	}
	return nil
}

const configSchema = `{
  "$schema": "https://json-schema.org/draft/2020-12/schema",
  "title": "iam-users check config",
  "type": "object",
  "additionalProperties": false,
  "properties": {
    "unusedDays": {
      "description": "FAIL iam-users.unused-credentials for a console password or active access key not used for this many days or more, or never used and set this many days ago or more (CIS-3.0 1.12).",
      "type": "integer",
      "minimum": 1,
      "maximum": 3650,
      "default": 45
    },
    "keyRotationDays": {
      "description": "FAIL iam-users.key-rotation for an active access key created or rotated more than this many days ago (CIS-3.0 1.14).",
      "type": "integer",
      "minimum": 1,
      "maximum": 3650,
      "default": 90
    }
  }
}`

var (
	ruleMFA = checkkit.Rule{
		ID:       checkID + ".mfa",
		Title:    "Console users have MFA",
		Severity: plugins.SeverityHigh,
		Remediation: "Have the user assign an MFA device (IAM, Users, the user, Security credentials) and deny their actions " +
			"without MFA (a policy on aws:MultiFactorAuthPresent); better, move people to IAM Identity Center.",
		Compliance: []string{"CIS-3.0:1.10", "SOC2:CC6.2", "ISO27001:A.9.4", "HIPAA:164.312(d)", "NIST-CSF:PR.AC", "CMMC:IA.L2-3.5.3"},
	}
	ruleUnused = checkkit.Rule{
		ID:       checkID + ".unused-credentials",
		Title:    "Unused credentials are removed",
		Severity: plugins.SeverityMedium,
		Remediation: "Remove what is not used: delete the console password (the login profile) and deactivate, then delete, " +
			"the unused access keys; delete the user if nothing of it is used.",
		Compliance: []string{"CIS-3.0:1.12", "SOC2:CC6.2", "ISO27001:A.9.2", "HIPAA:164.312(a)(1)", "NIST-CSF:PR.AC", "CMMC:AC.L2-3.1.1"},
	}
	ruleMultipleKeys = checkkit.Rule{
		ID:       checkID + ".multiple-active-keys",
		Title:    "At most one active access key per user",
		Severity: plugins.SeverityMedium,
		Remediation: "Keep one active access key: move everything to the newer key, deactivate the other, and delete it " +
			"once nothing fails.",
		Compliance: []string{"CIS-3.0:1.13", "SOC2:CC6.1", "ISO27001:A.9.2", "HIPAA:164.312(a)(1)", "NIST-CSF:PR.AC"},
	}
	ruleRotation = checkkit.Rule{
		ID:       checkID + ".key-rotation",
		Title:    "Access keys are rotated",
		Severity: plugins.SeverityMedium,
		Remediation: "Rotate the key: create a second key, move its users to it, deactivate and then delete the old key; " +
			"better, replace the long-lived key with an IAM role.",
		Compliance: []string{"CIS-3.0:1.14", "SOC2:CC6.1", "ISO27001:A.9.2", "HIPAA:164.312(a)(1)", "NIST-CSF:PR.AC"},
	}
	ruleDirect = checkkit.Rule{
		ID:       checkID + ".direct-policies",
		Title:    "Users get permissions through groups only",
		Severity: plugins.SeverityLow,
		Remediation: "Detach the managed policies and delete the inline policies from the user, and grant the permissions " +
			"through a group the user belongs to.",
		Compliance: []string{"CIS-3.0:1.15", "SOC2:CC6.3", "ISO27001:A.9.2", "HIPAA:164.312(a)(1)", "NIST-CSF:PR.AC", "CMMC:AC.L2-3.1.1"},
	}
	ruleConsoleKeys = checkkit.Rule{
		ID:       checkID + ".console-and-keys",
		Title:    "No user has both a console password and access keys",
		Severity: plugins.SeverityMedium,
		Remediation: "Separate people from programs: a person signs in to the console (ideally through IAM Identity Center), " +
			"a program uses a role; remove either the console password or the access keys from this user.",
		Compliance: []string{"CIS-3.0:1.11", "SOC2:CC6.1", "ISO27001:A.9.2", "HIPAA:164.312(a)(1)", "NIST-CSF:PR.AC", "CMMC:AC.L2-3.1.1"},
	}
	// reportRules are decided from the credential report, ruleDirect from
	// the policy listings.
	reportRules = []checkkit.Rule{ruleMFA, ruleUnused, ruleMultipleKeys, ruleRotation, ruleConsoleKeys}
	rules       = []checkkit.Rule{ruleMFA, ruleUnused, ruleMultipleKeys, ruleRotation, ruleDirect, ruleConsoleKeys}
)

// actions are exactly the IAM actions Run calls.
var actions = []string{
	"iam:GenerateCredentialReport",
	"iam:GetCredentialReport",
	"iam:ListUsers",
	"iam:ListAttachedUserPolicies",
	"iam:ListUserPolicies",
}

// Describe says what the check is and needs.
func (c *check) Describe(context.Context, *plugins.DescribeRequest) (*plugins.DescribeResponse, error) {
	return &plugins.DescribeResponse{
		ID:      checkID,
		Version: checkVersion,
		Title:   "IAM users: MFA, unused and old credentials, one key, permissions through groups",
		Description: "Reads the account's IAM credential report and user list once, and each user's attached and inline " +
			"policies, and gives six verdicts per user: iam-users.mfa (console users have MFA, CIS-3.0 1.10), " +
			"iam-users.unused-credentials (no password or active key unused for unusedDays, default 45, 1.12), " +
			"iam-users.multiple-active-keys (at most one active key, 1.13), iam-users.key-rotation (active keys younger " +
			"than keyRotationDays, default 90, 1.14), iam-users.direct-policies (no policy attached to the user, 1.15) and " +
			"iam-users.console-and-keys (not both a console password and an active key). An account without users gets " +
			"one PASS per verdict.",
		DefaultSeverity: plugins.SeverityMedium,
		Compliance:      checkkit.Compliance(rules),
		Actions:         append([]string(nil), actions...),
		ConfigSchema:    configSchema,
	}, nil
}

// Run gives the verdicts for one account. A config it cannot read is an
// error; a failed AWS call is an ERROR finding naming the action, for the
// verdicts that needed it.
func (c *check) Run(ctx context.Context, req *plugins.RunRequest) (*plugins.RunResponse, error) {
	cfg := defaultConfig()
	awsCfg, err := checkkit.Setup(ctx, checkID, req, &cfg)
	if err != nil {
		return nil, err
	}
	account := iamread.AccountARN(iamread.Partition(req.HomeRegion), req.Account.ID)
	client := iam.NewFromConfig(awsCfg)
	out := &plugins.RunResponse{}

	users, err := iamread.Users(ctx, client)
	if err != nil {
		out.Findings = checkkit.Errors(rules, account, fmt.Sprintf("Could not list the IAM users of account %s: %v", req.Account.ID, err))
		return out, nil
	}
	if len(users) == 0 {
		for _, r := range rules {
			out.Findings = append(out.Findings, r.Pass(account, "The account has no IAM users.", map[string]string{"users": "0"}))
		}
		return out, nil
	}
	rep, repErr := iamread.FetchCredentialReport(ctx, client, iamread.ReportOptions{})
	direct := directPolicies(ctx, client, users)

	for i, u := range users {
		arn, name := aws.ToString(u.Arn), aws.ToString(u.UserName)
		var row iamread.ReportRow
		var ok bool
		if repErr == nil {
			row, ok = rep.User(name)
		}
		for _, r := range rules {
			var f plugins.Finding
			switch {
			case r.ID == ruleDirect.ID:
				f = direct[i].finding(arn, name)
			case repErr != nil:
				f = r.Error(arn, fmt.Sprintf("Could not read the credential report of account %s: %v", req.Account.ID, repErr))
			case !ok:
				f = r.Error(arn, fmt.Sprintf("User %s is not in the credential report generated at %s (IAM regenerates it at most every 4 hours); run the check again later.",
					name, rep.Generated.Format(time.RFC3339)))
			default:
				f = evaluate(r, arn, row, cfg, req.Now)
			}
			out.Findings = append(out.Findings, f)
		}
	}
	return out, nil
}

// evaluate gives one credential-report verdict on one user.
func evaluate(r checkkit.Rule, arn string, row iamread.ReportRow, cfg config, now time.Time) plugins.Finding {
	name := row.User
	active := row.ActiveKeys()
	ev := map[string]string{"password_enabled": row.Fields["password_enabled"]}
	keyEvidence := func(cols ...string) {
		for _, k := range row.AccessKeys {
			for _, c := range cols {
				ev[k.Column()+c] = row.Fields[k.Column()+c]
			}
		}
	}
	switch r.ID {
	case ruleMFA.ID:
		ev["mfa_active"] = row.Fields["mfa_active"]
		switch {
		case !row.PasswordEnabled:
			return r.Pass(arn, fmt.Sprintf("User %s has no console password.", name), ev)
		case row.MFAActive:
			return r.Pass(arn, fmt.Sprintf("User %s signs in to the console with MFA.", name), ev)
		}
		return r.Fail(arn, fmt.Sprintf("User %s has a console password and no MFA device.", name), ev)

	case ruleUnused.ID:
		ev["password_last_used"] = row.Fields["password_last_used"]
		ev["password_last_changed"] = row.Fields["password_last_changed"]
		ev["unusedDays"] = strconv.Itoa(cfg.UnusedDays)
		keyEvidence("_active", "_last_rotated", "_last_used_date")
		limit := days(cfg.UnusedDays)
		var stale []string
		if row.PasswordEnabled {
			if used := row.PasswordLastUsed; !used.IsZero() {
				if now.Sub(used) >= limit {
					stale = append(stale, fmt.Sprintf("console password last used %d days ago", iamread.DaysSince(now, used)))
				}
			} else if set := firstSet(row.PasswordLastChanged, row.Created); now.Sub(set) >= limit {
				stale = append(stale, fmt.Sprintf("console password never used, set %d days ago", iamread.DaysSince(now, set)))
			}
		}
		for _, k := range active {
			if !k.LastUsed.IsZero() {
				if now.Sub(k.LastUsed) >= limit {
					stale = append(stale, fmt.Sprintf("access key %d last used %d days ago", k.Slot, iamread.DaysSince(now, k.LastUsed)))
				}
			} else if set := firstSet(k.LastRotated, row.Created); now.Sub(set) >= limit {
				stale = append(stale, fmt.Sprintf("access key %d never used, created %d days ago", k.Slot, iamread.DaysSince(now, set)))
			}
		}
		switch {
		case len(stale) > 0:
			return r.Fail(arn, fmt.Sprintf("User %s has credentials unused for %d days or more: %s.", name, cfg.UnusedDays, strings.Join(stale, "; ")), ev)
		case !row.PasswordEnabled && len(active) == 0:
			return r.Pass(arn, fmt.Sprintf("User %s has no console password and no active access key.", name), ev)
		}
		return r.Pass(arn, fmt.Sprintf("Every credential of user %s was used within the last %d days.", name, cfg.UnusedDays), ev)

	case ruleMultipleKeys.ID:
		keyEvidence("_active")
		if len(active) > 1 {
			return r.Fail(arn, fmt.Sprintf("User %s has %d active access keys.", name, len(active)), ev)
		}
		return r.Pass(arn, fmt.Sprintf("User %s has %d active access key(s).", name, len(active)), ev)

	case ruleRotation.ID:
		ev["keyRotationDays"] = strconv.Itoa(cfg.KeyRotationDays)
		keyEvidence("_active", "_last_rotated")
		var old []string
		for _, k := range active {
			age := iamread.DaysSince(now, k.LastRotated)
			ev[k.Column()+"_age_days"] = strconv.Itoa(age)
			if now.Sub(k.LastRotated) > days(cfg.KeyRotationDays) {
				old = append(old, fmt.Sprintf("access key %d is %d days old", k.Slot, age))
			}
		}
		switch {
		case len(old) > 0:
			return r.Fail(arn, fmt.Sprintf("User %s has access keys not rotated within %d days: %s.", name, cfg.KeyRotationDays, strings.Join(old, "; ")), ev)
		case len(active) == 0:
			return r.Pass(arn, fmt.Sprintf("User %s has no active access key.", name), ev)
		}
		return r.Pass(arn, fmt.Sprintf("Every active access key of user %s was rotated within %d days.", name, cfg.KeyRotationDays), ev)

	case ruleConsoleKeys.ID:
		keyEvidence("_active")
		if row.PasswordEnabled && len(active) > 0 {
			return r.Fail(arn, fmt.Sprintf("User %s has a console password and %d active access key(s).", name, len(active)), ev)
		}
		return r.Pass(arn, fmt.Sprintf("User %s does not have both a console password and an active access key.", name), ev)
	}
	return r.Error(arn, "internal error: no verdict for "+r.ID)
}

func days(n int) time.Duration { return time.Duration(n) * 24 * time.Hour }

// firstSet is the first non-zero time.
func firstSet(ts ...time.Time) time.Time {
	for _, t := range ts {
		if !t.IsZero() {
			return t
		}
	}
	return time.Time{}
}

// userPolicies are the policies attached to one user directly.
type userPolicies struct {
	attached []string // managed policy ARNs
	inline   []string // inline policy names
	err      error
}

func (p userPolicies) finding(arn, name string) plugins.Finding {
	if p.err != nil {
		return ruleDirect.Error(arn, fmt.Sprintf("Could not list the policies of user %s: %v", name, p.err))
	}
	ev := map[string]string{
		"attachedPolicies": strings.Join(p.attached, ","),
		"inlinePolicies":   strings.Join(p.inline, ","),
	}
	if len(p.attached)+len(p.inline) == 0 {
		return ruleDirect.Pass(arn, fmt.Sprintf("User %s has no policy attached directly (managed or inline).", name), ev)
	}
	var parts []string
	if len(p.attached) > 0 {
		parts = append(parts, "managed "+strings.Join(p.attached, ", "))
	}
	if len(p.inline) > 0 {
		parts = append(parts, "inline "+strings.Join(p.inline, ", "))
	}
	return ruleDirect.Fail(arn, fmt.Sprintf("User %s has policies attached directly: %s.", name, strings.Join(parts, "; ")), ev)
}

// directPolicies lists every user's attached and inline policies, a
// bounded number of users at a time; result i belongs to users[i].
func directPolicies(ctx context.Context, client *iam.Client, users []types.User) []userPolicies {
	out := make([]userPolicies, len(users))
	var g errgroup.Group
	g.SetLimit(userConcurrency)
	for i, u := range users {
		name := aws.ToString(u.UserName)
		g.Go(func() error {
			attached, err := iamread.AttachedUserPolicies(ctx, client, name)
			if err != nil {
				out[i].err = err
				return nil
			}
			for _, a := range attached {
				out[i].attached = append(out[i].attached, aws.ToString(a.PolicyArn))
			}
			out[i].inline, out[i].err = iamread.UserPolicyNames(ctx, client, name)
			return nil
		})
	}
	_ = g.Wait() // the workers record their errors in out
	return out
}
