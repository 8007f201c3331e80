// Package baseline is the declarative model of orgbaseline: the types of
// baseline.yaml and their strict loading. Nothing touches AWS before a
// baseline has loaded without a single diagnostic.
//
// # Loading
//
// Load (or LoadBytes) reads the file, every profile and file it extends,
// merges them, then checks the merged tree against the Go types of this
// package by reflection: the yaml tags of the structs are the file format,
// so adding a field (a new control under Controls, a new top-level key
// under Baseline) is all it takes for the loader to accept the new key.
// Loading reports every problem at once, as Diagnostics sorted by file,
// line and column, each naming the problem and its fix:
//
//   - YAML syntax errors, at the line the YAML parser gives;
//   - an empty file, a file that is not a mapping, several documents;
//   - a missing or unsupported version (every file, profiles included,
//     says "version: 1");
//   - unknown keys, with the valid keys and the closest one;
//   - values of the wrong type, duplicate keys in one mapping;
//   - out-of-range values, malformed names, regions, selectors;
//   - rules across fields (regions must include homeRegion, hardExpiry
//     needs maxPasswordAge);
//   - unknown profiles, missing files and extends cycles.
//
// Every file is also checked on its own, so a mistake in an extended file
// is reported even where a later file overrides the value.
//
// Positions always point into the file a value was written in, also after
// merging; a profile's positions are named "profile:<name>".
//
// # Extends and the merge rule
//
// extends lists profiles (package profiles; "cis-aws-foundations-3.0") and
// files ("./base.yaml"). An entry containing "/" or ending in ".yaml" or
// ".yml" is a file, relative to the directory of the file that names it;
// anything else is a profile name. A profile may extend other profiles,
// not files. Cycles are an error. A file must lie in the directory tree
// of the top-level baseline file, symbolic links resolved (confine.go):
// an absolute path, a path leading out of the tree or a link pointing
// out of it is refused before the file is read. Diagnostics quote at
// most a short prefix of a value (quote.go), and never the content of a
// file that is not a baseline mapping.
//
// The sources are applied in this order: the entries of extends in the
// order listed, each with what it extends before it (depth first), then
// the file itself, last. A source reached twice (two files extending the
// same profile) is applied once, at its first place. Applying a source on
// top of the result so far follows one rule:
//
//   - two mappings merge deeply, key by key;
//   - anything else in the later source replaces the earlier value
//     entirely: a scalar replaces a scalar, and a list replaces a list (lists
//     are never appended: to add a region, repeat the whole list).
//
// extends itself is not merged: each file's own list is followed when that
// file is loaded. Baseline.Extends is the top-level file's list, and
// Baseline.Sources the sources in the order applied.
//
// # Defaults
//
// Defaults are filled after the merge, for what no source set:
// organization.executionRole OrganizationAccountAccessRole,
// sessionDuration 1h, homeRegion us-east-1, regions [homeRegion],
// concurrency 16, targets.include [root]. A declared control's unset
// fields take the AWS service's own defaults (PasswordPolicy.Resolved).
//
// # Imports
//
// This package must not import the AWS SDK nor anything under internal/:
// it is the model, used by every other package. It imports package
// profiles for the built-in profiles.
package baseline
