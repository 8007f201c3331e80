package cli

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"strings"
	"time"

	"github.com/mattn/go-isatty"
	"github.com/rs/zerolog"
	"github.com/spf13/cobra"

	"github.com/orgbaseline/orgbaseline/internal/report"
)

// Exit codes.
const (
	ExitOK       = 0
	ExitError    = 1
	ExitChanges  = 2 // plan --detailed-exitcode: the plan has changes
	ExitFindings = 3 // check: failing findings at or above --fail-on
)

// exitError carries an exit code other than 1; err may be nil when there is
// nothing more to print.
type exitError struct {
	code int
	err  error
}

func (e *exitError) Error() string {
	if e.err == nil {
		return fmt.Sprintf("exit %d", e.code)
	}
	return e.err.Error()
}

func (e *exitError) Unwrap() error { return e.err }

// app is one invocation's surroundings: streams, terminal facts and the
// environment. Tests build their own.
type app struct {
	stdin          io.Reader
	stdout, stderr io.Writer
	stdinTTY       bool
	stderrTTY      bool
	getenv         func(string) string
	// simReady, when set, is called once `sim serve` is serving (tests
	// wait on it instead of polling).
	simReady func(url string)
	// now stamps reports and paces progress; nil is time.Now (tests fix
	// it for golden files).
	now func() time.Time
	// live is stderr's progress line on a terminal (made with the logger).
	live *liveLine
	// log is the logger made for this invocation, once made (the run's,
	// naming it, once a run has begun); logJSON says it writes JSON lines.
	// The final error is written as its last line (printError).
	log     *zerolog.Logger
	logJSON bool
	// sleep waits for AWS to settle (awsapi.Waiter); nil is a timer.
	// Tests against orgsim advance its clock instead.
	sleep func(ctx context.Context, d time.Duration) error
	// simClock: the simulated organization sim bench starts in-process
	// is waited for on its own clock, which the waits advance, rather
	// than by sleeping (tests; the demo always does so).
	simClock bool
	// lease sets the apply lease's clock and duration (lease.go); the
	// zero value is AWS's clock and defaultLeaseTTL.
	lease leaseOptions
}

// Main runs orgbaseline with args and returns the exit code.
func Main(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	a := &app{
		stdin: os.Stdin, stdout: stdout, stderr: stderr,
		stdinTTY:  isatty.IsTerminal(os.Stdin.Fd()),
		stderrTTY: isTTY(stderr),
		getenv:    os.Getenv,
	}
	return a.run(ctx, args)
}

func isTTY(w io.Writer) bool {
	f, ok := w.(*os.File)
	return ok && isatty.IsTerminal(f.Fd())
}

func (a *app) run(ctx context.Context, args []string) int {
	root := a.rootCommand()
	if isCompletionRequest(args) {
		registerCompletions(root) // completion.go: flag values for the shell
	}
	root.SetArgs(terraformStyle(args))
	root.SetIn(a.stdin)
	root.SetOut(a.stdout)
	root.SetErr(a.stderr)
	err := root.ExecuteContext(ctx)
	if err == nil {
		return ExitOK
	}
	code := ExitError
	var ee *exitError
	if errors.As(err, &ee) {
		code, err = ee.code, ee.err
	}
	if err != nil {
		a.printError(root, err, code)
	}
	return code
}

// finalErrorMessage is the message of the JSON line of the error that
// ends an invocation.
const finalErrorMessage = "orgbaseline stopped with an error"

// printError writes the error that ends the invocation on stderr: a JSON
// line when the logs are JSON ({"level":"error","error":"the whole text",
// "exitCode":1,"message":finalErrorMessage}, with the time, and the run
// when one began), so stderr stays one JSON document per line for jq;
// else "Error: ...". Either way its control characters are escaped
// (cleanLines).
func (a *app) printError(root *cobra.Command, err error, code int) {
	text := cleanLines(err.Error())
	log, json := a.log, a.logJSON
	if log == nil {
		// The error came before a logger was made (a flag, a file):
		// the format the flags ask for, as the logger would have it.
		format := "auto"
		if f := root.PersistentFlags().Lookup("log-format"); f != nil {
			format = f.Value.String()
		}
		json, _ = a.jsonLogs(format)
		l := zerolog.New(a.stderr).Hook(logTime{})
		log = &l
	}
	if !json {
		fmt.Fprintln(a.stderr, "Error:", text)
		return
	}
	log.WithLevel(zerolog.ErrorLevel).Str("error", text).Int("exitCode", code).Msg(finalErrorMessage)
}

// terraformStyle accepts Terraform's single-dash `-out plan.json` (and
// `-out=plan.json`), which people type from habit, as --out; pflag would
// read it as the shorthands -o -u -t.
func terraformStyle(args []string) []string {
	out := make([]string, len(args))
	for i, a := range args {
		if a == "-out" || strings.HasPrefix(a, "-out=") {
			a = "-" + a
		}
		out[i] = a
	}
	return out
}

// globalFlags are the flags every command takes.
type globalFlags struct {
	profile     string
	region      string
	concurrency int
	logLevel    string
	logFormat   string
	maxAttempts int
	// maxFailed is --max-failed-accounts: N or P%; "" means no limit.
	maxFailed string
	// progressEvery is --progress-interval: how often progress is logged
	// when stderr is not a terminal; 0 turns it off.
	progressEvery time.Duration
}

func (a *app) rootCommand() *cobra.Command {
	g := &globalFlags{}
	root := &cobra.Command{
		Use:   "orgbaseline",
		Short: "Bring an AWS Organization to a declared security baseline and keep it there",
		Long: `orgbaseline reads baseline.yaml, walks the organization from the management
account, assumes a role in every targeted account, and plans, applies and
checks the baseline: the IAM password policy, service control policies, the
organization's CloudTrail trail, IAM Access Analyzer and AWS Config, with
extra compliance checks run as checksum-pinned plugins.

Try it on a simulated organization:  orgbaseline demo`,
		Version:       version(),
		SilenceUsage:  true,
		SilenceErrors: true,
	}
	pf := root.PersistentFlags()
	pf.StringVar(&g.profile, "profile", "", "`NAME` of the AWS shared-config profile of the management account (default: the standard credential chain)")
	pf.StringVar(&g.region, "region", "", "`REGION` for API calls (default: organization.homeRegion, then AWS_REGION)")
	pf.IntVar(&g.concurrency, "concurrency", 0, "`N` accounts worked on at once (default: organization.concurrency)")
	pf.StringVar(&g.logLevel, "log-level", "info", "log `LEVEL`: debug, info, warn, error")
	pf.StringVar(&g.logFormat, "log-format", "auto", "log `FORMAT`: json, console, or auto (console on a terminal, json otherwise)")
	pf.IntVar(&g.maxAttempts, "max-attempts", 5, "`N` attempts per AWS API call; throttling and 5xx errors are retried with jittered backoff")
	pf.DurationVar(&g.progressEvery, "progress-interval", 30*time.Second, "when stderr is not a terminal, log the run's progress every `DURATION` (0: never); on a terminal a live line shows it")
	pf.StringVar(&g.maxFailed, "max-failed-accounts", "", "stop starting new accounts once more than `N|P%` (N accounts, or P% of the targeted) have failed (default: no limit)")

	root.AddCommand(
		a.validateCommand(g),
		a.permissionsCommand(),
		a.accountsCommand(g),
		a.planCommand(g),
		a.applyCommand(g),
		a.showCommand(),
		a.checkCommand(g),
		a.reportCommand(),
		a.pluginsCommand(g),
		a.demoCommand(g),
		a.simCommand(g),
		a.schemaCommand(g),
		a.initCommand(),
		a.versionCommand(),
	)
	root.SetVersionTemplate(strings.ReplaceAll(versionTemplate(), "{{", `{{"{{"}}`))
	return root
}

// cleanLines escapes the control characters of each line of an error
// (AWS and plugins can put them in the messages it quotes), keeping its
// line breaks.
func cleanLines(s string) string {
	lines := strings.Split(s, "\n")
	for i, l := range lines {
		lines[i] = report.Clean(l)
	}
	return strings.Join(lines, "\n")
}
