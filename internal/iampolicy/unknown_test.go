package iampolicy

import (
	"slices"
	"testing"
)

// ipAllowList is AWS's documented policy that denies calls from outside an
// IP range unless an AWS service makes them (IAM user guide, "AWS: Denies
// access to AWS based on the source IP"), after a full-access Allow, as an
// SCP.
const ipAllowList = `{"Version":"2012-10-17","Statement":[
  {"Sid":"FullAccess","Effect":"Allow","Action":"*","Resource":"*"},
  {"Sid":"DenyAllOutsideIPs","Effect":"Deny","Action":"*","Resource":"*","Condition":{
    "NotIpAddress":{"aws:SourceIp":["192.0.2.0/24","203.0.113.0/24"]},
    "Bool":{"aws:ViaAWSService":"false"}}}]}`

// checkUndecided checks the three-valued part of a Result.
func checkUndecided(t testing.TB, r Result, want bool, wantPolicy *Policy, wantSid, wantKey string) {
	t.Helper()
	if r.Undecided != want {
		t.Fatalf("Undecided = %v, want %v (decision %v, statement %s, key %q)", r.Undecided, want, r.Decision, r.UndecidedStatement.Name(), r.UnknownKey)
	}
	if !want {
		if r.UndecidedStatement != nil || r.UndecidedPolicy != nil || r.UnknownKey != "" {
			t.Fatalf("decided result names undecided statement %s, policy %p, key %q", r.UndecidedStatement.Name(), r.UndecidedPolicy, r.UnknownKey)
		}
		return
	}
	if r.UndecidedStatement.Name() != wantSid || r.UndecidedPolicy != wantPolicy || r.UnknownKey != wantKey {
		t.Fatalf("undecided by %s in %p on %q, want %s in %p on %q", r.UndecidedStatement.Name(), r.UndecidedPolicy, r.UnknownKey, wantSid, wantPolicy, wantKey)
	}
}

func unknown(keys ...string) map[string]bool {
	m := make(map[string]bool, len(keys))
	for _, k := range keys {
		m[k] = true
	}
	return m
}

func TestThreeValuedOutcomes(t *testing.T) {
	tests := []struct {
		name    string
		doc     string
		ctx     map[string][]string
		unknown map[string]bool
		action  string // "" is s3:PutObject
		res     string // "" is *

		want      Decision
		wantSid   string // deciding statement
		undecided bool
		undSid    string
		undKey    string
	}{
		{name: "Deny on an unknown key is undecided", doc: ipAllowList,
			ctx: ctx("aws:viaawsservice", "false"), unknown: unknown("aws:sourceip"),
			want: Allow, wantSid: "FullAccess", undecided: true, undSid: "DenyAllOutsideIPs", undKey: "aws:SourceIp"},
		{name: "known-false pair outweighs the unknown one", doc: ipAllowList,
			ctx: ctx("aws:viaawsservice", "true"), unknown: unknown("aws:sourceip"),
			want: Allow, wantSid: "FullAccess"},
		{name: "known-false pair after the unknown one", doc: `{"Version":"2012-10-17","Statement":[
			  {"Sid":"D","Effect":"Deny","Action":"*","Resource":"*","Condition":{
			    "NotIpAddress":{"aws:SourceIp":"203.0.113.0/24"},"StringEquals":{"aws:PrincipalAccount":"999999999999"}}}]}`,
			ctx: ctx("aws:principalaccount", "111122223333"), unknown: unknown("aws:sourceip"),
			want: ImplicitDeny},
		{name: "stated value decides: inside the range", doc: ipAllowList,
			ctx: ctx("aws:viaawsservice", "false", "aws:sourceip", "203.0.113.7"), unknown: unknown("aws:sourceip"),
			want: Allow, wantSid: "FullAccess"},
		{name: "stated value decides: outside the range", doc: ipAllowList,
			ctx: ctx("aws:viaawsservice", "false", "aws:sourceip", "198.51.100.7"), unknown: unknown("aws:sourceip"),
			want: ExplicitDeny, wantSid: "DenyAllOutsideIPs"},
		{name: "stated absent (empty slice) is known", doc: ipAllowList,
			ctx: map[string][]string{"aws:viaawsservice": {"false"}, "aws:sourceip": {}}, unknown: unknown("aws:sourceip"),
			want: ExplicitDeny, wantSid: "DenyAllOutsideIPs"},
		{name: "the unknown key is named as the policy writes it", doc: `{"Version":"2012-10-17","Statement":[
			  {"Sid":"D","Effect":"Deny","Action":"*","Resource":"*","Condition":{"StringNotEquals":{"AWS:SOURCEVPC":"vpc-1"}}}]}`,
			unknown: unknown("aws:sourcevpc"),
			want:    ImplicitDeny, undecided: true, undSid: "D", undKey: "AWS:SOURCEVPC"},

		{name: "Allow undecided under an explicit deny is not undecided", doc: `{"Version":"2012-10-17","Statement":[
			  {"Sid":"A","Effect":"Allow","Action":"*","Resource":"*","Condition":{"IpAddress":{"aws:SourceIp":"203.0.113.0/24"}}},
			  {"Sid":"D","Effect":"Deny","Action":"s3:*","Resource":"*"}]}`,
			unknown: unknown("aws:sourceip"),
			want:    ExplicitDeny, wantSid: "D"},
		{name: "Allow undecided under the implicit deny is undecided", doc: `{"Version":"2012-10-17","Statement":[
			  {"Sid":"A","Effect":"Allow","Action":"*","Resource":"*","Condition":{"IpAddress":{"aws:SourceIp":"203.0.113.0/24"}}}]}`,
			unknown: unknown("aws:sourceip"),
			want:    ImplicitDeny, undecided: true, undSid: "A", undKey: "aws:SourceIp"},
		{name: "Allow undecided under an Allow is not undecided", doc: `{"Version":"2012-10-17","Statement":[
			  {"Sid":"A","Effect":"Allow","Action":"*","Resource":"*","Condition":{"IpAddress":{"aws:SourceIp":"203.0.113.0/24"}}},
			  {"Sid":"B","Effect":"Allow","Action":"s3:*","Resource":"*"}]}`,
			unknown: unknown("aws:sourceip"),
			want:    Allow, wantSid: "B"},
		{name: "Deny undecided under another explicit deny is not undecided", doc: `{"Version":"2012-10-17","Statement":[
			  {"Sid":"U","Effect":"Deny","Action":"*","Resource":"*","Condition":{"StringNotEquals":{"aws:SourceVpc":"vpc-1"}}},
			  {"Sid":"D","Effect":"Deny","Action":"s3:*","Resource":"*"}]}`,
			unknown: unknown("aws:sourcevpc"),
			want:    ExplicitDeny, wantSid: "D"},
		{name: "undecided Deny reported before an undecided Allow", doc: `{"Version":"2012-10-17","Statement":[
			  {"Sid":"A","Effect":"Allow","Action":"*","Resource":"*","Condition":{"IpAddress":{"aws:SourceIp":"203.0.113.0/24"}}},
			  {"Sid":"U","Effect":"Deny","Action":"*","Resource":"*","Condition":{"StringNotEquals":{"aws:SourceVpc":"vpc-1"}}}]}`,
			unknown: unknown("aws:sourceip", "aws:sourcevpc"),
			want:    ImplicitDeny, undecided: true, undSid: "U", undKey: "aws:SourceVpc"},
		{name: "first unknown pair named", doc: `{"Version":"2012-10-17","Statement":[
			  {"Sid":"U","Effect":"Deny","Action":"*","Resource":"*","Condition":{"StringNotEquals":{"aws:SourceVpc":"vpc-1"},"NotIpAddress":{"aws:SourceIp":"203.0.113.0/24"}}}]}`,
			unknown: unknown("aws:sourceip", "aws:sourcevpc"),
			want:    ImplicitDeny, undecided: true, undSid: "U", undKey: "aws:SourceIp"}, // NotIpAddress sorts first

		{name: "prefix unknown", doc: `{"Version":"2012-10-17","Statement":[
			  {"Sid":"D","Effect":"Deny","Action":"*","Resource":"*","Condition":{"StringEquals":{"aws:ResourceTag/Protected":"true"}}}]}`,
			unknown: unknown("aws:resourcetag/"),
			want:    ImplicitDeny, undecided: true, undSid: "D", undKey: "aws:ResourceTag/Protected"},
		{name: "prefix unknown, key stated", doc: `{"Version":"2012-10-17","Statement":[
			  {"Sid":"D","Effect":"Deny","Action":"*","Resource":"*","Condition":{"StringEquals":{"aws:ResourceTag/Protected":"true"}}}]}`,
			ctx: ctx("aws:resourcetag/protected", "true"), unknown: unknown("aws:resourcetag/"),
			want: ExplicitDeny, wantSid: "D"},
		{name: "prefix unknown does not cover a sibling", doc: `{"Version":"2012-10-17","Statement":[
			  {"Sid":"D","Effect":"Deny","Action":"*","Resource":"*","Condition":{"StringEquals":{"aws:RequestTag/Protected":"true"}}}]}`,
			unknown: unknown("aws:resourcetag/"),
			want:    ImplicitDeny},

		{name: "IfExists over an unknown key is unknown", doc: `{"Version":"2012-10-17","Statement":[
			  {"Sid":"D","Effect":"Deny","Action":"*","Resource":"*","Condition":{"StringNotEqualsIfExists":{"aws:SourceVpce":"vpce-1"}}}]}`,
			unknown: unknown("aws:sourcevpce"),
			want:    ImplicitDeny, undecided: true, undSid: "D", undKey: "aws:SourceVpce"},
		{name: "Null over an unknown key is unknown", doc: `{"Version":"2012-10-17","Statement":[
			  {"Sid":"D","Effect":"Deny","Action":"*","Resource":"*","Condition":{"Null":{"aws:SourceVpc":"true"}}}]}`,
			unknown: unknown("aws:sourcevpc"),
			want:    ImplicitDeny, undecided: true, undSid: "D", undKey: "aws:SourceVpc"},
		{name: "ForAnyValue over an unknown key is unknown", doc: `{"Version":"2012-10-17","Statement":[
			  {"Sid":"D","Effect":"Deny","Action":"*","Resource":"*","Condition":{"ForAnyValue:StringLike":{"aws:CalledVia":"*"}}}]}`,
			unknown: unknown("aws:calledvia"),
			want:    ImplicitDeny, undecided: true, undSid: "D", undKey: "aws:CalledVia"},
		{name: "ForAllValues over an unknown key is unknown", doc: `{"Version":"2012-10-17","Statement":[
			  {"Sid":"D","Effect":"Deny","Action":"*","Resource":"*","Condition":{"ForAllValues:StringNotEquals":{"aws:CalledVia":"x"}}}]}`,
			unknown: unknown("aws:calledvia"),
			want:    ImplicitDeny, undecided: true, undSid: "D", undKey: "aws:CalledVia"},
		{name: "unknown key on a statement whose action does not match", doc: `{"Version":"2012-10-17","Statement":[
			  {"Sid":"D","Effect":"Deny","Action":"ec2:*","Resource":"*","Condition":{"NotIpAddress":{"aws:SourceIp":"203.0.113.0/24"}}}]}`,
			unknown: unknown("aws:sourceip"),
			want:    ImplicitDeny},

		{name: "variable in Resource over an unknown key", doc: `{"Version":"2012-10-17","Statement":[
			  {"Sid":"D","Effect":"Deny","Action":"*","Resource":"arn:aws:s3:::${aws:ResourceTag/bucket}"}]}`,
			res: "arn:aws:s3:::logs", unknown: unknown("aws:resourcetag/"),
			want: ImplicitDeny, undecided: true, undSid: "D", undKey: "aws:ResourceTag/bucket"},
		{name: "another Resource pattern decides", doc: `{"Version":"2012-10-17","Statement":[
			  {"Sid":"D","Effect":"Deny","Action":"*","Resource":["arn:aws:s3:::${aws:ResourceTag/bucket}","arn:aws:s3:::log*"]}]}`,
			res: "arn:aws:s3:::logs", unknown: unknown("aws:resourcetag/"),
			want: ExplicitDeny, wantSid: "D"},
		{name: "variable in NotResource over an unknown key", doc: `{"Version":"2012-10-17","Statement":[
			  {"Sid":"D","Effect":"Deny","Action":"*","NotResource":"arn:aws:s3:::${aws:ResourceTag/bucket}"}]}`,
			res: "arn:aws:s3:::logs", unknown: unknown("aws:resourcetag/"),
			want: ImplicitDeny, undecided: true, undSid: "D", undKey: "aws:ResourceTag/bucket"},
		{name: "variable in a condition value over an unknown key", doc: `{"Version":"2012-10-17","Statement":[
			  {"Sid":"D","Effect":"Deny","Action":"*","Resource":"*","Condition":{"StringNotEquals":{"aws:PrincipalTag/vpc":"${aws:SourceVpc}"}}}]}`,
			ctx: ctx("aws:principaltag/vpc", "vpc-1"), unknown: unknown("aws:sourcevpc"),
			want: ImplicitDeny, undecided: true, undSid: "D", undKey: "aws:SourceVpc"},
		{name: "another condition value decides (negated, known match)", doc: `{"Version":"2012-10-17","Statement":[
			  {"Sid":"D","Effect":"Deny","Action":"*","Resource":"*","Condition":{"StringNotEquals":{"aws:PrincipalTag/vpc":["${aws:SourceVpc}","vpc-1"]}}}]}`,
			ctx: ctx("aws:principaltag/vpc", "vpc-1"), unknown: unknown("aws:sourcevpc"),
			want: ImplicitDeny},
		{name: "another condition value decides (positive, known match)", doc: `{"Version":"2012-10-17","Statement":[
			  {"Sid":"D","Effect":"Deny","Action":"*","Resource":"*","Condition":{"ArnLike":{"aws:PrincipalArn":["arn:aws:iam::*:role/${aws:SourceIdentity}","arn:aws:iam::*:role/Dev*"]}}}]}`,
			ctx: ctx("aws:principalarn", "arn:aws:iam::111122223333:role/DevOps"), unknown: unknown("aws:sourceidentity"),
			want: ExplicitDeny, wantSid: "D"},
		{name: "variable over an unknown key on a missing condition key is decided", doc: `{"Version":"2012-10-17","Statement":[
			  {"Sid":"D","Effect":"Deny","Action":"*","Resource":"*","Condition":{"StringNotEquals":{"aws:PrincipalTag/vpc":"${aws:SourceVpc}"}}}]}`,
			unknown: unknown("aws:sourcevpc"),
			want:    ExplicitDeny, wantSid: "D"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			p := mustParseTB(t, tc.doc, KindSCP)
			req := &Request{Action: tc.action, Resource: tc.res, Context: tc.ctx, Unknown: tc.unknown}
			if req.Action == "" {
				req.Action = "s3:PutObject"
			}
			for name, r := range map[string]Result{"Evaluate": p.Evaluate(req), "EvaluateSet": EvaluateSet([]*Policy{p}, req)} {
				t.Run(name, func(t *testing.T) {
					checkResult(t, r, tc.want, tc.wantSid)
					var undPolicy *Policy
					if tc.undecided {
						undPolicy = p
					}
					checkUndecided(t, r, tc.undecided, undPolicy, tc.undSid, tc.undKey)
				})
			}
			// With nothing unknown the evaluation is the two-valued one, never undecided.
			req.Unknown = nil
			if r := p.Evaluate(req); r.Undecided {
				t.Errorf("Unknown == nil: undecided by %s", r.UndecidedStatement.Name())
			}
		})
	}
}

func TestThreeValuedEvaluateSet(t *testing.T) {
	full := mustParseTB(t, `{"Version":"2012-10-17","Statement":[{"Sid":"FullAWSAccess","Effect":"Allow","Action":"*","Resource":"*"}]}`, KindSCP)
	ipDeny := mustParseTB(t, ipAllowList, KindSCP)
	denyS3 := mustParseTB(t, `{"Version":"2012-10-17","Statement":[{"Sid":"DenyS3","Effect":"Deny","Action":"s3:*","Resource":"*"}]}`, KindSCP)
	ipAllow := mustParseTB(t, `{"Version":"2012-10-17","Statement":[{"Sid":"FromOffice","Effect":"Allow","Action":"*","Resource":"*","Condition":{"IpAddress":{"aws:SourceIp":"203.0.113.0/24"}}}]}`, KindSCP)
	vpcDeny := mustParseTB(t, `{"Version":"2012-10-17","Statement":[{"Sid":"OnlyVpc","Effect":"Deny","Action":"*","Resource":"*","Condition":{"StringNotEquals":{"aws:SourceVpc":"vpc-1"}}}]}`, KindSCP)

	tests := []struct {
		name       string
		set        []*Policy
		want       Decision
		wantPolicy *Policy
		wantSid    string
		undecided  bool
		undPolicy  *Policy
		undSid     string
		undKey     string
	}{
		{"undecided Deny in a later policy", []*Policy{full, ipDeny}, Allow, full, "FullAWSAccess", true, ipDeny, "DenyAllOutsideIPs", "aws:SourceIp"},
		{"undecided Deny, explicit deny in another policy", []*Policy{ipDeny, denyS3}, ExplicitDeny, denyS3, "DenyS3", false, nil, "", ""},
		{"undecided Allow, Allow in another policy", []*Policy{ipAllow, full}, Allow, full, "FullAWSAccess", false, nil, "", ""},
		{"undecided Allow alone", []*Policy{nil, ipAllow}, ImplicitDeny, nil, "", true, ipAllow, "FromOffice", "aws:SourceIp"},
		{"first undecided Deny of the set", []*Policy{full, vpcDeny, ipDeny}, Allow, full, "FullAWSAccess", true, vpcDeny, "OnlyVpc", "aws:SourceVpc"},
		{"undecided Deny wins over undecided Allow", []*Policy{ipAllow, vpcDeny}, ImplicitDeny, nil, "", true, vpcDeny, "OnlyVpc", "aws:SourceVpc"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			r := EvaluateSet(tc.set, &Request{Action: "s3:PutObject", Resource: "*",
				Context: ctx("aws:viaawsservice", "false"), Unknown: unknown("aws:sourceip", "aws:sourcevpc")})
			checkResult(t, r, tc.want, tc.wantSid)
			if r.Policy != tc.wantPolicy {
				t.Errorf("deciding policy = %p, want %p", r.Policy, tc.wantPolicy)
			}
			checkUndecided(t, r, tc.undecided, tc.undPolicy, tc.undSid, tc.undKey)
		})
	}
}

func TestResultKeys(t *testing.T) {
	p := mustParseTB(t, `{"Version":"2012-10-17","Statement":[
	  {"Sid":"DenyOutsideRegions","Effect":"Deny","NotAction":"iam:*","Resource":"*","Condition":{
	    "StringNotEquals":{"aws:RequestedRegion":["eu-west-1"]},
	    "ArnNotLike":{"aws:PrincipalArn":"arn:aws:iam::*:role/BreakGlass"},
	    "StringNotEqualsIfExists":{"aws:RequestedRegion":"us-east-1"}}},
	  {"Sid":"AllowTagged","Effect":"Allow","Action":"iam:*","Resource":"*","Condition":{"StringEquals":{"aws:PrincipalTag/Team":"platform"}}},
	  {"Sid":"AllowAll","Effect":"Allow","Action":"*","Resource":"*"}]}`, KindSCP)
	base := ctx("aws:principalarn", "arn:aws:iam::111122223333:role/Deployer", "aws:requestedregion", "ap-south-1", "aws:principaltag/team", "platform")
	tests := []struct {
		action string
		want   Decision
		sid    string
		keys   []string
	}{
		{"s3:PutObject", ExplicitDeny, "DenyOutsideRegions", []string{"aws:PrincipalArn", "aws:RequestedRegion"}},
		{"iam:CreateRole", Allow, "AllowTagged", []string{"aws:PrincipalTag/Team"}},
	}
	for _, tc := range tests {
		for _, unk := range []map[string]bool{nil, unknown("aws:sourceip")} {
			r := p.Evaluate(&Request{Action: tc.action, Resource: "*", Context: base, Unknown: unk})
			checkResult(t, r, tc.want, tc.sid)
			if !slices.Equal(r.Keys, tc.keys) {
				t.Errorf("%s: Keys = %q, want %q", tc.action, r.Keys, tc.keys)
			}
		}
	}
	ctxNoTag := ctx("aws:principalarn", "arn:aws:iam::111122223333:role/Deployer", "aws:requestedregion", "eu-west-1")
	r := p.Evaluate(&Request{Action: "s3:PutObject", Resource: "*", Context: ctxNoTag})
	checkResult(t, r, Allow, "AllowAll")
	if r.Keys != nil {
		t.Errorf("statement without Condition: Keys = %q, want nil", r.Keys)
	}
	q := mustParseTB(t, `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"s3:*","Resource":"*","Condition":{"Bool":{"aws:SecureTransport":"true"}}}]}`, KindSCP)
	if r = q.Evaluate(&Request{Action: "s3:PutObject", Resource: "*", Context: ctxNoTag}); r.Decision != ImplicitDeny || r.Keys != nil {
		t.Errorf("implicit deny: decision %v, Keys %q; want no Keys", r.Decision, r.Keys)
	}
}

// TestUnknownEvaluateDoesNotAllocate: the guard's path, with unknown keys,
// allocates nothing either.
func TestUnknownEvaluateDoesNotAllocate(t *testing.T) {
	p := mustParseTB(t, ipAllowList, KindSCP)
	req := &Request{Action: "s3:PutObject", Resource: "*", Context: ctx("aws:viaawsservice", "false"), Unknown: unknown("aws:sourceip", "aws:resourcetag/")}
	if r := p.Evaluate(req); !r.Undecided {
		t.Fatal("want undecided")
	}
	if n := testing.AllocsPerRun(200, func() { p.Evaluate(req) }); n != 0 {
		t.Errorf("Evaluate with unknown keys allocates %.1f times per call, want 0", n)
	}
}
