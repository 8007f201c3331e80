package cli

import (
	"fmt"
	"io"
	"time"

	"github.com/rs/zerolog"
)

// newLogger builds the run's logger on stderr: console format on a
// terminal, JSON otherwise, unless --log-format says which. Credentials are
// never logged: nothing hands them to the logger.
func (a *app) newLogger(g *globalFlags) (zerolog.Logger, error) {
	level, err := zerolog.ParseLevel(g.logLevel)
	if err != nil || g.logLevel == "" {
		return zerolog.Nop(), fmt.Errorf("--log-level %q: use debug, info, warn or error", g.logLevel)
	}
	var w io.Writer = a.stderr
	switch g.logFormat {
	case "json":
	case "console":
		w = zerolog.ConsoleWriter{Out: a.stderr, TimeFormat: time.TimeOnly, NoColor: !a.stderrTTY}
	case "auto", "":
		if a.stderrTTY {
			w = zerolog.ConsoleWriter{Out: a.stderr, TimeFormat: time.TimeOnly}
		}
	default:
		return zerolog.Nop(), fmt.Errorf("--log-format %q: use json, console or auto", g.logFormat)
	}
	// Accounts log from many goroutines; a writer is not safe for
	// concurrent use unless made so.
	return zerolog.New(zerolog.SyncWriter(w)).Level(level).With().Timestamp().Logger(), nil
}
