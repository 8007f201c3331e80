package controls

import (
	"errors"
	"strings"

	"github.com/orgbaseline/orgbaseline/internal/iampolicy"
	"github.com/orgbaseline/orgbaseline/internal/mgmtpolicy"
)

// parseRCP checks a resource control policy against the RCP grammar
// (iampolicy.KindRCP: the Organizations user guide, "RCP syntax").
func parseRCP(s string) (*iampolicy.Policy, error) {
	return iampolicy.Parse([]byte(s), iampolicy.KindRCP)
}

// parseManagementPolicy checks a management policy document of type typ
// against its grammar (internal/mgmtpolicy: the inheritance operators and
// the type's keys). Management policies are not IAM documents: there is
// no compiled policy to return.
func parseManagementPolicy(typ string) func(string) (*iampolicy.Policy, error) {
	return func(s string) (*iampolicy.Policy, error) {
		_, err := mgmtpolicy.Parse(typ, []byte(s))
		return nil, err
	}
}

// normalizeManagementPolicy is a document's canonical JSON.
func normalizeManagementPolicy(s string) ([]byte, error) {
	return mgmtpolicy.Normalize([]byte(s))
}

// mgmtPolicyProblems words a mgmtpolicy error like scpPolicyProblems: "invalid
// policy document:" and every problem with its JSON path.
func mgmtPolicyProblems(err error) (string, bool) {
	var pe *mgmtpolicy.ParseError
	if !errors.As(err, &pe) || len(pe.Problems) == 0 {
		return "", false
	}
	parts := make([]string, len(pe.Problems))
	for i, p := range pe.Problems {
		parts[i] = p.String()
	}
	return "invalid policy document: " + strings.Join(parts, "; "), true
}
