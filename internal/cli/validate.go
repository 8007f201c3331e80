package cli

import (
	"context"
	"fmt"
	"strings"

	"github.com/spf13/cobra"

	"github.com/orgbaseline/orgbaseline/baseline"
	"github.com/orgbaseline/orgbaseline/baseline/controls"
	"github.com/orgbaseline/orgbaseline/profiles"
)

func (a *app) validateCommand(g *globalFlags) *cobra.Command {
	var file string
	var list, noPlugins bool
	cmd := &cobra.Command{
		Use:   "validate [-f baseline.yaml] [--no-plugins]",
		Short: "Check a baseline offline: load it, merge its profiles, validate every setting and each plugin's config",
		Long: `validate checks a baseline without calling AWS: it loads the file and
what it extends, validates every setting, and launches the pinned check
plugins (local binaries, verified by checksum, given no credentials) to
check each plugin's config against the JSON Schema the plugin describes.
A plugin that cannot be launched is an error; --no-plugins skips them.`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if list {
				for _, n := range profiles.Names() {
					fmt.Fprintf(a.stdout, "%-28s %s\n", n, profiles.Describe(n))
				}
				return nil
			}
			b, err := loadBaseline(file)
			if err != nil {
				return err
			}
			ctrls, err := controls.FromBaseline(b)
			if err != nil {
				return fmt.Errorf("%s is not valid:\n%w", file, err)
			}
			pluginLine, err := a.validatePlugins(cmd.Context(), g, file, b, noPlugins)
			if err != nil {
				return err
			}
			var names []string
			for _, c := range ctrls {
				names = append(names, c.Name())
			}
			if len(names) == 0 {
				names = []string{"none"}
			}
			var incl []string
			for _, s := range b.Targets.Include {
				incl = append(incl, s.String())
			}
			if len(incl) == 0 {
				incl = []string{"root"}
			}
			fmt.Fprintf(a.stdout, "%s is valid.\n  sources:  %s\n  controls: %s\n  targets:  %s", file, strings.Join(b.Sources, ", "), strings.Join(names, ", "), strings.Join(incl, ", "))
			if len(b.Targets.Exclude) > 0 {
				var ex []string
				for _, s := range b.Targets.Exclude {
					ex = append(ex, s.String())
				}
				fmt.Fprintf(a.stdout, " (excluding %s)", strings.Join(ex, ", "))
			}
			fmt.Fprintf(a.stdout, "\n  regions:  %s (home %s)\n", strings.Join(b.Organization.Regions, ", "), b.Organization.HomeRegion)
			if pluginLine != "" {
				fmt.Fprintf(a.stdout, "  plugins:  %s\n", pluginLine)
			}
			return nil
		},
	}
	cmd.Flags().StringVarP(&file, "file", "f", "baseline.yaml", "the baseline `FILE`")
	cmd.Flags().BoolVar(&list, "list-profiles", false, "list the embedded profiles a baseline can extend")
	cmd.Flags().BoolVar(&noPlugins, "no-plugins", false, "do not launch the check plugins, so their configs are not checked against their schemas")
	return cmd
}

// validatePlugins launches the baseline's enabled plugins and checks their
// configs; it returns the summary line ("" when there are none).
func (a *app) validatePlugins(ctx context.Context, g *globalFlags, file string, b *baseline.Baseline, skip bool) (string, error) {
	var names []string
	for i := range b.Plugins {
		if b.Plugins[i].IsEnabled() {
			names = append(names, b.Plugins[i].Name)
		}
	}
	if len(names) == 0 {
		return "", nil
	}
	if skip {
		return strings.Join(names, ", ") + " (not launched: --no-plugins; configs not checked)", nil
	}
	host, err := a.launchPlugins(ctx, g, file, b)
	if err != nil {
		return "", fmt.Errorf("%s: the plugins could not be launched to check their configs:\n%w\n(validate --no-plugins skips them)", file, err)
	}
	defer host.Close()
	if err := checkPluginConfigs(file, b, host); err != nil {
		return "", err
	}
	return strings.Join(names, ", ") + " (configs match their schemas)", nil
}
