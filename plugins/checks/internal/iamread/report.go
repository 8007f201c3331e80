package iamread

import (
	"bytes"
	"context"
	"encoding/csv"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/aws/aws-sdk-go-v2/service/iam"
	"github.com/aws/aws-sdk-go-v2/service/iam/types"
)

// ReportAPI is the part of the IAM client the credential report needs.
type ReportAPI interface {
	GenerateCredentialReport(ctx context.Context, in *iam.GenerateCredentialReportInput, optFns ...func(*iam.Options)) (*iam.GenerateCredentialReportOutput, error)
	GetCredentialReport(ctx context.Context, in *iam.GetCredentialReportInput, optFns ...func(*iam.Options)) (*iam.GetCredentialReportOutput, error)
}

// ReportOptions bound the wait for a credential report.
type ReportOptions struct {
	// MaxAttempts is how many times GenerateCredentialReport is called
	// before giving up; 0 means DefaultReportAttempts.
	MaxAttempts int
	// Sleep waits between attempts; nil means a timer that honours ctx.
	Sleep func(ctx context.Context, d time.Duration) error
}

// DefaultReportAttempts with the backoff of ReportBackoff wait about 20
// seconds in all, well inside a plugin's default 60 s timeout; IAM builds
// a report for a few thousand users in a few seconds.
const DefaultReportAttempts = 8

// ReportBackoff is the wait before attempt n (1-based). The second attempt
// follows the first at once: asking again is how a caller learns the state
// of a report that was already being built.
func ReportBackoff(n int) time.Duration {
	if n <= 2 {
		return 0
	}
	d := time.Duration(1<<(n-3)) * time.Second
	return min(d, 5*time.Second)
}

// FetchCredentialReport asks IAM for the account's credential report and
// returns it parsed. IAM builds a report asynchronously and serves it for
// four hours, so the call is GenerateCredentialReport (repeated until its
// State is COMPLETE, with a bounded backoff) followed by one
// GetCredentialReport; a ReportInProgress, ReportNotPresent or
// ReportExpired answer to the latter starts the cycle again within the same
// budget of attempts.
func FetchCredentialReport(ctx context.Context, api ReportAPI, o ReportOptions) (*CredentialReport, error) {
	if o.MaxAttempts <= 0 {
		o.MaxAttempts = DefaultReportAttempts
	}
	if o.Sleep == nil {
		o.Sleep = sleep
	}
	var last error
	for n := 1; n <= o.MaxAttempts; n++ {
		if d := ReportBackoff(n); d > 0 {
			if err := o.Sleep(ctx, d); err != nil {
				return nil, fmt.Errorf("wait for the credential report: %w", err)
			}
		}
		gen, err := api.GenerateCredentialReport(ctx, &iam.GenerateCredentialReportInput{})
		if err != nil {
			return nil, callErr("iam:GenerateCredentialReport", err)
		}
		if gen.State != types.ReportStateTypeComplete {
			last = fmt.Errorf("report state %s", gen.State)
			continue
		}
		out, err := api.GetCredentialReport(ctx, &iam.GetCredentialReportInput{})
		if err != nil {
			switch ErrorCode(err) {
			case "ReportInProgress", "ReportNotPresent", "ReportExpired":
				last = err
				continue
			}
			return nil, callErr("iam:GetCredentialReport", err)
		}
		if out.ReportFormat != "" && out.ReportFormat != types.ReportFormatTypeTextCsv {
			return nil, fmt.Errorf("iam:GetCredentialReport: unexpected report format %q", out.ReportFormat)
		}
		rep, err := ParseCredentialReport(out.Content)
		if err != nil {
			return nil, err
		}
		if out.GeneratedTime != nil {
			rep.Generated = out.GeneratedTime.UTC()
		}
		return rep, nil
	}
	return nil, fmt.Errorf("iam:GetCredentialReport: the credential report was not ready after %d attempts (last: %v)", o.MaxAttempts, last)
}

func sleep(ctx context.Context, d time.Duration) error {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}

// CredentialReport is a parsed credential report.
type CredentialReport struct {
	Generated time.Time // zero when IAM did not say
	Root      *ReportRow
	Users     []ReportRow // in the report's order (by name)
}

// User returns the row of the named IAM user.
func (r *CredentialReport) User(name string) (ReportRow, bool) {
	for _, u := range r.Users {
		if u.User == name {
			return u, true
		}
	}
	return ReportRow{}, false
}

// ReportRow is one principal's line. Times are zero where the report says
// N/A, no_information or not_supported.
type ReportRow struct {
	User                string // "<root_account>" for the root user
	ARN                 string
	Created             time.Time
	PasswordEnabled     bool // false for the root user (not_supported)
	PasswordLastUsed    time.Time
	PasswordLastChanged time.Time
	MFAActive           bool
	AccessKeys          [2]AccessKey
	// Fields holds every column's raw value by column name, for evidence.
	Fields map[string]string
}

// IsRoot reports whether the row is the root user's.
func (r ReportRow) IsRoot() bool { return r.User == RootUser }

// ActiveKeys returns the row's active access keys.
func (r ReportRow) ActiveKeys() []AccessKey {
	var out []AccessKey
	for _, k := range r.AccessKeys {
		if k.Active {
			out = append(out, k)
		}
	}
	return out
}

// AccessKey is one of the two access key slots of a row.
type AccessKey struct {
	Slot            int  // 1 or 2
	Present         bool // a key exists in the slot (active or not)
	Active          bool
	LastRotated     time.Time // the key's creation or last rotation
	LastUsed        time.Time // zero: never used
	LastUsedRegion  string
	LastUsedService string
}

// Column prefix of the key's columns, e.g. "access_key_1".
func (k AccessKey) Column() string { return fmt.Sprintf("access_key_%d", k.Slot) }

// RootUser is the user column of the root user's row.
const RootUser = "<root_account>"

// reportColumns are the columns a report must have; AWS documents 22 and
// may add more, which are kept in Fields.
var reportColumns = []string{
	"user", "arn", "user_creation_time", "password_enabled", "password_last_used", "password_last_changed",
	"mfa_active",
	"access_key_1_active", "access_key_1_last_rotated", "access_key_1_last_used_date",
	"access_key_1_last_used_region", "access_key_1_last_used_service",
	"access_key_2_active", "access_key_2_last_rotated", "access_key_2_last_used_date",
	"access_key_2_last_used_region", "access_key_2_last_used_service",
}

// ParseCredentialReport parses the CSV IAM returns. Columns are found by
// their header name; booleans are accepted in either case (AWS writes
// "true", its documentation "TRUE").
func ParseCredentialReport(content []byte) (*CredentialReport, error) {
	r := csv.NewReader(bytes.NewReader(content))
	r.FieldsPerRecord = -1
	records, err := r.ReadAll()
	if err != nil {
		return nil, fmt.Errorf("parse credential report: %w", err)
	}
	if len(records) == 0 {
		return nil, errors.New("parse credential report: empty")
	}
	header := records[0]
	col := make(map[string]int, len(header))
	for i, h := range header {
		col[strings.TrimSpace(h)] = i
	}
	var missing []string
	for _, c := range reportColumns {
		if _, ok := col[c]; !ok {
			missing = append(missing, c)
		}
	}
	if len(missing) > 0 {
		return nil, fmt.Errorf("parse credential report: missing columns %s", strings.Join(missing, ", "))
	}
	rep := &CredentialReport{}
	for n, rec := range records[1:] {
		line := n + 2
		if len(rec) != len(header) {
			return nil, fmt.Errorf("parse credential report: line %d has %d fields, the header %d", line, len(rec), len(header))
		}
		fields := make(map[string]string, len(header))
		for i, h := range header {
			fields[strings.TrimSpace(h)] = rec[i]
		}
		row, err := parseRow(fields)
		if err != nil {
			return nil, fmt.Errorf("parse credential report: line %d (%s): %w", line, fields["user"], err)
		}
		if row.IsRoot() {
			rep.Root = &row
			continue
		}
		rep.Users = append(rep.Users, row)
	}
	return rep, nil
}

func parseRow(f map[string]string) (ReportRow, error) {
	var errs []error
	ts := func(c string) time.Time {
		t, err := parseTime(f[c])
		if err != nil {
			errs = append(errs, fmt.Errorf("%s: %w", c, err))
		}
		return t
	}
	row := ReportRow{
		User:                f["user"],
		ARN:                 f["arn"],
		Created:             ts("user_creation_time"),
		PasswordEnabled:     isTrue(f["password_enabled"]),
		PasswordLastUsed:    ts("password_last_used"),
		PasswordLastChanged: ts("password_last_changed"),
		MFAActive:           isTrue(f["mfa_active"]),
		Fields:              f,
	}
	for i := range row.AccessKeys {
		p := fmt.Sprintf("access_key_%d_", i+1)
		k := AccessKey{
			Slot:            i + 1,
			Active:          isTrue(f[p+"active"]),
			LastRotated:     ts(p + "last_rotated"),
			LastUsed:        ts(p + "last_used_date"),
			LastUsedRegion:  value(f[p+"last_used_region"]),
			LastUsedService: value(f[p+"last_used_service"]),
		}
		k.Present = k.Active || !k.LastRotated.IsZero()
		row.AccessKeys[i] = k
	}
	return row, errors.Join(errs...)
}

func isTrue(v string) bool { return strings.EqualFold(strings.TrimSpace(v), "true") }

// value is v, or "" for the report's placeholders.
func value(v string) string {
	switch strings.TrimSpace(v) {
	case "N/A", "no_information", "not_supported":
		return ""
	}
	return v
}

func parseTime(v string) (time.Time, error) {
	v = value(v)
	if v == "" {
		return time.Time{}, nil
	}
	t, err := time.Parse(time.RFC3339, v)
	if err != nil {
		return time.Time{}, fmt.Errorf("not a timestamp: %q", v)
	}
	return t.UTC(), nil
}
