// Package checkkit is what the first-party check plugins share beyond
// reading IAM (that is iamread): a Rule type that turns sdk findings into
// complete ones (title, severity, compliance references, remediation on
// FAIL), the deduplicated compliance list Describe reports, and the start
// of every Run (decode and validate the config, build the AWS config).
//
// It is private to plugins/checks. Like all non-test code under plugins/,
// it must not import anything under the module's internal/ directory.
package checkkit
