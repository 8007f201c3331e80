// Package orgwalk discovers an AWS Organization (organization, root, OU
// tree, accounts with their state and, only when a selector needs them,
// tags), resolves a baseline's target selectors to concrete accounts,
// assumes the execution role in each account with cached credentials, and
// runs a function per account with bounded concurrency, keeping each
// account's error in its own result while the others go on.
//
// The organization is read once per run, downward from the root: one
// ListOrganizationalUnitsForParent and one ListAccountsForParent (paged)
// per OU, never a call per account except ListTagsForResource when a tag
// selector asks for tags.
//
// orgwalk may import baseline and the AWS SDK. It must not import
// internal/cli, internal/engine, internal/orgsim or baseline/controls.
package orgwalk
