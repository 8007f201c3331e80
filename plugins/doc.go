// Package plugins is the public contract between orgbaseline and its check
// plugins: the Check interface (every method takes a context and
// request/response structs), the fixed Handshake and protocol version,
// the gRPC service (proto/check.proto, generated code committed) with the
// shim for both sides, and Serve, which a plugin's main calls:
//
//	func main() { plugins.Serve(&myCheck{}) }
//
// plugins/sdk helps authors (an aws.Config from a RunRequest, finding
// helpers); plugins/plugintest is a conformance suite an author runs
// against their plugin.
//
// Plugins run as separate processes over gRPC (hashicorp/go-plugin) with
// AutoMTLS; the host pins each binary's sha256 and gives it credentials
// limited to the IAM actions it declared.
//
// The public packages (plugins, plugins/sdk, plugins/plugintest) never
// import anything under the module's internal/ in non-test code. The
// first-party checks' test-support package plugins/checks/internal/checktest
// does (orgsim and awsapi), for tests only.
package plugins
