package iampolicy

import (
	"encoding/json"
	"testing"
)

func mustNormalize(t testing.TB, doc string) string {
	t.Helper()
	out, err := Normalize([]byte(doc))
	if err != nil {
		t.Fatalf("Normalize: %v\n%s", err, doc)
	}
	if !json.Valid(out) {
		t.Fatalf("Normalize produced invalid JSON: %s", out)
	}
	return string(out)
}

func TestNormalizeGolden(t *testing.T) {
	doc := `{
	  "Statement": {
	    "Condition": {"StringNotEquals": {"aws:RequestedRegion": ["us-east-1", "eu-west-1", "us-east-1"]}, "Bool": {"aws:SecureTransport": false}},
	    "Resource": "*",
	    "NotAction": ["IAM:*", "sts:*", "Organizations:Describe*"],
	    "Effect": "Deny",
	    "Sid": "RegionLock"
	  },
	  "Version": "2012-10-17"
	}`
	want := `{"Version":"2012-10-17","Statement":[{"Sid":"RegionLock","Effect":"Deny","NotAction":["iam:*","organizations:describe*","sts:*"],"Resource":["*"],` +
		`"Condition":{"Bool":{"aws:SecureTransport":["false"]},"StringNotEquals":{"aws:RequestedRegion":["eu-west-1","us-east-1"]}}}]}`
	if got := mustNormalize(t, doc); got != want {
		t.Errorf("Normalize =\n%s\nwant\n%s", got, want)
	}
}

func TestNormalizeEquivalent(t *testing.T) {
	tests := []struct {
		name string
		a, b string
	}{
		{"whitespace",
			`{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"s3:GetObject","Resource":"*"}]}`,
			"{\n  \"Version\" : \"2012-10-17\",\n\t\"Statement\" : [ {\n    \"Effect\":\"Allow\", \"Action\":\"s3:GetObject\",\r\n \"Resource\":\"*\" } ]\n}\n"},
		{"key order",
			`{"Version":"2012-10-17","Id":"x","Statement":[{"Sid":"A","Effect":"Allow","Action":"*","Resource":"*"}]}`,
			`{"Statement":[{"Resource":"*","Action":"*","Effect":"Allow","Sid":"A"}],"Id":"x","Version":"2012-10-17"}`},
		{"string vs array",
			`{"Statement":{"Effect":"Deny","Action":"iam:*","Resource":"arn:aws:iam::*:role/X","Condition":{"StringEquals":{"a:b":"c"}}}}`,
			`{"Statement":[{"Effect":"Deny","Action":["iam:*"],"Resource":["arn:aws:iam::*:role/X"],"Condition":{"StringEquals":{"a:b":["c"]}}}]}`},
		{"action case",
			`{"Statement":[{"Effect":"Allow","Action":["IAM:CreateUser","S3:getobject"],"Resource":"*"}]}`,
			`{"Statement":[{"Effect":"Allow","Action":["s3:GetObject","iam:createuser"],"Resource":"*"}]}`},
		{"list order and duplicates",
			`{"Statement":[{"Effect":"Allow","Action":["b:X","a:Y","b:x"],"Resource":["arn:aws:s3:::b","arn:aws:s3:::a"]}]}`,
			`{"Statement":[{"Effect":"Allow","Action":["a:Y","b:X"],"Resource":["arn:aws:s3:::a","arn:aws:s3:::b","arn:aws:s3:::a"]}]}`},
		{"condition block order and scalar types",
			`{"Statement":[{"Effect":"Allow","Action":"*","Resource":"*","Condition":{"NumericLessThan":{"s3:max-keys":10},"Bool":{"aws:SecureTransport":true}}}]}`,
			`{"Statement":[{"Effect":"Allow","Action":"*","Resource":"*","Condition":{"Bool":{"aws:SecureTransport":"true"},"NumericLessThan":{"s3:max-keys":["10"]}}}]}`},
		{"principal lists",
			`{"Statement":[{"Effect":"Allow","Principal":{"Service":["lambda.amazonaws.com","ec2.amazonaws.com"],"AWS":"111122223333"},"Action":"sts:AssumeRole"}]}`,
			`{"Statement":[{"Effect":"Allow","Principal":{"AWS":["111122223333"],"Service":["ec2.amazonaws.com","lambda.amazonaws.com"]},"Action":"sts:AssumeRole"}]}`},
		{"escapes",
			`{"Statement":[{"Effect":"Allow","Action":"*","Resource":"arn:aws:s3:::b/<a&b>"}]}`,
			`{"Statement":[{"Effect":"Allow","Action":"*","Resource":"arn:aws:s3:::b/\u003ca\u0026b\u003e"}]}`},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			a, b := mustNormalize(t, tc.a), mustNormalize(t, tc.b)
			if a != b {
				t.Errorf("not equivalent:\n%s\n%s", a, b)
			}
			if again := mustNormalize(t, a); again != a {
				t.Errorf("Normalize is not idempotent:\n%s\n%s", a, again)
			}
		})
	}
}

func TestNormalizeNotEquivalent(t *testing.T) {
	tests := []struct {
		name string
		a, b string
	}{
		{"statement order",
			`{"Statement":[{"Effect":"Allow","Action":"a:X","Resource":"*"},{"Effect":"Deny","Action":"b:Y","Resource":"*"}]}`,
			`{"Statement":[{"Effect":"Deny","Action":"b:Y","Resource":"*"},{"Effect":"Allow","Action":"a:X","Resource":"*"}]}`},
		{"resource case",
			`{"Statement":[{"Effect":"Allow","Action":"*","Resource":"arn:aws:s3:::Bucket"}]}`,
			`{"Statement":[{"Effect":"Allow","Action":"*","Resource":"arn:aws:s3:::bucket"}]}`},
		{"effect",
			`{"Statement":[{"Effect":"Allow","Action":"*","Resource":"*"}]}`,
			`{"Statement":[{"Effect":"Deny","Action":"*","Resource":"*"}]}`},
		{"action vs notaction",
			`{"Statement":[{"Effect":"Allow","Action":"iam:*","Resource":"*"}]}`,
			`{"Statement":[{"Effect":"Allow","NotAction":"iam:*","Resource":"*"}]}`},
		{"version",
			`{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"*","Resource":"*"}]}`,
			`{"Statement":[{"Effect":"Allow","Action":"*","Resource":"*"}]}`},
		{"condition value case",
			`{"Statement":[{"Effect":"Allow","Action":"*","Resource":"*","Condition":{"StringEquals":{"a:b":"X"}}}]}`,
			`{"Statement":[{"Effect":"Allow","Action":"*","Resource":"*","Condition":{"StringEquals":{"a:b":"x"}}}]}`},
		{"condition operator",
			`{"Statement":[{"Effect":"Allow","Action":"*","Resource":"*","Condition":{"StringEquals":{"a:b":"x"}}}]}`,
			`{"Statement":[{"Effect":"Allow","Action":"*","Resource":"*","Condition":{"StringLike":{"a:b":"x"}}}]}`},
		{"principal star vs AWS star",
			`{"Statement":[{"Effect":"Allow","Principal":"*","Action":"*","Resource":"*"}]}`,
			`{"Statement":[{"Effect":"Allow","Principal":{"AWS":"*"},"Action":"*","Resource":"*"}]}`},
		{"extra action",
			`{"Statement":[{"Effect":"Allow","Action":["s3:GetObject"],"Resource":"*"}]}`,
			`{"Statement":[{"Effect":"Allow","Action":["s3:GetObject","s3:PutObject"],"Resource":"*"}]}`},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if a, b := mustNormalize(t, tc.a), mustNormalize(t, tc.b); a == b {
				t.Errorf("unexpectedly equivalent: %s", a)
			}
		})
	}
}

func TestNormalizeErrors(t *testing.T) {
	tests := []struct {
		name string
		doc  string
		want []problem
	}{
		{"syntax", `{"Statement":`, []problem{{"", "ends early"}}},
		{"not object", `"x"`, []problem{{"", "must be a JSON object"}}},
		{"duplicate key", `{"Statement":[{"Effect":"Allow","Effect":"Deny"}]}`, []problem{{"Statement[0].Effect", "duplicate key"}}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			out, err := Normalize([]byte(tc.doc))
			if out != nil {
				t.Errorf("output %s along with error", out)
			}
			checkProblems(t, err, tc.want)
		})
	}
}

func TestNormalizeKeepsUnknownContent(t *testing.T) {
	// Normalize does not validate grammar; unknown keys survive, sorted.
	got := mustNormalize(t, `{"Z":[3,1],"Statement":[{"Effect":"Allow","Extra":{"b":null,"a":1.50},"Action":"*","Resource":"*"}, 7],"A":true}`)
	want := `{"Statement":[{"Effect":"Allow","Action":["*"],"Resource":["*"],"Extra":{"a":1.50,"b":null}},7],"A":true,"Z":[3,1]}`
	if got != want {
		t.Errorf("Normalize =\n%s\nwant\n%s", got, want)
	}
}

func TestNormalizeControlCharacters(t *testing.T) {
	got := mustNormalize(t, `{"Statement":[{"Sid":"a\"b\\c\n\u0001é","Effect":"Allow"}]}`)
	want := `{"Statement":[{"Sid":"a\"b\\c\n\u0001é","Effect":"Allow"}]}`
	if got != want {
		t.Errorf("Normalize =\n%s\nwant\n%s", got, want)
	}
}
