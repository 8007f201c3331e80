package report

import (
	"strconv"
	"strings"
	"unicode/utf8"
)

// Clean makes text that came from a plugin or from AWS safe to write to a
// terminal: every character a terminal could act on is shown as an escape
// instead (\x1b, \x0d, \u009b...), so such text can neither draw (colours,
// cursor moves, a fake "All checks PASSED"), overwrite the line (\r), ring
// or start a new line the renderer did not write. It escapes C0 controls
// (newlines too: the renderers write their own), DEL, C1 controls, the
// bidirectional overrides that reorder what is shown (Trojan Source), and
// bytes that are not UTF-8 (a lone 0x9b is CSI to an 8-bit terminal). An
// escape sequence loses its ESC and so is shown as text. Every text
// renderer passes such values through Clean; HTML is escaped by
// html/template and JSON, SARIF and JUnit by their encoders.
func Clean(s string) string {
	if !strings.ContainsFunc(s, unsafeRune) && utf8.ValidString(s) {
		return s
	}
	var b strings.Builder
	b.Grow(len(s) + 16)
	for i := 0; i < len(s); {
		r, size := utf8.DecodeRuneInString(s[i:])
		switch {
		case r == utf8.RuneError && size == 1:
			b.WriteString(`\x`)
			b.WriteString(hex2(s[i]))
		case unsafeRune(r) && r < 0x80:
			b.WriteString(`\x`)
			b.WriteString(hex2(byte(r)))
		case unsafeRune(r):
			b.WriteString(`\u`)
			b.WriteString(strconv.FormatInt(int64(r)+0x10000, 16)[1:])
		default:
			b.WriteString(s[i : i+size])
		}
		i += size
	}
	return b.String()
}

// unsafeRune reports whether a terminal could act on r.
func unsafeRune(r rune) bool {
	switch {
	case r < 0x20, r == 0x7f, r >= 0x80 && r < 0xa0:
		return true
	case r >= 0x202a && r <= 0x202e, r >= 0x2066 && r <= 0x2069, r == 0x200e, r == 0x200f, r == 0x061c:
		return true // bidirectional embeddings, overrides, isolates and marks
	}
	return false
}

func hex2(c byte) string {
	const digits = "0123456789abcdef"
	return string([]byte{digits[c>>4], digits[c&0xf]})
}

// CleanLines is Clean for text of several lines (a guard's refusal lists
// one denied call per line): each line is escaped on its own and the
// lines are joined again with indent before each one after the first, so
// the text keeps its shape and still holds no control character.
func CleanLines(s, indent string) string {
	lines := strings.Split(s, "\n")
	for i, l := range lines {
		lines[i] = Clean(l)
	}
	return strings.Join(lines, "\n"+indent)
}
