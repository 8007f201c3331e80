package baseline

import "gopkg.in/yaml.v3"

// nodeFiles records, for every node, the display name of the file it was
// read from, so that positions still point into the original file after
// nodes from several files have been merged into one tree.
type nodeFiles map[*yaml.Node]string

// register records file for n and every node under it. Aliases are not
// followed: their targets are registered where they are defined.
func (f nodeFiles) register(n *yaml.Node, file string) {
	if n == nil {
		return
	}
	if _, seen := f[n]; seen {
		return
	}
	f[n] = file
	for _, c := range n.Content {
		f.register(c, file)
	}
}

// pos returns where n was written.
func (f nodeFiles) pos(n *yaml.Node) Position {
	if n == nil {
		return Position{}
	}
	return Position{File: f[n], Line: n.Line, Column: n.Column}
}

// derefNode follows aliases (*name) to the node they stand for.
func derefNode(n *yaml.Node) *yaml.Node {
	for i := 0; n != nil && n.Kind == yaml.AliasNode && n.Alias != nil && i < 100; i++ {
		n = n.Alias
	}
	return n
}

// mergeNodes overlays over on base and returns the result; neither input is
// changed. The merge rule:
//
//   - two mappings merge key by key, recursively;
//   - anything else (a scalar, a list, a mapping over a non-mapping, null)
//     in over replaces what base had, entirely: lists are not appended.
//
// New mapping nodes are copies of base's, and are registered in files
// under base's file; every other node is shared with the inputs, so its
// position still names the file it came from.
func mergeNodes(files nodeFiles, base, over *yaml.Node) *yaml.Node {
	base, over = derefNode(base), derefNode(over)
	if base == nil {
		return over
	}
	if over == nil {
		return base
	}
	if base.Kind != yaml.MappingNode || over.Kind != yaml.MappingNode {
		return over
	}
	out := *base
	out.Content = append([]*yaml.Node(nil), base.Content...)
	files[&out] = files[base]
	index := make(map[string]int, len(out.Content)/2)
	for i := 0; i+1 < len(out.Content); i += 2 {
		index[out.Content[i].Value] = i
	}
	for i := 0; i+1 < len(over.Content); i += 2 {
		k, v := over.Content[i], over.Content[i+1]
		if j, ok := index[k.Value]; ok {
			out.Content[j] = k
			out.Content[j+1] = mergeNodes(files, out.Content[j+1], v)
			continue
		}
		index[k.Value] = len(out.Content)
		out.Content = append(out.Content, k, v)
	}
	return &out
}

// withoutKeys returns a copy of mapping n without the given top-level
// keys (registered in files under n's file); n itself is not changed.
func withoutKeys(files nodeFiles, n *yaml.Node, keys ...string) *yaml.Node {
	out := *n
	out.Content = nil
	files[&out] = files[n]
next:
	for i := 0; i+1 < len(n.Content); i += 2 {
		for _, k := range keys {
			if n.Content[i].Value == k {
				continue next
			}
		}
		out.Content = append(out.Content, n.Content[i], n.Content[i+1])
	}
	return &out
}
