package orgsim

import "strings"

// IAM: tagging a role (TagRole, UntagRole). A role's tags are what AWS
// reads as aws:PrincipalTag/<key> for the role's sessions (reqctx.go).
//
// IAM API reference, TagRole: "If a tag with the same key name already
// exists, then that tag is overwritten with the new value"; "If any one of
// the tags is invalid or if you exceed the allowed maximum number of tags,
// then the entire request fails". The maximum is 50 tags per role (IAM
// user guide, "IAM and AWS STS quotas": tags per IAM role). orgsim keeps
// tag keys unique regardless of case, as reqctx.go's principalTags does:
// a key that differs only in case replaces the old one (the IAM user
// guide, "Tagging IAM resources", does not say otherwise; the stricter
// reading for a policy on aws:PrincipalTag, whose key names are
// case-insensitive).

// iamMaxRoleTags is the most tags a role may have.
const iamMaxRoleTags = 50

func iamTagRole(c *call) (any, *apiError) {
	r, e := c.iamRoleArg()
	if e != nil {
		return nil, e
	}
	v := c.iamValidate()
	tags := v.tags()
	if e := v.err(); e != nil {
		return nil, e
	}
	if len(tags) == 0 {
		return nil, newErr(400, "ValidationError", "1 validation error detected: Value null at 'tags' failed to satisfy constraint: Member must not be null")
	}
	next := map[string]string{}
	for k, val := range r.tags {
		next[k] = val
	}
	for k, val := range tags {
		for old := range next {
			if strings.EqualFold(old, k) {
				delete(next, old)
			}
		}
		next[k] = val
	}
	if len(next) > iamMaxRoleTags {
		return nil, newErr(409, "LimitExceeded", "Cannot exceed quota for TagsPerRole: %d", iamMaxRoleTags)
	}
	r.tags = next
	return nil, nil
}

// iamUntagRole removes the tags of TagKeys.member.N; a key the role does
// not have is ignored (IAM API reference, UntagRole).
func iamUntagRole(c *call) (any, *apiError) {
	r, e := c.iamRoleArg()
	if e != nil {
		return nil, e
	}
	keys := queryList(c.form, "TagKeys", "")
	if len(keys) == 0 {
		return nil, newErr(400, "ValidationError", "1 validation error detected: Value null at 'tagKeys' failed to satisfy constraint: Member must not be null")
	}
	for _, k := range keys {
		for old := range r.tags {
			if strings.EqualFold(old, k) {
				delete(r.tags, old)
			}
		}
	}
	return nil, nil
}
