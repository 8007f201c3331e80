package cli

import (
	"context"
	"errors"
	"io"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/config"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/cloudtrail"
	"github.com/aws/aws-sdk-go-v2/service/iam"
	"github.com/aws/aws-sdk-go-v2/service/sts"
	"github.com/aws/smithy-go"

	"github.com/orgbaseline/orgbaseline/internal/orgsim"
)

// servedSim is a `sim serve` running for a test, and the variables of
// its env file.
type servedSim struct {
	url  string
	vars map[string]string
	// stderr is what it wrote to stderr until it was ready.
	stderr string
}

// serveSim runs `sim serve` with args until the test ends.
func serveSim(t *testing.T, args ...string) servedSim {
	t.Helper()
	envFile := filepath.Join(t.TempDir(), "orgsim.env")
	ready := make(chan string, 1)
	ctx, cancel := context.WithCancel(context.Background())
	var out, errb strings.Builder
	a := &app{stdin: strings.NewReader(""), stdout: &syncWriter{w: &out}, stderr: &syncWriter{w: &errb}, getenv: os.Getenv, simReady: func(url string) { ready <- url }}
	done := make(chan int, 1)
	go func() {
		done <- a.run(ctx, append([]string{"sim", "serve", "--listen", "127.0.0.1:0", "--accounts", "3", "--clean", "--env-file", envFile}, args...))
	}()
	t.Cleanup(func() { cancel(); <-done })
	var s servedSim
	select {
	case s.url = <-ready:
	case code := <-done:
		done <- code
		t.Fatalf("sim serve exited %d before it was ready: %s", code, errb.String())
	}
	vars, err := readEnvFile(envFile)
	if err != nil {
		t.Fatal(err)
	}
	s.vars = vars
	s.stderr = errb.String() // written before simReady, which the receive above follows
	return s
}

// config is an SDK config from the env file, in region ("" is the file's).
func (s servedSim) config(t *testing.T, region string) aws.Config {
	t.Helper()
	if region == "" {
		region = s.vars["AWS_REGION"]
	}
	cfg, err := config.LoadDefaultConfig(context.Background(), config.WithRegion(region), config.WithBaseEndpoint(s.vars["AWS_ENDPOINT_URL"]),
		config.WithCredentialsProvider(credentials.NewStaticCredentialsProvider(s.vars["AWS_ACCESS_KEY_ID"], s.vars["AWS_SECRET_ACCESS_KEY"], "")),
		config.WithRetryMaxAttempts(1))
	if err != nil {
		t.Fatal(err)
	}
	return cfg
}

// errorCode is err's AWS error code, "" for nil.
func errorCode(err error) string {
	var ae smithy.APIError
	if errors.As(err, &ae) {
		return ae.ErrorCode()
	}
	if err != nil {
		return err.Error()
	}
	return ""
}

func TestSimServePartition(t *testing.T) {
	s := serveSim(t, "--partition", "aws-us-gov")
	if s.vars["AWS_REGION"] != "us-gov-west-1" {
		t.Fatalf("env file AWS_REGION=%s, want the partition's global region", s.vars["AWS_REGION"])
	}
	id, err := sts.NewFromConfig(s.config(t, "")).GetCallerIdentity(context.Background(), &sts.GetCallerIdentityInput{})
	if err != nil || !strings.HasPrefix(aws.ToString(id.Arn), "arn:aws-us-gov:iam::") {
		t.Fatalf("GetCallerIdentity = %v, %v", id, err)
	}
	// A region of another partition is refused as AWS refuses it.
	_, err = sts.NewFromConfig(s.config(t, "us-east-1")).GetCallerIdentity(context.Background(), &sts.GetCallerIdentityInput{})
	if errorCode(err) != "SignatureDoesNotMatch" || !strings.Contains(err.Error(), "Credential should be scoped to a valid region") {
		t.Fatalf("us-east-1 in aws-us-gov: %v", err)
	}
}

func TestSimServeBadFlags(t *testing.T) {
	for _, tc := range []struct {
		args []string
		want string
	}{
		{[]string{"--partition", "aws-mars"}, `--partition "aws-mars": give one of aws, aws-cn, aws-us-gov`},
		{[]string{"--propagation-delay", "-1s"}, "--propagation-delay -1s: give 0 (off) or more"},
		{[]string{"--enable-region", "mars-north-1"}, `--enable-region mars-north-1: "mars-north-1" is not a region of the aws partition`},
		{[]string{"--enable-region", "000000000000:af-south-1"}, "--enable-region 000000000000:af-south-1: no account 000000000000"},
	} {
		var out, errb strings.Builder
		a := &app{stdin: strings.NewReader(""), stdout: &out, stderr: &errb, getenv: os.Getenv}
		code := a.run(context.Background(), append([]string{"sim", "serve", "--listen", "127.0.0.1:0"}, tc.args...))
		if code != ExitError || !strings.Contains(readable(errb.String()), tc.want) {
			t.Errorf("sim serve %s: exit %d, %s; want %q", strings.Join(tc.args, " "), code, errb.String(), tc.want)
		}
	}
}

func TestSimServeAWSLikeFlags(t *testing.T) {
	defaults := func() *simFlags {
		return &simFlags{accounts: 3, partition: "aws", awsLike: true, propagationDelay: orgsim.DefaultAWSLike().PropagationDelay}
	}
	for _, tc := range []struct {
		name string
		set  func(*simFlags)
		want orgsim.AWSLike
	}{
		{"defaults", func(*simFlags) {}, orgsim.DefaultAWSLike()},
		{"--propagation-delay 0", func(f *simFlags) { f.propagationDelay, f.propagationDelaySet = 0, true },
			func() orgsim.AWSLike { l := orgsim.DefaultAWSLike(); l.PropagationDelay = 0; return l }()},
		{"--aws-like=false", func(f *simFlags) { f.awsLike = false }, orgsim.AWSLike{}},
		{"--aws-like=false --propagation-delay 5s", func(f *simFlags) { f.awsLike, f.propagationDelay, f.propagationDelaySet = false, 5*time.Second, true },
			orgsim.AWSLike{PropagationDelay: 5 * time.Second}},
	} {
		f := defaults()
		tc.set(f)
		opts, err := f.options()
		if err != nil {
			t.Fatal(err)
		}
		if opts.AWSLike == nil || *opts.AWSLike != tc.want {
			t.Errorf("%s: AWSLike %+v, want %+v", tc.name, opts.AWSLike, tc.want)
		}
	}
	// Through the server: a new role is assumable at once with
	// --propagation-delay 0, not by default.
	for _, tc := range []struct {
		args []string
		want string
	}{{nil, "AccessDenied"}, {[]string{"--propagation-delay", "0"}, ""}, {[]string{"--aws-like=false"}, ""}} {
		s := serveSim(t, tc.args...)
		cfg := s.config(t, "")
		id, err := sts.NewFromConfig(cfg).GetCallerIdentity(context.Background(), &sts.GetCallerIdentityInput{})
		if err != nil {
			t.Fatal(err)
		}
		trust := `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"AWS":"arn:aws:iam::` + aws.ToString(id.Account) + `:root"},"Action":"sts:AssumeRole"}]}`
		role, err := iam.NewFromConfig(cfg).CreateRole(context.Background(), &iam.CreateRoleInput{RoleName: aws.String("Fresh"), AssumeRolePolicyDocument: aws.String(trust)})
		if err != nil {
			t.Fatal(err)
		}
		_, err = sts.NewFromConfig(cfg).AssumeRole(context.Background(), &sts.AssumeRoleInput{RoleArn: role.Role.Arn, RoleSessionName: aws.String("now")})
		if got := errorCode(err); got != tc.want {
			t.Errorf("sim serve %v: AssumeRole of a role just made: %q, want %q (%v)", tc.args, got, tc.want, err)
		}
	}
}

func TestSimServeEnableRegion(t *testing.T) {
	const optIn = "af-south-1"
	trails := func(cfg aws.Config) error {
		_, err := cloudtrail.NewFromConfig(cfg).DescribeTrails(context.Background(), &cloudtrail.DescribeTrailsInput{})
		return err
	}
	s := serveSim(t)
	if err := trails(s.config(t, optIn)); errorCode(err) != "UnrecognizedClientException" {
		t.Fatalf("%s not enabled: %v", optIn, err)
	}
	s = serveSim(t, "--enable-region", optIn)
	if err := trails(s.config(t, optIn)); err != nil {
		t.Fatalf("--enable-region %s: %v", optIn, err)
	}
	// One account: the management account's id from its credentials.
	id, err := sts.NewFromConfig(s.config(t, "")).GetCallerIdentity(context.Background(), &sts.GetCallerIdentityInput{})
	if err != nil {
		t.Fatal(err)
	}
	s = serveSim(t, "--seed", "1", "--enable-region", aws.ToString(id.Account)+":"+optIn)
	if err := trails(s.config(t, optIn)); err != nil {
		t.Fatalf("--enable-region ACCOUNT:%s: %v", optIn, err)
	}
}

// nonLoopbackAddrs are addresses of this machine that are not loopback,
// as --listen values, with what they stand for.
func nonLoopbackAddrs(t *testing.T) map[string]string {
	t.Helper()
	addrs := map[string]string{"0.0.0.0:0": "every IPv4 interface"}
	if ln, err := net.Listen("tcp", "[::]:0"); err == nil {
		ln.Close()
		addrs["[::]:0"] = "every interface"
	}
	ifaddrs, err := net.InterfaceAddrs()
	if err != nil {
		t.Fatal(err)
	}
	for _, a := range ifaddrs {
		if ipn, ok := a.(*net.IPNet); ok && !ipn.IP.IsLoopback() && ipn.IP.To4() != nil {
			addrs[net.JoinHostPort(ipn.IP.String(), "0")] = "a LAN address"
			break
		}
	}
	// A name for a non-loopback address: this machine's own name, when
	// it resolves to one.
	if host, err := os.Hostname(); err == nil {
		if ips, err := net.LookupIP(host); err == nil && len(ips) > 0 && !ips[0].IsLoopback() {
			addrs[net.JoinHostPort(host, "0")] = "a host name for a non-loopback address"
		}
	}
	return addrs
}

func TestSimServeRefusesANonLoopbackAddress(t *testing.T) {
	for listen, what := range nonLoopbackAddrs(t) {
		var out, errb strings.Builder
		a := &app{stdin: strings.NewReader(""), stdout: &out, stderr: &errb, getenv: os.Getenv,
			simReady: func(url string) { t.Errorf("--listen %s (%s): sim serve started serving at %s", listen, what, url) }}
		code := a.run(context.Background(), []string{"sim", "serve", "--accounts", "1", "--listen", listen})
		want := "--listen " + listen + ": orgsim would listen on "
		if code != ExitError || !strings.Contains(errb.String(), want) || !strings.Contains(errb.String(), "not a loopback address") ||
			!strings.Contains(errb.String(), "--insecure-listen-any") {
			t.Errorf("--listen %s (%s): exit %d, %s; want a refusal naming --insecure-listen-any", listen, what, code, errb.String())
		}
	}
	// localhost is a loopback address.
	if s := serveSim(t, "--listen", "localhost:0"); !strings.HasPrefix(s.url, "http://127.0.0.1:") && !strings.HasPrefix(s.url, "http://[::1]:") {
		t.Errorf("--listen localhost:0 serves at %s", s.url)
	}
}

func TestSimServeInsecureListenAnyWarns(t *testing.T) {
	s := serveSim(t, "--listen", "0.0.0.0:0", "--insecure-listen-any")
	// Go listens on 0.0.0.0 as [::] (both families) where it can.
	if !strings.Contains(s.stderr, "WARNING: orgsim is listening on ") || !strings.Contains(s.stderr, "not a loopback address") || !strings.Contains(s.stderr, "plain HTTP") {
		t.Errorf("--insecure-listen-any: stderr %q, want a warning", s.stderr)
	}
	if _, err := sts.NewFromConfig(s.config(t, "")).GetCallerIdentity(context.Background(), &sts.GetCallerIdentityInput{}); err != nil {
		t.Fatalf("--insecure-listen-any: %v", err)
	}
}

func TestSimServeCredentialsAreNewOnEveryStart(t *testing.T) {
	a, b := serveSim(t), serveSim(t)
	for _, k := range []string{"AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "ORGSIM_ADMIN_TOKEN"} {
		if a.vars[k] == "" || a.vars[k] == b.vars[k] {
			t.Errorf("two starts of one seed: %s %q and %q, want different random values", k, a.vars[k], b.vars[k])
		}
	}
	// Each start's own keys work.
	for _, s := range []servedSim{a, b} {
		if _, err := sts.NewFromConfig(s.config(t, "")).GetCallerIdentity(context.Background(), &sts.GetCallerIdentityInput{}); err != nil {
			t.Fatalf("env file credentials: %v", err)
		}
	}
	// --seeded-credentials: the seed's keys, the same on every start; the
	// admin token stays random.
	a, b = serveSim(t, "--seeded-credentials"), serveSim(t, "--seeded-credentials")
	if a.vars["AWS_ACCESS_KEY_ID"] != b.vars["AWS_ACCESS_KEY_ID"] || a.vars["AWS_SECRET_ACCESS_KEY"] != b.vars["AWS_SECRET_ACCESS_KEY"] {
		t.Errorf("--seeded-credentials: two starts gave %s and %s", a.vars["AWS_ACCESS_KEY_ID"], b.vars["AWS_ACCESS_KEY_ID"])
	}
	if a.vars["ORGSIM_ADMIN_TOKEN"] == b.vars["ORGSIM_ADMIN_TOKEN"] {
		t.Errorf("--seeded-credentials: the admin token is the same on two starts")
	}
}

func TestSimServeAdminAPIRequiresTheToken(t *testing.T) {
	s := serveSim(t)
	get := func(auth string) (int, string) {
		t.Helper()
		req, err := http.NewRequest(http.MethodGet, s.url+"/_orgsim/counters", nil)
		if err != nil {
			t.Fatal(err)
		}
		if auth != "" {
			req.Header.Set("Authorization", auth)
		}
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		body, _ := io.ReadAll(resp.Body)
		return resp.StatusCode, string(body)
	}
	if code, body := get(""); code != http.StatusForbidden || !strings.Contains(body, "access denied") || !strings.Contains(body, "ORGSIM_ADMIN_TOKEN") {
		t.Errorf("GET /_orgsim/counters without authentication: %d %s; want 403 saying how to authenticate", code, body)
	}
	if code, body := get("Bearer " + s.vars["ORGSIM_ADMIN_TOKEN"]); code != http.StatusOK || !strings.Contains(body, `"reads"`) {
		t.Errorf("GET /_orgsim/counters with the env file's token: %d %s", code, body)
	}
}
