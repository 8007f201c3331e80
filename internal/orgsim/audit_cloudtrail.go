package orgsim

import (
	"strconv"
	"time"
)

// CloudTrail: the reads auditors make besides DescribeTrails,
// GetTrailStatus, GetEventSelectors and ListTags (Prowler's cloudtrail
// service: GetInsightSelectors, LookupEvents). orgsim does not model
// CloudTrail Insights, so GetInsightSelectors answers every trail with
// InsightNotEnabledException, as CloudTrail answers a trail without
// insight selectors; and it keeps no event history, so LookupEvents
// validates its input as CloudTrail does and answers no events (CloudTrail
// API reference, GetInsightSelectors and LookupEvents). These operations
// are merged into the service's operations in services.go.

func auditCloudtrailOps() map[string]op {
	return map[string]op{
		"GetInsightSelectors": {fn: ctGetInsightSelectors, resource: func(c *call) string { return ctResourceARN(c, "TrailName") }},
		"LookupEvents":        {fn: ctLookupEvents},
	}
}

func ctGetInsightSelectors(c *call) (any, *apiError) {
	var in struct{ TrailName, EventDataStore string }
	if e := c.decode(&in); e != nil {
		return nil, e
	}
	if in.TrailName == "" && in.EventDataStore != "" {
		// orgsim serves no event data stores (CloudTrail Lake).
		return nil, newErr(400, "EventDataStoreNotFoundException", "The specified event data store was not found.")
	}
	t, e := ctResolve(c, in.TrailName)
	if e != nil {
		return nil, e
	}
	return nil, newErr(400, "InsightNotEnabledException", "Trail %s does not have Insights enabled.", t.arn)
}

// ctLookupAttributeKeys are the keys LookupEvents accepts.
var ctLookupAttributeKeys = map[string]bool{
	"EventId": true, "EventName": true, "ReadOnly": true, "Username": true, "ResourceType": true,
	"ResourceName": true, "EventSource": true, "AccessKeyId": true,
}

func ctLookupEvents(c *call) (any, *apiError) {
	var in struct {
		LookupAttributes []struct{ AttributeKey, AttributeValue *string }
		StartTime        *float64
		EndTime          *float64
		EventCategory    *string
		MaxResults       *int
		NextToken        *string
	}
	if e := c.decode(&in); e != nil {
		return nil, e
	}
	if len(in.LookupAttributes) > 1 {
		return nil, newErr(400, "InvalidLookupAttributesException", "You can only specify one lookup attribute.")
	}
	for _, a := range in.LookupAttributes {
		switch {
		case a.AttributeKey == nil || !ctLookupAttributeKeys[*a.AttributeKey]:
			return nil, newErr(400, "InvalidLookupAttributesException", "Invalid attribute key. Valid keys: EventId, EventName, ReadOnly, Username, ResourceType, ResourceName, EventSource, AccessKeyId.")
		case a.AttributeValue == nil || *a.AttributeValue == "":
			return nil, newErr(400, "InvalidLookupAttributesException", "The lookup attribute value cannot be empty.")
		}
	}
	if in.StartTime != nil && in.EndTime != nil && *in.StartTime > *in.EndTime {
		return nil, newErr(400, "InvalidTimeRangeException", "Start time %s is after end time %s.",
			time.Unix(int64(*in.StartTime), 0).UTC().Format(time.RFC3339), time.Unix(int64(*in.EndTime), 0).UTC().Format(time.RFC3339))
	}
	if in.EventCategory != nil && *in.EventCategory != "insight" {
		return nil, newErr(400, "InvalidEventCategoryException", "Invalid event category: %s. Valid value: insight.", *in.EventCategory)
	}
	if in.MaxResults != nil && (*in.MaxResults < 1 || *in.MaxResults > 50) {
		return nil, newErr(400, "InvalidMaxResultsException", "MaxResults %s is invalid: it must be between 1 and 50.", strconv.Itoa(*in.MaxResults))
	}
	if in.NextToken != nil && *in.NextToken != "" {
		if _, _, _, ok := page(c.op, 0, *in.NextToken, 1); !ok {
			return nil, newErr(400, "InvalidNextTokenException", "Invalid NextToken: %s", *in.NextToken)
		}
	}
	return map[string]any{"Events": []struct{}{}}, nil
}
