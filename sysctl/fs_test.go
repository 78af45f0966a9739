package sysctl

import (
	"errors"
	"os"
	"path/filepath"
	"testing"

	"github.com/google/go-cmp/cmp"
)

func TestKeyPath(t *testing.T) {
	tests := map[string]string{
		"net.core.somaxconn":                "net/core/somaxconn",
		"net/core/somaxconn":                "net/core/somaxconn",
		"net.ipv4.conf.eth0/100.rp_filter":  "net/ipv4/conf/eth0.100/rp_filter",
		"net/ipv4/conf/eth0.100/rp_filter":  "net/ipv4/conf/eth0.100/rp_filter",
		"kernel.cap_last_cap":               "kernel/cap_last_cap",
		"net.ipv6.conf.all.disable_ipv6":    "net/ipv6/conf/all/disable_ipv6",
		"net.ipv4.neigh.default.gc_thresh1": "net/ipv4/neigh/default/gc_thresh1",
	}
	for in, want := range tests {
		if got := keyPath(in); got != want {
			t.Errorf("keyPath(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestNormalize(t *testing.T) {
	for in, want := range map[string]string{
		"1024\t65023\n":         "1024 65023",
		"  1  \n":               "1",
		"4096 87380  6291456\n": "4096 87380 6291456",
		"":                      "",
	} {
		if got := Normalize(in); got != want {
			t.Errorf("Normalize(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestFSReadWrite(t *testing.T) {
	fs := fakeProc(t, map[string]string{"net.ipv4.ip_local_port_range": "32768\t60999\n"})
	got, err := fs.Read("net.ipv4.ip_local_port_range")
	if err != nil || got != "32768 60999" {
		t.Fatalf("Read = %q, %v", got, err)
	}
	if err := fs.Write("net.ipv4.ip_local_port_range", "1024\t65023"); err != nil {
		t.Fatal(err)
	}
	b, err := os.ReadFile(filepath.Join(fs.Root, "net/ipv4/ip_local_port_range"))
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff("1024 65023\n", string(b)); diff != "" {
		t.Errorf("file (-want +got):\n%s", diff)
	}

	// A missing key is reported as such and never created.
	if _, err := fs.Read("net.ipv4.tcp_max_orphans"); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("Read(missing) = %v, want ErrNotExist", err)
	}
	if err := fs.Write("net.ipv4.tcp_max_orphans", "1"); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("Write(missing) = %v, want ErrNotExist", err)
	}
	if _, err := os.Stat(fs.Path("net.ipv4.tcp_max_orphans")); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("Write created the missing key: %v", err)
	}

	// Bad keys never reach the file system.
	for _, k := range []string{"../../etc/passwd", "net/../../x", "x"} {
		if _, err := fs.Read(k); err == nil {
			t.Errorf("Read(%q) accepted", k)
		}
		if err := fs.Write(k, "1"); err == nil {
			t.Errorf("Write(%q) accepted", k)
		}
	}
	if err := fs.Write("net.ipv4.ip_local_port_range", " "); err == nil {
		t.Error("Write of an empty value accepted")
	}
}

func TestFSDefaultRoot(t *testing.T) {
	if got, want := (FS{}).Path("net.core.somaxconn"), "/proc/sys/net/core/somaxconn"; got != want {
		t.Errorf("Path = %q, want %q", got, want)
	}
}
