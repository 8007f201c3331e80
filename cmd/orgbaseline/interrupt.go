package main

import (
	"context"
	"io"
	"os"
	"os/signal"
	"syscall"
)

// exitInterrupted is the exit code of a second interrupt (128 + SIGINT),
// as shells report a command stopped by Ctrl-C.
const exitInterrupted = 130

// interruptMessage is the line the first interrupt prints, at once.
const interruptMessage = "interrupt received, stopping... (press Ctrl-C again to quit at once)"

// interrupts returns a context cancelled by the first SIGINT or SIGTERM,
// which says so on stderr in one line; a second one exits at once with
// exitInterrupted (plugins die with the process: their parent-death
// signal). stop stops listening. On a terminal (tty) the line starts on a
// line of its own: the terminal has just echoed ^C after a prompt or the
// live progress line.
func interrupts(stderr io.Writer, tty bool, exit func(int)) (ctx context.Context, stop func()) {
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
		msg := interruptMessage + "\n"
		if tty {
			msg = "\n" + msg
		}
		io.WriteString(stderr, msg)
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
