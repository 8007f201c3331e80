package baseline

import "testing"

func TestIsReadAction(t *testing.T) {
	for _, c := range []struct {
		action string
		read   bool
	}{
		{"iam:ListUsers", true},
		{"iam:GetCredentialReport", true},
		{"organizations:DescribeOrganization", true},
		{"iam:listusers", true},  // IAM matches actions case-insensitively
		{"IAM:ListUsers", false}, // not service:Action as IAM writes it
		{"iam:GenerateCredentialReport", true},
		{"iam:SimulatePrincipalPolicy", true},
		{"cloudtrail:LookupEvents", true},
		{"iam:CreateUser", false},
		{"iam:AttachUserPolicy", false},
		{"organizations:DetachPolicy", false},
		{"iam:PassRole", false},
		{"sts:AssumeRole", false},
		{"sts:GetSessionToken", false}, // mints credentials: a write here
		{"sts:getfederationtoken", false},
		{"ecr:GetAuthorizationToken", false},
		{"acme:FrobnicateWidget", false}, // unknown: the stricter reading
		{"iam:*", false},
		{"s3:Get*", false},
		{"*", false},
		{"iam:List?sers", false},
		{"", false},
		{"iam:", false},
	} {
		if got := IsReadAction(c.action); got != c.read {
			t.Errorf("IsReadAction(%q) = %v, want %v", c.action, got, c.read)
		}
	}
}

func TestWriteActions(t *testing.T) {
	got := WriteActions([]string{"iam:ListUsers", "iam:CreateUser", "s3:Get*", "iam:GetUser"})
	if len(got) != 2 || got[0] != "iam:CreateUser" || got[1] != "s3:Get*" {
		t.Fatalf("WriteActions = %q", got)
	}
}
