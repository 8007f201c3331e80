package report

import (
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/chromedp/cdproto/log"
	"github.com/chromedp/cdproto/network"
	"github.com/chromedp/cdproto/runtime"
	"github.com/chromedp/chromedp"
	"github.com/chromedp/chromedp/kb"

	"github.com/orgbaseline/orgbaseline/baseline"
)

// htmlBrowser starts headless Chromium for the test and returns a tab's
// context and what the pages did: every URL requested, every script
// exception and error logged. Without Chromium the test is skipped, or
// fails when ORGBASELINE_REQUIRE_CHROMIUM=1 (as in CI).
func htmlBrowser(t *testing.T) (context.Context, *htmlBrowserLog) {
	t.Helper()
	var path string
	for _, name := range []string{"chromium", "chromium-browser"} {
		if p, err := exec.LookPath(name); err == nil {
			path = p
			break
		}
	}
	if path == "" {
		if os.Getenv("ORGBASELINE_REQUIRE_CHROMIUM") == "1" {
			t.Fatal("Chromium is not installed (no chromium or chromium-browser on PATH) and ORGBASELINE_REQUIRE_CHROMIUM=1")
		}
		t.Skip("Chromium is not installed: apt-get install chromium (or put chromium or chromium-browser on PATH) to run the HTML report in a browser")
	}
	profile := t.TempDir() // made before the cleanups below, so removed after Chromium exits
	// A safety net only: no assertion depends on time.
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	t.Cleanup(cancel)
	ctx, cancelAlloc := chromedp.NewExecAllocator(ctx,
		chromedp.ExecPath(path),
		chromedp.Headless,
		chromedp.NoSandbox,
		chromedp.DisableGPU,
		chromedp.NoFirstRun,
		chromedp.NoDefaultBrowserCheck,
		chromedp.Flag("disable-quic", true),
		chromedp.Flag("disable-background-networking", true),
		chromedp.Flag("disable-component-update", true),
		chromedp.Flag("disable-sync", true),
		chromedp.UserDataDir(profile),
		chromedp.WindowSize(1280, 900),
	)
	t.Cleanup(cancelAlloc)
	bl := &htmlBrowserLog{}
	ctx, cancelTab := chromedp.NewContext(ctx, chromedp.WithListener(bl.event))
	t.Cleanup(cancelTab)
	if err := chromedp.Do(ctx); err != nil { // start the browser
		t.Fatalf("starting %s: %v", path, err)
	}
	return ctx, bl
}

// htmlBrowserLog records what a tab did.
type htmlBrowserLog struct {
	mu     sync.Mutex
	urls   []string
	errors []string
}

func (bl *htmlBrowserLog) event(ev any) {
	bl.mu.Lock()
	defer bl.mu.Unlock()
	switch ev := ev.(type) {
	case *network.EventRequestWillBeSent:
		bl.urls = append(bl.urls, ev.Request.URL)
	case *runtime.EventExceptionThrown:
		msg := "exception: " + ev.ExceptionDetails.Text
		if ex := ev.ExceptionDetails.Exception; ex != nil {
			msg += " " + ex.Description
		}
		bl.errors = append(bl.errors, msg)
	case *runtime.EventConsoleAPICalled:
		if ev.Type == "error" {
			bl.errors = append(bl.errors, "console.error")
		}
	case *log.EventEntryAdded:
		if ev.Entry.Level == log.EntryLevelError {
			bl.errors = append(bl.errors, string(ev.Entry.Source)+": "+ev.Entry.Text)
		}
	}
}

// check fails the test on a script error, a logged error (a violation of
// the page's Content-Security-Policy is one), or a request for anything
// but the report's own file.
func (bl *htmlBrowserLog) check(t *testing.T) {
	t.Helper()
	bl.mu.Lock()
	defer bl.mu.Unlock()
	if len(bl.urls) == 0 {
		t.Error("no request seen: the listener is not working")
	}
	for _, u := range bl.urls {
		if !strings.HasPrefix(u, "file://") {
			t.Errorf("the page requested %s", u)
		}
	}
	for _, e := range bl.errors {
		t.Errorf("the page logged an error: %s", e)
	}
}

// htmlWritePage renders r into a file and returns its file:// URL.
func htmlWritePage(t *testing.T, r *Report, name string) string {
	t.Helper()
	path := filepath.Join(t.TempDir(), name)
	if err := os.WriteFile(path, htmlRender(t, r), 0o644); err != nil {
		t.Fatal(err)
	}
	return "file://" + filepath.ToSlash(path)
}

// htmlCellSel selects the heat-map cell of an account and a check.
func htmlCellSel(account, check string) chromedp.CSS {
	return chromedp.CSS(`#heat td[data-account="` + account + `"][data-check="` + check + `"]`)
}

// htmlChoose sets a filter's value and fires its change event, as a user
// choosing does.
func htmlChoose(sel, value string) chromedp.Action[chromedp.Void] {
	return chromedp.Steps(
		chromedp.SetValue(chromedp.CSS(sel), value),
		func(ctx context.Context, t *chromedp.Target) (chromedp.Void, error) {
			_, err := chromedp.Evaluate[bool](`document.querySelector(`+htmlJSString(sel)+`).dispatchEvent(new Event("change", {bubbles: true}))`)(ctx, t)
			return chromedp.Void{}, err
		},
	)
}

func htmlJSString(s string) string {
	return `"` + strings.NewReplacer(`\`, `\\`, `"`, `\"`).Replace(s) + `"`
}

// htmlEval evaluates a JavaScript expression in the page.
func htmlEval[T any](t *testing.T, ctx context.Context, expr string) T {
	t.Helper()
	v, err := chromedp.Run(ctx, chromedp.Evaluate[T](expr))
	if err != nil {
		t.Fatalf("%s: %v", expr, err)
	}
	return v
}

// htmlDo runs actions, failing the test on an error.
func htmlDo(t *testing.T, ctx context.Context, steps ...chromedp.Action[chromedp.Void]) {
	t.Helper()
	if err := chromedp.Do(ctx, steps...); err != nil {
		t.Fatal(err)
	}
}

// htmlDetails is the visible text of the details panel.
func htmlDetails(t *testing.T, ctx context.Context) string {
	t.Helper()
	s, err := chromedp.Run(ctx, chromedp.Text(chromedp.CSS("#details")))
	if err != nil {
		t.Fatal(err)
	}
	return s
}

// htmlCellsJS lists the heat map's cells with a status as
// "account check status class".
const htmlCellsJS = `Array.from(document.querySelectorAll("#heat td[data-status]")).map(td =>
	[td.dataset.account, td.dataset.check, td.dataset.status, td.className].join(" "))`

// htmlFailingJS lists the cells that show a failure (a fail or error
// class, not dimmed) as "account check".
const htmlFailingJS = `Array.from(document.querySelectorAll("#heat td[data-status]")).
	filter(td => /^(f[0-4]|e)$/.test(td.className)).map(td => td.dataset.account + " " + td.dataset.check)`

const (
	htmlProdA      = "333333333333"
	htmlLogArchive = "222222222222"
	htmlPwLength   = "passwordPolicy.minimumPasswordLength"
	htmlRootMFA    = "plugin:root-account/mfa"
)

func TestBrowserHTML(t *testing.T) {
	ctx, bl := htmlBrowser(t)
	defer bl.check(t)
	htmlDo(t, ctx,
		chromedp.Navigate(htmlWritePage(t, fixture(), "fixture.html")),
		chromedp.WaitVisible(chromedp.CSS("#filters")), // the script ran: it shows the filters
	)
	cells := htmlEval[[]string](t, ctx, htmlCellsJS)

	// The heat map: Prod A fails three checks, shaded by severity; the Log
	// Archive passes all of its.
	for _, want := range []string{
		htmlProdA + " accessAnalyzer.enabled FAIL f1",
		htmlProdA + " " + htmlPwLength + " FAIL f2",
		htmlProdA + " " + htmlRootMFA + " FAIL f4",
		"111111111111 organizationTrail.allRegions FAIL f3",
		"444444444444 " + htmlPwLength + " ERROR e",
	} {
		if !slices.Contains(cells, want) {
			t.Errorf("no cell %q in %q", want, cells)
		}
	}
	var logArchive int
	for _, c := range cells {
		if strings.HasPrefix(c, htmlLogArchive+" ") {
			logArchive++
			if f := strings.Fields(c); f[2] != "PASS" || f[3] != "p" {
				t.Errorf("a Log Archive cell is %q, not PASS", c)
			}
		}
	}
	if logArchive != 3 {
		t.Errorf("the Log Archive has %d cells with findings, want 3", logArchive)
	}
	// The page's style applies under its Content-Security-Policy: .f2 is red.
	bg := htmlEval[string](t, ctx, `getComputedStyle(document.querySelector(`+htmlJSString(string(htmlCellSel(htmlProdA, htmlPwLength)))+`)).backgroundColor`)
	if bg != "rgb(240, 124, 108)" {
		t.Errorf("the medium failure's cell is %s, not red", bg)
	}

	// Drill-down: a cell shows its findings.
	htmlDo(t, ctx,
		chromedp.Click(htmlCellSel(htmlProdA, htmlPwLength)),
		chromedp.WaitVisible(chromedp.CSS("#details")),
	)
	details := htmlDetails(t, ctx)
	for _, want := range []string{"Prod A (333333333333) · " + htmlPwLength, "Password policy requires at least 14 characters",
		"FAIL", "medium", "global", "arn:aws:iam::333333333333:account-password-policy",
		"minimum length is 8, want 14", "Run orgbaseline apply, or set MinimumPasswordLength to 14 or more.", "CIS-3.0:1.8", "SOC2:CC6.1"} {
		if !strings.Contains(details, want) {
			t.Errorf("the cell's details lack %q:\n%s", want, details)
		}
	}
	if strings.Contains(details, "root MFA") {
		t.Errorf("the cell's details show another check's finding:\n%s", details)
	}
	// The account's name: all its failing findings.
	htmlDo(t, ctx, chromedp.Click(chromedp.CSS(`#heat th[data-account="`+htmlProdA+`"]`)))
	details = htmlDetails(t, ctx)
	for _, want := range []string{"no analyzer in eu-west-1", "minimum length is 8, want 14", "root MFA is not enabled", htmlRootMFA, `The root user has MFA <enabled> & "hardware"`} {
		if !strings.Contains(details, want) {
			t.Errorf("the account's details lack %q:\n%s", want, details)
		}
	}
	if strings.Contains(details, "is ACTIVE") {
		t.Errorf("the account's failing findings include a passing one:\n%s", details)
	}

	// Severity filter: at critical only the root MFA failure still shows as
	// failing, and the open details follow the filter.
	htmlDo(t, ctx, htmlChoose("#f-sev", "critical"))
	if failing, want := htmlEval[[]string](t, ctx, htmlFailingJS), []string{htmlProdA + " " + htmlRootMFA}; !slices.Equal(failing, want) {
		t.Errorf("at critical the failing cells are %q, want %q", failing, want)
	}
	if status := htmlEval[string](t, ctx, `document.getElementById("f-status").textContent`); status != "Matching the filters: 1 failing finding (FAIL or ERROR) in 1 account." {
		t.Errorf("at critical the filter status is %q", status)
	}
	details = htmlDetails(t, ctx)
	if !strings.Contains(details, "root MFA is not enabled") || strings.Contains(details, "minimum length is 8") ||
		!strings.Contains(details, "2 findings are hidden by the filters") {
		t.Errorf("at critical the account's details are:\n%s", details)
	}
	// Back to any severity: every cell as rendered.
	htmlDo(t, ctx, htmlChoose("#f-sev", ""))
	if again := htmlEval[[]string](t, ctx, htmlCellsJS); !slices.Equal(again, cells) {
		t.Errorf("with no filter the cells are\n%q\nnot as rendered\n%q", again, cells)
	}

	// Only accounts with failures: the Log Archive and the skipped account
	// go.
	htmlDo(t, ctx, chromedp.Click(chromedp.CSS("#f-bad")))
	hidden := htmlEval[[]string](t, ctx, `Array.from(document.querySelectorAll("#heat th[data-account]")).
		filter(th => th.offsetParent === null).map(th => th.dataset.account)`)
	if want := []string{"555555555555", htmlLogArchive}; !slices.Equal(hidden, want) {
		t.Errorf("only accounts with failures hides %q, want %q", hidden, want)
	}

	// An empty report loads without a script error (bl.check).
	htmlDo(t, ctx,
		chromedp.Navigate(htmlWritePage(t, &Report{}, "empty.html")),
		chromedp.WaitVisible(chromedp.CSS("#filters")),
		chromedp.WaitVisible(chromedp.CSS("#heat")),
	)
}

// TestBrowserHTMLKeyboard moves through the heat map with the keyboard.
func TestBrowserHTMLKeyboard(t *testing.T) {
	ctx, bl := htmlBrowser(t)
	defer bl.check(t)
	htmlDo(t, ctx,
		chromedp.Navigate(htmlWritePage(t, fixture(), "fixture.html")),
		chromedp.WaitVisible(chromedp.CSS("#filters")),
		// The grid is one tab stop, at first the first account.
		chromedp.Focus(chromedp.CSS(`#heat [tabindex="0"]`)),
		chromedp.KeyEvent(kb.ArrowRight),
		chromedp.KeyEvent(kb.ArrowRight),
		chromedp.KeyEvent(kb.Enter),
		chromedp.WaitVisible(chromedp.CSS("#details")),
	)
	if details := htmlDetails(t, ctx); !strings.Contains(details, "trail org-trail is missing") {
		t.Errorf("right, right, Enter from the organization scope shows:\n%s", details)
	}
	htmlDo(t, ctx,
		chromedp.KeyEvent(kb.ArrowDown), // the skipped account's note
		chromedp.KeyEvent(kb.ArrowDown), // the Log Archive, back in the trail's column
		chromedp.KeyEvent(kb.ArrowRight),
		chromedp.KeyEvent(" "),
	)
	if details := htmlDetails(t, ctx); !strings.Contains(details, "minimum length is 14") {
		t.Errorf("down, down, right, Space shows:\n%s", details)
	}
	htmlDo(t, ctx,
		chromedp.KeyEvent(kb.Escape),
		chromedp.WaitNotVisible(chromedp.CSS("#details")),
	)
	active := htmlEval[string](t, ctx, `(e => e.dataset.account + " " + e.dataset.check)(document.activeElement)`)
	if want := htmlLogArchive + " " + htmlPwLength; active != want {
		t.Errorf("after Escape the focus is on %q, want %q", active, want)
	}
}

// TestBrowserHTMLFramework filters by framework. Every check of the
// fixture cites every framework, so the page has one more failing check,
// citing SOC2 only.
func TestBrowserHTMLFramework(t *testing.T) {
	ctx, bl := htmlBrowser(t)
	defer bl.check(t)
	r := fixture()
	r.Findings = append(r.Findings, baseline.Finding{
		Check: "plugin:tagging/owner", Source: "plugin:tagging", Account: htmlProdA, AccountName: "Prod A",
		Resource: "arn:aws:iam::" + htmlProdA + ":root", Status: baseline.StatusFail, Severity: baseline.SeverityHigh,
		Title: "Accounts have an owner tag", Message: "tag owner is missing", Compliance: []string{"SOC2:CC8.1"},
	})
	Sort(r.Findings)
	Summarise(r)
	tagging := `document.querySelector(` + htmlJSString(string(htmlCellSel(htmlProdA, "plugin:tagging/owner"))) + `).className`
	htmlDo(t, ctx,
		chromedp.Navigate(htmlWritePage(t, r, "framework.html")),
		chromedp.WaitVisible(chromedp.CSS("#filters")),
		chromedp.Click(chromedp.CSS(`#heat th[data-account="`+htmlProdA+`"]`)),
		chromedp.WaitVisible(chromedp.CSS("#details")),
	)
	if details := htmlDetails(t, ctx); !strings.Contains(details, "tag owner is missing") {
		t.Fatalf("the account's details lack the tagging failure:\n%s", details)
	}

	htmlDo(t, ctx, htmlChoose("#f-fw", "CIS-3.0"))
	if cls := htmlEval[string](t, ctx, tagging); cls != "f3 x" {
		t.Errorf("with CIS-3.0 the tagging cell is %q, want dimmed", cls)
	}
	if failing := htmlEval[[]string](t, ctx, htmlFailingJS); !slices.Contains(failing, htmlProdA+" accessAnalyzer.enabled") || slices.Contains(failing, htmlProdA+" plugin:tagging/owner") {
		t.Errorf("with CIS-3.0 the failing cells are %q", failing)
	}
	if details := htmlDetails(t, ctx); strings.Contains(details, "tag owner is missing") || !strings.Contains(details, "minimum length is 8, want 14") ||
		!strings.Contains(details, "1 finding is hidden by the filters") {
		t.Errorf("with CIS-3.0 the account's details are:\n%s", details)
	}
	dimmed := htmlEval[[]string](t, ctx, `Array.from(document.querySelectorAll("#compliance li.x")).map(li => li.dataset.framework)`)
	if want := []string{"CMMC", "HIPAA", "ISO27001", "NIST-CSF", "SOC2"}; !slices.Equal(dimmed, want) {
		t.Errorf("with CIS-3.0 the compliance section dims %q, want %q", dimmed, want)
	}

	htmlDo(t, ctx, htmlChoose("#f-fw", "SOC2"))
	if cls := htmlEval[string](t, ctx, tagging); cls != "f3" {
		t.Errorf("with SOC2 the tagging cell is %q", cls)
	}
	if details := htmlDetails(t, ctx); !strings.Contains(details, "tag owner is missing") {
		t.Errorf("with SOC2 the account's details lack the tagging failure:\n%s", details)
	}
}

// htmlCutLabelsJS lists the heat map's labels whose text does not fit
// their box (cut by an ellipsis or hidden by overflow).
const htmlCutLabelsJS = `Array.from(document.querySelectorAll(
	"#heat tr.grp th span, #heat tr.chk th span, #heat th[scope=row] .l, #heat td.nt span")).
	filter(e => e.scrollWidth > e.clientWidth || e.scrollHeight > e.clientHeight).
	map(e => e.textContent.trim() + " (" + e.scrollWidth + "x" + e.scrollHeight + " in " + e.clientWidth + "x" + e.clientHeight + ")")`

// htmlUntitledLabelsJS lists the heat map's labels whose title does not
// hold their full text (the group's source, the check's id, the account).
const htmlUntitledLabelsJS = `[
	...Array.from(document.querySelectorAll("#heat tr.grp th, #heat tr.chk th[data-check]")).
		filter(e => !(e.title || "").includes(e.textContent.trim())).map(e => e.textContent.trim()),
	...Array.from(document.querySelectorAll("#heat th[scope=row] .l")).
		filter(e => !(e.title || "").includes(e.closest("th").dataset.account)).map(e => e.textContent.trim()),
]`

// In a 1400 px window the heat map takes the width it is given, not a
// third of it, and no label is cut: every one shows in full, and its
// title holds it too.
func TestBrowserHTMLHeatMapUsesTheWidth(t *testing.T) {
	ctx, bl := htmlBrowser(t)
	defer bl.check(t)
	htmlDo(t, ctx,
		chromedp.EmulateViewport(1400, 900),
		chromedp.Navigate(htmlWritePage(t, fixture(), "fixture.html")),
		chromedp.WaitVisible(chromedp.CSS("#filters")),
	)
	if w := htmlEval[float64](t, ctx, `window.innerWidth`); w != 1400 {
		t.Fatalf("the window is %v px wide, want 1400", w)
	}
	ratio := htmlEval[float64](t, ctx, `(() => {
		const s = document.getElementById("map"), cs = getComputedStyle(s);
		const content = s.clientWidth - parseFloat(cs.paddingLeft) - parseFloat(cs.paddingRight);
		return document.getElementById("heat").getBoundingClientRect().width / content;
	})()`)
	if ratio < 0.8 {
		t.Errorf("the heat map is %.0f%% of the content width, want at least 80%%", 100*ratio)
	}
	if n := htmlEval[int](t, ctx, `document.querySelectorAll("#heat tr.grp th span, #heat tr.chk th span, #heat th[scope=row] .l").length`); n == 0 {
		t.Fatal("no heat-map labels found: the selectors are stale")
	}
	if cut := htmlEval[[]string](t, ctx, htmlCutLabelsJS); len(cut) > 0 {
		t.Errorf("labels cut at 1400 px: %q", cut)
	}
	if untitled := htmlEval[[]string](t, ctx, htmlUntitledLabelsJS); len(untitled) > 0 {
		t.Errorf("labels without their full text in a title: %q", untitled)
	}
}
