package baseline

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// secret is what a credentials file holds; no diagnostic may show any of it.
const secret = "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY"

// extendsTree lays out a baseline directory and files around it:
//
//	root/creds.env             a credentials file outside the baseline's tree
//	root/outside.yaml          a YAML file outside it, holding the secret
//	root/outdir/x.yaml         the same, in a directory
//	root/b/                    the baseline's directory
//	root/b/base.yaml           a file inside it
//	root/b/sub/top.yaml        a file in a subdirectory, extending ../base.yaml
//	root/b/inside-link.yaml    -> base.yaml (inside)
//	root/b/creds-link.env      -> ../creds.env (outside)
//	root/b/outdir-link         -> ../outdir (outside)
//	root/b/local.env           a credentials file inside the tree
func extendsTree(t *testing.T) (root, dir string) {
	t.Helper()
	root = t.TempDir()
	dir = filepath.Join(root, "b")
	write := func(path, content string) {
		t.Helper()
		if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(path, []byte(content), 0o600); err != nil {
			t.Fatal(err)
		}
	}
	link := func(target, path string) {
		t.Helper()
		if err := os.Symlink(target, path); err != nil {
			t.Fatal(err)
		}
	}
	env := "AWS_ACCESS_KEY_ID=AKIAIOSFODNN7EXAMPLE\nAWS_SECRET_ACCESS_KEY=" + secret + "\n"
	write(filepath.Join(root, "creds.env"), env)
	write(filepath.Join(root, "outside.yaml"), "version: 1\norganization:\n  externalId: \""+secret+"\"\n")
	write(filepath.Join(root, "outdir", "x.yaml"), "version: 1\norganization:\n  externalId: \""+secret+"\"\n")
	write(filepath.Join(dir, "base.yaml"), "version: 1\norganization:\n  concurrency: 4\n")
	write(filepath.Join(dir, "sub", "top.yaml"), "version: 1\nextends: [../base.yaml]\n")
	write(filepath.Join(dir, "local.env"), env)
	link("base.yaml", filepath.Join(dir, "inside-link.yaml"))
	link("../creds.env", filepath.Join(dir, "creds-link.env"))
	link("../outdir", filepath.Join(dir, "outdir-link"))
	return root, dir
}

func TestExtendsOutsideTheBaselineTreeIsRefused(t *testing.T) {
	_, dir := extendsTree(t)
	fix := "extends may only name a built-in profile or a file inside the baseline's directory " + dir
	for _, tc := range []struct {
		name, ref, want string
	}{
		{"/etc/passwd", "/etc/passwd", `:2:11: extends: "/etc/passwd" is an absolute path; ` + fix},
		{"an absolute path inside the tree", filepath.Join(dir, "base.yaml"), `:2:11: extends: "` + clip(filepath.Join(dir, "base.yaml")) + `" is an absolute path; ` + fix},
		{"../outside.yaml", "../outside.yaml", `:2:11: extends: "../outside.yaml" is outside the baseline's directory; ` + fix},
		{"../creds.env", "./../creds.env", `:2:11: extends: "./../creds.env" is outside the baseline's directory; ` + fix},
		{"a symbolic link to a file outside", "./creds-link.env", `:2:11: extends: "./creds-link.env" is a symbolic link, or passes through one, to a file outside the baseline's directory; ` + fix},
		{"a path through a symbolic link to a directory outside", "outdir-link/x.yaml", `:2:11: extends: "outdir-link/x.yaml" is a symbolic link, or passes through one, to a file outside the baseline's directory; ` + fix},
	} {
		t.Run(tc.name, func(t *testing.T) {
			path := filepath.Join(dir, "b.yaml")
			if err := os.WriteFile(path, []byte("version: 1\nextends: ["+tc.ref+"]\n"), 0o600); err != nil {
				t.Fatal(err)
			}
			b, err := Load(path)
			if b != nil {
				t.Fatalf("extends of %s loaded", tc.ref)
			}
			checkDiags(t, err, []string{path + tc.want})
			for _, leak := range []string{secret[:8], "AKIAIOSFODNN7", "root:x:0"} {
				if strings.Contains(err.Error(), leak) {
					t.Errorf("the error quotes the extended file's content (%q):\n%v", leak, err)
				}
			}
		})
	}
}

func TestExtendsInsideTheBaselineTree(t *testing.T) {
	_, dir := extendsTree(t)
	// ../ that stays inside the tree, and a symbolic link inside it.
	for _, top := range []string{"sub/top.yaml", "inside-link.yaml"} {
		path := filepath.Join(dir, "b.yaml")
		if err := os.WriteFile(path, []byte("version: 1\nextends: ["+top+"]\n"), 0o600); err != nil {
			t.Fatal(err)
		}
		b, err := Load(path)
		if err != nil {
			t.Fatalf("extends: [%s]: %v", top, err)
		}
		if b.Organization.Concurrency != 4 {
			t.Errorf("extends: [%s]: base.yaml's concurrency not applied: %+v", top, b.Organization)
		}
	}
	// A file of the tree that is not a baseline (a credentials file named
	// by mistake) is refused without quoting it.
	path := filepath.Join(dir, "b.yaml")
	if err := os.WriteFile(path, []byte("version: 1\nextends: [./local.env]\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	_, err := Load(path)
	checkDiags(t, err, []string{filepath.Join(dir, "local.env") + ":1:1: the top level must be a mapping of keys (version, organization, targets, controls), got a single value (not shown; is this a baseline file?)"})
	if err != nil && (strings.Contains(err.Error(), secret[:8]) || strings.Contains(err.Error(), "AKIAIOSFODNN7")) {
		t.Errorf("the error quotes the credentials file:\n%v", err)
	}
}

// A value quoted in a diagnostic is cut to maxQuoted characters and "…".
func TestDiagnosticsQuoteATruncatedValue(t *testing.T) {
	const hidden = "SECRETPART"
	long := strings.Repeat("A", 35) + hidden + strings.Repeat("z", 20)
	for _, tc := range []struct{ name, yaml, want string }{
		{"a value", "version: 1\norganization:\n  externalId: \"" + long + "!\"\n",
			`b.yaml:3:15: organization.externalId "` + long[:maxQuoted] + `…" has characters an external id cannot have`},
		{"a profile name", "version: 1\nextends: [" + long + "]\n",
			`b.yaml:2:11: unknown profile "` + long[:maxQuoted] + `…"`},
		{"a YAML anchor", "version: 1\norganization: *" + long + "\n",
			`b.yaml:2: YAML syntax error: unknown anchor '` + long[:maxQuoted] + `…' referenced`},
		{"a key", "version: 1\n" + long + ": 1\n",
			`b.yaml:2:1: unknown key "` + long[:maxQuoted] + `…" at the top level`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := LoadBytes("b.yaml", []byte(tc.yaml), t.TempDir())
			checkDiags(t, err, []string{tc.want})
			if err != nil && strings.Contains(err.Error(), hidden) {
				t.Errorf("the error quotes more than %d characters of the value:\n%v", maxQuoted, err)
			}
		})
	}
}

func TestClip(t *testing.T) {
	for _, tc := range []struct{ in, want string }{
		{"", ""},
		{strings.Repeat("x", maxQuoted), strings.Repeat("x", maxQuoted)},
		{strings.Repeat("x", maxQuoted+1), strings.Repeat("x", maxQuoted) + "…"},
		{strings.Repeat("é", maxQuoted+5), strings.Repeat("é", maxQuoted) + "…"},
	} {
		if got := clip(tc.in); got != tc.want {
			t.Errorf("clip(%d characters) = %q, want %q", len(tc.in), got, tc.want)
		}
	}
}
