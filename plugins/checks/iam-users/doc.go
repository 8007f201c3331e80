// Command iam-users is orgbaseline's first-party check plugin for console users without MFA (CIS-3.0 1.10), credentials unused for 45 days (1.12), more than one active access key (1.13), keys not rotated within 90 days (1.14), permissions attached to users directly (1.15), and users with both a console password and access keys.
// Its main only serves the check (plugins.Serve); the host pins its
// checksum and gives it credentials limited to the IAM actions its
// Describe declares. Thresholds are in its config; see Describe's JSON
// Schema.
//
// Like all non-test code under plugins/, it must not import anything under
// the module's internal/ directory (plugins/checks/internal is its own).
package main
