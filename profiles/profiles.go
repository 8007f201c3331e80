package profiles

import (
	"embed"
	"io/fs"
	"sort"
	"strings"
)

//go:embed *.yaml
var files embed.FS

const ext = ".yaml"

// Lookup returns the YAML text of the named profile ("minimal", without
// ".yaml"), and whether it exists.
func Lookup(name string) ([]byte, bool) {
	if name == "" || strings.ContainsAny(name, `/\`) || strings.HasSuffix(name, ext) {
		return nil, false
	}
	data, err := files.ReadFile(name + ext)
	if err != nil {
		return nil, false
	}
	return data, true
}

// Names returns the names of all profiles, sorted.
func Names() []string {
	entries, err := fs.ReadDir(files, ".")
	if err != nil {
		return nil
	}
	var names []string
	for _, e := range entries {
		if !e.IsDir() && strings.HasSuffix(e.Name(), ext) {
			names = append(names, strings.TrimSuffix(e.Name(), ext))
		}
	}
	sort.Strings(names)
	return names
}

// Describe returns the one-line description of the named profile: the
// text of the first comment line of its file, before any YAML. It returns
// "" for an unknown profile or one that does not start with a comment.
func Describe(name string) string {
	data, ok := Lookup(name)
	if !ok {
		return ""
	}
	for _, line := range strings.Split(string(data), "\n") {
		line = strings.TrimSpace(line)
		switch {
		case line == "", strings.HasPrefix(line, "# yaml-language-server:"):
			continue // the editor's schema modeline is not the description
		case strings.HasPrefix(line, "#"):
			return strings.TrimSpace(strings.TrimLeft(line, "#"))
		default:
			return ""
		}
	}
	return ""
}
