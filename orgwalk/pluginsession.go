package orgwalk

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"regexp"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials/stscreds"
)

// A check plugin acts in an account with a session of its own, never the
// tool's: its own RoleSessionName, so that an SCP or a trust policy can
// tell the tool from its plugins (an exemption written for
// "orgbaseline-<run>" does not cover "orgbaseline-plugin-..."), its own
// inline session policy, and the shortest session AssumeRole gives.

// PluginSessionDuration is the length of every plugin session:
// AssumeRole's shortest ("DurationSeconds ... can have a value from 900
// seconds (15 minutes)", STS API reference, AssumeRole), whatever
// organization.sessionDuration says.
const PluginSessionDuration = 15 * time.Minute

// PluginSessionPrefix starts the name of every plugin session.
const PluginSessionPrefix = "orgbaseline-plugin-"

// maxSessionName is RoleSessionName's length limit; sessionNameBad matches
// what its pattern, [\w+=,.@-]*, does not allow (STS API reference,
// AssumeRole).
const maxSessionName = 64

var sessionNameBad = regexp.MustCompile(`[^\w+=,.@-]`)

// PluginSessionName is the RoleSessionName of plugin's sessions in run
// runID: orgbaseline-plugin-<plugin>-<runID>. Characters RoleSessionName
// does not allow become "-", and the plugin's name is cut so that the
// whole fits in 64 characters (the run id too, should it be longer than
// orgbaseline's own).
func PluginSessionName(plugin, runID string) string {
	plugin = sessionNameBad.ReplaceAllString(plugin, "-")
	runID = sessionNameBad.ReplaceAllString(runID, "-")
	if plugin == "" {
		plugin = "unnamed"
	}
	runID = runID[:min(len(runID), 32)]
	room := maxSessionName - len(PluginSessionPrefix) - 1 - len(runID)
	if runID == "" {
		room++
	}
	name := PluginSessionPrefix + plugin[:min(len(plugin), room)]
	if runID != "" {
		name += "-" + runID
	}
	return name
}

// PluginSession asks for one plugin's credentials in one account.
type PluginSession struct {
	Plugin  string // the plugin's name in the baseline; in the session name
	Account string
	Policy  string // the inline session policy: exactly the plugin's actions
	// ValidFor is how long the credentials must stay valid once handed
	// out: the plugin's timeout for one account.
	ValidFor time.Duration
}

// renewal is how long before their end a plugin's credentials are
// replaced: they must outlast the call they are handed to with a minute to
// spare, and at least the five minutes the tool's own sessions keep
// (ExpiryWindow); at most 14, so that a session serves at least a minute.
func renewal(validFor time.Duration) time.Duration {
	return min(max(validFor+time.Minute, 5*time.Minute), PluginSessionDuration-time.Minute)
}

// PluginCredentials returns credentials of a session of ps.Plugin's own in
// ps.Account: the execution role assumed with the session name
// PluginSessionName, for PluginSessionDuration, limited by ps.Policy. They
// are cached per plugin, account and policy and assumed again once less
// than renewal(ps.ValidFor) of them is left, by SessionOptions.Now (AWS's
// clock), so a run of any length keeps handing out valid ones. There is no
// exception for the management account: a plugin never gets the run's own
// credentials.
func (s *Sessions) PluginCredentials(ctx context.Context, ps PluginSession) (aws.Credentials, error) {
	key := ps.Plugin + "\x00" + ps.Account + "\x00" + ps.Policy
	s.mu.Lock()
	pc := s.plugins[key]
	if pc == nil {
		name := PluginSessionName(ps.Plugin, s.o.RunID)
		pc = &pluginCreds{lock: make(chan struct{}, 1), prov: stscreds.NewAssumeRoleProvider(s.sts, s.RoleARN(ps.Account), func(o *stscreds.AssumeRoleOptions) {
			o.RoleSessionName = name
			o.Duration = PluginSessionDuration
			if s.o.ExternalID != "" {
				o.ExternalID = aws.String(s.o.ExternalID)
			}
			if ps.Policy != "" {
				o.Policy = aws.String(ps.Policy)
			}
		})}
		s.plugins[key] = pc
	}
	s.mu.Unlock()
	c, err := pc.retrieve(ctx, s.o.Now(), renewal(ps.ValidFor))
	if err != nil {
		return aws.Credentials{}, &AssumeError{Account: ps.Account, RoleARN: s.RoleARN(ps.Account), Err: err}
	}
	return c, nil
}

// pluginCreds are one plugin's credentials in one account.
type pluginCreds struct {
	prov aws.CredentialsProvider
	lock chan struct{} // held while reading or renewing creds; waiting for it is cancellable
	// creds are the last ones assumed; zero before the first.
	creds aws.Credentials
}

// retrieve returns the cached credentials when more than window of them is
// left at now, else assumes the role again.
func (p *pluginCreds) retrieve(ctx context.Context, now time.Time, window time.Duration) (aws.Credentials, error) {
	select {
	case p.lock <- struct{}{}:
	case <-ctx.Done():
		return aws.Credentials{}, ctx.Err()
	}
	defer func() { <-p.lock }()
	if p.creds.HasKeys() && now.Add(window).Before(p.creds.Expires) {
		return p.creds, nil
	}
	c, err := p.prov.Retrieve(ctx)
	if err != nil {
		return aws.Credentials{}, err
	}
	p.creds = c
	return c, nil
}

// randomRunID stands in for a run id that was not given, so that plugin
// session names are still told apart.
func randomRunID() string {
	var b [4]byte
	_, _ = rand.Read(b[:])
	return hex.EncodeToString(b[:])
}
