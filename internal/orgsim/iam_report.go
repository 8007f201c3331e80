package orgsim

import (
	"sort"
	"strings"
	"time"
)

// IAM account-level operations: the password policy, the account summary
// and the credential report.

// ---------------------------------------------------------------------------
// Password policy.

func iamNoPasswordPolicy(acct string) *apiError {
	return newErr(404, "NoSuchEntity", "The Password Policy with domain name %s cannot be found.", acct)
}

func iamGetAccountPasswordPolicy(c *call) (any, *apiError) {
	pp := c.iamSt().passwordPolicy
	if pp == nil {
		return nil, iamNoPasswordPolicy(c.acct.ID)
	}
	type xPolicy struct {
		MinimumPasswordLength      int  `xml:"MinimumPasswordLength"`
		RequireSymbols             bool `xml:"RequireSymbols"`
		RequireNumbers             bool `xml:"RequireNumbers"`
		RequireUppercaseCharacters bool `xml:"RequireUppercaseCharacters"`
		RequireLowercaseCharacters bool `xml:"RequireLowercaseCharacters"`
		AllowUsersToChangePassword bool `xml:"AllowUsersToChangePassword"`
		ExpirePasswords            bool `xml:"ExpirePasswords"`
		MaxPasswordAge             int  `xml:"MaxPasswordAge,omitempty"`
		PasswordReusePrevention    int  `xml:"PasswordReusePrevention,omitempty"`
		HardExpiry                 bool `xml:"HardExpiry"`
	}
	return struct {
		PasswordPolicy xPolicy `xml:"PasswordPolicy"`
	}{xPolicy{
		MinimumPasswordLength:      pp.MinimumPasswordLength,
		RequireSymbols:             pp.RequireSymbols,
		RequireNumbers:             pp.RequireNumbers,
		RequireUppercaseCharacters: pp.RequireUppercaseCharacters,
		RequireLowercaseCharacters: pp.RequireLowercaseCharacters,
		AllowUsersToChangePassword: pp.AllowUsersToChangePassword,
		ExpirePasswords:            pp.MaxPasswordAge > 0,
		MaxPasswordAge:             pp.MaxPasswordAge,
		PasswordReusePrevention:    pp.PasswordReusePrevention,
		HardExpiry:                 pp.HardExpiry,
	}}, nil
}

// iamUpdateAccountPasswordPolicy replaces the whole policy: every member the
// request omits takes its default, as AWS does (it is not a partial update).
func iamUpdateAccountPasswordPolicy(c *call) (any, *apiError) {
	v := c.iamValidate()
	minLen, hasMin := v.intRange("MinimumPasswordLength", 6, 128)
	maxAge, _ := v.intRange("MaxPasswordAge", 1, 1095)
	reuse, _ := v.intRange("PasswordReusePrevention", 1, 24)
	if e := v.err(); e != nil {
		return nil, e
	}
	if !hasMin {
		minLen = 6
	}
	b := func(name string) bool { x, _ := queryBool(c.form, name); return x }
	c.iamSt().passwordPolicy = &passwordPolicy{
		MinimumPasswordLength:      minLen,
		RequireSymbols:             b("RequireSymbols"),
		RequireNumbers:             b("RequireNumbers"),
		RequireUppercaseCharacters: b("RequireUppercaseCharacters"),
		RequireLowercaseCharacters: b("RequireLowercaseCharacters"),
		AllowUsersToChangePassword: b("AllowUsersToChangePassword"),
		MaxPasswordAge:             maxAge,
		PasswordReusePrevention:    reuse,
		HardExpiry:                 b("HardExpiry"),
	}
	return nil, nil
}

func iamDeleteAccountPasswordPolicy(c *call) (any, *apiError) {
	st := c.iamSt()
	if st.passwordPolicy == nil {
		return nil, iamNoPasswordPolicy(c.acct.ID)
	}
	st.passwordPolicy = nil
	return nil, nil
}

// ---------------------------------------------------------------------------
// Account summary.

type iamXSummaryEntry struct {
	Key   string `xml:"key"`
	Value int    `xml:"value"`
}

// iamGetAccountSummary answers the SummaryMap AWS returns: usage computed
// from the account's state and today's default quotas.
func iamGetAccountSummary(c *call) (any, *apiError) {
	st := c.iamSt()
	b := func(x bool) int {
		if x {
			return 1
		}
		return 0
	}
	mfaDevices, mfaInUse := 0, 0
	for _, u := range st.users {
		mfaInUse += len(u.mfa)
		for _, d := range u.mfa {
			if !d.virtual {
				mfaDevices++ // hardware tokens; virtual ones are counted below
			}
		}
	}
	mfaDevices += len(c.virtualMFAs())
	if st.root.mfa {
		mfaInUse++
		if st.root.hardwareMFA {
			mfaDevices++
		}
	}
	versionsInUse := 0
	for _, p := range st.policies {
		versionsInUse += len(p.versions)
	}
	summary := map[string]int{
		"Users":                             len(st.users),
		"UsersQuota":                        iamMaxUsers,
		"Groups":                            len(st.groups),
		"GroupsQuota":                       iamMaxGroups,
		"Roles":                             len(st.roles),
		"RolesQuota":                        iamMaxRoles,
		"Policies":                          len(st.policies),
		"PoliciesQuota":                     iamMaxPolicies,
		"PolicySizeQuota":                   iamManagedPolicySize,
		"PolicyVersionsInUse":               versionsInUse,
		"PolicyVersionsInUseQuota":          10000,
		"VersionsPerPolicyQuota":            iamMaxPolicyVersions,
		"ServerCertificates":                0,
		"ServerCertificatesQuota":           20,
		"UserPolicySizeQuota":               iamUserInlineSize,
		"GroupPolicySizeQuota":              iamGroupInlineSize,
		"RolePolicySizeQuota":               iamRoleInlineSize,
		"AssumeRolePolicySizeQuota":         iamTrustPolicySize,
		"GroupsPerUserQuota":                iamMaxGroupsPerUser,
		"SigningCertificatesPerUserQuota":   2,
		"AccessKeysPerUserQuota":            iamMaxAccessKeys,
		"AttachedPoliciesPerUserQuota":      iamMaxAttached,
		"AttachedPoliciesPerGroupQuota":     iamMaxAttached,
		"AttachedPoliciesPerRoleQuota":      iamMaxAttached,
		"InstanceProfiles":                  0,
		"InstanceProfilesQuota":             1000,
		"Providers":                         0,
		"GlobalEndpointTokenVersion":        1,
		"MFADevices":                        mfaDevices,
		"MFADevicesInUse":                   mfaInUse,
		"AccountMFAEnabled":                 b(st.root.mfa),
		"AccountAccessKeysPresent":          b(len(st.root.accessKeys) > 0),
		"AccountPasswordPresent":            b(st.root.login != nil),
		"AccountSigningCertificatesPresent": b(len(st.root.certs) > 0),
	}
	keys := make([]string, 0, len(summary))
	for k := range summary {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	out := struct {
		SummaryMap []iamXSummaryEntry `xml:"SummaryMap>entry"`
	}{}
	for _, k := range keys {
		out.SummaryMap = append(out.SummaryMap, iamXSummaryEntry{k, summary[k]})
	}
	return out, nil
}

// ---------------------------------------------------------------------------
// Credential report.

// iamReportTTL: a report is served, and not regenerated, for 4 hours
// (IAM user guide, "Generate credential reports for your AWS account": "If
// the existing report is less than four hours old, IAM returns that
// report"; GetCredentialReport answers ReportExpired after that).
const iamReportTTL = 4 * time.Hour

var iamReportColumns = []string{
	"user", "arn", "user_creation_time", "password_enabled", "password_last_used", "password_last_changed",
	"password_next_rotation", "mfa_active", "access_key_1_active", "access_key_1_last_rotated",
	"access_key_1_last_used_date", "access_key_1_last_used_region", "access_key_1_last_used_service",
	"access_key_2_active", "access_key_2_last_rotated", "access_key_2_last_used_date",
	"access_key_2_last_used_region", "access_key_2_last_used_service", "cert_1_active",
	"cert_1_last_rotated", "cert_2_active", "cert_2_last_rotated",
}

// iamGenerateCredentialReport starts a report, or tells how the current
// one is doing. IAM builds a report asynchronously: the first call answers
// STARTED, calls while it is being built INPROGRESS, and calls once it is
// built COMPLETE until it is four hours old (IAM API reference,
// GenerateCredentialReport: State STARTED | INPROGRESS | COMPLETE).
// Building takes AWSLike.CredentialReportDelay of sim time; meanwhile
// GetCredentialReport answers ReportInProgress.
func iamGenerateCredentialReport(c *call) (any, *apiError) {
	st := c.iamSt()
	type result struct {
		State       string `xml:"State"`
		Description string `xml:"Description,omitempty"`
	}
	if r := st.report; r != nil && c.now.Sub(r.generated) < iamReportTTL {
		if !r.complete {
			return result{State: "INPROGRESS"}, nil
		}
		return result{State: "COMPLETE"}, nil
	}
	r := &credentialReport{generated: c.now, content: c.credentialReportCSV()}
	st.report = r
	c.sim.later(c.now, c.sim.like.CredentialReportDelay, "credential report of account "+c.acct.ID, func() { r.complete = true })
	return result{State: "STARTED", Description: "No report exists. Starting a new report generation task"}, nil
}

// iamGetCredentialReport serves the report once it is built (IAM API
// reference, GetCredentialReport errors: ReportNotPresent 410,
// ReportInProgress 404, ReportExpired 410).
func iamGetCredentialReport(c *call) (any, *apiError) {
	r := c.iamSt().report
	switch {
	case r == nil:
		return nil, newErr(410, "ReportNotPresent", "Credential report not present. To generate a credential report, use GenerateCredentialReport.")
	case !r.complete:
		return nil, newErr(404, "ReportInProgress", "Credential report generation is in progress. Try again later.")
	case c.now.Sub(r.generated) >= iamReportTTL:
		return nil, newErr(410, "ReportExpired", "Credential report has expired. To generate a new credential report, use GenerateCredentialReport.")
	}
	return struct {
		Content       string   `xml:"Content"`
		ReportFormat  string   `xml:"ReportFormat"`
		GeneratedTime *isoTime `xml:"GeneratedTime"`
	}{iamBase64(r.content), "text/csv", iso(r.generated)}, nil
}

// credentialReportCSV renders the report as AWS does: the 22 columns, the
// root user first, then the users by name; booleans as lower-case true and
// false; N/A where a credential does not exist, no_information for a
// password never used, not_supported for the root user's password fields
// (its signing certificates in cert_1 and cert_2; IAM users have none in
// orgsim);
// timestamps ISO 8601 with a +00:00 offset. Lines end with \n and the last
// has none.
func (c *call) credentialReportCSV() []byte {
	st := c.iamSt()
	ts := func(t time.Time) string {
		if t.IsZero() {
			return "N/A"
		}
		return t.UTC().Format("2006-01-02T15:04:05+00:00")
	}
	tf := func(b bool) string {
		if b {
			return "true"
		}
		return "false"
	}
	keyCols := func(keys []*accessKey) []string {
		var cols []string
		for i := 0; i < 2; i++ {
			if i >= len(keys) {
				cols = append(cols, "false", "N/A", "N/A", "N/A", "N/A")
				continue
			}
			k := keys[i]
			region, service := "N/A", "N/A"
			if !k.lastUsed.IsZero() {
				region, service = iamOrNA(k.lastUsedRegion), iamOrNA(k.lastUsedService)
			}
			cols = append(cols, tf(k.status == "Active"), ts(k.created), ts(k.lastUsed), region, service)
		}
		return cols
	}
	// Signing certificates: orgsim models them for the root user only
	// (iam_rootaccess.go); the first two, as for access keys.
	certCols := func(certs []*signingCert) []string {
		var cols []string
		for i := 0; i < 2; i++ {
			if i >= len(certs) {
				cols = append(cols, "false", "N/A")
				continue
			}
			cols = append(cols, tf(certs[i].status == "Active"), ts(certs[i].uploaded))
		}
		return cols
	}

	var b strings.Builder
	b.WriteString(strings.Join(iamReportColumns, ","))

	root := st.root
	rootUsed := "no_information"
	if !root.passwordLastUsed.IsZero() {
		rootUsed = ts(root.passwordLastUsed)
	}
	row := []string{"<root_account>", c.sim.arn("iam", "", c.acct.ID, "root"), ts(root.created),
		"not_supported", rootUsed, "not_supported", "not_supported", tf(root.mfa)}
	row = append(append(row, keyCols(root.accessKeys)...), certCols(root.certs)...)
	b.WriteString("\n" + strings.Join(row, ","))

	pp := st.passwordPolicy
	for _, u := range st.sortedUsers() {
		enabled, used, changed, next := "false", "N/A", "N/A", "N/A"
		if u.login != nil {
			enabled = "true"
			used = "no_information"
			if !u.passwordLastUsed.IsZero() {
				used = ts(u.passwordLastUsed)
			}
			ch := u.login.changed
			if ch.IsZero() {
				ch = u.login.created
			}
			changed = ts(ch)
			if pp != nil && pp.MaxPasswordAge > 0 {
				next = ts(ch.AddDate(0, 0, pp.MaxPasswordAge))
			}
		}
		row := []string{iamCSVField(u.name), u.arn, ts(u.created), enabled, used, changed, next, tf(len(u.mfa) > 0)}
		row = append(append(row, keyCols(u.accessKeys)...), certCols(nil)...)
		b.WriteString("\n" + strings.Join(row, ","))
	}
	return []byte(b.String())
}

func iamOrNA(s string) string {
	if s == "" {
		return "N/A"
	}
	return s
}

// iamCSVField quotes a field that needs it (IAM names may contain commas).
func iamCSVField(s string) string {
	if strings.ContainsAny(s, ",\"\n") {
		return `"` + strings.ReplaceAll(s, `"`, `""`) + `"`
	}
	return s
}
