package orgsim

import (
	"errors"
	"strings"
	"time"

	"github.com/orgbaseline/orgbaseline/internal/mgmtpolicy"
)

// Management policy types (Organizations user guide, "Management
// policies"): their grammar, their attachment limits and their effective
// policies. The merge itself is in organizations_effective.go.

// orgMgmtPerTarget is the most policies of each management type that can
// be attached directly to one root, OU or account ("Quotas for AWS
// Organizations", number of policies that you can attach to an entity:
// declarative, backup, tag and Security Hub policies 10, AI services
// opt-out policies 5). The page lists no figure for S3, Inspector and
// Bedrock policies; orgsim takes the strictest figure it gives a
// management type, 5.
var orgMgmtPerTarget = map[string]int{
	"TAG_POLICY":                10,
	"BACKUP_POLICY":             10,
	"AISERVICES_OPT_OUT_POLICY": 5,
	"DECLARATIVE_POLICY_EC2":    10,
	"SECURITYHUB_POLICY":        10,
	"S3_POLICY":                 5,
	"INSPECTOR_POLICY":          5,
	"BEDROCK_POLICY":            5,
}

// orgMaxPerTarget is the attachment limit AttachPolicy enforces for typ
// (ConstraintViolationException MAX_POLICY_TYPE_ATTACHMENT_LIMIT_EXCEEDED).
func (s *Sim) orgMaxPerTarget(typ string) int {
	if typ == "SERVICE_CONTROL_POLICY" {
		return s.limits.SCPMaxPerTarget
	}
	if n, ok := orgMgmtPerTarget[typ]; ok {
		return n
	}
	return 10
}

// orgCheckMgmtContent validates a management policy document:
// MalformedPolicyDocumentException ("The provided policy document doesn't
// meet the requirements of the specified policy type", Organizations API
// reference, CreatePolicy and UpdatePolicy) naming every problem with its
// JSON path. The grammar is internal/mgmtpolicy's, from the syntax page of
// each type.
func orgCheckMgmtContent(typ, content string) *apiError {
	if _, err := mgmtpolicy.Parse(typ, []byte(content)); err != nil {
		return newErr(400, "MalformedPolicyDocumentException", "The provided policy document doesn't meet the requirements of the specified policy type: %s", mgmtProblems(err))
	}
	return nil
}

func mgmtProblems(err error) string {
	var pe *mgmtpolicy.ParseError
	if !errors.As(err, &pe) {
		return err.Error()
	}
	parts := make([]string, len(pe.Problems))
	for i, p := range pe.Problems {
		parts[i] = p.String()
	}
	return strings.Join(parts, "; ")
}

// orgNoteChange records that a policy's content, or a target's attached
// policies, changed at now: the LastUpdatedTimestamp of the effective
// policies it reaches.
func (o *organization) orgNoteChange(id string, now time.Time) {
	if o.changedAt == nil {
		o.changedAt = map[string]time.Time{}
	}
	o.changedAt[id] = now
}

// orgDescribeEffectivePolicy answers DescribeEffectivePolicy
// (Organizations API reference):
//   - "This operation applies only to management policies. It does not
//     apply to authorization policies": PolicyType is an
//     EffectivePolicyType, whose enum has no SERVICE_CONTROL_POLICY or
//     RESOURCE_CONTROL_POLICY, so those (and any other string) answer
//     InvalidInputException INVALID_ENUM_POLICY_TYPE.
//   - TargetId: "When you're signed in as the management account, specify
//     the ID of the account ... Specifying an organization root or
//     organizational unit (OU) as the target is not supported":
//     InvalidInputException TARGET_NOT_SUPPORTED ("You can't perform the
//     specified operation on that target entity"). Without TargetId the
//     caller's own account.
//   - "You can call this operation from any account in a organization."
//     A member account asking about another account is not described;
//     orgsim refuses it (AccessDeniedException), the stricter reading.
//   - EffectivePolicyNotFoundException: "If you ran this action on the
//     management account, this policy type is not enabled. If you ran the
//     action on a member account, the account doesn't have an effective
//     policy of this type": orgsim answers it when the type is not ENABLED
//     in the root or no policy of the type is attached on the account's
//     path.
//
// The management account is governed by management policies ("Managing
// organization policies", policy types table: affects management account:
// yes), so it has effective policies too.
func orgDescribeEffectivePolicy(c *call) (any, *apiError) {
	var in struct {
		PolicyType *string `json:"PolicyType"`
		TargetId   *string `json:"TargetId"`
	}
	if e := c.decode(&in); e != nil {
		return nil, e
	}
	if in.PolicyType == nil {
		return nil, orgRequired("PolicyType")
	}
	info, ok := mgmtpolicy.TypeOf(*in.PolicyType)
	if _, known := orgPolicyTypes[*in.PolicyType]; !ok || !known || !info.EffectivePolicy {
		return nil, orgInvalid("INVALID_ENUM_POLICY_TYPE", "You specified an invalid policy type string.")
	}
	target, e := c.orgEffectiveTarget(in.TargetId)
	if e != nil {
		return nil, e
	}
	typ := info.Type
	s := c.sim
	if s.org.root.policyTypes[typ] != orgEnabled {
		return nil, orgNoEffectivePolicy()
	}
	content, updated, found := s.orgEffectivePolicy(typ, target)
	if !found {
		return nil, orgNoEffectivePolicy()
	}
	type effective struct {
		LastUpdatedTimestamp *epochTime `json:"LastUpdatedTimestamp,omitempty"`
		PolicyContent        string     `json:"PolicyContent"`
		PolicyType           string     `json:"PolicyType"`
		TargetId             string     `json:"TargetId"`
	}
	return struct {
		EffectivePolicy effective `json:"EffectivePolicy"`
	}{effective{epoch(updated), content, typ, target}}, nil
}

// orgEffectiveTarget resolves DescribeEffectivePolicy's TargetId: an
// account, the caller's own when none is given.
func (c *call) orgEffectiveTarget(id *string) (string, *apiError) {
	if id == nil {
		return c.acct.ID, nil
	}
	target, e := c.orgTarget(id)
	if e != nil {
		return "", e
	}
	if !isAccountID(target) {
		return "", orgInvalid("TARGET_NOT_SUPPORTED", "You can't perform the specified operation on that target entity.")
	}
	if target != c.acct.ID && c.acct.ID != c.sim.org.mgmtID {
		return "", newErr(400, "AccessDeniedException", "%s", orgMsgDenied)
	}
	return target, nil
}

func orgNoEffectivePolicy() *apiError {
	return newErr(400, "EffectivePolicyNotFoundException", "We can't find an effective policy of that type for the specified target. Either the policy type is not enabled, or no policy of that type applies to the account.")
}

// orgEffectivePolicy merges the policies of typ attached from the root
// down to account. found is false when none is attached; updated is the
// last change to those policies or their attachments.
func (s *Sim) orgEffectivePolicy(typ, account string) (content string, updated time.Time, found bool) {
	o := s.org
	path := append(s.parentChain(account), account)
	levels := make([][]*mgmtpolicy.Document, 0, len(path))
	for _, target := range path {
		var level []*mgmtpolicy.Document
		for _, p := range o.attachedOfType(target, typ) {
			doc, err := mgmtpolicy.Parse(typ, []byte(p.content))
			if err != nil {
				continue // CreatePolicy and UpdatePolicy admit only valid documents
			}
			level = append(level, doc)
			found = true
			updated = laterOf(updated, o.changedAt[p.id])
		}
		updated = laterOf(updated, o.changedAt[target])
		levels = append(levels, level)
	}
	if !found {
		return "", time.Time{}, false
	}
	eff, _ := mergeEffective(typ, levels)
	return string(eff), updated, true
}

func laterOf(a, b time.Time) time.Time {
	if b.After(a) {
		return b
	}
	return a
}
