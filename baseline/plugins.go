package baseline

import (
	"fmt"
	"regexp"
	"strings"
	"time"
)

// Plugin is a check plugin declared under the top-level plugins: list.
//
//	plugins:
//	  - name: root-account
//	    path: plugins/root-account          # relative to the baseline file
//	    sha256: 3b1f...                     # required: the binary is refused unless it matches
//	    actions: [iam:GenerateCredentialReport, iam:GetAccountSummary, iam:GetCredentialReport]
//	                                        # required to run: every IAM action it may declare
//	    allowWriteActions: false            # true lets actions: hold more than reads (warned about)
//	    config: {rootUseWindowDays: 30}     # the check's own settings (its JSON Schema)
//	    timeout: 60s                        # per account; default 60s
//	    severity: high                      # overrides every finding's severity
//	    concurrency: 4                      # accounts at once in the one plugin process
type Plugin struct {
	Enabled *bool  `yaml:"enabled"`
	Name    string `yaml:"name"`
	Path    string `yaml:"path"`
	SHA256  string `yaml:"sha256"`
	// Actions are the IAM actions approved for the plugin, pinned beside
	// its checksum: a plugin that declares any other is refused before it
	// runs. nil (no actions: key) approves nothing and the plugin is
	// refused with the list it declares, ready to paste; an empty list
	// approves a plugin that needs no AWS access.
	Actions []string `yaml:"actions"`
	// AllowWriteActions lets Actions hold actions that are not reads (IAM
	// access levels List and Read, IsReadAction); plan and check warn
	// about every plugin that says so.
	AllowWriteActions bool           `yaml:"allowWriteActions"`
	Config            map[string]any `yaml:"config"`
	Timeout           Duration       `yaml:"timeout"`
	Severity          string         `yaml:"severity"`
	Concurrency       int            `yaml:"concurrency"`
	// ConfigPos is where config: was written (the entry's position when
	// it has none), for errors about the config against the plugin's
	// JSON Schema, which only the launched plugin knows.
	ConfigPos Position `yaml:"-"`
}

// Plugin defaults and limits. A plugin's AWS session lasts 15 minutes
// (AssumeRole's shortest), so its run in one account must end well within
// that: MaxPluginTimeout leaves the credentials it is handed valid for the
// whole call.
const (
	DefaultPluginTimeout     = 60 * time.Second
	MaxPluginTimeout         = 10 * time.Minute
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
			v.errorf(path+".name", "%s.name %s: use 1-63 lowercase letters, digits and dashes, starting with a letter or digit", path, quote(p.Name))
		default:
			if j, dup := seen[p.Name]; dup {
				v.errorf(path+".name", "plugin name %s is used twice (plugins[%d] and %s); rename one", quote(p.Name), j, path)
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
			v.errorf(path+".sha256", "%s.sha256 %s is not a sha256 checksum: write the 64 lowercase hex characters `sha256sum` prints", path, quote(p.SHA256))
		}
		validatePluginActions(p, path, v)
		if v.has(path+".timeout") && (p.Timeout.Duration < time.Second || p.Timeout.Duration > MaxPluginTimeout) {
			v.errorf(path+".timeout", "%s.timeout %s is out of range; set it between 1s and 10m (default 60s): a plugin's AWS session lasts 15 minutes, so its run in one account must end within 10", path, p.Timeout)
		}
		if p.Severity != "" {
			if _, ok := ParseSeverity(p.Severity); !ok {
				v.errorf(path+".severity", "%s.severity %s: use info, low, medium, high or critical", path, quote(string(p.Severity)))
			}
		}
		if v.has(path+".concurrency") && (p.Concurrency < 1 || p.Concurrency > 64) {
			v.errorf(path+".concurrency", "%s.concurrency %d is out of range; set it between 1 and 64 (default 4)", path, p.Concurrency)
		}
	}
}

// WriteActions returns the approved actions that are not reads: the ones
// allowWriteActions lets through, for plan's and check's warning.
func (p *Plugin) WriteActions() []string { return WriteActions(p.Actions) }

// validatePluginActions checks a plugin's actions: list on its own: each
// one IAM action written exactly, none twice, and only reads unless the
// entry allows write actions. Whether the plugin declares the same ones is
// known once it is launched (pluginhost).
func validatePluginActions(p *Plugin, path string, v *validation) {
	seen := map[string]int{}
	for j, a := range p.Actions {
		ap := fmt.Sprintf("%s.actions[%d]", path, j)
		if v.bad(ap) {
			continue
		}
		if !ValidIAMAction(a) {
			v.errorf(ap, "%s %s is not one IAM action: write service:Action exactly as the plugin declares it, e.g. iam:ListUsers (actions are approved one by one; no wildcards)", ap, quote(a))
			continue
		}
		key := strings.ToLower(a)
		if k, dup := seen[key]; dup {
			v.errorf(ap, "%s %s is listed twice (also %s.actions[%d]); remove one", ap, a, path, k)
			continue
		}
		seen[key] = j
		if !IsReadAction(a) && !p.AllowWriteActions {
			v.errorf(ap, "%s %s is not a read action (IAM access levels List and Read; an action counts as a read only when its name starts with List, Get or Describe or orgbaseline knows it reads): `check` changes nothing, so remove it, or, if this plugin must change your accounts, say allowWriteActions: true in its entry (plan and check then warn about it)", ap, a)
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
