//go:build !linux

package pluginhost

import (
	"fmt"
	"os/exec"
	"runtime"

	"github.com/orgbaseline/orgbaseline/baseline"
)

// containment elsewhere than Linux: plugins run as the tool's own user,
// with only what every host gives them (their own environment, a private
// home, the pinned copy of their binary). The kernel features that close
// the tool's process to them, drop privileges and kill them with the tool
// (PR_SET_DUMPABLE, no_new_privs, Pdeathsig) are Linux's.
type containment struct{}

func newContainment(user string) (*containment, error) {
	if user != "" {
		return nil, fmt.Errorf("plugin user %q: running plugins as another user is supported on Linux only, not on %s; unset it",
			baseline.Clip(user), runtime.GOOS)
	}
	return &containment{}, nil
}

func (c *containment) start(cmd *exec.Cmd) error { return cmd.Start() }

// confine: Landlock is Linux's; nothing is confined (ABI 0).
func (c *containment) confine(string) (int, error) { return 0, nil }

func (c *containment) owner() (uid, gid int, ok bool) { return 0, 0, false }

func (c *containment) close() {}
