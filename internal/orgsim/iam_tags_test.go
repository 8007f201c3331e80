package orgsim_test

import (
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/iam"
	"github.com/aws/aws-sdk-go-v2/service/iam/types"
	"github.com/google/go-cmp/cmp"

	"github.com/orgbaseline/orgbaseline/internal/orgsim"
)

// TagRole adds or overwrites tags (a key differing only in case replaces
// the old one), UntagRole removes them, and the role's sessions carry
// them as aws:PrincipalTag.
func TestIAMTagRole(t *testing.T) {
	e := newEnv(t, orgsim.Options{Seed: 1, Org: orgsim.OrgSpec{Members: 1, Clean: true}})
	member, _ := e.sim.AccountID("Log Archive")
	c := e.iam(e.assume(member, orgsim.DefaultExecutionRole))
	role := aws.String(orgsim.DefaultExecutionRole)
	tag := func(k, v string) types.Tag { return types.Tag{Key: aws.String(k), Value: aws.String(v)} }
	tags := func() map[string]string {
		t.Helper()
		out, err := c.ListRoleTags(bg, &iam.ListRoleTagsInput{RoleName: role})
		iamTNoErr(t, err, "ListRoleTags")
		m := map[string]string{}
		for _, x := range out.Tags {
			m[aws.ToString(x.Key)] = aws.ToString(x.Value)
		}
		return m
	}

	_, err := c.TagRole(bg, &iam.TagRoleInput{RoleName: role, Tags: []types.Tag{tag("team", "platform"), tag("env", "prod")}})
	iamTNoErr(t, err, "TagRole")
	_, err = c.TagRole(bg, &iam.TagRoleInput{RoleName: role, Tags: []types.Tag{tag("Team", "security")}})
	iamTNoErr(t, err, "TagRole again")
	if diff := cmp.Diff(map[string]string{"Team": "security", "env": "prod"}, tags()); diff != "" {
		t.Errorf("tags (-want +got):\n%s", diff)
	}

	e.sim.Record(true)
	_, err = c.GetRole(bg, &iam.GetRoleInput{RoleName: role})
	iamTNoErr(t, err, "GetRole")
	recorded := e.sim.Authorizations()
	if len(recorded) != 1 || recorded[0].Request.Context["aws:principaltag/team"][0] != "security" {
		t.Errorf("aws:PrincipalTag/team of the role's session: %v", recorded)
	}

	_, err = c.UntagRole(bg, &iam.UntagRoleInput{RoleName: role, TagKeys: []string{"TEAM", "absent"}})
	iamTNoErr(t, err, "UntagRole")
	if diff := cmp.Diff(map[string]string{"env": "prod"}, tags()); diff != "" {
		t.Errorf("tags after UntagRole (-want +got):\n%s", diff)
	}

	many := make([]types.Tag, 0, 50)
	for i := range 50 {
		many = append(many, tag("k"+string(rune('a'+i/26))+string(rune('a'+i%26)), "v"))
	}
	_, err = c.TagRole(bg, &iam.TagRoleInput{RoleName: role, Tags: many})
	iamTWant(t, err, "LimitExceeded", 409, "TagsPerRole")
	_, err = c.TagRole(bg, &iam.TagRoleInput{RoleName: aws.String("nobody"), Tags: []types.Tag{tag("a", "b")}})
	iamTWant(t, err, "NoSuchEntity", 404, "nobody")
}
