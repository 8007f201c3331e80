package orgsim

import (
	"bytes"
	"encoding/json"
	"fmt"
	"strings"

	"github.com/orgbaseline/orgbaseline/internal/mgmtpolicy"
)

// orgsim's own picture of how AWS merges management policies into an
// account's effective policy (Organizations user guide, "Understanding
// management policy inheritance", "Inheritance operators" and
// "Inheritance examples"). It is deliberately not in internal/mgmtpolicy:
// the tool reads effective policies that this merge produces, and must not
// share the emulator's reading of the rules.
//
// The rules, from root to account:
//   - @@assign "Overwrites any inherited policy settings with the specified
//     settings. If the specified setting isn't inherited, this operator adds
//     it": a string or a whole list replaces what was inherited.
//   - @@append "Adds the specified settings (without removing any) to the
//     inherited ones", @@remove "Removes the specified inherited settings
//     from the effective policy, if they exist"; both "with only
//     multi-valued settings". orgsim appends only values not already in the
//     list (example 2 shows no duplicates; AWS does not say). A list that
//     @@remove empties leaves the effective policy (example 3: the removed
//     enforced_for is gone, "Compliance is not enforced").
//   - @@operators_allowed_for_child_policies restricts the value-setting
//     operators of policies attached lower in the tree, never those at its
//     own level (policy E assigns and restricts the same setting); "If an
//     inherited child control operator limits the use of an operator, you
//     can't reverse that rule in a child policy", so restrictions only
//     narrow; policies attached to the same entity restrict to "the
//     intersection of the allowed operators" (example 5). A restriction in
//     a setting governs that setting; one in an object above settings
//     governs adding new keys to that object (AI services opt-out policy
//     syntax: under "services" it "prevents any child policy from adding
//     any new sections"). A child policy's disallowed operator is ignored,
//     as example 4 shows ("Policy F attempts to change the case treatment,
//     but it can't"), and reported as a problem.
//   - Policies attached to one entity are "evaluated based on the order in
//     which they were attached"; of two @@assign of one setting at the same
//     level, the first attached wins (example 6).
//   - Values are rendered without operators ("The syntax doesn't include
//     the operators needed to control merging").
//   - Tag policy keys (the keys under "tags") are not case sensitive (Tag
//     policy syntax): they merge whatever their case, and the effective
//     policy keeps the first spelling.
//
// The examples' effective policies have two evident typos that orgsim does
// not reproduce: example 4 shows "tag_key": "project" where policy E
// assigns "Project" (examples 1 to 3 keep the assigned case), and example 6
// shows " PROJECT" with a leading space.

// Operator bits of a child control restriction.
const (
	opBitAssign uint8 = 1 << iota
	opBitAppend
	opBitRemove
	opBitsAll = opBitAssign | opBitAppend | opBitRemove
)

func opBit(op string) uint8 {
	switch op {
	case mgmtpolicy.OpAssign:
		return opBitAssign
	case mgmtpolicy.OpAppend:
		return opBitAppend
	case mgmtpolicy.OpRemove:
		return opBitRemove
	}
	return 0
}

func opBits(list []string) uint8 {
	var m uint8
	for _, op := range list {
		switch op {
		case mgmtpolicy.ChildOpsAll:
			m = opBitsAll
		default:
			m |= opBit(op)
		}
	}
	return m
}

func opBitsString(m uint8) string {
	if m == 0 {
		return `["@@none"]`
	}
	var ops []string
	for _, op := range []string{mgmtpolicy.OpAssign, mgmtpolicy.OpAppend, mgmtpolicy.OpRemove} {
		if m&opBit(op) != 0 {
			ops = append(ops, `"`+op+`"`)
		}
	}
	return "[" + strings.Join(ops, ",") + "]"
}

// effNode is a node of an effective policy: an object (keys, children)
// or a leaf value (a string or a []string).
type effNode struct {
	keys     []string
	children map[string]*effNode
	leaf     bool
	value    any
}

func newEffObject() *effNode { return &effNode{children: map[string]*effNode{}} }

// merger merges one policy type's documents.
type merger struct {
	typ      string
	root     *effNode
	restrict map[string]uint8 // path key -> operators allowed below the level that set it
	problems []string
}

// mergeEffective merges the documents of one management policy type
// attached along an account's path, levels[0] at the root and the last at
// the account, each level in attachment order, into the effective policy
// AWS's DescribeEffectivePolicy returns. problems lists the operators the
// rules ignored, naming level, policy and path.
func mergeEffective(policyType string, levels [][]*mgmtpolicy.Document) (effective []byte, problems []string) {
	m := &merger{typ: policyType, root: newEffObject(), restrict: map[string]uint8{}}
	for li, level := range levels {
		assigned := map[string]bool{}
		pending := map[string]uint8{}
		for pi, doc := range level {
			for _, s := range doc.Settings() {
				where := fmt.Sprintf("level %d policy %d: %s", li, pi, strings.Join(s.Path, "."))
				if s.Op == mgmtpolicy.OpChildOps {
					m.pendRestriction(pending, s)
					continue
				}
				m.apply(where, s, assigned)
			}
		}
		for k, bits := range pending {
			if cur, ok := m.restrict[k]; ok {
				bits &= cur
			}
			m.restrict[k] = bits
		}
	}
	var b bytes.Buffer
	m.root.render(&b)
	return b.Bytes(), m.problems
}

func (m *merger) pendRestriction(pending map[string]uint8, s mgmtpolicy.Setting) {
	l, ok := s.Value.([]string)
	if !ok {
		return
	}
	k := m.key(s.Path)
	bits := opBits(l)
	if cur, ok := pending[k]; ok {
		bits &= cur
	}
	pending[k] = bits
}

// key is the restriction key of a path: tag policy keys fold case.
func (m *merger) key(path []string) string {
	p := append([]string(nil), path...)
	if m.typ == "TAG_POLICY" && len(p) > 1 {
		p[1] = strings.ToLower(p[1])
	}
	return strings.Join(p, "\x00")
}

// child returns the child k of n, folding case for tag policy keys.
func (m *merger) child(n *effNode, depth int, k string) (string, *effNode) {
	if c, ok := n.children[k]; ok {
		return k, c
	}
	if m.typ == "TAG_POLICY" && depth == 1 {
		for _, have := range n.keys {
			if strings.EqualFold(have, k) {
				return have, n.children[have]
			}
		}
	}
	return k, nil
}

// find returns the node at path, or nil, and the depth of the first
// missing segment (len(path) when found).
func (m *merger) find(path []string) (*effNode, int) {
	n := m.root
	for i, k := range path {
		if n.leaf {
			return nil, i
		}
		_, c := m.child(n, i, k)
		if c == nil {
			return nil, i
		}
		n = c
	}
	return n, len(path)
}

// allowed checks op at path against the restrictions inherited from
// higher levels; it returns the restricting path when op is not allowed.
func (m *merger) allowed(path []string, op string) (bool, string, uint8) {
	bit := opBit(op)
	if r, ok := m.restrict[m.key(path)]; ok && r&bit == 0 {
		return false, strings.Join(path, "."), r
	}
	if _, missing := m.find(path); missing < len(path) && missing > 0 {
		parent := path[:missing]
		if r, ok := m.restrict[m.key(parent)]; ok && r&bit == 0 {
			return false, strings.Join(parent, "."), r
		}
	}
	return true, "", 0
}

func (m *merger) apply(where string, s mgmtpolicy.Setting, assigned map[string]bool) {
	if ok, at, r := m.allowed(s.Path, s.Op); !ok {
		m.problems = append(m.problems, fmt.Sprintf("%s: %s ignored: a parent policy allows only %s at %s", where, s.Op, opBitsString(r), at))
		return
	}
	switch s.Op {
	case mgmtpolicy.OpAssign:
		k := m.key(s.Path)
		if assigned[k] {
			return // the first policy attached at this level wins (example 6)
		}
		assigned[k] = true
		m.set(where, s.Path, copyEffValue(s.Value))
	case mgmtpolicy.OpAppend:
		m.appendValues(where, s)
	case mgmtpolicy.OpRemove:
		m.removeValues(where, s)
	}
}

func copyEffValue(v any) any {
	if l, ok := v.([]string); ok {
		return append([]string{}, l...)
	}
	return v
}

// set puts value at path, creating objects on the way.
func (m *merger) set(where string, path []string, value any) {
	n := m.root
	for i, k := range path {
		name, c := m.child(n, i, k)
		if c == nil {
			c = newEffObject()
			n.keys = append(n.keys, name)
			n.children[name] = c
		}
		last := i == len(path)-1
		if !last && c.leaf {
			m.problems = append(m.problems, where+": ignored: an inherited policy sets a value at "+strings.Join(path[:i+1], "."))
			return
		}
		if last && !c.leaf && len(c.keys) > 0 {
			m.problems = append(m.problems, where+": ignored: an inherited policy has settings below it")
			return
		}
		n = c
	}
	n.leaf, n.value, n.keys, n.children = true, value, nil, nil
}

func (m *merger) appendValues(where string, s mgmtpolicy.Setting) {
	add, _ := s.Value.([]string)
	n, _ := m.find(s.Path)
	if n == nil || (!n.leaf && len(n.keys) == 0) {
		m.set(where, s.Path, append([]string{}, add...))
		return
	}
	have, ok := n.value.([]string)
	if !n.leaf || !ok {
		m.problems = append(m.problems, where+": @@append ignored: the inherited setting is not a list")
		return
	}
	for _, v := range add {
		if !containsString(have, v) {
			have = append(have, v)
		}
	}
	n.value = have
}

func (m *merger) removeValues(where string, s mgmtpolicy.Setting) {
	drop, _ := s.Value.([]string)
	n, _ := m.find(s.Path)
	if n == nil {
		return
	}
	have, ok := n.value.([]string)
	if !n.leaf || !ok {
		m.problems = append(m.problems, where+": @@remove ignored: the inherited setting is not a list")
		return
	}
	kept := []string{}
	for _, v := range have {
		if !containsString(drop, v) {
			kept = append(kept, v)
		}
	}
	n.value = kept
	if len(kept) == 0 {
		m.prune(s.Path)
	}
}

// prune deletes the node at path and the objects it leaves empty, but
// never the type's top-level key.
func (m *merger) prune(path []string) {
	for len(path) > 1 {
		parent, _ := m.find(path[:len(path)-1])
		if parent == nil {
			return
		}
		name, _ := m.child(parent, len(path)-1, path[len(path)-1])
		delete(parent.children, name)
		for i, k := range parent.keys {
			if k == name {
				parent.keys = append(parent.keys[:i:i], parent.keys[i+1:]...)
				break
			}
		}
		if len(parent.keys) > 0 {
			return
		}
		path = path[:len(path)-1]
	}
}

func containsString(list []string, s string) bool {
	for _, e := range list {
		if e == s {
			return true
		}
	}
	return false
}

// render writes n as JSON, object keys in the order they were first set.
func (n *effNode) render(b *bytes.Buffer) {
	if n.leaf {
		writeJSON(b, n.value)
		return
	}
	b.WriteByte('{')
	for i, k := range n.keys {
		if i > 0 {
			b.WriteByte(',')
		}
		writeJSON(b, k)
		b.WriteByte(':')
		n.children[k].render(b)
	}
	b.WriteByte('}')
}

// writeJSON writes a string or []string as JSON, without escaping <, >
// and & (AWS returns policy text as it was written).
func writeJSON(b *bytes.Buffer, v any) {
	enc := json.NewEncoder(b)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(v); err != nil { // strings and []string always encode
		b.WriteString("null")
		return
	}
	b.Truncate(b.Len() - 1) // Encode's newline
}
