package orgsim

import (
	"math/rand/v2"
	"net/http"
	"sync"
	"sync/atomic"
	"time"
)

// Limits are the service quotas orgsim enforces. Quotas move; the defaults
// are today's AWS values (AWS-NOTES.md) and every one can be set per run.
type Limits struct {
	SCPMaxSize           int // characters, whitespace included (AWS: 10,240 since May 2026; 5,120 before)
	SCPMaxPerTarget      int // SCPs attached to one root, OU or account (AWS: 10 since May 2026; 5 before)
	PoliciesPerType      int // policies of one type in the organization (AWS: 1,000)
	OUMaxDepth           int // OU nesting under the root (AWS: 5)
	TrailsPerRegion      int // trails per account and region (AWS: 5, fixed)
	ConfigRulesPerRegion int // Config rules per account and region (AWS: 1,000)
	AnalyzersPerType     int // organization analyzers per type per account and region (AWS: 5)
}

// DefaultLimits returns today's AWS quotas.
func DefaultLimits() Limits {
	return Limits{
		SCPMaxSize:           10240,
		SCPMaxPerTarget:      10,
		PoliciesPerType:      1000,
		OUMaxDepth:           5,
		TrailsPerRegion:      5,
		ConfigRulesPerRegion: 1000,
		AnalyzersPerType:     5,
	}
}

// Options configure a Sim.
type Options struct {
	// Seed makes the generated organization and every identifier in it
	// deterministic.
	Seed int64
	// Org describes the organization to generate. The zero value is a
	// management account alone.
	Org OrgSpec
	// Limits are the quotas to enforce; zero fields take DefaultLimits.
	Limits Limits
	// Faults are injected latency, throttling and transient errors.
	Faults Faults
	// Now is the clock; nil means time.Now. Tests move it to expire
	// credentials without sleeping.
	Now func() time.Time
	// Sleep waits for injected latency; nil means a timer that honours the
	// request's context.
	Sleep func(d time.Duration, done <-chan struct{})
	// AWSLike says which of AWS's delays, asynchrony and strict checks
	// the sim models; nil means DefaultAWSLike (all of them). Pass
	// &AWSLike{} to turn them all off, or a changed DefaultAWSLike() to
	// turn one off.
	AWSLike *AWSLike
	// Partition is aws (default), aws-cn or aws-us-gov: the ARNs, regions
	// and home region the sim serves. New panics on an unknown name;
	// check it first with Partitions.
	Partition string
	// RandomCredentials draws every access key id, secret access key and
	// session token orgsim issues from crypto/rand, so that knowing Seed
	// gives nobody a usable key; every other identifier still follows
	// Seed. Off, keys follow Seed too (in-process tests rely on that).
	// sim serve sets it unless told --seeded-credentials.
	RandomCredentials bool
	// AdminToken is the bearer token the admin API (/_orgsim/) accepts
	// besides a SigV4 signature by the management credentials (admin.go);
	// "" means a random one, which AdminToken returns. The admin API
	// always requires one or the other.
	AdminToken string
}

// Sim is the emulator. It is an http.Handler; create it with New.
type Sim struct {
	mu sync.Mutex // guards everything below; see doc.go
	// recording, recorded and svcChecks: Record, Authorizations and
	// ServiceChecks (record.go).
	recording bool
	recorded  []Authorization
	svcChecks []Authorization
	opts      Options
	limits    Limits
	rng       *rand.Rand
	org       *organization
	accounts  map[string]*Account // by id
	order     []string            // account ids in creation order
	creds     map[string]*credential
	buckets   map[string]*bucket // S3 buckets by name (the namespace is global)
	mgmt      Credentials
	// adminToken is the admin API's bearer token (Options.AdminToken).
	adminToken string
	nextID     uint64
	like       AWSLike
	part       *partition

	// offset is how far Advance has moved the sim clock ahead of
	// Options.Now, in nanoseconds.
	offset atomic.Int64
	// settle holds the transitions AWS finishes later (awslike.go).
	settle    settleQueue
	settleSeq uint64

	services map[string]*service // by signing name

	faults   *faultState
	counters *Counters
}

// Account is one AWS account's state.
type Account struct {
	ID              string
	Name            string
	Email           string
	State           string // PENDING_ACTIVATION|ACTIVE|SUSPENDED|PENDING_CLOSURE|CLOSED
	JoinedMethod    string // INVITED|CREATED
	JoinedTimestamp time.Time
	ParentID        string
	Tags            map[string]string
	// optInRegions are the opt-in regions enabled for the account.
	optInRegions map[string]bool

	iam     *iamState
	regions map[string]*Region
}

// Region is one account's state in one region.
type Region struct {
	Name     string
	trails   *trailState
	config   *configState
	analyzer *analyzerState
	kms      *kmsState
}

func (a *Account) region(name string) *Region {
	r := a.regions[name]
	if r == nil {
		r = &Region{Name: name}
		a.regions[name] = r
	}
	return r
}

// New builds a simulator holding the organization opts.Org describes.
func New(opts Options) *Sim {
	if opts.Now == nil {
		opts.Now = time.Now
	}
	if opts.Sleep == nil {
		opts.Sleep = sleepCtx
	}
	like := DefaultAWSLike()
	if opts.AWSLike != nil {
		like = *opts.AWSLike
	}
	part, err := lookupPartition(opts.Partition)
	if err != nil {
		panic("orgsim: " + err.Error())
	}
	s := &Sim{
		like:     like,
		part:     part,
		opts:     opts,
		limits:   mergeLimits(opts.Limits),
		rng:      rand.New(rand.NewPCG(uint64(opts.Seed), 0x6f7267)),
		accounts: map[string]*Account{},
		creds:    map[string]*credential{},
		buckets:  map[string]*bucket{},
		counters: newCounters(),
	}
	s.adminToken = opts.AdminToken
	if s.adminToken == "" {
		s.adminToken = randomAdminToken()
	}
	s.faults = newFaultState(opts.Faults, uint64(opts.Seed), s.now)
	s.services = s.registerServices()
	s.seed(opts.Org)
	return s
}

func mergeLimits(l Limits) Limits {
	d := DefaultLimits()
	pick := func(v, def int) int {
		if v > 0 {
			return v
		}
		return def
	}
	return Limits{
		SCPMaxSize:           pick(l.SCPMaxSize, d.SCPMaxSize),
		SCPMaxPerTarget:      pick(l.SCPMaxPerTarget, d.SCPMaxPerTarget),
		PoliciesPerType:      pick(l.PoliciesPerType, d.PoliciesPerType),
		OUMaxDepth:           pick(l.OUMaxDepth, d.OUMaxDepth),
		TrailsPerRegion:      pick(l.TrailsPerRegion, d.TrailsPerRegion),
		ConfigRulesPerRegion: pick(l.ConfigRulesPerRegion, d.ConfigRulesPerRegion),
		AnalyzersPerType:     pick(l.AnalyzersPerType, d.AnalyzersPerType),
	}
}

func sleepCtx(d time.Duration, done <-chan struct{}) {
	if d <= 0 {
		return
	}
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
	case <-done:
	}
}

// now is the sim clock: Options.Now moved ahead by Advance.
func (s *Sim) now() time.Time {
	return s.opts.Now().Add(time.Duration(s.offset.Load())).UTC()
}

// Now returns the sim clock.
func (s *Sim) Now() time.Time { return s.now() }

// registerServices lists the seven services explicitly (no init registries).
func (s *Sim) registerServices() map[string]*service {
	list := []*service{
		organizationsService(),
		stsService(),
		iamService(),
		cloudtrailService(),
		configService(),
		accessAnalyzerService(),
		s3Service(),
		kmsService(),
	}
	m := make(map[string]*service, len(list))
	for _, svc := range list {
		m[svc.signingName] = svc
	}
	return m
}

// Handler returns s as an http.Handler (it is one; this reads better at call sites).
func (s *Sim) Handler() http.Handler { return s }

// ManagementAccountID returns the id of the management account.
func (s *Sim) ManagementAccountID() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.org.mgmtID
}

// ManagementCredentials returns long-lived credentials of an administrator
// in the management account (IAM user "orgsim-admin" with AdministratorAccess).
func (s *Sim) ManagementCredentials() Credentials { return s.mgmt }

// AdminToken returns the bearer token the admin API accepts
// ("Authorization: Bearer <token>"; admin.go).
func (s *Sim) AdminToken() string { return s.adminToken }

// Credentials are AWS credentials as orgsim issues them.
type Credentials struct {
	AccessKeyID     string
	SecretAccessKey string
	SessionToken    string
	Expires         time.Time // zero for long-lived keys
}

// Limits returns the quotas in force.
func (s *Sim) Limits() Limits { return s.limits }
