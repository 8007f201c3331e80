// Package orgsim is an in-memory emulator of the AWS APIs orgbaseline uses:
// Organizations, STS, IAM, CloudTrail, Config, IAM Access Analyzer, S3 and,
// as far as CloudTrail needs it, KMS.
//
// It is one http.Handler that speaks the real wire protocols (awsJson1_1,
// awsQuery, restJson1, restXml) to the real aws-sdk-go-v2 clients and to
// any other client (the AWS CLI, boto3): it routes by the SigV4 signing
// service name, verifies every signature, maps the access key to an
// account and principal, evaluates service control policies, identity,
// session, trust, bucket and key policies for every call with the request
// context AWS sets, and keeps state per account and region.
//
// Layout: one file per service (organizations.go, sts.go, cloudtrail.go,
// config.go, accessanalyzer.go, s3.go, kms.go; IAM in iam.go and the
// iam_*.go files of its sections; the read calls auditors make in
// audit_*.go), one per wire protocol (proto_json.go, proto_query.go,
// proto_restxml.go), and separate files for identity and signing
// (identity.go, sigv4.go; root sessions in sts_root.go), the request
// context (reqctx.go), authorization (auth.go), what AWS does later and
// how strictly (awslike.go), partitions (partition.go), seeding (seed.go,
// seed_root.go), faults (faults.go) and counters (counters.go).
//
// Trust: request bodies are read through a size bound (body.go); the admin
// API under /_orgsim/ (admin.go) requires a bearer token or a SigV4
// signature by the management credentials (adminauth.go); with
// Options.RandomCredentials every key it issues comes from crypto/rand
// (secrets.go), not from the seed.
//
// Concurrency: all state is guarded by one mutex, held only while an
// operation runs; signature checks, injected latency and response encoding
// happen outside it. Operation handlers therefore never lock.
//
// # Answering like AWS
//
// By default orgsim answers like AWS on a first run, where an emulator
// easily does not (AWS-NOTES.md section 13). Each behaviour is a field of
// AWSLike, on in DefaultAWSLike and off one by one for a test that needs
// it off. Every delay runs on the sim clock (Advance, Sleep), through one
// mechanism: a transition scheduled on that clock and applied, in time
// order, before the next call (awslike.go).
//
//   - Asynchrony. EnablePolicyType and DisablePolicyType finish in the
//     background: the root lists PENDING_ENABLE/PENDING_DISABLE for
//     PolicyTypeDelay, attaching or detaching meanwhile answers
//     PolicyTypeNotEnabledException, another change of the root's types
//     ConcurrentModificationException, and FullAWSAccess is attached only
//     once ENABLED (Organizations API reference, EnablePolicyType:
//     "first use ListRoots to see the status of policy types"). A new
//     analyzer is CREATING for AnalyzerCreateDelay, then ACTIVE, or FAILED
//     with the StatusReason codes of the API reference when what it needs
//     goes away meanwhile; UpdateAnalyzer of an analyzer that is not
//     ACTIVE answers ConflictException (undocumented: the stricter
//     reading). A credential report is INPROGRESS for
//     CredentialReportDelay (IAM API reference, GetCredentialReport).
//   - Propagation (PropagationDelay): a new role or service-linked role,
//     a bucket policy and a delegated administrator registration reach
//     the services that use them only later, which answer their own "not
//     usable yet" errors meanwhile: Config's PutDeliveryChannel
//     InsufficientDeliveryPolicyException "unable to assume role"
//     (awslabs/aws-securityhub-multiaccount-scripts issue 53), a customer
//     role InvalidRoleException (stricter reading); CloudTrail
//     InsufficientS3BucketPolicyException (hashicorp/terraform-provider-aws
//     issue 33569); Access Analyzer "Account X is not a delegated
//     administrator" (awslabs/landing-zone-accelerator-on-aws issue 922);
//     AssumeRole of a role just made AccessDenied
//     (hashicorp/terraform-provider-aws issue 6566). IAM's user guide says
//     IAM is eventually consistent and gives no figure; the default is a
//     few seconds, shorter than AWS at its slowest.
//   - ConcurrentModification: an Organizations write to a policy, root, OU
//     or account that another write still holds (from its arrival to its
//     response, injected latency included) answers
//     ConcurrentModificationException (Organizations common errors;
//     aws-solutions/aws-control-tower-customizations issue 175).
//   - The request context (reqctx.go): every authorization gets the keys
//     AWS sets on a signed request, present or absent as the IAM user
//     guide's "AWS global condition context keys" gives their
//     availability (principal, organization and OU path, principal tags,
//     MFA, token issue time, aws:SecureTransport true as over HTTPS
//     (SecureTransport), time, requested region, source IP, the resource's
//     account and organization), and the service-specific keys of the
//     calls served, from one table keyed by action (Service Authorization
//     Reference). A service principal (CloudTrail, Config delivering to a
//     bucket) has its own context, with aws:SourceArn, aws:SourceAccount
//     and aws:SourceOrgID. Policy variables are expanded in Resource and
//     in String and Arn condition values (Version 2012-10-17 only);
//     action names match case-insensitively.
//   - iam:PassRole (PassRole), with iam:PassedToService, for the customer
//     roles handed to Config (recorder, aggregator) and CloudTrail
//     (CloudWatch Logs) (IAM user guide, "Grant a user permissions to pass
//     a role to an AWS service").
//   - CloudTrail's inputs (CloudTrailInputs): a CloudWatch Logs group ARN
//     ending in ":*", a role that trusts CloudTrail and may write its log
//     streams, a KMS key that exists and whose policy lets CloudTrail use
//     it; an organization trail of a delegated administrator needs
//     CloudTrail's service-linked role in the management account
//     (NoManagementAccountSLRExistsException), which
//     RegisterOrganizationDelegatedAdmin and the management account's own
//     CreateTrail create and organizations:RegisterDelegatedAdministrator
//     does not (CloudTrail API reference and user guide, "Organization
//     delegated administrator"). CloudWatch Logs groups are not modelled.
//   - S3 bucket policies authorize every bucket operation, same account
//     and across accounts (IAM user guide, "Policy evaluation logic"), and
//     an explicit Deny binds the bucket owner's own principals
//     (BucketDenyBindsOwner); the owner's root user keeps the policy
//     operations (S3 API reference, PutBucketPolicy).
//   - SigV4 (MaxClockSkew, PayloadHash): signatures are verified with the
//     SDK's own signer; a request dated more than five minutes from the
//     sim clock (without the time tests skip) is refused as each protocol
//     words it (SignatureDoesNotMatch, InvalidSignatureException, S3
//     RequestTimeTooSkewed; AWS allows up to 15 minutes on STS and S3,
//     orgsim the stricter 5); S3 checks X-Amz-Content-Sha256 against the
//     body (XAmzContentSHA256Mismatch). Responses are dated, so SDKs
//     correct their clocks.
//   - Regions and partitions: a sim serves one partition (aws, aws-cn,
//     aws-us-gov: Options.Partition), its ARNs, regions and global region;
//     a credential scoped to a region outside it is refused ("Credential
//     should be scoped to a valid region"); with OptInRegions, a region
//     launched after March 20, 2019 is disabled until enabled for the
//     account (Account Management reference, "Enable or disable AWS
//     Regions"): calls there answer as an unknown token, and a regional
//     STS AssumeRole RegionDisabledException.
//   - Centralized root access for member accounts (iam_rootaccess.go,
//     sts_root.go): IAM's organization features
//     (Enable/DisableOrganizationsRootCredentialsManagement,
//     Enable/DisableOrganizationsRootSessions, ListOrganizationsFeatures)
//     with the API reference's errors, and sts:AssumeRoot: only at a
//     regional endpoint (the global one answers InvalidAction "Unknown
//     Operation"), from the management account or IAM's delegated
//     administrator, into a member account, for at most 900 seconds,
//     scoped by one of AWS's five task policies. The session is the
//     member's root user, with aws:AssumedRoot "true" in its request
//     context and the member's SCPs applying to it; it reads and deletes
//     the root user's password, access keys, signing certificates and MFA
//     devices, which OrgSpec.RootCredentials seeds (seed_root.go).
//   - Every Organizations policy type: SCPs; resource control policies
//     (organizations_rcp.go, auth_rcp.go: RCPFullAWSAccess attached
//     everywhere once the type is enabled and never detachable, the RCP
//     grammar of iampolicy.KindRCP, 5,120 characters and 5 per target, and
//     RCPs evaluated on S3, STS and KMS requests to member accounts'
//     resources, whoever makes them, CloudTrail's and Config's delivery
//     checks as their service principals included, service-linked roles
//     and the management account's resources exempt, as the user guide's
//     "Resource control policies" page says); and the eight management
//     policy types (organizations_mgmt.go, organizations_effective.go:
//     each type's grammar from internal/mgmtpolicy, its size and
//     per-target limits, and DescribeEffectivePolicy merging the policies
//     from the root down with the inheritance operators as "Understanding
//     management policy inheritance" describes).
//   - Quotas and throttling as AWS publishes them (Limits, AWSThrottling);
//     Organizations throttles per operation. AWS's quotas page has a
//     throttling section this project could not read: the per-operation
//     rates are placeholders, marked in faults.go.
//
// Not modelled: CloudWatch Logs, CloudWatch and SNS; KMS cryptography,
// grants and rotation; Config rule evaluations (every rule
// INSUFFICIENT_DATA) and organization rules in member accounts; Access
// Analyzer findings; CloudTrail event history and Insights; SQS (a root
// session may be made with SQSUnlockQueuePolicy, and has nothing to
// unlock); signing certificates of IAM users; IAM service
// last-accessed data; aws:CalledVia, aws:ResourceTag and S3's own TLS
// and signature keys; resource control policies. An operation orgsim does
// not serve answers as AWS answers an unknown one.
//
// Where orgsim and AWS differ, AWS is right: every difference is a bug.
//
// orgsim may import internal/iampolicy, internal/mgmtpolicy (the grammar
// of management policies; their merge is orgsim's own) and the standard
// library, and of the AWS SDK only its SigV4 signer (aws/signer/v4, with
// the aws.Credentials it takes) to verify signatures; tests may import the
// whole SDK. It must not import any other package of this module: only
// internal/cli and tests import orgsim.
package orgsim
