package orgsim

import (
	"bytes"
	"encoding/xml"
	"net/http"
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
	body := xml.Header + `<Error><Code>` + e.Code + `</Code><Message>` + msg.String() +
		`</Message><RequestId>` + reqID + `</RequestId><HostId>orgsim</HostId></Error>`
	w.Header().Set("Content-Type", "application/xml")
	w.Header().Set("X-Amz-Request-Id", reqID)
	w.WriteHeader(e.Status)
	_, _ = w.Write([]byte(body))
}
