package baseline

import (
	"strings"
	"testing"
	"time"
)

func TestPluginsLoadWithDefaults(t *testing.T) {
	b, err := LoadBytes("b.yaml", []byte(`version: 1
plugins:
  - name: root-account
    path: plugins/root-account
    sha256: 0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef
    config: {rootLastUsedDays: 1, nested: {a: [1, 2]}}
  - name: iam-users
    path: plugins/iam-users
    sha256: 0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef
    timeout: 5s
    severity: high
    concurrency: 2
`), "")
	if err != nil {
		t.Fatal(err)
	}
	p := b.Plugins
	if len(p) != 2 || p[0].Timeout.Duration != DefaultPluginTimeout || p[0].Concurrency != DefaultPluginConcurrency || p[0].Config["rootLastUsedDays"] != 1 {
		t.Fatalf("plugin 0: %+v", p[0])
	}
	if p[1].Timeout.Duration != 5*time.Second || p[1].Severity != "high" || p[1].Concurrency != 2 || len(p[1].Config) != 0 || p[1].Config == nil {
		t.Fatalf("plugin 1: %+v", p[1])
	}
}

func TestPluginValidation(t *testing.T) {
	_, err := LoadBytes("b.yaml", []byte(`version: 1
plugins:
  - name: root-account
    path: p
  - name: Bad_Name
    path: x
    sha256: 0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef
    timeout: 11m
    severity: urgent
    concurrency: 0
  - name: root-account
    path: y
    sha256: nothex
  - sha256: 0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef
    colour: blue
`), "")
	if err == nil {
		t.Fatal("invalid plugins accepted")
	}
	for _, want := range []string{
		"b.yaml:3:5: plugins[0] (root-account) is not pinned: add sha256:",
		`b.yaml:5:11: plugins[1].name "Bad_Name"`,
		"b.yaml:8:14: plugins[1].timeout 11m is out of range",
		`b.yaml:9:15: plugins[1].severity "urgent"`,
		"b.yaml:10:18: plugins[1].concurrency 0 is out of range",
		`b.yaml:11:11: plugin name "root-account" is used twice`,
		`b.yaml:13:13: plugins[2].sha256 "nothex" is not a sha256 checksum`,
		"b.yaml:14:5: plugins[3] has no name",
		`b.yaml:15:5: unknown key "colour"`,
	} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("missing %q in:\n%v", want, err)
		}
	}
}

func TestPluginActionsValidation(t *testing.T) {
	const sum = "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef"
	_, err := LoadBytes("b.yaml", []byte(`version: 1
plugins:
  - name: reader
    path: p
    sha256: `+sum+`
    actions: [iam:ListUsers, "iam:*", iam:listusers, iam:CreateUser]
  - name: writer
    path: p
    sha256: `+sum+`
    allowWriteActions: true
    actions:
      - iam:CreateUser
      - "s3:Get*"
  - name: typo
    path: p
    sha256: `+sum+`
    actions: iam:ListUsers
`), "")
	if err == nil {
		t.Fatal("invalid actions accepted")
	}
	for _, want := range []string{
		`b.yaml:6:30: plugins[0].actions[1] "iam:*" is not one IAM action`,
		"b.yaml:6:39: plugins[0].actions[2] iam:listusers is listed twice (also plugins[0].actions[0])",
		"b.yaml:6:54: plugins[0].actions[3] iam:CreateUser is not a read action",
		"allowWriteActions: true",
		`b.yaml:13:9: plugins[1].actions[1] "s3:Get*" is not one IAM action`,
		"b.yaml:17:14: ",
	} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("missing %q in:\n%v", want, err)
		}
	}
	if strings.Contains(err.Error(), "plugins[1].actions[0]") {
		t.Errorf("an allowed write action was refused:\n%v", err)
	}
}

func TestPluginActionsLoad(t *testing.T) {
	const sum = "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef"
	b, err := LoadBytes("b.yaml", []byte(`version: 1
plugins:
  - {name: unapproved, path: p, sha256: `+sum+`}
  - {name: offline, path: p, sha256: `+sum+`, actions: []}
  - {name: writer, path: p, sha256: `+sum+`, actions: [iam:GetUser, iam:CreateUser], allowWriteActions: true}
`), "")
	if err != nil {
		t.Fatal(err)
	}
	p := b.Plugins
	if p[0].Actions != nil {
		t.Errorf("no actions: key gave %q, want nil (approves nothing)", p[0].Actions)
	}
	if p[1].Actions == nil || len(p[1].Actions) != 0 {
		t.Errorf("actions: [] gave %#v, want an empty list", p[1].Actions)
	}
	if w := p[2].WriteActions(); !p[2].AllowWriteActions || len(w) != 1 || w[0] != "iam:CreateUser" {
		t.Errorf("writer: allow %v, write actions %q", p[2].AllowWriteActions, w)
	}
}
