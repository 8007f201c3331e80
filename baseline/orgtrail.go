package baseline

// OrganizationTrail is controls.organizationTrail. Placeholder: the engineer implementing this
// control replaces this file.
type OrganizationTrail struct {
	Enabled *bool `yaml:"enabled"`
}

// IsEnabled reports whether the control is declared and not switched off.
func (c *OrganizationTrail) IsEnabled() bool { return c != nil && (c.Enabled == nil || *c.Enabled) }
