package main

import (
	"os"

	"github.com/mattn/go-isatty"

	"github.com/orgbaseline/orgbaseline/internal/cli"
)

func main() {
	ctx, stop := interrupts(os.Stderr, isatty.IsTerminal(os.Stderr.Fd()), os.Exit)
	code := cli.Main(ctx, os.Args[1:], os.Stdout, os.Stderr)
	stop()
	os.Exit(code)
}
