package iampolicy

import (
	"errors"
	"strings"
	"testing"
)

// problem is an expected Problem: exact path, message containing substring.
type problem struct{ path, contains string }

func checkProblems(t testing.TB, err error, want []problem) {
	t.Helper()
	if err == nil {
		t.Fatalf("Parse succeeded, want problems %v", want)
	}
	var pe *ParseError
	if !errors.As(err, &pe) {
		t.Fatalf("error is %T (%v), want *ParseError", err, err)
	}
	for _, w := range want {
		found := false
		for _, p := range pe.Problems {
			if p.Path == w.path && strings.Contains(p.Message, w.contains) {
				found = true
				break
			}
		}
		if !found {
			t.Errorf("missing problem at %q containing %q; got:\n%s", w.path, w.contains, err)
		}
	}
	if len(pe.Problems) != len(want) {
		t.Errorf("got %d problems, want %d:\n%s", len(pe.Problems), len(want), err)
	}
}

// stmt wraps statement JSON objects in a policy document.
func stmt(statements ...string) string {
	return `{"Version":"2012-10-17","Statement":[` + strings.Join(statements, ",") + `]}`
}

func TestParseValid(t *testing.T) {
	tests := []struct {
		name string
		kind Kind
		doc  string
	}{
		{"identity minimal", KindIdentity, `{"Statement":{"Effect":"Allow","Action":"s3:GetObject","Resource":"arn:aws:s3:::b/*"}}`},
		{"identity old version", KindIdentity, `{"Version":"2008-10-17","Id":"x","Statement":[{"Effect":"Deny","NotAction":"iam:*","NotResource":"*"}]}`},
		{"uppercase service prefix", KindIdentity, stmt(`{"Effect":"Allow","Action":"IAM:ListUsers","Resource":"*"}`)},
		{"scp allow with condition", KindSCP, stmt(`{"Sid":"a-b c","Effect":"Allow","Action":"*","Resource":"*","Condition":{"StringEquals":{"aws:RequestedRegion":"us-east-1"}}}`)},
		{"trust without resource", KindTrust, stmt(`{"Effect":"Allow","Principal":{"Service":["ec2.amazonaws.com","lambda.amazonaws.com"]},"Action":["sts:AssumeRole","sts:TagSession"]}`)},
		{"trust unique ID of a deleted role", KindTrust, stmt(`{"Effect":"Allow","Principal":{"AWS":"AROA1234567890EXAMPLE"},"Action":"sts:AssumeRole"}`)},
		{"trust NotPrincipal", KindTrust, stmt(`{"Effect":"Deny","NotPrincipal":{"AWS":["arn:aws:iam::111122223333:role/A","arn:aws:sts::111122223333:assumed-role/A/s"]},"Action":"sts:AssumeRole"}`)},
		{"trust federated", KindTrust, stmt(`{"Effect":"Allow","Principal":{"Federated":"arn:aws:iam::111122223333:oidc-provider/token.actions.githubusercontent.com"},"Action":"sts:AssumeRoleWithWebIdentity","Condition":{"StringLike":{"token.actions.githubusercontent.com:sub":"repo:acme/*"}}}`)},
		{"resource bucket policy", KindResource, stmt(`{"Sid":"Allow read 1","Effect":"Allow","Principal":"*","Action":"s3:GetObject","Resource":"arn:aws:s3:::b/*","Condition":{"StringEquals":{"aws:PrincipalOrgID":"o-abc"},"Bool":{"aws:SecureTransport":false}}}`)},
		{"resource canonical user", KindResource, stmt(`{"Effect":"Allow","Principal":{"CanonicalUser":"79a59df900b949e55d96a1e698fbacedfd6e09d98eacf8f8d5218e7cd47ef2be"},"Action":"s3:GetObject","Resource":"arn:aws:s3:::b/*"}`)},
		{"policy variables in values are not checked", KindIdentity, stmt(`{"Effect":"Allow","Action":"*","Resource":"*","Condition":{"NumericLessThan":{"a:b":"${aws:x}"}}}`)},
		{"all operator families", KindIdentity, stmt(`{"Effect":"Allow","Action":"*","Resource":"*","Condition":{
			"StringEqualsIgnoreCase":{"a:a":"x"},"StringNotLike":{"a:b":"x*"},"ArnEquals":{"a:c":"arn:aws:s3:::x"},
			"NumericGreaterThanEquals":{"a:d":1.5},"DateLessThanEquals":{"a:e":"2024-01-01T00:00:00Z"},"DateGreaterThan":{"a:e":1704067200},
			"IpAddress":{"aws:SourceIp":["10.0.0.0/8","2001:db8::/32","192.0.2.1"]},"BinaryEquals":{"a:f":"QmluYXJ5"},
			"Null":{"a:g":true},"ForAllValues:StringLikeIfExists":{"a:h":["x","y"]}}}`)},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			p := mustParseTB(t, tc.doc, tc.kind)
			if p.Kind != tc.kind || len(p.Statements) == 0 {
				t.Errorf("parsed %+v", p)
			}
		})
	}
}

func TestParseFields(t *testing.T) {
	p := mustParseTB(t, `{"Version":"2012-10-17","Id":"pol-1","Statement":[
	  {"Sid":"One","Effect":"Allow","Principal":{"AWS":["111122223333","*"],"Service":"ec2.amazonaws.com"},"Action":"sts:AssumeRole"},
	  {"Effect":"Deny","NotPrincipal":"*","NotAction":["sts:TagSession","sts:SetSourceIdentity"]}]}`, KindTrust)
	if p.Version != "2012-10-17" || p.ID != "pol-1" || len(p.Statements) != 2 {
		t.Fatalf("policy header: %+v", p)
	}
	s0, s1 := p.Statements[0], p.Statements[1]
	if s0.Index != 0 || s0.Sid != "One" || s0.Effect != EffectAllow || len(s0.Action) != 1 || s0.Action[0] != "sts:AssumeRole" || s0.Resource != nil {
		t.Errorf("statement 0: %+v", s0)
	}
	if s0.Principal == nil || !s0.Principal.Wildcard || len(s0.Principal.AWS) != 2 || s0.Principal.Service[0] != "ec2.amazonaws.com" || s0.NotPrincipal != nil {
		t.Errorf("statement 0 principal: %+v", s0.Principal)
	}
	if s1.Index != 1 || s1.Name() != "Statement[1]" || s1.Effect != EffectDeny || s1.NotPrincipal == nil || !s1.NotPrincipal.Wildcard || len(s1.NotAction) != 2 || s1.NotResource != nil {
		t.Errorf("statement 1: %+v", s1)
	}
}

func TestParseErrors(t *testing.T) {
	const okStmt = `{"Effect":"Allow","Action":"*","Resource":"*"}`
	const okTrust = `{"Effect":"Allow","Principal":{"Service":"ec2.amazonaws.com"},"Action":"sts:AssumeRole"}`
	tests := []struct {
		name string
		kind Kind
		doc  string
		want []problem
	}{
		{"trust with resource", KindTrust, stmt(`{"Effect":"Allow","Principal":{"AWS":"111122223333"},"Action":"sts:AssumeRole","Resource":"*"}`), []problem{{"Statement[0]", `prohibited field "Resource"`}}},
		// Document level
		{"empty", KindIdentity, "  \n", []problem{{"", "empty"}}},
		{"syntax", KindIdentity, "{\n  \"Statement\": [\n  }", []problem{{"", "invalid JSON at line 3"}}},
		{"truncated", KindIdentity, `{"Statement": [`, []problem{{"", "ends early"}}},
		{"trailing data", KindIdentity, `{"Statement":` + okStmt + `} {}`, []problem{{"", "unexpected data after the end"}}},
		{"too deep", KindIdentity, strings.Repeat("[", 100) + strings.Repeat("]", 100), []problem{{"", "nested more than 64 levels"}}},
		{"not an object", KindIdentity, `["Statement"]`, []problem{{"", "must be a JSON object, got an array"}}},
		{"bad kind", Kind(9), `{}`, []problem{{"", "unknown policy kind 9"}}},
		{"bad version", KindIdentity, `{"Version":"2012-10-18","Statement":` + okStmt + `}`, []problem{{"Version", `use "2012-10-17"`}}},
		{"version not string", KindIdentity, `{"Version":2012,"Statement":` + okStmt + `}`, []problem{{"Version", "must be a string"}}},
		{"id not string", KindIdentity, `{"Id":1,"Statement":` + okStmt + `}`, []problem{{"Id", "must be a string"}}},
		{"unknown top-level key", KindIdentity, `{"Statements":[` + okStmt + `]}`, []problem{{"Statements", `did you mean "Statement"`}, {"", `missing "Statement"`}}},
		{"missing statement", KindIdentity, `{"Version":"2012-10-17"}`, []problem{{"", `missing "Statement"`}}},
		{"empty statement array", KindIdentity, `{"Statement":[]}`, []problem{{"Statement", "at least one statement"}}},
		{"statement wrong type", KindIdentity, `{"Statement":"Allow"}`, []problem{{"Statement", "got a string"}}},
		{"statement element not object", KindIdentity, `{"Statement":[` + okStmt + `,42]}`, []problem{{"Statement[1]", "must be a JSON object, got a number"}}},

		// Duplicate keys
		{"duplicate top-level key", KindIdentity, `{"Version":"2012-10-17","Version":"2012-10-17","Statement":` + okStmt + `}`, []problem{{"Version", `duplicate key "Version"`}}},
		{"duplicate statement key", KindIdentity, stmt(`{"Effect":"Allow","Action":"s3:GetObject","Action":"s3:PutObject","Resource":"*"}`), []problem{{"Statement[0].Action", `duplicate key "Action"`}}},
		{"duplicate condition key", KindIdentity, stmt(`{"Effect":"Allow","Action":"*","Resource":"*","Condition":{"StringEquals":{"aws:PrincipalOrgID":"o-a","aws:PrincipalOrgID":"o-b"}}}`),
			[]problem{{`Statement[0].Condition.StringEquals["aws:PrincipalOrgID"]`, "duplicate key"}}},
		{"duplicate operator", KindIdentity, stmt(`{"Effect":"Allow","Action":"*","Resource":"*","Condition":{"Bool":{"a:b":"true"},"Bool":{"a:c":"true"}}}`),
			[]problem{{"Statement[0].Condition.Bool", "duplicate key"}}},

		// Statement level
		{"missing effect", KindIdentity, stmt(okStmt, `{"Action":"*","Resource":"*"}`), []problem{{"Statement[1]", `missing "Effect"; set it to "Allow" or "Deny"`}}},
		{"effect case", KindIdentity, stmt(`{"Effect":"allow","Action":"*","Resource":"*"}`), []problem{{"Statement[0].Effect", `exactly "Allow" or "Deny" (case-sensitive), got "allow"`}}},
		{"effect value", KindSCP, stmt(`{"Effect":"Permit","Action":"*","Resource":"*"}`), []problem{{"Statement[0].Effect", `must be "Allow" or "Deny", got "Permit"`}}},
		{"effect type", KindSCP, stmt(`{"Effect":true,"Action":"*","Resource":"*"}`), []problem{{"Statement[0].Effect", "got a boolean"}}},
		{"single statement object path", KindIdentity, `{"Statement":{"Action":"*","Resource":"*"}}`, []problem{{"Statement", `missing "Effect"`}}},
		{"missing action", KindIdentity, stmt(`{"Effect":"Allow","Resource":"*"}`), []problem{{"Statement[0]", `missing "Action"`}}},
		{"both action and notaction", KindIdentity, stmt(`{"Effect":"Allow","Action":"*","NotAction":"iam:*","Resource":"*"}`), []problem{{"Statement[0]", `both "Action" and "NotAction"`}}},
		{"missing resource identity", KindIdentity, stmt(`{"Effect":"Allow","Action":"*"}`), []problem{{"Statement[0]", `missing "Resource"`}}},
		{"missing resource scp", KindSCP, stmt(`{"Effect":"Deny","Action":"*"}`), []problem{{"Statement[0]", `missing "Resource"`}}},
		{"missing resource resource-policy", KindResource, stmt(`{"Effect":"Allow","Principal":"*","Action":"s3:GetObject"}`), []problem{{"Statement[0]", `missing "Resource"`}}},
		{"both resource and notresource", KindIdentity, stmt(`{"Effect":"Allow","Action":"*","Resource":"*","NotResource":"arn:aws:s3:::b"}`), []problem{{"Statement[0]", `both "Resource" and "NotResource"`}}},
		{"unknown statement key", KindIdentity, stmt(`{"Effect":"Allow","Action":"*","Resources":"*"}`), []problem{{"Statement[0].Resources", `did you mean "Resource"`}, {"Statement[0]", `missing "Resource"`}}},
		{"lower-case statement key", KindIdentity, stmt(`{"Effect":"Allow","action":"*","Resource":"*"}`), []problem{{"Statement[0].action", `did you mean "Action"`}, {"Statement[0]", `missing "Action"`}}},
		{"sid not string", KindSCP, stmt(`{"Sid":1,"Effect":"Allow","Action":"*","Resource":"*"}`), []problem{{"Statement[0].Sid", "must be a string"}}},
		{"sid characters identity", KindIdentity, stmt(`{"Sid":"Allow-All","Effect":"Allow","Action":"*","Resource":"*"}`), []problem{{"Statement[0].Sid", "only letters A-Z, a-z and digits 0-9"}}},
		{"duplicate sid", KindSCP, stmt(`{"Sid":"A","Effect":"Allow","Action":"*","Resource":"*"}`, okStmt, `{"Sid":"A","Effect":"Deny","Action":"iam:*","Resource":"*"}`),
			[]problem{{"Statement[2].Sid", `duplicate Sid "A" (also used by Statement[0])`}}},

		// Action
		{"action empty array", KindIdentity, stmt(`{"Effect":"Allow","Action":[],"Resource":"*"}`), []problem{{"Statement[0].Action", "must not be an empty array"}}},
		{"action not string", KindIdentity, stmt(`{"Effect":"Allow","Action":["s3:GetObject",5],"Resource":"*"}`), []problem{{"Statement[0].Action[1]", "must be a string, got a number"}}},
		{"action object", KindIdentity, stmt(`{"Effect":"Allow","Action":{"s3":"GetObject"},"Resource":"*"}`), []problem{{"Statement[0].Action", "must be a string or an array of strings, got an object"}}},
		{"action without prefix", KindIdentity, stmt(`{"Effect":"Allow","Action":"GetObject","Resource":"*"}`), []problem{{"Statement[0].Action", `write it as "service:ActionName"`}}},
		{"action wildcard prefix", KindIdentity, stmt(`{"Effect":"Allow","Action":["s3:GetObject","s*:Get*"],"Resource":"*"}`), []problem{{"Statement[0].Action[1]", `invalid service prefix "s*"`}}},
		{"action empty prefix", KindIdentity, stmt(`{"Effect":"Allow","Action":":GetObject","Resource":"*"}`), []problem{{"Statement[0].Action", "service prefix before ':' is empty"}}},
		{"action empty name", KindIdentity, stmt(`{"Effect":"Allow","Action":"s3:","Resource":"*"}`), []problem{{"Statement[0].Action", `use e.g. "s3:*"`}}},
		{"action space", KindIdentity, stmt(`{"Effect":"Allow","Action":"s3:Get Object","Resource":"*"}`), []problem{{"Statement[0].Action", "no ':' or whitespace"}}},
		{"notaction invalid", KindSCP, stmt(`{"Effect":"Deny","NotAction":["iam:*","*:*"],"Resource":"*"}`), []problem{{"Statement[0].NotAction[1]", `invalid service prefix "*"`}}},

		// Resource
		{"resource not arn", KindIdentity, stmt(`{"Effect":"Allow","Action":"*","Resource":"my-bucket"}`), []problem{{"Statement[0].Resource", `"my-bucket" is not an ARN`}}},
		{"resource short arn", KindIdentity, stmt(`{"Effect":"Allow","Action":"*","Resource":["*","arn:aws:s3"]}`), []problem{{"Statement[0].Resource[1]", "is not an ARN"}}},
		{"notresource empty", KindIdentity, stmt(`{"Effect":"Allow","Action":"*","NotResource":[]}`), []problem{{"Statement[0].NotResource", "must not be an empty array"}}},

		// Principal
		{"principal in identity", KindIdentity, stmt(`{"Effect":"Allow","Principal":"*","Action":"*","Resource":"*"}`), []problem{{"Statement[0].Principal", "not allowed in an identity-based or session policy"}}},
		{"notprincipal in scp", KindSCP, stmt(`{"Effect":"Deny","NotPrincipal":{"AWS":"111122223333"},"Action":"*","Resource":"*"}`), []problem{{"Statement[0].NotPrincipal", "not allowed in a service control policy"}}},
		{"missing principal trust", KindTrust, stmt(okTrust, `{"Effect":"Allow","Action":"sts:AssumeRole"}`), []problem{{"Statement[1]", `missing "Principal"; a role trust policy`}}},
		{"missing principal resource", KindResource, stmt(`{"Effect":"Allow","Action":"s3:GetObject","Resource":"arn:aws:s3:::b/*"}`), []problem{{"Statement[0]", `missing "Principal"; a resource-based policy`}}},
		{"both principal and notprincipal", KindTrust, stmt(`{"Effect":"Deny","Principal":"*","NotPrincipal":{"AWS":"111122223333"},"Action":"sts:AssumeRole"}`), []problem{{"Statement[0]", `both "Principal" and "NotPrincipal"`}}},
		{"principal bad string", KindTrust, stmt(`{"Effect":"Allow","Principal":"ec2.amazonaws.com","Action":"sts:AssumeRole"}`), []problem{{"Statement[0].Principal", `must be "*" or an object`}}},
		{"principal empty object", KindTrust, stmt(`{"Effect":"Allow","Principal":{},"Action":"sts:AssumeRole"}`), []problem{{"Statement[0].Principal", "at least one principal"}}},
		{"principal array", KindTrust, stmt(`{"Effect":"Allow","Principal":["*"],"Action":"sts:AssumeRole"}`), []problem{{"Statement[0].Principal", "got an array"}}},
		{"principal unknown type", KindTrust, stmt(`{"Effect":"Allow","Principal":{"Services":"ec2.amazonaws.com"},"Action":"sts:AssumeRole"}`), []problem{{"Statement[0].Principal.Services", `did you mean "Service"`}}},
		{"principal bad account", KindTrust, stmt(`{"Effect":"Allow","Principal":{"AWS":"1111-2222-3333"},"Action":"sts:AssumeRole"}`), []problem{{"Statement[0].Principal.AWS", "12-digit account ID"}}},
		{"principal wildcard arn", KindTrust, stmt(`{"Effect":"Allow","Principal":{"AWS":["111122223333","arn:aws:iam::*:role/Admin"]},"Action":"sts:AssumeRole"}`), []problem{{"Statement[0].Principal.AWS[1]", "wildcards are not allowed inside a principal ARN"}}},
		{"principal non-principal arn", KindResource, stmt(`{"Effect":"Allow","Principal":{"AWS":"arn:aws:s3:::bucket"},"Action":"s3:GetObject","Resource":"arn:aws:s3:::b/*"}`), []problem{{"Statement[0].Principal.AWS", "not a valid principal ARN"}}},
		{"principal arn wrong resource", KindTrust, stmt(`{"Effect":"Allow","Principal":{"AWS":"arn:aws:iam::111122223333:group/Admins"},"Action":"sts:AssumeRole"}`), []problem{{"Statement[0].Principal.AWS", "does not name an IAM principal"}}},
		{"principal service wildcard", KindTrust, stmt(`{"Effect":"Allow","Principal":{"Service":"*.amazonaws.com"},"Action":"sts:AssumeRole"}`), []problem{{"Statement[0].Principal.Service", "wildcards are not allowed in Service principals"}}},
		{"principal service empty", KindTrust, stmt(`{"Effect":"Allow","Principal":{"Service":["ec2.amazonaws.com",""]},"Action":"sts:AssumeRole"}`), []problem{{"Statement[0].Principal.Service[1]", "must be non-empty"}}},

		// Condition
		{"condition not object", KindIdentity, stmt(`{"Effect":"Allow","Action":"*","Resource":"*","Condition":["StringEquals"]}`), []problem{{"Statement[0].Condition", "must be an object mapping condition operators"}}},
		{"unknown operator with suggestion", KindIdentity, stmt(`{"Effect":"Allow","Action":"*","Resource":"*","Condition":{"StringEqual":{"a:b":"c"}}}`), []problem{{"Statement[0].Condition.StringEqual", `did you mean "StringEquals"`}}},
		{"operator wrong case", KindIdentity, stmt(`{"Effect":"Allow","Action":"*","Resource":"*","Condition":{"stringlike":{"a:b":"c"}}}`), []problem{{"Statement[0].Condition.stringlike", `did you mean "StringLike"`}}},
		{"operator bad set prefix", KindIdentity, stmt(`{"Effect":"Allow","Action":"*","Resource":"*","Condition":{"ForAnyValues:StringLike":{"a:b":"c"}}}`), []problem{{`Statement[0].Condition["ForAnyValues:StringLike"]`, `did you mean "ForAnyValue:StringLike"`}}},
		{"operator unknown", KindIdentity, stmt(`{"Effect":"Allow","Action":"*","Resource":"*","Condition":{"Regex":{"a:b":"c"}}}`), []problem{{"Statement[0].Condition.Regex", `unknown condition operator "Regex"`}}},
		{"NullIfExists", KindIdentity, stmt(`{"Effect":"Allow","Action":"*","Resource":"*","Condition":{"NullIfExists":{"a:b":"true"}}}`), []problem{{"Statement[0].Condition.NullIfExists", "unknown condition operator"}}},
		{"block not object", KindIdentity, stmt(`{"Effect":"Allow","Action":"*","Resource":"*","Condition":{"StringEquals":"aws:PrincipalOrgID"}}`), []problem{{"Statement[0].Condition.StringEquals", "must be an object mapping condition keys"}}},
		{"empty condition key", KindIdentity, stmt(`{"Effect":"Allow","Action":"*","Resource":"*","Condition":{"StringEquals":{"":"x"}}}`), []problem{{`Statement[0].Condition.StringEquals[""]`, "must not be empty"}}},
		{"condition value null", KindIdentity, stmt(`{"Effect":"Allow","Action":"*","Resource":"*","Condition":{"StringEquals":{"a:b":null}}}`), []problem{{`Statement[0].Condition.StringEquals["a:b"]`, "got null"}}},
		{"condition value object", KindIdentity, stmt(`{"Effect":"Allow","Action":"*","Resource":"*","Condition":{"StringEquals":{"a:b":{"x":"y"}}}}`), []problem{{`Statement[0].Condition.StringEquals["a:b"]`, "got an object"}}},
		{"condition value nested array", KindIdentity, stmt(`{"Effect":"Allow","Action":"*","Resource":"*","Condition":{"StringEquals":{"a:b":["x",["y"]]}}}`), []problem{{`Statement[0].Condition.StringEquals["a:b"][1]`, "got an array"}}},
		{"condition value empty array", KindIdentity, stmt(`{"Effect":"Allow","Action":"*","Resource":"*","Condition":{"StringEquals":{"a:b":[]}}}`), []problem{{`Statement[0].Condition.StringEquals["a:b"]`, "must not be an empty array"}}},
		{"numeric value", KindIdentity, stmt(`{"Effect":"Allow","Action":"*","Resource":"*","Condition":{"NumericLessThan":{"s3:max-keys":["10","ten"]}}}`), []problem{{`Statement[0].Condition.NumericLessThan["s3:max-keys"][1]`, `"ten" is not a number`}}},
		{"date value", KindIdentity, stmt(`{"Effect":"Allow","Action":"*","Resource":"*","Condition":{"DateGreaterThan":{"aws:CurrentTime":"next tuesday"}}}`), []problem{{`Statement[0].Condition.DateGreaterThan["aws:CurrentTime"]`, "is not a date"}}},
		{"ip value", KindIdentity, stmt(`{"Effect":"Allow","Action":"*","Resource":"*","Condition":{"IpAddress":{"aws:SourceIp":"10.0.0.0/33"}}}`), []problem{{`Statement[0].Condition.IpAddress["aws:SourceIp"]`, "not an IP address or CIDR block"}}},
		{"bool value", KindIdentity, stmt(`{"Effect":"Allow","Action":"*","Resource":"*","Condition":{"Bool":{"aws:SecureTransport":"yes"}}}`), []problem{{`Statement[0].Condition.Bool["aws:SecureTransport"]`, `needs "true" or "false"`}}},
		{"null value", KindIdentity, stmt(`{"Effect":"Allow","Action":"*","Resource":"*","Condition":{"Null":{"aws:TokenIssueTime":1}}}`), []problem{{`Statement[0].Condition.Null["aws:TokenIssueTime"]`, "Null needs"}}},

		// Several problems reported at once, in several statements.
		{"many problems", KindSCP, `{"Version":"2012-10-17","Extra":1,"Statement":[
		    {"Effect":"Allow","Action":"*","Resource":"*","Principal":"*"},
		    {"Sid":"X","Action":"bad","Resource":"bucket"},
		    {"Sid":"X","Effect":"Deny","Action":"*","Resource":"*","Condition":{"Foo":{}}}]}`,
			[]problem{
				{"Extra", "unknown top-level key"},
				{"Statement[0].Principal", "not allowed in a service control policy"},
				{"Statement[1].Action", `invalid action "bad"`},
				{"Statement[1].Resource", "is not an ARN"},
				{"Statement[1]", `missing "Effect"`},
				{"Statement[2].Condition.Foo", "unknown condition operator"},
				{"Statement[2].Sid", `duplicate Sid "X"`},
			}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			p, err := Parse([]byte(tc.doc), tc.kind)
			if p != nil {
				t.Errorf("Parse returned a policy along with the error")
			}
			checkProblems(t, err, tc.want)
		})
	}
}

func TestParseErrorMessage(t *testing.T) {
	_, err := Parse([]byte(stmt(`{"Action":"*","Resource":"*"}`)), KindIdentity)
	if got, want := err.Error(), `iampolicy: invalid policy document: Statement[0]: missing "Effect"; set it to "Allow" or "Deny"`; got != want {
		t.Errorf("Error() = %q, want %q", got, want)
	}
	_, err = Parse([]byte(stmt(`{"Action":"*"}`)), KindIdentity)
	if got := err.Error(); !strings.Contains(got, "(2 problems):\n  Statement[0]: missing \"Effect\"") {
		t.Errorf("Error() = %q", got)
	}
}

func TestMustParsePanics(t *testing.T) {
	defer func() {
		r := recover()
		if r == nil {
			t.Fatal("MustParse did not panic")
		}
		if _, ok := r.(*ParseError); !ok {
			t.Fatalf("panic value %T, want *ParseError", r)
		}
	}()
	MustParse(`{"Statement":[]}`, KindSCP)
}

func TestStatementName(t *testing.T) {
	p := mustParseTB(t, stmt(`{"Sid":"Named","Effect":"Allow","Action":"*","Resource":"*"}`, `{"Effect":"Allow","Action":"*","Resource":"*"}`), KindSCP)
	if got := p.Statements[0].Name(); got != "Named" {
		t.Errorf("Name() = %q", got)
	}
	if got := p.Statements[1].Name(); got != "Statement[1]" {
		t.Errorf("Name() = %q", got)
	}
	var nilStmt *Statement
	if nilStmt.Name() != "" {
		t.Error("nil Name() not empty")
	}
}
