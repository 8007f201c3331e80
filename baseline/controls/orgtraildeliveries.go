package controls

var _ Deliverer = (*OrganizationTrail)(nil)

// Deliveries are the requests CloudTrail makes with its service principal
// to deliver the organization trail's logs, where the RCPs of a member
// account apply to them (delivery.go):
//
//   - to the log bucket (CloudTrail user guide, "Amazon S3 bucket policy
//     for CloudTrail", organization trail): s3:GetBucketAcl on the bucket
//     (the ACL check) and s3:PutObject of the log files under
//     [prefix/]AWSLogs/<management account>/ and
//     [prefix/]AWSLogs/<organization id>/<account>/ for every account of
//     the organization, with the bucket-owner-full-control canned ACL
//     (s3:x-amz-acl); each request carries aws:SourceArn, the trail's ARN
//     (which names the management account whoever manages the trail), and
//     aws:SourceAccount, the trail's account: the management account;
//   - to the trail's KMS key, when the baseline sets one (CloudTrail user
//     guide, "Configure AWS KMS key policies for CloudTrail"):
//     kms:GenerateDataKey* with the encryption context
//     kms:EncryptionContext:aws:cloudtrail:arn (the trail's ARN) to
//     encrypt each log file, kms:DescribeKey, and kms:Decrypt, which the
//     guide requires when the bucket uses an S3 Bucket Key with the key,
//     as the bucket orgbaseline keeps does (LogBucket.encryption), with
//     aws:SourceArn and aws:SourceAccount as above. The guide names the
//     encryption context of GenerateDataKey only; the other KMS keys of
//     these requests (the rest of the encryption context, Decrypt's) are
//     unknown to the guard.
//
// The object names below those prefixes (CloudTrail/<region>/<date>/...)
// are the * the guard cannot know. The key's requests are listed only when
// the key is in a member account, the bucket's only when the bucket is:
// RCPs never apply to resources in the management account (the guard
// leaves those out when it knows the accounts; offline it does not).
func (c *OrganizationTrail) Deliveries(o *Org) []Delivery {
	home := o.HomeRegion
	la := o.callsIn(c.Name(), c.s.BucketAccount)
	bucket := c.modelBucket(la.account, home)
	mgmt := o.managementID()
	trail := trailARN(o, home, mgmt, c.s.Name)
	d := Delivery{
		Control: c.Name(), Service: cloudTrailPrincipal, Owner: la.account, OwnerAlias: c.s.BucketAccount, Region: home,
		SourceARN: trail, SourceAccount: mgmt, What: "the log files of trail " + c.s.Name,
	}
	arn := o.ARN("s3", "", "", bucket)
	logs := arn + "/"
	if c.s.KeyPrefix != "" {
		logs += c.s.KeyPrefix + "/"
	}
	logs += "AWSLogs/"
	const acl = "bucket-owner-full-control"
	out := []Delivery{
		d.with("s3:GetBucketAcl", arn),
		d.with("s3:PutObject", logs+mgmt+"/*", "s3:x-amz-acl", acl).unknownKeys(putObjectUnknown...),
	}
	perAccount := d.with("s3:PutObject", logs+o.orgID()+"/{account}/*", "s3:x-amz-acl", acl).unknownKeys(putObjectUnknown...)
	perAccount.For = DeliveryPerOrgAccount
	out = append(out, perAccount)
	return append(out, c.keyDeliveries(d, trail)...)
}

// keyDeliveries are CloudTrail's requests to the trail's KMS key.
func (c *OrganizationTrail) keyDeliveries(d Delivery, trail string) []Delivery {
	owner := keyAccount(c.s.KMSKeyID)
	if owner == "" {
		return nil
	}
	d.Owner, d.OwnerAlias, d.Region = owner, "", keyRegion(c.s.KMSKeyID)
	d.What = "the encryption of trail " + c.s.Name + "'s log files"
	return []Delivery{
		d.with("kms:GenerateDataKey", c.s.KMSKeyID, "kms:encryptioncontext:aws:cloudtrail:arn", trail).unknownKeys(kmsUnknown...),
		d.with("kms:DescribeKey", c.s.KMSKeyID).unknownKeys("kms:calleraccount"),
		d.with("kms:Decrypt", c.s.KMSKeyID).unknownKeys(kmsUnknown...),
	}
}

// orgID is the organization's id, "*" when unknown (offline).
func (o *Org) orgID() string {
	if o != nil && o.Org != nil && o.ID != "" {
		return o.ID
	}
	return "*"
}
