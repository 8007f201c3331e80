// Package engine runs the reconcile: for every targeted account it observes
// each enabled control at its scope (the account, or each governed region),
// diffs the observation with the baseline, and either reports the changes
// (plan), applies them (apply) or turns the observations into findings
// (check). plan, apply and check share this one path. ComparePlans
// (compare.go) tells whether a saved plan is the plan computed now: apply
// never executes a plan from a file.
//
// Accounts run with bounded concurrency, from a list or (PlanFrom,
// CheckFrom) as they arrive while the organization is walked; an account whose role cannot be
// assumed, or whose control fails, gets an error in its result and the run
// goes on. Within an account a failing control (or region) does not stop
// the others.
//
// engine may import baseline, baseline/controls, orgwalk, plugins, internal/awsapi
// (the Waiter every target gets) and the AWS SDK.
// It must not import internal/cli or internal/orgsim.
package engine
