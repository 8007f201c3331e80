package orgsim

import (
	"bufio"
	"bytes"
	"crypto/md5"
	"crypto/sha256"
	"encoding/base64"
	"encoding/binary"
	"encoding/hex"
	"encoding/json"
	"encoding/xml"
	"errors"
	"hash/crc32"
	"io"
	"net"
	"net/http"
	"net/url"
	"sort"
	"strconv"
	"strings"

	"github.com/orgbaseline/orgbaseline/internal/iampolicy"
)

// S3 (restXml, path style /{bucket}?subresource, signing name "s3").
//
// Served: ListBuckets, CreateBucket, HeadBucket, DeleteBucket,
// GetBucketLocation, Put/Get/DeleteBucketPolicy, Put/GetBucketVersioning,
// Put/Get/DeletePublicAccessBlock, Put/Get/DeleteBucketEncryption,
// Put/Get/DeleteBucketTagging and GetBucketAcl. Every other bucket or object
// operation resolves to its real name and is answered 501 NotImplemented.
//
// AWS behaviours modelled (and sources where they are not obvious):
//   - Buckets created since April 2023 have all four Block Public Access
//     settings on and ACLs disabled (BucketOwnerEnforced); since January
//     2023 they are encrypted with SSE-S3 (AES256) by default, and
//     DeleteBucketEncryption returns them to that default rather than
//     leaving them unencrypted.
//   - CreateBucket of a bucket the caller already owns answers 200 in
//     us-east-1 (legacy behaviour, documented on types.BucketAlreadyOwnedByYou
//     in the SDK) and 409 BucketAlreadyOwnedByYou elsewhere.
//   - A request for a bucket sent to another Region's endpoint (signed for
//     another Region) is answered 301 PermanentRedirect with
//     x-amz-bucket-region; GetBucketLocation works from every Region.
//   - GetBucketPolicy does not return the bytes that were put: S3 stores the
//     policy minified (whitespace outside strings removed), and a bare
//     12-digit account id as an AWS principal comes back as
//     arn:aws:iam::ID:root (aws/aws-cli#849, hashicorp/terraform#9036,
//     pulumi/pulumi-aws#855, aws-controllers-k8s/community#2591). orgsim
//     keeps key order and string contents; the verbatim text stays in
//     bucket.policy for the other services.
//   - PutBucketPolicy refuses a public policy (see s3PolicyPublic for what
//     counts as public, an approximation of AWS's rules) when the bucket's
//     BlockPublicPolicy is on.
//
//   - Every operation on a bucket is authorized with the bucket policy
//     (auth.go, decide), as S3 does ("How Amazon S3 authorizes a request
//     for a bucket operation", S3 user guide): within the owner's account
//     an Allow in the caller's identity policies or a bucket policy Allow
//     naming the caller is enough; a caller of another account needs both
//     its own policies and the bucket policy to allow. An explicit Deny in
//     the bucket policy binds every principal, the owner's users, roles
//     and root user included (AWSLike.BucketDenyBindsOwner; "Bucket
//     policies for Amazon S3", S3 user guide), except that the owner's
//     root user can always Get, Put and Delete the bucket policy (S3 API
//     reference, PutBucketPolicy: "As a security precaution, the root user
//     of the AWS account that owns a bucket can always use this
//     operation, even if the policy explicitly denies the root user").
//     Only the owner's account may call the bucket policy operations:
//     405 MethodNotAllowed for another account allowed by its policies
//     (same page). RestrictPublicBuckets keeps other accounts out of a
//     bucket with a public policy. ACLs are disabled (BucketOwnerEnforced)
//     and play no part.
//   - AWS services that deliver to a bucket (CloudTrail, Config) are
//     authorized by the bucket policy alone, as their service principal,
//     with the request context of reqctx.go (bucketAllowsService).
//
// Differences from AWS, on purpose: the account-level Block Public Access
// (s3control) is not modelled; object operations are not served.
// Unverified wording, chosen here: PolicyTooLarge for a policy over 20 KB
// (minified), InvalidRequest for enabling MFA delete without x-amz-mfa,
// and the message of the RestrictPublicBuckets denial.

const (
	s3Namespace      = "http://s3.amazonaws.com/doc/2006-03-01/"
	s3MaxBuckets     = 10000 // general purpose buckets per account (default quota since 2024)
	s3MaxPolicyBytes = 20480
)

// s3Regions are the values of the LocationConstraint enum
// (s3@v1.114.8/types/enums.go BucketLocationConstraint), us-east-1 excluded:
// it is never a valid LocationConstraint.
var s3Regions = map[string]bool{}

func init() {
	for _, r := range strings.Fields("af-south-1 ap-east-1 ap-east-2 ap-northeast-1 ap-northeast-2 ap-northeast-3 ap-south-1 ap-south-2 " +
		"ap-southeast-1 ap-southeast-2 ap-southeast-3 ap-southeast-4 ap-southeast-5 ap-southeast-6 ap-southeast-7 ca-central-1 ca-west-1 " +
		"cn-north-1 cn-northwest-1 EU eu-central-1 eu-central-2 eu-north-1 eu-south-1 eu-south-2 eu-west-1 eu-west-2 eu-west-3 " +
		"il-central-1 me-central-1 me-south-1 mx-central-1 sa-east-1 us-east-2 us-gov-east-1 us-gov-west-1 us-west-1 us-west-2") {
		s3Regions[r] = true
	}
}

func s3Ops() map[string]op {
	bucketARN := func(c *call) string { return c.sim.arn("s3", "", "", c.params["bucket"]) }
	read := func(fn func(*call) (any, *apiError), action string) op {
		return op{fn: fn, action: action, resource: bucketARN}
	}
	write := func(fn func(*call) (any, *apiError), action string) op {
		return op{fn: fn, write: true, action: action, resource: bucketARN}
	}
	return map[string]op{
		"ListBuckets":             {fn: s3ListBuckets, action: "s3:ListAllMyBuckets"},
		"CreateBucket":            write(s3CreateBucket, ""),
		"HeadBucket":              read(s3HeadBucket, "s3:ListBucket"),
		"DeleteBucket":            write(s3DeleteBucket, ""),
		"GetBucketLocation":       read(s3GetBucketLocation, ""),
		"PutBucketPolicy":         write(s3PutBucketPolicy, ""),
		"GetBucketPolicy":         read(s3GetBucketPolicy, ""),
		"DeleteBucketPolicy":      write(s3DeleteBucketPolicy, ""),
		"PutBucketVersioning":     write(s3PutBucketVersioning, ""),
		"GetBucketVersioning":     read(s3GetBucketVersioning, ""),
		"PutPublicAccessBlock":    write(s3PutPublicAccessBlock, "s3:PutBucketPublicAccessBlock"),
		"GetPublicAccessBlock":    read(s3GetPublicAccessBlock, "s3:GetBucketPublicAccessBlock"),
		"DeletePublicAccessBlock": write(s3DeletePublicAccessBlock, "s3:PutBucketPublicAccessBlock"),
		"PutBucketEncryption":     write(s3PutBucketEncryption, "s3:PutEncryptionConfiguration"),
		"GetBucketEncryption":     read(s3GetBucketEncryption, "s3:GetEncryptionConfiguration"),
		"DeleteBucketEncryption":  write(s3DeleteBucketEncryption, "s3:PutEncryptionConfiguration"),
		"PutBucketTagging":        write(s3PutBucketTagging, ""),
		"GetBucketTagging":        read(s3GetBucketTagging, ""),
		"DeleteBucketTagging":     write(s3DeleteBucketTagging, "s3:PutBucketTagging"),
		"GetBucketAcl":            read(s3GetBucketAcl, ""),
	}
}

// s3Subresources maps a bucket subresource query key to the operations
// reached with GET, PUT, DELETE and POST.
var s3Subresources = map[string][4]string{
	"policy":                {"GetBucketPolicy", "PutBucketPolicy", "DeleteBucketPolicy"},
	"versioning":            {"GetBucketVersioning", "PutBucketVersioning"},
	"publicAccessBlock":     {"GetPublicAccessBlock", "PutPublicAccessBlock", "DeletePublicAccessBlock"},
	"encryption":            {"GetBucketEncryption", "PutBucketEncryption", "DeleteBucketEncryption"},
	"tagging":               {"GetBucketTagging", "PutBucketTagging", "DeleteBucketTagging"},
	"acl":                   {"GetBucketAcl", "PutBucketAcl"},
	"location":              {"GetBucketLocation"},
	"policyStatus":          {"GetBucketPolicyStatus"},
	"cors":                  {"GetBucketCors", "PutBucketCors", "DeleteBucketCors"},
	"lifecycle":             {"GetBucketLifecycleConfiguration", "PutBucketLifecycleConfiguration", "DeleteBucketLifecycle"},
	"logging":               {"GetBucketLogging", "PutBucketLogging"},
	"ownershipControls":     {"GetBucketOwnershipControls", "PutBucketOwnershipControls", "DeleteBucketOwnershipControls"},
	"notification":          {"GetBucketNotificationConfiguration", "PutBucketNotificationConfiguration"},
	"replication":           {"GetBucketReplication", "PutBucketReplication", "DeleteBucketReplication"},
	"website":               {"GetBucketWebsite", "PutBucketWebsite", "DeleteBucketWebsite"},
	"object-lock":           {"GetObjectLockConfiguration", "PutObjectLockConfiguration"},
	"accelerate":            {"GetBucketAccelerateConfiguration", "PutBucketAccelerateConfiguration"},
	"requestPayment":        {"GetBucketRequestPayment", "PutBucketRequestPayment"},
	"analytics":             {"GetBucketAnalyticsConfiguration", "PutBucketAnalyticsConfiguration", "DeleteBucketAnalyticsConfiguration"},
	"inventory":             {"GetBucketInventoryConfiguration", "PutBucketInventoryConfiguration", "DeleteBucketInventoryConfiguration"},
	"metrics":               {"GetBucketMetricsConfiguration", "PutBucketMetricsConfiguration", "DeleteBucketMetricsConfiguration"},
	"intelligent-tiering":   {"GetBucketIntelligentTieringConfiguration", "PutBucketIntelligentTieringConfiguration", "DeleteBucketIntelligentTieringConfiguration"},
	"uploads":               {"ListMultipartUploads"},
	"versions":              {"ListObjectVersions"},
	"list-type":             {"ListObjectsV2"},
	"delete":                {"", "", "", "DeleteObjects"},
	"session":               {"CreateSession"},
	"metadataConfiguration": {"GetBucketMetadataConfiguration", "", "DeleteBucketMetadataConfiguration", "CreateBucketMetadataConfiguration"},
	"metadataTable":         {"GetBucketMetadataTableConfiguration", "", "DeleteBucketMetadataTableConfiguration", "CreateBucketMetadataTableConfiguration"},
	"abac":                  {"GetBucketAbac", "PutBucketAbac"},
}

// s3Route resolves the operation from the method, the bucket (first path
// segment) and the query keys. The SDK sends subresources as "?policy=",
// so keys are parsed rather than the raw query string.
func s3Route(r *http.Request) (string, map[string]string, *apiError) {
	path := strings.TrimPrefix(r.URL.EscapedPath(), "/")
	if path == "" {
		if r.Method == http.MethodGet {
			return "ListBuckets", map[string]string{}, nil
		}
		return r.Method + "Service", nil, nil
	}
	seg, key, _ := strings.Cut(path, "/")
	name, err := url.PathUnescape(seg)
	if err != nil {
		return "", nil, newErr(400, "InvalidURI", "Couldn't parse the specified URI.")
	}
	params := map[string]string{"bucket": name}
	if key != "" {
		// Object operations are not served.
		switch r.Method {
		case http.MethodGet:
			return "GetObject", params, nil
		case http.MethodPut:
			return "PutObject", params, nil
		case http.MethodDelete:
			return "DeleteObject", params, nil
		case http.MethodHead:
			return "HeadObject", params, nil
		}
		return "PostObject", params, nil
	}
	q := r.URL.Query()
	keys := make([]string, 0, len(q))
	for k := range q {
		if k != "x-id" {
			keys = append(keys, k)
		}
	}
	sort.Strings(keys)
	col := map[string]int{http.MethodGet: 0, http.MethodPut: 1, http.MethodDelete: 2, http.MethodPost: 3}
	for _, k := range keys {
		ops, known := s3Subresources[k]
		if !known {
			continue
		}
		i, ok := col[r.Method]
		if !ok || ops[i] == "" {
			return r.Method + "Bucket" + k, params, nil
		}
		return ops[i], params, nil
	}
	switch r.Method {
	case http.MethodGet:
		return "ListObjects", params, nil
	case http.MethodPut:
		return "CreateBucket", params, nil
	case http.MethodHead:
		return "HeadBucket", params, nil
	case http.MethodDelete:
		return "DeleteBucket", params, nil
	}
	return "PostBucket", params, nil
}

// s3CanonicalID is the account's S3 canonical user id (64 hex digits),
// derived from the account id so that it is stable.
func s3CanonicalID(account string) string {
	sum := sha256.Sum256([]byte("orgsim-s3-canonical-user:" + account))
	return hex.EncodeToString(sum[:])
}

func s3AccessDenied() *apiError { return newErr(403, "AccessDenied", "Access Denied") }

// bucketAllowsService reports whether bucket b's policy, as the services
// that deliver to the bucket see it (bucket.servicePolicy: a new policy
// reaches them once it has propagated), lets a service principal make sc.
// A service principal has no identity policy and no SCP applies to it:
// the bucket policy decides, with the request context a service's request
// carries (serviceRequest), and the RCPs of the bucket's account may deny
// it (auth_rcp.go: RCPs bind service principals too). Callers hold s.mu.
func (s *Sim) bucketAllowsService(b *bucket, sc serviceCall) bool {
	pol := b.servicePolicy()
	if pol == nil {
		return false
	}
	req := s.serviceRequest(sc, s.now())
	rcp := s.rcpDenial(b.owner, req)
	denied := serviceDenial(pol.Evaluate(req).Decision, rcp, sc.action)
	s.recordService(sc, req, denied, rcp)
	return denied == ""
}

// validBucketName applies the general purpose bucket naming rules
// (Amazon S3 User Guide, "General purpose bucket naming rules").
func validBucketName(n string) bool {
	if len(n) < 3 || len(n) > 63 {
		return false
	}
	for i := 0; i < len(n); i++ {
		ch := n[i]
		if !(ch >= 'a' && ch <= 'z' || ch >= '0' && ch <= '9' || ch == '.' || ch == '-') {
			return false
		}
	}
	alnum := func(ch byte) bool { return ch >= 'a' && ch <= 'z' || ch >= '0' && ch <= '9' }
	if !alnum(n[0]) || !alnum(n[len(n)-1]) || strings.Contains(n, "..") {
		return false
	}
	if ip := net.ParseIP(n); ip != nil && ip.To4() != nil {
		return false
	}
	for _, p := range []string{"xn--", "sthree-", "amzn-s3-demo-"} {
		if strings.HasPrefix(n, p) {
			return false
		}
	}
	for _, s := range []string{"-s3alias", "--ol-s3", ".mrap", "--x-s3", "--table-s3"} {
		if strings.HasSuffix(n, s) {
			return false
		}
	}
	return true
}

// s3Bucket finds the bucket the call names and checks that the caller may
// manage it here: it exists (404 NoSuchBucket), the request went to its
// Region (301 PermanentRedirect), and it belongs to
// x-amz-expected-bucket-owner when that header is sent (403). Whether the
// caller may act on it at all, its own account's or another's, the
// authorization before the operation decided, with the bucket policy
// (auth.go).
func (c *call) s3Bucket(anyRegion bool) (*bucket, *apiError) {
	b := c.sim.buckets[c.params["bucket"]]
	if b == nil {
		return nil, newErr(404, "NoSuchBucket", "The specified bucket does not exist")
	}
	if !anyRegion && b.region != c.region {
		e := newErr(301, "PermanentRedirect", "The bucket you are attempting to access must be addressed using the specified endpoint. Please send all future requests to this endpoint.")
		e.Header = http.Header{"X-Amz-Bucket-Region": {b.region}}
		return nil, e
	}
	if exp := c.req.Header.Get("X-Amz-Expected-Bucket-Owner"); exp != "" && exp != b.owner {
		return nil, s3AccessDenied()
	}
	return b, nil
}

// s3OwnedBucket is s3Bucket for the bucket policy operations, which only
// the bucket owner's account may call: "If you have the correct
// permissions, but you're not using an identity that belongs to the bucket
// owner's account, Amazon S3 returns a 405 Method Not Allowed error" (S3
// API reference, PutBucketPolicy; GetBucketPolicy and DeleteBucketPolicy
// say the same).
func (c *call) s3OwnedBucket() (*bucket, *apiError) {
	b, e := c.s3Bucket(false)
	if e != nil {
		return nil, e
	}
	if b.owner != c.acct.ID {
		return nil, newErr(405, "MethodNotAllowed", "The specified method is not allowed against this resource.")
	}
	return b, nil
}

func s3Empty(status int) *rawResponse { return &rawResponse{Status: status} }

// s3Body returns the request payload: it verifies Content-MD5 and
// x-amz-checksum-crc32 when sent, and decodes aws-chunked framing should
// the SDK use it.
func (c *call) s3Body() ([]byte, *apiError) {
	body := c.body
	h := c.req.Header
	if strings.Contains(h.Get("Content-Encoding"), "aws-chunked") || strings.HasPrefix(h.Get("X-Amz-Content-Sha256"), "STREAMING-") {
		dec, trailers, err := decodeAWSChunked(body)
		if err != nil {
			return nil, newErr(400, "IncompleteBody", "The request body terminated unexpectedly")
		}
		body = dec
		for k, v := range trailers {
			if h.Get(k) == "" {
				h = h.Clone()
				h.Set(k, v)
			}
		}
	}
	if v := h.Get("Content-Md5"); v != "" {
		want, err := base64.StdEncoding.DecodeString(v)
		if err != nil || len(want) != md5.Size {
			return nil, newErr(400, "InvalidDigest", "The Content-MD5 you specified was invalid.")
		}
		got := md5.Sum(body)
		if !bytes.Equal(got[:], want) {
			return nil, newErr(400, "BadDigest", "The Content-MD5 you specified did not match what we received.")
		}
	}
	if v := h.Get("X-Amz-Checksum-Crc32"); v != "" {
		var sum [4]byte
		binary.BigEndian.PutUint32(sum[:], crc32.ChecksumIEEE(body))
		if base64.StdEncoding.EncodeToString(sum[:]) != v {
			return nil, newErr(400, "BadDigest", "The CRC32 you specified did not match the calculated checksum.")
		}
	}
	return body, nil
}

// decodeAWSChunked undoes aws-chunked content encoding: "hex[;ext]\r\n
// data\r\n" chunks up to a zero-length one, then optional trailer headers.
func decodeAWSChunked(b []byte) ([]byte, map[string]string, error) {
	r := bufio.NewReader(bytes.NewReader(b))
	var out bytes.Buffer
	for {
		line, err := r.ReadString('\n')
		if err != nil {
			return nil, nil, err
		}
		line = strings.TrimRight(line, "\r\n")
		sizeHex, _, _ := strings.Cut(line, ";")
		n, err := strconv.ParseInt(strings.TrimSpace(sizeHex), 16, 64)
		if err != nil || n < 0 {
			return nil, nil, errors.New("bad chunk size")
		}
		if n == 0 {
			break
		}
		if _, err := io.CopyN(&out, r, n); err != nil {
			return nil, nil, err
		}
		if _, err := r.ReadString('\n'); err != nil {
			return nil, nil, err
		}
	}
	trailers := map[string]string{}
	for {
		line, err := r.ReadString('\n')
		line = strings.TrimRight(line, "\r\n")
		if k, v, ok := strings.Cut(line, ":"); ok {
			trailers[http.CanonicalHeaderKey(strings.TrimSpace(k))] = strings.TrimSpace(v)
		}
		if err != nil || line == "" {
			break
		}
	}
	return out.Bytes(), trailers, nil
}

func s3MalformedXML() *apiError {
	return newErr(400, "MalformedXML", "The XML you provided was not well-formed or did not validate against our published schema")
}

// s3DecodeXML unmarshals an XML request body whose root element must be
// root.
func (c *call) s3DecodeXML(root string, v any) *apiError {
	body, e := c.s3Body()
	if e != nil {
		return e
	}
	if len(bytes.TrimSpace(body)) == 0 {
		return s3MalformedXML()
	}
	dec := xml.NewDecoder(bytes.NewReader(body))
	for {
		tok, err := dec.Token()
		if err != nil {
			return s3MalformedXML()
		}
		if se, ok := tok.(xml.StartElement); ok {
			if se.Name.Local != root {
				return s3MalformedXML()
			}
			if err := dec.DecodeElement(v, &se); err != nil {
				return s3MalformedXML()
			}
			return nil
		}
	}
}

// ---- ListBuckets ----

type s3Owner struct {
	ID string `xml:"ID"`
}

type s3BucketEntry struct {
	Name         string   `xml:"Name"`
	CreationDate *isoTime `xml:"CreationDate"`
	BucketRegion string   `xml:"BucketRegion,omitempty"`
}

func s3ListBuckets(c *call) (any, *apiError) {
	q := c.req.URL.Query()
	prefix, region := q.Get("prefix"), q.Get("bucket-region")
	// BucketRegion is returned when the request has at least one of the
	// listing parameters (types.Bucket documentation).
	withRegion := q.Has("prefix") || q.Has("bucket-region") || q.Has("max-buckets") || q.Has("continuation-token")
	var names []string
	for n, b := range c.sim.buckets {
		if b.owner == c.acct.ID && strings.HasPrefix(n, prefix) && (region == "" || b.region == region) {
			names = append(names, n)
		}
	}
	sort.Strings(names)
	max := s3MaxBuckets
	if v := q.Get("max-buckets"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n < 1 || n > s3MaxBuckets {
			return nil, newErr(400, "InvalidArgument", "Argument max-buckets must be an integer between 1 and 10000")
		}
		max = n
	}
	start, end, next, ok := page("ListBuckets", len(names), q.Get("continuation-token"), max)
	if !ok {
		return nil, newErr(400, "InvalidArgument", "The continuation token provided is incorrect")
	}
	out := struct {
		XMLName           xml.Name        `xml:"http://s3.amazonaws.com/doc/2006-03-01/ ListAllMyBucketsResult"`
		Owner             s3Owner         `xml:"Owner"`
		Buckets           []s3BucketEntry `xml:"Buckets>Bucket"`
		ContinuationToken string          `xml:"ContinuationToken,omitempty"`
		Prefix            string          `xml:"Prefix,omitempty"`
	}{Owner: s3Owner{ID: s3CanonicalID(c.acct.ID)}, ContinuationToken: next, Prefix: prefix}
	for _, n := range names[start:end] {
		b := c.sim.buckets[n]
		e := s3BucketEntry{Name: n, CreationDate: iso(b.created)}
		if withRegion {
			e.BucketRegion = b.region
		}
		out.Buckets = append(out.Buckets, e)
	}
	return out, nil
}

// ---- CreateBucket, HeadBucket, DeleteBucket, GetBucketLocation ----

func s3CreateBucket(c *call) (any, *apiError) {
	name := c.params["bucket"]
	if !validBucketName(name) {
		return nil, newErr(400, "InvalidBucketName", "The specified bucket is not valid.")
	}
	var cfg struct {
		LocationConstraint *string `xml:"LocationConstraint"`
		Tags               []struct {
			Key   string `xml:"Key"`
			Value string `xml:"Value"`
		} `xml:"Tags>Tag"`
	}
	body, e := c.s3Body()
	if e != nil {
		return nil, e
	}
	if len(bytes.TrimSpace(body)) > 0 {
		if e := c.s3DecodeXML("CreateBucketConfiguration", &cfg); e != nil {
			return nil, e
		}
	}
	lc := ""
	if cfg.LocationConstraint != nil {
		lc = *cfg.LocationConstraint
	}
	switch {
	case lc == "" && c.region != "us-east-1":
		return nil, newErr(400, "IllegalLocationConstraintException", "The unspecified location constraint is incompatible for the region specific endpoint this request was sent to.")
	case lc == "us-east-1" || (lc != "" && !s3Regions[lc] && lc != c.region):
		return nil, newErr(400, "InvalidLocationConstraint", "The specified location-constraint is not valid")
	case lc != "" && lc != c.region && !(lc == "EU" && c.region == "eu-west-1"):
		return nil, newErr(400, "IllegalLocationConstraintException", "The %s location constraint is incompatible for the region specific endpoint this request was sent to.", lc)
	}
	// Since April 2023 ACLs are disabled on new buckets unless the request
	// chooses another object ownership.
	if acl := c.req.Header.Get("X-Amz-Acl"); acl != "" && acl != "private" && acl != "bucket-owner-full-control" {
		if own := c.req.Header.Get("X-Amz-Object-Ownership"); own == "" || own == "BucketOwnerEnforced" {
			return nil, newErr(400, "InvalidBucketAclWithObjectOwnership", "Bucket cannot have ACLs set with ObjectOwnership's BucketOwnerEnforced setting")
		}
	}
	tags := map[string]string{}
	for _, t := range cfg.Tags {
		tags[t.Key] = t.Value
	}
	if len(cfg.Tags) > 0 {
		if e := validateS3Tags(len(cfg.Tags), tags); e != nil {
			return nil, e
		}
	}
	loc := http.Header{"Location": {"/" + name}}
	if b := c.sim.buckets[name]; b != nil {
		if b.owner != c.acct.ID {
			return nil, newErr(409, "BucketAlreadyExists", "The requested bucket name is not available. The bucket namespace is shared by all users of the system. Please select a different name and try again.")
		}
		if c.region == "us-east-1" && b.region == "us-east-1" {
			// Legacy behaviour of North Virginia: 200, bucket unchanged.
			return &rawResponse{Status: 200, Header: loc}, nil
		}
		return nil, newErr(409, "BucketAlreadyOwnedByYou", "Your previous request to create the named bucket succeeded and you already own it.")
	}
	owned := 0
	for _, b := range c.sim.buckets {
		if b.owner == c.acct.ID {
			owned++
		}
	}
	if owned >= s3MaxBuckets {
		return nil, newErr(400, "TooManyBuckets", "You have attempted to create more buckets than allowed")
	}
	c.sim.buckets[name] = &bucket{
		name: name, owner: c.acct.ID, region: c.region, created: c.now,
		publicAccessBlock: &publicAccessBlock{BlockPublicAcls: true, IgnorePublicAcls: true, BlockPublicPolicy: true, RestrictPublicBuckets: true},
		encryption:        &bucketEncryption{Algorithm: "AES256"},
		tags:              tags,
	}
	return &rawResponse{Status: 200, Header: loc}, nil
}

func s3HeadBucket(c *call) (any, *apiError) {
	b, e := c.s3Bucket(false)
	if e != nil {
		return nil, e
	}
	return &rawResponse{Status: 200, Header: http.Header{
		"X-Amz-Bucket-Region":      {b.region},
		"X-Amz-Access-Point-Alias": {"false"},
	}}, nil
}

func s3DeleteBucket(c *call) (any, *apiError) {
	b, e := c.s3Bucket(false)
	if e != nil {
		return nil, e
	}
	delete(c.sim.buckets, b.name)
	return s3Empty(204), nil
}

func s3GetBucketLocation(c *call) (any, *apiError) {
	b, e := c.s3Bucket(true)
	if e != nil {
		return nil, e
	}
	region := b.region
	if region == "us-east-1" {
		region = "" // us-east-1 is reported as an empty LocationConstraint
	}
	return struct {
		XMLName xml.Name `xml:"http://s3.amazonaws.com/doc/2006-03-01/ LocationConstraint"`
		Value   string   `xml:",chardata"`
	}{Value: region}, nil
}

// ---- Bucket policy ----

func s3MalformedPolicy(msg string) *apiError { return newErr(400, "MalformedPolicy", "%s", msg) }

func s3PutBucketPolicy(c *call) (any, *apiError) {
	b, e := c.s3OwnedBucket()
	if e != nil {
		return nil, e
	}
	body, e := c.s3Body()
	if e != nil {
		return nil, e
	}
	doc := string(body)
	pol, e := c.s3ValidatePolicy(b, doc)
	if e != nil {
		return nil, e
	}
	if b.publicAccessBlock != nil && b.publicAccessBlock.BlockPublicPolicy && s3PolicyPublic(pol) {
		return nil, newErr(403, "AccessDenied", "User: %s is not authorized to perform: s3:PutBucketPolicy on resource: \"%s\" because public policies are blocked by the BlockPublicPolicy block public access setting.", c.caller.arn, c.sim.arn("s3", "", "", b.name))
	}
	c.sim.setBucketPolicy(b, c.now, doc, pol)
	return s3Empty(204), nil
}

// s3ValidatePolicy parses a bucket policy as S3 does and answers
// MalformedPolicy with S3's messages.
func (c *call) s3ValidatePolicy(b *bucket, doc string) (*iampolicy.Policy, *apiError) {
	trimmed := strings.TrimSpace(doc)
	if trimmed == "" {
		// What S3 answers an empty policy (aws-controllers-k8s/community#2731).
		return nil, s3MalformedPolicy("Policy has invalid resource")
	}
	if trimmed[0] != '{' || !json.Valid([]byte(trimmed)) {
		return nil, s3MalformedPolicy("Policies must be valid JSON and the first byte must be '{'")
	}
	var compact bytes.Buffer
	_ = json.Compact(&compact, []byte(trimmed))
	if compact.Len() > s3MaxPolicyBytes {
		return nil, newErr(400, "PolicyTooLarge", "Policy exceeds the maximum allowed document size.")
	}
	pol, err := iampolicy.Parse([]byte(doc), iampolicy.KindResource)
	if err != nil {
		var pe *iampolicy.ParseError
		if errors.As(err, &pe) && len(pe.Problems) > 0 {
			return nil, s3MalformedPolicy(s3PolicyMessage(pe.Problems[0]))
		}
		return nil, s3MalformedPolicy("Invalid policy syntax.")
	}
	arn := c.sim.arn("s3", "", "", b.name)
	for _, st := range pol.Statements {
		for _, a := range append(append([]string{}, st.Action...), st.NotAction...) {
			if a != "*" && !strings.HasPrefix(strings.ToLower(a), "s3:") {
				return nil, s3MalformedPolicy("Policy has invalid action")
			}
		}
		for _, r := range append(append([]string{}, st.Resource...), st.NotResource...) {
			if r != arn && !strings.HasPrefix(r, arn+"/") {
				return nil, s3MalformedPolicy("Policy has invalid resource")
			}
		}
		for _, ps := range []*iampolicy.PrincipalSet{st.Principal, st.NotPrincipal} {
			if ps == nil {
				continue
			}
			for _, p := range ps.AWS {
				if !c.sim.s3PrincipalExists(p) {
					return nil, s3MalformedPolicy("Invalid principal in policy")
				}
			}
		}
	}
	return pol, nil
}

// s3PolicyMessage words a policy grammar problem as S3 does.
func s3PolicyMessage(p iampolicy.Problem) string {
	path, msg := p.Path, p.Message
	for _, f := range []string{"Effect", "Principal", "Action", "Resource", "Statement"} {
		if strings.HasPrefix(msg, `missing "`+f+`"`) {
			return "Missing required field " + f
		}
	}
	switch {
	case strings.Contains(path, ".Principal") || strings.Contains(path, ".NotPrincipal"):
		return "Invalid principal in policy"
	case strings.Contains(path, ".Action") || strings.Contains(path, ".NotAction"):
		return "Policy has invalid action"
	case strings.Contains(path, ".Resource") || strings.Contains(path, ".NotResource"):
		return "Policy has invalid resource"
	case strings.Contains(path, ".Condition"):
		return "Policy has an invalid condition key"
	case strings.HasSuffix(path, ".Sid") && strings.Contains(msg, "duplicate"):
		return "Statement IDs (SID) in a single policy must be unique."
	case path == "Version":
		return "The policy must contain a valid version string"
	}
	return "Invalid policy syntax."
}

// s3PrincipalExists reports whether an AWS principal in a bucket policy
// names something S3 accepts: "*", an account id or root ARN, or a user or
// role ARN. Users and roles of accounts orgsim holds must exist, as S3
// resolves them when the policy is saved; other accounts' are taken on
// trust.
func (s *Sim) s3PrincipalExists(p string) bool {
	if p == "*" || isAccountID(p) {
		return true
	}
	rest, ok := strings.CutPrefix(p, s.arnPrefix()+"iam::")
	if !ok {
		if strings.HasPrefix(p, s.arnPrefix()+"sts::") {
			return true
		}
		// Unique ids (AIDA..., AROA...) of deleted principals are kept by
		// AWS; accept them.
		return len(p) >= 16 && (strings.HasPrefix(p, "AIDA") || strings.HasPrefix(p, "AROA"))
	}
	acct, res, ok := strings.Cut(rest, ":")
	if !ok || !isAccountID(acct) {
		return false
	}
	a := s.accounts[acct]
	if res == "root" {
		return true
	}
	if a == nil || a.iam == nil {
		return true
	}
	kind, path, _ := strings.Cut(res, "/")
	name := path[strings.LastIndexByte(path, '/')+1:]
	switch kind {
	case "role":
		return a.iam.roles[name] != nil
	case "user":
		return a.iam.users[name] != nil
	}
	return true
}

// s3PublicKeys are the condition keys whose fixed values make a statement
// non-public (Amazon S3 User Guide, "The meaning of public").
var s3PublicKeys = map[string]bool{
	"aws:sourceip": true, "aws:sourcearn": true, "aws:sourcevpc": true, "aws:sourcevpce": true,
	"aws:sourceowner": true, "aws:sourceaccount": true, "aws:sourceorgid": true, "aws:sourceorgpaths": true,
	"aws:userid": true, "aws:principalarn": true, "aws:principalaccount": true, "aws:principalorgid": true,
	"aws:principalorgpaths": true, "aws:principalservicename": true,
	"s3:x-amz-server-side-encryption-aws-kms-key-id": true, "s3:dataaccesspointarn": true, "s3:dataaccesspointaccount": true,
}

// s3PolicyPublic approximates S3's "is this policy public" test: a policy
// is public when an Allow statement applies to everyone (Principal "*" or
// {"AWS":"*"}, or any NotPrincipal) and no condition pins one of the keys
// above to fixed values (no wildcards, a positive operator without
// IfExists, and for aws:SourceIp a range no wider than /8).
func s3PolicyPublic(p *iampolicy.Policy) bool {
	if p == nil {
		return false
	}
	for _, st := range p.Statements {
		if st.Effect != iampolicy.EffectAllow {
			continue
		}
		everyone := st.NotPrincipal != nil
		if ps := st.Principal; ps != nil {
			everyone = everyone || ps.Wildcard
			for _, a := range ps.AWS {
				everyone = everyone || a == "*"
			}
		}
		if everyone && !s3Restricted(st.Condition) {
			return true
		}
	}
	return false
}

func s3Restricted(conds []iampolicy.Condition) bool {
	for _, c := range conds {
		op := strings.ToLower(c.Operator)
		op = strings.TrimPrefix(op, "foranyvalue:")
		if strings.HasPrefix(op, "forallvalues:") || strings.HasSuffix(op, "ifexists") {
			continue
		}
		switch op {
		case "stringequals", "stringequalsignorecase", "stringlike", "arnequals", "arnlike", "ipaddress":
		default:
			continue
		}
		key := strings.ToLower(c.Key)
		if !s3PublicKeys[key] || len(c.Values) == 0 {
			continue
		}
		fixed := true
		for _, v := range c.Values {
			if strings.ContainsAny(v, "*?") {
				fixed = false
			}
			if key == "aws:sourceip" {
				if _, n, err := net.ParseCIDR(v); err == nil {
					if ones, _ := n.Mask.Size(); ones < 8 {
						fixed = false
					}
				}
			}
		}
		if fixed {
			return true
		}
	}
	return false
}

// s3StoredPolicy is the policy as GetBucketPolicy returns it: minified,
// key order and strings kept, bare account ids as AWS principals expanded
// to root ARNs.
func s3StoredPolicy(doc, partition string) string {
	out, err := s3RewritePolicy(doc, partition)
	if err != nil {
		var b bytes.Buffer
		if json.Compact(&b, []byte(doc)) != nil {
			return doc
		}
		return b.String()
	}
	return out
}

func s3RewritePolicy(doc, partition string) (string, error) {
	dec := json.NewDecoder(strings.NewReader(doc))
	dec.UseNumber()
	type frame struct {
		obj     bool
		n       int    // values written so far
		key     string // current key (objects)
		wantKey bool
	}
	var stack []*frame
	var b bytes.Buffer
	enc := json.NewEncoder(&b)
	enc.SetEscapeHTML(false)
	writeString := func(s string) {
		_ = enc.Encode(s)
		b.Truncate(b.Len() - 1) // Encode appends a newline
	}
	// inAWSPrincipal reports whether a string value at the top of the
	// stack is (an element of) Principal.AWS or NotPrincipal.AWS.
	inAWSPrincipal := func() bool {
		i := len(stack) - 1
		if i >= 0 && !stack[i].obj {
			i--
		}
		if i < 1 || !stack[i].obj || stack[i].key != "AWS" {
			return false
		}
		p := stack[i-1]
		return p.obj && (p.key == "Principal" || p.key == "NotPrincipal")
	}
	beforeValue := func() {
		if len(stack) == 0 {
			return
		}
		top := stack[len(stack)-1]
		if !top.obj && top.n > 0 {
			b.WriteByte(',')
		}
		top.n++
		if top.obj {
			top.wantKey = true
		}
	}
	pop := func() {
		stack = stack[:len(stack)-1]
		if len(stack) > 0 && stack[len(stack)-1].obj {
			stack[len(stack)-1].wantKey = true
		}
	}
	for {
		tok, err := dec.Token()
		if err == io.EOF {
			break
		}
		if err != nil {
			return "", err
		}
		var top *frame
		if len(stack) > 0 {
			top = stack[len(stack)-1]
		}
		if top != nil && top.obj && top.wantKey {
			if d, ok := tok.(json.Delim); ok && d == '}' {
				b.WriteByte('}')
				pop()
				continue
			}
			k, _ := tok.(string)
			if top.n > 0 {
				b.WriteByte(',')
			}
			writeString(k)
			b.WriteByte(':')
			top.key, top.wantKey = k, false
			continue
		}
		switch t := tok.(type) {
		case json.Delim:
			switch t {
			case '{', '[':
				if top != nil && !top.obj && top.n > 0 {
					b.WriteByte(',')
				}
				if top != nil {
					top.n++
				}
				b.WriteByte(byte(t))
				stack = append(stack, &frame{obj: t == '{', wantKey: t == '{'})
				continue
			case ']', '}':
				b.WriteByte(byte(t))
				pop()
				continue
			}
		case string:
			v := t
			if inAWSPrincipal() && isAccountID(v) {
				v = "arn:" + partition + ":iam::" + v + ":root"
			}
			beforeValue()
			writeString(v)
		case json.Number:
			beforeValue()
			b.WriteString(t.String())
		case bool:
			beforeValue()
			b.WriteString(strconv.FormatBool(t))
		case nil:
			beforeValue()
			b.WriteString("null")
		}
	}
	return b.String(), nil
}

func s3GetBucketPolicy(c *call) (any, *apiError) {
	b, e := c.s3OwnedBucket()
	if e != nil {
		return nil, e
	}
	if b.policy == "" {
		return nil, newErr(404, "NoSuchBucketPolicy", "The bucket policy does not exist")
	}
	body := []byte(s3StoredPolicy(b.policy, c.sim.part.name))
	return &rawResponse{Status: 200, Header: http.Header{
		"Content-Type":   {"application/json"},
		"Content-Length": {strconv.Itoa(len(body))},
	}, Body: body}, nil
}

func s3DeleteBucketPolicy(c *call) (any, *apiError) {
	b, e := c.s3OwnedBucket()
	if e != nil {
		return nil, e
	}
	c.sim.setBucketPolicy(b, c.now, "", nil)
	return s3Empty(204), nil
}

// ---- Versioning ----

func s3PutBucketVersioning(c *call) (any, *apiError) {
	b, e := c.s3Bucket(false)
	if e != nil {
		return nil, e
	}
	var in struct {
		Status    string `xml:"Status"`
		MfaDelete string `xml:"MfaDelete"`
	}
	if e := c.s3DecodeXML("VersioningConfiguration", &in); e != nil {
		return nil, e
	}
	if in.Status != "Enabled" && in.Status != "Suspended" {
		return nil, s3MalformedXML()
	}
	switch in.MfaDelete {
	case "":
	case "Enabled", "Disabled":
		if c.req.Header.Get("X-Amz-Mfa") == "" && (in.MfaDelete == "Enabled" || b.mfaDelete == "Enabled") {
			return nil, newErr(400, "InvalidRequest", "DevPay and Mfa are mutually exclusive authorization methods.")
		}
		b.mfaDelete = in.MfaDelete
	default:
		return nil, s3MalformedXML()
	}
	b.versioning = in.Status
	return nil, nil
}

func s3GetBucketVersioning(c *call) (any, *apiError) {
	b, e := c.s3Bucket(false)
	if e != nil {
		return nil, e
	}
	return struct {
		XMLName   xml.Name `xml:"http://s3.amazonaws.com/doc/2006-03-01/ VersioningConfiguration"`
		Status    string   `xml:"Status,omitempty"`
		MfaDelete string   `xml:"MfaDelete,omitempty"`
	}{Status: b.versioning, MfaDelete: b.mfaDelete}, nil
}

// ---- Public access block ----

type s3PAB struct {
	XMLName               xml.Name `xml:"http://s3.amazonaws.com/doc/2006-03-01/ PublicAccessBlockConfiguration"`
	BlockPublicAcls       bool     `xml:"BlockPublicAcls"`
	IgnorePublicAcls      bool     `xml:"IgnorePublicAcls"`
	BlockPublicPolicy     bool     `xml:"BlockPublicPolicy"`
	RestrictPublicBuckets bool     `xml:"RestrictPublicBuckets"`
}

func s3PutPublicAccessBlock(c *call) (any, *apiError) {
	b, e := c.s3Bucket(false)
	if e != nil {
		return nil, e
	}
	var in s3PAB
	if e := c.s3DecodeXML("PublicAccessBlockConfiguration", &in); e != nil {
		return nil, e
	}
	b.publicAccessBlock = &publicAccessBlock{
		BlockPublicAcls: in.BlockPublicAcls, IgnorePublicAcls: in.IgnorePublicAcls,
		BlockPublicPolicy: in.BlockPublicPolicy, RestrictPublicBuckets: in.RestrictPublicBuckets,
	}
	return nil, nil
}

func s3GetPublicAccessBlock(c *call) (any, *apiError) {
	b, e := c.s3Bucket(false)
	if e != nil {
		return nil, e
	}
	p := b.publicAccessBlock
	if p == nil {
		return nil, newErr(404, "NoSuchPublicAccessBlockConfiguration", "The public access block configuration was not found")
	}
	return s3PAB{BlockPublicAcls: p.BlockPublicAcls, IgnorePublicAcls: p.IgnorePublicAcls, BlockPublicPolicy: p.BlockPublicPolicy, RestrictPublicBuckets: p.RestrictPublicBuckets}, nil
}

func s3DeletePublicAccessBlock(c *call) (any, *apiError) {
	b, e := c.s3Bucket(false)
	if e != nil {
		return nil, e
	}
	b.publicAccessBlock = nil
	return s3Empty(204), nil
}

// ---- Default encryption ----

type s3SSEDefault struct {
	SSEAlgorithm   string `xml:"SSEAlgorithm"`
	KMSMasterKeyID string `xml:"KMSMasterKeyID,omitempty"`
}

type s3SSERule struct {
	Default          *s3SSEDefault `xml:"ApplyServerSideEncryptionByDefault"`
	BucketKeyEnabled *bool         `xml:"BucketKeyEnabled"`
}

func s3PutBucketEncryption(c *call) (any, *apiError) {
	b, e := c.s3Bucket(false)
	if e != nil {
		return nil, e
	}
	var in struct {
		Rules []s3SSERule `xml:"Rule"`
	}
	if e := c.s3DecodeXML("ServerSideEncryptionConfiguration", &in); e != nil {
		return nil, e
	}
	if len(in.Rules) != 1 {
		return nil, s3MalformedXML()
	}
	r := in.Rules[0]
	enc := &bucketEncryption{Algorithm: "AES256"}
	if r.Default != nil {
		switch r.Default.SSEAlgorithm {
		case "AES256", "aws:kms", "aws:kms:dsse":
		default:
			return nil, s3MalformedXML()
		}
		enc.Algorithm, enc.KMSKeyID = r.Default.SSEAlgorithm, r.Default.KMSMasterKeyID
		if enc.KMSKeyID != "" && enc.Algorithm == "AES256" {
			return nil, newErr(400, "InvalidArgument", "a KMSMasterKeyID is not applicable if the default sse algorithm is not aws:kms or aws:kms:dsse")
		}
	}
	if r.BucketKeyEnabled != nil {
		enc.BucketKey = *r.BucketKeyEnabled
	}
	b.encryption = enc
	return nil, nil
}

func s3GetBucketEncryption(c *call) (any, *apiError) {
	b, e := c.s3Bucket(false)
	if e != nil {
		return nil, e
	}
	enc := b.encryption
	if enc == nil {
		enc = &bucketEncryption{Algorithm: "AES256"}
	}
	key := enc.BucketKey
	return struct {
		XMLName xml.Name  `xml:"http://s3.amazonaws.com/doc/2006-03-01/ ServerSideEncryptionConfiguration"`
		Rule    s3SSERule `xml:"Rule"`
	}{Rule: s3SSERule{
		Default:          &s3SSEDefault{SSEAlgorithm: enc.Algorithm, KMSMasterKeyID: enc.KMSKeyID},
		BucketKeyEnabled: &key,
	}}, nil
}

func s3DeleteBucketEncryption(c *call) (any, *apiError) {
	b, e := c.s3Bucket(false)
	if e != nil {
		return nil, e
	}
	b.encryption = &bucketEncryption{Algorithm: "AES256"}
	return s3Empty(204), nil
}

// ---- Tagging ----

type s3Tag struct {
	Key   string `xml:"Key"`
	Value string `xml:"Value"`
}

func validateS3Tags(n int, tags map[string]string) *apiError {
	if len(tags) != n {
		return newErr(400, "InvalidTag", "Cannot provide multiple Tags with the same key")
	}
	if n > 50 {
		return newErr(400, "InvalidTag", "Bucket tag count cannot be greater than 50")
	}
	for k, v := range tags {
		if k == "" || len(k) > 128 {
			return newErr(400, "InvalidTag", "The TagKey you have provided is invalid")
		}
		if len(v) > 256 {
			return newErr(400, "InvalidTag", "The TagValue you have provided is invalid")
		}
		if strings.HasPrefix(strings.ToLower(k), "aws:") {
			return newErr(400, "InvalidTag", "System tags cannot be added/updated by requester")
		}
	}
	return nil
}

func s3PutBucketTagging(c *call) (any, *apiError) {
	b, e := c.s3Bucket(false)
	if e != nil {
		return nil, e
	}
	var in struct {
		Tags []s3Tag `xml:"TagSet>Tag"`
	}
	if e := c.s3DecodeXML("Tagging", &in); e != nil {
		return nil, e
	}
	tags := map[string]string{}
	for _, t := range in.Tags {
		tags[t.Key] = t.Value
	}
	if e := validateS3Tags(len(in.Tags), tags); e != nil {
		return nil, e
	}
	b.tags = tags
	return s3Empty(204), nil
}

func s3GetBucketTagging(c *call) (any, *apiError) {
	b, e := c.s3Bucket(false)
	if e != nil {
		return nil, e
	}
	if len(b.tags) == 0 {
		return nil, newErr(404, "NoSuchTagSet", "The TagSet does not exist")
	}
	keys := make([]string, 0, len(b.tags))
	for k := range b.tags {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	out := struct {
		XMLName xml.Name `xml:"http://s3.amazonaws.com/doc/2006-03-01/ Tagging"`
		Tags    []s3Tag  `xml:"TagSet>Tag"`
	}{}
	for _, k := range keys {
		out.Tags = append(out.Tags, s3Tag{Key: k, Value: b.tags[k]})
	}
	return out, nil
}

func s3DeleteBucketTagging(c *call) (any, *apiError) {
	b, e := c.s3Bucket(false)
	if e != nil {
		return nil, e
	}
	b.tags = map[string]string{}
	return s3Empty(204), nil
}

// ---- ACL ----

// s3GetBucketAcl answers the only ACL a bucket has with ACLs disabled
// (BucketOwnerEnforced): the owner with FULL_CONTROL.
func s3GetBucketAcl(c *call) (any, *apiError) {
	b, e := c.s3Bucket(false)
	if e != nil {
		return nil, e
	}
	id := s3CanonicalID(b.owner)
	body := xml.Header + `<AccessControlPolicy xmlns="` + s3Namespace + `"><Owner><ID>` + id + `</ID></Owner>` +
		`<AccessControlList><Grant><Grantee xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" xsi:type="CanonicalUser"><ID>` + id +
		`</ID></Grantee><Permission>FULL_CONTROL</Permission></Grant></AccessControlList></AccessControlPolicy>`
	return &rawResponse{Status: 200, Header: http.Header{
		"Content-Type":   {"application/xml"},
		"Content-Length": {strconv.Itoa(len(body))},
	}, Body: []byte(body)}, nil
}
