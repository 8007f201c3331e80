package controls

import (
	"slices"
	"strings"
)

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
	// lower-cased (s3:x-amz-acl, kms:encryptioncontext:...), and Unknown
	// those it may carry with a value the guard cannot know (an entry
	// ending in ":" or "/" names every key it starts). Other keys of the
	// action's service are absent, as in the call model, but those the
	// service sets on every request (guardServiceUnknown).
	Context map[string][]string
	Unknown []string
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

// with is d for action on resource; ctx alternates keys and values.
func (d Delivery) with(action, resource string, ctx ...string) Delivery {
	d.Action, d.Resource = action, resource
	d.Context, d.Unknown = nil, nil
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

// unknownKeys is d with the keys unknown added.
func (d Delivery) unknownKeys(keys ...string) Delivery {
	d.Unknown = append(slices.Clone(d.Unknown), keys...)
	return d
}

// unknownKey reports k among d.Unknown.
func (d Delivery) unknownKey(k string) bool {
	for _, u := range d.Unknown {
		if k == u || ((strings.HasSuffix(u, ":") || strings.HasSuffix(u, "/")) && strings.HasPrefix(k, u)) {
			return true
		}
	}
	return false
}

// The keys of the requests to S3 and KMS that the sources do not pin
// down: whether CloudTrail's and Config's writes name the encryption in
// their headers (the CloudTrail user guide and the Config developer guide
// say the bucket's default encryption or the configured key is used, not
// how the request says so; Service Authorization Reference, s3:PutObject),
// and the encryption context of a KMS request beyond what the guides name,
// and the calling account KMS sees for a service principal.
var (
	putObjectUnknown = []string{"s3:x-amz-server-side-encryption", "s3:x-amz-server-side-encryption-aws-kms-key-id"}
	kmsUnknown       = []string{"kms:encryptioncontext:", "kms:encryptioncontextkeys", "kms:calleraccount"}
)
