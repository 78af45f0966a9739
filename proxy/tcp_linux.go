package proxy

import (
	"net"
	"syscall"

	"golang.org/x/sys/unix"
)

// socketFailed reports whether c is a TCP socket that the peer reset (the
// kernel moved it to CLOSE). It tells which side of a spliced copy failed,
// since splice(2) reports a reset the same way for both ends.
func socketFailed(c net.Conn) bool {
	sc, ok := c.(syscall.Conn)
	if !ok {
		return false
	}
	rc, err := sc.SyscallConn()
	if err != nil {
		return false
	}
	failed := false
	_ = rc.Control(func(fd uintptr) {
		info, err := unix.GetsockoptTCPInfo(int(fd), unix.IPPROTO_TCP, unix.TCP_INFO)
		failed = err == nil && info.State == unix.BPF_TCP_CLOSE
	})
	return failed
}

// discardInput reads and drops what the client already sent, without
// waiting, so that closing the socket sends a FIN rather than a reset
// (HAProxy has read those bytes into its buffer when it gives up on a
// session before a server was reached).
func discardInput(c net.Conn) {
	sc, ok := c.(syscall.Conn)
	if !ok {
		return
	}
	rc, err := sc.SyscallConn()
	if err != nil {
		return
	}
	var buf [4096]byte
	_ = rc.Read(func(fd uintptr) bool {
		for range 64 {
			n, err := unix.Read(int(fd), buf[:])
			if n <= 0 || err != nil {
				break
			}
		}
		return true // never wait for more
	})
}

// acceptBacklog returns how many connections wait in the kernel's accept
// queue of a TCP listener (Linux reports it in tcpi_unacked for a socket in
// LISTEN state), or 0 when it cannot be read.
func acceptBacklog(ln net.Listener) int {
	tl, ok := ln.(*net.TCPListener)
	if !ok {
		return 0
	}
	rc, err := tl.SyscallConn()
	if err != nil {
		return 0
	}
	n := 0
	_ = rc.Control(func(fd uintptr) {
		if info, err := unix.GetsockoptTCPInfo(int(fd), unix.IPPROTO_TCP, unix.TCP_INFO); err == nil {
			n = int(info.Unacked)
		}
	})
	return n
}
