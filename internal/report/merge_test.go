package report

import (
	"bytes"
	"strings"
	"testing"

	"github.com/orgbaseline/orgbaseline/baseline"
)

// split cuts a report into count shard reports the way `check --shard`
// does: accounts by the hash of their id, the organization scope in shard 0.
func split(r *Report, count int) []*Report {
	var out []*Report
	for i := range count {
		s := baseline.Shard{Index: i, Count: count}
		part := &Report{FormatVersion: r.FormatVersion, CreatedAt: r.CreatedAt, Tool: r.Tool,
			Organization: r.Organization, BaselineDigest: r.BaselineDigest, Shard: &s}
		for _, a := range r.Accounts {
			if (a.OrganizationScope && i == 0) || (!a.OrganizationScope && s.Holds(a.Account)) {
				part.Accounts = append(part.Accounts, a)
			}
		}
		for _, f := range r.Findings {
			org := false
			for _, a := range part.Accounts {
				if a.OrganizationScope && a.Account == f.Account {
					org = true
				}
			}
			if org || (f.Account != "111111111111" && s.Holds(f.Account)) {
				part.Findings = append(part.Findings, f)
			}
		}
		Summarise(part)
		out = append(out, part)
	}
	return out
}

func TestMergeOfShardsIsTheWholeReport(t *testing.T) {
	whole := fixture()
	SortAccounts(whole.Accounts)
	var want bytes.Buffer
	if err := FindingsJSON(&want, whole); err != nil {
		t.Fatal(err)
	}
	parts := split(fixture(), 3)
	// Given in any order.
	merged, err := Merge([]*Report{parts[2], parts[0], parts[1]})
	if err != nil {
		t.Fatal(err)
	}
	var got bytes.Buffer
	if err := FindingsJSON(&got, merged); err != nil {
		t.Fatal(err)
	}
	if got.String() != want.String() {
		t.Errorf("merged report differs from the whole:\n--- merged\n%s\n--- whole\n%s", got.String(), want.String())
	}
}

func TestMergeRefusesWhatDoesNotBelongTogether(t *testing.T) {
	parts := func() []*Report { return split(fixture(), 3) }
	cases := map[string]struct {
		reports func() []*Report
		want    string
	}{
		"missing shard": {func() []*Report { p := parts(); return p[:2] }, "missing the report of shard 2/3"},
		"shard twice":   {func() []*Report { p := parts(); return append(p, p[1]) }, "shard 1/3 is given twice"},
		"other org": {func() []*Report {
			p := parts()
			p[1].Organization = "o-other"
			return p
		}, "is of organization o-other"},
		"other baseline": {func() []*Report {
			p := parts()
			p[2].BaselineDigest = "ff"
			return p
		}, "different baseline"},
		"not a shard": {func() []*Report {
			p := parts()
			p[0].Shard = nil
			return p
		}, "not the report of a shard"},
		"other count": {func() []*Report {
			p := parts()
			p[1].Shard = &baseline.Shard{Index: 1, Count: 4}
			return p
		}, "one of 4 shards"},
		"no reports": {func() []*Report { return nil }, "no reports"},
	}
	for name, c := range cases {
		t.Run(name, func(t *testing.T) {
			_, err := Merge(c.reports())
			if err == nil || !strings.Contains(err.Error(), c.want) {
				t.Fatalf("Merge error %v, want it to say %q", err, c.want)
			}
		})
	}
}

func TestNarrowKeepsOneFramework(t *testing.T) {
	r := fixture()
	Narrow(r, "CIS-3.0")
	if len(r.Frameworks) != 1 || r.Frameworks[0].Framework != "CIS-3.0" {
		t.Fatalf("frameworks after narrowing: %+v", r.Frameworks)
	}
	for _, f := range r.Findings {
		for _, ref := range f.Compliance {
			if FrameworkOf(ref) != "CIS-3.0" {
				t.Errorf("%s keeps reference %s", f.Check, ref)
			}
		}
	}
	if r.Framework != "CIS-3.0" || len(r.Findings) == 0 {
		t.Errorf("framework %q, %d findings", r.Framework, len(r.Findings))
	}
	// CIS-3.0 references of the fixture: 1.8 (password length; fails in
	// one account), 1.5 (root MFA; fails), 3.1 (trail; fails), 1.20
	// (analyzer; fails in eu-west-1).
	fw := r.Frameworks[0]
	if fw.References != 4 || fw.Passing != 0 || strings.Join(fw.Failing, " ") != "CIS-3.0:1.20 CIS-3.0:1.5 CIS-3.0:1.8 CIS-3.0:3.1" {
		t.Errorf("CIS-3.0 summary %+v", fw)
	}
}
