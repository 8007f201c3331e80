package cli

import (
	"encoding/json"
	"fmt"
	"io"
	"slices"
	"sort"
	"strings"
	"text/tabwriter"

	"github.com/spf13/cobra"

	"github.com/orgbaseline/orgbaseline/baseline"
	"github.com/orgbaseline/orgbaseline/baseline/controls"
	"github.com/orgbaseline/orgbaseline/internal/awsapi"
	"github.com/orgbaseline/orgbaseline/internal/report"
	"github.com/orgbaseline/orgbaseline/orgwalk"
)

type permissionsFlags struct {
	file, format, partition string
}

// permissionsCommand prints what the execution role needs, from the call
// model (controls.Control.Calls): the identity policy (json) or the calls of
// each control (text). It reads the baseline only, never AWS.
func (a *app) permissionsCommand() *cobra.Command {
	f := &permissionsFlags{}
	cmd := &cobra.Command{
		Use:   "permissions [-f baseline.yaml] [--format json|text] [--partition aws|aws-cn|aws-us-gov]",
		Short: "Print the execution role's IAM policy (or its calls, per control) that the baseline needs, offline",
		Long: `permissions prints the identity policy the execution role needs in member
accounts for this baseline: every call orgbaseline and the baseline's
plugins make there, with the resources AWS authorizes them on, as an IAM
policy document (--format json, the default) or as the list of calls of
each control (--format text). These are the calls the SCP lockout guard
checks. The text also lists the calls made in root sessions
(controls.rootAccess): the task policy of sts:AssumeRoot allows them, so
the policy leaves them out. It makes no AWS call: an account that
organization.accounts names by name is written as *, and so is the
management account.`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error { return a.permissions(f) },
	}
	cmd.Flags().StringVarP(&f.file, "file", "f", "baseline.yaml", "the baseline `FILE`")
	cmd.Flags().StringVar(&f.format, "format", "json", "output format: json (the IAM policy) or text (the calls of each control)")
	cmd.Flags().StringVar(&f.partition, "partition", "aws", "the `PARTITION` of the ARNs: aws, aws-cn or aws-us-gov")
	return cmd
}

func (a *app) permissions(f *permissionsFlags) error {
	if f.format != "text" && f.format != "json" {
		return fmt.Errorf("--format %q: use json or text", f.format)
	}
	if awsapi.GlobalRegion(f.partition) == "" {
		return fmt.Errorf("--partition %q: use aws, aws-cn or aws-us-gov", f.partition)
	}
	b, err := loadBaseline(f.file)
	if err != nil {
		return err
	}
	cs, err := controls.FromBaseline(b)
	if err != nil {
		return fmt.Errorf("%s is not valid:\n%w", f.file, err)
	}
	o := offlineOrg(b, f.partition)
	calls := append(controls.CallsOf(cs, o), controls.PluginCalls(b.Plugins)...)
	if f.format == "json" {
		enc := json.NewEncoder(a.stdout)
		enc.SetIndent("", "  ")
		enc.SetEscapeHTML(false)
		return enc.Encode(controls.ExecutionRolePolicy(calls))
	}
	return writeCalls(a.stdout, f.file, o, calls)
}

// offlineOrg is the organization as the baseline alone says it: the
// aliases given by id are those accounts, the others (given by name) and
// the management account are *.
func offlineOrg(b *baseline.Baseline, partition string) *controls.Org {
	aliases := map[string]*orgwalk.Account{}
	for alias, ref := range b.Organization.Accounts {
		a := &orgwalk.Account{ID: "*", Name: ref}
		if baseline.IsAccountID(ref) {
			a = &orgwalk.Account{ID: ref}
		}
		aliases[alias] = a
	}
	return &controls.Org{
		Org:     &orgwalk.Org{ID: "*", ManagementAccountID: "*"},
		Aliases: aliases, HomeRegion: b.Organization.HomeRegion, Regions: b.Organization.Regions,
		ExecutionRole: b.Organization.ExecutionRole, Partition: partition,
	}
}

// writeCalls writes the calls of each control (in the order the controls
// run, then the plugins), grouped by where they are made.
func writeCalls(w io.Writer, file string, o *controls.Org, calls []controls.Call) error {
	fmt.Fprintf(w, "Calls made as the execution role %s in member accounts, for %s.\n", report.Clean(o.ExecutionRole), report.Clean(file))
	fmt.Fprintln(w, "{account} and {region} are the account and region of the call; * in an ARN is")
	fmt.Fprintln(w, "a part orgbaseline cannot know offline (an account given by name, an id AWS makes).")
	var order []string
	byControl := map[string][]controls.Call{}
	for _, c := range calls {
		if _, ok := byControl[c.Control]; !ok {
			order = append(order, c.Control)
		}
		byControl[c.Control] = append(byControl[c.Control], c)
	}
	for _, name := range order {
		fmt.Fprintf(w, "\n%s\n", report.Clean(name))
		var places []string
		byPlace := map[string][]controls.Call{}
		for _, c := range byControl[name] {
			p := callPlace(o, c)
			if _, ok := byPlace[p]; !ok {
				places = append(places, p)
			}
			byPlace[p] = append(byPlace[p], c)
		}
		for _, p := range places {
			fmt.Fprintf(w, "  %s:\n", p)
			tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
			for _, l := range callLines(byPlace[p]) {
				fmt.Fprintln(tw, l)
			}
			if err := tw.Flush(); err != nil {
				return err
			}
		}
	}
	return nil
}

// callPlace says where a call is made: which account, which regions.
func callPlace(o *controls.Org, c controls.Call) string {
	acct := "in every targeted account"
	switch {
	case c.Plugin != "":
		acct = "with the plugin's own session, in every targeted account"
	case c.AsRoot:
		// Not the execution role's: the task policy of the root session
		// allows them, and the SCPs of the account apply.
		acct = "in a root session (sts:AssumeRoot by the management account, not the execution role) of every targeted member account that controls.rootAccess.exclude does not select"
	}
	if c.Where == controls.InAccount {
		acct = "in the " + c.Alias + " account"
		switch a := o.Aliases[c.Alias]; {
		case a == nil:
		case a.ID != "*":
			acct += " (" + a.ID + ")"
		case a.Name != "":
			acct += " (" + report.Clean(a.Name) + ")"
		}
	}
	switch c.Regions {
	case controls.InHomeRegion:
		return acct + ", home region " + o.HomeRegion
	case controls.InGlobalRegion:
		return acct + ", global endpoint (" + o.GlobalRegion() + ")"
	}
	return acct + ", every governed region (" + strings.Join(o.Regions, ", ") + ")"
}

// callLines are the lines of calls made in one place: action, resource
// and request keys, one line per action and resource; a call made with
// different keys (PutConfigRule creating a tagged rule, or updating one)
// lists each set, "none" for a request without any; the same keys once
// (a read made before its resource exists and after).
func callLines(calls []controls.Call) []string {
	var order []string
	ctxs := map[string][]string{}
	for _, c := range calls {
		k := "    " + report.Clean(c.Action) + "\t" + report.Clean(c.Resource)
		if _, ok := ctxs[k]; !ok {
			order = append(order, k)
		}
		if cc := callContext(c); !slices.Contains(ctxs[k], cc) {
			ctxs[k] = append(ctxs[k], cc)
		}
	}
	var out []string
	for _, k := range order {
		cs := ctxs[k]
		switch {
		case len(cs) > 1:
			for i := range cs {
				if cs[i] == "" {
					cs[i] = "none"
				}
			}
			k += "\t" + strings.Join(cs, " | ")
		case cs[0] != "":
			k += "\t" + cs[0]
		}
		out = append(out, k)
	}
	return out
}

// callContext lists the request keys a call carries: key=value,...
func callContext(c controls.Call) string {
	keys := make([]string, 0, len(c.Context))
	for k := range c.Context {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	var parts []string
	for _, k := range keys {
		parts = append(parts, k+"="+strings.Join(c.Context[k], ","))
	}
	return report.Clean(strings.Join(parts, " "))
}
