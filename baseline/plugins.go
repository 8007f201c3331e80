package baseline

import (
	"fmt"
	"regexp"
	"time"
)

// Plugin is a check plugin declared under the top-level plugins: list.
//
//	plugins:
//	  - name: root-account
//	    path: plugins/root-account          # relative to the baseline file
//	    sha256: 3b1f...                     # required: the binary is refused unless it matches
//	    config: {rootUseWindowDays: 30}     # the check's own settings (its JSON Schema)
//	    timeout: 60s                        # per account; default 60s
//	    severity: high                      # overrides every finding's severity
//	    concurrency: 4                      # accounts at once in the one plugin process
type Plugin struct {
	Enabled     *bool          `yaml:"enabled"`
	Name        string         `yaml:"name"`
	Path        string         `yaml:"path"`
	SHA256      string         `yaml:"sha256"`
	Config      map[string]any `yaml:"config"`
	Timeout     Duration       `yaml:"timeout"`
	Severity    string         `yaml:"severity"`
	Concurrency int            `yaml:"concurrency"`
}

// Plugin defaults and limits.
const (
	DefaultPluginTimeout     = 60 * time.Second
	DefaultPluginConcurrency = 4
)

// IsEnabled reports whether the plugin is not switched off.
func (p *Plugin) IsEnabled() bool { return p.Enabled == nil || *p.Enabled }

var (
	pluginNameRe = regexp.MustCompile(`^[a-z0-9][a-z0-9-]{0,62}$`)
	sha256Re     = regexp.MustCompile(`^[0-9a-f]{64}$`)
)

func validatePlugins(ps []Plugin, v *validation) {
	seen := map[string]int{}
	for i := range ps {
		p := &ps[i]
		path := fmt.Sprintf("plugins[%d]", i)
		switch {
		case p.Name == "":
			v.errorf(path, "%s has no name; give it one (lowercase letters, digits and dashes), e.g. name: root-account", path)
		case !pluginNameRe.MatchString(p.Name):
			v.errorf(path+".name", "%s.name %q: use 1-63 lowercase letters, digits and dashes, starting with a letter or digit", path, p.Name)
		default:
			if j, dup := seen[p.Name]; dup {
				v.errorf(path+".name", "plugin name %q is used twice (plugins[%d] and %s); rename one", p.Name, j, path)
			}
			seen[p.Name] = i
		}
		if p.Path == "" && !v.bad(path+".path") {
			v.errorf(path, "%s (%s) has no path; give the plugin binary's path, relative to the baseline file", path, p.Name)
		}
		switch {
		case p.SHA256 == "" && !v.bad(path+".sha256"):
			v.errorf(path, "%s (%s) is not pinned: add sha256: with the binary's checksum (run `sha256sum %s`); orgbaseline refuses to launch an unpinned plugin", path, p.Name, p.Path)
		case p.SHA256 != "" && !sha256Re.MatchString(p.SHA256):
			v.errorf(path+".sha256", "%s.sha256 %q is not a sha256 checksum: write the 64 lowercase hex characters `sha256sum` prints", path, p.SHA256)
		}
		if v.has(path+".timeout") && (p.Timeout.Duration < time.Second || p.Timeout.Duration > time.Hour) {
			v.errorf(path+".timeout", "%s.timeout %s is out of range; set it between 1s and 1h (default 60s)", path, p.Timeout)
		}
		if p.Severity != "" {
			if _, ok := ParseSeverity(p.Severity); !ok {
				v.errorf(path+".severity", "%s.severity %q: use info, low, medium, high or critical", path, p.Severity)
			}
		}
		if v.has(path+".concurrency") && (p.Concurrency < 1 || p.Concurrency > 64) {
			v.errorf(path+".concurrency", "%s.concurrency %d is out of range; set it between 1 and 64 (default 4)", path, p.Concurrency)
		}
	}
}

// applyPluginDefaults fills what a plugin entry left out.
func applyPluginDefaults(ps []Plugin) {
	for i := range ps {
		if ps[i].Timeout.Duration == 0 {
			ps[i].Timeout = Duration{DefaultPluginTimeout}
		}
		if ps[i].Concurrency == 0 {
			ps[i].Concurrency = DefaultPluginConcurrency
		}
		if ps[i].Config == nil {
			ps[i].Config = map[string]any{}
		}
	}
}
