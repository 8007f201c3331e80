package cli

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"math"
	"runtime/debug"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/organizations"
	"github.com/aws/aws-sdk-go-v2/service/sts"
	"github.com/rs/zerolog"
	"github.com/spf13/cobra"
	"gopkg.in/yaml.v3"

	"github.com/orgbaseline/orgbaseline/baseline"
	"github.com/orgbaseline/orgbaseline/baseline/controls"
	"github.com/orgbaseline/orgbaseline/internal/awsapi"
	"github.com/orgbaseline/orgbaseline/internal/engine"
	"github.com/orgbaseline/orgbaseline/internal/pluginhost"
	"github.com/orgbaseline/orgbaseline/orgwalk"
	"github.com/orgbaseline/orgbaseline/plugins"
)

// runEnv is everything a plan, apply or check run works with.
type runEnv struct {
	log      zerolog.Logger
	baseline *baseline.Baseline
	path     string
	cfg      aws.Config    // management account
	caller   awsapi.Caller // who runs this (read once, before any other call)
	org      *orgwalk.Org
	sel      *orgwalk.Selection
	engine   *engine.Engine
	runID    string
	// aliases resolved from organization.accounts: alias -> account
	aliases map[string]*orgwalk.Account
	// host runs the check plugins; nil unless runOptions.plugins.
	host *pluginhost.Host
	// shard is the part of a sharded run this is (--shard); nil unsharded.
	shard *baseline.Shard
	// now is the clock reports are stamped with.
	now func() time.Time
	// stopPrefetch ends what prepare started reading ahead.
	stopPrefetch context.CancelFunc
	// walk, in a run that streams its accounts, is the walk of the
	// organization still going on; org, sel and aliases are set once it
	// has ended (settle).
	walk *pendingWalk
	// extra are the --target selectors.
	extra []baseline.Selector
	// maxFailed is --max-failed-accounts (nil: no limit), as given in
	// maxFailedFlag.
	maxFailed     *maxFailed
	maxFailedFlag string
	// sessions assume the execution role; it knows when AWS refused the
	// session duration for the whole run (sessionStop).
	sessions *orgwalk.Sessions
}

// orgScope reports whether this run observes and applies the
// organization-scope controls: when the baseline has any, in the
// unsharded run or in shard 0.
func (env *runEnv) orgScope() bool {
	return env.engine.HasOrgControls() && (env.shard == nil || env.shard.Index == 0)
}

// close stops what prepare started (plugin processes, reads ahead).
func (env *runEnv) close() {
	if env == nil {
		return
	}
	if env.host != nil {
		env.host.Close()
	}
	if env.stopPrefetch != nil {
		env.stopPrefetch()
	}
	if env.walk != nil {
		env.walk.stop()
	}
}

// runOptions carry what differs between commands and the demo.
type runOptions struct {
	file string
	// targets narrow the baseline's targets further (--target); an account
	// must match one of them as well as the baseline's own targets.
	targets []string
	// aws overrides the management account's config (demo, tests).
	aws *awsapi.Options
	// plugins launches the baseline's check plugins (check, plugins).
	plugins bool
	// shard narrows the run to one shard of the targeted accounts.
	shard *baseline.Shard
	// prefetchOrg starts reading the organization scope beside the walk
	// (plan, apply, check: the runs that observe it).
	prefetchOrg bool
	// stream works on the targeted accounts as the walk finds them
	// (plan, apply, check), rather than once it has ended.
	stream bool
	// applying is set by apply.
	applying bool
	// warnWriteActions: plan and check warn about every plugin allowed
	// write actions (allowWriteActions: true).
	warnWriteActions bool
	// sharedProcess says the run shares its process with something large
	// (orgsim in the demo and the in-process benchmark): the default
	// memory limit, sized for orgbaseline alone, is not set.
	sharedProcess bool
}

// defaultMemoryLimit is the Go runtime's soft memory limit for a run when
// GOMEMLIMIT does not set one. A run's live heap is mostly its plan and
// the per-account results; by default the heap may grow to twice the
// live data before the collector runs, and the limit makes it collect
// sooner instead (see BENCHMARKS.md for the peak at 10,000 accounts). It
// is soft: a larger live heap is not refused, only collected more often.
const defaultMemoryLimit = 400 << 20

// setMemoryLimit applies defaultMemoryLimit unless GOMEMLIMIT is set.
func setMemoryLimit(getenv func(string) string) {
	if getenv("GOMEMLIMIT") == "" && debug.SetMemoryLimit(-1) == math.MaxInt64 {
		debug.SetMemoryLimit(defaultMemoryLimit)
	}
}

// loadBaseline loads and validates the baseline file, before any AWS call.
func loadBaseline(path string) (*baseline.Baseline, error) {
	if err := missingBaseline(path); err != nil {
		return nil, err // init.go: point a newcomer at init
	}
	b, err := baseline.Load(path)
	if err != nil {
		return nil, fmt.Errorf("%s is not valid:\n%w", path, err)
	}
	return b, nil
}

// prepare loads the baseline, reads the organization and resolves the
// targets. Nothing touches AWS before the baseline is valid.
func (a *app) prepare(ctx context.Context, g *globalFlags, o runOptions) (*runEnv, error) {
	if !o.sharedProcess {
		setMemoryLimit(a.getenv)
	}
	log, err := a.newLogger(g)
	if err != nil {
		return nil, err
	}
	// The run's id names its sessions, the plugins' included, and every
	// line of its log.
	runID := newRunID()
	log = a.runLogger(log, runID)
	b, err := loadBaseline(o.file)
	if err != nil {
		return nil, err
	}
	ctrls, err := controls.FromBaseline(b)
	if err != nil {
		return nil, fmt.Errorf("%s is not valid:\n%w", o.file, err)
	}
	extra, err := parseTargets(o.targets)
	if err != nil {
		return nil, err
	}
	opts := awsapi.Options{Profile: g.profile, Region: g.region, Fallback: b.Organization.HomeRegion}
	if g.region == "" {
		opts.Region = b.Organization.HomeRegion
	}
	if o.aws != nil {
		opts = *o.aws
		opts.Region = b.Organization.HomeRegion
	}
	maxFailed, err := parseMaxFailed(g.maxFailed)
	if err != nil {
		return nil, err
	}
	if g.maxAttempts < 1 {
		return nil, fmt.Errorf("--max-attempts %d: give at least 1", g.maxAttempts)
	}
	opts.MaxAttempts = g.maxAttempts
	cfg, err := awsapi.Load(ctx, opts)
	if err != nil {
		return nil, err
	}
	traceAWS(&cfg, log)
	if o.warnWriteActions {
		warnWriteActions(log, b)
	}
	// Plugins are verified (checksums) and launched before any AWS call
	// (loading the configuration makes none), so an unpinned or tampered
	// binary, or one declaring actions its entry does not approve, stops
	// the run first.
	var host *pluginhost.Host
	var sessions *orgwalk.Sessions // set below; plugin credentials need it
	if o.plugins && len(b.Plugins) > 0 {
		specs, err := pluginhost.SpecsFromBaseline(b)
		if err != nil {
			return nil, fmt.Errorf("%s: %w", o.file, err)
		}
		host, err = pluginhost.Open(ctx, specs, pluginhost.Options{
			Log:      log,
			Now:      time.Now,
			Endpoint: aws.ToString(cfg.BaseEndpoint),
			User:     a.getenv(pluginUserEnv),
			Credentials: func(ctx context.Context, req pluginhost.CredentialRequest) (plugins.Credentials, error) {
				return pluginCredentials(ctx, sessions, req)
			},
		})
		if err != nil {
			return nil, err
		}
		// A config the plugin's schema refuses stops the run here, once,
		// rather than failing in every account.
		if err := checkPluginConfigs(o.file, b, host); err != nil {
			host.Close()
			return nil, err
		}
	}
	// Who runs this, before any other call: the root user cannot assume
	// roles, a role session can chain only for an hour, and the partition
	// of the caller is the partition of every ARN the run builds.
	caller, err := awsapi.WhoAmI(ctx, sts.NewFromConfig(cfg))
	if err != nil {
		if host != nil {
			host.Close()
		}
		return nil, err
	}
	if err := checkCaller(o.file, b, caller); err != nil {
		if host != nil {
			host.Close()
		}
		return nil, err
	}
	awsapi.ForAccount(&cfg, caller.Account)
	// The organization-scope reads that do not need the walk start now,
	// beside it (they run in the unsharded run and in shard 0; apply of
	// another shard reads the organization scope to check it is settled).
	prefetchCtx, stopPrefetch := context.WithCancel(ctx)
	if o.prefetchOrg && (o.shard == nil || o.shard.Index == 0 || o.applying) {
		for _, c := range ctrls {
			if p, ok := c.(controls.Prefetcher); ok {
				p.Prefetch(prefetchCtx, cfg)
			}
		}
	}
	fail := func(err error) (*runEnv, error) {
		stopPrefetch()
		if host != nil {
			host.Close()
		}
		return nil, err
	}
	concurrency := b.Organization.Concurrency
	if g.concurrency > 0 {
		concurrency = g.concurrency
	}
	api := organizations.NewFromConfig(cfg)
	org, err := orgwalk.Describe(ctx, api)
	if err != nil {
		return fail(err)
	}
	if err := checkFeatureSet(org.ID, org.FeatureSet, ctrls); err != nil {
		return fail(err)
	}
	if o.prefetchOrg { // plan, apply, check: said once per run, once it goes on
		for _, n := range controls.NotesOf(ctrls) {
			log.Warn().Msg(n)
		}
	}
	sessions = orgwalk.NewSessions(cfg, orgwalk.SessionOptions{
		Role:                b.Organization.ExecutionRole,
		ExternalID:          b.Organization.ExternalID,
		Duration:            b.Organization.SessionDuration.Duration,
		SessionName:         "orgbaseline-" + runID,
		RunID:               runID,
		ManagementAccountID: org.ManagementAccountID,
		Partition:           caller.Partition,
	})
	now := a.now
	if now == nil {
		now = time.Now
	}
	env := &runEnv{
		log: log, baseline: b, path: o.file, cfg: cfg, caller: caller, runID: runID, host: host, sessions: sessions,
		shard: o.shard, now: now, stopPrefetch: stopPrefetch,
		extra: extra, maxFailed: maxFailed, maxFailedFlag: g.maxFailed,
		engine: &engine.Engine{
			Controls: ctrls,
			Sessions: sessions,
			Org: &controls.Org{
				HomeRegion: b.Organization.HomeRegion, Regions: b.Organization.Regions,
				ExecutionRole: b.Organization.ExecutionRole, Sessions: sessions,
				Partition: caller.Partition, RunID: runID,
				CallerARN: caller.ARN, CallerUserID: caller.UserID, CallerRegion: cfg.Region,
			},
			HomeRegion:  b.Organization.HomeRegion,
			Regions:     b.Organization.Regions,
			Concurrency: concurrency,
			Log:         log,
		},
	}
	if host != nil {
		env.engine.Plugins = host
	}
	env.engine.Waiter = &awsapi.Waiter{Sleep: a.sleep}
	if a.stderrTTY || g.progressEvery > 0 {
		p := a.newProgress(log, g.progressEvery)
		env.engine.Progress = p
		env.engine.Waiter.Notify = p.Wait
	}
	env.engine.StopStarting = env.stopStarting
	walk := orgwalk.DiscoverOptions{
		Tags: orgwalk.NeedsTags(b.Targets) ||
			orgwalk.NeedsTags(baseline.Targets{Include: extra, Exclude: b.Controls.RootAccess.ExcludeSelectors()}),
		Concurrency: 4,
	}
	if o.stream {
		// The accounts are worked on as the walk finds them (see
		// stream.go); the selection is settled when it ends.
		env.walk = env.startWalk(ctx, api, org, walk)
		return env, nil
	}
	if err := org.Walk(ctx, api, walk); err != nil {
		return fail(err)
	}
	if err := env.resolve(org); err != nil {
		return fail(err)
	}
	return env, nil
}

// resolve settles the run on the walked organization: the targets (the
// baseline's, narrowed by --target and --shard) and the account aliases.
// A selector or alias that names nothing is an error.
func (env *runEnv) resolve(org *orgwalk.Org) error {
	b := env.baseline
	sel, err := org.Select(b.Targets)
	if err != nil {
		return fmt.Errorf("%s: targets do not match the organization:\n%w", env.path, err)
	}
	// The lockout guard checks every account the baseline targets: SCPs
	// apply to the whole organization, whatever --target narrows.
	guarded := slices.Clone(sel.Targets)
	if len(env.extra) > 0 {
		narrow, err := org.Select(baseline.Targets{Include: env.extra, IncludeManagementAccount: true})
		if err != nil {
			return fmt.Errorf("--target: %w", err)
		}
		if err := targetsMatch(org, env.extra); err != nil {
			return err
		}
		keep := map[string]bool{}
		for _, t := range narrow.Targets {
			keep[t.ID] = true
		}
		var ts []*orgwalk.Account
		for _, t := range sel.Targets {
			if keep[t.ID] {
				ts = append(ts, t)
			}
		}
		sel.Targets = ts
		if len(ts) == 0 {
			// Not an error: each --target matches accounts, and the
			// baseline's own targets leave them out on purpose.
			env.log.Warn().Strs("target", selectorStrings(env.extra)).Msg("--target matches accounts, but none the baseline targets (targets.include, targets.exclude, includeManagementAccount, ACTIVE accounts only): the run has no account to work on")
		}
	}
	// The organization-scope controls govern every targeted account (the
	// Config bucket's policy names them all), whichever shard runs them;
	// a shard only works on its own accounts.
	allTargets := sel.Targets
	if env.shard != nil {
		inShard(sel, *env.shard, org.ManagementAccountID)
	}
	// controls.rootAccess.exclude names the break-glass accounts whose root
	// credentials stay: one that names nothing (a misspelt account) must
	// stop the run before any deletion, as targets do.
	if ex := b.Controls.RootAccess.ExcludeSelectors(); len(ex) > 0 {
		if _, err := org.Select(baseline.Targets{Exclude: ex, IncludeManagementAccount: true}); err != nil {
			return fmt.Errorf("%s: controls.rootAccess.exclude does not match the organization:\n%w", env.path, err)
		}
	}
	aliases := map[string]*orgwalk.Account{}
	var diags baseline.Diagnostics
	for alias, ref := range b.Organization.Accounts {
		acct, err := org.ResolveAccount(ref)
		if err != nil {
			pos, ok := b.Organization.AccountPositions[alias]
			if !ok {
				pos = baseline.Position{File: env.path}
			}
			diags = append(diags, baseline.Diagnostic{Pos: pos, Message: fmt.Sprintf("organization.accounts.%s: %v", alias, err)})
			continue
		}
		aliases[alias] = acct
	}
	if len(diags) > 0 {
		return fmt.Errorf("%s: account aliases do not match the organization:\n%w", env.path, diags)
	}
	for _, s := range sel.Skipped {
		env.log.Info().Str("account", s.Account.ID).Str("accountName", s.Account.Name).Str("reason", s.Reason).Msg("account skipped")
	}
	ev := env.log.Info().Str("organization", org.ID).Int("accounts", len(org.Accounts)).Int("targeted", len(sel.Targets)).Int("skipped", len(sel.Skipped))
	if env.shard != nil {
		ev = ev.Str("shard", env.shard.String())
	}
	env.totalKnown(len(sel.Targets))
	ev.Msg("organization read")
	env.org, env.sel, env.aliases = org, sel, aliases
	env.engine.Org.Org, env.engine.Org.Targets, env.engine.Org.Aliases = org, allTargets, aliases
	env.engine.Org.Guarded = guarded
	return nil
}

// targetsMatch refuses a --target that matches no account of the
// organization, whatever its kind: a one-off narrowing that selects
// nothing is a mistake, never a run to report as compliant. (Select
// already refuses unknown OUs, names and ids, and tags that match
// nothing; what is left is an OU with no account.)
func targetsMatch(org *orgwalk.Org, extra []baseline.Selector) error {
	var diags baseline.Diagnostics
	for _, s := range extra {
		one, err := org.Select(baseline.Targets{Include: []baseline.Selector{s}, IncludeManagementAccount: true})
		if err != nil {
			return fmt.Errorf("--target: %w", err)
		}
		if len(one.Targets)+len(one.Skipped) == 0 {
			diags = append(diags, baseline.Diagnostic{Pos: baseline.Position{File: "--target"}, Message: fmt.Sprintf("selector %q matches no account: the OU has none; name an OU with accounts (orgbaseline accounts lists them)", s.Raw)})
		}
	}
	if len(diags) > 0 {
		return diags
	}
	return nil
}

// selectorStrings returns the selectors as written.
func selectorStrings(ss []baseline.Selector) []string {
	out := make([]string, len(ss))
	for i, s := range ss {
		out[i] = s.String()
	}
	return out
}

// stopStarting is the engine's StopStarting: once AWS has refused the
// session duration (sessionStop), and for --max-failed-accounts. A
// percentage is of the targeted accounts, which are all known only once
// the walk has ended: while it goes on, a count of failures above the
// percentage of the accounts found so far waits for the walk to end
// before stopping (the limit can only grow as more are found).
func (env *runEnv) stopStarting(failed int) error {
	if env.sessions.Stopped() != nil {
		return errSessionDurationRefused
	}
	if env.maxFailed == nil {
		return nil
	}
	targeted, final := env.targeted()
	if failed <= env.maxFailed.limit(targeted) {
		return nil
	}
	if !final && env.maxFailed.percent {
		env.walk.wait()
		if targeted, _ = env.targeted(); failed <= env.maxFailed.limit(targeted) {
			return nil
		}
	}
	return fmt.Errorf("more than %d account(s) failed (--max-failed-accounts %s)", env.maxFailed.limit(targeted), env.maxFailedFlag)
}

// inShard narrows the selection to one shard: the targeted and skipped
// accounts whose id hashes to it. The management account's skipped line
// goes with the organization scope, to shard 0.
func inShard(sel *orgwalk.Selection, s baseline.Shard, management string) {
	var ts []*orgwalk.Account
	for _, t := range sel.Targets {
		if s.Holds(t.ID) {
			ts = append(ts, t)
		}
	}
	sel.Targets = ts
	var skipped []orgwalk.Skip
	for _, k := range sel.Skipped {
		mine := s.Holds(k.Account.ID)
		if k.Account.ID == management {
			mine = s.Index == 0
		}
		if mine {
			skipped = append(skipped, k)
		}
	}
	sel.Skipped = skipped
}

// registerShard adds --shard to a command.
func registerShard(cmd *cobra.Command, v *string) {
	cmd.Flags().StringVar(v, "shard", "", "work on one shard of the targeted accounts: `INDEX/COUNT`, INDEX from 0 (0/3, 1/3, 2/3), or auto/COUNT to take INDEX from JOB_COMPLETION_INDEX (Kubernetes Indexed Job) or AWS_BATCH_JOB_ARRAY_INDEX (AWS Batch array job); organization-scope controls run in shard 0")
}

// parseShard reads --shard; "" is no shard.
func (a *app) parseShard(s string) (*baseline.Shard, error) {
	if s == "" {
		return nil, nil
	}
	sh, err := baseline.ParseShard(s, func() (string, error) {
		for _, name := range []string{"JOB_COMPLETION_INDEX", "AWS_BATCH_JOB_ARRAY_INDEX"} {
			if v := a.getenv(name); v != "" {
				return v, nil
			}
		}
		return "", fmt.Errorf("auto takes the index from JOB_COMPLETION_INDEX or AWS_BATCH_JOB_ARRAY_INDEX, and neither is set")
	})
	if err != nil {
		return nil, err
	}
	return &sh, nil
}

// maxFailed is a parsed --max-failed-accounts.
type maxFailed struct {
	n       int
	percent bool
}

// limit is the number of failed accounts allowed out of total targeted.
func (m *maxFailed) limit(total int) int {
	if m.percent {
		return m.n * total / 100
	}
	return m.n
}

// parseMaxFailed reads "N" or "P%"; "" means no limit (nil).
func parseMaxFailed(s string) (*maxFailed, error) {
	if s == "" {
		return nil, nil
	}
	m := &maxFailed{}
	num := s
	if strings.HasSuffix(s, "%") {
		m.percent = true
		num = strings.TrimSuffix(s, "%")
	}
	n, err := strconv.Atoi(num)
	if err != nil || n < 0 || (m.percent && n > 100) {
		return nil, fmt.Errorf("--max-failed-accounts %q: give a number of accounts (0 or more) or a percentage of the targeted accounts, like 10%%", s)
	}
	m.n = n
	return m, nil
}

// stopped says why the run stopped starting accounts ("" if it did not):
// an interruption, or --max-failed-accounts.
func (env *runEnv) stopped(ctx context.Context) string {
	if ctx.Err() != nil {
		return engine.Interrupted
	}
	if env.engine.StopStarting != nil {
		if err := env.engine.StopStarting(env.engine.FailedAccounts()); err != nil {
			return err.Error()
		}
	}
	return ""
}

// pluginCredentials hands a plugin credentials of a session of its own in
// the account (orgwalk.Sessions.PluginCredentials): the execution role
// assumed with the session name orgbaseline-plugin-<name>-<run>, for 15
// minutes and renewed before they run out, limited by the plugin's session
// policy (exactly the actions it declared), so AWS itself refuses anything
// else and an SCP can tell the plugin from the tool. There is no exception
// for the management account: without an execution role there, its
// plugin findings are errors rather than runs with the run's own, broader
// credentials.
func pluginCredentials(ctx context.Context, s *orgwalk.Sessions, req pluginhost.CredentialRequest) (plugins.Credentials, error) {
	if s == nil {
		return plugins.Credentials{}, fmt.Errorf("no sessions yet")
	}
	c, err := s.PluginCredentials(ctx, orgwalk.PluginSession{Plugin: req.Plugin, Account: req.Account, Policy: req.Policy, ValidFor: req.ValidFor})
	if err != nil {
		return plugins.Credentials{}, err
	}
	return plugins.Credentials{AccessKeyID: c.AccessKeyID, SecretAccessKey: c.SecretAccessKey, SessionToken: c.SessionToken, Expires: c.Expires}, nil
}

// warnWriteActions warns about every enabled plugin whose entry allows
// write actions: `check` then changes accounts, which whoever reads a
// plan or a check's output must know.
func warnWriteActions(log zerolog.Logger, b *baseline.Baseline) {
	for i := range b.Plugins {
		p := &b.Plugins[i]
		if !p.IsEnabled() || !p.AllowWriteActions {
			continue
		}
		w := p.WriteActions()
		msg := fmt.Sprintf("plugin %s is allowed write actions (allowWriteActions: true): `check` runs it in every targeted account and it may change them", p.Name)
		if len(w) > 0 {
			msg += " with " + strings.Join(w, ", ")
		}
		log.Warn().Str("plugin", p.Name).Strs("writeActions", w).Msg(msg)
	}
}

func parseTargets(ts []string) ([]baseline.Selector, error) {
	var out []baseline.Selector
	var diags baseline.Diagnostics
	for _, t := range ts {
		s, err := baseline.ParseSelector(t)
		if err != nil {
			diags = append(diags, baseline.Diagnostic{Pos: baseline.Position{File: "--target"}, Message: err.Error()})
			continue
		}
		out = append(out, s)
	}
	if len(diags) > 0 {
		return nil, diags
	}
	return out, nil
}

// newRunID identifies a run in session names and logs: UTC time plus a
// random suffix, within RoleSessionName's 64 characters and pattern.
func newRunID() string {
	var b [3]byte
	_, _ = rand.Read(b[:])
	return time.Now().UTC().Format("20060102T150405Z") + "-" + hex.EncodeToString(b[:])
}

// digest is the sha256 of the effective baseline: what a saved plan was
// made from. Positions and source paths are left out, so moving the file
// does not make a plan stale; any setting that changes does.
func digest(b *baseline.Baseline) string {
	doc, err := yaml.Marshal(struct {
		Organization baseline.Organization `yaml:"organization"`
		Targets      baseline.Targets      `yaml:"targets"`
		Controls     baseline.Controls     `yaml:"controls"`
	}{b.Organization, b.Targets, b.Controls})
	if err != nil {
		panic(fmt.Sprintf("digest: %v", err)) // plain data always marshals
	}
	sum := sha256.Sum256(doc)
	return hex.EncodeToString(sum[:])
}
