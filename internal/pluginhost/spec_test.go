package pluginhost

import (
	"path/filepath"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/orgbaseline/orgbaseline/baseline"
)

func TestSpecsFromBaseline(t *testing.T) {
	dir := t.TempDir()
	b, err := baseline.LoadBytes("b.yaml", []byte(`version: 1
plugins:
  - name: root-account
    path: plugins/root-account
    sha256: 0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef
    actions: [iam:GenerateCredentialReport, iam:GetCredentialReport]
    config: {rootLastUsedDays: 1, nested: {a: [1, 2]}}
  - name: off
    enabled: false
    path: plugins/off
    sha256: 0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef
  - name: iam-users
    path: /opt/plugins/iam-users
    sha256: 0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef
    actions: [iam:CreateUser]
    allowWriteActions: true
    timeout: 5s
    severity: high
    concurrency: 2
`), dir)
	if err != nil {
		t.Fatal(err)
	}
	specs, err := SpecsFromBaseline(b)
	if err != nil {
		t.Fatal(err)
	}
	sum := "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef"
	want := []Spec{{
		Name: "root-account", Path: filepath.Join(b.Dir, "plugins", "root-account"), SHA256: sum,
		Actions: []string{"iam:GenerateCredentialReport", "iam:GetCredentialReport"},
		Config:  []byte(`{"nested":{"a":[1,2]},"rootLastUsedDays":1}`), Timeout: baseline.DefaultPluginTimeout, Concurrency: baseline.DefaultPluginConcurrency,
	}, {
		Name: "iam-users", Path: "/opt/plugins/iam-users", SHA256: sum, Actions: []string{"iam:CreateUser"}, AllowWriteActions: true,
		Config: []byte(`{}`), Timeout: 5 * time.Second, Severity: "high", Concurrency: 2,
	}}
	if d := cmp.Diff(want, specs); d != "" {
		t.Fatalf("specs (-want +got):\n%s", d)
	}
}

func TestOpenValidatesSpecs(t *testing.T) {
	s := fixtureSpec(t, "x", `[1]`)
	s.Severity = "urgent"
	_, err := Open(t.Context(), []Spec{s, fixtureSpec(t, "x", "")}, Options{})
	if err == nil {
		t.Fatal("invalid specs accepted")
	}
	mustContain(t, err.Error(), `plugin x: severity "urgent"`, "plugin x: config is not a JSON object", `plugin name "x" is used twice`)
}
