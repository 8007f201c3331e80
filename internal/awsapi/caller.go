package awsapi

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/aws/arn"
	"github.com/aws/aws-sdk-go-v2/service/sts"
	"github.com/aws/smithy-go"
)

// Caller is who a run's credentials speak for, as GetCallerIdentity
// answers (it needs no permission: STS API reference).
type Caller struct {
	ARN       string
	Account   string
	UserID    string
	Partition string // aws | aws-cn | aws-us-gov, from the ARN
	// AssumedRole: the credentials are a role session (SSO, CI with OIDC,
	// an instance or task role, any assumed role). A role it assumes in
	// turn is role chaining, which AWS limits to one hour.
	AssumedRole bool
	// Root: the account's root user, which AWS does not let assume roles.
	Root bool
}

// CallerIdentityAPI is the STS call WhoAmI makes.
type CallerIdentityAPI interface {
	GetCallerIdentity(context.Context, *sts.GetCallerIdentityInput, ...func(*sts.Options)) (*sts.GetCallerIdentityOutput, error)
}

// WhoAmI reads the caller of cfg's credentials. It is a run's first AWS
// call, so its error says when there are no credentials or the endpoint
// cannot be reached (Explain).
func WhoAmI(ctx context.Context, api CallerIdentityAPI) (Caller, error) {
	out, err := api.GetCallerIdentity(ctx, &sts.GetCallerIdentityInput{})
	if err != nil {
		if x := Explain("sts:GetCallerIdentity", err); x != err {
			return Caller{}, x
		}
		return Caller{}, fmt.Errorf("read the caller's identity (sts:GetCallerIdentity): %w%s", err, partitionHint(err))
	}
	c := Caller{ARN: aws.ToString(out.Arn), Account: aws.ToString(out.Account), UserID: aws.ToString(out.UserId)}
	a, err := arn.Parse(c.ARN)
	if err != nil {
		return Caller{}, fmt.Errorf("sts:GetCallerIdentity answered the ARN %q, which is not an ARN: %w", c.ARN, err)
	}
	c.Partition = a.Partition
	c.AssumedRole = a.Service == "sts" && strings.HasPrefix(a.Resource, "assumed-role/")
	c.Root = a.Service == "iam" && a.Resource == "root"
	return c, nil
}

// ChainedSessionLimit is the longest session AWS gives a role assumed with
// role credentials: "if you assume a role using role chaining and provide
// a DurationSeconds parameter value greater than one hour, the operation
// fails" (STS API reference, AssumeRole).
const ChainedSessionLimit = time.Hour

// The partitions and their global-service regions: where IAM and
// Organizations are served (AWS General Reference, the IAM and
// Organizations endpoints of each partition).
var globalRegions = map[string]string{
	"aws":        "us-east-1",
	"aws-cn":     "cn-northwest-1",
	"aws-us-gov": "us-gov-west-1",
}

// GlobalRegion is the region a partition serves its global services from
// ("" for a partition orgbaseline does not know).
func GlobalRegion(partition string) string { return globalRegions[partition] }

// RegionPartition is the partition a region belongs to, by its name: China
// regions begin cn-, GovCloud regions us-gov-; the isolated partitions
// (us-iso-, us-isob-, eu-isoe-, us-isof-) are named too, so a region of
// theirs is never taken for a commercial one. New commercial regions need
// no update here.
func RegionPartition(region string) string {
	switch {
	case strings.HasPrefix(region, "cn-"):
		return "aws-cn"
	case strings.HasPrefix(region, "us-gov-"):
		return "aws-us-gov"
	case strings.HasPrefix(region, "us-isob-"):
		return "aws-iso-b"
	case strings.HasPrefix(region, "us-isof-"):
		return "aws-iso-f"
	case strings.HasPrefix(region, "eu-isoe-"):
		return "aws-iso-e"
	case strings.HasPrefix(region, "us-iso-"):
		return "aws-iso"
	}
	return "aws"
}

// partitionHint explains an STS refusal that credentials of another
// partition get: AWS GovCloud (US) and China credentials are unknown to
// the commercial regions, and the other way round.
func partitionHint(err error) string {
	var ae smithy.APIError
	if !errors.As(err, &ae) {
		return ""
	}
	switch ae.ErrorCode() {
	case "InvalidClientTokenId", "SignatureDoesNotMatch", "UnrecognizedClientException":
		return "; if these are AWS GovCloud (US) or China credentials, the region must be of that partition too:" +
			" set organization.homeRegion (or --region) to us-gov-west-1 or cn-northwest-1"
	}
	return ""
}
