package pluginhost

import (
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/orgbaseline/orgbaseline/baseline"
	"github.com/orgbaseline/orgbaseline/plugins"
)

// The limits on what one plugin can make the host hold or write. A plugin
// is someone else's code: whatever it answers or logs, the host's memory
// and its reports and logs stay bounded.
const (
	// maxMessageBytes caps one gRPC message from a plugin (go-plugin
	// allows 2 GiB). A bigger answer is refused before it is read and the
	// account gets an ERROR finding that says so.
	maxMessageBytes = 16 << 20
	// maxFindings caps the findings kept per plugin per account; the rest
	// are dropped while the answer is decoded (wirelimit.go), and one
	// ERROR finding, <plugin>.limit, says how many.
	maxFindings = 1000
	// maxEvidenceEntries and maxCompliance cap a finding's evidence
	// entries and compliance references; an evidence entry limitKey says
	// how many were dropped.
	maxEvidenceEntries = 64
	maxCompliance      = 32
	// maxFieldBytes caps every text field of a finding (message,
	// remediation, resource, title, evidence values...); longer text is
	// cut at a character boundary and ends with truncatedMarker.
	maxFieldBytes = 8 << 10
	// maxKeyBytes caps evidence keys and plugin log field names.
	maxKeyBytes = 128
	// logLinesPerSecond and logBurst are the token bucket every plugin's
	// log lines pass through (all its processes together); the lines over
	// it are dropped and counted, and one warning per logDropReportEvery
	// says how many.
	logLinesPerSecond  = 50
	logBurst           = 200
	logDropReportEvery = time.Second
	// maxLogLineBytes caps one plugin log line: its message, field names
	// and values together. Fields that no longer fit are dropped and
	// counted in a fields_dropped field.
	maxLogLineBytes = 4 << 10
)

// limitKey is the evidence key the host writes when it drops a finding's
// evidence entries or compliance references; a plugin's own entry of
// that name is always dropped, so the entry is the host's word.
const limitKey = "orgbaseline.limit"

// truncated cuts s to at most limit bytes at a character boundary and
// says how much was cut. The result is a new string, so a short prefix
// never keeps a huge answer alive.
func truncated(s string, limit int) string {
	if len(s) <= limit {
		return s
	}
	cut := max(limit, 0)
	for cut > 0 && !utf8.RuneStart(s[cut]) {
		cut--
	}
	return strings.Clone(s[:cut]) + "…[truncated " + strconv.Itoa(len(s)-cut) + " bytes]"
}

// keepFindings returns the findings the host keeps of a plugin's answer
// and how many it dropped. The wire codec has already kept at most
// maxFindings and, if it dropped any, appended its count (droppedMarker);
// without the codec (an answer that did not come over the wire) the
// extra findings are dropped here.
func keepFindings(fs []plugins.Finding) ([]plugins.Finding, int) {
	if len(fs) <= maxFindings {
		return fs, 0
	}
	dropped := len(fs) - maxFindings
	if m := fs[maxFindings]; len(fs) == maxFindings+1 && m.Check == droppedMarker {
		if n, err := strconv.Atoi(m.Evidence["dropped"]); err == nil && n > 0 {
			dropped = n
		}
	}
	return fs[:maxFindings], dropped
}

// findingsDropped is the ERROR finding that says a plugin answered more
// than maxFindings findings in acct: the check is incomplete, and some of
// the dropped findings may have been failures.
func (i *instance) findingsDropped(acct plugins.Account, dropped int) baseline.Finding {
	f := i.failure(acct,
		"plugin "+i.spec.Name+" returned more than "+strconv.Itoa(maxFindings)+" findings in account "+acct.ID+
			"; the first "+strconv.Itoa(maxFindings)+" are kept and "+strconv.Itoa(dropped)+" were dropped",
		"fix the plugin so that it reports at most "+strconv.Itoa(maxFindings)+" findings per account (one finding can list many resources in its evidence)",
		map[string]any{"kept": maxFindings, "dropped": dropped})
	f.Check = i.spec.Name + ".limit"
	return f
}

// sanitize makes a finding safe to report: every issued credential
// redacted, then every text field truncated. Redaction comes first so
// that a cut can never leave part of a secret behind.
func (i *instance) sanitize(f *baseline.Finding) {
	clean := func(s string) string { return truncated(i.redact.apply(s), maxFieldBytes) }
	f.Check = clean(f.Check)
	f.Title = clean(f.Title)
	f.Region = clean(f.Region)
	f.Resource = clean(f.Resource)
	f.Message = clean(f.Message)
	f.Remediation = clean(f.Remediation)
	for k, c := range f.Compliance {
		f.Compliance[k] = clean(c)
	}
	if f.Evidence != nil {
		ev := make(map[string]any, len(f.Evidence))
		for k, v := range f.Evidence {
			ev[truncated(i.redact.apply(k), maxKeyBytes)] = i.cleanValue(v)
		}
		f.Evidence = ev
	}
}

// cleanValue redacts and truncates the text in an evidence value,
// however deeply nested.
func (i *instance) cleanValue(v any) any {
	switch v := v.(type) {
	case string:
		return truncated(i.redact.apply(v), maxFieldBytes)
	case []string:
		out := make([]string, len(v))
		for k, s := range v {
			out[k] = truncated(i.redact.apply(s), maxFieldBytes)
		}
		return out
	case []any:
		out := make([]any, len(v))
		for k, e := range v {
			out[k] = i.cleanValue(e)
		}
		return out
	case map[string]string:
		out := make(map[string]any, len(v))
		for k, e := range v {
			out[truncated(i.redact.apply(k), maxKeyBytes)] = i.cleanValue(e)
		}
		return out
	case map[string]any:
		out := make(map[string]any, len(v))
		for k, e := range v {
			out[truncated(i.redact.apply(k), maxKeyBytes)] = i.cleanValue(e)
		}
		return out
	}
	return v
}
