package orgsim

import (
	"strings"
	"testing"

	"github.com/orgbaseline/orgbaseline/internal/mgmtpolicy"
)

// The policies of the Organizations user guide's "Inheritance examples"
// (Understanding management policy inheritance).
const (
	inhPolicyA = `{"tags":{"costcenter":{"tag_key":{"@@assign":"CostCenter"},"tag_value":{"@@assign":["Development","Support"]}}}}`
	inhPolicyB = `{"tags":{"costcenter":{"tag_key":{"@@assign":"CostCenter"},"tag_value":{"@@assign":["Sandbox"]},"enforced_for":{"@@assign":["redshift:*","dynamodb:table"]}}}}`
	inhPolicyC = `{"tags":{"costcenter":{"tag_key":{"@@assign":"CostCenter"},"tag_value":{"@@append":["Marketing"]},"enforced_for":{"@@append":["redshift:*","dynamodb:table"]}}}}`
	// Policy D as the page means it: the page nests enforced_for inside
	// tag_value, which its own text and result contradict ("Compliance is
	// not enforced" for the removed enforced_for of policy C).
	inhPolicyD = `{"tags":{"costcenter":{"tag_key":{"@@assign":"CostCenter"},"tag_value":{"@@remove":["Development","Marketing"]},"enforced_for":{"@@remove":["redshift:*","dynamodb:table"]}}}}`
	inhPolicyE = `{"tags":{"project":{"tag_key":{"@@operators_allowed_for_child_policies":["@@none"],"@@assign":"Project"},"tag_value":{"@@operators_allowed_for_child_policies":["@@append"],"@@assign":["Maintenance","Escalations"]}}}}`
	inhPolicyF = `{"tags":{"project":{"tag_key":{"@@assign":"PROJECT"},"tag_value":{"@@append":["Escalations - research"]}}}}`
	inhPolicyG = `{"tags":{"project":{"tag_value":{"@@operators_allowed_for_child_policies":["@@append"],"@@assign":["Maintenance"]}}}}`
	inhPolicyH = `{"tags":{"project":{"tag_value":{"@@operators_allowed_for_child_policies":["@@append","@@remove"]}}}}`
	inhPolicyJ = `{"tags":{"project":{"tag_key":{"@@assign":"PROJECT"},"tag_value":{"@@append":["Maintenance"]}}}}`
	inhPolicyK = `{"tags":{"project":{"tag_key":{"@@assign":"project"}}}}`
)

func mustMgmt(t *testing.T, typ, doc string) *mgmtpolicy.Document {
	t.Helper()
	d, err := mgmtpolicy.Parse(typ, []byte(doc))
	if err != nil {
		t.Fatal(err)
	}
	return d
}

func TestMergeInheritanceExamples(t *testing.T) {
	tag := func(doc string) *mgmtpolicy.Document { return mustMgmt(t, "TAG_POLICY", doc) }
	cases := []struct {
		name     string
		levels   [][]*mgmtpolicy.Document
		want     string
		problems []string
	}{
		{"example 1: assign overwrites", [][]*mgmtpolicy.Document{{tag(inhPolicyA)}, {tag(inhPolicyB)}},
			`{"tags":{"costcenter":{"tag_key":"CostCenter","tag_value":["Sandbox"],"enforced_for":["redshift:*","dynamodb:table"]}}}`, nil},
		{"example 2: append adds", [][]*mgmtpolicy.Document{{tag(inhPolicyA)}, {tag(inhPolicyC)}},
			`{"tags":{"costcenter":{"tag_key":"CostCenter","tag_value":["Development","Support","Marketing"],"enforced_for":["redshift:*","dynamodb:table"]}}}`, nil},
		{"example 3: remove removes", [][]*mgmtpolicy.Document{{tag(inhPolicyA)}, {tag(inhPolicyC)}, {tag(inhPolicyD)}},
			`{"tags":{"costcenter":{"tag_key":"CostCenter","tag_value":["Support"]}}}`, nil},
		{"example 4: restricted child operators", [][]*mgmtpolicy.Document{{tag(inhPolicyE)}, {tag(inhPolicyF)}},
			`{"tags":{"project":{"tag_key":"Project","tag_value":["Maintenance","Escalations","Escalations - research"]}}}`,
			[]string{`level 1 policy 0: tags.project.tag_key: @@assign ignored: a parent policy allows only ["@@none"] at tags.project.tag_key`}},
		{"example 5: same-level restrictions intersect", [][]*mgmtpolicy.Document{{tag(inhPolicyG), tag(inhPolicyH)},
			{tag(`{"tags":{"project":{"tag_value":{"@@remove":["Maintenance"]}}}}`), tag(`{"tags":{"project":{"tag_value":{"@@append":["More"]}}}}`)}},
			`{"tags":{"project":{"tag_value":["Maintenance","More"]}}}`,
			[]string{`level 1 policy 0: tags.project.tag_value: @@remove ignored: a parent policy allows only ["@@append"] at tags.project.tag_value`}},
		{"example 6: first attached wins at one level", [][]*mgmtpolicy.Document{{tag(inhPolicyJ), tag(inhPolicyK)}},
			`{"tags":{"project":{"tag_key":"PROJECT","tag_value":["Maintenance"]}}}`, nil},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			got, problems := mergeEffective("TAG_POLICY", tc.levels)
			if string(got) != tc.want {
				t.Fatalf("effective =\n%s\nwant\n%s", got, tc.want)
			}
			if strings.Join(problems, "\n") != strings.Join(tc.problems, "\n") {
				t.Fatalf("problems =\n%s\nwant\n%s", strings.Join(problems, "\n"), strings.Join(tc.problems, "\n"))
			}
		})
	}
}

func TestMergeAIOptOutExample2(t *testing.T) {
	// AI services opt-out policy syntax, example 2: a root default the
	// children cannot change, and an account opting in to Lex only.
	root := mustMgmt(t, "AISERVICES_OPT_OUT_POLICY", `{"services":{"default":{"@@operators_allowed_for_child_policies":["@@none"],"opt_out_policy":{"@@operators_allowed_for_child_policies":["@@none"],"@@assign":"optOut"}}}}`)
	lex := mustMgmt(t, "AISERVICES_OPT_OUT_POLICY", `{"services":{"lex":{"opt_out_policy":{"@@assign":"optIn"}}}}`)
	flip := mustMgmt(t, "AISERVICES_OPT_OUT_POLICY", `{"services":{"default":{"opt_out_policy":{"@@assign":"optIn"}}}}`)
	got, problems := mergeEffective("AISERVICES_OPT_OUT_POLICY", [][]*mgmtpolicy.Document{{root}, nil, {lex, flip}})
	if want := `{"services":{"default":{"opt_out_policy":"optOut"},"lex":{"opt_out_policy":"optIn"}}}`; string(got) != want {
		t.Fatalf("effective = %s, want %s", got, want)
	}
	if len(problems) != 1 || !strings.Contains(problems[0], "services.default.opt_out_policy: @@assign ignored") {
		t.Fatalf("problems = %q", problems)
	}
	// With @@none under "services" (example 1), no new service section.
	locked := mustMgmt(t, "AISERVICES_OPT_OUT_POLICY", `{"services":{"@@operators_allowed_for_child_policies":["@@none"],"default":{"opt_out_policy":{"@@assign":"optOut"}}}}`)
	got, problems = mergeEffective("AISERVICES_OPT_OUT_POLICY", [][]*mgmtpolicy.Document{{locked}, {lex}})
	if want := `{"services":{"default":{"opt_out_policy":"optOut"}}}`; string(got) != want || len(problems) != 1 || !strings.Contains(problems[0], `allows only ["@@none"] at services`) {
		t.Fatalf("effective = %s, problems %q", got, problems)
	}
}

func TestMergeTagPolicyKeysFoldCase(t *testing.T) {
	a := mustMgmt(t, "TAG_POLICY", `{"tags":{"CostCenter":{"tag_key":{"@@assign":"CostCenter"},"tag_value":{"@@operators_allowed_for_child_policies":["@@none"],"@@assign":["1"]}}}}`)
	b := mustMgmt(t, "TAG_POLICY", `{"tags":{"costcenter":{"tag_value":{"@@assign":["2"]}},"Project":{"tag_key":{"@@assign":"Project"}}}}`)
	got, problems := mergeEffective("TAG_POLICY", [][]*mgmtpolicy.Document{{a}, {b}})
	if want := `{"tags":{"CostCenter":{"tag_key":"CostCenter","tag_value":["1"]},"Project":{"tag_key":"Project"}}}`; string(got) != want || len(problems) != 1 {
		t.Fatalf("effective = %s, problems %q", got, problems)
	}
}

func TestMergeAppendToStringIsAProblem(t *testing.T) {
	a := mustMgmt(t, "DECLARATIVE_POLICY_EC2", `{"ec2_attributes":{"x":{"mode":{"@@assign":"on"}}}}`)
	b := mustMgmt(t, "DECLARATIVE_POLICY_EC2", `{"ec2_attributes":{"x":{"mode":{"@@append":["off"]}},"y":{"@@remove":["z"]}}}`)
	got, problems := mergeEffective("DECLARATIVE_POLICY_EC2", [][]*mgmtpolicy.Document{{a}, {b}})
	if want := `{"ec2_attributes":{"x":{"mode":"on"}}}`; string(got) != want || len(problems) != 1 || !strings.Contains(problems[0], "not a list") {
		t.Fatalf("effective = %s, problems %q", got, problems)
	}
}
