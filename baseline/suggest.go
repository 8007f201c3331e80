package baseline

import (
	"fmt"
	"sort"
	"strings"
)

// closestMatch returns the candidate nearest to s, for a "did you mean":
// compared lower-cased, by edit distance counting a swap of two
// neighbouring letters as one edit, and only within max(2, len(s)/3)
// edits (and fewer edits than s has letters); s itself is no typo of
// itself. "" when none is that near. Ties go to the candidate first in
// sorted order.
func closestMatch(s string, candidates []string) string {
	ls := []rune(strings.ToLower(s))
	limit := max(2, len(ls)/3)
	sorted := append([]string(nil), candidates...)
	sort.Strings(sorted)
	best, bestDist := "", limit+1
	for _, c := range sorted {
		if c == s {
			continue
		}
		if d := damerau(ls, []rune(strings.ToLower(c))); d < bestDist && d < len(ls) {
			best, bestDist = c, d
		}
	}
	return best
}

// Suggest is the one "did you mean" of every error about a name that is
// not there (an account alias or SCP target the organization does not
// have, a selector matching no account, a setting a plugin's schema does
// not declare): closestMatch, or else the one candidate that s begins or
// is the beginning of ("maxAge" for "maxAgeDays"); "" when neither.
func Suggest(s string, candidates []string) string {
	if m := closestMatch(s, candidates); m != "" {
		return m
	}
	ls, found := strings.ToLower(s), ""
	for _, c := range candidates {
		lc := strings.ToLower(c)
		if len(s) < 3 || lc == "" || c == s || !(strings.HasPrefix(lc, ls) || strings.HasPrefix(ls, lc)) {
			continue
		}
		if found != "" {
			return "" // more than one: no single guess
		}
		found = c
	}
	return found
}

// DidYouMean is " (did you mean %q?)" for Suggest's answer, "" without one.
func DidYouMean(s string, candidates []string) string {
	if m := Suggest(s, candidates); m != "" {
		return fmt.Sprintf(" (did you mean %q?)", m)
	}
	return ""
}

// damerau is the optimal string alignment distance: insertions,
// deletions, substitutions and transpositions of neighbours.
func damerau(a, b []rune) int {
	// Names are short; a name of thousands of letters is not one.
	if len(a) > 256 || len(b) > 256 {
		return max(len(a), len(b))
	}
	d := make([][]int, len(a)+1)
	for i := range d {
		d[i] = make([]int, len(b)+1)
		d[i][0] = i
	}
	for j := range d[0] {
		d[0][j] = j
	}
	for i := 1; i <= len(a); i++ {
		for j := 1; j <= len(b); j++ {
			cost := 1
			if a[i-1] == b[j-1] {
				cost = 0
			}
			d[i][j] = min(d[i-1][j]+1, d[i][j-1]+1, d[i-1][j-1]+cost)
			if i > 1 && j > 1 && a[i-1] == b[j-2] && a[i-2] == b[j-1] {
				d[i][j] = min(d[i][j], d[i-2][j-2]+1)
			}
		}
	}
	return d[len(a)][len(b)]
}
