//go:build unix

package main

import (
	"bytes"
	"os"
	"sync"
	"syscall"
	"testing"
)

// syncBuffer is a bytes.Buffer safe for the signal goroutine and the test.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

// Real SIGINTs sent to the test process: the first cancels the context
// and says so once; the second exits at once with 130.
func TestASecondInterruptExitsAtOnce(t *testing.T) {
	var stderr syncBuffer
	exited := make(chan int, 1)
	ctx, stop := interrupts(&stderr, false, func(code int) { exited <- code })
	defer stop()

	self, err := os.FindProcess(os.Getpid())
	if err != nil {
		t.Fatal(err)
	}
	if err := self.Signal(syscall.SIGINT); err != nil {
		t.Fatal(err)
	}
	<-ctx.Done()
	if got, want := stderr.String(), "interrupt received, stopping... (press Ctrl-C again to quit at once)\n"; got != want {
		t.Fatalf("after the first interrupt stderr is %q, want %q", got, want)
	}
	select {
	case code := <-exited:
		t.Fatalf("the first interrupt exited (%d)", code)
	default:
	}

	if err := self.Signal(syscall.SIGINT); err != nil {
		t.Fatal(err)
	}
	if code := <-exited; code != 130 {
		t.Fatalf("the second interrupt exited with %d, want 130", code)
	}
	if n := bytes.Count([]byte(stderr.String()), []byte("\n")); n != 1 {
		t.Fatalf("stderr has %d lines, want the one: %q", n, stderr.String())
	}
}
