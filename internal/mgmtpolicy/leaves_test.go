package mgmtpolicy

import (
	"reflect"
	"testing"
)

func TestAssignedAndSettings(t *testing.T) {
	d, err := Parse("TAG_POLICY", []byte(`{"tags":{"project":{"tag_key":{"@@operators_allowed_for_child_policies":["@@none"],"@@assign":"Project"},"tag_value":{"@@append":["A"]},"enforced_for":{"@@assign":["s3:bucket"]}}}}`))
	if err != nil {
		t.Fatal(err)
	}
	want := []Leaf{
		{Path: []string{"tags", "project", "tag_key"}, Value: "Project"},
		{Path: []string{"tags", "project", "enforced_for"}, Value: []string{"s3:bucket"}},
	}
	if got := d.Assigned(); !reflect.DeepEqual(got, want) {
		t.Fatalf("Assigned() = %#v", got)
	}
	ops := []string{}
	for _, s := range d.Settings() {
		ops = append(ops, s.Op)
	}
	if !reflect.DeepEqual(ops, []string{OpChildOps, OpAssign, OpAppend, OpAssign}) {
		t.Fatalf("Settings ops = %v", ops)
	}
	d.Settings()[3].Value.([]string)[0] = "changed"
	if d.Assigned()[1].Value.([]string)[0] != "s3:bucket" {
		t.Fatal("Settings must return copies")
	}
}

func TestLookup(t *testing.T) {
	eff := []byte(`{"tags":{"CostCenter":{"tag_key":"CostCenter","tag_value":["Production","Test"]},"n":{"x":1}}}`)
	cases := []struct {
		path []string
		want any
		ok   bool
	}{
		{[]string{"tags", "CostCenter", "tag_key"}, "CostCenter", true},
		{[]string{"tags", "costcenter", "tag_value"}, []string{"Production", "Test"}, true},
		{[]string{"tags", "CostCenter", "enforced_for"}, nil, false},
		{[]string{"tags", "CostCenter", "tag_key", "deeper"}, nil, false},
		{[]string{"tags", "n", "x"}, float64(1), true},
	}
	for _, tc := range cases {
		got, ok := Lookup(eff, tc.path)
		if ok != tc.ok || !reflect.DeepEqual(got, tc.want) {
			t.Errorf("Lookup(%v) = %#v, %v; want %#v, %v", tc.path, got, ok, tc.want, tc.ok)
		}
	}
	if _, ok := Lookup([]byte(`{`), []string{"tags"}); ok {
		t.Error("Lookup in invalid JSON must fail")
	}
}

func TestNormalize(t *testing.T) {
	a, err := Normalize([]byte("{\n  \"tags\": {\"b\": {\"@@assign\": \"x<y\"}, \"a\": {\"@@assign\": [\"2\", \"1\"]}}\n}\n"))
	if err != nil {
		t.Fatal(err)
	}
	if got, want := string(a), `{"tags":{"a":{"@@assign":["2","1"]},"b":{"@@assign":"x<y"}}}`; got != want {
		t.Fatalf("Normalize = %s, want %s", got, want)
	}
	if _, err := Normalize([]byte(`{} {}`)); err == nil {
		t.Fatal("trailing text must fail")
	}
	if _, err := Normalize([]byte(`{`)); err == nil {
		t.Fatal("invalid JSON must fail")
	}
}
