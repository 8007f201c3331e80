package awsapi

import (
	"errors"
	"fmt"

	"github.com/aws/smithy-go"
)

// Opt-in regions. "Regions introduced before March 20, 2019 are enabled
// by default"; every region of the aws partition launched since is
// disabled in an account until enabled there (Account Management
// reference guide, "Enable or disable AWS Regions in your account"). The
// China and GovCloud partitions have none.
var enabledByDefault = map[string]bool{
	"us-east-1": true, "us-east-2": true, "us-west-1": true, "us-west-2": true,
	"ap-south-1": true, "ap-northeast-1": true, "ap-northeast-2": true, "ap-northeast-3": true,
	"ap-southeast-1": true, "ap-southeast-2": true, "ca-central-1": true, "eu-central-1": true,
	"eu-west-1": true, "eu-west-2": true, "eu-west-3": true, "eu-north-1": true, "sa-east-1": true,
}

// OptInRegion reports whether region is one AWS keeps disabled in an
// account until it is enabled for it.
func OptInRegion(region string) bool {
	return RegionPartition(region) == "aws" && !enabledByDefault[region]
}

// notEnabledCodes are AWS's answers to a call in a region the account has
// not enabled: the account's credentials do not exist there, so each
// service answers as to an unknown token or key (UnrecognizedClientException
// from JSON services, InvalidClientTokenId from query ones, S3's
// InvalidToken or InvalidAccessKeyId), and regional STS answers
// RegionDisabledException.
var notEnabledCodes = map[string]bool{
	"UnrecognizedClientException": true,
	"InvalidClientTokenId":        true,
	"InvalidToken":                true,
	"InvalidAccessKeyId":          true,
	"RegionDisabledException":     true,
}

// RegionNotEnabledError is a call refused because its region, an opt-in
// region, is not enabled in the account.
type RegionNotEnabledError struct {
	Account string
	Region  string
	Err     error
}

func (e *RegionNotEnabledError) Error() string {
	answer := e.Err.Error()
	var ae smithy.APIError
	if errors.As(e.Err, &ae) {
		answer = ae.ErrorCode() + ": " + ae.ErrorMessage()
	}
	return fmt.Sprintf("region %s is not enabled in account %s: it is an opt-in region, and AWS does not accept the account's credentials there (%s); enable the region for the account (in the AWS console's account settings, or `aws account enable-region --account-id %s --region-name %s` from the management account), or remove %s from organization.regions",
		e.Region, e.Account, answer, e.Account, e.Region, e.Region)
}

func (e *RegionNotEnabledError) Unwrap() error { return e.Err }

// RegionNotEnabled returns err as a *RegionNotEnabledError when it is how
// AWS answers a call to an opt-in region the account has not enabled;
// any other error (or nil) unchanged. The same answer in a region enabled
// by default is a credentials problem, not this.
func RegionNotEnabled(err error, account, region string) error {
	var ae smithy.APIError
	if err == nil || !OptInRegion(region) || !errors.As(err, &ae) || !notEnabledCodes[ae.ErrorCode()] {
		return err
	}
	return &RegionNotEnabledError{Account: account, Region: region, Err: err}
}
