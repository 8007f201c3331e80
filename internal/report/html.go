package report

import (
	"bufio"
	"crypto/sha256"
	_ "embed" // the template, style and script of the HTML report
	"encoding/base64"
	"errors"
	"html/template"
	"io"
	"sort"
	"strings"
	"time"

	"github.com/orgbaseline/orgbaseline/baseline"
)

// The HTML report is one self-contained file: html.tmpl with html.css and
// html.js inlined and the findings embedded as JSON. A Content-Security-
// Policy allows only that style and script (by hash) and no fetch at all,
// so the file works offline and cannot load anything.

//go:embed html.tmpl
var htmlTemplateText string

//go:embed html.css
var htmlCSS string

//go:embed html.js
var htmlJS string

var htmlTemplate = template.Must(template.New("html").Parse(htmlTemplateText))

// htmlLoadingJS, in the head, hides the heat map while the page loads
// and shows it when the document is complete: a table of 200,000 cells laid
// out once, not again and again as it arrives. Without script the table
// shows as it loads; if html.js fails, the table still shows.
const htmlLoadingJS = `var h=document.documentElement;h.classList.add("ld");` +
	`document.addEventListener("DOMContentLoaded",function(){h.classList.remove("ld")});`

// htmlCSP is the Content-Security-Policy of the report: nothing but the
// inline style and scripts, which it names by their sha256.
var htmlCSP = template.HTMLAttr(`content="default-src 'none'; style-src '` + htmlCSPHash(htmlCSS) +
	`'; script-src '` + htmlCSPHash(htmlLoadingJS) + `' '` + htmlCSPHash(htmlJS) + `'; base-uri 'none'; form-action 'none'"`)

func htmlCSPHash(s string) string {
	sum := sha256.Sum256([]byte(s))
	return "sha256-" + base64.StdEncoding.EncodeToString(sum[:])
}

// HTML writes the report as one self-contained HTML page that works
// offline: a header with the totals, the compliance of each framework, and
// a heat map of accounts (rows, grouped by OU) by checks (columns, grouped
// by source) coloured by the worst status of each cell's findings. The
// findings are embedded as JSON; a small script adds the drill-down into a
// cell or an account and the severity and framework filters.
func HTML(w io.Writer, r *Report) error {
	if r == nil {
		return errors.New("no report to render")
	}
	bw := bufio.NewWriterSize(w, 64<<10)
	if err := htmlTemplate.Execute(bw, newHTMLView(r)); err != nil {
		return err
	}
	return bw.Flush()
}

// htmlView is what html.tmpl renders.
type htmlView struct {
	Tool, Version, Organization, Digest string
	Created, CreatedISO                 string
	Framework                           string // the run's narrowing, if any
	Shard                               *Shard
	Summary                             Summary
	Findings                            int
	AccountErrors, AccountsSkipped      int
	Frameworks                          []htmlFramework
	FrameworkOptions                    []string // the filter's choices
	Groups                              []htmlGroup
	Columns                             []htmlColumn
	Cols                                int // check columns of the heat map
	Span                                int // Cols and the account column
	Sections                            []htmlSection
	Problems                            []*htmlRow // accounts with errors or skipped
	Data                                htmlData
	CSP                                 template.HTMLAttr
	CSS                                 template.CSS
	JS, LoadingJS                       template.JS
}

type htmlFramework struct {
	Name                         string
	Passing, References, Percent int
	Failing                      []string
}

// htmlGroup is a run of heat-map columns of one source; Label is the
// source without "control:".
type htmlGroup struct {
	Source, Label string
	Span          int
}

type htmlColumn struct {
	ID, Title string
}

// htmlSection is one OU's rows (or the organization scope's).
type htmlSection struct {
	Heading string
	Rows    []*htmlRow
}

type htmlRow struct {
	Account, Name, OUPath string
	Class                 string // "ro" organization scope, "re" errors, "rs" skipped
	Errors                []string
	Error                 string // Errors joined, for the tooltip
	Skipped               string
	Note                  string // instead of cells, when the row has no findings
	Cells                 []htmlCell
}

// htmlCell is one heat-map cell; Status is empty when the account has no
// finding of the check.
type htmlCell struct {
	Check, Status, Class, Letter string
}

// CellsHTML is the row's cells:
//
//	<td class="f3" data-account="ID" data-check="CHECK" data-status="FAIL">F</td>
//
// or <td></td> for a cell without findings. The cells are written here,
// every value escaped with template.HTMLEscapeString, rather than in
// html.tmpl: 200,000 cells of 5 template actions each take seconds, this
// a fraction of one.
func (r *htmlRow) CellsHTML() template.HTML {
	var b strings.Builder
	acct := template.HTMLEscapeString(r.Account)
	for _, c := range r.Cells {
		if c.Status == "" {
			b.WriteString("<td></td>")
			continue
		}
		b.WriteString(`<td class="`)
		b.WriteString(c.Class)
		b.WriteString(`" data-account="`)
		b.WriteString(acct)
		b.WriteString(`" data-check="`)
		b.WriteString(template.HTMLEscapeString(c.Check))
		b.WriteString(`" data-status="`)
		b.WriteString(template.HTMLEscapeString(c.Status))
		b.WriteString(`">`)
		b.WriteString(c.Letter)
		b.WriteString("</td>")
	}
	return template.HTML(b.String())
}

// htmlData is the JSON the script reads. Strings (s) are interned, index 0
// being ""; a finding (f) is [account, column, status, severity, region,
// resource, message, title, remediation, compliance], the column an index
// into c, the compliance an index into the lists (l), the rest into s.
type htmlData struct {
	Strings  []string      `json:"s"`
	Lists    [][]string    `json:"l"`
	Checks   []htmlCheck   `json:"c"`
	Accounts []htmlAccount `json:"a"`
	Findings [][]int       `json:"f"`
}

type htmlCheck struct {
	ID     string `json:"id"`
	Source string `json:"src,omitempty"`
	Title  string `json:"t,omitempty"`
}

type htmlAccount struct {
	ID      string   `json:"id"`
	Name    string   `json:"n,omitempty"`
	OUPath  string   `json:"ou,omitempty"`
	Errors  []string `json:"err,omitempty"`
	Skipped string   `json:"skip,omitempty"`
}

// htmlStatusRank orders statuses for a cell's colour: FAIL over ERROR over
// PASS over SKIP (a skipped finding neither passes nor fails, as in
// Frameworks); an unknown status ranks below all. html.js ranks the same.
func htmlStatusRank(s baseline.Status) int {
	switch s {
	case baseline.StatusFail:
		return 3
	case baseline.StatusError:
		return 2
	case baseline.StatusPass:
		return 1
	case baseline.StatusSkip:
		return 0
	}
	return -1
}

// htmlWorst returns the status, class and letter of a cell with findings fs
// (not empty): the highest-ranking status, a failing cell shaded by the
// highest severity of its failing findings. Every cell but a passing one
// has a letter, so that failures read without colour. html.js computes
// the same.
func htmlWorst(fs []*baseline.Finding) (baseline.Status, string, string) {
	st, rank, sev := fs[0].Status, htmlStatusRank(fs[0].Status), -1
	for _, f := range fs {
		if r := htmlStatusRank(f.Status); r > rank {
			st, rank = f.Status, r
		}
	}
	switch st {
	case baseline.StatusFail:
		for _, f := range fs {
			if f.Status == baseline.StatusFail && f.Severity.Rank() > sev {
				sev = f.Severity.Rank()
			}
		}
		return st, "f" + string(rune('0'+max(sev, 0))), "F"
	case baseline.StatusError:
		return st, "e", "E"
	case baseline.StatusPass:
		return st, "p", "" // most cells pass: no text to lay out, the colour says it
	case baseline.StatusSkip:
		return st, "s", "S"
	}
	return st, "u", "?"
}

func newHTMLView(r *Report) *htmlView {
	v := &htmlView{
		Tool: r.Tool.Name, Version: r.Tool.Version, Organization: r.Organization, Digest: r.BaselineDigest,
		Framework: r.Framework, Shard: r.Shard, Summary: r.Summary, Findings: len(r.Findings),
		CSP: htmlCSP, CSS: template.CSS(htmlCSS), JS: template.JS(htmlJS), LoadingJS: template.JS(htmlLoadingJS),
	}
	if v.Tool == "" {
		v.Tool = "orgbaseline"
	}
	if !r.CreatedAt.IsZero() {
		v.Created = r.CreatedAt.UTC().Format("2006-01-02 15:04:05 UTC")
		v.CreatedISO = r.CreatedAt.UTC().Format(time.RFC3339)
	}
	for _, fw := range r.Frameworks {
		f := htmlFramework{Name: fw.Framework, Passing: fw.Passing, References: fw.References, Failing: fw.Failing}
		if fw.References > 0 {
			f.Percent = fw.Passing * 100 / fw.References // rounded down: 100% only when all pass
		}
		v.Frameworks = append(v.Frameworks, f)
	}

	// The columns: the catalogue, with any check it misses, by source.
	checks := append([]Check(nil), r.Checks...)
	known := map[string]bool{}
	for _, c := range checks {
		known[c.ID] = true
	}
	var missing []baseline.Finding
	frameworks := map[string]bool{}
	for _, f := range r.Findings {
		if !known[f.Check] {
			missing = append(missing, f)
		}
		for _, ref := range f.Compliance {
			frameworks[FrameworkOf(ref)] = true
		}
	}
	for fw := range frameworks {
		v.FrameworkOptions = append(v.FrameworkOptions, fw)
	}
	sort.Strings(v.FrameworkOptions)
	checks = append(checks, Catalog(missing)...)
	sort.SliceStable(checks, func(i, j int) bool {
		if checks[i].Source != checks[j].Source {
			return checks[i].Source < checks[j].Source
		}
		return checks[i].ID < checks[j].ID
	})
	column := map[string]int{}
	v.Data.Checks = []htmlCheck{}
	for _, c := range checks {
		if _, dup := column[c.ID]; dup {
			continue
		}
		column[c.ID] = len(v.Columns)
		// The header shows the id; its title has the id too, so a
		// tooltip always carries the full label.
		title := c.ID
		if c.Title != "" && c.Title != c.ID {
			title = c.ID + ": " + c.Title
		}
		v.Columns = append(v.Columns, htmlColumn{ID: c.ID, Title: title})
		v.Data.Checks = append(v.Data.Checks, htmlCheck{ID: c.ID, Source: c.Source, Title: c.Title})
		if n := len(v.Groups); n > 0 && v.Groups[n-1].Source == c.Source {
			v.Groups[n-1].Span++
		} else {
			label := strings.TrimPrefix(c.Source, "control:")
			if label == "" {
				label = "(no source)"
			}
			v.Groups = append(v.Groups, htmlGroup{Source: c.Source, Label: label, Span: 1})
		}
	}
	v.Cols = len(v.Columns)
	v.Span = v.Cols + 1

	// The findings of each cell, and the embedded data.
	type cellKey struct {
		account string
		column  int
	}
	cells := map[cellKey][]*baseline.Finding{}
	haveFindings := map[string]bool{}
	in := newHTMLInterner()
	lists := map[string]int{"": 0}
	v.Data.Lists = [][]string{{}}
	v.Data.Findings = make([][]int, 0, len(r.Findings))
	v.Data.Accounts = []htmlAccount{} // [] and not null for the script, also when empty
	for i := range r.Findings {
		f := &r.Findings[i]
		col := column[f.Check]
		k := cellKey{f.Account, col}
		cells[k] = append(cells[k], f)
		haveFindings[f.Account] = true
		lk := strings.Join(f.Compliance, "\n")
		li, ok := lists[lk]
		if !ok {
			li = len(v.Data.Lists)
			lists[lk] = li
			v.Data.Lists = append(v.Data.Lists, f.Compliance)
		}
		v.Data.Findings = append(v.Data.Findings, []int{
			in.id(f.Account), col, in.id(string(f.Status)), in.id(string(f.Severity)), in.id(f.Region),
			in.id(f.Resource), in.id(f.Message), in.id(f.Title), in.id(f.Remediation), li,
		})
	}
	v.Data.Strings = in.strings

	// The rows: the accounts, and any account only the findings name.
	accounts := append([]AccountReport(nil), r.Accounts...)
	listed := map[string]bool{}
	for _, a := range accounts {
		listed[a.Account] = true
	}
	for _, f := range r.Findings {
		if !listed[f.Account] {
			listed[f.Account] = true
			accounts = append(accounts, AccountReport{Account: f.Account, Name: f.AccountName})
		}
	}
	sections := map[string]*htmlSection{}
	var orgScope *htmlSection
	var ous []string
	for _, a := range accounts {
		row := &htmlRow{Account: a.Account, Name: a.Name, OUPath: a.OUPath, Errors: a.Errors,
			Error: strings.Join(a.Errors, "\n"), Skipped: a.Skipped}
		v.Data.Accounts = append(v.Data.Accounts, htmlAccount{ID: a.Account, Name: a.Name, OUPath: a.OUPath, Errors: a.Errors, Skipped: a.Skipped})
		switch {
		case a.OrganizationScope:
			row.Class = "ro"
		case len(a.Errors) > 0:
			row.Class = "re"
		case a.Skipped != "":
			row.Class = "rs"
		}
		if len(a.Errors) > 0 {
			v.AccountErrors++
		}
		if a.Skipped != "" {
			v.AccountsSkipped++
		}
		if len(a.Errors) > 0 || a.Skipped != "" {
			v.Problems = append(v.Problems, row)
		}
		if !haveFindings[a.Account] && len(v.Columns) > 0 && (a.Skipped != "" || len(a.Errors) > 0) {
			if a.Skipped != "" {
				row.Note = "skipped: " + a.Skipped
			} else {
				row.Note = "not checked: " + row.Error
			}
		} else {
			row.Cells = make([]htmlCell, len(v.Columns))
			for i, c := range v.Columns {
				row.Cells[i].Check = c.ID
				if fs := cells[cellKey{a.Account, i}]; len(fs) > 0 {
					st, class, letter := htmlWorst(fs)
					row.Cells[i] = htmlCell{Check: c.ID, Status: string(st), Class: class, Letter: letter}
				}
			}
		}
		if a.OrganizationScope {
			if orgScope == nil {
				orgScope = &htmlSection{Heading: "Organization scope"}
			}
			orgScope.Rows = append(orgScope.Rows, row)
			continue
		}
		s, ok := sections[a.OUPath]
		if !ok {
			heading := a.OUPath
			if heading == "" {
				heading = "(no OU path)"
			}
			s = &htmlSection{Heading: heading}
			sections[a.OUPath] = s
			ous = append(ous, a.OUPath)
		}
		s.Rows = append(s.Rows, row)
	}
	sort.Strings(ous)
	if orgScope != nil {
		v.Sections = append(v.Sections, *orgScope)
	}
	for _, ou := range ous {
		v.Sections = append(v.Sections, *sections[ou])
	}
	return v
}

// htmlInterner numbers distinct strings in the order first seen; "" is 0.
type htmlInterner struct {
	ids     map[string]int
	strings []string
}

func newHTMLInterner() *htmlInterner {
	return &htmlInterner{ids: map[string]int{"": 0}, strings: []string{""}}
}

func (in *htmlInterner) id(s string) int {
	if i, ok := in.ids[s]; ok {
		return i
	}
	i := len(in.strings)
	in.ids[s] = i
	in.strings = append(in.strings, s)
	return i
}
