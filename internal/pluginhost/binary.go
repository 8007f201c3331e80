package pluginhost

import (
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
)

// copyPinned opens the plugin's binary once, refuses it unless only its
// owner can change it (see checkOwnership), and copies the bytes it reads
// into dst while hashing them; the copy (mode 0555, in the host's private
// directory) is what runs, so a file replaced after the check never does,
// and neither does one replaced between a check and an exec by path.
// Every refusal names the file and the fix.
func copyPinned(s Spec, dst string) error {
	f, err := os.Open(s.Path)
	if err != nil {
		return fmt.Errorf("plugin %s: cannot read %s to verify its checksum: %w; fix its path", s.Name, s.Path, err)
	}
	defer func() { _ = f.Close() }()
	st, err := f.Stat()
	if err != nil {
		return fmt.Errorf("plugin %s: cannot read %s to verify its checksum: %w; fix its path", s.Name, s.Path, err)
	}
	if !st.Mode().IsRegular() {
		return fmt.Errorf("plugin %s: %s is not a regular file; give the plugin binary's path", s.Name, s.Path)
	}
	if err := checkOwnership(s, st); err != nil {
		return err
	}

	out, err := os.OpenFile(dst, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o700)
	if err != nil {
		return fmt.Errorf("plugin %s: cannot make the private copy it runs from: %w", s.Name, err)
	}
	h := sha256.New()
	_, err = io.Copy(io.MultiWriter(out, h), f)
	if cerr := out.Close(); err == nil {
		err = cerr
	}
	if err == nil {
		err = checkPinned(s, h.Sum(nil))
	}
	if err == nil {
		err = os.Chmod(dst, 0o555) // readable and runnable by the plugin's user, writable by no one
	}
	if err != nil {
		_ = os.Remove(dst)
		return err
	}
	return nil
}

// checkOwnership refuses a binary that someone other than its owner could
// replace: one writable by group or others, owned by a user other than
// root or the one running orgbaseline, or in such a directory (the one
// the path names and, for a symlink, the one the file is in).
func checkOwnership(s Spec, st fs.FileInfo) error {
	var errs []error
	if err := ownedSafely(s.Path, st); err != nil {
		errs = append(errs, fmt.Errorf("plugin %s: %s %w", s.Name, s.Path, err))
	}
	dirs := []string{filepath.Dir(s.Path)}
	if real, err := filepath.EvalSymlinks(s.Path); err == nil && filepath.Dir(real) != dirs[0] {
		dirs = append(dirs, filepath.Dir(real))
	}
	for _, d := range dirs {
		dst, err := os.Stat(d)
		if err != nil {
			errs = append(errs, fmt.Errorf("plugin %s: cannot check the directory %s of %s: %w", s.Name, d, s.Path, err))
			continue
		}
		if err := ownedSafely(d, dst); err != nil {
			errs = append(errs, fmt.Errorf("plugin %s: the directory %s of %s %w", s.Name, d, s.Path, err))
		}
	}
	return errors.Join(errs...)
}

// ownedSafely says what is wrong with a file or directory others could
// change; its errors read after the file's name.
func ownedSafely(path string, st fs.FileInfo) error {
	if perm := st.Mode().Perm(); perm&0o022 != 0 {
		return fmt.Errorf("is writable by group or others (mode %04o), so someone else could replace the plugin; "+
			"orgbaseline refuses to run it: make it writable by its owner only (chmod go-w %s)", perm, path)
	}
	if uid, ok := fileOwner(st); ok && uid != 0 && uid != os.Geteuid() {
		return fmt.Errorf("is owned by uid %d, neither root nor the user running orgbaseline (uid %d), so that user could replace the plugin; "+
			"orgbaseline refuses to run it: chown it to root or to uid %d (chown %d %s)", uid, os.Geteuid(), os.Geteuid(), os.Geteuid(), path)
	}
	return nil
}

// checkPinned compares a binary's sha256 with the pinned one. Every
// refusal prints the actual checksum, so the fix can be pasted once the
// binary is known to be the right one.
func checkPinned(s Spec, actual []byte) error {
	got := hex.EncodeToString(actual)
	pinned := strings.ToLower(strings.TrimSpace(s.SHA256))
	switch {
	case pinned == "":
		return fmt.Errorf("plugin %s (%s) is not pinned: orgbaseline refuses to launch a plugin without a checksum; "+
			"once you trust this binary, add `sha256: %s` to its plugins: entry", s.Name, s.Path, got)
	case len(pinned) != sha256.Size*2 || !isHex(pinned):
		return fmt.Errorf("plugin %s: sha256 %q is not a sha256 checksum (64 hex characters); the binary at %s has sha256 %s",
			s.Name, s.SHA256, s.Path, got)
	case pinned != got:
		return fmt.Errorf("plugin %s: %s does not match its pinned checksum and was not launched: pinned sha256 %s, actual sha256 %s; "+
			"if you rebuilt or upgraded the plugin on purpose, pin the new checksum (sha256: %s), otherwise find out who changed the binary",
			s.Name, s.Path, pinned, got, got)
	}
	return nil
}
