package baseline

import (
	"fmt"
	"strings"
)

// policyItem is one declared policy of any type, as validatePolicyList
// checks it.
type policyItem struct {
	Name, Description, Document, File string
	Targets                           []Selector
}

// validatePolicyList checks the policies of one policy type: each has a
// name unique in its type (not the AWS managed default's), a description
// AWS accepts, exactly one of document and file, and targets that are a
// root, an OU or an account. What the document says is checked when the
// control is built.
func validatePolicyList(v *validation, path string, pt *PolicyType, items []policyItem) {
	first := map[string]int{}
	for i, p := range items {
		pp := fmt.Sprintf("%s.policies[%d]", path, i)
		if v.bad(pp) {
			continue
		}
		label := fmt.Sprintf("%s (%s)", pp, quote(p.Name))
		switch n := len([]rune(p.Name)); {
		case v.bad(pp + ".name"):
		case !v.has(pp + ".name"):
			v.errorf(pp, "%s has no name; give each %s a name (1-128 characters), which identifies it in the organization", pp, pt.Short)
			label = pp
		case n == 0 || n > MaxSCPNameLength:
			v.errorf(pp+".name", "%s.name is %d characters long; %s name has 1 to %d", pp, n, pt.One, MaxSCPNameLength)
		case p.Name != strings.TrimSpace(p.Name):
			v.errorf(pp+".name", "%s.name %s has leading or trailing spaces; remove them", pp, quote(p.Name))
		case p.Name == FullAWSAccessName || p.Name == RCPFullAWSAccessName:
			v.errorf(pp+".name", "%s.name %s is the name of the AWS managed policy; choose another name", pp, quote(p.Name))
		default:
			if j, dup := first[p.Name]; dup {
				v.errorf(pp+".name", "%s name %s is used twice (%s.policies[%d] and %s); %s names are unique in an organization, rename one", pt.Short, quote(p.Name), path, j, pp, pt.Short)
			} else {
				first[p.Name] = i
			}
		}
		if n := len([]rune(p.Description)); n > MaxSCPDescriptionLength {
			v.errorf(pp+".description", "%s: description is %d characters long; AWS allows at most %d", label, n, MaxSCPDescriptionLength)
		}
		hasDoc, hasFile := v.has(pp+".document"), v.has(pp+".file")
		switch {
		case v.bad(pp+".document") || v.bad(pp+".file"):
		case hasDoc && hasFile:
			v.errorf(pp+".file", "%s has both document and file; keep one: the policy document inline (document) or a JSON file beside the baseline (file)", label)
		case !hasDoc && !hasFile:
			v.errorf(pp, "%s has no policy document; set document (inline JSON) or file (a JSON file beside the baseline)", label)
		case hasDoc && strings.TrimSpace(p.Document) == "":
			v.errorf(pp+".document", "%s: document is empty; write the policy's JSON", label)
		case hasFile && strings.TrimSpace(p.File) == "":
			v.errorf(pp+".file", "%s: file is empty; give the path of the policy's JSON file, relative to the baseline file", label)
		}
		tp := pp + ".targets"
		switch {
		case v.bad(tp):
		case !v.has(tp) || len(p.Targets) == 0:
			v.errorf(tp, "%s has no targets; list where to attach it: root, ou:/Path, ou:<ou id> or account:<id or name>", label)
		}
		for j, s := range p.Targets {
			sp := fmt.Sprintf("%s[%d]", tp, j)
			if v.bad(sp) || s.Raw == "" {
				continue
			}
			if s.Kind == SelectTag {
				v.errorf(sp, "%s: %s: %s is attached to the root, an OU or an account, not to a tag; use root, ou:/Path, ou:<ou id> or account:<id or name>", label, s.Raw, pt.One)
			}
		}
		checkDuplicateSelectors(v, tp, p.Targets)
	}
}
