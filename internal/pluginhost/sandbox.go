package pluginhost

import (
	"fmt"
	"os"
	"path/filepath"
	"strconv"
)

// sandbox is the host's private directory (mode 0711, removed by Close).
// It holds, per plugin, a directory (0711) with the pinned copy of its
// binary (0555: the plugin's user can run it, nobody can change it), its
// home (0700, owned by the plugin's user; also its TMPDIR and working
// directory) and go-plugin's socket directories.
type sandbox struct {
	dir     string
	contain *containment
}

// newSandbox creates the private directory under the temporary directory.
func newSandbox(c *containment) (*sandbox, error) {
	dir, err := os.MkdirTemp("", "orgbaseline-plugins-")
	if err != nil {
		return nil, fmt.Errorf("create the private directory plugins run from: %w; set TMPDIR to a writable directory", err)
	}
	sb := &sandbox{dir: dir, contain: c}
	if err := os.Chmod(dir, 0o711); err != nil {
		sb.remove()
		return nil, fmt.Errorf("create the private directory plugins run from: %w", err)
	}
	if err := sb.enterable(); err != nil {
		sb.remove()
		return nil, err
	}
	return sb, nil
}

// enterable checks that the plugins' user can reach the sandbox: every
// directory above it must let others search it.
func (sb *sandbox) enterable() error {
	if _, _, ok := sb.contain.owner(); !ok {
		return nil
	}
	for d := filepath.Dir(sb.dir); ; d = filepath.Dir(d) {
		st, err := os.Stat(d)
		if err != nil {
			return fmt.Errorf("check the private directory plugins run from: %w", err)
		}
		if st.Mode().Perm()&0o001 == 0 {
			return fmt.Errorf("plugins run as another user, who cannot enter %s (mode %04o) to reach their private directory %s; "+
				"set TMPDIR to a directory others can enter, such as /tmp", d, st.Mode().Perm(), sb.dir)
		}
		if d == filepath.Dir(d) {
			return nil
		}
	}
}

// plugin prepares the k-th plugin's directory: it copies the pinned
// binary (copyPinned) and makes its home. It returns the copy's path and
// the home.
func (sb *sandbox) plugin(k int, s Spec) (dir, bin, home string, err error) {
	dir = filepath.Join(sb.dir, strconv.Itoa(k))
	if err := os.Mkdir(dir, 0o711); err != nil {
		return "", "", "", fmt.Errorf("plugin %s: cannot make its private directory: %w", s.Name, err)
	}
	if err := os.Chmod(dir, 0o711); err != nil { // whatever the umask
		return "", "", "", fmt.Errorf("plugin %s: cannot make its private directory: %w", s.Name, err)
	}
	// The plugin's own name for itself is its binary's name.
	bin = filepath.Join(dir, filepath.Base(s.Path))
	if err := copyPinned(s, bin); err != nil {
		return "", "", "", err
	}
	home = filepath.Join(dir, "home")
	if err := os.Mkdir(home, 0o700); err != nil {
		return "", "", "", fmt.Errorf("plugin %s: cannot make its home: %w", s.Name, err)
	}
	if err := sb.giveToPlugin(home); err != nil {
		return "", "", "", fmt.Errorf("plugin %s: cannot make its home: %w", s.Name, err)
	}
	return dir, bin, home, nil
}

// giveToPlugin makes a directory the plugins' user's (nothing to do
// when they run as the tool's user).
func (sb *sandbox) giveToPlugin(dir string) error {
	uid, gid, ok := sb.contain.owner()
	if !ok {
		return nil
	}
	return os.Chown(dir, uid, gid)
}

// remove deletes the private directory and everything in it.
// Close calls it once every plugin process is stopped.
func (sb *sandbox) remove() {
	_ = os.RemoveAll(sb.dir) // what cannot be removed is left to the system's cleaning of TMPDIR
}
