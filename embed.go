package orgbaseline

import _ "embed"

// ExampleBaseline is baseline.yaml, the example the demo applies.
//
//go:embed baseline.yaml
var ExampleBaseline []byte
