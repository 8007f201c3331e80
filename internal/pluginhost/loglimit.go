package pluginhost

import (
	"sync"
	"time"

	"github.com/rs/zerolog"
)

// logLimiter is the token bucket a plugin's log lines pass through: at
// most logBurst lines at once and logLinesPerSecond after that. Dropped
// lines are counted, and report is called with the count at most once per
// logDropReportEvery (and by flush), so a flood costs the log one line a
// second. It is safe for concurrent use.
type logLimiter struct {
	report func(dropped int)

	mu      sync.Mutex
	tokens  float64
	last    time.Time
	dropped int
	timer   *time.Timer // armed while dropped > 0
}

func newLogLimiter(report func(dropped int)) *logLimiter {
	return &logLimiter{report: report, tokens: logBurst, last: time.Now()}
}

// allow takes a token for one line, or counts the line as dropped.
func (l *logLimiter) allow() bool {
	if l == nil {
		return true
	}
	l.mu.Lock()
	defer l.mu.Unlock()
	now := time.Now()
	l.tokens = min(logBurst, l.tokens+now.Sub(l.last).Seconds()*logLinesPerSecond)
	l.last = now
	if l.tokens >= 1 {
		l.tokens--
		return true
	}
	l.dropped++
	if l.timer == nil {
		l.timer = time.AfterFunc(logDropReportEvery, l.flush)
	}
	return false
}

// flush reports the lines dropped since the last report, if any.
func (l *logLimiter) flush() {
	if l == nil {
		return
	}
	l.mu.Lock()
	n := l.dropped
	l.dropped = 0
	if l.timer != nil {
		l.timer.Stop()
		l.timer = nil
	}
	l.mu.Unlock()
	if n > 0 {
		l.report(n)
	}
}

// logLinesDropped is the one line a flood costs per logDropReportEvery.
func logLinesDropped(log zerolog.Logger, n int) {
	log.Warn().Int("dropped", n).
		Msgf("%d plugin log lines dropped: over the limit of %d lines a second (burst %d)", n, logLinesPerSecond, logBurst)
}
