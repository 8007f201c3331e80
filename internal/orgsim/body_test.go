package orgsim_test

import (
	"context"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/iam"
	"github.com/aws/aws-sdk-go-v2/service/s3"

	"github.com/orgbaseline/orgbaseline/internal/orgsim"
)

// A request body over orgsim's bound is refused with the error AWS gives
// a request entity that is too large, in the service's protocol, before
// the operation runs; a large body under the bound reaches the operation.
func TestRequestBodyOverTheLimitIsRefused(t *testing.T) {
	e := newEnv(t, orgsim.Options{Seed: 1})
	ctx := context.Background()
	huge := `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"s3:GetObject","Resource":"*","Sid":"` + strings.Repeat("x", 11<<20) + `"}]}`

	_, err := e.iam(e.cfg).CreatePolicy(ctx, &iam.CreatePolicyInput{PolicyName: aws.String("huge"), PolicyDocument: aws.String(huge)})
	if got := errCode(t, err); got != "RequestEntityTooLargeException" {
		t.Errorf("IAM CreatePolicy with an 11 MiB body: %q (%v), want RequestEntityTooLargeException", got, err)
	}
	_, err = e.s3(e.cfg).PutBucketPolicy(ctx, &s3.PutBucketPolicyInput{Bucket: aws.String("any-bucket"), Policy: aws.String(huge)})
	if got := errCode(t, err); got != "MaxMessageLengthExceeded" {
		t.Errorf("S3 PutBucketPolicy with an 11 MiB body: %q (%v), want MaxMessageLengthExceeded", got, err)
	}
	// Nothing was created.
	list, err := e.iam(e.cfg).ListPolicies(ctx, &iam.ListPoliciesInput{Scope: "Local"})
	if err != nil {
		t.Fatal(err)
	}
	for _, p := range list.Policies {
		if aws.ToString(p.PolicyName) == "huge" {
			t.Errorf("the refused CreatePolicy created %s", aws.ToString(p.Arn))
		}
	}

	// 1 MiB is under the bound: IAM itself refuses the document's size.
	big := strings.Replace(huge, strings.Repeat("x", 11<<20), strings.Repeat("x", 1<<20), 1)
	_, err = e.iam(e.cfg).CreatePolicy(ctx, &iam.CreatePolicyInput{PolicyName: aws.String("big"), PolicyDocument: aws.String(big)})
	if got := errCode(t, err); got == "RequestEntityTooLargeException" || got == "" {
		t.Errorf("IAM CreatePolicy with a 1 MiB body: %q (%v), want IAM's own refusal", got, err)
	}
}
