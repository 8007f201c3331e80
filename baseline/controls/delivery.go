package controls

import "strings"

// The delivery model: every request an AWS service makes with its own
// service principal to a resource orgbaseline configures it to use (a log
// bucket, a KMS key), described as data, as the call model (calls.go)
// describes orgbaseline's own calls. The RCP lockout guard (rcpguard.go)
// evaluates each with the request context the service sends: resource
// control policies bind service principals ("RCPs impact the effective
// permissions of principals trying to access resources in a member
// account with an applicable RCP ... The exception is when principals are
// service-linked roles", Organizations user guide, "Resource control
// policies (RCPs)"), so an RCP that limits a bucket to the organization's
// principals stops CloudTrail and Config from delivering to it.

// DeliveryAccounts says for which accounts a delivery is made: the
// placeholder {account} in Resource, SourceARN and SourceAccount stands
// for each.
type DeliveryAccounts int

const (
	// DeliveryOnce: one delivery, with no {account}.
	DeliveryOnce DeliveryAccounts = iota
	// DeliveryPerOrgAccount: one per account of the organization, the
	// management account included (an organization trail logs them all).
	DeliveryPerOrgAccount
	// DeliveryPerTarget: one per account the baseline's targets select,
	// the management account included when they do (Config's recorders).
	DeliveryPerTarget
)

// Delivery is one request a service principal makes to a resource in a
// member account, as AWS authorizes it.
type Delivery struct {
	// Control names the control that configures the service.
	Control string
	// Service is the service principal, e.g. cloudtrail.amazonaws.com.
	Service string
	// Action is the IAM action, e.g. s3:PutObject.
	Action string
	// Resource is the ARN the action is authorized on; {account} and
	// {region} stand for the delivering account and region, and a * for
	// text AWS generates (a log file's name, a key's id).
	Resource string
	// Owner is the id of the account that owns the resource ("*" when
	// its alias could not be resolved), OwnerAlias that alias, and
	// Region the resource's region.
	Owner, OwnerAlias, Region string
	// For says for which accounts the delivery is made; PerRegion that
	// it is made for every governed region ({region}), else once for the
	// home region.
	For       DeliveryAccounts
	PerRegion bool
	// SourceARN and SourceAccount are aws:SourceArn and
	// aws:SourceAccount ("" when the request carries none): the resource
	// the service acts for and its account.
	SourceARN, SourceAccount string
	// Context holds the service-specific keys the request carries,
	// lower-cased (s3:x-amz-acl, kms:encryptioncontext:...). Other keys
	// of the action's service are unknown to the guard.
	Context map[string][]string
	// What says what the delivery is for, for people ("the log files of
	// trail org-trail").
	What string
}

// Deliverer is a control that configures a service to make requests to
// resources in member accounts with its service principal.
type Deliverer interface {
	Deliveries(o *Org) []Delivery
}

// DeliveriesOf collects the deliveries of the controls that make some.
func DeliveriesOf(cs []Control, o *Org) []Delivery {
	var out []Delivery
	for _, c := range cs {
		if d, ok := c.(Deliverer); ok {
			out = append(out, d.Deliveries(o)...)
		}
	}
	return out
}

// in substitutes account and region for the placeholders of s.
func (d Delivery) in(s, account, region string) string {
	return strings.ReplaceAll(strings.ReplaceAll(s, "{account}", account), "{region}", region)
}

// delivery builds a delivery; ctx alternates keys and values.
func (d Delivery) with(action, resource string, ctx ...string) Delivery {
	d.Action, d.Resource = action, resource
	d.Context = nil
	for i := 0; i+1 < len(ctx); i += 2 {
		if d.Context == nil {
			d.Context = map[string][]string{}
		}
		d.Context[ctx[i]] = append(d.Context[ctx[i]], ctx[i+1])
	}
	return d
}

// keyAccount and keyRegion are the account and region of a KMS key ARN,
// "" when s is not one.
func keyAccount(s string) string { return arnPart(s, 4) }
func keyRegion(s string) string  { return arnPart(s, 3) }

// arnPart is field i of an ARN of KMS (arn:partition:kms:region:account:...),
// "" for anything else.
func arnPart(s string, i int) string {
	f := strings.SplitN(s, ":", 6)
	if len(f) < 6 || f[0] != "arn" || f[2] != "kms" {
		return ""
	}
	return f[i]
}
