package iampolicy

import (
	"bytes"
	"encoding/json"
	"fmt"
	"unicode/utf8"
)

// Size returns the size AWS counts for a policy document as saved through the API: the number of
// characters (Unicode code points), whitespace included. (SCP limit: 5,120 older / 10,240 newer; the caller picks.)
func Size(doc string) int {
	return utf8.RuneCountInString(doc)
}

// MinifiedSize is the size after removing whitespace outside strings (what the console would save).
// It fails when doc is not valid JSON.
func MinifiedSize(doc string) (int, error) {
	var b bytes.Buffer
	b.Grow(len(doc))
	if err := json.Compact(&b, []byte(doc)); err != nil {
		return 0, fmt.Errorf("iampolicy: MinifiedSize: invalid JSON: %w", err)
	}
	return utf8.RuneCount(b.Bytes()), nil
}
