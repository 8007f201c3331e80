package controls

import (
	"testing"

	"github.com/orgbaseline/orgbaseline/baseline"
	"github.com/orgbaseline/orgbaseline/internal/mgmtpolicy"
)

// The management types' default limits and effective-policy support in
// baseline.PolicyTypes are internal/mgmtpolicy's (one reading of AWS's
// quotas page), and every type has a change prefix.
func TestPolicyKindsAgreeWithMgmtpolicy(t *testing.T) {
	for i := range baseline.PolicyTypes {
		pt := &baseline.PolicyTypes[i]
		k := kindOf(pt)
		if k.Prefix == "" || k.parse == nil || k.normalize == nil {
			t.Errorf("%s: incomplete kind %+v", pt.Type, k)
		}
		info, ok := mgmtpolicy.TypeOf(pt.Type)
		if ok == pt.Authorization {
			t.Errorf("%s: authorization %v, but mgmtpolicy knows it: %v", pt.Type, pt.Authorization, ok)
			continue
		}
		if ok && (info.MaxSize != pt.MaxSize || info.MaxPerTarget != pt.MaxPerTarget || info.EffectivePolicy != pt.Effective) {
			t.Errorf("%s: baseline says size %d, per target %d, effective %v; mgmtpolicy %d, %d, %v",
				pt.Type, pt.MaxSize, pt.MaxPerTarget, pt.Effective, info.MaxSize, info.MaxPerTarget, info.EffectivePolicy)
		}
	}
}
