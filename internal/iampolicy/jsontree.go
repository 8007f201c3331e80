package iampolicy

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"strconv"
)

// jkind is the JSON type of a jval.
type jkind uint8

const (
	jObject jkind = iota
	jArray
	jString
	jNumber
	jBool
	jNull
)

// String names the kind for error messages ("got a number").
func (k jkind) String() string {
	switch k {
	case jObject:
		return "an object"
	case jArray:
		return "an array"
	case jString:
		return "a string"
	case jNumber:
		return "a number"
	case jBool:
		return "a boolean"
	}
	return "null"
}

// jval is a JSON value that keeps object key order, which encoding/json's
// map decoding loses, so that paths and duplicate keys can be reported.
type jval struct {
	kind jkind
	str  string   // string value; number literal as written; "true"/"false"
	keys []string // object keys, in document order (duplicates dropped)
	vals []*jval  // object values (parallel to keys) or array elements
}

// scalarText returns the string form of a string, number or boolean.
func (v *jval) scalarText() (string, bool) {
	switch v.kind {
	case jString, jNumber, jBool:
		return v.str, true
	}
	return "", false
}

func (v *jval) index(key string) int {
	for i, k := range v.keys {
		if k == key {
			return i
		}
	}
	return -1
}

// maxDepth bounds nesting; real policies nest at most five levels.
const maxDepth = 64

type treeDecoder struct {
	dec   *json.Decoder
	doc   []byte
	probs []Problem
}

// decodeJSON parses doc into a tree. Duplicate keys are reported as problems
// (the first occurrence is kept); a syntax error is returned as fatal.
func decodeJSON(doc []byte) (root *jval, probs []Problem, fatal *Problem) {
	if len(bytes.TrimSpace(doc)) == 0 {
		return nil, nil, &Problem{Message: `policy document is empty; provide a JSON object such as {"Version": "2012-10-17", "Statement": [...]}`}
	}
	d := &treeDecoder{dec: json.NewDecoder(bytes.NewReader(doc)), doc: doc}
	d.dec.UseNumber()
	root, err := d.value("", 0)
	if err != nil {
		return nil, nil, d.fatal(err)
	}
	off := d.dec.InputOffset()
	if _, err := d.dec.Token(); err != io.EOF {
		if err != nil {
			return nil, nil, d.fatal(err)
		}
		return nil, nil, &Problem{Message: fmt.Sprintf("unexpected data after the end of the policy document at %s; remove it", d.position(off))}
	}
	return root, d.probs, nil
}

var errTooDeep = errors.New("too deeply nested")

func (d *treeDecoder) fatal(err error) *Problem {
	var se *json.SyntaxError
	switch {
	case errors.As(err, &se):
		return &Problem{Message: fmt.Sprintf("invalid JSON at %s: %v; fix the syntax (missing comma, quote or brace?)", d.position(se.Offset), se)}
	case errors.Is(err, io.ErrUnexpectedEOF) || errors.Is(err, io.EOF):
		return &Problem{Message: "invalid JSON: the document ends early; check for a missing closing brace, bracket or quote"}
	case errors.Is(err, errTooDeep):
		return &Problem{Message: fmt.Sprintf("invalid policy document: nested more than %d levels deep", maxDepth)}
	}
	return &Problem{Message: "invalid JSON: " + err.Error()}
}

// position turns a byte offset into "line L, column C".
func (d *treeDecoder) position(off int64) string {
	if off > int64(len(d.doc)) {
		off = int64(len(d.doc))
	}
	line, col := 1, 1
	for _, c := range d.doc[:off] {
		if c == '\n' {
			line++
			col = 1
		} else {
			col++
		}
	}
	return "line " + strconv.Itoa(line) + ", column " + strconv.Itoa(col)
}

func (d *treeDecoder) value(path string, depth int) (*jval, error) {
	tok, err := d.dec.Token()
	if err != nil {
		if err == io.EOF {
			err = io.ErrUnexpectedEOF
		}
		return nil, err
	}
	switch t := tok.(type) {
	case json.Delim:
		if depth >= maxDepth {
			return nil, errTooDeep
		}
		switch t {
		case '{':
			v := &jval{kind: jObject}
			for d.dec.More() {
				kt, err := d.dec.Token()
				if err != nil {
					return nil, err
				}
				key, ok := kt.(string)
				if !ok {
					return nil, fmt.Errorf("object key is %v, not a string", kt)
				}
				kp := joinKey(path, key)
				child, err := d.value(kp, depth+1)
				if err != nil {
					return nil, err
				}
				if v.index(key) >= 0 {
					d.probs = append(d.probs, Problem{Path: kp, Message: fmt.Sprintf(
						"duplicate key %q; AWS rejects a policy that repeats a key in the same object: keep only one (merge the values into one list if both are needed)", key)})
					continue
				}
				v.keys = append(v.keys, key)
				v.vals = append(v.vals, child)
			}
			if _, err := d.dec.Token(); err != nil { // '}'
				return nil, err
			}
			return v, nil
		case '[':
			v := &jval{kind: jArray}
			for i := 0; d.dec.More(); i++ {
				child, err := d.value(joinIndex(path, i), depth+1)
				if err != nil {
					return nil, err
				}
				v.vals = append(v.vals, child)
			}
			if _, err := d.dec.Token(); err != nil { // ']'
				return nil, err
			}
			return v, nil
		}
		return nil, fmt.Errorf("unexpected %q", rune(t))
	case string:
		return &jval{kind: jString, str: t}, nil
	case json.Number:
		return &jval{kind: jNumber, str: string(t)}, nil
	case bool:
		return &jval{kind: jBool, str: strconv.FormatBool(t)}, nil
	case nil:
		return &jval{kind: jNull}, nil
	}
	return nil, fmt.Errorf("unexpected token %v", tok)
}

// joinKey appends an object key to a path: `a.Key`, or `a["aws:Key"]` when
// the key is not a plain identifier.
func joinKey(base, key string) string {
	if isIdent(key) {
		if base == "" {
			return key
		}
		return base + "." + key
	}
	return base + "[" + strconv.Quote(key) + "]"
}

func joinIndex(base string, i int) string {
	return base + "[" + strconv.Itoa(i) + "]"
}

func isIdent(s string) bool {
	if s == "" {
		return false
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case c >= 'a' && c <= 'z', c >= 'A' && c <= 'Z', c == '_':
		case c >= '0' && c <= '9' && i > 0:
		default:
			return false
		}
	}
	return true
}
