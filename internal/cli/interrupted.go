package cli

import "fmt"

// An interrupt (SIGINT, SIGTERM: cmd/orgbaseline cancels the context)
// ends a run as Terraform's does: what was cut short is not shown, saved
// or asked about, and one line says what was interrupted and that nothing
// was changed. The calls it cancelled are no errors of the accounts'.

// interrupted is the error of a run interrupted while doing what, before
// any change.
func interrupted(what string) error {
	return &exitError{code: ExitError, err: fmt.Errorf("interrupted while %s: nothing was changed", what)}
}
