package cli

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"sync"
	"time"
	"unicode"

	"github.com/aws/aws-sdk-go-v2/aws"
	awsmiddleware "github.com/aws/aws-sdk-go-v2/aws/middleware"
	"github.com/aws/aws-sdk-go-v2/service/organizations"
	"github.com/aws/aws-sdk-go-v2/service/organizations/types"
	"github.com/aws/smithy-go"
	"github.com/aws/smithy-go/middleware"

	"github.com/orgbaseline/orgbaseline/baseline/controls"
)

// The apply lease: one apply at a time changes the organization scope.
//
// The lease is a service control policy named controls.LeasePolicyName,
// never attached, whose description records who holds it, for which run
// and until when. It is taken with CreatePolicy, the one Organizations
// write that refuses when its object exists: policy names are unique per
// type in an organization, and a second CreatePolicy of the name fails
// with DuplicatePolicyException, "A policy with the same name already
// exists" (Organizations API reference, CreatePolicy, Errors). Of two
// applies racing, exactly one creates it. A tag on the root (TagResource
// takes a root: Organizations API reference, TagResource) would be
// last-writer-wins: two applies that both read "no lease" would both
// write their tag and both go on.
//
// CreatePolicy needs the organization's all-features set
// (PolicyTypeNotAvailableForOrganizationException) but not the SCP type
// enabled in the root: PolicyTypeNotEnabledException is among
// AttachPolicy's errors, not CreatePolicy's (API reference, both pages).
// The lease counts against the organization's quota of SCPs (10,000:
// Organizations user guide, "Quotas and service limits").
//
// The lease is released (DeletePolicy, by its id) when the phase ends,
// however it ends. A run that dies holding it leaves it until it runs
// out: expiry is judged on AWS's clock (awsClock), and a run that finds
// it expired deletes that policy, by its id, and creates its own. Ids are
// never reused, so a run that finds the lease taken over meanwhile
// deletes nothing of the new holder's (PolicyNotFoundException) and tries
// again. The holder renews the lease (UpdatePolicy of its id) while the
// phase lasts, and counts it lost somewhat before it runs out (leaseMargin),
// so a run taking over an expired lease and a late holder never write at
// once while their clocks agree within that margin.

// leaseContent is the lease policy's document: FullAWSAccess's, so that
// the policy restricts nothing even if someone attached it.
const leaseContent = `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"*","Resource":"*"}]}`

// leaseAPI is the part of the Organizations client the lease uses.
type leaseAPI interface {
	DescribeOrganization(context.Context, *organizations.DescribeOrganizationInput, ...func(*organizations.Options)) (*organizations.DescribeOrganizationOutput, error)
	CreatePolicy(context.Context, *organizations.CreatePolicyInput, ...func(*organizations.Options)) (*organizations.CreatePolicyOutput, error)
	UpdatePolicy(context.Context, *organizations.UpdatePolicyInput, ...func(*organizations.Options)) (*organizations.UpdatePolicyOutput, error)
	DeletePolicy(context.Context, *organizations.DeletePolicyInput, ...func(*organizations.Options)) (*organizations.DeletePolicyOutput, error)
	organizations.ListPoliciesAPIClient
}

var _ leaseAPI = (*organizations.Client)(nil)

// leaseRecord is what the lease policy's description says, as JSON.
type leaseRecord struct {
	Holder  string    `json:"holder"`
	Run     string    `json:"run"`
	Since   time.Time `json:"since"`
	Expires time.Time `json:"expires"`
}

// encode is the description: at most 512 characters (CreatePolicy's
// Description), the holder shortened to fit.
func (r leaseRecord) encode() string {
	r.Holder = shorten(r.Holder, 200)
	r.Run = shorten(r.Run, 100)
	b, _ := json.Marshal(r) // plain strings and times always marshal
	return string(b)
}

// String names the holder for people, shortened and quoted (the record
// is read from AWS, written by whoever could write it).
func (r leaseRecord) String() string {
	return fmt.Sprintf("%q, run %q, since %s, until %s", shorten(r.Holder, 120), shorten(r.Run, 64),
		r.Since.UTC().Format(time.RFC3339), r.Expires.UTC().Format(time.RFC3339))
}

// shorten cuts s to n characters, with a marker, and replaces control
// characters: lease records are read from AWS, written by whoever could.
func shorten(s string, n int) string {
	s = strings.Map(func(r rune) rune {
		if unicode.IsControl(r) {
			return '?'
		}
		return r
	}, s)
	if r := []rune(s); len(r) > n {
		return string(r[:n]) + "..."
	}
	return s
}

// foundLease is a lease policy as read.
type foundLease struct {
	id  string
	rec leaseRecord
	// bad: the policy's description is not a lease record (a policy of
	// that name someone made by hand).
	bad bool
}

// leaseHeldError says another run holds the lease.
type leaseHeldError struct {
	rec leaseRecord
	now time.Time // AWS's clock when it was read
}

func (e *leaseHeldError) Error() string {
	left := e.rec.Expires.Sub(e.now).Round(time.Second)
	return fmt.Sprintf("another apply holds the organization-scope lease (SCP %s): %s, %s from now by AWS's clock",
		controls.LeasePolicyName, e.rec, left)
}

// errLeaseLost is the cause of a lease's context once it is lost.
var errLeaseLost = errors.New("the organization-scope lease was lost")

// awsClock is AWS's clock as its answers date it (the HTTP Date header,
// which the SDK records as each response's server time), moved on by the
// local clock since the last answer; before any, the local clock. Two
// machines whose clocks disagree still judge a lease's expiry alike.
type awsClock struct {
	// fixed, when set, is the clock (tests: orgsim's, which their waits
	// move on).
	fixed  func() time.Time
	mu     sync.Mutex
	server time.Time
	local  time.Time
}

func (c *awsClock) now() time.Time {
	if c.fixed != nil {
		return c.fixed().UTC()
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.server.IsZero() {
		return time.Now().UTC()
	}
	return c.server.Add(time.Since(c.local)).UTC()
}

// seeded reports whether the clock has AWS's time (or is fixed).
func (c *awsClock) seeded() bool {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.fixed != nil || !c.server.IsZero()
}

// saw takes AWS's time from an answer's metadata.
func (c *awsClock) saw(md middleware.Metadata) {
	t, ok := awsmiddleware.GetServerTime(md)
	if !ok {
		return
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	c.server, c.local = t, time.Now()
}

// leaseParams are what a lease is taken with.
type leaseParams struct {
	holder, run string
	ttl         time.Duration
	// sleep waits between attempts when the lease changes hands.
	sleep func(context.Context, time.Duration) error
}

// leaseAttempts bounds how often acquireLease tries when the lease
// changes hands (or is not yet listed) between its calls.
const leaseAttempts = 5

// orgLease is a lease this run holds.
type orgLease struct {
	api   leaseAPI
	clock *awsClock
	ttl   time.Duration
	id    string
	// tookOver is the expired lease this run replaced, if any.
	tookOver *leaseRecord

	mu       sync.Mutex
	rec      leaseRecord
	lost     error
	released bool
	ctx      context.Context
	cancel   context.CancelCauseFunc
	stop     chan struct{}
}

// acquireLease takes the lease, or returns a *leaseHeldError naming the
// run that holds it. An expired lease is taken over.
func acquireLease(ctx context.Context, api leaseAPI, clock *awsClock, p leaseParams) (*orgLease, error) {
	if !clock.seeded() {
		out, err := api.DescribeOrganization(ctx, &organizations.DescribeOrganizationInput{})
		if err != nil {
			return nil, fmt.Errorf("take the organization-scope lease: read AWS's clock (organizations:DescribeOrganization): %w", err)
		}
		clock.saw(out.ResultMetadata)
	}
	var tookOver *leaseRecord
	for attempt := 1; ; attempt++ {
		now := clock.now()
		rec := leaseRecord{Holder: p.holder, Run: p.run, Since: now, Expires: now.Add(p.ttl)}
		out, err := api.CreatePolicy(ctx, &organizations.CreatePolicyInput{
			Name: aws.String(controls.LeasePolicyName), Type: types.PolicyTypeServiceControlPolicy,
			Content: aws.String(leaseContent), Description: aws.String(rec.encode()),
		})
		if err == nil {
			clock.saw(out.ResultMetadata)
			l := &orgLease{api: api, clock: clock, ttl: p.ttl, rec: rec, tookOver: tookOver, stop: make(chan struct{})}
			if out.Policy != nil && out.Policy.PolicySummary != nil {
				l.id = aws.ToString(out.Policy.PolicySummary.Id)
			}
			if l.id == "" {
				return nil, fmt.Errorf("take the organization-scope lease: CreatePolicy answered no policy id")
			}
			return l, nil
		}
		if attempt == leaseAttempts {
			return nil, fmt.Errorf("take the organization-scope lease: it changed hands %d times while this run tried; run again: %w", attempt, err)
		}
		switch awsErrorCode(err) {
		case "DuplicatePolicyException":
		case "PolicyTypeNotAvailableForOrganizationException":
			return nil, fmt.Errorf("take the organization-scope lease (an SCP named %s): the organization has only consolidated billing features, where AWS keeps no policies; enable all features (organizations:EnableAllFeatures) to apply organization-scope controls: %w", controls.LeasePolicyName, err)
		default:
			return nil, fmt.Errorf("take the organization-scope lease (organizations:CreatePolicy of SCP %s): %w", controls.LeasePolicyName, err)
		}
		found, err := readLease(ctx, api, clock)
		if err != nil {
			return nil, err
		}
		switch {
		case found == nil:
			// Released since, or not listed yet (Organizations reads
			// are eventually consistent): try again shortly.
			if err := p.sleep(ctx, time.Second); err != nil {
				return nil, err
			}
			continue
		case found.bad:
			return nil, fmt.Errorf("the SCP %s (%s) exists but its description is not an orgbaseline lease record, so no apply can take the lease; if nobody uses it, delete it (aws organizations delete-policy --policy-id %s)", controls.LeasePolicyName, found.id, found.id)
		case !clock.now().After(found.rec.Expires):
			return nil, &leaseHeldError{rec: found.rec, now: clock.now()}
		}
		// Expired: delete exactly that policy. If another run replaced
		// it meanwhile, its lease has another id and stays.
		if _, err := api.DeletePolicy(ctx, &organizations.DeletePolicyInput{PolicyId: aws.String(found.id)}); err != nil && awsErrorCode(err) != "PolicyNotFoundException" {
			return nil, fmt.Errorf("take over the expired organization-scope lease (%s, SCP %s): %w", found.rec, found.id, err)
		}
		rec0 := found.rec
		tookOver = &rec0
	}
}

// readLease finds the lease policy; nil when there is none.
func readLease(ctx context.Context, api leaseAPI, clock *awsClock) (*foundLease, error) {
	pg := organizations.NewListPoliciesPaginator(api, &organizations.ListPoliciesInput{Filter: types.PolicyTypeServiceControlPolicy})
	for pg.HasMorePages() {
		out, err := pg.NextPage(ctx)
		if err != nil {
			return nil, fmt.Errorf("read the organization-scope lease (organizations:ListPolicies): %w", err)
		}
		clock.saw(out.ResultMetadata)
		for _, s := range out.Policies {
			if aws.ToString(s.Name) != controls.LeasePolicyName || s.AwsManaged {
				continue
			}
			f := &foundLease{id: aws.ToString(s.Id)}
			dec := json.NewDecoder(strings.NewReader(aws.ToString(s.Description)))
			dec.DisallowUnknownFields()
			if dec.Decode(&f.rec) != nil || f.rec.Run == "" || f.rec.Expires.IsZero() {
				f.bad = true
			}
			return f, nil
		}
	}
	return nil, nil
}

// leaseMargin is how long before it runs out the holder counts its lease
// lost if it could not renew it: a run taking it over waits until it has
// run out, so the two never act at once while their views of AWS's clock
// agree within the margin.
func (l *orgLease) margin() time.Duration { return l.ttl / 10 }

// context returns a context that ends when parent does or the lease is
// lost (its cause errLeaseLost, wrapped); it starts renewing the lease
// every tenth of its duration on the wall clock, until release.
func (l *orgLease) context(parent context.Context) context.Context {
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.ctx != nil {
		return l.ctx
	}
	l.ctx, l.cancel = context.WithCancelCause(parent)
	// Renewals outlive an interruption: changes in flight still finish.
	rctx := context.WithoutCancel(parent)
	go func() {
		t := time.NewTicker(l.ttl / 10)
		defer t.Stop()
		for {
			select {
			case <-t.C:
				_ = l.renew(rctx) // a failure is kept as l.lost
			case <-l.stop:
				return
			}
		}
	}()
	return l.ctx
}

// renew extends the lease once a third of its duration has passed since
// it was last extended; the error is non-nil once it is lost (released by
// someone else, taken over, or run out before it could be renewed).
func (l *orgLease) renew(ctx context.Context) error {
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.lost != nil || l.released {
		return l.lost
	}
	now := l.clock.now()
	if now.Before(l.rec.Expires.Add(-l.ttl * 2 / 3)) {
		return nil
	}
	if !now.Before(l.rec.Expires.Add(-l.margin())) {
		return l.lose(fmt.Errorf("it was not renewed in time: it ran out at %s by AWS's clock", l.rec.Expires.Format(time.RFC3339)))
	}
	rec := l.rec
	rec.Expires = now.Add(l.ttl)
	out, err := l.api.UpdatePolicy(ctx, &organizations.UpdatePolicyInput{PolicyId: aws.String(l.id), Description: aws.String(rec.encode())})
	switch {
	case err == nil:
		l.clock.saw(out.ResultMetadata)
		l.rec = rec
		return nil
	case awsErrorCode(err) == "PolicyNotFoundException":
		return l.lose(fmt.Errorf("its policy %s is gone: someone released it (apply --force-unlock) or took it over", l.id))
	}
	// Anything else may pass (the SDK has retried it already): the next
	// renewal tries again, until the margin.
	return nil
}

// lose records that the lease is lost and ends its context. Callers hold
// l.mu.
func (l *orgLease) lose(why error) error {
	l.lost = fmt.Errorf("%w: %w", errLeaseLost, why)
	if l.cancel != nil {
		l.cancel(l.lost)
	}
	return l.lost
}

// err is why the lease was lost, or nil.
func (l *orgLease) err() error {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.lost
}

// expires is when the lease runs out, as last renewed.
func (l *orgLease) expires() time.Time {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.rec.Expires
}

// release deletes the lease policy (by its id: never another run's) and
// stops renewing it. A lease already gone is released.
func (l *orgLease) release(ctx context.Context) error {
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.released {
		return nil
	}
	l.released = true
	close(l.stop)
	if l.cancel != nil {
		defer l.cancel(context.Canceled)
	}
	_, err := l.api.DeletePolicy(ctx, &organizations.DeletePolicyInput{PolicyId: aws.String(l.id)})
	if err != nil && awsErrorCode(err) != "PolicyNotFoundException" {
		return fmt.Errorf("release the organization-scope lease (organizations:DeletePolicy %s): %w; it runs out by itself at %s, or `orgbaseline apply --force-unlock %s` releases it now",
			l.id, err, l.rec.Expires.Format(time.RFC3339), l.rec.Run)
	}
	return nil
}

// awsErrorCode is an AWS error's code, or "".
func awsErrorCode(err error) string {
	var ae smithy.APIError
	if errors.As(err, &ae) {
		return ae.ErrorCode()
	}
	return ""
}
