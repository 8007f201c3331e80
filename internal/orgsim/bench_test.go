package orgsim_test

import (
	"net/http"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/iam"
	"github.com/aws/aws-sdk-go-v2/service/organizations"
	orgtypes "github.com/aws/aws-sdk-go-v2/service/organizations/types"

	"github.com/orgbaseline/orgbaseline/internal/orgsim"
)

// BenchmarkSignedRequests measures how many signed requests per second
// orgsim answers with the real SDK client and the server in one process:
// SigV4 signing and verification, protocol encoding, SCP and identity
// policy evaluation (the caller is an assumed role in a member account
// under an OU with a five-statement SCP), and the operation itself. Run with
//
//	go test ./internal/orgsim -run '^$' -bench SignedRequests -benchtime 20000x
func BenchmarkSignedRequests(b *testing.B) {
	for _, bc := range []struct {
		name string
		call func(e *env, c *iam.Client, o *organizations.Client) error
	}{
		{"iam-GetAccountPasswordPolicy-member", func(e *env, c *iam.Client, _ *organizations.Client) error {
			_, err := c.GetAccountPasswordPolicy(bg, &iam.GetAccountPasswordPolicyInput{})
			if errCode(b, err) == "NoSuchEntity" {
				return nil
			}
			return err
		}},
		{"organizations-DescribeOrganization-member", func(e *env, _ *iam.Client, o *organizations.Client) error {
			_, err := o.DescribeOrganization(bg, &organizations.DescribeOrganizationInput{})
			return err
		}},
	} {
		b.Run(bc.name, func(b *testing.B) {
			e := newEnv(b, orgsim.Options{Seed: 1, Org: orgsim.OrgSpec{Members: 4, Clean: true}})
			// Keep connections alive across parallel callers, as a real
			// client pool does.
			http.DefaultTransport.(*http.Transport).MaxIdleConnsPerHost = 64
			var member string
			for _, a := range e.sim.Accounts() {
				if a.OUPath == "/Workloads/Prod" {
					member = a.ID
				}
			}
			guardrails(b, e)
			cfg := e.assume(member, "OrganizationAccountAccessRole")
			ic, oc := iam.NewFromConfig(cfg), organizations.NewFromConfig(cfg)
			b.ReportAllocs()
			b.SetParallelism(8)
			start := time.Now()
			b.ResetTimer()
			b.RunParallel(func(pb *testing.PB) {
				for pb.Next() {
					if err := bc.call(e, ic, oc); err != nil {
						b.Error(err)
						return
					}
				}
			})
			b.StopTimer()
			b.ReportMetric(float64(b.N)/time.Since(start).Seconds(), "req/s")
		})
	}
}

// guardrails enables SCPs and attaches a realistic five-statement SCP to
// /Workloads, so every member call in the benchmark is evaluated against
// FullAWSAccess at the root, the OU's two policies and the account's.
func guardrails(b *testing.B, e *env) {
	b.Helper()
	oc := organizations.NewFromConfig(e.cfg)
	orgEnableType(b, e, orgtypes.PolicyTypeServiceControlPolicy)
	out, err := oc.CreatePolicy(bg, &organizations.CreatePolicyInput{Name: aws.String("guardrails"), Description: aws.String("benchmark"),
		Type: orgtypes.PolicyTypeServiceControlPolicy, Content: aws.String(`{"Version":"2012-10-17","Statement":[
  {"Sid":"DenyLeaveOrg","Effect":"Deny","Action":"organizations:LeaveOrganization","Resource":"*"},
  {"Sid":"DenyTrailTampering","Effect":"Deny","Action":["cloudtrail:StopLogging","cloudtrail:DeleteTrail","cloudtrail:UpdateTrail"],"Resource":"*","Condition":{"ArnNotLike":{"aws:PrincipalArn":"arn:aws:iam::*:role/OrganizationAccountAccessRole"}}},
  {"Sid":"DenyConfigTampering","Effect":"Deny","Action":["config:StopConfigurationRecorder","config:DeleteConfigurationRecorder"],"Resource":"*"},
  {"Sid":"DenyRoot","Effect":"Deny","Action":"*","Resource":"*","Condition":{"StringLike":{"aws:PrincipalArn":"arn:aws:iam::*:root"}}},
  {"Sid":"RegionLock","Effect":"Deny","NotAction":["iam:*","organizations:*","sts:*","support:*"],"Resource":"*","Condition":{"StringNotEquals":{"aws:RequestedRegion":["us-east-1","eu-west-1"]}}}]}`)})
	if err != nil {
		b.Fatal(err)
	}
	ou, _ := e.sim.OUID("/Workloads")
	if _, err := oc.AttachPolicy(bg, &organizations.AttachPolicyInput{PolicyId: out.Policy.PolicySummary.Id, TargetId: aws.String(ou)}); err != nil {
		b.Fatal(err)
	}
}
