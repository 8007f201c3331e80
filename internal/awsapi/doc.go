// Package awsapi builds the aws.Config orgbaseline uses for the management
// account (the standard credential chain, the standard endpoint settings,
// an explicit endpoint for the emulator, a retryer, a pacer that spaces
// Organizations calls once AWS throttles them, a connection pool sized
// for a run's concurrency, a user agent) and the service clients controls
// use, with S3 path style whenever an endpoint is set; and, for the debug
// log, a middleware that describes each attempt of each call (Trace) and
// the account a config acts in (ForAccount), never its credentials.
//
// It must not import internal/cli, internal/engine or internal/orgsim.
package awsapi
