package report

import (
	"encoding/json"
	"fmt"
	"io"
	"strings"
)

// renderers are the check report formats, by name.
var renderers = map[string]func(w io.Writer, r *Report, colour bool) error{
	"text":     FindingsText,
	"json":     plain(FindingsJSON),
	"sarif":    plain(SARIF),
	"junit":    plain(JUnit),
	"markdown": plain(Markdown),
	"html":     plain(HTML),
}

func plain(fn func(io.Writer, *Report) error) func(io.Writer, *Report, bool) error {
	return func(w io.Writer, r *Report, _ bool) error { return fn(w, r) }
}

// formatNames is the order formats are listed in help and errors.
var formatNames = []string{"text", "json", "sarif", "junit", "markdown", "html"}

// Formats lists the check report formats.
func Formats() []string { return append([]string(nil), formatNames...) }

// Render writes the report in the named format; colour applies to text on
// a terminal only.
func Render(w io.Writer, r *Report, format string, colour bool) error {
	fn, ok := renderers[format]
	if !ok {
		return fmt.Errorf("unknown report format %q: use %s", format, strings.Join(formatNames, ", "))
	}
	return fn(w, r, colour)
}

// ReadReport reads a report written by FindingsJSON (`check --format
// json`), refusing another format version.
func ReadReport(rd io.Reader, name string) (*Report, error) {
	var r Report
	if err := json.NewDecoder(rd).Decode(&r); err != nil {
		return nil, fmt.Errorf("%s is not a report written by `orgbaseline check --format json`: %w", name, err)
	}
	if r.FormatVersion != ReportFormatVersion {
		return nil, fmt.Errorf("%s has report format version %q; this orgbaseline reads version %q", name, r.FormatVersion, ReportFormatVersion)
	}
	return &r, nil
}
