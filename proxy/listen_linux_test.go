package proxy

import (
	"net"
	"syscall"
	"testing"

	"golang.org/x/sys/unix"
)

// TestListenPlainTCP: Listen gives a plain TCP socket (not Go's default
// Multipath TCP) whose accepted connections have TCP_NODELAY and no TCP
// keep-alive, as HAProxy's without option tcpka.
func TestListenPlainTCP(t *testing.T) {
	ln, err := Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	sockopt := func(c syscall.Conn, level, opt int) int {
		t.Helper()
		rc, err := c.SyscallConn()
		if err != nil {
			t.Fatal(err)
		}
		v := -1
		var gerr error
		if err := rc.Control(func(fd uintptr) { v, gerr = unix.GetsockoptInt(int(fd), level, opt) }); err != nil || gerr != nil {
			t.Fatal(err, gerr)
		}
		return v
	}
	tl := ln.(*net.TCPListener)
	if p := sockopt(tl, unix.SOL_SOCKET, unix.SO_PROTOCOL); p != unix.IPPROTO_TCP {
		t.Errorf("listener protocol %d, want %d (TCP)", p, unix.IPPROTO_TCP)
	}
	cl, err := net.Dial("tcp", ln.Addr().String())
	if err != nil {
		t.Fatal(err)
	}
	defer cl.Close()
	c, err := ln.Accept()
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	tc := c.(*net.TCPConn)
	if v := sockopt(tc, unix.SOL_SOCKET, unix.SO_KEEPALIVE); v != 0 {
		t.Errorf("accepted SO_KEEPALIVE = %d, want 0", v)
	}
	if v := sockopt(tc, unix.IPPROTO_TCP, unix.TCP_NODELAY); v == 0 {
		t.Error("accepted TCP_NODELAY off, want on")
	}
}
