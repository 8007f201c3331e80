package report

import _ "embed"

// ReportSchema is the JSON Schema (draft 2020-12) of the check report JSON
// that FindingsJSON writes, published as
// https://github.com/orgbaseline/orgbaseline/internal/report/report.schema.json.
//
//go:embed report.schema.json
var ReportSchema []byte
