package cli

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"github.com/orgbaseline/orgbaseline/baseline"
	"github.com/orgbaseline/orgbaseline/internal/pluginhost"
	"github.com/orgbaseline/orgbaseline/plugins"
)

func (a *app) pluginsCommand(g *globalFlags) *cobra.Command {
	var file string
	cmd := &cobra.Command{
		Use:   "plugins",
		Short: "The check plugins a baseline declares: list them, or describe one",
	}
	cmd.PersistentFlags().StringVarP(&file, "file", "f", "baseline.yaml", "the baseline `FILE`")
	list := &cobra.Command{
		Use:   "list",
		Short: "Verify, launch and list every plugin the baseline declares, and check each config against the plugin's schema",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			host, b, err := a.openPlugins(cmd.Context(), g, file)
			if err != nil || host == nil {
				return err
			}
			defer host.Close()
			if err := checkPluginConfigs(file, b, host); err != nil {
				return err
			}
			for _, p := range host.Plugins() {
				d := p.Description
				fmt.Fprintf(a.stdout, "%-18s %-18s %-8s %-8s %s\n", p.Name, d.ID, d.Version, d.DefaultSeverity, d.Title)
			}
			return nil
		},
	}
	describe := &cobra.Command{
		Use:   "describe NAME",
		Short: "Show what a plugin checks, the IAM actions it is limited to and its config schema",
		Args:  cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			host, _, err := a.openPlugins(cmd.Context(), g, file)
			if err != nil || host == nil {
				return err
			}
			defer host.Close()
			var names []string
			for _, p := range host.Plugins() {
				names = append(names, p.Name)
				if p.Name != args[0] {
					continue
				}
				d := p.Description
				fmt.Fprintf(a.stdout, "%s (%s %s)\n  %s\n\n%s\n\n", p.Name, d.ID, d.Version, d.Title, wrap(d.Description, 78))
				fmt.Fprintf(a.stdout, "default severity: %s\ncompliance:       %s\n", d.DefaultSeverity, strings.Join(d.Compliance, ", "))
				fmt.Fprintf(a.stdout, "IAM actions (its credentials allow exactly these):\n  %s\n", strings.Join(d.Actions, "\n  "))
				if d.ConfigSchema != "" {
					fmt.Fprintf(a.stdout, "config schema:\n%s\n", d.ConfigSchema)
				}
				return nil
			}
			return fmt.Errorf("%s declares no plugin %q; it declares: %s", file, args[0], strings.Join(names, ", "))
		},
	}
	cmd.AddCommand(list, describe)
	return cmd
}

// pluginUserEnv names the user plugins run as when orgbaseline runs as
// root (pluginhost.Options.User; default nobody).
const pluginUserEnv = "ORGBASELINE_PLUGIN_USER"

// openPlugins loads the baseline and launches its plugins (checksums
// first); it returns a nil host and prints a note when there are none.
func (a *app) openPlugins(ctx context.Context, g *globalFlags, file string) (*pluginhost.Host, *baseline.Baseline, error) {
	b, err := loadBaseline(file)
	if err != nil {
		return nil, nil, err
	}
	if len(b.Plugins) == 0 {
		fmt.Fprintf(a.stdout, "%s declares no plugins.\n", file)
		return nil, b, nil
	}
	host, err := a.launchPlugins(ctx, g, file, b)
	return host, b, err
}

// launchPlugins verifies and launches the plugins of a loaded baseline to
// read their descriptions, with no credentials: nothing calls AWS.
func (a *app) launchPlugins(ctx context.Context, g *globalFlags, file string, b *baseline.Baseline) (*pluginhost.Host, error) {
	log, err := a.newLogger(g)
	if err != nil {
		return nil, err
	}
	specs, err := pluginhost.SpecsFromBaseline(b)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", file, err)
	}
	return pluginhost.Open(ctx, specs, pluginhost.Options{
		Log:  log,
		Now:  time.Now,
		User: a.getenv(pluginUserEnv),
		Credentials: func(context.Context, pluginhost.CredentialRequest) (plugins.Credentials, error) {
			return plugins.Credentials{}, fmt.Errorf("plugins list, describe and validate do not run checks")
		},
	})
}

// wrap folds text at width.
func wrap(text string, width int) string {
	var b strings.Builder
	line := 0
	for _, w := range strings.Fields(text) {
		if line > 0 && line+1+len(w) > width {
			b.WriteByte('\n')
			line = 0
		} else if line > 0 {
			b.WriteByte(' ')
			line++
		}
		b.WriteString(w)
		line += len(w)
	}
	return b.String()
}
