package sysctl

import (
	"path/filepath"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"golang.org/x/sys/unix"
)

func TestNotifyWrappers(t *testing.T) {
	addr := filepath.Join(t.TempDir(), "notify")
	fd, err := unix.Socket(unix.AF_UNIX, unix.SOCK_DGRAM|unix.SOCK_CLOEXEC, 0)
	if err != nil {
		t.Fatal(err)
	}
	defer unix.Close(fd)
	if err := unix.Bind(fd, &unix.SockaddrUnix{Name: addr}); err != nil {
		t.Fatal(err)
	}
	t.Setenv("NOTIFY_SOCKET", addr)
	for _, f := range []func() error{NotifyReady, NotifyStopping, func() error { return NotifyStatus("2 VIPs held") }} {
		if err := f(); err != nil {
			t.Fatal(err)
		}
	}
	if err := NotifyReloading(); err != nil {
		t.Fatal(err)
	}
	var got []string
	buf := make([]byte, 512)
	for range 4 {
		n, _, err := unix.Recvfrom(fd, buf, unix.MSG_DONTWAIT)
		if err != nil {
			t.Fatal(err)
		}
		got = append(got, string(buf[:n]))
	}
	if !strings.HasPrefix(got[3], "RELOADING=1\nMONOTONIC_USEC=") {
		t.Errorf("reloading datagram %q", got[3])
	}
	if diff := cmp.Diff([]string{"READY=1\n", "STOPPING=1\n", "STATUS=2 VIPs held\n"}, got[:3]); diff != "" {
		t.Errorf("datagrams (-want +got):\n%s", diff)
	}
	t.Setenv("NOTIFY_SOCKET", "")
	if err := NotifyReady(); err != nil {
		t.Errorf("without NOTIFY_SOCKET: %v", err)
	}
}
