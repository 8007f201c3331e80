package engine

import (
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/orgbaseline/orgbaseline/baseline"
)

// TestComparePlans: two plans are the same document but for the fields
// two computations of one plan differ in; anything else is a difference,
// named.
func TestComparePlans(t *testing.T) {
	change := func(resource string, after int) baseline.Change {
		return baseline.Change{Control: "passwordPolicy", Account: "111111111111", Resource: resource, Action: baseline.ActionUpdate,
			After: map[string]any{"minimumPasswordLength": after}, Reason: "differs"}
	}
	base := func() *baseline.Plan {
		return &baseline.Plan{
			FormatVersion: baseline.PlanFormatVersion, CreatedAt: time.Unix(0, 0), Baseline: "baseline.yaml",
			BaselineDigest: "d1", Organization: "o-1",
			OrganizationScope: &baseline.AccountPlan{Account: "000000000000", Name: "organization scope", Changes: []baseline.Change{}},
			Accounts: []baseline.AccountPlan{
				{Account: "000000000000", Name: "Management", Changes: []baseline.Change{}, Skipped: "management account"},
				{Account: "111111111111", Name: "prod", Changes: []baseline.Change{change("a", 14), change("b", 14)}, Warnings: []string{"w1", "w2"}},
				{Account: "222222222222", Name: "dev", Changes: []baseline.Change{}, Error: "RequestID: 1"},
			},
		}
	}
	tests := []struct {
		name string
		edit func(p *baseline.Plan)
		want []string // nil: the same plan
	}{
		{"identical", func(*baseline.Plan) {}, nil},
		{"another time, path, error text, warning order and entry order", func(p *baseline.Plan) {
			p.CreatedAt = time.Now()
			p.Baseline = "/elsewhere/baseline.yaml"
			p.Accounts[2].Error = "RequestID: 2"
			p.Accounts[1].Warnings = []string{"w2", "w1"}
			p.Accounts[0], p.Accounts[2] = p.Accounts[2], p.Accounts[0]
		}, nil},
		{"a change in a skipped entry", func(p *baseline.Plan) {
			p.Accounts[0].Changes = append(p.Accounts[0].Changes, change("x", 1))
		}, []string{"Management (000000000000): change passwordPolicy update x is only in the file"}},
		{"a skipped entry no longer skipped", func(p *baseline.Plan) { p.Accounts[0].Skipped = "" },
			[]string{`Management (000000000000): skipped "" in the file, "management account" now`}},
		{"an error gone", func(p *baseline.Plan) { p.Accounts[2].Error = "" },
			[]string{`dev (222222222222): error "" in the file, "RequestID: 1" now`}},
		{"an edited change", func(p *baseline.Plan) { p.Accounts[1].Changes[1].After["minimumPasswordLength"] = 6 },
			[]string{"prod (111111111111): change passwordPolicy update b differs: after.minimumPasswordLength is 6 in the file, 14 now"}},
		{"an edited reason", func(p *baseline.Plan) { p.Accounts[1].Changes[0].Reason = "trust me" },
			[]string{`change passwordPolicy update a differs: reason "trust me" in the file, "differs" now`}},
		{"changes in another order", func(p *baseline.Plan) {
			c := p.Accounts[1].Changes
			c[0], c[1] = c[1], c[0]
		}, []string{"prod (111111111111): the same 2 change(s) in another order"}},
		{"an account only in the file", func(p *baseline.Plan) {
			p.Accounts = append(p.Accounts, baseline.AccountPlan{Account: "333333333333", Skipped: "suspended", Changes: []baseline.Change{change("a", 1)}})
		}, []string{"333333333333: only in the file (skipped, 1 change(s)); not targeted by this run"}},
		{"an account only now", func(p *baseline.Plan) { p.Accounts = p.Accounts[:2] },
			[]string{"dev (222222222222): only in the plan computed now (with an error, 0 change(s))"}},
		{"the organization scope", func(p *baseline.Plan) {
			p.OrganizationScope.Changes = append(p.OrganizationScope.Changes, change("scp", 1))
		}, []string{"organization scope: change passwordPolicy update scp is only in the file"}},
		{"another baseline, organization and shard", func(p *baseline.Plan) {
			p.BaselineDigest, p.Organization, p.Shard = "d2", "o-2", &baseline.Shard{Index: 1, Count: 2}
		}, []string{`made from another baseline (digest "d2" in the file, "d1" now)`, `organization "o-2" in the file, "o-1" now`, "shard 1/2 in the file, none now"}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			saved := base()
			tc.edit(saved)
			err := ComparePlans("plan.json", saved, base())
			if tc.want == nil {
				if err != nil {
					t.Fatalf("the same plan is refused: %v", err)
				}
				return
			}
			var se *StaleError
			if !errors.As(err, &se) {
				t.Fatalf("not refused as stale: %v", err)
			}
			for _, w := range tc.want {
				if !strings.Contains(err.Error(), w) {
					t.Errorf("the refusal does not say %q:\n%s", w, err)
				}
			}
		})
	}
}
