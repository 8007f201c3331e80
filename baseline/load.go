package baseline

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"

	"gopkg.in/yaml.v3"

	"github.com/orgbaseline/orgbaseline/profiles"
)

// Load reads the baseline file at path together with every profile and
// file it extends, merges them, checks the result strictly and fills the
// defaults. On any problem it returns a nil *Baseline and Diagnostics
// listing every problem found, sorted by file, line and column.
func Load(path string) (*Baseline, error) {
	return loadFile(path, builtinProfiles)
}

// LoadBytes is Load for a file already read: name is the file name used
// in positions (and in Sources), dir the directory that relative extends
// are resolved against ("" is the current directory).
func LoadBytes(name string, data []byte, dir string) (*Baseline, error) {
	return loadBytes(name, data, dir, builtinProfiles)
}

// profileSet is where profile names are looked up; tests use their own.
type profileSet struct {
	lookup func(name string) ([]byte, bool)
	names  func() []string
}

var builtinProfiles = profileSet{lookup: profiles.Lookup, names: profiles.Names}

func loadFile(path string, ps profileSet) (*Baseline, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, Diagnostics{{Pos: Position{File: path}, Message: readError("cannot read the baseline file", err)}}
	}
	absPath, err := filepath.Abs(path)
	if err != nil {
		return nil, Diagnostics{{Pos: Position{File: path}, Message: fmt.Sprintf("cannot resolve the path: %v", err)}}
	}
	top := &sourceFile{name: path, id: absPath, entry: absPath, dir: filepath.Dir(path)}
	return load(top, data, filepath.Dir(absPath), ps)
}

func loadBytes(name string, data []byte, dir string, ps profileSet) (*Baseline, error) {
	absDir, err := filepath.Abs(dir)
	if err != nil {
		return nil, Diagnostics{{Pos: Position{File: name}, Message: fmt.Sprintf("cannot resolve the directory %s: %v", quote(dir), err)}}
	}
	top := &sourceFile{name: name, id: filepath.Join(absDir, filepath.Base(name)), entry: name, dir: dir}
	return load(top, data, absDir, ps)
}

// sourceFile is one file or profile taking part in a load.
type sourceFile struct {
	name    string // display name, used in positions: a path or "profile:<name>"
	id      string // identity, for cycles and for applying a source once: an absolute path or "profile:<name>"
	entry   string // the entry in Baseline.Sources
	dir     string // directory that relative extends are resolved against, in display form
	profile bool

	root    *yaml.Node // the top-level mapping; nil when the file is unusable
	extends []extendRef
}

// extendRef is one entry of a file's extends list.
type extendRef struct {
	ref  string
	node *yaml.Node
}

const (
	stateUnvisited = iota
	stateVisiting
	stateVisited
)

type loader struct {
	c        collector
	profiles profileSet
	tree     tree // where extended files may come from
	files    nodeFiles
	cache    map[string]*sourceFile // by id
	state    map[string]int         // by id
	stack    []*sourceFile
	order    []*sourceFile // merge order: every source after those it extends
}

func load(top *sourceFile, data []byte, absDir string, ps profileSet) (*Baseline, error) {
	l := &loader{profiles: ps, files: nodeFiles{}, cache: map[string]*sourceFile{}, state: map[string]int{}, tree: newTree(absDir)}
	// Sources are told apart by their real path, so that a file reached
	// through a symbolic link is the file itself (cycles, applied once).
	if real, err := filepath.EvalSymlinks(top.id); err == nil {
		top.id = real
	}
	l.cache[top.id] = top
	l.parse(top, data)
	if top.root == nil {
		return nil, l.c.sorted()
	}
	l.visit(top)

	docs := make([]*yaml.Node, 0, len(l.order))
	for _, s := range l.order {
		if s.root != nil {
			docs = append(docs, withoutKeys(l.files, s.root, "version", "extends"))
		}
	}
	// Check every file on its own first, so that a mistake in an extended
	// file is reported even where a later file overrides it.
	if len(docs) > 1 {
		for _, doc := range docs {
			b, idx := decodeDocument(&l.c, l.files, doc)
			validateBaseline(b, &validation{c: &l.c, idx: idx})
		}
	}
	var (
		merged   *yaml.Node
		replaced []ReplacedPolicies
	)
	for _, doc := range docs {
		replaced = append(replaced, replacedPolicies(l.files, merged, doc)...)
		merged = mergeNodes(l.files, merged, doc)
	}
	b, idx := decodeDocument(&l.c, l.files, merged)
	b.Replaced = replaced
	validateBaseline(b, &validation{c: &l.c, idx: idx, full: true})
	if len(l.c.diags) > 0 {
		return nil, l.c.sorted()
	}

	applyDefaults(b, idx)
	for alias := range b.Organization.Accounts {
		if b.Organization.AccountPositions == nil {
			b.Organization.AccountPositions = map[string]Position{}
		}
		b.Organization.AccountPositions[alias] = idx.pos("organization.accounts." + alias)
	}
	b.Version = Version
	for _, e := range top.extends {
		b.Extends = append(b.Extends, e.ref)
	}
	for _, s := range l.order {
		b.Sources = append(b.Sources, s.entry)
	}
	b.Dir = absDir
	return b, nil
}

// visit loads what src extends, depth first, then appends src to the
// merge order. A source reached a second time (two files extending the
// same profile) is applied once, at its first place.
func (l *loader) visit(src *sourceFile) {
	l.state[src.id] = stateVisiting
	l.stack = append(l.stack, src)
	for _, ref := range src.extends {
		child := l.resolve(src, ref)
		if child == nil {
			continue
		}
		switch l.state[child.id] {
		case stateVisiting:
			var chain []string
			for i := len(l.stack) - 1; i >= 0; i-- {
				chain = append([]string{l.stack[i].name}, chain...)
				if l.stack[i] == child {
					break
				}
			}
			chain = append(chain, child.name)
			l.c.add(l.files.pos(ref.node), "extends cycle: %s; remove one of these extends", strings.Join(chain, " -> "))
		case stateUnvisited:
			if child.root != nil {
				l.visit(child)
			}
		}
	}
	l.stack = l.stack[:len(l.stack)-1]
	l.state[src.id] = stateVisited
	l.order = append(l.order, src)
}

// isPathRef tells a file reference from a profile name.
func isPathRef(ref string) bool {
	return strings.Contains(ref, "/") || strings.HasSuffix(ref, ".yaml") || strings.HasSuffix(ref, ".yml")
}

// resolve finds, reads and parses what ref names, or reports why it
// cannot and returns nil.
func (l *loader) resolve(from *sourceFile, ref extendRef) *sourceFile {
	pos := l.files.pos(ref.node)
	if !isPathRef(ref.ref) {
		id := "profile:" + ref.ref
		if s, ok := l.cache[id]; ok {
			return s
		}
		data, ok := l.profiles.lookup(ref.ref)
		if !ok {
			names := l.profiles.names()
			msg := fmt.Sprintf("unknown profile %s", quote(ref.ref))
			if s := closestMatch(ref.ref, names); s != "" {
				msg += fmt.Sprintf("; did you mean %q?", s)
			}
			msg += " (available profiles: " + strings.Join(names, ", ") + "; a file path must contain \"/\" or end in .yaml, e.g. ./" + clip(ref.ref) + ".yaml)"
			l.c.add(pos, "%s", msg)
			return nil
		}
		s := &sourceFile{name: id, id: id, entry: id, profile: true}
		l.cache[id] = s
		l.parse(s, data)
		return s
	}
	if from.profile {
		l.c.add(pos, "%s cannot extend the file %s; a profile may only extend other profiles", from.name, quote(ref.ref))
		return nil
	}
	absPath, real, ok := l.confine(from, ref, pos)
	if !ok {
		return nil
	}
	if s, ok := l.cache[real]; ok {
		return s
	}
	display := filepath.Join(from.dir, ref.ref)
	data, err := os.ReadFile(real)
	if err != nil {
		l.c.add(pos, "%s", readError(fmt.Sprintf("cannot read the extended file %s (in %s)", quote(ref.ref), filepath.Dir(display)), err))
		return nil
	}
	s := &sourceFile{name: display, id: real, entry: absPath, dir: filepath.Dir(display)}
	l.cache[real] = s
	l.parse(s, data)
	return s
}

// confine finds the file ref names, relative to the file from that names
// it, and returns its absolute and real (symbolic links resolved) paths,
// or reports why it may not be read and returns ok false. Only files in
// the top-level baseline's directory tree may be extended (tree): an
// absolute path is refused as written, a path leading out of the tree
// before anything is read, a symbolic link leading out once resolved.
func (l *loader) confine(from *sourceFile, ref extendRef, pos Position) (absPath, real string, ok bool) {
	const fix = "extends may only name a built-in profile or a file inside the baseline's directory %s, by a path relative to the file that names it; copy the file into that directory, or use a profile"
	if filepath.IsAbs(ref.ref) || strings.HasPrefix(ref.ref, "/") || strings.HasPrefix(ref.ref, `\`) {
		l.c.add(pos, "extends: %s is an absolute path; "+fix, quote(ref.ref), l.tree.dir)
		return "", "", false
	}
	display := filepath.Join(from.dir, ref.ref)
	absPath, err := filepath.Abs(display)
	if err != nil {
		l.c.add(pos, "cannot resolve the path %s: %v", quote(ref.ref), err)
		return "", "", false
	}
	if !within(l.tree.dir, absPath) {
		l.c.add(pos, "extends: %s is outside the baseline's directory; "+fix, quote(ref.ref), l.tree.dir)
		return "", "", false
	}
	real, err = filepath.EvalSymlinks(absPath)
	switch {
	case errors.Is(err, fs.ErrNotExist):
		msg := fmt.Sprintf("extended file %s not found (looked in %s); fix the path, which is relative to the directory of the file that names it", quote(ref.ref), filepath.Dir(display))
		base := strings.TrimSuffix(strings.TrimSuffix(filepath.Base(ref.ref), ".yaml"), ".yml")
		if _, ok := l.profiles.lookup(base); ok {
			msg += fmt.Sprintf(", or write %s to use the profile", clip(base))
		}
		l.c.add(pos, "%s", msg)
		return "", "", false
	case err != nil:
		l.c.add(pos, "%s", readError(fmt.Sprintf("cannot read the extended file %s (in %s)", quote(ref.ref), filepath.Dir(display)), err))
		return "", "", false
	case !within(l.tree.real, real):
		l.c.add(pos, "extends: %s is a symbolic link, or passes through one, to a file outside the baseline's directory; "+fix, quote(ref.ref), l.tree.dir)
		return "", "", false
	}
	return absPath, real, true
}

func readError(what string, err error) string {
	switch {
	case errors.Is(err, fs.ErrNotExist):
		return what + ": file not found; check the path"
	case errors.Is(err, fs.ErrPermission):
		return what + ": permission denied; make the file readable"
	}
	var pe *fs.PathError
	if errors.As(err, &pe) {
		err = pe.Err
	}
	return fmt.Sprintf("%s: %v", what, err)
}

// parse decodes data into src.root and checks what must be checked per
// file: YAML syntax, a single mapping document, duplicate keys, version
// and extends. src.root stays nil when the file cannot be used at all.
func (l *loader) parse(src *sourceFile, data []byte) {
	dec := yaml.NewDecoder(bytes.NewReader(data))
	var doc yaml.Node
	err := safeDecode(dec, &doc)
	switch {
	case err == io.EOF:
		l.c.add(Position{File: src.name, Line: 1, Column: 1}, "the file is empty; a baseline needs at least \"version: 1\"")
		return
	case err != nil:
		l.syntaxError(src.name, data, err)
		return
	}
	l.files.register(&doc, src.name)
	var extra yaml.Node
	switch err := safeDecode(dec, &extra); {
	case err == nil:
		l.files.register(&extra, src.name)
		l.c.add(l.files.pos(&extra), "a second YAML document (after ---); keep the whole baseline in one document")
	case err != io.EOF:
		l.syntaxError(src.name, data, err)
	}
	if doc.Kind != yaml.DocumentNode || len(doc.Content) != 1 {
		l.c.add(Position{File: src.name, Line: 1, Column: 1}, "the file is empty; a baseline needs at least \"version: 1\"")
		return
	}
	root := doc.Content[0]
	switch {
	case isNullNode(root):
		l.c.add(l.files.pos(root), "the file is empty; a baseline needs at least \"version: 1\"")
		return
	case root.Kind != yaml.MappingNode:
		// The content is not quoted: a file that is not a baseline at
		// all (a credentials file named by mistake) reads as one scalar.
		got := "a list; write \"key: value\" lines, not a list"
		if root.Kind != yaml.SequenceNode {
			got = "a single value (not shown; is this a baseline file?); write \"key: value\" lines"
		}
		l.c.add(l.files.pos(root), "the top level must be a mapping of keys (version, organization, targets, controls), got %s", got)
		return
	}
	if !checkFile(&l.c, l.files, root) {
		return
	}
	src.root = root
	l.checkVersion(src)
	l.readExtends(src)
}

// safeDecode guards against a panic inside the YAML parser.
func safeDecode(dec *yaml.Decoder, n *yaml.Node) (err error) {
	defer func() {
		if r := recover(); r != nil {
			err = fmt.Errorf("yaml: %v", r)
		}
	}()
	return dec.Decode(n)
}

var yamlLineRe = regexp.MustCompile(`^yaml: line (\d+): (.*)$`)

// syntaxError reports a YAML parse error. yaml.v3 often gives the line
// where the enclosing block starts (counted from 0) rather than the line
// at fault, and sometimes no line at all; so the line reported is the
// first line at which a prefix of the file fails with the same error, or
// else the line yaml.v3 gives.
func (l *loader) syntaxError(name string, data []byte, err error) {
	line, msg := splitYAMLError(err)
	if at := findErrorLine(data, msg); at > 0 {
		line = at
	}
	msg = clipQuotedParts(msg)
	l.c.add(Position{File: name, Line: line}, "YAML syntax error: %s; check the indentation, colons and quoting on this line and the ones just before", msg)
}

// quotedPartRe matches what a yaml.v3 message quotes from the file (an
// anchor name, a value).
var quotedPartRe = regexp.MustCompile("'[^']*'|\"[^\"]*\"|`[^`]*`")

// clipQuotedParts cuts every quoted part of a YAML error message to a
// short prefix: the message may quote the file, which may not be a
// baseline at all.
func clipQuotedParts(msg string) string {
	return quotedPartRe.ReplaceAllStringFunc(msg, func(q string) string {
		return q[:1] + clip(q[1:len(q)-1]) + q[len(q)-1:]
	})
}

func splitYAMLError(err error) (line int, msg string) {
	msg = err.Error()
	if m := yamlLineRe.FindStringSubmatch(msg); m != nil {
		line, _ = strconv.Atoi(m[1])
		return line, m[2]
	}
	return 0, strings.TrimPrefix(msg, "yaml: ")
}

func findErrorLine(data []byte, msg string) int {
	lines := bytes.SplitAfter(data, []byte("\n"))
	if len(lines) > 5000 {
		return 0
	}
	for i := 1; i <= len(lines); i++ {
		dec := yaml.NewDecoder(bytes.NewReader(bytes.Join(lines[:i], nil)))
		var err error
		for err == nil {
			var n yaml.Node
			err = safeDecode(dec, &n)
		}
		if err == io.EOF {
			continue
		}
		if _, m := splitYAMLError(err); m == msg {
			return i
		}
	}
	return 0
}

// mappingValue returns the value of key in mapping n (the first one if
// the key is repeated), and the key node.
func mappingValue(n *yaml.Node, key string) (k, v *yaml.Node) {
	for i := 0; i+1 < len(n.Content); i += 2 {
		if n.Content[i].Kind == yaml.ScalarNode && n.Content[i].Value == key {
			return n.Content[i], derefNode(n.Content[i+1])
		}
	}
	return nil, nil
}

func (l *loader) checkVersion(src *sourceFile) {
	_, v := mappingValue(src.root, "version")
	switch {
	case v == nil:
		l.c.add(l.files.pos(src.root), "missing required key \"version\"; add \"version: 1\" at the top of the file")
	case v.Kind != yaml.ScalarNode || v.ShortTag() != "!!int":
		l.c.add(l.files.pos(v), "version: expected the integer 1, got %s; write \"version: 1\"", describeNode(v))
	case v.Value != "1":
		var n int
		if v.Decode(&n) == nil && n == Version {
			return
		}
		l.c.add(l.files.pos(v), "unsupported version %s; this orgbaseline reads version 1 files: write \"version: 1\" and the version 1 format", clip(v.Value))
	}
}

func (l *loader) readExtends(src *sourceFile) {
	_, v := mappingValue(src.root, "extends")
	if v == nil {
		return
	}
	if v.Kind != yaml.SequenceNode {
		fix := "write a list: extends: [cis-aws-foundations-3.0, ./base.yaml]"
		if v.Kind == yaml.ScalarNode && !isNullNode(v) {
			fix = fmt.Sprintf("write a list: extends: [%s]", clip(v.Value))
		} else if isNullNode(v) {
			fix = "list profiles or files, or remove the key"
		}
		l.c.add(l.files.pos(v), "extends: expected a list of profile names and file paths, got %s; %s", describeNode(v), fix)
		return
	}
	seen := map[string]int{}
	for i, item := range v.Content {
		item = derefNode(item)
		switch {
		case item.Kind != yaml.ScalarNode || isNullNode(item) || item.ShortTag() == "!!bool":
			l.c.add(l.files.pos(item), "extends[%d]: expected a profile name or a file path, got %s", i, describeNode(item))
		case strings.TrimSpace(item.Value) == "":
			l.c.add(l.files.pos(item), "extends[%d] is empty; give a profile name or a file path, or remove the entry", i)
		case item.Value != strings.TrimSpace(item.Value):
			l.c.add(l.files.pos(item), "extends[%d] %s has leading or trailing spaces; remove them", i, quote(item.Value))
		default:
			if j, dup := seen[item.Value]; dup {
				l.c.add(l.files.pos(item), "%s is listed twice in extends (also at line %d); remove one", quote(item.Value), v.Content[j].Line)
				continue
			}
			seen[item.Value] = i
			src.extends = append(src.extends, extendRef{ref: item.Value, node: item})
		}
	}
}
