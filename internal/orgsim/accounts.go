package orgsim

import (
	"fmt"
	"strings"
)

// Public helpers for tests and for `sim serve`: read the organization's
// layout and change it behind the tool's back. Each takes the state lock.

// AccountInfo describes one account of the organization.
type AccountInfo struct {
	ID       string
	Name     string
	Email    string
	State    string // PENDING_ACTIVATION|ACTIVE|SUSPENDED|PENDING_CLOSURE|CLOSED
	ParentID string // root or OU id
	OUPath   string // e.g. "/Workloads/Prod"; "/" for an account directly under the root
	Tags     map[string]string
}

// Accounts returns every account, the management account first, then the
// members in creation order. The tag maps are copies.
func (s *Sim) Accounts() []AccountInfo {
	s.mu.Lock()
	defer s.mu.Unlock()
	out := make([]AccountInfo, 0, len(s.order))
	for _, id := range s.order {
		a := s.accounts[id]
		tags := make(map[string]string, len(a.Tags))
		for k, v := range a.Tags {
			tags[k] = v
		}
		out = append(out, AccountInfo{
			ID: a.ID, Name: a.Name, Email: a.Email, State: a.State,
			ParentID: a.ParentID, OUPath: s.ouPath(a.ParentID), Tags: tags,
		})
	}
	return out
}

// ouPath returns the path of a root or OU id: "/" for the root,
// "/Workloads/Prod" for an OU. Callers hold s.mu.
func (s *Sim) ouPath(id string) string {
	var names []string
	for id != "" && id != s.org.root.id {
		ou := s.org.ous[id]
		if ou == nil {
			break
		}
		names = append([]string{ou.name}, names...)
		id = ou.parentID
	}
	return "/" + strings.Join(names, "/")
}

// AccountID returns the id of the account named name.
func (s *Sim) AccountID(name string) (string, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	for _, id := range s.order {
		if s.accounts[id].Name == name {
			return id, true
		}
	}
	return "", false
}

// OrganizationID returns the organization's id (o-...).
func (s *Sim) OrganizationID() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.org.id
}

// RootID returns the id of the organization's root (r-...).
func (s *Sim) RootID() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.org.root.id
}

// OUID returns the id of the OU at path, e.g. "/Workloads/Prod"; "/" is
// the root. Names are matched exactly.
func (s *Sim) OUID(path string) (string, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if path == "/" {
		return s.org.root.id, true
	}
	for _, id := range s.org.ouOrder {
		if s.org.ous[id] != nil && s.ouPath(id) == path {
			return id, true
		}
	}
	return "", false
}

// RootCredentials mints long-lived credentials of the root user of account,
// for tests that change an account behind the tool's back. The key is not
// recorded as one of the root user's access keys, so it changes no finding.
// It returns zero Credentials for an unknown account.
func (s *Sim) RootCredentials(account string) Credentials {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.accounts[account] == nil {
		return Credentials{}
	}
	c := s.mint(s.rootPrincipal(account))
	return Credentials{AccessKeyID: c.accessKey, SecretAccessKey: c.secret}
}

// SetAccountState sets an account's State (PENDING_ACTIVATION, ACTIVE,
// SUSPENDED, PENDING_CLOSURE or CLOSED). Only ACTIVE accounts can make calls
// or have roles assumed in them.
func (s *Sim) SetAccountState(account, state string) error {
	switch state {
	case "PENDING_ACTIVATION", "ACTIVE", "SUSPENDED", "PENDING_CLOSURE", "CLOSED":
	default:
		return fmt.Errorf("orgsim: unknown account state %q", state)
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	a := s.accounts[account]
	if a == nil {
		return fmt.Errorf("orgsim: no account %s", account)
	}
	a.State = state
	return nil
}

// TagAccount sets the tag key=value on an account.
func (s *Sim) TagAccount(account, key, value string) error {
	if key == "" {
		return fmt.Errorf("orgsim: empty tag key")
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	a := s.accounts[account]
	if a == nil {
		return fmt.Errorf("orgsim: no account %s", account)
	}
	if a.Tags == nil {
		a.Tags = map[string]string{}
	}
	a.Tags[key] = value
	return nil
}
