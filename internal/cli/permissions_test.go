package cli

import (
	"flag"
	"os"
	"strings"
	"testing"

	"github.com/orgbaseline/orgbaseline/baseline"
	"github.com/orgbaseline/orgbaseline/baseline/controls"
	"github.com/orgbaseline/orgbaseline/internal/iampolicy"
	"github.com/orgbaseline/orgbaseline/internal/orgsim"
)

// updating reports whether the tests run with -update (the flag
// internal/golden defines), which also rewrites the README's generated
// blocks.
func updating() bool {
	f := flag.Lookup("update")
	return f != nil && f.Value.String() == "true"
}

// permissionsYAML enables every control in its widest form (the trail
// managed by a delegated administrator, with CloudWatch Logs; the
// unused-access analyzer; the Config aggregator and rules of both kinds)
// and a plugin, with the audit account given by id and the log archive by
// name.
const permissionsYAML = `version: 1
organization:
  homeRegion: eu-west-1
  regions: [eu-west-1, us-east-1]
  accounts:
    logArchive: Log Archive
    audit: "210987654321"
controls:
  passwordPolicy: {minimumPasswordLength: 14}
  organizationTrail:
    delegatedAdministrator: audit
    cloudWatchLogs:
      logGroupArn: arn:aws:logs:eu-west-1:123456789012:log-group:org-trail
      roleArn: arn:aws:iam::123456789012:role/trail-to-logs
  accessAnalyzer:
    unusedAccess: {unusedAccessAge: 90}
  config:
    aggregator: {}
    rules:
      - {identifier: ACCESS_KEYS_ROTATED, parameters: {maxAccessKeyAge: 90}}
      - identifier: S3_BUCKET_VERSIONING_ENABLED
plugins:
  - name: no-iam-users
    path: plugins/no-iam-users
    sha256: 0000000000000000000000000000000000000000000000000000000000000000
    actions: [iam:ListUsers, s3:ListAllMyBuckets]
`

// The policy `permissions` prints allows every call of the model, on the
// resource it is made on, with the request keys it carries.
func TestPermissionsPolicyAllowsEveryCall(t *testing.T) {
	h := newHarness(t, orgsim.OrgSpec{Members: 2, Clean: true})
	file := h.write("baseline.yaml", permissionsYAML)
	r := h.run("permissions", "-f", file)
	h.want(r, 0)
	pol, err := iampolicy.Parse([]byte(r.stdout), iampolicy.KindIdentity)
	if err != nil {
		t.Fatalf("the policy does not parse: %v\n%s", err, r.stdout)
	}
	b, err := baseline.Load(file)
	if err != nil {
		t.Fatal(err)
	}
	cs, err := controls.FromBaseline(b)
	if err != nil {
		t.Fatal(err)
	}
	o := offlineOrg(b, "aws")
	calls := append(controls.CallsOf(cs, o), controls.PluginCalls(b.Plugins)...)
	seen := map[string]bool{}
	for _, c := range calls {
		seen[c.Control] = true
		for _, region := range []string{"eu-west-1", "us-east-1"} {
			res := c.ResourceIn("123456789012", region)
			if res != "*" {
				// What the model cannot know offline is some value.
				res = strings.ReplaceAll(res, "*", "x1")
			}
			req := &iampolicy.Request{Action: c.Action, Resource: res, Context: c.Context}
			if d := pol.Evaluate(req).Decision; d != iampolicy.Allow {
				t.Errorf("the policy does not allow %s on %s with %v (%s): %v", c.Action, res, c.Context, c.Control, d)
			}
		}
	}
	for _, name := range []string{"organizationTrail", "accessAnalyzer", "configOrganization", "configRole", "config", "passwordPolicy", "plugin:no-iam-users"} {
		if !seen[name] {
			t.Errorf("no call of %s in the model", name)
		}
	}
	for _, want := range []string{`"Sid": "PluginNoIamUsers"`, `"iam:PassedToService": [`, `"cloudtrail.amazonaws.com"`, `"arn:aws:s3:::orgbaseline-cloudtrail-*-eu-west-1"`} {
		if !strings.Contains(r.stdout, want) {
			t.Errorf("the policy has no %s:\n%s", want, r.stdout)
		}
	}

	text := h.run("permissions", "-f", file, "--format", "text")
	h.want(text, 0)
	for _, want := range []string{
		"\norganizationTrail\n", "in the audit account (210987654321), home region eu-west-1:",
		"in the logArchive account (Log Archive), home region eu-west-1:",
		"in every targeted account, global endpoint (us-east-1):",
		"s3:CreateBucket                arn:aws:s3:::orgbaseline-cloudtrail-*-eu-west-1  s3:locationconstraint=eu-west-1",
		"\nplugin:no-iam-users\n  with the plugin's own session, in every targeted account, global endpoint (us-east-1):\n    iam:ListUsers  *",
	} {
		if !strings.Contains(text.stdout, want) {
			t.Errorf("text output has no %q:\n%s", want, text.stdout)
		}
	}

	for _, args := range [][]string{{"--format", "yaml"}, {"--partition", "aws-moon"}} {
		bad := h.run(append([]string{"permissions", "-f", file}, args...)...)
		h.want(bad, 1)
		if !strings.Contains(bad.stderr, args[1]) {
			t.Errorf("%v: %s", args, bad.stderr)
		}
	}
}

// GovCloud ARNs with --partition.
func TestPermissionsPartition(t *testing.T) {
	h := newHarness(t, orgsim.OrgSpec{Members: 2, Clean: true})
	file := h.write("baseline.yaml", "version: 1\norganization:\n  homeRegion: us-gov-west-1\n  regions: [us-gov-west-1]\n  accounts: {logArchive: \"111122223333\"}\ncontrols:\n  passwordPolicy: {}\n  config: {}\n  organizationTrail: {enabled: false}\n  accessAnalyzer: {enabled: false}\n")
	r := h.run("permissions", "-f", file, "--partition", "aws-us-gov", "--format", "text")
	h.want(r, 0)
	for _, want := range []string{"arn:aws-us-gov:iam::{account}:role/aws-service-role/config.amazonaws.com/AWSServiceRoleForConfig", "global endpoint (us-gov-west-1)"} {
		if !strings.Contains(r.stdout, want) {
			t.Errorf("no %q:\n%s", want, r.stdout)
		}
	}
}

// readmePermissionsMarker opens the README's generated block: the fenced
// block that follows it is the output of the command it names.
const readmePermissionsMarker = "<!-- generated: orgbaseline permissions --format text -f baseline.yaml -->"

// The README's list of the execution role's calls is the command's output
// for the example baseline.
func TestREADMEPermissionsBlock(t *testing.T) {
	h := newHarness(t, orgsim.OrgSpec{Members: 2, Clean: true})
	t.Chdir("../..")
	r := h.run("permissions", "--format", "text", "-f", "baseline.yaml")
	h.want(r, 0)
	readme, err := os.ReadFile("README.md")
	if err != nil {
		t.Fatal(err)
	}
	doc := string(readme)
	i := strings.Index(doc, readmePermissionsMarker)
	if i < 0 {
		t.Fatalf("README.md has no %s", readmePermissionsMarker)
	}
	rest := doc[i+len(readmePermissionsMarker):]
	const open, end = "\n```text\n", "```\n"
	if !strings.HasPrefix(rest, open) {
		t.Fatalf("README.md: %s is not followed by a ```text block", readmePermissionsMarker)
	}
	body := rest[len(open):]
	n := 0 // the length of the block's content
	if !strings.HasPrefix(body, end) {
		j := strings.Index(body, "\n"+end)
		if j < 0 {
			t.Fatal("README.md: the generated permissions block is not closed")
		}
		n = j + 1
	}
	have := body[:n]
	if have == r.stdout {
		return
	}
	if updating() {
		doc = doc[:i+len(readmePermissionsMarker)] + open + r.stdout + body[n:]
		if err := os.WriteFile("README.md", []byte(doc), 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	t.Errorf("README.md's permissions block differs from `orgbaseline permissions --format text -f baseline.yaml`; regenerate it with\n  go test ./internal/cli -run TestREADMEPermissionsBlock -update\n--- README\n%s--- command\n%s", have, r.stdout)
}
