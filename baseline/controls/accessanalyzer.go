package controls

import "github.com/orgbaseline/orgbaseline/baseline"

// newAccessAnalyzer returns the control(s) for controls.AccessAnalyzer, or none when it is not
// enabled. Placeholder: the engineer implementing this control replaces
// this file.
func newAccessAnalyzer(b *baseline.Baseline) ([]Control, error) {
	return nil, nil
}
