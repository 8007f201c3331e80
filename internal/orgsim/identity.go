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
	arn     string // arn:aws:iam::A:root | arn:aws:iam::A:user/N | arn:aws:sts::A:assumed-role/R/S
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
	// long-term credentials.
	session *sessionFacts
}

// credential is an access key orgsim issued.
type credential struct {
	accessKey string
	secret    string
	token     string // empty for long-lived keys
	p         *principal
}

// authenticate looks the access key up and verifies the signature and the
// session token.
func (s *Sim) authenticate(svc *service, r *http.Request, body []byte, a authHeader) (*credential, *apiError) {
	s.mu.Lock()
	cred := s.creds[a.accessKey]
	s.mu.Unlock()
	if cred == nil {
		return nil, svc.unknownKey()
	}
	if !signatureMatches(signature(r, body, a, cred.secret, svc.protocol == protoRESTXML), a.signature) {
		return nil, svc.badSignature()
	}
	if cred.token != r.Header.Get("X-Amz-Security-Token") {
		return nil, svc.unknownKey()
	}
	return cred, nil
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
func rootPrincipal(account string) *principal {
	return &principal{kind: principalRoot, account: account, arn: "arn:aws:iam::" + account + ":root", userID: account}
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
