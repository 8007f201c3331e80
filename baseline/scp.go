package baseline

// ServiceControlPolicies is controls.serviceControlPolicies. Placeholder: the engineer implementing this
// control replaces this file.
type ServiceControlPolicies struct {
	Enabled *bool `yaml:"enabled"`
}

// IsEnabled reports whether the control is declared and not switched off.
func (c *ServiceControlPolicies) IsEnabled() bool {
	return c != nil && (c.Enabled == nil || *c.Enabled)
}
