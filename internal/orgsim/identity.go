package orgsim

import (
	"crypto/sha256"
	"encoding/base32"
	"encoding/binary"
	"math/rand/v2"
	"net/http"
	"strings"
	"time"

	"github.com/orgbaseline/orgbaseline/internal/iampolicy"
)

type principalKind int

const (
	principalRoot principalKind = iota
	principalUser
	principalAssumedRole
)

// principal is who a credential speaks for.
type principal struct {
	kind    principalKind
	account string
	arn     string // arn:PARTITION:iam::A:root | ...:iam::A:user/N | ...:sts::A:assumed-role/R/S
	userID  string // AIDA... | AROA...:session | account id for root
	// for users
	userName string
	// for assumed roles
	roleName    string
	roleARN     string
	sessionName string
	// sessionPolicies narrow the session (AssumeRole Policy and PolicyArns);
	// nil means no session policy was passed.
	sessionPolicies []*iampolicy.Policy
	// chained is true when the session was obtained with role credentials
	// (role chaining caps it at one hour).
	chained        bool
	expires        time.Time
	sourceIdentity string
	// session is how a role session was obtained (reqctx.go); nil for
	// long-term credentials. A root session (sts:AssumeRoot) has one too.
	session *sessionFacts
	// task is the task policy of a root session made by sts:AssumeRoot
	// (sts_root.go); nil for every other principal. A root session is
	// kind principalRoot: it acts as the member account's root user.
	task *rootTaskPolicy
}

// assumedRoot reports whether p is a root session made by sts:AssumeRoot.
func (p *principal) assumedRoot() bool { return p.task != nil }

// credential is an access key orgsim issued.
type credential struct {
	accessKey string
	secret    string
	token     string // empty for long-lived keys
	p         *principal
}

// authenticate checks the request's signature, in the order AWS does:
// the date and the scope, the access key, the clock, the signature (made
// again with the SDK's signer, sigv4.go), the payload hash and the
// session token.
func (s *Sim) authenticate(svc *service, r *http.Request, body []byte, a authHeader) (*credential, *apiError) {
	at, ok := signedAt(r)
	if !ok {
		return nil, svc.missingDate()
	}
	if !s.inPartition(a.region) {
		return nil, svc.invalidRegion(a.region, s.GlobalRegion())
	}
	s.mu.Lock()
	cred := s.creds[a.accessKey]
	s.mu.Unlock()
	if cred == nil {
		return nil, svc.unknownKey()
	}
	if max := s.like.MaxClockSkew; max > 0 {
		if now := s.requestClock(); at.Before(now.Add(-max)) || at.After(now.Add(max)) {
			return nil, svc.clockSkewed(at, now, max)
		}
	}
	s3 := svc.protocol == protoRESTXML
	payload, aerr := s.payloadHash(s3, r, body)
	if aerr != nil {
		return nil, aerr
	}
	if !signatureMatches(signatureOf(r, a, cred.secret, payload, at, s3), a.signature) {
		return nil, svc.badSignature()
	}
	if s3 && s.like.PayloadHash && hashedPayload(payload) {
		if sum := bodyHash(body); sum != payload {
			return nil, contentSHA256Mismatch(payload, sum)
		}
	}
	if cred.token != r.Header.Get("X-Amz-Security-Token") {
		return nil, svc.unknownKey()
	}
	return cred, nil
}

// payloadHash is the hashed payload a request's canonical request ends
// with. S3 takes the client's X-Amz-Content-Sha256, which SigV4 requires
// of every S3 request, and checks it against the body once the signature
// holds (authenticate). The other services hash the body they received,
// whatever a client claims in that header: a claim that is not the body's
// hash fails the signature (SigV4 docs, "Create a canonical request":
// HashedPayload is the hash of the request body). With PayloadHash off,
// any service takes the header's value when there is one.
func (s *Sim) payloadHash(s3 bool, r *http.Request, body []byte) (string, *apiError) {
	claimed := r.Header.Get("X-Amz-Content-Sha256")
	if claimed != "" && (s3 || !s.like.PayloadHash) {
		return claimed, nil
	}
	if s3 && s.like.PayloadHash {
		return "", missingContentSHA256()
	}
	return bodyHash(body), nil
}

// regionOpen refuses a call to an opt-in region the caller's account has
// not enabled (AWSLike.OptInRegions): the account's credentials do not
// exist there, and the service answers as to an unknown token
// (service.regionNotEnabled). IAM and Organizations are global, served
// from the partition's home region whatever region a client signs for,
// and are not refused; STS is regional, and is. Callers hold s.mu.
func (c *call) regionOpen() *apiError {
	if c.svc.global && c.svc.signingName != "sts" {
		return nil
	}
	if c.sim.regionEnabled(c.acct, c.region) {
		return nil
	}
	return c.svc.regionNotEnabled(!c.caller.expires.IsZero())
}

// mint issues a new credential for p. Session credentials (p.expires set)
// get an ASIA key and a session token; long-lived ones an AKIA key.
// Callers hold s.mu.
func (s *Sim) mint(p *principal) *credential {
	prefix := "AKIA"
	if !p.expires.IsZero() {
		prefix = "ASIA"
	}
	c := &credential{
		accessKey: prefix + s.randomID(16),
		secret:    s.randomString(40),
		p:         p,
	}
	if !p.expires.IsZero() {
		c.token = "IQoJb3JpZ2luX2VjE" + s.randomString(120)
	}
	if s.opts.RandomCredentials {
		// The seeded values are drawn all the same, so that every
		// identifier drawn after them is the seed's; they are replaced.
		c.accessKey = prefix + unpredictable(base32Upper, 16)
		c.secret = unpredictable(secretAlphabet, 40)
		if c.token != "" {
			c.token = "IQoJb3JpZ2luX2VjE" + unpredictable(secretAlphabet, 120)
		}
	}
	s.creds[c.accessKey] = c
	return c
}

// randomID returns n characters of [A-Z2-7] drawn from the seeded source,
// so identifiers repeat for the same seed.
func (s *Sim) randomID(n int) string {
	var buf [8]byte
	var b strings.Builder
	for b.Len() < n {
		binary.LittleEndian.PutUint64(buf[:], s.rng.Uint64())
		b.WriteString(base32.StdEncoding.WithPadding(base32.NoPadding).EncodeToString(buf[:]))
	}
	return b.String()[:n]
}

const secretAlphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/"

func (s *Sim) randomString(n int) string {
	b := make([]byte, n)
	for i := range b {
		b[i] = secretAlphabet[s.rng.IntN(len(secretAlphabet))]
	}
	return string(b)
}

// lowerID returns n characters of [0-9a-z] from the seeded source.
func (s *Sim) lowerID(n int) string {
	const al = "0123456789abcdefghijklmnopqrstuvwxyz"
	b := make([]byte, n)
	for i := range b {
		b[i] = al[s.rng.IntN(len(al))]
	}
	return string(b)
}

// derivedLowerID returns n characters of [0-9a-z] derived from the seed and
// key (say account, region and name of a resource), not drawn in request
// order: a resource made by concurrent requests gets the same identifier
// in every run, random-looking all the same. (A recorder deleted and made
// again gets the same suffix, where AWS would draw a new one; nothing a
// client does can depend on that.)
func (s *Sim) derivedLowerID(n int, key string) string {
	const al = "0123456789abcdefghijklmnopqrstuvwxyz"
	var seed [8]byte
	binary.LittleEndian.PutUint64(seed[:], uint64(s.opts.Seed))
	h := sha256.Sum256(append(seed[:], key...))
	r := rand.New(rand.NewPCG(binary.LittleEndian.Uint64(h[:8]), binary.LittleEndian.Uint64(h[8:16])))
	b := make([]byte, n)
	for i := range b {
		b[i] = al[r.IntN(len(al))]
	}
	return string(b)
}

// digits returns n decimal digits from the seeded source.
func (s *Sim) digits(n int) string {
	b := make([]byte, n)
	for i := range b {
		b[i] = byte('0' + s.rng.IntN(10))
	}
	return string(b)
}

// isAccountID reports whether s is an AWS account id: exactly 12 ASCII
// decimal digits.
func isAccountID(s string) bool {
	if len(s) != 12 {
		return false
	}
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return true
}

// rootPrincipal is the root user of an account.
func (s *Sim) rootPrincipal(account string) *principal {
	return &principal{kind: principalRoot, account: account, arn: s.arn("iam", "", account, "root"), userID: account}
}

// iamPrincipal is the principal as iampolicy sees it.
func (p *principal) iamPrincipal() iampolicy.Principal {
	return iampolicy.Principal{ARN: p.arn, Account: p.account, RoleARN: p.roleARN}
}

// principalARN is the value of aws:PrincipalArn: for a role session it is
// the role's ARN, not the session's.
func (p *principal) principalARN() string {
	if p.kind == principalAssumedRole {
		return p.roleARN
	}
	return p.arn
}
