package checks

import (
	"context"
	"errors"
	"net"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
)

func TestProbeAddr(t *testing.T) {
	tests := map[string]string{
		"*:9001":         "127.0.0.1:9001",
		":9001":          "127.0.0.1:9001",
		"0.0.0.0:9001":   "127.0.0.1:9001",
		"[::]:9001":      "[::1]:9001",
		"10.0.0.1:80":    "10.0.0.1:80",
		"198.18.0.100:1": "198.18.0.100:1",
		"garbage":        "garbage",
	}
	got := map[string]string{}
	for in := range tests {
		got[in] = ProbeAddr(in)
	}
	if d := cmp.Diff(tests, got); d != "" {
		t.Errorf("(-want +got):\n%s", d)
	}
}

func TestFrontendProbe(t *testing.T) {
	tests := []struct {
		name    string
		http    bool
		resp    string
		hang    bool
		wantErr error
	}{
		{"tcp", false, "", false, nil},
		{"http 200", true, "HTTP/1.1 200 OK\r\n\r\n", false, nil},
		{"http 503 from the proxy is alive", true, "HTTP/1.1 503 Service Unavailable\r\n\r\n", false, nil},
		{"status line only, then silence", true, "HTTP/1.0 404 Not Found\r\n", true, nil},
		{"garbage", true, "SSH-2.0-OpenSSH\r\n", true, ErrNoResponse},
		{"close without answer", true, "", false, ErrNoResponse},
		{"silence", true, "", true, ErrNoResponse},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			b := reply(tt.resp)
			if tt.hang {
				b = replyThenHang(tt.resp)
			}
			srv := newFakeServer(t, b)
			_, port, _ := net.SplitHostPort(srv.addr())
			// A short timeout only where the row waits for it to expire; a
			// row that must succeed gets room for a loaded machine.
			timeout := 3 * time.Second
			if tt.hang && tt.wantErr != nil {
				timeout = 300 * ms
			}
			p := &FrontendProbe{Addr: "*:" + port, HTTP: tt.http, Timeout: timeout}
			err := p.Check(context.Background())
			if !errors.Is(err, tt.wantErr) || (tt.wantErr == nil) != (err == nil) {
				t.Errorf("err = %v, want %v", err, tt.wantErr)
			}
			if tt.http {
				srv.mu.Lock()
				defer srv.mu.Unlock()
				want := []string{"GET / HTTP/1.1\r\nhost: 127.0.0.1:" + port + "\r\nuser-agent: haappliance-track\r\nconnection: close\r\n\r\n"}
				if d := cmp.Diff(want, srv.reqs); d != "" {
					t.Errorf("request (-want +got):\n%s", d)
				}
			}
		})
	}
}

func TestFrontendProbeRefused(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := ln.Addr().String()
	ln.Close()
	p := &FrontendProbe{Addr: addr, Timeout: time.Second}
	if err := p.Check(context.Background()); !errors.Is(err, ErrUnreachable) {
		t.Errorf("err = %v, want ErrUnreachable", err)
	}
}

func TestBackendMinUp(t *testing.T) {
	tests := []struct {
		up, min int
		ok      bool
	}{
		{0, 1, false}, {1, 1, true}, {2, 3, false}, {3, 3, true}, {0, 0, false}, {1, -5, true},
	}
	for _, tt := range tests {
		err := BackendMinUp(func() int { return tt.up }, tt.min).Check(context.Background())
		if (err == nil) != tt.ok || (err != nil && !errors.Is(err, ErrTooFewUp)) {
			t.Errorf("up %d min %d: err = %v", tt.up, tt.min, err)
		}
	}
}
