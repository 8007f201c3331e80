package baseline

// Compliance maps each check orgbaseline's controls report to the
// compliance references its findings carry. It is the one place this
// mapping lives (the table in PRACTICES.md, as data); first-party plugins
// declare their own references in Describe.
//
// CIS numbers are CIS AWS Foundations Benchmark v3.0.0. The other
// frameworks follow the common mapping of IAM controls: SOC 2 trust
// services criteria, ISO/IEC 27001:2013 Annex A, HIPAA 45 CFR 164.312, NIST
// CSF categories, CMMC 2.0 level 2 practices.
var Compliance = map[string][]string{
	"passwordPolicy.present":                 {"CIS-3.0:1.8", "SOC2:CC6.1", "ISO27001:A.9.4", "HIPAA:164.312(d)", "NIST-CSF:PR.AC", "CMMC:IA.L2-3.5.7"},
	"passwordPolicy.minimumPasswordLength":   {"CIS-3.0:1.8", "SOC2:CC6.1", "ISO27001:A.9.4", "HIPAA:164.312(d)", "NIST-CSF:PR.AC", "CMMC:IA.L2-3.5.7"},
	"passwordPolicy.characterClasses":        {"CIS-3.0:1.8", "SOC2:CC6.1", "ISO27001:A.9.4", "HIPAA:164.312(d)", "NIST-CSF:PR.AC", "CMMC:IA.L2-3.5.7"},
	"passwordPolicy.passwordReusePrevention": {"CIS-3.0:1.9", "SOC2:CC6.1", "ISO27001:A.9.4", "HIPAA:164.312(d)", "NIST-CSF:PR.AC", "CMMC:IA.L2-3.5.8"},
	"passwordPolicy.expiry":                  {"CIS-3.0:1.9", "SOC2:CC6.1", "ISO27001:A.9.4", "HIPAA:164.312(d)", "NIST-CSF:PR.AC", "CMMC:IA.L2-3.5.8"},
	"passwordPolicy.userSelfService":         {"SOC2:CC6.1", "ISO27001:A.9.4"},
}

// References returns the compliance references of a check (a copy).
func References(check string) []string {
	return append([]string(nil), Compliance[check]...)
}
