package awsapi

import (
	"context"
	"sync"
	"time"

	awsmiddleware "github.com/aws/aws-sdk-go-v2/aws/middleware"
	"github.com/aws/aws-sdk-go-v2/aws/retry"
	"github.com/aws/smithy-go/middleware"
)

// OrganizationsService is the SDK's service id of AWS Organizations, the
// API the run paces once it throttles.
const OrganizationsService = "Organizations"

// Pacer spaces the calls of one service's operations once they have
// throttled, sharing what it learns among every client of the config it
// is added to (and the configs copied from it): the organization walk, the
// SCP listings and the controls that read the organization all draw on
// AWS's rate for each Organizations operation, so each of them backing off
// on its own would keep the others hammering.
//
// AWS throttles Organizations per operation (its quotas page lists the
// request rates of each operation, Organizations user guide, "Quotas and
// service limits for AWS Organizations", "Throttling limits"), so the
// pacer learns one rate per operation: an operation that throttles is
// paced, and the others are not held back by it.
//
// Until an operation's first throttling error the pacer does nothing for
// it. At that error it takes half the rate the operation has just
// delivered (its successful calls in the last second) as its rate, and
// from then on starts the operation's calls no faster: each throttling
// error of a call sent since the last cut cuts the rate by 30% (the
// errors of calls sent before it say nothing new), each success raises it
// by one call a second per second, so it follows a rate it does not know
// instead of retrying into it. The SDK's retries still handle the
// throttling that remains; they pass through the pacer too.
type Pacer struct {
	// Service is the SDK service id paced ("Organizations"); other
	// services' calls pass through.
	Service string
	// Now and Sleep are the clock; nil means the wall clock. Tests move a
	// simulated one.
	Now   func() time.Time
	Sleep func(context.Context, time.Duration) error

	mu        sync.Mutex
	ops       map[string]*opPace // by operation name
	throttled int64
}

// opPace is what the pacer learned of one operation.
type opPace struct {
	rate   float64     // calls a second; 0 until the first throttling error
	next   time.Time   // when the next call may start
	cut    time.Time   // when the rate was last cut
	recent []time.Time // successes in the last second, before the first throttling error
}

const (
	paceMinRate  = 1.0 // calls a second
	paceMaxRate  = 10000.0
	paceCut      = 0.7
	paceIncrease = 1.0 // calls a second, per second
)

// NewPacer returns a pacer for service on the wall clock.
func NewPacer(service string) *Pacer { return &Pacer{Service: service} }

// Add is an APIOptions function: it adds the pacer to a client's stack,
// around each attempt (after the SDK's retry middleware, so every retry
// waits its turn too).
func (p *Pacer) Add(s *middleware.Stack) error {
	return s.Finalize.Insert(pacerStep{p}, "Retry", middleware.After)
}

// Rate returns the calls a second the pacer allows operation, 0 while the
// operation has not throttled.
func (p *Pacer) Rate(operation string) float64 {
	p.mu.Lock()
	defer p.mu.Unlock()
	if o := p.ops[operation]; o != nil {
		return o.rate
	}
	return 0
}

// Throttled returns the throttling errors the pacer has seen, of every
// operation.
func (p *Pacer) Throttled() int64 {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.throttled
}

func (p *Pacer) now() time.Time {
	if p.Now != nil {
		return p.Now()
	}
	return time.Now()
}

func (p *Pacer) sleep(ctx context.Context, d time.Duration) error {
	if p.Sleep != nil {
		return p.Sleep(ctx, d)
	}
	return Sleep(ctx, d)
}

// op returns what the pacer knows of operation. Callers hold p.mu.
func (p *Pacer) op(operation string) *opPace {
	o := p.ops[operation]
	if o == nil {
		if p.ops == nil {
			p.ops = map[string]*opPace{}
		}
		o = &opPace{}
		p.ops[operation] = o
	}
	return o
}

// wait holds a call of operation until its turn and returns when that
// was.
func (p *Pacer) wait(ctx context.Context, operation string) (time.Time, error) {
	p.mu.Lock()
	now := p.now()
	o := p.op(operation)
	if o.rate == 0 {
		p.mu.Unlock()
		return now, nil
	}
	start := o.next
	if start.Before(now) {
		start = now
	}
	o.next = start.Add(time.Duration(float64(time.Second) / o.rate))
	p.mu.Unlock()
	if d := start.Sub(now); d > 0 {
		return start, p.sleep(ctx, d)
	}
	return start, nil
}

// done learns from the outcome of an attempt of operation that started
// at started.
func (p *Pacer) done(operation string, started time.Time, err error) {
	throttle := err != nil && retry.IsErrorThrottles(retry.DefaultThrottles).IsErrorThrottle(err).Bool()
	if err != nil && !throttle {
		return
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	now := p.now()
	o := p.op(operation)
	if !throttle {
		if o.rate == 0 {
			o.recent = append(o.recent, now)
			o.forget(now)
			return
		}
		o.rate = min(paceMaxRate, o.rate+paceIncrease/o.rate)
		return
	}
	p.throttled++
	switch {
	case o.rate == 0:
		o.forget(now)
		o.rate = max(paceMinRate, float64(len(o.recent))/2)
		o.recent = nil
	case started.After(o.cut):
		// Sent at the rate set by the last cut, and still throttled:
		// the errors of calls sent before it say nothing new.
		o.rate = max(paceMinRate, o.rate*paceCut)
	default:
		return
	}
	o.cut = now
	if next := now.Add(time.Duration(float64(time.Second) / o.rate)); o.next.Before(next) {
		o.next = next
	}
}

// forget drops the successes older than a second.
func (o *opPace) forget(now time.Time) {
	i := 0
	for i < len(o.recent) && now.Sub(o.recent[i]) > time.Second {
		i++
	}
	o.recent = o.recent[i:]
}

type pacerStep struct{ p *Pacer }

func (pacerStep) ID() string { return "orgbaseline.Pacer" }

func (s pacerStep) HandleFinalize(ctx context.Context, in middleware.FinalizeInput, next middleware.FinalizeHandler) (middleware.FinalizeOutput, middleware.Metadata, error) {
	if awsmiddleware.GetServiceID(ctx) != s.p.Service {
		return next.HandleFinalize(ctx, in)
	}
	op := awsmiddleware.GetOperationName(ctx)
	started, err := s.p.wait(ctx, op)
	if err != nil {
		return middleware.FinalizeOutput{}, middleware.Metadata{}, err
	}
	out, md, err := next.HandleFinalize(ctx, in)
	s.p.done(op, started, err)
	return out, md, err
}
