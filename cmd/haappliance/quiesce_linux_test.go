package main

import (
	"errors"
	"io"
	"net"
	"testing"
	"time"
)

// TestQuiesceDropsNewConnectionsKeepsEstablished: after Quiesce a new
// connection attempt gets no answer (the SYN is dropped: the dial times
// out, it is not refused), while a connection accepted before, and one
// whose handshake completed before, keep exchanging bytes both ways.
func TestQuiesceDropsNewConnectionsKeepsEstablished(t *testing.T) {
	var v vipListeners
	ln, err := v.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	before, err := net.Dial("tcp", ln.Addr().String())
	if err != nil {
		t.Fatal(err)
	}
	defer before.Close()
	queued, err := net.Dial("tcp", ln.Addr().String()) // not yet accepted
	if err != nil {
		t.Fatal(err)
	}
	defer queued.Close()
	srv, err := ln.Accept()
	if err != nil {
		t.Fatal(err)
	}
	defer srv.Close()

	v.Quiesce()

	_, err = net.DialTimeout("tcp", ln.Addr().String(), 300*time.Millisecond)
	var ne net.Error
	if err == nil || !errors.As(err, &ne) || !ne.Timeout() {
		t.Fatalf("dial after Quiesce: %v, want a timeout (SYN dropped)", err)
	}

	echo := func(c, s net.Conn) {
		t.Helper()
		if _, err := c.Write([]byte("ping")); err != nil {
			t.Fatal(err)
		}
		buf := make([]byte, 4)
		_ = s.SetReadDeadline(time.Now().Add(2 * time.Second))
		if _, err := io.ReadFull(s, buf); err != nil || string(buf) != "ping" {
			t.Fatalf("server read %q, %v", buf, err)
		}
		if _, err := s.Write([]byte("pong")); err != nil {
			t.Fatal(err)
		}
		_ = c.SetReadDeadline(time.Now().Add(2 * time.Second))
		if _, err := io.ReadFull(c, buf); err != nil || string(buf) != "pong" {
			t.Fatalf("client read %q, %v", buf, err)
		}
	}
	echo(before, srv)
	srv2, err := ln.Accept()
	if err != nil {
		t.Fatal(err)
	}
	defer srv2.Close()
	echo(queued, srv2)
}
