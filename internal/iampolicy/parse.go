package iampolicy

import (
	"fmt"
	"sort"
	"strconv"
	"strings"
)

var (
	topLevelKeys   = []string{"Version", "Id", "Statement"}
	statementKeys  = []string{"Sid", "Effect", "Principal", "NotPrincipal", "Action", "NotAction", "Resource", "NotResource", "Condition"}
	principalTypes = []string{"AWS", "Service", "Federated", "CanonicalUser"}
)

// Parse parses and validates a policy document of the given kind.
// Errors are *ParseError values listing every problem found, each with a JSON-ish path
// such as `Statement[2].Action` and a human message that names the fix.
func Parse(doc []byte, kind Kind) (*Policy, error) {
	if kind < KindIdentity || kind > KindRCPManaged {
		return nil, &ParseError{Problems: []Problem{{Message: fmt.Sprintf(
			"unknown policy kind %d; use KindIdentity, KindSCP, KindTrust, KindResource, KindRCP or KindRCPManaged", int(kind))}}}
	}
	root, probs, fatal := decodeJSON(doc)
	if fatal != nil {
		return nil, &ParseError{Problems: []Problem{*fatal}}
	}
	p := &parser{kind: kind, probs: probs}
	pol := p.policy(root)
	if kind.rcp() && pol != nil {
		p.rcpVersion(root, pol)
	}
	if len(p.probs) > 0 {
		return nil, &ParseError{Problems: p.probs}
	}
	pol.compiled = compileStatements(pol.Statements, kind, pol.Version == variablesVersion)
	return pol, nil
}

// MustParse is Parse for tests and built-in policies; it panics on error.
func MustParse(doc string, kind Kind) *Policy {
	p, err := Parse([]byte(doc), kind)
	if err != nil {
		panic(err)
	}
	return p
}

type parser struct {
	kind  Kind
	probs []Problem
}

func (p *parser) add(path, format string, args ...any) {
	p.probs = append(p.probs, Problem{Path: path, Message: fmt.Sprintf(format, args...)})
}

func (p *parser) unknownKey(path, key, where string, allowed []string) {
	msg := fmt.Sprintf("unknown %s key %q; allowed keys are %s", where, key, quoteList(allowed))
	if s := suggest(key, allowed); s != "" {
		msg += fmt.Sprintf(" (did you mean %q?)", s)
	}
	p.add(path, "%s", msg)
}

func (p *parser) policy(root *jval) *Policy {
	if root.kind != jObject {
		p.add("", "the policy document must be a JSON object, got %s; wrap it as {\"Version\": \"2012-10-17\", \"Statement\": [...]}", root.kind)
		return nil
	}
	pol := &Policy{Kind: p.kind}
	var stmt *jval
	for i, k := range root.keys {
		v, path := root.vals[i], joinKey("", k)
		switch k {
		case "Version":
			if v.kind != jString {
				p.add(path, `must be a string, got %s; use "2012-10-17"`, v.kind)
				continue
			}
			if v.str != "2012-10-17" && v.str != "2008-10-17" {
				p.add(path, `unsupported version %q; use "2012-10-17" (or the legacy "2008-10-17")`, v.str)
				continue
			}
			pol.Version = v.str
		case "Id":
			if v.kind != jString {
				p.add(path, "must be a string, got %s", v.kind)
				continue
			}
			pol.ID = v.str
		case "Statement":
			stmt = v
		default:
			p.unknownKey(path, k, "top-level", topLevelKeys)
		}
	}
	var paths []string
	switch {
	case stmt == nil:
		p.add("", `missing "Statement"; add a "Statement" array containing at least one statement`)
	case stmt.kind == jObject:
		pol.Statements = append(pol.Statements, p.statement(stmt, "Statement", 0))
		paths = append(paths, "Statement")
	case stmt.kind == jArray:
		if len(stmt.vals) == 0 {
			p.add("Statement", "must contain at least one statement; add a statement object to the array")
		}
		for i, sv := range stmt.vals {
			sp := joinIndex("Statement", i)
			if sv.kind != jObject {
				p.add(sp, "each statement must be a JSON object, got %s", sv.kind)
				continue
			}
			pol.Statements = append(pol.Statements, p.statement(sv, sp, i))
			paths = append(paths, sp)
		}
	default:
		p.add("Statement", "must be a statement object or an array of statement objects, got %s", stmt.kind)
	}
	seen := make(map[string]int, len(pol.Statements))
	for i, st := range pol.Statements {
		if st.Sid == "" {
			continue
		}
		if j, dup := seen[st.Sid]; dup {
			p.add(paths[i]+".Sid", "duplicate Sid %q (also used by %s); statement IDs must be unique within a policy: rename or remove one", st.Sid, paths[j])
			continue
		}
		seen[st.Sid] = i
	}
	return pol
}

func (p *parser) statement(v *jval, path string, idx int) *Statement {
	st := &Statement{Index: idx}
	var hasEffect, hasPrincipal, hasNotPrincipal, hasAction, hasNotAction, hasResource, hasNotResource bool
	for i, k := range v.keys {
		val, kp := v.vals[i], joinKey(path, k)
		switch k {
		case "Sid":
			if val.kind != jString {
				p.add(kp, "must be a string, got %s", val.kind)
				continue
			}
			if (p.kind == KindIdentity || p.kind == KindTrust) && !isAlnum(val.str) {
				p.add(kp, "Sid %q is not allowed by IAM, which accepts only letters A-Z, a-z and digits 0-9; remove the other characters", val.str)
			}
			st.Sid = val.str
		case "Effect":
			hasEffect = true
			if val.kind != jString {
				p.add(kp, `must be the string "Allow" or "Deny", got %s`, val.kind)
				continue
			}
			switch val.str {
			case "Allow", "Deny":
				st.Effect = Effect(val.str)
			default:
				if strings.EqualFold(val.str, "Allow") || strings.EqualFold(val.str, "Deny") {
					p.add(kp, `must be exactly "Allow" or "Deny" (case-sensitive), got %q`, val.str)
				} else {
					p.add(kp, `must be "Allow" or "Deny", got %q`, val.str)
				}
			}
		case "Principal", "NotPrincipal":
			if k == "Principal" {
				hasPrincipal = true
			} else {
				hasNotPrincipal = true
			}
			if p.kind == KindIdentity || p.kind == KindSCP {
				p.add(kp, "%q is not allowed in %s; remove it (the policy applies to whoever it is attached to)", k, p.kind.noun())
				continue
			}
			ps := p.principal(val, kp)
			if k == "Principal" {
				st.Principal = ps
			} else {
				st.NotPrincipal = ps
			}
		case "Action", "NotAction":
			if k == "Action" {
				hasAction = true
			} else {
				hasNotAction = true
			}
			list := p.stringList(val, kp, k)
			for j, a := range list {
				if msg := checkAction(a); msg != "" {
					p.add(elemPath(val, kp, j), "%s", msg)
				}
			}
			if k == "Action" {
				st.Action = list
			} else {
				st.NotAction = list
			}
		case "Resource", "NotResource":
			if k == "Resource" {
				hasResource = true
			} else {
				hasNotResource = true
			}
			list := p.stringList(val, kp, k)
			for j, r := range list {
				if msg := checkResource(r); msg != "" {
					p.add(elemPath(val, kp, j), "%s", msg)
				}
			}
			if k == "Resource" {
				st.Resource = list
			} else {
				st.NotResource = list
			}
		case "Condition":
			st.Condition = p.conditions(val, kp)
		default:
			p.unknownKey(kp, k, "statement", statementKeys)
		}
	}
	if p.kind.rcp() {
		p.rcpStatement(v, path, st)
	}

	if !hasEffect {
		p.add(path, `missing "Effect"; set it to "Allow" or "Deny"`)
	}
	switch {
	case hasAction && hasNotAction:
		p.add(path, `has both "Action" and "NotAction"; keep exactly one of them`)
	case !hasAction && !hasNotAction:
		p.add(path, `missing "Action"; add "Action" (or "NotAction") with the actions the statement covers, e.g. "s3:GetObject" or "*"`)
	}
	switch {
	case hasResource && hasNotResource:
		p.add(path, `has both "Resource" and "NotResource"; keep exactly one of them`)
	case p.kind == KindTrust && (hasResource || hasNotResource):
		// IAM answers MalformedPolicyDocument "Has prohibited field Resource":
		// a trust policy's resource is always the role itself.
		p.add(path, `has prohibited field "Resource" (or "NotResource"); remove it: a role trust policy always applies to the role itself`)
	case !hasResource && !hasNotResource && p.kind != KindTrust:
		p.add(path, `missing "Resource"; add "Resource": "*" or the ARNs the statement applies to (or use "NotResource")`)
	}
	switch p.kind {
	case KindTrust, KindResource:
		switch {
		case hasPrincipal && hasNotPrincipal:
			p.add(path, `has both "Principal" and "NotPrincipal"; keep exactly one of them`)
		case !hasPrincipal && !hasNotPrincipal:
			if p.kind == KindTrust {
				p.add(path, `missing "Principal"; a role trust policy must say who may assume the role, e.g. "Principal": {"AWS": "arn:aws:iam::111122223333:root"} or {"Service": "ec2.amazonaws.com"}`)
			} else {
				p.add(path, `missing "Principal"; a resource-based policy must say whom it applies to, e.g. "Principal": {"AWS": "arn:aws:iam::111122223333:root"} or "*"`)
			}
		}
	}
	return st
}

func elemPath(v *jval, path string, i int) string {
	if v.kind == jArray {
		return joinIndex(path, i)
	}
	return path
}

// stringList reads a string or a non-empty array of strings. Invalid
// elements are reported and left out.
func (p *parser) stringList(v *jval, path, name string) []string {
	switch v.kind {
	case jString:
		return []string{v.str}
	case jArray:
		if len(v.vals) == 0 {
			p.add(path, "%q must not be an empty array; list at least one value", name)
			return nil
		}
		out := make([]string, 0, len(v.vals))
		for i, e := range v.vals {
			if e.kind != jString {
				p.add(joinIndex(path, i), "must be a string, got %s", e.kind)
				continue
			}
			out = append(out, e.str)
		}
		return out
	}
	p.add(path, "must be a string or an array of strings, got %s", v.kind)
	return nil
}

// checkAction validates one Action/NotAction entry.
func checkAction(a string) string {
	if a == "*" {
		return ""
	}
	i := strings.IndexByte(a, ':')
	if i < 0 {
		return fmt.Sprintf(`invalid action %q; write it as "service:ActionName" (e.g. "s3:GetObject" or "iam:*"), or "*" for all actions`, a)
	}
	prefix, name := a[:i], a[i+1:]
	if prefix == "" {
		return fmt.Sprintf(`invalid action %q: the service prefix before ':' is empty; write "service:ActionName", e.g. "s3:GetObject"`, a)
	}
	for j := 0; j < len(prefix); j++ {
		c := prefix[j]
		if !(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '-') {
			return fmt.Sprintf(`invalid service prefix %q in action %q; a prefix has only letters, digits and hyphens (e.g. "s3", "iam", "aws-portal") and no wildcards`, prefix, a)
		}
	}
	if name == "" {
		return fmt.Sprintf(`invalid action %q: the action name after ':' is empty; use e.g. "%s:*" for every action of the service`, a, prefix)
	}
	for _, r := range name {
		if r == ':' || r <= ' ' || r == 0x7f {
			return fmt.Sprintf(`invalid action name %q in action %q; an action name has no ':' or whitespace (wildcards * and ? are allowed)`, name, a)
		}
	}
	return ""
}

// checkResource validates one Resource/NotResource entry: "*" or an ARN
// (arn:partition:service:region:account:resource, wildcards allowed).
func checkResource(r string) string {
	if r == "*" {
		return ""
	}
	if !strings.HasPrefix(r, "arn:") || strings.Count(r, ":") < 5 {
		return fmt.Sprintf(`resource %q is not an ARN; use "*" or a full ARN such as "arn:aws:s3:::my-bucket/*" (arn:partition:service:region:account:resource)`, r)
	}
	return ""
}

func (p *parser) principal(v *jval, path string) *PrincipalSet {
	ps := &PrincipalSet{}
	switch v.kind {
	case jString:
		if v.str == "*" {
			ps.Wildcard = true
			return ps
		}
		p.add(path, `must be "*" or an object such as {"AWS": "arn:aws:iam::111122223333:root"} or {"Service": "ec2.amazonaws.com"}, got the string %q`, v.str)
		return ps
	case jObject:
	default:
		p.add(path, `must be "*" or an object such as {"AWS": "arn:aws:iam::111122223333:root"}, got %s`, v.kind)
		return ps
	}
	if len(v.keys) == 0 {
		p.add(path, `must name at least one principal, e.g. {"AWS": "111122223333"} or {"Service": "ec2.amazonaws.com"}`)
		return ps
	}
	for i, k := range v.keys {
		val, kp := v.vals[i], joinKey(path, k)
		switch k {
		case "AWS":
			list := p.stringList(val, kp, k)
			for j, s := range list {
				if s == "*" {
					ps.Wildcard = true
				} else if msg := checkAWSPrincipal(s); msg != "" {
					p.add(elemPath(val, kp, j), "%s", msg)
				}
			}
			ps.AWS = list
		case "Service", "Federated", "CanonicalUser":
			list := p.stringList(val, kp, k)
			for j, s := range list {
				switch {
				case strings.TrimSpace(s) == "" || strings.ContainsAny(s, " \t\r\n"):
					p.add(elemPath(val, kp, j), "invalid %s principal %q; it must be non-empty and contain no whitespace", k, s)
				case strings.ContainsAny(s, "*?"):
					p.add(elemPath(val, kp, j), `wildcards are not allowed in %s principals (%q); name the principal exactly, e.g. "ec2.amazonaws.com"`, k, s)
				}
			}
			switch k {
			case "Service":
				ps.Service = list
			case "Federated":
				ps.Federated = list
			default:
				ps.CanonicalUser = list
			}
		default:
			p.unknownKey(kp, k, "principal type", principalTypes)
		}
	}
	return ps
}

// checkAWSPrincipal validates one entry of "Principal": {"AWS": ...}.
func checkAWSPrincipal(s string) string {
	if isAccountID(s) || isUniqueID(s) {
		return ""
	}
	if !strings.HasPrefix(s, "arn:") {
		return fmt.Sprintf(`%q is not a valid AWS principal; use a 12-digit account ID, an IAM or STS ARN such as "arn:aws:iam::111122223333:role/NAME", or "*"`, s)
	}
	if strings.ContainsAny(s, "*?") {
		return fmt.Sprintf(`wildcards are not allowed inside a principal ARN (%q); use "*" on its own and narrow it with a Condition such as "ArnLike": {"aws:PrincipalArn": %q}`, s, s)
	}
	parts := strings.SplitN(s, ":", 6)
	if len(parts) != 6 || parts[1] == "" || !isAccountID(parts[4]) {
		return fmt.Sprintf(`%q is not a valid principal ARN; use arn:PARTITION:iam::ACCOUNT-ID:root, :user/NAME, :role/NAME or arn:PARTITION:sts::ACCOUNT-ID:assumed-role/ROLE/SESSION`, s)
	}
	res := parts[5]
	switch parts[2] {
	case "iam":
		if res == "root" || strings.HasPrefix(res, "user/") || strings.HasPrefix(res, "role/") {
			return ""
		}
	case "sts":
		if strings.HasPrefix(res, "assumed-role/") || strings.HasPrefix(res, "federated-user/") {
			return ""
		}
	}
	return fmt.Sprintf(`%q does not name an IAM principal; use :root, :user/NAME or :role/NAME (service iam) or :assumed-role/ROLE/SESSION (service sts)`, s)
}

func (p *parser) conditions(v *jval, path string) []Condition {
	if v.kind != jObject {
		p.add(path, `must be an object mapping condition operators to {"key": value} blocks, e.g. {"StringEquals": {"aws:RequestedRegion": "us-east-1"}}; got %s`, v.kind)
		return nil
	}
	var out []Condition
	for i, opName := range v.keys {
		block, opPath := v.vals[i], joinKey(path, opName)
		spec, ok := parseOperator(opName)
		if !ok {
			msg := fmt.Sprintf("unknown condition operator %q", opName)
			if s := suggestOperator(opName); s != "" {
				msg += fmt.Sprintf("; did you mean %q?", s)
			} else {
				msg += "; use an IAM operator such as StringEquals, StringLike, ArnLike, Bool, NumericLessThan, DateGreaterThan, IpAddress or Null, optionally with ForAnyValue:/ForAllValues: and IfExists"
			}
			p.add(opPath, "%s", msg)
			continue
		}
		if block.kind != jObject {
			p.add(opPath, `must be an object mapping condition keys to values, e.g. {"aws:PrincipalOrgID": "o-a1b2c3d4e5"}; got %s`, block.kind)
			continue
		}
		for j, key := range block.keys {
			kv, kp := block.vals[j], joinKey(opPath, key)
			if strings.TrimSpace(key) == "" {
				p.add(kp, `condition key must not be empty; use a key such as "aws:PrincipalArn"`)
				continue
			}
			vals, ok := p.conditionValues(kv, kp)
			if !ok {
				continue
			}
			for n, s := range vals {
				if msg := checkConditionValue(spec, opName, s); msg != "" {
					p.add(elemPath(kv, kp, n), "%s", msg)
				}
			}
			out = append(out, Condition{Operator: opName, Key: key, Values: vals})
		}
	}
	sort.SliceStable(out, func(a, b int) bool {
		if out[a].Operator != out[b].Operator {
			return out[a].Operator < out[b].Operator
		}
		return out[a].Key < out[b].Key
	})
	return out
}

func (p *parser) conditionValues(v *jval, path string) ([]string, bool) {
	if s, ok := v.scalarText(); ok {
		return []string{s}, true
	}
	if v.kind != jArray {
		p.add(path, "condition values must be a string, number, boolean or an array of those, got %s", v.kind)
		return nil, false
	}
	if len(v.vals) == 0 {
		p.add(path, "condition values must not be an empty array; list at least one value")
		return nil, false
	}
	out := make([]string, 0, len(v.vals))
	ok := true
	for i, e := range v.vals {
		s, scalar := e.scalarText()
		if !scalar {
			p.add(joinIndex(path, i), "condition values must be strings, numbers or booleans, got %s", e.kind)
			ok = false
			continue
		}
		out = append(out, s)
	}
	return out, ok
}

// checkConditionValue validates values the operator must be able to parse.
// Values holding policy variables (${...}) are not checked.
func checkConditionValue(spec opSpec, op, s string) string {
	if strings.Contains(s, "${") {
		return ""
	}
	switch spec.fam {
	case famNumeric:
		if _, err := strconv.ParseFloat(s, 64); err != nil {
			return fmt.Sprintf(`%q is not a number; %s needs numeric values such as "10" or 10`, s, op)
		}
	case famDate:
		if _, ok := parseDate(s); !ok {
			return fmt.Sprintf(`%q is not a date; %s needs ISO 8601 values such as "2025-01-31T00:00:00Z" or epoch seconds`, s, op)
		}
	case famIP:
		if _, ok := parseIPPrefix(s); !ok {
			return fmt.Sprintf(`%q is not an IP address or CIDR block; %s needs values such as "203.0.113.0/24" or "2001:db8::/32"`, s, op)
		}
	case famBool:
		if !strings.EqualFold(s, "true") && !strings.EqualFold(s, "false") {
			return fmt.Sprintf(`%s needs "true" or "false", got %q`, op, s)
		}
	case famNull:
		if !strings.EqualFold(s, "true") && !strings.EqualFold(s, "false") {
			return fmt.Sprintf(`Null needs "true" (the key must be absent) or "false" (the key must be present), got %q`, s)
		}
	}
	return ""
}

func isAccountID(s string) bool {
	if len(s) != 12 {
		return false
	}
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return true
}

// isUniqueID recognises IAM unique IDs (AIDA... users, AROA... roles), which
// IAM shows in place of the ARN of a deleted principal.
func isUniqueID(s string) bool {
	if len(s) < 16 || !(strings.HasPrefix(s, "AIDA") || strings.HasPrefix(s, "AROA")) {
		return false
	}
	for i := 0; i < len(s); i++ {
		if c := s[i]; !(c >= 'A' && c <= 'Z' || c >= '0' && c <= '9') {
			return false
		}
	}
	return true
}

func isAlnum(s string) bool {
	for i := 0; i < len(s); i++ {
		if c := s[i]; !(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9') {
			return false
		}
	}
	return true
}

func quoteList(xs []string) string {
	q := make([]string, len(xs))
	for i, x := range xs {
		q[i] = strconv.Quote(x)
	}
	return strings.Join(q, ", ")
}

// suggest returns the candidate closest to s (case-insensitive edit
// distance), or "" when none is close.
func suggest(s string, candidates []string) string {
	ls := strings.ToLower(s)
	best, bestD := "", -1
	for _, c := range candidates {
		d := editDistance(ls, strings.ToLower(c))
		if bestD < 0 || d < bestD || (d == bestD && c < best) {
			best, bestD = c, d
		}
	}
	limit := max(1, min(3, len(s)/4))
	if bestD < 0 || bestD > limit {
		return ""
	}
	return best
}

func editDistance(a, b string) int {
	prev := make([]int, len(b)+1)
	cur := make([]int, len(b)+1)
	for j := range prev {
		prev[j] = j
	}
	for i := 1; i <= len(a); i++ {
		cur[0] = i
		for j := 1; j <= len(b); j++ {
			cost := 1
			if a[i-1] == b[j-1] {
				cost = 0
			}
			cur[j] = min(prev[j]+1, cur[j-1]+1, prev[j-1]+cost)
		}
		prev, cur = cur, prev
	}
	return prev[len(b)]
}
