package orgsim_test

import (
	"context"
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

	"github.com/orgbaseline/orgbaseline/internal/orgsim"
)

// adminCall makes one admin API request, with auth setting its
// authentication, and returns the status and body.
func adminCall(t *testing.T, e *env, method, path, body string, auth func(*http.Request)) (int, string) {
	t.Helper()
	req, err := http.NewRequest(method, e.srv.URL+path, strings.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	if auth != nil {
		auth(req)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, string(b)
}

// sigV4 signs a request with the SDK's signer for service, as any SigV4
// client (curl --aws-sigv4, botocore) does.
func sigV4(t *testing.T, c orgsim.Credentials, service, body string, at time.Time) func(*http.Request) {
	return func(req *http.Request) {
		sum := sha256.Sum256([]byte(body))
		err := v4.NewSigner().SignHTTP(context.Background(), aws.Credentials{AccessKeyID: c.AccessKeyID, SecretAccessKey: c.SecretAccessKey, SessionToken: c.SessionToken},
			req, hex.EncodeToString(sum[:]), service, "us-east-1", at)
		if err != nil {
			t.Fatal(err)
		}
	}
}

func bearer(token string) func(*http.Request) {
	return func(req *http.Request) { req.Header.Set("Authorization", "Bearer "+token) }
}

func TestAdminAPIRequiresTheTokenOrTheManagementSignature(t *testing.T) {
	e := newEnv(t, orgsim.Options{Seed: 1})
	mgmt := e.sim.ManagementCredentials()
	// Another administrator's key in the management account is not the
	// management credentials.
	other, err := e.iam(e.cfg).CreateAccessKey(context.Background(), &iam.CreateAccessKeyInput{UserName: aws.String("orgsim-admin")})
	if err != nil {
		t.Fatal(err)
	}
	otherCreds := orgsim.Credentials{AccessKeyID: aws.ToString(other.AccessKey.AccessKeyId), SecretAccessKey: aws.ToString(other.AccessKey.SecretAccessKey)}
	faults := `{"rules":[{"service":"iam","errorRate":0.5}]}`
	now := time.Now()

	for _, tc := range []struct {
		name       string
		auth       func(*http.Request)
		wantStatus int
		wantBody   string
	}{
		{"no authentication", nil, 403, "orgsim admin API: access denied: the request has no Authorization header; send \"Authorization: Bearer <token>\""},
		{"a wrong token", bearer("orgsim-admin-guess"), 403, "the bearer token is not this orgsim's admin token"},
		{"the admin token", bearer(e.sim.AdminToken()), 200, `"rules"`},
		{"signed by the management credentials", sigV4(t, mgmt, "orgsim", faults, now), 200, `"rules"`},
		{"signed for another service", sigV4(t, mgmt, "iam", faults, now), 403, `names the service "iam", not "orgsim"`},
		{"signed by another key", sigV4(t, otherCreds, "orgsim", faults, now), 403, "not signed with the management credentials"},
		{"signed with a wrong secret", sigV4(t, orgsim.Credentials{AccessKeyID: mgmt.AccessKeyID, SecretAccessKey: "wrong"}, "orgsim", faults, now), 403, "signature does not match"},
		{"signed an hour ago", sigV4(t, mgmt, "orgsim", faults, now.Add(-time.Hour)), 403, "dated more than 5 minutes"},
		{"signed over another body", sigV4(t, mgmt, "orgsim", `{"rules":[]}`, now), 403, "signature does not match"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			e.sim.SetFaults(orgsim.Faults{})
			status, body := adminCall(t, e, http.MethodPut, "/_orgsim/faults", faults, tc.auth)
			if status != tc.wantStatus || !strings.Contains(body, tc.wantBody) {
				t.Fatalf("PUT /_orgsim/faults: %d %s; want %d with %q", status, body, tc.wantStatus, tc.wantBody)
			}
			if changed := len(e.sim.Faults().Rules) == 1; changed != (tc.wantStatus == 200) {
				t.Errorf("faults changed: %v, want %v", changed, tc.wantStatus == 200)
			}
		})
	}
	// Reads need authentication too: health names the management account.
	if status, body := adminCall(t, e, http.MethodGet, "/_orgsim/health", "", nil); status != 403 || strings.Contains(body, e.sim.ManagementAccountID()) {
		t.Errorf("GET /_orgsim/health without authentication: %d %s", status, body)
	}
}

func TestAdminTokenIsRandomUnlessGiven(t *testing.T) {
	a, b := orgsim.New(orgsim.Options{Seed: 1}), orgsim.New(orgsim.Options{Seed: 1})
	if a.AdminToken() == b.AdminToken() || len(a.AdminToken()) < 64 {
		t.Errorf("two sims of one seed have admin tokens %q and %q, want different random ones", a.AdminToken(), b.AdminToken())
	}
	if got := orgsim.New(orgsim.Options{AdminToken: "given"}).AdminToken(); got != "given" {
		t.Errorf("Options.AdminToken given: AdminToken() = %q", got)
	}
}

// RandomCredentials gives new keys on every New, and leaves everything
// else the seed's; without it, the keys are the seed's too.
func TestRandomCredentials(t *testing.T) {
	spec := orgsim.OrgSpec{Members: 4}
	r1 := orgsim.New(orgsim.Options{Seed: 7, Org: spec, RandomCredentials: true})
	r2 := orgsim.New(orgsim.Options{Seed: 7, Org: spec, RandomCredentials: true})
	s1 := orgsim.New(orgsim.Options{Seed: 7, Org: spec})
	s2 := orgsim.New(orgsim.Options{Seed: 7, Org: spec})
	if r1.ManagementCredentials().AccessKeyID == r2.ManagementCredentials().AccessKeyID || r1.ManagementCredentials().SecretAccessKey == r2.ManagementCredentials().SecretAccessKey {
		t.Errorf("RandomCredentials: two starts gave the same keys %+v", r1.ManagementCredentials())
	}
	if s1.ManagementCredentials() != s2.ManagementCredentials() {
		t.Errorf("seeded credentials differ between two starts: %+v, %+v", s1.ManagementCredentials(), s2.ManagementCredentials())
	}
	if r1.OrganizationID() != s1.OrganizationID() || r1.ManagementAccountID() != s1.ManagementAccountID() {
		t.Errorf("RandomCredentials changed the organization: %s/%s, seeded %s/%s", r1.OrganizationID(), r1.ManagementAccountID(), s1.OrganizationID(), s1.ManagementAccountID())
	}
	ra, sa := r1.Accounts(), s1.Accounts()
	for i := range sa {
		if ra[i].ID != sa[i].ID || ra[i].Name != sa[i].Name {
			t.Errorf("account %d: %s %s with RandomCredentials, %s %s seeded", i, ra[i].ID, ra[i].Name, sa[i].ID, sa[i].Name)
		}
	}
	if c := r1.ManagementCredentials(); !strings.HasPrefix(c.AccessKeyID, "AKIA") || len(c.AccessKeyID) != 20 || len(c.SecretAccessKey) != 40 {
		t.Errorf("random management credentials %q/%d characters: not shaped like AWS's", c.AccessKeyID, len(c.SecretAccessKey))
	}

	// The random keys work, and so do the session credentials minted
	// from them.
	e := newEnv(t, orgsim.Options{Seed: 7, Org: spec, RandomCredentials: true})
	if _, err := e.sts(e.cfg).GetCallerIdentity(context.Background(), nil); err != nil {
		t.Fatalf("random management credentials: %v", err)
	}
	member := e.sim.Accounts()[1].ID
	if _, err := e.iam(e.assume(member, orgsim.DefaultExecutionRole)).ListRoles(context.Background(), &iam.ListRolesInput{}); err != nil {
		t.Fatalf("session of the execution role: %v", err)
	}
}
