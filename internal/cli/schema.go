package cli

import (
	"fmt"
	"io"

	"github.com/spf13/cobra"

	"github.com/orgbaseline/orgbaseline/baseline"
)

func (a *app) schemaCommand(_ *globalFlags) *cobra.Command {
	var output string
	cmd := &cobra.Command{
		Use:   "schema [--output FILE]",
		Short: "Print the JSON Schema of baseline.yaml, for editors and CI",
		Long: `schema prints the JSON Schema (draft 2020-12) of baseline.yaml, generated
from the Go types the loader reads. Editors that run yaml-language-server
(the YAML extension of VS Code, and others) use it for completion, hover
documentation and errors as you type, given a first line such as

  # yaml-language-server: $schema=./baseline.schema.json

The schema checks keys, types, enums, patterns and ranges of single values;
orgbaseline validate remains the authority, with the rules across fields
and across extended files.`,
		Args: cobra.NoArgs,
		RunE: func(*cobra.Command, []string) error {
			return a.writeSchema(output)
		},
	}
	cmd.Flags().StringVar(&output, "output", "", "write the schema to `FILE` instead of standard output (- is standard output)")
	return cmd
}

// writeSchema writes the baseline's JSON Schema to path, or to standard
// output for "" and "-".
func (a *app) writeSchema(path string) error {
	data, err := baseline.Schema()
	if err != nil {
		return err
	}
	if path == "" || path == "-" {
		_, err := a.stdout.Write(data)
		return err
	}
	if err := writeAtomic(path, func(w io.Writer) error { _, err := w.Write(data); return err }); err != nil {
		return fmt.Errorf("write the schema: %w", err)
	}
	return nil
}
