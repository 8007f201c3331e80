package orgsim

import (
	"regexp"
	"slices"
	"sort"
	"strings"
	"time"

	"github.com/orgbaseline/orgbaseline/internal/iampolicy"
)

// AWS KMS (awsJson1_1, target prefix TrentService, regional), as far as
// the services orgsim serves need it: customer managed symmetric or
// asymmetric keys per account and region, each with its key policy, and
// aliases. CloudTrail checks that a trail's key exists and that its key
// policy lets cloudtrail.amazonaws.com use it (cloudtrail.go).
//
// Served: CreateKey, DescribeKey, GetKeyPolicy, PutKeyPolicy,
// ListKeyPolicies, ListKeys, CreateAlias, DeleteAlias, ListAliases.
// Not served (an unknown operation, as AWS answers one): cryptographic
// operations, grants, key rotation, disabling and deleting keys, tags
// beyond CreateKey, multi-Region replicas, custom key stores. AWS managed
// keys (aws/s3, ...) and their aliases are not listed.
//
// Authorization (AWS KMS developer guide, "Key policies in AWS KMS": "Unless
// the key policy explicitly allows it, you cannot use IAM policies to
// allow access to a KMS key"): a call on a key needs the key policy to
// allow the caller (the default key policy allows the key's account,
// which delegates to IAM) and, as for every call, the caller's SCPs and
// IAM policies to allow it. orgsim is stricter than AWS in one case: a key
// policy that names a principal of the key's own account directly lets it
// in on AWS without an IAM policy; orgsim also asks for the IAM policy.

// kmsState is one account's keys and aliases in one region.
type kmsState struct {
	keys    map[string]*kmsKey // by key id
	order   []string           // key ids in creation order
	aliases map[string]*kmsAlias
}

// kmsKey is one customer managed KMS key.
type kmsKey struct {
	id, arn         string
	account, region string
	description     string
	usage, spec     string
	origin          string
	multiRegion     bool
	created         time.Time
	policy          *policyDoc
	tags            []kmsTag
}

type kmsAlias struct {
	name, arn, target string // target: key id
	created, updated  time.Time
}

type kmsTag struct {
	TagKey   string `json:"TagKey"`
	TagValue string `json:"TagValue"`
}

func kmsOps() map[string]op {
	key := func(c *call) string { return kmsResourceARN(c, "KeyId") }
	alias := func(c *call) string { return kmsAliasResourceARN(c) }
	return map[string]op{
		"CreateKey":       {fn: kmsCreateKey, write: true},
		"DescribeKey":     {fn: kmsDescribeKey, resource: key},
		"GetKeyPolicy":    {fn: kmsGetKeyPolicy, resource: key},
		"PutKeyPolicy":    {fn: kmsPutKeyPolicy, write: true, resource: key},
		"ListKeyPolicies": {fn: kmsListKeyPolicies, resource: key},
		"ListKeys":        {fn: kmsListKeys},
		"CreateAlias":     {fn: kmsCreateAlias, write: true, resource: alias},
		"DeleteAlias":     {fn: kmsDeleteAlias, write: true, resource: alias},
		"ListAliases":     {fn: kmsListAliases},
	}
}

// kmsRegion returns (creating it) a's KMS state in region.
func kmsRegion(a *Account, region string) *kmsState {
	r := a.region(region)
	if r.kms == nil {
		r.kms = &kmsState{keys: map[string]*kmsKey{}, aliases: map[string]*kmsAlias{}}
	}
	return r.kms
}

// kmsPeek returns a's KMS state in region without creating it, or nil.
func kmsPeek(a *Account, region string) *kmsState {
	if a == nil {
		return nil
	}
	if r := a.regions[region]; r != nil {
		return r.kms
	}
	return nil
}

var (
	kmsKeyIDPattern = regexp.MustCompile(`^(?:mrk-[0-9a-f]{32}|[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12})$`)
	kmsARNPattern   = regexp.MustCompile(`^arn:([a-z-]+):kms:([a-z0-9-]+):(\d{12}):(key|alias)/(.+)$`)
	kmsAliasPattern = regexp.MustCompile(`^alias/[a-zA-Z0-9/_-]{1,250}$`)
)

// kmsRef is a KeyId as KMS takes it: a key id, a key ARN, an alias name or
// an alias ARN, with the account and region it names (the caller's for a
// bare id or alias name).
type kmsRef struct {
	account, region string
	alias           bool
	name            string // key id, or alias name ("alias/...")
}

// kmsParseRef parses id as seen by a caller of account in region. ok is
// false when it is none of the four forms.
func (s *Sim) kmsParseRef(id, account, region string) (kmsRef, bool) {
	if m := kmsARNPattern.FindStringSubmatch(id); m != nil {
		if m[1] != s.part.name {
			return kmsRef{}, false
		}
		if m[4] == "alias" {
			return kmsRef{account: m[3], region: m[2], alias: true, name: "alias/" + m[5]}, true
		}
		return kmsRef{account: m[3], region: m[2], name: m[5]}, true
	}
	if strings.HasPrefix(id, "alias/") {
		return kmsRef{account: account, region: region, alias: true, name: id}, true
	}
	if id != "" && !strings.HasPrefix(id, "arn:") {
		return kmsRef{account: account, region: region, name: id}, true
	}
	return kmsRef{}, false
}

// kmsLookup finds the key ref designates, or nil. Callers hold s.mu.
func (s *Sim) kmsLookup(ref kmsRef) *kmsKey {
	st := kmsPeek(s.accounts[ref.account], ref.region)
	if st == nil {
		return nil
	}
	if ref.alias {
		a := st.aliases[ref.name]
		if a == nil {
			return nil
		}
		return st.keys[a.target]
	}
	return st.keys[ref.name]
}

// kmsFindKey resolves a KeyId for a call: the key, or KMS's error. A key
// of another region is not found from this one.
func kmsFindKey(c *call, id string) (*kmsKey, *apiError) {
	if id == "" {
		return nil, kmsValidation("keyId", "Member must have length greater than or equal to 1")
	}
	if len(id) > 2048 {
		return nil, kmsValidation("keyId", "Member must have length less than or equal to 2048")
	}
	ref, ok := c.sim.kmsParseRef(id, c.acct.ID, c.region)
	if !ok {
		return nil, newErr(400, "InvalidArnException", "Invalid arn %s", id)
	}
	if ref.region != c.region {
		return nil, newErr(400, "NotFoundException", "Invalid arn %s", ref.region)
	}
	k := c.sim.kmsLookup(ref)
	if k == nil {
		if ref.alias {
			return nil, newErr(400, "NotFoundException", "Alias %s is not found.", c.sim.arn("kms", ref.region, ref.account, ref.name))
		}
		return nil, newErr(400, "NotFoundException", "Key '%s' does not exist", c.sim.arn("kms", ref.region, ref.account, "key/"+ref.name))
	}
	return k, nil
}

func kmsValidation(field, constraint string) *apiError {
	return newErr(400, "ValidationException", "1 validation error detected: Value at '%s' failed to satisfy constraint: %s", field, constraint)
}

// kmsResourceARN is the key ARN a request names in field, for the
// caller's IAM policies: the key's ARN when it exists, else "*" (the
// operation then answers NotFoundException).
func kmsResourceARN(c *call, field string) string {
	var in map[string]any
	if c.decode(&in) != nil {
		return "*"
	}
	id, _ := in[field].(string)
	ref, ok := c.sim.kmsParseRef(id, c.acct.ID, c.region)
	if !ok {
		return "*"
	}
	if k := c.sim.kmsLookup(ref); k != nil {
		return k.arn
	}
	return "*"
}

// kmsAliasResourceARN is the alias ARN of CreateAlias and DeleteAlias.
func kmsAliasResourceARN(c *call) string {
	var in struct{ AliasName string }
	if c.decode(&in) != nil || !strings.HasPrefix(in.AliasName, "alias/") {
		return "*"
	}
	return c.sim.arn("kms", c.region, c.acct.ID, in.AliasName)
}

// kmsAuthorize checks that k's key policy allows the caller action on k
// (the caller's IAM policies were checked before the operation ran).
func kmsAuthorize(c *call, k *kmsKey, action string) *apiError {
	req := c.sim.authRequest(c, action, k.arn)
	switch k.policy.parsed.Evaluate(req).Decision {
	case iampolicy.Allow:
		return nil
	case iampolicy.ExplicitDeny:
		return c.sim.denied(c, action, k.arn, "with an explicit deny in a resource-based policy")
	}
	return c.sim.denied(c, action, k.arn, "because no resource-based policy allows the "+action+" action")
}

// kmsDefaultPolicy is the key policy KMS gives a key created through the
// API without one: the account that owns the key may use IAM policies to
// allow every KMS operation on it (AWS KMS developer guide, "Default key
// policy": "Allows access to the AWS account and enables IAM policies").
func (s *Sim) kmsDefaultPolicy(account string) string {
	return `{
  "Version" : "2012-10-17",
  "Id" : "key-default-1",
  "Statement" : [ {
    "Sid" : "Enable IAM User Permissions",
    "Effect" : "Allow",
    "Principal" : {
      "AWS" : "` + s.arn("iam", "", account, "root") + `"
    },
    "Action" : "kms:*",
    "Resource" : "*"
  } ]
}`
}

// kmsParsePolicy checks a key policy document as PutKeyPolicy and
// CreateKey do: a valid resource policy (MalformedPolicyDocumentException
// otherwise) and, unless the caller bypasses the check, one that lets the
// caller change the key policy again ("The new key policy will not allow
// you to update the key policy in the future", KMS API reference,
// PutKeyPolicy, BypassPolicyLockoutSafetyCheck).
func kmsParsePolicy(c *call, doc, keyARN string, bypass bool) (*policyDoc, *apiError) {
	if doc == "" {
		return nil, kmsValidation("policy", "Member must have length greater than or equal to 1")
	}
	if len(doc) > 32768 {
		return nil, newErr(400, "LimitExceededException", "The key policy exceeds the maximum size of 32 KB.")
	}
	parsed, err := iampolicy.Parse([]byte(doc), iampolicy.KindResource)
	if err != nil {
		return nil, newErr(400, "MalformedPolicyDocumentException", "The key policy is not valid: %v", err)
	}
	if !bypass {
		req := c.sim.authRequest(c, "kms:PutKeyPolicy", keyARN)
		if parsed.Evaluate(req).Decision != iampolicy.Allow {
			return nil, newErr(400, "MalformedPolicyDocumentException", "The new key policy will not allow you to update the key policy in the future.")
		}
	}
	return &policyDoc{text: doc, parsed: parsed}, nil
}

// kmsKeyMetadata is the KeyMetadata shape.
type kmsKeyMetadata struct {
	AWSAccountId          string     `json:"AWSAccountId"`
	KeyId                 string     `json:"KeyId"`
	Arn                   string     `json:"Arn"`
	CreationDate          *epochTime `json:"CreationDate,omitempty"`
	Enabled               bool       `json:"Enabled"`
	Description           string     `json:"Description"`
	KeyUsage              string     `json:"KeyUsage"`
	KeyState              string     `json:"KeyState"`
	Origin                string     `json:"Origin"`
	KeyManager            string     `json:"KeyManager"`
	CustomerMasterKeySpec string     `json:"CustomerMasterKeySpec"`
	KeySpec               string     `json:"KeySpec"`
	EncryptionAlgorithms  []string   `json:"EncryptionAlgorithms,omitempty"`
	MultiRegion           bool       `json:"MultiRegion"`
}

func (k *kmsKey) metadata() kmsKeyMetadata {
	m := kmsKeyMetadata{
		AWSAccountId: k.account, KeyId: k.id, Arn: k.arn, CreationDate: epoch(k.created),
		Enabled: true, Description: k.description, KeyUsage: k.usage, KeyState: "Enabled",
		Origin: k.origin, KeyManager: "CUSTOMER", CustomerMasterKeySpec: k.spec, KeySpec: k.spec,
		MultiRegion: k.multiRegion,
	}
	if k.spec == "SYMMETRIC_DEFAULT" {
		m.EncryptionAlgorithms = []string{"SYMMETRIC_DEFAULT"}
	}
	return m
}

// kmsKeySpecs maps each key spec KMS offers to the key usages it allows
// (KMS API reference, CreateKey, KeySpec and KeyUsage).
var kmsKeySpecs = map[string][]string{
	"SYMMETRIC_DEFAULT": {"ENCRYPT_DECRYPT"},
	"RSA_2048":          {"ENCRYPT_DECRYPT", "SIGN_VERIFY"},
	"RSA_3072":          {"ENCRYPT_DECRYPT", "SIGN_VERIFY"},
	"RSA_4096":          {"ENCRYPT_DECRYPT", "SIGN_VERIFY"},
	"ECC_NIST_P256":     {"SIGN_VERIFY", "KEY_AGREEMENT"},
	"ECC_NIST_P384":     {"SIGN_VERIFY", "KEY_AGREEMENT"},
	"ECC_NIST_P521":     {"SIGN_VERIFY", "KEY_AGREEMENT"},
	"ECC_SECG_P256K1":   {"SIGN_VERIFY"},
	"HMAC_224":          {"GENERATE_VERIFY_MAC"},
	"HMAC_256":          {"GENERATE_VERIFY_MAC"},
	"HMAC_384":          {"GENERATE_VERIFY_MAC"},
	"HMAC_512":          {"GENERATE_VERIFY_MAC"},
}

// kmsUUID returns a key id in KMS's form, drawn from the seeded source.
func (s *Sim) kmsUUID() string {
	const hex = "0123456789abcdef"
	b := make([]byte, 32)
	for i := range b {
		b[i] = hex[s.rng.IntN(16)]
	}
	h := string(b)
	return h[0:8] + "-" + h[8:12] + "-" + h[12:16] + "-" + h[16:20] + "-" + h[20:32]
}

func kmsCreateKey(c *call) (any, *apiError) {
	var in struct {
		Policy                         *string
		Description                    *string
		KeyUsage                       *string
		KeySpec                        *string
		CustomerMasterKeySpec          *string
		Origin                         *string
		BypassPolicyLockoutSafetyCheck bool
		MultiRegion                    bool
		Tags                           []kmsTag
	}
	if e := c.decode(&in); e != nil {
		return nil, e
	}
	spec := "SYMMETRIC_DEFAULT"
	switch {
	case in.KeySpec != nil && in.CustomerMasterKeySpec != nil:
		return nil, newErr(400, "ValidationException", "You cannot specify both KeySpec and CustomerMasterKeySpec; use KeySpec.")
	case in.KeySpec != nil:
		spec = *in.KeySpec
	case in.CustomerMasterKeySpec != nil:
		spec = *in.CustomerMasterKeySpec
	}
	usages, ok := kmsKeySpecs[spec]
	if !ok {
		return nil, kmsValidation("keySpec", "Member must satisfy enum value set: "+strings.Join(kmsSpecNames(), ", "))
	}
	usage := usages[0]
	if in.KeyUsage != nil {
		usage = *in.KeyUsage
		if !slices.Contains(usages, usage) {
			return nil, newErr(400, "ValidationException", "KeyUsage %s is not compatible with KeySpec %s.", usage, spec)
		}
	}
	if in.Origin != nil && *in.Origin != "AWS_KMS" {
		return nil, newErr(400, "UnsupportedOperationException", "orgsim creates only keys of origin AWS_KMS, not %s.", *in.Origin)
	}
	if in.Description != nil && len(*in.Description) > 8192 {
		return nil, kmsValidation("description", "Member must have length less than or equal to 8192")
	}
	if len(in.Tags) > 50 {
		return nil, newErr(400, "TagException", "A KMS key can have at most 50 tags.")
	}
	id := c.sim.kmsUUID()
	if in.MultiRegion {
		id = "mrk-" + strings.ReplaceAll(id, "-", "")
	}
	arn := c.sim.arn("kms", c.region, c.acct.ID, "key/"+id)
	doc := c.sim.kmsDefaultPolicy(c.acct.ID)
	if in.Policy != nil {
		doc = *in.Policy
	}
	pol, e := kmsParsePolicy(c, doc, arn, in.BypassPolicyLockoutSafetyCheck)
	if e != nil {
		return nil, e
	}
	k := &kmsKey{
		id: id, arn: arn, account: c.acct.ID, region: c.region, usage: usage, spec: spec, origin: "AWS_KMS",
		multiRegion: in.MultiRegion, created: c.now, policy: pol, tags: in.Tags,
	}
	if in.Description != nil {
		k.description = *in.Description
	}
	st := kmsRegion(c.acct, c.region)
	st.keys[id] = k
	st.order = append(st.order, id)
	return struct {
		KeyMetadata kmsKeyMetadata `json:"KeyMetadata"`
	}{k.metadata()}, nil
}

func kmsSpecNames() []string {
	out := make([]string, 0, len(kmsKeySpecs))
	for k := range kmsKeySpecs {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}

type kmsKeyIn struct {
	KeyId      string
	PolicyName *string
}

// key resolves the request's KeyId and checks the key policy allows
// action.
func (in kmsKeyIn) key(c *call, action string) (*kmsKey, *apiError) {
	k, e := kmsFindKey(c, in.KeyId)
	if e != nil {
		return nil, e
	}
	if e := kmsAuthorize(c, k, action); e != nil {
		return nil, e
	}
	return k, nil
}

// policyName checks the PolicyName of GetKeyPolicy and PutKeyPolicy:
// "The only valid name is default" (KMS API reference); it may be
// omitted.
func (in kmsKeyIn) policyName() *apiError {
	if in.PolicyName != nil && *in.PolicyName != "default" {
		return newErr(400, "NotFoundException", "No such policy exists: %s. The only key policy name is default.", *in.PolicyName)
	}
	return nil
}

func kmsDescribeKey(c *call) (any, *apiError) {
	var in kmsKeyIn
	if e := c.decode(&in); e != nil {
		return nil, e
	}
	k, e := in.key(c, "kms:DescribeKey")
	if e != nil {
		return nil, e
	}
	return struct {
		KeyMetadata kmsKeyMetadata `json:"KeyMetadata"`
	}{k.metadata()}, nil
}

func kmsGetKeyPolicy(c *call) (any, *apiError) {
	var in kmsKeyIn
	if e := c.decode(&in); e != nil {
		return nil, e
	}
	if e := in.policyName(); e != nil {
		return nil, e
	}
	k, e := in.key(c, "kms:GetKeyPolicy")
	if e != nil {
		return nil, e
	}
	return struct {
		Policy     string `json:"Policy"`
		PolicyName string `json:"PolicyName"`
	}{k.policy.text, "default"}, nil
}

func kmsPutKeyPolicy(c *call) (any, *apiError) {
	var in struct {
		kmsKeyIn
		Policy                         string
		BypassPolicyLockoutSafetyCheck bool
	}
	if e := c.decode(&in); e != nil {
		return nil, e
	}
	if e := in.policyName(); e != nil {
		return nil, e
	}
	k, e := in.key(c, "kms:PutKeyPolicy")
	if e != nil {
		return nil, e
	}
	pol, e := kmsParsePolicy(c, in.Policy, k.arn, in.BypassPolicyLockoutSafetyCheck)
	if e != nil {
		return nil, e
	}
	k.policy = pol
	return struct{}{}, nil
}

func kmsListKeyPolicies(c *call) (any, *apiError) {
	var in kmsKeyIn
	if e := c.decode(&in); e != nil {
		return nil, e
	}
	if _, e := in.key(c, "kms:ListKeyPolicies"); e != nil {
		return nil, e
	}
	return struct {
		PolicyNames []string `json:"PolicyNames"`
		Truncated   bool     `json:"Truncated"`
	}{[]string{"default"}, false}, nil
}

// kmsPaging is the Limit and Marker of KMS's list operations: Limit 1 to
// 1000, default 100.
type kmsPaging struct {
	Limit  *int
	Marker *string
}

func (p kmsPaging) page(op string, total int) (start, end int, next string, e *apiError) {
	limit := 100
	if p.Limit != nil {
		if *p.Limit < 1 || *p.Limit > 1000 {
			return 0, 0, "", kmsValidation("limit", "Member must have value between 1 and 1000")
		}
		limit = *p.Limit
	}
	marker := ""
	if p.Marker != nil {
		marker = *p.Marker
	}
	start, end, next, ok := page(op, total, marker, limit)
	if !ok {
		return 0, 0, "", newErr(400, "InvalidMarkerException", "Invalid marker: %s", marker)
	}
	return start, end, next, nil
}

func kmsListKeys(c *call) (any, *apiError) {
	var in kmsPaging
	if e := c.decode(&in); e != nil {
		return nil, e
	}
	st := kmsPeek(c.acct, c.region)
	var ids []string
	if st != nil {
		ids = st.order
	}
	start, end, next, e := in.page("ListKeys", len(ids))
	if e != nil {
		return nil, e
	}
	type entry struct {
		KeyId  string `json:"KeyId"`
		KeyArn string `json:"KeyArn"`
	}
	out := struct {
		Keys       []entry `json:"Keys"`
		NextMarker string  `json:"NextMarker,omitempty"`
		Truncated  bool    `json:"Truncated"`
	}{Keys: []entry{}, NextMarker: next, Truncated: next != ""}
	for _, id := range ids[start:end] {
		out.Keys = append(out.Keys, entry{id, st.keys[id].arn})
	}
	return out, nil
}

// kmsAliasName checks an alias name for CreateAlias: "alias/" and a name
// of letters, digits, "/", "_" and "-"; "alias/aws/" is reserved for AWS
// managed keys (KMS API reference, CreateAlias, AliasName).
func kmsAliasName(name string) *apiError {
	if !kmsAliasPattern.MatchString(name) {
		return newErr(400, "InvalidAliasNameException", "Alias name %s is not valid: it must begin with alias/ followed by letters, digits, slashes, underscores and dashes.", name)
	}
	if strings.HasPrefix(name, "alias/aws/") {
		return newErr(400, "InvalidAliasNameException", "Alias names that begin with alias/aws/ are reserved for AWS managed keys.")
	}
	return nil
}

func kmsCreateAlias(c *call) (any, *apiError) {
	var in struct {
		AliasName   string
		TargetKeyId string
	}
	if e := c.decode(&in); e != nil {
		return nil, e
	}
	if e := kmsAliasName(in.AliasName); e != nil {
		return nil, e
	}
	if strings.HasPrefix(in.TargetKeyId, "alias/") || strings.Contains(in.TargetKeyId, ":alias/") {
		return nil, newErr(400, "ValidationException", "TargetKeyId must be a key id or key ARN, not an alias.")
	}
	k, e := kmsFindKey(c, in.TargetKeyId)
	if e != nil {
		return nil, e
	}
	if k.account != c.acct.ID {
		return nil, newErr(400, "NotFoundException", "Key '%s' does not exist in account %s: an alias can name only a key of its own account.", k.arn, c.acct.ID)
	}
	if e := kmsAuthorize(c, k, "kms:CreateAlias"); e != nil {
		return nil, e
	}
	st := kmsRegion(c.acct, c.region)
	aliasARN := c.sim.arn("kms", c.region, c.acct.ID, in.AliasName)
	if st.aliases[in.AliasName] != nil {
		return nil, newErr(400, "AlreadyExistsException", "An alias with the name %s already exists", aliasARN)
	}
	st.aliases[in.AliasName] = &kmsAlias{name: in.AliasName, arn: aliasARN, target: k.id, created: c.now, updated: c.now}
	return struct{}{}, nil
}

func kmsDeleteAlias(c *call) (any, *apiError) {
	var in struct{ AliasName string }
	if e := c.decode(&in); e != nil {
		return nil, e
	}
	st := kmsPeek(c.acct, c.region)
	var a *kmsAlias
	if st != nil {
		a = st.aliases[in.AliasName]
	}
	if a == nil {
		return nil, newErr(400, "NotFoundException", "Alias %s is not found.", c.sim.arn("kms", c.region, c.acct.ID, in.AliasName))
	}
	if e := kmsAuthorize(c, st.keys[a.target], "kms:DeleteAlias"); e != nil {
		return nil, e
	}
	delete(st.aliases, in.AliasName)
	return struct{}{}, nil
}

func kmsListAliases(c *call) (any, *apiError) {
	var in struct {
		kmsPaging
		KeyId *string
	}
	if e := c.decode(&in); e != nil {
		return nil, e
	}
	st := kmsPeek(c.acct, c.region)
	target := ""
	if in.KeyId != nil {
		k, e := kmsFindKey(c, *in.KeyId)
		if e != nil {
			return nil, e
		}
		target = k.id
	}
	var names []string
	if st != nil {
		for n, a := range st.aliases {
			if target == "" || a.target == target {
				names = append(names, n)
			}
		}
	}
	sort.Strings(names)
	start, end, next, e := in.page("ListAliases", len(names))
	if e != nil {
		return nil, e
	}
	type entry struct {
		AliasName       string     `json:"AliasName"`
		AliasArn        string     `json:"AliasArn"`
		TargetKeyId     string     `json:"TargetKeyId"`
		CreationDate    *epochTime `json:"CreationDate,omitempty"`
		LastUpdatedDate *epochTime `json:"LastUpdatedDate,omitempty"`
	}
	out := struct {
		Aliases    []entry `json:"Aliases"`
		NextMarker string  `json:"NextMarker,omitempty"`
		Truncated  bool    `json:"Truncated"`
	}{Aliases: []entry{}, NextMarker: next, Truncated: next != ""}
	for _, n := range names[start:end] {
		a := st.aliases[n]
		out.Aliases = append(out.Aliases, entry{a.name, a.arn, a.target, epoch(a.created), epoch(a.updated)})
	}
	return out, nil
}

// kmsKeyForService resolves a KeyId a service was handed (CloudTrail's
// KmsKeyId) as seen from account in region: the key, or nil when it does
// not exist there. Callers hold s.mu.
func (s *Sim) kmsKeyForService(id, account, region string) *kmsKey {
	ref, ok := s.kmsParseRef(id, account, region)
	if !ok {
		return nil
	}
	return s.kmsLookup(ref)
}

// kmsServiceAllows reports whether k's key policy allows the service
// principal each of actions with the request context ctx (lower-case
// condition keys), as KMS evaluates a call a service makes on a
// customer's behalf.
func kmsServiceAllows(k *kmsKey, service string, ctx map[string][]string, actions ...string) bool {
	for _, a := range actions {
		req := &iampolicy.Request{Action: a, Resource: k.arn, Principal: iampolicy.Principal{Service: service}, Context: ctx}
		if k.policy.parsed.Evaluate(req).Decision != iampolicy.Allow {
			return false
		}
	}
	return true
}
