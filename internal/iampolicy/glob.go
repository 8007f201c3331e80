package iampolicy

import (
	"strings"
	"unicode/utf8"
)

// globKind selects the matching strategy chosen when a pattern is compiled.
type globKind uint8

const (
	globAll        globKind = iota // "*": matches everything
	globExact                      // no wildcard
	globPrefix                     // literal followed by one trailing "*"
	globPreSuf                     // literal, one "*", literal (no "?")
	globGeneral                    // wildcards, every "*" unrestricted: linear backtracking
	globRestricted                 // ARN rule with a mid-segment "*": recursive
)

// glob is a compiled wildcard pattern with * (any run) and ? (one character).
//
// With fold, ASCII letters compare case-insensitively (the pattern is stored
// lower-cased). With arn, the AWS Resource rule applies: a "*" that ends an
// ARN segment (followed by ':' or the end of the pattern) may match across
// ':'; any other "*", and every "?", do not match ':'.
//
// pre and suf are the literal text before the first wildcard and after the
// last "*" (when that tail has no "?"); they are compared first so that most
// mismatches are rejected without running the matcher, and mid is what lies
// between them.
type glob struct {
	kind       globKind
	fold       bool
	arn        bool
	restricted bool // arn rule and some "*" is followed by a character other than ':'
	pre, suf   string
	mid        string
}

func compileGlob(pattern string, fold, arn bool) glob {
	if fold {
		pattern = lowerASCII(pattern)
	}
	pattern = collapseStars(pattern)
	g := glob{fold: fold, arn: arn}
	if arn {
		for i := 0; i < len(pattern)-1; i++ {
			if pattern[i] == '*' && pattern[i+1] != ':' {
				g.restricted = true
				break
			}
		}
	}
	first := strings.IndexAny(pattern, "*?")
	if pattern == "*" {
		g.kind = globAll
		return g
	}
	if first < 0 {
		g.kind, g.pre = globExact, pattern
		return g
	}
	g.pre = pattern[:first]
	lastStar := strings.LastIndexByte(pattern, '*')
	if lastStar >= 0 && strings.IndexByte(pattern[lastStar:], '?') < 0 {
		g.suf = pattern[lastStar+1:]
	}
	g.mid = pattern[len(g.pre) : len(pattern)-len(g.suf)]
	switch {
	case g.mid == "*" && g.suf == "":
		g.kind = globPrefix
	case g.mid == "*":
		g.kind = globPreSuf
	case g.restricted:
		g.kind = globRestricted
		g.mid = pattern[len(g.pre):] // the suffix decides whether its star is restricted
	default:
		g.kind = globGeneral
	}
	return g
}

// collapseStars replaces runs of '*' by one '*' (same meaning, faster).
func collapseStars(p string) string {
	if !strings.Contains(p, "**") {
		return p
	}
	var b strings.Builder
	for i := 0; i < len(p); i++ {
		if p[i] == '*' && i > 0 && p[i-1] == '*' {
			continue
		}
		b.WriteByte(p[i])
	}
	return b.String()
}

func (g *glob) hasPrefix(s string) bool {
	if len(s) < len(g.pre) {
		return false
	}
	if g.fold {
		return equalFoldASCII(g.pre, s[:len(g.pre)])
	}
	return s[:len(g.pre)] == g.pre
}

func (g *glob) hasSuffix(s string) bool {
	if len(s) < len(g.suf) {
		return false
	}
	if g.fold {
		return equalFoldASCII(g.suf, s[len(s)-len(g.suf):])
	}
	return s[len(s)-len(g.suf):] == g.suf
}

func (g *glob) match(s string) bool {
	switch g.kind {
	case globAll:
		return true
	case globExact:
		if g.fold {
			return equalFoldASCII(g.pre, s)
		}
		return g.pre == s
	case globPrefix:
		return g.hasPrefix(s)
	}
	if len(s) < len(g.pre)+len(g.suf) || !g.hasPrefix(s) || !g.hasSuffix(s) {
		return false
	}
	switch g.kind {
	case globPreSuf:
		// A restricted star (the suffix does not start with ':') must not span ':'.
		return !g.restricted || strings.IndexByte(s[len(g.pre):len(s)-len(g.suf)], ':') < 0
	case globGeneral:
		return matchGeneral(g.mid, s[len(g.pre):len(s)-len(g.suf)], g.fold, g.arn)
	default:
		return matchRestricted(g.mid, s[len(g.pre):])
	}
}

// matchGeneral is the classic linear wildcard matcher (backtracking only to
// the last '*'), correct when all stars are equally powerful. With noColonQ a
// '?' does not match ':'.
func matchGeneral(p, s string, fold, noColonQ bool) bool {
	pi, si := 0, 0
	star, mark := -1, 0
	for si < len(s) {
		if pi < len(p) {
			switch c := p[pi]; c {
			case '*':
				star, mark = pi, si
				pi++
				continue
			case '?':
				if !(noColonQ && s[si] == ':') {
					pi++
					si += runeLen(s, si)
					continue
				}
			default:
				b := s[si]
				if fold && 'A' <= b && b <= 'Z' {
					b += 'a' - 'A'
				}
				if c == b {
					pi++
					si++
					continue
				}
			}
		}
		if star < 0 {
			return false
		}
		pi = star + 1
		mark++
		si = mark
	}
	for pi < len(p) && p[pi] == '*' {
		pi++
	}
	return pi == len(p)
}

// matchRestricted implements the ARN rule when some "*" sits inside a
// segment. Recursion depth is bounded by the number of stars, and a
// restricted star only scans to the next ':', so real patterns stay cheap.
func matchRestricted(p, s string) bool {
	for len(p) > 0 {
		switch p[0] {
		case '*':
			rest := p[1:]
			if rest == "" {
				return true // a trailing star ends its segment: unrestricted
			}
			unrestricted := rest[0] == ':'
			// A literal next pattern byte lets us skip impossible positions.
			next := rest[0]
			literal := next != '*' && next != '?'
			for i := 0; i <= len(s); i++ {
				if (!literal || (i < len(s) && s[i] == next)) && matchRestricted(rest, s[i:]) {
					return true
				}
				if i < len(s) && !unrestricted && s[i] == ':' {
					return false
				}
			}
			return false
		case '?':
			if s == "" || s[0] == ':' {
				return false
			}
			p, s = p[1:], s[runeLen(s, 0):]
		default:
			if s == "" || s[0] != p[0] {
				return false
			}
			p, s = p[1:], s[1:]
		}
	}
	return s == ""
}

func runeLen(s string, i int) int {
	if s[i] < utf8.RuneSelf {
		return 1
	}
	_, w := utf8.DecodeRuneInString(s[i:])
	return w
}

// equalFoldASCII reports whether lower (already lower-case) equals s under
// ASCII case folding.
func equalFoldASCII(lower, s string) bool {
	if len(lower) != len(s) {
		return false
	}
	for i := 0; i < len(s); i++ {
		b := s[i]
		if 'A' <= b && b <= 'Z' {
			b += 'a' - 'A'
		}
		if b != lower[i] {
			return false
		}
	}
	return true
}

// lowerASCII lower-cases ASCII letters only (IAM names are ASCII; folding
// other characters would not be what AWS does).
func lowerASCII(s string) string {
	for i := 0; i < len(s); i++ {
		if 'A' <= s[i] && s[i] <= 'Z' {
			b := []byte(s)
			for j := i; j < len(b); j++ {
				if 'A' <= b[j] && b[j] <= 'Z' {
					b[j] += 'a' - 'A'
				}
			}
			return string(b)
		}
	}
	return s
}
