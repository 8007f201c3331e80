package report

import (
	"encoding/json"
	"fmt"
	"io"
	"sort"
	"strings"

	"github.com/orgbaseline/orgbaseline/baseline"
)

// colours; empty strings when colour is off.
type palette struct{ green, yellow, red, bold, dim, reset string }

func colours(on bool) palette {
	if !on {
		return palette{}
	}
	return palette{green: "\x1b[32m", yellow: "\x1b[33m", red: "\x1b[31m", bold: "\x1b[1m", dim: "\x1b[2m", reset: "\x1b[0m"}
}

func (p palette) action(a baseline.Action) string {
	switch a {
	case baseline.ActionCreate:
		return p.green
	case baseline.ActionDelete:
		return p.red
	default:
		return p.yellow
	}
}

// PlanText writes the plan as people read it: account by account, each
// change with its before and after per field, a total per account and one
// for the run. Accounts with nothing to do are summarised in one line.
// Names, paths, messages and values are passed through Clean: they come
// from AWS and the saved plan.
func PlanText(w io.Writer, p *baseline.Plan, colour bool) error {
	c := colours(colour)
	var b strings.Builder
	var clean, skipped, failed int
	for _, ap := range p.Sections() {
		for _, w := range ap.Warnings {
			fmt.Fprintf(&b, "%sWarning%s (%s): %s\n", c.yellow, c.reset, accountLabel(ap), Clean(w))
		}
		switch {
		case ap.Skipped != "":
			skipped++
			fmt.Fprintf(&b, "%s%s skipped: %s%s\n\n", c.dim, accountLabel(ap), Clean(ap.Skipped), c.reset)
			continue
		case ap.Error != "":
			failed++
			fmt.Fprintf(&b, "%s%s%s %s\n  %serror:%s %s\n\n", c.bold, accountLabel(ap), c.reset, Clean(ap.OUPath), c.red, c.reset, CleanLines(ap.Error, "    "))
			if len(ap.Changes) == 0 {
				continue
			}
		case len(ap.Changes) == 0:
			if p.OrganizationScope == nil || ap.Account != p.OrganizationScope.Account || ap.Name != p.OrganizationScope.Name {
				clean++ // accounts only; the organization scope is not one
			}
			continue
		default:
			fmt.Fprintf(&b, "%s%s%s %s\n", c.bold, accountLabel(ap), c.reset, Clean(ap.OUPath))
		}
		for _, ch := range ap.Changes {
			where := ch.Resource
			if ch.Account != ap.Account {
				where += " in " + ch.Account
			}
			if ch.Region != "" {
				where += " (" + ch.Region + ")"
			}
			fmt.Fprintf(&b, "  %s%s %s%s %s\n", c.action(ch.Action), Clean(ch.Action.Symbol()), Clean(ch.Control), c.reset, Clean(where))
			if ch.Reason != "" {
				fmt.Fprintf(&b, "      %s# %s%s\n", c.dim, Clean(ch.Reason), c.reset)
			}
			for _, f := range ch.Fields() {
				f.Name = Clean(f.Name)
				switch ch.Action {
				case baseline.ActionCreate:
					fmt.Fprintf(&b, "      %s+ %s = %s%s\n", c.green, f.Name, value(f.After), c.reset)
				case baseline.ActionDelete:
					fmt.Fprintf(&b, "      %s- %s = %s%s\n", c.red, f.Name, value(f.Before), c.reset)
				default:
					if block(f.Before) || block(f.After) {
						fmt.Fprintf(&b, "      %s~ %s:%s\n        before: %s\n        after:  %s\n", c.yellow, f.Name, c.reset, value(f.Before), value(f.After))
						continue
					}
					fmt.Fprintf(&b, "      %s~ %s: %s -> %s%s\n", c.yellow, f.Name, value(f.Before), value(f.After), c.reset)
				}
			}
		}
		cr, up, de := baseline.CountActions(ap.Changes)
		fmt.Fprintf(&b, "  %d to create, %d to update, %d to delete\n\n", cr, up, de)
	}
	cr, up, de := p.Counts()
	withChanges := 0
	for _, ap := range p.Sections() {
		if len(ap.Changes) > 0 {
			withChanges++
		}
	}
	if cr+up+de == 0 {
		fmt.Fprintf(&b, "%sNo changes.%s The targeted accounts match the baseline.", c.bold, c.reset)
	} else {
		fmt.Fprintf(&b, "%sPlan:%s %d to create, %d to update, %d to delete, in %d account(s).", c.bold, c.reset, cr, up, de, withChanges)
	}
	fmt.Fprintf(&b, " %d account(s) already compliant, %d account(s) skipped, %d with errors.\n", clean, skipped, failed)
	_, err := io.WriteString(w, b.String())
	return err
}

// accountLabel is the account's name and id, cleaned (Clean).
func accountLabel(ap baseline.AccountPlan) string {
	if ap.Name == "" {
		return Clean(ap.Account)
	}
	return Clean(ap.Name + " (" + ap.Account + ")")
}

// block reports whether v renders on several lines.
func block(v any) bool {
	s, ok := v.(string)
	return ok && strings.Contains(s, "\n")
}

// value renders a JSON value for a plan line. A multi-line string (a
// policy document) is shown as an indented block between <<EOT and EOT,
// as Terraform shows heredocs. Control characters are escaped (Clean, or
// %q's own escapes).
func value(v any) string {
	if v == nil {
		return "(none)"
	}
	switch x := v.(type) {
	case string:
		if strings.Contains(x, "\n") {
			lines := strings.Split(strings.TrimRight(x, "\n"), "\n")
			for i, l := range lines {
				lines[i] = Clean(l)
			}
			return "<<EOT\n            " + strings.Join(lines, "\n            ") + "\n          EOT"
		}
		return fmt.Sprintf("%q", x)
	case float64:
		if x == float64(int64(x)) {
			return fmt.Sprintf("%d", int64(x))
		}
	case map[string]any:
		keys := make([]string, 0, len(x))
		for k := range x {
			keys = append(keys, k)
		}
		sort.Strings(keys)
		parts := make([]string, len(keys))
		for i, k := range keys {
			parts[i] = Clean(k) + "=" + value(x[k])
		}
		return "{" + strings.Join(parts, ", ") + "}"
	}
	b, _ := json.Marshal(v)
	return Clean(string(b))
}

// PlanJSON writes the plan as versioned JSON (formatVersion), indented.
func PlanJSON(w io.Writer, p *baseline.Plan) error {
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	return enc.Encode(p)
}

// PlanSummary writes one line per section with changes: how many of each
// action per control. It is the plan at a glance, for large organizations
// and the demo; PlanText has every field.
func PlanSummary(w io.Writer, p *baseline.Plan, colour bool) error {
	c := colours(colour)
	var b strings.Builder
	for _, ap := range p.Sections() {
		for _, wn := range ap.Warnings {
			fmt.Fprintf(&b, "%sWarning%s (%s): %s\n", c.yellow, c.reset, accountLabel(ap), Clean(wn))
		}
		if ap.Error != "" {
			fmt.Fprintf(&b, "%s%s%s: %serror:%s %s\n", c.bold, accountLabel(ap), c.reset, c.red, c.reset, CleanLines(ap.Error, "    "))
		}
		if len(ap.Changes) == 0 {
			continue
		}
		var order []string
		counts := map[string]*[3]int{}
		for _, ch := range ap.Changes {
			n := counts[ch.Control]
			if n == nil {
				n = &[3]int{}
				counts[ch.Control] = n
				order = append(order, ch.Control)
			}
			switch ch.Action {
			case baseline.ActionCreate:
				n[0]++
			case baseline.ActionUpdate:
				n[1]++
			case baseline.ActionDelete:
				n[2]++
			}
		}
		parts := make([]string, len(order))
		for i, name := range order {
			n := counts[name]
			part := Clean(name)
			for j, sym := range []string{"+", "~", "-"} {
				if n[j] > 0 {
					part += fmt.Sprintf(" %s%s%d%s", []string{c.green, c.yellow, c.red}[j], sym, n[j], c.reset)
				}
			}
			parts[i] = part
		}
		fmt.Fprintf(&b, "%s%s%s %s: %s\n", c.bold, accountLabel(ap), c.reset, Clean(ap.OUPath), strings.Join(parts, ", "))
	}
	cr, up, de := p.Counts()
	fmt.Fprintf(&b, "%sPlan:%s %d to create, %d to update, %d to delete.\n", c.bold, c.reset, cr, up, de)
	_, err := io.WriteString(w, b.String())
	return err
}
