package orgsim

import (
	"strings"

	"github.com/orgbaseline/orgbaseline/internal/iampolicy"
)

// Resource control policies in authorization: which requests the RCPs of
// an organization apply to, and what they decide. Sources, Organizations
// user guide, "Resource control policies (RCPs)":
//
//   - "RCPs apply to resources for a subset of AWS services" (the list is
//     iampolicy.RCPService's); of the services orgsim serves: S3, STS and
//     KMS.
//   - "RCPs apply to the resources that are authorized as part of an
//     operation request ... If a resource is specified in the "Resource
//     type" column, then the RCPs of the resource owner's account are
//     applied": a request on "*" (no resource type: ListBuckets, ListKeys,
//     CreateKey, GetCallerIdentity) is not subject to RCPs; one on an ARN
//     is subject to the RCPs of the account that owns it (resourceOwner).
//   - "RCPs affect only resources in member accounts in the organization.
//     They have no effect on resources in the management account", and
//     none outside the organization.
//   - "RCPs impact the effective permissions of principals trying to
//     access resources in a member account with an applicable RCP,
//     regardless of whether the principals belong to the same
//     organizations or not. This includes root users. The exception is
//     when principals are service-linked roles": a caller's own account,
//     another account and a service principal alike; a service-linked
//     role's session, and a service assuming its service-linked role, are
//     exempt ("RCPs also do not impact AWS services' ability to assume a
//     service-linked role").
//   - "RCPs do not apply to AWS managed keys for AWS Key Management
//     Service" (same page, and the KMS developer guide): orgsim serves
//     customer managed keys only (kms.go), so every key it knows is
//     subject to RCPs.
//   - "Any resource in an account has only those permissions permitted by
//     every parent above it": as for SCPs, every level from the root to
//     the account must allow (RCPFullAWSAccess does) and a Deny at any
//     level denies.
//
// RCPs are in force once the type is ENABLED and still while it is
// PENDING_DISABLE (the stricter reading, as for SCPs: AWS detaches them
// when disabling finishes). The AccessDenied reason is worded as AWS words
// it ("... with an explicit deny in a resource control policy", IAM user
// guide, "Troubleshoot access denied error messages").

// rcpDenial returns why the RCPs in force on resourceAccount deny req, or
// "" when they allow it or do not apply. Callers hold s.mu.
func (s *Sim) rcpDenial(resourceAccount string, req *iampolicy.Request) string {
	if !s.rcpApplies(resourceAccount, req) {
		return ""
	}
	return s.chainDenial(resourceAccount, rcpType, "resource control policy", req)
}

// rcpApplies reports whether the RCPs of resourceAccount apply to req.
func (s *Sim) rcpApplies(resourceAccount string, req *iampolicy.Request) bool {
	if s.org == nil || resourceAccount == "" || resourceAccount == s.org.mgmtID {
		return false
	}
	if st := s.org.root.policyTypes[rcpType]; st != orgEnabled && st != orgPendingDisable {
		return false
	}
	if _, member := s.accounts[resourceAccount]; !member {
		return false
	}
	if !strings.HasPrefix(req.Resource, "arn:") || !iampolicy.RCPService(actionService(req.Action)) {
		return false
	}
	return !serviceLinkedRoleARN(req.Principal.RoleARN)
}

// serviceLinkedRoleARN reports whether arn is a service-linked role's
// (path /aws-service-role/...).
func serviceLinkedRoleARN(arn string) bool {
	return strings.Contains(arn, ":role"+iamServiceRolePathRoot)
}

// rcpResourceAccount is the account whose RCPs apply to req made by a
// principal of account: the owner of the resource it names ("" for a
// request on "*"). Callers hold s.mu.
func (s *Sim) rcpResourceAccount(account string, req *iampolicy.Request) string {
	if !strings.HasPrefix(req.Resource, "arn:") {
		return ""
	}
	return s.resourceOwner(account, req.Action, req.Resource)
}

// RCPDenial is why the RCPs in force now on resourceAccount (the account
// that owns req's resource) deny req ("" when they allow it or do not
// apply to it), as orgsim decides for a live call (auth_rcp.go).
func (s *Sim) RCPDenial(resourceAccount string, req *iampolicy.Request) string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.rcpDenial(resourceAccount, req)
}
