// Package orgbaseline holds the example baseline (baseline.yaml at the
// repository root) so that `orgbaseline demo` runs it without files on disk.
// The tool itself lives in cmd/orgbaseline and the packages below.
//
// It imports nothing but embed.
package orgbaseline
