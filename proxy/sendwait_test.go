package proxy

import (
	"bytes"
	"io"
	"net"
	"testing"
	"time"

	"golang.org/x/sys/unix"

	"haappliance/config"
)

// sendHeadPair connects to a server run by serve and returns the pieces
// sendHead needs: the transaction (timeout server to) and a pump whose
// prefix is head.
func sendHeadPair(t *testing.T, to time.Duration, head []byte, serve func(net.Conn)) (*clientConn, *txn, *pump) {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { ln.Close() })
	done := make(chan struct{})
	go func() {
		defer close(done)
		c, err := ln.Accept()
		if err != nil {
			return
		}
		defer c.Close()
		serve(c)
	}()
	c, err := net.Dial("tcp", ln.Addr().String())
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { c.Close(); <-done })
	sc := &serverConn{Conn: c}
	tx := &txn{sc: sc, be: &backend{t: Timeouts{Server: config.Duration(to)}}}
	p := &pump{dst: sc, dstTO: to, dstDL: &sc.wdl, prefix: head}
	return &clientConn{}, tx, p
}

// readable reports whether bytes (or an end) wait on c without reading them.
func readable(t *testing.T, c net.Conn) bool {
	t.Helper()
	rc, err := c.(*net.TCPConn).SyscallConn()
	if err != nil {
		t.Fatal(err)
	}
	var n int
	var perr error
	_ = rc.Control(func(fd uintptr) {
		var b [1]byte
		n, _, perr = unix.Recvfrom(int(fd), b[:], unix.MSG_PEEK|unix.MSG_DONTWAIT)
	})
	return perr == nil && n >= 0 // bytes, or the end (0)
}

// TestSendHeadWaitsForTheAnswer: sendHead returns once the server's answer
// is readable, the request having arrived whole.
func TestSendHeadWaitsForTheAnswer(t *testing.T) {
	head := []byte("GET / HTTP/1.1\r\nhost: x\r\n\r\n")
	got := make(chan []byte, 1)
	release := make(chan struct{})
	cc, tx, p := sendHeadPair(t, 5*time.Second, head, func(c net.Conn) {
		b := make([]byte, len(head))
		_, _ = io.ReadFull(c, b)
		got <- b
		<-release // answer only once the test says so
		_, _ = c.Write([]byte("HTTP/1.1 200 OK\r\ncontent-length: 0\r\n\r\n"))
	})
	errc := make(chan error, 1)
	go func() { errc <- cc.sendHead(tx, p) }()
	if b := <-got; !bytes.Equal(b, head) {
		t.Fatalf("server got %q", b)
	}
	select {
	case err := <-errc:
		t.Fatalf("sendHead returned (%v) before the server answered", err)
	case <-time.After(50 * time.Millisecond): // a bound on a wrong early return, not a timing assertion
	}
	close(release)
	if err := <-errc; err != nil {
		t.Fatal(err)
	}
	if !readable(t, tx.sc.Conn) {
		t.Error("sendHead returned but no answer is readable")
	}
	if p.prefix != nil {
		t.Error("prefix not consumed")
	}
}

// TestSendHeadServerClosed: a pooled connection the server had closed
// wakes the wait (the server resets the request) instead of hanging until
// timeout server; the read that follows reports the failure.
func TestSendHeadServerClosed(t *testing.T) {
	closed := make(chan struct{})
	cc, tx, p := sendHeadPair(t, 30*time.Second, []byte("GET / HTTP/1.1\r\n\r\n"), func(c net.Conn) {
		c.Close()
		close(closed)
	})
	<-closed
	for !readable(t, tx.sc.Conn) { // the FIN has arrived before the request is sent
		time.Sleep(time.Millisecond)
	}
	start := time.Now()
	err := cc.sendHead(tx, p)
	if err != nil && pumpSide(err) != sideDst {
		t.Fatalf("sendHead: %v", err)
	}
	if time.Since(start) > 10*time.Second {
		t.Fatal("sendHead waited for timeout server")
	}
	if err == nil {
		buf := make([]byte, 64)
		if _, rerr := tx.sc.Read(buf); rerr == nil || isTimeout(rerr) {
			t.Errorf("read after a closed server: %v, want EOF or reset", rerr)
		}
	}
}

// TestSendHeadTimeout: a server that never answers ends the wait at
// timeout server; the read that follows reports the timeout.
func TestSendHeadTimeout(t *testing.T) {
	cc, tx, p := sendHeadPair(t, 100*time.Millisecond, []byte("GET / HTTP/1.1\r\n\r\n"), func(c net.Conn) {
		_, _ = io.Copy(io.Discard, c)
	})
	if err := cc.sendHead(tx, p); err != nil {
		t.Fatal(err)
	}
	buf := make([]byte, 64)
	if _, err := tx.sc.Read(buf); !isTimeout(err) {
		t.Errorf("read: %v, want a timeout", err)
	}
}

// TestSendHeadShortWrite: a head larger than the socket buffers takes
// several writes: the rest goes through the pump, in order.
func TestSendHeadShortWrite(t *testing.T) {
	head := bytes.Repeat([]byte("0123456789abcdef"), 1<<17) // 2 MiB
	got := make(chan []byte, 1)
	cc, tx, p := sendHeadPair(t, 5*time.Second, head, func(c net.Conn) {
		time.Sleep(20 * time.Millisecond) // let the first write fill the buffers; not a timing assertion
		b, _ := io.ReadAll(io.LimitReader(c, int64(len(head))))
		got <- b
	})
	if err := tx.sc.Conn.(*net.TCPConn).SetWriteBuffer(4096); err != nil {
		t.Fatal(err)
	}
	if err := cc.sendHead(tx, p); err != nil {
		t.Fatal(err)
	}
	if b := <-got; !bytes.Equal(b, head) {
		t.Fatalf("server got %d bytes, want the %d of the head in order", len(b), len(head))
	}
}

// TestSendHeadNotTCP: another connection type is written the usual way.
func TestSendHeadNotTCP(t *testing.T) {
	a, b := net.Pipe()
	defer a.Close()
	defer b.Close()
	sc := &serverConn{Conn: a}
	tx := &txn{sc: sc, be: &backend{t: Timeouts{Server: config.Duration(time.Second)}}}
	p := &pump{dst: sc, dstTO: time.Second, dstDL: &sc.wdl, prefix: []byte("GET / HTTP/1.1\r\n\r\n")}
	go func() { _, _ = io.Copy(io.Discard, b) }()
	if err := (&clientConn{}).sendHead(tx, p); err != nil {
		t.Fatal(err)
	}
	if sc.raw != nil {
		t.Error("a pipe got a raw connection")
	}
}
