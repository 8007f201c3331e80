package orgsim

import "net/http"

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
	s := jsonService("organizations", "organizations", true, "TooManyRequestsException", 429, "ServiceException", organizationsOps())
	s.deniedStatus = 403
	return s
}

func stsService() *service {
	s := queryService("sts", "https://sts.amazonaws.com/doc/2011-06-15/", stsOps())
	s.transient = errFn(500, "InternalFailure", "orgsim injected a transient failure; retry the request")
	s.expiredToken = errFn(400, "ExpiredTokenException", msgExpired)
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
