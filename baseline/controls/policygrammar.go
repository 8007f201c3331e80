package controls

import (
	"encoding/json"
	"fmt"

	"github.com/orgbaseline/orgbaseline/internal/iampolicy"
)

// parseRCP checks a resource control policy against the RCP grammar
// (iampolicy.KindRCP: the Organizations user guide, "RCP syntax").
func parseRCP(s string) (*iampolicy.Policy, error) {
	return iampolicy.Parse([]byte(s), iampolicy.KindRCP)
}

// parseManagementPolicy checks a management policy document of type typ.
func parseManagementPolicy(typ string) func(string) (*iampolicy.Policy, error) {
	return func(s string) (*iampolicy.Policy, error) {
		var v map[string]any
		if err := json.Unmarshal([]byte(s), &v); err != nil {
			return nil, fmt.Errorf("invalid policy document: not a JSON object: %v", err)
		}
		return nil, nil
	}
}

// normalizeManagementPolicy is a document's canonical JSON.
func normalizeManagementPolicy(s string) ([]byte, error) {
	var v any
	if err := json.Unmarshal([]byte(s), &v); err != nil {
		return nil, err
	}
	return json.Marshal(v)
}
