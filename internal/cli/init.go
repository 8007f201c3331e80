package cli

import (
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"

	"github.com/spf13/cobra"

	"github.com/orgbaseline/orgbaseline"
	"github.com/orgbaseline/orgbaseline/baseline"
)

// Names of the files init writes.
const (
	baselineFileName = "baseline.yaml"
	schemaFileName   = "baseline.schema.json"
)

func (a *app) initCommand() *cobra.Command {
	return &cobra.Command{
		Use:   "init [DIR]",
		Short: "Write a commented starter baseline.yaml (and its JSON Schema) in DIR, default the current directory",
		Long: `init writes a starter baseline.yaml: every control is in it with a comment
saying what it does and what it changes, and only the IAM password policy is
switched on. It also writes baseline.schema.json beside it, for editors,
unless one is there already.

Like terraform init, it never overwrites: an existing baseline.yaml is an
error (move it away first, or run init in another directory).`,
		Args: cobra.MaximumNArgs(1),
		RunE: func(_ *cobra.Command, args []string) error {
			dir := "."
			if len(args) == 1 {
				dir = args[0]
			}
			return a.initBaseline(dir)
		},
	}
}

// initBaseline writes the starter baseline and, when absent, the schema
// into dir (made if missing). An existing baseline.yaml is left alone.
func (a *app) initBaseline(dir string) error {
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return fmt.Errorf("init: make the directory %s: %w", dir, err)
	}
	path := filepath.Join(dir, baselineFileName)
	// O_EXCL: never overwrite, even a file made since a check would have run.
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o644)
	if errors.Is(err, fs.ErrExist) {
		return fmt.Errorf("init: %s already exists, and init never overwrites it.\nMove it away first (mv %s %s.old), or run init in another directory.", path, path, path)
	}
	if err != nil {
		return fmt.Errorf("init: write %s: %w", path, err)
	}
	_, werr := f.Write(orgbaseline.StarterBaseline)
	if cerr := f.Close(); werr == nil {
		werr = cerr
	}
	if werr != nil {
		os.Remove(path)
		return fmt.Errorf("init: write %s: %w", path, werr)
	}
	fmt.Fprintf(a.stdout, "Wrote %s: a starter baseline with every control, only the IAM password policy on.\n", path)

	schemaPath := filepath.Join(dir, schemaFileName)
	switch _, err := os.Stat(schemaPath); {
	case err == nil:
		fmt.Fprintf(a.stdout, "Kept %s, which is there already (orgbaseline schema --output %s writes this version's).\n", schemaPath, schemaPath)
	case errors.Is(err, fs.ErrNotExist):
		data, err := baseline.Schema()
		if err != nil {
			return err
		}
		if err := writeAtomic(schemaPath, func(w io.Writer) error { _, err := w.Write(data); return err }); err != nil {
			return fmt.Errorf("init: write %s: %w", schemaPath, err)
		}
		fmt.Fprintf(a.stdout, "Wrote %s, for completion and checks in editors that run yaml-language-server.\n", schemaPath)
	default:
		return fmt.Errorf("init: %s: %w", schemaPath, err)
	}

	fmt.Fprintf(a.stdout, "\nRead it, then:\n")
	if filepath.Clean(dir) != "." {
		fmt.Fprintf(a.stdout, "  cd %s\n", dir)
	}
	fmt.Fprintf(a.stdout, "  orgbaseline validate    # check it, offline\n  orgbaseline plan        # see what apply would change, changing nothing\n")
	return nil
}

// missingBaseline is the error for a baseline file that does not exist,
// pointing at init; nil when path exists (or cannot be told).
func missingBaseline(path string) error {
	if _, err := os.Stat(path); !errors.Is(err, fs.ErrNotExist) {
		return nil
	}
	switch {
	case filepath.Clean(path) == baselineFileName:
		return fmt.Errorf("no %s here: run `orgbaseline init` to write a starter one, or name another file with -f", baselineFileName)
	case filepath.Base(path) == baselineFileName:
		return fmt.Errorf("no %s: run `orgbaseline init %s` to write a starter one there, or name another file with -f", path, filepath.Dir(path))
	}
	return fmt.Errorf("no file %s: check the path, or run `orgbaseline init` to write a starter %s", path, baselineFileName)
}
