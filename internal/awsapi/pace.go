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
// API AWS throttles for the whole organization.
const OrganizationsService = "Organizations"

// Pacer spaces the calls to one service once it has throttled, sharing
// what it learns among every client of the config it is added to (and the
// configs copied from it): the organization walk, the SCP listings and
// the controls that read the organization all draw on one Organizations
// rate in AWS, so each of them backing off on its own would keep the
// others hammering.
//
// Until the first throttling error it does nothing. At that error it
// takes half the rate the service has just delivered (successful calls in
// the last second) as its rate, and from then on starts calls no faster:
// each throttling error of a call sent since the last cut cuts the rate
// by 30% (the errors of calls sent before it say nothing new), each success raises it by one
// call a second per second, so it follows a service whose rate is not
// published (AWS publishes none for Organizations) instead of retrying
// into it. The SDK's retries still handle the throttling that remains;
// they pass through the pacer too.
type Pacer struct {
	// Service is the SDK service id paced ("Organizations"); other
	// services' calls pass through.
	Service string
	// Now and Sleep are the clock; nil means the wall clock. Tests move a
	// simulated one.
	Now   func() time.Time
	Sleep func(context.Context, time.Duration) error

	mu        sync.Mutex
	rate      float64     // calls a second; 0 until the first throttling error
	next      time.Time   // when the next call may start
	cut       time.Time   // when the rate was last cut
	recent    []time.Time // successes in the last second, before the first throttling error
	throttled int64
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

// Rate returns the calls a second the pacer allows, 0 while it has not
// seen a throttling error.
func (p *Pacer) Rate() float64 {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.rate
}

// Throttled returns the throttling errors the pacer has seen.
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
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}

// wait holds a call until its turn and returns when that was.
func (p *Pacer) wait(ctx context.Context) (time.Time, error) {
	p.mu.Lock()
	now := p.now()
	if p.rate == 0 {
		p.mu.Unlock()
		return now, nil
	}
	start := p.next
	if start.Before(now) {
		start = now
	}
	p.next = start.Add(time.Duration(float64(time.Second) / p.rate))
	p.mu.Unlock()
	if d := start.Sub(now); d > 0 {
		return start, p.sleep(ctx, d)
	}
	return start, nil
}

// done learns from the outcome of an attempt that started at started.
func (p *Pacer) done(started time.Time, err error) {
	throttle := err != nil && retry.IsErrorThrottles(retry.DefaultThrottles).IsErrorThrottle(err).Bool()
	if err != nil && !throttle {
		return
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	now := p.now()
	if !throttle {
		if p.rate == 0 {
			p.recent = append(p.recent, now)
			p.forget(now)
			return
		}
		p.rate = min(paceMaxRate, p.rate+paceIncrease/p.rate)
		return
	}
	p.throttled++
	switch {
	case p.rate == 0:
		p.forget(now)
		p.rate = max(paceMinRate, float64(len(p.recent))/2)
		p.recent = nil
	case started.After(p.cut):
		// Sent at the rate set by the last cut, and still throttled:
		// the errors of calls sent before it say nothing new.
		p.rate = max(paceMinRate, p.rate*paceCut)
	default:
		return
	}
	p.cut = now
	if next := now.Add(time.Duration(float64(time.Second) / p.rate)); p.next.Before(next) {
		p.next = next
	}
}

// forget drops the successes older than a second.
func (p *Pacer) forget(now time.Time) {
	i := 0
	for i < len(p.recent) && now.Sub(p.recent[i]) > time.Second {
		i++
	}
	p.recent = p.recent[i:]
}

type pacerStep struct{ p *Pacer }

func (pacerStep) ID() string { return "orgbaseline.Pacer" }

func (s pacerStep) HandleFinalize(ctx context.Context, in middleware.FinalizeInput, next middleware.FinalizeHandler) (middleware.FinalizeOutput, middleware.Metadata, error) {
	if awsmiddleware.GetServiceID(ctx) != s.p.Service {
		return next.HandleFinalize(ctx, in)
	}
	started, err := s.p.wait(ctx)
	if err != nil {
		return middleware.FinalizeOutput{}, middleware.Metadata{}, err
	}
	out, md, err := next.HandleFinalize(ctx, in)
	s.p.done(started, err)
	return out, md, err
}
