package controls

import "github.com/orgbaseline/orgbaseline/baseline"

// newServiceControlPolicies returns the control(s) for controls.ServiceControlPolicies, or none when it is not
// enabled. Placeholder: the engineer implementing this control replaces
// this file.
func newServiceControlPolicies(b *baseline.Baseline, guarded []string) ([]Control, error) {
	return nil, nil
}
