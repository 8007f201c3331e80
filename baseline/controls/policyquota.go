package controls

import (
	"errors"
	"fmt"

	"github.com/aws/aws-sdk-go-v2/service/organizations/types"
)

// The policy types' quotas are settings (maxPolicySize,
// maxPoliciesPerTarget) with AWS's documented defaults: Organizations
// does not report them through its API, and the quotas page ("Quotas for
// AWS Organizations") names no Service Quotas code for them. When AWS's
// quota is lower than the setting (an organization on older quotas, a
// type whose figure AWS does not publish), AWS refuses the write with a
// ConstraintViolationException whose reason names the limit; quotaHint
// says which setting to lower.

// quotaHint adds to err, when it is AWS refusing a write for one of the
// type's quotas, the setting that plans for it.
func (c *OrganizationPolicies) quotaHint(err error) error {
	var cv *types.ConstraintViolationException
	if !errors.As(err, &cv) {
		return err
	}
	k := c.kind
	switch cv.Reason {
	case types.ConstraintViolationExceptionReasonPolicyContentLimitExceeded:
		return fmt.Errorf("%w; AWS's size quota for %s in this organization is lower than controls.%s.maxPolicySize (%d): set maxPolicySize to the quota, and plan again to see which policies are over it", err, k.Plural, k.Key, c.maxSize)
	case types.ConstraintViolationExceptionReasonMaxPolicyTypeAttachmentLimitExceeded:
		return fmt.Errorf("%w; AWS's quota of %s per target in this organization is lower than controls.%s.maxPoliciesPerTarget (%d): set maxPoliciesPerTarget to the quota, and plan again to see which targets are over it", err, k.Plural, k.Key, c.maxPerTarget)
	case types.ConstraintViolationExceptionReasonPolicyNumberLimitExceeded:
		return fmt.Errorf("%w; the organization has as many %s as AWS allows: delete ones no longer used, or ask AWS for a higher quota", err, k.Plural)
	}
	return err
}
