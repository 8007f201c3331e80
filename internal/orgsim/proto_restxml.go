package orgsim

import (
	"bytes"
	"encoding/xml"
	"fmt"
	"net/http"
	"sort"
	"strconv"
)

// restXml (S3, path style). Errors are an unwrapped <Error> document; HEAD
// requests carry no body, so the SDK derives the code from the status.

func writeXMLOutput(w http.ResponseWriter, out any, reqID string) {
	var buf bytes.Buffer
	if out != nil {
		buf.WriteString(xml.Header)
		if err := xml.NewEncoder(&buf).Encode(out); err != nil {
			writeS3Error(w, newErr(500, "InternalError", "orgsim could not encode its response: %v", err), reqID)
			return
		}
	}
	w.Header().Set("X-Amz-Request-Id", reqID)
	if buf.Len() > 0 {
		w.Header().Set("Content-Type", "application/xml")
	}
	w.Header().Set("Content-Length", strconv.Itoa(buf.Len()))
	w.WriteHeader(200)
	_, _ = w.Write(buf.Bytes())
}

func writeS3Error(w http.ResponseWriter, e *apiError, reqID string) {
	var msg bytes.Buffer
	_ = xml.EscapeText(&msg, []byte(e.Message))
	body := xml.Header + `<Error><Code>` + e.Code + `</Code><Message>` + msg.String() + `</Message>` +
		s3ErrorFields(e.Fields) + `<RequestId>` + reqID + `</RequestId><HostId>orgsim</HostId></Error>`
	w.Header().Set("Content-Type", "application/xml")
	w.Header().Set("X-Amz-Request-Id", reqID)
	w.WriteHeader(e.Status)
	_, _ = w.Write([]byte(body))
}

// s3ErrorFields writes an S3 error's extra members (RequestTimeTooSkewed's
// ServerTime, XAmzContentSHA256Mismatch's computed hashes, ...) as
// elements, in name order.
func s3ErrorFields(fields map[string]any) string {
	names := make([]string, 0, len(fields))
	for k := range fields {
		names = append(names, k)
	}
	sort.Strings(names)
	var b bytes.Buffer
	for _, k := range names {
		b.WriteString("<" + k + ">")
		_ = xml.EscapeText(&b, []byte(fmt.Sprint(fields[k])))
		b.WriteString("</" + k + ">")
	}
	return b.String()
}
