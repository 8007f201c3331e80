package cli

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/spf13/cobra"

	"github.com/orgbaseline/orgbaseline"
	"github.com/orgbaseline/orgbaseline/internal/awsapi"
	"github.com/orgbaseline/orgbaseline/internal/orgsim"
)

// The demo organization: a dozen accounts, one of them suspended.
var demoOrg = orgsim.OrgSpec{Members: 11, Suspended: 1}

const demoSeed = 7

func (a *app) demoCommand(g *globalFlags) *cobra.Command {
	return &cobra.Command{
		Use:   "demo",
		Short: "Run plan, apply, plan again and check on a simulated organization, in seconds",
		Long: `demo starts orgsim in-process with a seeded organization of a dozen accounts,
then runs the example baseline through plan, apply, a second plan (which must
have nothing to change) and check. It writes nothing outside a temporary
directory and needs no AWS account.`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if !cmd.Flags().Changed("log-level") {
				g.logLevel = "warn" // the demo's own output tells the story
			}
			return a.demo(cmd.Context(), g)
		},
	}
}

func (a *app) demo(ctx context.Context, g *globalFlags) error {
	start := time.Now()
	dir, err := os.MkdirTemp("", "orgbaseline-demo-")
	if err != nil {
		return fmt.Errorf("demo: %w", err)
	}
	defer os.RemoveAll(dir)
	file := filepath.Join(dir, "baseline.yaml")
	if err := os.WriteFile(file, orgbaseline.ExampleBaseline, 0o600); err != nil {
		return fmt.Errorf("demo: %w", err)
	}

	sim := orgsim.New(orgsim.Options{Seed: demoSeed, Org: demoOrg})
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return fmt.Errorf("demo: start orgsim: %w", err)
	}
	srv := &http.Server{Handler: sim, ReadHeaderTimeout: 10 * time.Second}
	go func() { _ = srv.Serve(ln) }()
	defer srv.Close()
	creds := sim.ManagementCredentials()
	o := runOptions{file: file, aws: &awsapi.Options{
		Endpoint: "http://" + ln.Addr().String(),
		Static:   &aws.Credentials{AccessKeyID: creds.AccessKeyID, SecretAccessKey: creds.SecretAccessKey},
	}}
	out := a.stdout
	step := func(n int, title string) { fmt.Fprintf(out, "\n== %d/4 %s\n\n", n, title) }

	fmt.Fprintf(out, "orgbaseline demo: organization %s with %d accounts, simulated in-process by orgsim (seed %d).\n",
		sim.OrganizationID(), demoOrg.Members+1, demoSeed)
	fmt.Fprintf(out, "Baseline: the example baseline.yaml (extends cis-aws-foundations-3.0).\n")

	step(1, "plan: what the baseline would change (the summary; `orgbaseline plan` shows every field)")
	planFile := filepath.Join(dir, "plan.json")
	if err := a.plan(ctx, g, &planFlags{format: "text", out: planFile, summary: true}, o); err != nil {
		return fmt.Errorf("demo plan: %w", err)
	}

	step(2, "apply: apply exactly that plan")
	sim.ResetCounters()
	if err := a.apply(ctx, g, &applyFlags{autoApprove: true, summary: true}, planFile, o); err != nil {
		return fmt.Errorf("demo apply: %w", err)
	}
	applyCalls := sim.Counters()

	step(3, "plan again: a converged organization has nothing to change")
	sim.ResetCounters()
	if err := a.plan(ctx, g, &planFlags{format: "text", detailedExitcode: true}, o); err != nil {
		var ee *exitError
		if errors.As(err, &ee) && ee.code == ExitChanges {
			return errors.New("demo: the second plan still has changes; the apply did not converge")
		}
		return fmt.Errorf("demo plan: %w", err)
	}
	replan := sim.Counters()

	step(4, "check: compliance findings")
	if err := a.check(ctx, g, &checkFlags{format: "text", failOn: "low"}, o); err != nil {
		var ee *exitError
		if !errors.As(err, &ee) || ee.code != ExitFindings {
			return fmt.Errorf("demo check: %w", err)
		}
		fmt.Fprintf(out, "(check found failing findings: %v)\n", ee.err)
	}

	fmt.Fprintf(out, "\nDone in %s. The apply made %d write and %d read calls; the second plan made %d writes and %d reads.\n",
		time.Since(start).Round(time.Millisecond), applyCalls.Writes(), applyCalls.Reads(), replan.Writes(), replan.Reads())
	fmt.Fprintf(out, "Next: read baseline.yaml, try `orgbaseline sim serve --env-file /tmp/orgsim.env`, and see the README to run it on a real organization.\n")
	return nil
}
