package awsapi

import (
	"testing"

	"github.com/aws/smithy-go"
)

// TestClockSkewRetriedAtOnce: the SDK retries a request refused for its
// date once its clock is corrected from AWS's Date; the retry does not
// wait. Throttling still backs off.
func TestClockSkewRetriedAtOnce(t *testing.T) {
	r := NewRetryer(5, false)
	for _, code := range []string{"SignatureDoesNotMatch", "InvalidSignatureException", "RequestTimeTooSkewed"} {
		for attempt := 1; attempt <= 4; attempt++ {
			d, err := r.RetryDelay(attempt, &smithy.GenericAPIError{Code: code, Message: "Signature expired: ..."})
			if err != nil || d != 0 {
				t.Errorf("%s, attempt %d: wait %s, %v; want none", code, attempt, d, err)
			}
		}
	}
	waited := false
	for i := 0; i < 50 && !waited; i++ {
		d, err := r.RetryDelay(2, &smithy.GenericAPIError{Code: "ThrottlingException"})
		if err != nil {
			t.Fatal(err)
		}
		waited = d > 0
	}
	if !waited {
		t.Error("a throttled call is retried without backoff")
	}
}
