package controls

import (
	"context"

	"github.com/aws/aws-sdk-go-v2/aws"

	"github.com/orgbaseline/orgbaseline/baseline"
)

// Scope is where a control runs.
type Scope int

const (
	// ScopeAccount: once per targeted account, in the home region (global
	// services such as IAM).
	ScopeAccount Scope = iota
	// ScopeRegional: once per targeted account and governed region.
	ScopeRegional
	// ScopeOrganization: once per run, in the management account.
	ScopeOrganization
)

// Target is one place a control runs: an account (and region) with a
// config whose credentials act in that account.
type Target struct {
	AccountID   string
	AccountName string
	Region      string
	Config      aws.Config
}

// Control is one declared part of the baseline.
//
// Controls are level-based: Observe reads the actual state and never
// trusts memory of what was done; Diff compares it with the declared state;
// Apply executes one change and is idempotent; Findings turns the same
// observation into compliance findings. Observations are opaque to the
// engine and passed back as they were returned.
type Control interface {
	Name() string
	Scope() Scope
	Observe(ctx context.Context, t Target) (any, error)
	Diff(t Target, observed any) []baseline.Change
	Apply(ctx context.Context, t Target, c baseline.Change) error
	Findings(t Target, observed any) []baseline.Finding
}

// FromBaseline returns the controls the baseline enables, in the order
// they run.
func FromBaseline(b *baseline.Baseline) []Control {
	var cs []Control
	if p := b.Controls.PasswordPolicy; p != nil && p.IsEnabled() {
		cs = append(cs, NewPasswordPolicy(p.Resolved()))
	}
	return cs
}
