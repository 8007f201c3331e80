// Package orgsim is an in-memory emulator of the AWS APIs orgbaseline uses:
// Organizations, STS, IAM, CloudTrail, Config, IAM Access Analyzer and S3.
//
// It is one http.Handler that speaks the real wire protocols (awsJson1_1,
// awsQuery, restJson1, restXml) to the real aws-sdk-go-v2 clients: it routes
// by the SigV4 signing service name, verifies every signature against the
// secret it issued, maps the access key to an account and principal,
// evaluates service control policies, identity policies and session policies
// for every call, and keeps state per account and region.
//
// Layout: one file per service (organizations.go, sts.go, iam.go,
// cloudtrail.go, config.go, accessanalyzer.go, s3.go), one per wire protocol
// (proto_json.go, proto_query.go, proto_restjson.go, proto_restxml.go), and
// separate files for identity and signing (identity.go, sigv4.go),
// authorization (auth.go), seeding (seed.go), faults (faults.go) and counters
// (counters.go).
//
// Concurrency: all state is guarded by one mutex, held only while an
// operation runs; signature checks, injected latency and response encoding
// happen outside it. Operation handlers therefore never lock.
//
// Where orgsim and AWS differ, AWS is right: every difference is a bug.
//
// orgsim may import internal/iampolicy and the standard library. It must not
// import the AWS SDK (tests may) nor any other package of this module: only
// internal/cli and tests import orgsim.
package orgsim
