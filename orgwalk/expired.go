package orgwalk

import (
	"errors"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/smithy-go"
)

// The SDK's credentials cache refreshes assumed-role credentials before
// they expire (ExpiryWindow), by the local clock. Should AWS still answer
// that the session token has expired (a skewed clock, a session cut short),
// the call's answer says so: refreshRetryer then drops the cached
// credentials and lets the call be retried, and the retry signs with
// credentials assumed afresh (the SDK resolves credentials per attempt).

// expiredCodes are the error codes of an expired session token.
var expiredCodes = map[string]bool{
	"ExpiredToken":          true, // STS, IAM, S3 and other query/XML services
	"ExpiredTokenException": true, // JSON services
}

func isExpiredToken(err error) bool {
	var ae smithy.APIError
	return errors.As(err, &ae) && expiredCodes[ae.ErrorCode()]
}

// withRefresh wraps cfg's retryer so that an expired-token answer
// invalidates cc and is retried.
func withRefresh(cfg *aws.Config, cc *aws.CredentialsCache) {
	base := cfg.Retryer
	if base == nil {
		return // no retryer to wrap: the SDK's default does not retry this
	}
	cfg.Retryer = func() aws.Retryer {
		r := base()
		if v2, ok := r.(aws.RetryerV2); ok {
			return &refreshRetryerV2{RetryerV2: v2, cc: cc}
		}
		return &refreshRetryer{Retryer: r, cc: cc}
	}
}

type refreshRetryer struct {
	aws.Retryer
	cc *aws.CredentialsCache
}

func (r *refreshRetryer) IsErrorRetryable(err error) bool {
	if isExpiredToken(err) {
		r.cc.Invalidate()
		return true
	}
	return r.Retryer.IsErrorRetryable(err)
}

type refreshRetryerV2 struct {
	aws.RetryerV2
	cc *aws.CredentialsCache
}

func (r *refreshRetryerV2) IsErrorRetryable(err error) bool {
	if isExpiredToken(err) {
		r.cc.Invalidate()
		return true
	}
	return r.RetryerV2.IsErrorRetryable(err)
}
