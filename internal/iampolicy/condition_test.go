package iampolicy

import (
	"strings"
	"testing"
)

// condAllows reports whether an Allow statement guarded by the Condition
// element cond (JSON) applies to a request with the given context.
func condAllows(t testing.TB, cond string, c map[string][]string) bool {
	t.Helper()
	p := mustParseTB(t, `{"Version":"2012-10-17","Statement":[{"Sid":"C","Effect":"Allow","Action":"*","Resource":"*","Condition":`+cond+`}]}`, KindIdentity)
	return p.Evaluate(&Request{Action: "s3:GetObject", Resource: "*", Context: c}).Decision == Allow
}

func TestConditionOperators(t *testing.T) {
	none := map[string][]string(nil)
	tests := []struct {
		name string
		cond string
		ctx  map[string][]string
		want bool
	}{
		// String
		{"StringEquals match", `{"StringEquals":{"aws:PrincipalOrgID":"o-abc"}}`, ctx("aws:principalorgid", "o-abc"), true},
		{"StringEquals case-sensitive", `{"StringEquals":{"aws:PrincipalOrgID":"o-abc"}}`, ctx("aws:principalorgid", "O-ABC"), false},
		{"StringEquals any policy value", `{"StringEquals":{"aws:RequestedRegion":["us-east-1","eu-west-1"]}}`, ctx("aws:requestedregion", "eu-west-1"), true},
		{"StringEquals missing", `{"StringEquals":{"aws:PrincipalOrgID":"o-abc"}}`, none, false},
		{"StringEquals key case-insensitive", `{"StringEquals":{"AWS:PRINCIPALORGID":"o-abc"}}`, ctx("aws:principalorgid", "o-abc"), true},
		{"StringEquals empty slice is missing", `{"StringEquals":{"aws:PrincipalOrgID":"o-abc"}}`, map[string][]string{"aws:principalorgid": {}}, false},
		{"StringNotEquals differs", `{"StringNotEquals":{"aws:RequestedRegion":["us-east-1","eu-west-1"]}}`, ctx("aws:requestedregion", "ap-south-1"), true},
		{"StringNotEquals equals one", `{"StringNotEquals":{"aws:RequestedRegion":["us-east-1","eu-west-1"]}}`, ctx("aws:requestedregion", "eu-west-1"), false},
		{"StringNotEquals missing", `{"StringNotEquals":{"aws:RequestedRegion":"us-east-1"}}`, none, true},
		{"StringEqualsIgnoreCase", `{"StringEqualsIgnoreCase":{"aws:PrincipalTag/team":"Platform"}}`, ctx("aws:principaltag/team", "PLATFORM"), true},
		{"StringEqualsIgnoreCase missing", `{"StringEqualsIgnoreCase":{"aws:PrincipalTag/team":"Platform"}}`, none, false},
		{"StringNotEqualsIgnoreCase same", `{"StringNotEqualsIgnoreCase":{"aws:PrincipalTag/team":"Platform"}}`, ctx("aws:principaltag/team", "platform"), false},
		{"StringNotEqualsIgnoreCase missing", `{"StringNotEqualsIgnoreCase":{"aws:PrincipalTag/team":"Platform"}}`, none, true},
		{"StringLike", `{"StringLike":{"aws:PrincipalArn":"arn:aws:iam::*:role/Admin*"}}`, ctx("aws:principalarn", "arn:aws:iam::111122223333:role/AdminOps"), true},
		{"StringLike question", `{"StringLike":{"s3:prefix":"home/?"}}`, ctx("s3:prefix", "home/a"), true},
		{"StringLike no match", `{"StringLike":{"aws:PrincipalArn":"arn:aws:iam::*:role/Admin*"}}`, ctx("aws:principalarn", "arn:aws:iam::111122223333:role/Dev"), false},
		{"StringLike case-sensitive", `{"StringLike":{"s3:prefix":"Home/*"}}`, ctx("s3:prefix", "home/x"), false},
		{"StringLike missing", `{"StringLike":{"s3:prefix":"*"}}`, none, false},
		{"StringNotLike no match", `{"StringNotLike":{"aws:PrincipalArn":"arn:aws:iam::*:role/Admin*"}}`, ctx("aws:principalarn", "arn:aws:iam::111122223333:role/Dev"), true},
		{"StringNotLike match", `{"StringNotLike":{"aws:PrincipalArn":"arn:aws:iam::*:role/Admin*"}}`, ctx("aws:principalarn", "arn:aws:iam::111122223333:role/Admin"), false},
		{"StringNotLike missing", `{"StringNotLike":{"aws:PrincipalArn":"*"}}`, none, true},
		{"policy variable expanded", `{"StringEquals":{"aws:PrincipalTag/owner":"${aws:username}"}}`, ctx("aws:principaltag/owner", "bob", "aws:username", "bob"), true},

		// ARN
		{"ArnEquals exact", `{"ArnEquals":{"aws:SourceArn":"arn:aws:cloudtrail:us-east-1:111122223333:trail/org"}}`, ctx("aws:sourcearn", "arn:aws:cloudtrail:us-east-1:111122223333:trail/org"), true},
		{"ArnEquals wildcard", `{"ArnEquals":{"aws:SourceArn":"arn:aws:cloudtrail:*:111122223333:trail/*"}}`, ctx("aws:sourcearn", "arn:aws:cloudtrail:eu-west-1:111122223333:trail/org"), true},
		{"ArnLike", `{"ArnLike":{"aws:PrincipalArn":"arn:aws:iam::*:role/aws-reserved/sso.amazonaws.com/*"}}`, ctx("aws:principalarn", "arn:aws:iam::111122223333:role/aws-reserved/sso.amazonaws.com/AWSReservedSSO_Admin_1"), true},
		{"ArnLike case-sensitive", `{"ArnLike":{"aws:PrincipalArn":"arn:aws:iam::*:role/Admin"}}`, ctx("aws:principalarn", "arn:aws:iam::111122223333:role/admin"), false},
		{"ArnLike missing", `{"ArnLike":{"aws:PrincipalArn":"*"}}`, none, false},
		{"ArnLike not an ARN", `{"ArnLike":{"aws:SourceArn":"arn:aws:s3:::*"}}`, ctx("aws:sourcearn", "bucket"), false},
		{"ArnNotLike other", `{"ArnNotLike":{"aws:PrincipalArn":"arn:aws:iam::*:role/OrgAdmin"}}`, ctx("aws:principalarn", "arn:aws:iam::111122223333:role/Dev"), true},
		{"ArnNotLike same", `{"ArnNotLike":{"aws:PrincipalArn":"arn:aws:iam::*:role/OrgAdmin"}}`, ctx("aws:principalarn", "arn:aws:iam::111122223333:role/OrgAdmin"), false},
		{"ArnNotLike missing", `{"ArnNotLike":{"aws:PrincipalArn":"arn:aws:iam::*:role/OrgAdmin"}}`, none, true},
		{"ArnNotEquals missing", `{"ArnNotEquals":{"aws:SourceArn":"arn:aws:s3:::b"}}`, none, true},
		{"ArnNotEquals same", `{"ArnNotEquals":{"aws:SourceArn":"arn:aws:s3:::b"}}`, ctx("aws:sourcearn", "arn:aws:s3:::b"), false},

		// Bool
		{"Bool true", `{"Bool":{"aws:MultiFactorAuthPresent":"true"}}`, ctx("aws:multifactorauthpresent", "true"), true},
		{"Bool JSON true", `{"Bool":{"aws:MultiFactorAuthPresent":true}}`, ctx("aws:multifactorauthpresent", "true"), true},
		{"Bool case", `{"Bool":{"aws:SecureTransport":"false"}}`, ctx("aws:securetransport", "FALSE"), true},
		{"Bool mismatch", `{"Bool":{"aws:SecureTransport":"false"}}`, ctx("aws:securetransport", "true"), false},
		{"Bool missing", `{"Bool":{"aws:MultiFactorAuthPresent":"false"}}`, none, false},
		{"BoolIfExists missing", `{"BoolIfExists":{"aws:MultiFactorAuthPresent":"false"}}`, none, true},
		{"BoolIfExists present mismatch", `{"BoolIfExists":{"aws:MultiFactorAuthPresent":"false"}}`, ctx("aws:multifactorauthpresent", "true"), false},

		// Null
		{"Null true absent", `{"Null":{"aws:TokenIssueTime":"true"}}`, none, true},
		{"Null true present", `{"Null":{"aws:TokenIssueTime":"true"}}`, ctx("aws:tokenissuetime", "2024-01-01T00:00:00Z"), false},
		{"Null false present", `{"Null":{"aws:TokenIssueTime":"false"}}`, ctx("aws:tokenissuetime", "2024-01-01T00:00:00Z"), true},
		{"Null false absent", `{"Null":{"aws:TokenIssueTime":false}}`, none, false},

		// Numeric
		{"NumericEquals", `{"NumericEquals":{"s3:max-keys":10}}`, ctx("s3:max-keys", "10"), true},
		{"NumericEquals decimal", `{"NumericEquals":{"s3:max-keys":"10"}}`, ctx("s3:max-keys", "10.0"), true},
		{"NumericEquals other", `{"NumericEquals":{"s3:max-keys":"10"}}`, ctx("s3:max-keys", "11"), false},
		{"NumericEquals unparsable request", `{"NumericEquals":{"s3:max-keys":"10"}}`, ctx("s3:max-keys", "ten"), false},
		{"NumericEquals missing", `{"NumericEquals":{"s3:max-keys":"10"}}`, none, false},
		{"NumericNotEquals other", `{"NumericNotEquals":{"s3:max-keys":"10"}}`, ctx("s3:max-keys", "11"), true},
		{"NumericNotEquals same", `{"NumericNotEquals":{"s3:max-keys":"10"}}`, ctx("s3:max-keys", "10"), false},
		{"NumericNotEquals missing", `{"NumericNotEquals":{"s3:max-keys":"10"}}`, none, true},
		{"NumericLessThan yes", `{"NumericLessThan":{"aws:MultiFactorAuthAge":"3600"}}`, ctx("aws:multifactorauthage", "60"), true},
		{"NumericLessThan equal", `{"NumericLessThan":{"aws:MultiFactorAuthAge":"3600"}}`, ctx("aws:multifactorauthage", "3600"), false},
		{"NumericLessThanEquals equal", `{"NumericLessThanEquals":{"aws:MultiFactorAuthAge":"3600"}}`, ctx("aws:multifactorauthage", "3600"), true},
		{"NumericGreaterThan yes", `{"NumericGreaterThan":{"aws:MultiFactorAuthAge":"3600"}}`, ctx("aws:multifactorauthage", "3601"), true},
		{"NumericGreaterThan no", `{"NumericGreaterThan":{"aws:MultiFactorAuthAge":"3600"}}`, ctx("aws:multifactorauthage", "3600"), false},
		{"NumericGreaterThanEquals equal", `{"NumericGreaterThanEquals":{"aws:MultiFactorAuthAge":"3600"}}`, ctx("aws:multifactorauthage", "3600"), true},
		{"NumericLessThanIfExists missing", `{"NumericLessThanIfExists":{"aws:MultiFactorAuthAge":"3600"}}`, none, true},
		{"NumericLessThanIfExists present too old", `{"NumericLessThanIfExists":{"aws:MultiFactorAuthAge":"3600"}}`, ctx("aws:multifactorauthage", "7200"), false},

		// Date
		{"DateGreaterThan RFC3339", `{"DateGreaterThan":{"aws:CurrentTime":"2024-01-01T00:00:00Z"}}`, ctx("aws:currenttime", "2024-06-01T12:00:00Z"), true},
		{"DateGreaterThan before", `{"DateGreaterThan":{"aws:CurrentTime":"2024-01-01T00:00:00Z"}}`, ctx("aws:currenttime", "2023-12-31T23:59:59Z"), false},
		{"DateGreaterThan epoch request", `{"DateGreaterThan":{"aws:CurrentTime":"2024-01-01T00:00:00Z"}}`, ctx("aws:currenttime", "1717243200"), true},
		{"DateLessThan epoch policy", `{"DateLessThan":{"aws:CurrentTime":1704067200}}`, ctx("aws:currenttime", "2023-12-31T23:59:59Z"), true},
		{"DateEquals across zones", `{"DateEquals":{"aws:CurrentTime":"2024-01-01T01:00:00+01:00"}}`, ctx("aws:currenttime", "2024-01-01T00:00:00Z"), true},
		{"DateEquals date only", `{"DateEquals":{"aws:CurrentTime":"2024-01-01"}}`, ctx("aws:currenttime", "2024-01-01T00:00:00Z"), true},
		{"DateLessThanEquals equal", `{"DateLessThanEquals":{"aws:TokenIssueTime":"2024-01-01T00:00:00Z"}}`, ctx("aws:tokenissuetime", "2024-01-01T00:00:00.000Z"), true},
		{"DateGreaterThanEquals equal", `{"DateGreaterThanEquals":{"aws:TokenIssueTime":"2024-01-01T00:00:00Z"}}`, ctx("aws:tokenissuetime", "1704067200"), true},
		{"DateNotEquals other", `{"DateNotEquals":{"aws:CurrentTime":"2024-01-01T00:00:00Z"}}`, ctx("aws:currenttime", "2024-01-02T00:00:00Z"), true},
		{"DateNotEquals missing", `{"DateNotEquals":{"aws:CurrentTime":"2024-01-01T00:00:00Z"}}`, none, true},
		{"DateLessThan missing", `{"DateLessThan":{"aws:CurrentTime":"2024-01-01T00:00:00Z"}}`, none, false},
		{"DateLessThan unparsable request", `{"DateLessThan":{"aws:CurrentTime":"2024-01-01T00:00:00Z"}}`, ctx("aws:currenttime", "yesterday"), false},

		// IP
		{"IpAddress CIDR", `{"IpAddress":{"aws:SourceIp":"203.0.113.0/24"}}`, ctx("aws:sourceip", "203.0.113.7"), true},
		{"IpAddress outside", `{"IpAddress":{"aws:SourceIp":"203.0.113.0/24"}}`, ctx("aws:sourceip", "198.51.100.7"), false},
		{"IpAddress single", `{"IpAddress":{"aws:SourceIp":"203.0.113.7"}}`, ctx("aws:sourceip", "203.0.113.7"), true},
		{"IpAddress list v6", `{"IpAddress":{"aws:SourceIp":["203.0.113.0/24","2001:db8::/32"]}}`, ctx("aws:sourceip", "2001:db8::1"), true},
		{"IpAddress mapped v4", `{"IpAddress":{"aws:SourceIp":"203.0.113.0/24"}}`, ctx("aws:sourceip", "::ffff:203.0.113.9"), true},
		{"IpAddress garbage", `{"IpAddress":{"aws:SourceIp":"203.0.113.0/24"}}`, ctx("aws:sourceip", "localhost"), false},
		{"IpAddress missing", `{"IpAddress":{"aws:SourceIp":"203.0.113.0/24"}}`, none, false},
		{"NotIpAddress outside", `{"NotIpAddress":{"aws:SourceIp":"203.0.113.0/24"}}`, ctx("aws:sourceip", "198.51.100.7"), true},
		{"NotIpAddress inside", `{"NotIpAddress":{"aws:SourceIp":"203.0.113.0/24"}}`, ctx("aws:sourceip", "203.0.113.1"), false},
		{"NotIpAddress missing", `{"NotIpAddress":{"aws:SourceIp":"203.0.113.0/24"}}`, none, true},

		// Binary
		{"BinaryEquals", `{"BinaryEquals":{"aws:x":"QmluYXJ5"}}`, ctx("aws:x", "QmluYXJ5"), true},
		{"BinaryEquals other", `{"BinaryEquals":{"aws:x":"QmluYXJ5"}}`, ctx("aws:x", "qmluyxj5"), false},

		// IfExists
		{"StringEqualsIfExists missing", `{"StringEqualsIfExists":{"ec2:InstanceType":"t3.micro"}}`, none, true},
		{"StringEqualsIfExists present match", `{"StringEqualsIfExists":{"ec2:InstanceType":"t3.micro"}}`, ctx("ec2:instancetype", "t3.micro"), true},
		{"StringEqualsIfExists present mismatch", `{"StringEqualsIfExists":{"ec2:InstanceType":"t3.micro"}}`, ctx("ec2:instancetype", "m5.large"), false},
		{"StringNotEqualsIfExists present same", `{"StringNotEqualsIfExists":{"ec2:InstanceType":"t3.micro"}}`, ctx("ec2:instancetype", "t3.micro"), false},
		{"ArnLikeIfExists missing", `{"ArnLikeIfExists":{"aws:SourceArn":"arn:aws:s3:::x"}}`, none, true},

		// Set operators
		{"ForAnyValue one matches", `{"ForAnyValue:StringEquals":{"aws:TagKeys":["env","owner"]}}`, ctx("aws:tagkeys", "cost", "aws:tagkeys", "env"), true},
		{"ForAnyValue none matches", `{"ForAnyValue:StringEquals":{"aws:TagKeys":["env","owner"]}}`, ctx("aws:tagkeys", "cost"), false},
		{"ForAnyValue missing", `{"ForAnyValue:StringEquals":{"aws:TagKeys":["env"]}}`, none, false},
		{"ForAnyValue IfExists missing is still false", `{"ForAnyValue:StringEqualsIfExists":{"aws:TagKeys":["env"]}}`, none, false}, // see TestAWSSemantics
		{"ForAnyValue StringLike", `{"ForAnyValue:StringLike":{"aws:TagKeys":"team-*"}}`, ctx("aws:tagkeys", "x", "aws:tagkeys", "team-a"), true},
		{"ForAnyValue negated some differ", `{"ForAnyValue:StringNotEquals":{"aws:TagKeys":["env"]}}`, ctx("aws:tagkeys", "env", "aws:tagkeys", "x"), true},
		{"ForAnyValue negated all equal", `{"ForAnyValue:StringNotEquals":{"aws:TagKeys":["env"]}}`, ctx("aws:tagkeys", "env"), false},
		{"ForAllValues all match", `{"ForAllValues:StringEquals":{"aws:TagKeys":["env","owner"]}}`, ctx("aws:tagkeys", "env", "aws:tagkeys", "owner"), true},
		{"ForAllValues one outside", `{"ForAllValues:StringEquals":{"aws:TagKeys":["env","owner"]}}`, ctx("aws:tagkeys", "env", "aws:tagkeys", "cost"), false},
		{"ForAllValues missing is vacuously true", `{"ForAllValues:StringEquals":{"aws:TagKeys":["env"]}}`, none, true},
		{"ForAllValues negated none listed", `{"ForAllValues:StringNotEquals":{"aws:TagKeys":["secret"]}}`, ctx("aws:tagkeys", "env", "aws:tagkeys", "owner"), true},
		{"ForAllValues negated one listed", `{"ForAllValues:StringNotEquals":{"aws:TagKeys":["secret"]}}`, ctx("aws:tagkeys", "env", "aws:tagkeys", "secret"), false},
		{"ForAllValues StringLike", `{"ForAllValues:StringLike":{"aws:TagKeys":["team-*","env"]}}`, ctx("aws:tagkeys", "team-a", "aws:tagkeys", "env"), true},

		// Operators without a qualifier on multi-valued keys: never hold in an Allow (see TestAWSSemantics)
		{"StringEquals multi in Allow", `{"StringEquals":{"aws:TagKeys":"env"}}`, ctx("aws:tagkeys", "x", "aws:tagkeys", "env"), false},
		{"StringNotEquals multi in Allow", `{"StringNotEquals":{"aws:TagKeys":"env"}}`, ctx("aws:tagkeys", "x", "aws:tagkeys", "y"), false},
		{"StringEquals one value of a multi-valued key", `{"StringEquals":{"aws:TagKeys":"env"}}`, ctx("aws:tagkeys", "env"), true},

		// Combination: AND across operators and keys, OR across values
		{"AND all hold", `{"StringEquals":{"aws:PrincipalOrgID":"o-abc","aws:RequestedRegion":["us-east-1","eu-west-1"]},"Bool":{"aws:SecureTransport":"true"}}`,
			ctx("aws:principalorgid", "o-abc", "aws:requestedregion", "us-east-1", "aws:securetransport", "true"), true},
		{"AND one key fails", `{"StringEquals":{"aws:PrincipalOrgID":"o-abc","aws:RequestedRegion":["us-east-1","eu-west-1"]},"Bool":{"aws:SecureTransport":"true"}}`,
			ctx("aws:principalorgid", "o-abc", "aws:requestedregion", "us-west-2", "aws:securetransport", "true"), false},
		{"AND one operator fails", `{"StringEquals":{"aws:PrincipalOrgID":"o-abc","aws:RequestedRegion":["us-east-1","eu-west-1"]},"Bool":{"aws:SecureTransport":"true"}}`,
			ctx("aws:principalorgid", "o-abc", "aws:requestedregion", "us-east-1", "aws:securetransport", "false"), false},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if got := condAllows(t, tc.cond, tc.ctx); got != tc.want {
				t.Errorf("condition %s with context %v: allowed = %v, want %v", tc.cond, tc.ctx, got, tc.want)
			}
			// Three-valued evaluation with nothing unknown is two-valued evaluation.
			p := mustParseTB(t, `{"Version":"2012-10-17","Statement":[{"Sid":"C","Effect":"Allow","Action":"*","Resource":"*","Condition":`+tc.cond+`}]}`, KindIdentity)
			r := p.Evaluate(&Request{Action: "s3:GetObject", Resource: "*", Context: tc.ctx, Unknown: map[string]bool{"aws:unrelated": true}})
			if got := r.Decision == Allow; got != tc.want || r.Undecided {
				t.Errorf("with an unrelated unknown key: allowed = %v, undecided = %v; want %v, false", got, r.Undecided, tc.want)
			}
		})
	}
}

func TestConditionSortedAndConverted(t *testing.T) {
	p := mustParseTB(t, `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"*","Resource":"*","Condition":{
	  "StringLike": {"b:key": "x", "a:key": ["y", "z"]},
	  "Bool": {"aws:SecureTransport": true},
	  "NumericLessThan": {"s3:max-keys": [10, 2.5]}
	}}]}`, KindIdentity)
	got := p.Statements[0].Condition
	want := []Condition{
		{Operator: "Bool", Key: "aws:SecureTransport", Values: []string{"true"}},
		{Operator: "NumericLessThan", Key: "s3:max-keys", Values: []string{"10", "2.5"}},
		{Operator: "StringLike", Key: "a:key", Values: []string{"y", "z"}},
		{Operator: "StringLike", Key: "b:key", Values: []string{"x"}},
	}
	if len(got) != len(want) {
		t.Fatalf("got %d conditions %+v, want %d", len(got), got, len(want))
	}
	for i := range want {
		if got[i].Operator != want[i].Operator || got[i].Key != want[i].Key || strings.Join(got[i].Values, "|") != strings.Join(want[i].Values, "|") {
			t.Errorf("condition %d = %+v, want %+v", i, got[i], want[i])
		}
	}
}

func TestParseOperator(t *testing.T) {
	tests := []struct {
		name     string
		ok       bool
		set      setMode
		ifExists bool
		negated  bool
	}{
		{"StringEquals", true, setNone, false, false},
		{"StringNotEqualsIfExists", true, setNone, true, true},
		{"ForAnyValue:StringLike", true, setAnyValue, false, false},
		{"ForAllValues:ArnNotLikeIfExists", true, setAllValues, true, true},
		{"NullIfExists", false, 0, false, false},
		{"stringequals", false, 0, false, false},
		{"ForSomeValues:StringEquals", false, 0, false, false},
		{"StringEqual", false, 0, false, false},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			spec, ok := parseOperator(tc.name)
			if ok != tc.ok {
				t.Fatalf("ok = %v, want %v", ok, tc.ok)
			}
			if ok && (spec.set != tc.set || spec.ifExists != tc.ifExists || spec.negated != tc.negated) {
				t.Errorf("spec = %+v", spec)
			}
		})
	}
}
