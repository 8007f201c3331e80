package awsapi

import (
	"context"
	"errors"
	"slices"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	awsmiddleware "github.com/aws/aws-sdk-go-v2/aws/middleware"
	"github.com/aws/smithy-go"
	"github.com/aws/smithy-go/middleware"
	smithyhttp "github.com/aws/smithy-go/transport/http"
)

// Call is one attempt of one AWS API call, as --log-level debug shows it
// (the AWS CLI's --debug, Terraform's TF_LOG). It holds no credentials,
// signatures, headers or bodies: only what names the call and its answer.
type Call struct {
	Service   string // the SDK's service id: IAM, STS, Organizations, ...
	Operation string // GetAccountPasswordPolicy, ...
	Account   string // the account the config is for (ForAccount); "" when not known
	Region    string
	Attempt   int // 1 for the first attempt, 2 for the first retry, ...
	// Status is the HTTP status of the answer; 0 when none came.
	Status    int
	RequestID string // AWS's request id, when the answer carried one
	// Error is AWS's error code (ThrottlingException, ...), or what went
	// wrong when there was no readable answer; "" on success.
	Error   string
	Elapsed time.Duration
}

// Trace makes every client built from cfg (and from copies of it made
// afterwards, the per-account configs included) hand each attempt of each
// call to fn once its answer is read. The retry loop is in the Finalize
// step, so the Deserialize step runs once per attempt.
func Trace(cfg *aws.Config, fn func(Call)) {
	cfg.APIOptions = append(slices.Clip(cfg.APIOptions), func(stack *middleware.Stack) error {
		if err := stack.Initialize.Add(middleware.InitializeMiddlewareFunc("orgbaseline.TraceCall",
			func(ctx context.Context, in middleware.InitializeInput, next middleware.InitializeHandler) (middleware.InitializeOutput, middleware.Metadata, error) {
				return next.HandleInitialize(middleware.WithStackValue(ctx, attemptsKey{}, new(int)), in)
			}), middleware.Before); err != nil {
			return err
		}
		return stack.Deserialize.Add(middleware.DeserializeMiddlewareFunc("orgbaseline.TraceAttempt",
			func(ctx context.Context, in middleware.DeserializeInput, next middleware.DeserializeHandler) (middleware.DeserializeOutput, middleware.Metadata, error) {
				start := time.Now()
				out, md, err := next.HandleDeserialize(ctx, in)
				fn(traced(ctx, start, out, md, err))
				return out, md, err
			}), middleware.Before)
	})
}

type attemptsKey struct{}
type accountKey struct{}

// traced describes one attempt from what the SDK's middleware recorded.
func traced(ctx context.Context, start time.Time, out middleware.DeserializeOutput, md middleware.Metadata, err error) Call {
	c := Call{
		Service:   awsmiddleware.GetServiceID(ctx),
		Operation: awsmiddleware.GetOperationName(ctx),
		Region:    awsmiddleware.GetRegion(ctx),
		Elapsed:   time.Since(start),
	}
	c.Account, _ = middleware.GetStackValue(ctx, accountKey{}).(string)
	if n, ok := middleware.GetStackValue(ctx, attemptsKey{}).(*int); ok {
		// Attempts of one call are sequential (the retry loop).
		*n++
		c.Attempt = *n
	}
	resp, _ := out.RawResponse.(*smithyhttp.Response)
	if resp != nil {
		c.Status = resp.StatusCode
	}
	c.RequestID, _ = awsmiddleware.GetRequestIDMetadata(md)
	if err == nil {
		return c
	}
	// Only the code: an error's message or an unreadable body could quote
	// what the answer held (AssumeRole's holds credentials).
	var ae smithy.APIError
	switch {
	case errors.As(err, &ae):
		c.Error = ae.ErrorCode()
	case ctx.Err() != nil:
		c.Error = "canceled"
	case resp == nil:
		c.Error = "no response"
	default:
		c.Error = "unreadable response"
	}
	return c
}

// ForAccount names the account cfg acts in, for Trace; a later call on a
// copy replaces the name.
func ForAccount(cfg *aws.Config, account string) {
	const id = "orgbaseline.Account"
	m := middleware.InitializeMiddlewareFunc(id,
		func(ctx context.Context, in middleware.InitializeInput, next middleware.InitializeHandler) (middleware.InitializeOutput, middleware.Metadata, error) {
			return next.HandleInitialize(middleware.WithStackValue(ctx, accountKey{}, account), in)
		})
	cfg.APIOptions = append(slices.Clip(cfg.APIOptions), func(stack *middleware.Stack) error {
		if _, ok := stack.Initialize.Get(id); ok {
			_, err := stack.Initialize.Swap(id, m)
			return err
		}
		return stack.Initialize.Add(m, middleware.Before)
	})
}
