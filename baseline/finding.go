package baseline

// Status is the outcome of one check on one resource.
type Status string

const (
	StatusPass  Status = "PASS"
	StatusFail  Status = "FAIL"
	StatusError Status = "ERROR"
	StatusSkip  Status = "SKIP"
)

// Severity ranks how much a failing finding matters.
type Severity string

const (
	SeverityInfo     Severity = "info"
	SeverityLow      Severity = "low"
	SeverityMedium   Severity = "medium"
	SeverityHigh     Severity = "high"
	SeverityCritical Severity = "critical"
)

// Rank orders severities: info 0 ... critical 4; unknown -1.
func (s Severity) Rank() int {
	switch s {
	case SeverityInfo:
		return 0
	case SeverityLow:
		return 1
	case SeverityMedium:
		return 2
	case SeverityHigh:
		return 3
	case SeverityCritical:
		return 4
	}
	return -1
}

// ParseSeverity reads a severity name.
func ParseSeverity(s string) (Severity, bool) {
	v := Severity(s)
	return v, v.Rank() >= 0
}

// Finding is the result of one check on one resource in one account.
type Finding struct {
	Check       string         `json:"check"`  // e.g. "passwordPolicy.minimumPasswordLength" or "plugin:root-account/mfa"
	Source      string         `json:"source"` // "control:passwordPolicy" or "plugin:NAME"
	Account     string         `json:"account"`
	AccountName string         `json:"accountName,omitempty"`
	Region      string         `json:"region,omitempty"`
	Resource    string         `json:"resource,omitempty"` // ARN or resource name
	Status      Status         `json:"status"`
	Severity    Severity       `json:"severity"`
	Title       string         `json:"title"`
	Message     string         `json:"message"`
	Remediation string         `json:"remediation,omitempty"`
	Compliance  []string       `json:"compliance,omitempty"` // "CIS-3.0:1.8", "SOC2:CC6.1"
	Evidence    map[string]any `json:"evidence,omitempty"`
}
