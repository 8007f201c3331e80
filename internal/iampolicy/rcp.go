package iampolicy

import (
	"sort"
	"strings"
)

// The grammar of resource control policies (RCPs), on top of the
// resource-policy grammar they share ("Resource control policies (RCPs)
// use a similar syntax to that used by resource-based policies"). Every
// rule cites the AWS Organizations user guide, "RCP syntax"
// (orgs_manage_policies_rcps_syntax):
//
//   - Version: "Every RCP must include a Version element with the value
//     "2012-10-17"". (The page's own short examples leave Version out; the
//     sentence is the stricter reading, so Parse requires it.)
//   - Effect: "For RCPs that you create, the value must be Deny"; "The
//     effect of Allow is only supported for the RCPFullAWSAccess policy"
//     (KindRCPManaged accepts it).
//   - Principal: "Each statement must contain the Principal element. You
//     can only specify "*" in the Principal element of an RCP. Use the
//     Conditions element to restrict specific principals." Only the string
//     "*" is accepted ({"AWS": "*"} is not the form the page names).
//   - Action: "Each statement must contain the Action element"; "You
//     cannot use "*" in the Action element of a customer managed RCP and
//     have to specify the abbreviation for the service"; the services are
//     those of "List of AWS services that support RCPs" (rcpServices).
//   - Resource or NotResource: "Each statement must contain the Resource
//     or NotResource element" (the shared grammar already requires one).
//   - "Unsupported elements": "The following elements are not supported
//     in RCPs: NotPrincipal, NotAction".
//   - Condition: as in resource-based policies ("You can specify a
//     Condition element in deny statements in an RCP").

// rcpServices are the service prefixes of the Organizations user guide,
// "Resource control policies (RCPs)", section "List of AWS services that
// support RCPs" (copy of the page dated 2026-09-26).
var rcpServices = map[string]bool{
	"aoss": true, "appconfig": true, "appstream": true, "autoscaling": true,
	"autoscaling-plans": true, "budgets": true, "clouddirectory": true,
	"cloudfront": true, "cloudsearch": true, "cloudtrail-data": true,
	"codeartifact": true, "codebuild": true, "codecommit": true,
	"codepipeline": true, "cognito-identity": true, "cognito-idp": true,
	"comprehend": true, "comprehendmedical": true, "compute-optimizer": true,
	"cost-optimization-hub": true, "dax": true, "dsql": true, "dynamodb": true,
	"ecr": true, "ecr-public": true, "events": true, "firehose": true,
	"fis": true, "fms": true, "gamelift": true, "health": true,
	"inspector-scan": true, "kendra": true, "kinesisvideo": true, "kms": true,
	"logs": true, "memorydb": true, "networkmonitor": true,
	"notifications": true, "opensearch": true, "pca-connector-ad": true,
	"personalize": true, "polly": true, "pricing": true,
	"resource-groups": true, "rolesanywhere": true, "s3": true,
	"secretsmanager": true, "servicediscovery": true, "signin": true,
	"sqs": true, "sts": true, "support": true, "swf": true, "textract": true,
	"timestream-influxdb": true, "transcribe": true, "transfer": true,
	"translate": true, "wafv2": true,
	"workspaces": true, "xray": true,
}

// RCPService reports whether RCPs apply to the actions of the service
// with this prefix ("s3", "sts", "kms", ...; case-insensitive).
func RCPService(prefix string) bool {
	return rcpServices[strings.ToLower(prefix)]
}

// RCPServices returns the prefixes of the services RCPs support, sorted.
func RCPServices() []string {
	out := make([]string, 0, len(rcpServices))
	for s, ok := range rcpServices {
		if ok {
			out = append(out, s)
		}
	}
	sort.Strings(out)
	return out
}

// rcp reports whether k is one of the RCP grammars.
func (k Kind) rcp() bool { return k == KindRCP || k == KindRCPManaged }

// rcpVersion requires Version "2012-10-17" (a wrong value was reported
// by the shared grammar already).
func (p *parser) rcpVersion(root *jval, pol *Policy) {
	if root.index("Version") < 0 {
		p.add("", `missing "Version"; every resource control policy must have "Version": "2012-10-17"`)
		return
	}
	if pol.Version == "2008-10-17" {
		p.add("Version", `must be "2012-10-17" in a resource control policy, got "2008-10-17"`)
	}
}

// rcpStatement applies the RCP rules to one statement (v as written, st
// as the shared grammar read it).
func (p *parser) rcpStatement(v *jval, path string, st *Statement) {
	if st.Effect == EffectAllow && p.kind == KindRCP {
		p.add(joinKey(path, "Effect"), `"Allow" is supported only in the AWS-managed RCPFullAWSAccess; a resource control policy you create must use "Effect": "Deny"`)
	}
	switch i, j := v.index("Principal"), v.index("NotPrincipal"); {
	case j >= 0:
		p.add(joinKey(path, "NotPrincipal"), `"NotPrincipal" is not supported in resource control policies; use "Principal": "*" and exempt principals with a Condition, e.g. {"StringNotEqualsIfExists": {"aws:PrincipalOrgID": "o-a1b2c3d4e5"}}`)
	case i < 0:
		p.add(path, `missing "Principal"; every statement of a resource control policy needs "Principal": "*" (restrict principals with a Condition)`)
	case v.vals[i].kind != jString || v.vals[i].str != "*":
		p.add(joinKey(path, "Principal"), `a resource control policy accepts only "Principal": "*"; name the principals to restrict in a Condition instead, e.g. on aws:PrincipalArn or aws:PrincipalOrgID`)
	}
	if j := v.index("NotAction"); j >= 0 {
		p.add(joinKey(path, "NotAction"), `"NotAction" is not supported in resource control policies; list the actions in "Action" (e.g. "s3:*")`)
	}
	if i := v.index("Action"); i >= 0 {
		av, ap := v.vals[i], joinKey(path, "Action")
		elems := []*jval{av}
		if av.kind == jArray {
			elems = av.vals
		}
		for n, e := range elems {
			if e.kind != jString {
				continue // the shared grammar reported it
			}
			if msg := p.rcpAction(e.str); msg != "" {
				p.add(elemPath(av, ap, n), "%s", msg)
			}
		}
	}
}

// rcpAction checks that one Action entry names a service RCPs support
// ("" when it does, or when the shared grammar already refused it).
func (p *parser) rcpAction(a string) string {
	if a == "*" {
		if p.kind == KindRCPManaged {
			return ""
		}
		return `"*" is not allowed in the Action of a resource control policy you create; name the service, e.g. "s3:*" or "sts:AssumeRole"`
	}
	prefix, _, ok := strings.Cut(a, ":")
	if !ok || checkAction(a) != "" || RCPService(prefix) {
		return ""
	}
	return "service " + quoteList([]string{prefix}) + " does not support resource control policies; use one of the services RCPs apply to, such as " +
		quoteList([]string{"s3", "sts", "kms", "sqs", "secretsmanager"}) + " (Organizations user guide, \"List of AWS services that support RCPs\")"
}
