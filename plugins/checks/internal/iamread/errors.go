package iamread

import (
	"errors"

	"github.com/aws/smithy-go"
)

// CallError is a failed AWS call, with the IAM action it needed.
type CallError struct {
	Action string // e.g. "iam:ListUsers"
	Err    error
}

func (e *CallError) Error() string { return e.Action + ": " + e.Err.Error() }

func (e *CallError) Unwrap() error { return e.Err }

func callErr(action string, err error) error {
	if err == nil {
		return nil
	}
	return &CallError{Action: action, Err: err}
}

// ErrorCode is the AWS error code of err ("AccessDenied", "NoSuchEntity"),
// or "" when err carries none.
func ErrorCode(err error) string {
	var ae smithy.APIError
	if errors.As(err, &ae) {
		return ae.ErrorCode()
	}
	return ""
}
