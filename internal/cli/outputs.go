package cli

import (
	"fmt"
	"io"
	"maps"
	"os"
	"path/filepath"
	"slices"
	"strings"

	"github.com/spf13/cobra"

	"github.com/orgbaseline/orgbaseline/internal/report"
)

// outputFlags are the report renderings one run writes: --format and
// --output, repeatable and taken in pairs (one observation, many
// renderings).
type outputFlags struct {
	formats []string
	outputs []string
}

func (o *outputFlags) register(cmd *cobra.Command) {
	names := strings.Join(report.Formats(), ", ")
	cmd.Flags().StringArrayVar(&o.formats, "format", nil, "report `FORMAT`: "+names+" (repeatable, paired in order with --output; default text, or the --output file's extension)")
	cmd.Flags().StringArrayVar(&o.outputs, "output", nil, "write the report in the matching --format to `FILE` (- is standard output; repeatable); without --format, the extension sets the format: "+extensionList(report.Formats()))
}

// output is one rendering: a format and where it goes ("" or "-" is
// standard output).
type output struct{ format, path string }

// resolve pairs the flags. With no --output, one format goes to standard
// output; otherwise every --format needs its --output. With --output and
// no --format, each file's format is its extension's (standard output's
// is text).
func (o *outputFlags) resolve() ([]output, error) {
	formats := o.formats
	if len(formats) == 0 {
		formats = []string{"text"}
		if len(o.outputs) > 0 {
			formats = nil
			for _, p := range o.outputs {
				f, err := formatOfOutput(p, report.Formats())
				if err != nil {
					return nil, err
				}
				formats = append(formats, f)
			}
		}
	}
	known := map[string]bool{}
	for _, f := range report.Formats() {
		known[f] = true
	}
	for _, f := range formats {
		if !known[f] {
			return nil, fmt.Errorf("--format %q: use %s", f, strings.Join(report.Formats(), ", "))
		}
	}
	if len(o.outputs) == 0 {
		if len(formats) > 1 {
			return nil, fmt.Errorf("%d formats but no --output: give one --output FILE per --format, in the same order (- for standard output)", len(formats))
		}
		return []output{{format: formats[0]}}, nil
	}
	if len(o.outputs) != len(formats) {
		return nil, fmt.Errorf("%d --format and %d --output: give one --output FILE per --format, in the same order (- for standard output)", len(formats), len(o.outputs))
	}
	var outs []output
	stdout, seen := 0, map[string]bool{}
	for i, f := range formats {
		p := o.outputs[i]
		if p == "" || p == "-" {
			stdout++
			p = ""
		} else {
			abs, _ := filepath.Abs(p)
			if seen[abs] {
				return nil, fmt.Errorf("--output %s is given twice", p)
			}
			seen[abs] = true
		}
		outs = append(outs, output{format: f, path: p})
	}
	if stdout > 1 {
		return nil, fmt.Errorf("only one --format can go to standard output")
	}
	return outs, nil
}

// extensionFormats are the formats --output's extension implies when no
// --format is given.
var extensionFormats = map[string]string{
	".json": "json", ".sarif": "sarif", ".xml": "junit", ".md": "markdown", ".html": "html", ".txt": "text",
}

// formatOfOutput is the format of the --output path by its extension,
// among choices: text for standard output, an error naming the
// extensions known when there is none or another.
func formatOfOutput(path string, choices []string) (string, error) {
	if path == "" || path == "-" {
		return "text", nil
	}
	ext := strings.ToLower(filepath.Ext(path))
	if f, ok := extensionFormats[ext]; ok && slices.Contains(choices, f) {
		return f, nil
	}
	what := "has no extension"
	if ext != "" {
		what = "has the extension " + shorten(ext, 16) + ", which names no format"
	}
	return "", fmt.Errorf("--output %s %s: give --format (%s) before it, or name the file by its format: %s",
		shorten(path, 80), what, strings.Join(choices, ", "), extensionList(choices))
}

// extensionList lists the extensions that imply each of formats.
func extensionList(formats []string) string {
	var l []string
	for _, ext := range slices.Sorted(maps.Keys(extensionFormats)) {
		if f := extensionFormats[ext]; slices.Contains(formats, f) {
			l = append(l, ext+" "+f)
		}
	}
	return strings.Join(l, ", ")
}

// writeReports renders the report in every requested format. Files are
// written atomically: a file under its final name is always complete.
func (a *app) writeReports(outs []output, r *report.Report) error {
	for _, o := range outs {
		if o.path == "" {
			if err := report.Render(a.stdout, r, o.format, isTTY(a.stdout)); err != nil {
				return fmt.Errorf("write %s report: %w", o.format, err)
			}
			continue
		}
		if err := writeAtomic(o.path, func(w io.Writer) error { return report.Render(w, r, o.format, false) }); err != nil {
			return fmt.Errorf("write %s report to %s: %w", o.format, o.path, err)
		}
	}
	return nil
}

// writeAtomic writes a file (mode 0644) through a temporary file in the
// same directory, renamed into place once complete.
func writeAtomic(path string, write func(io.Writer) error) error {
	return writeAtomicMode(path, 0o644, write)
}

// writeAtomicMode is writeAtomic with the file's mode.
func writeAtomicMode(path string, mode os.FileMode, write func(io.Writer) error) error {
	tmp, err := os.CreateTemp(filepath.Dir(path), "."+filepath.Base(path)+".*")
	if err != nil {
		return err
	}
	defer os.Remove(tmp.Name())
	if err := write(tmp); err != nil {
		tmp.Close()
		return err
	}
	if err := tmp.Chmod(mode); err != nil {
		tmp.Close()
		return err
	}
	if err := tmp.Close(); err != nil {
		return err
	}
	return os.Rename(tmp.Name(), path)
}
