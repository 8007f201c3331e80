package iamread_test

import (
	"net/url"
	"strings"
	"testing"

	"github.com/orgbaseline/orgbaseline/plugins/checks/internal/iamread"
)

func TestParsePolicy(t *testing.T) {
	trust := `{"Version":"2012-10-17","Statement":{"Effect":"Allow","Principal":{"AWS":["arn:aws:iam::444455556666:root","111122223333"],"Service":"ec2.amazonaws.com"},` +
		`"Action":"sts:AssumeRole","Condition":{"StringEquals":{"sts:ExternalId":"a+b"},"Bool":{"aws:MultiFactorAuthPresent":true},"NumericLessThan":{"aws:MultiFactorAuthAge":[3600]}}}}`
	// IAM returns documents percent-encoded, spaces as %20 and "+" as %2B.
	encoded := strings.ReplaceAll(url.QueryEscape(trust), "+", "%20")
	for name, doc := range map[string]string{"plain": trust, "encoded": encoded} {
		t.Run(name, func(t *testing.T) {
			p, err := iamread.ParsePolicy(doc)
			if err != nil {
				t.Fatal(err)
			}
			if len(p.Statement) != 1 {
				t.Fatalf("statements: %+v", p.Statement)
			}
			st := p.Statement[0]
			if !st.Allows() || st.Principal == nil || st.Principal.All || len(st.Principal.AWS) != 2 || st.Principal.Service[0] != "ec2.amazonaws.com" {
				t.Errorf("statement: %+v", st)
			}
			if v, ok := st.ConditionKey("STS:EXTERNALID"); !ok || len(v) != 1 || v[0] != "a+b" {
				t.Errorf("ExternalId: %v %v", v, ok)
			}
			if v, _ := st.ConditionKey("aws:MultiFactorAuthPresent"); len(v) != 1 || v[0] != "true" {
				t.Errorf("boolean condition value: %v", v)
			}
			if v, _ := st.ConditionKey("aws:MultiFactorAuthAge"); len(v) != 1 || v[0] != "3600" {
				t.Errorf("numeric condition value: %v", v)
			}
			if _, ok := st.ConditionKey("aws:PrincipalOrgID"); ok {
				t.Error("found a condition key that is not there")
			}
		})
	}

	if p, err := iamread.ParsePolicy(`{"Statement":[{"Effect":"Allow","Principal":"*","Action":"sts:AssumeRole"}]}`); err != nil || !p.Statement[0].Principal.All {
		t.Errorf(`Principal "*": %+v, %v`, p, err)
	}
	for _, bad := range []string{`{"Statement":[{"Principal":"someone"}]}`, `not json`, `%zz`} {
		if _, err := iamread.ParsePolicy(bad); err == nil {
			t.Errorf("ParsePolicy(%q) accepted", bad)
		}
	}
}

func TestGrantsFullAdmin(t *testing.T) {
	for _, tc := range []struct {
		doc  string
		want bool
	}{
		{`{"Statement":[{"Effect":"Allow","Action":"*","Resource":"*"}]}`, true},
		{`{"Statement":{"Effect":"Allow","Action":["s3:GetObject","*:*"],"Resource":["arn:aws:s3:::b/*","*"]}}`, true},
		{`{"Statement":[{"Effect":"Allow","Action":"*","Resource":"*","Condition":{"Bool":{"aws:MultiFactorAuthPresent":"true"}}}]}`, true},
		{`{"Statement":[{"Effect":"Deny","Action":"*","Resource":"*"}]}`, false},
		{`{"Statement":[{"Effect":"Allow","Action":"s3:*","Resource":"*"}]}`, false},
		{`{"Statement":[{"Effect":"Allow","Action":"*","Resource":"arn:aws:s3:::*"}]}`, false},
		{`{"Statement":[{"Effect":"Allow","NotAction":"iam:*","Resource":"*"}]}`, false},
	} {
		p, err := iamread.ParsePolicy(tc.doc)
		if err != nil {
			t.Fatal(err)
		}
		if got := p.GrantsFullAdmin(); got != tc.want {
			t.Errorf("GrantsFullAdmin(%s) = %v, want %v", tc.doc, got, tc.want)
		}
	}
}
