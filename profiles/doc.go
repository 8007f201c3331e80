// Package profiles ships the built-in baseline profiles: YAML fragments in
// the baseline.yaml format (with "version: 1") that a baseline names in
// its extends list, e.g. "extends: [cis-aws-foundations-3.0]".
//
// Each profile is one embedded <name>.yaml file of this directory; its
// first comment line is its one-line description (see Describe). To add a
// profile, add a file: nothing else needs to change.
//
// This package holds data only. It must not import any package of this
// module (package baseline imports it to resolve extends; importing
// baseline back would be a cycle), nor the AWS SDK.
package profiles
