package orgwalk_test

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/iam"
	"github.com/aws/aws-sdk-go-v2/service/sts"

	"github.com/orgbaseline/orgbaseline/internal/awsapi"
	"github.com/orgbaseline/orgbaseline/internal/orgsim"
	"github.com/orgbaseline/orgbaseline/orgwalk"
)

func members(sim *orgsim.Sim) []string {
	var ids []string
	for _, a := range sim.Accounts() {
		if a.ID != sim.ManagementAccountID() {
			ids = append(ids, a.ID)
		}
	}
	return ids
}

// TestSessionsStopWhenTheDurationIsRefused: a session longer than the
// execution role's MaxSessionDuration (1 h, as AWS makes
// OrganizationAccountAccessRole) is refused by AWS in every account; the
// first refusal stops every later AssumeRole, with one error that names
// the setting and the role's limit.
func TestSessionsStopWhenTheDurationIsRefused(t *testing.T) {
	sim, cfg := start(t, orgsim.OrgSpec{Members: 4, Clean: true})
	s := orgwalk.NewSessions(cfg, orgwalk.SessionOptions{Role: orgsim.DefaultExecutionRole, SessionName: "orgbaseline-test",
		ManagementAccountID: sim.ManagementAccountID(), Duration: 2 * time.Hour})
	if s.Stopped() != nil {
		t.Fatal("stopped before any AssumeRole")
	}
	var first error
	for _, id := range members(sim) {
		_, err := s.Config(context.Background(), id, "us-east-1")
		var sd *orgwalk.SessionDurationError
		if !errors.As(err, &sd) || sd.Chained {
			t.Fatalf("account %s: %v, want a *SessionDurationError of the role's MaxSessionDuration", id, err)
		}
		if first == nil {
			first = err
		} else if err != first {
			t.Fatalf("account %s: a second error %v; want the first one again", id, err)
		}
	}
	for _, want := range []string{"organization.sessionDuration is 2h0m0s", "MaxSessionDuration of the execution role OrganizationAccountAccessRole",
		"ValidationError: The requested DurationSeconds exceeds the MaxSessionDuration set for this role.", "iam:UpdateRole"} {
		if !strings.Contains(first.Error(), want) {
			t.Errorf("error lacks %q: %v", want, first)
		}
	}
	if !errors.Is(s.Stopped(), first) {
		t.Fatalf("Stopped() = %v", s.Stopped())
	}
	if n := sim.Counters().Calls("sts", "AssumeRole"); n != 1 {
		t.Fatalf("AssumeRole called %d times; once refused, no more", n)
	}
	// The management account is served with the run's own credentials.
	if _, err := s.Config(context.Background(), sim.ManagementAccountID(), "us-east-1"); err != nil {
		t.Fatalf("management account: %v", err)
	}

	// Within the role's MaxSessionDuration nothing stops.
	ok := orgwalk.NewSessions(cfg, orgwalk.SessionOptions{Role: orgsim.DefaultExecutionRole, SessionName: "orgbaseline-test", Duration: time.Hour})
	for _, id := range members(sim) {
		if _, err := ok.Config(context.Background(), id, "us-east-1"); err != nil {
			t.Fatal(err)
		}
	}
	if ok.Stopped() != nil {
		t.Fatal(ok.Stopped())
	}
}

// TestSessionsStopOnRoleChaining: run as a role session, a session over
// an hour is refused for role chaining, whatever the role allows.
func TestSessionsStopOnRoleChaining(t *testing.T) {
	sim, cfg := start(t, orgsim.OrgSpec{Members: 2, Clean: true})
	// A role in the management account to run as, allowed 12 h.
	trust := `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"AWS":"arn:aws:iam::` + sim.ManagementAccountID() + `:root"},"Action":"sts:AssumeRole"}]}`
	ic := iam.NewFromConfig(cfg)
	if _, err := ic.CreateRole(context.Background(), &iam.CreateRoleInput{RoleName: aws.String("Runner"), AssumeRolePolicyDocument: aws.String(trust), MaxSessionDuration: aws.Int32(43200)}); err != nil {
		t.Fatal(err)
	}
	if _, err := ic.AttachRolePolicy(context.Background(), &iam.AttachRolePolicyInput{RoleName: aws.String("Runner"), PolicyArn: aws.String(orgsim.AWSManagedPolicyARN("AdministratorAccess"))}); err != nil {
		t.Fatal(err)
	}
	sim.Advance(sim.AWSLike().PropagationDelay)
	out, err := sts.NewFromConfig(cfg).AssumeRole(context.Background(), &sts.AssumeRoleInput{
		RoleArn: aws.String("arn:aws:iam::" + sim.ManagementAccountID() + ":role/Runner"), RoleSessionName: aws.String("ci"), DurationSeconds: aws.Int32(43200)})
	if err != nil {
		t.Fatal(err)
	}
	c := out.Credentials
	role, err := awsapi.Load(context.Background(), awsapi.Options{Region: "us-east-1", Endpoint: aws.ToString(cfg.BaseEndpoint), NoBackoff: true,
		Static: &aws.Credentials{AccessKeyID: aws.ToString(c.AccessKeyId), SecretAccessKey: aws.ToString(c.SecretAccessKey), SessionToken: aws.ToString(c.SessionToken)}})
	if err != nil {
		t.Fatal(err)
	}
	s := orgwalk.NewSessions(role, orgwalk.SessionOptions{Role: orgsim.DefaultExecutionRole, SessionName: "orgbaseline-test", Duration: 2 * time.Hour})
	_, err = s.Config(context.Background(), members(sim)[0], "us-east-1")
	var sd *orgwalk.SessionDurationError
	if !errors.As(err, &sd) || !sd.Chained || !strings.Contains(err.Error(), "role chaining") || !strings.Contains(err.Error(), "organization.sessionDuration to 1h or less") {
		t.Fatalf("chained: %v", err)
	}
	// Any other refusal is the account's own, not a stop.
	missing := orgwalk.NewSessions(cfg, orgwalk.SessionOptions{Role: "NoSuchRole", SessionName: "orgbaseline-test"})
	_, err = missing.Config(context.Background(), members(sim)[0], "us-east-1")
	var ae *orgwalk.AssumeError
	if !errors.As(err, &ae) || missing.Stopped() != nil {
		t.Fatalf("missing role: %v, stopped %v", err, missing.Stopped())
	}
}
