package cli

import (
	"fmt"
	"io"
	"sort"
	"sync"
	"time"

	"github.com/rs/zerolog"

	"github.com/orgbaseline/orgbaseline/internal/awsapi"
	"github.com/orgbaseline/orgbaseline/internal/report"
)

// liveLine is stderr on a terminal with one status line kept at its
// bottom: whatever else is written through it (the log) appears above the
// line, which is then drawn again.
type liveLine struct {
	mu   sync.Mutex
	w    io.Writer
	line string
}

const clearLine = "\r\033[K"

func (l *liveLine) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.line != "" {
		io.WriteString(l.w, clearLine)
	}
	n, err := l.w.Write(p)
	if l.line != "" {
		io.WriteString(l.w, l.line)
	}
	return n, err
}

// set replaces the status line.
func (l *liveLine) set(s string) {
	l.mu.Lock()
	defer l.mu.Unlock()
	io.WriteString(l.w, clearLine+s)
	l.line = s
}

// keep ends the status line where it is, as an ordinary line.
func (l *liveLine) keep() {
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.line != "" {
		io.WriteString(l.w, "\n")
	}
	l.line = ""
}

// progress reports how a run over the accounts advances (engine.Progress):
// on a terminal a live line on stderr, redrawn at most ten times a second;
// otherwise a structured log line at most once per period, and one when
// the phase ends. It never writes to stdout.
type progress struct {
	mu    sync.Mutex
	live  *liveLine // nil when stderr is not a terminal
	log   zerolog.Logger
	now   func() time.Time
	every time.Duration

	phase                string
	total, done, failed  int
	start, drawn, logged time.Time
	// walked is how many accounts the run targets, once the walk of the
	// organization has ended (walkedKnown): the total of the phase that
	// works on the accounts as the walk finds them.
	walked      int
	walkedKnown bool
	// waits are the waits for AWS under way, by what they wait for.
	waits map[string]int
}

// Wait hears of a wait for AWS beginning or ending (awsapi.Waiter's
// Notify): the terminal line says what the run is waiting for.
func (p *progress) Wait(ev awsapi.Wait) {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.waits == nil {
		p.waits = map[string]int{}
	}
	if ev.Done {
		if p.waits[ev.For]--; p.waits[ev.For] <= 0 {
			delete(p.waits, ev.For)
		}
	} else {
		p.waits[ev.For]++
	}
	if p.live != nil && p.total != 0 {
		p.drawn = p.now()
		p.live.set(p.line(p.drawn))
	}
}

// waiting says what the run waits for: the first (by name) of the waits
// under way, and how many more.
func (p *progress) waiting() string {
	if len(p.waits) == 0 {
		return ""
	}
	names := make([]string, 0, len(p.waits))
	n := 0
	for w, k := range p.waits {
		names = append(names, w)
		n += k
	}
	sort.Strings(names)
	s := ", waiting for AWS: " + names[0]
	if n > 1 {
		s += fmt.Sprintf(" (and %d more)", n-1)
	}
	return s
}

// liveEvery is how often the terminal line may be redrawn.
const liveEvery = 100 * time.Millisecond

func (p *progress) Start(phase string, total int) {
	p.mu.Lock()
	defer p.mu.Unlock()
	if total < 0 && p.walkedKnown {
		total = p.walked // the walk ended before the phase began
	}
	p.phase, p.total, p.done, p.failed = phase, total, 0, 0
	p.start = p.now()
	p.drawn, p.logged = p.start, p.start
	if p.live != nil && total != 0 {
		p.live.set(p.line(p.start))
	}
}

// Total sets the phase's number of accounts once the engine has been
// handed them all (Start was given -1). Walked has usually told it
// earlier: the last account is handed on only when a place among the
// --concurrency accounts frees up.
func (p *progress) Total(total int) {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.setTotal(total)
}

// Walked hears that the organization has been read and the run targets n
// accounts: a phase still counting the accounts the walk hands on (Start
// given -1), or one starting so, has n in all.
func (p *progress) Walked(n int) {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.walked, p.walkedKnown = n, true
	if p.total < 0 {
		p.setTotal(n)
	}
}

func (p *progress) setTotal(total int) {
	changed := p.total != total
	p.total = total
	if changed && p.live != nil && total != 0 {
		p.drawn = p.now()
		p.live.set(p.line(p.drawn))
	}
}

func (p *progress) Done(failed bool) {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.done++
	if failed {
		p.failed++
	}
	now := p.now()
	switch {
	case p.live != nil:
		if now.Sub(p.drawn) >= liveEvery || p.done == p.total {
			p.drawn = now
			p.live.set(p.line(now))
		}
	case now.Sub(p.logged) >= p.every && (p.total < 0 || p.done < p.total):
		p.logged = now
		p.event(now).Msg("progress")
	}
}

func (p *progress) Finish() {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.total == 0 {
		return
	}
	now := p.now()
	if p.live != nil {
		p.live.set(p.line(now))
		p.live.keep()
		return
	}
	p.event(now).Msg("accounts done")
}

// line is the terminal status: "check: 340/1000 accounts, 2 with errors,
// 12s elapsed, about 23s left"; while the organization is still being
// walked, "check: 340 accounts so far (reading the organization), ...".
// What it waits for may name resources from AWS, so the line is cleaned
// (report.Clean) before it reaches the terminal.
func (p *progress) line(now time.Time) string {
	elapsed := now.Sub(p.start)
	of := fmt.Sprintf("%d/%d accounts", p.done, p.total)
	if p.total < 0 {
		of = fmt.Sprintf("%d accounts so far (reading the organization)", p.done)
	}
	s := fmt.Sprintf("%s: %s, %d with errors, %s elapsed", p.phase, of, p.failed, elapsed.Round(time.Second))
	if left, ok := p.remaining(elapsed); ok && p.done < p.total {
		s += fmt.Sprintf(", about %s left", left.Round(time.Second))
	}
	return report.Clean(s + p.waiting())
}

// remaining estimates the time left from the pace so far.
func (p *progress) remaining(elapsed time.Duration) (time.Duration, bool) {
	if p.done == 0 || p.total < 0 {
		return 0, false
	}
	return elapsed / time.Duration(p.done) * time.Duration(p.total-p.done), true
}

// event is the progress log line: phase, done, failed, elapsedMs and,
// once the total is known (not while the walk goes on), total and
// remaining (accounts), with etaMs (the time left at the pace so far)
// while some remain.
func (p *progress) event(now time.Time) *zerolog.Event {
	elapsed := now.Sub(p.start)
	ev := p.log.Info().Str("phase", p.phase).Int("done", p.done)
	if p.total >= 0 {
		ev = ev.Int("total", p.total).Int("remaining", p.total-p.done)
	}
	ev = ev.Int("failed", p.failed).Int64("elapsedMs", elapsed.Milliseconds())
	if left, ok := p.remaining(elapsed); ok && p.done < p.total {
		ev = ev.Int64("etaMs", left.Milliseconds())
	}
	return ev
}
