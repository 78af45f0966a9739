package e2e

import (
	"encoding/base64"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
)

// rulesEnv is what the rules templates need.
type rulesEnv struct {
	Port int
	Web  int
	Dir  string
}

// recordingServer answers with the request it received (URI and every
// header, sorted) and with headers the http-response rules edit.
func recordingServer(w http.ResponseWriter, r *http.Request) {
	var hs []string
	for k, v := range r.Header {
		hs = append(hs, k+"="+strings.Join(v, "|"))
	}
	sort.Strings(hs)
	w.Header().Set("X-Secret", "s")
	w.Header().Set("Location", "http://h/x")
	w.Header().Set("Content-Type", "text/plain")
	fmt.Fprintf(w, "seen %s %s host=%s\n%s\n", r.Method, r.RequestURI, r.Host, strings.Join(hs, "\n"))
}

// readFull reads one response and renders its status, every header but
// Date (names canonicalised) and its body, then whether the connection
// stays open.
func (c *conn) readFull(method string) string {
	c.t.Helper()
	c.c.SetReadDeadline(time.Now().Add(10 * time.Second))
	resp, err := http.ReadResponse(c.br, &http.Request{Method: method})
	if err != nil {
		return fmt.Sprintf("<no response: %s>\n", errClass(err))
	}
	body, err := io.ReadAll(resp.Body)
	resp.Body.Close()
	var hs []string
	for k, vs := range resp.Header {
		if k == "Date" {
			continue
		}
		for _, v := range vs {
			hs = append(hs, k+": "+v)
		}
	}
	for _, te := range resp.TransferEncoding {
		hs = append(hs, "Transfer-Encoding: "+te)
	}
	sort.Strings(hs)
	var b strings.Builder
	fmt.Fprintf(&b, "%s %s\n%s\n\n%s", resp.Proto, resp.Status, strings.Join(hs, "\n"), body)
	if err != nil {
		fmt.Fprintf(&b, "<body error: %s>\n", errClass(err))
	}
	fmt.Fprintf(&b, "----\nconnection %s\n", c.closed(200*time.Millisecond))
	return b.String()
}

func basic(userPass string) string {
	return "Authorization: Basic " + base64.StdEncoding.EncodeToString([]byte(userPass)) + "\r\n"
}

// rulesSteps exercise the http-request and http-response actions haproxy
// 2.6 and haappliance share (testdata/rules.*.tmpl).
func rulesSteps() []step {
	one := func(path string, extra ...string) func(*testing.T, string) string {
		return func(t *testing.T, addr string) string {
			c := dial(t, addr)
			c.send(get(path, extra...))
			return c.readFull("GET")
		}
	}
	return []step{
		{name: "set/add/del/replace-header and response edits", run: one("/p", "X-Set: old\r\nX-Added: 0\r\nX-Drop: 1\r\nX-Rep: v=7\r\n"),
			must: "X-Set=set-/p"},
		{name: "replace-header leaves a non-matching value", run: one("/p", "X-Rep: nomatch\r\n"), must: "X-Rep=nomatch"},
		{name: "set-path keeps the query", run: one("/setpath/a?q=1"), must: "seen GET /sp/setpath/a?q=1"},
		{name: "replace-path", run: one("/rp/x/y?z=2"), must: "seen GET /replaced/x/y?z=2"},
		{name: "redirect scheme https code 301", run: one("/secure/a?b=1"), must: "Location: https://test/secure/a?b=1"},
		{name: "redirect prefix", run: one("/old/a?b=1"), must: "Location: /new/old/a?b=1"},
		{name: "redirect location code 307", run: one("/loc"), must: "Location: /elsewhere"},
		{name: "deny", run: one("/deny"), must: "403 Forbidden"},
		{name: "deny deny_status 404", run: one("/hidden"), must: "404 Not Found"},
		{name: "return string", run: one("/health"), must: "Content-Type: text/plain"},
		{name: "allow skips the frontend's later rules", run: one("/allow"), must: "seen GET /allow"},
		{name: "backend rules", run: one("/bedeny"), must: "403 Forbidden"},
		{name: "auth without credentials", run: one("/admin"), must: `Www-Authenticate: Basic realm="Ops"`},
		{name: "auth wrong password", run: one("/admin", basic("alice:nope")), must: "401"},
		{name: "auth unknown user", run: one("/admin", basic("mallory:wonder")), must: "401"},
		{name: "auth right password", run: one("/admin", basic("alice:wonder")), must: "seen GET /admin"},
		{name: "deny with a body", run: func(t *testing.T, addr string) string {
			c := dial(t, addr)
			c.send("POST /deny HTTP/1.1\r\nHost: test\r\nContent-Length: 3\r\n\r\nabc")
			return c.readFull("POST")
		}, must: "403"},
		{name: "deny before the whole body arrived", run: func(t *testing.T, addr string) string {
			c := dial(t, addr)
			c.send("POST /deny HTTP/1.1\r\nHost: test\r\nContent-Length: 10\r\n\r\nabc")
			return c.readFull("POST")
		}, must: "403"},
		{name: "deny with a chunked body", run: func(t *testing.T, addr string) string {
			c := dial(t, addr)
			c.send("POST /deny HTTP/1.1\r\nHost: test\r\nTransfer-Encoding: chunked\r\n\r\n3\r\nabc\r\n0\r\n\r\n")
			return c.readFull("POST")
		}, must: "403"},
		{name: "keep-alive across answers", run: func(t *testing.T, addr string) string {
			c := dial(t, addr)
			var out []string
			for _, p := range []string{"/health", "/loc", "/deny", "/p"} {
				c.send(get(p))
				out = append(out, c.readFull("GET"))
			}
			return strings.Join(out, "====\n")
		}, must: "seen GET /p"},
	}
}

func rulesStarter(bin func(testing.TB) string, tmpl string, args func(cfg string) []string) func(*testing.T, rulesEnv) string {
	return func(t *testing.T, env rulesEnv) string {
		cfg := filepath.Join(env.Dir, filepath.Base(strings.TrimSuffix(tmpl, ".tmpl")))
		if err := os.WriteFile(cfg, render(t, tmpl, env), 0o600); err != nil {
			t.Fatal(err)
		}
		startProcess(t, bin(t), args(cfg)...)
		addr := fmt.Sprintf("127.0.0.1:%d", env.Port)
		waitPort(t, addr, 5*time.Second)
		return addr
	}
}

func observeRules(t *testing.T, start func(*testing.T, rulesEnv) string) []string {
	ln := startRecording(t)
	addr := start(t, rulesEnv{Port: freePort(t), Web: ln, Dir: t.TempDir()})
	var out []string
	for _, s := range rulesSteps() {
		out = append(out, s.run(t, addr))
	}
	return out
}

// TestDifferentialRules runs the same requests through haproxy and
// haappliance configured with the same http-request/http-response rules and
// compares what the client and the server see.
func TestDifferentialRules(t *testing.T) {
	needHaproxy(t)
	haproxy := rulesStarter(func(t testing.TB) string { return needHaproxy(t) }, "rules.cfg.tmpl",
		func(cfg string) []string { return []string{"-db", "-f", cfg} })
	appliance := rulesStarter(applianceBinary, "rules.toml.tmpl",
		func(cfg string) []string { return []string{"run", "-c", cfg, "--no-sysctl"} })
	compareSteps(t, rulesSteps(), observeRules(t, haproxy), observeRules(t, appliance))
}

// startRecording starts a recordingServer on loopback and returns its port.
func startRecording(t *testing.T) int {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	s := &http.Server{Handler: http.HandlerFunc(recordingServer)}
	go s.Serve(ln)
	t.Cleanup(func() { s.Close() })
	return ln.Addr().(*net.TCPAddr).Port
}

// compareSteps checks haappliance's observations against haproxy's, as
// compareSeed does for any list of steps.
func compareSteps(t *testing.T, steps []step, want, got []string) {
	t.Helper()
	for i, s := range steps {
		if s.spec != "" {
			if !strings.Contains(got[i], s.spec) {
				t.Errorf("%s: haappliance should show %q; it answered:\n%s", s.name, s.spec, got[i])
			}
			continue
		}
		if !strings.Contains(want[i], s.must) {
			t.Errorf("%s: haproxy's answer lacks %q — the step checks nothing:\n%s", s.name, s.must, want[i])
		}
		if d := cmp.Diff(want[i], got[i]); d != "" {
			t.Errorf("%s: haappliance differs from haproxy (-haproxy +haappliance):\n%s", s.name, d)
		}
	}
}
