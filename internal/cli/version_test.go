package cli

import (
	"encoding/json"
	"os/exec"
	"path/filepath"
	"runtime"
	"runtime/debug"
	"strings"
	"testing"
)

// buildInfoText is a binary's build information as Go records it (the
// text `go version -m` shows), with the main module's version and VCS
// settings varied per case.
func buildInfoText(mainVersion string, settings ...string) string {
	s := "go\tgo1.26.8\npath\tgithub.com/orgbaseline/orgbaseline/cmd/orgbaseline\n" +
		"mod\tgithub.com/orgbaseline/orgbaseline\t" + mainVersion + "\t\n" +
		"dep\tgithub.com/aws/aws-sdk-go-v2\tv1.47.7\th1:jBmtzRtGWVAzbfc4RBWo1dTte0ZZH8p9U42YJIw2+Bw=\n" +
		"dep\tgithub.com/hashicorp/go-plugin\tv1.8.0\n" +
		"=>\tgithub.com/acme/go-plugin\tv1.8.1-acme\t\n"
	for _, kv := range settings {
		s += "build\t" + kv + "\n"
	}
	return s
}

// The version is the -X override, else the module version Go recorded
// (a `go install ...@v1.2.3` build has v1.2.3; a build in a checkout a
// pseudo-version), else the VCS revision and its dirty flag, else dev.
func TestBuildVersion(t *testing.T) {
	const rev = "0123456789abcdef0123456789abcdef01234567"
	for _, tc := range []struct {
		name, override, info string
		want, revision       string
		modified             bool
	}{
		{name: "go install at a tag", info: buildInfoText("v1.2.3"), want: "v1.2.3"},
		{name: "a checkout, Go's pseudo-version", info: buildInfoText("v0.0.0-20260101120000-0123456789ab+dirty", "vcs=git", "vcs.revision="+rev, "vcs.modified=true"),
			want: "v0.0.0-20260101120000-0123456789ab+dirty", revision: rev, modified: true},
		{name: "devel with a clean revision", info: buildInfoText("(devel)", "vcs=git", "vcs.revision="+rev, "vcs.modified=false"), want: "dev-0123456789ab", revision: rev},
		{name: "devel with a dirty revision", info: buildInfoText("(devel)", "vcs=git", "vcs.revision="+rev, "vcs.modified=true"), want: "dev-0123456789ab-dirty", revision: rev, modified: true},
		{name: "no VCS (-buildvcs=false)", info: buildInfoText("(devel)"), want: "dev"},
		{name: "-ldflags -X wins", override: "v9.9.9", info: buildInfoText("v1.2.3"), want: "v9.9.9"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			bi, err := debug.ParseBuildInfo(tc.info)
			if err != nil {
				t.Fatal(err)
			}
			got := buildVersion(tc.override, bi, true)
			if got.Version != tc.want || got.Revision != tc.revision || got.Modified != tc.modified {
				t.Errorf("got version %q revision %q modified %v, want %q %q %v", got.Version, got.Revision, got.Modified, tc.want, tc.revision, tc.modified)
			}
			if got.GoVersion != "go1.26.8" {
				t.Errorf("go version %q", got.GoVersion)
			}
			if got.Modules["github.com/aws/aws-sdk-go-v2"] != "v1.47.7" || got.Modules["github.com/hashicorp/go-plugin"] != "v1.8.1-acme" {
				t.Errorf("modules %v: want the SDK's version and go-plugin's replacement", got.Modules)
			}
		})
	}
	if got := buildVersion("", nil, false).Version; got != "dev" {
		t.Errorf("no build information: %q, want dev", got)
	}
}

// `version` and `--version` print the same, as terraform does; `version
// --format json` adds Go, the platform and the key modules.
func TestVersionCommand(t *testing.T) {
	h := &harness{t: t, dir: t.TempDir()}
	text := h.runOffline("version")
	if text.code != ExitOK || !strings.HasPrefix(text.stdout, "orgbaseline "+version()+"\non "+runtime.GOOS+"_"+runtime.GOARCH) {
		t.Errorf("version: exit %d\n%s%s", text.code, text.stdout, text.stderr)
	}
	if flag := h.runOffline("--version"); flag.stdout != text.stdout {
		t.Errorf("--version prints\n%s\nversion prints\n%s", flag.stdout, text.stdout)
	}
	r := h.runOffline("version", "--format", "json")
	var got buildInfo
	if err := json.Unmarshal([]byte(r.stdout), &got); err != nil {
		t.Fatalf("version --format json: %v\n%s", err, r.stdout)
	}
	if got.FormatVersion != "1" || got.Version != version() || got.GoVersion != runtime.Version() || got.Platform != runtime.GOOS+"/"+runtime.GOARCH {
		t.Errorf("version --format json: %+v", got)
	}
	// A test binary records no dependencies: the modules are checked on
	// a built binary (TestVersionFromLdflags).
	if r := h.runOffline("version", "--format", "yaml"); r.code != ExitError || !strings.Contains(r.stderr, "use text or json") {
		t.Errorf("version --format yaml: exit %d %s", r.code, r.stderr)
	}
}

// A binary built with the Dockerfile's -ldflags -X reports that version,
// in both `version` and `--version`, and its JSON the versions of the
// modules linked in.
func TestVersionFromLdflags(t *testing.T) {
	bin := filepath.Join(t.TempDir(), "orgbaseline")
	build := exec.Command("go", "build", "-o", bin, "-ldflags",
		"-X github.com/orgbaseline/orgbaseline/internal/cli.Version=v1.2.3", "../../cmd/orgbaseline")
	if out, err := build.CombinedOutput(); err != nil {
		t.Fatalf("go build: %v\n%s", err, out)
	}
	for _, args := range [][]string{{"version"}, {"--version"}} {
		out, err := exec.Command(bin, args...).CombinedOutput()
		if err != nil || !strings.HasPrefix(string(out), "orgbaseline v1.2.3\n") {
			t.Errorf("%v: %v\n%s", args, err, out)
		}
	}
	out, err := exec.Command(bin, "version", "--format", "json").Output()
	var got buildInfo
	if err != nil || json.Unmarshal(out, &got) != nil || got.Version != "v1.2.3" {
		t.Fatalf("version --format json: %v\n%s", err, out)
	}
	for _, m := range versionModules {
		if !strings.HasPrefix(got.Modules[m], "v") {
			t.Errorf("no version of %s in %v", m, got.Modules)
		}
	}
}
