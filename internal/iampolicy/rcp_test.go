package iampolicy

import (
	"slices"
	"testing"
)

// rcpFullAWSAccess is the AWS-managed RCP as AWS publishes it
// (Organizations user guide, "Resource control policy examples").
const rcpFullAWSAccess = `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":"*","Action":"*","Resource":"*"}]}`

func TestParseRCPValid(t *testing.T) {
	tests := []struct {
		name string
		kind Kind
		doc  string
	}{
		{"RCPFullAWSAccess as managed", KindRCPManaged, rcpFullAWSAccess},
		{"deny outside the organization", KindRCP, stmt(`{"Sid":"EnforceOrgIdentities","Effect":"Deny","Principal":"*","Action":["s3:*","sqs:*","kms:*","secretsmanager:*","sts:AssumeRole"],"Resource":"*",
			"Condition":{"StringNotEqualsIfExists":{"aws:PrincipalOrgID":"o-a1b2c3d4e5"},"BoolIfExists":{"aws:PrincipalIsAWSService":"false"}}}`)},
		{"secure transport, from the syntax page", KindRCP, stmt(`{"Effect":"Deny","Principal":"*","Action":"s3:*","Resource":"*","Condition":{"BoolIfExists":{"aws:SecureTransport":"false"}}}`)},
		{"NotResource and wildcards in the action name", KindRCP, stmt(`{"Effect":"Deny","Principal":"*","Action":["sts:Get*","kms:?ecrypt"],"NotResource":"arn:aws:kms:*:111122223333:key/*"}`)},
		{"other listed services", KindRCP, stmt(`{"Effect":"Deny","Principal":"*","Action":["ecr:*","aoss:*","cognito-identity:*","logs:*","dynamodb:*","SQS:SendMessage"],"Resource":"*"}`)},
		{"managed kind takes a Deny too", KindRCPManaged, stmt(`{"Effect":"Deny","Principal":"*","Action":"s3:*","Resource":"*"}`)},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			p := mustParseTB(t, tc.doc, tc.kind)
			if p.Kind != tc.kind {
				t.Errorf("Kind = %v, want %v", p.Kind, tc.kind)
			}
		})
	}
}

func TestParseRCPErrors(t *testing.T) {
	deny := `"Effect":"Deny","Principal":"*","Resource":"*"`
	tests := []struct {
		name string
		kind Kind
		doc  string
		want []problem
	}{
		{"RCPFullAWSAccess as a customer RCP", KindRCP, rcpFullAWSAccess, []problem{
			{"Statement[0].Effect", "only in the AWS-managed RCPFullAWSAccess"},
			{"Statement[0].Action", `"*" is not allowed`},
		}},
		{"missing Version", KindRCP, `{"Statement":{"Effect":"Deny","Principal":"*","Action":"s3:*","Resource":"*"}}`, []problem{
			{"", `missing "Version"`},
		}},
		{"old Version", KindRCP, `{"Version":"2008-10-17","Statement":{"Effect":"Deny","Principal":"*","Action":"s3:*","Resource":"*"}}`, []problem{
			{"Version", `must be "2012-10-17"`},
		}},
		{"missing Principal", KindRCP, stmt(`{"Effect":"Deny","Action":"s3:*","Resource":"*"}`), []problem{
			{"Statement[0]", `missing "Principal"`},
		}},
		{"Principal naming an account", KindRCP, stmt(`{"Effect":"Deny","Principal":{"AWS":"111122223333"},"Action":"s3:*","Resource":"*"}`), []problem{
			{"Statement[0].Principal", `accepts only "Principal": "*"`},
		}},
		{"Principal AWS star", KindRCP, stmt(`{"Effect":"Deny","Principal":{"AWS":"*"},"Action":"s3:*","Resource":"*"}`), []problem{
			{"Statement[0].Principal", `accepts only "Principal": "*"`},
		}},
		{"NotPrincipal", KindRCP, stmt(`{"Effect":"Deny","NotPrincipal":{"AWS":"111122223333"},"Action":"s3:*","Resource":"*"}`), []problem{
			{"Statement[0].NotPrincipal", "not supported in resource control policies"},
		}},
		{"NotAction", KindRCP, stmt(`{` + deny + `,"NotAction":"s3:GetObject"}`), []problem{
			{"Statement[0].NotAction", "not supported in resource control policies"},
		}},
		{"NotAction in the managed grammar too", KindRCPManaged, stmt(`{` + deny + `,"NotAction":"s3:GetObject"}`), []problem{
			{"Statement[0].NotAction", "not supported in resource control policies"},
		}},
		{"unsupported service, second of a list", KindRCP, stmt(`{` + deny + `,"Action":["s3:GetObject","iam:CreateUser"]}`), []problem{
			{"Statement[0].Action[1]", `service "iam" does not support resource control policies`},
		}},
		{"star action", KindRCP, stmt(`{` + deny + `,"Action":"*"}`), []problem{
			{"Statement[0].Action", `"*" is not allowed in the Action`},
		}},
		{"missing Action", KindRCP, stmt(`{` + deny + `}`), []problem{
			{"Statement[0]", `missing "Action"`},
		}},
		{"missing Resource", KindRCP, stmt(`{"Effect":"Deny","Principal":"*","Action":"s3:*"}`), []problem{
			{"Statement[0]", `missing "Resource"`},
		}},
		{"second statement", KindRCP, stmt(`{`+deny+`,"Action":"s3:*"}`, `{"Effect":"Allow","Principal":"*","Action":"kms:*","Resource":"*"}`), []problem{
			{"Statement[1].Effect", "only in the AWS-managed RCPFullAWSAccess"},
		}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			_, err := Parse([]byte(tc.doc), tc.kind)
			checkProblems(t, err, tc.want)
		})
	}
}

func TestRCPServices(t *testing.T) {
	got := RCPServices()
	for _, want := range []string{"s3", "sts", "kms", "sqs", "secretsmanager", "ecr", "aoss", "cognito-identity", "logs", "dynamodb"} {
		if !slices.Contains(got, want) || !RCPService(want) {
			t.Errorf("RCPServices() lacks %q", want)
		}
	}
	if RCPService("iam") || RCPService("organizations") || RCPService("cloudtrail") || RCPService("config") {
		t.Errorf("RCPService accepts a service the user guide does not list")
	}
	if !RCPService("S3") {
		t.Errorf(`RCPService("S3") = false; prefixes are case-insensitive`)
	}
	if !slices.IsSorted(got) {
		t.Errorf("RCPServices() is not sorted: %v", got)
	}
}

func TestEvaluateRCP(t *testing.T) {
	perimeter := mustParseTB(t, stmt(`{"Sid":"Perimeter","Effect":"Deny","Principal":"*","Action":"s3:PutObject","Resource":"*",
		"Condition":{"StringNotEqualsIfExists":{"aws:PrincipalOrgID":"o-a1b2c3d4e5"},"BoolIfExists":{"aws:PrincipalIsAWSService":"false"}}}`), KindRCP)
	full := mustParseTB(t, rcpFullAWSAccess, KindRCPManaged)
	role := Principal{ARN: "arn:aws:sts::111122223333:assumed-role/R/s", RoleARN: "arn:aws:iam::111122223333:role/R"}
	outside := Principal{ARN: "arn:aws:iam::444455556666:user/u"}
	service := Principal{Service: "cloudtrail.amazonaws.com"}
	obj := "arn:aws:s3:::logs/AWSLogs/111122223333/x"
	tests := []struct {
		name string
		req  Request
		want Decision
		sid  string
	}{
		{"own organization passes the perimeter", Request{Action: "s3:PutObject", Resource: obj, Principal: role,
			Context: ctx("aws:principalorgid", "o-a1b2c3d4e5", "aws:principalisawsservice", "false")}, Allow, "Statement[0]"},
		{"another organization is denied", Request{Action: "s3:PutObject", Resource: obj, Principal: outside,
			Context: ctx("aws:principalorgid", "o-zzzzzzzzzz", "aws:principalisawsservice", "false")}, ExplicitDeny, "Perimeter"},
		{"a service principal matches Principal * and is exempted by the condition", Request{Action: "s3:PutObject", Resource: obj, Principal: service,
			Context: ctx("aws:principalisawsservice", "true")}, Allow, "Statement[0]"},
		{"another action is not restricted", Request{Action: "s3:GetObject", Resource: obj, Principal: outside,
			Context: ctx("aws:principalisawsservice", "false")}, Allow, "Statement[0]"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			checkResult(t, EvaluateSet([]*Policy{full, perimeter}, &tc.req), tc.want, tc.sid)
		})
	}
	// Without RCPFullAWSAccess nothing allows: RCPs never grant.
	r := perimeter.Evaluate(&Request{Action: "s3:PutObject", Resource: obj, Principal: service, Context: ctx("aws:principalisawsservice", "true")})
	if r.Decision != ImplicitDeny {
		t.Errorf("perimeter alone = %v, want ImplicitDeny", r.Decision)
	}
	// Principal "*" matches a service principal in RCPFullAWSAccess.
	if d := full.Evaluate(&Request{Action: "kms:Decrypt", Resource: "arn:aws:kms:us-east-1:111122223333:key/k", Principal: service}).Decision; d != Allow {
		t.Errorf("RCPFullAWSAccess for a service principal = %v, want Allow", d)
	}
}
