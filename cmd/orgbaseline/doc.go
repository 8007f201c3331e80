// Command orgbaseline brings an AWS Organization to a declared security
// baseline and keeps it there. See the README.
//
// main only turns the first SIGINT or SIGTERM into a cancelled context
// (and one line on stderr) and a second into an immediate exit with 130,
// and calls cli.Main; everything else is in internal/cli. It imports nothing of this
// module but internal/cli. Its tests run the test binary as orgbaseline
// under a pseudo-terminal, against orgsim, and press Ctrl-C.
package main
