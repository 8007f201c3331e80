package pluginhost

import (
	"context"
	"time"

	"github.com/orgbaseline/orgbaseline/plugins"
)

// CredentialSource returns short-lived credentials of a session of the
// plugin's own in an account, limited by the request's inline session
// policy (SessionPolicy of the actions it declared). It is called for
// every run of a plugin in an account; caching and renewal are the
// source's business, as orgwalk.Sessions.PluginCredentials does.
type CredentialSource func(ctx context.Context, req CredentialRequest) (plugins.Credentials, error)

// CredentialRequest asks for one plugin's credentials in one account.
type CredentialRequest struct {
	// Plugin is the plugin's name in the baseline: its session is named
	// after it (orgwalk.PluginSessionName), never the tool's.
	Plugin  string
	Account string
	Policy  string
	// ValidFor is how long the credentials must stay valid: the plugin's
	// timeout for one account.
	ValidFor time.Duration
}
