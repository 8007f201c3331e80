package baseline

import (
	"encoding/json"
	"testing"
)

// A change saved in a plan file and read back must equal the one computed
// in memory, even when an empty map was dropped by omitempty.
func TestChangeEqualSurvivesThePlanFile(t *testing.T) {
	c := Change{Control: "x", Account: "111122223333", Resource: "r", Action: ActionUpdate,
		Before: map[string]any{}, After: map[string]any{"n": 14, "ok": true}}
	b, err := json.Marshal(c)
	if err != nil {
		t.Fatal(err)
	}
	var back Change
	if err := json.Unmarshal(b, &back); err != nil {
		t.Fatal(err)
	}
	if !c.Equal(back) || !back.Equal(c) {
		t.Fatalf("round trip changed the change:\n%+v\n%+v", c, back)
	}
	other := back
	other.After = map[string]any{"n": 15, "ok": true}
	if c.Equal(other) {
		t.Fatal("different After compared equal")
	}
}
