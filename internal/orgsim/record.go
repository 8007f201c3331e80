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
	// SCPs in force did ("" when they allow it), RCPDenied why the RCPs in
	// force on the resource's account did ("" when they allow it or do
	// not apply).
	Denied, SCPDenied, RCPDenied string
	// Service is the service principal that made the request, for a
	// check a service makes as itself (ServiceChecks; Account is then the
	// account it acts for, aws:SourceAccount, and PrincipalARN the service
	// principal); "" for a principal's signed call.
	Service string
}

// Record starts (on) or stops recording authorizations; starting clears
// what was recorded.
func (s *Sim) Record(on bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.recording = on
	if on {
		s.recorded, s.svcChecks = nil, nil
	}
}

// ServiceChecks returns the requests service principals made as
// themselves since Record(true): CloudTrail's and Config's delivery checks
// on a log bucket and CloudTrail's on a trail's KMS key, each with the
// bucket (key) policy's and the RCPs' verdict. They are kept apart from
// Authorizations, which holds only the calls principals signed.
func (s *Sim) ServiceChecks() []Authorization {
	s.mu.Lock()
	defer s.mu.Unlock()
	return slices.Clone(s.svcChecks)
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
	cp := copyRequest(req)
	s.recorded = append(s.recorded, Authorization{
		Account: c.caller.account, PrincipalARN: c.caller.arn, Region: c.region, Operation: c.op,
		Request: cp, Denied: denied, SCPDenied: s.scpDenial(c.caller.account, req),
		RCPDenied: s.rcpDenial(s.rcpResourceAccount(c.caller.account, req), req),
	})
}

// recordService keeps one check a service principal made (sc, as req)
// when recording; denied is the whole verdict, rcp the RCPs'. Callers
// hold s.mu.
func (s *Sim) recordService(sc serviceCall, req *iampolicy.Request, denied, rcp string) {
	if !s.recording {
		return
	}
	s.svcChecks = append(s.svcChecks, Authorization{
		Account: sc.sourceAccount, PrincipalARN: sc.service, Service: sc.service,
		Request: copyRequest(req), Denied: denied, RCPDenied: rcp,
	})
}

// serviceDenial is why a service principal's request is denied by the
// resource policy's decision d and the RCPs' verdict rcp ("" when
// allowed), worded as AccessDenied ends.
func serviceDenial(d iampolicy.Decision, rcp, action string) string {
	switch {
	case rcp != "":
		return rcp
	case d == iampolicy.ExplicitDeny:
		return "with an explicit deny in a resource-based policy"
	case d != iampolicy.Allow:
		return "because no resource-based policy allows the " + action + " action"
	}
	return ""
}

// copyRequest copies req and its context, for a record the caller may keep.
func copyRequest(req *iampolicy.Request) *iampolicy.Request {
	cp := *req
	cp.Context = make(map[string][]string, len(req.Context))
	for k, v := range req.Context {
		cp.Context[k] = slices.Clone(v)
	}
	return &cp
}
