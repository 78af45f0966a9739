//go:build !linux

package proxy

import (
	"net"
	"time"
)

// dialDirect is dial here: the direct socket path is Linux-only.
func (d *serverDialer) dialDirect(timeout time.Duration) (net.Conn, error) {
	return d.dial(timeout)
}
