package plugins

import (
	"fmt"

	"github.com/hashicorp/go-plugin"
)

// ProtocolVersion is the version of the plugin protocol (the gRPC service
// in proto/check.proto). It changes only when the protocol breaks.
const ProtocolVersion = 1

// Handshake is the fixed handshake between orgbaseline and a check plugin.
// It never changes within a protocol version: a binary started by anything
// else than orgbaseline refuses to run.
var Handshake = plugin.HandshakeConfig{
	ProtocolVersion:  ProtocolVersion,
	MagicCookieKey:   "ORGBASELINE_CHECK_PLUGIN",
	MagicCookieValue: "6f726762-6173-656c-696e-652d636865636b",
}

// PluginName is the name of the check in go-plugin's plugin map.
const PluginName = "check"

func errUnimplemented(method string) error {
	return fmt.Errorf("plugins: %s is not implemented by this check", method)
}
