package pluginhost

import (
	"context"
	"errors"
	"fmt"
	"os/exec"
	"path/filepath"
	"slices"
	"sync"
	"sync/atomic"
	"time"

	"github.com/hashicorp/go-hclog"
	"github.com/hashicorp/go-plugin"
	"github.com/hashicorp/go-plugin/runner"
	"github.com/rs/zerolog"

	"github.com/orgbaseline/orgbaseline/baseline"
	"github.com/orgbaseline/orgbaseline/plugins"
)

// Options configure a Host.
type Options struct {
	// Log receives the host's messages and the plugins' log lines, with a
	// plugin field (and an account field where known).
	Log zerolog.Logger
	// Credentials hands out each run's credentials. A plugin that
	// declares no actions gets none, and the source is not called; with
	// no source (tests, describing plugins) plugins get no credentials.
	Credentials CredentialSource
	// Endpoint is the AWS endpoint URL in force, passed to plugins; ""
	// for AWS itself.
	Endpoint string
	// Now is the clock passed to plugins; nil means time.Now.
	Now func() time.Time
	// User is who plugins run as when orgbaseline runs as root: a user
	// name, a uid or uid:gid; "" means DefaultPluginUser (uid and gid
	// 65534 where there is no such user). It must not be root. Linux
	// only; a tool not running as root runs plugins as its own user and
	// refuses any other.
	User string
}

// Described is a launched plugin and what it said about itself.
type Described struct {
	Name        string // the baseline's name for the plugin
	Description plugins.DescribeResponse
	// SessionPolicy is the inline session policy its credentials carry.
	SessionPolicy string
}

// Host runs launched plugins. It is safe for concurrent use: Run may be
// called for many accounts at once; each plugin bounds its own calls in
// flight (Spec.Concurrency).
type Host struct {
	o        Options
	endpoint atomic.Pointer[string]
	plugins  []*instance
	kills    sync.WaitGroup // processes being stopped in the background
	sandbox  *sandbox
	closing  sync.Once
	// landlockABI is the Landlock ABI plugins are confined with, 0 for
	// none (confine.go).
	landlockABI int
}

const (
	// maxStartFailures consecutive failed starts stop the restarts of a
	// plugin for the rest of the run.
	maxStartFailures = 3
	// pingTimeout bounds the health check that tells a crashed process
	// from a plugin that returned an error.
	pingTimeout = 5 * time.Second
)

// Open verifies every plugin's checksum before launching anything (all
// refusals are reported together, each with the binary's actual sha256),
// then launches each plugin once, asks it to Describe itself and
// validates the answer. A plugin that cannot be launched or describes
// itself badly fails Open, naming the plugin: the run needs the
// description to build the plugin's session policy.
//
// What runs is a private copy of the bytes that were hashed, started as
// the containment allows (see containment and README's threat model):
// before the first plugin starts, Open makes the tool's own process
// unreadable to other processes of its user.
func Open(ctx context.Context, specs []Spec, o Options) (*Host, error) {
	if o.Now == nil {
		o.Now = time.Now
	}
	c, err := newContainment(o.User)
	if err != nil {
		return nil, err
	}
	sb, err := newSandbox(c)
	if err != nil {
		c.close()
		return nil, err
	}
	h := &Host{o: o, sandbox: sb}
	h.endpoint.Store(&o.Endpoint)
	if err := h.confine(); err != nil {
		h.Close()
		return nil, err
	}

	var errs []error
	seen := map[string]bool{}
	for k, s := range specs {
		s = s.withDefaults()
		if s.Name == "" {
			errs = append(errs, fmt.Errorf("a plugin (path %q) has no name; give it one", s.Path))
			continue
		}
		if seen[s.Name] {
			errs = append(errs, fmt.Errorf("plugin name %q is used twice; rename one", s.Name))
			continue
		}
		seen[s.Name] = true
		if serrs := s.validate(); len(serrs) > 0 {
			errs = append(errs, serrs...)
			continue
		}
		dir, bin, home, err := sb.plugin(k, s)
		if err != nil {
			errs = append(errs, err)
			continue
		}
		log := o.Log.With().Str("plugin", s.Name).Logger()
		h.plugins = append(h.plugins, &instance{
			host:   h,
			spec:   s,
			dir:    dir,
			bin:    bin,
			home:   home,
			log:    log,
			sem:    make(chan struct{}, s.Concurrency),
			procs:  map[*proc]bool{},
			redact: &redactor{},
			lines:  newLogLimiter(func(n int) { logLinesDropped(log, n) }),
		})
	}
	if len(errs) > 0 {
		h.Close()
		return nil, errors.Join(errs...)
	}

	errs = make([]error, len(h.plugins))
	var wg sync.WaitGroup
	for k, i := range h.plugins {
		wg.Add(1)
		go func() {
			defer wg.Done()
			errs[k] = i.describe(ctx)
		}()
	}
	wg.Wait()
	if err := errors.Join(errs...); err != nil {
		h.Close()
		return nil, err
	}
	return h, nil
}

// Plugins returns the launched plugins in declaration order.
func (h *Host) Plugins() []Described {
	out := make([]Described, len(h.plugins))
	for k, i := range h.plugins {
		d := *i.desc
		d.Compliance = slices.Clone(d.Compliance)
		d.Actions = slices.Clone(d.Actions)
		out[k] = Described{Name: i.spec.Name, Description: d, SessionPolicy: i.policy}
	}
	return out
}

// Run runs every plugin in one account and returns their findings, in
// declaration order. It never fails: a plugin that cannot run (no
// credentials, a crash, a timeout, an error, a malformed answer) yields
// one ERROR finding for that plugin and account, with Check
// "<plugin>.run", and the others run regardless.
func (h *Host) Run(ctx context.Context, acct plugins.Account, homeRegion string, regions []string) []baseline.Finding {
	results := make([][]baseline.Finding, len(h.plugins))
	var wg sync.WaitGroup
	for k, i := range h.plugins {
		wg.Add(1)
		go func() {
			defer wg.Done()
			results[k] = i.run(ctx, acct, homeRegion, regions)
		}()
	}
	wg.Wait()
	return slices.Concat(results...)
}

// Close stops every plugin process and waits for them to exit. Calls in
// flight fail (as ERROR findings); later Runs yield ERROR findings.
// Close may be called more than once.
func (h *Host) Close() {
	for _, i := range h.plugins {
		i.mu.Lock()
		i.closed = true
		i.cur = nil
		var ps []*proc
		for p := range i.procs {
			if !p.killed {
				p.killed = true
				ps = append(ps, p)
			}
		}
		clear(i.procs)
		i.mu.Unlock()
		for _, p := range ps {
			h.kill(p)
		}
	}
	h.kills.Wait()
	for _, i := range h.plugins {
		i.lines.flush()
	}
	h.closing.Do(func() {
		h.sandbox.contain.close()
		h.sandbox.remove()
	})
}

// kill stops p in the background (go-plugin's Kill waits up to two
// seconds for a graceful exit); Close waits for it.
func (h *Host) kill(p *proc) {
	h.kills.Add(1)
	go func() {
		defer h.kills.Done()
		p.client.Kill()
		p.stdout.Flush()
		p.stderr.Flush()
	}()
}

// instance is one declared plugin: its spec, its description and the
// process that currently serves it.
type instance struct {
	host   *Host
	spec   Spec
	dir    string // its private directory (sandbox.plugin)
	bin    string // the pinned copy of its binary that runs
	home   string // its HOME, TMPDIR and working directory
	desc   *plugins.DescribeResponse
	policy string
	log    zerolog.Logger
	sem    chan struct{} // calls in flight
	redact *redactor     // the credentials issued to the plugin (redact.go)
	lines  *logLimiter   // the plugin's log line budget (loglimit.go)
	// retrying is held shared by every call and exclusively by a retry
	// after a crash, so a retried account runs alone on its process and
	// another account's crash cannot take it down again.
	retrying sync.RWMutex

	mu            sync.Mutex
	cur           *proc          // serves new calls; nil: start one on the next call
	procs         map[*proc]bool // every process not yet stopped (cur and retired ones draining)
	starts        int            // processes started so far
	lastRetire    string         // why the previous process was retired
	startFailures int            // consecutive
	broken        error          // set: no more starts in this run
	closed        bool
}

// proc is one plugin process. A retired proc takes no new calls; it is
// stopped once its calls in flight have returned, so a call that hangs
// does not take down the other accounts' calls in the same process.
type proc struct {
	n        int // 1 for the first process of the plugin
	client   *plugin.Client
	rpc      plugin.ClientProtocol
	check    plugins.Check
	accounts *inflight
	stdout   *lineWriter
	stderr   *lineWriter

	// guarded by instance.mu
	calls   int
	retired string
	killed  bool
}

var errClosed = errors.New("the plugin host was closed")

// acquire returns the process for a new call, starting one when there is
// none (first call, or the last one crashed, hung or exited).
func (i *instance) acquire(ctx context.Context, account string) (*proc, error) {
	i.mu.Lock()
	defer i.mu.Unlock()
	if i.closed {
		return nil, errClosed
	}
	if p := i.cur; p != nil && p.client.Exited() {
		i.retireLocked(p, "its process exited")
	}
	if i.cur == nil {
		if i.broken != nil {
			return nil, i.broken
		}
		p, err := i.start(ctx)
		if err != nil {
			i.startFailures++
			switch {
			case ctx.Err() != nil:
				return nil, err
			case i.startFailures >= maxStartFailures:
				i.broken = fmt.Errorf("it failed to start %d times in a row and is not restarted again in this run; last error: %w", i.startFailures, err)
				return nil, i.broken
			}
			return nil, fmt.Errorf("could not start %s: %w", i.spec.Path, err)
		}
		i.startFailures = 0
		if p.n > 1 {
			i.log.Info().Int("process", p.n).Str("reason", i.lastRetire).Msg("plugin process restarted")
		}
		i.cur = p
		i.procs[p] = true
	}
	p := i.cur
	p.calls++
	if account != "" {
		p.accounts.add(account, 1)
	}
	return p, nil
}

// release ends a call on p, stopping p if it is retired and idle.
func (i *instance) release(p *proc, account string) {
	if account != "" {
		p.accounts.add(account, -1)
	}
	i.mu.Lock()
	p.calls--
	stop := p.retired != "" && p.calls == 0 && !p.killed
	if stop {
		p.killed = true
		delete(i.procs, p)
	}
	i.mu.Unlock()
	if stop {
		i.host.kill(p)
	}
}

// retire takes p out of service; the next call starts a new process.
func (i *instance) retire(p *proc, reason string) {
	i.mu.Lock()
	defer i.mu.Unlock()
	i.retireLocked(p, reason)
}

func (i *instance) retireLocked(p *proc, reason string) {
	if p.retired == "" {
		p.retired = reason
		i.lastRetire = reason
	}
	if i.cur == p {
		i.cur = nil
	}
	if p.calls == 0 && !p.killed {
		p.killed = true
		delete(i.procs, p)
		i.host.kill(p)
	}
}

// start launches a new process of the plugin: the pinned copy of its
// binary, through the host's containment. Its start and go-plugin
// handshake are bounded by the plugin's timeout and end with ctx. It runs
// under i.mu.
func (i *instance) start(ctx context.Context) (*proc, error) {
	i.starts++
	p := &proc{n: i.starts, accounts: &inflight{}}
	zl := newZLogger(i.log, p.accounts, i.redact, i.lines)
	stdio := zl.Named(filepath.Base(i.spec.Path))
	p.stdout = &lineWriter{emit: func(line string) { stdio.Debug(line, "stream", "stdout") }}
	p.stderr = &lineWriter{emit: func(line string) { stdio.Debug(line, "stream", "stderr") }}

	sctx, cancel := context.WithTimeout(ctx, i.spec.Timeout)
	defer cancel()
	var stopWatch func() bool
	contain := i.host.sandbox.contain
	client := plugin.NewClient(&plugin.ClientConfig{
		HandshakeConfig: plugins.Handshake,
		Plugins:         plugins.ClientPluginMap(),
		// go-plugin gives the runner only its own variables (handshake
		// cookie, ports, mTLS certificate, socket directory): with
		// SkipHostEnv nothing of the host's environment is added.
		RunnerFunc: func(_ hclog.Logger, spec *exec.Cmd, socketDir string) (runner.Runner, error) {
			if err := i.host.sandbox.giveToPlugin(socketDir); err != nil {
				return nil, fmt.Errorf("give the plugin its socket directory: %w", err)
			}
			cmd := exec.Command(i.bin)
			cmd.Env = append(pluginEnv(i.home), spec.Env...)
			cmd.Dir = i.home
			r, err := newProcRunner(cmd, contain)
			if err != nil {
				return nil, err
			}
			// A start that outlives its timeout or its run is killed;
			// go-plugin's handshake wait then ends at once.
			stopWatch = context.AfterFunc(sctx, func() { _ = r.Kill(context.Background()) })
			return r, nil
		},
		UnixSocketConfig: &plugin.UnixSocketConfig{TempDir: i.dir},
		AllowedProtocols: []plugin.Protocol{plugin.ProtocolGRPC},
		AutoMTLS:         true,
		SkipHostEnv:      true,
		Logger:           zl,
		SyncStdout:       p.stdout,
		SyncStderr:       p.stderr,
		StartTimeout:     i.spec.Timeout,
		GRPCDialOptions:  grpcLimits(),
	})
	rpc, err := client.Client()
	if stopWatch != nil && !stopWatch() && err == nil {
		err = sctx.Err() // the handshake finished as the watch killed the process
	}
	if err != nil {
		client.Kill()
		switch {
		case ctx.Err() != nil:
			return nil, fmt.Errorf("the run was cancelled while plugin %s was starting", i.spec.Name)
		case pastDeadline(sctx):
			return nil, fmt.Errorf("plugin %s did not complete go-plugin's start-up handshake within its timeout of %s; "+
				"fix the plugin (its main must call plugins.Serve at once) or raise its timeout in baseline.yaml", i.spec.Name, i.spec.Timeout)
		}
		return nil, err
	}
	raw, err := rpc.Dispense(plugins.PluginName)
	if err != nil {
		client.Kill()
		return nil, fmt.Errorf("dispense %q: %w", plugins.PluginName, err)
	}
	check, ok := raw.(plugins.Check)
	if !ok {
		client.Kill()
		return nil, fmt.Errorf("the plugin's %q is a %T, not a check", plugins.PluginName, raw)
	}
	p.client, p.rpc, p.check = client, rpc, check
	return p, nil
}

// pluginEnv is the whole environment of a plugin process besides
// go-plugin's own variables. None of the tool's credential sources (AWS_*
// variables, profiles, shared config and credential files, web identity
// token files, container credential URIs) is in it: HOME is the plugin's
// own empty directory, which is also where temporary files go (go-plugin's
// socket has a directory of its own), and the SDK is told not to ask the
// instance metadata service for credentials. Its AWS access is the
// credentials in each RunRequest.
func pluginEnv(home string) []string {
	return []string{
		"HOME=" + home,
		"TMPDIR=" + home,
		"AWS_EC2_METADATA_DISABLED=true",
	}
}

// alive tells a process that died from one that answered with an error.
func (p *proc) alive() bool {
	if p.client.Exited() {
		return false
	}
	done := make(chan error, 1)
	go func() { done <- p.rpc.Ping() }()
	t := time.NewTimer(pingTimeout)
	defer t.Stop()
	select {
	case err := <-done:
		return err == nil
	case <-t.C:
		return false
	}
}

// describe launches the plugin and reads its description (Open).
func (i *instance) describe(ctx context.Context) error {
	p, err := i.acquire(ctx, "")
	if err != nil {
		return fmt.Errorf("plugin %s: %w", i.spec.Name, err)
	}
	defer i.release(p, "")
	cctx, cancel := context.WithTimeout(ctx, i.spec.Timeout)
	defer cancel()
	d, err := callWithin(cctx, func(ctx context.Context) (*plugins.DescribeResponse, error) {
		return p.check.Describe(ctx, &plugins.DescribeRequest{})
	})
	if err != nil {
		if ctx.Err() == nil && pastDeadline(cctx) {
			i.retire(p, "Describe did not answer in time")
			return fmt.Errorf("plugin %s did not describe itself within %s; raise its timeout or fix the plugin", i.spec.Name, i.spec.Timeout)
		}
		return fmt.Errorf("plugin %s: Describe: %w", i.spec.Name, err)
	}
	if err := validateDescription(d); err != nil {
		return fmt.Errorf("plugin %s (%s): %w; fix the plugin", i.spec.Name, i.spec.Path, err)
	}
	if err := i.spec.approve(d.Actions); err != nil {
		return err // approval happens before any Run (actions.go)
	}
	policy, err := SessionPolicy(d.Actions)
	if err != nil {
		return fmt.Errorf("plugin %s (%s): %w", i.spec.Name, i.spec.Path, err)
	}
	i.desc, i.policy = d, policy
	i.log.Debug().Str("id", d.ID).Str("version", d.Version).Strs("actions", d.Actions).Msg("plugin launched")
	return nil
}

// callWithin calls f and returns when it does or when ctx ends, whichever
// is first: the gRPC client honours the context, but the run must not
// depend on it.
func callWithin[T any](ctx context.Context, f func(context.Context) (T, error)) (T, error) {
	type result struct {
		v   T
		err error
	}
	done := make(chan result, 1)
	go func() {
		v, err := f(ctx)
		done <- result{v, err}
	}()
	select {
	case r := <-done:
		return r.v, r.err
	case <-ctx.Done():
		var zero T
		return zero, ctx.Err()
	}
}

// pastDeadline reports whether the call's time is up. The context may not
// say so yet when the error arrives: the plugin's gRPC server gets the
// deadline too and may end the call a moment before the host's own timer
// fires. gRPC rounds the deadline it sends up, so the plugin never ends
// a call before the host's deadline has passed.
func pastDeadline(ctx context.Context) bool {
	if errors.Is(ctx.Err(), context.DeadlineExceeded) {
		return true
	}
	d, ok := ctx.Deadline()
	return ok && !time.Now().Before(d)
}

// run runs the plugin in one account.
func (i *instance) run(ctx context.Context, acct plugins.Account, homeRegion string, regions []string) []baseline.Finding {
	log := i.log.With().Str("account", acct.ID).Logger()
	hostFailed := false // the last failure finding came from the host, not the plugin
	fail := func(message, remediation string, evidence map[string]any) []baseline.Finding {
		hostFailed = true
		return []baseline.Finding{i.failure(acct, message, remediation, evidence)}
	}

	var creds plugins.Credentials
	if src := i.host.o.Credentials; src != nil && len(i.desc.Actions) > 0 {
		c, err := src(ctx, CredentialRequest{Plugin: i.spec.Name, Account: acct.ID, Policy: i.policy, ValidFor: i.spec.Timeout})
		if err != nil {
			return fail(fmt.Sprintf("could not get credentials for plugin %s in account %s: %v", i.spec.Name, acct.ID, err),
				"check that the execution role exists in the account and can be assumed with a session policy; the plugin was not run", nil)
		}
		creds = c
		i.redact.add(c)
	}

	select {
	case i.sem <- struct{}{}:
	case <-ctx.Done():
		return fail(fmt.Sprintf("the run was cancelled before plugin %s ran in account %s", i.spec.Name, acct.ID), "run the check again", nil)
	}
	defer func() { <-i.sem }()

	// attempt runs the plugin once on a live process. crashed reports that
	// the process died during the call: every call in flight on it fails
	// then, so the death may have been another account's doing.
	var crashed bool
	attempt := func() []baseline.Finding {
		crashed, hostFailed = false, false
		p, err := i.acquire(ctx, acct.ID)
		if err != nil {
			if errors.Is(err, errClosed) {
				return fail(fmt.Sprintf("plugin %s did not run in account %s: %v", i.spec.Name, acct.ID, err), "run the check again", nil)
			}
			return fail(fmt.Sprintf("plugin %s did not run in account %s: %v", i.spec.Name, acct.ID, err),
				"see the log lines with plugin="+i.spec.Name+" for why it cannot start, and fix the plugin or its path", nil)
		}
		defer i.release(p, acct.ID)

		req := &plugins.RunRequest{
			Account:     acct,
			HomeRegion:  homeRegion,
			Regions:     slices.Clone(regions),
			Config:      i.spec.Config,
			Endpoint:    *i.host.endpoint.Load(),
			Credentials: creds,
			Now:         i.host.o.Now().UTC(),
		}
		cctx, cancel := context.WithTimeout(ctx, i.spec.Timeout)
		defer cancel()
		resp, err := callWithin(cctx, func(ctx context.Context) (*plugins.RunResponse, error) { return p.check.Run(ctx, req) })
		malformed := errors.Is(err, plugins.ErrInvalidResponse)
		if err == nil {
			if err = validateResponse(resp); err == nil {
				return i.convert(acct, resp.Findings)
			}
			malformed = true
		}

		evidence := map[string]any{"process": p.n}
		var pe *plugins.PanicError
		i.mu.Lock()
		closed := i.closed
		i.mu.Unlock()
		switch {
		case closed:
			return fail(fmt.Sprintf("plugin %s was stopped during its run in account %s: %v", i.spec.Name, acct.ID, errClosed), "run the check again", evidence)
		case ctx.Err() != nil:
			return fail(fmt.Sprintf("the run was cancelled before plugin %s answered in account %s", i.spec.Name, acct.ID), "run the check again", evidence)
		case pastDeadline(cctx):
			i.retire(p, fmt.Sprintf("a call in account %s did not answer within %s", acct.ID, i.spec.Timeout))
			log.Warn().Int64("timeoutMs", i.spec.Timeout.Milliseconds()).Int("process", p.n).Msg("plugin timed out; its process is stopped and restarted for the next call")
			evidence["timeout"] = i.spec.Timeout.String()
			return fail(fmt.Sprintf("plugin %s did not answer within its timeout of %s in account %s; its process was stopped and is restarted for the next call",
				i.spec.Name, i.spec.Timeout, acct.ID),
				"raise the plugin's timeout in baseline.yaml if the check needs longer in this account; otherwise fix the plugin (it must return when its context is cancelled)",
				evidence)
		case malformed:
			return fail(fmt.Sprintf("plugin %s returned a malformed answer in account %s: %v", i.spec.Name, acct.ID, err),
				"fix the plugin so that its findings follow the contract (run plugintest.Conformance against it)", evidence)
		case errors.As(err, &pe):
			log.Error().Str("method", pe.Method).Str("panic", i.redact.apply(pe.Value)).Str("stack", i.redact.apply(pe.Stack)).Msg("plugin panicked")
			return fail(fmt.Sprintf("plugin %s panicked in account %s: %s", i.spec.Name, acct.ID, pe.Value),
				"fix the plugin; the panic's stack is in the log (plugin="+i.spec.Name+", account="+acct.ID+")", evidence)
		case !p.alive():
			i.retire(p, fmt.Sprintf("its process died during a call in account %s", acct.ID))
			log.Warn().Err(err).Int("process", p.n).Msg("plugin process died during a call; it is restarted for the next call")
			crashed = true
			return fail(fmt.Sprintf("plugin %s's process exited during its run in account %s (%v); it is restarted for the next call", i.spec.Name, acct.ID, err),
				"the plugin crashed: see its last log lines (plugin="+i.spec.Name+") and fix the plugin", evidence)
		default:
			return fail(fmt.Sprintf("plugin %s could not check account %s: %v", i.spec.Name, acct.ID, err),
				"the error is the plugin's own: see its message and the plugin's documentation", evidence)
		}
	}
	i.retrying.RLock()
	out := attempt()
	i.retrying.RUnlock()
	if !crashed {
		return out
	}
	// One process serves every account, so a crash fails the calls of all
	// the accounts in flight beside the one that caused it. Each is tried
	// once more, alone, on the restarted process: the account that crashes
	// it does so again and keeps its ERROR finding; the others get theirs.
	log.Info().Msg("plugin process died during the call; trying the account once more on a new process")
	i.retrying.Lock()
	defer i.retrying.Unlock()
	// The retry's answer counts only when the plugin gave one; if it could
	// not even run (crashed again, could not restart), the first crash is
	// the account's finding.
	if again := attempt(); !hostFailed {
		return again
	}
	return out
}
