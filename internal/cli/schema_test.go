package cli

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// runSchemaCLI runs orgbaseline with args, with no terminal and no AWS.
func runSchemaCLI(t *testing.T, args ...string) (code int, stdout, stderr string) {
	t.Helper()
	var out, errb bytes.Buffer
	a := &app{stdin: strings.NewReader(""), stdout: &out, stderr: &errb, getenv: func(string) string { return "" }}
	code = a.run(context.Background(), args)
	return code, out.String(), readable(errb.String())
}

func committedSchema(t *testing.T) []byte {
	t.Helper()
	want, err := os.ReadFile("../../baseline.schema.json")
	if err != nil {
		t.Fatal(err)
	}
	return want
}

func TestSchemaCommandPrintsTheCommittedSchema(t *testing.T) {
	code, stdout, stderr := runSchemaCLI(t, "schema")
	if code != ExitOK {
		t.Fatalf("exit %d, stderr:\n%s", code, stderr)
	}
	if stdout != string(committedSchema(t)) {
		t.Error("`orgbaseline schema` does not print baseline.schema.json; regenerate it, from the repository root: go run ./cmd/orgbaseline schema --output baseline.schema.json")
	}
}

func TestSchemaCommandOutput(t *testing.T) {
	path := filepath.Join(t.TempDir(), "baseline.schema.json")
	if err := os.WriteFile(path, []byte("stale"), 0o600); err != nil {
		t.Fatal(err)
	}
	code, stdout, stderr := runSchemaCLI(t, "schema", "--output", path)
	if code != ExitOK {
		t.Fatalf("exit %d, stderr:\n%s", code, stderr)
	}
	if stdout != "" {
		t.Errorf("stdout = %q, want nothing with --output", stdout)
	}
	got, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(got, committedSchema(t)) {
		t.Error("--output did not write the schema")
	}
}

func TestSchemaCommandErrors(t *testing.T) {
	missing := filepath.Join(t.TempDir(), "no-such-dir", "schema.json")
	code, _, stderr := runSchemaCLI(t, "schema", "--output", missing)
	if code != ExitError || !strings.Contains(stderr, "Error: write the schema") || !strings.Contains(stderr, "no-such-dir") {
		t.Errorf("--output into a missing directory: exit %d, stderr %q; want 1 and an error naming the path", code, stderr)
	}
	if code, _, _ := runSchemaCLI(t, "schema", "extra"); code != ExitError {
		t.Errorf("schema with an argument: exit %d, want 1", code)
	}
}
