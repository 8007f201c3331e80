package orgsim_test

import (
	"encoding/csv"
	"errors"
	"fmt"
	"net/url"
	"regexp"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	awshttp "github.com/aws/aws-sdk-go-v2/aws/transport/http"
	"github.com/aws/aws-sdk-go-v2/service/iam"
	"github.com/aws/aws-sdk-go-v2/service/iam/types"
	"github.com/aws/smithy-go"

	"github.com/orgbaseline/orgbaseline/internal/orgsim"
)

// iamTWant fails unless err is the AWS error code with HTTP status status
// and a message containing msg (when msg is not empty).
func iamTWant(t *testing.T, err error, code string, status int, msg string) {
	t.Helper()
	if err == nil {
		t.Fatalf("got no error, want %s (%d)", code, status)
	}
	var ae smithy.APIError
	if !errors.As(err, &ae) {
		t.Fatalf("not an AWS API error: %v", err)
	}
	if ae.ErrorCode() != code {
		t.Fatalf("error code = %q, want %q (err: %v)", ae.ErrorCode(), code, err)
	}
	var re *awshttp.ResponseError
	if !errors.As(err, &re) {
		t.Fatalf("no HTTP response in %v", err)
	}
	if re.HTTPStatusCode() != status {
		t.Fatalf("%s: HTTP status = %d, want %d", code, re.HTTPStatusCode(), status)
	}
	if msg != "" && !strings.Contains(ae.ErrorMessage(), msg) {
		t.Fatalf("%s message = %q, want it to contain %q", code, ae.ErrorMessage(), msg)
	}
}

func iamTNoErr(t *testing.T, err error, what string) {
	t.Helper()
	if err != nil {
		t.Fatalf("%s: %v", what, err)
	}
}

const iamTTrustEC2 = `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"Service":"ec2.amazonaws.com"},"Action":"sts:AssumeRole"}]}`

const iamTReadS3 = `{
  "Version": "2012-10-17",
  "Statement": [{"Effect": "Allow", "Action": ["s3:GetObject"], "Resource": "*"}]
}`

func TestIAMPasswordPolicy(t *testing.T) {
	e := newEnv(t, orgsim.Options{Seed: 1})
	c := e.iam(e.cfg)
	acct := e.sim.ManagementAccountID()

	_, err := c.GetAccountPasswordPolicy(bg, &iam.GetAccountPasswordPolicyInput{})
	iamTWant(t, err, "NoSuchEntity", 404, "The Password Policy with domain name "+acct+" cannot be found.")
	_, err = c.DeleteAccountPasswordPolicy(bg, &iam.DeleteAccountPasswordPolicyInput{})
	iamTWant(t, err, "NoSuchEntity", 404, "cannot be found")

	_, err = c.UpdateAccountPasswordPolicy(bg, &iam.UpdateAccountPasswordPolicyInput{
		MinimumPasswordLength: aws.Int32(14), RequireSymbols: true, RequireNumbers: true,
		RequireUppercaseCharacters: true, RequireLowercaseCharacters: true,
		AllowUsersToChangePassword: true, MaxPasswordAge: aws.Int32(90),
		PasswordReusePrevention: aws.Int32(24), HardExpiry: aws.Bool(true),
	})
	iamTNoErr(t, err, "UpdateAccountPasswordPolicy")
	got, err := c.GetAccountPasswordPolicy(bg, &iam.GetAccountPasswordPolicyInput{})
	iamTNoErr(t, err, "GetAccountPasswordPolicy")
	pp := got.PasswordPolicy
	if aws.ToInt32(pp.MinimumPasswordLength) != 14 || !pp.RequireSymbols || !pp.RequireNumbers || !pp.RequireUppercaseCharacters ||
		!pp.RequireLowercaseCharacters || !pp.AllowUsersToChangePassword || !pp.ExpirePasswords ||
		aws.ToInt32(pp.MaxPasswordAge) != 90 || aws.ToInt32(pp.PasswordReusePrevention) != 24 || !aws.ToBool(pp.HardExpiry) {
		t.Fatalf("policy read back = %+v", *pp)
	}

	// Not a partial update: what is omitted reverts to its default.
	_, err = c.UpdateAccountPasswordPolicy(bg, &iam.UpdateAccountPasswordPolicyInput{MinimumPasswordLength: aws.Int32(20)})
	iamTNoErr(t, err, "UpdateAccountPasswordPolicy (partial)")
	got, err = c.GetAccountPasswordPolicy(bg, &iam.GetAccountPasswordPolicyInput{})
	iamTNoErr(t, err, "GetAccountPasswordPolicy")
	pp = got.PasswordPolicy
	if aws.ToInt32(pp.MinimumPasswordLength) != 20 || pp.RequireSymbols || pp.RequireNumbers || pp.RequireUppercaseCharacters ||
		pp.RequireLowercaseCharacters || pp.AllowUsersToChangePassword || pp.ExpirePasswords ||
		aws.ToInt32(pp.MaxPasswordAge) != 0 || aws.ToInt32(pp.PasswordReusePrevention) != 0 || aws.ToBool(pp.HardExpiry) {
		t.Fatalf("after update with only MinimumPasswordLength: %+v", *pp)
	}
	// An empty update gives the defaults (minimum length 6).
	_, err = c.UpdateAccountPasswordPolicy(bg, &iam.UpdateAccountPasswordPolicyInput{})
	iamTNoErr(t, err, "UpdateAccountPasswordPolicy (empty)")
	got, _ = c.GetAccountPasswordPolicy(bg, &iam.GetAccountPasswordPolicyInput{})
	if aws.ToInt32(got.PasswordPolicy.MinimumPasswordLength) != 6 {
		t.Fatalf("default minimum length = %d", aws.ToInt32(got.PasswordPolicy.MinimumPasswordLength))
	}

	for _, tc := range []struct {
		in  iam.UpdateAccountPasswordPolicyInput
		msg string
	}{
		{iam.UpdateAccountPasswordPolicyInput{MinimumPasswordLength: aws.Int32(5)},
			"1 validation error detected: Value '5' at 'minimumPasswordLength' failed to satisfy constraint: Member must have value greater than or equal to 6"},
		{iam.UpdateAccountPasswordPolicyInput{MinimumPasswordLength: aws.Int32(129)},
			"Value '129' at 'minimumPasswordLength' failed to satisfy constraint: Member must have value less than or equal to 128"},
		{iam.UpdateAccountPasswordPolicyInput{MaxPasswordAge: aws.Int32(0)},
			"Value '0' at 'maxPasswordAge' failed to satisfy constraint: Member must have value greater than or equal to 1"},
		{iam.UpdateAccountPasswordPolicyInput{MaxPasswordAge: aws.Int32(1096)},
			"Value '1096' at 'maxPasswordAge' failed to satisfy constraint: Member must have value less than or equal to 1095"},
		{iam.UpdateAccountPasswordPolicyInput{PasswordReusePrevention: aws.Int32(0)},
			"Value '0' at 'passwordReusePrevention' failed to satisfy constraint: Member must have value greater than or equal to 1"},
		{iam.UpdateAccountPasswordPolicyInput{PasswordReusePrevention: aws.Int32(25)},
			"Value '25' at 'passwordReusePrevention' failed to satisfy constraint: Member must have value less than or equal to 24"},
		{iam.UpdateAccountPasswordPolicyInput{MinimumPasswordLength: aws.Int32(1), PasswordReusePrevention: aws.Int32(25)},
			"2 validation errors detected: "},
	} {
		_, err := c.UpdateAccountPasswordPolicy(bg, &tc.in)
		iamTWant(t, err, "ValidationError", 400, tc.msg)
	}
	// A rejected update leaves the policy as it was.
	got, _ = c.GetAccountPasswordPolicy(bg, &iam.GetAccountPasswordPolicyInput{})
	if aws.ToInt32(got.PasswordPolicy.MinimumPasswordLength) != 6 {
		t.Fatalf("rejected update changed the policy: %+v", *got.PasswordPolicy)
	}

	_, err = c.DeleteAccountPasswordPolicy(bg, &iam.DeleteAccountPasswordPolicyInput{})
	iamTNoErr(t, err, "DeleteAccountPasswordPolicy")
	_, err = c.GetAccountPasswordPolicy(bg, &iam.GetAccountPasswordPolicyInput{})
	iamTWant(t, err, "NoSuchEntity", 404, "The Password Policy with domain name "+acct+" cannot be found.")
}

func TestIAMListUsersPagination(t *testing.T) {
	e := newEnv(t, orgsim.Options{Seed: 2})
	c := e.iam(e.cfg)
	before := iamTAllUsers(t, c, nil)
	for i := 0; i < 150; i++ {
		in := &iam.CreateUserInput{UserName: aws.String(fmt.Sprintf("user-%03d", i))}
		if i%10 == 0 {
			in.Path = aws.String("/eng/")
		}
		_, err := c.CreateUser(bg, in)
		iamTNoErr(t, err, "CreateUser")
	}
	total := len(before) + 150
	p := iam.NewListUsersPaginator(c, &iam.ListUsersInput{MaxItems: aws.Int32(40)})
	var names []string
	pages := 0
	for p.HasMorePages() {
		out, err := p.NextPage(bg)
		iamTNoErr(t, err, "ListUsers page")
		pages++
		last := len(names)+len(out.Users) == total
		if out.IsTruncated == last || (out.Marker == nil) != last {
			t.Fatalf("page %d: IsTruncated=%v Marker=%v with %d of %d users", pages, out.IsTruncated, out.Marker, len(names)+len(out.Users), total)
		}
		if !last && len(out.Users) != 40 {
			t.Fatalf("page %d has %d users", pages, len(out.Users))
		}
		for _, u := range out.Users {
			names = append(names, aws.ToString(u.UserName))
			if u.UserId == nil || u.Arn == nil || u.CreateDate == nil || u.Path == nil {
				t.Fatalf("incomplete user %+v", u)
			}
		}
	}
	if pages != (total+39)/40 || len(names) != total {
		t.Fatalf("%d pages, %d users; want %d users", pages, len(names), total)
	}
	if !sort.SliceIsSorted(names, func(i, j int) bool { return strings.ToLower(names[i]) < strings.ToLower(names[j]) }) {
		t.Fatalf("users not sorted: %v", names)
	}
	eng := iamTAllUsers(t, c, aws.String("/eng/"))
	if len(eng) != 15 {
		t.Fatalf("PathPrefix /eng/: %d users, want 15", len(eng))
	}
	if got := aws.ToString(eng[0].Arn); got != "arn:aws:iam::"+e.sim.ManagementAccountID()+":user/eng/user-000" {
		t.Fatalf("arn with path = %s", got)
	}

	_, err := c.ListUsers(bg, &iam.ListUsersInput{MaxItems: aws.Int32(0)})
	iamTWant(t, err, "ValidationError", 400, "Value '0' at 'maxItems' failed to satisfy constraint: Member must have value greater than or equal to 1")
	_, err = c.ListUsers(bg, &iam.ListUsersInput{MaxItems: aws.Int32(1001)})
	iamTWant(t, err, "ValidationError", 400, "Member must have value less than or equal to 1000")
	_, err = c.ListUsers(bg, &iam.ListUsersInput{Marker: aws.String("bogus")})
	iamTWant(t, err, "ValidationError", 400, "")
	// Default page size is 100.
	out, err := c.ListUsers(bg, &iam.ListUsersInput{})
	iamTNoErr(t, err, "ListUsers")
	if len(out.Users) != 100 || !out.IsTruncated || out.Marker == nil {
		t.Fatalf("default page: %d users truncated=%v", len(out.Users), out.IsTruncated)
	}
}

func iamTAllUsers(t *testing.T, c *iam.Client, prefix *string) []types.User {
	t.Helper()
	var all []types.User
	p := iam.NewListUsersPaginator(c, &iam.ListUsersInput{PathPrefix: prefix})
	for p.HasMorePages() {
		out, err := p.NextPage(bg)
		iamTNoErr(t, err, "ListUsers")
		all = append(all, out.Users...)
	}
	return all
}

func TestIAMUsersKeysLoginMFA(t *testing.T) {
	e := newEnv(t, orgsim.Options{Seed: 3})
	c := e.iam(e.cfg)
	acct := e.sim.ManagementAccountID()

	cu, err := c.CreateUser(bg, &iam.CreateUserInput{UserName: aws.String("alice"), Path: aws.String("/people/"),
		Tags: []types.Tag{{Key: aws.String("team"), Value: aws.String("a")}}})
	iamTNoErr(t, err, "CreateUser")
	if aws.ToString(cu.User.Arn) != "arn:aws:iam::"+acct+":user/people/alice" || !strings.HasPrefix(aws.ToString(cu.User.UserId), "AIDA") {
		t.Fatalf("created user %+v", cu.User)
	}
	_, err = c.CreateUser(bg, &iam.CreateUserInput{UserName: aws.String("ALICE")})
	iamTWant(t, err, "EntityAlreadyExists", 409, "User with name ALICE already exists.")
	_, err = c.CreateUser(bg, &iam.CreateUserInput{UserName: aws.String("bad name")})
	iamTWant(t, err, "ValidationError", 400, `1 validation error detected: Value 'bad name' at 'userName' failed to satisfy constraint: Member must satisfy regular expression pattern: [\w+=,.@-]+`)
	_, err = c.CreateUser(bg, &iam.CreateUserInput{UserName: aws.String(strings.Repeat("x", 65))})
	iamTWant(t, err, "ValidationError", 400, "Member must have length less than or equal to 64")
	_, err = c.CreateUser(bg, &iam.CreateUserInput{UserName: aws.String("bob"), Path: aws.String("nopath")})
	iamTWant(t, err, "ValidationError", 400, "at 'path' failed to satisfy constraint")

	gu, err := c.GetUser(bg, &iam.GetUserInput{UserName: aws.String("alice")})
	iamTNoErr(t, err, "GetUser")
	if aws.ToString(gu.User.Path) != "/people/" || len(gu.User.Tags) != 1 || aws.ToString(gu.User.Tags[0].Value) != "a" {
		t.Fatalf("GetUser = %+v", gu.User)
	}
	self, err := c.GetUser(bg, &iam.GetUserInput{})
	iamTNoErr(t, err, "GetUser (self)")
	if aws.ToString(self.User.UserName) != "orgsim-admin" {
		t.Fatalf("GetUser without a name = %+v", self.User)
	}
	_, err = c.GetUser(bg, &iam.GetUserInput{UserName: aws.String("nobody")})
	iamTWant(t, err, "NoSuchEntity", 404, "The user with name nobody cannot be found.")
	for name, call := range map[string]func() error{
		"ListAccessKeys": func() error {
			_, err := c.ListAccessKeys(bg, &iam.ListAccessKeysInput{UserName: aws.String("nobody")})
			return err
		},
		"ListMFADevices": func() error {
			_, err := c.ListMFADevices(bg, &iam.ListMFADevicesInput{UserName: aws.String("nobody")})
			return err
		},
		"GetLoginProfile": func() error {
			_, err := c.GetLoginProfile(bg, &iam.GetLoginProfileInput{UserName: aws.String("nobody")})
			return err
		},
		"ListAttachedUserPolicies": func() error {
			_, err := c.ListAttachedUserPolicies(bg, &iam.ListAttachedUserPoliciesInput{UserName: aws.String("nobody")})
			return err
		},
		"ListUserPolicies": func() error {
			_, err := c.ListUserPolicies(bg, &iam.ListUserPoliciesInput{UserName: aws.String("nobody")})
			return err
		},
		"ListGroupsForUser": func() error {
			_, err := c.ListGroupsForUser(bg, &iam.ListGroupsForUserInput{UserName: aws.String("nobody")})
			return err
		},
		"DeleteUser": func() error {
			_, err := c.DeleteUser(bg, &iam.DeleteUserInput{UserName: aws.String("nobody")})
			return err
		},
	} {
		t.Run("unknown user "+name, func(t *testing.T) {
			iamTWant(t, call(), "NoSuchEntity", 404, "The user with name nobody cannot be found.")
		})
	}

	// Access keys.
	k1, err := c.CreateAccessKey(bg, &iam.CreateAccessKeyInput{UserName: aws.String("alice")})
	iamTNoErr(t, err, "CreateAccessKey")
	if !strings.HasPrefix(aws.ToString(k1.AccessKey.AccessKeyId), "AKIA") || len(aws.ToString(k1.AccessKey.SecretAccessKey)) != 40 ||
		k1.AccessKey.Status != types.StatusTypeActive || aws.ToString(k1.AccessKey.UserName) != "alice" {
		t.Fatalf("CreateAccessKey = %+v", k1.AccessKey)
	}
	_, err = c.CreateAccessKey(bg, &iam.CreateAccessKeyInput{UserName: aws.String("alice")})
	iamTNoErr(t, err, "CreateAccessKey 2")
	_, err = c.CreateAccessKey(bg, &iam.CreateAccessKeyInput{UserName: aws.String("alice")})
	iamTWant(t, err, "LimitExceeded", 409, "Cannot exceed quota for AccessKeysPerUser: 2")
	_, err = c.UpdateAccessKey(bg, &iam.UpdateAccessKeyInput{UserName: aws.String("alice"), AccessKeyId: k1.AccessKey.AccessKeyId, Status: types.StatusTypeInactive})
	iamTNoErr(t, err, "UpdateAccessKey")
	lk, err := c.ListAccessKeys(bg, &iam.ListAccessKeysInput{UserName: aws.String("alice")})
	iamTNoErr(t, err, "ListAccessKeys")
	if len(lk.AccessKeyMetadata) != 2 || lk.AccessKeyMetadata[0].Status != types.StatusTypeInactive || lk.AccessKeyMetadata[1].Status != types.StatusTypeActive {
		t.Fatalf("ListAccessKeys = %+v", lk.AccessKeyMetadata)
	}
	lu, err := c.GetAccessKeyLastUsed(bg, &iam.GetAccessKeyLastUsedInput{AccessKeyId: k1.AccessKey.AccessKeyId})
	iamTNoErr(t, err, "GetAccessKeyLastUsed")
	if aws.ToString(lu.UserName) != "alice" || lu.AccessKeyLastUsed.LastUsedDate != nil || aws.ToString(lu.AccessKeyLastUsed.ServiceName) != "N/A" || aws.ToString(lu.AccessKeyLastUsed.Region) != "N/A" {
		t.Fatalf("GetAccessKeyLastUsed = %+v %+v", lu.UserName, lu.AccessKeyLastUsed)
	}
	_, err = c.UpdateAccessKey(bg, &iam.UpdateAccessKeyInput{UserName: aws.String("alice"), AccessKeyId: aws.String("AKIAXXXXXXXXXXXXXXXX"), Status: types.StatusTypeActive})
	iamTWant(t, err, "NoSuchEntity", 404, "The Access Key with id AKIAXXXXXXXXXXXXXXXX cannot be found.")
	_, err = c.UpdateAccessKey(bg, &iam.UpdateAccessKeyInput{UserName: aws.String("alice"), AccessKeyId: k1.AccessKey.AccessKeyId, Status: "Sleepy"})
	iamTWant(t, err, "ValidationError", 400, "Member must satisfy enum value set: [Active, Inactive, Expired]")
	// The admin's own keys, without a user name.
	own, err := c.ListAccessKeys(bg, &iam.ListAccessKeysInput{})
	iamTNoErr(t, err, "ListAccessKeys (self)")
	if len(own.AccessKeyMetadata) != 1 || aws.ToString(own.AccessKeyMetadata[0].AccessKeyId) != e.sim.ManagementCredentials().AccessKeyID {
		t.Fatalf("own keys = %+v", own.AccessKeyMetadata)
	}

	// Login profile.
	_, err = c.GetLoginProfile(bg, &iam.GetLoginProfileInput{UserName: aws.String("alice")})
	iamTWant(t, err, "NoSuchEntity", 404, "Login Profile for User alice cannot be found.")
	_, err = c.DeleteLoginProfile(bg, &iam.DeleteLoginProfileInput{UserName: aws.String("alice")})
	iamTWant(t, err, "NoSuchEntity", 404, "Login Profile for User alice cannot be found.")
	_, err = c.CreateLoginProfile(bg, &iam.CreateLoginProfileInput{UserName: aws.String("alice"), Password: aws.String("short")})
	iamTWant(t, err, "PasswordPolicyViolation", 400, "minimum length")
	_, err = c.CreateLoginProfile(bg, &iam.CreateLoginProfileInput{UserName: aws.String("alice"), Password: aws.String("Correct-Horse-9"), PasswordResetRequired: true})
	iamTNoErr(t, err, "CreateLoginProfile")
	glp, err := c.GetLoginProfile(bg, &iam.GetLoginProfileInput{UserName: aws.String("alice")})
	iamTNoErr(t, err, "GetLoginProfile")
	if aws.ToString(glp.LoginProfile.UserName) != "alice" || !glp.LoginProfile.PasswordResetRequired || glp.LoginProfile.CreateDate == nil {
		t.Fatalf("GetLoginProfile = %+v", glp.LoginProfile)
	}
	_, err = c.CreateLoginProfile(bg, &iam.CreateLoginProfileInput{UserName: aws.String("alice"), Password: aws.String("Correct-Horse-9")})
	iamTWant(t, err, "EntityAlreadyExists", 409, "")

	// MFA.
	vm, err := c.CreateVirtualMFADevice(bg, &iam.CreateVirtualMFADeviceInput{VirtualMFADeviceName: aws.String("alice-phone")})
	iamTNoErr(t, err, "CreateVirtualMFADevice")
	serial := aws.ToString(vm.VirtualMFADevice.SerialNumber)
	if serial != "arn:aws:iam::"+acct+":mfa/alice-phone" || len(vm.VirtualMFADevice.Base32StringSeed) == 0 || len(vm.VirtualMFADevice.QRCodePNG) == 0 {
		t.Fatalf("CreateVirtualMFADevice = %+v", vm.VirtualMFADevice)
	}
	_, err = c.CreateVirtualMFADevice(bg, &iam.CreateVirtualMFADeviceInput{VirtualMFADeviceName: aws.String("alice-phone")})
	iamTWant(t, err, "EntityAlreadyExists", 409, "")
	un, err := c.ListVirtualMFADevices(bg, &iam.ListVirtualMFADevicesInput{AssignmentStatus: types.AssignmentStatusTypeUnassigned})
	iamTNoErr(t, err, "ListVirtualMFADevices")
	if len(un.VirtualMFADevices) != 1 || aws.ToString(un.VirtualMFADevices[0].SerialNumber) != serial || un.VirtualMFADevices[0].User != nil {
		t.Fatalf("unassigned devices = %+v", un.VirtualMFADevices)
	}
	_, err = c.EnableMFADevice(bg, &iam.EnableMFADeviceInput{UserName: aws.String("alice"), SerialNumber: aws.String(serial),
		AuthenticationCode1: aws.String("123456"), AuthenticationCode2: aws.String("654321")})
	iamTNoErr(t, err, "EnableMFADevice")
	_, err = c.EnableMFADevice(bg, &iam.EnableMFADeviceInput{UserName: aws.String("alice"), SerialNumber: aws.String(serial),
		AuthenticationCode1: aws.String("12345"), AuthenticationCode2: aws.String("654321")})
	iamTWant(t, err, "ValidationError", 400, "at 'authenticationCode1'")
	md, err := c.ListMFADevices(bg, &iam.ListMFADevicesInput{UserName: aws.String("alice")})
	iamTNoErr(t, err, "ListMFADevices")
	if len(md.MFADevices) != 1 || aws.ToString(md.MFADevices[0].SerialNumber) != serial || aws.ToString(md.MFADevices[0].UserName) != "alice" || md.MFADevices[0].EnableDate == nil {
		t.Fatalf("ListMFADevices = %+v", md.MFADevices)
	}
	as, err := c.ListVirtualMFADevices(bg, &iam.ListVirtualMFADevicesInput{AssignmentStatus: types.AssignmentStatusTypeAssigned})
	iamTNoErr(t, err, "ListVirtualMFADevices assigned")
	found := false
	for _, d := range as.VirtualMFADevices {
		if aws.ToString(d.SerialNumber) == serial {
			found = d.User != nil && aws.ToString(d.User.UserName) == "alice" && d.EnableDate != nil
		}
	}
	if !found {
		t.Fatalf("assigned devices = %+v", as.VirtualMFADevices)
	}
	_, err = c.DeleteVirtualMFADevice(bg, &iam.DeleteVirtualMFADeviceInput{SerialNumber: aws.String(serial)})
	iamTWant(t, err, "DeleteConflict", 409, "")

	// Policies and groups.
	ro := orgsim.AWSManagedPolicyARN("ReadOnlyAccess")
	_, err = c.AttachUserPolicy(bg, &iam.AttachUserPolicyInput{UserName: aws.String("alice"), PolicyArn: aws.String(ro)})
	iamTNoErr(t, err, "AttachUserPolicy")
	_, err = c.AttachUserPolicy(bg, &iam.AttachUserPolicyInput{UserName: aws.String("alice"), PolicyArn: aws.String("arn:aws:iam::aws:policy/Nope")})
	iamTWant(t, err, "NoSuchEntity", 404, "Policy arn:aws:iam::aws:policy/Nope does not exist or is not attachable.")
	_, err = c.AttachUserPolicy(bg, &iam.AttachUserPolicyInput{UserName: aws.String("nobody"), PolicyArn: aws.String(ro)})
	iamTWant(t, err, "NoSuchEntity", 404, "The user with name nobody cannot be found.")
	at, err := c.ListAttachedUserPolicies(bg, &iam.ListAttachedUserPoliciesInput{UserName: aws.String("alice")})
	iamTNoErr(t, err, "ListAttachedUserPolicies")
	if len(at.AttachedPolicies) != 1 || aws.ToString(at.AttachedPolicies[0].PolicyName) != "ReadOnlyAccess" || aws.ToString(at.AttachedPolicies[0].PolicyArn) != ro {
		t.Fatalf("attached = %+v", at.AttachedPolicies)
	}
	_, err = c.DetachUserPolicy(bg, &iam.DetachUserPolicyInput{UserName: aws.String("alice"), PolicyArn: aws.String(orgsim.AWSManagedPolicyARN("SecurityAudit"))})
	iamTWant(t, err, "NoSuchEntity", 404, "was not found")

	_, err = c.PutUserPolicy(bg, &iam.PutUserPolicyInput{UserName: aws.String("alice"), PolicyName: aws.String("s3read"), PolicyDocument: aws.String(iamTReadS3)})
	iamTNoErr(t, err, "PutUserPolicy")
	_, err = c.PutUserPolicy(bg, &iam.PutUserPolicyInput{UserName: aws.String("alice"), PolicyName: aws.String("bad"),
		PolicyDocument: aws.String(`{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":"*","Action":"s3:*","Resource":"*"}]}`)})
	iamTWant(t, err, "MalformedPolicyDocument", 400, "")
	_, err = c.PutUserPolicy(bg, &iam.PutUserPolicyInput{UserName: aws.String("alice"), PolicyName: aws.String("bad"), PolicyDocument: aws.String(`{not json`)})
	iamTWant(t, err, "MalformedPolicyDocument", 400, "")
	big := `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"s3:GetObject","Resource":"arn:aws:s3:::` + strings.Repeat("b", 2100) + `"}]}`
	_, err = c.PutUserPolicy(bg, &iam.PutUserPolicyInput{UserName: aws.String("alice"), PolicyName: aws.String("big"), PolicyDocument: aws.String(big)})
	iamTWant(t, err, "LimitExceeded", 409, "Maximum policy size of 2048 bytes exceeded for user alice")
	lp, err := c.ListUserPolicies(bg, &iam.ListUserPoliciesInput{UserName: aws.String("alice")})
	iamTNoErr(t, err, "ListUserPolicies")
	if len(lp.PolicyNames) != 1 || lp.PolicyNames[0] != "s3read" {
		t.Fatalf("ListUserPolicies = %v", lp.PolicyNames)
	}
	gp, err := c.GetUserPolicy(bg, &iam.GetUserPolicyInput{UserName: aws.String("alice"), PolicyName: aws.String("s3read")})
	iamTNoErr(t, err, "GetUserPolicy")
	if doc, _ := url.QueryUnescape(aws.ToString(gp.PolicyDocument)); doc != iamTReadS3 || strings.ContainsAny(aws.ToString(gp.PolicyDocument), "{ \"") {
		t.Fatalf("GetUserPolicy document = %q", aws.ToString(gp.PolicyDocument))
	}
	_, err = c.GetUserPolicy(bg, &iam.GetUserPolicyInput{UserName: aws.String("alice"), PolicyName: aws.String("nope")})
	iamTWant(t, err, "NoSuchEntity", 404, "The user policy with name nope cannot be found.")

	_, err = c.CreateGroup(bg, &iam.CreateGroupInput{GroupName: aws.String("admins")})
	iamTNoErr(t, err, "CreateGroup")
	_, err = c.CreateGroup(bg, &iam.CreateGroupInput{GroupName: aws.String("admins")})
	iamTWant(t, err, "EntityAlreadyExists", 409, "Group with name admins already exists.")
	_, err = c.AddUserToGroup(bg, &iam.AddUserToGroupInput{GroupName: aws.String("admins"), UserName: aws.String("alice")})
	iamTNoErr(t, err, "AddUserToGroup")
	_, err = c.AddUserToGroup(bg, &iam.AddUserToGroupInput{GroupName: aws.String("nogroup"), UserName: aws.String("alice")})
	iamTWant(t, err, "NoSuchEntity", 404, "The group with name nogroup cannot be found.")
	_, err = c.AttachGroupPolicy(bg, &iam.AttachGroupPolicyInput{GroupName: aws.String("admins"), PolicyArn: aws.String(orgsim.AWSManagedPolicyARN("AdministratorAccess"))})
	iamTNoErr(t, err, "AttachGroupPolicy")
	_, err = c.PutGroupPolicy(bg, &iam.PutGroupPolicyInput{GroupName: aws.String("admins"), PolicyName: aws.String("inline"), PolicyDocument: aws.String(iamTReadS3)})
	iamTNoErr(t, err, "PutGroupPolicy")
	gfu, err := c.ListGroupsForUser(bg, &iam.ListGroupsForUserInput{UserName: aws.String("alice")})
	iamTNoErr(t, err, "ListGroupsForUser")
	if len(gfu.Groups) != 1 || aws.ToString(gfu.Groups[0].GroupName) != "admins" || aws.ToString(gfu.Groups[0].Arn) != "arn:aws:iam::"+acct+":group/admins" {
		t.Fatalf("ListGroupsForUser = %+v", gfu.Groups)
	}
	lg, err := c.ListGroups(bg, &iam.ListGroupsInput{})
	iamTNoErr(t, err, "ListGroups")
	if len(lg.Groups) != 1 {
		t.Fatalf("ListGroups = %+v", lg.Groups)
	}
	agp, err := c.ListAttachedGroupPolicies(bg, &iam.ListAttachedGroupPoliciesInput{GroupName: aws.String("admins")})
	iamTNoErr(t, err, "ListAttachedGroupPolicies")
	if len(agp.AttachedPolicies) != 1 || aws.ToString(agp.AttachedPolicies[0].PolicyName) != "AdministratorAccess" {
		t.Fatalf("ListAttachedGroupPolicies = %+v", agp.AttachedPolicies)
	}
	lgp, err := c.ListGroupPolicies(bg, &iam.ListGroupPoliciesInput{GroupName: aws.String("admins")})
	iamTNoErr(t, err, "ListGroupPolicies")
	if len(lgp.PolicyNames) != 1 || lgp.PolicyNames[0] != "inline" {
		t.Fatalf("ListGroupPolicies = %v", lgp.PolicyNames)
	}
	gg, err := c.GetGroup(bg, &iam.GetGroupInput{GroupName: aws.String("admins")})
	iamTNoErr(t, err, "GetGroup")
	if len(gg.Users) != 1 || aws.ToString(gg.Users[0].UserName) != "alice" {
		t.Fatalf("GetGroup users = %+v", gg.Users)
	}
	_, err = c.DeleteGroup(bg, &iam.DeleteGroupInput{GroupName: aws.String("admins")})
	iamTWant(t, err, "DeleteConflict", 409, "Cannot delete entity, must remove users from group first.")

	// DeleteUser refuses while anything hangs off the user.
	steps := []struct {
		msg   string
		clean func() error
	}{
		{"must delete login profile first", func() error {
			_, err := c.DeleteLoginProfile(bg, &iam.DeleteLoginProfileInput{UserName: aws.String("alice")})
			return err
		}},
		{"must delete access keys first", func() error {
			for _, k := range lk.AccessKeyMetadata {
				if _, err := c.DeleteAccessKey(bg, &iam.DeleteAccessKeyInput{UserName: aws.String("alice"), AccessKeyId: k.AccessKeyId}); err != nil {
					return err
				}
			}
			return nil
		}},
		{"must delete MFA device first", func() error {
			_, err := c.DeactivateMFADevice(bg, &iam.DeactivateMFADeviceInput{UserName: aws.String("alice"), SerialNumber: aws.String(serial)})
			return err
		}},
		{"must detach all policies first", func() error {
			_, err := c.DetachUserPolicy(bg, &iam.DetachUserPolicyInput{UserName: aws.String("alice"), PolicyArn: aws.String(ro)})
			return err
		}},
		{"must delete policies first", func() error {
			_, err := c.DeleteUserPolicy(bg, &iam.DeleteUserPolicyInput{UserName: aws.String("alice"), PolicyName: aws.String("s3read")})
			return err
		}},
		{"must remove users from group first", func() error {
			_, err := c.RemoveUserFromGroup(bg, &iam.RemoveUserFromGroupInput{UserName: aws.String("alice"), GroupName: aws.String("admins")})
			return err
		}},
	}
	for _, s := range steps {
		_, err := c.DeleteUser(bg, &iam.DeleteUserInput{UserName: aws.String("alice")})
		iamTWant(t, err, "DeleteConflict", 409, "Cannot delete entity, "+s.msg+".")
		iamTNoErr(t, s.clean(), "clean up for "+s.msg)
	}
	_, err = c.DeleteUser(bg, &iam.DeleteUserInput{UserName: aws.String("alice")})
	iamTNoErr(t, err, "DeleteUser")
	_, err = c.GetUser(bg, &iam.GetUserInput{UserName: aws.String("alice")})
	iamTWant(t, err, "NoSuchEntity", 404, "The user with name alice cannot be found.")
	_, err = c.DeleteVirtualMFADevice(bg, &iam.DeleteVirtualMFADeviceInput{SerialNumber: aws.String(serial)})
	iamTNoErr(t, err, "DeleteVirtualMFADevice")
}

func TestIAMRoles(t *testing.T) {
	e := newEnv(t, orgsim.Options{Seed: 4})
	c := e.iam(e.cfg)
	acct := e.sim.ManagementAccountID()

	cr, err := c.CreateRole(bg, &iam.CreateRoleInput{
		RoleName: aws.String("app"), Path: aws.String("/svc/"), AssumeRolePolicyDocument: aws.String(iamTTrustEC2),
		MaxSessionDuration: aws.Int32(7200), Description: aws.String("the app"),
		Tags: []types.Tag{{Key: aws.String("k"), Value: aws.String("v")}},
	})
	iamTNoErr(t, err, "CreateRole")
	if aws.ToString(cr.Role.Arn) != "arn:aws:iam::"+acct+":role/svc/app" || !strings.HasPrefix(aws.ToString(cr.Role.RoleId), "AROA") {
		t.Fatalf("CreateRole = %+v", cr.Role)
	}
	gr, err := c.GetRole(bg, &iam.GetRoleInput{RoleName: aws.String("app")})
	iamTNoErr(t, err, "GetRole")
	r := gr.Role
	if enc := aws.ToString(r.AssumeRolePolicyDocument); enc != url.QueryEscape(iamTTrustEC2) {
		t.Fatalf("AssumeRolePolicyDocument = %q, want it URL-encoded", enc)
	}
	if aws.ToInt32(r.MaxSessionDuration) != 7200 || aws.ToString(r.Description) != "the app" || r.RoleLastUsed == nil ||
		r.RoleLastUsed.LastUsedDate != nil || len(r.Tags) != 1 || aws.ToString(r.Path) != "/svc/" {
		t.Fatalf("GetRole = %+v", r)
	}

	for _, tc := range []struct {
		in        iam.CreateRoleInput
		code, msg string
		status    int
	}{
		{iam.CreateRoleInput{RoleName: aws.String("app"), AssumeRolePolicyDocument: aws.String(iamTTrustEC2)},
			"EntityAlreadyExists", "Role with name app already exists.", 409},
		{iam.CreateRoleInput{RoleName: aws.String("short"), AssumeRolePolicyDocument: aws.String(iamTTrustEC2), MaxSessionDuration: aws.Int32(100)},
			"ValidationError", "1 validation error detected: Value '100' at 'maxSessionDuration' failed to satisfy constraint: Member must have value greater than or equal to 3600", 400},
		{iam.CreateRoleInput{RoleName: aws.String("long"), AssumeRolePolicyDocument: aws.String(iamTTrustEC2), MaxSessionDuration: aws.Int32(43201)},
			"ValidationError", "Member must have value less than or equal to 43200", 400},
		{iam.CreateRoleInput{RoleName: aws.String("noprincipal"), AssumeRolePolicyDocument: aws.String(`{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"sts:AssumeRole"}]}`)},
			"MalformedPolicyDocument", "", 400},
		{iam.CreateRoleInput{RoleName: aws.String("ghost"), AssumeRolePolicyDocument: aws.String(`{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"AWS":"arn:aws:iam::` + acct + `:role/missing"},"Action":"sts:AssumeRole"}]}`)},
			"MalformedPolicyDocument", `Invalid principal in policy: "AWS":"arn:aws:iam::` + acct + `:role/missing"`, 400},
		{iam.CreateRoleInput{RoleName: aws.String("bad/name"), AssumeRolePolicyDocument: aws.String(iamTTrustEC2)},
			"ValidationError", "at 'roleName' failed to satisfy constraint: Member must satisfy regular expression pattern", 400},
	} {
		_, err := c.CreateRole(bg, &tc.in)
		iamTWant(t, err, tc.code, tc.status, tc.msg)
	}
	// A trust policy naming an existing principal or an account is fine.
	_, err = c.CreateRole(bg, &iam.CreateRoleInput{RoleName: aws.String("cross"),
		AssumeRolePolicyDocument: aws.String(`{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"AWS":["arn:aws:iam::` + acct + `:user/orgsim-admin","111122223333"]},"Action":"sts:AssumeRole"}]}`)})
	iamTNoErr(t, err, "CreateRole cross")

	newTrust := `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"AWS":"arn:aws:iam::` + acct + `:root"},"Action":"sts:AssumeRole"}]}`
	_, err = c.UpdateAssumeRolePolicy(bg, &iam.UpdateAssumeRolePolicyInput{RoleName: aws.String("app"), PolicyDocument: aws.String(newTrust)})
	iamTNoErr(t, err, "UpdateAssumeRolePolicy")
	gr, _ = c.GetRole(bg, &iam.GetRoleInput{RoleName: aws.String("APP")}) // names are case-insensitive
	if doc, _ := url.QueryUnescape(aws.ToString(gr.Role.AssumeRolePolicyDocument)); doc != newTrust {
		t.Fatalf("trust after update = %q", doc)
	}
	_, err = c.UpdateAssumeRolePolicy(bg, &iam.UpdateAssumeRolePolicyInput{RoleName: aws.String("app"), PolicyDocument: aws.String(iamTReadS3)})
	iamTWant(t, err, "MalformedPolicyDocument", 400, "")
	_, err = c.UpdateAssumeRolePolicy(bg, &iam.UpdateAssumeRolePolicyInput{RoleName: aws.String("app"),
		PolicyDocument: aws.String(`{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"AWS":"` + acct + `"},"Action":"s3:GetObject"}]}`)})
	iamTWant(t, err, "MalformedPolicyDocument", 400, "AssumeRole policy may only specify STS AssumeRole actions.")

	_, err = c.PutRolePolicy(bg, &iam.PutRolePolicyInput{RoleName: aws.String("app"), PolicyName: aws.String("s3"), PolicyDocument: aws.String(iamTReadS3)})
	iamTNoErr(t, err, "PutRolePolicy")
	grp, err := c.GetRolePolicy(bg, &iam.GetRolePolicyInput{RoleName: aws.String("app"), PolicyName: aws.String("s3")})
	iamTNoErr(t, err, "GetRolePolicy")
	if doc, _ := url.QueryUnescape(aws.ToString(grp.PolicyDocument)); doc != iamTReadS3 || aws.ToString(grp.RoleName) != "app" {
		t.Fatalf("GetRolePolicy = %q", doc)
	}
	_, err = c.GetRolePolicy(bg, &iam.GetRolePolicyInput{RoleName: aws.String("app"), PolicyName: aws.String("nope")})
	iamTWant(t, err, "NoSuchEntity", 404, "The role policy with name nope cannot be found.")
	lrp, err := c.ListRolePolicies(bg, &iam.ListRolePoliciesInput{RoleName: aws.String("app")})
	iamTNoErr(t, err, "ListRolePolicies")
	if len(lrp.PolicyNames) != 1 || lrp.PolicyNames[0] != "s3" {
		t.Fatalf("ListRolePolicies = %v", lrp.PolicyNames)
	}
	_, err = c.AttachRolePolicy(bg, &iam.AttachRolePolicyInput{RoleName: aws.String("app"), PolicyArn: aws.String(orgsim.AWSManagedPolicyARN("ReadOnlyAccess"))})
	iamTNoErr(t, err, "AttachRolePolicy")
	_, err = c.AttachRolePolicy(bg, &iam.AttachRolePolicyInput{RoleName: aws.String("app"), PolicyArn: aws.String(orgsim.AWSManagedPolicyARN("ReadOnlyAccess"))})
	iamTNoErr(t, err, "AttachRolePolicy again (no-op)")
	lar, err := c.ListAttachedRolePolicies(bg, &iam.ListAttachedRolePoliciesInput{RoleName: aws.String("app")})
	iamTNoErr(t, err, "ListAttachedRolePolicies")
	if len(lar.AttachedPolicies) != 1 || aws.ToString(lar.AttachedPolicies[0].PolicyName) != "ReadOnlyAccess" {
		t.Fatalf("ListAttachedRolePolicies = %+v", lar.AttachedPolicies)
	}
	_, err = c.AttachRolePolicy(bg, &iam.AttachRolePolicyInput{RoleName: aws.String("app"), PolicyArn: aws.String("arn:aws:iam::" + acct + ":policy/missing")})
	iamTWant(t, err, "NoSuchEntity", 404, "Policy arn:aws:iam::"+acct+":policy/missing does not exist or is not attachable.")
	_, err = c.AttachRolePolicy(bg, &iam.AttachRolePolicyInput{RoleName: aws.String("nope"), PolicyArn: aws.String(orgsim.AWSManagedPolicyARN("ReadOnlyAccess"))})
	iamTWant(t, err, "NoSuchEntity", 404, "The role with name nope cannot be found.")

	_, err = c.DeleteRole(bg, &iam.DeleteRoleInput{RoleName: aws.String("app")})
	iamTWant(t, err, "DeleteConflict", 409, "Cannot delete entity, must detach all policies first.")
	_, err = c.DetachRolePolicy(bg, &iam.DetachRolePolicyInput{RoleName: aws.String("app"), PolicyArn: aws.String(orgsim.AWSManagedPolicyARN("ReadOnlyAccess"))})
	iamTNoErr(t, err, "DetachRolePolicy")
	_, err = c.DeleteRole(bg, &iam.DeleteRoleInput{RoleName: aws.String("app")})
	iamTWant(t, err, "DeleteConflict", 409, "Cannot delete entity, must delete policies first.")
	_, err = c.DeleteRolePolicy(bg, &iam.DeleteRolePolicyInput{RoleName: aws.String("app"), PolicyName: aws.String("s3")})
	iamTNoErr(t, err, "DeleteRolePolicy")
	_, err = c.DeleteRole(bg, &iam.DeleteRoleInput{RoleName: aws.String("app")})
	iamTNoErr(t, err, "DeleteRole")
	_, err = c.GetRole(bg, &iam.GetRoleInput{RoleName: aws.String("app")})
	iamTWant(t, err, "NoSuchEntity", 404, "The role with name app cannot be found.")

	// ListRoles past the first page.
	before := iamTAllRoles(t, c, 0)
	for i := 0; i < 30; i++ {
		_, err := c.CreateRole(bg, &iam.CreateRoleInput{RoleName: aws.String(fmt.Sprintf("r%02d", i)), AssumeRolePolicyDocument: aws.String(iamTTrustEC2)})
		iamTNoErr(t, err, "CreateRole")
	}
	all := iamTAllRoles(t, c, 7)
	if len(all) != len(before)+30 {
		t.Fatalf("ListRoles paged: %d roles, want %d", len(all), len(before)+30)
	}
	seen := map[string]bool{}
	for _, r := range all {
		if seen[aws.ToString(r.RoleName)] {
			t.Fatalf("role %s listed twice", aws.ToString(r.RoleName))
		}
		seen[aws.ToString(r.RoleName)] = true
		if r.AssumeRolePolicyDocument == nil || aws.ToInt32(r.MaxSessionDuration) == 0 {
			t.Fatalf("ListRoles member %+v", r)
		}
	}
}

func iamTAllRoles(t *testing.T, c *iam.Client, max int32) []types.Role {
	t.Helper()
	in := &iam.ListRolesInput{}
	if max > 0 {
		in.MaxItems = aws.Int32(max)
	}
	var all []types.Role
	p := iam.NewListRolesPaginator(c, in)
	for p.HasMorePages() {
		out, err := p.NextPage(bg)
		iamTNoErr(t, err, "ListRoles")
		if max > 0 && p.HasMorePages() && len(out.Roles) != int(max) {
			t.Fatalf("ListRoles page of %d, want %d", len(out.Roles), max)
		}
		all = append(all, out.Roles...)
	}
	return all
}

func TestIAMServiceLinkedRoles(t *testing.T) {
	e := newEnv(t, orgsim.Options{Seed: 5})
	c := e.iam(e.cfg)
	acct := e.sim.ManagementAccountID()

	out, err := c.CreateServiceLinkedRole(bg, &iam.CreateServiceLinkedRoleInput{AWSServiceName: aws.String("config.amazonaws.com")})
	iamTNoErr(t, err, "CreateServiceLinkedRole config")
	if aws.ToString(out.Role.RoleName) != "AWSServiceRoleForConfig" || aws.ToString(out.Role.Path) != "/aws-service-role/config.amazonaws.com/" ||
		aws.ToString(out.Role.Arn) != "arn:aws:iam::"+acct+":role/aws-service-role/config.amazonaws.com/AWSServiceRoleForConfig" {
		t.Fatalf("config SLR = %+v", out.Role)
	}
	trust, _ := url.QueryUnescape(aws.ToString(out.Role.AssumeRolePolicyDocument))
	if !strings.Contains(trust, `"Service":"config.amazonaws.com"`) {
		t.Fatalf("config SLR trust = %s", trust)
	}
	at, err := c.ListAttachedRolePolicies(bg, &iam.ListAttachedRolePoliciesInput{RoleName: aws.String("AWSServiceRoleForConfig")})
	iamTNoErr(t, err, "ListAttachedRolePolicies")
	if len(at.AttachedPolicies) != 1 || aws.ToString(at.AttachedPolicies[0].PolicyName) != "AWSConfigServiceRolePolicy" ||
		aws.ToString(at.AttachedPolicies[0].PolicyArn) != "arn:aws:iam::aws:policy/aws-service-role/AWSConfigServiceRolePolicy" {
		t.Fatalf("config SLR policies = %+v", at.AttachedPolicies)
	}
	_, err = c.CreateServiceLinkedRole(bg, &iam.CreateServiceLinkedRoleInput{AWSServiceName: aws.String("config.amazonaws.com")})
	iamTWant(t, err, "InvalidInput", 400, "Service role name AWSServiceRoleForConfig has been taken in this account, please try a different suffix.")
	_, err = c.DeleteRole(bg, &iam.DeleteRoleInput{RoleName: aws.String("AWSServiceRoleForConfig")})
	iamTWant(t, err, "UnmodifiableEntity", 400, "Cannot perform the operation on the protected role 'AWSServiceRoleForConfig' - this role is only modifiable by AWS")
	_, err = c.UpdateAssumeRolePolicy(bg, &iam.UpdateAssumeRolePolicyInput{RoleName: aws.String("AWSServiceRoleForConfig"), PolicyDocument: aws.String(iamTTrustEC2)})
	iamTWant(t, err, "UnmodifiableEntity", 400, "")

	for svc, name := range map[string]string{
		"access-analyzer.amazonaws.com": "AWSServiceRoleForAccessAnalyzer",
		"cloudtrail.amazonaws.com":      "AWSServiceRoleForCloudTrail",
	} {
		out, err := c.CreateServiceLinkedRole(bg, &iam.CreateServiceLinkedRoleInput{AWSServiceName: aws.String(svc)})
		iamTNoErr(t, err, "CreateServiceLinkedRole "+svc)
		if aws.ToString(out.Role.RoleName) != name || aws.ToString(out.Role.Path) != "/aws-service-role/"+svc+"/" {
			t.Fatalf("%s SLR = %+v", svc, out.Role)
		}
	}
	_, err = c.CreateServiceLinkedRole(bg, &iam.CreateServiceLinkedRoleInput{AWSServiceName: aws.String("nonsense.amazonaws.com")})
	iamTWant(t, err, "InvalidInput", 400, "")

	del, err := c.DeleteServiceLinkedRole(bg, &iam.DeleteServiceLinkedRoleInput{RoleName: aws.String("AWSServiceRoleForConfig")})
	iamTNoErr(t, err, "DeleteServiceLinkedRole")
	st, err := c.GetServiceLinkedRoleDeletionStatus(bg, &iam.GetServiceLinkedRoleDeletionStatusInput{DeletionTaskId: del.DeletionTaskId})
	iamTNoErr(t, err, "GetServiceLinkedRoleDeletionStatus")
	if st.Status != types.DeletionTaskStatusTypeSucceeded {
		t.Fatalf("deletion status = %s", st.Status)
	}
	_, err = c.CreateServiceLinkedRole(bg, &iam.CreateServiceLinkedRoleInput{AWSServiceName: aws.String("config.amazonaws.com")})
	iamTNoErr(t, err, "CreateServiceLinkedRole config after delete")
}

func TestIAMManagedPolicies(t *testing.T) {
	e := newEnv(t, orgsim.Options{Seed: 6})
	c := e.iam(e.cfg)
	acct := e.sim.ManagementAccountID()

	cp, err := c.CreatePolicy(bg, &iam.CreatePolicyInput{PolicyName: aws.String("s3-read"), Path: aws.String("/team/"),
		PolicyDocument: aws.String(iamTReadS3), Description: aws.String("reads")})
	iamTNoErr(t, err, "CreatePolicy")
	arn := aws.ToString(cp.Policy.Arn)
	if arn != "arn:aws:iam::"+acct+":policy/team/s3-read" || aws.ToString(cp.Policy.DefaultVersionId) != "v1" ||
		!strings.HasPrefix(aws.ToString(cp.Policy.PolicyId), "ANPA") || !cp.Policy.IsAttachable {
		t.Fatalf("CreatePolicy = %+v", cp.Policy)
	}
	_, err = c.CreatePolicy(bg, &iam.CreatePolicyInput{PolicyName: aws.String("s3-read"), PolicyDocument: aws.String(iamTReadS3)})
	iamTWant(t, err, "EntityAlreadyExists", 409, "A policy called s3-read already exists.")
	_, err = c.CreatePolicy(bg, &iam.CreatePolicyInput{PolicyName: aws.String("bad"), PolicyDocument: aws.String(`{"Version":"2012-10-17"}`)})
	iamTWant(t, err, "MalformedPolicyDocument", 400, "")

	gp, err := c.GetPolicy(bg, &iam.GetPolicyInput{PolicyArn: aws.String(arn)})
	iamTNoErr(t, err, "GetPolicy")
	if aws.ToString(gp.Policy.Description) != "reads" || aws.ToInt32(gp.Policy.AttachmentCount) != 0 {
		t.Fatalf("GetPolicy = %+v", gp.Policy)
	}
	_, err = c.GetPolicy(bg, &iam.GetPolicyInput{PolicyArn: aws.String("arn:aws:iam::" + acct + ":policy/nope")})
	iamTWant(t, err, "NoSuchEntity", 404, "Policy arn:aws:iam::"+acct+":policy/nope was not found.")
	gv, err := c.GetPolicyVersion(bg, &iam.GetPolicyVersionInput{PolicyArn: aws.String(arn), VersionId: aws.String("v1")})
	iamTNoErr(t, err, "GetPolicyVersion")
	if doc, _ := url.QueryUnescape(aws.ToString(gv.PolicyVersion.Document)); doc != iamTReadS3 || !gv.PolicyVersion.IsDefaultVersion {
		t.Fatalf("GetPolicyVersion = %q default=%v", doc, gv.PolicyVersion.IsDefaultVersion)
	}
	_, err = c.GetPolicyVersion(bg, &iam.GetPolicyVersionInput{PolicyArn: aws.String(arn), VersionId: aws.String("v9")})
	iamTWant(t, err, "NoSuchEntity", 404, "")
	ro, err := c.GetPolicyVersion(bg, &iam.GetPolicyVersionInput{PolicyArn: aws.String(orgsim.AWSManagedPolicyARN("ReadOnlyAccess")), VersionId: aws.String("v1")})
	iamTNoErr(t, err, "GetPolicyVersion AWS managed")
	if doc, _ := url.QueryUnescape(aws.ToString(ro.PolicyVersion.Document)); !strings.Contains(doc, "iam:List*") {
		t.Fatalf("ReadOnlyAccess document = %s", doc)
	}

	// Versions: up to 5.
	for i := 2; i <= 5; i++ {
		out, err := c.CreatePolicyVersion(bg, &iam.CreatePolicyVersionInput{PolicyArn: aws.String(arn), PolicyDocument: aws.String(iamTReadS3), SetAsDefault: i == 5})
		iamTNoErr(t, err, "CreatePolicyVersion")
		if aws.ToString(out.PolicyVersion.VersionId) != fmt.Sprintf("v%d", i) || out.PolicyVersion.IsDefaultVersion != (i == 5) {
			t.Fatalf("CreatePolicyVersion = %+v", out.PolicyVersion)
		}
	}
	_, err = c.CreatePolicyVersion(bg, &iam.CreatePolicyVersionInput{PolicyArn: aws.String(arn), PolicyDocument: aws.String(iamTReadS3)})
	iamTWant(t, err, "LimitExceeded", 409, "A managed policy can have up to 5 versions.")
	_, err = c.DeletePolicyVersion(bg, &iam.DeletePolicyVersionInput{PolicyArn: aws.String(arn), VersionId: aws.String("v5")})
	iamTWant(t, err, "DeleteConflict", 409, "Cannot delete the default version of a policy.")
	lv, err := c.ListPolicyVersions(bg, &iam.ListPolicyVersionsInput{PolicyArn: aws.String(arn)})
	iamTNoErr(t, err, "ListPolicyVersions")
	if len(lv.Versions) != 5 || aws.ToString(lv.Versions[0].VersionId) != "v5" || !lv.Versions[0].IsDefaultVersion {
		t.Fatalf("ListPolicyVersions = %+v", lv.Versions)
	}

	// Attach to a user, a group and a role; AttachmentCount and ListEntitiesForPolicy follow.
	_, err = c.CreateUser(bg, &iam.CreateUserInput{UserName: aws.String("u1")})
	iamTNoErr(t, err, "CreateUser")
	_, err = c.CreateGroup(bg, &iam.CreateGroupInput{GroupName: aws.String("g1")})
	iamTNoErr(t, err, "CreateGroup")
	_, err = c.CreateRole(bg, &iam.CreateRoleInput{RoleName: aws.String("r1"), AssumeRolePolicyDocument: aws.String(iamTTrustEC2)})
	iamTNoErr(t, err, "CreateRole")
	_, err = c.AttachUserPolicy(bg, &iam.AttachUserPolicyInput{UserName: aws.String("u1"), PolicyArn: aws.String(arn)})
	iamTNoErr(t, err, "AttachUserPolicy")
	_, err = c.AttachGroupPolicy(bg, &iam.AttachGroupPolicyInput{GroupName: aws.String("g1"), PolicyArn: aws.String(arn)})
	iamTNoErr(t, err, "AttachGroupPolicy")
	_, err = c.AttachRolePolicy(bg, &iam.AttachRolePolicyInput{RoleName: aws.String("r1"), PolicyArn: aws.String(arn)})
	iamTNoErr(t, err, "AttachRolePolicy")
	_, err = c.AttachRolePolicy(bg, &iam.AttachRolePolicyInput{RoleName: aws.String("r1"), PolicyArn: aws.String(orgsim.AWSManagedPolicyARN("AWSSupportAccess"))})
	iamTNoErr(t, err, "AttachRolePolicy AWSSupportAccess")

	gp, _ = c.GetPolicy(bg, &iam.GetPolicyInput{PolicyArn: aws.String(arn)})
	if aws.ToInt32(gp.Policy.AttachmentCount) != 3 {
		t.Fatalf("AttachmentCount = %d, want 3", aws.ToInt32(gp.Policy.AttachmentCount))
	}
	ents, err := c.ListEntitiesForPolicy(bg, &iam.ListEntitiesForPolicyInput{PolicyArn: aws.String(arn)})
	iamTNoErr(t, err, "ListEntitiesForPolicy")
	if len(ents.PolicyUsers) != 1 || aws.ToString(ents.PolicyUsers[0].UserName) != "u1" || ents.PolicyUsers[0].UserId == nil ||
		len(ents.PolicyGroups) != 1 || aws.ToString(ents.PolicyGroups[0].GroupName) != "g1" ||
		len(ents.PolicyRoles) != 1 || aws.ToString(ents.PolicyRoles[0].RoleName) != "r1" {
		t.Fatalf("ListEntitiesForPolicy = %+v %+v %+v", ents.PolicyUsers, ents.PolicyGroups, ents.PolicyRoles)
	}
	ents, err = c.ListEntitiesForPolicy(bg, &iam.ListEntitiesForPolicyInput{PolicyArn: aws.String(arn), EntityFilter: types.EntityTypeRole})
	iamTNoErr(t, err, "ListEntitiesForPolicy Role")
	if len(ents.PolicyUsers) != 0 || len(ents.PolicyGroups) != 0 || len(ents.PolicyRoles) != 1 {
		t.Fatalf("EntityFilter Role = %+v %+v %+v", ents.PolicyUsers, ents.PolicyGroups, ents.PolicyRoles)
	}
	sup, err := c.ListEntitiesForPolicy(bg, &iam.ListEntitiesForPolicyInput{PolicyArn: aws.String(orgsim.AWSManagedPolicyARN("AWSSupportAccess")), EntityFilter: types.EntityTypeRole})
	iamTNoErr(t, err, "ListEntitiesForPolicy AWSSupportAccess")
	hasR1 := false
	for _, r := range sup.PolicyRoles {
		hasR1 = hasR1 || aws.ToString(r.RoleName) == "r1"
	}
	if !hasR1 {
		t.Fatalf("AWSSupportAccess roles = %+v", sup.PolicyRoles)
	}
	_, err = c.ListEntitiesForPolicy(bg, &iam.ListEntitiesForPolicyInput{PolicyArn: aws.String("arn:aws:iam::aws:policy/Nope")})
	iamTWant(t, err, "NoSuchEntity", 404, "")

	_, err = c.DeletePolicy(bg, &iam.DeletePolicyInput{PolicyArn: aws.String(arn)})
	iamTWant(t, err, "DeleteConflict", 409, "Cannot delete a policy attached to entities.")

	// The attachment quota: 10 managed policies per role.
	for i := 0; i < 9; i++ {
		out, err := c.CreatePolicy(bg, &iam.CreatePolicyInput{PolicyName: aws.String(fmt.Sprintf("q%d", i)), PolicyDocument: aws.String(iamTReadS3)})
		iamTNoErr(t, err, "CreatePolicy")
		_, err = c.AttachRolePolicy(bg, &iam.AttachRolePolicyInput{RoleName: aws.String("r1"), PolicyArn: out.Policy.Arn})
		if i < 8 {
			iamTNoErr(t, err, "AttachRolePolicy")
		} else {
			iamTWant(t, err, "LimitExceeded", 409, "Cannot exceed quota for PoliciesPerRole: 10")
		}
	}

	// ListPolicies: scopes, OnlyAttached, pagination.
	for i := 0; i < 25; i++ {
		_, err := c.CreatePolicy(bg, &iam.CreatePolicyInput{PolicyName: aws.String(fmt.Sprintf("p%02d", i)), PolicyDocument: aws.String(iamTReadS3)})
		iamTNoErr(t, err, "CreatePolicy")
	}
	local := iamTAllPolicies(t, c, &iam.ListPoliciesInput{Scope: types.PolicyScopeTypeLocal, MaxItems: aws.Int32(10)})
	if len(local) != 1+9+25 {
		t.Fatalf("Local policies: %d, want 35", len(local))
	}
	awsPols := iamTAllPolicies(t, c, &iam.ListPoliciesInput{Scope: types.PolicyScopeTypeAws, MaxItems: aws.Int32(3)})
	names := map[string]types.Policy{}
	for _, p := range awsPols {
		names[aws.ToString(p.PolicyName)] = p
		if !strings.HasPrefix(aws.ToString(p.Arn), "arn:aws:iam::aws:policy/") {
			t.Fatalf("AWS scope lists %s", aws.ToString(p.Arn))
		}
	}
	if _, ok := names["ReadOnlyAccess"]; !ok {
		t.Fatalf("AWS managed policies lack ReadOnlyAccess: %v", names)
	}
	if n := aws.ToInt32(names["AdministratorAccess"].AttachmentCount); n < 1 {
		t.Fatalf("AdministratorAccess AttachmentCount = %d (orgsim-admin has it)", n)
	}
	allPols := iamTAllPolicies(t, c, &iam.ListPoliciesInput{MaxItems: aws.Int32(50)})
	if len(allPols) != len(local)+len(awsPols) {
		t.Fatalf("All = %d, Local+AWS = %d", len(allPols), len(local)+len(awsPols))
	}
	attached := iamTAllPolicies(t, c, &iam.ListPoliciesInput{OnlyAttached: true})
	for _, p := range attached {
		if aws.ToInt32(p.AttachmentCount) == 0 {
			t.Fatalf("OnlyAttached lists %s with no attachment", aws.ToString(p.PolicyName))
		}
	}
	if len(attached) != 1+8+2 { // s3-read, q0..q7, AWSSupportAccess, AdministratorAccess (orgsim-admin)
		var n []string
		for _, p := range attached {
			n = append(n, aws.ToString(p.PolicyName))
		}
		if len(attached) < 11 {
			t.Fatalf("OnlyAttached = %v", n)
		}
	}

	// Delete: detach everywhere and drop the other versions first.
	_, _ = c.DetachUserPolicy(bg, &iam.DetachUserPolicyInput{UserName: aws.String("u1"), PolicyArn: aws.String(arn)})
	_, _ = c.DetachGroupPolicy(bg, &iam.DetachGroupPolicyInput{GroupName: aws.String("g1"), PolicyArn: aws.String(arn)})
	_, _ = c.DetachRolePolicy(bg, &iam.DetachRolePolicyInput{RoleName: aws.String("r1"), PolicyArn: aws.String(arn)})
	_, err = c.DeletePolicy(bg, &iam.DeletePolicyInput{PolicyArn: aws.String(arn)})
	iamTWant(t, err, "DeleteConflict", 409, "This policy has more than one version.")
	for i := 1; i <= 4; i++ {
		_, err := c.DeletePolicyVersion(bg, &iam.DeletePolicyVersionInput{PolicyArn: aws.String(arn), VersionId: aws.String(fmt.Sprintf("v%d", i))})
		iamTNoErr(t, err, "DeletePolicyVersion")
	}
	_, err = c.DeletePolicy(bg, &iam.DeletePolicyInput{PolicyArn: aws.String(arn)})
	iamTNoErr(t, err, "DeletePolicy")
	_, err = c.GetPolicy(bg, &iam.GetPolicyInput{PolicyArn: aws.String(arn)})
	iamTWant(t, err, "NoSuchEntity", 404, "")
}

func iamTAllPolicies(t *testing.T, c *iam.Client, in *iam.ListPoliciesInput) []types.Policy {
	t.Helper()
	var all []types.Policy
	pages := 0
	p := iam.NewListPoliciesPaginator(c, in)
	for p.HasMorePages() {
		out, err := p.NextPage(bg)
		iamTNoErr(t, err, "ListPolicies")
		pages++
		all = append(all, out.Policies...)
	}
	if in.MaxItems != nil && pages != (len(all)+int(*in.MaxItems)-1)/int(*in.MaxItems) && len(all) > 0 {
		t.Fatalf("ListPolicies: %d pages for %d policies of %d", pages, len(all), *in.MaxItems)
	}
	return all
}

var iamTReportTime = regexp.MustCompile(`^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\+00:00$`)

func TestIAMCredentialReport(t *testing.T) {
	clock := newTestClock(time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC))
	like := orgsim.DefaultAWSLike()
	like.CredentialReportDelay = 10 * time.Second
	e := newEnv(t, orgsim.Options{Seed: 7, Now: clock.Now, AWSLike: &like})
	c := e.iam(e.cfg)
	acct := e.sim.ManagementAccountID()
	started := clock.Now()

	_, err := c.GetCredentialReport(bg, &iam.GetCredentialReportInput{})
	iamTWant(t, err, "ReportNotPresent", 410, "")

	// alice: console password, MFA, one key. bob: two keys, the first inactive. carol: nothing.
	_, err = c.UpdateAccountPasswordPolicy(bg, &iam.UpdateAccountPasswordPolicyInput{MinimumPasswordLength: aws.Int32(8), MaxPasswordAge: aws.Int32(90)})
	iamTNoErr(t, err, "UpdateAccountPasswordPolicy")
	for _, n := range []string{"alice", "bob", "carol"} {
		_, err := c.CreateUser(bg, &iam.CreateUserInput{UserName: aws.String(n)})
		iamTNoErr(t, err, "CreateUser")
	}
	_, err = c.CreateLoginProfile(bg, &iam.CreateLoginProfileInput{UserName: aws.String("alice"), Password: aws.String("Passw0rd!x")})
	iamTNoErr(t, err, "CreateLoginProfile")
	_, err = c.EnableMFADevice(bg, &iam.EnableMFADeviceInput{UserName: aws.String("alice"), SerialNumber: aws.String("GAHT12345678"),
		AuthenticationCode1: aws.String("111111"), AuthenticationCode2: aws.String("222222")})
	iamTNoErr(t, err, "EnableMFADevice (hardware)")
	_, err = c.CreateAccessKey(bg, &iam.CreateAccessKeyInput{UserName: aws.String("alice")})
	iamTNoErr(t, err, "CreateAccessKey")
	bk1, err := c.CreateAccessKey(bg, &iam.CreateAccessKeyInput{UserName: aws.String("bob")})
	iamTNoErr(t, err, "CreateAccessKey")
	_, err = c.CreateAccessKey(bg, &iam.CreateAccessKeyInput{UserName: aws.String("bob")})
	iamTNoErr(t, err, "CreateAccessKey")
	_, err = c.UpdateAccessKey(bg, &iam.UpdateAccessKeyInput{UserName: aws.String("bob"), AccessKeyId: bk1.AccessKey.AccessKeyId, Status: types.StatusTypeInactive})
	iamTNoErr(t, err, "UpdateAccessKey")

	gen, err := c.GenerateCredentialReport(bg, &iam.GenerateCredentialReportInput{})
	iamTNoErr(t, err, "GenerateCredentialReport")
	if gen.State != types.ReportStateTypeStarted || aws.ToString(gen.Description) == "" {
		t.Fatalf("first GenerateCredentialReport = %s %q", gen.State, aws.ToString(gen.Description))
	}
	// Until the report is built (10 s of sim time here): INPROGRESS and
	// ReportInProgress, however often the caller asks.
	for _, wait := range []time.Duration{0, 9 * time.Second} {
		clock.Advance(wait)
		_, err = c.GetCredentialReport(bg, &iam.GetCredentialReportInput{})
		iamTWant(t, err, "ReportInProgress", 404, "in progress")
		gen, err = c.GenerateCredentialReport(bg, &iam.GenerateCredentialReportInput{})
		iamTNoErr(t, err, "GenerateCredentialReport")
		if gen.State != types.ReportStateTypeInprogress {
			t.Fatalf("GenerateCredentialReport %v after the first = %s", clock.Now().Sub(started), gen.State)
		}
	}
	clock.Advance(time.Second)
	gen, err = c.GenerateCredentialReport(bg, &iam.GenerateCredentialReportInput{})
	iamTNoErr(t, err, "GenerateCredentialReport")
	if gen.State != types.ReportStateTypeComplete {
		t.Fatalf("GenerateCredentialReport once built = %s", gen.State)
	}
	rep, err := c.GetCredentialReport(bg, &iam.GetCredentialReportInput{})
	iamTNoErr(t, err, "GetCredentialReport")
	if rep.ReportFormat != types.ReportFormatTypeTextCsv || rep.GeneratedTime == nil || !rep.GeneratedTime.Equal(started) {
		t.Fatalf("report format %s generated %v", rep.ReportFormat, rep.GeneratedTime)
	}
	rows, err := csv.NewReader(strings.NewReader(string(rep.Content))).ReadAll()
	if err != nil {
		t.Fatalf("report is not CSV: %v\n%s", err, rep.Content)
	}
	header := "user,arn,user_creation_time,password_enabled,password_last_used,password_last_changed,password_next_rotation,mfa_active,access_key_1_active,access_key_1_last_rotated,access_key_1_last_used_date,access_key_1_last_used_region,access_key_1_last_used_service,access_key_2_active,access_key_2_last_rotated,access_key_2_last_used_date,access_key_2_last_used_region,access_key_2_last_used_service,cert_1_active,cert_1_last_rotated,cert_2_active,cert_2_last_rotated"
	if strings.Join(rows[0], ",") != header {
		t.Fatalf("header = %s", strings.Join(rows[0], ","))
	}
	if strings.HasSuffix(string(rep.Content), "\n") {
		t.Fatalf("report ends with a newline")
	}
	byUser := map[string][]string{}
	for i, r := range rows[1:] {
		if len(r) != 22 {
			t.Fatalf("row %d has %d columns", i+1, len(r))
		}
		byUser[r[0]] = r
	}
	root := rows[1]
	if root[0] != "<root_account>" || root[1] != "arn:aws:iam::"+acct+":root" || !iamTReportTime.MatchString(root[2]) ||
		root[3] != "not_supported" || root[5] != "not_supported" || root[6] != "not_supported" ||
		(root[7] != "true" && root[7] != "false") || strings.Join(root[18:], ",") != "false,N/A,false,N/A" {
		t.Fatalf("root row = %v", root)
	}
	now := started.Format("2006-01-02T15:04:05+00:00")
	next := started.AddDate(0, 0, 90).Format("2006-01-02T15:04:05+00:00")
	want := map[string]string{
		"alice": "alice,arn:aws:iam::" + acct + ":user/alice," + now + ",true,no_information," + now + "," + next + ",true,true," + now + ",N/A,N/A,N/A,false,N/A,N/A,N/A,N/A,false,N/A,false,N/A",
		"bob":   "bob,arn:aws:iam::" + acct + ":user/bob," + now + ",false,N/A,N/A,N/A,false,false," + now + ",N/A,N/A,N/A,true," + now + ",N/A,N/A,N/A,false,N/A,false,N/A",
		"carol": "carol,arn:aws:iam::" + acct + ":user/carol," + now + ",false,N/A,N/A,N/A,false,false,N/A,N/A,N/A,N/A,false,N/A,N/A,N/A,N/A,false,N/A,false,N/A",
	}
	for name, w := range want {
		if got := strings.Join(byUser[name], ","); got != w {
			t.Fatalf("row %s:\n got %s\nwant %s", name, got, w)
		}
	}
	if _, ok := byUser["orgsim-admin"]; !ok {
		t.Fatalf("report lacks orgsim-admin")
	}
	var users []string
	for _, r := range rows[2:] {
		users = append(users, r[0])
	}
	if !sort.StringsAreSorted(users) {
		t.Fatalf("user rows not sorted: %v", users)
	}

	// Within 4 hours the report is not regenerated.
	clock.Advance(time.Hour)
	_, err = c.CreateUser(bg, &iam.CreateUserInput{UserName: aws.String("dave")})
	iamTNoErr(t, err, "CreateUser dave")
	gen, _ = c.GenerateCredentialReport(bg, &iam.GenerateCredentialReportInput{})
	if gen.State != types.ReportStateTypeComplete {
		t.Fatalf("Generate within 4h = %s", gen.State)
	}
	rep, err = c.GetCredentialReport(bg, &iam.GetCredentialReportInput{})
	iamTNoErr(t, err, "GetCredentialReport")
	if strings.Contains(string(rep.Content), "\ndave,") {
		t.Fatalf("report regenerated within 4 hours")
	}

	// After 4 hours it has expired; a new one is generated.
	clock.Advance(3 * time.Hour)
	_, err = c.GetCredentialReport(bg, &iam.GetCredentialReportInput{})
	iamTWant(t, err, "ReportExpired", 410, "")
	gen, _ = c.GenerateCredentialReport(bg, &iam.GenerateCredentialReportInput{})
	if gen.State != types.ReportStateTypeStarted {
		t.Fatalf("Generate after expiry = %s", gen.State)
	}
	_, err = c.GetCredentialReport(bg, &iam.GetCredentialReportInput{})
	iamTWant(t, err, "ReportInProgress", 404, "")
	e.sim.Advance(like.CredentialReportDelay) // the sim's own clock settles it too
	rep, err = c.GetCredentialReport(bg, &iam.GetCredentialReportInput{})
	iamTNoErr(t, err, "GetCredentialReport after regeneration")
	if !strings.Contains(string(rep.Content), "\ndave,") {
		t.Fatalf("regenerated report lacks dave")
	}
}

// TestIAMCredentialReportWithoutDelay: with CredentialReportDelay off the
// report is built by the time GenerateCredentialReport has answered
// STARTED (the emulator as it was before the delay was modelled).
func TestIAMCredentialReportWithoutDelay(t *testing.T) {
	like := orgsim.DefaultAWSLike()
	like.CredentialReportDelay = 0
	e := newEnv(t, orgsim.Options{Seed: 7, AWSLike: &like})
	c := e.iam(e.cfg)
	gen, err := c.GenerateCredentialReport(bg, &iam.GenerateCredentialReportInput{})
	iamTNoErr(t, err, "GenerateCredentialReport")
	if gen.State != types.ReportStateTypeStarted {
		t.Fatalf("GenerateCredentialReport = %s", gen.State)
	}
	_, err = c.GetCredentialReport(bg, &iam.GetCredentialReportInput{})
	iamTNoErr(t, err, "GetCredentialReport")
	gen, err = c.GenerateCredentialReport(bg, &iam.GenerateCredentialReportInput{})
	iamTNoErr(t, err, "GenerateCredentialReport")
	if gen.State != types.ReportStateTypeComplete {
		t.Fatalf("second GenerateCredentialReport = %s", gen.State)
	}
}

func TestIAMAccountSummary(t *testing.T) {
	e := newEnv(t, orgsim.Options{Seed: 8})
	c := e.iam(e.cfg)
	sum := func() map[string]int32 {
		t.Helper()
		out, err := c.GetAccountSummary(bg, &iam.GetAccountSummaryInput{})
		iamTNoErr(t, err, "GetAccountSummary")
		return out.SummaryMap
	}
	before := sum()
	for _, k := range []string{"AccountMFAEnabled", "AccountAccessKeysPresent", "AccountPasswordPresent", "MFADevices", "MFADevicesInUse",
		"Users", "Groups", "Roles", "Policies", "UsersQuota", "AccessKeysPerUserQuota"} {
		if _, ok := before[k]; !ok {
			t.Fatalf("SummaryMap lacks %s: %v", k, before)
		}
	}
	if before["UsersQuota"] != 5000 || before["AccessKeysPerUserQuota"] != 2 || before["Users"] < 1 {
		t.Fatalf("SummaryMap = %v", before)
	}
	for _, n := range []string{"s1", "s2"} {
		_, err := c.CreateUser(bg, &iam.CreateUserInput{UserName: aws.String(n)})
		iamTNoErr(t, err, "CreateUser")
	}
	_, err := c.CreateGroup(bg, &iam.CreateGroupInput{GroupName: aws.String("g")})
	iamTNoErr(t, err, "CreateGroup")
	_, err = c.CreateRole(bg, &iam.CreateRoleInput{RoleName: aws.String("r"), AssumeRolePolicyDocument: aws.String(iamTTrustEC2)})
	iamTNoErr(t, err, "CreateRole")
	_, err = c.CreatePolicy(bg, &iam.CreatePolicyInput{PolicyName: aws.String("p"), PolicyDocument: aws.String(iamTReadS3)})
	iamTNoErr(t, err, "CreatePolicy")
	for _, n := range []string{"m1", "m2"} {
		_, err := c.CreateVirtualMFADevice(bg, &iam.CreateVirtualMFADeviceInput{VirtualMFADeviceName: aws.String(n)})
		iamTNoErr(t, err, "CreateVirtualMFADevice")
	}
	_, err = c.EnableMFADevice(bg, &iam.EnableMFADeviceInput{UserName: aws.String("s1"),
		SerialNumber:        aws.String("arn:aws:iam::" + e.sim.ManagementAccountID() + ":mfa/m1"),
		AuthenticationCode1: aws.String("123456"), AuthenticationCode2: aws.String("234567")})
	iamTNoErr(t, err, "EnableMFADevice")
	after := sum()
	for k, d := range map[string]int32{"Users": 2, "Groups": 1, "Roles": 1, "Policies": 1, "MFADevices": 2, "MFADevicesInUse": 1, "AccountMFAEnabled": 0} {
		if after[k]-before[k] != d {
			t.Errorf("%s: %d -> %d, want +%d", k, before[k], after[k], d)
		}
	}
}

// TestIAMUserCredentials: keys from CreateAccessKey sign requests as their
// user, subject to the user's policies, until deactivated or deleted.
func TestIAMUserCredentials(t *testing.T) {
	e := newEnv(t, orgsim.Options{Seed: 9})
	admin := e.iam(e.cfg)
	acct := e.sim.ManagementAccountID()

	_, err := admin.CreateUser(bg, &iam.CreateUserInput{UserName: aws.String("auditor")})
	iamTNoErr(t, err, "CreateUser")
	_, err = admin.AttachUserPolicy(bg, &iam.AttachUserPolicyInput{UserName: aws.String("auditor"), PolicyArn: aws.String(orgsim.AWSManagedPolicyARN("ReadOnlyAccess"))})
	iamTNoErr(t, err, "AttachUserPolicy")
	key, err := admin.CreateAccessKey(bg, &iam.CreateAccessKeyInput{UserName: aws.String("auditor")})
	iamTNoErr(t, err, "CreateAccessKey")
	c := e.iam(e.config(orgsim.Credentials{AccessKeyID: aws.ToString(key.AccessKey.AccessKeyId), SecretAccessKey: aws.ToString(key.AccessKey.SecretAccessKey)}, "us-east-1"))

	if _, err := c.ListUsers(bg, &iam.ListUsersInput{}); err != nil {
		t.Fatalf("ListUsers with ReadOnlyAccess: %v", err)
	}
	self, err := c.GetUser(bg, &iam.GetUserInput{})
	iamTNoErr(t, err, "GetUser (self)")
	if aws.ToString(self.User.UserName) != "auditor" {
		t.Fatalf("GetUser as auditor = %+v", self.User)
	}
	_, err = c.CreateUser(bg, &iam.CreateUserInput{UserName: aws.String("X")})
	iamTWant(t, err, "AccessDenied", 403, "User: arn:aws:iam::"+acct+":user/auditor is not authorized to perform: iam:CreateUser on resource: arn:aws:iam::"+acct+":user/X because no identity-based policy allows the iam:CreateUser action")

	// An inline Deny wins over ReadOnlyAccess.
	_, err = admin.PutUserPolicy(bg, &iam.PutUserPolicyInput{UserName: aws.String("auditor"), PolicyName: aws.String("deny-roles"),
		PolicyDocument: aws.String(`{"Version":"2012-10-17","Statement":[{"Effect":"Deny","Action":"iam:ListRoles","Resource":"*"}]}`)})
	iamTNoErr(t, err, "PutUserPolicy")
	_, err = c.ListRoles(bg, &iam.ListRolesInput{})
	iamTWant(t, err, "AccessDenied", 403, "with an explicit deny in an identity-based policy")

	_, err = admin.UpdateAccessKey(bg, &iam.UpdateAccessKeyInput{UserName: aws.String("auditor"), AccessKeyId: key.AccessKey.AccessKeyId, Status: types.StatusTypeInactive})
	iamTNoErr(t, err, "UpdateAccessKey Inactive")
	_, err = c.ListUsers(bg, &iam.ListUsersInput{})
	iamTWant(t, err, "InvalidClientTokenId", 403, "The security token included in the request is invalid.")
	_, err = admin.UpdateAccessKey(bg, &iam.UpdateAccessKeyInput{UserName: aws.String("auditor"), AccessKeyId: key.AccessKey.AccessKeyId, Status: types.StatusTypeActive})
	iamTNoErr(t, err, "UpdateAccessKey Active")
	if _, err := c.ListUsers(bg, &iam.ListUsersInput{}); err != nil {
		t.Fatalf("ListUsers after reactivation: %v", err)
	}
	_, err = admin.DeleteAccessKey(bg, &iam.DeleteAccessKeyInput{UserName: aws.String("auditor"), AccessKeyId: key.AccessKey.AccessKeyId})
	iamTNoErr(t, err, "DeleteAccessKey")
	_, err = c.ListUsers(bg, &iam.ListUsersInput{})
	iamTWant(t, err, "InvalidClientTokenId", 403, "")

	// A user may manage its own keys when a policy lets it.
	_, err = admin.PutUserPolicy(bg, &iam.PutUserPolicyInput{UserName: aws.String("auditor"), PolicyName: aws.String("own-keys"),
		PolicyDocument: aws.String(`{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"iam:*AccessKey*","Resource":"arn:aws:iam::*:user/auditor"}]}`)})
	iamTNoErr(t, err, "PutUserPolicy own-keys")
	key2, err := admin.CreateAccessKey(bg, &iam.CreateAccessKeyInput{UserName: aws.String("auditor")})
	iamTNoErr(t, err, "CreateAccessKey")
	c = e.iam(e.config(orgsim.Credentials{AccessKeyID: aws.ToString(key2.AccessKey.AccessKeyId), SecretAccessKey: aws.ToString(key2.AccessKey.SecretAccessKey)}, "us-east-1"))
	own, err := c.CreateAccessKey(bg, &iam.CreateAccessKeyInput{})
	iamTNoErr(t, err, "CreateAccessKey (own)")
	if aws.ToString(own.AccessKey.UserName) != "auditor" {
		t.Fatalf("own key for %s", aws.ToString(own.AccessKey.UserName))
	}
	_, err = c.CreateAccessKey(bg, &iam.CreateAccessKeyInput{UserName: aws.String("orgsim-admin")})
	iamTWant(t, err, "AccessDenied", 403, "on resource: arn:aws:iam::"+acct+":user/orgsim-admin")
}

// TestIAMMoreOperations covers the remaining group, role, login profile and
// policy version operations.
func TestIAMMoreOperations(t *testing.T) {
	e := newEnv(t, orgsim.Options{Seed: 10})
	c := e.iam(e.cfg)

	_, err := c.CreateUser(bg, &iam.CreateUserInput{UserName: aws.String("u")})
	iamTNoErr(t, err, "CreateUser")
	_, err = c.CreateGroup(bg, &iam.CreateGroupInput{GroupName: aws.String("g"), Path: aws.String("/ops/")})
	iamTNoErr(t, err, "CreateGroup")
	_, err = c.AddUserToGroup(bg, &iam.AddUserToGroupInput{GroupName: aws.String("g"), UserName: aws.String("u")})
	iamTNoErr(t, err, "AddUserToGroup")
	_, err = c.PutGroupPolicy(bg, &iam.PutGroupPolicyInput{GroupName: aws.String("g"), PolicyName: aws.String("p"), PolicyDocument: aws.String(iamTReadS3)})
	iamTNoErr(t, err, "PutGroupPolicy")
	ggp, err := c.GetGroupPolicy(bg, &iam.GetGroupPolicyInput{GroupName: aws.String("g"), PolicyName: aws.String("p")})
	iamTNoErr(t, err, "GetGroupPolicy")
	if doc, _ := url.QueryUnescape(aws.ToString(ggp.PolicyDocument)); doc != iamTReadS3 || aws.ToString(ggp.GroupName) != "g" {
		t.Fatalf("GetGroupPolicy = %q", doc)
	}
	_, err = c.GetGroupPolicy(bg, &iam.GetGroupPolicyInput{GroupName: aws.String("g"), PolicyName: aws.String("x")})
	iamTWant(t, err, "NoSuchEntity", 404, "The group policy with name x cannot be found.")
	_, err = c.AttachGroupPolicy(bg, &iam.AttachGroupPolicyInput{GroupName: aws.String("g"), PolicyArn: aws.String(orgsim.AWSManagedPolicyARN("SecurityAudit"))})
	iamTNoErr(t, err, "AttachGroupPolicy")

	// Group policies apply to the group's users.
	key, err := c.CreateAccessKey(bg, &iam.CreateAccessKeyInput{UserName: aws.String("u")})
	iamTNoErr(t, err, "CreateAccessKey")
	uc := e.iam(e.config(orgsim.Credentials{AccessKeyID: aws.ToString(key.AccessKey.AccessKeyId), SecretAccessKey: aws.ToString(key.AccessKey.SecretAccessKey)}, "us-east-1"))
	_, err = uc.GetAccountSummary(bg, &iam.GetAccountSummaryInput{})
	iamTNoErr(t, err, "GetAccountSummary through the group's SecurityAudit")

	_, err = c.DeleteGroup(bg, &iam.DeleteGroupInput{GroupName: aws.String("g")})
	iamTWant(t, err, "DeleteConflict", 409, "must remove users from group first")
	_, err = c.RemoveUserFromGroup(bg, &iam.RemoveUserFromGroupInput{GroupName: aws.String("g"), UserName: aws.String("u")})
	iamTNoErr(t, err, "RemoveUserFromGroup")
	_, err = uc.GetAccountSummary(bg, &iam.GetAccountSummaryInput{})
	iamTWant(t, err, "AccessDenied", 403, "iam:GetAccountSummary")
	_, err = c.DeleteGroup(bg, &iam.DeleteGroupInput{GroupName: aws.String("g")})
	iamTWant(t, err, "DeleteConflict", 409, "Cannot delete entity, must detach all policies first.")
	_, err = c.DetachGroupPolicy(bg, &iam.DetachGroupPolicyInput{GroupName: aws.String("g"), PolicyArn: aws.String(orgsim.AWSManagedPolicyARN("SecurityAudit"))})
	iamTNoErr(t, err, "DetachGroupPolicy")
	_, err = c.DeleteGroup(bg, &iam.DeleteGroupInput{GroupName: aws.String("g")})
	iamTWant(t, err, "DeleteConflict", 409, "Cannot delete entity, must delete policies first.")
	_, err = c.DeleteGroupPolicy(bg, &iam.DeleteGroupPolicyInput{GroupName: aws.String("g"), PolicyName: aws.String("p")})
	iamTNoErr(t, err, "DeleteGroupPolicy")
	_, err = c.DeleteGroup(bg, &iam.DeleteGroupInput{GroupName: aws.String("g")})
	iamTNoErr(t, err, "DeleteGroup")
	_, err = c.GetGroup(bg, &iam.GetGroupInput{GroupName: aws.String("g")})
	iamTWant(t, err, "NoSuchEntity", 404, "The group with name g cannot be found.")

	// UpdateRole.
	_, err = c.CreateRole(bg, &iam.CreateRoleInput{RoleName: aws.String("r"), AssumeRolePolicyDocument: aws.String(iamTTrustEC2)})
	iamTNoErr(t, err, "CreateRole")
	_, err = c.UpdateRole(bg, &iam.UpdateRoleInput{RoleName: aws.String("r"), MaxSessionDuration: aws.Int32(43200), Description: aws.String("d")})
	iamTNoErr(t, err, "UpdateRole")
	gr, _ := c.GetRole(bg, &iam.GetRoleInput{RoleName: aws.String("r")})
	if aws.ToInt32(gr.Role.MaxSessionDuration) != 43200 || aws.ToString(gr.Role.Description) != "d" {
		t.Fatalf("after UpdateRole: %+v", gr.Role)
	}
	_, err = c.UpdateRole(bg, &iam.UpdateRoleInput{RoleName: aws.String("r"), MaxSessionDuration: aws.Int32(60)})
	iamTWant(t, err, "ValidationError", 400, "at 'maxSessionDuration'")

	// UpdateLoginProfile.
	_, err = c.UpdateLoginProfile(bg, &iam.UpdateLoginProfileInput{UserName: aws.String("u"), Password: aws.String("Another-Pass-1")})
	iamTWant(t, err, "NoSuchEntity", 404, "Login Profile for User u cannot be found.")
	_, err = c.CreateLoginProfile(bg, &iam.CreateLoginProfileInput{UserName: aws.String("u"), Password: aws.String("First-Pass-1")})
	iamTNoErr(t, err, "CreateLoginProfile")
	_, err = c.UpdateAccountPasswordPolicy(bg, &iam.UpdateAccountPasswordPolicyInput{MinimumPasswordLength: aws.Int32(8), RequireSymbols: true})
	iamTNoErr(t, err, "UpdateAccountPasswordPolicy")
	_, err = c.UpdateLoginProfile(bg, &iam.UpdateLoginProfileInput{UserName: aws.String("u"), Password: aws.String("NoSymbols1")})
	iamTWant(t, err, "PasswordPolicyViolation", 400, "symbol")
	_, err = c.UpdateLoginProfile(bg, &iam.UpdateLoginProfileInput{UserName: aws.String("u"), Password: aws.String("Symbols-1!"), PasswordResetRequired: aws.Bool(true)})
	iamTNoErr(t, err, "UpdateLoginProfile")
	lp, _ := c.GetLoginProfile(bg, &iam.GetLoginProfileInput{UserName: aws.String("u")})
	if !lp.LoginProfile.PasswordResetRequired {
		t.Fatalf("PasswordResetRequired not set")
	}

	// SetDefaultPolicyVersion.
	cp, err := c.CreatePolicy(bg, &iam.CreatePolicyInput{PolicyName: aws.String("pv"), PolicyDocument: aws.String(iamTReadS3)})
	iamTNoErr(t, err, "CreatePolicy")
	_, err = c.CreatePolicyVersion(bg, &iam.CreatePolicyVersionInput{PolicyArn: cp.Policy.Arn, PolicyDocument: aws.String(iamTReadS3)})
	iamTNoErr(t, err, "CreatePolicyVersion")
	_, err = c.SetDefaultPolicyVersion(bg, &iam.SetDefaultPolicyVersionInput{PolicyArn: cp.Policy.Arn, VersionId: aws.String("v2")})
	iamTNoErr(t, err, "SetDefaultPolicyVersion")
	gp, _ := c.GetPolicy(bg, &iam.GetPolicyInput{PolicyArn: cp.Policy.Arn})
	if aws.ToString(gp.Policy.DefaultVersionId) != "v2" {
		t.Fatalf("default version = %s", aws.ToString(gp.Policy.DefaultVersionId))
	}
	_, err = c.DeletePolicyVersion(bg, &iam.DeletePolicyVersionInput{PolicyArn: cp.Policy.Arn, VersionId: aws.String("v1")})
	iamTNoErr(t, err, "DeletePolicyVersion")
	out, err := c.CreatePolicyVersion(bg, &iam.CreatePolicyVersionInput{PolicyArn: cp.Policy.Arn, PolicyDocument: aws.String(iamTReadS3)})
	iamTNoErr(t, err, "CreatePolicyVersion")
	if aws.ToString(out.PolicyVersion.VersionId) != "v3" { // version ids are not reused
		t.Fatalf("new version id = %s", aws.ToString(out.PolicyVersion.VersionId))
	}
}
