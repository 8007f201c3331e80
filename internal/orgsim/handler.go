package orgsim

import (
	"bytes"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"net/http"
	"net/url"
	"strings"
	"time"
)

type protocol int

const (
	protoJSON     protocol = iota // awsJson1_1: POST /, X-Amz-Target
	protoQuery                    // awsQuery: POST / with a form body
	protoRESTJSON                 // restJson1: method and path
	protoRESTXML                  // restXml (S3, path style)
)

// service describes one AWS service as orgsim serves it.
type service struct {
	signingName  string // SigV4 service name in the credential scope
	actionPrefix string // IAM action prefix, e.g. "organizations", "access-analyzer"
	protocol     protocol
	jsonVersion  string // awsJson content type version ("1.1")
	xmlns        string // awsQuery response namespace
	global       bool   // state is not per region (IAM, Organizations, STS)
	// route resolves the operation name (and path parameters) of a REST
	// request; nil for awsJson and awsQuery, which name it in the request.
	route func(r *http.Request) (op string, params map[string]string, err *apiError)
	ops   map[string]op
	// throttle is the error a throttled call gets.
	throttle func() *apiError
	// transient is the error an injected 5xx fault gets.
	transient func() *apiError
	// denied is the error code and status for AccessDenied.
	deniedCode   string
	deniedStatus int
	// unauthenticated errors: unknown key, bad signature, expired token.
	unknownKey, badSignature, expiredToken func() *apiError
}

// op is one operation of a service.
type op struct {
	fn    func(c *call) (any, *apiError)
	write bool // counted as a write; reads are Get/List/Describe
	// action overrides the IAM action checked for the call; default
	// actionPrefix:OperationName. "-" means the call is not authorized
	// (e.g. sts:GetCallerIdentity, which needs no permission).
	action string
	// resource returns the ARN the call acts on for authorization; nil means "*".
	resource func(c *call) string
	// busy returns the entities a write changes (the policies and targets
	// of an Organizations write), held from its arrival until its
	// response is written: another write reaching one of them meanwhile
	// has conflict set (AWSLike.ConcurrentModification). nil holds none.
	busy func(c *call) []string
	// regionalOnly: the partition's global endpoint does not serve the
	// operation (sts:AssumeRoot) and answers as to an unknown one
	// (sts_root.go).
	regionalOnly bool
}

// call is one request in flight: who is calling, where, with what.
type call struct {
	sim    *Sim
	svc    *service
	op     string
	region string
	caller *principal
	acct   *Account // the caller's account
	now    time.Time
	req    *http.Request
	body   []byte
	form   url.Values        // awsQuery parameters
	params map[string]string // REST path parameters
	reqID  string
	// accessKey is the key the request was signed with.
	accessKey string
	// conflict: another write in flight holds an entity this one
	// changes (op.busy).
	conflict bool
}

// decode unmarshals a JSON request body into v.
func (c *call) decode(v any) *apiError {
	if len(bytes.TrimSpace(c.body)) == 0 {
		return nil
	}
	if err := json.Unmarshal(c.body, v); err != nil {
		if c.svc.protocol == protoRESTJSON {
			return newErr(400, "ValidationException", "Could not parse request body: %v", err).with("reason", "cannotParse")
		}
		return newErr(400, "SerializationException", "Could not parse request body: %v", err)
	}
	return nil
}

// regionState returns the caller's account state in the call's region.
func (c *call) regionState() *Region { return c.acct.region(c.region) }

// rawResponse lets an operation write its own status, headers and body
// (S3 GetBucketPolicy, HeadBucket, Access Analyzer DeleteAnalyzer, ...).
type rawResponse struct {
	Status int
	Header http.Header
	Body   []byte
}

const adminPrefix = "/_orgsim/"

// ServeHTTP answers one AWS API request.
func (s *Sim) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if strings.HasPrefix(r.URL.Path, adminPrefix) {
		s.serveAdmin(w, r)
		return
	}
	reqID := newRequestID()
	// AWS dates every response by its own clock; SDKs correct their
	// signing clock from it when a request is refused as skewed
	// (sigv4.go), as they do against AWS.
	w.Header().Set("Date", s.requestClock().Format(http.TimeFormat))
	auth, aerr := parseAuthorization(r)
	if aerr != nil {
		writeError(w, s.services[auth.service], aerr, reqID)
		return
	}
	svc := s.services[auth.service]
	if svc == nil {
		writeError(w, nil, newErr(400, "UnknownService", "orgsim does not emulate the service %q (signing name from the credential scope)", auth.service), reqID)
		return
	}
	body, aerr := readBody(w, r, svc, maxRequestBody)
	if aerr != nil {
		writeError(w, svc, aerr, reqID)
		return
	}
	c := &call{sim: s, svc: svc, region: auth.region, req: r, body: body, reqID: reqID}
	if svc.protocol == protoQuery {
		var err error
		c.form, err = url.ParseQuery(string(body))
		if err != nil {
			writeError(w, svc, newErr(400, "MalformedQueryString", "%v", err), reqID)
			return
		}
	}
	// AWS authenticates before it looks at the operation.
	cred, aerr := s.authenticate(svc, r, body, auth)
	if aerr != nil {
		writeError(w, svc, aerr, reqID)
		return
	}
	c.caller = cred.p
	c.accessKey = cred.accessKey
	opName, params, aerr := s.resolveOp(svc, r, c.form)
	if aerr != nil {
		writeError(w, svc, aerr, reqID)
		return
	}
	c.op, c.params = opName, params
	spec, ok := svc.ops[opName]
	if !ok {
		writeError(w, svc, unknownOperation(svc, opName), reqID)
		return
	}
	if spec.regionalOnly && s.globalEndpoint(r.Host) {
		writeError(w, svc, globalEndpointRefusal(), reqID)
		return
	}

	// Faults come after authentication, as AWS throttles authenticated callers.
	faultRegion := auth.region
	if svc.global {
		faultRegion = ""
	}
	f := s.faults.decide(svc.signingName, opName, cred.p.account, faultRegion)
	if spec.busy != nil && s.like.ConcurrentModification && !f.throttled && !f.failed {
		var held []string
		held, c.conflict = s.faults.claim(svc.signingName, spec.busy(c))
		defer s.faults.release(svc.signingName, held)
	}
	s.opts.Sleep(f.delay, r.Context().Done())
	s.counters.record(svc.signingName, opName, cred.p.account, spec.write, f)
	if f.throttled {
		writeError(w, svc, svc.throttle(), reqID)
		return
	}
	if f.failed {
		writeError(w, svc, svc.transient(), reqID)
		return
	}

	out, aerr := s.run(c, spec)
	if aerr != nil {
		s.counters.recordError(svc.signingName, opName, cred.p.account, aerr.Code)
		writeError(w, svc, aerr, reqID)
		return
	}
	writeOutput(w, svc, opName, out, reqID)
}

// run executes an operation under the state lock, after authorization.
func (s *Sim) run(c *call, spec op) (any, *apiError) {
	s.mu.Lock()
	defer s.mu.Unlock()
	c.now = s.now()
	s.settleDue(c.now)
	acct := s.accounts[c.caller.account]
	if acct == nil {
		return nil, c.svc.unknownKey()
	}
	c.acct = acct
	if aerr := c.regionOpen(); aerr != nil {
		return nil, aerr
	}
	if !c.caller.expires.IsZero() && !c.now.Before(c.caller.expires) {
		return nil, c.svc.expiredToken()
	}
	c.recordKeyUse()
	if acct.State != "ACTIVE" {
		// Suspended accounts cannot make calls; AWS answers like this.
		return nil, newErr(c.svc.deniedStatus, c.svc.deniedCode, "The AWS account %s is suspended or closed and cannot make this call.", acct.ID)
	}
	if spec.action != "-" {
		action := spec.action
		if action == "" {
			action = c.svc.actionPrefix + ":" + c.op
		}
		resource := "*"
		if spec.resource != nil {
			resource = spec.resource(c)
		}
		if aerr := s.authorize(c, action, resource); aerr != nil {
			return nil, aerr
		}
	}
	return spec.fn(c)
}

func (s *Sim) resolveOp(svc *service, r *http.Request, form url.Values) (string, map[string]string, *apiError) {
	switch svc.protocol {
	case protoJSON:
		target := r.Header.Get("X-Amz-Target")
		if target == "" {
			return "", nil, newErr(400, "UnknownOperationException", "missing X-Amz-Target header")
		}
		// Go sends CloudTrail_20131101.Op; botocore sends a dotted prefix.
		// The operation is whatever follows the last dot.
		return target[strings.LastIndexByte(target, '.')+1:], nil, nil
	case protoQuery:
		a := form.Get("Action")
		if a == "" {
			return "", nil, newErr(400, "MissingAction", "Missing Action")
		}
		return a, nil, nil
	default:
		return svc.route(r)
	}
}

// unknownOperation is AWS's answer to an operation it does not know: for
// awsQuery InvalidAction "Could not find operation X for version
// 2010-05-08" (400; e.g. fog/fog-aws issue 368), for restJson1 the Smithy
// framework's UnknownOperationException (404), for awsJson
// UnknownOperationException (400).
func unknownOperation(svc *service, name string) *apiError {
	switch svc.protocol {
	case protoQuery:
		version := strings.TrimSuffix(svc.xmlns, "/")
		version = version[strings.LastIndexByte(version, '/')+1:]
		return newErr(400, "InvalidAction", "Could not find operation %s for version %s", name, version)
	case protoRESTJSON:
		return newErr(404, "UnknownOperationException", "orgsim does not implement %s", name)
	case protoRESTXML:
		return newErr(501, "NotImplemented", "A header you provided implies functionality that is not implemented (%s)", name)
	default:
		return newErr(400, "UnknownOperationException", "orgsim does not implement %s", name)
	}
}

func newRequestID() string {
	var b [16]byte
	_, _ = rand.Read(b[:])
	h := hex.EncodeToString(b[:])
	return h[0:8] + "-" + h[8:12] + "-" + h[12:16] + "-" + h[16:20] + "-" + h[20:32]
}

func writeError(w http.ResponseWriter, svc *service, e *apiError, reqID string) {
	for k, v := range e.Header {
		w.Header()[k] = v
	}
	if svc == nil {
		writeJSONError(w, e, reqID)
		return
	}
	switch svc.protocol {
	case protoJSON, protoRESTJSON:
		writeJSONError(w, e, reqID)
	case protoQuery:
		writeQueryError(w, svc, e, reqID)
	case protoRESTXML:
		writeS3Error(w, e, reqID)
	}
}

func writeOutput(w http.ResponseWriter, svc *service, opName string, out any, reqID string) {
	if raw, ok := out.(*rawResponse); ok {
		for k, v := range raw.Header {
			w.Header()[k] = v
		}
		w.Header().Set("X-Amzn-Requestid", reqID)
		w.Header().Set("X-Amz-Request-Id", reqID)
		status := raw.Status
		if status == 0 {
			status = 200
		}
		w.WriteHeader(status)
		_, _ = w.Write(raw.Body)
		return
	}
	switch svc.protocol {
	case protoJSON:
		writeJSONOutput(w, "application/x-amz-json-"+svc.jsonVersion, out, reqID)
	case protoRESTJSON:
		writeJSONOutput(w, "application/json", out, reqID)
	case protoQuery:
		writeQueryOutput(w, svc, opName, out, reqID)
	case protoRESTXML:
		writeXMLOutput(w, out, reqID)
	}
}

// recordKeyUse stamps an IAM user's access key with its last use, as IAM
// does for every authenticated call (the credential report and
// GetAccessKeyLastUsed read it).
func (c *call) recordKeyUse() {
	p := c.caller
	if p.kind != principalUser || c.acct.iam == nil {
		return
	}
	u := c.acct.iam.users[p.userName]
	if u == nil {
		return
	}
	region := c.region
	if c.svc.global {
		region = c.sim.GlobalRegion()
	}
	for _, k := range u.accessKeys {
		if k.id == c.accessKey {
			k.lastUsed, k.lastUsedService, k.lastUsedRegion = c.now, c.svc.signingName, region
		}
	}
}
