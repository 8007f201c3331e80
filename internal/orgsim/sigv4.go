package orgsim

import (
	"context"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/hex"
	"net/http"
	"net/textproto"
	"net/url"
	"strings"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	v4 "github.com/aws/aws-sdk-go-v2/aws/signer/v4"
)

// SigV4 verification. orgsim does not carry a second implementation of
// the signing algorithm: it signs a copy of the request again with
// aws-sdk-go-v2's own signer (aws/signer/v4, the only part of the SDK
// orgsim imports) and the secret it issued, and compares the signatures.
// The copy holds exactly what the client signed (the headers its
// SignedHeaders lists, the path and query as they came, the date of its
// X-Amz-Date), so a client that signs other headers than the Go SDK does
// (botocore, the AWS CLI) is verified all the same.

// authHeader is a parsed SigV4 Authorization header.
type authHeader struct {
	accessKey     string
	date          string // yyyymmdd from the scope
	region        string
	service       string
	signedHeaders []string
	signature     string
}

// parseAuthorization reads the SigV4 Authorization header:
//
//	AWS4-HMAC-SHA256 Credential=AKID/20260101/us-east-1/iam/aws4_request, SignedHeaders=host;x-amz-date, Signature=hex
func parseAuthorization(r *http.Request) (authHeader, *apiError) {
	h := r.Header.Get("Authorization")
	if h == "" {
		return authHeader{}, newErr(403, "MissingAuthenticationToken", "Request is missing Authentication Token")
	}
	return parseAuthorizationValue(h)
}

func parseAuthorizationValue(h string) (authHeader, *apiError) {
	var a authHeader
	const algo = "AWS4-HMAC-SHA256 "
	if !strings.HasPrefix(h, algo) {
		return a, newErr(400, "IncompleteSignature", "Unsupported signing algorithm; orgsim accepts AWS4-HMAC-SHA256")
	}
	for _, part := range strings.Split(h[len(algo):], ",") {
		k, v, ok := strings.Cut(strings.TrimSpace(part), "=")
		if !ok {
			continue
		}
		switch k {
		case "Credential":
			f := strings.Split(v, "/")
			if len(f) != 5 || f[4] != "aws4_request" {
				return a, newErr(400, "IncompleteSignature", "Credential scope %q is not AKID/date/region/service/aws4_request", v)
			}
			a.accessKey, a.date, a.region, a.service = f[0], f[1], f[2], f[3]
		case "SignedHeaders":
			a.signedHeaders = strings.Split(v, ";")
		case "Signature":
			a.signature = v
		}
	}
	if a.accessKey == "" || a.signature == "" || len(a.signedHeaders) == 0 {
		return a, newErr(400, "IncompleteSignature", "Authorization header requires Credential, SignedHeaders and Signature")
	}
	return a, nil
}

// amzDateLayout is X-Amz-Date's ISO 8601 basic format.
const amzDateLayout = "20060102T150405Z"

// signedAt reads the request's X-Amz-Date.
func signedAt(r *http.Request) (time.Time, bool) {
	t, err := time.Parse(amzDateLayout, r.Header.Get("X-Amz-Date"))
	return t, err == nil
}

// The values of X-Amz-Content-Sha256 that are not a hash of the body
// (S3 user guide, "Authenticating requests: Using the Authorization
// header"): the payload is unsigned, or sent in signed chunks.
func hashedPayload(v string) bool {
	return v != "UNSIGNED-PAYLOAD" && !strings.HasPrefix(v, "STREAMING-")
}

// bodyHash is the hex SHA-256 of body.
func bodyHash(body []byte) string {
	sum := sha256.Sum256(body)
	return hex.EncodeToString(sum[:])
}

// sdkSigner is the SDK's SigV4 signer; it caches derived keys and is safe
// for concurrent use.
var sdkSigner = v4.NewSigner()

// signatureOf signs a copy of r, holding only what the client signed,
// with the SDK's signer and returns the signature. payloadHash is the
// hashed payload the canonical request ends with. S3 signs the path as
// sent; every other service escapes it once more (the SDK's
// DisableURIPathEscaping, set by its S3 client).
func signatureOf(r *http.Request, a authHeader, secret, payloadHash string, at time.Time, s3 bool) string {
	u := &url.URL{Scheme: "http", Host: r.Host, Path: r.URL.Path, RawPath: r.URL.RawPath, RawQuery: r.URL.RawQuery}
	if r.TLS != nil {
		u.Scheme = "https"
	}
	cp := &http.Request{Method: r.Method, URL: u, Host: r.Host, Header: http.Header{}}
	for _, h := range a.signedHeaders {
		switch h {
		case "host":
			// The signer takes it from Host.
		case "content-length":
			// The signer signs Content-Length when, and only when, the
			// request has a length.
			cp.ContentLength = r.ContentLength
		default:
			k := textproto.CanonicalMIMEHeaderKey(h)
			cp.Header[k] = r.Header.Values(k)
		}
	}
	creds := aws.Credentials{AccessKeyID: a.accessKey, SecretAccessKey: secret}
	err := sdkSigner.SignHTTP(context.Background(), creds, cp, payloadHash, a.service, a.region, at, func(o *v4.SignerOptions) {
		o.DisableURIPathEscaping = s3
		// A signed X-Amz-Security-Token is in the copy's headers already.
		o.DisableSessionToken = true
	})
	if err != nil {
		return ""
	}
	got, aerr := parseAuthorizationValue(cp.Header.Get("Authorization"))
	if aerr != nil {
		return ""
	}
	return got.signature
}

func signatureMatches(want, got string) bool {
	return want != "" && subtle.ConstantTimeCompare([]byte(want), []byte(got)) == 1
}

// queryEscape escapes a query value as SigV4 and the awsQuery protocol
// do: a space is %20, not +.
func queryEscape(s string) string { return strings.ReplaceAll(url.QueryEscape(s), "+", "%20") }
