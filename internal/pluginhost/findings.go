package pluginhost

import (
	"encoding/json"
	"errors"
	"fmt"
	"maps"
	"slices"
	"strings"

	"github.com/orgbaseline/orgbaseline/baseline"
	"github.com/orgbaseline/orgbaseline/internal/report"
	"github.com/orgbaseline/orgbaseline/plugins"
)

// validateDescription checks what the host relies on in a plugin's
// description; all problems are reported at once.
func validateDescription(d *plugins.DescribeResponse) error {
	if d == nil {
		return errors.New("Describe returned no description")
	}
	var problems []string
	bad := func(format string, args ...any) { problems = append(problems, fmt.Sprintf(format, args...)) }
	switch {
	case d.ID == "":
		bad("no id")
	case strings.ContainsFunc(d.ID, func(r rune) bool { return r <= ' ' }) || len(d.ID) > 128:
		bad("id %q: use at most 128 characters without spaces", d.ID)
	}
	if d.Version == "" {
		bad("no version")
	}
	if d.Title == "" {
		bad("no title")
	}
	if !plugins.ValidSeverity(d.DefaultSeverity) {
		bad("default severity %q: want info, low, medium, high or critical", d.DefaultSeverity)
	}
	for _, a := range d.Actions {
		if msg := checkAction(a); msg != "" {
			bad("%s", msg)
		}
	}
	for _, c := range d.Compliance {
		if strings.TrimSpace(c) == "" {
			bad("an empty compliance reference")
		}
	}
	if d.ConfigSchema != "" && !json.Valid([]byte(d.ConfigSchema)) {
		bad("its config schema is not valid JSON")
	}
	// The description is printed as is by `plugins list` and `plugins
	// describe`, so it must not carry anything a terminal acts on.
	lines := strings.NewReplacer("\n", "", "\t", "")
	for _, f := range [][2]string{
		{"id", d.ID}, {"version", d.Version}, {"title", d.Title},
		{"compliance", strings.Join(d.Compliance, "")}, {"actions", strings.Join(d.Actions, "")},
		{"description", lines.Replace(d.Description)}, {"config schema", lines.Replace(d.ConfigSchema)},
	} {
		if report.Clean(f[1]) != f[1] {
			bad("its %s has control characters or invalid UTF-8", f[0])
		}
	}
	if len(problems) > 0 {
		return fmt.Errorf("invalid description: %s", strings.Join(problems, "; "))
	}
	return nil
}

// validateResponse checks a plugin's answer before any of it is used: an
// answer with one bad finding is rejected whole, since a plugin that
// breaks the contract cannot be trusted with the rest of it.
func validateResponse(resp *plugins.RunResponse) error {
	if resp == nil {
		return errors.New("no response")
	}
	for i := range resp.Findings {
		f := &resp.Findings[i]
		switch {
		case f.Check == "":
			return fmt.Errorf("finding %d has no check id", i)
		case !plugins.ValidStatus(f.Status):
			return fmt.Errorf("finding %d (%s) has status %q; want PASS, FAIL, ERROR or SKIP", i, f.Check, f.Status)
		case f.Severity != "" && !plugins.ValidSeverity(f.Severity):
			return fmt.Errorf("finding %d (%s) has severity %q; want info, low, medium, high or critical, or none", i, f.Check, f.Severity)
		}
	}
	return nil
}

// convert turns a plugin's findings into baseline findings for acct,
// within the limits and with the issued credentials redacted.
func (i *instance) convert(acct plugins.Account, fs []plugins.Finding) []baseline.Finding {
	fs, dropped := keepFindings(fs)
	out := make([]baseline.Finding, 0, len(fs)+1)
	for _, f := range fs {
		sev := f.Severity
		if sev == "" {
			sev = i.desc.DefaultSeverity
		}
		title := f.Title
		if title == "" {
			title = i.desc.Title
		}
		comp := f.Compliance
		if len(comp) == 0 {
			comp = i.desc.Compliance
		}
		var ev map[string]any
		if len(f.Evidence) > 0 {
			ev = make(map[string]any, len(f.Evidence))
			for k, v := range f.Evidence {
				ev[k] = v
			}
		}
		out = append(out, baseline.Finding{
			Check:       f.Check,
			Source:      i.source(),
			Account:     acct.ID,
			AccountName: acct.Name,
			Region:      f.Region,
			Resource:    f.Resource,
			Status:      baseline.Status(f.Status),
			Severity:    i.severity(baseline.Severity(sev)),
			Title:       title,
			Message:     f.Message,
			Remediation: f.Remediation,
			Compliance:  slices.Clone(comp),
			Evidence:    ev,
		})
		i.sanitize(&out[len(out)-1])
	}
	if dropped > 0 {
		i.log.Warn().Str("account", acct.ID).Int("dropped", dropped).Msgf("plugin returned more than %d findings; the rest were dropped", maxFindings)
		out = append(out, i.findingsDropped(acct, dropped))
	}
	return out
}

// failure is the ERROR finding for a call of plugin i in acct that did
// not yield an answer.
func (i *instance) failure(acct plugins.Account, message, remediation string, evidence map[string]any) baseline.Finding {
	sev := baseline.SeverityHigh
	var comp []string
	title := "Plugin " + i.spec.Name + " could not check the account"
	if i.desc != nil {
		sev = baseline.Severity(i.desc.DefaultSeverity)
		comp = slices.Clone(i.desc.Compliance)
		if i.desc.Title != "" {
			title = i.desc.Title + ": the plugin could not check the account"
		}
	}
	ev := map[string]any{"plugin": i.spec.Name, "path": i.spec.Path}
	maps.Copy(ev, evidence)
	f := baseline.Finding{
		Check:       i.spec.Name + ".run",
		Source:      i.source(),
		Account:     acct.ID,
		AccountName: acct.Name,
		Status:      baseline.StatusError,
		Severity:    i.severity(sev),
		Title:       title,
		Message:     message,
		Remediation: remediation,
		Compliance:  comp,
		Evidence:    ev,
	}
	// The message may quote the plugin's error or panic.
	i.sanitize(&f)
	return f
}

func (i *instance) source() string { return "plugin:" + i.spec.Name }

// severity applies the baseline's override.
func (i *instance) severity(s baseline.Severity) baseline.Severity {
	if i.spec.Severity != "" {
		return baseline.Severity(i.spec.Severity)
	}
	return s
}
