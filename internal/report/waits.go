package report

import (
	"fmt"
	"io"
	"sort"
	"time"
)

// Wait is one wait of a run for AWS to settle (a policy type being
// enabled, an analyzer being created, a role or bucket policy a run just
// made becoming usable), as the run kept it.
type Wait struct {
	For     string // what was waited for, a phrase after "waiting for"
	Account string // where: account id, or a label
	Region  string
	Waited  time.Duration
	Failed  bool // the wait ended without AWS settling (the error is reported with the account)
}

// Waits writes what a run waited for AWS for, in one paragraph: how many
// waits, how long they took together at most, and the longest ones. It
// writes nothing when there were none.
func Waits(w io.Writer, ws []Wait) error {
	if len(ws) == 0 {
		return nil
	}
	sorted := append([]Wait(nil), ws...)
	sort.SliceStable(sorted, func(i, j int) bool {
		if sorted[i].Waited != sorted[j].Waited {
			return sorted[i].Waited > sorted[j].Waited
		}
		return sorted[i].For < sorted[j].For
	})
	failed := 0
	for _, x := range ws {
		if x.Failed {
			failed++
		}
	}
	head := fmt.Sprintf("Waited for AWS to settle %d time(s)", len(ws))
	if failed > 0 {
		head += fmt.Sprintf(", %d of them in vain", failed)
	}
	if _, err := fmt.Fprintf(w, "%s; the longest:\n", head); err != nil {
		return err
	}
	const shown = 3
	for i, x := range sorted {
		if i == shown {
			if _, err := fmt.Fprintf(w, "  ... and %d more (the log has each)\n", len(sorted)-shown); err != nil {
				return err
			}
			break
		}
		where := x.Account
		if x.Region != "" {
			where += " " + x.Region
		}
		state := "settled"
		if x.Failed {
			state = "did not settle"
		}
		if _, err := fmt.Fprintf(w, "  %s for %s (%s: %s)\n", x.Waited.Round(100*time.Millisecond), x.For, where, state); err != nil {
			return err
		}
	}
	return nil
}
