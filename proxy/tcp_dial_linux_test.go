package proxy

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"os"
	goruntime "runtime"
	"strings"
	"syscall"
	"testing"
	"time"

	"golang.org/x/sys/unix"

	"haappliance/internal/lab"
)

// TestDialDirect: the direct dial of an IP:PORT server gives a *tcpConn
// that behaves as a *net.TCPConn for the proxy (addresses, TCP_NODELAY,
// keep-alive only when asked, half-close, deadlines, errors after Close);
// a refused connect and a timeout are told apart; a server named by host
// name goes through net.Dialer.
func TestDialDirect(t *testing.T) {
	echo := echoServer(t)
	t.Run("connects", func(t *testing.T) {
		for _, ka := range []bool{false, true} {
			d := newServerDialer(echo.Addr(), ka)
			c, err := d.dialDirect(time.Second)
			if err != nil {
				t.Fatal(err)
			}
			tc, ok := c.(*tcpConn)
			if !ok {
				t.Fatalf("dialDirect returned a %T, want *tcpConn", c)
			}
			if got := keepAliveOn(t, c); got != ka {
				t.Errorf("keepAlive %v: SO_KEEPALIVE = %v", ka, got)
			}
			if got := sockoptInt(t, c, syscall.IPPROTO_TCP, syscall.TCP_NODELAY); got == 0 {
				t.Error("TCP_NODELAY is off")
			}
			if got, want := c.RemoteAddr().String(), echo.Addr(); got != want {
				t.Errorf("RemoteAddr = %s, want %s", got, want)
			}
			if la, ok := c.LocalAddr().(*net.TCPAddr); !ok || !la.IP.IsLoopback() || la.Port == 0 {
				t.Errorf("LocalAddr = %v", c.LocalAddr())
			}
			_ = c.SetDeadline(time.Now().Add(5 * time.Second))
			if _, err := c.Write([]byte("hello")); err != nil {
				t.Fatal(err)
			}
			if err := tc.CloseWrite(); err != nil {
				t.Fatal(err)
			}
			// The echo server half-closes when it reads our EOF.
			if got, err := io.ReadAll(c); err != nil || string(got) != "hello" {
				t.Errorf("echo after CloseWrite: %q, %v", got, err)
			}
			if err := c.Close(); err != nil {
				t.Errorf("Close: %v", err)
			}
			if _, err := c.Read(make([]byte, 1)); !errors.Is(err, net.ErrClosed) {
				t.Errorf("Read after Close: %v, want net.ErrClosed", err)
			}
		}
	})
	t.Run("read deadline", func(t *testing.T) {
		silent := silentServer(t)
		d := newServerDialer(silent.Addr(), false)
		c, err := d.dialDirect(time.Second)
		if err != nil {
			t.Fatal(err)
		}
		defer c.Close()
		_ = c.SetReadDeadline(time.Now().Add(20 * time.Millisecond))
		var ne net.Error
		if _, err := c.Read(make([]byte, 1)); !errors.As(err, &ne) || !ne.Timeout() {
			t.Errorf("Read past its deadline: %v, want a timeout *net.OpError", err)
		}
	})
	testDialFailures(t, (*serverDialer).dialDirect)
	t.Run("host name", func(t *testing.T) {
		_, port, _ := net.SplitHostPort(echo.Addr())
		d := newServerDialer("localhost:"+port, false)
		c, err := d.dialDirect(time.Second)
		if err != nil {
			t.Skipf("localhost does not resolve here: %v", err)
		}
		defer c.Close()
		if _, ok := c.(*net.TCPConn); !ok {
			t.Errorf("dialDirect of a host name returned a %T, want *net.TCPConn", c)
		}
	})
}

func sockoptInt(t *testing.T, c net.Conn, level, opt int) int {
	t.Helper()
	rc, err := c.(syscall.Conn).SyscallConn()
	if err != nil {
		t.Fatal(err)
	}
	var v int
	var gerr error
	_ = rc.Control(func(fd uintptr) { v, gerr = syscall.GetsockoptInt(int(fd), level, opt) })
	if gerr != nil {
		t.Fatal(gerr)
	}
	return v
}

// connPair returns the two ends of a loopback TCP connection: a
// *net.TCPConn accepted by a listener, and the dialing end, a *tcpConn
// when direct is set.
func connPair(t *testing.T, direct bool) (accepted *net.TCPConn, dialed net.Conn) {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	got := make(chan net.Conn, 1)
	go func() {
		c, _ := ln.Accept()
		got <- c
	}()
	d := newServerDialer(ln.Addr().String(), false)
	if direct {
		dialed, err = d.dialDirect(time.Second)
	} else {
		dialed, err = d.dial(time.Second)
	}
	if err != nil {
		t.Fatal(err)
	}
	a := <-got
	if a == nil {
		t.Fatal("accept failed")
	}
	t.Cleanup(func() { _ = a.Close(); _ = dialed.Close() })
	_ = a.SetDeadline(time.Now().Add(10 * time.Second))
	_ = dialed.SetDeadline(time.Now().Add(10 * time.Second))
	return a.(*net.TCPConn), dialed
}

// TestCopyOnceSwitchesToSplice copies a stream that starts small and turns
// bulk from one TCP connection to another, for each kind of end: the
// buffered copy (raw reads and writes) hands over to splice at the first
// full buffer, keeps the byte order across the switch, stops at the EOF,
// and the half-close that follows reaches the reader.
func TestCopyOnceSwitchesToSplice(t *testing.T) {
	for _, tc := range []struct {
		name                 string
		srcDirect, dstDirect bool
		ownPipe              bool // spliceConns rather than the runtime's splice
	}{
		{"net to net", false, false, false},
		{"net to direct", false, true, true},
		{"direct to net", true, false, true},
		{"direct to direct", true, true, true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			// The copy reads src, which feeder writes; it writes dst, which
			// reader reads.
			acc, dialed := connPair(t, tc.srcDirect)
			var src, feeder net.Conn = acc, dialed
			if tc.srcDirect {
				src, feeder = dialed, acc
			}
			acc, dialed = connPair(t, tc.dstDirect)
			var dst, reader net.Conn = acc, dialed
			if tc.dstDirect {
				dst, reader = dialed, acc
			}
			want := pattern(100 + 3<<20)
			small := make(chan struct{})
			fed := make(chan error, 1)
			go func() {
				// 100 bytes, then the bulk once they went through: the
				// copy sees a small read before the full ones.
				if _, err := feeder.Write(want[:100]); err != nil {
					fed <- err
					return
				}
				<-small
				_, err := feeder.Write(want[100:])
				tcpCloseWrite(feeder, rawTCP(feeder))
				fed <- err
			}()
			got := make(chan []byte, 1)
			go func() {
				b := make([]byte, 100)
				_, err := io.ReadFull(reader, b)
				close(small)
				if err != nil {
					got <- nil
					return
				}
				rest, _ := io.ReadAll(reader)
				got <- append(b, rest...)
			}()
			st := copyState{dr: rawTCP(dst), sr: rawTCP(src)}
			defer st.release()
			var n int64
			for {
				m, err := st.copyOnce(dst, src)
				n += m
				if err == nil {
					break // src's EOF
				}
				if !isTimeout(err) {
					t.Fatalf("copy: %v", err)
				}
			}
			tcpCloseWrite(dst, rawTCP(dst))
			if err := <-fed; err != nil {
				t.Fatalf("feeder: %v", err)
			}
			b := <-got
			if n != int64(len(want)) || !bytes.Equal(b, want) {
				t.Fatalf("copied %d bytes, reader got %d; want %d in order", n, len(b), len(want))
			}
			if !st.spliced {
				t.Error("the direction never switched to splice")
			}
			if got := st.pipe != nil; got != tc.ownPipe {
				t.Errorf("own splice pipe: %v, want %v", got, tc.ownPipe)
			}
		})
	}
}

// TestSpliceConnsErrors: a reset of the destination during a splice is a
// write-side error; a closed source is net.ErrClosed on the read side.
func TestSpliceConnsErrors(t *testing.T) {
	t.Run("destination reset", func(t *testing.T) {
		feeder, src := connPair(t, true)
		dst, peer := connPair(t, true)
		_ = peer.(*tcpConn)
		// The peer resets: SO_LINGER 0 then close.
		rc, _ := peer.(syscall.Conn).SyscallConn()
		_ = rc.Control(func(fd uintptr) {
			_ = syscall.SetsockoptLinger(int(fd), syscall.SOL_SOCKET, syscall.SO_LINGER, &syscall.Linger{Onoff: 1, Linger: 0})
		})
		_ = peer.Close()
		go func() { _, _ = feeder.Write(pattern(4 << 20)) }()
		p, err := newSplicePipe()
		if err != nil {
			t.Fatal(err)
		}
		defer p.close()
		_, err = spliceConns(rawTCP(dst), rawTCP(src), p)
		var se *sideError
		if !errors.As(err, &se) || !se.write {
			t.Errorf("splice into a reset socket: %v, want a write-side error", err)
		}
	})
	t.Run("source closed", func(t *testing.T) {
		_, src := connPair(t, true)
		dst, _ := connPair(t, true)
		srcRC, dstRC := rawTCP(src), rawTCP(dst)
		_ = src.Close()
		p, err := newSplicePipe()
		if err != nil {
			t.Fatal(err)
		}
		defer p.close()
		_, err = spliceConns(dstRC, srcRC, p)
		var se *sideError
		if !errors.As(err, &se) || se.write || !errors.Is(err, net.ErrClosed) {
			t.Errorf("splice from a closed connection: %v, want net.ErrClosed on the read side", err)
		}
	})
}

// pattern is n bytes that show any reordering or loss.
func pattern(n int) []byte {
	b := make([]byte, n)
	for i := range b {
		b[i] = byte(i*7 + i/251)
	}
	return b
}

// TestDialZonedLinkLocal: a server at an IPv6 link-local address with a
// zone, named or numbered, is reached (through net.Dialer, which maps the
// zone to its interface; the direct dial's raw connect would not). Two
// hosts of the namespace lab, fe80::1 and fe80::2 on their eth0 (root).
func TestDialZonedLinkLocal(t *testing.T) {
	if err := lab.Available(); err != nil {
		t.Skip(err)
	}
	ctx := context.Background()
	l, err := lab.New(ctx, []lab.HostSpec{{Name: "zsrv", Addrs: []string{"fe80::1/64"}}, {Name: "zcli", Addrs: []string{"fe80::2/64"}}}, t.Logf)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = l.Close() })
	srvNS, cliNS := l.Hosts[0].NS, l.Hosts[1].NS
	out, err := l.Hosts[1].Exec(ctx, "cat", "/sys/class/net/eth0/ifindex")
	if err != nil {
		t.Fatal(err)
	}
	index := strings.TrimSpace(out)

	var ln net.Listener
	if err := inNetns(srvNS, func() (err error) {
		ln, err = net.Listen("tcp6", "[fe80::1%eth0]:0")
		return err
	}); err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	go func() {
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			go func() { _, _ = io.Copy(c, c); c.Close() }()
		}
	}()
	port := ln.Addr().(*net.TCPAddr).Port
	for _, zone := range []string{"eth0", index} {
		addr := fmt.Sprintf("[fe80::1%%%s]:%d", zone, port)
		err := inNetns(cliNS, func() error {
			d := newServerDialer(addr, false)
			c, err := d.dialDirect(5 * time.Second)
			if err != nil {
				return err
			}
			defer c.Close()
			_ = c.SetDeadline(time.Now().Add(5 * time.Second))
			buf := make([]byte, 2)
			if _, err = c.Write([]byte("hi")); err == nil {
				_, err = io.ReadFull(c, buf)
			}
			if err != nil || string(buf) != "hi" {
				return fmt.Errorf("echo %q, %v", buf, err)
			}
			return nil
		})
		if err != nil {
			t.Errorf("%s: %v", addr, err)
		}
	}
}

// inNetns runs fn on a thread moved into the named network namespace,
// where the sockets it opens belong. The thread ends with it, never going
// back to the test's namespace.
func inNetns(name string, fn func() error) error {
	done := make(chan error, 1)
	go func() {
		goruntime.LockOSThread() // not unlocked: the thread exits with the goroutine
		f, err := os.Open("/var/run/netns/" + name)
		if err != nil {
			done <- err
			return
		}
		err = unix.Setns(int(f.Fd()), unix.CLONE_NEWNET)
		f.Close()
		if err != nil {
			done <- err
			return
		}
		done <- fn()
	}()
	return <-done
}
