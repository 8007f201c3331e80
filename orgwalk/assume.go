package orgwalk

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials/stscreds"
	"github.com/aws/aws-sdk-go-v2/service/sts"
	"github.com/aws/smithy-go"
)

// SessionOptions say how the execution role is assumed.
type SessionOptions struct {
	Role        string        // role name in every member account
	ExternalID  string        // passed when set
	Duration    time.Duration // session length; 0 means 1h
	SessionName string        // RoleSessionName: identifies orgbaseline and the run
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
	return &Sessions{base: base, sts: sts.NewFromConfig(base), o: o, cache: map[string]*aws.CredentialsCache{}}
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
// what the session may do (plugins get only the actions they declared).
// Credentials are cached per account and policy.
func (s *Sessions) ConfigWithPolicy(ctx context.Context, account, region, policy string) (aws.Config, error) {
	cfg := s.base.Copy()
	cfg.Region = region
	if account == s.o.ManagementAccountID && policy == "" {
		return cfg, nil
	}
	key := account + "\x00" + policy
	s.mu.Lock()
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
