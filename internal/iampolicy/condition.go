package iampolicy

import (
	"net/netip"
	"strconv"
	"strings"
	"time"
)

// family groups condition operators by how they compare values.
type family uint8

const (
	famString family = iota
	famStringIgnoreCase
	famStringLike
	famArn
	famNumeric
	famDate
	famBool
	famBinary
	famIP
	famNull
)

// cmpOp is the comparison of numeric and date operators: request value OP policy value.
type cmpOp uint8

const (
	cmpEq cmpOp = iota
	cmpLt
	cmpLe
	cmpGt
	cmpGe
)

type opInfo struct {
	fam     family
	cmp     cmpOp
	negated bool // the operator is the negation of its positive form
}

// baseOperators are the condition operators AWS IAM supports, without the
// ForAnyValue:/ForAllValues: prefix and the IfExists suffix.
var baseOperators = map[string]opInfo{
	"StringEquals":              {fam: famString},
	"StringNotEquals":           {fam: famString, negated: true},
	"StringEqualsIgnoreCase":    {fam: famStringIgnoreCase},
	"StringNotEqualsIgnoreCase": {fam: famStringIgnoreCase, negated: true},
	"StringLike":                {fam: famStringLike},
	"StringNotLike":             {fam: famStringLike, negated: true},
	"NumericEquals":             {fam: famNumeric, cmp: cmpEq},
	"NumericNotEquals":          {fam: famNumeric, cmp: cmpEq, negated: true},
	"NumericLessThan":           {fam: famNumeric, cmp: cmpLt},
	"NumericLessThanEquals":     {fam: famNumeric, cmp: cmpLe},
	"NumericGreaterThan":        {fam: famNumeric, cmp: cmpGt},
	"NumericGreaterThanEquals":  {fam: famNumeric, cmp: cmpGe},
	"DateEquals":                {fam: famDate, cmp: cmpEq},
	"DateNotEquals":             {fam: famDate, cmp: cmpEq, negated: true},
	"DateLessThan":              {fam: famDate, cmp: cmpLt},
	"DateLessThanEquals":        {fam: famDate, cmp: cmpLe},
	"DateGreaterThan":           {fam: famDate, cmp: cmpGt},
	"DateGreaterThanEquals":     {fam: famDate, cmp: cmpGe},
	"Bool":                      {fam: famBool},
	"BinaryEquals":              {fam: famBinary},
	"IpAddress":                 {fam: famIP},
	"NotIpAddress":              {fam: famIP, negated: true},
	"ArnEquals":                 {fam: famArn},
	"ArnLike":                   {fam: famArn},
	"ArnNotEquals":              {fam: famArn, negated: true},
	"ArnNotLike":                {fam: famArn, negated: true},
	"Null":                      {fam: famNull},
}

// setMode is the multivalued-key prefix of an operator.
type setMode uint8

const (
	setNone setMode = iota
	setAnyValue
	setAllValues
)

const (
	prefixAnyValue  = "ForAnyValue:"
	prefixAllValues = "ForAllValues:"
	suffixIfExists  = "IfExists"
)

type opSpec struct {
	opInfo
	set      setMode
	ifExists bool
}

// parseOperator splits an operator as written into its parts. Names are
// case-sensitive, as in AWS.
func parseOperator(name string) (opSpec, bool) {
	var spec opSpec
	switch {
	case strings.HasPrefix(name, prefixAnyValue):
		spec.set, name = setAnyValue, name[len(prefixAnyValue):]
	case strings.HasPrefix(name, prefixAllValues):
		spec.set, name = setAllValues, name[len(prefixAllValues):]
	}
	info, ok := baseOperators[name]
	if !ok && strings.HasSuffix(name, suffixIfExists) {
		info, ok = baseOperators[strings.TrimSuffix(name, suffixIfExists)]
		if ok && info.fam == famNull {
			return spec, false // NullIfExists is meaningless and rejected by AWS
		}
		spec.ifExists = true
	}
	spec.opInfo = info
	return spec, ok
}

// suggestOperator proposes the intended spelling of an unknown operator.
func suggestOperator(name string) string {
	prefix := ""
	for _, p := range []string{prefixAnyValue, prefixAllValues} {
		if len(name) >= len(p) && strings.EqualFold(name[:len(p)], p) {
			prefix, name = p, name[len(p):]
			break
		}
	}
	if len(name) >= 2 && strings.HasPrefix(strings.ToLower(name), "for") {
		if i := strings.IndexByte(name, ':'); i > 0 {
			// A misspelt set prefix such as "ForAnyValues:".
			if s := suggest(name[:i+1], []string{prefixAnyValue, prefixAllValues}); s != "" {
				prefix, name = s, name[i+1:]
			}
		}
	}
	suffix := ""
	if len(name) > len(suffixIfExists) && strings.EqualFold(name[len(name)-len(suffixIfExists):], suffixIfExists) {
		suffix, name = suffixIfExists, name[:len(name)-len(suffixIfExists)]
	}
	names := make([]string, 0, len(baseOperators))
	for n := range baseOperators {
		names = append(names, n)
	}
	base := suggest(name, names)
	if base == "" || (base == "Null" && suffix != "") {
		return ""
	}
	return prefix + base + suffix
}

// ccond is a compiled Condition.
type ccond struct {
	key  string // lower-cased
	name string // as written, for reporting it
	opSpec
	never bool // the operator could not be compiled (hand-built policy): never holds

	strs  []string // string, bool and binary values, as written
	globs []glob   // StringLike / Arn* patterns
	// vars holds, at the index (in strs or globs) of each String* or Arn*
	// value that has policy variables, its template, resolved from the
	// request context per request. nil when no value has variables, the
	// common case.
	vars  []*template
	nums  []float64
	times []time.Time
	nets  []netip.Prefix

	nullTrue, nullFalse bool // Null: "true" (must be absent) / "false" (must be present) present
}

// compileCondition compiles one (operator, key) pair. With vars (the
// policy's Version supports them), values of the string and ARN operators
// may hold policy variables: "You can use a policy variable for Condition
// values in any condition that involves the string operators or the ARN
// operators ... You can't use a policy variable with other operators, such
// as Numeric, Date, Boolean, Binary, IP Address, or Null" (IAM user guide,
// "IAM policy elements: Variables and tags", Condition element).
func compileCondition(c Condition, vars bool) ccond {
	spec, ok := parseOperator(c.Operator)
	cc := ccond{key: strings.ToLower(c.Key), name: c.Key, opSpec: spec, never: !ok}
	if !ok {
		return cc
	}
	hasVars := func(i int, v string) {
		if vars && strings.Contains(v, "${") {
			if cc.vars == nil {
				cc.vars = make([]*template, len(c.Values))
			}
			cc.vars[i] = compileTemplate(v)
		}
	}
	for _, v := range c.Values {
		switch spec.fam {
		case famString, famStringIgnoreCase:
			hasVars(len(cc.strs), v)
			cc.strs = append(cc.strs, v)
		case famBool, famBinary:
			cc.strs = append(cc.strs, v)
		case famStringLike:
			hasVars(len(cc.globs), v)
			cc.globs = append(cc.globs, compileGlob(v, false, false))
		case famArn:
			hasVars(len(cc.globs), v)
			cc.globs = append(cc.globs, compileGlob(v, false, true))
		case famNumeric:
			if f, err := strconv.ParseFloat(v, 64); err == nil {
				cc.nums = append(cc.nums, f)
			}
		case famDate:
			if t, ok := parseDate(v); ok {
				cc.times = append(cc.times, t)
			}
		case famIP:
			if p, ok := parseIPPrefix(v); ok {
				cc.nets = append(cc.nets, p)
			}
		case famNull:
			switch strings.ToLower(v) {
			case "true":
				cc.nullTrue = true
			case "false":
				cc.nullFalse = true
			}
		}
	}
	return cc
}

// eval evaluates the pair for req in a statement of the given effect
// (deny). It is unknown when req.Unknown hides the key or, where it
// decides, a policy variable of a value; key is then that key as written
// in the policy. The rules and their sources:
//
//   - "If the key that you specify in a policy condition is not present in
//     the request context, the values do not match and the condition is
//     false. If the policy condition requires that the key is not matched,
//     such as StringNotLike or ArnNotLike, and the right key is not
//     present, the condition is true. This logic applies to all condition
//     operators except ...IfExists and Null check" (IAM user guide, "IAM
//     JSON policy elements: Condition operators").
//   - ...IfExists: "If the key is not present, evaluate the condition
//     element as true ... If you are using an "Effect": "Deny" element with
//     a negated condition operator like StringNotEqualsIfExists, the request
//     is still denied even if the tag is missing" (same page).
//   - ForAllValues "returns true if every key value in the request matches
//     at least one value in the policy. It also returns true if there are
//     no keys in the request, or if the key values resolve to a null data
//     set, such as an empty string"; ForAnyValue "returns true if any one of
//     the key values in the request matches any one of the condition values
//     in the policy. For no matching key or a null dataset, the condition
//     returns false" (IAM user guide, "Creating a condition with multiple
//     keys or values"). With a negated operator the qualifier applies to
//     the negated test of each request value: ForAllValues:StringNotLike
//     {"aws:TagKeys": "key1*"} denies a request tagged key2:audit or not
//     tagged, not one tagged key1:legal (IAM user guide, "Multivalued
//     context key examples").
//   - ForAnyValue with IfExists on a missing key is false: the set
//     operator's rule wins. AWS answered a ForAnyValue:StringEqualsIfExists
//     Allow over an absent aws:TagKeys with an implicit deny (AWS re:Post,
//     "ForAnyValue:StringEqualsIfExists behaving unexpectedly"); the
//     operator reference does not say.
//   - Null with a qualifier: "When you use the Null condition operator with
//     ForAllValues, the statement always returns true. When you use the
//     Null condition operator with ForAnyValue, the statement always
//     returns false" (IAM user guide, "IAM Access Analyzer policy check
//     reference", Null with qualifier).
//   - Values of one pair: "If a single condition operator includes multiple
//     values for one key, that condition operator is evaluated using a
//     logical OR"; for negated operators "the string cannot match any of
//     the ... values listed to resolve the condition to true" (NOR) (IAM
//     user guide, "Creating a condition with multiple keys or values").
//   - An operator without a qualifier over a request key that has several
//     values: AWS does not define it ("Multivalued condition keys require a
//     set operator"; IAM Access Analyzer reports the policy as an error,
//     "Missing qualifier"). This package takes the reading that grants
//     least: in a Deny the pair holds when the operator holds for some
//     request value (as ForAnyValue: would), in an Allow it never holds.
//     With one request value every reading agrees.
func (c *ccond) eval(req *Request, deny bool) (tri, string) {
	if c.never {
		return triFalse, ""
	}
	if req.Unknown != nil && req.unknown(c.key) {
		return triUnknown, c.name
	}
	vals := req.Context[c.key]
	if c.fam == famNull {
		return triOf(c.null(len(vals) > 0)), ""
	}
	if len(vals) == 0 || (c.set != setNone && allEmpty(vals)) {
		return triOf(c.missing()), ""
	}
	var hidden string // a policy variable the caller cannot know
	if c.vars != nil && req.Unknown != nil {
		hidden = c.unknownVar(req)
	}
	if len(vals) == 1 && hidden == "" { // the common case, where every set mode agrees
		return triOf(c.matchOne(vals[0], req.Context) != c.negated), ""
	}
	set := c.set
	if set == setNone && len(vals) > 1 {
		if !deny {
			return triFalse, ""
		}
		set = setAnyValue
	}
	r := c.combine(vals, req, hidden != "", set)
	if r == triUnknown {
		return r, hidden
	}
	return r, ""
}

// combine applies the operator to each request value and joins the
// results: every one must hold for ForAllValues, some for any other set
// (a single value holds or not). skip leaves the values with unknown
// policy variables undecided.
func (c *ccond) combine(vals []string, req *Request, skip bool, set setMode) tri {
	if set == setAllValues {
		r := triTrue
		for _, v := range vals {
			if r = r.and(c.value(v, req, skip).not(c.negated)); r == triFalse {
				break
			}
		}
		return r
	}
	r := triFalse
	for _, v := range vals {
		if r = r.or(c.value(v, req, skip).not(c.negated)); r == triTrue {
			break
		}
	}
	return r
}

// value reports whether request value v matches any policy value under the
// positive form of the operator; with skip, a policy value whose variable
// names an unknown key is not compared, and the result is unknown rather
// than false when no other value matched.
func (c *ccond) value(v string, req *Request, skip bool) tri {
	if !skip {
		return triOf(c.matchOne(v, req.Context))
	}
	r := triFalse
	for i, t := range c.vars {
		if t != nil && t.unknownVar(req) != "" {
			r = triUnknown
			continue
		}
		if c.matchValue(i, v, req.Context) {
			return triTrue
		}
	}
	return r
}

// null is the Null operator (with its qualifier) on a key present or not.
func (c *ccond) null(present bool) bool {
	switch c.set {
	case setAllValues:
		return true
	case setAnyValue:
		return false
	}
	return (c.nullTrue && !present) || (c.nullFalse && present)
}

// missing is the value of the pair when its key is absent or, for the set
// operators, resolves to an empty data set.
func (c *ccond) missing() bool {
	switch {
	case c.set == setAnyValue:
		return false
	case c.ifExists, c.set == setAllValues:
		return true
	}
	return c.negated
}

// allEmpty reports whether every value is the empty string: "a null data
// set, such as an empty string" for the set operators.
func allEmpty(vals []string) bool {
	for _, v := range vals {
		if v != "" {
			return false
		}
	}
	return true
}

// unknownVar returns the first policy variable of the pair's values whose
// key the caller cannot know, as written ("" when none).
func (c *ccond) unknownVar(req *Request) string {
	for _, t := range c.vars {
		if t == nil {
			continue
		}
		if k := t.unknownVar(req); k != "" {
			return k
		}
	}
	return ""
}

// matchOne reports whether request value v matches any policy value under
// the positive form of the operator. ctx resolves policy variables.
func (c *ccond) matchOne(v string, ctx map[string][]string) bool {
	switch c.fam {
	case famString, famBinary, famStringIgnoreCase, famBool:
		fold := c.fam == famStringIgnoreCase || c.fam == famBool
		for i, s := range c.strs {
			if c.vars != nil && c.vars[i] != nil {
				if c.vars[i].equal(v, ctx, fold) {
					return true
				}
				continue
			}
			if s == v || (fold && strings.EqualFold(s, v)) {
				return true
			}
		}
		return false
	case famStringLike, famArn:
		for i := range c.globs {
			if c.vars != nil && c.vars[i] != nil {
				if c.vars[i].match(v, ctx, c.fam == famArn) {
					return true
				}
				continue
			}
			if c.globs[i].match(v) {
				return true
			}
		}
		return false
	}
	return c.matchFixed(v)
}

// matchValue reports whether request value v matches the i-th policy value
// of a String* or Arn* operator (the only ones with policy variables).
func (c *ccond) matchValue(i int, v string, ctx map[string][]string) bool {
	switch c.fam {
	case famString, famStringIgnoreCase:
		fold := c.fam == famStringIgnoreCase
		if c.vars[i] != nil {
			return c.vars[i].equal(v, ctx, fold)
		}
		return c.strs[i] == v || (fold && strings.EqualFold(c.strs[i], v))
	case famStringLike, famArn:
		if c.vars[i] != nil {
			return c.vars[i].match(v, ctx, c.fam == famArn)
		}
		return c.globs[i].match(v)
	}
	return false
}

// matchFixed is matchOne for the operators that take no policy variables.
func (c *ccond) matchFixed(v string) bool {
	switch c.fam {
	case famNumeric:
		f, err := strconv.ParseFloat(v, 64)
		if err != nil {
			return false
		}
		for _, n := range c.nums {
			if compare(cmpFloat(f, n), c.cmp) {
				return true
			}
		}
	case famDate:
		t, ok := parseDate(v)
		if !ok {
			return false
		}
		for _, pt := range c.times {
			if compare(t.Compare(pt), c.cmp) {
				return true
			}
		}
	case famIP:
		a, err := netip.ParseAddr(v)
		if err != nil {
			return false
		}
		a = a.Unmap()
		for _, p := range c.nets {
			if p.Contains(a) {
				return true
			}
		}
	}
	return false
}

func cmpFloat(a, b float64) int {
	switch {
	case a < b:
		return -1
	case a > b:
		return 1
	}
	return 0
}

func compare(c int, op cmpOp) bool {
	switch op {
	case cmpLt:
		return c < 0
	case cmpLe:
		return c <= 0
	case cmpGt:
		return c > 0
	case cmpGe:
		return c >= 0
	}
	return c == 0
}

// parseDate accepts epoch seconds (optionally fractional) and the ISO 8601 /
// W3C forms AWS documents: 2006-01-02T15:04:05Z07:00 (fractions allowed),
// 2006-01-02T15:04Z07:00, 2006-01-02T15:04:05 (UTC), 2006-01-02, 2006-01.
func parseDate(s string) (time.Time, bool) {
	if s == "" {
		return time.Time{}, false
	}
	if isEpoch(s) {
		f, err := strconv.ParseFloat(s, 64)
		if err != nil {
			return time.Time{}, false
		}
		sec := int64(f)
		return time.Unix(sec, int64((f-float64(sec))*1e9)).UTC(), true
	}
	if strings.IndexByte(s, 'T') >= 0 {
		for _, layout := range [...]string{time.RFC3339, "2006-01-02T15:04Z07:00", "2006-01-02T15:04:05", "2006-01-02T15:04:05Z0700"} {
			if t, err := time.Parse(layout, s); err == nil {
				return t, true
			}
		}
		return time.Time{}, false
	}
	for _, layout := range [...]string{time.DateOnly, "2006-01"} {
		if t, err := time.Parse(layout, s); err == nil {
			return t, true
		}
	}
	return time.Time{}, false
}

func isEpoch(s string) bool {
	dot := false
	for i := 0; i < len(s); i++ {
		switch c := s[i]; {
		case c >= '0' && c <= '9':
		case c == '.' && !dot && i > 0:
			dot = true
		case c == '-' && i == 0 && len(s) > 1:
		default:
			return false
		}
	}
	return true
}

// parseIPPrefix accepts a CIDR block or a single address (IPv4 or IPv6).
func parseIPPrefix(s string) (netip.Prefix, bool) {
	if strings.IndexByte(s, '/') >= 0 {
		p, err := netip.ParsePrefix(s)
		if err != nil {
			return netip.Prefix{}, false
		}
		if p.Addr().Is4In6() && p.Bits() >= 96 {
			p = netip.PrefixFrom(p.Addr().Unmap(), p.Bits()-96)
		}
		return p.Masked(), true
	}
	a, err := netip.ParseAddr(s)
	if err != nil {
		return netip.Prefix{}, false
	}
	a = a.Unmap()
	return netip.PrefixFrom(a, a.BitLen()), true
}
