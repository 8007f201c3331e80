package iampolicy

import "testing"

// TestAWSSemantics checks each evaluation rule against the AWS
// documentation it comes from. source quotes the page (IAM user guide
// unless said otherwise); the statement is evaluated alone and applies
// when the decision is its Effect.
func TestAWSSemantics(t *testing.T) {
	const (
		operators = `"IAM JSON policy elements: Condition operators"`
		multi     = `"Creating a condition with multiple keys or values"`
		examples  = `"Multivalued context key examples"`
		variables = `"IAM policy elements: Variables and tags"`
		analyzer  = `"IAM Access Analyzer policy check reference"`
	)
	missingRule := operators + `: "If the key that you specify in a policy condition is not present in the request context, the values do not match and the condition is false. If the policy condition requires that the key is not matched, such as StringNotLike or ArnNotLike, and the right key is not present, the condition is true."`
	ifExists := operators + `: "If the policy key is present in the context of the request, process the key as specified in the policy. If the key is not present, evaluate the condition element as true."`
	denyIfExists := operators + `: "If you are using an "Effect": "Deny" element with a negated condition operator like StringNotEqualsIfExists, the request is still denied even if the tag is missing."`
	forAll := multi + `: ForAllValues "returns true if every key value in the request matches at least one value in the policy. It also returns true if there are no keys in the request, or if the key values resolve to a null data set, such as an empty string."`
	forAny := multi + `: ForAnyValue "returns true if any one of the key values in the request matches any one of the condition values in the policy. For no matching key or a null dataset, the condition returns false."`
	notLikeTable := examples + `: ForAllValues:StringNotLike {"aws:TagKeys": "key1*"} in a Deny: key1:legal "No match", key1:hr and key1:personnel "No match", key2:audit "Match", no aws:TagKeys "Match".`
	nor := multi + `: "When multiple values are listed in a policy for negated matching condition operators such as StringNotEquals ... the string cannot match any of the ... values listed to resolve the condition to true."`
	anyIfExists := `AWS re:Post "ForAnyValue:StringEqualsIfExists behaving unexpectedly": an Allow with ForAnyValue:StringEqualsIfExists over an absent aws:TagKeys did not allow sqs:ListQueues; "if there is no matching context key or the dataset is null, the condition returns false".`
	nullQualifier := analyzer + `, Null with qualifier: "When you use the Null condition operator with ForAllValues, the statement always returns true. When you use the Null condition operator with ForAnyValue, the statement always returns false."`
	noQualifier := multi + `: "Multivalued condition keys require a set operator" and ` + analyzer + ` reports "Missing qualifier" as an error; the result is undefined, so a Deny holds when some request value satisfies the operator and an Allow never holds.`
	noValueVar := variables + `: "When you use a variable with no value in the condition element ..., condition operators like StringEquals or StringLike do not match ... Inverted condition operators like StringNotEquals or StringNotLike do match against a null value".`
	multiVar := variables + `: "You can use any single-valued condition key as a variable. You can't use a multivalued condition key as a variable."`
	varWhere := variables + `: "You can use policy variables in the Resource element and in string comparisons in the Condition element" ... "in any condition that involves the string operators or the ARN operators".`

	tags := func(keys ...string) map[string][]string {
		m := map[string][]string{}
		for _, k := range keys {
			m["aws:tagkeys"] = append(m["aws:tagkeys"], k)
		}
		return m
	}
	none := map[string][]string(nil)
	tests := []struct {
		name   string
		source string
		effect Effect
		body   string // the statement after its Effect
		action string // "" is s3:GetObject
		res    string // "" is *
		ctx    map[string][]string
		want   bool // the statement applies
	}{
		{"action names are case-insensitive (request)", `"IAM JSON policy elements: Action": "The prefix and the action name are case insensitive. For example, iam:ListAccessKeys is the same as IAM:listaccesskeys."`,
			EffectDeny, `"Action":"iam:ListAccessKeys","Resource":"*"`, "IAM:listaccesskeys", "", none, true},
		{"action names are case-insensitive (policy)", `"IAM JSON policy elements: Action" (as above)`,
			EffectDeny, `"Action":"IAM:LISTACCESSKEYS","Resource":"*"`, "iam:ListAccessKeys", "", none, true},
		{"NotAction is case-insensitive", `"IAM JSON policy elements: Action" (as above)`,
			EffectDeny, `"NotAction":"IAM:*","Resource":"*"`, "iam:ListAccessKeys", "", none, false},

		{"missing key: positive operator false", missingRule, EffectDeny, `"Action":"*","Resource":"*","Condition":{"StringLike":{"aws:SourceVpc":"vpc-*"}}`, "", "", none, false},
		{"missing key: negated operator true", missingRule, EffectDeny, `"Action":"*","Resource":"*","Condition":{"StringNotLike":{"aws:SourceVpc":"vpc-1*"}}`, "", "", none, true},
		{"missing key: ArnNotLike true", missingRule, EffectDeny, `"Action":"*","Resource":"*","Condition":{"ArnNotLike":{"aws:SourceArn":"arn:aws:s3:::b"}}`, "", "", none, true},
		{"missing key: NotIpAddress true", missingRule, EffectDeny, `"Action":"*","Resource":"*","Condition":{"NotIpAddress":{"aws:SourceIp":"203.0.113.0/24"}}`, "", "", none, true},

		{"IfExists: missing key true", ifExists, EffectAllow, `"Action":"*","Resource":"*","Condition":{"StringLikeIfExists":{"ec2:InstanceType":["t1.*","t2.*"]}}`, "", "", none, true},
		{"IfExists: present key as the operator", ifExists, EffectAllow, `"Action":"*","Resource":"*","Condition":{"StringLikeIfExists":{"ec2:InstanceType":["t1.*","t2.*"]}}`, "", "", ctx("ec2:instancetype", "m5.large"), false},
		{"negated IfExists in a Deny: missing key denies", denyIfExists, EffectDeny, `"Action":"*","Resource":"*","Condition":{"StringNotEqualsIfExists":{"aws:ResourceTag/env":"prod"}}`, "", "", none, true},
		{"negated IfExists: present equal key does not", denyIfExists, EffectDeny, `"Action":"*","Resource":"*","Condition":{"StringNotEqualsIfExists":{"aws:ResourceTag/env":"prod"}}`, "", "", ctx("aws:resourcetag/env", "prod"), false},

		{"ForAllValues: missing key true", forAll, EffectDeny, `"Action":"*","Resource":"*","Condition":{"ForAllValues:StringEquals":{"aws:TagKeys":["env"]}}`, "", "", none, true},
		{"ForAllValues: empty string is a null data set", forAll, EffectDeny, `"Action":"*","Resource":"*","Condition":{"ForAllValues:StringEquals":{"aws:TagKeys":["env"]}}`, "", "", tags(""), true},
		{"ForAllValues: every value listed", forAll, EffectAllow, `"Action":"*","Resource":"*","Condition":{"ForAllValues:StringEquals":{"aws:TagKeys":["env","owner"]}}`, "", "", tags("env", "owner"), true},
		{"ForAllValues: one value not listed", forAll, EffectAllow, `"Action":"*","Resource":"*","Condition":{"ForAllValues:StringEquals":{"aws:TagKeys":["env","owner"]}}`, "", "", tags("env", "cost"), false},
		{"ForAnyValue: missing key false", forAny, EffectDeny, `"Action":"*","Resource":"*","Condition":{"ForAnyValue:StringEquals":{"aws:TagKeys":["env"]}}`, "", "", none, false},
		{"ForAnyValue: empty string is a null data set", forAny, EffectDeny, `"Action":"*","Resource":"*","Condition":{"ForAnyValue:StringNotEquals":{"aws:TagKeys":["env"]}}`, "", "", tags(""), false},
		{"ForAnyValue: one value listed", forAny, EffectDeny, `"Action":"*","Resource":"*","Condition":{"ForAnyValue:StringEquals":{"aws:TagKeys":["ID","PostDateTime"]}}`, "", "", tags("UserName", "PostDateTime"), true},
		{"ForAnyValue: no value listed", forAny, EffectDeny, `"Action":"*","Resource":"*","Condition":{"ForAnyValue:StringEquals":{"aws:TagKeys":["ID","PostDateTime"]}}`, "", "", tags("UserName"), false},
		{"ForAnyValue with IfExists: missing key still false", anyIfExists, EffectAllow, `"Action":"*","Resource":"*","Condition":{"ForAnyValue:StringEqualsIfExists":{"aws:TagKeys":["team"]}}`, "", "", none, false},
		{"ForAllValues with IfExists: missing key true", forAll, EffectAllow, `"Action":"*","Resource":"*","Condition":{"ForAllValues:StringEqualsIfExists":{"aws:TagKeys":["team"]}}`, "", "", none, true},

		{"ForAllValues:StringNotLike key1:legal", notLikeTable, EffectDeny, `"Action":"*","Resource":"*","Condition":{"ForAllValues:StringNotLike":{"aws:TagKeys":"key1*"}}`, "", "", tags("key1:legal"), false},
		{"ForAllValues:StringNotLike key1:hr key1:personnel", notLikeTable, EffectDeny, `"Action":"*","Resource":"*","Condition":{"ForAllValues:StringNotLike":{"aws:TagKeys":"key1*"}}`, "", "", tags("key1:hr", "key1:personnel"), false},
		{"ForAllValues:StringNotLike key2:audit", notLikeTable, EffectDeny, `"Action":"*","Resource":"*","Condition":{"ForAllValues:StringNotLike":{"aws:TagKeys":"key1*"}}`, "", "", tags("key2:audit"), true},
		{"ForAllValues:StringNotLike no aws:TagKeys", notLikeTable, EffectDeny, `"Action":"*","Resource":"*","Condition":{"ForAllValues:StringNotLike":{"aws:TagKeys":"key1*"}}`, "", "", none, true},
		{"ForAllValues:StringNotLike one of two matches", notLikeTable + " (each request value takes the negated test)", EffectDeny, `"Action":"*","Resource":"*","Condition":{"ForAllValues:StringNotLike":{"aws:TagKeys":"key1*"}}`, "", "", tags("key2:audit", "key1:hr"), false},
		{"ForAnyValue:StringNotEquals some value unlisted", forAny + " " + nor, EffectDeny, `"Action":"*","Resource":"*","Condition":{"ForAnyValue:StringNotEquals":{"aws:TagKeys":["DataClass","Owner"]}}`, "", "", tags("DataClass", "Dept"), true},
		{"ForAnyValue:StringNotEquals every value listed", forAny + " " + nor, EffectDeny, `"Action":"*","Resource":"*","Condition":{"ForAnyValue:StringNotEquals":{"aws:TagKeys":["DataClass","Owner"]}}`, "", "", tags("DataClass", "Owner"), false},
		{"ForAnyValue:StringNotEquals missing key", forAny, EffectDeny, `"Action":"*","Resource":"*","Condition":{"ForAnyValue:StringNotEquals":{"aws:TagKeys":["DataClass"]}}`, "", "", none, false},
		{"ForAllValues:StringNotEquals none listed", forAll + " " + nor, EffectDeny, `"Action":"*","Resource":"*","Condition":{"ForAllValues:StringNotEquals":{"aws:TagKeys":["DataClass","Owner"]}}`, "", "", tags("Dept", "SIC"), true},
		{"ForAllValues:StringNotEquals one listed", forAll + " " + nor, EffectDeny, `"Action":"*","Resource":"*","Condition":{"ForAllValues:StringNotEquals":{"aws:TagKeys":["DataClass","Owner"]}}`, "", "", tags("Dept", "Owner"), false},
		{"negated operator: NOR over policy values", nor, EffectDeny, `"Action":"*","Resource":"*","Condition":{"StringNotEquals":{"aws:PrincipalAccount":["111122223333","444455556666"]}}`, "", "", ctx("aws:principalaccount", "444455556666"), false},

		{"ForAllValues:Null is always true", nullQualifier, EffectDeny, `"Action":"*","Resource":"*","Condition":{"ForAllValues:Null":{"aws:TagKeys":"false"}}`, "", "", none, true},
		{"ForAnyValue:Null is always false", nullQualifier, EffectDeny, `"Action":"*","Resource":"*","Condition":{"ForAnyValue:Null":{"aws:TagKeys":"true"}}`, "", "", none, false},
		{"Null true on a missing key", operators + `: "use either true (the key doesn't exist — it is null) or false (the key exists and its value is not null)"`, EffectDeny, `"Action":"*","Resource":"*","Condition":{"Null":{"aws:TokenIssueTime":"true"}}`, "", "", none, true},

		{"no qualifier, several values, Deny: some value matches", noQualifier, EffectDeny, `"Action":"*","Resource":"*","Condition":{"StringEquals":{"aws:TagKeys":"env"}}`, "", "", tags("x", "env"), true},
		{"no qualifier, several values, Deny negated: some value unlisted", noQualifier, EffectDeny, `"Action":"*","Resource":"*","Condition":{"StringNotEquals":{"aws:TagKeys":"env"}}`, "", "", tags("x", "env"), true},
		{"no qualifier, several values, Deny: no value matches", noQualifier, EffectDeny, `"Action":"*","Resource":"*","Condition":{"StringEquals":{"aws:TagKeys":"env"}}`, "", "", tags("x", "y"), false},
		{"no qualifier, several values, Allow never", noQualifier, EffectAllow, `"Action":"*","Resource":"*","Condition":{"StringLike":{"aws:TagKeys":"*"}}`, "", "", tags("x", "env"), false},
		{"no qualifier, one value: the operator", noQualifier, EffectAllow, `"Action":"*","Resource":"*","Condition":{"StringLike":{"aws:TagKeys":"e*"}}`, "", "", tags("env"), true},

		{"variable in Resource", varWhere, EffectAllow, `"Action":"*","Resource":"arn:aws:s3:::home/${aws:username}/*"`, "", "arn:aws:s3:::home/bob/x", ctx("aws:username", "bob"), true},
		{"variable in Resource, other user", varWhere, EffectAllow, `"Action":"*","Resource":"arn:aws:s3:::home/${aws:username}/*"`, "", "arn:aws:s3:::home/alice/x", ctx("aws:username", "bob"), false},
		{"variable in ArnLike", varWhere, EffectDeny, `"Action":"*","Resource":"*","Condition":{"ArnNotLike":{"aws:PrincipalArn":"arn:aws:iam::${aws:PrincipalAccount}:role/Admin"}}`, "", "", ctx("aws:principalarn", "arn:aws:iam::111122223333:role/Admin", "aws:principalaccount", "111122223333"), false},
		{"variable in StringNotEquals, no value: holds", noValueVar, EffectDeny, `"Action":"*","Resource":"*","Condition":{"StringNotEquals":{"aws:PrincipalTag/owner":"${aws:username}"}}`, "", "", ctx("aws:principaltag/owner", "bob"), true},
		{"variable in StringEquals, no value: fails", noValueVar, EffectAllow, `"Action":"*","Resource":"*","Condition":{"StringEquals":{"aws:PrincipalTag/owner":"${aws:username}"}}`, "", "", ctx("aws:principaltag/owner", ""), false},
		{"multivalued key as a variable does not resolve", multiVar, EffectAllow, `"Action":"*","Resource":"*","Condition":{"StringEquals":{"aws:PrincipalTag/k":"${aws:TagKeys}"}}`, "", "", ctx("aws:principaltag/k", "a", "aws:tagkeys", "a", "aws:tagkeys", "b"), false},
		{"multivalued key as a variable takes the default", multiVar, EffectAllow, `"Action":"*","Resource":"*","Condition":{"StringEquals":{"aws:PrincipalTag/k":"${aws:TagKeys, 'none'}"}}`, "", "", ctx("aws:principaltag/k", "none", "aws:tagkeys", "a", "aws:tagkeys", "b"), true},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			p := mustParseTB(t, `{"Version":"2012-10-17","Statement":[{"Sid":"S","Effect":"`+string(tc.effect)+`",`+tc.body+`}]}`, KindIdentity)
			req := &Request{Action: tc.action, Resource: tc.res, Context: tc.ctx}
			if req.Action == "" {
				req.Action = "s3:GetObject"
			}
			want := map[Effect]Decision{EffectAllow: Allow, EffectDeny: ExplicitDeny}[tc.effect]
			for _, unknown := range []map[string]bool{nil, {}} {
				req.Unknown = unknown
				r := p.Evaluate(req)
				if got := r.Decision == want; got != tc.want || r.Undecided {
					t.Errorf("Unknown=%v: applies = %v (undecided %v), want %v\nsource: %s", unknown, got, r.Undecided, tc.want, tc.source)
				}
			}
		})
	}
}
