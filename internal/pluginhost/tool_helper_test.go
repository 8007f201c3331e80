package pluginhost

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"os"

	"github.com/orgbaseline/orgbaseline/baseline"
)

// helperEnv, set, makes the test binary play the tool (helperMain): its
// value is a toolRequest in JSON.
const helperEnv = "PLUGINHOST_TEST_TOOL"

// toolRequest is what the tool process is asked to run.
type toolRequest struct {
	Spec Spec
	User string
	// Secret is looked for in the tool's own /proc/self/environ before
	// Open, so a test knows the secret really was there to steal.
	Secret string
}

// toolResult is the tool process's one line of output.
type toolResult struct {
	Pid                  int
	EnvironHeldTheSecret bool
	LandlockABI          int // the Landlock ABI the host confined its plugins with, 0 for none
	Findings             []baseline.Finding
	Error                string
}

// helperMain plays the tool in its own process: it opens a host on one
// plugin, runs it in one account, prints a toolResult as one JSON line
// and keeps the plugin running until its stdin closes, so a test can
// look at (or kill) the tool and its plugin meanwhile.
func helperMain() int {
	var req toolRequest
	res := toolResult{Pid: os.Getpid()}
	out := json.NewEncoder(os.Stdout)
	if err := json.Unmarshal([]byte(os.Getenv(helperEnv)), &req); err != nil {
		res.Error = "bad " + helperEnv + ": " + err.Error()
		_ = out.Encode(res)
		return 2
	}
	if environ, err := os.ReadFile("/proc/self/environ"); err == nil { // before Open makes it unreadable
		res.EnvironHeldTheSecret = req.Secret != "" && bytes.Contains(environ, []byte(req.Secret))
	}
	ctx := context.Background()
	h, err := Open(ctx, []Spec{req.Spec}, Options{User: req.User})
	if err != nil {
		res.Error = fmt.Sprintf("Open: %v", err)
		_ = out.Encode(res)
		return 1
	}
	defer h.Close()
	res.LandlockABI = h.landlockABI
	res.Findings = h.Run(ctx, account("111111111111", "a"), "us-east-1", regions)
	if err := out.Encode(res); err != nil {
		return 1
	}
	_, _ = io.Copy(io.Discard, os.Stdin)
	return 0
}
