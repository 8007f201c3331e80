package checkkit

import (
	"context"
	"fmt"

	"github.com/aws/aws-sdk-go-v2/aws"

	"github.com/orgbaseline/orgbaseline/plugins"
	"github.com/orgbaseline/orgbaseline/plugins/sdk"
)

// Rule is one kind of verdict a check gives.
type Rule struct {
	ID          string // e.g. "root-account.mfa"; the findings' Check
	Title       string
	Severity    plugins.Severity
	Remediation string   // set on FAIL findings only
	Compliance  []string // e.g. "CIS-3.0:1.5"
}

// Finding completes f (made by sdk.Pass, sdk.Fail or sdk.Error) with the
// rule's severity, title and a copy of its compliance references, sets its
// evidence, and adds the remediation when f is a FAIL.
func (r Rule) Finding(f plugins.Finding, evidence map[string]string) plugins.Finding {
	f.Severity = r.Severity
	f.Title = r.Title
	f.Compliance = append([]string(nil), r.Compliance...)
	f.Evidence = evidence
	if f.Status == plugins.StatusFail {
		f.Remediation = r.Remediation
	}
	return f
}

// Pass is the rule's PASS finding on resource.
func (r Rule) Pass(resource, msg string, evidence map[string]string) plugins.Finding {
	return r.Finding(sdk.Pass(r.ID, resource, msg), evidence)
}

// Fail is the rule's FAIL finding on resource.
func (r Rule) Fail(resource, msg string, evidence map[string]string) plugins.Finding {
	return r.Finding(sdk.Fail(r.ID, resource, msg), evidence)
}

// Error is the rule's ERROR finding on resource, without evidence.
func (r Rule) Error(resource, msg string) plugins.Finding {
	return r.Finding(sdk.Error(r.ID, resource, msg), nil)
}

// Errors is one ERROR finding on resource per rule, in order, each with
// msg: what a check gives when a call every verdict needs failed.
func Errors(rules []Rule, resource, msg string) []plugins.Finding {
	out := make([]plugins.Finding, 0, len(rules))
	for _, r := range rules {
		out = append(out, r.Error(resource, msg))
	}
	return out
}

// Compliance is every compliance reference of rules, each once, in the
// order first seen: Describe's Compliance.
func Compliance(rules []Rule) []string {
	var refs []string
	seen := map[string]bool{}
	for _, r := range rules {
		for _, ref := range r.Compliance {
			if !seen[ref] {
				seen[ref] = true
				refs = append(refs, ref)
			}
		}
	}
	return refs
}

// Validator is a check's config, which can say what is wrong with it.
type Validator interface {
	Validate() error
}

// Setup starts a Run: it decodes req.Config over *cfg (which holds the
// defaults), validates the result, and returns the AWS config for the
// account's home region. Its errors mean the check cannot run at all:
// "<checkID>: <decode error>", the Validate error as is, or
// "<checkID>: AWS config for account <id>: <error>".
func Setup[C Validator](ctx context.Context, checkID string, req *plugins.RunRequest, cfg *C) (aws.Config, error) {
	if err := sdk.Config(req, cfg); err != nil {
		return aws.Config{}, fmt.Errorf("%s: %w", checkID, err)
	}
	if err := (*cfg).Validate(); err != nil {
		return aws.Config{}, err
	}
	awsCfg, err := sdk.AWSConfig(ctx, req, req.HomeRegion)
	if err != nil {
		return aws.Config{}, fmt.Errorf("%s: AWS config for account %s: %w", checkID, req.Account.ID, err)
	}
	return awsCfg, nil
}
