package cli

import (
	"net"
	"strings"
	"testing"

	"github.com/orgbaseline/orgbaseline/internal/orgsim"
)

// What a newcomer sees before orgbaseline reaches AWS: no credentials
// anywhere, or an endpoint nothing listens on. Each error says what was
// looked for and what to set, instead of the SDK's last failure.

// clearCredentials empties every credential source of the standard chain
// the harness has not already closed (it points the shared files at files
// that do not exist and disables instance metadata).
func (h *harness) clearCredentials() {
	for _, k := range []string{
		"AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_SESSION_TOKEN",
		"AWS_WEB_IDENTITY_TOKEN_FILE", "AWS_ROLE_ARN", "AWS_ROLE_SESSION_NAME",
		"AWS_CONTAINER_CREDENTIALS_RELATIVE_URI", "AWS_CONTAINER_CREDENTIALS_FULL_URI",
		"AWS_CONTAINER_AUTHORIZATION_TOKEN", "AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE",
	} {
		h.t.Setenv(k, "")
	}
}

func TestNoCredentialsSaysWhereItLooked(t *testing.T) {
	h := newHarness(t, orgsim.OrgSpec{Members: 1})
	h.clearCredentials()
	file := h.write("baseline.yaml", passwordBaseline)
	for _, args := range [][]string{{"plan", "-f", file}, {"check", "-f", file}, {"accounts", "-f", file}, {"apply", "--force-unlock", "20261207T000000Z-abcdef"}} {
		cmd := strings.Join(args, " ")
		r := h.run(args...)
		h.want(r, ExitError)
		for _, want := range []string{"no AWS credentials found (looked in: environment, shared config/credentials files, SSO, web identity, container and instance metadata)", "AWS_PROFILE", "AWS_ACCESS_KEY_ID"} {
			if !strings.Contains(r.stderr, want) {
				t.Errorf("%s: stderr lacks %q:\n%s", cmd, want, r.stderr)
			}
		}
		if strings.Contains(r.stderr, "describe organization") {
			t.Errorf("%s: the error still blames the organization:\n%s", cmd, r.stderr)
		}
	}
}

func TestRefusedEndpointIsNamed(t *testing.T) {
	h := newHarness(t, orgsim.OrgSpec{Members: 1})
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	closed := "http://" + ln.Addr().String()
	ln.Close()
	t.Setenv("AWS_ENDPOINT_URL", closed)
	file := h.write("baseline.yaml", passwordBaseline)
	r := h.run("plan", "-f", file)
	h.want(r, ExitError)
	for _, want := range []string{"unreachable", closed, "connection refused", "AWS_ENDPOINT_URL"} {
		if !strings.Contains(r.stderr, want) {
			t.Errorf("stderr lacks %q:\n%s", want, r.stderr)
		}
	}
}
