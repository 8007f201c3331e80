package cli

import (
	"context"
	"regexp"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/config"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/cloudtrail"
	"github.com/aws/aws-sdk-go-v2/service/configservice"
	"github.com/aws/aws-sdk-go-v2/service/s3"

	"github.com/orgbaseline/orgbaseline"
	"github.com/orgbaseline/orgbaseline/internal/orgsim"
	"github.com/orgbaseline/orgbaseline/orgwalk"
)

// The first apply on a fresh organization, with orgsim answering like AWS
// (its defaults: policy types enabled in the background, analyzers
// CREATING, new roles, service-linked roles, bucket policies and delegated
// administrators usable only seconds later, SigV4 and request checks),
// converges every control of the example baseline in ONE run, and the
// next plan has nothing to do. In aws-us-gov every ARN orgbaseline writes
// is of that partition.
func TestExampleBaselineConvergesInOneApply(t *testing.T) {
	for _, tc := range []struct {
		partition, home string
		regions         string
	}{
		{"aws", "us-east-1", "[us-east-1, eu-west-1]"},
		{"aws-us-gov", "us-gov-west-1", "[us-gov-west-1, us-gov-east-1]"},
	} {
		t.Run(tc.partition, func(t *testing.T) {
			like := orgsim.DefaultAWSLike()
			like.CredentialReportDelay = 0 // read only by check plugins, which this test does not run
			h := newHarnessWith(t, orgsim.Options{Partition: tc.partition, AWSLike: &like, Org: orgsim.OrgSpec{Members: 8}})
			t.Setenv("AWS_REGION", tc.home)
			doc := strings.Replace(string(orgbaseline.ExampleBaseline), "homeRegion: us-east-1", "homeRegion: "+tc.home, 1)
			doc = strings.Replace(doc, "regions: [us-east-1, eu-west-1]", "regions: "+tc.regions, 1)
			f := h.write("baseline.yaml", doc)

			r := h.run("apply", "-f", f, "--auto-approve")
			h.want(r, ExitOK)
			if !strings.Contains(r.stdout, "Waited for AWS to settle") {
				t.Errorf("the apply did not say it waited for AWS:\n%s", r.stdout)
			}
			if !strings.Contains(r.stdout, "; 0 with errors.") {
				t.Errorf("the apply had errors:\n%s", r.stdout)
			}
			h.sim.ResetCounters()
			h.want(h.run("plan", "-f", f, "--detailed-exitcode"), ExitOK)
			if n := h.sim.Counters().Writes(); n != 0 {
				t.Errorf("the plan after the apply made %d writes", n)
			}
			for _, doc := range writtenDocuments(t, h, tc.home, strings.Fields(strings.NewReplacer("[", "", "]", "", ",", "").Replace(tc.regions))) {
				for _, p := range arnPartitions.FindAllStringSubmatch(doc, -1) {
					if p[1] != tc.partition && p[1] != "*" {
						t.Errorf("an ARN of partition %q in what orgbaseline wrote in %s:\n%s", p[1], tc.partition, doc)
					}
				}
			}
		})
	}
}

var arnPartitions = regexp.MustCompile(`arn:([a-z*-]+):`)

// writtenDocuments reads back what orgbaseline wrote that holds ARNs it
// built: the trail, the two log buckets' policies and each account's
// Config recorder role.
func writtenDocuments(t *testing.T, h *harness, home string, regions []string) []string {
	t.Helper()
	ctx := context.Background()
	// Read as the execution role (the example's SCP denies the root user).
	c := h.sim.ManagementCredentials()
	base, err := config.LoadDefaultConfig(ctx, config.WithRegion(home), config.WithBaseEndpoint(h.url),
		config.WithCredentialsProvider(credentials.NewStaticCredentialsProvider(c.AccessKeyID, c.SecretAccessKey, "")))
	if err != nil {
		t.Fatal(err)
	}
	mgmt := h.sim.ManagementAccountID()
	sessions := orgwalk.NewSessions(base, orgwalk.SessionOptions{Role: orgsim.DefaultExecutionRole, SessionName: "readback",
		ManagementAccountID: mgmt, Partition: h.sim.Partition()})
	cfgFor := func(account, region string) aws.Config {
		cfg, err := sessions.Config(ctx, account, region)
		if err != nil {
			t.Fatal(err)
		}
		return cfg
	}
	var docs []string
	trails, err := cloudtrail.NewFromConfig(cfgFor(mgmt, home)).DescribeTrails(ctx, &cloudtrail.DescribeTrailsInput{})
	if err != nil || len(trails.TrailList) == 0 {
		t.Fatalf("describe trails: %v (%d trails)", err, len(trails.TrailList))
	}
	for _, tr := range trails.TrailList {
		docs = append(docs, aws.ToString(tr.TrailARN))
	}
	logArchive := h.accountID("Log Archive")
	s3c := s3.NewFromConfig(cfgFor(logArchive, home), func(o *s3.Options) { o.UsePathStyle = true })
	buckets, err := s3c.ListBuckets(ctx, &s3.ListBucketsInput{})
	if err != nil {
		t.Fatal(err)
	}
	for _, b := range buckets.Buckets {
		if !strings.HasPrefix(aws.ToString(b.Name), "orgbaseline-") {
			continue
		}
		p, err := s3c.GetBucketPolicy(ctx, &s3.GetBucketPolicyInput{Bucket: b.Name})
		if err != nil {
			t.Fatalf("bucket policy of %s: %v", aws.ToString(b.Name), err)
		}
		docs = append(docs, aws.ToString(p.Policy))
	}
	for _, a := range h.sim.Accounts() {
		if a.ID == mgmt || a.State != "ACTIVE" {
			continue
		}
		for _, region := range regions {
			out, err := configservice.NewFromConfig(cfgFor(a.ID, region)).DescribeConfigurationRecorders(ctx, &configservice.DescribeConfigurationRecordersInput{})
			if err != nil || len(out.ConfigurationRecorders) != 1 {
				t.Fatalf("recorders of %s in %s: %v", a.Name, region, err)
			}
			docs = append(docs, aws.ToString(out.ConfigurationRecorders[0].RoleARN))
		}
	}
	return docs
}
