package cli

import (
	"encoding/json"
	"fmt"
	"sort"
	"strings"

	"github.com/spf13/cobra"

	"github.com/orgbaseline/orgbaseline/internal/report"
)

func (a *app) accountsCommand(g *globalFlags) *cobra.Command {
	var file, output string
	cmd := &cobra.Command{
		Use:   "accounts [-f baseline.yaml] [--output text|json]",
		Short: "Show the organization's accounts and which ones the baseline targets",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if output != "text" && output != "json" {
				return fmt.Errorf("--output %q: use text or json", output)
			}
			env, err := a.prepare(cmd.Context(), g, runOptions{file: file})
			if err != nil {
				return err
			}
			targeted := map[string]bool{}
			for _, t := range env.sel.Targets {
				targeted[t.ID] = true
			}
			skipped := map[string]string{}
			for _, s := range env.sel.Skipped {
				skipped[s.Account.ID] = s.Reason
			}
			controlsNames := []string{}
			for _, c := range env.engine.Controls {
				controlsNames = append(controlsNames, c.Name())
			}
			type row struct {
				ID       string            `json:"id"`
				Name     string            `json:"name"`
				State    string            `json:"state"`
				OUPath   string            `json:"ouPath"`
				Tags     map[string]string `json:"tags,omitempty"`
				Targeted bool              `json:"targeted"`
				Skipped  string            `json:"skipped,omitempty"`
				Controls []string          `json:"controls"`
				Aliases  []string          `json:"aliases,omitempty"`
			}
			aliasOf := map[string][]string{}
			for al, acct := range env.aliases {
				aliasOf[acct.ID] = append(aliasOf[acct.ID], al)
			}
			var rows []row
			for _, acct := range env.org.Accounts {
				r := row{ID: acct.ID, Name: acct.Name, State: acct.State, OUPath: acct.OUPath, Tags: acct.Tags,
					Targeted: targeted[acct.ID], Skipped: skipped[acct.ID], Controls: []string{}}
				if r.Targeted {
					r.Controls = controlsNames
				}
				r.Aliases = aliasOf[acct.ID]
				sort.Strings(r.Aliases)
				rows = append(rows, r)
			}
			if output == "json" {
				enc := json.NewEncoder(a.stdout)
				enc.SetIndent("", "  ")
				return enc.Encode(map[string]any{"organization": env.org.ID, "managementAccount": env.org.ManagementAccountID, "accounts": rows})
			}
			fmt.Fprintf(a.stdout, "Organization %s (management account %s): %d accounts, %d targeted\n", env.org.ID, env.org.ManagementAccountID, len(rows), len(env.sel.Targets))
			last := ""
			for _, r := range rows {
				if r.OUPath != last {
					fmt.Fprintf(a.stdout, "%s\n", report.Clean(r.OUPath))
					last = r.OUPath
				}
				mark := "  "
				note := ""
				switch {
				case r.Targeted:
					mark = "* "
					note = strings.Join(r.Controls, ", ")
				case r.Skipped != "":
					note = "skipped: " + r.Skipped
				default:
					note = "not targeted"
				}
				if len(r.Aliases) > 0 {
					note += " [" + strings.Join(r.Aliases, ", ") + "]"
				}
				fmt.Fprintf(a.stdout, "  %s%-12s %-24s %-10s %s\n", mark, r.ID, report.Clean(r.Name), r.State, report.Clean(note))
			}
			return nil
		},
	}
	cmd.Flags().StringVarP(&file, "file", "f", "baseline.yaml", "the baseline file")
	cmd.Flags().StringVar(&output, "output", "text", "output format: text or json")
	return cmd
}
