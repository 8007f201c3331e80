package report

import (
	"sort"
	"strings"

	"github.com/orgbaseline/orgbaseline/baseline"
)

// Catalog lists the checks the findings come from, sorted by id. A check's
// title, remediation and references are those of its first finding with
// a title; its severity is the highest any of its findings has.
func Catalog(fs []baseline.Finding) []Check {
	byID := map[string]*Check{}
	var ids []string
	for _, f := range fs {
		c, ok := byID[f.Check]
		if !ok {
			c = &Check{ID: f.Check, Source: f.Source, Severity: f.Severity}
			byID[f.Check] = c
			ids = append(ids, f.Check)
		}
		if c.Title == "" && f.Title != "" {
			c.Title, c.Remediation = f.Title, f.Remediation
		}
		if c.Remediation == "" {
			c.Remediation = f.Remediation
		}
		if len(c.Compliance) == 0 && len(f.Compliance) > 0 {
			c.Compliance = append([]string(nil), f.Compliance...)
		}
		if f.Severity.Rank() > c.Severity.Rank() {
			c.Severity = f.Severity
		}
	}
	sort.Strings(ids)
	out := make([]Check, 0, len(ids))
	for _, id := range ids {
		out = append(out, *byID[id])
	}
	return out
}

// FrameworkOf returns the framework part of a reference: "CIS-3.0" of
// "CIS-3.0:1.8".
func FrameworkOf(ref string) string {
	fw, _, _ := strings.Cut(ref, ":")
	return fw
}

// Cites says whether a finding cites framework (case-insensitive: the
// --framework flag takes "cis-3.0" for "CIS-3.0").
func Cites(f baseline.Finding, framework string) bool {
	for _, ref := range f.Compliance {
		if strings.EqualFold(FrameworkOf(ref), framework) {
			return true
		}
	}
	return false
}

// Frameworks summarises every framework the findings cite, sorted by name.
// A reference fails when any finding citing it failed or errored; skipped
// findings neither pass nor fail a reference on their own.
func Frameworks(fs []baseline.Finding) []FrameworkSummary {
	refs := map[string]map[string]bool{} // framework -> reference -> failing
	for _, f := range fs {
		bad := f.Status == baseline.StatusFail || f.Status == baseline.StatusError
		for _, ref := range f.Compliance {
			fw := FrameworkOf(ref)
			if refs[fw] == nil {
				refs[fw] = map[string]bool{}
			}
			refs[fw][ref] = refs[fw][ref] || bad
		}
	}
	names := make([]string, 0, len(refs))
	for fw := range refs {
		names = append(names, fw)
	}
	sort.Strings(names)
	out := make([]FrameworkSummary, 0, len(names))
	for _, fw := range names {
		s := FrameworkSummary{Framework: fw, References: len(refs[fw])}
		for ref, failing := range refs[fw] {
			if failing {
				s.Failing = append(s.Failing, ref)
			} else {
				s.Passing++
			}
		}
		sort.Strings(s.Failing)
		out = append(out, s)
	}
	return out
}

// Narrow keeps only the findings citing framework, and of their
// references only that framework's, re-summarises the report (the
// catalogue and the framework summary shrink with it) and records the
// framework on the report.
func Narrow(r *Report, framework string) {
	kept := r.Findings[:0]
	for _, f := range r.Findings {
		if !Cites(f, framework) {
			continue
		}
		var refs []string
		for _, ref := range f.Compliance {
			if strings.EqualFold(FrameworkOf(ref), framework) {
				refs = append(refs, ref)
			}
		}
		f.Compliance = refs
		kept = append(kept, f)
	}
	r.Findings = kept
	r.Framework = framework
	Summarise(r)
}
