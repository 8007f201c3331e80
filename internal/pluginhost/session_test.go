package pluginhost

import (
	"context"
	"errors"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/sts"
	"github.com/aws/smithy-go"

	"github.com/orgbaseline/orgbaseline/baseline"
	"github.com/orgbaseline/orgbaseline/internal/awsapi"
	"github.com/orgbaseline/orgbaseline/internal/orgsim"
	"github.com/orgbaseline/orgbaseline/orgwalk"
	"github.com/orgbaseline/orgbaseline/plugins"
)

// simOrg is a served seeded organization and the run's Sessions on its
// management credentials, renewing plugin credentials by the sim's clock.
type simOrg struct {
	sim      *orgsim.Sim
	url      string
	mgmt     aws.Config
	sessions *orgwalk.Sessions
}

func newSimOrg(t testing.TB, seed int64, runID string) *simOrg {
	t.Helper()
	sim := orgsim.New(orgsim.Options{Seed: seed, Org: orgsim.OrgSpec{Members: 2, Clean: true}})
	srv := httptest.NewServer(sim)
	t.Cleanup(srv.Close)
	mc := sim.ManagementCredentials()
	mgmt, err := awsapi.Load(context.Background(), awsapi.Options{
		Region: "us-east-1", Endpoint: srv.URL, NoBackoff: true,
		Static: &aws.Credentials{AccessKeyID: mc.AccessKeyID, SecretAccessKey: mc.SecretAccessKey},
	})
	if err != nil {
		t.Fatal(err)
	}
	s := orgwalk.NewSessions(mgmt, orgwalk.SessionOptions{
		Role: orgsim.DefaultExecutionRole, SessionName: "orgbaseline-" + runID, RunID: runID,
		ManagementAccountID: sim.ManagementAccountID(), Now: sim.Now,
	})
	return &simOrg{sim: sim, url: srv.URL, mgmt: mgmt, sessions: s}
}

// member is the first member account.
func (o *simOrg) member() plugins.Account {
	for _, a := range o.sim.Accounts() {
		if a.ID != o.sim.ManagementAccountID() {
			return plugins.Account{ID: a.ID, Name: a.Name, OUPath: a.OUPath}
		}
	}
	panic("no member account")
}

// source is the credential source internal/cli gives the host; handed
// records every credential handed out.
func (o *simOrg) source(handed *[]plugins.Credentials, mu *sync.Mutex) CredentialSource {
	return func(ctx context.Context, req CredentialRequest) (plugins.Credentials, error) {
		c, err := o.sessions.PluginCredentials(ctx, orgwalk.PluginSession{Plugin: req.Plugin, Account: req.Account, Policy: req.Policy, ValidFor: req.ValidFor})
		if err != nil {
			return plugins.Credentials{}, err
		}
		pc := plugins.Credentials{AccessKeyID: c.AccessKeyID, SecretAccessKey: c.SecretAccessKey, SessionToken: c.SessionToken, Expires: c.Expires}
		if handed != nil {
			mu.Lock()
			*handed = append(*handed, pc)
			mu.Unlock()
		}
		return pc, nil
	}
}

// whoamiIn runs the whoami fixture in acct and returns the caller ARN and
// the expiry of the credentials it was handed.
func whoamiIn(t *testing.T, h *Host, acct plugins.Account) (string, time.Time) {
	t.Helper()
	f := find(t, h.Run(context.Background(), acct, "us-east-1", []string{"us-east-1"}), "fixture.whoami")
	if f.Status != baseline.StatusPass {
		t.Fatalf("the plugin's credentials did not work: %s", dump([]baseline.Finding{f}))
	}
	exp, err := time.Parse(time.RFC3339, f.Evidence["expires"].(string))
	if err != nil {
		t.Fatal(err)
	}
	return f.Evidence["arn"].(string), exp
}

// A plugin acts in a session of its own: named orgbaseline-plugin-<name>-
// <run>, not the tool's session name, lasting AssumeRole's 15 minutes, and
// renewed by orgsim's clock, so the plugin keeps getting valid credentials
// however long the run (orgsim refuses expired ones, as AWS does).
func TestAPluginActsInASessionOfItsOwn(t *testing.T) {
	const runID = "20260501T120000Z-abc123"
	o := newSimOrg(t, 3, runID)
	var handed []plugins.Credentials
	var mu sync.Mutex
	h := open(t, []Spec{fixtureSpec(t, "auditor", `{"whoami":true}`)}, Options{Credentials: o.source(&handed, &mu), Endpoint: o.url})
	acct := o.member()
	assumes := func() int64 { return o.sim.Counters().Calls("sts", "AssumeRole") }

	before := o.sim.Now()
	arn, exp := whoamiIn(t, h, acct)
	after := o.sim.Now()
	if want := "arn:aws:sts::" + acct.ID + ":assumed-role/" + orgsim.DefaultExecutionRole + "/orgbaseline-plugin-auditor-" + runID; arn != want {
		t.Fatalf("the plugin acts as %s, want %s", arn, want)
	}
	if exp.Before(before.Add(15*time.Minute).Truncate(time.Second)) || exp.After(after.Add(15*time.Minute)) {
		t.Fatalf("the plugin's credentials expire at %s, want 15 minutes after they were issued (between %s and %s)", exp, before, after)
	}
	// The tool's own session in the same account has another name: an SCP
	// exempting it does not exempt the plugin.
	own, err := o.sessions.Config(context.Background(), acct.ID, "us-east-1")
	if err != nil {
		t.Fatal(err)
	}
	id, err := sts.NewFromConfig(own).GetCallerIdentity(context.Background(), &sts.GetCallerIdentityInput{})
	if err != nil {
		t.Fatal(err)
	}
	if got := aws.ToString(id.Arn); !strings.HasSuffix(got, "/orgbaseline-"+runID) {
		t.Fatalf("the tool acts as %s", got)
	}
	n := assumes()

	// Nine minutes on, six are left: more than the five kept in reserve,
	// so the same session serves.
	o.sim.Advance(9 * time.Minute)
	if _, again := whoamiIn(t, h, acct); !again.Equal(exp) || assumes() != n {
		t.Fatalf("after 9 minutes the plugin got new credentials (expiry %s, was %s; %d more AssumeRole)", again, exp, assumes()-n)
	}
	// Two more, and four are left: renewed before they run out.
	o.sim.Advance(2 * time.Minute)
	arn2, exp2 := whoamiIn(t, h, acct)
	if assumes() != n+1 || !exp2.After(exp) || arn2 != arn {
		t.Fatalf("with 4 minutes left: %d more AssumeRole, expiry %s (was %s), caller %s", assumes()-n, exp2, exp, arn2)
	}

	// Past the end of the first session: its credentials are refused by
	// orgsim as by AWS, and the plugin is handed working ones.
	o.sim.Advance(16 * time.Minute)
	first := handed[0]
	stale := o.mgmt.Copy()
	stale.Credentials = aws.NewCredentialsCache(aws.CredentialsProviderFunc(func(context.Context) (aws.Credentials, error) {
		return aws.Credentials{AccessKeyID: first.AccessKeyID, SecretAccessKey: first.SecretAccessKey, SessionToken: first.SessionToken}, nil
	}))
	stale.RetryMaxAttempts = 1
	_, err = sts.NewFromConfig(stale).GetCallerIdentity(context.Background(), &sts.GetCallerIdentityInput{})
	var ae smithy.APIError
	if !errors.As(err, &ae) || ae.ErrorCode() != "ExpiredToken" { // STS's code for an expired session token
		t.Fatalf("orgsim accepted credentials past their session's end: %v", err)
	}
	if _, exp3 := whoamiIn(t, h, acct); !exp3.After(o.sim.Now()) {
		t.Fatalf("after the session ended the plugin got credentials expiring at %s, before the sim's now %s", exp3, o.sim.Now())
	}
}

func TestPluginSessionNamesFitRoleSessionName(t *testing.T) {
	o := newSimOrg(t, 4, "20260501T120000Z-abc123")
	long := strings.Repeat("a-very-long-plugin-name", 3)[:63]
	h := open(t, []Spec{fixtureSpec(t, long, `{"whoami":true}`)}, Options{Credentials: o.source(nil, nil), Endpoint: o.url})
	arn, _ := whoamiIn(t, h, o.member())
	name := arn[strings.LastIndexByte(arn, '/')+1:]
	if len(name) > 64 || !strings.HasPrefix(name, "orgbaseline-plugin-a-very-long") || !strings.HasSuffix(name, "-20260501T120000Z-abc123") {
		t.Fatalf("session name %q (%d characters)", name, len(name))
	}
}
