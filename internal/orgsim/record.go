package orgsim

import (
	"slices"

	"github.com/orgbaseline/orgbaseline/internal/iampolicy"
)

// Recording the authorizations orgsim makes: every time a principal's
// signed call is authorized (authorizeWith), the request as orgsim built
// it (action, resource, principal and the whole request context of
// reqctx.go) and where it was made. Tests use the record to compare a
// prediction (the SCP lockout guard's) with what orgsim decided on the
// requests the tool really sent; nothing in orgsim reads it back.

// Authorization is one authorization orgsim made.
type Authorization struct {
	// Account is the caller's account, PrincipalARN the caller (a role
	// session's assumed-role ARN), Region the region called.
	Account, PrincipalARN, Region string
	// Operation is the API operation called (e.g. CreateBucket).
	Operation string
	// Request is the request as evaluated: action, resource, principal
	// and context. It is a copy the caller may keep.
	Request *iampolicy.Request
	// Denied is why orgsim denied it ("" when allowed), SCPDenied why the
	// SCPs in force did ("" when they allow it).
	Denied, SCPDenied string
}

// Record starts (on) or stops recording authorizations; starting clears
// what was recorded.
func (s *Sim) Record(on bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.recording = on
	if on {
		s.recorded = nil
	}
}

// Authorizations returns the authorizations recorded since Record(true).
func (s *Sim) Authorizations() []Authorization {
	s.mu.Lock()
	defer s.mu.Unlock()
	return slices.Clone(s.recorded)
}

// SCPDenial is why the SCPs in force now on account deny req ("" when
// they allow it), as orgsim decides for a live call (auth.go).
func (s *Sim) SCPDenial(account string, req *iampolicy.Request) string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.scpDenial(account, req)
}

// record keeps one authorization when recording. Callers hold s.mu.
func (s *Sim) record(c *call, req *iampolicy.Request, denied string) {
	if !s.recording {
		return
	}
	cp := *req
	cp.Context = make(map[string][]string, len(req.Context))
	for k, v := range req.Context {
		cp.Context[k] = slices.Clone(v)
	}
	s.recorded = append(s.recorded, Authorization{
		Account: c.caller.account, PrincipalARN: c.caller.arn, Region: c.region, Operation: c.op,
		Request: &cp, Denied: denied, SCPDenied: s.scpDenial(c.caller.account, req),
	})
}
