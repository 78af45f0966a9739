package proxy

import (
	"context"
	"net"
	"syscall"
)

// Listen opens a plain TCP listener, the default of Options.Listen.
//
// Go (1.24 and later) opens listeners as Multipath TCP sockets when the
// kernel supports MPTCP; a plain TCP client then gets a fallback MPTCP
// socket, which costs every read and write an extra layer and refuses some
// socket options (a socket filter: EOPNOTSUPP). haproxy listens on plain
// TCP unless told otherwise; so do we. Accepted connections get no TCP
// keep-alive from Go either (it would enable it, at four setsockopt calls
// per connection): a frontend asks for it with option tcpka or clitcpka,
// as in HAProxy (listener.go).
func Listen(network, addr string) (net.Listener, error) {
	return ListenControl(network, addr, nil)
}

// ListenControl is Listen with a function run on the socket before bind
// (socket options such as IP_TRANSPARENT), as net.ListenConfig.Control.
func ListenControl(network, addr string, control func(network, address string, c syscall.RawConn) error) (net.Listener, error) {
	lc := net.ListenConfig{Control: control, KeepAlive: -1}
	lc.SetMultipathTCP(false)
	return lc.Listen(context.Background(), network, addr)
}
