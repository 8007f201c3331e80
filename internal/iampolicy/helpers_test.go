package iampolicy

import (
	"strings"
	"testing"
)

func mustParseTB(t testing.TB, doc string, kind Kind) *Policy {
	t.Helper()
	p, err := Parse([]byte(doc), kind)
	if err != nil {
		t.Fatalf("Parse(%s): %v\n%s", kind, err, doc)
	}
	return p
}

// ctx builds a request context from key, value, key, value... pairs; a key
// may repeat to make it multi-valued. Keys are lower-cased as callers must.
func ctx(kv ...string) map[string][]string {
	m := make(map[string][]string)
	for i := 0; i+1 < len(kv); i += 2 {
		k := strings.ToLower(kv[i])
		m[k] = append(m[k], kv[i+1])
	}
	return m
}

func checkResult(t testing.TB, got Result, want Decision, wantSid string) {
	t.Helper()
	if got.Decision != want {
		t.Fatalf("decision = %v, want %v (statement %s)", got.Decision, want, got.Statement.Name())
	}
	if want == ImplicitDeny {
		if got.Statement != nil || got.Policy != nil {
			t.Fatalf("implicit deny carries statement %s / policy %p, want none", got.Statement.Name(), got.Policy)
		}
		return
	}
	if got.Statement == nil || got.Policy == nil {
		t.Fatalf("decision %v without deciding statement/policy", got.Decision)
	}
	if got.Statement.Name() != wantSid {
		t.Fatalf("deciding statement = %s, want %s", got.Statement.Name(), wantSid)
	}
	found := false
	for _, st := range got.Policy.Statements {
		if st == got.Statement {
			found = true
		}
	}
	if !found {
		t.Fatalf("deciding statement %s is not one of Result.Policy's statements", got.Statement.Name())
	}
}
