package orgsim

import (
	"container/heap"
	"context"
	"sort"
	"time"
)

// AWSLike switches the behaviours in which AWS is slower, stricter or less
// consistent than a naive emulator: asynchronous operations, propagation
// delays, concurrent-modification conflicts, request checks. Each is on by
// default (DefaultAWSLike: New, `sim serve`, `demo`, `sim bench` and the
// tests all answer like AWS) and each can be turned off for a test that
// needs it off. The zero value turns every one off: every change usable at
// once, the emulator as it was before these were modelled.
//
// Every delay runs on the sim clock (Sim.Advance moves it), so a test never
// sleeps for one: the tool's own waits advance the clock instead.
type AWSLike struct {
	// PropagationDelay is how long after it was made a new IAM role, a
	// service-linked role, a bucket policy or a delegated administrator
	// registration becomes usable by the AWS services that depend on it.
	// Until then those services answer their own "not usable yet" errors:
	// Config InsufficientDeliveryPolicyException "unable to assume role"
	// right after the role was made (awslabs/aws-securityhub-multiaccount-scripts
	// issue 53); CloudTrail InsufficientS3BucketPolicyException on a fresh
	// bucket policy (hashicorp/terraform-provider-aws issue 33569); Access
	// Analyzer "is not a delegated administrator" right after
	// RegisterDelegatedAdministrator (awslabs/landing-zone-accelerator-on-aws
	// issue 922). IAM's user guide ("Changes that I make are not always
	// immediately visible") says IAM is eventually consistent and advises
	// not to put IAM changes on a critical, immediate path; it gives no
	// figure, so the default is a few seconds, shorter than AWS at its
	// slowest (the tool's bound is minutes).
	PropagationDelay time.Duration
	// PolicyTypeDelay is how long a policy type stays PENDING_ENABLE after
	// EnablePolicyType. "AWS performs [it] in the background ... first use
	// ListRoots to see the status of policy types" (Organizations API
	// reference, EnablePolicyType); until ENABLED, attaching a policy of the
	// type fails with PolicyTypeNotEnabledException.
	PolicyTypeDelay time.Duration
	// AnalyzerCreateDelay is how long a new analyzer stays CREATING before
	// it is ACTIVE (Access Analyzer API reference, AnalyzerSummary.status:
	// ACTIVE | CREATING | DISABLED | FAILED).
	AnalyzerCreateDelay time.Duration
	// CredentialReportDelay is how long a credential report is being
	// generated; meanwhile GetCredentialReport answers ReportInProgress
	// (IAM API reference, GetCredentialReport).
	CredentialReportDelay time.Duration
	// ConcurrentModification makes an Organizations write to a policy or
	// target that another write is still changing fail with
	// ConcurrentModificationException ("The target of the operation is
	// currently being modified by a different request", Organizations API
	// reference, common errors; hit by Customizations for Control Tower,
	// aws-samples/aws-control-tower-customizations issue 175).
	ConcurrentModification bool
	// MaxClockSkew refuses a SigV4 request whose X-Amz-Date is further
	// than this from the sim clock (AWS: 5 minutes, "Signature expired" /
	// S3 RequestTimeTooSkewed; SigV4 docs, "Elements of an AWS API request
	// signature"). 0 does not check.
	MaxClockSkew time.Duration
	// PayloadHash checks a signed X-Amz-Content-Sha256 against the body
	// (S3 XAmzContentSHA256Mismatch; SigV4 docs, "Create a canonical
	// request": the hashed payload).
	PayloadHash bool
	// PassRole requires iam:PassRole of the caller for the customer roles
	// handed to a service: Config's recorder and aggregator roles,
	// CloudTrail's CloudWatch Logs role (IAM user guide, "Grant a user
	// permissions to pass a role to an AWS service").
	PassRole bool
	// OptInRegions keeps the partition's opt-in regions disabled for an
	// account until enabled for it (Account Management reference guide,
	// "Enable or disable AWS Regions in your account"); a call there
	// fails as AWS answers an unknown token.
	OptInRegions bool
	// CloudTrailInputs checks what CreateTrail and UpdateTrail are given
	// as CloudTrail does: the CloudWatch Logs group ARN ends in ":*", the
	// role trusts cloudtrail.amazonaws.com, the KMS key exists and its
	// policy lets CloudTrail use it, and an organization trail needs
	// CloudTrail's service-linked role in the management account
	// (CloudTrail API reference, CreateTrail errors).
	CloudTrailInputs bool
	// BucketDenyBindsOwner makes an explicit Deny in a bucket policy bind
	// the bucket owner's own principals too (S3 user guide, "Bucket
	// policies": an explicit deny always wins; only the root user of the
	// owner keeps PutBucketPolicy/DeleteBucketPolicy/GetBucketPolicy).
	BucketDenyBindsOwner bool
	// SecureTransport sets aws:SecureTransport to true on every request,
	// as AWS sees every call of an SDK over HTTPS (orgsim itself is served
	// over plain HTTP on loopback).
	SecureTransport bool
}

// DefaultAWSLike is orgsim's default: every behaviour on, with delays of
// a few seconds of sim time.
func DefaultAWSLike() AWSLike {
	return AWSLike{
		PropagationDelay:       3 * time.Second,
		PolicyTypeDelay:        2 * time.Second,
		AnalyzerCreateDelay:    3 * time.Second,
		CredentialReportDelay:  2 * time.Second,
		ConcurrentModification: true,
		MaxClockSkew:           5 * time.Minute,
		PayloadHash:            true,
		PassRole:               true,
		OptInRegions:           true,
		CloudTrailInputs:       true,
		BucketDenyBindsOwner:   true,
		SecureTransport:        true,
	}
}

// Advance moves the sim clock forward by d: everything waiting on it
// (propagation, asynchronous operations, credential expiry, token buckets)
// sees the time move. A tool waiting for AWS in a test advances the clock
// instead of sleeping.
func (s *Sim) Advance(d time.Duration) {
	if d > 0 {
		s.offset.Add(int64(d))
	}
}

// Sleep is a sleep for a client of the sim in a test: it advances the sim
// clock by d instead of waiting, so a tool waiting for AWS to settle sees
// it settle at once. It returns ctx's error, if any.
//
// Sleeps that overlap share the time they wait, as on a real clock: a
// sleep moves the clock to at least d after it began, not d further on,
// so a hundred accounts each waiting three seconds at once move it three
// seconds, not five minutes (which would also put every request the SDK
// signs by the wall clock outside SigV4's allowed skew).
func (s *Sim) Sleep(ctx context.Context, d time.Duration) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	if d <= 0 {
		return nil
	}
	wake := s.now().Add(d)
	for {
		old := s.offset.Load()
		need := int64(wake.Sub(s.opts.Now()))
		if need <= old || s.offset.CompareAndSwap(old, need) {
			return nil
		}
	}
}

// requestClock is the clock a request's date (SigV4's X-Amz-Date) is
// checked against and responses are dated by: the sim clock without the
// time tests skipped with Sleep and Advance. Skipped time is time the
// client would have waited too, its own clock moving with it; a client
// that signs by the wall clock (every SDK) stays within SigV4's allowed
// skew however far a test has moved the sim clock. Options.Now still
// moves it: a sim whose clock is set apart from the client's sees the
// skew, as AWS does.
func (s *Sim) requestClock() time.Time { return s.opts.Now().UTC() }

// AWSLike returns the behaviours in force.
func (s *Sim) AWSLike() AWSLike { return s.like }

// The one mechanism for delays and asynchrony: whatever AWS finishes
// later (a policy type becoming ENABLED, an analyzer becoming ACTIVE, a
// role becoming usable) is scheduled as a transition at a time on the sim
// clock, and every call first applies the transitions that are due, in
// time order, under the state lock. A transition with no delay happens at
// once, so with a behaviour off nothing waits.

// settling is one scheduled transition.
type settling struct {
	at   time.Time
	seq  uint64 // ties: in scheduling order
	what string // for the admin API's list of what is settling
	fn   func()
}

type settleQueue []*settling

func (q settleQueue) Len() int { return len(q) }
func (q settleQueue) Less(i, j int) bool {
	if !q[i].at.Equal(q[j].at) {
		return q[i].at.Before(q[j].at)
	}
	return q[i].seq < q[j].seq
}
func (q settleQueue) Swap(i, j int) { q[i], q[j] = q[j], q[i] }
func (q *settleQueue) Push(x any)   { *q = append(*q, x.(*settling)) }
func (q *settleQueue) Pop() any {
	old := *q
	x := old[len(old)-1]
	*q = old[:len(old)-1]
	return x
}

// later schedules fn to run d after now (the call's sim time); d <= 0 runs
// it at once. what says, for the admin API, what is settling. Callers
// hold s.mu.
func (s *Sim) later(now time.Time, d time.Duration, what string, fn func()) {
	if d <= 0 {
		fn()
		return
	}
	s.settleSeq++
	heap.Push(&s.settle, &settling{at: now.Add(d), seq: s.settleSeq, what: what, fn: fn})
}

// settleDue runs every transition due at now, in time order. Callers hold
// s.mu.
func (s *Sim) settleDue(now time.Time) {
	for len(s.settle) > 0 && !s.settle[0].at.After(now) {
		x, ok := heap.Pop(&s.settle).(*settling)
		if ok {
			x.fn()
		}
	}
}

// Settling is one change AWS has not finished yet, as the admin API lists
// it.
type Settling struct {
	What string    `json:"what"`
	At   time.Time `json:"at"` // sim time at which it settles
}

// Settling lists what is still settling, soonest first.
func (s *Sim) Settling() []Settling {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.settleDue(s.now())
	out := make([]Settling, 0, len(s.settle))
	for _, x := range s.settle {
		out = append(out, Settling{What: x.what, At: x.at})
	}
	sort.SliceStable(out, func(i, j int) bool { return out[i].At.Before(out[j].At) })
	return out
}
