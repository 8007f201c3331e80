package cli

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"time"

	"github.com/orgbaseline/orgbaseline/internal/orgsim"
)

// benchSim is the simulated organization a benchmark runs against: orgsim
// in this process, or in a child process so that this process's peak RSS
// is orgbaseline's alone.
type benchSim interface {
	endpoint() string
	credentials() orgsim.Credentials
	managementID() string
	counters() (orgsim.Snapshot, error)
	resetCounters() error
	// peakRSS is the emulator's own peak RSS when it is a separate
	// process ("" in-process).
	peakRSS() string
	close()
}

// inProcessSim serves orgsim from this process.
type inProcessSim struct {
	sim *orgsim.Sim
	url string
	srv *http.Server
}

func startInProcessSim(opts orgsim.Options) (*inProcessSim, error) {
	sim := orgsim.New(opts)
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return nil, fmt.Errorf("start orgsim: %w", err)
	}
	srv := &http.Server{Handler: sim, ReadHeaderTimeout: 10 * time.Second}
	go func() { _ = srv.Serve(ln) }()
	return &inProcessSim{sim: sim, url: "http://" + ln.Addr().String(), srv: srv}, nil
}

func (s *inProcessSim) endpoint() string                   { return s.url }
func (s *inProcessSim) credentials() orgsim.Credentials    { return s.sim.ManagementCredentials() }
func (s *inProcessSim) managementID() string               { return s.sim.ManagementAccountID() }
func (s *inProcessSim) counters() (orgsim.Snapshot, error) { return s.sim.Counters(), nil }
func (s *inProcessSim) resetCounters() error               { s.sim.ResetCounters(); return nil }
func (s *inProcessSim) peakRSS() string                    { return "" }
func (s *inProcessSim) close()                             { _ = s.srv.Close() }

// childSim runs `orgbaseline sim serve` as a child process and talks to it
// over its admin API.
type childSim struct {
	cmd   *exec.Cmd
	url   string
	creds orgsim.Credentials
	// adminToken authenticates the admin API calls.
	adminToken string
	mgmt       string
	dir        string
	done       chan struct{}
}

// startChildSim starts this executable's `sim serve` with args and waits
// for it to say it is serving (it writes the env file first).
func startChildSim(ctx context.Context, args []string) (*childSim, error) {
	exe, err := os.Executable()
	if err != nil {
		return nil, fmt.Errorf("start orgsim process: %w", err)
	}
	dir, err := os.MkdirTemp("", "orgbaseline-bench-sim-")
	if err != nil {
		return nil, fmt.Errorf("start orgsim process: %w", err)
	}
	env := filepath.Join(dir, "orgsim.env")
	cmd := exec.CommandContext(ctx, exe, append([]string{"sim", "serve", "--listen", "127.0.0.1:0", "--env-file", env, "--log-format", "json"}, args...)...)
	cmd.Stderr = os.Stderr
	out, err := cmd.StdoutPipe()
	if err != nil {
		os.RemoveAll(dir)
		return nil, fmt.Errorf("start orgsim process: %w", err)
	}
	if err := cmd.Start(); err != nil {
		os.RemoveAll(dir)
		return nil, fmt.Errorf("start orgsim process %s: %w", exe, err)
	}
	c := &childSim{cmd: cmd, dir: dir, done: make(chan struct{})}
	sc := bufio.NewScanner(out)
	for sc.Scan() {
		if rest, ok := strings.CutPrefix(sc.Text(), "orgsim is serving a simulated organization at "); ok {
			c.url = strings.TrimSpace(rest)
			break
		}
	}
	if c.url == "" {
		c.close()
		return nil, errors.New("the orgsim process stopped before serving (see its errors above)")
	}
	go func() { _, _ = io.Copy(io.Discard, out); close(c.done) }()
	vars, err := readEnvFile(env)
	if err != nil {
		c.close()
		return nil, err
	}
	c.creds = orgsim.Credentials{AccessKeyID: vars["AWS_ACCESS_KEY_ID"], SecretAccessKey: vars["AWS_SECRET_ACCESS_KEY"]}
	c.adminToken = vars["ORGSIM_ADMIN_TOKEN"]
	var health struct {
		ManagementAccountID string `json:"managementAccountId"`
	}
	if err := c.admin(http.MethodGet, "health", &health); err != nil {
		c.close()
		return nil, err
	}
	c.mgmt = health.ManagementAccountID
	return c, nil
}

// readEnvFile reads the export lines `sim serve --env-file` writes.
func readEnvFile(path string) (map[string]string, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("orgsim env file: %w", err)
	}
	vars := map[string]string{}
	for _, line := range strings.Split(string(data), "\n") {
		if kv, ok := strings.CutPrefix(line, "export "); ok {
			if k, v, ok := strings.Cut(kv, "="); ok {
				vars[k] = v
			}
		}
	}
	return vars, nil
}

func (c *childSim) admin(method, path string, into any) error {
	req, err := http.NewRequest(method, c.url+"/_orgsim/"+path, nil)
	if err != nil {
		return err
	}
	req.Header.Set("Authorization", "Bearer "+c.adminToken)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return fmt.Errorf("orgsim admin %s: %w", path, err)
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	if err != nil {
		return fmt.Errorf("orgsim admin %s: %w", path, err)
	}
	if resp.StatusCode/100 != 2 {
		return fmt.Errorf("orgsim admin %s: %s: %s", path, resp.Status, bytes.TrimSpace(body))
	}
	if into != nil {
		return json.Unmarshal(body, into)
	}
	return nil
}

func (c *childSim) endpoint() string                { return c.url }
func (c *childSim) credentials() orgsim.Credentials { return c.creds }
func (c *childSim) managementID() string            { return c.mgmt }

func (c *childSim) counters() (orgsim.Snapshot, error) {
	var doc struct {
		Calls orgsim.Snapshot `json:"calls"`
	}
	err := c.admin(http.MethodGet, "counters", &doc)
	return doc.Calls, err
}

func (c *childSim) resetCounters() error { return c.admin(http.MethodDelete, "counters", nil) }

func (c *childSim) peakRSS() string {
	return vmHWM(filepath.Join("/proc", strconv.Itoa(c.cmd.Process.Pid), "status"))
}

func (c *childSim) close() {
	if c.cmd.Process != nil {
		_ = c.cmd.Process.Signal(os.Interrupt)
		select {
		case <-c.done:
		case <-time.After(10 * time.Second):
			_ = c.cmd.Process.Kill()
		}
		_ = c.cmd.Wait()
	}
	os.RemoveAll(c.dir)
}
