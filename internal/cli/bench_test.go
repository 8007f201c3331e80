package cli

import (
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"

	"github.com/orgbaseline/orgbaseline/internal/orgsim"
)

func TestBenchSmall(t *testing.T) {
	// The harness only makes the environment hermetic; bench runs its
	// own orgsim.
	h := newHarness(t, orgsim.OrgSpec{})
	h.simClock = true // the bench's own orgsim: its waits for AWS advance that sim's clock
	r := h.run("sim", "bench", "--accounts", "20", "--regions", "2", "--latency", "1ms",
		"--jitter", "0", "--throttle=false", "--concurrency", "8")
	h.want(r, ExitOK)
	out := r.stdout
	for _, s := range []string{
		"21 accounts (20 members + management), 2 region(s) us-east-1,eu-west-1",
		"throttling off, concurrency 8",
		"converged: the plan after the apply has 0 changes",
		"peak RSS: ",
	} {
		if !strings.Contains(out, s) {
			t.Errorf("output lacks %q:\n%s", s, out)
		}
	}
	applyAt := strings.Index(out, "== apply (from scratch)")
	planAt := strings.Index(out, "== plan (no-op)")
	if applyAt < 0 || planAt < applyAt {
		t.Fatalf("want an apply phase then a plan phase:\n%s", out)
	}
	phases := map[string]string{"apply": out[applyAt:planAt], "plan": out[planAt:]}
	calls := regexp.MustCompile(`calls +(\d+) \(reads (\d+), writes (\d+)\)`)
	perAcct := regexp.MustCompile(`calls per account +([0-9.]+) `)
	ratio := regexp.MustCompile(`wall / floor +([0-9.]+)x`)
	for name, text := range phases {
		m := calls.FindStringSubmatch(text)
		if m == nil {
			t.Fatalf("%s: no calls line:\n%s", name, text)
		}
		total, _ := strconv.Atoi(m[1])
		reads, _ := strconv.Atoi(m[2])
		writes, _ := strconv.Atoi(m[3])
		if total <= 0 || reads <= 0 || total != reads+writes {
			t.Errorf("%s: calls %d, reads %d, writes %d", name, total, reads, writes)
		}
		switch name {
		case "apply":
			if writes <= 0 {
				t.Errorf("the apply from scratch made no writes:\n%s", text)
			}
		case "plan":
			if writes != 0 {
				t.Errorf("the converged plan made %d writes:\n%s", writes, text)
			}
		}
		if m := perAcct.FindStringSubmatch(text); m == nil {
			t.Errorf("%s: no per-account line:\n%s", name, text)
		} else if v, _ := strconv.ParseFloat(m[1], 64); v <= 0 {
			t.Errorf("%s: calls per account %v", name, v)
		}
		if m := ratio.FindStringSubmatch(text); m == nil {
			t.Errorf("%s: no wall / floor ratio:\n%s", name, text)
		} else if v, _ := strconv.ParseFloat(m[1], 64); v <= 0 {
			t.Errorf("%s: wall / floor %v", name, v)
		}
		for _, k := range []string{"wall time", "retries", "floor (a) calls x L / C", "floor (b) chain x L"} {
			if !strings.Contains(text, k) {
				t.Errorf("%s: no %q line:\n%s", name, k, text)
			}
		}
	}
	if strings.Contains(out, "peak RSS: n/a") {
		t.Log("peak RSS is not available on this system")
	} else if !regexp.MustCompile(`peak RSS: [0-9.]+ MB`).MatchString(out) {
		t.Errorf("no peak RSS figure:\n%s", out)
	}
}

func TestBenchBaselineRegions(t *testing.T) {
	b, err := benchBaseline([]string{"us-east-1", "eu-west-1", "us-west-2"}, 64)
	if err != nil {
		t.Fatal(err)
	}
	s := string(b)
	if !strings.Contains(s, "\n  regions: [us-east-1, eu-west-1, us-west-2]\n") || !strings.Contains(s, "\n  concurrency: 64\n") {
		t.Errorf("regions or concurrency not replaced:\n%s", s)
	}
	if _, err := loadBaselineBytes(t, b); err != nil {
		t.Errorf("the bench baseline does not load: %v", err)
	}
}

func loadBaselineBytes(t *testing.T, b []byte) (any, error) {
	t.Helper()
	h := &harness{t: t, dir: t.TempDir()}
	return loadBaseline(h.write("baseline.yaml", string(b)))
}

// With --sim-process, orgsim runs in a child `sim serve` and the figures
// come from its admin API: the same phases, calls counted, and the peak
// RSS of each process shown apart.
func TestBenchWithOrgsimInAChildProcess(t *testing.T) {
	bin := filepath.Join(t.TempDir(), "orgbaseline")
	if out, err := exec.Command("go", "build", "-o", bin, "../../cmd/orgbaseline").CombinedOutput(); err != nil {
		t.Fatalf("go build: %v\n%s", err, out)
	}
	// The child's clock is the wall clock, which this test cannot move:
	// it is about the child process, not the waits for AWS (TestBenchSmall
	// has them, on its sim's clock).
	out, err := exec.Command(bin, "sim", "bench", "--accounts", "6", "--regions", "1", "--latency", "0",
		"--jitter", "0", "--concurrency", "4", "--sim-process", "--aws-like=false").CombinedOutput()
	if err != nil {
		t.Fatalf("bench --sim-process: %v\n%s", err, out)
	}
	text := string(out)
	for _, s := range []string{
		"orgsim in a child process",
		"converged: the plan after the apply has 0 changes",
		"peak RSS: orgbaseline ",
		", orgsim ",
	} {
		if !strings.Contains(text, s) {
			t.Errorf("output lacks %q:\n%s", s, text)
		}
	}
	m := regexp.MustCompile(`== apply \(from scratch\)\n  wall time +\S+\n  calls +(\d+) \(reads \d+, writes (\d+)\)`).FindStringSubmatch(text)
	if m == nil {
		t.Fatalf("no apply figures:\n%s", text)
	}
	if n, _ := strconv.Atoi(m[2]); n == 0 {
		t.Errorf("the apply counted no writes from the child's counters:\n%s", text)
	}
}
