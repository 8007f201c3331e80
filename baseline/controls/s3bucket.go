package controls

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"sort"
	"strings"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	s3types "github.com/aws/aws-sdk-go-v2/service/s3/types"
	"github.com/aws/smithy-go"
	smithyhttp "github.com/aws/smithy-go/transport/http"

	"github.com/orgbaseline/orgbaseline/baseline"
	"github.com/orgbaseline/orgbaseline/internal/iampolicy"
)

// This file keeps a log bucket (the organization trail's, AWS Config's):
// the bucket itself, the statements a control owns in its policy (merged,
// never replacing anyone else's), Block Public Access, versioning and
// default encryption. A control declares a LogBucket, observes it with
// ObserveBucket, plans with LogBucket.Diff, applies with ApplyBucketChange
// and reports with LogBucket.Checks.

// S3BucketAPI is the part of the S3 client the log-bucket helpers use.
type S3BucketAPI interface {
	HeadBucket(context.Context, *s3.HeadBucketInput, ...func(*s3.Options)) (*s3.HeadBucketOutput, error)
	CreateBucket(context.Context, *s3.CreateBucketInput, ...func(*s3.Options)) (*s3.CreateBucketOutput, error)
	GetBucketPolicy(context.Context, *s3.GetBucketPolicyInput, ...func(*s3.Options)) (*s3.GetBucketPolicyOutput, error)
	PutBucketPolicy(context.Context, *s3.PutBucketPolicyInput, ...func(*s3.Options)) (*s3.PutBucketPolicyOutput, error)
	GetPublicAccessBlock(context.Context, *s3.GetPublicAccessBlockInput, ...func(*s3.Options)) (*s3.GetPublicAccessBlockOutput, error)
	PutPublicAccessBlock(context.Context, *s3.PutPublicAccessBlockInput, ...func(*s3.Options)) (*s3.PutPublicAccessBlockOutput, error)
	GetBucketVersioning(context.Context, *s3.GetBucketVersioningInput, ...func(*s3.Options)) (*s3.GetBucketVersioningOutput, error)
	PutBucketVersioning(context.Context, *s3.PutBucketVersioningInput, ...func(*s3.Options)) (*s3.PutBucketVersioningOutput, error)
	GetBucketEncryption(context.Context, *s3.GetBucketEncryptionInput, ...func(*s3.Options)) (*s3.GetBucketEncryptionOutput, error)
	PutBucketEncryption(context.Context, *s3.PutBucketEncryptionInput, ...func(*s3.Options)) (*s3.PutBucketEncryptionOutput, error)
}

var _ S3BucketAPI = (*s3.Client)(nil)

// BucketActions are the IAM actions the log-bucket helpers call in the
// bucket's account (bucketCalls).
func BucketActions() []string {
	return callActions(bucketCalls(placeholderOrg().callsIn("", "bucket"), placeholderOrg(), "*", "*"))
}

// bucketCalls are the calls ObserveBucket and ApplyBucketChange make on
// the bucket called name, in region, as w's account. Each is authorized
// on the bucket (arn:PARTITION:s3:::name) by an action that is not always
// the operation's name (Service Authorization Reference, "Actions,
// resources, and condition keys for Amazon S3", and the S3 API reference
// of each operation): HeadBucket is s3:ListBucket, Get/PutPublicAccessBlock
// are s3:Get/PutBucketPublicAccessBlock, Get/PutBucketEncryption are
// s3:Get/PutEncryptionConfiguration. CreateBucket carries
// s3:LocationConstraint when it sends one (every region but us-east-1,
// ApplyBucketChange); it sends no canned ACL (s3:x-amz-acl) and no object
// ownership. HeadBucket is also made before the bucket exists, when S3
// can name no owner for the request (BeforeCreate).
func bucketCalls(w callSite, o *Org, name, region string) []Call {
	bucket := o.ARN("s3", "", "", name)
	var create Call
	if region == "us-east-1" {
		create = w.call("s3:CreateBucket", bucket, InHomeRegion)
	} else {
		create = w.call("s3:CreateBucket", bucket, InHomeRegion, "s3:locationconstraint", region)
	}
	before := w.call("s3:ListBucket", bucket, InHomeRegion)
	before.BeforeCreate = true
	out := []Call{create, before}
	for _, a := range []string{
		"s3:ListBucket",
		"s3:GetBucketPolicy", "s3:PutBucketPolicy",
		"s3:GetBucketPublicAccessBlock", "s3:PutBucketPublicAccessBlock",
		"s3:GetBucketVersioning", "s3:PutBucketVersioning",
		"s3:GetEncryptionConfiguration", "s3:PutEncryptionConfiguration",
	} {
		out = append(out, w.call(a, bucket, InHomeRegion))
	}
	return out
}

// PolicyStatement is one bucket policy statement as plain JSON values
// (what encoding/json decodes an object into). It must have a Sid: the
// Sid is how the helpers find the statement again.
type PolicyStatement map[string]any

// Sid returns the statement's Sid, or "".
func (s PolicyStatement) Sid() string {
	sid, _ := s["Sid"].(string)
	return sid
}

// LogBucket is a log bucket as a control declares it.
type LogBucket struct {
	// Control names the control whose changes these are.
	Control string
	// Name, Account (the owner's id) and Region of the bucket. Changes
	// carry Account and Region: Apply acts there.
	Name, Account, Region string
	// Statements are the bucket policy statements the control owns, each
	// with a unique Sid. They are merged into the bucket's policy: a
	// statement with the same Sid is replaced in place, a missing one is
	// appended, and every other statement is kept as it is.
	Statements []PolicyStatement
	// KMSKeyARN, when set, makes default encryption SSE-KMS with this key
	// (with an S3 Bucket Key, which cuts KMS requests); otherwise SSE-S3
	// (AES256).
	KMSKeyARN string
}

// BucketState is a bucket as observed.
type BucketState struct {
	Exists bool
	// Policy is the bucket policy as S3 returns it (minified); "" when
	// the bucket has none.
	Policy string
	// PublicAccessBlock is nil when the bucket has no configuration.
	PublicAccessBlock *PublicAccessBlock
	// Versioning is Enabled, Suspended, or "" (never enabled).
	Versioning string
	// Encryption is nil when the bucket has no default encryption
	// configuration (buckets created before 2023).
	Encryption *BucketEncryption
}

// PublicAccessBlock is a bucket's Block Public Access configuration.
type PublicAccessBlock struct {
	BlockPublicAcls       bool `json:"blockPublicAcls"`
	IgnorePublicAcls      bool `json:"ignorePublicAcls"`
	BlockPublicPolicy     bool `json:"blockPublicPolicy"`
	RestrictPublicBuckets bool `json:"restrictPublicBuckets"`
}

// BucketEncryption is a bucket's default encryption.
type BucketEncryption struct {
	SSEAlgorithm     string `json:"sseAlgorithm"`
	KMSMasterKeyID   string `json:"kmsMasterKeyId,omitempty"`
	BucketKeyEnabled bool   `json:"bucketKeyEnabled,omitempty"`
}

type bucketVersioning struct {
	Status string `json:"status"`
}

type bucketCreate struct {
	Name   string `json:"name"`
	Region string `json:"region"`
}

// versioningNeverEnabled is how a change shows a bucket whose versioning
// was never enabled (S3 reports no status at all).
const versioningNeverEnabled = "Disabled"

// Resources of the changes LogBucket.Diff plans: the bucket is
// "s3/<name>", its settings "s3/<name>/<setting>".
const (
	bucketSettingPolicy       = "policy"
	bucketSettingPublicAccess = "public-access-block"
	bucketSettingVersioning   = "versioning"
	bucketSettingEncryption   = "encryption"
)

// BucketResource is the Resource of a change to the bucket itself
// ("s3/<name>"); settings are under it ("s3/<name>/policy").
func BucketResource(name string) string { return "s3/" + name }

// IsBucketChange reports whether c was planned by LogBucket.Diff.
func IsBucketChange(c baseline.Change) bool { return strings.HasPrefix(c.Resource, "s3/") }

// ObserveBucket reads the bucket called name, as its owner (api acts in the
// owner's account, in region). A bucket that does not exist is
// Exists=false; one that exists elsewhere (another account, another region)
// is an error that says so.
func ObserveBucket(ctx context.Context, api S3BucketAPI, name, region string) (*BucketState, error) {
	st := &BucketState{}
	_, err := api.HeadBucket(ctx, &s3.HeadBucketInput{Bucket: aws.String(name)})
	if err != nil {
		var nf *s3types.NotFound
		var nsb *s3types.NoSuchBucket
		if errors.As(err, &nf) || errors.As(err, &nsb) {
			return st, nil
		}
		switch status, where := httpStatus(err); status {
		case http.StatusForbidden:
			return nil, fmt.Errorf("head bucket %s: access denied: the bucket name is taken by another AWS account, or the account may not read it; choose another bucket name: %w", name, err)
		case http.StatusMovedPermanently:
			if where == "" {
				where = "another region"
			}
			return nil, fmt.Errorf("head bucket %s: the bucket is in %s, not %s; choose another bucket name or move the bucket: %w", name, where, region, err)
		}
		return nil, fmt.Errorf("head bucket %s: %w", name, err)
	}
	st.Exists = true

	pol, err := api.GetBucketPolicy(ctx, &s3.GetBucketPolicyInput{Bucket: aws.String(name)})
	switch {
	case apiCode(err) == "NoSuchBucketPolicy":
	case err != nil:
		return nil, fmt.Errorf("get bucket policy of %s: %w", name, err)
	default:
		st.Policy = aws.ToString(pol.Policy)
	}

	pab, err := api.GetPublicAccessBlock(ctx, &s3.GetPublicAccessBlockInput{Bucket: aws.String(name)})
	switch {
	case apiCode(err) == "NoSuchPublicAccessBlockConfiguration":
	case err != nil:
		return nil, fmt.Errorf("get public access block of %s: %w", name, err)
	default:
		if c := pab.PublicAccessBlockConfiguration; c != nil {
			st.PublicAccessBlock = &PublicAccessBlock{
				BlockPublicAcls: aws.ToBool(c.BlockPublicAcls), IgnorePublicAcls: aws.ToBool(c.IgnorePublicAcls),
				BlockPublicPolicy: aws.ToBool(c.BlockPublicPolicy), RestrictPublicBuckets: aws.ToBool(c.RestrictPublicBuckets),
			}
		}
	}

	ver, err := api.GetBucketVersioning(ctx, &s3.GetBucketVersioningInput{Bucket: aws.String(name)})
	if err != nil {
		return nil, fmt.Errorf("get bucket versioning of %s: %w", name, err)
	}
	st.Versioning = string(ver.Status)

	enc, err := api.GetBucketEncryption(ctx, &s3.GetBucketEncryptionInput{Bucket: aws.String(name)})
	switch {
	case apiCode(err) == "ServerSideEncryptionConfigurationNotFoundError":
	case err != nil:
		return nil, fmt.Errorf("get bucket encryption of %s: %w", name, err)
	default:
		if c := enc.ServerSideEncryptionConfiguration; c != nil && len(c.Rules) > 0 {
			r := c.Rules[0]
			e := &BucketEncryption{BucketKeyEnabled: aws.ToBool(r.BucketKeyEnabled)}
			if d := r.ApplyServerSideEncryptionByDefault; d != nil {
				e.SSEAlgorithm, e.KMSMasterKeyID = string(d.SSEAlgorithm), aws.ToString(d.KMSMasterKeyID)
			}
			st.Encryption = e
		}
	}
	return st, nil
}

// apiCode returns the error code of an AWS API error, or "".
func apiCode(err error) string {
	var ae smithy.APIError
	if errors.As(err, &ae) {
		return ae.ErrorCode()
	}
	return ""
}

// httpStatus returns the HTTP status of a failed call and the bucket
// region S3 named in its answer, if any.
func httpStatus(err error) (int, string) {
	var re *smithyhttp.ResponseError
	if errors.As(err, &re) && re.Response != nil {
		return re.HTTPStatusCode(), re.Response.Header.Get("X-Amz-Bucket-Region")
	}
	return 0, ""
}

// wantPublicAccessBlock is every Block Public Access setting on.
var wantPublicAccessBlock = PublicAccessBlock{BlockPublicAcls: true, IgnorePublicAcls: true, BlockPublicPolicy: true, RestrictPublicBuckets: true}

func (b LogBucket) wantEncryption() BucketEncryption {
	if b.KMSKeyARN != "" {
		return BucketEncryption{SSEAlgorithm: string(s3types.ServerSideEncryptionAwsKms), KMSMasterKeyID: b.KMSKeyARN, BucketKeyEnabled: true}
	}
	return BucketEncryption{SSEAlgorithm: string(s3types.ServerSideEncryptionAes256)}
}

// encryptionOK reports whether have is the declared encryption. The
// Bucket Key setting only matters with SSE-KMS.
func (b LogBucket) encryptionOK(have *BucketEncryption) bool {
	if have == nil {
		return false
	}
	want := b.wantEncryption()
	if want.SSEAlgorithm == string(s3types.ServerSideEncryptionAes256) {
		return have.SSEAlgorithm == want.SSEAlgorithm && have.KMSMasterKeyID == ""
	}
	return *have == want
}

// Diff plans what makes the bucket as declared, in the order they must be
// applied: the bucket, its policy, Block Public Access, versioning,
// default encryption. A bucket that does not exist gets every setting
// planned (nothing is left to S3's defaults). have may be nil for a bucket
// not yet observed, which is taken as missing.
func (b LogBucket) Diff(have *BucketState) ([]baseline.Change, error) {
	if have == nil {
		have = &BucketState{}
	}
	res := BucketResource(b.Name)
	mk := func(setting string, action baseline.Action, before, after map[string]any, reason string) baseline.Change {
		r := res
		if setting != "" {
			r += "/" + setting
		}
		return baseline.Change{Control: b.Control, Account: b.Account, Region: b.Region, Resource: r,
			Action: action, Before: before, After: after, Reason: reason}
	}
	var out []baseline.Change
	if !have.Exists {
		out = append(out, mk("", baseline.ActionCreate, nil, baseline.ToMap(bucketCreate{Name: b.Name, Region: b.Region}),
			fmt.Sprintf("the bucket %s does not exist", b.Name)))
	}

	// Policy: only the statements with our Sids are compared.
	if len(b.Statements) > 0 {
		ours, others, err := splitPolicy(have.Policy, b.Statements)
		if err != nil {
			return nil, fmt.Errorf("bucket policy of %s: %w", b.Name, err)
		}
		before, after := map[string]any{}, map[string]any{}
		var differ []string
		for _, want := range b.Statements {
			sid := want.Sid()
			after[sid] = map[string]any(want)
			got, ok := ours[sid]
			if ok {
				before[sid] = map[string]any(got)
			}
			if !ok || !sameStatement(got, want) {
				differ = append(differ, sid)
			}
		}
		if len(differ) > 0 {
			action := baseline.ActionUpdate
			if have.Policy == "" {
				action, before = baseline.ActionCreate, nil
			}
			reason := fmt.Sprintf("the bucket policy lacks or differs in %s", strings.Join(differ, ", "))
			if others > 0 {
				reason += fmt.Sprintf("; its %d other statement(s) are kept", others)
			}
			out = append(out, mk(bucketSettingPolicy, action, before, after, reason))
		}
	}

	if p := have.PublicAccessBlock; p == nil || *p != wantPublicAccessBlock {
		action, before, reason := baseline.ActionCreate, map[string]any(nil), "the bucket has no Block Public Access configuration"
		if p != nil {
			action, before, reason = baseline.ActionUpdate, baseline.ToMap(*p), "Block Public Access is not fully on"
		}
		out = append(out, mk(bucketSettingPublicAccess, action, before, baseline.ToMap(wantPublicAccessBlock), reason))
	}

	if have.Versioning != string(s3types.BucketVersioningStatusEnabled) {
		after := baseline.ToMap(bucketVersioning{Status: string(s3types.BucketVersioningStatusEnabled)})
		if have.Exists {
			v := have.Versioning
			if v == "" {
				v = versioningNeverEnabled
			}
			out = append(out, mk(bucketSettingVersioning, baseline.ActionUpdate, baseline.ToMap(bucketVersioning{Status: v}), after,
				"versioning is "+strings.ToLower(v)+"; it keeps overwritten and deleted log files recoverable"))
		} else {
			out = append(out, mk(bucketSettingVersioning, baseline.ActionCreate, nil, after, "a new bucket is not versioned"))
		}
	}

	if !b.encryptionOK(have.Encryption) {
		want := b.wantEncryption()
		switch {
		case !have.Exists:
			out = append(out, mk(bucketSettingEncryption, baseline.ActionCreate, nil, baseline.ToMap(want), "default encryption of the new bucket"))
		case have.Encryption == nil:
			out = append(out, mk(bucketSettingEncryption, baseline.ActionCreate, nil, baseline.ToMap(want), "the bucket has no default encryption"))
		default:
			out = append(out, mk(bucketSettingEncryption, baseline.ActionUpdate, baseline.ToMap(*have.Encryption), baseline.ToMap(want),
				"default encryption differs from the baseline"))
		}
	}
	return out, nil
}

// BucketCheck is one compliance check of a bucket: Name is "bucketPolicy",
// "bucketPublicAccessBlocked", "bucketVersioning" or "bucketEncryption";
// a control prefixes it with its own name to make the finding's check id.
type BucketCheck struct {
	Name    string
	Title   string
	OK      bool
	Message string
}

// Checks reports whether the observed bucket is as declared, setting by
// setting. A missing bucket fails every check.
func (b LogBucket) Checks(have *BucketState) []BucketCheck {
	if have == nil || !have.Exists {
		msg := fmt.Sprintf("the bucket %s does not exist", b.Name)
		return []BucketCheck{
			{"bucketPolicy", "The log bucket's policy lets the service deliver", false, msg},
			{"bucketPublicAccessBlocked", "The log bucket blocks public access", false, msg},
			{"bucketVersioning", "The log bucket is versioned", false, msg},
			{"bucketEncryption", "The log bucket is encrypted by default", false, msg},
		}
	}
	var out []BucketCheck
	if len(b.Statements) > 0 {
		ours, _, err := splitPolicy(have.Policy, b.Statements)
		var missing []string
		for _, want := range b.Statements {
			if got, ok := ours[want.Sid()]; err != nil || !ok || !sameStatement(got, want) {
				missing = append(missing, want.Sid())
			}
		}
		msg := "the bucket policy has every statement the baseline declares"
		if len(missing) > 0 {
			msg = "the bucket policy lacks or differs in " + strings.Join(missing, ", ")
		}
		out = append(out, BucketCheck{"bucketPolicy", "The log bucket's policy lets the service deliver", len(missing) == 0, msg})
	}
	pabOK := have.PublicAccessBlock != nil && *have.PublicAccessBlock == wantPublicAccessBlock
	pabMsg := "all four Block Public Access settings are on"
	switch {
	case have.PublicAccessBlock == nil:
		pabMsg = "the bucket has no Block Public Access configuration"
	case !pabOK:
		p := *have.PublicAccessBlock
		pabMsg = fmt.Sprintf("Block Public Access is not fully on: blockPublicAcls=%t ignorePublicAcls=%t blockPublicPolicy=%t restrictPublicBuckets=%t",
			p.BlockPublicAcls, p.IgnorePublicAcls, p.BlockPublicPolicy, p.RestrictPublicBuckets)
	}
	out = append(out, BucketCheck{"bucketPublicAccessBlocked", "The log bucket blocks public access", pabOK, pabMsg})
	verOK := have.Versioning == string(s3types.BucketVersioningStatusEnabled)
	verMsg := "versioning is enabled"
	if !verOK {
		v := have.Versioning
		if v == "" {
			v = versioningNeverEnabled
		}
		verMsg = "versioning is " + strings.ToLower(v)
	}
	out = append(out, BucketCheck{"bucketVersioning", "The log bucket is versioned", verOK, verMsg})
	encOK := b.encryptionOK(have.Encryption)
	want := b.wantEncryption()
	encMsg := "default encryption is " + describeEncryption(&want)
	if !encOK {
		encMsg = fmt.Sprintf("default encryption is %s; the baseline declares %s", describeEncryption(have.Encryption), describeEncryption(&want))
	}
	out = append(out, BucketCheck{"bucketEncryption", "The log bucket is encrypted by default", encOK, encMsg})
	return out
}

func describeEncryption(e *BucketEncryption) string {
	switch {
	case e == nil || e.SSEAlgorithm == "":
		return "not configured"
	case e.KMSMasterKeyID != "":
		return e.SSEAlgorithm + " with key " + e.KMSMasterKeyID
	}
	return e.SSEAlgorithm
}

// splitPolicy returns the statements of doc whose Sids are among want's,
// by Sid, and how many other statements doc has.
func splitPolicy(doc string, want []PolicyStatement) (map[string]PolicyStatement, int, error) {
	ours := map[string]PolicyStatement{}
	if strings.TrimSpace(doc) == "" {
		return ours, 0, nil
	}
	_, stmts, err := parsePolicy(doc)
	if err != nil {
		return nil, 0, err
	}
	sids := map[string]bool{}
	for _, w := range want {
		sids[w.Sid()] = true
	}
	others := 0
	for _, raw := range stmts {
		var st PolicyStatement
		if err := json.Unmarshal(raw, &st); err != nil {
			others++
			continue
		}
		if sid := st.Sid(); sids[sid] {
			ours[sid] = st
			continue
		}
		others++
	}
	return ours, others, nil
}

// parsePolicy splits a policy document into its top-level members (kept
// as they are) and its statements (a single statement object counts as a
// list of one).
func parsePolicy(doc string) (map[string]json.RawMessage, []json.RawMessage, error) {
	var top map[string]json.RawMessage
	if err := json.Unmarshal([]byte(doc), &top); err != nil {
		return nil, nil, fmt.Errorf("the policy is not a JSON object: %w", err)
	}
	var stmts []json.RawMessage
	if raw, ok := top["Statement"]; ok {
		trimmed := bytes.TrimSpace(raw)
		if len(trimmed) > 0 && trimmed[0] == '{' {
			stmts = []json.RawMessage{raw}
		} else if err := json.Unmarshal(raw, &stmts); err != nil {
			return nil, nil, fmt.Errorf("the policy's Statement is neither an object nor a list: %w", err)
		}
	}
	return top, stmts, nil
}

// sameStatement compares two statements as IAM reads them (single strings
// and one-element lists alike, action case, list order and formatting do
// not matter).
func sameStatement(a, b PolicyStatement) bool {
	na, err1 := normalizeStatement(a)
	nb, err2 := normalizeStatement(b)
	return err1 == nil && err2 == nil && bytes.Equal(na, nb)
}

func normalizeStatement(s PolicyStatement) ([]byte, error) {
	doc, err := json.Marshal(map[string]any{"Statement": []any{map[string]any(s)}})
	if err != nil {
		return nil, err
	}
	return iampolicy.Normalize(doc)
}

// MergePolicy returns doc (a bucket policy, or "" for none) with the given
// statements merged in by Sid: a statement with the same Sid is replaced
// where it stands, a new one is appended, and every other statement and
// top-level member (Version, Id) is kept as it was. The result is
// minified; a missing Version becomes 2012-10-17.
func MergePolicy(doc string, statements []PolicyStatement) (string, error) {
	top := map[string]json.RawMessage{}
	var stmts []json.RawMessage
	if strings.TrimSpace(doc) != "" {
		var err error
		if top, stmts, err = parsePolicy(doc); err != nil {
			return "", err
		}
	}
	index := map[string]int{}
	for i, raw := range stmts {
		var st PolicyStatement
		if json.Unmarshal(raw, &st) == nil && st.Sid() != "" {
			index[st.Sid()] = i
		}
	}
	for _, s := range statements {
		if s.Sid() == "" {
			return "", errors.New("a statement to merge has no Sid")
		}
		raw, err := marshalNoEscape(map[string]any(s))
		if err != nil {
			return "", err
		}
		if i, ok := index[s.Sid()]; ok {
			stmts[i] = raw
			continue
		}
		index[s.Sid()] = len(stmts)
		stmts = append(stmts, raw)
	}
	if _, ok := top["Version"]; !ok {
		top["Version"] = json.RawMessage(`"2012-10-17"`)
	}
	// Version, Id, Statement first, as policies are usually written; any
	// other member after, sorted.
	var b bytes.Buffer
	b.WriteByte('{')
	n := 0
	write := func(k string, v json.RawMessage) {
		if n > 0 {
			b.WriteByte(',')
		}
		n++
		kb, _ := json.Marshal(k)
		b.Write(kb)
		b.WriteByte(':')
		var c bytes.Buffer
		if json.Compact(&c, v) == nil {
			b.Write(c.Bytes())
		} else {
			b.Write(v)
		}
	}
	for _, k := range []string{"Version", "Id"} {
		if v, ok := top[k]; ok {
			write(k, v)
		}
	}
	var list bytes.Buffer
	list.WriteByte('[')
	for i, raw := range stmts {
		if i > 0 {
			list.WriteByte(',')
		}
		list.Write(raw)
	}
	list.WriteByte(']')
	write("Statement", list.Bytes())
	var rest []string
	for k := range top {
		if k != "Version" && k != "Id" && k != "Statement" {
			rest = append(rest, k)
		}
	}
	sort.Strings(rest)
	for _, k := range rest {
		write(k, top[k])
	}
	b.WriteByte('}')
	return b.String(), nil
}

// marshalNoEscape is json.Marshal without HTML escaping (a policy's
// conditions may hold < > &, which should stay readable).
func marshalNoEscape(v any) (json.RawMessage, error) {
	var b bytes.Buffer
	enc := json.NewEncoder(&b)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(v); err != nil {
		return nil, err
	}
	return json.RawMessage(bytes.TrimSpace(b.Bytes())), nil
}

// ApplyBucketChange applies one change planned by LogBucket.Diff. api must
// act in the change's Account and Region. It is idempotent: creating a
// bucket the account already owns succeeds, and the policy is merged
// into the policy the bucket has now (not the one seen at plan time), so
// statements others added since are kept too.
func ApplyBucketChange(ctx context.Context, api S3BucketAPI, c baseline.Change) error {
	name, setting, _ := strings.Cut(strings.TrimPrefix(c.Resource, "s3/"), "/")
	if !IsBucketChange(c) || name == "" {
		return fmt.Errorf("%s: not a bucket change", c.Resource)
	}
	where := fmt.Sprintf("bucket %s in account %s (%s)", name, c.Account, c.Region)
	bucket := aws.String(name)
	switch setting {
	case "":
		in := &s3.CreateBucketInput{Bucket: bucket}
		if c.Region != "" && c.Region != "us-east-1" {
			in.CreateBucketConfiguration = &s3types.CreateBucketConfiguration{LocationConstraint: s3types.BucketLocationConstraint(c.Region)}
		}
		_, err := api.CreateBucket(ctx, in)
		var owned *s3types.BucketAlreadyOwnedByYou
		var taken *s3types.BucketAlreadyExists
		switch {
		case err == nil, errors.As(err, &owned):
			return nil
		case errors.As(err, &taken):
			return fmt.Errorf("create %s: the name is taken by another AWS account; choose another bucket name: %w", where, err)
		}
		return fmt.Errorf("create %s: %w", where, err)
	case bucketSettingPolicy:
		var statements []PolicyStatement
		sids := make([]string, 0, len(c.After))
		for sid := range c.After {
			sids = append(sids, sid)
		}
		sort.Strings(sids)
		for _, sid := range sids {
			m, ok := c.After[sid].(map[string]any)
			if !ok {
				return fmt.Errorf("%s: statement %s is not an object", c.Resource, sid)
			}
			statements = append(statements, PolicyStatement(m))
		}
		cur := ""
		out, err := api.GetBucketPolicy(ctx, &s3.GetBucketPolicyInput{Bucket: bucket})
		switch {
		case apiCode(err) == "NoSuchBucketPolicy":
		case err != nil:
			return fmt.Errorf("get the policy of %s to merge into: %w", where, err)
		default:
			cur = aws.ToString(out.Policy)
		}
		doc, err := MergePolicy(cur, statements)
		if err != nil {
			return fmt.Errorf("merge the policy of %s: %w", where, err)
		}
		if _, err := api.PutBucketPolicy(ctx, &s3.PutBucketPolicyInput{Bucket: bucket, Policy: aws.String(doc)}); err != nil {
			return fmt.Errorf("put the policy of %s: %w", where, err)
		}
		return nil
	case bucketSettingPublicAccess:
		var p PublicAccessBlock
		if err := c.DecodeAfter(&p); err != nil {
			return err
		}
		_, err := api.PutPublicAccessBlock(ctx, &s3.PutPublicAccessBlockInput{Bucket: bucket,
			PublicAccessBlockConfiguration: &s3types.PublicAccessBlockConfiguration{
				BlockPublicAcls: aws.Bool(p.BlockPublicAcls), IgnorePublicAcls: aws.Bool(p.IgnorePublicAcls),
				BlockPublicPolicy: aws.Bool(p.BlockPublicPolicy), RestrictPublicBuckets: aws.Bool(p.RestrictPublicBuckets),
			}})
		if err != nil {
			return fmt.Errorf("put the public access block of %s: %w", where, err)
		}
		return nil
	case bucketSettingVersioning:
		var v bucketVersioning
		if err := c.DecodeAfter(&v); err != nil {
			return err
		}
		_, err := api.PutBucketVersioning(ctx, &s3.PutBucketVersioningInput{Bucket: bucket,
			VersioningConfiguration: &s3types.VersioningConfiguration{Status: s3types.BucketVersioningStatus(v.Status)}})
		if err != nil {
			return fmt.Errorf("put the versioning of %s: %w", where, err)
		}
		return nil
	case bucketSettingEncryption:
		var e BucketEncryption
		if err := c.DecodeAfter(&e); err != nil {
			return err
		}
		def := &s3types.ServerSideEncryptionByDefault{SSEAlgorithm: s3types.ServerSideEncryption(e.SSEAlgorithm)}
		if e.KMSMasterKeyID != "" {
			def.KMSMasterKeyID = aws.String(e.KMSMasterKeyID)
		}
		rule := s3types.ServerSideEncryptionRule{ApplyServerSideEncryptionByDefault: def}
		if e.BucketKeyEnabled {
			rule.BucketKeyEnabled = aws.Bool(true)
		}
		_, err := api.PutBucketEncryption(ctx, &s3.PutBucketEncryptionInput{Bucket: bucket,
			ServerSideEncryptionConfiguration: &s3types.ServerSideEncryptionConfiguration{Rules: []s3types.ServerSideEncryptionRule{rule}}})
		if err != nil {
			return fmt.Errorf("put the default encryption of %s: %w", where, err)
		}
		return nil
	}
	return fmt.Errorf("%s: unknown bucket setting %q", c.Resource, setting)
}
