package iamread

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"net/url"
	"strings"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/iam"
)

// Policy is an IAM policy document (identity or trust policy), reduced to
// what the checks look at.
type Policy struct {
	Version   string
	Statement []Statement
}

// Statement is one policy statement. Single values and lists are both read
// into lists.
type Statement struct {
	Sid          string
	Effect       string
	Principal    *Principal
	NotPrincipal *Principal
	Action       Strings
	NotAction    Strings
	Resource     Strings
	NotResource  Strings
	// Condition maps operator (StringEquals) to key (sts:ExternalId) to
	// values, each value as its JSON text without quotes.
	Condition map[string]map[string]Strings
}

// Principal is a statement's Principal: "*" (All) or a map of kinds.
type Principal struct {
	All       bool // "Principal": "*"
	AWS       Strings
	Service   Strings
	Federated Strings
	Canonical Strings
}

// UnmarshalJSON reads "*" or {"AWS": ..., "Service": ..., ...}.
func (p *Principal) UnmarshalJSON(b []byte) error {
	var s string
	if err := json.Unmarshal(b, &s); err == nil {
		if s != "*" {
			return fmt.Errorf("principal %q: want \"*\" or an object", s)
		}
		p.All = true
		return nil
	}
	var m struct {
		AWS           Strings
		Service       Strings
		Federated     Strings
		CanonicalUser Strings
	}
	if err := json.Unmarshal(b, &m); err != nil {
		return fmt.Errorf("principal: %w", err)
	}
	p.AWS, p.Service, p.Federated, p.Canonical = m.AWS, m.Service, m.Federated, m.CanonicalUser
	return nil
}

// Strings is a JSON string or list of strings; numbers and booleans (as
// condition values may be) are kept as their text.
type Strings []string

// UnmarshalJSON reads a value or a list of values.
func (s *Strings) UnmarshalJSON(b []byte) error {
	b = bytes.TrimSpace(b)
	if len(b) > 0 && b[0] == '[' {
		var raw []json.RawMessage
		if err := json.Unmarshal(b, &raw); err != nil {
			return err
		}
		out := make(Strings, 0, len(raw))
		for _, r := range raw {
			v, err := scalar(r)
			if err != nil {
				return err
			}
			out = append(out, v)
		}
		*s = out
		return nil
	}
	v, err := scalar(b)
	if err != nil {
		return err
	}
	*s = Strings{v}
	return nil
}

func scalar(b json.RawMessage) (string, error) {
	var s string
	if err := json.Unmarshal(b, &s); err == nil {
		return s, nil
	}
	var v any
	if err := json.Unmarshal(b, &v); err != nil {
		return "", err
	}
	switch v.(type) {
	case float64, bool:
		return string(bytes.TrimSpace(b)), nil
	}
	return "", fmt.Errorf("want a string, number or boolean, got %s", b)
}

// ParsePolicy parses a policy document. IAM returns documents
// percent-encoded (RFC 3986, so "+" is a plus sign, not a space); text that
// does not start with "{" is decoded first.
func ParsePolicy(doc string) (*Policy, error) {
	text := strings.TrimSpace(doc)
	if !strings.HasPrefix(text, "{") {
		dec, err := url.PathUnescape(text)
		if err != nil {
			return nil, fmt.Errorf("policy document: %w", err)
		}
		text = dec
	}
	var raw struct {
		Version   string
		Statement json.RawMessage
	}
	if err := json.Unmarshal([]byte(text), &raw); err != nil {
		return nil, fmt.Errorf("policy document: %w", err)
	}
	p := &Policy{Version: raw.Version}
	st := bytes.TrimSpace(raw.Statement)
	switch {
	case len(st) == 0:
	case st[0] == '[':
		if err := json.Unmarshal(st, &p.Statement); err != nil {
			return nil, fmt.Errorf("policy document: %w", err)
		}
	default:
		var one Statement
		if err := json.Unmarshal(st, &one); err != nil {
			return nil, fmt.Errorf("policy document: %w", err)
		}
		p.Statement = []Statement{one}
	}
	return p, nil
}

// Allows reports whether the statement is an Allow.
func (s Statement) Allows() bool { return strings.EqualFold(s.Effect, "Allow") }

// GrantsFullAdmin reports whether the statement allows every action on
// every resource: Effect Allow, Action "*" (or "*:*") and Resource "*",
// the pattern CIS 1.16 names. Conditions are ignored: a condition narrows
// when, not what.
func (s Statement) GrantsFullAdmin() bool {
	if !s.Allows() || len(s.NotAction) > 0 || len(s.NotResource) > 0 {
		return false
	}
	anyAction := false
	for _, a := range s.Action {
		if a == "*" || a == "*:*" {
			anyAction = true
		}
	}
	anyResource := false
	for _, r := range s.Resource {
		if r == "*" {
			anyResource = true
		}
	}
	return anyAction && anyResource
}

// GrantsFullAdmin reports whether any statement of p allows * on *.
func (p *Policy) GrantsFullAdmin() bool {
	for _, s := range p.Statement {
		if s.GrantsFullAdmin() {
			return true
		}
	}
	return false
}

// ConditionKey returns the values of a condition key under any operator,
// the key compared case-insensitively (IAM condition keys are). ok is false
// when the statement has no condition on the key.
func (s Statement) ConditionKey(key string) (values []string, ok bool) {
	for _, keys := range s.Condition {
		for k, v := range keys {
			if strings.EqualFold(k, key) {
				values = append(values, v...)
				ok = true
			}
		}
	}
	return values, ok
}

// PolicyVersionAPI reads a managed policy's document.
type PolicyVersionAPI interface {
	GetPolicyVersion(ctx context.Context, in *iam.GetPolicyVersionInput, optFns ...func(*iam.Options)) (*iam.GetPolicyVersionOutput, error)
}

// ManagedPolicyDocument reads and parses one version of a managed policy.
func ManagedPolicyDocument(ctx context.Context, api PolicyVersionAPI, policyARN, version string) (*Policy, error) {
	out, err := api.GetPolicyVersion(ctx, &iam.GetPolicyVersionInput{PolicyArn: aws.String(policyARN), VersionId: aws.String(version)})
	if err != nil {
		return nil, callErr("iam:GetPolicyVersion", err)
	}
	if out.PolicyVersion == nil {
		return nil, fmt.Errorf("iam:GetPolicyVersion %s %s: no document", policyARN, version)
	}
	p, err := ParsePolicy(aws.ToString(out.PolicyVersion.Document))
	if err != nil {
		return nil, fmt.Errorf("%s %s: %w", policyARN, version, err)
	}
	return p, nil
}

// InlinePolicyAPI reads inline policies of users, groups and roles.
type InlinePolicyAPI interface {
	GetUserPolicy(ctx context.Context, in *iam.GetUserPolicyInput, optFns ...func(*iam.Options)) (*iam.GetUserPolicyOutput, error)
	GetGroupPolicy(ctx context.Context, in *iam.GetGroupPolicyInput, optFns ...func(*iam.Options)) (*iam.GetGroupPolicyOutput, error)
	GetRolePolicy(ctx context.Context, in *iam.GetRolePolicyInput, optFns ...func(*iam.Options)) (*iam.GetRolePolicyOutput, error)
}

// PrincipalKind is the kind of IAM identity an inline policy belongs to.
type PrincipalKind string

const (
	KindUser  PrincipalKind = "user"
	KindGroup PrincipalKind = "group"
	KindRole  PrincipalKind = "role"
)

// InlinePolicyDocument reads and parses an inline policy of a user, group
// or role.
func InlinePolicyDocument(ctx context.Context, api InlinePolicyAPI, kind PrincipalKind, owner, name string) (*Policy, error) {
	var (
		doc    *string
		action string
		err    error
	)
	switch kind {
	case KindUser:
		action = "iam:GetUserPolicy"
		var out *iam.GetUserPolicyOutput
		if out, err = api.GetUserPolicy(ctx, &iam.GetUserPolicyInput{UserName: aws.String(owner), PolicyName: aws.String(name)}); err == nil {
			doc = out.PolicyDocument
		}
	case KindGroup:
		action = "iam:GetGroupPolicy"
		var out *iam.GetGroupPolicyOutput
		if out, err = api.GetGroupPolicy(ctx, &iam.GetGroupPolicyInput{GroupName: aws.String(owner), PolicyName: aws.String(name)}); err == nil {
			doc = out.PolicyDocument
		}
	case KindRole:
		action = "iam:GetRolePolicy"
		var out *iam.GetRolePolicyOutput
		if out, err = api.GetRolePolicy(ctx, &iam.GetRolePolicyInput{RoleName: aws.String(owner), PolicyName: aws.String(name)}); err == nil {
			doc = out.PolicyDocument
		}
	default:
		return nil, fmt.Errorf("inline policy of unknown kind %q", kind)
	}
	if err != nil {
		return nil, callErr(action, err)
	}
	p, err := ParsePolicy(aws.ToString(doc))
	if err != nil {
		return nil, fmt.Errorf("inline policy %s of %s %s: %w", name, kind, owner, err)
	}
	return p, nil
}
