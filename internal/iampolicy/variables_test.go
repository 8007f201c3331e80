package iampolicy

import "testing"

func TestPolicyVariablesInResource(t *testing.T) {
	p := MustParse(`{"Version":"2012-10-17","Statement":[
	  {"Effect":"Allow","Action":"iam:ChangePassword","Resource":"arn:aws:iam::*:user/${aws:username}"},
	  {"Effect":"Allow","Action":"s3:GetObject","Resource":"arn:aws:s3:::home/${aws:username, 'nobody'}/*"}]}`, KindIdentity)
	user := func(name string) map[string][]string {
		if name == "" {
			return map[string][]string{}
		}
		return map[string][]string{"aws:username": {name}}
	}
	for _, tc := range []struct {
		name     string
		action   string
		resource string
		ctx      map[string][]string
		want     Decision
	}{
		{"own user", "iam:ChangePassword", "arn:aws:iam::111122223333:user/alice", user("alice"), Allow},
		{"another user", "iam:ChangePassword", "arn:aws:iam::111122223333:user/bob", user("alice"), ImplicitDeny},
		{"key absent matches nothing", "iam:ChangePassword", "arn:aws:iam::111122223333:user/alice", user(""), ImplicitDeny},
		{"default when absent", "s3:GetObject", "arn:aws:s3:::home/nobody/file", user(""), Allow},
		{"value when present", "s3:GetObject", "arn:aws:s3:::home/alice/file", user("alice"), Allow},
		{"value is literal, not a wildcard", "iam:ChangePassword", "arn:aws:iam::111122223333:user/alice", user("*"), ImplicitDeny},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got := p.Evaluate(&Request{Action: tc.action, Resource: tc.resource, Context: tc.ctx}).Decision
			if got != tc.want {
				t.Fatalf("%v, want %v", got, tc.want)
			}
		})
	}
	// Literal-character escapes.
	if got, ok := expandVariables("a${$}b", nil); !ok || got != "a$b" {
		t.Fatalf("${$}: %q %v", got, ok)
	}
}
