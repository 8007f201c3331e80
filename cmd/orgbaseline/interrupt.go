package main

import (
	"context"
	"fmt"
	"io"
	"os"
	"os/signal"
	"syscall"
)

// exitInterrupted is the exit code of a second interrupt (128 + SIGINT),
// as shells report a command stopped by Ctrl-C.
const exitInterrupted = 130

// interrupts returns a context cancelled by the first SIGINT or SIGTERM,
// which says so on stderr in one line; a second one exits at once with
// exitInterrupted (plugins die with the process: their parent-death
// signal). stop stops listening.
func interrupts(stderr io.Writer, exit func(int)) (ctx context.Context, stop func()) {
	ctx, cancel := context.WithCancel(context.Background())
	sigs := make(chan os.Signal, 2)
	done := make(chan struct{})
	signal.Notify(sigs, os.Interrupt, syscall.SIGTERM)
	go func() {
		select {
		case <-sigs:
		case <-done:
			return
		}
		fmt.Fprintln(stderr, "interrupt received, stopping... (press Ctrl-C again to quit at once)")
		cancel()
		select {
		case <-sigs:
			exit(exitInterrupted)
		case <-done:
		}
	}()
	return ctx, func() {
		signal.Stop(sigs)
		close(done)
		cancel()
	}
}
