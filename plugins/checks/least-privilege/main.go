package main

import "github.com/orgbaseline/orgbaseline/plugins"

func main() { plugins.Serve(&check{}) }
