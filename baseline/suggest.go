package baseline

import (
	"fmt"
	"sort"
	"strings"
)

// Suggest returns the candidate nearest to s, for a "did you mean" in an
// error about a name the organization does not have (an account alias, an
// SCP target): compared lower-cased, by edit distance counting a swap of
// two neighbouring letters as one edit, and only within
// max(2, len(s)/4) edits (and fewer edits than s has letters). "" when
// none is that near. Ties go to the candidate first in sorted order.
func Suggest(s string, candidates []string) string {
	ls := []rune(strings.ToLower(s))
	limit := max(2, len(ls)/4)
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
