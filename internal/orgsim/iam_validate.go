package orgsim

import (
	"encoding/base64"
	"errors"
	"regexp"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/orgbaseline/orgbaseline/internal/iampolicy"
)

// IAM: validation, as AWS words it:
// "1 validation error detected: Value 'x' at 'userName' failed to satisfy
// constraint: Member must satisfy regular expression pattern: [\w+=,.@-]+".

type iamPattern struct {
	show string
	re   *regexp.Regexp
}

func iamPat(show, goRE string) iamPattern {
	return iamPattern{show: show, re: regexp.MustCompile(`^(?:` + goRE + `)$`)}
}

var (
	iamPatName       = iamPat(`[\w+=,.@-]+`, `[\w+=,.@-]+`)
	iamPatPath       = iamPat(`(\u002F)|(\u002F[\u0021-\u007E]+\u002F)`, `(/)|(/[\x21-\x7E]+/)`)
	iamPatPathPrefix = iamPat(`\u002F[\u0021-\u007F]*`, `/[\x21-\x7F]*`)
	// iamPatPolicyPath is ListPolicies' PathPrefix (policyPathType).
	iamPatPolicyPath = iamPat(`((/[A-Za-z0-9\.,\+@=_-]+)*)/`, `((/[A-Za-z0-9.,+@=_-]+)*)/`)
	iamPatDoc        = iamPat(`[\u0009\u000A\u000D\u0020-\u00FF]+`, `[\x09\x0A\x0D\x20-\x{FF}]+`)
	iamPatDesc       = iamPat(`[\u0009\u000A\u000D\u0020-\u007E\u00A1-\u00FF]*`, `[\x09\x0A\x0D\x20-\x7E\x{A1}-\x{FF}]*`)
	iamPatKeyID      = iamPat(`[\w]+`, `[\w]+`)
	iamPatSerial     = iamPat(`[\w+=/:,.@-]+`, `[\w+=/:,.@-]+`)
	iamPatCode       = iamPat(`[\d]+`, `[\d]+`)
	iamPatVersion    = iamPat(`v[1-9][0-9]*(\.[A-Za-z0-9-]*)?`, `v[1-9][0-9]*(\.[A-Za-z0-9-]*)?`)
	iamPatPassword   = iamPat(`[\u0009\u000A\u000D\u0020-\u00FF]+`, `[\x09\x0A\x0D\x20-\x{FF}]+`)
)

type iamValidator struct {
	c    *call
	msgs []string
}

func (c *call) iamValidate() *iamValidator { return &iamValidator{c: c} }

func (v *iamValidator) fail(param, value, constraint string) {
	v.msgs = append(v.msgs, "Value '"+value+"' at '"+lowerFirst(param)+"' failed to satisfy constraint: "+constraint)
}

// str checks an optional or required string parameter and returns its value.
func (v *iamValidator) str(param string, required bool, min, max int, pat *iamPattern) string {
	if !v.c.form.Has(param) {
		if required {
			v.msgs = append(v.msgs, "Value null at '"+lowerFirst(param)+"' failed to satisfy constraint: Member must not be null")
		}
		return ""
	}
	s := v.c.form.Get(param)
	n := utf8.RuneCountInString(s)
	switch {
	case n < min:
		v.fail(param, s, "Member must have length greater than or equal to "+strconv.Itoa(min))
	case n > max:
		v.fail(param, s, "Member must have length less than or equal to "+strconv.Itoa(max))
	case pat != nil && !pat.re.MatchString(s):
		v.fail(param, s, "Member must satisfy regular expression pattern: "+pat.show)
	}
	return s
}

func (v *iamValidator) name(param string, required bool, max int) string {
	return v.str(param, required, 1, max, &iamPatName)
}

func (v *iamValidator) path(param string) string {
	return iamPathOr(v.str(param, false, 1, 512, &iamPatPath))
}

func (v *iamValidator) pathPrefix() string {
	return v.str("PathPrefix", false, 1, 512, &iamPatPathPrefix)
}

func (v *iamValidator) policyARN() string { return v.str("PolicyArn", true, 20, 2048, nil) }

func (v *iamValidator) doc(param string) string {
	return v.str(param, true, 1, 131072, &iamPatDoc)
}

func (v *iamValidator) enum(param string, values ...string) string {
	s := v.c.form.Get(param)
	if !v.c.form.Has(param) {
		return ""
	}
	for _, x := range values {
		if s == x {
			return s
		}
	}
	v.fail(param, s, "Member must satisfy enum value set: ["+strings.Join(values, ", ")+"]")
	return s
}

// intRange checks an optional integer parameter.
func (v *iamValidator) intRange(param string, min, max int) (int, bool) {
	n, ok, err := queryInt(v.c.form, param)
	if err != nil {
		v.msgs = append(v.msgs, err.Message)
		return 0, false
	}
	if !ok {
		return 0, false
	}
	switch {
	case n < min:
		v.fail(param, strconv.Itoa(n), "Member must have value greater than or equal to "+strconv.Itoa(min))
	case n > max:
		v.fail(param, strconv.Itoa(n), "Member must have value less than or equal to "+strconv.Itoa(max))
	}
	return n, true
}

// tags reads Tags.member.N.Key/Value (at most 50).
func (v *iamValidator) tags() map[string]string {
	list := queryStructList(v.c.form, "Tags")
	if len(list) == 0 {
		return nil
	}
	if len(list) > 50 {
		v.msgs = append(v.msgs, "Value at 'tags' failed to satisfy constraint: Member must have length less than or equal to 50")
	}
	m := map[string]string{}
	for _, t := range list {
		k := t["Key"]
		if n := utf8.RuneCountInString(k); n < 1 || n > 128 {
			v.msgs = append(v.msgs, "Value '"+k+"' at 'tags.member.key' failed to satisfy constraint: Member must have length between 1 and 128")
			continue
		}
		if utf8.RuneCountInString(t["Value"]) > 256 {
			v.msgs = append(v.msgs, "Value '"+t["Value"]+"' at 'tags.member.value' failed to satisfy constraint: Member must have length less than or equal to 256")
			continue
		}
		m[k] = t["Value"]
	}
	return m
}

func (v *iamValidator) err() *apiError {
	switch len(v.msgs) {
	case 0:
		return nil
	case 1:
		return newErr(400, "ValidationError", "1 validation error detected: %s", v.msgs[0])
	}
	return newErr(400, "ValidationError", "%d validation errors detected: %s", len(v.msgs), strings.Join(v.msgs, "; "))
}

// iamPage reads Marker and MaxItems and returns the bounds of the page of
// total items to answer, and the IsTruncated/Marker members.
func (c *call) iamPage(total int) (start, end int, out iamPageOut, err *apiError) {
	v := c.iamValidate()
	max, ok := v.intRange("MaxItems", 1, 1000)
	v.str("Marker", false, 1, 320, nil)
	if e := v.err(); e != nil {
		return 0, 0, out, e
	}
	if !ok {
		max = 100
	}
	start, end, next, good := page(c.op, total, c.form.Get("Marker"), max)
	if !good {
		return 0, 0, out, newErr(400, "ValidationError", "Invalid Marker: the marker was not returned by a previous %s call", c.op)
	}
	if next != "" {
		out = iamPageOut{IsTruncated: true, Marker: next}
	}
	return start, end, out, nil
}

// iamParseDoc compiles a policy document, answering MalformedPolicyDocument
// as AWS does when it does not parse.
func iamParseDoc(text string, kind iampolicy.Kind) (*policyDoc, *apiError) {
	p, err := iampolicy.Parse([]byte(text), kind)
	if err != nil {
		var pe *iampolicy.ParseError
		msg := err.Error()
		if errors.As(err, &pe) && len(pe.Problems) > 0 {
			parts := make([]string, len(pe.Problems))
			for i, pr := range pe.Problems {
				parts[i] = pr.String()
			}
			msg = strings.Join(parts, "; ")
		}
		return nil, newErr(400, "MalformedPolicyDocument", "%s", msg)
	}
	return &policyDoc{text: text, parsed: p}, nil
}

// iamDocSize is the size IAM counts for a policy: whitespace outside
// strings is not counted.
func iamDocSize(text string) int {
	if n, err := iampolicy.MinifiedSize(text); err == nil {
		return n
	}
	return utf8.RuneCountInString(text)
}

// checkTrustPrincipals rejects AWS principals that name users or roles that
// do not exist in an account orgsim holds, and wildcards inside ARNs, as IAM
// does when it saves a trust policy ("Invalid principal in policy").
func (c *call) checkTrustPrincipals(d *policyDoc) *apiError {
	for _, st := range d.parsed.Statements {
		for _, set := range []*iampolicy.PrincipalSet{st.Principal, st.NotPrincipal} {
			if set == nil {
				continue
			}
			for _, p := range set.AWS {
				if p == "*" || isAccountID(p) {
					continue
				}
				if !c.principalExists(p) {
					return newErr(400, "MalformedPolicyDocument", "Invalid principal in policy: \"AWS\":\"%s\"", p)
				}
			}
		}
	}
	return nil
}

func (c *call) principalExists(p string) bool {
	if strings.Contains(p, "*") || strings.Contains(p, "?") {
		return false
	}
	rest, ok := strings.CutPrefix(p, c.sim.arnPrefix()+"iam::")
	if !ok {
		// sts assumed-role ARNs and unique ids are accepted as written; an
		// ARN of another partition names no principal AWS can find.
		return strings.HasPrefix(p, c.sim.arnPrefix()+"sts::") || strings.HasPrefix(p, "AIDA") || strings.HasPrefix(p, "AROA")
	}
	acct, res, ok := strings.Cut(rest, ":")
	if !ok || !isAccountID(acct) {
		return false
	}
	a := c.sim.accounts[acct]
	if a == nil || a.iam == nil {
		return true // an account orgsim does not hold: accepted as written
	}
	typ, pathName, _ := strings.Cut(res, "/")
	name := pathName[strings.LastIndexByte(pathName, '/')+1:]
	switch typ {
	case "root":
		return pathName == "" && res == "root"
	case "user":
		u := a.iam.findUser(name)
		return u != nil && strings.EqualFold(u.arn, p)
	case "role":
		r := a.iam.findRole(name)
		return r != nil && strings.EqualFold(r.arn, p)
	}
	return false
}

// ---------------------------------------------------------------------------
// Errors AWS words the same way everywhere.

func iamNoUser(name string) *apiError {
	return newErr(404, "NoSuchEntity", "The user with name %s cannot be found.", name)
}

func iamNoRole(name string) *apiError {
	return newErr(404, "NoSuchEntity", "The role with name %s cannot be found.", name)
}

func iamNoGroup(name string) *apiError {
	return newErr(404, "NoSuchEntity", "The group with name %s cannot be found.", name)
}

func iamNotAttachable(arn string) *apiError {
	return newErr(404, "NoSuchEntity", "Policy %s does not exist or is not attachable.", arn)
}

func iamPolicyNotFound(arn string) *apiError {
	return newErr(404, "NoSuchEntity", "Policy %s was not found.", arn)
}

func iamNonUserCaller() *apiError {
	return newErr(400, "ValidationError", "Must specify userName when calling with non-User credentials")
}

// iamBase64 encodes a blob member.
func iamBase64(b []byte) string { return base64.StdEncoding.EncodeToString(b) }
