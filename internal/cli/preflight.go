package cli

import (
	"errors"
	"fmt"
	"slices"
	"strings"

	"github.com/orgbaseline/orgbaseline/baseline"
	"github.com/orgbaseline/orgbaseline/baseline/controls"
	"github.com/orgbaseline/orgbaseline/internal/awsapi"
	"github.com/orgbaseline/orgbaseline/internal/engine"
)

// What AWS refuses on every account of a run, found before any write: a
// run that would fail the same way in every account stops at once with
// one error that says why and what to change.

// checkCaller checks the run's settings against who runs it: the root
// user cannot assume roles; a role session can only assume roles for an
// hour (role chaining); the governed regions must be the caller's
// partition's.
func checkCaller(path string, b *baseline.Baseline, c awsapi.Caller) error {
	o := b.Organization
	var problems []string
	if c.Root {
		problems = append(problems, fmt.Sprintf("orgbaseline is running as the root user of account %s (%s): AWS does not let the root user assume roles, so no member account can be reached; run it as an IAM role or user of the management account",
			c.Account, c.ARN))
	}
	if c.AssumedRole && o.SessionDuration.Duration > awsapi.ChainedSessionLimit {
		problems = append(problems, fmt.Sprintf("organization.sessionDuration is %s, but orgbaseline runs as the role session %s: a role assumed with a role's credentials (role chaining: SSO, CI, an instance or task role, any assumed role) gets at most 1 hour, and AssumeRole fails above it in every account; set organization.sessionDuration: 1h or less",
			o.SessionDuration, c.ARN))
	}
	if want := c.Partition; want != "" {
		var bad []string
		for _, r := range o.Regions {
			if awsapi.RegionPartition(r) != want {
				bad = append(bad, r)
			}
		}
		if awsapi.RegionPartition(o.HomeRegion) != want && !slices.Contains(bad, o.HomeRegion) {
			bad = append([]string{o.HomeRegion}, bad...)
		}
		if len(bad) > 0 {
			hint := ""
			if g := awsapi.GlobalRegion(want); g != "" {
				hint = fmt.Sprintf(" (its global services are in %s: set organization.homeRegion: %s)", g, g)
			}
			problems = append(problems, fmt.Sprintf("organization.homeRegion and organization.regions must be regions of the %s partition, which the caller %s is in%s; not in it: %s",
				want, c.ARN, hint, strings.Join(bad, ", ")))
		}
	}
	if len(problems) == 0 {
		return nil
	}
	return fmt.Errorf("%s cannot run as %s:\n  - %s", path, c.ARN, strings.Join(problems, "\n  - "))
}

// checkFeatureSet refuses a billing-only organization when a control needs
// all features (service control policies, trusted access, delegated
// administrators): AWS would refuse each of those writes.
func checkFeatureSet(orgID, featureSet string, cs []controls.Control) error {
	if featureSet == "" || featureSet == "ALL" {
		return nil
	}
	var need []string
	for _, c := range cs {
		if controls.NeedsAllFeatures(c) {
			need = append(need, c.Name())
		}
	}
	if len(need) == 0 {
		return nil
	}
	return fmt.Errorf("organization %s has only consolidated billing features (FeatureSet %s), and %s need all features (service control policies, trusted access, delegated administrators); enable all features from the management account (organizations:EnableAllFeatures, which every member account must approve) or remove these controls from the baseline",
		orgID, featureSet, strings.Join(need, ", "))
}

// errSessionDurationRefused is why accounts are not started once AWS has
// refused the session duration; the run's error (sessionStop) says why.
var errSessionDurationRefused = errors.New("AWS refused organization.sessionDuration (see the error)")

// sessionStop is the run's one error once AWS has refused the session
// duration (organization.sessionDuration over the execution role's
// MaxSessionDuration, or over role chaining's hour): AssumeRole would fail
// the same way in every account, so the run stops with that error rather
// than one identical failure per account. The accounts it did not start,
// or that stopped at that refusal, are counted as not started. nil while
// AWS has not refused it.
func (env *runEnv) sessionStop(results []engine.AccountResult) error {
	stop := env.sessions.Stopped()
	if stop == nil {
		return nil
	}
	notStarted := 0
	for _, r := range results {
		if r.NotStarted != "" || onlyFailedOn(r.Errors, stop) {
			notStarted++
		}
	}
	return fmt.Errorf("%w\nThe run stopped there, before any change: %d of %d targeted account(s) not started", stop, notStarted, len(results))
}

// onlyFailedOn reports whether every error of an account is err.
func onlyFailedOn(errs []string, err error) bool {
	for _, e := range errs {
		if e != err.Error() {
			return false
		}
	}
	return len(errs) > 0
}
