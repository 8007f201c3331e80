package cli

import (
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"

	"github.com/orgbaseline/orgbaseline"
	"github.com/orgbaseline/orgbaseline/internal/orgsim"
)

// Debian's AWS CLI and boto3, the clients people already run audits with,
// make the account-level audit calls of Cloud Custodian's account filters
// and Prowler's IAM, CloudTrail, Config and Access Analyzer checks
// (testdata/thirdparty) against orgsim, after the example baseline is
// applied: none may answer as an unknown operation. CI installs the
// clients (.ci/run) and sets ORGBASELINE_REQUIRE_THIRD_PARTY, so the test
// fails there rather than skips.
func TestThirdPartyAuditors(t *testing.T) {
	awsCLI, python := "/usr/bin/aws", "/usr/bin/python3"
	_, cliErr := os.Stat(awsCLI)
	botoErr := exec.Command(python, "-c", "import boto3").Run()
	if cliErr != nil || botoErr != nil {
		if os.Getenv("ORGBASELINE_REQUIRE_THIRD_PARTY") != "" {
			t.Fatalf("the AWS CLI (%v) or boto3 (%v) is missing: apt-get install awscli python3-boto3", cliErr, botoErr)
		}
		t.Skip("needs Debian's awscli and python3-boto3 (apt-get install awscli python3-boto3)")
	}
	h := newHarness(t, orgsim.OrgSpec{Members: 6})
	f := h.write("baseline.yaml", string(orgbaseline.ExampleBaseline))
	h.want(h.run("apply", "-f", f, "--auto-approve"), ExitOK)

	c := h.sim.ManagementCredentials()
	var env []string
	for _, kv := range os.Environ() {
		if !strings.HasPrefix(kv, "AWS_") {
			env = append(env, kv)
		}
	}
	env = append(env, "AWS_ENDPOINT_URL="+h.url, "AWS_ACCESS_KEY_ID="+c.AccessKeyID, "AWS_SECRET_ACCESS_KEY="+c.SecretAccessKey,
		"AWS_SESSION_TOKEN=", "AWS_REGION="+h.sim.GlobalRegion(), "AWS_DEFAULT_REGION="+h.sim.GlobalRegion(), "AWS_CLI="+awsCLI,
		"AWS_CONFIG_FILE="+filepath.Join(h.dir, "no-config"), "AWS_SHARED_CREDENTIALS_FILE="+filepath.Join(h.dir, "no-credentials"),
		"AWS_EC2_METADATA_DISABLED=true", "AWS_PAGER=")
	summary := regexp.MustCompile(`(\d+) ok, (\d+) AWS errors, (\d+) unknown-operation errors`)
	for _, tc := range []struct {
		name    string
		cmd     *exec.Cmd
		leastOK int
	}{
		{"AWS CLI", exec.Command("bash", "testdata/thirdparty/awscli-audit.sh"), 12},
		{"boto3", exec.Command(python, "testdata/thirdparty/boto3-audit.py"), 200},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			tc.cmd.Env = env
			out, err := tc.cmd.CombinedOutput()
			m := summary.FindSubmatch(out)
			if m == nil {
				t.Fatalf("no summary (%v):\n%s", err, out)
			}
			ok, _ := strconv.Atoi(string(m[1]))
			if string(m[3]) != "0" || err != nil || ok < tc.leastOK {
				t.Errorf("%s ok (want at least %d), %s unknown-operation errors, exit %v:\n%s", m[1], tc.leastOK, m[3], err, out)
			}
		})
	}
}
