package orgsim

import (
	"crypto/subtle"
	"net/http"
	"strings"
	"time"
)

// adminSigningName is the service name of the SigV4 credential scope an
// admin API request is signed for (curl --aws-sigv4 aws:amz:REGION:orgsim).
const adminSigningName = "orgsim"

// adminMaxSkew is how far from orgsim's clock a signed admin request may
// be dated: SigV4's 5 minutes, so a captured request cannot be replayed
// later.
const adminMaxSkew = 5 * time.Minute

// adminAuthHelp is how to authenticate, ending every refusal.
const adminAuthHelp = `send "Authorization: Bearer <token>" with the token sim serve writes to its env file as ORGSIM_ADMIN_TOKEN, ` +
	`or sign the request with SigV4 for the service "orgsim" with the management account's credentials ` +
	`(curl --aws-sigv4 "aws:amz:us-east-1:orgsim" --user "$AWS_ACCESS_KEY_ID:$AWS_SECRET_ACCESS_KEY" ...)`

// adminDenied says why r may not use the admin API, or "" when it may:
// it must carry the admin bearer token (Options.AdminToken), or a SigV4
// signature by the management credentials (ManagementCredentials) over
// the request and body, dated within adminMaxSkew.
func (s *Sim) adminDenied(r *http.Request, body []byte) string {
	h := r.Header.Get("Authorization")
	if tok, ok := strings.CutPrefix(h, "Bearer "); ok {
		if subtle.ConstantTimeCompare([]byte(strings.TrimSpace(tok)), []byte(s.adminToken)) == 1 {
			return ""
		}
		return "the bearer token is not this orgsim's admin token"
	}
	if h == "" {
		return "the request has no Authorization header"
	}
	a, aerr := parseAuthorizationValue(h)
	switch {
	case aerr != nil:
		return "the Authorization header is neither a bearer token nor a SigV4 signature"
	case a.service != adminSigningName:
		return `the SigV4 credential scope names the service "` + clip(a.service) + `", not "` + adminSigningName + `"`
	case a.accessKey != s.mgmt.AccessKeyID:
		return "the request is not signed with the management credentials"
	}
	s.mu.Lock()
	cred := s.creds[a.accessKey]
	s.mu.Unlock()
	if cred == nil {
		return "the management access key no longer exists"
	}
	at, ok := signedAt(r)
	if !ok {
		return "the signed request has no X-Amz-Date"
	}
	if now := s.requestClock(); at.Before(now.Add(-adminMaxSkew)) || at.After(now.Add(adminMaxSkew)) {
		return "the request is dated more than 5 minutes from orgsim's clock"
	}
	if !signatureMatches(signatureOf(r, a, cred.secret, bodyHash(body), at, false), a.signature) {
		return "the SigV4 signature does not match"
	}
	return ""
}

// clip cuts s, which a client sent, to a short prefix for a message.
func clip(s string) string {
	const max = 32
	for i := range s {
		if i >= max {
			return s[:i] + "…"
		}
	}
	return s
}
