package pluginhost

import (
	"context"
	"net/http/httptest"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"

	"github.com/orgbaseline/orgbaseline/baseline"
	"github.com/orgbaseline/orgbaseline/internal/awsapi"
	"github.com/orgbaseline/orgbaseline/internal/orgsim"
	"github.com/orgbaseline/orgbaseline/orgwalk"
	"github.com/orgbaseline/orgbaseline/plugins"
)

// A plugin that declares iam:ListUsers and also calls iam:ListRoles gets
// the first and is refused the second, by the session policy the host
// put on its credentials (orgsim enforces session policies as AWS does).
func TestAPluginGetsOnlyTheActionsItDeclared(t *testing.T) {
	sim := orgsim.New(orgsim.Options{Seed: 1, Org: orgsim.OrgSpec{Members: 2, Clean: true}})
	srv := httptest.NewServer(sim)
	t.Cleanup(srv.Close)
	mc := sim.ManagementCredentials()
	ctx := context.Background()
	mgmt, err := awsapi.Load(ctx, awsapi.Options{
		Region: "us-east-1", Endpoint: srv.URL, NoBackoff: true,
		Static: &aws.Credentials{AccessKeyID: mc.AccessKeyID, SecretAccessKey: mc.SecretAccessKey},
	})
	if err != nil {
		t.Fatal(err)
	}
	sessions := orgwalk.NewSessions(mgmt, orgwalk.SessionOptions{
		Role: orgsim.DefaultExecutionRole, SessionName: "orgbaseline-plugins", ManagementAccountID: sim.ManagementAccountID(),
	})
	creds := func(ctx context.Context, account, policy string) (plugins.Credentials, error) {
		cfg, err := sessions.ConfigWithPolicy(ctx, account, "us-east-1", policy)
		if err != nil {
			return plugins.Credentials{}, err
		}
		c, err := cfg.Credentials.Retrieve(ctx)
		if err != nil {
			return plugins.Credentials{}, err
		}
		return plugins.Credentials{AccessKeyID: c.AccessKeyID, SecretAccessKey: c.SecretAccessKey, SessionToken: c.SessionToken, Expires: c.Expires}, nil
	}
	h := open(t, []Spec{fixtureSpec(t, "overreach", `{"aws":true}`)}, Options{Credentials: creds, Endpoint: srv.URL})

	members := 0
	for _, a := range sim.Accounts() {
		if a.ID == sim.ManagementAccountID() {
			continue
		}
		members++
		for range 2 { // the second run reuses the cached credentials
			fs := h.Run(ctx, plugins.Account{ID: a.ID, Name: a.Name, OUPath: a.OUPath}, "us-east-1", []string{"us-east-1"})
			if f := find(t, fs, "fixture.list-users"); f.Status != baseline.StatusPass {
				t.Fatalf("account %s: the declared iam:ListUsers was refused: %s", a.ID, dump(fs))
			}
			f := find(t, fs, "fixture.list-roles")
			if f.Status != baseline.StatusError {
				t.Fatalf("account %s: the undeclared iam:ListRoles was allowed: %s", a.ID, dump(fs))
			}
			mustContain(t, f.Message, "AccessDenied", "iam:ListRoles")
		}
	}
	if n := sim.Counters().Calls("sts", "AssumeRole"); members != 2 || n != int64(members) {
		t.Fatalf("AssumeRole called %d times for %d members; want once per member", n, members)
	}
}
