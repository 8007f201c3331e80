package orgsim

import (
	"encoding/base64"
	"strconv"
	"strings"
)

// Pagination tokens are opaque to callers: the offset of the next item,
// tagged with the operation so a token from one list cannot be replayed on
// another.

func pageToken(opName string, offset int) string {
	return base64.RawURLEncoding.EncodeToString([]byte("orgsim:" + opName + ":" + strconv.Itoa(offset)))
}

// pageStart decodes a token; ok is false for a token orgsim did not issue
// for this operation.
func pageStart(opName, token string) (int, bool) {
	if token == "" {
		return 0, true
	}
	b, err := base64.RawURLEncoding.DecodeString(token)
	if err != nil {
		return 0, false
	}
	rest, ok := strings.CutPrefix(string(b), "orgsim:"+opName+":")
	if !ok {
		return 0, false
	}
	n, err := strconv.Atoi(rest)
	if err != nil || n < 0 {
		return 0, false
	}
	return n, true
}

// page returns the bounds of one page of total items starting at token, at
// most max long, and the token of the next page ("" on the last page).
func page(opName string, total int, token string, max int) (start, end int, next string, ok bool) {
	start, ok = pageStart(opName, token)
	if !ok || start > total {
		return 0, 0, "", false
	}
	end = start + max
	if end >= total {
		return start, total, "", true
	}
	return start, end, pageToken(opName, end), true
}
