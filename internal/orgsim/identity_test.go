package orgsim_test

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"io"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	v4 "github.com/aws/aws-sdk-go-v2/aws/signer/v4"
	"github.com/aws/aws-sdk-go-v2/service/iam"
	"github.com/aws/aws-sdk-go-v2/service/organizations"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/aws-sdk-go-v2/service/sts"

	"github.com/orgbaseline/orgbaseline/internal/orgsim"
)

func TestSignatureAndKeyFailures(t *testing.T) {
	e := newEnv(t, orgsim.Options{Seed: 21})
	good := e.sim.ManagementCredentials()

	wrongSecret := e.config(orgsim.Credentials{AccessKeyID: good.AccessKeyID, SecretAccessKey: "not-the-secret"}, "us-east-1")
	_, err := e.orgs(wrongSecret).DescribeOrganization(bg, &organizations.DescribeOrganizationInput{})
	orgWant(t, err, "InvalidSignatureException", 400)
	_, err = e.sts(wrongSecret).GetCallerIdentity(bg, &sts.GetCallerIdentityInput{})
	orgWant(t, err, "SignatureDoesNotMatch", 403)

	unknown := e.config(orgsim.Credentials{AccessKeyID: "AKIAUNKNOWNKEY000000", SecretAccessKey: "whatever"}, "us-east-1")
	_, err = e.orgs(unknown).DescribeOrganization(bg, &organizations.DescribeOrganizationInput{})
	orgWant(t, err, "UnrecognizedClientException", 400)
	_, err = e.sts(unknown).GetCallerIdentity(bg, &sts.GetCallerIdentityInput{})
	orgWant(t, err, "InvalidClientTokenId", 403)
}

func TestExpiredSessionCredentials(t *testing.T) {
	clock := newTestClock(time.Date(2026, 11, 20, 12, 0, 0, 0, time.UTC))
	e := newEnv(t, orgsim.Options{Seed: 22, Now: clock.Now, Org: orgsim.OrgSpec{Members: 2}})
	audit := orgMember(t, e, "Audit")
	out, err := e.sts(e.cfg).AssumeRole(bg, &sts.AssumeRoleInput{
		RoleArn: aws.String(execRoleARN(audit)), RoleSessionName: aws.String("brief"), DurationSeconds: aws.Int32(900),
	})
	if err != nil {
		t.Fatal(err)
	}
	sess := stsSession(e, out)
	clock.Advance(899 * time.Second)
	if _, err := e.sts(sess).GetCallerIdentity(bg, &sts.GetCallerIdentityInput{}); err != nil {
		t.Fatalf("before expiry: %v", err)
	}
	clock.Advance(time.Second)
	_, err = e.orgs(sess).DescribeOrganization(bg, &organizations.DescribeOrganizationInput{})
	orgWant(t, err, "ExpiredTokenException", 400)
	_, err = e.sts(sess).GetCallerIdentity(bg, &sts.GetCallerIdentityInput{})
	orgWant(t, err, "ExpiredToken", 400)
	// Long-lived keys do not expire.
	if _, err := e.orgs(e.cfg).DescribeOrganization(bg, &organizations.DescribeOrganizationInput{}); err != nil {
		t.Fatal(err)
	}
}

func TestAssumedCredentialsActOnTargetAccount(t *testing.T) {
	e := newEnv(t, orgsim.Options{Seed: 23, Org: orgsim.OrgSpec{Members: 3}})
	for _, name := range []string{"Log Archive", "prod-001"} {
		acct := orgMember(t, e, name)
		cfg := e.assume(acct, orgsim.DefaultExecutionRole)
		id, err := e.sts(cfg).GetCallerIdentity(bg, &sts.GetCallerIdentityInput{})
		if err != nil {
			t.Fatal(err)
		}
		if aws.ToString(id.Account) != acct {
			t.Fatalf("%s: session acts on account %s", name, aws.ToString(id.Account))
		}
		// IAM state is the target account's: its execution role is there.
		if _, err := e.iam(cfg).GetRole(bg, &iam.GetRoleInput{RoleName: aws.String(orgsim.DefaultExecutionRole)}); err != nil {
			t.Fatalf("%s: GetRole of the execution role: %v", name, err)
		}
	}
	// ... and not in the management account.
	_, err := e.iam(e.cfg).GetRole(bg, &iam.GetRoleInput{RoleName: aws.String(orgsim.DefaultExecutionRole)})
	wantCode(t, err, "NoSuchEntity")
}

func TestSessionPolicyNarrowsSession(t *testing.T) {
	e := newEnv(t, orgsim.Options{Seed: 24, Org: orgsim.OrgSpec{Members: 3}})
	audit, logArchive := orgMember(t, e, "Audit"), orgMember(t, e, "Log Archive")
	policy := `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":["sts:GetCallerIdentity","organizations:DescribeOrganization"],"Resource":"*"}]}`
	out, err := e.sts(e.cfg).AssumeRole(bg, &sts.AssumeRoleInput{
		RoleArn: aws.String(execRoleARN(audit)), RoleSessionName: aws.String("narrow"), Policy: aws.String(policy),
	})
	if err != nil {
		t.Fatal(err)
	}
	if out.PackedPolicySize == nil || *out.PackedPolicySize < 1 {
		t.Fatalf("PackedPolicySize = %v", out.PackedPolicySize)
	}
	sess := stsSession(e, out)
	if _, err := e.orgs(sess).DescribeOrganization(bg, &organizations.DescribeOrganizationInput{}); err != nil {
		t.Fatalf("DescribeOrganization is allowed by the session policy: %v", err)
	}
	_, err = e.orgs(sess).ListRoots(bg, &organizations.ListRootsInput{})
	orgWant(t, err, "AccessDeniedException", 400)
	if !strings.Contains(orgMessage(err), "session policy") {
		t.Fatalf("denied for the wrong reason: %q", orgMessage(err))
	}
	// The role itself (AdministratorAccess) could read IAM; the session cannot.
	_, err = e.iam(sess).ListRoles(bg, &iam.ListRolesInput{})
	orgWant(t, err, "AccessDenied", 403)
	// Without a session policy the same role can.
	if _, err := e.iam(e.assume(audit, orgsim.DefaultExecutionRole)).ListRoles(bg, &iam.ListRolesInput{}); err != nil {
		t.Fatal(err)
	}
	// sts:AssumeRole itself is narrowed too.
	_, err = e.sts(sess).AssumeRole(bg, &sts.AssumeRoleInput{RoleArn: aws.String(execRoleARN(logArchive)), RoleSessionName: aws.String("hop")})
	orgWant(t, err, "AccessDenied", 403)
	if !strings.Contains(orgMessage(err), "session policy") {
		t.Fatalf("denied for the wrong reason: %q", orgMessage(err))
	}
}

func TestSuspendedAccountCannotCall(t *testing.T) {
	e := newEnv(t, orgsim.Options{Seed: 25, Org: orgsim.OrgSpec{Members: 3}})
	prod := orgMember(t, e, "prod-001")
	cfg := e.assume(prod, orgsim.DefaultExecutionRole)
	if err := e.sim.SetAccountState(prod, "SUSPENDED"); err != nil {
		t.Fatal(err)
	}
	_, err := e.orgs(cfg).DescribeOrganization(bg, &organizations.DescribeOrganizationInput{})
	orgWant(t, err, "AccessDeniedException", 400)
	_, err = e.sts(e.cfg).AssumeRole(bg, &sts.AssumeRoleInput{RoleArn: aws.String(execRoleARN(prod)), RoleSessionName: aws.String("s1")})
	orgWant(t, err, "AccessDenied", 403)
	da, err := e.orgs(e.cfg).DescribeAccount(bg, &organizations.DescribeAccountInput{AccountId: aws.String(prod)})
	if err != nil {
		t.Fatal(err)
	}
	if da.Account.State != "SUSPENDED" || da.Account.Status != "SUSPENDED" {
		t.Fatalf("State %s Status %s", da.Account.State, da.Account.Status)
	}
	if err := e.sim.SetAccountState(prod, "CLOSED"); err != nil {
		t.Fatal(err)
	}
	da, _ = e.orgs(e.cfg).DescribeAccount(bg, &organizations.DescribeAccountInput{AccountId: aws.String(prod)})
	if da.Account.State != "CLOSED" || da.Account.Status != "SUSPENDED" {
		t.Fatalf("closed: State %s Status %s", da.Account.State, da.Account.Status)
	}
	if err := e.sim.SetAccountState(prod, "GONE"); err == nil {
		t.Fatal("SetAccountState accepted an unknown state")
	}
	if err := e.sim.SetAccountState("000000000000", "ACTIVE"); err == nil {
		t.Fatal("SetAccountState accepted an unknown account")
	}
	if err := e.sim.SetAccountState(prod, "ACTIVE"); err != nil {
		t.Fatal(err)
	}
	if _, err := e.orgs(cfg).DescribeOrganization(bg, &organizations.DescribeOrganizationInput{}); err != nil {
		t.Fatalf("reactivated account: %v", err)
	}
}

// skewedEnv is a sim whose clock is skew away from the wall clock the SDK
// signs with.
func skewedEnv(t *testing.T, skew time.Duration, like *orgsim.AWSLike) *env {
	t.Helper()
	return newEnv(t, orgsim.Options{Seed: 31, AWSLike: like, Now: func() time.Time { return time.Now().Add(skew) }})
}

func TestClockSkewRefusedPerProtocol(t *testing.T) {
	// The SDK's first attempt is signed by the wall clock; with retries off
	// the refusal itself comes back.
	want := map[string][2]any{
		"organizations":   {"InvalidSignatureException", 400},
		"sts":             {"SignatureDoesNotMatch", 403},
		"iam":             {"SignatureDoesNotMatch", 403},
		"cloudtrail":      {"InvalidSignatureException", 400},
		"config":          {"InvalidSignatureException", 400},
		"access-analyzer": {"InvalidSignatureException", 403},
		"s3":              {"RequestTimeTooSkewed", 403},
	}
	for _, tc := range []struct {
		name    string
		skew    time.Duration
		message string
	}{
		{"request too old", 6 * time.Minute, "Signature expired: "},
		{"request too new", -6 * time.Minute, "Signature not yet current: "},
	} {
		t.Run(tc.name, func(t *testing.T) {
			e := skewedEnv(t, tc.skew, nil)
			noRetryCfg := configWith(t, e, e.sim.ManagementCredentials(), noRetry)
			for _, r := range reads {
				err := r.call(noRetryCfg)
				w := want[r.service]
				if errCode(t, err) != w[0] || status(err) != w[1] {
					t.Errorf("%s: %s %d, want %s %d (%v)", r.service, errCode(t, err), status(err), w[0], w[1], err)
					continue
				}
				msg := orgMessage(err)
				if r.service == "s3" {
					if msg != "The difference between the request time and the current time is too large." {
						t.Errorf("s3: message %q", msg)
					}
				} else if !strings.HasPrefix(msg, tc.message) || !strings.HasSuffix(msg, " 5 min.)") {
					t.Errorf("%s: message %q, want %q... (... 5 min.)", r.service, msg, tc.message)
				}
				// The SDK corrects its signing clock from the Date of the
				// refusal, as against AWS, and its retry goes through.
				if err := r.call(e.cfg); err != nil {
					t.Errorf("%s: the SDK did not correct its clock from the response's Date: %v", r.service, err)
				}
			}
		})
	}
	t.Run("within the window", func(t *testing.T) {
		e := skewedEnv(t, 4*time.Minute, nil)
		cfg := configWith(t, e, e.sim.ManagementCredentials(), noRetry)
		for _, r := range reads {
			if err := r.call(cfg); err != nil {
				t.Errorf("%s, 4 minutes off: %v", r.service, err)
			}
		}
	})
	t.Run("off", func(t *testing.T) {
		like := orgsim.DefaultAWSLike()
		like.MaxClockSkew = 0
		e := skewedEnv(t, 48*time.Hour, &like)
		cfg := configWith(t, e, e.sim.ManagementCredentials(), noRetry)
		for _, r := range reads {
			if err := r.call(cfg); err != nil {
				t.Errorf("%s with MaxClockSkew 0: %v", r.service, err)
			}
		}
	})
}

// rawSigned sends one request signed with the SDK's signer by hand, so a
// test can send what no SDK client would: a payload hash that is not the
// body's, a header changed after signing.
type rawSigned struct {
	method, path, service string
	region                string
	body                  []byte
	header                map[string]string
	// payloadHash signs the request with this hash; "" hashes the body.
	payloadHash string
	// tamper changes the request after it was signed.
	tamper func(*http.Request)
}

func (e *env) send(t *testing.T, c orgsim.Credentials, q rawSigned) (int, string) {
	t.Helper()
	req, err := http.NewRequest(q.method, e.srv.URL+q.path, bytes.NewReader(q.body))
	if err != nil {
		t.Fatal(err)
	}
	for k, v := range q.header {
		req.Header.Set(k, v)
	}
	hash := q.payloadHash
	if hash == "" {
		sum := sha256.Sum256(q.body)
		hash = hex.EncodeToString(sum[:])
	}
	if q.region == "" {
		q.region = "us-east-1"
	}
	creds := aws.Credentials{AccessKeyID: c.AccessKeyID, SecretAccessKey: c.SecretAccessKey, SessionToken: c.SessionToken}
	if err := v4.NewSigner().SignHTTP(bg, creds, req, hash, q.service, q.region, time.Now(), func(o *v4.SignerOptions) {
		o.DisableURIPathEscaping = q.service == "s3"
	}); err != nil {
		t.Fatal(err)
	}
	if q.tamper != nil {
		q.tamper(req)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, string(b)
}

func TestSignatureCoversWhatTheClientSigned(t *testing.T) {
	e := newEnv(t, orgsim.Options{Seed: 32})
	creds := e.sim.ManagementCredentials()
	form := []byte("Action=GetCallerIdentity&Version=2011-06-15")
	stsCall := func(tamper func(*http.Request)) (int, string) {
		return e.send(t, creds, rawSigned{method: "POST", path: "/", service: "sts", body: form,
			header: map[string]string{"Content-Type": "application/x-www-form-urlencoded; charset=utf-8", "X-Custom-Signed": "a  b"}, tamper: tamper})
	}
	if code, body := stsCall(nil); code != 200 {
		t.Fatalf("signed request: %d %s", code, body)
	}
	// Headers the signer leaves out may change; signed ones may not.
	if code, body := stsCall(func(r *http.Request) { r.Header.Set("User-Agent", "another") }); code != 200 {
		t.Fatalf("unsigned header changed: %d %s", code, body)
	}
	for name, tamper := range map[string]func(*http.Request){
		"a signed header": func(r *http.Request) { r.Header.Set("X-Custom-Signed", "c") },
		"the date": func(r *http.Request) {
			r.Header.Set("X-Amz-Date", time.Now().Add(time.Minute).UTC().Format("20060102T150405Z"))
		},
		"the query": func(r *http.Request) { r.URL.RawQuery = "x=1" },
	} {
		if code, body := stsCall(tamper); code != 403 || !strings.Contains(body, "<Code>SignatureDoesNotMatch</Code>") {
			t.Errorf("%s changed after signing: %d %s", name, code, body)
		}
	}
	// The body is the payload: another body with the same length fails.
	code, body := e.send(t, creds, rawSigned{method: "POST", path: "/", service: "sts", body: form,
		header: map[string]string{"Content-Type": "application/x-www-form-urlencoded"},
		tamper: func(r *http.Request) {
			r.Body = io.NopCloser(bytes.NewReader([]byte("Action=GetCallerIdentity&Version=2011-06-16")))
		}})
	if code != 403 || !strings.Contains(body, "SignatureDoesNotMatch") {
		t.Errorf("body changed after signing: %d %s", code, body)
	}
	// A path that needs escaping: every service but S3 escapes it once
	// more before signing (Access Analyzer's GetAnalyzer on a name with a
	// space; the signature holds, the name is then refused or not found).
	code, body = e.send(t, creds, rawSigned{method: "GET", path: "/analyzer/a%20b", service: "access-analyzer"})
	if code != 400 || !strings.Contains(body, "ValidationException") {
		t.Errorf("escaped path: %d %s", code, body)
	}
	// No X-Amz-Date.
	code, body = e.send(t, creds, rawSigned{method: "POST", path: "/", service: "sts", body: form,
		header: map[string]string{"Content-Type": "application/x-www-form-urlencoded"},
		tamper: func(r *http.Request) { r.Header.Del("X-Amz-Date") }})
	if code != 400 || !strings.Contains(body, "IncompleteSignature") {
		t.Errorf("no X-Amz-Date: %d %s", code, body)
	}
}

func TestPayloadHashChecked(t *testing.T) {
	policy := []byte(`{"Version":"2012-10-17","Statement":[]}`)
	other := sha256.Sum256([]byte("another body"))
	otherHash := hex.EncodeToString(other[:])
	for _, on := range []bool{true, false} {
		like := orgsim.DefaultAWSLike()
		like.PayloadHash = on
		e := newEnv(t, orgsim.Options{Seed: 33, AWSLike: &like})
		creds := e.sim.ManagementCredentials()
		s3tCreate(t, e.s3(e.cfg), "hash-check-bucket")
		// S3: a signed X-Amz-Content-Sha256 that is not the body's.
		code, body := e.send(t, creds, rawSigned{method: "GET", path: "/", service: "s3",
			header: map[string]string{"X-Amz-Content-Sha256": otherHash}, payloadHash: otherHash})
		if on && (code != 400 || !strings.Contains(body, "<Code>XAmzContentSHA256Mismatch</Code>") || !strings.Contains(body, otherHash)) {
			t.Errorf("S3, wrong content hash: %d %s", code, body)
		}
		if !on && code != 200 {
			t.Errorf("S3, wrong content hash with PayloadHash off: %d %s", code, body)
		}
		// S3: the header is required for SigV4.
		code, body = e.send(t, creds, rawSigned{method: "GET", path: "/", service: "s3"})
		if on && (code != 400 || !strings.Contains(body, "x-amz-content-sha256")) {
			t.Errorf("S3 without X-Amz-Content-Sha256: %d %s", code, body)
		}
		// Unsigned payloads are not checked.
		if code, body := e.send(t, creds, rawSigned{method: "GET", path: "/", service: "s3",
			header: map[string]string{"X-Amz-Content-Sha256": "UNSIGNED-PAYLOAD"}, payloadHash: "UNSIGNED-PAYLOAD"}); code != 200 {
			t.Errorf("S3 UNSIGNED-PAYLOAD: %d %s", code, body)
		}
		// Other services hash the body they receive: a claimed hash that
		// is not the body's fails the signature.
		code, body = e.send(t, creds, rawSigned{method: "POST", path: "/", service: "iam", body: []byte("Action=ListUsers&Version=2010-05-08"),
			header:      map[string]string{"Content-Type": "application/x-www-form-urlencoded", "X-Amz-Content-Sha256": otherHash},
			payloadHash: otherHash})
		if on && (code != 403 || !strings.Contains(body, "SignatureDoesNotMatch")) {
			t.Errorf("IAM, wrong content hash: %d %s", code, body)
		}
		if !on && code != 200 {
			t.Errorf("IAM, wrong content hash with PayloadHash off: %d %s", code, body)
		}
		// The SDK's own requests carry the right hash.
		if _, err := e.s3(e.cfg).PutBucketPolicy(bg, &s3.PutBucketPolicyInput{Bucket: aws.String("hash-check-bucket"), Policy: aws.String(string(policy))}); err != nil && errCode(t, err) == "XAmzContentSHA256Mismatch" {
			t.Errorf("PutBucketPolicy through the SDK: %v", err)
		}
	}
}

func TestRegionOutsidePartitionRefused(t *testing.T) {
	e := newEnv(t, orgsim.Options{Seed: 34, Partition: "aws-us-gov"})
	// A credential scoped to a region the partition does not have.
	commercial := e.config(e.sim.ManagementCredentials(), "us-east-1")
	noRetryCfg := commercial.Copy()
	noRetryCfg.Retryer = noRetry
	want := map[string][2]any{
		"organizations":   {"InvalidSignatureException", 400},
		"sts":             {"SignatureDoesNotMatch", 403},
		"iam":             {"SignatureDoesNotMatch", 403},
		"cloudtrail":      {"InvalidSignatureException", 400},
		"config":          {"InvalidSignatureException", 400},
		"access-analyzer": {"InvalidSignatureException", 403},
		"s3":              {"AuthorizationHeaderMalformed", 400},
	}
	for _, r := range reads {
		err := r.call(noRetryCfg)
		w := want[r.service]
		if errCode(t, err) != w[0] || status(err) != w[1] {
			t.Errorf("%s: %s %d, want %s %d (%v)", r.service, errCode(t, err), status(err), w[0], w[1], err)
			continue
		}
		msg := orgMessage(err)
		if r.service == "s3" {
			if !strings.Contains(msg, "the region 'us-east-1' is wrong; expecting 'us-gov-west-1'") {
				t.Errorf("s3: %q", msg)
			}
		} else if msg != "Credential should be scoped to a valid region, not 'us-east-1'. " {
			t.Errorf("%s: %q", r.service, msg)
		}
	}
	// The partition's own regions answer.
	for _, region := range []string{"us-gov-west-1", "us-gov-east-1"} {
		cfg := e.config(e.sim.ManagementCredentials(), region)
		for _, r := range reads {
			if err := r.call(cfg); err != nil {
				t.Errorf("%s in %s: %v", r.service, region, err)
			}
		}
	}
}

func TestOptInRegionNotEnabled(t *testing.T) {
	e := newEnv(t, orgsim.Options{Seed: 35, Org: orgsim.OrgSpec{Members: 2}})
	mgmt, audit := e.sim.ManagementAccountID(), orgMember(t, e, "Audit")
	const optIn = "af-south-1" // opt-in since it launched in 2020
	longLived := configWith(t, e, e.sim.ManagementCredentials(), noRetry)
	longLived.Region = optIn
	session := e.assume(audit, orgsim.DefaultExecutionRole)
	session.Region, session.Retryer = optIn, noRetry
	// The account's credentials are unknown in a region it has not
	// enabled; the global services (IAM, Organizations) are not regional.
	want := map[string][2]any{
		"sts":             {"InvalidClientTokenId", 403},
		"cloudtrail":      {"UnrecognizedClientException", 400},
		"config":          {"UnrecognizedClientException", 400},
		"access-analyzer": {"UnrecognizedClientException", 403},
		"s3":              {"InvalidAccessKeyId", 403},
	}
	for _, r := range reads {
		err := r.call(longLived)
		w, regional := want[r.service]
		if !regional {
			if err != nil {
				t.Errorf("%s (global) in %s: %v", r.service, optIn, err)
			}
			continue
		}
		if errCode(t, err) != w[0] || status(err) != w[1] {
			t.Errorf("%s in %s: %s %d, want %s %d (%v)", r.service, optIn, errCode(t, err), status(err), w[0], w[1], err)
		}
	}
	// S3 answers a session's token as malformed there.
	err := reads[len(reads)-1].call(session)
	if errCode(t, err) != "InvalidToken" || status(err) != 400 {
		t.Errorf("s3 session in %s: %v", optIn, err)
	}
	// Enabled for the management account only: its calls go through, the
	// member's do not.
	if err := e.sim.EnableRegion(mgmt, optIn); err != nil {
		t.Fatal(err)
	}
	for _, r := range reads {
		if err := r.call(longLived); err != nil {
			t.Errorf("%s in %s once enabled: %v", r.service, optIn, err)
		}
	}
	_, err = e.sts(session).GetCallerIdentity(bg, &sts.GetCallerIdentityInput{})
	orgWant(t, err, "InvalidClientTokenId", 403)
	if err := e.sim.EnableRegion(audit, "mars-north-1"); err == nil {
		t.Error("EnableRegion accepted a region outside the partition")
	}
	// A default region needs no enabling; with OptInRegions off nothing does.
	like := orgsim.DefaultAWSLike()
	like.OptInRegions = false
	off := newEnv(t, orgsim.Options{Seed: 35, AWSLike: &like})
	cfg := off.config(off.sim.ManagementCredentials(), optIn)
	for _, r := range reads {
		if err := r.call(cfg); err != nil {
			t.Errorf("%s in %s with OptInRegions off: %v", r.service, optIn, err)
		}
	}
}
