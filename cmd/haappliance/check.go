package main

import (
	"flag"
	"fmt"
	"io"
)

func cmdCheck(args []string, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("check", flag.ContinueOnError)
	fs.SetOutput(stderr)
	file := fs.String("c", DefaultConfig, "configuration file")
	if err := fs.Parse(args); err != nil {
		return 2
	}
	if _, err := LoadFile(*file); err != nil {
		for _, l := range problemLines(err) {
			fmt.Fprintln(stdout, l)
		}
		return 1
	}
	fmt.Fprintln(stdout, "configuration is valid")
	return 0
}
