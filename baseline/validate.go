package baseline

import (
	"fmt"
	"reflect"
	"regexp"
	"sort"
	"strconv"
	"strings"

	"gopkg.in/yaml.v3"
)

// This file has the strict decoder, which walks a yaml.Node tree against
// the Go types by reflection (unknown keys, wrong types), and the
// semantic checks run on the decoded values (ranges, formats, cross-field
// rules). Both report Diagnostics positioned in the original files.

// ---- diagnostics collection ----

type collector struct {
	diags Diagnostics
}

func (c *collector) add(pos Position, format string, args ...any) {
	c.diags = append(c.diags, Diagnostic{Pos: pos, Message: fmt.Sprintf(format, args...)})
}

// sorted returns the diagnostics sorted by file, line, column and message,
// without exact duplicates (the same node can be checked once in its own
// file and again in the merged tree).
func (c *collector) sorted() Diagnostics {
	ds := append(Diagnostics(nil), c.diags...)
	sort.SliceStable(ds, func(i, j int) bool {
		a, b := ds[i], ds[j]
		if a.Pos.File != b.Pos.File {
			return a.Pos.File < b.Pos.File
		}
		if a.Pos.Line != b.Pos.Line {
			return a.Pos.Line < b.Pos.Line
		}
		if a.Pos.Column != b.Pos.Column {
			return a.Pos.Column < b.Pos.Column
		}
		return a.Message < b.Message
	})
	out := ds[:0]
	for i, d := range ds {
		if i > 0 && d == ds[i-1] {
			continue
		}
		out = append(out, d)
	}
	return out
}

// ---- strict decoder ----

// scalarDecoder is implemented by types written as one YAML scalar that
// need parsing (Duration, Selector).
type scalarDecoder interface {
	decodeScalar(value string, pos Position) error
	expected() string
}

var scalarDecoderType = reflect.TypeFor[scalarDecoder]()

// guardValuesType is written as one scalar or a list of them.
var guardValuesType = reflect.TypeFor[GuardValues]()

// maxNodes bounds the nodes one decode visits, so that a file of nested
// aliases cannot make loading explode.
const maxNodes = 1_000_000

// posIndex maps a dotted path ("controls.passwordPolicy.maxPasswordAge",
// "targets.include[2]", "organization.accounts.audit") to the value node
// and key node it was decoded from.
type posIndex struct {
	files  nodeFiles
	root   *yaml.Node
	values map[string]*yaml.Node
	keys   map[string]*yaml.Node
	bad    map[string]bool // paths whose value could not be decoded
}

// has reports whether path was present in the decoded tree.
func (x *posIndex) has(path string) bool {
	_, ok := x.values[path]
	return ok
}

// good reports whether path was present and decoded without error.
func (x *posIndex) good(path string) bool {
	return x.has(path) && !x.bad[path]
}

// pos returns the position of path's value, or of its nearest present
// ancestor, or of the document.
func (x *posIndex) pos(path string) Position {
	for {
		if n, ok := x.values[path]; ok {
			return x.files.pos(n)
		}
		i := strings.LastIndexAny(path, ".[")
		if i < 0 {
			return x.files.pos(x.root)
		}
		path = path[:i]
	}
}

// keyPos returns the position of path's key, or pos(path).
func (x *posIndex) keyPos(path string) Position {
	if n, ok := x.keys[path]; ok {
		return x.files.pos(n)
	}
	return x.pos(path)
}

type decoder struct {
	c      *collector
	idx    *posIndex
	budget int
}

// decodeDocument decodes the mapping root into a new Baseline.
func decodeDocument(c *collector, files nodeFiles, root *yaml.Node) (*Baseline, *posIndex) {
	idx := &posIndex{files: files, root: root, values: map[string]*yaml.Node{}, keys: map[string]*yaml.Node{}, bad: map[string]bool{}}
	d := &decoder{c: c, idx: idx, budget: maxNodes}
	b := new(Baseline)
	d.decode(root, reflect.ValueOf(b).Elem(), "")
	return b, idx
}

func (d *decoder) errorf(n *yaml.Node, format string, args ...any) {
	d.c.add(d.idx.files.pos(n), format, args...)
}

func joinPath(path, key string) string {
	if path == "" {
		return key
	}
	return path + "." + key
}

// decode decodes n into v, reporting what is wrong. It returns false when
// n itself could not be decoded (v is then left as it was, and path is
// marked bad so that validation does not report the zero value too);
// problems further down do not count.
func (d *decoder) decode(n *yaml.Node, v reflect.Value, path string) bool {
	n = derefNode(n)
	if d.budget--; d.budget == 0 {
		d.errorf(n, "document too large (or too many nested aliases); simplify it")
	}
	if d.budget <= 0 {
		return false
	}
	d.idx.values[path] = n
	d.decodeValue(n, v, path)
	return !d.idx.bad[path]
}

// fail reports a problem with the value at path and marks it bad.
func (d *decoder) fail(n *yaml.Node, path, format string, args ...any) {
	d.idx.bad[path] = true
	d.errorf(n, format, args...)
}

func (d *decoder) decodeValue(n *yaml.Node, v reflect.Value, path string) {
	if v.Kind() != reflect.Pointer && reflect.PointerTo(v.Type()).Implements(scalarDecoderType) {
		sd := v.Addr().Interface().(scalarDecoder)
		if n.Kind != yaml.ScalarNode || isNullNode(n) {
			d.typeError(n, path, sd.expected())
			return
		}
		if err := sd.decodeScalar(n.Value, d.idx.files.pos(n)); err != nil {
			d.fail(n, path, "%s: %v", path, err)
		}
		return
	}

	if v.Type() == guardValuesType && n.Kind == yaml.ScalarNode && !isNullNode(n) {
		// One value written without a list.
		n = &yaml.Node{Kind: yaml.SequenceNode, Content: []*yaml.Node{n}, Line: n.Line, Column: n.Column}
	}
	switch v.Kind() {
	case reflect.Pointer:
		if isNullNode(n) && v.Type().Elem().Kind() == reflect.Struct {
			d.fail(n, path, "%s has no value; remove the key, or write %s: {} to declare it with its defaults", path, lastKey(path))
			return
		}
		p := reflect.New(v.Type().Elem())
		if d.decode(n, p.Elem(), path) {
			v.Set(p)
		}
	case reflect.Struct:
		d.decodeStruct(n, v, path)
	case reflect.Map:
		d.decodeMap(n, v, path)
	case reflect.Slice:
		d.decodeSlice(n, v, path)
	case reflect.String:
		d.decodeString(n, v, path)
	case reflect.Bool:
		var b bool
		if n.Kind != yaml.ScalarNode || n.ShortTag() != "!!bool" || n.Decode(&b) != nil {
			d.typeError(n, path, "true or false")
			return
		}
		v.SetBool(b)
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64:
		if n.Kind != yaml.ScalarNode || n.ShortTag() != "!!int" {
			d.typeError(n, path, "an integer")
			return
		}
		var i int64
		if err := n.Decode(&i); err != nil || v.OverflowInt(i) {
			d.fail(n, path, "%s: integer %s is too large", path, clip(n.Value))
			return
		}
		v.SetInt(i)
	default:
		// Not used by the baseline types; decode with yaml.v3's rules.
		if err := n.Decode(v.Addr().Interface()); err != nil {
			d.fail(n, path, "%s: %v", path, err)
		}
	}
}

func (d *decoder) decodeString(n *yaml.Node, v reflect.Value, path string) {
	if n.Kind != yaml.ScalarNode || isNullNode(n) {
		d.typeError(n, path, "a string")
		return
	}
	if n.ShortTag() == "!!bool" {
		d.fail(n, path, "%s: expected a string, got the boolean %s; quote it (\"%s\") if you mean the text", path, n.Value, n.Value)
		return
	}
	// Numbers are taken as written (an unquoted account id keeps its
	// leading zeros).
	v.SetString(n.Value)
}

func (d *decoder) decodeSlice(n *yaml.Node, v reflect.Value, path string) {
	if n.Kind != yaml.SequenceNode {
		d.typeError(n, path, "a list")
		return
	}
	s := reflect.MakeSlice(v.Type(), len(n.Content), len(n.Content))
	for i, item := range n.Content {
		d.decode(item, s.Index(i), fmt.Sprintf("%s[%d]", path, i))
	}
	v.Set(s)
}

func (d *decoder) decodeMap(n *yaml.Node, v reflect.Value, path string) {
	if isNullNode(n) {
		return
	}
	if n.Kind != yaml.MappingNode {
		d.typeError(n, path, "a mapping of key: value")
		return
	}
	if v.Type().Key().Kind() != reflect.String {
		panic("baseline: map keys must be strings: " + v.Type().String())
	}
	m := reflect.MakeMapWithSize(v.Type(), len(n.Content)/2)
	for i := 0; i+1 < len(n.Content); i += 2 {
		k, val := n.Content[i], n.Content[i+1]
		if k.Kind != yaml.ScalarNode || k.ShortTag() == "!!merge" {
			continue // reported by checkFile
		}
		p := joinPath(path, k.Value)
		d.idx.keys[p] = k
		e := reflect.New(v.Type().Elem()).Elem()
		if !d.decode(val, e, p) {
			continue
		}
		m.SetMapIndex(reflect.ValueOf(k.Value).Convert(v.Type().Key()), e)
	}
	v.Set(m)
}

func (d *decoder) decodeStruct(n *yaml.Node, v reflect.Value, path string) {
	if isNullNode(n) {
		return // "controls:" with nothing under it is an empty mapping
	}
	if n.Kind != yaml.MappingNode {
		d.typeError(n, path, "a mapping of key: value")
		return
	}
	fields := yamlFields(v.Type())
	for i := 0; i+1 < len(n.Content); i += 2 {
		k, val := n.Content[i], n.Content[i+1]
		if k.Kind != yaml.ScalarNode || k.ShortTag() == "!!merge" {
			continue // reported by checkFile
		}
		f, ok := fields[k.Value]
		if !ok {
			d.errorf(k, "%s", unknownKeyMessage(k.Value, path, fields))
			continue
		}
		p := joinPath(path, k.Value)
		d.idx.keys[p] = k
		d.decode(val, v.FieldByIndex(f), p)
	}
}

// yamlFields maps the yaml key of every exported field of struct type t
// to its field index. The key is the yaml tag's name, or the lowercased
// field name (yaml.v3's rule); fields tagged "-" are not keys.
func yamlFields(t reflect.Type) map[string][]int {
	fields := map[string][]int{}
	for i := 0; i < t.NumField(); i++ {
		f := t.Field(i)
		if !f.IsExported() {
			continue
		}
		name, _, _ := strings.Cut(f.Tag.Get("yaml"), ",")
		switch name {
		case "-":
			continue
		case "":
			name = strings.ToLower(f.Name)
		}
		fields[name] = f.Index
	}
	return fields
}

func sortedFieldKeys(fields map[string][]int) []string {
	keys := make([]string, 0, len(fields))
	for k := range fields {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}

func unknownKeyMessage(key, path string, fields map[string][]int) string {
	valid := sortedFieldKeys(fields)
	where := "at the top level"
	if path != "" {
		where = "in " + path
	}
	msg := fmt.Sprintf("unknown key %s %s", quote(key), where)
	if s := closestMatch(key, valid); s != "" {
		msg += fmt.Sprintf("; did you mean %s?", quote(s))
		msg += " (valid keys: " + strings.Join(valid, ", ") + ")"
	} else {
		msg += "; remove it or use one of: " + strings.Join(valid, ", ")
	}
	return msg
}

func lastKey(path string) string {
	if i := strings.LastIndexAny(path, ".]"); i >= 0 {
		return path[i+1:]
	}
	return path
}

func isNullNode(n *yaml.Node) bool {
	return n.Kind == yaml.ScalarNode && n.ShortTag() == "!!null"
}

// describeNode says what a node is, for "expected X, got Y" messages.
func describeNode(n *yaml.Node) string {
	switch n.Kind {
	case yaml.MappingNode:
		return "a mapping"
	case yaml.SequenceNode:
		return "a list"
	case yaml.ScalarNode:
		switch n.ShortTag() {
		case "!!null":
			return "no value"
		case "!!str":
			return quote(n.Value)
		case "!!bool":
			return "the boolean " + n.Value
		case "!!int", "!!float":
			return "the number " + n.Value
		}
		return quote(n.Value)
	}
	return "something else"
}

func (d *decoder) typeError(n *yaml.Node, path, want string) {
	var fix string
	switch {
	case isNullNode(n):
		fix = "give a value or remove the key"
	case want == "an integer" && n.ShortTag() == "!!str" && isInteger(n.Value):
		fix = "remove the quotes"
	case want == "true or false" && n.Style&(yaml.DoubleQuotedStyle|yaml.SingleQuotedStyle) != 0 && isBoolWord(n.Value):
		fix = "write true or false, without quotes"
	case want == "an integer":
		fix = "write a whole number without quotes, e.g. 14"
	case want == "true or false" && n.Kind == yaml.ScalarNode && isYAML11Bool(n.Value):
		fix = "write true or false (yes, no, on and off are text in YAML 1.2)"
	case want == "true or false":
		fix = "write true or false"
	case want == "a list":
		fix = "write a list: [a, b] or one \"- item\" per line"
	case strings.HasPrefix(want, "a mapping"):
		fix = "write key: value pairs indented under it"
	default:
		fix = "write " + want
	}
	got := describeNode(n)
	if n.ShortTag() == "!!str" && want == "an integer" && isInteger(n.Value) {
		got = "the string " + quote(n.Value)
	}
	d.fail(n, path, "%s: expected %s, got %s; %s", path, want, got, fix)
}

func isInteger(s string) bool {
	_, err := strconv.ParseInt(strings.TrimSpace(s), 10, 64)
	return err == nil
}

func isYAML11Bool(s string) bool {
	switch strings.ToLower(s) {
	case "yes", "no", "on", "off", "y", "n":
		return true
	}
	return false
}

func isBoolWord(s string) bool {
	switch strings.ToLower(strings.TrimSpace(s)) {
	case "true", "false":
		return true
	}
	return false
}

// ---- per-file structural checks ----

// checkFile reports, in one file's tree, what merging would hide:
// duplicate keys in a mapping, keys that are not plain scalars, and YAML
// merge keys ("<<"), which are not supported. It also reports an alias
// that refers to a node containing it; the file is then unusable, and
// checkFile returns false.
func checkFile(c *collector, files nodeFiles, root *yaml.Node) bool {
	ok := true
	done := map[*yaml.Node]bool{}
	open := map[*yaml.Node]bool{}
	var walk func(n *yaml.Node)
	walk = func(n *yaml.Node) {
		if n == nil || done[n] {
			return
		}
		if n.Kind == yaml.AliasNode {
			if open[n.Alias] {
				c.add(files.pos(n), "alias *%s refers to a node that contains it; remove the alias", clip(n.Value))
				ok = false
			}
			return
		}
		open[n] = true
		if n.Kind == yaml.MappingNode {
			first := map[string]*yaml.Node{}
			for i := 0; i+1 < len(n.Content); i += 2 {
				k := n.Content[i]
				switch {
				case k.Kind != yaml.ScalarNode:
					c.add(files.pos(k), "mapping keys must be plain names, got %s; write a name followed by a colon", describeNode(derefNode(k)))
				case k.ShortTag() == "!!merge":
					c.add(files.pos(k), "YAML merge keys (<<) are not supported; use extends to share settings between files, or write the keys out")
				case first[k.Value] != nil:
					c.add(files.pos(k), "duplicate key %s (first at line %d); remove one of them", quote(k.Value), first[k.Value].Line)
				default:
					first[k.Value] = k
				}
			}
		}
		for _, ch := range n.Content {
			walk(ch)
		}
		open[n] = false
		done[n] = true
	}
	walk(root)
	return ok
}

// ---- semantic validation ----

// validation is handed to the validate methods of the baseline's parts.
type validation struct {
	c   *collector
	idx *posIndex
	// full is true for the merged document, where cross-field rules are
	// checked; false when one file is checked on its own, where only
	// rules about single values apply (a value can be overridden or
	// completed by another file).
	full bool
}

// errorf reports a problem with the value at path.
func (v *validation) errorf(path, format string, args ...any) {
	v.c.add(v.idx.pos(path), format, args...)
}

// keyErrorf reports a problem with the key at path.
func (v *validation) keyErrorf(path, format string, args ...any) {
	v.c.add(v.idx.keyPos(path), format, args...)
}

// has reports whether path was set, to a value of the right type (a value
// of the wrong type has been reported already).
func (v *validation) has(path string) bool { return v.idx.good(path) }

// bad reports whether path was set to a value of the wrong type.
func (v *validation) bad(path string) bool { return v.idx.bad[path] }

// intRange reports an integer out of [lo, hi]; fix completes the message.
func (v *validation) intRange(path string, x *int, lo, hi int, fix string) {
	if x != nil && (*x < lo || *x > hi) {
		v.errorf(path, "%s is %d, out of range; %s", path, *x, fix)
	}
}

var (
	guardKeyRe     = regexp.MustCompile(`^[A-Za-z0-9-]+:[A-Za-z0-9_.:/-]+$`)
	roleNameRe     = regexp.MustCompile(`^[\w+=,.@-]{1,64}$`)
	externalIDRe   = regexp.MustCompile(`^[\w+=,.@:/-]+$`) // and 2-1224 characters
	awsRegionRe    = regexp.MustCompile(`^[a-z]{2}(-gov)?-[a-z]+-\d$`)
	accountAliasRe = regexp.MustCompile(`^[a-zA-Z][a-zA-Z0-9]*$`)
)

func validateBaseline(b *Baseline, v *validation) {
	validateOrganization(&b.Organization, v)
	validateTargets(&b.Targets, v)
	validateControls(&b.Controls, v)
	validatePlugins(b.Plugins, v)
}

func validateOrganization(o *Organization, v *validation) {
	const p = "organization."
	if v.has(p + "executionRole") {
		switch r := o.ExecutionRole; {
		case strings.HasPrefix(r, "arn:") || strings.Contains(r, "/"):
			v.errorf(p+"executionRole", "organization.executionRole %s is not a role name; give the name only (e.g. %s), not an ARN or path", quote(r), DefaultExecutionRole)
		case !roleNameRe.MatchString(r):
			v.errorf(p+"executionRole", "organization.executionRole %s is not a valid IAM role name; use 1-64 letters, digits or + = , . @ _ - (or remove the key for %s)", quote(r), DefaultExecutionRole)
		}
	}
	if v.has(p + "externalId") {
		switch x := o.ExternalID; {
		case len(x) < 2 || len(x) > 1224:
			v.errorf(p+"externalId", "organization.externalId is %d characters long; an external id has 2 to 1224 characters (or remove the key)", len(x))
		case !externalIDRe.MatchString(x):
			v.errorf(p+"externalId", "organization.externalId %s has characters an external id cannot have; use only letters, digits and + = , . @ : / _ -", quote(x))
		}
	}
	if v.has(p + "sessionDuration") {
		if d := o.SessionDuration.Duration; d < MinSessionDuration || d > MaxSessionDuration {
			v.errorf(p+"sessionDuration", "organization.sessionDuration %s is out of range; set it between 15m and 12h (the limits of sts:AssumeRole)", o.SessionDuration)
		}
	}
	if v.has(p+"homeRegion") && !awsRegionRe.MatchString(o.HomeRegion) {
		v.errorf(p+"homeRegion", "organization.homeRegion %s is not an AWS region name; write one such as us-east-1 or eu-west-1", quote(o.HomeRegion))
	}
	if v.has(p + "regions") {
		if len(o.Regions) == 0 {
			v.errorf(p+"regions", "organization.regions is empty; list the governed regions, or remove the key to govern only homeRegion")
		}
		first := map[string]int{}
		anyBad := false
		for i, r := range o.Regions {
			rp := fmt.Sprintf("%sregions[%d]", p, i)
			if v.bad(rp) {
				anyBad = true
				continue
			}
			if !awsRegionRe.MatchString(r) {
				v.errorf(rp, "%s %s is not an AWS region name; write one such as us-east-1 or eu-west-1", rp, quote(r))
				continue
			}
			if j, dup := first[r]; dup {
				v.errorf(rp, "region %s is listed twice in organization.regions (first at %s); remove one", quote(r), lineCol(v.idx.pos(fmt.Sprintf("%sregions[%d]", p, j))))
				continue
			}
			first[r] = i
		}
		if v.full && len(o.Regions) > 0 && !anyBad && !v.bad(p+"homeRegion") {
			home := o.HomeRegion
			if !v.has(p + "homeRegion") {
				home = DefaultHomeRegion
			}
			if _, ok := first[home]; !ok && awsRegionRe.MatchString(home) {
				v.errorf(p+"regions", "organization.regions does not include the home region %s; add it to regions, or set homeRegion to one of the listed regions", quote(home))
			}
		}
	}
	if v.has(p + "concurrency") {
		x := o.Concurrency
		v.intRange(p+"concurrency", &x, MinConcurrency, MaxConcurrency, "set it between 1 and 1000 (default 16)")
	}
	validateGuardContext(o.GuardContext, v)
	aliases := make([]string, 0, len(o.Accounts))
	for a := range o.Accounts {
		aliases = append(aliases, a)
	}
	sort.Strings(aliases)
	for _, a := range aliases {
		ap := p + "accounts." + a
		if !accountAliasRe.MatchString(a) {
			v.keyErrorf(ap, "account alias %s is not a valid alias; start with a letter and use only letters and digits (e.g. logArchive)", quote(a))
		}
		switch val := o.Accounts[a]; {
		case val == "":
			v.errorf(ap, "%s is empty; give the account's name or 12-digit id", ap)
		case val != strings.TrimSpace(val):
			v.errorf(ap, "%s %s has leading or trailing spaces; remove them", ap, quote(val))
		case accountIDRe.MatchString(val):
		case allDigitsRe.MatchString(val):
			v.errorf(ap, "%s: account id %s has %d digits; account ids have exactly 12 (quote it if it starts with 0)", ap, quote(val), len(val))
		case len(val) > maxAccountName:
			v.errorf(ap, "%s: account name %s is longer than %d characters, the AWS limit; check the name", ap, quote(val), maxAccountName)
		}
	}
}

func validateTargets(t *Targets, v *validation) {
	if v.has("targets.include") && len(t.Include) == 0 {
		v.errorf("targets.include", "targets.include is empty, so no account would be targeted; list selectors, or remove the key to target every account (root)")
	}
	checkDuplicateSelectors(v, "targets.include", t.Include)
	checkDuplicateSelectors(v, "targets.exclude", t.Exclude)
}

func checkDuplicateSelectors(v *validation, path string, sels []Selector) {
	first := map[string]int{}
	for i, s := range sels {
		if s.Raw == "" {
			continue // did not parse; already reported
		}
		key := s.String()
		if j, dup := first[key]; dup {
			v.errorf(fmt.Sprintf("%s[%d]", path, i), "selector %s is listed twice in %s (first at %s); remove one", quote(s.Raw), path, lineCol(sels[j].Pos))
			continue
		}
		first[key] = i
	}
}

// controlValidator is implemented by control types that check their own
// values; path is the control's path ("controls.passwordPolicy").
type controlValidator interface {
	validate(v *validation, path string)
}

func validateControls(c *Controls, v *validation) {
	rv := reflect.ValueOf(c).Elem()
	fields := yamlFields(rv.Type())
	for _, key := range sortedFieldKeys(fields) {
		f := rv.FieldByIndex(fields[key])
		if f.Kind() == reflect.Pointer && f.IsNil() {
			continue
		}
		if f.Kind() != reflect.Pointer && f.CanAddr() {
			f = f.Addr()
		}
		if cv, ok := f.Interface().(controlValidator); ok {
			cv.validate(v, "controls."+key)
		}
	}
}

func (p *PasswordPolicy) validate(v *validation, path string) {
	v.intRange(path+".minimumPasswordLength", p.MinimumPasswordLength, MinPasswordLength, MaxPasswordLength,
		"set it between 6 and 128 (IAM's limits)")
	v.intRange(path+".maxPasswordAge", p.MaxPasswordAge, 0, MaxPasswordAgeDays,
		"set it between 1 and 1095 days, or 0 (or remove it) for passwords that never expire")
	v.intRange(path+".passwordReusePrevention", p.PasswordReusePrevention, 0, MaxPasswordReusePreventionSize,
		"set it between 1 and 24 remembered passwords, or 0 (or remove it) to allow reuse")
	if v.full && p.HardExpiry != nil && *p.HardExpiry && (p.MaxPasswordAge == nil || *p.MaxPasswordAge == 0) && !v.bad(path+".maxPasswordAge") {
		v.errorf(path+".hardExpiry", "%s.hardExpiry is true but passwords never expire; set maxPasswordAge (1-1095 days), or set hardExpiry: false", path)
	}
}

// lineCol returns "line:col".
func lineCol(p Position) string {
	return fmt.Sprintf("%d:%d", p.Line, p.Column)
}

// applyDefaults fills what no merged file set.
func applyDefaults(b *Baseline, idx *posIndex) {
	o := &b.Organization
	if !idx.has("organization.executionRole") {
		o.ExecutionRole = DefaultExecutionRole
	}
	if !idx.has("organization.sessionDuration") {
		o.SessionDuration = Duration{DefaultSessionDuration}
	}
	if !idx.has("organization.homeRegion") {
		o.HomeRegion = DefaultHomeRegion
	}
	if !idx.has("organization.regions") {
		o.Regions = []string{o.HomeRegion}
	}
	if !idx.has("organization.concurrency") {
		o.Concurrency = DefaultConcurrency
	}
	if o.Accounts == nil {
		o.Accounts = map[string]string{}
	}
	applyPluginDefaults(b.Plugins)
	for i := range b.Plugins {
		b.Plugins[i].ConfigPos = idx.pos(fmt.Sprintf("plugins[%d].config", i))
	}
	if !idx.has("targets.include") {
		b.Targets.Include = []Selector{{Kind: SelectRoot, Raw: "root"}}
	}
	if b.Targets.Exclude == nil {
		b.Targets.Exclude = []Selector{}
	}
}

// guardOwnKeys are the condition keys the SCP lockout guard sets itself
// for every call it evaluates (lower-case; an entry ending in "/" is a
// prefix): organization.guardContext cannot state them, so that no
// statement in the baseline can talk the guard out of what it knows.
var guardOwnKeys = []string{
	"aws:principalarn", "aws:principalaccount", "aws:principaltype", "aws:userid", "aws:username",
	"aws:principalorgid", "aws:principalorgpaths", "aws:principaltag/", "aws:principalisawsservice",
	"aws:principalservicename", "aws:viaawsservice", "aws:calledvia", "aws:calledviafirst", "aws:calledvialast",
	"aws:securetransport", "aws:requestedregion", "aws:currenttime", "aws:epochtime", "aws:tokenissuetime",
	"aws:multifactorauthpresent", "aws:multifactorauthage", "aws:resourceaccount", "aws:resourceorgid",
	"aws:resourceorgpaths", "aws:requesttag/", "aws:tagkeys", "aws:sourceidentity", "aws:assumedroot",
}

// isGuardOwnKey reports whether key (any case) is one of guardOwnKeys.
func isGuardOwnKey(key string) bool {
	k := strings.ToLower(key)
	for _, own := range guardOwnKeys {
		if k == own || (strings.HasSuffix(own, "/") && strings.HasPrefix(k, own)) {
			return true
		}
	}
	return false
}

func validateGuardContext(gc map[string]GuardValues, v *validation) {
	const p = "organization.guardContext"
	keys := make([]string, 0, len(gc))
	for k := range gc {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	for _, k := range keys {
		kp := p + "." + k
		switch {
		case v.bad(kp):
		case !guardKeyRe.MatchString(k):
			v.errorf(kp, "%s: %s is not a condition key; write one such as aws:SourceIp or aws:SourceVpc", p, quote(k))
		case isGuardOwnKey(k):
			v.errorf(kp, "%s: the lockout guard sets %s itself from the organization and the run; remove it (only keys the guard cannot know, such as aws:SourceIp, may be stated)", p, quote(k))
		case len(gc[k]) == 0:
			v.errorf(kp, "%s.%s has no value; give the value the run's requests carry, or remove the key", p, k)
		}
	}
}
