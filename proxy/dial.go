package proxy

import (
	"net"
	"net/netip"
	"time"
)

// serverDialer opens the connections to one server.
//
// Like HAProxy, which sets SO_KEEPALIVE on server connections only under
// option tcpka or srvtcpka, TCP keep-alive probes are off unless the
// backend asks for them (Go's dialer would otherwise enable them, at four
// setsockopt calls per connection).
type serverDialer struct {
	addr      string         // HOST:PORT as configured
	ap        netip.AddrPort // addr when it is an IP literal (dialDirect)
	raddr     *net.TCPAddr   // ap, the RemoteAddr of every connection (read-only)
	keepAlive bool           // option tcpka or srvtcpka
}

func newServerDialer(addr string, keepAlive bool) serverDialer {
	d := serverDialer{addr: addr, keepAlive: keepAlive}
	// A zoned (link-local) IPv6 address goes through net.Dialer, which
	// maps the zone, a name or a number, to its interface on every dial.
	if ap, err := netip.ParseAddrPort(addr); err == nil && ap.Addr().Zone() == "" {
		d.ap = netip.AddrPortFrom(ap.Addr().Unmap(), ap.Port())
		d.raddr = net.TCPAddrFromAddrPort(d.ap)
	}
	return d
}

// dial connects within timeout (0: none). The connection is a
// *net.TCPConn (TCP_NODELAY set, as Go does for every TCP connection), so
// that forwarding can splice.
//
// (net.Dialer.DialTCP would skip the parsing of an IP:PORT address, but
// with no local address it still binds the socket to 0.0.0.0:0, a system
// call more and a port chosen by bind rather than by connect.)
func (d *serverDialer) dial(timeout time.Duration) (net.Conn, error) {
	nd := net.Dialer{Timeout: timeout, KeepAlive: -1}
	if d.keepAlive {
		// SO_KEEPALIVE with the system's timers, as HAProxy.
		nd.KeepAliveConfig = net.KeepAliveConfig{Enable: true, Idle: -1, Interval: -1, Count: -1}
	}
	return nd.Dial("tcp", d.addr)
}
