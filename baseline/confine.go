package baseline

import (
	"path/filepath"
	"strings"
)

// tree is the directory tree extended files must come from: the directory
// of the top-level baseline file and everything under it. A baseline is
// reviewed as a directory; extends reaching out of it (an absolute path,
// ../, a symbolic link pointing elsewhere) would read files nobody
// reviewed with it, such as credentials, and quote them in errors.
type tree struct {
	dir  string // absolute, as given: for messages and the lexical check
	real string // dir with every symbolic link resolved
}

// newTree confines extends to absDir. When absDir cannot be resolved
// (it does not exist), real is absDir itself and nothing under it
// resolves either, so nothing is admitted by mistake.
func newTree(absDir string) tree {
	real, err := filepath.EvalSymlinks(absDir)
	if err != nil {
		real = absDir
	}
	return tree{dir: filepath.Clean(absDir), real: real}
}

// within reports whether path (absolute, cleaned) is root or under it.
func within(root, path string) bool {
	rel, err := filepath.Rel(root, path)
	return err == nil && rel != ".." && !strings.HasPrefix(rel, ".."+string(filepath.Separator)) && !filepath.IsAbs(rel)
}
