package main

import (
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"strings"
	"time"
)

// exitUnreachable is the exit code of status/admin when the daemon cannot
// be reached (SPEC §3).
const exitUnreachable = 3

// socketFlag resolves -S: the flag, else the default configuration's
// control_socket when that file is readable, else the built-in default.
func socketFlag(fs *flag.FlagSet) *string {
	return fs.String("S", "", "control socket (default: control_socket of "+DefaultConfig+", else "+defaultControlSocket+")")
}

func resolveSocket(s string) string {
	if s != "" {
		return s
	}
	if f, err := LoadFile(DefaultConfig); err == nil {
		return f.Global.Socket()
	}
	return defaultControlSocket
}

func cmdAdmin(args []string, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("admin", flag.ContinueOnError)
	fs.SetOutput(stderr)
	sock := socketFlag(fs)
	if err := fs.Parse(args); err != nil {
		return 2
	}
	if fs.NArg() == 0 {
		fmt.Fprintln(stderr, "usage: haappliance admin [-S SOCKET] COMMAND...")
		return 2
	}
	ctx, cancel := context.WithTimeout(context.Background(), 15*time.Second)
	defer cancel()
	ans, err := ask(ctx, resolveSocket(*sock), strings.Join(fs.Args(), " "))
	if err != nil {
		fmt.Fprintf(stderr, "haappliance admin: cannot reach the daemon: %v\n", err)
		return exitUnreachable
	}
	io.WriteString(stdout, ans)
	if strings.HasPrefix(ans, "unknown command") {
		return 1
	}
	return 0
}

func cmdStatus(args []string, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("status", flag.ContinueOnError)
	fs.SetOutput(stderr)
	sock := socketFlag(fs)
	asJSON := fs.Bool("json", false, "print JSON (SPEC §9.5)")
	if err := fs.Parse(args); err != nil {
		return 2
	}
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	ans, err := ask(ctx, resolveSocket(*sock), "show status json")
	if err != nil {
		fmt.Fprintf(stderr, "haappliance status: cannot reach the daemon: %v\n", err)
		return exitUnreachable
	}
	var st Status
	if err := json.Unmarshal([]byte(ans), &st); err != nil {
		fmt.Fprintf(stderr, "haappliance status: unreadable answer from the daemon: %v\n", err)
		return exitUnreachable
	}
	if *asJSON {
		b, _ := json.MarshalIndent(st, "", "  ")
		fmt.Fprintf(stdout, "%s\n", b)
		return 0
	}
	st.WriteText(stdout, time.Now())
	return 0
}
