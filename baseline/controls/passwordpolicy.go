package controls

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/iam"
	"github.com/aws/aws-sdk-go-v2/service/iam/types"

	"github.com/orgbaseline/orgbaseline/baseline"
)

// PasswordPolicyAPI is the part of the IAM client the password policy
// control uses.
type PasswordPolicyAPI interface {
	GetAccountPasswordPolicy(context.Context, *iam.GetAccountPasswordPolicyInput, ...func(*iam.Options)) (*iam.GetAccountPasswordPolicyOutput, error)
	UpdateAccountPasswordPolicy(context.Context, *iam.UpdateAccountPasswordPolicyInput, ...func(*iam.Options)) (*iam.UpdateAccountPasswordPolicyOutput, error)
}

var _ PasswordPolicyAPI = (*iam.Client)(nil)

// PasswordPolicy enforces the IAM account password policy in every
// targeted account (CIS AWS Foundations 3.0 items 1.8 and 1.9).
type PasswordPolicy struct {
	want passwordSettings
	// declared are the fields the baseline states (json names); the
	// others are left as each account has them (effective).
	declared map[string]bool
	// newClient is the IAM client for a target; tests of other controls
	// never need to replace it, so it is not exported.
	newClient func(aws.Config) PasswordPolicyAPI
}

// passwordSettings is a full password policy, keyed as in baseline.yaml.
type passwordSettings struct {
	MinimumPasswordLength      int  `json:"minimumPasswordLength"`
	RequireSymbols             bool `json:"requireSymbols"`
	RequireNumbers             bool `json:"requireNumbers"`
	RequireUppercaseCharacters bool `json:"requireUppercaseCharacters"`
	RequireLowercaseCharacters bool `json:"requireLowercaseCharacters"`
	AllowUsersToChangePassword bool `json:"allowUsersToChangePassword"`
	MaxPasswordAge             int  `json:"maxPasswordAge"`          // 0: passwords never expire
	PasswordReusePrevention    int  `json:"passwordReusePrevention"` // 0: no reuse check
	HardExpiry                 bool `json:"hardExpiry"`
}

// NewPasswordPolicy returns the control for settings that are all
// declared: it manages every field.
func NewPasswordPolicy(s baseline.PasswordPolicySettings) *PasswordPolicy {
	all := map[string]bool{}
	for _, f := range passwordFields {
		all[f.name] = true
	}
	return &PasswordPolicy{
		want:     passwordSettings(s),
		declared: all,
		newClient: func(cfg aws.Config) PasswordPolicyAPI {
			return iam.NewFromConfig(cfg)
		},
	}
}

// NewDeclaredPasswordPolicy returns the control for the policy as the
// baseline writes it: the fields it leaves out are not managed (as
// Terraform manages only the arguments a configuration sets), so an
// account's stricter value is never weakened to IAM's default behind the
// user's back. An account with no policy gets IAM's defaults for them.
func NewDeclaredPasswordPolicy(p *baseline.PasswordPolicy) *PasswordPolicy {
	c := NewPasswordPolicy(p.Resolved())
	c.declared = declaredPasswordFields(p)
	return c
}

const passwordPolicyResource = "iam/account-password-policy"

func (*PasswordPolicy) Name() string { return "passwordPolicy" }
func (*PasswordPolicy) Scope() Scope { return ScopeAccount }

// Actions are the actions of Calls.
func (p *PasswordPolicy) Actions() []string { return actionsOf(p) }

// Calls are IAM's, at its global endpoint, in every targeted account; the
// account password policy has no resource-level permissions (Service
// Authorization Reference, "Actions, resources, and condition keys for
// AWS Identity and Access Management").
func (p *PasswordPolicy) Calls(o *Org) []Call {
	w := o.callsIn(p.Name(), "")
	return []Call{
		w.call("iam:GetAccountPasswordPolicy", "*", InGlobalRegion),
		w.call("iam:UpdateAccountPasswordPolicy", "*", InGlobalRegion),
	}
}

// Observe reads the account's password policy; nil means the account has
// none (IAM answers NoSuchEntity).
func (p *PasswordPolicy) Observe(ctx context.Context, t Target) (any, error) {
	out, err := p.newClient(t.Config).GetAccountPasswordPolicy(ctx, &iam.GetAccountPasswordPolicyInput{})
	var nse *types.NoSuchEntityException
	if errors.As(err, &nse) {
		return (*passwordSettings)(nil), nil
	}
	if err != nil {
		return nil, fmt.Errorf("get account password policy: %w", err)
	}
	pp := out.PasswordPolicy
	return &passwordSettings{
		MinimumPasswordLength:      int(aws.ToInt32(pp.MinimumPasswordLength)),
		RequireSymbols:             pp.RequireSymbols,
		RequireNumbers:             pp.RequireNumbers,
		RequireUppercaseCharacters: pp.RequireUppercaseCharacters,
		RequireLowercaseCharacters: pp.RequireLowercaseCharacters,
		AllowUsersToChangePassword: pp.AllowUsersToChangePassword,
		MaxPasswordAge:             int(aws.ToInt32(pp.MaxPasswordAge)),
		PasswordReusePrevention:    int(aws.ToInt32(pp.PasswordReusePrevention)),
		HardExpiry:                 aws.ToBool(pp.HardExpiry),
	}, nil
}

// Diff plans one full replacement of the policy when any managed field
// differs: UpdateAccountPasswordPolicy is not a partial update, so the
// fields the baseline leaves out are sent as the account has them. A
// declared field that loosens the account's policy is warned about.
func (p *PasswordPolicy) Diff(t Target, observed any) ([]baseline.Change, error) {
	have, _ := observed.(*passwordSettings)
	want := p.effective(have)
	c := baseline.Change{
		Control:  p.Name(),
		Account:  t.AccountID,
		Resource: passwordPolicyResource,
		After:    baseline.ToMap(want),
	}
	switch {
	case have == nil:
		c.Action = baseline.ActionCreate
		c.Reason = "the account has no password policy"
	case *have != want:
		c.Action = baseline.ActionUpdate
		c.Before = baseline.ToMap(*have)
		c.Reason = "the password policy differs from the baseline in " + strings.Join(fieldNames(c), ", ")
		if k := p.kept(have); len(k) > 0 {
			c.Reason += "; kept as the account has them (not in the baseline): " + strings.Join(k, ", ")
		}
		if t.Warn != nil {
			for _, w := range p.weakenings(have, want) {
				t.Warn(w)
			}
		}
	default:
		return nil, nil
	}
	return []baseline.Change{c}, nil
}

func fieldNames(c baseline.Change) []string {
	var names []string
	for _, f := range c.Fields() {
		names = append(names, f.Name)
	}
	return names
}

// Apply sets the whole policy from the change's After settings, sending
// every field: omitted fields would revert to IAM's defaults.
func (p *PasswordPolicy) Apply(ctx context.Context, t Target, c baseline.Change) error {
	var s passwordSettings
	if err := c.DecodeAfter(&s); err != nil {
		return err
	}
	// The SDK sends a false bool by omitting it, which IAM reads as false.
	in := &iam.UpdateAccountPasswordPolicyInput{
		MinimumPasswordLength:      aws.Int32(int32(s.MinimumPasswordLength)),
		RequireSymbols:             s.RequireSymbols,
		RequireNumbers:             s.RequireNumbers,
		RequireUppercaseCharacters: s.RequireUppercaseCharacters,
		RequireLowercaseCharacters: s.RequireLowercaseCharacters,
		AllowUsersToChangePassword: s.AllowUsersToChangePassword,
		HardExpiry:                 aws.Bool(s.HardExpiry),
	}
	// 0 means "never expires" / "no reuse check", which IAM expresses by
	// omitting the field (it rejects an explicit 0).
	if s.MaxPasswordAge > 0 {
		in.MaxPasswordAge = aws.Int32(int32(s.MaxPasswordAge))
	}
	if s.PasswordReusePrevention > 0 {
		in.PasswordReusePrevention = aws.Int32(int32(s.PasswordReusePrevention))
	}
	if _, err := p.newClient(t.Config).UpdateAccountPasswordPolicy(ctx, in); err != nil {
		return fmt.Errorf("update account password policy: %w", err)
	}
	return nil
}

// Findings reports whether the observed policy is at least as strong as
// the baseline's, item by item, with the compliance references of each.
func (p *PasswordPolicy) Findings(t Target, observed any) []baseline.Finding {
	have, _ := observed.(*passwordSettings)
	want := p.effective(have)
	resource := t.Org.ARN("iam", "", t.AccountID, "account-password-policy")
	mk := func(check, title string, ok bool, msg, fix string) baseline.Finding {
		f := baseline.Finding{
			Check: check, Source: "control:" + p.Name(),
			Account: t.AccountID, AccountName: t.AccountName, Resource: resource,
			Status: baseline.StatusPass, Severity: baseline.SeverityMedium,
			Title: title, Message: msg, Compliance: baseline.References(check),
		}
		if !ok {
			f.Status = baseline.StatusFail
			f.Remediation = fix
		}
		return f
	}
	const fix = "run `orgbaseline apply` to set the baseline's password policy"
	if have == nil {
		return []baseline.Finding{mk("passwordPolicy.present", "An IAM password policy is set", false,
			"the account has no IAM password policy: IAM's defaults allow 6-character passwords with no complexity", fix)}
	}
	var out []baseline.Finding
	out = append(out, mk("passwordPolicy.present", "An IAM password policy is set", true, "the account has an IAM password policy", ""))
	out = append(out, mk("passwordPolicy.minimumPasswordLength", "Passwords are long enough",
		have.MinimumPasswordLength >= want.MinimumPasswordLength,
		fmt.Sprintf("minimum password length is %d; the baseline asks for at least %d", have.MinimumPasswordLength, want.MinimumPasswordLength), fix))
	var missing []string
	for _, c := range []struct {
		name       string
		want, have bool
	}{
		{"symbols", want.RequireSymbols, have.RequireSymbols},
		{"numbers", want.RequireNumbers, have.RequireNumbers},
		{"uppercase letters", want.RequireUppercaseCharacters, have.RequireUppercaseCharacters},
		{"lowercase letters", want.RequireLowercaseCharacters, have.RequireLowercaseCharacters},
	} {
		if c.want && !c.have {
			missing = append(missing, c.name)
		}
	}
	classMsg := "passwords require every character class the baseline asks for"
	if len(missing) > 0 {
		classMsg = "passwords do not require " + strings.Join(missing, ", ")
	}
	out = append(out, mk("passwordPolicy.characterClasses", "Passwords mix character classes", len(missing) == 0, classMsg, fix))
	out = append(out, mk("passwordPolicy.passwordReusePrevention", "Passwords cannot be reused",
		have.PasswordReusePrevention >= want.PasswordReusePrevention,
		fmt.Sprintf("password reuse prevention remembers %d passwords; the baseline asks for at least %d", have.PasswordReusePrevention, want.PasswordReusePrevention), fix))
	expiryOK := want.MaxPasswordAge == 0 || (have.MaxPasswordAge > 0 && have.MaxPasswordAge <= want.MaxPasswordAge)
	expiryMsg := "password expiry is as the baseline asks"
	if !expiryOK {
		if have.MaxPasswordAge == 0 {
			expiryMsg = fmt.Sprintf("passwords never expire; the baseline asks for at most %d days", want.MaxPasswordAge)
		} else {
			expiryMsg = fmt.Sprintf("passwords expire after %d days; the baseline asks for at most %d", have.MaxPasswordAge, want.MaxPasswordAge)
		}
	}
	out = append(out, mk("passwordPolicy.expiry", "Passwords expire as required", expiryOK, expiryMsg, fix))
	out = append(out, p.selfServiceFinding(have, want, mk, fix))
	for i := range out {
		if out[i].Check == "passwordPolicy.userSelfService" {
			out[i].Severity = baseline.SeverityLow
		}
	}
	return out
}

// selfServiceFinding checks the declared ones of allowUsersToChangePassword
// and hardExpiry (the others are the account's own, so they pass).
func (p *PasswordPolicy) selfServiceFinding(have *passwordSettings, want passwordSettings,
	mk func(check, title string, ok bool, msg, fix string) baseline.Finding, fix string) baseline.Finding {
	ok := true
	var parts []string
	for _, f := range []struct {
		name       string
		have, want bool
	}{
		{"allowUsersToChangePassword", have.AllowUsersToChangePassword, want.AllowUsersToChangePassword},
		{"hardExpiry", have.HardExpiry, want.HardExpiry},
	} {
		if !p.declared[f.name] {
			parts = append(parts, fmt.Sprintf("%s=%t (not in the baseline)", f.name, f.have))
			continue
		}
		ok = ok && f.have == f.want
		parts = append(parts, fmt.Sprintf("%s=%t; the baseline declares %t", f.name, f.have, f.want))
	}
	return mk("passwordPolicy.userSelfService", "Users can change their own passwords as declared", ok, strings.Join(parts, "; "), fix)
}
