package baseline

import (
	"encoding/json"
	"fmt"
	"sort"
)

// Action is what a change does to a resource.
type Action string

const (
	ActionCreate Action = "create"
	ActionUpdate Action = "update"
	ActionDelete Action = "delete"
)

// Symbol is the one-character marker plans show for the action.
func (a Action) Symbol() string {
	switch a {
	case ActionCreate:
		return "+"
	case ActionDelete:
		return "-"
	default:
		return "~"
	}
}

// Change is one difference between the declared and the observed state,
// and what applying it does. It is pure data: it holds everything Apply
// needs, so a plan written to a file can be applied later exactly as shown.
type Change struct {
	Control  string `json:"control"`          // e.g. "passwordPolicy"
	Account  string `json:"account"`          // account id
	Region   string `json:"region,omitempty"` // "" for global resources
	Resource string `json:"resource"`         // what is changed, e.g. "iam/account-password-policy"
	Action   Action `json:"action"`
	// Before and After are the resource's settings before and after the
	// change, as plain JSON values; Before is nil for a create, After for a
	// delete. Apply reads After.
	Before map[string]any `json:"before,omitempty"`
	After  map[string]any `json:"after,omitempty"`
	Reason string         `json:"reason,omitempty"`
}

// FieldDiff is one setting that differs between Before and After.
type FieldDiff struct {
	Name   string `json:"name"`
	Before any    `json:"before,omitempty"`
	After  any    `json:"after,omitempty"`
}

// Fields lists the settings that differ, sorted by name.
func (c Change) Fields() []FieldDiff {
	names := map[string]bool{}
	for k := range c.Before {
		names[k] = true
	}
	for k := range c.After {
		names[k] = true
	}
	var out []FieldDiff
	for k := range names {
		b, bok := c.Before[k]
		a, aok := c.After[k]
		if bok && aok && equalJSON(a, b) {
			continue
		}
		out = append(out, FieldDiff{Name: k, Before: b, After: a})
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Name < out[j].Name })
	return out
}

// Key identifies the change's resource within a plan.
func (c Change) Key() string {
	return c.Control + "|" + c.Account + "|" + c.Region + "|" + c.Resource
}

// Equal reports whether two changes would do the same thing: same resource,
// action, before and after (compared as JSON, so a change read back from a
// plan file equals the one computed in memory).
func (c Change) Equal(o Change) bool {
	return c.Key() == o.Key() && c.Action == o.Action &&
		equalJSON(orNil(c.Before), orNil(o.Before)) && equalJSON(orNil(c.After), orNil(o.After))
}

// orNil treats an empty map as none: the plan file's omitempty drops an
// empty Before or After, so the two are the same change once saved.
func orNil(m map[string]any) map[string]any {
	if len(m) == 0 {
		return nil
	}
	return m
}

// DecodeAfter fills v (a pointer to a control's settings struct) from the
// change's After values.
func (c Change) DecodeAfter(v any) error {
	b, err := json.Marshal(c.After)
	if err != nil {
		return fmt.Errorf("%s %s: encode after: %w", c.Control, c.Resource, err)
	}
	if err := json.Unmarshal(b, v); err != nil {
		return fmt.Errorf("%s %s: decode after: %w", c.Control, c.Resource, err)
	}
	return nil
}

// ToMap turns a settings struct into the plain map Before and After hold.
func ToMap(v any) map[string]any {
	b, err := json.Marshal(v)
	if err != nil {
		panic(fmt.Sprintf("baseline.ToMap: %v", err)) // settings structs are plain data
	}
	var m map[string]any
	if err := json.Unmarshal(b, &m); err != nil {
		panic(fmt.Sprintf("baseline.ToMap: %v", err))
	}
	return m
}

func equalJSON(a, b any) bool {
	ja, err1 := json.Marshal(a)
	jb, err2 := json.Marshal(b)
	return err1 == nil && err2 == nil && string(ja) == string(jb)
}
