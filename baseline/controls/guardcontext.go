package controls

import (
	"regexp"
	"strconv"
	"strings"
	"time"

	"github.com/orgbaseline/orgbaseline/baseline"
	"github.com/orgbaseline/orgbaseline/internal/iampolicy"
	"github.com/orgbaseline/orgbaseline/orgwalk"
)

// The request context the lockout guard evaluates a call with: the keys
// AWS sets on a call orgbaseline makes as the execution role, built from
// what the guard knows (the organization, the account, the region, the
// call model, the role as read, the time of the plan), the keys the
// baseline states (organization.guardContext), and, for every other key a
// policy in force names, whether AWS leaves it out (known absent) or sets
// it to a value the guard cannot know (unknown: a Deny that depends on it
// refuses the plan).
//
// Sources: IAM user guide, "AWS global condition context keys" (each
// key's "Availability"); Service Authorization Reference for the service
// keys. This file reads nothing of orgsim: the agreement test compares the
// two.

// guardRole is the execution role in one account as read for the guard:
// its unique id (for aws:userid) and tags (aws:PrincipalTag). nil: not
// read, so both are unknown.
type guardRole struct {
	ID   string
	Tags map[string]string
}

// guardAbsent are the global keys AWS leaves out of every call
// orgbaseline makes as the execution role, with the reason.
var guardAbsent = map[string]string{
	"aws:calledvia":                    "only on a call a service makes with the caller's credentials (FAS); orgbaseline calls directly",
	"aws:calledviafirst":               "as aws:CalledVia",
	"aws:calledvialast":                "as aws:CalledVia",
	"aws:sourcearn":                    "only on a call a service principal makes",
	"aws:sourceaccount":                "only on a call a service principal makes",
	"aws:sourceorgid":                  "only on a call a service principal makes",
	"aws:sourceorgpaths":               "only on a call a service principal makes",
	"aws:principalservicename":         "only for a service principal",
	"aws:principalservicenameslist":    "only for a service principal",
	"aws:username":                     "only for IAM users; the execution role is a role",
	"aws:multifactorauthage":           "only with MFA; AssumeRole is called without MFA",
	"aws:sourceidentity":               "only when AssumeRole sets a source identity; orgbaseline sets none",
	"aws:federatedprovider":            "only for federated principals",
	"aws:referer":                      "only for requests made from a browser",
	"aws:assumedroot":                  "only for sessions of sts:AssumeRoot",
	"aws:ec2instancesourcevpc":         "only for EC2 instance credentials",
	"aws:ec2instancesourceprivateipv4": "only for EC2 instance credentials",
}

// guardResourceKeys are the keys that describe the resource's owner.
var guardResourceKeys = map[string]bool{"aws:resourceaccount": true, "aws:resourceorgid": true, "aws:resourceorgpaths": true}

// guardServiceUnknown are the keys a service sets on every request with a
// value that depends on the client and the network, not on the call
// (Amazon S3 user guide, "Amazon S3 condition key examples"; Service
// Authorization Reference for S3): the guard cannot know them.
var guardServiceUnknown = map[string]bool{
	"s3:tlsversion": true, "s3:authtype": true, "s3:signatureversion": true,
	"s3:signatureage": true, "s3:x-amz-content-sha256": true,
}

// guardRequests builds the requests the guard evaluates.
type guardRequests struct {
	org     *Org
	role    string
	session string // the role session name, orgbaseline-<run>
	runID   string
	now     time.Time
	stated  map[string][]string // organization.guardContext, lower-cased keys
	roles   map[string]*guardRole
	// named are the condition keys (lower-cased) the policies in force
	// name in conditions or variables: only they can be unknown.
	named map[string]bool
	// principals caches principalContext; times are the three time keys.
	principals map[principalKey]map[string][]string
	times      [3][]string
}

// request is the call c made in account a and region, as AWS authorizes
// it. Its context is the principal's (shared by every call of the
// session there) with the call's own keys set on top: done must be called
// once the request has been evaluated, and puts the shared context back.
func (g *guardRequests) request(a *orgwalk.Account, region string, c Call) (req *iampolicy.Request, done func()) {
	resource := c.ResourceIn(a.ID, region)
	session := g.session
	if c.Plugin != "" {
		// A plugin calls with its own session (orgwalk.PluginSessionName).
		session = orgwalk.PluginSessionName(c.Plugin, g.runID)
	}
	if c.AsRoot {
		session = guardRootSession
	}
	ctx := g.principalContext(a, region, session)
	var undo []func()
	set := func(k string, v []string) {
		old, had := ctx[k]
		undo = append(undo, func() {
			if had {
				ctx[k] = old
			} else {
				delete(ctx, k)
			}
		})
		ctx[k] = v
	}
	if owner := g.resourceOwner(resource, c.Action, a.ID); baseline.IsAccountID(owner) && !c.BeforeCreate {
		set("aws:resourceaccount", []string{owner})
		if o := g.org.Account(owner); o != nil {
			set("aws:resourceorgid", []string{g.org.ID})
			set("aws:resourceorgpaths", []string{g.orgPath(o)})
		}
	}
	for k, v := range c.Context {
		set(strings.ToLower(k), v)
	}
	roleARN := g.org.ARN("iam", "", a.ID, "role/"+g.role)
	req = &iampolicy.Request{
		Action: c.Action, Resource: resource, Context: ctx,
		Principal: iampolicy.Principal{ARN: g.org.ARN("sts", "", a.ID, "assumed-role/"+g.role+"/"+session), Account: a.ID, RoleARN: roleARN},
	}
	if c.AsRoot {
		req.Principal = iampolicy.Principal{ARN: g.org.ARN("iam", "", a.ID, "root"), Account: a.ID}
	}
	req.Unknown = g.unknown(ctx, c, c.AsRoot || g.roles[a.ID] != nil)
	// A "*" left in a resource is an id AWS generates (a Config rule's,
	// recorder's or aggregator's, with the recorder's name): unknown
	// text, not a wildcard.
	req.ResourceUnknown = resource != "*" && strings.Contains(resource, "*")
	return req, func() {
		for i := len(undo) - 1; i >= 0; i-- {
			undo[i]()
		}
	}
}

// guardRootSession stands for a root session (sts:AssumeRoot) in
// principalContext's cache.
const guardRootSession = "\x00root"

// rootContext sets the keys of a root session that differ from a role
// session's: the principal is the account's root user ("For the root user,
// the request context returns the account ARN"; aws:PrincipalType
// "Account"; aws:userid "the account ID" for the root user) and
// aws:AssumedRoot is true, "included in the request context when the
// request is made with sts:AssumeRoot" (IAM user guide, "AWS global
// condition context keys"). It carries no principal tags: the root user
// has none.
func (g *guardRequests) rootContext(ctx map[string][]string, a *orgwalk.Account) {
	ctx["aws:principalarn"] = []string{g.org.ARN("iam", "", a.ID, "root")}
	ctx["aws:principaltype"] = []string{"Account"}
	ctx["aws:userid"] = []string{a.ID}
	ctx["aws:assumedroot"] = []string{"true"}
}

// principalKey names one principal context: an account, a region and a
// session.
type principalKey struct{ account, region, session string }

// principalContext holds the keys every call of a session in account and
// region carries: who calls, how, where and when. It is built once per
// account, region and session, and never changed: each request copies it.
func (g *guardRequests) principalContext(a *orgwalk.Account, region, session string) map[string][]string {
	key := principalKey{a.ID, region, session}
	if ctx, ok := g.principals[key]; ok {
		return ctx
	}
	if g.principals == nil {
		g.principals = map[principalKey]map[string][]string{}
	}
	ctx := make(map[string][]string, 24)
	set := func(k, v string) { ctx[k] = []string{v} }
	if session == guardRootSession {
		g.rootContext(ctx, a)
	} else {
		set("aws:principalarn", g.org.ARN("iam", "", a.ID, "role/"+g.role))
		set("aws:principaltype", "AssumedRole")
	}
	set("aws:principalaccount", a.ID)
	set("aws:principalisawsservice", "false")
	set("aws:viaawsservice", "false")
	set("aws:securetransport", "true") // the SDK calls over HTTPS only
	set("aws:requestedregion", region)
	times := g.timeKeys()
	ctx["aws:currenttime"], ctx["aws:epochtime"], ctx["aws:tokenissuetime"] = times[0], times[1], times[2]
	set("aws:multifactorauthpresent", "false")
	if path := g.orgPath(a); path != "" {
		set("aws:principalorgid", g.org.ID)
		set("aws:principalorgpaths", path)
	}
	if role := g.roles[a.ID]; role != nil && session != guardRootSession {
		set("aws:userid", role.ID+":"+session)
		for k, v := range role.Tags {
			set("aws:principaltag/"+strings.ToLower(k), v)
		}
	}
	for k, v := range g.stated {
		if _, own := ctx[k]; !own {
			ctx[k] = v
		}
	}
	g.principals[key] = ctx
	return ctx
}

// timeKeys are aws:CurrentTime, aws:EpochTime and aws:TokenIssueTime at
// the time of the plan.
func (g *guardRequests) timeKeys() [3][]string {
	if g.times[0] == nil {
		g.times = [3][]string{
			{g.now.UTC().Format("2006-01-02T15:04:05Z")},
			{strconv.FormatInt(g.now.Unix(), 10)},
			{g.now.UTC().Format(time.RFC3339)},
		}
	}
	return g.times
}

// unknown are the keys the policies name that the request may carry with
// a value the guard cannot know: every global key neither set nor known
// absent, the principal's keys when the role was not read, and the keys
// a service sets on every request (guardServiceUnknown). A service key of
// the call's own service that the call model does not list is absent (the
// model lists what the request carries); a key of another service is
// absent.
func (g *guardRequests) unknown(ctx map[string][]string, c Call, roleRead bool) map[string]bool {
	var out map[string]bool
	add := func(k string) {
		if out == nil {
			out = map[string]bool{}
		}
		out[k] = true
	}
	for k := range g.named {
		if _, known := ctx[k]; known {
			continue
		}
		switch {
		case strings.HasPrefix(k, "aws:principaltag/"), k == "aws:userid":
			if !roleRead {
				add(k)
			}
		case strings.HasPrefix(k, "aws:requesttag/"), k == "aws:tagkeys":
			// The call model lists the tags a call sends.
		case c.BeforeCreate && guardResourceKeys[k]:
			// No owner before the resource exists.
		case strings.HasPrefix(k, "aws:"):
			if _, absent := guardAbsent[k]; !absent {
				add(k)
			}
		case guardServiceUnknown[k]:
			add(k)
		}
	}
	return out
}

// orgPath is aws:PrincipalOrgPaths (and aws:ResourceOrgPaths) of a:
// o-xxxxxxxxxx/r-xxxx/ou-xxxx-xxxxxxxx/.../, the root and the OUs down to
// the account's parent, with a trailing slash (IAM user guide,
// aws:PrincipalOrgPaths).
func (g *guardRequests) orgPath(a *orgwalk.Account) string {
	if g.org.Org == nil || g.org.ID == "" {
		return ""
	}
	var b strings.Builder
	b.WriteString(g.org.ID)
	b.WriteByte('/')
	for _, id := range a.Ancestors {
		b.WriteString(id)
		b.WriteByte('/')
	}
	return b.String()
}

// resourceOwner is the account that owns the resource a call acts on
// (aws:ResourceAccount, "always included in the request context for most
// service actions" and "equal to the AWS account ID for the account with
// the resources evaluated in the request", IAM user guide, "AWS global
// condition context keys"): the ARN's account field; for an S3 bucket
// (whose ARN has none) the account the call is made in, where orgbaseline
// keeps its buckets and which creates them; for a call on no resource
// ("*") the account it is made in, whose resources it evaluates, but for
// an Organizations call the management account, which owns every
// Organizations resource (their ARNs carry its id; Service Authorization
// Reference for Organizations). The guide names no account for a call on
// no resource: these are the readings under which the key is present, as
// "always included" says, and the management account is the stricter one
// for a delegated administrator. "" for AWS-owned resources (an ARN whose
// account is "aws").
func (g *guardRequests) resourceOwner(resource, action, account string) string {
	if !strings.HasPrefix(resource, "arn:") {
		if svc, _, _ := strings.Cut(action, ":"); strings.EqualFold(svc, "organizations") {
			return g.org.managementID()
		}
		return account
	}
	f := strings.SplitN(resource, ":", 6)
	if len(f) < 6 {
		return ""
	}
	if f[2] == "s3" && f[4] == "" {
		return account
	}
	if baseline.IsAccountID(f[4]) {
		return f[4]
	}
	return ""
}

// guardVarRe finds the policy variables in a value: ${key} and ${key, 'default'}.
var guardVarRe = regexp.MustCompile(`\$\{([^},\s]+)`)

// namedKeys are the condition keys policies name, lower-cased: in their
// conditions and in the variables of their resources and condition values.
func namedKeys(ps []*iampolicy.Policy) map[string]bool {
	out := map[string]bool{}
	vars := func(vs []string) {
		for _, v := range vs {
			for _, m := range guardVarRe.FindAllStringSubmatch(v, -1) {
				out[strings.ToLower(m[1])] = true
			}
		}
	}
	for _, p := range ps {
		for _, s := range p.Statements {
			vars(s.Resource)
			vars(s.NotResource)
			for _, c := range s.Condition {
				out[strings.ToLower(c.Key)] = true
				vars(c.Values)
			}
		}
	}
	return out
}
