package profiles

import (
	"go/build"
	"slices"
	"strings"
	"testing"
)

func TestNames(t *testing.T) {
	got := Names()
	want := []string{"cis-aws-foundations-3.0", "minimal"}
	for _, w := range want {
		if !slices.Contains(got, w) {
			t.Errorf("Names() = %v, missing %q", got, w)
		}
	}
	if !slices.IsSorted(got) {
		t.Errorf("Names() = %v, not sorted", got)
	}
}

func TestLookup(t *testing.T) {
	tests := []struct {
		name string
		ok   bool
	}{
		{"minimal", true},
		{"cis-aws-foundations-3.0", true},
		{"minimal.yaml", false},
		{"./minimal", false},
		{"../profiles/minimal", false},
		{"", false},
		{"nope", false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			data, ok := Lookup(tt.name)
			if ok != tt.ok {
				t.Fatalf("Lookup(%q) ok = %v, want %v", tt.name, ok, tt.ok)
			}
			if ok && !strings.Contains(string(data), "version: 1") {
				t.Errorf("profile %q has no \"version: 1\"", tt.name)
			}
		})
	}
}

func TestDescribe(t *testing.T) {
	for _, name := range Names() {
		t.Run(name, func(t *testing.T) {
			d := Describe(name)
			if d == "" || strings.HasPrefix(d, "#") || strings.Contains(d, "\n") {
				t.Errorf("Describe(%q) = %q, want a one-line description", name, d)
			}
		})
	}
	if got := Describe("cis-aws-foundations-3.0"); !strings.HasPrefix(got, "CIS AWS Foundations Benchmark v3.0.0") {
		t.Errorf("Describe(cis) = %q", got)
	}
	if got := Describe("nope"); got != "" {
		t.Errorf("Describe(nope) = %q, want empty", got)
	}
}

// TestImports keeps the package free of this module's packages.
func TestImports(t *testing.T) {
	pkg, err := build.ImportDir(".", 0)
	if err != nil {
		t.Fatal(err)
	}
	for _, imp := range append(pkg.Imports, pkg.TestImports...) {
		if strings.HasPrefix(imp, "github.com/orgbaseline/orgbaseline") || strings.Contains(imp, "aws-sdk") {
			t.Errorf("profiles imports %s; it must not import this module or the AWS SDK", imp)
		}
	}
}
