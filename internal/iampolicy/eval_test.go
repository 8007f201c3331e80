package iampolicy

import (
	"fmt"
	"testing"
)

func TestActionMatching(t *testing.T) {
	tests := []struct {
		name    string
		element string // JSON for the Action/NotAction element
		action  string
		want    Decision
	}{
		{"star", `"Action": "*"`, "iam:CreateUser", Allow},
		{"exact", `"Action": "iam:CreateUser"`, "iam:CreateUser", Allow},
		{"exact other", `"Action": "iam:CreateUser"`, "iam:DeleteUser", ImplicitDeny},
		{"request case-insensitive", `"Action": "iam:CreateUser"`, "IAM:createuser", Allow},
		{"policy case-insensitive", `"Action": "IAM:CREATEUSER"`, "iam:CreateUser", Allow},
		{"service star", `"Action": "iam:*"`, "iam:UpdateAccountPasswordPolicy", Allow},
		{"service star other service", `"Action": "iam:*"`, "sts:AssumeRole", ImplicitDeny},
		{"service prefix must match whole", `"Action": "s3:*"`, "s3-outposts:GetObject", ImplicitDeny},
		{"prefix wildcard", `"Action": "s3:Get*"`, "s3:GetObjectTagging", Allow},
		{"prefix wildcard folded", `"Action": "s3:get*"`, "S3:GETOBJECT", Allow},
		{"middle wildcard", `"Action": "iam:*AccessKey*"`, "iam:CreateAccessKey", Allow},
		{"question mark", `"Action": "ec2:?escribeInstances"`, "ec2:DescribeInstances", Allow},
		{"list any", `"Action": ["s3:PutObject", "iam:Get*"]`, "iam:GetRole", Allow},
		{"list none", `"Action": ["s3:PutObject", "iam:Get*"]`, "iam:ListRoles", ImplicitDeny},
		{"NotAction excludes listed", `"NotAction": ["iam:*", "sts:*"]`, "iam:CreateRole", ImplicitDeny},
		{"NotAction excludes listed folded", `"NotAction": ["iam:*", "sts:*"]`, "STS:AssumeRole", ImplicitDeny},
		{"NotAction matches others", `"NotAction": ["iam:*", "sts:*"]`, "s3:ListBucket", Allow},
		{"NotAction star matches nothing", `"NotAction": "*"`, "s3:ListBucket", ImplicitDeny},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			p := mustParseTB(t, `{"Version":"2012-10-17","Statement":[{"Sid":"S","Effect":"Allow",`+tc.element+`,"Resource":"*"}]}`, KindIdentity)
			sid := "S"
			if tc.want == ImplicitDeny {
				sid = ""
			}
			checkResult(t, p.Evaluate(&Request{Action: tc.action, Resource: "arn:aws:iam::111122223333:user/u"}), tc.want, sid)
		})
	}
}

func TestResourceMatching(t *testing.T) {
	tests := []struct {
		name     string
		element  string
		resource string
		want     Decision
	}{
		{"star matches ARN", `"Resource": "*"`, "arn:aws:s3:::bucket/key", Allow},
		{"star matches star", `"Resource": "*"`, "*", Allow},
		{"empty request resource is star", `"Resource": "*"`, "", Allow},
		{"ARN does not match star request", `"Resource": "arn:aws:iam::*:role/*"`, "*", ImplicitDeny},
		{"ARN pattern star does not match star request", `"Resource": "arn:*:*:*:*:*"`, "*", ImplicitDeny},
		{"exact", `"Resource": "arn:aws:s3:::bucket"`, "arn:aws:s3:::bucket", Allow},
		{"case-sensitive", `"Resource": "arn:aws:s3:::Bucket"`, "arn:aws:s3:::bucket", ImplicitDeny},
		{"objects", `"Resource": "arn:aws:s3:::bucket/*"`, "arn:aws:s3:::bucket/a/b.txt", Allow},
		{"objects not bucket", `"Resource": "arn:aws:s3:::bucket/*"`, "arn:aws:s3:::bucket", ImplicitDeny},
		{"account wildcard", `"Resource": "arn:aws:iam::*:role/OrgAdmin"`, "arn:aws:iam::444455556666:role/OrgAdmin", Allow},
		{"question mark", `"Resource": "arn:aws:s3:::log?"`, "arn:aws:s3:::logs", Allow},
		{"list", `"Resource": ["arn:aws:s3:::a", "arn:aws:s3:::b"]`, "arn:aws:s3:::b", Allow},
		{"NotResource excludes", `"NotResource": "arn:aws:s3:::secret*"`, "arn:aws:s3:::secret-bucket", ImplicitDeny},
		{"NotResource others", `"NotResource": "arn:aws:s3:::secret*"`, "arn:aws:s3:::public", Allow},
		{"NotResource matches star request", `"NotResource": "arn:aws:s3:::secret*"`, "*", Allow},
		{"NotResource star matches nothing", `"NotResource": "*"`, "*", ImplicitDeny},
		{"policy variable is literal", `"Resource": "arn:aws:iam::*:user/${aws:username}"`, "arn:aws:iam::111122223333:user/bob", ImplicitDeny},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			p := mustParseTB(t, `{"Version":"2012-10-17","Statement":{"Sid":"R","Effect":"Allow","Action":"*",`+tc.element+`}}`, KindIdentity)
			sid := "R"
			if tc.want == ImplicitDeny {
				sid = ""
			}
			checkResult(t, p.Evaluate(&Request{Action: "s3:GetObject", Resource: tc.resource}), tc.want, sid)
		})
	}
}

func TestDenyBeatsAllowAndDecidingStatement(t *testing.T) {
	p := mustParseTB(t, `{
	  "Version": "2012-10-17",
	  "Statement": [
	    {"Sid": "AllowAll", "Effect": "Allow", "Action": "*", "Resource": "*"},
	    {"Sid": "AllowS3", "Effect": "Allow", "Action": "s3:*", "Resource": "*"},
	    {"Effect": "Deny", "Action": "organizations:LeaveOrganization", "Resource": "*"},
	    {"Sid": "DenyIAMUsers", "Effect": "Deny", "Action": ["iam:CreateUser", "iam:CreateAccessKey"], "Resource": "*"},
	    {"Sid": "DenyIAMAgain", "Effect": "Deny", "Action": "iam:Create*", "Resource": "*"}
	  ]}`, KindSCP)
	tests := []struct {
		action  string
		want    Decision
		wantSid string
	}{
		{"s3:GetObject", Allow, "AllowAll"}, // first matching Allow
		{"ec2:RunInstances", Allow, "AllowAll"},
		{"organizations:LeaveOrganization", ExplicitDeny, "Statement[2]"},
		{"iam:CreateUser", ExplicitDeny, "DenyIAMUsers"}, // first matching Deny
		{"iam:CreateRole", ExplicitDeny, "DenyIAMAgain"},
	}
	for _, tc := range tests {
		t.Run(tc.action, func(t *testing.T) {
			checkResult(t, p.Evaluate(&Request{Action: tc.action, Resource: "*"}), tc.want, tc.wantSid)
		})
	}
}

func TestEvaluateSet(t *testing.T) {
	full := mustParseTB(t, `{"Version":"2012-10-17","Statement":[{"Sid":"FullAWSAccess","Effect":"Allow","Action":"*","Resource":"*"}]}`, KindSCP)
	s3only := mustParseTB(t, `{"Version":"2012-10-17","Statement":[{"Sid":"S3Only","Effect":"Allow","Action":"s3:*","Resource":"*"}]}`, KindSCP)
	denyLeave := mustParseTB(t, `{"Version":"2012-10-17","Statement":[{"Sid":"DenyLeave","Effect":"Deny","Action":"organizations:LeaveOrganization","Resource":"*"}]}`, KindSCP)
	denyLeave2 := mustParseTB(t, `{"Version":"2012-10-17","Statement":[{"Sid":"DenyLeaveToo","Effect":"Deny","Action":"organizations:*","Resource":"*"}]}`, KindSCP)

	tests := []struct {
		name       string
		set        []*Policy
		action     string
		want       Decision
		wantPolicy *Policy
		wantSid    string
	}{
		{"empty set", nil, "s3:GetObject", ImplicitDeny, nil, ""},
		{"nil policy skipped", []*Policy{nil, s3only}, "s3:GetObject", Allow, s3only, "S3Only"},
		{"no allow", []*Policy{s3only}, "ec2:RunInstances", ImplicitDeny, nil, ""},
		{"first allow wins", []*Policy{s3only, full}, "s3:GetObject", Allow, s3only, "S3Only"},
		{"allow from later policy", []*Policy{s3only, full}, "ec2:RunInstances", Allow, full, "FullAWSAccess"},
		{"deny in later policy beats allow", []*Policy{full, denyLeave}, "organizations:LeaveOrganization", ExplicitDeny, denyLeave, "DenyLeave"},
		{"first deny reported", []*Policy{full, denyLeave2, denyLeave}, "organizations:LeaveOrganization", ExplicitDeny, denyLeave2, "DenyLeaveToo"},
		{"deny alone", []*Policy{denyLeave}, "s3:GetObject", ImplicitDeny, nil, ""},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got := EvaluateSet(tc.set, &Request{Action: tc.action, Resource: "*"})
			checkResult(t, got, tc.want, tc.wantSid)
			if got.Policy != tc.wantPolicy {
				t.Errorf("deciding policy = %p, want %p", got.Policy, tc.wantPolicy)
			}
		})
	}
}

func TestTrustPrincipals(t *testing.T) {
	const acct, other = "111122223333", "444455556666"
	role := Principal{
		ARN:     "arn:aws:sts::" + acct + ":assumed-role/Deployer/ci-session",
		Account: acct,
		RoleARN: "arn:aws:iam::" + acct + ":role/Deployer",
	}
	pathRole := Principal{
		ARN:     "arn:aws:sts::" + acct + ":assumed-role/Ops/s",
		RoleARN: "arn:aws:iam::" + acct + ":role/team/Ops", // Account derived from the ARN
	}
	user := Principal{ARN: "arn:aws:iam::" + acct + ":user/alice", Account: acct}
	root := Principal{ARN: "arn:aws:iam::" + acct + ":root", Account: acct}
	otherUser := Principal{ARN: "arn:aws:iam::" + other + ":user/mallory", Account: other}
	svc := Principal{Service: "cloudtrail.amazonaws.com"}
	fed := Principal{ARN: "arn:aws:sts::" + acct + ":assumed-role/Web/x", Federated: "arn:aws:iam::" + acct + ":saml-provider/Okta"}

	tests := []struct {
		name      string
		principal string // JSON value of Principal
		not       bool   // use NotPrincipal with a Deny statement instead
		caller    Principal
		want      Decision
	}{
		{"star", `"*"`, false, otherUser, Allow},
		{"star service", `"*"`, false, svc, Allow},
		{"AWS star", `{"AWS": "*"}`, false, otherUser, Allow},
		{"account id", `{"AWS": "` + acct + `"}`, false, user, Allow},
		{"account id session", `{"AWS": "` + acct + `"}`, false, role, Allow},
		{"account id derived from ARN", `{"AWS": "` + acct + `"}`, false, pathRole, Allow},
		{"account id other account", `{"AWS": "` + acct + `"}`, false, otherUser, ImplicitDeny},
		{"root ARN", `{"AWS": "arn:aws:iam::` + acct + `:root"}`, false, role, Allow},
		{"root ARN root caller", `{"AWS": "arn:aws:iam::` + acct + `:root"}`, false, root, Allow},
		{"root ARN other account", `{"AWS": "arn:aws:iam::` + acct + `:root"}`, false, otherUser, ImplicitDeny},
		{"role ARN matches its session", `{"AWS": "arn:aws:iam::` + acct + `:role/Deployer"}`, false, role, Allow},
		{"role ARN matches the role itself", `{"AWS": "arn:aws:iam::` + acct + `:role/Deployer"}`, false, Principal{ARN: "arn:aws:iam::" + acct + ":role/Deployer"}, Allow},
		{"role ARN with path", `{"AWS": "arn:aws:iam::` + acct + `:role/team/Ops"}`, false, pathRole, Allow},
		{"role ARN other role", `{"AWS": "arn:aws:iam::` + acct + `:role/Other"}`, false, role, ImplicitDeny},
		{"role ARN not a user", `{"AWS": "arn:aws:iam::` + acct + `:role/Deployer"}`, false, user, ImplicitDeny},
		{"session ARN", `{"AWS": "arn:aws:sts::` + acct + `:assumed-role/Deployer/ci-session"}`, false, role, Allow},
		{"session ARN other session", `{"AWS": "arn:aws:sts::` + acct + `:assumed-role/Deployer/other"}`, false, role, ImplicitDeny},
		{"user ARN", `{"AWS": ["arn:aws:iam::` + acct + `:user/bob", "arn:aws:iam::` + acct + `:user/alice"]}`, false, user, Allow},
		{"service", `{"Service": "cloudtrail.amazonaws.com"}`, false, svc, Allow},
		{"service list", `{"Service": ["ec2.amazonaws.com", "cloudtrail.amazonaws.com"]}`, false, svc, Allow},
		{"service other", `{"Service": "ec2.amazonaws.com"}`, false, svc, ImplicitDeny},
		{"service does not match account", `{"AWS": "` + acct + `"}`, false, svc, ImplicitDeny},
		{"account does not match service", `{"Service": "cloudtrail.amazonaws.com"}`, false, user, ImplicitDeny},
		{"federated", `{"Federated": "arn:aws:iam::` + acct + `:saml-provider/Okta"}`, false, fed, Allow},
		{"NotPrincipal denies others", `{"AWS": "arn:aws:iam::` + acct + `:role/Deployer"}`, true, user, ExplicitDeny},
		{"NotPrincipal spares listed", `{"AWS": "arn:aws:iam::` + acct + `:role/Deployer"}`, true, role, Allow},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			var doc string
			if tc.not {
				doc = `{"Version":"2012-10-17","Statement":[
				  {"Sid":"AllowAll","Effect":"Allow","Principal":"*","Action":"sts:AssumeRole"},
				  {"Sid":"P","Effect":"Deny","NotPrincipal":` + tc.principal + `,"Action":"sts:AssumeRole"}]}`
			} else {
				doc = `{"Version":"2012-10-17","Statement":[{"Sid":"P","Effect":"Allow","Principal":` + tc.principal + `,"Action":"sts:AssumeRole"}]}`
			}
			p := mustParseTB(t, doc, KindTrust)
			sid := map[Decision]string{Allow: "P", ExplicitDeny: "P", ImplicitDeny: ""}[tc.want]
			if tc.not && tc.want == Allow {
				sid = "AllowAll"
			}
			checkResult(t, p.Evaluate(&Request{Action: "sts:AssumeRole", Resource: "arn:aws:iam::" + acct + ":role/Target", Principal: tc.caller}), tc.want, sid)
		})
	}
}

func TestTrustPolicyWithCondition(t *testing.T) {
	p := mustParseTB(t, `{
	  "Version": "2012-10-17",
	  "Statement": [{
	    "Sid": "CrossAccount",
	    "Effect": "Allow",
	    "Principal": {"AWS": "arn:aws:iam::444455556666:root"},
	    "Action": "sts:AssumeRole",
	    "Condition": {"StringEquals": {"sts:ExternalId": "ext-123"}}
	  }]}`, KindTrust)
	caller := Principal{ARN: "arn:aws:iam::444455556666:user/x", Account: "444455556666"}
	checkResult(t, p.Evaluate(&Request{Action: "sts:AssumeRole", Principal: caller, Context: ctx("sts:ExternalId", "ext-123")}), Allow, "CrossAccount")
	checkResult(t, p.Evaluate(&Request{Action: "sts:AssumeRole", Principal: caller, Context: ctx("sts:ExternalId", "wrong")}), ImplicitDeny, "")
	checkResult(t, p.Evaluate(&Request{Action: "sts:AssumeRole", Principal: caller}), ImplicitDeny, "")
	checkResult(t, p.Evaluate(&Request{Action: "sts:TagSession", Principal: caller, Context: ctx("sts:ExternalId", "ext-123")}), ImplicitDeny, "")
}

func TestPrincipalIgnoredForIdentityKinds(t *testing.T) {
	// A hand-built identity policy carrying a Principal: it is not evaluated.
	p := &Policy{Kind: KindIdentity, Statements: []*Statement{{
		Effect:    EffectAllow,
		Principal: &PrincipalSet{Service: []string{"ec2.amazonaws.com"}},
		Action:    []string{"*"},
		Resource:  []string{"*"},
	}}}
	checkResult(t, p.Evaluate(&Request{Action: "s3:GetObject", Principal: Principal{ARN: "arn:aws:iam::111122223333:user/u"}}), Allow, "Statement[0]")
}

func TestHandBuiltPolicyEvaluates(t *testing.T) {
	p := &Policy{Kind: KindSCP, Statements: []*Statement{
		{Sid: "A", Effect: EffectAllow, Action: []string{"*"}, Resource: []string{"*"}},
		{Index: 1, Sid: "D", Effect: EffectDeny, Action: []string{"iam:*"}, Resource: []string{"*"},
			Condition: []Condition{{Operator: "StringNotEquals", Key: "aws:PrincipalAccount", Values: []string{"111122223333"}}}},
	}}
	checkResult(t, p.Evaluate(&Request{Action: "iam:CreateUser", Resource: "*", Context: ctx("aws:principalaccount", "999999999999")}), ExplicitDeny, "D")
	checkResult(t, p.Evaluate(&Request{Action: "iam:CreateUser", Resource: "*", Context: ctx("aws:principalaccount", "111122223333")}), Allow, "A")
}

func TestNilSafety(t *testing.T) {
	var p *Policy
	checkResult(t, p.Evaluate(&Request{Action: "s3:GetObject"}), ImplicitDeny, "")
	q := MustParse(`{"Statement":{"Effect":"Allow","Action":"*","Resource":"*"}}`, KindIdentity)
	checkResult(t, q.Evaluate(nil), ImplicitDeny, "")
}

func TestDecisionString(t *testing.T) {
	for d, want := range map[Decision]string{ImplicitDeny: "ImplicitDeny", Allow: "Allow", ExplicitDeny: "ExplicitDeny", Decision(7): "Decision(7)"} {
		if got := d.String(); got != want {
			t.Errorf("Decision(%d).String() = %q, want %q", int(d), got, want)
		}
	}
	if got := fmt.Sprint(KindTrust); got != "trust" {
		t.Errorf("KindTrust prints as %q", got)
	}
}

func TestConcurrentEvaluate(t *testing.T) {
	p := mustParseTB(t, benchSCP, KindSCP)
	req := benchRequest()
	done := make(chan Result, 8)
	for i := 0; i < 8; i++ {
		go func() {
			var r Result
			for j := 0; j < 200; j++ {
				r = p.Evaluate(req)
			}
			done <- r
		}()
	}
	for i := 0; i < 8; i++ {
		checkResult(t, <-done, Allow, "FullAccess")
	}
}

// TestNamedOnlyPrincipal: with NamedOnly, a Principal element matches the
// caller only where it names the caller (or everyone), not where it names
// the caller's account.
func TestNamedOnlyPrincipal(t *testing.T) {
	const acct = "111122223333"
	session := Principal{ARN: "arn:aws:sts::" + acct + ":assumed-role/Deployer/ci", Account: acct, RoleARN: "arn:aws:iam::" + acct + ":role/Deployer", NamedOnly: true}
	user := Principal{ARN: "arn:aws:iam::" + acct + ":user/alice", NamedOnly: true} // account derived from the ARN
	for _, tc := range []struct {
		name      string
		principal string
		caller    Principal
		want      Decision
	}{
		{"account id", `{"AWS":"` + acct + `"}`, user, ImplicitDeny},
		{"root ARN", `{"AWS":"arn:aws:iam::` + acct + `:root"}`, session, ImplicitDeny},
		{"user ARN", `{"AWS":"arn:aws:iam::` + acct + `:user/alice"}`, user, Allow},
		{"role ARN", `{"AWS":"arn:aws:iam::` + acct + `:role/Deployer"}`, session, Allow},
		{"session ARN", `{"AWS":"arn:aws:sts::` + acct + `:assumed-role/Deployer/ci"}`, session, Allow},
		{"everyone", `"*"`, user, Allow},
		{"everyone AWS", `{"AWS":"*"}`, session, Allow},
	} {
		t.Run(tc.name, func(t *testing.T) {
			p := mustParseTB(t, `{"Version":"2012-10-17","Statement":[{"Sid":"P","Effect":"Allow","Principal":`+tc.principal+`,"Action":"s3:GetBucketPolicy","Resource":"arn:aws:s3:::b"}]}`, KindResource)
			sid := map[Decision]string{Allow: "P"}[tc.want]
			checkResult(t, p.Evaluate(&Request{Action: "s3:GetBucketPolicy", Resource: "arn:aws:s3:::b", Principal: tc.caller}), tc.want, sid)
			full := tc.caller
			full.NamedOnly = false
			checkResult(t, p.Evaluate(&Request{Action: "s3:GetBucketPolicy", Resource: "arn:aws:s3:::b", Principal: full}), Allow, "P")
		})
	}
}
