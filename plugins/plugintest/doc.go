// Package plugintest is the conformance suite for check plugins. An author
// runs it from their plugin's tests:
//
//	func TestConformance(t *testing.T) {
//		plugintest.Conformance(t, &check{}, plugintest.Options{})
//	}
//
// Conformance serves the check in process through the real gRPC shim and
// asserts the contract of plugins.Check: what Describe declares, what Run
// returns, and that a bad config is refused rather than crashing the
// check. Check returns the same findings as a list of problems, for any
// plugins.Check (a Go value, the shim, or a plugin process a host
// launched). ServeInProcess gives authors the shim for their own tests.
//
// plugintest imports plugins, go-plugin and the standard library (testing
// and net/http/httptest included: it is meant for tests); it never imports
// anything under internal/.
package plugintest
