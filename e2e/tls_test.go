package e2e

import (
	"bytes"
	"context"
	"crypto/tls"
	"crypto/x509"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"haappliance/proxy/proxytest"
)

// tlsEnv is what testdata/tls.toml.tmpl needs.
type tlsEnv struct {
	Port, TLSPort, Web int
	Dir, Certs         string
}

// startTLSAppliance runs the built binary with a TLS frontend serving two
// certificates from a folder (a.pem, the default, and b.pem) and a plain
// frontend redirecting to https. It returns the env and a pool trusting both.
func startTLSAppliance(t *testing.T) (tlsEnv, *x509.CertPool) {
	dir := t.TempDir()
	certs := filepath.Join(dir, "certs")
	if err := os.Mkdir(certs, 0o700); err != nil {
		t.Fatal(err)
	}
	pool := x509.NewCertPool()
	pool.AddCert(proxytest.WriteCert(t, filepath.Join(certs, "a.pem"), "a.example"))
	pool.AddCert(proxytest.WriteCert(t, filepath.Join(certs, "b.pem"), "b.example", "*.b.example"))
	env := tlsEnv{Port: freePort(t), TLSPort: freePort(t), Dir: dir, Certs: certs,
		Web: startEcho(t, &echoServer{name: "web.srv1"})[0]}
	cfg := filepath.Join(dir, "haappliance.toml")
	if err := os.WriteFile(cfg, render(t, "tls.toml.tmpl", env), 0o600); err != nil {
		t.Fatal(err)
	}
	startProcess(t, applianceBinary(t), "run", "-c", cfg, "--no-sysctl")
	waitPort(t, fmt.Sprintf("127.0.0.1:%d", env.TLSPort), 5*time.Second)
	waitPort(t, fmt.Sprintf("127.0.0.1:%d", env.Port), 5*time.Second)
	return env, pool
}

// TestTLSBinary checks TLS termination of the built binary: the
// certificate chosen by SNI (verified against the generated roots), a
// request proxied over it, HTTP/2 with curl, TLS 1.0 and 1.1 refused, and
// the plain frontend's `redirect scheme https code 301`.
func TestTLSBinary(t *testing.T) {
	env, pool := startTLSAppliance(t)
	tlsAddr := fmt.Sprintf("127.0.0.1:%d", env.TLSPort)

	t.Run("SNI", func(t *testing.T) {
		tests := []struct{ sni, wantCN string }{
			{"a.example", "a.example"},
			{"b.example", "b.example"},
			{"www.b.example", "b.example"},
			{"", "a.example"}, // no SNI: the first certificate loaded
			{"unknown.example", "a.example"},
		}
		for _, tc := range tests {
			cfg := &tls.Config{ServerName: tc.sni, RootCAs: pool, NextProtos: []string{"http/1.1"}}
			if tc.sni == "" || tc.sni == "unknown.example" {
				cfg.InsecureSkipVerify = true // the name cannot match; checked by CN below
			}
			c, err := tls.DialWithDialer(&net.Dialer{Timeout: 5 * time.Second}, "tcp", tlsAddr, cfg)
			if err != nil {
				t.Errorf("SNI %q: %v", tc.sni, err)
				continue
			}
			got := c.ConnectionState().PeerCertificates[0].Subject.CommonName
			host := tc.sni
			if host == "" {
				host = "test"
			}
			fmt.Fprintf(c, "GET /sni HTTP/1.1\r\nHost: %s\r\nConnection: close\r\n\r\n", host)
			c.SetReadDeadline(time.Now().Add(5 * time.Second))
			body, _ := io.ReadAll(c)
			c.Close()
			if got != tc.wantCN || !bytes.Contains(body, []byte("This is web.srv1")) {
				t.Errorf("SNI %q: certificate %q (want %q), answer:\n%s", tc.sni, got, tc.wantCN, body)
			}
		}
	})

	t.Run("HTTP2 with curl", func(t *testing.T) {
		curl, err := exec.LookPath("curl")
		if err != nil {
			t.Skip("curl not installed")
		}
		var got []string
		for _, flag := range []string{"--http2", "--http1.1"} {
			ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
			out, err := exec.CommandContext(ctx, curl, "-sk", flag, "-o", "/dev/null", "-w", "%{http_version} %{http_code}",
				"--resolve", fmt.Sprintf("a.example:%d:127.0.0.1", env.TLSPort),
				fmt.Sprintf("https://a.example:%d/h2", env.TLSPort)).CombinedOutput()
			cancel()
			if err != nil {
				t.Fatalf("curl %s: %v %s", flag, err, out)
			}
			got = append(got, flag+" "+string(out))
		}
		if d := cmp.Diff([]string{"--http2 2 200", "--http1.1 1.1 200"}, got); d != "" {
			t.Errorf("curl (-want +got):\n%s", d)
		}
	})

	t.Run("HTTP2 with Go", func(t *testing.T) {
		tr := &http.Transport{TLSClientConfig: &tls.Config{ServerName: "b.example", RootCAs: pool}, ForceAttemptHTTP2: true}
		defer tr.CloseIdleConnections()
		cl := &http.Client{Transport: tr, Timeout: 10 * time.Second}
		resp, err := cl.Get("https://" + tlsAddr + "/go-h2")
		if err != nil {
			t.Fatal(err)
		}
		body, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		if resp.ProtoMajor != 2 || !strings.Contains(string(body), "uri=/go-h2 proto=HTTP/1.1") {
			t.Errorf("%s %s:\n%s", resp.Proto, resp.Status, body)
		}
	})

	t.Run("old versions refused", func(t *testing.T) {
		for _, v := range []uint16{tls.VersionTLS10, tls.VersionTLS11} {
			cfg := &tls.Config{ServerName: "a.example", RootCAs: pool, MinVersion: v, MaxVersion: v}
			c, err := tls.DialWithDialer(&net.Dialer{Timeout: 5 * time.Second}, "tcp", tlsAddr, cfg)
			if err == nil {
				c.Close()
				t.Errorf("%s: handshake succeeded", tls.VersionName(v))
				continue
			}
			if !strings.Contains(err.Error(), "protocol version") {
				t.Errorf("%s: %v, want a protocol version alert", tls.VersionName(v), err)
			}
		}
	})

	t.Run("redirect scheme https", func(t *testing.T) {
		tests := []struct{ req, want string }{
			{get("/a/b?c=1"), "HTTP/1.1 301 Moved Permanently\nContent-Length: 0\nLocation: https://test/a/b?c=1\n\n"},
			{"GET / HTTP/1.1\r\nHost: www.example:8080\r\n\r\n", "HTTP/1.1 301 Moved Permanently\nContent-Length: 0\nLocation: https://www.example:8080/\n\n"},
		}
		for _, tc := range tests {
			got := dial(t, fmt.Sprintf("127.0.0.1:%d", env.Port)).roundTrip("GET", tc.req)
			if d := cmp.Diff(tc.want, got); d != "" {
				t.Errorf("%q (-want +got):\n%s", tc.req, d)
			}
		}
	})
}
