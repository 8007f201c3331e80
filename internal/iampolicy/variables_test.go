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
	if got, ok := compileTemplate("a${$}b").pattern(nil); !ok || got != "a$b" {
		t.Fatalf("${$}: %q %v", got, ok)
	}
	if got, ok := compileTemplate("a${*}b").pattern(nil); ok {
		t.Fatalf("${*} in a pattern: %q, want no pattern (a literal * cannot be compiled)", got)
	}
	if !compileTemplate("a${*}b").equal("a*b", nil, false) {
		t.Fatal("${*} compared literally: want a*b to equal it")
	}
}

// TestPolicyVariablesInConditions: variables are expanded in the values of
// the string and ARN operators, and only there (IAM user guide, "IAM policy
// elements: Variables and tags", Condition element).
func TestPolicyVariablesInConditions(t *testing.T) {
	for _, tc := range []struct {
		name string
		cond string
		ctx  map[string][]string
		want bool
	}{
		{"StringEquals expanded", `{"StringEquals":{"aws:PrincipalTag/owner":"${aws:username}"}}`, ctx("aws:principaltag/owner", "bob", "aws:username", "bob"), true},
		{"StringEquals other value", `{"StringEquals":{"aws:PrincipalTag/owner":"${aws:username}"}}`, ctx("aws:principaltag/owner", "bob", "aws:username", "alice"), false},
		{"variable key case-insensitive", `{"StringEquals":{"aws:PrincipalTag/owner":"${AWS:UserName}"}}`, ctx("aws:principaltag/owner", "bob", "aws:username", "bob"), true},
		{"text around the variable", `{"StringEquals":{"aws:PrincipalArn":"arn:aws:iam::${aws:PrincipalAccount}:role/Admin"}}`, ctx("aws:principalarn", "arn:aws:iam::111122223333:role/Admin", "aws:principalaccount", "111122223333"), true},
		{"text around, other account", `{"StringEquals":{"aws:PrincipalArn":"arn:aws:iam::${aws:PrincipalAccount}:role/Admin"}}`, ctx("aws:principalarn", "arn:aws:iam::444455556666:role/Admin", "aws:principalaccount", "111122223333"), false},
		{"tag variable", `{"StringEquals":{"aws:ResourceTag/team":"${aws:PrincipalTag/team}"}}`, ctx("aws:resourcetag/team", "blue", "aws:principaltag/team", "blue"), true},
		{"absent key matches nothing", `{"StringEquals":{"aws:PrincipalTag/owner":"${aws:username}"}}`, ctx("aws:principaltag/owner", "bob"), false},
		{"absent key, negated holds", `{"StringNotEquals":{"aws:PrincipalTag/owner":"${aws:username}"}}`, ctx("aws:principaltag/owner", "bob"), true},
		{"default when absent", `{"StringEquals":{"aws:PrincipalTag/owner":"${aws:username, 'nobody'}"}}`, ctx("aws:principaltag/owner", "nobody"), true},
		{"value wins over default", `{"StringEquals":{"aws:PrincipalTag/owner":"${aws:username, 'nobody'}"}}`, ctx("aws:principaltag/owner", "nobody", "aws:username", "bob"), false},
		{"IgnoreCase", `{"StringEqualsIgnoreCase":{"aws:PrincipalTag/owner":"${aws:username}"}}`, ctx("aws:principaltag/owner", "BOB", "aws:username", "bob"), true},
		{"one of several values", `{"StringEquals":{"aws:PrincipalTag/owner":["admin","${aws:username}"]}}`, ctx("aws:principaltag/owner", "bob", "aws:username", "bob"), true},
		{"StringLike expanded", `{"StringLike":{"s3:prefix":"home/${aws:username}/*"}}`, ctx("s3:prefix", "home/bob/docs", "aws:username", "bob"), true},
		{"StringLike other user", `{"StringLike":{"s3:prefix":"home/${aws:username}/*"}}`, ctx("s3:prefix", "home/alice/docs", "aws:username", "bob"), false},
		{"StringLike substituted value is literal", `{"StringLike":{"s3:prefix":"home/${aws:username}"}}`, ctx("s3:prefix", "home/bob", "aws:username", "*"), false},
		{"ArnLike expanded", `{"ArnLike":{"aws:SourceArn":"arn:aws:cloudtrail:*:${aws:PrincipalAccount}:trail/*"}}`, ctx("aws:sourcearn", "arn:aws:cloudtrail:us-east-1:111122223333:trail/org", "aws:principalaccount", "111122223333"), true},
		{"ArnNotLike expanded", `{"ArnNotLike":{"aws:SourceArn":"arn:aws:cloudtrail:*:${aws:PrincipalAccount}:trail/*"}}`, ctx("aws:sourcearn", "arn:aws:cloudtrail:us-east-1:111122223333:trail/org", "aws:principalaccount", "111122223333"), false},
		{"not in Bool", `{"Bool":{"aws:SecureTransport":"${aws:ViaAWSService}"}}`, ctx("aws:securetransport", "true", "aws:viaawsservice", "true"), false},
		{"not in Numeric", `{"NumericEquals":{"aws:MultiFactorAuthAge":"${aws:EpochTime}"}}`, ctx("aws:multifactorauthage", "5", "aws:epochtime", "5"), false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if got := condAllows(t, tc.cond, tc.ctx); got != tc.want {
				t.Fatalf("allowed = %v, want %v", got, tc.want)
			}
		})
	}
}

// TestPolicyVariablesNeedVersion: "If you don't include the Version element
// and set it to an appropriate version date, variables like ${aws:username}
// are treated as literal strings in the policy" (IAM user guide).
func TestPolicyVariablesNeedVersion(t *testing.T) {
	for _, version := range []string{``, `"Version":"2008-10-17",`} {
		p := mustParseTB(t, `{`+version+`"Statement":[
		  {"Sid":"R","Effect":"Allow","Action":"iam:ChangePassword","Resource":"arn:aws:iam::*:user/${aws:username}"},
		  {"Sid":"C","Effect":"Allow","Action":"s3:GetObject","Resource":"*","Condition":{"StringEquals":{"aws:PrincipalTag/owner":"${aws:username}"}}}]}`, KindIdentity)
		c := ctx("aws:username", "bob", "aws:principaltag/owner", "bob")
		checkResult(t, p.Evaluate(&Request{Action: "iam:ChangePassword", Resource: "arn:aws:iam::111122223333:user/bob", Context: c}), ImplicitDeny, "")
		checkResult(t, p.Evaluate(&Request{Action: "iam:ChangePassword", Resource: "arn:aws:iam::111122223333:user/${aws:username}", Context: c}), Allow, "R")
		checkResult(t, p.Evaluate(&Request{Action: "s3:GetObject", Resource: "*", Context: c}), ImplicitDeny, "")
		c["aws:principaltag/owner"] = []string{"${aws:username}"}
		checkResult(t, p.Evaluate(&Request{Action: "s3:GetObject", Resource: "*", Context: c}), Allow, "C")
	}
}

// TestConditionVariablesDoNotAllocate: a string comparison against a value
// with variables is made without building the expanded string.
func TestConditionVariablesDoNotAllocate(t *testing.T) {
	p := mustParseTB(t, `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"*","Resource":"*",
	  "Condition":{"StringEquals":{"aws:PrincipalArn":"arn:aws:iam::${aws:PrincipalAccount}:role/${aws:PrincipalTag/role, 'Admin'}"}}}]}`, KindIdentity)
	req := &Request{Action: "s3:GetObject", Resource: "*", Context: ctx("aws:principalarn", "arn:aws:iam::111122223333:role/Admin", "aws:principalaccount", "111122223333")}
	if p.Evaluate(req).Decision != Allow {
		t.Fatal("want Allow")
	}
	if n := testing.AllocsPerRun(200, func() { p.Evaluate(req) }); n != 0 {
		t.Errorf("Evaluate allocates %.1f times per call, want 0", n)
	}
}
