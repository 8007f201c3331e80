package pluginhost

import (
	"context"
	"errors"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/orgbaseline/orgbaseline/plugins"
)

// openRefused opens spec with a credential source that counts its calls,
// and returns Open's refusal; the plugin must not have run anywhere.
func openRefused(t *testing.T, spec Spec) *ActionsRefusedError {
	t.Helper()
	var calls atomic.Int64
	src := func(context.Context, CredentialRequest) (plugins.Credentials, error) {
		calls.Add(1)
		return plugins.Credentials{}, nil
	}
	h, err := Open(context.Background(), []Spec{spec}, Options{Credentials: src})
	if err == nil {
		h.Close()
		t.Fatalf("plugin %s was launched for checks", spec.Name)
	}
	var re *ActionsRefusedError
	if !errors.As(err, &re) {
		t.Fatalf("refused for another reason: %v", err)
	}
	if calls.Load() != 0 {
		t.Fatalf("credentials were asked for a refused plugin")
	}
	return re
}

func TestAPluginWithoutApprovedActionsIsRefusedWithTheLineToPaste(t *testing.T) {
	s := fixtureSpec(t, "unapproved", "")
	s.Actions = nil
	err := openRefused(t, s).Error()
	mustContain(t, err, "plugin unapproved", "was not run", "approves no IAM actions (it has no actions: list)",
		"declares 1 action", "add this line to its entry, beside sha256:\n    actions: [iam:ListUsers]")
}

func TestAPluginDeclaringAnUnapprovedActionIsRefused(t *testing.T) {
	s := fixtureSpec(t, "writer", "")
	s.Path = copyFixture(t, "writer")
	s.SHA256 = checksum(t, s.Path)
	err := openRefused(t, s)
	mustContain(t, err.Error(), "plugin writer", "was not run: it declares IAM actions its plugins: entry does not approve",
		"declared:     [iam:AttachUserPolicy, iam:CreateUser, iam:ListUsers]",
		"approved:     [iam:ListUsers]",
		"not approved: [iam:AttachUserPolicy, iam:CreateUser]")

	// An empty list approves nothing either.
	s.Actions = []string{}
	mustContain(t, openRefused(t, s).Error(), "approved:     []", "not approved: [iam:AttachUserPolicy, iam:CreateUser, iam:ListUsers]")
}

func TestAPluginDeclaringWriteActionsNeedsAllowWriteActions(t *testing.T) {
	s := fixtureSpec(t, "writer", "")
	s.Path = copyFixture(t, "writer")
	s.SHA256 = checksum(t, s.Path)
	s.Actions = []string{"iam:ListUsers", "iam:CreateUser", "iam:AttachUserPolicy"}
	err := openRefused(t, s)
	if d := strings.Join(err.Writes, ","); d != "iam:AttachUserPolicy,iam:CreateUser" {
		t.Fatalf("write actions %s", d)
	}
	mustContain(t, err.Error(), "declares write actions [iam:AttachUserPolicy, iam:CreateUser]", "allowWriteActions: true")

	s.AllowWriteActions = true
	h := open(t, []Spec{s}, Options{})
	if p := h.Plugins()[0]; !strings.Contains(p.SessionPolicy, `"iam:CreateUser"`) {
		t.Fatalf("the allowed plugin's session policy: %s", p.SessionPolicy)
	}
}

// IAM matches actions case-insensitively, and so does the approval.
func TestApprovedActionsMatchInAnyCase(t *testing.T) {
	s := fixtureSpec(t, "cased", "")
	s.Actions = []string{"iam:listusers"}
	open(t, []Spec{s}, Options{})
}
