package sdnotify

import (
	"fmt"
	"net"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
)

// fakeSystemd listens where $NOTIFY_SOCKET would point.
func fakeSystemd(t *testing.T, addr string) *net.UnixConn {
	t.Helper()
	c, err := net.ListenUnixgram("unixgram", &net.UnixAddr{Name: addr, Net: "unixgram"})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { c.Close() })
	return c
}

func recv(t *testing.T, c *net.UnixConn) string {
	t.Helper()
	buf := make([]byte, 4096)
	c.SetReadDeadline(time.Now().Add(5 * time.Second))
	n, err := c.Read(buf)
	if err != nil {
		t.Fatal(err)
	}
	return string(buf[:n])
}

func TestNotify(t *testing.T) {
	for _, tt := range []struct {
		name string
		addr func(t *testing.T) string
	}{
		{"path", func(t *testing.T) string { return filepath.Join(t.TempDir(), "notify") }},
		{"abstract", func(t *testing.T) string { return fmt.Sprintf("@haappliance-test-%d", time.Now().UnixNano()) }},
	} {
		t.Run(tt.name, func(t *testing.T) {
			addr := tt.addr(t)
			sd := fakeSystemd(t, addr)
			t.Setenv("NOTIFY_SOCKET", addr)
			n := FromEnv()
			n.monotonic = func() time.Duration { return 1234567 * time.Microsecond }
			if !n.Enabled() {
				t.Fatal("not enabled with NOTIFY_SOCKET set")
			}
			steps := []struct {
				send func() error
				want string
			}{
				{n.Ready, "READY=1\n"},
				{n.Reloading, "RELOADING=1\nMONOTONIC_USEC=1234567\n"},
				{func() error { return n.Status("1 VIP held,\n6/6 servers up") }, "STATUS=1 VIP held, 6/6 servers up\n"},
				{n.Stopping, "STOPPING=1\n"},
			}
			for _, s := range steps {
				if err := s.send(); err != nil {
					t.Fatal(err)
				}
				if diff := cmp.Diff(s.want, recv(t, sd)); diff != "" {
					t.Errorf("datagram (-want +got):\n%s", diff)
				}
			}
		})
	}
}

func TestDisabled(t *testing.T) {
	t.Setenv("NOTIFY_SOCKET", "")
	for _, n := range []*Notifier{nil, FromEnv(), New("")} {
		if n.Enabled() {
			t.Error("enabled without a socket")
		}
		for _, f := range []func() error{n.Ready, n.Reloading, n.Stopping, func() error { return n.Status("x") }} {
			if err := f(); err != nil {
				t.Errorf("disabled notifier returned %v", err)
			}
		}
	}
}

func TestErrors(t *testing.T) {
	dir := t.TempDir()
	tests := []struct {
		addr string
		msgs []string
		want string
	}{
		{filepath.Join(dir, "nobody-listens"), []string{"READY=1"}, "sd_notify: send to "},
		{"relative/path", []string{"READY=1"}, "is neither a path nor an abstract '@' name"},
		{filepath.Join(dir, "x"), []string{"READY"}, `bad assignment "READY"`},
		{filepath.Join(dir, "x"), []string{"STATUS=a\nREADY=1"}, "bad assignment"},
	}
	for _, tt := range tests {
		err := New(tt.addr).Send(tt.msgs...)
		if err == nil || !strings.Contains(err.Error(), tt.want) {
			t.Errorf("Send(%q) to %s = %v, want %q", tt.msgs, tt.addr, err, tt.want)
		}
	}
}
