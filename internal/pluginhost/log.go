package pluginhost

import (
	"bytes"
	"fmt"
	"io"
	"log"
	"strings"
	"sync"

	"github.com/hashicorp/go-hclog"
	"github.com/rs/zerolog"
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
// Every line carries plugin=<name>. Account attribution is best effort:
// a line that names its account (an "account" field, e.g. from
// logger.With("account", req.Account.ID)) keeps it; otherwise, when
// exactly one account's call is in flight in that plugin process, the
// line is attributed to that account. Lines travel on their own pipe, not
// with the call's answer, so a line written at the very end of one call
// may arrive after the next call has begun and be attributed to it (or to
// none): a plugin that wants exact attribution logs the account itself.
// With several calls in flight and no account field, a line has no
// account.

// inflight is the accounts a plugin process is working on, for log
// attribution. It has its own lock: go-plugin logs from inside Start,
// which runs under the plugin's lock.
type inflight struct {
	mu    sync.Mutex
	calls map[string]int
}

func (f *inflight) add(account string, d int) {
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.calls == nil {
		f.calls = map[string]int{}
	}
	f.calls[account] += d
	if f.calls[account] <= 0 {
		delete(f.calls, account)
	}
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
	accounts *inflight // nil: no attribution
	// fromPlugin is set on the logger go-plugin names after the binary,
	// which carries the plugin's own lines; the unnamed one carries
	// go-plugin's messages about the process, capped at debug level
	// unless they are warnings or errors.
	fromPlugin bool
}

var _ hclog.Logger = (*zlogger)(nil)

func newZLogger(z zerolog.Logger, accounts *inflight) *zlogger {
	return &zlogger{z: z, level: hclogLevel(z.GetLevel()), accounts: accounts}
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
var reserved = map[string]bool{"plugin": true, "level": true, "message": true, "time": true, "timestamp": true}

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
	e := l.z.WithLevel(zerologLevel(level))
	hasAccount := false
	all := append(cloneArgs(l.implied), args...)
	for i := 0; i < len(all); i += 2 {
		key, ok := all[i].(string)
		if !ok {
			key = fmt.Sprint(all[i])
		}
		if i+1 >= len(all) {
			e = e.Interface("EXTRA_VALUE_AT_END", all[i])
			break
		}
		if key == "timestamp" {
			continue // the plugin's clock; zerolog stamps the line itself
		}
		if key == "account" {
			hasAccount = true
		} else if reserved[key] {
			key += "_"
		}
		switch v := all[i+1].(type) {
		case error:
			e = e.Str(key, v.Error())
		case fmt.Stringer:
			e = e.Str(key, v.String())
		case hclog.Format:
			if len(v) > 0 {
				e = e.Str(key, fmt.Sprintf(fmt.Sprint(v[0]), v[1:]...))
			}
		default:
			e = e.Interface(key, v)
		}
	}
	if !hasAccount && l.accounts != nil {
		if a := l.accounts.sole(); a != "" {
			e = e.Str("account", a)
		}
	}
	e.Msg(msg)
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
