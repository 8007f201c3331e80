package orgwalk

import (
	"fmt"
	"maps"
	"slices"
	"strings"

	"github.com/orgbaseline/orgbaseline/baseline"
)

// didYouMean completes the error of a name, id or tag selector that
// matches no account with the closest value the organization has ("; did
// you mean ...?"), or, for a tag, the values it does have; "" when there
// is nothing useful to say. A tag selector only finds tags when the walk
// read them (NeedsTags), which it does whenever one is used.
func (o *Org) didYouMean(s baseline.Selector) string {
	var names, ids []string
	keys := map[string]map[string]bool{} // tag key -> values
	for _, a := range o.Accounts {
		names, ids = append(names, a.Name), append(ids, a.ID)
		for k, v := range a.Tags {
			if keys[k] == nil {
				keys[k] = map[string]bool{}
			}
			keys[k][v] = true
		}
	}
	guess := func(sug string) string {
		if sug == "" {
			return ""
		}
		return fmt.Sprintf("; did you mean %q?", sug)
	}
	switch s.Kind {
	case baseline.SelectAccountName:
		if sug := baseline.Suggest(s.Value, names); sug != "" {
			return guess("account:" + sug)
		}
	case baseline.SelectAccountID:
		if sug := baseline.Suggest(s.Value, ids); sug != "" {
			return guess("account:" + sug)
		}
	case baseline.SelectTag:
		values, ok := keys[s.TagKey]
		if !ok {
			known := slices.Sorted(maps.Keys(keys))
			if sug := baseline.Suggest(s.TagKey, known); sug != "" {
				return guess(retag(s, sug))
			}
			if len(known) == 0 {
				return "; no account has any tag"
			}
			return "; no account has the tag " + baseline.Quote(s.TagKey) + "; the tag keys in use are " + list(known)
		}
		vs := slices.Sorted(maps.Keys(values))
		if sug := baseline.Suggest(s.TagValue, vs); sug != "" {
			return guess("tag:" + s.TagKey + "=" + sug)
		}
		return "; the values of " + baseline.Quote(s.TagKey) + " in use are " + list(vs)
	}
	return ""
}

// retag is s with another tag key.
func retag(s baseline.Selector, key string) string {
	if s.HasTagValue {
		return "tag:" + key + "=" + s.TagValue
	}
	return "tag:" + key
}

// list joins at most 12 values, each clipped, quoted.
func list(vs []string) string {
	var out []string
	for i, v := range vs {
		if i == 12 {
			out = append(out, fmt.Sprintf("... (%d more)", len(vs)-12))
			break
		}
		out = append(out, baseline.Quote(v))
	}
	return strings.Join(out, ", ")
}
