package pluginhost

import (
	"bytes"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"path/filepath"
	"slices"
	"time"

	"github.com/orgbaseline/orgbaseline/baseline"
)

// Spec is one plugin to launch.
type Spec struct {
	Name   string // the baseline's name for it, e.g. "root-account"
	Path   string // the binary; relative paths are relative to the working directory
	SHA256 string // pinned checksum, 64 hex characters; required
	// Actions are the IAM actions the baseline approves for the plugin:
	// it is refused unless every action it declares is one of them. nil
	// (the entry has no actions: list) approves none, and the refusal
	// shows the declared ones as a line to paste.
	Actions []string
	// AllowWriteActions lets the plugin declare actions that are not
	// reads (baseline.IsReadAction); without it such a plugin is refused.
	AllowWriteActions bool
	// Config is the plugin's config as a JSON object; nil means "{}".
	Config []byte
	// Timeout bounds each call (Describe, and Run in one account); 0 means
	// baseline.DefaultPluginTimeout.
	Timeout time.Duration
	// Severity, when set, overrides the severity of every finding of the
	// plugin ("" keeps the plugin's own).
	Severity string
	// Concurrency is how many accounts the one plugin process works on at
	// once; 0 means baseline.DefaultPluginConcurrency.
	Concurrency int
}

// SpecsFromBaseline turns the baseline's plugins: entries into Specs:
// disabled entries are skipped, paths are resolved against the baseline's
// directory and config is marshalled to JSON.
func SpecsFromBaseline(b *baseline.Baseline) ([]Spec, error) {
	var specs []Spec
	var errs []error
	for i := range b.Plugins {
		p := &b.Plugins[i]
		if !p.IsEnabled() {
			continue
		}
		path := p.Path
		if path != "" && !filepath.IsAbs(path) && b.Dir != "" {
			path = filepath.Join(b.Dir, path)
		}
		cfg := p.Config
		if cfg == nil {
			cfg = map[string]any{}
		}
		js, err := json.Marshal(cfg)
		if err != nil {
			errs = append(errs, fmt.Errorf("plugins[%d] (%s): config cannot be sent to the plugin as JSON: %v; use string keys and plain values", i, p.Name, err))
			continue
		}
		specs = append(specs, Spec{
			Name:              p.Name,
			Path:              path,
			SHA256:            p.SHA256,
			Actions:           slices.Clone(p.Actions),
			AllowWriteActions: p.AllowWriteActions,
			Config:            js,
			Timeout:           p.Timeout.Duration,
			Severity:          p.Severity,
			Concurrency:       p.Concurrency,
		})
	}
	if len(errs) > 0 {
		return nil, errors.Join(errs...)
	}
	return specs, nil
}

// withDefaults fills what a Spec left out.
func (s Spec) withDefaults() Spec {
	if s.Timeout == 0 {
		s.Timeout = baseline.DefaultPluginTimeout
	}
	if s.Concurrency == 0 {
		s.Concurrency = baseline.DefaultPluginConcurrency
	}
	if len(bytes.TrimSpace(s.Config)) == 0 {
		s.Config = []byte("{}")
	}
	return s
}

// validate checks a defaulted Spec's own fields (not the binary).
func (s Spec) validate() []error {
	var errs []error
	bad := func(format string, args ...any) {
		errs = append(errs, fmt.Errorf("plugin %s: "+format, append([]any{s.Name}, args...)...))
	}
	if s.Path == "" {
		bad("no path; give the plugin binary's path")
	}
	if s.Timeout < 0 {
		bad("timeout %s is negative; give a positive duration such as 60s", s.Timeout)
	}
	if s.Concurrency < 0 {
		bad("concurrency %d is negative; give at least 1", s.Concurrency)
	}
	if s.Severity != "" {
		if _, ok := baseline.ParseSeverity(s.Severity); !ok {
			bad("severity %q: use info, low, medium, high or critical", s.Severity)
		}
	}
	var obj map[string]json.RawMessage
	if err := json.Unmarshal(s.Config, &obj); err != nil || obj == nil {
		bad("config is not a JSON object (%s); give the plugin's settings as a map", string(s.Config))
	}
	return errs
}

func isHex(s string) bool {
	_, err := hex.DecodeString(s)
	return err == nil
}
