// Package mgmtpolicy parses and validates AWS Organizations management
// policy documents: the eight policy types whose documents use the
// inheritance operators @@assign, @@append, @@remove and
// @@operators_allowed_for_child_policies (TAG_POLICY, BACKUP_POLICY,
// AISERVICES_OPT_OUT_POLICY, DECLARATIVE_POLICY_EC2, S3_POLICY,
// SECURITYHUB_POLICY, INSPECTOR_POLICY, BEDROCK_POLICY). Authorization
// policies (SCPs and RCPs) use IAM's grammar and belong to
// internal/iampolicy.
//
// It serves two users: the AWS emulator (internal/orgsim), which refuses a
// malformed document in CreatePolicy and UpdatePolicy, and the tool, which
// validates a baseline's documents before it touches AWS and checks that a
// declared policy is in effect (Document.Assigned, Lookup) in the
// effective policy AWS reports (DescribeEffectivePolicy).
//
// What it deliberately does not do is merge documents into an effective
// policy: the emulator has its own merge (internal/orgsim), so that the
// tool's reading of an effective policy is checked against an independent
// picture of AWS's inheritance rules rather than against itself.
//
// Sources (Organizations user guide unless named otherwise): "Understanding
// management policy inheritance" (orgs_manage_policies_inheritance_mgmt),
// "Inheritance operators" (policy-operators), "Inheritance examples",
// "Tag policy syntax and examples", "Backup policy syntax and examples",
// "AI services opt-out policy syntax and examples", "Declarative policy
// syntax and examples" (now "EC2 policy syntax and examples"), "Amazon S3
// policy syntax and examples", "Security Hub policy syntax and examples",
// "Amazon Inspector policy syntax and examples", "Amazon Bedrock policy
// syntax and examples", and "Quotas for AWS Organizations"
// (orgs_reference_limits). Where a page is unclear the stricter reading is
// taken and the code says so.
//
// # Dependencies
//
// This package imports only the Go standard library; in particular it
// must not import internal/orgsim, baseline or baseline/controls, so that
// both the emulator and the tool can depend on it without cycles. A test
// (TestImportsAreStdlibOnly) enforces this.
package mgmtpolicy
