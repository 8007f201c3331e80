package iampolicy

import (
	"strings"
	"testing"
)

func TestSize(t *testing.T) {
	tests := []struct {
		name         string
		doc          string
		size         int
		minifiedSize int
	}{
		{"compact", `{"a":"b"}`, 9, 9},
		{"whitespace counts", "{ \"a\" :\n\t\"b\" }\n", 15, 9},
		{"whitespace inside strings kept", `{"a": "b c"}`, 12, 11},
		{"runes not bytes", `{"Sid":"Zürich日本"}`, 18, 18}, // 23 bytes
		{"empty", ``, 0, -1},
		{"invalid", `{"a":`, 5, -1},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if got := Size(tc.doc); got != tc.size {
				t.Errorf("Size = %d, want %d", got, tc.size)
			}
			got, err := MinifiedSize(tc.doc)
			if tc.minifiedSize < 0 {
				if err == nil {
					t.Errorf("MinifiedSize = %d, want error", got)
				}
				return
			}
			if err != nil || got != tc.minifiedSize {
				t.Errorf("MinifiedSize = %d, %v; want %d", got, err, tc.minifiedSize)
			}
		})
	}
}

func TestSizeSCPLimit(t *testing.T) {
	// A realistic use: pretty-printed SCPs count their indentation.
	pretty := benchSCP
	minSize, err := MinifiedSize(pretty)
	if err != nil {
		t.Fatal(err)
	}
	if Size(pretty) <= minSize {
		t.Errorf("Size %d should exceed MinifiedSize %d for an indented document", Size(pretty), minSize)
	}
	// benchSCP is ASCII with no whitespace inside its strings.
	if want := len(strings.Join(strings.Fields(pretty), "")); minSize != want {
		t.Errorf("MinifiedSize = %d, want the whitespace-stripped length %d", minSize, want)
	}
}
