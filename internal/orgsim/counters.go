package orgsim

import (
	"sort"
	"sync"
)

// Counters count the calls orgsim answers, per service, operation and
// account, split into reads and writes. Every authenticated request counts,
// including the ones that were throttled, failed by an injected fault,
// denied or rejected: a retry is a call.
type Counters struct {
	mu    sync.Mutex
	calls map[CallKey]*CallCount
}

// CallKey identifies a counter.
type CallKey struct {
	Service   string `json:"service"`
	Operation string `json:"operation"`
	Account   string `json:"account"`
}

// CallCount is one counter's figures.
type CallCount struct {
	Write     bool           `json:"write"`
	Calls     int64          `json:"calls"`
	Throttled int64          `json:"throttled,omitempty"`
	Faulted   int64          `json:"faulted,omitempty"` // injected transient 5xx
	Denied    int64          `json:"denied,omitempty"`
	Errors    map[string]int `json:"errors,omitempty"` // error code -> count (denials included)
}

func newCounters() *Counters { return &Counters{calls: map[CallKey]*CallCount{}} }

func (c *Counters) get(k CallKey, write bool) *CallCount {
	cc := c.calls[k]
	if cc == nil {
		cc = &CallCount{Write: write}
		c.calls[k] = cc
	}
	return cc
}

func (c *Counters) record(svc, opName, account string, write bool, f fault) {
	c.mu.Lock()
	defer c.mu.Unlock()
	cc := c.get(CallKey{svc, opName, account}, write)
	cc.Calls++
	if f.throttled {
		cc.Throttled++
	}
	if f.failed {
		cc.Faulted++
	}
}

func (c *Counters) recordError(svc, opName, account, code string) {
	c.mu.Lock()
	defer c.mu.Unlock()
	cc := c.get(CallKey{svc, opName, account}, false)
	if cc.Errors == nil {
		cc.Errors = map[string]int{}
	}
	cc.Errors[code]++
}

func (c *Counters) recordDenied(svc, opName, account string) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.get(CallKey{svc, opName, account}, false).Denied++
}

// CallStat is one row of a snapshot.
type CallStat struct {
	CallKey
	CallCount
}

// Snapshot is a copy of the counters, sorted by service, operation, account.
type Snapshot []CallStat

// Counters returns a snapshot of the call counters.
func (s *Sim) Counters() Snapshot {
	c := s.counters
	c.mu.Lock()
	defer c.mu.Unlock()
	out := make(Snapshot, 0, len(c.calls))
	for k, v := range c.calls {
		cp := *v
		if v.Errors != nil {
			cp.Errors = make(map[string]int, len(v.Errors))
			for code, n := range v.Errors {
				cp.Errors[code] = n
			}
		}
		out = append(out, CallStat{k, cp})
	}
	sort.Slice(out, func(i, j int) bool {
		a, b := out[i].CallKey, out[j].CallKey
		if a.Service != b.Service {
			return a.Service < b.Service
		}
		if a.Operation != b.Operation {
			return a.Operation < b.Operation
		}
		return a.Account < b.Account
	})
	return out
}

// ResetCounters sets every counter to zero.
func (s *Sim) ResetCounters() {
	s.counters.mu.Lock()
	defer s.counters.mu.Unlock()
	s.counters.calls = map[CallKey]*CallCount{}
}

// Writes is the number of calls to write operations.
func (sn Snapshot) Writes() int64 { return sn.sum(func(r CallStat) bool { return r.Write }, nil) }

// Reads is the number of calls to read operations.
func (sn Snapshot) Reads() int64 { return sn.sum(func(r CallStat) bool { return !r.Write }, nil) }

// Total is the number of calls.
func (sn Snapshot) Total() int64 { return sn.sum(func(CallStat) bool { return true }, nil) }

// Throttled is the number of calls answered with a throttling error.
func (sn Snapshot) Throttled() int64 {
	return sn.sum(func(CallStat) bool { return true }, func(r CallStat) int64 { return r.Throttled })
}

// Faulted is the number of calls answered with an injected 5xx.
func (sn Snapshot) Faulted() int64 {
	return sn.sum(func(CallStat) bool { return true }, func(r CallStat) int64 { return r.Faulted })
}

// Filter returns the rows for which keep is true.
func (sn Snapshot) Filter(keep func(CallStat) bool) Snapshot {
	var out Snapshot
	for _, r := range sn {
		if keep(r) {
			out = append(out, r)
		}
	}
	return out
}

// Calls returns the number of calls of one operation (all accounts).
func (sn Snapshot) Calls(service, operation string) int64 {
	return sn.sum(func(r CallStat) bool { return r.Service == service && r.Operation == operation }, nil)
}

func (sn Snapshot) sum(keep func(CallStat) bool, val func(CallStat) int64) int64 {
	var n int64
	for _, r := range sn {
		if !keep(r) {
			continue
		}
		if val == nil {
			n += r.Calls
		} else {
			n += val(r)
		}
	}
	return n
}
