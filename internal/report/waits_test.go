package report

import (
	"strings"
	"testing"
	"time"
)

func TestWaitsNamesTheLongestAndCountsTheRest(t *testing.T) {
	var b strings.Builder
	if err := Waits(&b, nil); err != nil || b.Len() != 0 {
		t.Fatalf("no waits wrote %q, %v", b.String(), err)
	}
	ws := []Wait{
		{For: "a role to be usable", Account: "dev-1", Region: "us-east-1", Waited: 2 * time.Second},
		{For: "the SCP type to be ENABLED", Account: "organization scope", Waited: 4 * time.Second},
		{For: "a bucket policy to reach CloudTrail", Account: "organization scope", Waited: 3 * time.Second, Failed: true},
		{For: "a role to be usable", Account: "dev-2", Region: "us-east-1", Waited: time.Second},
	}
	if err := Waits(&b, ws); err != nil {
		t.Fatal(err)
	}
	want := `Waited for AWS to settle 4 time(s), 1 of them in vain; the longest:
  4s for the SCP type to be ENABLED (organization scope: settled)
  3s for a bucket policy to reach CloudTrail (organization scope: did not settle)
  2s for a role to be usable (dev-1 us-east-1: settled)
  ... and 1 more (the log has each)
`
	if b.String() != want {
		t.Fatalf("got\n%s\nwant\n%s", b.String(), want)
	}
}
