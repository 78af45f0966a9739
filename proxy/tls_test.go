package proxy

import (
	"bufio"
	"bytes"
	"context"
	"crypto/tls"
	"io"
	"net"
	"net/http"
	"net/netip"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"haappliance/proxy/proxytest"
)

// writeCert writes a self-signed certificate for names, with its key, to
// dir/file (proxytest.WriteCert) and returns its path.
func writeCert(t testing.TB, dir, file string, names ...string) string {
	t.Helper()
	p := filepath.Join(dir, file)
	proxytest.WriteCert(t, p, names...)
	return p
}

const tlsConfigText = `
[defaults]
mode = "http"
option = ["http-keep-alive", "forwardfor"]
timeout = { connect = "2s", client = "5s", server = "5s" }

[frontend.fe]
bind = ["127.0.0.1:0"]
tls = { certificates = ["{{CERTS}}"] }
acl = ["is_tls ssl_fc"]
use_backend = ["tlsbe if is_tls"]
default_backend = "plain"

[backend.tlsbe]
server = [{ name = "s1", address = "{{BE}}" }]

[backend.plain]
server = [{ name = "p1", address = "{{PLAIN}}" }]
`

type tlsEnv struct {
	p     *Proxy
	addr  string
	be    *proxytest.Backend
	dir   string
	mu    sync.Mutex
	logs  []RequestLog
	text  string
	certs string
}

func startTLS(t *testing.T) *tlsEnv {
	t.Helper()
	e := &tlsEnv{dir: t.TempDir(), be: proxytest.NewBackend(t, "tlsbe")}
	// A folder: files load in name order, so a.pem is the default.
	writeCert(t, e.dir, "a.pem", "a.example")
	writeCert(t, e.dir, "b.pem", "b.example", "*.wild.example")
	plain := proxytest.NewBackend(t, "plain")
	e.text = strings.NewReplacer("{{BE}}", e.be.Addr(), "{{PLAIN}}", plain.Addr()).Replace(tlsConfigText)
	e.certs = e.dir
	e.p, e.addr = startProxy(t, e.text, "fe", map[string]string{"CERTS": e.dir},
		Options{RequestLog: func(l *RequestLog) { e.mu.Lock(); e.logs = append(e.logs, *l); e.mu.Unlock() }})
	return e
}

func (e *tlsEnv) dial(t *testing.T, cfg *tls.Config) (*tls.Conn, error) {
	t.Helper()
	d := &net.Dialer{Timeout: 5 * time.Second}
	return tls.DialWithDialer(d, "tcp", e.addr, cfg)
}

func TestTLSSNIPicksCertificate(t *testing.T) {
	e := startTLS(t)
	tests := []struct{ sni, want string }{
		{"a.example", "a.example"},
		{"b.example", "b.example"},
		{"B.Example", "b.example"},
		{"x.wild.example", "b.example"},
		{"unknown.example", "a.example"}, // default: the first certificate
		{"", "a.example"},
	}
	for _, tc := range tests {
		c, err := e.dial(t, &tls.Config{ServerName: tc.sni, InsecureSkipVerify: true})
		if err != nil {
			t.Fatalf("%q: %v", tc.sni, err)
		}
		got := c.ConnectionState().PeerCertificates[0].Subject.CommonName
		_ = c.Close()
		if got != tc.want {
			t.Errorf("SNI %q: certificate %q, want %q", tc.sni, got, tc.want)
		}
	}
}

func TestTLSRequestReachesBackend(t *testing.T) {
	e := startTLS(t)
	c, err := e.dial(t, &tls.Config{ServerName: "a.example", InsecureSkipVerify: true, NextProtos: []string{"http/1.1"}})
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	br := bufio.NewReader(c)
	for i := 0; i < 2; i++ { // keep-alive over TLS
		if _, err := io.WriteString(c, "GET /x HTTP/1.1\r\nHost: a.example\r\nX-Forwarded-Proto: spoofed\r\n\r\n"); err != nil {
			t.Fatal(err)
		}
		resp, err := http.ReadResponse(br, nil)
		if err != nil {
			t.Fatal(err)
		}
		body, _ := io.ReadAll(resp.Body)
		if string(body) != "tlsbe\n" {
			t.Fatalf("body %q: ssl_fc did not route to tlsbe", body)
		}
	}
	seen := e.be.Seen()
	if len(seen) != 2 {
		t.Fatalf("backend saw %d requests", len(seen))
	}
	if got := seen[0].Header.Values("X-Forwarded-Proto"); !cmp.Equal(got, []string{"spoofed", "https"}) {
		t.Errorf("X-Forwarded-Proto %q, want the client's then https", got)
	}
	if got := seen[0].Header.Get("X-Forwarded-For"); got != "127.0.0.1" {
		t.Errorf("X-Forwarded-For %q", got)
	}
	e.mu.Lock()
	defer e.mu.Unlock()
	if len(e.logs) == 0 || e.logs[0].Frontend != "fe~" {
		t.Errorf("log frontend: %+v", e.logs)
	}
}

func TestTLS10Refused(t *testing.T) {
	e := startTLS(t)
	for _, v := range []uint16{tls.VersionTLS10, tls.VersionTLS11} {
		c, err := e.dial(t, &tls.Config{InsecureSkipVerify: true, MinVersion: v, MaxVersion: v})
		if err == nil {
			_ = c.Close()
			t.Errorf("TLS version %x accepted", v)
		}
	}
	c, err := e.dial(t, &tls.Config{InsecureSkipVerify: true, MinVersion: tls.VersionTLS12, MaxVersion: tls.VersionTLS12})
	if err != nil {
		t.Fatalf("TLS 1.2 refused: %v", err)
	}
	_ = c.Close()
}

func h2Client() *http.Client {
	tr := &http.Transport{TLSClientConfig: &tls.Config{InsecureSkipVerify: true}, ForceAttemptHTTP2: true}
	return &http.Client{Transport: tr, Timeout: 10 * time.Second}
}

func TestHTTP2(t *testing.T) {
	e := startTLS(t)
	e.be.Handler = func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path == "/chunked" {
			w.Header().Set("X-Server", "yes")
			for i := 0; i < 3; i++ {
				_, _ = io.WriteString(w, strings.Repeat("z", 5000))
				w.(http.Flusher).Flush()
			}
			return
		}
		w.Header().Set("Connection", "keep-alive")
		_, _ = io.WriteString(w, "got "+r.Method+" "+r.RequestURI+" "+r.Proto)
	}
	cl := h2Client()
	defer cl.CloseIdleConnections()
	url := "https://" + e.addr
	resp, err := cl.Get(url + "/h2?q=1")
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(resp.Body)
	_ = resp.Body.Close()
	if resp.Proto != "HTTP/2.0" || string(body) != "got GET /h2?q=1 HTTP/1.1" {
		t.Fatalf("proto %s body %q", resp.Proto, body)
	}
	// A body of known length, and one of unknown length (chunked to the server).
	resp, err = cl.Post(url+"/post", "text/plain", strings.NewReader("hello"))
	if err != nil {
		t.Fatal(err)
	}
	_ = resp.Body.Close()
	resp, err = cl.Post(url+"/post2", "text/plain", io.MultiReader(strings.NewReader("abc"), strings.NewReader("def")))
	if err != nil {
		t.Fatal(err)
	}
	_ = resp.Body.Close()
	resp, err = cl.Get(url + "/chunked")
	if err != nil {
		t.Fatal(err)
	}
	body, _ = io.ReadAll(resp.Body)
	_ = resp.Body.Close()
	if len(body) != 15000 || resp.Header.Get("X-Server") != "yes" {
		t.Errorf("chunked: %d bytes, header %q", len(body), resp.Header.Get("X-Server"))
	}
	var got []string
	for _, s := range e.be.Seen() {
		got = append(got, s.Method+" "+s.URI+" "+s.Body+" "+s.Header.Get("X-Forwarded-Proto"))
	}
	want := []string{"GET /h2?q=1  https", "POST /post hello https", "POST /post2 abcdef https", "GET /chunked  https"}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("backend saw (-want +got):\n%s", diff)
	}
	// The log line names the client's protocol, HTTP/2.0, as HAProxy's
	// does (the engine served the streams as HTTP/1.1). A record is made
	// once the answer is out: wait for the four.
	waitFor(t, "4 log records", func() bool { e.mu.Lock(); defer e.mu.Unlock(); return len(e.logs) >= 4 })
	e.mu.Lock()
	var versions []string
	for _, l := range e.logs {
		versions = append(versions, l.httpLog(netip.AddrPort{}).Version)
	}
	e.mu.Unlock()
	if diff := cmp.Diff([]string{"HTTP/2.0", "HTTP/2.0", "HTTP/2.0", "HTTP/2.0"}, versions); diff != "" {
		t.Errorf("logged versions (-want +got):\n%s", diff)
	}
}

func TestHTTP2Curl(t *testing.T) {
	curl, err := exec.LookPath("curl")
	if err != nil {
		t.Skip("curl not installed")
	}
	e := startTLS(t)
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	out, err := exec.CommandContext(ctx, curl, "-sk", "--http2", "-o", "/dev/null", "-w", "%{http_version} %{http_code}",
		"https://"+e.addr+"/curl").CombinedOutput()
	if err != nil {
		t.Fatalf("curl: %v %s", err, out)
	}
	if string(out) != "2 200" {
		t.Errorf("curl: %q, want HTTP/2 200", out)
	}
	if n := e.be.Count(); n != 1 {
		t.Errorf("backend saw %d requests", n)
	}
}

func TestTLSReloadCertificates(t *testing.T) {
	e := startTLS(t)
	cn := func() string {
		c, err := e.dial(t, &tls.Config{ServerName: "a.example", InsecureSkipVerify: true})
		if err != nil {
			t.Fatal(err)
		}
		defer c.Close()
		return c.ConnectionState().PeerCertificates[0].Subject.CommonName
	}
	if got := cn(); got != "a.example" {
		t.Fatalf("before: %s", got)
	}
	// Replace a.pem by a certificate for another name: after a reload it
	// is the default one.
	writeCert(t, e.dir, "a.pem", "renewed.example")
	cfg := decodeConfig(t, strings.ReplaceAll(e.text, "{{CERTS}}", e.dir))
	if err := e.p.Reload(cfg); err != nil {
		t.Fatal(err)
	}
	e.addr = e.p.Addr("fe")[0].String() // a port-0 bind is bound anew
	if got := cn(); got != "renewed.example" {
		t.Errorf("after reload: %s", got)
	}
}

func TestTLSSessionResumption(t *testing.T) {
	e := startTLS(t)
	cache := tls.NewLRUClientSessionCache(4)
	cfg := &tls.Config{ServerName: "a.example", InsecureSkipVerify: true, ClientSessionCache: cache, MaxVersion: tls.VersionTLS12}
	for i := 0; i < 2; i++ {
		c, err := e.dial(t, cfg)
		if err != nil {
			t.Fatal(err)
		}
		resumed := c.ConnectionState().DidResume
		_ = c.Close()
		if resumed != (i == 1) {
			t.Errorf("connection %d: resumed %v", i, resumed)
		}
	}
	// After a rotation, tickets of the previous key still resume.
	keys, err := e.p.tickets.rotate()
	if err != nil {
		t.Fatal(err)
	}
	installTicketKeys(e.p.rt.Load(), keys)
	c, err := e.dial(t, cfg)
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	if !c.ConnectionState().DidResume {
		t.Error("not resumed after one rotation")
	}
}

func TestTicketKeysRotate(t *testing.T) {
	k := &ticketKeys{rand: bytes.NewReader(bytes.Repeat([]byte{1, 2, 3, 4, 5}, 64))}
	first, err := k.current()
	if err != nil {
		t.Fatal(err)
	}
	var all [][32]byte
	for i := 0; i < 4; i++ {
		if all, err = k.rotate(); err != nil {
			t.Fatal(err)
		}
	}
	if len(all) != TicketKeys || all[0] == first[0] {
		t.Errorf("keys after rotations: %d", len(all))
	}
	if _, err := (&ticketKeys{rand: bytes.NewReader(nil)}).rotate(); err == nil {
		t.Error("rotation with a failing random source succeeded")
	}
}

func TestLoadCertificatesErrors(t *testing.T) {
	dir := t.TempDir()
	onlyCert := writeCert(t, dir, "c.pem", "c.example")
	data, _ := os.ReadFile(onlyCert)
	certOnly := data[:bytes.Index(data, []byte("-----BEGIN EC PRIVATE KEY"))]
	_ = os.WriteFile(filepath.Join(dir, "nokey.pem"), certOnly, 0o600)
	_ = os.WriteFile(filepath.Join(dir, "garbage.pem"), []byte("hello"), 0o600)
	empty := filepath.Join(dir, "empty")
	_ = os.Mkdir(empty, 0o700)
	split := t.TempDir()
	_ = os.WriteFile(filepath.Join(split, "s.pem"), certOnly, 0o600)
	_ = os.WriteFile(filepath.Join(split, "s.pem.key"), data[len(certOnly):], 0o600)
	tests := []struct {
		paths []string
		want  string
	}{
		{nil, "no certificates"},
		{[]string{filepath.Join(dir, "missing.pem")}, "no such file"},
		{[]string{filepath.Join(dir, "nokey.pem")}, "no private key"},
		{[]string{filepath.Join(dir, "garbage.pem")}, "no PEM certificate"},
		{[]string{empty}, "no certificate file in folder"},
		{[]string{split}, ""},
	}
	for _, tc := range tests {
		_, err := LoadCertificates(tc.paths)
		if tc.want == "" && err != nil || tc.want != "" && (err == nil || !strings.Contains(err.Error(), tc.want)) {
			t.Errorf("LoadCertificates(%v): %v, want %q", tc.paths, err, tc.want)
		}
	}
}
