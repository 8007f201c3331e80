// Package controls holds orgbaseline's controls, one per file: each
// observes one kind of resource in an account (or the organization),
// compares it with the baseline, plans the changes, applies them and
// reports findings.
//
// The Control interface lives here rather than in package baseline because
// its methods take an aws.Config, and baseline stays free of AWS types: the
// data controls exchange with the engine (baseline.Change,
// baseline.Finding) is plain.
//
// Controls are registered explicitly by FromBaseline, never by init(). A
// control may also be a Noter, with one note per run about what it leaves
// alone (the password policy: the fields the baseline does not state).
// controls may import baseline, internal/awsapi and the AWS SDK; it must
// not import internal/cli, internal/engine or internal/orgsim.
package controls
