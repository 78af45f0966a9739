//go:build !linux

package proxy

import (
	"net"
	"syscall"
	"time"
)

// dialDirect is dial here: the direct socket path is Linux-only.
func (d *serverDialer) dialDirect(timeout time.Duration) (net.Conn, error) {
	return d.dial(timeout)
}

// plainTCP gives c's socket access when c is a *net.TCPConn; nil for TLS
// and other wrappers.
func plainTCP(c net.Conn) syscall.Conn {
	if tc, ok := c.(*net.TCPConn); ok {
		return tc
	}
	return nil
}
