package mgmtpolicy

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
)

// object is a JSON object that keeps its keys in document order: the
// inheritance rules depend on the order in which settings appear, and the
// effective policy AWS renders keeps it.
type object struct {
	keys []string
	vals map[string]any
}

func (o *object) get(k string) (any, bool) {
	v, ok := o.vals[k]
	return v, ok
}

// decodeTree decodes one JSON value into *object, []any, string,
// json.Number, bool or nil. A key repeated in one object is an error:
// encoding/json would silently keep the last one, and which one AWS keeps
// is not documented.
func decodeTree(content []byte) (any, error) {
	dec := json.NewDecoder(bytes.NewReader(content))
	dec.UseNumber()
	v, err := decodeValue(dec)
	if err != nil {
		return nil, err
	}
	if _, err := dec.Token(); err != io.EOF {
		return nil, errors.New("the document has text after its JSON value")
	}
	return v, nil
}

func decodeValue(dec *json.Decoder) (any, error) {
	tok, err := dec.Token()
	if err != nil {
		return nil, fmt.Errorf("the document is not valid JSON: %v", err)
	}
	switch t := tok.(type) {
	case json.Delim:
		if t == '{' {
			return decodeObject(dec)
		}
		return decodeArray(dec)
	default:
		return t, nil
	}
}

func decodeObject(dec *json.Decoder) (*object, error) {
	o := &object{vals: map[string]any{}}
	for dec.More() {
		tok, err := dec.Token()
		if err != nil {
			return nil, fmt.Errorf("the document is not valid JSON: %v", err)
		}
		k, ok := tok.(string)
		if !ok {
			return nil, errors.New("the document is not valid JSON: an object key is not a string")
		}
		if _, dup := o.vals[k]; dup {
			return nil, fmt.Errorf("the key %q appears twice in one object", k)
		}
		v, err := decodeValue(dec)
		if err != nil {
			return nil, err
		}
		o.keys = append(o.keys, k)
		o.vals[k] = v
	}
	if _, err := dec.Token(); err != nil {
		return nil, fmt.Errorf("the document is not valid JSON: %v", err)
	}
	return o, nil
}

func decodeArray(dec *json.Decoder) ([]any, error) {
	out := []any{}
	for dec.More() {
		v, err := decodeValue(dec)
		if err != nil {
			return nil, err
		}
		out = append(out, v)
	}
	if _, err := dec.Token(); err != nil {
		return nil, fmt.Errorf("the document is not valid JSON: %v", err)
	}
	return out, nil
}

// stringList returns v as a list of strings, ok false when v is not an
// array or holds anything but strings.
func stringList(v any) ([]string, bool) {
	arr, ok := v.([]any)
	if !ok {
		return nil, false
	}
	out := make([]string, 0, len(arr))
	for _, e := range arr {
		s, ok := e.(string)
		if !ok {
			return nil, false
		}
		out = append(out, s)
	}
	return out, true
}
