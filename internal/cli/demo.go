package cli

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/spf13/cobra"

	"github.com/orgbaseline/orgbaseline"
	"github.com/orgbaseline/orgbaseline/internal/awsapi"
	"github.com/orgbaseline/orgbaseline/internal/orgsim"
)

// The demo organization: a dozen accounts, one of them suspended, the
// members' root users with credentials for controls.rootAccess to audit.
var demoOrg = orgsim.OrgSpec{Members: 11, Suspended: 1, RootCredentials: true}

const demoSeed = 7

func (a *app) demoCommand(g *globalFlags) *cobra.Command {
	return &cobra.Command{
		Use:   "demo",
		Short: "Run plan, apply, plan again and check on a simulated organization",
		Long: `demo starts orgsim in-process with a seeded organization of a dozen accounts,
then runs the example baseline (the controls of CIS AWS Foundations 3.0, a
service control policy and a resource control policy) through plan, apply,
a second plan (which must have nothing to change) and check. Run from an
orgbaseline checkout, it first builds the first-party check plugins (the
first time, with an empty Go build cache, that takes a minute or more; then
seconds). Besides Go's build cache, it writes nothing outside a temporary
directory, which it deletes, and needs no AWS account.`,
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
	content := append([]byte(nil), orgbaseline.ExampleBaseline...)
	// pluginsNote ends the sentence about the baseline.
	pluginsNote := ", plus the first-party check plugins root-account, iam-users and least-privilege, built and pinned on the fly."
	if section, err := buildDemoPlugins(ctx, dir); err != nil {
		pluginsNote = ". The first-party check plugins were not built (" + err.Error() + "), so check shows the controls' findings only."
	} else {
		content = append(content, section...)
	}
	if err := os.WriteFile(file, content, 0o600); err != nil {
		return fmt.Errorf("demo: %w", err)
	}

	sim := orgsim.New(orgsim.Options{Seed: demoSeed, Org: demoOrg})
	// orgsim answers like AWS, slowly where AWS is slow (a role or a
	// bucket policy becoming usable, an analyzer being created); the
	// demo's waits for it skip that time on orgsim's clock rather than
	// sleep through it, and the apply says what it waited for.
	a.sleep = sim.Sleep
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return fmt.Errorf("demo: start orgsim: %w", err)
	}
	srv := &http.Server{Handler: sim, ReadHeaderTimeout: 10 * time.Second}
	go func() { _ = srv.Serve(ln) }()
	defer srv.Close()
	creds := sim.ManagementCredentials()
	o := runOptions{file: file, sharedProcess: true, aws: &awsapi.Options{
		Endpoint: "http://" + ln.Addr().String(),
		Static:   &aws.Credentials{AccessKeyID: creds.AccessKeyID, SecretAccessKey: creds.SecretAccessKey},
	}}
	out := a.stdout
	step := func(n int, title string) { fmt.Fprintf(out, "\n== %d/4 %s\n\n", n, title) }

	fmt.Fprintf(out, "orgbaseline demo: organization %s with %d accounts, simulated in-process by orgsim (seed %d).\n",
		sim.OrganizationID(), demoOrg.Members+1, demoSeed)
	fmt.Fprintf(out, "Baseline: the example baseline.yaml (extends cis-aws-foundations-3.0; an SCP and an RCP at the root)%s\n", pluginsNote)
	fmt.Fprintf(out, "orgsim answers like AWS: what AWS finishes later (a policy type, a new role or bucket policy, an analyzer) settles seconds later on its clock, which the demo moves on instead of sleeping.\n")

	step(1, "plan: what the baseline would change (the summary; `orgbaseline plan` shows every field)")
	planFile := filepath.Join(dir, "plan.json")
	if err := a.plan(ctx, g, &planFlags{format: "text", out: planFile, summary: true, noApplyHint: true}, o); err != nil {
		return fmt.Errorf("demo plan: %w", err)
	}

	step(2, "apply: apply exactly that plan")
	sim.ResetCounters()
	if err := a.apply(ctx, g, &applyFlags{autoApprove: true, summary: true, noPaths: true}, planFile, o); err != nil {
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

	step(4, "check: compliance findings of the controls and the check plugins")
	if err := a.check(ctx, g, &checkFlags{failOn: "low"}, o); err != nil {
		var ee *exitError
		if !errors.As(err, &ee) || ee.code != ExitFindings {
			return fmt.Errorf("demo check: %w", err)
		}
		fmt.Fprintf(out, "(check found failing findings: %v)\n", ee.err)
	}

	fmt.Fprintf(out, "\nDone in %s. The apply made %d write and %d read calls; the second plan made %d writes and %d reads.\n",
		time.Since(start).Round(time.Millisecond), applyCalls.Writes(), applyCalls.Reads(), replan.Writes(), replan.Reads())
	// Nothing here names the demo's directory: it is deleted on return,
	// and the organization was in-process.
	fmt.Fprintf(out, "Next: write a baseline.yaml (the example is baseline.yaml at the root of the repository), run plan and apply yourself against a simulated organization started with `orgbaseline sim serve --env-file /tmp/orgsim.env &` and `source /tmp/orgsim.env`, and see the README to run it on a real organization.\n")
	return nil
}

// demoPlugins are the first-party check plugins the demo runs, each with
// the IAM actions it declares, approved in the demo's baseline as a user
// would pin them (all reads: the demo's check changes nothing).
var demoPlugins = []struct {
	name    string
	actions []string
}{
	{"root-account", []string{"iam:GenerateCredentialReport", "iam:GetAccountSummary", "iam:GetCredentialReport"}},
	{"iam-users", []string{"iam:GenerateCredentialReport", "iam:GetCredentialReport", "iam:ListAttachedUserPolicies", "iam:ListUserPolicies", "iam:ListUsers"}},
	{"least-privilege", []string{
		"iam:GetGroupPolicy", "iam:GetPolicyVersion", "iam:GetRolePolicy", "iam:GetUserPolicy", "iam:ListEntitiesForPolicy",
		"iam:ListGroupPolicies", "iam:ListGroups", "iam:ListPolicies", "iam:ListRolePolicies", "iam:ListRoles",
		"iam:ListUserPolicies", "iam:ListUsers", "organizations:DescribeOrganization",
	}},
}

// buildDemoPlugins builds the first-party check plugins into dir from this
// module's source (the demo runs as `go run ./cmd/orgbaseline demo` in a
// checkout) and returns the baseline's plugins: section pinning each
// binary's sha256 and approving its actions, as a user would write it.
func buildDemoPlugins(ctx context.Context, dir string) ([]byte, error) {
	gomod, err := exec.CommandContext(ctx, "go", "env", "GOMOD").Output()
	if err != nil {
		return nil, fmt.Errorf("no Go toolchain: %w", err)
	}
	root := filepath.Dir(strings.TrimSpace(string(gomod)))
	if !orgbaselineCheckout(root) {
		return nil, fmt.Errorf("run the demo from an orgbaseline checkout to build them")
	}
	var b strings.Builder
	b.WriteString("\n# Added by the demo: the first-party check plugins, pinned.\nplugins:\n")
	for _, p := range demoPlugins {
		name := p.name
		bin := filepath.Join(dir, name)
		build := exec.CommandContext(ctx, "go", "build", "-o", bin, "./plugins/checks/"+name)
		build.Dir = root
		if out, err := build.CombinedOutput(); err != nil {
			return nil, fmt.Errorf("go build %s: %v: %s", name, err, out)
		}
		sum, err := fileSHA256(bin)
		if err != nil {
			return nil, err
		}
		// Every account at once: a check waits for IAM's credential
		// report, which orgsim builds in seconds, as AWS does.
		fmt.Fprintf(&b, "  - name: %s\n    path: %s\n    sha256: %s\n    actions: [%s]\n    concurrency: 16\n", name, name, sum, strings.Join(p.actions, ", "))
	}
	return []byte(b.String()), nil
}

// orgbaselineCheckout reports whether root is a checkout of this module
// (outside any module, go env GOMOD names /dev/null; in another module,
// its go.mod).
func orgbaselineCheckout(root string) bool {
	mod, err := os.ReadFile(filepath.Join(root, "go.mod"))
	if err != nil || !strings.HasPrefix(string(mod), "module github.com/orgbaseline/orgbaseline\n") {
		return false
	}
	_, err = os.Stat(filepath.Join(root, "plugins", "checks"))
	return err == nil
}

func fileSHA256(path string) (string, error) {
	f, err := os.Open(path)
	if err != nil {
		return "", err
	}
	defer f.Close()
	h := sha256.New()
	if _, err := io.Copy(h, f); err != nil {
		return "", err
	}
	return hex.EncodeToString(h.Sum(nil)), nil
}
