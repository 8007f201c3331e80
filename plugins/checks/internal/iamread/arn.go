package iamread

import (
	"strings"
	"time"
)

// Partition is the AWS partition of a region: "aws-cn" for cn-*,
// "aws-us-gov" for us-gov-*, else "aws".
func Partition(region string) string {
	switch {
	case strings.HasPrefix(region, "cn-"):
		return "aws-cn"
	case strings.HasPrefix(region, "us-gov-"):
		return "aws-us-gov"
	}
	return "aws"
}

// AccountARN is the ARN of an account's root principal,
// arn:PARTITION:iam::ACCOUNT:root: the resource of account-wide findings.
func AccountARN(partition, account string) string {
	return "arn:" + partition + ":iam::" + account + ":root"
}

// AWSManagedPolicyARN is the ARN of an AWS managed policy by name.
func AWSManagedPolicyARN(partition, name string) string {
	return "arn:" + partition + ":iam::aws:policy/" + name
}

// DaysSince is how many whole days lie between t and now (0 when t is not
// before now).
func DaysSince(now, t time.Time) int {
	if !t.Before(now) {
		return 0
	}
	return int(now.Sub(t) / (24 * time.Hour))
}
