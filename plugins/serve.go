package plugins

import "github.com/hashicorp/go-plugin"

// Serve serves c as a check plugin and returns when the host ends the
// plugin. A plugin's main calls only this:
//
//	func main() { plugins.Serve(&check{}) }
//
// The binary refuses to run unless orgbaseline started it (the Handshake
// cookie): started by hand it prints a note for a human and exits with
// status 1. It speaks gRPC only; the host turns on AutoMTLS, so only the
// process that launched it can connect.
//
// Logs: write them to stderr, as JSON lines from hclog (sdk.Logger makes
// such a logger). The host reads the plugin's stderr and forwards every
// line into its own log under the plugin's name, JSON lines with their
// level and fields, other lines at debug level. Never write to stdout: it
// carries go-plugin's handshake. Never log credentials.
func Serve(c Check) {
	plugin.Serve(&plugin.ServeConfig{
		HandshakeConfig: Handshake,
		Plugins:         PluginMap(c),
		GRPCServer:      plugin.DefaultGRPCServer,
	})
}

// PluginMap is the plugin map a plugin serves: c under PluginName.
func PluginMap(c Check) map[string]plugin.Plugin {
	return map[string]plugin.Plugin{PluginName: &GRPCCheckPlugin{Impl: c}}
}

// ClientPluginMap is the plugin map a host launches a plugin with
// (plugin.ClientConfig.Plugins). Dispense(PluginName) on the client then
// returns a value implementing Check; assert it with a check:
//
//	raw, err := rpc.Dispense(plugins.PluginName)
//	...
//	c, ok := raw.(plugins.Check)
func ClientPluginMap() map[string]plugin.Plugin {
	return map[string]plugin.Plugin{PluginName: &GRPCCheckPlugin{}}
}
