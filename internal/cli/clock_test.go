package cli

import (
	"testing"
	"time"

	"github.com/orgbaseline/orgbaseline/internal/orgsim"
)

// TestRunWithAClockAWSDoesNotShare: AWS refuses requests dated more than 5
// minutes from its clock; the SDK corrects its signing time from AWS's
// answer and the run converges all the same (in tests the sim's clock
// moves ahead of the wall clock whenever the tool waits for AWS).
func TestRunWithAClockAWSDoesNotShare(t *testing.T) {
	for _, skew := range []time.Duration{10 * time.Minute, -10 * time.Minute} {
		h := newHarnessWith(t, orgsim.Options{Org: orgsim.OrgSpec{Members: 3, Clean: true}, Now: func() time.Time { return time.Now().Add(skew) }})
		f := h.write("baseline.yaml", passwordBaseline)
		h.want(h.run("apply", "-f", f, "--auto-approve"), ExitOK)
		h.want(h.run("plan", "-f", f, "--detailed-exitcode"), ExitOK)
	}
}
