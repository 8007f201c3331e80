package pluginhost

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/orgbaseline/orgbaseline/baseline"
)

// The binary that runs is a private copy of the bytes that were hashed:
// replacing the file afterwards (as an attacker with write access to it
// would, between the check and a later exec by path) changes nothing.
func TestASwappedBinaryNeverRuns(t *testing.T) {
	path := copyFixture(t, "fixture")
	h := open(t, []Spec{{Name: "swapped", Path: path, SHA256: checksum(t, path), Actions: fixtureActions, Config: []byte(`{"crashIn":"111111111111"}`)}}, Options{})
	ctx := context.Background()
	first := pid(t, h.Run(ctx, account("222222222222", "b"), "us-east-1", regions))

	// Replace the binary with a program that leaves a mark if it ever runs.
	// In /tmp, where whoever runs it (the plugins' user) may write.
	mark := startedMarker(path)
	tmp := path + ".new"
	if err := os.WriteFile(tmp, []byte("#!/bin/sh\ntouch "+mark+"\n"), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.Rename(tmp, path); err != nil {
		t.Fatal(err)
	}

	h.Run(ctx, account("111111111111", "a"), "us-east-1", regions) // crashes the running process
	fs := h.Run(ctx, account("333333333333", "c"), "us-east-1", regions)
	if f := find(t, fs, "fixture.env"); f.Status != baseline.StatusPass {
		t.Fatalf("after the swap: %s", dump(fs))
	}
	if again := pid(t, fs); again == first {
		t.Fatalf("the process was not restarted (pid %s), so the test proves nothing", again)
	}
	if _, err := os.Stat(mark); err == nil {
		t.Fatal("the swapped-in binary ran")
	}
}

func TestAPluginOthersCanChangeIsRefused(t *testing.T) {
	for _, tt := range []struct {
		name  string
		setup func(t *testing.T, path string)
		want  []string
	}{{
		name:  "group-writable file",
		setup: func(t *testing.T, path string) { chmod(t, path, 0o775) },
		want:  []string{"is writable by group or others (mode 0775)", "chmod go-w %[1]s"},
	}, {
		name:  "world-writable file",
		setup: func(t *testing.T, path string) { chmod(t, path, 0o757) },
		want:  []string{"is writable by group or others (mode 0757)", "chmod go-w %[1]s"},
	}, {
		name:  "world-writable directory",
		setup: func(t *testing.T, path string) { chmod(t, filepath.Dir(path), 0o1777) },
		want:  []string{"the directory %[2]s of %[1]s is writable by group or others (mode 0777)", "chmod go-w %[2]s"},
	}, {
		name: "file owned by another user",
		setup: func(t *testing.T, path string) {
			if os.Geteuid() != 0 {
				t.Skip("only root can give a file away")
			}
			if err := os.Chown(path, 65534, 65534); err != nil {
				t.Fatal(err)
			}
		},
		want: []string{"%[1]s is owned by uid 65534, neither root nor the user running orgbaseline", "chown 0 %[1]s"},
	}} {
		t.Run(tt.name, func(t *testing.T) {
			path := copyFixture(t, "fixture-startonce")
			sum := checksum(t, path)
			tt.setup(t, path)
			_, err := Open(context.Background(), []Spec{{Name: "exposed", Path: path, SHA256: sum}}, Options{})
			if err == nil {
				t.Fatal("Open accepted it")
			}
			for _, w := range tt.want {
				mustContain(t, err.Error(), "plugin exposed: ", fmtPath(w, path))
			}
			if _, err := os.Stat(startedMarker(path)); err == nil {
				t.Error("the plugin was launched")
			}
		})
	}
}

func chmod(t *testing.T, path string, mode os.FileMode) {
	t.Helper()
	if err := os.Chmod(path, mode); err != nil {
		t.Fatal(err)
	}
}

// fmtPath fills %[1]s with path and %[2]s with its directory.
func fmtPath(format, path string) string {
	return strings.NewReplacer("%[1]s", path, "%[2]s", filepath.Dir(path)).Replace(format)
}
