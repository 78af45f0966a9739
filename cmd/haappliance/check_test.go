package main

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

func runCLI(t *testing.T, args ...string) (code int, stdout, stderr string) {
	t.Helper()
	var o, e bytes.Buffer
	code = realMain(args, &o, &e)
	return code, o.String(), e.String()
}

func TestCheckAcceptsSpecExample(t *testing.T) {
	for _, f := range []string{"testdata/spec-example.toml", "../../deploy/master.toml", "../../deploy/backup.toml"} {
		code, out, errOut := runCLI(t, "check", "-c", f)
		if code != 0 || out != "configuration is valid\n" {
			t.Errorf("check %s: exit %d, stdout %q, stderr %q", f, code, out, errOut)
		}
	}
}

func TestCheckReportsEveryProblemWithLine(t *testing.T) {
	src := `[global]
maxconn = -1
bogus = 2

[frontend.x]
bind = ["*:80"]
mode = "htp"
default_backend = "nope"

[backend.b]
server = [
  { name = "a", address = "1.2.3.4", weight = 300 },
  { name = "b", address = "1.2.3.4:1", colour = "red" },
]

[[vrrp.instance]]
name = "VI_1"
interface = "eth0"
virtual_router_id = 51
priority = 101
virtual_ipaddress = ["198.18.0.100/24"]
track = [ { frontend = "missing", weight = 2 } ]
`
	path := filepath.Join(t.TempDir(), "bad.toml")
	if err := os.WriteFile(path, []byte(src), 0o600); err != nil {
		t.Fatal(err)
	}
	code, out, _ := runCLI(t, "check", "-c", path)
	if code != 1 {
		t.Fatalf("exit %d, want 1", code)
	}
	var got []string
	for _, l := range strings.Split(strings.TrimSpace(out), "\n") {
		got = append(got, strings.TrimPrefix(l, path))
	}
	want := []string{
		`:2: global.maxconn: must not be negative, got -1`,
		`:3: global.bogus: unknown key "bogus"`,
		`:7: frontend.x.mode: unknown mode 'htp' (expected 'http' or 'tcp')`,
		`:8: frontend.x.default_backend: unable to find required backend 'nope'`,
		`:12: backend.b.server[0].address: invalid server address '1.2.3.4' (expected HOST:PORT)`,
		`:12: backend.b.server[0].weight: weight must be between 0 and 256 (got 300)`,
		`:13: backend.b.server.colour: unknown key "colour"`,
		`:22: vrrp.instance[0].track[0].frontend: no frontend or listen section named "missing"`,
	}
	if d := cmp.Diff(want, got); d != "" {
		t.Errorf("check output (-want +got):\n%s", d)
	}
}

func TestCheckSyntaxErrorHasLine(t *testing.T) {
	path := filepath.Join(t.TempDir(), "syntax.toml")
	os.WriteFile(path, []byte("[global]\nmaxconn = 10\n[frontend.x\n"), 0o600)
	code, out, _ := runCLI(t, "check", "-c", path)
	if code != 1 || !strings.HasPrefix(out, path+":3: ") {
		t.Errorf("exit %d, output %q; want exit 1 and a line starting %q", code, out, path+":3: ")
	}
}

func TestUnknownSubcommand(t *testing.T) {
	code, _, errOut := runCLI(t, "frobnicate")
	if code != 2 || !strings.Contains(errOut, `unknown command "frobnicate"`) {
		t.Errorf("exit %d, stderr %q", code, errOut)
	}
}

func TestVersion(t *testing.T) {
	code, out, _ := runCLI(t, "version")
	if code != 0 || !strings.HasPrefix(out, "haappliance ") {
		t.Errorf("exit %d, stdout %q", code, out)
	}
}
