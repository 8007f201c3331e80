package cli

import (
	"fmt"
	"io"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/rs/zerolog"

	"github.com/orgbaseline/orgbaseline/internal/awsapi"
	"github.com/orgbaseline/orgbaseline/internal/report"
)

// newLogger builds the run's logger on stderr: console format on a
// terminal, JSON otherwise, unless --log-format says which. Credentials are
// never logged: nothing hands them to the logger. Every line has its time
// to the millisecond (logTime); durations are whole milliseconds in fields
// whose names end in Ms (elapsedMs, etaMs, waitedMs, ...).
func (a *app) newLogger(g *globalFlags) (zerolog.Logger, error) {
	level, err := zerolog.ParseLevel(g.logLevel)
	if err != nil || g.logLevel == "" {
		return zerolog.Nop(), fmt.Errorf("--log-level %q: use debug, info, warn or error", g.logLevel)
	}
	// On a terminal the log shares stderr with the progress line.
	var out io.Writer = a.stderr
	if a.stderrTTY {
		if a.live == nil {
			a.live = &liveLine{w: a.stderr}
		}
		out = a.live
	}
	json, ok := a.jsonLogs(g.logFormat)
	if !ok {
		return zerolog.Nop(), fmt.Errorf("--log-format %q: use json, console or auto", g.logFormat)
	}
	w := out
	if !json {
		w = zerolog.ConsoleWriter{Out: out, TimeFormat: time.TimeOnly, NoColor: !a.stderrTTY, FormatMessage: cleanMessage}
	}
	// Accounts log from many goroutines; a writer is not safe for
	// concurrent use unless made so.
	log := zerolog.New(zerolog.SyncWriter(w)).Level(level).Hook(logTime{})
	a.log, a.logJSON = &log, json
	return log, nil
}

// jsonLogs says whether --log-format format writes JSON lines: json, or
// auto off a terminal; ok is false for a format that is none of these.
func (a *app) jsonLogs(format string) (json, ok bool) {
	switch format {
	case "json":
		return true, true
	case "console":
		return false, true
	case "auto", "":
		return !a.stderrTTY, true
	}
	return false, false
}

// logTimeFormat is RFC 3339 to the millisecond, with the local offset.
const logTimeFormat = "2006-01-02T15:04:05.000Z07:00"

// logTime stamps each line with the time to the millisecond. (zerolog's
// own Timestamp reads the package-wide TimeFieldFormat, which this does
// not change: other loggers in the process keep theirs.) The console
// writer reads the field back as RFC 3339, fractions included.
type logTime struct{}

func (logTime) Run(e *zerolog.Event, _ zerolog.Level, _ string) {
	e.Str(zerolog.TimestampFieldName, time.Now().Format(logTimeFormat))
}

// runLogger is the run's logger: every line it writes names the run.
func (a *app) runLogger(log zerolog.Logger, runID string) zerolog.Logger {
	log = log.With().Str("run", runID).Logger()
	a.log = &log
	return log
}

// traceAWS logs each attempt of each AWS call made with cfg (or a copy of
// it) at debug level; at any other level cfg is left as it is.
func traceAWS(cfg *aws.Config, log zerolog.Logger) {
	if log.GetLevel() > zerolog.DebugLevel {
		return
	}
	awsapi.Trace(cfg, func(c awsapi.Call) {
		ev := log.Debug().Str("service", c.Service).Str("operation", c.Operation)
		if c.Account != "" {
			ev = ev.Str("account", c.Account)
		}
		ev = ev.Str("region", c.Region).Int("attempt", c.Attempt)
		if c.Status != 0 {
			ev = ev.Int("status", c.Status)
		}
		if c.RequestID != "" {
			ev = ev.Str("requestId", c.RequestID)
		}
		if c.Error != "" {
			ev = ev.Str("errorCode", c.Error)
		}
		ev.Int64("elapsedMs", c.Elapsed.Milliseconds()).Msg("AWS call")
	})
}

// newProgress reports the run's progress on stderr: a live line on a
// terminal, a log line every --progress-interval otherwise.
func (a *app) newProgress(log zerolog.Logger, every time.Duration) *progress {
	now := a.now
	if now == nil {
		now = time.Now
	}
	p := &progress{log: log, now: now, every: every}
	if a.stderrTTY {
		p.live = a.live
	}
	return p
}

// cleanMessage is the console log's message with its control characters
// escaped: messages quote AWS's and plugins' words. (Field values with
// control characters are quoted by the console writer; JSON escapes them.)
func cleanMessage(i any) string {
	if i == nil {
		return ""
	}
	return report.Clean(fmt.Sprint(i))
}
