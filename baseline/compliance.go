package baseline

import "strings"

// Compliance maps each check orgbaseline's controls report to the
// compliance references its findings carry. It is the one place this
// mapping lives (the table in PRACTICES.md, as data); first-party plugins
// declare their own references in Describe.
//
// CIS numbers are CIS AWS Foundations Benchmark v3.0.0 (CIS-3.0), and
// v7.0.0 (CIS-7.0) for what only it asks. The other
// frameworks follow the common mapping of IAM controls: SOC 2 trust
// services criteria, ISO/IEC 27001:2013 Annex A, HIPAA 45 CFR 164.312, NIST
// CSF categories, CMMC 2.0 level 2 practices.
var Compliance = withPolicyTypes(map[string][]string{
	"passwordPolicy.present":                 {"CIS-3.0:1.8", "SOC2:CC6.1", "ISO27001:A.9.4", "HIPAA:164.312(d)", "NIST-CSF:PR.AC", "CMMC:IA.L2-3.5.7"},
	"passwordPolicy.minimumPasswordLength":   {"CIS-3.0:1.8", "SOC2:CC6.1", "ISO27001:A.9.4", "HIPAA:164.312(d)", "NIST-CSF:PR.AC", "CMMC:IA.L2-3.5.7"},
	"passwordPolicy.characterClasses":        {"CIS-3.0:1.8", "SOC2:CC6.1", "ISO27001:A.9.4", "HIPAA:164.312(d)", "NIST-CSF:PR.AC", "CMMC:IA.L2-3.5.7"},
	"passwordPolicy.passwordReusePrevention": {"CIS-3.0:1.9", "SOC2:CC6.1", "ISO27001:A.9.4", "HIPAA:164.312(d)", "NIST-CSF:PR.AC", "CMMC:IA.L2-3.5.8"},
	"passwordPolicy.expiry":                  {"CIS-3.0:1.9", "SOC2:CC6.1", "ISO27001:A.9.4", "HIPAA:164.312(d)", "NIST-CSF:PR.AC", "CMMC:IA.L2-3.5.8"},
	"passwordPolicy.userSelfService":         {"SOC2:CC6.1", "ISO27001:A.9.4"},
	"accessAnalyzer.enabled":                 {"CIS-3.0:1.20", "SOC2:CC6.1", "ISO27001:A.9.2", "HIPAA:164.312(a)(1)", "NIST-CSF:PR.AC", "CMMC:AC.L2-3.1.1"},
	"accessAnalyzer.unusedAccess":            {"SOC2:CC6.2", "ISO27001:A.9.2", "HIPAA:164.308(a)(4)", "NIST-CSF:PR.AC", "CMMC:AC.L2-3.1.1"},

	// controls.organizationTrail (CIS 3.1, 3.2, and the log bucket's hardening)
	"organizationTrail.allRegions":                {"CIS-3.0:3.1", "SOC2:CC7.2", "ISO27001:A.12.4", "HIPAA:164.312(b)", "NIST-CSF:DE.CM", "CMMC:AU.L2-3.3.1"},
	"organizationTrail.logFileValidation":         {"CIS-3.0:3.2", "SOC2:CC7.2", "ISO27001:A.12.4", "HIPAA:164.312(b)", "NIST-CSF:DE.CM", "CMMC:AU.L2-3.3.8"},
	"organizationTrail.bucketPolicy":              {"SOC2:CC7.2", "ISO27001:A.12.4", "HIPAA:164.312(b)", "NIST-CSF:DE.CM", "CMMC:AU.L2-3.3.1"},
	"organizationTrail.bucketPublicAccessBlocked": {"SOC2:CC7.2", "ISO27001:A.12.4", "HIPAA:164.312(b)", "NIST-CSF:DE.CM", "CMMC:AU.L2-3.3.8"},
	"organizationTrail.bucketVersioning":          {"SOC2:CC7.2", "ISO27001:A.12.4", "HIPAA:164.312(b)", "NIST-CSF:DE.CM", "CMMC:AU.L2-3.3.8"},
	"organizationTrail.bucketEncryption":          {"SOC2:CC7.2", "ISO27001:A.12.4", "HIPAA:164.312(b)", "NIST-CSF:DE.CM", "CMMC:AU.L2-3.3.8"},

	// controls.config (CIS 3.3, the central bucket, rules, aggregator)
	"config.enabled":                   {"CIS-3.0:3.3", "SOC2:CC7.2", "ISO27001:A.12.4", "HIPAA:164.312(b)", "NIST-CSF:DE.CM", "CMMC:CM.L2-3.4.1"},
	"config.centralDelivery":           {"SOC2:CC7.2", "ISO27001:A.12.4", "HIPAA:164.312(b)", "NIST-CSF:DE.CM", "CMMC:CM.L2-3.4.1"},
	"config.rule":                      {"SOC2:CC7.2", "ISO27001:A.12.4", "NIST-CSF:DE.CM", "CMMC:CM.L2-3.4.1"},
	"config.bucketPolicy":              {"SOC2:CC7.2", "ISO27001:A.12.4", "HIPAA:164.312(b)", "NIST-CSF:DE.CM", "CMMC:AU.L2-3.3.8"},
	"config.bucketPublicAccessBlocked": {"SOC2:CC7.2", "ISO27001:A.12.4", "HIPAA:164.312(b)", "NIST-CSF:DE.CM", "CMMC:AU.L2-3.3.8"},
	"config.bucketVersioning":          {"SOC2:CC7.2", "ISO27001:A.12.4", "HIPAA:164.312(b)", "NIST-CSF:DE.CM", "CMMC:AU.L2-3.3.8"},
	"config.bucketEncryption":          {"SOC2:CC7.2", "ISO27001:A.12.4", "HIPAA:164.312(b)", "NIST-CSF:DE.CM", "CMMC:AU.L2-3.3.8"},
	"config.aggregator":                {"SOC2:CC7.2", "ISO27001:A.12.4", "NIST-CSF:DE.CM", "CMMC:CM.L2-3.4.1"},

	// controls.rootAccess: the features (organization scope) and each
	// member's root user (rootCredentials). CIS 3.0 1.4, 1.5 and 1.7 are
	// the root user's items; CIS AWS Foundations 7.0 2.1.1 asks for
	// centralized root access with the members' root credentials removed.
	// The other columns follow PRACTICES.md's rows for the root user.
	"rootAccess.credentialsManagement": {"CIS-7.0:2.1.1", "SOC2:CC6.1", "ISO27001:A.9.2", "HIPAA:164.312(a)(1)", "NIST-CSF:PR.AC", "CMMC:AC.L2-3.1.1"},
	"rootAccess.rootSessions":          {"SOC2:CC6.1", "ISO27001:A.9.2", "NIST-CSF:PR.AC"},
	"rootCredentials.centralized":      {"CIS-7.0:2.1.1", "SOC2:CC6.1", "ISO27001:A.9.2", "HIPAA:164.312(a)(1)", "NIST-CSF:PR.AC", "CMMC:AC.L2-3.1.1"},
	"rootCredentials.none":             {"CIS-7.0:2.1.1", "CIS-3.0:1.7", "SOC2:CC6.1", "ISO27001:A.9.2", "HIPAA:164.312(a)(1)", "NIST-CSF:PR.AC", "CMMC:AC.L2-3.1.5"},
	"rootCredentials.accessKeys":       {"CIS-3.0:1.4", "SOC2:CC6.1", "ISO27001:A.9.2", "HIPAA:164.312(a)(1)", "NIST-CSF:PR.AC", "CMMC:AC.L2-3.1.1"},
	"rootCredentials.mfa":              {"CIS-3.0:1.5", "SOC2:CC6.2", "ISO27001:A.9.2", "HIPAA:164.312(d)", "NIST-CSF:PR.AC", "CMMC:IA.L2-3.5.3"},
})

// withPolicyTypes adds the checks of every Organizations policy type's
// control (baseline/controls/policyfindings.go): its policies' documents
// and attachments, the policies in force on each account, for SCPs and
// RCPs the guardrail beyond AWS's default on every account (CIS AWS
// Foundations 7.0 2.1.2: "Ensure that SCP and RCP guardrails are applied
// to every account"), and for the management policy types the declared
// values in each account's effective policy.
func withPolicyTypes(m map[string][]string) map[string][]string {
	access := []string{"SOC2:CC6.1", "ISO27001:A.9.1", "HIPAA:164.312(a)(1)", "NIST-CSF:PR.AC", "CMMC:AC.L2-3.1.1"}
	config := []string{"SOC2:CC8.1", "ISO27001:A.12.1", "NIST-CSF:PR.IP", "CMMC:CM.L2-3.4.2"}
	for _, pt := range PolicyTypes {
		refs := config
		if pt.Authorization {
			refs = access
			m[pt.Key+".guardrail"] = append([]string{"CIS-7.0:2.1.2"}, access...)
		} else {
			m[pt.Key+".effective"] = config
		}
		for _, check := range []string{"content", "attached", "inForce"} {
			m[pt.Key+"."+check] = refs
		}
	}
	return m
}

// References returns the compliance references of a check (a copy).
func References(check string) []string {
	return append([]string(nil), Compliance[check]...)
}

// frameworks are the compliance frameworks orgbaseline's controls and
// first-party plugins cite, as their references spell them.
var frameworks = []string{"CIS-3.0", "CIS-7.0", "CMMC", "HIPAA", "ISO27001", "NIST-CSF", "SOC2"}

// Frameworks lists the frameworks the references cite.
func Frameworks() []string { return append([]string(nil), frameworks...) }

// FrameworkNamed finds a framework by name, case-insensitively ("cis-3.0"
// is "CIS-3.0").
func FrameworkNamed(name string) (string, bool) {
	for _, fw := range frameworks {
		if strings.EqualFold(fw, name) {
			return fw, true
		}
	}
	return "", false
}
