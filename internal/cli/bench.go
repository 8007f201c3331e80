package cli

import (
	"bufio"
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"regexp"
	"runtime"
	"strconv"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/spf13/cobra"

	"github.com/orgbaseline/orgbaseline"
	"github.com/orgbaseline/orgbaseline/internal/awsapi"
	"github.com/orgbaseline/orgbaseline/internal/orgsim"
)

// benchRegions are the governed regions the benchmark takes the first
// --regions of.
var benchRegions = []string{
	"us-east-1", "eu-west-1", "us-west-2", "eu-central-1", "ap-southeast-1",
	"ap-northeast-1", "us-east-2", "eu-west-2", "ca-central-1", "sa-east-1",
}

// benchDefaultConcurrency is the concurrency when --concurrency is not given.
const benchDefaultConcurrency = 64

type benchFlags struct {
	accounts int
	regions  int
	latency  time.Duration
	jitter   time.Duration
	throttle bool
	seed     int64
	// simProcess runs orgsim in a child process, so that the peak RSS
	// reported is orgbaseline's alone.
	simProcess bool
	// awsLike: orgsim answers like AWS (its default); false turns off its
	// delays and strict checks.
	awsLike bool
}

func (a *app) benchCommand(g *globalFlags) *cobra.Command {
	f := &benchFlags{}
	cmd := &cobra.Command{
		Use:   "bench [--accounts 1000] [--regions 2] [--latency 20ms] [--jitter 5ms] [--throttle=false] [--aws-like=false] [--sim-process] [--concurrency 64]",
		Short: "Measure a from-scratch apply and a no-op plan of the example baseline on a large simulated organization",
		Long: `sim bench starts orgsim in-process with --accounts member accounts (a clean
organization: only the baseline's own settings differ), injects --latency
plus up to --jitter on every call and, unless --throttle=false, AWS-like
throttling. It then runs the example baseline (its regions replaced by the
first --regions of us-east-1, eu-west-1, us-west-2, ...) through a real
"apply --auto-approve" from scratch and a "plan --detailed-exitcode", which
must find nothing to change, and prints for each phase the calls (reads and
writes, in total and per account), retries, wall time, the floor and the
ratio of wall time to it, and the process's peak RSS.

The floor is the larger of
  (a) total calls x latency / concurrency, and
  (b) the longest chain of dependent calls x latency, approximated as the
      organization-scope calls (the management account's calls other than
      sts:AssumeRole, which run before the accounts) plus the largest
      member account's calls (its own, plus its share of AssumeRole calls):
      calls within one account run one after another.
Latency here is --latency plus half --jitter (the mean injected delay).
Peak RSS is the process's VmHWM (Linux only); it includes orgsim unless
--sim-process runs orgsim in a child process, whose own peak is shown apart.`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			gg := *g
			if !cmd.Flags().Changed("log-level") {
				gg.logLevel = "warn"
			}
			if gg.concurrency <= 0 {
				gg.concurrency = benchDefaultConcurrency
			}
			return a.bench(cmd.Context(), &gg, f)
		},
	}
	fl := cmd.Flags()
	fl.IntVar(&f.accounts, "accounts", 1000, "`N` member accounts besides the management account")
	fl.IntVar(&f.regions, "regions", 2, fmt.Sprintf("`N` governed regions (1-%d), starting with us-east-1", len(benchRegions)))
	fl.DurationVar(&f.latency, "latency", 20*time.Millisecond, "`DURATION` of latency added to every call")
	fl.DurationVar(&f.jitter, "jitter", 5*time.Millisecond, "plus a random latency up to `DURATION`")
	fl.BoolVar(&f.throttle, "throttle", true, "throttle like AWS (orgsim's AWSThrottling rules)")
	fl.Int64Var(&f.seed, "seed", 1, "`SEED` of the generated organization")
	fl.BoolVar(&f.simProcess, "sim-process", false, "run orgsim in a child process (orgbaseline sim serve), so the peak RSS shown is orgbaseline's alone")
	fl.BoolVar(&f.awsLike, "aws-like", true, "orgsim answers like AWS (propagation delays, asynchronous operations and the other behaviours of sim serve's --aws-like); the waits for AWS are part of the figures")
	return cmd
}

// benchPhase holds one phase's figures.
type benchPhase struct {
	name     string
	wall     time.Duration
	calls    orgsim.Snapshot
	orgScope int64 // management account calls other than AssumeRole
	maxAcct  int64 // the largest member account's calls, AssumeRole share included
	orgsAPI  int64 // Organizations calls answered (one throttling bucket for the organization)
}

func (a *app) bench(ctx context.Context, g *globalFlags, f *benchFlags) error {
	if f.accounts < 3 {
		return fmt.Errorf("--accounts %d: give at least 3 (the baseline names Log Archive and Audit)", f.accounts)
	}
	if f.regions < 1 || f.regions > len(benchRegions) {
		return fmt.Errorf("--regions %d: give 1 to %d", f.regions, len(benchRegions))
	}
	if f.latency < 0 || f.jitter < 0 {
		return errors.New("--latency and --jitter cannot be negative")
	}
	content, err := benchBaseline(benchRegions[:f.regions], g.concurrency)
	if err != nil {
		return fmt.Errorf("bench: %w", err)
	}
	dir, err := os.MkdirTemp("", "orgbaseline-bench-")
	if err != nil {
		return fmt.Errorf("bench: %w", err)
	}
	defer os.RemoveAll(dir)
	file := filepath.Join(dir, "baseline.yaml")
	if err := os.WriteFile(file, content, 0o600); err != nil {
		return fmt.Errorf("bench: %w", err)
	}

	setup := time.Now()
	var sim benchSim
	var simSleep func(context.Context, time.Duration) error
	where := "in-process"
	if f.simProcess {
		args := []string{"--accounts", strconv.Itoa(f.accounts), "--seed", strconv.FormatInt(f.seed, 10), "--clean",
			"--latency", f.latency.String(), "--jitter", f.jitter.String(), "--throttle=" + strconv.FormatBool(f.throttle),
			"--aws-like=" + strconv.FormatBool(f.awsLike)}
		sim, err = startChildSim(ctx, args)
		where = "in a child process"
	} else {
		rules := []orgsim.FaultRule{{Latency: f.latency, Jitter: f.jitter}}
		if f.throttle {
			rules = append(rules, orgsim.AWSThrottling()...)
		}
		var in *inProcessSim
		like := orgsim.DefaultAWSLike()
		if !f.awsLike {
			like = orgsim.AWSLike{}
		}
		in, err = startInProcessSim(orgsim.Options{
			Seed:    f.seed,
			Org:     orgsim.OrgSpec{Members: f.accounts, Clean: true},
			Faults:  orgsim.Faults{Rules: rules},
			AWSLike: &like,
		})
		if err == nil {
			sim = in
			if a.simClock {
				simSleep = in.sim.Sleep
			}
		}
	}
	if err != nil {
		return fmt.Errorf("bench: %w", err)
	}
	defer sim.close()
	creds := sim.credentials()
	o := runOptions{file: file, sharedProcess: !f.simProcess, aws: &awsapi.Options{
		Endpoint: sim.endpoint(),
		Static:   &aws.Credentials{AccessKeyID: creds.AccessKeyID, SecretAccessKey: creds.SecretAccessKey},
	}}
	// The runs' own output (plans, logs) is not the benchmark's.
	quiet := *a
	quiet.stdout, quiet.stderr = io.Discard, io.Discard
	quiet.stdinTTY, quiet.stderrTTY = false, false
	if simSleep != nil {
		quiet.sleep = simSleep
	}

	out := a.stdout
	fmt.Fprintf(out, "orgbaseline sim bench: %d accounts (%d members + management), %d region(s) %s, latency %s + jitter [0, %s), throttling %s, concurrency %d, seed %d\n",
		f.accounts+1, f.accounts, f.regions, strings.Join(benchRegions[:f.regions], ","), f.latency, f.jitter,
		onOff(f.throttle), g.concurrency, f.seed)
	fmt.Fprintf(out, "orgsim %s, organization generated in %s; Go %s, %s/%s, GOMAXPROCS %d\n",
		where, time.Since(setup).Round(time.Millisecond), runtime.Version(), runtime.GOOS, runtime.GOARCH, runtime.GOMAXPROCS(0))

	mgmt := sim.managementID()
	var phases []benchPhase
	phase := func(name string, start time.Time) error {
		wall := time.Since(start)
		calls, err := sim.counters()
		if err != nil {
			return fmt.Errorf("bench: %w", err)
		}
		phases = append(phases, newBenchPhase(name, wall, calls, mgmt, f.accounts))
		return sim.resetCounters()
	}

	if err := sim.resetCounters(); err != nil {
		return fmt.Errorf("bench: %w", err)
	}
	start := time.Now()
	if err := quiet.apply(ctx, g, &applyFlags{autoApprove: true, summary: true}, "", o); err != nil {
		return fmt.Errorf("bench apply: %w", err)
	}
	if err := phase("apply (from scratch)", start); err != nil {
		return err
	}

	start = time.Now()
	converged := true
	if err := quiet.plan(ctx, g, &planFlags{format: "text", detailedExitcode: true}, o); err != nil {
		var ee *exitError
		if !errors.As(err, &ee) || ee.code != ExitChanges {
			return fmt.Errorf("bench plan: %w", err)
		}
		converged = false
	}
	if err := phase("plan (no-op)", start); err != nil {
		return err
	}

	meanLatency := f.latency + f.jitter/2
	var orgsRule orgsim.FaultRule
	if f.throttle {
		for _, r := range orgsim.AWSThrottling() {
			if r.Service == "organizations" && r.Operation == "" {
				orgsRule = r
			}
		}
	}
	for _, p := range phases {
		p.print(out, f.accounts, meanLatency, g.concurrency, orgsRule)
	}
	fmt.Fprintln(out)
	if converged {
		fmt.Fprintln(out, "converged: the plan after the apply has 0 changes")
	} else {
		fmt.Fprintln(out, "NOT CONVERGED: the plan after the apply still has changes")
	}
	if child := sim.peakRSS(); child != "" {
		fmt.Fprintf(out, "peak RSS: orgbaseline %s, orgsim %s (VmHWM of each process)\n", peakRSS(), child)
	} else {
		fmt.Fprintf(out, "peak RSS: %s (VmHWM of this process, orgsim included; --sim-process measures orgbaseline alone)\n", peakRSS())
	}
	fmt.Fprintf(out, "floor = max(calls x %s / %d, (organization-scope calls + largest account's calls) x %s); %s is latency + jitter/2\n",
		meanLatency, g.concurrency, meanLatency, meanLatency)
	if !converged {
		return &exitError{code: ExitChanges, err: errors.New("the plan after the apply still has changes")}
	}
	return nil
}

func onOff(b bool) string {
	if b {
		return "AWS-like"
	}
	return "off"
}

func newBenchPhase(name string, wall time.Duration, calls orgsim.Snapshot, mgmt string, members int) benchPhase {
	p := benchPhase{name: name, wall: wall, calls: calls}
	perAcct := map[string]int64{}
	var assume int64
	for _, r := range calls {
		switch {
		case r.Account == mgmt && r.Service == "sts" && r.Operation == "AssumeRole":
			assume += r.Calls
		case r.Account == mgmt:
			p.orgScope += r.Calls
			if r.Service == "organizations" {
				p.orgsAPI += r.Calls - r.Throttled // a throttled call takes no token
			}
		default:
			perAcct[r.Account] += r.Calls
		}
	}
	for _, n := range perAcct {
		p.maxAcct = max(p.maxAcct, n)
	}
	if members > 0 {
		p.maxAcct += (assume + int64(members) - 1) / int64(members)
	}
	return p
}

func (p benchPhase) print(out io.Writer, members int, latency time.Duration, concurrency int, orgs orgsim.FaultRule) {
	n := float64(members)
	total := p.calls.Total()
	floorA := time.Duration(float64(total) * float64(latency) / float64(concurrency))
	chain := p.orgScope + p.maxAcct
	floorB := time.Duration(chain) * latency
	floor := max(floorA, floorB)
	ratio := "n/a"
	if floor > 0 {
		ratio = fmt.Sprintf("%.2fx", float64(p.wall)/float64(floor))
	}
	fmt.Fprintf(out, "\n== %s\n", p.name)
	tw := tabwriter.NewWriter(out, 0, 0, 2, ' ', 0)
	row := func(k, v string) { fmt.Fprintf(tw, "  %s\t%s\n", k, v) }
	row("wall time", p.wall.Round(time.Millisecond).String())
	row("calls", fmt.Sprintf("%d (reads %d, writes %d)", total, p.calls.Reads(), p.calls.Writes()))
	row("calls per account", fmt.Sprintf("%.1f (reads %.1f, writes %.1f)", float64(total)/n, float64(p.calls.Reads())/n, float64(p.calls.Writes())/n))
	row("retries", fmt.Sprintf("%d (throttled %d, faulted %d)", p.calls.Throttled()+p.calls.Faulted(), p.calls.Throttled(), p.calls.Faulted()))
	row("floor (a) calls x L / C", floorA.Round(time.Millisecond).String())
	row("floor (b) chain x L", fmt.Sprintf("%s (%d organization-scope + %d largest account)", floorB.Round(time.Millisecond), p.orgScope, p.maxAcct))
	row("floor", floor.Round(time.Millisecond).String())
	row("wall / floor", ratio)
	if orgs.RPS > 0 {
		// Not part of the floor as defined above: the bound AWS-like
		// Organizations throttling puts on the run, whatever the latency.
		rate := time.Duration(float64(max(0, p.orgsAPI-int64(orgs.Burst))) / orgs.RPS * float64(time.Second))
		row("Organizations rate bound", fmt.Sprintf("%s (%d Organizations calls answered, at %g/s after a burst of %d)", rate.Round(time.Millisecond), p.orgsAPI, orgs.RPS, orgs.Burst))
		if bound := max(floor, rate); bound > floor {
			row("wall / max(floor, rate bound)", fmt.Sprintf("%.2fx", float64(p.wall)/float64(bound)))
		}
	}
	tw.Flush()
}

var (
	benchRegionsLine     = regexp.MustCompile(`(?m)^  regions: \[[^\]\n]*\]`)
	benchConcurrencyLine = regexp.MustCompile(`(?m)^  concurrency: \d+`)
)

// benchBaseline is the example baseline with its governed regions and
// concurrency replaced.
func benchBaseline(regions []string, concurrency int) ([]byte, error) {
	b := orgbaseline.ExampleBaseline
	if len(benchRegionsLine.FindAll(b, -1)) != 1 || len(benchConcurrencyLine.FindAll(b, -1)) != 1 {
		return nil, errors.New("the example baseline has no single organization regions and concurrency line to replace")
	}
	b = benchRegionsLine.ReplaceAll(b, []byte("  regions: ["+strings.Join(regions, ", ")+"]"))
	b = benchConcurrencyLine.ReplaceAll(b, []byte(fmt.Sprintf("  concurrency: %d", concurrency)))
	return b, nil
}

// peakRSS is the process's peak resident set size, from /proc/self/status.
func peakRSS() string { return vmHWM("/proc/self/status") }

// vmHWM reads the peak resident set size from a /proc status file.
func vmHWM(path string) string {
	data, err := os.ReadFile(path)
	if err != nil {
		return "n/a"
	}
	sc := bufio.NewScanner(bytes.NewReader(data))
	for sc.Scan() {
		if rest, ok := strings.CutPrefix(sc.Text(), "VmHWM:"); ok {
			var kb int64
			if _, err := fmt.Sscanf(strings.TrimSpace(rest), "%d kB", &kb); err == nil {
				return fmt.Sprintf("%.1f MB", float64(kb)/1024)
			}
		}
	}
	return "n/a"
}
