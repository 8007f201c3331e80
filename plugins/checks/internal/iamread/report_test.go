package iamread_test

import (
	"context"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/service/iam"

	"github.com/orgbaseline/orgbaseline/internal/orgsim"
	"github.com/orgbaseline/orgbaseline/plugins/checks/internal/checktest"
	"github.com/orgbaseline/orgbaseline/plugins/checks/internal/iamread"
)

// awsDocReport is a report as AWS's documentation shows one: upper-case
// booleans, a quoted user name, N/A and no_information.
const awsDocReport = `user,arn,user_creation_time,password_enabled,password_last_used,password_last_changed,password_next_rotation,mfa_active,access_key_1_active,access_key_1_last_rotated,access_key_1_last_used_date,access_key_1_last_used_region,access_key_1_last_used_service,access_key_2_active,access_key_2_last_rotated,access_key_2_last_used_date,access_key_2_last_used_region,access_key_2_last_used_service,cert_1_active,cert_1_last_rotated,cert_2_active,cert_2_last_rotated
<root_account>,arn:aws:iam::111122223333:root,2020-01-01T00:00:00+00:00,not_supported,2026-10-30T08:00:00+00:00,not_supported,not_supported,TRUE,FALSE,N/A,N/A,N/A,N/A,FALSE,N/A,N/A,N/A,N/A,FALSE,N/A,FALSE,N/A
"ops,team",arn:aws:iam::111122223333:user/ops-team,2025-01-01T00:00:00+00:00,TRUE,no_information,2025-01-02T00:00:00+00:00,N/A,FALSE,TRUE,2025-02-01T00:00:00+00:00,N/A,N/A,N/A,FALSE,2025-03-01T00:00:00+00:00,2025-04-01T00:00:00+00:00,us-east-1,s3,FALSE,N/A,FALSE,N/A`

func TestParseCredentialReport(t *testing.T) {
	rep, err := iamread.ParseCredentialReport([]byte(awsDocReport))
	if err != nil {
		t.Fatal(err)
	}
	if rep.Root == nil || !rep.Root.IsRoot() || !rep.Root.MFAActive || rep.Root.PasswordEnabled ||
		!rep.Root.PasswordLastUsed.Equal(time.Date(2026, 10, 30, 8, 0, 0, 0, time.UTC)) || rep.Root.AccessKeys[0].Present {
		t.Fatalf("root row: %+v", rep.Root)
	}
	u, ok := rep.User("ops,team")
	if !ok || len(rep.Users) != 1 {
		t.Fatalf("users: %+v", rep.Users)
	}
	if !u.PasswordEnabled || !u.PasswordLastUsed.IsZero() || u.MFAActive || u.Fields["password_last_used"] != "no_information" {
		t.Errorf("password fields: %+v", u)
	}
	k1, k2 := u.AccessKeys[0], u.AccessKeys[1]
	if !k1.Present || !k1.Active || !k1.LastUsed.IsZero() || k1.LastUsedRegion != "" || k1.Column() != "access_key_1" {
		t.Errorf("key 1: %+v", k1)
	}
	if !k2.Present || k2.Active || k2.LastUsedService != "s3" || !k2.LastUsed.Equal(time.Date(2025, 4, 1, 0, 0, 0, 0, time.UTC)) {
		t.Errorf("key 2 (inactive, used): %+v", k2)
	}
	if got := u.ActiveKeys(); len(got) != 1 || got[0].Slot != 1 {
		t.Errorf("active keys: %+v", got)
	}
}

func TestParseCredentialReportRejectsBadInput(t *testing.T) {
	lines := strings.Split(awsDocReport, "\n")
	for _, tc := range []struct {
		name, content, want string
	}{
		{"empty", "", "empty"},
		{"missing column", strings.Replace(awsDocReport, "mfa_active,", "", 1), "missing columns mfa_active"},
		{"bad timestamp", lines[0] + "\n" + strings.Replace(lines[1], "2026-10-30T08:00:00+00:00", "yesterday", 1), `line 2 (<root_account>): password_last_used: not a timestamp: "yesterday"`},
		{"short line", lines[0] + "\nalice,arn:aws:iam::111122223333:user/alice", "line 2 has 2 fields, the header 22"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := iamread.ParseCredentialReport([]byte(tc.content))
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("got %v, want an error containing %q", err, tc.want)
			}
		})
	}
}

func TestReportBackoffIsBounded(t *testing.T) {
	var total time.Duration
	for n := 1; n <= iamread.DefaultReportAttempts; n++ {
		total += iamread.ReportBackoff(n)
	}
	if iamread.ReportBackoff(1) != 0 || iamread.ReportBackoff(2) != 0 || total > 30*time.Second {
		t.Fatalf("backoff: first %v, second %v, total %v", iamread.ReportBackoff(1), iamread.ReportBackoff(2), total)
	}
}

// TestFetchCredentialReportFromOrgsim reads the management account's report
// from an orgsim that takes 3 s of sim time to build it, as IAM builds
// reports asynchronously: Generate answers STARTED, then INPROGRESS, and
// the fetch backs off (the sim's Sleep moves its clock instead of
// waiting) until Generate answers COMPLETE, then reads the report once.
func TestFetchCredentialReportFromOrgsim(t *testing.T) {
	now := checktest.Now
	like := orgsim.DefaultAWSLike()
	like.CredentialReportDelay = 3 * time.Second
	e := checktest.NewEnvLike(t, orgsim.OrgSpec{}, like)
	sim := e.Sim
	client := iam.NewFromConfig(e.Management)
	var slept []time.Duration
	opts := iamread.ReportOptions{Sleep: func(ctx context.Context, d time.Duration) error {
		slept = append(slept, d)
		return sim.Sleep(ctx, d)
	}}

	rep, err := iamread.FetchCredentialReport(context.Background(), client, opts)
	if err != nil {
		t.Fatal(err)
	}
	if want := []time.Duration{time.Second, 2 * time.Second}; !slices.Equal(slept, want) {
		t.Errorf("slept %v, want %v", slept, want)
	}
	sn := sim.Counters()
	if g, r := sn.Calls("iam", "GenerateCredentialReport"), sn.Calls("iam", "GetCredentialReport"); g != 4 || r != 1 {
		t.Errorf("GenerateCredentialReport %d, GetCredentialReport %d calls; want 4 and 1", g, r)
	}
	if !rep.Generated.Equal(now) {
		t.Errorf("generated %v, want %v", rep.Generated, now)
	}
	// The seeded management root: MFA, no keys, password used 95 days ago.
	root := rep.Root
	if root == nil || !root.MFAActive || root.AccessKeys[0].Present || root.AccessKeys[1].Present ||
		iamread.DaysSince(now, root.PasswordLastUsed) != 95 || root.ARN != "arn:aws:iam::"+sim.ManagementAccountID()+":root" {
		t.Fatalf("root row: %+v", root)
	}
	admin, ok := rep.User("orgsim-admin")
	if !ok || !admin.AccessKeys[0].Active || admin.PasswordEnabled {
		t.Fatalf("orgsim-admin row: %+v", admin)
	}

	// A report still fresh is served again: one Generate (COMPLETE), one
	// Get, no wait.
	sim.ResetCounters()
	slept = nil
	if _, err := iamread.FetchCredentialReport(context.Background(), client, opts); err != nil {
		t.Fatal(err)
	}
	if g := sim.Counters().Calls("iam", "GenerateCredentialReport"); g != 1 || len(slept) != 0 {
		t.Errorf("GenerateCredentialReport %d calls and slept %v for a fresh report, want 1 and none", g, slept)
	}
}

// TestFetchCredentialReportNeedsTheWait: a fetch that does not back off
// (two attempts, the second at once) finds the report still being built.
func TestFetchCredentialReportNeedsTheWait(t *testing.T) {
	like := orgsim.DefaultAWSLike()
	like.CredentialReportDelay = 3 * time.Second
	e := checktest.NewEnvLike(t, orgsim.OrgSpec{}, like)
	_, err := iamread.FetchCredentialReport(context.Background(), iam.NewFromConfig(e.Management), iamread.ReportOptions{
		MaxAttempts: 2, Sleep: e.Sim.Sleep,
	})
	if err == nil || !strings.Contains(err.Error(), "not ready after 2 attempts (last: report state INPROGRESS)") {
		t.Fatalf("got %v, want the report not ready", err)
	}
}

func TestFetchCredentialReportGivesUp(t *testing.T) {
	api := stuckReport{}
	var slept time.Duration
	_, err := iamread.FetchCredentialReport(context.Background(), api, iamread.ReportOptions{
		MaxAttempts: 4,
		Sleep:       func(_ context.Context, d time.Duration) error { slept += d; return nil },
	})
	if err == nil || !strings.Contains(err.Error(), "not ready after 4 attempts") {
		t.Fatalf("got %v", err)
	}
	if want := iamread.ReportBackoff(3) + iamread.ReportBackoff(4); slept != want {
		t.Errorf("slept %v, want %v", slept, want)
	}
}

// stuckReport is a report that never completes: the one case orgsim cannot
// be made to show without moving its clock backwards.
type stuckReport struct{}

func (stuckReport) GenerateCredentialReport(context.Context, *iam.GenerateCredentialReportInput, ...func(*iam.Options)) (*iam.GenerateCredentialReportOutput, error) {
	return &iam.GenerateCredentialReportOutput{State: "INPROGRESS"}, nil
}

func (stuckReport) GetCredentialReport(context.Context, *iam.GetCredentialReportInput, ...func(*iam.Options)) (*iam.GetCredentialReportOutput, error) {
	panic("GetCredentialReport called before the report was COMPLETE")
}
