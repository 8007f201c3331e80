package main

import (
	"os"

	"github.com/orgbaseline/orgbaseline/internal/cli"
)

func main() {
	ctx, stop := interrupts(os.Stderr, os.Exit)
	code := cli.Main(ctx, os.Args[1:], os.Stdout, os.Stderr)
	stop()
	os.Exit(code)
}
