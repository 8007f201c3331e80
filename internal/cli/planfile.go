package cli

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strconv"

	"github.com/orgbaseline/orgbaseline/baseline"
	"github.com/orgbaseline/orgbaseline/internal/report"
)

// readPlanFile reads a plan written by `plan -out` and checks what can be
// checked offline, before any AWS call: the format version, that every
// entry names an account id, once, and that each account's changes are
// for that account. The plan is never applied as read: apply compares it
// with the plan computed now (checkSavedPlan).
func readPlanFile(path string) (*baseline.Plan, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("read plan: %w", err)
	}
	var p baseline.Plan
	dec := json.NewDecoder(bytes.NewReader(b))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&p); err != nil {
		return nil, fmt.Errorf("%s is not a plan written by `orgbaseline plan -out`: %w", path, err)
	}
	if _, err := dec.Token(); !errors.Is(err, io.EOF) {
		return nil, fmt.Errorf("%s is not a plan written by `orgbaseline plan -out`: something follows the plan", path)
	}
	if p.FormatVersion != baseline.PlanFormatVersion {
		return nil, fmt.Errorf("%s has plan format version %s; this orgbaseline reads version %q: run `orgbaseline plan -out` again", path, baseline.Quote(p.FormatVersion), baseline.PlanFormatVersion)
	}
	if err := checkPlanAccounts(&p); err != nil {
		return nil, fmt.Errorf("%s is not a plan as `orgbaseline plan -out` writes it (edited?); nothing was applied:\n%w", path, err)
	}
	return &p, nil
}

// checkPlanAccounts reports, all at once, the entries that name no
// account id, an account twice, or changes for another account.
func checkPlanAccounts(p *baseline.Plan) error {
	var errs []error
	if s := p.OrganizationScope; s != nil && !baseline.IsAccountID(s.Account) {
		errs = append(errs, fmt.Errorf("organizationScope: account %s is not a 12-digit account id", baseline.Quote(s.Account)))
	}
	first := map[string]int{}
	for i, ap := range p.Accounts {
		where := fmt.Sprintf("accounts[%d]", i)
		if !baseline.IsAccountID(ap.Account) {
			errs = append(errs, fmt.Errorf("%s: account %s is not a 12-digit account id", where, baseline.Quote(ap.Account)))
			continue
		}
		if j, dup := first[ap.Account]; dup {
			errs = append(errs, fmt.Errorf("%s: account %s has a second entry (the first is accounts[%d])", where, ap.Account, j))
			continue
		}
		first[ap.Account] = i
		for k, c := range ap.Changes {
			if c.Account != ap.Account {
				errs = append(errs, fmt.Errorf("%s: account %s: changes[%d] is for account %s", where, ap.Account, k, baseline.Quote(c.Account)))
			}
		}
	}
	return errors.Join(errs...)
}

// planBaseline is the baseline a saved plan is applied with: the one the
// plan records (a relative path is relative to the plan file's
// directory, as plan -out writes it), so `apply plan.json` needs no -f.
// A -f that names another file is an error naming both; one that names
// the same file (by another path), or stands in for a recorded file that
// is not there, is used. Either way the baseline's digest must be the
// plan's (checkSavedPlan).
func planBaseline(planFile string, saved *baseline.Plan, flag string, flagSet bool) (string, error) {
	if saved.Baseline == "" {
		return flag, nil
	}
	recorded := saved.Baseline
	if !filepath.IsAbs(recorded) {
		recorded = filepath.Join(filepath.Dir(planFile), recorded)
	}
	ri, rerr := os.Stat(recorded)
	if !flagSet {
		if rerr != nil {
			return "", fmt.Errorf("%s was made from the baseline %s, which cannot be read (%v): give the baseline with -f", planFile, clipPath(recorded), errors.Unwrap(rerr))
		}
		return recorded, nil
	}
	fi, ferr := os.Stat(flag)
	if rerr != nil || ferr != nil || os.SameFile(ri, fi) {
		return flag, nil
	}
	return "", fmt.Errorf("%s was made from the baseline %s, but -f names %s: leave out -f to apply it with %s, or plan again with `orgbaseline plan -f %s -out %s`",
		planFile, clipPath(recorded), clipPath(flag), clipPath(recorded), report.Clean(flag), report.Clean(planFile))
}

// clipPath quotes a path as clipValue does, cut only when far longer
// than a path people give: a path cut short names nothing.
func clipPath(s string) string {
	const max = 240
	if r := []rune(s); len(r) > max {
		s = string(r[:max]) + "…"
	}
	return strconv.Quote(s)
}

// relativeBaseline is the baseline's path as a plan file records it:
// relative to the plan file's directory, so the two can move together,
// or absolute when it was given so (or cannot be made relative).
func relativeBaseline(planFile, baselinePath string) string {
	if filepath.IsAbs(baselinePath) {
		return baselinePath
	}
	dir, err := filepath.Abs(filepath.Dir(planFile))
	if err != nil {
		return baselinePath
	}
	abs, err := filepath.Abs(baselinePath)
	if err != nil {
		return baselinePath
	}
	rel, err := filepath.Rel(dir, abs)
	if err != nil {
		return abs
	}
	return rel
}
