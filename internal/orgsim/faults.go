package orgsim

import (
	"math/rand/v2"
	"sync"
	"time"
)

// Faults are latency, throttling and transient errors injected into calls.
type Faults struct {
	Rules []FaultRule `json:"rules"`
}

// FaultRule applies to every call of a service and operation, in one
// region or all (a region down while the others answer). When several
// rules match a call, each non-zero field of a later rule overrides the same
// field of an earlier one, so a general rule can be refined per operation.
type FaultRule struct {
	Service   string        `json:"service,omitempty"`   // SigV4 signing name (iam, sts, organizations, cloudtrail, config, access-analyzer, s3); "" matches all
	Operation string        `json:"operation,omitempty"` // e.g. AssumeRole; "" matches all
	Region    string        `json:"region,omitempty"`    // the region a call is signed for, e.g. eu-west-1; "" matches all; never matches global services (iam, sts, organizations)
	Latency   time.Duration `json:"latency,omitempty"`   // fixed delay added to each call
	Jitter    time.Duration `json:"jitter,omitempty"`    // plus a uniform random delay in [0, Jitter)
	ErrorRate float64       `json:"errorRate,omitempty"` // share of calls answered with the service's transient 5xx
	// RPS and Burst make a token bucket per account and service (per
	// organization for Organizations; per region too for regional
	// services); a call finding it empty gets the service's throttling
	// error. 0 means unlimited.
	RPS   float64 `json:"rps,omitempty"`
	Burst int     `json:"burst,omitempty"`
}

// AWSThrottling returns rules that throttle roughly as AWS does. AWS
// publishes few of these figures; where it does not, the value is a
// conservative guess, marked so.
func AWSThrottling() []FaultRule {
	return []FaultRule{
		{Service: "organizations", RPS: 20, Burst: 40},                           // unpublished; one bucket for the whole organization
		{Service: "sts", RPS: 600, Burst: 600},                                   // STS: 600 requests per second per account and region (documented default quota)
		{Service: "iam", RPS: 20, Burst: 40},                                     // unpublished per-account IAM control-plane rate
		{Service: "cloudtrail", RPS: 1, Burst: 2},                                // documented: 1 TPS for writes
		{Service: "cloudtrail", Operation: "DescribeTrails", RPS: 10, Burst: 10}, // documented: 10 TPS for Get/Describe/List
		{Service: "cloudtrail", Operation: "GetTrail", RPS: 10, Burst: 10},
		{Service: "cloudtrail", Operation: "GetTrailStatus", RPS: 10, Burst: 10},
		{Service: "cloudtrail", Operation: "GetEventSelectors", RPS: 10, Burst: 10},
		{Service: "cloudtrail", Operation: "ListTrails", RPS: 10, Burst: 10},
		{Service: "config", RPS: 10, Burst: 20},          // unpublished
		{Service: "access-analyzer", RPS: 10, Burst: 20}, // unpublished
		{Service: "s3", RPS: 100, Burst: 200},            // bucket-level control plane; unpublished
	}
}

type fault struct {
	delay     time.Duration
	throttled bool
	failed    bool
}

type faultState struct {
	now     func() time.Time // the sim clock: buckets refill as it moves
	mu      sync.Mutex
	rules   []FaultRule
	rng     *rand.Rand
	buckets map[string]*tokenBucket
}

type tokenBucket struct {
	tokens float64
	last   time.Time
}

func newFaultState(f Faults, seed uint64, now func() time.Time) *faultState {
	return &faultState{now: now, rules: f.Rules, rng: rand.New(rand.NewPCG(seed, 0x666175)), buckets: map[string]*tokenBucket{}}
}

// SetFaults replaces the fault rules; token buckets start afresh.
func (s *Sim) SetFaults(f Faults) {
	s.faults.mu.Lock()
	defer s.faults.mu.Unlock()
	s.faults.rules = f.Rules
	s.faults.buckets = map[string]*tokenBucket{}
}

// Faults returns the rules in force.
func (s *Sim) Faults() Faults {
	s.faults.mu.Lock()
	defer s.faults.mu.Unlock()
	return Faults{Rules: append([]FaultRule(nil), s.faults.rules...)}
}

// decide returns the faults for one call. region is "" for global services.
func (fs *faultState) decide(svc, opName, account, region string) fault {
	fs.mu.Lock()
	defer fs.mu.Unlock()
	if len(fs.rules) == 0 {
		return fault{}
	}
	var eff FaultRule
	bucketRule := -1
	for i, r := range fs.rules {
		if (r.Service != "" && r.Service != svc) || (r.Operation != "" && r.Operation != opName) || (r.Region != "" && r.Region != region) {
			continue
		}
		if r.Latency != 0 {
			eff.Latency = r.Latency
		}
		if r.Jitter != 0 {
			eff.Jitter = r.Jitter
		}
		if r.ErrorRate != 0 {
			eff.ErrorRate = r.ErrorRate
		}
		if r.RPS != 0 {
			eff.RPS, eff.Burst = r.RPS, r.Burst
			bucketRule = i
		}
	}
	var f fault
	f.delay = eff.Latency
	if eff.Jitter > 0 {
		f.delay += time.Duration(fs.rng.Int64N(int64(eff.Jitter)))
	}
	if eff.RPS > 0 {
		scope := account
		if svc == "organizations" {
			scope = "org"
		}
		key := itoa(bucketRule) + "/" + svc + "/" + scope + "/" + region
		if !fs.take(key, eff.RPS, eff.Burst) {
			f.throttled = true
			return f
		}
	}
	if eff.ErrorRate > 0 && fs.rng.Float64() < eff.ErrorRate {
		f.failed = true
	}
	return f
}

// take removes a token from the bucket, refilling it at rps by the sim
// clock (wall time unless Options.Now says otherwise); it reports false when
// the bucket is empty.
func (fs *faultState) take(key string, rps float64, burst int) bool {
	if burst < 1 {
		burst = 1
	}
	now := fs.now()
	b := fs.buckets[key]
	if b == nil {
		b = &tokenBucket{tokens: float64(burst), last: now}
		fs.buckets[key] = b
	}
	b.tokens += now.Sub(b.last).Seconds() * rps
	if b.tokens > float64(burst) {
		b.tokens = float64(burst)
	}
	b.last = now
	if b.tokens < 1 {
		return false
	}
	b.tokens--
	return true
}
