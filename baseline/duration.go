package baseline

import (
	"fmt"
	"strconv"
	"time"

	"gopkg.in/yaml.v3"
)

// Duration is a time.Duration written in YAML as a Go duration string
// such as "1h" or "90m".
type Duration struct{ time.Duration }

// ParseDuration parses a Go duration string, with an error that says how
// to write one.
func ParseDuration(s string) (Duration, error) {
	if s == "" {
		return Duration{}, fmt.Errorf("empty duration; write a Go duration such as 1h or 90m")
	}
	if _, err := strconv.ParseFloat(s, 64); err == nil {
		return Duration{}, fmt.Errorf("duration %s has no unit; add one, e.g. %sm or %ss", quote(s), clip(s), clip(s))
	}
	d, err := time.ParseDuration(s)
	if err != nil {
		return Duration{}, fmt.Errorf("invalid duration %s; write a Go duration such as 1h, 90m or 1h30m", quote(s))
	}
	return Duration{d}, nil
}

// String returns the short form for whole minutes ("1h", "45m", "1h30m"),
// and time.Duration's own form otherwise ("1h0m30s").
func (d Duration) String() string {
	h, m := d.Duration/time.Hour, d.Duration%time.Hour/time.Minute
	switch {
	case d.Duration <= 0 || d.Duration%time.Minute != 0:
		return d.Duration.String()
	case m == 0:
		return fmt.Sprintf("%dh", h)
	case h == 0:
		return fmt.Sprintf("%dm", m)
	}
	return fmt.Sprintf("%dh%dm", h, m)
}

// MarshalYAML writes the duration as a string.
func (d Duration) MarshalYAML() (any, error) { return d.String(), nil }

// UnmarshalYAML reads a duration string, for callers that use yaml.v3
// directly; Load uses its own strict decoder.
func (d *Duration) UnmarshalYAML(n *yaml.Node) error {
	if n.Kind != yaml.ScalarNode || n.ShortTag() == "!!null" {
		return fmt.Errorf("line %d: expected a duration such as 1h", n.Line)
	}
	v, err := ParseDuration(n.Value)
	if err != nil {
		return fmt.Errorf("line %d: %v", n.Line, err)
	}
	*d = v
	return nil
}

// decodeScalar is used by the strict decoder.
func (d *Duration) decodeScalar(s string, _ Position) error {
	v, err := ParseDuration(s)
	if err != nil {
		return err
	}
	*d = v
	return nil
}

func (*Duration) expected() string { return "a duration such as 1h or 90m" }
