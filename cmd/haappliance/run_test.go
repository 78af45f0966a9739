package main

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

func freePort(t *testing.T) int {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	return ln.Addr().(*net.TCPAddr).Port
}

// startDemo runs the demo scenario in-process on free ports and returns its
// ports; the daemon stops at the end of the test.
func startDemo(t *testing.T) demoPorts {
	t.Helper()
	dir := t.TempDir()
	web, stopWeb, err := startDemoWeb("127.0.0.1", make([]int, 6))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(stopWeb)
	p := demoPorts{Host: "127.0.0.1", Web: web, HTTP: freePort(t), TCP: freePort(t), Stats: freePort(t),
		Control: filepath.Join(dir, "admin.sock"), MaxConn: 1000}
	cfg := filepath.Join(dir, "demo.toml")
	if err := os.WriteFile(cfg, demoConfig(p), 0o600); err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	ready := make(chan struct{})
	done := make(chan error, 1)
	go func() {
		done <- runDaemon(ctx, cfg, daemonOptions{noSysctl: true, stderr: io.Discard,
			ready: func(*appliance) { close(ready) }})
	}()
	select {
	case <-ready:
	case err := <-done:
		t.Fatalf("daemon stopped at start: %v", err)
	case <-time.After(10 * time.Second):
		t.Fatal("daemon not ready after 10s")
	}
	t.Cleanup(func() {
		cancel()
		select {
		case err := <-done:
			if err != nil {
				t.Errorf("daemon stop: %v", err)
			}
		case <-time.After(10 * time.Second):
			t.Error("daemon did not stop within 10s")
		}
	})
	return p
}

// fetch GETs path on a fresh connection and returns the body.
func fetch(t *testing.T, port int, path string) string {
	t.Helper()
	c := &http.Client{Transport: &http.Transport{DisableKeepAlives: true}, Timeout: 5 * time.Second}
	resp, err := c.Get(fmt.Sprintf("http://127.0.0.1:%d%s", port, path))
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return string(b)
}

func admin(t *testing.T, sock string, cmd ...string) string {
	t.Helper()
	code, out, errOut := runCLI(t, append([]string{"admin", "-S", sock}, cmd...)...)
	if code != 0 && !strings.HasPrefix(out, "unknown command") {
		t.Fatalf("admin %v: exit %d, %s%s", cmd, code, out, errOut)
	}
	return out
}

func TestDemoScenarioServesAndObeysRuntimeAPI(t *testing.T) {
	p := startDemo(t)
	if got := fetch(t, p.HTTP, "/ms1/"); got != "Hello! This is ms1.srv1!\n" {
		t.Fatalf("GET /ms1/ = %q", got)
	}
	if got := fetch(t, p.HTTP, "/ms2/x"); !strings.Contains(got, "ms2.srv") {
		t.Errorf("GET /ms2/x = %q, want an ms2 server", got)
	}

	// disable server: every new request goes to the other one at once.
	if out := admin(t, p.Control, "disable", "server", "ms1/ms1.srv1"); strings.TrimSpace(out) != "" {
		t.Fatalf("disable server answered %q", out)
	}
	for i := 0; i < 4; i++ {
		if got := fetch(t, p.HTTP, "/ms1/"); got != "Hello! This is ms1.srv2!\n" {
			t.Fatalf("after disable, request %d went to %q", i, got)
		}
	}
	admin(t, p.Control, "enable", "server", "ms1/ms1.srv1")
	seen := map[string]bool{}
	for i := 0; i < 4; i++ {
		seen[fetch(t, p.HTTP, "/ms1/")] = true
	}
	if !seen["Hello! This is ms1.srv1!\n"] {
		t.Errorf("after enable, ms1.srv1 got no request: %v", seen)
	}
	// set weight 0: no new traffic.
	admin(t, p.Control, "set", "weight", "ms1/ms1.srv2", "0")
	for i := 0; i < 3; i++ {
		if got := fetch(t, p.HTTP, "/ms1/"); got != "Hello! This is ms1.srv1!\n" {
			t.Fatalf("weight 0 server still served: %q", got)
		}
	}

	out := admin(t, p.Control, "show", "frobs")
	if !strings.HasPrefix(out, "unknown command") {
		t.Errorf("unknown command answered %q", out)
	}

	code, js, errOut := runCLI(t, "status", "-S", p.Control, "--json")
	if code != 0 {
		t.Fatalf("status: exit %d %s", code, errOut)
	}
	var st Status
	if err := json.Unmarshal([]byte(js), &st); err != nil {
		t.Fatalf("status --json: %v\n%s", err, js)
	}
	var ms1 *BackendStatus
	for i := range st.Backends {
		if st.Backends[i].Name == "ms1" {
			ms1 = &st.Backends[i]
		}
	}
	if ms1 == nil || ms1.Total != 2 || ms1.Up != 2 || ms1.Servers[1].Weight != 0 {
		t.Errorf("status ms1 = %+v", ms1)
	}
}

func TestDemoL4Frontend(t *testing.T) {
	p := startDemo(t)
	if got := fetch(t, p.TCP, "/"); !strings.Contains(got, "def.srv") {
		t.Errorf("L4 GET / = %q, want a default server", got)
	}
}

func TestStatusUnreachable(t *testing.T) {
	code, _, errOut := runCLI(t, "status", "-S", filepath.Join(t.TempDir(), "none.sock"))
	if code != exitUnreachable || !strings.Contains(errOut, "cannot reach the daemon") || strings.Count(errOut, "\n") != 1 {
		t.Errorf("exit %d, stderr %q; want %d and one line", code, errOut, exitUnreachable)
	}
}
