package orgsim

import (
	"strconv"
	"strings"
	"time"

	"github.com/orgbaseline/orgbaseline/internal/iampolicy"
)

// managedPolicies are the AWS managed policies orgsim knows, per
// partition and then by ARN: each partition has its own copies, named
// arn:PARTITION:iam::aws:policy/... (IAM user guide, "IAM ARNs"), shared by
// every account of a sim serving that partition.
//
// AdministratorAccess, PowerUserAccess and AWSSupportAccess are the real
// documents. ReadOnlyAccess and SecurityAudit are approximations: the real
// ones list thousands of actions service by service; here they allow the read
// verbs (Get*, List*, Describe*; ReadOnlyAccess also BatchGet* and Lookup*)
// of the seven services orgsim serves, plus the few read-only actions that do
// not start with those verbs (iam:GenerateCredentialReport,
// sts:GetCallerIdentity, ...). For the APIs orgsim serves, that is what the
// real policies amount to.
var managedPolicies = func() map[string]map[string]*iamManagedPolicy {
	m := map[string]map[string]*iamManagedPolicy{}
	for name := range partitions {
		m[name] = buildManagedPolicies(name)
	}
	return m
}()

var managedDocs = map[string]string{
	"AdministratorAccess": `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"*","Resource":"*"}]}`,
	"PowerUserAccess": `{"Version":"2012-10-17","Statement":[
  {"Effect":"Allow","NotAction":["iam:*","organizations:*","account:*"],"Resource":"*"},
  {"Effect":"Allow","Action":["iam:CreateServiceLinkedRole","iam:DeleteServiceLinkedRole","iam:ListRoles","organizations:DescribeOrganization","account:ListRegions","account:GetAccountInformation"],"Resource":"*"}]}`,
	"ReadOnlyAccess":                  `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":["organizations:Get*","organizations:List*","organizations:Describe*","organizations:BatchGet*","organizations:Lookup*","iam:Get*","iam:List*","iam:Describe*","iam:BatchGet*","iam:Lookup*","sts:Get*","sts:List*","sts:Describe*","sts:BatchGet*","sts:Lookup*","cloudtrail:Get*","cloudtrail:List*","cloudtrail:Describe*","cloudtrail:BatchGet*","cloudtrail:Lookup*","config:Get*","config:List*","config:Describe*","config:BatchGet*","config:Lookup*","access-analyzer:Get*","access-analyzer:List*","access-analyzer:Describe*","access-analyzer:BatchGet*","access-analyzer:Lookup*","s3:Get*","s3:List*","s3:Describe*","s3:BatchGet*","s3:Lookup*","iam:GenerateCredentialReport","iam:GenerateServiceLastAccessedDetails","iam:SimulatePrincipalPolicy","sts:GetCallerIdentity"],"Resource":"*"}]}`,
	"SecurityAudit":                   `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":["organizations:Get*","organizations:List*","organizations:Describe*","iam:Get*","iam:List*","iam:Describe*","sts:Get*","sts:List*","sts:Describe*","cloudtrail:Get*","cloudtrail:List*","cloudtrail:Describe*","config:Get*","config:List*","config:Describe*","access-analyzer:Get*","access-analyzer:List*","access-analyzer:Describe*","s3:Get*","s3:List*","s3:Describe*","iam:GenerateCredentialReport","iam:GenerateServiceLastAccessedDetails","iam:SimulateCustomPolicy","iam:SimulatePrincipalPolicy","sts:GetCallerIdentity"],"Resource":"*"}]}`,
	"AWSSupportAccess":                `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":["support:*"],"Resource":"*"}]}`,
	"IAMUserChangePassword":           `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":["iam:ChangePassword"],"Resource":["arn:${partition}:iam::*:user/${aws:username}"]},{"Effect":"Allow","Action":["iam:GetAccountPasswordPolicy"],"Resource":"*"}]}`,
	"AWSConfigServiceRolePolicy":      `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":["organizations:Get*","organizations:List*","organizations:Describe*","iam:Get*","iam:List*","iam:Describe*","sts:Get*","sts:List*","sts:Describe*","cloudtrail:Get*","cloudtrail:List*","cloudtrail:Describe*","config:Get*","config:List*","config:Describe*","access-analyzer:Get*","access-analyzer:List*","access-analyzer:Describe*","s3:Get*","s3:List*","s3:Describe*","config:Put*","s3:PutObject","s3:GetBucketAcl"],"Resource":"*"}]}`,
	"AccessAnalyzerServiceRolePolicy": `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":["iam:Get*","iam:List*","s3:Get*","s3:List*","organizations:Describe*","organizations:List*","sts:GetCallerIdentity"],"Resource":"*"}]}`,
	"CloudTrailServiceRolePolicy":     `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":["cloudtrail:*","organizations:DescribeAccount","organizations:DescribeOrganization","organizations:ListAccounts","organizations:ListAWSServiceAccessForOrganization"],"Resource":"*"}]}`,
}

// managedPolicyPaths are the paths of the service-role policies.
var managedPolicyPaths = map[string]string{
	"AWSConfigServiceRolePolicy":      "/aws-service-role/",
	"AccessAnalyzerServiceRolePolicy": "/service-role/",
	"CloudTrailServiceRolePolicy":     "/aws-service-role/",
}

// buildManagedPolicies makes the policies of one partition: their ARNs,
// and the ARNs in their documents (written with ${partition}), are the
// partition's.
func buildManagedPolicies(partition string) map[string]*iamManagedPolicy {
	created := time.Date(2015, 2, 6, 18, 39, 46, 0, time.UTC)
	m := map[string]*iamManagedPolicy{}
	i := 0
	for name, doc := range managedDocs {
		i++
		path := managedPolicyPaths[name]
		if path == "" {
			path = "/"
		}
		arn := "arn:" + partition + ":iam::aws:policy" + path + name
		doc := strings.ReplaceAll(doc, "${partition}", partition)
		m[arn] = &iamManagedPolicy{
			name: name, path: path, arn: arn,
			id:             "ANPAORGSIM" + strconv.Itoa(1000000000+i),
			description:    "AWS managed policy " + name,
			awsManaged:     true,
			created:        created,
			updated:        created,
			defaultVersion: "v1",
			versions: []*policyVersion{{
				id: "v1", created: created,
				doc: &policyDoc{text: doc, parsed: iampolicy.MustParse(doc, iampolicy.KindIdentity)},
			}},
		}
	}
	return m
}

// AWSManagedPolicyARN returns the ARN of an AWS managed policy (path "/")
// by name in the aws partition.
func AWSManagedPolicyARN(name string) string { return "arn:aws:iam::aws:policy/" + name }

// AWSManagedPolicyARN returns the ARN of an AWS managed policy by its name
// (with its path below policy/, e.g. "service-role/X") in the sim's
// partition.
func (s *Sim) AWSManagedPolicyARN(name string) string { return s.arn("iam", "", "aws", "policy/"+name) }

func itoa(n int) string { return strconv.Itoa(n) }
