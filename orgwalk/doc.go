// Package orgwalk discovers an AWS Organization (organization, root, OU
// tree, accounts with their state and, only when a selector needs them,
// tags), resolves a baseline's target selectors to concrete accounts,
// assumes the execution role in each account with cached credentials (and,
// for each check plugin, in a short session of the plugin's own), and
// runs a function per account with bounded concurrency, keeping each
// account's error in its own result while the others go on.
//
// The organization is read once per run, downward from the root: one
// ListOrganizationalUnitsForParent and one ListAccountsForParent (paged)
// per OU, never a call per account except ListTagsForResource when a tag
// selector asks for tags. Describe reads what the organization is; Walk
// reads its tree and hands each account on as its page is read (Found),
// so a run can decide it is a target (Targeted, which agrees with Select)
// and work on it (ForEachFrom) while the rest is still being read.
//
// orgwalk may import baseline, internal/awsapi (to name the account of
// each config it hands out, for the debug log) and the AWS SDK. It must
// not import internal/cli, internal/engine, internal/orgsim or
// baseline/controls.
package orgwalk
