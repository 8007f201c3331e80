package orgsim

import (
	"fmt"
	"net/http"
)

// apiError is an AWS error as a service returns it. Each protocol encodes it
// in its own way (proto_*.go).
type apiError struct {
	Code    string
	Message string
	Status  int
	// Fields are extra members of a JSON error body, e.g. Organizations'
	// "Reason" or Access Analyzer's "reason".
	Fields map[string]any
	// Header is extra response headers, e.g. Retry-After.
	Header http.Header
}

func (e *apiError) Error() string { return e.Code + ": " + e.Message }

func newErr(status int, code, format string, args ...any) *apiError {
	msg := format
	if len(args) > 0 {
		msg = fmt.Sprintf(format, args...)
	}
	return &apiError{Code: code, Message: msg, Status: status}
}

// with returns e with an extra body field set.
func (e *apiError) with(key string, v any) *apiError {
	if e.Fields == nil {
		e.Fields = map[string]any{}
	}
	e.Fields[key] = v
	return e
}

// sender reports whether the error is the caller's fault (4xx); awsQuery
// encodes this as <Type>Sender</Type> versus Receiver.
func (e *apiError) sender() bool { return e.Status < 500 }
