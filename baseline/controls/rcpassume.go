package controls

import (
	"slices"
	"sort"
	"strings"

	"github.com/orgbaseline/orgbaseline/internal/iampolicy"
	"github.com/orgbaseline/orgbaseline/orgwalk"
)

// orgbaseline's sts:AssumeRole of the execution role, as the RCP guard
// evaluates it: a request to a resource of the member account (the role,
// arn:PARTITION:iam::ACCOUNT:role/ROLE, "the RCPs of the resource owner's
// account are applied") made by the run's own identity in the management
// account (Org.CallerARN), with the role session name of the run
// (orgbaseline-<run>) or of a plugin's session (PluginSessionName), the
// external id when organization.externalId is set, and no source identity,
// session tags or MFA of its own (orgwalk.Sessions).
//
// Its request context (IAM user guide, "AWS global condition context
// keys"; STS keys: Service Authorization Reference, "Actions, resources,
// and condition keys for AWS Security Token Service"): the principal's
// account, organization and OU path (the management account's, which is in
// the organization), its type, aws:userid (GetCallerIdentity's UserId);
// aws:PrincipalArn for an IAM user (GetCallerIdentity gives its ARN with
// its path) but unknown for a role session, whose role ARN may carry a
// path that the session's ARN leaves out (IAM Identity Center's roles do);
// the resource's account, organization and OU path; sts:RoleSessionName
// and sts:ExternalId. What the caller's own session may carry is unknown
// for a role session (MFA, source identity, transitive session tags, the
// federated provider, the instance's VPC), absent for a user but MFA
// (aws:MultiFactorAuthPresent), which an IAM user's session may have. The
// keys organization.guardContext states stand for those the guard cannot
// know, as for the execution role's calls.

// assumeRoleAbsentForUser are the keys a role session of the caller may
// carry with values the guard cannot know, which a user's request does not
// carry.
var assumeRoleAbsentForUser = []string{
	"aws:sourceidentity", "sts:sourceidentity", "aws:federatedprovider",
	"aws:requesttag/", "aws:tagkeys", "sts:transitivetagkeys",
	"aws:ec2instancesourcevpc", "aws:ec2instancesourceprivateipv4",
}

// assumeRoleAbsent are the keys no AssumeRole of orgbaseline carries.
var assumeRoleAbsent = []string{
	"aws:calledvia", "aws:calledviafirst", "aws:calledvialast",
	"aws:sourcearn", "aws:sourceaccount", "aws:sourceorgid", "aws:sourceorgpaths",
	"aws:principalservicename", "aws:principalservicenameslist",
	"aws:referer", "aws:assumedroot",
}

// checkAssumeRole evaluates orgbaseline's AssumeRole into every member
// account it works in, with each session it opens there.
func (r *rcpRun) checkAssumeRole() {
	if r.org.Org == nil {
		return
	}
	sessions := r.assumeSessions()
	for _, a := range r.assumedAccounts() {
		owner := r.rcpOwner(a.ID)
		if owner == nil {
			continue
		}
		role := r.org.ARN("iam", "", a.ID, "role/"+r.org.ExecutionRole)
		for _, s := range sessions {
			req := r.assumeRequest(owner, role, s)
			r.decideRCP(owner, req, "sts:AssumeRole", r.org.ARN("iam", "", "{account}", "role/"+r.org.ExecutionRole),
				&GuardCaller{Kind: CallerAssumeRole, ARN: r.org.CallerARN, Session: s})
		}
	}
}

// assumeSessions are the role session names of the run: its own and each
// plugin's.
func (r *rcpRun) assumeSessions() []string {
	out := []string{r.reqs.session}
	for _, c := range r.c.calls(r.org) {
		if c.Plugin != "" {
			out = append(out, orgwalk.PluginSessionName(c.Plugin, r.reqs.runID))
		}
	}
	sort.Strings(out[1:])
	return slices.Compact(out)
}

// assumedAccounts are the member accounts orgbaseline assumes the role
// in: those the baseline's targets select and those the calls name
// (the log archive, the audit account).
func (r *rcpRun) assumedAccounts() []*orgwalk.Account {
	out := guardedAccounts(r.org)
	for _, c := range r.c.calls(r.org) {
		if c.Where != InAccount {
			continue
		}
		if a := r.org.Account(c.Account); a != nil && !slices.Contains(out, a) {
			out = append(out, a)
		}
	}
	return out
}

// assumeRequest is the AssumeRole of role in owner's account with session.
func (r *rcpRun) assumeRequest(owner *orgwalk.Account, role, session string) *iampolicy.Request {
	g := r.reqs
	ctx := map[string][]string{}
	set := func(k, v string) {
		if v != "" && v != "*" {
			ctx[k] = []string{v}
		}
	}
	mgmt := r.org.managementID()
	set("aws:principalaccount", mgmt)
	if m := r.org.Account(mgmt); m != nil {
		set("aws:principalorgid", r.org.ID)
		set("aws:principalorgpaths", g.orgPath(m))
	}
	user := strings.Contains(r.org.CallerARN, ":user/")
	switch {
	case user:
		set("aws:principalarn", r.org.CallerARN)
		set("aws:principaltype", "User")
		set("aws:username", r.org.CallerARN[strings.LastIndex(r.org.CallerARN, "/")+1:])
	case strings.Contains(r.org.CallerARN, ":assumed-role/"):
		set("aws:principaltype", "AssumedRole")
	}
	set("aws:userid", r.org.CallerUserID)
	set("aws:principalisawsservice", "false")
	set("aws:viaawsservice", "false")
	set("aws:securetransport", "true")
	set("aws:requestedregion", r.org.CallerRegion)
	times := g.timeKeys()
	ctx["aws:currenttime"], ctx["aws:epochtime"] = times[0], times[1]
	set("aws:resourceaccount", owner.ID)
	set("aws:resourceorgid", r.org.ID)
	set("aws:resourceorgpaths", g.orgPath(owner))
	set("sts:rolesessionname", session)
	set("sts:externalid", r.c.externalID)
	for k, v := range g.stated {
		if _, own := ctx[k]; !own {
			ctx[k] = v
		}
	}
	req := &iampolicy.Request{Action: "sts:AssumeRole", Resource: role, Context: ctx,
		Principal: iampolicy.Principal{ARN: r.org.CallerARN, Account: mgmt}}
	req.Unknown = r.assumeUnknown(ctx, user)
	return req
}

// assumeUnknown are the keys the policies name that the AssumeRole may
// carry with a value the guard cannot know: every aws: and sts: key
// neither set nor absent (assumeRoleAbsent; assumeRoleAbsentForUser for a
// user), and the keys of other services are absent.
func (r *rcpRun) assumeUnknown(ctx map[string][]string, user bool) map[string]bool {
	out := map[string]bool{}
	for k := range r.reqs.named {
		if _, known := ctx[k]; known || !(strings.HasPrefix(k, "aws:") || strings.HasPrefix(k, "sts:")) {
			continue
		}
		if hasKeyPrefix(assumeRoleAbsent, k) || (user && hasKeyPrefix(assumeRoleAbsentForUser, k)) {
			continue
		}
		if strings.HasPrefix(k, "sts:") && k != "sts:sourceidentity" && k != "sts:transitivetagkeys" {
			// The STS keys of the request orgbaseline sends are set
			// above; the others it does not send.
			continue
		}
		out[k] = true
	}
	return out
}

// hasKeyPrefix reports k among keys, an entry ending in "/" matching every
// key it starts.
func hasKeyPrefix(keys []string, k string) bool {
	for _, p := range keys {
		if k == p || (strings.HasSuffix(p, "/") && strings.HasPrefix(k, p)) {
			return true
		}
	}
	return false
}
