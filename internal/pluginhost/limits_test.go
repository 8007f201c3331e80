package pluginhost

import (
	"context"
	"fmt"
	"math"
	"runtime"
	"strings"
	"testing"
	"time"
	"unicode/utf8"

	"google.golang.org/protobuf/reflect/protoreflect"

	"github.com/orgbaseline/orgbaseline/baseline"
	"github.com/orgbaseline/orgbaseline/plugins/proto/checkpb"
)

// A plugin answering a million findings (about 13 MB on the wire, under
// the message cap) costs the host a bounded amount of memory: the codec
// decodes the first maxFindings only, and one ERROR finding counts the
// rest. The test reports what the host allocated during the run, an
// upper bound on how much its heap grew.
func TestAMillionFindingsStayWithinTheCap(t *testing.T) {
	const n = 1_000_000
	h := open(t, []Spec{fixtureSpec(t, "flood", fmt.Sprintf(`{"floodFindings":%d}`, n))}, Options{})
	var before, after runtime.MemStats
	runtime.GC()
	runtime.ReadMemStats(&before)
	fs := h.Run(context.Background(), account("111111111111", "a"), "us-east-1", regions)
	runtime.ReadMemStats(&after)
	allocated := after.TotalAlloc - before.TotalAlloc
	t.Logf("the host allocated %d MiB while taking %d findings (message cap %d MiB)", allocated>>20, n, maxMessageBytes>>20)

	if len(fs) != maxFindings+1 {
		t.Fatalf("got %d findings, want %d and the limit finding", len(fs), maxFindings)
	}
	for _, f := range fs[:maxFindings] {
		if f.Check != "f.x" {
			t.Fatalf("a kept finding is not the plugin's: %s", dump([]baseline.Finding{f}))
		}
	}
	limit := fs[maxFindings]
	if limit.Check != "flood.limit" || limit.Status != baseline.StatusError || limit.Evidence["dropped"] != n-maxFindings {
		t.Fatalf("limit finding: %s", dump([]baseline.Finding{limit}))
	}
	mustContain(t, limit.Message, "returned more than 1000 findings", "999000 were dropped")
	// Decoding all of them would take about 450 MB (two Go values per
	// finding); the capped decode holds the message and its copies.
	if bound := uint64(8 * maxMessageBytes); allocated > bound {
		t.Fatalf("the host allocated %d MiB, over %d MiB: the findings were not capped while decoding", allocated>>20, bound>>20)
	}
}

func TestAnAnswerOverTheMessageCapIsAnErrorFinding(t *testing.T) {
	h := open(t, []Spec{fixtureSpec(t, "huge", fmt.Sprintf(`{"bigField":%d}`, 5<<20))}, Options{})
	fs := h.Run(context.Background(), account("111111111111", "a"), "us-east-1", regions)
	f := find(t, fs, "huge.run")
	if f.Status != baseline.StatusError {
		t.Fatal(dump(fs))
	}
	mustContain(t, f.Message, "larger than max", fmt.Sprint(maxMessageBytes))
}

func TestLongFieldsAreTruncatedWithAMarker(t *testing.T) {
	const size = 100_000
	h := open(t, []Spec{fixtureSpec(t, "big", fmt.Sprintf(`{"bigField":%d}`, size))}, Options{})
	f := find(t, h.Run(context.Background(), account("111111111111", "a"), "us-east-1", regions), "fixture.big")
	big, _ := f.Evidence["big"].(string)
	for name, s := range map[string]string{"message": f.Message, "remediation": f.Remediation, "resource": f.Resource, "evidence": big} {
		kept := strings.TrimSuffix(s, fmt.Sprintf("…[truncated %d bytes]", size-maxFieldBytes))
		if kept == s || len(kept) != maxFieldBytes || !utf8.ValidString(s) || strings.Trim(kept, "é") != "" {
			t.Errorf("%s: %d bytes ending %q; want %d bytes of the plugin's text and the marker", name, len(s), s[max(0, len(s)-40):], maxFieldBytes)
		}
	}
}

func TestEvidenceAndComplianceAreCapped(t *testing.T) {
	h := open(t, []Spec{fixtureSpec(t, "wide", `{"evidenceFlood":1000}`)}, Options{})
	f := find(t, h.Run(context.Background(), account("111111111111", "a"), "us-east-1", regions), "fixture.evidence")
	if len(f.Evidence) != maxEvidenceEntries+1 || len(f.Compliance) != maxCompliance {
		t.Fatalf("%d evidence entries and %d compliance references; want %d and the host's note, and %d",
			len(f.Evidence), len(f.Compliance), maxEvidenceEntries, maxCompliance)
	}
	note, _ := f.Evidence[limitKey].(string)
	mustContain(t, note, "936 evidence entries (over 64)", "968 compliance references (over 32)")
}

// The plugin writes 20,000 error lines as fast as it can. At most the
// bucket's burst and its rate over the test's duration reach the log;
// every other flood line is counted in a "lines dropped" warning.
func TestALogFloodIsRateLimited(t *testing.T) {
	const flood = 20_000
	var buf logBuffer
	start := time.Now()
	h := open(t, []Spec{fixtureSpec(t, "noisy", fmt.Sprintf(`{"logFlood":%d}`, flood))}, Options{Log: buf.logger()})
	h.Run(context.Background(), account("111111111111", "a"), "us-east-1", regions)
	h.Close() // waits for the plugin's last lines and reports the drops
	elapsed := time.Since(start)

	emitted, dropped, summaries, total := 0, 0, 0, 0
	for _, l := range buf.lines(t) {
		total++
		switch msg, _ := l["message"].(string); {
		case msg == "flood line":
			emitted++
		case strings.Contains(msg, "plugin log lines dropped"):
			summaries++
			n, _ := l["dropped"].(float64)
			dropped += int(n)
			mustContain(t, msg, fmt.Sprintf("%d plugin log lines dropped", int(n)))
		}
	}
	allowed := logBurst + int(math.Ceil(elapsed.Seconds()*logLinesPerSecond))
	t.Logf("%d flood lines logged, %d counted as dropped in %d warnings, %d lines in all, in %s", emitted, dropped, summaries, total, elapsed)
	if emitted > allowed {
		t.Errorf("%d flood lines reached the log; the bucket allows %d in %s", emitted, allowed, elapsed)
	}
	if emitted+dropped < flood {
		t.Errorf("%d flood lines logged and %d counted as dropped; the plugin wrote %d", emitted, dropped, flood)
	}
	if summaries == 0 || summaries > 1+int(elapsed/logDropReportEvery) {
		t.Errorf("%d warnings about dropped lines in %s; want one per %s at most", summaries, elapsed, logDropReportEvery)
	}
	if total > allowed+summaries+50 {
		t.Errorf("%d log lines in all, for a bucket that allows %d", total, allowed)
	}
}

func TestAPluginCannotSetTheAccountOfALogLine(t *testing.T) {
	var buf logBuffer
	h := open(t, []Spec{fixtureSpec(t, "spoof", `{"spoofAccount":"999999999999"}`)}, Options{Log: buf.logger()})
	h.Run(context.Background(), account("111111111111", "a"), "us-east-1", regions)
	buf.waitFor("spoofed line") // on its way apart from the answer
	h.Close()
	spoofed, own := false, false
	for _, l := range buf.lines(t) {
		for k, v := range l {
			if v == "999999999999" {
				t.Errorf("the spoofed account was kept as %s: %v", k, l)
			}
		}
		switch l["message"] {
		case "spoofed line":
			spoofed = true
		case "checking account":
			own = l["account"] == "111111111111"
		}
	}
	if !spoofed || !own {
		t.Fatalf("lines missing (spoofed %v, own account kept %v):\n%s", spoofed, own, buf.buf.String())
	}
}

func TestTruncated(t *testing.T) {
	for _, c := range []struct {
		in    string
		limit int
		want  string
	}{
		{"short", 10, "short"},
		{"0123456789ab", 10, "0123456789…[truncated 2 bytes]"},
		{"ééé", 3, "é…[truncated 4 bytes]"}, // never half a character
		{"abc", -1, "…[truncated 3 bytes]"},
	} {
		if got := truncated(c.in, c.limit); got != c.want {
			t.Errorf("truncated(%q, %d) = %q, want %q", c.in, c.limit, got, c.want)
		}
	}
}

// The codec's field numbers are check.proto's.
func TestWireFieldNumbers(t *testing.T) {
	num := func(m protoreflect.ProtoMessage, field string) protoreflect.FieldNumber {
		return m.ProtoReflect().Descriptor().Fields().ByName(protoreflect.Name(field)).Number()
	}
	for _, c := range []struct {
		got, want protoreflect.FieldNumber
	}{
		{num(&checkpb.RunResponse{}, "findings"), runResponseFindings},
		{num(&checkpb.Finding{}, "compliance"), findingCompliance},
		{num(&checkpb.Finding{}, "evidence"), findingEvidence},
		{(&checkpb.Finding{}).ProtoReflect().Descriptor().Fields().ByName("evidence").MapKey().Number(), mapEntryKey},
	} {
		if c.got != c.want {
			t.Errorf("field number %d in check.proto, %d in wirelimit.go", c.got, c.want)
		}
	}
}
