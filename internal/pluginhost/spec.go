package pluginhost

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"slices"
	"strings"
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

// verifyChecksum compares the binary with the pinned sha256. Every refusal
// prints the binary's actual checksum, so the fix can be pasted once the
// binary is known to be the right one.
func verifyChecksum(s Spec) (sum []byte, err error) {
	actual, err := fileSHA256(s.Path)
	if err != nil {
		return nil, fmt.Errorf("plugin %s: cannot read %s to verify its checksum: %w; fix its path", s.Name, s.Path, err)
	}
	got := hex.EncodeToString(actual)
	pinned := strings.ToLower(strings.TrimSpace(s.SHA256))
	switch {
	case pinned == "":
		return nil, fmt.Errorf("plugin %s (%s) is not pinned: orgbaseline refuses to launch a plugin without a checksum; "+
			"once you trust this binary, add `sha256: %s` to its plugins: entry", s.Name, s.Path, got)
	case len(pinned) != sha256.Size*2 || !isHex(pinned):
		return nil, fmt.Errorf("plugin %s: sha256 %q is not a sha256 checksum (64 hex characters); the binary at %s has sha256 %s",
			s.Name, s.SHA256, s.Path, got)
	case pinned != got:
		return nil, fmt.Errorf("plugin %s: %s does not match its pinned checksum and was not launched: pinned sha256 %s, actual sha256 %s; "+
			"if you rebuilt or upgraded the plugin on purpose, pin the new checksum (sha256: %s), otherwise find out who changed the binary",
			s.Name, s.Path, pinned, got, got)
	}
	return actual, nil
}

func fileSHA256(path string) ([]byte, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer func() { _ = f.Close() }()
	if st, err := f.Stat(); err != nil {
		return nil, err
	} else if !st.Mode().IsRegular() {
		return nil, fmt.Errorf("%s is not a regular file", path)
	}
	h := sha256.New()
	if _, err := io.Copy(h, f); err != nil {
		return nil, err
	}
	return h.Sum(nil), nil
}

func isHex(s string) bool {
	_, err := hex.DecodeString(s)
	return err == nil
}
