package orgsim_test

import (
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/iam"

	"github.com/orgbaseline/orgbaseline/internal/orgsim"
)

// TestIAMCrossAccountIsolation: IAM state belongs to one account. A password
// policy set in member A through its execution role is visible in A only:
// member B and the management account still have none.
func TestIAMCrossAccountIsolation(t *testing.T) {
	e := newEnv(t, orgsim.Options{Seed: 1, Org: orgsim.OrgSpec{Members: 3, Clean: true}})
	mgmt := e.sim.ManagementAccountID()
	var members []string
	for _, a := range e.sim.Accounts() {
		if a.ID != mgmt {
			members = append(members, a.ID)
		}
	}
	if len(members) != 3 {
		t.Fatalf("want 3 member accounts, got %d: %v", len(members), members)
	}
	a, b := members[0], members[1]
	iamA := e.iam(e.assume(a, "OrganizationAccountAccessRole"))
	iamB := e.iam(e.assume(b, "OrganizationAccountAccessRole"))
	iamM := e.iam(e.cfg)

	// A clean organization has no password policy anywhere.
	for acct, c := range map[string]*iam.Client{a: iamA, b: iamB, mgmt: iamM} {
		_, err := c.GetAccountPasswordPolicy(bg, &iam.GetAccountPasswordPolicyInput{})
		iamTWant(t, err, "NoSuchEntity", 404, "The Password Policy with domain name "+acct+" cannot be found.")
	}

	_, err := iamA.UpdateAccountPasswordPolicy(bg, &iam.UpdateAccountPasswordPolicyInput{
		MinimumPasswordLength: aws.Int32(14), PasswordReusePrevention: aws.Int32(24), RequireSymbols: true,
	})
	iamTNoErr(t, err, "UpdateAccountPasswordPolicy in A")

	got, err := iamA.GetAccountPasswordPolicy(bg, &iam.GetAccountPasswordPolicyInput{})
	iamTNoErr(t, err, "GetAccountPasswordPolicy in A")
	if aws.ToInt32(got.PasswordPolicy.MinimumPasswordLength) != 14 || aws.ToInt32(got.PasswordPolicy.PasswordReusePrevention) != 24 || !got.PasswordPolicy.RequireSymbols {
		t.Fatalf("A's policy = %+v", *got.PasswordPolicy)
	}
	_, err = iamB.GetAccountPasswordPolicy(bg, &iam.GetAccountPasswordPolicyInput{})
	iamTWant(t, err, "NoSuchEntity", 404, "The Password Policy with domain name "+b+" cannot be found.")
	_, err = iamM.GetAccountPasswordPolicy(bg, &iam.GetAccountPasswordPolicyInput{})
	iamTWant(t, err, "NoSuchEntity", 404, "The Password Policy with domain name "+mgmt+" cannot be found.")

	// Users are per account too.
	_, err = iamA.CreateUser(bg, &iam.CreateUserInput{UserName: aws.String("only-in-a")})
	iamTNoErr(t, err, "CreateUser in A")
	_, err = iamB.GetUser(bg, &iam.GetUserInput{UserName: aws.String("only-in-a")})
	iamTWant(t, err, "NoSuchEntity", 404, "The user with name only-in-a cannot be found.")
	_, err = iamM.GetUser(bg, &iam.GetUserInput{UserName: aws.String("only-in-a")})
	iamTWant(t, err, "NoSuchEntity", 404, "")
	// The same name can exist in another account.
	_, err = iamB.CreateUser(bg, &iam.CreateUserInput{UserName: aws.String("only-in-a")})
	iamTNoErr(t, err, "CreateUser same name in B")
	ua, _ := iamA.GetUser(bg, &iam.GetUserInput{UserName: aws.String("only-in-a")})
	ub, _ := iamB.GetUser(bg, &iam.GetUserInput{UserName: aws.String("only-in-a")})
	if aws.ToString(ua.User.Arn) != "arn:aws:iam::"+a+":user/only-in-a" || aws.ToString(ub.User.Arn) != "arn:aws:iam::"+b+":user/only-in-a" {
		t.Fatalf("ARNs: %s, %s", aws.ToString(ua.User.Arn), aws.ToString(ub.User.Arn))
	}

	// Deleting A's policy does not touch the others.
	_, err = iamA.DeleteAccountPasswordPolicy(bg, &iam.DeleteAccountPasswordPolicyInput{})
	iamTNoErr(t, err, "DeleteAccountPasswordPolicy in A")
	_, err = iamA.GetAccountPasswordPolicy(bg, &iam.GetAccountPasswordPolicyInput{})
	iamTWant(t, err, "NoSuchEntity", 404, "")
}
