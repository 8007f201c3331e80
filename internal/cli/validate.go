package cli

import (
	"fmt"
	"strings"

	"github.com/spf13/cobra"

	"github.com/orgbaseline/orgbaseline/baseline/controls"
	"github.com/orgbaseline/orgbaseline/profiles"
)

func (a *app) validateCommand(g *globalFlags) *cobra.Command {
	var file string
	var list bool
	cmd := &cobra.Command{
		Use:   "validate [-f baseline.yaml]",
		Short: "Check a baseline offline: load it, merge its profiles, validate every setting",
		Args:  cobra.NoArgs,
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
			return nil
		},
	}
	cmd.Flags().StringVarP(&file, "file", "f", "baseline.yaml", "the baseline `FILE`")
	cmd.Flags().BoolVar(&list, "list-profiles", false, "list the embedded profiles a baseline can extend")
	return cmd
}
