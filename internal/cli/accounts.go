package cli

import (
	"encoding/json"
	"fmt"
	"io"
	"slices"
	"sort"
	"strings"

	"github.com/spf13/cobra"

	"github.com/orgbaseline/orgbaseline/internal/report"
)

// accountsFormats are the formats accounts writes.
var accountsFormats = []string{"text", "json"}

func (a *app) accountsCommand(g *globalFlags) *cobra.Command {
	var file, format, output string
	cmd := &cobra.Command{
		Use:   "accounts [-f baseline.yaml] [--format text|json] [--output FILE]",
		Short: "Show the organization's accounts and which ones the baseline targets",
		Long: `accounts lists every account of the organization by OU path, then name,
then id (as plan and check do), marking the ones the baseline targets and
why the others are not. --format chooses text or json, as for plan and
check; --output writes the list to a file, in the format its extension
names (.json, .txt) when --format is not given.`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			chosen, err := accountsFormat(format, output)
			if err != nil {
				return err
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
			aliasOf := map[string][]string{}
			for al, acct := range env.aliases {
				aliasOf[acct.ID] = append(aliasOf[acct.ID], al)
			}
			var rows []accountsRow
			for _, acct := range env.org.Accounts {
				r := accountsRow{ID: acct.ID, Name: acct.Name, State: acct.State, OUPath: acct.OUPath, Tags: acct.Tags,
					Targeted: targeted[acct.ID], Skipped: skipped[acct.ID], Controls: []string{}}
				if r.Targeted {
					r.Controls = controlsNames
				}
				r.Aliases = aliasOf[acct.ID]
				sort.Strings(r.Aliases)
				rows = append(rows, r)
			}
			write := func(w io.Writer) error {
				if chosen == "json" {
					enc := json.NewEncoder(w)
					enc.SetIndent("", "  ")
					return enc.Encode(map[string]any{"organization": env.org.ID, "managementAccount": env.org.ManagementAccountID, "accounts": rows})
				}
				return accountsText(w, env.org.ID, env.org.ManagementAccountID, len(env.sel.Targets), rows)
			}
			if output == "" || output == "-" {
				return write(a.stdout)
			}
			if err := writeAtomic(output, write); err != nil {
				return fmt.Errorf("write the accounts to %s: %w", output, err)
			}
			return nil
		},
	}
	cmd.Flags().StringVarP(&file, "file", "f", "baseline.yaml", "the baseline `FILE`")
	cmd.Flags().StringVar(&format, "format", "", "output `FORMAT`: text or json (default text, or the --output file's extension)")
	cmd.Flags().StringVar(&output, "output", "", "write the list to `FILE` (- is standard output); without --format, the extension sets the format: "+extensionList(accountsFormats))
	return cmd
}

// accountsFormat is the format accounts writes in: --format's, else the
// --output file's extension's, else text. --output text|json was the
// format before --output became the file, as for check; it is refused
// with the new spelling rather than written to a file named json.
func accountsFormat(format, output string) (string, error) {
	if slices.Contains(accountsFormats, output) {
		return "", fmt.Errorf("--output %s: --output is the file to write; the format is --format %s (orgbaseline accounts --format %s), as for plan and check; for a file named %s, write ./%s", output, output, output, output, output)
	}
	if format == "" {
		return formatOfOutput(output, accountsFormats)
	}
	if !slices.Contains(accountsFormats, format) {
		return "", fmt.Errorf("--format %q: use text or json", shorten(format, 32))
	}
	return format, nil
}

// accountsRow is one account in the list.
type accountsRow struct {
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

// accountsText writes the list for people, grouped by OU path.
func accountsText(w io.Writer, orgID, management string, targeted int, rows []accountsRow) error {
	var b strings.Builder
	fmt.Fprintf(&b, "Organization %s (management account %s): %d accounts, %d targeted\n", orgID, management, len(rows), targeted)
	last := ""
	for _, r := range rows {
		if r.OUPath != last {
			fmt.Fprintf(&b, "%s\n", report.Clean(r.OUPath))
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
		fmt.Fprintf(&b, "  %s%-12s %-24s %-10s %s\n", mark, r.ID, report.Clean(r.Name), r.State, report.Clean(note))
	}
	_, err := io.WriteString(w, b.String())
	return err
}
