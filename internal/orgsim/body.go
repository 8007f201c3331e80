package orgsim

import (
	"errors"
	"io"
	"net/http"
)

// maxRequestBody bounds what orgsim reads of a request body, so that a
// client cannot make it hold an arbitrary amount of memory. None of the
// services orgsim emulates documents one request size limit; the largest
// inputs they document are far below this bound: a policy document of
// 131,072 characters (IAM API reference, CreatePolicy, PolicyDocument
// "Maximum length of 131072"), an S3 bucket policy of 20 KB (S3 user
// guide, "Special information for Amazon S3 policies": "The maximum size
// of a policy is 20 KB"), an Organizations policy within "Maximum and
// minimum values" of the Organizations user guide. 10 MiB leaves room
// for any of them, JSON-escaped and with every other field at its
// maximum.
const maxRequestBody = 10 << 20

// maxAdminBody bounds an admin API request body (a Faults document).
const maxAdminBody = 1 << 20

// readBody reads r's body through http.MaxBytesReader: a body over limit
// is answered as svc answers a request entity that is too large
// (tooLarge), and the server closes the connection after the response.
func readBody(w http.ResponseWriter, r *http.Request, svc *service, limit int64) ([]byte, *apiError) {
	body, err := io.ReadAll(http.MaxBytesReader(w, r.Body, limit))
	var tooBig *http.MaxBytesError
	switch {
	case errors.As(err, &tooBig):
		return nil, tooLarge(svc, limit)
	case err != nil:
		return nil, newErr(400, "MalformedHttpRequestException", "orgsim could not read the request body: %v", err)
	}
	return body, nil
}

// tooLarge is svc's error for a body over limit. S3 answers
// MaxMessageLengthExceeded, 400, "Your request was too big." (S3 API
// reference, "Error responses", list of error codes); the other services
// RequestEntityTooLargeException, 413, one of the errors common to all
// AWS services ("Common Errors" in each service's API reference:
// "Problems with the request at the HTTP level. The request entity is too
// large.").
func tooLarge(svc *service, limit int64) *apiError {
	if svc != nil && svc.protocol == protoRESTXML {
		return newErr(400, "MaxMessageLengthExceeded", "Your request was too big. orgsim accepts request bodies up to %d bytes.", limit)
	}
	return newErr(413, "RequestEntityTooLargeException", "The request entity is too large: orgsim accepts request bodies up to %d bytes.", limit)
}
