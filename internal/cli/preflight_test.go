package cli

import (
	"context"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/iam"
	"github.com/aws/aws-sdk-go-v2/service/sts"

	"github.com/orgbaseline/orgbaseline/internal/orgsim"
)

// Who runs the tool, checked against AWS before any write: orgsim's STS
// answers who the caller is, and the tool runs through the real CLI path
// as that caller.

// runAsRoleSession makes the harness run the tool as a session of a role
// of the management account (as from SSO, CI or an instance role),
// allowed 12 hours and administrator access, and returns the session's
// ARN.
func (h *harness) runAsRoleSession() string {
	h.t.Helper()
	ctx := context.Background()
	cfg := h.accountConfig(h.sim.ManagementAccountID())
	cfg.Region = h.sim.GlobalRegion()
	arn := func(resource string) string {
		return "arn:" + h.sim.Partition() + ":iam::" + h.sim.ManagementAccountID() + ":" + resource
	}
	trust := `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"AWS":"` + arn("root") + `"},"Action":"sts:AssumeRole"}]}`
	ic := iam.NewFromConfig(cfg)
	if _, err := ic.CreateRole(ctx, &iam.CreateRoleInput{RoleName: aws.String("PlatformCI"), AssumeRolePolicyDocument: aws.String(trust), MaxSessionDuration: aws.Int32(43200)}); err != nil {
		h.t.Fatal(err)
	}
	if _, err := ic.AttachRolePolicy(ctx, &iam.AttachRolePolicyInput{RoleName: aws.String("PlatformCI"), PolicyArn: aws.String("arn:" + h.sim.Partition() + ":iam::aws:policy/AdministratorAccess")}); err != nil {
		h.t.Fatal(err)
	}
	// The role is assumable once IAM has propagated it.
	h.sim.Advance(h.sim.AWSLike().PropagationDelay)
	// Assumed by the management account's administrator (a user: not
	// chained), for 12 hours.
	admin := cfg.Copy()
	c := h.sim.ManagementCredentials()
	admin.Credentials = aws.NewCredentialsCache(aws.CredentialsProviderFunc(func(context.Context) (aws.Credentials, error) {
		return aws.Credentials{AccessKeyID: c.AccessKeyID, SecretAccessKey: c.SecretAccessKey}, nil
	}))
	out, err := sts.NewFromConfig(admin).AssumeRole(ctx, &sts.AssumeRoleInput{RoleArn: aws.String(arn("role/PlatformCI")), RoleSessionName: aws.String("pipeline"), DurationSeconds: aws.Int32(43200)})
	if err != nil {
		h.t.Fatal(err)
	}
	oc := out.Credentials
	h.setEnv(h.url, orgsim.Credentials{AccessKeyID: aws.ToString(oc.AccessKeyId), SecretAccessKey: aws.ToString(oc.SecretAccessKey)})
	h.t.Setenv("AWS_SESSION_TOKEN", aws.ToString(oc.SessionToken))
	h.t.Setenv("AWS_REGION", h.sim.GlobalRegion())
	return aws.ToString(out.AssumedRoleUser.Arn)
}

// passwordBaselineWith is passwordBaseline with organization settings.
func passwordBaselineWith(organization string) string {
	return strings.Replace(passwordBaseline, "version: 1\n", "version: 1\norganization:\n"+organization, 1)
}

// wantNoWrites fails unless the sim saw no write and no AssumeRole.
func (h *harness) wantNothingDone() {
	h.t.Helper()
	c := h.sim.Counters()
	if c.Writes() != 0 || c.Calls("sts", "AssumeRole") != 0 {
		h.t.Fatalf("the run made %d writes and %d AssumeRole calls before stopping; want none", c.Writes(), c.Calls("sts", "AssumeRole"))
	}
}

func TestPreflightRoleSessionOverAnHour(t *testing.T) {
	h := newHarness(t, orgsim.OrgSpec{Members: 3, Clean: true})
	session := h.runAsRoleSession()
	f := h.write("baseline.yaml", passwordBaselineWith("  sessionDuration: 2h\n"))
	h.sim.ResetCounters()
	r := h.run("plan", "-f", f)
	h.want(r, ExitError)
	for _, want := range []string{"cannot run as " + session, "organization.sessionDuration is 2h,", "role chaining",
		"set organization.sessionDuration: 1h or less"} {
		if !strings.Contains(r.stderr, want) {
			t.Errorf("stderr lacks %q:\n%s", want, r.stderr)
		}
	}
	h.wantNothingDone()

	// An hour is what role chaining allows: the same session runs it.
	f = h.write("baseline.yaml", passwordBaselineWith("  sessionDuration: 1h\n"))
	h.want(h.run("apply", "-f", f, "--auto-approve"), ExitOK)
	h.want(h.run("plan", "-f", f, "--detailed-exitcode"), ExitOK)
}

func TestPreflightRootUser(t *testing.T) {
	h := newHarness(t, orgsim.OrgSpec{Members: 2, Clean: true})
	mgmt := h.sim.ManagementAccountID()
	h.setEnv(h.url, h.sim.RootCredentials(mgmt))
	f := h.write("baseline.yaml", passwordBaseline)
	h.sim.ResetCounters()
	r := h.run("plan", "-f", f)
	h.want(r, ExitError)
	for _, want := range []string{"running as the root user of account " + mgmt, "arn:aws:iam::" + mgmt + ":root", "does not let the root user assume roles"} {
		if !strings.Contains(r.stderr, want) {
			t.Errorf("stderr lacks %q:\n%s", want, r.stderr)
		}
	}
	h.wantNothingDone()
}

func TestPreflightRegionsOutsideThePartition(t *testing.T) {
	h := newHarnessWith(t, orgsim.Options{Partition: "aws-us-gov", Org: orgsim.OrgSpec{Members: 2, Clean: true}})
	h.t.Setenv("AWS_REGION", "us-gov-west-1")
	f := h.write("baseline.yaml", passwordBaselineWith("  homeRegion: us-gov-west-1\n  regions: [us-gov-west-1, us-east-1, eu-west-1]\n"))
	h.sim.ResetCounters()
	r := h.run("plan", "-f", f)
	h.want(r, ExitError)
	for _, want := range []string{"must be regions of the aws-us-gov partition", "not in it: us-east-1, eu-west-1"} {
		if !strings.Contains(r.stderr, want) {
			t.Errorf("stderr lacks %q:\n%s", want, r.stderr)
		}
	}
	h.wantNothingDone()
	// The home region too, with the partition's global region named.
	f = h.write("baseline.yaml", passwordBaselineWith("  homeRegion: us-east-1\n  regions: [us-east-1, us-gov-west-1]\n"))
	r = h.run("plan", "-f", f, "--region", "us-gov-west-1")
	h.want(r, ExitError)
	if !strings.Contains(r.stderr, "set organization.homeRegion: us-gov-west-1") {
		t.Errorf("stderr does not name the partition's global region:\n%s", r.stderr)
	}
	h.wantNothingDone()

	// In the partition's own regions the run converges.
	f = h.write("baseline.yaml", passwordBaselineWith("  homeRegion: us-gov-west-1\n  regions: [us-gov-west-1, us-gov-east-1]\n"))
	h.want(h.run("apply", "-f", f, "--auto-approve"), ExitOK)
	h.want(h.run("plan", "-f", f, "--detailed-exitcode"), ExitOK)
}

// TestSessionDurationOverTheRolesMaximumStopsOnce: run as an IAM user (no
// role chaining), a session longer than the execution role's
// MaxSessionDuration (1 h) is refused by AWS in every account; the run
// stops with one error naming the setting and the role's limit, not one
// failure per account.
func TestSessionDurationOverTheRolesMaximumStopsOnce(t *testing.T) {
	h := newHarness(t, orgsim.OrgSpec{Members: 6, Clean: true})
	f := h.write("baseline.yaml", passwordBaselineWith("  sessionDuration: 2h\n"))
	const refusal = "The requested DurationSeconds exceeds the MaxSessionDuration set for this role."
	for _, concurrency := range []string{"1", "8"} {
		h.sim.ResetCounters()
		r := h.run("plan", "-f", f, "--concurrency", concurrency)
		h.want(r, ExitError)
		out := r.stdout + r.stderr
		if n := strings.Count(out, refusal); n != 1 {
			t.Errorf("concurrency %s: AWS's refusal reported %d times, want once:\n%s", concurrency, n, out)
		}
		for _, want := range []string{"organization.sessionDuration is 2h0m0s", "MaxSessionDuration of the execution role OrganizationAccountAccessRole",
			"The run stopped there, before any change:", "account(s) not started"} {
			if !strings.Contains(r.stderr, want) {
				t.Errorf("concurrency %s: stderr lacks %q:\n%s", concurrency, want, r.stderr)
			}
		}
		if c := h.sim.Counters(); c.Writes() != 0 {
			t.Errorf("concurrency %s: %d writes", concurrency, c.Writes())
		}
		if concurrency == "1" {
			if n := h.sim.Counters().Calls("sts", "AssumeRole"); n != 1 {
				t.Errorf("AssumeRole called %d times one account after another; once refused, no account more", n)
			}
			if !strings.Contains(r.stderr, "6 of 6 targeted account(s) not started") {
				t.Errorf("stderr does not count the accounts not started:\n%s", r.stderr)
			}
		}
	}
	// Within the role's limit it converges.
	f = h.write("baseline.yaml", passwordBaselineWith("  sessionDuration: 1h\n"))
	h.want(h.run("apply", "-f", f, "--auto-approve"), ExitOK)
}

// GovCloud credentials sent to a commercial region are refused before the
// caller is even known: the error says to use the partition's region.
func TestCredentialsOfAnotherPartitionAreExplained(t *testing.T) {
	h := newHarnessWith(t, orgsim.Options{Partition: "aws-us-gov", Org: orgsim.OrgSpec{Members: 1, Clean: true}})
	f := h.write("baseline.yaml", passwordBaselineWith("  homeRegion: us-east-1\n"))
	h.sim.ResetCounters()
	r := h.run("plan", "-f", f)
	h.want(r, ExitError)
	if !strings.Contains(r.stderr, "sts:GetCallerIdentity") || !strings.Contains(r.stderr, "set organization.homeRegion (or --region) to us-gov-west-1") {
		t.Errorf("stderr does not explain the partition:\n%s", r.stderr)
	}
	h.wantNothingDone()
}
