// Command root-account is orgbaseline's first-party check plugin for root user MFA (CIS-3.0 1.5), no root access keys (1.4) and no recent root use (1.7), read from the IAM credential report and account summary; a root user without credentials (centralized root access) passes 1.5 and 1.4 by design.
// Its main only serves the check (plugins.Serve); the host pins its
// checksum and gives it credentials limited to the IAM actions its
// Describe declares. Thresholds are in its config; see Describe's JSON
// Schema.
//
// Like all non-test code under plugins/, it must not import anything under
// the module's internal/ directory (plugins/checks/internal is its own).
package main
