package cli

import (
	"fmt"
	"io"
	"time"

	"github.com/rs/zerolog"

	"github.com/orgbaseline/orgbaseline/internal/report"
)

// newLogger builds the run's logger on stderr: console format on a
// terminal, JSON otherwise, unless --log-format says which. Credentials are
// never logged: nothing hands them to the logger.
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
	w := out
	switch g.logFormat {
	case "json":
	case "console":
		w = zerolog.ConsoleWriter{Out: out, TimeFormat: time.TimeOnly, NoColor: !a.stderrTTY, FormatMessage: cleanMessage}
	case "auto", "":
		if a.stderrTTY {
			w = zerolog.ConsoleWriter{Out: out, TimeFormat: time.TimeOnly, FormatMessage: cleanMessage}
		}
	default:
		return zerolog.Nop(), fmt.Errorf("--log-format %q: use json, console or auto", g.logFormat)
	}
	// Accounts log from many goroutines; a writer is not safe for
	// concurrent use unless made so.
	return zerolog.New(zerolog.SyncWriter(w)).Level(level).With().Timestamp().Logger(), nil
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
