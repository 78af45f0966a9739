package proxy

import (
	"errors"
	"io"
	"net"
	"net/netip"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"haappliance/proxy/proxytest"
)

// keepAliveOn reads SO_KEEPALIVE of a TCP connection.
func keepAliveOn(t *testing.T, c net.Conn) bool {
	t.Helper()
	rc, err := c.(syscall.Conn).SyscallConn()
	if err != nil {
		t.Fatal(err)
	}
	var v int
	var gerr error
	if err := rc.Control(func(fd uintptr) {
		v, gerr = syscall.GetsockoptInt(int(fd), syscall.SOL_SOCKET, syscall.SO_KEEPALIVE)
	}); err != nil {
		t.Fatal(err)
	}
	if gerr != nil {
		t.Fatal(gerr)
	}
	return v != 0
}

// fullListener returns the address of a loopback listener whose accept
// queue is full (listen backlog 0, connections never accepted): the kernel
// drops further SYNs, so a connect to it can only end by its timeout.
func fullListener(t *testing.T) string {
	t.Helper()
	fd, err := syscall.Socket(syscall.AF_INET, syscall.SOCK_STREAM|syscall.SOCK_CLOEXEC, 0)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = syscall.Close(fd) })
	if err := syscall.Bind(fd, &syscall.SockaddrInet4{Addr: [4]byte{127, 0, 0, 1}}); err != nil {
		t.Fatal(err)
	}
	if err := syscall.Listen(fd, 0); err != nil {
		t.Fatal(err)
	}
	sa, err := syscall.Getsockname(fd)
	if err != nil {
		t.Fatal(err)
	}
	addr := netip.AddrPortFrom(netip.AddrFrom4([4]byte{127, 0, 0, 1}), uint16(sa.(*syscall.SockaddrInet4).Port)).String()
	// Fill the queue: the connects that complete stay queued; the first
	// that does not shows the queue is full.
	for i := 0; ; i++ {
		if i == 16 {
			t.Fatalf("the accept queue of %s never filled", addr)
		}
		c, err := net.DialTimeout("tcp", addr, 200*time.Millisecond)
		if err != nil {
			break
		}
		t.Cleanup(func() { _ = c.Close() })
	}
	return addr
}

// TestServerDialer: a server connection is a *net.TCPConn (forwarding
// splices between two of them) with TCP_NODELAY, without keep-alive probes
// unless the backend has option tcpka or srvtcpka; a refused connect and
// a connect that times out are told apart (HAProxy's SC and sC).
func TestServerDialer(t *testing.T) {
	echo := echoServer(t)
	t.Run("connects", func(t *testing.T) {
		for _, ka := range []bool{false, true} {
			d := newServerDialer(echo.Addr(), ka)
			c, err := d.dial(time.Second)
			if err != nil {
				t.Fatal(err)
			}
			if _, ok := c.(*net.TCPConn); !ok {
				t.Errorf("dial returned a %T, want *net.TCPConn", c)
			}
			if got := keepAliveOn(t, c); got != ka {
				t.Errorf("keepAlive %v: SO_KEEPALIVE = %v", ka, got)
			}
			if _, err := c.Write([]byte("hi")); err != nil {
				t.Fatal(err)
			}
			buf := make([]byte, 2)
			_ = c.SetReadDeadline(time.Now().Add(5 * time.Second))
			if _, err := io.ReadFull(c, buf); err != nil || string(buf) != "hi" {
				t.Errorf("echo: %q, %v", buf, err)
			}
			_ = c.Close()
		}
	})
	testDialFailures(t, (*serverDialer).dial)
}

// testDialFailures checks a dial function of serverDialer on a closed port
// (refused, no connection) and on a full accept queue (a timeout).
func testDialFailures(t *testing.T, dial func(*serverDialer, time.Duration) (net.Conn, error)) {
	t.Run("refused", func(t *testing.T) {
		d := newServerDialer(deadPort(t), false)
		c, err := dial(&d, time.Second)
		if err == nil {
			_ = c.Close()
			t.Fatal("dial to a closed port succeeded")
		}
		if c != nil {
			t.Errorf("dial failed with a non-nil connection %#v", c)
		}
		if isTimeout(err) || !errors.Is(err, syscall.ECONNREFUSED) {
			t.Errorf("dial to a closed port: %v, want connection refused", err)
		}
	})
	t.Run("timeout", func(t *testing.T) {
		d := newServerDialer(fullListener(t), false)
		c, err := dial(&d, 100*time.Millisecond)
		if err == nil {
			_ = c.Close()
			t.Fatal("dial to a full accept queue succeeded")
		}
		if !isTimeout(err) {
			t.Errorf("dial to a full accept queue: %v, want a timeout", err)
		}
	})
}

// TestServerKeepAliveOption: option tcpka or srvtcpka of a backend turns
// keep-alive probes on for its servers' connections.
func TestServerKeepAliveOption(t *testing.T) {
	for _, tc := range []struct {
		opts OptionSet
		want bool
	}{
		{nil, false},
		{OptionSet{{Name: "tcplog"}}, false},
		{OptionSet{{Name: "srvtcpka"}}, true},
		{OptionSet{{Name: "tcpka"}}, true},
		{OptionSet{{Name: "clitcpka"}}, false},
	} {
		m := &BackendModel{Name: "b", Mode: "tcp", Balance: "roundrobin", Options: tc.opts,
			Servers: []ServerModel{{Name: "s1", Address: "127.0.0.1:1", Weight: 1}}}
		be, err := newBackend(m, time.Now())
		if err != nil {
			t.Fatal(err)
		}
		if got := be.servers[0].dialer.keepAlive; got != tc.want {
			t.Errorf("options %v: keepAlive = %v, want %v", tc.opts, got, tc.want)
		}
	}
}

// TestTCPSessionEndsWithFINs: when both directions have ended (the server
// first, then the client), both peers read an orderly EOF, not a reset,
// although the last direction's end closes without a shutdown first.
func TestTCPSessionEndsWithFINs(t *testing.T) {
	serverSaw := make(chan error, 1)
	srv := proxytest.NewRawServer(t, func(c net.Conn) {
		_, _ = c.Write([]byte("bye"))
		closeWrite(c)
		_ = c.SetReadDeadline(time.Now().Add(10 * time.Second))
		got, err := io.ReadAll(c) // nil error: an EOF
		if err == nil && string(got) != "ping" {
			err = errors.New("server read " + string(got))
		}
		serverSaw <- err
	})
	opts, logs := tcpLogOptions()
	_, addr := startProxy(t, tcpListen(defaultTimeouts, `option = ["tcplog"]`,
		`{ name = "s1", address = "`+srv.Addr()+`" }`), "tcp-in", nil, opts)
	c := dialTCP(t, addr)
	got, err := io.ReadAll(c) // the server's FIN, forwarded
	if err != nil || string(got) != "bye" {
		t.Fatalf("client read %q, %v; want \"bye\" and EOF", got, err)
	}
	if _, err := c.Write([]byte("ping")); err != nil {
		t.Fatal(err)
	}
	_ = c.Close()
	if err := <-serverSaw; err != nil {
		t.Errorf("server: %v, want the client's data and an EOF", err)
	}
	if line := logs.wait(t, 1)[0]; !strings.Contains(line, " 3 -- ") {
		t.Errorf("log line %q: want 3 bytes, state --", line)
	}
}

// TestTCPClientFinWithLongClientTimeout: the server's end brings the
// other direction to the client-fin timeout at once, even when timeout
// client is long (its read deadline slice is then 1 s): the session ends
// near client_fin, well before a slice of timeout client.
func TestTCPClientFinWithLongClientTimeout(t *testing.T) {
	srv := proxytest.NewRawServer(t, func(c net.Conn) {
		_, _ = c.Write([]byte("bye"))
		closeWrite(c)
		_, _ = io.Copy(io.Discard, c)
	})
	opts, logs := tcpLogOptions()
	_, addr := startProxy(t, tcpListen(`connect = "1s", client = "60s", server = "60s", client_fin = "100ms"`,
		`option = ["tcplog"]`, `{ name = "s1", address = "`+srv.Addr()+`" }`), "tcp-in", nil, opts)
	c := dialTCP(t, addr)
	start := time.Now()
	if got := readAllTCPKeepOpen(t, c); got != "bye" {
		t.Fatalf("client read %q", got)
	}
	line := logs.wait(t, 1)[0]
	// 100 ms plus a slice of it (12.5 ms); a second is what the old slice
	// of timeout client would give.
	if d := time.Since(start); d < 90*time.Millisecond || d >= 900*time.Millisecond {
		t.Errorf("session ended after %v, want about 100ms (client_fin)", d)
	}
	if !strings.Contains(line, " cD ") {
		t.Errorf("log line %q: want state cD", line)
	}
}

// readAllTCPKeepOpen reads c to EOF and leaves it open.
func readAllTCPKeepOpen(t *testing.T, c net.Conn) string {
	t.Helper()
	b, err := io.ReadAll(c)
	if err != nil {
		t.Fatalf("read: %v", err)
	}
	return string(b)
}

// stringAddr is a net.Addr that is not a *net.TCPAddr.
type stringAddr string

func (a stringAddr) String() string { return string(a) }

func TestAddrPort(t *testing.T) {
	for _, tc := range []struct {
		in   interface{ String() string }
		want netip.AddrPort
	}{
		{&net.TCPAddr{IP: net.IPv4(10, 0, 0, 1), Port: 80}, netip.MustParseAddrPort("10.0.0.1:80")},
		{&net.TCPAddr{IP: net.ParseIP("::ffff:10.0.0.1"), Port: 80}, netip.MustParseAddrPort("10.0.0.1:80")},
		{&net.TCPAddr{IP: net.ParseIP("2001:db8::1"), Port: 443}, netip.MustParseAddrPort("[2001:db8::1]:443")},
		{(*net.TCPAddr)(nil), netip.AddrPort{}},
		{stringAddr("[::ffff:192.0.2.7]:9"), netip.MustParseAddrPort("192.0.2.7:9")},
		{stringAddr("not an address"), netip.AddrPort{}},
	} {
		if diff := cmp.Diff(tc.want, addrPort(tc.in), cmp.Comparer(func(a, b netip.AddrPort) bool { return a == b })); diff != "" {
			t.Errorf("addrPort(%v) (-want +got):\n%s", tc.in, diff)
		}
	}
}
