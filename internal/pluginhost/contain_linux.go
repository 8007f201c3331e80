//go:build linux

package pluginhost

import (
	"fmt"
	"os"
	"os/exec"
	"runtime"
	"sync"
	"syscall"

	"golang.org/x/sys/unix"
)

// containment is how plugin processes start on Linux:
//
//   - the tool's own process is made non-dumpable first, so its
//     /proc/<pid>/environ, mem, maps and fds are closed to every process
//     without CAP_SYS_PTRACE, its plugins included, even one running as
//     the same user;
//   - when the tool runs as root, plugins run as an unprivileged user
//     (nobody by default) with no supplementary groups;
//   - every plugin is forked from one OS thread reserved for it, which
//     has no_new_privs set (inherited by the plugin through fork and exec:
//     setuid, setgid and file capabilities give it nothing) and which
//     lives until the host is closed, so Pdeathsig (SIGKILL), which the
//     kernel sends when the forking *thread* ends, kills the plugins when
//     the tool dies and not before;
//   - that thread is confined by Landlock where the kernel has it
//     (confine), so plugins reach no file outside their private directory
//     but the system's read-only ones, whatever user they run as.
type containment struct {
	user     *pluginUser // nil: plugins run as the tool's own user
	requests chan func()
	stop     sync.Once
}

// newContainment makes the tool's process non-dumpable and reserves the
// launching thread. user is Options.User.
func newContainment(user string) (*containment, error) {
	if err := unix.Prctl(unix.PR_SET_DUMPABLE, 0, 0, 0, 0); err != nil {
		return nil, fmt.Errorf("make orgbaseline's process unreadable to its plugins (prctl PR_SET_DUMPABLE): %w", err)
	}
	u, err := resolvePluginUser(user, os.Geteuid())
	if err != nil {
		return nil, err
	}
	c := &containment{user: u, requests: make(chan func())}
	ready := make(chan error, 1)
	go c.launchThread(ready)
	if err := <-ready; err != nil {
		c.close()
		return nil, err
	}
	return c, nil
}

// launchThread runs on its own OS thread for the life of the host. The
// thread is never unlocked: when this goroutine returns (close), Go ends
// the thread rather than hand a no_new_privs thread back to the
// scheduler, and the kernel sends every plugin forked from it its
// Pdeathsig. Only close ends it; no other goroutine ever runs on it.
func (c *containment) launchThread(ready chan<- error) {
	runtime.LockOSThread()
	if err := unix.Prctl(unix.PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0); err != nil {
		ready <- fmt.Errorf("set no_new_privs for plugins (prctl PR_SET_NO_NEW_PRIVS): %w", err)
		return
	}
	ready <- nil
	for f := range c.requests {
		f()
	}
}

// confine takes every file but private (the sandbox) and the system's
// read-only files away from the plugins the launching thread starts from
// now on (Landlock, landlock_linux.go). It returns the Landlock ABI used,
// 0 when the kernel has none.
func (c *containment) confine(private string) (int, error) {
	type result struct {
		abi int
		err error
	}
	done := make(chan result, 1)
	c.requests <- func() {
		abi, err := confineThread(private)
		done <- result{abi, err}
	}
	r := <-done
	return r.abi, r.err
}

// start starts cmd on the launching thread, as the plugin user, with no
// supplementary groups and SIGKILL as its parent-death signal.
func (c *containment) start(cmd *exec.Cmd) error {
	attr := &syscall.SysProcAttr{Pdeathsig: syscall.SIGKILL}
	if c.user != nil {
		// An empty, non-nil Groups: Go calls setgroups(0) before setgid
		// and setuid, so none of root's supplementary groups remain.
		attr.Credential = &syscall.Credential{Uid: c.user.uid, Gid: c.user.gid, Groups: []uint32{}}
	}
	cmd.SysProcAttr = attr
	done := make(chan error, 1)
	c.requests <- func() { done <- cmd.Start() }
	return <-done
}

// owner is who must own what a plugin writes (its home, its socket
// directory); ok is false when plugins run as the tool's own user.
func (c *containment) owner() (uid, gid int, ok bool) {
	if c.user == nil {
		return 0, 0, false
	}
	return int(c.user.uid), int(c.user.gid), true
}

// close ends the launching thread; call it once every plugin is stopped
// (a plugin still running then is killed by its Pdeathsig).
func (c *containment) close() {
	c.stop.Do(func() { close(c.requests) })
}
