package controls

// Root sessions: what the rootAccess and rootCredentials controls share.
//
// With centralized root access (IAM user guide, "Centralize root access for
// member accounts"), the management account (or IAM's delegated
// administrator) calls sts:AssumeRoot to get a short session that acts as
// a member account's root user, scoped by one of AWS's task policies:
// root-task/IAMAuditRootUserCredentials reads the root user's
// credentials, root-task/IAMDeleteRootUserCredentials reads and deletes
// them. AssumeRoot is served by regional STS endpoints only ("The STS
// global endpoint is not supported for AssumeRoot. You must send this
// request to a Regional STS endpoint", STS API reference) and a session
// lasts at most 900 seconds. The session's own calls are the member's
// root user's: the member account's SCPs apply to them, with
// aws:AssumedRoot true in the request context.

import (
	"context"
	"errors"
	"fmt"
	"slices"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/iam"
	iamtypes "github.com/aws/aws-sdk-go-v2/service/iam/types"
	"github.com/aws/aws-sdk-go-v2/service/sts"
	ststypes "github.com/aws/aws-sdk-go-v2/service/sts/types"
	"github.com/aws/smithy-go"

	"github.com/orgbaseline/orgbaseline/internal/awsapi"
)

// IAMPrincipal is IAM's service principal, for trusted access and
// delegated administration of centralized root access.
const IAMPrincipal = "iam.amazonaws.com"

// The task policies of the root sessions, under
// arn:PARTITION:iam::aws:policy/root-task/.
const (
	RootTaskAudit  = "IAMAuditRootUserCredentials"
	RootTaskDelete = "IAMDeleteRootUserCredentials"
)

// RootSessionSeconds is the DurationSeconds of every root session: AWS's
// maximum, 900 seconds ("up to the maximum session duration of 900
// seconds (15 minutes). If you specify a value higher than this setting,
// the operation fails"). One session does one account's audit or
// deletion, a handful of calls.
const RootSessionSeconds = 900

// The features of centralized root access, as IAM names them
// (iam:ListOrganizationsFeatures).
const (
	FeatureRootCredentialsManagement = string(iamtypes.FeatureTypeRootCredentialsManagement)
	FeatureRootSessions              = string(iamtypes.FeatureTypeRootSessions)
)

// RootSessionAPI is the part of the STS client that starts root
// sessions.
type RootSessionAPI interface {
	AssumeRoot(context.Context, *sts.AssumeRootInput, ...func(*sts.Options)) (*sts.AssumeRootOutput, error)
}

var _ RootSessionAPI = (*sts.Client)(nil)

// RootFeaturesAPI is the part of the IAM client that reads and enables the
// features of centralized root access, in the management account.
type RootFeaturesAPI interface {
	ListOrganizationsFeatures(context.Context, *iam.ListOrganizationsFeaturesInput, ...func(*iam.Options)) (*iam.ListOrganizationsFeaturesOutput, error)
	EnableOrganizationsRootCredentialsManagement(context.Context, *iam.EnableOrganizationsRootCredentialsManagementInput, ...func(*iam.Options)) (*iam.EnableOrganizationsRootCredentialsManagementOutput, error)
	EnableOrganizationsRootSessions(context.Context, *iam.EnableOrganizationsRootSessionsInput, ...func(*iam.Options)) (*iam.EnableOrganizationsRootSessionsOutput, error)
}

var _ RootFeaturesAPI = (*iam.Client)(nil)

// rootTaskARN is a task policy's ARN in the run's partition.
func (o *Org) rootTaskARN(task string) string {
	return "arn:" + o.PartitionName() + ":iam::aws:policy/root-task/" + task
}

// rootFeatures reads the features of centralized root access enabled in
// the organization, with the management account's api. Without trusted
// access for IAM there can be none, and IAM says so with
// ServiceAccessNotEnabledException: that is an empty answer, not an
// error.
func rootFeatures(ctx context.Context, api RootFeaturesAPI) ([]string, error) {
	out, err := api.ListOrganizationsFeatures(ctx, &iam.ListOrganizationsFeaturesInput{})
	if isAPIError(err, "ServiceAccessNotEnabledException", "ServiceAccessNotEnabled") {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	var fs []string
	for _, f := range out.EnabledFeatures {
		fs = append(fs, string(f))
	}
	slices.Sort(fs)
	return fs, nil
}

// rootSession starts a root session in account with the task policy
// task, with the management account's config mgmt (whose region, the
// home region, is the regional STS endpoint it calls), and returns a
// config acting in it, and the error of AssumeRoot as it came.
func rootSession(ctx context.Context, newSTS func(aws.Config) RootSessionAPI, mgmt aws.Config, o *Org, account, task string) (aws.Config, error) {
	out, err := newSTS(mgmt).AssumeRoot(ctx, &sts.AssumeRootInput{
		TargetPrincipal: aws.String(account),
		TaskPolicyArn:   &ststypes.PolicyDescriptorType{Arn: aws.String(o.rootTaskARN(task))},
		DurationSeconds: aws.Int32(RootSessionSeconds),
	})
	if err != nil {
		return aws.Config{}, err
	}
	c := out.Credentials
	if c == nil || c.AccessKeyId == nil || c.SecretAccessKey == nil {
		return aws.Config{}, fmt.Errorf("sts:AssumeRoot answered without credentials")
	}
	cfg := mgmt.Copy()
	cfg.Credentials = aws.NewCredentialsCache(credentials.NewStaticCredentialsProvider(
		aws.ToString(c.AccessKeyId), aws.ToString(c.SecretAccessKey), aws.ToString(c.SessionToken)))
	awsapi.ForAccount(&cfg, account)
	return cfg, nil
}

// isAPIError reports whether err is an AWS error with one of codes.
func isAPIError(err error, codes ...string) bool {
	var ae smithy.APIError
	return errors.As(err, &ae) && slices.Contains(codes, ae.ErrorCode())
}

// isAccessDenied reports whether err is AWS's refusal of a call.
func isAccessDenied(err error) bool {
	return isAPIError(err, "AccessDenied", "AccessDeniedException", "UnauthorizedOperation")
}
