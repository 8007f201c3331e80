package plugins

import (
	"context"
	"time"
)

// Check is what a check plugin implements. Every method takes a context
// (cancelled when the host's timeout passes) and request/response structs,
// so fields can be added without breaking anyone. Embed UnimplementedCheck
// to stay compatible as methods are added.
type Check interface {
	// Describe says what the check is and what it needs.
	Describe(ctx context.Context, req *DescribeRequest) (*DescribeResponse, error)
	// Run checks one account and returns its findings. An error means the
	// check could not run at all in that account; findings that could not
	// be decided are ERROR findings instead.
	Run(ctx context.Context, req *RunRequest) (*RunResponse, error)
}

// DescribeRequest is empty today; it exists so fields can be added.
type DescribeRequest struct{}

// DescribeResponse describes a check.
type DescribeResponse struct {
	ID              string   // stable id, e.g. "root-account"
	Version         string   // the plugin's own version, e.g. "1.0.0"
	Title           string   // one line
	Description     string   // a paragraph
	DefaultSeverity Severity // of its findings, unless a finding says otherwise
	// Compliance references every finding may carry, e.g. "CIS-3.0:1.5",
	// "SOC2:CC6.1".
	Compliance []string
	// Actions are the IAM actions the check calls, e.g. "iam:ListUsers".
	// The host assumes the execution role with a session policy that
	// allows exactly these and nothing else.
	Actions []string
	// ConfigSchema is the JSON Schema (JSON text) of the check's config,
	// "" when it takes none.
	ConfigSchema string
}

// Account is the account a run is for.
type Account struct {
	ID     string
	Name   string
	OUPath string // "/Workloads/Prod"
	Tags   map[string]string
}

// Credentials are short-lived AWS credentials acting in the account,
// limited to the actions the check declared.
type Credentials struct {
	AccessKeyID     string
	SecretAccessKey string
	SessionToken    string
	Expires         time.Time
}

// RunRequest is one account's run.
type RunRequest struct {
	Account    Account
	HomeRegion string   // where global services (IAM) are called
	Regions    []string // the governed regions
	// Config is the check's config from baseline.yaml, as JSON ("{}" when
	// none was given).
	Config []byte
	// Endpoint is the AWS endpoint URL in force ("" for AWS itself); when
	// set, every service is reached there and S3 uses path style.
	Endpoint    string
	Credentials Credentials
	// Now is the host's clock: ages (of keys, of last use) are measured
	// against it, so a run against a simulated organization is repeatable.
	Now time.Time
}

// RunResponse holds a run's findings.
type RunResponse struct {
	Findings []Finding
}

// Status is the outcome of one finding.
type Status string

const (
	StatusPass  Status = "PASS"
	StatusFail  Status = "FAIL"
	StatusError Status = "ERROR"
	StatusSkip  Status = "SKIP"
)

// Severity ranks findings.
type Severity string

const (
	SeverityInfo     Severity = "info"
	SeverityLow      Severity = "low"
	SeverityMedium   Severity = "medium"
	SeverityHigh     Severity = "high"
	SeverityCritical Severity = "critical"
)

// Finding is one check's verdict on one resource.
type Finding struct {
	// Check is the finding's check id within the plugin, e.g.
	// "root-account.mfa"; the host prefixes nothing.
	Check       string
	Status      Status
	Severity    Severity // "" means the plugin's DefaultSeverity
	Region      string   // "" for global resources
	Resource    string   // ARN
	Title       string
	Message     string
	Remediation string
	Compliance  []string // e.g. "CIS-3.0:1.5"
	Evidence    map[string]string
}

// UnimplementedCheck answers every method with an error; embed it in a
// Check to keep compiling when methods are added to the interface.
type UnimplementedCheck struct{}

func (UnimplementedCheck) Describe(context.Context, *DescribeRequest) (*DescribeResponse, error) {
	return nil, errUnimplemented("Describe")
}

func (UnimplementedCheck) Run(context.Context, *RunRequest) (*RunResponse, error) {
	return nil, errUnimplemented("Run")
}
