// Command least-privilege is orgbaseline's first-party check of broad
// grants and trust in an account's IAM:
//
//   - least-privilege.full-admin-policy (CIS-3.0 1.16): no attached customer
//     managed policy and no inline policy (of a user, group or role) allows
//     "*" on "*". AWS managed policies are left to the next verdict: every
//     member account's execution role has AdministratorAccess by design.
//   - least-privilege.broad-managed-policy (related to 1.16): AdministratorAccess
//     and PowerUserAccess are attached to no user or group.
//   - least-privilege.cross-account-trust: no role trusts everyone, and a
//     role that trusts another account requires an sts:ExternalId, unless
//     that account is the organization's management account or listed in
//     allowedTrustedAccounts.
//   - least-privilege.support-role (1.17): a role has supportPolicyArn
//     (AWSSupportAccess) attached, to manage incidents with AWS Support.
//
// Config (JSON Schema in Describe):
//
//	allowedTrustedAccounts: []   # account ids roles may trust without an ExternalId
//	supportPolicyArn: arn:aws:iam::aws:policy/AWSSupportAccess
package main

import (
	"context"
	"errors"
	"fmt"
	"path"
	"regexp"
	"sort"
	"strings"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/iam"
	"github.com/aws/aws-sdk-go-v2/service/iam/types"
	"github.com/aws/aws-sdk-go-v2/service/organizations"
	"golang.org/x/sync/errgroup"

	"github.com/orgbaseline/orgbaseline/plugins"
	"github.com/orgbaseline/orgbaseline/plugins/checks/internal/checkkit"
	"github.com/orgbaseline/orgbaseline/plugins/checks/internal/iamread"
)

const (
	checkID      = "least-privilege"
	checkVersion = "1.0.0"
	// readConcurrency bounds the per-principal policy reads in flight.
	readConcurrency = 4
)

// check is the least-privilege check.
type check struct {
	plugins.UnimplementedCheck
}

var _ plugins.Check = (*check)(nil)

// config is the check's config; defaults in defaultConfig.
type config struct {
	AllowedTrustedAccounts []string `json:"allowedTrustedAccounts"`
	SupportPolicyARN       string   `json:"supportPolicyArn"`
}

func defaultConfig(partition string) config {
	return config{AllowedTrustedAccounts: []string{}, SupportPolicyARN: iamread.AWSManagedPolicyARN(partition, "AWSSupportAccess")}
}

var (
	accountIDRe = regexp.MustCompile(`^[0-9]{12}$`)
	policyARNRe = regexp.MustCompile(`^arn:[a-z-]+:iam::([0-9]{12}|aws):policy/.+$`)
)

// Validate says what is wrong with the config (checkkit.Validator).
func (c config) Validate() error {
	var errs []string
	for i, a := range c.AllowedTrustedAccounts {
		if !accountIDRe.MatchString(a) {
			errs = append(errs, fmt.Sprintf("allowedTrustedAccounts[%d] is %q; it must be a 12-digit account id", i, a))
		}
	}
	if !policyARNRe.MatchString(c.SupportPolicyARN) {
		errs = append(errs, fmt.Sprintf("supportPolicyArn is %q; it must be a managed policy ARN such as arn:aws:iam::aws:policy/AWSSupportAccess", c.SupportPolicyARN))
	}
	if len(errs) > 0 {
		return fmt.Errorf("%s config: %s", checkID, strings.Join(errs, "; "))
	}
	return nil
}

const configSchema = `{
  "$schema": "https://json-schema.org/draft/2020-12/schema",
  "title": "least-privilege check config",
  "type": "object",
  "additionalProperties": false,
  "properties": {
    "allowedTrustedAccounts": {
      "description": "Accounts that roles may trust without an sts:ExternalId condition (least-privilege.cross-account-trust), e.g. other accounts of the organization. The organization's management account is always allowed.",
      "type": "array",
      "items": {"type": "string", "pattern": "^[0-9]{12}$"},
      "uniqueItems": true,
      "default": []
    },
    "supportPolicyArn": {
      "description": "The managed policy a support role must have attached (least-privilege.support-role, CIS-3.0 1.17).",
      "type": "string",
      "pattern": "^arn:[a-z-]+:iam::([0-9]{12}|aws):policy/.+$",
      "default": "arn:aws:iam::aws:policy/AWSSupportAccess"
    }
  }
}`

var (
	ruleFullAdmin = checkkit.Rule{
		ID:       checkID + ".full-admin-policy",
		Title:    `No attached policy allows "*" on "*"`,
		Severity: plugins.SeverityHigh,
		Remediation: `Replace the "Action": "*", "Resource": "*" statement with the actions and resources the principals ` +
			"need (IAM Access Analyzer can generate a policy from CloudTrail activity), or detach the policy.",
		Compliance: []string{"CIS-3.0:1.16", "SOC2:CC6.3", "ISO27001:A.9.4", "HIPAA:164.312(a)(1)", "NIST-CSF:PR.AC", "CMMC:AC.L2-3.1.5"},
	}
	ruleBroadManaged = checkkit.Rule{
		ID:       checkID + ".broad-managed-policy",
		Title:    "No user or group has AdministratorAccess or PowerUserAccess",
		Severity: plugins.SeverityHigh,
		Remediation: "Detach the policy from the user or group and grant narrower permissions; administrators should " +
			"assume a role (or use IAM Identity Center) for administrative work, with MFA.",
		Compliance: []string{"CIS-3.0:1.16", "SOC2:CC6.3", "ISO27001:A.9.4", "HIPAA:164.312(a)(1)", "NIST-CSF:PR.AC", "CMMC:AC.L2-3.1.5"},
	}
	ruleTrust = checkkit.Rule{
		ID:       checkID + ".cross-account-trust",
		Title:    "Roles trust other accounts only with an ExternalId, and never everyone",
		Severity: plugins.SeverityHigh,
		Remediation: "Edit the role's trust policy: name the exact accounts or roles that may assume it, and for a third " +
			`party add "Condition": {"StringEquals": {"sts:ExternalId": "<id the third party gave you>"}}; never trust ` +
			`"*" without a condition on aws:PrincipalOrgID or aws:PrincipalAccount.`,
		Compliance: []string{"SOC2:CC6.1", "ISO27001:A.9.4", "HIPAA:164.312(a)(1)", "NIST-CSF:PR.AC", "CMMC:AC.L2-3.1.1"},
	}
	ruleSupport = checkkit.Rule{
		ID:       checkID + ".support-role",
		Title:    "A support role exists for incidents",
		Severity: plugins.SeverityLow,
		Remediation: "Create a role that your incident responders can assume (trusting your own account or identity " +
			"provider) and attach AWSSupportAccess to it.",
		Compliance: []string{"CIS-3.0:1.17", "SOC2:CC7.2", "ISO27001:A.16.1", "HIPAA:164.308(a)(6)", "NIST-CSF:RS.CO", "CMMC:IR.L2-3.6.1"},
	}
	rules = []checkkit.Rule{ruleFullAdmin, ruleBroadManaged, ruleTrust, ruleSupport}
)

// broadManagedPolicies are the AWS managed policies no user or group
// should have.
var broadManagedPolicies = []string{"AdministratorAccess", "PowerUserAccess"}

// actions are exactly the actions Run calls.
var actions = []string{
	"iam:ListPolicies",
	"iam:GetPolicyVersion",
	"iam:ListEntitiesForPolicy",
	"iam:ListUsers",
	"iam:ListUserPolicies",
	"iam:GetUserPolicy",
	"iam:ListGroups",
	"iam:ListGroupPolicies",
	"iam:GetGroupPolicy",
	"iam:ListRoles",
	"iam:ListRolePolicies",
	"iam:GetRolePolicy",
	"organizations:DescribeOrganization",
}

// Describe says what the check is and needs.
func (c *check) Describe(context.Context, *plugins.DescribeRequest) (*plugins.DescribeResponse, error) {
	return &plugins.DescribeResponse{
		ID:      checkID,
		Version: checkVersion,
		Title:   "Least privilege: no * on *, no broad managed policies on users, safe role trust, a support role",
		Description: "least-privilege.full-admin-policy: no attached customer managed policy and no inline policy allows " +
			`"*" on "*" (CIS-3.0 1.16); least-privilege.broad-managed-policy: no user or group has AdministratorAccess or ` +
			"PowerUserAccess; least-privilege.cross-account-trust: no role trusts everyone, and roles trusting another " +
			"account require an sts:ExternalId unless the account is the organization's management account or in " +
			"allowedTrustedAccounts; least-privilege.support-role: a role has AWSSupportAccess (or supportPolicyArn) " +
			"attached (1.17). One finding per policy, user, group or role, and per account for the support role.",
		DefaultSeverity: plugins.SeverityHigh,
		Compliance:      checkkit.Compliance(rules),
		Actions:         append([]string(nil), actions...),
		ConfigSchema:    configSchema,
	}, nil
}

// accountRun is one account's run: what it read and what it found.
type accountRun struct {
	req       *plugins.RunRequest
	cfg       config
	partition string
	account   string // the account's root ARN: resource of account-wide findings
	iam       *iam.Client
	orgs      *organizations.Client

	users    []types.User
	groups   []types.Group
	roles    []types.Role
	usersErr error
	grpErr   error
	rolesErr error

	org *orgInfo // read on first need
}

// Run gives the verdicts for one account. A config it cannot read is an
// error; a failed AWS call is an ERROR finding naming the action, for the
// verdicts that needed it.
func (c *check) Run(ctx context.Context, req *plugins.RunRequest) (*plugins.RunResponse, error) {
	partition := iamread.Partition(req.HomeRegion)
	cfg := defaultConfig(partition)
	awsCfg, err := checkkit.Setup(ctx, checkID, req, &cfg)
	if err != nil {
		return nil, err
	}
	r := &accountRun{
		req: req, cfg: cfg, partition: partition,
		account: iamread.AccountARN(partition, req.Account.ID),
		iam:     iam.NewFromConfig(awsCfg),
		orgs:    organizations.NewFromConfig(awsCfg),
	}
	r.users, r.usersErr = iamread.Users(ctx, r.iam)
	r.groups, r.grpErr = iamread.Groups(ctx, r.iam)
	r.roles, r.rolesErr = iamread.Roles(ctx, r.iam)

	out := &plugins.RunResponse{}
	out.Findings = append(out.Findings, r.fullAdmin(ctx)...)
	out.Findings = append(out.Findings, r.broadManaged(ctx)...)
	out.Findings = append(out.Findings, r.trust(ctx)...)
	out.Findings = append(out.Findings, r.supportRole(ctx))
	return out, nil
}

// ---------------------------------------------------------------------------
// full-admin-policy

// principal is a user, group or role that may have inline policies.
type principal struct {
	kind iamread.PrincipalKind
	name string
	arn  string
}

// inlineResult is what one principal's inline policies say.
type inlineResult struct {
	names []string // all inline policies
	admin []string // those allowing * on *
	err   error
}

func (r *accountRun) principals() []principal {
	var ps []principal
	for _, u := range r.users {
		ps = append(ps, principal{iamread.KindUser, aws.ToString(u.UserName), aws.ToString(u.Arn)})
	}
	for _, g := range r.groups {
		ps = append(ps, principal{iamread.KindGroup, aws.ToString(g.GroupName), aws.ToString(g.Arn)})
	}
	for _, ro := range r.roles {
		ps = append(ps, principal{iamread.KindRole, aws.ToString(ro.RoleName), aws.ToString(ro.Arn)})
	}
	return ps
}

func (r *accountRun) fullAdmin(ctx context.Context) []plugins.Finding {
	rl := ruleFullAdmin
	var out []plugins.Finding
	var listErrs []error
	for _, err := range []error{r.usersErr, r.grpErr, r.rolesErr} {
		if err != nil {
			listErrs = append(listErrs, err)
		}
	}

	// Customer managed policies attached somewhere.
	policies, err := iamread.AttachedCustomerPolicies(ctx, r.iam)
	if err != nil {
		listErrs = append(listErrs, err)
	}
	for _, p := range policies {
		arn, version := aws.ToString(p.Arn), aws.ToString(p.DefaultVersionId)
		ev := map[string]string{
			"policyArn":        arn,
			"defaultVersionId": version,
			"attachmentCount":  fmt.Sprint(aws.ToInt32(p.AttachmentCount)),
		}
		doc, err := iamread.ManagedPolicyDocument(ctx, r.iam, arn, version)
		if err != nil {
			out = append(out, rl.Error(arn, fmt.Sprintf("Could not read policy %s: %v", arn, err)))
			continue
		}
		if !doc.GrantsFullAdmin() {
			out = append(out, rl.Pass(arn, fmt.Sprintf("Policy %s does not allow * on *.", aws.ToString(p.PolicyName)), ev))
			continue
		}
		msg := fmt.Sprintf("Customer managed policy %s allows * on * and is attached", aws.ToString(p.PolicyName))
		if ents, err := iamread.EntitiesForPolicy(ctx, r.iam, arn, ""); err != nil {
			msg += fmt.Sprintf(" (where could not be listed: %v)", err)
		} else {
			ev["attachedTo"] = entitiesText(ents)
			msg += " to " + ev["attachedTo"]
		}
		out = append(out, rl.Fail(arn, msg+".", ev))
	}

	// Inline policies of users, groups and roles.
	ps := r.principals()
	results := make([]inlineResult, len(ps))
	var g errgroup.Group
	g.SetLimit(readConcurrency)
	for i, p := range ps {
		g.Go(func() error {
			results[i] = r.inline(ctx, p)
			return nil
		})
	}
	_ = g.Wait() // the workers record their errors in results
	for i, p := range ps {
		res := results[i]
		switch {
		case res.err != nil:
			out = append(out, rl.Error(p.arn, fmt.Sprintf("Could not read the inline policies of %s %s: %v", p.kind, p.name, res.err)))
		case len(res.names) == 0:
		case len(res.admin) > 0:
			ev := map[string]string{"inlinePolicies": strings.Join(res.names, ","), "fullAdminPolicies": strings.Join(res.admin, ",")}
			out = append(out, rl.Fail(p.arn, fmt.Sprintf("Inline policy %s of %s %s allows * on *.", strings.Join(res.admin, ", "), p.kind, p.name), ev))
		default:
			ev := map[string]string{"inlinePolicies": strings.Join(res.names, ",")}
			out = append(out, rl.Pass(p.arn, fmt.Sprintf("No inline policy of %s %s allows * on *.", p.kind, p.name), ev))
		}
	}

	if len(listErrs) > 0 {
		out = append(out, rl.Error(r.account, fmt.Sprintf("Could not list every policy of account %s: %v", r.req.Account.ID, errors.Join(listErrs...))))
	} else if len(out) == 0 {
		out = append(out, rl.Pass(r.account, "The account has no attached customer managed policy and no inline policy.",
			map[string]string{"attachedCustomerPolicies": "0", "principalsWithInlinePolicies": "0"}))
	}
	return out
}

func (r *accountRun) inline(ctx context.Context, p principal) inlineResult {
	var res inlineResult
	switch p.kind {
	case iamread.KindUser:
		res.names, res.err = iamread.UserPolicyNames(ctx, r.iam, p.name)
	case iamread.KindGroup:
		res.names, res.err = iamread.GroupPolicyNames(ctx, r.iam, p.name)
	case iamread.KindRole:
		res.names, res.err = iamread.RolePolicyNames(ctx, r.iam, p.name)
	}
	if res.err != nil {
		return res
	}
	for _, name := range res.names {
		doc, err := iamread.InlinePolicyDocument(ctx, r.iam, p.kind, p.name, name)
		if err != nil {
			res.err = err
			return res
		}
		if doc.GrantsFullAdmin() {
			res.admin = append(res.admin, name)
		}
	}
	return res
}

func entitiesText(e iamread.Entities) string {
	var parts []string
	for _, u := range e.Users {
		parts = append(parts, "user/"+u)
	}
	for _, g := range e.Groups {
		parts = append(parts, "group/"+g)
	}
	for _, ro := range e.Roles {
		parts = append(parts, "role/"+ro)
	}
	return strings.Join(parts, ",")
}

// ---------------------------------------------------------------------------
// broad-managed-policy

func (r *accountRun) broadManaged(ctx context.Context) []plugins.Finding {
	rl := ruleBroadManaged
	onUser, onGroup := map[string][]string{}, map[string][]string{}
	var errs []error
	for _, err := range []error{r.usersErr, r.grpErr} {
		if err != nil {
			errs = append(errs, err)
		}
	}
	for _, name := range broadManagedPolicies {
		arn := iamread.AWSManagedPolicyARN(r.partition, name)
		ents, err := iamread.EntitiesForPolicy(ctx, r.iam, arn, "")
		if err != nil {
			errs = append(errs, fmt.Errorf("%s: %w", name, err))
			continue
		}
		for _, u := range ents.Users {
			onUser[u] = append(onUser[u], arn)
		}
		for _, g := range ents.Groups {
			onGroup[g] = append(onGroup[g], arn)
		}
	}
	if len(errs) > 0 {
		return []plugins.Finding{rl.Error(r.account, fmt.Sprintf("Could not read where %s are attached in account %s: %v",
			strings.Join(broadManagedPolicies, " and "), r.req.Account.ID, errors.Join(errs...)))}
	}
	var out []plugins.Finding
	verdict := func(kind, name, arn string, attached []string) {
		ev := map[string]string{"broadPolicies": strings.Join(attached, ",")}
		if len(attached) == 0 {
			out = append(out, rl.Pass(arn, fmt.Sprintf("%s %s has neither %s attached.", kind, name, strings.Join(broadManagedPolicies, " nor ")), ev))
			return
		}
		names := make([]string, len(attached))
		for i, a := range attached {
			names[i] = path.Base(a)
		}
		out = append(out, rl.Fail(arn, fmt.Sprintf("%s %s has %s attached.", kind, name, strings.Join(names, " and ")), ev))
	}
	for _, u := range r.users {
		verdict("User", aws.ToString(u.UserName), aws.ToString(u.Arn), onUser[aws.ToString(u.UserName)])
	}
	for _, g := range r.groups {
		verdict("Group", aws.ToString(g.GroupName), aws.ToString(g.Arn), onGroup[aws.ToString(g.GroupName)])
	}
	if len(out) == 0 {
		out = append(out, rl.Pass(r.account, "The account has no IAM users or groups.", map[string]string{"users": "0", "groups": "0"}))
	}
	return out
}

// ---------------------------------------------------------------------------
// cross-account-trust

// orgInfo is the organization the account belongs to, if any.
type orgInfo struct {
	id, managementAccount string
	err                   error
}

// organization reads the account's organization once, on first need.
func (r *accountRun) organization(ctx context.Context) *orgInfo {
	if r.org != nil {
		return r.org
	}
	r.org = &orgInfo{}
	out, err := r.orgs.DescribeOrganization(ctx, &organizations.DescribeOrganizationInput{})
	switch {
	case iamread.ErrorCode(err) == "AWSOrganizationsNotInUseException":
		// A standalone account: no management account to trust.
	case err != nil:
		r.org.err = &iamread.CallError{Action: "organizations:DescribeOrganization", Err: err}
	case out.Organization != nil:
		r.org.id = aws.ToString(out.Organization.Id)
		r.org.managementAccount = aws.ToString(out.Organization.MasterAccountId)
	}
	return r.org
}

// restrictingKeys are condition keys that limit a "*" principal to known
// callers, so that it no longer means everyone.
var restrictingKeys = []string{
	"aws:PrincipalOrgID", "aws:PrincipalOrgPaths", "aws:PrincipalAccount", "aws:PrincipalArn",
	"aws:SourceAccount", "aws:SourceArn", "aws:SourceOrgID", "aws:SourceOrgPaths",
}

func (r *accountRun) trust(ctx context.Context) []plugins.Finding {
	rl := ruleTrust
	if r.rolesErr != nil {
		return []plugins.Finding{rl.Error(r.account, fmt.Sprintf("Could not list the roles of account %s: %v", r.req.Account.ID, r.rolesErr))}
	}
	allowed := map[string]bool{}
	for _, a := range r.cfg.AllowedTrustedAccounts {
		allowed[a] = true
	}
	var out []plugins.Finding
	for _, role := range r.roles {
		out = append(out, r.roleTrust(ctx, role, allowed))
	}
	if len(out) == 0 {
		out = append(out, rl.Pass(r.account, "The account has no roles.", map[string]string{"roles": "0"}))
	}
	return out
}

// roleTrust gives the verdict on one role's trust policy.
func (r *accountRun) roleTrust(ctx context.Context, role types.Role, allowed map[string]bool) plugins.Finding {
	rl := ruleTrust
	name, arn := aws.ToString(role.RoleName), aws.ToString(role.Arn)
	doc, err := iamread.ParsePolicy(aws.ToString(role.AssumeRolePolicyDocument))
	if err != nil {
		return rl.Error(arn, fmt.Sprintf("Could not read the trust policy of role %s: %v", name, err))
	}
	self := r.req.Account.ID
	var (
		everyone  []string // why the role trusts everyone
		noExtID   []string // foreign accounts trusted without ExternalId
		withExtID []string
		trusted   []string // every account trusted, for evidence
		why       []string // each trusted account and why that is fine
		services  []string
		undecided []string
		undecErr  error
	)
	for _, st := range doc.Statement {
		if !st.Allows() || !allowsAssumeRole(st) {
			continue
		}
		restricted := ""
		for _, k := range restrictingKeys {
			if _, ok := st.ConditionKey(k); ok {
				restricted = k
				break
			}
		}
		_, extID := st.ConditionKey("sts:ExternalId")
		if st.NotPrincipal != nil {
			if restricted == "" {
				everyone = append(everyone, "an Allow with NotPrincipal (everyone but the principals named)")
			}
			continue
		}
		if st.Principal == nil {
			continue
		}
		services = append(services, st.Principal.Service...)
		if st.Principal.All {
			if restricted == "" {
				everyone = append(everyone, `Principal "*"`)
			}
			continue
		}
		for _, p := range st.Principal.AWS {
			if p == "*" {
				if restricted == "" {
					everyone = append(everyone, `Principal {"AWS": "*"}`)
				}
				continue
			}
			acct := principalAccount(p)
			if acct == "" || acct == self {
				continue // a unique id of a deleted principal, or this account
			}
			trusted = append(trusted, acct)
			switch {
			case extID:
				withExtID = append(withExtID, acct)
				why = append(why, acct+" with an ExternalId")
			case allowed[acct]:
				why = append(why, acct+" in allowedTrustedAccounts")
			default:
				org := r.organization(ctx)
				switch {
				case org.err != nil:
					undecided = append(undecided, acct)
					undecErr = org.err
				case acct == org.managementAccount:
					why = append(why, acct+" as the organization's management account")
				default:
					noExtID = append(noExtID, acct)
				}
			}
		}
	}
	ev := map[string]string{
		"trustedAccounts":          strings.Join(uniq(trusted), ","),
		"trustedWithExternalId":    strings.Join(uniq(withExtID), ","),
		"trustedWithoutExternalId": strings.Join(uniq(noExtID), ","),
		"trustedServices":          strings.Join(uniq(services), ","),
	}
	switch {
	case len(everyone) > 0:
		ev["trustsEveryone"] = "true"
		f := rl.Fail(arn, fmt.Sprintf("Role %s trusts everyone: %s allows sts:AssumeRole with no condition limiting who.", name, strings.Join(uniq(everyone), "; ")), ev)
		f.Severity = plugins.SeverityCritical
		return f
	case len(noExtID) > 0:
		return rl.Fail(arn, fmt.Sprintf("Role %s trusts account(s) %s without an sts:ExternalId condition.", name, strings.Join(uniq(noExtID), ", ")), ev)
	case len(undecided) > 0:
		return rl.Error(arn, fmt.Sprintf("Role %s trusts account(s) %s without an sts:ExternalId condition, and whether that is the organization's management account is unknown: %v",
			name, strings.Join(uniq(undecided), ", "), undecErr))
	case len(trusted) == 0:
		return rl.Pass(arn, fmt.Sprintf("Role %s trusts no other account.", name), ev)
	}
	return rl.Pass(arn, fmt.Sprintf("Role %s trusts other accounts safely: %s.", name, strings.Join(uniq(why), "; ")), ev)
}

// allowsAssumeRole reports whether the statement's actions cover
// sts:AssumeRole.
func allowsAssumeRole(st iamread.Statement) bool {
	if len(st.NotAction) > 0 {
		for _, a := range st.NotAction {
			if actionMatches(a, "sts:AssumeRole") {
				return false
			}
		}
		return true
	}
	for _, a := range st.Action {
		if actionMatches(a, "sts:AssumeRole") {
			return true
		}
	}
	return false
}

// actionMatches matches an IAM action pattern (with * and ?) against an
// action, case-insensitively as IAM does.
func actionMatches(pattern, action string) bool {
	var b strings.Builder
	b.WriteString("(?i)^")
	for _, c := range pattern {
		switch c {
		case '*':
			b.WriteString(".*")
		case '?':
			b.WriteString(".")
		default:
			b.WriteString(regexp.QuoteMeta(string(c)))
		}
	}
	b.WriteString("$")
	re, err := regexp.Compile(b.String())
	return err == nil && re.MatchString(action)
}

// principalAccount is the account of an AWS principal: a 12-digit id, or
// the account field of an ARN; "" for anything else (a unique id).
func principalAccount(p string) string {
	if accountIDRe.MatchString(p) {
		return p
	}
	if parts := strings.SplitN(p, ":", 6); len(parts) == 6 && parts[0] == "arn" && accountIDRe.MatchString(parts[4]) {
		return parts[4]
	}
	return ""
}

func uniq(xs []string) []string {
	seen := map[string]bool{}
	var out []string
	for _, x := range xs {
		if !seen[x] {
			seen[x] = true
			out = append(out, x)
		}
	}
	sort.Strings(out)
	return out
}

// ---------------------------------------------------------------------------
// support-role

func (r *accountRun) supportRole(ctx context.Context) plugins.Finding {
	rl := ruleSupport
	ents, err := iamread.EntitiesForPolicy(ctx, r.iam, r.cfg.SupportPolicyARN, types.EntityTypeRole)
	if err != nil {
		return rl.Error(r.account, fmt.Sprintf("Could not list the roles with %s in account %s: %v", r.cfg.SupportPolicyARN, r.req.Account.ID, err))
	}
	ev := map[string]string{"supportPolicyArn": r.cfg.SupportPolicyARN, "roles": strings.Join(ents.Roles, ",")}
	if len(ents.Roles) == 0 {
		return rl.Fail(r.account, fmt.Sprintf("No role has %s attached: nobody can open or manage AWS Support cases through a role during an incident.", path.Base(r.cfg.SupportPolicyARN)), ev)
	}
	return rl.Pass(r.account, fmt.Sprintf("Role(s) %s have %s attached.", strings.Join(ents.Roles, ", "), path.Base(r.cfg.SupportPolicyARN)), ev)
}
