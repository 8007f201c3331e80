package orgwalk

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"sync"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials/stscreds"
	"github.com/aws/aws-sdk-go-v2/service/sts"
	"github.com/aws/smithy-go"

	"github.com/orgbaseline/orgbaseline/internal/awsapi"
)

// SessionOptions say how the execution role is assumed.
type SessionOptions struct {
	Role        string        // role name in every member account
	ExternalID  string        // passed when set
	Duration    time.Duration // session length; 0 means 1h
	SessionName string        // RoleSessionName: identifies orgbaseline and the run
	// RunID ends the name of every plugin session (PluginSessionName);
	// "" means a random one.
	RunID string
	// Now is AWS's clock as the run knows it, by which plugin credentials
	// are renewed before they expire; nil means time.Now. (The tool's own
	// credentials are renewed by the SDK's cache, on the local clock, and
	// on an expired-token answer.)
	Now func() time.Time
	// ManagementAccountID is served with the base credentials: the
	// execution role usually does not exist there.
	ManagementAccountID string
	// Partition for role ARNs; "" means aws.
	Partition string
}

// Sessions hands out an aws.Config per account and region, assuming the
// execution role once per account (and session policy) and caching the
// credentials; the SDK's credentials cache refreshes them before they
// expire.
type Sessions struct {
	base aws.Config
	sts  stscreds.AssumeRoleAPIClient
	o    SessionOptions

	mu    sync.Mutex
	cache map[string]*aws.CredentialsCache
	// plugins are the plugins' own sessions (PluginCredentials).
	plugins map[string]*pluginCreds
	// stop is set once AWS refused the session duration the run asks
	// for: it refuses it in every account, so no further role is assumed.
	stop *SessionDurationError
}

// NewSessions returns Sessions assuming roles with the management account's
// config base.
func NewSessions(base aws.Config, o SessionOptions) *Sessions {
	if o.Duration == 0 {
		o.Duration = time.Hour
	}
	if o.Partition == "" {
		o.Partition = "aws"
	}
	if o.RunID == "" {
		o.RunID = randomRunID()
	}
	if o.Now == nil {
		o.Now = time.Now
	}
	return &Sessions{base: base, sts: sts.NewFromConfig(base), o: o, cache: map[string]*aws.CredentialsCache{}, plugins: map[string]*pluginCreds{}}
}

// RoleARN is the execution role's ARN in account.
func (s *Sessions) RoleARN(account string) string {
	return "arn:" + s.o.Partition + ":iam::" + account + ":role/" + s.o.Role
}

// Config returns a config for account in region. The first call for an
// account assumes the role (so a role that cannot be assumed fails here,
// with the account named); later calls reuse the cached credentials.
func (s *Sessions) Config(ctx context.Context, account, region string) (aws.Config, error) {
	return s.ConfigWithPolicy(ctx, account, region, "")
}

// ConfigWithPolicy is Config with an inline session policy that narrows
// what the session may do, in the run's own session (a plugin gets a
// session of its own: PluginCredentials). Credentials are cached per
// account and policy.
func (s *Sessions) ConfigWithPolicy(ctx context.Context, account, region, policy string) (aws.Config, error) {
	cfg := s.base.Copy()
	cfg.Region = region
	awsapi.ForAccount(&cfg, account) // named in the debug log of its calls
	if account == s.o.ManagementAccountID && policy == "" {
		return cfg, nil
	}
	key := account + "\x00" + policy
	s.mu.Lock()
	if stop := s.stop; stop != nil {
		s.mu.Unlock()
		return aws.Config{}, stop
	}
	cc := s.cache[key]
	if cc == nil {
		roleARN := s.RoleARN(account)
		prov := stscreds.NewAssumeRoleProvider(s.sts, roleARN, func(o *stscreds.AssumeRoleOptions) {
			o.RoleSessionName = s.o.SessionName
			o.Duration = s.o.Duration
			if s.o.ExternalID != "" {
				o.ExternalID = aws.String(s.o.ExternalID)
			}
			if policy != "" {
				o.Policy = aws.String(policy)
			}
		})
		cc = aws.NewCredentialsCache(prov, func(o *aws.CredentialsCacheOptions) {
			// Refresh well before expiry so a long account run never
			// signs with credentials about to lapse.
			o.ExpiryWindow = 5 * time.Minute
		})
		s.cache[key] = cc
	}
	s.mu.Unlock()
	if _, err := cc.Retrieve(ctx); err != nil {
		if stop := s.durationRefused(account, err); stop != nil {
			return aws.Config{}, stop
		}
		return aws.Config{}, &AssumeError{Account: account, RoleARN: s.RoleARN(account), Err: err}
	}
	cfg.Credentials = cc
	withRefresh(&cfg, cc)
	return cfg, nil
}

// AssumeError is a failure to assume the execution role in an account.
type AssumeError struct {
	Account string
	RoleARN string
	Err     error
}

func (e *AssumeError) Error() string {
	hint := ""
	var ae smithy.APIError
	if errors.As(e.Err, &ae) && (ae.ErrorCode() == "AccessDenied" || ae.ErrorCode() == "AccessDeniedException") {
		hint = "; check that the role exists in the account and that its trust policy allows the management account" +
			" (and the externalId in organization.externalId, if the trust policy asks for one)"
	}
	return fmt.Sprintf("assume %s in account %s: %v%s", e.RoleARN, e.Account, e.Err, hint)
}

func (e *AssumeError) Unwrap() error { return e.Err }

// Stopped is the run-wide refusal of the session duration, once AWS has
// answered it (nil until then): a *SessionDurationError.
func (s *Sessions) Stopped() error {
	if s == nil {
		return nil
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.stop == nil {
		return nil
	}
	return s.stop
}

// durationRefused recognises AssumeRole's refusal of the session duration
// and keeps the first one as the run's stop; nil for any other error.
func (s *Sessions) durationRefused(account string, err error) *SessionDurationError {
	chained, ok := sessionDurationRefusal(err)
	if !ok {
		return nil
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.stop == nil {
		s.stop = &SessionDurationError{Duration: s.o.Duration, Role: s.o.Role, Account: account, Chained: chained, Err: err}
	}
	return s.stop
}

// sessionDurationRefusal reports whether err is STS refusing
// AssumeRole's DurationSeconds, and whether for role chaining. AWS
// answers ValidationError (STS API reference, AssumeRole:
// DurationSeconds "can have a value from 900 seconds ... up to the maximum
// session duration setting for the role ... If you specify a value higher
// than this setting or the administrator setting (whichever is lower), the
// operation fails"; "if you assume a role using role chaining and provide
// a DurationSeconds parameter value greater than one hour, the operation
// fails") with the messages "The requested DurationSeconds exceeds the
// MaxSessionDuration set for this role." and "The requested
// DurationSeconds exceeds the 1 hour session limit for roles assumed by
// role chaining." (kreuzwerker/awsu issue 27; 99designs/aws-vault users).
func sessionDurationRefusal(err error) (chained, ok bool) {
	var ae smithy.APIError
	if !errors.As(err, &ae) || ae.ErrorCode() != "ValidationError" {
		return false, false
	}
	msg := ae.ErrorMessage()
	switch {
	case strings.Contains(msg, "role chaining"):
		return true, true
	case strings.Contains(msg, "MaxSessionDuration"):
		return false, true
	}
	return false, false
}

// SessionDurationError is AWS refusing the session duration the run asks
// for (organization.sessionDuration): longer than the execution role's
// MaxSessionDuration, or than role chaining's one hour. AWS answers the
// same in every account whose role has that setting, so the run stops
// with this one error rather than failing account after account.
type SessionDurationError struct {
	Duration time.Duration // organization.sessionDuration, as asked
	Role     string        // the execution role's name
	Account  string        // where AWS refused it first
	Chained  bool          // the caller is a role session: role chaining's limit
	Err      error
}

func (e *SessionDurationError) Error() string {
	answer := e.Err.Error()
	var ae smithy.APIError
	if errors.As(e.Err, &ae) {
		answer = ae.ErrorCode() + ": " + ae.ErrorMessage()
	}
	if e.Chained {
		return fmt.Sprintf("organization.sessionDuration is %s, but AWS refused it when assuming %s in account %s (%s): orgbaseline runs as a role session, and a role assumed with role credentials (role chaining) gets at most 1 hour; set organization.sessionDuration to 1h or less",
			e.Duration, e.Role, e.Account, answer)
	}
	return fmt.Sprintf("organization.sessionDuration is %s, longer than the MaxSessionDuration of the execution role %s: AWS refused it when assuming the role in account %s (%s); set organization.sessionDuration to at most the role's MaxSessionDuration (1h unless it was raised: the default of every role, OrganizationAccountAccessRole included), or raise the role's MaxSessionDuration in every member account (iam:UpdateRole MaxSessionDuration, up to 12h)",
		e.Duration, e.Role, e.Account, answer)
}

func (e *SessionDurationError) Unwrap() error { return e.Err }
