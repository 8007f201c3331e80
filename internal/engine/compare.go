package engine

import (
	"encoding/json"
	"fmt"
	"maps"
	"slices"
	"strconv"
	"strings"

	"github.com/orgbaseline/orgbaseline/baseline"
)

// StaleError says a saved plan is not the plan computed now, so nothing
// was applied: the organization changed since the plan was made, or the
// file was edited.
type StaleError struct {
	File        string
	Differences []string // one line each, at most maxDifferences
	More        int      // differences left out
}

func (e *StaleError) Error() string {
	more := ""
	if e.More > 0 {
		more = fmt.Sprintf("\n  ... and %d more", e.More)
	}
	return fmt.Sprintf("the plan is stale or was edited: %s is not the plan computed now from the baseline and the organization, so nothing was applied (run `orgbaseline plan -out` again and review it):\n  %s%s",
		e.File, strings.Join(e.Differences, "\n  "), more)
}

// maxDifferences is how many differences a StaleError lists.
const maxDifferences = 20

// ComparePlans compares the plan saved in file with the plan computed now,
// as whole documents: the baseline's digest, the organization, the shard,
// the organization scope and every account entry (skipped ones included),
// each with its changes in order. It returns a *StaleError listing the
// differences, or nil when apply may go ahead with fresh.
//
// Left out, on purpose, because two computations of the same plan differ
// there: CreatedAt (when it was computed), Baseline (the path the
// baseline was given by, which depends on the working directory; its
// content is BaselineDigest, compared), the text of an entry's Error (it
// holds AWS request ids; whether there is an error is compared) and the
// order of Warnings (a section's reads run in parallel) and of the
// account entries (matched by account id). Nothing else is.
func ComparePlans(file string, saved, fresh *baseline.Plan) error {
	var d differences
	if saved.FormatVersion != fresh.FormatVersion {
		d.add("format version %s in the file, %s now", brief(saved.FormatVersion), brief(fresh.FormatVersion))
	}
	if saved.BaselineDigest != fresh.BaselineDigest {
		d.add("made from another baseline (digest %s in the file, %s now)", brief(saved.BaselineDigest), brief(fresh.BaselineDigest))
	}
	if saved.Organization != fresh.Organization {
		d.add("organization %s in the file, %s now", brief(saved.Organization), brief(fresh.Organization))
	}
	if shardText(saved.Shard) != shardText(fresh.Shard) {
		d.add("shard %s in the file, %s now", shardText(saved.Shard), shardText(fresh.Shard))
	}
	switch {
	case saved.OrganizationScope == nil && fresh.OrganizationScope != nil:
		d.add("organization scope: only in the plan computed now (%d change(s))", len(fresh.OrganizationScope.Changes))
	case saved.OrganizationScope != nil && fresh.OrganizationScope == nil:
		d.add("organization scope: only in the file (%d change(s)); this run has no organization-scope control", len(saved.OrganizationScope.Changes))
	case saved.OrganizationScope != nil:
		compareSections(&d, "organization scope", *saved.OrganizationScope, *fresh.OrganizationScope)
	}
	now := map[string][]baseline.AccountPlan{}
	for _, ap := range fresh.Accounts {
		now[ap.Account] = append(now[ap.Account], ap)
	}
	inFile := map[string][]baseline.AccountPlan{}
	for _, ap := range saved.Accounts {
		inFile[ap.Account] = append(inFile[ap.Account], ap)
	}
	ids := slices.Sorted(maps.Keys(inFile))
	for _, id := range slices.Sorted(maps.Keys(now)) {
		if inFile[id] == nil {
			ids = append(ids, id)
		}
	}
	for _, id := range ids {
		f, n := inFile[id], now[id]
		switch {
		case len(f) > 1 || len(n) > 1:
			d.add("account %s: %d entries in the file, %d now", clip(id), len(f), len(n))
		case len(n) == 0:
			d.add("%s: only in the file (%s); not targeted by this run", label(f[0]), entrySummary(f[0]))
		case len(f) == 0:
			d.add("%s: only in the plan computed now (%s)", label(n[0]), entrySummary(n[0]))
		default:
			compareSections(&d, label(n[0]), f[0], n[0])
		}
	}
	if len(d.lines) == 0 {
		return nil
	}
	e := &StaleError{File: file, Differences: d.lines}
	if len(e.Differences) > maxDifferences {
		e.More = len(e.Differences) - maxDifferences
		e.Differences = e.Differences[:maxDifferences]
	}
	return e
}

type differences struct{ lines []string }

func (d *differences) add(format string, args ...any) {
	d.lines = append(d.lines, fmt.Sprintf(format, args...))
}

// compareSections compares one account entry (or the organization scope)
// of the file with the one computed now.
func compareSections(d *differences, where string, f, n baseline.AccountPlan) {
	if f.Name != n.Name {
		d.add("%s: name %s in the file, %s now", where, brief(f.Name), brief(n.Name))
	}
	if f.OUPath != n.OUPath {
		d.add("%s: OU %s in the file, %s now", where, brief(f.OUPath), brief(n.OUPath))
	}
	if f.Skipped != n.Skipped {
		d.add("%s: skipped %s in the file, %s now", where, brief(f.Skipped), brief(n.Skipped))
	}
	if (f.Error == "") != (n.Error == "") {
		d.add("%s: error %s in the file, %s now", where, brief(f.Error), brief(n.Error))
	}
	if !slices.Equal(slices.Sorted(slices.Values(f.Warnings)), slices.Sorted(slices.Values(n.Warnings))) {
		d.add("%s: %d warning(s) in the file, %d now, not the same", where, len(f.Warnings), len(n.Warnings))
	}
	compareChanges(d, where, f.Changes, n.Changes)
}

// compareChanges compares two lists of changes in order: changes are
// applied in the order planned. Changes are paired by the resource they
// change (Key), in order of appearance, to say which one was added,
// removed or edited.
func compareChanges(d *differences, where string, f, n []baseline.Change) {
	if len(f) == len(n) {
		same := true
		for i := range f {
			same = same && sameChange(f[i], n[i])
		}
		if same {
			return
		}
	}
	nowByKey := map[string][]baseline.Change{}
	for _, c := range n {
		nowByKey[c.Key()] = append(nowByKey[c.Key()], c)
	}
	paired := true
	for _, c := range f {
		k := c.Key()
		if len(nowByKey[k]) == 0 {
			d.add("%s: change %s is only in the file", where, describeChange(c))
			paired = false
			continue
		}
		m := nowByKey[k][0]
		nowByKey[k] = nowByKey[k][1:]
		if !sameChange(c, m) {
			d.add("%s: change %s differs: %s", where, describeChange(c), changeDiff(c, m))
			paired = false
		}
	}
	for _, c := range n {
		if rest := nowByKey[c.Key()]; len(rest) > 0 {
			d.add("%s: change %s is only in the plan computed now", where, describeChange(rest[0]))
			nowByKey[c.Key()] = rest[1:]
			paired = false
		}
	}
	if paired {
		d.add("%s: the same %d change(s) in another order", where, len(f))
	}
}

// sameChange is Change.Equal and the same reason: the whole change as
// written to the file.
func sameChange(a, b baseline.Change) bool {
	return a.Equal(b) && a.Reason == b.Reason
}

// describeChange names a change: "control action resource [in region]".
func describeChange(c baseline.Change) string {
	s := fmt.Sprintf("%s %s %s", c.Control, c.Action, c.Resource)
	if c.Region != "" {
		s += " in " + c.Region
	}
	return clip(s)
}

// changeDiff says what differs between two changes of the same resource:
// the action, else the first differing field of Before or After (by
// name), else the reason.
func changeDiff(f, n baseline.Change) string {
	if f.Action != n.Action {
		return fmt.Sprintf("action %s in the file, %s now", brief(f.Action), brief(n.Action))
	}
	for _, side := range []struct {
		name string
		f, n map[string]any
	}{{"before", f.Before, n.Before}, {"after", f.After, n.After}} {
		keys := map[string]bool{}
		for k := range side.f {
			keys[k] = true
		}
		for k := range side.n {
			keys[k] = true
		}
		for _, k := range slices.Sorted(maps.Keys(keys)) {
			fv, fok := side.f[k]
			nv, nok := side.n[k]
			if fok == nok && jsonText(fv) == jsonText(nv) {
				continue
			}
			return fmt.Sprintf("%s.%s is %s in the file, %s now", side.name, clip(k), presentValue(fv, fok), presentValue(nv, nok))
		}
	}
	return fmt.Sprintf("reason %s in the file, %s now", brief(f.Reason), brief(n.Reason))
}

func presentValue(v any, ok bool) string {
	if !ok {
		return "absent"
	}
	return brief(v)
}

// entrySummary says what an account entry holds, for one that is only on
// one side.
func entrySummary(ap baseline.AccountPlan) string {
	switch {
	case ap.Skipped != "":
		return fmt.Sprintf("skipped, %d change(s)", len(ap.Changes))
	case ap.Error != "":
		return fmt.Sprintf("with an error, %d change(s)", len(ap.Changes))
	}
	return fmt.Sprintf("%d change(s)", len(ap.Changes))
}

func label(ap baseline.AccountPlan) string {
	if ap.Name == "" {
		return clip(ap.Account)
	}
	return clip(ap.Name + " (" + ap.Account + ")")
}

func shardText(s *baseline.Shard) string {
	if s == nil {
		return "none"
	}
	return s.String()
}

// briefLen is the most characters of a value a difference quotes: the
// file may hold anything, and an error quotes only a short part of it.
const briefLen = 48

// brief is a value as JSON (strings quoted, control characters escaped),
// cut to briefLen characters.
func brief(v any) string {
	s := jsonText(v)
	if r := []rune(s); len(r) > briefLen {
		s = string(r[:briefLen]) + "…"
	}
	return s
}

// clipLen is the most characters of a name (an account's, a change's) a
// difference shows.
const clipLen = 100

// clip is a name as a difference shows it: control characters escaped,
// cut to clipLen characters.
func clip(s string) string {
	if r := []rune(s); len(r) > clipLen {
		s = string(r[:clipLen]) + "…"
	}
	q := strconv.Quote(s)
	return q[1 : len(q)-1]
}

func jsonText(v any) string {
	b, err := json.Marshal(v)
	if err != nil {
		return fmt.Sprintf("%T", v)
	}
	return string(b)
}
