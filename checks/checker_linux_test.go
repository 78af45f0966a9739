package checks

import (
	"context"
	"net"
	"syscall"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"
)

// blackhole returns a loopback address whose SYNs the kernel drops: a
// listening socket with a zero backlog that never accepts, its queue filled.
func blackhole(t *testing.T) string {
	t.Helper()
	fd, err := syscall.Socket(syscall.AF_INET, syscall.SOCK_STREAM|syscall.SOCK_CLOEXEC, 0)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { syscall.Close(fd) })
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
	addr := (&net.TCPAddr{IP: net.IPv4(127, 0, 0, 1), Port: sa.(*syscall.SockaddrInet4).Port}).String()
	// Fill the accept queue; later SYNs are dropped.
	for range 3 {
		d := net.Dialer{Timeout: 50 * ms}
		if c, err := d.Dial("tcp", addr); err == nil {
			t.Cleanup(func() { c.Close() })
		}
	}
	return addr
}

func TestCheckerKernelConnectTimeout(t *testing.T) {
	addr := blackhole(t)
	for _, h := range []*HTTPCheck{nil, {}} {
		c, _ := NewChecker(Spec{Addr: addr, HTTP: h}, Params{Inter: dur(200 * ms)})
		got := c.Check(context.Background())
		if got.Duration < 200*ms {
			t.Errorf("duration %v, want at least inter", got.Duration)
		}
		if d := cmp.Diff(Result{Status: StatusL4Timeout}, got, cmpopts.IgnoreFields(Result{}, "Duration")); d != "" {
			t.Errorf("(-want +got):\n%s", d)
		}
	}
}
