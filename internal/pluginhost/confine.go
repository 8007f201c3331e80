package pluginhost

import "fmt"

// confine closes every file but the sandbox and the system's read-only
// ones to the plugins (Landlock on Linux, see landlock_linux.go), before
// the first one starts, and says in the log how far plugins are confined.
func (h *Host) confine() error {
	abi, err := h.sandbox.contain.confine(h.sandbox.dir)
	if err != nil {
		return fmt.Errorf("confine plugins to their private directory (Landlock): %w", err)
	}
	h.landlockABI = abi
	_, _, ownUser := h.sandbox.contain.owner()
	if abi == 0 && !ownUser {
		h.o.Log.Warn().Msg("this kernel has no Landlock (Linux 5.13 on, enabled) and orgbaseline does not run as root: " +
			"plugins run as orgbaseline's own user and can read that user's files (~/.aws, web identity token files); " +
			"see the README's plugin threat model")
	}
	return nil
}

// testWritableDir is set by this package's tests only: a directory their
// fixture plugins also reach through the confinement, to leave a mark
// that they ran.
var testWritableDir string
