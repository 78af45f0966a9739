package convert

import (
	"flag"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/BurntSushi/toml"
	"github.com/google/go-cmp/cmp"

	"haappliance/config"
	"haappliance/proxy"
	"haappliance/proxy/acl"
	"haappliance/sysctl"
	"haappliance/vrrp"
)

var update = flag.Bool("update", false, "rewrite the golden files in testdata")

// file mirrors cmd/haappliance's File (package main cannot be imported):
// the same sections with the same TOML keys.
type file struct {
	Global struct {
		MaxConn       int             `toml:"maxconn"`
		User          string          `toml:"user"`
		Group         string          `toml:"group"`
		ControlSocket string          `toml:"control_socket"`
		PidFile       string          `toml:"pidfile"`
		HardStopAfter config.Duration `toml:"hard_stop_after"`
		Log           []struct {
			Address  string `toml:"address"`
			Facility string `toml:"facility"`
			Level    string `toml:"level"`
		} `toml:"log"`
	} `toml:"global"`
	Sysctl sysctl.Config `toml:"sysctl"`
	proxy.Config
	VRRP vrrp.Config `toml:"vrrp"`
}

// decode decodes a converted file strictly (no unknown keys) and returns
// it with the problems the sections' own Validate methods report.
func decode(t *testing.T, out []byte) (*file, []config.Problem) {
	t.Helper()
	var f file
	md, err := toml.Decode(string(out), &f)
	if err != nil {
		t.Fatalf("converted file does not decode: %v\n%s", err, out)
	}
	if u := md.Undecoded(); len(u) > 0 {
		t.Fatalf("converted file has keys haappliance does not know: %v", u)
	}
	var ps []config.Problem
	ps = append(ps, config.Prefix("sysctl", f.Sysctl.Validate())...)
	ps = append(ps, f.Config.Validate()...)
	ps = append(ps, config.Prefix("vrrp", f.VRRP.Validate())...)
	return &f, ps
}

func readFile(t *testing.T, path string) []byte {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// golden compares got with testdata/name, or rewrites it under -update.
func golden(t *testing.T, name string, got []byte) {
	t.Helper()
	path := filepath.Join("testdata", name)
	if *update {
		if err := os.WriteFile(path, got, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	want := readFile(t, path)
	if d := cmp.Diff(string(want), string(got)); d != "" {
		t.Errorf("%s differs (-want +got), run go test -update after checking:\n%s", name, d)
	}
}

func renderReport(r []ReportLine) []byte {
	var b strings.Builder
	for _, l := range r {
		b.WriteString(l.String())
		b.WriteByte('\n')
	}
	return []byte(b.String())
}

// everyLineReported fails when a line of src with a keyword on it has no
// report line: nothing is dropped silently.
func everyLineReported(t *testing.T, name string, src []byte, report []ReportLine, words func(string) int) {
	t.Helper()
	seen := map[int]bool{}
	for _, l := range report {
		if l.File == name {
			seen[l.Line] = true
		}
	}
	for i, line := range strings.Split(string(src), "\n") {
		if words(line) > 0 && !seen[i+1] {
			t.Errorf("%s:%d: %q has no report line", name, i+1, strings.TrimSpace(line))
		}
	}
}

func haproxyWords(l string) int {
	w, _ := acl.Words(l)
	return len(w)
}

func keepalivedWords(l string) int {
	w, _, _ := kaLex(l)
	n := 0
	for _, x := range w {
		if x.raw != "{" && x.raw != "}" {
			n++
		}
	}
	return n
}

func TestSeed(t *testing.T) {
	h := readFile(t, "/work/shared/seed/haproxy.cfg")
	k := readFile(t, "/work/shared/seed/keepalived.conf")
	out, report, err := Convert("haproxy.cfg", h, "keepalived.conf", k)
	if err != nil {
		t.Fatal(err)
	}
	golden(t, "seed.toml", out)
	golden(t, "seed.report", renderReport(report))
	_, ps := decode(t, out)
	if len(ps) > 0 {
		t.Errorf("converted seed does not validate: %v", ps)
	}
	everyLineReported(t, "haproxy.cfg", h, report, haproxyWords)
	everyLineReported(t, "keepalived.conf", k, report, keepalivedWords)

	want := ReportLine{File: "haproxy.cfg", Line: 2, Keyword: "daemon", Action: Ignored, Note: "haappliance runs in the foreground under systemd"}
	found := false
	for _, l := range report {
		found = found || l == want
	}
	if !found {
		t.Errorf("report lacks %q", want)
	}
}

// TestFull converts configurations that use most keywords: the result
// decodes without unknown keys, every input line is reported, and the
// only validation problems are features the engine does not have yet.
func TestFull(t *testing.T) {
	h := readFile(t, "testdata/full.cfg")
	k := readFile(t, "testdata/full.keepalived.conf")
	out, report, err := Convert("full.cfg", h, "full.keepalived.conf", k)
	if err != nil {
		t.Fatal(err)
	}
	golden(t, "full.toml", out)
	golden(t, "full.report", renderReport(report))
	_, ps := decode(t, out)
	for _, p := range ps {
		switch {
		case strings.Contains(p.Msg, "not supported yet"):
		case strings.HasPrefix(p.Path, "backend.app.server[2].address"): // no port, reported
		case strings.Contains(p.Path, ".tls.certificates[") && strings.Contains(p.Msg, "no such file"): // full.cfg's cert paths exist on its author's host only
		case strings.HasPrefix(p.Path, "backend.app.server[") && strings.Contains(p.Msg, "cookie"):
		default:
			t.Errorf("unexpected problem: %v", p)
		}
	}
	everyLineReported(t, "full.cfg", h, report, haproxyWords)
	everyLineReported(t, "full.keepalived.conf", k, report, keepalivedWords)
}

func TestReportLineString(t *testing.T) {
	tests := []struct {
		in   ReportLine
		want string
	}{
		{ReportLine{"haproxy.cfg", 3, "daemon", Ignored, "haappliance runs in the foreground under systemd"},
			"haproxy.cfg:3: daemon: ignored: haappliance runs in the foreground under systemd"},
		{ReportLine{"k.conf", 0, "vrrp_instance", Mapped, "x"}, "k.conf: vrrp_instance: mapped: x"},
	}
	for _, tt := range tests {
		if d := cmp.Diff(tt.want, tt.in.String()); d != "" {
			t.Errorf("(-want +got):\n%s", d)
		}
	}
}

func TestOptions(t *testing.T) {
	h := []byte("global\n    stats socket /run/haproxy.sock\nfrontend f\n    bind :80\n")
	out, _, err := Options{NoSysctl: true, ControlSocket: "/tmp/x.sock"}.Convert("h", h, "", nil)
	if err != nil {
		t.Fatal(err)
	}
	f, _ := decode(t, out)
	if f.Global.ControlSocket != "/tmp/x.sock" || f.Sysctl.ApplyEnabled() {
		t.Errorf("control_socket %q apply %v; want /tmp/x.sock, false", f.Global.ControlSocket, f.Sysctl.ApplyEnabled())
	}
	if strings.Contains(string(out), "vrrp") {
		t.Errorf("no keepalived input, yet output mentions vrrp:\n%s", out)
	}
}

func TestParseErrors(t *testing.T) {
	tests := []struct {
		name    string
		h, k    string
		wantErr string
	}{
		{name: "haproxy unterminated quote", h: "global\n  user \"ha\n", wantErr: "h:2: "},
		{name: "haproxy bad hex escape", h: "frontend f\n  acl a path \\xZZ\n", wantErr: "h:2: "},
		{name: "keepalived unclosed brace", h: "", k: "vrrp_instance V {\n state MASTER\n", wantErr: "k:line 1: '{' is never closed"},
		{name: "keepalived extra brace", h: "", k: "}\n", wantErr: "k:line 1: '}' without a matching '{'"},
		{name: "keepalived unterminated quote", h: "", k: "vrrp_script s {\n script \"x\n}\n", wantErr: "k:line 2: unterminated double quote"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var k []byte
			if tt.k != "" {
				k = []byte(tt.k)
			}
			_, _, err := Convert("h", []byte(tt.h), "k", k)
			if err == nil || !strings.HasPrefix(err.Error(), tt.wantErr) {
				t.Errorf("err = %v, want prefix %q", err, tt.wantErr)
			}
		})
	}
}

// TestMigrateDoc keeps docs/migrate.md's "after" in step with the golden
// file.
func TestMigrateDoc(t *testing.T) {
	doc := string(readFile(t, "../docs/migrate.md"))
	for _, name := range []string{"seed.toml", "seed.report"} {
		if !strings.Contains(doc, string(readFile(t, filepath.Join("testdata", name)))) {
			t.Errorf("docs/migrate.md does not show testdata/%s as it is now: update the doc", name)
		}
	}
}
