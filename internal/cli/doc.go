// Package cli is orgbaseline's command line: the commands and their flags,
// the wiring of baseline, orgwalk, engine and report, logging setup, output
// selection and exit codes. It is the only package that reads the
// environment, and the only one (with tests) that imports internal/orgsim,
// for `sim serve` and `demo`.
//
// It also keeps apply to one run at a time at organization scope: the
// lease (lease.go) is held in the organization itself, as an SCP, and
// taken around apply's organization-scope phase (applylease.go).
//
// Exit codes: 0 success; 1 error; 2 `plan --detailed-exitcode` found
// changes; 3 `check` found failing findings at or above --fail-on.
//
// Nothing imports cli but cmd/orgbaseline.
package cli
