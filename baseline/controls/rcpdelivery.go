package controls

import (
	"strings"

	"github.com/orgbaseline/orgbaseline/internal/iampolicy"
	"github.com/orgbaseline/orgbaseline/orgwalk"
)

// The deliveries of the services orgbaseline configures, as the RCP guard
// evaluates them: each Delivery of the model (delivery.go), for each
// account and region it is made for, with the request context a service
// principal's request carries (IAM user guide, "AWS global condition
// context keys", each key's availability):
//
//   - aws:PrincipalIsAWSService true ("present in the request context for
//     all signed API requests") and aws:PrincipalServiceName, the service
//     principal ("present in the request when the call is made by an AWS
//     service principal"); aws:SecureTransport true, aws:ViaAWSService
//     false (the service calls as itself, not through a caller's
//     session);
//   - aws:SourceArn and aws:SourceAccount as the delivery names them
//     ("included ... only if accessing a resource triggers an AWS service
//     to call another service on behalf of the resource owner"), and
//     aws:SourceOrgID and aws:SourceOrgPaths, the organization and OU
//     path of that account when it is in the organization ("included ...
//     only if the call to your resource is made directly by an AWS service
//     principal on behalf of a resource for which the configuration
//     triggered the service-to-service request", and the account belongs
//     to an organization);
//   - the resource's account, organization and OU path; aws:RequestedRegion,
//     the resource's region (S3 and KMS answer a request for a bucket or
//     key only at its region's endpoint);
//   - the service keys the delivery lists.
//
// Known absent: the keys of an organization's principals
// (aws:PrincipalOrgID, aws:PrincipalOrgPaths, aws:PrincipalTag, aws:username:
// a service principal belongs to no account or organization; the AWS
// Config developer guide says the service principal "won't work with
// organization ID or organization units based conditions"), MFA, source
// identity, federation, root sessions, aws:CalledVia, the referer, session
// tags (none sent), the caller's VPC and VPC endpoint (a service principal
// does not call through the customer's network). Unknown: everything else
// the policies name, among them aws:PrincipalArn, aws:PrincipalAccount,
// aws:PrincipalType and aws:userid (the guide does not say what a service
// principal's request carries there: the stricter reading), aws:SourceIp,
// the time keys (a delivery happens at any time after the plan), resource
// tags, and the keys of the action's service that the delivery does not
// list. organization.guardContext states the run's own requests, not the
// services': it does not apply here.

// deliveryAbsent are the keys no service principal's delivery carries.
var deliveryAbsent = []string{
	"aws:principalorgid", "aws:principalorgpaths", "aws:principaltag/", "aws:username",
	"aws:multifactorauthpresent", "aws:multifactorauthage", "aws:sourceidentity",
	"aws:federatedprovider", "aws:assumedroot", "aws:calledvia", "aws:calledviafirst",
	"aws:calledvialast", "aws:referer", "aws:requesttag/", "aws:tagkeys",
	"aws:sourcevpc", "aws:sourcevpce", "aws:vpcsourceip",
	"aws:ec2instancesourcevpc", "aws:ec2instancesourceprivateipv4",
}

// checkDeliveries evaluates every delivery for every account and region
// it is made for.
func (r *rcpRun) checkDeliveries() {
	if r.c.deliveries == nil || r.org.Org == nil {
		return
	}
	for _, d := range r.c.deliveries(r.org) {
		owner := r.rcpOwner(d.Owner)
		if owner == nil || !rcpApplies(d.Action, d.Resource) || awsManagedKey(d.Resource) {
			continue
		}
		caller := &GuardCaller{Kind: CallerService, Service: d.Service, What: d.What}
		for _, src := range r.deliveryAccounts(d) {
			for _, region := range r.deliveryRegions(d) {
				req := r.deliveryRequest(d, owner, src, region)
				r.decideRCP(owner, req, d.Action, d.Resource, caller)
			}
		}
	}
}

// awsManagedKey reports a KMS alias of an AWS managed key (alias/aws/...),
// to which RCPs do not apply ("RCPs do not apply to AWS managed keys",
// KMS developer guide, "Resource control policies in AWS KMS").
func awsManagedKey(resource string) bool {
	return strings.HasPrefix(resource, "arn:") && strings.Contains(resource, ":alias/aws/")
}

// deliveryAccounts are the accounts a delivery is made for ("" once).
func (r *rcpRun) deliveryAccounts(d Delivery) []string {
	var as []*orgwalk.Account
	switch d.For {
	case DeliveryOnce:
		return []string{""}
	case DeliveryPerOrgAccount:
		as = r.org.Accounts
	case DeliveryPerTarget:
		as = r.org.Guarded
		if as == nil {
			as = r.org.Targets
		}
	}
	out := make([]string, 0, len(as))
	for _, a := range as {
		out = append(out, a.ID)
	}
	return out
}

// deliveryRegions are the regions a delivery is made for.
func (r *rcpRun) deliveryRegions(d Delivery) []string {
	if d.PerRegion && len(r.org.Regions) > 0 {
		return r.org.Regions
	}
	return []string{r.org.HomeRegion}
}

// deliveryRequest is d made for account src and region.
func (r *rcpRun) deliveryRequest(d Delivery, owner *orgwalk.Account, src, region string) *iampolicy.Request {
	g := r.reqs
	ctx := map[string][]string{}
	set := func(k, v string) {
		if v != "" && v != "*" {
			ctx[k] = []string{v}
		}
	}
	set("aws:principalisawsservice", "true")
	set("aws:principalservicename", d.Service)
	set("aws:securetransport", "true")
	set("aws:viaawsservice", "false")
	resRegion := d.Region
	if resRegion == "" {
		resRegion = r.org.HomeRegion
	}
	set("aws:requestedregion", resRegion)
	set("aws:sourcearn", d.in(d.SourceARN, src, region))
	account := d.in(d.SourceAccount, src, region)
	set("aws:sourceaccount", account)
	if a := r.org.Account(account); a != nil {
		set("aws:sourceorgid", r.org.ID)
		set("aws:sourceorgpaths", g.orgPath(a))
	}
	set("aws:resourceaccount", owner.ID)
	set("aws:resourceorgid", r.org.ID)
	set("aws:resourceorgpaths", g.orgPath(owner))
	for k, v := range d.Context {
		ctx[k] = v
	}
	resource := d.in(d.Resource, src, region)
	req := &iampolicy.Request{Action: d.Action, Resource: resource, Context: ctx,
		Principal: iampolicy.Principal{Service: d.Service}}
	req.Unknown = r.deliveryUnknown(ctx, d)
	req.ResourceUnknown = strings.Contains(resource, "*")
	return req
}

// deliveryUnknown are the keys the policies name that the delivery may
// carry with a value the guard cannot know.
func (r *rcpRun) deliveryUnknown(ctx map[string][]string, d Delivery) map[string]bool {
	svc, _, _ := strings.Cut(strings.ToLower(d.Action), ":")
	out := map[string]bool{}
	for k := range r.reqs.named {
		if _, known := ctx[k]; known || hasKeyPrefix(deliveryAbsent, k) {
			continue
		}
		if strings.HasPrefix(k, "aws:") || strings.HasPrefix(k, svc+":") {
			out[k] = true
		}
	}
	return out
}
