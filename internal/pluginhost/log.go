package pluginhost

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"log"
	"strings"
	"sync"

	"github.com/hashicorp/go-hclog"
	"github.com/rs/zerolog"

	"github.com/orgbaseline/orgbaseline/internal/report"
)

// Plugin logs reach zerolog through go-plugin: it reads the plugin's
// stderr and hands each line to the client's hclog.Logger, which is
// zlogger below. JSON lines (hclog's JSON format, as sdk.Logger writes)
// keep their level and fields; other lines take the level of a leading
// [TRACE]..[ERROR] tag, else debug (error from a panic on). Writes to
// os.Stdout/os.Stderr after Serve travel over go-plugin's stdio stream
// and are logged at debug level with a stream field. go-plugin's own
// messages about the process are capped at debug level, except warnings
// and errors.
//
// Every line carries plugin=<name>, and the host decides its account. A
// line that names its account (an "account" field, e.g. from
// logger.With("account", req.Account.ID)) keeps it if the process was
// asked to check that account; a plugin cannot attribute a line to any
// other account (the claim is dropped). Otherwise, when exactly one
// account's call is in flight in that plugin process, the line is
// attributed to that account. Lines travel on their own pipe, not with
// the call's answer, so a line written at the very end of one call may
// arrive after the call has ended (or be attributed to the next call): a
// plugin that wants exact attribution logs the account itself. With
// several calls in flight and no valid account field, a line has no
// account.
//
// A plugin's lines are limited (limits.go, loglimit.go): a token bucket
// per plugin with a warning per second counting the lines dropped, and at
// most maxLogLineBytes per line. The credentials issued to the plugin are
// redacted from every line, and control characters escaped (report.Clean),
// since the log may be a terminal. Nested field values are written as
// JSON text.

// inflight is the accounts a plugin process is working on, for log
// attribution. It has its own lock: go-plugin logs from inside Start,
// which runs under the plugin's lock.
type inflight struct {
	mu    sync.Mutex
	calls map[string]int
	seen  map[string]bool // every account the process was asked to check
}

func (f *inflight) add(account string, d int) {
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.calls == nil {
		f.calls, f.seen = map[string]int{}, map[string]bool{}
	}
	f.seen[account] = true
	f.calls[account] += d
	if f.calls[account] <= 0 {
		delete(f.calls, account)
	}
}

// has reports whether the process was ever asked to check account.
func (f *inflight) has(account string) bool {
	if f == nil {
		return false
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.seen[account]
}

// sole returns the one account in flight, "" when none or several.
func (f *inflight) sole() string {
	f.mu.Lock()
	defer f.mu.Unlock()
	if len(f.calls) != 1 {
		return ""
	}
	for a := range f.calls {
		return a
	}
	return ""
}

// zlogger is an hclog.Logger writing into zerolog.
type zlogger struct {
	z        zerolog.Logger // carries plugin=<name>
	name     string
	implied  []any
	level    hclog.Level
	accounts *inflight   // nil: no attribution
	redact   *redactor   // the plugin's issued credentials; nil: none
	limit    *logLimiter // the plugin's line budget; nil: no limit
	// fromPlugin is set on the logger go-plugin names after the binary,
	// which carries the plugin's own lines; the unnamed one carries
	// go-plugin's messages about the process, capped at debug level
	// unless they are warnings or errors.
	fromPlugin bool
}

var _ hclog.Logger = (*zlogger)(nil)

// newZLogger returns the logger of one plugin process. Every line is
// redacted and truncated; the plugin's own lines also pass limit.
func newZLogger(z zerolog.Logger, accounts *inflight, redact *redactor, limit *logLimiter) *zlogger {
	return &zlogger{z: z, level: hclogLevel(z.GetLevel()), accounts: accounts, redact: redact, limit: limit}
}

func hclogLevel(l zerolog.Level) hclog.Level {
	switch {
	case l <= zerolog.TraceLevel:
		return hclog.Trace
	case l == zerolog.DebugLevel:
		return hclog.Debug
	case l == zerolog.InfoLevel:
		return hclog.Info
	case l == zerolog.WarnLevel:
		return hclog.Warn
	case l >= zerolog.Disabled:
		return hclog.Off
	}
	return hclog.Error
}

func zerologLevel(l hclog.Level) zerolog.Level {
	switch l {
	case hclog.Trace:
		return zerolog.TraceLevel
	case hclog.Debug:
		return zerolog.DebugLevel
	case hclog.Warn:
		return zerolog.WarnLevel
	case hclog.Error:
		return zerolog.ErrorLevel
	}
	return zerolog.InfoLevel
}

// reserved are keys the host sets itself or zerolog writes; a plugin's
// field of that name gets a trailing underscore so it cannot shadow them.
// "account" is the host's too: see Log.
var reserved = map[string]bool{"plugin": true, "level": true, "message": true, "time": true, "timestamp": true, "fields_dropped": true}

// Log writes one line. A plugin's line must fit its plugin's rate limit;
// every line has the issued credentials redacted, its control characters
// escaped, and fits in
// maxLogLineBytes. The account field is the host's: a plugin's "account"
// is kept only when it names an account the process was asked to check,
// otherwise it is dropped and the line is attributed as if it had none.
func (l *zlogger) Log(level hclog.Level, msg string, args ...any) {
	if level == hclog.NoLevel {
		level = hclog.Info
	}
	if level == hclog.Off || level < l.level {
		return
	}
	if !l.fromPlugin && level < hclog.Warn && level > hclog.Debug {
		level = hclog.Debug
		if level < l.level {
			return
		}
	}
	if l.fromPlugin && !l.limit.allow() {
		return
	}
	e := l.z.WithLevel(zerologLevel(level))
	msg = truncated(report.Clean(l.redact.apply(msg)), maxLogLineBytes)
	budget := maxLogLineBytes - len(msg)
	account, dropped := "", 0
	all := append(cloneArgs(l.implied), args...)
	for i := 0; i < len(all); i += 2 {
		key, ok := all[i].(string)
		if !ok {
			key = fmt.Sprint(all[i])
		}
		var v any
		if i+1 < len(all) {
			v = all[i+1]
		} else {
			key, v = "EXTRA_VALUE_AT_END", all[i]
		}
		if key == "timestamp" {
			continue // the plugin's clock; zerolog stamps the line itself
		}
		if key == "account" {
			if a, ok := v.(string); ok && l.accounts.has(a) {
				account = a
			}
			continue
		}
		if reserved[key] {
			key += "_"
		}
		key = truncated(report.Clean(l.redact.apply(key)), maxKeyBytes)
		if budget <= len(key) {
			dropped++
			continue
		}
		budget -= len(key)
		switch v := v.(type) {
		case bool:
			e = e.Bool(key, v)
		case int, int64, float64:
			e = e.Interface(key, v)
		default:
			s := truncated(report.Clean(l.redact.apply(logText(v))), budget)
			budget -= len(s)
			e = e.Str(key, s)
		}
	}
	if dropped > 0 {
		e = e.Int("fields_dropped", dropped)
	}
	if account == "" && l.accounts != nil {
		account = l.accounts.sole()
	}
	if account != "" {
		e = e.Str("account", account)
	}
	e.Msg(msg)
}

// logText is a field value as text: nested values (from a JSON line) as
// JSON, so that redaction and the line's size cap see all of it.
func logText(v any) string {
	switch v := v.(type) {
	case string:
		return v
	case error:
		return v.Error()
	case fmt.Stringer:
		return v.String()
	case hclog.Format:
		if len(v) == 0 {
			return ""
		}
		return fmt.Sprintf(fmt.Sprint(v[0]), v[1:]...)
	case nil:
		return "null"
	}
	b, err := json.Marshal(v)
	if err != nil {
		return fmt.Sprint(v)
	}
	return string(b)
}

// cloneArgs copies implied args so appending never aliases them.
func cloneArgs(a []any) []any { return append([]any(nil), a...) }

func (l *zlogger) Trace(msg string, args ...any) { l.Log(hclog.Trace, msg, args...) }
func (l *zlogger) Debug(msg string, args ...any) { l.Log(hclog.Debug, msg, args...) }
func (l *zlogger) Info(msg string, args ...any)  { l.Log(hclog.Info, msg, args...) }
func (l *zlogger) Warn(msg string, args ...any)  { l.Log(hclog.Warn, msg, args...) }
func (l *zlogger) Error(msg string, args ...any) { l.Log(hclog.Error, msg, args...) }

func (l *zlogger) IsTrace() bool { return l.level <= hclog.Trace }
func (l *zlogger) IsDebug() bool { return l.level <= hclog.Debug }
func (l *zlogger) IsInfo() bool  { return l.level <= hclog.Info }
func (l *zlogger) IsWarn() bool  { return l.level <= hclog.Warn }
func (l *zlogger) IsError() bool { return l.level <= hclog.Error }

func (l *zlogger) ImpliedArgs() []any { return cloneArgs(l.implied) }

func (l *zlogger) With(args ...any) hclog.Logger {
	c := *l
	c.implied = append(cloneArgs(l.implied), args...)
	return &c
}

func (l *zlogger) Name() string { return l.name }

func (l *zlogger) Named(name string) hclog.Logger {
	c := *l
	if l.name != "" {
		name = l.name + "." + name
	}
	c.name = name
	// go-plugin names the logger of the plugin's stderr after the binary.
	c.fromPlugin = true
	return &c
}

func (l *zlogger) ResetNamed(name string) hclog.Logger {
	c := *l
	c.name = name
	c.fromPlugin = true
	return &c
}

// SetLevel is ignored: the level is the zerolog logger's.
func (l *zlogger) SetLevel(hclog.Level) {}

func (l *zlogger) GetLevel() hclog.Level { return l.level }

func (l *zlogger) StandardLogger(opts *hclog.StandardLoggerOptions) *log.Logger {
	return log.New(l.StandardWriter(opts), "", 0)
}

func (l *zlogger) StandardWriter(opts *hclog.StandardLoggerOptions) io.Writer {
	level := hclog.Info
	if opts != nil && opts.ForceLevel != hclog.NoLevel {
		level = opts.ForceLevel
	}
	return &lineWriter{emit: func(line string) { l.Log(level, line) }}
}

// lineWriter calls emit once per line written to it; a line longer than
// maxLine is emitted in pieces.
type lineWriter struct {
	mu   sync.Mutex
	buf  bytes.Buffer
	emit func(line string)
}

const maxLine = 64 << 10

func (w *lineWriter) Write(p []byte) (int, error) {
	w.mu.Lock()
	defer w.mu.Unlock()
	w.buf.Write(p)
	for {
		b := w.buf.Bytes()
		i := bytes.IndexByte(b, '\n')
		if i < 0 {
			if len(b) >= maxLine {
				w.emit(string(b))
				w.buf.Reset()
			}
			return len(p), nil
		}
		line := strings.TrimRight(string(b[:i]), "\r")
		w.buf.Next(i + 1)
		if line != "" {
			w.emit(line)
		}
	}
}

// Flush emits a last line left without its newline.
func (w *lineWriter) Flush() {
	w.mu.Lock()
	defer w.mu.Unlock()
	if w.buf.Len() > 0 {
		w.emit(w.buf.String())
		w.buf.Reset()
	}
}
