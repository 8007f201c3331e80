package controls

import "sync"

// madeThisRun records what a control made in this run that AWS lets its
// services use only some seconds later: a role or service-linked role, a
// bucket policy, a delegated administrator registration (IAM is eventually
// consistent). The control retries AWS's "not usable yet" answers only for
// what is recorded here; anything else fails at once. It is retry policy,
// not state: what AWS has is always read from AWS. A control lives for one
// run of a command, so at worst a later run in the same process waits,
// bounded, where it need not. Safe for concurrent use (accounts and the
// organization-scope lanes apply in parallel); the zero value is ready.
type madeThisRun struct {
	mu   sync.Mutex
	made map[string]string // key -> a detail for messages (a name), or ""
}

// note records that this run made what key names.
func (m *madeThisRun) note(key, detail string) {
	m.mu.Lock()
	defer m.mu.Unlock()
	if m.made == nil {
		m.made = map[string]string{}
	}
	m.made[key] = detail
}

// get reports whether this run made what key names, and its detail.
func (m *madeThisRun) get(key string) (string, bool) {
	m.mu.Lock()
	defer m.mu.Unlock()
	d, ok := m.made[key]
	return d, ok
}

// has reports whether this run made what key names.
func (m *madeThisRun) has(key string) bool {
	_, ok := m.get(key)
	return ok
}
