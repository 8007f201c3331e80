package orgsim

// Access Analyzer: the reads auditors make besides ListAnalyzers
// (Prowler's accessanalyzer service: ListFindings, GetFinding). orgsim
// keeps analyzers and archive rules but does not analyze resources, so an
// analyzer has no findings: ListFindings and ListFindingsV2 answer an
// empty list and GetFinding/GetFindingV2 ResourceNotFoundException, after
// the validation and analyzer lookup AWS does (Access Analyzer API
// reference, each operation's page). These operations are merged into the
// service's operations in services.go.

func auditAnalyzerOps() map[string]op {
	return map[string]op{
		"GetArchiveRule": {fn: aaGetArchiveRule, resource: func(c *call) string { return c.analyzerARN(c.params["analyzerName"]) }},
		"ListFindings":   {fn: aaListFindings},
		"ListFindingsV2": {fn: aaListFindings},
		"GetFinding":     {fn: aaGetFinding},
		"GetFindingV2":   {fn: aaGetFinding},
	}
}

func aaGetArchiveRule(c *call) (any, *apiError) {
	a, e := c.aaFind()
	if e != nil {
		return nil, e
	}
	name := c.params["ruleName"]
	if e := validAnalyzerName("ruleName", name); e != nil {
		return nil, e
	}
	for _, r := range a.archiveRules {
		if r.name == name {
			return map[string]any{"archiveRule": aaRuleSummary{RuleName: r.name, Filter: r.filter, CreatedAt: iso(r.created), UpdatedAt: iso(r.updated)}}, nil
		}
	}
	return nil, newErr(404, "ResourceNotFoundException", "Archive rule %s not found", name).
		with("resourceId", name).with("resourceType", "AWS::AccessAnalyzer::ArchiveRule")
}

// aaByAnalyzerARN finds the caller's analyzer in the call's region by the
// analyzerArn a finding operation names.
func (c *call) aaByAnalyzerARN(arn string) (*analyzer, *apiError) {
	if arn == "" {
		return nil, aaFieldError("analyzerArn", "null", "Member must not be null")
	}
	if !aaAnalyzerARNPattern(arn) {
		return nil, aaFieldError("analyzerArn", arn, "Member must satisfy regular expression pattern: [^:]*:[^:]*:[^:]*:[^:]*:[^:]*:analyzer/.{1,255}")
	}
	for _, a := range c.analyzers().analyzers {
		if a.arn == arn {
			return a, nil
		}
	}
	return nil, newErr(404, "ResourceNotFoundException", "Analyzer %s not found", arn).
		with("resourceId", arn).with("resourceType", aaResourceType)
}

// aaAnalyzerARNPattern is the model's pattern for AnalyzerArn.
func aaAnalyzerARNPattern(s string) bool {
	parts := 0
	for i := 0; i < len(s); i++ {
		if s[i] == ':' {
			parts++
			if parts == 5 {
				rest := s[i+1:]
				return len(rest) > len("analyzer/") && len(rest) <= len("analyzer/")+255 && rest[:len("analyzer/")] == "analyzer/"
			}
		}
	}
	return false
}

// aaListFindings answers the findings of an analyzer: none, as orgsim
// analyzes nothing (see the file comment).
func aaListFindings(c *call) (any, *apiError) {
	var in struct {
		AnalyzerArn string  `json:"analyzerArn"`
		NextToken   *string `json:"nextToken"`
		MaxResults  *int    `json:"maxResults"`
		Sort        *struct {
			OrderBy *string `json:"orderBy"`
		} `json:"sort"`
	}
	if e := c.decode(&in); e != nil {
		return nil, e
	}
	if _, e := c.aaByAnalyzerARN(in.AnalyzerArn); e != nil {
		return nil, e
	}
	if in.Sort != nil && in.Sort.OrderBy != nil && *in.Sort.OrderBy != "ASC" && *in.Sort.OrderBy != "DESC" {
		return nil, aaFieldError("sort.orderBy", *in.Sort.OrderBy, "Member must satisfy enum value set: [ASC, DESC]")
	}
	if in.MaxResults != nil && *in.MaxResults < 1 {
		return nil, aaFieldError("maxResults", itoa(*in.MaxResults), "Member must have value greater than or equal to 1")
	}
	token := ""
	if in.NextToken != nil {
		token = *in.NextToken
	}
	if _, _, _, ok := page(c.op, 0, token, 1); !ok {
		return nil, aaFieldError("nextToken", token, "Invalid pagination token")
	}
	return map[string]any{"findings": []struct{}{}}, nil
}

func aaGetFinding(c *call) (any, *apiError) {
	if _, e := c.aaByAnalyzerARN(c.req.URL.Query().Get("analyzerArn")); e != nil {
		return nil, e
	}
	id := c.params["id"]
	return nil, newErr(404, "ResourceNotFoundException", "Finding %s not found", id).
		with("resourceId", id).with("resourceType", "AWS::AccessAnalyzer::Finding")
}
