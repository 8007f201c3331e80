// Command orgbaseline brings an AWS Organization to a declared security
// baseline and keeps it there. See the README.
//
// main only turns SIGINT and SIGTERM into a cancelled context and calls
// cli.Main; everything else is in internal/cli. It imports nothing of this
// module but internal/cli.
package main
