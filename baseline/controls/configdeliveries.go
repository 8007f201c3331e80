package controls

var _ Deliverer = (*ConfigRecorder)(nil)

// Deliveries are the requests AWS Config makes with its service principal
// config.amazonaws.com for the recorder of every targeted account and
// governed region, where the RCPs of a member account apply to them
// (delivery.go). The recorders use Config's service-linked role, which
// "does not have permission to put objects to Amazon S3 buckets": Config
// then writes as its service principal, to a bucket "in your own account
// or another account" (AWS Config developer guide, "Permissions for the
// Amazon S3 Bucket for the AWS Config delivery channel"), checking the
// bucket first:
//
//   - s3:GetBucketAcl and s3:ListBucket on the central bucket, and
//     s3:PutObject under [prefix/]AWSLogs/<account>/Config/ with the
//     bucket-owner-full-control canned ACL (s3:x-amz-acl);
//   - each with aws:SourceAccount, the account Config delivers for, and
//     aws:SourceArn, which the guide says is always
//     arn:PARTITION:config:<source region>:<source account>:*.
//
// With a KMS key (controls.config.bucket.kmsKeyArn) Config also calls
// kms:GenerateDataKey and kms:Decrypt on it with aws:SourceAccount (AWS
// Config developer guide, "Permissions for the KMS Key"). The object
// names below the prefix are the * the guard cannot know.
func (c *ConfigRecorder) Deliveries(o *Org) []Delivery {
	la := o.callsIn(c.Name(), c.want.BucketAccount)
	bucket := c.want.bucketName(la.account, o.HomeRegion)
	d := Delivery{
		Control: c.Name(), Service: cfgServicePrincipal, Owner: la.account, OwnerAlias: c.want.BucketAccount, Region: o.HomeRegion,
		For: DeliveryPerTarget, PerRegion: true,
		SourceARN: o.ARN("config", "{region}", "{account}", "*"), SourceAccount: "{account}",
		What: "AWS Config's deliveries to bucket " + bucket,
	}
	arn := o.ARN("s3", "", "", bucket)
	prefix := ""
	if c.want.KeyPrefix != "" {
		prefix = c.want.KeyPrefix + "/"
	}
	out := []Delivery{
		d.with("s3:GetBucketAcl", arn),
		d.with("s3:ListBucket", arn),
		d.with("s3:PutObject", arn+"/"+prefix+"AWSLogs/{account}/Config/*", "s3:x-amz-acl", "bucket-owner-full-control"),
	}
	if owner := keyAccount(c.want.KMSKeyARN); owner != "" {
		k := d
		k.Owner, k.OwnerAlias, k.Region = owner, "", keyRegion(c.want.KMSKeyARN)
		k.What = "the encryption of AWS Config's deliveries"
		out = append(out, k.with("kms:GenerateDataKey", c.want.KMSKeyARN), k.with("kms:Decrypt", c.want.KMSKeyARN))
	}
	return out
}
