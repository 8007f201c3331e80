package pluginhost

import (
	"cmp"
	"slices"
	"strings"
	"sync"

	"github.com/orgbaseline/orgbaseline/plugins"
)

// redacted replaces an issued credential in a plugin's output.
const redacted = "[redacted]"

// minSecretLen is the shortest value redacted. AWS issues no shorter
// credential (an access key id is 16 to 128 characters: STS API
// reference, Credentials data type,
// https://docs.aws.amazon.com/STS/latest/APIReference/API_Credentials.html);
// redacting a few letters would shred every report.
const minSecretLen = 16

// redactor removes the credentials the host issued to a plugin from what
// the plugin returns and logs, before any of it reaches a report or the
// log. It is safe for concurrent use: calls in many accounts record and
// apply at once.
//
// It catches the credentials as issued; a plugin that encodes, splits or
// reverses a secret gets it past (the README says so).
type redactor struct {
	mu      sync.RWMutex
	secrets map[string]bool
	r       *strings.Replacer // nil until a secret is recorded
}

// add records the credentials issued for one run.
func (r *redactor) add(c plugins.Credentials) {
	if r == nil {
		return
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	changed := false
	for _, s := range []string{c.AccessKeyID, c.SecretAccessKey, c.SessionToken} {
		if len(s) < minSecretLen || r.secrets[s] {
			continue
		}
		if r.secrets == nil {
			r.secrets = map[string]bool{}
		}
		r.secrets[s] = true
		changed = true
	}
	if !changed {
		return
	}
	// Longest first: where two secrets start at the same place (a token
	// that begins with a key id), the whole of the longer one goes.
	all := make([]string, 0, len(r.secrets))
	for s := range r.secrets {
		all = append(all, s)
	}
	slices.SortFunc(all, func(a, b string) int { return cmp.Or(len(b)-len(a), strings.Compare(a, b)) })
	pairs := make([]string, 0, 2*len(all))
	for _, s := range all {
		pairs = append(pairs, s, redacted)
	}
	r.r = strings.NewReplacer(pairs...)
}

// apply returns s with every recorded credential replaced by redacted.
func (r *redactor) apply(s string) string {
	if r == nil || len(s) < minSecretLen {
		return s
	}
	r.mu.RLock()
	rep := r.r
	r.mu.RUnlock()
	if rep == nil {
		return s
	}
	return rep.Replace(s)
}
