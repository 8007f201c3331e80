// Command least-privilege is orgbaseline's first-party check plugin for policies granting * on * (CIS-3.0 1.16), AdministratorAccess or PowerUserAccess on users or groups, roles trusting another account without an ExternalId or trusting everyone, and a support role (1.17).
// Its main only serves the check (plugins.Serve); the host pins its
// checksum and gives it credentials limited to the IAM actions its
// Describe declares. Thresholds are in its config; see Describe's JSON
// Schema.
//
// Like all non-test code under plugins/, it must not import anything under
// the module's internal/ directory (plugins/checks/internal is its own).
package main
