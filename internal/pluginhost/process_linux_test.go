package pluginhost

import (
	"bufio"
	"crypto/rand"
	"encoding/json"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"golang.org/x/sys/unix"
)

// tool is the test binary playing orgbaseline in a process of its own
// (helperMain), with the environment and user a test gives it.
type tool struct {
	cmd    *exec.Cmd
	stdin  io.WriteCloser
	result toolResult
}

// startTool starts exe (the test binary or a copy of it) as the tool, as
// user (nil: the test's own), and reads its one line of result.
func startTool(t *testing.T, exe string, req toolRequest, env []string, user *syscall.Credential) *tool {
	t.Helper()
	js, err := json.Marshal(req)
	if err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command(exe)
	cmd.Env = append(env, helperEnv+"="+string(js))
	cmd.Stderr = os.Stderr
	if user != nil {
		cmd.SysProcAttr = &syscall.SysProcAttr{Credential: user}
	}
	stdin, err := cmd.StdinPipe()
	if err != nil {
		t.Fatal(err)
	}
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	tl := &tool{cmd: cmd, stdin: stdin}
	t.Cleanup(func() {
		_ = stdin.Close()
		_ = cmd.Wait()
	})
	line, err := bufio.NewReader(stdout).ReadBytes('\n')
	if err != nil {
		t.Fatalf("the tool process wrote no result: %v", err)
	}
	if err := json.Unmarshal(line, &tl.result); err != nil {
		t.Fatalf("the tool process's result %q: %v", line, err)
	}
	if tl.result.Error != "" {
		t.Fatalf("the tool process: %s", tl.result.Error)
	}
	return tl
}

// publicDir is a fresh directory every user can enter (mode 0755),
// owned by root or the test's user, removed when the test ends.
func publicDir(t *testing.T) string {
	t.Helper()
	dir, err := os.MkdirTemp("", "pluginhost-public-")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = os.RemoveAll(dir) })
	if err := os.Chmod(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	return dir
}

func copyFile(t *testing.T, from, to string, mode os.FileMode) {
	t.Helper()
	data, err := os.ReadFile(from)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(to, data, mode); err != nil {
		t.Fatal(err)
	}
}

var nobody = &syscall.Credential{Uid: overflowID, Gid: overflowID, Groups: []uint32{}}

// A hostile plugin looks for the tool's credentials everywhere a local
// process could, and finds none of them. The tool holds a secret in its
// environment (as AWS_SECRET_ACCESS_KEY, a session token, a container
// credentials URI and token), in its ~/.aws/credentials and in a web
// identity token file.
//
// When the tool runs as root the plugin runs as nobody, with no
// supplementary groups and no_new_privs. When the tool runs as the same
// user as its plugins (a non-root container), the tool's process is
// closed to them (PR_SET_DUMPABLE) and, where the kernel has Landlock,
// the files of the tool's user too.
func TestAHostilePluginGetsNothingUsable(t *testing.T) {
	for _, tt := range []struct {
		name       string
		toolAsRoot bool
	}{{"tool as root, plugin as nobody", true}, {"tool and plugin as the same user", false}} {
		t.Run(tt.name, func(t *testing.T) {
			root := os.Geteuid() == 0
			if tt.toolAsRoot && !root {
				t.Skip("plugins run as another user only when the tool is root")
			}
			secret := "orgbaseline-test-secret-" + rand.Text()
			pub := publicDir(t)
			toolHome := filepath.Join(pub, "home")
			for _, d := range []string{toolHome, filepath.Join(toolHome, ".aws")} {
				if err := os.Mkdir(d, 0o700); err != nil {
					t.Fatal(err)
				}
			}
			if err := os.Chmod(toolHome, 0o755); err != nil {
				t.Fatal(err)
			}
			creds := filepath.Join(toolHome, ".aws", "credentials")
			token := filepath.Join(toolHome, "web-identity-token")
			for _, f := range []string{creds, token} {
				if err := os.WriteFile(f, []byte("aws_secret_access_key = "+secret+"\n"), 0o600); err != nil {
					t.Fatal(err)
				}
			}
			plugin := filepath.Join(pub, "hostile")
			copyFile(t, hostilePath, plugin, 0o755)
			exe, err := os.Executable()
			if err != nil {
				t.Fatal(err)
			}
			var as *syscall.Credential
			if root && !tt.toolAsRoot {
				// The tool as nobody too: a copy of the test binary nobody
				// can run, and a home of nobody's.
				as = nobody
				copyFile(t, exe, filepath.Join(pub, "tool"), 0o755)
				exe = filepath.Join(pub, "tool")
				for _, f := range []string{toolHome, filepath.Dir(creds), creds, token} {
					if err := os.Chown(f, overflowID, overflowID); err != nil {
						t.Fatal(err)
					}
				}
			}
			cfg, _ := json.Marshal(map[string]any{"secret": secret, "files": map[string]string{"awsCredentials": creds, "webIdentityToken": token}})
			req := toolRequest{Spec: Spec{Name: "hostile", Path: plugin, SHA256: checksum(t, plugin), Actions: []string{}, Config: cfg, Timeout: 30 * time.Second}, Secret: secret}
			env := []string{
				"HOME=" + toolHome, "TMPDIR=/tmp", "PATH=/usr/bin:/bin",
				"AWS_ACCESS_KEY_ID=AKIAHOSTKEY000000000", "AWS_SECRET_ACCESS_KEY=" + secret, "AWS_SESSION_TOKEN=" + secret,
				"AWS_PROFILE=prod-admin", "AWS_SHARED_CREDENTIALS_FILE=" + creds, "AWS_CONFIG_FILE=" + filepath.Join(toolHome, ".aws", "config"),
				"AWS_WEB_IDENTITY_TOKEN_FILE=" + token, "AWS_ROLE_ARN=arn:aws:iam::111111111111:role/orgbaseline",
				"AWS_CONTAINER_CREDENTIALS_FULL_URI=http://169.254.170.2/v2/credentials/" + secret, "AWS_CONTAINER_AUTHORIZATION_TOKEN=" + secret,
			}
			tl := startTool(t, exe, req, env, as)
			if !tl.result.EnvironHeldTheSecret {
				t.Fatal("the tool's /proc/self/environ did not hold the secret, so the test proves nothing")
			}
			ev := find(t, tl.result.Findings, "hostile.probe").Evidence
			got := func(k string) string { s, _ := ev[k].(string); return s }
			if got("ppid") != strconv.Itoa(tl.result.Pid) {
				t.Fatalf("the plugin's parent is %s, not the tool (%d)", got("ppid"), tl.result.Pid)
			}

			// Everywhere: the tool's process and the plugin's environment.
			for _, route := range []string{"parentEnviron", "parentMemory"} {
				if got(route+".found") != "false" || !strings.HasPrefix(got(route), "error: ") {
					t.Errorf("the plugin read the tool's %s: %s (secret found: %s)", route, got(route), got(route+".found"))
				}
			}
			if got("ownEnvironment.found") != "false" {
				t.Errorf("the secret is in the plugin's environment")
			}
			for _, kv := range strings.Split(got("ownEnvironment.values"), "\n") {
				k, v, _ := strings.Cut(kv, "=")
				switch {
				case strings.HasPrefix(k, "AWS_") && kv != "AWS_EC2_METADATA_DISABLED=true":
					t.Errorf("the plugin's environment has %s", k)
				case k == "HOME" && (v == toolHome || !strings.HasPrefix(v, "/tmp/orgbaseline-plugins-")):
					t.Errorf("the plugin's HOME is %s, not its own private directory", v)
				}
			}
			if got("status.NoNewPrivs") != "1" {
				t.Errorf("the plugin may gain privileges (NoNewPrivs %q)", got("status.NoNewPrivs"))
			}
			if !tt.toolAsRoot {
				// Files of the user the tool and its plugins share are
				// closed by Landlock where the kernel has it; without it
				// they stay readable (README, plugin threat model).
				if tl.result.LandlockABI == 0 {
					if os.Getenv("ORGBASELINE_REQUIRE_LANDLOCK") != "" {
						t.Fatal("this kernel has no Landlock, and ORGBASELINE_REQUIRE_LANDLOCK is set")
					}
					t.Logf("no Landlock here: the tool's ~/.aws/credentials gave the plugin %s", got("file.awsCredentials"))
					return
				}
				for _, route := range []string{"file.awsCredentials", "file.webIdentityToken"} {
					if got(route+".found") != "false" || !strings.HasPrefix(got(route), "error: ") {
						t.Errorf("Landlock ABI %d: the plugin read the tool's %s: %s", tl.result.LandlockABI, route, got(route))
					}
				}
				return
			}

			// Tool as root: the plugin is nobody, in no group of root's,
			// and the tool's files are closed to it.
			if got("status.Uid") != "65534 65534 65534 65534" || got("status.Gid") != "65534 65534 65534 65534" || got("status.Groups") != "" {
				t.Errorf("the plugin runs as uid %q gid %q groups %q, want nobody in no other group", got("status.Uid"), got("status.Gid"), got("status.Groups"))
			}
			for _, route := range []string{"file.awsCredentials", "file.webIdentityToken"} {
				if got(route+".found") != "false" || !strings.HasPrefix(got(route), "error: ") {
					t.Errorf("the plugin read the tool's %s: %s", route, got(route))
				}
			}
		})
	}
}

// When the tool dies, even by SIGKILL (no chance to clean up), its
// plugins die with it: their parent-death signal is SIGKILL.
func TestPluginsDieWithTheTool(t *testing.T) {
	exe, err := os.Executable()
	if err != nil {
		t.Fatal(err)
	}
	// The killed tool cannot remove its private directory: it goes with
	// this test's TMPDIR.
	tl := startTool(t, exe, toolRequest{Spec: fixtureSpec(t, "orphan", "")}, []string{"TMPDIR=" + publicDir(t)}, nil)
	pid, err := strconv.Atoi(find(t, tl.result.Findings, "fixture.env").Evidence["pid"].(string))
	if err != nil {
		t.Fatal(err)
	}
	// A pidfd refers to this very process (no pid reuse) and becomes
	// readable when it exits.
	fd, err := unix.PidfdOpen(pid, 0)
	if err != nil {
		t.Fatalf("pidfd_open of the plugin %d: %v", pid, err)
	}
	defer func() { _ = unix.Close(fd) }()

	if err := tl.cmd.Process.Signal(syscall.SIGKILL); err != nil {
		t.Fatal(err)
	}
	if err := tl.cmd.Wait(); err == nil {
		t.Fatal("the tool exited normally; it was to be killed")
	}
	// Wait for the plugin's exit, as long as the test may run.
	wait := -1
	if d, ok := t.Deadline(); ok {
		wait = int(time.Until(d).Milliseconds() * 9 / 10)
	}
	fds := []unix.PollFd{{Fd: int32(fd), Events: unix.POLLIN}}
	for {
		n, err := unix.Poll(fds, wait)
		if err == unix.EINTR {
			continue
		}
		if err != nil {
			t.Fatal(err)
		}
		if n == 0 {
			t.Fatalf("the plugin %d outlived the killed tool", pid)
		}
		return
	}
}
