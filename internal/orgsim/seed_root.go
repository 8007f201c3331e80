package orgsim

import (
	"strings"
	"time"
)

// rootCredentials gives the members' root users credentials for
// centralized root access to find (OrgSpec.RootCredentials). The root
// user of an AWS account may have a console password, up to two access
// keys, signing certificates and MFA devices (IAM user guide, "Centralize
// root access for member accounts": "You can remove the root user
// password, access keys, signing certificates, and deactivate multi-factor
// authentication (MFA)"). Member n (1-based, in creation order) gets, by
// n%5:
//
//	1  a password (set 400 days ago, last used 30 days ago)
//	2  a password (last used 3 days ago), a virtual MFA device and an
//	   active access key (created 200 days ago, last used 10 days ago, s3,
//	   in the partition's global region)
//	3  a hardware MFA device only
//	4  an active signing certificate (uploaded 500 days ago) and an
//	   inactive access key (created 700 days ago, never used)
//	0  nothing at all
//
// This replaces whatever Clean or the findings gave a member's root user
// (MFA, access keys, password); the management account's root user keeps
// its own. It runs after every member is made, so every other identifier
// the seed draws is the same with the option or without it. Suspended
// members get theirs too (their credentials exist; nobody can use them).
func (g *seeder) rootCredentials(members []*Account) {
	s := g.s
	for i, a := range members {
		n := i + 1
		r := &a.iam.root
		for _, k := range r.accessKeys {
			delete(s.creds, k.id)
		}
		r.accessKeys, r.certs, r.login = nil, nil, nil
		r.mfa, r.hardwareMFA = false, false
		r.passwordLastUsed = time.Time{}
		switch n % 5 {
		case 1:
			r.login = &loginProfile{created: g.ago(400)}
			r.passwordLastUsed = g.ago(30)
		case 2:
			r.login = &loginProfile{created: g.ago(300)}
			r.passwordLastUsed = g.ago(3)
			r.mfa = true
			g.rootKey(a, "Active", g.ago(200), g.ago(10))
		case 3:
			r.mfa, r.hardwareMFA = true, true
		case 4:
			r.certs = append(r.certs, &signingCert{id: s.randomID(32), body: g.certificateBody(), status: "Active", uploaded: g.ago(500)})
			g.rootKey(a, "Inactive", g.ago(700), time.Time{})
		}
	}
}

// rootKey gives a's root user an access key; an active one is usable for
// signing requests, an inactive one is not (as registerKey has it).
func (g *seeder) rootKey(a *Account, status string, created, used time.Time) {
	s := g.s
	cred := s.mint(s.rootPrincipal(a.ID))
	k := &accessKey{id: cred.accessKey, secret: cred.secret, status: status, created: created}
	if !used.IsZero() {
		k.lastUsed, k.lastUsedService, k.lastUsedRegion = used, "s3", s.GlobalRegion()
	}
	if status != "Active" {
		delete(s.creds, k.id)
	}
	a.iam.root.accessKeys = append(a.iam.root.accessKeys, k)
}

// certificateBody is a PEM-encoded body for a seeded signing certificate:
// the PEM frame around random base64 text, not a certificate anything can
// parse (nothing orgsim serves reads one; clients only list and delete
// them).
func (g *seeder) certificateBody() string {
	var b strings.Builder
	b.WriteString("-----BEGIN CERTIFICATE-----\n")
	for i := 0; i < 4; i++ {
		b.WriteString(g.s.randomString(64))
		b.WriteByte('\n')
	}
	b.WriteString("-----END CERTIFICATE-----\n")
	return b.String()
}
