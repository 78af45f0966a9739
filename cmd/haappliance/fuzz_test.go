package main

import (
	"io"
	"os"
	"strings"
	"testing"

	"github.com/sirupsen/logrus"
)

// FuzzParseFile: any bytes as a configuration file give a valid File or
// located problems, never a panic or a hang (the TOML decoder, every
// section's Validate, the cross-checks and the line locator).
func FuzzParseFile(f *testing.F) {
	for _, name := range []string{"testdata/spec-example.toml", "../../deploy/master.toml"} {
		if b, err := os.ReadFile(name); err == nil {
			f.Add(b)
		}
	}
	f.Add(demoConfig(demoPorts{Host: "127.0.0.1", Web: make([]int, 6), Control: "/tmp/x.sock", MaxConn: 100}))
	f.Add([]byte("[global]\nmaxconn = -1\n[frontend.x]\nbind = [\"*:80\"]\nuse_backend = [\"a if { path_beg /a\"]\n"))
	f.Fuzz(func(t *testing.T, b []byte) {
		file, err := ParseFile("fuzz.toml", b)
		if (file == nil) == (err == nil) {
			t.Fatalf("ParseFile returned file %v and error %v", file != nil, err)
		}
		if err != nil {
			for _, l := range problemLines(err) {
				if !strings.HasPrefix(l, "fuzz.toml:") {
					t.Fatalf("problem line %q does not name the file", l)
				}
			}
		}
	})
}

// FuzzRuntimeCommand: any command line on the control socket gets an
// answer, never a panic (an appliance built from the demo configuration,
// not started).
func FuzzRuntimeCommand(f *testing.F) {
	cfg := demoConfig(demoPorts{Host: "127.0.0.1", Web: []int{1, 2, 3, 4, 5, 6}, HTTP: 7, TCP: 8, Stats: 9, Control: "/nonexistent/x.sock", MaxConn: 100})
	file, err := ParseFile("demo.toml", cfg)
	if err != nil {
		f.Fatal(err)
	}
	log := logrus.New()
	log.SetOutput(io.Discard)
	a, err := newAppliance(file, logrus.NewEntry(log))
	if err != nil {
		f.Fatal(err)
	}
	for _, s := range []string{"show info", "show stat", "show stat json", "show status json", "help",
		"disable server ms1/ms1.srv1", "set server ms1/ms1.srv2 state drain", "set weight ms1/ms1.srv1 50%",
		"set weight ms1/x -1", "disable frontend http-in", "enable frontend nope", "show vrrp", "show vrrp json", "frobnicate"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, line string) {
		words := strings.Fields(line)
		if len(words) == 0 {
			return
		}
		_ = a.command(words)
	})
}
