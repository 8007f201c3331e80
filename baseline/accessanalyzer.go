package baseline

// AccessAnalyzer is controls.accessAnalyzer. Placeholder: the engineer implementing this
// control replaces this file.
type AccessAnalyzer struct {
	Enabled *bool `yaml:"enabled"`
}

// IsEnabled reports whether the control is declared and not switched off.
func (c *AccessAnalyzer) IsEnabled() bool { return c != nil && (c.Enabled == nil || *c.Enabled) }
