// Package awsapi builds the aws.Config orgbaseline uses for the management
// account (the standard credential chain, the standard endpoint settings,
// an explicit endpoint for the emulator, a retryer, a pacer that spaces
// Organizations calls once AWS throttles them, a connection pool sized
// for a run's concurrency, a user agent) and the service clients controls
// use, with S3 path style whenever an endpoint is set; for the debug log,
// a middleware that describes each attempt of each call (Trace) and the
// account a config acts in (ForAccount), never its credentials. It also
// says why a run cannot reach AWS at all (no credentials anywhere, an
// endpoint that refuses connections or does not exist), where the SDK's
// errors name only the last thing it tried.
//
// It must not import internal/cli, internal/engine or internal/orgsim.
package awsapi
