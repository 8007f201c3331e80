package controls

import (
	"context"
	"errors"
	"fmt"
	"reflect"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/organizations"
	orgtypes "github.com/aws/aws-sdk-go-v2/service/organizations/types"
	"github.com/aws/smithy-go"

	"github.com/orgbaseline/orgbaseline/baseline"
)

// fakeOrgAccess answers the four calls from pages of principals and
// administrators, and records what it was asked.
type fakeOrgAccess struct {
	access      [][]string // pages of enabled service principals
	admins      [][]string // pages of delegated administrators' ids
	accessErr   error
	adminsErr   error
	enableErr   error
	registerErr error

	calls      []string
	enabled    []string // principals EnableAWSServiceAccess was called for
	registered []string // "account principal" RegisterDelegatedAdministrator was called for
}

func fakePage(token *string, n int) (int, *string) {
	i := 0
	if token != nil {
		fmt.Sscan(*token, &i)
	}
	var next *string
	if i+1 < n {
		next = aws.String(fmt.Sprint(i + 1))
	}
	return i, next
}

func (f *fakeOrgAccess) ListAWSServiceAccessForOrganization(_ context.Context, in *organizations.ListAWSServiceAccessForOrganizationInput, _ ...func(*organizations.Options)) (*organizations.ListAWSServiceAccessForOrganizationOutput, error) {
	f.calls = append(f.calls, "ListAWSServiceAccessForOrganization")
	if f.accessErr != nil {
		return nil, f.accessErr
	}
	out := &organizations.ListAWSServiceAccessForOrganizationOutput{}
	if len(f.access) == 0 {
		return out, nil
	}
	i, next := fakePage(in.NextToken, len(f.access))
	for _, p := range f.access[i] {
		out.EnabledServicePrincipals = append(out.EnabledServicePrincipals, orgtypes.EnabledServicePrincipal{ServicePrincipal: aws.String(p)})
	}
	out.NextToken = next
	return out, nil
}

func (f *fakeOrgAccess) ListDelegatedAdministrators(_ context.Context, in *organizations.ListDelegatedAdministratorsInput, _ ...func(*organizations.Options)) (*organizations.ListDelegatedAdministratorsOutput, error) {
	f.calls = append(f.calls, "ListDelegatedAdministrators "+aws.ToString(in.ServicePrincipal))
	if f.adminsErr != nil {
		return nil, f.adminsErr
	}
	out := &organizations.ListDelegatedAdministratorsOutput{}
	if len(f.admins) == 0 {
		return out, nil
	}
	i, next := fakePage(in.NextToken, len(f.admins))
	for _, id := range f.admins[i] {
		out.DelegatedAdministrators = append(out.DelegatedAdministrators, orgtypes.DelegatedAdministrator{Id: aws.String(id)})
	}
	out.NextToken = next
	return out, nil
}

func (f *fakeOrgAccess) EnableAWSServiceAccess(_ context.Context, in *organizations.EnableAWSServiceAccessInput, _ ...func(*organizations.Options)) (*organizations.EnableAWSServiceAccessOutput, error) {
	f.enabled = append(f.enabled, aws.ToString(in.ServicePrincipal))
	if f.enableErr != nil {
		return nil, f.enableErr
	}
	return &organizations.EnableAWSServiceAccessOutput{}, nil
}

func (f *fakeOrgAccess) RegisterDelegatedAdministrator(_ context.Context, in *organizations.RegisterDelegatedAdministratorInput, _ ...func(*organizations.Options)) (*organizations.RegisterDelegatedAdministratorOutput, error) {
	f.registered = append(f.registered, aws.ToString(in.AccountId)+" "+aws.ToString(in.ServicePrincipal))
	if f.registerErr != nil {
		return nil, f.registerErr
	}
	return &organizations.RegisterDelegatedAdministratorOutput{}, nil
}

var _ TrustedAccessAPI = (*fakeOrgAccess)(nil)

func TestObserveOrgAccess(t *testing.T) {
	const p = "svc.amazonaws.com"
	tests := []struct {
		name          string
		fake          fakeOrgAccess
		admins        listAdmins
		wantTrusted   bool
		wantDelegated []string
		wantCalls     int // list calls
	}{
		{"enabled on the second page, admins over two pages, sorted",
			fakeOrgAccess{access: [][]string{{"a.amazonaws.com"}, {p}}, admins: [][]string{{"333"}, {"111", "222"}}},
			listAdminsAlways, true, []string{"111", "222", "333"}, 4},
		{"stops listing trusted access once found",
			fakeOrgAccess{access: [][]string{{p}, {"a.amazonaws.com"}}},
			listAdminsNever, true, nil, 1},
		{"never lists admins",
			fakeOrgAccess{access: [][]string{{"a.amazonaws.com"}}, admins: [][]string{{"111"}}},
			listAdminsNever, false, nil, 1},
		{"lists admins without trusted access when always",
			fakeOrgAccess{admins: [][]string{{"111"}}},
			listAdminsAlways, false, []string{"111"}, 2},
		{"not without trusted access when if-trusted",
			fakeOrgAccess{admins: [][]string{{"111"}}},
			listAdminsIfTrusted, false, nil, 1},
		{"with trusted access when if-trusted",
			fakeOrgAccess{access: [][]string{{p}}, admins: [][]string{{"111"}}},
			listAdminsIfTrusted, true, []string{"111"}, 2},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got, err := observeOrgAccess(context.Background(), &tc.fake, p, tc.admins, "access", "admins")
			if err != nil {
				t.Fatal(err)
			}
			if got.TrustedAccess != tc.wantTrusted || !reflect.DeepEqual(got.Delegated, tc.wantDelegated) {
				t.Errorf("got %+v, want trusted %v, delegated %v", got, tc.wantTrusted, tc.wantDelegated)
			}
			if len(tc.fake.calls) != tc.wantCalls {
				t.Errorf("calls %v, want %d", tc.fake.calls, tc.wantCalls)
			}
			for _, id := range tc.wantDelegated {
				if !got.registered(id) {
					t.Errorf("%s not registered", id)
				}
			}
			if got.registered("999") {
				t.Error("999 registered")
			}
		})
	}

	boom := errors.New("boom")
	_, err := observeOrgAccess(context.Background(), &fakeOrgAccess{accessErr: boom}, p, listAdminsAlways, "list access (x)", "list admins (x)")
	if !errors.Is(err, boom) || err.Error() != "list access (x): boom" {
		t.Errorf("access error: %v", err)
	}
	_, err = observeOrgAccess(context.Background(), &fakeOrgAccess{adminsErr: boom}, p, listAdminsAlways, "list access (x)", "list admins (x)")
	if !errors.Is(err, boom) || err.Error() != "list admins (x): boom" {
		t.Errorf("admins error: %v", err)
	}
}

func TestDiffOrgAccess(t *testing.T) {
	d := orgAccessDiff{
		Control: "c", Management: "000000000000", Principal: "svc.amazonaws.com",
		EnableReason: "enable it", Admin: "111111111111", AdminResource: "organizations/delegated-administrator/svc.amazonaws.com/111111111111",
		RegisterReason: "register it",
	}
	want := []baseline.Change{
		{Control: "c", Account: "000000000000", Resource: "organizations/trusted-access/svc.amazonaws.com", Action: baseline.ActionCreate,
			After: map[string]any{"servicePrincipal": "svc.amazonaws.com"}, Reason: "enable it"},
		{Control: "c", Account: "000000000000", Resource: "organizations/delegated-administrator/svc.amazonaws.com/111111111111", Action: baseline.ActionCreate,
			After: map[string]any{"servicePrincipal": "svc.amazonaws.com", "accountId": "111111111111"}, Reason: "register it"},
	}
	if got := diffOrgAccess(d); !reflect.DeepEqual(got, want) {
		t.Errorf("got %+v\nwant %+v", got, want)
	}

	named := d
	named.AdminName = "Audit"
	if got := diffOrgAccess(named); len(got) != 2 || got[1].After["accountName"] != "Audit" {
		t.Errorf("with a name: %+v", got)
	}

	done := d
	done.TrustedAccess, done.Registered = true, true
	if got := diffOrgAccess(done); len(got) != 0 {
		t.Errorf("nothing to do, got %+v", got)
	}
	none := d
	none.TrustedAccess, none.Admin = true, ""
	if got := diffOrgAccess(none); len(got) != 0 {
		t.Errorf("no admin, got %+v", got)
	}
}

func TestApplyOrgAccess(t *testing.T) {
	const p = "svc.amazonaws.com"
	words := orgAccessErrors{
		Enable: func(principal, mgmt string) string { return "enable " + principal + " in " + mgmt },
		Register: func(account, principal, mgmt string) string {
			return "register " + account + " for " + principal + " in " + mgmt
		},
	}
	enable := baseline.Change{Control: "c", Account: "000000000000", Resource: "organizations/trusted-access/" + p, Action: baseline.ActionCreate,
		After: map[string]any{"servicePrincipal": p}}
	register := baseline.Change{Control: "c", Account: "000000000000", Resource: "organizations/delegated-administrator/" + p, Action: baseline.ActionCreate,
		After: map[string]any{"servicePrincipal": p, "accountId": "111111111111", "accountName": "Audit"}}
	ctx := context.Background()

	f := &fakeOrgAccess{}
	if err := applyOrgAccess(ctx, f, enable, p, words); err != nil {
		t.Fatal(err)
	}
	if err := applyOrgAccess(ctx, f, register, p, words); err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(f.enabled, []string{p}) || !reflect.DeepEqual(f.registered, []string{"111111111111 " + p}) {
		t.Errorf("enabled %v, registered %v", f.enabled, f.registered)
	}

	// Already registered is success, as a typed or a generic API error.
	for _, err := range []error{
		&orgtypes.AccountAlreadyRegisteredException{Message: aws.String("already")},
		fmt.Errorf("wrapped: %w", &smithy.GenericAPIError{Code: "AccountAlreadyRegisteredException"}),
	} {
		if got := applyOrgAccess(ctx, &fakeOrgAccess{registerErr: err}, register, p, words); got != nil {
			t.Errorf("%v: %v", err, got)
		}
	}

	boom := &smithy.GenericAPIError{Code: "AccessDeniedException", Message: "no"}
	err := applyOrgAccess(ctx, &fakeOrgAccess{enableErr: boom}, enable, p, words)
	if !errors.Is(err, boom) || !strings.HasPrefix(err.Error(), "enable svc.amazonaws.com in 000000000000: ") {
		t.Errorf("enable error: %v", err)
	}
	err = applyOrgAccess(ctx, &fakeOrgAccess{registerErr: boom}, register, p, words)
	if !errors.Is(err, boom) || !strings.HasPrefix(err.Error(), "register 111111111111 for svc.amazonaws.com in 000000000000: ") {
		t.Errorf("register error: %v", err)
	}

	other := enable
	other.Resource = "iam/role/x"
	if err := applyOrgAccess(ctx, &fakeOrgAccess{}, other, p, words); err == nil {
		t.Error("no error for a change that is not an Organizations one")
	}
}
