package baseline

import (
	"strconv"
	"unicode/utf8"
)

// maxQuoted is how many characters of a value a diagnostic quotes: a
// diagnostic names the file, line and column, so a prefix is enough to
// find the value, and a long value (a policy, a file read by mistake) is
// never copied whole into a terminal, a CI log or a ticket. What keeps
// secrets out of diagnostics is elsewhere: extends reads only files of
// the baseline's tree (confine.go), and a file that is not a baseline is
// not quoted at all (load.go).
const maxQuoted = 40

// clip returns the first maxQuoted characters of s, followed by "…" when
// s is longer.
func clip(s string) string {
	if utf8.RuneCountInString(s) <= maxQuoted {
		return s
	}
	n := 0
	for i := range s {
		if n == maxQuoted {
			return s[:i] + "…"
		}
		n++
	}
	return s
}

// quote is strconv.Quote of clip(s): a value as a diagnostic shows it.
func quote(s string) string { return strconv.Quote(clip(s)) }

// Quote is a value as every error of orgbaseline quotes it, whatever it
// came from (a baseline, a plan file, a plugin's answer, the
// organization): cut to maxQuoted characters and quoted, control
// characters escaped.
func Quote(s string) string { return quote(s) }

// Clip is s cut to maxQuoted characters, unquoted, for an error that
// shows a value as it is (a user name, a path).
func Clip(s string) string { return clip(s) }
