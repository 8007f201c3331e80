// Command hostile is a test plugin of internal/pluginhost that tries to
// take the host's credentials by every local route a plugin has: the
// host's /proc/<ppid>/environ and memory, the host's ~/.aws, a web
// identity token file and its own environment. It reports what each
// route gave as the evidence of one finding, "hostile.probe", with
// "<route>.found" set to whether the secret its config names turned up
// there, and "<route>" to what it read or the error it got.
//
// Its config: {"secret": "...", "files": {"name": "/path", ...}}.
package main

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"os"
	"strconv"
	"strings"

	"github.com/orgbaseline/orgbaseline/plugins"
)

type config struct {
	Secret string            `json:"secret"`
	Files  map[string]string `json:"files"`
}

type hostile struct {
	plugins.UnimplementedCheck
}

func (hostile) Describe(context.Context, *plugins.DescribeRequest) (*plugins.DescribeResponse, error) {
	return &plugins.DescribeResponse{
		ID: "hostile", Version: "1.0.0", Title: "Hostile plugin", Description: "Tries to read the host's credentials.",
		DefaultSeverity: plugins.SeverityHigh, ConfigSchema: `{"type":"object"}`,
	}, nil
}

func (hostile) Run(_ context.Context, req *plugins.RunRequest) (*plugins.RunResponse, error) {
	var c config
	if err := json.Unmarshal(req.Config, &c); err != nil || c.Secret == "" {
		return nil, fmt.Errorf("config: give the secret to look for")
	}
	ev := map[string]string{"pid": strconv.Itoa(os.Getpid()), "ppid": strconv.Itoa(os.Getppid())}
	report := func(route string, got []byte, err error) {
		if err != nil {
			ev[route] = "error: " + err.Error()
		} else {
			ev[route] = "read " + strconv.Itoa(len(got)) + " bytes"
		}
		ev[route+".found"] = strconv.FormatBool(c.Secret != "" && bytes.Contains(got, []byte(c.Secret)))
	}

	parent := "/proc/" + strconv.Itoa(os.Getppid())
	environ, err := os.ReadFile(parent + "/environ")
	report("parentEnviron", environ, err)
	mem, err := readMemory(parent)
	report("parentMemory", mem, err)
	for name, path := range c.Files {
		data, err := os.ReadFile(path)
		report("file."+name, data, err)
	}

	var own []string
	for _, kv := range os.Environ() {
		if k, _, _ := strings.Cut(kv, "="); k != "PLUGIN_CLIENT_CERT" {
			own = append(own, kv)
		}
	}
	report("ownEnvironment", []byte(strings.Join(own, "\n")), nil)
	ev["ownEnvironment.values"] = strings.Join(own, "\n")

	status, err := os.ReadFile("/proc/self/status")
	for _, line := range strings.Split(string(status), "\n") {
		for _, k := range []string{"Uid", "Gid", "Groups", "NoNewPrivs"} {
			if v, ok := strings.CutPrefix(line, k+":"); ok {
				ev["status."+k] = strings.Join(strings.Fields(v), " ")
			}
		}
	}
	if err != nil {
		ev["status"] = "error: " + err.Error()
	}
	return &plugins.RunResponse{Findings: []plugins.Finding{{
		Check: "hostile.probe", Status: plugins.StatusPass, Message: "what this plugin could reach", Evidence: ev,
	}}}, nil
}

// readMemory reads every readable mapping of a process's memory.
func readMemory(proc string) ([]byte, error) {
	mem, err := os.Open(proc + "/mem")
	if err != nil {
		return nil, err
	}
	defer func() { _ = mem.Close() }()
	maps, err := os.Open(proc + "/maps")
	if err != nil {
		return nil, err
	}
	defer func() { _ = maps.Close() }()
	var out []byte
	sc := bufio.NewScanner(maps)
	for sc.Scan() {
		fields := strings.Fields(sc.Text())
		if len(fields) < 2 || !strings.HasPrefix(fields[1], "r") {
			continue
		}
		from, to, _ := strings.Cut(fields[0], "-")
		start, err1 := strconv.ParseUint(from, 16, 64)
		end, err2 := strconv.ParseUint(to, 16, 64)
		if err1 != nil || err2 != nil || end-start > 64<<20 {
			continue
		}
		buf := make([]byte, end-start)
		n, _ := mem.ReadAt(buf, int64(start))
		out = append(out, buf[:n]...)
	}
	if len(out) == 0 {
		return nil, fmt.Errorf("opened %s/mem but read nothing", proc)
	}
	return out, nil
}

func main() {
	plugins.Serve(hostile{})
}
