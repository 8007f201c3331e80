// Package checktest is the test support of the first-party check plugins
// under plugins/checks: an orgsim organization served over HTTP, run
// requests built the way the host builds them (credentials from the
// member's execution role, narrowed by a session policy allowing exactly
// the given actions), and an in-process Run that checks what every
// finding must have.
//
// It is imported only by tests. Unlike the checks' non-test code, it
// imports packages under the module's internal/ directory (orgsim and
// awsapi), which is why no check may import it outside a _test.go file.
package checktest
