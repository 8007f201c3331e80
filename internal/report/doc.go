// Package report renders plans and findings for people (text, colour only
// on a terminal) and for machines (versioned JSON). Every rendering is
// derived from the same plain data (baseline.Plan, baseline.Finding), so
// the human and machine views cannot drift apart.
//
// report may import baseline. It must not import the AWS SDK, internal/cli,
// internal/engine or internal/orgsim.
package report
