package iampolicy

import (
	"encoding/json"
	"fmt"
	"testing"
)

// TestResourceUnknown: with Request.ResourceUnknown, a "*" of the
// request's resource is text the caller cannot know (a Config rule's id):
// a pattern covering every such text matches, one covering none does not,
// one covering some leaves a Deny undecided on "Resource".
func TestResourceUnknown(t *testing.T) {
	const res = "arn:aws:config:us-east-1:111122223333:config-rule/*"
	for _, tc := range []struct {
		element, pattern string
		want             Decision
		undecided        bool
	}{
		{"Resource", "*", ExplicitDeny, false},
		{"Resource", "arn:aws:config:*:*:config-rule/*", ExplicitDeny, false},
		{"Resource", "arn:aws:config:*:*:*", ExplicitDeny, false},
		{"Resource", "arn:aws:config:*:*:config-rule/config-rule-a1b2c3", Allow, true},
		{"Resource", "arn:aws:config:*:*:config-rule/config-rule-??????", Allow, true},
		{"Resource", "arn:aws:s3:::*", Allow, false},
		{"Resource", "arn:aws:config:*:999999999999:config-rule/*", Allow, false},
		{"NotResource", "arn:aws:config:*:*:config-rule/config-rule-a1b2c3", Allow, true},
		{"NotResource", "arn:aws:config:*:*:config-rule/*", Allow, false},
		{"NotResource", "arn:aws:s3:::*", ExplicitDeny, false},
	} {
		t.Run(tc.element+" "+tc.pattern, func(t *testing.T) {
			doc := fmt.Sprintf(`{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"*","Resource":"*"},{"Sid":"D","Effect":"Deny","Action":"config:PutConfigRule",%q:%q}]}`, tc.element, tc.pattern)
			p := MustParse(doc, KindSCP)
			r := p.Evaluate(&Request{Action: "config:PutConfigRule", Resource: res, Context: map[string][]string{}, Unknown: map[string]bool{}, ResourceUnknown: true})
			if r.Decision != tc.want || r.Undecided != tc.undecided {
				t.Fatalf("decision %v undecided %v, want %v %v", r.Decision, r.Undecided, tc.want, tc.undecided)
			}
			if tc.undecided && (r.UnknownKey != ResourceKey || r.UndecidedStatement == nil || r.UndecidedStatement.Sid != "D") {
				t.Errorf("undecided by %q in %v, want Resource in D", r.UnknownKey, r.UndecidedStatement)
			}
			// Without ResourceUnknown the "*" is literal text: no unknowns.
			r = p.Evaluate(&Request{Action: "config:PutConfigRule", Resource: res, Context: map[string][]string{}})
			if r.Undecided {
				t.Errorf("undecided without ResourceUnknown")
			}
		})
	}
}

// TestResourceUnknownWithVariables: a Resource list with a policy variable
// in one pattern still treats the request's "*" as unknown text in every
// pattern (it was matched literally, and a pattern naming one id never
// matched).
func TestResourceUnknownWithVariables(t *testing.T) {
	const res = "arn:aws:config:us-east-1:111122223333:config-rule/*"
	ctx := map[string][]string{"aws:resourceaccount": {"111122223333"}}
	for _, tc := range []struct {
		patterns  []string
		want      Decision
		undecided bool
	}{
		{[]string{"arn:aws:config:*:*:config-rule/config-rule-a1b2c3", "arn:aws:iam::${aws:ResourceAccount}:role/*"}, Allow, true},
		{[]string{"arn:aws:config:*:${aws:ResourceAccount}:config-rule/config-rule-a1b2c3"}, Allow, true},
		{[]string{"arn:aws:config:*:${aws:ResourceAccount}:config-rule/*"}, ExplicitDeny, false},
		{[]string{"arn:aws:s3:::*", "arn:aws:config:*:${aws:ResourceAccount}:config-aggregator/*"}, Allow, false},
	} {
		list, err := json.Marshal(tc.patterns)
		if err != nil {
			t.Fatal(err)
		}
		doc := fmt.Sprintf(`{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"*","Resource":"*"},{"Sid":"D","Effect":"Deny","Action":"config:PutConfigRule","Resource":%s}]}`, list)
		p := MustParse(doc, KindSCP)
		r := p.Evaluate(&Request{Action: "config:PutConfigRule", Resource: res, Context: ctx, Unknown: map[string]bool{}, ResourceUnknown: true})
		if r.Decision != tc.want || r.Undecided != tc.undecided || (tc.undecided && r.UnknownKey != ResourceKey) {
			t.Errorf("%v: decision %v undecided %v (%q), want %v %v", tc.patterns, r.Decision, r.Undecided, r.UnknownKey, tc.want, tc.undecided)
		}
	}
}

func TestGlobsOverlap(t *testing.T) {
	for _, tc := range []struct {
		p, q string
		want bool
	}{
		{"a*", "*b", true}, {"abc", "a?c", true}, {"abc", "abd", false}, {"a*c", "b*", false},
		{"config-rule/config-rule-1", "config-rule/*", true}, {"x/*", "y/*", false}, {"", "*", true}, {"?", "", false},
		{"a:b", "*", false}, {"a/b", "a*", true}, {"a*", "a*", true},
		{"arn:aws:config:*:*:configuration-recorder/default/abc", "arn:aws:config:us-east-1:1:configuration-recorder/*", true},
	} {
		if got := globsOverlap(tc.p, tc.q); got != tc.want {
			t.Errorf("globsOverlap(%q, %q) = %v, want %v", tc.p, tc.q, got, tc.want)
		}
	}
}
