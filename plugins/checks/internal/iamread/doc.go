// Package iamread reads IAM the way the first-party check plugins need it:
// the credential report (generated, polled and parsed into typed rows),
// paginated listings of users, groups, roles, policies and policy
// attachments, and policy documents decoded into a small typed form.
//
// Every failed call is returned as a *CallError naming the IAM action, so a
// check can say which permission it lacked.
//
// It is private to plugins/checks. Like all non-test code under plugins/,
// it must not import anything under the module's internal/ directory; it
// uses only the standard library and the AWS SDK.
package iamread
