package pluginhost

import (
	"context"
	"testing"

	"github.com/orgbaseline/orgbaseline/baseline"
	"github.com/orgbaseline/orgbaseline/plugins"
)

// A plugin that declares iam:ListUsers and also calls iam:ListRoles gets
// the first and is refused the second, by the session policy the host
// put on its credentials (orgsim enforces session policies as AWS does).
func TestAPluginGetsOnlyTheActionsItDeclared(t *testing.T) {
	o := newSimOrg(t, 1, "20260501T120000Z-000001")
	sim, ctx := o.sim, context.Background()
	h := open(t, []Spec{fixtureSpec(t, "overreach", `{"aws":true}`)}, Options{Credentials: o.source(nil, nil), Endpoint: o.url})

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
