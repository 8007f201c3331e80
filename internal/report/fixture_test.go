package report

import (
	"time"

	"github.com/orgbaseline/orgbaseline/baseline"
)

// fixture is a small check report with every case the renderers handle:
// passing, failing, erroring and skipped findings, an organization-scope
// section, an account that could not be checked, a suspended account,
// several OUs and frameworks, and text that needs escaping.
func fixture() *Report {
	pw := func(acct, name string, st baseline.Status, msg string) baseline.Finding {
		return baseline.Finding{
			Check: "passwordPolicy.minimumPasswordLength", Source: "control:passwordPolicy",
			Account: acct, AccountName: name, Resource: "arn:aws:iam::" + acct + ":account-password-policy",
			Status: st, Severity: baseline.SeverityMedium, Title: "Password policy requires at least 14 characters",
			Message: msg, Remediation: "Run orgbaseline apply, or set MinimumPasswordLength to 14 or more.",
			Compliance: baseline.References("passwordPolicy.minimumPasswordLength"),
		}
	}
	mfa := func(acct, name string, st baseline.Status, msg string) baseline.Finding {
		return baseline.Finding{
			Check: "plugin:root-account/mfa", Source: "plugin:root-account",
			Account: acct, AccountName: name, Resource: "arn:aws:iam::" + acct + ":root",
			Status: st, Severity: baseline.SeverityCritical, Title: "The root user has MFA <enabled> & \"hardware\"",
			Message: msg, Remediation: "Enable MFA for the root user: IAM console > Security credentials.",
			Compliance: []string{"CIS-3.0:1.5", "SOC2:CC6.2", "ISO27001:A.9.2", "HIPAA:164.312(d)", "NIST-CSF:PR.AC", "CMMC:IA.L2-3.5.3"},
		}
	}
	trail := baseline.Finding{
		Check: "organizationTrail.allRegions", Source: "control:organizationTrail",
		Account: "111111111111", AccountName: "Management", Region: "us-east-1",
		Resource: "arn:aws:cloudtrail:us-east-1:111111111111:trail/org-trail",
		Status:   baseline.StatusFail, Severity: baseline.SeverityHigh, Title: "The organization trail logs every region",
		Message: "trail org-trail is missing", Remediation: "Run orgbaseline apply.",
		Compliance: baseline.References("organizationTrail.allRegions"),
	}
	analyzer := func(acct, name, region string, st baseline.Status, msg string) baseline.Finding {
		return baseline.Finding{
			Check: "accessAnalyzer.enabled", Source: "control:accessAnalyzer",
			Account: acct, AccountName: name, Region: region,
			Resource: "arn:aws:access-analyzer:" + region + ":" + acct + ":analyzer/orgbaseline",
			Status:   st, Severity: baseline.SeverityLow, Title: "IAM Access Analyzer is enabled",
			Message: msg, Compliance: baseline.References("accessAnalyzer.enabled"),
		}
	}
	r := &Report{
		FormatVersion:  ReportFormatVersion,
		CreatedAt:      time.Date(2026, 11, 23, 12, 0, 0, 0, time.UTC),
		Tool:           Tool{Name: "orgbaseline", Version: "test"},
		Organization:   "o-exampleorg1",
		BaselineDigest: "0123456789abcdef",
		Accounts: []AccountReport{
			{Account: "111111111111", OrganizationScope: true, Name: "Management (organization scope)", OUPath: "/"},
			{Account: "222222222222", Name: "Log Archive", OUPath: "/Security"},
			{Account: "333333333333", Name: "Prod A", OUPath: "/Workloads/Prod"},
			{Account: "444444444444", Name: "Dev <b>", OUPath: "/Workloads/Dev", Errors: []string{"assume role OrganizationAccountAccessRole: AccessDenied"}},
			{Account: "555555555555", Name: "Old", OUPath: "/Sandbox", Skipped: "account is SUSPENDED"},
		},
		Findings: []baseline.Finding{
			trail,
			pw("222222222222", "Log Archive", baseline.StatusPass, "minimum length is 14"),
			mfa("222222222222", "Log Archive", baseline.StatusPass, "root MFA is enabled"),
			analyzer("222222222222", "Log Archive", "us-east-1", baseline.StatusPass, "analyzer orgbaseline is ACTIVE"),
			analyzer("222222222222", "Log Archive", "eu-west-1", baseline.StatusPass, "analyzer orgbaseline is ACTIVE"),
			pw("333333333333", "Prod A", baseline.StatusFail, "minimum length is 8, want 14"),
			mfa("333333333333", "Prod A", baseline.StatusFail, "root MFA is not enabled"),
			analyzer("333333333333", "Prod A", "us-east-1", baseline.StatusPass, "analyzer orgbaseline is ACTIVE"),
			analyzer("333333333333", "Prod A", "eu-west-1", baseline.StatusFail, "no analyzer in eu-west-1"),
			pw("444444444444", "Dev <b>", baseline.StatusError, "GetAccountPasswordPolicy: AccessDenied"),
			mfa("444444444444", "Dev <b>", baseline.StatusSkip, "the credential report is not ready"),
		},
	}
	Sort(r.Findings)
	Summarise(r)
	return r
}
