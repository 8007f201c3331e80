// Package golden compares test output with golden files under
// testdata/golden, and rewrites them when the test binary runs with
// -update. It is for tests only.
//
// golden must not import any package of this module.
package golden
