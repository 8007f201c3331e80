package pluginhost

import (
	"bytes"
	"context"
	"strings"
	"testing"
	"time"

	"github.com/rs/zerolog"
)

// A plugin that never answers go-plugin's handshake fails Open once its
// own timeout has passed, not go-plugin's default minute.
func TestAPluginThatNeverHandshakesFailsWithinItsTimeout(t *testing.T) {
	path := copyFixture(t, "fixture-nohandshake")
	_, err := Open(context.Background(), []Spec{{Name: "silent", Path: path, SHA256: checksum(t, path), Timeout: time.Second}}, Options{})
	if err == nil {
		t.Fatal("Open accepted a plugin that never answered its handshake")
	}
	mustContain(t, err.Error(), "plugin silent did not complete go-plugin's start-up handshake within its timeout of 1s", "raise its timeout")
}

// A start in progress ends when the run is cancelled, whatever the
// plugin's timeout: the test cancels once go-plugin waits for the
// handshake, and Open returns though the timeout is an hour.
func TestAStartingPluginStopsWhenTheRunIsCancelled(t *testing.T) {
	path := copyFixture(t, "fixture-nohandshake")
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	log := zerolog.New(cancelOn{"waiting for RPC address", cancel}).Level(zerolog.DebugLevel)
	_, err := Open(ctx, []Spec{{Name: "silent", Path: path, SHA256: checksum(t, path), Timeout: time.Hour}}, Options{Log: log})
	if err == nil {
		t.Fatal("Open accepted a plugin that never answered its handshake")
	}
	mustContain(t, err.Error(), "plugin silent: the run was cancelled while plugin silent was starting")
	if strings.Contains(err.Error(), "timeout") {
		t.Errorf("a cancelled start reported as a timeout: %v", err)
	}
}

// cancelOn is a log writer that calls cancel when a line contains text.
type cancelOn struct {
	text   string
	cancel context.CancelFunc
}

func (c cancelOn) Write(p []byte) (int, error) {
	if bytes.Contains(p, []byte(c.text)) {
		c.cancel()
	}
	return len(p), nil
}
