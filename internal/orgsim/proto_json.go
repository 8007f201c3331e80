package orgsim

import (
	"encoding/json"
	"net/http"
	"strconv"
	"time"
)

// awsJson1_1 and restJson1 encoding.
//
// Errors carry the code twice, in the X-Amzn-ErrorType header and as the
// body's __type, with the message under "message" (Access Analyzer) or
// "Message"; the SDK reads either (smithy-go protocol/internal/json/error.go).

func writeJSONOutput(w http.ResponseWriter, contentType string, out any, reqID string) {
	body := []byte("{}")
	if out != nil {
		b, err := json.Marshal(out)
		if err != nil {
			writeJSONError(w, newErr(500, "InternalFailure", "orgsim could not encode its response: %v", err), reqID)
			return
		}
		body = b
	}
	w.Header().Set("Content-Type", contentType)
	w.Header().Set("X-Amzn-Requestid", reqID)
	w.Header().Set("Content-Length", strconv.Itoa(len(body)))
	w.WriteHeader(200)
	_, _ = w.Write(body)
}

func writeJSONError(w http.ResponseWriter, e *apiError, reqID string) {
	m := map[string]any{"__type": e.Code, "message": e.Message, "Message": e.Message}
	for k, v := range e.Fields {
		m[k] = v
	}
	body, _ := json.Marshal(m)
	w.Header().Set("Content-Type", "application/x-amz-json-1.1")
	w.Header().Set("X-Amzn-Errortype", e.Code)
	w.Header().Set("X-Amzn-Requestid", reqID)
	w.WriteHeader(e.Status)
	_, _ = w.Write(body)
}

// epochTime is a timestamp as awsJson encodes it: seconds since the epoch,
// as a number with millisecond precision.
type epochTime time.Time

func (t epochTime) MarshalJSON() ([]byte, error) {
	ms := time.Time(t).UnixMilli()
	return []byte(strconv.FormatFloat(float64(ms)/1000, 'f', -1, 64)), nil
}

// isoTime is a timestamp as awsQuery, restXml and restJson encode it:
// ISO 8601 in UTC.
type isoTime time.Time

func (t isoTime) MarshalText() ([]byte, error) {
	return []byte(time.Time(t).UTC().Format("2006-01-02T15:04:05Z")), nil
}

func epoch(t time.Time) *epochTime {
	if t.IsZero() {
		return nil
	}
	e := epochTime(t)
	return &e
}

func iso(t time.Time) *isoTime {
	if t.IsZero() {
		return nil
	}
	e := isoTime(t)
	return &e
}
