//go:build linux

package pluginhost

import (
	"errors"
	"fmt"
	"os"
	"unsafe"

	"golang.org/x/sys/unix"
)

// Landlock (Linux 5.13 on; https://docs.kernel.org/userspace-api/landlock.html)
// lets an unprivileged process take file access away from itself and from
// every process it then forks. The host confines its launching thread, and
// so every plugin, to the files a plugin needs: its private directory (its
// binary, home and sockets), the system's read-only files a program uses
// (libraries, TLS roots, DNS and time zone settings, /proc and /sys) and
// /dev/null. Everything else is closed to plugins even where the file
// modes would let them in: the tool's ~/.aws, a web identity or Pod
// Identity token file (/var/run/secrets/...), the tool's own temporary
// files and working directory. This is what keeps the tool's credential
// files from plugins that run as the tool's own user (a non-root
// container); as root, the plugin user already cannot read them.
//
// Only the launching thread is confined (landlock_restrict_self acts on
// the calling thread): the tool's other threads keep their access.

// landlockMaxABI is the newest Landlock ABI whose file rights this code
// knows: ABI 1 the thirteen basic rights, 2 REFER, 3 TRUNCATE, 5
// IOCTL_DEV (4 and 6 add network and scope rights, not file ones).
const landlockMaxABI = 5

// landlockRights returns the file access rights Landlock handles at abi.
func landlockRights(abi int) uint64 {
	r := uint64(unix.LANDLOCK_ACCESS_FS_EXECUTE | unix.LANDLOCK_ACCESS_FS_WRITE_FILE | unix.LANDLOCK_ACCESS_FS_READ_FILE |
		unix.LANDLOCK_ACCESS_FS_READ_DIR | unix.LANDLOCK_ACCESS_FS_REMOVE_DIR | unix.LANDLOCK_ACCESS_FS_REMOVE_FILE |
		unix.LANDLOCK_ACCESS_FS_MAKE_CHAR | unix.LANDLOCK_ACCESS_FS_MAKE_DIR | unix.LANDLOCK_ACCESS_FS_MAKE_REG |
		unix.LANDLOCK_ACCESS_FS_MAKE_SOCK | unix.LANDLOCK_ACCESS_FS_MAKE_FIFO | unix.LANDLOCK_ACCESS_FS_MAKE_BLOCK |
		unix.LANDLOCK_ACCESS_FS_MAKE_SYM)
	if abi >= 2 {
		r |= unix.LANDLOCK_ACCESS_FS_REFER
	}
	if abi >= 3 {
		r |= unix.LANDLOCK_ACCESS_FS_TRUNCATE
	}
	if abi >= 5 {
		r |= unix.LANDLOCK_ACCESS_FS_IOCTL_DEV
	}
	return r
}

const (
	llRead = unix.LANDLOCK_ACCESS_FS_READ_FILE | unix.LANDLOCK_ACCESS_FS_READ_DIR
	llExec = llRead | unix.LANDLOCK_ACCESS_FS_EXECUTE
)

// landlockPath is a file or directory plugins may reach, and how.
type landlockPath struct {
	path   string
	access uint64
}

// pluginPaths are what a plugin may reach besides its private directory:
// read-only system files (a missing one is skipped) and /dev/null.
func pluginPaths(private string, all uint64) []landlockPath {
	paths := []landlockPath{
		{private, all},
		{"/dev/null", unix.LANDLOCK_ACCESS_FS_READ_FILE | unix.LANDLOCK_ACCESS_FS_WRITE_FILE},
		{"/dev/urandom", unix.LANDLOCK_ACCESS_FS_READ_FILE},
		{"/dev/random", unix.LANDLOCK_ACCESS_FS_READ_FILE},
		// Programs and their libraries (a dynamically linked plugin needs
		// the loader and libc); nothing here is a secret.
		{"/usr", llExec}, {"/lib", llExec}, {"/lib64", llExec}, {"/lib32", llExec}, {"/bin", llExec}, {"/sbin", llExec},
		{"/etc/ld.so.cache", llRead},
		// TLS roots (Go's crypto/x509 and OpenSSL's places).
		{"/etc/ssl", llRead}, {"/etc/pki", llRead}, {"/etc/ca-certificates", llRead},
		{"/etc/ca-certificates.conf", llRead},
		// Name resolution and time zones.
		{"/etc/resolv.conf", llRead}, {"/etc/hosts", llRead}, {"/etc/nsswitch.conf", llRead},
		{"/etc/host.conf", llRead}, {"/etc/gai.conf", llRead}, {"/etc/services", llRead},
		{"/etc/protocols", llRead}, {"/etc/localtime", llRead}, {"/etc/timezone", llRead},
		// The runtime reads its limits here (cgroups, huge pages); the
		// tool's own /proc entries are closed by PR_SET_DUMPABLE.
		{"/proc", llRead}, {"/sys", llRead},
	}
	if testWritableDir != "" {
		paths = append(paths, landlockPath{testWritableDir, all})
	}
	for i := range paths {
		paths[i].access &= all
	}
	return paths
}

// landlockABI returns the kernel's Landlock ABI version, capped at what
// this code knows; 0 when there is none: a kernel without it (ENOSYS),
// with it disabled (EOPNOTSUPP), or a seccomp filter refusing the call
// (EPERM; container runtimes' default profiles before they knew it).
func landlockABI() int {
	v, _, errno := unix.Syscall(unix.SYS_LANDLOCK_CREATE_RULESET, 0, 0, unix.LANDLOCK_CREATE_RULESET_VERSION)
	if errno != 0 {
		return 0
	}
	return min(int(v), landlockMaxABI)
}

// confineThread confines the calling thread (and every process it forks
// from then on) to private and pluginPaths. It must run on the locked
// launching thread, after no_new_privs (which Landlock requires of an
// unprivileged caller). It returns the ABI used, 0 when the kernel has no
// Landlock (nothing is confined then).
func confineThread(private string) (int, error) {
	abi := landlockABI()
	if abi == 0 {
		return 0, nil
	}
	all := landlockRights(abi)
	attr := unix.LandlockRulesetAttr{Access_fs: all}
	fd, _, errno := unix.Syscall(unix.SYS_LANDLOCK_CREATE_RULESET, uintptr(unsafe.Pointer(&attr)), unsafe.Sizeof(attr), 0)
	if errno != 0 {
		return 0, fmt.Errorf("landlock_create_ruleset: %w", errno)
	}
	ruleset := int(fd)
	defer func() { _ = unix.Close(ruleset) }()
	for _, p := range pluginPaths(private, all) {
		if err := landlockAllow(ruleset, p); err != nil {
			return 0, err
		}
	}
	if _, _, errno := unix.Syscall(unix.SYS_LANDLOCK_RESTRICT_SELF, uintptr(ruleset), 0, 0); errno != 0 {
		return 0, fmt.Errorf("landlock_restrict_self: %w", errno)
	}
	return abi, nil
}

// landlockAllow adds p to the ruleset; a path that does not exist is
// skipped (systems differ in where they keep these files).
func landlockAllow(ruleset int, p landlockPath) error {
	fd, err := unix.Open(p.path, unix.O_PATH|unix.O_CLOEXEC, 0)
	if errors.Is(err, os.ErrNotExist) {
		return nil
	}
	if err != nil {
		return fmt.Errorf("landlock: open %s: %w", p.path, err)
	}
	defer func() { _ = unix.Close(fd) }()
	access := p.access
	var st unix.Stat_t
	if err := unix.Fstat(fd, &st); err != nil {
		return fmt.Errorf("landlock: stat %s: %w", p.path, err)
	}
	if st.Mode&unix.S_IFMT != unix.S_IFDIR {
		// Rights that only make sense on a directory are refused on a file.
		access &= unix.LANDLOCK_ACCESS_FS_EXECUTE | unix.LANDLOCK_ACCESS_FS_WRITE_FILE | unix.LANDLOCK_ACCESS_FS_READ_FILE |
			unix.LANDLOCK_ACCESS_FS_TRUNCATE | unix.LANDLOCK_ACCESS_FS_IOCTL_DEV
	}
	if access == 0 {
		return nil
	}
	rule := unix.LandlockPathBeneathAttr{Allowed_access: access, Parent_fd: int32(fd)}
	if _, _, errno := unix.Syscall6(unix.SYS_LANDLOCK_ADD_RULE, uintptr(ruleset), unix.LANDLOCK_RULE_PATH_BENEATH,
		uintptr(unsafe.Pointer(&rule)), 0, 0, 0); errno != 0 {
		return fmt.Errorf("landlock_add_rule %s: %w", p.path, errno)
	}
	return nil
}
