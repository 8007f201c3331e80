package orgsim

import (
	"fmt"
	"sort"
	"strings"
)

// Partitions: AWS's three public partitions, each with its own ARN prefix,
// regions and home region for global services. "You can't describe or
// access the Regions of one type of account from another" (AWS Regions and
// Availability Zones guide, "AWS Regions", account types); an ARN names
// its partition in its second field (IAM user guide, "IAM ARNs":
// arn:partition:service:region:account:resource).

// partition is one AWS partition as orgsim serves it.
type partition struct {
	name string // aws | aws-cn | aws-us-gov
	// globalRegion is where the global services (IAM, Organizations) are
	// served: us-east-1, cn-northwest-1, us-gov-west-1 (IAM endpoints in
	// the AWS General Reference; Organizations endpoints likewise).
	globalRegion string
	// regions maps every region of the partition to whether it is an
	// opt-in region.
	regions map[string]bool
}

// Regions of each partition. aws: "Regions launched before March 20, 2019
// are enabled by default"; the later ones are opt-in (Account Management
// reference guide, "Enable or disable AWS Regions in your account"). The
// list is the one AWS published in 2026; a region added since is unknown
// to orgsim, and answers as a region outside the partition.
var partitions = map[string]*partition{
	"aws": {name: "aws", globalRegion: "us-east-1", regions: regionSet(
		[]string{"us-east-1", "us-east-2", "us-west-1", "us-west-2", "ap-south-1", "ap-northeast-1", "ap-northeast-2",
			"ap-northeast-3", "ap-southeast-1", "ap-southeast-2", "ca-central-1", "eu-central-1", "eu-west-1",
			"eu-west-2", "eu-west-3", "eu-north-1", "sa-east-1"},
		[]string{"af-south-1", "ap-east-1", "ap-east-2", "ap-south-2", "ap-southeast-3", "ap-southeast-4", "ap-southeast-5",
			"ap-southeast-6", "ap-southeast-7", "ca-west-1", "eu-central-2", "eu-south-1", "eu-south-2", "il-central-1",
			"me-central-1", "me-south-1", "mx-central-1"})},
	// Amazon Web Services in China: Beijing and Ningxia, neither opt-in.
	// Organizations is served from Ningxia
	// (organizations.cn-northwest-1.amazonaws.com.cn, AWS General
	// Reference), the home region AWS-NOTES section 13 gives for the
	// partition's global calls.
	"aws-cn": {name: "aws-cn", globalRegion: "cn-northwest-1", regions: regionSet([]string{"cn-north-1", "cn-northwest-1"}, nil)},
	// AWS GovCloud (US): US-West and US-East, neither opt-in; IAM and
	// Organizations are served from us-gov-west-1.
	"aws-us-gov": {name: "aws-us-gov", globalRegion: "us-gov-west-1", regions: regionSet([]string{"us-gov-west-1", "us-gov-east-1"}, nil)},
}

func regionSet(enabled, optIn []string) map[string]bool {
	m := map[string]bool{}
	for _, r := range enabled {
		m[r] = false
	}
	for _, r := range optIn {
		m[r] = true
	}
	return m
}

// Partitions lists the partition names orgsim can serve.
func Partitions() []string {
	out := make([]string, 0, len(partitions))
	for n := range partitions {
		out = append(out, n)
	}
	sort.Strings(out)
	return out
}

// lookupPartition returns the named partition ("" is aws).
func lookupPartition(name string) (*partition, error) {
	if name == "" {
		name = "aws"
	}
	p := partitions[name]
	if p == nil {
		return nil, fmt.Errorf("unknown partition %q: use one of %s", name, strings.Join(Partitions(), ", "))
	}
	return p, nil
}

// Partition is the partition the sim serves: aws, aws-cn or aws-us-gov.
func (s *Sim) Partition() string { return s.part.name }

// GlobalRegion is where the partition serves its global services; the
// region a client of the sim should be configured with.
func (s *Sim) GlobalRegion() string { return s.part.globalRegion }

// Regions lists the partition's regions, sorted.
func (s *Sim) Regions() []string {
	out := make([]string, 0, len(s.part.regions))
	for r := range s.part.regions {
		out = append(out, r)
	}
	sort.Strings(out)
	return out
}

// arn builds an ARN in the sim's partition:
// arn:PARTITION:service:region:account:resource.
func (s *Sim) arn(service, region, account, resource string) string {
	return "arn:" + s.part.name + ":" + service + ":" + region + ":" + account + ":" + resource
}

// arnPrefix is "arn:PARTITION:", for patterns and prefix checks.
func (s *Sim) arnPrefix() string { return "arn:" + s.part.name + ":" }

// inPartition reports whether region is one of the partition's.
func (s *Sim) inPartition(region string) bool {
	_, ok := s.part.regions[region]
	return ok
}

// optIn reports whether region is an opt-in region of the partition.
func (s *Sim) optIn(region string) bool { return s.part.regions[region] }

// regionEnabled reports whether account may call region: a default
// region always, an opt-in region once enabled for the account (only
// when the AWS-like opt-in behaviour is on). Callers hold s.mu.
func (s *Sim) regionEnabled(a *Account, region string) bool {
	if !s.like.OptInRegions || !s.optIn(region) {
		return true
	}
	return a != nil && a.optInRegions[region]
}

// EnableRegion enables an opt-in region for an account, as the account's
// administrator does in the console or with account:EnableRegion.
func (s *Sim) EnableRegion(account, region string) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	a := s.accounts[account]
	if a == nil {
		return fmt.Errorf("no account %s", account)
	}
	if !s.inPartition(region) {
		return fmt.Errorf("region %s is not in partition %s", region, s.part.name)
	}
	if a.optInRegions == nil {
		a.optInRegions = map[string]bool{}
	}
	a.optInRegions[region] = true
	return nil
}
