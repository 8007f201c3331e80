package baseline

import "testing"

func TestSuggestNames(t *testing.T) {
	names := []string{"Log Archive", "Audit", "Prod 1", "Prod 2", "Sandbox"}
	for _, tt := range []struct{ in, want string }{
		{"Log Archve", "Log Archive"},  // a letter left out
		{"log archive", "Log Archive"}, // case only: names are case-sensitive
		{"Log Arhcive", "Log Archive"}, // two letters swapped: one edit
		{"Adit", "Audit"},              // within 2 edits of a short name
		{"Prod 3", "Prod 1"},           // a tie goes to the first in order
		{"Security Tooling", ""},       // nothing near
		{"Xy", ""},                     // as many edits as letters is no suggestion
		{"Audit", ""},                  // the name itself is no typo
		{"Snadbxo", "Sandbox"},         // two swaps: 2 edits
		{"Xandboxxxx", ""},             // 4 edits > max(2, 10/3)
	} {
		if got := Suggest(tt.in, names); got != tt.want {
			t.Errorf("Suggest(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
	if got := DidYouMean("Log Archve", names); got != ` (did you mean "Log Archive"?)` {
		t.Errorf("DidYouMean = %q", got)
	}
	if got := DidYouMean("zzz", nil); got != "" {
		t.Errorf("DidYouMean with no candidates = %q", got)
	}
}
