package orgwalk

import (
	"regexp"
	"strings"
	"testing"
	"time"
)

func TestPluginSessionName(t *testing.T) {
	valid := regexp.MustCompile(`^[\w+=,.@-]{2,64}$`)
	for _, c := range []struct{ plugin, runID, want string }{
		{"root-account", "20260501T120000Z-abc123", "orgbaseline-plugin-root-account-20260501T120000Z-abc123"},
		{"a-plugin-name-of-thirty-chars", "20260501T120000Z-abc123", "orgbaseline-plugin-a-plugin-name-of-thir-20260501T120000Z-abc123"},
		{"odd name/with:chars", "r1", "orgbaseline-plugin-odd-name-with-chars-r1"},
		{"", "r1", "orgbaseline-plugin-unnamed-r1"},
		{"p", strings.Repeat("x", 80), "orgbaseline-plugin-p-" + strings.Repeat("x", 32)},
		{"p", "", "orgbaseline-plugin-p"},
	} {
		got := PluginSessionName(c.plugin, c.runID)
		if got != c.want {
			t.Errorf("PluginSessionName(%q, %q) = %q, want %q", c.plugin, c.runID, got, c.want)
		}
		if !valid.MatchString(got) {
			t.Errorf("%q is not a valid RoleSessionName", got)
		}
	}
}

func TestPluginCredentialsRenewal(t *testing.T) {
	for _, c := range []struct{ validFor, want time.Duration }{
		{0, 5 * time.Minute},
		{time.Minute, 5 * time.Minute},
		{10 * time.Minute, 11 * time.Minute},
		{time.Hour, 14 * time.Minute},
	} {
		if got := renewal(c.validFor); got != c.want {
			t.Errorf("renewal(%s) = %s, want %s", c.validFor, got, c.want)
		}
	}
}
