package orgsim

import (
	"fmt"
	"net/http"
	"strconv"
	"time"
)

// The seven services: how each is reached, and the errors AWS gives for
// throttling, transient faults, denial and failed authentication, which
// differ by protocol. Operations live in each service's own file.
//
// Authentication failures: the awsQuery services (IAM, STS) answer
// InvalidClientTokenId / SignatureDoesNotMatch with 403; the awsJson services
// answer UnrecognizedClientException / InvalidSignatureException with 400;
// Access Analyzer the same codes with 403; S3 InvalidAccessKeyId /
// SignatureDoesNotMatch with 403.

const (
	msgBadToken     = "The security token included in the request is invalid."
	msgBadSignature = "The request signature we calculated does not match the signature you provided. Check your AWS Secret Access Key and signing method. Consult the service documentation for details."
	msgExpired      = "The security token included in the request is expired"
)

// withOps adds a service's audit reads (audit_*.go) to its operations; an
// operation both define keeps the service file's.
func withOps(ops, more map[string]op) map[string]op {
	for k, v := range more {
		if _, ok := ops[k]; !ok {
			ops[k] = v
		}
	}
	return ops
}

func errFn(status int, code, msg string) func() *apiError {
	return func() *apiError { return newErr(status, code, "%s", msg) }
}

func jsonService(signing, prefix string, global bool, throttleCode string, throttleStatus int, transientCode string, ops map[string]op) *service {
	return &service{
		signingName: signing, actionPrefix: prefix, protocol: protoJSON, jsonVersion: "1.1", global: global, ops: ops,
		throttle:     errFn(throttleStatus, throttleCode, "Rate exceeded"),
		transient:    errFn(500, transientCode, "orgsim injected a transient failure; retry the request"),
		deniedCode:   "AccessDeniedException",
		deniedStatus: 400,
		unknownKey:   errFn(400, "UnrecognizedClientException", msgBadToken),
		badSignature: errFn(400, "InvalidSignatureException", msgBadSignature),
		expiredToken: errFn(400, "ExpiredTokenException", msgExpired),
	}
}

func queryService(signing, xmlns string, ops map[string]op) *service {
	return &service{
		signingName: signing, actionPrefix: signing, protocol: protoQuery, xmlns: xmlns, global: true, ops: ops,
		throttle:     errFn(400, "Throttling", "Rate exceeded"),
		transient:    errFn(500, "ServiceFailure", "orgsim injected a transient failure; retry the request"),
		deniedCode:   "AccessDenied",
		deniedStatus: 403,
		unknownKey:   errFn(403, "InvalidClientTokenId", msgBadToken),
		badSignature: errFn(403, "SignatureDoesNotMatch", msgBadSignature),
		expiredToken: errFn(400, "ExpiredToken", msgExpired),
	}
}

func organizationsService() *service {
	// Every error of the Organizations API answers HTTP 400, access denied,
	// not-found and throttling included: each operation's Errors section in
	// the API reference says "HTTP Status Code: 400" (for example
	// https://docs.aws.amazon.com/organizations/latest/APIReference/API_DeletePolicy.html).
	// organizations.go answers its own errors with 400 for the same reason.
	s := jsonService("organizations", "organizations", true, "TooManyRequestsException", 400, "ServiceException", organizationsOps())
	return s
}

func stsService() *service {
	s := queryService("sts", "https://sts.amazonaws.com/doc/2011-06-15/", stsOps())
	s.transient = errFn(500, "InternalFailure", "orgsim injected a transient failure; retry the request")
	// STS, an awsQuery service, answers an expired session token as the
	// other query services do: ExpiredToken, "The security token included
	// in the request is expired" (what `aws sts get-caller-identity` prints
	// with expired credentials, e.g. aws/aws-cli#7870,
	// prowler-cloud/prowler#789). ExpiredTokenException is the awsJson
	// services' code and, in STS, AssumeRoleWithWebIdentity's for an
	// expired web identity token.
	return s
}

func iamService() *service {
	return queryService("iam", "https://iam.amazonaws.com/doc/2010-05-08/", iamOps())
}

func cloudtrailService() *service {
	return jsonService("cloudtrail", "cloudtrail", false, "ThrottlingException", 400, "InternalFailure", withOps(cloudtrailOps(), auditCloudtrailOps()))
}

// kmsService is AWS KMS: awsJson1_1 with the target prefix TrentService;
// it throttles with ThrottlingException (KMS developer guide, "Request
// quotas") and fails with KMSInternalException (500).
func kmsService() *service {
	return jsonService("kms", "kms", false, "ThrottlingException", 400, "KMSInternalException", kmsOps())
}

func configService() *service {
	return jsonService("config", "config", false, "ThrottlingException", 400, "InternalFailure", withOps(configOps(), auditConfigOps()))
}

func accessAnalyzerService() *service {
	return &service{
		signingName: "access-analyzer", actionPrefix: "access-analyzer", protocol: protoRESTJSON, ops: withOps(accessAnalyzerOps(), auditAnalyzerOps()),
		route: accessAnalyzerRoute,
		throttle: func() *apiError {
			e := newErr(429, "ThrottlingException", "Rate exceeded")
			e.Header = http.Header{"Retry-After": {"1"}}
			return e
		},
		transient:    errFn(500, "InternalServerException", "orgsim injected a transient failure; retry the request"),
		deniedCode:   "AccessDeniedException",
		deniedStatus: 403,
		unknownKey:   errFn(403, "UnrecognizedClientException", msgBadToken),
		badSignature: errFn(403, "InvalidSignatureException", msgBadSignature),
		expiredToken: errFn(403, "ExpiredTokenException", msgExpired),
	}
}

func s3Service() *service {
	return &service{
		signingName: "s3", actionPrefix: "s3", protocol: protoRESTXML, ops: s3Ops(), global: false,
		route:        s3Route,
		throttle:     errFn(503, "SlowDown", "Please reduce your request rate."),
		transient:    errFn(500, "InternalError", "We encountered an internal error. Please try again."),
		deniedCode:   "AccessDenied",
		deniedStatus: 403,
		unknownKey:   errFn(403, "InvalidAccessKeyId", "The AWS Access Key Id you provided does not exist in our records."),
		badSignature: errFn(403, "SignatureDoesNotMatch", "The request signature we calculated does not match the signature you provided. Check your key and signing method."),
		expiredToken: errFn(400, "ExpiredToken", "The provided token has expired."),
	}
}

// Errors of a request's signature and scope, by protocol. Each takes the
// code and status of the service's own signature error (badSignature):
// SignatureDoesNotMatch 403 for awsQuery, InvalidSignatureException 400
// for awsJson and 403 for restJson1; S3 has codes of its own.

// withMessage is the service's error from fn with another message.
func withMessage(fn func() *apiError, msg string) *apiError {
	e := fn()
	e.Message = msg
	return e
}

// clockSkewed is the error for a request dated further than max from
// AWS's clock: "Signature expired: 20151221T200419Z is now earlier than
// 20151221T201450Z (20151221T201950Z - 5 min.)" with SignatureDoesNotMatch
// from the awsQuery services (convox/rack issue 235; aws/aws-cli issue
// 6676 for STS) and InvalidSignatureException from the JSON ones
// (aws/aws-sdk-js issue 527); a request dated in the future gets
// "Signature not yet current: ... is still later than ... (... + 5
// min.)". S3 answers 403 RequestTimeTooSkewed "The difference between
// the request time and the current time is too large." with RequestTime,
// ServerTime and MaxAllowedSkewMilliseconds (aws/aws-sdk-php issue 612).
func (svc *service) clockSkewed(at, now time.Time, max time.Duration) *apiError {
	if svc.protocol == protoRESTXML {
		return newErr(403, "RequestTimeTooSkewed", "The difference between the request time and the current time is too large.").
			with("RequestTime", at.Format(amzDateLayout)).
			with("ServerTime", now.Format(time.RFC3339)).
			with("MaxAllowedSkewMilliseconds", max.Milliseconds())
	}
	window := strconv.FormatFloat(max.Minutes(), 'f', -1, 64) + " min."
	if at.Before(now) {
		return withMessage(svc.badSignature, fmt.Sprintf("Signature expired: %s is now earlier than %s (%s - %s)",
			at.Format(amzDateLayout), now.Add(-max).Format(amzDateLayout), now.Format(amzDateLayout), window))
	}
	return withMessage(svc.badSignature, fmt.Sprintf("Signature not yet current: %s is still later than %s (%s + %s)",
		at.Format(amzDateLayout), now.Add(max).Format(amzDateLayout), now.Format(amzDateLayout), window))
}

// missingDate is the error for a signed request without X-Amz-Date.
func (svc *service) missingDate() *apiError {
	if svc.protocol == protoRESTXML {
		return newErr(403, "AccessDenied", "AWS authentication requires a valid Date or x-amz-date header")
	}
	code := "IncompleteSignature"
	if svc.protocol != protoQuery {
		code = "IncompleteSignatureException"
	}
	return newErr(400, code, "Authorization header requires existence of either a 'X-Amz-Date' or a 'Date' header.")
}

// invalidRegion is the error for a credential scoped to a region the
// partition does not have: "Credential should be scoped to a valid region,
// not 'ap-east-1'." (aws/aws-sdk-ruby issue 508 and aws/aws-sdk-php issue
// 493 for the awsQuery services, aws/aws-sdk-js issue 4545 with
// InvalidSignatureException for the JSON ones). S3 answers
// AuthorizationHeaderMalformed, naming the region it expected (S3 API
// reference, error codes).
func (svc *service) invalidRegion(region, expected string) *apiError {
	if svc.protocol == protoRESTXML {
		return newErr(400, "AuthorizationHeaderMalformed", "The authorization header is malformed; the region '%s' is wrong; expecting '%s'", region, expected).
			with("Region", expected)
	}
	return withMessage(svc.badSignature, "Credential should be scoped to a valid region, not '"+region+"'. ")
}

// regionNotEnabled is the error for a call to an opt-in region the
// caller's account has not enabled: its credentials are unknown there.
// "The security token included in the request is invalid" with
// UnrecognizedClientException from the JSON services
// (awslabs/landing-zone-accelerator-on-aws issue 269, epsagon/
// clear-lambda-storage issue 9) and InvalidClientTokenId from the awsQuery
// ones (remotion-dev/github-unwrapped-2022 issue 34, STS in eu-south-1);
// S3 answers InvalidToken "The provided token is malformed or otherwise
// invalid." to a session (aws/aws-cli issue 8413, trek10inc/awsume issue
// 59) and InvalidAccessKeyId to a long-lived key.
func (svc *service) regionNotEnabled(session bool) *apiError {
	if svc.protocol == protoRESTXML && session {
		return newErr(400, "InvalidToken", "The provided token is malformed or otherwise invalid.")
	}
	return svc.unknownKey()
}

// contentSHA256Mismatch is S3's answer to a body whose SHA-256 is not the
// signed X-Amz-Content-Sha256 (S3 API reference, error codes).
func contentSHA256Mismatch(claimed, computed string) *apiError {
	return newErr(400, "XAmzContentSHA256Mismatch", "The provided 'x-amz-content-sha256' header does not match what was computed.").
		with("ClientComputedContentSHA256", claimed).
		with("S3ComputedContentSHA256", computed)
}

// missingContentSHA256 is S3's answer to a SigV4 request without
// X-Amz-Content-Sha256, which "is required for all AWS Signature Version
// 4 requests" (S3 API reference, common request headers).
func missingContentSHA256() *apiError {
	return newErr(400, "InvalidRequest", "Missing required header for this request: x-amz-content-sha256")
}
