// Package report renders plans and findings for people (text, colour only
// on a terminal) and for machines (versioned JSON). Every rendering is
// derived from the same plain data (baseline.Plan, baseline.Finding), so
// the human and machine views cannot drift apart. Text renderers pass
// every value that came from a plugin or from AWS through Clean, which
// escapes what a terminal would act on. A report's TextFilter (check
// --min-severity, --status) narrows what the text rendering lists; it is
// never serialised, and every other format stays complete.
//
// report may import baseline. It must not import the AWS SDK, internal/cli,
// internal/engine or internal/orgsim.
package report
