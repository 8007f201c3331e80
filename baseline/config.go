package baseline

// Config is controls.config. Placeholder: the engineer implementing this
// control replaces this file.
type Config struct {
	Enabled *bool `yaml:"enabled"`
}

// IsEnabled reports whether the control is declared and not switched off.
func (c *Config) IsEnabled() bool { return c != nil && (c.Enabled == nil || *c.Enabled) }
