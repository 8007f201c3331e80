package iampolicy

import (
	"bytes"
	"fmt"
	"sort"
	"strings"
	"unicode/utf8"
)

// Normalize returns a canonical JSON form for semantic comparison: statements in document order,
// single strings and 1-element arrays equivalent (always arrays in output), action names lower-cased
// (IAM action names are case-insensitive; the service prefix too), lists sorted and de-duplicated,
// condition blocks sorted, insignificant whitespace removed, Version kept. Two documents that differ
// only in formatting, key order, string-vs-array or action case normalise to the same bytes.
//
// Normalize checks JSON syntax, duplicate keys and that the document is an object, but not the
// policy grammar (use Parse for that); unknown keys are kept, with sorted keys. Statement keys are
// written in the order Sid, Effect, Principal, NotPrincipal, Action, NotAction, Resource,
// NotResource, Condition. Condition values are written as strings (true and "true" are
// equivalent). Resource, principal and condition values keep their case; condition keys too.
// "Principal": "*" and {"AWS": "*"} stay distinct, as they are in AWS.
func Normalize(doc []byte) ([]byte, error) {
	root, probs, fatal := decodeJSON(doc)
	if fatal != nil {
		return nil, &ParseError{Problems: []Problem{*fatal}}
	}
	if len(probs) > 0 {
		return nil, &ParseError{Problems: probs}
	}
	if root.kind != jObject {
		return nil, &ParseError{Problems: []Problem{{Message: fmt.Sprintf("the policy document must be a JSON object, got %s", root.kind)}}}
	}
	var b bytes.Buffer
	writeObject(&b, root, topLevelKeys, func(key string, v *jval) {
		if key == "Statement" {
			writeStatements(&b, v)
			return
		}
		writeGeneric(&b, v)
	})
	return b.Bytes(), nil
}

// writeObject writes an object with the keys in order first, then the
// remaining keys sorted; field writes each value.
func writeObject(b *bytes.Buffer, v *jval, order []string, field func(key string, v *jval)) {
	keys := make([]string, 0, len(v.keys))
	for _, k := range order {
		if v.index(k) >= 0 {
			keys = append(keys, k)
		}
	}
	var rest []string
	for _, k := range v.keys {
		if !contains(order, k) {
			rest = append(rest, k)
		}
	}
	sort.Strings(rest)
	keys = append(keys, rest...)
	b.WriteByte('{')
	for i, k := range keys {
		if i > 0 {
			b.WriteByte(',')
		}
		writeString(b, k)
		b.WriteByte(':')
		field(k, v.vals[v.index(k)])
	}
	b.WriteByte('}')
}

func writeStatements(b *bytes.Buffer, v *jval) {
	switch v.kind {
	case jObject:
		b.WriteByte('[')
		writeStatement(b, v)
		b.WriteByte(']')
	case jArray:
		b.WriteByte('[')
		for i, e := range v.vals {
			if i > 0 {
				b.WriteByte(',')
			}
			if e.kind == jObject {
				writeStatement(b, e)
			} else {
				writeGeneric(b, e)
			}
		}
		b.WriteByte(']')
	default:
		writeGeneric(b, v)
	}
}

func writeStatement(b *bytes.Buffer, v *jval) {
	writeObject(b, v, statementKeys, func(key string, v *jval) {
		switch key {
		case "Action", "NotAction":
			writeStringSet(b, v, true)
		case "Resource", "NotResource":
			writeStringSet(b, v, false)
		case "Principal", "NotPrincipal":
			if v.kind != jObject {
				writeGeneric(b, v)
				return
			}
			writeObject(b, v, nil, func(_ string, v *jval) { writeStringSet(b, v, false) })
		case "Condition":
			if v.kind != jObject {
				writeGeneric(b, v)
				return
			}
			writeObject(b, v, nil, func(_ string, block *jval) {
				if block.kind != jObject {
					writeGeneric(b, block)
					return
				}
				writeObject(b, block, nil, func(_ string, vals *jval) { writeConditionValues(b, vals) })
			})
		default:
			writeGeneric(b, v)
		}
	})
}

// writeStringSet writes a string or an array of strings as a sorted,
// de-duplicated array (lower-cased with lower); anything else as is.
func writeStringSet(b *bytes.Buffer, v *jval, lower bool) {
	var list []string
	switch v.kind {
	case jString:
		list = []string{v.str}
	case jArray:
		for _, e := range v.vals {
			if e.kind != jString {
				writeGeneric(b, v)
				return
			}
			list = append(list, e.str)
		}
	default:
		writeGeneric(b, v)
		return
	}
	if lower {
		for i, s := range list {
			list[i] = strings.ToLower(s)
		}
	}
	writeSortedSet(b, list)
}

func writeConditionValues(b *bytes.Buffer, v *jval) {
	if s, ok := v.scalarText(); ok {
		writeSortedSet(b, []string{s})
		return
	}
	if v.kind != jArray {
		writeGeneric(b, v)
		return
	}
	list := make([]string, 0, len(v.vals))
	for _, e := range v.vals {
		s, ok := e.scalarText()
		if !ok {
			writeGeneric(b, v)
			return
		}
		list = append(list, s)
	}
	writeSortedSet(b, list)
}

func writeSortedSet(b *bytes.Buffer, list []string) {
	sort.Strings(list)
	b.WriteByte('[')
	n := 0
	for i, s := range list {
		if i > 0 && s == list[i-1] {
			continue
		}
		if n > 0 {
			b.WriteByte(',')
		}
		writeString(b, s)
		n++
	}
	b.WriteByte(']')
}

// writeGeneric writes any value compactly, object keys sorted.
func writeGeneric(b *bytes.Buffer, v *jval) {
	switch v.kind {
	case jObject:
		writeObject(b, v, nil, func(_ string, v *jval) { writeGeneric(b, v) })
	case jArray:
		b.WriteByte('[')
		for i, e := range v.vals {
			if i > 0 {
				b.WriteByte(',')
			}
			writeGeneric(b, e)
		}
		b.WriteByte(']')
	case jString:
		writeString(b, v.str)
	case jNumber, jBool:
		b.WriteString(v.str)
	default:
		b.WriteString("null")
	}
}

// writeString writes s as a JSON string, escaping only what JSON requires
// (no HTML escaping, unlike encoding/json's default).
func writeString(b *bytes.Buffer, s string) {
	const hex = "0123456789abcdef"
	b.WriteByte('"')
	for i := 0; i < len(s); {
		c := s[i]
		if c < utf8.RuneSelf {
			switch {
			case c == '"' || c == '\\':
				b.WriteByte('\\')
				b.WriteByte(c)
			case c == '\n':
				b.WriteString(`\n`)
			case c == '\r':
				b.WriteString(`\r`)
			case c == '\t':
				b.WriteString(`\t`)
			case c < 0x20:
				b.WriteString(`\u00`)
				b.WriteByte(hex[c>>4])
				b.WriteByte(hex[c&0xf])
			default:
				b.WriteByte(c)
			}
			i++
			continue
		}
		r, w := utf8.DecodeRuneInString(s[i:])
		if r == utf8.RuneError && w == 1 {
			b.WriteString(`\ufffd`)
		} else {
			b.WriteString(s[i : i+w])
		}
		i += w
	}
	b.WriteByte('"')
}

func contains(xs []string, s string) bool {
	for _, x := range xs {
		if x == s {
			return true
		}
	}
	return false
}
