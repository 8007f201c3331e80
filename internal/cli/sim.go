package cli

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"slices"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"github.com/orgbaseline/orgbaseline/internal/orgsim"
)

type simFlags struct {
	listen       string
	accounts     int
	ous          int
	seed         int64
	latency      time.Duration
	jitter       time.Duration
	throttle     bool
	errorRate    float64
	suspended    int
	missingRole  int
	clean        bool
	envFile      string
	role         string
	scpMaxSize   int
	scpPerTarget int
	// AWS-like behaviour (orgsim.AWSLike)
	partition        string
	awsLike          bool
	propagationDelay time.Duration
	enableRegions    []string
	// propagationDelaySet: --propagation-delay was given (it applies
	// even with --aws-like=false).
	propagationDelaySet bool
	// trust
	insecureListenAny bool
	seededCredentials bool
}

func (a *app) simCommand(g *globalFlags) *cobra.Command {
	sim := &cobra.Command{
		Use:   "sim",
		Short: "orgsim: a simulated AWS Organization speaking the real AWS wire protocols",
	}
	f := &simFlags{}
	serve := &cobra.Command{
		Use:   "serve [--listen 127.0.0.1:4566] [--accounts N] [--seed SEED] [--env-file FILE] ...",
		Short: "Serve a seeded simulated organization until interrupted",
		Long: `sim serve runs orgsim, an emulator of Organizations, STS, IAM, CloudTrail,
Config, IAM Access Analyzer and S3, holding a generated organization. Any AWS
SDK or the AWS CLI can talk to it: source the --env-file it writes, which
exports AWS_ENDPOINT_URL, the management account's credentials and
ORGSIM_ADMIN_TOKEN.

It listens on a loopback address only (refusing 0.0.0.0, ::, a LAN address
or a name for one unless told --insecure-listen-any), and issues new random
credentials on every start (--seeded-credentials derives them from --seed).

It verifies every SigV4 signature, evaluates SCPs and session policies on
every call, and can inject latency, throttling and transient errors. Its
admin API (call counters at GET /_orgsim/counters, fault rules at
/_orgsim/faults) requires "Authorization: Bearer $ORGSIM_ADMIN_TOKEN" or a
SigV4 signature for the service "orgsim" by the management credentials.

By default it answers like AWS: new roles, service-linked roles, bucket
policies and delegated administrators become usable only after
--propagation-delay (the tool must wait), EnablePolicyType and new
analyzers take a moment, requests dated more than 5 minutes from its clock
are refused, opt-in regions are disabled until --enable-region, and
--partition selects the ARNs and regions of aws, aws-cn or aws-us-gov.
--aws-like=false turns all of that off (every change usable at once).`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			f.propagationDelaySet = cmd.Flags().Changed("propagation-delay")
			return a.simServe(cmd.Context(), f)
		},
	}
	fl := serve.Flags()
	fl.StringVar(&f.listen, "listen", "127.0.0.1:4566", "`ADDRESS` to listen on: a loopback address (127.0.0.1, [::1], localhost)")
	fl.BoolVar(&f.insecureListenAny, "insecure-listen-any", false, "allow a --listen address that is not loopback (0.0.0.0, ::, a LAN address): other machines can then reach the simulated organization and its admin API over plain HTTP")
	fl.BoolVar(&f.seededCredentials, "seeded-credentials", false, "derive every access key and secret from --seed (the same on every start, so anyone who knows the seed can use them) instead of random ones")
	fl.IntVar(&f.accounts, "accounts", 12, "`N` member accounts besides the management account")
	fl.IntVar(&f.ous, "ous", 0, "`N` extra OUs under /Workloads besides Prod and Dev")
	fl.Int64Var(&f.seed, "seed", 1, "`SEED` of the generated organization (same seed, same organization)")
	fl.DurationVar(&f.latency, "latency", 0, "`DURATION` of latency added to every call, e.g. 20ms")
	fl.DurationVar(&f.jitter, "jitter", 0, "plus a random latency up to `DURATION`")
	fl.BoolVar(&f.throttle, "throttle", false, "throttle like AWS (per account and service token buckets, real throttling codes)")
	fl.Float64Var(&f.errorRate, "error-rate", 0, "`SHARE` of calls answered with a transient 5xx, e.g. 0.05")
	fl.IntVar(&f.suspended, "suspended", 0, "`N` member accounts in SUSPENDED state")
	fl.IntVar(&f.missingRole, "missing-role", 0, "`N` member accounts without the execution role")
	fl.BoolVar(&f.clean, "clean", false, "seed no IAM findings (no users, keys or weak policies)")
	fl.StringVar(&f.envFile, "env-file", "", "once ready, write to `FILE` the export lines pointing AWS SDKs and the AWS CLI at the simulated management account (source it)")
	fl.StringVar(&f.role, "execution-role", "OrganizationAccountAccessRole", "the role `NAME` in every member account that trusts the management account")
	fl.IntVar(&f.scpMaxSize, "scp-max-size", 0, "at most `N` characters per SCP (default: today's AWS quota)")
	fl.IntVar(&f.scpPerTarget, "scp-max-per-target", 0, "`N` SCPs at most per root, OU or account (default: today's AWS quota)")
	fl.StringVar(&f.partition, "partition", "aws", "the AWS `PARTITION` to serve: "+strings.Join(orgsim.Partitions(), ", ")+" (its ARNs, regions and global-service region)")
	fl.BoolVar(&f.awsLike, "aws-like", true, "answer like AWS: propagation delays, asynchronous operations, clock-skew and payload-hash checks, opt-in regions, PassRole and the other checks of orgsim.AWSLike; false turns them all off")
	fl.DurationVar(&f.propagationDelay, "propagation-delay", orgsim.DefaultAWSLike().PropagationDelay, "the `DURATION` a new role, service-linked role, bucket policy or delegated administrator takes to become usable by AWS services (sim time); 0 turns propagation off")
	fl.StringArrayVar(&f.enableRegions, "enable-region", nil, "enable an opt-in region: `REGION` for every account, or ACCOUNT:REGION for one (repeatable); opt-in regions are disabled until enabled, as in AWS")
	sim.AddCommand(serve)
	sim.AddCommand(a.benchCommand(g))
	return sim
}

func (f *simFlags) options() (orgsim.Options, error) {
	if f.accounts < 0 || f.suspended < 0 || f.missingRole < 0 || f.ous < 0 {
		return orgsim.Options{}, errors.New("--accounts, --ous, --suspended and --missing-role cannot be negative")
	}
	if f.suspended+f.missingRole > f.accounts {
		return orgsim.Options{}, fmt.Errorf("--suspended %d plus --missing-role %d is more than --accounts %d", f.suspended, f.missingRole, f.accounts)
	}
	if f.errorRate < 0 || f.errorRate >= 1 {
		return orgsim.Options{}, fmt.Errorf("--error-rate %v: give a share between 0 and 1", f.errorRate)
	}
	var rules []orgsim.FaultRule
	if f.throttle {
		rules = append(rules, orgsim.AWSThrottling()...)
	}
	if f.latency > 0 || f.jitter > 0 || f.errorRate > 0 {
		rules = append([]orgsim.FaultRule{{Latency: f.latency, Jitter: f.jitter, ErrorRate: f.errorRate}}, rules...)
	}
	if !slices.Contains(orgsim.Partitions(), f.partition) {
		return orgsim.Options{}, fmt.Errorf("--partition %q: give one of %s", f.partition, strings.Join(orgsim.Partitions(), ", "))
	}
	if f.propagationDelay < 0 {
		return orgsim.Options{}, fmt.Errorf("--propagation-delay %s: give 0 (off) or more", f.propagationDelay)
	}
	like := orgsim.DefaultAWSLike()
	if !f.awsLike {
		like = orgsim.AWSLike{}
	}
	if f.awsLike || f.propagationDelaySet {
		like.PropagationDelay = f.propagationDelay
	}
	return orgsim.Options{
		AWSLike:           &like,
		Partition:         f.partition,
		Seed:              f.seed,
		RandomCredentials: !f.seededCredentials,
		Org: orgsim.OrgSpec{
			Members: f.accounts, ExtraOUs: f.ous, Suspended: f.suspended, MissingRole: f.missingRole,
			ExecutionRole: f.role, Clean: f.clean,
		},
		Limits: orgsim.Limits{SCPMaxSize: f.scpMaxSize, SCPMaxPerTarget: f.scpPerTarget},
		Faults: orgsim.Faults{Rules: rules},
	}, nil
}

func (a *app) simServe(ctx context.Context, f *simFlags) error {
	opts, err := f.options()
	if err != nil {
		return err
	}
	sim := orgsim.New(opts)
	if err := enableRegions(sim, f.enableRegions); err != nil {
		return err
	}
	ln, err := net.Listen("tcp", f.listen)
	if err != nil {
		return fmt.Errorf("listen on %s: %w", f.listen, err)
	}
	if !isLoopback(ln.Addr()) {
		if !f.insecureListenAny {
			_ = ln.Close()
			return fmt.Errorf("--listen %s: orgsim would listen on %s, which is not a loopback address, so other machines could reach the simulated organization and its admin API over plain HTTP; listen on 127.0.0.1 or [::1] (the default is 127.0.0.1:4566), or pass --insecure-listen-any if other machines must reach it", f.listen, ln.Addr())
		}
		fmt.Fprintf(a.stderr, "WARNING: orgsim is listening on %s, which is not a loopback address (--insecure-listen-any).\n"+
			"WARNING: any machine that can reach it can call it, over plain HTTP: a bearer token sent to its admin API can be read on the way (sign admin requests with SigV4 instead).\n"+
			"WARNING: stop it as soon as you are done.\n", ln.Addr())
	}
	url := "http://" + ln.Addr().String()
	srv := &http.Server{Handler: sim, ReadHeaderTimeout: 10 * time.Second}
	errc := make(chan error, 1)
	go func() { errc <- srv.Serve(ln) }()

	creds := sim.ManagementCredentials()
	if f.envFile != "" {
		if err := writeEnvFile(f.envFile, url, creds, sim.AdminToken(), sim.GlobalRegion()); err != nil {
			_ = srv.Close()
			return err
		}
	}
	fmt.Fprintf(a.stdout, "orgsim is serving a simulated organization at %s\n", url)
	fmt.Fprintf(a.stdout, "  organization %s, management account %s, %d member accounts (seed %d), partition %s\n",
		sim.OrganizationID(), sim.ManagementAccountID(), f.accounts, f.seed, sim.Partition())
	if f.seededCredentials {
		fmt.Fprintf(a.stdout, "  credentials derived from the seed (--seeded-credentials): the same on every start\n")
	}
	if !f.awsLike {
		fmt.Fprintf(a.stdout, "  AWS-like behaviour off (--aws-like=false): every change is usable at once\n")
	}
	if f.envFile != "" {
		fmt.Fprintf(a.stdout, "  point the AWS CLI or any SDK at it:  source %s\n", f.envFile)
	} else {
		fmt.Fprintf(a.stdout, "  export AWS_ENDPOINT_URL=%s AWS_ACCESS_KEY_ID=%s AWS_SECRET_ACCESS_KEY=%s AWS_REGION=%s ORGSIM_ADMIN_TOKEN=%s\n", url, creds.AccessKeyID, creds.SecretAccessKey, sim.GlobalRegion(), sim.AdminToken())
	}
	fmt.Fprintf(a.stdout, "  call counters (admin API, token from ORGSIM_ADMIN_TOKEN): curl -H \"Authorization: Bearer $ORGSIM_ADMIN_TOKEN\" %s/_orgsim/counters\n  stop with Ctrl-C\n", url)
	if a.simReady != nil {
		a.simReady(url)
	}

	select {
	case <-ctx.Done():
		shut, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		_ = srv.Shutdown(shut)
		fmt.Fprintln(a.stdout, "orgsim stopped")
		return nil
	case err := <-errc:
		return fmt.Errorf("orgsim server: %w", err)
	}
}

// enableRegions enables opt-in regions as --enable-region says: REGION for
// every account, ACCOUNT:REGION for one.
func enableRegions(sim *orgsim.Sim, specs []string) error {
	for _, spec := range specs {
		account, region, one := strings.Cut(spec, ":")
		if !one {
			account, region = "", spec
		}
		if !slices.Contains(sim.Regions(), region) {
			return fmt.Errorf("--enable-region %s: %q is not a region of the %s partition; its regions are %s", spec, region, sim.Partition(), strings.Join(sim.Regions(), ", "))
		}
		accounts := []string{account}
		if !one {
			accounts = accounts[:0]
			for _, a := range sim.Accounts() {
				accounts = append(accounts, a.ID)
			}
		}
		for _, id := range accounts {
			if err := sim.EnableRegion(id, region); err != nil {
				return fmt.Errorf("--enable-region %s: %w", spec, err)
			}
		}
	}
	return nil
}

// isLoopback reports whether a listener's address is a loopback one
// (127.0.0.0/8, ::1). It is checked on the address actually bound, so a
// host name is judged by the address it resolved to, and 0.0.0.0 or ::
// (every interface) is not loopback.
func isLoopback(addr net.Addr) bool {
	tcp, ok := addr.(*net.TCPAddr)
	return ok && tcp.IP.IsLoopback()
}

// writeEnvFile writes the export lines atomically, so a script waiting for
// the file never reads half of it. region is the partition's global
// region, where its global services are; adminToken is the admin API's
// bearer token.
func writeEnvFile(path, url string, c orgsim.Credentials, adminToken, region string) error {
	content := fmt.Sprintf(`# orgsim: point AWS SDKs and the AWS CLI at the simulated management account
unset AWS_SESSION_TOKEN AWS_PROFILE
export AWS_ENDPOINT_URL=%s
export AWS_ACCESS_KEY_ID=%s
export AWS_SECRET_ACCESS_KEY=%s
export AWS_REGION=%s
export AWS_EC2_METADATA_DISABLED=true
# orgsim's admin API: curl -H "Authorization: Bearer $ORGSIM_ADMIN_TOKEN" $AWS_ENDPOINT_URL/_orgsim/counters
export ORGSIM_ADMIN_TOKEN=%s
`, url, c.AccessKeyID, c.SecretAccessKey, region, adminToken)
	// The file holds the simulated management account's secret and the
	// admin token: 0600.
	if err := writeAtomicMode(path, 0o600, func(w io.Writer) error { _, err := io.WriteString(w, content); return err }); err != nil {
		return fmt.Errorf("--env-file: %w", err)
	}
	return nil
}
