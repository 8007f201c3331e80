package orgsim

import (
	"fmt"
	"sort"
	"strings"
	"time"

	"github.com/orgbaseline/orgbaseline/internal/iampolicy"
)

// OrgSpec describes the organization New generates. The same spec and seed
// always give the same organization, identifiers included (timestamps of IAM
// credentials are relative to the sim clock at seed time, see below).
//
// # Layout
//
// The management account ("Management", aws-management@example.com,
// JoinedMethod INVITED) sits directly under the root. With Members > 0 the
// OU tree is, in creation order:
//
//	/Security
//	/Workloads
//	/Workloads/Prod
//	/Workloads/Dev
//	/Workloads/Team01 ... /Workloads/TeamNN   (ExtraOUs of them)
//	/Sandbox
//
// Member accounts are numbered i = 1..Members in creation order (the order of
// Accounts() after the management account):
//
//   - i = 1 "Log Archive" and i = 2 "Audit", in /Security, tags
//     env=security, owner=team-security.
//   - i >= 3 are workload accounts, w = i-2 = 1, 2, ...; they go round-robin
//     over [Prod, Dev, Sandbox, Team01, Team02, ...] and are named after
//     their OU and w: "prod-001", "dev-002", "sandbox-003", "team01-004",
//     "prod-005" (with ExtraOUs = 0: "prod-001", "dev-002", "sandbox-003",
//     "prod-004", ...). Tags: env=prod|dev|sandbox (Team OUs: env=dev);
//     owner=team-a|team-b|team-c|team-d rotating with w (Team OUs:
//     owner=team-NN after the OU's number).
//   - Email aws+<name in lower case, spaces as dashes>@example.com, e.g.
//     aws+log-archive@example.com, aws+prod-001@example.com.
//   - Ids are 12 random digits, unique; JoinedMethod CREATED, joined
//     2024-02-01 09:30 UTC plus i days.
//   - Suspended: the last Suspended workload accounts (highest i) are
//     SUSPENDED. MissingRole: the last MissingRole workload accounts that
//     are not suspended lack the execution role. Both are clamped to the
//     number of workload accounts.
//
// Every member except the MissingRole ones has the execution role
// (ExecutionRole, default OrganizationAccountAccessRole): path "/", trust
// policy allowing arn:<partition>:iam::<management>:root sts:AssumeRole,
// AdministratorAccess attached, maximum session 3600 s.
//
// The SERVICE_CONTROL_POLICY type is not enabled (as for an organization
// created through the API): no SCP is attached anywhere until
// EnablePolicyType attaches FullAWSAccess everywhere. No trusted access and
// no delegated administrators are set up; CloudTrail, Config and Access
// Analyzer state is empty (trails belong to cloudtrail.go).
//
// # IAM contents
//
// The management account always has the IAM user orgsim-admin
// (AdministratorAccess attached, one active access key: the credentials of
// ManagementCredentials), the role AWSSupportRole (trusting its own account,
// AWSSupportAccess attached) and a root user with hardware MFA, no access
// keys and a password last used 95 days ago.
//
// With Clean set, every member has AWSSupportRole as well, its root user has
// hardware MFA, no access keys and no recorded sign-in, and there are no IAM
// users, groups, customer managed policies, password policies or other
// roles: only the baseline's own settings differ from a good state.
//
// Without Clean, member i gets (ages are before the sim clock at seed time):
//
// Root user:
//   - MFA unless i%3 == 0 (i = 3, 6, 9, ... have none); hardware MFA when
//     i%6 == 1.
//   - One active root access key when i%5 == 4 (i = 4, 9, 14, ...):
//     created 400 days ago, last used 12 days ago (s3, in the partition's
//     global region: us-east-1 in aws).
//   - Password last used 2 days ago when i%4 == 2 (recent root use), never
//     when i%4 == 0, else 150 days ago.
//
// With RootCredentials set (Clean or not), the members' root users get
// instead the credentials of seed_root.go: by i%5, a password; a password,
// a virtual MFA device and an active access key; a hardware MFA device; a
// signing certificate and an inactive access key; nothing.
//
// Password policy: when i%4 == 3, a weak one (length 8, upper, lower and
// numbers required, no symbols, users may change, no expiry, no reuse
// prevention); none elsewhere.
//
// CloudTrail: when i%5 == 2 (2, 7, 12, ...), a pre-existing single-account,
// multi-region trail "account-trail" homed in the partition's global
// region and logging to the account's own bucket
// "legacy-cloudtrail-<account id>" (created 300 days ago, with S3's
// default encryption and public access block).
//
// Every ARN is in the sim's partition (Options.Partition): the roles
// trust arn:<partition>:iam::..., and AWS managed policies are
// arn:<partition>:iam::aws:policy/....
//
// Roles besides the execution role:
//   - AWSSupportRole (trusts its own account, AWSSupportAccess) when i is
//     odd; even members have no support role.
//   - VendorAuditRole when i%4 == 2: trusts arn:<partition>:iam::444455556666:root
//     with StringEquals sts:ExternalId "vendor-<16 random characters>",
//     SecurityAudit attached.
//   - PartnerDeployRole when i%4 == 3: trusts arn:<partition>:iam::444455556666:root
//     with no condition (no ExternalId), PowerUserAccess attached.
//   - OpenTrustRole in exactly one account (i = 3, or the last member when
//     Members < 3): trusts {"AWS":"*"} for sts:AssumeRole, ReadOnlyAccess.
//
// IAM users, by i%4 (every user has path "/"; keys are active and usable
// credentials, console users have a login profile):
//   - i%4 == 1 (1, 5, 9, ...): group Developers (ReadOnlyAccess attached);
//     "alice": console, virtual MFA, password used 1 day ago, member of
//     Developers; "bob": console without MFA, password used 20 days ago,
//     ReadOnlyAccess attached directly; "ci-deploy": no console, one key
//     created 200 days ago and used 1 day ago, inline policy "deploy".
//   - i%4 == 2 (2, 6, 10, ...): "carol": console with virtual MFA, password
//     used 3 days ago, and one key created 30 days ago, used 3 days ago;
//     "svc-backup": two active keys, created 120 and 15 days ago, both used
//     1 day ago; "dave": one key created 60 days ago, never used.
//   - i%4 == 3 (3, 7, 11, ...): customer managed policy BroadAccess
//     (Allow "*" on "*"); "erin-admin": console without MFA, password used
//     70 days ago, AdministratorAccess attached; "frank": one key created
//     10 days ago, used 2 days ago, BroadAccess attached.
//   - i%4 == 0 (4, 8, 12, ...): group Admins (AdministratorAccess attached);
//     "grace": console with virtual MFA, password used 5 days ago, member of
//     Admins, inline policy "extra-s3"; "heidi": one key created 95 days
//     ago, last used 50 days ago.
type OrgSpec struct {
	// Members is the number of member accounts besides the management
	// account. The first two are "Log Archive" and "Audit" in /Security.
	Members int
	// ExtraOUs adds that many OUs under /Workloads besides Prod and Dev.
	ExtraOUs int
	// Suspended members (SUSPENDED state), taken from the workload accounts.
	Suspended int
	// MissingRole members whose execution role does not exist.
	MissingRole int
	// ExecutionRole is the role in every member that trusts the management
	// account; default OrganizationAccountAccessRole.
	ExecutionRole string
	// Clean seeds no IAM findings (no users, no weak password policies, no
	// pre-existing trails): an organization where only the baseline's own
	// settings differ.
	Clean bool
	// RootCredentials gives the members' root users the credentials of
	// seed_root.go (rootCredentials): a password, access keys, signing
	// certificates and MFA devices in a fixed mix, some members with none,
	// for centralized root access (sts:AssumeRoot) to audit and delete.
	// It replaces what Clean or the findings gave the members' root users
	// and changes nothing else; off, the seed is as without it.
	RootCredentials bool
	// FeatureSet is the organization's feature set: "" or ALL, or
	// CONSOLIDATED_BILLING for a billing-only organization, which refuses
	// policies, trusted access and delegated administrators as AWS does
	// (Organizations user guide, "Enabling all features for an
	// organization"). New panics on any other value.
	FeatureSet string
}

// DefaultExecutionRole is the role AWS creates in accounts it creates for
// an organization.
const DefaultExecutionRole = "OrganizationAccountAccessRole"

// ExternalPartnerAccount is the account outside the organization that the
// seeded cross-account roles (VendorAuditRole, PartnerDeployRole) trust.
const ExternalPartnerAccount = "444455556666"

const fullAWSAccessID = "p-FullAWSAccess"

// seed builds the organization. It runs once, from New, before the
// handler serves anything.
func (s *Sim) seed(spec OrgSpec) {
	created := time.Date(2024, 1, 15, 9, 30, 0, 0, time.UTC)
	mgmt := "1" + s.digits(11)
	features := spec.FeatureSet
	switch features {
	case "":
		features = "ALL"
	case "ALL", "CONSOLIDATED_BILLING":
	default:
		panic(fmt.Sprintf("orgsim: OrgSpec.FeatureSet %q: use ALL or CONSOLIDATED_BILLING", spec.FeatureSet))
	}
	s.org = &organization{
		id:              "o-" + s.lowerID(10),
		featureSet:      features,
		mgmtID:          mgmt,
		mgmtEmail:       "aws-management@example.com",
		ous:             map[string]*orgOU{},
		policies:        map[string]*orgPolicy{},
		attachments:     map[string][]string{},
		serviceAccess:   map[string]time.Time{},
		delegatedAdmins: map[string][]*delegatedAdmin{},
	}
	s.org.arn = s.orgARN("organization/" + s.org.id)
	rootID := "r-" + s.lowerID(4)
	s.org.root = &orgRoot{
		id: rootID, name: "Root",
		arn:         s.orgRootARN(rootID),
		policyTypes: map[string]string{},
		tags:        map[string]string{},
	}
	full := &orgPolicy{
		id: fullAWSAccessID, name: "FullAWSAccess",
		arn:         s.arn("organizations", "", "aws", "policy/service_control_policy/"+fullAWSAccessID),
		description: "Allows access to every operation",
		typ:         "SERVICE_CONTROL_POLICY", awsManaged: true,
		content: fullAWSAccessContent,
		parsed:  iampolicy.MustParse(fullAWSAccessContent, iampolicy.KindSCP),
	}
	s.org.policies[full.id] = full
	s.org.polOrder = append(s.org.polOrder, full.id)
	s.seedRCPFullAWSAccess()

	s.addAccount(&Account{ID: mgmt, Name: "Management", Email: s.org.mgmtEmail, State: "ACTIVE", JoinedMethod: "INVITED", JoinedTimestamp: created, ParentID: rootID})
	admin := &iamUser{
		name: "orgsim-admin", path: "/", id: "AIDA" + s.randomID(17), created: created,
		attached: []string{s.AWSManagedPolicyARN("AdministratorAccess")},
		inline:   map[string]*policyDoc{},
		tags:     map[string]string{},
	}
	admin.arn = s.arn("iam", "", mgmt, "user/"+admin.name)
	s.accounts[mgmt].iam.users[admin.name] = admin
	cred := s.mint(&principal{kind: principalUser, account: mgmt, arn: admin.arn, userID: admin.id, userName: admin.name})
	admin.accessKeys = append(admin.accessKeys, &accessKey{id: cred.accessKey, secret: cred.secret, status: "Active", created: created})
	s.mgmt = Credentials{AccessKeyID: cred.accessKey, SecretAccessKey: cred.secret}

	if spec.ExecutionRole == "" {
		spec.ExecutionRole = DefaultExecutionRole
	}
	g := &seeder{s: s, spec: spec, now: s.now().Truncate(time.Second)}
	g.management()
	g.members()
}

const fullAWSAccessContent = `{
  "Version": "2012-10-17",
  "Statement": [
    {
      "Effect": "Allow",
      "Action": "*",
      "Resource": "*"
    }
  ]
}`

// addAccount registers a in the organization with empty IAM state and, when
// SCPs are enabled, FullAWSAccess attached, as AWS does for every new
// account. Callers hold s.mu (or run before serving).
func (s *Sim) addAccount(a *Account) {
	if a.Tags == nil {
		a.Tags = map[string]string{}
	}
	a.iam = newIAMState()
	a.iam.awsPolicies = managedPolicies[s.part.name]
	a.iam.root.created = a.JoinedTimestamp
	a.regions = map[string]*Region{}
	s.accounts[a.ID] = a
	s.order = append(s.order, a.ID)
	if s.org.root.policyTypes["SERVICE_CONTROL_POLICY"] == "ENABLED" {
		s.org.attachments[a.ID] = []string{fullAWSAccessID}
	}
}

// addOU creates an OU under parent (the root or another OU). Its id carries
// the root's id, as AWS's do: ou-<root suffix>-<8 characters>.
func (s *Sim) addOU(name, parent string) *orgOU {
	prefix := "ou-" + strings.TrimPrefix(s.org.root.id, "r-") + "-"
	id := prefix + s.lowerID(8)
	for s.org.ous[id] != nil {
		id = prefix + s.lowerID(8)
	}
	ou := &orgOU{id: id, arn: s.orgOUARN(id), name: name, parentID: parent, tags: map[string]string{}}
	s.org.ous[id] = ou
	s.org.ouOrder = append(s.org.ouOrder, id)
	if s.org.root.policyTypes["SERVICE_CONTROL_POLICY"] == "ENABLED" {
		s.org.attachments[id] = []string{fullAWSAccessID}
	}
	return ou
}

// seeder generates the accounts and IAM contents OrgSpec documents. Every
// random draw comes from s.rng in a fixed order.
type seeder struct {
	s    *Sim
	spec OrgSpec
	now  time.Time
}

func (g *seeder) ago(days int) time.Time { return g.now.Add(-time.Duration(days) * 24 * time.Hour) }

func (g *seeder) management() {
	a := g.s.accounts[g.s.org.mgmtID]
	a.iam.root.mfa, a.iam.root.hardwareMFA = true, true
	a.iam.root.passwordLastUsed = g.ago(95)
	a.iam.root.login = &loginProfile{created: a.iam.root.created}
	g.supportRole(a)
}

// memberPlan is one member account before it is created.
type memberPlan struct {
	name, parent, env, owner string
	workload                 bool
}

func (g *seeder) members() {
	s, spec := g.s, g.spec
	if spec.Members <= 0 {
		return
	}
	root := s.org.root.id
	security := s.addOU("Security", root)
	workloads := s.addOU("Workloads", root)
	prod := s.addOU("Prod", workloads.id)
	dev := s.addOU("Dev", workloads.id)
	teams := make([]*orgOU, 0, spec.ExtraOUs)
	for t := 1; t <= spec.ExtraOUs; t++ {
		teams = append(teams, s.addOU(fmt.Sprintf("Team%02d", t), workloads.id))
	}
	sandbox := s.addOU("Sandbox", root)

	type bucket struct {
		ou         *orgOU
		env, owner string // owner "" rotates team-a..team-d
	}
	buckets := []bucket{{prod, "prod", ""}, {dev, "dev", ""}, {sandbox, "sandbox", ""}}
	for t, ou := range teams {
		buckets = append(buckets, bucket{ou, "dev", fmt.Sprintf("team-%02d", t+1)})
	}
	plans := make([]memberPlan, 0, spec.Members)
	for i := 1; i <= spec.Members; i++ {
		switch i {
		case 1:
			plans = append(plans, memberPlan{"Log Archive", security.id, "security", "team-security", false})
		case 2:
			plans = append(plans, memberPlan{"Audit", security.id, "security", "team-security", false})
		default:
			w := i - 2
			b := buckets[(w-1)%len(buckets)]
			owner := b.owner
			if owner == "" {
				owner = "team-" + string(rune('a'+(w-1)%4))
			}
			plans = append(plans, memberPlan{fmt.Sprintf("%s-%03d", strings.ToLower(b.ou.name), w), b.ou.id, b.env, owner, true})
		}
	}

	// Suspended: the last workload accounts; MissingRole: the last active
	// workload accounts before them.
	nWorkload := spec.Members - 2
	if nWorkload < 0 {
		nWorkload = 0
	}
	suspended := clamp(spec.Suspended, 0, nWorkload)
	missing := clamp(spec.MissingRole, 0, nWorkload-suspended)
	isSuspended := func(i int) bool { return i > spec.Members-suspended }
	isMissing := func(i int) bool { return !isSuspended(i) && i > spec.Members-suspended-missing && plans[i-1].workload }

	joined := time.Date(2024, 2, 1, 9, 30, 0, 0, time.UTC)
	members := make([]*Account, 0, len(plans))
	for i, p := range plans {
		n := i + 1
		state := "ACTIVE"
		if isSuspended(n) {
			state = "SUSPENDED"
		}
		a := &Account{
			ID: g.accountID(), Name: p.name, Email: "aws+" + strings.ReplaceAll(strings.ToLower(p.name), " ", "-") + "@example.com",
			State: state, JoinedMethod: "CREATED", JoinedTimestamp: joined.Add(time.Duration(n) * 24 * time.Hour),
			ParentID: p.parent, Tags: map[string]string{"env": p.env, "owner": p.owner},
		}
		s.addAccount(a)
		members = append(members, a)
		if !isMissing(n) {
			g.executionRole(a)
		}
		if spec.Clean {
			g.cleanMember(a)
		} else {
			g.findings(a, n)
		}
	}
	if spec.RootCredentials {
		// After every member, so that the option changes nothing else the
		// seed draws (seed_root.go).
		g.rootCredentials(members)
	}
}

func clamp(v, lo, hi int) int {
	if v < lo {
		return lo
	}
	if v > hi {
		return hi
	}
	return v
}

// accountID draws a 12-digit id no account has yet.
func (g *seeder) accountID() string {
	for {
		id := g.s.digits(12)
		if g.s.accounts[id] == nil && id != ExternalPartnerAccount {
			return id
		}
	}
}

func (g *seeder) doc(text string, kind iampolicy.Kind) *policyDoc {
	return &policyDoc{text: text, parsed: iampolicy.MustParse(text, kind)}
}

func trustDoc(principal, condition string) string {
	stmt := `{"Effect":"Allow","Principal":` + principal + `,"Action":"sts:AssumeRole"`
	if condition != "" {
		stmt += `,"Condition":` + condition
	}
	return `{"Version":"2012-10-17","Statement":[` + stmt + `}]}`
}

func (g *seeder) role(a *Account, name, trust string, created time.Time, maxSession int, attached ...string) *iamRole {
	r := &iamRole{
		name: name, path: "/", id: "AROA" + g.s.randomID(17),
		arn: g.s.arn("iam", "", a.ID, "role/"+name), created: created,
		trust: g.doc(trust, iampolicy.KindTrust), maxSession: maxSession,
		attached: attached, inline: map[string]*policyDoc{}, tags: map[string]string{},
	}
	a.iam.roles[name] = r
	return r
}

func (g *seeder) executionRole(a *Account) {
	g.role(a, g.spec.ExecutionRole, trustDoc(`{"AWS":"`+g.s.arn("iam", "", g.s.org.mgmtID, "root")+`"}`, ""),
		a.JoinedTimestamp, 3600, g.s.AWSManagedPolicyARN("AdministratorAccess"))
}

func (g *seeder) supportRole(a *Account) {
	g.role(a, "AWSSupportRole", trustDoc(`{"AWS":"`+g.s.arn("iam", "", a.ID, "root")+`"}`, ""),
		g.ago(300), 3600, g.s.AWSManagedPolicyARN("AWSSupportAccess"))
}

func (g *seeder) cleanMember(a *Account) {
	a.iam.root.mfa, a.iam.root.hardwareMFA = true, true
	g.supportRole(a)
}

// userSpec is one seeded IAM user.
type userSpec struct {
	name        string
	createdDays int
	console     int // password last used, days ago; -1: no console password
	mfa         bool
	keys        [][2]int // {created days ago, last used days ago (-1 never)}
	attached    []string
	inline      map[string]string
	groups      []string
}

func (g *seeder) user(a *Account, u userSpec) *iamUser {
	s := g.s
	usr := &iamUser{
		name: u.name, path: "/", id: "AIDA" + s.randomID(17),
		arn: s.arn("iam", "", a.ID, "user/"+u.name), created: g.ago(u.createdDays),
		attached: u.attached, inline: map[string]*policyDoc{}, groups: u.groups, tags: map[string]string{},
	}
	if u.console >= 0 {
		usr.login = &loginProfile{created: g.ago(u.createdDays - 1)}
		usr.passwordLastUsed = g.ago(u.console)
	}
	if u.mfa {
		usr.mfa = append(usr.mfa, &mfaDevice{serial: s.arn("iam", "", a.ID, "mfa/"+u.name), enabled: g.ago(u.createdDays - 2), virtual: true})
	}
	for _, k := range u.keys {
		cred := s.mint(&principal{kind: principalUser, account: a.ID, arn: usr.arn, userID: usr.id, userName: usr.name})
		key := &accessKey{id: cred.accessKey, secret: cred.secret, status: "Active", created: g.ago(k[0])}
		if k[1] >= 0 {
			key.lastUsed, key.lastUsedService, key.lastUsedRegion = g.ago(k[1]), "s3", s.GlobalRegion()
		}
		usr.accessKeys = append(usr.accessKeys, key)
	}
	// Inline policies in a fixed order of names, for determinism.
	for _, name := range sortedKeys(u.inline) {
		usr.inline[name] = g.doc(u.inline[name], iampolicy.KindIdentity)
	}
	a.iam.users[u.name] = usr
	return usr
}

func sortedKeys(m map[string]string) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}

func (g *seeder) group(a *Account, name string, attached ...string) {
	a.iam.groups[name] = &iamGroup{
		name: name, path: "/", id: "AGPA" + g.s.randomID(17),
		arn: g.s.arn("iam", "", a.ID, "group/"+name), created: g.ago(400),
		attached: attached, inline: map[string]*policyDoc{},
	}
}

func (g *seeder) customerPolicy(a *Account, name, text string) string {
	arn := g.s.arn("iam", "", a.ID, "policy/"+name)
	created := g.ago(365)
	a.iam.policies[arn] = &iamManagedPolicy{
		name: name, path: "/", id: "ANPA" + g.s.randomID(17), arn: arn,
		description: "Seeded by orgsim", created: created, updated: created, defaultVersion: "v1",
		versions: []*policyVersion{{id: "v1", doc: g.doc(text, iampolicy.KindIdentity), created: created}},
	}
	return arn
}

const (
	seedDeployPolicy = `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":["s3:PutObject","s3:GetObject","cloudformation:*"],"Resource":"*"}]}`
	seedBroadPolicy  = `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"*","Resource":"*"}]}`
)

// seedExtraS3Policy allows every S3 action on every bucket of the
// partition.
func seedExtraS3Policy(partition string) string {
	return `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"s3:*","Resource":["arn:` + partition + `:s3:::*"]}]}`
}

// findings seeds member n (1-based) as the OrgSpec documentation says.
func (g *seeder) findings(a *Account, n int) {
	s, st := g.s, a.iam
	managed := s.AWSManagedPolicyARN

	// Root user.
	st.root.mfa = n%3 != 0
	st.root.hardwareMFA = n%6 == 1
	if n%5 == 4 {
		cred := s.mint(s.rootPrincipal(a.ID))
		st.root.accessKeys = append(st.root.accessKeys, &accessKey{
			id: cred.accessKey, secret: cred.secret, status: "Active", created: g.ago(400),
			lastUsed: g.ago(12), lastUsedService: "s3", lastUsedRegion: s.GlobalRegion(),
		})
	}
	switch n % 4 {
	case 2:
		st.root.passwordLastUsed = g.ago(2)
	case 0:
	default:
		st.root.passwordLastUsed = g.ago(150)
	}
	if !st.root.passwordLastUsed.IsZero() {
		// A password was used, so the root user has one.
		st.root.login = &loginProfile{created: st.root.created}
	}

	// Password policy.
	if n%4 == 3 {
		st.passwordPolicy = &passwordPolicy{
			MinimumPasswordLength: 8, RequireUppercaseCharacters: true, RequireLowercaseCharacters: true,
			RequireNumbers: true, AllowUsersToChangePassword: true,
		}
	}

	// A single-account trail from before the organization trail, logging
	// to the account's own bucket.
	if n%5 == 2 {
		name := "legacy-cloudtrail-" + a.ID
		s.buckets[name] = &bucket{
			name: name, owner: a.ID, region: s.GlobalRegion(), created: g.ago(300),
			publicAccessBlock: &publicAccessBlock{BlockPublicAcls: true, IgnorePublicAcls: true, BlockPublicPolicy: true, RestrictPublicBuckets: true},
			encryption:        &bucketEncryption{Algorithm: "AES256"},
			tags:              map[string]string{},
		}
		s.seedTrail(a.ID, s.GlobalRegion(), "account-trail", name)
	}

	// Roles.
	if n%2 == 1 {
		g.supportRole(a)
	}
	partner := `{"AWS":"` + s.arn("iam", "", ExternalPartnerAccount, "root") + `"}`
	switch n % 4 {
	case 2:
		ext := "vendor-" + s.lowerID(16)
		g.role(a, "VendorAuditRole", trustDoc(partner, `{"StringEquals":{"sts:ExternalId":"`+ext+`"}}`),
			g.ago(500), 3600, managed("SecurityAudit"))
	case 3:
		g.role(a, "PartnerDeployRole", trustDoc(partner, ""), g.ago(450), 3600, managed("PowerUserAccess"))
	}
	if n == 3 || (g.spec.Members < 3 && n == g.spec.Members) {
		g.role(a, "OpenTrustRole", trustDoc(`{"AWS":"*"}`, ""), g.ago(700), 3600, managed("ReadOnlyAccess"))
	}

	// Users.
	switch n % 4 {
	case 1:
		g.group(a, "Developers", managed("ReadOnlyAccess"))
		g.user(a, userSpec{name: "alice", createdDays: 320, console: 1, mfa: true, groups: []string{"Developers"}})
		g.user(a, userSpec{name: "bob", createdDays: 260, console: 20, attached: []string{managed("ReadOnlyAccess")}})
		g.user(a, userSpec{name: "ci-deploy", createdDays: 230, console: -1, keys: [][2]int{{200, 1}},
			inline: map[string]string{"deploy": seedDeployPolicy}})
	case 2:
		g.user(a, userSpec{name: "carol", createdDays: 180, console: 3, mfa: true, keys: [][2]int{{30, 3}}})
		g.user(a, userSpec{name: "svc-backup", createdDays: 400, console: -1, keys: [][2]int{{120, 1}, {15, 1}}})
		g.user(a, userSpec{name: "dave", createdDays: 90, console: -1, keys: [][2]int{{60, -1}}})
	case 3:
		broad := g.customerPolicy(a, "BroadAccess", seedBroadPolicy)
		g.user(a, userSpec{name: "erin-admin", createdDays: 500, console: 70, attached: []string{managed("AdministratorAccess")}})
		g.user(a, userSpec{name: "frank", createdDays: 40, console: -1, keys: [][2]int{{10, 2}}, attached: []string{broad}})
	case 0:
		g.group(a, "Admins", managed("AdministratorAccess"))
		g.user(a, userSpec{name: "grace", createdDays: 365, console: 5, mfa: true, groups: []string{"Admins"},
			inline: map[string]string{"extra-s3": seedExtraS3Policy(s.Partition())}})
		g.user(a, userSpec{name: "heidi", createdDays: 200, console: -1, keys: [][2]int{{95, 50}}})
	}
}
