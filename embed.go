package orgbaseline

import _ "embed"

// ExampleBaseline is baseline.yaml, the example the demo applies.
//
//go:embed baseline.yaml
var ExampleBaseline []byte

// StarterBaseline is starter.yaml, the commented baseline `orgbaseline
// init` writes: every control present, only the password policy on.
//
//go:embed starter.yaml
var StarterBaseline []byte
