package orgsim

import (
	"crypto/hmac"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/hex"
	"net/http"
	"net/url"
	"sort"
	"strconv"
	"strings"
)

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
	var a authHeader
	h := r.Header.Get("Authorization")
	if h == "" {
		return a, newErr(403, "MissingAuthenticationToken", "Request is missing Authentication Token")
	}
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

// signature computes the SigV4 signature of r as the SDK's signer does
// (aws/signer/v4/v4.go): canonical request, string to sign, derived key.
func signature(r *http.Request, body []byte, a authHeader, secret string, pathEscaped bool) string {
	var cr strings.Builder
	cr.WriteString(r.Method)
	cr.WriteByte('\n')
	uri := r.URL.EscapedPath()
	if uri == "" {
		uri = "/"
	}
	if !pathEscaped {
		uri = escapePath(uri)
	}
	cr.WriteString(uri)
	cr.WriteByte('\n')
	cr.WriteString(canonicalQuery(r.URL.Query()))
	cr.WriteByte('\n')
	for _, h := range a.signedHeaders {
		cr.WriteString(h)
		cr.WriteByte(':')
		switch h {
		case "host":
			cr.WriteString(stripExcessSpaces(r.Host))
		case "content-length":
			cr.WriteString(strconv.FormatInt(r.ContentLength, 10))
		default:
			vals := r.Header.Values(h)
			for i, v := range vals {
				if i > 0 {
					cr.WriteByte(',')
				}
				cr.WriteString(strings.TrimSpace(stripExcessSpaces(v)))
			}
		}
		cr.WriteByte('\n')
	}
	cr.WriteByte('\n')
	cr.WriteString(strings.Join(a.signedHeaders, ";"))
	cr.WriteByte('\n')
	payload := r.Header.Get("X-Amz-Content-Sha256")
	if payload == "" {
		sum := sha256.Sum256(body)
		payload = hex.EncodeToString(sum[:])
	}
	cr.WriteString(payload)

	crSum := sha256.Sum256([]byte(cr.String()))
	scope := a.date + "/" + a.region + "/" + a.service + "/aws4_request"
	sts := "AWS4-HMAC-SHA256\n" + r.Header.Get("X-Amz-Date") + "\n" + scope + "\n" + hex.EncodeToString(crSum[:])

	k := hmacSHA256([]byte("AWS4"+secret), a.date)
	k = hmacSHA256(k, a.region)
	k = hmacSHA256(k, a.service)
	k = hmacSHA256(k, "aws4_request")
	return hex.EncodeToString(hmacSHA256(k, sts))
}

func signatureMatches(want, got string) bool {
	return subtle.ConstantTimeCompare([]byte(want), []byte(got)) == 1
}

func hmacSHA256(key []byte, data string) []byte {
	m := hmac.New(sha256.New, key)
	m.Write([]byte(data))
	return m.Sum(nil)
}

func canonicalQuery(q url.Values) string {
	type kv struct{ k, v string }
	var ps []kv
	for k, vs := range q {
		ek := queryEscape(k)
		for _, v := range vs {
			ps = append(ps, kv{ek, queryEscape(v)})
		}
	}
	sort.Slice(ps, func(i, j int) bool {
		if ps[i].k != ps[j].k {
			return ps[i].k < ps[j].k
		}
		return ps[i].v < ps[j].v
	})
	var b strings.Builder
	for i, p := range ps {
		if i > 0 {
			b.WriteByte('&')
		}
		b.WriteString(p.k)
		b.WriteByte('=')
		b.WriteString(p.v)
	}
	return b.String()
}

func queryEscape(s string) string { return strings.ReplaceAll(url.QueryEscape(s), "+", "%20") }

// escapePath escapes every byte outside the RFC 3986 unreserved set except
// '/', as smithy-go's httpbinding.EscapePath(path, false) does.
func escapePath(p string) string {
	const hexd = "0123456789ABCDEF"
	var b strings.Builder
	for i := 0; i < len(p); i++ {
		c := p[i]
		if (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' || c == '.' || c == '_' || c == '~' || c == '/' {
			b.WriteByte(c)
			continue
		}
		b.WriteByte('%')
		b.WriteByte(hexd[c>>4])
		b.WriteByte(hexd[c&15])
	}
	return b.String()
}

// stripExcessSpaces collapses runs of spaces into one and trims the ends.
func stripExcessSpaces(s string) string {
	s = strings.Trim(s, " ")
	if !strings.Contains(s, "  ") {
		return s
	}
	var b strings.Builder
	prev := false
	for i := 0; i < len(s); i++ {
		if s[i] == ' ' {
			if prev {
				continue
			}
			prev = true
		} else {
			prev = false
		}
		b.WriteByte(s[i])
	}
	return b.String()
}
