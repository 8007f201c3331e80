package cli

import (
	"fmt"

	"github.com/orgbaseline/orgbaseline/baseline"
	"github.com/orgbaseline/orgbaseline/internal/pluginhost"
)

// checkPluginConfigs checks each launched plugin's config against the JSON
// Schema the plugin describes, before any AWS call: a typo is one error
// at its line of baseline.yaml, not an ERROR finding in every account.
// Every problem of every plugin is reported at once.
func checkPluginConfigs(file string, b *baseline.Baseline, host *pluginhost.Host) error {
	entries := map[string]int{}
	for i := range b.Plugins {
		entries[b.Plugins[i].Name] = i
	}
	specs, err := pluginhost.SpecsFromBaseline(b)
	if err != nil {
		return fmt.Errorf("%s: %w", file, err)
	}
	configs := map[string][]byte{}
	for _, s := range specs {
		configs[s.Name] = s.Config
	}
	var diags baseline.Diagnostics
	for _, p := range host.Plugins() {
		i, ok := entries[p.Name]
		if !ok {
			continue
		}
		e := &b.Plugins[i]
		where := fmt.Sprintf("plugins[%d] (%s).config", i, e.Name)
		problems, err := pluginhost.ValidateConfig(p.Description.ConfigSchema, configs[p.Name])
		if err != nil {
			diags = append(diags, baseline.Diagnostic{Pos: e.ConfigPos, Message: fmt.Sprintf("%s cannot be checked: plugin %s: %v; fix the plugin (its author), or set enabled: false on its entry", where, e.Name, err)})
			continue
		}
		for _, pr := range problems {
			at := pr.Pointer
			if at == "" {
				at = "/"
			}
			msg := fmt.Sprintf("%s at %s: %s", where, at, pr.Message)
			if pr.Fix != "" {
				msg += "; " + pr.Fix
			}
			msg += fmt.Sprintf(" (the schema: orgbaseline plugins describe %s)", e.Name)
			diags = append(diags, baseline.Diagnostic{Pos: e.ConfigPos, Message: msg})
		}
	}
	if len(diags) > 0 {
		return fmt.Errorf("%s: plugin config does not match the plugin's schema:\n%w", file, diags)
	}
	return nil
}
