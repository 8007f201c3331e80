package orgsim

import (
	"bytes"
	"encoding/xml"
	"net/http"
	"net/url"
	"sort"
	"strconv"
	"strings"
)

// awsQuery (IAM, STS): form-encoded requests, XML responses wrapped in
// <OpResponse><OpResult>...</OpResult><ResponseMetadata/></OpResponse>.

func writeQueryOutput(w http.ResponseWriter, svc *service, opName string, out any, reqID string) {
	var buf bytes.Buffer
	buf.WriteString(`<` + opName + `Response xmlns="` + svc.xmlns + `">`)
	if out != nil {
		enc := xml.NewEncoder(&buf)
		if err := enc.EncodeElement(out, xml.StartElement{Name: xml.Name{Local: opName + "Result"}}); err != nil {
			writeQueryError(w, svc, newErr(500, "ServiceFailure", "orgsim could not encode its response: %v", err), reqID)
			return
		}
	}
	buf.WriteString(`<ResponseMetadata><RequestId>` + reqID + `</RequestId></ResponseMetadata></` + opName + `Response>`)
	w.Header().Set("Content-Type", "text/xml")
	w.Header().Set("X-Amzn-Requestid", reqID)
	w.Header().Set("Content-Length", strconv.Itoa(buf.Len()))
	w.WriteHeader(200)
	_, _ = w.Write(buf.Bytes())
}

func writeQueryError(w http.ResponseWriter, svc *service, e *apiError, reqID string) {
	typ := "Sender"
	if !e.sender() {
		typ = "Receiver"
	}
	var msg bytes.Buffer
	_ = xml.EscapeText(&msg, []byte(e.Message))
	body := `<ErrorResponse xmlns="` + svc.xmlns + `"><Error><Type>` + typ + `</Type><Code>` + e.Code +
		`</Code><Message>` + msg.String() + `</Message></Error><RequestId>` + reqID + `</RequestId></ErrorResponse>`
	w.Header().Set("Content-Type", "text/xml")
	w.Header().Set("X-Amzn-Requestid", reqID)
	w.WriteHeader(e.Status)
	_, _ = w.Write([]byte(body))
}

// queryList returns the members of an awsQuery list parameter, in order:
// Name.member.1, Name.member.2, ... For lists of structures pass the field
// (e.g. queryList(form, "PolicyArns", "arn") reads PolicyArns.member.N.arn).
func queryList(form url.Values, name, field string) []string {
	type item struct {
		n int
		v string
	}
	var items []item
	prefix := name + ".member."
	for k, vs := range form {
		if !strings.HasPrefix(k, prefix) || len(vs) == 0 {
			continue
		}
		rest := k[len(prefix):]
		idx, sub, _ := strings.Cut(rest, ".")
		if sub != field {
			continue
		}
		n, err := strconv.Atoi(idx)
		if err != nil {
			continue
		}
		items = append(items, item{n, vs[0]})
	}
	sort.Slice(items, func(i, j int) bool { return items[i].n < items[j].n })
	out := make([]string, len(items))
	for i, it := range items {
		out[i] = it.v
	}
	return out
}

// queryStructList returns the members of a list of structures as maps of
// field to value (e.g. Tags.member.N.Key / .Value).
func queryStructList(form url.Values, name string) []map[string]string {
	byIdx := map[int]map[string]string{}
	prefix := name + ".member."
	for k, vs := range form {
		if !strings.HasPrefix(k, prefix) || len(vs) == 0 {
			continue
		}
		idx, field, ok := strings.Cut(k[len(prefix):], ".")
		if !ok {
			continue
		}
		n, err := strconv.Atoi(idx)
		if err != nil {
			continue
		}
		if byIdx[n] == nil {
			byIdx[n] = map[string]string{}
		}
		byIdx[n][field] = vs[0]
	}
	keys := make([]int, 0, len(byIdx))
	for k := range byIdx {
		keys = append(keys, k)
	}
	sort.Ints(keys)
	out := make([]map[string]string, len(keys))
	for i, k := range keys {
		out[i] = byIdx[k]
	}
	return out
}

// queryInt reads an optional integer parameter; ok is false when it is
// absent, err set when it is not a number.
func queryInt(form url.Values, name string) (v int, ok bool, err *apiError) {
	s := form.Get(name)
	if s == "" {
		return 0, false, nil
	}
	n, perr := strconv.Atoi(s)
	if perr != nil {
		return 0, false, newErr(400, "ValidationError", "Value '%s' at '%s' failed to satisfy constraint: Member must be a number", s, lowerFirst(name))
	}
	return n, true, nil
}

// queryBool reads an optional boolean parameter.
func queryBool(form url.Values, name string) (v bool, ok bool) {
	s := form.Get(name)
	if s == "" {
		return false, false
	}
	return s == "true", true
}

func lowerFirst(s string) string {
	if s == "" {
		return s
	}
	return strings.ToLower(s[:1]) + s[1:]
}
