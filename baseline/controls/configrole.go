package controls

import (
	"context"
	"errors"
	"fmt"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/iam"
	iamtypes "github.com/aws/aws-sdk-go-v2/service/iam/types"

	"github.com/orgbaseline/orgbaseline/baseline"
)

// ConfigRole creates the AWS Config service-linked role in every targeted
// account. It is an account-scope control of its own so that the role
// (global) exists before any region's recorder names it, whatever order
// the governed regions are listed in.
type ConfigRole struct {
	clients cfgClients
	run     *cfgRun
}

func (*ConfigRole) Name() string { return "configRole" }
func (*ConfigRole) Scope() Scope { return ScopeAccount }

// Actions are the actions of Calls.
func (c *ConfigRole) Actions() []string { return actionsOf(c) }

// Calls are IAM's, at its global endpoint, in every targeted account: the
// role is read, and created with iam:AWSServiceName set to Config's
// principal (Service Authorization Reference, "Actions, resources, and
// condition keys for AWS Identity and Access Management":
// CreateServiceLinkedRole on the role, with iam:AWSServiceName). GetRole
// names the role by name only: IAM authorizes the ARN of the role, with
// its path, when it exists, and role/NAME, the one ARN it can build from
// the name, when it does not.
func (c *ConfigRole) Calls(o *Org) []Call {
	w := o.callsIn(c.Name(), "")
	slr := cfgSLRARN(o, "{account}")
	return []Call{
		w.call("iam:GetRole", slr, InGlobalRegion),
		w.call("iam:GetRole", o.ARN("iam", "", "{account}", "role/"+cfgSLRName), InGlobalRegion),
		w.call("iam:CreateServiceLinkedRole", slr, InGlobalRegion, "iam:awsservicename", cfgServicePrincipal),
	}
}

// cfgSLRARN is the service-linked role's ARN in account, in the run's
// partition.
func cfgSLRARN(o *Org, account string) string {
	return o.ARN("iam", "", account, "role/"+cfgSLRPath+cfgSLRName)
}

// cfgRoleState is whether the service-linked role exists.
type cfgRoleState struct{ Exists bool }

func (c *ConfigRole) Observe(ctx context.Context, t Target) (any, error) {
	_, err := c.clients.iam(t.Config).GetRole(ctx, &iam.GetRoleInput{RoleName: aws.String(cfgSLRName)})
	var nse *iamtypes.NoSuchEntityException
	switch {
	case err == nil:
		return &cfgRoleState{Exists: true}, nil
	case errors.As(err, &nse):
		return &cfgRoleState{}, nil
	}
	return nil, fmt.Errorf("get role %s: %w", cfgSLRName, err)
}

func (c *ConfigRole) Diff(t Target, observed any) ([]baseline.Change, error) {
	st, ok := observed.(*cfgRoleState)
	if !ok {
		return nil, fmt.Errorf("configRole: unexpected observation %T", observed)
	}
	if st.Exists {
		return nil, nil
	}
	return []baseline.Change{{Control: c.Name(), Account: t.AccountID, Resource: "iam/role/" + cfgSLRPath + cfgSLRName,
		Action: baseline.ActionCreate, After: map[string]any{"awsServiceName": cfgServicePrincipal},
		Reason: "the AWS Config service-linked role, which the recorders use, does not exist"}}, nil
}

func (c *ConfigRole) Apply(ctx context.Context, t Target, ch baseline.Change) error {
	api := c.clients.iam(t.Config)
	_, err := api.CreateServiceLinkedRole(ctx, &iam.CreateServiceLinkedRoleInput{AWSServiceName: aws.String(cfgServicePrincipal)})
	if err == nil {
		// New: AWS Config cannot use it for some seconds (the recorders'
		// delivery channels wait for it, cfgRun).
		c.run.madeSLR(t.AccountID)
		return nil
	}
	// Created meanwhile (IAM answers InvalidInput "has been taken").
	if _, gerr := api.GetRole(ctx, &iam.GetRoleInput{RoleName: aws.String(cfgSLRName)}); gerr == nil {
		return nil
	}
	return fmt.Errorf("create the service-linked role for %s: %w", cfgServicePrincipal, err)
}

// Findings: the role's absence shows in config.enabled (the recorder
// cannot record without it); no finding of its own.
func (*ConfigRole) Findings(Target, any) []baseline.Finding { return nil }
