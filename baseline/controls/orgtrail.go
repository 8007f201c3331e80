package controls

import "github.com/orgbaseline/orgbaseline/baseline"

// newOrganizationTrail returns the control(s) for controls.OrganizationTrail, or none when it is not
// enabled. Placeholder: the engineer implementing this control replaces
// this file.
func newOrganizationTrail(b *baseline.Baseline) ([]Control, error) {
	return nil, nil
}
