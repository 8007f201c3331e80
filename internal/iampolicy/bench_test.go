package iampolicy

import "testing"

// benchSCP is a realistic 5-statement baseline SCP with conditions.
const benchSCP = `{
  "Version": "2012-10-17",
  "Statement": [
    {
      "Sid": "DenyLeaveOrganization",
      "Effect": "Deny",
      "Action": "organizations:LeaveOrganization",
      "Resource": "*"
    },
    {
      "Sid": "DenyOutsideApprovedRegions",
      "Effect": "Deny",
      "NotAction": ["iam:*", "organizations:*", "sts:*", "support:*", "route53:*", "cloudfront:*", "budgets:*"],
      "Resource": "*",
      "Condition": {
        "StringNotEquals": {"aws:RequestedRegion": ["us-east-1", "eu-west-1", "eu-central-1"]},
        "ArnNotLike": {"aws:PrincipalArn": "arn:aws:iam::*:role/OrgBaselineBreakGlass"}
      }
    },
    {
      "Sid": "ProtectAuditTrail",
      "Effect": "Deny",
      "Action": ["cloudtrail:StopLogging", "cloudtrail:DeleteTrail", "cloudtrail:UpdateTrail", "config:Delete*", "config:Stop*"],
      "Resource": "*",
      "Condition": {
        "ArnNotLike": {"aws:PrincipalArn": ["arn:aws:iam::*:role/OrgBaselineAdmin", "arn:aws:iam::*:role/aws-reserved/sso.amazonaws.com/AWSReservedSSO_Admin*"]}
      }
    },
    {
      "Sid": "DenyRootUser",
      "Effect": "Deny",
      "Action": "*",
      "Resource": "*",
      "Condition": {
        "StringLike": {"aws:PrincipalArn": "arn:aws:iam::*:root"},
        "Null": {"aws:AssumedRoot": "true"}
      }
    },
    {
      "Sid": "FullAccess",
      "Effect": "Allow",
      "Action": "*",
      "Resource": "*"
    }
  ]
}`

func benchRequest() *Request {
	return &Request{
		Action:   "s3:PutObject",
		Resource: "arn:aws:s3:::acme-data/reports/2024/q1.csv",
		Principal: Principal{
			ARN:     "arn:aws:sts::111122223333:assumed-role/Deployer/ci",
			Account: "111122223333",
			RoleARN: "arn:aws:iam::111122223333:role/Deployer",
		},
		Context: map[string][]string{
			"aws:principalarn":     {"arn:aws:iam::111122223333:role/Deployer"},
			"aws:principalaccount": {"111122223333"},
			"aws:principalorgid":   {"o-a1b2c3d4e5"},
			"aws:requestedregion":  {"eu-west-1"},
			"aws:securetransport":  {"true"},
		},
	}
}

func TestBenchSCPDecisions(t *testing.T) {
	p := mustParseTB(t, benchSCP, KindSCP)
	checkResult(t, p.Evaluate(benchRequest()), Allow, "FullAccess")

	r := benchRequest()
	r.Context["aws:requestedregion"] = []string{"ap-southeast-2"}
	checkResult(t, p.Evaluate(r), ExplicitDeny, "DenyOutsideApprovedRegions")

	r = benchRequest()
	r.Context["aws:requestedregion"] = []string{"ap-southeast-2"}
	r.Action = "iam:CreateRole"
	checkResult(t, p.Evaluate(r), Allow, "FullAccess")

	r = benchRequest()
	r.Context["aws:requestedregion"] = []string{"ap-southeast-2"}
	r.Context["aws:principalarn"] = []string{"arn:aws:iam::111122223333:role/OrgBaselineBreakGlass"}
	checkResult(t, p.Evaluate(r), Allow, "FullAccess")

	r = benchRequest()
	r.Action = "CloudTrail:StopLogging"
	checkResult(t, p.Evaluate(r), ExplicitDeny, "ProtectAuditTrail")

	r.Context["aws:principalarn"] = []string{"arn:aws:iam::111122223333:role/aws-reserved/sso.amazonaws.com/AWSReservedSSO_AdminAccess_0123"}
	checkResult(t, p.Evaluate(r), Allow, "FullAccess")

	r = benchRequest()
	r.Context["aws:principalarn"] = []string{"arn:aws:iam::111122223333:root"}
	checkResult(t, p.Evaluate(r), ExplicitDeny, "DenyRootUser")
	r.Context["aws:assumedroot"] = []string{"true"}
	checkResult(t, p.Evaluate(r), Allow, "FullAccess")

	r = benchRequest()
	r.Action = "organizations:LeaveOrganization"
	checkResult(t, p.Evaluate(r), ExplicitDeny, "DenyLeaveOrganization")
}

func TestEvaluateDoesNotAllocate(t *testing.T) {
	p := mustParseTB(t, benchSCP, KindSCP)
	req := benchRequest()
	if n := testing.AllocsPerRun(200, func() { p.Evaluate(req) }); n != 0 {
		t.Errorf("Evaluate allocates %.1f times per call, want 0", n)
	}
	set := []*Policy{p, p}
	if n := testing.AllocsPerRun(200, func() { EvaluateSet(set, req) }); n != 0 {
		t.Errorf("EvaluateSet allocates %.1f times per call, want 0", n)
	}
}

func BenchmarkEvaluate(b *testing.B) {
	p := MustParse(benchSCP, KindSCP)
	req := benchRequest()
	b.ReportAllocs()
	for b.Loop() {
		if p.Evaluate(req).Decision != Allow {
			b.Fatal("unexpected decision")
		}
	}
}

func BenchmarkEvaluateDenied(b *testing.B) {
	p := MustParse(benchSCP, KindSCP)
	req := benchRequest()
	req.Context["aws:requestedregion"] = []string{"ap-southeast-2"}
	b.ReportAllocs()
	for b.Loop() {
		if p.Evaluate(req).Decision != ExplicitDeny {
			b.Fatal("unexpected decision")
		}
	}
}

// BenchmarkEvaluateUnknown is the lockout guard's path: the same request
// with keys it cannot know.
func BenchmarkEvaluateUnknown(b *testing.B) {
	p := MustParse(benchSCP, KindSCP)
	req := benchRequest()
	req.Unknown = map[string]bool{"aws:sourceip": true, "aws:sourcevpc": true, "aws:resourcetag/": true}
	b.ReportAllocs()
	for b.Loop() {
		if p.Evaluate(req).Decision != Allow {
			b.Fatal("unexpected decision")
		}
	}
}

func BenchmarkParse(b *testing.B) {
	doc := []byte(benchSCP)
	b.ReportAllocs()
	for b.Loop() {
		if _, err := Parse(doc, KindSCP); err != nil {
			b.Fatal(err)
		}
	}
}
