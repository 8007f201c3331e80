package baseline

import (
	"strings"
	"testing"
)

// Lists replace lists when files merge; a policies list that drops an
// extended file's policies is recorded, naming both files and the
// policies, and one that keeps them (or adds to a copy) is not.
func TestReplacedPoliciesAreRecorded(t *testing.T) {
	b, err := LoadBytes("b.yaml", []byte("version: 1\nextends: [deny-root-user, region-deny]\n"), t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	if len(b.Replaced) != 1 {
		t.Fatalf("replaced: %+v", b.Replaced)
	}
	r := b.Replaced[0]
	if r.Key != "serviceControlPolicies" || r.From != "profile:deny-root-user" || r.By != "profile:region-deny" || len(r.Dropped) == 0 {
		t.Fatalf("replaced: %+v", r)
	}
	if s := r.String(); !strings.Contains(s, "controls.serviceControlPolicies.policies of profile:deny-root-user is replaced by the list of profile:region-deny, which does not declare \""+r.Dropped[0]+"\"") {
		t.Errorf("note: %s", s)
	}

	own := "version: 1\nextends: [deny-root-user]\ncontrols:\n  serviceControlPolicies:\n    policies:\n"
	for _, name := range r.Dropped {
		own += "      - {name: " + name + ", document: '{}', targets: [root]}\n"
	}
	b, err = LoadBytes("b.yaml", []byte(own), t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	if len(b.Replaced) != 0 {
		t.Errorf("a list that keeps every name is recorded: %+v", b.Replaced)
	}
}
