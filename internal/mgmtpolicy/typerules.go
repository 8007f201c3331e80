package mgmtpolicy

import (
	"sort"
	"strings"
)

// checkType applies the rules one type's syntax page adds to the general
// grammar. top is the value of the type's top-level key. The general walk
// has already reported wrong shapes, so these checks skip what is not an
// object.
//
// Types without rules here are checked for their top-level key only:
// BACKUP_POLICY (the plan elements have grown since the syntax page was
// archived; AWS Backup validates them), DECLARATIVE_POLICY_EC2 (one
// schema per EC2 attribute, and the list grows) and BEDROCK_POLICY (the
// syntax page shows two different shapes for a guardrail configuration).
func checkType(p *parser, top any) {
	obj, ok := top.(*object)
	if !ok {
		return
	}
	path := []string{p.typ.TopLevelKey}
	switch p.typ.Type {
	case "TAG_POLICY":
		checkTags(p, path, obj)
	case "AISERVICES_OPT_OUT_POLICY":
		checkAIOptOut(p, path, obj)
	case "S3_POLICY":
		onlyKeys(p, path, obj, "public_access_block_configuration")
		assignOneOf(p, path, obj, "public_access_block_configuration", "all", "none")
	case "SECURITYHUB_POLICY":
		onlyKeys(p, path, obj, "enable_in_regions", "disable_in_regions")
		requireKeys(p, path, obj, "enable_in_regions", "disable_in_regions")
	case "INSPECTOR_POLICY":
		checkInspector(p, path, obj)
	}
}

// settingKeys returns the keys of obj that are not operators.
func settingKeys(obj *object) []string {
	var out []string
	for _, k := range obj.keys {
		if !strings.HasPrefix(k, "@@") {
			out = append(out, k)
		}
	}
	return out
}

// onlyKeys reports every key of obj outside allowed.
func onlyKeys(p *parser, path []string, obj *object, allowed ...string) {
	for _, k := range settingKeys(obj) {
		if !contains(allowed, k) {
			p.report(append(path, k), "unknown key %q: %s allows here only %s", k, p.typ.Type, quoteAll(allowed))
		}
	}
}

// requireKeys reports every key of required that obj lacks.
func requireKeys(p *parser, path []string, obj *object, required ...string) {
	for _, k := range required {
		if _, ok := obj.get(k); !ok {
			p.report(path, "needs the key %q", k)
		}
	}
}

// assignOneOf checks that the setting key of obj, when present, assigns
// one of the allowed strings.
func assignOneOf(p *parser, path []string, obj *object, key string, allowed ...string) {
	setting, ok := child(obj, key)
	if !ok {
		return
	}
	for _, op := range []string{OpAppend, OpRemove} {
		if _, ok := setting.get(op); ok {
			p.report(append(path, key), "takes only %s, not %s", OpAssign, op)
		}
	}
	if v, ok := setting.get(OpAssign); ok {
		if s, isStr := v.(string); !isStr || !contains(allowed, s) {
			p.report(append(path, key), "%s must be one of %s (case matters)", OpAssign, quoteAll(allowed))
		}
	}
}

func child(obj *object, key string) (*object, bool) {
	v, ok := obj.get(key)
	if !ok {
		return nil, false
	}
	o, ok := v.(*object)
	return o, ok
}

func contains(list []string, s string) bool {
	for _, e := range list {
		if e == s {
			return true
		}
	}
	return false
}

// checkTags applies "Tag policy syntax and examples": each policy key
// under "tags" uniquely identifies a statement and "is not case
// sensitive", so two policy keys that differ only in case clash; a
// statement holds tag_key, tag_value and enforced_for, and
// report_required_tag_for (the block whose keys the Resource Groups
// Tagging API's ListRequiredTags reports, RequiredTag.ReportingTagKeys);
// tag_key is a single string that "must match the value for the policy
// key" except for case; enforced_for and report_required_tag_for are
// lists.
func checkTags(p *parser, path []string, tags *object) {
	seen := map[string]string{}
	for _, key := range settingKeys(tags) {
		if prev, dup := seen[strings.ToLower(key)]; dup {
			p.report(append(path, key), "policy key %q clashes with %q: policy keys are not case sensitive", key, prev)
		}
		seen[strings.ToLower(key)] = key
		stmt, ok := child(tags, key)
		if !ok {
			continue
		}
		spath := append(append([]string(nil), path...), key)
		onlyKeys(p, spath, stmt, "tag_key", "tag_value", "enforced_for", "report_required_tag_for")
		checkTagKey(p, spath, key, stmt)
		for _, list := range []string{"enforced_for", "report_required_tag_for"} {
			if s, ok := child(stmt, list); ok {
				if v, ok := s.get(OpAssign); ok {
					if _, isList := stringList(v); !isList {
						p.report(append(spath, list), "%s must be a list of strings", OpAssign)
					}
				}
			}
		}
	}
}

func checkTagKey(p *parser, spath []string, policyKey string, stmt *object) {
	tk, ok := child(stmt, "tag_key")
	if !ok {
		return
	}
	kpath := append(append([]string(nil), spath...), "tag_key")
	for _, op := range []string{OpAppend, OpRemove} {
		if _, ok := tk.get(op); ok {
			p.report(kpath, "takes only %s: a tag key is a single value", OpAssign)
		}
	}
	v, ok := tk.get(OpAssign)
	if !ok {
		return
	}
	s, isStr := v.(string)
	switch {
	case !isStr:
		p.report(kpath, "%s must be a string", OpAssign)
	case !strings.EqualFold(s, policyKey):
		p.report(kpath, "%s %q must match the policy key %q except for case", OpAssign, s, policyKey)
	}
}

// checkAIOptOut applies "AI services opt-out policy syntax and examples":
// under a service name key, "The opt_out_policy key ... must be present.
// This is the only key you can place under a service name key", and it
// "can contain only the @@assign operator with one of the following
// values: optOut, optIn"; "You can't use the @@append and @@remove
// inheritance operators"; the child control operator takes "@@assign" or
// "@@none". Service names are not checked: AWS adds AI services to the
// list (and "default" stands for all of them).
func checkAIOptOut(p *parser, path []string, services *object) {
	checkAIChildOps(p, path, services)
	for _, name := range settingKeys(services) {
		svc, ok := child(services, name)
		if !ok {
			continue
		}
		spath := append(append([]string(nil), path...), name)
		checkAIChildOps(p, spath, svc)
		onlyKeys(p, spath, svc, "opt_out_policy")
		requireKeys(p, spath, svc, "opt_out_policy")
		assignOneOf(p, spath, svc, "opt_out_policy", "optOut", "optIn")
		if opt, ok := child(svc, "opt_out_policy"); ok {
			checkAIChildOps(p, append(spath, "opt_out_policy"), opt)
		}
	}
}

func checkAIChildOps(p *parser, path []string, obj *object) {
	v, ok := obj.get(OpChildOps)
	if !ok {
		return
	}
	l, _ := stringList(v)
	for _, op := range l {
		if op != OpAssign && op != ChildOpNone {
			p.report(path, "%s in an AI services opt-out policy takes only \"@@assign\" or \"@@none\", not %q", OpChildOps, op)
		}
	}
}

// checkInspector applies "Amazon Inspector policy syntax and examples":
// "inspector" holds "enablement", which holds scan types; "Both
// enable_in_regions and disable_in_regions lists are required for each
// scan type included in the policy". Scan type names are not checked (the
// page's own example nests lambda_code_scanning inside
// lambda_standard_scanning, so their place is unclear).
func checkInspector(p *parser, path []string, inspector *object) {
	onlyKeys(p, path, inspector, "enablement")
	en, ok := child(inspector, "enablement")
	if !ok {
		return
	}
	epath := append(append([]string(nil), path...), "enablement")
	names := settingKeys(en)
	sort.Strings(names)
	for _, name := range names {
		if scan, ok := child(en, name); ok {
			requireKeys(p, append(append([]string(nil), epath...), name), scan, "enable_in_regions", "disable_in_regions")
		}
	}
}
