package engine

import (
	"fmt"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/orgbaseline/orgbaseline/baseline"
)

// An organization-scope control's changes for one region run beside its
// other regions' only where every change for no region comes first.
func TestSplitByRegion(t *testing.T) {
	for _, tc := range []struct {
		regions   []string // of the control's changes, in order
		first     []int
		byRegions [][]int
	}{
		{[]string{"", "", "us-east-1", "eu-west-1", "us-east-1"}, []int{0, 1}, [][]int{{2, 4}, {3}}},
		{[]string{"us-east-1", "eu-west-1"}, []int{}, [][]int{{0}, {1}}},
		// A change for no region after a regional one may depend on it.
		{[]string{"", "us-east-1", "", "eu-west-1"}, []int{0, 1, 2, 3}, nil},
		// One region: nothing to run beside anything.
		{[]string{"", "us-east-1", "us-east-1"}, []int{0, 1, 2}, nil},
		{[]string{"", ""}, []int{0, 1}, nil},
	} {
		t.Run(fmt.Sprint(tc.regions), func(t *testing.T) {
			var changes []baseline.Change
			var idx []int
			for i, r := range tc.regions {
				changes = append(changes, baseline.Change{Control: "c", Region: r})
				idx = append(idx, i)
			}
			first, regions := splitByRegion(changes, idx)
			if first == nil {
				first = []int{}
			}
			if d := cmp.Diff(tc.first, first); d != "" {
				t.Errorf("first (-want +got):\n%s", d)
			}
			if d := cmp.Diff(tc.byRegions, regions); d != "" {
				t.Errorf("regions (-want +got):\n%s", d)
			}
		})
	}
}
