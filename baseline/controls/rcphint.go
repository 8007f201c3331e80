package controls

import (
	"fmt"
	"strings"
)

// rcpHint says how to fix an RCP refusal, with the exemptions AWS
// documents for each kind of caller (the identity perimeter of the
// aws-samples data-perimeter-policy-examples repository,
// resource_control_policies/identity_perimeter_rcp.json, statements
// EnforceOrgIdentities and EnforceConfusedDeputyProtection; the KMS
// developer guide, "Resource control policies in AWS KMS"):
//
//   - the organization's own principals, orgbaseline's identity and the
//     execution role among them, by aws:PrincipalOrgID;
//   - AWS services by aws:PrincipalIsAWSService (BoolIfExists false),
//     left to a statement that limits them to the organization's
//     resources by aws:SourceOrgID where aws:SourceAccount is present
//     (Null false): a service principal belongs to no organization and
//     carries no aws:PrincipalOrgID (AWS Config developer guide,
//     "Permissions for the Amazon S3 Bucket for the AWS Config delivery
//     channel").
func (f *GuardRefusal) rcpHint() string {
	org := f.OrgID
	if org == "" || org == "*" {
		org = "o-xxxxxxxxxx"
	}
	if f.Kind == GuardNotAllowed {
		return "Keep RCPFullAWSAccess attached there (AWS attaches it to every root, OU and account and it cannot be detached), or add an Allow for the requests to an RCP attached there"
	}
	if f.Caller.Kind == CallerService {
		fix := fmt.Sprintf(`Exempt AWS services from the statement, e.g. with a Condition "BoolIfExists": {"aws:PrincipalIsAWSService": "false"} (a service principal carries no aws:PrincipalOrgID), and limit them to your organization's resources with a statement of their own: Deny unless "StringNotEqualsIfExists": {"aws:SourceOrgID": "%s"} with "Null": {"aws:SourceAccount": "false"} and "Bool": {"aws:PrincipalIsAWSService": "true"}, as AWS's data perimeter RCP does (aws-samples/data-perimeter-policy-examples, identity_perimeter_rcp.json)`, org)
		if f.Kind == GuardUnknown && !f.resourceUnknown() {
			return fmt.Sprintf("The request of %s may carry %s with a value the lockout guard cannot know (or not carry it): write the statement so that it does not depend on it for AWS services. %s", f.Caller.Service, f.unknownKey(), fix)
		}
		return fix
	}
	exempt := fmt.Sprintf(`e.g. with a Condition "StringNotEqualsIfExists": {"aws:PrincipalOrgID": "%s"}, which every principal of the organization's accounts carries (the management account's, which assumes the role, included)`, org)
	if f.Kind == GuardUnknown {
		if f.resourceUnknown() {
			return "Write the statement's Resource so that it covers every id there or none, or exempt the organization's principals, " + exempt
		}
		k := strings.ToLower(f.unknownKey())
		if f.Caller.Kind == CallerExecutionRole && (k == "aws:userid" || strings.HasPrefix(k, "aws:principaltag/")) {
			return "The lockout guard could not read the execution role there (iam:GetRole on the role itself): allow that call, or exempt the organization's principals, " + exempt
		}
		if f.Caller.Kind == CallerAssumeRole && callerKey(k) {
			return fmt.Sprintf("The lockout guard cannot know %s of the identity orgbaseline runs with (the credentials it starts from in the management account), and organization.guardContext cannot state it: exempt the organization's principals, %s", f.unknownKey(), exempt)
		}
		return fmt.Sprintf("State the value the run's requests carry under organization.guardContext (e.g. %s: <value>), or exempt the organization's principals, %s", f.unknownKey(), exempt)
	}
	if f.Caller.Kind == CallerExecutionRole {
		return fmt.Sprintf("Exempt the organization's principals, %s, or the execution role, with ArnNotLike aws:PrincipalArn %s%s", exempt, f.ARNPrefix, f.Role)
	}
	return "Exempt the organization's principals, " + exempt
}

// callerKey reports a key (lower-case) about the principal or its
// session, which organization.guardContext does not state.
func callerKey(k string) bool {
	for _, p := range []string{"aws:principal", "aws:userid", "aws:username", "aws:multifactorauth", "aws:sourceidentity",
		"aws:requesttag/", "aws:tagkeys", "aws:tokenissuetime", "aws:federatedprovider", "aws:ec2instance", "sts:"} {
		if strings.HasPrefix(k, p) {
			return true
		}
	}
	return false
}

// unknownKey is the key an undecided refusal depends on.
func (f *GuardRefusal) unknownKey() string {
	if len(f.Keys) > 0 {
		return f.Keys[0]
	}
	return "the key"
}
