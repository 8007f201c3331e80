package cli

import (
	"encoding/json"
	"fmt"
	"runtime"
	"runtime/debug"
	"strings"

	"github.com/spf13/cobra"
)

// Version is orgbaseline's version when set at build time with
// -ldflags "-X github.com/orgbaseline/orgbaseline/internal/cli.Version=v1.2.3"
// (the Dockerfile's VERSION build argument does so); otherwise it comes
// from what Go recorded in the binary (buildVersion).
var Version = ""

// versionModules are the dependencies `version --format json` reports:
// the AWS SDK and the plugin protocol, the two that decide what the
// binary can talk to.
var versionModules = []string{"github.com/aws/aws-sdk-go-v2", "github.com/hashicorp/go-plugin"}

// versionFormatVersion is the version of `version --format json`'s
// output; it changes when a field changes meaning or goes away.
const versionFormatVersion = "1"

// buildInfo is what `version` prints.
type buildInfo struct {
	FormatVersion string `json:"formatVersion"`
	Version       string `json:"version"`
	// Revision and Modified are the VCS state of a build from a checkout
	// (absent from `go install ...@version` builds and -buildvcs=false).
	Revision  string            `json:"revision,omitempty"`
	Modified  bool              `json:"modified,omitempty"`
	GoVersion string            `json:"goVersion"`
	Platform  string            `json:"platform"` // GOOS/GOARCH
	Modules   map[string]string `json:"modules"`
}

// version is orgbaseline's version string.
func version() string {
	bi, ok := debug.ReadBuildInfo()
	return buildVersion(Version, bi, ok).Version
}

// buildVersion works out the version: the -X override; else the module
// version Go recorded (v1.2.3 for `go install ...@v1.2.3`, a
// pseudo-version for a build in a checkout); else the VCS revision, with
// "-dirty" when the checkout had changes; else "dev".
func buildVersion(override string, bi *debug.BuildInfo, ok bool) buildInfo {
	out := buildInfo{
		FormatVersion: versionFormatVersion, Version: "dev",
		GoVersion: runtime.Version(), Platform: runtime.GOOS + "/" + runtime.GOARCH,
		Modules: map[string]string{},
	}
	if ok && bi != nil {
		if bi.GoVersion != "" {
			out.GoVersion = bi.GoVersion
		}
		for _, s := range bi.Settings {
			switch s.Key {
			case "vcs.revision":
				out.Revision = s.Value
			case "vcs.modified":
				out.Modified = s.Value == "true"
			}
		}
		for _, want := range versionModules {
			for _, d := range bi.Deps {
				if d.Path == want {
					if d.Replace != nil {
						d = d.Replace
					}
					out.Modules[want] = d.Version
				}
			}
		}
		switch v := bi.Main.Version; {
		case v != "" && v != "(devel)":
			out.Version = v
		case out.Revision != "":
			out.Version = "dev-" + shortRevision(out.Revision)
			if out.Modified {
				out.Version += "-dirty"
			}
		}
	}
	if override != "" {
		out.Version = override
	}
	return out
}

func shortRevision(r string) string {
	if len(r) > 12 {
		return r[:12]
	}
	return r
}

// text is the human form, as terraform version prints it.
func (b buildInfo) text() string {
	var s strings.Builder
	fmt.Fprintf(&s, "orgbaseline %s\non %s, built with %s\n", b.Version, strings.ReplaceAll(b.Platform, "/", "_"), b.GoVersion)
	if b.Revision != "" && !strings.Contains(b.Version, shortRevision(b.Revision)) {
		mod := ""
		if b.Modified {
			mod = " (with uncommitted changes)"
		}
		fmt.Fprintf(&s, "from revision %s%s\n", b.Revision, mod)
	}
	return s.String()
}

func (a *app) versionCommand() *cobra.Command {
	var format string
	cmd := &cobra.Command{
		Use:   "version [--format text|json]",
		Short: "Print orgbaseline's version, and with --format json the Go, platform and key module versions",
		Args:  cobra.NoArgs,
		RunE: func(*cobra.Command, []string) error {
			bi, ok := debug.ReadBuildInfo()
			info := buildVersion(Version, bi, ok)
			switch format {
			case "text":
				_, err := fmt.Fprint(a.stdout, info.text())
				return err
			case "json":
				enc := json.NewEncoder(a.stdout)
				enc.SetIndent("", "  ")
				return enc.Encode(info)
			}
			return fmt.Errorf("--format %q: use text or json", format)
		},
	}
	cmd.Flags().StringVar(&format, "format", "text", "output format: text or json")
	return cmd
}

// versionTemplate makes `orgbaseline --version` print what `version` does,
// as terraform -version does.
func versionTemplate() string {
	bi, ok := debug.ReadBuildInfo()
	return buildVersion(Version, bi, ok).text()
}
