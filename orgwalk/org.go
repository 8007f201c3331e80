package orgwalk

import (
	"context"
	"fmt"
	"sort"
	"sync"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/organizations"
	"golang.org/x/sync/errgroup"
)

// OrganizationsAPI is the part of the Organizations client orgwalk uses.
type OrganizationsAPI interface {
	DescribeOrganization(context.Context, *organizations.DescribeOrganizationInput, ...func(*organizations.Options)) (*organizations.DescribeOrganizationOutput, error)
	ListRoots(context.Context, *organizations.ListRootsInput, ...func(*organizations.Options)) (*organizations.ListRootsOutput, error)
	organizations.ListOrganizationalUnitsForParentAPIClient
	organizations.ListAccountsForParentAPIClient
	organizations.ListTagsForResourceAPIClient
}

var _ OrganizationsAPI = (*organizations.Client)(nil)

// Org is the organization as read at the start of a run.
type Org struct {
	ID string
	// FeatureSet is ALL or CONSOLIDATED_BILLING: a billing-only
	// organization has no SCPs, trusted access or delegated
	// administrators (Organizations user guide, "Enabling all features").
	FeatureSet          string
	ManagementAccountID string
	RootID              string
	// OUs by id.
	OUs map[string]*OU
	// Accounts sorted by OU path, then name, then id.
	Accounts []*Account
	byID     map[string]*Account
}

// OU is an organizational unit.
type OU struct {
	ID, Name, ParentID string
	Path               string // "/Workloads/Prod"
}

// Account is a member (or the management) account.
type Account struct {
	ID, Name, Email string
	State           string // Account.State: ACTIVE, SUSPENDED, ... (Status is retired)
	ParentID        string
	OUPath          string // "/" for an account directly under the root
	Ancestors       []string
	Tags            map[string]string // nil when tags were not read
	Management      bool
}

// Label is "Name (id)" for messages.
func (a *Account) Label() string {
	if a.Name == "" {
		return a.ID
	}
	return a.Name + " (" + a.ID + ")"
}

// Account returns the account with id, or nil.
func (o *Org) Account(id string) *Account { return o.byID[id] }

// DiscoverOptions tune Discover.
type DiscoverOptions struct {
	// Tags reads every account's tags (one call per account); set it only
	// when a selector matches on tags.
	Tags bool
	// Concurrency bounds the calls in flight; 0 means 4.
	Concurrency int
	// Found, when set, hears of every account as soon as its page of the
	// listing is read, with its OU path and ancestors set (and, with Tags,
	// before its tags are read): a run can start work on it while the rest
	// of the organization is still being read. Calls are serialized and
	// must not block; the account must not be changed.
	Found func(*Account)
}

// Discover reads the organization once, walking the OU tree downward.
func Discover(ctx context.Context, api OrganizationsAPI, o DiscoverOptions) (*Org, error) {
	org, err := Describe(ctx, api)
	if err != nil {
		return nil, err
	}
	if err := org.Walk(ctx, api, o); err != nil {
		return nil, err
	}
	return org, nil
}

// Describe reads what the organization is (its id, management account and
// root) with two calls; the Org it returns has no OUs or accounts until
// Walk reads them.
func Describe(ctx context.Context, api OrganizationsAPI) (*Org, error) {
	desc, err := api.DescribeOrganization(ctx, &organizations.DescribeOrganizationInput{})
	if err != nil {
		return nil, fmt.Errorf("describe organization (is this the management account of an organization?): %w", err)
	}
	roots, err := api.ListRoots(ctx, &organizations.ListRootsInput{})
	if err != nil {
		return nil, fmt.Errorf("list roots: %w", err)
	}
	if len(roots.Roots) == 0 {
		return nil, fmt.Errorf("list roots: the organization has no root")
	}
	return &Org{
		ID:                  aws.ToString(desc.Organization.Id),
		FeatureSet:          string(desc.Organization.FeatureSet),
		ManagementAccountID: aws.ToString(desc.Organization.MasterAccountId),
		RootID:              aws.ToString(roots.Roots[0].Id),
		OUs:                 map[string]*OU{},
		byID:                map[string]*Account{},
	}, nil
}

// Header is a copy of the organization's id, management account and root,
// without its OUs and accounts: what may be read while Walk is running.
func (o *Org) Header() *Org {
	return &Org{ID: o.ID, FeatureSet: o.FeatureSet, ManagementAccountID: o.ManagementAccountID, RootID: o.RootID}
}

// Walk reads the OU tree and the accounts of an Org made by Describe. The
// Org must not be read by anyone else until Walk returns (Found hears of
// the accounts meanwhile).
func (o *Org) Walk(ctx context.Context, api OrganizationsAPI, opts DiscoverOptions) error {
	if opts.Concurrency <= 0 {
		opts.Concurrency = 4
	}
	// Walk the tree downward without a barrier between levels: a parent's
	// child OUs are read as soon as its OU listing answers, while its
	// accounts (often many pages) are still being listed, so one large OU
	// does not hold back the OUs below its siblings. At most
	// opts.Concurrency listings run at once.
	type parent struct {
		id, path  string
		ancestors []string
	}
	wctx, cancel := context.WithCancel(ctx)
	defer cancel()
	sem := make(chan struct{}, opts.Concurrency)
	var (
		mu       sync.Mutex
		firstErr error
		wg       sync.WaitGroup
	)
	fail := func(err error) {
		mu.Lock()
		defer mu.Unlock()
		if firstErr == nil {
			firstErr = err
			cancel()
		}
	}
	acquire := func() bool {
		select {
		case sem <- struct{}{}:
			return true
		case <-wctx.Done():
			return false
		}
	}
	var visit func(p parent)
	visit = func(p parent) {
		wg.Add(2)
		go func() {
			defer wg.Done()
			if !acquire() {
				return
			}
			ous, err := readOUs(wctx, api, p.id)
			<-sem
			if err != nil {
				fail(err)
				return
			}
			var children []parent
			mu.Lock()
			for _, ou := range ous {
				ou.ParentID = p.id
				ou.Path = p.path + "/" + ou.Name
				o.OUs[ou.ID] = ou
				anc := append(append([]string(nil), p.ancestors...), ou.ID)
				children = append(children, parent{id: ou.ID, path: ou.Path, ancestors: anc})
			}
			mu.Unlock()
			for _, c := range children {
				visit(c)
			}
		}()
		go func() {
			defer wg.Done()
			if !acquire() {
				return
			}
			// Each page is handed on as it comes (Found), not once the
			// parent's whole listing is read.
			err := readAccounts(wctx, api, p.id, func(page []*Account) {
				mu.Lock()
				defer mu.Unlock()
				if firstErr != nil {
					return
				}
				for _, a := range page {
					a.ParentID = p.id
					a.OUPath = p.path
					if a.OUPath == "" {
						a.OUPath = "/"
					}
					a.Ancestors = p.ancestors
					a.Management = a.ID == o.ManagementAccountID
					o.Accounts = append(o.Accounts, a)
					o.byID[a.ID] = a
					if opts.Found != nil && !opts.Tags {
						opts.Found(a)
					}
				}
			})
			<-sem
			if err != nil {
				fail(err)
			}
		}()
	}
	visit(parent{id: o.RootID, ancestors: []string{o.RootID}})
	wg.Wait()
	if firstErr != nil {
		return firstErr
	}
	if err := ctx.Err(); err != nil {
		return err
	}

	if opts.Tags {
		g, gctx := errgroup.WithContext(ctx)
		g.SetLimit(opts.Concurrency)
		for _, a := range o.Accounts {
			a := a
			g.Go(func() error {
				tags, err := readTags(gctx, api, a.ID)
				if err != nil {
					return err
				}
				a.Tags = tags
				if opts.Found != nil {
					mu.Lock()
					defer mu.Unlock()
					opts.Found(a)
				}
				return nil
			})
		}
		if err := g.Wait(); err != nil {
			return err
		}
	}
	sort.Slice(o.Accounts, func(i, j int) bool {
		a, b := o.Accounts[i], o.Accounts[j]
		if a.OUPath != b.OUPath {
			return a.OUPath < b.OUPath
		}
		if a.Name != b.Name {
			return a.Name < b.Name
		}
		return a.ID < b.ID
	})
	return nil
}

// readOUs lists the OUs directly under a parent.
func readOUs(ctx context.Context, api OrganizationsAPI, parentID string) ([]*OU, error) {
	var ous []*OU
	p := organizations.NewListOrganizationalUnitsForParentPaginator(api, &organizations.ListOrganizationalUnitsForParentInput{ParentId: aws.String(parentID)})
	for p.HasMorePages() {
		out, err := p.NextPage(ctx)
		if err != nil {
			return nil, fmt.Errorf("list OUs under %s: %w", parentID, err)
		}
		for _, ou := range out.OrganizationalUnits {
			ous = append(ous, &OU{ID: aws.ToString(ou.Id), Name: aws.ToString(ou.Name)})
		}
	}
	return ous, nil
}

// readAccounts lists the accounts directly under a parent, handing each
// page to found.
func readAccounts(ctx context.Context, api OrganizationsAPI, parentID string, found func([]*Account)) error {
	ap := organizations.NewListAccountsForParentPaginator(api, &organizations.ListAccountsForParentInput{ParentId: aws.String(parentID)})
	for ap.HasMorePages() {
		out, err := ap.NextPage(ctx)
		if err != nil {
			return fmt.Errorf("list accounts under %s: %w", parentID, err)
		}
		page := make([]*Account, 0, len(out.Accounts))
		for _, a := range out.Accounts {
			page = append(page, &Account{
				ID: aws.ToString(a.Id), Name: aws.ToString(a.Name), Email: aws.ToString(a.Email),
				State: string(a.State),
			})
		}
		found(page)
	}
	return nil
}

func readTags(ctx context.Context, api OrganizationsAPI, id string) (map[string]string, error) {
	tags := map[string]string{}
	p := organizations.NewListTagsForResourcePaginator(api, &organizations.ListTagsForResourceInput{ResourceId: aws.String(id)})
	for p.HasMorePages() {
		out, err := p.NextPage(ctx)
		if err != nil {
			return nil, fmt.Errorf("list tags of account %s: %w", id, err)
		}
		for _, t := range out.Tags {
			tags[aws.ToString(t.Key)] = aws.ToString(t.Value)
		}
	}
	return tags, nil
}
